//! Records shaders/policy.wgsl: one thread per (agent, action). Reference: src/cpu/policy.rs.
use super::{Dispatch, Entry, ShaderDef};

pub const SHADER: ShaderDef = ShaderDef {
    file: "policy.wgsl",
    source: include_str!("../../shaders/policy.wgsl"),
    entries: &[Entry {
        name: "policy",
        dispatch: Dispatch::PerAgentAction,
    }],
};
