//! Housekeeping while the server runs: each account's search index is built
//! at start (so no one waits for it), and people deleted longer ago than the
//! restore window are removed for good, at start and every few hours.

use crate::state::AppState;
use std::time::Duration;

const EVERY: Duration = Duration::from_secs(6 * 3600);

/// Runs forever (until the server's runtime stops).
pub async fn run(state: AppState) {
    warm_search_indexes(&state).await;
    let mut tick = tokio::time::interval(EVERY);
    loop {
        tick.tick().await;
        purge_all(&state).await;
    }
}

/// One pass over every account; a failure is logged and retried next time.
pub async fn purge_all(state: &AppState) {
    let accounts = match state.store.accounts().await {
        Ok(a) => a,
        Err(e) => {
            eprintln!("kith: housekeeping could not list accounts: {e}");
            return;
        }
    };
    for account in accounts {
        match state.app(account.id).purge_deleted().await {
            Ok(0) => {}
            Ok(n) => eprintln!(
                "kith: {}: removed for good {n} people deleted over 30 days ago",
                account.name
            ),
            Err(e) => eprintln!("kith: housekeeping for {}: {e}", account.name),
        }
    }
}

/// Builds every account's in-memory search index.
pub async fn warm_search_indexes(state: &AppState) {
    let Ok(accounts) = state.store.accounts().await else {
        return; // searches build their index themselves
    };
    for account in accounts {
        if let Err(e) = state.app(account.id).warm_search_index().await {
            eprintln!("kith: search index for {}: {e}", account.name);
        }
    }
}
