//! Property tests: no input, however broken, makes a reader or detection panic,
//! and every record or diagnostic points at a line inside the input.

use crate::read_bytes;
use kith_formats::csv::generic::ColumnMapping;
use kith_formats::{Format, detect};
use proptest::prelude::*;

const HEADERS: [&str; 6] = [
    "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n",
    "Company Name,Title,Description,Location,Started On,Finished On\n",
    "First Name,Middle Name,Last Name,Labels,E-mail 1 - Label,E-mail 1 - Value,Address 1 - Street\n",
    "Name,Given Name,Family Name,Group Membership,Phone 1 - Type,Phone 1 - Value\n",
    "\"First Name\",\"Last Name\",\"E-mail Address\",\"E-mail Type\",\"Birthday\",\"Categories\"\n",
    "Name,Email,Phone,Birthday,Tags,Other\n",
];

/// Bytes that look like CSV more often than random bytes do.
fn csvish() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b",".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r".to_vec()),
        Just(b" ::: ".to_vec()),
        Just(b"3/15/2024".to_vec()),
        Just(b"29-Mar-21".to_vec()),
        Just(b"\xEF\xBB\xBF".to_vec()),
        Just(b"Notes:".to_vec()),
        "[a-zA-Z0-9@. -]{0,8}".prop_map(String::into_bytes),
        prop::collection::vec(any::<u8>(), 0..4),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

fn check_all(bytes: &[u8]) {
    let _ = detect(bytes);
    let lines = bytes.iter().filter(|&&b| b == b'\n' || b == b'\r').count() as u64 + 1;
    let mapping = ColumnMapping::parse("Name=name,Email=email").ok();
    for format in [
        Format::Linkedin,
        Format::Google,
        Format::Outlook,
        Format::Csv,
    ] {
        for m in [None, mapping.clone()] {
            if let Ok(read) = read_bytes(format, bytes.to_vec(), "p.csv", m) {
                for r in &read.records {
                    assert!(
                        r.line >= 1 && r.line <= lines,
                        "record line {} of {lines}",
                        r.line
                    );
                }
                for d in &read.diagnostics {
                    assert!(
                        d.line >= 1 && d.line <= lines + 1,
                        "diagnostic line {} of {lines}",
                        d.line
                    );
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        check_all(&bytes);
    }

    #[test]
    fn csv_like_bytes_under_a_real_header_never_panic(h in 0..HEADERS.len(), body in csvish()) {
        let mut bytes = HEADERS[h].as_bytes().to_vec();
        bytes.extend_from_slice(&body);
        check_all(&bytes);
    }

    #[test]
    fn arbitrary_mapping_specs_never_panic(spec in "\\PC{0,60}") {
        let _ = ColumnMapping::parse(&spec);
    }

    #[test]
    fn arbitrary_text_cells_round_trip_through_quoting(cell in "\\PC{0,40}") {
        // A quoted cell holding anything comes back as written (trimmed, line
        // ends normalised), wherever the quotes and commas fall.
        let quoted = format!("\"{}\"", cell.replace('"', "\"\""));
        let bytes = format!("Name,Notes\nAda,{quoted}\n").into_bytes();
        let read = read_bytes(Format::Csv, bytes, "p.csv", None);
        prop_assert!(read.is_ok());
        if let Ok(read) = read {
            let want = cell.replace("\r\n", "\n").replace('\r', "\n");
            let want = want.trim();
            let got = read.records.first().and_then(|r| r.card.notes.first()).map(|n| n.value.as_str());
            prop_assert_eq!(got.unwrap_or(""), want);
        }
    }
}
