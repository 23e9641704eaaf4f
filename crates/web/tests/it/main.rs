//! kith-web integration tests: the real server in-process on an ephemeral
//! loopback port, spoken to over HTTP, on SQLite and (with
//! `KITH_TEST_DATABASE_URL`) on PostgreSQL.

mod api;
mod api_more;
mod browser;
mod cards;
mod dav;
mod federation;
mod hostile;
mod import;
mod network;
mod ops;
mod pages;
mod sources;
mod tidy;

use kith_app::Settings;
use kith_app::auth::Auth;
use kith_core::identity::Region;
use kith_store::Store;
use kith_store::auth::TokenKind;
use kith_web::{AppState, ServerConfig};
use std::net::SocketAddr;

/// A running server and its address.
pub struct Server {
    pub base: String,
    pub store: Store,
    /// The server's state, for housekeeping a test runs by hand.
    pub state: AppState,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Server {
    pub async fn start(store: &Store, config: ServerConfig) -> Server {
        Server::start_with_sources(store, config, Default::default()).await
    }

    /// A server whose sources run with these settings (a key, loopback).
    pub async fn start_with_sources(
        store: &Store,
        config: ServerConfig,
        sources: kith_app::sources::SourcesConfig,
    ) -> Server {
        Server::start_inner(store, config, sources, false).await
    }

    /// A server that federates, its public URL its own address (private
    /// addresses refused, as on a server on the internet).
    pub async fn start_federating(store: &Store) -> Server {
        Server::start_inner(store, ServerConfig::default(), Default::default(), true).await
    }

    async fn start_inner(
        store: &Store,
        config: ServerConfig,
        sources: kith_app::sources::SourcesConfig,
        federating: bool,
    ) -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut federation = kith_app::federation::FederationConfig::default();
        if federating {
            federation.public_url = Some(format!("http://{addr}").parse().unwrap());
        }
        let state = AppState::new(
            store.clone(),
            Settings {
                default_region: Region::US,
                region_is_explicit: false,
                strength: Default::default(),
                card_emails_per_day: 3,
                federation: std::sync::Arc::new(federation),
                sources: std::sync::Arc::new(sources),
            },
            config,
        );
        let app =
            kith_web::router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Server {
            base: format!("http://{addr}"),
            store: store.clone(),
            state,
            task,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A new account with an API token; returns the token.
    pub async fn account_with_token(&self, name: &str) -> String {
        let auth = Auth::new(self.store.clone());
        let account = auth.add_user(name, "correct horse", false).await.unwrap();
        auth.create_token(account.id, TokenKind::Api, "tests")
            .await
            .unwrap()
            .1
    }
}

/// An API client for one token.
pub struct Api<'a> {
    pub server: &'a Server,
    pub auth: String,
    pub http: reqwest::Client,
}

impl Api<'_> {
    pub async fn new<'a>(server: &'a Server, name: &str) -> Api<'a> {
        Api {
            server,
            auth: format!("Bearer {}", server.account_with_token(name).await),
            http: client(),
        }
    }

    /// Sends a request with the token (and a JSON body); the status and
    /// the JSON answer (null when there is none).
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> (reqwest::StatusCode, serde_json::Value) {
        let mut request = self
            .http
            .request(method.clone(), self.server.url(path))
            .header("authorization", &self.auth);
        if method == reqwest::Method::PATCH {
            request = request.header("if-match", "*");
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let r = request.send().await.unwrap();
        let status = r.status();
        (status, r.json().await.unwrap_or(serde_json::Value::Null))
    }

    pub async fn get(&self, path: &str) -> (reqwest::StatusCode, serde_json::Value) {
        self.send(reqwest::Method::GET, path, None).await
    }

    pub async fn post(
        &self,
        path: &str,
        body: serde_json::Value,
    ) -> (reqwest::StatusCode, serde_json::Value) {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    /// PATCH with `If-Match: *`.
    pub async fn patch(
        &self,
        path: &str,
        body: serde_json::Value,
    ) -> (reqwest::StatusCode, serde_json::Value) {
        self.send(reqwest::Method::PATCH, path, Some(body)).await
    }

    pub async fn put(
        &self,
        path: &str,
        body: serde_json::Value,
    ) -> (reqwest::StatusCode, serde_json::Value) {
        self.send(reqwest::Method::PUT, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> reqwest::StatusCode {
        self.send(reqwest::Method::DELETE, path, None).await.0
    }

    /// Uploads files to /api/v1/imports and waits for the job to finish.
    pub async fn import(&self, files: Vec<(&str, Vec<u8>)>) -> serde_json::Value {
        let mut form = reqwest::multipart::Form::new();
        for (name, bytes) in files {
            form = form.part(
                "files",
                reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
            );
        }
        let r = self
            .http
            .post(self.server.url("/api/v1/imports"))
            .header("authorization", &self.auth)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), reqwest::StatusCode::ACCEPTED);
        let location = r.headers()["location"].to_str().unwrap().to_string();
        for _ in 0..400 {
            let (status, job) = self.get(&location).await;
            assert_eq!(status, reqwest::StatusCode::OK, "{job}");
            if job["done"] == true {
                return job;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        panic!("the import at {location} did not finish");
    }
}

/// An HTTP client that does not follow redirects and keeps cookies.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap()
}

/// The text after `marker` up to the next double quote (an attribute value).
pub fn value_after(html: &str, marker: &str) -> String {
    let at = html
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} not in {html}"))
        + marker.len();
    html[at..].split('"').next().unwrap().to_string()
}

/// The form token on a page.
/// The text of a page fetched with `browser` (a signed-in client).
pub async fn page_text(browser: &reqwest::Client, url: &str) -> String {
    browser.get(url).send().await.unwrap().text().await.unwrap()
}

pub fn csrf_of(html: &str) -> String {
    value_after(html, "name=\"csrf\" value=\"")
}

impl Server {
    /// Signs `name` (password "correct horse") in on a new browser; returns
    /// it with its form token.
    pub async fn sign_in(&self, name: &str) -> (reqwest::Client, String) {
        let browser = client();
        let response = browser
            .post(self.url("/login"))
            .form(&[
                ("name", name),
                ("password", "correct horse"),
                ("next", "/settings"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            reqwest::StatusCode::SEE_OTHER,
            "sign in as {name}"
        );
        let html = browser
            .get(self.url("/settings"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        (browser, csrf_of(&html))
    }
}
