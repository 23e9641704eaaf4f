//! The front door other servers use (federation, docs/federation.md):
//! WebFinger, members' actor documents and their collections, and their
//! inboxes. An inbox proves the sender's signature from the headers
//! before it reads the body (at most 256 KiB), and takes at most a
//! bucket of deliveries per sending server. Everything answers 404 when
//! the server does not federate.

use crate::state::AppState;
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kith_app::federation::inbox::{Applied, Inbound, MAX_ACTIVITY, Refused};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/.well-known/webfinger", get(webfinger))
        .route("/fed/{name}", get(actor))
        .route("/fed/{name}/inbox", post(inbox))
        .route("/fed/{name}/query", post(query))
        .route("/fed/{name}/outbox", get(outbox))
        .route("/fed/{name}/followers", get(followers))
        .route("/fed/{name}/following", get(following))
}

fn refused(e: Refused) -> Response {
    let status = match &e {
        Refused::NotFound(_) => StatusCode::NOT_FOUND,
        Refused::Unauthorized(_) => StatusCode::UNAUTHORIZED,
        Refused::Forbidden(_) => StatusCode::FORBIDDEN,
        Refused::Invalid(_) => StatusCode::BAD_REQUEST,
        Refused::Failed(a) if a.is_unavailable() => StatusCode::SERVICE_UNAVAILABLE,
        Refused::Failed(a) => {
            tracing::warn!(error = %a, "federation request failed");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    };
    if status.is_client_error() {
        tracing::info!(status = status.as_u16(), reason = %e, "federation request refused");
    }
    (
        status,
        json_body(&json!({"error": e.to_string()}), "application/json"),
    )
        .into_response()
}

fn json_body(v: &Value, content_type: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type)], v.to_string()).into_response()
}

fn activity_json(v: &Value) -> Response {
    json_body(v, "application/activity+json")
}

#[derive(serde::Deserialize)]
struct Resource {
    resource: Option<String>,
}

async fn webfinger(State(state): State<AppState>, Query(q): Query<Resource>) -> Response {
    let Some(resource) = q.resource else {
        return refused(Refused::Invalid("ask for ?resource=acct:name@host".into()));
    };
    match state.federation.webfinger(&resource).await {
        Ok(v) => json_body(&v, "application/jrd+json"),
        Err(e) => refused(e),
    }
}

async fn actor(State(state): State<AppState>, Path(name): Path<String>) -> Response {
    match state.federation.actor(&name).await {
        Ok(v) => activity_json(&v),
        Err(e) => refused(e),
    }
}

/// A member's outbox: kith publishes nothing to it (updates go to each
/// connection alone), so it is empty.
async fn outbox(State(state): State<AppState>, Path(name): Path<String>) -> Response {
    collection(&state, &name, "outbox", |_| 0).await
}

async fn followers(State(state): State<AppState>, Path(name): Path<String>) -> Response {
    collection(&state, &name, "followers", |(f, _)| f).await
}

async fn following(State(state): State<AppState>, Path(name): Path<String>) -> Response {
    collection(&state, &name, "following", |(_, f)| f).await
}

/// A collection shown by its size only (who is in it stays private).
async fn collection(
    state: &AppState,
    name: &str,
    which: &str,
    count: impl Fn((usize, usize)) -> usize,
) -> Response {
    match state.federation.counts(name).await {
        Ok(c) => match state.federation.actor(name).await {
            Ok(actor) => activity_json(&json!({
                "@context": "https://www.w3.org/ns/activitystreams",
                "id": format!("{}/{which}", actor["id"].as_str().unwrap_or_default()),
                "type": "OrderedCollection",
                "totalItems": count(c),
                "orderedItems": [],
            })),
            Err(e) => refused(e),
        },
        Err(e) => refused(e),
    }
}

/// Deliveries one server may make at once, and how many a second after.
const BURST: f64 = 3000.0;
const PER_SECOND: f64 = 50.0;

/// Takes one delivery from `host`'s bucket; false when it is empty.
fn take_token(host: &str) -> bool {
    static BUCKETS: OnceLock<Mutex<HashMap<String, (f64, Instant)>>> = OnceLock::new();
    let Ok(mut buckets) = BUCKETS.get_or_init(Default::default).lock() else {
        return true;
    };
    if buckets.len() > 10_000 {
        buckets.clear();
    }
    let now = Instant::now();
    let (tokens, at) = buckets.entry(host.to_string()).or_insert((BURST, now));
    *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * PER_SECOND).min(BURST);
    *at = now;
    if *tokens < 1.0 {
        return false;
    }
    *tokens -= 1.0;
    true
}

/// The host a Signature header's keyId names (before anything is checked:
/// the bucket is taken first, so that a flood costs no key fetch).
fn key_host(headers: &HeaderMap) -> String {
    headers
        .get("signature")
        .and_then(|v| v.to_str().ok())
        .and_then(|s| s.split("keyId=\"").nth(1))
        .and_then(|s| s.split('"').next())
        .and_then(|k| url::Url::parse(k).ok())
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        .unwrap_or_default()
}

/// A connection's server asking what its member can reach through one of
/// ours (warm paths across servers).
async fn query(
    State(state): State<AppState>,
    Path(name): Path<String>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    if !take_token(&key_host(&parts.headers)) {
        return too_many();
    }
    let lookup = |n: &str| header_of(&parts.headers, n);
    let inbound = inbound(&parts, &lookup);
    let read = async move |cap: usize| {
        axum::body::to_bytes(Body::new(body), cap)
            .await
            .ok()
            .map(|b| b.to_vec())
    };
    match state.federation.answer_query(&name, &inbound, read).await {
        Ok(v) => json_body(&v, "application/json"),
        Err(e) => refused(e),
    }
}

fn header_of(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// What a signature is checked against: the request's head only.
fn inbound<'a>(
    parts: &'a axum::http::request::Parts,
    header: &'a (dyn Fn(&str) -> Option<String> + Sync),
) -> Inbound<'a> {
    Inbound {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: parts.uri.query(),
        header,
    }
}

fn too_many() -> Response {
    (
        StatusCode::TOO_MANY_REQUESTS,
        [(header::RETRY_AFTER, "10")],
        "too many requests from your server; try again shortly\n",
    )
        .into_response()
}

async fn inbox(
    State(state): State<AppState>,
    Path(name): Path<String>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    if !take_token(&key_host(&parts.headers)) {
        return too_many();
    }
    let lookup = |n: &str| header_of(&parts.headers, n);
    let inbound = inbound(&parts, &lookup);
    let verified = match state.federation.authenticate(&name, &inbound).await {
        Ok(v) => v,
        Err(e) => return refused(e),
    };
    let body = match axum::body::to_bytes(Body::new(body), MAX_ACTIVITY).await {
        Ok(b) => b,
        Err(_) => {
            return (
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("an activity is at most {MAX_ACTIVITY} bytes\n"),
            )
                .into_response();
        }
    };
    match state
        .federation
        .receive(&verified, &body, lookup("digest").as_deref())
        .await
    {
        Ok(Applied::Done) => StatusCode::ACCEPTED.into_response(),
        Ok(Applied::Again) => (StatusCode::ACCEPTED, "already received\n").into_response(),
        Err(e) => refused(e),
    }
}
