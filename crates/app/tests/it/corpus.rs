//! The real-world vCard corpus (../shared/vcards): every file imports without
//! a panic, every card with a name becomes a person, a second import of the
//! same files changes nothing.

use crate::{app_as, shared_vcards, vcf_files};
use kith_app::import::{ImportOptions, NoProgress};
use kith_formats::vcard::Reader;
use kith_store::testing::stores;
use std::io::BufReader;

#[tokio::test]
async fn every_real_card_with_a_name_becomes_a_person_and_reimport_changes_nothing() {
    let files = vcf_files(&shared_vcards());
    assert!(
        files.len() >= 140,
        "the corpus is there: {} files",
        files.len()
    );
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let app = app_as(&store, "default").await;
        let mut names = Vec::new();
        for f in &files {
            // What an independent read of the file says it holds.
            let input = BufReader::new(std::fs::File::open(f).unwrap());
            for item in Reader::new(Box::new(input), "x").flatten() {
                let name = item.card.name.display();
                if !name.is_empty() {
                    names.push((f.clone(), name));
                }
            }
            // Unreadable files are errors, never panics; everything else imports.
            let _ = app
                .import_file(f, &ImportOptions::default(), &NoProgress)
                .await;
        }
        assert!(names.len() > 150, "{engine}: {} named cards", names.len());
        let people = app.list_people(&Default::default()).await.unwrap();
        for (file, name) in &names {
            let found = people.iter().any(|p| {
                p.card.name.display() == *name
                    || p.card.other_names.iter().any(|n| n.display() == *name)
            });
            assert!(
                found,
                "{engine}: {name:?} from {} is not a person",
                file.display()
            );
        }

        let before = people.len();
        for f in &files {
            if let Ok(r) = app
                .import_file(f, &ImportOptions::default(), &NoProgress)
                .await
            {
                assert_eq!(
                    (r.created, r.updated, r.suggested),
                    (0, 0, 0),
                    "{engine}: re-import of {} changed {r:?}",
                    f.display()
                );
            }
        }
        assert_eq!(
            app.list_people(&Default::default()).await.unwrap().len(),
            before,
            "{engine}"
        );
    }
}

#[tokio::test]
async fn unknown_properties_photos_and_labels_are_kept() {
    for (store, _guard) in stores().await {
        let app = app_as(&store, "default").await;
        let dir = tempfile::tempdir().unwrap();
        let path = crate::write(
            dir.path(),
            "apple.vcf",
            "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;Jane;;;\r\nFN:Jane Doe\r\n\
             item1.EMAIL;type=INTERNET:jane@example.org\r\nitem1.X-ABLabel:_$!<Other>!$_\r\n\
             X-SOCIALPROFILE;type=twitter:http://twitter.com/jane\r\n\
             PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD\r\n\
             BDAY:1985-04-12\r\nEND:VCARD\r\n",
        );
        crate::import(&app, &path).await;
        let p = app.find_person("jane@example.org").await.unwrap();
        assert_eq!(p.card.emails[0].label.as_deref(), Some("Other"));
        assert_eq!(p.card.emails[0].group.as_deref(), Some("item1"));
        assert!(
            p.card
                .extra
                .iter()
                .any(|x| x.line.starts_with("X-SOCIALPROFILE")),
            "{:?}",
            p.card.extra
        );
        assert_eq!(p.card.photos.len(), 1);
        assert_eq!(p.birthday.as_deref(), Some("1985-04-12"));
        assert_eq!(p.sources[0].file, "apple.vcf");
        assert_eq!(p.sources[0].line, 1);
    }
}
