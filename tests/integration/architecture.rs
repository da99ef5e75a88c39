//! The shape of `src/`: no two modules import each other, and no module imports one above it in
//! the layer diagram of the README ("Where things go"), which this test reads, so that the
//! diagram and the code cannot drift apart.
//!
//! A module is a top-level one (`catalog`) or one of its children (`web::pages`); an import is
//! any `crate::…` or `super::…` path in code (comments and inline `mod tests` aside).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, but for `src/bin`: the executables there are crates of their
/// own, which reach the library by its name (`riuso::…`) as any user of it would.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let executables = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src")
        .join("bin");
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path == executables {
            continue;
        }
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a file: `src/web/pages/account.rs` is `web::pages::account`.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// The code of a file without comments, and without its inline `mod tests` (tests may reach
/// anywhere).
fn code_of(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => &text[..at],
        None => text,
    };
    text.lines()
        .map(|line| match line.find("//") {
            // A `//` inside a string (a URL) is rare in paths' lines; cutting it loses nothing
            // that names a module.
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The identifier at the start of `s`.
fn ident(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The first two segments of the path that starts `s` (after `crate::`), or of each item of a
/// `{…}` group there.
fn paths_at(s: &str) -> Vec<Vec<String>> {
    if let Some(group) = s.strip_prefix('{') {
        let mut depth = 0;
        let mut items = Vec::new();
        let mut start = 0;
        for (i, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => {
                    items.push(&group[start..i]);
                    break;
                }
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    items.push(&group[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        return items
            .into_iter()
            .flat_map(|item| paths_at(item.trim()))
            .collect();
    }
    let first = ident(s);
    if first.is_empty() || !first.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Vec::new();
    }
    let mut path = vec![first.to_owned()];
    if let Some(rest) = s[first.len()..].strip_prefix("::") {
        let second = ident(rest);
        if !second.is_empty() && second.starts_with(|c: char| c.is_ascii_lowercase()) {
            path.push(second.to_owned());
        }
    }
    vec![path]
}

/// The modules `code`, the code of module `me`, imports, as full paths of up to two segments.
fn imports(me: &[String], code: &str) -> BTreeSet<Vec<String>> {
    let mut out = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        out.extend(paths_at(&code[at + "crate::".len()..]));
    }
    for (at, _) in code.match_indices("super::") {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let mut base = me.to_vec();
        base.pop();
        let mut rest = &code[at + "super::".len()..];
        while let Some(more) = rest.strip_prefix("super::") {
            base.pop();
            rest = more;
        }
        for path in paths_at(rest) {
            out.insert(base.iter().cloned().chain(path).collect());
        }
    }
    out
}

/// The edges between modules at `depth` (1: `catalog`, 2: `web::pages`): who imports whom.
fn graph(depth: usize) -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let me = module_of(&src, &file);
        if me.len() < depth {
            continue;
        }
        let from = me[..depth].join("::");
        let code = code_of(&fs::read_to_string(&file).unwrap());
        for used in imports(&me, &code) {
            if used.len() < depth {
                continue;
            }
            let to = used[..depth].join("::");
            let nested =
                to.starts_with(&format!("{from}::")) || from.starts_with(&format!("{to}::"));
            if to != from && !nested && src_module_exists(&src, &used[..depth]) {
                edges.entry(from.clone()).or_default().insert(to);
            }
        }
    }
    edges
}

/// Whether `path` names a module of `src/` (not an item such as `web::ApiError`).
fn src_module_exists(src: &Path, path: &[String]) -> bool {
    let base = path
        .iter()
        .fold(src.to_path_buf(), |dir, segment| dir.join(segment));
    base.with_extension("rs").is_file() || base.join("mod.rs").is_file()
}

/// Whether `to` reaches `from` in `edges`.
fn reaches(edges: &BTreeMap<String, BTreeSet<String>>, from: &str, to: &str) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack = vec![to.to_owned()];
    while let Some(node) = stack.pop() {
        if node == from {
            return true;
        }
        if seen.insert(node.clone()) {
            stack.extend(edges.get(&node).into_iter().flatten().cloned());
        }
    }
    false
}

#[test]
fn no_two_modules_import_each_other() {
    let mut cycles = BTreeSet::new();
    for depth in [1, 2] {
        let edges = graph(depth);
        for (from, tos) in &edges {
            for to in tos {
                if reaches(&edges, from, to) {
                    let mut pair = [from.clone(), to.clone()];
                    pair.sort();
                    cycles.insert(pair.join(" <-> "));
                }
            }
        }
    }
    assert!(cycles.is_empty(), "modules in a cycle: {cycles:#?}");
}

/// The layers of the README's diagram, top first: each line's module names before the
/// description (`app · crawl`).
fn layers() -> Vec<Vec<String>> {
    let readme =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = &readme[readme.find("## Where things go").unwrap()..];
    let diagram = section
        .split("```text\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .unwrap();
    diagram
        .lines()
        .filter(|line| !line.starts_with(' ') && !line.trim().is_empty())
        .map(|line| {
            let names = line.split("  ").next().unwrap_or("");
            names
                .split('·')
                .map(|n| n.trim().to_owned())
                .filter(|n| !n.is_empty())
                .collect()
        })
        .collect()
}

#[test]
fn no_module_imports_one_above_it_in_the_readme_diagram() {
    let layers = layers();
    let layer_of = |module: &str| layers.iter().position(|l| l.iter().any(|m| m == module));
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let top: BTreeSet<String> = files
        .iter()
        .filter_map(|f| module_of(&src, f).first().cloned())
        .filter(|m| m != "lib" && m != "main")
        .collect();
    let missing: Vec<&String> = top.iter().filter(|m| layer_of(m).is_none()).collect();
    assert!(
        missing.is_empty(),
        "modules the README's diagram does not place: {missing:?}"
    );
    let mut upward = Vec::new();
    for (from, tos) in graph(1) {
        for to in tos {
            if let (Some(a), Some(b)) = (layer_of(&from), layer_of(&to))
                && a >= b
            {
                upward.push(format!("{from} imports {to}"));
            }
        }
    }
    assert!(
        upward.is_empty(),
        "imports of a module on the same layer or above: {upward:#?}"
    );
}
