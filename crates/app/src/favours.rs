//! The ledger of favours given and received with each person, and the
//! "give first" hints the reach-out list draws from it (favours received
//! and not yet returned, needs someone the user knows can meet).

use crate::cards::{check_text, names_of};
use crate::clock::rfc3339;
use crate::people::resolve;
use crate::{App, AppError, Result};
use kith_core::reciprocity::FavourDirection;
use kith_core::{AccountId, PersonId};
use kith_store::Store;
use kith_store::cards::FavourRow;
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

/// A favour given or received.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FavourView {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Uuid))]
    pub id: Uuid,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Uuid))]
    pub person_id: PersonId,
    pub person: String,
    /// `given` or `received`.
    pub direction: String,
    pub what: String,
    pub at: String,
}

/// Records a favour in `account`'s book (the person must still be there).
pub(crate) async fn record_favour(
    store: &Store,
    account: AccountId,
    person: PersonId,
    direction: FavourDirection,
    what: String,
) -> Result<()> {
    let mut tx = store.begin(account).await?;
    if tx.person(person).await?.is_none() {
        return Ok(());
    }
    tx.add_favour(&FavourRow {
        id: Uuid::now_v7(),
        person,
        direction,
        what,
        at: kith_store::now_micros(),
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

impl App {
    /// Records a favour given to or received from a person.
    pub async fn add_favour(
        &self,
        person: &str,
        direction: &str,
        what: &str,
    ) -> Result<FavourView> {
        let direction = FavourDirection::parse(direction.trim()).ok_or_else(|| {
            AppError::Invalid(format!(
                "direction {:?}: use given or received",
                direction.trim()
            ))
        })?;
        let what = check_text("favour", what)?;
        let mut tx = self.store.begin(self.account).await?;
        let sp = resolve(&mut tx, person).await?;
        let row = FavourRow {
            id: Uuid::now_v7(),
            person: sp.person.id,
            direction,
            what,
            at: kith_store::now_micros(),
        };
        tx.add_favour(&row).await?;
        tx.commit().await?;
        Ok(favour_view(row, sp.person.card.display_name()))
    }

    /// Favours with one person, or everyone; newest first.
    pub async fn favours(&self, person: Option<&str>) -> Result<Vec<FavourView>> {
        let mut tx = self.store.begin_read(self.account).await?;
        let only = match person {
            Some(p) => Some(resolve(&mut tx, p).await?.person.id),
            None => None,
        };
        let rows = tx.favours(only).await?;
        let names = names_of(&mut tx, rows.iter().map(|r| r.person)).await?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                let name = names.get(&r.person)?.clone();
                Some(favour_view(r, name))
            })
            .collect())
    }

    pub async fn remove_favour(&self, id: &str) -> Result<()> {
        let id: Uuid = id
            .trim()
            .parse()
            .map_err(|_| AppError::Invalid(format!("{:?} is not a favour id", id.trim())))?;
        let mut tx = self.store.begin(self.account).await?;
        if !tx.remove_favour(id).await? {
            return Err(AppError::NotFound(format!("no favour {id}")));
        }
        tx.commit().await?;
        Ok(())
    }

    /// For the reach-out list: why to give first to each person (an open
    /// need someone the user knows can meet, or favours received not yet
    /// returned).
    pub(crate) async fn give_first_hints(&self) -> Result<HashMap<PersonId, String>> {
        let mut out: HashMap<PersonId, String> = HashMap::new();
        let mut balance: HashMap<PersonId, i64> = HashMap::new();
        for f in self.favours(None).await? {
            *balance.entry(f.person_id).or_default() +=
                if f.direction == "received" { 1 } else { -1 };
        }
        for (p, n) in balance.into_iter().filter(|(_, n)| *n > 0) {
            out.insert(
                p,
                format!(
                    "give first: they did you {n} favour{} more than you did them",
                    if n == 1 { "" } else { "s" }
                ),
            );
        }
        for h in self.help_out().await? {
            out.insert(
                h.person_id,
                format!("give first: you know who can help with \"{}\"", h.need),
            );
        }
        Ok(out)
    }
}

fn favour_view(r: FavourRow, person: String) -> FavourView {
    FavourView {
        id: r.id,
        person_id: r.person,
        person,
        direction: r.direction.as_str().into(),
        what: r.what,
        at: rfc3339(r.at),
    }
}
