//! Keep-in-touch data of one account: cadences per person and per tag,
//! snoozes, and each person's last contact and number of interactions
//! (theirs and those of anyone merged into them).

use crate::db::on_db;
use crate::tx::Tx;
use crate::{Result, StoreError};
use kith_core::{Direction, InteractionKind, PersonId};
use sqlx::Row;
use std::collections::HashMap;
use uuid::Uuid;

/// One interaction with a person, as the due list weighs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TouchRow {
    pub person: PersonId,
    pub interaction: Uuid,
    pub at: i64,
    pub kind: InteractionKind,
    pub direction: Direction,
}

/// Ids per statement of the batched reads (both engines take this many
/// parameters easily).
const IDS_PER_QUERY: usize = 400;

fn touch_row(
    (person, interaction, at, kind, direction): (Uuid, Uuid, i64, String, String),
) -> Result<TouchRow> {
    Ok(TouchRow {
        person: PersonId(person),
        interaction,
        at,
        kind: InteractionKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("interaction kind {kind:?}")))?,
        direction: Direction::parse(&direction)
            .ok_or_else(|| StoreError::Corrupt(format!("interaction direction {direction:?}")))?,
    })
}

/// `IN ($2, $3, …)` for `n` ids after the account's `$1`.
fn id_list(n: usize) -> String {
    let marks: Vec<String> = (0..n).map(|i| format!("${}", i + 2)).collect();
    format!("({})", marks.join(", "))
}

/// The cadences of an account.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cadences {
    pub people: HashMap<PersonId, i64>,
    /// By tag in lower case.
    pub tags: HashMap<String, i64>,
}

impl Tx {
    /// Sets (None: removes) how often to be in touch with a living person.
    pub async fn set_person_cadence(
        &mut self,
        person: PersonId,
        every_days: Option<i64>,
    ) -> Result<()> {
        if self.person(person).await?.is_none() {
            return Err(StoreError::NotFound(format!("no person with id {person}")));
        }
        let account = self.account.0;
        on_db!(self, c => {
            sqlx::query("DELETE FROM person_cadences WHERE account_id = $1 AND person_id = $2")
                .bind(account).bind(person.0).execute(&mut *c).await?;
            if let Some(days) = every_days {
                sqlx::query("INSERT INTO person_cadences (account_id, person_id, every_days) VALUES ($1, $2, $3)")
                    .bind(account).bind(person.0).bind(days).execute(&mut *c).await?;
            }
            Ok(())
        })
    }

    /// Sets (None: removes) how often to be in touch with everyone tagged `tag`.
    pub async fn set_tag_cadence(&mut self, tag: &str, every_days: Option<i64>) -> Result<()> {
        let account = self.account.0;
        let tag = tag.trim().to_lowercase();
        on_db!(self, c => {
            sqlx::query("DELETE FROM tag_cadences WHERE account_id = $1 AND tag = $2")
                .bind(account).bind(&tag).execute(&mut *c).await?;
            if let Some(days) = every_days {
                sqlx::query("INSERT INTO tag_cadences (account_id, tag, every_days) VALUES ($1, $2, $3)")
                    .bind(account).bind(&tag).bind(days).execute(&mut *c).await?;
            }
            Ok(())
        })
    }

    /// A person's own cadence in days, if set.
    pub async fn person_cadence(&mut self, person: PersonId) -> Result<Option<i64>> {
        let account = self.account.0;
        on_db!(self, c => {
            Ok(sqlx::query_scalar("SELECT every_days FROM person_cadences WHERE account_id = $1 AND person_id = $2")
                .bind(account).bind(person.0).fetch_optional(c).await?)
        })
    }

    pub async fn cadences(&mut self) -> Result<Cadences> {
        let account = self.account.0;
        on_db!(self, c => {
            let mut out = Cadences::default();
            for r in sqlx::query("SELECT person_id, every_days FROM person_cadences WHERE account_id = $1")
                .bind(account).fetch_all(&mut *c).await?
            {
                out.people.insert(PersonId(r.try_get("person_id")?), r.try_get("every_days")?);
            }
            for r in sqlx::query("SELECT tag, every_days FROM tag_cadences WHERE account_id = $1")
                .bind(account).fetch_all(&mut *c).await?
            {
                out.tags.insert(r.try_get("tag")?, r.try_get("every_days")?);
            }
            Ok(out)
        })
    }

    /// Living people carrying any of these tags (given in lower case), with
    /// the tag and their name.
    pub async fn people_tagged(
        &mut self,
        tags: &[String],
    ) -> Result<Vec<(PersonId, String, String)>> {
        let account = self.account.0;
        let mut out = Vec::new();
        for part in tags.chunks(200) {
            on_db!(self, c => {
                let mut qb = sqlx::QueryBuilder::new(
                    "SELECT t.person_id, lower(t.tag) AS tag, p.display_name FROM person_tags t \
                     JOIN people p ON p.id = t.person_id AND p.deleted_at IS NULL AND p.merged_into IS NULL \
                     WHERE t.account_id = ",
                );
                qb.push_bind(account);
                qb.push(" AND lower(t.tag) IN (");
                let mut list = qb.separated(", ");
                for t in part {
                    list.push_bind(t.clone());
                }
                qb.push(")");
                for r in qb.build().fetch_all(&mut *c).await? {
                    out.push((
                        PersonId(r.try_get("person_id")?),
                        r.try_get("tag")?,
                        r.try_get("display_name")?,
                    ));
                }
            });
        }
        Ok(out)
    }

    /// Every interaction with the living people carrying any of these tags
    /// (as [`Tx::touches_of`], one statement per 200 tags).
    pub async fn touches_of_tagged(&mut self, tags: &[String]) -> Result<Vec<TouchRow>> {
        let account = self.account.0;
        let mut rows: Vec<(Uuid, Uuid, i64, String, String)> = Vec::new();
        for part in tags.chunks(200) {
            on_db!(self, c => {
                let mut qb = sqlx::QueryBuilder::new(
                    "SELECT DISTINCT t.person_id, ip.interaction_id, i.at, i.kind, i.direction \
                     FROM person_tags t \
                     JOIN interaction_people ip ON ip.account_id = t.account_id AND ip.person_id = t.person_id \
                     JOIN interactions i ON i.id = ip.interaction_id \
                     WHERE t.account_id = ",
                );
                qb.push_bind(account);
                qb.push(" AND lower(t.tag) IN (");
                let mut list = qb.separated(", ");
                for t in part {
                    list.push_bind(t.clone());
                }
                qb.push(")");
                for r in qb.build().fetch_all(&mut *c).await? {
                    rows.push((
                        r.try_get("person_id")?, r.try_get("interaction_id")?, r.try_get("at")?,
                        r.try_get("kind")?, r.try_get("direction")?,
                    ));
                }
            });
        }
        rows.into_iter().map(touch_row).collect()
    }

    /// Each person's latest interaction (microseconds) and how many they
    /// have, those of people merged into them counted as theirs.
    pub async fn contact_summary(&mut self) -> Result<HashMap<PersonId, (i64, i64)>> {
        let account = self.account.0;
        let (latest, merged) = on_db!(self, c => {
            let mut latest: HashMap<Uuid, (i64, i64)> = HashMap::new();
            for r in sqlx::query("SELECT person_id, MAX(at) AS last, COUNT(*) AS n FROM interaction_people WHERE account_id = $1 GROUP BY person_id")
                .bind(account).fetch_all(&mut *c).await?
            {
                latest.insert(r.try_get("person_id")?, (r.try_get("last")?, r.try_get("n")?));
            }
            let mut merged: HashMap<Uuid, Uuid> = HashMap::new();
            for r in sqlx::query("SELECT id, merged_into FROM people WHERE account_id = $1 AND merged_into IS NOT NULL")
                .bind(account).fetch_all(&mut *c).await?
            {
                merged.insert(r.try_get("id")?, r.try_get("merged_into")?);
            }
            (latest, merged)
        });
        let mut out: HashMap<PersonId, (i64, i64)> = HashMap::new();
        for (mut id, (at, n)) in latest {
            // Follow merges to the person who holds the card now (bounded:
            // a cycle cannot happen, but a damaged row must not hang us).
            for _ in 0..64 {
                match merged.get(&id) {
                    Some(next) => id = *next,
                    None => break,
                }
            }
            let e = out.entry(PersonId(id)).or_insert((at, 0));
            e.0 = e.0.max(at);
            e.1 += n;
        }
        Ok(out)
    }

    /// Every interaction with each of `people` (as stored: the caller
    /// follows merges), read a few hundred people per statement through
    /// the index by person: the due list's cost follows the people with a
    /// cadence, not the size of the book.
    pub async fn touches_of(&mut self, people: &[PersonId]) -> Result<Vec<TouchRow>> {
        let account = self.account.0;
        let mut out = Vec::new();
        for chunk in people.chunks(IDS_PER_QUERY) {
            let sql = format!(
                "SELECT ip.person_id, ip.interaction_id, i.at, i.kind, i.direction \
                 FROM interaction_people ip JOIN interactions i ON i.id = ip.interaction_id \
                 WHERE ip.account_id = $1 AND ip.person_id IN {}",
                id_list(chunk.len())
            );
            let rows: Vec<(Uuid, Uuid, i64, String, String)> = on_db!(self, c => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(account);
                for p in chunk {
                    q = q.bind(p.0);
                }
                q.fetch_all(&mut *c).await?.iter().map(|r| Ok((
                    r.try_get("person_id")?, r.try_get("interaction_id")?, r.try_get("at")?,
                    r.try_get("kind")?, r.try_get("direction")?,
                ))).collect::<Result<_>>()?
            });
            for row in rows {
                out.push(touch_row(row)?);
            }
        }
        Ok(out)
    }

    /// The display names of those of `people` who are living (not deleted,
    /// not merged into someone).
    pub async fn living_names(&mut self, people: &[PersonId]) -> Result<HashMap<PersonId, String>> {
        let account = self.account.0;
        let mut out = HashMap::new();
        for chunk in people.chunks(IDS_PER_QUERY) {
            let sql = format!(
                "SELECT id, display_name FROM people WHERE account_id = $1 AND id IN {} \
                 AND deleted_at IS NULL AND merged_into IS NULL",
                id_list(chunk.len())
            );
            let rows: Vec<(Uuid, String)> = on_db!(self, c => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(account);
                for p in chunk {
                    q = q.bind(p.0);
                }
                q.fetch_all(&mut *c).await?.iter()
                    .map(|r| Ok((r.try_get("id")?, r.try_get("display_name")?))).collect::<Result<_>>()?
            });
            out.extend(rows.into_iter().map(|(id, name)| (PersonId(id), name)));
        }
        Ok(out)
    }

    /// Keeps a living person off the reach-out list until `until` (microseconds).
    pub async fn snooze(&mut self, person: PersonId, until: i64) -> Result<()> {
        if self.person(person).await?.is_none() {
            return Err(StoreError::NotFound(format!("no person with id {person}")));
        }
        let account = self.account.0;
        on_db!(self, c => {
            sqlx::query("DELETE FROM snoozes WHERE account_id = $1 AND person_id = $2")
                .bind(account).bind(person.0).execute(&mut *c).await?;
            sqlx::query("INSERT INTO snoozes (account_id, person_id, until_at) VALUES ($1, $2, $3)")
                .bind(account).bind(person.0).bind(until).execute(&mut *c).await?;
            Ok(())
        })
    }

    pub async fn snoozes(&mut self) -> Result<HashMap<PersonId, i64>> {
        let account = self.account.0;
        on_db!(self, c => {
            let mut out = HashMap::new();
            for r in sqlx::query("SELECT person_id, until_at FROM snoozes WHERE account_id = $1")
                .bind(account).fetch_all(&mut *c).await?
            {
                out.insert(PersonId(r.try_get("person_id")?), r.try_get("until_at")?);
            }
            Ok(out)
        })
    }
}
