//! Self-updating cards and reciprocity: a member's card change reaching
//! their connections' cards (shared fields only, the holder's own values
//! kept, seen by CardDAV sync), the "what changed" feed and its order,
//! public links, "send my new details" through a real SMTP server with
//! unsubscribe and the daily cap, needs and offers matched on a seeded
//! network, and an introduction from a suggestion counted as a favour.

use crate::app_as;
use kith_app::cards::{public_card, unsubscribe};
use kith_app::import::{ImportOptions, NoProgress};
use kith_app::interactions::NewInteraction;
use kith_app::mailer::Mailer;
use kith_app::network::intros::answer_introduction;
use kith_app::network::members::verify_member_email;
use kith_app::people::PersonEdit;
use kith_app::testing::SmtpSink;
use kith_app::{App, AppError};
use kith_core::InteractionKind;
use kith_store::Store;
use kith_store::testing::stores;

async fn person(app: &App, name: &str, email: Option<&str>, org: Option<(&str, &str)>) -> String {
    app.add_person(&PersonEdit {
        name: Some(name.into()),
        add_emails: email.into_iter().map(String::from).collect(),
        organization: org.map(|o| o.0.to_string()),
        title: org.map(|o| o.1.to_string()),
        ..Default::default()
    })
    .await
    .unwrap()
    .id
    .to_string()
}

async fn verify(store: &Store, app: &App, email: &str) {
    let secret = format!("test-secret-{email}");
    store
        .add_member_email(app.account, email, &kith_app::auth::secret_hash(&secret))
        .await
        .unwrap();
    verify_member_email(store, &secret).await.unwrap();
}

/// The first link in a mail that starts with `prefix` (quoted-printable
/// soft breaks undone).
fn link_in(mail: &str, prefix: &str) -> String {
    let text = mail
        .replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=");
    let at = text.find(prefix).expect("the link is in the mail");
    text[at..]
        .split(|c: char| c.is_whitespace() || c == '"' || c == '<' || c == '>')
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_members_card_change_reaches_connections_for_shared_fields_only() {
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let ana = app_as(&store, "ana").await;
        let bob = app_as(&store, "bob").await;
        let carol = app_as(&store, "carol").await;
        // Bob already has Ana in his book, with a note of his own.
        let held = bob
            .add_person(&PersonEdit {
                name: Some("Annie".into()),
                add_emails: vec!["ana@acme.com".into()],
                add_notes: vec!["met at RustConf".into()],
                ..Default::default()
            })
            .await
            .unwrap()
            .id
            .to_string();
        verify(&store, &ana, "ana@acme.com").await;
        ana.set_card_field("name", "Ana Lima", None).await.unwrap();
        ana.set_card_field("organization", "Acme", None)
            .await
            .unwrap();
        ana.set_card_field("title", "Engineer", None).await.unwrap();
        ana.set_card_field("email", "ana@acme.com", None)
            .await
            .unwrap();
        ana.set_card_field("phone", "+44 20 7946 0001", Some("private"))
            .await
            .unwrap();
        ana.invite("bob").await.unwrap();
        bob.accept("ana").await.unwrap();

        let card = bob.find_person(&held).await.unwrap();
        assert_eq!(card.name, "Annie", "{engine}: Bob's own name for Ana stays");
        assert_eq!(card.organization.as_deref(), Some("Acme"), "{engine}");
        assert!(
            card.phones.is_empty(),
            "{engine}: a private phone is not shared"
        );
        let token = bob.dav_token().await.unwrap();
        let books = bob.dav_books().await.unwrap();
        let book = books[0].name.clone();

        // Ana changes job and city: Bob's card follows, his note stays.
        let done = ana
            .set_card_field("organization", "Globex", None)
            .await
            .unwrap();
        assert_eq!(done.connections_updated, 1, "{engine}");
        ana.set_card_field("title", "CTO", None).await.unwrap();
        ana.set_card_field("address", "1 Main St, 10115 Berlin, Germany", None)
            .await
            .unwrap();
        let card = bob.find_person(&held).await.unwrap();
        assert_eq!(card.organization.as_deref(), Some("Globex"), "{engine}");
        assert_eq!(card.title.as_deref(), Some("CTO"), "{engine}");
        assert_eq!(card.card.notes[0].value, "met at RustConf", "{engine}");
        assert!(
            card.card
                .positions
                .iter()
                .any(|p| p.organization == "Acme" && p.end.is_some()),
            "{engine}: the old job stays in the history, ended: {:?}",
            card.card.positions
        );
        assert_eq!(card.card.addresses[0].locality, "Berlin", "{engine}");
        assert!(card.phones.is_empty(), "{engine}");

        // CardDAV clients see the card changed on their next sync.
        let changes = bob.dav_changes(&book, &token).await.unwrap();
        assert!(
            changes.changed.iter().any(|c| c.href.contains(&held)),
            "{engine}: {:?}",
            changes.changed
        );

        // The feed: the job change first, in words; the history keeps it.
        let feed = bob.network_changes(30, 50).await.unwrap();
        assert_eq!(feed[0].kind, "job", "{engine}: {feed:?}");
        assert_eq!(
            feed[0].summary,
            "Annie has a new job: Engineer at Globex (was Engineer at Acme)"
        );
        assert_eq!(feed[0].origin, "member");
        assert!(
            feed.iter().any(|c| c.kind == "city" && c.new == "Berlin"),
            "{engine}"
        );
        assert!(
            feed.iter()
                .any(|c| c.kind == "title" && c.new == "CTO at Globex"),
            "{engine}"
        );
        assert_eq!(bob.person_changes(&held).await.unwrap().len(), feed.len());

        // Ana makes her email private: Bob's own copy of it stays.
        ana.set_card_field("email", "ana@acme.com", Some("private"))
            .await
            .unwrap();
        let card = bob.find_person(&held).await.unwrap();
        assert_eq!(card.emails, ["ana@acme.com"], "{engine}");
        // A new shared email arrives, and goes when Ana removes it.
        ana.set_card_field("email", "ana@globex.com", None)
            .await
            .unwrap();
        assert!(
            bob.find_person(&held)
                .await
                .unwrap()
                .emails
                .contains(&"ana@globex.com".to_string())
        );
        ana.unset_card_field("email", Some("ana@globex.com"))
            .await
            .unwrap();
        assert_eq!(
            bob.find_person(&held).await.unwrap().emails,
            ["ana@acme.com"]
        );

        // Carol is not connected: nothing of Ana's reaches her.
        assert!(
            carol.network_changes(30, 50).await.unwrap().is_empty(),
            "{engine}"
        );
        assert_eq!(
            carol.list_people(&Default::default()).await.unwrap().len(),
            0,
            "{engine}"
        );

        // Bad input is refused with what is wrong.
        for (field, value, vis, says) in [
            ("fax", "1", None, "no card field"),
            ("email", "not-an-address", None, "not an email address"),
            (
                "title",
                "CTO",
                Some("friends"),
                "use private, connections or public",
            ),
            ("headline", "", None, "empty"),
        ] {
            let err = ana.set_card_field(field, value, vis).await.unwrap_err();
            assert!(
                matches!(&err, AppError::Invalid(m) if m.contains(says)),
                "{engine}: {field}: {err}"
            );
        }
    }
}

#[tokio::test]
async fn the_feed_puts_job_changes_and_close_people_first() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, body: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, body).unwrap();
        p
    };
    let card = |uid: &str, name: &str, lines: &str| {
        format!("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{uid}\r\nFN:{name}\r\n{lines}END:VCARD\r\n")
    };
    let first = write(
        "first.vcf",
        &[
            card(
                "c",
                "Cara Close",
                "EMAIL:cara@x.org\r\nORG:Acme\r\nTITLE:Engineer\r\n",
            ),
            card("d", "Dan Distant", "EMAIL:dan@x.org\r\nORG:Umbrella\r\n"),
            card("e", "Eve Far", "EMAIL:eve@x.org\r\n"),
        ]
        .concat(),
    );
    let second = write(
        "second.vcf",
        &[
            card(
                "c",
                "Cara Close",
                "EMAIL:cara@x.org\r\nORG:Globex\r\nTITLE:CTO\r\n",
            ),
            card("d", "Dan Distant", "EMAIL:dan@x.org\r\nORG:Initech\r\n"),
            card("e", "Eve Far", "EMAIL:eve@x.org\r\nEMAIL:eve@new.org\r\n"),
        ]
        .concat(),
    );
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let app = app_as(&store, "ada").await;
        let opts = ImportOptions::default();
        app.import_file(&first, &opts, &NoProgress).await.unwrap();
        assert!(
            app.network_changes(30, 50).await.unwrap().is_empty(),
            "{engine}: first sight is not news"
        );
        for _ in 0..6 {
            app.log_interaction(&NewInteraction {
                people: vec!["eve@x.org".into()],
                kind: InteractionKind::Coffee,
                when: "2 days ago".into(),
                note: None,
                direction: None,
            })
            .await
            .unwrap();
        }
        app.import_file(&second, &opts, &NoProgress).await.unwrap();
        let feed = app.network_changes(30, 50).await.unwrap();
        let order: Vec<(String, String)> = feed
            .iter()
            .map(|c| (c.person.clone(), c.kind.clone()))
            .collect();
        // Eve is close (six coffees): her new address outranks distant
        // people's job changes; those weigh the same, so the newest (Dan,
        // later in the file) comes first.
        assert_eq!(
            order,
            [
                ("Eve Far".to_string(), "email".to_string()),
                ("Dan Distant".into(), "job".into()),
                ("Cara Close".into(), "job".into()),
            ],
            "{engine}: {feed:?}"
        );
        assert!(feed.iter().all(|c| c.origin == "import"));
        // The digest email carries it.
        let digest = app
            .digest(kith_app::digest::DigestEvery::Weekly, "https://k")
            .await
            .unwrap();
        assert!(
            digest.text.contains("What changed in your network"),
            "{}",
            digest.text
        );
        assert!(
            digest
                .text
                .contains("- Cara Close has a new job: CTO at Globex"),
            "{}",
            digest.text
        );
        assert!(digest.subject.contains("3 changed"), "{}", digest.subject);
        assert_eq!(
            feed[2].summary,
            "Cara Close has a new job: CTO at Globex (was Engineer at Acme)"
        );
        // Importing the same file again is not news again.
        app.import_file(&second, &opts, &NoProgress).await.unwrap();
        assert_eq!(
            app.network_changes(30, 50).await.unwrap().len(),
            3,
            "{engine}"
        );
        assert!(app.network_changes(0, 5).await.is_err());
    }
}

#[tokio::test]
async fn public_links_show_public_fields_only_and_die_when_revoked() {
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let ana = app_as(&store, "ana").await;
        ana.set_card_field("name", "Ana Lima", None).await.unwrap();
        ana.set_card_field("title", "CTO", None).await.unwrap();
        ana.set_card_field("email", "ana@globex.com", None)
            .await
            .unwrap();
        ana.set_card_field("phone", "+44 20 7946 0001", Some("private"))
            .await
            .unwrap();
        ana.set_card_field("website", "ana.dev", Some("public"))
            .await
            .unwrap();
        let link = ana.create_card_link().await.unwrap();
        let token = link.token.clone().expect("shown when made");
        assert!(token.len() >= 40, "{engine}: unguessable");
        // Listed afterwards by id only: the secret is not kept.
        let listed = ana.card_links().await.unwrap();
        assert_eq!(listed[0].id, link.id);
        assert_eq!(listed[0].token, None, "{engine}");
        let card = public_card(&store, &token).await.unwrap();
        assert_eq!(card.name, "Ana Lima");
        let labels: Vec<&str> = card.fields.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(labels, ["Name", "Title", "Website"], "{engine}");
        assert!(card.vcard.contains("FN:Ana Lima") && card.vcard.contains("https://ana.dev"));
        assert!(
            !card.vcard.contains("globex.com") && !card.vcard.contains("7946"),
            "{engine}: {}",
            card.vcard
        );
        assert!(matches!(
            public_card(&store, "nope").await,
            Err(AppError::NotFound(_))
        ));
        ana.revoke_card_link(Some(&link.id)).await.unwrap();
        assert!(
            matches!(
                public_card(&store, &token).await,
                Err(AppError::NotFound(_))
            ),
            "{engine}"
        );
        assert!(
            ana.revoke_card_link(None).await.is_err(),
            "{engine}: nothing left to revoke"
        );
    }
}

#[tokio::test]
async fn sending_my_details_honours_unsubscribe_and_the_daily_cap() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let mailer = Mailer::new(&sink.config(), None).unwrap();
    let (store, _guard) = stores().await.into_iter().next().unwrap();
    let ana = app_as(&store, "ana").await;
    ana.set_card_field("name", "Ana Lima", None).await.unwrap();
    ana.set_card_field("email", "ana@globex.com", None)
        .await
        .unwrap();
    ana.set_card_field("phone", "+44 20 7946 0001", Some("private"))
        .await
        .unwrap();
    let mut ids = Vec::new();
    for i in 1..=4 {
        ids.push(
            person(
                &ana,
                &format!("Friend {i}"),
                Some(&format!("f{i}@example.org")),
                None,
            )
            .await,
        );
    }
    let nomail = person(&ana, "No Mail", None, None).await;
    let url = "http://127.0.0.1:9";

    let err = ana.send_card(&ids[..1], None, url).await.unwrap_err();
    assert!(matches!(err, AppError::Mail(_)), "{err}");
    let unknown = kith_core::PersonId::new().to_string();
    let err = ana.send_card(&[unknown], None, url).await.unwrap_err();
    assert!(
        matches!(err, AppError::NotFound(_)),
        "an unknown person first: {err}"
    );
    let report = ana
        .send_card(
            &[ids[0].clone(), ids[1].clone(), nomail],
            Some(&mailer),
            url,
        )
        .await
        .unwrap();
    assert_eq!(report.sent, ["f1@example.org", "f2@example.org"]);
    assert_eq!(report.skipped, ["No Mail: no email address"]);
    let mails = sink.messages();
    assert_eq!(mails.len(), 2);
    let m = &mails[0];
    assert!(
        m.contains("Subject: Ana Lima has new contact details"),
        "{m}"
    );
    assert!(
        m.contains("List-Unsubscribe: <http://127.0.0.1:9/unsubscribe/"),
        "{m}"
    );
    assert!(
        m.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"),
        "{m}"
    );
    assert!(m.contains("Reply-To: ana@globex.com"), "{m}");
    assert!(
        m.contains("text/vcard") && m.contains("Ana Lima.vcf"),
        "{m}"
    );
    assert!(!m.contains("7946"), "a private phone is never sent");

    // Friend 1 unsubscribes; they are not mailed again. The cap (3 a day
    // in these tests) stops the fourth.
    let link = link_in(m, "http://127.0.0.1:9/unsubscribe/");
    let secret = link.rsplit('/').next().unwrap();
    let who = unsubscribe(&store, secret).await.unwrap();
    assert_eq!(
        (who.member.as_str(), who.email.as_str()),
        ("Ana Lima", "f1@example.org")
    );
    let report = ana
        .send_card(
            &[ids[0].clone(), ids[2].clone(), ids[3].clone()],
            Some(&mailer),
            url,
        )
        .await
        .unwrap();
    assert_eq!(report.sent, ["f3@example.org"]);
    assert_eq!(
        report.skipped,
        [
            "Friend 1 <f1@example.org>: unsubscribed from your emails",
            "Friend 4 <f4@example.org>: the limit of 3 emails a day is reached",
        ]
    );
    assert_eq!(sink.messages().len(), 3);
    assert!(unsubscribe(&store, "not-a-link").await.is_err());
}

#[tokio::test]
async fn needs_meet_offers_and_jobs_across_the_network() {
    let sink = SmtpSink::start();
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let me = app_as(&store, "me").await;
        let max = app_as(&store, "max").await;
        let ana = person(&me, "Ana", Some("ana@example.org"), None).await;
        let bob = person(
            &me,
            "Bob",
            Some("bob@example.org"),
            Some(("Globex", "Product Designer")),
        )
        .await;
        let carla = person(&me, "Carla", None, None).await;
        let _dan = person(&me, "Dan", None, Some(("Umbrella", "Accountant"))).await;
        let eve = person(&me, "Eve", None, None).await;
        let _fay = person(&me, "Fay", None, Some(("Initech", "Data Engineer"))).await;
        let gil = person(&me, "Gil", None, None).await;
        let hal = person(&me, "Hal", None, None).await;
        let ivy = person(&me, "Ivy", None, None).await;
        let tags = |t: &[&str]| t.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        me.add_need_offer(Some(&ana), "need", "hiring a product designer", &[])
            .await
            .unwrap();
        me.add_need_offer(
            Some(&carla),
            "offer",
            "UX and product design",
            &tags(&["design"]),
        )
        .await
        .unwrap();
        me.add_need_offer(Some(&eve), "need", "a job in data engineering", &[])
            .await
            .unwrap();
        me.add_need_offer(Some(&gil), "need", "a flat in Berlin", &[])
            .await
            .unwrap();
        me.add_need_offer(Some(&hal), "offer", "knows landlords in Berlin", &[])
            .await
            .unwrap();
        me.add_need_offer(Some(&ivy), "offer", "invests in climate startups", &[])
            .await
            .unwrap();
        // Max, a connected member, keeps a need of his own.
        max.add_need_offer(None, "need", "investors for my climate startup", &[])
            .await
            .unwrap();
        me.invite("max").await.unwrap();
        max.accept("me").await.unwrap();

        let help = me.help_out().await.unwrap();
        let mut got: Vec<(String, Vec<String>)> = help
            .iter()
            .map(|h| {
                let mut names: Vec<String> = h.helpers.iter().map(|x| x.name.clone()).collect();
                names.sort();
                (h.person.clone(), names)
            })
            .collect();
        got.sort();
        let want: Vec<(String, Vec<String>)> = vec![
            ("Ana".into(), vec!["Bob".into(), "Carla".into()]),
            ("Eve".into(), vec!["Fay".into()]),
            ("Gil".into(), vec!["Hal".into()]),
            ("max".into(), vec!["Ivy".into()]),
        ];
        assert_eq!(got, want, "{engine}: {help:#?}");
        // The answer is kept until a book it comes from is written to: a
        // connection's new need shows at once.
        assert_eq!(me.help_out().await.unwrap(), help, "{engine}");
        max.add_need_offer(None, "need", "a data engineer", &[])
            .await
            .unwrap();
        let again = me.help_out().await.unwrap();
        assert_eq!(again.len(), 5, "{engine}: {again:#?}");
        let ana_help = help.iter().find(|h| h.person == "Ana").unwrap();
        assert!(
            ana_help
                .summary
                .starts_with("Ana \u{2014} hiring a product designer: you know 2"),
            "{}",
            ana_help.summary
        );
        assert!(me.needs_offers(Some(&ana)).await.unwrap().len() == 1);
        assert!(
            me.needs_offers(None)
                .await
                .unwrap()
                .iter()
                .any(|n| n.from_member),
            "{engine}"
        );

        // The reach-out list says to give first to Ana.
        me.set_cadence(&ana, Some(7)).await.unwrap();
        let due = me.due().await.unwrap();
        let hint = due
            .iter()
            .find(|d| d.name == "Ana")
            .and_then(|d| d.give_first.clone());
        assert!(
            hint.is_some_and(|h| h.contains("designer")),
            "{engine}: {due:?}"
        );

        // One click: introduce Ana to Bob; Bob says yes; both get the
        // introduction, and it is a favour given to Ana.
        let Some(sink) = &sink else { continue };
        let mailer = Mailer::new(&sink.config(), None).unwrap();
        let before = sink.messages().len();
        let intro = me
            .introduce(
                &ana,
                &bob,
                "Bob designs lovely things",
                Some(&mailer),
                "http://127.0.0.1:9",
            )
            .await
            .unwrap();
        assert_eq!(intro.status, "accepted", "{engine}");
        assert_eq!(
            (
                intro.role.as_str(),
                intro.requester.as_str(),
                intro.person.as_str()
            ),
            ("introducer", "Ana", "Bob")
        );
        let ask = sink.messages()[before].clone();
        assert!(ask.contains("To: bob@example.org"), "{ask}");
        assert!(ask.contains("would like to introduce you to Ana"), "{ask}");
        let link = link_in(&ask, "http://127.0.0.1:9/introductions/answer/");
        let secret = link.rsplit('/').next().unwrap();
        answer_introduction(&store, secret, true, &mailer)
            .await
            .unwrap();
        let after: Vec<String> = sink.messages()[before + 1..].to_vec();
        let to: Vec<bool> = ["ana@example.org", "bob@example.org"]
            .iter()
            .map(|a| after.iter().any(|m| m.contains(&format!("To: {a}"))))
            .collect();
        assert_eq!(to, [true, true], "{engine}: {after:?}");
        let first = after[0].replace("=\r\n", "").replace("=\n", "");
        assert!(
            first.contains("Bob said yes") && first.contains("me wrote:"),
            "{engine}: {first}"
        );
        let favours = me.favours(Some(&ana)).await.unwrap();
        assert_eq!(favours.len(), 1, "{engine}");
        assert_eq!(favours[0].direction, "given");
        assert_eq!(favours[0].what, "introduced them to Bob");
        // Favours by hand, and bad input.
        me.add_favour(&bob, "received", "reviewed my talk")
            .await
            .unwrap();
        assert!(me.add_favour(&bob, "lent", "x").await.is_err());
        assert!(
            me.add_need_offer(Some(&bob), "wish", "x", &[])
                .await
                .is_err()
        );
        assert!(
            me.add_need_offer(Some(&bob), "need", "  ", &[])
                .await
                .is_err()
        );
        assert!(
            me.introduce(&ana, &ana, "", Some(&mailer), "http://x")
                .await
                .is_err()
        );
    }
}

/// Issue 20: what connections learn of a member comes from the member's
/// card alone. Ana imported her own LinkedIn profile and positions (CEO
/// at Globex now, engineer at Initech before); her card keeps the title
/// private and shares no organisation. Bob's card of her, who-at, paths
/// and their hops' reasons say nothing of either job until her card
/// shares the organisation; then exactly that, and still no title.
#[tokio::test]
async fn a_members_own_imported_jobs_reach_connections_only_through_their_card() {
    use kith_app::network::paths::PathTarget;
    use kith_app::network::ties::SharingScope;
    use kith_app::people::PositionEdit;
    use kith_core::ties::Sharing;
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let ana = app_as(&store, "ana").await;
        let bob = app_as(&store, "bob").await;
        let dir = tempfile::tempdir().unwrap();
        let profile = crate::write(
            dir.path(),
            "Profile.csv",
            "First Name,Last Name,Maiden Name,Address,Birth Date,Headline,Summary,Industry,Zip Code,\
             Geo Location,Twitter Handles,Websites,Instant Messengers\n\
             Ana,Lima,,,,CEO at Globex,,,,,,,\n",
        );
        let positions = crate::write(
            dir.path(),
            "Positions.csv",
            "Company Name,Title,Description,Location,Started On,Finished On\n\
             Globex,CEO,,,Jan 2020,\n\
             Initech,Engineer,,,Jan 2014,Dec 2019\n",
        );
        crate::import(&ana, &profile).await;
        crate::import(&ana, &positions).await;
        let me = ana
            .list_people(&Default::default())
            .await
            .unwrap()
            .into_iter()
            .find(|p| p.is_me)
            .expect("Ana's own card");
        assert!(
            serde_json::to_string(&me).unwrap().contains("Globex"),
            "{engine}: {me:?}"
        );
        ana.set_card_field("name", "Ana Lima", None).await.unwrap();
        ana.set_card_field("title", "CEO", Some("private"))
            .await
            .unwrap();
        // A colleague of her Initech years, whom she shares by name.
        let ivan = person(&ana, "Ivan Petrov", Some("ivan@initech.example"), None).await;
        ana.edit_person(
            &ivan,
            &PersonEdit {
                positions: Some(vec![PositionEdit {
                    organization: "Initech".into(),
                    title: "Engineer".into(),
                    start: Some("2013".into()),
                    end: Some("2018".into()),
                }]),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        ana.log_interaction(&NewInteraction {
            people: vec![ivan.clone()],
            kind: InteractionKind::Coffee,
            when: "3 days ago".into(),
            note: None,
            direction: None,
        })
        .await
        .unwrap();
        ana.set_sharing(&SharingScope::All, Some(Sharing::Name))
            .await
            .unwrap();
        bob.invite("ana").await.unwrap();
        ana.accept("bob").await.unwrap();

        let leaks = |what: &str, json: String| {
            for word in ["Globex", "Initech", "CEO"] {
                assert!(!json.contains(word), "{engine}: {what} says {word}: {json}");
            }
        };
        let held = bob.list_people(&Default::default()).await.unwrap();
        assert_eq!(held.len(), 1, "{engine}: {held:?}");
        assert_eq!(held[0].name, "Ana Lima", "{engine}");
        leaks(
            "Bob's card of Ana",
            serde_json::to_string(&bob.find_person(&held[0].id.to_string()).await.unwrap())
                .unwrap(),
        );
        assert!(
            bob.who_at("Globex", 10).await.unwrap().is_empty(),
            "{engine}"
        );
        assert!(
            matches!(
                bob.paths(&PathTarget::Org("Globex".into()), 1).await,
                Err(AppError::NotFound(_))
            ),
            "{engine}"
        );
        let (_, to_ivan) = bob
            .paths(&PathTarget::Person("ivan@initech.example".into()), 3)
            .await
            .unwrap();
        assert!(!to_ivan.is_empty(), "{engine}");
        // Ivan himself is shared by name; his tie to Ana names no job of hers.
        let hops: Vec<String> = to_ivan
            .iter()
            .flat_map(|p| p.hops.iter().flat_map(|h| h.why.clone()))
            .collect();
        assert!(
            hops.iter()
                .any(|w| w.contains("worked together at the same organisation")),
            "{engine}: {hops:?}"
        );
        leaks("the hops to Ivan", serde_json::to_string(&hops).unwrap());
        leaks(
            "the people on the paths to Ivan",
            serde_json::to_string(
                &to_ivan
                    .iter()
                    .flat_map(|p| p.people.iter().map(|x| x.name.clone()))
                    .collect::<Vec<_>>(),
            )
            .unwrap(),
        );

        // Her card shares the organisation: that, and only that, shows.
        ana.set_card_field("organization", "Globex", Some("connections"))
            .await
            .unwrap();
        let at = bob.who_at("Globex", 10).await.unwrap();
        assert_eq!(at.len(), 1, "{engine}: {at:?}");
        assert_eq!(
            (at[0].person.name.as_str(), at[0].title.as_deref()),
            ("Ana Lima", None),
            "{engine}"
        );
        let card = serde_json::to_string(&bob.find_person(&held[0].id.to_string()).await.unwrap())
            .unwrap();
        assert!(
            card.contains("Globex") && !card.contains("CEO"),
            "{engine}: {card}"
        );
    }
}

/// What a second source adds (a LinkedIn export after the phone's vCards,
/// a city written another way) is a difference between sources, not news;
/// the same source saying something new is.
#[tokio::test]
async fn differences_between_sources_are_not_news() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, body: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, body).unwrap();
        p
    };
    let phone = write(
        "phone.vcf",
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Kai Becker\r\nN:Becker;Kai;;;\r\nEMAIL:kai@example.org\r\n\
         ORG:Acme\r\nADR;TYPE=WORK:;;Domplatz 1;Köln;;50667;Germany\r\nEND:VCARD\r\n",
    );
    let other_phone = write(
        "other.vcf",
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Kai Becker\r\nN:Becker;Kai;;;\r\nEMAIL:kai@example.org\r\n\
         TEL:+49 221 555 0101\r\nADR;TYPE=WORK:;;Domplatz 1;Koeln;;50667;Germany\r\nEND:VCARD\r\n",
    );
    let linkedin = write(
        "Connections.csv",
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n\
         Kai,Becker,https://www.linkedin.com/in/kai-becker,kai@example.org,Globex,Engineer,01 Jan 2024\n",
    );
    let newer_linkedin = write(
        "Connections (1).csv",
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n\
         Kai,Becker,https://www.linkedin.com/in/kai-becker,kai@example.org,Initech,Lead,01 Jan 2024\n",
    );
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let app = app_as(&store, "ada").await;
        let opts = ImportOptions::default();
        for file in [&phone, &linkedin] {
            app.import_file(file, &opts, &NoProgress).await.unwrap();
        }
        assert!(
            app.network_changes(30, 50).await.unwrap().is_empty(),
            "{engine}: LinkedIn's company beside the phone's is no job change"
        );
        app.import_file(&other_phone, &opts, &NoProgress)
            .await
            .unwrap();
        let feed = app.network_changes(30, 50).await.unwrap();
        assert!(
            feed.iter().all(|c| c.kind != "city"),
            "{engine}: Koeln is Köln: {feed:?}"
        );
        app.import_file(&newer_linkedin, &opts, &NoProgress)
            .await
            .unwrap();
        let feed = app.network_changes(30, 50).await.unwrap();
        assert!(
            feed.iter()
                .any(|c| c.kind == "job" && c.summary.contains("Lead at Initech")),
            "{engine}: a newer export from the same source is news: {feed:?}"
        );
        // Both exports in one session (one upload, one `kith import`):
        // the user's first sight of Kai, no news.
        let bea = app_as(&store, "bea").await;
        let session = ImportOptions {
            session_start: Some(kith_app::types::now_micros()),
            ..Default::default()
        };
        for file in [&linkedin, &newer_linkedin] {
            bea.import_file(file, &session, &NoProgress).await.unwrap();
        }
        assert!(
            bea.network_changes(30, 50).await.unwrap().is_empty(),
            "{engine}: one session's files are a first import"
        );
    }
}
