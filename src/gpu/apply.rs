//! Dispatches shaders/apply.wgsl: agents gather, then cells. Reference: src/cpu/apply.rs.
use super::{Dispatch, Entry, ShaderDef};
use crate::schedule::Pass;

pub const SHADER: ShaderDef = ShaderDef {
    file: "apply.wgsl",
    source: include_str!("../../shaders/apply.wgsl"),
    entries: &[
        Entry {
            name: Pass::ApplyAgents.entry(),
            dispatch: Dispatch::Threads(super::per_agent),
        },
        Entry {
            name: Pass::ApplyCells.entry(),
            dispatch: Dispatch::Threads(super::per_cell),
        },
    ],
    steps: super::entry_alone,
    buffers: super::no_buffers,
};
