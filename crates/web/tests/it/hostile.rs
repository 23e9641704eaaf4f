//! Issue 20: requests an attacker would send. Each test failed on the code
//! before the fix it names: the server died, redirected off-site, read
//! bodies it should not have, or left its pages frameable.

use crate::{Server, client};
use kith_app::auth::Auth;
use kith_store::auth::TokenKind;
use kith_store::testing::stores;
use kith_web::ServerConfig;
use reqwest::StatusCode;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A device password for `name` (made with the account), as a Basic header.
async fn dav_basic(server: &Server, name: &str) -> String {
    use base64::Engine as _;
    let auth = Auth::new(server.store.clone());
    let account = auth.add_user(name, "correct horse", false).await.unwrap();
    let (_, secret) = auth
        .create_token(account.id, TokenKind::Dav, "phone")
        .await
        .unwrap();
    let pair = format!("{name}:{secret}");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

/// A PROPFIND or REPORT nesting 100,000 elements (~700 KB) overflowed a
/// worker's stack and aborted the whole process; now a 400, and the server
/// goes on answering.
#[tokio::test]
async fn a_deeply_nested_dav_body_is_a_400_not_a_crash() {
    for (store, _guard) in stores().await {
        let server = Server::start(&store, ServerConfig::default()).await;
        let basic = dav_basic(&server, "ada").await;
        let http = client();
        let depth = 100_000;
        let body = format!(
            "<?xml version=\"1.0\"?><D:propfind xmlns:D=\"DAV:\"><D:prop>{}{}</D:prop></D:propfind>",
            "<D:x>".repeat(depth),
            "</D:x>".repeat(depth)
        );
        for method in ["PROPFIND", "REPORT"] {
            let r = http
                .request(
                    reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
                    server.url("/dav/ada/contacts/"),
                )
                .header("authorization", &basic)
                .header("depth", "1")
                .body(body.clone())
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{method}");
            assert!(r.text().await.unwrap().contains("deep"), "{method}");
        }
        let still = http
            .request(
                reqwest::Method::from_bytes(b"PROPFIND").unwrap(),
                server.url("/dav/ada/"),
            )
            .header("authorization", &basic)
            .header("depth", "0")
            .send()
            .await
            .unwrap();
        assert_eq!(still.status(), StatusCode::MULTI_STATUS);
    }
}

/// JSON bodies nest at most 128 levels (serde_json's limit): a document
/// nesting 100,000 arrays is a 400, never a walk down the stack.
#[tokio::test]
async fn a_deeply_nested_json_body_is_a_400() {
    for (store, _guard) in stores().await {
        let server = Server::start(&store, ServerConfig::default()).await;
        let api = crate::Api::new(&server, "ada").await;
        let depth = 100_000;
        let body = format!(
            "{{\"name\": \"x\", \"notes\": {}{}}}",
            "[".repeat(depth),
            "]".repeat(depth)
        );
        let r = api
            .http
            .post(server.url("/api/v1/people"))
            .header("authorization", &api.auth)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        let (status, _) = api.get("/api/v1/people").await;
        assert_eq!(status, StatusCode::OK);
    }
}

/// Sends a request head that announces `length` bytes of body but sends
/// none, and returns the status line of the answer: a server that reads
/// the body before it checks who is asking never answers.
async fn status_without_body(server: &Server, head: &str, length: usize) -> String {
    let address = server.base.trim_start_matches("http://");
    let mut socket = tokio::net::TcpStream::connect(address).await.unwrap();
    let request = format!("{head}Host: {address}\r\nContent-Length: {length}\r\n\r\n");
    socket.write_all(request.as_bytes()).await.unwrap();
    let mut answer = vec![0u8; 512];
    let read = tokio::time::timeout(Duration::from_secs(5), socket.read(&mut answer))
        .await
        .expect("the server waited for a body before answering")
        .unwrap();
    String::from_utf8_lossy(&answer[..read])
        .lines()
        .next()
        .unwrap_or_default()
        .to_string()
}

/// CardDAV, `POST /` and `/login` read up to 50 MB before answering 401 or
/// 422. Now: a wrong device password is answered before any body is read,
/// and a sign-in form larger than 16 KiB is refused from its length.
#[tokio::test]
async fn bodies_are_not_read_before_the_caller_is_known() {
    for (store, _guard) in stores().await {
        let server = Server::start(&store, ServerConfig::default()).await;
        let big = 50 * 1024 * 1024;
        let wrong = "Authorization: Basic YWRhOndyb25n\r\n";
        for head in [
            format!("PUT /dav/ada/contacts/x.vcf HTTP/1.1\r\n{wrong}"),
            format!("REPORT /dav/ada/contacts/ HTTP/1.1\r\n{wrong}"),
            format!("POST / HTTP/1.1\r\n{wrong}"),
        ] {
            let status = status_without_body(&server, &head, big).await;
            assert!(status.contains(" 401 "), "{head}: {status}");
        }
        let login = "POST /login HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n";
        let status = status_without_body(&server, login, big).await;
        assert!(status.contains(" 413 "), "{status}");
        // An API call without a token, with a body it never reads.
        let api = "POST /api/v1/people HTTP/1.1\r\nContent-Type: application/json\r\n";
        let status = status_without_body(&server, api, big).await;
        assert!(status.contains(" 401 "), "{status}");
    }
}

/// `next=/%09/evil.example/` redirected to `/\t/evil.example/`, which
/// browsers read as `//evil.example/`; a line break in `next` gave a 500.
/// Sign-in and setup forms posted from another site were accepted.
#[tokio::test]
async fn sign_in_stays_on_this_site_and_refuses_other_sites_forms() {
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let server = Server::start(&store, ServerConfig::default()).await;
        Auth::new(store.clone())
            .add_user("ada", "correct horse", false)
            .await
            .unwrap();
        for next in [
            "/\t/evil.example/",
            "/\n/evil.example/",
            "/\\evil.example/",
            "//evil.example/",
            "https://evil.example/",
            "/ok\r\nSet-Cookie: x=y",
            " /evil",
        ] {
            let browser = client();
            let r = browser
                .post(server.url("/login"))
                .form(&[
                    ("name", "ada"),
                    ("password", "correct horse"),
                    ("next", next),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::SEE_OTHER, "{engine}: {next:?}");
            assert_eq!(r.headers()["location"], "/people", "{engine}: {next:?}");
            let page = browser
                .get(server.url("/login"))
                .query(&[("next", next)])
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(
                page.contains("name=\"next\" value=\"/people\""),
                "{engine}: {next:?}"
            );
        }
        // A local path with its query survives.
        let r = client()
            .post(server.url("/login"))
            .form(&[
                ("name", "ada"),
                ("password", "correct horse"),
                ("next", "/people?q=ann%20lee"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["location"], "/people?q=ann%20lee");

        // Login CSRF: a form posted from another site signs nobody in.
        for form_path in ["/login", "/setup"] {
            let r = client()
                .post(server.url(form_path))
                .header("origin", "https://evil.example")
                .form(&[
                    ("name", "ada"),
                    ("password", "correct horse"),
                    ("token", "x"),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{engine}: {form_path}");
            assert!(r.headers().get("set-cookie").is_none());
        }
    }
}

/// The trusted proxy's X-Forwarded-For names the client; anyone else's is
/// ignored (or a guesser could pick a fresh address per try).
#[tokio::test]
async fn forwarded_addresses_count_only_from_trusted_proxies() {
    for (store, _guard) in stores().await {
        let engine = store.engine();
        Auth::new(store.clone())
            .add_user("ada", "correct horse", false)
            .await
            .unwrap();
        let guess = |server: &Server, forwarded: &'static str| {
            let url = server.url("/login");
            async move {
                client()
                    .post(url)
                    .header("x-forwarded-for", forwarded)
                    .form(&[("name", "ada"), ("password", "wrong horse")])
                    .send()
                    .await
                    .unwrap()
                    .status()
            }
        };
        // Untrusted: five guesses from this peer, then it waits, whatever
        // address each guess claims.
        let plain = Server::start(&store, ServerConfig::default()).await;
        for claimed in ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"] {
            assert_eq!(guess(&plain, claimed).await, StatusCode::UNAUTHORIZED);
        }
        assert_eq!(
            guess(&plain, "10.0.0.6").await,
            StatusCode::TOO_MANY_REQUESTS,
            "{engine}"
        );
        // Behind a trusted proxy, each client has its own allowance.
        let config = ServerConfig {
            trusted_proxies: vec!["127.0.0.0/8".parse().unwrap()],
            ..Default::default()
        };
        let proxied = Server::start(&store, config).await;
        for _ in 0..5 {
            assert_eq!(guess(&proxied, "192.0.2.7").await, StatusCode::UNAUTHORIZED);
        }
        assert_eq!(
            guess(&proxied, "192.0.2.7").await,
            StatusCode::TOO_MANY_REQUESTS
        );
        assert_eq!(
            guess(&proxied, "192.0.2.8").await,
            StatusCode::UNAUTHORIZED,
            "{engine}: another client behind the proxy"
        );
    }
}

/// Setup stayed reachable after the first account, and hashed any password
/// before it looked at the token.
#[tokio::test]
async fn setup_closes_once_an_account_can_sign_in() {
    for (store, _guard) in stores().await {
        let server = Server::start(&store, ServerConfig::default()).await;
        let auth = Auth::new(store.clone());
        let secret = auth.setup_secret().await.unwrap().expect("a link");
        auth.add_user("ada", "correct horse", true).await.unwrap();
        let page = client()
            .get(server.url(&format!("/setup?token={secret}")))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::NOT_FOUND);
        let post = client()
            .post(server.url("/setup"))
            .form(&[
                ("token", secret.as_str()),
                ("name", "eve"),
                ("password", "correct horse"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(post.status(), StatusCode::NOT_FOUND);
        assert!(store.account("eve").await.unwrap().is_none());
    }
}

/// No X-Frame-Options, frame-ancestors, nosniff, Referrer-Policy or CSP.
#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    for (store, _guard) in stores().await {
        let server = Server::start(&store, ServerConfig::default()).await;
        for path in [
            "/login",
            "/api/v1/people",
            "/no-such-page",
            "/static/kith.css",
        ] {
            let r = client().get(server.url(path)).send().await.unwrap();
            let h = r.headers();
            assert_eq!(h["x-frame-options"], "DENY", "{path}");
            assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
            assert_eq!(h["referrer-policy"], "same-origin", "{path}");
            let csp = h["content-security-policy"].to_str().unwrap();
            assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
            assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        }
    }
}
