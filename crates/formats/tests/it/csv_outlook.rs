//! The three Outlook CSV variants.

use crate::{extra, read, values};
use kith_formats::Format;

#[test]
fn desktop_export_in_windows_1252_keeps_accents() {
    let r = read(Format::Outlook, "outlook_desktop.csv");
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    assert_eq!(
        r.names(),
        ["Dr. José Müller Jr.", "Kim Exchange", "Contoso Reception"]
    );
    let jose = &r.records[0].card;
    assert_eq!(jose.name.given, "José");
    assert_eq!(jose.name.family, "Müller");
    assert_eq!(jose.name.prefix, "Dr.");
    assert_eq!(jose.name.suffix, "Jr.");
    let p = &jose.positions[0];
    assert_eq!(
        (
            p.organization.as_str(),
            p.department.as_str(),
            p.title.as_str()
        ),
        ("Façade Ltd", "R&D", "Ingénieur")
    );
    assert_eq!(jose.notes[0].value, "Prefers café au lait.\nCall after 10.");
    assert_eq!(jose.birthdays[0].value, "1985-03-15");
    assert_eq!(jose.tag_names(), ["Clients", "Paris"]);
    assert_eq!(values(&jose.emails), ["jose@facade.example"]);
    assert_eq!(values(&jose.urls), ["https://facade.example"]);
    assert_eq!(jose.name.sources[0].format, "outlook");
}

#[test]
fn phone_columns_give_kinds_and_primary_marks_preferred() {
    let r = read(Format::Outlook, "outlook_desktop.csv");
    let jose = &r.records[0].card;
    let phones: Vec<(&str, Vec<&str>, bool)> = jose
        .phones
        .iter()
        .map(|p| {
            (
                p.value.as_str(),
                p.kinds.iter().map(String::as_str).collect(),
                p.preferred,
            )
        })
        .collect();
    assert_eq!(
        phones,
        [
            ("+33 6 12 34 56 78", vec!["cell"], true),
            ("+33 1 23 45 67 89", vec!["work"], false),
            ("+33 1 23 45 67 00", vec!["fax", "work"], false),
        ]
    );
    let a = &jose.addresses[0];
    assert_eq!(a.street, "1 Rue de la Paix\nBâtiment B");
    assert_eq!(
        (a.locality.as_str(), a.postal_code.as_str()),
        ("Paris", "75002")
    );
    assert_eq!(a.country, "France");
    assert_eq!(a.kinds, ["work"]);
    let reception = &r.records[2].card;
    assert_eq!(reception.phones[0].label.as_deref(), Some("Company main"));
}

#[test]
fn exchange_addresses_are_skipped_with_a_warning() {
    let r = read(Format::Outlook, "outlook_desktop.csv");
    let kim = &r.records[1];
    assert_eq!(values(&kim.card.emails), ["kim@contoso.example"]);
    assert_eq!(kim.warnings.len(), 1);
    assert!(
        kim.warnings[0].contains("Exchange (EX)"),
        "{:?}",
        kim.warnings
    );
    assert!(kim.card.birthdays.is_empty(), "0/0/00 is no birthday");
}

#[test]
fn outlook_filler_is_dropped_and_real_extra_columns_kept() {
    let r = read(Format::Outlook, "outlook_desktop.csv");
    assert_eq!(extra(&r.records[0].card, ""), ["X-KITH-CSV-SPOUSE:Anaïs"]);
    assert!(
        r.records[1].card.extra.is_empty(),
        "{:?}",
        r.records[1].card.extra
    );
}

#[test]
fn outlook_com_export() {
    let r = read(Format::Outlook, "outlook_com.csv");
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    assert_eq!(r.names(), ["Linus Torvalds", "Ingrid Daubechies"]);
    let l = &r.records[0].card;
    assert_eq!(l.nicknames[0].value, "torvalds");
    assert_eq!(values(&l.phones), ["+1 503 555 0199", "+1 503 555 0100"]);
    assert_eq!(l.phones[0].kinds, ["cell"]);
    assert_eq!(l.phones[1].kinds, ["home"]);
    assert_eq!(l.positions[0].organization, "Linux Foundation");
    assert_eq!(l.addresses[0].region, "OR");
    assert_eq!(l.addresses[0].kinds, ["home"]);
    assert_eq!(l.urls[0].kinds, ["home"]);
    assert_eq!(l.birthdays[0].value, "1969-12-28");
    assert_eq!(
        extra(l, "X-KITH-CSV"),
        ["X-KITH-CSV-IMADDRESS:linus@chat.example"]
    );
    // 17/08/1954 cannot be month-first: read day-first, with a warning.
    let ingrid = &r.records[1];
    assert_eq!(ingrid.card.birthdays[0].value, "1954-08-17");
    assert_eq!(ingrid.warnings.len(), 1);
}

#[test]
fn outlook_csv_written_by_google() {
    let r = read(Format::Outlook, "outlook_google.csv");
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    let h = &r.records[0].card;
    assert_eq!(h.name.full, "Hedy Lamarr");
    assert_eq!(h.birthdays[0].value, "1914-11-09");
    assert_eq!(h.tag_names(), ["Friends", "Inventors"]);
    assert_eq!(h.addresses[0].street, "7 Sunset Blvd\nLos Angeles, CA");
    assert_eq!(h.positions[0].title, "Inventor");
    assert!(h.extra.is_empty(), "{:?}", h.extra);
}
