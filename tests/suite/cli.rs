//! The `silico` binary end to end on a tiny world.

use crate::common;

use std::path::Path;
use std::process::Command;

use silico::world::METRIC_COLUMNS;

fn silico(args: &[&str]) -> std::process::Output {
    Command::new(common::silico_bin())
        .args(args)
        .output()
        .expect("run silico")
}

fn tiny_config(dir: &Path) -> String {
    let path = dir.join("tiny.ron");
    std::fs::write(
        &path,
        "(world: (map_size: 32), agents: (capacity: 64, min_agents: 16, initial_agents: 64, view_agents: 8, terrain_view_range: 2), bots: (count: 8), metrics_every: 5)",
    )
    .unwrap();
    path.display().to_string()
}

/// Backend for the runs: the GPU when one is there (as CI requires), else the CPU.
fn backend() -> &'static str {
    if common::gpu().is_some() {
        "gpu"
    } else {
        "cpu"
    }
}

fn listing(dir: &Path) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    for e in walk(dir) {
        let meta = std::fs::metadata(&e).unwrap();
        out.push((e.display().to_string(), meta.len()));
    }
    out.sort();
    out
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

#[test]
fn run_writes_every_output_and_resume_continues() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = tiny_config(tmp.path());
    let out = tmp.path().join("run");
    let o = silico(&[
        "run",
        "--config",
        &cfg,
        "--ticks",
        "60",
        "--out",
        out.to_str().unwrap(),
        "--checkpoint-every",
        "20",
        "--quiet",
        "--backend",
        backend(),
    ]);
    assert!(
        o.status.success(),
        "run failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    for f in [
        "config.ron",
        "metrics.csv",
        "final.silico",
        "summary.json",
        "checkpoints/tick-00000020.silico",
        "checkpoints/tick-00000040.silico",
    ] {
        assert!(out.join(f).exists(), "{f} missing");
    }
    let csv = std::fs::read_to_string(out.join("metrics.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next().unwrap(), METRIC_COLUMNS.join(","));
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 12, "one row per 5 ticks for 60 ticks");
    for (k, row) in rows.iter().enumerate() {
        let cells: Vec<f64> = row.split(',').map(|v| v.parse().unwrap()).collect();
        assert_eq!(cells.len(), METRIC_COLUMNS.len());
        assert_eq!(cells[0] as usize, 5 * (k + 1));
    }
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    for key in [
        "ticks",
        "wall_s",
        "ticks_per_s",
        "agent_ticks_per_s",
        "population",
        "state_hash",
        "adapter",
        "backend",
    ] {
        assert!(summary.get(key).is_some(), "summary.json lacks {key}");
    }
    assert_eq!(summary["ticks"], 60);

    // inspect agrees with the summary.
    let o = silico(&["inspect", out.join("final.silico").to_str().unwrap()]);
    assert!(o.status.success());
    let info: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(info["tick"], 60);
    assert_eq!(info["state_hash"], summary["state_hash"]);
    assert!(info.get("config_digest").is_some() && info.get("population").is_some());

    // Resuming the tick-20 checkpoint up to tick 60 gives the same world.
    let out2 = tmp.path().join("resumed");
    let o = silico(&[
        "run",
        "--resume",
        out.join("checkpoints/tick-00000020.silico")
            .to_str()
            .unwrap(),
        "--ticks",
        "60",
        "--out",
        out2.to_str().unwrap(),
        "--quiet",
        "--backend",
        backend(),
    ]);
    assert!(
        o.status.success(),
        "resume failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let s2: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out2.join("summary.json")).unwrap()).unwrap();
    assert_eq!(s2["ticks"], 60);
    assert_eq!(s2["ticks_run"], 40);
    assert_eq!(s2["state_hash"], summary["state_hash"]);

    // A safe change is a fork, recorded in config.ron; a structural one is refused.
    let o = silico(&[
        "run",
        "--resume",
        out.join("final.silico").to_str().unwrap(),
        "--ticks",
        "70",
        "--out",
        tmp.path().join("fork").to_str().unwrap(),
        "--set",
        "mutation.sigma=0.05",
        "--quiet",
        "--backend",
        backend(),
    ]);
    assert!(
        o.status.success(),
        "fork failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let forked = std::fs::read_to_string(tmp.path().join("fork/config.ron")).unwrap();
    assert!(forked.contains("sigma: 0.05"), "{forked}");
    let o = silico(&[
        "run",
        "--resume",
        out.join("final.silico").to_str().unwrap(),
        "--ticks",
        "70",
        "--out",
        tmp.path().join("bad").to_str().unwrap(),
        "--set",
        "agents.capacity=128",
        "--quiet",
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("agents.capacity") && err.contains("64") && err.contains("128"),
        "{err}"
    );
    assert!(
        !tmp.path().join("bad").exists(),
        "a refused resume created its output directory"
    );
}

#[test]
fn corrupt_checkpoint_is_refused_and_output_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("existing");
    std::fs::create_dir_all(out.join("checkpoints")).unwrap();
    std::fs::write(out.join("metrics.csv"), "precious data\n").unwrap();
    let before = listing(&out);
    let bad = tmp.path().join("bad.silico");
    let cfg = common::tiny();
    let mut bytes = silico::world::checkpoint::encode(&cfg, &silico::world::State::new(&cfg));
    bytes.truncate(bytes.len() - 100);
    std::fs::write(&bad, &bytes).unwrap();
    let o = silico(&[
        "run",
        "--resume",
        bad.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("bad.silico") && (err.contains("corrupt") || err.contains("truncated")),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(listing(&out), before);
    assert_eq!(
        std::fs::read_to_string(out.join("metrics.csv")).unwrap(),
        "precious data\n"
    );
}

#[test]
fn bad_arguments_get_clear_errors() {
    let o = silico(&["run", "--config", "/no/such/file.ron", "--quiet"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("/no/such/file.ron"));
    let o = silico(&["inspect", "/no/such.silico"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("/no/such.silico"));
    let o = silico(&["run", "--set", "agents.capacity", "--quiet"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("path.to.field=VALUE"));
    let o = silico(&["lineage", "/no/such/run"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("/no/such/run"));
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("lineage.csv");
    std::fs::write(&bad, "id,parent\n1,2\n").unwrap();
    let o = silico(&["lineage", tmp.path().to_str().unwrap()]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("lineage.csv") && err.contains("first line"),
        "{err}"
    );
    let o = silico(&["app", "--select", "agnt:3"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("agent:N or bot:N"));
}

#[test]
fn bench_prints_json() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = tiny_config(tmp.path());
    let o = silico(&[
        "bench",
        "--config",
        &cfg,
        "--ticks",
        "20",
        "--json",
        "--backend",
        backend(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    for key in ["ticks_per_s", "agent_ticks_per_s", "adapter", "backend"] {
        assert!(v.get(key).is_some(), "bench JSON lacks {key}");
    }
    assert!(v["ticks_per_s"].as_f64().unwrap() > 0.0);
}

#[test]
fn every_metric_column_is_documented() {
    let doc = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("docs")
            .join("metrics.md"),
    )
    .unwrap();
    for c in METRIC_COLUMNS {
        assert!(
            doc.contains(&format!("| `{c}` |")),
            "docs/metrics.md does not document metrics column `{c}`"
        );
    }
}

#[test]
fn ctrl_c_finishes_the_tick_writes_a_checkpoint_and_exits_0() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = tiny_config(tmp.path());
    let out = tmp.path().join("interrupted");
    let mut child = Command::new(common::silico_bin())
        .args([
            "run",
            "--config",
            &cfg,
            "--ticks",
            "100000000",
            "--out",
            out.to_str().unwrap(),
            "--quiet",
            "--backend",
            backend(),
        ])
        .spawn()
        .unwrap();
    // Wait until it is running ticks (rows in the CSV), so its handler is installed.
    let csv = out.join("metrics.csv");
    let started = std::time::Instant::now();
    while std::fs::read_to_string(&csv)
        .map(|s| s.lines().count())
        .unwrap_or(0)
        < 3
    {
        assert!(started.elapsed().as_secs() < 120, "the run never started");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "interrupted run exited with {exit}");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["interrupted"], true);
    let ticks = summary["ticks"].as_u64().unwrap();
    assert!(ticks > 0 && ticks < 100000000);
    assert!(out
        .join(format!("checkpoints/tick-{ticks:08}.silico"))
        .exists());
    let (_, state) = silico::world::checkpoint::read(&out.join("final.silico")).unwrap();
    assert_eq!(state.tick(), ticks);
}

#[test]
fn ablate_forks_go_on_as_the_run_and_refuse_another_ablation_in_their_folder() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = tiny_config(dir.path());
    let run = dir.path().join("run");
    // On the CPU reference: every fork is a world of its own, and on lavapipe each spends
    // about 12 s building its pipelines (tests/suite/gpu_vs_cpu.rs holds the GPU to the CPU).
    let out = silico(&[
        "run",
        "--config",
        &cfg,
        "--ticks",
        "40",
        "--checkpoint-every",
        "20",
        "--quiet",
        "--backend",
        "cpu",
        "--out",
        run.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ckpt = run.join("checkpoints/tick-00000020.silico");
    let forks = dir.path().join("forks");
    let ablate = |ticks: &str| {
        silico(&[
            "ablate",
            ckpt.to_str().unwrap(),
            "--ticks",
            ticks,
            "--replicates",
            "2",
            "--knockouts",
            "messages-shuffled,bots-off",
            "--quiet",
            "--backend",
            "cpu",
            "--out",
            forks.to_str().unwrap(),
        ])
    };
    let out = ablate("20");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let hash = |p: &Path| -> String {
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(p.join("summary.json")).unwrap())
                .unwrap();
        v["state_hash"].as_str().unwrap().to_string()
    };
    // Replicate 0 keeps the run's random streams: its intact fork is the run itself with
    // evolution frozen from the checkpoint on.
    let frozen = dir.path().join("frozen");
    let o = silico(&[
        "run",
        "--resume",
        ckpt.to_str().unwrap(),
        "--ticks",
        "40",
        "--set",
        silico::science::ablate::FROZEN,
        "--quiet",
        "--backend",
        "cpu",
        "--out",
        frozen.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(hash(&forks.join("evolved/rep-0/intact")), hash(&frozen));
    assert_ne!(
        hash(&frozen),
        hash(&run),
        "freezing evolution changes the world"
    );
    assert_ne!(hash(&forks.join("evolved/rep-1/intact")), hash(&frozen));
    assert_ne!(hash(&forks.join("evolved/rep-0/bots-off")), hash(&frozen));
    assert_ne!(
        hash(&forks.join("evolved/rep-0/placebo")),
        hash(&frozen),
        "another stream"
    );
    for f in [
        "ablation.csv",
        "knockouts.csv",
        "ablation.md",
        "naive-start.silico",
    ] {
        assert!(forks.join(f).is_file(), "{f}");
    }
    let table = std::fs::read_to_string(forks.join("knockouts.csv")).unwrap();
    assert!(table.starts_with("knockout,fitness,evolved_loss,naive_loss,evolved_dependence\n"));
    assert_eq!(
        table.lines().count(),
        1 + (2 + 1) * silico::science::fitness::FITNESS.len(),
        "two knockouts and the placebo"
    );
    // Again: nothing to do, the same tables.
    let again = ablate("20");
    assert!(again.status.success());
    assert_eq!(
        std::fs::read_to_string(forks.join("knockouts.csv")).unwrap(),
        table
    );
    // Another ablation into the same folder is refused, and nothing there changes.
    let before = listing(&forks);
    let other = ablate("30");
    assert!(!other.status.success());
    let err = String::from_utf8_lossy(&other.stderr);
    assert!(
        err.contains("another checkpoint or with other settings"),
        "{err}"
    );
    assert_eq!(listing(&forks), before);
}

fn summary_of(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap()
}

#[test]
fn a_finished_run_is_never_overwritten_by_accident() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = tiny_config(tmp.path());
    let out = tmp.path().join("D");
    let o = out.to_str().unwrap();
    let first = silico(&[
        "run",
        "--config",
        &cfg,
        "--ticks",
        "30",
        "--checkpoint-every",
        "10",
        "--quiet",
        "--backend",
        "cpu",
        "--out",
        o,
    ]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let before = listing(&out);
    // Another run into the same folder is refused, naming the folder and the ways out,
    // and nothing there changes.
    let again = silico(&[
        "run",
        "--config",
        &cfg,
        "--ticks",
        "10",
        "--seed",
        "5",
        "--quiet",
        "--backend",
        "cpu",
        "--out",
        o,
    ]);
    assert!(!again.status.success());
    let err = String::from_utf8_lossy(&again.stderr);
    for needle in [o, "a run to tick 30", "--resume", "--out", "--overwrite"] {
        assert!(err.contains(needle), "the refusal lacks {needle}: {err}");
    }
    assert_eq!(listing(&out), before);
    // A fork of another run's checkpoint into it is refused too.
    let other = tmp.path().join("other");
    let o2 = other.to_str().unwrap();
    assert!(silico(&[
        "run",
        "--config",
        &cfg,
        "--ticks",
        "10",
        "--checkpoint-every",
        "5",
        "--quiet",
        "--backend",
        "cpu",
        "--out",
        o2
    ])
    .status
    .success());
    let fork = silico(&[
        "run",
        "--resume",
        other
            .join("checkpoints/tick-00000005.silico")
            .to_str()
            .unwrap(),
        "--ticks",
        "10",
        "--quiet",
        "--backend",
        "cpu",
        "--out",
        o,
    ]);
    assert!(!fork.status.success());
    assert_eq!(listing(&out), before);
    // Continuing it from its own checkpoint is what --resume is for.
    let resumed = silico(&[
        "run",
        "--resume",
        out.join("checkpoints/tick-00000020.silico")
            .to_str()
            .unwrap(),
        "--ticks",
        "40",
        "--quiet",
        "--backend",
        "cpu",
        "--out",
        o,
    ]);
    assert!(
        resumed.status.success(),
        "{}",
        String::from_utf8_lossy(&resumed.stderr)
    );
    assert_eq!(summary_of(&out)["ticks"], 40);
    // --overwrite moves the old run aside, whole, and says where.
    let old_hash = summary_of(&out)["state_hash"].clone();
    let replaced = silico(&[
        "run",
        "--config",
        &cfg,
        "--ticks",
        "10",
        "--seed",
        "5",
        "--quiet",
        "--backend",
        "cpu",
        "--overwrite",
        "--out",
        o,
    ]);
    assert!(
        replaced.status.success(),
        "{}",
        String::from_utf8_lossy(&replaced.stderr)
    );
    assert!(String::from_utf8_lossy(&replaced.stderr).contains("moved it to"));
    let aside: Vec<std::path::PathBuf> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("D.replaced-")
        })
        .collect();
    assert_eq!(aside.len(), 1);
    assert_eq!(summary_of(&aside[0])["state_hash"], old_hash);
    assert_eq!(summary_of(&out)["ticks"], 10);
    assert!(
        !out.join(silico::runs::outdir::LOCK_FILE).exists(),
        "the lock goes with the run"
    );
}

#[test]
fn two_writers_of_one_folder_are_refused_and_a_dead_ones_lock_taken_over() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = tiny_config(tmp.path());
    let out = tmp.path().join("D");
    let o = out.to_str().unwrap();
    let mut long = Command::new(common::silico_bin())
        .args([
            "run",
            "--config",
            &cfg,
            "--ticks",
            "100000000",
            "--quiet",
            "--backend",
            "cpu",
            "--out",
            o,
        ])
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while !out.join("metrics.csv").exists() {
        assert!(started.elapsed().as_secs() < 60, "the run never started");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let second = silico(&[
        "run",
        "--config",
        &cfg,
        "--ticks",
        "5",
        "--quiet",
        "--backend",
        "cpu",
        "--overwrite",
        "--out",
        o,
    ]);
    assert!(!second.status.success());
    let err = String::from_utf8_lossy(&second.stderr);
    assert!(err.contains("being written by another silico"), "{err}");
    // Killed hard: its lock stays, and the next writer takes it over.
    long.kill().unwrap();
    long.wait().unwrap();
    assert!(out.join(silico::runs::outdir::LOCK_FILE).exists());
    let third = silico(&[
        "run",
        "--config",
        &cfg,
        "--ticks",
        "5",
        "--quiet",
        "--backend",
        "cpu",
        "--overwrite",
        "--out",
        o,
    ]);
    assert!(
        third.status.success(),
        "{}",
        String::from_utf8_lossy(&third.stderr)
    );
    assert!(String::from_utf8_lossy(&third.stderr).contains("which is gone"));
}

/// SIGTERM and SIGINT land while checkpoints are being written every tick: the run ends
/// with a checkpoint, every checkpoint it left is whole, and resuming from the last one
/// reaches the same world as a run that was never interrupted.
/// A signal while checkpoints are written every tick: the run stops before its last tick
/// (checked: `interrupted`, and its tick), every checkpoint it left loads, the world it
/// stopped with is the uninterrupted run's at that tick, and resuming its newest
/// checkpoint reaches the uninterrupted run's world further on.
#[test]
fn signals_during_checkpoint_writes_lose_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = tiny_config(tmp.path());
    let hash_at = |ticks: u64, name: &str| {
        let dir = tmp.path().join(name);
        let o = silico(&[
            "run",
            "--config",
            &cfg,
            "--ticks",
            &ticks.to_string(),
            "--quiet",
            "--backend",
            "cpu",
            "--out",
            dir.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        summary_of(&dir)["state_hash"].clone()
    };
    const NEVER: u64 = 100_000_000;
    for (k, (signal, after_ms)) in [("-TERM", 150u64), ("-INT", 400), ("-TERM", 700)]
        .into_iter()
        .enumerate()
    {
        let out = tmp.path().join(format!("cut-{k}"));
        let o = out.to_str().unwrap();
        let mut child = Command::new(common::silico_bin())
            .args([
                "run",
                "--config",
                &cfg,
                "--ticks",
                &NEVER.to_string(),
                "--checkpoint-every",
                "1",
                "--quiet",
                "--backend",
                "cpu",
                "--out",
                o,
            ])
            .spawn()
            .unwrap();
        let started = std::time::Instant::now();
        while !out.join("checkpoints").exists() {
            assert!(started.elapsed().as_secs() < 60, "the run never started");
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        std::thread::sleep(std::time::Duration::from_millis(after_ms));
        let killed = Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success(), "{signal}: kill failed");
        assert!(
            child.wait().unwrap().success(),
            "{signal}: the run did not end cleanly"
        );
        let summary = summary_of(&out);
        assert_eq!(summary["interrupted"], true, "{signal}: {summary}");
        let stopped = summary["ticks"].as_u64().unwrap();
        assert!(
            stopped > 0 && stopped < NEVER,
            "{signal}: stopped at {stopped}"
        );
        let mut checkpoints: Vec<std::path::PathBuf> = std::fs::read_dir(out.join("checkpoints"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "silico"))
            .collect();
        checkpoints.sort();
        assert!(
            checkpoints.len() > 1,
            "{signal}: checkpoints were being written"
        );
        for c in &checkpoints {
            silico::world::checkpoint::read(c).unwrap_or_else(|e| panic!("{signal}: {e}"));
        }
        assert_eq!(
            summary["state_hash"],
            hash_at(stopped, &format!("whole-{k}")),
            "{signal}: the world it stopped with is the uninterrupted run's"
        );
        let last = checkpoints.last().unwrap().to_str().unwrap().to_string();
        let further = stopped + 20;
        let resumed = silico(&[
            "run",
            "--resume",
            &last,
            "--ticks",
            &further.to_string(),
            "--quiet",
            "--backend",
            "cpu",
            "--out",
            o,
        ]);
        assert!(
            resumed.status.success(),
            "{}",
            String::from_utf8_lossy(&resumed.stderr)
        );
        assert_eq!(
            summary_of(&out)["state_hash"],
            hash_at(further, &format!("further-{k}")),
            "{signal} after {after_ms} ms"
        );
    }
}

/// A full disk, as a file-size limit makes it (writes past it fail with EFBIG): a clear
/// error naming the file, and what was written before stays whole.
#[test]
fn a_full_disk_is_a_clear_error_and_loses_nothing_written() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = tiny_config(tmp.path());
    let out = tmp.path().join("full");
    // Random brains keep checkpoints small (no genomes); a row every tick fills metrics.csv
    // past the limit of 800 blocks of 512 bytes within a few hundred ticks.
    let script = format!(
        "trap '' XFSZ; ulimit -f 800; exec {} run --config {cfg} --set brain=Random --set metrics_every=1 --ticks 2000 --checkpoint-every 50 --quiet --backend cpu --out {}",
        common::silico_bin().display(),
        out.display()
    );
    let run = Command::new("sh").args(["-c", &script]).output().unwrap();
    assert!(!run.status.success(), "the run should have run out of room");
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(
        err.contains(&out.join("metrics.csv").display().to_string()) && err.contains("too large"),
        "{err}"
    );
    let written: Vec<std::path::PathBuf> = std::fs::read_dir(out.join("checkpoints"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "silico"))
        .collect();
    assert!(written.len() >= 2, "some checkpoints were written before");
    for c in &written {
        silico::world::checkpoint::read(c).unwrap();
    }
    // The rows written stay whole rows.
    let rows = std::fs::read_to_string(out.join("metrics.csv")).unwrap();
    let width = rows.lines().next().unwrap().split(',').count();
    let whole = rows
        .lines()
        .filter(|l| l.split(',').count() == width)
        .count();
    assert!(
        whole >= rows.lines().count() - 1,
        "at most the last row is cut"
    );
    assert!(!out.join(silico::runs::outdir::LOCK_FILE).exists());
    // An output folder that cannot be made (a file stands where it would go).
    let blocked = tmp.path().join("file");
    std::fs::write(&blocked, "x").unwrap();
    let o = blocked.join("run");
    let run = silico(&[
        "run",
        "--config",
        &cfg,
        "--ticks",
        "5",
        "--quiet",
        "--backend",
        "cpu",
        "--out",
        o.to_str().unwrap(),
    ]);
    assert!(!run.status.success());
    assert!(String::from_utf8_lossy(&run.stderr).contains(&o.display().to_string()));
}

/// `--keep-checkpoints N` keeps the newest N periodic checkpoints (and final.silico), and
/// the run resumes from the oldest one kept to the same world; N = 0 is refused.
#[test]
fn keep_checkpoints_prunes_the_oldest_and_resume_still_matches() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = tiny_config(dir.path());
    let out = dir.path().join("run");
    let o = silico(&[
        "run",
        "--config",
        &cfg,
        "--ticks",
        "50",
        "--checkpoint-every",
        "10",
        "--keep-checkpoints",
        "2",
        "--backend",
        "cpu",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut kept: Vec<String> = std::fs::read_dir(out.join("checkpoints"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    kept.sort();
    assert_eq!(kept, vec!["tick-00000030.silico", "tick-00000040.silico"]);
    assert!(out.join("final.silico").is_file());
    let again = dir.path().join("again");
    let o = silico(&[
        "run",
        "--resume",
        out.join("checkpoints/tick-00000030.silico")
            .to_str()
            .unwrap(),
        "--ticks",
        "50",
        "--backend",
        "cpu",
        "--quiet",
        "--out",
        again.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        summary_of(&again)["state_hash"],
        summary_of(&out)["state_hash"]
    );
    let o = silico(&[
        "run",
        "--config",
        &cfg,
        "--ticks",
        "5",
        "--keep-checkpoints",
        "0",
        "--backend",
        "cpu",
        "--out",
        dir.path().join("zero").to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("--keep-checkpoints") && err.contains('0'),
        "{err}"
    );
}

/// Default run folders are named by date and time in UTC, leap days and year ends right.
#[test]
fn run_folders_are_named_by_utc_date_and_time() {
    use silico::runs::outdir::utc_stamp;
    assert_eq!(utc_stamp(0), "19700101-000000");
    assert_eq!(utc_stamp(1_796_588_619), "20261206-202339");
    assert_eq!(utc_stamp(951_782_400), "20000229-000000");
    assert_eq!(utc_stamp(4_102_444_799), "20991231-235959");
}

/// A run without periodic checkpoints leaves no empty checkpoints/ folder, and every run
/// ends by saying what to do next.
#[test]
fn a_run_without_checkpoints_makes_no_checkpoints_folder_and_says_what_next() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = tiny_config(dir.path());
    let out = dir.path().join("run");
    let o = silico(&[
        "run",
        "--config",
        &cfg,
        "--ticks",
        "5",
        "--quiet",
        "--backend",
        "cpu",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.join("final.silico").is_file());
    assert!(
        !out.join("checkpoints").exists(),
        "an empty checkpoints/ folder"
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("next: silico app --checkpoint") && err.contains("silico report"),
        "{err}"
    );
    assert!(err.contains("CPU engine"), "{err}");
}

/// `silico validate` takes experiment and search files as well as configs, and `silico
/// collect` refuses a folder that holds no experiment without writing into it.
#[test]
fn validate_takes_experiment_files_and_collect_refuses_a_plain_run() {
    let o = silico(&["validate", "configs/experiments/evidence.ron"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("ok (experiment)"));
    let o = silico(&["validate", "configs/experiments/search.ron"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("ok (search)"));
    let o = silico(&["validate", "configs/tiny.ron"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("ok (config)"));
    let o = silico(&[
        "validate",
        "configs/experiments/evidence.ron",
        "--set",
        "seed=3",
    ]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("--set applies to configs"));

    let dir = tempfile::tempdir().unwrap();
    let cfg = tiny_config(dir.path());
    let run = dir.path().join("run");
    let o = silico(&[
        "run",
        "--config",
        &cfg,
        "--ticks",
        "5",
        "--quiet",
        "--backend",
        "cpu",
        "--out",
        run.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    let before = listing(&run);
    let o = silico(&["collect", run.to_str().unwrap()]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("not an experiment folder") && err.contains(run.to_str().unwrap()),
        "{err}"
    );
    assert_eq!(listing(&run), before, "nothing written into it");
}

/// Every argument of every subcommand says what it is in `--help`.
#[test]
fn every_argument_has_a_help_text() {
    use clap::CommandFactory;
    let mut bare = Vec::new();
    let cli = silico::cli::Cli::command();
    for sub in cli.get_subcommands() {
        for arg in sub.get_arguments() {
            let id = arg.get_id().as_str();
            if id == "help" || id == "version" {
                continue;
            }
            if arg.get_help().is_none() && arg.get_long_help().is_none() {
                bare.push(format!("{} {id}", sub.get_name()));
            }
        }
    }
    assert!(bare.is_empty(), "arguments without help: {bare:?}");
}

/// A world larger than the memory the process may use is refused with both figures
/// before anything is allocated or written (it used to abort on a failed allocation).
#[test]
fn a_world_too_large_for_memory_is_refused_with_the_figures() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("big");
    // 8,192 agents of the Linear brain need about 4.3 GiB; the address space is held to
    // about 1.9 GiB, which a few hundred MB of code and libraries already use part of.
    let script = format!(
        "ulimit -v 2000000; exec {} run --config configs/default.ron --set agents.capacity=8192 --ticks 2 --quiet --backend cpu --out {}",
        common::silico_bin().display(),
        out.display()
    );
    let run = Command::new("sh").args(["-c", &script]).output().unwrap();
    let err = String::from_utf8_lossy(&run.stderr);
    assert_eq!(
        run.status.code(),
        Some(1),
        "a clear refusal, not an abort: {err}"
    );
    assert!(
        err.contains("needs about 4.3 GiB")
            && err.contains("GiB available")
            && err.contains("agents.capacity = 8192"),
        "{err}"
    );
    assert!(!out.exists(), "nothing is written for a refused world");
}

/// A file that cannot be read is named, with the system's reason given once.
#[test]
fn a_missing_file_is_named_with_its_reason_once() {
    for args in [
        &["run", "--config", "/nonexistent/cfg.ron", "--ticks", "1"][..],
        &[
            "run",
            "--resume",
            "/nonexistent/final.silico",
            "--ticks",
            "1",
        ][..],
    ] {
        let out = silico(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        assert!(err.contains("/nonexistent/"), "{err}");
        assert_eq!(err.matches("(os error 2)").count(), 1, "{args:?}: {err}");
    }
}
