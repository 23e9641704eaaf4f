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
pub(crate) mod sources;
mod trash;

use crate::http::problem::{Code, Problem};
use crate::state::AppState;
use axum::Json;
use axum::Router;
use axum::routing::get;
use std::sync::Arc;
use utoipa::OpenApi;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};

/// Every `/api/v1` route, each registered once with its OpenAPI operation
/// (`routes!` reads the handler's `#[utoipa::path]`), and the document
/// they make at `/api/v1/openapi.json` (public: it describes, it does not
/// reveal).
pub(crate) fn routes() -> Router<AppState> {
    let (router, document) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .merge(people::routes())
        .merge(organizations::routes())
        .merge(duplicates::routes())
        .merge(trash::routes())
        .merge(imports::routes())
        .merge(export::routes())
        .merge(interactions::routes())
        .merge(network::routes())
        .merge(cards::routes())
        .merge(sources::routes())
        .split_for_parts();
    let document = Arc::new(document);
    router
        .route(
            "/api/v1/openapi.json",
            get(move || {
                let document = document.clone();
                async move { Json(document.as_ref().clone()) }
            }),
        )
        .fallback(|| async { Problem::new(Code::NotFound, "no such API path") })
}

/// A route whose body limit the handler keeps itself (an upload counted
/// as it is written).
fn without_body_limit(route: UtoipaMethodRouter<AppState>) -> UtoipaMethodRouter<AppState> {
    let (schemas, paths, method) = route;
    (
        schemas,
        paths,
        method.layer(axum::extract::DefaultBodyLimit::disable()),
    )
}
