//! Everything that comes back from the GPU: one staging-buffer type whose mapping state is
//! a named enum, and one function that waits for it. Section ranges (the inspector, whole
//! downloads), raw buffers (timestamps) and the metrics ring (`world.rs`) all use it.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

use super::{Buffer, GpuWorld};
use crate::config::Config;
use crate::error::GpuError;
use crate::world::{Scratch, Section, State};

/// Where a staging buffer's mapping stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum MapState {
    Pending,
    Mapped,
    Failed,
}

impl MapState {
    fn from_u8(v: u8) -> Self {
        match v {
            0 => MapState::Pending,
            1 => MapState::Mapped,
            _ => MapState::Failed,
        }
    }
}

/// A MAP_READ staging buffer on its way back to the host: copies into it were submitted,
/// then its mapping was requested.
pub(super) struct Readback {
    pub staging: wgpu::Buffer,
    state: Arc<AtomicU8>,
}

impl Readback {
    /// Ask for `staging` to be mapped once the GPU has done the work submitted so far.
    pub fn start(staging: wgpu::Buffer) -> Self {
        let state = Arc::new(AtomicU8::new(0));
        let flag = state.clone();
        staging.slice(..).map_async(wgpu::MapMode::Read, move |r| {
            flag.store(if r.is_ok() { 1 } else { 2 }, Ordering::Release);
        });
        Self { staging, state }
    }

    pub fn state(&self) -> MapState {
        MapState::from_u8(self.state.load(Ordering::Acquire))
    }

    /// Its state after the device has handled what it can without waiting.
    pub fn poll(&self, device: &wgpu::Device) -> MapState {
        let _ = device.poll(wgpu::PollType::Poll);
        self.state()
    }

    /// Wait until it is mapped; `what` names it in the error when mapping fails.
    pub fn wait(&self, device: &wgpu::Device, what: &str) -> Result<(), GpuError> {
        loop {
            match self.state() {
                MapState::Mapped => return Ok(()),
                MapState::Failed => {
                    return Err(GpuError::Readback(format!("mapping {what} failed")))
                }
                MapState::Pending => {
                    device
                        .poll(wgpu::PollType::wait_indefinitely())
                        .map_err(|e| GpuError::Readback(e.to_string()))?;
                }
            }
        }
    }

    /// The mapped bytes, then the buffer unmapped (for reuse).
    pub fn take<T>(&self, read: impl FnOnce(&[u8]) -> T) -> Result<T, GpuError> {
        let out = {
            let view = self
                .staging
                .slice(..)
                .get_mapped_range()
                .map_err(|e| GpuError::Readback(e.to_string()))?;
            read(&view)
        };
        self.staging.unmap();
        Ok(out)
    }
}

/// Section ranges on their way back from the GPU (`GpuWorld::request_ranges`).
pub struct RangeReads {
    readback: Readback,
    parts: Vec<ReadPart>,
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

impl GpuWorld {
    /// A staging buffer of `bytes` for reading back.
    pub(super) fn staging(&self, label: &str, bytes: u64) -> wgpu::Buffer {
        self.ctx.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some(label),
            size: bytes,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        })
    }

    /// `len` bytes of a section from byte `offset`, after every submitted tick (for the
    /// app's inspector: one entity, not the whole world). Waits for the GPU.
    pub fn read_range(
        &mut self,
        section: Section,
        offset: u64,
        len: u64,
    ) -> Result<Vec<u8>, GpuError> {
        let reads = self.request_ranges(&[(section, offset, len)]);
        Ok(self.wait_ranges(&reads)?.remove(0))
    }

    /// Ask for `(section, byte offset, bytes)` ranges as they stand after every submitted
    /// tick, copied in one submission; `poll_ranges` hands them over once they arrive, so
    /// the tick loop never waits for them (the app's inspector).
    pub fn request_ranges(&mut self, ranges: &[(Section, u64, u64)]) -> RangeReads {
        let mut copies: Vec<(Buffer, u64, u64, u64)> = Vec::new();
        let mut parts = Vec::new();
        let mut total = 0u64;
        let per = self.pages.bytes_per_agent();
        for &(section, offset, len) in ranges {
            let len = self
                .lengths
                .get(&section)
                .map_or(0, |l| len.min(l.saturating_sub(offset)));
            let at = total;
            if section == Section::Genomes && len > 0 {
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
                    copies.push((Buffer::Section(section), start, end - start, total));
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
        let staging = self.staging("range reads", total.max(4));
        let mut enc = self.ctx.device.create_command_encoder(&Default::default());
        for (buffer, src, bytes, dst) in copies {
            enc.copy_buffer_to_buffer(self.buffer(buffer), src, &staging, dst, bytes);
        }
        self.ctx.queue.submit([enc.finish()]);
        RangeReads {
            readback: Readback::start(staging),
            parts,
        }
    }

    /// The ranges of a request once they have arrived (one byte vector per range), or None
    /// while the GPU is still busy. Never waits.
    pub fn poll_ranges(&mut self, reads: &RangeReads) -> Option<Result<Vec<Vec<u8>>, GpuError>> {
        match reads.readback.poll(&self.ctx.device) {
            MapState::Pending => None,
            MapState::Failed => Some(Err(GpuError::Readback(
                "mapping a range read failed".into(),
            ))),
            MapState::Mapped => Some(self.take_ranges(reads)),
        }
    }

    /// The ranges of a request, waiting for them.
    pub fn wait_ranges(&mut self, reads: &RangeReads) -> Result<Vec<Vec<u8>>, GpuError> {
        reads.readback.wait(&self.ctx.device, "a range read")?;
        self.take_ranges(reads)
    }

    fn take_ranges(&self, reads: &RangeReads) -> Result<Vec<Vec<u8>>, GpuError> {
        reads.readback.take(|view| {
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
        })
    }

    /// Whole sections back to the host, in one submission.
    fn read_back(&mut self, sections: &[Section]) -> Result<Vec<Vec<u8>>, GpuError> {
        let ranges: Vec<(Section, u64, u64)> =
            sections.iter().map(|s| (*s, 0, self.lengths[s])).collect();
        let reads = self.request_ranges(&ranges);
        self.wait_ranges(&reads)
    }

    /// `size` bytes of a COPY_SRC buffer from byte `offset` (both multiples of 4), waiting
    /// for all submitted work.
    pub(super) fn read_raw(
        &mut self,
        src: &wgpu::Buffer,
        offset: u64,
        size: u64,
    ) -> Result<Vec<u8>, GpuError> {
        let staging = self.staging("readback", size);
        let mut enc = self.ctx.device.create_command_encoder(&Default::default());
        enc.copy_buffer_to_buffer(src, offset, &staging, 0, size);
        self.ctx.queue.submit([enc.finish()]);
        let readback = Readback::start(staging);
        readback.wait(&self.ctx.device, "the readback buffer")?;
        readback.take(|view| view.to_vec())
    }

    /// The persistent state as it stands after every submitted tick.
    pub fn download_state(&mut self, cfg: &Config) -> Result<State, GpuError> {
        let mut state = State::zeroed(cfg);
        let sections: Vec<Section> = state.sections().iter().map(|(s, _)| *s).collect();
        let data = self.read_back(&sections)?;
        for ((_, dst), src) in state.sections_mut().into_iter().zip(data) {
            dst.copy_from_slice(&src);
        }
        Ok(state)
    }

    /// The bots' bits after each bot step of the last submitted tick.
    pub fn download_bot_bits(&mut self) -> Result<Vec<f32>, GpuError> {
        let raw = self.read_back(&[Section::BotBits])?;
        Ok(bytemuck::pod_collect_to_vec(&raw[0]))
    }

    pub fn download_scratch(&mut self) -> Result<Scratch, GpuError> {
        let mut scratch = Scratch::new(&self.dims);
        let sections: Vec<Section> = scratch.sections().iter().map(|(s, _)| *s).collect();
        let data = self.read_back(&sections)?;
        for ((_, dst), src) in scratch.sections_mut().into_iter().zip(data) {
            dst.copy_from_slice(&src);
        }
        Ok(scratch)
    }
}
