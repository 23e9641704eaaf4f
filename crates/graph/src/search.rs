//! The best path from one node to a node or to the nearest of a group:
//! Dijkstra from both ends at once, the target side starting from every
//! member of the group together, so "anyone at this organisation" is one
//! search, not one per member. A `Workspace` keeps the per-node labels
//! between searches and forgets them by a generation stamp, so a search
//! costs what it visits, not the size of the graph.

use crate::{Graph, Node, strength_of};
use std::cmp::Ordering;
use std::collections::BinaryHeap;

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

/// A heap entry, cheapest first.
#[derive(Clone, Copy, PartialEq)]
struct Entry {
    cost: f64,
    node: Node,
}

impl Eq for Entry {}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .cost
            .total_cmp(&self.cost)
            .then(other.node.cmp(&self.node))
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// One direction's labels: valid where `stamp` is the current generation.
#[derive(Default)]
struct Side {
    stamp: Vec<u32>,
    settled: Vec<u32>,
    dist: Vec<f64>,
    prev: Vec<Node>,
    heap: BinaryHeap<Entry>,
}

const NONE: Node = Node::MAX;

impl Side {
    fn fit(&mut self, nodes: usize) {
        if self.stamp.len() < nodes {
            self.stamp.resize(nodes, 0);
            self.settled.resize(nodes, 0);
            self.dist.resize(nodes, f64::INFINITY);
            self.prev.resize(nodes, NONE);
        }
    }

    fn dist(&self, node: Node, generation: u32) -> f64 {
        if self.stamp[node as usize] == generation {
            self.dist[node as usize]
        } else {
            f64::INFINITY
        }
    }

    /// Labels `node` with `cost` if that is better; true if it was.
    fn improve(&mut self, node: Node, cost: f64, prev: Node, generation: u32) -> bool {
        let i = node as usize;
        if self.stamp[i] == generation && self.dist[i] <= cost {
            return false;
        }
        self.stamp[i] = generation;
        self.dist[i] = cost;
        self.prev[i] = prev;
        self.heap.push(Entry { cost, node });
        true
    }

    fn top(&self) -> f64 {
        self.heap.peek().map_or(f64::INFINITY, |e| e.cost)
    }
}

/// Reusable search state; one per thread that searches.
#[derive(Default)]
pub struct Workspace {
    forward: Side,
    backward: Side,
    target: Vec<u32>,
    generation: u32,
}

/// What one search looks for (the k-best search narrows it per spur).
pub(crate) struct Query<'a, F> {
    pub from: Node,
    pub targets: &'a [Node],
    /// Whether a node may be on the path (the start is always allowed).
    pub allowed: F,
    /// Ties from `from` to these nodes are not taken.
    pub avoid_next: &'a [Node],
    /// Paths costing this much or more are not wanted.
    pub limit: f64,
}

impl Workspace {
    pub fn new() -> Workspace {
        Workspace::default()
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
                avoid_next: &[],
                limit: f64::INFINITY,
            },
        )
    }

    fn next_generation(&mut self, nodes: usize) -> u32 {
        self.forward.fit(nodes);
        self.backward.fit(nodes);
        if self.target.len() < nodes {
            self.target.resize(nodes, 0);
        }
        self.forward.heap.clear();
        self.backward.heap.clear();
        if self.generation == u32::MAX {
            for side in [&mut self.forward, &mut self.backward] {
                side.stamp.fill(0);
                side.settled.fill(0);
            }
            self.target.fill(0);
            self.generation = 0;
        }
        self.generation += 1;
        self.generation
    }

    pub(crate) fn search<F: Fn(Node) -> bool>(
        &mut self,
        graph: &Graph,
        query: &Query<'_, F>,
    ) -> Option<Path> {
        let generation = self.next_generation(graph.len());
        let from = query.from;
        self.forward.improve(from, 0.0, NONE, generation);
        for &t in query.targets {
            if t != from && (t as usize) < graph.len() && (query.allowed)(t) {
                self.target[t as usize] = generation;
                self.backward.improve(t, 0.0, NONE, generation);
            }
        }
        if self.backward.heap.is_empty() {
            return None;
        }
        let avoided = |u: Node, v: Node| {
            (u == from && query.avoid_next.contains(&v))
                || (v == from && query.avoid_next.contains(&u))
        };
        let mut best = query.limit;
        let mut meet = NONE;
        loop {
            let (top_f, top_b) = (self.forward.top(), self.backward.top());
            if top_f + top_b >= best || (top_f.is_infinite() && top_b.is_infinite()) {
                break;
            }
            // Grow the smaller frontier; an empty one means that side is done.
            let forward = !self.forward.heap.is_empty()
                && (self.backward.heap.is_empty()
                    || self.forward.heap.len() <= self.backward.heap.len());
            let (side, other) = if forward {
                (&mut self.forward, &self.backward)
            } else {
                (&mut self.backward, &self.forward)
            };
            let Some(Entry { cost, node: u }) = side.heap.pop() else {
                break;
            };
            if side.settled[u as usize] == generation || cost > side.dist[u as usize] {
                continue;
            }
            side.settled[u as usize] = generation;
            // A path ends at its first target and starts at `from`: neither
            // is passed through.
            if (forward && self.target[u as usize] == generation) || (!forward && u == from) {
                continue;
            }
            for half in graph.halves(u) {
                let v = half.to;
                if !(query.allowed)(v) && v != from || avoided(u, v) {
                    continue;
                }
                let through = cost + f64::from(half.cost);
                side.improve(v, through, u, generation);
                let total = side.dist[v as usize] + other.dist(v, generation);
                if total < best {
                    best = total;
                    meet = v;
                }
            }
        }
        if meet == NONE {
            return None;
        }
        let mut nodes = Vec::new();
        let mut at = meet;
        while at != NONE {
            nodes.push(at);
            at = self.forward.prev[at as usize];
        }
        nodes.reverse();
        let mut at = self.backward.prev[meet as usize];
        while at != NONE {
            nodes.push(at);
            at = self.backward.prev[at as usize];
        }
        Some(Path { nodes, cost: best })
    }
}
