//! Outlook CSV in its three shapes: Outlook desktop (92 quoted columns, often
//! Windows-1252), Outlook.com (61 columns) and the 88-column "Outlook CSV"
//! written by Google and other tools. They share column *names*, so one
//! name-keyed table reads all three. Outlook's filler values (`0/0/00`,
//! `Normal`, `Unspecified`, `False`) are not kept; other columns kith has no
//! field for are kept as `X-KITH-CSV-*`.

use super::{
    Header, Row, diag, excerpt, finish, header_on_first_line, is_no_date, is_system_group,
    join_name, keep_columns, parse_dmy, parse_iso, parse_mdy, push_point, split_any,
    unhandled_columns,
};
use crate::{FormatError, Item};
use kith_core::{Card, ExtraProperty, PersonName, Position, PostalAddress, Text};
use std::io::BufRead;

const FORMAT: &str = "outlook";

/// Phone columns: (column, kinds, label).
const PHONES: &[(&str, &[&str], Option<&str>)] = &[
    ("Primary Phone", &[], None),
    ("Mobile Phone", &["cell"], None),
    ("Business Phone", &["work"], None),
    ("Business Phone 2", &["work"], None),
    ("Home Phone", &["home"], None),
    ("Home Phone 2", &["home"], None),
    ("Other Phone", &["other"], None),
    ("Company Main Phone", &["work"], Some("Company main")),
    ("Assistant's Phone", &[], Some("Assistant")),
    ("Callback", &[], Some("Callback")),
    ("Car Phone", &["car"], None),
    ("ISDN", &["isdn"], None),
    ("Pager", &["pager"], None),
    ("Radio Phone", &[], Some("Radio")),
    ("TTY/TDD Phone", &["textphone"], None),
    ("Telex", &[], Some("Telex")),
    ("Business Fax", &["fax", "work"], None),
    ("Home Fax", &["fax", "home"], None),
    ("Other Fax", &["fax"], None),
];

/// (address prefix, kinds).
const ADDRESSES: &[(&str, &str)] = &[("Business", "work"), ("Home", "home"), ("Other", "other")];

/// Columns read by name (besides phones and addresses).
const NAMED: &[&str] = &[
    "title",
    "first name",
    "middle name",
    "last name",
    "suffix",
    "nickname",
    "company",
    "department",
    "job title",
    "e-mail address",
    "e-mail type",
    "e-mail display name",
    "e-mail 2 address",
    "e-mail 2 type",
    "e-mail 2 display name",
    "e-mail 3 address",
    "e-mail 3 type",
    "e-mail 3 display name",
    "web page",
    "personal web page",
    "birthday",
    "anniversary",
    "notes",
    "categories",
    "initials",
];

/// Values Outlook writes into every contact that mean "nothing set".
fn is_filler(column: &str, value: &str) -> bool {
    let column = column.to_lowercase();
    let value = value.trim().to_lowercase();
    match column.as_str() {
        "sensitivity" | "priority" => value == "normal",
        "gender" => value == "unspecified",
        "private" => value == "false",
        _ => is_no_date(&value),
    }
}

fn is_handled(name: &str) -> bool {
    let lower = name.trim().to_lowercase();
    if NAMED.contains(&lower.as_str()) || PHONES.iter().any(|(p, _, _)| p.to_lowercase() == lower) {
        return true;
    }
    ADDRESSES.iter().any(|(prefix, _)| {
        lower
            .strip_prefix(&prefix.to_lowercase())
            .map(|rest| ADDRESS_PARTS.iter().any(|(part, _)| *part == rest.trim()))
            .unwrap_or(false)
    })
}

/// Address columns after the prefix, and the part they fill.
const ADDRESS_PARTS: &[(&str, Part)] = &[
    ("street", Part::Street),
    ("street 2", Part::Street),
    ("street 3", Part::Street),
    ("address", Part::Formatted),
    ("city", Part::City),
    ("state", Part::Region),
    ("postal code", Part::PostalCode),
    ("country/region", Part::Country),
    ("country", Part::Country),
    ("address po box", Part::PoBox),
    ("po box", Part::PoBox),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Street,
    Formatted,
    City,
    Region,
    PostalCode,
    Country,
    PoBox,
}

/// Opens an Outlook CSV (any of the three variants).
pub fn open<'a>(
    input: Box<dyn BufRead + 'a>,
    file: &str,
) -> Result<Box<dyn Iterator<Item = Item> + 'a>, FormatError> {
    let (header, rows) = header_on_first_line(input, file)?;
    let known = ["First Name", "Last Name", "E-mail Address", "Company"];
    if !known.iter().any(|k| header.has(k)) {
        return Err(FormatError::Invalid {
            file: file.to_string(),
            message: format!(
                "not an Outlook CSV: none of the columns \"First Name\", \"Last Name\", \
                 \"E-mail Address\", \"Company\" is there; the header is: {}",
                excerpt(&header.list())
            ),
        });
    }
    let extra = unhandled_columns(&header, is_handled);
    let file = file.to_string();
    Ok(Box::new(
        rows.map(move |row| record(&header, &extra, &row?, &file)),
    ))
}

/// Reads an Outlook date: `M/D/YYYY` (en-US), a day-first form when the
/// first number cannot be a month, or ISO. `0/0/00` is "no date".
fn outlook_date(column: &str, value: &str, warnings: &mut Vec<String>) -> Option<String> {
    if value.is_empty() || is_no_date(value) {
        return None;
    }
    if let Some(d) = parse_mdy(value).or_else(|| parse_iso(value)) {
        return Some(d);
    }
    if let Some(d) = parse_dmy(value) {
        warnings.push(format!("{column} {value:?} read day first, as {d}"));
        return Some(d);
    }
    // Outlook desktop sometimes appends a time: `3/15/1985 0:00:00`.
    if let Some((date, _)) = value.split_once(' ')
        && let Some(d) = parse_mdy(date)
    {
        return Some(d);
    }
    warnings.push(format!(
        "{column} {value:?} is not a date kith knows; ignored"
    ));
    None
}

fn record(header: &Header, extra: &[usize], row: &Row, file: &str) -> Item {
    row.check_width(header, file, false)?;
    let get = |name: &str| row.get(header, name);
    let mut warnings = Vec::new();
    let mut card = Card::default();
    let name = PersonName {
        prefix: get("Title").to_string(),
        given: get("First Name").to_string(),
        additional: get("Middle Name").to_string(),
        family: get("Last Name").to_string(),
        suffix: get("Suffix").to_string(),
        ..Default::default()
    };
    card.name = PersonName {
        full: join_name(&[
            &name.prefix,
            &name.given,
            &name.additional,
            &name.family,
            &name.suffix,
        ]),
        ..name
    };
    let nickname = get("Nickname");
    if !nickname.is_empty() {
        card.nicknames.push(Text::new(nickname, None));
    }
    let position = Position {
        organization: get("Company").to_string(),
        department: get("Department").to_string(),
        title: get("Job Title").to_string(),
        ..Default::default()
    };
    if !(position.organization.is_empty()
        && position.title.is_empty()
        && position.department.is_empty())
    {
        card.positions.push(position);
    }

    for (n, prefix) in [("", "E-mail"), ("2", "E-mail 2"), ("3", "E-mail 3")] {
        let address = get(&format!("{prefix} Address"));
        if address.is_empty() {
            continue;
        }
        let kind = get(&format!("{prefix} Type"));
        if !address.contains('@') {
            let what = if kind.eq_ignore_ascii_case("EX") {
                "an Exchange (EX)"
            } else {
                "not an"
            };
            warnings.push(format!(
                "E-mail{}{n} Address {address:?} is {what} address, not an email address; skipped",
                if n.is_empty() { "" } else { " " }
            ));
            continue;
        }
        push_point(&mut card.emails, address, &[], None, false);
    }

    for (column, kinds, label) in PHONES {
        let value = get(column);
        if value.is_empty() {
            continue;
        }
        let kinds: Vec<String> = kinds.iter().map(|k| k.to_string()).collect();
        let preferred = *column == "Primary Phone";
        push_point(
            &mut card.phones,
            value,
            &kinds,
            label.map(String::from),
            preferred,
        );
    }

    for (prefix, kind) in ADDRESSES {
        let mut a = PostalAddress {
            kinds: vec![kind.to_string()],
            ..Default::default()
        };
        let mut streets = Vec::new();
        let mut formatted = "";
        for (part, target) in ADDRESS_PARTS {
            let value = get(&format!("{prefix} {part}"));
            if value.is_empty() {
                continue;
            }
            let slot = match target {
                Part::Street => {
                    streets.push(value);
                    continue;
                }
                Part::Formatted => {
                    formatted = value;
                    continue;
                }
                Part::City => &mut a.locality,
                Part::Region => &mut a.region,
                Part::PostalCode => &mut a.postal_code,
                Part::Country => &mut a.country,
                Part::PoBox => &mut a.po_box,
            };
            if slot.is_empty() {
                *slot = value.to_string();
            }
        }
        a.street = streets.join("\n");
        if a.is_empty() {
            a.street = formatted.to_string();
        }
        if !a.is_empty() {
            card.addresses.push(a);
        }
    }

    push_point(&mut card.urls, get("Web Page"), &[], None, false);
    push_point(
        &mut card.urls,
        get("Personal Web Page"),
        &["home".to_string()],
        None,
        false,
    );

    if let Some(d) = outlook_date("Birthday", get("Birthday"), &mut warnings) {
        card.birthdays.push(Text::new(d, None));
    }
    if let Some(d) = outlook_date("Anniversary", get("Anniversary"), &mut warnings) {
        card.extra.push(ExtraProperty {
            line: format!("ANNIVERSARY:{d}"),
            sources: Vec::new(),
        });
    }
    let notes = get("Notes");
    if !notes.is_empty() {
        card.notes.push(Text::new(notes, None));
    }
    for tag in split_any(get("Categories"), &[';']) {
        if !is_system_group(tag) && !card.tags.iter().any(|t| t.value == tag) {
            card.tags.push(Text::new(tag, None));
        }
    }
    let kept: Vec<usize> = extra
        .iter()
        .copied()
        .filter(|&i| !is_filler(&header.names[i], row.cell(Some(i))))
        .collect();
    keep_columns(&mut card, header, row, &kept);
    if card.has_nothing_to_show() {
        return Err(diag(file, row.line, super::NOTHING_TO_SHOW));
    }
    Ok(finish(card, row, file, FORMAT, false, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_and_phone_columns_are_handled() {
        assert!(is_handled("Business Street 2"));
        assert!(is_handled("Home Country/Region"));
        assert!(is_handled("Business Address PO Box"));
        assert!(is_handled("TTY/TDD Phone"));
        assert!(!is_handled("Spouse"));
        assert!(is_filler("Sensitivity", "Normal"));
        assert!(is_filler("Anniversary", "0/0/00"));
        assert!(!is_filler("Spouse", "Kim"));
    }
}
