//! "What changed in my network": new jobs, titles, cities, addresses and
//! numbers of the people in the user's address book, from members' cards
//! and from imports, ranked so that job changes and the people the user is
//! close to come first.

use crate::clock::{DAY, rfc3339};
use crate::{App, AppError, Result};
use kith_core::PersonId;
use kith_core::changes::ChangeKind;
use kith_core::strength::{Circle, Touch, strength};
use kith_store::cards::ChangeRow;
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

/// One change in the feed.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeView {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Uuid))]
    pub id: Uuid,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Uuid))]
    pub person_id: PersonId,
    pub person: String,
    /// `job`, `title`, `city`, `email`, `phone`, `website`, `name` or `headline`.
    pub kind: String,
    /// The value before (may be empty) and after.
    pub old: String,
    pub new: String,
    /// `member` (their own card) or `import`.
    pub origin: String,
    /// When kith learned it (RFC 3339).
    pub at: String,
    /// The change in words: "Ana Lima has a new job: CTO at Globex (was Engineer at Acme)".
    pub summary: String,
    /// The relationship strength with the person (0 to 1), which ranks the feed.
    pub strength: f64,
}

/// The longest window the feed looks back over.
const MAX_DAYS: i64 = 3_650;

/// The change in words.
pub(crate) fn summary(kind: ChangeKind, name: &str, old: &str, new: &str) -> String {
    let was = |s: String| {
        if old.is_empty() {
            s
        } else {
            format!("{s} (was {old})")
        }
    };
    match kind {
        ChangeKind::Job => was(format!("{name} has a new job: {new}")),
        ChangeKind::Title => was(format!("{name} is now {new}")),
        ChangeKind::City => was(format!("{name} moved to {new}")),
        ChangeKind::Email => format!("{name} has a new email address: {new}"),
        ChangeKind::Phone => format!("{name} has a new phone number: {new}"),
        ChangeKind::Website => format!("{name} has a new website: {new}"),
        ChangeKind::Name => format!("{old} is now called {new}"),
        ChangeKind::Headline => format!("{name}: \u{201c}{new}\u{201d}"),
    }
}

/// A change as the feed and the history show it.
fn view(r: ChangeRow, name: String, strength: f64) -> ChangeView {
    ChangeView {
        id: r.id,
        person_id: r.person,
        summary: summary(r.kind, &name, &r.old, &r.new),
        person: name,
        kind: r.kind.as_str().into(),
        old: r.old,
        new: r.new,
        origin: r.origin.as_str().into(),
        at: rfc3339(r.at),
        strength,
    }
}

impl App {
    /// What changed in the user's network over the last `days` days, most
    /// important first: a change weighs by its kind (a new job 3, a new
    /// title or city 2, a new address, number, name or headline 1, a
    /// website 0.5) plus 4 times the relationship strength; ties go to the
    /// newest.
    pub async fn network_changes(&self, days: i64, limit: usize) -> Result<Vec<ChangeView>> {
        if !(1..=MAX_DAYS).contains(&days) {
            return Err(AppError::Invalid(format!(
                "{days} days: look back 1 to {MAX_DAYS} days"
            )));
        }
        let now = kith_store::now_micros();
        let mut tx = self.store.begin_read(self.account).await?;
        let rows = tx.person_changes(now - days * DAY, None, 5_000).await?;
        // Strength only for people with interactions or a pinned circle:
        // after a big import most changed people have neither (strength 0),
        // and the feed must stay quick on the home page.
        let touched = tx.contact_summary().await?;
        let pins = tx.pinned_circles().await?;
        let mut ids: Vec<PersonId> = rows.iter().map(|r| r.person).collect();
        ids.sort();
        ids.dedup();
        let mut strengths: HashMap<PersonId, f64> = HashMap::new();
        for id in ids {
            let pin = pins.get(&id).and_then(|c| Circle::parse(c));
            if !touched.contains_key(&id) && pin.is_none() {
                continue;
            }
            let touches: Vec<Touch> = tx
                .interactions_of(id, 5_000)
                .await?
                .into_iter()
                .map(|i| Touch {
                    at: i.at,
                    kind: i.kind,
                    direction: i.direction,
                })
                .collect();
            let mut tie = strength(&touches, now, &self.settings.strength);
            if let Some(c) = pin {
                tie = tie.pinned_to(c);
            }
            strengths.insert(id, tie.effective(&self.settings.strength));
        }
        let strength_of = |p: &PersonId| strengths.get(p).copied().unwrap_or(0.0);
        let score = |r: &ChangeRow| r.kind.weight() + 4.0 * strength_of(&r.person);
        let mut ranked = rows;
        ranked.sort_by(|a, b| score(b).total_cmp(&score(a)).then(b.at.cmp(&a.at)));
        ranked.truncate(limit);
        // Names only for what is shown.
        let shown: Vec<PersonId> = ranked.iter().map(|r| r.person).collect();
        let names: HashMap<PersonId, String> = tx
            .people_by_ids(&shown)
            .await?
            .into_iter()
            .map(|sp| (sp.person.id, sp.person.card.display_name()))
            .collect();
        Ok(ranked
            .into_iter()
            .filter_map(|r| {
                let name = names.get(&r.person)?.clone();
                let s = strength_of(&r.person);
                Some(view(r, name, s))
            })
            .collect())
    }

    /// Every change recorded about one person, newest first (their history).
    pub async fn person_changes(&self, person: &str) -> Result<Vec<ChangeView>> {
        let mut tx = self.store.begin_read(self.account).await?;
        let sp = crate::people::resolve(&mut tx, person).await?;
        let name = sp.person.card.display_name();
        Ok(tx
            .person_changes(0, Some(sp.person.id), 1_000)
            .await?
            .into_iter()
            .map(|r| view(r, name.clone(), 0.0))
            .collect())
    }
}
