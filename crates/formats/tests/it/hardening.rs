//! Issue 20 (hardening) regressions: nothing a user imported disappears
//! without being named (a card cut off before the next one, a card or row
//! that holds only an IM handle, an address, an organisation or a note),
//! records are capped before they are read whole, and nested components
//! cannot drive a reader into deep recursion or huge memory.

use crate::read_bytes;
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
