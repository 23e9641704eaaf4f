//! Warm-introduction paths: the k strongest loopless paths from the user
//! to a person (by id, name, email or profile URL) or to anyone now at an
//! organisation (by name or email domain), each hop explained, each person
//! shown only as far as the viewer may see them; degrees of connection;
//! and "who do I know at…".

use super::build::Owner;
use super::{NetState, NodeInfo, REMOTE_VIEWER, ViewerFilter, pair};
use crate::{App, AppError, Result};
use kith_core::identity::{email_key, linkedin_slug};
use kith_core::names::normalize;
use kith_core::ties::{Evidence, Sharing};
use kith_core::{AccountId, PersonId};
use kith_graph::Node;
use kith_store::cards::Usage;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// The most paths a query may ask for.
pub const MAX_PATHS: usize = 20;

/// The most people a member may find in a day through their connections'
/// contacts shared by role (a path to an email address, a profile or a
/// person of their own book that goes through such a contact): enough for
/// anyone looking for introductions, too few to sweep a connection's book
/// address by address (docs/network.md, "Finding people by address").
pub const ROLE_FINDS_PER_DAY: u32 = 100;

/// What a path leads to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathTarget {
    /// A person: an id, a name, an email address or a profile URL.
    Person(String),
    /// Anyone at an organisation now: its name or an email domain.
    Org(String),
}

/// One person on a path, as far as the viewer may see them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PathPerson {
    /// Their id in the viewer's address book, when they are in it.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Uuid))]
    pub id: Option<PersonId>,
    /// Their name, or "someone at ORGANISATION (TITLE)" when the member who
    /// knows them shares no more.
    pub name: String,
    /// The member's account name, when this person is a member of the server.
    pub member: Option<String>,
    /// 0 for the viewer, 1 for their own contacts and connections, 2 and
    /// 3 beyond; None further away.
    pub degree: Option<u8>,
}

/// One tie of a path.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PathHop {
    pub strength: f64,
    /// Why the two are tied, strongest reasons first.
    pub why: Vec<String>,
}

/// A path from the viewer: `people[0]` is the viewer, `hops[i]` joins
/// `people[i]` and `people[i + 1]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PathView {
    /// The product of the hops' strengths.
    pub strength: f64,
    pub people: Vec<PathPerson>,
    pub hops: Vec<PathHop>,
}

/// Someone at an organisation the viewer can reach.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReachView {
    pub person: PathPerson,
    pub title: Option<String>,
    /// The strength of the best path to them.
    pub strength: f64,
    /// Who the best path goes through (empty: the viewer knows them).
    pub via: Vec<String>,
    /// The connection (a member's account name) the best path goes
    /// through first, who may be asked for an introduction.
    pub ask_via: Option<String>,
}

impl NetState {
    /// How `viewer` may see `node`: a card of the viewer's that is linked
    /// to a member carries both the card's id and the member's name.
    pub(crate) fn shown(&self, viewer: AccountId, node: Node) -> PathPerson {
        let info = &self.nodes[node as usize];
        let mut member = info.is_member.then(|| self.member_name(info.account));
        let name = if info.account == viewer || info.is_member || info.sharing == Sharing::Name {
            info.name.clone()
        } else {
            anonymous(info, self.member_name(info.account))
        };
        let mut id = (info.account == viewer).then_some(info.person).flatten();
        if info.account == viewer || info.is_member {
            // A same-person tie has strength 1, and ties list strongest
            // first: a member's thousands of contacts are not read.
            for (m, _) in self.graph.ties_of(node).take_while(|&(_, s)| s >= 1.0) {
                let other = &self.nodes[m as usize];
                if !self.same_person(node, m) || !self.visible(viewer, m) {
                    continue;
                }
                if other.is_member && member.is_none() {
                    member = Some(self.member_name(other.account));
                }
                if other.account == viewer && id.is_none() {
                    id = other.person;
                }
            }
        }
        PathPerson {
            id,
            name,
            member,
            degree: None,
        }
    }

    fn member_name(&self, account: AccountId) -> String {
        self.accounts
            .get(&account)
            .map(|l| l.name.clone())
            .unwrap_or_default()
    }

    /// The reasons for a tie, as `viewer` may read them.
    pub(crate) fn reasons_for(&self, viewer: AccountId, a: Node, b: Node) -> Vec<String> {
        let mut list: Vec<&(Owner, Evidence)> = self
            .why
            .get(&pair(a, b))
            .map(|l| l.iter().collect())
            .unwrap_or_default();
        list.sort_by(|x, y| y.1.strength().total_cmp(&x.1.strength()));
        // Past employers say more of someone than their current role: a
        // person the viewer only sees by role gets no organisation named,
        // nor does another member but the one their card shows (their
        // own jobs, imported or not, are theirs: see `member_as_seen`).
        let hides = |n: Node, org: &str| {
            let info = &self.nodes[n as usize];
            if info.account == viewer {
                false
            } else if info.is_member {
                !info.orgs.contains(&normalize(org))
            } else {
                info.sharing != Sharing::Name
            }
        };
        let mut out: Vec<String> = Vec::new();
        for (owner, e) in list {
            if matches!(e, Evidence::SamePerson) {
                continue;
            }
            let unnamed;
            let e = match e {
                Evidence::Colleagues {
                    organization,
                    months,
                } if hides(a, organization) || hides(b, organization) => {
                    unnamed = Evidence::Colleagues {
                        organization: "the same organisation".into(),
                        months: *months,
                    };
                    &unnamed
                }
                e => e,
            };
            let whose = match owner {
                Owner::Account(acc) if *acc != viewer => Some(self.member_name(*acc)),
                _ => None,
            };
            let text = e.explain(whose.as_deref());
            if !out.contains(&text) {
                out.push(text);
            }
        }
        out
    }

    /// Whether a tie only says two nodes are the same person.
    pub(crate) fn same_person(&self, a: Node, b: Node) -> bool {
        self.why
            .get(&pair(a, b))
            .is_some_and(|l| l.iter().all(|(_, e)| matches!(e, Evidence::SamePerson)))
    }

    /// A path of nodes as the viewer sees it: the nodes that are one
    /// person in several address books shown once, as revealingly as the
    /// viewer may see any of them.
    fn view_path(&self, viewer: AccountId, nodes: &[Node], strength: f64) -> PathView {
        let mut groups: Vec<Vec<Node>> = Vec::new();
        for (i, &n) in nodes.iter().enumerate() {
            match groups.last_mut() {
                Some(g) if i > 0 && self.same_person(nodes[i - 1], n) => g.push(n),
                _ => groups.push(vec![n]),
            }
        }
        let mut people = Vec::new();
        let mut hops = Vec::new();
        for (i, g) in groups.iter().enumerate() {
            let best = g
                .iter()
                .map(|&n| (self.reveal_rank(viewer, n), n))
                .max()
                .map(|(_, n)| n)
                .unwrap_or(g[0]);
            let mut person = self.shown(viewer, best);
            // One person across address books: the viewer's own card's id,
            // the member they are, the fewest hops any of them is away.
            for &n in g {
                let shown = self.shown(viewer, n);
                person.id = person.id.or(shown.id);
                person.member = person.member.or(shown.member);
            }
            person.degree = g.iter().filter_map(|&n| self.degree(viewer, n)).min();
            people.push(person);
            if i + 1 < groups.len() {
                let (a, b) = (*g.last().unwrap_or(&g[0]), groups[i + 1][0]);
                hops.push(PathHop {
                    strength: self.graph.strength(a, b).unwrap_or(0.0),
                    why: self.reasons_for(viewer, a, b),
                });
            }
        }
        PathView {
            strength,
            people,
            hops,
        }
    }

    /// How many people away from the viewer a node is, up to 3: a tie
    /// only saying two nodes are one person costs nothing.
    pub(crate) fn degree(&self, viewer: AccountId, node: Node) -> Option<u8> {
        let &me = self.me.get(&viewer)?;
        kith_graph::hops_between(
            &self.graph,
            me,
            node,
            3,
            |n| self.visible(viewer, n),
            |a, b| self.same_person(a, b),
        )
    }

    /// How much the viewer learns from a node: their own card most, then
    /// a member, then a name, then a role.
    fn reveal_rank(&self, viewer: AccountId, n: Node) -> u8 {
        let info = &self.nodes[n as usize];
        if info.account == viewer {
            4
        } else if info.is_member {
            3
        } else if info.sharing == Sharing::Name {
            2
        } else {
            1
        }
    }

    /// Whether the viewer sees this node only by role: a contact of a
    /// connection's book shared as "someone at Acme (CTO)".
    pub(crate) fn seen_by_role(&self, viewer: AccountId, node: Node) -> bool {
        let info = &self.nodes[node as usize];
        info.account != viewer && !info.is_member && info.sharing == Sharing::Role
    }

    /// The nodes a target names, among those the viewer may see.
    pub(crate) fn target_nodes(
        &self,
        viewer: AccountId,
        target: &PathTarget,
        own: Option<PersonId>,
    ) -> Vec<Node> {
        let mut out: Vec<Node> = match target {
            PathTarget::Person(_) if own.is_some() => own
                .and_then(|p| self.by_person.get(&p).copied())
                .into_iter()
                .collect(),
            PathTarget::Person(q) => match target_key(q) {
                Some(key) => self.keys.get(&key).cloned().unwrap_or_default(),
                None => Vec::new(),
            },
            PathTarget::Org(q) => {
                let q = q.trim().trim_start_matches('@').to_lowercase();
                if q.contains('.') && !q.contains(' ') {
                    let at_domain = self.domains.get(&q).cloned().unwrap_or_default();
                    let orgs: HashSet<&String> = at_domain
                        .iter()
                        .flat_map(|&n| &self.nodes[n as usize].orgs)
                        .collect();
                    let mut nodes: Vec<Node> = orgs
                        .into_iter()
                        .flat_map(|o| self.orgs.get(o).into_iter().flatten().copied())
                        .collect();
                    nodes.extend(
                        at_domain
                            .iter()
                            .filter(|&&n| !self.nodes[n as usize].orgs.is_empty()),
                    );
                    nodes
                } else {
                    self.org_keys(viewer, &q)
                        .iter()
                        .flat_map(|k| self.orgs.get(k).into_iter().flatten().copied())
                        .collect()
                }
            }
        };
        let me = self.me.get(&viewer).copied();
        out.retain(|&n| Some(n) != me && self.visible(viewer, n));
        out.sort_unstable();
        out.dedup();
        out
    }
}

impl NetState {
    /// Whether the viewer may see someone at the organisation `key`.
    fn org_visible(&self, viewer: AccountId, key: &str) -> bool {
        self.orgs
            .get(key)
            .is_some_and(|nodes| nodes.iter().any(|&n| self.visible(viewer, n)))
    }

    /// The organisations a name means, forgivingly: the one of exactly
    /// that name, else those whose name has words beginning with every
    /// word given ("Kestrel" is "Kestrel Aviation"), accents and case
    /// aside. Only organisations where the viewer may see someone count,
    /// so that a lookup says nothing of what is hidden.
    pub(crate) fn org_keys(&self, viewer: AccountId, q: &str) -> Vec<String> {
        let wanted = normalize(q);
        if wanted.is_empty() {
            return Vec::new();
        }
        if self.org_visible(viewer, &wanted) {
            return vec![wanted];
        }
        let mut keys: Vec<String> = self
            .orgs
            .keys()
            .filter(|k| kith_core::names::words_begin(&wanted, k))
            .filter(|k| self.org_visible(viewer, k))
            .cloned()
            .collect();
        keys.sort();
        keys.truncate(MAX_ORG_MATCHES);
        keys
    }

    /// The organisation the viewer may see whose name is closest to a
    /// misspelt one, if one is close enough ("Kestral" → "Kestrel
    /// Aviation").
    pub(crate) fn org_closest(&self, viewer: AccountId, q: &str) -> Option<String> {
        let wanted = normalize(q);
        self.orgs
            .keys()
            .map(|k| (kith_core::names::words_similarity(&wanted, k), k))
            .filter(|(score, _)| *score >= 0.88)
            .filter(|(_, k)| self.org_visible(viewer, k))
            .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
            .map(|(_, k)| self.org_display(viewer, k))
    }

    /// An organisation's name as written on a card the viewer may see.
    pub(crate) fn org_display(&self, viewer: AccountId, key: &str) -> String {
        self.orgs
            .get(key)
            .into_iter()
            .flatten()
            .filter(|&&n| self.visible(viewer, n))
            .filter_map(|&n| self.nodes[n as usize].role.as_ref())
            .map(|(org, _)| org)
            .find(|org| normalize(org) == key)
            .cloned()
            .unwrap_or_else(|| key.to_string())
    }
}

/// Most organisations one partial name may stand for.
const MAX_ORG_MATCHES: usize = 20;

/// What an organisation's name was taken to mean.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrgLookup {
    /// The organisations it stands for, as written.
    pub names: Vec<String>,
    /// When none: the closest name, if one is close.
    pub did_you_mean: Option<String>,
}

impl App {
    /// Which organisations a name stands for in the viewer's network (see
    /// `who_at`), and a suggestion when none.
    pub async fn org_lookup(&self, q: &str) -> Result<OrgLookup> {
        let q = q.trim().trim_start_matches('@');
        if q.is_empty() || (q.contains('.') && !q.contains(' ')) {
            return Ok(OrgLookup::default());
        }
        let state = self.network().await?;
        let viewer = self.account;
        let names: Vec<String> = state
            .org_keys(viewer, q)
            .iter()
            .map(|k| state.org_display(viewer, k))
            .collect();
        let did_you_mean = if names.is_empty() {
            state.org_closest(viewer, q)
        } else {
            None
        };
        Ok(OrgLookup {
            names,
            did_you_mean,
        })
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// "someone at Acme (CTO)", or "someone NAME knows".
fn anonymous(info: &NodeInfo, member: String) -> String {
    match &info.role {
        Some((org, title)) if !title.is_empty() => format!("someone at {org} ({title})"),
        Some((org, _)) => format!("someone at {org}"),
        None => format!("someone {member} knows"),
    }
}

/// The identity key an email address or profile URL stands for.
fn target_key(q: &str) -> Option<String> {
    let q = q.trim();
    if let Some(slug) = linkedin_slug(q) {
        return Some(format!("linkedin:{slug}"));
    }
    email_key(q).map(|e| format!("email:{e}"))
}

fn check_k(k: usize) -> Result<()> {
    if k == 0 || k > MAX_PATHS {
        return Err(AppError::Invalid(format!(
            "the number of paths must be between 1 and {MAX_PATHS}, not {k}"
        )));
    }
    Ok(())
}

impl App {
    /// The person of the viewer's own address book a target names, if any.
    pub(crate) async fn own_target(&self, q: &str) -> Result<Option<(PersonId, String, bool)>> {
        let mut tx = self.store.begin_read(self.account).await?;
        match crate::people::resolve_loose(&mut tx, q).await {
            Ok(sp) => Ok(Some((
                sp.person.id,
                sp.person.card.display_name(),
                sp.is_me,
            ))),
            Err(AppError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The `k` strongest paths to a target, strongest first (none: no path
    /// through people the viewer may see). A target nobody the viewer may
    /// see is known by gets the same answer as one nobody knows at all.
    pub async fn paths(&self, target: &PathTarget, k: usize) -> Result<(String, Vec<PathView>)> {
        check_k(k)?;
        let own = match target {
            PathTarget::Person(q) => self.own_target(q).await?,
            PathTarget::Org(_) => None,
        };
        if own.as_ref().is_some_and(|o| o.2) {
            return Err(AppError::Invalid(
                "that is you: a path needs someone else at its end".into(),
            ));
        }
        // Finding a person through a connection's contact shared by role
        // says that the connection knows them: counted per person, and
        // past the day's cap such contacts are left out (as if hidden), so
        // that no one can test address after address against a book.
        let subject = Self::role_find_subject(target, own.as_ref().map(|o| o.0));
        let open = self.role_finds_open(subject.as_deref()).await?;
        let state = self.network().await?;
        let viewer = self.account;
        let mut targets = state.target_nodes(viewer, target, own.as_ref().map(|o| o.0));
        if !open {
            targets.retain(|&n| !state.seen_by_role(viewer, n));
        }
        let label = match (target, &own) {
            (_, Some((_, name, _))) => name.clone(),
            (PathTarget::Person(q), None) => q.trim().to_string(),
            (PathTarget::Org(q), None) => format!("anyone at {}", q.trim()),
        };
        if targets.is_empty() {
            return Err(AppError::NotFound(match target {
                PathTarget::Person(q) => format!(
                    "nobody you can reach through your network is known as {:?}",
                    q.trim()
                ),
                PathTarget::Org(q) => format!(
                    "nobody you can reach through your network is at {:?} now",
                    q.trim()
                ),
            }));
        }
        let Some(&me) = state.me.get(&viewer) else {
            return Ok((label, Vec::new()));
        };
        // One person may be several nodes (several address books): ask for
        // more and keep the first paths that differ as the viewer sees them.
        let raw = {
            let (graph, visibility) = state.searcher(viewer);
            let mut ws = self.network.workspace();
            ws.k_best_paths(graph, me, &targets, k * 3, |n| {
                visibility.allows(n) && (open || !state.seen_by_role(viewer, n))
            })
        };
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        let mut by_role = false;
        for p in raw {
            by_role |= p.nodes.iter().any(|&n| state.seen_by_role(viewer, n));
            let view = state.view_path(viewer, &p.nodes, p.strength());
            let sig: Vec<(Option<PersonId>, Option<String>, String)> = view
                .people
                .iter()
                .map(|x| (x.id, x.member.clone(), x.name.clone()))
                .collect();
            if seen.insert(sig) {
                out.push(view);
            }
            if out.len() == k {
                break;
            }
        }
        drop(state);
        if let Some(subject) = subject.filter(|_| by_role) {
            self.store
                .count_usage(self.account, Usage::RoleFind, &subject)
                .await?;
        }
        Ok((label, out))
    }

    /// Whether the user may still find `subject` (a target's hash) through
    /// connections' contacts shared by role today (None: not a person).
    pub(crate) async fn role_finds_open(&self, subject: Option<&str>) -> Result<bool> {
        let Some(subject) = subject else {
            return Ok(true);
        };
        let since = kith_store::now_micros() - crate::clock::DAY;
        Ok(self
            .store
            .usage_allows(
                self.account,
                Usage::RoleFind,
                subject,
                since,
                i64::from(ROLE_FINDS_PER_DAY),
            )
            .await?)
    }

    /// The hash [`Self::paths`] counts a person target under.
    pub(crate) fn role_find_subject(target: &PathTarget, own: Option<PersonId>) -> Option<String> {
        match (target, own) {
            (PathTarget::Person(_), Some(o)) => Some(format!("person:{o}")),
            (PathTarget::Person(q), None) => target_key(q),
            (PathTarget::Org(_), _) => None,
        }
        .map(|s| hex(&crate::auth::secret_hash(&s)))
    }

    /// The people the viewer can reach who are at an organisation now,
    /// the strongest path first, with who it goes through.
    pub async fn who_at(&self, org: &str, limit: usize) -> Result<Vec<ReachView>> {
        if org.trim().is_empty() {
            return Err(AppError::Invalid(
                "name an organisation or an email domain".into(),
            ));
        }
        let state = self.network().await?;
        let viewer = self.account;
        let targets = state.target_nodes(viewer, &PathTarget::Org(org.to_string()), None);
        let Some(&me) = state.me.get(&viewer) else {
            return Ok(Vec::new());
        };
        let (_, visibility) = state.searcher(viewer);
        let mut ws = self.network.workspace();
        Ok(state.reach(&mut ws, viewer, me, targets, &visibility, limit))
    }

    /// The people at an organisation the user knows, as a connection of
    /// theirs on another server may see them (federation's who-at).
    pub(crate) async fn who_at_for_remote_connection(
        &self,
        org: &str,
        limit: usize,
    ) -> Result<Vec<ReachView>> {
        let state = self.network().await?;
        let member = self.account;
        let filter = ViewerFilter::for_remote_connection(&member, &state.nodes);
        let mut targets = state.target_nodes(member, &PathTarget::Org(org.to_string()), None);
        targets.retain(|&n| filter.allows(n));
        let Some(&me) = state.me.get(&member) else {
            return Ok(Vec::new());
        };
        let mut ws = self.network.workspace();
        Ok(state.reach(&mut ws, REMOTE_VIEWER, me, targets, &filter, limit))
    }

    /// The paths from the user to `target` within the user's own book,
    /// as a connection of theirs on another server may see them (the
    /// people the user shares, by name or by role; no one else): what this
    /// server answers that connection's server (federation). The first
    /// person of each path is the user.
    pub(crate) async fn paths_for_remote_connection(
        &self,
        target: &PathTarget,
        k: usize,
    ) -> Result<Vec<PathView>> {
        check_k(k)?;
        let subject = Self::role_find_subject(target, None);
        let open = self.role_finds_open(subject.as_deref()).await?;
        let state = self.network().await?;
        let member = self.account;
        let filter = ViewerFilter::for_remote_connection(&member, &state.nodes);
        let mut targets = state.target_nodes(member, target, None);
        targets.retain(|&n| filter.allows(n) && (open || !state.seen_by_role(REMOTE_VIEWER, n)));
        let Some(&me) = state.me.get(&member) else {
            return Ok(Vec::new());
        };
        if targets.is_empty() {
            return Ok(Vec::new());
        }
        let raw = {
            let mut ws = self.network.workspace();
            ws.k_best_paths(&state.graph, me, &targets, k * 3, |n| {
                filter.allows(n) && (open || !state.seen_by_role(REMOTE_VIEWER, n))
            })
        };
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        let mut by_role = false;
        for p in raw {
            by_role |= p
                .nodes
                .iter()
                .any(|&n| state.seen_by_role(REMOTE_VIEWER, n));
            let view = state.view_path(REMOTE_VIEWER, &p.nodes, p.strength());
            let sig: Vec<String> = view.people.iter().map(|x| x.name.clone()).collect();
            if seen.insert(sig) {
                out.push(view);
            }
            if out.len() == k {
                break;
            }
        }
        drop(state);
        if let Some(subject) = subject.filter(|_| by_role) {
            self.store
                .count_usage(self.account, Usage::RoleFind, &subject)
                .await?;
        }
        Ok(out)
    }

    /// The contact of the user's a connection on another server would be
    /// introduced to on the way to `target`: the first person after the
    /// user on the best path a remote connection may take (None: there is
    /// none), with the name that connection sees.
    pub(crate) async fn remote_broker_step(
        &self,
        target: &PathTarget,
    ) -> Result<Option<(PersonId, String)>> {
        let state = self.network().await?;
        let member = self.account;
        let filter = ViewerFilter::for_remote_connection(&member, &state.nodes);
        let mut targets = state.target_nodes(member, target, None);
        targets.retain(|&n| filter.allows(n));
        let Some(&me) = state.me.get(&member) else {
            return Ok(None);
        };
        if targets.is_empty() {
            return Ok(None);
        }
        let paths = {
            let mut ws = self.network.workspace();
            ws.k_best_paths(&state.graph, me, &targets, 1, |n| filter.allows(n))
        };
        Ok(paths.first().and_then(|p| {
            p.nodes[1..]
                .iter()
                .find(|&&n| {
                    let info = &state.nodes[n as usize];
                    !info.is_member && info.person.is_some() && !state.same_person(me, n)
                })
                .and_then(|&n| {
                    let person = state.nodes[n as usize].person?;
                    Some((person, state.shown(REMOTE_VIEWER, n).name))
                })
        }))
    }

    /// The best path from the user to a person of their own book (None:
    /// no path the user may take): the first part of a path through a
    /// connection on another server.
    pub(crate) async fn path_to_own(&self, person: PersonId) -> Result<Option<PathView>> {
        let state = self.network().await?;
        let viewer = self.account;
        let (Some(&me), Some(&node)) = (state.me.get(&viewer), state.by_person.get(&person)) else {
            return Ok(None);
        };
        let (graph, visibility) = state.searcher(viewer);
        let mut ws = self.network.workspace();
        Ok(ws
            .best_path(graph, me, node, |n| visibility.allows(n))
            .map(|p| state.view_path(viewer, &p.nodes, p.strength())))
    }
}

impl NetState {
    /// The best path from `me` to each of `targets` through what `filter`
    /// allows, as `viewer` sees it: who-at's answer, strongest first.
    fn reach(
        &self,
        ws: &mut kith_graph::Workspace,
        viewer: AccountId,
        me: Node,
        targets: Vec<Node>,
        filter: &ViewerFilter<'_>,
        limit: usize,
    ) -> Vec<ReachView> {
        let mut out: Vec<ReachView> = Vec::new();
        let mut seen = HashSet::new();
        for t in targets {
            let found = ws.best_path(&self.graph, me, t, |n| filter.allows(n));
            let Some(p) = found else { continue };
            let view = self.view_path(viewer, &p.nodes, p.strength());
            let Some(person) = view.people.last().cloned() else {
                continue;
            };
            if !seen.insert((person.id, person.name.clone())) {
                continue;
            }
            let title = self.nodes[t as usize]
                .role
                .as_ref()
                .map(|r| r.1.clone())
                .filter(|t| !t.is_empty());
            let via = view.people[1..view.people.len() - 1]
                .iter()
                .map(|x| x.name.clone())
                .collect();
            let ask_via = view
                .people
                .get(1)
                .and_then(|x| x.member.clone())
                .filter(|_| view.people.len() > 2);
            out.push(ReachView {
                person,
                title,
                strength: view.strength,
                via,
                ask_via,
            });
        }
        out.sort_by(|a, b| {
            b.strength
                .total_cmp(&a.strength)
                .then(a.person.name.cmp(&b.person.name))
        });
        out.truncate(limit);
        out
    }
}
