//! The world view: render pipelines over the simulation's own storage buffers (see
//! `shaders/view.wgsl`), drawn inside egui's render pass through a paint callback by the
//! app, and into offscreen images by the app's captures and `silico run --frames-every`.
//! A GPU world is drawn from its live buffers with no copy; a CPU world's terrain and
//! entities are written to mirror buffers of the same layout once per frame.

use wgpu::util::DeviceExt as _;

use crate::config::Config;
use crate::gpu::COMMON_WGSL;
use crate::sim::World;
use crate::world::NONE;

pub const VIEW_WGSL: &str = include_str!("../shaders/view.wgsl");
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

/// The buffers the view reads, in binding order after the uniform (params, a uniform, is
/// binding 6), with the stages that read them.
const VIEW_BUFFERS: [(&str, u32); 11] = [
    ("cells", 1),
    ("base", 2),
    ("cultivator", 10),
    ("cultivator_id", 11),
    ("shadow_gain", 12),
    ("agents", 3),
    ("bots", 4),
    ("bot_tick", 5),
    ("actions", 7),
    ("neighbor_list", 8),
    ("bot_neighbor_list", 9),
];
const PARAMS_BINDING: u32 = 6;

fn stages(binding: u32) -> wgpu::ShaderStages {
    // Terrain is read per fragment, entities per vertex: a stage's storage-buffer count
    // stays within the smallest common limit (8).
    if binding <= 2 || binding >= 10 {
        wgpu::ShaderStages::FRAGMENT
    } else {
        wgpu::ShaderStages::VERTEX
    }
}

/// Pipelines and the bind group over the current world's buffers; lives in egui-wgpu's
/// callback resources.
pub struct ViewRenderer {
    terrain: wgpu::RenderPipeline,
    agents: wgpu::RenderPipeline,
    bots: wgpu::RenderPipeline,
    lines: wgpu::RenderPipeline,
    layout: wgpu::BindGroupLayout,
    uniform: wgpu::Buffer,
    bind_group: Option<wgpu::BindGroup>,
    /// A CPU world's copies of the buffers the view reads.
    mirrors: Vec<wgpu::Buffer>,
}

impl ViewRenderer {
    pub fn new(device: &wgpu::Device, format: wgpu::TextureFormat) -> Self {
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("view.wgsl"),
            source: wgpu::ShaderSource::Wgsl(format!("{COMMON_WGSL}\n{VIEW_WGSL}").into()),
        });
        let storage = |binding: u32| wgpu::BindGroupLayoutEntry {
            binding,
            visibility: stages(binding),
            ty: wgpu::BindingType::Buffer {
                ty: wgpu::BufferBindingType::Storage { read_only: true },
                has_dynamic_offset: false,
                min_binding_size: None,
            },
            count: None,
        };
        let mut entries = vec![wgpu::BindGroupLayoutEntry {
            binding: 0,
            visibility: wgpu::ShaderStages::VERTEX | wgpu::ShaderStages::FRAGMENT,
            ty: wgpu::BindingType::Buffer {
                ty: wgpu::BufferBindingType::Uniform,
                has_dynamic_offset: false,
                min_binding_size: None,
            },
            count: None,
        }];
        entries.extend(VIEW_BUFFERS.iter().map(|(_, b)| storage(*b)));
        entries.push(wgpu::BindGroupLayoutEntry {
            binding: PARAMS_BINDING,
            visibility: wgpu::ShaderStages::VERTEX | wgpu::ShaderStages::FRAGMENT,
            ty: wgpu::BindingType::Buffer {
                ty: wgpu::BufferBindingType::Uniform,
                has_dynamic_offset: false,
                min_binding_size: None,
            },
            count: None,
        });
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("view"),
            entries: &entries,
        });
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("view"),
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        });
        let pipeline = |vs: &str, fs: &str| {
            device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
                label: Some(vs),
                layout: Some(&pipeline_layout),
                vertex: wgpu::VertexState {
                    module: &module,
                    entry_point: Some(vs),
                    compilation_options: Default::default(),
                    buffers: &[],
                },
                fragment: Some(wgpu::FragmentState {
                    module: &module,
                    entry_point: Some(fs),
                    compilation_options: Default::default(),
                    targets: &[Some(wgpu::ColorTargetState {
                        format,
                        blend: Some(wgpu::BlendState::ALPHA_BLENDING),
                        write_mask: wgpu::ColorWrites::ALL,
                    })],
                }),
                primitive: wgpu::PrimitiveState::default(),
                depth_stencil: None,
                multisample: wgpu::MultisampleState::default(),
                multiview_mask: None,
                cache: None,
            })
        };
        let uniform = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("view uniform"),
            size: std::mem::size_of::<ViewUniform>() as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        Self {
            terrain: pipeline("vs_terrain", "fs_terrain"),
            agents: pipeline("vs_agent", "fs_agent"),
            bots: pipeline("vs_bot", "fs_bot"),
            lines: pipeline("vs_line", "fs_line"),
            layout,
            uniform,
            bind_group: None,
            mirrors: Vec::new(),
        }
    }

    /// Point the view at a world: a GPU world's own buffers, or mirrors of a CPU world's
    /// state (refreshed by `mirror`). Call again after a reset or a load.
    pub fn attach(&mut self, device: &wgpu::Device, world: &World) {
        let buffers: Vec<wgpu::Buffer> = match world {
            World::Gpu(g) => VIEW_BUFFERS
                .iter()
                .map(|(n, _)| *n)
                .chain(["params"])
                .map(|n| g.buffer(n).clone())
                .collect(),
            World::Cpu(c) => {
                self.mirrors = VIEW_BUFFERS
                    .iter()
                    .map(|(n, _)| {
                        let len = c.section(n).len();
                        device.create_buffer(&wgpu::BufferDescriptor {
                            label: Some(n),
                            size: (len.max(256) as u64).div_ceil(4) * 4,
                            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
                            mapped_at_creation: false,
                        })
                    })
                    .collect();
                self.mirrors.push(
                    device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                        label: Some("params"),
                        contents: bytemuck::bytes_of(&c.params),
                        usage: wgpu::BufferUsages::UNIFORM,
                    }),
                );
                self.mirrors.clone()
            }
        };
        let mut entries = vec![wgpu::BindGroupEntry {
            binding: 0,
            resource: self.uniform.as_entire_binding(),
        }];
        let bindings = VIEW_BUFFERS.iter().map(|(_, b)| *b).chain([PARAMS_BINDING]);
        entries.extend(
            buffers
                .iter()
                .zip(bindings)
                .map(|(b, binding)| wgpu::BindGroupEntry {
                    binding,
                    resource: b.as_entire_binding(),
                }),
        );
        self.bind_group = Some(device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("view"),
            layout: &self.layout,
            entries: &entries,
        }));
    }

    /// Terrain, then lines, agents and bots, into a pass whose viewport is the view.
    fn draw(&self, pass: &mut wgpu::RenderPass<'static>, instances: [u32; 3]) {
        let Some(bind_group) = &self.bind_group else {
            return;
        };
        pass.set_bind_group(0, bind_group, &[]);
        pass.set_pipeline(&self.terrain);
        pass.draw(0..6, 0..1);
        for (pipeline, n) in [&self.lines, &self.agents, &self.bots]
            .into_iter()
            .zip(instances)
        {
            if n > 0 {
                pass.set_pipeline(pipeline);
                pass.draw(0..6, 0..n);
            }
        }
    }

    /// Copy a CPU world's terrain and entities into the mirrors (a GPU world needs nothing).
    pub fn mirror(&self, queue: &wgpu::Queue, world: &World) {
        if let World::Cpu(c) = world {
            // The params mirror (last) is fixed for the world's life.
            for ((name, _), buf) in VIEW_BUFFERS.iter().zip(&self.mirrors) {
                queue.write_buffer(buf, 0, c.section(name));
            }
        }
    }
}

/// One frame's world view as an egui paint callback.
pub struct ViewCallback {
    pub uniform_points: ViewUniform,
    pub line_instances: u32,
    pub agent_instances: u32,
    pub bot_instances: u32,
}

impl ViewCallback {
    pub fn new(settings: &ViewSettings, cfg: &Config, rect: egui::Rect) -> Self {
        // Rect in points here; `prepare` turns it into the pixels egui's viewport uses.
        let u = settings.uniform(
            cfg,
            [rect.min.x, rect.min.y, rect.width(), rect.height()],
            1.0,
        );
        let (line_instances, agent_instances, bot_instances) = settings.instances(&u);
        Self {
            uniform_points: u,
            line_instances,
            agent_instances,
            bot_instances,
        }
    }
}

impl egui_wgpu::CallbackTrait for ViewCallback {
    fn prepare(
        &self,
        _device: &wgpu::Device,
        queue: &wgpu::Queue,
        screen: &egui_wgpu::ScreenDescriptor,
        _encoder: &mut wgpu::CommandEncoder,
        resources: &mut egui_wgpu::CallbackResources,
    ) -> Vec<wgpu::CommandBuffer> {
        if let Some(r) = resources.get::<ViewRenderer>() {
            let ppp = screen.pixels_per_point;
            let mut u = self.uniform_points;
            let p = u.rect;
            // Rounded as egui-wgpu rounds the callback's viewport.
            let min = [(p[0] * ppp).round(), (p[1] * ppp).round()];
            let max = [((p[0] + p[2]) * ppp).round(), ((p[1] + p[3]) * ppp).round()];
            u.rect = [min[0], min[1], max[0] - min[0], max[1] - min[1]];
            u.units_per_px /= ppp;
            u.grid_lines = u32::from(u.cell_size / u.units_per_px >= 10.0);
            queue.write_buffer(&r.uniform, 0, bytemuck::bytes_of(&u));
        }
        Vec::new()
    }

    fn paint(
        &self,
        _info: egui::PaintCallbackInfo,
        pass: &mut wgpu::RenderPass<'static>,
        resources: &egui_wgpu::CallbackResources,
    ) {
        if let Some(r) = resources.get::<ViewRenderer>() {
            r.draw(
                pass,
                [
                    self.line_instances,
                    self.agent_instances,
                    self.bot_instances,
                ],
            );
        }
    }
}

/// A texture to draw a picture into and the buffer its pixels come back through (the
/// app's screenshots and `render_image`).
pub struct Picture {
    pub texture: wgpu::Texture,
    staging: wgpu::Buffer,
    padded_row: u32,
}

impl Picture {
    pub fn new(device: &wgpu::Device, format: wgpu::TextureFormat, size: [u32; 2]) -> Self {
        let texture = device.create_texture(&wgpu::TextureDescriptor {
            label: Some("picture"),
            size: wgpu::Extent3d {
                width: size[0],
                height: size[1],
                depth_or_array_layers: 1,
            },
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format,
            usage: wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::COPY_SRC,
            view_formats: &[],
        });
        let padded_row = (size[0] * 4).div_ceil(wgpu::COPY_BYTES_PER_ROW_ALIGNMENT)
            * wgpu::COPY_BYTES_PER_ROW_ALIGNMENT;
        let staging = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("picture readback"),
            size: u64::from(padded_row) * u64::from(size[1]),
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        Self {
            texture,
            staging,
            padded_row,
        }
    }

    /// Record the copy of what was drawn into the readback buffer (after the drawing).
    pub fn record_copy(&self, enc: &mut wgpu::CommandEncoder) {
        enc.copy_texture_to_buffer(
            self.texture.as_image_copy(),
            wgpu::TexelCopyBufferInfo {
                buffer: &self.staging,
                layout: wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: Some(self.padded_row),
                    rows_per_image: Some(self.texture.height()),
                },
            },
            self.texture.size(),
        );
    }

    /// Wait for the submitted copy; the pixels as RGBA (BGRA textures swapped), opaque.
    pub fn read(&self, device: &wgpu::Device) -> anyhow::Result<image::RgbaImage> {
        let (w, h) = (self.texture.width(), self.texture.height());
        let slice = self.staging.slice(..);
        let (tx, rx) = std::sync::mpsc::channel();
        slice.map_async(wgpu::MapMode::Read, move |r| {
            let _ = tx.send(r);
        });
        device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| anyhow::anyhow!("waiting for the picture: {e}"))?;
        rx.recv()
            .map_err(|e| anyhow::anyhow!("the picture's readback was dropped: {e}"))?
            .map_err(|e| anyhow::anyhow!("mapping the picture: {e}"))?;
        let bgra = matches!(
            self.texture.format(),
            wgpu::TextureFormat::Bgra8Unorm | wgpu::TextureFormat::Bgra8UnormSrgb
        );
        let mut rgba = Vec::with_capacity((w * h * 4) as usize);
        {
            let data = slice
                .get_mapped_range()
                .map_err(|e| anyhow::anyhow!("reading the picture: {e}"))?;
            for row in data.chunks(self.padded_row as usize).take(h as usize) {
                for px in row[..(w * 4) as usize].chunks(4) {
                    let [r, g, b] = if bgra {
                        [px[2], px[1], px[0]]
                    } else {
                        [px[0], px[1], px[2]]
                    };
                    rgba.extend_from_slice(&[r, g, b, 255]);
                }
            }
        }
        self.staging.unmap();
        image::RgbaImage::from_raw(w, h, rgba)
            .ok_or_else(|| anyhow::anyhow!("the picture has the wrong size"))
    }
}

/// The texture format `render_image` draws in (a `ViewRenderer` made for it).
pub const IMAGE_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8Unorm;

/// Render a world into an RGBA image of `size` pixels without a window (checkpoint
/// pictures, run frames), with a renderer made once for `IMAGE_FORMAT`. A CPU world's
/// buffers are uploaded first.
pub fn render_image(
    ctx: &crate::gpu::GpuContext,
    r: &mut ViewRenderer,
    world: &World,
    cfg: &Config,
    settings: &ViewSettings,
    size: [u32; 2],
) -> anyhow::Result<image::RgbaImage> {
    let format = IMAGE_FORMAT;
    let device = &ctx.device;
    r.attach(device, world);
    r.mirror(&ctx.queue, world);
    let u = settings.uniform(cfg, [0.0, 0.0, size[0] as f32, size[1] as f32], 1.0);
    let (lines, agents, bots) = settings.instances(&u);
    ctx.queue
        .write_buffer(&r.uniform, 0, bytemuck::bytes_of(&u));
    let picture = Picture::new(device, format, size);
    let target = picture.texture.create_view(&Default::default());
    let mut enc = device.create_command_encoder(&Default::default());
    {
        let mut pass = enc
            .begin_render_pass(&wgpu::RenderPassDescriptor {
                label: Some("world picture"),
                color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                    view: &target,
                    depth_slice: None,
                    resolve_target: None,
                    ops: wgpu::Operations {
                        load: wgpu::LoadOp::Clear(wgpu::Color::BLACK),
                        store: wgpu::StoreOp::Store,
                    },
                })],
                depth_stencil_attachment: None,
                timestamp_writes: None,
                occlusion_query_set: None,
                multiview_mask: None,
            })
            .forget_lifetime();
        r.draw(&mut pass, [lines, agents, bots]);
    }
    picture.record_copy(&mut enc);
    ctx.queue.submit([enc.finish()]);
    picture.read(device)
}
