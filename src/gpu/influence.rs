//! Dispatches shaders/influence.wgsl: listener selection and the reduction, one workgroup
//! each, on probe ticks (the probes are entries of the brain shaders). Reference:
//! src/cpu/influence.rs.
use super::{Dispatch, Entry, ShaderDef};
use crate::schedule::Pass;

pub const SHADER: ShaderDef = ShaderDef {
    file: "influence.wgsl",
    source: include_str!("../../shaders/influence.wgsl"),
    entries: &[
        Entry {
            name: Pass::InfluenceSelect.entry(),
            dispatch: Dispatch::Workgroups(super::single),
        },
        Entry {
            name: Pass::InfluenceNone.entry(),
            dispatch: Dispatch::Workgroups(super::single),
        },
        Entry {
            name: Pass::InfluenceReduce.entry(),
            dispatch: Dispatch::Workgroups(super::single),
        },
    ],
    steps: super::entry_alone,
    buffers: super::no_buffers,
};
