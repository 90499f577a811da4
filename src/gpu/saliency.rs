//! Records shaders/saliency.wgsl: sample selection and the reduction, one workgroup each,
//! on probe ticks (the probes are entries of the brain shaders). Reference:
//! src/cpu/saliency.rs.
use super::{Dispatch, Entry, ShaderDef, When};

pub const SHADER: ShaderDef = ShaderDef {
    file: "saliency.wgsl",
    source: include_str!("../../shaders/saliency.wgsl"),
    entries: &[
        Entry {
            name: "saliency_select",
            dispatch: Dispatch::Single,
            when: When::ProbeTicks,
        },
        Entry {
            name: "saliency_reduce",
            dispatch: Dispatch::Single,
            when: When::ProbeTicks,
        },
    ],
};
