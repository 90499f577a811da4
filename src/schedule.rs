//! The tick as data: the list of steps one tick runs, built from the world's parameters and
//! the tick number. The GPU backend records the list into a command buffer
//! (`src/gpu/record.rs`); the CPU backend interprets the same list (`cpu::CpuWorld::run_step`).
//! Which passes run on a tick (the active brain's, the probes on probe ticks, the shuffles
//! in shuffled worlds, the bot step `bots.steps_per_tick` times) is decided here and
//! nowhere else: a pass that runs does its work unconditionally.
//!
//! Adding a mechanic: its shader, its `src/gpu/<pass>.rs` entry table, its CPU twin in
//! `src/cpu/<pass>.rs` and one `Step::Pass` line below (docs/architecture.md, "Adding a pass").

use crate::world::{brain_kind, Dims, Params, Section};

/// Every pass and the WGSL entry point it runs: the one place a pass's name is spelled,
/// once, as an identifier (its string is `stringify!`'s).
macro_rules! passes {
    ($($pass:ident => $entry:ident,)*) => {
        /// A compute pass of the tick: an entry point of its shader on the GPU (dispatched
        /// as its `src/gpu/<file>.rs` says), the function of the same name in
        /// `src/cpu/<file>.rs` on the CPU.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Pass {
            $($pass,)*
        }

        impl Pass {
            /// Every pass, in the order a tick may run them.
            pub const ALL: &'static [Pass] = &[$(Pass::$pass,)*];

            /// Its WGSL entry point.
            pub const fn entry(self) -> &'static str {
                match self {
                    $(Pass::$pass => stringify!($entry),)*
                }
            }
        }
    };
}

passes! {
    GridCount => grid_count,
    GridScan => grid_scan,
    GridScatter => grid_scatter,
    Neighbors => neighbors,
    ShuffleRank => shuffle_rank,
    ShuffleAgents => shuffle_agents,
    ShuffleBots => shuffle_bots,
    Observe => observe,
    SaliencySelect => saliency_select,
    SaliencySelectCompact => saliency_select_compact,
    SaliencyNone => saliency_none,
    InfluenceSelect => influence_select,
    InfluenceNone => influence_none,
    PolicyProbe => policy_probe,
    PolicyRandomProbe => policy_random_probe,
    PolicyZeroProbe => policy_zero_probe,
    JaxlifeProbe => jaxlife_probe,
    CompactProbe => compact_probe,
    SaliencyReduce => saliency_reduce,
    InfluenceReduce => influence_reduce,
    Policy => policy,
    PolicyRandom => policy_random,
    PolicyZero => policy_zero,
    JaxlifeBrain => jaxlife_brain,
    CompactBrain => compact_brain,
    Effects => effects,
    ApplyAgents => apply_agents,
    ApplyCells => apply_cells,
    BotsReceive => bots_receive,
    BotsAct => bots_act,
    BotsApply => bots_apply,
    BotsApplyCells => bots_apply_cells,
    TerrainWeather => terrain_weather,
    TerrainBase => terrain_base,
    TerrainApply => terrain_apply,
    BirthsSelect => births_select,
    BirthsSpawn => births_spawn,
    BirthsGenome => births_genome,
    MetricsPartial => metrics_partial,
    MetricsMeals => metrics_meals,
    Metrics => metrics,
}

impl Pass {
    /// The pass whose entry point is `entry`.
    pub fn of_entry(entry: &str) -> Option<Pass> {
        Pass::ALL.iter().copied().find(|p| p.entry() == entry)
    }
}

impl std::fmt::Display for Pass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.entry())
    }
}

/// One step of a tick.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Zero a scratch section (an accumulator summed into during the tick).
    Clear(Section),
    /// Run a pass.
    Pass(Pass),
}

/// Per-tick accumulators, zeroed as a tick starts.
const TICK_ACCUMULATORS: &[Section] = &[
    Section::AgentAcc,
    Section::CellAcc,
    Section::GridCounts,
    Section::AgentTick,
    Section::BotTick,
    Section::LineageSet,
    Section::LineageEaten,
    Section::AgentShift,
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
pub fn brain_passes(p: &Params) -> (Pass, Pass) {
    match p.brain_kind {
        brain_kind::JAXLIFE => (Pass::JaxlifeBrain, Pass::JaxlifeProbe),
        brain_kind::COMPACT => (Pass::CompactBrain, Pass::CompactProbe),
        brain_kind::RANDOM => (Pass::PolicyRandom, Pass::PolicyRandomProbe),
        brain_kind::ZERO => (Pass::PolicyZero, Pass::PolicyZeroProbe),
        _ => (Pass::Policy, Pass::PolicyProbe),
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

    /// Every kind of tick a world may run (probes for saliency, influence or both;
    /// shuffled or not): together their steps are every pass it may ever run, whose
    /// pipelines the GPU builds, since a config change may turn probes or shuffles on.
    pub fn every() -> Vec<Self> {
        let mut out = Vec::new();
        for (saliency, influence) in [(false, false), (true, false), (false, true), (true, true)] {
            for shuffled in [false, true] {
                out.push(Self {
                    probes: saliency || influence,
                    saliency,
                    influence,
                    shuffled,
                });
            }
        }
        out
    }
}

/// The steps of every kind of tick, one after another (`Options::every`).
pub fn every_step(p: &Params, d: &Dims) -> Vec<Step> {
    Options::every()
        .into_iter()
        .flat_map(|o| steps(p, d, o))
        .collect()
}

/// The steps of tick `tick` (the clock's value as it starts).
pub fn tick_steps(p: &Params, d: &Dims, tick: u32) -> Vec<Step> {
    steps(p, d, Options::for_tick(p, tick))
}

/// The steps of a tick with the given options.
pub fn steps(p: &Params, d: &Dims, o: Options) -> Vec<Step> {
    use Pass::*;
    let pass = |ps: &[Pass]| ps.iter().map(|p| Step::Pass(*p)).collect::<Vec<_>>();
    let mut s: Vec<Step> = TICK_ACCUMULATORS.iter().map(|&s| Step::Clear(s)).collect();
    s.extend(pass(&[GridCount, GridScan]));
    // The scatter counts again, from zero, as each cell's cursor.
    s.push(Step::Clear(Section::GridCounts));
    s.extend(pass(&[GridScatter, Neighbors]));
    if o.shuffled {
        s.extend(pass(&[ShuffleRank, ShuffleAgents, ShuffleBots]));
    }
    if d.reads_observation {
        s.extend(pass(&[Observe]));
    }
    let (brain, probe) = brain_passes(p);
    if o.probes {
        // The probes run for either measure; the other's rows are emptied so they skip.
        s.extend(pass(&[
            if !o.saliency {
                SaliencyNone
            } else if p.brain_kind == brain_kind::COMPACT {
                SaliencySelectCompact
            } else {
                SaliencySelect
            },
            if o.influence {
                InfluenceSelect
            } else {
                InfluenceNone
            },
            probe,
        ]));
    }
    if o.saliency {
        s.extend(pass(&[SaliencyReduce]));
    }
    if o.influence {
        s.extend(pass(&[InfluenceReduce]));
    }
    s.extend(pass(&[
        brain,
        Effects,
        ApplyAgents,
        ApplyCells,
        BotsReceive,
    ]));
    for _ in 0..p.bot_steps_per_tick {
        s.extend(pass(&[BotsAct, BotsApply, BotsApplyCells]));
    }
    s.extend(pass(&[
        TerrainWeather,
        TerrainBase,
        TerrainApply,
        BirthsSelect,
        BirthsSpawn,
        BirthsGenome,
        MetricsPartial,
        MetricsMeals,
        Metrics,
    ]));
    s
}

/// A tick's passes, in order, each once (bot steps not repeated).
pub fn passes_of(steps: &[Step]) -> Vec<Pass> {
    let mut out: Vec<Pass> = Vec::new();
    for step in steps {
        if let Step::Pass(pass) = step {
            if !out.contains(pass) {
                out.push(*pass);
            }
        }
    }
    out
}
