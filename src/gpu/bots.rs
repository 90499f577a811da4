//! Records shaders/bots.wgsl: what agents did to bots, then each bot step (sense and act
//! with a thread or a workgroup per bot, then gather onto agents and bots, then cells). Reference:
//! src/cpu/bots.rs.
use super::{Dispatch, Entry, ShaderDef, When};
pub use crate::cpu::bots::SERIAL_SENSE_MAX;

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
            name: "bots_receive",
            dispatch: Dispatch::PerBot,
            when: When::Always,
        },
        Entry {
            name: "bots_act",
            dispatch: Dispatch::BotWorkgroups,
            when: When::Always,
        },
        Entry {
            name: "bots_apply",
            dispatch: Dispatch::PerBot,
            when: When::Always,
        },
        Entry {
            name: "bots_apply_cells",
            dispatch: Dispatch::PerBot,
            when: When::Always,
        },
    ],
};
