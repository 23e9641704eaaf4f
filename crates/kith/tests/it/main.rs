//! The `kith` command as users and scripts see it: the JSON contract, exit
//! statuses, and clear messages on bad input.

mod federation;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

struct Kith {
    dir: tempfile::TempDir,
}

impl Kith {
    fn new() -> Kith {
        Kith {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        std::process::Command::new(env!("CARGO_BIN_EXE_kith"))
            .arg("--data-dir")
            .arg(self.dir.path().join("data"))
            .args(args)
            .env_remove("KITH_DATABASE_URL")
            .env_remove("KITH_USER")
            .env("KITH_REGION", "US")
            .output()
            .unwrap()
    }

    /// Runs with `input` on standard input and expects success.
    fn ok_with_input(&self, args: &[&str], input: &str) -> String {
        use std::io::Write;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_kith"))
            .arg("--data-dir")
            .arg(self.dir.path().join("data"))
            .args(args)
            .env_remove("KITH_DATABASE_URL")
            .env_remove("KITH_USER")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "kith {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs and expects success; returns stdout.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "kith {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs and expects failure; returns stderr.
    fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            !out.status.success(),
            "kith {args:?} should fail: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stderr).unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }

    fn file(&self, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, content).unwrap();
        p
    }

    fn count(&self) -> usize {
        self.json(&["people", "list", "--json"])
            .as_array()
            .unwrap()
            .len()
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

const CARDS: &str = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lovelace;Ada;;;\r\nFN:Ada Lovelace\r\nEMAIL;TYPE=WORK:ada@example.org\r\n\
TEL;TYPE=CELL:(415) 555-2671\r\nORG:Analytical Engines\r\nTITLE:Engineer\r\nURL:https://www.linkedin.com/in/ada\r\nCATEGORIES:math,friends\r\nEND:VCARD\r\n\
BEGIN:VCARD\r\nVERSION:3.0\r\nN:Smith;Robert;;;\r\nFN:Robert Smith\r\nORG:Acme\r\nEND:VCARD\r\n\
BEGIN:VCARD\r\nVERSION:3.0\r\nN:Smith;Bob;;;\r\nFN:Bob Smith\r\nORG:Acme\r\nEND:VCARD\r\n";

#[test]
fn json_contract_of_people_and_dupes() {
    let k = Kith::new();
    let f = k.file("contacts.vcf", CARDS);
    let out = k.ok(&["import", s(&f)]);
    assert!(out.contains("3 created"), "{out}");
    assert!(out.contains("1 duplicate suggestions"), "{out}");

    let list = k.json(&["people", "list", "--json", "--search", "ada"]);
    let ada = &list[0];
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
        assert!(ada.get(field).is_some(), "field {field} missing in {ada}");
    }
    assert_eq!(ada["name"], "Ada Lovelace");
    assert_eq!(ada["emails"], serde_json::json!(["ada@example.org"]));
    assert_eq!(ada["phones"], serde_json::json!(["+14155552671"]));
    assert_eq!(ada["organization"], "Analytical Engines");
    assert_eq!(ada["title"], "Engineer");
    assert_eq!(ada["tags"], serde_json::json!(["math", "friends"]));
    assert_eq!(
        ada["urls"],
        serde_json::json!(["https://www.linkedin.com/in/ada"])
    );

    let by_email = k.json(&["people", "show", "ADA@example.org", "--json"]);
    assert_eq!(by_email["id"], ada["id"]);
    let by_id = k.json(&["people", "show", ada["id"].as_str().unwrap(), "--json"]);
    assert_eq!(by_id["name"], "Ada Lovelace");
    assert_eq!(
        k.json(&["people", "list", "--json", "--tag", "friends"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        k.json(&["people", "list", "--json", "--org", "acme"])
            .as_array()
            .unwrap()
            .len(),
        2
    );

    let dupes = k.json(&["dupes", "--json"]);
    let d = &dupes[0];
    let names: Vec<&str> = d["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"Robert Smith") && names.contains(&"Bob Smith"),
        "{d}"
    );
    assert!(d["people"][0]["id"].is_string());
    assert!(d["score"].as_f64().unwrap() > 0.6);
    assert!(
        d["reasons"][0].as_str().unwrap().contains("nickname"),
        "{d}"
    );

    // Re-importing the same file changes nothing.
    let again = k.ok(&["import", s(&f)]);
    assert!(
        again.contains("0 created") && again.contains("0 duplicate suggestions"),
        "{again}"
    );
    assert_eq!(k.count(), 3);
}

#[test]
fn people_add_edit_merge_unmerge_and_export() {
    let k = Kith::new();
    let a = k.json(&[
        "people",
        "add",
        "--name",
        "Grace Hopper",
        "--email",
        "grace@navy.mil",
        "--org",
        "US Navy",
        "--json",
    ]);
    let b = k.json(&[
        "people",
        "add",
        "--name",
        "Amazing Grace",
        "--phone",
        "+1 202 555 0143",
        "--json",
    ]);
    let (ida, idb) = (a["id"].as_str().unwrap(), b["id"].as_str().unwrap());
    let edited = k.json(&[
        "people",
        "edit",
        "grace@navy.mil",
        "--title",
        "Rear Admiral",
        "--tag",
        "pioneers",
        "--json",
    ]);
    assert_eq!(edited["title"], "Rear Admiral");
    assert_eq!(edited["organization"], "US Navy");

    let merged = k.json(&["people", "merge", ida, idb, "--json"]);
    assert_eq!(merged["phones"], serde_json::json!(["+12025550143"]));
    assert_eq!(k.count(), 1);
    let parts = k.json(&["people", "unmerge", idb, "--json"]);
    assert_eq!(parts[1]["name"], "Amazing Grace");
    assert_eq!(k.count(), 2);

    let out = k.dir.path().join("book.vcf");
    k.ok(&["export", "vcard", "--vcard-version", "3.0", "-o", s(&out)]);
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(text.matches("BEGIN:VCARD").count(), 2);
    assert!(
        text.contains("VERSION:3.0") && text.contains("TITLE:Rear Admiral"),
        "{text}"
    );
    let csv = k.ok(&["export", "csv"]);
    assert_eq!(csv.lines().count(), 3, "{csv}");
    let err = k.fails(&["export", "vcard", "--vcard-version", "2.1"]);
    assert!(err.contains("use 3.0 or 4.0"), "{err}");
    let err = k.fails(&["people", "show", "nobody@example.org"]);
    assert!(
        err.contains("no person with email nobody@example.org"),
        "{err}"
    );
}

#[test]
fn formats_are_recognised_from_content_not_names() {
    let k = Kith::new();
    let linkedin = k.file(
        "export.txt",
        "\u{feff}Notes:\r\n\"When exporting your connection data, you may notice that some of the email addresses are missing.\"\r\n\r\n\
         First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n\
         Ada,Lovelace,https://www.linkedin.com/in/ada,,\"Analytical Engines, Ltd.\",Engineer,15 Mar 2024\r\n,,,,,,\r\n",
    );
    let out = k.ok(&["import", s(&linkedin)]);
    assert!(
        out.contains("as linkedin") && out.contains("1 created"),
        "{out}"
    );
    let vcard = k.file("contacts.csv", CARDS);
    assert!(k.ok(&["import", s(&vcard)]).contains("as vcard"));
    // The LinkedIn URL matched Ada's vCard.
    assert_eq!(k.count(), 3);
    let google = k.file(
        "g.dat",
        "First Name,Middle Name,Last Name,Labels,E-mail 1 - Label,E-mail 1 - Value\nCharles,,Babbage,* myContacts ::: Friends,Work,charles@example.org\n",
    );
    assert!(k.ok(&["import", s(&google)]).contains("as google"));
}

#[test]
fn bad_input_gets_a_clear_message_and_leaves_the_store_unchanged() {
    let k = Kith::new();
    k.ok(&["import", s(&k.file("ok.vcf", CARDS))]);
    let before = k.json(&["export", "json"]);

    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let err = k.fails(&["import", s(&k.file("garbage.bin", &garbage))]);
    assert!(
        err.contains("garbage.bin") && err.contains("not a file kith recognises"),
        "{err}"
    );

    let err = k.fails(&["import", s(&k.file("wrong.csv", "foo,bar\n1,2\n3,4\n"))]);
    assert!(err.contains("wrong.csv"), "{err}");

    let huge = format!(
        "BEGIN:VCARD\nVERSION:3.0\nFN:Big Note\nNOTE:{}\nEND:VCARD\n",
        "x".repeat(50 * 1024 * 1024)
    );
    let err = k.fails(&["import", s(&k.file("huge.vcf", huge))]);
    assert!(
        err.contains("huge.vcf") && err.contains("larger than"),
        "{err}"
    );

    let err = k.fails(&["import", s(&k.file("empty.vcf", ""))]);
    assert!(err.contains("empty.vcf"), "{err}");

    let err = k.fails(&["import", "/no/such/file.vcf"]);
    assert!(err.contains("/no/such/file.vcf"), "{err}");

    let err = k.fails(&["import", "--format", "xml", s(&k.file("x.vcf", CARDS))]);
    assert!(err.contains("unknown format \"xml\""), "{err}");

    // A truncated card is imported with a warning naming its line.
    let cut = k.file(
        "cut.vcf",
        "BEGIN:VCARD\nVERSION:3.0\nFN:Cut Short\nEMAIL:cut@example.org\n",
    );
    let out = k.ok(&["import", s(&cut)]);
    assert!(
        out.contains("cut.vcf:1: the file ends inside this card"),
        "{out}"
    );
    k.ok(&["people", "delete", "cut@example.org"]);

    assert_eq!(
        k.json(&["export", "json"]),
        before,
        "the failed imports changed nothing"
    );

    let err = k.fails(&[
        "--database",
        "postgres://kith:secret@127.0.0.1:1/kith",
        "people",
        "list",
    ]);
    assert!(
        err.contains("cannot open database") && !err.contains("secret"),
        "{err}"
    );
}

#[test]
fn dry_run_reports_but_writes_nothing() {
    let k = Kith::new();
    let out = k.ok(&["import", "--dry-run", s(&k.file("c.vcf", CARDS))]);
    assert!(
        out.contains("dry run") && out.contains("3 created"),
        "{out}"
    );
    assert_eq!(k.count(), 0);
    let report = k.json(&["import", "--json", s(&k.file("c.vcf", CARDS))]);
    assert_eq!(report[0]["created"], 3);
}

#[test]
fn accounts_are_chosen_with_user() {
    let k = Kith::new();
    // First use: one account, made on the spot, used without naming it.
    k.ok(&["people", "add", "--name", "Ada Lovelace"]);
    k.ok_with_input(
        &["user", "add", "bob", "--password-stdin"],
        "correct horse\n",
    );
    let users = k.ok(&["user", "list", "--json"]);
    let users: Value = serde_json::from_str(&users).unwrap();
    assert_eq!(users.as_array().unwrap().len(), 2, "{users}");

    let several = k.fails(&["people", "list"]);
    assert!(
        several.contains("several accounts") && several.contains("bob"),
        "{several}"
    );
    let unknown = k.fails(&["--user", "zed", "people", "list"]);
    assert!(unknown.contains("no account named \"zed\""), "{unknown}");

    // Each account sees its own people only.
    assert!(
        k.ok(&["--user", "default", "people", "list"])
            .contains("Ada Lovelace")
    );
    assert!(
        !k.ok(&["--user", "bob", "people", "list"])
            .contains("Ada Lovelace")
    );

    let short = k.fails(&["user", "passwd", "bob", "--password-stdin"]);
    assert!(short.contains("too short"), "{short}");
    let token = k.ok(&["--user", "bob", "token", "create", "--name", "script"]);
    assert!(token.trim().starts_with("kith_"), "{token}");
    assert!(k.ok(&["--user", "bob", "token", "list"]).contains("script"));
}

#[test]
fn demo_fills_a_fresh_data_directory() {
    let k = Kith::new();
    let out = k.run(&["demo", "--no-serve", "--people", "120", "--seed", "7"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("sign in as: demo"), "{said}");
    let people: Value =
        serde_json::from_str(&k.ok(&["--user", "demo", "people", "list", "--json"])).unwrap();
    // The demo people and the cards of the two connected demo members.
    assert_eq!(people.as_array().unwrap().len(), 122);
    let connections = k.ok(&["--user", "demo", "connect", "list"]);
    assert!(
        connections.contains("sam  connected") && connections.contains("riya  connected"),
        "{connections}"
    );
    let histories = people
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| {
            p["card"]["positions"]
                .as_array()
                .is_some_and(|j| j.len() > 1)
        })
        .count();
    assert!(histories > 20, "job histories: {histories}");
    let dupes: Value = serde_json::from_str(&k.ok(&["--user", "demo", "dupes", "--json"])).unwrap();
    assert!(
        !dupes.as_array().unwrap().is_empty(),
        "near-duplicates to review"
    );
    // A living network: people due (and some not), a birthday this week,
    // an introduction request waiting for an answer.
    let due = k.ok(&["--user", "demo", "due"]);
    assert!(due.contains("overdue"), "{due}");
    let coming = k.ok(&["--user", "demo", "coming-up"]);
    assert!(coming.contains("birthday"), "{coming}");
    let intros = k.ok(&["--user", "demo", "intro", "list"]);
    assert!(
        intros.contains("riya asks you to introduce them"),
        "{intros}"
    );
    // It never fills a data directory that is in use.
    let again = k.fails(&["demo", "--no-serve"]);
    assert!(again.contains("not empty"), "{again}");
}

#[test]
fn a_closed_output_ends_quietly() {
    let k = Kith::new();
    k.run(&["demo", "--no-serve", "--people", "200"]);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_kith"))
        .arg("--data-dir")
        .arg(k.dir.path().join("data"))
        .args(["--user", "demo", "people", "list"])
        .env_remove("KITH_DATABASE_URL")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The reader goes away before reading anything (`kith … | head -0`).
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// A ZIP archive of (name, content) entries, stored uncompressed.
fn zip_of(path: &Path, entries: &[(&str, &[u8])]) {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, content) in entries {
        zip.start_file(*name, options).unwrap();
        zip.write_all(content).unwrap();
    }
    zip.finish().unwrap();
}

#[test]
fn a_zip_archive_is_imported_entry_by_entry() {
    let kith = Kith::new();
    let dir = kith.dir.path();
    let connections = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../formats/tests/fixtures/csv/linkedin_connections.csv"),
    )
    .unwrap();
    let card = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Mallory Escape\r\nEND:VCARD\r\n";
    let archive = dir.join("Complete_LinkedInDataExport_11-25-2026.zip");
    zip_of(
        &archive,
        &[
            ("Connections.csv", &connections),
            ("messages.csv", b"CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,SUBJECT,CONTENT,FOLDER\n\
a,,Me,https://www.linkedin.com/in/me-x,Ada Lovelace,https://www.linkedin.com/in/ada-lovelace,2025-10-01 09:00:00 UTC,,Hi,INBOX\n\
b,,Me,https://www.linkedin.com/in/me-x,Alan Turing,https://www.linkedin.com/in/alan-turing,2025-10-02 09:00:00 UTC,,Hi,INBOX\n"),
            ("../../escape.vcf", card),
            ("Skills.csv", b"Name\nRust\n"),
        ],
    );
    let out = kith.run(&["import", s(&archive), "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reports: Value = serde_json::from_slice(&out.stdout).unwrap();
    let reports = reports.as_array().unwrap();
    assert_eq!(reports.len(), 3, "{reports:?}");
    assert_eq!(reports[0]["format"], "linkedin");
    assert!(
        reports[0]["file"]
            .as_str()
            .unwrap()
            .ends_with(": Connections.csv")
    );
    assert_eq!(reports[1]["format"], "vcard");
    assert_eq!(reports[1]["created"], 1);
    // Messages come last, matched to the connections by profile.
    assert_eq!(reports[2]["format"], "linkedin-messages");
    assert_eq!(reports[2]["interactions"], 2);
    assert!(
        !dir.join("escape.vcf").exists() && !dir.parent().unwrap().join("escape.vcf").exists(),
        "an entry cannot write outside kith's own directory"
    );
    let text = kith.run(&["import", s(&archive)]);
    let said = String::from_utf8_lossy(&text.stderr);
    assert!(
        said.contains("left alone") && said.contains("Skills.csv"),
        "{said}"
    );
    let found = kith.ok(&["people", "list", "--search", "lovelace"]);
    assert!(found.contains("Ada Lovelace"), "{found}");

    let broken = dir.join("broken.zip");
    std::fs::write(&broken, b"PK\x03\x04 and then nothing").unwrap();
    let err = kith.fails(&["import", s(&broken)]);
    assert!(err.contains("broken.zip") && err.contains("ZIP"), "{err}");
}

#[test]
fn interactions_are_logged_from_the_command_line() {
    let kith = Kith::new();
    kith.ok(&[
        "people",
        "add",
        "--name",
        "Ada Lovelace",
        "--email",
        "ada@example.org",
    ]);
    kith.ok(&[
        "people",
        "add",
        "--name",
        "Grace Hopper",
        "--email",
        "grace@example.org",
    ]);
    let said = kith.ok(&[
        "log",
        "ada@example.org",
        "grace@example.org",
        "--kind",
        "coffee",
        "--date",
        "2026-11-20",
        "--note",
        "engines",
    ]);
    assert!(
        said.starts_with("logged coffee with Ada Lovelace, Grace Hopper on 2026-11-20"),
        "{said}"
    );
    let json: Value = serde_json::from_str(&kith.ok(&[
        "log",
        "ada@example.org",
        "--kind",
        "email",
        "--direction",
        "outgoing",
        "--date",
        "yesterday",
        "--json",
    ]))
    .unwrap();
    assert_eq!(json["direction"], "outgoing");
    let shown = kith.ok(&["people", "show", "ada@example.org"]);
    assert!(
        shown.contains("latest interactions")
            && shown.contains("2026-11-20 coffee (mutual): engines"),
        "{shown}"
    );
    assert!(
        shown.contains("strength: 0.") && shown.contains("last met"),
        "{shown}"
    );
    for (args, why) in [
        (
            vec!["log", "ada@example.org", "--kind", "tea"],
            "unknown kind",
        ),
        (
            vec![
                "log",
                "ada@example.org",
                "--kind",
                "call",
                "--date",
                "2099-01-01",
            ],
            "future",
        ),
        (
            vec!["log", "nobody@example.org", "--kind", "call"],
            "no person",
        ),
    ] {
        let err = kith.fails(&args);
        assert!(err.contains(why), "{args:?}: {err}");
    }
}

#[test]
fn cadences_and_the_reach_out_list_from_the_command_line() {
    let kith = Kith::new();
    kith.ok(&[
        "people",
        "add",
        "--name",
        "Ada Lovelace",
        "--email",
        "ada@example.org",
        "--tag",
        "inner",
    ]);
    kith.ok(&[
        "people",
        "add",
        "--name",
        "Alan Turing",
        "--email",
        "alan@example.org",
    ]);
    kith.ok(&[
        "log",
        "ada@example.org",
        "--kind",
        "coffee",
        "--date",
        "40 days ago",
    ]);
    assert_eq!(
        kith.ok(&["cadence", "--tag", "Inner", "--every", "30"])
            .trim(),
        "every 30 days"
    );
    kith.ok(&["cadence", "alan@example.org", "--every", "90"]);
    let due: Value = serde_json::from_str(&kith.ok(&["due", "--json"])).unwrap();
    let names: Vec<&str> = due
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "{due}");
    assert!(
        names.contains(&"Ada Lovelace") && names.contains(&"Alan Turing"),
        "{due}"
    );
    let text = kith.ok(&["due"]);
    assert!(text.contains("every 30 days (inner)"), "{text}");
    kith.ok(&["due", "snooze", "ada@example.org", "--days", "3"]);
    kith.ok(&["due", "done", "alan@example.org", "--kind", "call"]);
    assert!(kith.ok(&["due"]).contains("no one is due now"));
    let err = kith.fails(&["cadence", "alan@example.org", "--every", "0"]);
    assert!(err.contains("1 to 3650"), "{err}");
    kith.ok(&["cadence", "alan@example.org", "--clear"]);
}

#[test]
fn the_digest_is_shown_set_and_sent_from_the_command_line() {
    let Some(sink) = kith_app::testing::SmtpSink::start() else {
        return;
    };
    let kith = Kith::new();
    let data = kith.dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let refused = kith.run(&["digest", "--send"]);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("no [smtp] section"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    std::fs::write(
        data.join("kith.toml"),
        format!(
            "public_url = \"https://kith.example.org\"\n[smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\nfrom = \"kith <kith@localhost>\"\n",
            sink.port
        ),
    )
    .unwrap();
    kith.ok(&[
        "people",
        "add",
        "--name",
        "Grace Hopper",
        "--email",
        "grace@navy.example",
    ]);
    kith.ok(&["cadence", "grace@navy.example", "--every", "30"]);
    let shown = kith.ok(&["digest"]);
    assert!(
        shown.starts_with("Subject: kith: 1 to reach out to\n")
            && shown.contains("- Grace Hopper: never in touch; every 30 days")
            && shown.contains("https://kith.example.org/people/"),
        "{shown}"
    );
    let nowhere = kith.run(&["digest", "--send"]);
    assert!(
        String::from_utf8_lossy(&nowhere.stderr).contains("kith me add-email"),
        "no address yet"
    );
    let set = kith.ok(&["digest", "--every", "daily", "--to", "ME@home.example"]);
    assert_eq!(set.trim(), "digest: daily, to me@home.example");
    let bad = kith.run(&["digest", "--every", "hourly"]);
    assert!(!bad.status.success());
    let sent = kith.ok(&["digest", "--send"]);
    assert!(sent.starts_with("digest sent to me@home.example"), "{sent}");
    let mail = sink.messages();
    assert_eq!(mail.len(), 1);
    assert!(
        mail[0].contains("To: me@home.example") && mail[0].contains("Grace Hopper"),
        "{}",
        mail[0]
    );
}

#[test]
fn ties_paths_and_connections_from_the_command_line() {
    let k = Kith::new();
    k.ok(&[
        "people",
        "add",
        "--name",
        "Ana Costa",
        "--email",
        "ana@example.org",
    ]);
    k.ok(&[
        "people",
        "add",
        "--name",
        "Zoe Zhang",
        "--email",
        "zoe@corp.example",
        "--org",
        "Globex",
        "--title",
        "CTO",
    ]);
    let tied = k.ok(&[
        "tie",
        "Ana Costa",
        "zoe@corp.example",
        "--kind",
        "friend",
        "--strength",
        "0.9",
    ]);
    assert!(
        tied.contains("0.90  Zoe Zhang: friend (set by hand, 90%)"),
        "{tied}"
    );
    for _ in 0..6 {
        k.ok(&[
            "log",
            "ana@example.org",
            "--kind",
            "coffee",
            "--date",
            "yesterday",
        ]);
    }
    let json: Value =
        serde_json::from_str(&k.ok(&["path", "--to", "Zoe Zhang", "-k", "2", "--json"])).unwrap();
    let paths = json.as_array().unwrap();
    assert_eq!(paths.len(), 2, "{json}");
    let people: Vec<&str> = paths[0]["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(people[1..], ["Ana Costa", "Zoe Zhang"], "{json}");
    assert!(paths[0]["people"][1]["id"].is_string(), "{json}");
    assert!(
        paths[0]["strength"].as_f64().unwrap() > paths[1]["strength"].as_f64().unwrap(),
        "{json}"
    );
    let text = k.ok(&["path", "--org", "corp.example", "-k", "1"]);
    assert!(
        text.starts_with("1. ") && text.contains("you → Ana Costa → Zoe Zhang"),
        "{text}"
    );
    assert!(
        text.contains("Ana Costa – Zoe Zhang (0.90): friend (set by hand, 90%)"),
        "{text}"
    );
    assert!(
        k.fails(&["path", "--to", "Zoe Zhang", "-k", "0"])
            .contains("between 1 and 20")
    );
    assert!(
        k.fails(&["path", "--to", "nobody@nowhere.example"])
            .contains("nobody you can reach")
    );
    assert!(
        k.fails(&["tie", "Ana Costa", "Zoe Zhang", "--kind", "rival"])
            .contains("use one of colleague")
    );
    assert!(
        k.ok(&["tie", "Ana Costa", "Zoe Zhang", "--remove"])
            .contains("tie removed")
    );

    // A second member, connected, who knows someone at Acme.
    k.ok_with_input(
        &["user", "add", "bob", "--password-stdin"],
        "correct horse\n",
    );
    k.ok(&[
        "--user",
        "bob",
        "people",
        "add",
        "--name",
        "Zed Target",
        "--email",
        "zed@acme.example",
        "--org",
        "Acme",
        "--title",
        "CFO",
    ]);
    k.ok(&[
        "--user",
        "bob",
        "log",
        "zed@acme.example",
        "--kind",
        "lunch",
        "--date",
        "yesterday",
    ]);
    assert!(
        k.ok(&["--user", "default", "who-at", "Acme"])
            .contains("nobody you can reach")
    );
    assert_eq!(
        k.ok(&["--user", "default", "connect", "invite", "bob"])
            .trim(),
        "invited bob"
    );
    assert!(
        k.ok(&["--user", "bob", "connect", "list"])
            .contains("default  invited you")
    );
    k.ok(&["--user", "bob", "connect", "accept", "default"]);
    let who = k.ok(&["--user", "default", "who-at", "Acme"]);
    assert!(who.contains("someone at Acme (CFO) (2nd) via bob"), "{who}");
    let shared = k.ok(&["--user", "bob", "sharing", "name"]);
    assert!(shared.contains("their name"), "{shared}");
    let json: Value =
        serde_json::from_str(&k.ok(&["--user", "default", "path", "--org", "Acme", "--json"]))
            .unwrap();
    assert_eq!(json[0]["people"][2]["name"], "Zed Target", "{json}");
    assert_eq!(json[0]["people"][2]["id"], Value::Null, "{json}");
    assert_eq!(json[0]["people"][1]["member"], "bob", "{json}");
    k.ok(&["--user", "bob", "sharing", "nothing"]);
    assert!(
        k.fails(&["--user", "default", "path", "--org", "Acme"])
            .contains("nobody you can reach")
    );
}

#[test]
fn my_card_needs_help_out_and_favours_from_the_command_line() {
    let k = Kith::new();
    k.ok(&["card", "set", "name", "Ada Lovelace"]);
    k.ok(&[
        "card",
        "set",
        "phone",
        "+44 20 7946 0958",
        "--visibility",
        "private",
    ]);
    let card: Value = serde_json::from_str(&k.ok(&["card", "show", "--json"])).unwrap();
    assert_eq!(card["fields"][0]["field"], "name", "{card}");
    assert_eq!(card["fields"][1]["visibility"], "private", "{card}");
    let vcf = k.ok(&["card", "vcf"]);
    assert!(
        vcf.contains("FN:Ada Lovelace") && !vcf.contains("7946"),
        "{vcf}"
    );
    let bad = k.run(&["card", "set", "fax", "1"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no card field is called \"fax\""));
    let link = k.ok(&["card", "link"]);
    assert!(link.contains("/card/"), "{link}");
    assert!(k.ok(&["card", "revoke"]).contains("1 link revoked"));

    k.ok(&[
        "people",
        "add",
        "--name",
        "Ana Costa",
        "--email",
        "ana@example.org",
    ]);
    k.ok(&[
        "people",
        "add",
        "--name",
        "Bo Chen",
        "--org",
        "Globex",
        "--title",
        "Product Designer",
    ]);
    k.ok(&[
        "needs",
        "add",
        "--for",
        "ana@example.org",
        "hiring a designer",
    ]);
    let help: Value = serde_json::from_str(&k.ok(&["help-out", "--json"])).unwrap();
    assert_eq!(help[0]["person"], "Ana Costa", "{help}");
    assert_eq!(help[0]["helpers"][0]["name"], "Bo Chen", "{help}");
    assert!(
        k.ok(&["help-out"])
            .contains("Bo Chen  (Product Designer at Globex)")
    );
    k.ok(&[
        "favours",
        "add",
        "ana@example.org",
        "lent me a book",
        "--received",
    ]);
    let favours: Value =
        serde_json::from_str(&k.ok(&["favours", "list", "ana@example.org", "--json"])).unwrap();
    assert_eq!(favours[0]["direction"], "received", "{favours}");
    assert!(k.ok(&["changes"]).contains("nothing changed"));
    let no_mail = k.run(&["card", "send", "ana@example.org"]);
    assert!(String::from_utf8_lossy(&no_mail.stderr).contains("no [smtp]"));
}

/// Issue 20: uploads and unpacked archives waited in the world-readable
/// system temporary directory, and a copy stayed after `kill -9`. They now
/// wait in `<data dir>/tmp` (0700), and what a dead process left there is
/// removed by the next one.
#[test]
fn temporary_files_stay_private_and_leftovers_go() {
    use std::os::unix::fs::PermissionsExt;
    let k = Kith::new();
    k.ok(&["people", "list"]);
    let tmp = k.dir.path().join("data").join("tmp");
    let mode = std::fs::metadata(&tmp).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700, "{}", tmp.display());
    // A process that died mid-import (no such pid can run).
    let dead = tmp.join("4000000000");
    std::fs::create_dir_all(dead.join("0")).unwrap();
    std::fs::write(dead.join("0").join("contacts.vcf"), "BEGIN:VCARD").unwrap();
    k.ok(&["people", "list"]);
    assert!(!dead.exists(), "the leftover upload is still there");
    assert_eq!(
        std::fs::read_dir(&tmp).unwrap().count(),
        0,
        "nothing left after exit"
    );
}

/// The command line goes through kith-app only (issue 21): it neither
/// depends on nor names the store or the file formats.
#[test]
fn the_command_line_reaches_store_and_formats_only_through_kith_app() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest = std::fs::read_to_string(crate_dir.join("Cargo.toml")).unwrap();
    let dependencies: Vec<&str> = manifest
        .lines()
        .skip_while(|l| l.trim() != "[dependencies]")
        .skip(1)
        .take_while(|l| !l.trim_start().starts_with('['))
        .collect();
    assert!(!dependencies.is_empty(), "no [dependencies] in Cargo.toml");
    for below in ["kith-store", "kith-formats"] {
        assert!(
            !dependencies
                .iter()
                .any(|l| l.trim_start().starts_with(below)),
            "crates/kith depends on {below}: reach it through kith-app"
        );
    }
    let mut dirs = vec![crate_dir.join("src")];
    let mut files = 0;
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files += 1;
                let text = std::fs::read_to_string(&path).unwrap();
                for below in ["kith_store", "kith_formats"] {
                    assert!(
                        !text.contains(below),
                        "{} names {below}: reach it through kith-app",
                        path.display()
                    );
                }
            }
        }
    }
    assert!(files > 5, "only {files} source files found");
}

impl Kith {
    /// Runs against the database at `url`, expecting success.
    fn ok_on(&self, url: &str, args: &[&str]) -> String {
        let mut all = vec!["--database", url];
        all.extend_from_slice(args);
        self.ok(&all)
    }
}

/// Every table's rows of a backup file, each table's sorted: what the
/// database held, whatever order the engine read it in.
fn backup_rows(path: &Path) -> std::collections::BTreeMap<String, Vec<String>> {
    use std::io::BufRead;
    let file = std::fs::File::open(path).unwrap();
    let reader = std::io::BufReader::new(flate2::read::GzDecoder::new(file));
    let mut tables: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    let mut current = String::new();
    let mut columns: Vec<String> = Vec::new();
    for line in reader.lines() {
        let line: Value = serde_json::from_str(&line.unwrap()).unwrap();
        if let Some(t) = line.get("table").and_then(Value::as_str) {
            current = t.to_string();
            columns = line["columns"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap().to_string())
                .collect();
        } else if let Value::Array(cells) = line {
            // By column name: engines may list a table's columns apart.
            let mut row: Vec<(String, String)> = columns
                .iter()
                .cloned()
                .zip(cells.iter().map(|c| match c {
                    // Booleans are integers on SQLite.
                    Value::Bool(b) => i64::from(*b).to_string(),
                    Value::String(s) if s.starts_with('{') || s.starts_with('[') => {
                        // JSON text: PostgreSQL normalises it.
                        serde_json::from_str::<Value>(s)
                            .map(|v| v.to_string())
                            .unwrap_or_else(|_| s.clone())
                    }
                    other => other.to_string(),
                }))
                .collect();
            row.sort();
            tables
                .entry(current.clone())
                .or_default()
                .push(format!("{row:?}"));
        }
    }
    for rows in tables.values_mut() {
        rows.sort();
    }
    tables
}

/// Issue 22: a backup restores into an empty store of either engine with
/// everything in it (every table's rows, and every account's export), and
/// `kith migrate --to` moves a whole store SQLite -> PostgreSQL -> SQLite.
/// A restore into a store that holds accounts is refused.
#[test]
fn backup_restore_and_migrate_keep_everything() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let targets = runtime.block_on(kith_store::testing::empty_databases());
    let more = runtime.block_on(kith_store::testing::empty_databases());
    let k = Kith::new();
    k.ok(&["demo", "--no-serve", "--people", "60", "--seed", "11"]);
    // What the demo does not make: device passwords and API tokens,
    // cadences, a tie set by hand.
    k.ok(&["--user", "demo", "token", "create", "--dav"]);
    k.ok(&["--user", "demo", "token", "create"]);
    let users = ["demo", "sam", "riya"];
    let exports = |k: &Kith, url: Option<&str>| -> Vec<String> {
        users
            .iter()
            .map(|u| {
                let args = ["--user", u, "export", "json"];
                match url {
                    Some(url) => k.ok_on(url, &args),
                    None => k.ok(&args),
                }
            })
            .collect()
    };
    let before = exports(&k, None);
    assert!(before[0].len() > 10_000, "a demo book: {}", before[0].len());
    let file = k.dir.path().join("kith.backup");
    let said: Value =
        serde_json::from_str(&k.ok(&["backup", file.to_str().unwrap(), "--json"])).unwrap();
    assert!(said["rows"].as_u64().unwrap() > 1000, "{said}");
    let rows = backup_rows(&file);
    for table in [
        "accounts",
        "people",
        "interactions",
        "member_links",
        "tokens",
        "changes",
    ] {
        assert!(
            rows.contains_key(table),
            "{table} in the backup: {:?}",
            rows.keys()
        );
    }

    for (url, _guard) in &targets {
        let target = Kith::new();
        target.ok_on(url, &["restore", file.to_str().unwrap()]);
        assert_eq!(
            exports(&target, Some(url)),
            before,
            "{url}: exports after a restore"
        );
        let again = target.dir.path().join("again.backup");
        target.ok_on(url, &["backup", again.to_str().unwrap()]);
        assert_eq!(backup_rows(&again), rows, "{url}: every row restored");
        // A second restore into the now full store: refused, said why.
        let out = target.run(&["--database", url, "restore", file.to_str().unwrap()]);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("empty"), "{err}");
    }

    // SQLite -> PostgreSQL -> SQLite (SQLite -> SQLite without PostgreSQL).
    let (middle, _g1) = &more[more.len() - 1];
    let (last, _g2) = &more[0];
    k.ok(&["migrate", "--to", middle]);
    let hop = Kith::new();
    if middle != last {
        hop.ok_on(middle, &["migrate", "--to", last]);
    }
    assert_eq!(
        exports(&hop, Some(last)),
        before,
        "after migrating to {middle} and {last}"
    );
    let moved = hop.dir.path().join("moved.backup");
    hop.ok_on(last, &["backup", moved.to_str().unwrap()]);
    assert_eq!(backup_rows(&moved), rows, "every row moved");

    // A cut-off backup restores nothing and says so.
    let cut = k.dir.path().join("cut.backup");
    let whole = std::fs::read(&file).unwrap();
    std::fs::write(&cut, &whole[..whole.len() / 2]).unwrap();
    let fresh = Kith::new();
    let out = fresh.run(&["restore", cut.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("backup"), "{err}");
    assert_eq!(
        fresh
            .ok(&["--user", "demo", "people", "list", "--json"])
            .trim(),
        "[]",
        "nothing restored"
    );
}

#[test]
fn sources_from_the_command_line() {
    let k = Kith::new();
    k.ok(&["me", "add-email", "me@home.example"]);
    // A mailbox: the password from standard input, sealed with the key
    // kith writes beside the database on first use.
    let added: Value = serde_json::from_str(&k.ok_with_input(
        &[
            "sources",
            "add",
            "imap",
            "imaps://mail.example.org",
            "--login",
            "me@home.example",
            "--password-stdin",
            "--folder",
            "INBOX",
            "--every",
            "30",
            "--json",
        ],
        "app-password\n",
    ))
    .unwrap();
    assert_eq!(
        (added["kind"].as_str(), added["every_minutes"].as_u64()),
        (Some("imap"), Some(30))
    );
    assert_eq!(added["has_password"], true);
    let key = std::fs::read_to_string(k.dir.path().join("data/sources.key")).unwrap();
    assert_eq!(key.trim().len(), 44, "32 bytes in base64");
    let id = added["id"].as_str().unwrap().to_string();
    let list: Value = serde_json::from_str(&k.ok(&["sources", "list", "--json"])).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert!(!list.to_string().contains("app-password"));
    // Syncing it fails (a private address is refused before anything is
    // sent, as the operator did not allow them): exit status 1, the reason.
    let priv_source: Value = serde_json::from_str(&k.ok(&[
        "sources",
        "add",
        "ics",
        "http://127.0.0.1:9/cal.ics",
        "--json",
    ]))
    .unwrap();
    let out = k.run(&["sources", "sync", priv_source["id"].as_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("private or loopback address"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed = k.ok(&["sources", "list"]);
    assert!(listed.contains("failing (1 failure)"), "{listed}");
    // Bad input says what is wrong.
    assert!(
        k.fails(&["sources", "add", "ftp", "ftp://x"])
            .contains("imap, caldav, carddav or ics")
    );
    assert!(
        k.fails(&["sources", "add", "ics", "http://calendar.example.org/a.ics"])
            .contains("https")
    );
    assert!(
        k.fails(&["sources", "remove", "nope"])
            .contains("not a source id")
    );
    k.ok(&["sources", "pause", &id]);
    assert!(k.ok(&["sources", "list"]).contains("paused: paused by you"));
    k.ok(&["sources", "remove", &id]);
    k.ok(&["sources", "remove", priv_source["id"].as_str().unwrap()]);
    assert!(k.ok(&["sources", "list"]).contains("no sources yet"));
}
