//! Placing imported records among the account's people: a strong key merges
//! (or suggests, when the names clash), so does the same name at the same
//! organisation when nobody else has that name; a new person is created
//! otherwise, and weak evidence between the people touched and the rest
//! becomes duplicate suggestions at the end.
//!
//! Memory stays bounded: for every person only the identity keys and a
//! small [`Profile`] are kept; full cards are loaded from the transaction
//! when a record needs them, and new or changed cards are written out in
//! batches as the import goes. A batch is written by a task of its own while
//! the next one is matched (the transaction is handed to it and back).

use super::ImportReport;
use crate::error::{AppError, Result};
use kith_core::changes::changes;
use kith_core::identity::{self, Decision, Key, Profile, Region};
use kith_core::{Card, ImportRecord, Person, PersonId};
use kith_store::cards::ChangeRow;
use kith_store::tx::{PersonWrite, PreparedWrite};
use kith_store::{MergeRecord, Suggestion, Tx, now_micros};
use std::collections::{HashMap, HashSet};

/// Cards held in memory before they are written out.
const FLUSH_AT: usize = 1_000;
/// People read at a time when loading the account's keys.
const LOAD_PAGE: i64 = 2_000;
/// In a block larger than this (a name many people share in this address
/// book), a same-name pair alone is not worth a suggestion: only pairs with
/// more evidence (the same organisation) are suggested.
const COMMON_NAME_BLOCK: usize = 4;

/// Readies a record for matching (on the reader's thread: it is pure work):
/// phones to E.164, values it holds twice folded, and its fingerprint.
pub(crate) fn prepare(mut record: ImportRecord, file_name: &str, region: Region) -> ImportRecord {
    identity::normalize_card(&mut record.card, region);
    let mut card = std::mem::take(&mut record.card).deduplicated();
    // Every record is fingerprinted: a record already absorbed is never
    // absorbed again, so re-importing a file changes nothing.
    let fingerprint = identity::record_fingerprint(file_name, &mut card);
    card.records.push(fingerprint);
    record.card = card;
    record
}

/// What changed about a person between two versions of their card, as
/// rows of the "what changed in my network" feed.
fn news(person: PersonId, before: &Card, after: &Card) -> Vec<ChangeRow> {
    let at = now_micros();
    changes(before, after)
        .into_iter()
        .map(|c| ChangeRow {
            id: uuid::Uuid::now_v7(),
            person,
            kind: c.kind,
            old: c.old,
            new: c.new,
            origin: kith_core::changes::ChangeOrigin::Import,
            at,
        })
        .collect()
}

/// A person as the matcher remembers them between records: what weak
/// matching needs (None when they have no name).
type Slot = Option<Profile>;

/// Which people hold each identity key, by a 64-bit hash of the key: the
/// text is not kept (memory), and a collision only adds a candidate whose
/// card is then compared key by key.
#[derive(Default)]
struct KeyIndex(HashMap<u64, Ids>);

/// Usually one person per key; no allocation for that case.
enum Ids {
    One(PersonId),
    Many(Vec<PersonId>),
}

impl KeyIndex {
    fn hash(key: &Key) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        key.hash(&mut h);
        h.finish()
    }

    fn add(&mut self, key: &Key, id: PersonId) {
        match self.0.entry(Self::hash(key)) {
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(Ids::One(id));
            }
            std::collections::hash_map::Entry::Occupied(mut o) => match o.get_mut() {
                Ids::One(first) if *first != id => {
                    let first = *first;
                    o.insert(Ids::Many(vec![first, id]));
                }
                Ids::Many(ids) if !ids.contains(&id) => ids.push(id),
                _ => {}
            },
        }
    }

    fn get(&self, key: &Key) -> &[PersonId] {
        match self.0.get(&Self::hash(key)) {
            Some(Ids::One(id)) => std::slice::from_ref(id),
            Some(Ids::Many(ids)) => ids,
            None => &[],
        }
    }
}

/// A full card in memory.
struct Entry {
    card: Card,
    is_me: bool,
    /// When the person was first stored (microseconds; now for new ones).
    created_at: i64,
    /// Never written to the store yet.
    fresh: bool,
    /// Changed since it was loaded or last written.
    dirty: bool,
}

pub(crate) struct Matcher {
    /// People stored since are new to the user: nothing about them is news.
    pub(crate) session_start: i64,
    /// The transaction, when no batch is being written with it.
    tx: Option<Tx>,
    /// The batch being written; it gives the transaction back when done.
    writing: Option<tokio::task::JoinHandle<Result<Tx>>>,
    file_name: String,
    pub(crate) report: ImportReport,
    slots: HashMap<PersonId, Slot>,
    by_key: KeyIndex,
    /// Which people have each whole name (a key `name:` and the
    /// normalised name): a name nobody else has may merge on the same
    /// organisation.
    by_name: KeyIndex,
    me: Option<PersonId>,
    cards: HashMap<PersonId, Entry>,
    merges: Vec<MergeRecord>,
    suggestions: HashMap<(PersonId, PersonId), Suggestion>,
    /// People created or changed by this import (compared for weak evidence).
    touched: HashSet<PersonId>,
    /// People created by this import.
    created: HashSet<PersonId>,
    /// People who existed before and changed.
    updated: HashSet<PersonId>,
    /// Records to merge into people whose cards are not in memory.
    pending: Vec<Pending>,
    /// What the import says changed about people known before (a new
    /// job, city, address): the "what changed in my network" feed.
    news: Vec<ChangeRow>,
}

/// A record to merge into a person once their card is read.
struct Pending {
    into: PersonId,
    card: Card,
    reasons: Vec<String>,
    /// Suggestions to record if the card brings something new.
    suggest: Vec<(PersonId, f64, Vec<String>)>,
}

impl Matcher {
    /// Reads the keys and profiles of the account's people.
    pub(crate) async fn new(
        mut tx: Tx,
        file_name: String,
        report: ImportReport,
    ) -> Result<Matcher> {
        let mut slots = HashMap::new();
        let mut by_key = KeyIndex::default();
        let mut by_name = KeyIndex::default();
        let mut me = None;
        let mut after = None;
        loop {
            let page = tx.people_after(after, LOAD_PAGE).await?;
            let Some(last) = page.last() else { break };
            after = Some(last.person.id);
            for sp in page {
                let id = sp.person.id;
                if sp.is_me {
                    me = Some(id);
                }
                for k in identity::keys(&sp.person.card) {
                    by_key.add(&k, id);
                }
                let profile = Profile::of(&sp.person.card);
                if let Some(key) = profile.as_ref().and_then(name_key) {
                    by_name.add(&key, id);
                }
                slots.insert(id, profile);
            }
        }
        Ok(Matcher {
            session_start: now_micros(),
            tx: Some(tx),
            writing: None,
            file_name,
            report,
            slots,
            by_key,
            by_name,
            me,
            cards: HashMap::new(),
            merges: Vec::new(),
            suggestions: HashMap::new(),
            touched: HashSet::new(),
            created: HashSet::new(),
            updated: HashSet::new(),
            pending: Vec::new(),
            news: Vec::new(),
        })
    }

    /// Matches one record and merges it, adds it, or suggests it; returns
    /// the person who holds it now. `record` must have been [`prepare`]d.
    pub(crate) async fn place(&mut self, record: ImportRecord) -> Result<PersonId> {
        let card = record.card;

        if record.about_owner {
            match self.me {
                Some(id) => {
                    self.load(id).await?;
                    self.absorb(id, card, vec!["your own profile".into()]);
                    self.flush_if_full().await?;
                    return Ok(id);
                }
                None => {
                    let id = PersonId::new();
                    self.me = Some(id);
                    let keys = identity::keys(&card);
                    self.create(id, card, &keys, true);
                    self.flush_if_full().await?;
                    return Ok(id);
                }
            }
        }

        // The same record (file name and content) imported before: its
        // person holds all of it already, so their card is not read back
        // (a re-import of an unchanged file read every card: twice the
        // first import's time).
        if let Some(fingerprint) = card.records.last() {
            let key = Key(format!("rec:{fingerprint}"));
            if let [id] = self.by_key.get(&key) {
                self.report.merged += 1;
                self.report.unchanged += 1;
                return Ok(*id);
            }
        }
        let keys = identity::keys(&card);
        let profile = Profile::with_keys(&card, &keys);
        let mut candidates: Vec<PersonId> = Vec::new();
        for k in &keys {
            for id in self.by_key.get(k) {
                if !candidates.contains(id) {
                    candidates.push(*id);
                }
            }
        }
        // Decided on what is kept of each person (keys by hash, profile),
        // so that no card has to be read while a batch is being written.
        let mut merge_with: Option<(PersonId, Vec<String>, usize)> = None;
        let mut suggest: Vec<(PersonId, f64, Vec<String>)> = Vec::new();
        for id in candidates {
            let shared: Vec<Key> = keys
                .iter()
                .filter(|k| self.by_key.get(k).contains(&id))
                .cloned()
                .collect();
            let crowded = shared.iter().any(|k| self.by_key.get(k).len() >= 2);
            let theirs = self.slots.get(&id).and_then(Option::as_ref);
            match identity::decide_profiles(profile.as_ref(), theirs, &shared, crowded) {
                Decision::Merge { reasons } => {
                    if merge_with
                        .as_ref()
                        .is_none_or(|(_, _, n)| shared.len() > *n)
                    {
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
        match &merge_with {
            None => {
                merge_with = self
                    .same_name_and_organisation(profile.as_ref())
                    .map(|(id, reasons)| (id, reasons, 0));
            }
            // The record may carry a name its person was not known by (a
            // married name): others of that name are compared with it, as
            // the end of the import compares only the person's own name.
            Some((into, _, _)) => {
                if let Some(p) = profile.as_ref()
                    && let Some(key) = name_key(p)
                {
                    for other in self.by_name.get(&key) {
                        let theirs = self.slots.get(other).and_then(Option::as_ref);
                        if other != into
                            && let Some((score, reasons)) =
                                theirs.and_then(|t| identity::weak_evidence_of(p, t))
                        {
                            suggest.push((*other, score, reasons));
                        }
                    }
                }
            }
        }
        let holder = match merge_with {
            Some((id, reasons, _)) if !self.cards.contains_key(&id) => {
                // Their card is read with the others at the next flush.
                for k in &keys {
                    self.by_key.add(k, id);
                }
                let known = self.slots.get(&id).and_then(Option::as_ref);
                let merged = Profile::merged(known, profile.as_ref());
                self.slots.insert(id, merged);
                self.pending.push(Pending {
                    into: id,
                    card,
                    reasons,
                    suggest,
                });
                id
            }
            Some((id, reasons, _)) => {
                self.absorb_and_suggest(id, card, reasons, suggest);
                id
            }
            None => {
                let id = PersonId::new();
                self.create(id, card, &keys, false);
                self.add_suggestions(id, suggest);
                id
            }
        };
        self.flush_if_full().await?;
        Ok(holder)
    }

    /// Puts a new version of a record into the person who holds its
    /// previous one (a card changed in an address book kith reads):
    /// `take_out` removes what the previous version brought, then the new
    /// one is absorbed; what changed is news as with any re-import. A
    /// person gone since is matched as a new record would be.
    pub(crate) async fn replace(
        &mut self,
        id: PersonId,
        record: ImportRecord,
        take_out: impl FnOnce(&mut Card),
    ) -> Result<PersonId> {
        self.load(id).await?;
        let Some(entry) = self.cards.get_mut(&id) else {
            return self.place(record).await;
        };
        let before = entry.card.clone();
        take_out(&mut entry.card);
        entry.card.absorb(record.card);
        entry.dirty = true;
        let (is_me, created_at) = (entry.is_me, entry.created_at);
        let after = entry.card.clone();
        let keys = identity::keys(&after);
        self.index(id, &after, &keys);
        self.touched.insert(id);
        if !self.created.contains(&id) {
            self.updated.insert(id);
            if !is_me && created_at < self.session_start {
                self.news.extend(news(id, &before, &after));
            }
        }
        self.flush_if_full().await?;
        Ok(id)
    }

    /// The one person of the book with this record's whole name, when both
    /// are at the same organisation and nothing of theirs disagrees
    /// ([`identity::same_name_and_organisation`]).
    fn same_name_and_organisation(
        &self,
        profile: Option<&Profile>,
    ) -> Option<(PersonId, Vec<String>)> {
        let profile = profile?;
        let [id] = self.by_name.get(&name_key(profile)?) else {
            return None;
        };
        if Some(*id) == self.me {
            return None;
        }
        let theirs = self.slots.get(id)?.as_ref()?;
        identity::same_name_and_organisation(profile, theirs).map(|reasons| (*id, reasons))
    }

    /// Merges a card into a person whose card is in memory, then records
    /// the suggestions that came with it (unless the card was known already).
    fn absorb_and_suggest(
        &mut self,
        id: PersonId,
        card: Card,
        reasons: Vec<String>,
        suggest: Vec<(PersonId, f64, Vec<String>)>,
    ) {
        if self.absorb(id, card, reasons) {
            self.add_suggestions(id, suggest);
        }
    }

    fn add_suggestions(&mut self, target: PersonId, suggest: Vec<(PersonId, f64, Vec<String>)>) {
        for (other, score, reasons) in suggest {
            if other != target {
                add_suggestion(&mut self.suggestions, target, other, score, reasons);
            }
        }
    }

    /// Reads the cards that pending merges go into (one query, while no
    /// batch is being written) and merges them. A person who cannot be read
    /// any more gets the card as a new person: an import never drops one.
    async fn settle_pending(&mut self) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let mut wanted: Vec<PersonId> = self
            .pending
            .iter()
            .map(|p| p.into)
            .filter(|id| !self.cards.contains_key(id))
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        for sp in self.tx().await?.people_by_ids(&wanted).await? {
            let entry = Entry {
                card: sp.person.card,
                is_me: sp.is_me,
                created_at: sp.created_at,
                fresh: false,
                dirty: false,
            };
            self.cards.insert(sp.person.id, entry);
        }
        for p in std::mem::take(&mut self.pending) {
            if self.cards.contains_key(&p.into) {
                self.absorb_and_suggest(p.into, p.card, p.reasons, p.suggest);
            } else {
                let id = PersonId::new();
                let keys = identity::keys(&p.card);
                self.create(id, p.card, &keys, false);
                self.add_suggestions(id, p.suggest);
            }
        }
        Ok(())
    }

    /// Brings a person's card into memory (from the transaction).
    async fn load(&mut self, id: PersonId) -> Result<()> {
        if self.cards.contains_key(&id) {
            return Ok(());
        }
        if let Some(sp) = self.tx().await?.person(id).await? {
            let entry = Entry {
                card: sp.person.card,
                is_me: sp.is_me,
                created_at: sp.created_at,
                fresh: false,
                dirty: false,
            };
            self.cards.insert(id, entry);
        }
        Ok(())
    }

    fn create(&mut self, id: PersonId, card: Card, keys: &[Key], is_me: bool) {
        self.report.created += 1;
        self.created.insert(id);
        self.index(id, &card, keys);
        self.touched.insert(id);
        self.cards.insert(
            id,
            Entry {
                card,
                is_me,
                created_at: now_micros(),
                fresh: true,
                dirty: true,
            },
        );
    }

    /// Merges an imported card into a person, recording the merge so it can
    /// be undone (the record then becomes a person of its own). Returns false
    /// when the card brought nothing new.
    fn absorb(&mut self, id: PersonId, card: Card, reasons: Vec<String>) -> bool {
        self.report.merged += 1;
        let Some(entry) = self.cards.get_mut(&id) else {
            return false;
        };
        let already = card.records.iter().all(|r| entry.card.records.contains(r));
        if already || entry.card.contains_all(&card) {
            self.report.unchanged += 1;
            return false;
        }
        let before = entry.card.clone();
        // News is what a source says now that it said otherwise before (a
        // newer LinkedIn export, the phone's card again): what one source
        // adds to another's values is a difference between them, not a
        // change in the person's life.
        let incoming: Vec<String> = card.all_sources().into_iter().map(|s| s.format).collect();
        let said_before = before
            .all_sources()
            .iter()
            .any(|s| incoming.contains(&s.format));
        entry.card.absorb(card.clone());
        entry.dirty = true;
        if !self.created.contains(&id) {
            self.updated.insert(id);
            if !entry.is_me && said_before && entry.created_at < self.session_start {
                self.news.extend(news(id, &before, &entry.card));
            }
        }
        let merged = entry.card.clone();
        self.index(id, &merged, &identity::keys(&merged));
        self.touched.insert(id);
        self.merges.push(MergeRecord {
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

    /// Records a person's keys (those of `card`) and profile.
    fn index(&mut self, id: PersonId, card: &Card, keys: &[Key]) {
        for k in keys {
            self.by_key.add(k, id);
        }
        let profile = Profile::with_keys(card, keys);
        if let Some(key) = profile.as_ref().and_then(name_key) {
            self.by_name.add(&key, id);
        }
        self.slots.insert(id, profile);
    }

    async fn flush_if_full(&mut self) -> Result<()> {
        if self.cards.len() + self.pending.len() >= FLUSH_AT {
            self.flush().await?;
        }
        Ok(())
    }

    /// The transaction, once the batch being written (if any) is done.
    async fn tx(&mut self) -> Result<&mut Tx> {
        if let Some(writing) = self.writing.take() {
            let tx = writing
                .await
                .map_err(|e| AppError::Invalid(format!("writing the import failed: {e}")))??;
            self.tx = Some(tx);
        }
        self.tx
            .as_mut()
            .ok_or_else(|| AppError::Invalid("the import lost its transaction".into()))
    }

    /// Hands changed cards and merge records to a writer task, and forgets
    /// the cards. They are serialised here (the writer is the import's
    /// bottleneck), most of them while the previous batch is still being
    /// written: only the cards that pending merges go into must wait for it.
    async fn flush(&mut self) -> Result<()> {
        let targets: HashSet<PersonId> = self.pending.iter().map(|p| p.into).collect();
        let ready: Vec<PersonId> = self
            .cards
            .keys()
            .filter(|id| !targets.contains(id))
            .copied()
            .collect();
        let mut prepared = Vec::with_capacity(self.cards.len());
        for id in ready {
            if let Some(entry) = self.cards.remove(&id) {
                prepared.extend(prepare_write(id, entry)?);
            }
        }
        self.settle_pending().await?;
        for (id, entry) in self.cards.drain() {
            prepared.extend(prepare_write(id, entry)?);
        }
        let merges: Vec<MergeRecord> = self.merges.drain(..).collect();
        self.tx().await?;
        let Some(mut tx) = self.tx.take() else {
            return Err(AppError::Invalid("the import lost its transaction".into()));
        };
        self.writing = Some(tokio::spawn(async move {
            tx.put_prepared(&prepared).await?;
            for m in &merges {
                tx.insert_merge(m).await?;
            }
            Ok(tx)
        }));
        Ok(())
    }

    /// Writes what is left, the duplicate suggestions and the import record;
    /// gives the transaction back (uncommitted) with the final report.
    pub(crate) async fn finish(mut self) -> Result<(Tx, ImportReport)> {
        self.flush().await?;
        // Runs while the last batch is being written.
        self.weak_suggestions();
        self.tx().await?;
        let Some(mut tx) = self.tx.take() else {
            return Err(AppError::Invalid("the import lost its transaction".into()));
        };
        let mut list: Vec<Suggestion> = self.suggestions.into_values().collect();
        list.sort_by(|a, b| b.score.total_cmp(&a.score));
        let mut report = self.report;
        report.suggested = list.len() as u64;
        report.updated = self.updated.len() as u64;
        tx.add_suggestions(&list).await?;
        tx.add_person_changes(&self.news).await?;
        let summary = serde_json::json!({
            "records": report.records, "created": report.created, "updated": report.updated,
            "merged": report.merged, "unchanged": report.unchanged, "suggested": report.suggested,
            "skipped": report.skipped,
        });
        tx.record_import(&self.file_name, &report.format, &summary)
            .await?;
        Ok((tx, report))
    }

    /// Weak-evidence suggestions between each touched person and the people
    /// sharing one of their blocks.
    fn weak_suggestions(&mut self) {
        if self.touched.is_empty() {
            return;
        }
        let mut blocks: HashMap<String, Vec<PersonId>> = HashMap::new();
        for (id, slot) in &self.slots {
            for b in slot.iter().flat_map(Profile::blocks) {
                blocks.entry(b).or_default().push(*id);
            }
        }
        let mut seen: HashSet<PersonId> = HashSet::new();
        for id in &self.touched {
            let Some(profile) = self.slots.get(id).and_then(|s| s.as_ref()) else {
                continue;
            };
            seen.clear();
            for block in profile.probes() {
                let Some(members) = blocks.get(&block) else {
                    continue;
                };
                let crowded = members.len() > COMMON_NAME_BLOCK;
                for other in members {
                    let pair = if id < other {
                        (*id, *other)
                    } else {
                        (*other, *id)
                    };
                    if other == id || !seen.insert(*other) || self.suggestions.contains_key(&pair) {
                        continue;
                    }
                    let Some(theirs) = self.slots.get(other).and_then(|s| s.as_ref()) else {
                        continue;
                    };
                    if crowded && !profile.orgs.iter().any(|o| theirs.orgs.contains(o)) {
                        continue;
                    }
                    if let Some((score, reasons)) = identity::weak_evidence_of(profile, theirs) {
                        add_suggestion(&mut self.suggestions, *id, *other, score, reasons);
                    }
                }
            }
        }
    }
}

/// The [`KeyIndex`] key of a person's whole name (None without one).
fn name_key(profile: &Profile) -> Option<Key> {
    (!profile.full.is_empty()).then(|| Key(format!("name:{}", profile.full)))
}

/// A card ready for the writer, if it changed.
fn prepare_write(id: PersonId, entry: Entry) -> Result<Option<PreparedWrite>> {
    if !entry.dirty {
        return Ok(None);
    }
    let person = Person {
        id,
        card: entry.card,
    };
    let write = PersonWrite {
        person: &person,
        is_me: entry.is_me,
        fresh: entry.fresh,
    };
    Ok(Some(write.prepare()?))
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
