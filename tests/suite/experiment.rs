//! Experiments: files are validated naming the variant and field; shards partition the
//! runs; a killed experiment resumes to the same worlds as an uninterrupted one; results.csv
//! and summary.md cover every run.

use crate::common;

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
        if std::fs::read_to_string(&p).unwrap().contains("designs:") {
            silico::search::Search::load(&p).unwrap_or_else(|e| panic!("{}: {e:#}", p.display()));
            continue;
        }
        let e = Experiment::load(&p).unwrap_or_else(|e| panic!("{}: {e:#}", p.display()));
        assert!(!e.pairs().is_empty());
    }
    let smoke = Experiment::load(Path::new("configs/experiments/smoke.ron")).unwrap();
    assert_eq!(smoke.pairs().len(), 4, "2 variants x 2 seeds");
    let emergence = Experiment::load(Path::new("configs/experiments/emergence.ron")).unwrap();
    assert_eq!(emergence.pairs().len(), 35);
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

/// Forks and experiments of many small worlds run on the CPU reference: on lavapipe every
/// world spends about 12 s building its pipelines, and the passes under them are held to
/// the CPU's by tests/suite/gpu_vs_cpu.rs (the controls included).
fn backend() -> silico::batch::BackendChoice {
    silico::batch::BackendChoice::Cpu
}

/// Four agents, each on a cell with a bot that starts on a program that does nothing
/// (Product with a zero self_message). An "evolved" agent writes Keep into its bot, which
/// then raises the gain of the cell they share every step; its food comes from that farm.
fn bot_farmers() -> (silico::config::Config, silico::world::State) {
    use silico::config::{AgentPlacement, BotPlacement, GenomeSpec};
    use silico::program::{BotOp, MemorySpec, ProgramSpec};
    use silico::world::{act, Dims, ACTION_LEN, MESSAGE_LEN};
    let mut cfg = common::tiny();
    cfg.world.map_size = 16;
    cfg.agents.capacity = 8;
    cfg.agents.initial_agents = Some(0);
    cfg.agents.min_agents = Some(0);
    cfg.agents.view_bots = 1;
    cfg.bots.count = 4;
    cfg.brain = silico::config::Brain::Linear;
    let mut memory = vec![0.0; MESSAGE_LEN];
    memory[silico::world::bot_act::TERRAFORM] = 1.0;
    cfg.scenario.bots = vec![BotPlacement {
        pos: [12.0, 12.0],
        count: 4,
        step: [32.0, 24.0],
        energy: Some(1e4),
        program: ProgramSpec::Op(BotOp::Product),
        memory: MemorySpec::Raw(memory),
    }];
    cfg.scenario.agents = vec![AgentPlacement {
        pos: [13.0, 13.0],
        count: 4,
        step: [32.0, 24.0],
        energy: Some(1e4),
        genome: GenomeSpec::Random,
    }];
    // The brains selection would have found: eat, never breed, write Keep into the bot.
    let keep = ProgramSpec::Op(BotOp::Keep).assemble().unwrap();
    let obs_len = Dims::new(&cfg).obs_len;
    let mut state = silico::world::State::new(&cfg);
    let len = Dims::new(&cfg).genome_len;
    for slot in 0..4 {
        let g = &mut state.genomes[slot * len..(slot + 1) * len];
        g.fill(0.0);
        let bias = &mut g[obs_len * ACTION_LEN..];
        bias[act::EAT] = 5.0;
        bias[act::REPRODUCE] = -5.0;
        bias[act::GATE] = 5.0;
        for (k, v) in keep.iter().enumerate() {
            bias[act::OTHER_MESSAGE + k] = 20.0 * v;
        }
    }
    (cfg, state)
}

#[test]
fn a_population_that_lives_off_its_bots_depends_on_programming_them() {
    use silico::ablate::{ablate, AblateOptions, AblateSpec, Knockout, Naive};
    let dir = tempfile::tempdir().unwrap();
    let (cfg, state) = bot_farmers();
    let ckpt = dir.path().join("evolved.silico");
    silico::world::checkpoint::write(&ckpt, &cfg, &state).unwrap();
    let knockouts = vec![
        Knockout::ProgrammingOff,
        Knockout::BotsOff,
        Knockout::MessagesOff,
    ];
    let a = ablate(&AblateOptions {
        checkpoint: ckpt,
        spec: AblateSpec {
            ticks: 40,
            knockouts,
            replicates: 2,
            naive: Naive::FreshBrains,
            variants: vec![],
        },
        out: dir.path().join("ablate"),
        backend: backend(),
        quiet: true,
    })
    .unwrap();
    // Fitness 0: energy eaten per agent-tick.
    for k in [Knockout::ProgrammingOff, Knockout::BotsOff] {
        let evolved = a.mean_loss("evolved", k, 0);
        assert!(
            evolved > 0.2,
            "{k:?}: the farmers lose {evolved} of their food"
        );
        let dependence = a.dependence(k, 0);
        assert!(
            dependence > 0.1,
            "{k:?}: unevolved brains never program the bots, so lose less ({dependence})"
        );
    }
    // Nobody reads messages here: shutting them off changes nothing they do.
    let messages = a.mean_loss("evolved", Knockout::MessagesOff, 0);
    assert!(messages.abs() < 0.02, "messages off: {messages}");
    let losses = silico::ablate::read_losses(&dir.path().join("ablate")).unwrap();
    assert_eq!(losses.len(), 3 * silico::ablate::FITNESS.len());
}

#[test]
fn unevolved_brains_show_no_evolved_dependence() {
    use silico::ablate::{ablate, AblateOptions, AblateSpec, Knockout, Naive};
    // Zero brains: the naive population's brains are the same (empty) brains, so every
    // fork of it matches the evolved one's and the dependence is exactly zero.
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = common::tiny();
    cfg.brain = silico::config::Brain::Zero;
    let ckpt = dir.path().join("start.silico");
    silico::world::checkpoint::write(&ckpt, &cfg, &silico::world::State::new(&cfg)).unwrap();
    let a = ablate(&AblateOptions {
        checkpoint: ckpt,
        spec: AblateSpec {
            ticks: 15,
            knockouts: Knockout::ALL.to_vec(),
            replicates: 1,
            naive: Naive::FreshBrains,
            variants: vec![],
        },
        out: dir.path().join("ablate"),
        backend: backend(),
        quiet: true,
    })
    .unwrap();
    for k in Knockout::ALL {
        for f in 0..silico::ablate::FITNESS.len() {
            assert_eq!(
                a.dependence(k, f),
                0.0,
                "{k:?} {}",
                silico::ablate::FITNESS[f]
            );
        }
    }
}

#[test]
fn an_experiment_with_controls_and_knockouts_writes_its_statistics() {
    let dir = tempfile::tempdir().unwrap();
    tiny_base(dir.path());
    let file = write(
        dir.path(),
        "evidence.ron",
        r#"(
            base: Path("base.ron"),
            variants: [
                (name: "world", set: []),
                (name: "shuffled", set: ["controls.messages=Shuffled"]),
                (name: "no-programming", set: ["controls.programming=Off"]),
            ],
            controls: [("world", "shuffled"), ("world", "no-programming")],
            seeds: [0, 1, 2],
            ticks: 30,
            ablate: Some((ticks: 10, knockouts: [MessagesShuffled, BotsOff], replicates: 1)),
        )"#,
    );
    let exp = Experiment::load(&file).unwrap();
    assert_eq!(exp.ablated_variants(), vec!["world".to_string()]);
    let out = dir.path().join("out");
    silico::experiment::run(&exp, &out, &exp.pairs(), 1, backend(), true).unwrap();
    assert_eq!(silico::experiment::collect(&out).unwrap(), 9);
    let stats = std::fs::read_to_string(out.join("stats.csv")).unwrap();
    let mut lines = stats.lines();
    assert_eq!(lines.next(), Some(silico::evidence::STATS_HEADER));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert!(rows.iter().all(|r| r.len() == 11));
    let has = |measure: &str, control: &str| {
        rows.iter()
            .any(|r| r[0] == measure && r[1] == "world" && r[2] == control && r[10] == "3")
    };
    assert!(has("comm_influence_changed", "shuffled"));
    assert!(has("tool_programming_events", "no-programming"));
    // Programmer benefit exists only where bots someone programmed fed someone: seeds
    // without such food leave it out.
    assert!(rows
        .iter()
        .any(|r| r[0] == "tool_programmer_benefit" && r[2] == "no-programming"));
    assert!(has("agri_own_harvest_share", "chance"));
    assert!(has("knockout:bots-off:eaten_per_agent_tick", "naive"));
    assert!(
        !rows.iter().any(|r| r[1] == "shuffled"),
        "controls are not worlds"
    );
    for r in &rows {
        let (lo, hi, p): (f64, f64, f64) = (
            r[6].parse().unwrap(),
            r[7].parse().unwrap(),
            r[8].parse().unwrap(),
        );
        if p.is_finite() {
            assert!(lo <= hi && (0.0..=1.0).contains(&p), "{r:?}");
        }
    }
    let summary = std::fs::read_to_string(out.join("summary.md")).unwrap();
    for table in [
        "### Agriculture",
        "### Communication",
        "### Tool use",
        "### Knockout forks",
    ] {
        assert!(summary.contains(table), "summary.md lacks {table}");
    }
    // Each world seed was forked, and a second run of the experiment forks nothing again.
    for s in 0..3 {
        assert!(out
            .join(format!("world/seed-{s}/ablate/knockouts.csv"))
            .is_file());
        assert!(!out.join(format!("shuffled/seed-{s}/ablate")).exists());
    }
    let before =
        std::fs::metadata(out.join("world/seed-0/ablate/evolved/rep-0/intact/summary.json"))
            .unwrap()
            .modified()
            .unwrap();
    silico::experiment::run(&exp, &out, &exp.pairs(), 1, backend(), true).unwrap();
    let after =
        std::fs::metadata(out.join("world/seed-0/ablate/evolved/rep-0/intact/summary.json"))
            .unwrap()
            .modified()
            .unwrap();
    assert_eq!(before, after);
}

#[test]
fn the_shipped_search_loads_every_design() {
    let s = silico::search::Search::load(Path::new("configs/experiments/search.ron")).unwrap();
    assert!(s.designs.len() >= 5);
    for (d, exp) in &s.designs {
        let names: Vec<&str> = exp.configs.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names[0], silico::search::WORLD, "{}", d.name);
        assert!(names.contains(&"shuffled") && names.contains(&"random-brain"));
        assert_eq!(
            exp.ablated_variants(),
            vec![silico::search::WORLD.to_string()]
        );
    }
}

#[test]
fn bad_searches_name_the_design_and_field() {
    let dir = tempfile::tempdir().unwrap();
    tiny_base(dir.path());
    let bad = write(
        dir.path(),
        "bad.ron",
        r#"(base: Path("base.ron"), designs: [(name: "a", set: ["agents.capacity=0"]), (name: "a", set: []), (name: "../out", set: [])],
            controls: [(name: "world", set: ["brain=Random"])], seeds: [0], ticks: 5)"#,
    );
    let e = format!("{:#}", silico::search::Search::load(&bad).err().unwrap());
    assert!(e.contains("bad.ron"), "{e}");
    assert!(e.contains("design 'a'") && e.contains("capacity"), "{e}");
    assert!(e.contains("named twice"), "{e}");
    assert!(e.contains("design name '../out'"), "{e}");
    assert!(e.contains("the name 'world'"), "{e}");
    let unknown = write(
        dir.path(),
        "unknown.ron",
        r#"(base: Path("base.ron"), designs: [(name: "a", set: [])], seeds: [0], ticks: 5,
            targets: [(behaviour: "Agriculture", measure: "agri_own_harvest_share", control: "nobody")])"#,
    );
    let e = format!(
        "{:#}",
        silico::search::Search::load(&unknown).err().unwrap()
    );
    assert!(e.contains("'nobody'"), "{e}");
}

/// A search of two small designs runs every design's world, controls and forks, scores
/// each on the targets and ranks them in search.md and search.csv; run again, it runs
/// nothing and ranks the same.
#[test]
fn a_search_runs_every_design_and_ranks_them() {
    let dir = tempfile::tempdir().unwrap();
    tiny_base(dir.path());
    let file = write(
        dir.path(),
        "search.ron",
        r#"(base: Path("base.ron"), set: ["measures.kin_generations=2"],
            designs: [(name: "plain", set: []), (name: "islands", set: ["terrain.kind=FourIslands"])],
            controls: [(name: "shuffled", set: ["controls.messages=Shuffled"]), (name: "random-brain", set: ["brain=Random"])],
            seeds: [0, 1], ticks: 30, checkpoint_every: 15,
            ablate: Some((ticks: 10, knockouts: [TerraformOff, MessagesShuffled, ProgrammingOff], replicates: 1)))"#,
    );
    let search = silico::search::Search::load(&file).unwrap();
    let out = dir.path().join("out");
    assert_eq!(search.run(&out, 2, backend(), true).unwrap(), 12);
    let scored = search.rank(&out).unwrap();
    assert_eq!(scored.len(), 2);
    for s in &scored {
        assert_eq!((s.finished, s.expected), (6, 6), "{}", s.design.name);
        assert_eq!(s.results.len(), 6);
        assert!(
            s.results.iter().all(|r| r.row.is_some()),
            "every target has its row"
        );
        let cfg = silico::config::Config::load(&out.join(&s.design.name).join("world/config.ron"))
            .unwrap();
        assert_eq!(
            cfg.measures.kin_generations, 2,
            "the shared set reached the design"
        );
        assert!(out
            .join(&s.design.name)
            .join("world/seed-1/ablate/knockouts.csv")
            .is_file());
    }
    let md = std::fs::read_to_string(out.join("search.md")).unwrap();
    assert!(
        md.contains("| 1 |") && md.contains("| 2 |") && md.contains("`terrain.kind=FourIslands`"),
        "{md}"
    );
    let csv = std::fs::read_to_string(out.join("search.csv")).unwrap();
    assert_eq!(csv.lines().count(), 3);
    assert!(csv
        .lines()
        .next()
        .unwrap()
        .contains("agri_own_harvest_share@random-brain:p_value"));
    let summary = std::fs::read_to_string(out.join("plain/summary.md")).unwrap();
    assert!(summary.contains("## Targets: `world`"), "{summary}");
    assert_eq!(search.run(&out, 2, backend(), true).unwrap(), 0, "all done");
    let again = search.rank(&out).unwrap();
    assert_eq!(
        again
            .iter()
            .map(|s| s.design.name.clone())
            .collect::<Vec<_>>(),
        scored
            .iter()
            .map(|s| s.design.name.clone())
            .collect::<Vec<_>>()
    );
}

/// A target is met only with p < 0.05, its interval above 0 and 4 of 5 seeds above.
#[test]
fn targets_need_the_interval_the_p_value_and_the_seeds() {
    use silico::evidence::{assess, behaviours_met, target_met, StatRow, Target};
    use silico::stats::compare;
    let seeds = |xs: &[f64]| {
        xs.iter()
            .enumerate()
            .map(|(s, x)| (s as u64, *x))
            .collect::<Vec<_>>()
    };
    let clear = compare("t", &seeds(&[2.0, 2.1, 1.9, 2.2, 2.05]), &seeds(&[1.0; 5]));
    assert!(target_met(&clear));
    let mixed = compare("t", &seeds(&[2.0, 2.1, 0.5, 0.4, 2.05]), &seeds(&[1.0; 5]));
    assert!(!target_met(&mixed), "{mixed:?}");
    let below = compare("t", &seeds(&[0.0; 5]), &seeds(&[1.0; 5]));
    assert!(!target_met(&below));
    let row = |measure: &str, c| StatRow {
        measure: measure.into(),
        world: "world".into(),
        control: "shuffled".into(),
        c,
    };
    let targets = vec![
        Target {
            behaviour: "B".into(),
            measure: "m1".into(),
            control: "shuffled".into(),
        },
        Target {
            behaviour: "B".into(),
            measure: "m2".into(),
            control: "shuffled".into(),
        },
        Target {
            behaviour: "C".into(),
            measure: "m3".into(),
            control: "shuffled".into(),
        },
    ];
    let rows = vec![
        row("m1", clear.clone()),
        row("m2", clear.clone()),
        row("m3", mixed),
    ];
    let results = assess(&rows, "world", &targets);
    assert_eq!(behaviours_met(&results), vec!["B".to_string()]);
    let missing = assess(&rows[..1], "world", &targets);
    assert!(
        behaviours_met(&missing).is_empty(),
        "a target without data is not met"
    );
    let few = compare("t", &seeds(&[2.0, 2.1, 1.9, 2.2]), &seeds(&[1.0; 4]));
    assert!(!target_met(&few), "four seeds are too few for a claim");
}

/// A knockout's loss is the share lost of the larger fitness, so it stays in [−1, 1].
#[test]
fn knockout_losses_are_bounded() {
    use silico::ablate::loss;
    assert_eq!(loss(2.0, 1.0), 0.5);
    assert_eq!(loss(2.0, 0.0), 1.0);
    assert!(
        (loss(0.1, 1.0) + 0.9).abs() < 1e-12,
        "a gain is a share of the fork's"
    );
    assert_eq!(loss(0.0, 0.0), 0.0);
    assert_eq!(loss(0.0, 3.0), -1.0);
}

/// SIGTERM stops an experiment: the run under way checkpoints and stops, no further run
/// starts, and the process exits 0.
#[test]
fn sigterm_stops_an_experiment_without_starting_another_run() {
    let dir = tempfile::tempdir().unwrap();
    tiny_base(dir.path());
    let exp = write(
        dir.path(),
        "long.ron",
        r#"(base: Path("base.ron"), variants: [(name: "w", set: [])], seeds: [0, 1], ticks: 100000000, checkpoint_every: 1000000)"#,
    );
    let out = dir.path().join("out");
    let mut child = Command::new(common::silico_bin())
        .args(["experiment", exp.to_str().unwrap(), "--out"])
        .arg(&out)
        .args(["--backend", "cpu", "--quiet", "--jobs", "1"])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let csv = out.join("w/seed-0/metrics.csv");
    let start = Instant::now();
    while std::fs::read_to_string(&csv)
        .map(|s| s.lines().count())
        .unwrap_or(0)
        < 3
    {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "the run never started"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(120);
    let exit = loop {
        if let Some(e) = child.try_wait().unwrap() {
            break e;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the experiment did not stop after SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "exited with {exit}");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("w/seed-0/summary.json")).unwrap())
            .unwrap();
    assert_eq!(summary["interrupted"], true);
    assert!(!out.join("w/seed-1").exists(), "no further run started");
}
