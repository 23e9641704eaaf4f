//! The rows of sign-in throttling, shared by every server on the database:
//! failures per key and the addresses accounts signed in from. Keys arrive
//! already hashed by the app (they name addresses and account names); the
//! rules (allowances, waits) are the app's. A [`ThrottleTx`] holds the
//! sign-in lock, so that servers count one attempt at a time.

use crate::db::{DbTx, ServerLock, on_tx};
use crate::{Result, Store};
use sqlx::Row;

/// One key's failures and when the last was counted (microseconds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Failures {
    pub failures: i64,
    pub last_at: i64,
}

/// A transaction over the throttle's rows, holding the sign-in lock.
pub struct ThrottleTx {
    inner: DbTx,
}

impl Store {
    pub async fn throttle(&self) -> Result<ThrottleTx> {
        Ok(ThrottleTx {
            inner: self.db.begin_locked(ServerLock::SignIn).await?,
        })
    }

    /// Forgets failures last counted before `failures_before` and known
    /// addresses last used before `known_before` (housekeeping).
    pub async fn prune_throttle(&self, failures_before: i64, known_before: i64) -> Result<u64> {
        let mut tx = self.throttle().await?;
        let n = on_tx!(&mut tx.inner, c => {
            let a = sqlx::query("DELETE FROM sign_in_failures WHERE last_at < $1")
                .bind(failures_before).execute(&mut *c).await?.rows_affected();
            let b = sqlx::query("DELETE FROM sign_in_known WHERE at < $1")
                .bind(known_before).execute(&mut *c).await?.rows_affected();
            a + b
        });
        tx.commit().await?;
        Ok(n)
    }
}

impl ThrottleTx {
    pub async fn failures(&mut self, key: &str) -> Result<Option<Failures>> {
        let sql = "SELECT failures, last_at FROM sign_in_failures WHERE key = $1";
        on_tx!(&mut self.inner, c => {
            match sqlx::query(sql).bind(key).fetch_optional(&mut *c).await? {
                Some(r) => Ok(Some(Failures {
                    failures: r.try_get::<i64, _>("failures")?,
                    last_at: r.try_get("last_at")?,
                })),
                None => Ok(None),
            }
        })
    }

    pub async fn set_failures(&mut self, key: &str, f: Failures) -> Result<()> {
        let sql = "INSERT INTO sign_in_failures (key, failures, last_at) VALUES ($1, $2, $3) \
                   ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, last_at = excluded.last_at";
        on_tx!(&mut self.inner, c => sqlx::query(sql).bind(key).bind(f.failures).bind(f.last_at)
            .execute(&mut *c).await?.rows_affected());
        Ok(())
    }

    pub async fn clear_failures(&mut self, key: &str) -> Result<()> {
        on_tx!(&mut self.inner, c => sqlx::query("DELETE FROM sign_in_failures WHERE key = $1")
            .bind(key).execute(&mut *c).await?.rows_affected());
        Ok(())
    }

    /// When the account of `key` last signed in from its address.
    pub async fn known_at(&mut self, key: &str) -> Result<Option<i64>> {
        let sql = "SELECT at FROM sign_in_known WHERE key = $1";
        on_tx!(&mut self.inner, c => Ok(sqlx::query_scalar(sql).bind(key).fetch_optional(&mut *c).await?))
    }

    pub async fn set_known(&mut self, key: &str, at: i64) -> Result<()> {
        let sql = "INSERT INTO sign_in_known (key, at) VALUES ($1, $2) \
                   ON CONFLICT (key) DO UPDATE SET at = excluded.at";
        on_tx!(&mut self.inner, c => sqlx::query(sql).bind(key).bind(at).execute(&mut *c).await?.rows_affected());
        Ok(())
    }

    pub async fn commit(self) -> Result<()> {
        self.inner.commit().await
    }
}
