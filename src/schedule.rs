//! The tick as data: the list of steps one tick runs, built from the world's parameters and
//! the tick number. The GPU backend records the list into a command buffer
//! (`src/gpu/record.rs`); the CPU backend interprets the same list (`cpu::CpuWorld::run_step`).
//! Which passes run on a tick (the active brain's, the probes on probe ticks, the shuffles
//! in shuffled worlds, the bot step `bots.steps_per_tick` times) is decided here and
//! nowhere else: a pass that runs does its work unconditionally.
//!
//! Adding a mechanic: its shader, its `src/gpu/<pass>.rs` entry table, its CPU twin in
//! `src/cpu/<pass>.rs` and one `Step::Pass` line below (docs/architecture.md, "Adding a pass").

use crate::world::{brain_kind, Dims, Params};

/// One step of a tick.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Zero a scratch section (an accumulator summed into during the tick).
    Clear(&'static str),
    /// Run a pass: the entry point of that name of its shader on the GPU (dispatched as its
    /// `src/gpu/<pass>.rs` says), the function of that name in `src/cpu/<pass>.rs` on the CPU.
    Pass(&'static str),
}

/// Per-tick accumulators, zeroed as a tick starts.
const TICK_ACCUMULATORS: &[&str] = &[
    "agent_acc",
    "cell_acc",
    "grid_counts",
    "agent_tick",
    "bot_tick",
    "lineage_set",
    "lineage_eaten",
    "agent_shift",
];

/// Saliency is estimated on this tick (`measures.saliency_every`).
pub fn saliency_tick(p: &Params, tick: u32) -> bool {
    p.saliency_every > 0 && tick.is_multiple_of(p.saliency_every)
}

/// Message influence is measured on this tick (`measures.influence_every`).
pub fn influence_tick(p: &Params, tick: u32) -> bool {
    p.influence_every > 0 && tick.is_multiple_of(p.influence_every)
}

/// The brains' probes run on this tick (saliency, influence or both).
pub fn probe_tick(p: &Params, tick: u32) -> bool {
    saliency_tick(p, tick) || influence_tick(p, tick)
}

/// The pass that runs the world's brain, and the pass that runs its probes.
pub fn brain_passes(p: &Params) -> (&'static str, &'static str) {
    match p.brain_kind {
        brain_kind::JAXLIFE => ("jaxlife_brain", "jaxlife_probe"),
        brain_kind::COMPACT => ("compact_brain", "compact_probe"),
        // Linear, random and zero brains: one action table read per agent.
        _ => ("policy", "policy_probe"),
    }
}

/// What varies a tick's steps beyond the world's structure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Options {
    /// Run the probes (for saliency, influence or both).
    pub probes: bool,
    /// Estimate saliency from them.
    pub saliency: bool,
    /// Measure message influence from them.
    pub influence: bool,
    /// Replace heard messages by a shuffle (`controls.messages: Shuffled`).
    pub shuffled: bool,
}

impl Options {
    pub fn for_tick(p: &Params, tick: u32) -> Self {
        Self {
            probes: probe_tick(p, tick),
            saliency: saliency_tick(p, tick),
            influence: influence_tick(p, tick),
            shuffled: p.messages_shuffled != 0,
        }
    }

    /// Every optional pass on: the passes a world may ever run (the GPU builds their
    /// pipelines, since a config change may turn probes or shuffles on).
    pub fn all() -> Self {
        Self {
            probes: true,
            saliency: true,
            influence: true,
            shuffled: true,
        }
    }
}

/// The steps of tick `tick` (the clock's value as it starts).
pub fn tick_steps(p: &Params, d: &Dims, tick: u32) -> Vec<Step> {
    steps(p, d, Options::for_tick(p, tick))
}

/// The steps of a tick with the given options.
pub fn steps(p: &Params, d: &Dims, o: Options) -> Vec<Step> {
    use Step::{Clear, Pass};
    let mut s: Vec<Step> = TICK_ACCUMULATORS.iter().map(|n| Clear(n)).collect();
    s.extend([Pass("grid_count"), Pass("grid_scan")]);
    // The scatter counts again, from zero, as each cell's cursor.
    s.extend([
        Clear("grid_counts"),
        Pass("grid_scatter"),
        Pass("neighbors"),
    ]);
    if o.shuffled {
        s.extend([
            Pass("shuffle_rank"),
            Pass("shuffle_agents"),
            Pass("shuffle_bots"),
        ]);
    }
    if d.reads_observation {
        s.push(Pass("observe"));
    }
    let (brain, probe) = brain_passes(p);
    if o.probes {
        s.extend([
            Pass("saliency_select"),
            Pass("influence_select"),
            Pass(probe),
        ]);
    }
    if o.saliency {
        s.push(Pass("saliency_reduce"));
    }
    if o.influence {
        s.push(Pass("influence_reduce"));
    }
    s.extend([
        Pass(brain),
        Pass("effects"),
        Pass("apply_agents"),
        Pass("apply_cells"),
        Pass("bots_receive"),
    ]);
    for _ in 0..p.bot_steps_per_tick {
        s.extend([
            Pass("bots_act"),
            Pass("bots_apply"),
            Pass("bots_apply_cells"),
        ]);
    }
    s.extend([
        Pass("terrain_weather"),
        Pass("terrain_base"),
        Pass("terrain_apply"),
        Pass("births_select"),
        Pass("births_spawn"),
        Pass("births_genome"),
        Pass("metrics_partial"),
        Pass("metrics_meals"),
        Pass("metrics"),
    ]);
    s
}

/// The names of a tick's passes, in order, each once (bot steps not repeated).
pub fn pass_names(steps: &[Step]) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for step in steps {
        if let Step::Pass(name) = step {
            if !out.contains(name) {
                out.push(name);
            }
        }
    }
    out
}
