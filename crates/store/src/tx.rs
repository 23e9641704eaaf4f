//! [`Tx`]: one transaction acting as one account. Every query here filters
//! or stamps `account_id` from the transaction itself, so a caller cannot
//! read or write another account's rows. Dropping a `Tx` without
//! [`Tx::commit`] rolls everything back.

use crate::db::{DbTx, decode_json, now_micros, on_db, push_in};
use crate::index::derive;
use crate::{MergeRecord, PeopleFilter, Result, StoreError, StoredPerson, Suggestion};
use kith_core::names::normalize;
use kith_core::{AccountId, Person, PersonId};
use sqlx::Row;
use sqlx::types::Json;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// A transaction scoped to one account.
pub struct Tx {
    pub(crate) account: AccountId,
    pub(crate) inner: DbTx,
    /// Organisation rows (names, aliases, domains) this transaction has
    /// written: they are only ever added, so a bulk import sends each once.
    pub(crate) orgs_written: HashSet<(&'static str, String, String)>,
    /// Begun to write: its commit moves the account's network version on.
    pub(crate) writes: bool,
}

/// Rows per multi-row INSERT (well under both engines' parameter limits).
const BATCH: usize = 250;

const PERSON_COLUMNS: &str = "id, card, is_me, version, created_at, updated_at";

/// A person to write, with whether it is the account owner's own card.
pub struct PersonWrite<'a> {
    pub person: &'a Person,
    pub is_me: bool,
    /// True when the person has never been stored (no old index rows to clear).
    pub fresh: bool,
}

/// A person ready to be written: the card serialised and its index rows
/// derived. This is pure work, so a bulk writer can do it on a thread that
/// has time to spare rather than while the database waits.
pub struct PreparedWrite {
    id: Uuid,
    is_me: bool,
    fresh: bool,
    card: Box<serde_json::value::RawValue>,
    derived: crate::index::Derived,
}

impl PersonWrite<'_> {
    pub fn prepare(&self) -> Result<PreparedWrite> {
        Ok(PreparedWrite {
            id: self.person.id.0,
            is_me: self.is_me,
            fresh: self.fresh,
            card: serde_json::value::to_raw_value(&self.person.card)
                .map_err(|e| StoreError::Conflict(format!("a card cannot be stored: {e}")))?,
            derived: derive(&self.person.card),
        })
    }
}

impl Tx {
    pub fn account(&self) -> AccountId {
        self.account
    }

    pub async fn commit(mut self) -> Result<()> {
        if self.writes {
            crate::changelog::bump_network_version(&mut self.inner, self.account).await?;
        }
        match self.inner {
            DbTx::Sqlite(t) => t.commit().await?,
            DbTx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    /// Whether the account has any living person.
    pub async fn has_people(&mut self) -> Result<bool> {
        let account = self.account.0;
        let sql =
            "SELECT 1 AS one FROM people WHERE account_id = $1 AND deleted_at IS NULL LIMIT 1";
        on_db!(self, c => Ok(sqlx::query(sql).bind(account).fetch_optional(&mut *c).await?.is_some()))
    }

    /// Whether any duplicate suggestion waits for review.
    pub async fn has_open_suggestions(&mut self) -> Result<bool> {
        let account = self.account.0;
        let sql = "SELECT 1 AS one FROM duplicate_suggestions s \
                   JOIN people pa ON pa.id = s.a AND pa.deleted_at IS NULL \
                   JOIN people pb ON pb.id = s.b AND pb.deleted_at IS NULL \
                   WHERE s.account_id = $1 AND s.status = 'open' LIMIT 1";
        on_db!(self, c => Ok(sqlx::query(sql).bind(account).fetch_optional(&mut *c).await?.is_some()))
    }

    /// The card last merged into `survivor`, while that merge can be undone.
    pub async fn last_merge_into(&mut self, survivor: PersonId) -> Result<Option<kith_core::Card>> {
        let account = self.account.0;
        let sql = "SELECT absorbed_card FROM merges WHERE account_id = $1 AND survivor = $2 \
                   AND undone_at IS NULL ORDER BY created_at DESC LIMIT 1";
        let card: Option<Json<serde_json::Value>> = on_db!(self, c => sqlx::query_scalar(sql)
            .bind(account).bind(survivor.0).fetch_optional(&mut *c).await?);
        card.map(|c| decode_json("a merged card", c.0)).transpose()
    }

    /// How many living people the account has.
    pub async fn count_people(&mut self) -> Result<i64> {
        let account = self.account.0;
        let sql = "SELECT COUNT(*) FROM people WHERE account_id = $1 AND deleted_at IS NULL";
        on_db!(self, c => Ok(sqlx::query_scalar::<_, i64>(sql).bind(account).fetch_one(&mut *c).await?))
    }

    /// Living people matching `filter`, in its order.
    pub async fn people(&mut self, filter: &PeopleFilter) -> Result<Vec<StoredPerson>> {
        let account = self.account.0;
        let words = filter
            .search
            .as_deref()
            .map(search_words)
            .unwrap_or_default();
        let postgres = matches!(self.inner, DbTx::Postgres(_));
        let tag = filter.tag.clone();
        // An organisation by name, or by one of its email domains.
        let org = filter.organization.as_deref().map(|o| {
            (
                normalize(o),
                o.trim().trim_start_matches('@').to_lowercase(),
            )
        });
        // PostgreSQL: a search in name order is paged in the narrow search
        // table, so only the page's cards are read.
        let page_in_search_table = filter.limit.filter(|_| {
            postgres
                && !words.is_empty()
                && filter.sort == crate::PeopleSort::Name
                && tag.is_none()
                && org.is_none()
        });
        on_db!(self, c => {
            let mut qb = sqlx::QueryBuilder::new(format!("SELECT {PERSON_COLUMNS} FROM people p WHERE "));
            qb.push("p.account_id = ");
            qb.push_bind(account);
            qb.push(" AND p.deleted_at IS NULL");
            if !words.is_empty() && postgres {
                let query: Vec<String> = words.iter().map(|w| format!("{w}:*")).collect();
                qb.push(" AND p.id IN (SELECT s.person_id FROM people_search s WHERE s.account_id = ");
                qb.push_bind(account);
                qb.push(" AND s.words @@ to_tsquery('simple', ");
                qb.push_bind(query.join(" & "));
                qb.push(")");
                if let Some(limit) = page_in_search_table {
                    qb.push(" ORDER BY s.sort_key, s.person_id LIMIT ");
                    qb.push_bind(limit);
                    qb.push(" OFFSET ");
                    qb.push_bind(filter.offset.unwrap_or(0));
                }
                qb.push(")");
            } else {
                for w in &words {
                    // search_text begins with a space: every word of it
                    // follows a character that is not a letter or digit.
                    qb.push(" AND p.search_text GLOB ");
                    qb.push_bind(format!("*[^a-z0-9]{w}*"));
                }
            }
            if let Some(tag) = &tag {
                qb.push(" AND EXISTS (SELECT 1 FROM person_tags t WHERE t.account_id = p.account_id AND t.person_id = p.id AND lower(t.tag) = lower(");
                qb.push_bind(tag.clone());
                qb.push("))");
            }
            if let Some((org, domain)) = &org {
                qb.push(" AND EXISTS (SELECT 1 FROM positions o WHERE o.account_id = p.account_id AND o.person_id = p.id AND (o.org_norm = ");
                qb.push_bind(org.clone());
                qb.push(" OR o.org_norm IN (SELECT d.org_norm FROM organization_domains d WHERE d.account_id = p.account_id AND d.domain = ");
                qb.push_bind(domain.clone());
                qb.push(")))");
            }
            qb.push(" ORDER BY ");
            qb.push(filter.sort.order_by());
            if let (Some(limit), None) = (filter.limit, page_in_search_table) {
                qb.push(" LIMIT ");
                qb.push_bind(limit);
                qb.push(" OFFSET ");
                qb.push_bind(filter.offset.unwrap_or(0));
            }
            let rows = qb.build().fetch_all(c).await?;
            rows.iter().map(person_from_row).collect()
        })
    }

    /// Living people in id order, `limit` at a time after `after`: for
    /// walking a large address book with bounded memory.
    pub async fn people_after(
        &mut self,
        after: Option<PersonId>,
        limit: i64,
    ) -> Result<Vec<StoredPerson>> {
        let account = self.account.0;
        let after = after.map(|p| p.0).unwrap_or(Uuid::nil());
        let sql = format!(
            "SELECT {PERSON_COLUMNS} FROM people WHERE account_id = $1 AND deleted_at IS NULL AND id > $2 ORDER BY id LIMIT $3"
        );
        on_db!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(account).bind(after).bind(limit).fetch_all(c).await?;
            rows.iter().map(person_from_row).collect()
        })
    }

    /// People deleted (not merged away) since `since` (microseconds), most
    /// recently deleted first: what can still be restored.
    pub async fn deleted_people(&mut self, since: i64, limit: i64) -> Result<Vec<StoredPerson>> {
        let account = self.account.0;
        let sql = format!(
            "SELECT {PERSON_COLUMNS} FROM people WHERE account_id = $1 AND deleted_at IS NOT NULL \
             AND deleted_at > $2 AND merged_into IS NULL ORDER BY deleted_at DESC LIMIT $3"
        );
        on_db!(self, c => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(account).bind(since).bind(limit).fetch_all(c).await?;
            rows.iter().map(person_from_row).collect()
        })
    }

    /// A living person of this account.
    pub async fn person(&mut self, id: PersonId) -> Result<Option<StoredPerson>> {
        self.person_row(id, false).await
    }

    /// The living people of this account among `ids` (in no particular
    /// order; unknown ids are left out).
    pub async fn people_by_ids(&mut self, ids: &[PersonId]) -> Result<Vec<StoredPerson>> {
        let account = self.account.0;
        let mut out = Vec::with_capacity(ids.len());
        for part in ids.chunks(BATCH) {
            on_db!(self, c => {
                let mut qb = sqlx::QueryBuilder::new(format!(
                    "SELECT {PERSON_COLUMNS} FROM people WHERE deleted_at IS NULL AND account_id = "
                ));
                qb.push_bind(account);
                qb.push(" AND id");
                push_in(&mut qb, part.iter().map(|id| id.0));
                for row in qb.build().fetch_all(c).await? {
                    out.push(person_from_row(&row)?);
                }
            });
        }
        Ok(out)
    }

    /// How many of `ids` are living people of this account (without
    /// reading their cards).
    pub async fn count_living(&mut self, ids: &[PersonId]) -> Result<usize> {
        let account = self.account.0;
        let mut found = 0usize;
        for part in ids.chunks(BATCH) {
            let n: i64 = on_db!(self, c => {
                let mut qb = sqlx::QueryBuilder::new(
                    "SELECT COUNT(*) FROM people WHERE deleted_at IS NULL AND account_id = ",
                );
                qb.push_bind(account);
                qb.push(" AND id");
                push_in(&mut qb, part.iter().map(|id| id.0));
                qb.build_query_scalar().fetch_one(c).await?
            });
            found += usize::try_from(n).unwrap_or(0);
        }
        Ok(found)
    }

    /// The living person `id` is now: itself, or the person it was merged
    /// into (followed through later merges); None when it was deleted.
    pub async fn living_person(&mut self, id: PersonId) -> Result<Option<PersonId>> {
        let account = self.account.0;
        let mut at = id.0;
        // A merge chain is short; a loop in damaged data must not hang.
        for _ in 0..64 {
            let row: Option<(Option<i64>, Option<Uuid>)> = on_db!(self, c => {
                sqlx::query_as("SELECT deleted_at, merged_into FROM people WHERE account_id = $1 AND id = $2")
                    .bind(account).bind(at).fetch_optional(c).await?
            });
            match row {
                Some((None, _)) => return Ok(Some(PersonId(at))),
                Some((Some(_), Some(into))) => at = into,
                _ => return Ok(None),
            }
        }
        Ok(None)
    }

    /// A person of this account, also when deleted or merged away.
    pub async fn person_even_deleted(&mut self, id: PersonId) -> Result<Option<StoredPerson>> {
        self.person_row(id, true).await
    }

    async fn person_row(
        &mut self,
        id: PersonId,
        deleted_too: bool,
    ) -> Result<Option<StoredPerson>> {
        let account = self.account.0;
        let sql = format!(
            "SELECT {PERSON_COLUMNS} FROM people WHERE account_id = $1 AND id = $2{}",
            if deleted_too {
                ""
            } else {
                " AND deleted_at IS NULL"
            }
        );
        on_db!(self, c => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(account).bind(id.0).fetch_optional(c).await?;
            row.as_ref().map(person_from_row).transpose()
        })
    }

    /// Living people with a note containing `text` (any case), at most
    /// `limit` (the first found), in name order (from `person_notes`, not
    /// the cards).
    pub async fn people_noting(&mut self, text: &str, limit: usize) -> Result<Vec<StoredPerson>> {
        let account = self.account.0;
        let needle = text.trim().to_lowercase();
        if needle.is_empty() {
            return Ok(Vec::new());
        }
        // The first matches the table gives, then in name order: a common
        // word stops the scan early (sorting every match by name took 40 ms
        // at 100,000 people).
        let sql = "SELECT DISTINCT person_id FROM person_notes \
                   WHERE account_id = $1 AND note LIKE $2 ESCAPE '\\' LIMIT $3";
        let pattern = format!("%{}%", like_escape(&needle));
        let ids: Vec<PersonId> = on_db!(self, c => {
            let rows = sqlx::query(sql).bind(account).bind(pattern).bind(limit as i64).fetch_all(c).await?;
            rows.iter().map(|r| Ok(PersonId(r.try_get("person_id")?))).collect::<Result<Vec<_>>>()?
        });
        let mut found = self.people_by_ids(&ids).await?;
        found.sort_by_cached_key(|sp| sp.person.card.display_name().to_lowercase());
        Ok(found)
    }

    /// The account owner's own card, if there is one.
    pub async fn me(&mut self) -> Result<Option<StoredPerson>> {
        let account = self.account.0;
        let sql = format!(
            "SELECT {PERSON_COLUMNS} FROM people WHERE account_id = $1 AND is_me AND deleted_at IS NULL"
        );
        on_db!(self, c => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(account).fetch_optional(c).await?;
            row.as_ref().map(person_from_row).transpose()
        })
    }

    /// Living people holding an identity key (`email:…`, `tel:…`).
    pub async fn people_with_key(&mut self, key: &str) -> Result<Vec<PersonId>> {
        let account = self.account.0;
        let sql = "SELECT k.person_id FROM person_keys k JOIN people p ON p.id = k.person_id \
                   WHERE k.account_id = $1 AND k.key = $2 AND p.deleted_at IS NULL";
        on_db!(self, c => {
            let rows = sqlx::query(sql).bind(account).bind(key).fetch_all(c).await?;
            rows.iter().map(|r| Ok(PersonId(r.try_get("person_id")?))).collect()
        })
    }

    /// The living people holding any of `keys`, with the key each holds.
    pub async fn people_with_keys(&mut self, keys: &[&str]) -> Result<Vec<(PersonId, String)>> {
        let account = self.account.0;
        let mut found = Vec::new();
        // A statement's binds are bounded (a card may carry thousands of
        // addresses): 500 keys at a time.
        for part in keys.chunks(500) {
            let rows: Vec<(Uuid, String)> = on_db!(self, c => {
                let mut qb = sqlx::QueryBuilder::new(
                    "SELECT k.person_id, k.key FROM person_keys k JOIN people p ON p.id = k.person_id \
                     WHERE p.deleted_at IS NULL AND k.account_id = ",
                );
                qb.push_bind(account);
                qb.push(" AND k.key");
                push_in(&mut qb, part.iter().copied());
                qb.build_query_as().fetch_all(&mut *c).await?
            });
            found.extend(rows.into_iter().map(|(id, key)| (PersonId(id), key)));
        }
        Ok(found)
    }

    /// Inserts or replaces people and their derived index rows, and appends
    /// one change-log entry per person. Returns each person's new version,
    /// in the order of `writes`.
    pub async fn put_people(&mut self, writes: &[PersonWrite<'_>]) -> Result<Vec<i64>> {
        let prepared = writes
            .iter()
            .map(PersonWrite::prepare)
            .collect::<Result<Vec<_>>>()?;
        self.put_prepared(&prepared).await
    }

    /// [`Tx::put_people`] for people already prepared.
    pub async fn put_prepared(&mut self, writes: &[PreparedWrite]) -> Result<Vec<i64>> {
        let mut versions = Vec::with_capacity(writes.len());
        if writes.is_empty() {
            return Ok(versions);
        }
        let account = self.account.0;
        let now = now_micros();
        for chunk in writes.chunks(BATCH) {
            let derived: Vec<&crate::index::Derived> = chunk.iter().map(|w| &w.derived).collect();
            let ids: Vec<Uuid> = chunk.iter().map(|w| w.id).collect();
            // Organisation rows not yet written by this transaction.
            let (mut orgs, mut names, mut domains) = (Vec::new(), Vec::new(), Vec::new());
            for p in derived.iter().flat_map(|d| d.positions.iter()) {
                if self
                    .orgs_written
                    .insert(("org", p.org_norm.clone(), String::new()))
                {
                    orgs.push(p);
                }
                if self
                    .orgs_written
                    .insert(("name", p.org_norm.clone(), p.org_name.clone()))
                {
                    names.push(p);
                }
            }
            for (org, domain) in derived.iter().flat_map(|d| d.org_domains.iter()) {
                if self
                    .orgs_written
                    .insert(("domain", org.clone(), domain.clone()))
                {
                    domains.push((org, domain));
                }
            }
            on_db!(self, c => {
                let mut qb = sqlx::QueryBuilder::new(
                    "INSERT INTO people (account_id, id, display_name, sort_key, search_text, card, is_me, version, created_at, updated_at) ",
                );
                qb.push_values(chunk, |mut b, w| {
                    let d = &w.derived;
                    b.push_bind(account)
                        .push_bind(w.id)
                        .push_bind(d.display_name.clone())
                        .push_bind(d.sort_key.clone())
                        .push_bind(d.search_text.clone())
                        .push_bind(Json(&*w.card))
                        .push_bind(w.is_me)
                        .push_bind(1i64)
                        .push_bind(now)
                        .push_bind(now);
                });
                qb.push(
                    " ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name, \
                     sort_key = excluded.sort_key, search_text = excluded.search_text, \
                     card = excluded.card, is_me = excluded.is_me, \
                     version = people.version + 1, updated_at = excluded.updated_at, \
                     deleted_at = NULL, merged_into = NULL \
                     WHERE people.account_id = excluded.account_id RETURNING id, version",
                );
                let done: HashMap<Uuid, i64> = qb.build_query_as::<(Uuid, i64)>().fetch_all(&mut *c).await?.into_iter().collect();
                if done.len() != chunk.len() {
                    // An id that exists under another account: refuse, never overwrite.
                    return Err(StoreError::Conflict("a person id belongs to another account".into()));
                }
                versions.extend(chunk.iter().map(|w| done.get(&w.id).copied().unwrap_or(1)));

                let old: Vec<Uuid> = chunk.iter().filter(|w| !w.fresh).map(|w| w.id).collect();
                for table in ["person_keys", "person_tags", "positions", "person_dates", "person_notes"] {
                    if old.is_empty() {
                        break;
                    }
                    let mut qb = sqlx::QueryBuilder::new(format!("DELETE FROM {table} WHERE account_id = "));
                    qb.push_bind(account);
                    qb.push(" AND person_id IN (");
                    let mut sep = qb.separated(", ");
                    for id in &old {
                        sep.push_bind(*id);
                    }
                    qb.push(")");
                    qb.build().execute(&mut *c).await?;
                }

                let mut keys: Vec<(Uuid, &String)> = ids.iter().zip(&derived).flat_map(|(id, d)| d.keys.iter().map(move |k| (*id, k))).collect();
                keys.sort_unstable_by(|a, b| a.1.cmp(b.1));
                for part in keys.chunks(BATCH) {
                    let mut qb = sqlx::QueryBuilder::new("INSERT INTO person_keys (account_id, key, person_id) ");
                    qb.push_values(part, |mut b, (id, k)| {
                        b.push_bind(account).push_bind((*k).clone()).push_bind(*id);
                    });
                    qb.push(" ON CONFLICT DO NOTHING");
                    qb.build().execute(&mut *c).await?;
                }

                let tags: Vec<(Uuid, &String)> = ids.iter().zip(&derived).flat_map(|(id, d)| d.tags.iter().map(move |t| (*id, t))).collect();
                for part in tags.chunks(BATCH) {
                    let mut qb = sqlx::QueryBuilder::new("INSERT INTO person_tags (account_id, tag, person_id) ");
                    qb.push_values(part, |mut b, (id, t)| {
                        b.push_bind(account).push_bind((*t).clone()).push_bind(*id);
                    });
                    qb.push(" ON CONFLICT DO NOTHING");
                    qb.build().execute(&mut *c).await?;
                }

                let positions: Vec<(Uuid, &crate::index::DerivedPosition)> = ids.iter().zip(&derived).flat_map(|(id, d)| d.positions.iter().map(move |p| (*id, p))).collect();
                for part in positions.chunks(BATCH) {
                    let mut qb = sqlx::QueryBuilder::new("INSERT INTO positions (account_id, person_id, org_norm, title, start_date, end_date) ");
                    qb.push_values(part, |mut b, (id, p)| {
                        b.push_bind(account).push_bind(*id).push_bind(p.org_norm.clone()).push_bind(p.title.clone()).push_bind(p.start.clone()).push_bind(p.end.clone());
                    });
                    qb.build().execute(&mut *c).await?;
                }
                let notes: Vec<(Uuid, &String)> = ids.iter().zip(&derived).flat_map(|(id, d)| d.notes.iter().map(move |n| (*id, n))).collect();
                for part in notes.chunks(BATCH) {
                    let mut qb = sqlx::QueryBuilder::new("INSERT INTO person_notes (account_id, person_id, note) ");
                    qb.push_values(part, |mut b, (id, n)| {
                        b.push_bind(account).push_bind(*id).push_bind((*n).clone());
                    });
                    qb.build().execute(&mut *c).await?;
                }
                let dates: Vec<(Uuid, &kith_core::dates::YearlyDate)> = ids.iter().zip(&derived).flat_map(|(id, d)| d.dates.iter().map(move |y| (*id, y))).collect();
                for part in dates.chunks(BATCH) {
                    let mut qb = sqlx::QueryBuilder::new("INSERT INTO person_dates (account_id, person_id, kind, month, day, year, label) ");
                    qb.push_values(part, |mut b, (id, y)| {
                        b.push_bind(account).push_bind(*id).push_bind(y.kind.as_str())
                            .push_bind(i32::from(y.date.month)).push_bind(i32::from(y.date.day.unwrap_or(0)))
                            .push_bind(y.date.year.map(i32::from)).push_bind(y.label.clone());
                    });
                    qb.push(" ON CONFLICT DO NOTHING");
                    qb.build().execute(&mut *c).await?;
                }
                for part in orgs.chunks(BATCH) {
                    let mut qb = sqlx::QueryBuilder::new("INSERT INTO organizations (account_id, norm_name, id, name) ");
                    qb.push_values(part, |mut b, p| {
                        b.push_bind(account).push_bind(p.org_norm.clone()).push_bind(Uuid::now_v7()).push_bind(p.org_name.clone());
                    });
                    qb.push(" ON CONFLICT (account_id, norm_name) DO NOTHING");
                    qb.build().execute(&mut *c).await?;
                }
                for part in names.chunks(BATCH) {
                    let mut qb = sqlx::QueryBuilder::new("INSERT INTO organization_names (account_id, org_norm, name) ");
                    qb.push_values(part, |mut b, p| {
                        b.push_bind(account).push_bind(p.org_norm.clone()).push_bind(p.org_name.clone());
                    });
                    qb.push(" ON CONFLICT DO NOTHING");
                    qb.build().execute(&mut *c).await?;
                }
                for part in domains.chunks(BATCH) {
                    let mut qb = sqlx::QueryBuilder::new("INSERT INTO organization_domains (account_id, org_norm, domain) ");
                    qb.push_values(part, |mut b, (org, domain)| {
                        b.push_bind(account).push_bind((*org).clone()).push_bind((*domain).clone());
                    });
                    qb.push(" ON CONFLICT DO NOTHING");
                    qb.build().execute(&mut *c).await?;
                }

                let mut qb = sqlx::QueryBuilder::new("INSERT INTO changes (account_id, person_id, kind, at) ");
                qb.push_values(&ids, |mut b, id| {
                    b.push_bind(account).push_bind(*id).push_bind("put").push_bind(now);
                });
                qb.build().execute(&mut *c).await?;
                Ok::<(), StoreError>(())
            })?;
        }
        Ok(versions)
    }

    /// Soft-deletes a person (recoverable), optionally as merged into another.
    pub async fn delete_person(
        &mut self,
        id: PersonId,
        merged_into: Option<PersonId>,
    ) -> Result<bool> {
        let account = self.account.0;
        let now = now_micros();
        let into = merged_into.map(|p| p.0);
        on_db!(self, c => {
            let n = sqlx::query(
                "UPDATE people SET deleted_at = $3, merged_into = $4, version = version + 1, updated_at = $3 \
                 WHERE account_id = $1 AND id = $2 AND deleted_at IS NULL",
            )
            .bind(account).bind(id.0).bind(now).bind(into)
            .execute(&mut *c).await?.rows_affected();
            if n == 0 {
                return Ok(false);
            }
            for table in ["person_keys", "person_tags", "positions", "person_dates", "person_notes"] {
                sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table} WHERE account_id = $1 AND person_id = $2")))
                    .bind(account).bind(id.0).execute(&mut *c).await?;
            }
            sqlx::query("INSERT INTO changes (account_id, person_id, kind, at) VALUES ($1, $2, 'delete', $3)")
                .bind(account).bind(id.0).bind(now).execute(&mut *c).await?;
            Ok(true)
        })
    }

    /// Removes for good the people deleted (not merged away) before `before`
    /// (microseconds), with their open duplicate suggestions; returns how
    /// many. Merged-away people stay: a merge can be undone from them.
    pub async fn purge_deleted(&mut self, before: i64) -> Result<u64> {
        let account = self.account.0;
        on_db!(self, c => {
            sqlx::query(
                "DELETE FROM duplicate_suggestions WHERE account_id = $1 AND (a IN \
                 (SELECT id FROM people WHERE account_id = $1 AND deleted_at < $2 AND merged_into IS NULL) \
                 OR b IN (SELECT id FROM people WHERE account_id = $1 AND deleted_at < $2 AND merged_into IS NULL))",
            )
            .bind(account).bind(before).execute(&mut *c).await?;
            for table in ["person_cadences", "snoozes", "person_circles"] {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DELETE FROM {table} WHERE account_id = $1 AND person_id IN \
                     (SELECT id FROM people WHERE account_id = $1 AND deleted_at < $2 AND merged_into IS NULL)"
                )))
                .bind(account).bind(before).execute(&mut *c).await?;
            }
            // Their part in interactions goes too, then interactions left with no one.
            sqlx::query(
                "DELETE FROM interaction_people WHERE account_id = $1 AND person_id IN \
                 (SELECT id FROM people WHERE account_id = $1 AND deleted_at < $2 AND merged_into IS NULL)",
            )
            .bind(account).bind(before).execute(&mut *c).await?;
            sqlx::query(
                "DELETE FROM interactions WHERE account_id = $1 AND NOT EXISTS \
                 (SELECT 1 FROM interaction_people ip WHERE ip.account_id = $1 AND ip.interaction_id = interactions.id)",
            )
            .bind(account).execute(&mut *c).await?;
            // Their sharing rules go with them (a rule is kept by the
            // person's id, as `person:ID`).
            let gone: Vec<Uuid> = sqlx::query_scalar(
                "SELECT id FROM people WHERE account_id = $1 AND deleted_at < $2 AND merged_into IS NULL",
            )
            .bind(account).bind(before).fetch_all(&mut *c).await?;
            for id in gone {
                sqlx::query("DELETE FROM sharing_rules WHERE account_id = $1 AND scope = $2")
                    .bind(account).bind(format!("person:{}", PersonId(id))).execute(&mut *c).await?;
            }
            let n = sqlx::query("DELETE FROM people WHERE account_id = $1 AND deleted_at < $2 AND merged_into IS NULL")
                .bind(account).bind(before).execute(&mut *c).await?.rows_affected();
            Ok(n)
        })
    }

    /// Records a merge so that it can be undone.
    pub async fn insert_merge(&mut self, m: &MergeRecord) -> Result<()> {
        let account = self.account.0;
        let before = serde_json::to_value(&m.survivor_before)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let absorbed = serde_json::to_value(&m.absorbed_card)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let reasons =
            serde_json::to_value(&m.reasons).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        on_db!(self, c => {
            sqlx::query(
                "INSERT INTO merges (account_id, id, survivor, absorbed, survivor_before, absorbed_card, reasons, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(account).bind(m.id).bind(m.survivor.0).bind(m.absorbed.0)
            .bind(Json(before)).bind(Json(absorbed)).bind(Json(reasons)).bind(m.created_at)
            .execute(c).await?;
            Ok(())
        })
    }

    /// Merges not undone, newest first; only those involving `person` when given.
    pub async fn merges(&mut self, person: Option<PersonId>) -> Result<Vec<MergeRecord>> {
        let account = self.account.0;
        let p = person.map(|p| p.0);
        on_db!(self, c => {
            let rows = sqlx::query(
                "SELECT id, survivor, absorbed, survivor_before, absorbed_card, reasons, created_at, undone_at \
                 FROM merges WHERE account_id = $1 AND undone_at IS NULL \
                 AND ($2 IS NULL OR survivor = $2 OR absorbed = $2) ORDER BY created_at DESC",
            )
            .bind(account).bind(p).fetch_all(c).await?;
            rows.iter().map(|r| {
                let before: Json<serde_json::Value> = r.try_get("survivor_before")?;
                let absorbed: Json<serde_json::Value> = r.try_get("absorbed_card")?;
                let reasons: Json<serde_json::Value> = r.try_get("reasons")?;
                Ok(MergeRecord {
                    id: r.try_get("id")?,
                    survivor: PersonId(r.try_get("survivor")?),
                    absorbed: PersonId(r.try_get("absorbed")?),
                    survivor_before: decode_json("merge", before.0)?,
                    absorbed_card: decode_json("merge", absorbed.0)?,
                    reasons: decode_json("merge", reasons.0)?,
                    created_at: r.try_get("created_at")?,
                    undone_at: r.try_get("undone_at")?,
                })
            }).collect()
        })
    }

    pub async fn mark_merge_undone(&mut self, id: Uuid) -> Result<()> {
        let account = self.account.0;
        on_db!(self, c => {
            sqlx::query("UPDATE merges SET undone_at = $3 WHERE account_id = $1 AND id = $2")
                .bind(account).bind(id).bind(now_micros()).execute(c).await?;
            Ok(())
        })
    }

    /// Adds duplicate suggestions; a pair already suggested (or dismissed) is left as it is.
    pub async fn add_suggestions(&mut self, list: &[Suggestion]) -> Result<()> {
        let account = self.account.0;
        let now = now_micros();
        for part in list.chunks(BATCH) {
            let rows: Vec<(Uuid, Uuid, f64, serde_json::Value)> = part
                .iter()
                .map(|s| {
                    let (a, b) = if s.a < s.b { (s.a, s.b) } else { (s.b, s.a) };
                    (
                        a.0,
                        b.0,
                        s.score,
                        serde_json::Value::from(s.reasons.clone()),
                    )
                })
                .collect();
            on_db!(self, c => {
                let mut qb = sqlx::QueryBuilder::new("INSERT INTO duplicate_suggestions (account_id, a, b, score, reasons, status, created_at) ");
                qb.push_values(rows, |mut b, (x, y, score, reasons)| {
                    b.push_bind(account).push_bind(x).push_bind(y).push_bind(score).push_bind(Json(reasons)).push_bind("open").push_bind(now);
                });
                qb.push(" ON CONFLICT (account_id, a, b) DO NOTHING");
                qb.build().execute(c).await?;
                Ok::<(), StoreError>(())
            })?;
        }
        Ok(())
    }

    /// Open suggestions between two living people, best first.
    pub async fn open_suggestions(&mut self) -> Result<Vec<Suggestion>> {
        Ok(self.open_suggestions_page(0, i64::MAX).await?.1)
    }

    /// A page of the open suggestions between living people, best first,
    /// and how many there are in all.
    pub async fn open_suggestions_page(
        &mut self,
        offset: i64,
        limit: i64,
    ) -> Result<(i64, Vec<Suggestion>)> {
        let account = self.account.0;
        const OPEN: &str = "FROM duplicate_suggestions s \
             JOIN people pa ON pa.id = s.a AND pa.deleted_at IS NULL \
             JOIN people pb ON pb.id = s.b AND pb.deleted_at IS NULL \
             WHERE s.account_id = $1 AND s.status = 'open'";
        let count = format!("SELECT COUNT(*) {OPEN}");
        let page = format!(
            "SELECT s.a, s.b, s.score, s.reasons {OPEN} ORDER BY s.score DESC, pa.sort_key, s.a, s.b LIMIT $2 OFFSET $3"
        );
        on_db!(self, c => {
            let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(count)).bind(account).fetch_one(&mut *c).await?;
            let rows = sqlx::query(sqlx::AssertSqlSafe(page))
                .bind(account).bind(limit).bind(offset).fetch_all(&mut *c).await?;
            let list = rows.iter().map(|r| {
                let reasons: Json<serde_json::Value> = r.try_get("reasons")?;
                Ok(Suggestion {
                    a: PersonId(r.try_get("a")?),
                    b: PersonId(r.try_get("b")?),
                    score: r.try_get("score")?,
                    reasons: decode_json("suggestion", reasons.0)?,
                })
            }).collect::<Result<Vec<_>>>()?;
            Ok((total, list))
        })
    }

    /// Sets a suggestion's status (`open`, `dismissed`, `merged`).
    pub async fn set_suggestion_status(
        &mut self,
        a: PersonId,
        b: PersonId,
        status: &str,
    ) -> Result<()> {
        let account = self.account.0;
        let (a, b) = if a < b { (a, b) } else { (b, a) };
        on_db!(self, c => {
            sqlx::query("UPDATE duplicate_suggestions SET status = $4 WHERE account_id = $1 AND a = $2 AND b = $3")
                .bind(account).bind(a.0).bind(b.0).bind(status).execute(c).await?;
            Ok(())
        })
    }

    /// Keeps a record of an import (file, format, what it did).
    pub async fn record_import(
        &mut self,
        file: &str,
        format: &str,
        summary: &serde_json::Value,
    ) -> Result<()> {
        let account = self.account.0;
        let summary = summary.clone();
        on_db!(self, c => {
            sqlx::query("INSERT INTO imports (account_id, id, file, format, at, summary) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(account).bind(Uuid::now_v7()).bind(file).bind(format).bind(now_micros()).bind(Json(summary))
                .execute(c).await?;
            Ok(())
        })
    }

    /// Number of entries in this account's change log (for tests and sync).
    pub async fn change_count(&mut self) -> Result<i64> {
        let account = self.account.0;
        on_db!(self, c => {
            let row = sqlx::query("SELECT COUNT(*) AS n FROM changes WHERE account_id = $1").bind(account).fetch_one(c).await?;
            Ok(row.try_get("n")?)
        })
    }
}

/// Reads a person row (columns id, card, is_me, version, created_at, updated_at).
/// `text` with LIKE's wildcards (and the escape character) escaped by `\`.
pub(crate) fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn person_from_row<R>(row: &R) -> Result<StoredPerson>
where
    R: Row,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    Uuid: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    sqlx::types::Json<serde_json::Value>:
        for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    bool: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    i64: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let id: Uuid = row.try_get("id")?;
    let card: sqlx::types::Json<serde_json::Value> = row.try_get("card")?;
    Ok(StoredPerson {
        person: Person {
            id: PersonId(id),
            card: decode_json("person card", card.0)?,
        },
        is_me: row.try_get("is_me")?,
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// The words a search query asks for: each must begin a word of a person's
/// search text. Words are split and folded as `names::normalize` does (so
/// `ana.meyer@example.com` asks for ana, meyer, example and com), and a
/// query that looks like a phone number asks for its digits as one word, as
/// phones are stored in E.164 (`+49 170 123` asks for 49170123).
pub fn search_words(q: &str) -> Vec<String> {
    let phone_like = q.chars().any(|c| c.is_ascii_digit())
        && q.chars()
            .all(|c| c.is_ascii_digit() || " +-()./".contains(c));
    if phone_like {
        let digits: String = q.chars().filter(char::is_ascii_digit).collect();
        let digits = digits.strip_prefix("00").unwrap_or(&digits).to_string();
        return vec![digits];
    }
    let mut words: Vec<String> = normalize(q).split(' ').map(str::to_string).collect();
    words.retain(|w| !w.is_empty());
    // At most 16 words, longest first: enough to find anyone, and it bounds
    // the work one query can ask of the index.
    words.sort_by_key(|w| std::cmp::Reverse(w.len()));
    words.dedup();
    words.truncate(16);
    words
}
