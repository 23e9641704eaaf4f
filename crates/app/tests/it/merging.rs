//! Identity across files: strong keys merge, shared keys with clashing names
//! and weak evidence only suggest, merges can be undone, and a failed or dry
//! import changes nothing.

use crate::{app_as, import, write};
use kith_app::import::{ImportOptions, NoProgress};
use kith_store::testing::stores;

const FIRST: &str = "BEGIN:VCARD\nVERSION:3.0\nN:Smith;Robert;;;\nFN:Robert Smith\nEMAIL:bob@smith.dev\nORG:Acme\nEND:VCARD\n\
BEGIN:VCARD\nVERSION:3.0\nN:Smith;Anna;;;\nFN:Anna Smith\nTEL;TYPE=WORK:(415) 555-2671\nEND:VCARD\n";

const SECOND: &str = "BEGIN:VCARD\nVERSION:4.0\nN:Smith;Bob;;;\nFN:Bob Smith\nEMAIL:BOB@smith.dev\nTEL:+1 212 555 0100\nEND:VCARD\n\
BEGIN:VCARD\nVERSION:4.0\nN:Jones;Peter;;;\nFN:Peter Jones\nTEL:+1-415-555-2671\nEND:VCARD\n\
BEGIN:VCARD\nVERSION:4.0\nN:Lovelace;Ada;;;\nFN:Ada Lovelace\nURL:https://www.linkedin.com/in/ada-lovelace/\nEND:VCARD\n";

const LINKEDIN: &str = "Notes:\n\"When exporting your connection data, you may notice that some of the email addresses are missing.\"\n\n\
First Name,Last Name,URL,Email Address,Company,Position,Connected On\n\
Ada,Lovelace,https://www.linkedin.com/in/ada-lovelace,,\"Analytical Engines, Ltd.\",Engineer,01 Jan 2024\n";

#[tokio::test]
async fn strong_keys_merge_and_clashing_names_stay_apart() {
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let app = app_as(&store, "default").await;
        let dir = tempfile::tempdir().unwrap();
        let r1 = import(&app, &write(dir.path(), "first.vcf", FIRST)).await;
        assert_eq!((r1.created, r1.merged), (2, 0), "{engine}");
        let r2 = import(&app, &write(dir.path(), "second.vcf", SECOND)).await;
        assert_eq!(
            (r2.created, r2.merged, r2.updated),
            (2, 1, 1),
            "{engine}: Bob merges into Robert: {r2:?}"
        );
        let r3 = import(&app, &write(dir.path(), "Connections.csv", LINKEDIN)).await;
        assert_eq!(
            (r3.format.as_str(), r3.created, r3.merged),
            ("linkedin", 0, 1),
            "{engine}: same profile URL: {r3:?}"
        );

        let people = app.list_people(&Default::default()).await.unwrap();
        assert_eq!(people.len(), 4, "{engine}: Robert/Bob, Anna, Peter, Ada");
        let robert = app.find_person("bob@smith.dev").await.unwrap();
        assert_eq!(robert.name, "Robert Smith");
        assert_eq!(
            robert.card.other_names[0].display(),
            "Bob Smith",
            "{engine}: the other name is kept"
        );
        assert_eq!(robert.phones, ["+12125550100"], "{engine}");
        let ada = people.iter().find(|p| p.name == "Ada Lovelace").unwrap();
        assert_eq!(
            ada.organization.as_deref(),
            Some("Analytical Engines, Ltd."),
            "{engine}"
        );
        assert_eq!(
            ada.sources.len(),
            2,
            "{engine}: from the vCard and the LinkedIn export"
        );

        // Anna and Peter share a switchboard number: two people, and not
        // worth a suggestion (their given names are not one mistyped).
        let dupes = app.duplicates().await.unwrap();
        assert!(
            !dupes
                .iter()
                .any(|d| d.people.iter().any(|p| p.name == "Peter Jones")),
            "{engine}: {dupes:?}"
        );
    }
}

#[tokio::test]
async fn merges_by_hand_and_by_import_can_be_undone() {
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let app = app_as(&store, "default").await;
        let dir = tempfile::tempdir().unwrap();
        import(&app, &write(dir.path(), "first.vcf", FIRST)).await;
        import(&app, &write(dir.path(), "second.vcf", SECOND)).await;
        // Anna's number again, her name mistyped: suggested.
        let ana = "BEGIN:VCARD\nVERSION:3.0\nN:Smith;Ana;;;\nFN:Ana Smith\nTEL:(415) 555-2671\nEND:VCARD\n";
        import(&app, &write(dir.path(), "third.vcf", ana)).await;
        let people = app.list_people(&Default::default()).await.unwrap();
        let anna = people
            .iter()
            .find(|p| p.name == "Anna Smith")
            .unwrap()
            .clone();
        let ana = people
            .iter()
            .find(|p| p.name == "Ana Smith")
            .unwrap()
            .clone();

        let merged = app
            .merge_people(&anna.id.to_string(), &ana.id.to_string())
            .await
            .unwrap();
        assert_eq!(
            merged.card.other_names[0].display(),
            "Ana Smith",
            "{engine}"
        );
        assert_eq!(
            app.list_people(&Default::default()).await.unwrap().len(),
            4,
            "{engine}: Robert/Bob, Anna/Ana, Peter, Ada"
        );
        assert!(
            app.find_person(&ana.id.to_string()).await.is_err(),
            "{engine}: merged away"
        );
        assert!(
            app.duplicates()
                .await
                .unwrap()
                .iter()
                .all(|d| d.people.iter().all(|p| p.id != ana.id)),
            "{engine}"
        );

        let (a, b) = app.unmerge(&ana.id.to_string()).await.unwrap();
        assert_eq!((a.id, b.id), (anna.id, ana.id), "{engine}");
        assert_eq!(a.card, anna.card, "{engine}: Anna is as she was");
        assert_eq!(b.card, ana.card, "{engine}: Ana is back");
        let pair_open = |dupes: &[kith_app::SuggestionView]| {
            dupes.iter().any(|d| {
                d.people.iter().any(|p| p.id == ana.id) && d.people.iter().any(|p| p.id == anna.id)
            })
        };
        assert!(
            !pair_open(&app.duplicates().await.unwrap()),
            "{engine}: undone, they are two people"
        );
        app.restore_duplicate(&anna.id.to_string(), &ana.id.to_string())
            .await
            .unwrap();
        assert!(
            pair_open(&app.duplicates().await.unwrap()),
            "{engine}: the review queue's Undo suggests the pair again"
        );

        // The import merged Bob into Robert; undoing it makes Bob a person again.
        let robert = app.find_person("bob@smith.dev").await.unwrap();
        let (r, bob) = app.unmerge(&robert.id.to_string()).await.unwrap();
        assert_eq!(r.name, "Robert Smith", "{engine}");
        assert!(
            r.phones.is_empty() && r.card.other_names.is_empty(),
            "{engine}: {:?}",
            r.card
        );
        assert_eq!(
            r.emails,
            ["bob@smith.dev"],
            "{engine}: Robert keeps what he had"
        );
        assert_eq!(bob.name, "Bob Smith", "{engine}");
        assert_eq!(bob.phones, ["+12125550100"], "{engine}");
        assert!(
            app.unmerge(&robert.id.to_string()).await.is_err(),
            "{engine}: nothing left to undo"
        );
    }
}

#[tokio::test]
async fn dry_runs_and_failed_imports_change_nothing() {
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let app = app_as(&store, "default").await;
        let dir = tempfile::tempdir().unwrap();
        let first = write(dir.path(), "first.vcf", FIRST);
        let dry = ImportOptions {
            dry_run: true,
            ..Default::default()
        };
        let r = app.import_file(&first, &dry, &NoProgress).await.unwrap();
        assert_eq!(
            r.created, 2,
            "{engine}: the dry run reports what it would do"
        );
        assert!(
            app.list_people(&Default::default())
                .await
                .unwrap()
                .is_empty(),
            "{engine}: and writes nothing"
        );

        let binary = dir.path().join("photo.jpg");
        std::fs::write(
            &binary,
            [
                0xFFu8, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0, 1, 2, 0, 0, 7,
            ],
        )
        .unwrap();
        let err = app
            .import_file(&binary, &ImportOptions::default(), &NoProgress)
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("photo.jpg") && err.contains("not a file kith recognises"),
            "{engine}: {err}"
        );

        let broken = write(
            dir.path(),
            "broken.vcf",
            "BEGIN:VCARD\nVERSION:3.0\nEND:VCARD\nBEGIN:VCARD\nBDAY:1815-12-10\nEND:VCARD\n",
        );
        let err = app
            .import_file(&broken, &ImportOptions::default(), &NoProgress)
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("broken.vcf") && err.contains("nothing could be read"),
            "{engine}: {err}"
        );
        let missing = app
            .import_file(
                &dir.path().join("nope.vcf"),
                &ImportOptions::default(),
                &NoProgress,
            )
            .await;
        assert!(
            missing.unwrap_err().to_string().contains("nope.vcf"),
            "{engine}"
        );
        assert!(
            app.list_people(&Default::default())
                .await
                .unwrap()
                .is_empty(),
            "{engine}"
        );
    }
}

#[tokio::test]
async fn one_bad_card_is_reported_with_its_line_and_the_rest_imported() {
    for (store, _guard) in stores().await {
        let app = app_as(&store, "default").await;
        let dir = tempfile::tempdir().unwrap();
        let text = format!(
            "{FIRST}BEGIN:VCARD\nVERSION:3.0\nCATEGORIES:no name\nEND:VCARD\n{}",
            "BEGIN:VCARD\nVERSION:3.0\nFN:Cut Short\nEMAIL:cut@example.org\n"
        );
        let r = import(&app, &write(dir.path(), "mixed.vcf", &text)).await;
        assert_eq!((r.created, r.skipped), (3, 1), "{r:?}");
        assert_eq!(r.problems[0].line, 14, "{:?}", r.problems);
        assert_eq!(r.problems[0].file, "mixed.vcf");
        assert!(
            r.warnings
                .iter()
                .any(|w| w.line == 18 && w.message.contains("END:VCARD")),
            "{:?}",
            r.warnings
        );
    }
}

/// The review queue's tools: keep the other's name, merge a group into
/// one, merge everything above a score; each merge undone on its own.
#[tokio::test]
async fn names_kept_groups_merged_and_everything_above_a_score() {
    const SMITHS: &str = "BEGIN:VCARD\nVERSION:3.0\nN:Smith;Robert;;;\nFN:Robert Smith\nORG:Acme\nEMAIL:r@acme.example\nEND:VCARD\n\
BEGIN:VCARD\nVERSION:3.0\nN:Smith;Bob;;;\nFN:Bob Smith\nORG:Acme\nEMAIL:bob@home.example\nEND:VCARD\n\
BEGIN:VCARD\nVERSION:3.0\nN:Smith;Rob;;;\nFN:Rob Smith\nORG:Acme\nTEL:+1 212 555 0101\nEND:VCARD\n\
BEGIN:VCARD\nVERSION:3.0\nN:Doe;Jennifer;;;\nFN:Jennifer Doe\nORG:Initech\nTITLE:Analyst\nEND:VCARD\n\
BEGIN:VCARD\nVERSION:3.0\nN:Doe;Jen;;;\nFN:Jen Doe\nORG:Initech\nTITLE:Analyst\nNOTE:met at the fair\nEND:VCARD\n\
BEGIN:VCARD\nVERSION:3.0\nN:Roe;Richard;;;\nFN:Richard Roe\nORG:Initech\nEND:VCARD\n\
BEGIN:VCARD\nVERSION:3.0\nN:Roe;Richard;;;\nFN:Richard Roe\nORG:Initech\nTEL:+1 212 555 0199\nEND:VCARD\n";
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let app = app_as(&store, "default").await;
        let dir = tempfile::tempdir().unwrap();
        import(&app, &write(dir.path(), "smiths.vcf", SMITHS)).await;
        let people = app.list_people(&Default::default()).await.unwrap();
        let id = |name: &str| {
            people
                .iter()
                .find(|p| p.name == name)
                .unwrap_or_else(|| panic!("{engine}: {name} in {people:?}"))
                .id
                .to_string()
        };
        // Keep the absorbed card's name; undone, each has their own again.
        let merged = app
            .merge_people_keeping(
                &id("Robert Smith"),
                &id("Bob Smith"),
                kith_app::people::NameKept::Absorbed,
            )
            .await
            .unwrap();
        assert_eq!(merged.name, "Bob Smith", "{engine}");
        let (robert, bob) = app.unmerge(&merged.id.to_string()).await.unwrap();
        assert_eq!(
            (robert.name.as_str(), bob.name.as_str()),
            ("Robert Smith", "Bob Smith"),
            "{engine}"
        );
        assert!(
            robert.card.other_names.is_empty(),
            "{engine}: {:?}",
            robert.card.other_names
        );
        // A group of three into one.
        let all = app
            .merge_all(&[id("Robert Smith"), id("Bob Smith"), id("Rob Smith")])
            .await
            .unwrap();
        assert_eq!(all.name, "Robert Smith", "{engine}");
        assert_eq!(all.emails.len(), 2, "{engine}: {:?}", all.emails);
        assert_eq!(all.phones.len(), 1, "{engine}");
        // The same name at the same organisation, nobody else of that name,
        // nothing that disagrees: one person already.
        let roes = app
            .list_people(&kith_store::PeopleFilter {
                search: Some("roe".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(roes.len(), 1, "{engine}: {roes:?}");
        assert_eq!(roes[0].phones.len(), 1, "{engine}");
        // Everything at 80% or more: Jennifer and Jen Doe (a nickname form,
        // same organisation and title).
        let before = app.duplicates().await.unwrap();
        assert!(
            before.iter().any(|d| d.score >= 0.8),
            "{engine}: {before:?}"
        );
        assert!(app.merge_suggestions_above(0.3).await.is_err(), "{engine}");
        let n = app.merge_suggestions_above(0.8).await.unwrap();
        assert_eq!(n, 1, "{engine}");
        let janes = app
            .list_people(&kith_store::PeopleFilter {
                search: Some("doe".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(janes.len(), 1, "{engine}: {janes:?}");
        assert_eq!(janes[0].name, "Jennifer Doe", "{engine}");
    }
}
