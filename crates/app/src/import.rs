//! Importing a file: detect its format, stream its records, match each one
//! against the account's people (strong keys merge, weak evidence suggests),
//! and write everything in one transaction — a failed or interrupted import
//! leaves the store as it was. Re-importing the same file changes nothing.

use crate::App;
use crate::error::{AppError, Result};
use kith_core::identity::{self, Decision, Key};
use kith_core::{Card, Diagnostic, ImportRecord, Person, PersonId};
use kith_formats::{Format, ReadOptions};
use kith_store::tx::PersonWrite;
use kith_store::{MergeRecord, Suggestion, now_micros};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// How to import.
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// None: recognise the format from the content.
    pub format: Option<Format>,
    /// Read and match everything, report, but write nothing.
    pub dry_run: bool,
    /// Column mapping for the generic CSV reader.
    pub mapping: Option<kith_formats::csv::generic::ColumnMapping>,
}

/// Told how far the import has read (bytes), to drive a progress bar.
pub trait Progress {
    fn start(&self, _total_bytes: u64) {}
    fn advance(&self, _bytes_read: u64) {}
    fn finish(&self) {}
}

/// No progress display.
pub struct NoProgress;
impl Progress for NoProgress {}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
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
    /// Every problem, with its file and line.
    pub problems: Vec<Diagnostic>,
    /// Things noticed in records that were still imported.
    pub warnings: Vec<Diagnostic>,
}

/// Counts the bytes read through it, for progress.
struct Counting<R> {
    inner: R,
    read: std::rc::Rc<std::cell::Cell<u64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.set(self.read.get() + n as u64);
        Ok(n)
    }
}

/// The state of one import while its records are placed.
struct Run {
    file_name: String,
    book: Book,
    report: ImportReport,
    merges: Vec<MergeRecord>,
    suggestions: HashMap<(PersonId, PersonId), Suggestion>,
    touched: Vec<PersonId>,
}

/// The account's people in memory during an import, indexed for matching.
struct Book {
    people: HashMap<PersonId, Entry>,
    by_key: HashMap<Key, Vec<PersonId>>,
    by_block: HashMap<String, Vec<PersonId>>,
    me: Option<PersonId>,
}

struct Entry {
    card: Card,
    is_me: bool,
    fresh: bool,
    dirty: bool,
    existed: bool,
}

impl Book {
    fn index(&mut self, id: PersonId) {
        let Some(e) = self.people.get(&id) else {
            return;
        };
        for k in identity::keys(&e.card) {
            let ids = self.by_key.entry(k).or_default();
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        if let Some(b) = identity::blocking_key(&e.card) {
            let ids = self.by_block.entry(b).or_default();
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }

    fn insert(&mut self, id: PersonId, entry: Entry) {
        self.people.insert(id, entry);
        self.index(id);
    }
}

impl App {
    /// Imports one file as one transaction.
    pub async fn import_file(
        &self,
        path: &Path,
        options: &ImportOptions,
        progress: &dyn Progress,
    ) -> Result<ImportReport> {
        let shown = path.display().to_string();
        let file_err = |message: String| AppError::File {
            path: shown.clone(),
            message,
        };
        let meta = std::fs::metadata(path).map_err(|e| file_err(e.to_string()))?;
        if meta.is_dir() {
            return Err(file_err("is a directory, not a file".into()));
        }
        let file = std::fs::File::open(path).map_err(|e| file_err(e.to_string()))?;
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| shown.clone());
        let read = std::rc::Rc::new(std::cell::Cell::new(0));
        let mut input = BufReader::with_capacity(
            256 * 1024,
            Counting {
                inner: file,
                read: read.clone(),
            },
        );
        let format = match options.format {
            Some(f) => f,
            None => {
                let head = input.fill_buf().map_err(|e| file_err(e.to_string()))?;
                kith_formats::detect(head).map_err(|reason| {
                    AppError::Format(kith_formats::FormatError::Unrecognised {
                        file: shown.clone(),
                        reason,
                    })
                })?
            }
        };
        let read_options = ReadOptions {
            file_name: file_name.clone(),
            mapping: options.mapping.clone(),
        };
        let records = kith_formats::open(format, Box::new(input), &read_options)?;

        let report = ImportReport {
            file: shown.clone(),
            format: format.name().into(),
            dry_run: options.dry_run,
            ..Default::default()
        };
        let mut tx = self.store.begin(self.account).await?;
        let mut run = Run {
            file_name: file_name.clone(),
            book: self.load_book(&mut tx).await?,
            report,
            merges: Vec::new(),
            suggestions: HashMap::new(),
            touched: Vec::new(),
        };

        progress.start(meta.len());
        for item in records {
            progress.advance(read.get());
            match item {
                Err(d) => {
                    run.report.skipped += 1;
                    run.report.problems.push(d);
                }
                Ok(record) => {
                    run.report.records += 1;
                    for w in &record.warnings {
                        run.report.warnings.push(Diagnostic {
                            file: file_name.clone(),
                            line: record.line,
                            message: w.clone(),
                        });
                    }
                    self.place(record, &mut run);
                }
            }
        }
        progress.finish();
        let Run {
            book,
            mut report,
            merges,
            mut suggestions,
            touched,
            ..
        } = run;
        if report.records == 0 && !report.problems.is_empty() {
            return Err(file_err(format!(
                "nothing could be read as {} ({} problem{}; first: {})",
                format.name(),
                report.problems.len(),
                if report.problems.len() == 1 { "" } else { "s" },
                report.problems[0]
            )));
        }

        weak_suggestions(&book, &touched, &mut suggestions);
        let mut fresh_suggestions: Vec<Suggestion> = suggestions.into_values().collect();
        fresh_suggestions.sort_by(|a, b| b.score.total_cmp(&a.score));
        report.suggested = fresh_suggestions.len() as u64;
        report.updated = book
            .people
            .values()
            .filter(|e| e.existed && e.dirty)
            .count() as u64;
        if options.dry_run {
            return Ok(report);
        }

        let people: Vec<Person> = book
            .people
            .iter()
            .filter(|(_, e)| e.dirty)
            .map(|(id, e)| Person {
                id: *id,
                card: e.card.clone(),
            })
            .collect();
        let writes: Vec<PersonWrite> = people
            .iter()
            .map(|p| {
                let e = &book.people[&p.id];
                PersonWrite {
                    person: p,
                    is_me: e.is_me,
                    fresh: e.fresh,
                }
            })
            .collect();
        tx.put_people(&writes).await?;
        for m in &merges {
            tx.insert_merge(m).await?;
        }
        tx.add_suggestions(&fresh_suggestions).await?;
        let summary = serde_json::json!({
            "records": report.records, "created": report.created, "updated": report.updated,
            "merged": report.merged, "unchanged": report.unchanged, "suggested": report.suggested,
            "skipped": report.skipped,
        });
        tx.record_import(&file_name, format.name(), &summary)
            .await?;
        tx.commit().await?;
        Ok(report)
    }

    async fn load_book(&self, tx: &mut kith_store::Tx) -> Result<Book> {
        let all = tx.people(&Default::default()).await?;
        let mut book = Book {
            people: HashMap::with_capacity(all.len()),
            by_key: HashMap::new(),
            by_block: HashMap::new(),
            me: None,
        };
        for sp in all {
            if sp.is_me {
                book.me = Some(sp.person.id);
            }
            book.insert(
                sp.person.id,
                Entry {
                    card: sp.person.card,
                    is_me: sp.is_me,
                    fresh: false,
                    dirty: false,
                    existed: true,
                },
            );
        }
        Ok(book)
    }

    /// Matches one record and merges it, adds it, or suggests it.
    fn place(&self, record: ImportRecord, run: &mut Run) {
        let Run {
            file_name,
            book,
            report,
            merges,
            suggestions,
            touched,
        } = run;
        let mut card = record.card;
        identity::normalize_card(&mut card, self.settings.default_region);
        let mut card = card.deduplicated();
        // Every record is fingerprinted: a record already absorbed is never
        // absorbed again, so re-importing a file changes nothing.
        let fingerprint = identity::record_fingerprint(file_name, &card);
        card.records.push(fingerprint);
        if record.about_owner {
            let id = *book.me.get_or_insert_with(PersonId::new);
            match book.people.get_mut(&id) {
                Some(e) => {
                    absorb_into(id, e, card, vec!["your own profile".into()], report, merges);
                }
                None => {
                    report.created += 1;
                    book.insert(
                        id,
                        Entry {
                            card,
                            is_me: true,
                            fresh: true,
                            dirty: true,
                            existed: false,
                        },
                    );
                }
            }
            book.index(id);
            return;
        }
        let keys = identity::keys(&card);
        let mut candidates: Vec<PersonId> = Vec::new();
        for k in &keys {
            for id in book.by_key.get(k).into_iter().flatten() {
                if !candidates.contains(id) {
                    candidates.push(*id);
                }
            }
        }
        let mut merge_with: Option<(PersonId, Vec<String>, usize)> = None;
        let mut suggest: Vec<(PersonId, f64, Vec<String>)> = Vec::new();
        for id in candidates {
            let Some(e) = book.people.get(&id) else {
                continue;
            };
            let theirs = identity::keys(&e.card);
            let shared: Vec<Key> = keys
                .iter()
                .filter(|k| theirs.contains(k))
                .cloned()
                .collect();
            let crowded = shared
                .iter()
                .any(|k| book.by_key.get(k).is_some_and(|v| v.len() >= 2));
            match identity::decide(&card, &e.card, &shared, crowded) {
                Decision::Merge { reasons } => {
                    let better = merge_with
                        .as_ref()
                        .is_none_or(|(_, _, n)| shared.len() > *n);
                    if better {
                        if let Some((prev, r, _)) = merge_with.take() {
                            suggest.push((prev, 0.6, r));
                        }
                        merge_with = Some((id, reasons, shared.len()));
                    } else {
                        suggest.push((id, 0.6, reasons));
                    }
                }
                Decision::Suggest { score, reasons } => suggest.push((id, score, reasons)),
                Decision::Apart => {}
            }
        }
        let target = match merge_with {
            Some((id, reasons, _)) => {
                let changed = match book.people.get_mut(&id) {
                    Some(e) => absorb_into(id, e, card, reasons, report, merges),
                    None => false,
                };
                if !changed {
                    // Already known: nothing new to suggest either.
                    return;
                }
                book.index(id);
                id
            }
            None => {
                let id = PersonId::new();
                report.created += 1;
                book.insert(
                    id,
                    Entry {
                        card,
                        is_me: false,
                        fresh: true,
                        dirty: true,
                        existed: false,
                    },
                );
                id
            }
        };
        touched.push(target);
        for (other, score, reasons) in suggest {
            if other != target {
                add_suggestion(suggestions, target, other, score, reasons);
            }
        }
    }
}

/// Merges an imported card into a person, recording the merge so it can be
/// undone (the record then becomes a person of its own).
/// Returns false when the card brought nothing new.
fn absorb_into(
    id: PersonId,
    e: &mut Entry,
    card: Card,
    reasons: Vec<String>,
    report: &mut ImportReport,
    merges: &mut Vec<MergeRecord>,
) -> bool {
    report.merged += 1;
    let already = card.records.iter().all(|r| e.card.records.contains(r));
    if already || e.card.contains_all(&card) {
        report.unchanged += 1;
        return false;
    }
    let before = e.card.clone();
    e.card.absorb(card.clone());
    e.dirty = true;
    merges.push(MergeRecord {
        id: uuid::Uuid::now_v7(),
        survivor: id,
        absorbed: PersonId::new(),
        survivor_before: before,
        absorbed_card: card,
        reasons,
        created_at: now_micros(),
        undone_at: None,
    });
    true
}

fn add_suggestion(
    suggestions: &mut HashMap<(PersonId, PersonId), Suggestion>,
    a: PersonId,
    b: PersonId,
    score: f64,
    reasons: Vec<String>,
) {
    let key = if a < b { (a, b) } else { (b, a) };
    let s = suggestions.entry(key).or_insert(Suggestion {
        a: key.0,
        b: key.1,
        score,
        reasons: Vec::new(),
    });
    s.score = s.score.max(score);
    for r in reasons {
        if !s.reasons.contains(&r) {
            s.reasons.push(r);
        }
    }
}

/// Largest group of same-family-name people compared pairwise; bigger groups
/// (a very common surname) are compared only against the touched person.
const MAX_BLOCK: usize = 2_000;

/// Weak-evidence suggestions between each touched person and the others
/// sharing their blocking key.
fn weak_suggestions(
    book: &Book,
    touched: &[PersonId],
    suggestions: &mut HashMap<(PersonId, PersonId), Suggestion>,
) {
    let mut seen: HashSet<PersonId> = HashSet::new();
    for id in touched {
        if !seen.insert(*id) {
            continue;
        }
        let Some(e) = book.people.get(id) else {
            continue;
        };
        let Some(block) = identity::blocking_key(&e.card) else {
            continue;
        };
        let Some(others) = book.by_block.get(&block) else {
            continue;
        };
        for other in others.iter().take(MAX_BLOCK) {
            if other == id {
                continue;
            }
            let key = if id < other {
                (*id, *other)
            } else {
                (*other, *id)
            };
            if suggestions.contains_key(&key) {
                continue;
            }
            let Some(o) = book.people.get(other) else {
                continue;
            };
            if let Some((score, reasons)) = identity::weak_evidence(&e.card, &o.card) {
                add_suggestion(suggestions, *id, *other, score, reasons);
            }
        }
    }
}
