//! LinkedIn data-export CSVs: `Connections.csv` (each row a contact),
//! `Positions.csv` and `Profile.csv` (the account owner). Which file it is
//! comes from its header, found by scanning past the `Notes:` preamble in any
//! of its variants rather than skipping a fixed number of lines. Builds cards
//! only; deciding who is who belongs to `kith_core::identity`.

use super::{
    HEADER_SCAN_LINES, Header, Row, Scan, diag, excerpt, finish, join_name, keep_columns,
    parse_any_date, parse_day_mon_yy, parse_day_month_year, parse_iso, parse_mdy, parse_month_day,
    parse_month_year, push_point, scan_header, unhandled_columns,
};
use crate::{FormatError, Item};
use kith_core::{Card, ContactPoint, ExtraProperty, PersonName, Position, PostalAddress, Text};
use std::collections::HashMap;
use std::io::BufRead;

const FORMAT: &str = "linkedin";

/// The LinkedIn files kith reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Connections,
    Positions,
    Profile,
}

/// Recognises a LinkedIn header line.
fn classify(fields: &[String]) -> Option<Kind> {
    let names: Vec<String> = fields.iter().map(|f| f.trim().to_lowercase()).collect();
    let has = |n: &str| names.iter().any(|x| x == n);
    if has("first name") && has("last name") && has("connected on") {
        Some(Kind::Connections)
    } else if has("company name") && has("title") && has("started on") {
        Some(Kind::Positions)
    } else if has("first name")
        && has("last name")
        && (has("birth date") || has("headline") || has("maiden name"))
    {
        Some(Kind::Profile)
    } else {
        None
    }
}

/// Opens a LinkedIn `Connections.csv`, `Positions.csv` or `Profile.csv`.
pub fn open<'a>(
    input: Box<dyn BufRead + 'a>,
    file: &str,
) -> Result<Box<dyn Iterator<Item = Item> + 'a>, FormatError> {
    let (header, kind, rows) = match scan_header(input, file, HEADER_SCAN_LINES, classify)? {
        Scan::Found { header, kind, rows } => (header, kind, rows),
        Scan::NotFound { first } => {
            return Err(FormatError::Invalid {
                file: file.to_string(),
                message: format!(
                    "no LinkedIn header found (kith reads Connections.csv, Positions.csv and \
                     Profile.csv from the LinkedIn export; Connections.csv has `First Name,Last \
                     Name,URL,Email Address,Company,Position,Connected On`){}",
                    first
                        .map(|l| format!("; the file starts with {:?}", excerpt(&l)))
                        .unwrap_or_default()
                ),
            });
        }
    };
    let file = file.to_string();
    Ok(match kind {
        Kind::Connections => {
            let cols = ConnectionColumns::new(&header);
            let mut seen: HashMap<String, u64> = HashMap::new();
            Box::new(rows.map(move |row| connection(&header, &cols, &row?, &file, &mut seen)))
        }
        Kind::Positions => {
            let cols = PositionColumns::new(&header);
            Box::new(rows.map(move |row| position(&header, &cols, &row?, &file)))
        }
        Kind::Profile => {
            let extra = unhandled_columns(&header, |n| {
                PROFILE_COLUMNS.contains(&n.to_lowercase().as_str())
            });
            Box::new(rows.map(move |row| profile(&header, &extra, &row?, &file)))
        }
    })
}

// ---------------------------------------------------------------------------
// Connections.csv
// ---------------------------------------------------------------------------

struct ConnectionColumns {
    first: Option<usize>,
    last: Option<usize>,
    url: Option<usize>,
    email: Option<usize>,
    company: Option<usize>,
    position: Option<usize>,
    connected: Option<usize>,
    extra: Vec<usize>,
}

const CONNECTION_COLUMNS: [&str; 7] = [
    "first name",
    "last name",
    "url",
    "email address",
    "company",
    "position",
    "connected on",
];

impl ConnectionColumns {
    fn new(h: &Header) -> Self {
        ConnectionColumns {
            first: h.find("First Name"),
            last: h.find("Last Name"),
            url: h.find("URL"),
            email: h.find("Email Address"),
            company: h.find("Company"),
            position: h.find("Position"),
            connected: h.find("Connected On"),
            extra: unhandled_columns(h, |n| {
                CONNECTION_COLUMNS.contains(&n.to_lowercase().as_str())
            }),
        }
    }
}

/// Reads `Connected On`: LinkedIn writes `15 Mar 2024`; Excel re-saves give
/// `29-Mar-21` or `3/15/2024`, read too but flagged.
fn connected_on(value: &str, warnings: &mut Vec<String>) -> Option<String> {
    if value.is_empty() {
        return None;
    }
    if let Some(d) = parse_day_month_year(value) {
        return Some(d);
    }
    if let Some(d) = parse_day_mon_yy(value)
        .or_else(|| parse_mdy(value))
        .or_else(|| parse_iso(value))
    {
        warnings.push(format!(
            "Connected On {value:?} is not LinkedIn's `DD Mon YYYY` (was the file re-saved by \
             Excel?); read as {d}"
        ));
        return Some(d);
    }
    warnings.push(format!(
        "Connected On {value:?} is not a date kith knows; ignored"
    ));
    None
}

fn connection(
    header: &Header,
    c: &ConnectionColumns,
    row: &Row,
    file: &str,
    seen: &mut HashMap<String, u64>,
) -> Item {
    row.check_width(header, file, false)?;
    let given = row.cell(c.first);
    let family = row.cell(c.last);
    let url = row.cell(c.url);
    let email = row.cell(c.email);
    if given.is_empty() && family.is_empty() && url.is_empty() && email.is_empty() {
        return Err(diag(
            file,
            row.line,
            "no name, profile URL or email address; row skipped",
        ));
    }
    let mut warnings = Vec::new();
    let key = row
        .fields
        .iter()
        .map(|f| f.trim())
        .collect::<Vec<_>>()
        .join("\u{1f}");
    if let Some(first) = seen.get(&key) {
        warnings.push(format!("same row as line {first}"));
    } else {
        seen.insert(key, row.line);
    }

    let mut card = Card {
        name: PersonName {
            full: join_name(&[given, family]),
            given: given.to_string(),
            family: family.to_string(),
            ..Default::default()
        },
        ..Default::default()
    };
    if !url.is_empty() {
        card.urls.push(ContactPoint {
            value: url.to_string(),
            kinds: vec!["linkedin".into()],
            ..Default::default()
        });
    }
    push_point(&mut card.emails, email, &[], None, false);
    let company = row.cell(c.company);
    let title = row.cell(c.position);
    if !company.is_empty() || !title.is_empty() {
        card.positions.push(Position {
            organization: company.to_string(),
            title: title.to_string(),
            ..Default::default()
        });
    }
    if let Some(date) = connected_on(row.cell(c.connected), &mut warnings) {
        card.extra.push(ExtraProperty {
            line: format!("X-KITH-LINKEDIN-CONNECTED-ON:{date}"),
            sources: Vec::new(),
        });
    }
    keep_columns(&mut card, header, row, &c.extra);
    Ok(finish(card, row, file, FORMAT, false, warnings))
}

// ---------------------------------------------------------------------------
// Positions.csv
// ---------------------------------------------------------------------------

struct PositionColumns {
    company: Option<usize>,
    title: Option<usize>,
    description: Option<usize>,
    location: Option<usize>,
    started: Option<usize>,
    finished: Option<usize>,
    extra: Vec<usize>,
}

const POSITION_COLUMNS: [&str; 6] = [
    "company name",
    "title",
    "description",
    "location",
    "started on",
    "finished on",
];

impl PositionColumns {
    fn new(h: &Header) -> Self {
        PositionColumns {
            company: h.find("Company Name"),
            title: h.find("Title"),
            description: h.find("Description"),
            location: h.find("Location"),
            started: h.find("Started On"),
            finished: h.find("Finished On"),
            extra: unhandled_columns(h, |n| POSITION_COLUMNS.contains(&n.to_lowercase().as_str())),
        }
    }
}

/// Reads a `Mon YYYY` position date; other date forms are read but flagged.
fn month_year(column: &str, value: &str, warnings: &mut Vec<String>) -> Option<String> {
    if value.is_empty() {
        return None;
    }
    if let Some(d) = parse_month_year(value) {
        return Some(d);
    }
    if let Some((d, _)) = parse_any_date(value) {
        warnings.push(format!(
            "{column} {value:?} is not LinkedIn's `Mon YYYY`; read as {d}"
        ));
        return Some(d);
    }
    warnings.push(format!(
        "{column} {value:?} is not a date kith knows; ignored"
    ));
    None
}

fn position(header: &Header, c: &PositionColumns, row: &Row, file: &str) -> Item {
    row.check_width(header, file, false)?;
    let company = row.cell(c.company);
    let title = row.cell(c.title);
    if company.is_empty() && title.is_empty() {
        return Err(diag(
            file,
            row.line,
            "a position with neither company nor title; row skipped",
        ));
    }
    let mut warnings = Vec::new();
    let start = month_year("Started On", row.cell(c.started), &mut warnings);
    let end = month_year("Finished On", row.cell(c.finished), &mut warnings);
    let mut card = Card {
        positions: vec![Position {
            organization: company.to_string(),
            title: title.to_string(),
            start,
            end,
            ..Default::default()
        }],
        ..Default::default()
    };
    // The model has no place for a job's description and location: keep them
    // as a note that says which job it is about.
    let description = row.cell(c.description);
    let location = row.cell(c.location);
    if !description.is_empty() || !location.is_empty() {
        let mut heading = match (title.is_empty(), company.is_empty()) {
            (false, false) => format!("{title} at {company}"),
            (false, true) => title.to_string(),
            _ => company.to_string(),
        };
        if !location.is_empty() {
            heading.push_str(&format!(" ({location})"));
        }
        let note = if description.is_empty() {
            heading
        } else {
            format!("{heading}\n{description}")
        };
        card.notes.push(Text::new(note, None));
    }
    keep_columns(&mut card, header, row, &c.extra);
    Ok(finish(card, row, file, FORMAT, true, warnings))
}

// ---------------------------------------------------------------------------
// Profile.csv
// ---------------------------------------------------------------------------

const PROFILE_COLUMNS: [&str; 13] = [
    "first name",
    "last name",
    "maiden name",
    "address",
    "birth date",
    "headline",
    "summary",
    "industry",
    "zip code",
    "geo location",
    "twitter handles",
    "websites",
    "instant messengers",
];

/// Items of LinkedIn's bracketed lists: `[a,b]` -> `a`, `b`.
fn bracket_list(value: &str) -> Vec<&str> {
    let inner = value.trim();
    let inner = inner.strip_prefix('[').unwrap_or(inner);
    let inner = inner.strip_suffix(']').unwrap_or(inner);
    inner
        .split(',')
        .map(|s| s.trim().trim_matches('"').trim())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Splits `PERSONAL:https://…` into its upper-case type and the rest; a
/// value without such a prefix (a bare URL) has no type.
fn typed_item(item: &str) -> (Option<String>, &str) {
    if let Some((kind, rest)) = item.split_once(':') {
        let is_type = !kind.is_empty()
            && kind.chars().all(|c| c.is_ascii_uppercase() || c == '_')
            && !matches!(kind, "HTTP" | "HTTPS");
        if is_type {
            return (Some(kind.to_ascii_lowercase()), rest.trim());
        }
    }
    (None, item)
}

fn profile(header: &Header, extra: &[usize], row: &Row, file: &str) -> Item {
    row.check_width(header, file, false)?;
    let get = |name: &str| row.get(header, name);
    let given = get("First Name");
    let family = get("Last Name");
    let mut warnings = Vec::new();
    let mut card = Card {
        name: PersonName {
            full: join_name(&[given, family]),
            given: given.to_string(),
            family: family.to_string(),
            ..Default::default()
        },
        ..Default::default()
    };
    let maiden = get("Maiden Name");
    if !maiden.is_empty() {
        card.other_names.push(PersonName {
            full: join_name(&[given, maiden]),
            given: given.to_string(),
            family: maiden.to_string(),
            ..Default::default()
        });
    }
    let address = PostalAddress {
        street: get("Address").to_string(),
        postal_code: get("Zip Code").to_string(),
        // `Geo Location` is LinkedIn's area (`Berlin, Germany`, `Greater
        // Boston`): the nearest the model has is the locality.
        locality: get("Geo Location").to_string(),
        kinds: vec!["home".into()],
        ..Default::default()
    };
    if !address.is_empty() {
        card.addresses.push(address);
    }
    let birth = get("Birth Date");
    if !birth.is_empty() {
        match parse_month_day(birth).or_else(|| parse_any_date(birth).map(|d| d.0)) {
            Some(d) => card.birthdays.push(Text::new(d, None)),
            None => warnings.push(format!(
                "Birth Date {birth:?} is not a date kith knows; ignored"
            )),
        }
    }
    for (column, property) in [("Headline", "HEADLINE"), ("Industry", "INDUSTRY")] {
        let value = get(column);
        if !value.is_empty() {
            card.extra.push(ExtraProperty {
                line: format!("X-KITH-LINKEDIN-{property}:{}", super::escape_text(value)),
                sources: Vec::new(),
            });
        }
    }
    let summary = get("Summary");
    if !summary.is_empty() {
        card.notes.push(Text::new(summary, None));
    }
    for handle in bracket_list(get("Twitter Handles")) {
        let handle = handle.trim_start_matches('@');
        if !handle.is_empty() {
            let kinds = ["twitter".to_string()];
            push_point(
                &mut card.urls,
                &format!("https://twitter.com/{handle}"),
                &kinds,
                None,
                false,
            );
        }
    }
    for item in bracket_list(get("Websites")) {
        let (kind, url) = typed_item(item);
        push_point(
            &mut card.urls,
            url,
            &kind.into_iter().collect::<Vec<_>>(),
            None,
            false,
        );
    }
    for item in bracket_list(get("Instant Messengers")) {
        let (service, handle) = typed_item(item);
        let value = match &service {
            Some(s) => format!("{s}:{handle}"),
            None => handle.to_string(),
        };
        push_point(&mut card.impps, &value, &[], None, false);
    }
    keep_columns(&mut card, header, row, extra);
    Ok(finish(card, row, file, FORMAT, true, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Vec<Item> {
        match open(Box::new(text.as_bytes()), "t.csv") {
            Ok(it) => it.collect(),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn header_is_found_below_any_preamble() {
        let items = read(
            "Notes:,,,,,,\n\"When exporting,\nwrapped\",,,,,,\n\nFirst Name,Last Name,URL,Email Address,Company,Position,Connected On\nAda,Lovelace,https://www.linkedin.com/in/ada,,,,01 Jan 2024\n",
        );
        assert_eq!(items.len(), 1);
        let rec = items[0].as_ref().map_err(|d| d.to_string());
        let rec = rec.as_ref().map(|r| (r.line, r.card.name.full.as_str()));
        assert_eq!(rec, Ok((6, "Ada Lovelace")));
    }

    #[test]
    fn typed_items() {
        assert_eq!(
            typed_item("PERSONAL:https://a.example"),
            (Some("personal".into()), "https://a.example")
        );
        assert_eq!(typed_item("https://a.example"), (None, "https://a.example"));
        assert_eq!(bracket_list("[a, b]"), ["a", "b"]);
    }
}
