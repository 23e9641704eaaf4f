//! The JSON API of the network: paths to a person or an organisation,
//! who the caller can reach at an organisation, ties, connections between
//! members, sharing rules, introductions and the map's data. Every answer
//! is computed for the caller and shows others' contacts only as far as
//! their sharing allows.

use crate::http::caller::ApiCaller;
use crate::http::input::ApiJson;
use crate::http::input::ApiQuery;
use crate::http::input::PersonPath;
use crate::http::input::check_text;
use crate::http::input::path_target;
use crate::http::problem::{Code, Problem, person_id};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kith_app::federation::{FederationStatus, FollowView};
use kith_app::network::intros::IntroView;
use kith_app::network::map::NetworkMap;
use kith_app::network::members::{ConnectionView, MemberSuggestion};
use kith_app::network::paths::{PathView, ReachView};
use kith_app::network::ties::{SharingScope, SharingView, TieView};
use kith_core::ties::Sharing;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(paths))
        .routes(routes!(who_at))
        .routes(routes!(ties_of))
        .routes(routes!(set_tie))
        .routes(routes!(remove_tie))
        .routes(routes!(connections, invite))
        .routes(routes!(suggestions))
        .routes(routes!(accept))
        .routes(routes!(decline))
        .routes(routes!(disconnect))
        .routes(routes!(sharing, set_sharing))
        .routes(routes!(introductions, request_introduction))
        .routes(routes!(introduction))
        .routes(routes!(answer_introduction))
        .routes(routes!(map))
        .routes(routes!(follows, follow))
        .routes(routes!(unfollow))
        .routes(routes!(federation))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct PathQuery {
    /// A person: an id, an exact name, an email address or a profile URL.
    to: Option<String>,
    /// Anyone now at an organisation: its name or an email domain.
    org: Option<String>,
    /// How many paths (1 to 20, default 3).
    k: Option<usize>,
}

/// The strongest loopless paths from the caller to a person or to anyone
/// at an organisation, strongest first, each hop explained.
#[utoipa::path(get, path = "/api/v1/paths", tag = "network", params(PathQuery),
    responses(
        (status = 200, body = Vec<PathView>, headers(("kith-servers-unanswered" = u32, description = "Connections' servers that did not answer in time (their paths are missing)"))),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn paths(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(q): ApiQuery<PathQuery>,
) -> Result<impl IntoResponse, Problem> {
    let target = path_target(q.to, q.org)?;
    let report = state
        .app(caller.account)
        .paths_everywhere(&target, q.k.unwrap_or(3))
        .await?;
    Ok((unanswered(report.unanswered), Json(report.paths)))
}

/// `Kith-Servers-Unanswered`: how many connections' servers did not answer
/// in time (their paths are missing; nothing failed).
fn unanswered(n: usize) -> [(&'static str, String); 1] {
    [("kith-servers-unanswered", n.to_string())]
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct WhoAtQuery {
    /// The organisation's name or an email domain.
    org: String,
    /// At most this many (1 to 200, default 50).
    limit: Option<usize>,
}

/// Who the caller can reach at an organisation now, strongest path first.
#[utoipa::path(get, path = "/api/v1/who-at", tag = "network", params(WhoAtQuery),
    responses(
        (status = 200, body = Vec<ReachView>, headers(("kith-servers-unanswered" = u32, description = "Connections' servers that did not answer in time"))),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn who_at(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(q): ApiQuery<WhoAtQuery>,
) -> Result<impl IntoResponse, Problem> {
    check_text("org", &q.org)?;
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(Problem::new(Code::InvalidValue, "limit must be 1 to 200"));
    }
    let report = state
        .app(caller.account)
        .who_at_everywhere(&q.org, limit)
        .await?;
    Ok((unanswered(report.unanswered), Json(report.people)))
}

/// A person's ties to others of the address book, with the reasons.
#[utoipa::path(get, path = "/api/v1/people/{id}/ties", tag = "network",
    params(("id" = String, Path, description = "The person's id")),
    responses(
        (status = 200, body = Vec<TieView>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn ties_of(
    State(state): State<AppState>,
    caller: ApiCaller,
    PersonPath(id): PersonPath,
) -> Result<Json<Vec<TieView>>, Problem> {
    Ok(Json(state.app(caller.account).ties_of(&id).await?))
}

/// A tie to set by hand between two people of the address book.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct TieInput {
    /// One person's id.
    a: String,
    /// The other's id.
    b: String,
    /// colleague, vendor, client, friend, family, mentor or introduced-by.
    #[schema(max_length = 20)]
    kind: String,
    /// Above 0 and at most 1 (default: the kind's usual strength).
    #[schema(exclusive_minimum = 0.0, maximum = 1.0)]
    strength: Option<f64>,
}

/// Sets the tie between two people (replacing one set before); answers
/// the first person's ties.
#[utoipa::path(put, path = "/api/v1/ties", tag = "network", request_body = TieInput,
    responses(
        (status = 200, body = Vec<TieView>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn set_tie(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(input): ApiJson<TieInput>,
) -> Result<Json<Vec<TieView>>, Problem> {
    let (a, b) = (person_id(&input.a)?, person_id(&input.b)?);
    check_text("kind", &input.kind)?;
    let app = state.app(caller.account);
    app.set_tie(&a, &b, &input.kind, input.strength).await?;
    Ok(Json(app.ties_of(&a).await?))
}

/// Removes the tie set by hand between two people.
#[utoipa::path(delete, path = "/api/v1/ties/{a}/{b}", tag = "network",
    params(("a" = String, Path, description = "One person's id"), ("b" = String, Path, description = "The other's id")),
    responses(
        (status = 204),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn remove_tie(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((a, b)): Path<(String, String)>,
) -> Result<StatusCode, Problem> {
    let (a, b) = (person_id(&a)?, person_id(&b)?);
    if state.app(caller.account).remove_tie(&a, &b).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Problem::new(
            Code::NotFound,
            "no tie was set by hand between them",
        ))
    }
}

/// The caller's connections and invitations, newest first.
#[utoipa::path(get, path = "/api/v1/connections", tag = "network",
    responses(
        (status = 200, body = Vec<ConnectionView>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn connections(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<Vec<ConnectionView>>, Problem> {
    Ok(Json(state.app(caller.account).connections().await?))
}

/// A member to invite.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct InviteInput {
    /// Their account name, or `name@host` for a member of another kith
    /// server.
    #[schema(max_length = 300)]
    name: String,
}

/// What happened.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(super) struct Said {
    pub message: String,
}

/// Invites a member to connect (or accepts their invitation, if they sent one).
#[utoipa::path(post, path = "/api/v1/connections", tag = "network", request_body = InviteInput,
    responses(
        (status = 201, body = Said),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn invite(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(input): ApiJson<InviteInput>,
) -> Result<Response, Problem> {
    check_text("name", &input.name)?;
    let message = state.app(caller.account).invite(&input.name).await?;
    Ok((StatusCode::CREATED, Json(Said { message })).into_response())
}

/// Members the caller may know, and why.
#[utoipa::path(get, path = "/api/v1/connections/suggestions", tag = "network",
    responses(
        (status = 200, body = Vec<MemberSuggestion>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn suggestions(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<Vec<MemberSuggestion>>, Problem> {
    Ok(Json(state.app(caller.account).people_you_may_know().await?))
}

/// Accepts a member's invitation: each gets the other's card.
#[utoipa::path(post, path = "/api/v1/connections/{name}/accept", tag = "network",
    params(("name" = String, Path, description = "The member's account name, or name@host")),
    responses(
        (status = 204),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn accept(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(name): Path<String>,
) -> Result<StatusCode, Problem> {
    state.app(caller.account).accept(&name).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Declines a member's invitation.
#[utoipa::path(post, path = "/api/v1/connections/{name}/decline", tag = "network",
    params(("name" = String, Path, description = "The member's account name, or name@host")),
    responses(
        (status = 204),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn decline(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(name): Path<String>,
) -> Result<StatusCode, Problem> {
    state.app(caller.account).decline(&name).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Ends a connection or withdraws an invitation.
#[utoipa::path(delete, path = "/api/v1/connections/{name}", tag = "network",
    params(("name" = String, Path, description = "The member's account name, or name@host")),
    responses(
        (status = 204),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn disconnect(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(name): Path<String>,
) -> Result<StatusCode, Problem> {
    state.app(caller.account).disconnect(&name).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What the caller's connections may use of the people they know.
#[utoipa::path(get, path = "/api/v1/sharing", tag = "network",
    responses(
        (status = 200, body = SharingView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn sharing(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<SharingView>, Problem> {
    Ok(Json(state.app(caller.account).sharing().await?))
}

/// A sharing rule: for everyone, a tag or a person.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct SharingInput {
    /// nothing, role or name; null removes the tag's or person's rule.
    #[schema(max_length = 10)]
    level: Option<String>,
    #[schema(max_length = 200)]
    tag: Option<String>,
    /// A person's id.
    person: Option<String>,
}

/// Sets a sharing rule; answers all of them.
#[utoipa::path(put, path = "/api/v1/sharing", tag = "network", request_body = SharingInput,
    responses(
        (status = 200, body = SharingView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn set_sharing(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(input): ApiJson<SharingInput>,
) -> Result<Json<SharingView>, Problem> {
    let scope = match (input.tag, input.person) {
        (Some(_), Some(_)) => {
            return Err(Problem::new(
                Code::InvalidValue,
                "give tag or person, not both",
            ));
        }
        (Some(t), None) => {
            check_text("tag", &t)?;
            SharingScope::Tag(t)
        }
        (None, Some(p)) => SharingScope::Person(person_id(&p)?),
        (None, None) => SharingScope::All,
    };
    let level = match input.level.as_deref() {
        None if scope == SharingScope::All => {
            return Err(Problem::new(
                Code::InvalidValue,
                "level: use nothing, role or name",
            ));
        }
        None => None,
        Some(l) => Some(Sharing::parse(l).ok_or_else(|| {
            Problem::new(
                Code::InvalidValue,
                format!("level {l:?}: use nothing, role or name"),
            )
        })?),
    };
    let app = state.app(caller.account);
    app.set_sharing(&scope, level).await?;
    Ok(Json(app.sharing().await?))
}

/// The introductions the caller asked for or was asked to make.
#[utoipa::path(get, path = "/api/v1/introductions", tag = "network",
    responses(
        (status = 200, body = Vec<IntroView>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn introductions(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<Vec<IntroView>>, Problem> {
    Ok(Json(state.app(caller.account).introductions().await?))
}

fn intro_id(id: &str) -> Result<Uuid, Problem> {
    id.parse()
        .map_err(|_| Problem::new(Code::NotFound, format!("no introduction request {id}")))
}

/// One introduction of the caller's.
#[utoipa::path(get, path = "/api/v1/introductions/{id}", tag = "network",
    params(("id" = String, Path, description = "The request's id")),
    responses(
        (status = 200, body = IntroView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn introduction(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<IntroView>, Problem> {
    Ok(Json(
        state
            .app(caller.account)
            .introduction(intro_id(&id)?)
            .await?,
    ))
}

/// A request for an introduction.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct IntroInput {
    /// A person: an id, an exact name, an email address or a profile URL.
    to: Option<String>,
    /// Or anyone at an organisation.
    org: Option<String>,
    /// The connection to ask: an account name, or `name@host` for a
    /// connection on another kith server.
    #[schema(max_length = 300)]
    via: String,
    #[schema(max_length = 2000)]
    message: Option<String>,
}

/// Asks a connection for an introduction to the next person on the
/// caller's best path through them.
#[utoipa::path(post, path = "/api/v1/introductions", tag = "network", request_body = IntroInput,
    responses(
        (status = 201, body = IntroView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn request_introduction(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(input): ApiJson<IntroInput>,
) -> Result<Response, Problem> {
    let target = path_target(input.to, input.org)?;
    check_text("via", &input.via)?;
    let message = input.message.unwrap_or_default();
    check_text("message", &message)?;
    let view = state
        .app(caller.account)
        .request_introduction(&target, &input.via, &message)
        .await?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

/// Answers a request: `accept` or `decline` (the member asked), or
/// `withdraw` (the member who asked).
#[utoipa::path(post, path = "/api/v1/introductions/{id}/{action}", tag = "network",
    params(("id" = String, Path, description = "The request's id"), ("action" = String, Path, description = "accept, decline or withdraw")),
    responses(
        (status = 200, body = IntroView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json"),
        (status = 502, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn answer_introduction(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, action)): Path<(String, String)>,
) -> Result<Json<IntroView>, Problem> {
    let id = intro_id(&id)?;
    let app = state.app(caller.account);
    let view = match action.as_str() {
        "accept" => {
            app.accept_introduction(id, state.mailer().as_deref(), &state.config.public_url)
                .await?
        }
        "decline" => app.decline_introduction(id).await?,
        "withdraw" => app.withdraw_introduction(id).await?,
        other => {
            return Err(Problem::new(
                Code::NotFound,
                format!("no action {other:?}: use accept, decline or withdraw"),
            ));
        }
    };
    Ok(Json(view))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct MapQuery {
    /// The strongest ties to draw (1 to 500, default 150).
    limit: Option<usize>,
}

/// The data of the network map: the caller's strongest ties in clusters.
#[utoipa::path(get, path = "/api/v1/network/map", tag = "network", params(MapQuery),
    responses(
        (status = 200, body = NetworkMap),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn map(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(q): ApiQuery<MapQuery>,
) -> Result<Json<NetworkMap>, Problem> {
    let limit = q.limit.unwrap_or(150);
    if !(1..=500).contains(&limit) {
        return Err(Problem::new(Code::InvalidValue, "limit must be 1 to 500"));
    }
    Ok(Json(state.app(caller.account).network_map(limit).await?))
}

/// Fediverse accounts the caller follows, and accounts following them.
#[utoipa::path(get, path = "/api/v1/follows", tag = "network",
    responses(
        (status = 200, body = Vec<FollowView>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn follows(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<Vec<FollowView>>, Problem> {
    Ok(Json(state.app(caller.account).follows().await?))
}

/// A fediverse account to follow.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct FollowInput {
    /// `@name@server` (or `name@server`).
    #[schema(max_length = 300)]
    handle: String,
}

/// Follows a fediverse account: once it accepts, a person in the book
/// follows its profile.
#[utoipa::path(post, path = "/api/v1/follows", tag = "network", request_body = FollowInput,
    responses(
        (status = 201, body = Said),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 502, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn follow(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(input): ApiJson<FollowInput>,
) -> Result<Response, Problem> {
    check_text("handle", &input.handle)?;
    let message = state
        .app(caller.account)
        .follow_account(&input.handle)
        .await?;
    Ok((StatusCode::CREATED, Json(Said { message })).into_response())
}

/// Stops following a fediverse account (the person stays).
#[utoipa::path(delete, path = "/api/v1/follows/{handle}", tag = "network",
    params(("handle" = String, Path, description = "name@server")),
    responses(
        (status = 204),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn unfollow(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(handle): Path<String>,
) -> Result<StatusCode, Problem> {
    state.app(caller.account).unfollow_account(&handle).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's handle (null: this server does not federate) and the
/// server's delivery backlog.
#[utoipa::path(get, path = "/api/v1/federation", tag = "network",
    responses(
        (status = 200, body = FederationStatus),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn federation(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<FederationStatus>, Problem> {
    Ok(Json(state.app(caller.account).federation_status().await?))
}
