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
use crate::world::{Dims, Params, Scratch, State, METRIC_COLUMNS, METRIC_RING};

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

/// Every pass of a tick, in order, each once; in a tick the `BOT_STEP_PASSES` run
/// `bots.steps_per_tick` times (see `tick_passes`). The GPU backend runs the same names.
pub const TICK_PASSES: &[&str] = &[
    "grid_count",
    "grid_scan",
    "grid_scatter",
    "neighbors",
    "shuffle_rank",
    "shuffle_agents",
    "shuffle_bots",
    "observe",
    "saliency_select",
    "influence_select",
    "policy_probe",
    "jaxlife_probe",
    "compact_probe",
    "saliency_reduce",
    "influence_reduce",
    "policy",
    "jaxlife_brain",
    "compact_brain",
    "effects",
    "apply_agents",
    "apply_cells",
    "bots_receive",
    "bots_act",
    "bots_apply",
    "bots_apply_cells",
    "terrain_weather",
    "terrain_base",
    "terrain_apply",
    "births_select",
    "births_spawn",
    "births_genome",
    "metrics_partial",
    "metrics_meals",
    "metrics",
];

/// The passes of one bot step, repeated `bots.steps_per_tick` times a tick.
pub const BOT_STEP_PASSES: &[&str] = &["bots_act", "bots_apply", "bots_apply_cells"];

/// The passes of a whole tick: `TICK_PASSES` with the bot step repeated `bot_steps` times.
pub fn tick_passes(bot_steps: u32) -> Vec<&'static str> {
    let mut out = Vec::new();
    for pass in TICK_PASSES {
        if *pass == BOT_STEP_PASSES[0] {
            for _ in 0..bot_steps {
                out.extend_from_slice(BOT_STEP_PASSES);
            }
        } else if !BOT_STEP_PASSES.contains(pass) {
            out.push(*pass);
        }
    }
    out
}

impl CpuWorld {
    pub fn new(cfg: &Config, mut state: State) -> Self {
        let dims = Dims::new(cfg);
        let scratch = Scratch::new(&dims);
        // A world at tick 0 (perhaps edited by a test or scenario) starts its ledger from
        // itself; a resumed one keeps the totals its checkpoint stored.
        if state.tick() == 0 {
            state.metrics_prev = metrics::seed_totals(&state);
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
            attention: (
                cfg.brain.hidden().unwrap_or(0) as usize,
                cfg.brain.attention().map_or(1, |(_, n)| n as usize),
            ),
        }
    }

    /// A state or scratch section's bytes by name (empty for an unknown name).
    pub fn section(&self, name: &str) -> &[u8] {
        self.state
            .sections()
            .into_iter()
            .chain(self.scratch.sections())
            .find(|(n, _)| *n == name)
            .map_or(&[], |(_, b)| b)
    }

    /// A state section's bytes by name, for writing (empty for an unknown name).
    pub fn state_section_mut(&mut self, name: &str) -> &mut [u8] {
        self.state
            .sections_mut()
            .into_iter()
            .find(|(n, _)| *n == name)
            .map_or(&mut [], |(_, b)| b)
    }

    /// Take a config that differs from the running one only in non-structural fields.
    pub fn set_config(&mut self, cfg: &Config) {
        // A fresh weight's scale depends only on the (structural) layout; σ may change.
        self.params = Params::new(cfg);
        self.mutation_scale = crate::world::brain::mutation_scales(&self.tensors, &cfg.mutation);
    }

    /// Clear the per-tick accumulators, as the GPU does with clear_buffer at tick start.
    pub fn begin_tick(&mut self) {
        let sc = &mut self.scratch;
        sc.agent_acc
            .iter_mut()
            .for_each(|a| *a = Default::default());
        sc.cell_acc.iter_mut().for_each(|a| *a = Default::default());
        sc.grid_counts.iter_mut().for_each(|c| *c = 0);
        sc.agent_tick
            .iter_mut()
            .for_each(|t| *t = Default::default());
        sc.bot_tick.fill(Default::default());
        sc.lineage_set.fill(0);
        sc.lineage_eaten.fill(0);
        sc.agent_shift.fill(0.0);
    }

    pub fn run_pass(&mut self, name: &str) {
        let (p, r) = (&self.params, &self.rng);
        let (st, sc) = (&mut self.state, &mut self.scratch);
        match name {
            "grid_count" => grid::grid_count(p, st, sc),
            "grid_scan" => grid::grid_scan(p, sc),
            "grid_scatter" => grid::grid_scatter(p, st, sc),
            "neighbors" => neighbors::neighbors(p, st, sc),
            "shuffle_rank" => shuffle::shuffle_rank(p, st, sc),
            "shuffle_agents" => shuffle::shuffle_agents(p, r, st, sc),
            "shuffle_bots" => shuffle::shuffle_bots(p, r, st, sc),
            "observe" => observe::observe(p, st, sc),
            "saliency_select" => saliency::saliency_select(p, r, st, sc),
            "influence_select" => influence::influence_select(p, r, st, sc),
            "policy_probe" => policy::policy_probe(p, r, st, sc),
            "jaxlife_probe" => {
                let (hidden, heads) = self.attention;
                jaxlife_brain::jaxlife_probe(p, &self.tensors, hidden, heads, st, sc)
            }
            "compact_probe" => {
                let hidden = self.attention.0;
                compact_brain::compact_probe(p, &self.tensors, hidden, st, sc)
            }
            "saliency_reduce" => saliency::saliency_reduce(p, st, sc),
            "influence_reduce" => influence::influence_reduce(p, st, sc),
            "policy" => policy::policy(p, r, st, sc),
            "jaxlife_brain" => {
                let (hidden, heads) = self.attention;
                jaxlife_brain::jaxlife_brain(p, &self.tensors, hidden, heads, st, sc)
            }
            "compact_brain" => {
                let hidden = self.attention.0;
                compact_brain::compact_brain(p, &self.tensors, hidden, st, sc)
            }
            "effects" => effects::effects(p, st, sc),
            "apply_agents" => apply::apply_agents(p, st, sc),
            "apply_cells" => apply::apply_cells(p, st, sc),
            "bots_receive" => bots::bots_receive(p, st, sc),
            "bots_act" => bots::bots_act(p, st, sc),
            "bots_apply" => bots::bots_apply(p, st, sc),
            "bots_apply_cells" => bots::bots_apply_cells(p, st, sc),
            "terrain_weather" => terrain::terrain_weather(p, r, st, sc),
            "terrain_base" => terrain::terrain_base(p, r, st, sc),
            "terrain_apply" => terrain::terrain_apply(p, st, sc),
            "births_select" => births::births_select(p, st, sc),
            "births_spawn" => births::births_spawn(p, r, st, sc),
            "births_genome" => births::births_genome(
                p,
                self.dims.genome_f16,
                r,
                &self.genome_scale,
                &self.mutation_scale,
                st,
                sc,
            ),
            "metrics_partial" => metrics::metrics_partial(p, st, sc),
            "metrics_meals" => metrics::metrics_meals(p, st, sc),
            "metrics" => metrics::metrics(p, st, sc),
            other => panic!("unknown pass {other}: the pass table and run_pass disagree"),
        }
    }

    /// Mean wall milliseconds of each pass per tick (a bot step's passes summed over the
    /// tick's steps) over `reps` ticks, which run as usual (`silico bench --passes`).
    pub fn profile_passes(&mut self, reps: u32) -> Vec<(&'static str, f64)> {
        let mut total: Vec<(&'static str, f64)> = TICK_PASSES.iter().map(|p| (*p, 0.0)).collect();
        for _ in 0..reps {
            self.begin_tick();
            for pass in tick_passes(self.params.bot_steps_per_tick) {
                let started = std::time::Instant::now();
                self.run_pass(pass);
                let ms = started.elapsed().as_secs_f64() * 1e3;
                if let Some(t) = total.iter_mut().find(|t| t.0 == pass) {
                    t.1 += ms;
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
        self.begin_tick();
        let tick = self.state.clock.tick as usize;
        for pass in tick_passes(self.params.bot_steps_per_tick) {
            self.run_pass(pass);
        }
        let n = METRIC_COLUMNS.len();
        let slot = tick % METRIC_RING;
        self.scratch.metrics_ring[slot * n..(slot + 1) * n].to_vec()
    }
}

// ---- helpers shared by the passes; each mirrors a function of shaders/common.wgsl ----

pub fn wrap_coord(p: &Params, x: f32) -> f32 {
    let w = p.world_size;
    let mut y = x - (x / w).floor() * w;
    if y >= w {
        y -= w;
    }
    if y < 0.0 {
        y = 0.0;
    }
    y
}

/// How far an agent moved, bounded from above without a square root: |dx| + |dy| of the
/// wrapped step.
pub fn moved_units(p: &Params, from: [f32; 2], to: [f32; 2]) -> f32 {
    wrap_delta(p, to[0] - from[0]).abs() + wrap_delta(p, to[1] - from[1]).abs()
}

pub fn wrap_delta(p: &Params, d: f32) -> f32 {
    let w = p.world_size;
    let h = 0.5 * w;
    let mut r = d;
    if r >= h {
        r -= w;
    }
    if r < -h {
        r += w;
    }
    r
}

pub fn cell_index_of(p: &Params, pos: [f32; 2]) -> usize {
    let n = p.map_size;
    let cx = ((pos[0] / p.cell_size) as u32).min(n - 1);
    let cy = ((pos[1] / p.cell_size) as u32).min(n - 1);
    (cy * n + cx) as usize
}

pub fn float_to_ordered(f: f32) -> u32 {
    let b = f.to_bits();
    if b & 0x8000_0000 != 0 {
        !b
    } else {
        b | 0x8000_0000
    }
}

pub fn ordered_to_float(u: u32) -> f32 {
    if u & 0x8000_0000 != 0 {
        f32::from_bits(u & 0x7fff_ffff)
    } else {
        f32::from_bits(!u)
    }
}

/// What one eater gets from a cell with `eaters` eaters: eat_rate of the cell's energy each,
/// scaled down when together they would take more than is there.
pub fn eat_share(p: &Params, cell_energy: f32, eaters: u32) -> f32 {
    cell_energy * p.eat_rate.min(1.0 / eaters as f32)
}

/// An agent whose energy is gone dies; its record keeps the energy it died with (≤ 0).
pub fn die_if_spent(a: &mut crate::world::Agent, t: &mut crate::world::AgentTick) {
    if a.energy <= 0.0 {
        a.alive = 0;
        t.flags |= crate::world::TICK_DIED;
        t.death_energy = a.energy;
    }
}

/// A cell after a step's eaters and terraforming sums (agents' or bots'); returns what the
/// eaters took: exactly what they got, so eating never creates energy by rounding.
pub fn take_from_cell(
    p: &Params,
    cell: &mut crate::world::Cell,
    acc: &crate::world::CellAcc,
) -> f32 {
    let mut eaten = 0.0;
    if acc.eaters > 0 {
        eaten = acc.eaters as f32 * eat_share(p, cell.energy, acc.eaters);
        cell.energy -= eaten;
    }
    let t = acc.terraform.map(crate::world::from_fixed);
    cell.energy_gain = (cell.energy_gain + t[0]).clamp(0.0, p.energy_gain_clip);
    cell.move_cost = (cell.move_cost + t[1]).max(0.0);
    cell.push_cost = (cell.push_cost + t[2]).max(0.0);
    cell.message_cost = (cell.message_cost + t[3]).max(0.0);
    cell.reproduce_cost = (cell.reproduce_cost + t[4]).max(0.0);
    eaten
}

/// [departure] a received message (or program) moves toward the gate-weighted mean of what
/// was sent: `sum` is the sum of gate * message, `gate` the sum of gates. JaxLife adds every
/// sender's full difference, which overshoots and diverges once the gates sum above 2.
pub fn pulled(current: f32, sum: f32, gate: f32) -> f32 {
    current + (sum - current * gate) * (1.0 / gate.max(1.0))
}

/// tanh with its input clamped first: some GPU drivers compute tanh through exp and return
/// NaN for large inputs. tanh(15) is 1.0 in f32, so the clamp changes no finite result.
pub fn safe_tanh(x: f32) -> f32 {
    x.clamp(-15.0, 15.0).tanh()
}

/// What a terraform action does under `controls.terraform` (WGSL `terraform_act`).
pub fn terraform_act(p: &Params, v: f32) -> f32 {
    if p.terraform_on != 0 {
        v
    } else {
        0.0
    }
}
