//! kith-store: persistence of address books on SQLite (embedded default) or
//! PostgreSQL, with one schema and per-engine migrations. Privacy is
//! structural: every read and write is scoped by an [`AccountId`] — either
//! passed to the method or fixed in the [`Tx`] when it begins — so code
//! cannot reach another account's rows without naming that account.
//! Knows nothing of files, HTTP or the terminal.

pub mod auth;
pub mod cards;
pub mod dates;
pub mod dav;
mod digests;
mod engine;
pub mod follow;
mod index;
mod interactions;
pub mod keep_in_touch;
mod migrate;
pub mod network;
mod orgs;
pub mod tx;

use kith_core::{AccountId, Card, Person, PersonId};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use uuid::Uuid;

pub use engine::Store;
pub use tx::Tx;

/// Errors from the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("cannot open database {url}: {message}")]
    Open { url: String, message: String },
    #[error("stored data is damaged: {0}")]
    Corrupt(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// An account (the owner of one address book).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: AccountId,
    pub name: String,
}

/// A person with the bookkeeping the store keeps about them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredPerson {
    pub person: Person,
    pub is_me: bool,
    /// Incremented on every change (the basis of ETags).
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What to list.
#[derive(Clone, Debug, Default)]
pub struct PeopleFilter {
    /// Words that must all appear in the name, emails, phones, organisations, titles or tags.
    pub search: Option<String>,
    pub tag: Option<String>,
    /// Organisation name: people who currently or formerly worked there.
    pub organization: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    pub sort: PeopleSort,
}

/// The order of a list of people.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeopleSort {
    /// By family name, then given name.
    #[default]
    Name,
    /// Most recently added first.
    Added,
    /// Most recently changed first.
    Changed,
}

impl PeopleSort {
    /// The SQL ORDER BY terms over `people p`.
    pub(crate) fn order_by(self) -> &'static str {
        match self {
            PeopleSort::Name => "p.sort_key, p.id",
            PeopleSort::Added => "p.created_at DESC, p.id",
            PeopleSort::Changed => "p.updated_at DESC, p.id",
        }
    }
}

/// An organisation of an account, with how many living people hold or held
/// a position there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgSummary {
    pub id: Uuid,
    pub name: String,
    /// The normalised name people's positions refer to.
    pub norm_name: String,
    /// People with a current position there (no end date).
    pub current: i64,
    /// People whose every position there has ended.
    pub former: i64,
}

/// An organisation with the other spellings and email domains it was seen
/// under.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgDetail {
    pub summary: OrgSummary,
    pub aliases: Vec<String>,
    pub domains: Vec<String>,
}

/// A tag and how many living people carry it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagCount {
    pub tag: String,
    pub people: i64,
}

/// A recorded merge, kept so that it can be undone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MergeRecord {
    pub id: Uuid,
    pub survivor: PersonId,
    pub absorbed: PersonId,
    /// The survivor's card just before the merge.
    pub survivor_before: Card,
    /// The absorbed person's card at the merge.
    pub absorbed_card: Card,
    pub reasons: Vec<String>,
    pub created_at: i64,
    pub undone_at: Option<i64>,
}

/// A pair of people that may be the same person.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    pub a: PersonId,
    pub b: PersonId,
    pub score: f64,
    pub reasons: Vec<String>,
}

/// Current time in microseconds since the Unix epoch.
pub fn now_micros() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0)
}

fn decode_json<T: serde::de::DeserializeOwned>(what: &str, v: serde_json::Value) -> Result<T> {
    serde_json::from_value(v).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

/// Reads a person row (columns id, card, is_me, version, created_at, updated_at).
fn person_from_row<R>(row: &R) -> Result<StoredPerson>
where
    R: Row,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    Uuid: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    sqlx::types::Json<serde_json::Value>:
        for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    bool: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    i64: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let id: Uuid = row.try_get("id")?;
    let card: sqlx::types::Json<serde_json::Value> = row.try_get("card")?;
    Ok(StoredPerson {
        person: Person {
            id: PersonId(id),
            card: decode_json("person card", card.0)?,
        },
        is_me: row.try_get("is_me")?,
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

pub mod testing {
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

    /// Creates a new, uniquely named database on the server at `admin_url`
    /// and opens it; the caller drops it.
    async fn fresh_postgres(admin_url: &str) -> Result<(Store, String)> {
        let name = format!("kith_test_{}", uuid::Uuid::now_v7().simple());
        let mut admin = sqlx::PgConnection::connect(admin_url).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await?;
        admin.close().await?;
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
                let dir = std::env::temp_dir()
                    .join(format!("kith-test-{}", uuid::Uuid::now_v7().simple()));
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
}
