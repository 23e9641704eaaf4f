//! Delivery: activities wait in the outbox table until their inbox takes
//! them, oldest first per inbox (a later one waits while an earlier one is
//! retried, so a server down for an hour gets its updates in order), each
//! leased by the server sending it. A failure is tried again after a wait
//! that doubles from `[federation] retry_seconds` up to [`MAX_RETRY`]; a
//! delivery is given up after [`GIVE_UP`], or at once when the inbox says
//! it never will take it (a 4xx other than 401, 403, 408 and 429). A
//! server heard from again gets what waits for it at once.

use super::{FederationConfig, GIVE_UP, MAX_RETRY, client::Client, member_key};
use crate::Result;
use futures_util::StreamExt;
use kith_core::AccountId;
use kith_store::Store;
use kith_store::federation::OutboxRow;
use serde_json::Value;
use std::sync::OnceLock;
use std::time::Duration;
use tokio::sync::Notify;
use url::Url;

/// How many activities a server claims at a time, and sends at once.
const CLAIM: i64 = 256;
const AT_ONCE: usize = 16;
/// How long a claim lasts (a server that stops mid-delivery lets go).
const LEASE: Duration = Duration::from_secs(120);
/// How often the outbox is looked at when nothing said it changed
/// (another process, such as the command line, may have queued).
const LOOK_EVERY: Duration = Duration::from_secs(1);

fn wake() -> &'static Notify {
    static WAKE: OnceLock<Notify> = OnceLock::new();
    WAKE.get_or_init(Notify::new)
}

/// Tells this server's delivery to look at the outbox now.
pub(crate) fn wake_up() {
    wake().notify_one();
}

/// Queues activities from `account` to inboxes, in order.
pub(crate) async fn enqueue(
    store: &Store,
    account: AccountId,
    items: &[(String, Value)],
) -> Result<()> {
    let rows: Vec<OutboxRow> = items
        .iter()
        .map(|(inbox, activity)| OutboxRow {
            id: uuid::Uuid::now_v7(),
            account,
            host: Url::parse(inbox)
                .map(|u| crate::sources::http::host_header(&u).to_ascii_lowercase())
                .unwrap_or_default(),
            inbox: inbox.clone(),
            activity: activity.to_string(),
            attempts: 0,
        })
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    store
        .enqueue_activities(&rows, kith_store::now_micros())
        .await?;
    wake().notify_one();
    Ok(())
}

/// What one round of delivery did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Delivered {
    pub sent: usize,
    pub failed: usize,
    pub given_up: usize,
}

enum Outcome {
    Sent,
    Retry(String),
    GiveUp(String),
}

/// Delivers everything due now (each inbox's in order); what it did.
pub async fn deliver_due(store: &Store, config: &FederationConfig) -> Result<Delivered> {
    let mut done = Delivered::default();
    if !config.enabled() {
        return Ok(done);
    }
    loop {
        let now = kith_store::now_micros();
        let rows = store
            .claim_activities(now, now + LEASE.as_micros() as i64, CLAIM)
            .await?;
        if rows.is_empty() {
            return Ok(done);
        }
        let outcomes: Vec<(OutboxRow, Outcome)> = futures_util::stream::iter(rows)
            .map(|row| async move {
                let outcome = deliver_one(store, config, &row).await;
                (row, outcome)
            })
            .buffer_unordered(AT_ONCE)
            .collect()
            .await;
        for (row, outcome) in outcomes {
            match outcome {
                Outcome::Sent => {
                    store.remove_activity(row.id).await?;
                    done.sent += 1;
                }
                Outcome::GiveUp(why) => {
                    tracing::warn!(inbox = %row.inbox, error = %why, "delivery given up");
                    store.remove_activity(row.id).await?;
                    done.given_up += 1;
                }
                Outcome::Retry(why) => {
                    let age = Duration::from_micros(
                        (kith_store::now_micros() - created_at(&row)).max(0) as u64,
                    );
                    if age > GIVE_UP {
                        tracing::warn!(inbox = %row.inbox, error = %why, "delivery given up after days of failures");
                        store.remove_activity(row.id).await?;
                        done.given_up += 1;
                        continue;
                    }
                    let wait = config
                        .retry
                        .saturating_mul(1 << row.attempts.clamp(0, 16))
                        .min(MAX_RETRY);
                    tracing::info!(inbox = %row.inbox, error = %why, retry_in = ?wait, "delivery failed");
                    store
                        .retry_activity(
                            row.id,
                            kith_store::now_micros() + wait.as_micros() as i64,
                            &why,
                        )
                        .await?;
                    done.failed += 1;
                }
            }
        }
    }
}

/// When a row was queued: its id is a UUID v7, which starts with the time.
fn created_at(row: &OutboxRow) -> i64 {
    row.id
        .get_timestamp()
        .map(|t| {
            let (s, n) = t.to_unix();
            s as i64 * 1_000_000 + i64::from(n / 1000)
        })
        .unwrap_or_else(kith_store::now_micros)
}

async fn deliver_one(store: &Store, config: &FederationConfig, row: &OutboxRow) -> Outcome {
    let key = match member_key(store, config, row.account).await {
        Ok((k, _)) => k,
        Err(e) => return Outcome::GiveUp(format!("the member's key: {e}")),
    };
    // A server the operator blocked gets nothing (a member's own block
    // ends their links instead, and the last word of those still goes).
    match store.fed_blocked(&["*"], &[row.host.as_str()]).await {
        Ok(true) => return Outcome::GiveUp(format!("{} is blocked", row.host)),
        Ok(false) => {}
        Err(e) => return Outcome::Retry(e.to_string()),
    }
    let Ok(inbox) = Url::parse(&row.inbox) else {
        return Outcome::GiveUp(format!("{:?} is not a URL", row.inbox));
    };
    let mut client = Client::new(config.policy, key);
    match client.deliver(&inbox, &row.activity).await {
        Ok(s) if s.is_success() => Outcome::Sent,
        Ok(s) if s.is_client_error() && ![401, 403, 408, 429].contains(&s.as_u16()) => {
            Outcome::GiveUp(format!("the inbox answered {s}"))
        }
        Ok(s) => Outcome::Retry(format!("the inbox answered {s}")),
        Err(e) => Outcome::Retry(e),
    }
}

/// Delivers for as long as the server runs: at once when something is
/// queued here, and every second for what other processes queue.
pub async fn run(store: Store, config: std::sync::Arc<FederationConfig>) {
    if !config.enabled() {
        return;
    }
    loop {
        if let Err(e) = deliver_due(&store, &config).await {
            tracing::warn!(error = %e, "delivering activities failed");
        }
        let _ = tokio::time::timeout(LOOK_EVERY, wake().notified()).await;
    }
}

/// How many activities wait, and for how long the oldest has (seconds).
pub async fn backlog(store: &Store) -> Result<(i64, Option<i64>)> {
    let (n, oldest) = store.outbox_backlog().await?;
    Ok((
        n,
        oldest.map(|t| (kith_store::now_micros() - t) / 1_000_000),
    ))
}

/// Forgets the ids of activities applied more than a day ago: a delivery
/// that old is refused by its date anyway (so the table stays small).
pub async fn forget_old_activities(store: &Store) -> Result<u64> {
    let day = 24 * 3600 * 1_000_000;
    Ok(store
        .forget_seen_activities(kith_store::now_micros() - day)
        .await?)
}
