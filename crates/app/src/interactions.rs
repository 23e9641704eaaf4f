//! Logging interactions by hand and reading a person's: the use cases behind
//! `kith log`, the person page's form and `/api/v1/people/{id}/interactions`.

pub use crate::clock::rfc3339;
use crate::people::resolve;
use crate::view::PersonRef;
use crate::{App, AppError, Result};
use kith_core::interaction::parse_when;
use kith_core::strength::Circle;
use kith_core::{Direction, Interaction, InteractionId, InteractionKind, PersonId};
use serde::{Deserialize, Serialize};

/// Longest note kept with an interaction.
pub const MAX_NOTE: usize = 4_000;

/// An interaction as shown to users and scripts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InteractionView {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Uuid))]
    pub id: InteractionId,
    /// When it happened (RFC 3339, UTC).
    pub at: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub kind: InteractionKind,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub direction: Direction,
    /// The people involved besides the owner.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub people: Vec<PersonRef>,
    pub note: Option<String>,
    /// `manual`, or the file it was captured from.
    pub source: String,
}

/// What to log.
#[derive(Clone, Debug)]
pub struct NewInteraction {
    /// Ids or emails of the people involved.
    pub people: Vec<String>,
    pub kind: InteractionKind,
    /// When, as `parse_when` reads it (empty: now).
    pub when: String,
    pub note: Option<String>,
    /// Default: mutual (a coffee, a call, a meeting involve both).
    pub direction: Option<Direction>,
}

impl App {
    /// Logs an interaction with one or more people of this account.
    pub async fn log_interaction(&self, new: &NewInteraction) -> Result<InteractionView> {
        let now = kith_store::now_micros();
        let at = parse_when(&new.when, now).map_err(AppError::Invalid)?;
        let note = new.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
        if let Some(n) = note
            && n.len() > MAX_NOTE
        {
            return Err(AppError::Invalid(format!(
                "the note is {} bytes; at most {MAX_NOTE}",
                n.len()
            )));
        }
        if new.people.is_empty() {
            return Err(AppError::Invalid("name at least one person".into()));
        }
        let mut tx = self.store.begin(self.account).await?;
        let mut people = Vec::new();
        for who in &new.people {
            people.push(resolve(&mut tx, who).await?.person.id);
        }
        let interaction = Interaction {
            id: InteractionId::new(),
            at,
            kind: new.kind,
            direction: new.direction.unwrap_or(Direction::Mutual),
            people,
            note: note.map(str::to_string),
            source: "manual".into(),
        };
        tx.add_interaction(&interaction, None).await?;
        let view = self.view(&mut tx, interaction).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// A person's interactions, newest first (at most `limit`).
    pub async fn interactions(&self, person: &str, limit: i64) -> Result<Vec<InteractionView>> {
        let mut tx = self.store.begin_read(self.account).await?;
        let id = resolve(&mut tx, person).await?.person.id;
        let list = tx.interactions_of(id, limit).await?;
        let mut out = Vec::with_capacity(list.len());
        for i in list {
            out.push(self.view(&mut tx, i).await?);
        }
        Ok(out)
    }

    /// Interactions whose note mentions `text`, newest first.
    pub async fn interactions_noting(
        &self,
        text: &str,
        limit: i64,
    ) -> Result<Vec<InteractionView>> {
        let mut tx = self.store.begin_read(self.account).await?;
        let list = tx.interactions_noting(text, limit).await?;
        let mut out = Vec::with_capacity(list.len());
        for i in list {
            out.push(self.view(&mut tx, i).await?);
        }
        Ok(out)
    }

    /// Removes an interaction of this account.
    pub async fn delete_interaction(&self, id: &str) -> Result<()> {
        let not_found = || AppError::NotFound(format!("no interaction with id {id}"));
        let iid: InteractionId = id.trim().parse().map_err(|_| not_found())?;
        let mut tx = self.store.begin(self.account).await?;
        if !tx.delete_interaction(iid).await? {
            return Err(not_found());
        }
        tx.commit().await?;
        Ok(())
    }

    /// Changes a logged interaction: when, what kind, its note (empty: none).
    pub async fn edit_interaction(
        &self,
        id: &str,
        kind: InteractionKind,
        when: &str,
        note: &str,
    ) -> Result<()> {
        let not_found = || AppError::NotFound(format!("no interaction with id {id}"));
        let iid: InteractionId = id.trim().parse().map_err(|_| not_found())?;
        let at = parse_when(when, kith_store::now_micros()).map_err(AppError::Invalid)?;
        let note = note.trim();
        if note.len() > MAX_NOTE {
            return Err(AppError::Invalid(format!(
                "the note is {} bytes; at most {MAX_NOTE}",
                note.len()
            )));
        }
        let mut tx = self.store.begin(self.account).await?;
        let note = (!note.is_empty()).then_some(note);
        if !tx.update_interaction(iid, at, kind, note).await? {
            return Err(not_found());
        }
        tx.commit().await?;
        Ok(())
    }

    async fn view(&self, tx: &mut kith_store::Tx, i: Interaction) -> Result<InteractionView> {
        let found = tx.people_by_ids(&i.people).await?;
        let name_of = |id: &PersonId| {
            found
                .iter()
                .find(|sp| sp.person.id == *id)
                .map(|sp| sp.person.card.display_name())
        };
        Ok(InteractionView {
            id: i.id,
            at: rfc3339(i.at),
            kind: i.kind,
            direction: i.direction,
            people: i
                .people
                .iter()
                .filter_map(|id| {
                    Some(PersonRef {
                        id: *id,
                        name: name_of(id)?,
                    })
                })
                .collect(),
            note: i.note,
            source: i.source,
        })
    }
}

/// Most interactions read to score one person (far beyond what a score
/// notices: old ones have decayed to nothing).
const SCORED: i64 = 5_000;

impl App {
    /// How strong the relationship with a person is, and why.
    pub async fn strength(&self, person: &str) -> Result<kith_core::strength::Strength> {
        let mut tx = self.store.begin_read(self.account).await?;
        let id = resolve(&mut tx, person).await?.person.id;
        let touches: Vec<kith_core::strength::Touch> = tx
            .interactions_of(id, SCORED)
            .await?
            .into_iter()
            .map(|i| kith_core::strength::Touch {
                at: i.at,
                kind: i.kind,
                direction: i.direction,
            })
            .collect();
        let computed = kith_core::strength::strength(
            &touches,
            kith_store::now_micros(),
            &self.settings.strength,
        );
        Ok(
            match tx
                .pinned_circle(id)
                .await?
                .as_deref()
                .and_then(Circle::parse)
            {
                Some(circle) => computed.pinned_to(circle),
                None => computed,
            },
        )
    }

    /// Pins a person to a circle whatever their interactions say (None:
    /// the circle follows the interactions again).
    pub async fn pin_circle(&self, person: &str, circle: Option<Circle>) -> Result<()> {
        let mut tx = self.store.begin(self.account).await?;
        let id = resolve(&mut tx, person).await?.person.id;
        tx.pin_circle(id, circle.map(Circle::as_str)).await?;
        tx.commit().await?;
        Ok(())
    }
}
