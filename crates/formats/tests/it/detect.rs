//! Format detection on the fixture files, and the refusals.

use crate::{fixture, read_bytes};
use kith_formats::{Format, detect};

#[test]
fn every_fixture_is_recognised() {
    let cases = [
        ("linkedin_connections.csv", Format::Linkedin),
        ("linkedin_connections_old.csv", Format::Linkedin),
        ("linkedin_connections_excel.csv", Format::Linkedin),
        ("linkedin_positions.csv", Format::Linkedin),
        ("linkedin_profile.csv", Format::Linkedin),
        ("google_new.csv", Format::Google),
        ("google_old.csv", Format::Google),
        ("outlook_desktop.csv", Format::Outlook),
        ("outlook_com.csv", Format::Outlook),
        ("outlook_google.csv", Format::Outlook),
        ("generic_mapped.csv", Format::Csv),
        ("generic_guessed.csv", Format::Csv),
    ];
    for (name, want) in cases {
        assert_eq!(detect(&fixture(name)), Ok(want), "{name}");
    }
}

#[test]
fn a_head_cut_mid_line_is_enough() {
    let bytes = fixture("outlook_desktop.csv");
    let cut = bytes
        .windows(13)
        .position(|w| w == b"\"E-mail Type\"")
        .unwrap_or(0)
        + 5;
    assert_eq!(detect(&bytes[..cut]), Ok(Format::Outlook));
    let bytes = fixture("linkedin_connections.csv");
    assert_eq!(detect(&bytes[..10]), Ok(Format::Linkedin));
}

#[test]
fn detected_then_read_wrong_header_fails_clearly() {
    let bytes = fixture("wrong_header.csv");
    let format = detect(&bytes);
    assert_eq!(format, Ok(Format::Csv));
    assert!(read_bytes(Format::Csv, bytes, "wrong.csv", None).is_err());
}

#[test]
fn vcard_binary_and_empty() {
    assert_eq!(
        detect(b"\r\nBEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ada\r\nEND:VCARD\r\n"),
        Ok(Format::Vcard)
    );
    let empty = detect(b"");
    assert!(
        empty.as_ref().is_err_and(|e| e.contains("empty")),
        "{empty:?}"
    );
    let binary = detect(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR");
    assert!(
        binary.as_ref().is_err_and(|e| e.contains("binary")),
        "{binary:?}"
    );
    let utf16 = detect(b"\xff\xfeB\x00E\x00");
    assert!(
        utf16.as_ref().is_err_and(|e| e.contains("UTF-16")),
        "{utf16:?}"
    );
    assert!(detect(b"1,2,3\n4,5,6\n").is_err());
}
