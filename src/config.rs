//! World configuration: serde + RON, JaxLife's numbers as defaults.
//!
//! A config file may give only the fields it changes; unknown fields are refused so a
//! typo never silently falls back to a default. `validate()` checks every range and
//! cross-field rule and names the field, the bad value and what is allowed.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

use crate::error::ConfigError;

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
}

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
}

impl Default for MeasureConfig {
    fn default() -> Self {
        Self {
            cultivated_gain: 0.1,
            saliency_every: 100,
            influence_every: 10,
            kin_generations: 0,
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

    fn validate(&self, cfg: &Config, errs: &mut Vec<String>) {
        let world = cfg.world_size();
        // A row's start must lie in the world and its step be finite (it wraps from there).
        let check_row = |f: &str, pos: [f32; 2], step: [f32; 2], errs: &mut Vec<String>| {
            let pos_ok = pos.iter().all(|v| v.is_finite() && *v >= 0.0 && *v < world);
            if !pos_ok || !step.iter().all(|v| v.is_finite()) {
                errs.push(format!(
                    "{f}.pos = {pos:?} (step {step:?}): positions lie in 0 ..< {world} (world.map_size x world.cell_size)"
                ));
            }
        };
        let placed = self.placed_agents();
        if placed + cfg.initial_agents() as u64 > cfg.agents.capacity as u64 {
            errs.push(format!(
                "scenario.agents place {placed} agents and agents.initial_agents adds {}: together at most agents.capacity ({})",
                cfg.initial_agents(), cfg.agents.capacity
            ));
        }
        for (k, a) in self.agents.iter().enumerate() {
            let f = format!("scenario.agents[{k}]");
            check_row(&f, a.pos, a.step, errs);
            if let Some(e) = a.energy {
                if !(e.is_finite() && e > 0.0) {
                    errs.push(format!("{f}.energy = {e}: must be positive"));
                }
            }
        }
        let placed = self.placed_bots();
        if placed > cfg.bots.count as u64 {
            errs.push(format!(
                "scenario.bots place {placed} bots: at most bots.count ({}); raise bots.count",
                cfg.bots.count
            ));
        }
        for (k, b) in self.bots.iter().enumerate() {
            let f = format!("scenario.bots[{k}]");
            check_row(&f, b.pos, b.step, errs);
            if let Some(e) = b.energy {
                if !(e.is_finite() && e >= 0.0) {
                    errs.push(format!("{f}.energy = {e}: must be 0 or more"));
                }
            }
            b.program.check(&format!("{f}.program"), errs);
            b.memory.check(&format!("{f}.memory"), errs);
        }
        for (k, b) in self.bits.iter().enumerate() {
            let n = cfg.world.map_size;
            if b.cell[0] >= n || b.cell[1] >= n {
                errs.push(format!(
                    "scenario.bits[{k}].cell = {:?}: cells are 0 ..< world.map_size ({n})",
                    b.cell
                ));
            }
            if !(b.bit.is_finite() && (-1.0..=1.0).contains(&b.bit)) {
                errs.push(format!(
                    "scenario.bits[{k}].bit = {}: allowed -1 ..= 1",
                    b.bit
                ));
            }
        }
        if self.record_bits && cfg.bots.count == 0 {
            errs.push(
                "scenario.record_bits = true with bots.count = 0: there are no bits to record"
                    .into(),
            );
        }
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
    /// Read a RON config and check its fields; errors name the file and, where known, the
    /// line. `world::load_config` also checks it against the world's layout.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_ron(&text, &path.display().to_string())
    }

    /// A config from RON text with its fields checked (`world::config_from_ron`: in full).
    pub fn from_ron(text: &str, origin: &str) -> Result<Self, ConfigError> {
        let cfg: Config = ron_options().from_str(text).map_err(|e| {
            let mut message = e.code.to_string();
            // RON's type errors ("Expected integer") do not say which field; find it.
            if !matches!(e.code, ron::Error::NoSuchStructField { .. }) {
                if let Some(field) = locate_bad_field(text) {
                    message = format!("field {field}: {message}");
                }
            }
            ConfigError::Parse {
                origin: origin.to_string(),
                line: e.span.start.line,
                column: e.span.start.col,
                message,
            }
        })?;
        cfg.validate().map_err(|errors| ConfigError::Invalid {
            origin: origin.to_string(),
            errors,
        })?;
        Ok(cfg)
    }

    pub fn to_ron(&self) -> String {
        ron::ser::to_string_pretty(self, ron::ser::PrettyConfig::default().struct_names(true))
            .unwrap_or_else(|e| format!("// could not serialise config: {e}"))
    }

    /// Apply `path.to.field=VALUE` overrides (VALUE in RON syntax), then check the fields
    /// (`world::with_overrides`: in full).
    ///
    /// Each VALUE is parsed by RON against the field's own type (so `brain=Random`,
    /// `world.cell_size=4` and `agents.child_energy_from_parent=true` all work), then
    /// spliced into the resolved config. A section may be given as a struct,
    /// `world=(map_size: 64)`: only the fields it names change.
    pub fn with_overrides(&self, sets: &[String]) -> Result<Self, ConfigError> {
        if sets.is_empty() {
            return Ok(self.clone());
        }
        let mut tree = serde_json::to_value(self).map_err(|e| ConfigError::Override {
            set: sets.join(" "),
            message: format!("cannot represent the current config: {e}"),
        })?;
        for set in sets {
            let (path, raw) = set.split_once('=').ok_or_else(|| ConfigError::Override {
                set: set.clone(),
                message: "expected path.to.field=VALUE, for example --set agents.capacity=256"
                    .into(),
            })?;
            apply_override(&mut tree, path.trim(), raw.trim()).map_err(|message| {
                ConfigError::Override {
                    set: set.clone(),
                    message,
                }
            })?;
        }
        let cfg: Config = serde_json::from_value(tree).map_err(|e| ConfigError::Override {
            set: sets.join(" "),
            message: e.to_string(),
        })?;
        cfg.validate().map_err(|errors| ConfigError::Invalid {
            origin: format!("--set {}", sets.join(" --set ")),
            errors,
        })?;
        Ok(cfg)
    }

    /// Every range and cross-field rule; each message names the field, value and allowed
    /// range. The checks that need the world's layout (state size, brain tensors named by
    /// scenarios and per-layer mutation) are `world::validate`'s, which runs these first.
    pub fn validate(&self) -> Result<(), Vec<String>> {
        let mut errs = Vec::new();
        let mut range = |field: &str, v: f64, lo: f64, hi: f64| {
            if !(v.is_finite() && v >= lo && v <= hi) {
                errs.push(format!(
                    "{field} = {} is out of range: allowed {lo} ..= {hi}",
                    short(v)
                ));
            }
        };
        if let Brain::JaxLife { hidden, heads } = self.brain {
            range(
                "brain.hidden",
                hidden as f64,
                4.0,
                MAX_JAXLIFE_HIDDEN as f64,
            );
            range("brain.heads", heads as f64, 1.0, 16.0);
        }
        if let Brain::Compact { hidden } = self.brain {
            range(
                "brain.hidden",
                hidden as f64,
                MIN_COMPACT_HIDDEN as f64,
                MAX_COMPACT_HIDDEN as f64,
            );
        }
        let w = &self.world;
        range("world.map_size", w.map_size as f64, 4.0, 4096.0);
        range("world.cell_size", w.cell_size as f64, 0.125, 1024.0);
        let a = &self.agents;
        range("agents.capacity", a.capacity as f64, 1.0, 4_194_304.0);
        range("agents.initial_energy", a.initial_energy as f64, 1e-3, 1e6);
        range("agents.child_energy", a.child_energy as f64, 1e-3, 1e6);
        range(
            "agents.terrain_view_range",
            a.terrain_view_range as f64,
            0.0,
            MAX_TERRAIN_VIEW_RANGE as f64,
        );
        range(
            "agents.view_agents",
            a.view_agents as f64,
            0.0,
            MAX_VIEW_AGENTS as f64,
        );
        range(
            "agents.view_bots",
            a.view_bots as f64,
            0.0,
            MAX_VIEW_BOTS as f64,
        );
        range("agents.view_radius", a.view_radius as f64, 0.0, 1e9);
        range("agents.move_speed", a.move_speed as f64, 0.0, 1e3);
        range("agents.push_speed", a.push_speed as f64, 0.0, 1e3);
        range("agents.hit_strength", a.hit_strength as f64, 0.0, 1e3);
        range(
            "agents.hit_distance_decay",
            a.hit_distance_decay as f64,
            0.0,
            1e3,
        );
        range(
            "agents.hit_steal_fraction",
            a.hit_steal_fraction as f64,
            0.0,
            1.0,
        );
        range("agents.eat_rate", a.eat_rate as f64, 0.0, 1.0);
        range("agents.terraform_rate", a.terraform_rate as f64, 0.0, 10.0);
        range("agents.age_speed", a.age_speed as f64, 0.0, 1e3);
        let c = &self.costs;
        for (name, v) in [
            ("costs.move_cost", c.move_cost),
            ("costs.push_cost", c.push_cost),
            ("costs.message_cost", c.message_cost),
            ("costs.max_reproduce_cost", c.max_reproduce_cost),
            ("costs.reproduce_factor", c.reproduce_factor),
            ("costs.hit_cost", c.hit_cost),
            ("costs.terraform_cost", c.terraform_cost),
            ("costs.life_cost", c.life_cost),
        ] {
            range(name, v as f64, 0.0, 1e6);
        }
        range("costs.age_cost", c.age_cost as f64, 1e-3, 1e9);
        let b = &self.bots;
        range("bots.count", b.count as f64, 0.0, 1_048_576.0);
        range("bots.steps_per_tick", b.steps_per_tick as f64, 0.0, 64.0);
        range("bots.initial_energy", b.initial_energy as f64, 0.0, 1e6);
        let t = &self.terrain;
        range("terrain.perlin_res", t.perlin_res as f64, 1.0, 64.0);
        range("terrain.weather_speed", t.weather_speed as f64, 0.0, 1.0);
        range("terrain.alpha", t.alpha as f64, 0.0, 1.0);
        range("terrain.max_energy", t.max_energy as f64, 0.0, 1e6);
        range("terrain.max_move_cost", t.max_move_cost as f64, 0.0, 1e6);
        range("terrain.max_push_cost", t.max_push_cost as f64, 0.0, 1e6);
        range(
            "terrain.max_energy_gain",
            t.max_energy_gain as f64,
            0.0,
            1e6,
        );
        range(
            "terrain.max_message_cost",
            t.max_message_cost as f64,
            0.0,
            1e6,
        );
        range(
            "terrain.max_reproduce_cost",
            t.max_reproduce_cost as f64,
            0.0,
            1e6,
        );
        range("terrain.gain_scaling", t.gain_scaling as f64, 1e-3, 1e6);
        range(
            "terrain.energy_gain_clip",
            t.energy_gain_clip as f64,
            0.0,
            1e6,
        );
        range(
            "terrain.season_period_ticks",
            t.season_period_ticks as f64,
            0.0,
            1e9,
        );
        range("mutation.sigma", self.mutation.sigma as f64, 0.0, 100.0);
        range(
            "mutation.init_sigma",
            self.mutation.init_sigma as f64,
            0.0,
            100.0,
        );
        range("mutation.rate", self.mutation.rate as f64, 0.0, 1.0);
        for (layer, sigma) in &self.mutation.layer_sigma {
            range(
                &format!("mutation.layer_sigma[\"{layer}\"]"),
                *sigma as f64,
                0.0,
                100.0,
            );
        }
        range("metrics_every", self.metrics_every as f64, 1.0, 1e9);
        range(
            "measures.saliency_every",
            self.measures.saliency_every as f64,
            0.0,
            1e9,
        );
        range(
            "measures.influence_every",
            self.measures.influence_every as f64,
            0.0,
            1e9,
        );
        range(
            "measures.kin_generations",
            self.measures.kin_generations as f64,
            0.0,
            1e6,
        );
        range(
            "measures.cultivated_gain",
            self.measures.cultivated_gain as f64,
            0.0,
            1e3,
        );
        // Bounded by agents.capacity; say so rather than print a bare number. Values left
        // out follow the capacity and are always in range.
        if let Some(min) = a.min_agents.filter(|m| *m > a.capacity) {
            errs.push(format!(
                "agents.min_agents = {min} is out of range: allowed 0 (never respawn) ..= agents.capacity ({}); leave it out to respawn a quarter of the capacity",
                a.capacity
            ));
        }
        if let Some(initial) = a.initial_agents.filter(|n| *n > a.capacity) {
            errs.push(format!(
                "agents.initial_agents = {initial} is out of range: allowed 0 ..= agents.capacity ({}); leave it out to fill every free slot",
                a.capacity
            ));
        }
        if t.kind == TerrainKind::Perlin && t.max_energy <= 0.0 {
            errs.push("terrain.max_energy = 0 with terrain.kind = Perlin: relaxation speed is base.max_energy / max_energy; use a positive value".into());
        }
        if w.map_size > 0 && t.perlin_res > w.map_size {
            errs.push(format!(
                "terrain.perlin_res = {} is larger than world.map_size = {}: use at most map_size",
                t.perlin_res, w.map_size
            ));
        }
        if let Brain::JaxLife { hidden, heads } = self.brain {
            if heads > 0 && hidden % (4 * heads) != 0 {
                errs.push(format!(
                    "brain.hidden = {hidden} with brain.heads = {heads}: hidden must be a multiple of 4 x heads (each head's width a multiple of 4)"
                ));
            }
        }
        if let Brain::Compact { hidden } = self.brain {
            if hidden % 4 != 0 {
                errs.push(format!(
                    "brain.hidden = {hidden}: the Compact brain's hidden width must be a multiple of 4"
                ));
            }
        }
        let cells = w.map_size as u64 * w.map_size as u64;
        if cells > 16_777_216 {
            errs.push(format!(
                "world.map_size = {} gives {cells} cells: at most 4096 per side",
                w.map_size
            ));
        }
        if errs.is_empty() {
            self.scenario.validate(self, &mut errs);
        }
        if errs.is_empty() {
            Ok(())
        } else {
            Err(errs)
        }
    }

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

/// A value that came from an f32 prints as that f32 (0.2, not 0.20000000298023224).
fn short(v: f64) -> String {
    if v.is_finite() && (v as f32) as f64 == v {
        format!("{}", v as f32)
    } else {
        format!("{v}")
    }
}

/// RON options shared by files and overrides.
fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
}

/// Set `path` (dot-separated) in the JSON form of a config to the RON text `raw`.
fn apply_override(tree: &mut serde_json::Value, path: &str, raw: &str) -> Result<(), String> {
    let parts: Vec<&str> = path.split('.').map(str::trim).collect();
    if path.is_empty() || parts.iter().any(|p| p.is_empty()) {
        return Err(format!(
            "'{path}' is not a field path: use dot-separated names such as agents.capacity"
        ));
    }
    // The path must name an existing field; say which ones exist where it goes wrong.
    let mut cur: &serde_json::Value = tree;
    let mut is_integer_field = false;
    for (i, part) in parts.iter().enumerate() {
        let serde_json::Value::Object(map) = cur else {
            return Err(format!(
                "unknown field '{path}': '{}' is a value, not a section with fields",
                parts[..i].join(".")
            ));
        };
        match map.get(*part) {
            Some(next) => {
                is_integer_field = next.is_u64() || next.is_i64();
                cur = next;
            }
            None => {
                let section = if i == 0 {
                    "the config".to_string()
                } else {
                    format!("'{}'", parts[..i].join("."))
                };
                let known: Vec<&str> = map.keys().map(String::as_str).collect();
                return Err(format!(
                    "unknown field '{path}': {section} has no field '{part}'; valid fields are {}",
                    known.join(", ")
                ));
            }
        }
    }
    if raw.is_empty() {
        return Err(format!("no value given for {path}"));
    }
    // The value alone must be one RON value (this also stops `a=1), b: (2` injection).
    let shape: ron::Value = ron_options()
        .from_str(raw)
        .map_err(|e| format!("{path}: '{raw}' is not a RON value: {}", e.code))?;
    if has_non_finite(&shape) {
        return Err(format!(
            "{path} = {raw} is not allowed: the value must be a finite number"
        ));
    }
    // RON would report "Expected comma" after the integer part; say what is wrong.
    if is_integer_field
        && matches!(
            shape,
            ron::Value::Number(ron::Number::F32(_) | ron::Number::F64(_))
        )
    {
        return Err(format!("{path} cannot be '{raw}': it takes a whole number"));
    }
    // Parse it against the field's real type by wrapping it in its sections.
    let mut text = raw.to_string();
    for part in parts.iter().rev() {
        text = format!("({part}: {text})");
    }
    let partial: Config = ron_options()
        .from_str(&text)
        .map_err(|e| format!("{path} cannot be '{raw}': {}", e.code))?;
    let partial =
        serde_json::to_value(&partial).map_err(|e| format!("{path} cannot be '{raw}': {e}"))?;
    let mut new = &partial;
    let mut slot = &mut *tree;
    for part in &parts {
        new = new
            .get(*part)
            .ok_or_else(|| format!("unknown field '{path}'"))?;
        slot = slot
            .get_mut(*part)
            .ok_or_else(|| format!("unknown field '{path}'"))?;
    }
    merge(slot, new, &shape);
    Ok(())
}

/// Copy `new` into `slot`; where the override was a struct, only the fields it named.
fn merge(slot: &mut serde_json::Value, new: &serde_json::Value, shape: &ron::Value) {
    if let (ron::Value::Map(fields), serde_json::Value::Object(_)) = (shape, &*slot) {
        let mut named = Vec::new();
        for (k, v) in fields.iter() {
            match k {
                ron::Value::String(name) => named.push((name.clone(), v)),
                _ => {
                    *slot = new.clone();
                    return;
                }
            }
        }
        for (name, sub_shape) in named {
            if let (Some(s), Some(n)) = (slot.get_mut(&name), new.get(&name)) {
                merge(s, n, sub_shape);
            }
        }
        return;
    }
    *slot = new.clone();
}

fn has_non_finite(v: &ron::Value) -> bool {
    match v {
        ron::Value::Number(n) => !n.into_f64().is_finite(),
        ron::Value::Option(Some(inner)) => has_non_finite(inner),
        ron::Value::Seq(items) => items.iter().any(has_non_finite),
        ron::Value::Map(m) => m.iter().any(|(_, v)| has_non_finite(v)),
        _ => false,
    }
}

/// For a RON type error in a config file, find the dotted path of the offending field by
/// trying each given value against the defaults.
fn locate_bad_field(text: &str) -> Option<String> {
    let given: ron::Value = ron_options().from_str(text).ok()?;
    let defaults = serde_json::to_value(Config::default()).ok()?;
    let mut leaves = Vec::new();
    collect_leaves(&given, &defaults, String::new(), &mut leaves);
    leaves.into_iter().find_map(|(path, value)| {
        let raw = ron::to_string(value).ok()?;
        let mut tree = defaults.clone();
        apply_override(&mut tree, &path, &raw).err().map(|_| path)
    })
}

fn collect_leaves<'a>(
    given: &'a ron::Value,
    defaults: &serde_json::Value,
    prefix: String,
    out: &mut Vec<(String, &'a ron::Value)>,
) {
    match (given, defaults) {
        (ron::Value::Map(m), serde_json::Value::Object(d)) => {
            for (k, v) in m.iter() {
                if let ron::Value::String(name) = k {
                    if let Some(sub) = d.get(name) {
                        let path = if prefix.is_empty() {
                            name.clone()
                        } else {
                            format!("{prefix}.{name}")
                        };
                        collect_leaves(v, sub, path, out);
                    }
                }
            }
        }
        // A bare identifier (an enum variant) reads back as unit: nothing to check.
        (ron::Value::Unit, _) => {}
        _ if !prefix.is_empty() => out.push((prefix, given)),
        _ => {}
    }
}
