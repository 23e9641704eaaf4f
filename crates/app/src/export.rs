//! Exporting the whole address book: vCard 4.0 or 3.0, CSV, JSON. The CSV
//! is meant for spreadsheets: a cell a spreadsheet would run as a formula is
//! written as text ([`spreadsheet_safe`]).

use crate::App;
use crate::error::Result;
use crate::view::PersonView;
use kith_formats::vcard::{Version, write_card};
use std::borrow::Cow;
use std::io::Write;

/// The export formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    Vcard(Version),
    Csv,
    Json,
}

impl App {
    /// Writes every living person to `out`; returns how many.
    pub async fn export(&self, format: ExportFormat, out: &mut dyn Write) -> Result<usize> {
        let people = self.list_people(&Default::default()).await?;
        write_export(format, &people, out)?;
        Ok(people.len())
    }

    /// The whole export in memory (for a download).
    pub async fn export_bytes(&self, format: ExportFormat) -> Result<Vec<u8>> {
        let people = self.list_people(&Default::default()).await?;
        let mut out = Vec::new();
        write_export(format, &people, &mut out)?;
        Ok(out)
    }
}

/// Writes `people` in `format`.
pub fn write_export(
    format: ExportFormat,
    people: &[PersonView],
    out: &mut dyn Write,
) -> Result<()> {
    let io = |e: std::io::Error| crate::AppError::Invalid(format!("cannot write the export: {e}"));
    match format {
        ExportFormat::Vcard(version) => {
            let mut buf = String::new();
            for p in people {
                buf.clear();
                write_card(&mut buf, &p.card, &p.id.to_string(), version);
                out.write_all(buf.as_bytes()).map_err(io)?;
            }
        }
        ExportFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, people)
                .map_err(|e| crate::AppError::Invalid(format!("cannot write the export: {e}")))?;
            out.write_all(b"\n").map_err(io)?;
        }
        ExportFormat::Csv => write_csv(people, out)?,
    }
    out.flush().map_err(io)
}

fn write_csv(people: &[PersonView], out: &mut dyn Write) -> Result<()> {
    let err = |e: csv::Error| crate::AppError::Invalid(format!("cannot write the export: {e}"));
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "id",
        "name",
        "given",
        "family",
        "emails",
        "phones",
        "organization",
        "title",
        "urls",
        "tags",
        "birthday",
        "addresses",
        "notes",
    ])
    .map_err(err)?;
    for p in people {
        let c = &p.card;
        let addresses: Vec<String> = c.addresses.iter().map(|a| a.one_line()).collect();
        let notes: Vec<&str> = c.notes.iter().map(|n| n.value.as_str()).collect();
        let cells = [
            p.id.to_string(),
            p.name.clone(),
            c.name.given.clone(),
            c.name.family.clone(),
            p.emails.join("; "),
            p.phones.join("; "),
            p.organization.clone().unwrap_or_default(),
            p.title.clone().unwrap_or_default(),
            p.urls.join("; "),
            p.tags.join("; "),
            p.birthday.clone().unwrap_or_default(),
            addresses.join(" | "),
            notes.join("\n"),
        ];
        w.write_record(cells.iter().map(|c| spreadsheet_safe(c).into_owned()))
            .map_err(err)?;
    }
    w.flush()
        .map_err(|e| crate::AppError::Invalid(format!("cannot write the export: {e}")))?;
    Ok(())
}

/// A cell as a spreadsheet should show it: a cell that Excel, LibreOffice
/// or Google Sheets would read as a formula (CSV injection: a name such as
/// `=HYPERLINK("https://evil.example","update")`) gets a leading `'`, which
/// they show as text. That is a cell starting with `=`, `@`, a tab or a
/// carriage return, or with `+` or `-` followed by anything but a plain
/// number or phone number (digits, spaces and `( ) - . / + , ;`): a phone
/// such as `+44 20 7946 0001` stays as it is, because spreadsheet users
/// expect to read and dial it, and arithmetic on digits alone can call no
/// function, open no link and reach no other cell. OWASP's stricter advice
/// (prefix every `+` and `-`) would spoil every international number.
pub fn spreadsheet_safe(cell: &str) -> Cow<'_, str> {
    let risky = match cell.chars().next() {
        Some('=' | '@' | '\t' | '\r') => true,
        Some('+' | '-') => !is_plain_number(&cell[1..]),
        _ => false,
    };
    if risky {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// Digits with the punctuation of numbers and phone lists, at least one digit.
fn is_plain_number(s: &str) -> bool {
    s.chars().any(|c| c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_digit() || " ()-./+,;".contains(c))
}

#[cfg(test)]
mod tests {
    use super::spreadsheet_safe;

    #[test]
    fn formulas_become_text_and_numbers_stay() {
        for (cell, want) in [
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "'=HYPERLINK(\"http://x\",\"y\")",
            ),
            ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
            ("\t=1+1", "'\t=1+1"),
            ("\r=1+1", "'\r=1+1"),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
            ("+", "'+"),
            ("-", "'-"),
            ("+44 20 7946 0001", "+44 20 7946 0001"),
            (
                "+1 (202) 555-0100; +33 1 23 45 67 89",
                "+1 (202) 555-0100; +33 1 23 45 67 89",
            ),
            ("-12.5", "-12.5"),
            ("Ada Lovelace", "Ada Lovelace"),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(spreadsheet_safe(cell), want, "{cell:?}");
        }
    }
}
