//! One compute pipeline per entry point a world may dispatch, with its bind groups: the
//! layouts are read from the shader's binding declarations, and each binding takes the
//! world buffer of the same name.

use std::collections::{HashMap, HashSet};

use super::genome::{self, GenomePages};
use super::{
    binding_decls, full_source, pass_source, Buffer, Dispatch, GpuContext, GpuStep, SHADERS,
};
use crate::config::Config;
use crate::error::GpuError;
use crate::schedule;
use crate::world::{Dims, Params};

pub(super) struct Pipeline {
    pub pipeline: wgpu::ComputePipeline,
    /// One bind group; for a pass that reads its genomes one page per dispatch
    /// (`genome::per_page`), one per page, in page order, each dispatched over its page's
    /// agents.
    pub bind_groups: Vec<wgpu::BindGroup>,
    pub dispatch: Dispatch,
}

/// The entry points a world of these sizes may dispatch: every pass of a tick with every
/// optional pass on, as its pass file expands it.
fn entries_used(params: &Params, dims: &Dims) -> HashSet<&'static str> {
    schedule::every_step(params, dims)
        .into_iter()
        .flat_map(|step| super::gpu_steps(step, dims))
        .filter_map(|op| match op {
            GpuStep::Entry(e) => Some(e),
            _ => None,
        })
        .collect()
}

/// Build the pipelines of every entry the world may dispatch.
///
/// Long because each shader's bind group layout, bind groups (one per genome page for
/// per-page passes) and pipelines are built together from its binding declarations.
pub(super) fn build(
    ctx: &GpuContext,
    cfg: &Config,
    params: &Params,
    dims: &Dims,
    pages: &GenomePages,
    buffers: &HashMap<Buffer, wgpu::Buffer>,
) -> Result<HashMap<&'static str, Pipeline>, GpuError> {
    let device = &ctx.device;
    let used = entries_used(params, dims);
    let scope = device.push_error_scope(wgpu::ErrorFilter::Validation);
    let mut passes = HashMap::new();
    for def in SHADERS {
        // Entries this world never dispatches (another brain's, the block selection of
        // births in a small world) get no pipeline: building them costs a driver like
        // lavapipe seconds per world.
        let entries: Vec<&super::Entry> = def
            .entries
            .iter()
            .filter(|e| used.contains(e.name))
            .collect();
        if entries.is_empty() {
            continue;
        }
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some(def.file),
            source: wgpu::ShaderSource::Wgsl(full_source(def, pages).into()),
        });
        let decls = binding_decls(&pass_source(def, pages));
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
                let bound = buffers
                    .keys()
                    .copied()
                    .find(|b| b.wgsl_name() == d.name)
                    .ok_or_else(|| GpuError::Device {
                        adapter: ctx.info.name.clone(),
                        message: format!(
                            "{} binds '{}', which is no buffer of the world",
                            def.file, d.name
                        ),
                    })?;
                let bound = match bound {
                    Buffer::GenomePage(0) if per_page => Buffer::GenomePage(page),
                    b => b,
                };
                let buf = &buffers[&bound];
                let resource = if bound == Buffer::PageInfo {
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
        let owned = pipeline_constants(def.source, cfg, params, dims);
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
                Pipeline {
                    pipeline,
                    bind_groups: bind_groups.clone(),
                    dispatch: entry.dispatch,
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
    Ok(passes)
}

/// Values for the `override` constants a shader declares: list lengths, so that drivers
/// can unroll the loops over them (see neighbors.wgsl), the JaxLife brain's sizes, and the
/// offset of every genome tensor as `OFF_<NAME>` (so the shaders read the layout of
/// `world::brain` and nothing else).
fn pipeline_constants(source: &str, cfg: &Config, params: &Params, d: &Dims) -> Vec<(String, f64)> {
    let (hidden, heads) = crate::world::brain::attention_sizes(cfg);
    let mut all = vec![
        ("VIEW_AGENTS".to_string(), params.view_agents as f64),
        ("VIEW_BOTS".to_string(), params.view_bots as f64),
        ("HIDDEN".to_string(), hidden as f64),
        ("HEADS".to_string(), heads as f64),
        ("TERRAIN_LEN".to_string(), d.terrain_len() as f64),
        (
            "SERIAL_SENSE_MAX".to_string(),
            crate::world::SERIAL_SENSE_MAX as f64,
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
