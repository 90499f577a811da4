//! Dispatches shaders/neighbors.wgsl: two threads per agent slot, the first half taking
//! agents in level-0 grid order, the second in a finer order (each thread searches at most
//! one agent; the shader says which). Reference: src/cpu/neighbors.rs.
use super::{Dispatch, Entry, ShaderDef};
use crate::schedule::Pass;
use crate::world::{Dims, Params};

/// A thread per agent slot in each of the two orders.
fn two_per_agent(_: &Params, d: &Dims) -> u64 {
    2 * d.capacity as u64
}

pub const SHADER: ShaderDef = ShaderDef {
    file: "neighbors.wgsl",
    source: include_str!("../../shaders/neighbors.wgsl"),
    entries: &[Entry {
        name: Pass::Neighbors.entry(),
        dispatch: Dispatch::Threads(two_per_agent),
    }],
    steps: super::entry_alone,
    buffers: super::no_buffers,
};
