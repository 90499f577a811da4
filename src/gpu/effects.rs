//! Dispatches shaders/effects.wgsl: one thread per agent. Reference: src/cpu/effects.rs.
use super::{Dispatch, Entry, ShaderDef};
use crate::schedule::Pass;

pub const SHADER: ShaderDef = ShaderDef {
    file: "effects.wgsl",
    source: include_str!("../../shaders/effects.wgsl"),
    entries: &[Entry {
        name: Pass::Effects.entry(),
        dispatch: Dispatch::Threads(super::per_agent),
    }],
    steps: super::entry_alone,
    buffers: super::no_buffers,
};
