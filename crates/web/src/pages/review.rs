//! Pages for the address book as a whole: duplicate review (side by side,
//! merge or dismiss, undo a merge) and export downloads.

use crate::http::caller::SignedForm;
use crate::http::caller::{CsrfForm, PageCaller};
use crate::http::input::PersonPath;
use crate::http::problem::{Code, Problem, person_id};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kith_app::PersonView;
use kith_app::export::ExportFormat;
use serde::Deserialize;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/duplicates", get(duplicates_page))
        .route("/duplicates/merge", post(merge))
        .route("/duplicates/dismiss", post(dismiss))
        .route("/people/{id}/unmerge", post(unmerge))
        .route("/export", get(export_page))
        .route("/export/{format}", get(export_download))
}

/// Suggestions shown per page.
const PER_PAGE: usize = 20;

/// One side of a suggestion, as compared.
struct Side {
    id: String,
    name: String,
    organization: String,
    emails: String,
    phones: String,
    sources: String,
}

impl Side {
    fn of(p: &PersonView) -> Side {
        Side {
            id: p.id.to_string(),
            name: p.name.clone(),
            organization: match (&p.title, &p.organization) {
                (Some(t), Some(o)) => format!("{t} at {o}"),
                (None, Some(o)) => o.clone(),
                (Some(t), None) => t.clone(),
                (None, None) => String::new(),
            },
            emails: p.emails.join(", "),
            phones: p.phones.join(", "),
            sources: p
                .sources
                .iter()
                .map(|s| s.file.clone())
                .filter(|f| !f.is_empty())
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

struct Pair {
    sides: [Side; 2],
    score: String,
    reasons: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "duplicates.html")]
struct DuplicatesPage {
    user: String,
    csrf: String,
    total: usize,
    pairs: Vec<Pair>,
    previous: Option<String>,
    next: Option<String>,
}

#[derive(Deserialize)]
struct PageQuery {
    page: Option<usize>,
}

async fn duplicates_page(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(q): Query<PageQuery>,
) -> Result<DuplicatesPage, Problem> {
    let app = state.app(caller.account);
    let page = q.page.unwrap_or(1).clamp(1, 1_000_000);
    let start = (page - 1) * PER_PAGE;
    let (total, shown) = app.duplicates_page(start, PER_PAGE).await?;
    let mut pairs = Vec::new();
    for s in &shown {
        let a = app.find_person(&s.people[0].id.to_string()).await?;
        let b = app.find_person(&s.people[1].id.to_string()).await?;
        pairs.push(Pair {
            sides: [Side::of(&a), Side::of(&b)],
            score: format!("{:.0}%", s.score * 100.0),
            reasons: s.reasons.clone(),
        });
    }
    Ok(DuplicatesPage {
        user: caller.name,
        csrf: caller.csrf,
        total,
        pairs,
        previous: (page > 1).then(|| format!("/duplicates?page={}", page - 1)),
        next: (start + PER_PAGE < total).then(|| format!("/duplicates?page={}", page + 1)),
    })
}

#[derive(Deserialize)]
struct PairForm {
    csrf: String,
    /// The person who stays (their card keeps every value of both).
    a: String,
    b: String,
}

async fn merge(
    State(state): State<AppState>,
    SignedForm(caller, form): SignedForm<PairForm>,
) -> Result<Response, Problem> {
    let (a, b) = (person_id(&form.a)?, person_id(&form.b)?);
    let merged = state.app(caller.account).merge_people(&a, &b).await?;
    Ok(Redirect::to(&format!("/people/{}?merged=1", merged.id)).into_response())
}

async fn dismiss(
    State(state): State<AppState>,
    SignedForm(caller, form): SignedForm<PairForm>,
) -> Result<Response, Problem> {
    let (a, b) = (person_id(&form.a)?, person_id(&form.b)?);
    state.app(caller.account).dismiss_duplicate(&a, &b).await?;
    Ok(Redirect::to("/duplicates").into_response())
}

async fn unmerge(
    State(state): State<AppState>,
    PersonPath(id): PersonPath,
    SignedForm(caller, _form): SignedForm<CsrfForm>,
) -> Result<Response, Problem> {
    let (a, _) = state.app(caller.account).unmerge(&id).await?;
    Ok(Redirect::to(&format!("/people/{}", a.id)).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "export.html")]
struct ExportPage {
    user: String,
    csrf: String,
}

async fn export_page(caller: PageCaller) -> ExportPage {
    ExportPage {
        user: caller.name,
        csrf: caller.csrf,
    }
}

async fn export_download(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(format): Path<String>,
) -> Result<Response, Problem> {
    use kith_app::types::VcardVersion as Version;
    let (format, file, content_type) = match format.as_str() {
        "vcard4.vcf" => (
            ExportFormat::Vcard(Version::V4),
            "kith.vcf",
            "text/vcard; charset=utf-8",
        ),
        "vcard3.vcf" => (
            ExportFormat::Vcard(Version::V3),
            "kith.vcf",
            "text/vcard; charset=utf-8",
        ),
        "people.csv" => (ExportFormat::Csv, "kith.csv", "text/csv; charset=utf-8"),
        "people.json" => (ExportFormat::Json, "kith.json", "application/json"),
        _ => return Err(Problem::new(Code::NotFound, "no such export")),
    };
    crate::export::export_download(&state, caller.account, format, file, content_type).await
}

crate::http::caller::has_csrf!(PairForm);
