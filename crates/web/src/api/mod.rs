//! The JSON API under `/api/v1`, one module per resource. Handlers take
//! their input through `crate::http` and answer JSON or problem documents;
//! none imports a page module (the tidy test checks).

mod cards;
mod duplicates;
mod export;
mod imports;
mod interactions;
mod network;
mod openapi;
mod organizations;
mod people;
mod trash;

use crate::http::problem::{Code, Problem};
use crate::state::AppState;
use axum::Router;
use axum::routing::get;

/// Every `/api/v1` route, the OpenAPI document's among them.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .merge(people::routes())
        .merge(organizations::routes())
        .merge(duplicates::routes())
        .merge(trash::routes())
        .merge(imports::routes())
        .merge(export::routes())
        .merge(interactions::routes())
        .merge(network::routes())
        .merge(cards::routes())
        .route("/api/v1/openapi.json", get(openapi::document))
        .fallback(|| async { Problem::new(Code::NotFound, "no such API path") })
}
