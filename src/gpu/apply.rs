//! Records shaders/apply.wgsl: agents gather, then cells. Reference: src/cpu/apply.rs.
use super::{Dispatch, Entry, ShaderDef};

pub const SHADER: ShaderDef = ShaderDef {
    file: "apply.wgsl",
    source: include_str!("../../shaders/apply.wgsl"),
    entries: &[
        Entry {
            name: "apply_agents",
            dispatch: Dispatch::PerAgent,
        },
        Entry {
            name: "apply_cells",
            dispatch: Dispatch::PerCell,
        },
    ],
};
