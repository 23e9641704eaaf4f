//! Fuzz dav-proto's request parsing: any body, as every request kind a
//! CardDAV client sends (PROPFIND, REPORT, PROPPATCH, MKCOL), and an
//! addressbook-query's filter run over a card. No panic, no stack overflow
//! (issue 20: a body nesting 100,000 elements aborted the server).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = dav_proto::parse_propfind(data);
    let _ = dav_proto::parse_proppatch(data);
    let _ = dav_proto::parse_mkcol(data);
    if let Ok(dav_proto::Report::Query { filter, .. }) = dav_proto::parse_report(data) {
        let _ = filter.matches("BEGIN:VCARD\r\nFN:Ann Lee\r\nEMAIL:ann@example.org\r\nEND:VCARD\r\n");
    }
});
