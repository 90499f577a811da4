//! Dispatches shaders/saliency.wgsl: sample selection and the reduction, one workgroup each,
//! on probe ticks (the probes are entries of the brain shaders). Reference:
//! src/cpu/saliency.rs.
use super::{Dispatch, Entry, ShaderDef};
use crate::schedule::Pass;

pub const SHADER: ShaderDef = ShaderDef {
    file: "saliency.wgsl",
    source: include_str!("../../shaders/saliency.wgsl"),
    entries: &[
        Entry {
            name: Pass::SaliencySelect.entry(),
            dispatch: Dispatch::Workgroups(super::single),
        },
        Entry {
            name: Pass::SaliencySelectCompact.entry(),
            dispatch: Dispatch::Workgroups(super::single),
        },
        Entry {
            name: Pass::SaliencyNone.entry(),
            dispatch: Dispatch::Workgroups(super::single),
        },
        Entry {
            name: Pass::SaliencyReduce.entry(),
            dispatch: Dispatch::Workgroups(super::single),
        },
    ],
    steps: super::entry_alone,
    buffers: super::no_buffers,
};
