//! The network: ties set by hand and inferred, paths through the user's
//! own address book and their connections', members connecting, what each
//! sharing setting lets another member learn, introductions end to end
//! through a real SMTP server, and two servers' graphs following each
//! other through the database.

use crate::app_as;
use kith_app::interactions::NewInteraction;
use kith_app::mailer::Mailer;
use kith_app::network::members::verify_member_email;
use kith_app::network::paths::{PathTarget, PathView};
use kith_app::network::ties::SharingScope;
use kith_app::people::{PersonEdit, PositionEdit};
use kith_app::testing::{SmtpSink, while_network_is_read};
use kith_app::{App, AppError};
use kith_core::InteractionKind;
use kith_core::ties::Sharing;
use kith_store::Store;
use kith_store::testing::stores;

async fn person(app: &App, name: &str, email: &str, org: Option<(&str, &str)>) -> String {
    app.add_person(&PersonEdit {
        name: Some(name.into()),
        add_emails: vec![email.into()],
        organization: org.map(|o| o.0.to_string()),
        title: org.map(|o| o.1.to_string()),
        ..Default::default()
    })
    .await
    .unwrap()
    .id
    .to_string()
}

async fn meet(app: &App, people: &[&str], times: usize) {
    for _ in 0..times {
        app.log_interaction(&NewInteraction {
            people: people.iter().map(|p| p.to_string()).collect(),
            kind: InteractionKind::Coffee,
            when: "3 days ago".into(),
            note: None,
            direction: None,
        })
        .await
        .unwrap();
    }
}

/// Verifies an address for a member as the link in their mail would.
async fn verify(store: &Store, app: &App, email: &str) {
    let secret = format!("test-secret-{email}");
    store
        .add_member_email(app.account, email, &kith_app::auth::secret_hash(&secret))
        .await
        .unwrap();
    verify_member_email(store, &secret).await.unwrap();
}

async fn connect(a: &App, b: &App, b_name: &str, a_name: &str) {
    a.invite(b_name).await.unwrap();
    b.accept(a_name).await.unwrap();
}

fn names(p: &PathView) -> Vec<String> {
    p.people.iter().map(|x| x.name.clone()).collect()
}

#[tokio::test]
async fn paths_in_one_address_book_prefer_a_strong_friend_to_a_weak_direct_tie() {
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let ada = app_as(&store, "ada").await;
        let ana = person(&ada, "Ana Costa", "ana@example.org", None).await;
        let zoe = person(
            &ada,
            "Zoe Zhang",
            "zoe@corp.example",
            Some(("Globex", "CTO")),
        )
        .await;
        meet(&ada, &[&ana], 8).await;
        // A tie set by hand between two contacts, with its kind's strength.
        ada.set_tie(&ana, "zoe@corp.example", "friend", None)
            .await
            .unwrap();
        let (label, paths) = ada
            .paths(&PathTarget::Person(zoe.clone()), 3)
            .await
            .unwrap();
        assert_eq!(label, "Zoe Zhang", "{engine}");
        assert_eq!(
            names(&paths[0])[1..],
            ["Ana Costa", "Zoe Zhang"],
            "{engine}: {paths:?}"
        );
        assert_eq!(paths[0].hops[1].why, ["friend (set by hand)"], "{engine}");
        assert!((paths[0].hops[1].strength - 0.8).abs() < 1e-6, "{engine}");
        assert!(
            paths[0].hops[0].why[0].starts_with("your tie: "),
            "{engine}: {:?}",
            paths[0].hops[0]
        );
        assert!(
            (paths[0].strength - paths[0].hops[0].strength * 0.8).abs() < 1e-6,
            "{engine}"
        );
        assert_eq!(
            names(&paths[1])[1..],
            ["Zoe Zhang"],
            "{engine}: the direct tie comes second"
        );
        assert_eq!(paths[1].hops[0].why, ["in your address book"], "{engine}");
        assert_eq!(paths[0].people[1].degree, Some(1), "{engine}");
        // Also by name, email and as anyone at the organisation.
        for target in [
            PathTarget::Person("zoe zhang".into()),
            PathTarget::Person("ZOE@corp.example".into()),
        ] {
            assert_eq!(
                ada.paths(&target, 1).await.unwrap().1[0],
                paths[0],
                "{engine}"
            );
        }
        let (_, org) = ada
            .paths(&PathTarget::Org("globex".into()), 1)
            .await
            .unwrap();
        assert_eq!(org[0].people, paths[0].people, "{engine}");
        let (_, by_domain) = ada
            .paths(&PathTarget::Org("corp.example".into()), 1)
            .await
            .unwrap();
        assert_eq!(by_domain[0].people, paths[0].people, "{engine}");

        // The same graph follows the change: a weaker strength by hand.
        ada.set_tie(&ana, &zoe, "vendor", Some(0.01)).await.unwrap();
        let (_, paths) = ada
            .paths(&PathTarget::Person(zoe.clone()), 1)
            .await
            .unwrap();
        assert_eq!(names(&paths[0])[1..], ["Zoe Zhang"], "{engine}");
        assert!(ada.remove_tie(&zoe, &ana).await.unwrap(), "{engine}");
        assert!(!ada.remove_tie(&zoe, &ana).await.unwrap(), "{engine}");
        assert_eq!(
            ada.paths(&PathTarget::Person(zoe.clone()), 5)
                .await
                .unwrap()
                .1
                .len(),
            1,
            "{engine}"
        );

        // Clear answers for what has no path.
        let err = |r: Result<(String, Vec<PathView>), AppError>| r.unwrap_err().to_string();
        assert!(
            err(ada
                .paths(&PathTarget::Person("nobody@nowhere.example".into()), 1)
                .await)
            .contains("nobody you can reach through your network is known as"),
            "{engine}"
        );
        assert!(
            err(ada.paths(&PathTarget::Org("Initech".into()), 1).await)
                .contains("is at \"Initech\" now"),
            "{engine}"
        );
        assert!(
            err(ada.paths(&PathTarget::Person(zoe.clone()), 0).await).contains("between 1 and 20"),
            "{engine}"
        );
        assert!(
            err(ada.paths(&PathTarget::Person(zoe.clone()), 1_000_000).await)
                .contains("between 1 and 20"),
            "{engine}"
        );
        ada.add_person(&PersonEdit {
            name: Some("Zoe Zhang".into()),
            ..Default::default()
        })
        .await
        .unwrap();
        assert!(
            err(ada.paths(&PathTarget::Person("Zoe Zhang".into()), 1).await)
                .contains("2 people match"),
            "{engine}"
        );
        assert!(
            ada.set_tie(&ana, &ana, "friend", None)
                .await
                .unwrap_err()
                .to_string()
                .contains("two different people")
        );
        assert!(
            ada.set_tie(&ana, &zoe, "rival", None)
                .await
                .unwrap_err()
                .to_string()
                .contains("use one of colleague")
        );
        assert!(
            ada.set_tie(&ana, &zoe, "friend", Some(1.5))
                .await
                .unwrap_err()
                .to_string()
                .contains("at most 1")
        );
    }
}

#[tokio::test]
async fn ties_are_inferred_from_shared_meetings_and_overlapping_positions() {
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let ada = app_as(&store, "ada").await;
        let ana = person(&ada, "Ana Costa", "ana@example.org", None).await;
        let ben = person(&ada, "Ben Okafor", "ben@example.org", None).await;
        meet(&ada, &[&ana, &ben], 3).await;
        let work = |start: &str, end: Option<&str>| PositionEdit {
            organization: "Initech".into(),
            title: "Engineer".into(),
            start: Some(start.into()),
            end: end.map(str::to_string),
        };
        for (who, p) in [
            (&ana, work("2018-01", Some("2021-12"))),
            (&ben, work("2019-01", Some("2020-12"))),
        ] {
            ada.edit_person(
                who,
                &PersonEdit {
                    positions: Some(vec![p]),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        }
        let ties = ada.ties_of(&ana).await.unwrap();
        let with_ben = ties
            .iter()
            .find(|t| t.name == "Ben Okafor")
            .expect("a tie to Ben");
        assert_eq!(
            with_ben.why,
            [
                "3 meetings together",
                "worked together at Initech for 2 years"
            ],
            "{engine}: {ties:?}"
        );
        assert!(
            with_ben.kind.is_none() && with_ben.strength > 0.6,
            "{engine}: {with_ben:?}"
        );
        assert!(
            ties.iter().any(|t| t.name.ends_with("(you)")),
            "{engine}: the user's own tie is listed"
        );
    }
}

/// Ada is connected to Bob; Bob knows Zed at Acme; Carol (not connected
/// to Ada) knows Zed too and shares names.
async fn matrix(store: &Store) -> (App, App, App) {
    let ada = app_as(store, "ada").await;
    let bob = app_as(store, "bob").await;
    let carol = app_as(store, "carol").await;
    let zed = person(
        &bob,
        "Zed Target",
        "zed@acme.example",
        Some(("Acme", "CTO")),
    )
    .await;
    meet(&bob, &[&zed], 5).await;
    let zed_c = person(
        &carol,
        "Zed Target",
        "zed@acme.example",
        Some(("Acme", "CTO")),
    )
    .await;
    meet(&carol, &[&zed_c], 5).await;
    carol
        .set_sharing(&SharingScope::All, Some(Sharing::Name))
        .await
        .unwrap();
    (ada, bob, carol)
}

#[tokio::test]
async fn each_sharing_setting_shows_another_member_what_it_says_and_no_more() {
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let (ada, bob, carol) = matrix(&store).await;
        let to_zed = PathTarget::Person("zed@acme.example".into());
        let unknown = ada
            .paths(&PathTarget::Person("nobody@nowhere.example".into()), 1)
            .await
            .unwrap_err()
            .to_string();
        let unknown_for = |t: &str| unknown.replace("nobody@nowhere.example", t);
        // Not connected yet (an invitation is not a connection): nothing.
        ada.invite("bob").await.unwrap();
        assert_eq!(
            ada.paths(&to_zed, 3).await.unwrap_err().to_string(),
            unknown_for("zed@acme.example"),
            "{engine}"
        );
        assert!(ada.who_at("Acme", 10).await.unwrap().is_empty(), "{engine}");
        bob.accept("ada").await.unwrap();

        // The default: someone at the organisation with the title.
        let (_, paths) = ada.paths(&to_zed, 3).await.unwrap();
        assert_eq!(
            paths.len(),
            1,
            "{engine}: Carol's Zed is out of reach: {paths:?}"
        );
        assert_eq!(
            names(&paths[0])[1..],
            ["bob", "someone at Acme (CTO)"],
            "{engine}"
        );
        assert_eq!(
            paths[0].people[1].member.as_deref(),
            Some("bob"),
            "{engine}"
        );
        assert_eq!(paths[0].people[2].id, None, "{engine}");
        assert_eq!(paths[0].people[2].degree, Some(2), "{engine}");
        assert_eq!(
            paths[0].hops[1].why[0].split(':').next(),
            Some("bob's tie"),
            "{engine}: {:?}",
            paths[0].hops
        );
        let json = serde_json::to_string(&paths).unwrap();
        assert!(
            !json.contains("Zed") && !json.contains("zed@"),
            "{engine}: {json}"
        );
        let at_acme = ada.who_at("acme", 10).await.unwrap();
        assert_eq!(at_acme.len(), 1, "{engine}");
        assert_eq!(at_acme[0].person.name, "someone at Acme (CTO)", "{engine}");
        assert_eq!(at_acme[0].via, ["bob"], "{engine}");

        // A past employer stays hidden behind a role.
        let yuri = person(&bob, "Yuri Past", "yuri@initech.example", None).await;
        let past = |start: &str, end: Option<&str>, org: &str, title: &str| PositionEdit {
            organization: org.into(),
            title: title.into(),
            start: Some(start.into()),
            end: end.map(str::to_string),
        };
        bob.edit_person(
            &yuri,
            &PersonEdit {
                positions: Some(vec![past("2015", Some("2019"), "Initech", "Engineer")]),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let zed_jobs = vec![
            past("2016", Some("2018"), "Initech", "Engineer"),
            past("2019", None, "Acme", "CTO"),
        ];
        bob.edit_person(
            "zed@acme.example",
            &PersonEdit {
                positions: Some(zed_jobs),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        meet(&bob, &[&yuri], 5).await;
        let reasons = |paths: &[PathView]| -> Vec<String> {
            paths
                .iter()
                .flat_map(|p| p.hops.iter().flat_map(|h| h.why.clone()))
                .collect()
        };
        let (_, paths) = ada.paths(&to_zed, 5).await.unwrap();
        assert!(
            reasons(&paths)
                .contains(&"worked together at the same organisation for 3 years".to_string()),
            "{engine}: {paths:?}"
        );
        assert!(
            !serde_json::to_string(&paths).unwrap().contains("Initech"),
            "{engine}"
        );

        // By name.
        bob.set_sharing(&SharingScope::All, Some(Sharing::Name))
            .await
            .unwrap();
        let (_, paths) = ada.paths(&to_zed, 3).await.unwrap();
        assert_eq!(names(&paths[0])[1..], ["bob", "Zed Target"], "{engine}");
        let (_, five) = ada.paths(&to_zed, 5).await.unwrap();
        assert!(
            reasons(&five).contains(&"worked together at Initech for 3 years".to_string()),
            "{engine}: {five:?}"
        );

        // A rule for a tag, then for the person, win over the account's.
        bob.edit_person(
            "zed@acme.example",
            &PersonEdit {
                add_tags: vec!["Board".into()],
                ..Default::default()
            },
        )
        .await
        .unwrap();
        bob.set_sharing(&SharingScope::Tag("board".into()), Some(Sharing::Nothing))
            .await
            .unwrap();
        assert_eq!(
            ada.paths(&to_zed, 3).await.unwrap_err().to_string(),
            unknown_for("zed@acme.example"),
            "{engine}"
        );
        assert_eq!(
            ada.paths(&PathTarget::Org("Acme".into()), 3)
                .await
                .unwrap_err()
                .to_string(),
            "nobody you can reach through your network is at \"Acme\" now",
            "{engine}"
        );
        bob.set_sharing(
            &SharingScope::Person("Zed Target".into()),
            Some(Sharing::Role),
        )
        .await
        .unwrap();
        let (_, paths) = ada.paths(&to_zed, 3).await.unwrap();
        assert_eq!(names(&paths[0])[2], "someone at Acme (CTO)", "{engine}");
        let shared = bob.sharing().await.unwrap();
        assert_eq!(
            (shared.default, shared.tags.len(), shared.people.len()),
            (Sharing::Name, 1, 1),
            "{engine}"
        );

        // Nothing at all: even an email Ada knows leads nowhere through Bob.
        bob.set_sharing(&SharingScope::Person("Zed Target".into()), None)
            .await
            .unwrap();
        bob.set_sharing(&SharingScope::Tag("board".into()), None)
            .await
            .unwrap();
        bob.set_sharing(&SharingScope::All, Some(Sharing::Nothing))
            .await
            .unwrap();
        assert_eq!(
            ada.paths(&to_zed, 3).await.unwrap_err().to_string(),
            unknown_for("zed@acme.example"),
            "{engine}"
        );
        assert!(ada.who_at("Acme", 10).await.unwrap().is_empty(), "{engine}");
        // Bob himself is still a connection Ada can reach.
        let (_, to_bob) = ada
            .paths(&PathTarget::Person("bob".into()), 1)
            .await
            .unwrap();
        assert_eq!(names(&to_bob[0]), ["ada", "bob"], "{engine}");
        assert_eq!(
            to_bob[0].people[1].member.as_deref(),
            Some("bob"),
            "{engine}"
        );
        // A request for an introduction learns no more than a path does.
        verify(&store, &ada, "ada@home.example").await;
        assert_eq!(
            ada.request_introduction(&to_zed, "bob", "hi")
                .await
                .unwrap_err()
                .to_string(),
            unknown_for("zed@acme.example"),
            "{engine}"
        );
        // Carol is no connection: her contacts never count, whatever she shares.
        assert!(carol.paths(&to_zed, 1).await.is_ok(), "{engine}");
        assert!(
            ada.connections()
                .await
                .unwrap()
                .iter()
                .all(|c| c.name != "carol"),
            "{engine}"
        );
    }
}

#[tokio::test]
async fn members_connect_and_get_each_others_cards() {
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let ada = app_as(&store, "ada").await;
        let bob = app_as(&store, "bob").await;
        let dan = app_as(&store, "dan").await;
        verify(&store, &bob, "bob@work.example").await;
        // Ada already has Bob's card under that address: it gets linked.
        let bob_card = person(&ada, "Robert Builder", "bob@work.example", None).await;
        let ppl = ada.people_you_may_know().await.unwrap();
        assert_eq!(ppl.len(), 1, "{engine}: {ppl:?}");
        assert_eq!(
            (ppl[0].name.as_str(), ppl[0].reason.as_str()),
            ("bob", "Robert Builder in your address book is this member")
        );
        assert!(
            ada.invite("ada")
                .await
                .unwrap_err()
                .to_string()
                .contains("that is you"),
            "{engine}"
        );
        assert!(
            ada.invite("nobody")
                .await
                .unwrap_err()
                .to_string()
                .contains("no member is called"),
            "{engine}"
        );
        assert_eq!(ada.invite("bob").await.unwrap(), "invited bob", "{engine}");
        assert!(
            ada.invite("bob")
                .await
                .unwrap_err()
                .to_string()
                .contains("not answered yet"),
            "{engine}"
        );
        assert_eq!(
            ada.connections().await.unwrap()[0].status,
            "invited",
            "{engine}"
        );
        assert_eq!(
            bob.connections().await.unwrap()[0].status,
            "invited_you",
            "{engine}"
        );
        assert!(
            ada.accept("bob")
                .await
                .unwrap_err()
                .to_string()
                .contains("has not invited you"),
            "{engine}"
        );
        bob.accept("ada").await.unwrap();
        assert_eq!(
            ada.connections().await.unwrap()[0].status,
            "connected",
            "{engine}"
        );
        assert!(
            ada.people_you_may_know().await.unwrap().is_empty(),
            "{engine}"
        );
        // Ada's existing card is linked, not duplicated; Bob gets a new one.
        assert_eq!(
            ada.list_people(&Default::default()).await.unwrap().len(),
            1,
            "{engine}"
        );
        let bobs = bob.list_people(&Default::default()).await.unwrap();
        assert_eq!(
            bobs.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
            ["ada"],
            "{engine}"
        );
        let (_, to_bob) = ada
            .paths(&PathTarget::Person(bob_card.clone()), 1)
            .await
            .unwrap();
        assert_eq!(names(&to_bob[0]), ["ada", "Robert Builder"], "{engine}");
        assert_eq!(
            to_bob[0].people[1].member.as_deref(),
            Some("bob"),
            "{engine}"
        );

        // Dan declines; then members two of Ada's connections know are suggested.
        dan.invite("ada").await.unwrap();
        ada.decline("dan").await.unwrap();
        assert_eq!(
            ada.connections()
                .await
                .unwrap()
                .iter()
                .find(|c| c.name == "dan")
                .unwrap()
                .status,
            "declined"
        );
        let eve = app_as(&store, "eve").await;
        let fay = app_as(&store, "fay").await;
        connect(&ada, &eve, "eve", "ada").await;
        connect(&bob, &fay, "fay", "bob").await;
        connect(&eve, &fay, "fay", "eve").await;
        let ppl = ada.people_you_may_know().await.unwrap();
        assert!(
            ppl.iter()
                .any(|s| s.name == "fay" && s.reason == "connected to bob and eve"),
            "{engine}: {ppl:?}"
        );
        ada.disconnect("eve").await.unwrap();
        assert!(ada.disconnect("eve").await.is_err(), "{engine}");
    }
}

#[tokio::test]
async fn two_servers_on_one_database_follow_each_others_changes() {
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let ada = app_as(&store, "ada").await;
        let server_a = ada.clone().with_network(kith_app::network::Network::new());
        let server_b = ada.clone().with_network(kith_app::network::Network::new());
        let ana = person(&ada, "Ana Costa", "ana@example.org", None).await;
        let zoe = person(&ada, "Zoe Zhang", "zoe@example.org", None).await;
        meet(&ada, &[&ana], 5).await;
        assert_eq!(
            server_b
                .paths(&PathTarget::Person(zoe.clone()), 1)
                .await
                .unwrap()
                .1[0]
                .people
                .len(),
            2,
            "{engine}"
        );
        server_a.set_tie(&ana, &zoe, "family", None).await.unwrap();
        assert_eq!(
            names(
                &server_b
                    .paths(&PathTarget::Person(zoe.clone()), 1)
                    .await
                    .unwrap()
                    .1[0]
            )[1..],
            ["Ana Costa", "Zoe Zhang"],
            "{engine}"
        );
    }
}

/// The names of the people at an organisation the app's user can reach.
async fn at(app: &App, org: &str) -> Vec<String> {
    let mut names: Vec<String> = app
        .who_at(org, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.person.name)
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn the_network_follows_each_edit_merge_and_deletion_of_a_card() {
    for (store, _guard) in stores().await {
        let engine = store.engine();
        // One app all along: after the first load, each query brings the
        // graph up to date from the people the change log names.
        let ada = app_as(&store, "ada").await;
        let zoe = person(
            &ada,
            "Zoe Zhang",
            "zoe@example.org",
            Some(("Globex", "CTO")),
        )
        .await;
        assert_eq!(at(&ada, "Globex").await, ["Zoe Zhang"], "{engine}");
        ada.edit_person(
            &zoe,
            &PersonEdit {
                positions: Some(vec![
                    PositionEdit {
                        organization: "Globex".into(),
                        title: "CTO".into(),
                        start: Some("2019".into()),
                        end: Some("2026-01".into()),
                    },
                    PositionEdit {
                        organization: "Initech".into(),
                        title: "CEO".into(),
                        start: Some("2026-02".into()),
                        end: None,
                    },
                ]),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert!(at(&ada, "Globex").await.is_empty(), "{engine}");
        assert_eq!(at(&ada, "Initech").await, ["Zoe Zhang"], "{engine}");
        let again = person(
            &ada,
            "Zoe Z.",
            "zoe.z@example.net",
            Some(("Initech", "CEO")),
        )
        .await;
        assert_eq!(
            at(&ada, "Initech").await,
            ["Zoe Z.", "Zoe Zhang"],
            "{engine}"
        );
        ada.merge_people(&zoe, &again).await.unwrap();
        assert_eq!(at(&ada, "Initech").await, ["Zoe Zhang"], "{engine}");
        ada.delete_person(&zoe).await.unwrap();
        assert!(at(&ada, "Initech").await.is_empty(), "{engine}");
    }
}

#[tokio::test]
async fn the_same_person_in_two_books_follows_an_edit_of_either() {
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let server = kith_app::network::Network::new();
        let ada = app_as(&store, "ada").await.with_network(server.clone());
        let bob = app_as(&store, "bob").await.with_network(server.clone());
        connect(&ada, &bob, "bob", "ada").await;
        // Ada knows Ana well; Bob has Ana's card too, and Ana is family to
        // Zed, whom Bob barely knows: Ada's best way to Zed is through Ana.
        let ana = person(&ada, "Ana Costa", "ana@example.org", None).await;
        meet(&ada, &[&ana], 6).await;
        let ana_b = person(&bob, "Ana C.", "ana@example.org", None).await;
        let zed = person(
            &bob,
            "Zed Target",
            "zed@acme.example",
            Some(("Acme", "CTO")),
        )
        .await;
        bob.set_tie(&ana_b, &zed, "family", None).await.unwrap();
        let best = |app: App| async move {
            let (_, paths) = app
                .paths(&PathTarget::Person("zed@acme.example".into()), 1)
                .await
                .unwrap();
            names(&paths[0])[1..].to_vec()
        };
        let through_ana = ["Ana Costa", "someone at Acme (CTO)"];
        let through_bob = ["bob", "someone at Acme (CTO)"];
        assert_eq!(best(ada.clone()).await, through_ana, "{engine}");
        // Another card of Ada's changes: the tie through Ana stays.
        person(&ada, "Ivo Ivanov", "ivo@example.org", None).await;
        assert_eq!(best(ada.clone()).await, through_ana, "{engine}");
        // Ada's Ana no longer shares an address with Bob's: the tie goes.
        let edit = |add: &str, remove: &str| PersonEdit {
            add_emails: vec![add.into()],
            remove_emails: vec![remove.into()],
            ..Default::default()
        };
        ada.edit_person(&ana, &edit("ana@other.example", "ana@example.org"))
            .await
            .unwrap();
        assert_eq!(best(ada.clone()).await, through_bob, "{engine}");
        ada.edit_person(&ana, &edit("ana@example.org", "ana@other.example"))
            .await
            .unwrap();
        assert_eq!(best(ada.clone()).await, through_ana, "{engine}");
        // The same from Bob's side, and Bob's tie going.
        bob.edit_person(&ana_b, &edit("ana.c@example.net", "ana@example.org"))
            .await
            .unwrap();
        assert_eq!(best(ada.clone()).await, through_bob, "{engine}");
        bob.edit_person(&ana_b, &edit("ana@example.org", "ana.c@example.net"))
            .await
            .unwrap();
        assert_eq!(best(ada.clone()).await, through_ana, "{engine}");
        bob.delete_person(&ana_b).await.unwrap();
        assert_eq!(best(ada.clone()).await, through_bob, "{engine}");
    }
}

#[tokio::test]
async fn queries_of_two_members_read_one_server_network_side_by_side() {
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let server = kith_app::network::Network::new();
        let ada = app_as(&store, "ada").await.with_network(server.clone());
        let bob = app_as(&store, "bob").await.with_network(server.clone());
        person(&ada, "Ana Costa", "ana@example.org", None).await;
        let zoe = person(&bob, "Zoe Zhang", "zoe@example.org", None).await;
        let to_zoe = PathTarget::Person(zoe);
        // Bob's part loaded first: only a reload writes the graph.
        bob.paths(&to_zoe, 1).await.unwrap();
        let during = tokio::time::timeout(
            std::time::Duration::from_secs(30),
            while_network_is_read(&ada, bob.paths(&to_zoe, 1)),
        )
        .await
        .unwrap_or_else(|_| panic!("{engine}: Bob's path waited for Ada's query"))
        .unwrap()
        .unwrap();
        assert_eq!(names(&during.1[0]), ["bob", "Zoe Zhang"], "{engine}");
    }
}

#[tokio::test]
async fn an_introduction_goes_through_both_opt_ins_by_email() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let mailer = Mailer::new(&sink.config(), None).unwrap();
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let (ada, bob, _carol) = matrix(&store).await;
        connect(&ada, &bob, "bob", "ada").await;
        let to_zed = PathTarget::Person("zed@acme.example".into());
        assert!(
            ada.request_introduction(&to_zed, "bob", "hi")
                .await
                .unwrap_err()
                .to_string()
                .contains("verify your email")
        );
        verify(&store, &ada, "ada@home.example").await;
        verify(&store, &bob, "bob@work.example").await;
        assert!(
            ada.request_introduction(&to_zed, "carol", "hi")
                .await
                .unwrap_err()
                .to_string()
                .contains("not connected")
        );
        let long = "x".repeat(3000);
        assert!(
            ada.request_introduction(&to_zed, "bob", &long)
                .await
                .unwrap_err()
                .to_string()
                .contains("too long")
        );

        let asked = ada
            .request_introduction(&to_zed, "bob", "We both build compilers.")
            .await
            .unwrap();
        assert_eq!(
            (
                asked.role.as_str(),
                asked.person.as_str(),
                asked.status.as_str()
            ),
            ("requester", "someone at Acme (CTO)", "asked")
        );
        assert!(
            ada.request_introduction(&to_zed, "bob", "again")
                .await
                .unwrap_err()
                .to_string()
                .contains("already")
        );
        let seen = bob.introductions().await.unwrap();
        assert_eq!(
            (seen[0].role.as_str(), seen[0].person.as_str()),
            ("broker", "Zed Target"),
            "{engine}"
        );
        assert!(
            ada.accept_introduction(asked.id, Some(&mailer), "https://k.example")
                .await
                .is_err(),
            "{engine}: not Ada's to accept"
        );
        // Another member cannot even see it.
        let carol = app_as(&store, "carol").await;
        assert!(
            matches!(
                carol.introduction(asked.id).await,
                Err(AppError::NotFound(_))
            ),
            "{engine}"
        );

        let before = sink.messages().len();
        let accepted = bob
            .accept_introduction(asked.id, Some(&mailer), "https://k.example")
            .await
            .unwrap();
        assert_eq!(accepted.status, "accepted", "{engine}");
        let mails = sink.messages();
        assert_eq!(mails.len(), before + 1, "{engine}");
        let ask = &mails[before];
        assert!(
            ask.contains("To: zed@acme.example")
                && ask.contains("would like to introduce you to ada"),
            "{engine}: {ask}"
        );
        assert!(
            !ask.contains("ada@home.example"),
            "{engine}: nothing of Ada's is shared before Zed says yes"
        );
        let ask = ask
            .replace("=\r\n", "")
            .replace("=\n", "")
            .replace("=3D", "=");
        let secret = ask
            .split("/introductions/answer/")
            .nth(1)
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap()
            .trim_end_matches('"')
            .to_string();
        let invite = kith_app::network::intros::introduction_invite(&store, &secret)
            .await
            .unwrap();
        assert_eq!(
            (invite.broker.as_str(), invite.requester.as_str()),
            ("bob", "ada"),
            "{engine}"
        );

        let done = kith_app::network::intros::answer_introduction(&store, &secret, true, &mailer)
            .await
            .unwrap();
        assert_eq!(done.status, "introduced", "{engine}");
        let mails = sink.messages();
        assert_eq!(
            mails.len(),
            before + 4,
            "{engine}: Zed, Ada and Bob each get the introduction"
        );
        for (i, to) in ["zed@acme.example", "ada@home.example", "bob@work.example"]
            .iter()
            .enumerate()
        {
            let m = &mails[before + 1 + i];
            assert!(
                m.contains(&format!("To: {to}"))
                    && m.contains("Subject: Introduction: ada and Zed Target"),
                "{engine}: {m}"
            );
        }
        assert!(
            kith_app::network::intros::answer_introduction(&store, &secret, true, &mailer)
                .await
                .is_err(),
            "{engine}: used"
        );
        assert_eq!(
            ada.introduction(asked.id).await.unwrap().status,
            "introduced",
            "{engine}"
        );
        // Each step is an interaction: Ada's tie to Bob now has four.
        let bob_card = ada
            .list_people(&Default::default())
            .await
            .unwrap()
            .into_iter()
            .find(|p| p.name == "bob")
            .unwrap();
        let logged = ada
            .interactions(&bob_card.id.to_string(), 10)
            .await
            .unwrap();
        assert_eq!(logged.len(), 2, "{engine}: asked, introduced: {logged:?}");
        assert!(
            logged
                .iter()
                .all(|i| i.kind == InteractionKind::Introduction),
            "{engine}"
        );

        // Withdrawn and declined requests; a member who refuses all.
        let again = ada.request_introduction(&to_zed, "bob", "").await.unwrap();
        ada.withdraw_introduction(again.id).await.unwrap();
        assert!(
            bob.decline_introduction(again.id).await.is_err(),
            "{engine}: withdrawn already"
        );
        let third = ada.request_introduction(&to_zed, "bob", "").await.unwrap();
        assert_eq!(
            bob.decline_introduction(third.id).await.unwrap().status,
            "declined",
            "{engine}"
        );
        bob.set_refuse_introductions(true).await.unwrap();
        assert!(
            ada.request_introduction(&to_zed, "bob", "")
                .await
                .unwrap_err()
                .to_string()
                .contains("does not take")
        );
    }
}

/// What Ada's path query by an email gets through her connections: the
/// name shown at its end, or None when nobody she may see is known by it.
async fn shown_as(ada: &App, email: &str) -> Option<String> {
    match ada.paths(&PathTarget::Person(email.into()), 1).await {
        Ok((_, paths)) => paths.first().and_then(|p| names(p).last().cloned()),
        Err(AppError::NotFound(_)) => None,
        Err(e) => panic!("path to {email}: {e}"),
    }
}

/// Issue 20: a member's sharing rule follows the person it was set on
/// through merge and unmerge (a merged person keeps the most private
/// level of its parts, tag rules included), an import merging into them,
/// and the trash.
#[tokio::test]
async fn sharing_rules_follow_people_through_merges_imports_and_the_trash() {
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let ada = app_as(&store, "ada").await;
        let bob = app_as(&store, "bob").await;
        connect(&ada, &bob, "bob", "ada").await;
        let zed = person(
            &bob,
            "Zed Target",
            "zed@globex.example",
            Some(("Globex", "CEO")),
        )
        .await;
        let other = person(&bob, "Zed T", "zt@home.example", None).await;
        meet(&bob, &[&zed, &other], 5).await;
        bob.set_sharing(&SharingScope::Person(zed.clone()), Some(Sharing::Nothing))
            .await
            .unwrap();
        assert_eq!(shown_as(&ada, "zed@globex.example").await, None, "{engine}");
        assert_eq!(
            shown_as(&ada, "zt@home.example").await.as_deref(),
            Some("someone bob knows"),
            "{engine}"
        );

        // Merged either way round, the hidden part hides the whole person.
        for (survivor, absorbed) in [(&other, &zed), (&zed, &other)] {
            bob.merge_people(survivor, absorbed).await.unwrap();
            for email in ["zed@globex.example", "zt@home.example"] {
                assert_eq!(
                    shown_as(&ada, email).await,
                    None,
                    "{engine}: {email} after merging into {survivor}"
                );
            }
            let rules = bob.sharing().await.unwrap().people;
            assert_eq!(
                rules
                    .iter()
                    .map(|r| (r.id.to_string(), r.level))
                    .collect::<Vec<_>>(),
                [(survivor.to_string(), Sharing::Nothing)],
                "{engine}"
            );
            // Undone, each part goes back to its own rule.
            bob.unmerge(absorbed).await.unwrap();
            assert_eq!(shown_as(&ada, "zed@globex.example").await, None, "{engine}");
            assert_eq!(
                shown_as(&ada, "zt@home.example").await.as_deref(),
                Some("someone bob knows"),
                "{engine}"
            );
        }

        // The merged person's own rule, set after the merge, is theirs.
        bob.merge_people(&other, &zed).await.unwrap();
        bob.set_sharing(&SharingScope::Person(other.clone()), Some(Sharing::Name))
            .await
            .unwrap();
        assert_eq!(
            shown_as(&ada, "zed@globex.example").await.as_deref(),
            Some("Zed T"),
            "{engine}"
        );
        bob.unmerge(&zed).await.unwrap();
        bob.set_sharing(&SharingScope::Person(zed.clone()), Some(Sharing::Nothing))
            .await
            .unwrap();
        bob.set_sharing(&SharingScope::Person(other.clone()), None)
            .await
            .unwrap();

        // A tag's rule follows the tag: Yves is hidden by his, Yan is
        // shared by name; merged, Yan carries the tag and hides too.
        let yan = person(&bob, "Yan Li", "yan@initech.example", None).await;
        let yves = person(&bob, "Yan L", "yan.l@home.example", None).await;
        meet(&bob, &[&yan, &yves], 5).await;
        bob.edit_person(
            &yves,
            &PersonEdit {
                add_tags: vec!["Board".into()],
                ..Default::default()
            },
        )
        .await
        .unwrap();
        bob.set_sharing(&SharingScope::Tag("board".into()), Some(Sharing::Nothing))
            .await
            .unwrap();
        bob.set_sharing(&SharingScope::Person(yan.clone()), Some(Sharing::Name))
            .await
            .unwrap();
        assert_eq!(
            shown_as(&ada, "yan@initech.example").await.as_deref(),
            Some("Yan Li"),
            "{engine}"
        );
        assert_eq!(shown_as(&ada, "yan.l@home.example").await, None, "{engine}");
        bob.merge_people(&yan, &yves).await.unwrap();
        for email in ["yan@initech.example", "yan.l@home.example"] {
            assert_eq!(shown_as(&ada, email).await, None, "{engine}: {email}");
        }
        bob.unmerge(&yves).await.unwrap();
        assert_eq!(
            shown_as(&ada, "yan@initech.example").await.as_deref(),
            Some("Yan Li"),
            "{engine}"
        );
        assert_eq!(shown_as(&ada, "yan.l@home.example").await, None, "{engine}");

        // An import that merges a record into Zed leaves him hidden, by
        // the record's address too; so do the trash and a restore.
        let dir = tempfile::tempdir().unwrap();
        let file = crate::write(
            dir.path(),
            "zed.vcf",
            "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Zed Target\r\nEMAIL:zed@globex.example\r\n\
             EMAIL:zed.new@globex.example\r\nCATEGORIES:Friends\r\nEND:VCARD\r\n",
        );
        let report = crate::import(&bob, &file).await;
        assert_eq!(report.merged, 1, "{engine}: {report:?}");
        assert_eq!(
            shown_as(&ada, "zed.new@globex.example").await,
            None,
            "{engine}"
        );
        bob.delete_person(&zed).await.unwrap();
        bob.restore_person(&zed).await.unwrap();
        assert_eq!(shown_as(&ada, "zed@globex.example").await, None, "{engine}");
        assert_eq!(
            shown_as(&ada, "zed.new@globex.example").await,
            None,
            "{engine}"
        );
        // Undoing the import's merge: the record, never a person of its
        // own, keeps the rule of the person it was part of.
        bob.unmerge(&zed).await.unwrap();
        assert_eq!(
            shown_as(&ada, "zed.new@globex.example").await,
            None,
            "{engine}"
        );
        assert_eq!(
            shown_as(&ada, "zt@home.example").await.as_deref(),
            Some("someone bob knows"),
            "{engine}"
        );
    }
}

/// Issue 20: under "role", a path by address answers "someone at Acme
/// (Engineer)" when a connection knows that address, so address after
/// address would sweep their book. A member finds at most
/// ROLE_FINDS_PER_DAY people a day through contacts shared by role (the
/// same person again is free); past that, such contacts are left out as
/// if hidden, and an organisation search still finds them.
#[tokio::test]
async fn finding_people_through_contacts_shared_by_role_is_capped_per_day() {
    use kith_app::network::paths::ROLE_FINDS_PER_DAY;
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let ada = app_as(&store, "ada").await;
        let bob = app_as(&store, "bob").await;
        connect(&ada, &bob, "bob", "ada").await;
        let n = ROLE_FINDS_PER_DAY as usize + 1;
        let cards: String = (0..n)
            .map(|i| {
                format!(
                    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Person {i}\r\nEMAIL:p{i}@acme.example\r\n\
                     ORG:Acme\r\nTITLE:Engineer\r\nEND:VCARD\r\n"
                )
            })
            .collect();
        let dir = tempfile::tempdir().unwrap();
        crate::import(&bob, &crate::write(dir.path(), "acme.vcf", &cards)).await;
        let role = Some("someone at Acme (Engineer)".to_string());
        // Misses say nothing and cost nothing.
        for i in 0..5 {
            assert_eq!(
                shown_as(&ada, &format!("nobody{i}@acme.example")).await,
                None,
                "{engine}"
            );
        }
        for i in 0..n - 1 {
            assert_eq!(
                shown_as(&ada, &format!("p{i}@acme.example")).await,
                role,
                "{engine}: p{i}"
            );
        }
        assert_eq!(
            shown_as(&ada, "p0@acme.example").await,
            role,
            "{engine}: the same address again is free"
        );
        let last = format!("p{}@acme.example", n - 1);
        assert_eq!(
            shown_as(&ada, &last).await,
            None,
            "{engine}: past the cap, as if Bob hid them"
        );
        verify(&store, &ada, "ada@home.example").await;
        assert!(
            matches!(
                ada.request_introduction(&PathTarget::Person(last.clone()), "bob", "hi")
                    .await,
                Err(AppError::NotFound(_))
            ),
            "{engine}"
        );
        let at_acme = ada.who_at("Acme", 10).await.unwrap();
        assert_eq!(
            at_acme.first().map(|r| r.person.name.clone()),
            role,
            "{engine}: an organisation search is what role offers"
        );
        // Another member's day is their own.
        let cy = app_as(&store, "cy").await;
        connect(&cy, &bob, "bob", "cy").await;
        assert_eq!(shown_as(&cy, &last).await, role, "{engine}");
    }
}

/// Issue 20: mail that goes to an address a member types is capped per
/// day, like "send my card": verifying an address (5 a day) and
/// introductions ([cards] emails_per_day, 3 in these tests). What is
/// counted is what kith tried to send (a message the mail server
/// refused counts too, as a card mailing does).
#[tokio::test]
async fn verification_and_introduction_mail_is_capped_per_day() {
    use kith_app::mailer::{SmtpConfig, SmtpSecurity};
    use kith_app::network::members::VERIFICATIONS_PER_DAY;
    // A port nobody listens on: every send fails, quickly.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mailer = Mailer::new(
        &SmtpConfig {
            host: "127.0.0.1".into(),
            port: Some(port),
            security: SmtpSecurity::None,
            username: None,
            password: None,
            password_file: None,
            from: "kith <kith@localhost>".into(),
            timeout_seconds: Some(5),
        },
        None,
    )
    .unwrap();
    let capped = |e: &AppError| e.to_string().contains("the most kith sends a day");
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let ada = app_as(&store, "ada").await;
        for i in 0..VERIFICATIONS_PER_DAY {
            let e = ada
                .add_member_email(&format!("victim{i}@example.org"), &mailer, "http://k")
                .await
                .unwrap_err();
            assert!(matches!(e, AppError::Mail(_)), "{engine}: {e}");
        }
        let e = ada
            .add_member_email("victim@example.org", &mailer, "http://k")
            .await
            .unwrap_err();
        assert!(capped(&e), "{engine}: {e}");

        let a = person(&ada, "Ann Need", "ann@example.org", None).await;
        let b = person(&ada, "Ben Help", "ben@example.org", None).await;
        for _ in 0..ada.settings.card_emails_per_day {
            let e = ada
                .introduce(&a, &b, "", Some(&mailer), "http://k")
                .await
                .unwrap_err();
            assert!(matches!(e, AppError::Mail(_)), "{engine}: {e}");
        }
        let e = ada
            .introduce(&a, &b, "", Some(&mailer), "http://k")
            .await
            .unwrap_err();
        assert!(capped(&e), "{engine}: {e}");
        // Another member's day is their own.
        let bob = app_as(&store, "bob").await;
        let e = bob
            .add_member_email("bob@example.org", &mailer, "http://k")
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Mail(_)), "{engine}: {e}");
    }
}
