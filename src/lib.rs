//! # Silico
//!
//! A GPU-accelerated artificial-life simulator: JaxLife's world (terrain with weather,
//! agents with inherited neural brains, messages, bots) as WGSL compute passes on wgpu.
//!
//! The shape: all world state lives in storage buffers ([`world::State`]); a tick is a list
//! of steps ([`schedule`]) that both backends run: clears, and compute passes, each one a
//! WGSL file in `shaders/`, a Rust file in `src/gpu/` that says how it runs on the GPU, and
//! a Rust file in `src/cpu/` that is its reference, with the same name. [`sim::World`] runs either backend; `silico run`
//! (`src/batch.rs`) drives long headless runs with metrics and checkpoints; `silico app`
//! ([`app`]) is the desktop app that draws the world from the same buffers.
//!
//! Determinism: randomness is a counter-based hash ([`rng`]), scatters onto shared targets
//! are summed in fixed-point integer atomics, and reductions run in a fixed order, so the
//! same config, seed and adapter give bit-identical worlds, and a resumed checkpoint goes
//! on exactly as the uninterrupted run.
//!
//! A few ticks of a small world on the CPU reference backend:
//!
//! ```
//! use silico::config::Config;
//! use silico::cpu::CpuWorld;
//! use silico::world::{metric_index, State};
//!
//! let mut cfg = Config::default();
//! cfg.world.map_size = 16;
//! cfg.agents.capacity = 16;
//! cfg.agents.initial_agents = Some(16);
//! cfg.agents.min_agents = Some(4);
//! let mut world = CpuWorld::new(&cfg, State::new(&cfg));
//! let row = world.tick();
//! assert_eq!(row[metric_index("tick").unwrap()], 1.0);
//! assert_eq!(world.state.tick(), 1);
//! ```

pub mod app;
pub mod batch;
pub mod cli;
pub mod config;
pub mod cpu;
pub mod error;
pub mod gpu;
pub mod layout;
pub mod lineage;
pub mod program;
pub mod rng;
pub mod runs;
pub mod schedule;
pub mod science;
pub mod sim;
pub mod view;
pub mod world;
