//! Sources running by themselves: a server claims the source most overdue
//! (no other server holds it), syncs it, and looks again; at most
//! [`AT_ONCE`] syncs at a time per server. Between rounds it sleeps until
//! the next source is due (at most [`LOOK_EVERY`], so that a source added
//! through another server is seen soon).

use crate::App;
use kith_core::AccountId;
use kith_store::Store;
use std::sync::Arc;
use std::time::Duration;

/// Syncs one server runs together.
const AT_ONCE: usize = 2;
/// The longest sleep between looks for due sources.
const LOOK_EVERY: Duration = Duration::from_secs(20);

/// Makes the use cases of a source's account.
pub type AppFor = Arc<dyn Fn(AccountId) -> App + Send + Sync>;

/// Syncs every source due now (as `server`), [`AT_ONCE`] at a time;
/// returns how many ran.
pub async fn run_due(store: &Store, app_for: &AppFor, server: &str) -> usize {
    let mut running = tokio::task::JoinSet::new();
    let mut ran = 0;
    loop {
        while running.len() < AT_ONCE {
            let now = kith_store::now_micros();
            let until = now + super::LEASE.as_micros() as i64;
            match store.claim_due_source(server, now, until).await {
                Ok(Some(row)) => {
                    let app = app_for(row.account);
                    let server = server.to_string();
                    running.spawn(async move {
                        match app.run_claimed(&row, &server).await {
                            Ok(r) => tracing::info!(source = %row.id, kind = %row.kind, read = r.read,
                                interactions = r.interactions, created = r.created, millis = r.millis, "source synced"),
                            Err(e) => tracing::warn!(source = %row.id, kind = %row.kind, error = %e, "source sync failed"),
                        }
                    });
                    ran += 1;
                }
                Ok(None) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot look for due sources");
                    break;
                }
            }
        }
        if running.join_next().await.is_none() {
            return ran;
        }
    }
}

/// Runs sources on their schedules until the task is dropped.
pub async fn run(store: Store, app_for: AppFor, server: String) {
    loop {
        run_due(&store, &app_for, &server).await;
        let now = kith_store::now_micros();
        let wait = match store.next_source_due().await {
            Ok(Some(at)) if at > now => Duration::from_micros((at - now) as u64).min(LOOK_EVERY),
            Ok(Some(_)) => Duration::from_secs(1),
            _ => LOOK_EVERY,
        };
        tokio::time::sleep(wait).await;
    }
}
