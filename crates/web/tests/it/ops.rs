//! What an operator relies on (issue 22): liveness and readiness, the
//! request id, metrics behind their token with route templates, and honest
//! answers while the database cannot be reached (503 with Retry-After on
//! the API, the pages and CardDAV, never 401 for a correct password), and
//! recovery once it is back.

use crate::{Server, client};
use base64::Engine;
use kith_app::auth::Auth;
use kith_store::auth::TokenKind;
use kith_store::testing::stores;
use kith_store::{PoolSettings, Store};
use kith_web::ServerConfig;
use reqwest::StatusCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::task::JoinHandle;

const METRICS_TOKEN: &str = "a-metrics-token-of-some-length";

#[tokio::test]
async fn health_readiness_and_the_request_id() {
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let server = Server::start(&store, ServerConfig::default()).await;
        let http = client();
        let live = http.get(server.url("/healthz")).send().await.unwrap();
        assert_eq!(live.status(), StatusCode::OK, "{engine}");
        let id = live.headers()["x-request-id"].to_str().unwrap().to_string();
        assert_eq!(id.len(), 32, "{engine}: a fresh id: {id}");
        let ready = http.get(server.url("/readyz")).send().await.unwrap();
        assert_eq!(ready.status(), StatusCode::OK, "{engine}");
        let body: serde_json::Value = ready.json().await.unwrap();
        assert_eq!(body["status"], "ready", "{engine}");
        assert_eq!(body["database"], engine);
        assert!(body["schema"].as_i64().unwrap() >= 13, "{body}");

        // A proxy's id is kept when it is plain, replaced when it is not.
        for (sent, kept) in [
            ("req-42.a_b", true),
            ("bad id\u{7f}", false),
            ("x\r\nSet-Cookie: a=b", false),
        ] {
            let r = http
                .get(server.url("/healthz"))
                .header("x-request-id", sent.replace(['\r', '\n'], ""))
                .send()
                .await;
            let Ok(r) = r else { continue };
            let back = r.headers()["x-request-id"].to_str().unwrap().to_string();
            assert_eq!(back == sent, kept, "{engine}: {sent:?} -> {back:?}");
        }
    }
}

#[tokio::test]
async fn metrics_need_their_token_and_name_route_templates() {
    let (store, _guard) = kith_store::testing::sqlite().await;
    let closed = Server::start(&store, ServerConfig::default()).await;
    let http = client();
    let r = http.get(closed.url("/metrics")).send().await.unwrap();
    assert_eq!(
        r.status(),
        StatusCode::NOT_FOUND,
        "no token configured: not served"
    );

    let server = Server::start(
        &store,
        ServerConfig {
            metrics_token: Some(METRICS_TOKEN.into()),
            ..Default::default()
        },
    )
    .await;
    for wrong in [None, Some("Bearer nope"), Some("Basic YTpi")] {
        let mut request = http.get(server.url("/metrics"));
        if let Some(w) = wrong {
            request = request.header("authorization", w);
        }
        let r = request.send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{wrong:?}");
    }
    let token = server.account_with_token("ana").await;
    let person = "01a24a53-9c2f-751a-803a-841eb69ba307";
    let r = http
        .get(server.url(&format!("/api/v1/people/{person}")))
        .header("authorization", format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Made-up methods are counted as one label, not one each.
    for i in 0..20 {
        let method = reqwest::Method::from_bytes(format!("MADEUP{i}").as_bytes()).unwrap();
        let _ = http.request(method, server.url("/x")).send().await.unwrap();
    }
    let r = http
        .get(server.url("/metrics"))
        .header("authorization", format!("Bearer {METRICS_TOKEN}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/openmetrics-text")
    );
    let text = r.text().await.unwrap();
    assert!(
        text.contains(
            "kith_http_requests_total{method=\"GET\",route=\"/api/v1/people/{id}\",status=\"404\"} 1"
        ),
        "{text}"
    );
    assert!(!text.contains(person), "ids stay out of the labels");
    assert!(
        !text.contains("MADEUP"),
        "made-up methods stay out of the labels"
    );
    assert!(
        text.contains(
            "kith_http_requests_total{method=\"other\",route=\"unmatched\",status=\"405\"} 20"
        ) || text.contains(
            "kith_http_requests_total{method=\"other\",route=\"unmatched\",status=\"404\"} 20"
        ),
        "{text}"
    );
    for family in [
        "kith_http_request_duration_seconds_bucket",
        "kith_db_pool_connections ",
        "kith_db_pool_max_connections ",
        "kith_import_jobs{state=\"running\"} 0",
        "kith_mails_total{outcome=\"sent\"} 0",
        "kith_network_loads_total{kind=\"build\"}",
        "kith_carddav_syncs_total 0",
        "kith_db_unavailable_total 0",
        "kith_db_waits_total ",
        "kith_db_wait_seconds_total ",
    ] {
        assert!(text.contains(family), "{family} in {text}");
    }
    assert!(text.trim_end().ends_with("# EOF"));
}

/// A TCP proxy in front of PostgreSQL that can be cut (every connection
/// dropped, nothing accepted) and restored on the same port: an outage of
/// the database as the server sees it, without stopping the PostgreSQL
/// other tests use.
struct Outage {
    listen: std::net::SocketAddr,
    target: String,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Outage {
    async fn start(target: String) -> Outage {
        let probe = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let listen = probe.local_addr().unwrap();
        drop(probe);
        let outage = Outage {
            listen,
            target,
            tasks: Default::default(),
        };
        outage.restore();
        outage
    }

    fn restore(&self) {
        let socket = TcpSocket::new_v4().unwrap();
        socket.set_reuseaddr(true).unwrap();
        socket.bind(self.listen).unwrap();
        let listener = socket.listen(64).unwrap();
        let (target, tasks) = (self.target.clone(), self.tasks.clone());
        let accept = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let target = target.clone();
                let pipe = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                tasks.lock().unwrap().push(pipe);
            }
        });
        self.tasks.lock().unwrap().push(accept);
    }

    fn cut(&self) {
        for task in self.tasks.lock().unwrap().drain(..) {
            task.abort();
        }
    }
}

#[tokio::test]
async fn an_outage_is_answered_503_with_retry_after_and_recovered_from() {
    for (direct, guard) in stores().await {
        let Some(url) = guard.postgres_url() else {
            continue; // SQLite has no server to lose
        };
        // postgres://USER@HOST:PORT/NAME -> the same through the proxy.
        let after_scheme = &url["postgres://".len()..];
        let host_start = after_scheme.find('@').map_or(0, |i| i + 1);
        let host_end = host_start + after_scheme[host_start..].find('/').unwrap();
        let target = after_scheme[host_start..host_end].to_string();
        let outage = Outage::start(target.clone()).await;
        let proxied = format!(
            "postgres://{}{}{}",
            &after_scheme[..host_start],
            outage.listen,
            &after_scheme[host_end..]
        );
        let store = Store::open_with(
            &proxied,
            PoolSettings {
                connections: 4,
                acquire_timeout: Duration::from_millis(700),
            },
        )
        .await
        .unwrap();
        let server = Server::start(&store, ServerConfig::default()).await;
        let token = server.account_with_token("ana").await;
        let auth = Auth::new(direct.clone());
        let ana = direct.accounts().await.unwrap()[0].id;
        let (_, dav) = auth
            .create_token(ana, TokenKind::Dav, "phone")
            .await
            .unwrap();
        let basic = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("ana:{dav}"))
        );
        let http = client();
        let api = |path: &str| {
            http.get(server.url(path))
                .header("authorization", format!("Bearer {token}"))
        };
        let propfind = || {
            http.request(
                reqwest::Method::from_bytes(b"PROPFIND").unwrap(),
                server.url("/dav/"),
            )
            .header("authorization", &basic)
            .header("depth", "0")
        };
        assert_eq!(
            api("/api/v1/people").send().await.unwrap().status(),
            StatusCode::OK
        );
        assert_eq!(propfind().send().await.unwrap().status().as_u16(), 207);

        outage.cut();
        let started = Instant::now();
        let r = api("/api/v1/people").send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(r.headers()["retry-after"], "5");
        let problem: serde_json::Value = r.json().await.unwrap();
        assert_eq!(problem["code"], "unavailable");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );

        let r = propfind().send().await.unwrap();
        assert_eq!(
            r.status(),
            StatusCode::SERVICE_UNAVAILABLE,
            "never 401 for a correct password"
        );
        assert!(r.headers().contains_key("retry-after"));
        let r = http
            .get(server.url("/people"))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap();
        // No session: a page needs none to find the database gone? It
        // sends to sign-in, and the sign-in page itself says so.
        let r = if r.status() == StatusCode::SEE_OTHER {
            http.get(server.url("/login"))
                .header("accept", "text/html")
                .send()
                .await
                .unwrap()
        } else {
            r
        };
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(r.text().await.unwrap().contains("unavailable for a moment"));
        let r = http.get(server.url("/readyz")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            http.get(server.url("/healthz"))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::OK
        );

        outage.restore();
        let mut back = false;
        for _ in 0..50 {
            if api("/api/v1/people").send().await.unwrap().status() == StatusCode::OK {
                back = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(
            back,
            "the server recovers by itself once the database is back"
        );
        assert_eq!(propfind().send().await.unwrap().status().as_u16(), 207);
        assert_eq!(
            http.get(server.url("/readyz"))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::OK
        );
        outage.cut();
        drop(server);
        store.close().await;
    }
}

/// A server of its own on `store`, served with `serve_until`; stopping it
/// is sending on the returned channel (what SIGTERM does).
async fn stoppable(
    store: &Store,
    imports: &std::path::Path,
    grace: Duration,
) -> (String, tokio::sync::oneshot::Sender<()>, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = kith_web::AppState::new(
        store.clone(),
        kith_app::Settings {
            default_region: kith_core::identity::Region::US,
            region_is_explicit: false,
            strength: Default::default(),
            card_emails_per_day: 3,
            federation: Default::default(),
            sources: Default::default(),
        },
        ServerConfig {
            shutdown_timeout: grace,
            imports_dir: imports.to_path_buf(),
            ..Default::default()
        },
    );
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let _ = kith_web::serve_until(listener, state, async move {
            let _ = stopped.await;
        })
        .await;
    });
    (base, stop, task)
}

fn cards(n: usize) -> Vec<u8> {
    let mut out = String::new();
    for i in 0..n {
        out.push_str(&format!(
            "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Person {i}\r\nN:{i};Person;;;\r\nEMAIL:p{i}@example.org\r\nORG:Org {}\r\nEND:VCARD\r\n",
            i % 50
        ));
    }
    out.into_bytes()
}

/// Issue 22: an import job is a row. Polled on another server it answers;
/// when its server stops mid-import (SIGTERM), the job is handed back and
/// another server finishes it: never lost, nothing imported twice.
#[tokio::test]
async fn import_jobs_answer_on_every_server_and_survive_a_stop() {
    for (store, guard) in stores().await {
        let engine = store.engine();
        let imports = tempfile::tempdir().unwrap();
        let other_store = Store::open(&guard.url()).await.unwrap();
        let (a, stop_a, task_a) = stoppable(&store, imports.path(), Duration::ZERO).await;
        let (b, stop_b, task_b) =
            stoppable(&other_store, imports.path(), Duration::from_secs(5)).await;
        let auth = Auth::new(store.clone());
        let ana = auth.add_user("ana", "correct horse", false).await.unwrap();
        let (_, token) = auth
            .create_token(ana.id, TokenKind::Api, "t")
            .await
            .unwrap();
        let http = client();
        let bearer = format!("Bearer {token}");
        let upload = |base: &str, bytes: Vec<u8>, name: &str| {
            let form = reqwest::multipart::Form::new().part(
                "files",
                reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
            );
            http.post(format!("{base}/api/v1/imports"))
                .header("authorization", &bearer)
                .multipart(form)
                .send()
        };
        let poll = |base: &str, location: &str| {
            http.get(format!("{base}{location}"))
                .header("authorization", &bearer)
                .send()
        };

        // Accepted on A, answered on B, finished.
        let r = upload(&a, cards(3), "small.vcf").await.unwrap();
        assert_eq!(r.status(), StatusCode::ACCEPTED, "{engine}");
        let location = r.headers()["location"].to_str().unwrap().to_string();
        let mut job = serde_json::Value::Null;
        for _ in 0..200 {
            job = poll(&b, &location).await.unwrap().json().await.unwrap();
            if job["done"] == true {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        assert_eq!(job["state"], "done", "{engine}: {job}");
        assert_eq!(job["results"][0]["report"]["created"], 3, "{engine}: {job}");

        // A large one on A; A stops while importing it.
        let r = upload(&a, cards(20_000), "many.vcf").await.unwrap();
        assert_eq!(r.status(), StatusCode::ACCEPTED, "{engine}");
        let location = r.headers()["location"].to_str().unwrap().to_string();
        for _ in 0..400 {
            let j: serde_json::Value = poll(&a, &location).await.unwrap().json().await.unwrap();
            if j["state"] == "running" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let _ = stop_a.send(());
        task_a.await.unwrap();
        let handed: serde_json::Value = poll(&b, &location).await.unwrap().json().await.unwrap();
        // Handed back (queued), or taken up by B already, or done: never
        // lost, never failed.
        assert!(
            ["queued", "running", "done"].contains(&handed["state"].as_str().unwrap()),
            "{engine}: once A stopped: {handed}"
        );
        let started = Instant::now();
        loop {
            let j: serde_json::Value = poll(&b, &location).await.unwrap().json().await.unwrap();
            if j["done"] == true {
                assert_eq!(j["state"], "done", "{engine}: {j}");
                let report = &j["results"][0]["report"];
                let created = report["created"].as_u64().unwrap();
                let unchanged = report["unchanged"].as_u64().unwrap();
                let merged = report["merged"].as_u64().unwrap();
                assert_eq!(created + unchanged + merged, 20_000, "{engine}: {report}");
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "{engine}: {j}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let people = store
            .begin_read(ana.id)
            .await
            .unwrap()
            .people(&Default::default())
            .await
            .unwrap()
            .len();
        // The small file's three are the large one's first three.
        assert_eq!(people, 20_000, "{engine}: nobody imported twice");
        let _ = stop_b.send(());
        task_b.await.unwrap();
        other_store.close().await;
    }
}
