//! Records shaders/metrics.wgsl: one workgroup reduces the tick's measures into the
//! metrics ring, read back asynchronously. Reference: src/cpu/metrics.rs.
use super::{Dispatch, Entry, ShaderDef};

pub const SHADER: ShaderDef = ShaderDef {
    file: "metrics.wgsl",
    source: include_str!("../../shaders/metrics.wgsl"),
    entries: &[Entry {
        name: "metrics",
        dispatch: Dispatch::Single,
    }],
};
