//! Experiments: files are validated naming the variant and field; shards partition the
//! runs; a killed experiment resumes to the same worlds as an uninterrupted one; results.csv
//! and summary.md cover every run.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use silico::experiment::{parse_shard, shard, Experiment};

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn tiny_base(dir: &Path) {
    write(dir, "base.ron", &common::tiny().to_ron());
}

#[test]
fn shipped_experiments_load() {
    for f in std::fs::read_dir("configs/experiments").unwrap() {
        let p = f.unwrap().path();
        let e = Experiment::load(&p).unwrap_or_else(|e| panic!("{}: {e:#}", p.display()));
        assert!(!e.pairs().is_empty());
    }
    let smoke = Experiment::load(Path::new("configs/experiments/smoke.ron")).unwrap();
    assert_eq!(smoke.pairs().len(), 4, "2 variants x 2 seeds");
    let emergence = Experiment::load(Path::new("configs/experiments/emergence.ron")).unwrap();
    assert_eq!(emergence.pairs().len(), 25);
}

#[test]
fn bad_experiments_name_the_variant_and_field() {
    let dir = tempfile::tempdir().unwrap();
    tiny_base(dir.path());
    let typo = write(
        dir.path(),
        "typo.ron",
        r#"(base: Path("base.ron"), variants: [(name: "ok", set: []), (name: "bad", set: ["agents.capacty=5"])], seeds: [0], ticks: 10)"#,
    );
    let err = format!("{:#}", Experiment::load(&typo).err().unwrap());
    assert!(
        err.contains("variant 'bad'") && err.contains("capacty"),
        "{err}"
    );
    let range = write(
        dir.path(),
        "range.ron",
        r#"(base: Path("base.ron"), variants: [(name: "big", set: ["agents.capacity=0"])], seeds: [0], ticks: 10)"#,
    );
    let err = format!("{:#}", Experiment::load(&range).err().unwrap());
    assert!(
        err.contains("variant 'big'") && err.contains("agents.capacity"),
        "{err}"
    );
    let empty = write(
        dir.path(),
        "empty.ron",
        r#"(base: Path("base.ron"), variants: [(name: "a b", set: [])], seeds: [], ticks: 0)"#,
    );
    let err = format!("{:#}", Experiment::load(&empty).err().unwrap());
    assert!(
        err.contains("seeds is empty") && err.contains("ticks = 0") && err.contains("'a b'"),
        "{err}"
    );
    let unknown = write(
        dir.path(),
        "unknown.ron",
        r#"(base: Path("base.ron"), variants: [], seeds: [0], ticks: 1, tickz: 4)"#,
    );
    let err = format!("{:#}", Experiment::load(&unknown).err().unwrap());
    assert!(
        err.contains("unknown.ron") && err.contains("tickz"),
        "{err}"
    );
    let missing = write(
        dir.path(),
        "missing.ron",
        r#"(base: Path("nope.ron"), variants: [(name: "a")], seeds: [0], ticks: 1)"#,
    );
    let err = format!("{:#}", Experiment::load(&missing).err().unwrap());
    assert!(err.contains("nope.ron"), "{err}");
    assert!(parse_shard("3/3").is_err() && parse_shard("x").is_err());
    assert_eq!(parse_shard("2/5"), Ok((2, 5)));
}

#[test]
fn shards_cover_every_run_once() {
    let e = Experiment::load(Path::new("configs/experiments/emergence.ron")).unwrap();
    let pairs = e.pairs();
    for n in 1..=8 {
        let mut seen = vec![0; pairs.len()];
        for i in 0..n {
            for p in shard(&pairs, i, n) {
                seen[p.index] += 1;
            }
        }
        assert!(seen.iter().all(|c| *c == 1), "N = {n}: {seen:?}");
    }
}

fn silico(args: &[&str]) -> std::process::Output {
    Command::new(common::silico_bin())
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn a_killed_experiment_resumes_to_the_same_worlds() {
    let dir = tempfile::tempdir().unwrap();
    tiny_base(dir.path());
    let exp = write(
        dir.path(),
        "long.ron",
        r#"(base: Path("base.ron"), variants: [(name: "w", set: [])], seeds: [3], ticks: 600, checkpoint_every: 100)"#,
    );
    // `silico experiment` of this file into `out`, on the CPU (as a command: spawn() or
    // output()).
    let command = |out: &Path| {
        let mut c = Command::new(common::silico_bin());
        c.args(["experiment", exp.to_str().unwrap(), "--out"])
            .arg(out)
            .args(["--backend", "cpu", "--quiet"]);
        c
    };
    let run_exp = |out: &Path| command(out).output().unwrap();
    let whole = dir.path().join("whole");
    let o = run_exp(&whole);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    // Kill a second copy once it has written a checkpoint, then run the command again.
    let parts = dir.path().join("parts");
    let mut child = command(&parts)
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let ckpt = parts.join("w/seed-3/checkpoints/tick-00000200.silico");
    let start = Instant::now();
    while !ckpt.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "no checkpoint appeared"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    let _ = child.wait();
    assert!(
        !parts.join("w/seed-3/summary.json").exists(),
        "killed before the end"
    );
    let o = run_exp(&parts);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let hash = |d: &Path| {
        let csv = std::fs::read_to_string(d.join("results.csv")).unwrap();
        let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
        let row: Vec<String> = csv
            .lines()
            .nth(1)
            .unwrap()
            .split(',')
            .map(String::from)
            .collect();
        let k = header.iter().position(|h| *h == "state_hash").unwrap();
        row[k].clone()
    };
    assert_eq!(
        hash(&whole),
        hash(&parts),
        "the resumed world is bit-identical"
    );
    let m = |d: &Path| std::fs::read_to_string(d.join("w/seed-3/metrics.csv")).unwrap();
    assert_eq!(m(&whole), m(&parts), "and so are its metrics");
    // A third invocation finds everything done.
    let o = run_exp(&parts);
    assert!(String::from_utf8_lossy(&o.stderr).contains("0 run or resumed, 1 already done"));
}

#[test]
fn results_and_summary_cover_every_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("smoke");
    // Two shards run separately, then collected.
    for s in ["0/2", "1/2"] {
        let o = silico(&[
            "experiment",
            "configs/experiments/smoke.ron",
            "--out",
            out.to_str().unwrap(),
            "--shard",
            s,
            "--jobs",
            "2",
            "--quiet",
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let o = silico(&["collect", out.to_str().unwrap()]);
    assert!(o.status.success());
    let csv = std::fs::read_to_string(out.join("results.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 5, "a header and 4 runs");
    let header: Vec<&str> = lines[0].split(',').collect();
    for c in [
        "variant",
        "seed",
        "ticks",
        "wall_s",
        "ticks_per_s",
        "state_hash",
        "final_comm_speaker_mi",
        "mean_agri_cultivated_cells",
    ] {
        assert!(header.contains(&c), "results.csv has {c}");
    }
    for l in &lines[1..] {
        assert_eq!(l.split(',').count(), header.len());
        assert!(l.contains(",200,"), "{l}");
    }
    let md = std::fs::read_to_string(out.join("summary.md")).unwrap();
    assert!(
        md.contains("world (n=2)") && md.contains("no-messages (n=2)"),
        "{md}"
    );
    // The Slurm script runs one shard per array task.
    let slurm = dir.path().join("slurm");
    let o = silico(&[
        "experiment",
        "configs/experiments/smoke.ron",
        "--emit-slurm",
        slurm.to_str().unwrap(),
        "--shards",
        "2",
    ]);
    assert!(o.status.success());
    let script = std::fs::read_to_string(slurm.join("smoke.sbatch")).unwrap();
    assert!(script.contains("#SBATCH --array=0-1"));
    assert!(script.contains("--shard \"$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT\""));
}
