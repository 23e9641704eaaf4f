//! The path benchmark's kith side: reads the plain files that networkx
//! and igraph read too (an edge list `u v strength`, pairs `src dst`,
//! companies `node company`), builds the graph, and times, for every pair,
//! the best path, the best path to anyone at the destination's company and
//! the 5 best loopless paths. Prints one JSON object (see bench/network.sh).
//!
//!   cargo run --release -p kith-graph --example path_bench -- EDGES PAIRS COMPANIES

use kith_graph::{Graph, Node, Stats, Workspace};
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::process::ExitCode;
use std::time::Instant;

/// The first pairs whose answers are printed for the cross-check.
const CHECKED: usize = 20;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [edges, pairs, companies] = args.as_slice() else {
        eprintln!("usage: path_bench EDGES PAIRS COMPANIES");
        return ExitCode::from(2);
    };
    match run(edges, pairs, companies) {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("path_bench: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Calls `row` with the words of each line of `path`, naming the file and
/// line of anything it rejects.
fn each_line(path: &str, mut row: impl FnMut(&[&str]) -> Result<(), String>) -> Result<(), String> {
    let file = File::open(path).map_err(|e| format!("{path}: {e}"))?;
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut line = String::new();
    let mut number = 0;
    loop {
        line.clear();
        if reader
            .read_line(&mut line)
            .map_err(|e| format!("{path}: {e}"))?
            == 0
        {
            return Ok(());
        }
        number += 1;
        let words: Vec<&str> = line.split_ascii_whitespace().collect();
        if !words.is_empty() {
            row(&words).map_err(|e| format!("{path}:{number}: {e}"))?;
        }
    }
}

fn node(word: &str) -> Result<Node, String> {
    word.parse()
        .map_err(|_| format!("'{word}' is not a node number"))
}

fn run(edges: &str, pairs: &str, companies: &str) -> Result<String, String> {
    let started = Instant::now();
    // Colleagues get neighbouring numbers, as kith's network numbers the
    // people of an address book by organisation: most ties are inside
    // companies, so a search then reads labels that sit close together.
    let mut company_of: Vec<Option<u32>> = Vec::new();
    let mut company_index: HashMap<String, u32> = HashMap::new();
    each_line(companies, |w| {
        let [n, c] = w else {
            return Err("expected 'node company'".into());
        };
        let n = node(n)? as usize;
        let next = company_index.len() as u32;
        let c = *company_index.entry(c.to_string()).or_insert(next);
        if company_of.len() <= n {
            company_of.resize(n + 1, None);
        }
        company_of[n] = Some(c);
        Ok(())
    })?;
    let mut ties = Vec::new();
    let mut nodes = company_of.len();
    each_line(edges, |w| {
        let [u, v, s] = w else {
            return Err("expected 'u v strength'".into());
        };
        let (u, v) = (node(u)?, node(v)?);
        let s: f64 = s.parse().map_err(|_| format!("'{s}' is not a strength"))?;
        nodes = nodes.max(u.max(v) as usize + 1);
        ties.push((u, v, s));
        Ok(())
    })?;
    company_of.resize(nodes, None);
    let number = numbered_by_company(&company_of);
    for tie in &mut ties {
        (tie.0, tie.1) = (number[tie.0 as usize], number[tie.1 as usize]);
    }
    let graph = Graph::from_ties(nodes, &ties).map_err(|e| format!("{edges}: {e}"))?;
    drop(ties);
    let build_s = started.elapsed().as_secs_f64();
    let rss_mb = status_mb("VmRSS");

    let mut members: Vec<Vec<Node>> = vec![Vec::new(); company_index.len()];
    for (n, c) in company_of.iter().enumerate() {
        if let Some(c) = c {
            members[*c as usize].push(number[n]);
        }
    }
    let mut queries = Vec::new();
    each_line(pairs, |w| {
        let [a, b] = w else {
            return Err("expected 'src dst'".into());
        };
        let (a, b) = (node(a)? as usize, node(b)? as usize);
        if a >= nodes || b >= nodes {
            return Err(format!("node {} is not in the graph", a.max(b)));
        }
        queries.push((a, b));
        Ok(())
    })?;

    let mut ws = Workspace::new();
    let everyone = |_: Node| true;
    let (mut single, mut org, mut k5) =
        (Timings::default(), Timings::default(), Timings::default());
    let (mut check_single, mut check_org, mut check_k5) = (Vec::new(), Vec::new(), Vec::new());
    for (i, &(src, dst)) in queries.iter().enumerate() {
        let targets = company_of[dst].map_or(&[][..], |c| &members[c as usize][..]);
        let (src, dst) = (number[src], number[dst]);
        let (t, before) = (Instant::now(), ws.stats);
        let best = ws.best_path(&graph, src, dst, everyone);
        single.add(t, best.is_some(), before, ws.stats);

        let (t, before) = (Instant::now(), ws.stats);
        let nearest = ws.best_path_to_any(&graph, src, targets, everyone);
        org.add(t, nearest.is_some(), before, ws.stats);

        let (t, before) = (Instant::now(), ws.stats);
        let five = ws.k_best_paths(&graph, src, &[dst], 5, everyone);
        k5.add(t, !five.is_empty(), before, ws.stats);

        if i < CHECKED {
            check_single.push(json_strength(best.map(|p| p.strength())));
            check_org.push(json_strength(nearest.map(|p| p.strength())));
            let strengths: Vec<String> = five
                .iter()
                .map(|p| json_strength(Some(p.strength())))
                .collect();
            check_k5.push(format!("[{}]", strengths.join(", ")));
        }
    }
    Ok(format!(
        "{{\"tool\": \"kith\", \"nodes\": {nodes}, \"ties\": {}, \"build_s\": {build_s:.3}, \"rss_mb\": {rss_mb:.1}, \
         \"peak_mb\": {:.1}, \"single\": {}, \"org\": {}, \"k5\": {}, \
         \"check\": {{\"single\": [{}], \"org\": [{}], \"k5\": [{}]}}}}",
        graph.tie_count(),
        status_mb("VmHWM"),
        single.json(),
        org.json(),
        k5.json(),
        check_single.join(", "),
        check_org.join(", "),
        check_k5.join(", "),
    ))
}

/// The graph's number of each node of the files: company by company in
/// the order companies first appear, nodes without one last.
fn numbered_by_company(company_of: &[Option<u32>]) -> Vec<Node> {
    let mut order: Vec<usize> = (0..company_of.len()).collect();
    order.sort_by_key(|&n| (company_of[n].unwrap_or(u32::MAX), n));
    let mut number = vec![0; company_of.len()];
    for (i, n) in order.into_iter().enumerate() {
        number[n] = i as Node;
    }
    number
}

/// Latencies of one kind of query, how many found no path, and the
/// searching they took.
#[derive(Default)]
struct Timings {
    ms: Vec<f64>,
    no_path: usize,
    searches: u64,
    scanned: u64,
}

impl Timings {
    fn add(&mut self, started: Instant, found: bool, before: Stats, after: Stats) {
        self.ms.push(started.elapsed().as_secs_f64() * 1000.0);
        self.no_path += usize::from(!found);
        self.searches += after.searches - before.searches;
        self.scanned += after.scanned - before.scanned;
    }

    fn json(&mut self) -> String {
        self.ms.sort_by(f64::total_cmp);
        let at = |q: f64| {
            if self.ms.is_empty() {
                "null".to_string()
            } else {
                let i = ((self.ms.len() as f64 * q).ceil() as usize).clamp(1, self.ms.len()) - 1;
                format!("{:.3}", self.ms[i])
            }
        };
        format!(
            "{{\"p50_ms\": {}, \"p99_ms\": {}, \"done\": {}, \"failed\": 0, \"no_path\": {}, \"searches_per_query\": {:.1}, \"ties_scanned_per_query\": {:.0}}}",
            at(0.50),
            at(0.99),
            self.ms.len(),
            self.no_path,
            self.searches as f64 / self.ms.len().max(1) as f64,
            self.scanned as f64 / self.ms.len().max(1) as f64,
        )
    }
}

fn json_strength(s: Option<f64>) -> String {
    s.map_or("null".into(), |s| format!("{s:e}"))
}

/// A `/proc/self/status` figure in MiB (0 where there is none).
fn status_mb(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}
