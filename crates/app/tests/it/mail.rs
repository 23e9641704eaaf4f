//! Capturing interactions from mailboxes and calendars: a synthetic mailbox
//! and calendar whose correspondents and counts are known, checked exactly
//! (mbox, maildir, .eml, .ics); re-imports add nothing; lists, bulk,
//! no-reply, strangers, rooms and crowds make no one.

use crate::{app_as, write};
use kith_app::import::{ImportOptions, NoProgress};
use kith_app::people::PersonEdit;
use kith_store::PeopleFilter;
use kith_store::testing::stores;

/// One message (headers only matter).
fn message(from: &str, to: &str, extra: &str, id: Option<&str>, day: u32) -> String {
    let id = id
        .map(|i| format!("Message-ID: <{i}>\n"))
        .unwrap_or_default();
    format!(
        "From: {from}\nTo: {to}\n{extra}Subject: day {day}\nDate: Mon, {day:02} Nov 2026 10:00:00 +0000\n{id}\nbody\n"
    )
}

fn mailbox() -> Vec<String> {
    let me = "Me <me@home.example>";
    vec![
        // Grace: two-way, three messages.
        message(
            me,
            "Grace Hopper <grace@navy.example>",
            "",
            Some("g1@home"),
            2,
        ),
        message(
            "Grace Hopper <grace@navy.example>",
            me,
            "",
            Some("g2@navy"),
            3,
        ),
        message(
            me,
            "grace@navy.example",
            "Cc: Alan Turing <alan@bletchley.example>\n",
            Some("g3@home"),
            4,
        ),
        // Ada (already in the address book) writes once: matched, not created.
        message("Ada L <ada@engines.example>", me, "", Some("a1@engines"), 5),
        // A stranger writes once: nobody made.
        message(
            "Stranger <stranger@spam.example>",
            me,
            "",
            Some("s1@spam"),
            6,
        ),
        // Lists, bulk and no-reply: skipped.
        message(
            "Grace Hopper <grace@navy.example>",
            me,
            "List-Id: <cobol.lists.example>\n",
            Some("l1@list"),
            7,
        ),
        message(
            "News <news@paper.example>",
            me,
            "Precedence: bulk\n",
            Some("b1@paper"),
            8,
        ),
        message("Shop <no-reply@shop.example>", me, "", Some("n1@shop"), 9),
        // No Message-ID: deduplicated by its headers.
        message(me, "Grace Hopper <grace@navy.example>", "", None, 10),
    ]
}

#[tokio::test]
async fn a_mailbox_becomes_interactions_with_the_right_people() {
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let app = app_as(&store, "me").await;
        let dir = tempfile::tempdir().unwrap();
        let mut mbox = String::new();
        for (i, m) in mailbox().iter().enumerate() {
            mbox.push_str(&format!(
                "From x@x Mon Nov {:02} 10:00:00 2026\n{m}\n",
                i + 1
            ));
        }
        mbox.push_str("From broken@x Mon Nov 30 10:00:00 2026\nno headers at all\n\n");
        let path = write(dir.path(), "All mail Including Spam and Trash.mbox", &mbox);
        let opts = ImportOptions::default();

        let err = app.import_path(&path, &opts, &NoProgress).await.unwrap();
        let refused = err.imported[0].1.as_ref().unwrap_err().to_string();
        assert!(refused.contains("kith me add-email"), "{engine}: {refused}");

        app.add_my_email("ME@home.example").await.unwrap();
        app.add_person(&PersonEdit {
            name: Some("Ada Lovelace".into()),
            add_emails: vec!["ada@engines.example".into()],
            ..Default::default()
        })
        .await
        .unwrap();
        let done = app.import_path(&path, &opts, &NoProgress).await.unwrap();
        let r = done.imported[0].1.as_ref().unwrap();
        assert_eq!(r.format, "mbox", "{engine}");
        assert_eq!(r.records, 9, "{engine}: {r:?}");
        assert_eq!(
            r.interactions, 5,
            "{engine}: Grace 4 (one with Alan too), Ada 1, the stranger none: {r:?}"
        );
        assert_eq!(r.created, 2, "{engine}: Grace and Alan (written to): {r:?}");
        assert_eq!(r.problems.len(), 1, "{engine}: the broken message: {r:?}");
        let broken_line = mbox[..mbox.find("From broken").unwrap()].lines().count() as u64 + 1;
        assert_eq!(r.problems[0].line, broken_line, "{engine}");
        let people = app.list_people(&PeopleFilter::default()).await.unwrap();
        let names: Vec<&str> = people.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            ["Grace Hopper", "Ada Lovelace", "Alan Turing"],
            "{engine}"
        );
        let grace = people.iter().find(|p| p.name == "Grace Hopper").unwrap();
        let hers = app.interactions(&grace.id.to_string(), 50).await.unwrap();
        assert_eq!(hers.len(), 4, "{engine}");
        assert!(
            hers.iter().all(|i| i.note.is_none()),
            "no subjects without --keep-subjects"
        );
        let ways: Vec<&str> = hers.iter().map(|i| i.direction.as_str()).collect();
        assert_eq!(
            ways,
            ["outgoing", "outgoing", "incoming", "outgoing"],
            "{engine}"
        );
        // Grace (two-way, four) is a stronger tie than Ada (one incoming).
        let g = app.strength(&grace.id.to_string()).await.unwrap().score;
        let a = app.strength("ada@engines.example").await.unwrap().score;
        assert!(g > a && a > 0.0, "{engine}: {g} {a}");

        // Again: nothing new. As a maildir and as .eml files: the same.
        let again = app.import_path(&path, &opts, &NoProgress).await.unwrap();
        let again = again.imported[0].1.as_ref().unwrap();
        assert_eq!(
            (again.interactions, again.created, again.unchanged),
            (0, 0, 5),
            "{engine}"
        );
        let maildir = dir.path().join("Maildir");
        std::fs::create_dir_all(maildir.join("cur")).unwrap();
        std::fs::create_dir_all(maildir.join("new")).unwrap();
        for (i, m) in mailbox().iter().enumerate() {
            std::fs::write(maildir.join("cur").join(format!("{i}.host:2,S")), m).unwrap();
        }
        let from_dir = app.import_path(&maildir, &opts, &NoProgress).await.unwrap();
        let from_dir = from_dir.imported[0].1.as_ref().unwrap();
        assert_eq!(
            (
                from_dir.format.as_str(),
                from_dir.records,
                from_dir.interactions,
                from_dir.unchanged
            ),
            ("maildir", 9, 0, 5),
            "{engine}"
        );
        let eml = write(
            dir.path(),
            "new.eml",
            &message(
                "Grace Hopper <grace@navy.example>",
                "me@home.example",
                "",
                Some("e1@navy"),
                20,
            ),
        );
        let one = app
            .import_path(
                &eml,
                &ImportOptions {
                    keep_subjects: true,
                    ..Default::default()
                },
                &NoProgress,
            )
            .await
            .unwrap();
        assert_eq!(
            one.imported[0].1.as_ref().unwrap().interactions,
            1,
            "{engine}"
        );
        let latest = app.interactions(&grace.id.to_string(), 1).await.unwrap();
        assert_eq!(
            latest[0].note.as_deref(),
            Some("day 20"),
            "{engine}: --keep-subjects"
        );
    }
}

fn event(uid: &str, start: &str, attendees: &[&str], extra: &str) -> String {
    let mut e =
        format!("BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTART:{start}\r\nSUMMARY:about {uid}\r\n{extra}");
    e.push_str("ORGANIZER;CN=Me:mailto:me@home.example\r\n");
    for a in attendees {
        e.push_str(&format!(
            "ATTENDEE;CN={a}:mailto:{}@example.org\r\n",
            a.to_lowercase().replace(' ', ".")
        ));
    }
    e.push_str("END:VEVENT\r\n");
    e
}

#[tokio::test]
async fn a_calendar_becomes_meetings_with_the_people_you_met() {
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let app = app_as(&store, "me").await;
        app.add_my_email("me@home.example").await.unwrap();
        app.add_person(&PersonEdit {
            name: Some("Ada Lovelace".into()),
            add_emails: vec!["ada.lovelace@example.org".into()],
            ..Default::default()
        })
        .await
        .unwrap();
        let crowd: Vec<String> = (1..=12).map(|i| format!("Person {i}")).collect();
        let mut crowd_refs: Vec<&str> = crowd.iter().map(String::as_str).collect();
        crowd_refs.push("Ada Lovelace");
        let ics = format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n{}{}{}{}{}{}END:VCALENDAR\r\n",
            event(
                "small",
                "20261102T100000Z",
                &["Grace Hopper", "Alan Turing"],
                ""
            ),
            event("allhands", "20261103T100000Z", &crowd_refs, ""),
            event(
                "off",
                "20261104T100000Z",
                &["Edsger Dijkstra"],
                "STATUS:CANCELLED\r\n"
            ),
            event("later", "20991104T100000Z", &["Barbara Liskov"], ""),
            event(
                "weekly",
                "20261105T100000Z",
                &["Grace Hopper"],
                "RECURRENCE-ID:20261105T100000Z\r\n"
            ),
            event(
                "weekly",
                "20261112T100000Z",
                &["Grace Hopper"],
                "RECURRENCE-ID:20261112T100000Z\r\n"
            ),
        );
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "calendar.ics", &ics);
        let done = app
            .import_path(&path, &ImportOptions::default(), &NoProgress)
            .await
            .unwrap();
        let r = done.imported[0].1.as_ref().unwrap();
        assert_eq!(r.format, "ics", "{engine}");
        assert_eq!(r.records, 6, "{engine}: {r:?}");
        assert_eq!(
            r.interactions, 4,
            "{engine}: small, all-hands (Ada only), two occurrences: {r:?}"
        );
        assert_eq!(
            r.created, 2,
            "{engine}: Grace and Alan, not the crowd: {r:?}"
        );
        assert_eq!(r.skipped, 2, "{engine}: cancelled and future: {r:?}");
        let people = app.list_people(&PeopleFilter::default()).await.unwrap();
        let names: Vec<&str> = people.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            ["Grace Hopper", "Ada Lovelace", "Alan Turing"],
            "{engine}"
        );
        let ada = app
            .interactions("ada.lovelace@example.org", 10)
            .await
            .unwrap();
        assert_eq!(ada.len(), 1, "{engine}");
        assert_eq!(ada[0].kind.as_str(), "meeting");
        let again = app
            .import_path(&path, &ImportOptions::default(), &NoProgress)
            .await
            .unwrap();
        let again = again.imported[0].1.as_ref().unwrap();
        assert_eq!(
            (again.interactions, again.unchanged, again.created),
            (0, 4, 0),
            "{engine}"
        );
    }
}

/// The real Gmail Takeout sample shipped in the PyPI package `emailnetwork`
/// (0.0.2, `emailnetwork/tests/test.mbox`; CRLF line ends, multipart
/// bodies). The test script downloads it and names it in
/// `KITH_EMAILNETWORK_MBOX`; a plain `cargo test` without it says so.
#[tokio::test]
async fn the_emailnetwork_gmail_sample_imports_cleanly() {
    let Ok(path) = std::env::var("KITH_EMAILNETWORK_MBOX") else {
        eprintln!(
            "KITH_EMAILNETWORK_MBOX is not set: the Gmail sample is not tested (scripts/test.sh sets it)"
        );
        return;
    };
    let path = std::path::PathBuf::from(path);
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let app = app_as(&store, "samuel").await;
        app.add_my_email("samuelchan@gmail.com").await.unwrap();
        let opts = ImportOptions::default();
        let done = app.import_path(&path, &opts, &NoProgress).await.unwrap();
        let r = done.imported[0].1.as_ref().unwrap();
        assert_eq!(r.format, "mbox", "{engine}");
        assert!(r.problems.is_empty(), "{engine}: {r:?}");
        assert_eq!(
            (r.records, r.interactions, r.created, r.skipped),
            (140, 133, 2, 7),
            "{engine}: 133 messages with two correspondents; 7 from Google's and WordPress's no-reply senders: {r:?}"
        );
        let people = app.list_people(&PeopleFilter::default()).await.unwrap();
        let mut emails: Vec<String> = people.iter().flat_map(|p| p.emails.clone()).collect();
        emails.sort();
        assert_eq!(emails, ["dan@supertype.ai", "sendi@algorit.ma"], "{engine}");
        let again = app.import_path(&path, &opts, &NoProgress).await.unwrap();
        let again = again.imported[0].1.as_ref().unwrap();
        assert_eq!((again.interactions, again.unchanged), (0, 133), "{engine}");
    }
}
