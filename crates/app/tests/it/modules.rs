//! kith-app's modules form no circle (issue 21): each top-level module's
//! paths into the crate (`crate::x`, and `super::x` where `super` is the
//! crate root) are read from its source, re-exports of the crate root
//! followed to the module that defines them, and the graph checked for a
//! cycle. The leaves (`clock`, `error`, `notify`, `sharing`, `view`) use no
//! module. Comments and `#[cfg(test)]` modules are left out. Methods of
//! `App` called on `self` are not paths and are not seen: the rule is about
//! what a module names.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Modules that any module may use and that use none.
const LEAVES: [&str; 5] = ["clock", "error", "notify", "sharing", "view"];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The source without comments and without `#[cfg(test)]` modules (each
/// runs to the end of its file in this crate), with the paths that reach
/// the crate root through `super` written as `crate::`. `depth` is how
/// many `super::` lead from this file to the root.
fn code(text: &str, depth: usize) -> String {
    let text = match text.find("#[cfg(test)]") {
        Some(at)
            if text[at..]
                .trim_start_matches("#[cfg(test)]")
                .trim_start()
                .starts_with("mod ") =>
        {
            &text[..at]
        }
        _ => text,
    };
    let root = "super::".repeat(depth);
    text.lines()
        .map(|line| {
            let line = match line.find("//") {
                Some(at) => &line[..at],
                None => line,
            };
            if depth == 0 {
                line.to_string()
            } else {
                line.replace(&root, "crate::")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first segment of each path after `crate::` (a group
/// `crate::{a, b::c}` names `a` and `b`).
fn crate_paths(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        let Some(group) = rest.strip_prefix('{') else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            out.insert(name);
            continue;
        };
        // Split the group at its top-level commas.
        let mut depth = 0;
        let mut item = String::new();
        for ch in group.chars() {
            match ch {
                '{' => depth += 1,
                '}' if depth == 0 => break,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    out.insert(item.trim().split("::").next().unwrap_or("").to_string());
                    item.clear();
                    continue;
                }
                _ => {}
            }
            item.push(ch);
        }
        out.insert(item.trim().split("::").next().unwrap_or("").to_string());
    }
    out.remove("");
    out
}

/// Top-level module -> its files, each with its depth below the root
/// (`src/x.rs` and `src/x/mod.rs` 1, `src/x/y.rs` 2, …).
fn modules() -> BTreeMap<String, Vec<(PathBuf, usize)>> {
    fn walk(dir: &Path, depth: usize, out: &mut Vec<(PathBuf, usize)>) {
        for entry in std::fs::read_dir(dir).expect("module folder is readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, depth + 1, out);
            } else if path.extension().is_some_and(|x| x == "rs") {
                let own = if path.file_stem().is_some_and(|s| s == "mod") {
                    depth - 1
                } else {
                    depth
                };
                out.push((path, own));
            }
        }
    }
    let mut out: BTreeMap<String, Vec<(PathBuf, usize)>> = BTreeMap::new();
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
            walk(&path, 2, files);
        } else if path.extension().is_some_and(|x| x == "rs") {
            files.push((path, 1));
        }
    }
    out
}

/// The crate root's `pub use module::{…}`: item name -> module.
fn reexports(
    lib: &str,
    modules: &BTreeMap<String, Vec<(PathBuf, usize)>>,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in lib.lines() {
        let Some(path) = line.trim().strip_prefix("pub use ") else {
            continue;
        };
        let Some((module, items)) = path.trim_end_matches(';').split_once("::") else {
            continue;
        };
        if !modules.contains_key(module) {
            continue;
        }
        for item in items.trim_matches(|c| c == '{' || c == '}').split(',') {
            let name = item.rsplit("::").next().unwrap_or("").trim();
            if !name.is_empty() {
                out.insert(name.to_string(), module.to_string());
            }
        }
    }
    out
}

/// Module -> the modules it uses, each with the files and names that do.
fn uses() -> BTreeMap<String, BTreeMap<String, BTreeSet<String>>> {
    let modules = modules();
    let reexported = reexports(&read(&src().join("lib.rs")), &modules);
    let mut out = BTreeMap::new();
    for (module, files) in &modules {
        let mut used: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (file, depth) in files {
            for name in crate_paths(&code(&read(file), *depth)) {
                let target = if modules.contains_key(&name) {
                    Some(name.clone())
                } else {
                    reexported.get(&name).cloned()
                };
                if let Some(target) = target.filter(|t| t != module) {
                    let at = file.strip_prefix(src()).unwrap_or(file).display();
                    used.entry(target)
                        .or_default()
                        .insert(format!("{at}: crate::{name}"));
                }
            }
        }
        out.insert(module.clone(), used);
    }
    out
}

/// The modules on a circle: those that reach themselves again (empty:
/// no circle).
fn on_circles(graph: &BTreeMap<String, BTreeSet<String>>) -> BTreeSet<String> {
    let reaches_itself = |start: &String| {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<&String> = graph[start].iter().collect();
        while let Some(m) = stack.pop() {
            if m == start {
                return true;
            }
            if seen.insert(m) {
                stack.extend(graph.get(m).into_iter().flatten());
            }
        }
        false
    };
    graph
        .keys()
        .filter(|m| reaches_itself(m))
        .cloned()
        .collect()
}

fn graph(
    uses: &BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
) -> BTreeMap<String, BTreeSet<String>> {
    uses.iter()
        .map(|(m, u)| (m.clone(), u.keys().cloned().collect()))
        .collect()
}

#[test]
fn app_modules_form_no_circle() {
    let uses = uses();
    let graph = graph(&uses);
    assert!(graph.len() > 15, "the modules were found: {graph:?}");
    assert!(
        graph["cards"].contains("people"),
        "paths are read: {graph:?}"
    );
    let circles = on_circles(&graph);
    if !circles.is_empty() {
        let mut why = String::new();
        for m in &circles {
            for (used, by) in &uses[m] {
                if circles.contains(used) {
                    why += &format!("{m} -> {used}: {by:?}\n");
                }
            }
        }
        panic!("app modules use each other in a circle:\n{why}");
    }
}

#[test]
fn the_leaves_use_no_module() {
    let uses = uses();
    for leaf in LEAVES {
        assert_eq!(
            uses.get(leaf),
            Some(&BTreeMap::new()),
            "{leaf} is a leaf: it uses no module of kith-app"
        );
    }
}

/// The checker reads grouped paths and `super` to the root, leaves out
/// comments and tests, and sees a circle.
#[test]
fn the_checker_finds_a_circle() {
    let text = "use crate::{Result, network::{ties::x, y}, clock::DAY};\n\
                let _ = super::people::resolve(); // crate::cards\n\
                #[cfg(test)]\nmod tests { use crate::search; }";
    let want: BTreeSet<String> = ["Result", "network", "clock", "people"]
        .map(String::from)
        .into();
    assert_eq!(crate_paths(&code(text, 1)), want);
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec!["a"]),
        ("e", vec![]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.into_iter().map(String::from).collect()))
    .collect();
    // `d` uses the circle but is not on it.
    let want: BTreeSet<String> = ["a", "b", "c"].map(String::from).into();
    assert_eq!(on_circles(&graph), want);
}
