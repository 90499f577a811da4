//! Records shaders/grid.wgsl: count, scan (one workgroup), scatter. Reference: src/cpu/grid.rs.
use super::{Dispatch, Entry, ShaderDef};

pub const SHADER: ShaderDef = ShaderDef {
    file: "grid.wgsl",
    source: include_str!("../../shaders/grid.wgsl"),
    entries: &[
        Entry {
            name: "grid_count",
            dispatch: Dispatch::PerAgent,
        },
        Entry {
            name: "grid_scan",
            dispatch: Dispatch::Single,
        },
        Entry {
            name: "grid_scatter",
            dispatch: Dispatch::PerAgent,
        },
    ],
};
