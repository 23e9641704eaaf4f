//! The JSON API under `/api/v1`, people: list and search, create, read,
//! change (job history included), delete. A person's JSON is the same as `kith people show
//! --json`. Changes need `If-Match` with the ETag read: no lost updates.

use crate::http::caller::ApiCaller;
use crate::http::input::ApiJson;
use crate::http::input::ApiQuery;
use crate::http::input::PersonInput;
use crate::http::input::PersonPath;
use crate::http::input::check_text;
use crate::http::input::paging;
use crate::http::problem::{Code, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kith_app::PersonView;
use kith_app::types::{PeopleFilter, PeopleSort};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_people, create_person))
        .routes(routes!(get_person, patch_person, delete_person))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct ListQuery {
    /// Words to find in names, emails, phones, organisations, titles, tags.
    search: Option<String>,
    tag: Option<String>,
    /// Organisation (current or past) by name or email domain.
    org: Option<String>,
    /// Page size, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
    #[param(minimum = 0, maximum = 1_000_000_000)]
    offset: Option<i64>,
    /// Order: by name (default), most recently added, or most recently changed.
    sort: Option<SortOrder>,
}

/// The order of a list of people.
#[derive(Clone, Copy, Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    Name,
    Added,
    Changed,
}

impl From<SortOrder> for PeopleSort {
    fn from(s: SortOrder) -> Self {
        match s {
            SortOrder::Name => PeopleSort::Name,
            SortOrder::Added => PeopleSort::Added,
            SortOrder::Changed => PeopleSort::Changed,
        }
    }
}

/// A page of people.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct PeoplePage {
    pub people: Vec<PersonView>,
    pub limit: i64,
    pub offset: i64,
    /// The offset of the next page, when there may be one.
    pub next_offset: Option<i64>,
}

/// People, best matches of `search` first (name order), a page at a time.
#[utoipa::path(get, path = "/api/v1/people", params(ListQuery), tag = "people",
    responses(
        (status = 200, body = PeoplePage),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 500, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn list_people(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<PeoplePage>, Problem> {
    let (limit, offset) = paging(q.limit, q.offset)?;
    for text in [&q.search, &q.tag, &q.org].into_iter().flatten() {
        check_text("query", text)?;
    }
    let filter = PeopleFilter {
        search: q.search,
        tag: q.tag,
        organization: q.org,
        // One more than asked, to know whether a next page exists.
        limit: Some(limit + 1),
        offset: Some(offset),
        sort: q.sort.map(PeopleSort::from).unwrap_or_default(),
    };
    let mut people = state.app(caller.account).list_people(&filter).await?;
    let more = people.len() as i64 > limit;
    people.truncate(limit as usize);
    Ok(Json(PeoplePage {
        people,
        limit,
        offset,
        next_offset: more.then_some(offset + limit),
    }))
}

fn person_response(status: StatusCode, person: PersonView, location: bool) -> Response {
    let etag = etag(&person);
    let id = person.id;
    let mut response = (status, Json(person)).into_response();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        response.headers_mut().insert(header::ETAG, v);
    }
    if location && let Ok(v) = HeaderValue::from_str(&format!("/api/v1/people/{id}")) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    response
}

/// A strong ETag: the person's version, which every change increments.
pub(super) fn etag(person: &PersonView) -> String {
    format!("\"{}\"", person.version)
}

/// The version an `If-Match` header names (required for changes).
fn if_match(headers: &HeaderMap) -> Result<Option<i64>, Problem> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Err(Problem::new(
            Code::PreconditionRequired,
            "send If-Match with the ETag you read (or If-Match: * to change regardless)",
        ));
    };
    let text = value.to_str().unwrap_or_default().trim();
    if text == "*" {
        return Ok(None);
    }
    let version = text
        .trim_start_matches("W/")
        .trim_matches('"')
        .parse::<i64>()
        .map_err(|_| {
            Problem::new(
                Code::PreconditionFailed,
                format!("If-Match {text:?} matches no version of this person"),
            )
        })?;
    Ok(Some(version))
}

/// One person, with an ETag (`If-None-Match` gives 304).
#[utoipa::path(get, path = "/api/v1/people/{id}", tag = "people",
    params(("id" = String, Path, description = "The person's id")),
    responses(
        (status = 200, body = PersonView, headers(("ETag" = String))),
        (status = 304),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn get_person(
    State(state): State<AppState>,
    caller: ApiCaller,
    PersonPath(id): PersonPath,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let person = state.app(caller.account).find_person(&id.clone()).await?;
    let tag = etag(&person);
    let not_modified = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag || t.trim() == "*"));
    if not_modified {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        if let Ok(v) = HeaderValue::from_str(&tag) {
            response.headers_mut().insert(header::ETAG, v);
        }
        return Ok(response);
    }
    Ok(person_response(StatusCode::OK, person, false))
}

/// Adds a person (with a name, an email or a phone).
#[utoipa::path(post, path = "/api/v1/people", tag = "people", request_body = PersonInput,
    responses(
        (status = 201, body = PersonView, headers(("ETag" = String), ("Location" = String))),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn create_person(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(input): ApiJson<PersonInput>,
) -> Result<Response, Problem> {
    input.check()?;
    let person = state
        .app(caller.account)
        .add_person(&input.edit(None))
        .await?;
    Ok(person_response(StatusCode::CREATED, person, true))
}

/// Changes a person: fields present replace (lists whole), absent stay.
/// Needs `If-Match` with the ETag read.
#[utoipa::path(patch, path = "/api/v1/people/{id}", tag = "people", request_body = PersonInput,
    params(("id" = String, Path, description = "The person's id"),
           ("If-Match" = String, Header, description = "The ETag read, or *")),
    responses(
        (status = 200, body = PersonView, headers(("ETag" = String))),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 428, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn patch_person(
    State(state): State<AppState>,
    caller: ApiCaller,
    PersonPath(id): PersonPath,
    headers: HeaderMap,
    ApiJson(input): ApiJson<PersonInput>,
) -> Result<Response, Problem> {
    let app = state.app(caller.account);
    let current = app.find_person(&id).await?;
    let version = if_match(&headers)?;
    input.check()?;
    // The edit is computed from what was read; edit_person_if refuses it if
    // the person changed meanwhile (or since the client read them).
    let version = version.or(Some(current.version));
    let person = app
        .edit_person_if(&id, &input.edit(Some(&current)), version)
        .await?;
    Ok(person_response(StatusCode::OK, person, false))
}

/// Deletes a person (restorable for 30 days). Needs `If-Match`.
#[utoipa::path(delete, path = "/api/v1/people/{id}", tag = "people",
    params(("id" = String, Path, description = "The person's id"),
           ("If-Match" = String, Header, description = "The ETag read, or *")),
    responses(
        (status = 204),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 412, body = Problem, content_type = "application/problem+json"),
        (status = 428, body = Problem, content_type = "application/problem+json"),
    ))]
pub(super) async fn delete_person(
    State(state): State<AppState>,
    caller: ApiCaller,
    PersonPath(id): PersonPath,
    headers: HeaderMap,
) -> Result<StatusCode, Problem> {
    let app = state.app(caller.account);
    app.find_person(&id).await?;
    let version = if_match(&headers)?;
    app.delete_person_if(&id, version).await?;
    Ok(StatusCode::NO_CONTENT)
}
