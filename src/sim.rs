//! One `World` over either backend, for the batch runner, the benchmarks and the tests.

use crate::config::Config;
use crate::cpu::CpuWorld;
use crate::error::GpuError;
use crate::gpu::GpuWorld;
use crate::world::State;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendKind {
    Gpu,
    Cpu,
}

pub enum World {
    Cpu(Box<CpuWorld>),
    Gpu(Box<GpuWorld>),
}

impl World {
    pub fn new(cfg: &Config, state: State, backend: BackendKind) -> Result<Self, GpuError> {
        Ok(match backend {
            BackendKind::Cpu => World::Cpu(Box::new(CpuWorld::new(cfg, state))),
            BackendKind::Gpu => World::Gpu(Box::new(GpuWorld::new(cfg, &state)?)),
        })
    }

    pub fn backend(&self) -> BackendKind {
        match self {
            World::Cpu(_) => BackendKind::Cpu,
            World::Gpu(_) => BackendKind::Gpu,
        }
    }

    pub fn adapter(&self) -> String {
        match self {
            World::Cpu(_) => format!("cpu reference ({} threads)", rayon::current_num_threads()),
            World::Gpu(g) => g.ctx.describe(),
        }
    }

    pub fn tick(&self) -> u64 {
        match self {
            World::Cpu(c) => c.state.tick(),
            World::Gpu(g) => g.tick(),
        }
    }

    /// Run `n` ticks; returns the metric rows available so far (the GPU's arrive a little late).
    pub fn advance(&mut self, n: u64) -> Result<Vec<Vec<f32>>, GpuError> {
        match self {
            World::Cpu(c) => Ok((0..n).map(|_| c.tick()).collect()),
            World::Gpu(g) => g.advance(n),
        }
    }

    /// Wait for all submitted work; returns the last metric rows.
    pub fn flush(&mut self) -> Result<Vec<Vec<f32>>, GpuError> {
        match self {
            World::Cpu(_) => Ok(Vec::new()),
            World::Gpu(g) => g.flush(),
        }
    }

    /// Every bot's bit after each bot step of the last tick, step-major (for bits.txt).
    pub fn bot_bits(&mut self) -> Result<Vec<f32>, GpuError> {
        match self {
            World::Cpu(c) => Ok(c.scratch.bot_bits.clone()),
            World::Gpu(g) => g.download_bot_bits(),
        }
    }

    pub fn state(&mut self, cfg: &Config) -> Result<State, GpuError> {
        match self {
            World::Cpu(c) => Ok(c.state.clone()),
            World::Gpu(g) => g.download_state(cfg),
        }
    }
}
