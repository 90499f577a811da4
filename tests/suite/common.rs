//! Helpers shared by the integration tests.
#![allow(dead_code)]

use silico::config::{Config, GenomeSpec};
use silico::gpu::GpuContext;

/// A Linear-brain genome whose actions are constant: tanh of these biases, the rest zero.
pub fn bias_genome(bias: &[(usize, f32)]) -> GenomeSpec {
    let mut b = vec![0.0f32; silico::world::ACTION_LEN];
    for (k, v) in bias {
        b[*k] = *v;
    }
    GenomeSpec::Tensors([("linear.bias".to_string(), b)].into())
}

/// A small world that runs fast on lavapipe and the CPU reference.
pub fn tiny() -> Config {
    let mut cfg = Config::default();
    cfg.world.map_size = 32;
    cfg.agents.capacity = 64;
    cfg.agents.initial_agents = Some(64);
    cfg.agents.min_agents = Some(16);
    cfg.agents.view_agents = 8;
    cfg.agents.terrain_view_range = 2;
    cfg.bots.count = 8;
    cfg
}

/// Whether an environment flag is on: `1`, `true`, `yes` or `on` (any case) are; unset,
/// empty, `0`, `false`, `no` and `off` are not; anything else is a mistake worth a failure
/// (a requirement that silently reads as off would let a suite pass on nothing).
pub fn flag(name: &str) -> bool {
    let Ok(v) = std::env::var(name) else {
        return false;
    };
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => true,
        "" | "0" | "false" | "no" | "off" => false,
        other => panic!("{name}={other:?}: give 1/true/yes/on or 0/false/no/off"),
    }
}

/// The tests that skipped a part, and why: printed when the suite's process exits, after
/// the harness's own summary, so a run without a GPU or a display says how much it did
/// not check.
static SKIPPED: std::sync::Mutex<Vec<(String, String)>> = std::sync::Mutex::new(Vec::new());

extern "C" fn report_skips() {
    let skipped = SKIPPED.lock().map(|s| s.clone()).unwrap_or_default();
    let mut tests: Vec<&str> = skipped.iter().map(|(t, _)| t.as_str()).collect();
    tests.sort_unstable();
    tests.dedup();
    let mut reasons: Vec<&str> = skipped.iter().map(|(_, r)| r.as_str()).collect();
    reasons.sort_unstable();
    reasons.dedup();
    eprintln!(
        "\nsilico suite: {} test(s) skipped their GPU or window checks ({}): {}\nSet SILICO_REQUIRE_GPU=1 and SILICO_REQUIRE_DISPLAY=1 to make a missing adapter or display fail instead.",
        tests.len(),
        reasons.join("; "),
        tests.join(", ")
    );
}

/// Record that the running test skipped its GPU or window part, and why.
pub fn note_skip(reason: &str) {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: registers a plain function with no arguments to run at exit.
        unsafe { libc::atexit(report_skips) };
    });
    let test = std::thread::current()
        .name()
        .unwrap_or("an unnamed test")
        .to_string();
    eprintln!("skipping the GPU or window part of {test}: {reason}");
    if let Ok(mut s) = SKIPPED.lock() {
        s.push((test, reason.to_string()));
    }
}

/// A GPU context, or None with the skip recorded (`note_skip`). With SILICO_REQUIRE_GPU on
/// (CI) a missing adapter fails the test instead of skipping it.
pub fn gpu() -> Option<GpuContext> {
    match GpuContext::new() {
        Ok(ctx) => Some(ctx),
        Err(e) => {
            if flag("SILICO_REQUIRE_GPU") {
                panic!("SILICO_REQUIRE_GPU is on but there is no GPU adapter: {e}");
            }
            note_skip(&format!("no GPU adapter: {e}"));
            None
        }
    }
}

pub fn silico_bin() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_BIN_EXE_silico"))
}

/// A backend's f32 output against an f64 reference: relative 1e-4 (absolute below 1).
pub fn assert_close(what: &str, got: &[f32], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{what}: lengths differ");
    for (k, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (*g as f64 - w).abs() <= 1e-4 * w.abs().max(1.0),
            "{what}[{k}]: got {g}, reference {w}"
        );
    }
}

/// A tick's births on both backends from one state.
pub struct Births {
    /// The state before the tick's births.
    pub before: silico::world::State,
    /// The births that have a parent.
    pub children: Vec<silico::world::Birth>,
    /// The CPU's state after the tick, the GPU's after births_spawn and births_genome.
    pub cpu: silico::world::State,
    pub gpu: silico::world::State,
}

/// Runs one CPU tick and returns the state and scratch as they were before `pass` ran,
/// from which the GPU can run that pass.
pub fn tick_keeping_state_before(
    cpu: &mut silico::cpu::CpuWorld,
    pass: silico::schedule::Pass,
) -> (silico::world::State, silico::world::Scratch) {
    let mut before = None;
    for step in cpu.tick_steps() {
        if step == silico::schedule::Step::Pass(pass) {
            before = Some((cpu.state.clone(), cpu.scratch.clone()));
        }
        cpu.run_step(step);
    }
    before.unwrap_or_else(|| panic!("no pass {pass} in a tick"))
}

/// Runs CPU ticks until one has a child with a parent (panics after `max_ticks`), then that
/// tick's births_spawn and births_genome on the GPU from the same state and scratch.
pub fn births_on_both(ctx: GpuContext, cfg: &Config, max_ticks: usize) -> Births {
    use silico::cpu::CpuWorld;
    let mut cpu = CpuWorld::new(cfg, silico::world::State::new(cfg));
    for _ in 0..max_ticks {
        // births_genome's indirect arguments are copied on the GPU before births_spawn.
        let (st, sc) = tick_keeping_state_before(&mut cpu, silico::schedule::Pass::BirthsSpawn);
        let children: Vec<_> = sc.birth_list[..sc.birth_control.count as usize]
            .iter()
            .filter(|b| b.parent != silico::world::NONE)
            .copied()
            .collect();
        if children.is_empty() {
            continue;
        }
        let mut gpu = silico::gpu::GpuWorld::with_context(ctx, cfg, &st).unwrap();
        gpu.upload(&st, &sc);
        gpu.run_pass(silico::schedule::Pass::BirthsSpawn);
        gpu.run_pass(silico::schedule::Pass::BirthsGenome);
        return Births {
            gpu: gpu.download_state(cfg).unwrap(),
            before: st,
            children,
            cpu: cpu.state,
        };
    }
    panic!("no child with a parent in {max_ticks} ticks");
}
