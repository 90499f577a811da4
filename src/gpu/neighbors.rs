//! Records shaders/neighbors.wgsl: one thread per agent. Reference: src/cpu/neighbors.rs.
use super::{Dispatch, Entry, ShaderDef};

pub const SHADER: ShaderDef = ShaderDef {
    file: "neighbors.wgsl",
    source: include_str!("../../shaders/neighbors.wgsl"),
    entries: &[Entry {
        name: "neighbors",
        dispatch: Dispatch::PerAgent,
    }],
};
