//! A member's own card: its fields, each with who may see it (private,
//! connections, public), and the card each audience gets. How a held card
//! follows it is `follow`; what changed between two cards is `changes`.

use crate::model::{Card, ContactPoint, ExtraProperty, Position, PostalAddress, Source};
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
                    line: format!(
                        "{HEADLINE_PROPERTY}:{}",
                        crate::vtext::escape_text(&f.value)
                    ),
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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn member() -> Source {
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
