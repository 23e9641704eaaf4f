//! The Sources page: the mailboxes, calendars and address books kith reads
//! by itself — each one's state (syncing with its progress, failing with
//! the reason, paused), adding one, syncing now, pausing, a new password,
//! removing. While one syncs the page refreshes itself every 2 seconds.

use super::flash::Flash;
use crate::http::caller::{CsrfForm, PageCaller, SignedForm};
use crate::http::problem::{Code, Problem};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kith_app::AppError;
use kith_app::sources::{NewSource, SourceKind, SourceView};
use serde::Deserialize;
use uuid::Uuid;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/sources", get(sources_page).post(add_source))
        .route("/sources/{id}/sync", post(sync_now))
        .route("/sources/{id}/pause", post(pause))
        .route("/sources/{id}/resume", post(resume))
        .route("/sources/{id}/password", post(new_password))
        .route("/sources/{id}/remove", post(remove))
}

/// One source as the page shows it.
struct Row {
    id: String,
    kind: &'static str,
    url: String,
    login: String,
    state: String,
    /// "Syncing: 1,200 of 30,000 messages", "Failing (3 times): …", "Paused: …".
    status: String,
    is_error: bool,
    paused: bool,
    syncing: bool,
    percent: i64,
    last: String,
    next: String,
    report: String,
    folders: String,
}

fn kind_name(kind: SourceKind) -> &'static str {
    match kind {
        SourceKind::Imap => "Mailbox (IMAP)",
        SourceKind::Caldav => "Calendars (CalDAV)",
        SourceKind::Ics => "Calendar link (ICS)",
        SourceKind::Carddav => "Address book (CardDAV)",
    }
}

/// A time as the page shows it: the day and the minute, UTC.
fn when(rfc3339: Option<&str>) -> String {
    rfc3339
        .map(|t| {
            t.replace('T', " ")
                .trim_end_matches('Z')
                .chars()
                .take(16)
                .collect::<String>()
                + " UTC"
        })
        .unwrap_or_default()
}

fn row(s: SourceView) -> Row {
    let syncing = s.state == "syncing";
    let (status, is_error) = match s.state.as_str() {
        "syncing" if s.progress_total > 0 => (
            format!("Syncing: {} of {} read", s.progress_done, s.progress_total),
            false,
        ),
        "syncing" => ("Syncing…".to_string(), false),
        "paused" => (
            format!("Paused: {}", s.paused.clone().unwrap_or_default()),
            s.paused.as_deref() != Some("paused by you"),
        ),
        "failing" => (
            format!(
                "Failing ({} time{}): {}",
                s.failures,
                if s.failures == 1 { "" } else { "s" },
                s.error.clone().unwrap_or_default()
            ),
            true,
        ),
        "ok" => ("Up to date".to_string(), false),
        _ => ("Not synced yet".to_string(), false),
    };
    let report = s
        .last_report
        .as_ref()
        .map(|r| {
            if r.unchanged && r.interactions == 0 && r.created == 0 {
                "nothing new".to_string()
            } else {
                format!(
                    "{} read, {} interactions added, {} changed, {} removed, {} people new, {} updated",
                    r.read, r.interactions, r.interactions_changed, r.interactions_removed, r.created, r.updated
                )
            }
        })
        .unwrap_or_default();
    Row {
        id: s.id.to_string(),
        kind: kind_name(s.kind),
        url: s.url,
        login: s.login.unwrap_or_default(),
        paused: s.state == "paused",
        syncing,
        percent: if s.progress_total > 0 {
            (s.progress_done * 100 / s.progress_total).clamp(0, 100)
        } else {
            0
        },
        state: s.state,
        status,
        is_error,
        last: when(s.last_ok.as_deref()),
        next: when(s.next_sync.as_deref()),
        report,
        folders: s.folders.join(", "),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "sources.html")]
struct SourcesPage {
    user: String,
    csrf: String,
    rows: Vec<Row>,
    any_syncing: bool,
    form: AddForm,
    error: Option<String>,
}

/// The add form, as typed (kept when it is refused; never the password).
#[derive(Deserialize, Default)]
struct AddForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    folders: String,
    #[serde(default)]
    every: String,
    #[serde(default)]
    keep_subjects: Option<String>,
}

async fn page(
    state: &AppState,
    caller: PageCaller,
    form: AddForm,
    error: Option<String>,
) -> Result<SourcesPage, Problem> {
    let rows: Vec<Row> = state
        .app(caller.account)
        .sources()
        .await?
        .into_iter()
        .map(row)
        .collect();
    Ok(SourcesPage {
        any_syncing: rows.iter().any(|r| r.syncing),
        user: caller.name,
        csrf: caller.csrf,
        rows,
        form: AddForm {
            password: String::new(),
            ..form
        },
        error,
    })
}

async fn sources_page(
    State(state): State<AppState>,
    caller: PageCaller,
) -> Result<SourcesPage, Problem> {
    page(&state, caller, AddForm::default(), None).await
}

async fn add_source(
    State(state): State<AppState>,
    SignedForm(caller, form): SignedForm<AddForm>,
) -> Result<Response, Problem> {
    let every = match form.every.trim() {
        "" => Ok(None),
        text => text
            .parse::<u32>()
            .map(Some)
            .map_err(|_| "Every: a number of minutes."),
    };
    let (kind, every) = match (SourceKind::parse(&form.kind), every) {
        (Some(k), Ok(e)) => (k, e),
        (None, _) | (_, Err(_)) => {
            let m = if SourceKind::parse(&form.kind).is_none() {
                "Choose what kind of source it is."
            } else {
                "Every: a number of minutes."
            };
            let page = page(&state, caller, form, Some(m.into())).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let new = NewSource {
        kind: Some(kind),
        url: form.url.clone(),
        login: Some(form.login.clone()).filter(|l| !l.trim().is_empty()),
        password: Some(form.password.clone()).filter(|p| !p.is_empty()),
        folders: form
            .folders
            .split(',')
            .map(|f| f.trim().to_string())
            .filter(|f| !f.is_empty())
            .collect(),
        every_minutes: every,
        keep_subjects: form.keep_subjects.is_some(),
    };
    match state.app(caller.account).add_source(new).await {
        Ok(view) => {
            // The first sync starts now, here.
            if let Err(e) = state.start_source_sync(caller.account, view.id).await {
                tracing::debug!(error = ?e, "a new source's first sync did not start");
            }
            Ok(Flash::new("Added: its first sync has started.").redirect(&caller, "/sources"))
        }
        Err(AppError::Invalid(m) | AppError::TooMany(m)) => {
            let page = page(&state, caller, form, Some(m)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

fn source_id(id: &str) -> Result<Uuid, Problem> {
    id.parse()
        .map_err(|_| Problem::new(Code::NotFound, "no such source"))
}

async fn sync_now(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedForm(caller, _form): SignedForm<CsrfForm>,
) -> Result<Response, Problem> {
    let flash = match state
        .start_source_sync(caller.account, source_id(&id)?)
        .await
    {
        Ok(_) => Flash::new("Syncing now."),
        Err(AppError::Store(kith_app::types::StoreError::Conflict(_))) => {
            Flash::error("It is syncing already.")
        }
        Err(e) => return Err(e.into()),
    };
    Ok(flash.redirect(&caller, "/sources"))
}

async fn pause(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedForm(caller, _form): SignedForm<CsrfForm>,
) -> Result<Response, Problem> {
    state
        .app(caller.account)
        .pause_source(source_id(&id)?, true)
        .await?;
    Ok(Flash::new("Paused: it keeps what it knows.").redirect(&caller, "/sources"))
}

async fn resume(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedForm(caller, _form): SignedForm<CsrfForm>,
) -> Result<Response, Problem> {
    state
        .app(caller.account)
        .pause_source(source_id(&id)?, false)
        .await?;
    Ok(Flash::new("Resumed: it syncs again.").redirect(&caller, "/sources"))
}

#[derive(Deserialize)]
struct PasswordForm {
    csrf: String,
    password: String,
}

crate::http::caller::has_csrf!(AddForm, PasswordForm);

async fn new_password(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedForm(caller, form): SignedForm<PasswordForm>,
) -> Result<Response, Problem> {
    match state
        .app(caller.account)
        .set_source_password(source_id(&id)?, &form.password)
        .await
    {
        Ok(_) => {
            Ok(Flash::new("Saved the new password: it syncs again.").redirect(&caller, "/sources"))
        }
        Err(AppError::Invalid(m)) => Ok(Flash::error(m).redirect(&caller, "/sources")),
        Err(e) => Err(e.into()),
    }
}

async fn remove(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedForm(caller, _form): SignedForm<CsrfForm>,
) -> Result<Response, Problem> {
    state
        .app(caller.account)
        .remove_source(source_id(&id)?)
        .await?;
    Ok(
        Flash::new("Removed: what it brought stays in your address book.")
            .redirect(&caller, "/sources"),
    )
}
