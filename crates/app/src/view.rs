//! The shape in which a person or a suggestion is shown (CLI `--json`, later
//! the API): flat, stable field names, with the full card for detail.

use kith_core::{Card, PersonId, Source};
use kith_store::StoredPerson;
use serde::{Deserialize, Serialize};

/// A person as shown to users and scripts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonView {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Uuid))]
    pub id: PersonId,
    pub name: String,
    pub emails: Vec<String>,
    /// E.164 where the number could be normalised.
    pub phones: Vec<String>,
    pub organization: Option<String>,
    pub title: Option<String>,
    pub tags: Vec<String>,
    pub urls: Vec<String>,
    pub nicknames: Vec<String>,
    pub birthday: Option<String>,
    pub is_me: bool,
    pub version: i64,
    /// Every file and line this person's values came from.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub sources: Vec<Source>,
    /// Everything known, with the source of each value.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub card: Card,
}

impl From<&StoredPerson> for PersonView {
    fn from(sp: &StoredPerson) -> Self {
        let card = &sp.person.card;
        let position = card.current_position();
        let non_empty = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
        PersonView {
            id: sp.person.id,
            name: card.display_name(),
            emails: card.emails.iter().map(|e| e.value.clone()).collect(),
            phones: card.phones.iter().map(|p| p.value.clone()).collect(),
            organization: position.and_then(|p| non_empty(&p.organization)),
            title: position.and_then(|p| non_empty(&p.title)),
            tags: card.tag_names(),
            urls: card.urls.iter().map(|u| u.value.clone()).collect(),
            nicknames: card.nicknames.iter().map(|n| n.value.clone()).collect(),
            birthday: card.birthdays.first().map(|b| b.value.clone()),
            is_me: sp.is_me,
            version: sp.version,
            sources: card.all_sources(),
            card: card.clone(),
        }
    }
}

/// A person named by id and name (a side of a suggestion, someone in an
/// interaction).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PersonRef {
    pub id: PersonId,
    pub name: String,
}

/// A duplicate suggestion as shown: the two people, a score and the reasons.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SuggestionView {
    pub people: [PersonRef; 2],
    pub score: f64,
    pub reasons: Vec<String>,
}
