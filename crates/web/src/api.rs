//! The JSON API under `/api/v1`, people: list and search, create, read,
//! change (job history included), delete. A person's JSON is the same as `kith people show
//! --json`. Changes need `If-Match` with the ETag read: no lost updates.

use crate::caller::ApiCaller;
use crate::problem::{Code, Problem, person_id};
use crate::state::AppState;
use axum::Json;
use axum::Router;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use kith_app::PersonView;
use kith_app::people::{PersonEdit, PositionEdit};
use kith_store::{PeopleFilter, PeopleSort};
use serde::{Deserialize, Serialize};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/people", get(list_people).post(create_person))
        .route(
            "/api/v1/people/{id}",
            get(get_person).patch(patch_person).delete(delete_person),
        )
        .merge(crate::api_more::routes())
        .merge(crate::api_interactions::routes())
        .merge(crate::api_network::routes())
        .merge(crate::api_cards::routes())
        .route("/api/v1/openapi.json", get(crate::openapi::document))
        .fallback(|| async { Problem::new(Code::NotFound, "no such API path") })
}

/// Longest accepted text in any field, and most values in a list.
const MAX_TEXT: usize = 4_000;
const MAX_VALUES: usize = 200;
/// Page size when none is asked for, and the largest allowed.
const DEFAULT_LIMIT: i64 = 50;
const MAX_LIMIT: i64 = 500;
/// Far beyond any address book, and far from overflowing arithmetic.
const MAX_OFFSET: i64 = 1_000_000_000;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
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
pub struct PeoplePage {
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
pub async fn list_people(
    State(state): State<AppState>,
    caller: ApiCaller,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<PeoplePage>, Problem> {
    let Query(q) = query.map_err(|e| Problem::new(Code::InvalidRequest, e.body_text()))?;
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

/// (limit, offset) of a page, checked against their ranges.
pub(crate) fn paging(limit: Option<i64>, offset: Option<i64>) -> Result<(i64, i64), Problem> {
    let (limit, offset) = (limit.unwrap_or(DEFAULT_LIMIT), offset.unwrap_or(0));
    if !(1..=MAX_LIMIT).contains(&limit) || !(0..=MAX_OFFSET).contains(&offset) {
        return Err(Problem::new(
            Code::InvalidValue,
            format!("limit must be 1 to {MAX_LIMIT} and offset 0 to {MAX_OFFSET}"),
        ));
    }
    Ok((limit, offset))
}

/// A person as sent to the API. On create, every field is optional but the
/// person must have a name, an email or a phone; on PATCH, a field present
/// replaces that field (lists whole), absent fields stay.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonInput {
    #[schema(max_length = 4000)]
    pub name: Option<String>,
    #[schema(max_length = 4000)]
    pub given: Option<String>,
    #[schema(max_length = 4000)]
    pub family: Option<String>,
    #[schema(max_items = 200)]
    pub emails: Option<Vec<String>>,
    #[schema(max_items = 200)]
    pub phones: Option<Vec<String>>,
    #[schema(max_items = 200)]
    pub urls: Option<Vec<String>>,
    #[schema(max_items = 200)]
    pub tags: Option<Vec<String>>,
    #[schema(max_items = 200)]
    pub notes: Option<Vec<String>>,
    #[schema(max_items = 200)]
    pub nicknames: Option<Vec<String>>,
    /// YYYY-MM-DD, or --MM-DD without a year.
    #[schema(max_length = 4000)]
    pub birthday: Option<String>,
    #[schema(max_length = 4000)]
    pub organization: Option<String>,
    #[schema(max_length = 4000)]
    pub title: Option<String>,
    /// The whole job history, replacing the person's (most recent first is
    /// customary; a position without `end` is current).
    #[schema(max_items = 200)]
    pub positions: Option<Vec<PositionInput>>,
}

/// One position of a job history.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PositionInput {
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub organization: String,
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub title: String,
    /// YYYY, YYYY-MM or YYYY-MM-DD.
    #[schema(max_length = 10)]
    pub start: Option<String>,
    /// YYYY, YYYY-MM or YYYY-MM-DD; absent for a current position.
    #[schema(max_length = 10)]
    pub end: Option<String>,
}

impl PersonInput {
    pub fn check(&self) -> Result<(), Problem> {
        let texts = [
            ("name", &self.name),
            ("given", &self.given),
            ("family", &self.family),
            ("birthday", &self.birthday),
            ("organization", &self.organization),
            ("title", &self.title),
        ];
        for (field, value) in texts {
            if let Some(v) = value {
                check_text(field, v)?;
            }
        }
        let lists = [
            ("emails", &self.emails),
            ("phones", &self.phones),
            ("urls", &self.urls),
            ("tags", &self.tags),
            ("notes", &self.notes),
            ("nicknames", &self.nicknames),
        ];
        if let Some(positions) = &self.positions {
            if positions.len() > MAX_VALUES {
                return Err(Problem::new(
                    Code::InvalidValue,
                    format!("positions: at most {MAX_VALUES} values"),
                ));
            }
            for p in positions {
                for (field, v) in [
                    ("positions.organization", Some(&p.organization)),
                    ("positions.title", Some(&p.title)),
                    ("positions.start", p.start.as_ref()),
                    ("positions.end", p.end.as_ref()),
                ] {
                    if let Some(v) = v {
                        check_text(field, v)?;
                    }
                }
            }
        }
        for (field, list) in lists {
            let Some(list) = list else { continue };
            if list.len() > MAX_VALUES {
                return Err(Problem::new(
                    Code::InvalidValue,
                    format!("{field}: at most {MAX_VALUES} values"),
                ));
            }
            for v in list {
                check_text(field, v)?;
            }
        }
        Ok(())
    }

    /// The edit that turns `current` (None: a new person) into this.
    pub fn edit(self, current: Option<&PersonView>) -> PersonEdit {
        fn replace(new: Option<Vec<String>>, old: &[String]) -> (Vec<String>, Vec<String>) {
            match new {
                None => (Vec::new(), Vec::new()),
                Some(new) => {
                    let add = new.iter().filter(|v| !old.contains(v)).cloned().collect();
                    let remove = old.iter().filter(|v| !new.contains(v)).cloned().collect();
                    (add, remove)
                }
            }
        }
        let empty = Vec::new();
        let (emails, phones, tags) = match current {
            Some(p) => (&p.emails, &p.phones, &p.tags),
            None => (&empty, &empty, &empty),
        };
        let (add_emails, remove_emails) = replace(self.emails, emails);
        let (add_phones, remove_phones) = replace(self.phones, phones);
        let (add_tags, remove_tags) = replace(self.tags, tags);
        let current_urls = current.map(|p| p.urls.clone()).unwrap_or_default();
        let current_nicknames = current.map(|p| p.nicknames.clone()).unwrap_or_default();
        let (add_urls, _) = replace(self.urls, &current_urls);
        let (nicknames, _) = replace(self.nicknames, &current_nicknames);
        PersonEdit {
            name: self.name,
            given: self.given,
            family: self.family,
            add_emails,
            remove_emails,
            add_phones,
            remove_phones,
            add_urls,
            add_tags,
            remove_tags,
            add_notes: self.notes.unwrap_or_default(),
            nicknames,
            birthday: self.birthday,
            organization: self.organization,
            title: self.title,
            positions: self.positions.map(|list| {
                list.into_iter()
                    .map(|p| PositionEdit {
                        organization: p.organization,
                        title: p.title,
                        start: p.start,
                        end: p.end,
                    })
                    .collect()
            }),
        }
    }
}

pub(crate) fn check_text(field: &str, value: &str) -> Result<(), Problem> {
    if value.len() > MAX_TEXT {
        return Err(Problem::new(
            Code::InvalidValue,
            format!("{field}: at most {MAX_TEXT} bytes"),
        ));
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(Problem::new(
            Code::InvalidValue,
            format!("{field}: control characters are not accepted"),
        ));
    }
    Ok(())
}

pub(crate) fn json_body<T>(body: Result<Json<T>, JsonRejection>) -> Result<T, Problem> {
    match body {
        Ok(Json(v)) => Ok(v),
        Err(JsonRejection::MissingJsonContentType(_)) => Err(Problem::new(
            Code::UnsupportedMediaType,
            "send the body as JSON with Content-Type: application/json",
        )),
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(Problem::new(
            Code::PayloadTooLarge,
            "the body is larger than this server accepts (kith serve --max-upload-mb)",
        )),
        Err(e) => Err(Problem::new(Code::InvalidRequest, e.body_text())),
    }
}

/// A person with their ETag (and a Location when just created).
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
pub fn etag(person: &PersonView) -> String {
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
pub async fn get_person(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let person = state
        .app(caller.account)
        .find_person(&person_id(&id)?)
        .await?;
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
pub async fn create_person(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: Result<Json<PersonInput>, JsonRejection>,
) -> Result<Response, Problem> {
    let input = json_body(body)?;
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
pub async fn patch_person(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Json<PersonInput>, JsonRejection>,
) -> Result<Response, Problem> {
    let id = person_id(&id)?;
    let app = state.app(caller.account);
    let current = app.find_person(&id).await?;
    let version = if_match(&headers)?;
    let input = json_body(body)?;
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
pub async fn delete_person(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<StatusCode, Problem> {
    let id = person_id(&id)?;
    let app = state.app(caller.account);
    app.find_person(&id).await?;
    let version = if_match(&headers)?;
    app.delete_person_if(&id, version).await?;
    Ok(StatusCode::NO_CONTENT)
}
