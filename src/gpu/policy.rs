//! Dispatches shaders/policy.wgsl: one thread per (agent, group of 4 actions). Reference: src/cpu/policy.rs.
use super::{Dispatch, Entry, ShaderDef};
use crate::schedule::Pass;
use crate::world::{Dims, Params, ACTION_LEN, PROBE_ROWS};

pub const SHADER: ShaderDef = ShaderDef {
    file: "policy.wgsl",
    source: include_str!("../../shaders/policy.wgsl"),
    entries: &[
        Entry {
            name: Pass::Policy.entry(),
            dispatch: Dispatch::Threads(per_agent_action_quad),
        },
        Entry {
            name: Pass::PolicyRandom.entry(),
            dispatch: Dispatch::Threads(per_agent_action_quad),
        },
        Entry {
            name: Pass::PolicyZero.entry(),
            dispatch: Dispatch::Threads(per_agent_action_quad),
        },
        Entry {
            name: Pass::PolicyProbe.entry(),
            dispatch: Dispatch::Threads(probe_threads),
        },
        Entry {
            name: Pass::PolicyRandomProbe.entry(),
            dispatch: Dispatch::Threads(probe_threads),
        },
        Entry {
            name: Pass::PolicyZeroProbe.entry(),
            dispatch: Dispatch::Threads(probe_threads),
        },
    ],
    steps: super::entry_alone,
    buffers: super::no_buffers,
};

/// One thread per agent and group of 4 actions.
fn per_agent_action_quad(_: &Params, d: &Dims) -> u64 {
    d.capacity as u64 * (ACTION_LEN as u64 / 4)
}

/// Each probe row as one agent's threads.
fn probe_threads(_: &Params, _: &Dims) -> u64 {
    PROBE_ROWS as u64 * (ACTION_LEN as u64 / 4)
}
