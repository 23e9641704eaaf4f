//! Degrees of connection: how many ties apart two nodes are, up to a limit
//! (1st, 2nd, 3rd), through allowed nodes, where some ties count for
//! nothing (one person known in two places). The walk grows from both
//! ends a whole level at a time, always on the side with fewer ties to
//! read, so asking about someone a hop away from a hub of 100,000 ties
//! reads the few ties of that someone, not the hub's.

use crate::{Graph, Node};
use std::collections::HashMap;

/// The fewest ties between `from` and `to` if at most `max_hops`, counting
/// a tie of strength 1 for which `free` holds as none (weaker ties are
/// never asked about); `to` must be allowed, `from` is always. None when
/// they are further apart or not joined at all.
pub fn hops_between(
    graph: &Graph,
    from: Node,
    to: Node,
    max_hops: u8,
    allowed: impl Fn(Node) -> bool,
    free: impl Fn(Node, Node) -> bool,
) -> Option<u8> {
    let len = graph.len() as Node;
    if from >= len || to >= len || !allowed(to) {
        return None;
    }
    let allowed = |n: Node| n == from || allowed(n);
    // Each side: the level of every node it has reached, and its last level.
    let mut levels: [HashMap<Node, u8>; 2] = [HashMap::new(), HashMap::new()];
    let mut frontier: [Vec<Node>; 2] = [Vec::new(), Vec::new()];
    let mut depth = [0u8; 2];
    for (side, start) in [(0, from), (1, to)] {
        levels[side].insert(start, 0);
        frontier[side].push(start);
        close_over_free(
            graph,
            &mut levels[side],
            &mut frontier[side],
            0,
            &allowed,
            &free,
        );
    }
    if let Some(h) = meeting(&levels, &frontier[0], 1) {
        return Some(h);
    }
    while depth[0] + depth[1] < max_hops {
        let work =
            |side: usize| -> usize { frontier[side].iter().map(|&n| graph.halves(n).len()).sum() };
        let side = if work(0) <= work(1) { 0 } else { 1 };
        if frontier[side].is_empty() {
            return None;
        }
        let level = depth[side] + 1;
        let mut next = Vec::new();
        for &u in &frontier[side] {
            for half in graph.halves(u) {
                let v = half.to;
                if levels[side].contains_key(&v) || !allowed(v) || half.cost == 0.0 && free(u, v) {
                    continue;
                }
                levels[side].insert(v, level);
                next.push(v);
            }
        }
        close_over_free(graph, &mut levels[side], &mut next, level, &allowed, &free);
        depth[side] = level;
        frontier[side] = next;
        if let Some(h) = meeting(&levels, &frontier[side], 1 - side) {
            return Some(h);
        }
    }
    None
}

/// Adds to `nodes` (all at `level`) everyone they reach through free ties.
fn close_over_free(
    graph: &Graph,
    levels: &mut HashMap<Node, u8>,
    nodes: &mut Vec<Node>,
    level: u8,
    allowed: &impl Fn(Node) -> bool,
    free: &impl Fn(Node, Node) -> bool,
) {
    let mut i = 0;
    while i < nodes.len() {
        let u = nodes[i];
        // Strength 1 is cost 0, and lists are cheapest first.
        for half in graph.halves(u).iter().take_while(|h| h.cost == 0.0) {
            let v = half.to;
            if !levels.contains_key(&v) && allowed(v) && free(u, v) {
                levels.insert(v, level);
                nodes.push(v);
            }
        }
        i += 1;
    }
}

/// The fewest hops through a node of `grown` (one side's newest level)
/// that the `other` side has reached too.
fn meeting(levels: &[HashMap<Node, u8>; 2], grown: &[Node], other: usize) -> Option<u8> {
    let side = 1 - other;
    grown
        .iter()
        .filter_map(|n| Some(levels[side][n] + *levels[other].get(n)?))
        .min()
}
