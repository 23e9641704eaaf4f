//! Errors as the JSON API answers them: RFC 9457 problem documents
//! (`application/problem+json`), each with a stable machine-readable `code`.
//! Every kind of error the API can give is in [`Code`]: one table.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kith_app::AppError;
use kith_app::types::StoreError;
use serde::Serialize;

/// The kinds of error, with their status and a stable code for scripts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Code {
    /// No valid session cookie or bearer token.
    Unauthenticated,
    /// A form or state-changing request without the session's CSRF token,
    /// or from another site.
    CsrfFailed,
    /// No such resource in this account (also: it belongs to another one).
    NotFound,
    /// The request is malformed: bad JSON, wrong types, unknown fields.
    InvalidRequest,
    /// Well-formed but not acceptable (a too-short password, an empty person).
    InvalidValue,
    /// An `If-Match` that no longer holds: the resource changed.
    PreconditionFailed,
    /// A change without `If-Match`.
    PreconditionRequired,
    /// A name or id that is taken.
    Conflict,
    /// The body is larger than the configured limit.
    PayloadTooLarge,
    /// The body's content type is not JSON.
    UnsupportedMediaType,
    /// Too many attempts (sign-in throttling).
    TooManyRequests,
    /// The method is not allowed on this path.
    #[allow(
        dead_code,
        reason = "in the documented table (docs/web.md); axum answers 405 itself today"
    )]
    MethodNotAllowed,
    /// The mail server could not be reached or refused the message.
    MailFailed,
    /// A source's server failed or refused kith (502).
    SourceFailed,
    /// Another server (federation) failed or refused kith (502).
    RemoteFailed,
    /// The database cannot be reached now; `Retry-After` says when to try
    /// again.
    Unavailable,
    /// Something failed inside kith; the log says what.
    Internal,
}

/// What `Retry-After` says while the database cannot be reached, in seconds.
pub(crate) const RETRY_AFTER_OUTAGE: u64 = 5;

impl Code {
    pub(crate) fn status(self) -> StatusCode {
        match self {
            Code::Unauthenticated => StatusCode::UNAUTHORIZED,
            Code::CsrfFailed => StatusCode::FORBIDDEN,
            Code::NotFound => StatusCode::NOT_FOUND,
            Code::InvalidRequest => StatusCode::BAD_REQUEST,
            Code::InvalidValue => StatusCode::UNPROCESSABLE_ENTITY,
            Code::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Code::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            Code::Conflict => StatusCode::CONFLICT,
            Code::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Code::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Code::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Code::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Code::MailFailed | Code::SourceFailed | Code::RemoteFailed => StatusCode::BAD_GATEWAY,
            Code::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Code::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Code::Unauthenticated => "unauthenticated",
            Code::CsrfFailed => "csrf_failed",
            Code::NotFound => "not_found",
            Code::InvalidRequest => "invalid_request",
            Code::InvalidValue => "invalid_value",
            Code::PreconditionFailed => "precondition_failed",
            Code::PreconditionRequired => "precondition_required",
            Code::Conflict => "conflict",
            Code::PayloadTooLarge => "payload_too_large",
            Code::UnsupportedMediaType => "unsupported_media_type",
            Code::TooManyRequests => "too_many_requests",
            Code::MethodNotAllowed => "method_not_allowed",
            Code::MailFailed => "mail_failed",
            Code::SourceFailed => "source_failed",
            Code::RemoteFailed => "remote_failed",
            Code::Unavailable => "unavailable",
            Code::Internal => "internal",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Code::Unauthenticated => "Sign in first",
            Code::CsrfFailed => "Request not accepted from this page",
            Code::NotFound => "Not found",
            Code::InvalidRequest => "Malformed request",
            Code::InvalidValue => "Value not accepted",
            Code::PreconditionFailed => "Changed since you read it",
            Code::PreconditionRequired => "If-Match required",
            Code::Conflict => "Already exists",
            Code::PayloadTooLarge => "Too large",
            Code::UnsupportedMediaType => "Unsupported media type",
            Code::TooManyRequests => "Too many attempts",
            Code::MethodNotAllowed => "Method not allowed",
            Code::MailFailed => "Mail not sent",
            Code::SourceFailed => "The source's server failed",
            Code::RemoteFailed => "The other server failed",
            Code::Unavailable => "kith is unavailable for a moment",
            Code::Internal => "Internal error",
        }
    }
}

/// A person id from a path or form; anything else is a person that is not
/// there (the same answer as another account's id).
pub(crate) fn person_id(id: &str) -> Result<String, Problem> {
    id.trim()
        .parse::<kith_core::PersonId>()
        .map(|p| p.to_string())
        .map_err(|_| Problem::new(Code::NotFound, format!("no person with id {id}")))
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: &'static str,
    pub status: u16,
    pub detail: String,
    /// Stable and machine-readable: see the table in docs/web.md.
    pub code: &'static str,
    #[serde(skip)]
    pub retry_after: Option<u64>,
}

impl Problem {
    pub(crate) fn new(code: Code, detail: impl Into<String>) -> Problem {
        Problem {
            kind: format!("/api/v1/problems#{}", code.as_str()),
            title: code.title(),
            status: code.status().as_u16(),
            detail: detail.into(),
            code: code.as_str(),
            retry_after: None,
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let retry_after = self.retry_after;
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut response = (status, body).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(secs) = retry_after
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}

impl From<AppError> for Problem {
    fn from(e: AppError) -> Problem {
        let code = match &e {
            AppError::NotFound(_) | AppError::Store(StoreError::NotFound(_)) => Code::NotFound,
            AppError::Invalid(_) | AppError::File { .. } | AppError::Format(_) => {
                Code::InvalidValue
            }
            AppError::Stale(_) => Code::PreconditionFailed,
            AppError::Mail(_) => Code::MailFailed,
            AppError::Source(_) => Code::SourceFailed,
            AppError::Remote(_) => Code::RemoteFailed,
            AppError::TooMany(_) => Code::TooManyRequests,
            AppError::Store(StoreError::Conflict(_)) => Code::Conflict,
            AppError::Store(StoreError::Unavailable(_)) => Code::Unavailable,
            AppError::Store(_) => Code::Internal,
        };
        if code == Code::Unavailable {
            tracing::warn!(error = %e, "database unavailable: answered 503");
            let mut problem = Problem::new(
                code,
                "kith cannot reach its database just now; nothing was changed. Try again in a few seconds.",
            );
            problem.retry_after = Some(RETRY_AFTER_OUTAGE);
            return problem;
        }
        if code == Code::Internal {
            tracing::error!(error = %e, "internal error");
            return Problem::new(
                code,
                "kith could not complete this request; its log says why",
            );
        }
        Problem::new(code, e.to_string())
    }
}

/// A browser that asked for a page gets an error page, not JSON: problem
/// documents from page routes are rendered as HTML when `Accept` wants it.
/// The API (`/api/…`) always answers with problem documents.
pub(crate) async fn html_for_browsers(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let wants_html = !request.uri().path().starts_with("/api/")
        && request
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"));
    let response = next.run(request).await;
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes() == b"application/problem+json");
    if !wants_html || !is_problem {
        return response;
    }
    let status = response.status();
    let retry_after = response.headers().get(header::RETRY_AFTER).cloned();
    let body = axum::body::to_bytes(response.into_body(), 64 * 1024)
        .await
        .unwrap_or_default();
    let problem: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let text = |key: &str| kith_app::notify::html_escape(problem[key].as_str().unwrap_or_default());
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title} · kith</title><link rel=\"stylesheet\" href=\"/static/kith.css\"></head><body><header class=\"top\"><a class=\"brand\" href=\"/people\">kith</a></header><main><h1>{title}</h1><p class=\"error\" role=\"alert\">{detail}</p><p><a href=\"/people\">Back to your people</a></p></main></body></html>",
        title = text("title"),
        detail = text("detail"),
    );
    let mut page = (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response();
    if let Some(v) = retry_after {
        page.headers_mut().insert(header::RETRY_AFTER, v);
    }
    page
}

/// The answer when a handler panicked.
pub(crate) fn on_panic(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked (a bug; the backtrace is above)");
    Problem::new(
        Code::Internal,
        "kith could not complete this request; its log says why",
    )
    .into_response()
}
