//! kith-web: the HTTP front door (axum). HTML pages for people, the JSON
//! API under `/api/v1`, and signing in. Handlers turn requests into calls
//! of `kith-app` acting as the account an extractor proved; no handler
//! talks to another account's data, nor to the store's tables directly.

pub mod api;
pub mod api_cards;
pub mod api_interactions;
pub mod api_more;
pub mod api_network;
pub mod caller;
pub mod card_pages;
pub mod dav;
pub mod dav_pages;
pub mod home_pages;
pub mod import_pages;
pub mod maintenance;
pub mod network_map;
pub mod network_pages;
pub mod openapi;
pub mod org_pages;
pub mod pages;
pub mod people_forms;
pub mod problem;
pub mod review_pages;
pub mod settings_pages;
pub mod state;

pub use state::{AppState, ServerConfig};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use std::net::SocketAddr;
use tokio::net::TcpListener;

/// Every route, with the body limit.
pub fn router(state: AppState) -> Router {
    let limit = state.config.max_body;
    Router::new()
        .merge(pages::routes())
        .merge(people_forms::routes())
        .merge(review_pages::routes())
        .merge(import_pages::routes())
        .merge(settings_pages::routes())
        .merge(org_pages::routes())
        .merge(home_pages::routes())
        .merge(network_pages::routes())
        .merge(card_pages::routes())
        .merge(api::routes())
        .merge(dav::routes())
        .merge(dav_pages::routes())
        .layer(DefaultBodyLimit::max(limit))
        .layer(axum::middleware::from_fn(problem::html_for_browsers))
        // A bug must not cost the client its answer: a panic becomes a 500
        // problem document (and a line in the log).
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            problem::on_panic,
        ))
        .with_state(state)
}

/// Serves on `listener` until the process is asked to stop (Ctrl-C, SIGTERM).
pub async fn serve(listener: TcpListener, state: AppState) -> std::io::Result<()> {
    let housekeeping = tokio::spawn(maintenance::run(state.clone()));
    let served = serve_only(listener, state).await;
    housekeeping.abort();
    served
}

/// Serves without housekeeping (tests that start many servers on one store).
pub async fn serve_only(listener: TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
