//! Records shaders/births.wgsl: selection in one workgroup, then spawn and genome passes
//! sized on the GPU by indirect dispatch (no readback). Reference: src/cpu/births.rs.
use super::{Dispatch, Entry, ShaderDef};

/// Bytes of indirect arguments at the start of `BirthControl`, copied to `birth_args`
/// before births_spawn.
pub const ARGS_BYTES: u64 = 24;
/// Byte offsets of the indirect arguments inside `BirthControl` and `birth_args`.
pub const SPAWN_ARGS_OFFSET: u64 = 0;
pub const GENOME_ARGS_OFFSET: u64 = 12;

pub const SHADER: ShaderDef = ShaderDef {
    file: "births.wgsl",
    source: include_str!("../../shaders/births.wgsl"),
    entries: &[
        Entry {
            name: "births_select",
            dispatch: Dispatch::Single,
        },
        Entry {
            name: "births_spawn",
            dispatch: Dispatch::Indirect {
                buffer: "birth_args",
                offset: SPAWN_ARGS_OFFSET,
            },
        },
        Entry {
            name: "births_genome",
            dispatch: Dispatch::Indirect {
                buffer: "birth_args",
                offset: GENOME_ARGS_OFFSET,
            },
        },
    ],
};
