//! The database handle every store module shares: each engine's pool
//! ([`Db`]), a transaction open on one ([`DbTx`]), the macros that run one
//! body of SQL on either (`on_pool!`, `on_db!`), and small helpers (the
//! clock, decoding stored JSON). A leaf: it uses no other store module
//! (only the crate's error type), so every module may use it.

use crate::{Result, StoreError};
use sqlx::postgres::PgPool;
use sqlx::sqlite::SqlitePool;
use sqlx::{Postgres, Sqlite, Transaction};

/// The pool of one engine.
#[derive(Clone, Debug)]
pub(crate) enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A transaction open on one engine.
pub(crate) enum DbTx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl DbTx {
    pub(crate) async fn commit(self) -> crate::Result<()> {
        match self {
            DbTx::Sqlite(t) => t.commit().await?,
            DbTx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
}

/// What a transaction about the whole server (not one account) locks, so
/// that servers sharing the database take turns: SQLite's write lock,
/// PostgreSQL's advisory lock of this number for the transaction.
#[derive(Clone, Copy, Debug)]
pub(crate) enum ServerLock {
    /// Issuing and using the setup link.
    Setup,
    /// Counting sign-in attempts.
    SignIn,
}

impl ServerLock {
    /// The advisory lock's number ("kith" and the lock's own), apart from
    /// the per-account locks (the first 8 bytes of a random id).
    fn key(self) -> i64 {
        const KITH: i64 = 0x6b69_7468 << 16;
        KITH + match self {
            ServerLock::Setup => 1,
            ServerLock::SignIn => 2,
        }
    }
}

impl Db {
    /// A transaction holding `lock` until it ends.
    pub(crate) async fn begin_locked(&self, lock: ServerLock) -> crate::Result<DbTx> {
        Ok(match self {
            Db::Sqlite(p) => DbTx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(p) => {
                let mut tx = p.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(lock.key())
                    .execute(&mut *tx)
                    .await?;
                DbTx::Postgres(tx)
            }
        })
    }
}

/// Runs `$body` with `$p` bound to the engine's pool (compiled once per engine).
macro_rules! on_pool {
    ($db:expr, $p:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($p) => $body,
            $crate::db::Db::Postgres($p) => $body,
        }
    };
}
pub(crate) use on_pool;

/// Runs `$body` with `$c` bound to the connection of an open [`DbTx`]; the
/// body is compiled once per engine, so the same SQL text serves both.
macro_rules! on_tx {
    ($tx:expr, $c:ident => $body:expr) => {
        match $tx {
            $crate::db::DbTx::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::db::DbTx::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}
pub(crate) use on_tx;

/// `on_tx!` on the transaction of a value with an `inner: DbTx` field (a
/// [`crate::Tx`]).
macro_rules! on_db {
    ($self:expr, $c:ident => $body:expr) => {
        $crate::db::on_tx!(&mut $self.inner, $c => $body)
    };
}
pub(crate) use on_db;

/// Appends ` IN (…)` with each of `values` bound (a list a statement
/// filters on).
pub(crate) fn push_in<'t, DB, T>(
    qb: &mut sqlx::QueryBuilder<DB>,
    values: impl IntoIterator<Item = T>,
) where
    DB: sqlx::Database,
    T: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    qb.push(" IN (");
    let mut list = qb.separated(", ");
    for v in values {
        list.push_bind(v);
    }
    qb.push(")");
}

/// Current time in microseconds since the Unix epoch.
pub fn now_micros() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0)
}

/// Decodes a stored JSON value; one that does not fit is damaged data.
pub(crate) fn decode_json<T: serde::de::DeserializeOwned>(
    what: &str,
    v: serde_json::Value,
) -> Result<T> {
    serde_json::from_value(v).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}
