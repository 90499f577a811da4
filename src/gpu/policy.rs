//! Records shaders/policy.wgsl: one thread per (agent, group of 4 actions). Reference: src/cpu/policy.rs.
use super::{Dispatch, Entry, ShaderDef, When};

pub const SHADER: ShaderDef = ShaderDef {
    file: "policy.wgsl",
    source: include_str!("../../shaders/policy.wgsl"),
    entries: &[
        Entry {
            name: "policy",
            dispatch: Dispatch::PerAgentActionQuad,
            when: When::Always,
        },
        Entry {
            name: "policy_probe",
            dispatch: Dispatch::Probes(&Dispatch::PerAgentActionQuad),
            when: When::ProbeTicks,
        },
    ],
};
