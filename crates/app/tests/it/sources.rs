//! Living sources against real servers the test starts on loopback:
//! Dovecot (IMAP, `tests/dovecot/start.sh`; set `KITH_DOVECOT=1`, as
//! scripts/test.sh does) and Radicale (CalDAV and CardDAV, from the test
//! venv, `KITH_PYTHON`). Each test runs on both engines.

use kith_app::sources::{AddressPolicy, KeySource, NewSource, SourceKind, SourcesConfig};
use kith_app::{App, AppError, Settings};
use kith_core::identity::Region;
use kith_store::PeopleFilter;
use kith_store::Store;
use kith_store::testing::stores;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// An app whose sources may reach loopback servers, with its own key.
pub(crate) async fn source_app(store: &Store, name: &str) -> App {
    source_app_with(store, name, true).await
}

/// An app with its own sources key, reaching private addresses or not.
pub(crate) async fn source_app_with(store: &Store, name: &str, allow_private: bool) -> App {
    let account = store.default_account(name).await.expect("account");
    App::new(store.clone(), account.id, source_settings(allow_private))
}

/// Settings whose sources have a key of their own.
fn source_settings(allow_private: bool) -> Settings {
    Settings {
        default_region: Region::US,
        region_is_explicit: false,
        strength: Default::default(),
        card_emails_per_day: 3,
        federation: Default::default(),
        sources: Arc::new(SourcesConfig {
            // 32 bytes of 7, in base64.
            key: KeySource::Given("BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=".into()),
            policy: AddressPolicy {
                allow_private,
                ..Default::default()
            },
            every: std::time::Duration::from_secs(900),
        }),
    }
}

/// A free loopback port.
pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A Dovecot of its own, stopped when dropped.
struct Dovecot {
    dir: tempfile::TempDir,
    port: u16,
    login: String,
}

impl Dovecot {
    /// None (and a note) when `KITH_DOVECOT` is not set.
    fn start(login: &str, password: &str) -> Option<Dovecot> {
        if std::env::var_os("KITH_DOVECOT").is_none() {
            eprintln!("KITH_DOVECOT is not set: the IMAP tests against Dovecot are skipped");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let status = std::process::Command::new("bash")
            .arg(repo().join("tests/dovecot/start.sh"))
            .arg(dir.path())
            .arg(port.to_string())
            .arg(login)
            .arg(password)
            .status()
            .expect("run tests/dovecot/start.sh");
        assert!(status.success(), "Dovecot did not start");
        Some(Dovecot {
            dir,
            port,
            login: login.into(),
        })
    }

    fn maildir(&self, folder: &str) -> PathBuf {
        let root = self
            .dir
            .path()
            .join("mail")
            .join(&self.login)
            .join("Maildir");
        if folder == "INBOX" {
            root
        } else {
            root.join(format!(".{folder}"))
        }
    }

    /// Delivers a message (unseen) into a folder.
    fn deliver(&self, folder: &str, name: &str, text: &str) {
        let path = self.maildir(folder).join("new").join(name);
        std::fs::write(&path, text.replace('\n', "\r\n")).unwrap();
    }

    /// Every message file's flags (the part after `:2,`) in a folder.
    fn flags(&self, folder: &str) -> Vec<String> {
        let mut out = Vec::new();
        for sub in ["new", "cur"] {
            for e in std::fs::read_dir(self.maildir(folder).join(sub)).unwrap() {
                let name = e.unwrap().file_name().to_string_lossy().into_owned();
                out.push(
                    name.split_once(":2,")
                        .map(|(_, f)| f.to_string())
                        .unwrap_or_default(),
                );
            }
        }
        out
    }

    /// Makes Dovecot number the folder anew (a new UIDVALIDITY).
    fn reset_uids(&self, folder: &str) {
        for e in std::fs::read_dir(self.maildir(folder)).unwrap() {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            if name == "dovecot-uidlist" || name.starts_with("dovecot.index") {
                std::fs::remove_file(e.path()).unwrap();
            }
        }
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        let _ = std::process::Command::new("bash")
            .arg(repo().join("tests/dovecot/stop.sh"))
            .arg(self.dir.path())
            .status();
    }
}

/// One message; its body says a secret no store may hold.
fn message(from: &str, to: &str, extra: &str, id: &str, day: u32) -> String {
    format!(
        "From: {from}\nTo: {to}\n{extra}Subject: day {day}\nDate: Mon, {day:02} Nov 2026 10:00:00 +0000\nMessage-ID: <{id}>\nReceived: from relay.example by mx.example; Mon, {day:02} Nov 2026 10:00:01 +0000\n\nSECRET-BODY-{id}\n"
    )
}

const ME: &str = "Me <me@home.example>";
const GRACE: &str = "Grace Hopper <grace@navy.example>";
const ALAN: &str = "Alan Turing <alan@bletchley.example>";

fn names(list: &[kith_app::PersonView]) -> Vec<String> {
    let mut v: Vec<String> = list.iter().map(|p| p.name.clone()).collect();
    v.sort();
    v
}

#[tokio::test]
async fn an_imap_mailbox_keeps_interactions_current() {
    for (store, guard) in stores().await {
        let Some(dovecot) = Dovecot::start("me", "app-password-1") else {
            return;
        };
        // INBOX: Grace and Alan write; a stranger, a list and a robot too.
        dovecot.deliver("INBOX", "m1", &message(GRACE, ME, "", "g1@navy", 2));
        dovecot.deliver("INBOX", "m2", &message(ALAN, ME, "", "a1@bletchley", 3));
        dovecot.deliver(
            "INBOX",
            "m3",
            &message("Stranger <s@spam.example>", ME, "", "s1@spam", 4),
        );
        dovecot.deliver(
            "INBOX",
            "m4",
            &message(GRACE, ME, "List-Id: <cobol.lists.example>\n", "l1@list", 5),
        );
        dovecot.deliver(
            "INBOX",
            "m5",
            &message("Shop <no-reply@shop.example>", ME, "", "n1@shop", 6),
        );
        // Sent: the owner writes to Grace (cc Alan); the same message also
        // sits in INBOX (a copy to self): it counts once.
        let to_grace = message(ME, GRACE, &format!("Cc: {ALAN}\n"), "me1@home", 7);
        dovecot.deliver("Sent", "s1", &to_grace);
        dovecot.deliver("INBOX", "m6", &to_grace);
        // One message the owner already imported from a file: counts once.
        let earlier = message(ME, GRACE, "", "me0@home", 1);
        dovecot.deliver("Sent", "s0", &earlier);
        let app = source_app(&store, "mailer").await;
        app.add_my_email("me@home.example").await.unwrap();
        let files = tempfile::tempdir().unwrap();
        let mbox = files.path().join("takeout.mbox");
        std::fs::write(
            &mbox,
            format!("From me@home.example Mon Nov  1 10:00:00 2026\n{earlier}\n"),
        )
        .unwrap();
        let imported = app
            .import_mail(&mbox, &Default::default(), &kith_app::import::NoProgress)
            .await
            .unwrap();
        assert_eq!(imported.interactions, 1);

        let source = app
            .add_source(NewSource {
                kind: Some(SourceKind::Imap),
                url: format!("imap://127.0.0.1:{}", dovecot.port),
                login: Some("me".into()),
                password: Some("app-password-1".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        // The password is sealed, never stored as given.
        let row = store.source(app.account, source.id).await.unwrap().unwrap();
        assert!(!row.secret.as_deref().unwrap().contains("app-password-1"));

        let first = app.sync_source(source.id, "test").await.unwrap();
        // Messages: 6 in INBOX, 2 in Sent; the copy and the imported one count once.
        assert_eq!(first.read, 8, "{first:?}");
        assert_eq!(first.interactions, 3, "g1, a1, me1: {first:?}");
        let people = app.list_people(&PeopleFilter::default()).await.unwrap();
        assert_eq!(
            names(&people),
            ["Alan Turing", "Grace Hopper"],
            "exactly the people written to"
        );
        let grace = app.interactions("grace@navy.example", 10).await.unwrap();
        assert_eq!(grace.len(), 3, "me0 (file), g1, me1");
        assert!(
            grace.iter().all(|i| i.note.is_none()),
            "no subject kept by default"
        );
        // Nothing was marked read.
        for folder in ["INBOX", "Sent"] {
            assert!(
                dovecot.flags(folder).iter().all(|f| !f.contains('S')),
                "{folder}: {:?}",
                dovecot.flags(folder)
            );
        }
        // No body reached the store.
        if guard.postgres_url().is_none() {
            let path = PathBuf::from(guard.url());
            let mut bytes = std::fs::read(&path).unwrap();
            bytes.extend(std::fs::read(path.with_extension("db-wal")).unwrap_or_default());
            assert!(
                !bytes.windows(11).any(|w| w == b"SECRET-BODY"),
                "a body in the database"
            );
        }
        let view = app.source(source.id).await.unwrap();
        assert_eq!(view.state, "ok");
        assert!(view.last_report.is_some());

        // Nothing new: nothing written.
        let again = app.sync_source(source.id, "test").await.unwrap();
        assert!(again.unchanged && again.read == 0, "{again:?}");

        // A new message: one new interaction.
        dovecot.deliver("INBOX", "m7", &message(ALAN, ME, "", "a2@bletchley", 8));
        let next = app.sync_source(source.id, "test").await.unwrap();
        assert_eq!((next.read, next.interactions), (1, 1), "{next:?}");
        assert_eq!(
            app.interactions("alan@bletchley.example", 10)
                .await
                .unwrap()
                .len(),
            3
        );

        // The server numbers INBOX anew: read again, nothing counted twice,
        // the new message counted.
        dovecot.reset_uids("INBOX");
        dovecot.deliver("INBOX", "m8", &message(GRACE, ME, "", "g2@navy", 9));
        let renumbered = app.sync_source(source.id, "test").await.unwrap();
        assert_eq!(renumbered.read, 8, "INBOX read again: {renumbered:?}");
        assert_eq!(renumbered.interactions, 1, "{renumbered:?}");

        // A wrong password is reported, on the source too.
        app.set_source_password(source.id, "wrong").await.unwrap();
        let failed = app.sync_source(source.id, "test").await;
        match failed {
            Err(AppError::Source(m)) => assert!(m.contains("refused the login"), "{m}"),
            other => panic!("a wrong password gave {other:?}"),
        }
        let view = app.source(source.id).await.unwrap();
        assert_eq!((view.state.as_str(), view.failures), ("failing", 1));
        assert!(view.error.unwrap().contains("refused the login"));
        // Another account cannot see or sync it.
        let other = source_app(&store, "other").await;
        assert!(other.sources().await.unwrap().is_empty());
        assert!(matches!(
            other.sync_source(source.id, "test").await,
            Err(AppError::NotFound(_))
        ));
        app.remove_source(source.id).await.unwrap();
        assert!(app.sources().await.unwrap().is_empty());
        assert_eq!(
            app.list_people(&PeopleFilter::default())
                .await
                .unwrap()
                .len(),
            2,
            "what it brought stays"
        );
    }
}

#[tokio::test]
async fn a_source_that_keeps_failing_is_paused() {
    for (store, _guard) in stores().await {
        let app = source_app(&store, "pauser").await;
        app.add_my_email("me@home.example").await.unwrap();
        // Nothing listens on this port.
        let source = app
            .add_source(NewSource {
                kind: Some(SourceKind::Imap),
                url: format!("imap://127.0.0.1:{}", free_port()),
                login: Some("me".into()),
                password: Some("pw".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        let mut last = None;
        for _ in 0..8 {
            let e = app.sync_source(source.id, "test").await.unwrap_err();
            last = Some(e.to_string());
        }
        let view = app.source(source.id).await.unwrap();
        assert_eq!(view.state, "paused", "{last:?}");
        assert!(view.paused.unwrap().contains("paused after 8 failed syncs"));
        assert_eq!(view.next_sync, None);
        // Resuming makes it due at once.
        let view = app.pause_source(source.id, false).await.unwrap();
        assert_eq!((view.state.as_str(), view.failures), ("failing", 0));
        // Without a key (several servers, none configured) no password is kept.
        let keyless = crate::app_as(&store, "keyless").await;
        let new = NewSource {
            kind: Some(SourceKind::Imap),
            url: "imap://127.0.0.1:1".into(),
            login: Some("me".into()),
            password: Some("pw".into()),
            ..Default::default()
        };
        let e = keyless.add_source(new.clone()).await.unwrap_err();
        assert!(e.to_string().contains("[sources] key"), "{e}");
        // Private addresses are refused unless the operator allows them.
        let strict = source_app_with(&store, "strict", false).await;
        strict.add_my_email("me@home.example").await.unwrap();
        let source = strict.add_source(new).await.unwrap();
        let e = strict.sync_source(source.id, "test").await.unwrap_err();
        assert!(e.to_string().contains("private or loopback address"), "{e}");
    }
}

/// A Radicale of its own (CalDAV and CardDAV), stopped when dropped.
struct Radicale {
    _dir: tempfile::TempDir,
    process: std::process::Child,
    base: String,
    http: reqwest::Client,
}

impl Radicale {
    /// None (and a note) without `KITH_PYTHON` (the test venv has Radicale).
    async fn start() -> Option<Radicale> {
        let Some(python) = std::env::var_os("KITH_PYTHON") else {
            eprintln!("KITH_PYTHON is not set: the tests against Radicale are skipped");
            return None;
        };
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        std::fs::write(dir.path().join("users"), "alice:alicepw\n").unwrap();
        let config = dir.path().join("radicale.conf");
        std::fs::write(
            &config,
            format!(
                "[server]\nhosts = 127.0.0.1:{port}\n[auth]\ntype = htpasswd\nhtpasswd_filename = {}\nhtpasswd_encryption = plain\n[storage]\nfilesystem_folder = {}\n[rights]\ntype = owner_only\n[logging]\nlevel = warning\n",
                dir.path().join("users").display(),
                dir.path().join("data").display()
            ),
        )
        .unwrap();
        let process = std::process::Command::new(python)
            .args(["-m", "radicale", "--config"])
            .arg(&config)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start Radicale");
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let radicale = Radicale {
            _dir: dir,
            process,
            base: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::new(),
        };
        radicale
            .mkcol(
                "/alice/work/",
                "<c:calendar xmlns:c=\"urn:ietf:params:xml:ns:caldav\"/>",
            )
            .await;
        radicale
            .mkcol(
                "/alice/contacts/",
                "<a:addressbook xmlns:a=\"urn:ietf:params:xml:ns:carddav\"/>",
            )
            .await;
        Some(radicale)
    }

    async fn mkcol(&self, path: &str, kind: &str) {
        let body = format!(
            "<?xml version=\"1.0\"?><d:mkcol xmlns:d=\"DAV:\"><d:set><d:prop><d:resourcetype><d:collection/>{kind}</d:resourcetype></d:prop></d:set></d:mkcol>"
        );
        let r = self
            .http
            .request(
                reqwest::Method::from_bytes(b"MKCOL").unwrap(),
                format!("{}{path}", self.base),
            )
            .basic_auth("alice", Some("alicepw"))
            .body(body)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "MKCOL {path}: {}", r.status());
    }

    async fn put(&self, path: &str, content_type: &str, text: &str) {
        let r = self
            .http
            .put(format!("{}{path}", self.base))
            .basic_auth("alice", Some("alicepw"))
            .header("Content-Type", content_type)
            .body(text.replace('\n', "\r\n"))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "PUT {path}: {}", r.status());
    }

    async fn delete(&self, path: &str) {
        let r = self
            .http
            .delete(format!("{}{path}", self.base))
            .basic_auth("alice", Some("alicepw"))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "DELETE {path}: {}", r.status());
    }
}

impl Drop for Radicale {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// A calendar object: one meeting with the owner and `with`.
fn event(uid: &str, start: &str, with: &str, extra: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//kith tests//EN\nBEGIN:VEVENT\nUID:{uid}\nDTSTAMP:20261101T090000Z\nDTSTART:{start}\nDURATION:PT1H\nSUMMARY:Coffee\nORGANIZER:mailto:me@home.example\nATTENDEE;CN=Me:mailto:me@home.example\n{with}{extra}END:VEVENT\nEND:VCALENDAR\n"
    )
}

const WITH_GRACE: &str = "ATTENDEE;CN=Grace Hopper:mailto:grace@navy.example\n";

fn new_source(kind: SourceKind, url: String) -> NewSource {
    NewSource {
        kind: Some(kind),
        url,
        login: Some("alice".into()),
        password: Some("alicepw".into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_caldav_calendar_keeps_meetings_current() {
    for (store, _guard) in stores().await {
        let Some(radicale) = Radicale::start().await else {
            return;
        };
        let cal = "text/calendar; charset=utf-8";
        radicale
            .put(
                "/alice/work/m1.ics",
                cal,
                &event("m1", "20261102T100000Z", WITH_GRACE, ""),
            )
            .await;
        radicale
            .put(
                "/alice/work/future.ics",
                cal,
                &event("future", "20301102T100000Z", WITH_GRACE, ""),
            )
            .await;
        let app = source_app(&store, "meeter").await;
        app.add_my_email("me@home.example").await.unwrap();
        // The server's root: the calendars are found from the principal.
        let source = app
            .add_source(new_source(
                SourceKind::Caldav,
                format!("{}/", radicale.base),
            ))
            .await
            .unwrap();
        let first = app.sync_source(source.id, "test").await.unwrap();
        assert_eq!(
            (first.read, first.interactions, first.created),
            (2, 1, 1),
            "{first:?}"
        );
        let met = app.interactions("grace@navy.example", 10).await.unwrap();
        assert_eq!(met.len(), 1);
        assert!(met[0].at.starts_with("2026-11-02"), "{}", met[0].at);
        let again = app.sync_source(source.id, "test").await.unwrap();
        assert!(again.unchanged, "{again:?}");

        // Moved there: moved here.
        radicale
            .put(
                "/alice/work/m1.ics",
                cal,
                &event("m1", "20261103T150000Z", WITH_GRACE, ""),
            )
            .await;
        let moved = app.sync_source(source.id, "test").await.unwrap();
        assert_eq!(
            (moved.interactions, moved.interactions_changed),
            (0, 1),
            "{moved:?}"
        );
        let met = app.interactions("grace@navy.example", 10).await.unwrap();
        assert_eq!(met.len(), 1);
        assert!(met[0].at.starts_with("2026-11-03"), "{}", met[0].at);

        // Another meeting, then deleted there; m1 cancelled there.
        let with_alan = "ATTENDEE;CN=Alan Turing:mailto:alan@bletchley.example\n";
        radicale
            .put(
                "/alice/work/m2.ics",
                cal,
                &event("m2", "20261104T100000Z", with_alan, ""),
            )
            .await;
        let added = app.sync_source(source.id, "test").await.unwrap();
        assert_eq!((added.interactions, added.created), (1, 1), "{added:?}");
        radicale.delete("/alice/work/m2.ics").await;
        radicale
            .put(
                "/alice/work/m1.ics",
                cal,
                &event("m1", "20261103T150000Z", WITH_GRACE, "STATUS:CANCELLED\n"),
            )
            .await;
        let removed = app.sync_source(source.id, "test").await.unwrap();
        assert_eq!(removed.interactions_removed, 2, "{removed:?}");
        assert!(
            app.interactions("grace@navy.example", 10)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            app.interactions("alan@bletchley.example", 10)
                .await
                .unwrap()
                .is_empty()
        );
        // The people met stay.
        assert_eq!(
            app.list_people(&PeopleFilter::default())
                .await
                .unwrap()
                .len(),
            2
        );

        // The same calendar as an ICS link (Radicale serves a calendar
        // collection as one file), on another account.
        let reader = source_app(&store, "ics-reader").await;
        reader.add_my_email("me@home.example").await.unwrap();
        radicale
            .put(
                "/alice/work/m3.ics",
                cal,
                &event("m3", "20261105T100000Z", WITH_GRACE, ""),
            )
            .await;
        let link = reader
            .add_source(new_source(
                SourceKind::Ics,
                format!("{}/alice/work/", radicale.base),
            ))
            .await
            .unwrap();
        let read = reader.sync_source(link.id, "test").await.unwrap();
        assert_eq!(
            (read.interactions, read.created),
            (1, 1),
            "m3 with Grace: {read:?}"
        );
        radicale
            .put(
                "/alice/work/m3.ics",
                cal,
                &event("m3", "20261106T100000Z", WITH_GRACE, ""),
            )
            .await;
        let moved = reader.sync_source(link.id, "test").await.unwrap();
        assert_eq!(moved.interactions_changed, 1, "{moved:?}");
        let met = reader.interactions("grace@navy.example", 10).await.unwrap();
        assert_eq!(met.len(), 1);
        assert!(met[0].at.starts_with("2026-11-06"), "{}", met[0].at);
        radicale.delete("/alice/work/m3.ics").await;
        let gone = reader.sync_source(link.id, "test").await.unwrap();
        assert_eq!(gone.interactions_removed, 1, "{gone:?}");

        // A wrong password is a wrong password.
        reader.set_source_password(link.id, "nope").await.unwrap();
        let e = reader.sync_source(link.id, "test").await.unwrap_err();
        assert!(e.to_string().contains("refused the login"), "{e}");
    }
}

fn vcard(uid: &str, lines: &str) -> String {
    format!("BEGIN:VCARD\nVERSION:3.0\nUID:{uid}\n{lines}END:VCARD\n")
}

#[tokio::test]
async fn a_carddav_address_book_is_a_source_among_others() {
    for (store, _guard) in stores().await {
        let Some(radicale) = Radicale::start().await else {
            return;
        };
        let app = source_app(&store, "carder").await;
        // Grace is known from a file already.
        let files = tempfile::tempdir().unwrap();
        let local = crate::write(
            files.path(),
            "phone.vcf",
            "BEGIN:VCARD\nVERSION:3.0\nFN:Grace Hopper\nEMAIL:grace@navy.example\nTEL:+1 202 555 0100\nEND:VCARD\n",
        );
        crate::import(&app, &local).await;
        let vc = "text/vcard; charset=utf-8";
        radicale
            .put(
                "/alice/contacts/ada.vcf",
                vc,
                &vcard("ada", "FN:Ada Lovelace\nEMAIL:ada@engines.example\n"),
            )
            .await;
        radicale
            .put(
                "/alice/contacts/grace.vcf",
                vc,
                &vcard(
                    "grace",
                    "FN:Grace Hopper\nEMAIL:grace@navy.example\nURL:https://navy.example/grace\n",
                ),
            )
            .await;
        let source = app
            .add_source(new_source(
                SourceKind::Carddav,
                format!("{}/alice/contacts/", radicale.base),
            ))
            .await
            .unwrap();
        let first = app.sync_source(source.id, "test").await.unwrap();
        assert_eq!((first.read, first.created), (2, 1), "{first:?}");
        let people = app.list_people(&PeopleFilter::default()).await.unwrap();
        assert_eq!(
            names(&people),
            ["Ada Lovelace", "Grace Hopper"],
            "Grace merged by her email"
        );
        let grace = people.iter().find(|p| p.name == "Grace Hopper").unwrap();
        assert!(
            grace
                .urls
                .contains(&"https://navy.example/grace".to_string())
        );
        assert!(!grace.phones.is_empty());
        let ada_before = people.iter().find(|p| p.name == "Ada Lovelace").unwrap().id;

        // Changed there: the old values of that card go, the new ones come.
        radicale
            .put(
                "/alice/contacts/ada.vcf",
                vc,
                &vcard(
                    "ada",
                    "FN:Ada Lovelace\nEMAIL:ada@analytical.example\nTITLE:Analyst\n",
                ),
            )
            .await;
        let changed = app.sync_source(source.id, "test").await.unwrap();
        assert_eq!((changed.read, changed.created), (1, 0), "{changed:?}");
        let people = app.list_people(&PeopleFilter::default()).await.unwrap();
        assert_eq!(people.len(), 2, "{:?}", names(&people));
        let ada = people.iter().find(|p| p.name == "Ada Lovelace").unwrap();
        assert_eq!(ada.emails, ["ada@analytical.example"]);
        assert_eq!(ada.title.as_deref(), Some("Analyst"));
        assert_eq!(
            ada.id, ada_before,
            "the same person, her interactions and notes kept"
        );

        // Deleted there: Ada had nothing else (to the trash); Grace keeps
        // what the file gave, and loses what only that card gave.
        radicale.delete("/alice/contacts/ada.vcf").await;
        radicale.delete("/alice/contacts/grace.vcf").await;
        let deleted = app.sync_source(source.id, "test").await.unwrap();
        assert_eq!((deleted.trashed, deleted.updated), (1, 1), "{deleted:?}");
        let people = app.list_people(&PeopleFilter::default()).await.unwrap();
        assert_eq!(names(&people), ["Grace Hopper"]);
        assert!(people[0].urls.is_empty(), "{:?}", people[0].urls);
        assert_eq!(people[0].emails, ["grace@navy.example"]);
        assert!(!people[0].phones.is_empty());
        let again = app.sync_source(source.id, "test").await.unwrap();
        assert!(again.unchanged, "{again:?}");
    }
}

#[tokio::test]
async fn sources_run_by_themselves_one_server_at_a_time() {
    for (store, _guard) in stores().await {
        let app = source_app(&store, "scheduled").await;
        app.add_my_email("me@home.example").await.unwrap();
        let source = app
            .add_source(NewSource {
                kind: Some(SourceKind::Imap),
                url: format!("imap://127.0.0.1:{}", free_port()),
                login: Some("me".into()),
                password: Some("pw".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        // Server A holds it: server B can neither claim nor sync it.
        let until = kith_store::now_micros() + 60_000_000;
        let held = store
            .claim_source(app.account, source.id, "server-a", until)
            .await
            .unwrap();
        assert!(held.is_some());
        assert!(
            store
                .claim_source(app.account, source.id, "server-b", until)
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            store
                .claim_due_source("server-b", kith_store::now_micros(), until)
                .await
                .unwrap()
                .is_none()
        );
        let busy = app.sync_source(source.id, "server-b").await.unwrap_err();
        assert!(busy.to_string().contains("syncing now"), "{busy}");
        assert_eq!(app.source(source.id).await.unwrap().state, "syncing");
        // A hands it back (it stops): B's schedule runs it, once.
        store.release_sources("server-a").await.unwrap();
        let app_for: kith_app::sources::schedule::AppFor = {
            let store = store.clone();
            Arc::new(move |account| App::new(store.clone(), account, source_settings(true)))
        };
        let ran = kith_app::sources::schedule::run_due(&store, &app_for, "server-b").await;
        assert_eq!(ran, 1);
        let view = app.source(source.id).await.unwrap();
        assert_eq!(
            (view.state.as_str(), view.failures),
            ("failing", 1),
            "{view:?}"
        );
        assert!(view.next_sync.is_some());
        // Not due again before its backoff: nothing runs.
        assert_eq!(
            kith_app::sources::schedule::run_due(&store, &app_for, "server-b").await,
            0
        );
    }
}

/// A server on loopback that answers every connection by writing `head`
/// then `bytes` bytes of `fill` (or until the reader goes away).
async fn flooding_server(head: &'static [u8], fill: u8, bytes: usize) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                // An HTTP client speaks first; an IMAP client waits.
                let mut request = [0u8; 4096];
                if head.starts_with(b"HTTP") {
                    let _ = socket.read(&mut request).await;
                }
                if socket.write_all(head).await.is_err() {
                    return;
                }
                let block = vec![fill; 64 * 1024];
                let mut sent = 0;
                while sent < bytes {
                    if socket.write_all(&block).await.is_err() {
                        return;
                    }
                    sent += block.len();
                }
            });
        }
    });
    port
}

#[tokio::test]
async fn a_hostile_server_is_cut_off_not_read_whole() {
    let (store, _guard) = kith_store::testing::sqlite().await;
    let app = source_app(&store, "wary").await;
    app.add_my_email("me@home.example").await.unwrap();
    // A calendar link that never ends: cut off at the cap, nothing kept.
    let port = flooding_server(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/calendar\r\n\r\nBEGIN:VCALENDAR\r\n",
        b'X',
        80 << 20,
    )
    .await;
    let ics = app
        .add_source(NewSource {
            kind: Some(SourceKind::Ics),
            url: format!("http://127.0.0.1:{port}/cal.ics"),
            ..Default::default()
        })
        .await
        .unwrap();
    let e = app.sync_source(ics.id, "test").await.unwrap_err();
    assert!(e.to_string().contains("larger than kith reads"), "{e}");
    // A calendar server that claims a huge answer: refused before reading.
    let port = flooding_server(
        b"HTTP/1.1 207 Multi-Status\r\nContent-Length: 999999999999\r\n\r\n",
        b' ',
        0,
    )
    .await;
    let dav = app
        .add_source(NewSource {
            kind: Some(SourceKind::Caldav),
            url: format!("http://127.0.0.1:{port}/calendars/me/"),
            ..Default::default()
        })
        .await
        .unwrap();
    let e = app.sync_source(dav.id, "test").await.unwrap_err();
    assert!(e.to_string().contains("larger than kith reads"), "{e}");
    // An IMAP server whose greeting never ends: the command's budget stops it.
    let port = flooding_server(b"* OK ", b'A', 80 << 20).await;
    let imap = app
        .add_source(NewSource {
            kind: Some(SourceKind::Imap),
            url: format!("imap://127.0.0.1:{port}"),
            login: Some("me".into()),
            password: Some("pw".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let e = app.sync_source(imap.id, "test").await.unwrap_err();
    assert!(e.to_string().contains("more than kith reads"), "{e}");
    // Nothing of it reached the book.
    assert!(
        app.list_people(&PeopleFilter::default())
            .await
            .unwrap()
            .is_empty()
    );
}
