//! Dispatches shaders/bots.wgsl: what agents did to bots, then each bot step (sense and act
//! with a thread or a workgroup per bot, then gather onto agents and bots, then cells). Reference:
//! src/cpu/bots.rs.
use super::{Dispatch, Entry, ShaderDef};
use crate::schedule::Pass;
use crate::world::SERIAL_SENSE_MAX;
use crate::world::{Dims, Params};

/// Threads `bots_act` runs: one per bot, or a workgroup of 64 per bot.
pub fn act_threads(capacity: usize, bots: usize) -> u64 {
    if capacity + bots <= SERIAL_SENSE_MAX {
        bots as u64
    } else {
        bots as u64 * 64
    }
}

pub const SHADER: ShaderDef = ShaderDef {
    file: "bots.wgsl",
    source: include_str!("../../shaders/bots.wgsl"),
    entries: &[
        Entry {
            name: Pass::BotsReceive.entry(),
            dispatch: Dispatch::Threads(super::per_bot),
        },
        Entry {
            name: Pass::BotsAct.entry(),
            dispatch: Dispatch::Threads(act_dispatch),
        },
        Entry {
            name: Pass::BotsApply.entry(),
            dispatch: Dispatch::Threads(super::per_bot),
        },
        Entry {
            name: Pass::BotsApplyCells.entry(),
            dispatch: Dispatch::Threads(super::per_bot),
        },
    ],
    steps: super::entry_alone,
    buffers: super::no_buffers,
};

fn act_dispatch(_: &Params, d: &Dims) -> u64 {
    act_threads(d.capacity, d.bots)
}
