//! Import jobs shared by every server on the database: an upload accepted
//! with 202 becomes a row (`kith_store::jobs`) and a folder of files under
//! the servers' shared imports directory, is claimed and imported by one
//! server at a time, and is answered for by any. A server that stops hands
//! its jobs back; one that dies goes silent and its jobs are taken over
//! (their files are where every server can read them) or failed with the
//! reason. Files finished before an interruption are not imported again.

use crate::import::{ImportOptions, ImportReport, Progress};
use crate::{App, AppError, Result};
use kith_core::AccountId;
use kith_formats::Format;
use kith_store::Store;
use kith_store::jobs::{JobRow, JobState};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use uuid::Uuid;

/// How long a server may stay silent about a job before another takes it.
pub const SILENT_AFTER: Duration = Duration::from_secs(30);
/// How often a server says it still holds its jobs (and writes progress).
pub const HEARTBEAT_EVERY: Duration = Duration::from_secs(1);
/// Ended jobs are forgotten after this long.
const KEEP_ENDED: Duration = Duration::from_secs(7 * 24 * 3600);

/// One file's outcome: its report, or why it could not be imported.
pub type FileOutcome = (String, std::result::Result<ImportReport, String>);

/// How a job's files are imported (stored with the job).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct JobOptions {
    /// None: recognised from the content.
    pub format: Option<String>,
    pub dry_run: bool,
}

/// A job as its account sees it.
#[derive(Clone, Debug)]
pub struct JobView {
    pub id: Uuid,
    pub state: JobState,
    pub files: Vec<String>,
    pub finished: u64,
    pub read_bytes: u64,
    pub total_bytes: u64,
    pub results: Vec<FileOutcome>,
    /// Why a failed job stopped.
    pub error: Option<String>,
}

impl JobView {
    /// Every file imported or failed, or the job stopped for good.
    pub fn done(&self) -> bool {
        matches!(self.state, JobState::Done | JobState::Failed)
    }
}

/// A job this server claimed, to import.
pub struct ClaimedJob {
    pub id: Uuid,
    pub account: AccountId,
    dir: PathBuf,
    files: Vec<String>,
    options: JobOptions,
    finished: usize,
    results: Vec<FileOutcome>,
    /// When the upload was made: its files are one import session.
    created_at: i64,
}

/// The queue as one server sees it (cheap to clone).
#[derive(Clone)]
pub struct JobQueue {
    store: Store,
    /// This process's name in `claimed_by`.
    server: Arc<str>,
    /// Where uploads wait: shared by the servers of one data directory.
    dir: PathBuf,
    /// The progress of the jobs this server is importing, read by
    /// [`JobQueue::status`] here (on SQLite the row is not written while a
    /// file is imported: see [`JobQueue::writes_while_importing`]).
    live: Arc<std::sync::Mutex<std::collections::HashMap<Uuid, Arc<Bytes>>>>,
}

fn micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

fn to_json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| AppError::Invalid(format!("import job: {e}")))
}

fn from_json<T: for<'a> Deserialize<'a>>(text: &str, what: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| {
        AppError::Store(kith_store::StoreError::Corrupt(format!(
            "import job {what}: {e}"
        )))
    })
}

/// The stored outcome of a file (a report or an error).
#[derive(Serialize, Deserialize)]
struct StoredOutcome {
    file: String,
    report: Option<ImportReport>,
    error: Option<String>,
}

fn outcomes_json(results: &[FileOutcome]) -> Result<String> {
    let stored: Vec<StoredOutcome> = results
        .iter()
        .map(|(file, r)| StoredOutcome {
            file: file.clone(),
            report: r.as_ref().ok().cloned(),
            error: r.as_ref().err().cloned(),
        })
        .collect();
    to_json(&stored)
}

fn outcomes(text: &str) -> Result<Vec<FileOutcome>> {
    let stored: Vec<StoredOutcome> = from_json(text, "results")?;
    Ok(stored
        .into_iter()
        .map(|s| {
            let outcome = match (s.report, s.error) {
                (Some(r), _) => Ok(r),
                (None, e) => Err(e.unwrap_or_default()),
            };
            (s.file, outcome)
        })
        .collect())
}

impl JobQueue {
    /// The queue of a server whose uploads wait under `dir` (created
    /// private if needed).
    pub fn new(store: Store, dir: PathBuf) -> JobQueue {
        JobQueue {
            store,
            server: Uuid::now_v7().simple().to_string().into(),
            dir,
            live: Default::default(),
        }
    }

    /// Whether the queue's rows may be written while an import runs. On
    /// SQLite an import holds the database's one write lock until its file
    /// is done: a progress or heartbeat write would wait for it, holding a
    /// connection. There, progress goes to the row between files, and this
    /// server's own status answers read it from memory.
    pub fn writes_while_importing(&self) -> bool {
        self.store.engine() == "postgres"
    }

    pub fn server(&self) -> &str {
        &self.server
    }

    /// Queued and running jobs of `account`.
    pub async fn unfinished(&self, account: AccountId) -> Result<usize> {
        let n = self.store.unfinished_import_jobs(account).await?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    /// Accepts an upload as a job of `account`: its files (name, path in
    /// `upload`) move under the shared imports directory and the job is
    /// queued for this server.
    pub async fn accept(
        &self,
        account: AccountId,
        upload: &Path,
        files: Vec<(String, PathBuf)>,
        options: JobOptions,
    ) -> Result<Uuid> {
        let id = Uuid::now_v7();
        let dir = self.dir.join(id.simple().to_string());
        let names: Vec<String> = files.iter().map(|(n, _)| n.clone()).collect();
        let moved = {
            let (root, dir, upload) = (self.dir.clone(), dir.clone(), upload.to_path_buf());
            tokio::task::spawn_blocking(move || move_upload(&root, &upload, &dir, &files))
                .await
                .map_err(|e| AppError::Invalid(format!("the upload could not be kept: {e}")))?
        };
        moved.map_err(|e| AppError::File {
            path: dir.display().to_string(),
            message: format!("the upload could not be kept: {e}"),
        })?;
        let now = kith_store::now_micros();
        self.store
            .add_import_job(&JobRow {
                id,
                account,
                state: JobState::Queued,
                files: to_json(&names)?,
                options: to_json(&options)?,
                dir: dir.display().to_string(),
                claimed_by: Some(self.server.to_string()),
                heartbeat_at: now,
                read_bytes: 0,
                total_bytes: 0,
                finished: 0,
                results: "[]".into(),
                error: None,
                created_at: now,
                updated_at: now,
            })
            .await?;
        Ok(id)
    }

    /// One of `account`'s jobs, from whichever server is importing it.
    pub async fn status(&self, account: AccountId, id: Uuid) -> Result<Option<JobView>> {
        let Some(row) = self.store.import_job(account, id).await? else {
            return Ok(None);
        };
        let live = self
            .live
            .lock()
            .ok()
            .and_then(|l| l.get(&id).map(|b| (b.read(), b.total())));
        let (read, total) = live.unwrap_or((row.read_bytes, row.total_bytes));
        Ok(Some(JobView {
            id: row.id,
            state: row.state,
            files: from_json(&row.files, "files")?,
            finished: u64::try_from(row.finished).unwrap_or(0),
            read_bytes: u64::try_from(read).unwrap_or(0),
            total_bytes: u64::try_from(total).unwrap_or(0),
            results: outcomes(&row.results)?,
            error: row.error,
        }))
    }

    /// The next job for this server to import: one it accepted, or one a
    /// silent server held. A job whose files are not here is failed with
    /// the reason and the next one looked at.
    pub async fn claim(&self) -> Result<Option<ClaimedJob>> {
        loop {
            let stale = kith_store::now_micros() - micros(SILENT_AFTER);
            let Some(row) = self.store.claim_import_job(&self.server, stale).await? else {
                return Ok(None);
            };
            let dir = PathBuf::from(&row.dir);
            if !dir.is_dir() {
                tracing::warn!(job = %row.id, "an import job's files are gone: failed");
                self.store
                    .end_import_job(
                        row.id,
                        JobState::Failed,
                        Some("the server importing this upload stopped, and its files are not where this server can read them: upload it again"),
                    )
                    .await?;
                continue;
            }
            let results = outcomes(&row.results)?;
            return Ok(Some(ClaimedJob {
                id: row.id,
                account: row.account,
                dir,
                files: from_json(&row.files, "files")?,
                options: from_json(&row.options, "options")?,
                finished: usize::try_from(row.finished).unwrap_or(0),
                created_at: row.created_at,
                results,
            }));
        }
    }

    /// Stops a job for good, saying why.
    pub async fn fail(&self, id: Uuid, reason: &str) -> Result<()> {
        Ok(self
            .store
            .end_import_job(id, JobState::Failed, Some(reason))
            .await?)
    }

    /// This server still holds its jobs.
    pub async fn heartbeat(&self) -> Result<()> {
        Ok(self.store.heartbeat_import_jobs(&self.server).await?)
    }

    /// Hands back this server's jobs (it is stopping): another server, or
    /// this one started again, goes on with them.
    pub async fn release(&self) -> Result<u64> {
        Ok(self.store.release_import_jobs(&self.server).await?)
    }

    /// Jobs by state, every account (metrics).
    pub async fn counts(&self) -> Result<Vec<(&'static str, i64)>> {
        Ok(self
            .store
            .import_jobs_by_state()
            .await?
            .into_iter()
            .map(|(s, n)| (s.as_str(), n))
            .collect())
    }

    /// Forgets jobs ended a week ago and more (housekeeping).
    pub async fn prune(&self) -> Result<u64> {
        let before = kith_store::now_micros() - micros(KEEP_ENDED);
        Ok(self.store.prune_import_jobs(before).await?)
    }

    /// Imports a claimed job's files as `app` (its account), from the first
    /// one not finished, writing progress as it goes; the files are removed
    /// once the job ends. Returns early (the job left as it stands, for
    /// whoever claims it next) when the job is no longer this server's.
    pub async fn run(&self, job: ClaimedJob, app: App) -> Result<()> {
        let format = match &job.options.format {
            Some(f) => Some(Format::parse(f).ok_or_else(|| {
                AppError::Invalid(format!("import job {}: unknown format {f:?}", job.id))
            })?),
            None => None,
        };
        let options = ImportOptions {
            format,
            dry_run: job.options.dry_run,
            mapping: None,
            keep_subjects: false,
            session_start: Some(job.created_at),
        };
        let progress = Arc::new(Bytes::default());
        if let Ok(mut live) = self.live.lock() {
            live.insert(job.id, progress.clone());
        }
        let _forget = Forget(self.live.clone(), job.id);
        let mut results = job.results;
        for (index, name) in job.files.iter().enumerate().skip(job.finished) {
            let path = job.dir.join(index.to_string()).join(name);
            let ticker = self
                .writes_while_importing()
                .then(|| self.ticker(job.id, progress.clone()));
            let outcome = import_one(&app, &path, name, &options, progress.as_ref()).await;
            if let Some(ticker) = ticker {
                ticker.abort();
            }
            results.extend(outcome);
            let still_mine = self
                .store
                .import_job_progress(
                    job.id,
                    &self.server,
                    progress.read(),
                    progress.total(),
                    Some((index as i64 + 1, &outcomes_json(&results)?)),
                )
                .await?;
            if !still_mine {
                return Ok(());
            }
        }
        self.store
            .end_import_job(job.id, JobState::Done, None)
            .await?;
        let dir = job.dir.clone();
        let _ = tokio::task::spawn_blocking(move || std::fs::remove_dir_all(dir)).await;
        Ok(())
    }

    /// Writes the current file's progress every [`HEARTBEAT_EVERY`].
    fn ticker(&self, id: Uuid, progress: Arc<Bytes>) -> tokio::task::JoinHandle<()> {
        let (store, server) = (self.store.clone(), self.server.clone());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(HEARTBEAT_EVERY);
            loop {
                tick.tick().await;
                let _ = store
                    .import_job_progress(id, &server, progress.read(), progress.total(), None)
                    .await;
            }
        })
    }
}

/// Imports one uploaded file (an archive gives an outcome per entry); the
/// outcomes name the file as uploaded, never where it waits.
async fn import_one(
    app: &App,
    path: &Path,
    name: &str,
    options: &ImportOptions,
    progress: &dyn Progress,
) -> Vec<FileOutcome> {
    let shown = path.display().to_string();
    let hide_path = |e: AppError| e.to_string().replace(&shown, name);
    match app.import_path(path, options, progress).await {
        Ok(archive) => archive
            .imported
            .into_iter()
            .map(|(entry, result)| {
                let label = if entry == shown {
                    name.to_string()
                } else {
                    format!("{name}: {entry}")
                };
                let result = result
                    .map(|mut r| {
                        r.file = r.file.replace(&shown, name);
                        r
                    })
                    .map_err(hide_path);
                (label, result)
            })
            .collect(),
        Err(e) => vec![(name.to_string(), Err(hide_path(e)))],
    }
}

/// Takes a job's live progress away when its run ends, however it ends.
struct Forget(
    Arc<std::sync::Mutex<std::collections::HashMap<Uuid, Arc<Bytes>>>>,
    Uuid,
);

impl Drop for Forget {
    fn drop(&mut self) {
        if let Ok(mut live) = self.0.lock() {
            live.remove(&self.1);
        }
    }
}

/// The bytes of the current file read so far, and its size.
#[derive(Default)]
struct Bytes {
    read: AtomicU64,
    total: AtomicU64,
}

impl Bytes {
    fn read(&self) -> i64 {
        i64::try_from(self.read.load(Ordering::Relaxed)).unwrap_or(i64::MAX)
    }
    fn total(&self) -> i64 {
        i64::try_from(self.total.load(Ordering::Relaxed)).unwrap_or(i64::MAX)
    }
}

impl Progress for Bytes {
    fn start(&self, total_bytes: u64) {
        self.total.store(total_bytes, Ordering::Relaxed);
        self.read.store(0, Ordering::Relaxed);
    }
    fn advance(&self, bytes_read: u64) {
        self.read.store(bytes_read, Ordering::Relaxed);
    }
}

/// Moves an upload (`upload/<index>/<name>` for each file) to `dir`
/// under `root` (made private): a rename within one file system, else a
/// copy of each file.
fn move_upload(
    root: &Path,
    upload: &Path,
    dir: &Path,
    files: &[(String, PathBuf)],
) -> std::io::Result<()> {
    std::fs::create_dir_all(root)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(root, std::fs::Permissions::from_mode(0o700))?;
    }
    if std::fs::rename(upload, dir).is_ok() {
        return Ok(());
    }
    for (index, (name, path)) in files.iter().enumerate() {
        let to = dir.join(index.to_string());
        std::fs::create_dir_all(&to)?;
        std::fs::copy(path, to.join(name))?;
    }
    let _ = std::fs::remove_dir_all(upload);
    Ok(())
}
