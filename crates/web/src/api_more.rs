//! The JSON API beyond people: organisations (who is there now and before),
//! tags, duplicate suggestions (merge, dismiss, undo a merge), deleted
//! people (restore), imports (upload, then follow the job) and exports.

use crate::api::{check_text, json_body, paging};
use crate::caller::ApiCaller;
use crate::import_pages::{ImportStatus, import_status, read_upload, start_import};
use crate::problem::{Code, Problem, person_id};
use crate::state::AppState;
use axum::Json;
use axum::Router;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kith_app::export::ExportFormat;
use kith_app::orgs::OrgView;
use kith_app::{PersonView, SuggestionView};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/organizations", get(list_organizations))
        .route("/api/v1/organizations/{id}", get(get_organization))
        .route("/api/v1/tags", get(list_tags))
        .route("/api/v1/duplicates", get(list_duplicates))
        .route("/api/v1/duplicates/merge", post(merge))
        .route("/api/v1/duplicates/dismiss", post(dismiss))
        .route("/api/v1/people/{id}/unmerge", post(unmerge))
        .route("/api/v1/deleted-people", get(list_deleted))
        .route("/api/v1/deleted-people/{id}/restore", post(restore))
        // The upload's size is counted as it is written (read_upload).
        .route(
            "/api/v1/imports",
            post(create_import).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/api/v1/imports/{id}", get(get_import))
        .route("/api/v1/export", get(export))
}

fn query<T>(q: Result<Query<T>, QueryRejection>) -> Result<T, Problem> {
    q.map(|Query(v)| v)
        .map_err(|e| Problem::new(Code::InvalidRequest, e.body_text()))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OrgQuery {
    /// Words the organisation's name (or another spelling of it) contains.
    search: Option<String>,
    /// Page size, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
    #[param(minimum = 0, maximum = 1_000_000_000)]
    offset: Option<i64>,
}

/// An organisation with its head counts.
#[derive(Serialize, utoipa::ToSchema)]
pub struct OrgSummary {
    pub id: Uuid,
    pub name: String,
    /// People there now (a position without an end).
    pub current: i64,
    /// People whose positions there have all ended.
    pub former: i64,
}

/// A page of organisations.
#[derive(Serialize, utoipa::ToSchema)]
pub struct OrgPage {
    pub organizations: Vec<OrgSummary>,
    pub limit: i64,
    pub offset: i64,
    pub next_offset: Option<i64>,
}

/// Organisations, most people there now first.
#[utoipa::path(get, path = "/api/v1/organizations", params(OrgQuery), tag = "organizations",
    responses(
        (status = 200, body = OrgPage),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_organizations(
    State(state): State<AppState>,
    caller: ApiCaller,
    q: Result<Query<OrgQuery>, QueryRejection>,
) -> Result<Json<OrgPage>, Problem> {
    let q = query(q)?;
    let (limit, offset) = paging(q.limit, q.offset)?;
    if let Some(s) = &q.search {
        check_text("search", s)?;
    }
    let mut orgs = state
        .app(caller.account)
        .organizations(q.search.as_deref(), limit + 1, offset)
        .await?;
    let more = orgs.len() as i64 > limit;
    orgs.truncate(limit as usize);
    Ok(Json(OrgPage {
        organizations: orgs
            .into_iter()
            .map(|o| OrgSummary {
                id: o.id,
                name: o.name,
                current: o.current,
                former: o.former,
            })
            .collect(),
        limit,
        offset,
        next_offset: more.then_some(offset + limit),
    }))
}

/// One organisation: who is there now and who was there before.
#[utoipa::path(get, path = "/api/v1/organizations/{id}", tag = "organizations",
    params(("id" = String, Path, description = "The organisation's id")),
    responses(
        (status = 200, body = OrgView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_organization(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<OrgView>, Problem> {
    Ok(Json(state.app(caller.account).organization(&id).await?))
}

/// A tag and how many people carry it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TagCount {
    pub tag: String,
    pub people: i64,
}

/// Every tag, most used first (people with a tag: `GET /api/v1/people?tag=T`).
#[utoipa::path(get, path = "/api/v1/tags", tag = "tags",
    responses(
        (status = 200, body = Vec<TagCount>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_tags(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<Vec<TagCount>>, Problem> {
    let tags = state.app(caller.account).tags().await?;
    Ok(Json(
        tags.into_iter()
            .map(|t| TagCount {
                tag: t.tag,
                people: t.people,
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page size, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
    #[param(minimum = 0, maximum = 1_000_000_000)]
    offset: Option<i64>,
}

/// A page of duplicate suggestions.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DuplicatesPage {
    #[schema(value_type = Vec<Object>)]
    pub duplicates: Vec<SuggestionView>,
    /// Open suggestions in all.
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
    pub next_offset: Option<i64>,
}

/// Open duplicate suggestions, best first, each with its reasons.
#[utoipa::path(get, path = "/api/v1/duplicates", params(PageQuery), tag = "duplicates",
    responses(
        (status = 200, body = DuplicatesPage),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_duplicates(
    State(state): State<AppState>,
    caller: ApiCaller,
    q: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Json<DuplicatesPage>, Problem> {
    let q = query(q)?;
    let (limit, offset) = paging(q.limit, q.offset)?;
    let (total, duplicates) = state
        .app(caller.account)
        .duplicates_page(offset as usize, limit as usize)
        .await?;
    let total = total as i64;
    Ok(Json(DuplicatesPage {
        duplicates,
        total,
        limit,
        offset,
        next_offset: (offset + limit < total).then_some(offset + limit),
    }))
}

/// Two people: who stays and who is merged into them.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeInput {
    /// The person who stays (an id).
    pub survivor: String,
    /// The person merged into the survivor (an id).
    pub absorbed: String,
}

/// Merges two people: every value of both is kept; undo with unmerge.
#[utoipa::path(post, path = "/api/v1/duplicates/merge", tag = "duplicates", request_body = MergeInput,
    responses(
        (status = 200, body = PersonView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn merge(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: Result<Json<MergeInput>, JsonRejection>,
) -> Result<Json<PersonView>, Problem> {
    let input = json_body(body)?;
    let (a, b) = (person_id(&input.survivor)?, person_id(&input.absorbed)?);
    Ok(Json(state.app(caller.account).merge_people(&a, &b).await?))
}

/// Two people who are not the same person.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PairInput {
    pub a: String,
    pub b: String,
}

/// Dismisses a suggestion: the two are not suggested again.
#[utoipa::path(post, path = "/api/v1/duplicates/dismiss", tag = "duplicates", request_body = PairInput,
    responses(
        (status = 204),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn dismiss(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: Result<Json<PairInput>, JsonRejection>,
) -> Result<StatusCode, Problem> {
    let input = json_body(body)?;
    let (a, b) = (person_id(&input.a)?, person_id(&input.b)?);
    state.app(caller.account).dismiss_duplicate(&a, &b).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The two people a merge made one, after it is undone.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Unmerged {
    pub survivor: PersonView,
    pub restored: PersonView,
}

/// Undoes the latest merge involving this person (either side's id).
#[utoipa::path(post, path = "/api/v1/people/{id}/unmerge", tag = "duplicates",
    params(("id" = String, Path, description = "Either person's id")),
    responses(
        (status = 200, body = Unmerged),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn unmerge(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<Unmerged>, Problem> {
    let id = person_id(&id)?;
    let (survivor, restored) = state.app(caller.account).unmerge(&id).await?;
    Ok(Json(Unmerged { survivor, restored }))
}

/// People deleted in the last 30 days, most recent first (at most 500).
#[utoipa::path(get, path = "/api/v1/deleted-people", tag = "people",
    responses(
        (status = 200, body = Vec<PersonView>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_deleted(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<Vec<PersonView>>, Problem> {
    Ok(Json(state.app(caller.account).deleted_people().await?))
}

/// Brings back a person deleted in the last 30 days.
#[utoipa::path(post, path = "/api/v1/deleted-people/{id}/restore", tag = "people",
    params(("id" = String, Path, description = "The deleted person's id")),
    responses(
        (status = 200, body = PersonView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn restore(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<PersonView>, Problem> {
    let id = person_id(&id)?;
    Ok(Json(state.app(caller.account).restore_person(&id).await?))
}

/// The multipart form of an import.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // describes the request body for the OpenAPI document
pub struct ImportForm {
    /// One or several files: vCard, LinkedIn CSV or export ZIP, Google or Outlook CSV.
    #[schema(value_type = Vec<String>, format = Binary)]
    files: Vec<Vec<u8>>,
    /// auto (default), vcard, linkedin, google, outlook or csv.
    format: Option<String>,
    /// true: read and report, save nothing.
    dry_run: Option<bool>,
}

/// Starts importing uploaded files; follow the job at its Location.
#[utoipa::path(post, path = "/api/v1/imports", tag = "imports",
    request_body(content = ImportForm, content_type = "multipart/form-data"),
    responses(
        (status = 202, body = ImportStatus, headers(("Location" = String))),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_import(
    State(state): State<AppState>,
    caller: ApiCaller,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, Problem> {
    let mut multipart = multipart.map_err(|e| {
        Problem::new(
            Code::UnsupportedMediaType,
            format!(
                "send the files as multipart/form-data (field `files`): {}",
                e.body_text()
            ),
        )
    })?;
    state.jobs.check_room(caller.account)?;
    let upload = read_upload(&state, &mut multipart, None).await?;
    let id = start_import(&state, caller.account, upload);
    let status = import_status(&state, caller.account, id)
        .ok_or_else(|| Problem::new(Code::Internal, "the import job vanished"))?;
    let location = format!("/api/v1/imports/{id}");
    Ok((
        StatusCode::ACCEPTED,
        [(header::LOCATION, location)],
        Json(status),
    )
        .into_response())
}

/// An import job: progress, then each file's report (as `kith import --json`).
#[utoipa::path(get, path = "/api/v1/imports/{id}", tag = "imports",
    params(("id" = String, Path, description = "The job's id")),
    responses(
        (status = 200, body = ImportStatus),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_import(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<ImportStatus>, Problem> {
    let not_found = || Problem::new(Code::NotFound, "no such import");
    let id: Uuid = id.parse().map_err(|_| not_found())?;
    import_status(&state, caller.account, id)
        .map(Json)
        .ok_or_else(not_found)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// vcard4 (default), vcard3, csv or json.
    format: Option<ExportKind>,
}

/// The file formats of an export.
#[derive(Clone, Copy, Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExportKind {
    Vcard4,
    Vcard3,
    Csv,
    Json,
}

/// The whole address book as one file.
#[utoipa::path(get, path = "/api/v1/export", params(ExportQuery), tag = "export",
    responses(
        (status = 200, description = "The file", content(
            (String = "text/vcard"),
            (String = "text/csv"),
            (Vec<PersonView> = "application/json"),
        )),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn export(
    State(state): State<AppState>,
    caller: ApiCaller,
    q: Result<Query<ExportQuery>, QueryRejection>,
) -> Result<Response, Problem> {
    use kith_formats::vcard::Version;
    let q = query(q)?;
    let (format, file, content_type) = match q.format.unwrap_or(ExportKind::Vcard4) {
        ExportKind::Vcard4 => (
            ExportFormat::Vcard(Version::V4),
            "kith.vcf",
            "text/vcard; charset=utf-8",
        ),
        ExportKind::Vcard3 => (
            ExportFormat::Vcard(Version::V3),
            "kith.vcf",
            "text/vcard; charset=utf-8",
        ),
        ExportKind::Csv => (ExportFormat::Csv, "kith.csv", "text/csv; charset=utf-8"),
        ExportKind::Json => (ExportFormat::Json, "kith.json", "application/json"),
    };
    export_download(&state, caller.account, format, file, content_type).await
}

/// The whole address book of `account` as a download.
pub(crate) async fn export_download(
    state: &AppState,
    account: kith_core::AccountId,
    format: ExportFormat,
    file: &str,
    content_type: &str,
) -> Result<Response, Problem> {
    let body = state.app(account).export_bytes(format).await?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
        ],
        body,
    )
        .into_response())
}
