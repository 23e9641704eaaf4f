//! `/metrics`: the server's parts read into a snapshot, and the
//! exposition answered behind the metrics token (main listener) or
//! openly (the operator's own listener).

use crate::metrics::Snapshot;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The exposition with the server's parts read now.
async fn render(state: &AppState) -> String {
    let pool = state.store.pool_use();
    let waits = state.store.pool_waits();
    let (mails_sent, mails_failed) = state.mailer().as_ref().map_or((0, 0), |m| m.counts());
    state.metrics.render(Snapshot {
        pool_open: pool.open,
        pool_idle: pool.idle,
        pool_max: pool.max,
        waits: waits.count,
        wait_seconds: waits.seconds,
        slow_waits: waits.slow,
        jobs: state.jobs.counts().await.unwrap_or_default(),
        mails_sent,
        mails_failed,
        network: state.network.load_times(),
    })
}

fn exposition(body: String) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        body,
    )
        .into_response()
}

/// `/metrics` on the operator's listener.
pub(super) async fn scrape(State(state): State<AppState>) -> Response {
    exposition(render(&state).await)
}

/// `/metrics` on the main listener: only with `Authorization: Bearer` and
/// the configured metrics token; without a token configured it is not
/// there at all.
pub(super) async fn scrape_with_token(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Response {
    let Some(token) = state.config.metrics_token.as_deref() else {
        return (StatusCode::NOT_FOUND, "Not found\n").into_response();
    };
    let sent = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !crate::http::caller::constant_time_eq(sent.trim(), token) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer realm=\"kith metrics\"")],
            "Send Authorization: Bearer and the metrics token (metrics_token in kith.toml).\n",
        )
            .into_response();
    }
    exposition(render(&state).await)
}
