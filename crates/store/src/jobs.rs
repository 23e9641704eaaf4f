//! Import jobs as rows, so that every server sharing the database answers
//! for them and none is lost with the process that accepted it. A job is
//! claimed by one server at a time (`FOR UPDATE SKIP LOCKED` on
//! PostgreSQL; SQLite's writes take turns anyway), which keeps saying so
//! (`heartbeat_at`); a job whose server went silent can be claimed again.
//! What a job holds (file names, options, results) is the app's JSON.

use crate::db::{now_micros, on_pool};
use crate::{Result, Store, StoreError};
use kith_core::AccountId;
use sqlx::Row;
use uuid::Uuid;

/// Where a job is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobState {
    /// Accepted, waiting for a server to import it.
    Queued,
    Running,
    /// Every file imported (each with its report or its error).
    Done,
    /// Stopped for good, with the reason.
    Failed,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<JobState> {
        [
            JobState::Queued,
            JobState::Running,
            JobState::Done,
            JobState::Failed,
        ]
        .into_iter()
        .find(|j| j.as_str() == s)
    }
}

/// One import job.
#[derive(Clone, Debug, PartialEq)]
pub struct JobRow {
    pub id: Uuid,
    pub account: AccountId,
    pub state: JobState,
    /// The files' names as uploaded (JSON, the app's).
    pub files: String,
    /// How to import them (JSON, the app's).
    pub options: String,
    /// Where the uploaded files wait.
    pub dir: String,
    pub claimed_by: Option<String>,
    pub heartbeat_at: i64,
    pub read_bytes: i64,
    pub total_bytes: i64,
    /// Files finished.
    pub finished: i64,
    /// Each finished file's outcome (JSON, the app's).
    pub results: String,
    pub error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "id, account_id, state, files, options, dir, claimed_by, heartbeat_at, \
                       read_bytes, total_bytes, finished, results, error, created_at, updated_at";

fn job_row<R: Row>(r: &R) -> Result<JobRow>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> Uuid: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let state: String = r.try_get("state")?;
    Ok(JobRow {
        id: r.try_get("id")?,
        account: AccountId(r.try_get("account_id")?),
        state: JobState::parse(&state)
            .ok_or_else(|| StoreError::Corrupt(format!("import job state {state:?}")))?,
        files: r.try_get("files")?,
        options: r.try_get("options")?,
        dir: r.try_get("dir")?,
        claimed_by: r.try_get("claimed_by")?,
        heartbeat_at: r.try_get("heartbeat_at")?,
        read_bytes: r.try_get("read_bytes")?,
        total_bytes: r.try_get("total_bytes")?,
        finished: r.try_get("finished")?,
        results: r.try_get("results")?,
        error: r.try_get("error")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

impl Store {
    /// Records a job accepted by `row.claimed_by`.
    pub async fn add_import_job(&self, row: &JobRow) -> Result<()> {
        let sql = format!(
            "INSERT INTO import_jobs ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
        );
        on_pool!(&self.db, p => sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(row.id).bind(row.account.0).bind(row.state.as_str()).bind(&row.files)
            .bind(&row.options).bind(&row.dir).bind(&row.claimed_by).bind(row.heartbeat_at)
            .bind(row.read_bytes).bind(row.total_bytes).bind(row.finished).bind(&row.results)
            .bind(&row.error).bind(row.created_at).bind(row.updated_at)
            .execute(p).await?.rows_affected());
        Ok(())
    }

    /// One of `account`'s jobs (another account's is not there).
    pub async fn import_job(&self, account: AccountId, id: Uuid) -> Result<Option<JobRow>> {
        let sql = format!("SELECT {COLUMNS} FROM import_jobs WHERE account_id = $1 AND id = $2");
        on_pool!(&self.db, p => match sqlx::query(sqlx::AssertSqlSafe(sql)).bind(account.0).bind(id).fetch_optional(p).await? {
            Some(r) => Ok(Some(job_row(&r)?)),
            None => Ok(None),
        })
    }

    /// How many of `account`'s jobs are queued or running.
    pub async fn unfinished_import_jobs(&self, account: AccountId) -> Result<i64> {
        let sql = "SELECT COUNT(*) FROM import_jobs WHERE account_id = $1 AND state IN ('queued', 'running')";
        on_pool!(&self.db, p => Ok(sqlx::query_scalar(sql).bind(account.0).fetch_one(p).await?))
    }

    /// Jobs by state, every account (metrics).
    pub async fn import_jobs_by_state(&self) -> Result<Vec<(JobState, i64)>> {
        let sql = "SELECT state, COUNT(*) AS n FROM import_jobs GROUP BY state";
        let rows: Vec<(String, i64)> = on_pool!(&self.db, p => sqlx::query(sql).fetch_all(p).await?
            .iter().map(|r| Ok((r.try_get("state")?, r.try_get("n")?))).collect::<Result<_>>()?);
        Ok(rows
            .into_iter()
            .filter_map(|(s, n)| Some((JobState::parse(&s)?, n)))
            .collect())
    }

    /// Claims the oldest job `server` may import: one it accepted and has
    /// not started, or one whose server has been silent since `stale_before`
    /// (queued or running). None when there is none.
    pub async fn claim_import_job(
        &self,
        server: &str,
        stale_before: i64,
    ) -> Result<Option<JobRow>> {
        let now = now_micros();
        let pick = "SELECT id FROM import_jobs \
                    WHERE (state = 'queued' AND (claimed_by = $1 OR heartbeat_at < $2)) \
                       OR (state = 'running' AND heartbeat_at < $2) \
                    ORDER BY created_at LIMIT 1";
        let sql = match &self.db {
            crate::db::Db::Sqlite(_) => format!(
                "UPDATE import_jobs SET state = 'running', claimed_by = $1, heartbeat_at = $3, updated_at = $3 \
                 WHERE id = ({pick}) RETURNING {COLUMNS}"
            ),
            crate::db::Db::Postgres(_) => format!(
                "UPDATE import_jobs SET state = 'running', claimed_by = $1, heartbeat_at = $3, updated_at = $3 \
                 WHERE id = ({pick} FOR UPDATE SKIP LOCKED) RETURNING {COLUMNS}"
            ),
        };
        on_pool!(&self.db, p => match sqlx::query(sqlx::AssertSqlSafe(sql)).bind(server).bind(stale_before).bind(now)
            .fetch_optional(p).await? {
            Some(r) => Ok(Some(job_row(&r)?)),
            None => Ok(None),
        })
    }

    /// `server` is alive and still holds its jobs.
    pub async fn heartbeat_import_jobs(&self, server: &str) -> Result<()> {
        let sql = "UPDATE import_jobs SET heartbeat_at = $2 \
                   WHERE claimed_by = $1 AND state IN ('queued', 'running')";
        on_pool!(&self.db, p => sqlx::query(sql).bind(server).bind(now_micros()).execute(p).await?.rows_affected());
        Ok(())
    }

    /// Progress of a job `server` is importing: the current file's bytes
    /// read, and, when given, the files finished and their outcomes. False
    /// when the job is no longer this server's.
    pub async fn import_job_progress(
        &self,
        id: Uuid,
        server: &str,
        read_bytes: i64,
        total_bytes: i64,
        finished: Option<(i64, &str)>,
    ) -> Result<bool> {
        let now = now_micros();
        let n = match finished {
            None => {
                let sql = "UPDATE import_jobs SET read_bytes = $3, total_bytes = $4, heartbeat_at = $5, updated_at = $5 \
                           WHERE id = $1 AND claimed_by = $2 AND state = 'running'";
                on_pool!(&self.db, p => sqlx::query(sql).bind(id).bind(server).bind(read_bytes).bind(total_bytes)
                    .bind(now).execute(p).await?.rows_affected())
            }
            Some((files, results)) => {
                let sql = "UPDATE import_jobs SET read_bytes = $3, total_bytes = $4, heartbeat_at = $5, updated_at = $5, \
                           finished = $6, results = $7 \
                           WHERE id = $1 AND claimed_by = $2 AND state = 'running'";
                on_pool!(&self.db, p => sqlx::query(sql).bind(id).bind(server).bind(read_bytes).bind(total_bytes)
                    .bind(now).bind(files).bind(results).execute(p).await?.rows_affected())
            }
        };
        Ok(n > 0)
    }

    /// Ends a job: done, or failed with `error`.
    pub async fn end_import_job(
        &self,
        id: Uuid,
        state: JobState,
        error: Option<&str>,
    ) -> Result<()> {
        let sql = "UPDATE import_jobs SET state = $2, error = $3, updated_at = $4 WHERE id = $1";
        on_pool!(&self.db, p => sqlx::query(sql).bind(id).bind(state.as_str()).bind(error).bind(now_micros())
            .execute(p).await?.rows_affected());
        Ok(())
    }

    /// Hands back the jobs `server` holds (it is stopping): queued again,
    /// for any server to claim at once.
    pub async fn release_import_jobs(&self, server: &str) -> Result<u64> {
        let sql = "UPDATE import_jobs SET state = 'queued', claimed_by = NULL, heartbeat_at = 0 \
                   WHERE claimed_by = $1 AND state IN ('queued', 'running')";
        Ok(on_pool!(&self.db, p => sqlx::query(sql).bind(server).execute(p).await?.rows_affected()))
    }

    /// Forgets jobs that ended before `before` (housekeeping).
    pub async fn prune_import_jobs(&self, before: i64) -> Result<u64> {
        let sql = "DELETE FROM import_jobs WHERE state IN ('done', 'failed') AND updated_at < $1";
        Ok(on_pool!(&self.db, p => sqlx::query(sql).bind(before).execute(p).await?.rows_affected()))
    }
}
