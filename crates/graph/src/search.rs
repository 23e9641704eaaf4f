//! The best path from one node to a node or to the nearest of a group:
//! Dijkstra from both ends at once, the target side starting from every
//! member of the group together, so "anyone at this organisation" is one
//! search, not one per member. A `Workspace` keeps the per-node labels
//! between searches and forgets them by a generation stamp, so a search
//! costs what it visits, not the size of the graph.

mod shared;

use crate::queue::Queue;
use crate::{Graph, Node, strength_of};

/// A loopless path, from its start to its end, and its total cost.
#[derive(Clone, Debug, PartialEq)]
pub struct Path {
    pub nodes: Vec<Node>,
    pub cost: f64,
}

impl Path {
    /// The product of the strengths of its ties.
    pub fn strength(&self) -> f64 {
        strength_of(self.cost)
    }
}

/// One direction's label of a node: valid where `stamp` (without the
/// settled bit) is the current generation.
#[derive(Clone, Copy)]
struct Label {
    stamp: u32,
    prev: Node,
    dist: f64,
}

const NONE: Node = Node::MAX;
/// Set in a stamp once its node is settled on that side.
const SETTLED: u32 = 1 << 31;
const UNSEEN: Label = Label {
    stamp: 0,
    prev: NONE,
    dist: f64::INFINITY,
};

/// The label of a node a search may not pass, on both sides.
fn blocked_label(generation: u32) -> Label {
    Label {
        stamp: generation | SETTLED,
        prev: NONE,
        dist: f64::INFINITY,
    }
}

/// Both directions' labels of a node side by side: one cache line holds
/// all a search reads of a node (aligned so that none straddles two).
#[derive(Clone, Copy)]
#[repr(align(32))]
struct Labels([Label; 2]);

const FORWARD: usize = 0;
const BACKWARD: usize = 1;

/// Reusable search state; one per thread that searches.
#[derive(Default)]
pub struct Workspace {
    labels: Vec<Labels>,
    heaps: [Queue; 2],
    target: Vec<u32>,
    generation: u32,
    /// The k-best search's search from its targets, shared by its spurs.
    shared: shared::Shared,
    /// How many nodes the last plain search settled on each side.
    pub(crate) last_settled: [u64; 2],
    /// Overrides when the k-best search shares its targets' side (tests).
    pub(crate) share_from: Option<u64>,
    /// Work done since made, for measuring.
    pub stats: Stats,
}

/// How much searching a workspace has done.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub searches: u64,
    /// Nodes taken off a frontier, and ties looked at from them.
    pub settled: u64,
    pub scanned: u64,
}

/// What one search looks for (the k-best search narrows it per spur).
pub(crate) struct Query<'a, F> {
    pub from: Node,
    pub targets: &'a [Node],
    /// Whether a node may be on the path (the start is always allowed).
    pub allowed: F,
    /// Nodes the path may not pass, whatever `allowed` says.
    pub blocked: &'a [Node],
    /// Ties from `from` to these nodes are not taken.
    pub avoid_next: &'a [Node],
    /// Paths costing this much or more are not wanted.
    pub limit: f64,
}

/// Asks the cache for the line holding `at`; reads nothing.
#[inline(always)]
pub(crate) fn prefetch<T>(at: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint to the cache: it reads and writes
    // nothing, and `at` is a valid reference anyway.
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>((at as *const T).cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = at;
}

impl Workspace {
    pub fn new() -> Workspace {
        Workspace::default()
    }

    /// Makes the k-best search share one search from the targets among
    /// its spur searches once its best path's search settled `settled`
    /// nodes (0: always), so that tests of small graphs reach that code.
    #[doc(hidden)]
    pub fn share_spur_searches_from(&mut self, settled: u64) {
        self.share_from = Some(settled);
    }

    /// The strongest path from `from` to `to` through allowed nodes.
    pub fn best_path(
        &mut self,
        graph: &Graph,
        from: Node,
        to: Node,
        allowed: impl Fn(Node) -> bool,
    ) -> Option<Path> {
        self.best_path_to_any(graph, from, &[to], allowed)
    }

    /// The strongest path from `from` to whichever of `targets` it reaches
    /// best; the path ends at the first target on it. `from` itself is
    /// never a target.
    pub fn best_path_to_any(
        &mut self,
        graph: &Graph,
        from: Node,
        targets: &[Node],
        allowed: impl Fn(Node) -> bool,
    ) -> Option<Path> {
        self.search(
            graph,
            &Query {
                from,
                targets,
                allowed,
                blocked: &[],
                avoid_next: &[],
                limit: f64::INFINITY,
            },
        )
    }

    fn next_generation(&mut self, nodes: usize) -> u32 {
        if self.labels.len() < nodes {
            self.labels.resize(nodes, Labels([UNSEEN; 2]));
            self.target.resize(nodes, 0);
        }
        self.heaps.iter_mut().for_each(Queue::clear);
        if self.generation + 1 >= SETTLED {
            self.labels.fill(Labels([UNSEEN; 2]));
            self.target.fill(0);
            self.generation = 0;
        }
        self.generation += 1;
        self.generation
    }

    /// A node's cost from one side's start, if labelled in this search.
    fn dist(&self, side: usize, node: Node, generation: u32) -> f64 {
        let l = &self.labels[node as usize].0[side];
        if l.stamp & !SETTLED == generation {
            l.dist
        } else {
            f64::INFINITY
        }
    }

    fn settled(&self, side: usize, node: Node, generation: u32) -> bool {
        self.labels[node as usize].0[side].stamp == generation | SETTLED
    }

    /// Labels `node` on one side with `cost` if that is better.
    fn improve(&mut self, side: usize, node: Node, cost: f64, prev: Node, generation: u32) {
        let l = &mut self.labels[node as usize].0[side];
        if l.stamp & !SETTLED == generation && l.dist <= cost {
            return;
        }
        *l = Label {
            stamp: generation,
            prev,
            dist: cost,
        };
        self.heaps[side].push(cost, node);
    }

    /// Takes the cheapest entry of one side's frontier and settles its
    /// node: `None` when the side is empty, `Some(None)` when the entry was
    /// stale (its node since labelled cheaper).
    fn settle_next(
        &mut self,
        graph: &Graph,
        side: usize,
        generation: u32,
    ) -> Option<Option<(f64, Node)>> {
        let (cost, u) = self.heaps[side].pop()?;
        // Reading a label or a list from memory is most of a search's
        // time: ask for the next node's while this one is scanned.
        if let Some((_, next)) = self.heaps[side].first() {
            prefetch(&self.labels[next as usize]);
            graph.prefetch_ties(next);
        }
        let label = &mut self.labels[u as usize].0[side];
        if label.stamp != generation || cost > label.dist {
            return Some(None);
        }
        label.stamp = generation | SETTLED;
        self.stats.settled += 1;
        Some(Some((cost, u)))
    }

    fn top(&self, side: usize) -> f64 {
        self.heaps[side]
            .first()
            .map_or(f64::INFINITY, |(cost, _)| cost)
    }

    pub(crate) fn search<F: Fn(Node) -> bool>(
        &mut self,
        graph: &Graph,
        query: &Query<'_, F>,
    ) -> Option<Path> {
        let generation = self.next_generation(graph.len());
        self.stats.searches += 1;
        let from = query.from;
        // A blocked node looks settled and out of reach to both sides:
        // neither meets the other there nor queues it, and a scan learns
        // that from the label it reads anyway.
        for &b in query.blocked {
            self.labels[b as usize] = Labels([blocked_label(generation); 2]);
        }
        self.improve(FORWARD, from, 0.0, NONE, generation);
        for &t in query.targets {
            if t != from
                && (t as usize) < graph.len()
                && !query.blocked.contains(&t)
                && (query.allowed)(t)
            {
                self.target[t as usize] = generation;
                self.improve(BACKWARD, t, 0.0, NONE, generation);
            }
        }
        if self.heaps[BACKWARD].is_empty() {
            return None;
        }
        let avoided = |u: Node, v: Node| {
            (u == from && query.avoid_next.contains(&v))
                || (v == from && query.avoid_next.contains(&u))
        };
        let mut best = query.limit;
        let mut meet = NONE;
        self.last_settled = [0; 2];
        loop {
            let (top_f, top_b) = (self.top(FORWARD), self.top(BACKWARD));
            if top_f + top_b >= best || (top_f.is_infinite() && top_b.is_infinite()) {
                break;
            }
            // Grow the smaller frontier; an empty one means that side is done.
            let (f_len, b_len) = (self.heaps[FORWARD].len(), self.heaps[BACKWARD].len());
            let side = if f_len > 0 && (b_len == 0 || f_len <= b_len) {
                FORWARD
            } else {
                BACKWARD
            };
            let other = 1 - side;
            let other_top = self.top(other);
            let Some(taken) = self.settle_next(graph, side, generation) else {
                break;
            };
            let Some((cost, u)) = taken else {
                continue;
            };
            self.last_settled[side] += 1;
            // A path ends at its first target and starts at `from`: neither
            // is passed through.
            if (side == FORWARD && self.target[u as usize] == generation)
                || (side == BACKWARD && u == from)
            {
                continue;
            }
            // Ask for the labels of the nodes about to be scanned all at
            // once, so that their reads overlap rather than queue.
            let within = (best - other_top - cost) as f32;
            for half in graph.ties_from_head(u).take_while(|h| h.cost < within) {
                prefetch(&self.labels[half.to as usize]);
            }
            for half in graph.ties_from_head(u) {
                let through = cost + f64::from(half.cost);
                // The rest of the list costs as much or more: no node on it
                // can lead to a better path from here (one the other side
                // settled first was met when it was scanned).
                if through + other_top >= best {
                    break;
                }
                self.stats.scanned += 1;
                let v = half.to;
                if v != from && !(query.allowed)(v) || avoided(u, v) {
                    continue;
                }
                let beyond = self.dist(other, v, generation);
                if through + beyond < best {
                    best = through + beyond;
                    meet = v;
                    self.improve(side, v, through, u, generation);
                    continue;
                }
                // A node the other side has settled cannot lead to a better
                // path from here; it was met when that side scanned it.
                if self.settled(other, v, generation) {
                    continue;
                }
                self.improve(side, v, through, u, generation);
            }
        }
        if meet == NONE {
            return None;
        }
        Some(joined(
            meet,
            best,
            |n| self.labels[n as usize].0[FORWARD].prev,
            |n| self.labels[n as usize].0[BACKWARD].prev,
        ))
    }
}

/// The path through `meet`: back to the start along `to_start`, then on
/// to the end along `to_end` (each gives a node's neighbour on the way,
/// `NONE` past the last).
fn joined(
    meet: Node,
    cost: f64,
    to_start: impl Fn(Node) -> Node,
    to_end: impl Fn(Node) -> Node,
) -> Path {
    let mut nodes = Vec::new();
    let mut at = meet;
    while at != NONE {
        nodes.push(at);
        at = to_start(at);
    }
    nodes.reverse();
    let mut at = to_end(meet);
    while at != NONE {
        nodes.push(at);
        at = to_end(at);
    }
    Path { nodes, cost }
}
