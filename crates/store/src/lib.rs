//! kith-store: persistence of address books on SQLite (embedded default) or
//! PostgreSQL, with one schema and per-engine migrations. Privacy is
//! structural: every read and write is scoped by an [`AccountId`] — either
//! passed to the method or fixed in the [`Tx`] when it begins — so code
//! cannot reach another account's rows without naming that account.
//! Knows nothing of files, HTTP or the terminal.

pub mod auth;
pub mod cards;
pub mod catch_up;
mod changelog;
pub mod dates;
pub mod dav;
mod db;
mod digests;
pub mod dump;
mod engine;
pub mod federation;
mod index;
mod interactions;
pub mod jobs;
pub mod keep_in_touch;
mod migrate;
pub mod network;
mod orgs;
pub mod sources;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod throttle;
pub mod tx;

use kith_core::{AccountId, Card, Person, PersonId};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use db::now_micros;
pub use engine::{PoolWaits, Store, SyncEpoch};
pub use tx::Tx;

/// Errors from the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(sqlx::Error),
    /// The database cannot be reached now (no connection within the pool's
    /// acquire timeout, a connection lost, the server shutting down): the
    /// request may be tried again later; nothing was written.
    #[error("the database cannot be reached: {0}")]
    Unavailable(String),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The database was brought further by a newer kith than this one.
    #[error(
        "the database is at schema version {found}, newer than the {known} this kith knows: \
         run the newer kith (or restore a backup made by this version)"
    )]
    SchemaNewer { found: i64, known: i64 },
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

impl From<sqlx::Error> for StoreError {
    /// Errors that mean "the database is not there now" become
    /// [`StoreError::Unavailable`]: front doors answer them with "try again"
    /// (503), never as a wrong password or a bug.
    fn from(e: sqlx::Error) -> StoreError {
        let unavailable = match &e {
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::WorkerCrashed => true,
            // PostgreSQL's connection exceptions (class 08) and its
            // "shutting down / starting up" (57P01-57P03).
            sqlx::Error::Database(d) => d
                .code()
                .is_some_and(|c| c.starts_with("08") || matches!(&*c, "57P01" | "57P02" | "57P03")),
            _ => false,
        };
        if unavailable {
            StoreError::Unavailable(e.to_string())
        } else {
            StoreError::Db(e)
        }
    }
}

/// How many connections a store keeps and how long a request waits for
/// one before the database counts as unavailable.
#[derive(Clone, Copy, Debug)]
pub struct PoolSettings {
    /// Connections to PostgreSQL (SQLite keeps 4: one writer at a time).
    pub connections: u32,
    /// The longest wait for a connection; past it the request fails at
    /// once with [`StoreError::Unavailable`] instead of hanging.
    pub acquire_timeout: std::time::Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        PoolSettings {
            connections: 8,
            acquire_timeout: std::time::Duration::from_secs(3),
        }
    }
}

/// What readiness asks of the database.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SchemaStatus {
    /// The newest migration applied.
    pub applied: i64,
    /// The newest this kith knows.
    pub known: i64,
}

/// The pool's use at one moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolUse {
    /// Connections open (idle or in use).
    pub open: u32,
    pub idle: u32,
    pub max: u32,
}

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
