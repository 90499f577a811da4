//! World state: the Pod layout shared with the shaders, sizes derived from the config,
//! and the initial world.

pub mod brain;
pub mod check;
pub mod checkpoint;
pub mod common;
pub mod genesis;
mod genome_refs;
pub mod tanh;
pub mod terrain;

pub use crate::layout::*;
pub use check::{config_from_ron, load_config, validate, with_overrides};

use crate::config::{Brain, Config, TerrainKind};

/// Terrain fields that weather drives, in `Cell` order after `energy`:
/// max_energy, energy_gain, move_cost, push_cost, message_cost, reproduce_cost.
/// (JaxLife also draws an energy field and multiplies it by zero; we skip it.)
pub const WEATHER_FIELDS: usize = 6;
/// Rows in the GPU's metrics ring: metrics are read back this many ticks at a time at most.
pub const METRIC_RING: usize = 64;
/// Tick used for draws made when the world is created, so they never collide with a tick's.
pub const INIT_TICK: u32 = u32::MAX;
/// The most chunks the metrics' partial sums are split into.
pub const MAX_METRIC_PARTIALS: usize = 256;
/// Sums per partial; slot `SUMS` of a partial holds the largest generation seen, the
/// `MEAL_SUMS` after it the `metrics_meals` pass's sums.
pub const SUMS: usize = 60;
pub const MEAL_SUMS: usize = 7;
pub const MEALS_AT: usize = SUMS + 1;
pub const PARTIAL_STRIDE: usize = MEALS_AT + MEAL_SUMS;
/// Worlds with at most this many agent slots and bots together: each bot scans every
/// agent (on the GPU, a thread per bot); bigger ones: each bot searches the grid (on the
/// GPU, a workgroup of 64 per bot, which also share the scan of the other bots). In small
/// worlds the grid's cells are coarse and mostly empty: its rings cost more than the scan.
pub const SERIAL_SENSE_MAX: usize = 8192;
/// Nested levels of the neighbour grid, each 4×4 finer than the one above (shaders/common.wgsl
/// says the same).
pub const GRID_LEVELS: usize = 4;

/// Terrain features an agent sees: the (2r+1)² cells around it, 7 features each.
pub fn terrain_patch_len(range: usize) -> usize {
    (2 * range + 1).pow(2) * CELL_FEATURES
}

/// Buffer sizes and derived constants, all from the config.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dims {
    pub cells: usize,
    pub capacity: usize,
    pub bots: usize,
    pub bot_steps: usize,
    pub view_agents: usize,
    pub view_bots: usize,
    pub terrain_view_range: usize,
    pub obs_len: usize,
    pub genome_len: usize,
    /// Genomes stored as half floats (`genome_precision: F16`).
    pub genome_f16: bool,
    pub brain_state_len: usize,
    pub angles: usize,
    pub grid_dim: usize,
    /// Whether the brain reads observation rows (the observe pass and its buffer): Linear and
    /// JaxLife; the Compact brain reads the world directly, the controls read nothing.
    pub reads_observation: bool,
    /// Buckets of each grid level above 0 (cells are folded into them): a power of two, so
    /// a mask picks the bucket. Four per level-0 cell: in the piles of a crowded world the
    /// neighbour search walks a shared bucket's items of other cells too, and with one per
    /// level-0 cell those were a fifth of the items it walked (65,536 agents, ticks 0–60;
    /// 7% with four). More costs the single-workgroup grid scan more than it saves.
    pub grid_hash_buckets: usize,
    /// Chunks of the metrics' partial sums: enough to keep a GPU busy, few enough that
    /// each does real work (every chunk costs barriers).
    pub metric_partials: usize,
}

impl Dims {
    pub fn new(cfg: &Config) -> Self {
        let capacity = cfg.agents.capacity as usize;
        let r = cfg.agents.terrain_view_range as usize;
        let view_agents = cfg.agents.view_agents as usize;
        let view_bots = (cfg.agents.view_bots.min(cfg.bots.count)) as usize;
        // Padded with zeros to a whole number of vec4s, which the policy pass reads.
        let terrain_len = terrain_patch_len(r);
        let obs_len =
            (terrain_len + AGENT_VEC_LEN + view_agents * AGENT_VEC_LEN + view_bots * BOT_VEC_LEN)
                .div_ceil(4)
                * 4;
        let genome_len =
            brain::genome_len(&brain::layout(&cfg.brain, obs_len, terrain_len, view_bots));
        let brain_state_len = cfg.brain.state_len();
        let res = cfg.terrain.perlin_res as usize + 1;
        // About two agents per grid cell at full capacity keeps ring searches short.
        let grid_dim = (((capacity as f64) / 2.0).sqrt().floor() as usize).clamp(1, 256);
        let cells = (cfg.world.map_size as usize).pow(2);
        Self {
            cells,
            capacity,
            bots: cfg.bots.count as usize,
            bot_steps: cfg.bot_steps() as usize,
            view_agents,
            view_bots,
            terrain_view_range: r,
            obs_len,
            genome_len,
            genome_f16: cfg.genome_precision == crate::config::Precision::F16,
            brain_state_len,
            angles: WEATHER_FIELDS * res * res,
            grid_dim,
            reads_observation: matches!(cfg.brain, Brain::Linear | Brain::JaxLife { .. }),
            grid_hash_buckets: 4 * (grid_dim * grid_dim).next_power_of_two(),
            metric_partials: (capacity.max(cells) / 8192).clamp(2, MAX_METRIC_PARTIALS),
        }
    }

    /// Terrain features in an observation: the (2r+1)² patch, 7 per cell.
    pub fn terrain_len(&self) -> usize {
        terrain_patch_len(self.terrain_view_range)
    }

    /// Only brains that read the flat observation need the observation buffer.
    pub fn obs_buffer_len(&self) -> usize {
        if self.reads_observation {
            self.capacity * self.obs_len
        } else {
            0
        }
    }

    /// Bytes of every persistent and per-tick buffer, to refuse worlds that cannot fit.
    pub fn state_bytes(&self) -> u64 {
        let per_agent = std::mem::size_of::<Agent>()
            + if self.genome_f16 { 2 } else { 4 } * self.genome_len
            + 4 * (self.brain_state_len
                + ACTION_LEN
                + self.view_agents
                + self.view_bots)
            + std::mem::size_of::<AgentAcc>()
            + std::mem::size_of::<AgentTick>()
            + std::mem::size_of::<Birth>()
            // The grid's item, position and bucket at every level.
            + 16 * GRID_LEVELS
            // The living list, message sources, and two lineage-set slots and their sums.
            + 24
            // Which bot gathers what bots did to it, and its packed position.
            + 20;
        // The cultivator and its id, the weather-only gain, the raiser of this step.
        let per_cell = 2 * std::mem::size_of::<Cell>()
            + std::mem::size_of::<CellAcc>()
            + std::mem::size_of::<CellTick>()
            + 16;
        let per_bot = std::mem::size_of::<Bot>()
            + std::mem::size_of::<AgentAcc>()
            + std::mem::size_of::<BotTick>()
            + 4 * self.bot_steps;
        self.capacity as u64 * per_agent as u64
            + 4 * self.obs_buffer_len() as u64
            + self.cells as u64 * per_cell as u64
            + self.bots as u64 * per_bot as u64
    }

    /// Room for births and deaths between two readbacks (32 ticks on the GPU).
    pub fn events_len(&self) -> usize {
        (8 * self.capacity).max(4096)
    }

    /// Slots of the distinct-lineage set: a power of two at least twice the capacity.
    pub fn lineage_set_len(&self) -> usize {
        (2 * self.capacity).next_power_of_two()
    }

    /// Buckets of all the neighbour grid's levels together (src/cpu/grid.rs).
    pub fn grid_buckets(&self) -> usize {
        self.grid_dim * self.grid_dim + (GRID_LEVELS - 1) * self.grid_hash_buckets
    }
}

impl Params {
    pub fn new(cfg: &Config) -> Self {
        let d = Dims::new(cfg);
        let a = &cfg.agents;
        let c = &cfg.costs;
        let t = &cfg.terrain;
        Self {
            map_size: cfg.world.map_size,
            capacity: a.capacity,
            bot_count: cfg.bots.count,
            view_agents: d.view_agents as u32,
            view_bots: d.view_bots as u32,
            terrain_view_range: a.terrain_view_range,
            obs_len: d.obs_len as u32,
            genome_len: d.genome_len as u32,
            grid_dim: d.grid_dim as u32,
            brain_kind: match cfg.brain {
                Brain::Linear => brain_kind::LINEAR,
                Brain::Random => brain_kind::RANDOM,
                Brain::Zero => brain_kind::ZERO,
                Brain::JaxLife { .. } => brain_kind::JAXLIFE,
                Brain::Compact { .. } => brain_kind::COMPACT,
            },
            terrain_kind: match t.kind {
                TerrainKind::Perlin => terrain_kind::PERLIN,
                TerrainKind::Random => terrain_kind::RANDOM,
                TerrainKind::TwoIslands => terrain_kind::TWO_ISLANDS,
                TerrainKind::FourIslands => terrain_kind::FOUR_ISLANDS,
            },
            perlin_res: t.perlin_res,
            min_agents: a.min_agents(),
            child_energy_from_parent: a.child_energy_from_parent as u32,
            seed_lo: cfg.seed as u32,
            seed_hi: (cfg.seed >> 32) as u32,
            cell_size: cfg.world.cell_size,
            world_size: cfg.world_size(),
            view_radius: a.view_radius,
            grid_cell_size: cfg.world_size() / d.grid_dim as f32,
            move_speed: a.move_speed,
            push_speed: a.push_speed,
            hit_strength: a.hit_strength,
            hit_distance_decay: a.hit_distance_decay,
            hit_steal_fraction: a.hit_steal_fraction,
            eat_rate: a.eat_rate,
            terraform_rate: a.terraform_rate,
            age_speed: a.age_speed,
            move_cost: c.move_cost,
            push_cost: c.push_cost,
            message_cost: c.message_cost,
            max_reproduce_cost: c.max_reproduce_cost,
            reproduce_factor: c.reproduce_factor,
            hit_cost: c.hit_cost,
            terraform_cost: c.terraform_cost,
            life_cost: c.life_cost,
            age_cost: c.age_cost,
            weather_speed: t.weather_speed,
            alpha: t.alpha,
            terrain_max_energy: t.max_energy,
            terrain_max_move_cost: t.max_move_cost,
            terrain_max_push_cost: t.max_push_cost,
            terrain_max_energy_gain: t.max_energy_gain,
            terrain_max_message_cost: t.max_message_cost,
            terrain_max_reproduce_cost: t.max_reproduce_cost,
            gain_scaling: t.gain_scaling,
            energy_gain_clip: t.energy_gain_clip,
            season_period_ticks: t.season_period_ticks,
            mutation_sigma: cfg.mutation.sigma,
            init_sigma: cfg.mutation.init_sigma,
            child_energy: a.child_energy,
            initial_energy: a.initial_energy,
            bot_initial_energy: cfg.bots.initial_energy,
            initial_agents: cfg.initial_agents(),
            metric_partials: d.metric_partials as u32,
            brain_state_len: d.brain_state_len as u32,
            grid_hash_buckets: d.grid_hash_buckets as u32,
            mutation_rate: cfg.mutation.rate,
            bot_steps_per_tick: cfg.bot_steps(),
            messages_on: u32::from(cfg.controls.messages.is_heard()),
            terraform_on: u32::from(cfg.controls.terraform.is_on()),
            cultivated_gain: cfg.measures.cultivated_gain,
            saliency_every: cfg.measures.saliency_every,
            grid_cells_per_unit: d.grid_dim as f32 / cfg.world_size(),
            messages_shuffled: u32::from(
                cfg.controls.messages == crate::config::MessageControl::Shuffled,
            ),
            programming_on: u32::from(cfg.controls.programming.is_on()),
            influence_every: cfg.measures.influence_every,
            kin_generations: cfg.measures.kin_generations,
            kin_ticks: cfg.measures.kin_ticks,
            honest_gifts: u32::from(cfg.ecology.honest_gifts),
            respawn_below: cfg.ecology.respawn_below,
            random_parents: u32::from(cfg.ecology.random_parents),
            crowding_limit: cfg.ecology.crowding_limit,
            crowding_radius: cfg.ecology.crowding_radius,
            id_drift: cfg.ecology.id_drift,
            stranger_eat_fraction: cfg.ecology.stranger_eat_fraction,
            food_patches: cfg.ecology.food_patches,
            food_patch_radius_cells: cfg.ecology.food_patch_radius_cells,
            food_patch_period_ticks: cfg.ecology.food_patch_period_ticks,
            bot_kin_share: cfg.ecology.bot_kin_share,
        }
    }
}

/// Everything that persists from tick to tick: what checkpoints hold and `state_hash` covers.
#[derive(Clone, Debug, PartialEq)]
pub struct State {
    pub clock: Clock,
    pub cells: Vec<Cell>,
    pub base: Vec<Cell>,
    pub angles: Vec<f32>,
    pub agents: Vec<Agent>,
    pub bots: Vec<Bot>,
    pub genomes: Vec<f32>,
    pub brain_state: Vec<f32>,
    pub measures: Measures,
    /// Per agent slot, the symbol of the message it will observe next tick (NONE: dead).
    pub heard: Vec<u32>,
    /// The communication histograms: `comm::WINDOW_TICKS` slots of `comm::SLOT` counts.
    pub comm_hist: Vec<u32>,
    /// Per bot, the tick an agent last wrote into its program (NONE: never).
    pub bot_programmed: Vec<u32>,
    /// Per cell, who last raised its energy_gain (`CULTIVATOR_*`), so eating from bots'
    /// farms can be credited to them.
    pub cultivator: Vec<u32>,
    /// Per cell, which one: the lineage key of the agent (`kin_key`: its founder's lineage,
    /// or its kin group) or the slot of the bot that last raised its energy_gain.
    pub cultivator_id: Vec<u32>,
    /// Per cell, the energy_gain it would have with weather alone: it relaxes toward the
    /// base as the cell does but never receives terraforming, so cultivation is measured
    /// against it rather than against the drifting base.
    pub shadow_gain: Vec<f32>,
    /// Per bot, the lineage key of the lineage that last wrote its program (0: none).
    pub bot_programmer: Vec<u32>,
    /// Energy totals at the end of the previous tick (agents, cells, bots), for the ledger;
    /// kept in checkpoints so a resumed run's first ledger row matches.
    pub metrics_prev: Vec<f32>,
}

/// Per-tick working buffers: rebuilt every tick, never checkpointed.
#[derive(Clone, Debug, PartialEq)]
pub struct Scratch {
    pub actions: Vec<f32>,
    pub obs: Vec<f32>,
    pub neighbor_list: Vec<u32>,
    pub bot_neighbor_list: Vec<u32>,
    pub agent_acc: Vec<AgentAcc>,
    pub cell_acc: Vec<CellAcc>,
    pub agent_tick: Vec<AgentTick>,
    pub cell_tick: Vec<CellTick>,
    /// What agents and other bots did to each bot this step (`message`: program writes).
    pub bot_acc: Vec<AgentAcc>,
    pub bot_tick: Vec<BotTick>,
    /// Every bot's bit (memory[15]) after each bot step of the tick, step-major.
    pub bot_bits: Vec<f32>,
    /// Per cell, which bot gathers what bots did there this step: u32::MAX minus the
    /// lowest slot of a bot acting on it, 0 for none.
    pub cell_owner: Vec<u32>,
    /// The same for agents: which bot that saw an agent gathers what bots did to it.
    pub agent_owner: Vec<u32>,
    /// (x, y, 1 if alive, 0) of every agent slot, kept current from apply_agents on, for
    /// bots' sensing (16 bytes an agent to scan instead of a line of the Agent).
    pub agent_pos: Vec<[f32; 4]>,
    /// How far agents may have moved since the grid was built: the largest |dx| + |dy| of
    /// an agent's move in apply_agents (0), then in each bot step's bots_apply (1 + step).
    pub agent_shift: Vec<f32>,
    pub grid_counts: Vec<u32>,
    pub grid_start: Vec<u32>,
    pub grid_items: Vec<u32>,
    /// Positions in grid order, beside grid_items, so neighbour searches read memory in order.
    pub grid_pos: Vec<[f32; 2]>,
    pub agent_cell: Vec<u32>,
    /// Perlin gradient (cos, sin) of every weather angle, computed once per tick.
    pub gradients: Vec<[f32; 2]>,
    /// Ordered-u32 min (first WEATHER_FIELDS) and max (next WEATHER_FIELDS) of raw noise.
    pub minmax: Vec<u32>,
    pub birth_control: BirthControl,
    pub birth_list: Vec<Birth>,
    pub metrics_ring: Vec<f32>,
    /// Partial sums of the metrics, one block per chunk of agents and cells.
    pub metrics_partials: Vec<f32>,
    /// Open-addressing set of the lineage keys seen by the metrics this tick (0 = empty).
    pub lineage_set: Vec<u32>,
    /// Births and deaths since they were last taken (`events_len` at most; the count goes
    /// on past it, so a reader knows how many were lost).
    pub events: Vec<LifeEvent>,
    pub event_count: u32,
    /// Saliency: the sampled agents (NONE: none alive), each probe's perturbed input (its
    /// index in the observation row; NONE for the unperturbed pass or an empty group),
    /// and each probe's 44 actions.
    pub probe_agents: Vec<u32>,
    pub probe_inputs: Vec<u32>,
    pub probe_actions: Vec<f32>,
    /// `controls.messages: Shuffled`: the living agents in slot order, how many, and per
    /// agent slot (per bot) whose messages it shows this tick (itself otherwise).
    pub living: Vec<u32>,
    pub living_count: u32,
    pub message_source: Vec<u32>,
    pub bot_message_source: Vec<u32>,
    /// Per cell, who raised its energy_gain this step (0: none; the largest mark wins):
    /// an agent drawn among those that did, as `common::credit_mark`, or in a bot step the
    /// lowest-numbered bot, as u32::MAX minus its slot.
    pub cell_raiser: Vec<u32>,
    /// Per bot, the agent drawn among those that wrote its program this tick, as
    /// `common::credit_mark` (0: none).
    pub bot_writer: Vec<u32>,
    /// Per slot of `lineage_set`, the energy that lineage's agents ate this tick, in
    /// fixed point (`LINEAGE_FIXED_SCALE`).
    pub lineage_eaten: Vec<u32>,
}

impl Scratch {
    pub fn new(d: &Dims) -> Self {
        Self {
            actions: vec![0.0; d.capacity * ACTION_LEN],
            obs: vec![0.0; d.obs_buffer_len()],
            neighbor_list: vec![NONE; d.capacity * d.view_agents.max(1)],
            bot_neighbor_list: vec![NONE; d.capacity * d.view_bots.max(1)],
            agent_acc: vec![AgentAcc::default(); d.capacity],
            cell_acc: vec![CellAcc::default(); d.cells],
            agent_tick: vec![AgentTick::default(); d.capacity],
            cell_tick: vec![CellTick::default(); d.cells],
            bot_acc: vec![AgentAcc::default(); d.bots],
            bot_tick: vec![BotTick::default(); d.bots],
            bot_bits: vec![0.0; d.bots * d.bot_steps],
            cell_owner: vec![0; d.cells],
            agent_owner: vec![0; d.capacity],
            agent_pos: vec![[0.0; 4]; d.capacity],
            agent_shift: vec![0.0; 1 + d.bot_steps],
            grid_counts: vec![0; d.grid_buckets()],
            grid_start: vec![0; d.grid_buckets() + 1],
            grid_items: vec![0; GRID_LEVELS * d.capacity],
            grid_pos: vec![[0.0; 2]; GRID_LEVELS * d.capacity],
            agent_cell: vec![0; GRID_LEVELS * d.capacity],
            gradients: vec![[0.0; 2]; d.angles],
            minmax: vec![0; 2 * WEATHER_FIELDS],
            birth_control: BirthControl::default(),
            birth_list: vec![Birth::default(); d.capacity],
            metrics_ring: vec![0.0; METRIC_RING * METRIC_COLUMNS.len()],
            metrics_partials: vec![0.0; MAX_METRIC_PARTIALS * PARTIAL_STRIDE],
            // Agent, cell and bot energy at the end of the previous tick.
            lineage_set: vec![0; d.lineage_set_len()],
            events: vec![LifeEvent::default(); d.events_len()],
            event_count: 0,
            probe_agents: vec![NONE; SALIENCY_AGENTS + INFLUENCE_LISTENERS],
            probe_inputs: vec![NONE; PROBE_ROWS],
            probe_actions: vec![0.0; PROBE_ROWS * ACTION_LEN],
            living: vec![0; d.capacity],
            living_count: 0,
            message_source: (0..d.capacity as u32).collect(),
            bot_message_source: (0..d.bots as u32).collect(),
            cell_raiser: vec![0; d.cells],
            bot_writer: vec![0; d.bots],
            lineage_eaten: vec![0; d.lineage_set_len()],
        }
    }
}

impl State {
    /// A fresh world, or a refusal with the figures when this machine cannot hold it.
    pub fn try_new(cfg: &Config) -> Result<Self, String> {
        check::fits_in_memory(cfg)?;
        Ok(Self::new(cfg))
    }

    /// The bytes of every section of a state of `cfg`, without building one (a checkpoint
    /// reader checks a file can hold them before it allocates).
    pub fn bytes_for(cfg: &Config) -> u64 {
        let d = Dims::new(cfg);
        let (cap, cells, bots) = (d.capacity as u64, d.cells as u64, d.bots as u64);
        std::mem::size_of::<Clock>() as u64
            + 2 * cells * std::mem::size_of::<Cell>() as u64
            + 4 * d.angles as u64
            + cap * std::mem::size_of::<Agent>() as u64
            + bots * std::mem::size_of::<Bot>() as u64
            + 4 * cap * d.genome_len as u64
            + 4 * cap * d.brain_state_len as u64
            + std::mem::size_of::<Measures>() as u64
            + 4 * cap
            + 4 * (comm::WINDOW_TICKS * comm::SLOT) as u64
            + 4 * bots
            + 4 * cells
            + 16
            + 4 * cells
            + 4 * cells
            + 4 * bots
    }

    /// Floats of the world that are NaN or infinite (none in a healthy world): positions,
    /// energies, messages and the rest of every agent and bot, cells, base fields, weather
    /// angles, genomes, recurrent state and the running measures.
    pub fn non_finite_values(&self) -> usize {
        let bad = |xs: &[f32]| xs.iter().filter(|v| !v.is_finite()).count();
        let agents = self
            .agents
            .iter()
            .map(|a| {
                bad(&a.pos)
                    + bad(&[a.energy, a.age])
                    + bad(&a.id)
                    + bad(&a.self_message)
                    + bad(&a.other_message)
                    + bad(&a.last_action)
            })
            .sum::<usize>();
        let bots = self
            .bots
            .iter()
            .map(|b| bad(&b.pos) + bad(&[b.energy]) + bad(&b.memory) + bad(&b.program))
            .sum::<usize>();
        agents
            + bots
            + bad(bytemuck::cast_slice(&self.cells))
            + bad(bytemuck::cast_slice(&self.base))
            + bad(&self.angles)
            + bad(&self.genomes)
            + bad(&self.brain_state)
            + bad(bytemuck::bytes_of(&self.measures)
                .chunks(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect::<Vec<_>>()
                .as_slice())
            + bad(&self.shadow_gain)
            + bad(&self.metrics_prev)
    }

    pub fn population(&self) -> usize {
        self.agents.iter().filter(|a| a.alive != 0).count()
    }

    /// blake3 over every persistent buffer: equal hashes mean bit-identical worlds.
    pub fn hash(&self) -> String {
        let mut h = blake3::Hasher::new();
        for (section, bytes) in self.sections() {
            h.update(section.name().as_bytes());
            h.update(&(bytes.len() as u64).to_le_bytes());
            h.update(bytes);
        }
        h.finalize().to_hex()[..32].to_string()
    }

    /// A state of the right shape for `cfg`, all zero (to be filled from a checkpoint or GPU).
    pub fn zeroed(cfg: &Config) -> Self {
        let d = Dims::new(cfg);
        Self {
            clock: Clock::default(),
            cells: vec![Cell::default(); d.cells],
            base: vec![Cell::default(); d.cells],
            angles: vec![0.0; d.angles],
            agents: vec![Agent::zeroed_dead(); d.capacity],
            bots: vec![bytemuck::Zeroable::zeroed(); d.bots],
            genomes: vec![0.0; d.capacity * d.genome_len],
            brain_state: vec![0.0; d.capacity * d.brain_state_len],
            measures: Measures::default(),
            heard: vec![NONE; d.capacity],
            comm_hist: vec![0; comm::WINDOW_TICKS * comm::SLOT],
            bot_programmed: vec![NONE; d.bots],
            cultivator: vec![CULTIVATOR_NONE; d.cells],
            cultivator_id: vec![0; d.cells],
            shadow_gain: vec![0.0; d.cells],
            bot_programmer: vec![0; d.bots],
            metrics_prev: vec![0.0; 4],
        }
    }

    pub fn tick(&self) -> u64 {
        self.clock.tick as u64
    }
}

impl Agent {
    pub fn zeroed_dead() -> Self {
        bytemuck::Zeroable::zeroed()
    }
}

/// Named byte views of every buffer of the state structs, in a fixed order (hashing,
/// checkpoints, GPU uploads and downloads), and `Section`, the typed name of each. Each
/// field is listed once; its name is the shaders' variable name. `one` marks a single
/// struct, `many` a Vec.
macro_rules! sections {
    ($($ty:ty { $($kind:ident $field:ident $variant:ident),* $(,)? })*) => {
        /// A buffer of `State` or `Scratch`, by the field that holds it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Section {
            $($($variant),*),*
        }

        impl Section {
            /// Every section: `State`'s in its order, then `Scratch`'s.
            pub const ALL: &'static [Section] = &[$($(Section::$variant),*),*];

            /// The field's name, which is also the shaders' variable bound to it and
            /// the section's name in a checkpoint.
            pub const fn name(self) -> &'static str {
                match self {
                    $($(Section::$variant => stringify!($field)),*),*
                }
            }

            /// The section a shader variable or checkpoint entry names.
            pub fn from_name(name: &str) -> Option<Section> {
                Section::ALL.iter().copied().find(|s| s.name() == name)
            }
        }

        $(impl $ty {
            pub fn sections(&self) -> Vec<(Section, &[u8])> {
                vec![$((Section::$variant, sections!(@ref $kind self.$field))),*]
            }

            pub fn sections_mut(&mut self) -> Vec<(Section, &mut [u8])> {
                vec![$((Section::$variant, sections!(@mut $kind self.$field))),*]
            }
        })*
    };
    (@ref one $e:expr) => { bytemuck::bytes_of(&$e) };
    (@ref many $e:expr) => { bytemuck::cast_slice(&$e) };
    (@mut one $e:expr) => { bytemuck::bytes_of_mut(&mut $e) };
    (@mut many $e:expr) => { bytemuck::cast_slice_mut(&mut $e) };
}

sections! {
    State {
        one clock Clock,
        many cells Cells,
        many base Base,
        many angles Angles,
        many agents Agents,
        many bots Bots,
        many genomes Genomes,
        many brain_state BrainState,
        one measures Measures,
        many heard Heard,
        many comm_hist CommHist,
        many bot_programmed BotProgrammed,
        many cultivator Cultivator,
        many metrics_prev MetricsPrev,
        many cultivator_id CultivatorId,
        many shadow_gain ShadowGain,
        many bot_programmer BotProgrammer,
    }
    Scratch {
        many actions Actions,
        many obs Obs,
        many neighbor_list NeighborList,
        many bot_neighbor_list BotNeighborList,
        many agent_acc AgentAcc,
        many cell_acc CellAcc,
        many agent_tick AgentTick,
        many cell_tick CellTick,
        many bot_acc BotAcc,
        many bot_tick BotTick,
        many bot_bits BotBits,
        many cell_owner CellOwner,
        many agent_owner AgentOwner,
        many agent_pos AgentPos,
        many agent_shift AgentShift,
        many grid_counts GridCounts,
        many grid_start GridStart,
        many grid_items GridItems,
        many grid_pos GridPos,
        many agent_cell AgentCell,
        many gradients Gradients,
        many minmax Minmax,
        one birth_control BirthControl,
        many birth_list BirthList,
        many metrics_ring MetricsRing,
        many lineage_set LineageSet,
        many events Events,
        one event_count EventCount,
        many metrics_partials MetricsPartials,
        many probe_agents ProbeAgents,
        many probe_inputs ProbeInputs,
        many probe_actions ProbeActions,
        many living Living,
        one living_count LivingCount,
        many message_source MessageSource,
        many bot_message_source BotMessageSource,
        many cell_raiser CellRaiser,
        many bot_writer BotWriter,
        many lineage_eaten LineageEaten,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_for_counts_every_section() {
        for brain in [
            crate::config::Brain::Linear,
            crate::config::Brain::Compact { hidden: 16 },
        ] {
            let cfg = Config {
                brain,
                ..Config::default()
            };
            let zeroed = State::zeroed(&cfg);
            let total: usize = zeroed.sections().iter().map(|(_, b)| b.len()).sum();
            assert_eq!(State::bytes_for(&cfg), total as u64);
        }
    }
}
