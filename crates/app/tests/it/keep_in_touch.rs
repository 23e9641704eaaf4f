//! Keep-in-touch on a seeded address book whose interactions are known: the
//! exact reach-out order, reasons, snoozes, done, tag cadences, fading ties.

use crate::app_as;
use kith_app::interactions::NewInteraction;
use kith_app::people::PersonEdit;
use kith_core::{Direction, InteractionKind};
use kith_store::testing::stores;

/// A moment `days` whole days and an hour ago (so the count of days since
/// does not depend on the time of day the test runs).
fn days_ago(days: i64) -> String {
    let at = kith_store::now_micros() - days * 86_400_000_000 - 3_600_000_000;
    kith_app::interactions::rfc3339(at)
}

#[tokio::test]
async fn the_reach_out_list_is_ranked_and_explained() {
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let app = app_as(&store, "ada").await;
        let add = |name: &str, tag: &str| PersonEdit {
            name: Some(name.into()),
            add_emails: vec![format!(
                "{}@example.org",
                name.to_lowercase().replace(' ', ".")
            )],
            add_tags: if tag.is_empty() {
                vec![]
            } else {
                vec![tag.into()]
            },
            ..Default::default()
        };
        let log =
            |who: &str, kind: InteractionKind, when: &str, direction: Direction| NewInteraction {
                people: vec![format!(
                    "{}@example.org",
                    who.to_lowercase().replace(' ', ".")
                )],
                kind,
                when: when.into(),
                note: None,
                direction: Some(direction),
            };
        for (name, tag) in [
            ("Grace Hopper", "inner"),
            ("Alan Turing", "inner"),
            ("Edsger Dijkstra", "network"),
            ("Barbara Liskov", ""),
            ("Ken Thompson", "inner"),
        ] {
            app.add_person(&add(name, tag)).await.unwrap();
        }
        // Grace: met often, 45 days ago last. Alan: one email 45 days ago.
        // Edsger: 200 days ago. Barbara: no cadence. Ken: 3 days ago.
        for days in [45, 60, 80, 100] {
            app.log_interaction(&log(
                "Grace Hopper",
                InteractionKind::Coffee,
                &days_ago(days),
                Direction::Mutual,
            ))
            .await
            .unwrap();
        }
        app.log_interaction(&log(
            "Alan Turing",
            InteractionKind::Email,
            &days_ago(45),
            Direction::Outgoing,
        ))
        .await
        .unwrap();
        app.log_interaction(&log(
            "Edsger Dijkstra",
            InteractionKind::Call,
            &days_ago(200),
            Direction::Mutual,
        ))
        .await
        .unwrap();
        for days in [130, 150, 170] {
            app.log_interaction(&log(
                "Barbara Liskov",
                InteractionKind::Lunch,
                &days_ago(days),
                Direction::Mutual,
            ))
            .await
            .unwrap();
        }
        app.log_interaction(&log(
            "Ken Thompson",
            InteractionKind::Call,
            &days_ago(3),
            Direction::Mutual,
        ))
        .await
        .unwrap();
        app.set_tag_cadence("Inner", Some(30)).await.unwrap();
        app.set_tag_cadence("network", Some(180)).await.unwrap();

        let due = app.due().await.unwrap();
        let names: Vec<&str> = due.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(
            names,
            ["Grace Hopper", "Alan Turing", "Edsger Dijkstra"],
            "{engine}: equally overdue, the stronger tie first; Ken is not due, Barbara has no cadence"
        );
        assert_eq!(
            due[0].reason,
            "last contact 6 weeks ago; every 30 days (inner); 15 days overdue"
        );
        assert_eq!(due[0].cadence_from, "tag:inner");
        assert!(due[0].strength > due[1].strength, "{engine}");
        assert_eq!(
            due[2].reason,
            "last contact 6 months ago; every 180 days (network); 20 days overdue"
        );

        // A person's own cadence wins over the tag's.
        app.set_cadence("alan.turing@example.org", Some(60))
            .await
            .unwrap();
        let due = app.due().await.unwrap();
        assert!(due.iter().all(|d| d.name != "Alan Turing"), "{engine}");
        // Snooze and done take people off the list.
        app.snooze("grace.hopper@example.org", 7).await.unwrap();
        app.done("edsger.dijkstra@example.org", None).await.unwrap();
        assert!(app.due().await.unwrap().is_empty(), "{engine}");
        assert!(
            app.set_cadence("alan.turing@example.org", Some(0))
                .await
                .is_err()
        );
        assert!(app.snooze("nobody@example.org", 7).await.is_err());

        // Barbara: three lunches, the last 130 days ago: fading.
        let fading = app.losing_touch(10).await.unwrap();
        assert_eq!(fading.len(), 1, "{engine}");
        assert_eq!(fading[0].name, "Barbara Liskov");
        assert_eq!(
            fading[0].reason,
            "3 interactions, last contact 4 months ago"
        );
    }
}
