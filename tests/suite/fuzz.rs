//! Property-based fuzzing of every input parser (proptest, stable Rust): config RON (the
//! shipped files mutated, and configs generated field by field), `--set` paths and values,
//! experiment files, scenario programs, checkpoint bytes, metrics.csv and lineage.csv cut
//! mid-line before a resume, and command-line argument vectors. The property for each: no
//! panic; a refusal names the file and the place in it (a position, a field path or the
//! allowed range), a damaged checkpoint is refused as the kind of damage it is, a command
//! line's refusal quotes the argument, and a resume that changes the world's shape is
//! refused naming every differing field (worked out by the test, not the code under test);
//! an accepted config round-trips through its own RON.
//!
//! `cargo test` tries `FUZZ_CASES` cases per target (64 by default); `bash tests/fuzz.sh`
//! runs many more and prints how many each target tried.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use proptest::test_runner::{Config as PropConfig, TestRunner};

use silico::config::Config;
use silico::world::{checkpoint, State};

use crate::common;

/// `FUZZ_CASES` (64 when unset): a whole number of at least 1, or the test fails. A value
/// that silently fell back, or 0, would let every target pass on nothing.
fn cases() -> u32 {
    match std::env::var("FUZZ_CASES") {
        Err(_) => 64,
        Ok(v) => match v.trim().parse::<u32>() {
            Ok(n) if n >= 1 => n,
            _ => panic!("FUZZ_CASES={v:?}: give a whole number of cases, at least 1"),
        },
    }
}

/// Whether a refusal says *where* the input went wrong: a position in the named file
/// (`origin:line:column`), or a config field path, or the allowed range of a value.
fn names_the_place(msg: &str, origin: &str) -> bool {
    let position = msg.match_indices(&format!("{origin}:")).any(|(at, m)| {
        msg[at + m.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
    });
    position
        || msg.contains("allowed")
        || field_paths().iter().any(|p| {
            msg.contains(p.as_str())
                || p.split_once('.')
                    .is_some_and(|(top, _)| msg.contains(&format!("{top}.")))
        })
}

/// An accepted config comes back unchanged through its own RON.
fn round_trips(cfg: &Config) -> Result<(), String> {
    let again = silico::world::config_from_ron(&cfg.to_ron(), "round-trip")
        .map_err(|e| format!("accepted, but its RON does not load again: {e}"))?;
    if &again == cfg {
        Ok(())
    } else {
        Err("accepted, but its RON loads as another config".into())
    }
}

/// Run `test` over `cases()` inputs of `strategy`, printing how many were tried.
fn fuzz<S: Strategy>(name: &str, strategy: S, test: impl Fn(S::Value) -> Result<(), String>)
where
    S::Value: std::fmt::Debug,
{
    let tried = AtomicUsize::new(0);
    let mut runner = TestRunner::new(PropConfig {
        cases: cases(),
        failure_persistence: None,
        ..PropConfig::default()
    });
    let result = runner.run(&strategy, |input| {
        tried.fetch_add(1, Ordering::Relaxed);
        let shown = format!("{input:?}");
        match catch_unwind(AssertUnwindSafe(|| test(input))) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(TestCaseError::fail(e)),
            Err(_) => Err(TestCaseError::fail(format!("panicked on {shown}"))),
        }
    });
    println!("fuzz {name}: {} cases", tried.load(Ordering::Relaxed));
    if let Err(e) = result {
        panic!("fuzz {name}: {e}");
    }
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// One edit of a text: (kind, where as a fraction of its length, what).
#[derive(Clone, Debug)]
struct Edit {
    kind: u8,
    at: f64,
    what: String,
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    let payload = prop_oneof![
        Just(String::new()),
        "[(),:\\[\\]\"{}]",
        "-?[0-9]{1,12}(\\.[0-9]{0,4})?(e[+-]?[0-9]{1,3})?",
        Just("NaN".to_string()),
        Just("inf".to_string()),
        Just("-inf".to_string()),
        Just("1e40".to_string()),
        "[a-zA-Z_]{1,12}",
        Just("None".to_string()),
        Just("Some(".to_string()),
        "\\PC{1,4}",
    ];
    prop::collection::vec(
        (0u8..5, 0.0f64..1.0, payload).prop_map(|(kind, at, what)| Edit { kind, at, what }),
        1..6,
    )
}

/// Apply edits: insert, delete a span, replace a span, duplicate a span, truncate.
fn apply(text: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for e in edits {
        let n = chars.len();
        let at = ((e.at * n as f64) as usize).min(n);
        let span = (e.what.len().max(1)).min(n - at);
        match e.kind {
            0 => {
                chars.splice(at..at, e.what.chars());
            }
            1 => {
                chars.drain(at..at + span);
            }
            2 => {
                chars.splice(at..at + span, e.what.chars());
            }
            3 => {
                let copy: Vec<char> = chars[at..at + span].to_vec();
                chars.splice(at..at, copy);
            }
            _ => chars.truncate(at),
        }
    }
    chars.into_iter().collect()
}

fn shipped_configs() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(root().join("configs"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn mutated_shipped_configs_are_refused_naming_the_file() {
    let files = shipped_configs();
    let n = files.len();
    fuzz("config files", (0..n, edits()), |(k, e)| {
        let (name, text) = &files[k];
        let origin = format!("fuzzed-{name}");
        match silico::world::config_from_ron(&apply(text, &e), &origin) {
            Ok(cfg) => {
                silico::world::validate(&cfg)
                    .map_err(|errs| format!("accepted but invalid: {errs:?}"))?;
                round_trips(&cfg)
            }
            Err(err) => {
                let msg = err.to_string();
                if msg.contains(&origin) && names_the_place(&msg, &origin) {
                    Ok(())
                } else {
                    Err(format!(
                        "refusal does not name the file and the place in it: {msg}"
                    ))
                }
            }
        }
    });
}

/// Every leaf field path of a config (as --set takes them).
fn field_paths() -> Vec<String> {
    fn walk(v: &serde_json::Value, prefix: &str, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(map) if !map.is_empty() => {
                for (k, sub) in map {
                    let p = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(sub, &p, out);
                }
            }
            _ => out.push(prefix.to_string()),
        }
    }
    let mut out = Vec::new();
    walk(
        &serde_json::to_value(Config::default()).unwrap(),
        "",
        &mut out,
    );
    out
}

fn values() -> impl Strategy<Value = String> {
    prop_oneof![
        "-?[0-9]{1,11}",
        "-?[0-9]{1,6}\\.[0-9]{1,6}",
        Just("NaN".to_string()),
        Just("inf".to_string()),
        Just("1e39".to_string()),
        Just("-0.0".to_string()),
        "[A-Z][a-zA-Z]{0,10}",
        "\\([a-z_]{1,8}: -?[0-9]{1,4}\\)",
        "\"[a-z ]{0,8}\"",
        "\\[[0-9, .]{0,12}\\]",
        Just("Some(3)".to_string()),
        Just("None".to_string()),
        Just("true".to_string()),
        "\\PC{0,6}",
    ]
}

#[test]
fn generated_overrides_are_refused_naming_the_setting() {
    let paths = field_paths();
    let n = paths.len();
    let base = Config::default();
    fuzz(
        "--set values",
        prop::collection::vec((0..n, values()), 1..4),
        |sets| {
            let sets: Vec<String> = sets
                .into_iter()
                .map(|(k, v)| format!("{}={v}", paths[k]))
                .collect();
            match silico::world::with_overrides(&base, &sets) {
                Ok(cfg) => {
                    silico::world::validate(&cfg)
                        .map_err(|e| format!("accepted but invalid: {e:?}"))?;
                    round_trips(&cfg)
                }
                Err(err) => {
                    // The refusal names one of the settings' field paths (not merely
                    // "--set", which every refusal of an override contains).
                    let msg = err.to_string();
                    if sets
                        .iter()
                        .any(|s| msg.contains(s.split('=').next().unwrap_or(s)))
                    {
                        Ok(())
                    } else {
                        Err(format!("refusal names no setting's field: {msg}"))
                    }
                }
            }
        },
    );
}

#[test]
fn random_override_paths_are_refused_naming_the_path() {
    let base = Config::default();
    fuzz(
        "--set paths",
        ("[a-z_.]{0,24}", "[=]{0,2}", values()),
        |(path, eq, value)| {
            let set = format!("{path}{eq}{value}");
            match silico::world::with_overrides(&base, std::slice::from_ref(&set)) {
                Ok(cfg) => round_trips(&cfg),
                Err(err) => {
                    let msg = err.to_string();
                    if msg.contains(&set) || msg.contains(&path) {
                        Ok(())
                    } else {
                        Err(format!(
                            "refusal names neither the setting nor its path: {msg}"
                        ))
                    }
                }
            }
        },
    );
}

#[test]
fn mutated_experiment_files_are_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let exp_dir = dir.path().join("experiments");
    std::fs::create_dir_all(&exp_dir).unwrap();
    for (name, text) in shipped_configs() {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let mut files: Vec<String> = std::fs::read_dir(root().join("configs/experiments"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    files.sort();
    let n = files.len();
    fuzz("experiment files", (0..n, edits()), |(k, e)| {
        let path = exp_dir.join(format!("fuzzed-{k}.ron"));
        std::fs::write(&path, apply(&files[k], &e)).map_err(|e| e.to_string())?;
        // Search files (with designs) have their own loader.
        let loaded = if files[k].contains("designs:") {
            silico::science::search::Search::load(&path).map(|_| ())
        } else {
            silico::science::experiment::Experiment::load(&path).map(|_| ())
        };
        match loaded {
            Ok(()) => Ok(()),
            Err(err) => {
                let msg = format!("{err:#}");
                let file = path.display().to_string();
                // The file, and where in it: a position, a field, a variant or a design.
                let place = names_the_place(&msg, &file)
                    || [
                        "variant", "design", "seeds", "ticks", "targets", "ablate", "controls",
                        "base",
                    ]
                    .iter()
                    .any(|w| msg.contains(w));
                if msg.contains(&file) && place {
                    Ok(())
                } else {
                    Err(format!(
                        "refusal does not name the file and the place in it: {msg}"
                    ))
                }
            }
        }
    });
}

fn program() -> impl Strategy<Value = String> {
    let float = prop_oneof![
        (-3.0f64..3.0).prop_map(|v| format!("{v:.3}")),
        Just("NaN".to_string()),
        Just("inf".to_string()),
        Just("-inf".to_string()),
        Just("1e300".to_string()),
    ];
    prop_oneof![
        prop::collection::vec(float.clone(), 0..40)
            .prop_map(|v| format!("Raw([{}])", v.join(", "))),
        (-1000i64..5000).prop_map(|n| format!("Rule({n})")),
        "[A-Za-z]{0,12}".prop_map(|o| format!("Op({o})")),
        Just("Random".to_string()),
        "\\PC{0,10}",
    ]
}

fn memory() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec((-2.0f64..2.0).prop_map(|v| format!("{v:.2}")), 0..30)
            .prop_map(|v| format!("Raw([{}])", v.join(", "))),
        (
            -5.0f64..5.0,
            prop_oneof![Just("NaN"), Just("0.5"), Just("inf")]
        )
            .prop_map(|(a, b)| format!("Values(move_x: {a:.2}, bit: {b})")),
        Just("Random".to_string()),
    ]
}

#[test]
fn scenario_programs_are_refused_naming_the_field() {
    fuzz(
        "scenario programs",
        (program(), memory(), 0u32..300, -50.0f64..300.0),
        |(program, memory, count, x)| {
            let text = format!(
                "(world: (map_size: 16), agents: (capacity: 8), bots: (count: 8), scenario: (bots: [(pos: ({x:.1}, 4.0), count: {count}, step: (8.0, 0.0), program: {program}, memory: {memory})]))"
            );
            match silico::world::config_from_ron(&text, "fuzzed-scenario.ron") {
                Ok(cfg) => {
                    // An accepted program runs.
                    let mut w = silico::cpu::CpuWorld::new(&cfg, State::new(&cfg));
                    w.tick();
                    Ok(())
                }
                Err(err) => {
                    let msg = err.to_string();
                    if msg.contains("fuzzed-scenario.ron")
                        && (names_the_place(&msg, "fuzzed-scenario.ron")
                            || msg.contains("scenario"))
                    {
                        Ok(())
                    } else {
                        Err(format!(
                            "refusal does not name the file and the field: {msg}"
                        ))
                    }
                }
            }
        },
    );
}

/// A small checkpoint's bytes and the offsets of its section lengths.
fn a_checkpoint() -> Vec<u8> {
    let mut cfg = common::tiny();
    cfg.world.map_size = 16;
    cfg.agents.capacity = 16;
    cfg.agents.initial_agents = Some(16);
    cfg.agents.min_agents = Some(4);
    let mut w = silico::cpu::CpuWorld::new(&cfg, State::new(&cfg));
    w.tick();
    checkpoint::encode(&cfg, &w.state)
}

#[derive(Clone, Debug)]
enum Damage {
    /// Flip bits and leave the checksum as it was.
    Flip(Vec<(f64, u8)>),
    /// Flip bits and recompute the checksum, so the reader goes past it.
    FlipSealed(Vec<(f64, u8)>),
    Truncate(f64),
    /// Overwrite 8 bytes (a section length, say) with a lie, resealed.
    Lie(f64, u64),
    Version(u32),
    Foreign(Vec<u8>),
}

fn damage() -> impl Strategy<Value = Damage> {
    let flips = prop::collection::vec((0.0f64..1.0, 0u8..8), 1..8);
    prop_oneof![
        flips.clone().prop_map(Damage::Flip),
        flips.prop_map(Damage::FlipSealed),
        (0.0f64..1.0).prop_map(Damage::Truncate),
        (0.0f64..1.0, any::<u64>()).prop_map(|(a, v)| Damage::Lie(a, v)),
        any::<u32>().prop_map(Damage::Version),
        prop::collection::vec(any::<u8>(), 0..200).prop_map(Damage::Foreign),
    ]
}

fn seal(mut body: Vec<u8>) -> Vec<u8> {
    let sum = blake3::hash(&body);
    body.extend_from_slice(sum.as_bytes());
    body
}

#[test]
fn damaged_checkpoints_are_refused_naming_the_file() {
    let good = a_checkpoint();
    use silico::error::CheckpointError as E;
    fuzz("checkpoint bytes", damage(), |d| {
        let body = good[..good.len() - 32].to_vec();
        let at = |f: f64, n: usize| ((f * n as f64) as usize).min(n.saturating_sub(1));
        // What the damage must be refused as, where that is certain.
        let expect: Option<&str> = match &d {
            Damage::Flip(flips) => {
                let ks: Vec<usize> = flips.iter().map(|(f, _)| at(*f, good.len())).collect();
                if ks.iter().any(|&k| k < 8) {
                    Some("foreign")
                } else if ks.iter().any(|&k| k < 12) {
                    None // a version: out of range, or in range with a wrong checksum
                } else {
                    Some("checksum")
                }
            }
            Damage::Truncate(f) if at(*f, good.len()) < 8 => Some("foreign"),
            Damage::Truncate(_) => Some("corrupt"),
            Damage::Version(v) if !(3..=checkpoint::VERSION).contains(v) => Some("version"),
            Damage::Foreign(b) => {
                // Given the right magic below when it starts with an odd byte.
                let magic = b.starts_with(checkpoint::MAGIC) || (b.len() > 3 && b[0] & 1 == 1);
                (!magic).then_some("foreign")
            }
            _ => None,
        };
        let bytes = match d {
            Damage::Flip(flips) => {
                let mut b = good.clone();
                for (f, bit) in flips {
                    let k = at(f, b.len());
                    b[k] ^= 1 << bit;
                }
                b
            }
            Damage::FlipSealed(flips) => {
                let mut b = body.clone();
                for (f, bit) in flips {
                    let k = at(f, b.len());
                    b[k] ^= 1 << bit;
                }
                seal(b)
            }
            Damage::Truncate(f) => good[..at(f, good.len())].to_vec(),
            Damage::Lie(f, v) => {
                let mut b = body.clone();
                let k = at(f, b.len().saturating_sub(8));
                b[k..k + 8].copy_from_slice(&v.to_le_bytes());
                seal(b)
            }
            Damage::Version(v) => {
                let mut b = body.clone();
                b[8..12].copy_from_slice(&v.to_le_bytes());
                seal(b)
            }
            Damage::Foreign(mut b) => {
                if b.len() > 3 && b[0] & 1 == 1 {
                    // Sometimes the right magic on a wrong body.
                    let mut m = checkpoint::MAGIC.to_vec();
                    m.append(&mut b);
                    b = m;
                }
                b
            }
        };
        match checkpoint::decode(&bytes, "fuzzed.silico") {
            Ok((cfg, state)) => {
                if let Some(kind) = expect {
                    return Err(format!("accepted damage that must be refused as {kind}"));
                }
                // Only harmless damage gets through: the world still runs.
                let mut w = silico::cpu::CpuWorld::new(&cfg, state);
                w.tick();
                Ok(())
            }
            Err(err) => {
                let msg = err.to_string();
                let kind_ok = match expect {
                    None => true,
                    Some("foreign") => matches!(err, E::Foreign { .. }),
                    Some("checksum") => {
                        matches!(err, E::Corrupt { .. }) && msg.contains("checksum")
                    }
                    Some("corrupt") => matches!(err, E::Corrupt { .. }),
                    Some("version") => matches!(err, E::Version { .. }),
                    Some(other) => unreachable!("{other}"),
                };
                if !msg.contains("fuzzed.silico") {
                    Err(format!("refusal does not name the file: {msg}"))
                } else if !kind_ok {
                    Err(format!(
                        "refused as the wrong kind (want {expect:?}): {msg}"
                    ))
                } else {
                    Ok(())
                }
            }
        }
    });
}

#[test]
fn metrics_and_lineage_cut_mid_line_resume_to_whole_files() {
    use silico::batch::{self, BackendChoice, ConfigArgs, RunOptions};
    let dir = tempfile::tempdir().unwrap();
    let cfg_path = dir.path().join("tiny.ron");
    std::fs::write(&cfg_path, common::tiny().to_ron()).unwrap();
    let first = dir.path().join("first");
    batch::run(&RunOptions {
        out: Some(first.clone()),
        checkpoint_every: 10,
        backend: BackendChoice::Cpu,
        quiet: true,
        ..RunOptions::new(Some(cfg_path), 20)
    })
    .unwrap();
    let metrics = std::fs::read(first.join("metrics.csv")).unwrap();
    let lineage = std::fs::read(first.join("lineage.csv")).unwrap();
    let copy = |from: &Path, to: &Path| {
        for entry in walk(from) {
            let rel = entry.strip_prefix(from).unwrap();
            let dst = to.join(rel);
            std::fs::create_dir_all(dst.parent().unwrap()).unwrap();
            std::fs::copy(&entry, &dst).unwrap();
        }
    };
    let case = AtomicUsize::new(0);
    fuzz(
        "metrics.csv and lineage.csv cut",
        (0.0f64..1.0, 0.0f64..1.0),
        |(m, l)| {
            let run = dir
                .path()
                .join(format!("case-{}", case.fetch_add(1, Ordering::Relaxed)));
            copy(&first, &run);
            std::fs::write(
                run.join("metrics.csv"),
                &metrics[..(m * metrics.len() as f64) as usize],
            )
            .unwrap();
            std::fs::write(
                run.join("lineage.csv"),
                &lineage[..(l * lineage.len() as f64) as usize],
            )
            .unwrap();
            batch::run(&RunOptions {
                resume: Some(run.join("checkpoints/tick-00000010.silico")),
                out: Some(run.clone()),
                backend: BackendChoice::Cpu,
                quiet: true,
                cfg: ConfigArgs::default(),
                ..RunOptions::new(None, 20)
            })
            .map_err(|e| format!("{e:#}"))?;
            // Whole rows, in order, through the end.
            let text = std::fs::read_to_string(run.join("metrics.csv")).unwrap();
            let mut ticks = Vec::new();
            for line in text.lines().skip(1) {
                let t: f64 = line
                    .split(',')
                    .next()
                    .and_then(|v| v.parse().ok())
                    .ok_or_else(|| format!("a cut row survived: {line}"))?;
                ticks.push(t);
            }
            if ticks.windows(2).any(|w| w[1] <= w[0]) || ticks.last() != Some(&20.0) {
                return Err(format!("rows out of order or missing their end: {ticks:?}"));
            }
            let lineage = std::fs::read_to_string(run.join("lineage.csv")).unwrap();
            let fields = lineage.lines().next().map_or(0, |h| h.split(',').count());
            if lineage.lines().any(|l| l.split(',').count() != fields) {
                return Err("lineage.csv has a cut row".into());
            }
            std::fs::remove_dir_all(&run).ok();
            Ok(())
        },
    );
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "run",
            "app",
            "bench",
            "validate",
            "experiment",
            "ablate",
            "render",
            "collect",
            "report",
            "lineage",
            "inspect",
            "--config",
            "--set",
            "--ticks",
            "--seed",
            "--out",
            "--resume",
            "--backend",
            "--checkpoint-every",
            "--frames-every",
            "--knockouts",
            "--replicates",
            "--naive",
            "--shard",
            "--jobs",
            "--layer",
            "--lines",
            "--select",
            "--size",
            "--top",
            "--overwrite",
            "--quiet",
            "--json",
            "--passes",
            "gpu",
            "cpu",
            "auto",
            "agent:3",
            "bot:x",
            "1/0",
            "0/4",
            "messages-off,bots-off",
            "tick0",
            "-1",
            "18446744073709551616",
            "NaN",
            "",
        ])
        .prop_map(str::to_string),
        "\\PC{0,12}",
        "-?[0-9]{1,20}",
    ]
}

#[test]
fn command_lines_parse_or_are_refused_naming_the_argument() {
    use clap::Parser;
    fuzz(
        "command lines",
        prop::collection::vec(token(), 0..8),
        |args| {
            let argv = std::iter::once("silico".to_string()).chain(args.iter().cloned());
            use clap::error::ErrorKind as K;
            match silico::cli::Cli::try_parse_from(argv) {
                Ok(_) => Ok(()),
                Err(e) => {
                    let msg = e.to_string();
                    // Help and version are answers, not refusals; a missing argument or
                    // subcommand is named by clap, not by the command line; any other
                    // refusal quotes the argument it refused.
                    let specific = match e.kind() {
                        K::DisplayHelp
                        | K::DisplayVersion
                        | K::DisplayHelpOnMissingArgumentOrSubcommand => !msg.trim().is_empty(),
                        K::MissingRequiredArgument | K::MissingSubcommand => {
                            msg.contains("required") || msg.contains("Usage")
                        }
                        _ => {
                            args.iter().filter(|a| !a.is_empty()).any(|a| {
                                msg.contains(a.as_str()) || msg.contains(a.trim_start_matches('-'))
                            }) || msg.contains("Usage")
                        }
                    };
                    if specific {
                        Ok(())
                    } else {
                        Err(format!(
                            "a refusal that names no argument ({:?}): {msg}",
                            e.kind()
                        ))
                    }
                }
            }
        },
    );
}

#[test]
fn resumes_that_change_the_worlds_shape_are_refused_listing_the_differences() {
    use silico::batch::{self, BackendChoice, ConfigArgs, RunOptions};
    let dir = tempfile::tempdir().unwrap();
    let cfg = common::tiny();
    let ckpt = dir.path().join("start.silico");
    checkpoint::write(&ckpt, &cfg, &State::new(&cfg)).unwrap();
    let structural = [
        "world.map_size",
        "agents.capacity",
        "bots.count",
        "agents.view_agents",
        "agents.view_bots",
        "agents.terrain_view_range",
        "terrain.perlin_res",
    ];
    let others = [
        "costs.move_cost",
        "mutation.sigma",
        "controls.messages",
        "seed",
    ];
    let case = AtomicUsize::new(0);
    fuzz(
        "resume --set",
        prop::collection::vec(
            (
                prop::sample::select(
                    structural
                        .iter()
                        .chain(&others)
                        .copied()
                        .collect::<Vec<_>>(),
                ),
                prop_oneof![
                    (1u32..200).prop_map(|v| v.to_string()),
                    Just("Shuffled".to_string()),
                    Just("0.3".to_string())
                ],
            ),
            1..3,
        ),
        |sets| {
            let sets: Vec<String> = sets.iter().map(|(p, v)| format!("{p}={v}")).collect();
            let out = dir
                .path()
                .join(format!("case-{}", case.fetch_add(1, Ordering::Relaxed)));
            let r = batch::run(&RunOptions {
                resume: Some(ckpt.clone()),
                out: Some(out),
                backend: BackendChoice::Cpu,
                quiet: true,
                cfg: ConfigArgs {
                    config: None,
                    sets: sets.clone(),
                },
                ..RunOptions::new(None, 0)
            });
            // What the sets make of the checkpoint's config: invalid (refused naming a
            // set field), a change of shape (refused naming every differing field), or
            // neither (accepted).
            // Worked out here field by field, not by the code under test.
            let at = |c: &Config, path: &str| {
                let mut v = serde_json::to_value(c).unwrap();
                for k in path.split('.') {
                    v = v[k].take();
                }
                v
            };
            let differing: Vec<String> = match silico::world::with_overrides(&cfg, &sets) {
                Err(_) => Vec::new(),
                Ok(new) => structural
                    .iter()
                    .filter(|f| at(&cfg, f) != at(&new, f))
                    .map(|f| f.to_string())
                    .collect(),
            };
            let invalid = silico::world::with_overrides(&cfg, &sets).is_err();
            match r {
                Ok(_) if invalid => Err(format!("accepted invalid sets {sets:?}")),
                Ok(_) if !differing.is_empty() => {
                    Err(format!("accepted a change of shape: {differing:?}"))
                }
                Ok(_) => Ok(()),
                Err(e) => {
                    let msg = format!("{e:#}");
                    if !differing.is_empty() {
                        match differing.iter().find(|f| !msg.contains(f.as_str())) {
                            None => Ok(()),
                            Some(f) => Err(format!("refusal does not name {f}: {msg}")),
                        }
                    } else if invalid {
                        let named = sets
                            .iter()
                            .any(|s| msg.contains(s.split('=').next().unwrap_or(s)));
                        if named {
                            Ok(())
                        } else {
                            Err(format!("refusal names no set field: {msg}"))
                        }
                    } else {
                        Err(format!("refused sets that keep the shape {sets:?}: {msg}"))
                    }
                }
            }
        },
    );
}
