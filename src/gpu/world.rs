//! The world on the GPU: its buffers (`resources.rs`), one pipeline per entry point
//! (`pipelines.rs`), ticks recorded from the schedule (`record.rs`) and submitted in
//! chunks, and the metrics ring read back asynchronously (`readback.rs`), which is all the
//! tick loop reads.

use std::collections::{HashMap, VecDeque};

use super::genome::{GenomePages, MAX_PAGES};
use super::pipelines::Pipeline;
use super::readback::{MapState, Readback};
use super::{Buffer, GpuContext};
use crate::config::Config;
use crate::error::GpuError;
use crate::world::{Dims, LifeEvent, Params, Scratch, Section, State, METRIC_COLUMNS, METRIC_RING};

struct PendingMetrics {
    /// The metrics ring, then (when collecting) the event count and the events.
    readback: Readback,
    with_events: bool,
    first_tick: u64,
    ticks: u64,
}

/// Ticks recorded into one command buffer; at most the metrics ring's length.
pub const TICKS_PER_SUBMIT: u64 = 32;

pub struct GpuWorld {
    pub ctx: GpuContext,
    pub params: Params,
    pub dims: Dims,
    pub(super) buffers: HashMap<Buffer, wgpu::Buffer>,
    pub(super) lengths: HashMap<Section, u64>,
    /// The `genomes` section lives in these pages, not in a buffer of its own.
    pub pages: GenomePages,
    pub(super) passes: HashMap<&'static str, Pipeline>,
    pub(super) tick: u64,
    /// Each kind of tick's GPU steps (`record_tick`); cleared when the params change.
    pub(super) tick_ops: HashMap<crate::schedule::Options, Vec<super::GpuStep>>,
    pending: VecDeque<PendingMetrics>,
    spare_staging: Vec<wgpu::Buffer>,
    /// Read births and deaths back with the metrics (for lineage.csv).
    pub collect_events: bool,
    events: Vec<LifeEvent>,
    events_lost: u64,
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
        super::jaxlife_brain::check_workgroup_memory(&ctx, cfg, &dims)?;
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
        let scratch = Scratch::new(&dims);
        let res = super::resources::create(&ctx, cfg, &params, &dims, state, &scratch, &pages)?;
        let passes = super::pipelines::build(&ctx, cfg, &params, &dims, &pages, &res.buffers)?;
        let mut world = Self {
            ctx,
            params,
            dims,
            buffers: res.buffers,
            lengths: res.lengths,
            pages,
            passes,
            tick: state.tick(),
            tick_ops: HashMap::new(),
            pending: VecDeque::new(),
            spare_staging: Vec::new(),
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

    /// One of the world's buffers (the app's view binds sections of them).
    pub fn buffer(&self, buffer: Buffer) -> &wgpu::Buffer {
        self.buffers
            .get(&buffer)
            .unwrap_or_else(|| panic!("this world has no buffer {buffer:?}"))
    }

    /// A section's buffer (the genomes' are their pages).
    pub fn section_buffer(&self, section: Section) -> &wgpu::Buffer {
        self.buffer(Buffer::Section(section))
    }

    /// Take a config that differs from the running one only in non-structural fields
    /// (costs, rates, mutation): it applies from the next submitted tick.
    pub fn set_config(&mut self, cfg: &Config) {
        self.params = Params::new(cfg);
        self.tick_ops.clear();
        self.ctx.queue.write_buffer(
            self.buffer(Buffer::Params),
            0,
            bytemuck::bytes_of(&self.params),
        );
        self.ctx.queue.write_buffer(
            self.buffer(Buffer::GenomeScale),
            0,
            bytemuck::cast_slice(&crate::world::brain::genome_scales(cfg)),
        );
    }

    /// Overwrite bytes of a section from byte `offset` (4-byte aligned); ignored past its end.
    pub fn write_range(&mut self, section: Section, offset: u64, bytes: &[u8]) {
        if section == Section::Genomes {
            // Pages may hold half floats: rewrite the whole genomes the range touches.
            let len = self.dims.genome_len.max(1);
            let (first, end) = (offset as usize / 4, (offset as usize + bytes.len()) / 4);
            let agents = first / len..end.div_ceil(len).min(self.dims.capacity);
            let rows = (
                (agents.start * len * 4) as u64,
                (agents.len() * len * 4) as u64,
            );
            if let Ok(old) = self.read_range(section, rows.0, rows.1) {
                let mut genomes: Vec<f32> = bytemuck::pod_collect_to_vec(&old);
                let at = first - agents.start * len;
                genomes[at..at + bytes.len() / 4]
                    .copy_from_slice(&bytemuck::pod_collect_to_vec::<u8, f32>(bytes));
                self.write_genomes(agents.start, &genomes);
            }
            return;
        }
        if offset + bytes.len() as u64 <= self.lengths[&section] {
            self.ctx
                .queue
                .write_buffer(self.section_buffer(section), offset, bytes);
        }
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
                enc.clear_buffer(self.section_buffer(Section::EventCount), 0, None);
            }
            for k in 0..chunk {
                self.record_tick(&mut enc, self.tick + k);
            }
            let size = self.lengths[&Section::MetricsRing];
            let events_size = self.lengths[&Section::Events];
            let staging_size = size + if with_events { 4 + events_size } else { 0 };
            // Staging buffers are reused once read, so the loop allocates nothing.
            let staging = match self
                .spare_staging
                .iter()
                .position(|b| b.size() == staging_size)
            {
                Some(k) => self.spare_staging.swap_remove(k),
                None => self.staging("metrics staging", staging_size),
            };
            enc.copy_buffer_to_buffer(
                self.section_buffer(Section::MetricsRing),
                0,
                &staging,
                0,
                size,
            );
            if with_events {
                enc.copy_buffer_to_buffer(
                    self.section_buffer(Section::EventCount),
                    0,
                    &staging,
                    size,
                    4,
                );
                enc.copy_buffer_to_buffer(
                    self.section_buffer(Section::Events),
                    0,
                    &staging,
                    size + 4,
                    events_size,
                );
            }
            self.ctx.queue.submit([enc.finish()]);
            self.pending.push_back(PendingMetrics {
                readback: Readback::start(staging),
                with_events,
                first_tick: self.tick,
                ticks: chunk,
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
        match self.pending.front() {
            Some(front) => front.readback.wait(&self.ctx.device, "the metrics ring"),
            None => Ok(()),
        }
    }

    fn take_ready(&mut self) -> Result<Vec<Vec<f32>>, GpuError> {
        let mut rows = Vec::new();
        let n = METRIC_COLUMNS.len();
        while let Some(front) = self.pending.front() {
            match front.readback.state() {
                MapState::Pending => break,
                MapState::Failed => {
                    return Err(GpuError::Readback("mapping the metrics ring failed".into()))
                }
                MapState::Mapped => {}
            }
            let p = self.pending.pop_front().expect("front exists");
            let ring_bytes = self.lengths[&Section::MetricsRing] as usize;
            let (events, lost) = (&mut self.events, &mut self.events_lost);
            p.readback.take(|view| {
                let ring: &[f32] = bytemuck::cast_slice(&view[..ring_bytes]);
                for t in p.first_tick..p.first_tick + p.ticks {
                    let slot = (t % METRIC_RING as u64) as usize;
                    rows.push(ring[slot * n..(slot + 1) * n].to_vec());
                }
                if p.with_events {
                    let count =
                        bytemuck::pod_read_unaligned::<u32>(&view[ring_bytes..ring_bytes + 4])
                            as usize;
                    let logged: &[LifeEvent] = bytemuck::cast_slice(&view[ring_bytes + 4..]);
                    let kept = count.min(logged.len());
                    events.extend_from_slice(&logged[..kept]);
                    *lost += (count - kept) as u64;
                }
            })?;
            self.spare_staging.push(p.readback.staging);
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
        for (page, offset, agents) in self.pages.segments(first..first + genomes.len() / len) {
            let stored = self
                .pages
                .encode(&genomes[(agents.start - first) * len..(agents.end - first) * len]);
            self.ctx
                .queue
                .write_buffer(self.buffer(page), offset, &stored);
        }
    }

    /// Overwrite every buffer (for tests that start the GPU and CPU from one state).
    pub fn upload(&mut self, state: &State, scratch: &Scratch) {
        for (section, bytes) in state.sections().into_iter().chain(scratch.sections()) {
            if section == Section::Genomes {
                self.write_genomes(0, bytemuck::cast_slice(bytes));
            } else {
                self.ctx
                    .queue
                    .write_buffer(self.section_buffer(section), 0, bytes);
            }
        }
        self.tick = state.tick();
    }
}
