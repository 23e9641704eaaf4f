//! The JSON API: every people endpoint, problem documents, If-Match, and
//! the privacy matrix (account B against each of account A's resources).

use crate::{Server, client};
use kith_store::testing::stores;
use kith_web::ServerConfig;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn problem(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    assert_eq!(content_type, "application/problem+json", "status {status}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], status.as_u16());
    assert!(
        body["code"].is_string() && body["detail"].is_string(),
        "{body}"
    );
    (status, body)
}

#[tokio::test]
async fn people_endpoints_and_conflicts() {
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let server = Server::start(&store, ServerConfig::default()).await;
        let token = server.account_with_token("ada").await;
        let http = client();
        let auth = format!("Bearer {token}");

        // Create.
        let created = http
            .post(server.url("/api/v1/people"))
            .header("authorization", &auth)
            .json(&json!({
                "name": "Grace Hopper",
                "emails": ["grace@example.org"],
                "phones": ["(415) 555-2671"],
                "organization": "US Navy",
                "title": "Rear Admiral",
                "tags": ["pioneers"]
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), StatusCode::CREATED, "{engine}");
        let location = created.headers()["location"].to_str().unwrap().to_string();
        let etag = created.headers()["etag"].to_str().unwrap().to_string();
        let grace: Value = created.json().await.unwrap();
        for field in [
            "id",
            "name",
            "emails",
            "phones",
            "organization",
            "title",
            "tags",
            "urls",
        ] {
            assert!(grace.get(field).is_some(), "{field} missing: {grace}");
        }
        assert_eq!(grace["phones"], json!(["+14155552671"]));
        let id = grace["id"].as_str().unwrap().to_string();
        assert_eq!(location, format!("/api/v1/people/{id}"));

        // Read, list, search.
        let read = http
            .get(server.url(&location))
            .header("authorization", &auth)
            .send()
            .await
            .unwrap();
        assert_eq!(read.status(), StatusCode::OK);
        assert_eq!(read.headers()["etag"].to_str().unwrap(), etag);
        let unchanged = http
            .get(server.url(&location))
            .header("authorization", &auth)
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(unchanged.status(), StatusCode::NOT_MODIFIED);
        let found: Value = http
            .get(server.url("/api/v1/people"))
            .query(&[("search", "hopper navy")])
            .header("authorization", &auth)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(found["people"].as_array().unwrap().len(), 1, "{found}");
        assert_eq!(found["next_offset"], Value::Null);

        // Change with If-Match; a second change with the old ETag is refused.
        let patched = http
            .patch(server.url(&location))
            .header("authorization", &auth)
            .header("if-match", &etag)
            .json(&json!({"title": "Commodore", "emails": ["grace@navy.mil"]}))
            .send()
            .await
            .unwrap();
        assert_eq!(patched.status(), StatusCode::OK, "{engine}");
        let new_etag = patched.headers()["etag"].to_str().unwrap().to_string();
        assert_ne!(new_etag, etag);
        let after: Value = patched.json().await.unwrap();
        assert_eq!(after["title"], "Commodore");
        assert_eq!(after["emails"], json!(["grace@navy.mil"]));
        let stale = http
            .patch(server.url(&location))
            .header("authorization", &auth)
            .header("if-match", &etag)
            .json(&json!({"title": "Lost update"}))
            .send()
            .await
            .unwrap();
        let (status, body) = problem(stale).await;
        assert_eq!(status, StatusCode::PRECONDITION_FAILED, "{engine}");
        assert_eq!(body["code"], "precondition_failed");
        let without = http
            .patch(server.url(&location))
            .header("authorization", &auth)
            .json(&json!({"title": "No If-Match"}))
            .send()
            .await
            .unwrap();
        assert_eq!(problem(without).await.0, StatusCode::PRECONDITION_REQUIRED);
        let now: Value = http
            .get(server.url(&location))
            .header("authorization", &auth)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(now["title"], "Commodore", "{engine}: nothing half-written");

        // Delete.
        let deleted = http
            .delete(server.url(&location))
            .header("authorization", &auth)
            .header("if-match", &new_etag)
            .send()
            .await
            .unwrap();
        assert_eq!(deleted.status(), StatusCode::NO_CONTENT, "{engine}");
        let gone = http
            .get(server.url(&location))
            .header("authorization", &auth)
            .send()
            .await
            .unwrap();
        assert_eq!(problem(gone).await.0, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn bad_input_gets_a_problem_never_a_500() {
    for (store, _guard) in stores().await {
        let server = Server::start(
            &store,
            ServerConfig {
                max_body: 64 * 1024,
                ..Default::default()
            },
        )
        .await;
        let token = server.account_with_token("ada").await;
        let http = client();
        let auth = format!("Bearer {token}");
        let post = |body: String, content_type: &'static str| {
            http.post(server.url("/api/v1/people"))
                .header("authorization", &auth)
                .header("content-type", content_type)
                .body(body)
                .send()
        };
        let cases: Vec<(String, &str, StatusCode, &str)> = vec![
            (
                "{".into(),
                "application/json",
                StatusCode::BAD_REQUEST,
                "invalid_request",
            ),
            (
                r#"{"name": 5}"#.into(),
                "application/json",
                StatusCode::BAD_REQUEST,
                "invalid_request",
            ),
            (
                r#"{"nmae": "typo"}"#.into(),
                "application/json",
                StatusCode::BAD_REQUEST,
                "invalid_request",
            ),
            (
                r#"{"name": "x"}"#.into(),
                "text/plain",
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
            ),
            (
                format!(r#"{{"name": "{}"}}"#, "a".repeat(5_000)),
                "application/json",
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_value",
            ),
            (
                r#"{"name": "bell\u0007"}"#.into(),
                "application/json",
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_value",
            ),
            (
                "{}".into(),
                "application/json",
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_value",
            ),
            (
                format!(r#"{{"notes": ["{}"]}}"#, "n".repeat(100_000)),
                "application/json",
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
            ),
        ];
        for (body, content_type, want, code) in cases {
            let shown = body.chars().take(40).collect::<String>();
            let response = post(body, content_type).await.unwrap();
            assert_eq!(response.status(), want, "{shown}");
            if !code.is_empty() {
                let (_, problem) = problem(response).await;
                assert_eq!(problem["code"], code, "{shown}");
            }
        }
        // Unicode edge cases are kept as given.
        let odd = "Zoë 🧪 \u{202e}Ω\u{301}";
        let response = post(json!({"name": odd}).to_string(), "application/json")
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let person: Value = response.json().await.unwrap();
        assert_eq!(person["name"], odd);
        let listed = http
            .get(server.url("/api/v1/people?limit=0"))
            .header("authorization", &auth)
            .send()
            .await
            .unwrap();
        assert_eq!(problem(listed).await.0, StatusCode::UNPROCESSABLE_ENTITY);
        let unknown = http
            .get(server.url("/api/v1/people?colour=red"))
            .header("authorization", &auth)
            .send()
            .await
            .unwrap();
        assert_eq!(problem(unknown).await.0, StatusCode::BAD_REQUEST);
        assert_eq!(
            http.get(server.url("/api/v1/people"))
                .send()
                .await
                .unwrap()
                .status(),
            StatusCode::UNAUTHORIZED
        );
        let wrong_token = http
            .get(server.url("/api/v1/people"))
            .header("authorization", "Bearer kith_nope")
            .send()
            .await
            .unwrap();
        assert_eq!(problem(wrong_token).await.1["code"], "unauthenticated");
    }
}

#[tokio::test]
async fn another_account_cannot_see_or_touch_a_person() {
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let server = Server::start(&store, ServerConfig::default()).await;
        let a = format!("Bearer {}", server.account_with_token("alice").await);
        let b = format!("Bearer {}", server.account_with_token("bob").await);
        let http = client();
        let created = http
            .post(server.url("/api/v1/people"))
            .header("authorization", &a)
            .json(&json!({"name": "Ada Lovelace", "emails": ["ada@example.org"]}))
            .send()
            .await
            .unwrap();
        let etag = created.headers()["etag"].to_str().unwrap().to_string();
        let ada: Value = created.json().await.unwrap();
        let mine = format!("/api/v1/people/{}", ada["id"].as_str().unwrap());
        let missing = format!("/api/v1/people/{}", kith_core::PersonId::new());

        // Bob gets exactly what he gets for an id that does not exist.
        for path in [&mine, &missing] {
            let requests = [
                http.get(server.url(path)),
                http.patch(server.url(path))
                    .header("if-match", &etag)
                    .json(&json!({"name": "Mallory"})),
                http.delete(server.url(path)).header("if-match", &etag),
            ];
            for request in requests {
                let response = request.header("authorization", &b).send().await.unwrap();
                let (status, body) = problem(response).await;
                assert_eq!(status, StatusCode::NOT_FOUND, "{engine} {path}");
                let detail = body["detail"]
                    .as_str()
                    .unwrap()
                    .replace(path.rsplit('/').next().unwrap(), "ID");
                assert_eq!(detail, "no person with id ID", "{engine}");
            }
        }
        let bobs: Value = http
            .get(server.url("/api/v1/people?search=ada"))
            .header("authorization", &b)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(bobs["people"], json!([]), "{engine}");
        // Alice's person is untouched.
        let still: Value = http
            .get(server.url(&mine))
            .header("authorization", &a)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(still["name"], "Ada Lovelace", "{engine}");
    }
}

#[tokio::test]
async fn the_openapi_document_describes_the_api() {
    let (store, _guard) = kith_store::testing::sqlite().await;
    let server = Server::start(&store, ServerConfig::default()).await;
    let doc: Value = client()
        .get(server.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{doc}");
    let people = &doc["paths"]["/api/v1/people"];
    assert!(people["get"].is_object() && people["post"].is_object());
    let one = &doc["paths"]["/api/v1/people/{id}"];
    for method in ["get", "patch", "delete"] {
        assert!(one[method].is_object(), "{method}");
    }
    assert!(doc["components"]["schemas"]["PersonView"]["properties"]["emails"].is_object());
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
}
