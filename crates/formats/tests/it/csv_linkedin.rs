//! LinkedIn export files: Connections.csv in its layouts and Excel re-saves,
//! Positions.csv and Profile.csv.

use crate::{extra, read, read_bytes, values};
use kith_core::Source;
use kith_formats::{Format, FormatError};

#[test]
fn connections_with_bom_crlf_and_preamble_keep_every_person_with_file_lines() {
    let r = read(Format::Linkedin, "linkedin_connections.csv");
    assert_eq!(
        r.names(),
        [
            "Ada Lovelace",
            "Grace Hopper",
            "Alan Turing",
            "Katherine Johnson",
            "Grace Hopper",
            "Zoë Ångström"
        ]
    );
    let lines: Vec<u64> = r.records.iter().map(|x| x.line).collect();
    assert_eq!(lines, [5, 6, 8, 10, 11, 14]);
    assert!(r.records.iter().all(|x| !x.about_owner));

    let ada = r.named("Ada Lovelace");
    assert_eq!(ada.card.name.given, "Ada");
    assert_eq!(ada.card.name.family, "Lovelace");
    assert_eq!(
        values(&ada.card.urls),
        ["https://www.linkedin.com/in/ada-lovelace"]
    );
    assert_eq!(ada.card.urls[0].kinds, ["linkedin"]);
    assert!(ada.card.emails.is_empty());
    assert_eq!(
        ada.card.positions[0].organization,
        "Analytical Engines, Ltd."
    );
    assert_eq!(ada.card.positions[0].title, "Engineer");
    assert_eq!(ada.card.positions[0].start, None);
    assert_eq!(
        extra(&ada.card, "X-KITH-LINKEDIN"),
        ["X-KITH-LINKEDIN-CONNECTED-ON:2024-01-01"]
    );
    assert!(ada.warnings.is_empty(), "{:?}", ada.warnings);
    let source = Source {
        file: "linkedin_connections.csv".into(),
        line: 5,
        format: "linkedin".into(),
    };
    assert_eq!(ada.card.name.sources, std::slice::from_ref(&source));
    assert_eq!(ada.card.urls[0].sources, std::slice::from_ref(&source));
    assert_eq!(ada.card.positions[0].sources, std::slice::from_ref(&source));
    assert_eq!(ada.card.extra[0].sources, [source]);
}

#[test]
fn quoted_commas_doubled_quotes_and_emails_survive() {
    let r = read(Format::Linkedin, "linkedin_connections.csv");
    let grace = &r.records[1];
    assert_eq!(grace.card.positions[0].organization, "Stripe, Inc.");
    assert_eq!(
        grace.card.positions[0].title,
        "Senior Engineer \"Platform\""
    );
    assert_eq!(values(&grace.card.emails), ["grace@navy.example"]);
    assert_eq!(
        values(&grace.card.urls),
        ["https://www.linkedin.com/in/grace-hopper/"]
    );
    assert_eq!(
        extra(&grace.card, "X-KITH"),
        ["X-KITH-LINKEDIN-CONNECTED-ON:2024-03-15"]
    );
    assert_eq!(
        r.named("Zoë Ångström").card.positions[0].organization,
        "Uppsala Universitet"
    );
}

#[test]
fn empty_company_or_position_gives_a_partial_or_no_position() {
    let r = read(Format::Linkedin, "linkedin_connections.csv");
    assert!(r.named("Alan Turing").card.positions.is_empty());
    let kj = &r.named("Katherine Johnson").card.positions;
    assert_eq!(kj.len(), 1);
    assert_eq!(
        (kj[0].organization.as_str(), kj[0].title.as_str()),
        ("", "Mathematician")
    );
}

#[test]
fn duplicate_rows_are_flagged_comma_rows_skipped_bad_rows_reported() {
    let r = read(Format::Linkedin, "linkedin_connections.csv");
    let dup = &r.records[4];
    assert_eq!(dup.line, 11);
    assert_eq!(dup.warnings, ["same row as line 6"]);
    // Comma-only rows (lines 7 and 9) vanish without a word; a short row and
    // a row naming nobody are reported with their line.
    let diags: Vec<(u64, &str)> = r
        .diagnostics
        .iter()
        .map(|d| (d.line, d.message.as_str()))
        .collect();
    assert_eq!(diags.len(), 2, "{diags:?}");
    assert_eq!(diags[0].0, 12);
    assert!(
        diags[0]
            .1
            .contains("6 fields where the header (line 4) has 7"),
        "{}",
        diags[0].1
    );
    assert_eq!(diags[1].0, 13);
    assert!(
        diags[1].1.contains("no name, profile URL or email"),
        "{}",
        diags[1].1
    );
    assert_eq!(r.diagnostics[0].file, "linkedin_connections.csv");
}

#[test]
fn the_older_six_column_layout_reads_by_header_name() {
    let r = read(Format::Linkedin, "linkedin_connections_old.csv");
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    assert_eq!(r.names(), ["Barbara Liskov", "Donald Knuth"]);
    let b = &r.records[0];
    assert_eq!(b.line, 5);
    assert!(b.card.urls.is_empty());
    assert_eq!(values(&b.card.emails), ["barbara@mit.example"]);
    assert_eq!(b.card.positions[0].organization, "MIT");
    assert_eq!(
        extra(&b.card, "X-KITH"),
        ["X-KITH-LINKEDIN-CONNECTED-ON:2019-10-12"]
    );
    assert_eq!(
        r.records[1].card.positions[0].title,
        "Professor Emeritus, CS"
    );
}

#[test]
fn excel_resave_with_wrapped_note_and_retyped_dates_is_read_with_warnings() {
    let r = read(Format::Linkedin, "linkedin_connections_excel.csv");
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    assert_eq!(
        r.names(),
        [
            "Radia Perlman",
            "Vint Cerf",
            "Margaret Hamilton",
            "Ken Thompson"
        ]
    );
    let lines: Vec<u64> = r.records.iter().map(|x| x.line).collect();
    assert_eq!(lines, [7, 8, 9, 11]);

    let radia = &r.records[0];
    assert_eq!(
        extra(&radia.card, "X-KITH"),
        ["X-KITH-LINKEDIN-CONNECTED-ON:2021-03-29"]
    );
    assert_eq!(radia.warnings.len(), 1);
    assert!(
        radia.warnings[0].contains("29-Mar-21"),
        "{:?}",
        radia.warnings
    );

    let vint = &r.records[1];
    assert_eq!(
        extra(&vint.card, "X-KITH"),
        ["X-KITH-LINKEDIN-CONNECTED-ON:2024-03-15"]
    );
    assert_eq!(vint.warnings.len(), 1);

    assert!(r.records[2].warnings.is_empty());

    let ken = &r.records[3];
    assert!(extra(&ken.card, "X-KITH").is_empty());
    assert!(
        ken.warnings[0].contains("\"sometime\" is not a date"),
        "{:?}",
        ken.warnings
    );
}

#[test]
fn positions_are_the_owners_jobs_with_month_dates_and_multiline_descriptions() {
    let r = read(Format::Linkedin, "linkedin_positions.csv");
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    assert_eq!(r.records.len(), 3);
    assert!(r.records.iter().all(|x| x.about_owner));
    let lines: Vec<u64> = r.records.iter().map(|x| x.line).collect();
    assert_eq!(lines, [2, 5, 7]);

    let acme = &r.records[0].card;
    let p = &acme.positions[0];
    assert_eq!(
        (p.organization.as_str(), p.title.as_str()),
        ("Acme Robotics", "Staff Engineer")
    );
    assert_eq!(p.start.as_deref(), Some("2024-09"));
    assert!(p.is_current());
    assert_eq!(
        acme.notes[0].value,
        "Staff Engineer at Acme Robotics (Berlin, Germany)\nLeads the platform team.\n\
         Built the \"fleet\" scheduler,\nmentors four engineers."
    );

    let initech = &r.records[1].card.positions[0];
    assert_eq!(initech.start.as_deref(), Some("2019-01"));
    assert_eq!(initech.end.as_deref(), Some("2024-08"));

    let globex = &r.records[2].card.positions[0];
    assert_eq!(globex.organization, "Globex");
    assert_eq!(
        (globex.start.as_deref(), globex.end.as_deref()),
        (Some("2017"), Some("2018"))
    );
}

#[test]
fn profile_describes_the_owner() {
    let r = read(Format::Linkedin, "linkedin_profile.csv");
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    assert_eq!(r.records.len(), 1);
    let me = &r.records[0];
    assert!(me.about_owner);
    assert_eq!(me.line, 2);
    let card = &me.card;
    assert_eq!(card.name.full, "Ada King");
    assert_eq!(card.other_names[0].family, "Byron");
    assert_eq!(card.birthdays[0].value, "--12-10");
    assert_eq!(card.addresses[0].street, "12 St James's Square, London");
    assert_eq!(card.addresses[0].postal_code, "SW1Y 4JH");
    assert_eq!(
        values(&card.urls),
        [
            "https://twitter.com/ada_codes",
            "https://ada.example",
            "https://engines.example"
        ]
    );
    assert_eq!(card.urls[1].kinds, ["personal"]);
    assert_eq!(card.urls[2].kinds, ["company"]);
    assert_eq!(values(&card.impps), ["skype:ada.king"]);
    assert_eq!(card.notes[0].value, "Writes about engines.\nLikes poetry.");
    assert_eq!(
        extra(card, "X-KITH-LINKEDIN"),
        [
            "X-KITH-LINKEDIN-HEADLINE:Engineer\\, writer",
            "X-KITH-LINKEDIN-INDUSTRY:Computer Software"
        ]
    );
}

#[test]
fn a_file_without_a_linkedin_header_is_refused_with_what_was_expected() {
    let err = read_bytes(Format::Linkedin, b"foo,bar\n1,2\n".to_vec(), "x.csv", None)
        .map(|_| ())
        .map_err(|e| e.to_string());
    let message = err.err().unwrap_or_default();
    assert!(
        message.starts_with("x.csv: no LinkedIn header found"),
        "{message}"
    );
    assert!(
        message.contains("Connections.csv") && message.contains("\"foo,bar\""),
        "{message}"
    );
    let err = read_bytes(Format::Linkedin, Vec::new(), "empty.csv", None);
    assert!(matches!(err, Err(FormatError::Invalid { .. })));
}
