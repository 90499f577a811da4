//! CPU reference backend: every GPU pass again in plain Rust, one file per shader with the
//! same entry names and the same math, so the two can be read side by side. Tests hold the
//! GPU to it, and it runs the world when no GPU adapter exists.

pub mod apply;
pub mod births;
pub mod bots;
pub mod compact_brain;
pub mod effects;
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

use crate::config::Config;
use crate::rng::Rng;
use crate::schedule::{self, Pass, Step};
use rayon::prelude::*;
// The helpers the passes share (`super::wrap_coord`, ...) mirror shaders/common.wgsl; they
// live in `world::common`, where the initial world uses them too.
use crate::world::common::*;
use crate::world::{Dims, Params, Scratch, Section, State, METRIC_COLUMNS, METRIC_RING};

/// The CPU world: state, scratch and the pass sequence of one tick.
pub struct CpuWorld {
    pub params: Params,
    pub dims: Dims,
    pub rng: Rng,
    pub state: State,
    pub scratch: Scratch,
    /// The brain's genome layout, and the per-weight scale of a respawned agent's genome.
    pub tensors: Vec<crate::world::brain::Tensor>,
    pub genome_scale: Vec<f32>,
    /// The σ of a child's mutation noise, per weight.
    pub mutation_scale: Vec<f32>,
    /// (hidden, heads) of the JaxLife brain; (hidden, 1) of the Compact brain.
    pub attention: (usize, usize),
}

impl CpuWorld {
    pub fn new(cfg: &Config, mut state: State) -> Self {
        let dims = Dims::new(cfg);
        let scratch = Scratch::new(&dims);
        // A world at tick 0 (perhaps edited by a test or scenario) starts its ledger from
        // itself; a resumed one keeps the totals its checkpoint stored.
        if state.tick() == 0 {
            state.metrics_prev = crate::world::genesis::seed_totals(&state);
        }
        let tensors = crate::world::brain::layout_for(cfg);
        Self {
            params: Params::new(cfg),
            dims,
            rng: Rng::new(cfg.seed),
            state,
            scratch,
            genome_scale: crate::world::brain::fresh_scales(&tensors),
            mutation_scale: crate::world::brain::mutation_scales(&tensors, &cfg.mutation),
            tensors,
            attention: crate::world::brain::attention_sizes(cfg),
        }
    }

    /// A state or scratch section's bytes.
    pub fn section(&self, section: Section) -> &[u8] {
        self.state
            .sections()
            .into_iter()
            .chain(self.scratch.sections())
            .find(|(s, _)| *s == section)
            .map_or(&[], |(_, b)| b)
    }

    /// A state section's bytes, for writing (empty for a scratch section).
    pub fn state_section_mut(&mut self, section: Section) -> &mut [u8] {
        self.state
            .sections_mut()
            .into_iter()
            .find(|(s, _)| *s == section)
            .map_or(&mut [], |(_, b)| b)
    }

    /// Take a config that differs from the running one only in non-structural fields.
    pub fn set_config(&mut self, cfg: &Config) {
        // A fresh weight's scale depends only on the (structural) layout; σ may change.
        self.params = Params::new(cfg);
        self.mutation_scale = crate::world::brain::mutation_scales(&self.tensors, &cfg.mutation);
    }

    /// Run one step of a tick's schedule.
    pub fn run_step(&mut self, step: Step) {
        match step {
            Step::Clear(section) => {
                let bytes = self
                    .scratch
                    .sections_mut()
                    .into_iter()
                    .find(|(s, _)| *s == section)
                    .unwrap_or_else(|| {
                        panic!("the schedule clears {section:?}, no scratch section")
                    });
                // Across the threads: a large world's accumulators are megabytes.
                bytes.1.par_chunks_mut(1 << 16).for_each(|c| c.fill(0));
            }
            Step::Pass(name) => self.run_pass(name),
        }
    }

    /// The clears a tick starts with (the schedule's steps before its first pass), for
    /// tests that then run passes one by one.
    pub fn begin_tick(&mut self) {
        let clears = self.tick_steps().into_iter();
        for step in clears.take_while(|s| matches!(s, Step::Clear(_))) {
            self.run_step(step);
        }
    }

    /// The steps of the tick the clock stands at.
    pub fn tick_steps(&self) -> Vec<Step> {
        schedule::tick_steps(&self.params, &self.dims, self.state.clock.tick)
    }

    /// Run one pass: the function of its name in its `src/cpu/<file>.rs`.
    pub fn run_pass(&mut self, pass: Pass) {
        let (p, r) = (&self.params, &self.rng);
        let (st, sc) = (&mut self.state, &mut self.scratch);
        match pass {
            Pass::GridCount => grid::grid_count(p, st, sc),
            Pass::GridScan => grid::grid_scan(p, sc),
            Pass::GridScatter => grid::grid_scatter(p, st, sc),
            Pass::Neighbors => neighbors::neighbors(p, st, sc),
            Pass::ShuffleRank => shuffle::shuffle_rank(st, sc),
            Pass::ShuffleAgents => shuffle::shuffle_agents(r, st, sc),
            Pass::ShuffleBots => shuffle::shuffle_bots(r, st, sc),
            Pass::Observe => observe::observe(p, st, sc),
            Pass::SaliencySelect => saliency::saliency_select(p, r, st, sc),
            Pass::SaliencySelectCompact => saliency::saliency_select_compact(p, r, st, sc),
            Pass::SaliencyNone => saliency::saliency_none(sc),
            Pass::InfluenceNone => influence::influence_none(sc),
            Pass::InfluenceSelect => influence::influence_select(p, r, st, sc),
            Pass::PolicyProbe => policy::policy_probe(p, r, st, sc),
            Pass::PolicyRandomProbe => policy::policy_random_probe(p, r, st, sc),
            Pass::PolicyZeroProbe => policy::policy_zero_probe(p, r, st, sc),
            Pass::JaxlifeProbe => {
                let (hidden, heads) = self.attention;
                jaxlife_brain::jaxlife_probe(p, &self.tensors, hidden, heads, st, sc)
            }
            Pass::CompactProbe => {
                let hidden = self.attention.0;
                compact_brain::compact_probe(p, &self.tensors, hidden, st, sc)
            }
            Pass::SaliencyReduce => saliency::saliency_reduce(st, sc),
            Pass::InfluenceReduce => influence::influence_reduce(st, sc),
            Pass::Policy => policy::policy(p, r, st, sc),
            Pass::PolicyRandom => policy::policy_random(p, r, st, sc),
            Pass::PolicyZero => policy::policy_zero(p, r, st, sc),
            Pass::JaxlifeBrain => {
                let (hidden, heads) = self.attention;
                jaxlife_brain::jaxlife_brain(p, &self.tensors, hidden, heads, st, sc)
            }
            Pass::CompactBrain => {
                let hidden = self.attention.0;
                compact_brain::compact_brain(p, &self.tensors, hidden, st, sc)
            }
            Pass::Effects => effects::effects(p, r, st, sc),
            Pass::ApplyAgents => apply::apply_agents(p, st, sc),
            Pass::ApplyCells => apply::apply_cells(p, st, sc),
            Pass::BotsReceive => bots::bots_receive(p, st, sc),
            Pass::BotsAct => bots::bots_act(p, st, sc),
            Pass::BotsApply => bots::bots_apply(p, st, sc),
            Pass::BotsApplyCells => bots::bots_apply_cells(p, st, sc),
            Pass::TerrainWeather => terrain::terrain_weather(p, r, st, sc),
            Pass::TerrainBase => terrain::terrain_base(p, r, st, sc),
            Pass::TerrainApply => terrain::terrain_apply(p, r, st, sc),
            Pass::BirthsSelect => births::births_select(p, r, st, sc),
            Pass::BirthsSpawn => births::births_spawn(p, r, st, sc),
            Pass::BirthsGenome => births::births_genome(
                p,
                self.dims.genome_f16,
                r,
                &self.genome_scale,
                &self.mutation_scale,
                st,
                sc,
            ),
            Pass::MetricsPartial => metrics::metrics_partial(p, st, sc),
            Pass::MetricsMeals => metrics::metrics_meals(p, st, sc),
            Pass::Metrics => metrics::metrics(p, st, sc),
        }
    }

    /// Mean wall milliseconds of each pass per tick (a bot step's passes summed over the
    /// tick's steps) over `reps` ticks, which run as usual (`silico bench --passes`).
    pub fn profile_passes(&mut self, reps: u32) -> Vec<(Pass, f64)> {
        let all = schedule::every_step(&self.params, &self.dims);
        let mut total: Vec<(Pass, f64)> = schedule::passes_of(&all)
            .into_iter()
            .map(|p| (p, 0.0))
            .collect();
        for _ in 0..reps {
            for step in self.tick_steps() {
                let started = std::time::Instant::now();
                self.run_step(step);
                let ms = started.elapsed().as_secs_f64() * 1e3;
                if let Step::Pass(pass) = step {
                    if let Some(t) = total.iter_mut().find(|t| t.0 == pass) {
                        t.1 += ms;
                    }
                }
            }
        }
        total
            .into_iter()
            .map(|(p, ms)| (p, ms / reps.max(1) as f64))
            .collect()
    }

    /// One whole tick; returns its metrics row.
    pub fn tick(&mut self) -> Vec<f32> {
        let tick = self.state.clock.tick as usize;
        for step in self.tick_steps() {
            self.run_step(step);
        }
        let n = METRIC_COLUMNS.len();
        let slot = tick % METRIC_RING;
        self.scratch.metrics_ring[slot * n..(slot + 1) * n].to_vec()
    }
}
