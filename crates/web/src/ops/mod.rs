//! What an operator sees of a running server: the request log (one line per
//! request, with an id sent back in `X-Request-Id`), Prometheus metrics at
//! `/metrics` (behind a token, or on a listener of their own), liveness at
//! `/healthz` and readiness at `/readyz` (docs/operations.md). Uses
//! `state`, nothing of the handlers.

mod health;
mod requests;
mod scrape;

pub(crate) use requests::{CardDavSync, log_requests};

use crate::state::AppState;
use axum::Router;
use axum::routing::get;

/// Liveness, readiness and the metrics (which answer only with the token).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(health::live))
        .route("/readyz", get(health::ready))
        .route("/metrics", get(scrape::scrape_with_token))
}

/// The routes of the operator's own listener (`--metrics-listen`): the
/// same, with metrics open to whoever reaches that address.
pub(crate) fn operator_router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(health::live))
        .route("/readyz", get(health::ready))
        .route("/metrics", get(scrape::scrape))
        .with_state(state)
}
