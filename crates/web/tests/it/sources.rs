//! Sources through the API and the Sources page: adding one, its first
//! sync starting at once (here against a closed loopback port, so it
//! fails and says why), pausing and resuming, a new password, removing;
//! nothing of one account's sources reaches another.

use crate::{Api, Server, csrf_of};
use kith_app::sources::{AddressPolicy, KeySource, SourcesConfig};
use kith_store::testing::stores;
use reqwest::StatusCode;
use serde_json::json;

fn sources_config() -> SourcesConfig {
    SourcesConfig {
        key: KeySource::Given("BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=".into()),
        policy: AddressPolicy {
            allow_private: true,
            ..Default::default()
        },
        every: std::time::Duration::from_secs(900),
    }
}

/// A loopback port nothing listens on.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Polls a source until it leaves `syncing` (at most 10 s).
async fn settled(api: &Api<'_>, id: &str) -> serde_json::Value {
    for _ in 0..200 {
        let (status, view) = api.get(&format!("/api/v1/sources/{id}")).await;
        assert_eq!(status, StatusCode::OK, "{view}");
        if view["state"] != "syncing" {
            return view;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the source still syncs after 10 s");
}

#[tokio::test]
async fn sources_through_the_api() {
    for (store, _guard) in stores().await {
        let server = Server::start_with_sources(&store, Default::default(), sources_config()).await;
        let api = Api::new(&server, "ada").await;
        let port = closed_port();
        let (status, added) = api
            .post(
                "/api/v1/sources",
                json!({"kind": "imap", "url": format!("imap://127.0.0.1:{port}"), "login": "ada@example.org", "password": "app-pw", "folders": ["INBOX"]}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{added}");
        assert_eq!(added["state"], "new");
        assert_eq!(added["has_password"], true);
        assert!(
            !added.to_string().contains("app-pw"),
            "the password never comes back"
        );
        let id = added["id"].as_str().unwrap().to_string();

        let (status, started) = api
            .post(&format!("/api/v1/sources/{id}/sync"), json!({}))
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{started}");
        let view = settled(&api, &id).await;
        assert_eq!(view["state"], "failing", "{view}");
        assert!(
            view["error"].as_str().unwrap().contains("cannot reach"),
            "{view}"
        );
        assert_eq!(view["failures"], 1);

        let (status, paused) = api
            .post(&format!("/api/v1/sources/{id}/pause"), json!({}))
            .await;
        assert_eq!(
            (status, paused["state"].as_str()),
            (StatusCode::OK, Some("paused"))
        );
        let (status, resumed) = api
            .post(&format!("/api/v1/sources/{id}/resume"), json!({}))
            .await;
        assert_eq!(
            (status, resumed["failures"].as_i64()),
            (StatusCode::OK, Some(0))
        );
        let (status, _) = api
            .put(
                &format!("/api/v1/sources/{id}/password"),
                json!({"password": "new-pw"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);

        // Bad input says what is wrong.
        let (status, problem) = api
            .post(
                "/api/v1/sources",
                json!({"kind": "ics", "url": "http://calendar.example.org/a.ics"}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert!(
            problem["detail"].as_str().unwrap().contains("https"),
            "{problem}"
        );
        let (status, _) = api.get("/api/v1/sources/not-an-id").await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // Another account sees none of it.
        let other = Api::new(&server, "bob").await;
        let (status, list) = other.get("/api/v1/sources").await;
        assert_eq!((status, list), (StatusCode::OK, json!([])));
        for path in [format!("/api/v1/sources/{id}")] {
            assert_eq!(other.get(&path).await.0, StatusCode::NOT_FOUND);
        }
        assert_eq!(
            other
                .post(&format!("/api/v1/sources/{id}/sync"), json!({}))
                .await
                .0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            other.delete(&format!("/api/v1/sources/{id}")).await,
            StatusCode::NOT_FOUND
        );

        assert_eq!(
            api.delete(&format!("/api/v1/sources/{id}")).await,
            StatusCode::NO_CONTENT
        );
        let (_, list) = api.get("/api/v1/sources").await;
        assert_eq!(list, json!([]));
    }
}

#[tokio::test]
async fn the_sources_page() {
    for (store, _guard) in stores().await {
        let server = Server::start_with_sources(&store, Default::default(), sources_config()).await;
        server.account_with_token("grace").await;
        let (browser, csrf) = server.sign_in("grace").await;
        let page = browser
            .get(server.url("/sources"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("No sources yet") && page.contains("Add a source"),
            "{page}"
        );
        // Refused: said on the page, what was typed kept.
        let refused = browser
            .post(server.url("/sources"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("kind", "carddav"),
                ("url", "ftp://dav.example.org/"),
                ("login", "grace"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let text = refused.text().await.unwrap();
        assert!(
            text.contains("https://") && text.contains("ftp://dav.example.org/"),
            "{text}"
        );
        let url = format!("imap://127.0.0.1:{}", closed_port());
        let added = browser
            .post(server.url("/sources"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("kind", "imap"),
                ("url", url.as_str()),
                ("login", "grace@example.org"),
                ("password", "app-pw"),
                ("every", "30"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(added.status(), StatusCode::SEE_OTHER);
        // The first sync started at once; it fails, and the page says why
        // and offers a new password.
        let mut page = String::new();
        for _ in 0..200 {
            page = browser
                .get(server.url("/sources"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            if page.contains("data-state=\"failing\"") {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert!(
            page.contains("Failing (1 time)") && page.contains("cannot reach"),
            "{page}"
        );
        assert!(
            page.contains("A new password") && !page.contains("app-pw"),
            "{page}"
        );
        let id = crate::value_after(&page, "action=\"/sources/")
            .split('/')
            .next()
            .unwrap()
            .to_string();
        let csrf = csrf_of(&page);
        let paused = browser
            .post(server.url(&format!("/sources/{id}/pause")))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(paused.status(), StatusCode::SEE_OTHER);
        let page = browser
            .get(server.url("/sources"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("Paused: paused by you") && page.contains("Resume"),
            "{page}"
        );
        // Without the form token nothing happens.
        let forged = browser
            .post(server.url(&format!("/sources/{id}/remove")))
            .form(&[("csrf", "forged")])
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);
        let removed = browser
            .post(server.url(&format!("/sources/{id}/remove")))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(removed.status(), StatusCode::SEE_OTHER);
        let page = browser
            .get(server.url("/sources"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("No sources yet"), "{page}");
    }
}
