//! The in-memory search index: the same answers as the store's full-text
//! index, and it follows changes made through another App (as the CLI or
//! another server would make them).

use crate::app_as;
use kith_app::App;
use kith_app::people::PersonEdit;
use kith_app::search::SearchIndexes;
use kith_store::PeopleFilter;
use kith_store::testing::stores;

fn search(q: &str, offset: i64, limit: i64) -> PeopleFilter {
    PeopleFilter {
        search: Some(q.to_string()),
        offset: Some(offset),
        limit: Some(limit),
        ..Default::default()
    }
}

async fn names(app: &App, q: &str, offset: i64, limit: i64) -> Vec<String> {
    app.list_people(&search(q, offset, limit))
        .await
        .unwrap()
        .into_iter()
        .map(|p| format!("{} {}", p.name, p.id))
        .collect()
}

#[tokio::test]
async fn the_memory_index_answers_as_the_store_does() {
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let plain = app_as(&store, "ada").await;
        let indexed = plain.clone().with_search_indexes(SearchIndexes::default());
        let dir = tempfile::tempdir().unwrap();
        plain.import_demo(dir.path(), 400, 7).await.unwrap();
        let people = plain.list_people(&PeopleFilter::default()).await.unwrap();
        assert!(people.len() > 300, "{engine}");
        // Queries as people type them: names, prefixes, organisations,
        // emails, several words, nothing at all.
        let mut queries: Vec<String> = vec!["a".into(), "zz".into(), "e m".into(), "@".into()];
        for p in people.iter().step_by(23) {
            let first = p.name.split(' ').next().unwrap().to_string();
            queries.push(first.chars().take(2).collect());
            queries.push(p.name.clone());
            queries.push(p.name.to_uppercase());
            if let Some(org) = &p.organization {
                queries.push(org.clone());
                queries.push(format!("{} {}", &first, org.split(' ').next().unwrap()));
            }
            if let Some(email) = p.emails.first() {
                queries.push(email.clone());
                queries.push(email.split('@').next().unwrap().to_string());
            }
        }
        for q in &queries {
            for (offset, limit) in [(0, 50), (5, 7)] {
                assert_eq!(
                    names(&indexed, q, offset, limit).await,
                    names(&plain, q, offset, limit).await,
                    "{engine}: {q:?} at {offset}+{limit}"
                );
            }
        }
    }
}

#[tokio::test]
async fn the_memory_index_follows_changes_made_elsewhere() {
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let elsewhere = app_as(&store, "ada").await;
        let server = elsewhere
            .clone()
            .with_search_indexes(SearchIndexes::default());
        let grace = elsewhere
            .add_person(&PersonEdit {
                name: Some("Grace Hopper".into()),
                add_emails: vec!["grace@navy.example".into()],
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(names(&server, "grace", 0, 10).await.len(), 1, "{engine}");

        let edit = PersonEdit {
            remove_emails: vec!["grace@navy.example".into()],
            add_emails: vec!["amazing@yale.example".into()],
            ..Default::default()
        };
        elsewhere
            .edit_person(&grace.id.to_string(), &edit)
            .await
            .unwrap();
        assert!(
            names(&server, "navy", 0, 10).await.is_empty(),
            "{engine}: changed"
        );
        assert_eq!(names(&server, "amaz yal", 0, 10).await.len(), 1, "{engine}");

        elsewhere
            .add_person(&PersonEdit {
                name: Some("Grace Kelly".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(
            names(&server, "grace", 0, 10).await.len(),
            2,
            "{engine}: added"
        );

        elsewhere
            .delete_person(&grace.id.to_string())
            .await
            .unwrap();
        let left = names(&server, "grace", 0, 10).await;
        assert_eq!(left.len(), 1, "{engine}: deleted");
        assert!(left[0].starts_with("Grace Kelly"), "{engine}");

        // Another account's people never show up.
        let bob = app_as(&store, "bob").await;
        bob.add_person(&PersonEdit {
            name: Some("Grace Bob".into()),
            ..Default::default()
        })
        .await
        .unwrap();
        assert_eq!(names(&server, "grace", 0, 10).await.len(), 1, "{engine}");
    }
}

/// The search box: people, organisations, tags, notes on cards (kept in
/// step with edits and deletes, and written for cards stored before they
/// had their own table) and notes of interactions.
#[tokio::test]
async fn the_search_box_finds_people_organisations_tags_and_notes() {
    use kith_app::interactions::NewInteraction;
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let app = app_as(&store, "ada").await;
        let app = app.with_search_indexes(SearchIndexes::default());
        let grace = app
            .add_person(&PersonEdit {
                name: Some("Grace Hopper".into()),
                organization: Some("Kestrel Aviation".into()),
                add_tags: vec!["Mentors".into()],
                add_notes: vec!["Knows everyone at the Naval Observatory".into()],
                ..Default::default()
            })
            .await
            .unwrap();
        let alan = app
            .add_person(&PersonEdit {
                name: Some("Alan Turing".into()),
                add_notes: vec!["Chess on Thursdays".into()],
                ..Default::default()
            })
            .await
            .unwrap();
        app.log_interaction(&NewInteraction {
            people: vec![alan.id.to_string()],
            kind: kith_core::InteractionKind::Coffee,
            when: "yesterday".into(),
            note: Some("Talked about the OBSERVATORY move".into()),
            direction: None,
        })
        .await
        .unwrap();
        let found = app.find("kestrel").await.unwrap();
        assert_eq!(found.people.len(), 1, "{engine}");
        assert_eq!(found.organizations[0].name, "Kestrel Aviation", "{engine}");
        let found = app.find("ment").await.unwrap();
        assert_eq!(found.tags[0].tag, "Mentors", "{engine}");
        let found = app.find("observatory").await.unwrap();
        assert_eq!(found.notes.len(), 1, "{engine}: {:?}", found.notes);
        assert_eq!(found.notes[0].0.name, "Grace Hopper");
        assert_eq!(found.interactions.len(), 1, "{engine}");
        // An edited note is found by its new words, a deleted person not at all.
        app.edit_person(
            &alan.id.to_string(),
            &PersonEdit {
                add_notes: vec!["Lent me a book on morphogenesis".into()],
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(
            app.find("morphogen").await.unwrap().notes.len(),
            1,
            "{engine}"
        );
        app.delete_person(&grace.id.to_string()).await.unwrap();
        assert!(
            app.find("observatory").await.unwrap().notes.is_empty(),
            "{engine}"
        );
        assert!(app.find("  ").await.unwrap().is_empty());
        // 50% and _ are letters, not wildcards.
        assert!(app.find("%").await.unwrap().notes.is_empty(), "{engine}");
        assert_eq!(app.count_people().await.unwrap(), 1, "{engine}");
    }
}
