//! Issue 20 (hardening) regressions through the import use case: nothing a
//! user imported disappears without being named in the report, a report
//! lists the first problems and counts the rest, and a zip bomb inside an
//! archive is named and not read while the rest of the archive is imported.

use crate::{app_as, import, write};
use kith_app::import::{ImportOptions, MAX_LISTED, NoProgress};
use kith_store::PeopleFilter;
use kith_store::testing::stores;
use std::io::Write;

async fn names(app: &kith_app::App) -> Vec<String> {
    let mut names: Vec<String> = app
        .list_people(&PeopleFilter::default())
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    names.sort();
    names
}

// Issue 20, item 9.
#[tokio::test]
async fn a_cut_off_card_and_a_nameless_card_are_kept_and_named() {
    for (store, _guard) in stores().await {
        let engine = store.engine();
        let app = app_as(&store, "me").await;
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "phone.vcf",
            "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Lovelace\r\nTEL:+44 20 7946 0001\r\n\
             BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Grace Hopper\r\nEND:VCARD\r\n\
             BEGIN:VCARD\r\nVERSION:3.0\r\nX-JABBER:alan@jabber.example\r\nEND:VCARD\r\n\
             BEGIN:VCARD\r\nVERSION:3.0\r\nORG:Difference Engines Ltd\r\nEND:VCARD\r\n\
             BEGIN:VCARD\r\nVERSION:3.0\r\nADR:;;1 Loom Lane;Leeds;;;UK\r\nEND:VCARD\r\n",
        );
        let report = import(&app, &path).await;
        assert_eq!(report.records, 5, "{engine}: {report:?}");
        assert_eq!(report.skipped, 0, "{engine}: {report:?}");
        assert_eq!(
            names(&app).await,
            [
                "1 Loom Lane",
                "Ada Lovelace",
                "Difference Engines Ltd",
                "Grace Hopper",
                "alan@jabber.example"
            ],
            "{engine}"
        );
        assert_eq!(report.warnings.len(), 1, "{engine}: {report:?}");
        assert_eq!(report.warnings[0].line, 1, "{engine}");
        assert!(
            report.warnings[0].message.contains("no END:VCARD"),
            "{engine}: {report:?}"
        );
    }
}

// Issue 20, item 7: a file of a million broken records used to keep a
// million problems in memory and in the JSON.
#[tokio::test]
async fn a_report_lists_the_first_problems_and_counts_the_rest() {
    let (store, _guard) = kith_store::testing::sqlite().await;
    let app = app_as(&store, "me").await;
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("BEGIN:VCARD\nFN:Ada Lovelace\nEND:VCARD\n");
    let broken = 2_000;
    for _ in 0..broken {
        text.push_str("BEGIN:VCARD\nEND:VCARD\n");
    }
    let path = write(dir.path(), "empty.vcf", &text);
    let report = import(&app, &path).await;
    assert_eq!(report.records, 1);
    assert_eq!(report.skipped, broken);
    assert_eq!(report.problems.len(), MAX_LISTED);
    assert_eq!(report.more_problems, broken - MAX_LISTED as u64);
    assert_eq!(report.problem_count(), broken);
    assert_eq!(
        report.more_problems_line().as_deref(),
        Some("and 1500 more problems")
    );
    // The first problems are the ones listed, in order.
    assert_eq!(report.problems[0].line, 4);
    assert_eq!(report.problems[1].line, 6);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["more_problems"], 1500);
    assert_eq!(json["problems"].as_array().map(Vec::len), Some(MAX_LISTED));
}

/// A ZIP archive of (name, content) entries, deflated.
fn zip_of(path: &std::path::Path, entries: &[(&str, &[u8])]) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in entries {
        zip.start_file(*name, options).unwrap();
        zip.write_all(content).unwrap();
    }
    zip.finish().unwrap();
}

// Issue 20, item 7: a ZIP whose entry unpacks a thousandfold used to be
// unpacked and read whole.
#[tokio::test]
async fn a_zip_bomb_is_named_and_not_read_and_the_rest_is_imported() {
    let (store, _guard) = kith_store::testing::sqlite().await;
    let app = app_as(&store, "me").await;
    let dir = tempfile::tempdir().unwrap();
    let mut bomb = b"BEGIN:VCARD\r\nFN:".to_vec();
    bomb.resize(bomb.len() + 8 * 1024 * 1024, b'A');
    bomb.extend_from_slice(b"\r\nEND:VCARD\r\n");
    let card = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Grace Hopper\r\nEND:VCARD\r\n";
    let path = dir.path().join("export.zip");
    zip_of(&path, &[("bomb.vcf", &bomb), ("friends.vcf", card)]);
    let done = app
        .import_path(&path, &ImportOptions::default(), &NoProgress)
        .await
        .unwrap();
    let outcomes: Vec<(&str, Result<u64, String>)> = done
        .imported
        .iter()
        .map(|(name, r)| {
            (
                name.as_str(),
                r.as_ref().map(|r| r.records).map_err(|e| e.to_string()),
            )
        })
        .collect();
    assert_eq!(outcomes.len(), 2, "{outcomes:?}");
    let (name, refused) = &outcomes[0];
    assert_eq!(*name, "bomb.vcf");
    let refused = refused.as_ref().unwrap_err();
    assert!(
        refused.contains("export.zip: bomb.vcf: the entry unpacks")
            && refused.contains("zip bomb")
            && refused.contains("not read"),
        "{refused}"
    );
    assert_eq!(outcomes[1], ("friends.vcf", Ok(1)));
    assert_eq!(names(&app).await, ["Grace Hopper"]);
}

// Issue 20, item 10: the CSV export used to write `=HYPERLINK(…)` as is,
// for a spreadsheet to run.
#[tokio::test]
async fn the_csv_export_writes_formulas_as_text_and_phones_as_they_are() {
    let (store, _guard) = kith_store::testing::sqlite().await;
    let app = app_as(&store, "me").await;
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "evil.vcf",
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:=HYPERLINK(\"https://evil.example\"\\,\"update\")\r\n\
         TEL:+1 202 555 0100\r\nORG:@SUM(1+1)\r\nTITLE:-2+3+cmd|' /C calc'!A0\r\n\
         NOTE:+1 for coffee\r\nEND:VCARD\r\n",
    );
    import(&app, &path).await;
    let bytes = app
        .export_bytes(kith_app::export::ExportFormat::Csv)
        .await
        .unwrap();
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let header = reader.headers().unwrap().clone();
    let row = reader.records().next().unwrap().unwrap();
    let cell = |name: &str| {
        row.get(header.iter().position(|h| h == name).unwrap())
            .unwrap()
    };
    assert_eq!(
        cell("name"),
        "'=HYPERLINK(\"https://evil.example\",\"update\")"
    );
    assert_eq!(cell("organization"), "'@SUM(1+1)");
    assert_eq!(cell("title"), "'-2+3+cmd|' /C calc'!A0");
    assert_eq!(cell("notes"), "'+1 for coffee");
    assert_eq!(cell("phones"), "+12025550100", "a phone stays a phone");
}
