//! The cards benchmark (bench/cards.sh): on a seeded address book of N
//! people in SQLite, how long a newer export with job changes takes to
//! import (against the same file without them), how long the "what
//! changed" feed and "what can I do for them" take, and how long one card
//! change takes to reach C connections' address books. Prints JSON.
//!
//!   cargo run --release -p kith-app --example cards_bench -- PEOPLE CONNECTIONS NEEDS

use kith_app::demo::demo_cards;
use kith_app::import::{ImportOptions, NoProgress};
use kith_app::{App, Settings};
use kith_core::identity::Region;
use kith_formats::vcard::{Version, write_card};
use kith_store::Store;
use std::time::Instant;

fn settings() -> Settings {
    Settings {
        default_region: Region::US,
        region_is_explicit: false,
        strength: Default::default(),
        card_emails_per_day: 50,
        federation: Default::default(),
        sources: Default::default(),
    }
}

fn write_book(path: &std::path::Path, people: usize, seed: u64, moved_every: usize) {
    let mut text = String::new();
    for (i, mut card) in demo_cards(people, seed).into_iter().enumerate() {
        if moved_every > 0 && i % moved_every == 0 {
            // A newer export: this person is now somewhere else.
            if let Some(p) = card.positions.first().cloned() {
                card.positions.push(kith_core::Position {
                    organization: format!("{} Labs", p.organization),
                    title: p.title.clone(),
                    ..Default::default()
                });
            }
        }
        write_card(&mut text, &card, &format!("bench-{seed}-{i}"), Version::V4);
    }
    std::fs::write(path, text).expect("write the book");
}

fn ms(t: Instant) -> f64 {
    (t.elapsed().as_secs_f64() * 1e6).round() / 1e3
}

#[tokio::main]
async fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("numbers: PEOPLE CONNECTIONS NEEDS"))
        .collect();
    let (people, connections, needs) = match args.as_slice() {
        [p, c, n] => (*p, *c, *n),
        _ => (10_000, 20, 50),
    };
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = Store::open_sqlite(&dir.path().join("kith.db"))
        .await
        .expect("store");
    let me = store.default_account("me").await.expect("account");
    let app = App::new(store.clone(), me.id, settings());
    let opts = ImportOptions::default();

    let first = dir.path().join("first.vcf");
    let same = dir.path().join("same.vcf");
    let newer = dir.path().join("newer.vcf");
    write_book(&first, people, 7, 0);
    let t = Instant::now();
    app.import_file(&first, &opts, &NoProgress)
        .await
        .expect("import");
    let first_ms = ms(t);
    // The same file again (nothing new), then a newer export where one in
    // ten is at a new organisation: the cost of finding what changed.
    write_book(&same, people, 7, 0);
    let t = Instant::now();
    app.import_file(&same, &opts, &NoProgress)
        .await
        .expect("import");
    let same_ms = ms(t);
    write_book(&newer, people, 7, 10);
    let t = Instant::now();
    app.import_file(&newer, &opts, &NoProgress)
        .await
        .expect("import");
    let newer_ms = ms(t);
    let t = Instant::now();
    let feed = app.network_changes(30, 50).await.expect("feed");
    let feed_ms = ms(t);

    // Needs on seeded people, asking for the titles others hold.
    let list = app
        .list_people(&kith_store::PeopleFilter {
            limit: Some(people as i64),
            ..Default::default()
        })
        .await
        .expect("people");
    let titles: Vec<String> = list.iter().filter_map(|p| p.title.clone()).collect();
    for i in 0..needs.min(list.len()) {
        let who = list[(i * 7919) % list.len()].id.to_string();
        let title = &titles[(i * 104_729) % titles.len().max(1)];
        app.add_need_offer(Some(&who), "need", &format!("hiring a {title}"), &[])
            .await
            .expect("need");
    }
    let t = Instant::now();
    let help = app.help_out().await.expect("help-out");
    let help_ms = ms(t);
    // Asked again with nothing written since (the home page's case).
    let t = Instant::now();
    app.help_out().await.expect("help-out");
    let help_again_ms = ms(t);
    let t = Instant::now();
    let due = app.due().await.expect("due");
    let due_ms = ms(t);

    // A member with C connections, each holding the member's card in a
    // book of a thousand people, changes job.
    let member = store.default_account("member").await.expect("account");
    let member_app = App::new(store.clone(), member.id, settings());
    member_app
        .set_card_field("name", "Mira Member", None)
        .await
        .expect("card");
    member_app
        .set_card_field("organization", "Acme", None)
        .await
        .expect("card");
    for c in 0..connections {
        let name = format!("holder{c}");
        let holder = store.default_account(&name).await.expect("account");
        let holder_app = App::new(store.clone(), holder.id, settings());
        let book = dir.path().join(format!("{name}.vcf"));
        write_book(&book, 1_000, 100 + c as u64, 0);
        holder_app
            .import_file(&book, &opts, &NoProgress)
            .await
            .expect("import");
        member_app.invite(&name).await.expect("invite");
        holder_app.accept("member").await.expect("accept");
    }
    let t = Instant::now();
    let reached = member_app
        .set_card_field("organization", "Globex", None)
        .await
        .expect("change")
        .connections_updated;
    let propagate_ms = ms(t);

    println!(
        "{}",
        serde_json::json!({
            "people": people,
            "import_first_ms": first_ms,
            "import_same_again_ms": same_ms,
            "import_newer_export_ms": newer_ms,
            "changes_found": feed.len(),
            "feed_ms": feed_ms,
            "needs": needs,
            "needs_with_helpers": help.len(),
            "help_out_ms": help_ms,
            "help_out_again_ms": help_again_ms,
            "due_ms": due_ms,
            "due": due.len(),
            "connections": connections,
            "connections_reached": reached,
            "propagate_ms": propagate_ms,
        })
    );
}
