//! The merge rules as a table: pairs of people that must merge, must only be
//! suggested, and must stay apart. A wrong merge is far worse than a missed one.

use kith_core::identity::{self, Decision, Key, Region};
use kith_core::{Card, ContactPoint, PersonName, Position};

#[derive(Debug, PartialEq)]
enum Expect {
    Merge,
    Suggest,
    Apart,
}

/// A card from a compact description: "Given Family" and strong values.
fn card(name: &str, values: &[&str], org: Option<&str>) -> Card {
    let mut c = Card::default();
    if !name.is_empty() {
        let (given, family) = name.rsplit_once(' ').unwrap_or((name, ""));
        c.name = PersonName {
            full: name.into(),
            given: given.into(),
            family: family.into(),
            ..Default::default()
        };
    }
    for v in values {
        if v.contains('@') {
            c.emails.push(ContactPoint::new(*v));
        } else if v.contains("linkedin") {
            c.urls.push(ContactPoint::new(*v));
        } else {
            c.phones.push(ContactPoint::new(*v));
        }
    }
    if let Some(org) = org {
        c.positions.push(Position {
            organization: org.into(),
            ..Default::default()
        });
    }
    identity::normalize_card(&mut c, Region::US);
    c
}

/// (name A, values A, organisation A, name B, values B, organisation B,
/// key already shared by several people, expected outcome, why).
type Row<'a> = (
    &'a str,
    &'a [&'a str],
    Option<&'a str>,
    &'a str,
    &'a [&'a str],
    Option<&'a str>,
    bool,
    Expect,
    &'a str,
);

fn decide(a: &Card, b: &Card, crowded: bool) -> Decision {
    let kb = identity::keys(b);
    let shared: Vec<Key> = identity::keys(a)
        .into_iter()
        .filter(|k| kb.contains(k))
        .collect();
    identity::decide(a, b, &shared, crowded)
}

#[test]
fn merge_rules_table() {
    use Expect::*;
    let org = Some("Acme Corp");
    #[rustfmt::skip]
    let table: &[Row] = &[
        // must merge: a strong key and names that can be the same person
        ("Ada Lovelace", &["Ada@Example.org"], None, "Ada Lovelace", &["ada@example.ORG "], None, false, Merge, "same email in another case"),
        ("Bob Smith", &["bob@smith.dev"], None, "Robert Smith", &["bob@smith.dev"], None, false, Merge, "nickname form"),
        ("Ada Lovelace", &["(415) 555-2671"], None, "Ada Lovelace", &["+1 415-555-2671"], None, false, Merge, "phone in two formats"),
        ("Maria Garcia", &["https://www.linkedin.com/in/mgarcia/"], None, "María García", &["linkedin.com/in/mgarcia"], None, false, Merge, "same profile, accents"),
        ("Anna Schmidt", &["anna@example.org"], None, "Anna Müller", &["anna@example.org"], None, false, Merge, "married: surname changed"),
        ("", &["anna@example.org"], None, "Anna Müller", &["anna@example.org"], None, false, Merge, "one side has no name"),
        ("J. Smith", &["js@example.org"], None, "John Smith", &["js@example.org"], None, false, Merge, "initial"),
        ("Lovelace Ada", &["linkedin.com/in/ada"], None, "Ada Lovelace", &["linkedin.com/in/ada"], None, false, Merge, "family name written first"),
        // must only be suggested
        ("Jonh Smith", &["+1 415 555 2671"], None, "John Smith", &["(415) 555-2671"], None, false, Suggest, "a given name mistyped, one phone"),
        ("Meii Chen", &["mei@chen.name"], None, "Mei Chen", &["mei@chen.name"], None, false, Suggest, "a letter too many, one email"),
        ("박동현", &["dh@park.kr"], None, "Dong-hyun Park", &["dh@park.kr"], None, false, Suggest, "names in two scripts, one email"),
        ("Anna Smith", &["linkedin.com/in/asmith"], None, "Peter Jones", &["linkedin.com/in/asmith"], None, false, Suggest, "one LinkedIn profile, names differ"),
        ("Ada Lovelace", &["+1 415 555 2671"], None, "Ada Lovelace", &["+1 415 555 2671"], None, true, Suggest, "key already shared by several people"),
        ("Robert Smith", &[], None, "Bob Smith", &[], None, false, Suggest, "nickname form, no shared key"),
        ("Ada Lovelace", &["a@one.org"], None, "Ada Lovelace", &["a@two.org"], None, false, Suggest, "same name, different emails"),
        ("J. Smith", &[], org, "John Smith", &[], org, false, Suggest, "initial at the same organisation"),
        ("Zoë Müller", &[], None, "Zoe Muller", &[], None, false, Suggest, "accents only"),
        // must stay apart
        ("Anna Smith", &[], None, "Peter Smith", &[], None, false, Apart, "same family, other given name"),
        ("John Smith", &[], None, "Jane Doe", &[], None, false, Apart, "nothing in common"),
        ("J. Smith", &[], None, "John Smith", &[], None, false, Apart, "an initial alone is too weak"),
        ("Maria Garcia", &[], None, "Mario Garcia", &[], None, false, Apart, "one letter is another name"),
        ("Anna Smith", &["+1 415 555 2671"], None, "Peter Jones", &["(415) 555-2671"], None, false, Apart, "office switchboard"),
        ("Anna Smith", &["family@smith.name"], None, "Peter Smith", &["family@smith.name"], None, false, Apart, "family email"),
        ("Ada Lovelace", &["linkedin.com/in/ada-l"], None, "Ada Lovelace", &["linkedin.com/in/ada-lovelace-2"], None, false, Apart, "two LinkedIn profiles: namesakes"),
    ];
    let mut failures = Vec::new();
    for (an, av, ao, bn, bv, bo, crowded, expect, why) in table {
        let (a, b) = (card(an, av, *ao), card(bn, bv, *bo));
        for (x, y) in [(&a, &b), (&b, &a)] {
            let got = match decide(x, y, *crowded) {
                Decision::Merge { .. } => Merge,
                Decision::Suggest { .. } => Suggest,
                Decision::Apart => Apart,
            };
            if &got != expect {
                failures.push(format!(
                    "{why}: {an:?} vs {bn:?}: expected {expect:?}, got {got:?}"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "merge rules broken:\n{}",
        failures.join("\n")
    );
}

#[test]
fn suggestions_explain_themselves() {
    let a = card("Robert Smith", &[], Some("Acme"));
    let b = card("Bob Smith", &[], Some("ACME"));
    let Decision::Suggest { score, reasons } = decide(&a, &b, false) else {
        panic!("expected a suggestion")
    };
    assert!(score > 0.7 && score <= 0.95, "{score}");
    assert_eq!(
        reasons,
        ["nickname form: Robert Smith / Bob Smith", "both at Acme"]
    );
}
