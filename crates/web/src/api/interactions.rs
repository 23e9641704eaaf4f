//! The JSON API of interactions: a person's (newest first), logging one,
//! removing one, the strength they add up to, and keeping in touch:
//! cadences, the reach-out list, done and snooze. Only the account's own people can be named.

use crate::http::caller::ApiCaller;
use crate::http::input::ApiJson;
use crate::http::input::ApiQuery;
use crate::http::input::PersonPath;
use crate::http::input::check_text;
use crate::http::input::parse_circle;
use crate::http::input::parse_kind;
use crate::http::problem::{Code, Problem, person_id};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kith_app::coming_up::ComingUpView;
use kith_app::interactions::{InteractionView, NewInteraction};
use kith_app::keep_in_touch::DueView;
use kith_core::Direction;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_interactions, log_interaction))
        .routes(routes!(delete_interaction, edit_interaction))
        .routes(routes!(get_strength))
        .routes(routes!(set_circle))
        .routes(routes!(coming_up))
        .routes(routes!(set_cadence))
        .routes(routes!(set_tag_cadence))
        .routes(routes!(list_due))
        .routes(routes!(mark_done))
        .routes(routes!(snooze))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct InteractionsQuery {
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
pub(super) async fn list_interactions(
    State(state): State<AppState>,
    caller: ApiCaller,
    PersonPath(id): PersonPath,
    ApiQuery(q): ApiQuery<InteractionsQuery>,
) -> Result<Json<Vec<InteractionView>>, Problem> {
    let limit = q.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(Problem::new(Code::InvalidValue, "limit must be 1 to 500"));
    }
    Ok(Json(
        state.app(caller.account).interactions(&id, limit).await?,
    ))
}

/// An interaction to log with this person (and maybe others).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct InteractionInput {
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
pub(super) async fn log_interaction(
    State(state): State<AppState>,
    caller: ApiCaller,
    PersonPath(id): PersonPath,
    ApiJson(input): ApiJson<InteractionInput>,
) -> Result<Response, Problem> {
    let mut people = vec![id.clone()];
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
    let kind = parse_kind(&input.kind)?;
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

/// A logged interaction as changed: all three fields are set.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct InteractionEdit {
    /// email, meeting, call, message, coffee, lunch, event, introduction or note.
    #[schema(max_length = 20)]
    pub kind: String,
    /// YYYY-MM-DD, an RFC 3339 timestamp, today, yesterday, "N days ago".
    #[schema(max_length = 40)]
    pub date: String,
    /// Empty or absent: no note.
    #[schema(max_length = 4000)]
    pub note: Option<String>,
}

/// Changes an interaction: when, what kind, its note.
#[utoipa::path(put, path = "/api/v1/interactions/{id}", tag = "interactions",
    params(("id" = String, Path, description = "The interaction's id")),
    request_body = InteractionEdit,
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
pub(super) async fn edit_interaction(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<InteractionEdit>,
) -> Result<StatusCode, Problem> {
    for (field, value) in [
        ("kind", Some(&input.kind)),
        ("date", Some(&input.date)),
        ("note", input.note.as_ref()),
    ] {
        if let Some(v) = value {
            check_text(field, v)?;
        }
    }
    let kind = parse_kind(&input.kind)?;
    state
        .app(caller.account)
        .edit_interaction(
            &id,
            kind,
            &input.date,
            input.note.as_deref().unwrap_or_default(),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
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
pub(super) async fn delete_interaction(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    state.app(caller.account).delete_interaction(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How strong a relationship is, and why.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(super) struct StrengthView {
    /// 0 (no contact) to 1, from the interactions alone.
    pub score: f64,
    /// The reasons in words.
    pub explanation: String,
    /// `inner`, `close`, `network` or `distant`: the pinned circle, else the score's.
    pub circle: String,
    /// The circle was pinned by hand.
    pub pinned: bool,
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
pub(super) async fn get_strength(
    State(state): State<AppState>,
    caller: ApiCaller,
    PersonPath(id): PersonPath,
) -> Result<Json<StrengthView>, Problem> {
    let s = state.app(caller.account).strength(&id).await?;
    Ok(Json(StrengthView {
        score: s.score,
        explanation: s.explanation,
        circle: s.circle.as_str().into(),
        pinned: s.pinned,
    }))
}

/// The circle to pin a person to (null: follow the interactions).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct CircleInput {
    /// `inner`, `close`, `network`, `distant`, or null to unpin.
    pub circle: Option<String>,
}

/// Pins a person to a circle whatever their interactions say, or unpins.
#[utoipa::path(put, path = "/api/v1/people/{id}/circle", tag = "interactions",
    params(("id" = String, Path, description = "The person's id")),
    request_body = CircleInput,
    responses(
        (status = 200, body = StrengthView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn set_circle(
    State(state): State<AppState>,
    caller: ApiCaller,
    PersonPath(id): PersonPath,
    ApiJson(input): ApiJson<CircleInput>,
) -> Result<Json<StrengthView>, Problem> {
    let circle = input.circle.as_deref().map(parse_circle).transpose()?;
    let person = id.clone();
    state
        .app(caller.account)
        .pin_circle(&person, circle)
        .await?;
    get_strength(State(state), caller, PersonPath(id)).await
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct ComingUpQuery {
    /// How many days ahead (0 to 60, default 14).
    #[param(minimum = 0, maximum = 60)]
    days: Option<i64>,
}

/// Birthdays and work anniversaries in the next days, soonest first.
#[utoipa::path(get, path = "/api/v1/coming-up", tag = "keep in touch",
    params(ComingUpQuery),
    responses(
        (status = 200, body = Vec<ComingUpView>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn coming_up(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(q): ApiQuery<ComingUpQuery>,
) -> Result<Json<Vec<ComingUpView>>, Problem> {
    Ok(Json(
        state
            .app(caller.account)
            .coming_up(q.days.unwrap_or(14))
            .await?,
    ))
}

/// How often to be in touch (null: no cadence).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct CadenceInput {
    /// 1 to 3650 days, or null to remove.
    #[schema(minimum = 1, maximum = 3650)]
    pub every_days: Option<i64>,
}

/// Sets how often to be in touch with a person.
#[utoipa::path(put, path = "/api/v1/people/{id}/cadence", tag = "keep in touch",
    params(("id" = String, Path, description = "The person's id")),
    request_body = CadenceInput,
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
pub(super) async fn set_cadence(
    State(state): State<AppState>,
    caller: ApiCaller,
    PersonPath(id): PersonPath,
    ApiJson(input): ApiJson<CadenceInput>,
) -> Result<StatusCode, Problem> {
    state
        .app(caller.account)
        .set_cadence(&id, input.every_days)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sets how often to be in touch with everyone carrying a tag.
#[utoipa::path(put, path = "/api/v1/tags/{tag}/cadence", tag = "keep in touch",
    params(("tag" = String, Path, description = "The tag")),
    request_body = CadenceInput,
    responses(
        (status = 204),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn set_tag_cadence(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(tag): Path<String>,
    ApiJson(input): ApiJson<CadenceInput>,
) -> Result<StatusCode, Problem> {
    check_text("tag", &tag)?;
    state
        .app(caller.account)
        .set_tag_cadence(&tag, input.every_days)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Who to reach out to now, most urgent first (how overdue, weighted by
/// strength), each with the reason.
#[utoipa::path(get, path = "/api/v1/due", tag = "keep in touch",
    responses(
        (status = 200, body = Vec<DueView>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn list_due(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<Vec<DueView>>, Problem> {
    Ok(Json(state.app(caller.account).due().await?))
}

/// How you reached out.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct DoneInput {
    /// The kind of interaction logged (default message).
    #[schema(max_length = 20)]
    pub kind: Option<String>,
}

/// You reached out now: logs an outgoing interaction, which resets the clock.
#[utoipa::path(post, path = "/api/v1/people/{id}/done", tag = "keep in touch",
    params(("id" = String, Path, description = "The person's id")),
    request_body = DoneInput,
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
pub(super) async fn mark_done(
    State(state): State<AppState>,
    caller: ApiCaller,
    PersonPath(id): PersonPath,
    ApiJson(input): ApiJson<DoneInput>,
) -> Result<Response, Problem> {
    let kind = input.kind.as_deref().map(parse_kind).transpose()?;
    let logged = state.app(caller.account).done(&id, kind).await?;
    Ok((StatusCode::CREATED, Json(logged)).into_response())
}

/// For how long to put someone off.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct SnoozeInput {
    /// 1 to 3650 days.
    #[schema(minimum = 1, maximum = 3650)]
    pub days: i64,
}

/// Keeps someone off the reach-out list for some days.
#[utoipa::path(post, path = "/api/v1/people/{id}/snooze", tag = "keep in touch",
    params(("id" = String, Path, description = "The person's id")),
    request_body = SnoozeInput,
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
pub(super) async fn snooze(
    State(state): State<AppState>,
    caller: ApiCaller,
    PersonPath(id): PersonPath,
    ApiJson(input): ApiJson<SnoozeInput>,
) -> Result<StatusCode, Problem> {
    state.app(caller.account).snooze(&id, input.days).await?;
    Ok(StatusCode::NO_CONTENT)
}
