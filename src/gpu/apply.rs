//! Dispatches shaders/apply.wgsl: agents gather, then cells. Reference: src/cpu/apply.rs.
use super::{Dispatch, Entry, ShaderDef};

pub const SHADER: ShaderDef = ShaderDef {
    file: "apply.wgsl",
    source: include_str!("../../shaders/apply.wgsl"),
    entries: &[
        Entry {
            name: "apply_agents",
            dispatch: Dispatch::Threads(super::per_agent),
        },
        Entry {
            name: "apply_cells",
            dispatch: Dispatch::Threads(super::per_cell),
        },
    ],
    steps: super::entry_alone,
    buffers: super::no_buffers,
};
