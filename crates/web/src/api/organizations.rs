//! `/api/v1/organizations` (who is there now and before) and `/api/v1/tags`.

use crate::http::caller::ApiCaller;
use crate::http::input::ApiQuery;
use crate::http::input::{check_text, paging};
use crate::http::problem::Problem;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use kith_app::orgs::OrgView;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_organizations))
        .routes(routes!(get_organization))
        .routes(routes!(list_tags))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct OrgQuery {
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
pub(super) struct OrgSummary {
    pub id: Uuid,
    pub name: String,
    /// People there now (a position without an end).
    pub current: i64,
    /// People whose positions there have all ended.
    pub former: i64,
}

/// A page of organisations.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct OrgPage {
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
pub(super) async fn list_organizations(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(q): ApiQuery<OrgQuery>,
) -> Result<Json<OrgPage>, Problem> {
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
pub(super) async fn get_organization(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<OrgView>, Problem> {
    Ok(Json(state.app(caller.account).organization(&id).await?))
}

/// A tag and how many people carry it.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct TagCount {
    pub tag: String,
    pub people: i64,
}

/// Every tag, most used first (people with a tag: `GET /api/v1/people?tag=T`).
#[utoipa::path(get, path = "/api/v1/tags", tag = "tags",
    responses(
        (status = 200, body = Vec<TagCount>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn list_tags(
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
