//! ZIP archives as users download them (a LinkedIn data export, a folder of
//! vCards zipped): the entries that hold contacts are unpacked to a private
//! temporary directory and imported one by one; the rest are named as
//! skipped. Unpacking is bounded, so a crafted archive cannot fill the disk:
//! entries stream to disk (never whole in memory) within a total size, and
//! an entry that unpacks to more than [`MAX_RATIO`] times its packed size
//! (a zip bomb) is named as a problem and not read.

use super::file::ImportFile;
use crate::{App, AppError, ImportOptions, ImportReport, Progress, Result};
use kith_formats::csv::linkedin_activity::ActivityFile;
use std::io::Read;
use std::path::Path;

/// Most bytes unpacked from one archive, and most entries looked at.
const MAX_UNPACKED: u64 = 2 * 1024 * 1024 * 1024;
const MAX_ENTRIES: usize = 10_000;
/// Most an entry may unpack to per byte packed. Contact files pack 3 to
/// 20 times; deflate's best is about 1,030 (a file of one repeated byte).
/// Entries up to [`RATIO_GRACE`] are not held to it (a tiny file of blank
/// lines packs very well).
pub const MAX_RATIO: u64 = 100;
const RATIO_GRACE: u64 = 1024 * 1024;

/// The most an entry packed in `compressed` bytes may unpack to.
fn unpack_limit(compressed: u64) -> u64 {
    compressed.saturating_mul(MAX_RATIO).max(RATIO_GRACE)
}

/// Why an entry is not read (the error names the archive and the entry).
fn bomb_message(packed: u64) -> String {
    format!(
        "the entry unpacks to more than {MAX_RATIO} times its packed size of {packed} bytes \
         (a zip bomb?); not read. Unpack the archive yourself and import the file if it is genuine"
    )
}

/// What importing an archive did: each imported entry's outcome, and the
/// entries left alone.
#[derive(Debug)]
pub struct ArchiveImport {
    pub imported: Vec<(String, Result<ImportReport>)>,
    pub skipped: Vec<String>,
}

/// The order an entry is imported in, or None to skip it: the owner's own
/// LinkedIn files first (so connections can be told from the owner), then
/// connections and vCards, then messages and invitations (which find the
/// people they are with among those).
fn rank(entry_name: &str) -> Option<u8> {
    let base = entry_name.rsplit('/').next().unwrap_or(entry_name);
    let lower = base.to_ascii_lowercase();
    if base.starts_with('.') || entry_name.starts_with("__MACOSX/") {
        return None;
    }
    match lower.as_str() {
        "profile.csv" => Some(0),
        "positions.csv" => Some(1),
        "connections.csv" => Some(2),
        _ if lower.ends_with(".vcf") || lower.ends_with(".vcard") => Some(3),
        "messages.csv" => Some(4),
        "invitations.csv" => Some(5),
        _ => None,
    }
}

impl App {
    /// Imports the contact files inside a ZIP archive, each as its own
    /// transaction, in a sensible order.
    pub async fn import_archive(
        &self,
        path: &Path,
        options: &ImportOptions,
        progress: &dyn Progress,
    ) -> Result<ArchiveImport> {
        let file = ImportFile::new(path);
        let shown = &file.shown;
        let file_err = |message: String| file.err(message);
        let dir = tempfile::tempdir().map_err(|e| file_err(format!("no room to unpack: {e}")))?;
        let (chosen, skipped, refused) = {
            let (opened, _) = file.open()?;
            let mut zip = zip::ZipArchive::new(std::io::BufReader::new(opened))
                .map_err(|e| file_err(format!("not a readable ZIP archive: {e}")))?;
            if zip.len() > MAX_ENTRIES {
                return Err(file_err(format!(
                    "the archive holds {} entries; kith reads archives of at most {MAX_ENTRIES}",
                    zip.len()
                )));
            }
            let mut chosen = Vec::new();
            let mut skipped = Vec::new();
            let mut refused = Vec::new();
            let mut budget = MAX_UNPACKED;
            for i in 0..zip.len() {
                let mut entry = zip
                    .by_index(i)
                    .map_err(|e| file_err(format!("entry {i} cannot be read: {e}")))?;
                if entry.is_dir() {
                    continue;
                }
                let name = entry
                    .name()
                    .map(|n| n.to_string())
                    .unwrap_or_else(|_| format!("entry {i}"));
                let Some(rank) = rank(&name) else {
                    skipped.push(name);
                    continue;
                };
                // What the entry claims, checked before a byte is unpacked;
                // what it really unpacks to is held to the same limit below
                // (its packed bytes are read through a bounded reader).
                let packed = entry.compressed_size();
                let limit = unpack_limit(packed);
                if entry.size() > limit {
                    refused.push((name.clone(), bomb_message(packed)));
                    continue;
                }
                // Unpacked under a name of kith's choosing: an entry named
                // `../x` cannot write outside the directory.
                let base = name.rsplit('/').next().unwrap_or("entry").to_string();
                let target = dir.path().join(format!("{i}")).join(&base);
                let write_err = |e: std::io::Error| file_err(format!("cannot unpack {name}: {e}"));
                std::fs::create_dir_all(target.parent().unwrap_or(dir.path()))
                    .map_err(write_err)?;
                let mut out = std::fs::File::create(&target).map_err(write_err)?;
                let cap = budget.min(limit);
                let written = std::io::copy(&mut (&mut entry).take(cap + 1), &mut out)
                    .map_err(|e| file_err(format!("{name} cannot be unpacked: {e}")))?;
                if written > limit {
                    drop(out);
                    let _ = std::fs::remove_file(&target);
                    refused.push((name.clone(), bomb_message(packed)));
                    continue;
                }
                if written > budget {
                    return Err(file_err(format!(
                        "unpacked, the archive is larger than {} GiB; unpack it yourself and import the files",
                        MAX_UNPACKED >> 30
                    )));
                }
                budget -= written;
                chosen.push((rank, name, target));
            }
            chosen.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
            (chosen, skipped, refused)
        };
        if chosen.is_empty() && refused.is_empty() {
            return Err(file_err(
                "the archive holds no contacts kith reads (Connections.csv, Profile.csv, Positions.csv, messages.csv, Invitations.csv from a LinkedIn export, or .vcf files)".into(),
            ));
        }
        // Entries refused unread come first, each named with its problem.
        let mut imported: Vec<(String, Result<ImportReport>)> = refused
            .into_iter()
            .map(|(name, message)| {
                let path = format!("{shown}: {name}");
                (name, Err(AppError::File { path, message }))
            })
            .collect();
        for (rank, name, target) in chosen {
            // LinkedIn's activity files are read as such even when their
            // header is off, so that the problem is named rightly.
            let activity = match rank {
                4 => Some(ActivityFile::Messages),
                5 => Some(ActivityFile::Invitations),
                _ => None,
            };
            let outcome = match activity {
                Some(kind) => {
                    self.import_linkedin_activity(&target, kind, options, progress)
                        .await
                }
                None => self.import_single(&target, options, progress).await,
            };
            let result = outcome
                .map(|mut report| {
                    report.file = format!("{shown}: {name}");
                    report
                })
                .map_err(|e| match e {
                    AppError::File { message, .. } => AppError::File {
                        path: format!("{shown}: {name}"),
                        message,
                    },
                    other => other,
                });
            imported.push((name, result));
        }
        Ok(ArchiveImport { imported, skipped })
    }
}
