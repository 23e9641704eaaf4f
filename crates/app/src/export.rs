//! Exporting the whole address book: vCard 4.0 or 3.0, CSV, JSON.

use crate::App;
use crate::error::Result;
use crate::view::PersonView;
use kith_formats::vcard::{Version, write_card};
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
        w.write_record([
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
        ])
        .map_err(err)?;
    }
    w.flush()
        .map_err(|e| crate::AppError::Invalid(format!("cannot write the export: {e}")))?;
    Ok(())
}
