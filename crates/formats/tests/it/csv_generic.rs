//! Any other CSV: with `--map`, by guessing, and the errors a user sees.

use crate::{extra, fixture, read, read_bytes, values};
use kith_formats::csv::generic::ColumnMapping;
use kith_formats::{Format, FormatError};

fn mapping(spec: &str) -> ColumnMapping {
    ColumnMapping::parse(spec).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_mapping_puts_each_column_where_it_says_and_keeps_the_rest() {
    let m = mapping("Full Name=name,Mail=email,Mobile=phone,Employer=organization,Role=title");
    let r = read_bytes(
        Format::Csv,
        fixture("generic_mapped.csv"),
        "people.csv",
        Some(m),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    // A row with only an organisation is kept (a company contact).
    assert_eq!(r.names(), ["Ada Lovelace", "Alan Turing", "Nobody Inc"]);
    let ada = &r.records[0].card;
    assert_eq!(values(&ada.emails), ["ada@example.org"]);
    assert_eq!(values(&ada.phones), ["+44 7700 900123"]);
    assert_eq!(ada.phones[0].kinds, ["cell"]);
    assert_eq!(ada.positions[0].organization, "Analytical Engines");
    assert_eq!(ada.positions[0].title, "Engineer");
    assert_eq!(extra(ada, ""), ["X-KITH-CSV-SHOE-SIZE:38"]);
    assert_eq!(ada.name.sources[0].format, "csv");
    assert_eq!(ada.name.sources[0].file, "people.csv");
    assert_eq!(
        values(&r.records[1].card.emails),
        ["alan@example.org", "turing@example.net"]
    );
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
}

#[test]
fn without_a_mapping_common_headers_are_guessed() {
    let r = read(Format::Csv, "generic_guessed.csv");
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    assert_eq!(
        r.names(),
        ["Grace Hopper", "Katherine Johnson", "Short Row"]
    );
    let g = &r.records[0].card;
    assert_eq!(values(&g.emails), ["grace@example.org"]);
    assert_eq!(g.phones[0].kinds, ["work"]);
    assert_eq!(g.positions[0].organization, "US Navy");
    assert_eq!(g.positions[0].title, "Rear Admiral");
    assert_eq!(g.tag_names(), ["navy", "cobol"]);
    assert_eq!(g.birthdays[0].value, "1906-12-09");
    assert!(r.records[0].warnings.is_empty());
    assert_eq!(
        extra(g, ""),
        ["X-KITH-CSV-FAVOURITE-COLOUR:Blue\\, \"dark\""]
    );
    let k = &r.records[1];
    assert_eq!(k.card.birthdays[0].value, "1918-08-26");
    assert_eq!(
        k.warnings.len(),
        1,
        "a slash date is ambiguous: {:?}",
        k.warnings
    );
    assert_eq!(r.records[2].line, 4);
}

#[test]
fn a_header_nothing_can_be_guessed_from_is_a_clear_error() {
    let err = read_bytes(Format::Csv, fixture("wrong_header.csv"), "wrong.csv", None);
    match err {
        Err(FormatError::Invalid { file, message }) => {
            assert_eq!(file, "wrong.csv");
            assert!(message.contains("no column looks like a name, email or phone; give --map"));
            assert!(message.contains("\"foo\", \"bar\""), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_mapped_column_missing_from_the_file_is_named_with_the_columns_there_are() {
    let m = mapping("Full Name=name,Phone Number=phone");
    let err = read_bytes(
        Format::Csv,
        fixture("generic_mapped.csv"),
        "people.csv",
        Some(m),
    );
    match err {
        Err(FormatError::Invalid { message, .. }) => {
            assert!(message.contains("\"Phone Number\" named in --map is not in the file"));
            assert!(
                message.contains("\"Full Name\", \"Mail\", \"Mobile\""),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_unknown_field_lists_the_valid_ones() {
    let err = ColumnMapping::parse("Full Name=name,Mail=shoe")
        .map(|_| ())
        .map_err(|e| e.to_string());
    let message = err.err().unwrap_or_default();
    assert!(message.contains("unknown field \"shoe\""), "{message}");
    for field in [
        "name",
        "given",
        "family",
        "email",
        "phone",
        "organization",
        "postal_code",
    ] {
        assert!(message.contains(field), "{field} missing from {message}");
    }
}

#[test]
fn mapping_with_a_wrong_spec_is_refused() {
    assert!(matches!(
        ColumnMapping::parse("Full Name"),
        Err(FormatError::Mapping { .. })
    ));
    assert!(matches!(
        ColumnMapping::parse(" , "),
        Err(FormatError::Mapping { .. })
    ));
    assert!(matches!(
        ColumnMapping::parse("=email"),
        Err(FormatError::Mapping { .. })
    ));
}
