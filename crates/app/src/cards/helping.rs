//! Reciprocity: needs and offers per person (and the member's own, which
//! their connections see), "what can I do for them" (a need matched with
//! someone else's offer or job across the user's network, each with a
//! one-click introduction). Favours are `crate::favours`.

use crate::clock::rfc3339;
use crate::people::resolve;
use crate::{App, AppError, Result};
use kith_core::changes::position_line;
use kith_core::helpout::{Entry, match_needs};
use kith_core::reciprocity::NeedOfferKind;
use kith_core::{AccountId, PersonId};
use kith_store::cards::NeedOfferRow;
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

/// Each account's last help-out answer, with the versions of the books it
/// was computed from (the user's and each connection's).
pub(crate) type HelpCache =
    std::sync::Arc<std::sync::Mutex<HashMap<AccountId, (Vec<(AccountId, i64)>, Vec<HelpOut>)>>>;

/// The longest need, offer or favour text, and tag.
const MAX_TEXT: usize = 500;
const MAX_TAG: usize = 50;
const MAX_TAGS: usize = 20;
/// Helpers shown per need (the best fits, then those the user is most in
/// touch with).
const HELPERS_SHOWN: usize = 5;

/// A need or an offer.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NeedOfferView {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Uuid))]
    pub id: Uuid,
    /// The person it is about; none for the user's own.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Uuid))]
    pub person_id: Option<PersonId>,
    /// Their name, or "you".
    pub person: String,
    /// `need` or `offer`.
    pub kind: String,
    pub text: String,
    pub tags: Vec<String>,
    /// True when it is a connected member's own, from their card (read only).
    pub from_member: bool,
    pub created_at: String,
}

/// Someone who can help with a need, and why.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Helper {
    /// None: the user themself (their own offer).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Uuid))]
    pub person_id: Option<PersonId>,
    pub name: String,
    /// Their offer or position: "offers: product design", "Designer at Globex".
    pub why: String,
    /// How much of the need their words cover (0.4 to 1).
    pub score: f64,
}

/// A need the user can help with.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HelpOut {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Uuid))]
    pub need_id: Uuid,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Uuid))]
    pub person_id: PersonId,
    pub person: String,
    pub need: String,
    pub helpers: Vec<Helper>,
    /// In words: "Ana Lima — hiring a designer: you know 2 who can help (Bob, Carla)".
    pub summary: String,
}

pub(crate) fn check_text(what: &str, text: &str) -> Result<String> {
    let t = text.trim();
    if t.is_empty() {
        return Err(AppError::Invalid(format!("the {what} is empty")));
    }
    if t.chars().count() > MAX_TEXT {
        return Err(AppError::Invalid(format!(
            "the {what} is too long: at most {MAX_TEXT} characters"
        )));
    }
    if t.chars().any(|c| c.is_control() && c != '\n') {
        return Err(AppError::Invalid(format!(
            "the {what} holds a control character"
        )));
    }
    Ok(t.to_string())
}

fn check_tags(tags: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for t in tags {
        let t = t.trim().trim_start_matches('#').to_lowercase();
        if t.is_empty() {
            continue;
        }
        if t.chars().count() > MAX_TAG || t.chars().any(char::is_control) {
            return Err(AppError::Invalid(format!(
                "tag {t:?}: at most {MAX_TAG} characters, no control characters"
            )));
        }
        if !out.contains(&t) {
            out.push(t);
        }
    }
    if out.len() > MAX_TAGS {
        return Err(AppError::Invalid(format!("at most {MAX_TAGS} tags")));
    }
    Ok(out)
}

/// Each connection's own needs and offers, on the card the user holds of them.
async fn members_needs_offers(app: &App) -> Result<Vec<(PersonId, NeedOfferRow)>> {
    let cards = {
        let mut tx = app.store.begin_read(app.account).await?;
        tx.member_cards().await?
    };
    let mut out = Vec::new();
    for member in app.store.connections(app.account).await? {
        let Some(person) = cards.get(&member) else {
            continue;
        };
        for row in app.store.own_needs_offers(member).await? {
            out.push((*person, row));
        }
    }
    Ok(out)
}

impl App {
    /// Adds a need or an offer ("need" / "offer") of a person, or of the
    /// user (None: their connections see it).
    pub async fn add_need_offer(
        &self,
        person: Option<&str>,
        kind: &str,
        text: &str,
        tags: &[String],
    ) -> Result<NeedOfferView> {
        let kind = NeedOfferKind::parse(kind.trim()).ok_or_else(|| {
            AppError::Invalid(format!("kind {:?}: use need or offer", kind.trim()))
        })?;
        let text = check_text(kind.as_str(), text)?;
        let tags = check_tags(tags)?;
        let mut tx = self.store.begin(self.account).await?;
        let (person, name) = match person {
            Some(p) => {
                let sp = resolve(&mut tx, p).await?;
                (Some(sp.person.id), sp.person.card.display_name())
            }
            None => (None, "you".to_string()),
        };
        let row = NeedOfferRow {
            id: Uuid::now_v7(),
            person,
            kind,
            text,
            tags,
            created_at: kith_store::now_micros(),
        };
        tx.add_need_offer(&row).await?;
        tx.commit().await?;
        Ok(need_view(row, name, false))
    }

    /// Needs and offers: of one person (theirs, and their own if they are
    /// a connected member), or of everyone and the user's own.
    pub async fn needs_offers(&self, person: Option<&str>) -> Result<Vec<NeedOfferView>> {
        let mut tx = self.store.begin_read(self.account).await?;
        let only = match person {
            Some(p) => Some(resolve(&mut tx, p).await?.person.id),
            None => None,
        };
        let rows = tx.needs_offers().await?;
        let names = names_of(&mut tx, rows.iter().filter_map(|r| r.person)).await?;
        drop(tx);
        let mut out = Vec::new();
        for r in rows {
            if only.is_some() && r.person != only {
                continue;
            }
            let name = match r.person {
                None => "you".to_string(),
                Some(p) => match names.get(&p) {
                    Some(n) => n.clone(),
                    None => continue,
                },
            };
            out.push(need_view(r, name, false));
        }
        let theirs: Vec<(PersonId, NeedOfferRow)> = members_needs_offers(self)
            .await?
            .into_iter()
            .filter(|(p, _)| only.is_none_or(|o| o == *p))
            .collect();
        let mut tx = self.store.begin_read(self.account).await?;
        let cards = names_of(&mut tx, theirs.iter().map(|(p, _)| *p)).await?;
        for (p, r) in theirs {
            let Some(name) = cards.get(&p) else { continue };
            let mut v = need_view(r, name.clone(), true);
            v.person_id = Some(p);
            out.push(v);
        }
        Ok(out)
    }

    /// Removes a need or offer of the user's book.
    pub async fn remove_need_offer(&self, id: &str) -> Result<()> {
        let id: Uuid = id
            .trim()
            .parse()
            .map_err(|_| AppError::Invalid(format!("{:?} is not a need or offer id", id.trim())))?;
        let mut tx = self.store.begin(self.account).await?;
        if !tx.remove_need_offer(id).await? {
            return Err(AppError::NotFound(format!("no need or offer {id}")));
        }
        tx.commit().await?;
        Ok(())
    }

    /// What the user can do for people: each need of someone in their
    /// network (their book's, and their connections' own) with those who
    /// can help: an offer, or a position whose words cover it. Kept until
    /// the user's book or a connection's moves on (any write does), so
    /// that the home page and the reach-out list ask it for free.
    pub async fn help_out(&self) -> Result<Vec<HelpOut>> {
        let key = self.books_key().await?;
        let cache = &self.network.help;
        let hit = cache
            .lock()
            .ok()
            .and_then(|c| c.get(&self.account).cloned())
            .filter(|(k, _)| *k == key);
        if let Some((_, answer)) = hit {
            return Ok(answer);
        }
        let answer = self.compute_help_out().await?;
        if let Ok(mut c) = cache.lock() {
            c.insert(self.account, (key, answer.clone()));
        }
        Ok(answer)
    }

    /// The versions of the user's book and their connections': an answer
    /// computed from them holds until one moves on (any write does).
    pub(crate) async fn books_key(&self) -> Result<Vec<(AccountId, i64)>> {
        let versions = self.store.network_versions().await?;
        let mut key: Vec<(AccountId, i64)> = std::iter::once(self.account)
            .chain(self.store.connections(self.account).await?)
            .map(|a| (a, versions.get(&a).copied().unwrap_or(0)))
            .collect();
        key.sort();
        Ok(key)
    }

    async fn compute_help_out(&self) -> Result<Vec<HelpOut>> {
        let mut tx = self.store.begin_read(self.account).await?;
        let mut rows: Vec<(Option<PersonId>, NeedOfferRow)> = tx
            .needs_offers()
            .await?
            .into_iter()
            .map(|r| (r.person, r))
            .collect();
        drop(tx);
        rows.extend(
            members_needs_offers(self)
                .await?
                .into_iter()
                .map(|(p, r)| (Some(p), r)),
        );
        let needs: Vec<(PersonId, &NeedOfferRow)> = rows
            .iter()
            .filter(|(_, r)| r.kind == NeedOfferKind::Need)
            .filter_map(|(p, r)| p.map(|p| (p, r)))
            .collect();
        if needs.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.store.begin_read(self.account).await?;
        let positions = tx.current_positions().await?;
        // How often the user was in touch with each: among helpers who fit
        // a need as well, the people the user knows better come first.
        let touches: HashMap<PersonId, i64> = tx
            .contact_summary()
            .await?
            .into_iter()
            .map(|(p, (_, n))| (p, n))
            .collect();
        // Candidates: offers (the user's own too), and current positions.
        let mut cands: Vec<Entry<Option<PersonId>>> = Vec::new();
        let mut why: Vec<String> = Vec::new();
        for (p, r) in rows.iter().filter(|(_, r)| r.kind == NeedOfferKind::Offer) {
            cands.push(Entry {
                person: *p,
                text: r.text.clone(),
                tags: r.tags.clone(),
            });
            why.push(format!("offers: {}", r.text));
        }
        for (p, title, org) in positions {
            why.push(position_line(&kith_core::Position {
                organization: org.clone(),
                title: title.clone(),
                ..Default::default()
            }));
            cands.push(Entry {
                person: Some(p),
                text: title,
                tags: vec![org],
            });
        }
        let need_entries: Vec<Entry<Option<PersonId>>> = needs
            .iter()
            .map(|(p, r)| Entry {
                person: Some(*p),
                text: r.text.clone(),
                tags: r.tags.clone(),
            })
            .collect();
        // Among helpers who fit a need as well, the people the user is
        // most in touch with come first.
        let known = |p: &Option<PersonId>| p.and_then(|p| touches.get(&p)).copied().unwrap_or(0);
        let matched = match_needs(&need_entries, &cands, HELPERS_SHOWN * 2, known);
        let mut per_need: Vec<(usize, Vec<Helper>)> = vec![(0, Vec::new()); needs.len()];
        for n in matched {
            per_need[n.need] = (
                n.people,
                n.best
                    .into_iter()
                    .map(|m| Helper {
                        person_id: cands[m.helpers[0]].person,
                        name: String::new(),
                        // One line per helper, with every reason they help.
                        why: m
                            .helpers
                            .iter()
                            .fold(Vec::<&str>::new(), |mut all, &ci| {
                                if !all.contains(&why[ci].as_str()) {
                                    all.push(&why[ci]);
                                }
                                all
                            })
                            .join("; "),
                        score: (m.score * 100.0).round() / 100.0,
                    })
                    .collect(),
            );
        }
        // Names only for those shown (with room for people deleted since).
        let concerned: Vec<PersonId> = needs
            .iter()
            .map(|(p, _)| *p)
            .chain(
                per_need
                    .iter()
                    .flat_map(|(_, l)| l.iter().filter_map(|h| h.person_id)),
            )
            .collect();
        let mut concerned = concerned;
        concerned.sort();
        concerned.dedup();
        // The owner's own card is not a helper ("you" are, by your offers).
        let mut names: HashMap<PersonId, String> = HashMap::new();
        for sp in tx.people_by_ids(&concerned).await? {
            if !sp.is_me {
                names.insert(sp.person.id, sp.person.card.display_name());
            }
        }
        drop(tx);
        let mut out = Vec::new();
        for ((person, row), (count, list)) in needs.iter().zip(per_need) {
            let Some(name) = names.get(person) else {
                continue;
            };
            let helpers: Vec<Helper> = list
                .into_iter()
                .filter_map(|mut h| {
                    h.name = match h.person_id {
                        Some(p) => names.get(&p)?.clone(),
                        None => "you".into(),
                    };
                    Some(h)
                })
                .take(HELPERS_SHOWN)
                .collect();
            if helpers.is_empty() {
                continue;
            }
            let listed: Vec<&str> = helpers.iter().map(|h| h.name.as_str()).collect();
            out.push(HelpOut {
                need_id: row.id,
                person_id: *person,
                person: name.clone(),
                need: row.text.clone(),
                summary: format!(
                    "{name} \u{2014} {}: you know {count} who can help ({})",
                    row.text,
                    listed.join(", ")
                ),
                helpers,
            });
        }
        out.sort_by(|a, b| {
            b.helpers[0]
                .score
                .total_cmp(&a.helpers[0].score)
                .then(a.person.cmp(&b.person))
        });
        Ok(out)
    }
}

pub(crate) async fn names_of(
    tx: &mut kith_store::Tx,
    ids: impl Iterator<Item = PersonId>,
) -> Result<HashMap<PersonId, String>> {
    let mut ids: Vec<PersonId> = ids.collect();
    ids.sort();
    ids.dedup();
    Ok(tx
        .people_by_ids(&ids)
        .await?
        .into_iter()
        .map(|sp| (sp.person.id, sp.person.card.display_name()))
        .collect())
}

fn need_view(r: NeedOfferRow, person: String, from_member: bool) -> NeedOfferView {
    NeedOfferView {
        id: r.id,
        person_id: r.person,
        person,
        kind: r.kind.as_str().into(),
        text: r.text,
        tags: r.tags,
        from_member,
        created_at: rfc3339(r.created_at),
    }
}
