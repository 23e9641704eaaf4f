//! Calendars kept current: CalDAV collections (members whose ETag changed
//! are fetched in multigets) and ICS links (downloaded again only when
//! their ETag changed). Each calendar object (or, in an ICS file, each
//! UID) remembers the meetings it became — their dedupe keys, with a
//! fingerprint of who was there — so that a moved meeting is rewritten at
//! its new time, one whose people changed is rewritten with them, and a
//! cancelled or deleted one is removed. Meetings become interactions once
//! they have happened: an object with meetings still to come is read again
//! after the first of them.

use super::dav::{Dav, Want};
use super::{SourceError, SyncContext, SyncReport, SyncResult};
use crate::App;
use crate::import::ImportReport;
use crate::import::calendar::{Attendees, meeting_key};
use kith_core::{Direction, Interaction, InteractionId, InteractionKind, PersonId, Source};
use kith_formats::ical::CalendarEvent;
use kith_store::Tx;
use kith_store::sources::SourceItem;
use serde::{Deserialize, Serialize};
use sha2::Digest;
use std::collections::{BTreeMap, HashMap, HashSet};
use url::Url;

/// What a CalDAV source remembers between syncs.
#[derive(Default, Serialize, Deserialize)]
struct CaldavCursor {
    #[serde(default)]
    collections: Vec<String>,
}

/// What an ICS source remembers between syncs.
#[derive(Default, Serialize, Deserialize)]
struct IcsCursor {
    #[serde(default)]
    etag: Option<String>,
}

/// One calendar object (or UID) read now: its key, ETag and events.
struct ReadItem {
    key: String,
    etag: Option<String>,
    events: Vec<CalendarEvent>,
}

/// Who was at a meeting, as a short fingerprint.
fn people_print(people: &[PersonId]) -> String {
    let mut hash = sha2::Sha256::new();
    for p in people {
        hash.update(p.0.as_bytes());
    }
    hash.finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What an item became last time (key -> who).
fn made_of(item: Option<&SourceItem>) -> BTreeMap<String, String> {
    item.and_then(|i| serde_json::from_str(&i.made).ok())
        .unwrap_or_default()
}

impl App {
    pub(crate) async fn sync_caldav(&self, ctx: &SyncContext<'_>) -> SyncResult<SyncReport> {
        let mine = self.source_owner(ctx).await?;
        let mut dav = Dav::new(ctx)?;
        let start = Url::parse(&ctx.row.url)
            .map_err(|e| SourceError::protocol(format!("the source's URL: {e}")))?;
        let mut cursor: CaldavCursor = serde_json::from_str(&ctx.row.cursor).unwrap_or_default();
        let cached: Vec<Url> = cursor
            .collections
            .iter()
            .filter_map(|c| Url::parse(c).ok())
            .collect();
        let (collections, listed) = dav
            .list_collections(&start, cached, Want::Calendars)
            .await?;
        cursor.collections = collections.iter().map(Url::to_string).collect();
        let now = kith_store::now_micros();
        let known = self.source_items(ctx).await?;
        let mut present = HashSet::new();
        let mut read = Vec::new();
        let total: usize = listed.iter().map(|(_, m)| m.len()).sum();
        let mut problems = Vec::new();
        for (collection, members) in &listed {
            let mut wanted = Vec::new();
            for m in members {
                present.insert(m.url.clone());
                let before = known.get(&m.url);
                let changed = before.is_none_or(|b| b.etag != m.etag || m.etag.is_none());
                let due = before
                    .and_then(|b| b.recheck_at)
                    .is_some_and(|at| at <= now);
                if changed || due {
                    wanted.push(m.href.as_str());
                }
            }
            if wanted.is_empty() {
                continue;
            }
            for (url, etag, data) in dav.multiget(collection, &wanted, Want::Calendars).await? {
                let (events, trouble) = kith_formats::ical::read_ics(&data, &url);
                problems.extend(trouble.into_iter().map(|d| d.to_string()));
                read.push(ReadItem {
                    key: url,
                    etag,
                    events,
                });
                ctx.progress.set(read.len() as u64, total as u64);
            }
        }
        let gone: Vec<String> = known
            .keys()
            .filter(|k| !present.contains(*k))
            .cloned()
            .collect();
        let cursor_text = serde_json::to_string(&cursor).unwrap_or_else(|_| "{}".into());
        if read.is_empty() && gone.is_empty() && cursor_text == ctx.row.cursor {
            return Ok(SyncReport {
                unchanged: true,
                ..Default::default()
            });
        }
        let mut tx = self.store.begin(self.account).await?;
        let mut report = self
            .apply_meetings(&mut tx, ctx, mine, read, &gone, &known, "caldav")
            .await?;
        report.problems.extend(problems.into_iter().take(5));
        tx.set_source_cursor(ctx.row.id, &cursor_text).await?;
        tx.commit().await?;
        Ok(report)
    }

    pub(crate) async fn sync_ics(&self, ctx: &SyncContext<'_>) -> SyncResult<SyncReport> {
        let mine = self.source_owner(ctx).await?;
        let mut dav = Dav::new(ctx)?;
        let url = Url::parse(&ctx.row.url)
            .map_err(|e| SourceError::protocol(format!("the source's URL: {e}")))?;
        let cursor: IcsCursor = serde_json::from_str(&ctx.row.cursor).unwrap_or_default();
        let now = kith_store::now_micros();
        let known = self.source_items(ctx).await?;
        // A meeting that has happened since is read even if the file is the same.
        let due = known
            .values()
            .any(|i| i.recheck_at.is_some_and(|at| at <= now));
        let etag = cursor.etag.as_deref().filter(|_| !due);
        let Some((body, etag)) = dav.get(&url, etag).await? else {
            return Ok(SyncReport {
                unchanged: true,
                ..Default::default()
            });
        };
        let text = String::from_utf8_lossy(&body);
        let shown = format!("{}{}", url.host_str().unwrap_or(""), url.path());
        if !kith_formats::ical::looks_like_ical(text.as_bytes()) {
            return Err(SourceError::protocol(format!(
                "{shown} is not a calendar (it does not begin with BEGIN:VCALENDAR): is it the secret iCal address?"
            ))
            .into());
        }
        let (events, trouble) = kith_formats::ical::read_ics(&text, &shown);
        // Each UID is one item (a repeating meeting's occurrences with it).
        let mut by_uid: BTreeMap<String, Vec<CalendarEvent>> = BTreeMap::new();
        for e in events {
            let key = format!(
                "uid:{}",
                e.uid.clone().unwrap_or_else(|| format!("line {}", e.line))
            );
            by_uid.entry(key).or_default().push(e);
        }
        let read: Vec<ReadItem> = by_uid
            .into_iter()
            .map(|(key, events)| ReadItem {
                key,
                etag: None,
                events,
            })
            .collect();
        let present: HashSet<&str> = read.iter().map(|r| r.key.as_str()).collect();
        let gone: Vec<String> = known
            .keys()
            .filter(|k| !present.contains(k.as_str()))
            .cloned()
            .collect();
        let mut tx = self.store.begin(self.account).await?;
        let mut report = self
            .apply_meetings(&mut tx, ctx, mine, read, &gone, &known, "ics")
            .await?;
        report
            .problems
            .extend(trouble.into_iter().take(5).map(|d| d.to_string()));
        let cursor = IcsCursor { etag };
        tx.set_source_cursor(
            ctx.row.id,
            &serde_json::to_string(&cursor).unwrap_or_default(),
        )
        .await?;
        tx.commit().await?;
        Ok(report)
    }

    /// What the source showed of each item last time, by its key.
    pub(crate) async fn source_items(
        &self,
        ctx: &SyncContext<'_>,
    ) -> SyncResult<HashMap<String, SourceItem>> {
        let mut tx = self.store.begin_read(self.account).await?;
        let items = tx.source_items(ctx.row.id).await?;
        Ok(items.into_iter().map(|i| (i.href.clone(), i)).collect())
    }

    /// Writes what the calendar objects read now became, and forgets those
    /// gone: meetings added, rewritten (moved, other people) or removed.
    #[allow(clippy::too_many_arguments)]
    async fn apply_meetings(
        &self,
        tx: &mut Tx,
        ctx: &SyncContext<'_>,
        mine: Vec<String>,
        read: Vec<ReadItem>,
        gone: &[String],
        known: &HashMap<String, SourceItem>,
        format: &str,
    ) -> SyncResult<SyncReport> {
        let now = kith_store::now_micros();
        let region = self.phone_region().await?;
        let mut attendees = Attendees::new(mine);
        let mut counts = ImportReport::default();
        let mut report = SyncReport {
            read: read.len() as u64,
            ..Default::default()
        };
        for key in gone {
            let old = made_of(known.get(key));
            let keys: Vec<String> = old.into_keys().collect();
            report.interactions_removed += tx.delete_interactions_by_keys(&keys).await?;
            tx.delete_source_item(ctx.row.id, key).await?;
        }
        for item in read {
            let old = made_of(known.get(&item.key));
            let mut made: BTreeMap<String, String> = BTreeMap::new();
            let mut meetings: Vec<(Interaction, Option<String>)> = Vec::new();
            let mut recheck: Option<i64> = None;
            for e in &item.events {
                let Some(start) = e.start else { continue };
                if e.cancelled {
                    continue;
                }
                if start > now {
                    recheck = Some(recheck.map_or(start, |r: i64| r.min(start)));
                    continue;
                }
                let source = Source {
                    file: item.key.clone(),
                    line: e.line,
                    format: format.into(),
                };
                let people = attendees
                    .people_of(tx, e, &source, region, &mut counts)
                    .await?;
                if people.is_empty() {
                    report.skipped += 1;
                    continue;
                }
                let key = meeting_key(e, start);
                let print = people_print(&people);
                if old.get(&key) != Some(&print) {
                    meetings.push((
                        Interaction {
                            id: InteractionId::new(),
                            at: start,
                            kind: InteractionKind::Meeting,
                            direction: Direction::Mutual,
                            people,
                            note: e.summary.clone().filter(|_| ctx.options.keep_subjects),
                            source: format!("{}:{}", item.key, e.line),
                        },
                        Some(key.clone()),
                    ));
                }
                made.insert(key, print);
            }
            // Meetings gone from this object, or whose people changed.
            let stale: Vec<String> = old
                .iter()
                .filter(|(k, p)| made.get(*k) != Some(*p))
                .map(|(k, _)| k.clone())
                .collect();
            let removed = tx.delete_interactions_by_keys(&stale).await?;
            let added = tx.add_interactions(&meetings).await?;
            let rewritten = removed.min(added);
            report.interactions_changed += rewritten;
            report.interactions_removed += removed - rewritten;
            report.interactions += added - rewritten;
            tx.put_source_item(
                ctx.row.id,
                &SourceItem {
                    href: item.key,
                    etag: item.etag,
                    made: serde_json::to_string(&made).unwrap_or_else(|_| "{}".into()),
                    recheck_at: recheck,
                },
            )
            .await?;
        }
        report.created = attendees.created;
        report.updated = counts.updated;
        Ok(report)
    }
}
