//! The front door other servers use, and federation through the API and
//! the Network page, on a server whose public URL is its own loopback
//! address and which (like a server on the internet) refuses private
//! addresses: WebFinger and the actor, inboxes refusing what is not
//! signed or whose key sits on a private address, handles in the API and
//! on the page, and nothing when federation is off.

use crate::{Api, Server};
use kith_store::testing::stores;
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn the_federation_front_door_proves_senders_and_keeps_to_public_addresses() {
    for (store, _guard) in stores().await {
        let server = Server::start_federating(&store).await;
        let api = Api::new(&server, "ada").await;
        let authority = server.base.trim_start_matches("http://").to_string();
        let http = reqwest::Client::new();

        // WebFinger and the actor document.
        let wf = http
            .get(server.url(&format!(
                "/.well-known/webfinger?resource=acct:ada@{authority}"
            )))
            .send()
            .await
            .unwrap();
        assert_eq!(wf.status(), StatusCode::OK);
        let wf: Value = wf.json().await.unwrap();
        assert_eq!(wf["subject"], format!("acct:ada@{authority}"));
        let actor: Value = http
            .get(server.url("/fed/ada"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(actor["id"], wf["links"][0]["href"]);
        assert!(
            actor["publicKey"]["publicKeyPem"]
                .as_str()
                .unwrap()
                .contains("PUBLIC KEY")
        );
        for (path, status) in [
            ("/.well-known/webfinger?resource=acct:nobody@x.example", 404),
            (
                &format!("/.well-known/webfinger?resource=acct:nobody@{authority}"),
                404,
            ),
            ("/.well-known/webfinger?resource=nonsense", 400),
            ("/fed/nobody", 404),
        ] {
            let got = http.get(server.url(path)).send().await.unwrap().status();
            assert_eq!(got.as_u16(), status, "{path}");
        }
        let followers: Value = http
            .get(server.url("/fed/ada/followers"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(followers["totalItems"], 0);

        // An inbox reads nothing unsigned; a key on a private address is
        // never fetched (the operator's network stays closed).
        let post = |headers: Vec<(&'static str, String)>, body: String| {
            let mut r = http.post(server.url("/fed/ada/inbox")).body(body);
            for (k, v) in headers {
                r = r.header(k, v);
            }
            r.send()
        };
        let unsigned = post(vec![], "{}".into()).await.unwrap();
        assert_eq!(unsigned.status(), StatusCode::UNAUTHORIZED);
        let date = httpdate::fmt_http_date(std::time::SystemTime::now());
        let signature = "keyId=\"https://10.0.0.7/fed/eve#key-1\",algorithm=\"rsa-sha256\",headers=\"(request-target) host date digest\",signature=\"AAAA\"";
        let private = post(
            vec![
                ("signature", signature.into()),
                ("date", date.clone()),
                ("digest", "SHA-256=AAAA".into()),
            ],
            "{}".into(),
        )
        .await
        .unwrap();
        assert_eq!(private.status(), StatusCode::UNAUTHORIZED);
        let said = private.text().await.unwrap();
        assert!(said.contains("private or loopback address"), "{said}");
        assert!(
            said.contains("[federation] allow_private_addresses"),
            "{said}"
        );
        let old = post(
            vec![
                ("signature", signature.into()),
                ("date", "Sun, 06 Nov 1994 08:49:37 GMT".into()),
                ("digest", "SHA-256=AAAA".into()),
            ],
            "{}".into(),
        )
        .await
        .unwrap();
        assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
        let said = old.text().await.unwrap();
        assert!(said.contains("too far from now"), "{said}");
        // A query is answered to connections only, after a signature.
        let q = http
            .post(server.url("/fed/ada/query"))
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(q.status(), StatusCode::UNAUTHORIZED);

        // The API: the handle, handles for invitations and follows.
        let (status, me) = api.get("/api/v1/federation").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(me["handle"], format!("ada@{authority}"));
        assert_eq!(me["waiting"], 0);
        let (status, said) = api
            .post("/api/v1/connections", json!({"name": "bob@10.0.0.9"}))
            .await;
        assert_eq!(status, StatusCode::BAD_GATEWAY, "{said}");
        assert_eq!(said["code"], "remote_failed");
        assert!(
            said["detail"]
                .as_str()
                .unwrap()
                .contains("private or loopback"),
            "{said}"
        );
        let (status, said) = api
            .post("/api/v1/follows", json!({"handle": "not a handle"}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{said}");
        let (status, list) = api.get("/api/v1/follows").await;
        assert_eq!((status, list), (StatusCode::OK, json!([])));
        assert_eq!(
            api.delete("/api/v1/follows/bob@elsewhere.example").await,
            StatusCode::NOT_FOUND
        );

        // The page shows the handle and takes handles.
        let (browser, csrf) = server.sign_in("ada").await;
        let page = browser
            .get(server.url("/network"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains(&format!("ada@{authority}")),
            "the handle on the page"
        );
        assert!(page.contains("name=\"handle\""), "the follow form");
        let answer = browser
            .post(server.url("/network/connections"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("action", "invite"),
                ("name", "bob@10.0.0.9"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::SEE_OTHER);
        let page = browser
            .get(server.url("/network"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("private or loopback"),
            "the refusal as the page's notice"
        );
    }
}

#[tokio::test]
async fn without_a_public_url_nothing_federates() {
    for (store, _guard) in stores().await {
        let server = Server::start(&store, Default::default()).await;
        let api = Api::new(&server, "ada").await;
        let http = reqwest::Client::new();
        for path in [
            "/.well-known/webfinger?resource=acct:ada@127.0.0.1",
            "/fed/ada",
        ] {
            let got = http.get(server.url(path)).send().await.unwrap().status();
            assert_eq!(got, StatusCode::NOT_FOUND, "{path}");
        }
        let (_, me) = api.get("/api/v1/federation").await;
        assert_eq!(me["handle"], Value::Null);
        let (status, said) = api
            .post("/api/v1/connections", json!({"name": "bob@other.example"}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{said}");
        assert!(
            said["detail"]
                .as_str()
                .unwrap()
                .contains("does not federate"),
            "{said}"
        );
    }
}
