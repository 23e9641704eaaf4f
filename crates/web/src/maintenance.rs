//! Housekeeping while the server runs: each account's search index and
//! network graph are built at start (so no one waits for them), people deleted longer ago than the
//! restore window are removed for good, at start and every few hours, and
//! digests go out when their period comes (checked every few minutes), and
//! living sources sync on their schedules (`kith_app::sources::schedule`).

use crate::state::AppState;
use std::time::Duration;

const EVERY: Duration = Duration::from_secs(6 * 3600);
const DIGESTS_EVERY: Duration = Duration::from_secs(5 * 60);
const MAIL_SETTINGS_EVERY: Duration = Duration::from_secs(60);

/// Runs forever (until the server's runtime stops).
pub async fn run(state: AppState) {
    // Digests wait for mail (set up on the Settings page or in kith.toml).
    tokio::spawn(digests(state.clone()));
    tokio::spawn(mail_settings(state.clone()));
    let app_for: kith_app::sources::schedule::AppFor = {
        let state = state.clone();
        std::sync::Arc::new(move |account| state.app(account))
    };
    tokio::spawn(kith_app::sources::schedule::run(
        state.store.clone(),
        app_for,
        state.jobs.server().to_string(),
    ));
    // Federation's deliveries (nothing when the server does not federate).
    tokio::spawn(kith_app::federation::outbox::run(
        state.store.clone(),
        state.settings.federation.clone(),
    ));
    warm_search_indexes(&state).await;
    warm_networks(&state).await;
    let mut tick = tokio::time::interval(EVERY);
    loop {
        tick.tick().await;
        purge_all(&state).await;
    }
}

/// Picks up mail settings saved by another server of the same database.
async fn mail_settings(state: AppState) {
    let mut tick = tokio::time::interval(MAIL_SETTINGS_EVERY);
    loop {
        tick.tick().await;
        state.reload_mail_settings().await;
    }
}

async fn digests(state: AppState) {
    let mut tick = tokio::time::interval(DIGESTS_EVERY);
    loop {
        tick.tick().await;
        send_due_digests(&state, kith_app::types::now_micros()).await;
    }
}

/// Sends each account's digest whose period has come at `now`
/// (microseconds) and that no server has sent yet; returns how many went.
pub async fn send_due_digests(state: &AppState, now: i64) -> usize {
    let Some(mailer) = state.mailer() else {
        return 0;
    };
    let Ok(accounts) = state.auth.accounts().await else {
        return 0;
    };
    let mut sent = 0;
    for account in accounts {
        let app = state.app(account.id);
        match app
            .send_scheduled_digest(&mailer, &state.config.public_url, &state.config.digest, now)
            .await
        {
            Ok(Some(d)) => {
                sent += 1;
                // The address is personal data: only at debug level.
                tracing::info!(account = %account.name, "digest sent");
                tracing::debug!(account = %account.name, to = %d.to, "digest sent");
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(account = %account.name, error = %e, "digest not sent"),
        }
    }
    sent
}

/// One pass over every account; a failure is logged and retried next time.
pub async fn purge_all(state: &AppState) {
    if let Err(e) = kith_app::throttle::prune(&state.store).await {
        tracing::warn!(error = %e, "housekeeping could not prune the sign-in throttle");
    }
    if let Err(e) = state.jobs.prune().await {
        tracing::warn!(error = %e, "housekeeping could not forget old import jobs");
    }
    if let Err(e) = kith_app::federation::outbox::forget_old_activities(&state.store).await {
        tracing::warn!(error = %e, "housekeeping could not forget old activity ids");
    }
    let accounts = match state.auth.accounts().await {
        Ok(a) => a,
        Err(e) => {
            tracing::warn!(error = %e, "housekeeping could not list accounts");
            return;
        }
    };
    for account in accounts {
        match state.app(account.id).purge_deleted().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                account = %account.name,
                removed = n,
                "removed for good the people deleted over 30 days ago"
            ),
            Err(e) => tracing::warn!(account = %account.name, error = %e, "housekeeping failed"),
        }
    }
}

/// Builds every account's in-memory search index.
pub async fn warm_search_indexes(state: &AppState) {
    let Ok(accounts) = state.auth.accounts().await else {
        return; // searches build their index themselves
    };
    for account in accounts {
        if let Err(e) = state.app(account.id).warm_search_index().await {
            tracing::warn!(account = %account.name, error = %e, "search index not built");
        }
    }
}

/// Loads every account's part of the network graph.
async fn warm_networks(state: &AppState) {
    let Ok(accounts) = state.auth.accounts().await else {
        return; // network queries load what they need themselves
    };
    for account in accounts {
        if let Err(e) = state.app(account.id).warm_network().await {
            tracing::warn!(account = %account.name, error = %e, "network graph not loaded");
        }
    }
}
