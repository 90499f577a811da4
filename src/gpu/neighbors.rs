//! Dispatches shaders/neighbors.wgsl: one thread per living agent's slot in level-0 grid order
//! (each thread searches at most two agents; the shader says which). Reference:
//! src/cpu/neighbors.rs.
use super::{Dispatch, Entry, ShaderDef};
use crate::schedule::Pass;

pub const SHADER: ShaderDef = ShaderDef {
    file: "neighbors.wgsl",
    source: include_str!("../../shaders/neighbors.wgsl"),
    entries: &[Entry {
        name: Pass::Neighbors.entry(),
        dispatch: Dispatch::Threads(super::per_agent),
    }],
    steps: super::entry_alone,
    buffers: super::no_buffers,
};
