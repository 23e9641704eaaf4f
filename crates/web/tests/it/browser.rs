//! A person's first hour with kith, in a real headless Chromium driven over
//! WebDriver (Debian's chromium and chromium-driver), at a desk (1280 px)
//! and on a phone (390 px): the setup link from the sign-in page, importing
//! the ../shared/vcards corpus through the page, merging a duplicate and
//! undoing it, a cadence for a tag, logging and editing an interaction, a
//! path found with part of an organisation's name, asking a connection for
//! an introduction (by email, or a message to copy when the server cannot
//! mail). axe-core (npm) checks every page visited for serious or critical
//! accessibility violations, and at 390 px no page may scroll sideways or
//! put a control out of reach. Screenshots go to `KITH_SCREENSHOTS` when it
//! is set. Also: the network map, my card and its public page.
//!
//! Runs when `KITH_BROWSER_TESTS=1` (the test script sets it, installs
//! Chromium and axe-core); without it the test says so and does nothing.

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
    browser_sized(1200, 900).await
}

async fn browser_sized(width: u32, height: u32) -> (fantoccini::Client, Driver, tempfile::TempDir) {
    browser_with(width, height, &[]).await
}

/// A browser window of this size, with these more Chromium flags.
async fn browser_with(
    width: u32,
    height: u32,
    extra: &[&str],
) -> (fantoccini::Client, Driver, tempfile::TempDir) {
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
    let mut options = json!({"args": [
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        format!("--window-size={width},{height}"),
        format!("--user-data-dir={}", profile.path().display()),
    ]});
    for arg in extra {
        options["args"].as_array_mut().unwrap().push(json!(arg));
    }
    if width < 500 {
        // A window is at least 500 px wide: a phone's screen is emulated.
        options["mobileEmulation"] = json!({"deviceMetrics": {
            "width": width, "height": height, "pixelRatio": 2.0, "touch": true,
        }});
    }
    caps.insert("goog:chromeOptions".into(), options);
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

async fn click(c: &fantoccini::Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

/// Fills a sign-in or setup form's name and password and submits it.
async fn submit_account(c: &fantoccini::Client, name: &str, password: &str) {
    fill(c, "name", name).await;
    fill(c, "password", password).await;
    click(c, "main form button").await;
}

/// Waits until the page's text contains `text` (pages that refresh).
async fn wait_text(c: &fantoccini::Client, text: &str) -> String {
    wait_text_for(c, text, Duration::from_secs(10)).await
}

async fn wait_text_for(c: &fantoccini::Client, text: &str, limit: Duration) -> String {
    let started = std::time::Instant::now();
    loop {
        let page = body(c).await;
        if page.contains(text) {
            return page;
        }
        if started.elapsed() > limit {
            panic!("{text:?} never appeared: {page}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until `script`'s answer (a string) contains `text`.
async fn wait_for(c: &fantoccini::Client, script: &str, text: &str) -> String {
    let started = std::time::Instant::now();
    loop {
        let got = c
            .execute(script, vec![])
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        if got.contains(text) || started.elapsed() > Duration::from_secs(10) {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// axe-core's script (npm), installed by the test script.
fn axe_script() -> String {
    let path = std::env::var("KITH_AXE_JS").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../target/axe/node_modules/axe-core/axe.min.js"
        )
        .to_string()
    });
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("axe-core at {path}: {e} (scripts/test.sh installs it with npm; or set KITH_AXE_JS)")
    })
}

/// Checks the page in the browser: no serious or critical axe violation,
/// and (at a phone's width) nothing that scrolls sideways or a visible
/// control outside the screen. `name` names the page in failures and its
/// screenshot.
async fn check_page(c: &fantoccini::Client, axe: &str, name: &str, phone: bool) {
    c.execute(axe, vec![]).await.unwrap();
    let found = c
        .execute_async(
            "const done = arguments[0];
             axe.run(document).then(r => done(r.violations
               .filter(v => v.impact === 'serious' || v.impact === 'critical')
               .map(v => v.id + ' (' + v.impact + '): ' + v.help + ' at ' +
                    v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))))
             .catch(e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await
        .unwrap();
    let violations: Vec<String> = serde_json::from_value(found).unwrap_or_default();
    assert!(violations.is_empty(), "{name}: {violations:#?}");
    // No page asks the user to type a command or edit a file.
    let terminal = c
        .execute(
            "const m = document.body.innerText.match(/\\bkith (import|serve|token|cadence|me|user|log|connect|card|demo|migrate|backup|restore|due|tie|path|intro|email)\\b|--(format|json|tag|every|dav|name|password|admin|listen|database|data-dir|people|seed)\\b|kith\\.toml|\\[smtp\\]/m);
             return m ? m[0] : null;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(terminal, json!(null), "{name}: terminal text on the page");
    if phone {
        let layout = c
            .execute(
                "const w = document.documentElement.clientWidth;
                 const off = [...document.querySelectorAll('a, button, input, select, textarea, summary')]
                   .filter(e => !e.closest('.skip, .visually-hidden'))
                   .filter(e => { const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
                                  return r.width > 0 && r.height > 0 && s.visibility !== 'hidden'
                                    && (r.left < -1 || r.right > w + 1); })
                   .map(e => e.outerHTML.slice(0, 160));
                 return [document.documentElement.scrollWidth, w, off];",
                vec![],
            )
            .await
            .unwrap();
        let (scroll, width) = (layout[0].as_i64().unwrap(), layout[1].as_i64().unwrap());
        assert!(width <= 400, "{name}: a phone's width, not {width} px");
        assert!(
            scroll <= width + 1,
            "{name}: the page scrolls sideways at {width} px ({scroll} px wide)"
        );
        assert_eq!(layout[2], json!([]), "{name}: controls out of reach");
    }
    if std::env::var("KITH_SCREENSHOTS").is_ok() {
        c.execute("window.scrollTo(0, 0);", vec![]).await.unwrap();
        let width = if phone { "phone" } else { "desk" };
        shot(c, &format!("{name}-{width}.png")).await;
    }
}

/// A vCard file with a near-duplicate (Robert and Bob Smith), and people
/// tagged for a cadence.
const PHONE_VCF: &str = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Robert Smith\r\nN:Smith;Robert;;;\r\nORG:Acme\r\nEMAIL:bob@acme.example\r\nCATEGORIES:mentors\r\nEND:VCARD\r\n\
BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bob Smith\r\nN:Smith;Bob;;;\r\nORG:Acme\r\nEMAIL:rsmith@home.example\r\nEND:VCARD\r\n\
BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Marie Curie\r\nN:Curie;Marie;;;\r\nORG:Institut du Radium\r\nEMAIL:marie@radium.example\r\nCATEGORIES:mentors\r\nEND:VCARD\r\n";

/// Bob, a member of the same server whose book holds people at Kestrel
/// Aviation, shared by name with his connections.
async fn bob_with_people_at_kestrel(server: &Server) -> kith_app::App {
    use kith_app::network::ties::SharingScope;
    let auth = Auth::new(server.store.clone());
    let bob = auth.add_user("bob", "battery staple", false).await.unwrap();
    let app = server.state.app(bob.id);
    app.set_sharing(&SharingScope::All, Some(kith_core::ties::Sharing::Name))
        .await
        .unwrap();
    for name in ["Kim Falk", "Lars Berg", "Ines Rocha"] {
        let p = app
            .add_person(&kith_app::people::PersonEdit {
                name: Some(name.into()),
                organization: Some("Kestrel Aviation".into()),
                title: Some("Engineer".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        for _ in 0..3 {
            app.log_interaction(&kith_app::interactions::NewInteraction {
                people: vec![p.id.to_string()],
                kind: kith_core::InteractionKind::Coffee,
                when: "5 days ago".into(),
                note: None,
                direction: None,
            })
            .await
            .unwrap();
        }
    }
    app
}

/// The first hour, as a new user would spend it, at one width.
async fn first_hour(width: u32, height: u32, with_mail: bool) {
    if std::env::var("KITH_BROWSER_TESTS").as_deref() != Ok("1") {
        eprintln!("browser test not run: set KITH_BROWSER_TESTS=1 (scripts/test.sh does)");
        return;
    }
    let phone = width < 600;
    let axe = axe_script();
    let sink = if with_mail {
        Some(
            kith_app::testing::SmtpSink::start().expect("aiosmtpd (KITH_PYTHON) for the mail walk"),
        )
    } else {
        None
    };
    let (store, _guard) = sqlite().await;
    let config = ServerConfig {
        mailer: sink.as_ref().map(|s| {
            std::sync::Arc::new(kith_app::mailer::Mailer::new(&s.config(), None).unwrap())
        }),
        ..Default::default()
    };
    let server = Server::start(&store, config).await;
    let (c, _driver, _profile) = browser_sized(width, height).await;

    // A fresh server: the sign-in page, seen on the server's own machine,
    // leads to setup.
    c.goto(&server.url("/login")).await.unwrap();
    wait_text(&c, "Set up this server").await;
    check_page(&c, &axe, "first-run", phone).await;
    click(&c, "main form button").await;
    wait_text(&c, "Create the first account").await;
    check_page(&c, &axe, "setup", phone).await;
    submit_account(&c, "ada", "correct horse").await;
    let home = wait_text(&c, "Getting started").await;
    assert!(home.contains("Import your contacts"), "{home}");
    check_page(&c, &axe, "home-new", phone).await;

    // Import the real-world vCard corpus, a LinkedIn export and a phone's
    // file through the page.
    let dir = tempfile::tempdir().unwrap();
    let vcf = dir.path().join("phone.vcf");
    std::fs::write(&vcf, PHONE_VCF).unwrap();
    let linkedin = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../formats/tests/fixtures/csv/linkedin_connections.csv")
        .canonicalize()
        .unwrap();
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vcards");
    let mut files: Vec<String> = walk_vcf(&corpus);
    assert!(files.len() > 100, "the corpus at {}", corpus.display());
    files.push(linkedin.display().to_string());
    files.push(vcf.display().to_string());
    c.goto(&server.url("/import")).await.unwrap();
    wait_text(&c, "Import contacts").await;
    check_page(&c, &axe, "import", phone).await;
    c.find(Locator::Id("files"))
        .await
        .unwrap()
        .send_keys(&files.join("\n"))
        .await
        .unwrap();
    click(&c, "main form button").await;
    let report = wait_text_for(&c, "Done.", Duration::from_secs(180)).await;
    assert!(
        report.contains("as linkedin") && report.contains("as vcard"),
        "{report}"
    );
    check_page(&c, &axe, "import-done", phone).await;

    // The people page counts them.
    c.goto(&server.url("/people")).await.unwrap();
    let people = wait_text(&c, "shown").await;
    assert!(people.contains("People ("), "{people}");
    check_page(&c, &axe, "people", phone).await;

    // Merge the suggested duplicate: the queue stays, the notice says
    // what happened, Undo takes it back.
    c.goto(&server.url("/duplicates")).await.unwrap();
    wait_text(&c, "Bob Smith").await;
    check_page(&c, &axe, "duplicates", phone).await;
    let merge = "//section[contains(., 'Bob Smith') and contains(., 'Robert Smith')]//button[text()='Merge']";
    c.find(Locator::XPath(merge))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let merged = wait_text(&c, "Merged").await;
    assert!(
        merged.contains("Possible duplicates"),
        "stays in the queue: {merged}"
    );
    click(&c, ".notice button").await;
    let again = wait_text(&c, "two people again").await;
    c.find(Locator::XPath(merge))
        .await
        .unwrap_or_else(|e| panic!("the pair is suggested again: {e}: {again}"))
        .click()
        .await
        .unwrap();
    wait_text(&c, "Merged").await;

    // Keep in touch with everyone tagged "mentors", from Home.
    c.goto(&server.url("/")).await.unwrap();
    wait_text(&c, "Keep in touch by tag").await;
    fill(&c, "cadence-tag", "mentors").await;
    fill(&c, "cadence-days", "30").await;
    click(&c, "form[aria-label='Keep in touch with a tag'] button").await;
    let home = wait_text(&c, "Everyone tagged mentors: every 30 days").await;
    assert!(home.contains("Marie Curie"), "due now: {home}");
    assert!(
        home.contains("No new jobs, cities or addresses"),
        "one upload's files are a first import, not news: {home}"
    );
    check_page(&c, &axe, "home", phone).await;

    // Log an interaction on a person's page, then edit it.
    c.find(Locator::LinkText("Marie Curie"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&c, "Log an interaction").await;
    check_page(&c, &axe, "person", phone).await;
    fill(&c, "note", "talked about radium").await;
    click(&c, "form[aria-label='Log an interaction'] button").await;
    wait_text(&c, "Logged a coffee").await;
    assert!(body(&c).await.contains("talked about radium"));
    click(&c, "#interactions ~ .panel details summary").await;
    let note = c
        .find(Locator::Css("#interactions ~ .panel input[name='note']"))
        .await
        .unwrap();
    note.clear().await.unwrap();
    note.send_keys("talked about polonium").await.unwrap();
    click(&c, "#interactions ~ .panel form button[type='submit']").await;
    let edited = wait_text(&c, "Saved the interaction").await;
    assert!(
        edited.contains("talked about polonium") && !edited.contains("talked about radium"),
        "{edited}"
    );

    // The network: Bob, connected, knows people at Kestrel Aviation; part
    // of the name finds them, and Ada can ask Bob for an introduction.
    let bob = bob_with_people_at_kestrel(&server).await;
    let ada = server
        .state
        .app(store.account("ada").await.unwrap().unwrap().id);
    ada.invite("bob").await.unwrap();
    bob.accept("ada").await.unwrap();
    if with_mail {
        let secret = "browser-test-secret";
        store
            .add_member_email(
                ada.account,
                "ada@example.org",
                &kith_app::auth::secret_hash(secret),
            )
            .await
            .unwrap();
        kith_app::network::members::verify_member_email(&store, secret)
            .await
            .unwrap();
    }
    c.goto(&server.url("/network")).await.unwrap();
    wait_text(&c, "Who do I know at").await;
    // The field offers names from the network as one types; a misspelt
    // name gets "Did you mean".
    fill(&c, "org", "kest").await;
    let offered = wait_for(&c, "return [...document.querySelectorAll('#org ~ datalist option')].map(o => o.value).join('|');", "Kestrel Aviation").await;
    assert!(offered.contains("Kestrel Aviation"), "{offered}");
    fill(&c, "org", "kestral aviaton").await;
    click(&c, "form[aria-label='Who do I know at'] button").await;
    wait_text(&c, "Did you mean").await;
    c.find(Locator::LinkText("Kestrel Aviation"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&c, "Kim Falk").await;
    fill(&c, "org", "kestrel").await;
    click(&c, "form[aria-label='Who do I know at'] button").await;
    let reach = wait_text(&c, "At Kestrel Aviation").await;
    assert!(
        reach.contains("Kim Falk") && reach.contains("bob"),
        "{reach}"
    );
    check_page(&c, &axe, "network", phone).await;
    click(&c, "#who-at ~ table details summary").await;
    if with_mail {
        fill(&c, "ask-reach-0", "We both fly gliders.").await;
        click(&c, "#who-at ~ table details form button").await;
        wait_text(&c, "Asked bob to introduce you").await;
        let asked = bob.introductions().await.unwrap();
        assert_eq!(asked.len(), 1, "{asked:?}");
        assert_eq!(asked[0].message, "We both fly gliders.");
    } else {
        let copy = c
            .execute(
                "return document.querySelector('#who-at ~ table textarea.copy').value;",
                vec![],
            )
            .await
            .unwrap();
        assert!(
            copy.as_str().unwrap().contains("Would you introduce us?"),
            "{copy}"
        );
        assert!(body(&c).await.contains("cannot send email yet"));
    }

    // The search box in the bar, from the keyboard.
    c.goto(&server.url("/people")).await.unwrap();
    wait_text(&c, "shown").await;
    c.execute("document.body.focus();", vec![]).await.unwrap();
    c.find(Locator::Css("body"))
        .await
        .unwrap()
        .send_keys("/")
        .await
        .unwrap();
    let focused = c
        .execute(
            "return document.activeElement && document.activeElement.id;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(focused, json!("site-q"), "/ focuses the search box");
    fill(&c, "site-q", "curie").await;
    c.find(Locator::Id("site-q"))
        .await
        .unwrap()
        .send_keys("\u{E007}")
        .await
        .unwrap();
    let found = wait_text(&c, "Search").await;
    assert!(found.contains("Marie Curie"), "{found}");
    check_page(&c, &axe, "search", phone).await;

    // Every other page passes the same checks.
    for (path, text, name) in [
        ("/organizations", "Organisations", "organizations"),
        ("/card", "My card", "card"),
        ("/settings", "Settings", "settings"),
        ("/settings/carddav", "device password", "carddav"),
        ("/sources", "Add a source", "sources"),
        ("/export", "Export", "export"),
        ("/trash", "Deleted people", "trash"),
        ("/network/map", "The same, as a list", "network-map"),
    ] {
        c.goto(&server.url(path)).await.unwrap();
        wait_text(&c, text).await;
        check_page(&c, &axe, name, phone).await;
    }
    c.close().await.unwrap();
}

/// Every .vcf file under `dir`, sorted.
fn walk_vcf(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x.eq_ignore_ascii_case("vcf")) {
                out.push(p.canonicalize().unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

/// Dark mode follows the system: the pages in a browser that prefers dark,
/// checked by axe (contrast included) like the light ones.
#[tokio::test]
async fn the_pages_in_dark_mode() {
    if std::env::var("KITH_BROWSER_TESTS").as_deref() != Ok("1") {
        eprintln!("browser test not run: set KITH_BROWSER_TESTS=1 (scripts/test.sh does)");
        return;
    }
    let axe = axe_script();
    let (store, _guard) = sqlite().await;
    let server = Server::start(&store, ServerConfig::default()).await;
    let account = Auth::new(store.clone())
        .add_user("ada", "correct horse", false)
        .await
        .unwrap();
    let app = server.state.app(account.id);
    let grace = app
        .add_person(&kith_app::people::PersonEdit {
            name: Some("Grace Hopper".into()),
            organization: Some("Navy".into()),
            add_tags: vec!["mentors".into()],
            ..Default::default()
        })
        .await
        .unwrap();
    let (c, _driver, _profile) = browser_with(
        1280,
        900,
        &[
            "--force-dark-mode",
            "--blink-settings=preferredColorScheme=0",
        ],
    )
    .await;
    c.goto(&server.url("/login")).await.unwrap();
    submit_account(&c, "ada", "correct horse").await;
    wait_text(&c, "Sign out").await;
    let dark = c
        .execute(
            "return matchMedia('(prefers-color-scheme: dark)').matches;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(dark, json!(true), "the browser prefers dark");
    for (path, text, name) in [
        ("/".to_string(), "Keep in touch by tag", "home-dark"),
        ("/people".to_string(), "Grace Hopper", "people-dark"),
        (
            format!("/people/{}", grace.id),
            "Log an interaction",
            "person-dark",
        ),
        ("/network".to_string(), "Who do I know at", "network-dark"),
        ("/settings".to_string(), "Password", "settings-dark"),
    ] {
        c.goto(&server.url(&path)).await.unwrap();
        wait_text(&c, text).await;
        check_page(&c, &axe, name, false).await;
    }
    c.close().await.unwrap();
}

#[tokio::test]
async fn first_hour_at_a_desk_with_mail() {
    first_hour(1280, 900, true).await;
}

#[tokio::test]
async fn first_hour_on_a_phone_without_mail() {
    first_hour(390, 844, false).await;
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
