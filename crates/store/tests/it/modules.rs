//! The store's modules form no circle (issue 21): each module's `crate::`
//! references are read from its source, re-exports of the crate root
//! followed to the module that defines them, and the graph checked for a
//! cycle. `db` (the handle, the macros, the clock) is a leaf every module
//! may use; the crate root holds only declarations, re-exports and plain
//! types. Test modules (`#[cfg(test)] mod tests`) are left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The source without comments and without a trailing test module.
fn code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => &text[..at],
        None => text,
    };
    text.lines()
        .map(|line| match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level modules: `src/X.rs` or `src/X/` (lib.rs is the root).
fn modules() -> BTreeMap<String, Vec<PathBuf>> {
    let mut out: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for entry in std::fs::read_dir(src()).expect("src is readable") {
        let path = entry.expect("src entry").path();
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("UTF-8 file name")
            .to_string();
        if stem == "lib" {
            continue;
        }
        let files = out.entry(stem).or_default();
        if path.is_dir() {
            let mut stack = vec![path];
            while let Some(dir) = stack.pop() {
                for e in std::fs::read_dir(&dir).expect("module folder is readable") {
                    let p = e.expect("entry").path();
                    if p.is_dir() {
                        stack.push(p);
                    } else if p.extension().is_some_and(|x| x == "rs") {
                        files.push(p);
                    }
                }
            }
        } else if path.extension().is_some_and(|x| x == "rs") {
            files.push(path);
        }
    }
    out
}

/// The first path segment of each item named after `crate::` (a group
/// `crate::{a, b::c}` names `a` and `b`).
fn crate_paths(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let (mut depth, mut end) = (1, group.len());
            for (i, ch) in group.char_indices() {
                match ch {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
                if depth == 0 {
                    end = i;
                    break;
                }
            }
            let mut depth = 0;
            let mut item = String::new();
            for ch in group[..end].chars().chain([',']) {
                match ch {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        let first = item.trim().split("::").next().unwrap_or("").trim();
                        if !first.is_empty() {
                            out.insert(first.to_string());
                        }
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                item.push(ch);
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            out.insert(name);
        }
    }
    out
}

/// The crate root's re-exports: item name -> the module it comes from.
fn reexports(lib: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in lib.lines() {
        let Some(path) = line.trim().strip_prefix("pub use ") else {
            continue;
        };
        let path = path.trim_end_matches(';');
        let Some((module, items)) = path.split_once("::") else {
            continue;
        };
        let items = items.trim_start_matches('{').trim_end_matches('}');
        for item in items.split(',') {
            let name = item.rsplit("::").next().unwrap_or("").trim();
            if !name.is_empty() {
                out.insert(name.to_string(), module.to_string());
            }
        }
    }
    out
}

/// Module -> the modules it uses.
fn edges() -> BTreeMap<String, BTreeSet<String>> {
    let modules = modules();
    let lib = read(&src().join("lib.rs"));
    let reexported = reexports(&lib);
    let mut out = BTreeMap::new();
    for (module, files) in &modules {
        let mut used = BTreeSet::new();
        for file in files {
            for name in crate_paths(&code(&read(file))) {
                let target = if modules.contains_key(&name) {
                    Some(name)
                } else {
                    reexported.get(&name).cloned()
                };
                if let Some(target) = target.filter(|t| t != module) {
                    used.insert(target);
                }
            }
        }
        out.insert(module.clone(), used);
    }
    out
}

/// A circle in `graph`, if any, as the modules along it.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    // 0 unvisited, 1 on the current path, 2 done.
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(node.to_string(), 1);
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            match state.get(next.as_str()).copied().unwrap_or(0) {
                1 => {
                    let from = path.iter().position(|n| n == next).unwrap_or(0);
                    let mut cycle = path[from..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = visit(next, graph, state, path) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        path.pop();
        state.insert(node.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in graph.keys() {
        if state.get(node).copied().unwrap_or(0) == 0 {
            let mut path = Vec::new();
            if let Some(c) = visit(node, graph, &mut state, &mut path) {
                return Some(c);
            }
        }
    }
    None
}

#[test]
fn store_modules_form_no_circle() {
    let graph = edges();
    for (module, uses) in &graph {
        println!("{module} -> {uses:?}");
    }
    assert!(graph.len() > 10, "the modules were found: {graph:?}");
    if let Some(cycle) = find_cycle(&graph) {
        panic!(
            "store modules use each other in a circle: {}\nall uses: {graph:#?}",
            cycle.join(" -> ")
        );
    }
}

#[test]
fn db_is_a_leaf_and_the_root_uses_no_module() {
    let graph = edges();
    assert_eq!(
        graph.get("db"),
        Some(&BTreeSet::new()),
        "db uses no store module"
    );
    // The root declares modules and re-exports; its own items use none.
    let modules = modules();
    let lib = code(&read(&src().join("lib.rs")));
    let reexported = reexports(&lib);
    for line in lib.lines().map(str::trim) {
        if line.starts_with("pub use ") || line.starts_with("mod ") || line.starts_with("pub mod ")
        {
            continue;
        }
        for module in modules.keys() {
            let path = format!("{module}::");
            // A path that starts with the module (not `sqlx::migrate::`).
            let starts = line.match_indices(&path).any(|(at, _)| {
                !line[..at]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':')
            });
            assert!(!starts, "lib.rs uses the module {module}: {line}");
        }
        for word in line.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
            assert!(
                !reexported.contains_key(word),
                "lib.rs uses {word} (from {}): {line}",
                reexported[word]
            );
        }
    }
}

/// The checker itself sees a circle and reads grouped imports.
#[test]
fn the_checker_finds_a_circle() {
    let uses =
        crate_paths("use crate::{Result, tx::{Tx, x}, db::on_db};\nlet _ = crate::network::f();");
    let want: BTreeSet<String> = ["Result", "tx", "db", "network"].map(String::from).into();
    assert_eq!(uses, want);
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec![]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.into_iter().map(String::from).collect()))
    .collect();
    assert_eq!(
        find_cycle(&graph),
        Some(["a", "b", "c", "a"].map(String::from).to_vec())
    );
}
