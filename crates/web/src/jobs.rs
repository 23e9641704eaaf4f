//! Import jobs: an upload imported in the background one file at a time,
//! its progress and reports kept in memory for the account that started it
//! (at most 3 running per account, the oldest finished forgotten past 200).
//! Knows nothing of requests: handlers read the upload (`http::upload`).
//! Imports no other module of this crate.

use kith_app::ImportReport;
use kith_app::import::{ImportOptions, Progress};
use kith_app::types::Format;
use kith_app::{App, AppError};
use kith_core::AccountId;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use uuid::Uuid;

/// Imports one account may have running at once.
pub(crate) const MAX_RUNNING_JOBS: usize = 3;

/// Import jobs by id.
#[derive(Clone, Default)]
pub struct Jobs(Arc<Mutex<HashMap<Uuid, Arc<Job>>>>);

/// One upload being imported.
pub(crate) struct Job {
    pub(crate) account: AccountId,
    pub(crate) files: Vec<String>,
    /// Bytes of the current file read so far, and its size.
    pub(crate) read: AtomicU64,
    pub(crate) total: AtomicU64,
    /// Files finished so far.
    pub(crate) finished: AtomicU64,
    pub(crate) done: AtomicBool,
    /// Per file: its name and the report, or why it could not be imported.
    pub(crate) results: Mutex<Vec<(String, Result<ImportReport, String>)>>,
}

impl Progress for Job {
    fn start(&self, total_bytes: u64) {
        self.total.store(total_bytes, Ordering::Relaxed);
        self.read.store(0, Ordering::Relaxed);
    }
    fn advance(&self, bytes_read: u64) {
        self.read.store(bytes_read, Ordering::Relaxed);
    }
}

impl Jobs {
    fn add(&self, job: Arc<Job>) -> Uuid {
        let id = Uuid::now_v7();
        let mut jobs = self.0.lock().unwrap_or_else(|e| e.into_inner());
        // Keep memory bounded: forget the oldest finished jobs.
        if jobs.len() >= 200 {
            let mut finished: Vec<Uuid> = jobs
                .iter()
                .filter(|(_, j)| j.done.load(Ordering::Relaxed))
                .map(|(id, _)| *id)
                .collect();
            finished.sort();
            for old in finished.iter().take(100) {
                jobs.remove(old);
            }
        }
        jobs.insert(id, job);
        id
    }

    /// How many jobs are running, and how many finished, on this server.
    pub(crate) fn counts(&self) -> (u64, u64) {
        let jobs = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let running = jobs
            .values()
            .filter(|j| !j.done.load(Ordering::Relaxed))
            .count() as u64;
        (running, jobs.len() as u64 - running)
    }

    /// How many of `account`'s imports are still running.
    pub(crate) fn running(&self, account: AccountId) -> usize {
        let jobs = self.0.lock().unwrap_or_else(|e| e.into_inner());
        jobs.values()
            .filter(|j| j.account == account && !j.done.load(Ordering::Relaxed))
            .count()
    }

    /// The job, if it exists and belongs to `account` (else: not found).
    pub(crate) fn get(&self, id: Uuid, account: AccountId) -> Option<Arc<Job>> {
        let jobs = self.0.lock().unwrap_or_else(|e| e.into_inner());
        jobs.get(&id).filter(|j| j.account == account).cloned()
    }
}

/// An upload received: the files kept in a private temporary directory
/// (removed when the import ends) and the options sent with them.
pub(crate) struct Upload {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) files: Vec<(String, std::path::PathBuf)>,
    pub(crate) format: Option<Format>,
    pub(crate) dry_run: bool,
}

/// Starts importing an upload as `account` in the background; the job's id.
pub(crate) fn start_import(jobs: &Jobs, app: App, upload: Upload) -> Uuid {
    let account = app.account;
    let Upload {
        dir,
        files,
        format,
        dry_run,
    } = upload;
    let job = Arc::new(Job {
        account,
        files: files.iter().map(|(n, _)| n.clone()).collect(),
        read: AtomicU64::new(0),
        total: AtomicU64::new(0),
        finished: AtomicU64::new(0),
        done: AtomicBool::new(false),
        results: Mutex::new(Vec::new()),
    });
    let id = jobs.add(job.clone());
    let options = ImportOptions {
        format,
        dry_run,
        mapping: None,
        keep_subjects: false,
    };
    tokio::spawn(async move {
        // The directory (and the uploads) go when the job ends.
        let _dir = dir;
        for (name, path) in files {
            let shown = path.display().to_string();
            let hide_path = |e: AppError| e.to_string().replace(&shown, &name);
            let outcomes = match app.import_path(&path, &options, job.as_ref()).await {
                Ok(archive) => archive
                    .imported
                    .into_iter()
                    .map(|(entry, result)| {
                        let label = if entry == shown {
                            name.clone()
                        } else {
                            format!("{name}: {entry}")
                        };
                        let result = result
                            .map(|mut r| {
                                r.file = r.file.replace(&shown, &name);
                                r
                            })
                            .map_err(hide_path);
                        (label, result)
                    })
                    .collect(),
                Err(e) => vec![(name.clone(), Err(hide_path(e)))],
            };
            job.results
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .extend(outcomes);
            job.finished.fetch_add(1, Ordering::Relaxed);
        }
        job.done.store(true, Ordering::Relaxed);
    });
    id
}

/// Where an import job is, as the API shows it.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct ImportStatus {
    pub id: Uuid,
    /// Every file has been imported (or failed).
    pub done: bool,
    /// The files uploaded, in order.
    pub files: Vec<String>,
    /// How many of them are finished.
    pub finished: u64,
    /// Bytes of the current file read, and its size.
    pub read_bytes: u64,
    pub total_bytes: u64,
    /// One entry per file imported (an archive gives one per file inside).
    pub results: Vec<ImportResult>,
}

/// The outcome of one imported file: its report, or why it failed.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct ImportResult {
    pub file: String,
    /// The same report as `kith import --json`.
    #[schema(value_type = Option<Object>)]
    pub report: Option<ImportReport>,
    pub error: Option<String>,
}

/// The status of one of `account`'s import jobs (None: no such job there).
pub(crate) fn import_status(jobs: &Jobs, account: AccountId, id: Uuid) -> Option<ImportStatus> {
    let job = jobs.get(id, account)?;
    let results = job
        .results
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .map(|(file, r)| ImportResult {
            file: file.clone(),
            report: r.as_ref().ok().cloned(),
            error: r.as_ref().err().cloned(),
        })
        .collect();
    Some(ImportStatus {
        id,
        done: job.done.load(Ordering::Relaxed),
        files: job.files.clone(),
        finished: job.finished.load(Ordering::Relaxed),
        read_bytes: job.read.load(Ordering::Relaxed),
        total_bytes: job.total.load(Ordering::Relaxed),
        results,
    })
}
