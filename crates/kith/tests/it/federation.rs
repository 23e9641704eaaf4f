//! Federation between three real `kith serve` processes on 127.0.0.2, .3
//! and .4 (two on SQLite, the third on PostgreSQL when
//! KITH_TEST_DATABASE_URL is set): invitations, cards following across
//! servers into books and CardDAV, private fields staying home, a server
//! down while changes happen, forged and replayed deliveries, removal.

use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const PASSWORD: &str = "correct horse battery staple";

/// One kith server: its data directory, address and process.
pub(crate) struct Server {
    dir: tempfile::TempDir,
    ip: &'static str,
    port: u16,
    database: Option<String>,
    child: Option<Child>,
}

fn free_port(ip: &str) -> u16 {
    TcpListener::bind((ip, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Server {
    pub(crate) fn new(ip: &'static str, database: Option<String>) -> Server {
        Server::with_mail(ip, database, None)
    }

    /// A server whose mail goes to an SMTP server on `smtp_port`.
    pub(crate) fn with_mail(
        ip: &'static str,
        database: Option<String>,
        smtp_port: Option<u16>,
    ) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port(ip);
        let data = dir.path().join("data");
        std::fs::create_dir_all(&data).unwrap();
        let mut toml = format!(
            "public_url = \"http://{ip}:{port}\"\n[federation]\nallow_private_addresses = true\nretry_seconds = 1\n"
        );
        if let Some(url) = &database {
            toml = format!("database = \"{url}\"\n{toml}");
        }
        if let Some(port) = smtp_port {
            toml.push_str(&format!(
                "[smtp]\nhost = \"127.0.0.1\"\nport = {port}\nsecurity = \"none\"\nfrom = \"kith <kith@localhost>\"\n"
            ));
        }
        std::fs::write(data.join("kith.toml"), toml).unwrap();
        Server {
            dir,
            ip,
            port,
            database,
            child: None,
        }
    }

    pub(crate) fn authority(&self) -> String {
        format!("{}:{}", self.ip, self.port)
    }

    pub(crate) fn handle(&self, user: &str) -> String {
        format!("{user}@{}", self.authority())
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn command(&self, user: Option<&str>, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_kith"));
        c.arg("--data-dir").arg(self.data());
        if let Some(u) = user {
            c.args(["--user", u]);
        }
        c.args(args)
            .env_remove("KITH_DATABASE_URL")
            .env_remove("KITH_USER")
            .env("KITH_REGION", "US");
        c
    }

    fn run(&self, user: &str, args: &[&str]) -> Output {
        self.command(Some(user), args).output().unwrap()
    }

    pub(crate) fn ok(&self, user: &str, args: &[&str]) -> String {
        let out = self.run(user, args);
        assert!(
            out.status.success(),
            "{user}@{}: kith {args:?} failed: {}{}",
            self.ip,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    pub(crate) fn fails(&self, user: &str, args: &[&str]) -> String {
        let out = self.run(user, args);
        assert!(
            !out.status.success(),
            "kith {args:?} should fail: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stderr).unwrap()
    }

    pub(crate) fn json(&self, user: &str, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(user, args)).unwrap()
    }

    pub(crate) fn add_user(&self, name: &str) {
        let mut child = self
            .command(None, &["user", "add", name, "--password-stdin"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{PASSWORD}\n").as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    pub(crate) fn start(&mut self) {
        let log = std::fs::File::create(self.dir.path().join("serve.log")).unwrap();
        let child = self
            .command(None, &["serve", "--listen", &self.authority()])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        self.child = Some(child);
        wait_for("the server to answer", || {
            http(&self.authority(), "GET", "/healthz", &[], b"").0 == 200
        });
    }

    pub(crate) fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("serve.log")).unwrap_or_default()
    }

    /// Everything on disk (the SQLite database and its WAL), to look for a
    /// value that must not be there.
    fn disk_holds(&self, needle: &str) -> bool {
        let mut found = false;
        for e in std::fs::read_dir(self.data()).unwrap().flatten() {
            if let Ok(bytes) = std::fs::read(e.path()) {
                found |= bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
            }
        }
        found
    }

    fn store_url(&self) -> String {
        self.database
            .clone()
            .unwrap_or_else(|| self.data().join("kith.db").display().to_string())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Polls `ok` for up to 30 s.
pub(crate) fn wait_for(what: &str, mut ok: impl FnMut() -> bool) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(30) {
        if ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("waited 30 s for {what}");
}

/// One HTTP/1.1 request: the status and body (status 0: no answer).
pub(crate) fn http(
    authority: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, String) {
    let Ok(mut s) = TcpStream::connect(authority) else {
        return (0, String::new());
    };
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    if s.write_all(head.as_bytes()).is_err() || s.write_all(body).is_err() {
        return (0, String::new());
    }
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer).to_string();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

fn connection_status(s: &Server, user: &str, other: &str) -> Option<String> {
    s.json(user, &["connect", "list", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == other)
        .map(|c| c["status"].as_str().unwrap().to_string())
}

fn book(s: &Server, user: &str) -> String {
    s.ok(user, &["export", "json"])
}

/// The three servers, each with one member, all connected to ada.
pub(crate) struct Three {
    pub(crate) a: Server,
    pub(crate) b: Server,
    pub(crate) c: Server,
    _databases: Vec<(String, kith_store::testing::TestDatabase)>,
}

pub(crate) fn three_connected() -> Three {
    three_connected_with_mail(None)
}

/// As [`three_connected`], B's mail going to `smtp_port`.
pub(crate) fn three_connected_with_mail(smtp_port: Option<u16>) -> Three {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut databases = runtime.block_on(kith_store::testing::empty_databases());
    // The third server on PostgreSQL when the tests have one.
    let pg = (databases.len() > 1).then(|| databases[1].0.clone());
    databases.truncate(2);
    let mut a = Server::new("127.0.0.2", None);
    let mut b = Server::with_mail("127.0.0.3", None, smtp_port);
    let mut c = Server::new("127.0.0.4", pg);
    for (s, u) in [(&a, "ada"), (&b, "bob"), (&c, "cyd")] {
        s.add_user(u);
    }
    a.start();
    b.start();
    c.start();
    let (bob, cyd, ada) = (b.handle("bob"), c.handle("cyd"), a.handle("ada"));
    a.ok("ada", &["card", "set", "name", "Ada Lovelace"]);
    a.ok(
        "ada",
        &[
            "card",
            "set",
            "title",
            "Engineer",
            "--visibility",
            "connections",
        ],
    );
    a.ok(
        "ada",
        &[
            "card",
            "set",
            "organization",
            "Analytical Engines",
            "--visibility",
            "connections",
        ],
    );
    a.ok(
        "ada",
        &[
            "card",
            "set",
            "phone",
            "+1 415 555 0199",
            "--visibility",
            "private",
        ],
    );
    a.ok(
        "ada",
        &[
            "card",
            "set",
            "headline",
            "Numbers and engines",
            "--visibility",
            "public",
        ],
    );
    b.ok("bob", &["card", "set", "name", "Bob Babbage"]);
    b.ok("bob", &["card", "set", "email", "bob@babbage.example"]);
    c.ok("cyd", &["card", "set", "name", "Cyd Charisse"]);
    assert_eq!(
        a.ok("ada", &["connect", "invite", &bob]).trim(),
        format!("invited {bob}")
    );
    a.ok("ada", &["connect", "invite", &cyd]);
    wait_for("bob to see ada's invitation", || {
        connection_status(&b, "bob", &ada).as_deref() == Some("invited_you")
    });
    wait_for("cyd to see ada's invitation", || {
        connection_status(&c, "cyd", &ada).as_deref() == Some("invited_you")
    });
    b.ok("bob", &["connect", "accept", &ada]);
    c.ok("cyd", &["connect", "accept", &ada]);
    for (s, u) in [(&b, "bob"), (&c, "cyd")] {
        wait_for("ada's card in a connection's book", || {
            book(s, u).contains("Engineer")
        });
    }
    wait_for("ada to hold bob's card", || {
        book(&a, "ada").contains("Bob Babbage")
    });
    assert_eq!(
        connection_status(&a, "ada", &bob).as_deref(),
        Some("connected")
    );
    Three {
        a,
        b,
        c,
        _databases: databases,
    }
}

#[test]
fn members_of_three_servers_connect_and_cards_follow() {
    let mut t = three_connected();
    let (a, b) = (&t.a, &t.b);
    let (ada, bob) = (a.handle("ada"), b.handle("bob"));

    // WebFinger and the actor: the public card only.
    let (status, wf) = http(
        &a.authority(),
        "GET",
        &format!("/.well-known/webfinger?resource=acct:{ada}"),
        &[],
        b"",
    );
    assert_eq!(status, 200, "{wf}");
    let wf: Value = serde_json::from_str(&wf).unwrap();
    let actor_url = wf["links"][0]["href"].as_str().unwrap().to_string();
    let (status, actor) = http(&a.authority(), "GET", "/fed/ada", &[], b"");
    assert_eq!(status, 200);
    let actor: Value = serde_json::from_str(&actor).unwrap();
    assert_eq!(actor["id"], actor_url);
    assert_eq!(actor["name"], "Ada Lovelace");
    assert_eq!(actor["summary"], "Numbers and engines");
    assert!(
        !actor.to_string().contains("Engineer"),
        "connections-only fields stay off the actor: {actor}"
    );

    // What connections share arrived; the private phone never left A.
    let bobs = book(b, "bob");
    assert!(bobs.contains("Analytical Engines"), "{bobs}");
    assert!(!bobs.contains("555 0199"));
    assert!(
        !b.disk_holds("555 0199"),
        "the private phone reached B's disk"
    );
    assert!(!t.c.disk_holds("555 0199") || t.c.database.is_some());
    assert!(!book(&t.c, "cyd").contains("555 0199"));

    // bob keeps a note of his own on ada's card; a change of her card
    // reaches both servers' books, the feed and CardDAV, the note stays.
    let dav = b
        .ok("bob", &["token", "create", "--dav"])
        .trim()
        .to_string();
    let auth = format!("Basic {}", base64_encode(format!("bob:{dav}").as_bytes()));
    let sync = |token: &str| {
        let body = format!(
            "<?xml version=\"1.0\"?><D:sync-collection xmlns:D=\"DAV:\"><D:sync-token>{token}</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>"
        );
        http(
            &b.authority(),
            "REPORT",
            "/dav/bob/contacts/",
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/xml"),
                ("Depth", "1"),
            ],
            body.as_bytes(),
        )
    };
    let (status, first) = sync("");
    assert_eq!(status, 207, "{first}");
    let token = first
        .split("<D:sync-token>")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .or_else(|| {
            first
                .split("sync-token>")
                .nth(1)
                .and_then(|s| s.split('<').next())
        })
        .unwrap_or_else(|| panic!("no sync token in {first}"))
        .to_string();
    a.ok("ada", &["card", "set", "title", "CTO"]);
    for (s, u) in [(&t.b, "bob"), (&t.c, "cyd")] {
        wait_for("the new title in a connection's book", || {
            book(s, u).contains("CTO")
        });
    }
    let changes = b.ok("bob", &["changes"]);
    assert!(changes.contains("CTO"), "{changes}");
    let (status, delta) = sync(&token);
    assert_eq!(status, 207, "{delta}");
    assert!(
        delta.contains(".vcf"),
        "the changed card is in the CardDAV delta: {delta}"
    );

    // A server down while changes happen gets them, in order, when back.
    t.c.stop();
    a.ok("ada", &["card", "set", "title", "Chief Engineer"]);
    a.ok(
        "ada",
        &["card", "set", "organization", "Difference Engines"],
    );
    wait_for("B to get the changes", || {
        book(&t.b, "bob").contains("Difference Engines")
    });
    std::thread::sleep(Duration::from_secs(2));
    let waiting = a.json("ada", &["federation", "status", "--json"]);
    assert!(waiting["waiting"].as_i64().unwrap() >= 1, "{waiting}");
    t.c.start();
    wait_for("C to get its backlog", || {
        let cyds = book(&t.c, "cyd");
        cyds.contains("Difference Engines") && cyds.contains("Chief Engineer")
    });
    let cyd_changes = t.c.ok("cyd", &["changes"]);
    assert!(cyd_changes.contains("Chief Engineer"), "{cyd_changes}");
    wait_for("the outbox to empty", || {
        a.json("ada", &["federation", "status", "--json"])["waiting"] == 0
    });

    // Forged: ada's keyId, a signature that is not hers.
    let inbox = "/fed/bob/inbox";
    let forged = json!({"@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{actor_url}/activities/forged"), "type": "Update", "actor": actor_url,
        "object": {"type": "KithCard", "seq": i64::MAX, "fields": [{"field": "title", "value": "Forged"}]}})
    .to_string();
    let sig = format!(
        "keyId=\"{actor_url}#key-1\",algorithm=\"rsa-sha256\",headers=\"(request-target) host date digest\",signature=\"{}\"",
        base64_encode(&[7u8; 256])
    );
    let date = httpdate_now();
    let (status, said) = http(
        &b.authority(),
        "POST",
        inbox,
        &[
            ("Signature", &sig),
            ("Date", &date),
            ("Digest", "SHA-256=AAAA"),
            ("Content-Type", "application/activity+json"),
        ],
        forged.as_bytes(),
    );
    assert_eq!(status, 401, "{said}");
    let (status, _) = http(&b.authority(), "POST", inbox, &[], forged.as_bytes());
    assert_eq!(status, 401, "unsigned");

    // Replayed: a delivery signed with ada's real key is applied once;
    // the same request again changes nothing; an old one is refused.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let deliver = |activity: &str, when: std::time::SystemTime| {
        let headers = runtime.block_on(async {
            let store = kith_app::types::Store::open(&a.store_url()).await.unwrap();
            let account = store.account("ada").await.unwrap().unwrap().id;
            let config = kith_app::federation::FederationConfig {
                public_url: Some(url::Url::parse(&format!("http://{}", a.authority())).unwrap()),
                ..Default::default()
            };
            let url = url::Url::parse(&format!("http://{}{inbox}", b.authority())).unwrap();
            let h = kith_app::federation::signed_headers(
                &store,
                &config,
                account,
                &url,
                activity.as_bytes(),
                when,
            )
            .await
            .unwrap();
            store.close().await;
            h
        });
        let mut hs: Vec<(&str, &str)> = headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        hs.push(("Content-Type", "application/activity+json"));
        http(&b.authority(), "POST", inbox, &hs, activity.as_bytes())
    };
    // Numbered as a card sent now (a later card must still win).
    let seq = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_micros() as i64;
    let genuine = json!({"@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{actor_url}/activities/replayed"), "type": "Update", "actor": actor_url,
        "object": {"type": "KithCard", "seq": seq, "fields": [
            {"field": "name", "value": "Ada Lovelace"}, {"field": "title", "value": "Countess"},
            {"field": "organization", "value": "Difference Engines"}]}})
    .to_string();
    let now = std::time::SystemTime::now();
    let (status, said) = deliver(&genuine, now);
    assert_eq!(status, 202, "{said}");
    assert!(book(b, "bob").contains("Countess"));
    let (status, said) = deliver(&genuine, now);
    assert_eq!(status, 202, "{said}");
    assert!(said.contains("already received"), "{said}");
    let late = genuine.replace("replayed", "late");
    let (status, said) = deliver(&late, now - Duration::from_secs(3 * 3600));
    assert_eq!(status, 401, "{said}");
    assert!(said.contains("too far from now"), "{said}");
    // A body that is not the one signed.
    let headers_for_other = deliver(&genuine.replace("replayed", "other"), now);
    assert_eq!(headers_for_other.0, 202);

    // A new key (a new key id): the next change still reaches bob.
    let said = a.ok("ada", &["federation", "rotate-key"]);
    assert!(said.contains("#key-2"), "{said}");
    a.ok("ada", &["card", "set", "title", "Countess of Lovelace"]);
    wait_for("a change signed with the new key", || {
        book(b, "bob").contains("Countess of Lovelace")
    });

    // cyd blocks A's server: the connection ends on both sides, and
    // nothing of ada's reaches C any more.
    t.c.ok("cyd", &["federation", "block", &a.authority()]);
    wait_for("ada to see cyd's block end the connection", || {
        connection_status(a, "ada", &t.c.handle("cyd")).is_none()
    });
    assert_eq!(
        t.c.ok("cyd", &["federation", "blocks"]).trim(),
        a.authority()
    );

    // Bad input says what is wrong.
    let said = a.fails("ada", &["connect", "invite", &b.handle("nobody")]);
    assert!(said.contains("no member called nobody"), "{said}");
    let said = a.fails("ada", &["follow", "not a handle"]);
    assert!(said.contains("not a handle of another server"), "{said}");
    let said = a.fails("ada", &["connect", "invite", &bob]);
    assert!(said.contains("already connected"), "{said}");

    // Removal stops updates both ways.
    b.ok("bob", &["connect", "remove", &ada]);
    wait_for("ada to see the connection end", || {
        connection_status(a, "ada", &bob).is_none()
    });
    a.ok("ada", &["card", "set", "title", "Retired"]);
    b.ok("bob", &["card", "set", "title", "Analyst"]);
    wait_for("the outboxes to empty", || {
        a.json("ada", &["federation", "status", "--json"])["waiting"] == 0
            && b.json("bob", &["federation", "status", "--json"])["waiting"] == 0
    });
    std::thread::sleep(Duration::from_secs(1));
    assert!(!book(b, "bob").contains("Retired"));
    assert!(!book(a, "ada").contains("Analyst"));
    assert!(
        !book(&t.c, "cyd").contains("Retired"),
        "a blocked server's change was taken"
    );
    assert!(!a.log().contains("panicked"), "{}", a.log());
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn httpdate_now() -> String {
    httpdate::fmt_http_date(std::time::SystemTime::now())
}

#[test]
fn warm_paths_cross_servers_under_the_connections_sharing_rules() {
    let sink = kith_app::testing::SmtpSink::start();
    let mut t = three_connected_with_mail(sink.as_ref().map(|s| s.port));
    let (a, b) = (&t.a, &t.b);
    let bob = b.handle("bob");
    let cards = b.dir.path().join("navy.vcf");
    std::fs::write(
        &cards,
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Grace Hopper\r\nN:Hopper;Grace;;;\r\nORG:Navy Labs\r\nTITLE:Admiral\r\nEMAIL:grace@navy.example\r\nEND:VCARD\r\n",
    )
    .unwrap();
    b.ok("bob", &["import", cards.to_str().unwrap()]);
    b.ok("bob", &["log", "grace@navy.example", "--kind", "meeting"]);
    a.ok("ada", &["log", "bob@babbage.example", "--kind", "coffee"]);
    let path = |who: &str| -> Value { a.json("ada", &["path", "--to", who, "--json"]) };
    let names = |p: &Value| -> Vec<String> {
        p[0]["people"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["name"].as_str().unwrap().to_string())
            .collect()
    };

    // bob shares by role (the default): ada learns "someone at Navy Labs".
    let p = path("grace@navy.example");
    assert_eq!(
        names(&p)[1..],
        ["Bob Babbage", "someone at Navy Labs (Admiral)"],
        "{p}"
    );
    assert_eq!(p[0]["people"][1]["member"], bob);
    assert!(!p.to_string().contains("Grace"), "{p}");

    // By name: she is named.
    b.ok("bob", &["sharing", "name"]);
    let p = path("grace@navy.example");
    assert_eq!(names(&p)[1..], ["Bob Babbage", "Grace Hopper"], "{p}");
    let s = p[0]["strength"].as_f64().unwrap();
    assert!(s > 0.0 && s < 1.0, "{p}");
    let who: Value = a.json("ada", &["who-at", "Navy Labs", "--json"]);
    let grace = who
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["person"]["name"] == "Grace Hopper")
        .unwrap_or_else(|| panic!("{who}"));
    assert_eq!(grace["via"], json!(["Bob Babbage"]));
    assert_eq!(grace["ask_via"], bob);

    // Two connections on one server are asked in one query: bea, also on
    // B, knows Hedy at Navy Labs.
    b.add_user("bea");
    b.ok("bea", &["card", "set", "name", "Bea Byron"]);
    b.ok("bea", &["card", "set", "email", "bea@byron.example"]);
    let hedy = b.dir.path().join("hedy.vcf");
    std::fs::write(
        &hedy,
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Hedy Lamarr\r\nORG:Navy Labs\r\nTITLE:Inventor\r\nEMAIL:hedy@navy.example\r\nEND:VCARD\r\n",
    )
    .unwrap();
    b.ok("bea", &["import", hedy.to_str().unwrap()]);
    b.ok("bea", &["log", "hedy@navy.example", "--kind", "meeting"]);
    b.ok("bea", &["sharing", "name"]);
    a.ok("ada", &["connect", "invite", &b.handle("bea")]);
    wait_for("bea to be invited", || {
        connection_status(b, "bea", &a.handle("ada")).as_deref() == Some("invited_you")
    });
    b.ok("bea", &["connect", "accept", &a.handle("ada")]);
    wait_for("bea's card in ada's book", || {
        book(a, "ada").contains("Bea Byron")
    });
    a.ok("ada", &["log", "bea@byron.example", "--kind", "coffee"]);
    let queries = || t.b.log().matches("route=/fed/{name}/query").count();
    let before = queries();
    let who: Value = a.json("ada", &["who-at", "Navy Labs", "--json"]);
    let names: Vec<&str> = who
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["person"]["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"Grace Hopper") && names.contains(&"Hedy Lamarr"),
        "{who}"
    );
    assert_eq!(
        queries() - before,
        1,
        "one query to B for both connections there"
    );

    // Nothing: no path, and no trace of her.
    b.ok("bob", &["sharing", "nothing"]);
    let said = a.fails("ada", &["path", "--to", "grace@navy.example"]);
    assert!(said.contains("nobody you can reach"), "{said}");
    let who = a.ok("ada", &["who-at", "Navy Labs", "--json"]);
    assert!(!who.contains("Navy") && !who.contains("Grace"), "{who}");

    // Introductions across servers, double opt-in: ada asks bob; bob
    // declines, then accepts a second request; grace says yes.
    b.ok("bob", &["sharing", "name"]);
    let intro_of = |s: &Server, u: &str| -> Value {
        s.json(u, &["intro", "list", "--json"])
            .as_array()
            .unwrap()
            .first()
            .cloned()
            .unwrap_or(Value::Null)
    };
    let ask = || {
        a.ok(
            "ada",
            &[
                "intro",
                "ask",
                "--to",
                "grace@navy.example",
                "--via",
                &bob,
                "--message",
                "We both build engines",
            ],
        )
    };
    ask();
    wait_for("bob to be asked", || {
        intro_of(b, "bob")["status"] == "asked"
    });
    let asked = intro_of(b, "bob");
    assert_eq!(asked["role"], "broker", "{asked}");
    assert_eq!(asked["requester"], a.handle("ada"), "{asked}");
    assert_eq!(asked["person"], "Grace Hopper", "{asked}");
    assert_eq!(asked["message"], "We both build engines", "{asked}");
    let mine = intro_of(a, "ada");
    assert_eq!(
        (mine["role"].as_str(), mine["broker"].as_str()),
        (Some("requester"), Some(bob.as_str())),
        "{mine}"
    );
    b.ok("bob", &["intro", "decline", asked["id"].as_str().unwrap()]);
    wait_for("ada to see the decline", || {
        intro_of(a, "ada")["status"] == "declined"
    });
    if let Some(sink) = &sink {
        ask();
        wait_for("bob to be asked again", || {
            intro_of(b, "bob")["status"] == "asked"
        });
        let asked = intro_of(b, "bob");
        b.ok("bob", &["intro", "accept", asked["id"].as_str().unwrap()]);
        wait_for("ada to see bob accept", || {
            intro_of(a, "ada")["status"] == "accepted"
        });
        let mails = sink.messages();
        let question = mails
            .iter()
            .find(|m| m.contains("grace@navy.example"))
            .unwrap_or_else(|| panic!("no mail to grace: {mails:?}"))
            .replace("=\r\n", "")
            .replace("=\n", "")
            .replace("=3D", "=");
        let secret = question
            .split("/introductions/answer/")
            .nth(1)
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap()
            .trim_end_matches('"')
            .to_string();
        let (status, _) = http(
            &b.authority(),
            "POST",
            &format!("/introductions/answer/{secret}"),
            &[("Content-Type", "application/x-www-form-urlencoded")],
            b"answer=yes",
        );
        assert_eq!(status, 200);
        wait_for("ada to be introduced", || {
            intro_of(a, "ada")["status"] == "introduced"
        });
        let book_a = book(a, "ada");
        assert!(
            book_a.contains("grace@navy.example"),
            "grace is in ada's book now"
        );
        let favours = a.ok("ada", &["favours", "list"]);
        assert!(
            favours.contains("introduced you to Grace Hopper"),
            "{favours}"
        );
    }

    // A server that does not answer costs a bounded wait and is reported.
    t.c.stop();
    let started = Instant::now();
    let out =
        t.a.run("ada", &["path", "--to", "grace@navy.example", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("1 connection's server did not answer"),
        "{err}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Grace Hopper"));

    // The query is answered only to a connection.
    let (status, _) = http(&t.b.authority(), "POST", "/fed/bob/query", &[], b"{}");
    assert_eq!(status, 401);
}

/// bovine-herd (an independent ActivityPub server from PyPI) on 127.0.0.5,
/// started by tests/fediverse/start.sh; stopped when dropped.
struct Bovine {
    dir: tempfile::TempDir,
    python: String,
    domain: String,
    secret: String,
}

impl Bovine {
    fn start(python: &str) -> Bovine {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port("127.0.0.5");
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/fediverse/start.sh"
        );
        let out = Command::new("bash")
            .args([
                script,
                python,
                dir.path().to_str().unwrap(),
                "127.0.0.5",
                &port.to_string(),
            ])
            .stderr(Stdio::inherit())
            .output()
            .unwrap();
        assert!(out.status.success(), "bovine-herd did not start");
        let secret = String::from_utf8(out.stdout)
            .unwrap()
            .trim()
            .lines()
            .last()
            .unwrap()
            .to_string();
        Bovine {
            dir,
            python: python.into(),
            domain: format!("http://127.0.0.5:{port}"),
            secret,
        }
    }

    fn handle(&self) -> String {
        format!("alice@{}", self.domain.trim_start_matches("http://"))
    }

    /// Runs the driver (tests/fediverse/driver.py) as alice.
    fn drive(&self, args: &[&str]) -> String {
        let driver = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/fediverse/driver.py"
        );
        let out = Command::new(&self.python)
            .args([driver, &self.domain, &self.secret])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "driver {args:?}: {}\nbovine's log:\n{}",
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(self.dir.path().join("log")).unwrap_or_default()
        );
        String::from_utf8(out.stdout).unwrap()
    }
}

impl Drop for Bovine {
    fn drop(&mut self) {
        if let Ok(pid) = std::fs::read_to_string(self.dir.path().join("pid")) {
            let _ = Command::new("kill").arg(pid.trim()).status();
        }
    }
}

#[test]
fn an_independent_activitypub_server_follows_and_is_followed() {
    let Ok(python) = std::env::var("KITH_FEDIVERSE_PYTHON") else {
        eprintln!(
            "skipped: set KITH_FEDIVERSE_PYTHON to a Python with bovine-herd (scripts/test.sh does)"
        );
        return;
    };
    let bovine = Bovine::start(&python);
    let mut a = Server::new("127.0.0.2", None);
    a.add_user("ada");
    a.start();
    a.ok("ada", &["card", "set", "name", "Ada Lovelace"]);
    a.ok(
        "ada",
        &["card", "set", "title", "Engineer", "--visibility", "public"],
    );
    a.ok(
        "ada",
        &[
            "card",
            "set",
            "phone",
            "+1 415 555 0199",
            "--visibility",
            "connections",
        ],
    );

    // bovine finds ada by WebFinger and follows her; kith accepts.
    let actor = bovine.drive(&["follow", &a.handle("ada")]);
    assert_eq!(actor.trim(), format!("http://{}/fed/ada", a.authority()));
    wait_for("alice to follow ada", || {
        a.ok("ada", &["follows"]).contains("follower")
    });
    // A card change reaches her as a profile Update: public fields only.
    a.ok(
        "ada",
        &["card", "set", "name", "Ada King", "--visibility", "public"],
    );
    let update = bovine.drive(&["wait-in-inbox", "Ada King"]);
    assert!(update.contains("Engineer"), "{update}");
    assert!(
        !update.contains("555 0199"),
        "a connections-only field reached a follower: {update}"
    );

    // ada follows alice; alice accepts; her profile becomes a person who
    // follows it.
    let said = a.ok("ada", &["follow", &bovine.handle()]);
    assert!(said.contains("asked to follow"), "{said}");
    bovine.drive(&["accept-follows"]);
    wait_for("ada to follow alice", || {
        a.ok("ada", &["follows"]).contains("following")
    });
    wait_for("alice in ada's book", || {
        a.ok("ada", &["people", "list"]).contains("alice")
    });
    bovine.drive(&["rename", "Alice Liddell"]);
    wait_for("alice's new name in ada's book", || {
        a.ok("ada", &["people", "list"]).contains("Alice Liddell")
    });
    assert!(!a.log().contains("panicked"));
}
