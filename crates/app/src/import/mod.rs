//! Importing a file: detect its format, read its records on a thread of
//! their own, match each one against the account's people ([`matcher`]), and
//! write everything in one transaction — a failed or interrupted import
//! leaves the store as it was. Re-importing the same file changes nothing.

pub mod archive;
pub mod calendar;
mod capture;
mod file;
pub mod linkedin_activity;
pub mod mail;
pub(crate) mod matcher;

use crate::App;
use crate::error::{AppError, Result};
use file::{ImportFile, Stream};
use kith_core::Diagnostic;
use kith_formats::{FileKind, Format, ReadOptions};
use matcher::Matcher;
use serde::Serialize;
use std::io::BufRead;
use std::path::Path;
use std::sync::atomic::Ordering;

/// How to import.
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// None: recognise the format from the content.
    pub format: Option<Format>,
    /// Read and match everything, report, but write nothing.
    pub dry_run: bool,
    /// Column mapping for the generic CSV reader.
    pub mapping: Option<kith_formats::csv::generic::ColumnMapping>,
    /// Mailboxes: keep each message's subject as the interaction's note
    /// (by default only who, when and which way).
    pub keep_subjects: bool,
    /// When the session this import belongs to began (microseconds): the
    /// files of one upload or one `kith import` are the user's first sight
    /// of the people they bring, so what one of them adds to a person
    /// another made is no news. None: this import alone.
    pub session_start: Option<i64>,
}

/// Told how far the import has read (bytes), to drive a progress bar.
/// `Sync`, so that an import can run on any task of a server.
pub trait Progress: Sync {
    fn start(&self, _total_bytes: u64) {}
    fn advance(&self, _bytes_read: u64) {}
    fn finish(&self) {}
}

/// No progress display.
pub struct NoProgress;
impl Progress for NoProgress {}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct ImportReport {
    pub file: String,
    pub format: String,
    pub dry_run: bool,
    /// Records read without problems.
    pub records: u64,
    /// New people.
    pub created: u64,
    /// People who existed before and gained values.
    pub updated: u64,
    /// Records merged into a person (from before, or earlier in this file).
    pub merged: u64,
    /// Records that brought nothing new (already imported).
    pub unchanged: u64,
    /// New duplicate suggestions.
    pub suggested: u64,
    /// Records that could not be read.
    pub skipped: u64,
    /// The first [`MAX_LISTED`] problems, each with its file and line.
    pub problems: Vec<Diagnostic>,
    /// Problems beyond those listed ("and N more problems").
    pub more_problems: u64,
    /// The first [`MAX_LISTED`] things noticed in records that were still imported.
    pub warnings: Vec<Diagnostic>,
    /// Warnings beyond those listed.
    pub more_warnings: u64,
    /// Interactions added (mailboxes and calendars).
    #[serde(skip_serializing_if = "is_zero", default)]
    pub interactions: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// How many problems (and warnings) a report lists; the rest are counted.
/// A file of a million broken records must not become a million messages
/// in memory, in the JSON or on the page.
pub const MAX_LISTED: usize = 500;

impl ImportReport {
    /// Lists a problem, or counts it once [`MAX_LISTED`] are listed.
    pub fn add_problem(&mut self, problem: Diagnostic) {
        if self.problems.len() < MAX_LISTED {
            self.problems.push(problem);
        } else {
            self.more_problems += 1;
        }
    }

    /// Lists a warning, or counts it once [`MAX_LISTED`] are listed.
    pub fn add_warning(&mut self, warning: Diagnostic) {
        if self.warnings.len() < MAX_LISTED {
            self.warnings.push(warning);
        } else {
            self.more_warnings += 1;
        }
    }

    /// Every problem there was, listed or only counted.
    pub fn problem_count(&self) -> u64 {
        self.problems.len() as u64 + self.more_problems
    }

    /// Every warning there was, listed or only counted.
    pub fn warning_count(&self) -> u64 {
        self.warnings.len() as u64 + self.more_warnings
    }

    /// "and N more problems" when some were only counted.
    pub fn more_problems_line(&self) -> Option<String> {
        more_line(self.more_problems, "problem")
    }

    /// "and N more warnings" when some were only counted.
    pub fn more_warnings_line(&self) -> Option<String> {
        more_line(self.more_warnings, "warning")
    }
}

fn more_line(n: u64, what: &str) -> Option<String> {
    (n > 0).then(|| format!("and {n} more {what}{}", if n == 1 { "" } else { "s" }))
}

/// Records in flight between the reader thread and the matcher.
const CHANNEL_DEPTH: usize = 2048;

impl App {
    /// Imports a file, or each contact file of a ZIP archive (such as a
    /// LinkedIn export as downloaded), each file as one transaction.
    pub async fn import_path(
        &self,
        path: &Path,
        options: &ImportOptions,
        progress: &dyn Progress,
    ) -> Result<archive::ArchiveImport> {
        let report = match file::kind(path) {
            FileKind::Calendar => self.import_calendar(path, options, progress).await,
            FileKind::Mailbox(_) => self.import_mail(path, options, progress).await,
            FileKind::Archive => {
                // Each entry's format is recognised from its own content.
                let options = ImportOptions {
                    format: None,
                    ..options.clone()
                };
                return self.import_archive(path, &options, progress).await;
            }
            FileKind::LinkedinActivity(_) | FileKind::Contacts => {
                self.import_single(path, options, progress).await
            }
        };
        Ok(archive::ArchiveImport {
            imported: vec![(path.display().to_string(), report)],
            skipped: Vec::new(),
        })
    }

    /// Imports one file that is not an archive: LinkedIn's messages or
    /// invitations as interactions, anything else as contacts.
    pub async fn import_single(
        &self,
        path: &Path,
        options: &ImportOptions,
        progress: &dyn Progress,
    ) -> Result<ImportReport> {
        let activity = match options.format {
            None | Some(Format::Linkedin) => match file::kind(path) {
                FileKind::LinkedinActivity(kind) => Some(kind),
                _ => None,
            },
            Some(_) => None,
        };
        match activity {
            Some(kind) => {
                self.import_linkedin_activity(path, kind, options, progress)
                    .await
            }
            None => self.import_file(path, options, progress).await,
        }
    }

    /// Imports one file as one transaction.
    pub async fn import_file(
        &self,
        path: &Path,
        options: &ImportOptions,
        progress: &dyn Progress,
    ) -> Result<ImportReport> {
        let file = ImportFile::new(path);
        let file_name = &file.name;
        let Stream {
            mut input,
            read,
            size,
        } = file.stream()?;
        let format = match options.format {
            Some(f) => f,
            None => {
                let head = input.fill_buf().map_err(|e| file.err(e.to_string()))?;
                kith_formats::detect(head).map_err(|reason| {
                    AppError::Format(kith_formats::FormatError::Unrecognised {
                        file: file.shown.clone(),
                        reason,
                    })
                })?
            }
        };
        let read_options = ReadOptions {
            file_name: file_name.clone(),
            mapping: options.mapping.clone(),
        };

        // Parsing and preparing run on threads of their own, matching and
        // writing here; bounded channels keep memory flat.
        let (send, mut receive) = tokio::sync::mpsc::channel::<Message>(CHANNEL_DEPTH);
        // Two stages, so that parsing and preparing (phone validation is
        // costly) overlap each other and the writes.
        let (parsed_send, parsed) = std::sync::mpsc::sync_channel::<Message>(CHANNEL_DEPTH);
        std::thread::spawn(move || {
            let records = match kith_formats::open(format, Box::new(input), &read_options) {
                Ok(records) => records,
                Err(e) => {
                    let _ = parsed_send.send(Message::Failed(e));
                    return;
                }
            };
            for item in records {
                if parsed_send.send(Message::Item(item)).is_err() {
                    return; // the import stopped
                }
            }
        });
        let (thread_file_name, region) = (file_name.clone(), self.phone_region().await?);
        std::thread::spawn(move || {
            for message in parsed {
                let message = match message {
                    Message::Item(item) => Message::Item(
                        item.map(|record| matcher::prepare(record, &thread_file_name, region)),
                    ),
                    failed => failed,
                };
                if send.blocking_send(message).is_err() {
                    return;
                }
            }
        });

        let report = file.report(format.name(), options);
        let tx = self.store.begin(self.account).await?;
        let mut matcher = Matcher::new(tx, file_name.clone(), report).await?;
        if let Some(start) = options.session_start {
            matcher.session_start = matcher.session_start.min(start);
        }
        progress.start(size);
        while let Some(message) = receive.recv().await {
            progress.advance(read.load(Ordering::Relaxed));
            match message {
                Message::Failed(e) => return Err(e.into()),
                Message::Item(Err(d)) => {
                    matcher.report.skipped += 1;
                    matcher.report.add_problem(d);
                }
                Message::Item(Ok(record)) => {
                    matcher.report.records += 1;
                    for w in &record.warnings {
                        matcher.report.add_warning(Diagnostic {
                            file: file_name.clone(),
                            line: record.line,
                            message: w.clone(),
                        });
                    }
                    matcher.place(record).await?;
                }
            }
        }
        progress.finish();
        let report = &matcher.report;
        if report.records == 0 && !report.problems.is_empty() {
            return Err(file.err(format!(
                "nothing could be read as {} ({} problem{}; first: {})",
                format.name(),
                report.problem_count(),
                if report.problem_count() == 1 { "" } else { "s" },
                report.problems[0]
            )));
        }
        let (tx, report) = matcher.finish().await?;
        if !options.dry_run {
            tx.commit().await?;
        }
        // A dry run drops the transaction: everything is rolled back.
        Ok(report)
    }
}

/// What the reader thread sends.
// Nearly every message is an Item: boxing it would only add an allocation per record.
#[allow(clippy::large_enum_variant)]
enum Message {
    Item(kith_formats::Item),
    Failed(kith_formats::FormatError),
}
