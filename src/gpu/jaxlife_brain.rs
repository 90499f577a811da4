//! Records shaders/jaxlife_brain.wgsl: one workgroup of 64 threads per agent, threads
//! across neurons. Reference: src/cpu/jaxlife_brain.rs.
use super::{Dispatch, Entry, ShaderDef};

pub const SHADER: ShaderDef = ShaderDef {
    file: "jaxlife_brain.wgsl",
    source: include_str!("../../shaders/jaxlife_brain.wgsl"),
    entries: &[Entry {
        name: "jaxlife_brain",
        dispatch: Dispatch::JaxLifeAgents,
    }],
};
