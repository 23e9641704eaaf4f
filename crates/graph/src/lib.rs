//! kith's network as an in-memory graph: people are dense node numbers,
//! ties are undirected edges with a strength in (0, 1], and the searches
//! kith answers from it (the best paths between people, to anyone of a
//! group, the k best loopless paths, degrees of connection). It knows
//! nothing of accounts or privacy: every search takes a filter that says
//! which nodes the asker may pass through.
//!
//! A path's strength is the product of its ties' strengths, so the best
//! path is the shortest one under the cost `-ln(strength)`; costs are kept
//! as `f32` beside each neighbour (8 bytes a tie end) and summed in `f64`.
//! Each node's neighbours are kept cheapest first, so a search stops
//! reading a hub's list at the first tie too costly to matter.
//!
//! Searches run fastest when tied nodes have near numbers (their labels
//! then share cache lines): callers number people organisation by
//! organisation.

mod queue;
mod reach;
mod search;
mod yen;

pub use reach::hops_between;
pub use search::{Path, Stats, Workspace};
pub use yen::MAX_K;

use std::collections::HashMap;
use std::fmt;

/// A node: a dense number the caller maps to its own ids.
pub type Node = u32;

/// One end of a tie, kept in its node's sorted neighbour list.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Half {
    to: Node,
    cost: f32,
}

/// How many of a node's cheapest tie ends its head holds: one cache line.
const HEAD: usize = 8;

/// A node's cheapest tie ends, copied from its list into one cache line
/// (unused places cost infinity). A search stops reading most lists
/// within their first few ties, and reading them from the head is one
/// read from memory where the list is two: where it is, then it.
#[derive(Clone, Copy, Debug)]
#[repr(align(64))]
struct Head([Half; HEAD]);

const UNUSED: Half = Half {
    to: Node::MAX,
    cost: f32::INFINITY,
};

impl Head {
    fn of(list: &[Half]) -> Head {
        Head(std::array::from_fn(|i| {
            list.get(i).copied().unwrap_or(UNUSED)
        }))
    }
}

/// A tie strength that is not in (0, 1].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BadStrength(pub f64);

impl fmt::Display for BadStrength {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "a tie's strength must be above 0 and at most 1, not {}",
            self.0
        )
    }
}

impl std::error::Error for BadStrength {}

/// The cost of a tie of this strength on a path (0 for the strongest).
pub fn cost_of(strength: f64) -> Result<f32, BadStrength> {
    if strength > 0.0 && strength <= 1.0 {
        // 0 - ln rather than -ln: the strongest tie costs +0, not -0,
        // whose bits the frontier would order after every other cost.
        Ok((0.0 - strength.ln()) as f32)
    } else {
        Err(BadStrength(strength))
    }
}

/// The strength a path or tie of this total cost stands for.
pub fn strength_of(cost: f64) -> f64 {
    (-cost).exp()
}

/// Undirected ties between nodes `0..len()`, changed in place: adding a
/// node or a tie, changing or removing one costs the degree of its ends,
/// never a rebuild.
#[derive(Clone, Debug, Default)]
pub struct Graph {
    neighbours: Vec<Vec<Half>>,
    /// The start of each node's list, as searches read it.
    heads: Vec<Head>,
    ties: usize,
}

impl Graph {
    /// A graph of `nodes` nodes and no ties.
    pub fn with_nodes(nodes: usize) -> Graph {
        Graph {
            neighbours: vec![Vec::new(); nodes],
            heads: vec![Head([UNUSED; HEAD]); nodes],
            ties: 0,
        }
    }

    /// Builds a graph from a list of ties at once: each node's neighbours
    /// are counted first so every list is allocated to size, and a tie
    /// listed twice keeps its strongest strength.
    pub fn from_ties(nodes: usize, ties: &[(Node, Node, f64)]) -> Result<Graph, BadStrength> {
        let mut degree = vec![0u32; nodes];
        for &(a, b, strength) in ties {
            cost_of(strength)?;
            if a != b {
                degree[a as usize] += 1;
                degree[b as usize] += 1;
            }
        }
        let mut neighbours: Vec<Vec<Half>> = degree
            .iter()
            .map(|&d| Vec::with_capacity(d as usize))
            .collect();
        drop(degree);
        for &(a, b, strength) in ties {
            if a != b {
                let cost = cost_of(strength)?;
                neighbours[a as usize].push(Half { to: b, cost });
                neighbours[b as usize].push(Half { to: a, cost });
            }
        }
        let mut count = 0;
        for list in &mut neighbours {
            // Cheapest first among equal ends, so dedup keeps the strongest.
            list.sort_unstable_by(|x, y| x.to.cmp(&y.to).then(x.cost.total_cmp(&y.cost)));
            list.dedup_by_key(|h| h.to);
            list.sort_unstable_by(by_cost);
            count += list.len();
        }
        let heads = neighbours.iter().map(|l| Head::of(l)).collect();
        Ok(Graph {
            neighbours,
            heads,
            ties: count / 2,
        })
    }

    pub fn len(&self) -> usize {
        self.neighbours.len()
    }

    pub fn is_empty(&self) -> bool {
        self.neighbours.is_empty()
    }

    /// How many ties there are.
    pub fn tie_count(&self) -> usize {
        self.ties
    }

    /// Adds a node with no ties and returns it.
    pub fn add_node(&mut self) -> Node {
        self.neighbours.push(Vec::new());
        self.heads.push(Head([UNUSED; HEAD]));
        (self.neighbours.len() - 1) as Node
    }

    /// Sets the tie between `a` and `b` to `strength`, adding it if absent.
    /// A tie of a node with itself is ignored.
    pub fn set_tie(&mut self, a: Node, b: Node, strength: f64) -> Result<(), BadStrength> {
        let cost = cost_of(strength)?;
        if a == b {
            return Ok(());
        }
        let added = upsert(&mut self.neighbours[a as usize], b, cost);
        upsert(&mut self.neighbours[b as usize], a, cost);
        self.relisted(a);
        self.relisted(b);
        self.ties += usize::from(added);
        Ok(())
    }

    /// Sets (`Some(strength)`) or removes (`None`) many ties at once, the
    /// last change of a tie winning. Nothing changes unless every strength
    /// is valid. A list given many changes is sorted once rather than
    /// searched and shifted per change.
    pub fn set_ties(&mut self, changes: &[(Node, Node, Option<f64>)]) -> Result<(), BadStrength> {
        let mut by_node: HashMap<Node, Vec<(Node, Option<f32>)>> = HashMap::new();
        for &(a, b, strength) in changes {
            let cost = strength.map(cost_of).transpose()?;
            if a != b {
                by_node.entry(a).or_default().push((b, cost));
                by_node.entry(b).or_default().push((a, cost));
            }
        }
        let mut ends_added: isize = 0;
        for (node, updates) in by_node {
            let list = &mut self.neighbours[node as usize];
            let before = list.len() as isize;
            if updates.len() < 8 {
                for (to, cost) in updates {
                    match cost {
                        Some(cost) => {
                            upsert(list, to, cost);
                        }
                        None => {
                            remove(list, to);
                        }
                    }
                }
            } else {
                let mut last: HashMap<Node, Option<f32>> = HashMap::new();
                for (to, cost) in updates {
                    last.insert(to, cost);
                }
                list.retain(|h| !last.contains_key(&h.to));
                list.extend(
                    last.into_iter()
                        .filter_map(|(to, cost)| Some(Half { to, cost: cost? })),
                );
                list.sort_unstable_by(by_cost);
            }
            ends_added += list.len() as isize - before;
            self.relisted(node);
        }
        // Every tie has two ends, and both ends' lists were changed.
        self.ties = (self.ties as isize + ends_added / 2) as usize;
        Ok(())
    }

    /// Removes the tie between `a` and `b`; true if there was one.
    pub fn remove_tie(&mut self, a: Node, b: Node) -> bool {
        let removed = remove(&mut self.neighbours[a as usize], b);
        remove(&mut self.neighbours[b as usize], a);
        self.relisted(a);
        self.relisted(b);
        self.ties -= usize::from(removed);
        removed
    }

    /// Removes every tie of `node` (it stays, alone).
    pub fn isolate(&mut self, node: Node) {
        let list = std::mem::take(&mut self.neighbours[node as usize]);
        for half in &list {
            remove(&mut self.neighbours[half.to as usize], node);
            self.relisted(half.to);
        }
        self.relisted(node);
        self.ties -= list.len();
    }

    /// The strength of the tie between `a` and `b`, if any.
    pub fn strength(&self, a: Node, b: Node) -> Option<f64> {
        self.cost(a, b).map(|c| strength_of(f64::from(c)))
    }

    /// The nodes tied to `node`, with each tie's strength, strongest first.
    pub fn ties_of(&self, node: Node) -> impl Iterator<Item = (Node, f64)> + '_ {
        self.neighbours[node as usize]
            .iter()
            .map(|h| (h.to, strength_of(f64::from(h.cost))))
    }

    /// Copies the start of `node`'s list, just changed, into its head.
    fn relisted(&mut self, node: Node) {
        self.heads[node as usize] = Head::of(&self.neighbours[node as usize]);
    }

    /// Asks the cache for the start of `node`'s list.
    fn prefetch_ties(&self, node: Node) {
        search::prefetch(&self.heads[node as usize]);
    }

    /// A node's tie ends, cheapest first, read from its head while they
    /// last there.
    fn ties_from_head(&self, node: Node) -> HeadFirst<'_> {
        HeadFirst {
            head: &self.heads[node as usize].0,
            list: &self.neighbours[node as usize],
            at: 0,
        }
    }

    /// A node's tie ends, cheapest first.
    fn halves(&self, node: Node) -> &[Half] {
        &self.neighbours[node as usize]
    }

    fn cost(&self, a: Node, b: Node) -> Option<f32> {
        self.neighbours[a as usize]
            .iter()
            .find(|h| h.to == b)
            .map(|h| h.cost)
    }

    /// Bytes held by the neighbour lists (for the benchmark's report).
    pub fn heap_bytes(&self) -> usize {
        self.neighbours.capacity() * std::mem::size_of::<Vec<Half>>()
            + self.heads.capacity() * std::mem::size_of::<Head>()
            + self
                .neighbours
                .iter()
                .map(|l| l.capacity() * std::mem::size_of::<Half>())
                .sum::<usize>()
    }
}

/// A node's tie ends from its head, then from its list past the head
/// (only a scan that gets that far reads where the list is).
struct HeadFirst<'a> {
    head: &'a [Half; HEAD],
    list: &'a Vec<Half>,
    at: usize,
}

impl Iterator for HeadFirst<'_> {
    type Item = Half;

    fn next(&mut self) -> Option<Half> {
        let half = match self.head.get(self.at) {
            Some(half) if half.cost == f32::INFINITY => return None,
            Some(half) => *half,
            None => *self.list.get(self.at)?,
        };
        self.at += 1;
        Some(half)
    }
}

/// The order of a neighbour list: cheapest first, then by node.
fn by_cost(x: &Half, y: &Half) -> std::cmp::Ordering {
    x.cost.total_cmp(&y.cost).then(x.to.cmp(&y.to))
}

/// Inserts or updates `to` in a list kept in [`by_cost`] order; true if it
/// was new. Finding it reads the list (a hub's is long, but a change is
/// rare next to the searches that read it in cost order).
fn upsert(list: &mut Vec<Half>, to: Node, cost: f32) -> bool {
    let added = !remove(list, to);
    let half = Half { to, cost };
    let at = list.partition_point(|h| by_cost(h, &half).is_lt());
    list.insert(at, half);
    added
}

fn remove(list: &mut Vec<Half>, to: Node) -> bool {
    match list.iter().position(|h| h.to == to) {
        Some(i) => {
            list.remove(i);
            true
        }
        None => false,
    }
}
