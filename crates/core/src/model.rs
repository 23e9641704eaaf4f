//! The address-book data model: a [`Card`] holds everything known about one
//! person, every value carrying the [`Source`]s it came from; a [`Person`] is a
//! stored card with an id. Importers produce cards, the store keeps people.

use crate::ids::PersonId;
use serde::{Deserialize, Serialize};

/// Where a value came from: the file (by name) and the line of its record.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Source {
    pub file: String,
    pub line: u64,
    /// The reader that produced it: `vcard`, `linkedin`, `google`, `outlook`, `csv`, `manual`.
    pub format: String,
}

impl Source {
    pub fn manual() -> Self {
        Source {
            file: String::new(),
            line: 0,
            format: "manual".into(),
        }
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.file.is_empty() {
            write!(f, "{}", self.format)
        } else {
            write!(f, "{}:{} ({})", self.file, self.line, self.format)
        }
    }
}

/// A structured name (vCard N) with its formatted form (vCard FN).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonName {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub full: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub prefix: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub given: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub additional: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub family: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub suffix: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
}

impl PersonName {
    /// The name to show: the formatted name, else the parts joined.
    pub fn display(&self) -> String {
        if !self.full.trim().is_empty() {
            return self.full.trim().to_string();
        }
        [
            &self.prefix,
            &self.given,
            &self.additional,
            &self.family,
            &self.suffix,
        ]
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
    }

    pub fn is_empty(&self) -> bool {
        self.display().is_empty()
    }

    /// Same name, ignoring where it came from.
    pub fn same_as(&self, other: &PersonName) -> bool {
        self.full == other.full
            && self.prefix == other.prefix
            && self.given == other.given
            && self.additional == other.additional
            && self.family == other.family
            && self.suffix == other.suffix
    }
}

/// A typed value: an email, a phone number, a URL, an instant-messaging handle.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactPoint {
    pub value: String,
    /// The value exactly as the source wrote it, when kith normalised it
    /// (a phone number rewritten to E.164).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<String>,
    /// Types as given by the source, lower-case (`work`, `home`, `cell`, `voice`…).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<String>,
    /// A free-text label (Apple `X-ABLabel`, Google's `E-mail 1 - Label`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub preferred: bool,
    /// The vCard property group (`item1`) it was written with, kept so that
    /// grouped vendor properties stay attached on export.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
}

impl ContactPoint {
    pub fn new(value: impl Into<String>) -> Self {
        ContactPoint {
            value: value.into(),
            ..Default::default()
        }
    }
}

/// A postal address (vCard ADR).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostalAddress {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub po_box: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub extended: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub street: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub locality: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub region: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub postal_code: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub country: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
}

impl PostalAddress {
    /// The parts that make the address, for equality and display.
    pub fn parts(&self) -> [&str; 7] {
        [
            &self.po_box,
            &self.extended,
            &self.street,
            &self.locality,
            &self.region,
            &self.postal_code,
            &self.country,
        ]
    }

    pub fn is_empty(&self) -> bool {
        self.parts().iter().all(|p| p.trim().is_empty())
    }

    /// The first line of the address as it would be printed (the street,
    /// else the first part that is there), for showing a card that has
    /// nothing better.
    pub fn first_line(&self) -> Option<String> {
        [
            &self.street,
            &self.extended,
            &self.po_box,
            &self.locality,
            &self.region,
            &self.postal_code,
            &self.country,
        ]
        .into_iter()
        .find_map(|p| first_line(p))
    }

    pub fn one_line(&self) -> String {
        self.parts()
            .iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The first non-blank line of a text, trimmed and cut at 80 characters
/// (a display name made of an address or a note).
fn first_line(text: &str) -> Option<String> {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    let mut out: String = line.chars().take(80).collect();
    if out.len() < line.len() {
        out.push('…');
    }
    Some(out)
}

/// vCard properties that older writers (Apple, KDE, Evolution, Android)
/// use for an IM handle instead of `IMPP`; kith keeps them as extra lines.
pub const LEGACY_IM_PROPERTIES: &[&str] = &[
    "X-AIM",
    "X-ICQ",
    "X-JABBER",
    "X-MSN",
    "X-YAHOO",
    "X-SKYPE",
    "X-SKYPE-USERNAME",
    "X-GOOGLE-TALK",
    "X-GTALK",
    "X-QQ",
    "X-GADUGADU",
    "X-GROUPWISE",
    "X-SIP",
    "X-MATRIX",
];

/// The value of an extra line when it is an IM handle (`X-JABBER;TYPE=HOME:ada@jabber.example`,
/// also with a group: `item1.X-AIM:ada`), non-empty.
fn legacy_im(line: &str) -> Option<&str> {
    let end = line.find([';', ':'])?;
    let name = &line[..end];
    let name = name.rsplit('.').next().unwrap_or(name);
    if !LEGACY_IM_PROPERTIES
        .iter()
        .any(|p| p.eq_ignore_ascii_case(name))
    {
        return None;
    }
    // The value starts at the first colon outside a quoted parameter.
    let mut quoted = false;
    let colon = line.char_indices().find_map(|(i, c)| match c {
        '"' => {
            quoted = !quoted;
            None
        }
        ':' if !quoted => Some(i),
        _ => None,
    })?;
    let value = line[colon + 1..].trim();
    (!value.is_empty()).then_some(value)
}

/// A plain text value with its sources (nickname, note, tag).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    pub value: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
}

impl Text {
    pub fn new(value: impl Into<String>, source: Option<&Source>) -> Self {
        Text {
            value: value.into(),
            sources: source.into_iter().cloned().collect(),
        }
    }
}

/// A photo: inline bytes (base64) or a URI.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Photo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// Base64 of the image bytes, when the photo is inline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
}

/// A job: the person at an organisation, with a title and dates.
/// Dates are ISO-8601 partial dates as known: `2024`, `2024-09`, `2024-09-01`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub organization: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub department: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
}

impl Position {
    /// A position is current when it has not ended.
    pub fn is_current(&self) -> bool {
        self.end.is_none()
    }
}

/// A vCard property kith does not interpret, kept verbatim (one unfolded
/// content line, vCard 4.0 syntax) so that an export or sync gives it back.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtraProperty {
    pub line: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
}

/// Everything known about one person. Lists keep every value ever imported;
/// nothing is dropped when cards are merged.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Card {
    #[serde(default)]
    pub name: PersonName,
    /// Other names this person was imported under (maiden name, other spellings).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_names: Vec<PersonName>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nicknames: Vec<Text>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<ContactPoint>,
    /// Phone numbers as given; `value` is E.164 where it could be normalised.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phones: Vec<ContactPoint>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<PostalAddress>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub urls: Vec<ContactPoint>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub impps: Vec<ContactPoint>,
    /// ISO-8601 dates: `1985-04-12`, or `--04-12` without a year.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub birthdays: Vec<Text>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photos: Vec<Photo>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Text>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Text>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub positions: Vec<Position>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra: Vec<ExtraProperty>,
    /// vCard UIDs this person was imported with.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uids: Vec<String>,
    /// Fingerprints of imported records without a UID (file name and
    /// content), so that importing the same file again finds this person.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub records: Vec<String>,
}

impl Card {
    pub fn display_name(&self) -> String {
        let name = self.name.display();
        if !name.is_empty() {
            return name;
        }
        if let Some(nick) = self.nicknames.first() {
            return nick.value.clone();
        }
        if let Some(email) = self.emails.first() {
            return email.value.clone();
        }
        let first = |list: &[ContactPoint]| list.first().map(|c| c.value.clone());
        let position = self.positions.first().map(|p| {
            if p.organization.is_empty() {
                p.title.clone()
            } else {
                p.organization.clone()
            }
        });
        position
            .or_else(|| first(&self.phones))
            .or_else(|| first(&self.urls))
            .or_else(|| first(&self.impps))
            .or_else(|| self.legacy_ims().next().map(str::to_string))
            .or_else(|| self.addresses.iter().find_map(|a| a.first_line()))
            .or_else(|| self.notes.iter().find_map(|n| first_line(&n.value)))
            .unwrap_or_default()
    }

    /// The IM handles kept as older vCard lines (`X-JABBER`, `X-AIM`,
    /// `X-GOOGLE-TALK`, … see [`LEGACY_IM_PROPERTIES`]), as written.
    pub fn legacy_ims(&self) -> impl Iterator<Item = &str> {
        self.extra.iter().filter_map(|e| legacy_im(&e.line))
    }

    /// True when the card holds nothing a person can be shown or found by:
    /// no name, nickname, email, phone, URL, IM address (`IMPP` or an older
    /// `X-JABBER`-style line), postal address, organisation or title, or
    /// note. Such a record (only a birthday, tags or a photo, or nothing at
    /// all) is reported and skipped by the importers; any of these values
    /// is enough to keep it, shown by [`Card::display_name`].
    pub fn has_nothing_to_show(&self) -> bool {
        self.is_blank()
            && self.impps.is_empty()
            && self.legacy_ims().next().is_none()
            && self.addresses.iter().all(PostalAddress::is_empty)
            && self
                .positions
                .iter()
                .all(|p| p.organization.trim().is_empty() && p.title.trim().is_empty())
            && self.notes.iter().all(|n| n.value.trim().is_empty())
    }

    /// The position shown on a card: the latest current one, else the latest.
    pub fn current_position(&self) -> Option<&Position> {
        self.positions
            .iter()
            .filter(|p| p.is_current())
            .max_by(|a, b| a.start.cmp(&b.start))
            .or_else(|| self.positions.iter().max_by(|a, b| a.end.cmp(&b.end)))
    }

    /// True when the card holds nothing a person could be recognised by.
    pub fn is_blank(&self) -> bool {
        self.name.is_empty()
            && self.nicknames.is_empty()
            && self.emails.is_empty()
            && self.phones.is_empty()
            && self.urls.is_empty()
    }

    pub fn tag_names(&self) -> Vec<String> {
        self.tags.iter().map(|t| t.value.clone()).collect()
    }

    /// Every source any value of this card came from, once each.
    pub fn all_sources(&self) -> Vec<Source> {
        let mut out: Vec<Source> = Vec::new();
        let mut add = |s: &[Source]| {
            for x in s {
                if !out.contains(x) {
                    out.push(x.clone());
                }
            }
        };
        add(&self.name.sources);
        self.emails.iter().for_each(|v| add(&v.sources));
        self.phones.iter().for_each(|v| add(&v.sources));
        self.urls.iter().for_each(|v| add(&v.sources));
        self.positions.iter().for_each(|v| add(&v.sources));
        self.notes.iter().for_each(|v| add(&v.sources));
        self.tags.iter().for_each(|v| add(&v.sources));
        out
    }

    /// Set every value's source (importers build a card, then stamp it).
    pub fn stamp(&mut self, source: &Source) {
        let has_name = !self.name.is_empty();
        self.each_source_list(|list, is_name| {
            if list.is_empty() && (has_name || !is_name) {
                list.push(source.clone());
            }
        });
    }

    /// Calls `f` on the source list of every value (with true for the
    /// name's), in a fixed order.
    pub fn each_source_list(&mut self, mut f: impl FnMut(&mut Vec<Source>, bool)) {
        f(&mut self.name.sources, true);
        self.other_names
            .iter_mut()
            .for_each(|v| f(&mut v.sources, false));
        self.nicknames
            .iter_mut()
            .for_each(|v| f(&mut v.sources, false));
        self.emails
            .iter_mut()
            .for_each(|v| f(&mut v.sources, false));
        self.phones
            .iter_mut()
            .for_each(|v| f(&mut v.sources, false));
        self.addresses
            .iter_mut()
            .for_each(|v| f(&mut v.sources, false));
        self.urls.iter_mut().for_each(|v| f(&mut v.sources, false));
        self.impps.iter_mut().for_each(|v| f(&mut v.sources, false));
        self.birthdays
            .iter_mut()
            .for_each(|v| f(&mut v.sources, false));
        self.photos
            .iter_mut()
            .for_each(|v| f(&mut v.sources, false));
        self.notes.iter_mut().for_each(|v| f(&mut v.sources, false));
        self.tags.iter_mut().for_each(|v| f(&mut v.sources, false));
        self.positions
            .iter_mut()
            .for_each(|v| f(&mut v.sources, false));
        self.extra.iter_mut().for_each(|v| f(&mut v.sources, false));
    }
}

/// A stored person: a card with its id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: PersonId,
    pub card: Card,
}

/// One record read from an import file, before it is matched.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportRecord {
    pub card: Card,
    /// Line of the record's first line in its file (1-based).
    pub line: u64,
    /// True when the record describes the account owner (LinkedIn
    /// `Profile.csv`, `Positions.csv`), not one of their contacts.
    pub about_owner: bool,
    /// Things the reader noticed but could still read (an odd date format).
    pub warnings: Vec<String>,
}

/// A problem with one record or line: where, and what.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub file: String,
    pub line: u64,
    pub message: String,
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}
