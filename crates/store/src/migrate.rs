//! The schema's migrations: one list of (file, name), each file written
//! once per engine (`migrations/sqlite`, `migrations/postgres`) and embedded
//! in the binary. Version N is the list's Nth entry, `000N_*.sql`, the same
//! change on both engines. Also the data steps some migrations need when
//! an older database is opened (the dates of people stored before
//! migration 6, card-link secrets from before 13). Uses only `crate::db`.

use crate::db::{Db, on_pool};
use crate::{Result, StoreError};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{Row, SqlSafeStr};
use uuid::Uuid;

/// One migration: its file name (without `.sql`), its name as recorded in
/// `_sqlx_migrations`, and its SQL on each engine.
pub(crate) struct Step {
    /// Only the tests read it (the SQL is embedded from it).
    #[cfg(test)]
    pub file: &'static str,
    pub name: &'static str,
    pub sqlite: &'static str,
    pub postgres: &'static str,
}

/// Lists the migrations in order, embedding each engine's file.
macro_rules! steps {
    ($($file:literal => $name:literal,)*) => {
        &[$(Step {
            #[cfg(test)]
            file: $file,
            name: $name,
            sqlite: include_str!(concat!("../migrations/sqlite/", $file, ".sql")),
            postgres: include_str!(concat!("../migrations/postgres/", $file, ".sql")),
        },)*]
    };
}

/// Every migration, oldest first (version = position + 1).
pub(crate) const STEPS: &[Step] = steps! {
    "0001_address_book" => "address book",
    "0002_accounts_and_sessions" => "accounts and sessions",
    "0003_people_search" => "people search",
    "0004_interactions" => "interactions",
    "0005_keep_in_touch" => "keep in touch",
    "0006_dates_and_circles" => "dates and circles",
    "0007_digests" => "digests",
    "0008_carddav" => "carddav",
    "0009_network" => "network",
    "0010_cards" => "cards",
    "0011_merges_by_account" => "merges by account",
    "0012_usage_caps" => "usage caps",
    "0013_hashed_card_links" => "hashed card links",
    "0014_shared_server_state" => "shared server state",
    "0015_store_meta" => "store meta",
    "0016_tags_by_lower_name" => "tags by lower name",
    "0017_notes_and_lookups" => "notes and lookups",
    "0018_sources" => "sources",
    "0019_federation" => "federation",
};

/// The migration that made `person_dates`: opening a database from before
/// it also writes the dates of the people already there.
pub(crate) const DATES_MIGRATION: i64 = 6;

/// The migration that made `person_notes`: opening a database from before
/// it also writes the notes of the people already there.
pub(crate) const NOTES_MIGRATION: i64 = 17;

/// Brings the database up to date: the engine's migrations, then the data
/// steps that go with some of them.
pub(crate) async fn run(db: &Db) -> Result<()> {
    let had_dates = on_pool!(db, p => has_migration(p, DATES_MIGRATION).await);
    let had_notes = on_pool!(db, p => has_migration(p, NOTES_MIGRATION).await);
    // Servers starting together on one database migrate once: sqlx takes
    // an advisory lock on PostgreSQL for the whole run; on SQLite the
    // caller holds a lock file (`Store::open_sqlite`). A database with a
    // migration this kith does not know is refused.
    let ran = match db {
        Db::Sqlite(p) => sqlite().run(p).await,
        Db::Postgres(p) => postgres().run(p).await,
    };
    match ran {
        Err(sqlx::migrate::MigrateError::VersionMissing(_)) => {
            let sql = "SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations";
            let found: i64 = on_pool!(db, p => sqlx::query_scalar(sql).fetch_one(p).await?);
            return Err(StoreError::SchemaNewer {
                found,
                known: known(),
            });
        }
        other => other?,
    }
    if !had_dates {
        backfill_dates(db).await?;
    }
    if !had_notes {
        backfill_notes(db).await?;
    }
    hash_legacy_card_links(db).await?;
    Ok(())
}

/// The newest migration this kith knows.
pub(crate) fn known() -> i64 {
    STEPS.len() as i64
}

/// SQLite's migrations.
pub(crate) fn sqlite() -> Migrator {
    migrator(|s| s.sqlite)
}

/// PostgreSQL's migrations.
pub(crate) fn postgres() -> Migrator {
    migrator(|s| s.postgres)
}

fn migrator(sql: fn(&Step) -> &'static str) -> Migrator {
    Migrator::with_migrations(
        STEPS
            .iter()
            .enumerate()
            .map(|(i, step)| {
                Migration::new(
                    i as i64 + 1,
                    step.name.into(),
                    MigrationType::Simple,
                    sql(step).into_sql_str(),
                    false,
                )
            })
            .collect(),
    )
}

/// Whether migration `version` had been applied (false on a new database).
pub(crate) async fn has_migration<'c, E>(executor: E, version: i64) -> bool
where
    E: sqlx::Executor<'c>,
    i64: sqlx::Type<E::Database> + for<'q> sqlx::Encode<'q, E::Database>,
    for<'r> i64: sqlx::Decode<'r, E::Database>,
    for<'a> <E::Database as sqlx::Database>::Arguments: sqlx::IntoArguments<E::Database>,
    usize: sqlx::ColumnIndex<<E::Database as sqlx::Database>::Row>,
{
    sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM _sqlx_migrations WHERE version = $1")
        .bind(version)
        .fetch_one(executor)
        .await
        .map(|n| n > 0)
        .unwrap_or(false)
}

/// Writes the yearly dates of every person stored before the table existed
/// (run once, right after the migration that made it), a page at a time.
pub(crate) async fn backfill_dates(db: &Db) -> Result<u64> {
    backfill(db, kith_core::dates::yearly_dates, |db, part| {
        Box::pin(async move {
            on_pool!(db, p => {
                let mut qb = sqlx::QueryBuilder::new("INSERT INTO person_dates (account_id, person_id, kind, month, day, year, label) ");
                qb.push_values(part, |mut b, (id, account, y)| {
                    b.push_bind(*account).push_bind(*id).push_bind(y.kind.as_str())
                        .push_bind(i32::from(y.date.month)).push_bind(i32::from(y.date.day.unwrap_or(0)))
                        .push_bind(y.date.year.map(i32::from)).push_bind(y.label.clone());
                });
                qb.push(" ON CONFLICT DO NOTHING");
                qb.build().execute(p).await?;
            });
            Ok(())
        })
    })
    .await
}

/// Writes `person_notes` for the people already there (migration 17), a
/// page of cards at a time.
pub(crate) async fn backfill_notes(db: &Db) -> Result<u64> {
    backfill(db, crate::index::note_texts, |db, part| {
        Box::pin(async move {
            on_pool!(db, p => {
                let mut qb = sqlx::QueryBuilder::new("INSERT INTO person_notes (account_id, person_id, note) ");
                qb.push_values(part, |mut b, (id, account, note)| {
                    b.push_bind(*account).push_bind(*id).push_bind(note.clone());
                });
                qb.build().execute(p).await?;
            });
            Ok(())
        })
    })
    .await
}

/// Rows a data step derived: (person, account, value).
type Derived<T> = [(Uuid, Uuid, T)];

/// A data step over the cards stored before it existed: `derive` reads
/// each living person's card (a page of 2,000 at a time, in id order) and
/// `insert` writes what it derived, 1,000 rows a call. Returns how many
/// rows were written.
async fn backfill<T: Sync>(
    db: &Db,
    derive: impl Fn(&kith_core::Card) -> Vec<T>,
    insert: impl for<'a> Fn(&'a Db, &'a Derived<T>) -> futures_util::future::BoxFuture<'a, Result<()>>,
) -> Result<u64> {
    const PAGE: i64 = 2_000;
    let sql = "SELECT id, account_id, card FROM people WHERE id > $1 AND deleted_at IS NULL ORDER BY id LIMIT $2";
    let mut after = Uuid::nil();
    let mut written = 0u64;
    loop {
        let rows: Vec<(Uuid, Uuid, sqlx::types::Json<kith_core::Card>)> =
            on_pool!(db, p => sqlx::query_as(sql).bind(after).bind(PAGE).fetch_all(p).await?);
        let Some(last) = rows.last() else {
            return Ok(written);
        };
        after = last.0;
        let derived: Vec<(Uuid, Uuid, T)> = rows
            .iter()
            .flat_map(|(id, account, card)| {
                derive(&card.0).into_iter().map(move |v| (*id, *account, v))
            })
            .collect();
        for part in derived.chunks(1_000) {
            insert(db, part).await?;
            written += part.len() as u64;
        }
    }
}

/// Links made before their secrets were hashed (migration 13): each
/// secret is hashed and forgotten, so the link already shared still opens
/// the card. Runs at every open; nothing to do once done.
pub(crate) async fn hash_legacy_card_links(db: &Db) -> Result<()> {
    use sha2::Digest;
    let sql = "SELECT id, legacy_token FROM card_links WHERE legacy_token IS NOT NULL";
    let legacy: Vec<(Uuid, String)> = on_pool!(db, p => sqlx::query(sql).fetch_all(p).await?.iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("legacy_token")?))).collect::<Result<_>>()?);
    let update = "UPDATE card_links SET token_hash = $1, legacy_token = NULL WHERE id = $2";
    for (id, token) in legacy {
        let hash = sha2::Sha256::digest(token.as_bytes()).to_vec();
        on_pool!(db, p => { sqlx::query(update).bind(hash).bind(id).execute(p).await?; });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::now_micros;
    use sha2::Digest;
    use std::collections::BTreeSet;
    use std::path::Path;

    /// The `.sql` file names (without the extension) in one engine's folder.
    fn folder(engine: &str) -> BTreeSet<String> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(engine);
        std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
            .map(|entry| {
                let name = entry
                    .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
                    .file_name();
                let name = name.to_string_lossy();
                name.strip_suffix(".sql")
                    .unwrap_or_else(|| panic!("{}/{name} is not a .sql file", dir.display()))
                    .to_string()
            })
            .collect()
    }

    #[test]
    fn both_engines_have_the_same_migration_files() {
        let sqlite = folder("sqlite");
        let postgres = folder("postgres");
        assert_eq!(
            sqlite, postgres,
            "migrations/sqlite and migrations/postgres must hold the same files"
        );
    }

    #[test]
    fn the_list_names_every_file_in_order() {
        let listed: Vec<&str> = STEPS.iter().map(|s| s.file).collect();
        let on_disk: Vec<String> = folder("sqlite").into_iter().collect();
        assert_eq!(
            listed, on_disk,
            "every migration file must be listed in migrate.rs, in order"
        );
        for (i, file) in listed.iter().enumerate() {
            assert!(
                file.starts_with(&format!("{:04}_", i + 1)),
                "migration {file} is listed as version {}",
                i + 1
            );
        }
    }

    /// Migration 17: cards stored before `person_notes` get their notes
    /// written at the next open; a person without notes gets no row.
    #[tokio::test]
    async fn notes_and_dates_of_cards_stored_before_are_written() {
        for (store, _guard) in crate::testing::stores().await {
            let engine = store.engine();
            let account = store.default_account("ana").await.unwrap().id;
            let mut card = kith_core::Card::default();
            card.name.full = "Grace Hopper".into();
            card.notes
                .push(kith_core::Text::new("Knows the NAVY", None));
            card.birthdays
                .push(kith_core::Text::new("1906-12-09", None));
            let person = kith_core::Person {
                id: kith_core::PersonId::new(),
                card,
            };
            let mut tx = store.begin(account).await.unwrap();
            tx.put_people(&[crate::tx::PersonWrite {
                person: &person,
                is_me: false,
                fresh: true,
            }])
            .await
            .unwrap();
            tx.commit().await.unwrap();
            on_pool!(&store.db, p => { sqlx::query("DELETE FROM person_notes").execute(p).await.unwrap(); });
            assert_eq!(backfill_notes(&store.db).await.unwrap(), 1, "{engine}");
            let mut tx = store.begin_read(account).await.unwrap();
            let found = tx.people_noting("the navy", 10).await.unwrap();
            assert_eq!(found.len(), 1, "{engine}");
            drop(tx);
            // The birthday, the same way.
            on_pool!(&store.db, p => { sqlx::query("DELETE FROM person_dates").execute(p).await.unwrap(); });
            assert_eq!(backfill_dates(&store.db).await.unwrap(), 1, "{engine}");
            let n: i64 = on_pool!(&store.db, p => sqlx::query_scalar("SELECT COUNT(*) FROM person_dates WHERE month = 12 AND day = 9").fetch_one(p).await.unwrap());
            assert_eq!(n, 1, "{engine}");
        }
    }

    /// Issue 20: public card-link tokens were stored in plain text. A link
    /// made before (a `legacy_token` after migration 13) is hashed at the
    /// next open, forgotten, and still opens the card by its hash.
    #[tokio::test]
    async fn links_made_before_hashing_keep_working_without_their_secret() {
        for (store, _guard) in crate::testing::stores().await {
            let engine = store.engine();
            let account = store.default_account("ana").await.unwrap().id;
            let insert = "INSERT INTO card_links (id, legacy_token, account_id, created_at) \
                          VALUES ($1, $2, $3, $4)";
            on_pool!(&store.db, p => { sqlx::query(insert).bind(Uuid::now_v7()).bind("old-token")
                .bind(account.0).bind(now_micros()).execute(p).await.unwrap(); });
            hash_legacy_card_links(&store.db).await.unwrap();
            let hash = sha2::Sha256::digest(b"old-token").to_vec();
            assert_eq!(
                store.card_link_owner(&hash).await.unwrap(),
                Some(account),
                "{engine}"
            );
            let left = "SELECT COUNT(*) AS n FROM card_links WHERE legacy_token IS NOT NULL";
            let n: i64 = on_pool!(&store.db, p => sqlx::query(left).fetch_one(p).await.unwrap()
                .try_get("n").unwrap());
            assert_eq!(n, 0, "{engine}: the secret is forgotten");
            assert_eq!(
                store
                    .revoke_card_links(account, None, Some(&hash))
                    .await
                    .unwrap(),
                1
            );
            assert_eq!(store.card_link_owner(&hash).await.unwrap(), None);
        }
    }
}
