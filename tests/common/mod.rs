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
    cfg.agents.initial_agents = 64;
    cfg.agents.min_agents = 16;
    cfg.agents.view_agents = 8;
    cfg.agents.terrain_view_range = 2;
    cfg.bots.count = 8;
    cfg
}

/// A GPU context, or None with a printed reason. With SILICO_REQUIRE_GPU=1 (CI) a missing
/// adapter fails the test instead of skipping it.
pub fn gpu() -> Option<GpuContext> {
    match GpuContext::new() {
        Ok(ctx) => Some(ctx),
        Err(e) => {
            if std::env::var("SILICO_REQUIRE_GPU").is_ok_and(|v| v == "1") {
                panic!("SILICO_REQUIRE_GPU=1 but no GPU adapter: {e}");
            }
            eprintln!("skipping GPU test: {e}");
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
