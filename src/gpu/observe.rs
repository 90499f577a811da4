//! Dispatches shaders/observe.wgsl: one thread per agent; only brains that read the flat
//! observation need it. Reference: src/cpu/observe.rs.
use super::{Dispatch, Entry, ShaderDef};
use crate::schedule::Pass;

pub const SHADER: ShaderDef = ShaderDef {
    file: "observe.wgsl",
    source: include_str!("../../shaders/observe.wgsl"),
    entries: &[Entry {
        name: Pass::Observe.entry(),
        dispatch: Dispatch::Threads(super::per_agent),
    }],
    steps: super::entry_alone,
    buffers: super::no_buffers,
};
