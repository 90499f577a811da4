//! The world's buffers on the GPU: one storage buffer per named section of `State` and
//! `Scratch` (the genomes in pages), the params uniform, the genome scales, the pages'
//! table, and the buffers only the GPU has, which their pass files declare.

use std::collections::HashMap;

use super::genome::{self, GenomePages};
use super::{Buffer, GpuContext, SHADERS};
use crate::config::Config;
use crate::error::GpuError;
use crate::world::{Dims, Params, Scratch, Section, State};

fn alloc_len(len: u64) -> u64 {
    // Bindings may not be empty, and a runtime array needs room for one element.
    len.max(256).div_ceil(4) * 4
}

/// The world's buffers, and each section's length in bytes.
pub(super) struct Buffers {
    pub buffers: HashMap<Buffer, wgpu::Buffer>,
    pub lengths: HashMap<Section, u64>,
}

/// Create and fill every buffer but the genome pages (which `GpuWorld::write_genomes`
/// fills once the world stands).
pub(super) fn create(
    ctx: &GpuContext,
    cfg: &Config,
    params: &Params,
    dims: &Dims,
    state: &State,
    scratch: &Scratch,
    pages: &GenomePages,
) -> Result<Buffers, GpuError> {
    let device = &ctx.device;
    let max_binding = ctx.limits.max_storage_buffer_binding_size;
    let max_buffer = ctx.limits.max_buffer_size;
    let mut buffers = HashMap::new();
    let mut lengths = HashMap::new();
    let genome_scale = crate::world::brain::genome_scales(cfg);
    let sections: Vec<(Buffer, &[u8])> = state
        .sections()
        .into_iter()
        .chain(scratch.sections())
        .map(|(s, bytes)| (Buffer::Section(s), bytes))
        .chain([(
            Buffer::GenomeScale,
            bytemuck::cast_slice::<[f32; 2], u8>(&genome_scale),
        )])
        .collect();
    for (id, bytes) in sections {
        let name = id.wgsl_name();
        if id == Buffer::Section(Section::Genomes) {
            // Filled by write_genomes once the world stands.
            for (page, held) in pages.list() {
                let buf = device.create_buffer(&wgpu::BufferDescriptor {
                    label: Some(page.wgsl_name()),
                    size: alloc_len(held.len() as u64 * pages.bytes_per_agent()),
                    usage: wgpu::BufferUsages::STORAGE
                        | wgpu::BufferUsages::COPY_SRC
                        | wgpu::BufferUsages::COPY_DST,
                    mapped_at_creation: false,
                });
                buffers.insert(page, buf);
            }
            lengths.insert(Section::Genomes, bytes.len() as u64);
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
        buffers.insert(id, buf);
        if let Buffer::Section(s) = id {
            lengths.insert(s, bytes.len() as u64);
        }
    }
    // As the CPU world: a tick-0 world starts its ledger from itself.
    if state.tick() == 0 {
        let prev = crate::world::genesis::seed_totals(state);
        ctx.queue.write_buffer(
            &buffers[&Buffer::Section(Section::MetricsPrev)],
            0,
            bytemuck::cast_slice(&prev),
        );
    }
    let pbuf = device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("params"),
        size: std::mem::size_of::<Params>() as u64,
        usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    ctx.queue.write_buffer(&pbuf, 0, bytemuck::bytes_of(params));
    buffers.insert(Buffer::Params, pbuf);
    // The buffers only the GPU has, declared by the pass files that bind them.
    for def in SHADERS {
        for extra in (def.buffers)(dims) {
            let buf = device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(extra.buffer.wgsl_name()),
                size: alloc_len(extra.bytes),
                usage: extra.usage,
                mapped_at_creation: false,
            });
            buffers.insert(extra.buffer, buf);
        }
    }

    let page_info = device.create_buffer(&wgpu::BufferDescriptor {
        label: Some(Buffer::PageInfo.wgsl_name()),
        size: pages.pages as u64 * genome::GENOME_PAGE_STRIDE_BYTES,
        usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    ctx.queue
        .write_buffer(&page_info, 0, &pages.page_info_bytes());
    buffers.insert(Buffer::PageInfo, page_info);
    Ok(Buffers { buffers, lengths })
}
