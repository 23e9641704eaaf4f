//! The columns and rows derived from a card for listing, searching and
//! matching (display name, sort key, search text, identity keys, tags,
//! positions). Always recomputed from the card, never edited by hand.

use kith_core::Card;
use kith_core::identity::{self, KeyKind};
use kith_core::names::normalize;

pub(crate) struct Derived {
    pub display_name: String,
    pub sort_key: String,
    pub search_text: String,
    /// The notes, lower-cased, for the search box.
    pub notes: Vec<String>,
    pub keys: Vec<String>,
    pub tags: Vec<String>,
    pub positions: Vec<DerivedPosition>,
    /// (organisation, email domain): the work domains of someone with exactly
    /// one current organisation.
    pub org_domains: Vec<(String, String)>,
    /// Birthdays and work anniversaries.
    pub dates: Vec<kith_core::dates::YearlyDate>,
}

pub(crate) struct DerivedPosition {
    pub org_norm: String,
    pub org_name: String,
    pub title: String,
    pub start: Option<String>,
    pub end: Option<String>,
}

/// A card's notes as the search box matches them: lower-cased, each once.
pub(crate) fn note_texts(card: &Card) -> Vec<String> {
    let mut notes: Vec<String> = card
        .notes
        .iter()
        .map(|n| n.value.trim().to_lowercase())
        .filter(|n| !n.is_empty())
        .collect();
    notes.sort();
    notes.dedup();
    notes
}

pub(crate) fn derive(card: &Card) -> Derived {
    let display_name = card.display_name();
    let (given, family) = kith_core::names::given_family(&card.name);
    let sort_key = format!("{family} {given} {}", normalize(&display_name))
        .trim()
        .to_string();
    let mut words: Vec<String> = vec![normalize(&display_name)];
    words.extend(card.other_names.iter().map(|n| normalize(&n.display())));
    words.extend(card.nicknames.iter().map(|n| normalize(&n.value)));
    words.extend(card.emails.iter().map(|e| e.value.to_lowercase()));
    words.extend(card.phones.iter().map(|p| p.value.clone()));
    for p in &card.positions {
        words.push(normalize(&p.organization));
        words.push(normalize(&p.title));
    }
    words.extend(card.tags.iter().map(|t| normalize(&t.value)));
    words.retain(|w| !w.is_empty());
    let mut tags: Vec<String> = card
        .tags
        .iter()
        .map(|t| t.value.trim().to_string())
        .collect();
    tags.sort();
    tags.dedup();
    let positions: Vec<DerivedPosition> = card
        .positions
        .iter()
        .filter(|p| !p.organization.trim().is_empty())
        .map(|p| DerivedPosition {
            org_norm: normalize(&p.organization),
            org_name: p.organization.trim().to_string(),
            title: p.title.clone(),
            start: p.start.clone(),
            end: p.end.clone(),
        })
        .collect();
    let mut current: Vec<&str> = positions
        .iter()
        .filter(|p: &&DerivedPosition| p.end.is_none())
        .map(|p| p.org_norm.as_str())
        .collect();
    current.sort_unstable();
    current.dedup();
    let org_domains = match current.as_slice() {
        [org] => card
            .emails
            .iter()
            .filter_map(|e| identity::email_key(&e.value))
            .filter_map(|e| e.rsplit_once('@').map(|(_, d)| d.to_string()))
            .filter(|d| !identity::is_personal_mail_domain(d))
            .map(|d| (org.to_string(), d))
            .collect(),
        _ => Vec::new(),
    };
    Derived {
        display_name,
        sort_key,
        search_text: format!(" {} ", words.join(" | ")),
        notes: note_texts(card),
        // Only the keys people are looked up by; UIDs and record fingerprints
        // matter during an import, which reads them from the cards.
        keys: identity::keys(card)
            .into_iter()
            .filter(|k| {
                matches!(
                    k.kind(),
                    KeyKind::Email | KeyKind::Phone | KeyKind::Linkedin
                )
            })
            .map(|k| k.0)
            .collect(),
        tags,
        positions,
        org_domains,
        dates: kith_core::dates::yearly_dates(card),
    }
}
