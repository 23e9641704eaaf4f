//! Google Contacts CSV, the current header (`First Name,…,Labels,E-mail 1 -
//! Label,…`) and the old one (`Name,Given Name,…,Group Membership,E-mail 1 -
//! Type,…`). Repeated `Group N - Part` columns are read for however many N
//! the file has; cells holding several values joined by ` ::: ` give one
//! value each. Columns kith has no field for are kept as `X-KITH-CSV-*`.

use super::{
    Header, Row, diag, excerpt, finish, header_on_first_line, is_system_group, join_name,
    keep_columns, label_kinds, numbered_column, parse_any_date, parse_iso, push_point, split_multi,
    unhandled_columns,
};
use crate::{FormatError, Item};
use kith_core::{Card, ExtraProperty, PersonName, Photo, Position, PostalAddress, Text};
use std::collections::BTreeMap;
use std::io::BufRead;

const FORMAT: &str = "google";

/// Which Google header the file has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Layout {
    /// contacts.google.com "Google CSV" since about 2020.
    New,
    /// The older "Google CSV" (`Name,Given Name,…`).
    Old,
}

/// Named columns of both layouts and what they hold.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    Full,
    Given,
    Additional,
    Family,
    Prefix,
    Suffix,
    Nickname,
    Maiden,
    FileAs,
    Birthday,
    Notes,
    Photo,
    Labels,
    OrgName,
    OrgTitle,
    OrgDepartment,
    Phonetic(&'static str),
}

const NAMED: &[(&str, Field)] = &[
    ("name", Field::Full),
    ("first name", Field::Given),
    ("given name", Field::Given),
    ("middle name", Field::Additional),
    ("additional name", Field::Additional),
    ("last name", Field::Family),
    ("family name", Field::Family),
    ("name prefix", Field::Prefix),
    ("name suffix", Field::Suffix),
    ("nickname", Field::Nickname),
    ("maiden name", Field::Maiden),
    ("file as", Field::FileAs),
    ("birthday", Field::Birthday),
    ("notes", Field::Notes),
    ("photo", Field::Photo),
    ("labels", Field::Labels),
    ("group membership", Field::Labels),
    ("organization name", Field::OrgName),
    ("organization title", Field::OrgTitle),
    ("organization department", Field::OrgDepartment),
    (
        "phonetic first name",
        Field::Phonetic("X-PHONETIC-FIRST-NAME"),
    ),
    (
        "phonetic middle name",
        Field::Phonetic("X-PHONETIC-MIDDLE-NAME"),
    ),
    (
        "phonetic last name",
        Field::Phonetic("X-PHONETIC-LAST-NAME"),
    ),
    ("given name yomi", Field::Phonetic("X-PHONETIC-FIRST-NAME")),
    (
        "additional name yomi",
        Field::Phonetic("X-PHONETIC-MIDDLE-NAME"),
    ),
    ("family name yomi", Field::Phonetic("X-PHONETIC-LAST-NAME")),
];

/// The repeated groups kith reads, and the parts of each it uses.
const GROUPS: &[(&str, &[&str])] = &[
    ("e-mail", &["label", "type", "value"]),
    ("phone", &["label", "type", "value"]),
    ("website", &["label", "type", "value"]),
    ("im", &["label", "type", "service", "value"]),
    (
        "address",
        &[
            "label",
            "type",
            "formatted",
            "street",
            "city",
            "po box",
            "region",
            "postal code",
            "country",
            "extended address",
        ],
    ),
    ("organization", &["name", "title", "department"]),
];

fn named_field(name: &str) -> Option<Field> {
    let lower = name.trim().to_lowercase();
    NAMED.iter().find(|(n, _)| *n == lower).map(|(_, f)| *f)
}

fn is_handled(name: &str) -> bool {
    if named_field(name).is_some() {
        return true;
    }
    match numbered_column(name) {
        Some((group, _, part)) => GROUPS
            .iter()
            .any(|(g, parts)| *g == group && parts.contains(&part.as_str())),
        None => false,
    }
}

/// Where each value lives in this file's header.
struct Plan {
    named: Vec<(usize, Field)>,
    /// group -> N -> part -> column.
    groups: BTreeMap<String, BTreeMap<u32, BTreeMap<String, usize>>>,
    extra: Vec<usize>,
}

impl Plan {
    fn new(header: &Header) -> Self {
        let mut named = Vec::new();
        let mut groups: BTreeMap<String, BTreeMap<u32, BTreeMap<String, usize>>> = BTreeMap::new();
        for (i, name) in header.names.iter().enumerate() {
            if let Some(f) = named_field(name) {
                named.push((i, f));
            } else if let Some((group, n, part)) = numbered_column(name)
                && is_handled(name)
            {
                groups
                    .entry(group)
                    .or_default()
                    .entry(n)
                    .or_default()
                    .entry(part)
                    .or_insert(i);
            }
        }
        Plan {
            named,
            groups,
            extra: unhandled_columns(header, is_handled),
        }
    }

    fn group(&self, name: &str) -> impl Iterator<Item = &BTreeMap<String, usize>> {
        self.groups.get(name).into_iter().flat_map(|m| m.values())
    }
}

fn layout(header: &Header) -> Option<Layout> {
    let first = header
        .names
        .first()
        .map(|n| n.to_lowercase())
        .unwrap_or_default();
    if first == "name" || header.has("Given Name") || header.has("Group Membership") {
        Some(Layout::Old)
    } else if first == "first name" || header.has("Labels") {
        Some(Layout::New)
    } else {
        None
    }
}

/// Opens a Google Contacts CSV (either header).
pub fn open<'a>(
    input: Box<dyn BufRead + 'a>,
    file: &str,
) -> Result<Box<dyn Iterator<Item = Item> + 'a>, FormatError> {
    let (header, rows) = header_on_first_line(input, file)?;
    if layout(&header).is_none() {
        return Err(FormatError::Invalid {
            file: file.to_string(),
            message: format!(
                "not a Google Contacts CSV: its first column is {:?}, expected \"First Name\" \
                 (Google CSV) or \"Name\" (old Google CSV); the header is: {}",
                excerpt(header.names.first().map(String::as_str).unwrap_or("")),
                header.list()
            ),
        });
    }
    let plan = Plan::new(&header);
    let file = file.to_string();
    Ok(Box::new(
        rows.map(move |row| record(&header, &plan, &row?, &file)),
    ))
}

/// Splits a multi-value cell keeping empty places, so that parallel cells
/// (the parts of several addresses) stay aligned.
fn split_aligned(s: &str) -> Vec<&str> {
    if s.trim().is_empty() {
        Vec::new()
    } else {
        s.split(":::").map(str::trim).collect()
    }
}

fn record(header: &Header, plan: &Plan, row: &Row, file: &str) -> Item {
    row.check_width(header, file, false)?;
    let mut warnings = Vec::new();
    let mut card = Card::default();
    let mut name = PersonName::default();
    let mut file_as = "";
    let mut maiden = "";
    let (mut org_names, mut org_titles, mut org_departments) = (Vec::new(), Vec::new(), Vec::new());

    for &(i, field) in &plan.named {
        let value = row.cell(Some(i));
        if value.is_empty() {
            continue;
        }
        match field {
            Field::Full => name.full = value.to_string(),
            Field::Given => name.given = value.to_string(),
            Field::Additional => name.additional = value.to_string(),
            Field::Family => name.family = value.to_string(),
            Field::Prefix => name.prefix = value.to_string(),
            Field::Suffix => name.suffix = value.to_string(),
            Field::Maiden => maiden = value,
            Field::FileAs => file_as = value,
            Field::Nickname => {
                for n in split_multi(value) {
                    card.nicknames.push(Text::new(n, None));
                }
            }
            Field::Birthday => match parse_iso(value) {
                Some(d) => card.birthdays.push(Text::new(d, None)),
                None => match parse_any_date(value) {
                    Some((d, _)) => {
                        warnings.push(format!("Birthday {value:?} is not YYYY-MM-DD; read as {d}"));
                        card.birthdays.push(Text::new(d, None));
                    }
                    None => warnings.push(format!(
                        "Birthday {value:?} is not a date kith knows; ignored"
                    )),
                },
            },
            Field::Notes => card.notes.push(Text::new(value, None)),
            Field::Photo => {
                for uri in split_multi(value) {
                    card.photos.push(Photo {
                        uri: Some(uri.to_string()),
                        ..Default::default()
                    });
                }
            }
            Field::Labels => {
                for tag in split_multi(value) {
                    if !is_system_group(tag) {
                        let tag = tag.trim_start_matches('*').trim();
                        if !tag.is_empty() && !card.tags.iter().any(|t| t.value == tag) {
                            card.tags.push(Text::new(tag, None));
                        }
                    }
                }
            }
            Field::OrgName => org_names = split_aligned(value),
            Field::OrgTitle => org_titles = split_aligned(value),
            Field::OrgDepartment => org_departments = split_aligned(value),
            Field::Phonetic(property) => card.extra.push(ExtraProperty {
                line: format!("{property}:{}", super::escape_text(value)),
                sources: Vec::new(),
            }),
        }
    }
    if name.full.is_empty() {
        name.full = join_name(&[
            &name.prefix,
            &name.given,
            &name.additional,
            &name.family,
            &name.suffix,
        ]);
    }
    if name.full.is_empty() && !file_as.is_empty() {
        name.full = file_as.to_string();
    }
    if !maiden.is_empty() {
        card.other_names.push(PersonName {
            full: join_name(&[&name.given, maiden]),
            given: name.given.clone(),
            family: maiden.to_string(),
            ..Default::default()
        });
    }
    card.name = name;
    push_positions(&mut card, &org_names, &org_titles, &org_departments);

    for cols in plan.group("organization") {
        let part = |p: &str| split_aligned(row.cell(cols.get(p).copied()));
        push_positions(
            &mut card,
            &part("name"),
            &part("title"),
            &part("department"),
        );
    }
    for (group, list) in [("e-mail", 0), ("phone", 1), ("website", 2), ("im", 3)] {
        for cols in plan.group(group) {
            let label = row.cell(cols.get("label").or_else(|| cols.get("type")).copied());
            let (kinds, label, preferred) = label_kinds(label);
            let service = row.cell(cols.get("service").copied()).to_lowercase();
            for value in split_multi(row.cell(cols.get("value").copied())) {
                let target = match list {
                    0 => &mut card.emails,
                    1 => &mut card.phones,
                    2 => &mut card.urls,
                    _ => &mut card.impps,
                };
                let value = if list == 3 && !service.is_empty() && !value.contains(':') {
                    format!("{service}:{value}")
                } else {
                    value.to_string()
                };
                push_point(target, &value, &kinds, label.clone(), preferred);
            }
        }
    }
    for cols in plan.group("address") {
        push_addresses(&mut card, row, cols);
    }
    keep_columns(&mut card, header, row, &plan.extra);
    if card.has_nothing_to_show() {
        return Err(diag(file, row.line, super::NOTHING_TO_SHOW));
    }
    Ok(finish(card, row, file, FORMAT, false, warnings))
}

/// One position per place of the (possibly ` ::: `-joined) organization cells.
fn push_positions(card: &mut Card, names: &[&str], titles: &[&str], departments: &[&str]) {
    let n = names.len().max(titles.len()).max(departments.len());
    for i in 0..n {
        let at = |v: &[&str]| v.get(i).copied().unwrap_or("").to_string();
        let p = Position {
            organization: at(names),
            title: at(titles),
            department: at(departments),
            ..Default::default()
        };
        if !(p.organization.is_empty() && p.title.is_empty() && p.department.is_empty()) {
            card.positions.push(p);
        }
    }
}

fn push_addresses(card: &mut Card, row: &Row, cols: &BTreeMap<String, usize>) {
    let part = |p: &str| split_aligned(row.cell(cols.get(p).copied()));
    let label = row.cell(cols.get("label").or_else(|| cols.get("type")).copied());
    let (kinds, label, _) = label_kinds(label);
    let parts = [
        part("po box"),
        part("extended address"),
        part("street"),
        part("city"),
        part("region"),
        part("postal code"),
        part("country"),
    ];
    let formatted = part("formatted");
    let n = parts
        .iter()
        .map(Vec::len)
        .max()
        .unwrap_or(0)
        .max(formatted.len());
    for i in 0..n {
        let at = |v: &Vec<&str>| v.get(i).copied().unwrap_or("").to_string();
        let mut a = PostalAddress {
            po_box: at(&parts[0]),
            extended: at(&parts[1]),
            street: at(&parts[2]),
            locality: at(&parts[3]),
            region: at(&parts[4]),
            postal_code: at(&parts[5]),
            country: at(&parts[6]),
            kinds: kinds.clone(),
            label: label.clone(),
            ..Default::default()
        };
        // Only the formatted form is there: keep it whole as the street.
        if a.is_empty() {
            a.street = at(&formatted);
        }
        if !a.is_empty() {
            card.addresses.push(a);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_comes_from_the_first_column() {
        let h = |s: &str| Header::new(s.split(',').map(String::from).collect(), 1);
        assert_eq!(
            layout(&h("First Name,Middle Name,Last Name")),
            Some(Layout::New)
        );
        assert_eq!(
            layout(&h("Name,Given Name,Additional Name")),
            Some(Layout::Old)
        );
        assert_eq!(layout(&h("foo,bar")), None);
    }

    #[test]
    fn handled_columns() {
        assert!(is_handled("E-mail 12 - Value"));
        assert!(is_handled("Address 2 - Postal Code"));
        assert!(!is_handled("Relation 1 - Value"));
        assert!(!is_handled("Organization 1 - Symbol"));
    }
}
