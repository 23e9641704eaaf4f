//! Degrees of connection: how many ties away each node is, up to a limit
//! (1st, 2nd, 3rd), by a breadth-first walk through allowed nodes in which
//! some ties may count for nothing (one person known in two places).

use crate::{Graph, Node};
use std::collections::{HashMap, VecDeque};

/// Every allowed node within `max_hops` ties of `from`, with its distance
/// in ties (`from` itself is 0); a tie for which `free` holds costs no hop.
pub fn degrees(
    graph: &Graph,
    from: Node,
    max_hops: u8,
    allowed: impl Fn(Node) -> bool,
    free: impl Fn(Node, Node) -> bool,
) -> HashMap<Node, u8> {
    let mut hops = HashMap::new();
    let mut queue = VecDeque::from([(from, 0u8)]);
    while let Some((u, d)) = queue.pop_front() {
        if hops.get(&u).is_some_and(|&seen| seen <= d) {
            continue;
        }
        hops.insert(u, d);
        for half in graph.halves(u) {
            let v = half.to;
            if !allowed(v) {
                continue;
            }
            // Free ties go to the front: the walk stays in order of hops.
            if free(u, v) {
                queue.push_front((v, d));
            } else if d < max_hops {
                queue.push_back((v, d + 1));
            }
        }
    }
    hops
}
