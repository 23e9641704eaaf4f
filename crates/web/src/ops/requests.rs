//! The request log and the request metrics: one line per request at info
//! level (method, route template, status, duration, request id), the id
//! sent back in `X-Request-Id` and carried by every line logged while the
//! request runs. Paths are logged as their route template, never with
//! their values or query: secret links and searches stay out of the log.

use crate::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use std::time::Instant;
use tracing::Instrument;

/// The header the request id travels in, both ways.
pub(crate) static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The methods kith answers, as they are logged and counted.
const METHODS: [&str; 11] = [
    "GET",
    "HEAD",
    "POST",
    "PUT",
    "PATCH",
    "DELETE",
    "OPTIONS",
    "PROPFIND",
    "PROPPATCH",
    "REPORT",
    "MKCOL",
];

/// Marks an answer to a CardDAV sync-collection report, for the metrics.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CardDavSync;

/// The id a proxy in front gave the request (kept when it is short and
/// plain), else a new one.
fn request_id(request: &Request) -> String {
    request
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        })
        .map_or_else(|| uuid::Uuid::now_v7().simple().to_string(), str::to_string)
}

pub(crate) async fn log_requests(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let id = request_id(&request);
    // A label of a method kith answers, never whatever a client sent:
    // made-up methods must not grow the metrics without end.
    let method = METHODS
        .into_iter()
        .find(|m| *m == request.method().as_str())
        .unwrap_or("other");
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |p| p.as_str())
        .to_string();
    let span = tracing::info_span!("request", id = %id);
    let mut response = next.run(request).instrument(span.clone()).await;
    let took = started.elapsed();
    let status = response.status();
    span.in_scope(|| {
        tracing::info!(
            method = %method,
            route = %route,
            status = status.as_u16(),
            ms = (took.as_secs_f64() * 1000.0 * 10.0).round() / 10.0,
            "request"
        );
    });
    state
        .metrics
        .request(method, &route, status, took.as_secs_f64());
    if response.extensions().get::<CardDavSync>().is_some() {
        state.metrics.carddav_sync();
    }
    if let Ok(v) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID.clone(), v);
    }
    response
}
