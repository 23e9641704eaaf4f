//! Capturing meetings from calendars (`.ics`): each event that has
//! happened, with people besides the owner, becomes a meeting interaction
//! with them. Attendees are matched to people by email; unknown ones
//! become people only from small meetings (up to 10 others: people you
//! actually met), never from rooms, resources or no-reply addresses.
//! Cancelled and future events are skipped; re-importing adds nothing
//! (UID and occurrence). One file is one transaction.

use super::file::{ImportFile, Stream};
use super::mail::{is_machine, person_from_address};
use super::{ImportOptions, ImportReport, Progress, capture};
use crate::{App, Result};
use kith_core::identity::Region;
use kith_core::{Direction, Interaction, InteractionId, InteractionKind, PersonId, Source};
use kith_formats::ical::CalendarEvent;
use kith_formats::ical::IcsReader;
use kith_formats::mail::MailAddress;
use kith_store::Tx;
use kith_store::tx::PersonWrite;
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::Ordering;

/// Meetings with more people than this (besides the owner) make no new
/// people: an all-hands is not a relationship.
const SMALL_MEETING: usize = 10;
/// Largest calendar file read (its events are read one by one, but its
/// meetings are written in one transaction).
const MAX_ICS: u64 = 256 * 1024 * 1024;

impl App {
    /// Imports the meetings of a calendar file (see the module comment).
    pub async fn import_calendar(
        &self,
        path: &Path,
        options: &ImportOptions,
        progress: &dyn Progress,
    ) -> Result<ImportReport> {
        let file = ImportFile::new(path);
        let file_name = &file.name;
        let mine = self.my_emails_for_import(&file.shown).await?;
        let Stream { input, read, size } = file.stream()?;
        if size > MAX_ICS {
            return Err(file.err(format!(
                "the calendar is {} MiB; kith reads calendars of at most {} MiB",
                size >> 20,
                MAX_ICS >> 20
            )));
        }
        progress.start(size);
        // Events stream one by one (each parsed on its own, bounded).
        let events = IcsReader::new(input, file_name);
        let mut report = file.report("ics", options);
        let now = kith_store::now_micros();
        let mut tx = self.store.begin(self.account).await?;
        let region = self.phone_region().await?;
        let mut attendees = Attendees::new(mine);
        let source_of = |line| Source {
            file: file_name.clone(),
            line,
            format: "ics".into(),
        };
        let mut meetings: Vec<(Interaction, Option<String>)> = Vec::new();
        for item in events {
            progress.advance(read.load(Ordering::Relaxed));
            let e = match item {
                Ok(e) => e,
                Err(problem) => {
                    report.skipped += 1;
                    report.add_problem(problem);
                    continue;
                }
            };
            report.records += 1;
            let Some(start) = e.start else { continue };
            if e.cancelled || start > now {
                report.skipped += 1;
                continue;
            }
            let with = attendees
                .people_of(&mut tx, &e, &source_of(e.line), region, &mut report)
                .await?;
            if with.is_empty() {
                report.skipped += 1;
                continue;
            }
            let dedupe = meeting_key(&e, start);
            let interaction = Interaction {
                id: InteractionId::new(),
                at: start,
                kind: InteractionKind::Meeting,
                direction: Direction::Mutual,
                people: with,
                note: e.summary.filter(|_| options.keep_subjects),
                source: format!("{file_name}:{}", e.line),
            };
            meetings.push((interaction, Some(dedupe)));
        }
        // Written together, as a mailbox's are: a few statements in all.
        let added = tx.add_interactions(&meetings).await?;
        report.interactions = added;
        report.unchanged = meetings.len() as u64 - added;
        report.created = attendees.created;
        capture::finish(tx, options, file_name, "ics", &report).await?;
        progress.finish();
        Ok(report)
    }
}

/// What makes a meeting the same on every read: its UID and occurrence
/// (or start), whichever file or server it came from.
pub(crate) fn meeting_key(e: &CalendarEvent, start: i64) -> String {
    format!(
        "ics:{}:{}",
        e.uid.as_deref().unwrap_or(&e.line.to_string()),
        e.occurrence.clone().unwrap_or_else(|| start.to_string())
    )
}

/// The people of meetings: attendees and organiser besides the owner,
/// matched by email; a stranger becomes a person only from a small meeting
/// (never rooms, resources or no-reply addresses).
pub(crate) struct Attendees {
    mine: Vec<String>,
    known: HashMap<String, Option<PersonId>>,
    /// People made so far.
    pub(crate) created: u64,
}

impl Attendees {
    pub(crate) fn new(mine: Vec<String>) -> Attendees {
        Attendees {
            mine,
            known: HashMap::new(),
            created: 0,
        }
    }

    /// The people an event was with (none: no one besides the owner).
    pub(crate) async fn people_of(
        &mut self,
        tx: &mut Tx,
        e: &CalendarEvent,
        source: &Source,
        region: Region,
        report: &mut ImportReport,
    ) -> Result<Vec<PersonId>> {
        let is_mine = |a: &str| self.mine.iter().any(|m| m == a);
        let mut others: Vec<&MailAddress> = e
            .attendees
            .iter()
            .chain(e.organizer.iter())
            .filter(|a| !is_mine(&a.email) && !is_machine(&a.email))
            .collect();
        others.sort_by(|a, b| a.email.cmp(&b.email));
        others.dedup_by(|a, b| a.email == b.email);
        let small = others.len() <= SMALL_MEETING;
        let mut with = Vec::new();
        for a in others {
            let id = match self.known.get(&a.email) {
                Some(id) => *id,
                None => {
                    let found = tx.people_with_key(&format!("email:{}", a.email)).await?;
                    let id = match found.as_slice() {
                        [id] => {
                            report.updated += 1;
                            Some(*id)
                        }
                        [] if small => {
                            let person = person_from_address(a, source.clone(), region);
                            let id = person.id;
                            tx.put_people(&[PersonWrite {
                                person: &person,
                                is_me: false,
                                fresh: true,
                            }])
                            .await?;
                            self.created += 1;
                            Some(id)
                        }
                        _ => None,
                    };
                    // A big meeting's stranger may be met again in a small one.
                    if id.is_some() || !small {
                        self.known.insert(a.email.clone(), id);
                    }
                    id
                }
            };
            with.extend(id);
        }
        with.sort();
        with.dedup();
        Ok(with)
    }
}
