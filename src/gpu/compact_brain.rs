//! Records shaders/compact_brain.wgsl: one thread per agent. Reference:
//! src/cpu/compact_brain.rs.
use super::{Dispatch, Entry, ShaderDef, When};

pub const SHADER: ShaderDef = ShaderDef {
    file: "compact_brain.wgsl",
    source: include_str!("../../shaders/compact_brain.wgsl"),
    entries: &[
        Entry {
            name: "compact_brain",
            dispatch: Dispatch::CompactAgents,
            when: When::Always,
        },
        Entry {
            name: "compact_probe",
            dispatch: Dispatch::Probes(&Dispatch::CompactAgents),
            when: When::ProbeTicks,
        },
    ],
};
