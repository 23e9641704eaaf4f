//! A person's first hour with kith, in a real headless Chromium driven over
//! WebDriver (Debian's chromium and chromium-driver): the setup link, the
//! first account, importing files, searching, a person's page, editing,
//! merging a duplicate, exporting, signing out, and a second account that
//! sees none of it. Screenshots go to `KITH_SCREENSHOTS` when it is set.
//!
//! Runs when `KITH_BROWSER_TESTS=1` (the test script sets it and installs
//! Chromium); without it the test says so and does nothing.

use crate::Server;
use fantoccini::{ClientBuilder, Locator};
use kith_app::auth::Auth;
use kith_store::testing::sqlite;
use kith_web::ServerConfig;
use serde_json::json;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn browser() -> (fantoccini::Client, Driver, tempfile::TempDir) {
    let port = free_port();
    let driver = Command::new(std::env::var("CHROMEDRIVER").unwrap_or("chromedriver".into()))
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver (Debian's chromium-driver) must be installed for KITH_BROWSER_TESTS");
    let driver = Driver(driver);
    let profile = tempfile::tempdir().unwrap();
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({"args": [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run",
            "--window-size=1200,900",
            format!("--user-data-dir={}", profile.path().display()),
        ]}),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..50 {
        if let Ok(client) = ClientBuilder::new(connector.clone())
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            return (client, driver, profile);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("chromedriver did not start on port {port}");
}

async fn shot(c: &fantoccini::Client, name: &str) {
    if let Ok(dir) = std::env::var("KITH_SCREENSHOTS") {
        let png = c.screenshot().await.unwrap();
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(std::path::Path::new(&dir).join(name), png).unwrap();
    }
}

/// The page's text, read in one step (pages that refresh themselves would
/// make an element found first stale before its text is read).
async fn body(c: &fantoccini::Client) -> String {
    c.execute(
        "return document.body ? document.body.innerText : '';",
        vec![],
    )
    .await
    .ok()
    .and_then(|v| v.as_str().map(str::to_string))
    .unwrap_or_default()
}

async fn fill(c: &fantoccini::Client, id: &str, text: &str) {
    let field = c.find(Locator::Id(id)).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

/// Fills a sign-in or setup form's name and password and submits it.
async fn submit_account(c: &fantoccini::Client, name: &str, password: &str) {
    fill(c, "name", name).await;
    fill(c, "password", password).await;
    c.find(Locator::Css("form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// Waits until the page's text contains `text` (pages that refresh).
async fn wait_text(c: &fantoccini::Client, text: &str) -> String {
    for _ in 0..100 {
        let page = body(c).await;
        if page.contains(text) {
            return page;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{text:?} never appeared: {}", body(c).await);
}

#[tokio::test]
async fn first_hour_in_a_real_browser() {
    if std::env::var("KITH_BROWSER_TESTS").as_deref() != Ok("1") {
        eprintln!("browser test not run: set KITH_BROWSER_TESTS=1 (scripts/test.sh does)");
        return;
    }
    let (store, _guard) = sqlite().await;
    let server = Server::start(&store, ServerConfig::default()).await;
    let auth = Auth::new(store.clone());
    let secret = auth.setup_secret().await.unwrap().expect("setup link");
    let (c, _driver, _profile) = browser().await;

    // The setup link creates the first account and signs it in.
    c.goto(&server.url(&format!("/setup?token={secret}")))
        .await
        .unwrap();
    shot(&c, "setup.png").await;
    submit_account(&c, "ada", "correct horse").await;
    wait_text(&c, "No people yet").await;

    // Import a LinkedIn export and a vCard file with a near-duplicate.
    let dir = tempfile::tempdir().unwrap();
    let linkedin = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../formats/tests/fixtures/csv/linkedin_connections.csv");
    let vcf = dir.path().join("phone.vcf");
    std::fs::write(
        &vcf,
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Robert Smith\r\nN:Smith;Robert;;;\r\nORG:Acme\r\nEMAIL:bob@acme.example\r\nEND:VCARD\r\n\
         BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bob Smith\r\nN:Smith;Bob;;;\r\nORG:Acme\r\nEMAIL:rsmith@home.example\r\nEND:VCARD\r\n",
    )
    .unwrap();
    c.goto(&server.url("/import")).await.unwrap();
    let input = c.find(Locator::Id("files")).await.unwrap();
    input
        .send_keys(&format!(
            "{}\n{}",
            linkedin.canonicalize().unwrap().display(),
            vcf.display()
        ))
        .await
        .unwrap();
    shot(&c, "import.png").await;
    c.find(Locator::Css("main form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let report = wait_text(&c, "Done.").await;
    assert!(
        report.contains("as linkedin") && report.contains("as vcard"),
        "{report}"
    );
    shot(&c, "import-done.png").await;

    // Search as you type (no submit: the page's script fetches the
    // results and keeps the address in step), open a person.
    c.goto(&server.url("/people")).await.unwrap();
    fill(&c, "q", "hopp").await;
    wait_text(&c, "1–1 shown").await;
    let address = c.current_url().await.unwrap().to_string();
    assert!(address.contains("q=hopp"), "{address}");
    shot(&c, "people.png").await;
    c.find(Locator::LinkText("Grace Hopper"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let person = wait_text(&c, "Job history").await;
    assert!(person.contains("grace@navy.example"), "{person}");
    let grace_url = c.current_url().await.unwrap().to_string();
    shot(&c, "person.png").await;

    // Edit a field.
    c.find(Locator::LinkText("Edit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    fill(&c, "title", "Rear Admiral").await;
    c.find(Locator::Css("form.person-form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&c, "Rear Admiral at Stripe, Inc.").await;

    // The job history leads to the organisation: who is there now.
    c.find(Locator::Css("ul.positions a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let org = wait_text(&c, "There now").await;
    assert!(org.contains("Grace Hopper"), "{org}");
    shot(&c, "organization.png").await;

    // Merge the suggested duplicate.
    c.goto(&server.url("/duplicates")).await.unwrap();
    let dupes = wait_text(&c, "Robert Smith").await;
    assert!(
        dupes.contains("Bob Smith") && dupes.contains("nickname"),
        "{dupes}"
    );
    shot(&c, "duplicates.png").await;
    c.find(Locator::XPath(
        "//section[contains(., 'Bob Smith')]//button[text()='Merge']",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    let merged = wait_text(&c, "Undo the last merge").await;
    assert!(
        merged.contains("bob@acme.example") && merged.contains("rsmith@home.example"),
        "{merged}"
    );

    // Export: the browser downloads it with its session.
    c.goto(&server.url("/export")).await.unwrap();
    let exported = c
        .execute_async(
            "const done = arguments[0]; fetch('/export/people.json').then(r => r.text()).then(done);",
            vec![],
        )
        .await
        .unwrap();
    let exported = exported.as_str().unwrap_or_default();
    assert!(
        exported.contains("Grace Hopper") && exported.contains("Rear Admiral"),
        "{exported}"
    );

    // Sign out.
    c.find(Locator::Css("nav form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&c, "Sign in").await;
    c.goto(&server.url("/people")).await.unwrap();
    wait_text(&c, "Account name").await;

    // A second account sees none of Ada's people.
    auth.add_user("bob", "battery staple", false).await.unwrap();
    submit_account(&c, "bob", "battery staple").await;
    wait_text(&c, "No people yet").await;
    c.goto(&grace_url).await.unwrap();
    let hidden = wait_text(&c, "Not found").await;
    assert!(!hidden.contains("Grace"), "{hidden}");
    c.close().await.unwrap();
}

#[tokio::test]
async fn the_network_map_in_a_real_browser() {
    if std::env::var("KITH_BROWSER_TESTS").as_deref() != Ok("1") {
        eprintln!("browser test not run: set KITH_BROWSER_TESTS=1 (scripts/test.sh does)");
        return;
    }
    let (store, _guard) = sqlite().await;
    let server = Server::start(&store, ServerConfig::default()).await;
    let account = Auth::new(store.clone())
        .add_user("ada", "correct horse", false)
        .await
        .unwrap();
    let app = server.state.app(account.id);
    for (name, org) in [
        ("Grace Hopper", "Navy"),
        ("Alan Turing", "Bletchley"),
        ("Joan Clarke", "Bletchley"),
        ("Ana Costa", ""),
    ] {
        let p = app
            .add_person(&kith_app::people::PersonEdit {
                name: Some(name.into()),
                organization: (!org.is_empty()).then(|| org.to_string()),
                ..Default::default()
            })
            .await
            .unwrap();
        app.log_interaction(&kith_app::interactions::NewInteraction {
            people: vec![p.id.to_string()],
            kind: kith_core::InteractionKind::Coffee,
            when: "yesterday".into(),
            note: None,
            direction: None,
        })
        .await
        .unwrap();
    }
    let (c, _driver, _profile) = browser().await;
    c.goto(&server.url("/login")).await.unwrap();
    submit_account(&c, "ada", "correct horse").await;
    wait_text(&c, "People").await;
    c.goto(&server.url("/network/map")).await.unwrap();
    wait_text(&c, "The same, as a list").await;
    let drawn = c
        .execute(
            "const svg = document.querySelector('svg.network-map'); const box = svg.getBoundingClientRect(); \
             return [svg.querySelectorAll('a circle').length, Math.round(box.width), svg.querySelectorAll('text.cluster').length];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(drawn[0], json!(4), "one circle per person: {drawn}");
    assert!(
        drawn[1].as_i64().unwrap() > 300,
        "the map has room: {drawn}"
    );
    assert_eq!(drawn[2], json!(4), "three clusters and you: {drawn}");
    shot(&c, "network-map.png").await;
    // Each circle leads to its person.
    c.execute("document.querySelector('svg.network-map a[href^=\"/people/\"]').dispatchEvent(new MouseEvent('click', {bubbles: true}));", vec![])
        .await
        .unwrap();
    wait_text(&c, "How you're connected").await;
    c.close().await.unwrap();
}

#[tokio::test]
async fn my_card_and_its_public_page_with_qr_code_in_a_real_browser() {
    if std::env::var("KITH_BROWSER_TESTS").as_deref() != Ok("1") {
        eprintln!("browser test not run: set KITH_BROWSER_TESTS=1 (scripts/test.sh does)");
        return;
    }
    let (store, _guard) = sqlite().await;
    let server = Server::start(&store, ServerConfig::default()).await;
    Auth::new(store.clone())
        .add_user("ada", "correct horse", false)
        .await
        .unwrap();
    let (c, _driver, _profile) = browser().await;
    c.goto(&server.url("/login")).await.unwrap();
    submit_account(&c, "ada", "correct horse").await;
    wait_text(&c, "People").await;
    // Fill the card through the page's own form. Each round starts from a
    // freshly loaded page and waits for its value in the table, so that no
    // element of the page before the submit is used after it.
    for (field, value, visibility) in [
        ("name", "Ada Lovelace", "public"),
        ("headline", "Analyst of engines", ""),
        ("phone", "+44 20 7946 0958", "private"),
    ] {
        c.goto(&server.url("/card")).await.unwrap();
        wait_text(&c, "Public links").await;
        c.execute(
            "document.getElementById('field').value = arguments[0]; document.getElementById('visibility').value = arguments[1];",
            vec![json!(field), json!(visibility)],
        )
        .await
        .unwrap();
        fill(&c, "value", value).await;
        c.find(fantoccini::Locator::Css(
            "form[aria-label='Set a field'] button",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
        wait_text(&c, value).await;
    }
    c.goto(&server.url("/card")).await.unwrap();
    wait_text(&c, "Public links").await;
    c.find(fantoccini::Locator::Css(
        "form[action='/card/links'] button",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    let page = wait_text(&c, "Revoke this link").await;
    assert!(page.contains("Analyst of engines"), "{page}");
    shot(&c, "my-card.png").await;
    let url = c
        .execute(
            "return document.querySelector('.card-link a').href;",
            vec![],
        )
        .await
        .unwrap();
    // The link is under the configured public URL; this server's port differs.
    let url = url.as_str().unwrap();
    let url = server.url(&url[url.find("/card/").unwrap()..]);
    // The public page: public fields, a QR code drawn, no phone.
    c.goto(&url).await.unwrap();
    let public = wait_text(&c, "Add to my contacts").await;
    assert!(
        public.contains("Ada Lovelace") && public.contains("Analyst of engines"),
        "{public}"
    );
    assert!(
        !public.contains("7946"),
        "a private field never shows: {public}"
    );
    let qr = c
        .execute(
            "const s = document.querySelector('figure.qr svg'); const b = s.getBoundingClientRect(); return [Math.round(b.width), s.querySelectorAll('path, rect').length];",
            vec![],
        )
        .await
        .unwrap();
    assert!(qr[0].as_i64().unwrap() >= 150, "the QR code is drawn: {qr}");
    shot(&c, "public-card.png").await;
    // Revoked, the link shows nothing.
    c.goto(&server.url("/card")).await.unwrap();
    wait_text(&c, "Revoke this link").await;
    c.find(fantoccini::Locator::Css(".card-link form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // The page after the revoke has no link left (the one before it did).
    let started = std::time::Instant::now();
    while body(&c).await.contains("Revoke this link") {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the link was not revoked"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    c.goto(&url).await.unwrap();
    let gone = wait_text(&c, "Not found").await;
    assert!(!gone.contains("Ada Lovelace"), "{gone}");
    c.close().await.unwrap();
}
