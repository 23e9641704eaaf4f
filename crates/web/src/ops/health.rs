//! Liveness (the process answers) and readiness (its database answers
//! within the acquire timeout and holds the schema this kith knows), for
//! load balancers, orchestrators and monitoring.

use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// 200 while the process serves requests at all.
pub(super) async fn live() -> Response {
    (
        [(header::CACHE_CONTROL, "no-store")],
        Json(json!({"status": "alive"})),
    )
        .into_response()
}

/// 200 when requests can be served; 503 with the reason while the database
/// cannot be reached or its schema is behind or ahead of this kith.
pub(super) async fn ready(State(state): State<AppState>) -> Response {
    let engine = state.store.engine();
    let (status, body) = match state.store.schema_status().await {
        Ok(s) if s.applied == s.known => (
            StatusCode::OK,
            json!({"status": "ready", "database": engine, "schema": s.applied}),
        ),
        Ok(s) => (
            StatusCode::SERVICE_UNAVAILABLE,
            json!({
                "status": "unavailable",
                "database": engine,
                "reason": format!(
                    "the database's schema is version {}, this kith's is {}",
                    s.applied, s.known
                ),
            }),
        ),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            json!({"status": "unavailable", "database": engine, "reason": e.to_string()}),
        ),
    };
    let mut response = (status, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response();
    if status != StatusCode::OK {
        response.headers_mut().insert(
            header::RETRY_AFTER,
            header::HeaderValue::from(crate::http::problem::RETRY_AFTER_OUTAGE),
        );
    }
    response
}
