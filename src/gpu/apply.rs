//! Records shaders/apply.wgsl: agents gather, then cells. Reference: src/cpu/apply.rs.
use super::{Dispatch, Entry, ShaderDef, When};

pub const SHADER: ShaderDef = ShaderDef {
    file: "apply.wgsl",
    source: include_str!("../../shaders/apply.wgsl"),
    entries: &[
        Entry {
            name: "apply_agents",
            dispatch: Dispatch::PerAgent,
            when: When::Always,
        },
        Entry {
            name: "apply_cells",
            dispatch: Dispatch::PerCell,
            when: When::Always,
        },
    ],
};
