//! How large exact hub labels (pruned landmark labelling: a pruned
//! Dijkstra from each node in falling degree, each node keeping the hubs
//! that no earlier hub covers) grow on the path benchmark's network, to
//! judge whether answering paths from precomputed labels could fit the
//! issue's build time and memory. Prints a line per power of two of roots
//! and stops after the given seconds; not a part of kith.
//!
//!   cargo run --release -p kith-graph --example hub_label_probe -- EDGES SECONDS

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io::{BufRead, BufReader};
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [edges, seconds] = args.as_slice() else {
        eprintln!("usage: hub_label_probe EDGES SECONDS");
        return ExitCode::from(2);
    };
    let Ok(seconds) = seconds.parse::<f64>() else {
        eprintln!("hub_label_probe: '{seconds}' is not a number of seconds");
        return ExitCode::from(2);
    };
    match read(edges) {
        Ok(lists) => {
            label(&lists, seconds);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("hub_label_probe: {edges}: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Each node's ties as (neighbour, cost `-ln strength`).
fn read(path: &str) -> Result<Vec<Vec<(u32, f32)>>, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut lists: Vec<Vec<(u32, f32)>> = Vec::new();
    for (number, line) in BufReader::with_capacity(1 << 20, file).lines().enumerate() {
        let line = line.map_err(|e| e.to_string())?;
        let words: Vec<&str> = line.split_ascii_whitespace().collect();
        let bad = || format!("line {}: expected 'u v strength'", number + 1);
        let [u, v, s] = words.as_slice() else {
            return Err(bad());
        };
        let (u, v, s): (u32, u32, f64) = match (u.parse(), v.parse(), s.parse()) {
            (Ok(u), Ok(v), Ok(s)) => (u, v, s),
            _ => return Err(bad()),
        };
        let cost = kith_graph::cost_of(s).map_err(|e| format!("line {}: {e}", number + 1))?;
        let high = u.max(v) as usize;
        if lists.len() <= high {
            lists.resize(high + 1, Vec::new());
        }
        lists[u as usize].push((v, cost));
        lists[v as usize].push((u, cost));
    }
    Ok(lists)
}

fn label(lists: &[Vec<(u32, f32)>], seconds: f64) {
    let n = lists.len();
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.sort_by_key(|&v| Reverse(lists[v as usize].len()));
    // labels[v]: (hub's rank, cost from the hub), hubs in rank order.
    let mut labels: Vec<Vec<(u32, f32)>> = vec![Vec::new(); n];
    let mut dist = vec![f32::INFINITY; n];
    let mut from_root = vec![f32::INFINITY; n];
    let mut touched = Vec::new();
    let started = Instant::now();
    let mut entries = 0usize;
    for (rank, &root) in order.iter().enumerate() {
        for &(hub, d) in &labels[root as usize] {
            from_root[hub as usize] = d;
        }
        let mut heap = BinaryHeap::new();
        dist[root as usize] = 0.0;
        touched.push(root);
        heap.push(Reverse((0u32, root)));
        let mut labelled = 0;
        while let Some(Reverse((bits, v))) = heap.pop() {
            let d = f32::from_bits(bits);
            if d > dist[v as usize] {
                continue;
            }
            let covered = labels[v as usize]
                .iter()
                .any(|&(hub, dv)| from_root[hub as usize] + dv <= d);
            if covered {
                continue;
            }
            labels[v as usize].push((rank as u32, d));
            entries += 1;
            labelled += 1;
            for &(w, c) in &lists[v as usize] {
                let through = d + c;
                if through < dist[w as usize] {
                    if dist[w as usize].is_infinite() {
                        touched.push(w);
                    }
                    dist[w as usize] = through;
                    heap.push(Reverse((through.to_bits(), w)));
                }
            }
        }
        for v in touched.drain(..) {
            dist[v as usize] = f32::INFINITY;
        }
        for &(hub, _) in &labels[root as usize] {
            from_root[hub as usize] = f32::INFINITY;
        }
        let out_of_time = started.elapsed().as_secs_f64() > seconds;
        if (rank + 1).is_power_of_two() || out_of_time || rank + 1 == n {
            println!(
                "roots {} of {n}: {:.1} s, {:.1} label entries a node ({} MB at 8 bytes), the last root labelled {labelled} nodes",
                rank + 1,
                started.elapsed().as_secs_f64(),
                entries as f64 / n as f64,
                entries * 8 / 1_000_000,
            );
        }
        if out_of_time {
            break;
        }
    }
}
