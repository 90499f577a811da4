//! lineage.csv: every individual of a run once, with parent links, generations, lineages,
//! offspring counts and causes of death that agree with the metrics and with each other, on
//! both backends, and the same after a resume.

use crate::common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use silico::batch::{self, BackendChoice, RunOptions};
use silico::config::{AgentPlacement, Config};
use silico::lineage::{self, Individual};
use silico::world::{act, metric_index};

fn run(cfg: &Config, dir: &Path, name: &str, ticks: u64, backend: BackendChoice) -> PathBuf {
    let path = dir.join(format!("{name}.ron"));
    std::fs::write(&path, cfg.to_ron()).unwrap();
    let out = dir.join(name);
    batch::run(&RunOptions {
        out: Some(out.clone()),
        backend,
        quiet: true,
        ..RunOptions::new(Some(path), ticks)
    })
    .unwrap();
    out
}

fn backends() -> Vec<BackendChoice> {
    let mut b = vec![BackendChoice::Cpu];
    if common::gpu().is_some() {
        b.push(BackendChoice::Gpu);
    }
    b
}

/// One founder that tries to breed every tick in a world of three slots.
fn breeder() -> Config {
    let mut cfg = common::tiny();
    cfg.world.map_size = 16;
    cfg.agents.capacity = 3;
    cfg.agents.initial_agents = Some(0);
    cfg.agents.min_agents = Some(0);
    cfg.agents.view_agents = 2;
    cfg.agents.terrain_view_range = 1;
    cfg.bots.count = 0;
    cfg.scenario.agents = vec![AgentPlacement {
        pos: [60.0, 60.0],
        count: 1,
        step: [0.0, 0.0],
        energy: Some(1e5),
        genome: common::bias_genome(&[(act::REPRODUCE, 5.0)]),
    }];
    cfg.mutation.sigma = 0.0;
    cfg
}

fn check_consistent(rows: &[Individual], metrics: &str) {
    let by_id: HashMap<u64, &Individual> = rows.iter().map(|r| (r.id, r)).collect();
    assert_eq!(by_id.len(), rows.len(), "each individual once");
    // Everyone born (and respawned) during the run, plus those the world started with.
    let births_col = metric_index("births").unwrap();
    let respawns_col = metric_index("respawns").unwrap();
    let deaths_col = metric_index("deaths").unwrap();
    let (mut born, mut died) = (0.0, 0.0);
    for line in metrics.lines().skip(1) {
        let f: Vec<f64> = line.split(',').map(|v| v.parse().unwrap()).collect();
        born += f[births_col] + f[respawns_col];
        died += f[deaths_col];
    }
    let founders_at_start = rows.iter().filter(|r| r.birth_tick == 0).count() as f64;
    assert_eq!(rows.len() as f64, founders_at_start + born);
    assert_eq!(
        rows.iter().filter(|r| r.death_tick.is_some()).count() as f64,
        died
    );
    for r in rows {
        match r.parent {
            None => {
                assert_eq!(r.lineage, r.id, "a founder founds its lineage");
                assert_eq!(r.generation, 0);
            }
            Some(p) => {
                let parent = by_id.get(&p).expect("the parent has a row");
                assert_eq!(r.generation, parent.generation + 1);
                assert_eq!(r.lineage, parent.lineage);
                assert!(r.birth_tick >= parent.birth_tick);
                assert!(parent.death_tick.is_none_or(|d| r.birth_tick <= d));
            }
        }
        let children = rows.iter().filter(|c| c.parent == Some(r.id)).count() as u32;
        assert_eq!(r.offspring, children, "offspring of {}", r.id);
        match &r.death_tick {
            Some(d) => {
                assert!(*d >= r.birth_tick);
                assert!(r.cause == "starved" || r.cause == "hit", "{}", r.cause);
            }
            None => assert_eq!(r.cause, "alive"),
        }
    }
}

#[test]
fn a_breeding_founder_gives_the_expected_family() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for backend in backends() {
        let out = run(
            &breeder(),
            dir.path(),
            &format!("breed-{backend:?}"),
            40,
            backend,
        );
        let rows = lineage::read(&out.join("lineage.csv")).unwrap();
        let metrics = std::fs::read_to_string(out.join("metrics.csv")).unwrap();
        check_consistent(&rows, &metrics);
        let founder = rows.iter().find(|r| r.parent.is_none()).unwrap();
        assert_eq!(founder.birth_tick, 0);
        // In its first tick it is alone: its first child takes slot 1, born in tick
        // index 0 (id = 0 << 32 | 1), after 1 tick completed.
        let first = rows.iter().find(|r| r.id == 1).expect("the first child");
        assert_eq!(first.parent, Some(founder.id));
        assert_eq!(first.birth_tick, 1);
        assert_eq!(first.generation, 1);
        // Its second, in the last free slot, a tick later (the founder is the richest).
        let second = rows
            .iter()
            .find(|r| r.id == (1u64 << 32) | 2)
            .expect("the second child");
        assert_eq!(second.parent, Some(founder.id));
        assert_eq!(second.birth_tick, 2);
        assert!(founder.offspring >= 2);
        files.push(std::fs::read_to_string(out.join("lineage.csv")).unwrap());
    }
    if files.len() == 2 {
        assert_eq!(
            files[0], files[1],
            "both backends write the same lineage.csv"
        );
    }
}

#[test]
fn deaths_by_hits_and_by_hunger_are_told_apart() {
    let mut cfg = breeder();
    cfg.brain = silico::config::Brain::Linear;
    cfg.costs.life_cost = 0.25;
    cfg.scenario.agents = vec![
        // A hitter with plenty of energy...
        AgentPlacement {
            pos: [60.0, 60.0],
            count: 1,
            step: [0.0, 0.0],
            energy: Some(1e4),
            genome: common::bias_genome(&[(act::HIT, 5.0), (act::REPRODUCE, -5.0)]),
        },
        // ...beside a weak agent its hits kill (it would outlive the life cost alone)...
        AgentPlacement {
            pos: [61.0, 60.0],
            count: 1,
            step: [0.0, 0.0],
            energy: Some(0.6),
            genome: common::bias_genome(&[(act::REPRODUCE, -5.0)]),
        },
        // ...and one far away that starves.
        AgentPlacement {
            pos: [4.0, 4.0],
            count: 1,
            step: [0.0, 0.0],
            energy: Some(0.2),
            genome: common::bias_genome(&[(act::REPRODUCE, -5.0)]),
        },
    ];
    let dir = tempfile::tempdir().unwrap();
    for backend in backends() {
        let out = run(&cfg, dir.path(), &format!("hits-{backend:?}"), 3, backend);
        let rows = lineage::read(&out.join("lineage.csv")).unwrap();
        let slot = |r: &Individual| r.id & 0xffff_ffff;
        let get = |s: u64| rows.iter().find(|r| slot(r) == s).unwrap();
        assert_eq!(get(0).cause, "alive");
        assert_eq!(get(1).cause, "hit", "{:?}", get(1));
        assert_eq!(get(1).death_tick, Some(1));
        assert_eq!(get(2).cause, "starved", "{:?}", get(2));
        assert_eq!(get(2).death_tick, Some(1));
    }
}

#[test]
fn a_resumed_run_writes_the_same_lineage() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = common::tiny();
    let whole = run(&cfg, dir.path(), "whole", 120, BackendChoice::Cpu);
    let path = dir.path().join("whole.ron");
    let out = dir.path().join("parts");
    let opts = |ticks: u64, resume: Option<PathBuf>| RunOptions {
        out: Some(out.clone()),
        checkpoint_every: 50,
        resume,
        backend: BackendChoice::Cpu,
        quiet: true,
        ..RunOptions::new(Some(path.clone()), ticks)
    };
    batch::run(&opts(80, None)).unwrap();
    batch::run(&opts(
        120,
        Some(out.join("checkpoints/tick-00000050.silico")),
    ))
    .unwrap();
    let sorted = |p: PathBuf| {
        let mut rows = lineage::read(&p).unwrap();
        rows.sort_by_key(|r| r.id);
        rows
    };
    let a = sorted(whole.join("lineage.csv"));
    let b = sorted(out.join("lineage.csv"));
    assert_eq!(a.len(), b.len());
    assert_eq!(a, b);
    let (lineages, prolific) = lineage::summarise(&a);
    assert!(!lineages.is_empty() && !prolific.is_empty());
    assert!(lineages
        .windows(2)
        .all(|w| w[0].last_tick - w[0].first_birth >= w[1].last_tick - w[1].first_birth));
}

/// Muller plots, `silico lineage` and the app regroup lineage.csv into the groups the
/// measures count: every agent alive at the end is in the group of its own kin key, for
/// kin groups by generations and by time; without kin groups a group is a founder.
#[test]
fn lineage_rows_regroup_into_the_simulations_kin_groups() {
    let dir = tempfile::tempdir().unwrap();
    for (name, generations, ticks) in [("by-gen", 2, 0), ("by-time", 0, 9), ("founders", 0, 0)] {
        let mut cfg = common::tiny();
        cfg.brain = silico::config::Brain::Random;
        cfg.agents.capacity = 80;
        cfg.agents.initial_agents = Some(40);
        cfg.measures.kin_generations = generations;
        cfg.measures.kin_ticks = ticks;
        let out = run(&cfg, dir.path(), name, 60, BackendChoice::Cpu);
        let mut rows = lineage::read(&out.join("lineage.csv")).unwrap();
        let grouping = lineage::Grouping::of(&cfg);
        grouping.regroup(&mut rows);
        let by_id: HashMap<u64, &Individual> = rows.iter().map(|r| (r.id, r)).collect();
        let (_, st) = silico::world::checkpoint::read(&out.join("final.silico")).unwrap();
        let mut checked = 0;
        let mut groups = std::collections::HashSet::new();
        for a in st.agents.iter().filter(|a| a.alive != 0) {
            let id = lineage::id64([a.lineage_lo, a.lineage_hi]);
            let row = by_id[&id];
            assert_eq!(row.lineage, grouping.of_agent(a), "{name}: agent {id}");
            groups.insert(row.lineage);
            checked += 1;
        }
        assert!(checked > 10, "{name}: {checked} living agents");
        if name != "founders" {
            assert!(
                groups.iter().all(|g| g & lineage::KIN_GROUP != 0),
                "{name}: kin groups"
            );
            // Kin groups split founders' lineages: more groups than founders among the living.
            let founders: std::collections::HashSet<_> = st
                .agents
                .iter()
                .filter(|a| a.alive != 0)
                .map(|a| a.founder)
                .collect();
            assert!(
                groups.len() > founders.len(),
                "{name}: {} groups",
                groups.len()
            );
        }
    }
}

/// `silico lineage` and `silico report` group a kin-group run by its kin groups, and by
/// founders' lineages when asked (`--founders`).
#[test]
fn founders_are_a_choice_where_kin_groups_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = common::tiny();
    cfg.brain = silico::config::Brain::Random;
    cfg.agents.capacity = 80;
    cfg.agents.initial_agents = Some(40);
    cfg.measures.kin_ticks = 9;
    let out = run(&cfg, dir.path(), "kin", 60, BackendChoice::Cpu);
    let listing = |extra: &[&str]| {
        let o = std::process::Command::new(common::silico_bin())
            .arg("lineage")
            .arg(&out)
            .args(extra)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let kin_rows = |text: &str| {
        text.lines()
            .filter(|l| l.trim_start().starts_with("kin "))
            .count()
    };
    let kin = listing(&[]);
    assert!(kin.contains("kin groups") && kin_rows(&kin) > 0, "{kin}");
    let founders = listing(&["--founders"]);
    assert!(
        founders.contains("in 40 lineages") && kin_rows(&founders) == 0,
        "{founders}"
    );
    let report = dir.path().join("report");
    let written =
        silico::science::report::write_grouped(std::slice::from_ref(&out), &report, true).unwrap();
    assert!(
        written.iter().any(|p| p.ends_with("muller.png")),
        "{written:?}"
    );
    let md = std::fs::read_to_string(report.join("report.md")).unwrap();
    assert!(md.contains("Lineages of"), "{md}");
}
