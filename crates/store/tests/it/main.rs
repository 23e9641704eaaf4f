//! The storage suite: one story per concern, each run on SQLite and (when
//! `KITH_TEST_DATABASE_URL` is set, as in scripts/test.sh) on PostgreSQL.

mod modules;

use kith_core::{Card, ContactPoint, Person, PersonId, PersonName, Position, Text};
use kith_store::testing::stores;
use kith_store::tx::PersonWrite;
use kith_store::{MergeRecord, PeopleFilter, Store, StoreError, Suggestion};

fn person(given: &str, family: &str, email: &str, org: &str, tag: &str) -> Person {
    Person {
        id: PersonId::new(),
        card: Card {
            name: PersonName {
                given: given.into(),
                family: family.into(),
                full: format!("{given} {family}"),
                ..Default::default()
            },
            emails: vec![ContactPoint::new(email)],
            positions: vec![Position {
                organization: org.into(),
                title: "Engineer".into(),
                ..Default::default()
            }],
            tags: vec![Text::new(tag, None)],
            ..Default::default()
        },
    }
}

async fn put(store: &Store, account: kith_core::AccountId, people: &[Person]) {
    let mut tx = store.begin(account).await.unwrap();
    let writes: Vec<PersonWrite> = people
        .iter()
        .map(|p| PersonWrite {
            person: p,
            is_me: false,
            fresh: true,
        })
        .collect();
    tx.put_people(&writes).await.unwrap();
    tx.commit().await.unwrap();
}

async fn count(store: &Store, account: kith_core::AccountId, filter: PeopleFilter) -> usize {
    store
        .begin_read(account)
        .await
        .unwrap()
        .people(&filter)
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn people_are_stored_listed_and_searched() {
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let acc = store.default_account("default").await.unwrap();
        assert_eq!(
            store.default_account("default").await.unwrap(),
            acc,
            "{engine}: default account is created once"
        );
        let ada = person(
            "Ada",
            "Lovelace",
            "ada@example.org",
            "Analytical Engines",
            "math",
        );
        let zoe = person(
            "Zoë",
            "Müller",
            "zoe@example.org",
            "Stripe, Inc.",
            "friends",
        );
        put(&store, acc.id, &[ada.clone(), zoe.clone()]).await;

        let all = store
            .begin_read(acc.id)
            .await
            .unwrap()
            .people(&PeopleFilter::default())
            .await
            .unwrap();
        assert_eq!(
            all.iter()
                .map(|p| p.person.card.display_name())
                .collect::<Vec<_>>(),
            ["Ada Lovelace", "Zoë Müller"],
            "{engine}"
        );
        assert_eq!(
            all[0].person, ada,
            "{engine}: the card comes back as written"
        );

        let search = |q: &str| PeopleFilter {
            search: Some(q.into()),
            ..Default::default()
        };
        assert_eq!(
            count(&store, acc.id, search("zoe")).await,
            1,
            "{engine}: accents are ignored"
        );
        assert_eq!(
            count(&store, acc.id, search("ZOE@EXAMPLE.ORG")).await,
            1,
            "{engine}: email search"
        );
        assert_eq!(
            count(&store, acc.id, search("stripe engineer")).await,
            1,
            "{engine}: all words must match"
        );
        assert_eq!(count(&store, acc.id, search("nobody")).await, 0, "{engine}");
        assert_eq!(
            count(&store, acc.id, search("lov ana")).await,
            1,
            "{engine}: every word is a prefix of a word of the person"
        );
        assert_eq!(
            count(&store, acc.id, search("velace")).await,
            0,
            "{engine}: the middle of a word is not a match"
        );
        // An edit re-indexes the person: the old name is no longer found.
        let mut renamed = ada.clone();
        renamed.card.positions[0].organization = "Babbage Works".into();
        put(&store, acc.id, &[renamed]).await;
        assert_eq!(
            count(&store, acc.id, search("analytical")).await,
            0,
            "{engine}"
        );
        assert_eq!(count(&store, acc.id, search("babb")).await, 1, "{engine}");
        put(&store, acc.id, std::slice::from_ref(&ada)).await;
        assert_eq!(
            count(
                &store,
                acc.id,
                PeopleFilter {
                    tag: Some("MATH".into()),
                    ..Default::default()
                }
            )
            .await,
            1,
            "{engine}: tag"
        );
        assert_eq!(
            count(
                &store,
                acc.id,
                PeopleFilter {
                    organization: Some("stripe inc".into()),
                    ..Default::default()
                }
            )
            .await,
            1,
            "{engine}: organisation"
        );
        let page = PeopleFilter {
            limit: Some(1),
            offset: Some(1),
            ..Default::default()
        };
        assert_eq!(
            store
                .begin_read(acc.id)
                .await
                .unwrap()
                .people(&page)
                .await
                .unwrap()[0]
                .person
                .id,
            zoe.id,
            "{engine}: paging"
        );

        let mut tx = store.begin_read(acc.id).await.unwrap();
        assert_eq!(
            tx.people_with_key("email:ada@example.org").await.unwrap(),
            vec![ada.id],
            "{engine}: key index"
        );
        // Any number of keys in one call (a hostile card carries thousands
        // of addresses; a statement's binds are bounded).
        let mut many: Vec<String> = (0..40_000)
            .map(|i| format!("email:x{i}@example.org"))
            .collect();
        many.push("email:ada@example.org".into());
        let asked: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(
            tx.people_with_keys(&asked).await.unwrap(),
            vec![(ada.id, "email:ada@example.org".to_string())],
            "{engine}: 40,001 keys"
        );
    }
}

#[tokio::test]
async fn accounts_cannot_see_or_touch_each_other() {
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let alice = store.create_account("alice").await.unwrap();
        let bob = store.create_account("bob").await.unwrap();
        assert!(
            matches!(
                store.create_account("bob").await,
                Err(StoreError::Conflict(_))
            ),
            "{engine}"
        );
        let ada = person("Ada", "Lovelace", "ada@example.org", "AE", "x");
        put(&store, alice.id, std::slice::from_ref(&ada)).await;

        let mut tx = store.begin(bob.id).await.unwrap();
        assert!(
            tx.person(ada.id).await.unwrap().is_none(),
            "{engine}: bob cannot read alice's person"
        );
        assert!(
            tx.person_even_deleted(ada.id).await.unwrap().is_none(),
            "{engine}"
        );
        assert!(
            tx.people(&PeopleFilter::default())
                .await
                .unwrap()
                .is_empty(),
            "{engine}"
        );
        assert!(
            tx.people_with_key("email:ada@example.org")
                .await
                .unwrap()
                .is_empty(),
            "{engine}"
        );
        assert!(
            !tx.delete_person(ada.id, None).await.unwrap(),
            "{engine}: bob cannot delete it"
        );
        // Writing a person under alice's id from bob's account is refused.
        let mut forged = ada.clone();
        forged.card.notes.push(Text::new("overwritten", None));
        let err = tx
            .put_people(&[PersonWrite {
                person: &forged,
                is_me: false,
                fresh: true,
            }])
            .await;
        assert!(
            matches!(err, Err(StoreError::Conflict(_))),
            "{engine}: {err:?}"
        );
        drop(tx);

        let mut tx = store.begin_read(alice.id).await.unwrap();
        assert_eq!(
            tx.person(ada.id).await.unwrap().unwrap().person,
            ada,
            "{engine}: alice's card is untouched"
        );
    }
}

#[tokio::test]
async fn a_transaction_not_committed_changes_nothing() {
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let acc = store.default_account("default").await.unwrap();
        let ada = person("Ada", "Lovelace", "ada@example.org", "AE", "x");
        {
            let mut tx = store.begin(acc.id).await.unwrap();
            tx.put_people(&[PersonWrite {
                person: &ada,
                is_me: false,
                fresh: true,
            }])
            .await
            .unwrap();
            assert_eq!(
                tx.people(&PeopleFilter::default()).await.unwrap().len(),
                1,
                "{engine}: visible inside"
            );
            // dropped without commit
        }
        assert_eq!(
            count(&store, acc.id, PeopleFilter::default()).await,
            0,
            "{engine}: rolled back"
        );
        let mut tx = store.begin_read(acc.id).await.unwrap();
        assert_eq!(
            tx.change_count().await.unwrap(),
            0,
            "{engine}: no change logged"
        );
    }
}

#[tokio::test]
async fn updates_versions_deletes_merges_and_suggestions() {
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let acc = store.default_account("default").await.unwrap();
        let mut ada = person("Ada", "Lovelace", "ada@example.org", "AE", "x");
        let augusta = person("Augusta", "King", "countess@example.org", "AE", "y");
        put(&store, acc.id, &[ada.clone(), augusta.clone()]).await;

        // An update bumps the version and re-indexes keys.
        ada.card.emails = vec![ContactPoint::new("ada@new.example")];
        let mut tx = store.begin(acc.id).await.unwrap();
        tx.put_people(&[PersonWrite {
            person: &ada,
            is_me: true,
            fresh: false,
        }])
        .await
        .unwrap();
        let stored = tx.person(ada.id).await.unwrap().unwrap();
        assert_eq!(stored.version, 2, "{engine}");
        assert!(stored.is_me, "{engine}");
        assert!(
            tx.people_with_key("email:ada@example.org")
                .await
                .unwrap()
                .is_empty(),
            "{engine}: old key gone"
        );
        assert_eq!(
            tx.people_with_key("email:ada@new.example").await.unwrap(),
            vec![ada.id],
            "{engine}"
        );
        assert_eq!(
            tx.me().await.unwrap().unwrap().person.id,
            ada.id,
            "{engine}"
        );

        // Suggestions: stored once per pair, in either order; dismissed stays dismissed.
        let s = Suggestion {
            a: augusta.id,
            b: ada.id,
            score: 0.7,
            reasons: vec!["same organisation".into()],
        };
        tx.add_suggestions(&[s.clone(), s.clone()]).await.unwrap();
        let open = tx.open_suggestions().await.unwrap();
        assert_eq!(open.len(), 1, "{engine}");
        assert_eq!(open[0].reasons, ["same organisation"], "{engine}");
        tx.set_suggestion_status(ada.id, augusta.id, "dismissed")
            .await
            .unwrap();
        tx.add_suggestions(&[s]).await.unwrap();
        assert!(
            tx.open_suggestions().await.unwrap().is_empty(),
            "{engine}: dismissed is not revived"
        );

        // A merge is recorded; the absorbed person is soft-deleted, still readable for undo.
        let m = MergeRecord {
            id: uuid::Uuid::now_v7(),
            survivor: ada.id,
            absorbed: augusta.id,
            survivor_before: ada.card.clone(),
            absorbed_card: augusta.card.clone(),
            reasons: vec!["by hand".into()],
            created_at: kith_store::now_micros(),
            undone_at: None,
        };
        tx.insert_merge(&m).await.unwrap();
        assert!(
            tx.delete_person(augusta.id, Some(ada.id)).await.unwrap(),
            "{engine}"
        );
        assert!(tx.person(augusta.id).await.unwrap().is_none(), "{engine}");
        assert!(
            tx.person_even_deleted(augusta.id).await.unwrap().is_some(),
            "{engine}"
        );
        let merges = tx.merges(Some(augusta.id)).await.unwrap();
        assert_eq!(
            merges,
            vec![m.clone()],
            "{engine}: the merge comes back whole"
        );
        tx.mark_merge_undone(m.id).await.unwrap();
        assert!(tx.merges(None).await.unwrap().is_empty(), "{engine}");
        tx.record_import("a.vcf", "vcard", &serde_json::json!({"created": 2}))
            .await
            .unwrap();
        assert_eq!(
            tx.change_count().await.unwrap(),
            4,
            "{engine}: 2 puts, 1 update, 1 delete"
        );
        tx.commit().await.unwrap();
    }
}

#[tokio::test]
async fn bad_database_urls_are_clear_errors() {
    let err = Store::open("postgres://nobody:secret@127.0.0.1:1/none")
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("cannot open database postgres://nobody:***@127.0.0.1:1/none"),
        "{err}"
    );
    assert!(!err.contains("secret"), "the password is not shown: {err}");
    let err = Store::open("/proc/no/such/dir/kith.db")
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("cannot open database"), "{err}");
}

/// Issue 22: a database migrated by a newer kith is refused with what to
/// do, and servers opening an empty database together migrate it once.
#[tokio::test]
async fn newer_schemas_are_refused_and_concurrent_starts_migrate_once() {
    for (url, _guard) in kith_store::testing::empty_databases().await {
        let engine = if url.starts_with("postgres") {
            "postgres"
        } else {
            "sqlite"
        };
        // Three servers opening the same database at once: all open, and
        // each migration is recorded once.
        let opened = futures_util_join((0..3).map(|_| {
            let url = url.clone();
            tokio::spawn(async move { Store::open(&url).await })
        }))
        .await;
        let mut stores = Vec::new();
        for o in opened {
            stores.push(o.unwrap_or_else(|e| panic!("{engine}: {e}")));
        }
        let status = stores[0].schema_status().await.unwrap();
        assert_eq!(status.applied, status.known, "{engine}");
        for s in &stores {
            s.close().await;
        }
        // A migration this kith does not know: refused, saying so.
        let raw = Store::open(&url).await.unwrap();
        kith_store::testing::add_unknown_migration(&raw, status.known + 5).await;
        raw.close().await;
        let err = Store::open(&url).await.unwrap_err();
        assert!(
            matches!(err, kith_store::StoreError::SchemaNewer { found, known }
                if found == status.known + 5 && known == status.known),
            "{engine}: {err}"
        );
        assert!(err.to_string().contains("newer"), "{err}");
    }
}

async fn futures_util_join<T>(handles: impl Iterator<Item = tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut out = Vec::new();
    for h in handles.collect::<Vec<_>>() {
        out.push(h.await.unwrap());
    }
    out
}

#[tokio::test]
async fn many_people_in_one_write() {
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let acc = store.default_account("default").await.unwrap();
        let people: Vec<Person> = (0..1200)
            .map(|i| {
                person(
                    &format!("P{i}"),
                    "Batch",
                    &format!("p{i}@example.org"),
                    &format!("Org {}", i % 7),
                    "bulk",
                )
            })
            .collect();
        put(&store, acc.id, &people).await;
        assert_eq!(
            count(
                &store,
                acc.id,
                PeopleFilter {
                    tag: Some("bulk".into()),
                    ..Default::default()
                }
            )
            .await,
            1200,
            "{engine}"
        );
        assert_eq!(
            count(
                &store,
                acc.id,
                PeopleFilter {
                    organization: Some("Org 3".into()),
                    ..Default::default()
                }
            )
            .await,
            171,
            "{engine}"
        );
    }
}

#[tokio::test]
async fn organisations_are_found_by_name_or_work_email_domain() {
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let acc = store.default_account("default").await.unwrap();
        let ada = person("Ada", "Lovelace", "ada@acme.com", "Acme Corp", "x");
        let bob = person("Bob", "Smith", "bob@gmail.com", "ACME corp.", "x");
        let cy = person("Cy", "Young", "cy@other.io", "Other", "x");
        put(&store, acc.id, &[ada, bob, cy]).await;
        let org = |o: &str| PeopleFilter {
            organization: Some(o.into()),
            ..Default::default()
        };
        assert_eq!(
            count(&store, acc.id, org("acme corp")).await,
            2,
            "{engine}: by name, any spelling"
        );
        assert_eq!(
            count(&store, acc.id, org("acme.com")).await,
            2,
            "{engine}: by work domain"
        );
        assert_eq!(count(&store, acc.id, org("@ACME.COM")).await, 2, "{engine}");
        assert_eq!(
            count(&store, acc.id, org("gmail.com")).await,
            0,
            "{engine}: personal mail says nothing"
        );
        assert_eq!(count(&store, acc.id, org("other.io")).await, 1, "{engine}");
    }
}

#[tokio::test]
async fn people_deleted_long_ago_are_purged_for_good() {
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let alice = store.create_account("alice").await.unwrap();
        let bob = store.create_account("bob").await.unwrap();
        let ada = person("Ada", "Lovelace", "ada@example.org", "Engines", "math");
        let zoe = person("Zoe", "Muller", "zoe@example.org", "Stripe", "x");
        let bobs = person("Bea", "Bob", "bea@example.org", "Acme", "y");
        put(&store, alice.id, &[ada.clone(), zoe.clone()]).await;
        put(&store, bob.id, std::slice::from_ref(&bobs)).await;
        // Issue 20: a person's sharing rule goes with them when they are
        // purged (the living keep theirs, and so does another account).
        for (account, id) in [(alice.id, ada.id), (alice.id, zoe.id), (bob.id, bobs.id)] {
            let mut tx = store.begin(account).await.unwrap();
            tx.set_sharing_rule(
                &format!("person:{id}"),
                Some(kith_core::ties::Sharing::Nothing),
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
        }
        for (account, id) in [(alice.id, ada.id), (bob.id, bobs.id)] {
            let mut tx = store.begin(account).await.unwrap();
            assert!(tx.delete_person(id, None).await.unwrap());
            tx.commit().await.unwrap();
        }
        let now = kith_store::now_micros();
        let mut tx = store.begin(alice.id).await.unwrap();
        assert_eq!(
            tx.purge_deleted(now - 3_600_000_000).await.unwrap(),
            0,
            "{engine}: deleted just now, kept"
        );
        assert_eq!(
            tx.purge_deleted(now + 1_000_000).await.unwrap(),
            1,
            "{engine}"
        );
        assert!(
            tx.person_even_deleted(ada.id).await.unwrap().is_none(),
            "{engine}"
        );
        assert!(
            tx.person(zoe.id).await.unwrap().is_some(),
            "{engine}: the living stay"
        );
        assert_eq!(
            tx.sharing_rules().await.unwrap(),
            [(
                format!("person:{}", zoe.id),
                kith_core::ties::Sharing::Nothing
            )],
            "{engine}: the purged person's rule went, the living's stayed"
        );
        tx.commit().await.unwrap();
        // Bob's deleted person is his account's business.
        let mut tx = store.begin_read(bob.id).await.unwrap();
        assert!(
            tx.person_even_deleted(bobs.id).await.unwrap().is_some(),
            "{engine}"
        );
        assert_eq!(tx.sharing_rules().await.unwrap().len(), 1, "{engine}");
    }
}

#[tokio::test]
async fn interactions_follow_merges_and_stay_in_their_account() {
    use kith_core::{Direction, Interaction, InteractionId, InteractionKind};
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let alice = store.create_account("alice").await.unwrap();
        let bob = store.create_account("bob").await.unwrap();
        let ada = person("Ada", "Lovelace", "ada@example.org", "Engines", "x");
        let countess = person("Augusta", "King", "countess@example.org", "Engines", "x");
        let bobs = person("Bea", "Bob", "bea@example.org", "Acme", "y");
        put(&store, alice.id, &[ada.clone(), countess.clone()]).await;
        put(&store, bob.id, std::slice::from_ref(&bobs)).await;
        let at = |day: i64| 1_790_000_000_000_000 + day * 86_400_000_000;
        let coffee = |day: i64, people: Vec<PersonId>| Interaction {
            id: InteractionId::new(),
            at: at(day),
            kind: InteractionKind::Coffee,
            direction: Direction::Mutual,
            people,
            note: Some(format!("day {day}")),
            source: "manual".into(),
        };

        let mut tx = store.begin(alice.id).await.unwrap();
        assert!(
            tx.add_interaction(&coffee(1, vec![ada.id]), None)
                .await
                .unwrap()
        );
        assert!(
            tx.add_interaction(&coffee(2, vec![countess.id]), Some("msg-1"))
                .await
                .unwrap()
        );
        assert!(
            !tx.add_interaction(&coffee(3, vec![countess.id]), Some("msg-1"))
                .await
                .unwrap(),
            "{engine}: the same dedupe key is recorded once"
        );
        // Bob's person cannot be named in Alice's account.
        let err = tx
            .add_interaction(&coffee(4, vec![bobs.id]), None)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::NotFound(_)), "{engine}: {err}");
        tx.commit().await.unwrap();

        // Merging the countess into Ada brings her coffee along; newest first.
        let mut tx = store.begin(alice.id).await.unwrap();
        assert!(tx.delete_person(countess.id, Some(ada.id)).await.unwrap());
        let both = tx.interactions_of(ada.id, 10).await.unwrap();
        assert_eq!(
            both.iter()
                .map(|i| i.note.clone().unwrap())
                .collect::<Vec<_>>(),
            ["day 2", "day 1"],
            "{engine}"
        );
        assert_eq!(both[0].people, vec![countess.id], "{engine}");
        tx.commit().await.unwrap();

        // Bob sees none of it and cannot remove it.
        let mut tx = store.begin(bob.id).await.unwrap();
        assert!(
            tx.interactions_of(ada.id, 10).await.unwrap().is_empty(),
            "{engine}"
        );
        assert!(
            !tx.delete_interaction(both[0].id).await.unwrap(),
            "{engine}"
        );
        tx.commit().await.unwrap();
        let mut tx = store.begin(alice.id).await.unwrap();
        assert!(tx.delete_interaction(both[0].id).await.unwrap(), "{engine}");
        assert_eq!(
            tx.interactions_of(ada.id, 10).await.unwrap().len(),
            1,
            "{engine}"
        );
        tx.commit().await.unwrap();
    }
}

/// A database from before `person_dates` existed gets the dates of the
/// people already in it when kith opens it (SQLite; the code is shared).
#[tokio::test]
async fn yearly_dates_are_written_for_people_stored_before_the_table() {
    use kith_store::dates::MonthDays;
    use sqlx::ConnectOptions;
    let dir = kith_store::testing::tempfile_guard::Guard::new();
    let path = dir.path().join("kith.db");
    let store = Store::open_sqlite(&path).await.unwrap();
    let account = store.default_account("ada").await.unwrap().id;
    let mut grace = person("Grace", "Hopper", "grace@navy.example", "Navy", "x");
    grace.card.birthdays = vec![Text::new("19061209", None)];
    grace.card.positions[0].start = Some("1943-12".into());
    put(&store, account, &[grace]).await;
    store.close().await;

    // Back to how a database looked before migration 6.
    let mut raw = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&path)
        .connect()
        .await
        .unwrap();
    for sql in [
        "DROP TABLE person_dates",
        "DROP TABLE person_circles",
        "DELETE FROM _sqlx_migrations WHERE version = 6",
    ] {
        sqlx::query(sql).execute(&mut raw).await.unwrap();
    }
    drop(raw);

    let december = MonthDays {
        month: 12,
        from: 1,
        to: 31,
    };
    let store = Store::open_sqlite(&path).await.unwrap();
    let mut tx = store.begin_read(account).await.unwrap();
    let december = tx.dates_on(&[december]).await.unwrap();
    let mut found: Vec<(String, Option<i8>, Option<i16>, String)> = december
        .into_iter()
        .map(|d| (d.kind.as_str().to_string(), d.day, d.year, d.label))
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            ("birthday".to_string(), Some(9), Some(1906), String::new()),
            (
                "work_anniversary".to_string(),
                None,
                Some(1943),
                "Navy".to_string()
            ),
        ]
    );
    // Opened again: nothing written twice.
    drop(tx);
    store.close().await;
    let store = Store::open_sqlite(&path).await.unwrap();
    let mut tx = store.begin_read(account).await.unwrap();
    let again = tx
        .dates_on(&[MonthDays {
            month: 12,
            from: 1,
            to: 31,
        }])
        .await
        .unwrap();
    assert_eq!(again.len(), 2, "nothing written twice");
}
