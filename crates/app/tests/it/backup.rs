//! Issue 22: after a restore, a phone whose sync token is newer than the
//! backup must not silently miss changes: every token given before the
//! restore is refused (`valid-sync-token`), and the phone syncs in full.

use crate::app_as;
use kith_app::carddav::DavError;
use kith_app::people::PersonEdit;
use kith_app::{App, Settings};
use kith_core::identity::Region;
use kith_store::Store;
use kith_store::testing::{empty_databases, stores};

async fn add(app: &App, name: &str) {
    app.add_person(&PersonEdit {
        name: Some(name.into()),
        ..Default::default()
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn sync_tokens_from_before_a_restore_are_refused() {
    let book = kith_app::types::DEFAULT_BOOK;
    for ((store, _guard), (url, _target)) in stores().await.into_iter().zip(empty_databases().await)
    {
        let engine = store.engine();
        let ana = app_as(&store, "ana").await;
        add(&ana, "Before Backup").await;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("kith.backup");
        let report = kith_app::backup::backup(&store, &file).await.unwrap();
        assert!(report.rows > 0 && report.bytes > 0, "{engine}: {report:?}");
        let at_backup = ana.dav_changes(book, "").await.unwrap().token;
        for i in 0..5 {
            add(&ana, &format!("After Backup {i}")).await;
        }
        let after_backup = ana.dav_changes(book, "").await.unwrap().token;
        assert_eq!(
            ana.dav_changes(book, &at_backup)
                .await
                .unwrap()
                .changed
                .len(),
            5,
            "{engine}: the phone's token works before the restore"
        );

        let restored = Store::open(&url).await.unwrap();
        kith_app::backup::restore(&restored, &file).await.unwrap();
        restored.close().await;
        // The servers that start on the restored database.
        let restored = Store::open(&url).await.unwrap();
        let ana_again = App::new(
            restored.clone(),
            ana.account,
            Settings {
                default_region: Region::US,
                region_is_explicit: false,
                strength: Default::default(),
                card_emails_per_day: 3,
                federation: Default::default(),
                sources: Default::default(),
            },
        );
        for i in 0..5 {
            add(&ana_again, &format!("After Restore {i}")).await;
        }
        for (what, token) in [
            ("after the backup", &after_backup),
            ("at the backup", &at_backup),
        ] {
            let r = ana_again.dav_changes(book, token).await;
            assert!(
                matches!(r, Err(DavError::InvalidToken)),
                "{engine}: a token from {what} is refused: {:?}",
                r.map(|c| c.changed.len())
            );
        }
        let full = ana_again.dav_changes(book, "").await.unwrap();
        assert_eq!(
            full.changed.len(),
            6,
            "{engine}: the full sync has everyone"
        );
        assert_eq!(
            ana_again
                .dav_changes(book, &full.token)
                .await
                .unwrap()
                .changed
                .len(),
            0,
            "{engine}: the new token works"
        );
        restored.close().await;
    }
}

/// A backup file is outside input: a crafted table name, an unknown
/// column, garbage and a file that is not gzip are refused with what is
/// wrong, and nothing is written.
#[tokio::test]
async fn crafted_backups_are_refused_and_write_nothing() {
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use std::io::Write;
    for (url, _target) in empty_databases().await {
        let store = Store::open(&url).await.unwrap();
        let schema = store.schema_status().await.unwrap().known;
        let dir = tempfile::tempdir().unwrap();
        let header = format!("{{\"kith_backup\":1,\"schema\":{schema},\"engine\":\"sqlite\"}}");
        let cases = [
            (
                "injection",
                format!(
                    "{header}\n{{\"table\":\"accounts') UNION SELECT 1,2 --\",\"columns\":[\"id\"]}}\n"
                ),
                "does not know",
            ),
            (
                "unknown table",
                format!("{header}\n{{\"table\":\"nope\",\"columns\":[\"id\"]}}\n"),
                "does not know",
            ),
            (
                "unknown column",
                format!(
                    "{header}\n{{\"table\":\"accounts\",\"columns\":[\"id; DROP TABLE people\"]}}\n"
                ),
                "column",
            ),
            (
                "not JSON",
                format!("{header}\n{{{{{{\n"),
                "not a backup line",
            ),
            (
                "a row before a table",
                format!("{header}\n[1,2]\n"),
                "before any table",
            ),
            (
                "no end line",
                format!(
                    "{header}\n{{\"table\":\"accounts\",\"columns\":[\"id\",\"name\",\"created_at\"]}}\n"
                ),
                "cut off",
            ),
            (
                "another schema",
                "{\"kith_backup\":1,\"schema\":9999}\n".to_string(),
                "schema version",
            ),
        ];
        for (what, text, says) in cases {
            let file = dir.path().join(format!("{what}.backup"));
            let mut gz = GzEncoder::new(std::fs::File::create(&file).unwrap(), Compression::fast());
            gz.write_all(text.as_bytes()).unwrap();
            gz.finish().unwrap();
            let err = kith_app::backup::restore(&store, &file)
                .await
                .unwrap_err()
                .to_string();
            assert!(err.contains(says), "{url}: {what}: {err}");
        }
        let plain = dir.path().join("plain.backup");
        std::fs::write(&plain, b"BEGIN:VCARD\r\nEND:VCARD\r\n").unwrap();
        let err = kith_app::backup::restore(&store, &plain)
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("backup"), "{url}: {err}");
        assert!(
            store.accounts().await.unwrap().is_empty(),
            "{url}: nothing written"
        );
        store.close().await;
    }
}
