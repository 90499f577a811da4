//! Records shaders/terrain.wgsl: weather (one thread per angle), base and apply (one
//! thread per cell). Reference: src/cpu/terrain.rs.
use super::{Dispatch, Entry, ShaderDef, When};

pub const SHADER: ShaderDef = ShaderDef {
    file: "terrain.wgsl",
    source: include_str!("../../shaders/terrain.wgsl"),
    entries: &[
        Entry {
            name: "terrain_weather",
            dispatch: Dispatch::PerAngle,
            when: When::Always,
        },
        Entry {
            name: "terrain_base",
            dispatch: Dispatch::PerCell,
            when: When::Always,
        },
        Entry {
            name: "terrain_apply",
            dispatch: Dispatch::PerCell,
            when: When::Always,
        },
    ],
};
