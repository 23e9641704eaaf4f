//! Import jobs: an upload read to a private folder (its size counted as it
//! is written), imported in the background one file at a time, and its
//! progress and reports kept in memory for the account that started it
//! (at most 3 running per account, the oldest finished forgotten past 200).

use crate::http::caller::constant_time_eq;
use crate::http::problem::{Code, Problem};
use crate::state::AppState;
use axum::extract::Multipart;
use kith_app::AppError;
use kith_app::ImportReport;
use kith_app::import::{ImportOptions, Progress};
use kith_core::AccountId;
use kith_formats::Format;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use uuid::Uuid;

/// Imports one account may have running at once.
const MAX_RUNNING_JOBS: usize = 3;

/// Import jobs by id.
#[derive(Clone, Default)]
pub struct Jobs(Arc<Mutex<HashMap<Uuid, Arc<Job>>>>);

/// One upload being imported.
pub struct Job {
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

    /// Refuses a new import while `account` has [`MAX_RUNNING_JOBS`]
    /// unfinished, before the upload is read: each one reads a file on a
    /// thread of its own and holds a transaction.
    pub(crate) fn check_room(&self, account: AccountId) -> Result<(), Problem> {
        let jobs = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let running = jobs
            .values()
            .filter(|j| j.account == account && !j.done.load(Ordering::Relaxed))
            .count();
        if running >= MAX_RUNNING_JOBS {
            return Err(Problem::new(
                Code::TooManyRequests,
                format!(
                    "{running} imports of yours are still running: wait for one to finish, then upload again"
                ),
            ));
        }
        Ok(())
    }

    /// The job, if it exists and belongs to `account` (else: not found).
    pub(crate) fn get(&self, id: Uuid, account: AccountId) -> Option<Arc<Job>> {
        let jobs = self.0.lock().unwrap_or_else(|e| e.into_inner());
        jobs.get(&id).filter(|j| j.account == account).cloned()
    }
}

/// A file name as uploaded, reduced to a plain name (no directories).
fn plain_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .trim_start_matches('.')
        .to_string();
    if cleaned.is_empty() {
        "upload".into()
    } else {
        cleaned.chars().take(200).collect()
    }
}

/// An upload received: the files kept in a private temporary directory
/// (removed when the import ends) and the options sent with them.
pub(crate) struct Upload {
    dir: tempfile::TempDir,
    files: Vec<(String, std::path::PathBuf)>,
    format: Option<Format>,
    dry_run: bool,
}

/// Reads a multipart upload (`files`, and optionally `format`, `dry_run`).
/// With `csrf` (the session's token and whether the request came from this
/// site), a `csrf` field must come before the files and match: the pages'
/// form. The API has proved its caller already and passes None.
pub(crate) async fn read_upload(
    state: &AppState,
    multipart: &mut Multipart,
    csrf: Option<(&str, bool)>,
) -> Result<Upload, Problem> {
    let invalid = |m: String| Problem::new(Code::InvalidRequest, m);
    let too_large = || {
        Problem::new(
            Code::PayloadTooLarge,
            format!(
                "the upload is larger than this server accepts ({} MB; kith serve --max-upload-mb)",
                state.config.max_body / (1024 * 1024)
            ),
        )
    };
    let dir = tempfile::tempdir()
        .map_err(|e| Problem::new(Code::Internal, format!("no room for the upload: {e}")))?;
    let mut csrf_ok = csrf.is_none();
    let mut received = 0usize;
    let mut upload = Upload {
        dir,
        files: Vec::new(),
        format: None,
        dry_run: false,
    };
    while let Some(mut field) = multipart.next_field().await.map_err(|e| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            invalid(format!("the upload could not be read: {e}"))
        }
    })? {
        match field.name().unwrap_or_default() {
            "csrf" => {
                let value = small_field(&mut field).await?;
                if let Some((token, same_site)) = csrf {
                    csrf_ok = same_site && constant_time_eq(&value, token);
                }
            }
            "format" => {
                let value = small_field(&mut field).await?;
                upload.format = match value.as_str() {
                    "" | "auto" => None,
                    f => Some(Format::parse(f).ok_or_else(|| {
                        Problem::new(
                            Code::InvalidValue,
                            format!("unknown format {f:?}: use auto, vcard, linkedin, google, outlook or csv"),
                        )
                    })?),
                };
            }
            "dry_run" => {
                let value = small_field(&mut field).await?;
                upload.dry_run = !matches!(value.trim(), "false" | "0" | "no");
            }
            "files" => {
                // The token comes first in the form: no file is stored
                // for a request that does not carry it.
                if !csrf_ok {
                    break;
                }
                let name = plain_name(field.file_name().unwrap_or("upload"));
                if name == "upload" && field.file_name().unwrap_or("").is_empty() {
                    continue; // the empty file input of a form sent without files
                }
                let path = upload
                    .dir
                    .path()
                    .join(format!("{}", upload.files.len()))
                    .join(&name);
                let write_err = |e: std::io::Error| {
                    Problem::new(Code::Internal, format!("cannot keep the upload: {e}"))
                };
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).map_err(write_err)?;
                }
                let mut out = std::fs::File::create(&path).map_err(write_err)?;
                while let Some(chunk) = field.chunk().await.map_err(|e| {
                    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                        too_large()
                    } else {
                        invalid(format!("the upload broke off: {e}"))
                    }
                })? {
                    received += chunk.len();
                    if received > state.config.max_body {
                        return Err(too_large());
                    }
                    std::io::Write::write_all(&mut out, &chunk).map_err(write_err)?;
                }
                upload.files.push((name, path));
            }
            other => {
                return Err(Problem::new(
                    Code::InvalidRequest,
                    format!(
                        "unknown form field {other:?}: send files, and optionally format and dry_run"
                    ),
                ));
            }
        }
    }
    if !csrf_ok {
        return Err(Problem::new(
            Code::CsrfFailed,
            "this form is out of date or came from another site: reload the page and try again",
        ));
    }
    if upload.files.is_empty() {
        return Err(Problem::new(
            Code::InvalidValue,
            "choose at least one file to import (multipart field `files`)",
        ));
    }
    Ok(upload)
}

/// A form field that is not a file (the token, the format, dry_run): a
/// few bytes, read up to a small bound.
async fn small_field(field: &mut axum::extract::multipart::Field<'_>) -> Result<String, Problem> {
    const MAX: usize = 4096;
    let mut value = Vec::new();
    while let Some(chunk) = field
        .chunk()
        .await
        .map_err(|e| Problem::new(Code::InvalidRequest, format!("the upload broke off: {e}")))?
    {
        if value.len() + chunk.len() > MAX {
            return Err(Problem::new(
                Code::InvalidValue,
                format!(
                    "the form field {:?} is longer than {MAX} bytes",
                    field.name().unwrap_or_default()
                ),
            ));
        }
        value.extend_from_slice(&chunk);
    }
    String::from_utf8(value).map_err(|_| {
        Problem::new(
            Code::InvalidValue,
            format!(
                "the form field {:?} is not UTF-8",
                field.name().unwrap_or_default()
            ),
        )
    })
}

/// Starts importing an upload as `account` in the background; the job's id.
pub(crate) fn start_import(state: &AppState, account: AccountId, upload: Upload) -> Uuid {
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
    let id = state.jobs.add(job.clone());
    let app = state.app(account);
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
pub struct ImportStatus {
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
pub struct ImportResult {
    pub file: String,
    /// The same report as `kith import --json`.
    #[schema(value_type = Option<Object>)]
    pub report: Option<ImportReport>,
    pub error: Option<String>,
}

/// The status of one of `account`'s import jobs (None: no such job there).
pub(crate) fn import_status(
    state: &AppState,
    account: AccountId,
    id: Uuid,
) -> Option<ImportStatus> {
    let job = state.jobs.get(id, account)?;
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
