//! Spur searches against one search from the targets that they share.
//!
//! The k-best search asks for many paths to the same targets, each from a
//! node of an earlier path with that path's beginning out of bounds, and
//! each plain two-ended search grows the targets' side again from nothing:
//! on the slowest queries that side is nine tenths of the work, a dozen
//! times over. Here the targets' side is one plain Dijkstra, grown only as
//! far as some spur search needs it and kept for the next. It reads every
//! tie of a node it settles that stays within its reach (it cannot stop
//! at the first too costly for one spur, as the next may need the rest),
//! so that what it has settled and read stays right for every spur search
//! that looks for paths cheaper than that reach.
//!
//! A spur search may use it as long as it has not settled the spur node
//! or a node the spur may not pass (a spur's nodes are out of bounds only
//! for that spur): until then, what it has settled is exactly what a
//! search of that spur's graph would have, and anything it has not
//! settled costs at least its frontier there too. When it would settle
//! such a node, it stops growing for that spur, whose own side goes on
//! alone; when it already has, the caller searches the plain way.

use super::{
    Label, NONE, Path, Query, SETTLED, UNSEEN, Workspace, blocked_label, joined, prefetch,
};
use crate::queue::Queue;
use crate::{Graph, Node};

const FORWARD: usize = super::FORWARD;
/// How many times larger the shared frontier may be than a spur's and
/// still be the one grown.
const SHARED_BIAS: usize = 4;

/// The search from the targets shared by the spur searches of one k-best
/// query.
#[derive(Default)]
pub(crate) struct Shared {
    labels: Vec<Label>,
    heap: Queue,
    generation: u32,
    /// Ties leading this far from the targets or further are not read:
    /// only spurs looking for cheaper paths are served. None while no
    /// k-best search shares it.
    reach: Option<f64>,
}

impl Shared {
    fn dist(&self, node: Node) -> f64 {
        let l = &self.labels[node as usize];
        if l.stamp & !SETTLED == self.generation {
            l.dist
        } else {
            f64::INFINITY
        }
    }

    fn settled(&self, node: Node) -> bool {
        self.labels[node as usize].stamp == self.generation | SETTLED
    }

    /// Whether `node` is one of the targets (they alone have no `prev`).
    fn is_target(&self, node: Node) -> bool {
        let l = &self.labels[node as usize];
        l.stamp & !SETTLED == self.generation && l.prev == NONE
    }

    fn improve(&mut self, node: Node, cost: f64, prev: Node) {
        let l = &mut self.labels[node as usize];
        if l.stamp & !SETTLED == self.generation && l.dist <= cost {
            return;
        }
        *l = Label {
            stamp: self.generation,
            prev,
            dist: cost,
        };
        self.heap.push(cost, node);
    }

    fn top(&self) -> (f64, Node) {
        self.heap.first().unwrap_or((f64::INFINITY, NONE))
    }
}

impl Workspace {
    /// How far the shared search reads, if the k-best search shares one.
    pub(crate) fn shared_reach(&self) -> Option<f64> {
        self.shared.reach
    }

    /// Ends the sharing: spur searches are plain until the next
    /// [`Self::share_targets`].
    pub(crate) fn unshare(&mut self) {
        self.shared.reach = None;
    }

    /// Starts a shared search from the allowed `targets` other than
    /// `from`, the start of every path it will serve.
    pub(crate) fn share_targets(
        &mut self,
        graph: &Graph,
        from: Node,
        targets: &[Node],
        allowed: impl Fn(Node) -> bool,
        reach: f64,
    ) {
        let shared = &mut self.shared;
        shared.reach = Some(reach);
        if shared.labels.len() < graph.len() {
            shared.labels.resize(graph.len(), UNSEEN);
        }
        if shared.generation + 1 >= SETTLED {
            shared.labels.fill(UNSEEN);
            shared.generation = 0;
        }
        shared.generation += 1;
        shared.heap.clear();
        for &t in targets {
            if t != from && (t as usize) < graph.len() && allowed(t) {
                shared.improve(t, 0.0, NONE);
            }
        }
    }

    /// The best path for `query`, whose targets and filter must be those
    /// given to [`Self::share_targets`], searched from its start against
    /// the shared search, if it costs less than the shared search's reach;
    /// `None` when nothing is shared, or the shared search has already
    /// gone past the start or a blocked node and cannot serve it.
    pub(crate) fn spur_search<F: Fn(Node) -> bool>(
        &mut self,
        graph: &Graph,
        query: &Query<'_, F>,
    ) -> Option<Option<Path>> {
        let from = query.from;
        let reach = self.shared.reach?;
        if self.shared.settled(from) || query.blocked.iter().any(|&b| self.shared.settled(b)) {
            return None;
        }
        let generation = self.next_generation(graph.len());
        self.stats.searches += 1;
        for &b in query.blocked {
            self.labels[b as usize].0[FORWARD] = blocked_label(generation);
        }
        let avoided = |u: Node, v: Node| {
            (u == from && query.avoid_next.contains(&v))
                || (v == from && query.avoid_next.contains(&u))
        };
        let out_of_bounds = |n: Node| n == from || query.blocked.contains(&n);
        let mut best = query.limit.min(reach);
        let mut meet = NONE;
        // The start is settled at once, every tie of it read: the scans
        // below skip a node the shared side has settled because that side
        // read its ties, but those reads met no search from this start.
        self.labels[from as usize].0[FORWARD] = Label {
            stamp: generation | SETTLED,
            prev: NONE,
            dist: 0.0,
        };
        self.stats.settled += 1;
        for half in graph.halves(from) {
            let v = half.to;
            if !(query.allowed)(v) || avoided(from, v) || self.settled(FORWARD, v, generation) {
                continue;
            }
            self.stats.scanned += 1;
            let through = f64::from(half.cost);
            if through + self.shared.dist(v) < best {
                best = through + self.shared.dist(v);
                meet = v;
            }
            self.improve(FORWARD, v, through, from, generation);
        }
        loop {
            let top_f = self.top(FORWARD);
            let (top_b, next_b) = self.shared.top();
            // The shared side may not settle what this spur may not pass.
            let stuck = next_b == NONE || out_of_bounds(next_b);
            if top_f + top_b >= best || (top_f.is_infinite() && stuck) {
                break;
            }
            // Grow the smaller frontier, counting the shared one as
            // smaller than it is: what it settles serves every later spur.
            let forward = !self.heaps[FORWARD].is_empty()
                && (stuck || self.heaps[FORWARD].len() * SHARED_BIAS <= self.shared.heap.len());
            if forward {
                let Some(taken) = self.settle_next(graph, FORWARD, generation) else {
                    break;
                };
                let Some((cost, u)) = taken else {
                    continue;
                };
                if self.shared.is_target(u) {
                    continue;
                }
                let within = (best - top_b - cost) as f32;
                for half in graph.ties_from_head(u).take_while(|h| h.cost < within) {
                    prefetch(&self.labels[half.to as usize]);
                    prefetch(&self.shared.labels[half.to as usize]);
                }
                for half in graph.ties_from_head(u) {
                    let through = cost + f64::from(half.cost);
                    // As in the plain search: a node the shared side has
                    // not settled costs at least its frontier; one it has
                    // settled read its tie to `u`, which left a cost on
                    // `u` that was met when `u` was labelled here.
                    if through + top_b >= best {
                        break;
                    }
                    self.stats.scanned += 1;
                    let v = half.to;
                    if !(query.allowed)(v) || avoided(u, v) || self.settled(FORWARD, v, generation)
                    {
                        continue;
                    }
                    let beyond = self.shared.dist(v);
                    if through + beyond < best {
                        best = through + beyond;
                        meet = v;
                        self.improve(FORWARD, v, through, u, generation);
                        continue;
                    }
                    if self.shared.settled(v) {
                        continue;
                    }
                    self.improve(FORWARD, v, through, u, generation);
                }
            } else {
                let Some((cost, u)) = self.shared.heap.pop() else {
                    break;
                };
                let label = &mut self.shared.labels[u as usize];
                if label.stamp != self.shared.generation || cost > label.dist {
                    continue;
                }
                label.stamp = self.shared.generation | SETTLED;
                self.stats.settled += 1;
                // Every tie within reach, whatever this spur needs: the next
                // may need it.
                for half in graph.ties_from_head(u) {
                    let through = cost + f64::from(half.cost);
                    if through >= reach {
                        break;
                    }
                    let v = half.to;
                    if !(query.allowed)(v) {
                        continue;
                    }
                    self.stats.scanned += 1;
                    self.shared.improve(v, through, u);
                    if v == from {
                        // The start's shared cost may be through a tie it
                        // must avoid: meet at `u` instead, through this tie.
                        if !avoided(u, v) && through < best {
                            best = through;
                            meet = u;
                            self.improve(FORWARD, u, f64::from(half.cost), from, generation);
                        }
                    } else {
                        let met = self.shared.dist(v) + self.dist(FORWARD, v, generation);
                        if met < best {
                            best = met;
                            meet = v;
                        }
                    }
                }
            }
        }
        if meet == NONE {
            return Some(None);
        }
        Some(Some(joined(
            meet,
            best,
            |n| self.labels[n as usize].0[FORWARD].prev,
            |n| self.shared.labels[n as usize].prev,
        )))
    }
}
