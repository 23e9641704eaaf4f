//! Which digests were sent: one row per account and period, claimed before
//! sending so that several servers on one database send each digest once.

use crate::db::{now_micros, on_pool};
use crate::{Result, Store};
use kith_core::AccountId;

impl Store {
    /// Claims the digest of `period` for an account: true for the one
    /// caller that gets it, false when it was claimed before.
    pub async fn claim_digest(&self, account: AccountId, period: &str) -> Result<bool> {
        let sql = "INSERT INTO digests_sent (account_id, period, sent_at) VALUES ($1, $2, $3) \
                   ON CONFLICT (account_id, period) DO NOTHING";
        let done = on_pool!(&self.db, p => sqlx::query(sql)
            .bind(account.0).bind(period).bind(now_micros())
            .execute(p).await?.rows_affected());
        Ok(done == 1)
    }

    /// Gives a claim back (the sending failed: the next attempt may retry).
    pub async fn release_digest(&self, account: AccountId, period: &str) -> Result<()> {
        let sql = "DELETE FROM digests_sent WHERE account_id = $1 AND period = $2";
        on_pool!(&self.db, p => {
            sqlx::query(sql).bind(account.0).bind(period).execute(p).await?;
        });
        Ok(())
    }
}
