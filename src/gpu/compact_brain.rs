//! Dispatches shaders/compact_brain.wgsl: one thread per agent. Reference:
//! src/cpu/compact_brain.rs.
use super::{Dispatch, Entry, ShaderDef};
use crate::schedule::Pass;
use crate::world::{Dims, Params, PROBE_ROWS};

pub const SHADER: ShaderDef = ShaderDef {
    file: "compact_brain.wgsl",
    source: include_str!("../../shaders/compact_brain.wgsl"),
    entries: &[
        Entry {
            name: Pass::CompactBrain.entry(),
            dispatch: Dispatch::Threads(super::per_agent),
        },
        Entry {
            name: Pass::CompactProbe.entry(),
            dispatch: Dispatch::Threads(probe_threads),
        },
    ],
    steps: super::entry_alone,
    buffers: super::no_buffers,
};

/// One thread per probe row.
fn probe_threads(_: &Params, _: &Dims) -> u64 {
    PROBE_ROWS as u64
}
