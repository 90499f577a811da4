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
