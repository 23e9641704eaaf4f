//! kith-web: the HTTP front door (axum). HTML pages for people, the JSON
//! API under `/api/v1`, and signing in. Handlers turn requests into calls
//! of `kith-app` acting as the account an extractor proved; no handler
//! talks to another account's data, nor to the store's tables directly.

mod api;
mod dav;
mod export;
mod federation;
mod http;
mod jobs;
pub mod maintenance;
mod metrics;
mod ops;
mod pages;
mod state;

pub use metrics::Metrics;
pub use state::{AppState, ServerConfig};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use std::net::SocketAddr;
use tokio::net::TcpListener;

/// Largest body of an ordinary request (a form, a JSON document). Uploads
/// (imports: `--max-upload-mb`, counted as they are written to disk) and
/// CardDAV (read after authentication, per method) set their own; the
/// sign-in forms a smaller one. A server configured for smaller uploads
/// takes that as the limit of everything.
pub const MAX_BODY: usize = 2 * 1024 * 1024;

/// Every route, with the body limits and the security headers.
pub fn router(state: AppState) -> Router {
    let ordinary = MAX_BODY.min(state.config.max_body);
    Router::new()
        .merge(pages::routes())
        .merge(api::routes())
        .merge(dav::routes())
        .merge(ops::routes())
        .merge(federation::routes())
        .layer(DefaultBodyLimit::max(ordinary))
        .layer(axum::middleware::from_fn(http::problem::html_for_browsers))
        .layer(axum::middleware::from_fn(security_headers))
        // A bug must not cost the client its answer: a panic becomes a 500
        // problem document (and a line in the log).
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            http::problem::on_panic,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            ops::log_requests,
        ))
        .with_state(state)
}

/// What every answer tells the browser: never frame these pages
/// (clickjacking), do not guess content types, do not hand secret links'
/// paths to other sites, and run only kith's own scripts and styles.
async fn security_headers(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    let mut set = |name: header::HeaderName, value: &'static str| {
        if !h.contains_key(&name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    };
    set(header::X_FRAME_OPTIONS, "DENY");
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::REFERRER_POLICY, "same-origin");
    set(
        header::CONTENT_SECURITY_POLICY,
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    );
    response
}

/// Serves on `listener` until the process is asked to stop (Ctrl-C, SIGTERM).
pub async fn serve(listener: TcpListener, state: AppState) -> std::io::Result<()> {
    let housekeeping = tokio::spawn(maintenance::run(state.clone()));
    let (store, server) = (state.store.clone(), state.jobs.server().to_string());
    let served = serve_only(listener, state).await;
    housekeeping.abort();
    // Sources this server was syncing: any server may take them up now.
    if let Err(e) = store.release_sources(&server).await {
        tracing::warn!(error = %e, "could not hand back the sources being synced");
    }
    served
}

/// Serves without housekeeping (tests that start many servers on one store).
pub async fn serve_only(listener: TcpListener, state: AppState) -> std::io::Result<()> {
    serve_until(listener, state, shutdown_signal()).await
}

/// Serves until `stop` completes. From then no connection is accepted;
/// requests still running get the configured time to finish, imports what
/// is left of it, then the jobs still running are handed back to the queue
/// and the server returns.
pub async fn serve_until(
    listener: TcpListener,
    state: AppState,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let deadline = state.config.shutdown_timeout;
    state.reload_mail_settings().await;
    let jobs = state.jobs.clone();
    // Jobs handed back by servers that stopped, or held by servers gone
    // silent, are taken up without waiting for an upload here.
    jobs.run_worker();
    let stop_started = std::sync::Arc::new(std::sync::OnceLock::new());
    let stop_mark = stop_started.clone();
    let (stopping, mut stop_seen) = tokio::sync::watch::channel(false);
    let server = axum::serve(
        without_delay(listener),
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        stop.await;
        tracing::info!(
            seconds = deadline.as_secs_f64(),
            "stopping: no new connections; requests still running may finish"
        );
        let _ = stop_mark.set(tokio::time::Instant::now());
        let _ = stopping.send(true);
    });
    let overdue = async move {
        let _ = stop_seen.wait_for(|stopping| *stopping).await;
        tokio::time::sleep(deadline).await;
    };
    let served = tokio::select! {
        served = server => served,
        () = overdue => {
            tracing::warn!("stopping: requests still running after the shutdown timeout were cut off");
            Ok(())
        }
    };
    // Imports get what is left of the same deadline, then are handed back.
    let spent = stop_started
        .get()
        .map_or(std::time::Duration::ZERO, |at| at.elapsed());
    jobs.stop(deadline.saturating_sub(spent)).await;
    served
}

/// Answers go out as soon as they are written (TCP_NODELAY): a response
/// written in pieces (a compressed body) would otherwise wait for the
/// client's delayed acknowledgement, tens of milliseconds per request.
fn without_delay(
    listener: TcpListener,
) -> axum::serve::TapIo<TcpListener, impl FnMut(&mut tokio::net::TcpStream) + Send + 'static> {
    use axum::serve::ListenerExt;
    listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "could not set TCP_NODELAY on a connection");
        }
    })
}

/// Serves liveness, readiness and metrics (without a token) on an address
/// of the operator's (`--metrics-listen`), until the process ends.
pub async fn serve_operator(listener: TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(without_delay(listener), ops::operator_router(state)).await
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
