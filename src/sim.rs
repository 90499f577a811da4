//! One `World` over either backend, for the batch runner, the benchmarks and the tests.

use crate::config::Config;
use crate::cpu::CpuWorld;
use crate::error::GpuError;
use crate::gpu::GpuWorld;
use crate::world::{Section, State};

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum BackendKind {
    Gpu,
    Cpu,
}

pub enum World {
    Cpu(Box<CpuWorld>),
    Gpu(Box<GpuWorld>),
}

/// Section reads on their way (`World::request_sections`).
pub enum PendingReads {
    Ready(Vec<Vec<u8>>),
    Gpu(crate::gpu::RangeReads),
}

impl World {
    pub fn new(cfg: &Config, state: State, backend: BackendKind) -> Result<Self, GpuError> {
        Ok(match backend {
            BackendKind::Cpu => World::Cpu(Box::new(CpuWorld::new(cfg, state))),
            BackendKind::Gpu => World::Gpu(Box::new(GpuWorld::new(cfg, &state)?)),
        })
    }

    /// A GPU world on a device the caller already holds (the app shares its window's).
    pub fn on_context(
        ctx: crate::gpu::GpuContext,
        cfg: &Config,
        state: &State,
    ) -> Result<Self, GpuError> {
        Ok(World::Gpu(Box::new(GpuWorld::with_context(
            ctx, cfg, state,
        )?)))
    }

    /// Apply a config whose structural fields (`Config::structural_differences`) and sizes
    /// match the running one; it takes effect from the next tick.
    pub fn set_config(&mut self, cfg: &Config) {
        match self {
            World::Cpu(c) => c.set_config(cfg),
            World::Gpu(g) => g.set_config(cfg),
        }
    }

    /// `len` bytes of a state or scratch section from byte `offset`, as of the last tick.
    pub fn read_section(
        &mut self,
        section: Section,
        offset: u64,
        len: u64,
    ) -> Result<Vec<u8>, GpuError> {
        match self {
            World::Cpu(c) => {
                let bytes = c.section(section);
                let start = (offset as usize).min(bytes.len());
                let end = (start + len as usize).min(bytes.len());
                Ok(bytes[start..end].to_vec())
            }
            World::Gpu(g) => g.read_range(section, offset, len),
        }
    }

    /// Ask for `(section, byte offset, bytes)` ranges as of the last submitted tick without
    /// waiting for them: `poll_sections` hands them over when they have arrived.
    pub fn request_sections(&mut self, ranges: &[(Section, u64, u64)]) -> PendingReads {
        match self {
            World::Cpu(_) => PendingReads::Ready(
                ranges
                    .iter()
                    .map(|&(section, offset, len)| {
                        self.read_section(section, offset, len).unwrap_or_default()
                    })
                    .collect(),
            ),
            World::Gpu(g) => PendingReads::Gpu(g.request_ranges(ranges)),
        }
    }

    /// The ranges of a request, one byte vector each, once they have arrived; None while
    /// the GPU is still busy. Never waits.
    pub fn poll_sections(
        &mut self,
        pending: &PendingReads,
    ) -> Option<Result<Vec<Vec<u8>>, GpuError>> {
        match (self, pending) {
            (_, PendingReads::Ready(parts)) => Some(Ok(parts.clone())),
            (World::Gpu(g), PendingReads::Gpu(reads)) => g.poll_ranges(reads),
            (World::Cpu(_), PendingReads::Gpu(_)) => Some(Err(GpuError::Readback(
                "a GPU read was polled on a CPU world".into(),
            ))),
        }
    }

    /// The ranges of a request, waiting for the GPU if they have not arrived.
    pub fn wait_sections(&mut self, pending: &PendingReads) -> Result<Vec<Vec<u8>>, GpuError> {
        match (self, pending) {
            (World::Gpu(g), PendingReads::Gpu(reads)) => g.wait_ranges(reads),
            (world, pending) => world
                .poll_sections(pending)
                .expect("a CPU world's reads are ready at once"),
        }
    }

    /// One element of a section of `T`s (an agent, a bot, a row of actions).
    pub fn read_element<T: bytemuck::Pod>(
        &mut self,
        section: Section,
        index: usize,
    ) -> Result<Option<T>, GpuError> {
        let size = std::mem::size_of::<T>() as u64;
        let bytes = self.read_section(section, index as u64 * size, size)?;
        Ok((bytes.len() as u64 == size).then(|| bytemuck::pod_read_unaligned(&bytes)))
    }

    /// Overwrite one element of a state section (the app's bot program editor); the next
    /// tick sees it.
    pub fn write_element<T: bytemuck::Pod>(&mut self, section: Section, index: usize, value: &T) {
        let size = std::mem::size_of::<T>();
        let bytes = bytemuck::bytes_of(value);
        match self {
            World::Cpu(c) => {
                if let Some(dst) = c
                    .state_section_mut(section)
                    .get_mut(index * size..(index + 1) * size)
                {
                    dst.copy_from_slice(bytes);
                }
            }
            World::Gpu(g) => g.write_range(section, (index * size) as u64, bytes),
        }
    }

    pub fn backend(&self) -> BackendKind {
        match self {
            World::Cpu(_) => BackendKind::Cpu,
            World::Gpu(_) => BackendKind::Gpu,
        }
    }

    pub fn adapter(&self) -> String {
        match self {
            World::Cpu(_) => format!("CPU engine ({} threads)", rayon::current_num_threads()),
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
            // On a worker of the pool: the passes' parallel loops then split on it,
            // not by handing each loop to the pool and sleeping until it is done.
            World::Cpu(c) => Ok(rayon::scope(|_| (0..n).map(|_| c.tick()).collect())),
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

    /// Births and deaths since the last call, and how many were lost to a full buffer. A
    /// GPU world collects them only after `collect_events(true)`; call `flush` first to get
    /// every submitted tick's.
    pub fn take_events(&mut self) -> (Vec<crate::world::LifeEvent>, u64) {
        match self {
            World::Cpu(c) => {
                let sc = &mut c.scratch;
                let count = std::mem::take(&mut sc.event_count) as usize;
                let kept = count.min(sc.events.len());
                (sc.events[..kept].to_vec(), (count - kept) as u64)
            }
            World::Gpu(g) => g.take_events(),
        }
    }

    pub fn collect_events(&mut self, on: bool) {
        if let World::Gpu(g) = self {
            g.collect_events = on;
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
