//! GPU backend: every pass a WGSL file in `shaders/`, a pass file here that names its entry
//! points and dispatch sizes, and a CPU reference in `src/cpu/` with the same name.
//! Bind group layouts are read from each shader's `@group(0) @binding(N) var<...> NAME`
//! declarations, and NAME is the buffer bound there, so a shader and its bindings cannot
//! drift apart.

pub mod apply;
pub mod births;
pub mod bots;
pub mod compact_brain;
pub mod context;
pub mod effects;
pub mod genome;
pub mod grid;
pub mod influence;
pub mod jaxlife_brain;
pub mod metrics;
pub mod neighbors;
pub mod observe;
pub mod policy;
pub mod saliency;
pub mod shuffle;
pub mod terrain;
mod world;

pub use context::GpuContext;
pub use genome::GenomePages;
pub use world::{GpuWorld, RangeReads};

use crate::world::{Dims, Params};

/// How many threads an entry point runs.
#[derive(Clone, Copy, Debug)]
pub enum Dispatch {
    PerAgent,
    /// One thread per agent and group of 4 actions.
    PerAgentActionQuad,
    PerCell,
    PerAngle,
    /// One workgroup of 64 threads per agent, only for the JaxLife brain.
    JaxLifeAgents,
    /// A brain's probes (saliency and influence): the threads `per_agent` gives one agent
    /// (none for other brains) for each probe row.
    Probes(&'static Dispatch),
    /// One thread per agent, only for the Compact brain.
    CompactAgents,
    /// Per agent, but only for brains that read the flat observation.
    Observe,
    /// One thread per bot.
    PerBot,
    /// One thread per bot in small worlds, else a workgroup of 64 per bot (`bots::act_threads`).
    BotWorkgroups,

    /// One workgroup (selection and reductions that need a global view).
    Single,
    /// One workgroup per block of `births::BLOCK_SLOTS` agents.
    BirthBlocks,
    /// One workgroup per chunk of the metrics' partial sums.
    MetricPartials,
    /// Workgroup counts written by an earlier pass into `buffer` at `offset`.
    Indirect {
        buffer: &'static str,
        offset: u64,
    },
}

pub struct Entry {
    pub name: &'static str,
    pub dispatch: Dispatch,
    /// On which ticks the recorder dispatches it (its shader and its CPU reference check
    /// the same themselves and do nothing otherwise, so a pass run alone is still right).
    pub when: When,
}

/// When a pass is worth dispatching.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    Always,
    /// Ticks on which the brains are probed (`measures.saliency_every`,
    /// `measures.influence_every`).
    ProbeTicks,
    /// Only in worlds with `controls.messages: Shuffled`.
    ShuffledWorlds,
}

impl When {
    pub fn runs(self, p: &Params, tick: u32) -> bool {
        match self {
            When::Always => true,
            When::ProbeTicks => crate::cpu::influence::probe_tick(p, tick),
            When::ShuffledWorlds => p.messages_shuffled != 0,
        }
    }
}

pub struct ShaderDef {
    pub file: &'static str,
    pub source: &'static str,
    pub entries: &'static [Entry],
}

/// Every shader, in tick order.
pub const SHADERS: &[&ShaderDef] = &[
    &grid::SHADER,
    &neighbors::SHADER,
    &shuffle::SHADER,
    &observe::SHADER,
    &saliency::SHADER,
    &influence::SHADER,
    &policy::SHADER,
    &jaxlife_brain::SHADER,
    &compact_brain::SHADER,
    &effects::SHADER,
    &apply::SHADER,
    &bots::SHADER,
    &terrain::SHADER,
    &births::SHADER,
    &metrics::SHADER,
];

pub const COMMON_WGSL: &str = include_str!("../../shaders/common.wgsl");

/// A pass's own WGSL with its genome pages laid out as `pages` says.
pub fn pass_source(def: &ShaderDef, pages: &GenomePages) -> String {
    pages.expand(def.source)
}

/// The full WGSL a pass compiles: the common declarations, then the pass.
pub fn full_source(def: &ShaderDef, pages: &GenomePages) -> String {
    format!("{COMMON_WGSL}\n{}", pass_source(def, pages))
}

#[derive(Clone, Debug, PartialEq)]
pub struct BindingDecl {
    pub binding: u32,
    pub name: String,
    pub uniform: bool,
    pub read_only: bool,
}

/// The `@group(0) @binding(N) var<...> NAME: T;` lines of a shader.
pub fn binding_decls(source: &str) -> Vec<BindingDecl> {
    let mut out = Vec::new();
    for line in source.lines() {
        let line = line.trim();
        let Some(rest) = line.strip_prefix("@group(0) @binding(") else {
            continue;
        };
        let Some((num, rest)) = rest.split_once(')') else {
            continue;
        };
        let Ok(binding) = num.parse::<u32>() else {
            continue;
        };
        let Some(rest) = rest.trim().strip_prefix("var<") else {
            continue;
        };
        let Some((kind, rest)) = rest.split_once('>') else {
            continue;
        };
        let Some((name, _)) = rest.trim().split_once(':') else {
            continue;
        };
        let kind = kind.replace(' ', "");
        out.push(BindingDecl {
            binding,
            name: name.trim().to_string(),
            uniform: kind == "uniform",
            read_only: kind == "storage,read",
        });
    }
    out
}

/// Workgroups for `threads` threads of 64, folded into two dimensions (65535 per dimension).
pub fn groups_for(threads: u64) -> (u32, u32) {
    fold_groups(threads.div_ceil(64))
}

/// `groups` workgroups (at least one) folded into two dimensions (65535 per dimension).
pub fn fold_groups(groups: u64) -> (u32, u32) {
    let groups = groups.max(1);
    let x = groups.min(65535);
    let y = groups.div_ceil(x);
    (x as u32, y as u32)
}

impl Dispatch {
    /// Whether a world of these (structural) sizes ever dispatches it.
    pub fn used(&self, p: &Params, d: &Dims) -> bool {
        match self {
            Dispatch::PerAgentActionQuad
            | Dispatch::JaxLifeAgents
            | Dispatch::CompactAgents
            | Dispatch::Observe => self.threads(p, d) > 0,
            Dispatch::Probes(per_agent) => per_agent.used(p, d),
            Dispatch::BirthBlocks => births::by_blocks(d.capacity),
            _ => true,
        }
    }

    pub fn threads(&self, p: &Params, d: &Dims) -> u64 {
        match self {
            Dispatch::PerAgent => d.capacity as u64,
            Dispatch::PerAgentActionQuad => {
                if p.brain_kind == crate::world::brain_kind::JAXLIFE
                    || p.brain_kind == crate::world::brain_kind::COMPACT
                {
                    0
                } else {
                    d.capacity as u64 * (crate::world::ACTION_LEN as u64 / 4)
                }
            }
            Dispatch::JaxLifeAgents => {
                if p.brain_kind == crate::world::brain_kind::JAXLIFE {
                    d.capacity as u64 * 64
                } else {
                    0
                }
            }
            Dispatch::Probes(per_agent) => {
                per_agent.threads(p, d) / d.capacity.max(1) as u64 * crate::world::PROBE_ROWS as u64
            }
            Dispatch::CompactAgents => {
                if p.brain_kind == crate::world::brain_kind::COMPACT {
                    d.capacity as u64
                } else {
                    0
                }
            }
            Dispatch::PerCell => d.cells as u64,
            Dispatch::PerBot => d.bots as u64,
            Dispatch::BotWorkgroups => bots::act_threads(d.capacity, d.bots),
            Dispatch::PerAngle => (d.angles as u64).max(2 * crate::world::WEATHER_FIELDS as u64),
            Dispatch::Observe => {
                if d.reads_observation {
                    d.capacity as u64
                } else {
                    0
                }
            }
            // Their workgroup counts are not per thread (see GpuWorld::record_dispatch).
            Dispatch::Single
            | Dispatch::BirthBlocks
            | Dispatch::MetricPartials
            | Dispatch::Indirect { .. } => 0,
        }
    }
}
