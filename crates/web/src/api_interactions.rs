//! The JSON API of interactions: a person's (newest first), logging one,
//! removing one, and the strength they add up to. Only the account's own people can be named.

use crate::api::{check_text, json_body};
use crate::caller::ApiCaller;
use crate::problem::{Code, Problem, person_id};
use crate::state::AppState;
use axum::Json;
use axum::Router;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use kith_app::interactions::{InteractionView, NewInteraction};
use kith_core::{Direction, InteractionKind};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/people/{id}/interactions",
            get(list_interactions).post(log_interaction),
        )
        .route("/api/v1/interactions/{id}", delete(delete_interaction))
        .route("/api/v1/people/{id}/strength", get(get_strength))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InteractionsQuery {
    /// At most this many, newest first (1 to 500, default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
}

/// A person's interactions, newest first (those of people merged into them
/// included).
#[utoipa::path(get, path = "/api/v1/people/{id}/interactions", tag = "interactions",
    params(("id" = String, Path, description = "The person's id"), InteractionsQuery),
    responses(
        (status = 200, body = Vec<InteractionView>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_interactions(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    q: Result<Query<InteractionsQuery>, QueryRejection>,
) -> Result<Json<Vec<InteractionView>>, Problem> {
    let Query(q) = q.map_err(|e| Problem::new(Code::InvalidRequest, e.body_text()))?;
    let limit = q.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(Problem::new(Code::InvalidValue, "limit must be 1 to 500"));
    }
    let id = person_id(&id)?;
    Ok(Json(
        state.app(caller.account).interactions(&id, limit).await?,
    ))
}

/// An interaction to log with this person (and maybe others).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InteractionInput {
    /// email, meeting, call, message, coffee, lunch, event, introduction or note.
    #[schema(max_length = 20)]
    pub kind: String,
    /// YYYY-MM-DD, an RFC 3339 timestamp, today, yesterday, "N days ago"; default now.
    #[schema(max_length = 40)]
    pub date: Option<String>,
    #[schema(max_length = 4000)]
    pub note: Option<String>,
    /// outgoing, incoming or mutual (default).
    #[schema(max_length = 20)]
    pub direction: Option<String>,
    /// Other people who took part (ids).
    #[schema(max_items = 50)]
    pub with: Option<Vec<String>>,
}

/// Logs an interaction with this person.
#[utoipa::path(post, path = "/api/v1/people/{id}/interactions", tag = "interactions",
    params(("id" = String, Path, description = "The person's id")),
    request_body = InteractionInput,
    responses(
        (status = 201, body = InteractionView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn log_interaction(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    body: Result<Json<InteractionInput>, JsonRejection>,
) -> Result<Response, Problem> {
    let input = json_body(body)?;
    let mut people = vec![person_id(&id)?];
    let with = input.with.unwrap_or_default();
    if with.len() > 50 {
        return Err(Problem::new(Code::InvalidValue, "with: at most 50 people"));
    }
    for other in &with {
        people.push(person_id(other)?);
    }
    for (field, value) in [
        ("kind", Some(&input.kind)),
        ("date", input.date.as_ref()),
        ("note", input.note.as_ref()),
        ("direction", input.direction.as_ref()),
    ] {
        if let Some(v) = value {
            check_text(field, v)?;
        }
    }
    let kind = InteractionKind::parse(&input.kind).ok_or_else(|| {
        Problem::new(
            Code::InvalidValue,
            format!(
                "kind {:?}: use one of {}",
                input.kind,
                InteractionKind::names()
            ),
        )
    })?;
    let direction = match input.direction.as_deref() {
        None => None,
        Some(d) => Some(Direction::parse(d).ok_or_else(|| {
            Problem::new(
                Code::InvalidValue,
                format!("direction {d:?}: use outgoing, incoming or mutual"),
            )
        })?),
    };
    let logged = state
        .app(caller.account)
        .log_interaction(&NewInteraction {
            people,
            kind,
            when: input.date.unwrap_or_default(),
            note: input.note,
            direction,
        })
        .await?;
    Ok((StatusCode::CREATED, Json(logged)).into_response())
}

/// Removes an interaction.
#[utoipa::path(delete, path = "/api/v1/interactions/{id}", tag = "interactions",
    params(("id" = String, Path, description = "The interaction's id")),
    responses(
        (status = 204),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_interaction(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    state.app(caller.account).delete_interaction(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How strong a relationship is, and why.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct StrengthView {
    /// 0 (no contact) to 1.
    pub score: f64,
    /// The reasons in words.
    pub explanation: String,
}

/// The strength of the relationship with a person, explained
/// (docs/relationships.md has the formula).
#[utoipa::path(get, path = "/api/v1/people/{id}/strength", tag = "interactions",
    params(("id" = String, Path, description = "The person's id")),
    responses(
        (status = 200, body = StrengthView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_strength(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<StrengthView>, Problem> {
    let id = person_id(&id)?;
    let s = state.app(caller.account).strength(&id).await?;
    Ok(Json(StrengthView {
        score: s.score,
        explanation: s.explanation,
    }))
}
