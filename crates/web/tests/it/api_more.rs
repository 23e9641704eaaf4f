//! The JSON API beyond people: organisations and tags, job histories,
//! duplicates (merge, dismiss, unmerge), deleted people, imports (a LinkedIn
//! export ZIP included) and exports, each with account B against account A.

use crate::{Api, Server};
use kith_store::testing::stores;
use kith_web::ServerConfig;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::io::Write;

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn organisations_tags_and_job_histories() {
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let server = Server::start(&store, ServerConfig::default()).await;
        let alice = Api::new(&server, "alice").await;
        let bob = Api::new(&server, "bob").await;

        let (status, ada) = alice
            .post(
                "/api/v1/people",
                json!({"name": "Ada Lovelace", "tags": ["pioneers"],
                       "positions": [{"organization": "Analytical Engines", "title": "Analyst", "start": "1843"}]}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{engine}: {ada}");
        let (_, grace) = alice
            .post(
                "/api/v1/people",
                json!({"name": "Grace Hopper", "tags": ["pioneers", "navy"]}),
            )
            .await;
        let grace_path = format!("/api/v1/people/{}", id(&grace));
        // A job history is replaced whole, and checked.
        for (bad, why) in [
            (
                json!([{"organization": "US Navy", "start": "1943-13"}]),
                "start",
            ),
            (
                json!([{"organization": "US Navy", "start": "1950", "end": "1943"}]),
                "before it starts",
            ),
            (
                json!([{"title": "", "organization": " "}]),
                "organisation or a title",
            ),
        ] {
            let (status, problem) = alice.patch(&grace_path, json!({"positions": bad})).await;
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{engine}: {problem}"
            );
            assert!(
                problem["detail"].as_str().unwrap().contains(why),
                "{problem}"
            );
        }
        let (status, grace) = alice
            .patch(
                &grace_path,
                json!({"positions": [
                    {"organization": "US Navy", "title": "Rear Admiral", "start": "1943"},
                    {"organization": "Analytical Engines", "title": "Programmer", "start": "1930", "end": "1940-06"}
                ]}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{engine}: {grace}");
        assert_eq!(
            grace["organization"], "US Navy",
            "{engine}: the open position is current"
        );
        assert_eq!(grace["card"]["positions"].as_array().unwrap().len(), 2);

        let (status, page) = alice.get("/api/v1/organizations?search=analyt").await;
        assert_eq!(status, StatusCode::OK, "{engine}: {page}");
        let orgs = page["organizations"].as_array().unwrap();
        assert_eq!(orgs.len(), 1, "{engine}: {page}");
        assert_eq!(orgs[0]["name"], "Analytical Engines");
        assert_eq!(
            (orgs[0]["current"].as_i64(), orgs[0]["former"].as_i64()),
            (Some(1), Some(1))
        );
        let org_path = format!("/api/v1/organizations/{}", id(&orgs[0]));
        let (status, org) = alice.get(&org_path).await;
        assert_eq!(status, StatusCode::OK, "{engine}: {org}");
        assert_eq!(org["current"][0]["name"], "Ada Lovelace", "{engine}: {org}");
        assert_eq!(org["current"][0]["title"], "Analyst");
        assert_eq!(org["former"][0]["name"], "Grace Hopper", "{engine}: {org}");
        assert_eq!(org["former"][0]["end"], "1940-06");

        let (_, tags) = alice.get("/api/v1/tags").await;
        assert_eq!(
            tags,
            json!([{"tag": "pioneers", "people": 2}, {"tag": "navy", "people": 1}]),
            "{engine}"
        );
        let (_, tagged) = alice.get("/api/v1/people?tag=navy").await;
        assert_eq!(tagged["people"][0]["name"], "Grace Hopper", "{engine}");
        let (_, recent) = alice.get("/api/v1/people?sort=changed").await;
        assert_eq!(
            recent["people"][0]["name"], "Grace Hopper",
            "{engine}: changed last"
        );
        let (status, _) = alice.get("/api/v1/people?sort=shoe-size").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{engine}");

        // Bob sees no organisation, no tag, and Alice's organisation is
        // exactly as missing as one that never existed.
        let (_, bobs) = bob.get("/api/v1/organizations").await;
        assert_eq!(bobs["organizations"], json!([]), "{engine}");
        let (_, bob_tags) = bob.get("/api/v1/tags").await;
        assert_eq!(bob_tags, json!([]), "{engine}");
        let missing = format!("/api/v1/organizations/{}", uuid::Uuid::now_v7());
        let (s1, p1) = bob.get(&org_path).await;
        let (s2, p2) = bob.get(&missing).await;
        assert_eq!(
            (s1, s2),
            (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND),
            "{engine}"
        );
        assert_eq!(
            p1["detail"]
                .as_str()
                .unwrap()
                .replace(org_path.rsplit('/').next().unwrap(), "ID"),
            p2["detail"]
                .as_str()
                .unwrap()
                .replace(missing.rsplit('/').next().unwrap(), "ID"),
        );
    }
}

/// Two cards kith should only suggest as one person (a nickname, same
/// family name and organisation, nothing shared).
const NEAR_DUPLICATES: &str = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Robert Miller\r\nN:Miller;Robert;;;\r\n\
ORG:Acme Rockets\r\nEMAIL:robert@acme.example\r\nEND:VCARD\r\n\
BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bob Miller\r\nN:Miller;Bob;;;\r\nORG:Acme Rockets\r\n\
EMAIL:bob.miller@home.example\r\nEND:VCARD\r\n";

#[tokio::test]
async fn duplicates_deleted_people_imports_and_exports() {
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let server = Server::start(&store, ServerConfig::default()).await;
        let alice = Api::new(&server, "alice").await;
        let bob = Api::new(&server, "bob").await;

        let job = alice
            .import(vec![("contacts.vcf", NEAR_DUPLICATES.as_bytes().to_vec())])
            .await;
        let report = &job["results"][0]["report"];
        assert_eq!(report["created"], 2, "{engine}: {job}");
        assert_eq!(report["suggested"], 1, "{engine}: {job}");

        let (_, dupes) = alice.get("/api/v1/duplicates").await;
        assert_eq!(dupes["total"], 1, "{engine}: {dupes}");
        let pair = &dupes["duplicates"][0];
        assert!(!pair["reasons"].as_array().unwrap().is_empty(), "{pair}");
        let (a, b) = (id(&pair["people"][0]), id(&pair["people"][1]));

        // Bob can neither see nor act on Alice's suggestion, job or people.
        let (_, bobs) = bob.get("/api/v1/duplicates").await;
        assert_eq!(bobs["total"], 0, "{engine}");
        let (status, _) = bob
            .post(
                "/api/v1/duplicates/merge",
                json!({"survivor": a, "absorbed": b}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{engine}");
        let (status, _) = bob
            .post("/api/v1/duplicates/dismiss", json!({"a": a, "b": b}))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{engine}");
        let (status, _) = bob
            .post(&format!("/api/v1/people/{a}/unmerge"), json!({}))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{engine}");
        let (status, _) = bob
            .get(&format!("/api/v1/imports/{}", job["id"].as_str().unwrap()))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{engine}");

        // Merge, then undo it.
        let (status, merged) = alice
            .post(
                "/api/v1/duplicates/merge",
                json!({"survivor": a, "absorbed": b}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{engine}: {merged}");
        assert_eq!(merged["emails"].as_array().unwrap().len(), 2, "{merged}");
        let (_, listed) = alice.get("/api/v1/people").await;
        assert_eq!(listed["people"].as_array().unwrap().len(), 1, "{engine}");
        let (status, apart) = alice
            .post(&format!("/api/v1/people/{b}/unmerge"), json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{engine}: {apart}");
        assert_eq!(apart["survivor"]["emails"].as_array().unwrap().len(), 1);
        assert_eq!(id(&apart["restored"]), b);
        let (status, _) = alice
            .post("/api/v1/duplicates/dismiss", json!({"a": a, "b": b}))
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{engine}");
        let (_, dupes) = alice.get("/api/v1/duplicates").await;
        assert_eq!(dupes["total"], 0, "{engine}: {dupes}");

        // Delete, list the deleted, restore (Bob cannot).
        let deleted = alice
            .http
            .delete(server.url(&format!("/api/v1/people/{b}")))
            .header("authorization", &alice.auth)
            .header("if-match", "*")
            .send()
            .await
            .unwrap();
        assert_eq!(deleted.status(), StatusCode::NO_CONTENT, "{engine}");
        let (_, gone) = alice.get("/api/v1/deleted-people").await;
        assert_eq!(gone.as_array().unwrap().len(), 1, "{engine}: {gone}");
        let (_, bob_gone) = bob.get("/api/v1/deleted-people").await;
        assert_eq!(bob_gone, json!([]), "{engine}");
        let restore = format!("/api/v1/deleted-people/{b}/restore");
        let (status, _) = bob.post(&restore, json!({})).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{engine}");
        let (status, back) = alice.post(&restore, json!({})).await;
        assert_eq!(status, StatusCode::OK, "{engine}: {back}");
        assert_eq!(id(&back), b);

        // Exports: each format, only the caller's own people.
        for (format, content_type) in [
            ("vcard4", "text/vcard"),
            ("vcard3", "text/vcard"),
            ("csv", "text/csv"),
            ("json", "application/json"),
        ] {
            let r = alice
                .http
                .get(server.url(&format!("/api/v1/export?format={format}")))
                .header("authorization", &alice.auth)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK, "{engine} {format}");
            assert!(
                r.headers()["content-type"]
                    .to_str()
                    .unwrap()
                    .starts_with(content_type)
            );
            let text = r.text().await.unwrap();
            assert!(text.contains("Miller"), "{engine} {format}: {text}");
        }
        let r = bob
            .http
            .get(server.url("/api/v1/export?format=csv"))
            .header("authorization", &bob.auth)
            .send()
            .await
            .unwrap();
        assert!(!r.text().await.unwrap().contains("Miller"), "{engine}");
        let (status, problem) = alice.get("/api/v1/export?format=xlsx").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{engine}: {problem}");
    }
}

/// A ZIP archive of (name, content) entries, stored uncompressed.
fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, content) in entries {
        zip.start_file(*name, options).unwrap();
        zip.write_all(content).unwrap();
    }
    zip.finish().unwrap();
    out.into_inner()
}

#[tokio::test]
async fn a_linkedin_export_zip_is_imported_as_downloaded() {
    let (store, _guard) = kith_store::testing::sqlite().await;
    let server = Server::start(&store, ServerConfig::default()).await;
    let alice = Api::new(&server, "alice").await;
    let connections = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../formats/tests/fixtures/csv/linkedin_connections.csv"),
    )
    .unwrap();
    let export = zip_of(&[
        (
            "Basic_LinkedInDataExport_11-25-2026/Connections.csv",
            &connections,
        ),
        (
            "Basic_LinkedInDataExport_11-25-2026/messages.csv",
            b"CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,SUBJECT,CONTENT,FOLDER,ATTACHMENTS\n\
c1,,Alice Owner,https://www.linkedin.com/in/alice-o,Ada Lovelace,https://www.linkedin.com/in/ada-lovelace,2025-10-01 09:00:00 UTC,,Hi,INBOX,\n\
c1,,Ada Lovelace,https://www.linkedin.com/in/ada-lovelace,Alice Owner,https://www.linkedin.com/in/alice-o,2025-10-02 09:00:00 UTC,,Hello,INBOX,\n\
c2,,Alice Owner,https://www.linkedin.com/in/alice-o,Alan Turing,https://www.linkedin.com/in/alan-turing,2025-10-03 09:00:00 UTC,,Hi,INBOX,\n",
        ),
        (
            "Basic_LinkedInDataExport_11-25-2026/Skills.csv",
            b"Name\nRust\n",
        ),
    ]);
    let job = alice
        .import(vec![
            ("Basic_LinkedInDataExport_11-25-2026.zip", export),
            ("empty.zip", zip_of(&[("notes.txt", b"nothing here")])),
            ("broken.zip", b"PK\x03\x04 not really an archive".to_vec()),
        ])
        .await;
    let results = job["results"].as_array().unwrap();
    assert_eq!(results.len(), 4, "{job}");
    assert_eq!(
        results[0]["file"],
        "Basic_LinkedInDataExport_11-25-2026.zip: Basic_LinkedInDataExport_11-25-2026/Connections.csv",
        "{job}"
    );
    assert_eq!(results[0]["report"]["format"], "linkedin", "{job}");
    assert!(
        results[0]["report"]["created"].as_u64().unwrap() >= 3,
        "{job}"
    );
    // The messages come after the connections, and find them by profile.
    assert_eq!(results[1]["report"]["format"], "linkedin-messages", "{job}");
    assert_eq!(results[1]["report"]["interactions"], 3, "{job}");
    assert_eq!(results[1]["report"]["created"], 0, "{job}");
    let empty = results[2]["error"].as_str().unwrap();
    assert!(
        empty.contains("empty.zip") && empty.contains("no contacts"),
        "{empty}"
    );
    let broken = results[3]["error"].as_str().unwrap();
    assert!(
        broken.contains("broken.zip") && broken.contains("ZIP"),
        "{broken}"
    );
    assert!(!broken.contains("/tmp"), "no server path leaks: {broken}");
    let (_, people) = alice.get("/api/v1/people?search=lovelace").await;
    assert_eq!(people["people"][0]["name"], "Ada Lovelace", "{people}");
}

#[tokio::test]
async fn interactions_are_logged_listed_and_private() {
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let server = Server::start(&store, ServerConfig::default()).await;
        let alice = Api::new(&server, "alice").await;
        let bob = Api::new(&server, "bob").await;
        let (_, ada) = alice
            .post("/api/v1/people", json!({"name": "Ada Lovelace"}))
            .await;
        let (_, grace) = alice
            .post("/api/v1/people", json!({"name": "Grace Hopper"}))
            .await;
        let path = format!("/api/v1/people/{}/interactions", id(&ada));

        let (status, coffee) = alice
            .post(
                &path,
                json!({"kind": "coffee", "date": "2026-11-20", "note": "engines", "with": [id(&grace)]}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{engine}: {coffee}");
        assert_eq!(coffee["at"], "2026-11-20T12:00:00Z");
        assert_eq!(coffee["direction"], "mutual");
        assert_eq!(coffee["people"].as_array().unwrap().len(), 2);
        let (status, _) = alice
            .post(
                &path,
                json!({"kind": "email", "date": "2026-11-22", "direction": "outgoing"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{engine}");
        for (bad, why) in [
            (json!({"kind": "tea"}), "use one of"),
            (json!({"kind": "call", "date": "next week"}), "not a date"),
            (json!({"kind": "call", "date": "2099-01-01"}), "future"),
            (
                json!({"kind": "call", "direction": "sideways"}),
                "direction",
            ),
        ] {
            let (status, problem) = alice.post(&path, bad).await;
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{engine}: {problem}"
            );
            assert!(
                problem["detail"].as_str().unwrap().contains(why),
                "{problem}"
            );
        }
        let (_, list) = alice.get(&path).await;
        let kinds: Vec<&str> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["email", "coffee"], "{engine}: newest first");
        let (_, graces) = alice
            .get(&format!("/api/v1/people/{}/interactions", id(&grace)))
            .await;
        assert_eq!(
            graces.as_array().unwrap().len(),
            1,
            "{engine}: the coffee is hers too"
        );

        // Strength: Ada (a coffee and an email) ranks above Grace (the coffee).
        let (status, ada_strength) = alice
            .get(&format!("/api/v1/people/{}/strength", id(&ada)))
            .await;
        assert_eq!(status, StatusCode::OK, "{engine}: {ada_strength}");
        let (_, grace_strength) = alice
            .get(&format!("/api/v1/people/{}/strength", id(&grace)))
            .await;
        let (a, g) = (
            ada_strength["score"].as_f64().unwrap(),
            grace_strength["score"].as_f64().unwrap(),
        );
        assert!(a > g && g > 0.0 && a < 1.0, "{engine}: {a} {g}");
        let why = ada_strength["explanation"].as_str().unwrap();
        assert!(
            why.contains("coffee") && why.contains("email") && why.contains("last met"),
            "{why}"
        );
        let (status, _) = bob
            .get(&format!("/api/v1/people/{}/strength", id(&ada)))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{engine}");

        // Bob: Alice's person is missing, and so is her interaction.
        let (status, _) = bob.get(&path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{engine}");
        let (status, _) = bob.post(&path, json!({"kind": "call"})).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{engine}");
        let (_, bobs_person) = bob.post("/api/v1/people", json!({"name": "Bea"})).await;
        let (status, _) = bob
            .post(
                &format!("/api/v1/people/{}/interactions", id(&bobs_person)),
                json!({"kind": "call", "with": [id(&ada)]}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "{engine}: cannot name Alice's people"
        );
        let del = |api: &Api, iid: &str| {
            api.http
                .delete(server.url(&format!("/api/v1/interactions/{iid}")))
                .header("authorization", &api.auth)
                .send()
        };
        let coffee_id = coffee["id"].as_str().unwrap();
        // Changed by its owner only; a bad kind or date changes nothing.
        let put = |api: &Api, iid: &str, body: serde_json::Value| {
            api.http
                .put(server.url(&format!("/api/v1/interactions/{iid}")))
                .header("authorization", &api.auth)
                .json(&body)
                .send()
        };
        let edit = json!({"kind": "lunch", "date": "2024-03-01", "note": "at the canteen"});
        assert_eq!(
            put(&bob, coffee_id, edit.clone()).await.unwrap().status(),
            StatusCode::NOT_FOUND,
            "{engine}"
        );
        for bad in [
            json!({"kind": "party", "date": "2024-03-01"}),
            json!({"kind": "lunch", "date": "the day after never"}),
        ] {
            assert_eq!(
                put(&alice, coffee_id, bad).await.unwrap().status(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "{engine}"
            );
        }
        assert_eq!(
            put(&alice, coffee_id, edit).await.unwrap().status(),
            StatusCode::NO_CONTENT,
            "{engine}"
        );
        let (_, list) = alice.get(&path).await;
        let lunch = list
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == coffee["id"])
            .unwrap();
        assert_eq!(
            (lunch["kind"].as_str(), lunch["note"].as_str()),
            (Some("lunch"), Some("at the canteen")),
            "{engine}"
        );
        assert!(lunch["at"].as_str().unwrap().starts_with("2024-03-01"));
        assert_eq!(
            del(&bob, coffee_id).await.unwrap().status(),
            StatusCode::NOT_FOUND,
            "{engine}"
        );
        assert_eq!(
            del(&alice, coffee_id).await.unwrap().status(),
            StatusCode::NO_CONTENT,
            "{engine}"
        );
        let (_, list) = alice.get(&path).await;
        assert_eq!(list.as_array().unwrap().len(), 1, "{engine}");
    }
}

#[tokio::test]
async fn keeping_in_touch_over_the_api_and_the_home_page() {
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let server = Server::start(&store, ServerConfig::default()).await;
        let alice = Api::new(&server, "alice").await;
        let bob = Api::new(&server, "bob").await;
        let (_, ada) = alice
            .post(
                "/api/v1/people",
                json!({"name": "Ada Lovelace", "tags": ["Inner"]}),
            )
            .await;
        let (_, grace) = alice
            .post("/api/v1/people", json!({"name": "Grace Hopper"}))
            .await;
        let put = |api: &Api, path: String, body: Value| {
            api.http
                .put(server.url(&path))
                .header("authorization", &api.auth)
                .json(&body)
                .send()
        };
        let cadence = format!("/api/v1/people/{}/cadence", id(&grace));
        assert_eq!(
            put(&alice, cadence.clone(), json!({"every_days": 30}))
                .await
                .unwrap()
                .status(),
            StatusCode::NO_CONTENT,
            "{engine}"
        );
        assert_eq!(
            put(
                &alice,
                "/api/v1/tags/inner/cadence".into(),
                json!({"every_days": 90})
            )
            .await
            .unwrap()
            .status(),
            StatusCode::NO_CONTENT
        );
        let bad = put(&alice, cadence.clone(), json!({"every_days": 0}))
            .await
            .unwrap();
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY, "{engine}");
        // Bob cannot set a cadence on Alice's person, nor see her list.
        let theirs = put(&bob, cadence.clone(), json!({"every_days": 7}))
            .await
            .unwrap();
        assert_eq!(theirs.status(), StatusCode::NOT_FOUND, "{engine}");
        let (_, bobs) = bob.get("/api/v1/due").await;
        assert_eq!(bobs, json!([]), "{engine}");

        let (_, due) = alice.get("/api/v1/due").await;
        let due = due.as_array().unwrap();
        assert_eq!(due.len(), 2, "{engine}: never in touch, both due");
        assert_eq!(
            due[0]["name"], "Ada Lovelace",
            "{engine}: a longer cadence never met waits longer"
        );
        assert_eq!(due[0]["cadence_from"], "tag:inner");
        for field in ["id", "name", "last_contact", "cadence_days", "reason"] {
            assert!(due[0].get(field).is_some(), "{field}");
        }

        let (status, logged) = alice
            .post(
                &format!("/api/v1/people/{}/done", id(&grace)),
                json!({"kind": "call"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{engine}: {logged}");
        assert_eq!(logged["direction"], "outgoing");
        let (status, _) = bob
            .post(
                &format!("/api/v1/people/{}/snooze", id(&ada)),
                json!({"days": 7}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{engine}");

        // The home page lists Ada; snoozing her from it empties the list.
        let (browser, csrf) = server.sign_in("alice").await;
        let home = browser
            .get(server.url("/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            home.contains("Ada Lovelace") && !home.contains("Grace Hopper"),
            "{engine}: {home}"
        );
        let snoozed = browser
            .post(server.url(&format!("/due/{}/snooze", id(&ada))))
            .form(&[("csrf", csrf.as_str()), ("days", "7")])
            .send()
            .await
            .unwrap();
        assert_eq!(snoozed.status(), StatusCode::SEE_OTHER, "{engine}");
        let home = browser
            .get(server.url("/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(home.contains("No one is due now"), "{engine}: {home}");
    }
}

#[tokio::test]
async fn circles_and_coming_up_over_the_api_and_the_pages() {
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let server = Server::start(&store, ServerConfig::default()).await;
        let alice = Api::new(&server, "alice").await;
        let bob = Api::new(&server, "bob").await;
        let tomorrow = jiff::Timestamp::now()
            .to_zoned(jiff::tz::TimeZone::UTC)
            .date()
            .tomorrow()
            .unwrap();
        let (_, tom) = alice
            .post(
                "/api/v1/people",
                json!({"name": "Tom Kilburn", "birthday": format!("--{:02}-{:02}", tomorrow.month(), tomorrow.day())}),
            )
            .await;
        let (status, coming) = alice.get("/api/v1/coming-up").await;
        assert_eq!(status, StatusCode::OK, "{engine}: {coming}");
        assert_eq!(
            coming[0]["text"], "Tom Kilburn's birthday is tomorrow",
            "{engine}: {coming}"
        );
        assert_eq!(coming[0]["in_days"], 1);
        let (status, _) = alice.get("/api/v1/coming-up?days=61").await;
        assert!(status.is_client_error(), "{engine}: {status}");
        let (_, bobs) = bob.get("/api/v1/coming-up?days=60").await;
        assert_eq!(bobs, json!([]), "{engine}: Bob sees none of Alice's dates");

        let put = |api: &Api, path: String, body: Value| {
            api.http
                .put(server.url(&path))
                .header("authorization", &api.auth)
                .json(&body)
                .send()
        };
        let circle = format!("/api/v1/people/{}/circle", id(&tom));
        let pinned = put(&alice, circle.clone(), json!({"circle": "inner"}))
            .await
            .unwrap();
        assert_eq!(pinned.status(), StatusCode::OK, "{engine}");
        let pinned: Value = pinned.json().await.unwrap();
        assert_eq!(
            (pinned["circle"].as_str(), pinned["pinned"].as_bool()),
            (Some("inner"), Some(true))
        );
        let bad = put(&alice, circle.clone(), json!({"circle": "innermost"}))
            .await
            .unwrap();
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY, "{engine}");
        let theirs = put(&bob, circle.clone(), json!({"circle": "distant"}))
            .await
            .unwrap();
        assert_eq!(theirs.status(), StatusCode::NOT_FOUND, "{engine}");

        // The pages: the home page's coming-up list, the person page's circle form.
        let (browser, csrf) = server.sign_in("alice").await;
        let page = |path: String| {
            let browser = browser.clone();
            let url = server.url(&path);
            async move { browser.get(url).send().await.unwrap().text().await.unwrap() }
        };
        let home = page("/".into()).await;
        assert!(
            home.contains("Coming up")
                && (home.contains("Tom Kilburn&#39;s birthday is tomorrow")
                    || home.contains("Tom Kilburn's birthday is tomorrow")),
            "{engine}: {home}"
        );
        let person = page(format!("/people/{}", id(&tom))).await;
        assert!(
            person.contains("Circle: the inner circle"),
            "{engine}: {person}"
        );
        let unpinned = browser
            .post(server.url(&format!("/people/{}/circle", id(&tom))))
            .form(&[("csrf", csrf.as_str()), ("circle", "")])
            .send()
            .await
            .unwrap();
        assert_eq!(unpinned.status(), StatusCode::SEE_OTHER, "{engine}");
        let (_, strength) = alice
            .get(&format!("/api/v1/people/{}/strength", id(&tom)))
            .await;
        assert_eq!(strength["pinned"], false, "{engine}: {strength}");
        assert_eq!(strength["circle"], "distant", "{engine}: {strength}");
    }
}
