//! Records shaders/shuffle.wgsl: the living agents listed in one workgroup, then a thread
//! per entry of the agents' and the bots' cycles; only in worlds with
//! `controls.messages: Shuffled`. Reference: src/cpu/shuffle.rs.
use super::{Dispatch, Entry, ShaderDef, When};

pub const SHADER: ShaderDef = ShaderDef {
    file: "shuffle.wgsl",
    source: include_str!("../../shaders/shuffle.wgsl"),
    entries: &[
        Entry {
            name: "shuffle_rank",
            dispatch: Dispatch::Single,
            when: When::ShuffledWorlds,
        },
        Entry {
            name: "shuffle_agents",
            dispatch: Dispatch::PerAgent,
            when: When::ShuffledWorlds,
        },
        Entry {
            name: "shuffle_bots",
            dispatch: Dispatch::PerBot,
            when: When::ShuffledWorlds,
        },
    ],
};
