//! Capturing interactions from mailboxes: a synthetic mailbox whose
//! correspondents and counts are known, checked exactly, as mbox, maildir
//! and .eml; re-imports add nothing; lists, bulk, no-reply and strangers
//! make no one.

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
