//! Dispatches shaders/shuffle.wgsl: the living agents listed in one workgroup, then a thread
//! per entry of the agents' and the bots' cycles; only in worlds with
//! `controls.messages: Shuffled`. Reference: src/cpu/shuffle.rs.
use super::{Dispatch, Entry, ShaderDef};

pub const SHADER: ShaderDef = ShaderDef {
    file: "shuffle.wgsl",
    source: include_str!("../../shaders/shuffle.wgsl"),
    entries: &[
        Entry {
            name: "shuffle_rank",
            dispatch: Dispatch::Workgroups(super::single),
        },
        Entry {
            name: "shuffle_agents",
            dispatch: Dispatch::Threads(super::per_agent),
        },
        Entry {
            name: "shuffle_bots",
            dispatch: Dispatch::Threads(super::per_bot),
        },
    ],
    steps: super::entry_alone,
    buffers: super::no_buffers,
};
