//! `/api/v1/deleted-people`: people deleted in the last 30 days, and restoring one.

use crate::http::caller::ApiCaller;
use crate::http::input::PersonPath;
use crate::http::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use kith_app::PersonView;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_deleted))
        .routes(routes!(restore))
}

/// People deleted in the last 30 days, most recent first (at most 500).
#[utoipa::path(get, path = "/api/v1/deleted-people", tag = "people",
    responses(
        (status = 200, body = Vec<PersonView>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn list_deleted(
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
pub(super) async fn restore(
    State(state): State<AppState>,
    caller: ApiCaller,
    PersonPath(id): PersonPath,
) -> Result<Json<PersonView>, Problem> {
    Ok(Json(state.app(caller.account).restore_person(&id).await?))
}
