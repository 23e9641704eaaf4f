//! The k strongest loopless paths, best first: Yen's algorithm over the
//! two-ended search, with two savings that keep the number of searches
//! small. Each path only spurs from where it left its parent (Lawler),
//! and only as many candidates are kept as paths are still wanted, the
//! worst of them bounding every spur search. When the best path took long
//! to find, the spur searches share one search from the end that cost the
//! most (search/shared.rs), searching from the target back to the start
//! when that end is the start's.

use crate::search::{Path, Query, Workspace};
use crate::{Graph, Node};
use std::collections::HashSet;

/// The most paths one search returns, whatever is asked.
pub const MAX_K: usize = 100;

/// How far the shared search from the targets reads, as a multiple of the
/// best path's cost: the k best paths are rarely much weaker than the best
/// (a spur wanting more is searched the plain way).
const REACH: f64 = 1.15;
/// How many nodes the best path's search settles before the spur searches
/// share one search from the targets: below it, each plain spur search is
/// cheaper than reading every tie the shared one must.
const SHARE_FROM: u64 = 5_000;

impl Workspace {
    /// The `k` strongest loopless paths from `from` to any of `targets`
    /// (each ending at the first target on it), strongest first; fewer if
    /// fewer exist. `k` is capped at [`MAX_K`].
    pub fn k_best_paths(
        &mut self,
        graph: &Graph,
        from: Node,
        targets: &[Node],
        k: usize,
        allowed: impl Fn(Node) -> bool,
    ) -> Vec<Path> {
        let k = k.min(MAX_K);
        if k == 0 {
            return Vec::new();
        }
        let Some(first) = self.best_path_to_any(graph, from, targets, &allowed) else {
            return Vec::new();
        };
        self.unshare();
        let [forward, backward] = self.last_settled;
        if k == 1 || forward + backward < self.share_from.unwrap_or(SHARE_FROM) {
            return self.yen(graph, targets, k, &allowed, first);
        }
        // Share the side that did most of the work: the start's side is
        // shared by searching from the one target to the start, when the
        // start may be a path's end.
        match targets {
            &[to] if forward > backward && allowed(from) => {
                let reversed = |p: Path| Path {
                    nodes: p.nodes.into_iter().rev().collect(),
                    cost: p.cost,
                };
                self.share_targets(graph, to, &[from], &allowed, first.cost * REACH);
                self.yen(graph, &[from], k, &allowed, reversed(first))
                    .into_iter()
                    .map(reversed)
                    .collect()
            }
            _ => {
                self.share_targets(graph, from, targets, &allowed, first.cost * REACH);
                self.yen(graph, targets, k, &allowed, first)
            }
        }
    }

    /// Yen's loop from the best path, `first`.
    fn yen(
        &mut self,
        graph: &Graph,
        targets: &[Node],
        k: usize,
        allowed: &impl Fn(Node) -> bool,
        first: Path,
    ) -> Vec<Path> {
        // Accepted paths, with the index each deviated from its parent at.
        let mut found: Vec<(Path, usize)> = vec![(first, 0)];
        let mut seen: HashSet<Vec<Node>> = HashSet::from([found[0].0.nodes.clone()]);
        // Candidates, cheapest first, never more than are still wanted.
        let mut candidates: Vec<(Path, usize)> = Vec::new();
        while found.len() < k {
            let wanted = k - found.len();
            let (parent, deviation) = found
                .last()
                .map(|(p, d)| (p.nodes.clone(), *d))
                .unwrap_or_default();
            // The cost of the parent up to each node.
            let mut prefix = vec![0.0; parent.len()];
            for i in 1..parent.len() {
                prefix[i] = prefix[i - 1] + edge_cost(graph, parent[i - 1], parent[i]);
            }
            for spur_at in deviation..parent.len().saturating_sub(1) {
                let root_cost = prefix[spur_at];
                let root = &parent[..=spur_at];
                let avoid_next: Vec<Node> = found
                    .iter()
                    .filter(|(p, _)| p.nodes.len() > spur_at + 1 && p.nodes[..=spur_at] == *root)
                    .map(|(p, _)| p.nodes[spur_at + 1])
                    .collect();
                let bound = if candidates.len() >= wanted {
                    candidates[wanted - 1].0.cost
                } else {
                    f64::INFINITY
                };
                let before = &root[..spur_at];
                let query = Query {
                    from: root[spur_at],
                    targets,
                    allowed,
                    blocked: before,
                    avoid_next: &avoid_next,
                    limit: bound - root_cost,
                };
                let Some(spur) = self.spur_or_search(graph, &query) else {
                    continue;
                };
                let mut nodes = before.to_vec();
                nodes.extend_from_slice(&spur.nodes);
                if seen.contains(&nodes) {
                    continue;
                }
                let path = Path {
                    cost: root_cost + spur.cost,
                    nodes,
                };
                let at = candidates.partition_point(|(c, _)| c.cost <= path.cost);
                candidates.insert(at, (path, spur_at));
                candidates.truncate(wanted);
            }
            if candidates.is_empty() {
                break;
            }
            let (next, deviation) = candidates.remove(0);
            seen.insert(next.nodes.clone());
            found.push((next, deviation));
        }
        found.into_iter().map(|(p, _)| p).collect()
    }

    /// The best path for a spur: against the shared search from the
    /// targets where that can answer, else searched the plain way.
    fn spur_or_search<F: Fn(Node) -> bool>(
        &mut self,
        graph: &Graph,
        query: &Query<'_, F>,
    ) -> Option<Path> {
        match self.spur_search(graph, query) {
            Some(Some(found)) => Some(found),
            // Nothing within the shared search's reach, and nothing wanted
            // beyond it.
            Some(None) if self.shared_reach().is_some_and(|r| query.limit <= r) => None,
            _ => self.search(graph, query),
        }
    }
}

fn edge_cost(graph: &Graph, a: Node, b: Node) -> f64 {
    graph.cost(a, b).map_or(f64::INFINITY, f64::from)
}
