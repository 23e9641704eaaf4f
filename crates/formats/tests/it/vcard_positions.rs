//! A person's job history survives kith's own vCards (X-KITH-POSITION for
//! the positions before the current one), in both versions.

use kith_core::{Card, PersonName, Position};
use kith_formats::vcard::{Version, parse_card, write_card};

#[test]
fn job_history_round_trips() {
    let card = Card {
        name: PersonName {
            full: "Ada Lovelace".into(),
            given: "Ada".into(),
            family: "Lovelace".into(),
            ..Default::default()
        },
        positions: vec![
            Position {
                organization: "Difference Engines".into(),
                title: "Analyst".into(),
                start: Some("1833-06".into()),
                end: Some("1842-01".into()),
                ..Default::default()
            },
            Position {
                organization: "Analytical Engines, Ltd.".into(),
                title: "Programmer".into(),
                start: Some("1842-02".into()),
                ..Default::default()
            },
        ],
        ..Default::default()
    };
    for version in [Version::V3, Version::V4] {
        let mut text = String::new();
        write_card(&mut text, &card, "ada", version);
        let read = parse_card(&text, "ada.vcf", 1).expect("kith reads its own card");
        let got: Vec<(String, String, Option<String>, Option<String>)> = read
            .card
            .positions
            .iter()
            .map(|p| {
                (
                    p.organization.clone(),
                    p.title.clone(),
                    p.start.clone(),
                    p.end.clone(),
                )
            })
            .collect();
        assert!(
            got.contains(&(
                "Difference Engines".into(),
                "Analyst".into(),
                Some("1833-06".into()),
                Some("1842-01".into())
            )),
            "{version:?}: {got:?}\n{text}"
        );
        assert!(
            got.iter()
                .any(|p| p.0 == "Analytical Engines, Ltd." && p.1 == "Programmer"),
            "{version:?}: {got:?}"
        );
    }
}
