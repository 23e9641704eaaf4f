//! The federation benchmark's driver (bench/federation.sh), in two steps
//! around the three `kith serve` processes the script runs:
//!
//!   federation_bench setup DIR_A DIR_B DIR_C URL_A URL_B URL_C CONNECTIONS
//!       (servers stopped) ada on A gets CONNECTIONS connections, a third
//!       members of A, the rest members of B and C; pat on A is connected
//!       to bpath on B and cpath on C, each with a demo book of 2,000
//!       people. Links between servers are written straight into the three
//!       databases (their handshake is what the tests cover); everything
//!       measured goes through the protocol. Prints the API tokens (JSON).
//!   federation_bench run DIR_A DIR_B DIR_C URL_A URL_B URL_C TOKENS PIDS QUERIES
//!       (servers running) one card change of ada through A's API, timed
//!       until every book on B and C holds it, with the CPU each server
//!       spent; then QUERIES cross-server path queries of pat. Prints JSON.

use kith_app::auth::Auth;
use kith_app::interactions::NewInteraction;
use kith_app::network::ties::SharingScope;
use kith_app::types::{Store, TokenKind};
use kith_app::{App, Settings};
use kith_core::identity::Region;
use kith_core::ties::Sharing;
use kith_core::{AccountId, InteractionKind};
use kith_store::federation::{ActorRow, LinkRow};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

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

async fn open(dir: &str) -> Store {
    Store::open(&format!("{dir}/kith.db"))
        .await
        .expect("open a server's database")
}

/// `{url}/fed/{name}`.
fn actor(url: &str, name: &str) -> String {
    format!("{url}/fed/{name}")
}

fn link(account: AccountId, actor: &str, outgoing: bool) -> LinkRow {
    LinkRow {
        account,
        actor: actor.into(),
        kind: "connection".into(),
        status: "accepted".into(),
        outgoing,
        follow_id: format!("{actor}/activities/bench-{}", uuid::Uuid::now_v7()),
        person: None,
        card: None,
        card_seq: 0,
        created_at: kith_store::now_micros(),
        answered_at: Some(kith_store::now_micros()),
    }
}

/// What a server keeps of an actor before it has fetched it: the inbox
/// and handle (its key is fetched on the first signature it checks).
fn remote_actor(id: &str, handle: &str) -> ActorRow {
    ActorRow {
        id: id.into(),
        handle: handle.into(),
        inbox: format!("{id}/inbox"),
        key_id: format!("{id}#key-0"),
        public_pem: String::new(),
        profile: json!({"username": handle.split('@').next(), "name": "", "summary": "", "url": null, "fields": [], "kith": true}).to_string(),
        fetched_at: 0,
    }
}

/// Links `(store_x, member_x)` on one server with `(store_y, member_y)` on
/// another, both ways, accepted.
async fn connect(x: (&Store, AccountId, &str, &str), y: (&Store, AccountId, &str, &str)) {
    let (xs, xa, x_actor, x_handle) = x;
    let (ys, ya, y_actor, y_handle) = y;
    xs.put_fed_actor(&remote_actor(y_actor, y_handle))
        .await
        .unwrap();
    ys.put_fed_actor(&remote_actor(x_actor, x_handle))
        .await
        .unwrap();
    xs.put_fed_link(&link(xa, y_actor, true)).await.unwrap();
    ys.put_fed_link(&link(ya, x_actor, false)).await.unwrap();
}

fn authority(url: &str) -> &str {
    url.trim_start_matches("http://")
}

async fn setup(dirs: [&str; 3], urls: [&str; 3], connections: usize) {
    let stores = [
        open(dirs[0]).await,
        open(dirs[1]).await,
        open(dirs[2]).await,
    ];
    let auth = Auth::new(stores[0].clone());
    let ada = auth.add_user("ada", "bench password", false).await.unwrap();
    let pat = auth.add_user("pat", "bench password", false).await.unwrap();
    let ada_token = auth
        .create_token(ada.id, TokenKind::Api, "bench")
        .await
        .unwrap()
        .1;
    let pat_token = auth
        .create_token(pat.id, TokenKind::Api, "bench")
        .await
        .unwrap()
        .1;
    let ada_app = App::new(stores[0].clone(), ada.id, settings());
    ada_app
        .set_card_field("name", "Ada Lovelace", None)
        .await
        .unwrap();
    let ada_actor = actor(urls[0], "ada");
    let ada_handle = format!("ada@{}", authority(urls[0]));
    let local = connections / 3;
    for i in 0..connections {
        let server = if i < local { 0 } else { 1 + (i - local) % 2 };
        let name = format!("m{i}");
        let member = stores[server].create_account(&name).await.unwrap();
        if server == 0 {
            ada_app.invite(&name).await.unwrap();
            App::new(stores[0].clone(), member.id, settings())
                .accept("ada")
                .await
                .unwrap();
        } else {
            let m_actor = actor(urls[server], &name);
            let m_handle = format!("{name}@{}", authority(urls[server]));
            connect(
                (&stores[0], ada.id, &ada_actor, &ada_handle),
                (&stores[server], member.id, &m_actor, &m_handle),
            )
            .await;
            // ada holds their card (as after their first one arrived), so
            // her path queries ask their servers about them.
            let person = kith_core::Person {
                id: kith_core::PersonId::new(),
                card: kith_core::Card {
                    name: kith_core::PersonName {
                        full: name.clone(),
                        given: name.clone(),
                        ..Default::default()
                    },
                    ..Default::default()
                },
            };
            let mut tx = stores[0].begin(ada.id).await.unwrap();
            tx.put_people(&[kith_store::tx::PersonWrite {
                person: &person,
                is_me: false,
                fresh: true,
            }])
            .await
            .unwrap();
            tx.commit().await.unwrap();
            stores[0]
                .set_fed_link_card(ada.id, &m_actor, "connection", person.id, "{}", 1)
                .await
                .unwrap();
        }
    }
    // pat's two connections, each with a book to find paths in.
    let mut tokens = json!({"ada": ada_token, "pat": pat_token, "connections": connections});
    let pat_actor = actor(urls[0], "pat");
    let pat_handle = format!("pat@{}", authority(urls[0]));
    for (server, name) in [(1, "bpath"), (2, "cpath")] {
        let store = &stores[server];
        let a = Auth::new(store.clone());
        let member = a.add_user(name, "bench password", false).await.unwrap();
        tokens[name] = Value::String(
            a.create_token(member.id, TokenKind::Api, "bench")
                .await
                .unwrap()
                .1,
        );
        let app = App::new(store.clone(), member.id, settings());
        let dir = tempfile::tempdir().unwrap();
        app.import_demo(dir.path(), 2_000, 7 + server as u64)
            .await
            .unwrap();
        app.demo_activity(7 + server as u64).await.unwrap();
        app.set_sharing(&SharingScope::All, Some(Sharing::Name))
            .await
            .unwrap();
        let m_actor = actor(urls[server], name);
        let m_handle = format!("{name}@{}", authority(urls[server]));
        connect(
            (&stores[0], pat.id, &pat_actor, &pat_handle),
            (store, member.id, &m_actor, &m_handle),
        )
        .await;
    }
    let org = kith_app::demo::demo_cards(2_000, 8)
        .iter()
        .find_map(|c| c.positions.first().map(|p| p.organization.clone()))
        .unwrap_or_default();
    tokens["org"] = Value::String(org);
    for s in stores {
        s.close().await;
    }
    println!("{tokens}");
}

/// User and system CPU seconds a process has used.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(") ").map(|x| x.1).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = f.get(11).and_then(|v| v.parse().ok()).unwrap_or(0.0)
        + f.get(12).and_then(|v| v.parse().ok()).unwrap_or(0.0);
    ticks / 100.0
}

async fn run(dirs: [&str; 3], urls: [&str; 3], tokens: Value, pids: [u32; 3], queries: usize) {
    let http = reqwest::Client::new();
    let stores = [open(dirs[1]).await, open(dirs[2]).await];
    let remote_books = async || {
        let mut n = 0;
        for s in &stores {
            n += s.fed_cards_since(0).await.unwrap();
        }
        n
    };
    let held_since = async |seq: i64| {
        let mut n = 0;
        for s in &stores {
            n += s.fed_cards_since(seq).await.unwrap();
        }
        n
    };
    let set_title = async |url: &str, token: &str, title: &str| {
        let r = http
            .post(format!("{url}/api/v1/card/fields"))
            .bearer_auth(token)
            .json(&json!({"field": "title", "value": title, "visibility": "connections"}))
            .send()
            .await
            .unwrap();
        assert!(
            r.status().is_success(),
            "{}",
            r.text().await.unwrap_or_default()
        );
    };
    let ada = tokens["ada"].as_str().unwrap();
    let remote_links: i64 = {
        let mut n = 0;
        for s in &stores {
            n += s.fed_link_count().await.unwrap();
        }
        n - 2 // pat's two
    };
    // Warm-up: the first card makes each remote person (and B and C fetch
    // ada's key once); pat's connections send theirs.
    let start = Instant::now();
    set_title(urls[0], ada, "Engineer").await;
    set_title(urls[1], tokens["bpath"].as_str().unwrap(), "Analyst").await;
    set_title(urls[2], tokens["cpath"].as_str().unwrap(), "Analyst").await;
    while remote_books().await < remote_links && start.elapsed() < Duration::from_secs(600) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let warm_up = start.elapsed().as_secs_f64();

    // The measured change.
    let cpu_before: Vec<f64> = pids.iter().map(|&p| cpu_seconds(p)).collect();
    let seq = kith_store::now_micros();
    let t0 = Instant::now();
    set_title(urls[0], ada, "CTO").await;
    let accepted_ms = t0.elapsed().as_secs_f64() * 1e3;
    while held_since(seq).await < remote_links && t0.elapsed() < Duration::from_secs(600) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let fan_out = t0.elapsed().as_secs_f64();
    let held = held_since(seq).await;
    let cpu_after: Vec<f64> = pids.iter().map(|&p| cpu_seconds(p)).collect();
    let cpu: Vec<f64> = cpu_before
        .iter()
        .zip(&cpu_after)
        .map(|(b, a)| a - b)
        .collect();
    let local = tokens["connections"].as_i64().unwrap_or(0) - remote_links;

    // pat's paths through bpath (B) and cpath (C).
    let pat = tokens["pat"].as_str().unwrap();
    let store_a = open(dirs[0]).await;
    let pat_id = store_a.account("pat").await.unwrap().unwrap().id;
    let mut people = Vec::new();
    let waited = Instant::now();
    while people.len() < 2 && waited.elapsed() < Duration::from_secs(120) {
        people = store_a
            .fed_links(pat_id, Some("connection"))
            .await
            .unwrap()
            .into_iter()
            .filter_map(|l| l.person)
            .collect();
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let app = App::new(store_a.clone(), pat_id, settings());
    for p in &people {
        for _ in 0..3 {
            app.log_interaction(&NewInteraction {
                people: vec![p.0.to_string()],
                kind: InteractionKind::Meeting,
                when: String::new(),
                note: None,
                direction: None,
            })
            .await
            .unwrap();
        }
    }
    let org = tokens["org"].as_str().unwrap().to_string();
    let url = format!("{}/api/v1/paths", urls[0]);
    // Timed path queries of one member: (sorted times in ms, paths
    // through another server, servers unanswered).
    let timed = async |token: &str, n: usize| {
        let mut times = Vec::new();
        let (mut remote_paths, mut unanswered) = (0, 0);
        for i in 0..n + 5 {
            let t = Instant::now();
            let r = http
                .get(&url)
                .bearer_auth(token)
                .query(&[("org", org.as_str()), ("k", "3")])
                .send()
                .await
                .unwrap();
            let missing: usize = r
                .headers()
                .get("kith-servers-unanswered")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let body: Value = r.json().await.unwrap_or(Value::Null);
            let ms = t.elapsed().as_secs_f64() * 1e3;
            if i >= 5 {
                times.push(ms);
                unanswered += missing;
                remote_paths += body
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter(|p| p["people"].as_array().is_some_and(|x| x.len() > 2))
                            .count()
                    })
                    .unwrap_or(0);
            }
        }
        times.sort_by(f64::total_cmp);
        (times, remote_paths, unanswered)
    };
    let (times, remote_paths, unanswered) = timed(pat, queries).await;
    // ada's own query asks her connections on the two other servers (one
    // query a server, each naming hundreds of members).
    let (ada_times, _, ada_unanswered) = timed(ada, 20).await;
    let pct_of = |times: &[f64], p: f64| {
        times[((times.len() as f64 * p).ceil() as usize).clamp(1, times.len()) - 1]
    };
    let pct = |p: f64| pct_of(&times, p);
    println!(
        "{}",
        json!({
            "connections": {"local": local, "remote": remote_links},
            "warm_up_s": warm_up,
            "change_accepted_ms": accepted_ms,
            "fan_out_s": fan_out,
            "books_holding_it": held,
            "cpu_s": {"a": cpu[0], "b": cpu[1], "c": cpu[2]},
            "cpu_ms_per_update": {
                "sender": cpu[0] * 1e3 / remote_links.max(1) as f64,
                "receivers": (cpu[1] + cpu[2]) * 1e3 / remote_links.max(1) as f64,
            },
            "path_query_ms": {"n": times.len(), "p50": pct(0.5), "p99": pct(0.99), "max": times.last()},
            "remote_paths": remote_paths,
            "unanswered": unanswered,
            "ada_path_query_ms": {"n": ada_times.len(), "p50": pct_of(&ada_times, 0.5), "p99": pct_of(&ada_times, 0.99)},
            "ada_unanswered": ada_unanswered,
        })
    );
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "federation_bench setup|run DIR_A DIR_B DIR_C URL_A URL_B URL_C …";
    let dirs = [args[1].as_str(), args[2].as_str(), args[3].as_str()];
    let urls = [args[4].as_str(), args[5].as_str(), args[6].as_str()];
    match args.first().map(String::as_str) {
        Some("setup") => setup(dirs, urls, args[7].parse().expect(usage)).await,
        Some("run") => {
            let tokens: Value = serde_json::from_str(&args[7]).expect("tokens JSON");
            let pids: Vec<u32> = args[8]
                .split(',')
                .map(|p| p.parse().expect("pids"))
                .collect();
            run(
                dirs,
                urls,
                tokens,
                [pids[0], pids[1], pids[2]],
                args[9].parse().expect(usage),
            )
            .await
        }
        _ => panic!("{usage}"),
    }
}
