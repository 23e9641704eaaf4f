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

        // Pinned to the inner circle, Alan's one email ranks like a close tie.
        app.pin_circle(
            "alan.turing@example.org",
            Some(kith_core::strength::Circle::Inner),
        )
        .await
        .unwrap();
        let pinned = app.due().await.unwrap();
        let names: Vec<&str> = pinned.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(
            names,
            ["Alan Turing", "Grace Hopper", "Edsger Dijkstra"],
            "{engine}"
        );
        app.pin_circle("alan.turing@example.org", None)
            .await
            .unwrap();

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

#[tokio::test]
async fn birthdays_and_work_anniversaries_come_up_and_circles_can_be_pinned() {
    use kith_app::people::PositionEdit;
    use kith_core::strength::Circle;
    let today = jiff::Timestamp::from_microsecond(kith_store::now_micros())
        .unwrap()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    let day = |n: i64| today.checked_add(jiff::Span::new().days(n)).unwrap();
    let md = |d: jiff::civil::Date| format!("{:02}-{:02}", d.month(), d.day());
    use kith_app::coming_up::MONTHS;
    let on = |d: jiff::civil::Date| format!("on {} {}", d.day(), MONTHS[d.month() as usize - 1]);
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let app = app_as(&store, "ada").await;
        let person =
            |name: &str, birthday: Option<String>, positions: Vec<PositionEdit>| PersonEdit {
                name: Some(name.into()),
                add_emails: vec![format!("{}@example.org", name.to_lowercase())],
                birthday,
                positions: (!positions.is_empty()).then_some(positions),
                ..Default::default()
            };
        let position = |org: &str, start: String, end: Option<&str>| PositionEdit {
            organization: org.into(),
            title: "Engineer".into(),
            start: Some(start),
            end: end.map(String::from),
        };
        // 1988 is a leap year: any day of the year is a valid birthday.
        let soon = day(3);
        app.add_person(&person("Grace", Some(format!("1988-{}", md(soon))), vec![]))
            .await
            .unwrap();
        app.add_person(&person("Alan", Some(format!("--{}", md(day(1)))), vec![]))
            .await
            .unwrap();
        app.add_person(&person(
            "Edsger",
            Some(format!("1988-{}", md(day(20)))),
            vec![],
        ))
        .await
        .unwrap();
        app.add_person(&person(
            "Yesterday",
            Some(format!("1988-{}", md(day(-1)))),
            vec![],
        ))
        .await
        .unwrap();
        let anniversary = day(5);
        let years_ago = |d: jiff::civil::Date, n: i16| format!("{:04}-{}", d.year() - n, md(d));
        app.add_person(&person(
            "Barbara",
            None,
            vec![
                position("Acme", years_ago(anniversary, 4), None),
                // Ended: no anniversary. Started this year: none yet.
                position("Oldco", years_ago(anniversary, 9), Some("2020")),
            ],
        ))
        .await
        .unwrap();
        app.add_person(&person(
            "Newbie",
            None,
            vec![position("Acme", years_ago(day(2), 0), None)],
        ))
        .await
        .unwrap();
        // A month without a day comes up for the whole month.
        app.add_person(&person(
            "Ken",
            None,
            vec![position(
                "Bell",
                format!("{:04}-{:02}", today.year() - 1, today.month()),
                None,
            )],
        ))
        .await
        .unwrap();
        app.add_person(&person(
            "Gone",
            Some(format!("1988-{}", md(day(2)))),
            vec![],
        ))
        .await
        .unwrap();
        app.delete_person("gone@example.org").await.unwrap();

        let texts = |list: Vec<kith_app::coming_up::ComingUpView>| -> Vec<String> {
            list.into_iter().map(|c| c.text).collect()
        };
        let coming = texts(app.coming_up(14).await.unwrap());
        let month = MONTHS[today.month() as usize - 1];
        assert_eq!(
            coming,
            [
                format!("Ken: 1 year at Bell in {month}"),
                "Alan's birthday is tomorrow".to_string(),
                format!("Grace turns {} {}", soon.year() - 1988, on(soon)),
                format!("Barbara: 4 years at Acme {}", on(anniversary)),
            ],
            "{engine}"
        );
        let wider = app.coming_up(30).await.unwrap();
        assert_eq!(wider.len(), 5, "{engine}: Edsger in 20 days too");
        assert_eq!(wider[4].in_days, 20, "{engine}");
        assert_eq!(wider[4].kind, "birthday", "{engine}");
        assert!(app.coming_up(61).await.is_err());

        // Merged away: only the survivor's dates count.
        app.merge_people("grace@example.org", "alan@example.org")
            .await
            .unwrap();
        let coming = texts(app.coming_up(14).await.unwrap());
        assert!(
            coming.iter().all(|t| !t.starts_with("Alan")),
            "{engine}: {coming:?}"
        );

        // A circle pinned by hand wins over the interactions, and says so.
        let s = app.strength("edsger@example.org").await.unwrap();
        assert_eq!((s.circle, s.pinned), (Circle::Distant, false), "{engine}");
        app.pin_circle("edsger@example.org", Some(Circle::Inner))
            .await
            .unwrap();
        let s = app.strength("edsger@example.org").await.unwrap();
        assert_eq!((s.circle, s.pinned, s.score), (Circle::Inner, true, 0.0));
        assert!(
            s.explanation.starts_with(
                "pinned to the inner circle by you (the interactions alone say distant ties)"
            ),
            "{}",
            s.explanation
        );
        app.pin_circle("edsger@example.org", None).await.unwrap();
        let s = app.strength("edsger@example.org").await.unwrap();
        assert_eq!((s.circle, s.pinned), (Circle::Distant, false), "{engine}");
        assert!(
            app.pin_circle("nobody@example.org", Some(Circle::Close))
                .await
                .is_err()
        );
    }
}
