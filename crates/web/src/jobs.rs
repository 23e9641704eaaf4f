//! Import jobs on this server: an upload handed to the queue every server
//! shares (`kith_app::import_jobs`, rows in the database), the worker that
//! imports queued jobs two at a time, stopping (jobs still running at the
//! deadline are handed back), and a job's status as the API shows it.
//! Knows nothing of requests: handlers read the upload (`http::upload`).
//! Imports no other module of this crate.

use kith_app::import_jobs::{JobOptions, JobQueue, JobView};
use kith_app::types::{Format, Store};
use kith_app::{App, ImportReport, Result};
use kith_core::AccountId;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::sync::{Notify, Semaphore};
use tokio::task::JoinHandle;
use uuid::Uuid;

/// Imports one account may have queued or running at once.
pub(crate) const MAX_RUNNING_JOBS: usize = 3;
/// Jobs one server imports at once (imports are CPU-bound).
const AT_ONCE: usize = 2;

/// Makes the use cases of a job's account.
type AppFor = Arc<dyn Fn(AccountId) -> App + Send + Sync>;

/// This server's side of the job queue (cheap to clone).
#[derive(Clone)]
pub struct Jobs(Arc<Inner>);

struct Inner {
    queue: JobQueue,
    app_for: AppFor,
    wake: Notify,
    slots: Arc<Semaphore>,
    stopping: AtomicBool,
    running: AtomicUsize,
    tasks: Mutex<Vec<JoinHandle<()>>>,
    worker: OnceLock<()>,
}

/// An upload received: the files kept in a private temporary directory
/// (moved under the imports directory when the job is made) and the
/// options sent with them.
pub(crate) struct Upload {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) files: Vec<(String, PathBuf)>,
    pub(crate) format: Option<Format>,
    pub(crate) dry_run: bool,
}

impl Jobs {
    /// This server's name among those sharing the database.
    pub fn server(&self) -> &str {
        self.0.queue.server()
    }

    /// Jobs whose uploads wait under `dir`, imported with `app_for`'s use
    /// cases.
    pub(crate) fn new(store: Store, dir: PathBuf, app_for: AppFor) -> Jobs {
        let queue = JobQueue::new(store, dir);
        // SQLite has one writer at a time: a second import would only wait
        // for the first (and hold a connection while it waits).
        let at_once = if queue.writes_while_importing() {
            AT_ONCE
        } else {
            1
        };
        Jobs(Arc::new(Inner {
            queue,
            app_for,
            wake: Notify::new(),
            slots: Arc::new(Semaphore::new(at_once)),
            stopping: AtomicBool::new(false),
            running: AtomicUsize::new(0),
            tasks: Mutex::new(Vec::new()),
            worker: OnceLock::new(),
        }))
    }

    /// How many of `account`'s imports are queued or running.
    pub(crate) async fn unfinished(&self, account: AccountId) -> Result<usize> {
        self.0.queue.unfinished(account).await
    }

    /// Makes a job of an upload for `account`; its id.
    pub(crate) async fn start(&self, account: AccountId, upload: Upload) -> Result<Uuid> {
        let Upload {
            dir,
            files,
            format,
            dry_run,
        } = upload;
        let options = JobOptions {
            format: format.map(|f| f.name().to_string()),
            dry_run,
        };
        let id = self
            .0
            .queue
            .accept(account, dir.path(), files, options)
            .await?;
        self.run_worker();
        self.0.wake.notify_one();
        Ok(id)
    }

    /// One of `account`'s jobs (None: no such job there), from whichever
    /// server imports it.
    pub(crate) async fn status(&self, account: AccountId, id: Uuid) -> Result<Option<JobView>> {
        self.0.queue.status(account, id).await
    }

    /// Jobs by state, every server's (metrics).
    pub(crate) async fn counts(&self) -> Result<Vec<(&'static str, i64)>> {
        self.0.queue.counts().await
    }

    /// Forgets old ended jobs (housekeeping).
    pub(crate) async fn prune(&self) -> Result<u64> {
        self.0.queue.prune().await
    }

    /// Starts this server's worker (once): it says every second that the
    /// server holds its jobs, and imports the jobs it may claim.
    pub(crate) fn run_worker(&self) {
        if self.0.worker.set(()).is_err() {
            return;
        }
        let jobs = self.clone();
        self.track(tokio::spawn(async move {
            let mut tick = tokio::time::interval(kith_app::import_jobs::HEARTBEAT_EVERY);
            loop {
                tick.tick().await;
                // On SQLite a running import holds the write lock: the
                // heartbeat waits until it is done (see JobQueue).
                if !jobs.0.queue.writes_while_importing()
                    && jobs.0.running.load(Ordering::Relaxed) > 0
                {
                    continue;
                }
                if let Err(e) = jobs.0.queue.heartbeat().await {
                    tracing::warn!(error = %e, "import jobs: no heartbeat");
                }
            }
        }));
        let jobs = self.clone();
        self.track(tokio::spawn(async move { jobs.claim_loop().await }));
    }

    async fn claim_loop(&self) {
        let inner = &self.0;
        while !inner.stopping.load(Ordering::Relaxed) {
            let Ok(slot) = inner.slots.clone().acquire_owned().await else {
                return;
            };
            match inner.queue.claim().await {
                Ok(Some(job)) => {
                    tracing::info!(job = %job.id, "import job started");
                    inner.running.fetch_add(1, Ordering::Relaxed);
                    let jobs = self.clone();
                    self.track(tokio::spawn(async move {
                        let id = job.id;
                        let app = (jobs.0.app_for)(job.account);
                        let queue = jobs.0.queue.clone();
                        // On a task of its own, so that a bug (a panic)
                        // fails the job instead of leaving it running.
                        let import = tokio::spawn(async move { queue.run(job, app).await });
                        let _cut_with_this_task = AbortOnDrop(import.abort_handle());
                        let failure = match import.await {
                            Ok(Ok(())) => None,
                            Ok(Err(e)) => Some(format!("the import stopped: {e}")),
                            Err(e) if e.is_panic() => Some(
                                "kith hit a bug importing this upload (its log says where)".to_string(),
                            ),
                            Err(_) => None, // cut off while stopping: handed back
                        };
                        match failure {
                            None => tracing::info!(job = %id, "import job ended"),
                            Some(reason) => {
                                tracing::warn!(job = %id, reason = %reason, "import job failed");
                                if let Err(e) = jobs.0.queue.fail(id, &reason).await {
                                    tracing::error!(job = %id, error = %e, "import job: cannot record its failure");
                                }
                            }
                        }
                        jobs.0.running.fetch_sub(1, Ordering::Relaxed);
                        drop(slot);
                        jobs.0.wake.notify_one();
                    }));
                }
                Ok(None) => {
                    drop(slot);
                    // A job handed back by another server is claimable at
                    // once; one of a silent server after a while: look
                    // again every few seconds, or when woken.
                    tokio::select! {
                        () = inner.wake.notified() => {}
                        () = tokio::time::sleep(Duration::from_secs(2)) => {}
                    }
                }
                Err(e) => {
                    drop(slot);
                    tracing::warn!(error = %e, "import jobs: cannot claim");
                    tokio::time::sleep(Duration::from_secs(2)).await;
                }
            }
        }
    }

    fn track(&self, task: JoinHandle<()>) {
        let mut tasks = self.0.tasks.lock().unwrap_or_else(|e| e.into_inner());
        tasks.retain(|t| !t.is_finished());
        tasks.push(task);
    }

    /// Stops claiming, lets running imports finish for up to `grace`, then
    /// stops the rest and hands their jobs back to the queue, where another
    /// server (or this one, started again) goes on from the first file not
    /// finished.
    pub(crate) async fn stop(&self, grace: Duration) {
        let inner = &self.0;
        inner.stopping.store(true, Ordering::Relaxed);
        let started = tokio::time::Instant::now();
        while inner.running.load(Ordering::Relaxed) > 0 && started.elapsed() < grace {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let cut = inner.running.load(Ordering::Relaxed);
        for task in inner
            .tasks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain(..)
        {
            task.abort();
        }
        match inner.queue.release().await {
            Ok(0) => {}
            Ok(n) => tracing::warn!(
                handed_back = n,
                interrupted = cut,
                "stopping: import jobs handed back to the queue"
            ),
            Err(e) => tracing::error!(
                error = %e,
                "stopping: import jobs could not be handed back; another server takes them over once this one is silent"
            ),
        }
    }
}

/// Aborts a task when dropped: an import stops with the task awaiting it.
struct AbortOnDrop(tokio::task::AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Where an import job is, as the API shows it.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct ImportStatus {
    pub id: Uuid,
    /// `queued`, `running`, `done` or `failed`.
    pub state: String,
    /// Every file has been imported (or failed), or the job failed.
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
    /// Why a failed job stopped.
    pub error: Option<String>,
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

impl From<JobView> for ImportStatus {
    fn from(job: JobView) -> ImportStatus {
        ImportStatus {
            id: job.id,
            state: job.state.as_str().to_string(),
            done: job.done(),
            files: job.files,
            finished: job.finished,
            read_bytes: job.read_bytes,
            total_bytes: job.total_bytes,
            results: job
                .results
                .into_iter()
                .map(|(file, r)| ImportResult {
                    file,
                    report: r.as_ref().ok().cloned(),
                    error: r.err(),
                })
                .collect(),
            error: job.error,
        }
    }
}
