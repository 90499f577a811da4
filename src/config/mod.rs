//! World configuration: serde + RON, JaxLife's numbers as defaults.
//!
//! A config file may give only the fields it changes; unknown fields are refused so a
//! typo never silently falls back to a default. `validate()` checks every range and
//! cross-field rule and names the field, the bad value and what is allowed.

mod load;
mod validate;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub seed: u64,
    pub world: WorldConfig,
    pub agents: AgentConfig,
    pub bots: BotConfig,
    pub terrain: TerrainConfig,
    pub brain: Brain,
    /// How the GPU stores genomes: `F16` halves the bytes a brain reads per tick; weights are
    /// then rounded to half precision (on both backends) wherever they are written.
    pub genome_precision: Precision,
    pub mutation: MutationConfig,
    pub costs: CostConfig,
    /// Write a metrics row every this many ticks.
    pub metrics_every: u32,
    /// Agents, bots and terrain bits placed explicitly instead of at random.
    pub scenario: Scenario,
    /// Switches that take one mechanic out, so each emergence measure has a chance level.
    pub controls: Controls,
    /// Parameters of the emergence measures.
    pub measures: MeasureConfig,
    /// [departure] Mechanics that make food what agents live on, each off by default
    /// (JaxLife's economy): docs/world.md "Ecology switches".
    pub ecology: EcologyConfig,
}

/// Switches of the economy, kin structure, ownership and food supply. The defaults are
/// JaxLife's world; every field names the mechanic it changes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EcologyConfig {
    /// A negative hit moves energy from the giver to those it reaches instead of creating
    /// it: the giver pays exactly what they receive, and gives at most what it holds
    /// (agents and bots alike).
    pub honest_gifts: bool,
    /// While fewer than this many agents are alive after the tick's births, random agents
    /// are respawned into free slots up to it (0: only when everyone has died,
    /// `agents.min_agents`).
    pub respawn_below: u32,
    /// Free slots go to would-be parents in a random order each tick instead of to the
    /// richest first.
    pub random_parents: bool,
    /// A would-be parent with at least this many other agents within `crowding_radius`
    /// world units (of the `agents.view_agents` it sees) cannot reproduce (0: no limit).
    pub crowding_limit: u32,
    pub crowding_radius: f32,
    /// A child's id is its parent's plus U(-1, 1) times this per element (JaxLife: 1), so
    /// below 1 kin keep recognisably similar ids for more generations.
    pub id_drift: f32,
    /// An agent eating a cultivated cell that another kin group (or another kin group's
    /// bot) raised digests this fraction of what it takes; the rest is lost (the ledger's
    /// `ledger_eaten_from_cells` exceeds what eaters got; 1: no ownership).
    pub stranger_eat_fraction: f32,
    /// Food grows only inside this many round patches of the map (0: everywhere).
    pub food_patches: u32,
    /// A patch's radius in cells.
    pub food_patch_radius_cells: f32,
    /// Patches move to new random places every this many ticks (0: they stay put).
    pub food_patch_period_ticks: u32,
    /// Each bot step a bot passes this fraction of the energy it holds (which it has from
    /// eating and taking) to the nearest agent it sees of the kin group that last
    /// programmed it; with none in sight it keeps it (0: bots pass nothing).
    pub bot_kin_share: f32,
}

impl Default for EcologyConfig {
    fn default() -> Self {
        Self {
            honest_gifts: false,
            respawn_below: 0,
            random_parents: false,
            crowding_limit: 0,
            crowding_radius: 0.0,
            id_drift: 1.0,
            stranger_eat_fraction: 1.0,
            food_patches: 0,
            food_patch_radius_cells: 8.0,
            food_patch_period_ticks: 0,
            bot_kin_share: 0.0,
        }
    }
}

/// Most food patches a world may have: every cell tests each of them per tick.
pub const MAX_FOOD_PATCHES: u32 = 64;

/// A mechanic on (the default) or off.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Switch {
    #[default]
    On,
    Off,
}

impl Switch {
    pub fn is_on(self) -> bool {
        self == Switch::On
    }
}

/// What agents hear (`controls.messages`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum MessageControl {
    /// Every agent observes the messages sent to it and its neighbours' message fields.
    #[default]
    On,
    /// Every message an agent would observe (its own, its neighbours', the bots'
    /// memories) is zeroed.
    Off,
    /// Every agent hears what was sent to another living agent instead, and sees in each
    /// neighbour's message fields those of another living agent (a fresh random cycle
    /// through the living agents each tick; bots' memories likewise among the bots): the
    /// messages' statistics stay, their link to the listener's surroundings is cut.
    Shuffled,
}

impl MessageControl {
    /// Whether agents observe any messages at all.
    pub fn is_heard(self) -> bool {
        self != MessageControl::Off
    }
}

/// Control runs: `messages` (above); with `terraform: Off` terraform actions of agents and
/// bots do nothing and cost nothing; with `bots: Off` the bots never act (they stay in the
/// world, inert); with `programming: Off` agents' gated messages no longer write bots'
/// programs (bots keep their programs and act). `brain: Random` / `Zero` are the policy
/// controls. Every control may also be switched in a fork of a running world.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Controls {
    pub messages: MessageControl,
    pub terraform: Switch,
    pub bots: Switch,
    pub programming: Switch,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MeasureConfig {
    /// A cell is cultivated while its energy_gain exceeds its weather-only gain (the same
    /// relaxation toward the base, never terraformed) by more than this.
    pub cultivated_gain: f32,
    /// Estimate the brains' saliency every this many ticks (0: never); see
    /// `layout::SALIENCY_AGENTS`.
    pub saliency_every: u32,
    /// Measure message influence every this many ticks (0: never); see
    /// `layout::INFLUENCE_LISTENERS`.
    pub influence_every: u32,
    /// 0: the lineage measures (own harvest, programmer benefit, lineages alive and lost)
    /// count founders' lineages. G > 0: they count kin groups, the descendants of an
    /// ancestor whose generation is a multiple of G, so they still see structure after one
    /// founder's lineage has taken the world.
    pub kin_generations: u32,
    /// T > 0 (with `kin_generations` 0): kin groups by time instead. Time is cut into
    /// epochs of T ticks; a child whose parent was born in an earlier epoch roots a new group
    /// (the parent's offspring of this epoch), any other child is in its parent's. Groups
    /// then span at most about T ticks of births in every world, however fast it breeds, so
    /// worlds of different generation times are compared on the same footing.
    #[serde(default)]
    pub kin_ticks: u32,
}

impl Default for MeasureConfig {
    fn default() -> Self {
        Self {
            cultivated_gain: 0.1,
            saliency_every: 100,
            influence_every: 10,
            kin_generations: 0,
            kin_ticks: 0,
        }
    }
}

/// Explicit placements (demonstrations are configs, not code). Placed agents take the first
/// agent slots, followed by `agents.initial_agents` random ones; placed bots take the first
/// bot slots and the rest of `bots.count` are placed at random.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Scenario {
    pub agents: Vec<AgentPlacement>,
    pub bots: Vec<BotPlacement>,
    pub bits: Vec<BitPlacement>,
    /// Record every bot's bit (memory[15] > 0) after every bot step: `silico run` writes
    /// them to DIR/bits.txt, one line per bot step.
    pub record_bits: bool,
}

/// `count` agents from `pos`, each `step` further on (world units).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AgentPlacement {
    pub pos: [f32; 2],
    pub count: u32,
    pub step: [f32; 2],
    /// None: agents.initial_energy.
    pub energy: Option<f32>,
    pub genome: GenomeSpec,
}

/// A placed agent's brain weights.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub enum GenomeSpec {
    /// Freshly initialised, as a random agent's.
    #[default]
    Random,
    /// All zero.
    Zero,
    /// Named tensors of the brain's layout (e.g. {"linear.bias": [...44 values]}), the rest zero.
    Tensors(BTreeMap<String, Vec<f32>>),
}

/// `count` bots from `pos`, each `step` further on, all with this program and memory.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BotPlacement {
    pub pos: [f32; 2],
    pub count: u32,
    pub step: [f32; 2],
    /// None: bots.initial_energy.
    pub energy: Option<f32>,
    pub program: crate::program::ProgramSpec,
    pub memory: crate::program::MemorySpec,
}

/// The initial bit of one terrain cell (x, y in cells).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BitPlacement {
    pub cell: [u32; 2],
    pub bit: f32,
}

impl Default for AgentPlacement {
    fn default() -> Self {
        Self {
            pos: [0.0; 2],
            count: 1,
            step: [0.0; 2],
            energy: None,
            genome: GenomeSpec::Random,
        }
    }
}

impl Default for BotPlacement {
    fn default() -> Self {
        Self {
            pos: [0.0; 2],
            count: 1,
            step: [0.0; 2],
            energy: None,
            program: Default::default(),
            memory: Default::default(),
        }
    }
}

impl Scenario {
    pub fn placed_agents(&self) -> u64 {
        self.agents.iter().map(|a| a.count as u64).sum()
    }

    pub fn placed_bots(&self) -> u64 {
        self.bots.iter().map(|b| b.count as u64).sum()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WorldConfig {
    /// Cells per side of the toroidal terrain grid.
    pub map_size: u32,
    /// World units per cell.
    pub cell_size: f32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AgentConfig {
    /// Slots in the agent pool; the population never exceeds it.
    pub capacity: u32,
    /// Agents respawned at random when the population dies out; when not given, a
    /// quarter of `capacity` (`min_agents()`).
    pub min_agents: Option<u32>,
    /// Agents alive at tick 0; when not given, every slot that `scenario.agents` leaves
    /// free (JaxLife starts with a full pool; `initial_agents()`).
    pub initial_agents: Option<u32>,
    pub initial_energy: f32,
    /// Energy a newborn starts with.
    pub child_energy: f32,
    /// [departure] when true the child's energy is taken from its parent, so births
    /// create no energy.
    pub child_energy_from_parent: bool,
    /// Cells seen in each direction: the agent sees a (2r+1)^2 patch.
    pub terrain_view_range: u32,
    /// K nearest other agents seen.
    pub view_agents: u32,
    /// Nearest bots seen.
    pub view_bots: u32,
    /// [departure] nothing farther than this (world units) is seen; 0 means unlimited.
    pub view_radius: f32,
    pub move_speed: f32,
    pub push_speed: f32,
    pub hit_strength: f32,
    pub hit_distance_decay: f32,
    /// Fraction of the energy a hit removes that goes to the hitter.
    pub hit_steal_fraction: f32,
    /// Fraction of a cell's energy one eater takes.
    pub eat_rate: f32,
    /// Terraform step per unit of action, per cell field.
    pub terraform_rate: f32,
    pub age_speed: f32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CostConfig {
    pub move_cost: f32,
    pub push_cost: f32,
    pub message_cost: f32,
    /// Reproduction costs `max_reproduce_cost * cell.reproduce_cost * f` (f = alive/capacity).
    pub max_reproduce_cost: f32,
    /// Reproduction needs energy above `max_reproduce_cost * cell.reproduce_cost * reproduce_factor * f`.
    pub reproduce_factor: f32,
    pub hit_cost: f32,
    pub terraform_cost: f32,
    /// Constant part of the life cost per tick.
    pub life_cost: f32,
    /// Age-dependent part of the life cost: age / age_cost per tick.
    pub age_cost: f32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BotConfig {
    pub count: u32,
    pub steps_per_tick: u32,
    pub initial_energy: f32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TerrainKind {
    /// Perlin noise fields whose gradient angles drift (weather).
    Perlin,
    /// Independent uniform random fields, redrawn every tick.
    Random,
    /// Two grass islands in water.
    TwoIslands,
    /// Two grass and two sand islands in water.
    FourIslands,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TerrainConfig {
    pub kind: TerrainKind,
    /// Perlin gradient grid resolution: (res+1)^2 angles per field.
    pub perlin_res: u32,
    /// Each angle drifts by U(0,1) * weather_speed turns per tick.
    pub weather_speed: f32,
    /// Relaxation toward base is (base.max_energy / max_energy) * alpha per tick.
    pub alpha: f32,
    pub max_energy: f32,
    pub max_move_cost: f32,
    pub max_push_cost: f32,
    pub max_energy_gain: f32,
    pub max_message_cost: f32,
    pub max_reproduce_cost: f32,
    /// Regrowth per tick is energy_gain - max_energy_gain / gain_scaling.
    pub gain_scaling: f32,
    /// Upper clip of energy_gain.
    pub energy_gain_clip: f32,
    /// Island maps: water costs oscillate with this period in ticks (0 = no seasons).
    pub season_period_ticks: f32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Brain {
    /// Observation -> 44 actions, tanh; weights are the genome.
    Linear,
    /// Uniform random actions in (-1, 1): the mechanics with no policy.
    Random,
    /// All actions zero.
    Zero,
    /// JaxLife's attention + LSTM brain; layout in `world::brain`.
    JaxLife { hidden: u32, heads: u32 },
    /// For large populations: pooled inputs, Dense + relu, GRU, Dense head; layout in
    /// `world::brain`.
    Compact { hidden: u32 },
}

impl Brain {
    /// (hidden, heads) of an attention brain; None for the others.
    pub fn attention(&self) -> Option<(u32, u32)> {
        match *self {
            Brain::JaxLife { hidden, heads } => Some((hidden, heads)),
            _ => None,
        }
    }

    /// Width of a recurrent brain's hidden layer; None for brains without one.
    pub fn hidden(&self) -> Option<u32> {
        match *self {
            Brain::JaxLife { hidden, .. } | Brain::Compact { hidden } => Some(hidden),
            _ => None,
        }
    }

    /// Floats of recurrent state per agent: the LSTM's h and c, the GRU's h.
    pub fn state_len(&self) -> usize {
        match *self {
            Brain::JaxLife { hidden, .. } => 2 * hidden as usize,
            Brain::Compact { hidden } => hidden as usize,
            _ => 0,
        }
    }
}

/// Storage of each genome weight.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Precision {
    #[default]
    F32,
    /// IEEE half floats, rounded to nearest even; magnitudes clamp at 65504.
    F16,
}

/// Hidden widths of the `Compact` brain: its activations live in per-thread arrays.
pub const MIN_COMPACT_HIDDEN: u32 = 16;
pub const MAX_COMPACT_HIDDEN: u32 = 64;

/// Widest hidden layer of the `JaxLife` brain: its activations live in workgroup memory.
pub const MAX_JAXLIFE_HIDDEN: u32 = 128;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MutationConfig {
    /// Standard deviation of the Gaussian noise added to every weight of a child.
    pub sigma: f32,
    /// Standard deviation of weights of a brand-new (respawned) genome.
    pub init_sigma: f32,
    /// Fraction of a child's weights that receive noise (each weight independently); the
    /// others are copied from the parent unchanged.
    pub rate: f32,
    /// Per-layer noise: a layer name (or a prefix of tensor names, such as `gru`) to its own
    /// standard deviation in place of `sigma`. Names as in `world::brain` / docs/architecture.md.
    pub layer_sigma: BTreeMap<String, f32>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            seed: 0,
            world: WorldConfig::default(),
            agents: AgentConfig::default(),
            bots: BotConfig::default(),
            terrain: TerrainConfig::default(),
            brain: Brain::Linear,
            genome_precision: Precision::F32,
            mutation: MutationConfig::default(),
            costs: CostConfig::default(),
            metrics_every: 1,
            scenario: Scenario::default(),
            controls: Controls::default(),
            measures: MeasureConfig::default(),
            ecology: EcologyConfig::default(),
        }
    }
}

impl Default for WorldConfig {
    fn default() -> Self {
        Self {
            map_size: 128,
            cell_size: 8.0,
        }
    }
}

impl AgentConfig {
    /// Agents respawned when the population dies out: as given, else capacity / 4.
    pub fn min_agents(&self) -> u32 {
        self.min_agents.unwrap_or(self.capacity / 4)
    }
}

impl Config {
    /// Agents alive at tick 0 besides the scenario's: as given, else every free slot.
    pub fn initial_agents(&self) -> u32 {
        self.agents.initial_agents.unwrap_or_else(|| {
            self.agents
                .capacity
                .saturating_sub(self.scenario.placed_agents().min(u32::MAX as u64) as u32)
        })
    }
}

impl Default for AgentConfig {
    fn default() -> Self {
        Self {
            capacity: 128,
            min_agents: None,
            initial_agents: None,
            initial_energy: 32.0,
            child_energy: 32.0,
            child_energy_from_parent: false,
            terrain_view_range: 4,
            view_agents: 16,
            view_bots: 2,
            view_radius: 0.0,
            move_speed: 0.5,
            push_speed: 1.0,
            hit_strength: 1.0,
            hit_distance_decay: 0.5,
            hit_steal_fraction: 0.0,
            eat_rate: 0.2,
            terraform_rate: 0.1,
            age_speed: 1.0,
        }
    }
}

impl Default for CostConfig {
    fn default() -> Self {
        Self {
            move_cost: 0.5,
            push_cost: 0.25,
            message_cost: 0.1,
            max_reproduce_cost: 32.0,
            reproduce_factor: 2.0,
            hit_cost: 0.4,
            terraform_cost: 0.001,
            life_cost: 0.25,
            age_cost: 256.0,
        }
    }
}

impl Default for BotConfig {
    fn default() -> Self {
        Self {
            count: 32,
            steps_per_tick: 4,
            initial_energy: 64.0,
        }
    }
}

impl Default for TerrainConfig {
    fn default() -> Self {
        Self {
            kind: TerrainKind::Perlin,
            perlin_res: 4,
            weather_speed: 0.001,
            alpha: 0.005,
            max_energy: 8.0,
            max_move_cost: 4.0,
            max_push_cost: 4.0,
            max_energy_gain: 1.0,
            max_message_cost: 0.25,
            max_reproduce_cost: 1.0,
            gain_scaling: 1.5,
            energy_gain_clip: 2.0,
            season_period_ticks: 0.0,
        }
    }
}

impl Default for MutationConfig {
    fn default() -> Self {
        Self {
            sigma: 0.01,
            init_sigma: 0.05,
            rate: 1.0,
            layer_sigma: BTreeMap::new(),
        }
    }
}

/// The most state (persistent and per-tick buffers) a world may ask for.
pub const MAX_STATE_BYTES: u64 = 64 << 30;

/// Largest supported K (view_agents): the per-thread top-K list lives in registers.
pub const MAX_VIEW_AGENTS: u32 = 32;
pub const MAX_VIEW_BOTS: u32 = 8;
/// The terrain patch is flattened into the observation; keep it bounded.
pub const MAX_TERRAIN_VIEW_RANGE: u32 = 8;

impl Config {
    /// Bot steps a tick actually runs: none with `controls.bots: Off`.
    pub fn bot_steps(&self) -> u32 {
        if self.controls.bots.is_on() {
            self.bots.steps_per_tick
        } else {
            0
        }
    }

    pub fn world_size(&self) -> f32 {
        self.world.map_size as f32 * self.world.cell_size
    }

    /// Parameters that define the shape of the state; a resumed run may not change them.
    pub fn structural_differences(&self, other: &Config) -> Vec<String> {
        let mut d = Vec::new();
        let mut cmp = |name: &str, a: String, b: String| {
            if a != b {
                d.push(format!("{name}: checkpoint has {a}, new config has {b}"));
            }
        };
        cmp(
            "world.map_size",
            self.world.map_size.to_string(),
            other.world.map_size.to_string(),
        );
        cmp(
            "agents.capacity",
            self.agents.capacity.to_string(),
            other.agents.capacity.to_string(),
        );
        cmp(
            "bots.count",
            self.bots.count.to_string(),
            other.bots.count.to_string(),
        );
        cmp(
            "brain",
            format!("{:?}", self.brain),
            format!("{:?}", other.brain),
        );
        cmp(
            "genome_precision",
            format!("{:?}", self.genome_precision),
            format!("{:?}", other.genome_precision),
        );
        cmp(
            "agents.view_agents",
            self.agents.view_agents.to_string(),
            other.agents.view_agents.to_string(),
        );
        cmp(
            "agents.view_bots",
            self.agents.view_bots.to_string(),
            other.agents.view_bots.to_string(),
        );
        cmp(
            "agents.terrain_view_range",
            self.agents.terrain_view_range.to_string(),
            other.agents.terrain_view_range.to_string(),
        );
        cmp(
            "terrain.perlin_res",
            self.terrain.perlin_res.to_string(),
            other.terrain.perlin_res.to_string(),
        );
        cmp(
            "terrain.kind",
            format!("{:?}", self.terrain.kind),
            format!("{:?}", other.terrain.kind),
        );
        d
    }

    /// A short digest of the resolved config, for summaries and checkpoints.
    pub fn digest(&self) -> String {
        blake3::hash(self.to_ron().as_bytes()).to_hex()[..16].to_string()
    }
}
