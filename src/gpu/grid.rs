//! Records shaders/grid.wgsl: count, scan (one workgroup), scatter. Reference: src/cpu/grid.rs.
use super::{Dispatch, Entry, ShaderDef, When};

pub const SHADER: ShaderDef = ShaderDef {
    file: "grid.wgsl",
    source: include_str!("../../shaders/grid.wgsl"),
    entries: &[
        Entry {
            name: "grid_count",
            dispatch: Dispatch::PerAgent,
            when: When::Always,
        },
        Entry {
            name: "grid_scan",
            dispatch: Dispatch::Single,
            when: When::Always,
        },
        Entry {
            name: "grid_scatter",
            dispatch: Dispatch::PerAgent,
            when: When::Always,
        },
    ],
};
