//! The network over the API and the pages: paths and "who do I know at…"
//! before and after two members connect, under each sharing setting; ties;
//! the map; and another account's ids and requests answering 404.

use crate::{Api, Server};
use kith_store::testing::stores;
use kith_web::ServerConfig;
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn paths_connections_and_sharing_over_the_api_and_the_pages() {
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let server = Server::start(&store, ServerConfig::default()).await;
        let alice = Api::new(&server, "alice").await;
        let bob = Api::new(&server, "bob").await;
        let (_, zed) = bob
            .post("/api/v1/people", json!({"name": "Zed Target", "emails": ["zed@acme.example"], "organization": "Acme", "title": "CTO"}))
            .await;
        let zed_id = zed["id"].as_str().unwrap().to_string();
        let (status, _) = bob
            .post(
                &format!("/api/v1/people/{zed_id}/interactions"),
                json!({"kind": "lunch"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{engine}");

        let (status, problem) = alice.get("/api/v1/paths?to=zed@acme.example").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{engine}: {problem}");
        let (_, unknown) = alice.get("/api/v1/paths?to=nobody@nowhere.example").await;
        assert_eq!(
            problem["detail"]
                .as_str()
                .unwrap()
                .replace("zed@acme.example", "X"),
            unknown["detail"]
                .as_str()
                .unwrap()
                .replace("nobody@nowhere.example", "X"),
            "{engine}: a contact out of reach answers as one nobody knows"
        );
        // Bob's person's id means nothing to Alice.
        let (status, _) = alice.get(&format!("/api/v1/people/{zed_id}/ties")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{engine}");
        let (status, _) = alice.get(&format!("/api/v1/paths?to={zed_id}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{engine}");

        let (status, said) = alice
            .post("/api/v1/connections", json!({"name": "bob"}))
            .await;
        assert_eq!(
            (status, said["message"].as_str()),
            (StatusCode::CREATED, Some("invited bob")),
            "{engine}"
        );
        let (status, _) = alice
            .post("/api/v1/connections/bob/accept", json!({}))
            .await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "{engine}: Bob did not invite Alice"
        );
        let (status, _) = bob
            .post("/api/v1/connections/alice/accept", json!({}))
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{engine}");
        let (_, list) = alice.get("/api/v1/connections").await;
        assert_eq!(list[0]["status"], "connected", "{engine}: {list}");

        let (status, paths) = alice.get("/api/v1/paths?to=zed@acme.example&k=5").await;
        assert_eq!(status, StatusCode::OK, "{engine}: {paths}");
        assert_eq!(
            paths[0]["people"][2]["name"], "someone at Acme (CTO)",
            "{engine}: {paths}"
        );
        assert_eq!(paths[0]["people"][2]["id"], Value::Null, "{engine}");
        assert!(!paths.to_string().contains("Zed"), "{engine}: {paths}");
        let (_, reach) = alice.get("/api/v1/who-at?org=acme.example").await;
        assert_eq!(reach[0]["person"]["degree"], 2, "{engine}: {reach}");
        for bad in [
            "/api/v1/paths?to=zed@acme.example&k=0",
            "/api/v1/paths?to=x&org=y",
            "/api/v1/paths",
            "/api/v1/who-at?org=acme&limit=0",
        ] {
            let (status, problem) = alice.get(bad).await;
            assert!(
                status.is_client_error(),
                "{engine}: {bad}: {status} {problem}"
            );
        }

        let (status, sharing) = bob.put("/api/v1/sharing", json!({"level": "name"})).await;
        assert_eq!(
            (status, &sharing["default"]),
            (StatusCode::OK, &json!("name")),
            "{engine}"
        );
        let (_, paths) = alice.get("/api/v1/paths?org=Acme").await;
        assert_eq!(
            paths[0]["people"][2]["name"], "Zed Target",
            "{engine}: {paths}"
        );
        let (status, _) = bob
            .put("/api/v1/sharing", json!({"level": "everything"}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}");
        let (status, _) = bob
            .put(
                "/api/v1/sharing",
                json!({"level": "nothing", "person": zed_id, "tag": "x"}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}");
        bob.put(
            "/api/v1/sharing",
            json!({"level": "nothing", "person": zed_id}),
        )
        .await;
        let (status, _) = alice.get("/api/v1/paths?org=Acme").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{engine}");

        // Ties between Alice's own people; the map.
        let (_, ana) = alice
            .post(
                "/api/v1/people",
                json!({"name": "Ana Costa", "organization": "Globex"}),
            )
            .await;
        let (_, ben) = alice
            .post(
                "/api/v1/people",
                json!({"name": "Ben Okafor", "organization": "Globex"}),
            )
            .await;
        let (a, b) = (ana["id"].as_str().unwrap(), ben["id"].as_str().unwrap());
        let (status, ties) = alice
            .put(
                "/api/v1/ties",
                json!({"a": a, "b": b, "kind": "mentor", "strength": 0.75}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{engine}: {ties}");
        assert!(
            ties.as_array()
                .unwrap()
                .iter()
                .any(|t| t["name"] == "Ben Okafor" && t["kind"] == "mentor"),
            "{engine}: {ties}"
        );
        let (status, _) = alice
            .put(
                "/api/v1/ties",
                json!({"a": a, "b": zed_id, "kind": "friend"}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "{engine}: Bob's person cannot be tied by Alice"
        );
        let (status, _) = alice
            .put(
                "/api/v1/ties",
                json!({"a": a, "b": b, "kind": "friend", "strength": 2}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{engine}");
        let (_, map) = alice.get("/api/v1/network/map").await;
        let globex = map["clusters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["label"] == "Globex")
            .expect("a Globex cluster");
        assert_eq!(
            globex["people"].as_array().unwrap().len(),
            2,
            "{engine}: {map}"
        );
        assert_eq!(
            alice.delete(&format!("/api/v1/ties/{b}/{a}")).await,
            StatusCode::NO_CONTENT,
            "{engine}"
        );
        assert_eq!(
            alice.delete(&format!("/api/v1/ties/{b}/{a}")).await,
            StatusCode::NOT_FOUND,
            "{engine}"
        );

        // Introductions: the rules hold over the API too.
        let (status, problem) = alice
            .post(
                "/api/v1/introductions",
                json!({"to": "zed@acme.example", "via": "bob"}),
            )
            .await;
        assert!(status.is_client_error(), "{engine}: {problem}");
        let (status, _) = alice
            .get(&format!("/api/v1/introductions/{}", uuid::Uuid::now_v7()))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{engine}");

        // The pages.
        let (browser, _) = server.sign_in("alice").await;
        let page = |path: &str| {
            let browser = browser.clone();
            let url = server.url(path);
            async move { browser.get(url).send().await.unwrap().text().await.unwrap() }
        };
        bob.put("/api/v1/sharing", json!({"person": zed_id})).await;
        let network = page("/network?org=Acme").await;
        assert!(
            network.contains("Zed Target") && network.contains("2nd") && network.contains("bob"),
            "{engine}: {network}"
        );
        assert!(network.contains("bob: connected"), "{engine}");
        // The pages show no more than each setting allows.
        bob.put("/api/v1/sharing", json!({"level": "role"})).await;
        let by_role = page("/network?org=Acme").await;
        assert!(
            by_role.contains("someone at Acme (CTO)") && !by_role.contains("Zed"),
            "{engine}: {by_role}"
        );
        let path_page = page("/network?to=zed%40acme.example").await;
        assert!(
            path_page.contains("someone at Acme (CTO)") && !path_page.contains("Zed Target"),
            "{engine}: {path_page}"
        );
        assert!(
            path_page.contains("Ask bob for an introduction"),
            "{engine}"
        );
        bob.put("/api/v1/sharing", json!({"level": "nothing"}))
            .await;
        let hidden = page("/network?org=Acme").await;
        assert!(
            hidden.contains("Nobody you can reach is at Acme now.")
                && !hidden.contains("<td>someone at"),
            "{engine}: {hidden}"
        );
        let hidden_path = page("/network?to=zed%40acme.example").await;
        assert!(
            hidden_path.contains("nobody you can reach through your network is known as")
                && !hidden_path.contains("Path strength"),
            "{engine}"
        );
        bob.put("/api/v1/sharing", json!({"level": "name"})).await;
        let map = page("/network/map").await;
        assert!(
            map.contains("<svg")
                && map.contains(&format!("href=\"/people/{a}\""))
                && map.contains("Globex"),
            "{engine}: {map}"
        );
        let person = page(&format!("/people/{a}")).await;
        assert!(
            person.contains("How you") && person.contains("re connected"),
            "{engine}: {person}"
        );
        assert!(
            person.contains("Ben Okafor") && person.contains("both at Globex"),
            "{engine}: {person}"
        );
        let answer = reqwest::get(server.url("/introductions/answer/not-a-secret"))
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::NOT_FOUND, "{engine}");
    }
}
