//! People use cases: list, find by id or email, add, edit, delete, merge two
//! people, undo a merge, and the duplicate suggestions.

use crate::App;
use crate::error::{AppError, Result};
use crate::view::{PersonRef, PersonView, SuggestionView};
use kith_core::identity::{self, email_key};
use kith_core::{Card, ContactPoint, Person, PersonId, PersonName, Position, Source, Text};
use kith_store::tx::PersonWrite;
use kith_store::{MergeRecord, PeopleFilter, StoredPerson, Tx, now_micros};

/// How long a deleted person can be restored.
pub const RESTORE_WINDOW: std::time::Duration = std::time::Duration::from_secs(30 * 24 * 3600);

/// Changes to a person's card, as given on the command line or a form.
#[derive(Clone, Debug, Default)]
pub struct PersonEdit {
    pub name: Option<String>,
    pub given: Option<String>,
    pub family: Option<String>,
    pub add_emails: Vec<String>,
    pub remove_emails: Vec<String>,
    pub add_phones: Vec<String>,
    pub remove_phones: Vec<String>,
    pub add_urls: Vec<String>,
    pub add_tags: Vec<String>,
    pub remove_tags: Vec<String>,
    pub add_notes: Vec<String>,
    pub nicknames: Vec<String>,
    pub birthday: Option<String>,
    /// A new current position (organisation and/or title).
    pub organization: Option<String>,
    pub title: Option<String>,
    /// The whole job history, replacing the card's (None: unchanged).
    pub positions: Option<Vec<PositionEdit>>,
}

/// Whose name a merged person goes by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NameKept {
    /// The person merged into (the usual).
    #[default]
    Survivor,
    /// The person merged away.
    Absorbed,
}

/// Most people (or pairs) merged by one request.
pub const MAX_MERGED_AT_ONCE: usize = 200;

/// One position of a job history as given by hand.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PositionEdit {
    pub organization: String,
    pub title: String,
    /// YYYY, YYYY-MM or YYYY-MM-DD.
    pub start: Option<String>,
    /// None: the position is current.
    pub end: Option<String>,
}

/// Whether `d` is a date of the form YYYY, YYYY-MM or YYYY-MM-DD.
fn is_partial_date(d: &str) -> bool {
    let parts: Vec<&str> = d.split('-').collect();
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let number = |s: &str| s.parse::<u32>().unwrap_or(0);
    match parts.as_slice() {
        [y] => digits(y, 4),
        [y, m] => digits(y, 4) && digits(m, 2) && (1..=12).contains(&number(m)),
        [y, m, day] => {
            digits(y, 4)
                && digits(m, 2)
                && digits(day, 2)
                && (1..=12).contains(&number(m))
                && (1..=31).contains(&number(day))
        }
        _ => false,
    }
}

/// The positions of an edit, checked, keeping the sources of positions the
/// card already had.
fn edited_positions(
    old: &[Position],
    edits: &[PositionEdit],
    src: &Source,
) -> Result<Vec<Position>> {
    let mut out = Vec::with_capacity(edits.len());
    for (i, e) in edits.iter().enumerate() {
        let n = i + 1;
        let (organization, title) = (e.organization.trim(), e.title.trim());
        if organization.is_empty() && title.is_empty() {
            return Err(AppError::Invalid(format!(
                "position {n}: give an organisation or a title"
            )));
        }
        let date = |d: &Option<String>, what: &str| -> Result<Option<String>> {
            match d.as_deref().map(str::trim) {
                None | Some("") => Ok(None),
                Some(d) if is_partial_date(d) => Ok(Some(d.to_string())),
                Some(d) => Err(AppError::Invalid(format!(
                    "position {n}: {what} {d:?}: use YYYY, YYYY-MM or YYYY-MM-DD"
                ))),
            }
        };
        let (start, end) = (date(&e.start, "start")?, date(&e.end, "end")?);
        if let (Some(s), Some(e)) = (&start, &end)
            && e < s
        {
            return Err(AppError::Invalid(format!(
                "position {n}: it ends ({e}) before it starts ({s})"
            )));
        }
        let same = old.iter().find(|p| {
            p.organization == organization && p.title == title && p.start == start && p.end == end
        });
        out.push(match same {
            Some(p) => p.clone(),
            None => Position {
                organization: organization.to_string(),
                title: title.to_string(),
                start,
                end,
                sources: vec![src.clone()],
                ..Default::default()
            },
        });
    }
    Ok(out)
}

impl App {
    pub async fn list_people(&self, filter: &PeopleFilter) -> Result<Vec<PersonView>> {
        // A plain search in name order: the in-memory index, when kept.
        if let (Some(q), None, None, kith_store::PeopleSort::Name, Some(limit)) = (
            &filter.search,
            &filter.tag,
            &filter.organization,
            filter.sort,
            filter.limit,
        ) {
            let offset = usize::try_from(filter.offset.unwrap_or(0)).unwrap_or(0);
            let limit = usize::try_from(limit).unwrap_or(0);
            if let Some(found) = self.search_people(q, offset, limit).await? {
                return Ok(found);
            }
        }
        let mut tx = self.store.begin_read(self.account).await?;
        let people = tx.people(filter).await?;
        Ok(people.iter().map(PersonView::from).collect())
    }

    /// Finds a living person by id, or by an email address.
    pub async fn find_person(&self, id_or_email: &str) -> Result<PersonView> {
        let mut tx = self.store.begin_read(self.account).await?;
        let sp = resolve(&mut tx, id_or_email).await?;
        Ok(PersonView::from(&sp))
    }

    /// Adds a person by hand.
    pub async fn add_person(&self, edit: &PersonEdit) -> Result<PersonView> {
        let mut card = Card::default();
        apply_edit(&mut card, edit, self.phone_region().await?)?;
        if card.is_blank() {
            return Err(AppError::Invalid(
                "a person needs at least a name, an email or a phone".into(),
            ));
        }
        let person = Person {
            id: PersonId::new(),
            card,
        };
        let tx = self.store.begin(self.account).await?;
        write_and_commit(tx, &person, false, true).await
    }

    /// Edits a person; returns the new view.
    pub async fn edit_person(&self, id_or_email: &str, edit: &PersonEdit) -> Result<PersonView> {
        self.edit_person_if(id_or_email, edit, None).await
    }

    /// Edits a person if they are still at `version` (when given): a lost
    /// update is refused with [`AppError::Stale`], nothing written.
    pub async fn edit_person_if(
        &self,
        id_or_email: &str,
        edit: &PersonEdit,
        version: Option<i64>,
    ) -> Result<PersonView> {
        let mut tx = self.store.begin(self.account).await?;
        let sp = resolve(&mut tx, id_or_email).await?;
        check_version(&sp, version)?;
        let mut person = sp.person.clone();
        apply_edit(&mut person.card, edit, self.phone_region().await?)?;
        write_and_commit(tx, &person, sp.is_me, false).await
    }

    /// Deletes a person (kept, recoverable, until purged).
    pub async fn delete_person(&self, id_or_email: &str) -> Result<PersonView> {
        self.delete_person_if(id_or_email, None).await
    }

    /// People deleted in the last [`RESTORE_WINDOW`], most recent first.
    pub async fn deleted_people(&self) -> Result<Vec<PersonView>> {
        let mut tx = self.store.begin_read(self.account).await?;
        let since = kith_store::now_micros() - RESTORE_WINDOW.as_micros() as i64;
        let people = tx.deleted_people(since, 500).await?;
        Ok(people.iter().map(PersonView::from).collect())
    }

    /// Removes for good the people deleted longer ago than
    /// [`RESTORE_WINDOW`]; returns how many.
    pub async fn purge_deleted(&self) -> Result<u64> {
        let mut tx = self.store.begin(self.account).await?;
        let before = kith_store::now_micros() - RESTORE_WINDOW.as_micros() as i64;
        let n = tx.purge_deleted(before).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Brings back a person deleted in the last [`RESTORE_WINDOW`] (not one
    /// merged into someone: that is undone with unmerge).
    pub async fn restore_person(&self, id: &str) -> Result<PersonView> {
        let not_found = || AppError::NotFound(format!("no deleted person with id {id}"));
        let pid: PersonId = id.trim().parse().map_err(|_| not_found())?;
        let mut tx = self.store.begin(self.account).await?;
        let since = kith_store::now_micros() - RESTORE_WINDOW.as_micros() as i64;
        // Only a person in this account's recent deletions can come back.
        let deleted = tx.deleted_people(since, i64::MAX).await?;
        let sp = deleted
            .into_iter()
            .find(|sp| sp.person.id == pid)
            .ok_or_else(not_found)?;
        write_and_commit(tx, &sp.person, sp.is_me, false).await
    }

    /// Deletes a person if they are still at `version` (when given).
    pub async fn delete_person_if(
        &self,
        id_or_email: &str,
        version: Option<i64>,
    ) -> Result<PersonView> {
        let mut tx = self.store.begin(self.account).await?;
        let sp = resolve(&mut tx, id_or_email).await?;
        check_version(&sp, version)?;
        tx.delete_person(sp.person.id, None).await?;
        tx.commit().await?;
        Ok(PersonView::from(&sp))
    }

    /// Merges `absorbed` into `survivor`: every value kept, the merge recorded.
    pub async fn merge_people(&self, survivor: &str, absorbed: &str) -> Result<PersonView> {
        self.merge_people_keeping(survivor, absorbed, NameKept::Survivor)
            .await
    }

    /// Merges every person of `ids` into the first, one merge each (each
    /// undone on its own); ids already merged away are passed over.
    pub async fn merge_all(&self, ids: &[String]) -> Result<PersonView> {
        let (first, rest) = ids
            .split_first()
            .ok_or_else(|| AppError::Invalid("name the people to merge".into()))?;
        if ids.len() > MAX_MERGED_AT_ONCE {
            return Err(AppError::Invalid(format!(
                "at most {MAX_MERGED_AT_ONCE} people are merged at once"
            )));
        }
        let mut merged = self.find_person(first).await?;
        for other in rest {
            if other == first || self.find_person(other).await.is_err() {
                continue;
            }
            merged = self.merge_people(first, other).await?;
        }
        Ok(merged)
    }

    /// Merges every open suggestion scoring at least `min_score` (0..=1),
    /// best first, at most [`MAX_MERGED_AT_ONCE`] pairs a call. Returns how
    /// many pairs were merged.
    pub async fn merge_suggestions_above(&self, min_score: f64) -> Result<usize> {
        if !(0.5..=1.0).contains(&min_score) {
            return Err(AppError::Invalid(format!(
                "merge suggestions scoring at least 50% to 100%, not {:.0}%",
                min_score * 100.0
            )));
        }
        let (_, list) = self.duplicates_page(0, MAX_MERGED_AT_ONCE).await?;
        let mut merged = 0;
        for s in list.iter().filter(|s| s.score >= min_score) {
            let (a, b) = (s.people[0].id.to_string(), s.people[1].id.to_string());
            // A person merged away by an earlier pair of this run.
            if self.find_person(&a).await.is_err() || self.find_person(&b).await.is_err() {
                continue;
            }
            self.merge_people(&a, &b).await?;
            merged += 1;
        }
        Ok(merged)
    }

    /// [`App::merge_people`], keeping the name of either.
    pub async fn merge_people_keeping(
        &self,
        survivor: &str,
        absorbed: &str,
        name: NameKept,
    ) -> Result<PersonView> {
        let mut tx = self.store.begin(self.account).await?;
        let a = resolve(&mut tx, survivor).await?;
        let b = resolve(&mut tx, absorbed).await?;
        if a.person.id == b.person.id {
            return Err(AppError::Invalid(
                "cannot merge a person with themselves".into(),
            ));
        }
        let mut merged = a.person.clone();
        merged.card.absorb(b.person.card.clone());
        if name == NameKept::Absorbed && !b.person.card.name.is_empty() {
            let chosen = b.person.card.name.clone();
            let old = std::mem::replace(&mut merged.card.name, chosen.clone());
            merged.card.other_names.retain(|n| !n.same_as(&chosen));
            if !old.is_empty() && !merged.card.other_names.iter().any(|n| n.same_as(&old)) {
                merged.card.other_names.push(old);
            }
        }
        tx.put_people(&[PersonWrite {
            person: &merged,
            is_me: a.is_me || b.is_me,
            fresh: false,
        }])
        .await?;
        tx.delete_person(b.person.id, Some(a.person.id)).await?;
        tx.insert_merge(&MergeRecord {
            id: uuid::Uuid::now_v7(),
            survivor: a.person.id,
            absorbed: b.person.id,
            survivor_before: a.person.card.clone(),
            absorbed_card: b.person.card.clone(),
            reasons: vec!["merged by hand".into()],
            created_at: now_micros(),
            undone_at: None,
        })
        .await?;
        tx.set_suggestion_status(a.person.id, b.person.id, "merged")
            .await?;
        let sp = tx
            .person(a.person.id)
            .await?
            .ok_or_else(|| AppError::NotFound("person vanished".into()))?;
        tx.commit().await?;
        Ok(PersonView::from(&sp))
    }

    /// The name of the card last merged into a person, while that merge
    /// can still be undone.
    pub async fn last_merge(&self, id: &str) -> Result<Option<String>> {
        let Ok(pid) = id.trim().parse::<PersonId>() else {
            return Ok(None);
        };
        let mut tx = self.store.begin_read(self.account).await?;
        Ok(tx.last_merge_into(pid).await?.map(|c| c.display_name()))
    }

    /// Undoes the latest merge involving a person (given by the id of either
    /// side): the absorbed card becomes a person again and the survivor loses
    /// the values that only it brought. Returns (survivor, restored).
    pub async fn unmerge(&self, id: &str) -> Result<(PersonView, PersonView)> {
        let pid: PersonId = id
            .trim()
            .parse()
            .map_err(|_| AppError::Invalid(format!("{id:?} is not a person id")))?;
        let mut tx = self.store.begin(self.account).await?;
        let merges = tx.merges(Some(pid)).await?;
        let m = merges
            .into_iter()
            .next()
            .ok_or_else(|| AppError::NotFound(format!("no merge to undo for {id}")))?;
        let survivor = tx.person(m.survivor).await?.ok_or_else(|| {
            AppError::NotFound(format!("the merged person {} no longer exists", m.survivor))
        })?;
        let mut kept = survivor.person.clone();
        kept.card.separate(&m.absorbed_card, &m.survivor_before);
        let restored = Person {
            id: m.absorbed,
            card: m.absorbed_card.clone(),
        };
        let existed = tx.person_even_deleted(m.absorbed).await?.is_some();
        tx.put_people(&[
            PersonWrite {
                person: &kept,
                is_me: survivor.is_me,
                fresh: false,
            },
            PersonWrite {
                person: &restored,
                is_me: false,
                fresh: !existed,
            },
        ])
        .await?;
        tx.mark_merge_undone(m.id).await?;
        if !existed {
            // A record an import merged in was never a person of its own
            // and has no sharing rule: it keeps the one of the person it
            // was part of (a rule set on someone covers all they held).
            let rules = crate::sharing::person_rules(&tx.sharing_rules().await?);
            let parts = crate::sharing::merged_parts(&tx.merged_people().await?);
            let level = crate::sharing::parts_rules(m.survivor, &rules, &parts)
                .into_iter()
                .flatten()
                .min();
            if let Some(level) = level {
                tx.set_sharing_rule(&format!("person:{}", m.absorbed), Some(level))
                    .await?;
            }
        }
        // Undone, they are two people: the pair is not suggested again
        // (the review queue's own Undo puts it back with restore_duplicate).
        tx.set_suggestion_status(m.survivor, m.absorbed, "dismissed")
            .await?;
        let a = tx
            .person(m.survivor)
            .await?
            .ok_or_else(|| AppError::NotFound("person vanished".into()))?;
        let b = tx
            .person(m.absorbed)
            .await?
            .ok_or_else(|| AppError::NotFound("person vanished".into()))?;
        tx.commit().await?;
        Ok((PersonView::from(&a), PersonView::from(&b)))
    }

    /// Open duplicate suggestions, best first.
    pub async fn duplicates(&self) -> Result<Vec<SuggestionView>> {
        Ok(self.duplicates_page(0, usize::MAX).await?.1)
    }

    /// A page of open suggestions, best first, and how many there are in
    /// all: only the page's people are read (an import can leave tens of
    /// thousands of suggestions).
    pub async fn duplicates_page(
        &self,
        offset: usize,
        limit: usize,
    ) -> Result<(usize, Vec<SuggestionView>)> {
        let mut tx = self.store.begin_read(self.account).await?;
        let to_i64 = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        let (total, list) = tx
            .open_suggestions_page(to_i64(offset), to_i64(limit))
            .await?;
        let mut ids: Vec<PersonId> = list.iter().flat_map(|s| [s.a, s.b]).collect();
        ids.sort();
        ids.dedup();
        let people: std::collections::HashMap<PersonId, StoredPerson> = tx
            .people_by_ids(&ids)
            .await?
            .into_iter()
            .map(|sp| (sp.person.id, sp))
            .collect();
        let out = list
            .into_iter()
            .filter_map(|s| {
                let (a, b) = (people.get(&s.a)?, people.get(&s.b)?);
                Some(SuggestionView {
                    people: [person_ref(a), person_ref(b)],
                    score: (s.score * 100.0).round() / 100.0,
                    reasons: s.reasons,
                })
            })
            .collect();
        Ok((usize::try_from(total).unwrap_or(0), out))
    }

    /// Dismisses a suggestion: the two stay apart and are not suggested again.
    pub async fn dismiss_duplicate(&self, a: &str, b: &str) -> Result<()> {
        let mut tx = self.store.begin(self.account).await?;
        let a = resolve(&mut tx, a).await?;
        let b = resolve(&mut tx, b).await?;
        tx.set_suggestion_status(a.person.id, b.person.id, "dismissed")
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Takes a dismissal back: the pair is suggested again.
    pub async fn restore_duplicate(&self, a: &str, b: &str) -> Result<()> {
        let mut tx = self.store.begin(self.account).await?;
        let a = resolve(&mut tx, a).await?;
        let b = resolve(&mut tx, b).await?;
        tx.set_suggestion_status(a.person.id, b.person.id, "open")
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Writes one person, commits, and returns them as stored.
async fn write_and_commit(
    mut tx: Tx,
    person: &Person,
    is_me: bool,
    fresh: bool,
) -> Result<PersonView> {
    tx.put_people(&[PersonWrite {
        person,
        is_me,
        fresh,
    }])
    .await?;
    let sp = tx
        .person(person.id)
        .await?
        .ok_or_else(|| AppError::NotFound("person vanished".into()))?;
    tx.commit().await?;
    Ok(PersonView::from(&sp))
}

fn person_ref(sp: &StoredPerson) -> PersonRef {
    PersonRef {
        id: sp.person.id,
        name: sp.person.card.display_name(),
    }
}

/// A living person of the transaction's account, by id or email.
fn check_version(sp: &StoredPerson, version: Option<i64>) -> Result<()> {
    match version {
        Some(v) if v != sp.version => Err(AppError::Stale(format!(
            "{} changed since you read them (version {v}, now {}): read them again and redo your change",
            sp.person.card.display_name(),
            sp.version
        ))),
        _ => Ok(()),
    }
}

pub(crate) async fn resolve(tx: &mut Tx, id_or_email: &str) -> Result<StoredPerson> {
    let q = id_or_email.trim();
    if let Ok(id) = q.parse::<PersonId>() {
        return tx
            .person(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no person with id {q}")));
    }
    if let Some(email) = email_key(q) {
        let ids = tx.people_with_key(&format!("email:{email}")).await?;
        return match ids.as_slice() {
            [] => Err(AppError::NotFound(format!("no person with email {q}"))),
            [id] => tx
                .person(*id)
                .await?
                .ok_or_else(|| AppError::NotFound(format!("no person with email {q}"))),
            many => Err(AppError::Invalid(format!(
                "{} people have the email {q}; use an id: {}",
                many.len(),
                many.iter()
                    .map(|i| i.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        };
    }
    Err(AppError::NotFound(format!(
        "{q:?} is neither a person id nor an email address"
    )))
}

/// A person of the address book by id, email, LinkedIn profile URL or
/// exact name (several people of one name: an error listing their ids).
pub(crate) async fn resolve_loose(tx: &mut Tx, q: &str) -> Result<StoredPerson> {
    let q = q.trim();
    if q.parse::<PersonId>().is_ok() || email_key(q).is_some() {
        return resolve(tx, q).await;
    }
    let ids = match identity::linkedin_slug(q) {
        Some(slug) => tx.people_with_key(&format!("linkedin:{slug}")).await?,
        None => {
            let filter = kith_store::PeopleFilter {
                search: Some(q.to_string()),
                limit: Some(50),
                ..Default::default()
            };
            let wanted = kith_core::names::normalize(q);
            tx.people(&filter)
                .await?
                .into_iter()
                .filter(|sp| kith_core::names::normalize(&sp.person.card.display_name()) == wanted)
                .map(|sp| sp.person.id)
                .collect()
        }
    };
    match ids.as_slice() {
        [] => Err(AppError::NotFound(format!(
            "nobody in your address book is {q:?}"
        ))),
        [id] => tx
            .person(*id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("nobody in your address book is {q:?}"))),
        many => Err(AppError::Invalid(format!(
            "{} people match {q:?}; use an id: {}",
            many.len(),
            many.iter()
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

fn apply_edit(card: &mut Card, edit: &PersonEdit, region: identity::Region) -> Result<()> {
    let src = Source::manual();
    let manual = |v: &str| {
        let mut cp = ContactPoint::new(v.trim());
        cp.sources.push(src.clone());
        cp
    };
    if edit.name.is_some() || edit.given.is_some() || edit.family.is_some() {
        let old = std::mem::take(&mut card.name);
        let mut name = PersonName {
            full: edit.name.clone().unwrap_or_default(),
            given: edit.given.clone().unwrap_or_default(),
            family: edit.family.clone().unwrap_or_default(),
            sources: vec![src.clone()],
            ..Default::default()
        };
        if name.given.is_empty() && name.family.is_empty() {
            if let Some((g, f)) = name.full.trim().rsplit_once(' ') {
                name.given = g.to_string();
                name.family = f.to_string();
            } else {
                name.given = name.full.trim().to_string();
            }
        }
        if !old.is_empty()
            && !old.same_as(&name)
            && !card.other_names.iter().any(|n| n.same_as(&old))
        {
            // The old name is kept, not lost.
            card.other_names.push(old);
        }
        card.name = name;
    }
    for e in &edit.add_emails {
        if email_key(e).is_none() {
            return Err(AppError::Invalid(format!("{e:?} is not an email address")));
        }
        card.emails.push(manual(e));
    }
    for e in &edit.remove_emails {
        let k = email_key(e);
        card.emails.retain(|x| email_key(&x.value) != k);
    }
    // Normalised to E.164 with the rest of the card below.
    card.phones
        .extend(edit.add_phones.iter().map(|p| manual(p)));
    for p in &edit.remove_phones {
        let norm = identity::phone_e164(p, region).unwrap_or_else(|| p.trim().to_string());
        card.phones
            .retain(|x| x.value != norm && x.raw.as_deref() != Some(p.trim()));
    }
    for u in &edit.add_urls {
        card.urls.push(manual(u));
    }
    for t in &edit.add_tags {
        if !card.tags.iter().any(|x| x.value == *t) {
            card.tags.push(Text::new(t.trim(), Some(&src)));
        }
    }
    card.tags.retain(|t| !edit.remove_tags.contains(&t.value));
    for n in &edit.add_notes {
        card.notes.push(Text::new(n.trim(), Some(&src)));
    }
    for n in &edit.nicknames {
        card.nicknames.push(Text::new(n.trim(), Some(&src)));
    }
    if let Some(b) = &edit.birthday {
        let valid = b.len() == 10 && b.as_bytes()[4] == b'-' && b.as_bytes()[7] == b'-'
            || b.len() == 7 && b.starts_with("--");
        if !valid {
            return Err(AppError::Invalid(format!(
                "birthday {b:?}: use YYYY-MM-DD or --MM-DD"
            )));
        }
        card.birthdays.insert(0, Text::new(b.clone(), Some(&src)));
    }
    if let Some(positions) = &edit.positions {
        card.positions = edited_positions(&card.positions, positions, &src)?;
    }
    if edit.organization.is_some() || edit.title.is_some() {
        let current = card.current_position().cloned();
        let organization = edit
            .organization
            .clone()
            .or_else(|| current.as_ref().map(|p| p.organization.clone()))
            .unwrap_or_default();
        let title = edit.title.clone().unwrap_or_default();
        card.positions.push(Position {
            organization,
            title,
            sources: vec![src.clone()],
            ..Default::default()
        });
    }
    identity::normalize_card(card, region);
    Ok(())
}
