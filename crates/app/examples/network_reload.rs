//! How long the network takes to follow an address book: on a seeded
//! book of N people in SQLite, the first load of the account into the
//! graph, a path once loaded, the first path after one edit (the account
//! is read again whole) and the next. Prints JSON.
//!
//!   cargo run --release -p kith-app --example network_reload -- PEOPLE

use kith_app::demo::demo_cards;
use kith_app::import::{ImportOptions, NoProgress};
use kith_app::network::paths::PathTarget;
use kith_app::people::PersonEdit;
use kith_app::{App, Settings};
use kith_core::identity::Region;
use kith_formats::vcard::{Version, write_card};
use kith_store::Store;
use std::time::Instant;

fn ms(t: Instant) -> f64 {
    (t.elapsed().as_secs_f64() * 1e6).round() / 1e3
}

#[tokio::main]
async fn main() {
    let people: usize = match std::env::args().nth(1).map(|a| a.parse()) {
        None => 10_000,
        Some(Ok(n)) => n,
        Some(Err(_)) => {
            eprintln!("usage: network_reload [PEOPLE]");
            std::process::exit(2);
        }
    };
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = Store::open_sqlite(&dir.path().join("kith.db"))
        .await
        .expect("store");
    let me = store.default_account("me").await.expect("account");
    let settings = Settings {
        default_region: Region::US,
        region_is_explicit: false,
        strength: Default::default(),
        card_emails_per_day: 50,
        federation: Default::default(),
        sources: Default::default(),
    };
    let app = App::new(store, me.id, settings);
    let mut text = String::new();
    for (i, card) in demo_cards(people, 7).into_iter().enumerate() {
        write_card(&mut text, &card, &format!("reload-{i}"), Version::V4);
    }
    let book = dir.path().join("book.vcf");
    std::fs::write(&book, text).expect("write the book");
    app.import_file(&book, &ImportOptions::default(), &NoProgress)
        .await
        .expect("import");

    let t = Instant::now();
    app.warm_network().await.expect("load");
    let first_load_ms = ms(t);
    let someone = PathTarget::Org("Globex".into());
    let t = Instant::now();
    let _ = app.paths(&someone, 3).await;
    let path_loaded_ms = ms(t);
    let added = app
        .add_person(&PersonEdit {
            name: Some("Newly Met".into()),
            add_emails: vec!["newly.met@example.org".into()],
            ..Default::default()
        })
        .await
        .expect("add a person");
    let them = PathTarget::Person(added.id.to_string());
    let t = Instant::now();
    let found = app.paths(&them, 1).await.expect("path after the edit");
    let after_edit_ms = ms(t);
    assert_eq!(found.1.len(), 1, "the person just added is reached");
    let t = Instant::now();
    app.paths(&them, 1).await.expect("path again");
    let again_ms = ms(t);
    println!(
        "{{\"people\": {people}, \"first_load_ms\": {first_load_ms}, \"path_loaded_ms\": {path_loaded_ms}, \
         \"path_after_one_edit_ms\": {after_edit_ms}, \"path_again_ms\": {again_ms}}}"
    );
}
