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
    let rules: &[(&str, &[&str])] = &[
        (
            "layout.rs",
            &[
                "config", "world", "schedule", "cpu", "gpu", "sim", "view", "batch", "app",
            ],
        ),
        (
            "program.rs",
            &[
                "config", "world", "schedule", "cpu", "gpu", "sim", "view", "batch", "app",
            ],
        ),
        (
            "config",
            &[
                "world", "schedule", "cpu", "gpu", "sim", "view", "batch", "app",
            ],
        ),
        (
            "world",
            &["schedule", "cpu", "gpu", "sim", "view", "batch", "app"],
        ),
        (
            "schedule.rs",
            &["cpu", "gpu", "sim", "view", "batch", "app"],
        ),
        ("cpu", &["gpu", "sim", "view", "batch", "app"]),
        ("gpu", &["cpu", "sim", "view", "batch", "app"]),
        ("sim.rs", &["view", "batch", "app"]),
        ("view.rs", &["batch", "app"]),
        ("batch.rs", &["app"]),
    ];
    let mut found = Vec::new();
    for (module, above) in rules {
        for file in sources(module) {
            let text = std::fs::read_to_string(&file).unwrap();
            let named = named_modules(&text);
            for name in *above {
                if named.iter().any(|n| n == name) {
                    found.push(format!("{} names {name}", file.display()));
                }
            }
        }
    }
    assert!(found.is_empty(), "layering broken:\n{}", found.join("\n"));
}
