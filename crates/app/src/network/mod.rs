//! The network across the members of one server: every loaded account's
//! people and ties in one [`kith_graph::Graph`], kept current account by
//! account (each write moves an account's version on; a query first reads
//! the versions and reloads the accounts that moved, so several servers
//! sharing a database follow each other's changes), and the privacy rule
//! every query applies: a viewer passes only through their own people and
//! the people their connections share. Queries read the graph together
//! (each searching in a workspace of its own); only a reload writes it.

mod build;
pub mod intros;
pub mod map;
pub mod members;
pub mod paths;
pub mod ties;

use build::{AccountPart, Owner};
use kith_core::ties::{Evidence, Sharing, tie_strength};
use kith_core::{AccountId, PersonId};
use kith_graph::{Graph, Node, Workspace};
use kith_store::cards::Usage;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use tokio::sync::{RwLock, RwLockReadGuard};

use crate::clock::DAY;
use crate::{App, Result};

/// The shared graph of a server (cheap to clone); a CLI command makes its
/// own and loads only the accounts it needs. It also keeps each account's
/// last "what can I do for them" answer (docs/cards.md).
#[derive(Clone, Default)]
pub struct Network {
    state: Arc<RwLock<NetState>>,
    /// Search workspaces not in use: a query takes one (or makes one) and
    /// gives it back, so that queries search side by side.
    idle: Arc<Mutex<Vec<Workspace>>>,
    pub(crate) help: crate::cards::HelpCache,
    pub(crate) due: crate::keep_in_touch::DueCache,
    loads: Arc<Mutex<LoadTimes>>,
}

/// How often accounts' parts of the graph were read from the store, and
/// how long that took (metrics): a build is an account's first load, a
/// reload one after its book moved on.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LoadTimes {
    pub builds: u64,
    pub build_seconds: f64,
    pub reloads: u64,
    pub reload_seconds: f64,
}

impl Network {
    pub fn new() -> Network {
        Network::default()
    }

    /// The loads so far.
    pub fn load_times(&self) -> LoadTimes {
        *self.loads.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn count_load(&self, first: bool, took: std::time::Duration) {
        let mut loads = self.loads.lock().unwrap_or_else(|e| e.into_inner());
        if first {
            loads.builds += 1;
            loads.build_seconds += took.as_secs_f64();
        } else {
            loads.reloads += 1;
            loads.reload_seconds += took.as_secs_f64();
        }
    }

    /// A workspace of this query's own, back in the pool when dropped.
    pub(crate) fn workspace(&self) -> Pooled {
        let ws = self
            .idle
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop()
            .unwrap_or_default();
        Pooled {
            ws: Some(ws),
            idle: self.idle.clone(),
        }
    }
}

/// A search workspace taken from a [`Network`]'s pool.
pub(crate) struct Pooled {
    ws: Option<Workspace>,
    idle: Arc<Mutex<Vec<Workspace>>>,
}

impl std::ops::Deref for Pooled {
    type Target = Workspace;
    fn deref(&self) -> &Workspace {
        self.ws
            .as_ref()
            .expect("a pooled workspace is there until dropped")
    }
}

impl std::ops::DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut Workspace {
        self.ws
            .as_mut()
            .expect("a pooled workspace is there until dropped")
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        if let Some(ws) = self.ws.take() {
            self.idle.lock().unwrap_or_else(|e| e.into_inner()).push(ws);
        }
    }
}

/// What the graph knows of one node.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct NodeInfo {
    pub account: AccountId,
    /// The person of the account's address book (None: a member's own
    /// node, when they have no card of themselves).
    pub person: Option<PersonId>,
    /// The account's own node: the member themself.
    pub is_member: bool,
    pub name: String,
    /// The current organisation and title, if any.
    pub role: Option<(String, String)>,
    pub sharing: Sharing,
    pub keys: Vec<String>,
    /// Normalised names of the organisations they are at now.
    pub orgs: Vec<String>,
    /// Work email domains.
    pub domains: Vec<String>,
    pub alive: bool,
}

/// One account as loaded.
#[derive(Clone, Debug, Default)]
pub(crate) struct Loaded {
    pub version: i64,
    pub name: String,
    pub nodes: Vec<Node>,
    pub connections: Vec<AccountId>,
    /// The people as last read, for the next reload to bring up to date.
    pub cards: Arc<build::Cards>,
    /// What this account's data says of each tie, as applied to the graph.
    pub evidence: AccountEvidence,
}

/// One account's evidence by tie (smaller node first).
pub(crate) type AccountEvidence = HashMap<(Node, Node), Vec<Evidence>, foldhash::fast::RandomState>;

#[derive(Default)]
pub(crate) struct NetState {
    pub graph: Graph,
    pub nodes: Vec<NodeInfo>,
    pub by_person: HashMap<PersonId, Node>,
    pub me: HashMap<AccountId, Node>,
    pub accounts: HashMap<AccountId, Loaded>,
    pub keys: HashMap<String, Vec<Node>>,
    pub orgs: HashMap<String, Vec<Node>>,
    pub domains: HashMap<String, Vec<Node>>,
    /// Why each tie exists (smaller node first), and whose data says so.
    /// Reloading a large book looks up every one of its ties twice: a
    /// fast hasher, as the keys are node numbers, not outside input.
    pub why: HashMap<(Node, Node), Vec<(Owner, Evidence)>, foldhash::fast::RandomState>,
    /// Ties whose evidence changed and whose strength is not yet set.
    unsettled: Vec<(Node, Node)>,
}

/// The viewer a member of another server is when their server asks this
/// one (no account here has this id): paths show them people as a
/// connection who is not the owner sees them.
pub(crate) const REMOTE_VIEWER: AccountId = AccountId(uuid::Uuid::nil());

/// The privacy rule of every query: a viewer passes only through their
/// own people, their connections, and the people those connections share.
pub(crate) struct ViewerFilter<'a> {
    viewer: AccountId,
    nodes: &'a [NodeInfo],
    connections: &'a [AccountId],
}

impl<'a> ViewerFilter<'a> {
    fn of(
        viewer: AccountId,
        nodes: &'a [NodeInfo],
        accounts: &'a HashMap<AccountId, Loaded>,
    ) -> ViewerFilter<'a> {
        ViewerFilter {
            viewer,
            nodes,
            connections: accounts
                .get(&viewer)
                .map_or(&[][..], |l| &l.connections[..]),
        }
    }

    /// The filter of a member of another server connected to `member`:
    /// as for a member here whose only connection is `member`, they pass
    /// only through `member` and the people `member` shares (federation).
    pub(crate) fn for_remote_connection(
        member: &'a AccountId,
        nodes: &'a [NodeInfo],
    ) -> ViewerFilter<'a> {
        ViewerFilter {
            viewer: REMOTE_VIEWER,
            nodes,
            connections: std::slice::from_ref(member),
        }
    }

    pub(crate) fn allows(&self, node: Node) -> bool {
        let info = &self.nodes[node as usize];
        info.alive
            && (info.account == self.viewer
                || (self.connections.contains(&info.account)
                    && (info.is_member || info.sharing != Sharing::Nothing)))
    }
}

/// Takes the `gone` nodes out of an index's lists under `values`.
fn drop_from<'a>(
    index: &mut HashMap<String, Vec<Node>>,
    values: impl Iterator<Item = &'a String>,
    gone: &HashSet<Node>,
) {
    let touched: HashSet<&String> = values.collect();
    for value in touched {
        if let Some(list) = index.get_mut(value) {
            list.retain(|n| !gone.contains(n));
            if list.is_empty() {
                index.remove(value);
            }
        }
    }
}

pub(crate) fn pair(a: Node, b: Node) -> (Node, Node) {
    (a.min(b), a.max(b))
}

impl NetState {
    /// The node of an account's member; made on first mention.
    pub(crate) fn member_node(&mut self, account: AccountId, name: &str) -> Node {
        if let Some(&n) = self.me.get(&account) {
            return n;
        }
        let n = self.graph.add_node();
        self.nodes.push(NodeInfo {
            account,
            person: None,
            is_member: true,
            name: name.to_string(),
            role: None,
            sharing: Sharing::Name,
            keys: Vec::new(),
            orgs: Vec::new(),
            domains: Vec::new(),
            alive: true,
        });
        self.me.insert(account, n);
        n
    }

    /// Whether `viewer` may pass through `node`.
    pub(crate) fn visible(&self, viewer: AccountId, node: Node) -> bool {
        self.viewer_filter(viewer).allows(node)
    }

    fn viewer_filter(&self, viewer: AccountId) -> ViewerFilter<'_> {
        ViewerFilter::of(viewer, &self.nodes, &self.accounts)
    }

    /// The graph and the viewer's filter, borrowed apart.
    pub(crate) fn searcher(&self, viewer: AccountId) -> (&Graph, ViewerFilter<'_>) {
        (&self.graph, self.viewer_filter(viewer))
    }

    /// Adds evidence to a tie; its strength is set by [`Self::settle_ties`].
    pub(crate) fn add_evidence(&mut self, a: Node, b: Node, owner: Owner, evidence: Evidence) {
        if a == b {
            return;
        }
        let key = pair(a, b);
        self.why.entry(key).or_default().push((owner, evidence));
        self.unsettled.push(key);
    }

    /// Drops what `owner` says of every tie of `node`; [`Self::settle_ties`]
    /// removes the ties left with nothing said of them.
    fn forget(&mut self, node: Node, owner: Owner) {
        let others: Vec<Node> = self.graph.ties_of(node).map(|(m, _)| m).collect();
        for m in others {
            let key = pair(node, m);
            let Some(list) = self.why.get_mut(&key) else {
                continue;
            };
            list.retain(|(o, _)| *o != owner);
            if list.is_empty() {
                self.why.remove(&key);
            }
            self.unsettled.push(key);
        }
    }

    /// Sets the strength of every tie whose evidence changed since the
    /// last call from all the evidence it has now, in one batch: an
    /// owner's tie to each of 100,000 contacts is one sort of their list,
    /// not 100,000 insertions into it.
    fn settle_ties(&mut self) {
        let mut keys = std::mem::take(&mut self.unsettled);
        keys.sort_unstable();
        keys.dedup();
        let changes: Vec<(Node, Node, Option<f64>)> = keys
            .into_iter()
            .map(|(a, b)| {
                let strength = self.why.get(&(a, b)).map(|list| {
                    tie_strength(&list.iter().map(|(_, e)| e.clone()).collect::<Vec<_>>())
                });
                (a, b, strength)
            })
            .collect();
        // tie_strength stays in (0, 1]: setting cannot fail.
        let _ = self.graph.set_ties(&changes);
    }

    /// Takes these nodes out of the key, organisation and domain indexes,
    /// each list read once however many of them it holds (an
    /// organisation's list holds every one of its people in a book).
    fn unindex(&mut self, gone: &[Node]) {
        let gone_set: HashSet<Node> = gone.iter().copied().collect();
        let infos: Vec<&NodeInfo> = gone.iter().map(|&n| &self.nodes[n as usize]).collect();
        drop_from(
            &mut self.keys,
            infos.iter().flat_map(|i| &i.keys),
            &gone_set,
        );
        drop_from(
            &mut self.orgs,
            infos.iter().flat_map(|i| &i.orgs),
            &gone_set,
        );
        drop_from(
            &mut self.domains,
            infos.iter().flat_map(|i| &i.domains),
            &gone_set,
        );
    }

    fn index(&mut self, node: Node) {
        let info = &self.nodes[node as usize];
        for k in &info.keys {
            self.keys.entry(k.clone()).or_default().push(node);
        }
        for o in &info.orgs {
            self.orgs.entry(o.clone()).or_default().push(node);
        }
        for d in &info.domains {
            self.domains.entry(d.clone()).or_default().push(node);
        }
    }

    /// An account with its people as last read (None: never loaded).
    fn last_read(&self, account: AccountId) -> (AccountId, Option<Arc<build::Cards>>) {
        let cards = self.accounts.get(&account).map(|l| l.cards.clone());
        (account, cards)
    }

    /// Replaces everything an account contributed with `part`, touching
    /// only what differs from what it contributed before: an edit in a
    /// book of 100,000 sets the ties of the people it changed, not every
    /// tie of the book again.
    pub(crate) fn replace_account(&mut self, account: AccountId, part: AccountPart) {
        let me = self.member_node(account, &part.loaded.name);
        let mut prior = self.accounts.remove(&account).unwrap_or_default();

        // Each person's node with what it is to show now.
        let mut nodes = vec![me];
        let mut node_of: HashMap<PersonId, Node> = HashMap::new();
        let mut updates: Vec<(Node, NodeInfo)> = Vec::new();
        // The member's own node shows what their card shares with their
        // connections (who alone see it), nothing of their own card of
        // themself, which only stands for them in their own ties.
        let mut me_info = part.shown.show_owner(
            NodeInfo {
                person: None,
                ..self.nodes[me as usize].clone()
            },
            &part.loaded.name,
        );
        for person in part.people {
            let id = person.id;
            if Some(id) == part.me_person {
                me_info.person = Some(id);
                node_of.insert(id, me);
                continue;
            }
            let n = match self.by_person.get(&id) {
                Some(&n) => {
                    if !person.is_shown_by(account, &self.nodes[n as usize]) {
                        updates.push((n, person.info(account)));
                    }
                    n
                }
                None => {
                    let n = self.graph.add_node();
                    let info = person.info(account);
                    // Not alive (so in no index) until the update below.
                    self.nodes.push(NodeInfo {
                        alive: false,
                        ..info.clone()
                    });
                    updates.push((n, info));
                    self.by_person.insert(id, n);
                    n
                }
            };
            nodes.push(n);
            node_of.insert(id, n);
        }
        for e in &part.verified_emails {
            let k = format!("email:{e}");
            if !me_info.keys.contains(&k) {
                me_info.keys.push(k);
            }
        }
        if self.nodes[me as usize] != me_info {
            updates.push((me, me_info));
        }
        let kept: HashSet<Node> = nodes.iter().copied().collect();
        let gone: Vec<Node> = prior
            .nodes
            .iter()
            .copied()
            .filter(|n| !kept.contains(n))
            .collect();

        // Out of the indexes as they were, then in as they are now; a
        // person who changed or left is the same person as others in other
        // books by other keys now, or no longer.
        // (A node not alive is in no index and has no shared keys.)
        let moved: Vec<Node> = updates
            .iter()
            .map(|(n, _)| *n)
            .chain(gone.iter().copied())
            .filter(|&n| self.nodes[n as usize].alive)
            .collect();
        self.unindex(&moved);
        for &n in &moved {
            self.forget(n, Owner::Keys);
        }
        for &n in &gone {
            self.nodes[n as usize].alive = false;
        }
        let changed: Vec<Node> = updates.iter().map(|(n, _)| *n).collect();
        for (n, info) in updates {
            self.nodes[n as usize] = info;
        }
        for &n in &changed {
            self.index(n);
        }

        // The account's evidence now, set only on the ties where it differs.
        let node = |p: &PersonId| node_of.get(p).copied();
        let mut evidence: AccountEvidence = AccountEvidence::default();
        let mut give = |a: Node, b: Node, e: Evidence| {
            if a != b {
                evidence.entry(pair(a, b)).or_default().push(e);
            }
        };
        for (a, b, e) in part.ties {
            if let (Some(a), Some(b)) = (a.map_or(Some(me), |p| node(&p)), node(&b)) {
                give(a, b, e);
            }
        }
        for (member, (member_name, person)) in part.member_cards {
            if let Some(n) = node(&person) {
                let m = self.member_node(member, &member_name);
                give(n, m, Evidence::SamePerson);
            }
        }
        let owner = Owner::Account(account);
        for (key, list) in evidence.iter_mut() {
            match prior.evidence.remove(key) {
                // What is applied stays, so that small drifts cannot add up.
                Some(old) if same_evidence(&old, list) => *list = old,
                _ => self.set_evidence(*key, owner, list),
            }
        }
        for key in prior.evidence.into_keys() {
            self.set_evidence(key, owner, &[]);
        }

        // The same person in another loaded address book, by a shared key.
        for &n in &changed {
            let mut same: Vec<Node> = self.nodes[n as usize]
                .keys
                .iter()
                .flat_map(|k| self.keys.get(k).into_iter().flatten().copied())
                .filter(|&m| {
                    self.nodes[m as usize].account != account && self.nodes[m as usize].alive
                })
                .collect();
            same.sort_unstable();
            same.dedup();
            for m in same {
                self.add_evidence(n, m, Owner::Keys, Evidence::SamePerson);
            }
        }
        self.settle_ties();
        let mut loaded = part.loaded;
        loaded.nodes = nodes;
        loaded.evidence = evidence;
        self.accounts.insert(account, loaded);
    }

    /// Sets what `owner` says of a tie to `list` (nothing: drops it).
    fn set_evidence(&mut self, key: (Node, Node), owner: Owner, list: &[Evidence]) {
        let why = self.why.entry(key).or_default();
        why.retain(|(o, _)| *o != owner);
        why.extend(list.iter().map(|e| (owner, e.clone())));
        if why.is_empty() {
            self.why.remove(&key);
        }
        self.unsettled.push(key);
    }
}

/// Whether two lists of one tie's evidence say the same, in any order; a
/// relationship score that moved by less than [`SCORE_DRIFT`] (it fades a
/// little every second) is the same score.
fn same_evidence(old: &[Evidence], new: &[Evidence]) -> bool {
    let same = |a: &Evidence, b: &Evidence| match (a, b) {
        (
            Evidence::Yours {
                score: s,
                circle: c,
                pinned: p,
            },
            Evidence::Yours {
                score: t,
                circle: d,
                pinned: q,
            },
        ) => c == d && p == q && (s - t).abs() < SCORE_DRIFT,
        _ => a == b,
    };
    old.len() == new.len() && new.iter().all(|b| old.iter().any(|a| same(a, b)))
}

/// How far a relationship score may fade before the graph takes it up.
const SCORE_DRIFT: f64 = 1e-3;

impl App {
    /// Counts one more `kind` of action against a daily cap of `cap`, or
    /// says that `what` reached it (nothing counted then).
    pub(crate) async fn count_daily(&self, kind: Usage, cap: u32, what: &str) -> Result<()> {
        let since = kith_store::now_micros() - DAY;
        if self
            .store
            .take_usage(self.account, kind, since, i64::from(cap))
            .await?
        {
            return Ok(());
        }
        Err(crate::AppError::TooMany(format!(
            "you have sent {cap} {what} in the last 24 hours, the most kith sends a day: \
             try again tomorrow"
        )))
    }
}

impl App {
    /// Loads this account's part of the graph and its connections' now (a
    /// server does this at start, so the first path is quick).
    pub async fn warm_network(&self) -> Result<()> {
        self.network().await.map(drop)
    }

    /// The network, current for this account and its connections. Parts
    /// that moved on are read from the store before the graph is locked
    /// for writing, so other queries go on meanwhile; a part is applied
    /// only over an older one (versions only grow, and two queries may
    /// load the same change).
    pub(crate) async fn network(&self) -> Result<RwLockReadGuard<'_, NetState>> {
        let versions = self.store.network_versions().await?;
        let version = |a: &AccountId| versions.get(a).copied().unwrap_or(0);
        let stale = |state: &NetState, a: &AccountId| {
            state.accounts.get(a).is_none_or(|l| l.version < version(a))
        };
        // The accounts that moved, each with its people as last read.
        let (own, moved) = {
            let state = self.network.state.read().await;
            match state.accounts.get(&self.account) {
                Some(own) if !stale(&state, &self.account) => {
                    let moved: Vec<_> = own
                        .connections
                        .iter()
                        .filter(|c| stale(&state, c))
                        .map(|c| state.last_read(*c))
                        .collect();
                    if moved.is_empty() {
                        return Ok(state);
                    }
                    (None, moved)
                }
                _ => (Some(state.last_read(self.account)), Vec::new()),
            }
        };
        let mut parts = Vec::new();
        let mut moved = moved;
        if let Some((account, cards)) = own {
            let started = std::time::Instant::now();
            let part = build::load_account(self, account, &versions, cards.as_deref()).await?;
            self.network.count_load(cards.is_none(), started.elapsed());
            let state = self.network.state.read().await;
            moved = part
                .loaded
                .connections
                .iter()
                .filter(|c| stale(&state, c))
                .map(|c| state.last_read(*c))
                .collect();
            parts.push((account, part));
        }
        for (account, cards) in moved {
            let started = std::time::Instant::now();
            let part = build::load_account(self, account, &versions, cards.as_deref()).await?;
            self.network.count_load(cards.is_none(), started.elapsed());
            parts.push((account, part));
        }
        let mut state = self.network.state.write().await;
        for (account, part) in parts {
            let newer = state
                .accounts
                .get(&account)
                .is_none_or(|l| l.version < part.loaded.version);
            if newer {
                state.replace_account(account, part);
            }
        }
        Ok(state.downgrade())
    }
}
