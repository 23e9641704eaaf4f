//! The digest by email through a real SMTP server on loopback (aiosmtpd):
//! what it says, sending on demand, the schedule sending once per period,
//! a failed send retried, accounts without an address or with it off.

use crate::app_as;
use kith_app::digest::{DigestEvery, DigestSchedule};
use kith_app::mailer::Mailer;
use kith_app::people::PersonEdit;
use kith_app::testing::SmtpSink;
use kith_store::testing::stores;

fn at(s: &str) -> i64 {
    s.parse::<jiff::Timestamp>().unwrap().as_microsecond()
}

#[tokio::test]
async fn the_digest_is_sent_once_per_period_through_a_real_smtp_server() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let mailer = Mailer::new(&sink.config(), None).unwrap();
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let before = sink.messages().len();
        let app = app_as(&store, "ada").await;
        let bob = app_as(&store, "bob").await;
        app.add_my_email("me@home.example").await.unwrap();
        let grace = app
            .add_person(&PersonEdit {
                name: Some("Grace <Hopper>".into()),
                add_emails: vec!["grace@navy.example".into()],
                ..Default::default()
            })
            .await
            .unwrap();
        app.set_cadence("grace@navy.example", Some(30))
            .await
            .unwrap();

        let digest = app
            .digest(DigestEvery::Weekly, "https://kith.example.org/")
            .await
            .unwrap();
        assert_eq!(digest.subject, "kith: 1 to reach out to", "{engine}");
        let link = format!("https://kith.example.org/people/{}", grace.id);
        assert_eq!(
            digest.text,
            format!(
                "Reach out (1)\n- Grace <Hopper>: never in touch; every 30 days\n  {link}\n\nHow often this digest comes, or to stop it: https://kith.example.org/settings\n"
            ),
            "{engine}"
        );
        assert!(
            digest.html.contains("Grace &lt;Hopper&gt;") && !digest.html.contains("<Hopper>"),
            "{engine}: the name is escaped in HTML"
        );

        // On demand.
        let sent = app
            .send_digest(&mailer, "https://kith.example.org", None)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(sent.to, "me@home.example", "{engine}");
        let arrived = sink.messages();
        assert_eq!(arrived.len(), before + 1, "{engine}");
        let mail = &arrived[before];
        for expected in [
            "To: me@home.example",
            "From: kith <kith@localhost>",
            "Subject: kith: 1 to reach out to",
            "Content-Type: text/plain",
            "Content-Type: text/html",
            "Message-ID: <",
        ] {
            assert!(mail.contains(expected), "{engine}: {expected} in {mail}");
        }
        // Bob has nothing to report and no address: nothing goes.
        assert!(
            bob.send_digest(&mailer, "https://k", Some("bob@home.example"))
                .await
                .unwrap()
                .is_none()
        );
        assert!(bob.send_digest(&mailer, "https://k", None).await.is_err());

        // Scheduled: weekly on Mondays from 07:00 UTC, once per week.
        let schedule = DigestSchedule::default();
        let monday = at("2030-01-07T08:00:00Z");
        let first = app
            .send_scheduled_digest(&mailer, "https://k", &schedule, monday)
            .await
            .unwrap();
        assert!(first.is_some(), "{engine}");
        let again = app
            .send_scheduled_digest(&mailer, "https://k", &schedule, monday + 3_600_000_000)
            .await
            .unwrap();
        assert!(again.is_none(), "{engine}: once per week");
        let early = app
            .send_scheduled_digest(&mailer, "https://k", &schedule, at("2030-01-14T06:00:00Z"))
            .await
            .unwrap();
        assert!(early.is_none(), "{engine}: not before Monday 07:00");
        assert!(
            bob.send_scheduled_digest(&mailer, "https://k", &schedule, monday)
                .await
                .unwrap()
                .is_none(),
            "{engine}: no address, no digest"
        );

        // A send that fails gives its week back: the next attempt sends.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let mut broken = sink.config();
        broken.port = Some(closed.local_addr().unwrap().port());
        drop(closed);
        let broken = Mailer::new(&broken, None).unwrap();
        let next_week = at("2030-01-14T09:00:00Z");
        let failed = app
            .send_scheduled_digest(&broken, "https://k", &schedule, next_week)
            .await;
        assert!(
            matches!(failed, Err(kith_app::AppError::Mail(_))),
            "{engine}: {failed:?}"
        );
        let retried = app
            .send_scheduled_digest(&mailer, "https://k", &schedule, next_week)
            .await
            .unwrap();
        assert!(retried.is_some(), "{engine}");

        // Off: never scheduled.
        app.set_digest_settings(Some(DigestEvery::Off), None)
            .await
            .unwrap();
        assert!(
            app.send_scheduled_digest(&mailer, "https://k", &schedule, at("2030-01-21T09:00:00Z"))
                .await
                .unwrap()
                .is_none()
        );
        assert_eq!(sink.messages().len(), before + 3, "{engine}");
        assert!(
            app.set_digest_settings(None, Some("not an address"))
                .await
                .is_err()
        );
    }
}
