//! kith-formats: reads contact files into [`ImportRecord`]s and writes the
//! address book back out. Streaming: records are yielded one by one, each with
//! its line; a bad record is a [`Diagnostic`], never a panic, and the reader
//! goes on with the next one. Knows nothing of storage.

pub mod csv;
pub mod detect;
pub mod ical;
pub mod mail;
pub mod text;
pub mod vcard;

use kith_core::{Diagnostic, ImportRecord};
use std::io::BufRead;

pub use detect::{FileKind, MailboxKind, detect, file_kind, folder_kind};

/// The file formats kith reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    Vcard,
    /// LinkedIn export CSVs: `Connections.csv`, `Positions.csv`, `Profile.csv`.
    Linkedin,
    /// Google Contacts CSV, new and old header.
    Google,
    /// Outlook CSV, all three variants.
    Outlook,
    /// Any other CSV, with a column mapping.
    Csv,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Vcard => "vcard",
            Format::Linkedin => "linkedin",
            Format::Google => "google",
            Format::Outlook => "outlook",
            Format::Csv => "csv",
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        Some(match s.to_ascii_lowercase().as_str() {
            "vcard" | "vcf" => Format::Vcard,
            "linkedin" => Format::Linkedin,
            "google" => Format::Google,
            "outlook" => Format::Outlook,
            "csv" => Format::Csv,
            _ => return None,
        })
    }
}

/// Errors that stop a whole file from being read (as opposed to a
/// [`Diagnostic`] about one record).
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    #[error("{file}: cannot read: {source}")]
    Io {
        file: String,
        source: std::io::Error,
    },
    #[error("{file}: not a file kith recognises ({reason}); name the format with --format")]
    Unrecognised { file: String, reason: String },
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
    #[error("bad column mapping {mapping:?}: {message}")]
    Mapping { mapping: String, message: String },
}

/// One item a reader yields: a record, or a problem with one record.
pub type Item = Result<ImportRecord, Diagnostic>;

/// Options for opening a reader.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// The file name used in sources and diagnostics.
    pub file_name: String,
    /// Column mapping for the generic CSV reader (`--map`).
    pub mapping: Option<csv::generic::ColumnMapping>,
}

/// Opens a streaming reader for `format` over `input`.
pub fn open<'a>(
    format: Format,
    input: Box<dyn BufRead + 'a>,
    options: &ReadOptions,
) -> Result<Box<dyn Iterator<Item = Item> + 'a>, FormatError> {
    Ok(match format {
        Format::Vcard => Box::new(vcard::Reader::new(input, &options.file_name)),
        Format::Linkedin => csv::linkedin::open(input, &options.file_name)?,
        Format::Google => csv::google::open(input, &options.file_name)?,
        Format::Outlook => csv::outlook::open(input, &options.file_name)?,
        Format::Csv => csv::generic::open(input, &options.file_name, options.mapping.as_ref())?,
    })
}
