//! One account's part of the graph, read from the store: a node per living
//! person with what paths may show of them, the owner's tie to each
//! (their relationship strength), ties set by hand, and ties inferred from
//! shared email threads and meetings and from overlapping positions.

use super::{Loaded, NodeInfo};
use crate::{App, Result};
use kith_core::identity::{email_key, is_personal_mail_domain};
use kith_core::mycard::Visibility;
use kith_core::names::normalize;
use kith_core::strength::{Circle, Touch, strength};
use kith_core::ties::{Evidence, Sharing, overlap_months};
use kith_core::{AccountId, InteractionKind, PersonId};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

/// Whose data a piece of evidence comes from: one account's, or the
/// shared keys of two address books (dropped when either is reloaded).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Owner {
    Account(AccountId),
    Keys,
}

/// Interactions with more people than this say little about each pair
/// (an all-hands, a mailing list) and are not counted as shared.
const MAX_SHARED: usize = 20;
/// Organisations with more people than this in one address book do not
/// tie everyone there to everyone else: size alone says little.
const MAX_COLLEAGUES: usize = 200;

/// One person of the book, with the sharing rule that applies to them.
pub(crate) struct PersonPart {
    pub id: PersonId,
    facts: Arc<CardFacts>,
    sharing: Sharing,
}

impl CardFacts {
    /// The owner's node as their connections see it: `info` with the
    /// name, role, keys, organisations and domains of these facts (the
    /// account's name when they name nobody).
    pub(crate) fn show_owner(&self, info: NodeInfo, account_name: &str) -> NodeInfo {
        NodeInfo {
            name: if self.name.trim().is_empty() {
                account_name.to_string()
            } else {
                self.name.clone()
            },
            role: self.role.clone(),
            keys: self.keys.clone(),
            orgs: self.orgs.clone(),
            domains: self.domains.clone(),
            ..info
        }
    }
}

impl PersonPart {
    /// What the graph shows of this person.
    pub(crate) fn info(&self, account: AccountId) -> NodeInfo {
        let f = &self.facts;
        NodeInfo {
            account,
            person: Some(self.id),
            is_member: false,
            name: f.name.clone(),
            role: f.role.clone(),
            sharing: self.sharing,
            keys: f.keys.clone(),
            orgs: f.orgs.clone(),
            domains: f.domains.clone(),
            alive: true,
        }
    }

    /// Whether `info` shows this person as they are now (comparing in
    /// place: a reload of 100,000 unchanged people copies nothing).
    pub(crate) fn is_shown_by(&self, account: AccountId, info: &NodeInfo) -> bool {
        let f = &self.facts;
        info.alive
            && !info.is_member
            && info.account == account
            && info.person == Some(self.id)
            && info.sharing == self.sharing
            && info.name == f.name
            && info.role == f.role
            && info.keys == f.keys
            && info.orgs == f.orgs
            && info.domains == f.domains
    }
}

/// Everything one account contributes.
pub(crate) struct AccountPart {
    pub loaded: Loaded,
    pub people: Vec<PersonPart>,
    pub me_person: Option<PersonId>,
    /// (a, b, evidence); a None (or their own card) is the owner themself.
    pub ties: Vec<(Option<PersonId>, PersonId, Evidence)>,
    /// Members with their card in this address book: (member, (name, person)).
    pub member_cards: Vec<(AccountId, (String, PersonId))>,
    /// What the owner's connections learn of the owner (their card's
    /// fields for connections): the owner's node shows this, never their
    /// own card of themself.
    pub shown: CardFacts,
    pub verified_emails: Vec<String>,
}

/// The current (year, month).
fn this_month() -> (i32, i32) {
    let today = jiff::Zoned::now().date();
    (i32::from(today.year()), i32::from(today.month()))
}

/// An account's people as the network needs them, with the change log's
/// mark they are current to: kept between loads, so that a reload decodes
/// only the people the log names since (an edit in a book of 100,000 is
/// one card read, not 100,000).
#[derive(Clone, Debug, Default)]
pub(crate) struct Cards {
    mark: i64,
    people: HashMap<PersonId, Arc<CardFacts>>,
}

/// What the network reads of one card.
#[derive(Debug)]
pub(crate) struct CardFacts {
    is_me: bool,
    name: String,
    /// The current organisation and title.
    role: Option<(String, String)>,
    keys: Vec<String>,
    orgs: Vec<String>,
    domains: Vec<String>,
    /// Normalised, for the sharing rules.
    tags: Vec<String>,
    /// Each position with its organisation normalised.
    positions: Vec<(String, kith_core::Position)>,
}

/// More people changed than this since the last load: read them all.
const CHANGED_AT_MOST: i64 = 5_000;

impl Cards {
    /// The account's people now: `prior` brought up to date from the
    /// change log, or every person read when there is none or too much
    /// changed. The mark is read first, so a change that lands meanwhile
    /// is read again next time rather than missed.
    async fn read(tx: &mut kith_store::Tx, prior: Option<&Cards>) -> Result<Cards> {
        let mark = tx.change_mark().await?;
        if let Some(prior) = prior {
            let changed = tx.changed_since(prior.mark, CHANGED_AT_MOST + 1).await?;
            if changed.len() as i64 <= CHANGED_AT_MOST {
                let mut cards = prior.clone();
                cards.mark = mark;
                for id in &changed {
                    cards.people.remove(id);
                }
                for sp in tx.people_by_ids(&changed).await? {
                    cards
                        .people
                        .insert(sp.person.id, Arc::new(CardFacts::of(&sp)));
                }
                return Ok(cards);
            }
        }
        let people = tx.people(&kith_store::PeopleFilter::default()).await?;
        Ok(Cards {
            mark,
            people: people
                .iter()
                .map(|sp| (sp.person.id, Arc::new(CardFacts::of(sp))))
                .collect(),
        })
    }
}

impl CardFacts {
    fn of(sp: &kith_store::StoredPerson) -> CardFacts {
        CardFacts::of_card(&sp.person.card, sp.is_me)
    }

    fn of_card(card: &kith_core::Card, is_me: bool) -> CardFacts {
        let current = card
            .positions
            .iter()
            .find(|p| p.end.is_none() && !p.organization.trim().is_empty());
        let mut orgs: Vec<String> = card
            .positions
            .iter()
            .filter(|p| p.end.is_none())
            .map(|p| normalize(&p.organization))
            .filter(|o| !o.is_empty())
            .collect();
        orgs.sort();
        orgs.dedup();
        let mut domains: Vec<String> = card
            .emails
            .iter()
            .filter_map(|e| email_key(&e.value))
            .filter_map(|e| e.rsplit_once('@').map(|(_, d)| d.to_string()))
            .filter(|d| !is_personal_mail_domain(d))
            .collect();
        domains.sort();
        domains.dedup();
        let keys = kith_core::identity::keys(card)
            .into_iter()
            .filter(|k| {
                matches!(
                    k.kind(),
                    kith_core::identity::KeyKind::Email
                        | kith_core::identity::KeyKind::Linkedin
                        | kith_core::identity::KeyKind::Phone
                )
            })
            .map(|k| k.0)
            .collect();
        CardFacts {
            is_me,
            name: card.display_name(),
            role: current.map(|p| {
                (
                    p.organization.trim().to_string(),
                    p.title.trim().to_string(),
                )
            }),
            keys,
            orgs,
            domains,
            tags: card.tags.iter().map(|t| normalize(&t.value)).collect(),
            positions: card
                .positions
                .iter()
                .map(|p| (normalize(&p.organization), p.clone()))
                .collect(),
        }
    }
}

pub(crate) async fn load_account(
    app: &App,
    account: AccountId,
    versions: &HashMap<AccountId, i64>,
    prior: Option<&Cards>,
) -> Result<AccountPart> {
    let store = &app.store;
    let name = store
        .account_by_id(account)
        .await?
        .map(|a| a.name)
        .unwrap_or_default();
    let connections = store.connections(account).await?;
    let verified_emails = store
        .member_emails(account)
        .await?
        .into_iter()
        .filter(|(_, v)| *v)
        .map(|(e, _)| e)
        .collect();
    let shown = CardFacts::of_card(
        &crate::cards::member_as_seen(store, account, Visibility::Connections).await?,
        true,
    );
    let mut tx = store.begin_read(account).await?;
    let book = Cards::read(&mut tx, prior).await?;
    let merged = tx.merged_people().await?;
    let interactions = tx.all_interactions().await?;
    let pins = tx.pinned_circles().await?;
    let set_by_hand = tx.ties(None).await?;
    let rules = tx.sharing_rules().await?;
    let cards = tx.member_cards().await?;
    drop(tx);

    // People new to the graph are numbered in this order: colleagues side
    // by side, so a search's reads of one organisation's ties stay close,
    // and the same book the same way whatever order the map holds. Those
    // read before have their numbers: they come first, in any order.
    let known = |id: &PersonId| prior.is_some_and(|p| p.people.contains_key(id));
    let (mut people, mut new): (Vec<_>, Vec<_>) = book
        .people
        .iter()
        .map(|(id, f)| (*id, f))
        .partition(|(id, _)| known(id));
    new.sort_unstable_by_key(|&(id, facts)| (facts.orgs.first(), id));
    people.append(&mut new);
    let living: HashSet<PersonId> = people.iter().map(|p| p.0).collect();
    let follow = |id: PersonId| {
        let id = crate::sharing::merged_end(&merged, id);
        living.contains(&id).then_some(id)
    };
    let me_person = people.iter().find(|p| p.1.is_me).map(|p| p.0);

    // Sharing: the person's rule, else their tags', else the account's;
    // a person with others merged into them is each of those parts too
    // (their rules are kept under their own ids), the most private wins.
    let person_rule = crate::sharing::person_rules(&rules);
    let parts_of = crate::sharing::merged_parts(&merged);
    let mut tag_rule: HashMap<String, Sharing> = HashMap::new();
    let mut account_rule = None;
    for (scope, level) in &rules {
        if scope == "*" {
            account_rule = Some(*level);
        } else if let Some(tag) = scope.strip_prefix("tag:") {
            tag_rule.insert(normalize(tag), *level);
        }
    }

    let mut parts = Vec::with_capacity(people.len());
    for &(id, facts) in &people {
        let tags: Vec<Sharing> = facts
            .tags
            .iter()
            .filter_map(|t| tag_rule.get(t).copied())
            .collect();
        let sharing = Sharing::resolve_parts(
            &crate::sharing::parts_rules(id, &person_rule, &parts_of),
            &tags,
            account_rule,
        );
        parts.push(PersonPart {
            id,
            facts: facts.clone(),
            sharing,
        });
    }

    let mut ties: Vec<(Option<PersonId>, PersonId, Evidence)> = Vec::new();
    // The owner's own tie to each person: their relationship strength.
    let now = kith_store::now_micros();
    let mut touches: HashMap<PersonId, Vec<Touch>> = HashMap::new();
    let mut together: BTreeMap<(PersonId, PersonId), (u32, u32)> = BTreeMap::new();
    for i in &interactions {
        let mut with: Vec<PersonId> = i
            .people
            .iter()
            .filter_map(|p| follow(*p))
            .filter(|p| Some(*p) != me_person)
            .collect();
        with.sort();
        with.dedup();
        for p in &with {
            touches.entry(*p).or_default().push(Touch {
                at: i.at,
                kind: i.kind,
                direction: i.direction,
            });
        }
        if with.len() >= 2 && with.len() <= MAX_SHARED {
            let meeting = !matches!(
                i.kind,
                InteractionKind::Email | InteractionKind::Message | InteractionKind::Note
            );
            for (x, a) in with.iter().enumerate() {
                for b in &with[x + 1..] {
                    let counts = together.entry((*a, *b)).or_default();
                    if meeting {
                        counts.1 += 1;
                    } else {
                        counts.0 += 1;
                    }
                }
            }
        }
    }
    for &(id, _) in &people {
        if Some(id) == me_person {
            continue;
        }
        let mut s = strength(
            touches.get(&id).map_or(&[][..], |t| &t[..]),
            now,
            &app.settings.strength,
        );
        if let Some(circle) = pins.get(&id).and_then(|c| Circle::parse(c)) {
            s = s.pinned_to(circle);
        }
        ties.push((
            None,
            id,
            Evidence::Yours {
                score: s.effective(&app.settings.strength),
                circle: s.circle,
                pinned: s.pinned,
            },
        ));
    }
    for ((a, b), (messages, meetings)) in together {
        ties.push((Some(a), b, Evidence::Together { messages, meetings }));
    }

    // Colleagues: positions at one organisation that overlapped.
    let today = this_month();
    let mut at_org: HashMap<&str, Vec<(PersonId, &kith_core::Position)>> = HashMap::new();
    for &(id, facts) in &people {
        for (org, p) in &facts.positions {
            if !org.is_empty() {
                at_org.entry(org).or_default().push((id, p));
            }
        }
    }
    for list in at_org.values() {
        let distinct: HashSet<PersonId> = list.iter().map(|(id, _)| *id).collect();
        if distinct.len() < 2 || distinct.len() > MAX_COLLEAGUES {
            continue;
        }
        let mut best: HashMap<(PersonId, PersonId), (u32, &str)> = HashMap::new();
        for (x, (a, pa)) in list.iter().enumerate() {
            for (b, pb) in &list[x + 1..] {
                if a == b {
                    continue;
                }
                if let Some(months) = overlap_months(pa, pb, today) {
                    let key = (*a.min(b), *a.max(b));
                    let entry = best.entry(key).or_insert((months, pa.organization.trim()));
                    entry.0 = entry.0.max(months);
                }
            }
        }
        for ((a, b), (months, org)) in best {
            ties.push((
                Some(a),
                b,
                Evidence::Colleagues {
                    organization: org.to_string(),
                    months,
                },
            ));
        }
    }

    for t in &set_by_hand {
        let (Some(a), Some(b)) = (follow(t.a), follow(t.b)) else {
            continue;
        };
        let kind = t.kind;
        ties.push((
            Some(a),
            b,
            Evidence::Explicit {
                kind,
                strength: t.strength,
            },
        ));
    }

    let mut member_cards = Vec::new();
    for (member, person) in cards {
        if let Some(p) = follow(person) {
            let name = store
                .account_by_id(member)
                .await?
                .map(|a| a.name)
                .unwrap_or_default();
            member_cards.push((member, (name, p)));
        }
    }

    Ok(AccountPart {
        loaded: Loaded {
            version: versions.get(&account).copied().unwrap_or(0),
            name,
            nodes: Vec::new(),
            connections,
            cards: Arc::new(book),
            evidence: Default::default(),
        },
        people: parts,
        me_person,
        ties,
        member_cards,
        verified_emails,
        shown,
    })
}
