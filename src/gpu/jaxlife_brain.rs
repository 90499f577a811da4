//! Records shaders/jaxlife_brain.wgsl: one workgroup of 64 threads per agent, threads
//! across neurons. Reference: src/cpu/jaxlife_brain.rs.
use super::{Dispatch, Entry, ShaderDef, When};

pub const SHADER: ShaderDef = ShaderDef {
    file: "jaxlife_brain.wgsl",
    source: include_str!("../../shaders/jaxlife_brain.wgsl"),
    entries: &[
        Entry {
            name: "jaxlife_brain",
            dispatch: Dispatch::JaxLifeAgents,
            when: When::Always,
        },
        Entry {
            name: "jaxlife_probe",
            dispatch: Dispatch::Probes(&Dispatch::JaxLifeAgents),
            when: When::ProbeTicks,
        },
    ],
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
