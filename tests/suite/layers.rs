//! The layers of docs/architecture.md, held: a module never names one above it.

use std::path::{Path, PathBuf};

fn sources(under: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let path = root.join(under);
    if path.is_file() {
        return vec![path];
    }
    let mut out = Vec::new();
    let mut dirs = vec![path];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let p = entry.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    assert!(!out.is_empty(), "no sources under src/{under}");
    out
}

/// The top-level modules a source names through `crate::` or `silico::`, grouped `use`
/// trees included: `use crate::{cpu, world::{A, B}}` names `cpu` and `world`.
fn named_modules(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    for prefix in ["crate::", "silico::"] {
        let mut rest = text;
        while let Some(at) = rest.find(prefix) {
            rest = &rest[at + prefix.len()..];
            let after = rest.trim_start();
            if let Some(group) = after.strip_prefix('{') {
                // The group's top-level items, each up to its first `::`, `,` or `}`.
                let (mut depth, mut item) = (0, String::new());
                for c in group.chars() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => break,
                        '}' => depth -= 1,
                        ',' if depth == 0 => {
                            names.push(std::mem::take(&mut item));
                            continue;
                        }
                        _ => {}
                    }
                    if depth == 0 && c != '}' {
                        item.push(c);
                    }
                }
                names.push(item);
            } else {
                names.push(after.to_string());
            }
        }
    }
    names
        .iter()
        .map(|n| {
            n.trim()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect::<String>()
        })
        .filter(|n| !n.is_empty())
        .collect()
}

#[test]
fn grouped_use_trees_are_read() {
    let text = "use crate::{cpu, world::{A, B}, gpu::X};\nlet x = silico::app::run();";
    assert_eq!(named_modules(text), ["cpu", "world", "gpu", "app"]);
}

#[test]
fn no_module_names_a_layer_above_it() {
    // Above the backends: the engine (sim, view), then runs and batch, the science, and
    // the front ends (app, cli).
    const ABOVE_ENGINE: &[&str] = &["batch", "runs", "science", "app", "cli"];
    let with = |own: &'static [&'static str]| -> Vec<&'static str> {
        own.iter().chain(ABOVE_ENGINE).copied().collect()
    };
    let rules: Vec<(&str, Vec<&str>)> = vec![
        (
            "layout.rs",
            with(&["config", "world", "schedule", "cpu", "gpu", "sim", "view"]),
        ),
        (
            "program.rs",
            with(&["config", "world", "schedule", "cpu", "gpu", "sim", "view"]),
        ),
        (
            "config",
            with(&["world", "schedule", "cpu", "gpu", "sim", "view"]),
        ),
        ("world", with(&["schedule", "cpu", "gpu", "sim", "view"])),
        ("schedule.rs", with(&["cpu", "gpu", "sim", "view"])),
        ("cpu", with(&["gpu", "sim", "view"])),
        ("gpu", with(&["cpu", "sim", "view"])),
        ("sim.rs", with(&["view"])),
        ("view", with(&[])),
        ("runs", vec!["batch", "science", "app", "cli"]),
        ("batch.rs", vec!["science", "app", "cli"]),
        ("science", vec!["app", "cli"]),
    ];
    let mut found = Vec::new();
    for (module, above) in &rules {
        for file in sources(module) {
            let text = std::fs::read_to_string(&file).unwrap();
            let named = named_modules(&text);
            for name in above {
                if named.iter().any(|n| n == name) {
                    found.push(format!("{} names {name}", file.display()));
                }
            }
        }
    }
    assert!(found.is_empty(), "layering broken:\n{}", found.join("\n"));
}

/// A source's text without comments and without its test module (whose `super::` is the
/// file itself).
fn code_of(text: &str) -> String {
    let text = text
        .split("\n#[cfg(test)]\nmod tests")
        .next()
        .unwrap_or(text);
    text.lines()
        .map(|l| match l.find("//") {
            Some(at) => &l[..at],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every path a source names from `prefix` on (`crate::`, `silico::`, `super::`), grouped
/// `use` trees expanded: `crate::{a::{B, C}, d}` gives `a::B`, `a::C` and `d`.
fn paths_after(code: &str, prefix: &str) -> Vec<Vec<String>> {
    fn expand(tree: &str) -> Vec<String> {
        let tree = tree.trim();
        let Some(open) = tree.find('{') else {
            return vec![tree.to_string()];
        };
        let head = &tree[..open];
        let body = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
        let (mut depth, mut item, mut items) = (0, String::new(), Vec::new());
        for c in body.chars() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    items.push(std::mem::take(&mut item));
                    continue;
                }
                _ => {}
            }
            item.push(c);
        }
        items.push(item);
        items
            .iter()
            .filter(|i| !i.trim().is_empty())
            .flat_map(|i| expand(i))
            .map(|tail| format!("{head}{tail}"))
            .collect()
    }
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find(prefix) {
        let before = rest[..at].chars().last();
        rest = &rest[at + prefix.len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        // The path runs to the end of its name, or of the brace group that follows it.
        let name_end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(rest.len());
        let mut end = name_end;
        if rest[name_end..].starts_with('{') {
            let mut depth = 0;
            for (k, c) in rest[name_end..].char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => continue,
                }
                if depth == 0 {
                    end = name_end + k + 1;
                    break;
                }
            }
        }
        for p in expand(&rest[..end]) {
            let segs: Vec<String> = p
                .split("::")
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty() && s != "self" && s != "*")
                .collect();
            out.push(segs);
        }
    }
    out
}

/// No circle among the files of src/: following `crate::`, `silico::` and `super::` paths
/// (grouped `use` trees included) from file to file never comes back. A circle means two
/// files that can only be understood, tested and changed together.
#[test]
fn the_file_level_import_graph_has_no_circle() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    // Module path -> file: src/a.rs and src/a/mod.rs are `a`, src/a/b.rs is `a::b`.
    let mut modules: std::collections::BTreeMap<Vec<String>, PathBuf> = Default::default();
    for file in sources(".") {
        let rel = file.strip_prefix(&root).unwrap();
        let mut segs: Vec<String> = rel
            .with_extension("")
            .iter()
            .map(|s| s.to_string_lossy().into_owned())
            .collect();
        if segs
            .last()
            .is_some_and(|s| s == "mod" || s == "lib" || s == "main")
        {
            segs.pop();
        }
        if rel == Path::new("main.rs") {
            continue;
        }
        modules.insert(segs, file);
    }
    let resolve = |path: &[String]| -> Option<&PathBuf> {
        (1..=path.len()).rev().find_map(|n| modules.get(&path[..n]))
    };
    let mut edges: std::collections::BTreeMap<&PathBuf, std::collections::BTreeSet<&PathBuf>> =
        Default::default();
    for (module, file) in &modules {
        let code = code_of(&std::fs::read_to_string(file).unwrap());
        // `super::` of src/a/b.rs (module a::b) and of src/a/mod.rs (module a) alike is
        // the module's parent.
        let parent: Vec<String> = module[..module.len().saturating_sub(1)].to_vec();
        let mut named: Vec<Vec<String>> = paths_after(&code, "crate::");
        named.extend(paths_after(&code, "silico::"));
        named.extend(
            paths_after(&code, "super::")
                .into_iter()
                .map(|p| parent.iter().cloned().chain(p).collect()),
        );
        let to = edges.entry(file).or_default();
        for p in named {
            if let Some(target) = resolve(&p) {
                if target != file {
                    to.insert(target);
                }
            }
        }
    }
    // Depth-first search for a back edge.
    fn visit<'a>(
        f: &'a PathBuf,
        edges: &std::collections::BTreeMap<&'a PathBuf, std::collections::BTreeSet<&'a PathBuf>>,
        state: &mut std::collections::HashMap<&'a PathBuf, bool>,
        stack: &mut Vec<&'a PathBuf>,
    ) -> Option<Vec<&'a PathBuf>> {
        match state.get(f) {
            Some(true) => return None,
            Some(false) => {
                let at = stack.iter().position(|s| *s == f).unwrap();
                return Some(stack[at..].to_vec());
            }
            None => {}
        }
        state.insert(f, false);
        stack.push(f);
        for t in edges.get(f).into_iter().flatten() {
            if let Some(circle) = visit(t, edges, state, stack) {
                return Some(circle);
            }
        }
        stack.pop();
        state.insert(f, true);
        None
    }
    let mut state = Default::default();
    for f in modules.values() {
        if let Some(circle) = visit(f, &edges, &mut state, &mut Vec::new()) {
            let names: Vec<String> = circle
                .iter()
                .map(|p| p.strip_prefix(&root).unwrap().display().to_string())
                .collect();
            panic!(
                "an import circle: {} -> back to the first",
                names.join(" -> ")
            );
        }
    }
    // The reader sees what it should: the science reads runs through `runs`.
    let report = modules[&vec!["science".to_string(), "report".to_string()]].clone();
    assert!(edges[&report].contains(&modules[&vec!["runs".to_string()]]));
}

#[test]
fn use_trees_expand_into_paths() {
    let code = "use crate::{a::{B, c::D}, e};\nlet x = crate::f::g(); use super::h;";
    assert_eq!(
        paths_after(code, "crate::"),
        [
            vec!["a", "B"],
            vec!["a", "c", "D"],
            vec!["e"],
            vec!["f", "g"]
        ]
    );
    assert_eq!(paths_after(code, "super::"), [vec!["h"]]);
}

/// The house's shape (docs/architecture.md): at most 12 files at src/'s top level (the
/// rest in folders by layer), `src/main.rs` a parser and an error report, no source over
/// 800 lines and at most five over 600.
#[test]
fn the_house_keeps_its_shape() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let top: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            (p.is_file() && p.extension().is_some_and(|x| x == "rs"))
                .then(|| p.file_name().unwrap().to_string_lossy().into_owned())
        })
        .collect();
    assert!(
        top.len() <= 12,
        "{} files at src/'s top level: {top:?}",
        top.len()
    );
    let lines = |p: &Path| std::fs::read_to_string(p).unwrap().lines().count();
    let main = lines(&root.join("main.rs"));
    assert!(main <= 200, "src/main.rs has {main} lines");
    let mut long: Vec<(usize, PathBuf)> = sources(".")
        .into_iter()
        .map(|p| (lines(&p), p))
        .filter(|(n, _)| *n > 600)
        .collect();
    long.sort();
    assert!(
        long.iter().all(|(n, _)| *n <= 800) && long.len() <= 5,
        "sources over 600 lines (at most five, none over 800): {long:?}"
    );
    // A function over 120 lines says why at its top (a doc line "Long because ...").
    let mut unexplained = Vec::new();
    for p in sources(".") {
        let text = std::fs::read_to_string(&p).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (start, line) in lines.iter().enumerate() {
            let body = line.trim_start();
            let indent = line.len() - body.len();
            let is_fn = ["fn ", "pub fn ", "pub(super) fn ", "pub(crate) fn "]
                .iter()
                .any(|k| body.starts_with(k));
            if !is_fn || body.ends_with(';') {
                continue;
            }
            let close = format!("{}}}", " ".repeat(indent));
            let Some(len) = lines[start..].iter().position(|l| *l == close) else {
                continue;
            };
            let docs = lines[..start].iter().rev().take_while(|l| {
                l.trim_start().starts_with("///") || l.trim_start().starts_with("#[")
            });
            if len + 1 > 120 && !docs.into_iter().any(|l| l.contains("Long because")) {
                unexplained.push(format!("{}:{} ({} lines)", p.display(), start + 1, len + 1));
            }
        }
    }
    assert!(
        unexplained.is_empty(),
        "functions over 120 lines without a reason at their top: {unexplained:?}"
    );
}
