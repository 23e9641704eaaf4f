//! `/api/v1/duplicates`: suggestions, merge, dismiss, and undoing a merge.

use crate::http::caller::ApiCaller;
use crate::http::input::ApiJson;
use crate::http::input::ApiQuery;
use crate::http::input::PersonPath;
use crate::http::input::paging;
use crate::http::problem::{Problem, person_id};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use kith_app::{PersonView, SuggestionView};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_duplicates))
        .routes(routes!(merge))
        .routes(routes!(dismiss))
        .routes(routes!(unmerge))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct PageQuery {
    /// Page size, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
    #[param(minimum = 0, maximum = 1_000_000_000)]
    offset: Option<i64>,
}

/// A page of duplicate suggestions.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct DuplicatesPage {
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
pub(super) async fn list_duplicates(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<DuplicatesPage>, Problem> {
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
pub(super) struct MergeInput {
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
pub(super) async fn merge(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(input): ApiJson<MergeInput>,
) -> Result<Json<PersonView>, Problem> {
    let (a, b) = (person_id(&input.survivor)?, person_id(&input.absorbed)?);
    Ok(Json(state.app(caller.account).merge_people(&a, &b).await?))
}

/// Two people who are not the same person.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct PairInput {
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
pub(super) async fn dismiss(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(input): ApiJson<PairInput>,
) -> Result<StatusCode, Problem> {
    let (a, b) = (person_id(&input.a)?, person_id(&input.b)?);
    state.app(caller.account).dismiss_duplicate(&a, &b).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The two people a merge made one, after it is undone.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct Unmerged {
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
pub(super) async fn unmerge(
    State(state): State<AppState>,
    caller: ApiCaller,
    PersonPath(id): PersonPath,
) -> Result<Json<Unmerged>, Problem> {
    let (survivor, restored) = state.app(caller.account).unmerge(&id).await?;
    Ok(Json(Unmerged { survivor, restored }))
}
