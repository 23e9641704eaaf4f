//! Google Contacts CSV, current and old header.

use crate::{extra, read, read_bytes, values};
use kith_formats::{Format, FormatError};

#[test]
fn new_header_with_bom_reads_names_organisation_and_dates() {
    let r = read(Format::Google, "google_new.csv");
    // Line 9 holds only a note: kept, shown by its note (issue 20).
    assert_eq!(
        r.names(),
        ["Lady Ada Lovelace", "Mary", "Charles Babbage", "nobody"]
    );
    let lines: Vec<u64> = r.records.iter().map(|x| x.line).collect();
    assert_eq!(lines, [2, 6, 8, 9]);
    let ada = &r.records[0].card;
    assert_eq!(
        (ada.name.prefix.as_str(), ada.name.given.as_str()),
        ("Lady", "Ada")
    );
    assert_eq!(ada.nicknames[0].value, "Countess");
    assert_eq!(ada.positions[0].organization, "Analytical Engines");
    assert_eq!(ada.positions[0].title, "Engineer");
    assert_eq!(ada.birthdays[0].value, "1815-12-10");
    assert_eq!(ada.notes[0].value, "Met at the\nRoyal Society");
    assert_eq!(
        ada.photos[0].uri.as_deref(),
        Some("https://lh3.googleusercontent.example/ada.jpg")
    );
    assert_eq!(r.records[1].card.birthdays[0].value, "--04-23");
    assert_eq!(ada.name.sources[0].format, "google");
}

#[test]
fn multi_values_and_labels_become_separate_typed_values() {
    let r = read(Format::Google, "google_new.csv");
    let ada = &r.records[0].card;
    assert_eq!(
        values(&ada.emails),
        ["ada@work.example", "ada@alt.example", "ada@home.example"]
    );
    assert_eq!(ada.emails[0].kinds, ["work"]);
    assert_eq!(ada.emails[1].kinds, ["work"]);
    assert_eq!(ada.emails[2].kinds, ["home"]);
    assert_eq!(
        values(&ada.phones),
        ["+60 12-345 6789", "04-1234567", "+48 600 100 200"]
    );
    assert_eq!(ada.phones[0].kinds, ["cell"]);
    assert!(ada.phones[2].kinds.is_empty());
    assert_eq!(ada.phones[2].label.as_deref(), Some("Komórka"));
    assert_eq!(values(&ada.urls), ["https://ada.example"]);
    assert_eq!(ada.urls[0].kinds, ["profile"]);
    let a = &ada.addresses[0];
    assert_eq!(
        (
            a.street.as_str(),
            a.locality.as_str(),
            a.postal_code.as_str(),
            a.country.as_str()
        ),
        (
            "12 St James's Square",
            "London",
            "SW1Y 4JH",
            "United Kingdom"
        )
    );
    assert_eq!(a.kinds, ["home"]);
    // Only the formatted form: kept whole.
    let mary = &r.records[1].card.addresses[0];
    assert_eq!(mary.street, "Somewhere 5\nSpringfield");
    assert_eq!(mary.kinds, ["work"]);
}

#[test]
fn user_labels_are_tags_and_system_groups_are_dropped() {
    let r = read(Format::Google, "google_new.csv");
    assert_eq!(r.records[0].card.tag_names(), ["Friends", "Mathematicians"]);
    assert!(r.records[1].card.tags.is_empty());
    assert_eq!(r.records[2].card.tag_names(), ["Inventors"]);
}

#[test]
fn several_organisations_in_one_cell_give_several_positions() {
    let r = read(Format::Google, "google_new.csv");
    let c = &r.records[2].card;
    let jobs: Vec<(&str, &str)> = c
        .positions
        .iter()
        .map(|p| (p.organization.as_str(), p.title.as_str()))
        .collect();
    assert_eq!(jobs, [("Acme", "CEO"), ("Globex", "Advisor")]);
    assert!(c.emails[0].preferred);
    assert_eq!(c.emails[0].kinds, ["other"]);
    // `Dec 26` is not Google's form: read, but flagged.
    assert_eq!(c.birthdays[0].value, "--12-26");
    assert_eq!(r.records[2].warnings.len(), 1);
}

#[test]
fn columns_without_a_field_are_kept() {
    let r = read(Format::Google, "google_new.csv");
    let ada = &r.records[0].card;
    assert_eq!(
        extra(ada, "X-KITH-CSV"),
        [
            "X-KITH-CSV-RELATION-1-LABEL:Spouse",
            "X-KITH-CSV-RELATION-1-VALUE:William King",
            "X-KITH-CSV-CUSTOM-FIELD-1-LABEL:Met at",
            "X-KITH-CSV-CUSTOM-FIELD-1-VALUE:Royal Society\\; 1833"
        ]
    );
    assert_eq!(
        extra(&r.records[1].card, "X-PHONETIC"),
        ["X-PHONETIC-FIRST-NAME:MEH-ree"]
    );
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
}

#[test]
fn old_header_reads_types_groups_and_organisation() {
    let r = read(Format::Google, "google_old.csv");
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    assert_eq!(r.names(), ["Grace Brewster Hopper", "anon@example.net"]);
    let g = &r.records[0].card;
    assert_eq!(g.name.family, "Hopper");
    assert_eq!(g.name.additional, "Brewster");
    assert_eq!(g.other_names[0].family, "Murray");
    assert_eq!(g.birthdays[0].value, "1906-12-09");
    assert_eq!(g.tag_names(), ["Navy", "Friends"]);
    assert_eq!(
        values(&g.emails),
        ["grace@navy.example", "grace@home.example"]
    );
    assert!(g.emails[0].preferred);
    assert!(!g.emails[1].preferred);
    assert_eq!(g.phones[0].kinds, ["cell"]);
    assert!(g.phones[0].preferred);
    assert_eq!(g.phones[1].kinds, ["work", "fax"]);
    assert_eq!(values(&g.impps), ["skype:grace.hopper"]);
    assert_eq!(g.positions[0].organization, "US Navy");
    assert_eq!(g.positions[0].title, "Rear Admiral");
    assert_eq!(g.addresses[0].region, "DC");
    assert_eq!(g.urls[0].kinds, ["blog"]);
    assert_eq!(
        extra(g, "X-KITH-CSV"),
        [
            "X-KITH-CSV-HOBBY:Nanoseconds",
            "X-KITH-CSV-ORGANIZATION-1-LOCATION:Arlington"
        ]
    );
}

#[test]
fn a_file_that_is_not_google_is_refused() {
    let err = read_bytes(Format::Google, b"foo,bar\n1,2\n".to_vec(), "f.csv", None);
    match err {
        Err(FormatError::Invalid { message, .. }) => {
            assert!(message.contains("expected \"First Name\""), "{message}")
        }
        other => panic!("{other:?}"),
    }
}
