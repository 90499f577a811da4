//! Dispatches shaders/grid.wgsl: count, scan (one workgroup), scatter. Reference: src/cpu/grid.rs.
use super::{Dispatch, Entry, ShaderDef};
use crate::schedule::Pass;

pub const SHADER: ShaderDef = ShaderDef {
    file: "grid.wgsl",
    source: include_str!("../../shaders/grid.wgsl"),
    entries: &[
        Entry {
            name: Pass::GridCount.entry(),
            dispatch: Dispatch::Threads(super::per_agent),
        },
        Entry {
            name: Pass::GridScan.entry(),
            dispatch: Dispatch::Workgroups(super::single),
        },
        Entry {
            name: Pass::GridScatter.entry(),
            dispatch: Dispatch::Threads(super::per_agent),
        },
    ],
    steps: super::entry_alone,
    buffers: super::no_buffers,
};
