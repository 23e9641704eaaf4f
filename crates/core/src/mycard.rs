//! A member's own card: its fields, each with who may see it (private,
//! connections, public); the card each audience gets; how the card a
//! connection holds follows the member's (their own values never touched);
//! and what changed between two cards, for the "what changed" feed.

use crate::model::{Card, ContactPoint, ExtraProperty, Position, PostalAddress, Source};
use crate::names::normalize;
use serde::{Deserialize, Serialize};

/// Who may see a field of a member's card, from the most private.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    Private,
    Connections,
    Public,
}

impl Visibility {
    pub fn parse(s: &str) -> Option<Visibility> {
        match s.trim().to_ascii_lowercase().as_str() {
            "private" => Some(Visibility::Private),
            "connections" => Some(Visibility::Connections),
            "public" => Some(Visibility::Public),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Private => "private",
            Visibility::Connections => "connections",
            Visibility::Public => "public",
        }
    }
}

/// A field of a member's card.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Field {
    Name,
    Headline,
    Organization,
    Title,
    Email,
    Phone,
    Address,
    Website,
}

/// Every field, in the order a card shows them.
pub const FIELDS: [Field; 8] = [
    Field::Name,
    Field::Headline,
    Field::Organization,
    Field::Title,
    Field::Email,
    Field::Phone,
    Field::Address,
    Field::Website,
];

/// The longest value a field takes.
pub const MAX_VALUE: usize = 500;

impl Field {
    pub fn parse(s: &str) -> Option<Field> {
        FIELDS
            .into_iter()
            .find(|f| f.as_str() == s.trim().to_ascii_lowercase())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Headline => "headline",
            Field::Organization => "organization",
            Field::Title => "title",
            Field::Email => "email",
            Field::Phone => "phone",
            Field::Address => "address",
            Field::Website => "website",
        }
    }

    /// Fields that hold several values (set adds; the others replace).
    pub fn is_list(self) -> bool {
        matches!(self, Field::Email | Field::Phone | Field::Website)
    }

    /// Who sees a new value when the member does not say: who they are and
    /// where they work is public (as on a business card), how to reach
    /// them only their connections.
    pub fn default_visibility(self) -> Visibility {
        match self {
            Field::Name | Field::Headline | Field::Organization | Field::Title => {
                Visibility::Public
            }
            _ => Visibility::Connections,
        }
    }

    /// The value cleaned, or what is wrong with it.
    pub fn check(self, value: &str) -> Result<String, String> {
        let v = value.trim();
        if v.is_empty() {
            return Err(format!("the {} is empty", self.as_str()));
        }
        if v.chars().count() > MAX_VALUE {
            return Err(format!(
                "the {} is too long: at most {MAX_VALUE} characters",
                self.as_str()
            ));
        }
        if v.chars().any(|c| c.is_control()) {
            return Err(format!(
                "the {} holds a control character (a line break?)",
                self.as_str()
            ));
        }
        match self {
            Field::Email => {
                let ok = v.split_once('@').is_some_and(|(l, d)| {
                    !l.is_empty() && d.contains('.') && !d.contains('@') && !v.contains(' ')
                });
                if !ok {
                    return Err(format!("{v:?} is not an email address"));
                }
                Ok(v.to_ascii_lowercase())
            }
            Field::Phone => {
                let digits = v.chars().filter(|c| c.is_ascii_digit()).count();
                let ok = v
                    .chars()
                    .all(|c| c.is_ascii_digit() || " +-().".contains(c));
                if !ok || digits < 3 {
                    return Err(format!(
                        "{v:?} is not a phone number (digits, spaces, + - ( ) .)"
                    ));
                }
                Ok(v.to_string())
            }
            Field::Website => {
                if v.contains(' ') || !v.contains('.') {
                    return Err(format!("{v:?} is not a web address"));
                }
                if v.starts_with("http://") || v.starts_with("https://") {
                    Ok(v.to_string())
                } else {
                    Ok(format!("https://{v}"))
                }
            }
            _ => Ok(v.to_string()),
        }
    }
}

/// One value of a member's card.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardField {
    pub field: Field,
    pub value: String,
    pub visibility: Visibility,
}

/// A member's own card.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyCard {
    pub fields: Vec<CardField>,
}

/// The vCard property that carries a member's headline on the cards
/// others hold (vCard has none of its own).
pub const HEADLINE_PROPERTY: &str = "X-KITH-HEADLINE";

impl MyCard {
    /// Sets a field: a list field gains the value (or changes its
    /// visibility), another field is replaced. `visibility` None keeps the
    /// value's visibility, else takes the field's default.
    pub fn set(
        &mut self,
        field: Field,
        value: &str,
        visibility: Option<Visibility>,
    ) -> Result<(), String> {
        let value = field.check(value)?;
        let existing = self
            .fields
            .iter()
            .position(|f| f.field == field && (!field.is_list() || f.value == value));
        let visibility = visibility
            .or_else(|| existing.map(|i| self.fields[i].visibility))
            .unwrap_or(field.default_visibility());
        let new = CardField {
            field,
            value,
            visibility,
        };
        match existing {
            Some(i) => self.fields[i] = new,
            None => self.fields.push(new),
        }
        self.fields.sort_by_key(|f| f.field);
        Ok(())
    }

    /// Removes a field (one value of a list field when given); how many
    /// values went.
    pub fn unset(&mut self, field: Field, value: Option<&str>) -> usize {
        let before = self.fields.len();
        let value = value.map(|v| field.check(v).unwrap_or_else(|_| v.trim().to_string()));
        self.fields
            .retain(|f| !(f.field == field && value.as_ref().is_none_or(|v| &f.value == v)));
        before - self.fields.len()
    }

    /// The first value of a field that `audience` may see.
    pub fn value(&self, field: Field, audience: Visibility) -> Option<&str> {
        self.seen_by(audience)
            .find(|f| f.field == field)
            .map(|f| f.value.as_str())
    }

    /// The fields someone of `audience` may see (Private: the member).
    pub fn seen_by(&self, audience: Visibility) -> impl Iterator<Item = &CardField> {
        self.fields.iter().filter(move |f| f.visibility >= audience)
    }

    /// The address-book card `audience` gets, every value from `source`.
    pub fn to_card(&self, audience: Visibility, source: &Source) -> Card {
        let mut card = Card::default();
        let src = || vec![source.clone()];
        let point = |v: &str| ContactPoint {
            value: v.to_string(),
            sources: src(),
            ..Default::default()
        };
        for f in self.seen_by(audience) {
            match f.field {
                Field::Name => {
                    // vCard N as well as FN: phones sort and match by it.
                    let (given, family) = match f.value.trim().rsplit_once(' ') {
                        Some((g, fam)) => (g.trim().to_string(), fam.to_string()),
                        None => (f.value.trim().to_string(), String::new()),
                    };
                    card.name = crate::model::PersonName {
                        full: f.value.clone(),
                        given,
                        family,
                        sources: src(),
                        ..Default::default()
                    };
                }
                Field::Headline => card.extra.push(ExtraProperty {
                    line: format!("{HEADLINE_PROPERTY}:{}", escape_text(&f.value)),
                    sources: src(),
                }),
                Field::Email => card.emails.push(point(&f.value)),
                Field::Phone => card.phones.push(point(&f.value)),
                Field::Website => card.urls.push(point(&f.value)),
                Field::Address => card.addresses.push(parse_address(&f.value, source)),
                Field::Organization | Field::Title => {}
            }
        }
        let org = self.value(Field::Organization, audience).unwrap_or("");
        let title = self.value(Field::Title, audience).unwrap_or("");
        if !org.is_empty() || !title.is_empty() {
            card.positions.push(Position {
                organization: org.to_string(),
                title: title.to_string(),
                sources: src(),
                ..Default::default()
            });
        }
        card
    }
}

/// vCard TEXT escaping for one value.
fn escape_text(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace(',', "\\,")
        .replace(';', "\\;")
}

/// An address written on one line, "street, city, country" or with more
/// parts ("street, postcode city, region, country"): the second-to-last
/// part (or the last of two) is taken as the city, without a postcode.
pub fn parse_address(line: &str, source: &Source) -> PostalAddress {
    let parts: Vec<&str> = line
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let mut a = PostalAddress {
        label: Some(line.trim().to_string()),
        sources: vec![source.clone()],
        ..Default::default()
    };
    let (city, rest) = match parts.len() {
        0 => return a,
        1 => (parts[0], &[][..]),
        2 => (parts[1], &parts[..1]),
        n => {
            a.country = parts[n - 1].to_string();
            (parts[n - 2], &parts[..n - 2])
        }
    };
    let (postcode, locality): (Vec<&str>, Vec<&str>) = city
        .split_whitespace()
        .partition(|w| w.chars().any(|c| c.is_ascii_digit()));
    a.locality = locality.join(" ");
    a.postal_code = postcode.join(" ");
    a.street = rest.join(", ");
    a
}

/// What changed about a person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// A new organisation.
    Job,
    /// A new title at the same organisation.
    Title,
    City,
    Email,
    Phone,
    Website,
    Name,
    Headline,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Job => "job",
            ChangeKind::Title => "title",
            ChangeKind::City => "city",
            ChangeKind::Email => "email",
            ChangeKind::Phone => "phone",
            ChangeKind::Website => "website",
            ChangeKind::Name => "name",
            ChangeKind::Headline => "headline",
        }
    }

    pub fn parse(s: &str) -> Option<ChangeKind> {
        [
            ChangeKind::Job,
            ChangeKind::Title,
            ChangeKind::City,
            ChangeKind::Email,
            ChangeKind::Phone,
            ChangeKind::Website,
            ChangeKind::Name,
            ChangeKind::Headline,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }

    /// How much a change of this kind matters in the feed: a new job most,
    /// then a new title or city, then new ways to reach someone.
    pub fn weight(self) -> f64 {
        match self {
            ChangeKind::Job => 3.0,
            ChangeKind::Title | ChangeKind::City => 2.0,
            ChangeKind::Name | ChangeKind::Headline | ChangeKind::Email | ChangeKind::Phone => 1.0,
            ChangeKind::Website => 0.5,
        }
    }
}

/// One change: its kind, the value before (may be empty) and after.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub kind: ChangeKind,
    pub old: String,
    pub new: String,
}

/// A position as one line: "CTO at Acme", "Acme", "CTO".
pub fn position_line(p: &Position) -> String {
    match (p.title.trim(), p.organization.trim()) {
        ("", o) => o.to_string(),
        (t, "") => t.to_string(),
        (t, o) => format!("{t} at {o}"),
    }
}

fn headline(card: &Card) -> Option<String> {
    card.extra.iter().find_map(|e| {
        e.line
            .split_once(':')
            .filter(|(k, _)| k.eq_ignore_ascii_case(HEADLINE_PROPERTY))
            .map(|(_, v)| {
                v.replace("\\,", ",")
                    .replace("\\;", ";")
                    .replace("\\\\", "\\")
            })
    })
}

/// What is new in `new` compared with `old`: a current position at an
/// organisation `old` had no current position at (a job), a new title at
/// the same one, a new city, new addresses, numbers and websites, another
/// name or headline. Values only removed are not news.
pub fn changes(old: &Card, new: &Card) -> Vec<Change> {
    let mut out = Vec::new();
    let current = |c: &Card| -> Vec<(String, String, String)> {
        c.positions
            .iter()
            .filter(|p| p.is_current() && !p.organization.trim().is_empty())
            .map(|p| {
                (
                    normalize(&p.organization),
                    normalize(&p.title),
                    position_line(p),
                )
            })
            .collect()
    };
    let (was, now) = (current(old), current(new));
    let before_line = old
        .current_position()
        .map(position_line)
        .unwrap_or_default();
    for (org, title, line) in &now {
        if !was.iter().any(|(o, _, _)| o == org) {
            out.push(Change {
                kind: ChangeKind::Job,
                old: before_line.clone(),
                new: line.clone(),
            });
        } else if !title.is_empty() && !was.iter().any(|(o, t, _)| o == org && t == title) {
            let old_line = was
                .iter()
                .find(|(o, _, _)| o == org)
                .map(|w| w.2.clone())
                .unwrap_or_default();
            out.push(Change {
                kind: ChangeKind::Title,
                old: old_line,
                new: line.clone(),
            });
        }
    }
    let cities = |c: &Card| -> Vec<String> {
        c.addresses
            .iter()
            .map(|a| a.locality.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect()
    };
    let old_cities = cities(old);
    for city in cities(new) {
        if !old_cities.iter().any(|c| normalize(c) == normalize(&city)) {
            out.push(Change {
                kind: ChangeKind::City,
                old: old_cities.first().cloned().unwrap_or_default(),
                new: city,
            });
        }
    }
    let points =
        |kind: ChangeKind, a: &[ContactPoint], b: &[ContactPoint], out: &mut Vec<Change>| {
            for p in b {
                if !a.iter().any(|q| q.value.eq_ignore_ascii_case(&p.value)) {
                    out.push(Change {
                        kind,
                        old: a.first().map(|q| q.value.clone()).unwrap_or_default(),
                        new: p.value.clone(),
                    });
                }
            }
        };
    points(ChangeKind::Email, &old.emails, &new.emails, &mut out);
    points(ChangeKind::Phone, &old.phones, &new.phones, &mut out);
    points(ChangeKind::Website, &old.urls, &new.urls, &mut out);
    if !new.name.is_empty() && !old.name.is_empty() && !new.name.same_as(&old.name) {
        out.push(Change {
            kind: ChangeKind::Name,
            old: old.name.display(),
            new: new.name.display(),
        });
    }
    if let Some(h) = headline(new).filter(|h| Some(h) != headline(old).as_ref()) {
        out.push(Change {
            kind: ChangeKind::Headline,
            old: headline(old).unwrap_or_default(),
            new: h,
        });
    }
    out
}

/// Makes the card a connection holds follow the member's shared card,
/// from what it shared `before` to what it shares `after` (both from
/// [`MyCard::to_card`] with `source`). Only values that came from the
/// member (`source`) are replaced or removed; the holder's own values,
/// notes and edits stay. A position the member left gets an end date
/// (`today`, "YYYY-MM") and stays in the job history; other values
/// the member stopped sharing go (the change log keeps them).
pub fn follow(held: &mut Card, before: &Card, after: &Card, source: &Source, today: &str) {
    let only_member = |s: &[Source]| !s.is_empty() && s.iter().all(|x| x == source);
    // The name: the member's replaces the member's; the holder's own stays
    // and the member's joins the other names.
    if !after.name.is_empty() && !after.name.same_as(&held.name) {
        if held.name.is_empty() || only_member(&held.name.sources) {
            let old = std::mem::replace(&mut held.name, after.name.clone());
            if !old.is_empty() && !held.other_names.iter().any(|n| n.same_as(&old)) {
                held.other_names.push(old);
            }
        } else if !held.other_names.iter().any(|n| n.same_as(&after.name)) {
            held.other_names.push(after.name.clone());
        }
    }
    // The position: the member's current one ends when it changes.
    let shared = after.positions.first();
    let same = |p: &Position, q: &Position| {
        normalize(&p.organization) == normalize(&q.organization)
            && normalize(&p.title) == normalize(&q.title)
    };
    for p in held.positions.iter_mut() {
        if p.is_current() && p.sources.contains(source) && shared.is_none_or(|s| !same(p, s)) {
            if only_member(&p.sources) {
                p.end = Some(today.to_string());
            } else {
                p.sources.retain(|s| s != source);
            }
        }
    }
    if let Some(s) = shared {
        match held
            .positions
            .iter_mut()
            .find(|p| p.is_current() && same(p, s))
        {
            Some(p) if !p.sources.contains(source) => p.sources.push(source.clone()),
            Some(_) => {}
            None => held.positions.push(Position {
                start: Some(today.to_string()),
                ..s.clone()
            }),
        }
    }
    follow_points(&mut held.emails, &before.emails, &after.emails, source);
    follow_points(&mut held.phones, &before.phones, &after.phones, source);
    follow_points(&mut held.urls, &before.urls, &after.urls, source);
    // The address and the headline: the member's own lines are replaced.
    held.addresses.retain(|a| !only_member(&a.sources));
    for a in &mut held.addresses {
        a.sources.retain(|s| s != source);
    }
    held.addresses.extend(after.addresses.iter().cloned());
    held.extra.retain(|e| !only_member(&e.sources));
    held.extra.extend(after.extra.iter().cloned());
}

/// A list of addresses, numbers or websites following the member's: new
/// values added (or the member's source added to the holder's same value),
/// values no longer shared losing the member's source, and going when
/// only the member had given them.
fn follow_points(
    held: &mut Vec<ContactPoint>,
    before: &[ContactPoint],
    after: &[ContactPoint],
    source: &Source,
) {
    let same = |a: &ContactPoint, b: &ContactPoint| a.value.eq_ignore_ascii_case(&b.value);
    for gone in before.iter().filter(|b| !after.iter().any(|a| same(a, b))) {
        for h in held.iter_mut().filter(|h| same(h, gone)) {
            h.sources.retain(|s| s != source);
        }
        held.retain(|h| !(same(h, gone) && h.sources.is_empty()));
    }
    for a in after {
        match held.iter_mut().find(|h| same(h, a)) {
            Some(h) if !h.sources.contains(source) => h.sources.push(source.clone()),
            Some(_) => {}
            None => held.push(a.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member() -> Source {
        Source {
            file: "kith member ana".into(),
            line: 0,
            format: "member".into(),
        }
    }

    #[test]
    fn fields_are_checked_and_cleaned() {
        assert_eq!(
            Field::Email.check(" Ana@Example.ORG "),
            Ok("ana@example.org".into())
        );
        assert!(Field::Email.check("ana.example.org").is_err());
        assert!(Field::Phone.check("call me").is_err());
        assert_eq!(
            Field::Website.check("ana.dev"),
            Ok("https://ana.dev".into())
        );
        assert!(Field::Name.check("a\nb").is_err());
        assert!(Field::Headline.check(&"x".repeat(501)).is_err());
        assert_eq!(Field::parse("ORGANIZATION"), Some(Field::Organization));
        assert_eq!(Field::parse("fax"), None);
    }

    #[test]
    fn each_audience_sees_only_its_fields() {
        let mut c = MyCard::default();
        c.set(Field::Name, "Ana Lima", None).unwrap();
        c.set(Field::Email, "ana@example.org", None).unwrap();
        c.set(Field::Phone, "+44 20 7946 0000", Some(Visibility::Private))
            .unwrap();
        c.set(Field::Organization, "Acme", None).unwrap();
        let public = c.to_card(Visibility::Public, &member());
        assert_eq!(public.name.full, "Ana Lima");
        assert!(public.emails.is_empty() && public.phones.is_empty());
        assert_eq!(public.positions[0].organization, "Acme");
        let conn = c.to_card(Visibility::Connections, &member());
        assert_eq!(conn.emails.len(), 1);
        assert!(conn.phones.is_empty());
        // Setting again changes the visibility; a list field keeps both values.
        c.set(Field::Email, "ana@example.org", Some(Visibility::Public))
            .unwrap();
        c.set(Field::Email, "ana@lima.dev", None).unwrap();
        assert_eq!(
            c.fields.iter().filter(|f| f.field == Field::Email).count(),
            2
        );
        assert_eq!(c.to_card(Visibility::Public, &member()).emails.len(), 1);
        assert_eq!(c.unset(Field::Email, Some("ana@lima.dev")), 1);
        assert_eq!(c.unset(Field::Phone, None), 1);
    }

    #[test]
    fn a_held_card_follows_the_member_and_keeps_the_holders_values() {
        let src = member();
        let mut before = MyCard::default();
        before.set(Field::Name, "Ana Lima", None).unwrap();
        before.set(Field::Organization, "Acme", None).unwrap();
        before.set(Field::Title, "Engineer", None).unwrap();
        before.set(Field::Email, "ana@acme.com", None).unwrap();
        let mut held = Card::default();
        held.notes
            .push(crate::model::Text::new("met at RustConf", None));
        held.emails.push(ContactPoint::new("ana@gmail.com"));
        let empty = Card::default();
        let b = before.to_card(Visibility::Connections, &src);
        follow(&mut held, &empty, &b, &src, "2026-01");
        assert_eq!(held.name.full, "Ana Lima");
        assert_eq!(held.emails.len(), 2);

        let mut after = before.clone();
        after.set(Field::Organization, "Globex", None).unwrap();
        after.set(Field::Title, "CTO", None).unwrap();
        after.unset(Field::Email, Some("ana@acme.com"));
        after.set(Field::Email, "ana@globex.com", None).unwrap();
        after
            .set(Field::Address, "1 Main St, 10115 Berlin, Germany", None)
            .unwrap();
        let a = after.to_card(Visibility::Connections, &src);
        let news = changes(&b, &a);
        let kinds: Vec<ChangeKind> = news.iter().map(|c| c.kind).collect();
        assert_eq!(
            kinds,
            [ChangeKind::Job, ChangeKind::City, ChangeKind::Email]
        );
        assert_eq!(news[0].old, "Engineer at Acme");
        assert_eq!(news[0].new, "CTO at Globex");
        assert_eq!(news[1].new, "Berlin");

        follow(&mut held, &b, &a, &src, "2026-11");
        assert_eq!(held.notes[0].value, "met at RustConf");
        let emails: Vec<&str> = held.emails.iter().map(|e| e.value.as_str()).collect();
        assert_eq!(emails, ["ana@gmail.com", "ana@globex.com"]);
        assert_eq!(held.positions.len(), 2);
        assert_eq!(held.positions[0].end.as_deref(), Some("2026-11"));
        assert_eq!(held.current_position().unwrap().organization, "Globex");
        assert_eq!(held.addresses[0].locality, "Berlin");

        // The member makes the address private: it leaves the held card.
        let mut hidden = after.clone();
        hidden
            .set(
                Field::Address,
                "1 Main St, 10115 Berlin, Germany",
                Some(Visibility::Private),
            )
            .unwrap();
        let h = hidden.to_card(Visibility::Connections, &src);
        follow(&mut held, &a, &h, &src, "2026-11");
        assert!(held.addresses.is_empty());
    }

    #[test]
    fn a_name_the_holder_gave_is_kept() {
        let src = member();
        let mut held = Card::default();
        held.name.full = "Annie".into();
        let mut c = MyCard::default();
        c.set(Field::Name, "Ana Lima", None).unwrap();
        let a = c.to_card(Visibility::Connections, &src);
        follow(&mut held, &Card::default(), &a, &src, "2026-11");
        assert_eq!(held.name.full, "Annie");
        assert_eq!(held.other_names[0].full, "Ana Lima");
    }

    #[test]
    fn an_import_with_a_new_position_is_a_job_change() {
        let mut old = Card::default();
        old.positions.push(Position {
            organization: "Acme".into(),
            title: "Engineer".into(),
            ..Default::default()
        });
        let mut new = old.clone();
        new.positions.push(Position {
            organization: "Initech".into(),
            title: "Lead".into(),
            ..Default::default()
        });
        let c = changes(&old, &new);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].kind, ChangeKind::Job);
        assert!(changes(&new, &new).is_empty());
    }

    #[test]
    fn addresses_on_one_line_give_their_city() {
        let a = parse_address("Flat 2, 5 Rue X, 75001 Paris, France", &member());
        assert_eq!(
            (a.locality.as_str(), a.postal_code.as_str()),
            ("Paris", "75001")
        );
        assert_eq!(a.country, "France");
        assert_eq!(parse_address("Lisbon", &member()).locality, "Lisbon");
    }
}
