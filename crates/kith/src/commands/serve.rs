//! `kith serve`: listening, the web server's configuration from the flags
//! and kith.toml, and the process setting a server wants (no transparent
//! huge pages). The server itself is kith-web.

use crate::cli::ServeArgs;
use crate::config;
use anyhow::{Context, Result};
use kith_app::Settings;
use kith_app::types::Store;

/// Turns transparent huge pages off for this process. A server's requests
/// allocate in bursts that the allocator hands back to the system when
/// idle; with huge pages the next burst's first touch of each region zeroes
/// 2 MiB, which measured as 40 % of the CPU of a CardDAV multiget of 5,000
/// cards after a pause (120 ms against 70 ms without).
pub(crate) fn without_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and changes only how
    // the kernel backs this process's future page faults.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

pub(crate) async fn serve(
    store: &Store,
    mut settings: Settings,
    args: ServeArgs,
    file: &config::FileConfig,
    data_dir: &std::path::Path,
) -> Result<()> {
    // For the server, a configured region is only the default: each account
    // may choose its own in the settings page.
    settings.region_is_explicit = false;
    let server = config::server_settings(&args, file)?;
    let listener = tokio::net::TcpListener::bind(&server.listen)
        .await
        .with_context(|| format!("cannot listen on {}", server.listen))?;
    let address = listener.local_addr()?;
    let operator = match &server.metrics_listen {
        Some(at) => Some(
            tokio::net::TcpListener::bind(at)
                .await
                .with_context(|| format!("cannot listen for metrics on {at}"))?,
        ),
        None => None,
    };
    let mailer = config::mailer(file)?.map(std::sync::Arc::new);
    let config = kith_web::ServerConfig {
        max_body: server.max_upload_mb.saturating_mul(1024 * 1024),
        secure_cookies: server.secure_cookies,
        public_url: config::public_url(file, &address.to_string()),
        digest: config::digest_schedule(file)?,
        mailer,
        trusted_proxies: config::trusted_proxies(&args.trusted_proxies, file)?,
        metrics_token: server.metrics_token.clone(),
        shutdown_timeout: server.shutdown_timeout,
        imports_dir: data_dir.join("imports"),
    };
    // Before the first request rather than in it.
    kith_core::identity::warm_up(settings.default_region);
    let state = kith_web::AppState::new(store.clone(), settings, config);
    tracing::info!(
        address = %address,
        database = store.engine(),
        workers = server.workers,
        db_connections = store.pool_use().max,
        "kith is serving on http://{address}"
    );
    if let Some(listener) = operator {
        let at = listener.local_addr()?;
        tracing::info!(address = %at, "metrics, liveness and readiness on http://{at}");
        let state = state.clone();
        tokio::spawn(async move {
            if let Err(e) = kith_web::serve_operator(listener, state).await {
                tracing::error!(error = %e, "the metrics listener stopped");
            }
        });
    }
    if let Some(secret) = state.auth.setup_secret().await? {
        // For the person at the terminal, not a log line.
        eprintln!(
            "No account can sign in yet. Open this link once to create the first (admin) account:\n  http://{address}/setup?token={secret}"
        );
    }
    kith_web::serve(listener, state)
        .await
        .context("the server stopped")?;
    tracing::info!("kith stopped");
    Ok(())
}
