//! `/api/v1/imports`: upload files, then follow the job.

use super::without_body_limit;
use crate::http::caller::ApiCaller;
use crate::http::problem::{Code, Problem};
use crate::http::upload::read_upload;
use crate::jobs::ImportStatus;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        // The upload's size is counted as it is written (crate::jobs).
        .routes(without_body_limit(routes!(create_import)))
        .routes(routes!(get_import))
}

/// The multipart form of an import.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // describes the request body for the OpenAPI document
pub(super) struct ImportForm {
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
pub(super) async fn create_import(
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
    crate::http::upload::room_for_one_more(state.jobs.unfinished(caller.account).await?)?;
    let upload = read_upload(state.config.max_body, &mut multipart, None).await?;
    let id = state.jobs.start(caller.account, upload).await?;
    let status: ImportStatus = state
        .jobs
        .status(caller.account, id)
        .await?
        .ok_or_else(|| Problem::new(Code::Internal, "the import job vanished"))?
        .into();
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
pub(super) async fn get_import(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<ImportStatus>, Problem> {
    let not_found = || Problem::new(Code::NotFound, "no such import");
    let id: Uuid = id.parse().map_err(|_| not_found())?;
    state
        .jobs
        .status(caller.account, id)
        .await?
        .map(|job| Json(job.into()))
        .ok_or_else(not_found)
}
