//! `kith backup`, `kith restore` and `kith migrate --to`: a whole store to
//! a file, a file into an empty store, a store into another database.

use crate::output;
use anyhow::{Context, Result};
use kith_app::backup::BackupReport;
use kith_app::types::Store;
use std::path::Path;

fn say(report: &BackupReport, json: bool, what: &str) -> Result<()> {
    if json {
        return output::json(report);
    }
    println!(
        "{what}: {} rows of {} tables (schema version {}){}",
        report.rows,
        report.tables,
        report.schema,
        if report.bytes > 0 {
            format!(", {} bytes", report.bytes)
        } else {
            String::new()
        }
    );
    Ok(())
}

pub(crate) async fn backup(store: &Store, file: &Path, json: bool) -> Result<()> {
    let report = kith_app::backup::backup(store, file).await?;
    say(&report, json, &format!("backed up to {}", file.display()))
}

pub(crate) async fn restore(store: &Store, file: &Path, json: bool) -> Result<()> {
    let report = kith_app::backup::restore(store, file).await?;
    say(
        &report,
        json,
        &format!(
            "restored {} into this {} database; phones sync again in full",
            file.display(),
            store.engine()
        ),
    )
}

pub(crate) async fn migrate(store: &Store, to: &str, json: bool) -> Result<()> {
    let target = Store::open(to)
        .await
        .with_context(|| "cannot open the database to copy to")?;
    let copied = kith_app::backup::copy(store, &target).await;
    target.close().await;
    let report = copied?;
    say(
        &report,
        json,
        &format!(
            "copied this {} database into the {} one",
            store.engine(),
            target.engine()
        ),
    )
}
