//! Living sources as rows (a mailbox, calendar or address book kith reads
//! on a schedule) and what a calendar or address book last showed of each
//! item. A source's sync is held by one server at a time through a lease
//! (`claimed_by` until `claimed_until`), so that servers sharing one
//! PostgreSQL never sync the same source together. What a source holds
//! (options, cursor, report, the items' `made`) is the app's JSON or text.

use crate::db::{now_micros, on_db, on_pool};
use crate::tx::Tx;
use crate::{Result, Store, StoreError};
use kith_core::AccountId;
use sqlx::Row;
use uuid::Uuid;

/// One source.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceRow {
    pub id: Uuid,
    pub account: AccountId,
    /// `imap`, `caldav`, `carddav` or `ics` (the app's words).
    pub kind: String,
    pub url: String,
    pub login: Option<String>,
    /// The password sealed with the server's key (the app's text).
    pub secret: Option<String>,
    /// How to read it (JSON, the app's).
    pub options: String,
    pub every_seconds: i64,
    /// Why it is paused; None: it syncs on its schedule.
    pub paused: Option<String>,
    /// Where the last sync stopped (JSON, the app's).
    pub cursor: String,
    pub next_sync_at: i64,
    pub claimed_by: Option<String>,
    pub claimed_until: i64,
    pub progress_done: i64,
    pub progress_total: i64,
    pub last_sync_at: Option<i64>,
    pub last_ok_at: Option<i64>,
    pub last_error: Option<String>,
    /// Failures since the last sync that worked.
    pub failures: i64,
    /// What the last sync that worked did (JSON, the app's).
    pub last_report: Option<String>,
    pub created_at: i64,
}

const COLUMNS: &str = "id, account_id, kind, url, login, secret, options, every_seconds, paused, cursor, \
     next_sync_at, claimed_by, claimed_until, progress_done, progress_total, last_sync_at, last_ok_at, \
     last_error, failures, last_report, created_at";

/// A [`SourceRow`] from a row (a macro: the engines' rows differ).
macro_rules! source_row {
    ($r:expr) => {{
        let r = $r;
        SourceRow {
            id: r.try_get("id")?,
            account: AccountId(r.try_get("account_id")?),
            kind: r.try_get("kind")?,
            url: r.try_get("url")?,
            login: r.try_get("login")?,
            secret: r.try_get("secret")?,
            options: r.try_get("options")?,
            every_seconds: r.try_get("every_seconds")?,
            paused: r.try_get("paused")?,
            cursor: r.try_get("cursor")?,
            next_sync_at: r.try_get("next_sync_at")?,
            claimed_by: r.try_get("claimed_by")?,
            claimed_until: r.try_get("claimed_until")?,
            progress_done: r.try_get("progress_done")?,
            progress_total: r.try_get("progress_total")?,
            last_sync_at: r.try_get("last_sync_at")?,
            last_ok_at: r.try_get("last_ok_at")?,
            last_error: r.try_get("last_error")?,
            failures: r.try_get("failures")?,
            last_report: r.try_get("last_report")?,
            created_at: r.try_get("created_at")?,
        }
    }};
}

/// How a sync ended, as the source keeps it.
#[derive(Clone, Debug)]
pub enum SyncEnd<'a> {
    /// It worked: its report, and when to sync next.
    Ok { report: &'a str, next_at: i64 },
    /// It failed: why, and when to try again (None: pause the source, with
    /// `error` as the reason).
    Failed {
        error: &'a str,
        next_at: Option<i64>,
    },
}

/// What a calendar or address book showed of one item at the last sync.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceItem {
    pub href: String,
    pub etag: Option<String>,
    /// What it became in kith (the app's text).
    pub made: String,
    pub recheck_at: Option<i64>,
}

impl Store {
    /// Records a new source.
    pub async fn add_source(&self, s: &SourceRow) -> Result<()> {
        let sql = "INSERT INTO sources (id, account_id, kind, url, login, secret, options, every_seconds, \
                   paused, cursor, next_sync_at, created_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";
        on_pool!(&self.db, p => sqlx::query(sql).bind(s.id).bind(s.account.0).bind(&s.kind).bind(&s.url)
            .bind(&s.login).bind(&s.secret).bind(&s.options).bind(s.every_seconds).bind(&s.paused)
            .bind(&s.cursor).bind(s.next_sync_at).bind(s.created_at).execute(p).await?.rows_affected());
        Ok(())
    }

    /// An account's sources, oldest first.
    pub async fn sources(&self, account: AccountId) -> Result<Vec<SourceRow>> {
        let sql =
            format!("SELECT {COLUMNS} FROM sources WHERE account_id = $1 ORDER BY created_at, id");
        on_pool!(&self.db, p => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(account.0).fetch_all(p).await?;
            rows.iter().map(|r| Ok(source_row!(r))).collect()
        })
    }

    /// One of an account's sources.
    pub async fn source(&self, account: AccountId, id: Uuid) -> Result<Option<SourceRow>> {
        let sql = format!("SELECT {COLUMNS} FROM sources WHERE account_id = $1 AND id = $2");
        on_pool!(&self.db, p => match sqlx::query(sqlx::AssertSqlSafe(sql)).bind(account.0).bind(id)
            .fetch_optional(p).await? {
            Some(r) => Ok(Some(source_row!(&r))),
            None => Ok(None),
        })
    }

    /// Changes how a source is reached and read (its URL stays), and
    /// resumes it: its next sync is due at once.
    pub async fn update_source(
        &self,
        account: AccountId,
        id: Uuid,
        login: Option<&str>,
        secret: Option<&str>,
        options: &str,
        every_seconds: i64,
    ) -> Result<bool> {
        let sql = "UPDATE sources SET login = $3, secret = $4, options = $5, every_seconds = $6, \
                   paused = NULL, failures = 0, next_sync_at = 0 WHERE account_id = $1 AND id = $2";
        let n = on_pool!(&self.db, p => sqlx::query(sql).bind(account.0).bind(id).bind(login).bind(secret)
            .bind(options).bind(every_seconds).execute(p).await?.rows_affected());
        Ok(n > 0)
    }

    /// Pauses a source (with why) or resumes it (None: due at once).
    pub async fn pause_source(
        &self,
        account: AccountId,
        id: Uuid,
        paused: Option<&str>,
    ) -> Result<bool> {
        let sql = "UPDATE sources SET paused = $3, failures = CASE WHEN $3 IS NULL THEN 0 ELSE failures END, \
                   next_sync_at = 0 WHERE account_id = $1 AND id = $2";
        let n = on_pool!(&self.db, p => sqlx::query(sql).bind(account.0).bind(id).bind(paused)
            .execute(p).await?.rows_affected());
        Ok(n > 0)
    }

    /// Removes a source and what it remembered of its items (what it
    /// brought into the address book stays).
    pub async fn remove_source(&self, account: AccountId, id: Uuid) -> Result<bool> {
        let n = on_pool!(&self.db, p => {
            let mut tx = p.begin().await?;
            sqlx::query("DELETE FROM source_items WHERE account_id = $1 AND source_id = $2")
                .bind(account.0).bind(id).execute(&mut *tx).await?;
            let n = sqlx::query("DELETE FROM sources WHERE account_id = $1 AND id = $2")
                .bind(account.0).bind(id).execute(&mut *tx).await?.rows_affected();
            tx.commit().await?;
            n
        });
        Ok(n > 0)
    }

    /// Takes one source for `server` until `until` (microseconds), unless
    /// another server holds it: the source as claimed, or None.
    pub async fn claim_source(
        &self,
        account: AccountId,
        id: Uuid,
        server: &str,
        until: i64,
    ) -> Result<Option<SourceRow>> {
        let sql = format!(
            "UPDATE sources SET claimed_by = $3, claimed_until = $4, progress_done = 0, progress_total = 0 \
             WHERE account_id = $1 AND id = $2 AND (claimed_by IS NULL OR claimed_by = $3 OR claimed_until < $5) \
             RETURNING {COLUMNS}"
        );
        on_pool!(&self.db, p => match sqlx::query(sqlx::AssertSqlSafe(sql)).bind(account.0).bind(id).bind(server)
            .bind(until).bind(now_micros()).fetch_optional(p).await? {
            Some(r) => Ok(Some(source_row!(&r))),
            None => Ok(None),
        })
    }

    /// Takes the source most overdue at `now` (not paused, not held by
    /// another server) for `server` until `until`.
    pub async fn claim_due_source(
        &self,
        server: &str,
        now: i64,
        until: i64,
    ) -> Result<Option<SourceRow>> {
        let pick = "SELECT id FROM sources WHERE next_sync_at <= $3 AND paused IS NULL \
                    AND (claimed_by IS NULL OR claimed_until < $3) ORDER BY next_sync_at LIMIT 1";
        let lock = match &self.db {
            crate::db::Db::Sqlite(_) => "",
            crate::db::Db::Postgres(_) => " FOR UPDATE SKIP LOCKED",
        };
        let sql = format!(
            "UPDATE sources SET claimed_by = $1, claimed_until = $2, progress_done = 0, progress_total = 0 \
             WHERE id = ({pick}{lock}) AND (claimed_by IS NULL OR claimed_until < $3) RETURNING {COLUMNS}"
        );
        on_pool!(&self.db, p => match sqlx::query(sqlx::AssertSqlSafe(sql)).bind(server).bind(until).bind(now)
            .fetch_optional(p).await? {
            Some(r) => Ok(Some(source_row!(&r))),
            None => Ok(None),
        })
    }

    /// When the next source is due (None: none is).
    pub async fn next_source_due(&self) -> Result<Option<i64>> {
        let sql = "SELECT MIN(next_sync_at) FROM sources WHERE paused IS NULL";
        Ok(on_pool!(&self.db, p => sqlx::query_scalar::<_, Option<i64>>(sql).fetch_one(p).await?))
    }

    /// A sync's progress (items done of all), and the lease held on until
    /// `until`. False when `server` no longer holds the source.
    pub async fn source_progress(
        &self,
        id: Uuid,
        server: &str,
        done: i64,
        total: i64,
        until: i64,
    ) -> Result<bool> {
        let sql = "UPDATE sources SET progress_done = $3, progress_total = $4, claimed_until = $5 \
                   WHERE id = $1 AND claimed_by = $2";
        let n = on_pool!(&self.db, p => sqlx::query(sql).bind(id).bind(server).bind(done).bind(total)
            .bind(until).execute(p).await?.rows_affected());
        Ok(n > 0)
    }

    /// Ends `server`'s sync of a source: it lets go of the lease and keeps
    /// the outcome.
    pub async fn end_source_sync(&self, id: Uuid, server: &str, end: SyncEnd<'_>) -> Result<()> {
        let now = now_micros();
        match end {
            SyncEnd::Ok { report, next_at } => {
                let sql = "UPDATE sources SET claimed_by = NULL, claimed_until = 0, last_sync_at = $3, \
                           last_ok_at = $3, last_error = NULL, failures = 0, last_report = $4, next_sync_at = $5 \
                           WHERE id = $1 AND claimed_by = $2";
                on_pool!(&self.db, p => sqlx::query(sql).bind(id).bind(server).bind(now).bind(report)
                    .bind(next_at).execute(p).await?.rows_affected());
            }
            SyncEnd::Failed { error, next_at } => {
                let sql = "UPDATE sources SET claimed_by = NULL, claimed_until = 0, last_sync_at = $3, \
                           last_error = $4, failures = failures + 1, next_sync_at = $5, \
                           paused = CASE WHEN $6 THEN $4 ELSE paused END \
                           WHERE id = $1 AND claimed_by = $2";
                on_pool!(&self.db, p => sqlx::query(sql).bind(id).bind(server).bind(now).bind(error)
                    .bind(next_at.unwrap_or(i64::MAX)).bind(next_at.is_none()).execute(p).await?.rows_affected());
            }
        }
        Ok(())
    }

    /// Lets go of every source `server` holds (it is stopping).
    pub async fn release_sources(&self, server: &str) -> Result<u64> {
        let sql = "UPDATE sources SET claimed_by = NULL, claimed_until = 0 WHERE claimed_by = $1";
        Ok(on_pool!(&self.db, p => sqlx::query(sql).bind(server).execute(p).await?.rows_affected()))
    }
}

impl Tx {
    /// Saves where a sync of this account's source got to (written with
    /// what the sync brought, so that neither is kept without the other).
    pub async fn set_source_cursor(&mut self, id: Uuid, cursor: &str) -> Result<()> {
        let account = self.account.0;
        let n = on_db!(self, c => sqlx::query("UPDATE sources SET cursor = $3 WHERE account_id = $1 AND id = $2")
            .bind(account).bind(id).bind(cursor).execute(&mut *c).await?.rows_affected());
        if n == 0 {
            return Err(StoreError::NotFound("no such source".into()));
        }
        Ok(())
    }

    /// What the source showed of each item at its last sync.
    pub async fn source_items(&mut self, id: Uuid) -> Result<Vec<SourceItem>> {
        let account = self.account.0;
        let sql = "SELECT href, etag, made, recheck_at FROM source_items \
                   WHERE account_id = $1 AND source_id = $2 ORDER BY href";
        on_db!(self, c => {
            let rows = sqlx::query(sql).bind(account).bind(id).fetch_all(&mut *c).await?;
            rows.iter().map(|r| Ok(SourceItem {
                href: r.try_get("href")?,
                etag: r.try_get("etag")?,
                made: r.try_get("made")?,
                recheck_at: r.try_get("recheck_at")?,
            })).collect()
        })
    }

    /// Records (or replaces) what the source showed of an item.
    pub async fn put_source_item(&mut self, id: Uuid, item: &SourceItem) -> Result<()> {
        let account = self.account.0;
        let sql = "INSERT INTO source_items (account_id, source_id, href, etag, made, recheck_at) \
                   VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (source_id, href) \
                   DO UPDATE SET etag = excluded.etag, made = excluded.made, recheck_at = excluded.recheck_at";
        on_db!(self, c => sqlx::query(sql).bind(account).bind(id).bind(&item.href).bind(&item.etag)
            .bind(&item.made).bind(item.recheck_at).execute(&mut *c).await?.rows_affected());
        Ok(())
    }

    /// Forgets an item the source no longer shows.
    pub async fn delete_source_item(&mut self, id: Uuid, href: &str) -> Result<()> {
        let account = self.account.0;
        let sql = "DELETE FROM source_items WHERE account_id = $1 AND source_id = $2 AND href = $3";
        on_db!(self, c => sqlx::query(sql).bind(account).bind(id).bind(href).execute(&mut *c).await?.rows_affected());
        Ok(())
    }
}
