//! Path searches checked by hand on small graphs with known answers, and
//! against petgraph (Dijkstra, and every simple path enumerated) on random
//! ones: best paths, k best loopless paths in order, groups of targets,
//! filters, and a graph changed in place against one built afresh.

use kith_graph::{Graph, Node, Path, Workspace, cost_of, hops_between};
use petgraph::algo::{all_simple_paths, dijkstra};
use petgraph::graphmap::UnGraphMap;
use proptest::prelude::*;
use std::collections::{HashMap, HashSet};
use std::hash::RandomState;

const EPS: f64 = 1e-6;

fn graph(nodes: usize, ties: &[(Node, Node, f64)]) -> Graph {
    Graph::from_ties(nodes, ties).unwrap()
}

fn everyone(_: Node) -> bool {
    true
}

/// The cost of walking `nodes`, checking each step is a tie.
fn walk_cost(g: &Graph, nodes: &[Node]) -> f64 {
    nodes
        .windows(2)
        .map(|w| {
            let s = g
                .strength(w[0], w[1])
                .unwrap_or_else(|| panic!("no tie {}-{} on {nodes:?}", w[0], w[1]));
            f64::from(cost_of(s).unwrap())
        })
        .sum()
}

fn assert_close(a: f64, b: f64, what: &str) {
    assert!(
        (a - b).abs() <= EPS * (1.0 + a.abs().max(b.abs())),
        "{what}: {a} vs {b}"
    );
}

#[test]
fn a_strong_friend_beats_a_weak_direct_tie() {
    // me(0) knows Zoe(3) barely; Ana(1) knows me well and Zoe well.
    let g = graph(
        4,
        &[
            (0, 3, 0.1),
            (0, 1, 0.9),
            (1, 3, 0.8),
            (0, 2, 0.5),
            (2, 3, 0.5),
        ],
    );
    let mut ws = Workspace::new();
    let best = ws.best_path(&g, 0, 3, everyone).unwrap();
    assert_eq!(best.nodes, vec![0, 1, 3]);
    assert!((best.strength() - 0.72).abs() < 1e-6);
    let all = ws.k_best_paths(&g, 0, &[3], 10, everyone);
    let nodes: Vec<_> = all.iter().map(|p| p.nodes.clone()).collect();
    assert_eq!(nodes, [vec![0, 1, 3], vec![0, 2, 3], vec![0, 3]]);
}

#[test]
fn a_group_target_is_one_search_and_ends_at_its_first_member() {
    // Two people at the organisation (3, 4); 4 is only reachable through 3.
    let g = graph(
        5,
        &[
            (0, 1, 0.9),
            (1, 3, 0.5),
            (3, 4, 1.0),
            (0, 2, 0.2),
            (2, 4, 0.2),
        ],
    );
    let mut ws = Workspace::new();
    let best = ws.best_path_to_any(&g, 0, &[3, 4], everyone).unwrap();
    assert_eq!(best.nodes, vec![0, 1, 3]);
    let all = ws.k_best_paths(&g, 0, &[3, 4], 5, everyone);
    let nodes: Vec<_> = all.iter().map(|p| p.nodes.clone()).collect();
    // 0-1-3-4 is not offered: it reaches the organisation at 3 already.
    assert_eq!(nodes, [vec![0, 1, 3], vec![0, 2, 4]]);
}

#[test]
fn hidden_nodes_are_never_passed_through() {
    let g = graph(4, &[(0, 1, 0.9), (1, 3, 0.9), (0, 2, 0.3), (2, 3, 0.3)]);
    let mut ws = Workspace::new();
    let best = ws.best_path(&g, 0, 3, |n| n != 1).unwrap();
    assert_eq!(best.nodes, vec![0, 2, 3]);
    assert_eq!(ws.best_path(&g, 0, 3, |n| n != 1 && n != 2), None);
    // A hidden target is not reached at all.
    assert_eq!(ws.best_path(&g, 0, 3, |n| n != 3), None);
}

#[test]
fn self_unknown_and_unreachable_targets_have_no_path() {
    let g = graph(4, &[(0, 1, 0.9), (2, 3, 0.9)]);
    let mut ws = Workspace::new();
    assert_eq!(ws.best_path(&g, 0, 0, everyone), None);
    assert_eq!(ws.best_path(&g, 0, 3, everyone), None);
    assert_eq!(ws.best_path(&g, 0, 99, everyone), None);
    assert!(ws.k_best_paths(&g, 0, &[3], 5, everyone).is_empty());
    assert!(ws.k_best_paths(&g, 0, &[1], 0, everyone).is_empty());
    // A cycle does not make paths loop: only the two ways round.
    let ring = graph(4, &[(0, 1, 0.9), (1, 2, 0.9), (2, 3, 0.9), (3, 0, 0.9)]);
    let paths = ws.k_best_paths(&ring, 0, &[2], 1_000_000, everyone);
    assert_eq!(paths.len(), 2);
}

#[test]
fn the_strongest_tie_costs_positive_zero() {
    // -0 would sort after every other cost where costs are compared as bits.
    assert!(cost_of(1.0).unwrap().is_sign_positive());
}

#[test]
fn bad_strengths_are_refused() {
    let mut g = Graph::with_nodes(2);
    for s in [0.0, -0.5, 1.5, f64::NAN] {
        assert!(g.set_tie(0, 1, s).is_err(), "{s}");
    }
    assert!(Graph::from_ties(2, &[(0, 1, 2.0)]).is_err());
    // A batch with one bad strength changes nothing.
    assert!(g.set_ties(&[(0, 1, Some(0.5)), (1, 0, Some(2.0))]).is_err());
    assert_eq!(g.tie_count(), 0);
    assert_eq!(g.strength(0, 1), None);
}

/// Every allowed node within `max_hops` ties of `from` and its hops, by a
/// plain breadth-first walk from one end (free ties cost no hop): the
/// oracle for `hops_between`.
fn oracle_hops(
    g: &Graph,
    from: Node,
    max_hops: u8,
    allowed: impl Fn(Node) -> bool,
    free: impl Fn(Node, Node) -> bool,
) -> HashMap<Node, u8> {
    let mut hops = HashMap::new();
    let mut queue = std::collections::VecDeque::from([(from, 0u8)]);
    while let Some((u, d)) = queue.pop_front() {
        if hops.get(&u).is_some_and(|&seen| seen <= d) {
            continue;
        }
        hops.insert(u, d);
        for (v, _) in g.ties_of(u) {
            if !allowed(v) {
                continue;
            }
            if free(u, v) && g.strength(u, v) == Some(1.0) {
                queue.push_front((v, d));
            } else if d < max_hops {
                queue.push_back((v, d + 1));
            }
        }
    }
    hops
}

#[test]
fn degrees_count_ties_through_allowed_people() {
    let g = graph(
        6,
        &[
            (0, 1, 1.0),
            (1, 2, 0.5),
            (2, 3, 0.5),
            (3, 4, 0.5),
            (0, 5, 0.5),
            (5, 3, 0.5),
        ],
    );
    let never = |_: Node, _: Node| false;
    let hops = |to, allowed: &dyn Fn(Node) -> bool, free: &dyn Fn(Node, Node) -> bool| {
        hops_between(&g, 0, to, 3, allowed, free)
    };
    let want = [(0, 0), (1, 1), (5, 1), (2, 2), (3, 2), (4, 3)];
    for (to, h) in want {
        assert_eq!(hops(to, &everyone, &never), Some(h), "to {to}");
    }
    // A free tie (the same person in two places, strength 1) costs no hop.
    let one_person = |a: Node, b: Node| (a.min(b), a.max(b)) == (0, 1);
    assert_eq!(
        (
            hops(1, &everyone, &one_person),
            hops(2, &everyone, &one_person)
        ),
        (Some(0), Some(1))
    );
    assert_eq!(hops(3, &everyone, &one_person), Some(2));
    // Hidden people are not passed, and further than 3 is not counted.
    assert_eq!(hops(3, &|n| n != 5, &never), Some(3));
    assert_eq!(hops(4, &|n| n != 5, &never), None);
    assert_eq!(hops(5, &|n| n != 5, &never), None);
    assert_eq!(hops_between(&g, 0, 4, 2, everyone, never), None);
    assert_eq!(hops_between(&g, 0, 9, 3, everyone, never), None);
}

/// A random graph: `n` nodes, ties drawn from a few strengths so that
/// equal-cost paths happen.
fn random_graph(max_nodes: usize) -> impl Strategy<Value = (usize, Vec<(Node, Node, f64)>)> {
    (3..=max_nodes).prop_flat_map(|n| {
        let tie = (
            0..n as Node,
            0..n as Node,
            prop::sample::select(vec![0.1, 0.25, 0.5, 0.8, 0.9, 1.0]),
        );
        (Just(n), prop::collection::vec(tie, 0..n * 3))
    })
}

/// Every simple path from `from` to a target that meets no other target
/// first, through allowed nodes, with its cost, cheapest first.
fn oracle_paths(
    n: usize,
    ties: &[(Node, Node, f64)],
    from: Node,
    targets: &[Node],
    allowed: &dyn Fn(Node) -> bool,
) -> Vec<f64> {
    let g = graph(n, ties);
    let mut pg = UnGraphMap::<Node, f64>::new();
    for (a, b, _) in ties {
        if a != b && (allowed(*a) || *a == from) && (allowed(*b) || *b == from) {
            let cost = f64::from(cost_of(g.strength(*a, *b).unwrap()).unwrap());
            pg.add_edge(*a, *b, cost);
        }
    }
    let mut costs = Vec::new();
    for &t in targets {
        if t == from || !pg.contains_node(t) || !pg.contains_node(from) {
            continue;
        }
        for p in all_simple_paths::<Vec<Node>, _, RandomState>(&pg, from, t, 0, None) {
            if p[1..p.len() - 1].iter().any(|x| targets.contains(x)) {
                continue;
            }
            costs.push(p.windows(2).map(|w| pg[(w[0], w[1])]).sum::<f64>());
        }
    }
    costs.sort_by(f64::total_cmp);
    costs
}

fn check_paths(
    g: &Graph,
    paths: &[Path],
    from: Node,
    targets: &[Node],
    allowed: &dyn Fn(Node) -> bool,
) {
    let mut distinct = HashSet::new();
    for (i, p) in paths.iter().enumerate() {
        assert_eq!(p.nodes[0], from);
        assert!(targets.contains(p.nodes.last().unwrap()));
        assert!(
            p.nodes[1..p.nodes.len() - 1]
                .iter()
                .all(|x| !targets.contains(x)),
            "passes a target: {p:?}"
        );
        assert!(
            p.nodes[1..].iter().all(|&x| allowed(x)),
            "hidden node on {p:?}"
        );
        let unique: HashSet<_> = p.nodes.iter().collect();
        assert_eq!(unique.len(), p.nodes.len(), "loop in {p:?}");
        assert_close(walk_cost(g, &p.nodes), p.cost, "stated cost");
        assert!(distinct.insert(p.nodes.clone()), "path twice: {p:?}");
        if i > 0 {
            assert!(paths[i - 1].cost <= p.cost + EPS, "out of order: {paths:?}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn hops_from_both_ends_match_a_walk_from_one(
        (n, ties) in random_graph(12),
        from in 0..12u32,
        hidden in prop::collection::vec(0..12u32, 0..3),
        free_ties in prop::collection::vec((0..12u32, 0..12u32), 0..4),
        max_hops in 0..5u8,
    ) {
        let from = from % n as Node;
        let g = graph(n, &ties);
        let allowed = |x: Node| !hidden.contains(&x);
        let free = |a: Node, b: Node| {
            free_ties.iter().any(|&(x, y)| (x % n as Node, y % n as Node) == (a, b) || (x % n as Node, y % n as Node) == (b, a))
        };
        let want = oracle_hops(&g, from, max_hops, allowed, free);
        for to in 0..n as Node {
            let expected = want.get(&to).copied().filter(|_| allowed(to));
            let got = hops_between(&g, from, to, max_hops, allowed, free);
            prop_assert_eq!(got, expected, "from {} to {}", from, to);
        }
    }

    #[test]
    fn k_best_paths_match_every_simple_path_enumerated(
        (n, ties) in random_graph(8),
        from in 0..8u32,
        extra_targets in prop::collection::vec(0..8u32, 0..3),
        hidden in prop::collection::vec(0..8u32, 0..2),
        k in 1..12usize,
    ) {
        let from = from % n as Node;
        let mut targets = vec![(from + 1) % n as Node];
        targets.extend(extra_targets.iter().map(|t| t % n as Node));
        targets.sort();
        targets.dedup();
        let allowed = |x: Node| !hidden.contains(&x);
        let g = graph(n, &ties);
        let mut ws = Workspace::new();
        let paths = ws.k_best_paths(&g, from, &targets, k, allowed);
        check_paths(&g, &paths, from, &targets, &allowed);
        let expected = oracle_paths(n, &ties, from, &targets, &allowed);
        prop_assert_eq!(paths.len(), expected.len().min(k), "{:?} vs {:?}", paths, expected);
        for (p, want) in paths.iter().zip(&expected) {
            assert_close(p.cost, *want, "k-th cost");
        }
        let best = ws.best_path_to_any(&g, from, &targets, allowed);
        prop_assert_eq!(best.map(|p| p.cost).is_some(), !expected.is_empty());
        // The same with the spur searches sharing one search from the
        // targets (which large graphs use), from either end.
        let mut sharing = Workspace::new();
        sharing.share_spur_searches_from(0);
        let shared = sharing.k_best_paths(&g, from, &targets, k, allowed);
        check_paths(&g, &shared, from, &targets, &allowed);
        prop_assert_eq!(shared.len(), paths.len());
        for (p, want) in shared.iter().zip(&expected) {
            assert_close(p.cost, *want, "k-th cost, shared");
        }
    }

    #[test]
    fn best_path_matches_petgraph_dijkstra((n, ties) in random_graph(60), from in 0..60u32, to in 0..60u32) {
        let (from, to) = (from % n as Node, to % n as Node);
        let g = graph(n, &ties);
        let mut pg = UnGraphMap::<Node, f64>::new();
        for a in 0..n as Node {
            pg.add_node(a);
            for (b, s) in g.ties_of(a) {
                pg.add_edge(a, b, f64::from(cost_of(s).unwrap()));
            }
        }
        let oracle = dijkstra(&pg, from, Some(to), |e| *e.2);
        let mut ws = Workspace::new();
        match ws.best_path(&g, from, to, everyone) {
            Some(p) => {
                check_paths(&g, std::slice::from_ref(&p), from, &[to], &everyone);
                assert_close(p.cost, oracle[&to], "best cost");
            }
            None => prop_assert!(from == to || !oracle.contains_key(&to)),
        }
    }

    #[test]
    fn a_graph_changed_in_place_answers_like_one_built_afresh(
        (n, ties) in random_graph(12),
        changes in prop::collection::vec((0..12u32, 0..12u32, prop::option::of(prop::sample::select(vec![0.2, 0.6, 1.0]))), 0..60),
        isolated in prop::option::of(0..12u32),
    ) {
        let mut g = graph(n, &ties);
        // The same changes in one batch end in the same lists.
        let mut batched = g.clone();
        let batch: Vec<(Node, Node, Option<f64>)> =
            changes.iter().map(|&(a, b, s)| (a % n as Node, b % n as Node, s)).collect();
        batched.set_ties(&batch).unwrap();
        let mut now: HashMap<(Node, Node), f64> = HashMap::new();
        for a in 0..n as Node {
            for (b, s) in g.ties_of(a) {
                now.insert((a.min(b), a.max(b)), s);
            }
        }
        for (a, b, s) in changes {
            let (a, b) = (a % n as Node, b % n as Node);
            if a == b { continue; }
            match s {
                Some(s) => { g.set_tie(a, b, s).unwrap(); now.insert((a.min(b), a.max(b)), s); }
                None => { g.remove_tie(a, b); now.remove(&(a.min(b), a.max(b))); }
            }
        }
        prop_assert_eq!(batched.tie_count(), now.len());
        for a in 0..n as Node {
            prop_assert_eq!(batched.ties_of(a).collect::<Vec<_>>(), g.ties_of(a).collect::<Vec<_>>());
        }
        if let Some(x) = isolated {
            let x = x % n as Node;
            g.isolate(x);
            now.retain(|(a, b), _| *a != x && *b != x);
        }
        prop_assert_eq!(g.tie_count(), now.len());
        let fresh = graph(n, &now.iter().map(|(&(a, b), &s)| (a, b, s)).collect::<Vec<_>>());
        let mut ws = Workspace::new();
        for to in 1..n as Node {
            let a = ws.k_best_paths(&g, 0, &[to], 3, everyone);
            let b = ws.k_best_paths(&fresh, 0, &[to], 3, everyone);
            prop_assert_eq!(a.len(), b.len());
            for (x, y) in a.iter().zip(&b) {
                assert_close(x.cost, y.cost, "changed vs fresh");
            }
        }
    }
}
