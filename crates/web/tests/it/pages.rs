//! The pages over HTTP (no browser): the setup link, signing in and out,
//! CSRF, the people list and a person's page, and privacy between accounts.

use crate::{Server, client, csrf_of, value_after};
use kith_app::auth::Auth;
use kith_store::testing::{sqlite, stores};
use kith_web::ServerConfig;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn setup_sign_in_browse_and_sign_out() {
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let server = Server::start(&store, ServerConfig::default()).await;
        let auth = Auth::new(store.clone());
        let secret = auth.setup_secret().await.unwrap().expect("setup link");
        let browser = client();

        // Pages need a session.
        let redirected = browser.get(server.url("/people?q=x")).send().await.unwrap();
        assert_eq!(redirected.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            redirected.headers()["location"],
            "/login?next=/people%3Fq%3Dx",
            "{engine}"
        );
        assert_eq!(
            browser
                .get(server.url("/setup?token=wrong"))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::NOT_FOUND
        );
        let setup = browser
            .get(server.url(&format!("/setup?token={secret}")))
            .send()
            .await
            .unwrap();
        assert_eq!(setup.status(), StatusCode::OK);
        let done = browser
            .post(server.url("/setup"))
            .form(&[
                ("token", secret.as_str()),
                ("name", "ada"),
                ("password", "correct horse"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(done.status(), StatusCode::SEE_OTHER, "{engine}");
        let cookie = done.headers()["set-cookie"].to_str().unwrap().to_string();
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
            "{cookie}"
        );
        // The link is used up.
        assert_eq!(
            browser
                .get(server.url(&format!("/setup?token={secret}")))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::NOT_FOUND
        );

        // Ada adds someone through the API with her session (CSRF header).
        let page = browser.get(server.url("/people")).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        assert!(html.contains("No people yet"), "{engine}");
        let csrf = csrf_of(&html);
        let no_csrf = browser
            .post(server.url("/api/v1/people"))
            .json(&json!({"name": "Grace Hopper"}))
            .send()
            .await
            .unwrap();
        assert_eq!(no_csrf.status(), StatusCode::FORBIDDEN, "{engine}");
        let added = browser
            .post(server.url("/api/v1/people"))
            .header("x-csrf-token", &csrf)
            .json(&json!({"name": "Grace Hopper", "organization": "US Navy", "emails": ["grace@example.org"]}))
            .send()
            .await
            .unwrap();
        assert_eq!(added.status(), StatusCode::CREATED, "{engine}");
        let grace: serde_json::Value = added.json().await.unwrap();
        let id = grace["id"].as_str().unwrap().to_string();

        let list = browser
            .get(server.url("/people?q=navy"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(list.contains("Grace Hopper") && list.contains(&format!("/people/{id}")));
        let person = browser
            .get(server.url(&format!("/people/{id}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            person.contains("grace@example.org") && person.contains("from you"),
            "{person}"
        );

        // Edit through the form; a second edit from the same (now old) form
        // is refused and saves nothing.
        let form = browser
            .get(server.url(&format!("/people/{id}/edit")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let version = value_after(&form, "name=\"version\" value=\"");
        let edit = |title: &'static str| {
            browser
                .post(server.url(&format!("/people/{id}/edit")))
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("version", version.as_str()),
                    ("name", "Grace Hopper"),
                    ("organization", "US Navy"),
                    ("title", title),
                    ("emails", "grace@example.org\ngrace@navy.mil"),
                    ("tags", "pioneers, navy"),
                ])
                .send()
        };
        let saved = edit("Rear Admiral").await.unwrap();
        assert_eq!(saved.status(), StatusCode::SEE_OTHER, "{engine}");
        let stale = edit("Lost update").await.unwrap();
        assert_eq!(stale.status(), StatusCode::CONFLICT, "{engine}");
        assert!(stale.text().await.unwrap().contains("Nothing was saved"));
        let page = browser
            .get(server.url(&format!("/people/{id}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("Rear Admiral at US Navy") && page.contains("grace@navy.mil"),
            "{page}"
        );
        assert!(!page.contains("Lost update"));

        // Bob signs in elsewhere and cannot open Grace.
        auth.add_user("bob", "battery staple", false).await.unwrap();
        let other = client();
        let wrong = other
            .post(server.url("/login"))
            .form(&[("name", "bob"), ("password", "nope"), ("next", "/people")])
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
        let signed_in = other
            .post(server.url("/login"))
            .form(&[
                ("name", "bob"),
                ("password", "battery staple"),
                ("next", "https://evil.example/"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(signed_in.status(), StatusCode::SEE_OTHER, "{engine}");
        assert_eq!(
            signed_in.headers()["location"],
            "/people",
            "no open redirect"
        );
        let hidden = other
            .get(server.url(&format!("/people/{id}")))
            .send()
            .await
            .unwrap();
        let absent = other
            .get(server.url(&format!("/people/{}", kith_core::PersonId::new())))
            .send()
            .await
            .unwrap();
        assert_eq!(hidden.status(), StatusCode::NOT_FOUND, "{engine}");
        assert_eq!(absent.status(), StatusCode::NOT_FOUND);
        let bobs = other
            .get(server.url("/people?q=grace"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!bobs.contains("Grace"), "{engine}");
        let bob_csrf = csrf_of(&bobs);
        let bob_edit = other
            .post(server.url(&format!("/people/{id}/edit")))
            .form(&[
                ("csrf", bob_csrf.as_str()),
                ("version", "1"),
                ("name", "Mallory"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(bob_edit.status(), StatusCode::NOT_FOUND, "{engine}");
        let bob_delete = other
            .post(server.url(&format!("/people/{id}/delete")))
            .form(&[("csrf", bob_csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(bob_delete.status(), StatusCode::NOT_FOUND, "{engine}");

        // Delete, then restore from the deleted people.
        let deleted = browser
            .post(server.url(&format!("/people/{id}/delete")))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(deleted.status(), StatusCode::SEE_OTHER, "{engine}");
        assert_eq!(
            browser
                .get(server.url(&format!("/people/{id}")))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::NOT_FOUND
        );
        let trash = browser
            .get(server.url("/trash"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(trash.contains("Grace Hopper"), "{engine}: {trash}");
        let bob_restore = other
            .post(server.url(&format!("/people/{id}/restore")))
            .form(&[("csrf", bob_csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(
            bob_restore.status(),
            StatusCode::NOT_FOUND,
            "{engine}: not Bob's"
        );
        let restored = browser
            .post(server.url(&format!("/people/{id}/restore")))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(restored.status(), StatusCode::SEE_OTHER, "{engine}");
        let back = browser
            .get(server.url("/people?q=navy"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(back.contains("Grace Hopper"), "{engine}: searchable again");

        // Signing out needs the form token; then the session is gone.
        let forged = browser
            .post(server.url("/logout"))
            .form(&[("csrf", "forged")])
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);
        let out = browser
            .post(server.url("/logout"))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(out.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            browser
                .get(server.url("/people"))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::SEE_OTHER,
            "{engine}: signed out"
        );
    }
}

#[tokio::test]
async fn duplicates_export_and_settings() {
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let server = Server::start(&store, ServerConfig::default()).await;
        let token = server.account_with_token("ada").await;
        server.account_with_token("bob").await;
        let http = client();
        for body in [
            json!({"name": "Robert Smith", "organization": "Acme", "emails": ["bob@acme.example"]}),
            json!({"name": "Bob Smith", "organization": "Acme", "emails": ["rsmith@home.example"]}),
        ] {
            let r = http
                .post(server.url("/api/v1/people"))
                .bearer_auth(&token)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::CREATED);
        }
        // The app's duplicate pass runs on import; ask it for this pair.
        let (ada, csrf) = server.sign_in("ada").await;
        let people: serde_json::Value = http
            .get(server.url("/api/v1/people?search=smith"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let ids: Vec<String> = people["people"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(ids.len(), 2, "{engine}");
        let page = ada.get(server.url("/duplicates")).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let merged = ada
            .post(server.url("/duplicates/merge"))
            .form(&[("csrf", csrf.as_str()), ("a", &ids[0]), ("b", &ids[1])])
            .send()
            .await
            .unwrap();
        assert_eq!(merged.status(), StatusCode::SEE_OTHER, "{engine}");
        let after: serde_json::Value = http
            .get(server.url("/api/v1/people?search=smith"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let left = after["people"].as_array().unwrap();
        assert_eq!(left.len(), 1, "{engine}: merged");
        assert_eq!(
            left[0]["emails"].as_array().unwrap().len(),
            2,
            "every value kept"
        );
        let undone = ada
            .post(server.url(&format!("/people/{}/unmerge", ids[0])))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(undone.status(), StatusCode::SEE_OTHER, "{engine}");

        // Export downloads: Ada's people, and none of them in Bob's.
        let vcf = ada
            .get(server.url("/export/vcard4.vcf"))
            .send()
            .await
            .unwrap();
        assert_eq!(vcf.status(), StatusCode::OK);
        assert!(
            vcf.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .contains("attachment")
        );
        let text = vcf.text().await.unwrap();
        assert_eq!(
            text.matches("BEGIN:VCARD").count(),
            2,
            "{engine}: unmerged again"
        );
        let (bob, bob_csrf) = server.sign_in("bob").await;
        let bobs = bob
            .get(server.url("/export/people.json"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!bobs.contains("Smith"), "{engine}: {bobs}");
        // Bob cannot merge Ada's people, even knowing their ids.
        let forbidden = bob
            .post(server.url("/duplicates/merge"))
            .header("accept", "text/html")
            .form(&[("csrf", bob_csrf.as_str()), ("a", &ids[0]), ("b", &ids[1])])
            .send()
            .await
            .unwrap();
        assert_eq!(forbidden.status(), StatusCode::NOT_FOUND, "{engine}");
        let html = forbidden.text().await.unwrap();
        assert!(
            html.contains("<h1>Not found</h1>"),
            "an error page for a browser: {html}"
        );

        // Tokens: the secret is shown once; revoking it closes the API.
        let created = ada
            .post(server.url("/settings/tokens"))
            .form(&[("csrf", csrf.as_str()), ("name", "laptop"), ("kind", "api")])
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let secret = value_after(&created, "id=\"secret\" readonly value=\"");
        assert!(secret.starts_with("kith_"), "{secret}");
        let settings = ada
            .get(server.url("/settings"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            settings.contains("laptop") && !settings.contains(&secret),
            "shown once"
        );
        assert_eq!(
            http.get(server.url("/api/v1/people"))
                .bearer_auth(&secret)
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::OK
        );
        let auth = Auth::new(store.clone());
        let account = store.account("ada").await.unwrap().unwrap();
        let laptop = auth
            .tokens(account.id)
            .await
            .unwrap()
            .into_iter()
            .find(|t| t.name == "laptop")
            .unwrap();
        let revoked = ada
            .post(server.url(&format!("/settings/tokens/{}/revoke", laptop.id)))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(revoked.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            http.get(server.url("/api/v1/people"))
                .bearer_auth(&secret)
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::UNAUTHORIZED,
            "{engine}"
        );

        // Changing the password needs the current one, then signs out.
        let wrong = ada
            .post(server.url("/settings/password"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("current", "nope"),
                ("new", "battery staple"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let changed = ada
            .post(server.url("/settings/password"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("current", "correct horse"),
                ("new", "battery staple"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(changed.status(), StatusCode::SEE_OTHER, "{engine}");
        assert_eq!(
            ada.get(server.url("/people"))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::SEE_OTHER,
            "{engine}: signed out by the new password"
        );
    }
}

#[tokio::test]
async fn organisation_pages_filters_and_the_phone_region() {
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let server = Server::start(&store, ServerConfig::default()).await;
        let token = server.account_with_token("ada").await;
        let (browser, csrf) = server.sign_in("ada").await;
        let api = client();
        for body in [
            json!({"name": "Grace Hopper", "tags": ["navy"],
                   "positions": [{"organization": "US Navy", "title": "Rear Admiral"},
                                 {"organization": "Harvard", "title": "Programmer", "end": "1949"}]}),
            json!({"name": "Howard Aiken", "positions": [{"organization": "Harvard", "title": "Professor"}]}),
        ] {
            let r = api
                .post(server.url("/api/v1/people"))
                .bearer_auth(&token)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::CREATED, "{engine}");
        }
        let get = |path: &str| {
            let request = browser.get(server.url(path));
            async move { request.send().await.unwrap().text().await.unwrap() }
        };

        // The organisations, then Harvard: who is there now and before.
        let list = get("/organizations").await;
        assert!(
            list.contains(">Harvard</a>") && list.contains(">US Navy</a>"),
            "{engine}: {list}"
        );
        let link_end = list.find("\">Harvard</a>").unwrap();
        let link_start = list[..link_end].rfind("/organizations/").unwrap();
        let harvard = list[link_start + "/organizations/".len()..link_end].to_string();
        let page = get(&format!("/organizations/{harvard}")).await;
        let (now, before) = page.split_once("Were there before").unwrap();
        assert!(
            now.contains("Howard Aiken") && !now.contains("Grace Hopper"),
            "{engine}: {page}"
        );
        assert!(
            before.contains("Grace Hopper") && before.contains("until 1949"),
            "{engine}: {page}"
        );
        let searched = get("/organizations?q=harv").await;
        assert!(
            searched.contains("Harvard") && !searched.contains("US Navy"),
            "{engine}"
        );

        // A person's job history links to the organisation.
        let people = get("/people?q=grace").await;
        let grace = value_after(&people, "<a href=\"/people/");
        let person = get(&format!("/people/{grace}")).await;
        assert!(
            person.contains(&format!("/organizations/{harvard}")),
            "{engine}: {person}"
        );

        // Filters and order on the people list.
        let navy = get("/people?tag=navy").await;
        assert!(
            navy.contains("Grace Hopper") && !navy.contains("Howard Aiken"),
            "{engine}"
        );
        let at_harvard = get("/people?org=harvard").await;
        assert!(at_harvard.contains("Grace Hopper") && at_harvard.contains("Howard Aiken"));
        let added = get("/people?sort=added").await;
        assert!(
            added.find("Howard Aiken").unwrap() < added.find("Grace Hopper").unwrap(),
            "{engine}: most recently added first"
        );
        assert!(
            added.contains("/static/search.js"),
            "search as you type is offered"
        );
        let script = browser
            .get(server.url("/static/search.js"))
            .send()
            .await
            .unwrap();
        assert_eq!(script.status(), StatusCode::OK);

        // The phone region: a wrong code is refused, a right one applies to
        // numbers added from then on.
        let refused = browser
            .post(server.url("/settings/region"))
            .form(&[("csrf", csrf.as_str()), ("region", "XX")])
            .send()
            .await
            .unwrap();
        assert_eq!(
            refused.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{engine}"
        );
        assert!(
            refused
                .text()
                .await
                .unwrap()
                .contains("two-letter country code")
        );
        let saved = browser
            .post(server.url("/settings/region"))
            .form(&[("csrf", csrf.as_str()), ("region", "gb")])
            .send()
            .await
            .unwrap();
        assert_eq!(saved.status(), StatusCode::OK, "{engine}");
        assert!(
            saved.text().await.unwrap().contains("value=\"GB\""),
            "{engine}"
        );
        let added: serde_json::Value = api
            .post(server.url("/api/v1/people"))
            .bearer_auth(&token)
            .json(&json!({"name": "Tim Berners-Lee", "phones": ["020 7946 0958"]}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            added["phones"],
            json!(["+442079460958"]),
            "{engine}: {added}"
        );
    }
}

#[tokio::test]
async fn an_interaction_is_logged_from_the_person_page() {
    let (store, _guard) = sqlite().await;
    let server = Server::start(&store, ServerConfig::default()).await;
    let token = server.account_with_token("ada").await;
    let (browser, csrf) = server.sign_in("ada").await;
    let grace: serde_json::Value = client()
        .post(server.url("/api/v1/people"))
        .bearer_auth(&token)
        .json(&json!({"name": "Grace Hopper"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let page = format!("/people/{}", grace["id"].as_str().unwrap());
    let before = browser
        .get(server.url(&page))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(before.contains("Nothing logged yet") && before.contains("Log an interaction"));
    let logged = browser
        .post(server.url(&format!("{page}/interactions")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("kind", "lunch"),
            ("date", "2026-11-02"),
            ("note", "COBOL stories"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(logged.status(), StatusCode::SEE_OTHER);
    let after = browser
        .get(server.url(&page))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        after.contains("2026-11-02") && after.contains("lunch") && after.contains("COBOL stories"),
        "{after}"
    );
    let refused = browser
        .post(server.url(&format!("{page}/interactions")))
        .form(&[("csrf", "forged"), ("kind", "lunch")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn your_email_addresses_in_the_settings() {
    let (store, _guard) = sqlite().await;
    let server = Server::start(&store, ServerConfig::default()).await;
    server.account_with_token("ada").await;
    let (browser, csrf) = server.sign_in("ada").await;
    let post = |email: &str, action: &str| {
        browser
            .post(server.url("/settings/emails"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("email", email),
                ("action", action),
            ])
            .send()
    };
    assert_eq!(
        post("Ada@Example.org", "add").await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
    let bad = post("not an address", "add").await.unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.text()
            .await
            .unwrap()
            .contains("is not an email address")
    );
    let page = browser
        .get(server.url("/settings"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("ada@example.org"), "{page}");
    post("ada@example.org", "remove").await.unwrap();
    let page = browser
        .get(server.url("/settings"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("<li>ada@example.org"), "{page}");
}

/// The digest from the settings page and from the server's schedule,
/// through a real SMTP server on loopback.
#[tokio::test]
async fn the_digest_from_the_settings_page_and_the_schedule() {
    let Some(sink) = kith_app::testing::SmtpSink::start() else {
        return;
    };
    let (store, _guard) = sqlite().await;
    Auth::new(store.clone())
        .add_user("alice", "correct horse", false)
        .await
        .unwrap();
    let mailer = kith_app::mailer::Mailer::new(&sink.config(), None).unwrap();
    let server = Server::start(
        &store,
        ServerConfig {
            mailer: Some(std::sync::Arc::new(mailer)),
            public_url: "https://kith.example.org".into(),
            ..Default::default()
        },
    )
    .await;
    let (browser, csrf) = server.sign_in("alice").await;
    let settings = browser
        .get(server.url("/settings"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        settings.contains("Digest by email") && settings.contains("It has nowhere to go yet"),
        "{settings}"
    );
    let form = |path: &str, fields: Vec<(&str, &str)>| {
        let mut fields = fields;
        fields.push(("csrf", csrf.as_str()));
        browser.post(server.url(path)).form(&fields).send()
    };
    let bad = form(
        "/settings/digest",
        vec![("every", "weekly"), ("to", "nobody")],
    )
    .await
    .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let saved = form(
        "/settings/digest",
        vec![("every", "daily"), ("to", "alice@home.example")],
    )
    .await
    .unwrap();
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    // Someone to reach out to.
    let created = form("/people/new", vec![("name", "Grace Hopper")])
        .await
        .unwrap();
    let grace = created
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let grace_id = grace.trim_start_matches("/people/").to_string();
    let cadence = form(
        &format!("/people/{grace_id}/cadence"),
        vec![("every_days", "30")],
    )
    .await
    .unwrap();
    assert_eq!(cadence.status(), StatusCode::SEE_OTHER, "{grace}");

    let sent = form("/settings/digest/send", vec![]).await.unwrap();
    assert_eq!(sent.status(), StatusCode::OK);
    let page = sent.text().await.unwrap();
    assert!(page.contains("Digest sent to alice@home.example"), "{page}");
    let mail = sink.messages();
    assert_eq!(mail.len(), 1);
    assert!(
        mail[0].contains("To: alice@home.example")
            && mail[0].contains(&format!("https://kith.example.org/people/{grace_id}")),
        "{}",
        mail[0]
    );

    // The schedule: daily from 07:00 UTC, once a day, whichever server runs it.
    let morning = "2030-01-07T08:00:00Z"
        .parse::<jiff::Timestamp>()
        .unwrap()
        .as_microsecond();
    assert_eq!(
        kith_web::maintenance::send_due_digests(&server.state, morning).await,
        1
    );
    assert_eq!(
        kith_web::maintenance::send_due_digests(&server.state, morning + 60_000_000).await,
        0
    );
    assert_eq!(sink.messages().len(), 2);
}

/// A fresh server's sign-in page offers setup only to a browser on the
/// server's own machine (a loopback peer, a loopback host name, no proxy's
/// headers); others are told where the link is.
#[tokio::test]
async fn setup_from_the_sign_in_page_only_on_the_servers_own_machine() {
    let (store, _guard) = sqlite().await;
    let server = Server::start(&store, ServerConfig::default()).await;
    let browser = client();
    let here = browser.get(server.url("/login")).send().await.unwrap();
    let here = here.text().await.unwrap();
    assert!(here.contains("Set up this server"), "{here}");
    for (header, value) in [
        ("x-forwarded-for", "203.0.113.9"),
        ("forwarded", "for=203.0.113.9"),
        ("host", "kith.example.org"),
    ] {
        let away = browser
            .get(server.url("/login"))
            .header(header, value)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            !away.contains("Set up this server") && away.contains("setup link"),
            "{header}: {away}"
        );
        let refused = browser
            .post(server.url("/setup/local"))
            .header(header, value)
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::NOT_FOUND, "{header}");
    }
    let opened = browser
        .post(server.url("/setup/local"))
        .send()
        .await
        .unwrap();
    assert_eq!(opened.status(), StatusCode::SEE_OTHER);
    let to = opened.headers()["location"].to_str().unwrap().to_string();
    assert!(to.starts_with("/setup?token="), "{to}");
    let token = to.trim_start_matches("/setup?token=").to_string();
    let made = browser
        .post(server.url("/setup"))
        .form(&[
            ("token", token.as_str()),
            ("name", "ada"),
            ("password", "correct horse"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(made.status(), StatusCode::SEE_OTHER);
    assert_eq!(made.headers()["location"], "/", "Home, with its checklist");
    let home = browser
        .get(server.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains("Getting started"), "{home}");
    // Once an account can sign in, the page is the sign-in form and the
    // button's address opens nothing.
    let login = browser
        .get(server.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(login.contains("Account name") && !login.contains("Set up this server"));
    let closed = browser
        .post(server.url("/setup/local"))
        .send()
        .await
        .unwrap();
    assert_eq!(closed.headers()["location"], "/login");
}

/// The review queue: a group of three reviewed as one, a notice after each
/// change shown once with Undo, everything above a score merged.
#[tokio::test]
async fn the_review_queue_groups_notices_and_merges_above_a_score() {
    let (store, _guard) = sqlite().await;
    let server = Server::start(&store, ServerConfig::default()).await;
    let account = Auth::new(store.clone())
        .add_user("ada", "correct horse", false)
        .await
        .unwrap();
    let app = server.state.app(account.id);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("smiths.vcf");
    std::fs::write(
        &file,
        "BEGIN:VCARD\nVERSION:3.0\nN:Smith;Robert;;;\nFN:Robert Smith\nORG:Acme\nEMAIL:r@acme.example\nEND:VCARD\n\
BEGIN:VCARD\nVERSION:3.0\nN:Smith;Bob;;;\nFN:Bob Smith\nORG:Acme\nEMAIL:bob@home.example\nEND:VCARD\n\
BEGIN:VCARD\nVERSION:3.0\nN:Smith;Rob;;;\nFN:Rob Smith\nORG:Acme\nTEL:+1 212 555 0101\nEND:VCARD\n\
BEGIN:VCARD\nVERSION:3.0\nN:Doe;Jennifer;;;\nFN:Jennifer Doe\nORG:Initech\nTITLE:Analyst\nEND:VCARD\n\
BEGIN:VCARD\nVERSION:3.0\nN:Doe;Jen;;;\nFN:Jen Doe\nORG:Initech\nTITLE:Analyst\nNOTE:met at the fair\nEND:VCARD\n",
    )
    .unwrap();
    app.import_file(&file, &Default::default(), &kith_app::import::NoProgress)
        .await
        .unwrap();
    let (browser, csrf) = server.sign_in("ada").await;
    let page = |path: &'static str| {
        let browser = browser.clone();
        let url = server.url(path);
        async move { browser.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let queue = page("/duplicates").await;
    assert!(queue.contains("3 people who may be one"), "{queue}");
    let ids = value_after(&queue, "name=\"people\" value=\"");
    assert_eq!(ids.split(',').count(), 3, "{ids}");
    let merged = browser
        .post(server.url("/duplicates/merge-group"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("people", ids.as_str()),
            ("back", "/duplicates?page=1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(merged.headers()["location"], "/duplicates?page=1");
    let after = page("/duplicates?page=1").await;
    assert!(
        after.contains("Merged 3 people into"),
        "the notice: {after}"
    );
    assert!(!after.contains("3 people who may be one"), "{after}");
    let again = page("/duplicates?page=1").await;
    assert!(!again.contains("Merged 3 people"), "a notice shows once");
    // Dismiss Jennifer and Jen Doe, then undo it from the notice.
    let (a, b) = (
        value_after(&again, "name=\"a\" value=\""),
        value_after(&again, "name=\"b\" value=\""),
    );
    browser
        .post(server.url("/duplicates/dismiss"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("a", a.as_str()),
            ("b", b.as_str()),
        ])
        .send()
        .await
        .unwrap();
    let dismissed = page("/duplicates").await;
    assert!(
        dismissed.contains("kept apart") && dismissed.contains("Undo"),
        "{dismissed}"
    );
    assert!(dismissed.contains("Nothing to review"), "{dismissed}");
    browser
        .post(server.url("/duplicates/restore"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("a", a.as_str()),
            ("b", b.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert!(page("/duplicates").await.contains("Jennifer Doe"));
    // Everything at 85% or more.
    browser
        .post(server.url("/duplicates/merge-above"))
        .form(&[("csrf", csrf.as_str()), ("score", "85")])
        .send()
        .await
        .unwrap();
    let done = page("/duplicates").await;
    assert!(done.contains("Merged 1 pair scoring 85%"), "{done}");
    // A planted notice's Undo carries no valid form token.
    let planted = client();
    let forged =
        base64_url(r#"{"t":"Your account is locked","u":{"a":"/logout","f":[]},"c":"guess"}"#);
    let shown = planted
        .get(server.url("/login"))
        .header("cookie", format!("kith_flash={forged}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        shown.contains("value=\"guess\""),
        "the form carries the planted token only"
    );
}

fn base64_url(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}

/// An administrator sets the server's mail up on the Settings page (no
/// kith.toml): it is used at once, a test message reaches a real SMTP
/// server, another account cannot change it, and removing it stops mail.
#[tokio::test]
async fn mail_is_set_up_on_the_settings_page_by_an_administrator() {
    let Some(sink) = kith_app::testing::SmtpSink::start() else {
        return;
    };
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let server = Server::start(&store, ServerConfig::default()).await;
        let auth = Auth::new(store.clone());
        let admin = auth.add_user("ada", "correct horse", true).await.unwrap();
        auth.add_user("bob", "correct horse", false).await.unwrap();
        server
            .state
            .app(admin.id)
            .add_my_email("ada@example.org")
            .await
            .unwrap();
        let (browser, csrf) = server.sign_in("ada").await;
        let page = |path: &'static str| {
            let browser = browser.clone();
            let url = server.url(path);
            async move { browser.get(url).send().await.unwrap().text().await.unwrap() }
        };
        let before = page("/settings").await;
        assert!(
            before.contains("This server cannot send email yet"),
            "{engine}"
        );
        let port = sink.config().port.unwrap().to_string();
        let save = |fields: Vec<(&'static str, String)>| {
            let browser = browser.clone();
            let url = server.url("/settings/mail");
            let mut fields = fields;
            fields.push(("csrf", csrf.clone()));
            async move { browser.post(url).form(&fields).send().await.unwrap() }
        };
        save(vec![
            ("action", "save".into()),
            ("host", "127.0.0.1".into()),
            ("port", "not a port".into()),
            ("security", "none".into()),
            ("from", "kith <kith@localhost>".into()),
        ])
        .await;
        assert!(
            page("/settings")
                .await
                .contains("give a number such as 587"),
            "{engine}"
        );
        save(vec![
            ("action", "save".into()),
            ("host", "127.0.0.1".into()),
            ("port", port.clone()),
            ("security", "none".into()),
            ("from", "kith <kith@localhost>".into()),
        ])
        .await;
        let saved = page("/settings").await;
        assert!(
            saved.contains("Saved: this server sends mail"),
            "{engine}: {saved}"
        );
        assert!(saved.contains("These settings are in use"), "{engine}");
        assert!(server.state.can_mail(), "{engine}: used at once");
        let sent_before = sink.messages().len();
        save(vec![("action", "test".into())]).await;
        assert!(
            page("/settings")
                .await
                .contains("A test message went to ada@example.org")
        );
        assert_eq!(sink.messages().len(), sent_before + 1, "{engine}");
        // Not an administrator: refused, nothing changed.
        let (bob, bob_csrf) = server.sign_in("bob").await;
        assert!(
            !bob.get(server.url("/settings"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
                .contains("id=\"mail\""),
            "{engine}: only administrators see it"
        );
        bob.post(server.url("/settings/mail"))
            .form(&[("csrf", bob_csrf.as_str()), ("action", "remove")])
            .send()
            .await
            .unwrap();
        assert!(server.state.can_mail(), "{engine}: bob cannot remove it");
        save(vec![("action", "remove".into())]).await;
        assert!(!server.state.can_mail(), "{engine}");
    }
}

/// A person's page: the card's inline photo (a data: address, allowed by
/// the page's policy), initials without one; "Undo the merge" only after a
/// merge; the user's own tie first among the paths.
#[tokio::test]
async fn a_person_page_shows_the_photo_or_initials_and_undo_only_after_a_merge() {
    let (store, _guard) = sqlite().await;
    let server = Server::start(&store, ServerConfig::default()).await;
    let account = Auth::new(store.clone())
        .add_user("ada", "correct horse", false)
        .await
        .unwrap();
    let app = server.state.app(account.id);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("photos.vcf");
    // A 1×1 PNG.
    let png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
    std::fs::write(
        &file,
        format!(
            "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Grace Hopper\r\nN:Hopper;Grace;;;\r\nPHOTO;ENCODING=b;TYPE=PNG:{png}\r\nEND:VCARD\r\n\
             BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Alan Turing\r\nN:Turing;Alan;;;\r\nEND:VCARD\r\n\
             BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Al Turing\r\nN:Turing;Al;;;\r\nEND:VCARD\r\n"
        ),
    )
    .unwrap();
    app.import_file(&file, &Default::default(), &kith_app::import::NoProgress)
        .await
        .unwrap();
    let people = app.list_people(&Default::default()).await.unwrap();
    let id = |name: &str| {
        people
            .iter()
            .find(|p| p.name == name)
            .unwrap()
            .id
            .to_string()
    };
    let (browser, _csrf) = server.sign_in("ada").await;
    let page = |id: String| {
        let browser = browser.clone();
        let url = server.url(&format!("/people/{id}"));
        async move { browser.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let grace = page(id("Grace Hopper")).await;
    assert!(
        grace.contains(&format!(
            "class=\"avatar\" src=\"data:image/png;base64,{png}\""
        )),
        "{grace}"
    );
    let alan = page(id("Alan Turing")).await;
    assert!(alan.contains(">AT</span>"), "initials: {alan}");
    assert!(!alan.contains("Undo the merge"), "no merge to undo yet");
    let connected = &alan[alan.find("How you're connected").unwrap()..];
    assert!(
        connected.contains("<li>You</li>")
            && connected.contains("<span class=\"degree\">1st</span>"),
        "the user's own tie first: {connected}"
    );
    app.merge_people(&id("Alan Turing"), &id("Al Turing"))
        .await
        .unwrap();
    let merged = page(id("Alan Turing")).await;
    assert!(merged.contains("Undo the merge with Al Turing"), "{merged}");
}
