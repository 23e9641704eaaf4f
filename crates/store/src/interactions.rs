//! Interactions of one account: adding them (once per dedupe key), reading a
//! person's (those of the people merged into them included), removing one.
//! The people of an interaction must be this account's living people.

use crate::db::{DbTx, now_micros, on_db, push_in};
use crate::tx::Tx;
use crate::{Result, StoreError};
use kith_core::{Direction, Interaction, InteractionId, InteractionKind, PersonId};
use sqlx::Row;
use std::collections::HashMap;
use uuid::Uuid;

/// An interaction's columns as read: id, at, kind, direction, note, source.
type RawInteraction = (Uuid, i64, String, String, Option<String>, String);

/// A [`RawInteraction`] from a row (a macro: the engines' rows differ).
macro_rules! interaction_row {
    ($r:expr) => {
        Ok((
            $r.try_get::<Uuid, _>("id")?,
            $r.try_get::<i64, _>("at")?,
            $r.try_get::<String, _>("kind")?,
            $r.try_get::<String, _>("direction")?,
            $r.try_get::<Option<String>, _>("note")?,
            $r.try_get::<String, _>("source")?,
        ))
    };
}

/// The people merged into `$2`, at any depth, and `$2` itself (`$1`: the account).
const MERGED_INTO: &str = "WITH RECURSIVE merged(id) AS ( \
       SELECT CAST($2 AS {uuid}) \
       UNION SELECT p.id FROM people p JOIN merged m ON p.merged_into = m.id WHERE p.account_id = $1 \
     ) ";

impl Tx {
    /// Adds an interaction. With a `dedupe_key` already recorded for this
    /// account nothing is written and false is returned.
    pub async fn add_interaction(
        &mut self,
        interaction: &Interaction,
        dedupe_key: Option<&str>,
    ) -> Result<bool> {
        let account = self.account.0;
        if interaction.people.is_empty() {
            return Err(StoreError::Conflict(
                "an interaction needs at least one person".into(),
            ));
        }
        let mut people = interaction.people.clone();
        people.sort();
        people.dedup();
        let known = self.people_by_ids(&people).await?;
        if known.len() != people.len() {
            return Err(StoreError::NotFound("no such person".into()));
        }
        let i = interaction;
        on_db!(self, c => {
            let inserted = sqlx::query(
                "INSERT INTO interactions (account_id, id, at, kind, direction, note, source, dedupe_key, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (account_id, dedupe_key) DO NOTHING",
            )
            .bind(account).bind(i.id.0).bind(i.at).bind(i.kind.as_str()).bind(i.direction.as_str())
            .bind(i.note.as_deref()).bind(&i.source).bind(dedupe_key).bind(now_micros())
            .execute(&mut *c).await?.rows_affected();
            if inserted == 0 {
                return Ok(false);
            }
            let mut qb = sqlx::QueryBuilder::new("INSERT INTO interaction_people (account_id, person_id, at, interaction_id) ");
            qb.push_values(&people, |mut b, p| {
                b.push_bind(account).push_bind(p.0).push_bind(i.at).push_bind(i.id.0);
            });
            qb.build().execute(&mut *c).await?;
            Ok(true)
        })
    }

    /// Adds many interactions at once (a captured mailbox): the same checks
    /// as [`Tx::add_interaction`], a few statements per few hundred
    /// interactions. Returns how many were new (the others' dedupe keys
    /// were already recorded).
    pub async fn add_interactions(
        &mut self,
        list: &[(Interaction, Option<String>)],
    ) -> Result<u64> {
        let account = self.account.0;
        let mut people: Vec<PersonId> = list
            .iter()
            .flat_map(|(i, _)| i.people.iter().copied())
            .collect();
        people.sort();
        people.dedup();
        if list.iter().any(|(i, _)| i.people.is_empty()) {
            return Err(StoreError::Conflict(
                "an interaction needs at least one person".into(),
            ));
        }
        if self.count_living(&people).await? != people.len() {
            return Err(StoreError::NotFound("no such person".into()));
        }
        let now = now_micros();
        let mut added = 0u64;
        for chunk in list.chunks(200) {
            let inserted: Vec<Uuid> = on_db!(self, c => {
                let mut qb = sqlx::QueryBuilder::new(
                    "INSERT INTO interactions (account_id, id, at, kind, direction, note, source, dedupe_key, created_at) ",
                );
                qb.push_values(chunk, |mut b, (i, key)| {
                    b.push_bind(account).push_bind(i.id.0).push_bind(i.at).push_bind(i.kind.as_str())
                        .push_bind(i.direction.as_str()).push_bind(i.note.clone()).push_bind(i.source.clone())
                        .push_bind(key.clone()).push_bind(now);
                });
                qb.push(" ON CONFLICT (account_id, dedupe_key) DO NOTHING RETURNING id");
                let rows = qb.build().fetch_all(&mut *c).await?;
                rows.iter().map(|r| Ok(r.try_get::<Uuid, _>("id")?)).collect::<Result<Vec<_>>>()?
            });
            added += inserted.len() as u64;
            let inserted: std::collections::HashSet<Uuid> = inserted.into_iter().collect();
            let mut rows: Vec<(Uuid, i64, Uuid)> = Vec::new();
            for (i, _) in chunk.iter().filter(|(i, _)| inserted.contains(&i.id.0)) {
                let mut ps = i.people.clone();
                ps.sort();
                ps.dedup();
                rows.extend(ps.into_iter().map(|p| (p.0, i.at, i.id.0)));
            }
            for part in rows.chunks(250) {
                on_db!(self, c => {
                    let mut qb = sqlx::QueryBuilder::new("INSERT INTO interaction_people (account_id, person_id, at, interaction_id) ");
                    qb.push_values(part, |mut b, (p, at, id)| {
                        b.push_bind(account).push_bind(*p).push_bind(*at).push_bind(*id);
                    });
                    qb.build().execute(&mut *c).await?;
                });
            }
        }
        Ok(added)
    }

    /// A person's interactions, newest first, at most `limit`: their own and
    /// those of anyone merged into them.
    pub async fn interactions_of(
        &mut self,
        person: PersonId,
        limit: i64,
    ) -> Result<Vec<Interaction>> {
        let account = self.account.0;
        let postgres = matches!(self.inner, DbTx::Postgres(_));
        let sql = format!(
            "{} SELECT i.id, i.at, i.kind, i.direction, i.note, i.source FROM interactions i \
             WHERE i.account_id = $1 AND i.id IN (SELECT ip.interaction_id FROM interaction_people ip \
               WHERE ip.account_id = $1 AND ip.person_id IN (SELECT id FROM merged)) \
             ORDER BY i.at DESC, i.id LIMIT $3",
            MERGED_INTO.replace("{uuid}", if postgres { "UUID" } else { "BLOB" })
        );
        let rows = on_db!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(account).bind(person.0).bind(limit)
                .fetch_all(&mut *c).await?;
            rows.iter().map(|r| interaction_row!(r)).collect::<Result<Vec<_>>>()?
        });
        self.with_people(rows).await
    }

    /// Interactions whose note contains `text` (any case), newest first,
    /// at most `limit`.
    pub async fn interactions_noting(
        &mut self,
        text: &str,
        limit: i64,
    ) -> Result<Vec<Interaction>> {
        let account = self.account.0;
        let needle = text.trim().to_lowercase();
        if needle.is_empty() {
            return Ok(Vec::new());
        }
        let sql = "SELECT id, at, kind, direction, note, source FROM interactions \
                   WHERE account_id = $1 AND note IS NOT NULL AND lower(note) LIKE $2 ESCAPE '\\' \
                   ORDER BY at DESC, id LIMIT $3";
        let pattern = format!("%{}%", crate::tx::like_escape(&needle));
        let rows = on_db!(self, c => {
            let rows = sqlx::query(sql).bind(account).bind(pattern).bind(limit)
                .fetch_all(&mut *c).await?;
            rows.iter().map(|r| interaction_row!(r)).collect::<Result<Vec<_>>>()?
        });
        self.with_people(rows).await
    }

    /// Interactions from their rows, with their people.
    async fn with_people(&mut self, rows: Vec<RawInteraction>) -> Result<Vec<Interaction>> {
        let ids: Vec<Uuid> = rows.iter().map(|r| r.0).collect();
        let mut people = self.people_of_interactions(&ids).await?;
        rows.into_iter()
            .map(|(id, at, kind, direction, note, source)| {
                Ok(Interaction {
                    id: InteractionId(id),
                    at,
                    kind: InteractionKind::parse(&kind)
                        .ok_or_else(|| StoreError::Corrupt(format!("interaction kind {kind:?}")))?,
                    direction: Direction::parse(&direction).ok_or_else(|| {
                        StoreError::Corrupt(format!("interaction direction {direction:?}"))
                    })?,
                    people: people.remove(&id).unwrap_or_default(),
                    note,
                    source,
                })
            })
            .collect()
    }

    /// The people of each of these interactions (of this account).
    async fn people_of_interactions(
        &mut self,
        ids: &[Uuid],
    ) -> Result<HashMap<Uuid, Vec<PersonId>>> {
        let account = self.account.0;
        let mut out: HashMap<Uuid, Vec<PersonId>> = HashMap::new();
        for part in ids.chunks(500) {
            on_db!(self, c => {
                let mut qb = sqlx::QueryBuilder::new("SELECT interaction_id, person_id FROM interaction_people WHERE account_id = ");
                qb.push_bind(account);
                qb.push(" AND interaction_id");
                push_in(&mut qb, part.iter().copied());
                qb.push(" ORDER BY person_id");
                for r in qb.build().fetch_all(&mut *c).await? {
                    let id: Uuid = r.try_get("interaction_id")?;
                    out.entry(id).or_default().push(PersonId(r.try_get("person_id")?));
                }
            });
        }
        Ok(out)
    }

    /// Removes one of this account's interactions; false when there is none.
    pub async fn delete_interaction(&mut self, id: InteractionId) -> Result<bool> {
        let account = self.account.0;
        on_db!(self, c => {
            sqlx::query("DELETE FROM interaction_people WHERE account_id = $1 AND interaction_id = $2")
                .bind(account).bind(id.0).execute(&mut *c).await?;
            let n = sqlx::query("DELETE FROM interactions WHERE account_id = $1 AND id = $2")
                .bind(account).bind(id.0).execute(&mut *c).await?.rows_affected();
            Ok(n > 0)
        })
    }

    /// Removes this account's captured interactions with these dedupe keys
    /// (a meeting moved or cancelled in a calendar kith reads); returns how
    /// many there were.
    pub async fn delete_interactions_by_keys(&mut self, keys: &[String]) -> Result<u64> {
        let account = self.account.0;
        let mut removed = 0;
        for part in keys.chunks(250) {
            let ids: Vec<Uuid> = on_db!(self, c => {
                let mut qb = sqlx::QueryBuilder::new("SELECT id FROM interactions WHERE account_id = ");
                qb.push_bind(account);
                qb.push(" AND dedupe_key");
                push_in(&mut qb, part.iter().cloned());
                let rows = qb.build().fetch_all(&mut *c).await?;
                rows.iter().map(|r| Ok(r.try_get::<Uuid, _>("id")?)).collect::<Result<Vec<_>>>()?
            });
            if ids.is_empty() {
                continue;
            }
            on_db!(self, c => {
                for table in ["interaction_people", "interactions"] {
                    let column = if table == "interactions" { "id" } else { "interaction_id" };
                    let mut qb = sqlx::QueryBuilder::new(format!("DELETE FROM {table} WHERE account_id = "));
                    qb.push_bind(account);
                    qb.push(format!(" AND {column}"));
                    push_in(&mut qb, ids.iter().copied());
                    qb.build().execute(&mut *c).await?;
                }
            });
            removed += ids.len() as u64;
        }
        Ok(removed)
    }

    /// Changes when an interaction happened, its kind and its note; false
    /// when this account has no such interaction.
    pub async fn update_interaction(
        &mut self,
        id: InteractionId,
        at: i64,
        kind: InteractionKind,
        note: Option<&str>,
    ) -> Result<bool> {
        let account = self.account.0;
        on_db!(self, c => {
            let n = sqlx::query("UPDATE interactions SET at = $3, kind = $4, note = $5 WHERE account_id = $1 AND id = $2")
                .bind(account).bind(id.0).bind(at).bind(kind.as_str()).bind(note)
                .execute(&mut *c).await?.rows_affected();
            sqlx::query("UPDATE interaction_people SET at = $3 WHERE account_id = $1 AND interaction_id = $2")
                .bind(account).bind(id.0).bind(at).execute(&mut *c).await?;
            Ok(n > 0)
        })
    }
}
