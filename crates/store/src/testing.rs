//! Stores for tests: a fresh SQLite file, and a fresh PostgreSQL database
//! on the server named by `KITH_TEST_DATABASE_URL` (the test script starts
//! one). Lets every storage test run on both engines.

use crate::{Result, Store, StoreError};
use sqlx::Connection;

/// The engines to test on: SQLite always, PostgreSQL when configured.
/// Each comes with a fresh, empty database; keep the returned guard alive:
/// dropping it removes the database.
pub async fn stores() -> Vec<(Store, TestDatabase)> {
    let mut out = vec![sqlite().await];
    if let Ok(url) = std::env::var("KITH_TEST_DATABASE_URL") {
        let (store, name) = fresh_postgres(&url).await.unwrap_or_else(|e| {
            panic!("cannot open a test PostgreSQL store at KITH_TEST_DATABASE_URL: {e}")
        });
        out.push((
            store,
            TestDatabase::Postgres {
                admin_url: url,
                name,
            },
        ));
    }
    out
}

/// A fresh SQLite store alone, for tests that need one engine only.
pub async fn sqlite() -> (Store, TestDatabase) {
    let guard = tempfile_guard::Guard::new();
    let store = Store::open_sqlite(&guard.path().join("kith.db"))
        .await
        .unwrap_or_else(|e| panic!("cannot open a test SQLite store: {e}"));
    (store, TestDatabase::Sqlite(guard))
}

/// What a test store lives in, removed on drop so that a whole test run
/// leaves no databases behind (a CI machine's disk is not endless).
pub enum TestDatabase {
    Sqlite(tempfile_guard::Guard),
    Postgres { admin_url: String, name: String },
}

impl TestDatabase {
    /// The URL to open this database again (another server on it).
    pub fn url(&self) -> String {
        match self {
            TestDatabase::Sqlite(guard) => guard.path().join("kith.db").display().to_string(),
            TestDatabase::Postgres { .. } => self.postgres_url().unwrap_or_default(),
        }
    }

    /// The URL of a PostgreSQL test database (None for SQLite), for tests
    /// that open it again (through a proxy, from another server).
    pub fn postgres_url(&self) -> Option<String> {
        let TestDatabase::Postgres { admin_url, name } = self else {
            return None;
        };
        let (base, query) = match admin_url.split_once('?') {
            Some((b, q)) => (b, format!("?{q}")),
            None => (admin_url.as_str(), String::new()),
        };
        let base = base.rsplit_once('/').map(|(b, _)| b)?;
        Some(format!("{base}/{name}{query}"))
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let TestDatabase::Postgres { admin_url, name } = self else {
            return;
        };
        let (admin_url, sql) = (
            admin_url.clone(),
            format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        );
        // Drop runs inside the test's runtime, which cannot be blocked on:
        // a thread of its own with its own runtime does the dropping.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let mut admin = sqlx::PgConnection::connect(&admin_url).await.ok()?;
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .execute(&mut admin)
                    .await
                    .ok()?;
                admin.close().await.ok()
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(()))) {
            eprintln!("note: could not drop the test database {name}");
        }
    }
}

/// Empty databases (never opened, no schema) on every engine tested, each
/// with its URL: for tests of what happens at the first start.
pub async fn empty_databases() -> Vec<(String, TestDatabase)> {
    let guard = tempfile_guard::Guard::new();
    let mut out = vec![(
        guard.path().join("kith.db").display().to_string(),
        TestDatabase::Sqlite(guard),
    )];
    if let Ok(url) = std::env::var("KITH_TEST_DATABASE_URL") {
        let name = empty_postgres(&url)
            .await
            .unwrap_or_else(|e| panic!("cannot create a test PostgreSQL database: {e}"));
        let db = TestDatabase::Postgres {
            admin_url: url,
            name,
        };
        out.push((db.url(), db));
    }
    out
}

/// Records a migration this kith does not know, as a newer kith would.
pub async fn add_unknown_migration(store: &Store, version: i64) {
    let sql = "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) \
               VALUES ($1, 'from a newer kith', CURRENT_TIMESTAMP, TRUE, $2, 0)";
    let checksum: Vec<u8> = vec![0; 48];
    crate::db::on_pool!(&store.db, p => sqlx::query(sql).bind(version).bind(checksum).execute(p).await.map(|_| ()))
        .unwrap_or_else(|e| panic!("cannot record a migration: {e}"));
}

async fn empty_postgres(admin_url: &str) -> Result<String> {
    let name = format!("kith_test_{}", uuid::Uuid::now_v7().simple());
    let mut admin = sqlx::PgConnection::connect(admin_url).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await?;
    admin.close().await?;
    Ok(name)
}

/// Creates a new, uniquely named database on the server at `admin_url`
/// and opens it; the caller drops it.
async fn fresh_postgres(admin_url: &str) -> Result<(Store, String)> {
    let name = empty_postgres(admin_url).await?;
    let (base, query) = match admin_url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (admin_url, String::new()),
    };
    let base = base
        .rsplit_once('/')
        .map(|(b, _)| b)
        .ok_or_else(|| StoreError::Open {
            url: admin_url.into(),
            message: "expected postgres://HOST/DATABASE".into(),
        })?;
    let store = Store::open_postgres(&format!("{base}/{name}{query}")).await?;
    Ok((store, name))
}

pub mod tempfile_guard {
    //! A temporary directory removed on drop (kept dependency-free).
    use std::path::{Path, PathBuf};

    pub struct Guard(PathBuf);

    impl Guard {
        pub fn new() -> Guard {
            let dir =
                std::env::temp_dir().join(format!("kith-test-{}", uuid::Uuid::now_v7().simple()));
            std::fs::create_dir_all(&dir)
                .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
            Guard(dir)
        }

        pub fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Default for Guard {
        fn default() -> Self {
            Self::new()
        }
    }

    impl Drop for Guard {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}
