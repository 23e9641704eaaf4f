//! What the capture importers (mail, calendars, LinkedIn activity) share:
//! writing interactions in batches as they come, and closing the import.

use super::{ImportOptions, ImportReport};
use crate::Result;
use kith_core::identity::{Region, normalize_card};
use kith_core::{Card, ContactPoint, Interaction, Person, PersonId, PersonName, Source};
use kith_store::Tx;

/// Interactions written at a time.
const BATCH: usize = 2_000;

/// Interactions waiting to be written, each with its dedupe key.
#[derive(Default)]
pub(crate) struct Batch(Vec<(Interaction, Option<String>)>);

impl Batch {
    /// Adds one; writes the batch when it is full.
    pub(crate) async fn push(
        &mut self,
        tx: &mut Tx,
        report: &mut ImportReport,
        interaction: Interaction,
        dedupe: String,
    ) -> Result<()> {
        self.0.push((interaction, Some(dedupe)));
        if self.0.len() >= BATCH {
            self.flush(tx, report).await?;
        }
        Ok(())
    }

    /// Writes what is waiting: new ones count as interactions, ones
    /// imported before as unchanged.
    pub(crate) async fn flush(&mut self, tx: &mut Tx, report: &mut ImportReport) -> Result<()> {
        let added = tx.add_interactions(&self.0).await?;
        report.interactions += added;
        report.unchanged += self.0.len() as u64 - added;
        self.0.clear();
        Ok(())
    }
}

/// Records the import and commits, unless it is a dry run (then dropping
/// the transaction rolls everything back).
pub(crate) async fn finish(
    mut tx: Tx,
    options: &ImportOptions,
    file_name: &str,
    format: &str,
    report: &ImportReport,
) -> Result<()> {
    if !options.dry_run {
        tx.record_import(
            file_name,
            format,
            &serde_json::to_value(report).unwrap_or_default(),
        )
        .await?;
        tx.commit().await?;
    }
    Ok(())
}

/// How a captured person was seen.
pub(crate) enum SeenAt {
    Email(String),
    LinkedinProfile(String),
}

/// A new person known from a capture only: a name, and the address or
/// profile they were seen at (with where).
pub(crate) fn new_person(full: String, seen: SeenAt, source: Source, region: Region) -> Person {
    let mut card = Card {
        name: PersonName {
            full,
            ..Default::default()
        },
        ..Default::default()
    };
    let point = |value: String, kinds: Vec<String>| {
        let mut point = ContactPoint::new(value);
        point.kinds = kinds;
        point.sources.push(source);
        point
    };
    match seen {
        SeenAt::Email(v) => card.emails.push(point(v, Vec::new())),
        SeenAt::LinkedinProfile(v) => card.urls.push(point(v, vec!["linkedin".into()])),
    }
    normalize_card(&mut card, region);
    Person {
        id: PersonId::new(),
        card,
    }
}
