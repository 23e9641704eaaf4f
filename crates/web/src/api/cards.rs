//! The JSON API of self-updating cards and reciprocity: the caller's own
//! card (each field with its visibility), public links, sending one's
//! details, what changed in the network, needs and offers, "what can I do
//! for them" with introductions from it, and favours.

use crate::http::caller::ApiCaller;
use crate::http::input::ApiJson;
use crate::http::input::ApiQuery;
use crate::http::input::PersonPath;
use crate::http::input::check_text;
use crate::http::problem::{Code, Problem, person_id};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kith_app::cards::{CardLinkView, CardUpdate, ChangeView, HelpOut, NeedOfferView, SendReport};
use kith_app::favours::FavourView;
use kith_app::network::intros::IntroView;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_card, put_card))
        .routes(routes!(set_field, unset_field))
        .routes(routes!(links, create_link))
        .routes(routes!(revoke_link))
        .routes(routes!(send_card))
        .routes(routes!(changes))
        .routes(routes!(person_changes))
        .routes(routes!(needs, add_need))
        .routes(routes!(remove_need))
        .routes(routes!(help_out))
        .routes(routes!(make_introduction))
        .routes(routes!(favours, add_favour))
        .routes(routes!(remove_favour))
}

/// The caller's own card.
#[utoipa::path(get, path = "/api/v1/card", tag = "cards",
    responses(
        (status = 200, body = CardUpdate),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn get_card(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<CardUpdate>, Problem> {
    Ok(Json(state.app(caller.account).my_card().await?))
}

/// One field of the caller's card.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct FieldInput {
    /// name, headline, organization, title, email, phone, address or website.
    #[schema(max_length = 20)]
    field: String,
    #[schema(max_length = 500)]
    value: String,
    /// private, connections or public (default: as it was, else the
    /// field's default: public for name, headline, organisation and
    /// title, connections for the rest).
    #[schema(max_length = 20)]
    visibility: Option<String>,
}

/// The whole card, replacing the caller's.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct CardInput {
    #[schema(max_items = 100)]
    fields: Vec<FieldInput>,
}

/// Replaces the caller's card (all fields checked first: nothing changes
/// unless all are right); connections' cards of the caller follow.
#[utoipa::path(put, path = "/api/v1/card", tag = "cards", request_body = CardInput,
    responses(
        (status = 200, body = CardUpdate),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn put_card(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(input): ApiJson<CardInput>,
) -> Result<Json<CardUpdate>, Problem> {
    if input.fields.len() > 100 {
        return Err(Problem::new(Code::InvalidValue, "at most 100 fields"));
    }
    let fields: Vec<(String, String, Option<String>)> = input
        .fields
        .into_iter()
        .map(|f| (f.field, f.value, f.visibility))
        .collect();
    Ok(Json(state.app(caller.account).replace_card(&fields).await?))
}

/// Sets one field (an email, phone or website is added; another field is
/// replaced); connections' cards of the caller follow.
#[utoipa::path(post, path = "/api/v1/card/fields", tag = "cards", request_body = FieldInput,
    responses(
        (status = 200, body = CardUpdate),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn set_field(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(f): ApiJson<FieldInput>,
) -> Result<Json<CardUpdate>, Problem> {
    Ok(Json(
        state
            .app(caller.account)
            .set_card_field(&f.field, &f.value, f.visibility.as_deref())
            .await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct UnsetQuery {
    /// The field to remove.
    field: String,
    /// One value of an email, phone or website (default: all of them).
    value: Option<String>,
}

/// Removes a field of the caller's card.
#[utoipa::path(delete, path = "/api/v1/card/fields", tag = "cards", params(UnsetQuery),
    responses(
        (status = 200, body = CardUpdate),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn unset_field(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(q): ApiQuery<UnsetQuery>,
) -> Result<Json<CardUpdate>, Problem> {
    Ok(Json(
        state
            .app(caller.account)
            .unset_card_field(&q.field, q.value.as_deref())
            .await?,
    ))
}

/// The caller's public links, newest first.
#[utoipa::path(get, path = "/api/v1/card/links", tag = "cards",
    responses(
        (status = 200, body = Vec<CardLinkView>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn links(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<Vec<CardLinkView>>, Problem> {
    Ok(Json(state.app(caller.account).card_links().await?))
}

/// Makes a public link to the caller's card (only public fields show).
#[utoipa::path(post, path = "/api/v1/card/links", tag = "cards",
    responses(
        (status = 201, body = CardLinkView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn create_link(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Response, Problem> {
    let link = state.app(caller.account).create_card_link().await?;
    Ok((StatusCode::CREATED, Json(link)).into_response())
}

/// Revokes a public link: it answers 404 after.
#[utoipa::path(delete, path = "/api/v1/card/links/{token}", tag = "cards",
    params(("token" = String, Path, description = "The link's id, or its secret token")),
    responses(
        (status = 204),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn revoke_link(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(token): Path<String>,
) -> Result<StatusCode, Problem> {
    check_text("token", &token)?;
    state
        .app(caller.account)
        .revoke_card_link(Some(&token))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// People to send the caller's details to.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct SendInput {
    /// Ids of people in the caller's address book.
    #[schema(min_items = 1, max_items = 500)]
    people: Vec<String>,
}

/// Emails the caller's details (what connections see, vCard attached) to
/// the people picked; nobody who unsubscribed, and no more than the
/// server's daily limit.
#[utoipa::path(post, path = "/api/v1/card/send", tag = "cards", request_body = SendInput,
    responses(
        (status = 200, body = SendReport),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 502, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn send_card(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(input): ApiJson<SendInput>,
) -> Result<Json<SendReport>, Problem> {
    if input.people.len() > 500 {
        return Err(Problem::new(
            Code::InvalidValue,
            "at most 500 people at once",
        ));
    }
    let ids = input
        .people
        .iter()
        .map(|p| person_id(p))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Json(
        state
            .app(caller.account)
            .send_card(&ids, state.mailer().as_deref(), &state.config.public_url)
            .await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct ChangesQuery {
    /// How far back, in days (1 to 3650, default 30).
    days: Option<i64>,
    /// At most this many (1 to 500, default 50).
    limit: Option<usize>,
}

/// What changed in the caller's network, most important first (job
/// changes and the people the caller is close to).
#[utoipa::path(get, path = "/api/v1/changes", tag = "cards", params(ChangesQuery),
    responses(
        (status = 200, body = Vec<ChangeView>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn changes(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(q): ApiQuery<ChangesQuery>,
) -> Result<Json<Vec<ChangeView>>, Problem> {
    let limit = q.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(Problem::new(Code::InvalidValue, "limit must be 1 to 500"));
    }
    Ok(Json(
        state
            .app(caller.account)
            .network_changes(q.days.unwrap_or(30), limit)
            .await?,
    ))
}

/// Every change recorded about one person, newest first.
#[utoipa::path(get, path = "/api/v1/people/{id}/changes", tag = "cards",
    params(("id" = String, Path, description = "The person's id")),
    responses(
        (status = 200, body = Vec<ChangeView>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn person_changes(
    State(state): State<AppState>,
    caller: ApiCaller,
    PersonPath(id): PersonPath,
) -> Result<Json<Vec<ChangeView>>, Problem> {
    Ok(Json(state.app(caller.account).person_changes(&id).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct NeedsQuery {
    /// Only one person's (their id).
    person: Option<String>,
}

/// Needs and offers: everyone's (the caller's own and connections' own
/// included), or one person's.
#[utoipa::path(get, path = "/api/v1/needs", tag = "cards", params(NeedsQuery),
    responses(
        (status = 200, body = Vec<NeedOfferView>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn needs(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(q): ApiQuery<NeedsQuery>,
) -> Result<Json<Vec<NeedOfferView>>, Problem> {
    let person = q.person.as_deref().map(person_id).transpose()?;
    Ok(Json(
        state
            .app(caller.account)
            .needs_offers(person.as_deref())
            .await?,
    ))
}

/// A need or an offer.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct NeedInput {
    /// The person's id; none for the caller's own (their connections see it).
    person: Option<String>,
    /// need or offer.
    #[schema(max_length = 10)]
    kind: String,
    #[schema(max_length = 500)]
    text: String,
    #[serde(default)]
    #[schema(max_items = 20)]
    tags: Vec<String>,
}

/// Adds a need or an offer.
#[utoipa::path(post, path = "/api/v1/needs", tag = "cards", request_body = NeedInput,
    responses(
        (status = 201, body = NeedOfferView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn add_need(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(input): ApiJson<NeedInput>,
) -> Result<Response, Problem> {
    let person = input.person.as_deref().map(person_id).transpose()?;
    let view = state
        .app(caller.account)
        .add_need_offer(person.as_deref(), &input.kind, &input.text, &input.tags)
        .await?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

/// Removes a need or offer.
#[utoipa::path(delete, path = "/api/v1/needs/{id}", tag = "cards",
    params(("id" = String, Path, description = "The need's or offer's id")),
    responses(
        (status = 204),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn remove_need(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    check_text("id", &id)?;
    state.app(caller.account).remove_need_offer(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What the caller can do for people: each need in their network with
/// those who can meet it.
#[utoipa::path(get, path = "/api/v1/help-out", tag = "cards",
    responses(
        (status = 200, body = Vec<HelpOut>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn help_out(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<Vec<HelpOut>>, Problem> {
    Ok(Json(state.app(caller.account).help_out().await?))
}

/// Two people of the caller's book to introduce.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct MakeIntroInput {
    /// The person with the need (id).
    person: String,
    /// Who can help them (id).
    helper: String,
    #[serde(default)]
    #[schema(max_length = 2000)]
    message: String,
}

/// Introduces two people of the caller's book: the helper is asked by
/// email, and on their yes both get the introduction.
#[utoipa::path(post, path = "/api/v1/introductions/make", tag = "cards", request_body = MakeIntroInput,
    responses(
        (status = 201, body = IntroView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 502, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn make_introduction(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(input): ApiJson<MakeIntroInput>,
) -> Result<Response, Problem> {
    let (a, b) = (person_id(&input.person)?, person_id(&input.helper)?);
    check_text("message", &input.message)?;
    let view = state
        .app(caller.account)
        .introduce(
            &a,
            &b,
            &input.message,
            state.mailer().as_deref(),
            &state.config.public_url,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct FavoursQuery {
    /// Only favours with one person (their id).
    person: Option<String>,
}

/// Favours given and received, newest first.
#[utoipa::path(get, path = "/api/v1/favours", tag = "cards", params(FavoursQuery),
    responses(
        (status = 200, body = Vec<FavourView>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn favours(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(q): ApiQuery<FavoursQuery>,
) -> Result<Json<Vec<FavourView>>, Problem> {
    let person = q.person.as_deref().map(person_id).transpose()?;
    Ok(Json(
        state.app(caller.account).favours(person.as_deref()).await?,
    ))
}

/// A favour given or received.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct FavourInput {
    /// The person's id.
    person: String,
    /// given or received.
    #[schema(max_length = 10)]
    direction: String,
    #[schema(max_length = 500)]
    what: String,
}

/// Records a favour.
#[utoipa::path(post, path = "/api/v1/favours", tag = "cards", request_body = FavourInput,
    responses(
        (status = 201, body = FavourView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn add_favour(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(input): ApiJson<FavourInput>,
) -> Result<Response, Problem> {
    let person = person_id(&input.person)?;
    let view = state
        .app(caller.account)
        .add_favour(&person, &input.direction, &input.what)
        .await?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

/// Removes a favour.
#[utoipa::path(delete, path = "/api/v1/favours/{id}", tag = "cards",
    params(("id" = String, Path, description = "The favour's id")),
    responses(
        (status = 204),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn remove_favour(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    check_text("id", &id)?;
    state.app(caller.account).remove_favour(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}
