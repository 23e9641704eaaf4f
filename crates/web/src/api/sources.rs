//! `/api/v1/sources`: the mailboxes, calendars and address books kith reads
//! by itself — listing, adding, removing, pausing, a new password, and a
//! sync now (answered 202 at once; the source's `state` and progress say
//! how it goes).

use crate::http::caller::ApiCaller;
use crate::http::input::ApiJson;
use crate::http::problem::{Code, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kith_app::sources::{NewSource, SourceView};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_sources, add_source))
        .routes(routes!(get_source, remove_source))
        .routes(routes!(sync_source))
        .routes(routes!(pause_source))
        .routes(routes!(resume_source))
        .routes(routes!(set_password))
}

/// A source's id from the path; anything else answers 404.
fn source_id(id: &str) -> Result<Uuid, Problem> {
    id.parse()
        .map_err(|_| Problem::new(Code::NotFound, "no such source"))
}

/// The account's sources, oldest first.
#[utoipa::path(get, path = "/api/v1/sources", tag = "sources",
    responses(
        (status = 200, body = Vec<SourceView>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn list_sources(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<Vec<SourceView>>, Problem> {
    Ok(Json(state.app(caller.account).sources().await?))
}

/// Adds a source; it syncs at once, then on its schedule.
#[utoipa::path(post, path = "/api/v1/sources", tag = "sources",
    request_body = NewSource,
    responses(
        (status = 201, body = SourceView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn add_source(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(input): ApiJson<NewSource>,
) -> Result<Response, Problem> {
    let view = state.app(caller.account).add_source(input).await?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

/// One source: its state, last sync, progress while it syncs.
#[utoipa::path(get, path = "/api/v1/sources/{id}", tag = "sources",
    params(("id" = String, Path, description = "The source's id")),
    responses(
        (status = 200, body = SourceView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn get_source(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<SourceView>, Problem> {
    Ok(Json(
        state.app(caller.account).source(source_id(&id)?).await?,
    ))
}

/// Removes a source (what it brought stays in the address book).
#[utoipa::path(delete, path = "/api/v1/sources/{id}", tag = "sources",
    params(("id" = String, Path, description = "The source's id")),
    responses(
        (status = 204),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn remove_source(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    state
        .app(caller.account)
        .remove_source(source_id(&id)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Syncs a source now, in the background: 202 with the source as it
/// starts; 409 while it is syncing.
#[utoipa::path(post, path = "/api/v1/sources/{id}/sync", tag = "sources",
    params(("id" = String, Path, description = "The source's id")),
    responses(
        (status = 202, body = SourceView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn sync_source(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let view = state
        .start_source_sync(caller.account, source_id(&id)?)
        .await?;
    Ok((StatusCode::ACCEPTED, Json(view)).into_response())
}

/// Pauses a source (it keeps what it knows).
#[utoipa::path(post, path = "/api/v1/sources/{id}/pause", tag = "sources",
    params(("id" = String, Path, description = "The source's id")),
    responses(
        (status = 200, body = SourceView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn pause_source(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<SourceView>, Problem> {
    let app = state.app(caller.account);
    Ok(Json(app.pause_source(source_id(&id)?, true).await?))
}

/// Resumes a paused source: it syncs at once.
#[utoipa::path(post, path = "/api/v1/sources/{id}/resume", tag = "sources",
    params(("id" = String, Path, description = "The source's id")),
    responses(
        (status = 200, body = SourceView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn resume_source(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<SourceView>, Problem> {
    let app = state.app(caller.account);
    Ok(Json(app.pause_source(source_id(&id)?, false).await?))
}

/// A source's new (app) password.
#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct PasswordInput {
    pub(crate) password: String,
}

/// Gives a source a new password; it resumes and syncs at once.
#[utoipa::path(put, path = "/api/v1/sources/{id}/password", tag = "sources",
    params(("id" = String, Path, description = "The source's id")),
    request_body = PasswordInput,
    responses(
        (status = 200, body = SourceView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn set_password(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<PasswordInput>,
) -> Result<Json<SourceView>, Problem> {
    let app = state.app(caller.account);
    Ok(Json(
        app.set_source_password(source_id(&id)?, &input.password)
            .await?,
    ))
}
