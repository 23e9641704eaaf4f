//! Organisations and tags as use cases: the organisations of an address book
//! with head counts, and one organisation's people, who is there now and who
//! was there before.

use crate::{App, AppError, PersonView, Result};
use kith_core::names::normalize;
use kith_store::{OrgSummary, PeopleFilter, TagCount};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Most people listed on one organisation (each side); the counts stay exact.
pub const MAX_MEMBERS: i64 = 2_000;

/// Someone's position at an organisation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberView {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Uuid))]
    pub id: kith_core::PersonId,
    pub name: String,
    pub title: Option<String>,
    pub start: Option<String>,
    pub end: Option<String>,
}

/// An organisation with its people.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrgView {
    pub id: Uuid,
    pub name: String,
    /// Other spellings it was imported under.
    pub aliases: Vec<String>,
    /// Email domains of the people who work there.
    pub domains: Vec<String>,
    /// How many people are there now, and how many were there before.
    pub current_count: i64,
    pub former_count: i64,
    /// People there now (a position without an end), by name.
    pub current: Vec<MemberView>,
    /// People whose positions there have all ended, latest leavers first.
    pub former: Vec<MemberView>,
}

impl App {
    /// Organisations whose name contains all the words of `search`, most
    /// current people first.
    pub async fn organizations(
        &self,
        search: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<OrgSummary>> {
        let mut tx = self.store.begin_read(self.account).await?;
        Ok(tx.organizations(search, limit, offset).await?)
    }

    /// Organisations with a word beginning with each word typed, most
    /// current people first (the search box, the suggestions).
    pub async fn organizations_by_word(&self, search: &str, limit: i64) -> Result<Vec<OrgSummary>> {
        let mut tx = self.store.begin_read(self.account).await?;
        Ok(tx.organizations_by_word(search, limit).await?)
    }

    /// One organisation, by id, with who is there now and who was before.
    pub async fn organization(&self, id: &str) -> Result<OrgView> {
        let not_found = || AppError::NotFound(format!("no organisation with id {id}"));
        let uuid: Uuid = id.trim().parse().map_err(|_| not_found())?;
        let mut tx = self.store.begin_read(self.account).await?;
        let detail = tx.organization(uuid).await?.ok_or_else(not_found)?;
        let norm = detail.summary.norm_name.clone();
        let people = tx
            .people(&PeopleFilter {
                organization: Some(norm.clone()),
                limit: Some(2 * MAX_MEMBERS),
                ..Default::default()
            })
            .await?;
        let (mut current, mut former) = (Vec::new(), Vec::new());
        for sp in &people {
            let view = PersonView::from(sp);
            let mut here: Vec<_> = sp
                .person
                .card
                .positions
                .iter()
                .filter(|p| normalize(&p.organization) == norm)
                .collect();
            // The open position if any, else the one that ended last.
            here.sort_by(|a, b| (a.end.is_none(), &a.end).cmp(&(b.end.is_none(), &b.end)));
            let Some(p) = here.last() else { continue };
            let member = MemberView {
                id: view.id,
                name: view.name,
                title: (!p.title.trim().is_empty()).then(|| p.title.trim().to_string()),
                start: p.start.clone(),
                end: p.end.clone(),
            };
            if p.end.is_none() {
                current.push(member);
            } else {
                former.push(member);
            }
        }
        former.sort_by(|a, b| b.end.cmp(&a.end).then_with(|| a.name.cmp(&b.name)));
        current.truncate(MAX_MEMBERS as usize);
        former.truncate(MAX_MEMBERS as usize);
        Ok(OrgView {
            id: detail.summary.id,
            name: detail.summary.name,
            aliases: detail.aliases,
            domains: detail.domains,
            current_count: detail.summary.current,
            former_count: detail.summary.former,
            current,
            former,
        })
    }

    /// The organisation page id of each name (None where there is none).
    pub async fn organization_ids(&self, names: &[&str]) -> Result<Vec<Option<Uuid>>> {
        let mut tx = self.store.begin_read(self.account).await?;
        let mut ids = Vec::with_capacity(names.len());
        for name in names {
            ids.push(tx.organization_id(name).await?);
        }
        Ok(ids)
    }

    /// Tags with how many people carry each, most used first.
    pub async fn tags(&self) -> Result<Vec<TagCount>> {
        let mut tx = self.store.begin_read(self.account).await?;
        Ok(tx.tags().await?)
    }
}
