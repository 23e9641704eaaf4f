//! The k strongest loopless paths, best first: Yen's algorithm over the
//! two-ended search, with two savings that keep the number of searches
//! small. Each path only spurs from where it left its parent (Lawler),
//! and only as many candidates are kept as paths are still wanted, the
//! worst of them bounding every spur search.

use crate::search::{Path, Query, Workspace};
use crate::{Graph, Node};
use std::collections::HashSet;

/// The most paths one search returns, whatever is asked.
pub const MAX_K: usize = 100;

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
                    allowed: &allowed,
                    blocked: before,
                    avoid_next: &avoid_next,
                    limit: bound - root_cost,
                };
                let Some(spur) = self.search(graph, &query) else {
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
}

fn edge_cost(graph: &Graph, a: Node, b: Node) -> f64 {
    graph.cost(a, b).map_or(f64::INFINITY, f64::from)
}
