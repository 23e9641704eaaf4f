//! The web crate's layout as invariants (issue 21; rust-analyzer's habit):
//! the API and the pages never import each other, `http/` imports no
//! handler, no module circle, and every `/api/v1` route is in the OpenAPI
//! document. A wrong import fails here rather than in a review.

use crate::Server;
use kith_store::testing::sqlite;
use kith_web::ServerConfig;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, with its text (comments and test modules
/// left out).
fn sources(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                let code = text.split("#[cfg(test)]").next().unwrap_or_default();
                let code: String = code
                    .lines()
                    .filter(|l| !l.trim_start().starts_with("//"))
                    .collect::<Vec<_>>()
                    .join("\n");
                out.push((path, code));
            }
        }
    }
    out.sort();
    out
}

/// The top-level module a file belongs to (`api` for `src/api/people.rs`).
fn top_module(path: &Path) -> String {
    let rel = path.strip_prefix(src()).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

/// The crate's top-level modules each file names through `crate::`.
fn named_modules(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = group.split('}').next().unwrap_or_default();
            for part in group.split(',') {
                let name: String = part
                    .trim()
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    out.insert(name);
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.insert(name);
            }
        }
    }
    out
}

fn edges() -> BTreeMap<String, BTreeSet<String>> {
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (path, code) in sources(&src()) {
        let from = top_module(&path);
        if from == "lib" {
            continue;
        }
        let to = named_modules(&code);
        edges
            .entry(from.clone())
            .or_default()
            .extend(to.into_iter().filter(|t| *t != from));
    }
    edges
}

#[test]
fn the_api_and_the_pages_do_not_import_each_other() {
    let edges = edges();
    for (a, b) in [("api", "pages"), ("pages", "api")] {
        assert!(
            !edges.get(a).is_some_and(|to| to.contains(b)),
            "{a}/ imports {b}/: move what they share to http/"
        );
    }
}

#[test]
fn http_imports_no_handler() {
    let edges = edges();
    let handlers = ["api", "pages", "dav"];
    let named = edges.get("http").cloned().unwrap_or_default();
    for h in handlers {
        assert!(
            !named.contains(h),
            "http/ imports {h}/: it is the leaf every handler builds on"
        );
    }
}

#[test]
fn no_module_circle() {
    let edges = edges();
    // A depth-first walk that keeps the path: a module met again on it
    // closes a circle.
    fn walk(
        at: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == at) {
            let mut circle = path[i..].to_vec();
            circle.push(at.to_string());
            return Some(circle);
        }
        if done.contains(at) {
            return None;
        }
        path.push(at.to_string());
        for next in edges.get(at).into_iter().flatten() {
            if let Some(c) = walk(next, edges, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(at.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for start in edges.keys() {
        if let Some(circle) = walk(start, &edges, &mut Vec::new(), &mut done) {
            panic!("a module circle in kith-web: {}", circle.join(" -> "));
        }
    }
}

/// Every path an `/api/v1` route is registered under, read from the source.
fn registered_api_paths() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (_, code) in sources(&src().join("api")) {
        for (i, _) in code.match_indices("\"/api/v1/") {
            let path = code[i + 1..].split('"').next().unwrap_or_default();
            out.insert(path.to_string());
        }
    }
    out
}

#[tokio::test]
async fn every_api_route_is_in_the_openapi_document() {
    let (store, _guard) = sqlite().await;
    let server = Server::start(&store, ServerConfig::default()).await;
    let doc: serde_json::Value = crate::client()
        .get(server.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let documented: BTreeSet<String> = doc["paths"].as_object().unwrap().keys().cloned().collect();
    let registered = registered_api_paths();
    assert!(registered.len() > 30, "{registered:?}");
    let missing: Vec<&String> = registered
        .iter()
        .filter(|p| *p != "/api/v1/openapi.json" && !documented.contains(*p))
        .collect();
    assert!(
        missing.is_empty(),
        "routes missing from openapi.json: {missing:?}"
    );
}

/// The front door reaches the store and the file formats only through
/// kith-app (which re-exports the few types its signatures carry).
#[test]
fn the_web_reaches_store_and_formats_only_through_kith_app() {
    for (path, code) in sources(&src()) {
        for name in ["kith_store", "kith_formats"] {
            assert!(
                !code.contains(name),
                "{} names {name}: go through kith_app",
                path.display()
            );
        }
    }
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    let dependencies = manifest
        .split("[dependencies]")
        .nth(1)
        .and_then(|rest| rest.split("\n[").next())
        .unwrap_or_default();
    for name in ["kith-store", "kith-formats"] {
        assert!(
            !dependencies.contains(name),
            "kith-web depends on {name}: a dev-dependency at most"
        );
    }
}
