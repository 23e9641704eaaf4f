//! The schema's migrations: one list of (file, name), each file written
//! once per engine (`migrations/sqlite`, `migrations/postgres`) and embedded
//! in the binary. Version N is the list's Nth entry, `000N_*.sql`, the same
//! change on both engines. Runs no queries of its own but the check of
//! what an old database had.

use sqlx::SqlSafeStr;
use sqlx::migrate::{Migration, MigrationType, Migrator};

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
};

/// The migration that made `person_dates`: opening a database from before
/// it also writes the dates of the people already there.
pub(crate) const DATES_MIGRATION: i64 = 6;

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

#[cfg(test)]
mod tests {
    use super::STEPS;
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
}
