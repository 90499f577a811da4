//! The world view: render pipelines over the simulation's own storage buffers (see
//! `shaders/view.wgsl`), drawn inside egui's render pass through a paint callback by the
//! app, and into offscreen images by the app's captures and `silico run --frames-every`.
//! A GPU world is drawn from its live buffers with no copy; a CPU world's terrain and
//! entities are written to mirror buffers of the same layout once per frame.

use crate::config::Config;
use crate::world::NONE;

pub const VIEW_WGSL: &str = include_str!("../../shaders/view.wgsl");
pub const MAX_HIGHLIGHTS: usize = 16;

/// The terrain layers the view can show, in the shader's numbering.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    clap::ValueEnum,
)]
pub enum Layer {
    #[default]
    Natural,
    Energy,
    EnergyGain,
    Cultivation,
    MoveCost,
    PushCost,
    MessageCost,
    ReproduceCost,
    Bits,
    Base,
    /// Cultivated cells (energy_gain above the weather-only gain) by who raised them last:
    /// agents in their lineage's colour, bots orange; the rest dimmed.
    CultivatedBy,
}

impl Layer {
    pub const ALL: [Layer; 11] = [
        Layer::Natural,
        Layer::Energy,
        Layer::EnergyGain,
        Layer::Cultivation,
        Layer::MoveCost,
        Layer::PushCost,
        Layer::MessageCost,
        Layer::ReproduceCost,
        Layer::Bits,
        Layer::Base,
        Layer::CultivatedBy,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Layer::Natural => "natural",
            Layer::Energy => "energy",
            Layer::EnergyGain => "energy gain",
            Layer::Cultivation => "cultivation (gain − base)",
            Layer::MoveCost => "move cost",
            Layer::PushCost => "push cost",
            Layer::MessageCost => "message cost",
            Layer::ReproduceCost => "reproduce cost",
            Layer::Bits => "terrain bits",
            Layer::Base => "base (natural)",
            Layer::CultivatedBy => "cultivated by",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum AgentColors {
    Lineage,
    Energy,
    Message,
    Founder,
}

impl AgentColors {
    pub const ALL: [AgentColors; 4] = [
        AgentColors::Lineage,
        AgentColors::Energy,
        AgentColors::Message,
        AgentColors::Founder,
    ];

    pub fn label(self) -> &'static str {
        match self {
            AgentColors::Lineage => "group (kin group or lineage, as measured)",
            AgentColors::Energy => "energy",
            AgentColors::Message => "message (first 3 → RGB)",
            AgentColors::Founder => "founder's lineage",
        }
    }
}

/// A group whose living agents the view rings: a founder's lineage (the founder's id) or
/// a kin group (`lineage::KIN_GROUP` and its key). Which one cannot be read off the id: an
/// initial founder's id has the kin bit set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ringed {
    Lineage(u64),
    KinGroup(u64),
}

impl Ringed {
    /// The group's id as `lineage::Grouping` gives it.
    pub fn id(self) -> u64 {
        match self {
            Ringed::Lineage(l) | Ringed::KinGroup(l) => l,
        }
    }

    /// A group of a `grouping`'s groups.
    pub fn of(grouping: crate::lineage::Grouping, id: u64) -> Self {
        if grouping.by_founder() {
            Ringed::Lineage(id)
        } else {
            Ringed::KinGroup(id)
        }
    }
}

/// `View` in view.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct ViewUniform {
    pub center: [f32; 2],
    pub units_per_px: f32,
    pub world_size: f32,
    pub rect: [f32; 4],
    pub map_size: u32,
    pub cell_size: f32,
    pub capacity: u32,
    pub bot_count: u32,
    pub layer: u32,
    pub agent_colors: u32,
    pub selected_agent: u32,
    pub selected_bot: u32,
    pub images: u32,
    pub grid_lines: u32,
    pub highlight_count: u32,
    pub line_mode: u32,
    pub max_energy: f32,
    pub max_move_cost: f32,
    pub max_energy_gain: f32,
    pub max_push_cost: f32,
    pub max_message_cost: f32,
    pub max_reproduce_cost: f32,
    pub agent_energy_scale: f32,
    pub view_agents: u32,
    pub view_bots: u32,
    /// The group whose agents get a ring (low and high words): a founder's id when
    /// `highlight_lineage_on` is 1, a kin key in the low word when it is 2 (the world's
    /// measures count kin groups: `lineage::Grouping`).
    pub highlight_lineage: [u32; 2],
    pub highlight_lineage_on: u32,
    /// A cell counts as cultivated above its weather-only gain by this much
    /// (`measures.cultivated_gain`).
    pub cultivated_gain: f32,
    pub _pad: [u32; 3],
    pub highlights: [[f32; 4]; MAX_HIGHLIGHTS],
}

/// Lines for this tick's effects of each agent on those it sees.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    clap::ValueEnum,
)]
pub enum Lines {
    #[default]
    Off,
    /// Gated messages to agents and programming of bots, coloured by the message.
    Messages,
    /// Pushes (white) and pulls (orange).
    Pushes,
}

impl Lines {
    pub const ALL: [Lines; 3] = [Lines::Off, Lines::Messages, Lines::Pushes];

    pub fn label(self) -> &'static str {
        match self {
            Lines::Off => "off",
            Lines::Messages => "messages",
            Lines::Pushes => "pushes",
        }
    }
}

/// Where the camera looks: the world position at the view's centre and the zoom.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Camera {
    pub center: [f32; 2],
    pub units_per_point: f32,
}

impl Camera {
    /// The whole world in a view `size_points` big.
    pub fn fit(world_size: f32, size_points: [f32; 2]) -> Self {
        let side = size_points[0].min(size_points[1]).max(1.0);
        Self {
            center: [world_size * 0.5, world_size * 0.5],
            units_per_point: world_size / side,
        }
    }

    /// The world position under a point of a view whose rect is `rect`.
    pub fn world_at(&self, rect: egui::Rect, p: egui::Pos2, world_size: f32) -> [f32; 2] {
        let d = p - rect.center();
        let wrap = |v: f32| v.rem_euclid(world_size);
        [
            wrap(self.center[0] + d.x * self.units_per_point),
            wrap(self.center[1] + d.y * self.units_per_point),
        ]
    }

    /// Zoom by `factor` (>1 zooms in) keeping the world point under `anchor` fixed.
    pub fn zoom_about(&mut self, rect: egui::Rect, anchor: egui::Pos2, factor: f32, cfg: &Config) {
        let before = anchor - rect.center();
        // From the whole world twice over down to one cell filling the view.
        let side = rect.width().min(rect.height()).max(1.0);
        let most = 2.0 * cfg.world_size() / side;
        let least = cfg.world.cell_size / side;
        let new = (self.units_per_point / factor).clamp(least, most);
        let ratio = self.units_per_point - new;
        self.center[0] += before.x * ratio;
        self.center[1] += before.y * ratio;
        self.units_per_point = new;
        self.wrap(cfg.world_size());
    }

    pub fn pan_points(&mut self, delta: egui::Vec2, world_size: f32) {
        self.center[0] -= delta.x * self.units_per_point;
        self.center[1] -= delta.y * self.units_per_point;
        self.wrap(world_size);
    }

    fn wrap(&mut self, world_size: f32) {
        self.center = [
            self.center[0].rem_euclid(world_size),
            self.center[1].rem_euclid(world_size),
        ];
    }
}

/// What one frame of the view shows, besides the buffers.
#[derive(Clone, Debug)]
pub struct ViewSettings {
    pub camera: Camera,
    pub layer: Layer,
    pub agent_colors: AgentColors,
    pub show_agents: bool,
    pub show_bots: bool,
    pub lines: Lines,
    pub selected_agent: Option<usize>,
    pub selected_bot: Option<usize>,
    /// (slot, weight) of agents to mark, e.g. what the selected agent attends to.
    pub highlights: Vec<(usize, f32)>,
    /// A lineage whose living agents are marked.
    pub highlight_lineage: Option<Ringed>,
}

impl ViewSettings {
    /// The whole world in a picture of `size` pixels, natural colours, no selection.
    pub fn whole_world(cfg: &Config, size: [u32; 2]) -> Self {
        Self {
            camera: Camera::fit(cfg.world_size(), [size[0] as f32, size[1] as f32]),
            layer: Layer::Natural,
            agent_colors: AgentColors::Lineage,
            show_agents: true,
            show_bots: true,
            lines: Lines::Off,
            selected_agent: None,
            selected_bot: None,
            highlights: Vec::new(),
            highlight_lineage: None,
        }
    }

    pub fn uniform(&self, cfg: &Config, rect_px: [f32; 4], pixels_per_point: f32) -> ViewUniform {
        let world_size = cfg.world_size();
        let units_per_px = self.camera.units_per_point / pixels_per_point;
        let view_units = rect_px[2].max(rect_px[3]) * units_per_px;
        // Odd image counts centred on the nearest image; enough to cover the view.
        let images =
            (1 + 2 * ((view_units / world_size - 1.0).max(0.0) * 0.5).ceil() as u32).clamp(1, 5);
        let mut highlights = [[0.0; 4]; MAX_HIGHLIGHTS];
        for (h, (slot, w)) in highlights.iter_mut().zip(&self.highlights) {
            *h = [*slot as f32, *w, 0.0, 0.0];
        }
        let t = &cfg.terrain;
        ViewUniform {
            center: self.camera.center,
            units_per_px,
            world_size,
            rect: rect_px,
            map_size: cfg.world.map_size,
            cell_size: cfg.world.cell_size,
            capacity: cfg.agents.capacity,
            bot_count: cfg.bots.count,
            layer: Layer::ALL
                .iter()
                .position(|l| *l == self.layer)
                .unwrap_or(0) as u32,
            agent_colors: AgentColors::ALL
                .iter()
                .position(|c| *c == self.agent_colors)
                .unwrap_or(0) as u32,
            selected_agent: self.selected_agent.map_or(NONE, |s| s as u32),
            selected_bot: self.selected_bot.map_or(NONE, |s| s as u32),
            images,
            grid_lines: u32::from(cfg.world.cell_size / units_per_px >= 10.0),
            highlight_count: self.highlights.len().min(MAX_HIGHLIGHTS) as u32,
            line_mode: Lines::ALL
                .iter()
                .position(|l| *l == self.lines)
                .unwrap_or(0) as u32,
            max_energy: t.max_energy,
            max_move_cost: t.max_move_cost,
            max_energy_gain: t.max_energy_gain,
            max_push_cost: t.max_push_cost,
            max_message_cost: t.max_message_cost,
            max_reproduce_cost: t.max_reproduce_cost,
            agent_energy_scale: 2.0 * cfg.agents.initial_energy.max(1.0),
            view_agents: cfg.agents.view_agents,
            view_bots: cfg.agents.view_bots,
            highlight_lineage: self
                .highlight_lineage
                .map_or([0; 2], |g| [g.id() as u32, (g.id() >> 32) as u32]),
            highlight_lineage_on: match self.highlight_lineage {
                None => 0,
                Some(Ringed::Lineage(_)) => 1,
                Some(Ringed::KinGroup(_)) => 2,
            },
            cultivated_gain: cfg.measures.cultivated_gain,
            _pad: [0; 3],
            highlights,
        }
    }

    /// Instances per draw: every slot at every image of the torus that may be in view; for
    /// lines, every (agent, seen entity) pair at the nearest image.
    fn instances(&self, u: &ViewUniform) -> (u32, u32, u32) {
        let images = u.images * u.images;
        (
            if self.lines == Lines::Off {
                0
            } else {
                u.capacity * (u.view_agents + u.view_bots)
            },
            if self.show_agents {
                u.capacity * images
            } else {
                0
            },
            if self.show_bots {
                u.bot_count * images
            } else {
                0
            },
        )
    }
}

mod renderer;

pub use renderer::{render_image, Picture, ViewCallback, ViewRenderer, IMAGE_FORMAT};
