//! Plain-old-data structs shared bit for bit with the WGSL side (`shaders/common.wgsl`).
//! `tests/suite/shaders.rs` reads the WGSL structs through naga and checks sizes and offsets.

use bytemuck::{Pod, Zeroable};

pub const MESSAGE_LEN: usize = 16;
pub const ID_LEN: usize = 8;
/// Brain outputs: move(2), push, eat, reproduce, hit, gate, self_message(16),
/// other_message(16), terraform(5).
pub const ACTION_LEN: usize = 44;
/// The per-agent action summary others see: the 11 first scalar actions
/// (move x, move y, push, eat, reproduce, hit, gate, terraform gain, move, push, message).
pub const LAST_ACTION_LEN: usize = 11;
/// Self/neighbour vector: ln energy, ln age, position(2), last_action, id, self_message, other_message.
pub const AGENT_VEC_LEN: usize = 4 + LAST_ACTION_LEN + ID_LEN + 2 * MESSAGE_LEN;
/// Bot vector: offset(2), ln energy, memory(16), program(16).
pub const BOT_VEC_LEN: usize = 3 + 2 * MESSAGE_LEN;
/// Per terrain cell in an observation: energy, move, push, gain, message, reproduce costs, max_energy.
pub const CELL_FEATURES: usize = 7;
pub const NONE: u32 = u32::MAX;

/// Action vector indices.
pub mod act {
    pub const MOVE_X: usize = 0;
    pub const MOVE_Y: usize = 1;
    pub const PUSH: usize = 2;
    pub const EAT: usize = 3;
    pub const REPRODUCE: usize = 4;
    pub const HIT: usize = 5;
    pub const GATE: usize = 6;
    pub const SELF_MESSAGE: usize = 7;
    pub const OTHER_MESSAGE: usize = 23;
    /// energy_gain, move_cost, push_cost, message_cost, reproduce_cost.
    pub const TERRAFORM: usize = 39;
}

/// One agent slot. 256 bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Pod, Zeroable)]
pub struct Agent {
    pub pos: [f32; 2],
    pub energy: f32,
    pub age: f32,
    pub alive: u32,
    pub generation: u32,
    /// Unique id of this individual: (birth tick << 32) | slot.
    pub lineage_lo: u32,
    pub lineage_hi: u32,
    /// Parent's id; all ones for a respawned agent.
    pub parent_lo: u32,
    pub parent_hi: u32,
    /// Lineage: the id of the respawned (or initial) founder it descends from.
    pub founder: [u32; 2],
    pub id: [f32; ID_LEN],
    pub self_message: [f32; MESSAGE_LEN],
    pub other_message: [f32; MESSAGE_LEN],
    pub last_action: [f32; LAST_ACTION_LEN],
    /// The key of its kin group, the unit of the lineage measures when
    /// `measures.kin_generations` is G > 0: the `lineage_key` of its latest ancestor (itself
    /// included) whose generation is a multiple of G. 0: its founder's lineage (G = 0).
    pub kin: u32,
}

/// One terrain cell (also used for the base fields weather pulls toward). 32 bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct Cell {
    pub energy: f32,
    pub max_energy: f32,
    pub energy_gain: f32,
    pub move_cost: f32,
    pub push_cost: f32,
    pub message_cost: f32,
    pub reproduce_cost: f32,
    pub bit: f32,
}

/// One bot. 144 bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Pod, Zeroable)]
pub struct Bot {
    pub pos: [f32; 2],
    pub energy: f32,
    pub _pad0: f32,
    pub memory: [f32; MESSAGE_LEN],
    pub program: [f32; MESSAGE_LEN],
}

/// A birth (or respawn) or a death, appended by the births passes for lineage.csv and read
/// back with the metrics. 32 bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
pub struct LifeEvent {
    /// `EVENT_BIRTH` or `EVENT_DEATH`.
    pub kind: u32,
    pub tick: u32,
    /// The individual: (birth tick << 32) | slot, as `Agent::lineage_lo/hi`.
    pub id: [u32; 2],
    /// Births: the parent's id (all ones for a respawn). Deaths: unused.
    pub parent: [u32; 2],
    pub generation: u32,
    /// Deaths: `CAUSE_STARVED` or `CAUSE_HIT`.
    pub cause: u32,
}

pub const EVENT_BIRTH: u32 = 1;
pub const EVENT_DEATH: u32 = 2;
/// Its costs took its energy to 0 or below.
pub const CAUSE_STARVED: u32 = 1;
/// It would have lived without the hits it took this tick.
pub const CAUSE_HIT: u32 = 2;

/// Running sums of the emergence measures, kept between ticks (and in checkpoints) so a
/// resumed run measures exactly as an uninterrupted one. 48 bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct Measures {
    /// Σ over the run of energy eaten from cultivated cells.
    pub eaten_cultivated_total: f32,
    /// Σ over the run of energy spent raising energy_gain (agents and bots).
    pub cultivation_cost_total: f32,
    /// Lineages alive at the end of the last tick.
    pub lineages_prev: f32,
    /// The last genome diversity measured (every `DIVERSITY_EVERY_TICKS` ticks).
    pub genome_diversity: f32,
    /// The last saliency estimate per input group (`SALIENCY_GROUPS`), held between.
    pub saliency: [f32; SALIENCY_GROUPS],
    /// The last message influence measured (every `measures.influence_every` ticks), held
    /// between: the share of sampled listeners whose discrete action changed when their
    /// heard messages were swapped for another agent's, and the mean |Δaction|.
    pub influence_changed: f32,
    pub influence_delta: f32,
    pub _pad: f32,
}

/// Saliency (JaxLife's communication saliency): the mean |∂action/∂input| over the
/// 44 actions, by one-sided finite differences of `SALIENCY_EPS`, for `SALIENCY_INPUTS`
/// random inputs of each group of `SALIENCY_AGENTS` random living agents. Groups: terrain,
/// self (the own vector but messages), agents (neighbours' vectors but messages), bots
/// (but their memories), messages (every message and bot memory seen, own included).
pub const SALIENCY_GROUPS: usize = 5;
pub const SALIENCY_AGENTS: usize = 8;
pub const SALIENCY_INPUTS: usize = 8;
/// Brain evaluations per sampled agent: the unperturbed one, then one per probed input.
pub const SALIENCY_PROBES: usize = 1 + SALIENCY_GROUPS * SALIENCY_INPUTS;
pub const SALIENCY_EPS: f32 = 0.01;

/// Message influence (Lowe et al. 2019's causal influence of communication): every
/// `measures.influence_every` ticks, `INFLUENCE_LISTENERS` random living agents that see
/// another agent or a bot are run through their brains twice from the same observation and
/// recurrent state, once as they are and once with every message they hear (their own
/// other_message, their neighbours' message fields, the bots' memories) swapped for those
/// another random living agent hears.
pub const INFLUENCE_LISTENERS: usize = 32;
/// The brains' probe rows: `SALIENCY_AGENTS * SALIENCY_PROBES` saliency rows (agent s's
/// probes together), then two rows per influence listener (as it is, swapped).
pub const SALIENCY_ROWS: usize = SALIENCY_AGENTS * SALIENCY_PROBES;
pub const PROBE_ROWS: usize = SALIENCY_ROWS + 2 * INFLUENCE_LISTENERS;
/// A probe row's input code with this bit set swaps the heard messages for those of the
/// agent in its low bits (otherwise it is the observation input raised, or NONE).
pub const PROBE_SWAP: u32 = 0x8000_0000;

/// The sampled agent of probe row `row` (an index into `Scratch::probe_agents`).
pub fn probe_agent_index(row: usize) -> usize {
    if row < SALIENCY_ROWS {
        row / SALIENCY_PROBES
    } else {
        SALIENCY_AGENTS + (row - SALIENCY_ROWS) / 2
    }
}

/// Genome diversity is measured on the first `DIVERSITY_SAMPLE` living agents (slot order)
/// every `DIVERSITY_EVERY_TICKS` ticks: reading genomes costs more than the rest of the row.
pub const DIVERSITY_SAMPLE: usize = 16;
pub const DIVERSITY_EVERY_TICKS: u32 = 16;

/// Pairs of weights each thread of `births_genome` writes (WGSL const of births.wgsl): the
/// genome dispatch is sized by it.
pub const GENOME_PAIRS_PER_THREAD: u32 = 8;

/// A bot counts as programmed for this many ticks after an agent last wrote into it.
pub const PROGRAMMED_WINDOW_TICKS: u32 = 32;

/// The key of a lineage in the distinct-lineage count: a 32-bit hash of its 64-bit id,
/// never 0 (0 marks an empty slot). WGSL `lineage_key`.
pub fn lineage_key(lo: u32, hi: u32) -> u32 {
    let mut x = lo ^ hi.wrapping_mul(0x9e37_79b9);
    x = (x ^ (x >> 16)).wrapping_mul(0x7feb_352d);
    x = (x ^ (x >> 15)).wrapping_mul(0x846c_a68b);
    (x ^ (x >> 16)) | 1
}

/// The kin group a parent born before epoch `epoch` roots with its children of that epoch
/// (`measures.kin_ticks`; WGSL `epoch_kin_key`).
pub fn epoch_kin_key(parent: &Agent, epoch: u32) -> u32 {
    epoch_kin_key_of(parent.lineage_lo, parent.lineage_hi, epoch)
}

/// `epoch_kin_key` of a parent given by its lineage id (lo, hi).
pub fn epoch_kin_key_of(lo: u32, hi: u32, epoch: u32) -> u32 {
    lineage_key(lo ^ epoch.wrapping_mul(0x85eb_ca6b), hi ^ 0x5bd1_e995)
}

/// The lineage an agent counts for in the lineage measures (own harvest, programmer
/// benefit, lineages alive): its kin group when it has one, else its founder's lineage.
/// WGSL `kin_key`.
pub fn kin_key(a: &Agent) -> u32 {
    if a.kin != 0 {
        a.kin
    } else {
        lineage_key(a.founder[0], a.founder[1])
    }
}

/// Communication measures: messages and actions are quantised into symbols and counted in
/// joint histograms over the last `COMM_WINDOW_TICKS` ticks (one slot per tick, a ring).
pub mod comm {
    /// Sign bits of the first 4 message components.
    pub const MESSAGE_SYMBOLS: usize = 16;
    /// Sign bits of move x, move y and eat.
    pub const ACTION_SYMBOLS: usize = 8;
    pub const TABLE: usize = MESSAGE_SYMBOLS * ACTION_SYMBOLS;
    /// Per tick slot: the speaker table (sent message × own action), then the listener
    /// table (message heard × next action).
    pub const SLOT: usize = 2 * TABLE;
    pub const WINDOW_TICKS: usize = 32;
}

/// World clock and counters the GPU keeps between ticks. 16 bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct Clock {
    pub tick: u32,
    /// Alive agents at the start of the tick (for the crowding factor f = alive / capacity).
    pub alive: u32,
    /// Bot steps done so far this tick (0 between ticks).
    pub bot_step: u32,
    pub _pad: u32,
}

/// Fixed-point accumulators an agent receives from others in one tick (also a bot's, where
/// `message` is what others write into its program). 84 bytes. Scatters are summed as
/// integers so the result does not depend on thread order; the pass that applies them
/// zeroes them for the next step.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct AgentAcc {
    pub push: [i32; 2],
    pub hit: i32,
    pub gate: i32,
    pub message: [i32; MESSAGE_LEN],
    /// Energy bots passed to it (`ecology.bot_kin_share`); always 0 in a bot's.
    pub from_bots: i32,
}

/// Fixed-point accumulators of one cell in one tick. 32 bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct CellAcc {
    pub eaters: u32,
    pub terraform: [i32; 5],
    /// Bots writing the cell's bit this step, and the sum of the bits they write.
    pub bit_writers: u32,
    pub bit_sum: i32,
}

/// What one agent did this tick, for the energy ledger and metrics. 48 bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct AgentTick {
    pub eaten: f32,
    pub cost: f32,
    /// Net energy this agent received from hits (negative: it was hit).
    pub hit_received: f32,
    /// Energy the agent stole with its own hits.
    pub stolen: f32,
    /// Energy an agent had when it died this tick (0 if it did not die).
    pub death_energy: f32,
    /// `TICK_ACTED | TICK_DIED | TICK_WANTS_CHILD` bits.
    pub flags: u32,
    /// Positive energy_gain terraforming done (cultivation).
    pub cultivation: f32,
    /// Sum of the message gates it wrote into bots' programs (programming).
    pub programming: f32,
    /// Bots it wrote into (programming events: open gate on a bot it sees).
    pub programmed: u32,
    /// Who had last raised the energy_gain of the cell it ate from, as the cell was when it
    /// ate (`CULTIVATOR_*`; `CULTIVATOR_NONE` when the cell was not cultivated or it did
    /// not eat), and the lineage credited with that cell: the cultivating agent's lineage,
    /// or the lineage that last programmed the cultivating bot (0: none).
    pub meal_from: u32,
    pub meal_lineage: u32,
    /// Energy bots passed to it this tick (`ecology.bot_kin_share`).
    pub from_bots: f32,
}

/// It was alive at the start of the tick and acted.
pub const TICK_ACTED: u32 = 1;
/// It died this tick.
pub const TICK_DIED: u32 = 2;
/// It asked to reproduce and could afford it.
pub const TICK_WANTS_CHILD: u32 = 4;

/// What one bot did this tick: its last step's program output and the tick's energy flows
/// summed over its steps. 128 bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct BotTick {
    /// The program's output this step, before clipping: the action, and the memory it may write.
    pub out: [f32; MESSAGE_LEN],
    /// The operation its program selected this step (0..7).
    pub op: u32,
    /// This step's cost and stolen energy, set when it acts and summed when it applies.
    pub step_cost: f32,
    pub step_stolen: f32,
    pub cost: f32,
    pub eaten: f32,
    /// Net energy received from hits (negative: it was hit).
    pub hit_received: f32,
    pub stolen: f32,
    /// Energy added by clipping its energy at 0 (bots never die).
    pub clip: f32,
    /// Positive energy_gain terraforming done (cultivation).
    pub cultivation: f32,
    /// The cell it acted on this step.
    pub cell: u32,
    /// The agents it saw this step (NONE for empty slots).
    pub seen: [u32; BOT_VIEW],
    /// Bot steps this tick in which it terraformed its cell (bot work).
    pub terraform_steps: u32,
    /// Entities it pushed this tick, counted once per step (bot work).
    pub moved: u32,
    /// What it passes this step to its programmer's kin (`ecology.bot_kin_share`), as the
    /// receiver gets it (rounded to the accumulators' fixed point).
    pub step_gift: f32,
    pub _pad: u32,
}

/// What one cell did this tick. 16 bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct CellTick {
    pub eaten: f32,
    /// Energy change of the cell over the terrain step (regrowth, decay, clipping).
    pub regrowth: f32,
    /// What the agents (not the bots) ate from it this tick.
    pub eaten_by_agents: f32,
    pub _pad: f32,
}

/// Fixed-point scale of the per-lineage eating sums (`Scratch::lineage_eaten`): 2^10 per
/// unit of energy keeps a lineage's eating of a tick in a u32 up to 4 million units.
pub const LINEAGE_FIXED_SCALE: f32 = 1024.0;

/// Who last raised a cell's energy_gain (`State::cultivator`).
pub const CULTIVATOR_NONE: u32 = 0;
pub const CULTIVATOR_AGENTS: u32 = 1;
pub const CULTIVATOR_BOTS: u32 = 2;

/// Result of the births selection. 64 bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct BirthControl {
    /// Indirect dispatch for the spawn pass: ceil(count / 64) workgroups folded into x and y.
    pub spawn_args: [u32; 3],
    /// Indirect dispatch for the genome pass: ceil(genome_len / 2 / (256 ·
    /// GENOME_PAIRS_PER_THREAD)), min(count, 65535),
    /// ceil(count / 65535).
    pub genome_args: [u32; 3],
    /// Entries in the birth list (births + respawns).
    pub count: u32,
    pub births: u32,
    pub respawns: u32,
    pub deaths: u32,
    pub candidates: u32,
    pub alive_after: u32,
    pub _pad: [u32; 4],
}

/// One entry of the birth list. 8 bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct Birth {
    pub child: u32,
    /// Parent slot, or NONE for a respawned random agent.
    pub parent: u32,
}

/// Bots' view: the nearest agents and the nearest other bots each bot sees.
pub const BOT_VIEW: usize = 4;
/// Operations of a bot program (argmax over its first 7 floats), then its 8-entry table.
pub const BOT_OPS: usize = 7;
pub const BOT_TABLE: usize = 8;

/// Bot action indices: a bot's output (its memory when written) read as an action.
pub mod bot_act {
    pub const MOVE_X: usize = 0;
    pub const MOVE_Y: usize = 1;
    pub const PUSH: usize = 2;
    pub const EAT: usize = 3;
    pub const HIT: usize = 5;
    pub const GATE: usize = 6;
    /// energy_gain, move_cost, push_cost, message_cost, reproduce_cost.
    pub const TERRAFORM: usize = 7;
    /// > 0.99 reads the bit of the cell it moves to into memory[15]; < -0.99 writes memory[15].
    pub const BIT_IO: usize = 12;
    /// > 0 (or the copy operation) writes the output into memory.
    pub const WRITE: usize = 13;
    /// The memory element that holds a bot's bit.
    pub const BIT: usize = 15;
}

/// Fixed-point scale of the integer accumulators: 2^16 per unit.
pub const FIXED_SCALE: f32 = 65536.0;

/// x in fixed point, rounded half to even (WGSL `to_fixed`). The scaled value is exact in
/// f64, where adding and taking away 1.5 · 2^52 rounds it to an integer, ties to even: the
/// same as `round_ties_even`, which without SSE4.1 is a call into libm costing the effects
/// pass most of its time.
pub fn to_fixed(x: f32) -> i32 {
    const ROUND: f64 = 6_755_399_441_055_744.0;
    (((x * FIXED_SCALE) as f64 + ROUND) - ROUND) as i32
}

pub fn from_fixed(x: i32) -> f32 {
    x as f32 / FIXED_SCALE
}

/// A struct shared with the shaders whose fields are all 4-byte scalars (`u32`, `f32`),
/// declared once: the Rust struct, and its WGSL declaration in `WGSL`, which the shaders'
/// prelude starts with (`gpu::common_wgsl`). A field added here is in both.
macro_rules! wgsl_struct {
    ($(#[$meta:meta])* pub struct $name:ident {
        $($(#[$field_meta:meta])* pub $field:ident: $ty:ident,)*
    }) => {
        $(#[$meta])*
        pub struct $name {
            $($(#[$field_meta])* pub $field: $ty,)*
        }

        impl $name {
            /// The struct's WGSL declaration.
            pub const WGSL: &'static str = concat!(
                "struct ", stringify!($name), " {\n",
                $("    ", stringify!($field), ": ", stringify!($ty), ",\n",)*
                "}\n"
            );
        }
    };
}

wgsl_struct! {
    /// Every constant a shader needs, from the resolved config. Uploaded once as a uniform.
    #[repr(C)]
    #[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
    pub struct Params {
        pub map_size: u32,
        pub capacity: u32,
        pub bot_count: u32,
        pub view_agents: u32,
        pub view_bots: u32,
        pub terrain_view_range: u32,
        pub obs_len: u32,
        pub genome_len: u32,
        pub grid_dim: u32,
        pub brain_kind: u32,
        pub terrain_kind: u32,
        pub perlin_res: u32,
        pub min_agents: u32,
        pub child_energy_from_parent: u32,
        pub seed_lo: u32,
        pub seed_hi: u32,
        pub cell_size: f32,
        pub world_size: f32,
        pub view_radius: f32,
        pub grid_cell_size: f32,
        pub move_speed: f32,
        pub push_speed: f32,
        pub hit_strength: f32,
        pub hit_distance_decay: f32,
        pub hit_steal_fraction: f32,
        pub eat_rate: f32,
        pub terraform_rate: f32,
        pub age_speed: f32,
        pub move_cost: f32,
        pub push_cost: f32,
        pub message_cost: f32,
        pub max_reproduce_cost: f32,
        pub reproduce_factor: f32,
        pub hit_cost: f32,
        pub terraform_cost: f32,
        pub life_cost: f32,
        pub age_cost: f32,
        pub weather_speed: f32,
        pub alpha: f32,
        pub terrain_max_energy: f32,
        pub terrain_max_move_cost: f32,
        pub terrain_max_push_cost: f32,
        pub terrain_max_energy_gain: f32,
        pub terrain_max_message_cost: f32,
        pub terrain_max_reproduce_cost: f32,
        pub gain_scaling: f32,
        pub energy_gain_clip: f32,
        pub season_period_ticks: f32,
        pub mutation_sigma: f32,
        pub init_sigma: f32,
        pub child_energy: f32,
        pub initial_energy: f32,
        pub bot_initial_energy: f32,
        pub initial_agents: u32,
        /// Workgroups (chunks) of the metrics' partial sums.
        pub metric_partials: u32,
        /// Floats of recurrent state per agent (the LSTM's h and c), cleared at birth.
        pub brain_state_len: u32,
        /// Buckets of each level above 0 of the neighbour grid (its cells are folded into
        /// them), a power of two.
        pub grid_hash_buckets: u32,
        /// Fraction of a child's weights that receive mutation noise.
        pub mutation_rate: f32,
        pub bot_steps_per_tick: u32,
        /// Controls: 0 zeroes messages before observation / makes terraforming a no-op.
        pub messages_on: u32,
        pub terraform_on: u32,
        /// energy_gain above base that makes a cell cultivated.
        pub cultivated_gain: f32,
        /// Brain saliency is estimated every this many ticks (0: never).
        pub saliency_every: u32,
        /// Level-0 grid cells per world unit (grid_dim / world size): cells are found by
        /// multiplying, which rounds the same everywhere.
        pub grid_cells_per_unit: f32,
        /// `controls.messages: Shuffled` (messages_on is 1 then too).
        pub messages_shuffled: u32,
        /// `controls.programming`: 0 stops agents' gated messages from writing bots' programs.
        pub programming_on: u32,
        /// Message influence is measured every this many ticks (0: never).
        pub influence_every: u32,
        /// `measures.kin_generations` (0: lineages are founders' lineages).
        pub kin_generations: u32,
        /// `measures.kin_ticks` (0: kin groups, if any, by generations).
        pub kin_ticks: u32,
        /// The `ecology` switches (config/mod.rs `EcologyConfig`; 0 or 1 for the booleans).
        pub honest_gifts: u32,
        pub respawn_below: u32,
        pub random_parents: u32,
        pub crowding_limit: u32,
        pub crowding_radius: f32,
        pub id_drift: f32,
        pub stranger_eat_fraction: f32,
        pub food_patches: u32,
        pub food_patch_radius_cells: f32,
        pub food_patch_period_ticks: u32,
        pub bot_kin_share: f32,
    }
}

/// Brain kinds as the shaders number them.
pub mod brain_kind {
    pub const LINEAR: u32 = 0;
    pub const RANDOM: u32 = 1;
    pub const ZERO: u32 = 2;
    pub const JAXLIFE: u32 = 3;
    pub const COMPACT: u32 = 4;
}

/// Terrain kinds as the shaders number them.
pub mod terrain_kind {
    pub const PERLIN: u32 = 0;
    pub const RANDOM: u32 = 1;
    pub const TWO_ISLANDS: u32 = 2;
    pub const FOUR_ISLANDS: u32 = 3;
}

/// Metric row layout: every column of metrics.csv, in order. The GPU writes rows of
/// `METRIC_COLUMNS.len()` floats; docs/metrics.md documents each column.
pub const METRIC_COLUMNS: &[&str] = &[
    "tick",
    "population",
    "births",
    "deaths",
    "respawns",
    "mean_energy",
    "mean_age",
    "mean_generation",
    "max_generation",
    "terrain_energy",
    "terrain_max_energy",
    "terrain_energy_gain",
    "terrain_move_cost",
    "terrain_push_cost",
    "terrain_message_cost",
    "terrain_reproduce_cost",
    "terrain_bit",
    "action_move_x",
    "action_move_y",
    "action_push",
    "action_eat",
    "action_reproduce",
    "action_hit",
    "action_gate",
    "action_terraform_gain",
    "action_terraform_move",
    "action_terraform_push",
    "action_terraform_message",
    "action_terraform_reproduce",
    "kardashev_agents",
    "cultivation_agents",
    "programming_agents",
    "bot_mean_energy",
    "bot_action_move_x",
    "bot_action_move_y",
    "bot_action_push",
    "bot_action_eat",
    "bot_action_hit",
    "bot_action_gate",
    "bot_action_terraform_gain",
    "kardashev_bots",
    "cultivation_bots",
    "ledger_regrowth",
    "ledger_eaten_by_agents",
    "ledger_eaten_from_cells",
    "ledger_costs",
    "ledger_hit_received",
    "ledger_stolen",
    "ledger_birth_energy",
    "ledger_death_energy",
    "ledger_eaten_by_bots",
    "ledger_bot_hit_received",
    "ledger_bot_stolen",
    "ledger_bot_clip",
    "agent_energy_total",
    "cell_energy_total",
    "bot_energy_total",
    "ledger_error",
    "agri_cultivated_cells",
    "agri_eaten_cultivated",
    "agri_eaten_cultivated_share",
    "agri_cultivation_cost",
    "agri_farming_return",
    "comm_gate_activity",
    "comm_message_entropy",
    "comm_speaker_mi",
    "comm_speaker_bias",
    "comm_listener_mi",
    "comm_listener_bias",
    "tool_programming_events",
    "tool_bots_programmed_share",
    "evo_lineages_alive",
    "evo_lineages_lost",
    "evo_genome_diversity",
    "tool_bot_terraform_steps",
    "tool_bot_moved",
    "tool_eaten_from_bot_farms",
    "brain_saliency_terrain",
    "brain_saliency_self",
    "brain_saliency_agents",
    "brain_saliency_bots",
    "comm_saliency_messages",
    "comm_influence_changed",
    "comm_influence_delta",
    "agri_own_harvest_food",
    "agri_own_harvest_share",
    "agri_own_harvest_chance",
    "tool_programmer_food",
    "tool_programmer_benefit",
    "tool_programmer_benefit_chance",
    "income_eating",
    "income_gifts",
    "income_births",
    "income_theft",
    "income_from_bots",
    "ledger_from_bots",
];

/// Index of a metric column by name (compile-time checked in tests).
pub fn metric_index(name: &str) -> Option<usize> {
    METRIC_COLUMNS.iter().position(|c| *c == name)
}
