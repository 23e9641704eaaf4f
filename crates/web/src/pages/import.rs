//! The import page: upload one or several files; each is imported by a
//! background job (one transaction per file, as on the command line) whose
//! page shows the progress, then the same summary and problem list as
//! `kith import`. Jobs live in memory and belong to the account that
//! started them.

use crate::http::caller::PageCaller;
use crate::http::caller::RequestParts;
use crate::http::problem::{Code, Problem};
use crate::http::upload::read_upload;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use uuid::Uuid;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        // The upload's size is counted as it is written (read_upload).
        .route(
            "/import",
            post(upload)
                .layer(DefaultBodyLimit::disable())
                .get(import_page),
        )
        .route("/import/{job}", get(job_page))
}

/// An import's message as the page says it: the command line's flag for
/// naming a format is the Format list here.
fn for_the_page(message: &str) -> String {
    message.replace(
        "name the format with --format",
        "choose its format in the Format list and import it again",
    )
}

/// Warnings listed per file on the page (the rest are counted).
const SHOWN_WARNINGS: usize = 50;

fn problem_lines(r: &kith_app::import::ImportReport) -> Vec<String> {
    r.problems
        .iter()
        .map(|d| format!("line {}: {}", d.line, d.message))
        .chain(r.more_problems_line())
        .collect()
}

/// The first warnings of a file, then how many more.
fn warning_lines(r: &kith_app::import::ImportReport) -> Vec<String> {
    let listed = r.warnings.len().min(SHOWN_WARNINGS);
    let more = r.warning_count() as usize - listed;
    r.warnings[..listed]
        .iter()
        .map(|d| format!("line {}: {}", d.line, d.message))
        .chain((more > 0).then(|| format!("and {more} more")))
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "import.html")]
struct ImportPage {
    user: String,
    csrf: String,
    max_mb: usize,
}

async fn import_page(State(state): State<AppState>, caller: PageCaller) -> ImportPage {
    ImportPage {
        user: caller.name,
        csrf: caller.csrf,
        max_mb: state.config.max_body / (1024 * 1024),
    }
}

async fn upload(
    State(state): State<AppState>,
    caller: PageCaller,
    parts: RequestParts,
    mut multipart: Multipart,
) -> Result<Response, Problem> {
    crate::http::upload::room_for_one_more(state.jobs.unfinished(caller.account).await?)?;
    let upload = read_upload(
        state.config.max_body,
        &mut multipart,
        Some((&caller.csrf, parts.same_site)),
    )
    .await?;
    let id = state.jobs.start(caller.account, upload).await?;
    Ok(Redirect::to(&format!("/import/{id}")).into_response())
}

struct FileResult {
    name: String,
    summary: String,
    error: Option<String>,
    problems: Vec<String>,
    warnings: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "import_job.html")]
struct JobPage {
    user: String,
    csrf: String,
    done: bool,
    status: String,
    percent: u64,
    results: Vec<FileResult>,
}

async fn job_page(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<String>,
) -> Result<JobPage, Problem> {
    let not_found = || Problem::new(Code::NotFound, "no such import");
    let id: Uuid = id.parse().map_err(|_| not_found())?;
    let job = state
        .jobs
        .status(caller.account, id)
        .await?
        .ok_or_else(not_found)?;
    let done = job.done();
    let finished = job.finished;
    let (read, total) = (job.read_bytes, job.total_bytes);
    let percent = (read * 100).checked_div(total).unwrap_or(0).min(100);
    let status = if let Some(error) = &job.error {
        format!("Stopped: {error}")
    } else if done {
        "Done.".to_string()
    } else if job.state == kith_app::types::JobState::Queued {
        "Waiting for its turn…".to_string()
    } else {
        let current = job
            .files
            .get(finished as usize)
            .cloned()
            .unwrap_or_default();
        format!(
            "Importing {current} (file {} of {}): {percent}%",
            finished + 1,
            job.files.len()
        )
    };
    let results = job
        .results
        .iter()
        .map(|(name, result)| match result {
            Ok(r) if matches!(r.format.as_str(), "mbox" | "maildir" | "eml" | "ics") => FileResult {
                name: name.clone(),
                summary: format!(
                    "{} {} as {}{}: {} interactions added, {} already imported, {} people created, {} matched, {} skipped",
                    r.records,
                    if r.format == "ics" { "events" } else { "messages" },
                    r.format,
                    if r.dry_run { " (dry run: nothing saved)" } else { "" },
                    r.interactions,
                    r.unchanged,
                    r.created,
                    r.updated,
                    r.skipped
                ),
                error: None,
                problems: problem_lines(r),
                warnings: warning_lines(r),
            },
            Ok(r) => FileResult {
                name: name.clone(),
                summary: format!(
                    "{} records as {}{}: {} created, {} merged ({} updated people, {} unchanged), {} duplicate suggestions, {} skipped",
                    r.records,
                    r.format,
                    if r.dry_run { " (dry run: nothing saved)" } else { "" },
                    r.created,
                    r.merged,
                    r.updated,
                    r.unchanged,
                    r.suggested,
                    r.skipped
                ),
                error: None,
                problems: problem_lines(r),
                warnings: warning_lines(r),
            },
            Err(e) => FileResult {
                name: name.clone(),
                summary: String::new(),
                error: Some(for_the_page(e)),
                problems: Vec::new(),
                warnings: Vec::new(),
            },
        })
        .collect();
    Ok(JobPage {
        user: caller.name,
        csrf: caller.csrf,
        done,
        status,
        percent,
        results,
    })
}
