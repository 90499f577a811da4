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
            for name in *above {
                for prefix in ["crate::", "silico::"] {
                    if text.contains(&format!("{prefix}{name}::"))
                        || text.contains(&format!("{prefix}{name};"))
                    {
                        found.push(format!("{} names {prefix}{name}", file.display()));
                    }
                }
            }
        }
    }
    assert!(found.is_empty(), "layering broken:\n{}", found.join("\n"));
}
