//! The search box in every page's bar: people, organisations, tags, notes
//! on cards and notes of interactions matching what was typed, each list
//! short, for one page of results.

use crate::interactions::InteractionView;
use crate::view::PersonRef;
use crate::{App, PersonView, Result};
use kith_store::{OrgSummary, PeopleFilter, TagCount};

/// How many of each kind the search page shows.
const EACH: usize = 20;

/// What matched a query, by kind.
#[derive(Clone, Debug, Default)]
pub struct Found {
    pub people: Vec<PersonView>,
    pub organizations: Vec<OrgSummary>,
    pub tags: Vec<TagCount>,
    /// People with a note that mentions the query, and that note.
    pub notes: Vec<(PersonRef, String)>,
    pub interactions: Vec<InteractionView>,
}

impl Found {
    pub fn is_empty(&self) -> bool {
        self.people.is_empty()
            && self.organizations.is_empty()
            && self.tags.is_empty()
            && self.notes.is_empty()
            && self.interactions.is_empty()
    }
}

impl App {
    /// Everything of the account matching `query` (words beginning words
    /// of names, organisations, titles, emails and tags, accents and case
    /// aside; any part of a note).
    pub async fn find(&self, query: &str) -> Result<Found> {
        let query = query.trim();
        if query.is_empty() {
            return Ok(Found::default());
        }
        let people = match self.search_people(query, 0, EACH).await? {
            Some(people) => people,
            None => {
                self.list_people(&PeopleFilter {
                    search: Some(query.to_string()),
                    limit: Some(EACH as i64),
                    ..Default::default()
                })
                .await?
            }
        };
        let organizations = self.organizations_by_word(query, EACH as i64).await?;
        let wanted = kith_core::names::normalize(query);
        let tags = self
            .tags()
            .await?
            .into_iter()
            .filter(|t| {
                kith_core::names::words_begin(&wanted, &kith_core::names::normalize(&t.tag))
            })
            .take(EACH)
            .collect();
        let mut tx = self.store.begin_read(self.account).await?;
        let needle = query.to_lowercase();
        let notes = tx
            .people_noting(query, EACH)
            .await?
            .into_iter()
            .filter_map(|sp| {
                let note = sp
                    .person
                    .card
                    .notes
                    .iter()
                    .find(|n| n.value.to_lowercase().contains(&needle))?
                    .value
                    .clone();
                Some((
                    PersonRef {
                        id: sp.person.id,
                        name: sp.person.card.display_name(),
                    },
                    note,
                ))
            })
            .collect();
        drop(tx);
        let interactions = self.interactions_noting(query, EACH as i64).await?;
        Ok(Found {
            people,
            organizations,
            tags,
            notes,
            interactions,
        })
    }
}
