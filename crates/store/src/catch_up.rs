//! How an in-memory index of an account's people catches up: what it reads
//! to build itself and to take in changes made by anyone (this process, the
//! CLI, other servers on the same PostgreSQL): the change log's mark, the people changed since a
//! mark, and each person's search row (no card is decoded).
//!
//! Marks are reliable because an account's writing transactions take turns
//! (one SQLite writer; a per-account advisory lock on PostgreSQL), so change
//! sequence numbers are assigned in commit order.

use crate::Result;
use crate::db::on_db;
use crate::tx::Tx;
use kith_core::PersonId;
use sqlx::Row;
use uuid::Uuid;

/// A person as a search index needs them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchRow {
    pub id: PersonId,
    pub sort_key: String,
    /// The words a search matches (see `index::derive`).
    pub search_text: String,
    /// False once the person is deleted or merged away.
    pub alive: bool,
}

/// Ids per query when reading given people.
const BATCH: usize = 500;

impl Tx {
    /// The latest entry of this account's change log (0 when empty).
    pub async fn change_mark(&mut self) -> Result<i64> {
        let account = self.account.0;
        on_db!(self, c => {
            let mark: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM changes WHERE account_id = $1")
                .bind(account).fetch_one(c).await?;
            Ok(mark.unwrap_or(0))
        })
    }

    /// The people changed after `mark`, at most `limit` of them.
    pub async fn changed_since(&mut self, mark: i64, limit: i64) -> Result<Vec<PersonId>> {
        let account = self.account.0;
        on_db!(self, c => {
            let ids: Vec<Uuid> = sqlx::query_scalar(
                "SELECT DISTINCT person_id FROM changes WHERE account_id = $1 AND seq > $2 LIMIT $3",
            )
            .bind(account).bind(mark).bind(limit).fetch_all(c).await?;
            Ok(ids.into_iter().map(PersonId).collect())
        })
    }

    /// The search rows of every living person of this account.
    pub async fn search_rows(&mut self) -> Result<Vec<SearchRow>> {
        let account = self.account.0;
        on_db!(self, c => {
            let rows = sqlx::query("SELECT id, sort_key, search_text FROM people WHERE account_id = $1 AND deleted_at IS NULL")
                .bind(account).fetch_all(c).await?;
            rows.iter().map(|r| Ok(SearchRow {
                id: PersonId(r.try_get("id")?),
                sort_key: r.try_get("sort_key")?,
                search_text: r.try_get("search_text")?,
                alive: true,
            })).collect()
        })
    }

    /// The search rows of these people of this account, deleted ones too
    /// (unknown ids are left out).
    pub async fn search_rows_of(&mut self, ids: &[PersonId]) -> Result<Vec<SearchRow>> {
        let account = self.account.0;
        let mut out = Vec::with_capacity(ids.len());
        for part in ids.chunks(BATCH) {
            on_db!(self, c => {
                let mut qb = sqlx::QueryBuilder::new(
                    "SELECT id, sort_key, search_text, deleted_at IS NULL AS alive FROM people WHERE account_id = ",
                );
                qb.push_bind(account);
                qb.push(" AND id IN (");
                let mut list = qb.separated(", ");
                for id in part {
                    list.push_bind(id.0);
                }
                qb.push(")");
                for r in qb.build().fetch_all(&mut *c).await? {
                    out.push(SearchRow {
                        id: PersonId(r.try_get("id")?),
                        sort_key: r.try_get("sort_key")?,
                        search_text: r.try_get("search_text")?,
                        alive: r.try_get("alive")?,
                    });
                }
            });
        }
        Ok(out)
    }
}
