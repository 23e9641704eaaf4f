//! Keep-in-touch as use cases: cadences per person or tag, the ranked
//! reach-out list (`kith due`, the home page, `/api/v1/due`), marking
//! someone done (an interaction logged now) or snoozing them.

use crate::clock::{DAY, rfc3339};
use crate::interactions::{InteractionView, NewInteraction};
use crate::people::resolve;
use crate::{App, AppError, Result};
use kith_core::due::{CadenceSource, DueInput, due};
use kith_core::strength::{Circle, Touch, strength};
use kith_core::{Direction, InteractionKind, PersonId};
use serde::Serialize;
use std::collections::HashMap;

/// Each account's last reach-out list, with the versions of the books it
/// was computed from and when.
pub(crate) type DueCache = std::sync::Arc<
    std::sync::Mutex<
        HashMap<
            kith_core::AccountId,
            (
                Vec<(kith_core::AccountId, i64)>,
                std::time::Instant,
                std::sync::Arc<Vec<DueView>>,
            ),
        >,
    >,
>;

/// How long a reach-out list is kept when no book moves on.
const DUE_KEPT: std::time::Duration = std::time::Duration::from_secs(60);

/// Longest cadence accepted: ten years.
const MAX_DAYS: i64 = 3_650;

/// Someone to reach out to, and why.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DueView {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Uuid))]
    pub id: PersonId,
    pub name: String,
    /// The latest interaction (RFC 3339), if any.
    pub last_contact: Option<String>,
    pub cadence_days: i64,
    /// `person`, or the tag the cadence comes from.
    pub cadence_from: String,
    pub overdue_days: i64,
    pub strength: f64,
    pub reason: String,
    /// Why to give before asking, if there is a reason: an open need
    /// someone the user knows can meet, or favours not yet returned.
    pub give_first: Option<String>,
}

fn check_days(days: i64) -> Result<i64> {
    if (1..=MAX_DAYS).contains(&days) {
        Ok(days)
    } else {
        Err(AppError::Invalid(format!(
            "every {days} days: use 1 to {MAX_DAYS} days"
        )))
    }
}

impl App {
    /// How often to be in touch with a person (None: no cadence of their own).
    pub async fn set_cadence(&self, person: &str, every_days: Option<i64>) -> Result<()> {
        let every = every_days.map(check_days).transpose()?;
        let mut tx = self.store.begin(self.account).await?;
        let id = resolve(&mut tx, person).await?.person.id;
        tx.set_person_cadence(id, every).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The person's own cadence in days, if set.
    pub async fn cadence_of(&self, person: &str) -> Result<Option<i64>> {
        let mut tx = self.store.begin_read(self.account).await?;
        let id = resolve(&mut tx, person).await?.person.id;
        Ok(tx.person_cadence(id).await?)
    }

    /// The tags with a cadence, and their days, by tag.
    pub async fn tag_cadences(&self) -> Result<Vec<(String, i64)>> {
        let mut tx = self.store.begin_read(self.account).await?;
        let mut tags: Vec<(String, i64)> = tx.cadences().await?.tags.into_iter().collect();
        tags.sort();
        Ok(tags)
    }

    /// How often to be in touch with everyone tagged `tag` (None: remove).
    pub async fn set_tag_cadence(&self, tag: &str, every_days: Option<i64>) -> Result<()> {
        let tag = tag.trim();
        if tag.is_empty() || tag.len() > 200 {
            return Err(AppError::Invalid("name a tag (at most 200 bytes)".into()));
        }
        let every = every_days.map(check_days).transpose()?;
        let mut tx = self.store.begin(self.account).await?;
        tx.set_tag_cadence(tag, every).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Who to reach out to now, most urgent first. A server keeps each
    /// account's answer until its book or a connection's moves on (any
    /// write does: a cadence, a snooze, an interaction) or a minute passes
    /// (being due is a matter of days): the home page, the API and the
    /// digest ask it often, and it would read the same rows each time.
    pub async fn due(&self) -> Result<Vec<DueView>> {
        let key = self.books_key().await?;
        let cache = &self.network.due;
        let hit = cache
            .lock()
            .ok()
            .and_then(|c| c.get(&self.account).cloned())
            .filter(|(k, at, _)| *k == key && at.elapsed() < DUE_KEPT);
        if let Some((_, _, answer)) = hit {
            return Ok(answer.as_ref().clone());
        }
        let answer = std::sync::Arc::new(self.compute_due().await?);
        if let Ok(mut c) = cache.lock() {
            c.insert(
                self.account,
                (key, std::time::Instant::now(), answer.clone()),
            );
        }
        Ok(answer.as_ref().clone())
    }

    /// The reach-out list as of now. Reads only what the people with a
    /// cadence need (their interactions, names, snoozes and circles), so
    /// its cost follows them, not the size of the book.
    async fn compute_due(&self) -> Result<Vec<DueView>> {
        let now = kith_store::now_micros();
        let mut tx = self.store.begin_read(self.account).await?;
        let cadences = tx.cadences().await?;
        // Each person's cadence: their own, else the shortest of their tags'.
        let mut plan: HashMap<PersonId, (i64, CadenceSource)> = HashMap::new();
        let mut names: HashMap<PersonId, String> = HashMap::new();
        let tags: Vec<String> = cadences.tags.keys().cloned().collect();
        for (person, tag, name) in tx.people_tagged(&tags).await? {
            names.insert(person, name);
            let every = cadences.tags[&tag];
            let e = plan
                .entry(person)
                .or_insert((every, CadenceSource::Tag(tag.clone())));
            if every < e.0 {
                *e = (every, CadenceSource::Tag(tag));
            }
        }
        for (person, every) in &cadences.people {
            plan.insert(*person, (*every, CadenceSource::Person));
        }
        if plan.is_empty() {
            return Ok(Vec::new());
        }
        // Tagged people came with their names; the others are read by id.
        let unnamed: Vec<PersonId> = plan
            .keys()
            .filter(|id| !names.contains_key(id))
            .copied()
            .collect();
        names.extend(tx.living_names(&unnamed).await?);
        plan.retain(|id, _| names.contains_key(id));
        // A person's interactions include those of everyone merged into
        // them: read for all their parts, counted once each.
        let merged = tx.merged_people().await?;
        let survivor = |mut id: PersonId| {
            for _ in 0..64 {
                match merged.get(&id) {
                    Some(next) => id = *next,
                    None => break,
                }
            }
            id
        };
        // Tagged people's interactions in one statement through their tags;
        // the others', and those of everyone merged into a planned person,
        // by id.
        let tagged: std::collections::HashSet<PersonId> = if tags.is_empty() {
            Default::default()
        } else {
            plan.iter()
                .filter(|(_, (_, source))| matches!(source, CadenceSource::Tag(_)))
                .map(|(id, _)| *id)
                .collect()
        };
        let mut by_id: Vec<PersonId> = plan
            .keys()
            .filter(|id| !tagged.contains(id))
            .copied()
            .collect();
        by_id.extend(
            merged
                .keys()
                .copied()
                .filter(|p| plan.contains_key(&survivor(*p))),
        );
        let mut rows = tx.touches_of(&by_id).await?;
        if !tags.is_empty() {
            rows.extend(tx.touches_of_tagged(&tags).await?);
        }
        let mut touches: HashMap<PersonId, Vec<Touch>> = HashMap::new();
        let mut seen = std::collections::HashSet::new();
        for t in rows {
            let who = survivor(t.person);
            if seen.insert((who, t.interaction)) {
                touches.entry(who).or_default().push(Touch {
                    at: t.at,
                    kind: t.kind,
                    direction: t.direction,
                });
            }
        }
        let snoozes = tx.snoozes().await?;
        let pins = tx.pinned_circles().await?;
        // The transaction ends here: the hints below read on their own, and
        // holding a connection while asking for another can exhaust the pool.
        drop(tx);
        let mut candidates: Vec<(PersonId, DueInput)> = plan
            .into_iter()
            .map(|(id, (every, source))| {
                let input = DueInput {
                    every_days: every,
                    source,
                    last_contact: touches.get(&id).and_then(|t| t.iter().map(|t| t.at).max()),
                    snoozed_until: snoozes.get(&id).copied(),
                    strength: 0.0,
                };
                (id, input)
            })
            .filter(|(_, input)| due(input, now).is_some())
            .collect();
        candidates.sort_by_key(|(id, _)| *id);
        let hints = if candidates.is_empty() {
            Default::default()
        } else {
            self.give_first_hints().await?
        };
        let mut out = Vec::with_capacity(candidates.len());
        for (id, mut input) in candidates {
            let mut tie = strength(
                touches.get(&id).map_or(&[][..], |t| &t[..]),
                now,
                &self.settings.strength,
            );
            if let Some(circle) = pins.get(&id).and_then(|c| Circle::parse(c)) {
                tie = tie.pinned_to(circle);
            }
            input.strength = tie.effective(&self.settings.strength);
            let Some(d) = due(&input, now) else { continue };
            out.push((
                d.priority,
                DueView {
                    id,
                    name: names[&id].clone(),
                    last_contact: input.last_contact.map(rfc3339),
                    cadence_days: input.every_days,
                    cadence_from: match &input.source {
                        CadenceSource::Person => "person".into(),
                        CadenceSource::Tag(t) => format!("tag:{t}"),
                    },
                    overdue_days: d.overdue_days,
                    strength: input.strength,
                    reason: d.reason,
                    give_first: hints.get(&id).cloned(),
                },
            ));
        }
        out.sort_by(|a, b| {
            b.0.total_cmp(&a.0)
                .then_with(|| a.1.name.cmp(&b.1.name))
                .then_with(|| a.1.id.cmp(&b.1.id))
        });
        Ok(out.into_iter().map(|(_, v)| v).collect())
    }

    /// Keeps someone off the reach-out list for `days` days.
    pub async fn snooze(&self, person: &str, days: i64) -> Result<()> {
        let days = check_days(days)?;
        let mut tx = self.store.begin(self.account).await?;
        let id = resolve(&mut tx, person).await?.person.id;
        tx.snooze(id, kith_store::now_micros() + days * DAY).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Marks someone done: you reached out now (by default a message).
    pub async fn done(
        &self,
        person: &str,
        kind: Option<InteractionKind>,
    ) -> Result<InteractionView> {
        self.log_interaction(&NewInteraction {
            people: vec![person.to_string()],
            kind: kind.unwrap_or(InteractionKind::Message),
            when: String::new(),
            note: None,
            direction: Some(Direction::Outgoing),
        })
        .await
    }
}

/// Someone you were in touch with often and no longer are.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FadingView {
    pub id: PersonId,
    pub name: String,
    pub interactions: i64,
    pub last_contact: String,
    /// "7 interactions, last contact 5 months ago".
    pub reason: String,
}

impl App {
    /// People with at least 3 interactions whose last one was 4 months to 2
    /// years ago, the most interactions first: the ties that are fading.
    pub async fn losing_touch(&self, limit: usize) -> Result<Vec<FadingView>> {
        let now = kith_store::now_micros();
        let mut tx = self.store.begin_read(self.account).await?;
        let mut fading: Vec<(PersonId, i64, i64)> = tx
            .contact_summary()
            .await?
            .into_iter()
            .filter(|(_, (last, n))| *n >= 3 && (120..=730).contains(&((now - last) / DAY)))
            .map(|(id, (last, n))| (id, last, n))
            .collect();
        fading.sort_by(|a, b| b.2.cmp(&a.2).then(a.1.cmp(&b.1)).then(a.0.cmp(&b.0)));
        let ids: Vec<PersonId> = fading.iter().map(|f| f.0).collect();
        let names: HashMap<PersonId, String> = tx
            .people_by_ids(&ids)
            .await?
            .into_iter()
            .map(|sp| (sp.person.id, sp.person.card.display_name()))
            .collect();
        Ok(fading
            .into_iter()
            .filter_map(|(id, last, n)| {
                Some(FadingView {
                    id,
                    name: names.get(&id)?.clone(),
                    interactions: n,
                    last_contact: rfc3339(last),
                    reason: format!(
                        "{n} interactions, last contact {}",
                        kith_core::strength::ago(now - last)
                    ),
                })
            })
            .take(limit)
            .collect())
    }
}
