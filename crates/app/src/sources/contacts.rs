//! Address books kept current from a CardDAV server (Nextcloud, iCloud,
//! Radicale, Fastmail), as one source among the others: new and changed
//! cards (by ETag) are fetched in multigets and go through the importer's
//! matcher, so they merge by identity exactly as an imported file does;
//! each card's values carry the card's URL as their source. A card changed
//! there first takes out what its previous version brought (its values,
//! record fingerprint and UIDs) and then brings the new one; a card deleted
//! there takes out what it brought, and a person left with nothing goes to
//! the trash (restorable as any deletion).

use super::dav::{Dav, MULTIGET, Want};
use super::{SourceError, SyncContext, SyncReport, SyncResult};
use crate::App;
use crate::import::ImportReport;
use crate::import::matcher::{Matcher, prepare};
use kith_core::PersonId;
use kith_formats::{Format, ReadOptions};
use kith_store::Tx;
use kith_store::sources::SourceItem;
use kith_store::tx::PersonWrite;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use url::Url;

/// Bytes of cards one sync fetches at most (a larger first sync goes on
/// in the next).
const MAX_FETCHED: usize = 128 * 1024 * 1024;

#[derive(Default, Serialize, Deserialize)]
struct CarddavCursor {
    #[serde(default)]
    collections: Vec<String>,
}

/// What a remote card became: the people holding its records (found
/// again through later merges), the records' fingerprints and UIDs.
#[derive(Default, Serialize, Deserialize)]
struct CardMade {
    #[serde(default)]
    people: Vec<PersonId>,
    #[serde(default)]
    records: Vec<String>,
    #[serde(default)]
    uids: Vec<String>,
}

/// How taking a card's values out went.
#[derive(Default)]
struct Stripped {
    updated: u64,
    trashed: u64,
}

/// Takes out of a card what the remote card at `url` brought.
fn take_out(card: &mut kith_core::Card, url: &str, made: &CardMade) {
    for record in &made.records {
        card.drop_source(url, Some(record), &made.uids);
    }
    if made.records.is_empty() {
        card.drop_source(url, None, &made.uids);
    }
}

/// Takes out of the address book what the card at `url` brought; a person
/// left with nothing goes to the trash when `trash` (a card deleted there).
async fn strip(
    tx: &mut Tx,
    url: &str,
    made: &CardMade,
    trash: bool,
) -> kith_store::Result<Stripped> {
    let mut out = Stripped::default();
    let mut done = Vec::new();
    for person in &made.people {
        let Some(id) = tx.living_person(*person).await? else {
            continue; // deleted since: nothing to take out
        };
        if done.contains(&id) {
            continue;
        }
        done.push(id);
        let Some(mut stored) = tx.person(id).await? else {
            continue;
        };
        take_out(&mut stored.person.card, url, made);
        if trash && stored.person.card.holds_nothing() && !stored.is_me {
            tx.delete_person(id, None).await?;
            out.trashed += 1;
        } else {
            tx.put_people(&[PersonWrite {
                person: &stored.person,
                is_me: stored.is_me,
                fresh: false,
            }])
            .await?;
            out.updated += 1;
        }
    }
    Ok(out)
}

impl App {
    pub(crate) async fn sync_carddav(&self, ctx: &SyncContext<'_>) -> SyncResult<SyncReport> {
        let mut dav = Dav::new(ctx)?;
        let start = Url::parse(&ctx.row.url)
            .map_err(|e| SourceError::protocol(format!("the source's URL: {e}")))?;
        let cursor: CarddavCursor = serde_json::from_str(&ctx.row.cursor).unwrap_or_default();
        let cached: Vec<Url> = cursor
            .collections
            .iter()
            .filter_map(|c| Url::parse(c).ok())
            .collect();
        let (collections, listed) = dav
            .list_collections(&start, cached, Want::AddressBooks)
            .await?;
        let known = self.source_items(ctx).await?;
        let total: usize = listed.iter().map(|(_, m)| m.len()).sum();
        let mut present = HashSet::new();
        let mut fetched = Vec::new();
        let (mut fetched_bytes, mut more) = (0usize, false);
        for (collection, members) in &listed {
            let wanted: Vec<&str> = members
                .iter()
                .filter(|m| {
                    present.insert(m.url.clone());
                    known
                        .get(&m.url)
                        .is_none_or(|k| k.etag != m.etag || m.etag.is_none())
                })
                .map(|m| m.href.as_str())
                .collect();
            // Fetched a multiget at a time, at most MAX_FETCHED bytes of
            // cards a sync (photos make cards large): the rest next time.
            for chunk in wanted.chunks(MULTIGET) {
                if fetched_bytes > MAX_FETCHED {
                    more = true;
                    break;
                }
                for card in dav.multiget(collection, chunk, Want::AddressBooks).await? {
                    fetched_bytes += card.2.len();
                    fetched.push(card);
                }
                ctx.progress.set(fetched.len() as u64, total as u64);
            }
        }
        let gone: Vec<&String> = known.keys().filter(|k| !present.contains(*k)).collect();
        let cursor_text = serde_json::to_string(&CarddavCursor {
            collections: collections.iter().map(Url::to_string).collect(),
        })
        .unwrap_or_else(|_| "{}".into());
        if fetched.is_empty() && gone.is_empty() && cursor_text == ctx.row.cursor {
            return Ok(SyncReport {
                unchanged: true,
                ..Default::default()
            });
        }

        let mut tx = self.store.begin(self.account).await?;
        let region = self.phone_region().await?;
        let mut report = SyncReport {
            read: fetched.len() as u64,
            more,
            ..Default::default()
        };
        let made_of = |url: &str| -> Option<CardMade> {
            known
                .get(url)
                .map(|k| serde_json::from_str(&k.made).unwrap_or_default())
        };
        // Deleted there: out goes what they brought (and whoever is left
        // with nothing).
        for url in &gone {
            let s = strip(&mut tx, url, &made_of(url).unwrap_or_default(), true).await?;
            report.updated += s.updated;
            report.trashed += s.trashed;
            tx.delete_source_item(ctx.row.id, url).await?;
        }
        // Each fetched card read; a changed one of a single record goes
        // back into its person (else its old values are taken out first
        // and it is matched anew).
        let mut cards = Vec::with_capacity(fetched.len());
        for (url, etag, data) in fetched {
            let options = ReadOptions {
                file_name: url.clone(),
                mapping: None,
            };
            let records: Vec<kith_formats::Item> =
                kith_formats::open(Format::Vcard, Box::new(data.as_bytes()), &options)
                    .map_err(|e| SourceError::protocol(format!("{url}: {e}")))?
                    .collect();
            let old = made_of(&url);
            let mut into = None;
            if let Some(old) = &old {
                if let ([person], [_]) = (old.people.as_slice(), records.as_slice()) {
                    into = tx.living_person(*person).await?;
                }
                if into.is_none() {
                    let s = strip(&mut tx, &url, old, false).await?;
                    report.updated += s.updated;
                }
            }
            cards.push((url, etag, records, old, into));
        }
        let label = format!("{}{}", start.host_str().unwrap_or(""), start.path());
        let mut matcher = Matcher::new(
            tx,
            label.clone(),
            ImportReport {
                file: label,
                format: "carddav".into(),
                ..Default::default()
            },
        )
        .await?;
        let mut items = Vec::with_capacity(cards.len());
        for (url, etag, records, old, into) in cards {
            let mut made = CardMade::default();
            for item in records {
                let record = match item {
                    Ok(record) => prepare(record, &url, region),
                    Err(d) => {
                        matcher.report.skipped += 1;
                        if report.problems.len() < 5 {
                            report.problems.push(d.to_string());
                        }
                        continue;
                    }
                };
                made.records.extend(record.card.records.last().cloned());
                made.uids.extend(record.card.uids.iter().cloned());
                matcher.report.records += 1;
                let holder = match (into, &old) {
                    (Some(id), Some(old)) => {
                        matcher
                            .replace(id, record, |card| take_out(card, &url, old))
                            .await?
                    }
                    _ => matcher.place(record).await?,
                };
                if !made.people.contains(&holder) {
                    made.people.push(holder);
                }
            }
            items.push(SourceItem {
                href: url,
                etag,
                made: serde_json::to_string(&made).unwrap_or_else(|_| "{}".into()),
                recheck_at: None,
            });
        }
        let (mut tx, imported) = matcher.finish().await?;
        for item in &items {
            tx.put_source_item(ctx.row.id, item).await?;
        }
        tx.set_source_cursor(ctx.row.id, &cursor_text).await?;
        tx.commit().await?;
        report.created = imported.created;
        report.updated += imported.updated;
        report.skipped += imported.skipped;
        Ok(report)
    }
}
