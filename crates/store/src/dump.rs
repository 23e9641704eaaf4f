//! Every row of kith's tables, read in one consistent snapshot and written
//! into an empty store of either engine: what backups, restores and moving
//! between SQLite and PostgreSQL stand on. Rows travel as [`Cell`]s, a
//! value model both engines share (a UUID is its 16 bytes, JSON its text,
//! a boolean itself); the loader turns each into the target column's type.
//! Left out: what is derived or belongs to one running server (the search
//! table PostgreSQL keeps by trigger, sign-in throttling, import jobs, the
//! setup link, the sync epoch, the migration list).

use crate::db::{Db, DbTx, on_pool, on_tx};
use crate::{Result, Store, StoreError};
use futures_util::TryStreamExt;
use sqlx::{Column, Row, TypeInfo, ValueRef};
use std::collections::HashMap;

/// One value of one row.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Null,
    Int(i64),
    Float(f64),
    Text(String),
    Bytes(Vec<u8>),
    Bool(bool),
}

/// Where dumped rows go, table by table: a file, or a [`Loader`] into
/// another store.
pub trait DumpSink {
    /// Before any table: the dumped database's schema version.
    fn begin(&mut self, schema: i64) -> impl Future<Output = Result<()>> + Send;
    /// The rows that follow are `table`'s, with these columns.
    fn table(&mut self, table: &str, columns: &[String])
    -> impl Future<Output = Result<()>> + Send;
    fn row(&mut self, cells: Vec<Cell>) -> impl Future<Output = Result<()>> + Send;
}

/// What a dump held.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DumpInfo {
    /// The schema version of the dumped database.
    pub schema: i64,
    pub tables: usize,
    pub rows: u64,
}

/// Tables never dumped nor loaded.
const LEFT_OUT: &[&str] = &[
    "_sqlx_migrations",
    "people_search",
    "sign_in_failures",
    "sign_in_known",
    "import_jobs",
    "setup_tokens",
    "store_meta",
];

/// Dumped first: the other tables' foreign keys point at it.
const FIRST: &str = "accounts";

fn kept(table: &str) -> bool {
    !LEFT_OUT.contains(&table) && !table.starts_with("sqlite_")
}

/// The tables to dump, `accounts` first, the rest by name.
async fn tables(tx: &mut DbTx) -> Result<Vec<String>> {
    let sql = match tx {
        DbTx::Sqlite(_) => "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
        DbTx::Postgres(_) => {
            "SELECT table_name::text AS name FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1"
        }
    };
    let mut names: Vec<String> = on_tx!(tx, c => sqlx::query_scalar(sql).fetch_all(&mut *c).await?);
    names.retain(|n| kept(n));
    names.sort_by_key(|n| (n != FIRST, n.clone()));
    Ok(names)
}

fn sqlite_cell(row: &sqlx::sqlite::SqliteRow, i: usize) -> Result<Cell> {
    let raw = row.try_get_raw(i)?;
    if raw.is_null() {
        return Ok(Cell::Null);
    }
    // The value's own storage class (SQLite types values, not columns).
    let class = raw.type_info().name().to_ascii_uppercase();
    Ok(match class.as_str() {
        "INTEGER" | "INT8" | "BIGINT" | "BOOLEAN" => Cell::Int(row.try_get_unchecked(i)?),
        "REAL" => Cell::Float(row.try_get_unchecked(i)?),
        "BLOB" => Cell::Bytes(row.try_get_unchecked(i)?),
        _ => Cell::Text(row.try_get_unchecked(i)?),
    })
}

fn postgres_cell(row: &sqlx::postgres::PgRow, i: usize) -> Result<Cell> {
    let raw = row.try_get_raw(i)?;
    if raw.is_null() {
        return Ok(Cell::Null);
    }
    let kind = row.column(i).type_info().name().to_ascii_uppercase();
    Ok(match kind.as_str() {
        "UUID" => Cell::Bytes(row.try_get::<uuid::Uuid, _>(i)?.as_bytes().to_vec()),
        "BYTEA" => Cell::Bytes(row.try_get(i)?),
        "INT8" => Cell::Int(row.try_get(i)?),
        "INT4" => Cell::Int(row.try_get::<i32, _>(i)?.into()),
        "INT2" => Cell::Int(row.try_get::<i16, _>(i)?.into()),
        "BOOL" => Cell::Bool(row.try_get(i)?),
        "FLOAT8" => Cell::Float(row.try_get(i)?),
        "FLOAT4" => Cell::Float(row.try_get::<f32, _>(i)?.into()),
        "JSONB" | "JSON" => Cell::Text(row.try_get::<serde_json::Value, _>(i)?.to_string()),
        "TEXT" | "VARCHAR" | "BPCHAR" | "NAME" => Cell::Text(row.try_get(i)?),
        other => {
            return Err(StoreError::Corrupt(format!(
                "column {} of type {other}: not something kith stores",
                row.column(i).name()
            )));
        }
    })
}

impl Store {
    /// Every kept table's rows, in one consistent snapshot (the server may
    /// go on writing meanwhile), handed to `sink` as they are read.
    pub async fn dump<S: DumpSink>(&self, sink: &mut S) -> Result<DumpInfo> {
        let mut tx = match &self.db {
            Db::Sqlite(p) => DbTx::Sqlite(p.begin().await?),
            Db::Postgres(p) => DbTx::Postgres(
                p.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await?,
            ),
        };
        let schema: i64 = on_tx!(&mut tx, c => sqlx::query_scalar(
            "SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success"
        ).fetch_one(&mut *c).await?);
        sink.begin(schema).await?;
        let names = tables(&mut tx).await?;
        let mut info = DumpInfo {
            schema,
            tables: names.len(),
            rows: 0,
        };
        for table in &names {
            let sql = format!("SELECT * FROM {table}");
            let mut announced = false;
            // One body for both engines: their rows are different types.
            macro_rules! stream {
                ($t:expr, $cell:expr) => {{
                    let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(&mut **$t);
                    while let Some(row) = rows.try_next().await? {
                        if !announced {
                            sink.table(table, &column_names(&row)).await?;
                            announced = true;
                        }
                        let cells = (0..row.len())
                            .map(|i| $cell(&row, i))
                            .collect::<Result<_>>()?;
                        sink.row(cells).await?;
                        info.rows += 1;
                    }
                }};
            }
            match &mut tx {
                DbTx::Sqlite(t) => stream!(t, sqlite_cell),
                DbTx::Postgres(t) => stream!(t, postgres_cell),
            }
        }
        Ok(info)
    }

    /// A loader into this store, which must hold no account yet, for a
    /// dump of schema version `schema` (this kith's own only).
    pub async fn loader(&self, schema: i64) -> Result<Loader> {
        let status = self.schema_status().await?;
        if schema != status.known {
            return Err(StoreError::Conflict(format!(
                "the backup is of schema version {schema}, this kith's is {}: restore it with the kith \
                 version that made it, then upgrade",
                status.known
            )));
        }
        let accounts: i64 = on_pool!(&self.db, p => sqlx::query_scalar("SELECT COUNT(*) FROM accounts")
            .fetch_one(p).await?);
        if accounts > 0 {
            return Err(StoreError::Conflict(
                "the target database holds accounts already: restore into an empty one".into(),
            ));
        }
        let tx = match &self.db {
            Db::Sqlite(p) => DbTx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(p) => DbTx::Postgres(p.begin().await?),
        };
        Ok(Loader {
            store: self.clone(),
            tx,
            table: None,
            rows: Vec::new(),
            loaded: 0,
        })
    }
}

fn column_names<R: Row>(row: &R) -> Vec<String> {
    row.columns().iter().map(|c| c.name().to_string()).collect()
}

/// A target column: its name and, on PostgreSQL, its type.
#[derive(Clone, Debug)]
struct Target {
    name: String,
    kind: String,
}

/// The table being loaded: its columns in the dump's order.
struct Loading {
    name: String,
    columns: Vec<Target>,
    identity: Option<String>,
}

/// Writes dumped rows into an empty store, in one transaction: nothing is
/// there unless everything is.
pub struct Loader {
    store: Store,
    tx: DbTx,
    table: Option<Loading>,
    rows: Vec<Vec<Cell>>,
    loaded: u64,
}

/// Rows per INSERT (bounded by the parameters a statement may carry).
fn batch_rows(columns: usize) -> usize {
    (30_000 / columns.max(1)).clamp(1, 500)
}

impl Loader {
    /// The rows that follow are `table`'s, with these columns.
    pub async fn table(&mut self, table: &str, columns: &[String]) -> Result<()> {
        self.flush().await?;
        self.finish_table().await?;
        if !kept(table) {
            return Err(StoreError::Conflict(format!(
                "the backup holds table {table:?}, which a restore does not write"
            )));
        }
        // The name comes from a file and goes into SQL: only the target's
        // own tables are accepted (and written as the schema names them).
        if !tables(&mut self.tx).await?.iter().any(|t| t == table) {
            return Err(StoreError::Conflict(format!(
                "the backup holds table {table:?}, which this kith does not know"
            )));
        }
        let (known, identity): (HashMap<String, String>, Option<String>) = match &mut self.tx {
            DbTx::Sqlite(t) => {
                let cols: Vec<(String, String)> =
                    sqlx::query_as("SELECT name, type FROM pragma_table_info($1)")
                        .bind(table)
                        .fetch_all(&mut **t)
                        .await?;
                (cols.into_iter().collect(), None)
            }
            DbTx::Postgres(t) => {
                let sql = "SELECT column_name::text, udt_name::text, is_identity::text \
                           FROM information_schema.columns \
                           WHERE table_schema = current_schema() AND table_name = $1";
                let cols: Vec<(String, String, String)> =
                    sqlx::query_as(sql).bind(table).fetch_all(&mut **t).await?;
                let identity = cols.iter().find(|c| c.2 == "YES").map(|c| c.0.clone());
                (cols.into_iter().map(|(n, k, _)| (n, k)).collect(), identity)
            }
        };
        if known.is_empty() {
            return Err(StoreError::Conflict(format!(
                "the backup holds table {table:?}, which this kith does not know"
            )));
        }
        let columns = columns
            .iter()
            .map(|c| {
                known
                    .get(c)
                    .map(|kind| Target {
                        name: c.clone(),
                        kind: kind.to_ascii_lowercase(),
                    })
                    .ok_or_else(|| {
                        StoreError::Conflict(format!(
                            "the backup's table {table} has a column {c:?} this kith does not know"
                        ))
                    })
            })
            .collect::<Result<_>>()?;
        self.table = Some(Loading {
            name: table.to_string(),
            columns,
            identity,
        });
        Ok(())
    }

    pub async fn row(&mut self, cells: Vec<Cell>) -> Result<()> {
        let Some(table) = &self.table else {
            return Err(StoreError::Conflict(
                "the backup has a row before any table".into(),
            ));
        };
        if cells.len() != table.columns.len() {
            return Err(StoreError::Conflict(format!(
                "a row of {} has {} values for {} columns",
                table.name,
                cells.len(),
                table.columns.len()
            )));
        }
        self.rows.push(cells);
        if self.rows.len() >= batch_rows(table.columns.len()) {
            self.flush().await?;
        }
        Ok(())
    }

    /// Writes the rows waiting.
    async fn flush(&mut self) -> Result<()> {
        let Some(table) = &self.table else {
            return Ok(());
        };
        if self.rows.is_empty() {
            return Ok(());
        }
        let rows = std::mem::take(&mut self.rows);
        let width = table.columns.len();
        let names: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
        let postgres = matches!(self.tx, DbTx::Postgres(_));
        let mut values = Vec::with_capacity(rows.len());
        for r in 0..rows.len() {
            let one: Vec<String> = table
                .columns
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let n = r * width + i + 1;
                    if postgres && c.kind == "jsonb" {
                        format!("${n}::jsonb")
                    } else {
                        format!("${n}")
                    }
                })
                .collect();
            values.push(format!("({})", one.join(", ")));
        }
        let overriding = if postgres && table.identity.is_some() {
            " OVERRIDING SYSTEM VALUE"
        } else {
            ""
        };
        let sql = format!(
            "INSERT INTO {} ({}){overriding} VALUES {}",
            table.name,
            names.join(", "),
            values.join(", ")
        );
        match &mut self.tx {
            DbTx::Sqlite(t) => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for cell in rows.into_iter().flatten() {
                    q = match cell {
                        Cell::Null => q.bind(None::<i64>),
                        Cell::Int(v) => q.bind(v),
                        Cell::Float(v) => q.bind(v),
                        Cell::Text(v) => q.bind(v),
                        Cell::Bytes(v) => q.bind(v),
                        Cell::Bool(v) => q.bind(v),
                    };
                }
                self.loaded += q.execute(&mut **t).await?.rows_affected();
            }
            DbTx::Postgres(t) => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for row in rows {
                    for (cell, column) in row.into_iter().zip(&table.columns) {
                        q = bind_postgres(q, cell, column, &table.name)?;
                    }
                }
                self.loaded += q.execute(&mut **t).await?.rows_affected();
            }
        }
        Ok(())
    }

    /// After a table with an identity column (PostgreSQL): its sequence
    /// goes on after the largest value loaded.
    async fn finish_table(&mut self) -> Result<()> {
        let Some(table) = self.table.take() else {
            return Ok(());
        };
        if let (Some(column), DbTx::Postgres(t)) = (&table.identity, &mut self.tx) {
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence('{0}', '{1}'), COALESCE((SELECT MAX({1}) FROM {0}), 0) + 1, false)",
                table.name, column
            );
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&mut **t)
                .await?;
        }
        Ok(())
    }

    /// Commits everything loaded, and gives the store a new sync epoch
    /// (sync tokens given before the restore are refused). The rows loaded.
    pub async fn finish(mut self) -> Result<u64> {
        self.flush().await?;
        self.finish_table().await?;
        self.tx.commit().await?;
        self.store.new_epoch_after_restore().await?;
        Ok(self.loaded)
    }
}

impl DumpSink for Loader {
    async fn begin(&mut self, schema: i64) -> Result<()> {
        let known = crate::migrate::known();
        if schema == known {
            Ok(())
        } else {
            Err(StoreError::Conflict(format!(
                "the source is of schema version {schema}, the target's is {known}: use one kith version for both"
            )))
        }
    }
    async fn table(&mut self, table: &str, columns: &[String]) -> Result<()> {
        Loader::table(self, table, columns).await
    }
    async fn row(&mut self, cells: Vec<Cell>) -> Result<()> {
        Loader::row(self, cells).await
    }
}

type PgQuery<'q> = sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>;

/// Binds `cell` as `column`'s PostgreSQL type wants it.
fn bind_postgres<'q>(
    q: PgQuery<'q>,
    cell: Cell,
    column: &Target,
    table: &str,
) -> Result<PgQuery<'q>> {
    let wrong = |cell: &Cell| {
        StoreError::Conflict(format!(
            "{table}.{}: {cell:?} does not fit a {} column",
            column.name, column.kind
        ))
    };
    Ok(match (column.kind.as_str(), cell) {
        (_, Cell::Null) => match column.kind.as_str() {
            "uuid" => q.bind(None::<uuid::Uuid>),
            "bytea" => q.bind(None::<Vec<u8>>),
            "bool" => q.bind(None::<bool>),
            "int8" | "int4" | "int2" => q.bind(None::<i64>),
            "float8" | "float4" => q.bind(None::<f64>),
            _ => q.bind(None::<String>),
        },
        ("uuid", Cell::Bytes(b)) => {
            q.bind(uuid::Uuid::from_slice(&b).map_err(|_| wrong(&Cell::Bytes(b)))?)
        }
        ("uuid", Cell::Text(t)) => {
            q.bind(t.parse::<uuid::Uuid>().map_err(|_| wrong(&Cell::Text(t)))?)
        }
        ("bytea", Cell::Bytes(b)) => q.bind(b),
        ("bool", Cell::Bool(b)) => q.bind(b),
        ("bool", Cell::Int(i)) => q.bind(i != 0),
        ("int8" | "int4" | "int2", Cell::Int(i)) => q.bind(i),
        ("int8" | "int4" | "int2", Cell::Bool(b)) => q.bind(i64::from(b)),
        ("float8" | "float4", Cell::Float(f)) => q.bind(f),
        ("float8" | "float4", Cell::Int(i)) => q.bind(i as f64),
        ("jsonb" | "json" | "text" | "varchar", Cell::Text(t)) => q.bind(t),
        (_, cell) => return Err(wrong(&cell)),
    })
}
