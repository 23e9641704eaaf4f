//! Housekeeping while the server runs: people deleted longer ago than the
//! restore window are removed for good, at start and every few hours.

use crate::state::AppState;
use std::time::Duration;

const EVERY: Duration = Duration::from_secs(6 * 3600);

/// Runs forever (until the server's runtime stops).
pub async fn run(state: AppState) {
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
