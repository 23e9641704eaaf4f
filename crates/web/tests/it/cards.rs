//! Self-updating cards over the API, the pages and CardDAV: a member's
//! card change reaching a connection's phone on its next sync (shared
//! fields only, the holder's note kept), the feed, public links (404 once
//! revoked), needs, help-out and favours, and another account's ids
//! answering 404.

use crate::dav::{Device, token_in};
use crate::{Api, Server, page_text};
use kith_app::auth::Auth;
use kith_store::auth::TokenKind;
use kith_store::testing::stores;
use kith_web::ServerConfig;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_card_change_reaches_a_connections_phone_and_pages() {
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let server = Server::start(&store, ServerConfig::default()).await;
        let alice = Api::new(&server, "alice").await;
        let bob = Api::new(&server, "bob").await;
        let carol = Api::new(&server, "carol").await;
        let (_, held) = bob
            .post(
                "/api/v1/people",
                json!({"name": "Ali", "emails": ["ali@acme.example"], "notes": ["owes me a coffee"]}),
            )
            .await;
        let held = held["id"].as_str().unwrap().to_string();
        // Alice's address is verified (as the mailed link would).
        let alice_id = store.account("alice").await.unwrap().unwrap().id;
        store
            .add_member_email(
                alice_id,
                "ali@acme.example",
                &kith_app::auth::secret_hash("s1"),
            )
            .await
            .unwrap();
        kith_app::network::members::verify_member_email(&store, "s1")
            .await
            .unwrap();

        let (status, card) = alice
            .put(
                "/api/v1/card",
                json!({"fields": [
                    {"field": "name", "value": "Alice Martin"},
                    {"field": "organization", "value": "Acme"},
                    {"field": "title", "value": "Engineer"},
                    {"field": "email", "value": "ali@acme.example"},
                    {"field": "phone", "value": "+1 555 0100", "visibility": "private"}
                ]}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{engine}: {card}");
        assert_eq!(card["fields"].as_array().unwrap().len(), 5);
        // A bad field refuses the whole card: nothing changes.
        let (status, problem) = alice
            .put(
                "/api/v1/card",
                json!({"fields": [{"field": "name", "value": "X"}, {"field": "fax", "value": "1"}]}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{engine}: {problem}"
        );
        assert!(
            problem["detail"].as_str().unwrap().contains("field 2"),
            "{problem}"
        );
        let (_, again) = alice.get("/api/v1/card").await;
        assert_eq!(again["fields"], card["fields"], "{engine}");
        let (status, _) = alice
            .post(
                "/api/v1/card/fields",
                json!({"field": "title", "value": "x", "colour": "red"}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "{engine}: unknown members refused"
        );

        alice
            .post("/api/v1/connections", json!({"name": "bob"}))
            .await;
        let (status, _) = bob
            .post("/api/v1/connections/alice/accept", json!({}))
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{engine}");

        // Bob's phone syncs, then Alice changes job.
        let bob_id = store.account("bob").await.unwrap().unwrap().id;
        let (_, pw) = Auth::new(store.clone())
            .create_token(bob_id, TokenKind::Dav, "phone")
            .await
            .unwrap();
        let phone = Device::new(&server, "bob", &pw);
        let sync = |token: String| {
            format!(
                "<d:sync-collection xmlns:d=\"DAV:\"><d:sync-token>{token}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>"
            )
        };
        let (s, _, first) = phone
            .send(
                "REPORT",
                "/dav/bob/contacts/",
                &[("depth", "1")],
                &sync(String::new()),
            )
            .await;
        assert_eq!(s, StatusCode::MULTI_STATUS, "{engine}: {first}");
        let token = token_in(&first);
        let (status, done) = alice
            .post(
                "/api/v1/card/fields",
                json!({"field": "organization", "value": "Globex"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{engine}: {done}");
        assert_eq!(done["connections_updated"], 1, "{engine}");
        let (_, _, next) = phone
            .send(
                "REPORT",
                "/dav/bob/contacts/",
                &[("depth", "1")],
                &sync(token),
            )
            .await;
        let href = format!("/dav/bob/contacts/{held}.vcf");
        assert!(next.contains(&href), "{engine}: the card changed: {next}");
        let (_, _, vcard) = phone.send("GET", &href, &[], "").await;
        assert!(vcard.contains("ORG:Globex"), "{engine}: {vcard}");
        assert!(
            vcard.contains("owes me a coffee"),
            "{engine}: Bob's note stays: {vcard}"
        );
        assert!(
            !vcard.contains("555"),
            "{engine}: a private phone never travels"
        );

        // The feed and the person's history, over the API and the pages.
        let (_, feed) = bob.get("/api/v1/changes?days=7").await;
        assert_eq!(feed[0]["kind"], "job", "{engine}: {feed}");
        assert_eq!(feed[0]["new"], "Engineer at Globex");
        let (_, history) = bob.get(&format!("/api/v1/people/{held}/changes")).await;
        assert_eq!(history.as_array().unwrap().len(), 1, "{engine}");
        let (status, _) = carol.get(&format!("/api/v1/people/{held}/changes")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{engine}: another's person");
        let (_, none) = carol.get("/api/v1/changes").await;
        assert_eq!(none, json!([]), "{engine}");
        let (status, _) = bob.get("/api/v1/changes?days=0").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let (browser, _) = server.sign_in("bob").await;
        let home = page_text(&browser, &server.url("/")).await;
        assert!(
            home.contains("Ali has a new job: Engineer at Globex"),
            "{engine}: {home}"
        );
        let page = page_text(&browser, &server.url(&format!("/people/{held}"))).await;
        assert!(
            page.contains("What changed") && page.contains("Engineer at Globex"),
            "{engine}"
        );
    }
}

#[tokio::test]
async fn public_links_needs_and_favours_over_the_api_and_the_pages() {
    let (store, _guard) = stores().await.into_iter().next().unwrap();
    let server = Server::start(&store, ServerConfig::default()).await;
    let alice = Api::new(&server, "alice").await;
    let bob = Api::new(&server, "bob").await;
    alice
        .post(
            "/api/v1/card/fields",
            json!({"field": "name", "value": "Alice Martin"}),
        )
        .await;
    alice
        .post(
            "/api/v1/card/fields",
            json!({"field": "email", "value": "alice@home.example"}),
        )
        .await;
    let (status, link) = alice.post("/api/v1/card/links", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{link}");
    let path = link["path"].as_str().unwrap().to_string();
    let http = crate::client();
    let page = http.get(server.url(&path)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(
        page.contains("Alice Martin") && page.contains("<svg"),
        "{page}"
    );
    assert!(
        !page.contains("alice@home.example"),
        "only public fields: {page}"
    );
    let vcf = http
        .get(server.url(&format!("{path}.vcf")))
        .send()
        .await
        .unwrap();
    assert_eq!(vcf.headers()["content-type"], "text/vcard; charset=utf-8");
    let vcf = vcf.text().await.unwrap();
    assert!(
        vcf.contains("FN:Alice Martin") && !vcf.contains("EMAIL"),
        "{vcf}"
    );
    let token = link["token"].as_str().unwrap();
    // Listed by id afterwards: kith keeps only the secret's hash.
    let (_, listed) = alice.get("/api/v1/card/links").await;
    assert_eq!(listed[0]["id"], link["id"]);
    assert!(
        listed[0].get("token").is_none() && listed[0].get("path").is_none(),
        "{listed}"
    );
    assert_eq!(
        bob.delete(&format!("/api/v1/card/links/{token}")).await,
        StatusCode::NOT_FOUND,
        "another member cannot revoke it"
    );
    assert_eq!(
        alice.delete(&format!("/api/v1/card/links/{token}")).await,
        StatusCode::NO_CONTENT
    );
    for p in [path.clone(), format!("{path}.vcf")] {
        let r = http.get(server.url(&p)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{p} after revoking");
    }

    // Needs and offers, help-out and favours.
    let (_, ana) = alice
        .post(
            "/api/v1/people",
            json!({"name": "Ana", "emails": ["ana@example.org"]}),
        )
        .await;
    let ana = ana["id"].as_str().unwrap().to_string();
    let (_, bo) = alice
        .post(
            "/api/v1/people",
            json!({"name": "Bo", "organization": "Globex", "title": "Product Designer"}),
        )
        .await;
    let bo = bo["id"].as_str().unwrap().to_string();
    let (status, need) = alice
        .post(
            "/api/v1/needs",
            json!({"person": ana, "kind": "need", "text": "hiring a designer", "tags": ["design"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{need}");
    let (status, _) = alice
        .post(
            "/api/v1/needs",
            json!({"person": ana, "kind": "wish", "text": "x"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = bob
        .post(
            "/api/v1/needs",
            json!({"person": ana, "kind": "need", "text": "x"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another's person");
    let (_, help) = alice.get("/api/v1/help-out").await;
    assert_eq!(help[0]["person"], "Ana", "{help}");
    assert_eq!(help[0]["helpers"][0]["name"], "Bo");
    assert_eq!(help[0]["helpers"][0]["why"], "Product Designer at Globex");
    let (_, none) = bob.get("/api/v1/help-out").await;
    assert_eq!(none, json!([]));
    // Without [smtp] an introduction cannot go out, and says why.
    let (status, problem) = alice
        .post(
            "/api/v1/introductions/make",
            json!({"person": ana, "helper": bo}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{problem}");
    assert!(
        problem["detail"].as_str().unwrap().contains("[smtp]"),
        "{problem}"
    );
    let (status, favour) = alice
        .post(
            "/api/v1/favours",
            json!({"person": bo, "direction": "received", "what": "read my CV"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{favour}");
    let (_, list) = alice.get(&format!("/api/v1/favours?person={bo}")).await;
    assert_eq!(list[0]["what"], "read my CV");
    let (_, list) = bob.get("/api/v1/favours").await;
    assert_eq!(list, json!([]));

    // An unsubscribe link: the page asks, only the POST (the button, or a
    // mail client's one-click) acts; an unknown link is 404.
    let alice_id = store.account("alice").await.unwrap().unwrap().id;
    store
        .add_card_mailing(
            alice_id,
            "friend@example.org",
            &kith_app::auth::secret_hash("u1"),
        )
        .await
        .unwrap();
    let page = http
        .get(server.url("/unsubscribe/u1"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(
        page.contains("Stop emails from Alice Martin to friend@example.org"),
        "{page}"
    );
    assert!(
        store.card_optouts(alice_id).await.unwrap().is_empty(),
        "a GET never acts"
    );
    let done = http
        .post(server.url("/unsubscribe/u1"))
        .form(&[("List-Unsubscribe", "One-Click")])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::OK);
    assert_eq!(
        store.card_optouts(alice_id).await.unwrap(),
        ["friend@example.org"]
    );
    let r = http
        .get(server.url("/unsubscribe/nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // The pages: My card, and the person page's needs and favours forms.
    let (browser, csrf) = server.sign_in("alice").await;
    let card = page_text(&browser, &server.url("/card")).await;
    assert!(
        card.contains("Alice Martin") && card.contains("Make a public link"),
        "{card}"
    );
    let r = browser
        .post(server.url("/card"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("action", "set"),
            ("field", "title"),
            ("value", "CTO"),
            ("visibility", "public"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("Saved."));
    let r = browser
        .post(server.url(&format!("/people/{bo}/needs")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("kind", "offer"),
            ("text", "portfolio reviews"),
            ("tags", "design"),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success() || r.status().is_redirection());
    let page = page_text(&browser, &server.url(&format!("/people/{ana}"))).await;
    assert!(
        page.contains("hiring a designer") && page.contains("What you can do for them"),
        "{page}"
    );
    assert!(page.contains("Product Designer at Globex"), "{page}");
}
