//! Dispatches shaders/shuffle.wgsl: the living agents listed in one workgroup, then a thread
//! per entry of the agents' and the bots' cycles; only in worlds with
//! `controls.messages: Shuffled`. Reference: src/cpu/shuffle.rs.
use super::{Dispatch, Entry, ShaderDef};
use crate::schedule::Pass;

pub const SHADER: ShaderDef = ShaderDef {
    file: "shuffle.wgsl",
    source: include_str!("../../shaders/shuffle.wgsl"),
    entries: &[
        Entry {
            name: Pass::ShuffleRank.entry(),
            dispatch: Dispatch::Workgroups(super::single),
        },
        Entry {
            name: Pass::ShuffleAgents.entry(),
            dispatch: Dispatch::Threads(super::per_agent),
        },
        Entry {
            name: Pass::ShuffleBots.entry(),
            dispatch: Dispatch::Threads(super::per_bot),
        },
    ],
    steps: super::entry_alone,
    buffers: super::no_buffers,
};
