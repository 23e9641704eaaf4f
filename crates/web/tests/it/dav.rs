//! CardDAV against the real server on both engines: every method asks for
//! Basic credentials, a device password (not the login password, not
//! another account's) opens the book, another account's URLs answer 404;
//! an upload comes back unchanged, vendor lines included; an edit in kith
//! changes the ETag and shows in the next sync; a merge is one card
//! changed and one removed; the same token never loses a change.

use crate::Server;
use base64::Engine;
use kith_app::auth::Auth;
use kith_store::auth::TokenKind;
use kith_store::testing::stores;
use kith_web::ServerConfig;
use reqwest::{Method, StatusCode};

pub(crate) struct Device {
    http: reqwest::Client,
    auth: String,
    base: String,
}

impl Device {
    pub(crate) fn new(server: &Server, user: &str, password: &str) -> Device {
        let pair = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        Device {
            http: crate::client(),
            auth: format!("Basic {pair}"),
            base: server.base.clone(),
        }
    }

    pub(crate) async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> (StatusCode, reqwest::header::HeaderMap, String) {
        let mut r = self
            .http
            .request(
                Method::from_bytes(method.as_bytes()).unwrap(),
                format!("{}{path}", self.base),
            )
            .header("authorization", &self.auth)
            .body(body.to_string());
        for (k, v) in headers {
            r = r.header(*k, *v);
        }
        let response = r.send().await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        (status, headers, response.text().await.unwrap())
    }

    async fn sync(&self, token: &str) -> (StatusCode, String) {
        let body = format!(
            "<d:sync-collection xmlns:d=\"DAV:\"><d:sync-token>{token}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>"
        );
        let (s, _, text) = self
            .send("REPORT", "/dav/alice/contacts/", &[("depth", "1")], &body)
            .await;
        (s, text)
    }
}

pub(crate) fn token_in(text: &str) -> String {
    let at = text.find("<D:sync-token>").unwrap() + "<D:sync-token>".len();
    text[at..].split('<').next().unwrap().to_string()
}

const APPLE: &str = "BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Apple Inc.//iPhone OS 18.1//EN\r\nN:Lovelace;Ada;;;\r\nFN:Ada Lovelace\r\nitem1.EMAIL;type=INTERNET;type=pref:ada@engines.example\r\nitem1.X-ABLabel:_$!<Other>!$_\r\nX-ABUID:5AD380FD-B2DE-4261-BA99-DE1D1DB52FBE:ABPerson\r\nUID:5AD380FD-B2DE-4261-BA99-DE1D1DB52FBE\r\nEND:VCARD\r\n";

#[tokio::test]
async fn carddav_privacy_round_trips_edits_and_merges() {
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let server = Server::start(&store, ServerConfig::default()).await;
        let auth = Auth::new(store.clone());
        let alice = auth
            .add_user("alice", "correct horse", false)
            .await
            .unwrap();
        let bob = auth.add_user("bob", "battery staple", false).await.unwrap();
        let (_, alice_pw) = auth
            .create_token(alice.id, TokenKind::Dav, "phone")
            .await
            .unwrap();
        let (_, bob_pw) = auth
            .create_token(bob.id, TokenKind::Dav, "phone")
            .await
            .unwrap();
        let (_, alice_api) = auth
            .create_token(alice.id, TokenKind::Api, "script")
            .await
            .unwrap();
        let phone = Device::new(&server, "alice", &alice_pw);

        // Every method asks for credentials; the login password, an API
        // token and another account's device password are not credentials.
        for (user, password) in [
            ("alice", ""),
            ("alice", "correct horse"),
            ("alice", alice_api.as_str()),
            ("alice", bob_pw.as_str()),
        ] {
            let stranger = Device::new(&server, user, password);
            for method in [
                "PROPFIND",
                "REPORT",
                "GET",
                "PUT",
                "DELETE",
                "OPTIONS",
                "PROPPATCH",
            ] {
                let (s, h, _) = stranger.send(method, "/dav/alice/contacts/", &[], "").await;
                assert_eq!(
                    s,
                    StatusCode::UNAUTHORIZED,
                    "{engine}: {method} as {user}:{password}"
                );
                assert!(
                    h.get("www-authenticate")
                        .unwrap()
                        .to_str()
                        .unwrap()
                        .starts_with("Basic")
                );
            }
        }
        let (s, h, _) = phone
            .send("PROPFIND", "/.well-known/carddav", &[], "")
            .await;
        assert_eq!(s, StatusCode::MOVED_PERMANENTLY);
        assert_eq!(h.get("location").unwrap(), "/dav/");

        // An Apple card goes up and comes back as it was.
        let (s, h, _) = phone
            .send(
                "PUT",
                "/dav/alice/contacts/5AD380FD.vcf",
                &[("if-none-match", "*"), ("content-type", "text/vcard")],
                APPLE,
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{engine}");
        let etag = h.get("etag").unwrap().to_str().unwrap().to_string();
        let (s, h, text) = phone
            .send("GET", "/dav/alice/contacts/5AD380FD.vcf", &[], "")
            .await;
        assert_eq!((s, text.as_str()), (StatusCode::OK, APPLE), "{engine}");
        assert_eq!(h.get("etag").unwrap().to_str().unwrap(), etag);
        // Asked for vCard 4.0, the same card converted; answers are gzipped.
        let (s, _, text) = phone
            .send(
                "GET",
                "/dav/alice/contacts/5AD380FD.vcf",
                &[("accept", "text/vcard; version=4.0")],
                "",
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            text.contains("VERSION:4.0") && text.contains("ada@engines.example"),
            "{engine}: {text}"
        );
        let (_, h, _) = phone
            .send(
                "PROPFIND",
                "/dav/alice/contacts/",
                &[("depth", "1"), ("accept-encoding", "gzip")],
                "",
            )
            .await;
        assert_eq!(
            h.get("content-encoding").map(|v| v.to_str().unwrap()),
            Some("gzip"),
            "{engine}"
        );
        // kith understood it: Ada is a person with her email.
        let app = kith_app::App::new(
            store.clone(),
            alice.id,
            kith_app::Settings {
                default_region: kith_core::identity::Region::US,
                region_is_explicit: false,
                strength: Default::default(),
                card_emails_per_day: 3,
                federation: Default::default(),
                sources: Default::default(),
            },
        );
        let ada = app.find_person("ada@engines.example").await.unwrap();
        assert_eq!(ada.name, "Ada Lovelace", "{engine}");

        // Bob's own password cannot reach Alice's book: 404, as for nothing.
        let bobs = Device::new(&server, "bob", &bob_pw);
        for path in [
            "/dav/alice/",
            "/dav/alice/contacts/",
            "/dav/alice/contacts/5AD380FD.vcf",
        ] {
            let (s, _, _) = bobs.send("PROPFIND", path, &[("depth", "0")], "").await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{engine}: {path}");
        }
        let (s, _, _) = bobs
            .send("GET", "/dav/alice/contacts/5AD380FD.vcf", &[], "")
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _, listing) = bobs
            .send("PROPFIND", "/dav/bob/contacts/", &[("depth", "1")], "")
            .await;
        assert_eq!(s, StatusCode::MULTI_STATUS);
        assert!(
            !listing.contains(".vcf"),
            "{engine}: Bob's book is empty: {listing}"
        );

        // An edit in kith: a new ETag, in the next sync, the vendor lines kept.
        let (_, first) = phone.sync("").await;
        let token = token_in(&first);
        app.edit_person(
            &ada.id.to_string(),
            &kith_app::people::PersonEdit {
                add_phones: vec!["+44 20 7946 0000".into()],
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let (s, changed) = phone.sync(&token).await;
        assert_eq!(s, StatusCode::MULTI_STATUS);
        assert!(
            changed.contains("/dav/alice/contacts/5AD380FD.vcf"),
            "{engine}: {changed}"
        );
        let (_, h, text) = phone
            .send("GET", "/dav/alice/contacts/5AD380FD.vcf", &[], "")
            .await;
        assert_ne!(h.get("etag").unwrap().to_str().unwrap(), etag, "{engine}");
        assert!(
            text.contains("+442079460000")
                && text.contains("X-ABUID")
                && text.contains("X-ABLabel"),
            "{engine}: {text}"
        );
        // The stale ETag cannot overwrite the edit.
        let (s, _, _) = phone
            .send(
                "PUT",
                "/dav/alice/contacts/5AD380FD.vcf",
                &[("if-match", &etag)],
                APPLE,
            )
            .await;
        assert_eq!(s, StatusCode::PRECONDITION_FAILED, "{engine}");

        // A person made in kith is a card too; a merge is one changed, one gone.
        let grace = app
            .add_person(&kith_app::people::PersonEdit {
                name: Some("Ada L.".into()),
                add_emails: vec!["countess@engines.example".into()],
                ..Default::default()
            })
            .await
            .unwrap();
        let (_, before) = phone.sync("").await;
        let token = token_in(&before);
        assert!(
            before.contains(&format!("/dav/alice/contacts/{}.vcf", grace.id)),
            "{engine}: {before}"
        );
        app.merge_people(&ada.id.to_string(), &grace.id.to_string())
            .await
            .unwrap();
        let (_, after) = phone.sync(&token).await;
        assert!(after.contains("5AD380FD.vcf"), "{engine}: {after}");
        let gone = format!(
            "<D:response><D:href>/dav/alice/contacts/{}.vcf</D:href><D:status>HTTP/1.1 404 Not Found</D:status></D:response>",
            grace.id
        );
        assert!(after.contains(&gone), "{engine}: {after}");
        // A phone's card for someone kith knows from elsewhere (the same
        // email) stays its own card, suggested as a duplicate.
        app.add_person(&kith_app::people::PersonEdit {
            name: Some("Alan Turing".into()),
            add_emails: vec!["alan@bletchley.example".into()],
            ..Default::default()
        })
        .await
        .unwrap();
        let alan = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Alan M. Turing\r\nN:Turing;Alan;M.;;\r\nEMAIL:alan@bletchley.example\r\nUID:alan-phone\r\nEND:VCARD\r\n";
        let (s, _, _) = phone
            .send(
                "PUT",
                "/dav/alice/contacts/alan-phone.vcf",
                &[("if-none-match", "*")],
                alan,
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{engine}");
        let dupes = app.duplicates().await.unwrap();
        assert!(
            dupes.iter().any(|d| d
                .reasons
                .iter()
                .any(|r| r.contains("alan@bletchley.example"))),
            "{engine}: {dupes:?}"
        );
        // Deleted from the phone: gone from kith (to its trash).
        let (s, _, _) = phone
            .send("DELETE", "/dav/alice/contacts/5AD380FD.vcf", &[], "")
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        assert!(
            app.find_person("ada@engines.example").await.is_err(),
            "{engine}"
        );
        let (s, _) = phone.sync("urn:kith:sync:999999999").await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{engine}: a token never given");
    }
}

/// The setup page: the server, the user name, a device password made on
/// the page (shown once, with the DAVx5 QR code) that then opens the book.
#[tokio::test]
async fn the_setup_page_makes_a_device_password_with_a_qr_code() {
    let (store, _guard) = kith_store::testing::sqlite().await;
    let server = Server::start(
        &store,
        ServerConfig {
            public_url: "https://kith.example.org".into(),
            ..Default::default()
        },
    )
    .await;
    Auth::new(store.clone())
        .add_user("alice", "correct horse", false)
        .await
        .unwrap();
    let (browser, csrf) = server.sign_in("alice").await;
    let page = browser
        .get(server.url("/settings/carddav"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("<code>https://kith.example.org/</code>")
            && page.contains("https://kith.example.org/dav/alice/contacts/"),
        "{page}"
    );
    assert!(
        !page.contains("<svg"),
        "no QR code before a password exists"
    );
    let made = browser
        .post(server.url("/settings/carddav"))
        .form(&[("csrf", csrf.as_str()), ("name", "Ada's phone")])
        .send()
        .await
        .unwrap();
    assert_eq!(made.status(), StatusCode::OK);
    let page = made.text().await.unwrap();
    let password = crate::value_after(&page, "<code id=\"device-password\">");
    let password = password.split('<').next().unwrap().to_string();
    assert!(password.starts_with("kith_"), "{page}");
    assert!(page.contains("<svg"), "the DAVx5 QR code: {page}");
    let phone = Device::new(&server, "alice", &password);
    let (s, _, _) = phone
        .send("PROPFIND", "/dav/alice/contacts/", &[("depth", "0")], "")
        .await;
    assert_eq!(s, StatusCode::MULTI_STATUS);
    // Shown once: the page does not show it again.
    let again = browser
        .get(server.url("/settings/carddav"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!again.contains(&password));
}
