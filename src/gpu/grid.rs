//! Dispatches shaders/grid.wgsl: count, scan (one workgroup), scatter. Reference: src/cpu/grid.rs.
use super::{Dispatch, Entry, ShaderDef};

pub const SHADER: ShaderDef = ShaderDef {
    file: "grid.wgsl",
    source: include_str!("../../shaders/grid.wgsl"),
    entries: &[
        Entry {
            name: "grid_count",
            dispatch: Dispatch::Threads(super::per_agent),
        },
        Entry {
            name: "grid_scan",
            dispatch: Dispatch::Workgroups(super::single),
        },
        Entry {
            name: "grid_scatter",
            dispatch: Dispatch::Threads(super::per_agent),
        },
    ],
    steps: super::entry_alone,
    buffers: super::no_buffers,
};
