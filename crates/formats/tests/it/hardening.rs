//! Issue 20 (hardening) regressions: nothing a user imported disappears
//! without being named (a card cut off before the next one, a card or row
//! that holds only an IM handle, an address, an organisation or a note),
//! records are capped before they are read whole, and nested components
//! cannot drive a reader into deep recursion or huge memory.

use crate::{peak_during, read_bytes};
use kith_formats::Format;
use kith_formats::csv::generic::ColumnMapping;

fn vcard(text: &str) -> crate::Read {
    read_bytes(Format::Vcard, text.as_bytes().to_vec(), "cards.vcf", None)
        .unwrap_or_else(|e| panic!("{e}"))
}

// Issue 20, item 9: a card without END:VCARD used to swallow the next one.
#[test]
fn a_card_cut_off_does_not_swallow_the_next_one() {
    let read = vcard(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Lovelace\r\nEMAIL:ada@example.org\r\n\
         BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Grace Hopper\r\nEMAIL:grace@example.org\r\nEND:VCARD\r\n\
         BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Alan Turing\r\nEND:VCARD\r\n",
    );
    assert_eq!(
        read.names(),
        ["Ada Lovelace", "Grace Hopper", "Alan Turing"],
        "{read:#?}"
    );
    let ada = read.named("Ada Lovelace");
    assert_eq!(ada.line, 1);
    assert_eq!(crate::values(&ada.card.emails), ["ada@example.org"]);
    assert!(
        ada.warnings
            .iter()
            .any(|w| w.contains("no END:VCARD") && w.contains("line 5")),
        "the cut-off card is named: {:?}",
        ada.warnings
    );
    let grace = read.named("Grace Hopper");
    assert_eq!(grace.line, 5);
    assert_eq!(crate::values(&grace.card.emails), ["grace@example.org"]);
    assert!(grace.warnings.is_empty());
    assert!(read.diagnostics.is_empty(), "{:?}", read.diagnostics);
}

#[test]
fn a_cut_off_card_with_nothing_in_it_is_reported_and_the_next_one_kept() {
    let read =
        vcard("BEGIN:VCARD\nVERSION:2.1\nBEGIN:VCARD\nVERSION:2.1\nN:Hopper;Grace\nEND:VCARD\n");
    assert_eq!(read.names(), ["Grace Hopper"]);
    assert_eq!(read.diagnostics.len(), 1, "{:?}", read.diagnostics);
    assert_eq!(read.diagnostics[0].line, 1);
    assert!(
        read.diagnostics[0].message.contains("line 3"),
        "{:?}",
        read.diagnostics
    );
}

#[test]
fn an_agent_card_stays_inside_its_parent() {
    // vCard 2.1: the AGENT value is an embedded card on lines of its own.
    let read = vcard(
        "BEGIN:VCARD\r\nVERSION:2.1\r\nN:Lovelace;Ada\r\nAGENT:\r\nBEGIN:VCARD\r\nVERSION:2.1\r\n\
         N:Friday;Fred\r\nEND:VCARD\r\nEND:VCARD\r\n\
         BEGIN:VCARD\r\nVERSION:2.1\r\nN:Hopper;Grace\r\nEND:VCARD\r\n\
         BEGIN:VCARD\r\nVERSION:2.1\r\nN:Babbage;Charles\r\nitem1.AGENT;TYPE=WORK:\r\n\
         BEGIN:VCARD\r\nN:Friday;Fred\r\nEND:VCARD\r\nEND:VCARD\r\n\
         BEGIN:VCARD\r\nVERSION:2.1\r\nN:Turing;Alan\r\nEND:VCARD\r\n",
    );
    assert_eq!(
        read.names(),
        [
            "Ada Lovelace",
            "Grace Hopper",
            "Charles Babbage",
            "Alan Turing"
        ],
        "{read:#?}"
    );
    assert_eq!(read.named("Grace Hopper").line, 10);
    assert_eq!(read.named("Alan Turing").line, 22);
    assert!(read.records.iter().all(|r| r.warnings.is_empty()));
    assert!(read.diagnostics.is_empty(), "{:?}", read.diagnostics);
}

// Issue 20, item 9: a card without a name, email, phone or URL used to be
// skipped although it held values kith keeps.
#[test]
fn a_nameless_card_is_kept_and_shown_by_what_it_has() {
    let read = vcard(
        "BEGIN:VCARD\nVERSION:3.0\nIMPP:xmpp:ada@jabber.example\nEND:VCARD\n\
         BEGIN:VCARD\nVERSION:3.0\nX-JABBER;TYPE=HOME:grace@jabber.example\nEND:VCARD\n\
         BEGIN:VCARD\nVERSION:2.1\nitem1.X-GOOGLE-TALK:alan@gmail.example\nEND:VCARD\n\
         BEGIN:VCARD\nVERSION:3.0\nADR;TYPE=WORK:;;12 Analytical Row;London;;N1;UK\nEND:VCARD\n\
         BEGIN:VCARD\nVERSION:3.0\nORG:Difference Engines Ltd\nEND:VCARD\n\
         BEGIN:VCARD\nVERSION:3.0\nNOTE:Met at the Royal Society\\nTalked about looms\nEND:VCARD\n\
         BEGIN:VCARD\nVERSION:3.0\nTITLE:Night porter\nEND:VCARD\n\
         BEGIN:VCARD\nVERSION:3.0\nBDAY:1815-12-10\nEND:VCARD\n\
         BEGIN:VCARD\nVERSION:3.0\nEND:VCARD\n",
    );
    assert_eq!(
        read.names(),
        [
            "xmpp:ada@jabber.example",
            "grace@jabber.example",
            "alan@gmail.example",
            "12 Analytical Row",
            "Difference Engines Ltd",
            "Met at the Royal Society",
            "Night porter",
        ],
        "{read:#?}"
    );
    // The X-JABBER line is kept as it was (and written back on export).
    assert_eq!(
        crate::extra(&read.records[1].card, "X-JABBER"),
        ["X-JABBER;TYPE=HOME:grace@jabber.example"]
    );
    // Only a birthday, or nothing at all: named in the report, not kept.
    let lines: Vec<u64> = read.diagnostics.iter().map(|d| d.line).collect();
    assert_eq!(lines, [29, 33], "{:?}", read.diagnostics);
    assert!(read.diagnostics[0].message.contains("skipped"));
}

#[test]
fn csv_rows_with_only_an_address_a_note_or_an_im_handle_are_kept() {
    let google = "First Name,Last Name,Notes,IM 1 - Label,IM 1 - Service,IM 1 - Value,\
                  Address 1 - Street,Address 1 - City,Birthday\n\
                  ,,,,Jabber,ada@jabber.example,,,\n\
                  ,,Met at the Royal Society,,,,,,\n\
                  ,,,,,,12 Analytical Row,London,\n\
                  ,,,,,,,,1815-12-10\n";
    let read = read_bytes(Format::Google, google.as_bytes().to_vec(), "g.csv", None)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        read.names(),
        [
            "jabber:ada@jabber.example",
            "Met at the Royal Society",
            "12 Analytical Row"
        ],
        "{read:#?}"
    );
    assert_eq!(read.diagnostics.len(), 1, "{:?}", read.diagnostics);
    assert_eq!(read.diagnostics[0].line, 5);

    let outlook = "\"First Name\",\"Last Name\",\"E-mail Address\",\"Business Street\",\
                   \"Business City\",\"Notes\"\n\
                   \"\",\"\",\"\",\"1 Loom Lane\",\"Leeds\",\"\"\n\
                   \"\",\"\",\"\",\"\",\"\",\"Plumber, recommended by Ada\"\n";
    let read = read_bytes(Format::Outlook, outlook.as_bytes().to_vec(), "o.csv", None)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        read.names(),
        ["1 Loom Lane", "Plumber, recommended by Ada"],
        "{read:#?}"
    );

    let generic = "Name,Street,City,Note\n,1 Loom Lane,Leeds,\n,,,A note\n";
    let mapping = ColumnMapping::parse("Name=name,Street=street,City=city,Note=note").ok();
    let read = read_bytes(Format::Csv, generic.as_bytes().to_vec(), "c.csv", mapping)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(read.names(), ["1 Loom Lane", "A note"], "{read:#?}");
}

/// `prefix`, then `n` bytes of `A` made as they are read (never in memory
/// at once), then `suffix`.
fn hostile(prefix: &str, n: u64, suffix: &str) -> Box<dyn std::io::BufRead> {
    use std::io::Read;
    let input = std::io::Cursor::new(prefix.as_bytes().to_vec())
        .chain(std::io::repeat(b'A').take(n))
        .chain(std::io::Cursor::new(suffix.as_bytes().to_vec()));
    Box::new(std::io::BufReader::with_capacity(256 * 1024, input))
}

/// Runs `f`, checking that it never held more than [`FLAT`] bytes at once.
fn flat<T>(f: impl FnOnce() -> T) -> T {
    let (out, peak) = peak_during(f);
    assert!(
        peak < FLAT,
        "reading held {} MiB at once",
        peak as u64 / MIB
    );
    out
}

const MIB: u64 = 1024 * 1024;
/// What reading a hostile file may hold at once: the 16 MiB record cap,
/// and room for a buffer's doubling and the parse.
const FLAT: usize = 64 * MIB as usize;

fn read_all(format: Format, input: Box<dyn std::io::BufRead>) -> crate::Read {
    let options = kith_formats::ReadOptions {
        file_name: "hostile".into(),
        mapping: ColumnMapping::parse("Name=name,Email=email").ok(),
    };
    let mut read = crate::Read {
        records: Vec::new(),
        diagnostics: Vec::new(),
    };
    for item in kith_formats::open(format, input, &options).unwrap_or_else(|e| panic!("{e}")) {
        match item {
            Ok(r) => read.records.push(r),
            Err(d) => read.diagnostics.push(d),
        }
    }
    read
}

// Issue 20, item 7: one vCard line of a gigabyte was buffered whole
// (read_until) before the 16 MiB card cap could apply.
#[test]
fn a_huge_vcard_line_is_skipped_without_being_held() {
    let read = flat(|| {
        read_all(
            Format::Vcard,
            hostile(
                "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Mallory\r\nNOTE:",
                256 * MIB,
                "\r\nEND:VCARD\r\nBEGIN:VCARD\r\nFN:Ada Lovelace\r\nEND:VCARD\r\n",
            ),
        )
    });
    assert_eq!(read.names(), ["Ada Lovelace"]);
    assert_eq!(read.diagnostics.len(), 1, "{:?}", read.diagnostics);
    assert_eq!(read.diagnostics[0].line, 1);
    assert!(read.diagnostics[0].message.contains("larger than 16 MiB"));

    // The same line outside any card.
    let read = flat(|| {
        read_all(
            Format::Vcard,
            hostile("", 256 * MIB, "\nBEGIN:VCARD\nFN:Ada Lovelace\nEND:VCARD\n"),
        )
    });
    assert_eq!(read.names(), ["Ada Lovelace"]);
    assert_eq!(read.diagnostics.len(), 1, "{:?}", read.diagnostics);
}

// Issue 20, item 7: a CSV row (a line, or a quote never closed) was held
// whole however long it grew.
#[test]
fn a_huge_csv_row_is_skipped_without_being_held() {
    let read = flat(|| {
        read_all(
            Format::Csv,
            hostile(
                "Name,Email\nAda Lovelace,ada@example.org\nMallory,",
                100 * MIB,
                "\nGrace Hopper,grace@example.org\n",
            ),
        )
    });
    assert_eq!(read.names(), ["Ada Lovelace", "Grace Hopper"]);
    assert_eq!(read.diagnostics.len(), 1, "{:?}", read.diagnostics);
    assert_eq!(read.diagnostics[0].line, 3);
    assert!(read.diagnostics[0].message.contains("larger than 16 MiB"));

    // A quote opened and never closed: the rest of the file is one field.
    let read = flat(|| {
        read_all(
            Format::Csv,
            hostile(
                "Name,Email\nAda Lovelace,ada@example.org\n\"",
                100 * MIB,
                "",
            ),
        )
    });
    assert_eq!(read.names(), ["Ada Lovelace"]);
    assert_eq!(read.diagnostics.len(), 1, "{:?}", read.diagnostics);
    assert!(read.diagnostics[0].message.contains("never closed"));
}

// Issue 20, item 7: an mbox body line of a gigabyte was read whole although
// bodies are skipped.
#[test]
fn a_huge_mail_line_is_skipped_without_being_held() {
    let mbox = "From a@x Mon Nov 02 10:00:00 2026\nFrom: Ada <ada@example.org>\n\
                To: me@example.org\nDate: Mon, 02 Nov 2026 10:00:00 +0000\n\n";
    let next = "\nFrom b@x Mon Nov 03 10:00:00 2026\nFrom: Grace <grace@example.org>\n\
                To: me@example.org\nDate: Tue, 03 Nov 2026 10:00:00 +0000\n\nhi\n";
    let got = flat(|| {
        kith_formats::mail::MboxReader::new(hostile(mbox, 256 * MIB, next), "all.mbox")
            .collect::<Vec<_>>()
    });
    assert_eq!(got.len(), 2);
    assert!(got.iter().all(Result::is_ok), "{got:?}");

    // A header line of a gigabyte in a single message.
    let got = flat(|| {
        kith_formats::mail::read_message_file(
            hostile(
                "From: Ada <ada@example.org>\nSubject: ",
                256 * MIB,
                "\n\nbody\n",
            ),
            "1.eml",
        )
    });
    assert!(got.is_err_and(|d| d.message.contains("over 1 MiB")));
}

#[test]
fn the_memory_gauge_sees_a_large_buffer() {
    let (len, peak) = peak_during(|| vec![1u8; 80 * MIB as usize].len());
    assert_eq!(len, 80 * MIB as usize);
    assert!(peak >= FLAT, "{peak}");
}

// Depth bounds: nested components cannot drive a reader into deep
// recursion or huge memory; a record nested too deep is one problem.
#[test]
fn deeply_nested_vcards_are_read_flat() {
    let n = 100_000;
    // AGENT cards inside AGENT cards (vCard 2.1), then a plain card.
    let mut text = String::from("BEGIN:VCARD\r\nVERSION:2.1\r\nN:Lovelace;Ada\r\n");
    text.push_str(&"AGENT:\r\nBEGIN:VCARD\r\nVERSION:2.1\r\nN:Friday;Fred\r\n".repeat(n));
    text.push_str(&"END:VCARD\r\n".repeat(n + 1));
    text.push_str("BEGIN:VCARD\r\nN:Hopper;Grace\r\nEND:VCARD\r\n");
    let read = flat(|| vcard(&text));
    assert_eq!(read.names(), ["Ada Lovelace", "Grace Hopper"]);

    // BEGIN:VCARD lines with nothing between them: each is a card of its own.
    let text = format!(
        "{}BEGIN:VCARD\nFN:Grace Hopper\nEND:VCARD\n",
        "BEGIN:VCARD\n".repeat(n)
    );
    let read = flat(|| vcard(&text));
    assert_eq!(read.names(), ["Grace Hopper"]);
    assert_eq!(read.diagnostics.len(), n);
}

const GOOD_EVENT: &str = "BEGIN:VEVENT\r\nUID:ok@example\r\nDTSTART:20261110T090000Z\r\n\
                          ATTENDEE;CN=Grace Hopper:mailto:grace@navy.example\r\nEND:VEVENT\r\n";

#[test]
fn deeply_nested_calendar_components_are_one_problem() {
    let n = 100_000;
    let mut text = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\n");
    text.push_str("UID:deep@example\r\nDTSTART:20261110T090000Z\r\n");
    text.push_str(&"BEGIN:VALARM\r\n".repeat(n));
    text.push_str(&"END:VALARM\r\n".repeat(n));
    text.push_str("END:VEVENT\r\n");
    text.push_str(GOOD_EVENT);
    text.push_str("END:VCALENDAR\r\n");
    let (events, problems) = flat(|| kith_formats::ical::read_ics(&text, "deep.ics"));
    assert_eq!(events.len(), 1, "{problems:?}");
    assert_eq!(events[0].uid.as_deref(), Some("ok@example"));
    assert_eq!(events[0].line, 2 * n as u64 + 7);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].line, 3);
    assert!(
        problems[0].message.contains("more than 16 deep"),
        "{problems:?}"
    );

    // Events opened inside events and never closed: the rest of the file is
    // one event, reported, not a hundred thousand components in memory.
    let text = format!(
        "BEGIN:VCALENDAR\r\n{GOOD_EVENT}{}",
        "BEGIN:VEVENT\r\nDTSTART:20261110T090000Z\r\n".repeat(n)
    );
    let (events, problems) = flat(|| kith_formats::ical::read_ics(&text, "open.ics"));
    assert_eq!(events.len(), 1);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].line, 7);
}

#[test]
fn deeply_nested_mail_headers_are_read_flat() {
    let n = 100_000;
    let cases = [
        // Address groups inside groups.
        format!("From: {}ada@example.org{}\n", "g:".repeat(n), ";".repeat(n)),
        // Comments inside comments.
        format!(
            "From: Ada {}x{} <ada@example.org>\n",
            "(".repeat(n),
            ")".repeat(n)
        ),
        // Quotes and angle brackets without end.
        format!("From: {}\n", "\"<".repeat(n)),
        // A header of nearly 1 MiB of addresses.
        format!(
            "From: ada@example.org\nTo: {}grace@example.org\n",
            "x@example.org, ".repeat(65_000)
        ),
    ];
    for header in cases {
        let raw = format!("{header}Date: Mon, 02 Nov 2026 10:00:00 +0000\n\nbody\n");
        let got = flat(|| {
            kith_formats::mail::read_message_file(raw.as_bytes(), "deep.eml")
                .map(|h| h.recipients.len())
        });
        // Read or refused, but answered.
        let _ = got;
    }
}

#[test]
fn a_huge_first_line_is_named_not_called_empty() {
    for format in [Format::Google, Format::Outlook, Format::Csv] {
        let options = kith_formats::ReadOptions {
            file_name: "big.csv".into(),
            mapping: None,
        };
        let err = flat(|| {
            kith_formats::open(format, hostile("", 40 * MIB, "\nName\nAda\n"), &options)
                .err()
                .map(|e| e.to_string())
        });
        let err = err.unwrap_or_else(|| panic!("{format:?} opened a file without a header"));
        assert!(
            err.contains("big.csv") && err.contains("line 1 is over 16 MiB"),
            "{format:?}: {err}"
        );
    }
}
