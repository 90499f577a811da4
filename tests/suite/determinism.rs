//! Same config + seed + adapter give bit-identical worlds; a different seed gives a
//! different one; a run resumed from a checkpoint matches the uninterrupted run bit for bit.

use crate::common;

use silico::config::Config;
use silico::cpu::CpuWorld;
use silico::gpu::GpuWorld;
use silico::world::{checkpoint, State};

fn cpu_hash(cfg: &Config, ticks: usize) -> String {
    let mut w = CpuWorld::new(cfg, State::new(cfg));
    for _ in 0..ticks {
        w.tick();
    }
    w.state.hash()
}

fn gpu_state(cfg: &Config, start: &State, ticks: u64) -> Option<State> {
    let ctx = common::gpu()?;
    let mut w = GpuWorld::with_context(ctx, cfg, start).unwrap();
    w.advance(ticks).unwrap();
    w.flush().unwrap();
    Some(w.download_state(cfg).unwrap())
}

#[test]
fn cpu_same_seed_same_hash_different_seed_different() {
    let cfg = common::tiny();
    let a = cpu_hash(&cfg, 40);
    assert_eq!(a, cpu_hash(&cfg, 40));
    let mut other = cfg.clone();
    other.seed = 1;
    assert_ne!(a, cpu_hash(&other, 40));
}

#[test]
fn gpu_same_seed_same_hash_different_seed_different() {
    let cfg = common::tiny();
    let Some(a) = gpu_state(&cfg, &State::new(&cfg), 60) else {
        return;
    };
    let b = gpu_state(&cfg, &State::new(&cfg), 60).unwrap();
    assert_eq!(a.hash(), b.hash());
    assert_eq!(a.tick(), 60);
    let mut other = cfg.clone();
    other.seed = 99;
    let c = gpu_state(&other, &State::new(&other), 60).unwrap();
    assert_ne!(a.hash(), c.hash());
}

#[test]
fn cpu_resume_from_checkpoint_matches_uninterrupted() {
    let cfg = common::tiny();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mid.silico");
    let mut w = CpuWorld::new(&cfg, State::new(&cfg));
    for _ in 0..25 {
        w.tick();
    }
    checkpoint::write(&path, &cfg, &w.state).unwrap();
    for _ in 0..25 {
        w.tick();
    }
    let (cfg2, state) = checkpoint::read(&path).unwrap();
    assert_eq!(cfg2, cfg);
    let mut r = CpuWorld::new(&cfg2, state);
    for _ in 0..25 {
        r.tick();
    }
    assert_eq!(r.state.hash(), w.state.hash());
    assert_eq!(r.state, w.state);
}

#[test]
fn gpu_resume_from_checkpoint_matches_uninterrupted() {
    let cfg = common::tiny();
    let Some(straight) = gpu_state(&cfg, &State::new(&cfg), 80) else {
        return;
    };
    let mid = gpu_state(&cfg, &State::new(&cfg), 40).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mid.silico");
    checkpoint::write(&path, &cfg, &mid).unwrap();
    let (cfg2, state) = checkpoint::read(&path).unwrap();
    let resumed = gpu_state(&cfg2, &state, 40).unwrap();
    assert_eq!(resumed.tick(), 80);
    assert_eq!(resumed.hash(), straight.hash());
}

/// The state_hash of every shipped config on the CPU engine, after 300 ticks (the large
/// world, 65,536 agents, after 100: 300 would cost the suite half a minute). A change
/// that alters any world shows here; a pinned hash is changed only on purpose, with the
/// reason in the commit.
#[test]
fn every_shipped_config_keeps_its_pinned_state_hash() {
    const PINNED: &[(&str, usize, &str)] = &[
        ("bot_farm", 300, "173f949e1ca38e9d18270e4f4c27d835"),
        ("compact", 300, "a215340cd776bd392ebf4c47a5343dfb"),
        ("default", 300, "0b08b99da972282c42abef39fbd6f1f7"),
        ("emergence", 300, "74853facb04ff09b706c161700e30c88"),
        ("ferry", 300, "40748f026372419105febf365c004c5c"),
        ("four_islands", 300, "7c210a96a1f263d7bae02dcd73225357"),
        ("jaxlife", 300, "02029faea34ce773b1f0172357ffc263"),
        ("large", 100, "4cacff1ad01b1ad8730a85c341871c12"),
        ("rule110", 300, "7c91195e3648aeca2d5699a7986830cf"),
        ("tiny", 300, "0515de9178728d9a8feccb1844236b2c"),
    ];
    let mut shipped: Vec<String> = std::fs::read_dir("configs")
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            (p.extension()? == "ron").then(|| p.file_stem().unwrap().to_string_lossy().into_owned())
        })
        .collect();
    shipped.sort();
    let pinned: Vec<&str> = PINNED.iter().map(|p| p.0).collect();
    assert_eq!(shipped, pinned, "every shipped config has a pinned hash");
    let mut wrong = Vec::new();
    for (name, ticks, want) in PINNED {
        let path = std::path::PathBuf::from(format!("configs/{name}.ron"));
        let cfg = silico::world::load_config(&path).unwrap();
        let got = cpu_hash(&cfg, *ticks);
        if got != *want {
            wrong.push(format!("{name} after {ticks} ticks: {got}, pinned {want}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
