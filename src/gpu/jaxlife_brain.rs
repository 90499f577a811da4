//! Dispatches shaders/jaxlife_brain.wgsl: one workgroup of 64 threads per agent, threads
//! across neurons. Reference: src/cpu/jaxlife_brain.rs.
use super::{Dispatch, Entry, ShaderDef};
use crate::schedule::Pass;
use crate::world::{Dims, Params, PROBE_ROWS};

pub const SHADER: ShaderDef = ShaderDef {
    file: "jaxlife_brain.wgsl",
    source: include_str!("../../shaders/jaxlife_brain.wgsl"),
    entries: &[
        Entry {
            name: Pass::JaxlifeBrain.entry(),
            dispatch: Dispatch::Threads(per_agent_workgroup),
        },
        Entry {
            name: Pass::JaxlifeProbe.entry(),
            dispatch: Dispatch::Threads(probe_threads),
        },
    ],
    steps: super::entry_alone,
    buffers: super::no_buffers,
};

/// Workgroup memory of one agent's workgroup, as the shader declares it.
pub fn workgroup_bytes(hidden: usize, entities: usize) -> u64 {
    let hq = hidden / 4;
    let slots = entities.max(1);
    let quads = 4 * slots * hq // ent, qa, ka, va
        + 6 * hq // self_emb, cross_query, cross_out, terrain_mid, new_h, head_mid
        + (64 / hq).max(1) * hq // terrain_part
        + 2 * 2 * hq // lstm_in, prev_hc
        + hidden; // gates
    (16 * quads + 4 * slots) as u64
}

/// One workgroup of 64 threads per agent.
fn per_agent_workgroup(_: &Params, d: &Dims) -> u64 {
    d.capacity as u64 * 64
}

/// Each probe row as one agent's workgroup.
fn probe_threads(_: &Params, _: &Dims) -> u64 {
    PROBE_ROWS as u64 * 64
}

/// The brain keeps a workgroup's entities in workgroup memory; refuse a world whose view
/// needs more than the adapter has.
pub fn check_workgroup_memory(
    ctx: &super::GpuContext,
    cfg: &crate::config::Config,
    d: &Dims,
) -> Result<(), crate::error::GpuError> {
    let Some((hidden, _)) = cfg.brain.attention() else {
        return Ok(());
    };
    let needed = workgroup_bytes(hidden as usize, d.view_agents + d.view_bots);
    let limit = ctx.limits.max_compute_workgroup_storage_size as u64;
    if needed > limit {
        return Err(crate::error::GpuError::WorkgroupMemory {
            adapter: ctx.info.name.clone(),
            needed_bytes: needed,
            limit_bytes: limit,
        });
    }
    Ok(())
}
