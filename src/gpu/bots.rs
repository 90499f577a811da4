//! Records shaders/bots.wgsl: what agents did to bots, then each bot step (sense and act
//! with a workgroup per bot, then gather onto agents, bots and cells). Reference:
//! src/cpu/bots.rs.
use super::{Dispatch, Entry, ShaderDef};

pub const SHADER: ShaderDef = ShaderDef {
    file: "bots.wgsl",
    source: include_str!("../../shaders/bots.wgsl"),
    entries: &[
        Entry {
            name: "bots_receive",
            dispatch: Dispatch::PerBot,
        },
        Entry {
            name: "bots_act",
            dispatch: Dispatch::BotWorkgroups,
        },
        Entry {
            name: "bots_apply_agents",
            dispatch: Dispatch::AgentsWithBots,
        },
        Entry {
            name: "bots_apply",
            dispatch: Dispatch::PerBot,
        },
        Entry {
            name: "bots_apply_cells",
            dispatch: Dispatch::CellsWithBots,
        },
    ],
};
