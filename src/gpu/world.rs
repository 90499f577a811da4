//! The world on the GPU: one storage buffer per named section of `State` and `Scratch`,
//! one compute pipeline per entry point, and a tick recorded as the fixed pass sequence.
//! Nothing is read back in the tick loop except the metrics ring, asynchronously.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

use super::genome::{self, GenomePages, MAX_PAGES};
use super::{
    binding_decls, full_source, groups_for, pass_source, Dispatch, GpuContext, When, SHADERS,
};
use crate::config::Config;
use crate::cpu::{tick_passes, TICK_PASSES};
use crate::error::GpuError;
use crate::world::{Dims, LifeEvent, Params, Scratch, State, METRIC_COLUMNS, METRIC_RING};

struct Pass {
    pipeline: wgpu::ComputePipeline,
    /// One bind group; for a pass that reads its genomes one page per dispatch
    /// (`genome::per_page`), one per page, in page order, each dispatched over its page's
    /// agents.
    bind_groups: Vec<wgpu::BindGroup>,
    dispatch: Dispatch,
    when: When,
}

struct PendingMetrics {
    /// The metrics ring, then (when collecting) the event count and the events.
    staging: wgpu::Buffer,
    with_events: bool,
    first_tick: u64,
    ticks: u64,
    /// 0 waiting, 1 mapped, 2 failed.
    state: Arc<AtomicU8>,
}

/// Section ranges on their way back from the GPU (`GpuWorld::request_ranges`).
pub struct RangeReads {
    staging: wgpu::Buffer,
    parts: Vec<ReadPart>,
    /// 0 waiting, 1 mapped, 2 failed.
    state: Arc<AtomicU8>,
}

/// Where one requested range lies in the staging buffer.
struct ReadPart {
    at: u64,
    /// Bytes copied for it (whole words; whole genomes for the genomes).
    stored: u64,
    /// The requested bytes within what was copied (after decoding genomes).
    skip: u64,
    len: u64,
    genomes: bool,
}

/// Ticks recorded into one command buffer; at most the metrics ring's length.
pub const TICKS_PER_SUBMIT: u64 = 32;

pub struct GpuWorld {
    pub ctx: GpuContext,
    pub params: Params,
    pub dims: Dims,
    buffers: HashMap<&'static str, wgpu::Buffer>,
    lengths: HashMap<&'static str, u64>,
    /// The `genomes` section lives in these pages, not in a buffer of its own.
    pub pages: GenomePages,
    passes: HashMap<&'static str, Pass>,
    tick: u64,
    pending: VecDeque<PendingMetrics>,
    spare_staging: Vec<wgpu::Buffer>,
    /// The tick's pass sequence, bot steps repeated.
    passes_of_tick: Vec<&'static str>,
    /// Read births and deaths back with the metrics (for lineage.csv).
    pub collect_events: bool,
    events: Vec<LifeEvent>,
    events_lost: u64,
}

fn alloc_len(len: u64) -> u64 {
    // Bindings may not be empty, and a runtime array needs room for one element.
    len.max(256).div_ceil(4) * 4
}

impl GpuWorld {
    pub fn new(cfg: &Config, state: &State) -> Result<Self, GpuError> {
        let ctx = GpuContext::new()?;
        Self::with_context(ctx, cfg, state)
    }

    pub fn with_context(ctx: GpuContext, cfg: &Config, state: &State) -> Result<Self, GpuError> {
        let limit = ctx
            .limits
            .max_storage_buffer_binding_size
            .min(ctx.limits.max_buffer_size);
        Self::with_page_limit(ctx, cfg, state, limit)
    }

    /// As `with_context`, with genome pages of at most `page_limit_bytes` each (tests page
    /// small worlds this way; `with_context` uses the adapter's largest binding).
    pub fn with_page_limit(
        ctx: GpuContext,
        cfg: &Config,
        state: &State,
        page_limit_bytes: u64,
    ) -> Result<Self, GpuError> {
        let params = Params::new(cfg);
        let dims = Dims::new(cfg);
        let scratch = Scratch::new(&dims);
        // As the CPU world: a tick-0 world starts its ledger from itself (written over the
        // uploaded section below).
        let seeded_prev = (state.tick() == 0).then(|| crate::cpu::metrics::seed_totals(state));
        if let Some((hidden, _)) = cfg.brain.attention() {
            let needed = super::jaxlife_brain::workgroup_bytes(
                hidden as usize,
                dims.view_agents + dims.view_bots,
            );
            let limit = ctx.limits.max_compute_workgroup_storage_size as u64;
            if needed > limit {
                return Err(GpuError::WorkgroupMemory {
                    adapter: ctx.info.name.clone(),
                    needed_bytes: needed,
                    limit_bytes: limit,
                });
            }
        }
        let device = &ctx.device;
        let max_binding = ctx.limits.max_storage_buffer_binding_size;
        let max_buffer = ctx.limits.max_buffer_size;
        let page_limit = page_limit_bytes.min(max_binding).min(max_buffer);
        let pages = GenomePages::new(&dims, page_limit).map_err(|e| GpuError::GenomePaging {
            adapter: ctx.info.name.clone(),
            needed_bytes: e.needed_bytes,
            genome_bytes: e.genome_bytes,
            page_limit_bytes: e.page_limit_bytes,
            max_pages: MAX_PAGES,
        })?;
        let mut buffers = HashMap::new();
        let mut lengths = HashMap::new();
        let genome_scale = genome_scales(cfg);
        let sections: Vec<(&'static str, &[u8])> = state
            .sections()
            .into_iter()
            .chain(scratch.sections())
            .chain([(
                "genome_scale",
                bytemuck::cast_slice::<[f32; 2], u8>(&genome_scale),
            )])
            .collect();
        for (name, bytes) in sections {
            if name == "genomes" {
                // Filled by write_genomes once the world stands.
                for (page, held) in pages.list() {
                    let buf = device.create_buffer(&wgpu::BufferDescriptor {
                        label: Some(page),
                        size: alloc_len(held.len() as u64 * pages.bytes_per_agent()),
                        usage: wgpu::BufferUsages::STORAGE
                            | wgpu::BufferUsages::COPY_SRC
                            | wgpu::BufferUsages::COPY_DST,
                        mapped_at_creation: false,
                    });
                    buffers.insert(page, buf);
                }
                lengths.insert(name, bytes.len() as u64);
                continue;
            }
            let size = alloc_len(bytes.len() as u64);
            if size > max_binding.min(max_buffer) {
                return Err(GpuError::TooLarge {
                    adapter: ctx.info.name.clone(),
                    buffer: name.into(),
                    needed_bytes: size,
                    limit_bytes: max_binding.min(max_buffer),
                });
            }
            let usage = wgpu::BufferUsages::STORAGE
                | wgpu::BufferUsages::COPY_SRC
                | wgpu::BufferUsages::COPY_DST;
            let buf = device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(name),
                size,
                usage,
                mapped_at_creation: false,
            });
            ctx.queue.write_buffer(&buf, 0, bytes);
            buffers.insert(name, buf);
            lengths.insert(name, bytes.len() as u64);
        }
        if let Some(prev) = &seeded_prev {
            ctx.queue
                .write_buffer(&buffers["metrics_prev"], 0, bytemuck::cast_slice(prev));
        }
        let pbuf = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("params"),
            size: std::mem::size_of::<Params>() as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        ctx.queue
            .write_buffer(&pbuf, 0, bytemuck::bytes_of(&params));
        buffers.insert("params", pbuf);
        // Indirect arguments are copied out of birth_control: a buffer bound for writing in a
        // pass's bind group cannot also be the indirect buffer of a dispatch.
        let args = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("birth_args"),
            size: super::births::ARGS_BYTES,
            usage: wgpu::BufferUsages::INDIRECT | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        buffers.insert("birth_args", args);
        // Large worlds' block selection of births (births.wgsl births_tally ...): GPU-only
        // scratch, which small worlds bind but never touch.
        for (name, bytes) in [
            ("birth_select", super::births::select_bytes(dims.capacity)),
            ("birth_codes", super::births::codes_bytes(dims.capacity)),
        ] {
            let buf = device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(name),
                size: alloc_len(bytes),
                usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            });
            buffers.insert(name, buf);
        }

        let page_info = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some(genome::PAGE_INFO),
            size: pages.pages as u64 * genome::GENOME_PAGE_STRIDE_BYTES,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        ctx.queue
            .write_buffer(&page_info, 0, &pages.page_info_bytes());
        buffers.insert(genome::PAGE_INFO, page_info);

        let scope = device.push_error_scope(wgpu::ErrorFilter::Validation);
        let mut passes = HashMap::new();
        for def in SHADERS {
            // Entries this world never dispatches (another brain's, the block selection of
            // births in a small world) get no pipeline: building them costs a driver like
            // lavapipe seconds per world.
            let entries: Vec<&super::Entry> = def
                .entries
                .iter()
                .filter(|e| e.dispatch.used(&params, &dims))
                .collect();
            if entries.is_empty() {
                continue;
            }
            let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
                label: Some(def.file),
                source: wgpu::ShaderSource::Wgsl(full_source(def, &pages).into()),
            });
            let decls = binding_decls(&pass_source(def, &pages));
            let storage = decls.iter().filter(|d| !d.uniform).count() as u32;
            if storage > ctx.limits.max_storage_buffers_per_shader_stage {
                return Err(GpuError::TooManyBindings {
                    adapter: ctx.info.name.clone(),
                    shader: def.file.to_string(),
                    needed: storage,
                    pages: pages.pages,
                    limit: ctx.limits.max_storage_buffers_per_shader_stage,
                });
            }
            let layout_entries: Vec<wgpu::BindGroupLayoutEntry> = decls
                .iter()
                .map(|d| wgpu::BindGroupLayoutEntry {
                    binding: d.binding,
                    visibility: wgpu::ShaderStages::COMPUTE,
                    ty: wgpu::BindingType::Buffer {
                        ty: if d.uniform {
                            wgpu::BufferBindingType::Uniform
                        } else {
                            wgpu::BufferBindingType::Storage {
                                read_only: d.read_only,
                            }
                        },
                        has_dynamic_offset: false,
                        min_binding_size: None,
                    },
                    count: None,
                })
                .collect();
            let bgl = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
                label: Some(def.file),
                entries: &layout_entries,
            });
            let per_page = genome::per_page(def.source);
            let mut bind_groups = Vec::new();
            for page in 0..if per_page { pages.pages } else { 1 } {
                let mut bind_entries = Vec::new();
                for d in &decls {
                    // A per-page pass's page binding takes this page; its uniform, this
                    // page's entry.
                    let name = match d.name.as_str() {
                        n if per_page && n == genome::PAGE_NAMES[0] => genome::PAGE_NAMES[page],
                        n => n,
                    };
                    let buf = buffers.get(name).ok_or_else(|| GpuError::Device {
                        adapter: ctx.info.name.clone(),
                        message: format!(
                            "{} binds '{name}', which is no buffer of the world",
                            def.file
                        ),
                    })?;
                    let resource = if name == genome::PAGE_INFO {
                        wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                            buffer: buf,
                            offset: page as u64 * genome::GENOME_PAGE_STRIDE_BYTES,
                            size: wgpu::BufferSize::new(genome::GENOME_PAGE_BYTES),
                        })
                    } else {
                        buf.as_entire_binding()
                    };
                    bind_entries.push(wgpu::BindGroupEntry {
                        binding: d.binding,
                        resource,
                    });
                }
                bind_groups.push(device.create_bind_group(&wgpu::BindGroupDescriptor {
                    label: Some(def.file),
                    layout: &bgl,
                    entries: &bind_entries,
                }));
            }
            let layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
                label: Some(def.file),
                bind_group_layouts: &[Some(&bgl)],
                immediate_size: 0,
            });
            let owned = pipeline_constants(def.source, cfg, &params);
            let constants: Vec<(&str, f64)> = owned.iter().map(|(n, v)| (n.as_str(), *v)).collect();
            for entry in entries {
                let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                    label: Some(entry.name),
                    layout: Some(&layout),
                    module: &module,
                    entry_point: Some(entry.name),
                    compilation_options: wgpu::PipelineCompilationOptions {
                        constants: &constants,
                        ..Default::default()
                    },
                    cache: None,
                });
                passes.insert(
                    entry.name,
                    Pass {
                        pipeline,
                        bind_groups: bind_groups.clone(),
                        dispatch: entry.dispatch,
                        when: entry.when,
                    },
                );
            }
        }
        if let Some(err) = pollster::block_on(scope.pop()) {
            return Err(GpuError::Device {
                adapter: ctx.info.name.clone(),
                message: err.to_string(),
            });
        }
        let mut world = Self {
            ctx,
            params,
            dims,
            buffers,
            lengths,
            pages,
            passes,
            tick: state.tick(),
            pending: VecDeque::new(),
            spare_staging: Vec::new(),
            passes_of_tick: tick_passes(params.bot_steps_per_tick),
            collect_events: false,
            events: Vec::new(),
            events_lost: 0,
        };
        world.write_genomes(0, &state.genomes);
        Ok(world)
    }

    pub fn tick(&self) -> u64 {
        self.tick
    }

    /// One of the world's storage buffers by section name (the app's view binds them).
    pub fn buffer(&self, name: &str) -> &wgpu::Buffer {
        &self.buffers[name]
    }

    /// Take a config that differs from the running one only in non-structural fields
    /// (costs, rates, mutation): it applies from the next submitted tick.
    pub fn set_config(&mut self, cfg: &Config) {
        self.params = Params::new(cfg);
        self.ctx
            .queue
            .write_buffer(self.buffer("params"), 0, bytemuck::bytes_of(&self.params));
        self.ctx.queue.write_buffer(
            self.buffer("genome_scale"),
            0,
            bytemuck::cast_slice(&genome_scales(cfg)),
        );
    }

    /// Overwrite bytes of a section from byte `offset` (4-byte aligned); ignored past its end.
    pub fn write_range(&mut self, name: &str, offset: u64, bytes: &[u8]) {
        if name == "genomes" {
            // Pages may hold half floats: rewrite the whole genomes the range touches.
            let len = self.dims.genome_len.max(1);
            let (first, end) = (offset as usize / 4, (offset as usize + bytes.len()) / 4);
            let agents = first / len..end.div_ceil(len).min(self.dims.capacity);
            let rows = (
                (agents.start * len * 4) as u64,
                (agents.len() * len * 4) as u64,
            );
            if let Ok(old) = self.read_range(name, rows.0, rows.1) {
                let mut genomes: Vec<f32> = bytemuck::pod_collect_to_vec(&old);
                let at = first - agents.start * len;
                genomes[at..at + bytes.len() / 4]
                    .copy_from_slice(&bytemuck::pod_collect_to_vec::<u8, f32>(bytes));
                self.write_genomes(agents.start, &genomes);
            }
            return;
        }
        if offset + bytes.len() as u64 <= self.lengths[name] {
            self.ctx
                .queue
                .write_buffer(self.buffer(name), offset, bytes);
        }
    }

    /// `len` bytes of a section from byte `offset`, after every submitted tick (for the
    /// app's inspector: one entity, not the whole world). Waits for the GPU.
    pub fn read_range(&mut self, name: &str, offset: u64, len: u64) -> Result<Vec<u8>, GpuError> {
        let reads = self.request_ranges(&[(name, offset, len)]);
        Ok(self.wait_ranges(&reads)?.remove(0))
    }

    /// Ask for `(section, byte offset, bytes)` ranges as they stand after every submitted
    /// tick, copied in one submission; `poll_ranges` hands them over once they arrive, so
    /// the tick loop never waits for them (the app's inspector).
    pub fn request_ranges(&mut self, ranges: &[(&str, u64, u64)]) -> RangeReads {
        let mut copies: Vec<(&'static str, u64, u64, u64)> = Vec::new();
        let mut parts = Vec::new();
        let mut total = 0u64;
        let per = self.pages.bytes_per_agent();
        for &(name, offset, len) in ranges {
            let len = self
                .lengths
                .get(name)
                .map_or(0, |l| len.min(l.saturating_sub(offset)));
            let at = total;
            if name == "genomes" && len > 0 {
                // Whole genomes come back (pages may hold half floats), then the range.
                let glen = self.dims.genome_len.max(1) as u64;
                let agents = offset / 4 / glen..(offset + len).div_ceil(4).div_ceil(glen);
                let rows = agents.start as usize..agents.end as usize;
                for (page, from, held) in self.pages.segments(rows) {
                    let bytes = held.len() as u64 * per;
                    copies.push((page, from, bytes, total));
                    total += bytes;
                }
                parts.push(ReadPart {
                    at,
                    stored: total - at,
                    skip: offset - agents.start * glen * 4,
                    len,
                    genomes: true,
                });
            } else {
                let (start, end) = (offset / 4 * 4, (offset + len).div_ceil(4) * 4);
                if len > 0 {
                    let name = self.buffers.get_key_value(name).expect("a section").0;
                    copies.push((name, start, end - start, total));
                    total += end - start;
                }
                parts.push(ReadPart {
                    at,
                    stored: total - at,
                    skip: offset - start,
                    len,
                    genomes: false,
                });
            }
        }
        let staging = self.ctx.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("range reads"),
            size: total.max(4),
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let mut enc = self.ctx.device.create_command_encoder(&Default::default());
        for (name, src, bytes, dst) in copies {
            enc.copy_buffer_to_buffer(self.buffer(name), src, &staging, dst, bytes);
        }
        self.ctx.queue.submit([enc.finish()]);
        let state = start_map(&staging);
        RangeReads {
            staging,
            parts,
            state,
        }
    }

    /// The ranges of a request once they have arrived (one byte vector per range), or None
    /// while the GPU is still busy. Never waits.
    pub fn poll_ranges(&mut self, reads: &RangeReads) -> Option<Result<Vec<Vec<u8>>, GpuError>> {
        let _ = self.ctx.device.poll(wgpu::PollType::Poll);
        match reads.state.load(Ordering::Acquire) {
            0 => None,
            2 => Some(Err(GpuError::Readback(
                "mapping a range read failed".into(),
            ))),
            _ => Some(self.take_ranges(reads)),
        }
    }

    /// The ranges of a request, waiting for them.
    pub fn wait_ranges(&mut self, reads: &RangeReads) -> Result<Vec<Vec<u8>>, GpuError> {
        loop {
            if let Some(done) = self.poll_ranges(reads) {
                return done;
            }
            self.ctx
                .device
                .poll(wgpu::PollType::wait_indefinitely())
                .map_err(|e| GpuError::Readback(e.to_string()))?;
        }
    }

    fn take_ranges(&self, reads: &RangeReads) -> Result<Vec<Vec<u8>>, GpuError> {
        let out = {
            let view = reads
                .staging
                .slice(..)
                .get_mapped_range()
                .map_err(|e| GpuError::Readback(e.to_string()))?;
            reads
                .parts
                .iter()
                .map(|p| {
                    let stored = &view[p.at as usize..(p.at + p.stored) as usize];
                    let (skip, len) = (p.skip as usize, p.len as usize);
                    if p.genomes {
                        let genomes = self.pages.decode(stored);
                        bytemuck::cast_slice::<f32, u8>(&genomes)[skip..skip + len].to_vec()
                    } else if len == 0 {
                        Vec::new()
                    } else {
                        stored[skip..skip + len].to_vec()
                    }
                })
                .collect()
        };
        reads.staging.unmap();
        Ok(out)
    }

    fn clear(&self, enc: &mut wgpu::CommandEncoder, name: &str) {
        enc.clear_buffer(self.buffer(name), 0, None);
    }

    /// The clears a tick starts with (the CPU's `begin_tick`).
    fn record_begin_tick(&self, enc: &mut wgpu::CommandEncoder) {
        self.clear(enc, "agent_acc");
        self.clear(enc, "cell_acc");
        self.clear(enc, "grid_counts");
        self.clear(enc, "agent_tick");
        self.clear(enc, "bot_tick");
        self.clear(enc, "lineage_set");
        self.clear(enc, "lineage_eaten");
        self.clear(enc, "agent_shift");
    }

    fn record_pass(&self, enc: &mut wgpu::CommandEncoder, name: &str) {
        self.record_pass_timed(enc, name, None);
    }

    /// Record one pass; with `timestamps`, write its start and end into the query set at
    /// `2 * index` and `2 * index + 1`.
    fn record_pass_timed(
        &self,
        enc: &mut wgpu::CommandEncoder,
        name: &str,
        timestamps: Option<(&wgpu::QuerySet, u32)>,
    ) {
        self.record_encoder_ops(enc, name);
        let timestamp_writes =
            timestamps.map(|(query_set, index)| wgpu::ComputePassTimestampWrites {
                query_set,
                beginning_of_pass_write_index: Some(2 * index),
                end_of_pass_write_index: Some(2 * index + 1),
            });
        let mut cp = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some(name),
            timestamp_writes,
        });
        self.record_dispatch(&mut cp, name);
    }

    fn has_encoder_ops(&self, name: &str) -> bool {
        match name {
            "grid_scatter" | "births_spawn" => true,
            "births_select" => super::births::by_blocks(self.dims.capacity),
            _ => false,
        }
    }

    /// Work a pass needs done on the encoder, outside any compute pass, before it runs.
    fn record_encoder_ops(&self, enc: &mut wgpu::CommandEncoder, name: &str) {
        match name {
            // The scatter reuses the counts as per-cell cursors.
            "grid_scatter" => self.clear(enc, "grid_counts"),
            "births_select" if super::births::by_blocks(self.dims.capacity) => enc.clear_buffer(
                self.buffer("birth_select"),
                0,
                Some(super::births::SELECT_CLEAR_BYTES),
            ),
            "births_spawn" => enc.copy_buffer_to_buffer(
                self.buffer("birth_control"),
                0,
                self.buffer("birth_args"),
                0,
                super::births::ARGS_BYTES,
            ),
            _ => {}
        }
    }

    fn record_dispatch(&self, cp: &mut wgpu::ComputePass<'_>, name: &str) {
        if name == "births_select" && super::births::by_blocks(self.dims.capacity) {
            for sub in super::births::BLOCK_PASSES {
                self.record_entry(cp, sub);
            }
        } else {
            self.record_entry(cp, name);
        }
    }

    /// One entry point's dispatches (one per genome page for a per-page pass).
    fn record_entry(&self, cp: &mut wgpu::ComputePass<'_>, name: &str) {
        // An entry this world never needs (another brain's, say) has no pipeline.
        let Some(pass) = self.passes.get(name) else {
            return;
        };
        for (page, bind_group) in pass.bind_groups.iter().enumerate() {
            // A per-page pass runs over the agents of one page at a time (with one page,
            // that is every agent).
            let mut dims = self.dims;
            if pass.bind_groups.len() > 1 {
                dims.capacity = self.pages.agents(page).len();
            }
            let groups = match pass.dispatch {
                Dispatch::Single => Some((1, 1)),
                Dispatch::BirthBlocks => {
                    Some(super::fold_groups(super::births::blocks(dims.capacity)))
                }
                Dispatch::MetricPartials => Some((self.params.metric_partials, 1)),
                Dispatch::Indirect { .. } => None,
                _ => match pass.dispatch.threads(&self.params, &dims) {
                    // Nothing to do this world (observe without a flat-input brain).
                    0 => continue,
                    threads => Some(groups_for(threads)),
                },
            };
            cp.set_pipeline(&pass.pipeline);
            cp.set_bind_group(0, bind_group, &[]);
            match (groups, pass.dispatch) {
                (Some((x, y)), _) => cp.dispatch_workgroups(x, y, 1),
                (None, Dispatch::Indirect { buffer, offset }) => {
                    cp.dispatch_workgroups_indirect(self.buffer(buffer), offset)
                }
                (None, _) => unreachable!("only indirect dispatches have no workgroup count"),
            }
        }
    }

    /// A whole tick: the dispatches share as few compute passes as the encoder operations
    /// between them allow (wgpu orders dispatches within a pass by their buffer use), which
    /// saves the drivers a synchronisation per pass.
    /// Tick `tick` (the GPU's clock then) leaves out the passes that would do nothing on
    /// it (each entry's `When`).
    fn record_tick(&self, enc: &mut wgpu::CommandEncoder, tick: u64) {
        self.record_begin_tick(enc);
        let passes = &self.passes_of_tick;
        let mut start = 0;
        while start < passes.len() {
            self.record_encoder_ops(enc, passes[start]);
            let mut end = start + 1;
            while end < passes.len() && !self.has_encoder_ops(passes[end]) {
                end += 1;
            }
            let mut cp = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("tick"),
                timestamp_writes: None,
            });
            for name in &passes[start..end] {
                if self
                    .passes
                    .get(name)
                    .is_some_and(|p| p.when.runs(&self.params, tick as u32))
                {
                    self.record_dispatch(&mut cp, name);
                }
            }
            start = end;
        }
    }

    /// Run one pass alone (for GPU-vs-CPU tests).
    pub fn run_pass(&mut self, name: &str) {
        let mut enc = self.ctx.device.create_command_encoder(&Default::default());
        self.record_pass(&mut enc, name);
        self.ctx.queue.submit([enc.finish()]);
    }

    /// Mean GPU time of each pass per tick (a bot step's passes summed over the tick's
    /// steps), from timestamp queries, over `reps` ticks (for `silico bench --passes`).
    /// Empty when the adapter has no timestamps.
    pub fn profile_passes(&mut self, reps: u32) -> Result<Vec<(&'static str, f64)>, GpuError> {
        if !self.ctx.features.contains(wgpu::Features::TIMESTAMP_QUERY) {
            return Ok(Vec::new());
        }
        let passes = self.passes_of_tick.clone();
        let n = passes.len() as u32;
        let device = &self.ctx.device;
        let query_set = device.create_query_set(&wgpu::QuerySetDescriptor {
            label: Some("pass timestamps"),
            ty: wgpu::QueryType::Timestamp,
            count: 2 * n,
        });
        let bytes = 2 * n as u64 * 8;
        let resolve = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("timestamps"),
            size: bytes,
            usage: wgpu::BufferUsages::QUERY_RESOLVE | wgpu::BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        });
        let period_ns = self.ctx.queue.get_timestamp_period() as f64;
        let mut total_ms: HashMap<&'static str, f64> = HashMap::new();
        for _ in 0..reps {
            let mut enc = self.ctx.device.create_command_encoder(&Default::default());
            self.record_begin_tick(&mut enc);
            for (k, name) in passes.iter().enumerate() {
                self.record_pass_timed(&mut enc, name, Some((&query_set, k as u32)));
            }
            enc.resolve_query_set(&query_set, 0..2 * n, &resolve, 0);
            self.ctx.queue.submit([enc.finish()]);
            self.tick += 1;
            let raw = self.read_raw(&resolve, 0, bytes)?;
            let stamps: &[u64] = bytemuck::cast_slice(&raw);
            for (k, name) in passes.iter().enumerate() {
                let ticks = stamps[2 * k + 1].saturating_sub(stamps[2 * k]);
                *total_ms.entry(name).or_default() += ticks as f64 * period_ns * 1e-6;
            }
        }
        Ok(TICK_PASSES
            .iter()
            .map(|name| {
                (
                    *name,
                    total_ms.get(name).copied().unwrap_or(0.0) / reps as f64,
                )
            })
            .collect())
    }

    /// Submit `n` ticks; returns the metric rows that have arrived so far, in tick order.
    pub fn advance(&mut self, n: u64) -> Result<Vec<Vec<f32>>, GpuError> {
        let mut rows = Vec::new();
        let mut left = n;
        while left > 0 {
            let chunk = left.min(TICKS_PER_SUBMIT);
            let mut enc = self.ctx.device.create_command_encoder(&Default::default());
            let with_events = self.collect_events;
            if with_events {
                self.clear(&mut enc, "event_count");
            }
            for k in 0..chunk {
                self.record_tick(&mut enc, self.tick + k);
            }
            let size = self.lengths["metrics_ring"];
            let events_size = self.lengths["events"];
            let staging_size = size + if with_events { 4 + events_size } else { 0 };
            // Staging buffers are reused once read, so the loop allocates nothing.
            let staging = match self
                .spare_staging
                .iter()
                .position(|b| b.size() == staging_size)
            {
                Some(k) => self.spare_staging.swap_remove(k),
                None => self.ctx.device.create_buffer(&wgpu::BufferDescriptor {
                    label: Some("metrics staging"),
                    size: staging_size,
                    usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                    mapped_at_creation: false,
                }),
            };
            enc.copy_buffer_to_buffer(self.buffer("metrics_ring"), 0, &staging, 0, size);
            if with_events {
                enc.copy_buffer_to_buffer(self.buffer("event_count"), 0, &staging, size, 4);
                enc.copy_buffer_to_buffer(
                    self.buffer("events"),
                    0,
                    &staging,
                    size + 4,
                    events_size,
                );
            }
            self.ctx.queue.submit([enc.finish()]);
            let state = start_map(&staging);
            self.pending.push_back(PendingMetrics {
                staging,
                with_events,
                first_tick: self.tick,
                ticks: chunk,
                state,
            });
            self.tick += chunk;
            left -= chunk;
            // Keep at most two chunks in flight so the GPU never waits on the host.
            let _ = self.ctx.device.poll(wgpu::PollType::Poll);
            while self.pending.len() > 2 {
                self.wait_front()?;
                rows.extend(self.take_ready()?);
            }
            rows.extend(self.take_ready()?);
        }
        Ok(rows)
    }

    fn wait_front(&mut self) -> Result<(), GpuError> {
        while let Some(front) = self.pending.front() {
            if front.state.load(Ordering::Acquire) != 0 {
                break;
            }
            self.ctx
                .device
                .poll(wgpu::PollType::wait_indefinitely())
                .map_err(|e| GpuError::Readback(e.to_string()))?;
        }
        Ok(())
    }

    fn take_ready(&mut self) -> Result<Vec<Vec<f32>>, GpuError> {
        let mut rows = Vec::new();
        let n = METRIC_COLUMNS.len();
        while let Some(front) = self.pending.front() {
            match front.state.load(Ordering::Acquire) {
                0 => break,
                2 => return Err(GpuError::Readback("mapping the metrics ring failed".into())),
                _ => {}
            }
            let p = self.pending.pop_front().expect("front exists");
            {
                let view = p
                    .staging
                    .slice(..)
                    .get_mapped_range()
                    .map_err(|e| GpuError::Readback(e.to_string()))?;
                let ring_bytes = self.lengths["metrics_ring"] as usize;
                let ring: &[f32] = bytemuck::cast_slice(&view[..ring_bytes]);
                for t in p.first_tick..p.first_tick + p.ticks {
                    let slot = (t % METRIC_RING as u64) as usize;
                    rows.push(ring[slot * n..(slot + 1) * n].to_vec());
                }
                if p.with_events {
                    let count =
                        bytemuck::pod_read_unaligned::<u32>(&view[ring_bytes..ring_bytes + 4])
                            as usize;
                    let events: &[LifeEvent] = bytemuck::cast_slice(&view[ring_bytes + 4..]);
                    let kept = count.min(events.len());
                    self.events.extend_from_slice(&events[..kept]);
                    self.events_lost += (count - kept) as u64;
                }
            }
            p.staging.unmap();
            self.spare_staging.push(p.staging);
        }
        Ok(rows)
    }

    /// Births and deaths read back so far (with `collect_events`), and how many did not fit.
    pub fn take_events(&mut self) -> (Vec<LifeEvent>, u64) {
        (
            std::mem::take(&mut self.events),
            std::mem::take(&mut self.events_lost),
        )
    }

    /// Wait for every submitted tick; returns the remaining metric rows.
    pub fn flush(&mut self) -> Result<Vec<Vec<f32>>, GpuError> {
        let mut rows = Vec::new();
        while !self.pending.is_empty() {
            self.wait_front()?;
            rows.extend(self.take_ready()?);
        }
        Ok(rows)
    }

    /// Store whole genomes from agent `first` on.
    fn write_genomes(&mut self, first: usize, genomes: &[f32]) {
        let len = self.dims.genome_len;
        if len == 0 {
            return;
        }
        for (name, offset, agents) in self.pages.segments(first..first + genomes.len() / len) {
            let stored = self
                .pages
                .encode(&genomes[(agents.start - first) * len..(agents.end - first) * len]);
            self.ctx
                .queue
                .write_buffer(&self.buffers[name], offset, &stored);
        }
    }

    /// Whole sections back to the host, in one submission.
    fn read_back(&mut self, names: &[&'static str]) -> Result<Vec<Vec<u8>>, GpuError> {
        let ranges: Vec<(&str, u64, u64)> = names
            .iter()
            .map(|name| (*name, 0, self.lengths[name]))
            .collect();
        let reads = self.request_ranges(&ranges);
        self.wait_ranges(&reads)
    }

    /// `size` bytes of a COPY_SRC buffer from byte `offset` (both multiples of 4), waiting
    /// for all submitted work.
    fn read_raw(
        &mut self,
        src: &wgpu::Buffer,
        offset: u64,
        size: u64,
    ) -> Result<Vec<u8>, GpuError> {
        let staging = self.ctx.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("readback"),
            size,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let mut enc = self.ctx.device.create_command_encoder(&Default::default());
        enc.copy_buffer_to_buffer(src, offset, &staging, 0, size);
        self.ctx.queue.submit([enc.finish()]);
        let state = start_map(&staging);
        while state.load(Ordering::Acquire) == 0 {
            self.ctx
                .device
                .poll(wgpu::PollType::wait_indefinitely())
                .map_err(|e| GpuError::Readback(e.to_string()))?;
        }
        if state.load(Ordering::Acquire) == 2 {
            return Err(GpuError::Readback(
                "mapping the readback buffer failed".into(),
            ));
        }
        let out = staging
            .slice(..)
            .get_mapped_range()
            .map_err(|e| GpuError::Readback(e.to_string()))?
            .to_vec();
        staging.unmap();
        Ok(out)
    }

    /// The persistent state as it stands after every submitted tick.
    pub fn download_state(&mut self, cfg: &Config) -> Result<State, GpuError> {
        let mut state = State::zeroed(cfg);
        let names: Vec<&'static str> = state.sections().iter().map(|(n, _)| *n).collect();
        let data = self.read_back(&names)?;
        for ((_, dst), src) in state.sections_mut().into_iter().zip(data) {
            dst.copy_from_slice(&src);
        }
        Ok(state)
    }

    /// The bots' bits after each bot step of the last submitted tick.
    pub fn download_bot_bits(&mut self) -> Result<Vec<f32>, GpuError> {
        let raw = self.read_back(&["bot_bits"])?;
        Ok(bytemuck::pod_collect_to_vec(&raw[0]))
    }

    pub fn download_scratch(&mut self) -> Result<Scratch, GpuError> {
        let mut scratch = Scratch::new(&self.dims);
        let names: Vec<&'static str> = scratch.sections().iter().map(|(n, _)| *n).collect();
        let data = self.read_back(&names)?;
        for ((_, dst), src) in scratch.sections_mut().into_iter().zip(data) {
            dst.copy_from_slice(&src);
        }
        Ok(scratch)
    }

    /// Overwrite every buffer (for tests that start the GPU and CPU from one state).
    pub fn upload(&mut self, state: &State, scratch: &Scratch) {
        for (name, bytes) in state.sections().into_iter().chain(scratch.sections()) {
            if name == "genomes" {
                self.write_genomes(0, bytemuck::cast_slice(bytes));
            } else {
                self.ctx.queue.write_buffer(&self.buffers[name], 0, bytes);
            }
        }
        self.tick = state.tick();
    }
}

/// Per weight, the scale of a respawned agent's weight and the σ of a child's mutation.
fn genome_scales(cfg: &Config) -> Vec<[f32; 2]> {
    let tensors = crate::world::brain::layout_for(cfg);
    crate::world::brain::fresh_scales(&tensors)
        .into_iter()
        .zip(crate::world::brain::mutation_scales(
            &tensors,
            &cfg.mutation,
        ))
        .map(|(fresh, mutation)| [fresh, mutation])
        .collect()
}

/// Ask for a MAP_READ buffer to be mapped; the flag becomes 1 when mapped, 2 on failure.
fn start_map(staging: &wgpu::Buffer) -> Arc<AtomicU8> {
    let state = Arc::new(AtomicU8::new(0));
    let flag = state.clone();
    staging.slice(..).map_async(wgpu::MapMode::Read, move |r| {
        flag.store(if r.is_ok() { 1 } else { 2 }, Ordering::Release);
    });
    state
}

/// Values for the `override` constants a shader declares: list lengths, so that drivers
/// can unroll the loops over them (see neighbors.wgsl), the JaxLife brain's sizes, and the
/// offset of every genome tensor as `OFF_<NAME>` (so the shaders read the layout of
/// `world::brain` and nothing else).
fn pipeline_constants(source: &str, cfg: &Config, params: &Params) -> Vec<(String, f64)> {
    // Other brains still build the pipeline: the smallest valid sizes.
    let hidden = cfg.brain.hidden().unwrap_or(4);
    let heads = cfg.brain.attention().map_or(1, |(_, heads)| heads);
    let d = Dims::new(cfg);
    let mut all = vec![
        ("VIEW_AGENTS".to_string(), params.view_agents as f64),
        ("VIEW_BOTS".to_string(), params.view_bots as f64),
        ("HIDDEN".to_string(), hidden as f64),
        ("HEADS".to_string(), heads as f64),
        ("TERRAIN_LEN".to_string(), d.terrain_len() as f64),
        (
            "SERIAL_SENSE_MAX".to_string(),
            super::bots::SERIAL_SENSE_MAX as f64,
        ),
    ];
    for t in crate::world::brain::layout_for(cfg) {
        let name = format!("OFF_{}", t.name.to_uppercase().replace('.', "_"));
        all.push((name, t.offset as f64));
    }
    all.into_iter()
        .filter(|(name, _)| source.contains(&format!("override {name}:")))
        .collect()
}
