//! kith-app integration tests: the use cases on a real store, each run on
//! SQLite and (with `KITH_TEST_DATABASE_URL`) on PostgreSQL.

mod auth;
mod backup;
mod cards;
mod corpus;
mod dav_read;
mod digest;
mod hardening;
mod keep_in_touch;
mod linkedin_activity;
mod mail;
mod merging;
mod modules;
mod network;
mod privacy;
mod roundtrip;
mod search;
mod sources;

use kith_app::import::{ImportOptions, ImportReport, NoProgress};
use kith_app::{App, Settings};
use kith_core::identity::Region;
use kith_store::Store;
use std::path::{Path, PathBuf};

/// An app acting as a fresh account named `name` on `store`.
pub async fn app_as(store: &Store, name: &str) -> App {
    let account = store.default_account(name).await.expect("account");
    App::new(
        store.clone(),
        account.id,
        Settings {
            default_region: Region::US,
            region_is_explicit: false,
            strength: Default::default(),
            card_emails_per_day: 3,
            federation: Default::default(),
            sources: Default::default(),
        },
    )
}

/// The shared corpus of real vCards, beside the checkout.
pub fn shared_vcards() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vcards")
}

/// Every `.vcf` file under `dir`, sorted.
pub fn vcf_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x.eq_ignore_ascii_case("vcf")) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

pub async fn import(app: &App, path: &Path) -> ImportReport {
    app.import_file(path, &ImportOptions::default(), &NoProgress)
        .await
        .unwrap_or_else(|e| panic!("import {}: {e}", path.display()))
}

/// Writes `text` to a file named `name` in `dir`.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// Compile-time check: an import can run on a multi-threaded server task.
#[allow(dead_code)]
fn import_future_is_send(app: &App, path: &Path, progress: &dyn kith_app::Progress) {
    fn is_send<T: Send>(_: &T) {}
    let options = ImportOptions::default();
    let future = app.import_file(path, &options, progress);
    is_send(&future);
    let future = app.import_path(path, &options, progress);
    is_send(&future);
}
