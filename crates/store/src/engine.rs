//! Opening a database (SQLite file or PostgreSQL URL), running the engine's
//! migrations, accounts, and starting account-scoped transactions.

use crate::db::{Db, DbTx, on_pool};
use crate::migrate;
use crate::tx::Tx;
use crate::{Account, PoolSettings, PoolUse, Result, SchemaStatus, StoreError, now_micros};
use kith_core::AccountId;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, Row};
use std::path::Path;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// A handle on the database, cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) db: Db,
    /// SQLite: the one connection write transactions use. SQLite has one
    /// writer at a time anyway; one connection keeps its page cache across
    /// writes (a write by another connection would make it read every page
    /// again) and writers queue here instead of polling the file lock.
    sqlite_writer: Option<sqlx::SqlitePool>,
    /// The database's sync epoch (`store_meta`), read once it is migrated.
    pub(crate) epoch: Arc<OnceLock<SyncEpoch>>,
    /// How long transactions waited to begin (a connection, a lock).
    waits: Arc<Waits>,
}

/// Waits to begin a transaction, counted since the store was opened.
#[derive(Debug, Default)]
struct Waits {
    count: AtomicU64,
    micros: AtomicU64,
    slow: AtomicU64,
}

/// What [`Store::pool_waits`] reports.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PoolWaits {
    /// Transactions begun.
    pub count: u64,
    /// Their waits for a connection (and, for SQLite writers, the write
    /// lock), summed.
    pub seconds: f64,
    /// Those that waited over 100 ms.
    pub slow: u64,
}

/// What CardDAV sync tokens carry: the database's epoch, and whether
/// tokens made before epochs existed still hold (not after a restore).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncEpoch {
    pub epoch: String,
    pub legacy_tokens_hold: bool,
}

impl Store {
    /// Opens `url`: `postgres://…` / `postgresql://…`, `sqlite://PATH`, or a
    /// plain file path (SQLite). Creates the SQLite file and runs migrations.
    pub async fn open(url: &str) -> Result<Store> {
        Self::open_with(url, PoolSettings::default()).await
    }

    /// [`Store::open`] with the pool's size and acquire timeout chosen.
    pub async fn open_with(url: &str, pool: PoolSettings) -> Result<Store> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Self::open_postgres_with(url, pool).await
        } else {
            let path = url.strip_prefix("sqlite://").unwrap_or(url);
            Self::open_sqlite_with(Path::new(path), pool).await
        }
    }

    /// Opens (creating if needed) a SQLite database file in WAL mode.
    pub async fn open_sqlite(path: &Path) -> Result<Store> {
        Self::open_sqlite_with(path, PoolSettings::default()).await
    }

    async fn open_sqlite_with(path: &Path, settings: PoolSettings) -> Result<Store> {
        let open_err = |message: String| StoreError::Open {
            url: path.display().to_string(),
            message,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| open_err(e.to_string()))?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("cache_size", "-32768")
            .pragma("temp_store", "memory")
            // SQLite runs on a thread of its own and hands rows over a
            // channel; a roomy one lets it read a large result without
            // waiting for the reader every 50 rows.
            .row_buffer_size(4096);
        let options = statement_logging(options);
        // Processes opening one file together open and migrate it one at a
        // time (the first switches it to WAL, which needs the file to
        // itself, and sqlx's SQLite migrator takes no lock): an exclusive
        // lock on a file beside the database, held until it is migrated.
        let lock_path = path.with_extension("migrate-lock");
        let lock = tokio::task::spawn_blocking(move || {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&lock_path)?;
            file.lock()?;
            Ok::<_, std::io::Error>(file)
        })
        .await
        .map_err(|e| open_err(e.to_string()))?
        .map_err(|e| open_err(format!("cannot lock for migrating: {e}")))?;
        let acquire_timeout = settings.acquire_timeout.max(Duration::from_secs(10));
        // No ping before each use (sqlx's default): a SQLite connection is
        // a thread of this process, and the ping is one more hand-over.
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .test_before_acquire(false)
            .acquire_timeout(acquire_timeout)
            .connect_with(options.clone())
            .await
            .map_err(|e| open_err(e.to_string()))?;
        // Made on first use, after the migrations below (taken on the pool).
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .acquire_timeout(acquire_timeout)
            .connect_lazy_with(options);
        let store = Store {
            db: Db::Sqlite(pool),
            sqlite_writer: Some(writer),
            epoch: Default::default(),
            waits: Default::default(),
        };
        let migrated = migrate::run(&store.db).await;
        drop(lock);
        migrated?;
        // The writer's connection now, not in the first write's time.
        if let Some(writer) = &store.sqlite_writer {
            drop(
                writer
                    .acquire()
                    .await
                    .map_err(|e| open_err(e.to_string()))?,
            );
        }
        store.load_epoch().await?;
        Ok(store)
    }

    /// Connects to PostgreSQL and runs migrations.
    pub async fn open_postgres(url: &str) -> Result<Store> {
        Self::open_postgres_with(url, PoolSettings::default()).await
    }

    async fn open_postgres_with(url: &str, settings: PoolSettings) -> Result<Store> {
        let shown = redact(url);
        let open_err = |message: String| StoreError::Open {
            url: shown.clone(),
            message,
        };
        let options = statement_logging(
            PgConnectOptions::from_str(url).map_err(|e| open_err(e.to_string()))?,
        );
        // One direct connection first: a wrong host, port or password fails
        // at once with the server's own message instead of a pool timeout.
        let probe = sqlx::PgConnection::connect_with(&options)
            .await
            .map_err(|e| open_err(e.to_string()))?;
        let _ = probe.close().await;
        // A connection that sat idle is checked before use (the server may
        // have restarted); one in steady use is not: sqlx's default ping
        // costs a round trip on every transaction.
        let pool = PgPoolOptions::new()
            .max_connections(settings.connections.max(1))
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for > Duration::from_secs(10) {
                        conn.ping().await?;
                    }
                    Ok(true)
                })
            })
            .acquire_timeout(settings.acquire_timeout)
            .connect_with(options)
            .await
            .map_err(|e| open_err(e.to_string()))?;
        let store = Store {
            db: Db::Postgres(pool),
            sqlite_writer: None,
            epoch: Default::default(),
            waits: Default::default(),
        };
        migrate::run(&store.db).await?;
        store.load_epoch().await?;
        Ok(store)
    }

    /// Reads the sync epoch, making one on a database that has none.
    async fn load_epoch(&self) -> Result<()> {
        let fresh = random_epoch();
        let make = "INSERT INTO store_meta (key, value) VALUES ('sync_epoch', $1) ON CONFLICT (key) DO NOTHING";
        let read = "SELECT key, value FROM store_meta WHERE key IN ('sync_epoch', 'restored')";
        let rows: Vec<(String, String)> = on_pool!(&self.db, p => {
            sqlx::query(make).bind(&fresh).execute(p).await?;
            sqlx::query(read).fetch_all(p).await?.iter()
                .map(|r| Ok((r.try_get("key")?, r.try_get("value")?))).collect::<Result<_>>()?
        });
        let epoch = rows
            .iter()
            .find(|(k, _)| k == "sync_epoch")
            .map(|(_, v)| v.clone())
            .unwrap_or(fresh);
        let _ = self.epoch.set(SyncEpoch {
            epoch,
            legacy_tokens_hold: !rows.iter().any(|(k, _)| k == "restored"),
        });
        Ok(())
    }

    /// The database's sync epoch (see [`SyncEpoch`]).
    pub fn sync_epoch(&self) -> SyncEpoch {
        self.epoch.get().cloned().unwrap_or(SyncEpoch {
            epoch: String::new(),
            legacy_tokens_hold: true,
        })
    }

    /// A server-wide setting kept in the database (`store_meta`), if set.
    pub async fn server_setting(&self, key: &str) -> Result<Option<String>> {
        let sql = "SELECT value FROM store_meta WHERE key = $1";
        Ok(
            on_pool!(&self.db, p => sqlx::query_scalar::<_, String>(sql).bind(key).fetch_optional(p).await?),
        )
    }

    /// Sets (None: removes) a server-wide setting.
    pub async fn set_server_setting(&self, key: &str, value: Option<&str>) -> Result<()> {
        match value {
            Some(v) => {
                let sql = "INSERT INTO store_meta (key, value) VALUES ($1, $2) \
                           ON CONFLICT (key) DO UPDATE SET value = excluded.value";
                on_pool!(&self.db, p => { sqlx::query(sql).bind(key).bind(v).execute(p).await?; });
            }
            None => {
                let sql = "DELETE FROM store_meta WHERE key = $1";
                on_pool!(&self.db, p => { sqlx::query(sql).bind(key).execute(p).await?; });
            }
        }
        Ok(())
    }

    /// Whether an account is an administrator of the server.
    pub async fn is_admin(&self, account: AccountId) -> Result<bool> {
        let sql = "SELECT is_admin FROM accounts WHERE id = $1";
        Ok(on_pool!(&self.db, p => sqlx::query_scalar::<_, bool>(sql).bind(account.0).fetch_optional(p).await?)
            .unwrap_or(false))
    }

    /// Gives the database a new sync epoch and marks it restored: every
    /// sync token given before is refused from now on.
    pub(crate) async fn new_epoch_after_restore(&self) -> Result<()> {
        let sql = "INSERT INTO store_meta (key, value) VALUES ($1, $2) \
                   ON CONFLICT (key) DO UPDATE SET value = excluded.value";
        let epoch = random_epoch();
        on_pool!(&self.db, p => {
            sqlx::query(sql).bind("sync_epoch").bind(&epoch).execute(p).await?;
            sqlx::query(sql).bind("restored").bind(now_micros().to_string()).execute(p).await?;
        });
        Ok(())
    }

    /// Whether the database answers and its schema is the one this kith
    /// knows (readiness). A database behind or ahead is not ready.
    pub async fn schema_status(&self) -> Result<SchemaStatus> {
        let sql = "SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success";
        let applied: i64 = on_pool!(&self.db, p => sqlx::query_scalar(sql).fetch_one(p).await?);
        Ok(SchemaStatus {
            applied,
            known: migrate::known(),
        })
    }

    fn waited(&self, started: Instant) {
        let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        self.waits.count.fetch_add(1, Ordering::Relaxed);
        self.waits.micros.fetch_add(micros, Ordering::Relaxed);
        if micros > 100_000 {
            self.waits.slow.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// How long transactions waited to begin, since the store was opened.
    pub fn pool_waits(&self) -> PoolWaits {
        PoolWaits {
            count: self.waits.count.load(Ordering::Relaxed),
            seconds: self.waits.micros.load(Ordering::Relaxed) as f64 / 1e6,
            slow: self.waits.slow.load(Ordering::Relaxed),
        }
    }

    /// How many connections are open and idle now.
    pub fn pool_use(&self) -> PoolUse {
        let (open, idle, max) = match &self.db {
            Db::Sqlite(p) => (p.size(), p.num_idle(), p.options().get_max_connections()),
            Db::Postgres(p) => (p.size(), p.num_idle(), p.options().get_max_connections()),
        };
        PoolUse {
            open,
            idle: u32::try_from(idle).unwrap_or(u32::MAX),
            max,
        }
    }

    /// `sqlite` or `postgres`.
    pub fn engine(&self) -> &'static str {
        match self.db {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    pub async fn close(&self) {
        if let Some(w) = &self.sqlite_writer {
            w.close().await;
        }
        match &self.db {
            Db::Sqlite(p) => p.close().await,
            Db::Postgres(p) => p.close().await,
        }
    }

    /// Every account, by name.
    pub async fn accounts(&self) -> Result<Vec<Account>> {
        let sql = "SELECT id, name FROM accounts ORDER BY name";
        let rows: Vec<(Uuid, String)> = on_pool!(&self.db, p => sqlx::query(sql)
            .fetch_all(p)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
            .collect::<Result<_>>()?);
        Ok(rows
            .into_iter()
            .map(|(id, name)| Account {
                id: AccountId(id),
                name,
            })
            .collect())
    }

    /// Creates an account; a taken name is a conflict.
    pub async fn create_account(&self, name: &str) -> Result<Account> {
        let account = Account {
            id: AccountId::new(),
            name: name.to_string(),
        };
        let sql = "INSERT INTO accounts (id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING";
        let done = on_pool!(&self.db, p => sqlx::query(sql)
            .bind(account.id.0)
            .bind(name)
            .bind(now_micros())
            .execute(p)
            .await?
            .rows_affected());
        if done == 0 {
            return Err(StoreError::Conflict(format!(
                "an account named {name:?} already exists"
            )));
        }
        Ok(account)
    }

    /// The account named `name`, if any.
    pub async fn account(&self, name: &str) -> Result<Option<Account>> {
        self.account_where("name = $1", name).await
    }

    /// The account with this id, if any.
    pub async fn account_by_id(&self, id: AccountId) -> Result<Option<Account>> {
        self.account_where("id = $1", id.0).await
    }

    /// One of an account's settings (the `settings` JSON object's `key`).
    pub async fn account_setting(&self, id: AccountId, key: &str) -> Result<Option<String>> {
        let sql = "SELECT settings FROM accounts WHERE id = $1";
        let settings: Option<sqlx::types::Json<serde_json::Value>> =
            on_pool!(&self.db, p => sqlx::query_scalar(sql).bind(id.0).fetch_optional(p).await?);
        Ok(settings.and_then(|s| s.0.get(key).and_then(|v| v.as_str()).map(str::to_string)))
    }

    /// Sets (or with None, removes) one of an account's settings.
    pub async fn set_account_setting(
        &self,
        id: AccountId,
        key: &str,
        value: Option<&str>,
    ) -> Result<()> {
        let read = "SELECT settings FROM accounts WHERE id = $1";
        let write = "UPDATE accounts SET settings = $2 WHERE id = $1";
        on_pool!(&self.db, p => {
            let mut tx = p.begin().await?;
            let current: Option<sqlx::types::Json<serde_json::Value>> =
                sqlx::query_scalar(read).bind(id.0).fetch_optional(&mut *tx).await?;
            let Some(sqlx::types::Json(mut settings)) = current else {
                return Err(StoreError::NotFound("no such account".into()));
            };
            if !settings.is_object() {
                settings = serde_json::json!({});
            }
            if let Some(map) = settings.as_object_mut() {
                match value {
                    Some(v) => map.insert(key.to_string(), v.into()),
                    None => map.remove(key),
                };
            }
            sqlx::query(write).bind(id.0).bind(sqlx::types::Json(settings)).execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    async fn account_where<T>(&self, condition: &str, value: T) -> Result<Option<Account>>
    where
        T: for<'q> sqlx::Encode<'q, sqlx::Sqlite>
            + sqlx::Type<sqlx::Sqlite>
            + for<'q> sqlx::Encode<'q, sqlx::Postgres>
            + sqlx::Type<sqlx::Postgres>
            + Send,
    {
        let sql = format!("SELECT id, name FROM accounts WHERE {condition}");
        let row: Option<(Uuid, String)> = on_pool!(&self.db, p => sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(value)
            .fetch_optional(p)
            .await?
            .map(|r| Ok::<_, StoreError>((r.try_get("id")?, r.try_get("name")?)))
            .transpose()?);
        Ok(row.map(|(id, name)| Account {
            id: AccountId(id),
            name,
        }))
    }

    /// The account the CLI acts as until accounts arrive with the web app:
    /// `name` if it exists, created on first use.
    pub async fn default_account(&self, name: &str) -> Result<Account> {
        if let Some(a) = self.account(name).await? {
            return Ok(a);
        }
        match self.create_account(name).await {
            Ok(a) => Ok(a),
            // Another process created it meanwhile.
            Err(StoreError::Conflict(_)) => self
                .account(name)
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("account {name:?}"))),
            Err(e) => Err(e),
        }
    }

    /// Starts a read-only use of the store acting as `account` (no write lock).
    pub async fn begin_read(&self, account: AccountId) -> Result<Tx> {
        let started = Instant::now();
        let inner = match &self.db {
            Db::Sqlite(p) => DbTx::Sqlite(p.begin().await?),
            Db::Postgres(p) => DbTx::Postgres(p.begin().await?),
        };
        self.waited(started);
        Ok(Tx {
            account,
            inner,
            orgs_written: Default::default(),
            writes: false,
        })
    }

    /// Starts a transaction acting as `account`. On SQLite it takes the write
    /// lock at once (`BEGIN IMMEDIATE`) so two writers never deadlock; on
    /// PostgreSQL it serialises writers of the same account with an advisory lock.
    pub async fn begin(&self, account: AccountId) -> Result<Tx> {
        let started = Instant::now();
        let inner = match &self.db {
            Db::Sqlite(p) => {
                let tx = self
                    .sqlite_writer
                    .as_ref()
                    .unwrap_or(p)
                    .begin_with("BEGIN IMMEDIATE")
                    .await?;
                self.waited(started);
                DbTx::Sqlite(tx)
            }
            Db::Postgres(p) => {
                let mut tx = p.begin().await?;
                self.waited(started);
                let lock =
                    i64::from_le_bytes(account.0.as_bytes()[..8].try_into().unwrap_or_default());
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(lock)
                    .execute(&mut *tx)
                    .await?;
                DbTx::Postgres(tx)
            }
        };
        Ok(Tx {
            account,
            inner,
            orgs_written: Default::default(),
            writes: true,
        })
    }
}

/// Eight random hex digits (the last of a v7 UUID, all random bits).
fn random_epoch() -> String {
    Uuid::now_v7().simple().to_string()[24..].to_string()
}

/// A database URL with its password hidden, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Every statement is a trace line of `sqlx::query` (seen only with
/// `KITH_LOG=sqlx::query=trace`, to see what a request asks the database);
/// slow ones are not singled out: a large import's statements are slow by
/// design.
fn statement_logging<O: ConnectOptions>(options: O) -> O {
    options
        .log_statements(log::LevelFilter::Trace)
        .log_slow_statements(log::LevelFilter::Off, Duration::from_secs(1))
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_hidden() {
        assert_eq!(
            super::redact("postgres://kith:secret@db/kith"),
            "postgres://kith:***@db/kith"
        );
        assert_eq!(super::redact("postgres://db/kith"), "postgres://db/kith");
    }
}
