//! The per-account network version: every write transaction moves its
//! account's on as it commits, and so do changes outside a transaction
//! that the graph shows; each server's graph reloads the accounts whose
//! version moved. Uses only [`crate::db`], so that [`crate::tx`] can
//! commit through it while the network rows (which use `Tx`) live apart.

use crate::Result;
use crate::db::{DbTx, on_tx};
use kith_core::AccountId;

/// Moves one account's network version on (made at 1 the first time).
pub(crate) const BUMP_NETWORK_VERSION: &str = "INSERT INTO network_versions (account_id, version) VALUES ($1, 1) \
     ON CONFLICT (account_id) DO UPDATE SET version = network_versions.version + 1";

/// Moves the account's network version on inside its open transaction
/// (every write transaction does this as it commits).
pub(crate) async fn bump_network_version(tx: &mut DbTx, account: AccountId) -> Result<()> {
    on_tx!(tx, c => {
        sqlx::query(BUMP_NETWORK_VERSION).bind(account.0).execute(c).await?;
    });
    Ok(())
}
