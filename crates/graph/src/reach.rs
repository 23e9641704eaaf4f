//! Degrees of connection: how many ties away each node is, up to a limit
//! (1st, 2nd, 3rd), by a breadth-first walk through allowed nodes.

use crate::{Graph, Node};
use std::collections::HashMap;

/// Every allowed node within `max_hops` ties of `from`, with its distance
/// in ties (`from` itself is left out).
pub fn degrees(
    graph: &Graph,
    from: Node,
    max_hops: u8,
    allowed: impl Fn(Node) -> bool,
) -> HashMap<Node, u8> {
    let mut hops = HashMap::new();
    let mut frontier = vec![from];
    for depth in 1..=max_hops {
        let mut next = Vec::new();
        for &u in &frontier {
            for half in graph.halves(u) {
                let v = half.to;
                if v != from && allowed(v) && !hops.contains_key(&v) {
                    hops.insert(v, depth);
                    next.push(v);
                }
            }
        }
        frontier = next;
    }
    hops
}
