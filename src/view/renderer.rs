//! The renderer: the view pipelines over a world's buffers, drawn into the app's window
//! (through egui's paint callback) or into an image (frames, `silico render`).

use wgpu::util::DeviceExt as _;

use super::{ViewSettings, ViewUniform, VIEW_WGSL};
use crate::config::Config;
use crate::gpu::{common_wgsl, Buffer};
use crate::sim::World;
use crate::world::Section;

/// The buffers the view reads, in binding order after the uniform (params, a uniform, is
/// binding 6), with the stages that read them.
const VIEW_BUFFERS: [(Section, u32); 11] = [
    (Section::Cells, 1),
    (Section::Base, 2),
    (Section::Cultivator, 10),
    (Section::CultivatorId, 11),
    (Section::ShadowGain, 12),
    (Section::Agents, 3),
    (Section::Bots, 4),
    (Section::BotTick, 5),
    (Section::Actions, 7),
    (Section::NeighborList, 8),
    (Section::BotNeighborList, 9),
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
            source: wgpu::ShaderSource::Wgsl(format!("{}\n{VIEW_WGSL}", common_wgsl()).into()),
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
                .map(|(s, _)| Buffer::Section(*s))
                .chain([Buffer::Params])
                .map(|b| g.buffer(b).clone())
                .collect(),
            World::Cpu(c) => {
                self.mirrors = VIEW_BUFFERS
                    .iter()
                    .map(|(s, _)| {
                        let len = c.section(*s).len();
                        device.create_buffer(&wgpu::BufferDescriptor {
                            label: Some(s.name()),
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
            for ((section, _), buf) in VIEW_BUFFERS.iter().zip(&self.mirrors) {
                queue.write_buffer(buf, 0, c.section(*section));
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
