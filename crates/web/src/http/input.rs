//! Reading what callers send, before any handler looks at it: texts
//! bounded and free of control characters, JSON bodies and queries whose
//! rejections become problem documents, paging ranges, a person as sent.
//! A leaf: it imports no handler module.

use crate::http::problem::{Code, Problem};
use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use kith_app::PersonView;
use kith_app::network::paths::PathTarget;
use kith_app::people::{PersonEdit, PositionEdit};
use kith_core::InteractionKind;
use kith_core::strength::Circle;
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// Longest accepted text in any field, and most values in a list.
const MAX_TEXT: usize = 4_000;
const MAX_VALUES: usize = 200;
/// Page size when none is asked for, and the largest allowed.
const DEFAULT_LIMIT: i64 = 50;
const MAX_LIMIT: i64 = 500;
/// Far beyond any address book, and far from overflowing arithmetic.
const MAX_OFFSET: i64 = 1_000_000_000;

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
pub(crate) struct PersonInput {
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
pub(crate) struct PositionInput {
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
    pub(crate) fn check(&self) -> Result<(), Problem> {
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
    pub(crate) fn edit(self, current: Option<&PersonView>) -> PersonEdit {
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

/// A query string's values, or a problem saying what is wrong with it.
pub(crate) fn query<T>(q: Result<Query<T>, QueryRejection>) -> Result<T, Problem> {
    q.map(|Query(v)| v)
        .map_err(|e| Problem::new(Code::InvalidRequest, e.body_text()))
}

/// An interaction kind, or a problem naming the kinds there are.
pub(crate) fn parse_kind(kind: &str) -> Result<InteractionKind, Problem> {
    InteractionKind::parse(kind).ok_or_else(|| {
        Problem::new(
            Code::InvalidValue,
            format!("kind {kind:?}: use one of {}", InteractionKind::names()),
        )
    })
}

/// A circle name, or a problem naming the circles there are.
pub(crate) fn parse_circle(circle: &str) -> Result<Circle, Problem> {
    Circle::parse(circle).ok_or_else(|| {
        Problem::new(
            Code::InvalidValue,
            format!("circle {circle:?}: use inner, close, network or distant"),
        )
    })
}

pub(crate) fn path_target(to: Option<String>, org: Option<String>) -> Result<PathTarget, Problem> {
    let target = match (to, org) {
        (Some(to), None) if !to.trim().is_empty() => PathTarget::Person(to),
        (None, Some(org)) if !org.trim().is_empty() => PathTarget::Org(org),
        _ => {
            return Err(Problem::new(
                Code::InvalidValue,
                "give either to (a person) or org (an organisation)",
            ));
        }
    };
    match &target {
        PathTarget::Person(q) | PathTarget::Org(q) => check_text("target", q)?,
    }
    Ok(target)
}

/// A JSON body; rejected (before the handler runs) with a problem document
/// saying what is wrong with it.
pub(crate) struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Problem> {
        json_body(Json::<T>::from_request(req, state).await).map(ApiJson)
    }
}

/// A query string's values; rejected with a problem document.
pub(crate) struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        query(Query::<T>::from_request_parts(parts, state).await).map(ApiQuery)
    }
}

/// A person's id from the path (`/…/people/{id}`), normalised; anything
/// that is not an id answers 404 like an id that does not exist.
pub(crate) struct PersonPath(pub String);

impl<S: Send + Sync> FromRequestParts<S> for PersonPath {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        let Path(id) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|e| Problem::new(Code::NotFound, e.body_text()))?;
        crate::http::problem::person_id(&id).map(PersonPath)
    }
}
