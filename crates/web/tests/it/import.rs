//! The import page: uploads become background jobs whose page shows the
//! progress, then the summary and problems; a job is its account's only.

use crate::Server;
use kith_app::auth::Auth;
use kith_store::testing::stores;
use kith_web::ServerConfig;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../formats/tests/fixtures/csv")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

async fn sign_in(server: &Server, name: &str) -> (reqwest::Client, String) {
    Auth::new(server.store.clone())
        .add_user(name, "correct horse", false)
        .await
        .unwrap();
    server.sign_in(name).await
}

#[tokio::test]
async fn uploads_are_imported_with_a_report() {
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let server = Server::start(&store, ServerConfig::default()).await;
        let (ada, csrf) = sign_in(&server, "ada").await;
        let form = Form::new()
            .text("csrf", csrf.clone())
            .text("format", "auto")
            .part(
                "files",
                Part::bytes(fixture("linkedin_connections.csv")).file_name("Connections.csv"),
            )
            .part(
                "files",
                Part::bytes(vec![0u8, 159, 146, 150, 0, 1, 2]).file_name("../../etc/garbage.bin"),
            );
        let started = ada
            .post(server.url("/import"))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(started.status(), StatusCode::SEE_OTHER, "{engine}");
        let job = started.headers()["location"].to_str().unwrap().to_string();
        let mut html = String::new();
        for _ in 0..200 {
            html = ada
                .get(server.url(&job))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            if html.contains("Done.") {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert!(html.contains("Done."), "{engine}: {html}");
        assert!(
            html.contains("<h2>Connections.csv</h2>") && html.contains("as linkedin"),
            "{html}"
        );
        assert!(
            html.contains("<h2>garbage.bin</h2>"),
            "a plain name: {html}"
        );
        assert!(
            html.contains("class=\"error\""),
            "the binary file is refused: {html}"
        );
        let people = ada
            .get(server.url("/people"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!people.contains("No people yet"), "{engine}");
        let person = people
            .split("href=\"/people/")
            .nth(2)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let page = ada
            .get(server.url(&format!("/people/{person}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("from Connections.csv line"),
            "sources name the uploaded file: {page}"
        );

        // Another account cannot see the job; a form without the token stores nothing.
        let (bob, _) = sign_in(&server, "bob").await;
        assert_eq!(
            bob.get(server.url(&job)).send().await.unwrap().status(),
            StatusCode::NOT_FOUND
        );
        let forged = Form::new().text("csrf", "forged").part(
            "files",
            Part::bytes(fixture("linkedin_connections.csv")).file_name("c.csv"),
        );
        let refused = bob
            .post(server.url("/import"))
            .multipart(forged)
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{engine}");
    }
}

#[tokio::test]
async fn an_oversized_upload_is_refused_clearly() {
    for (store, _guard) in stores().await {
        let server = Server::start(
            &store,
            ServerConfig {
                max_body: 32 * 1024,
                ..Default::default()
            },
        )
        .await;
        let (ada, csrf) = sign_in(&server, "ada").await;
        let form = Form::new().text("csrf", csrf).part(
            "files",
            Part::bytes(vec![b'x'; 100 * 1024]).file_name("big.vcf"),
        );
        let response = ada
            .post(server.url("/import"))
            .header("accept", "text/html")
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let html = response.text().await.unwrap();
        assert!(html.contains("larger than this server accepts"), "{html}");
    }
}

#[tokio::test]
async fn a_calendar_upload_reports_meetings() {
    let (store, _guard) = kith_store::testing::sqlite().await;
    let server = Server::start(&store, ServerConfig::default()).await;
    let (ada, csrf) = sign_in(&server, "ada").await;
    let added = ada
        .post(server.url("/settings/emails"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "ada@example.org"),
            ("action", "add"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:u1\r\n\
DTSTART:20261102T100000Z\r\nORGANIZER:mailto:ada@example.org\r\n\
ATTENDEE;CN=Grace Hopper:mailto:grace@navy.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let form = Form::new().text("csrf", csrf.clone()).part(
        "files",
        Part::bytes(ics.as_bytes().to_vec()).file_name("work.ics"),
    );
    let started = ada
        .post(server.url("/import"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(started.status(), StatusCode::SEE_OTHER);
    let job = started.headers()["location"].to_str().unwrap().to_string();
    let mut html = String::new();
    for _ in 0..200 {
        html = ada
            .get(server.url(&job))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if html.contains("Done.") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert!(
        html.contains("1 events as ics")
            && html.contains("1 interactions added")
            && html.contains("1 people created"),
        "{html}"
    );
}
