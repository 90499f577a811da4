//! Dispatches shaders/births.wgsl: selection in one workgroup (or over blocks of agents in
//! large worlds), then spawn and genome passes sized on the GPU by indirect dispatch (no
//! readback). Reference: src/cpu/births.rs.
use super::{Buffer, Dispatch, Entry, GpuBuffer, GpuStep, ShaderDef};
use crate::schedule::Pass;
use crate::world::{Dims, Params, Section};

/// Worlds of more agents than this make births_select's choice over blocks of
/// `BLOCK_SLOTS` agents in `BLOCK_PASSES` (one workgroup walking every slot several times
/// took 34 ms a tick at a million agents on an H100); smaller ones keep the single
/// workgroup, whose one dispatch costs lavapipe less than seven.
pub const BLOCKS_ABOVE_AGENTS: usize = 8192;
/// The dispatches that stand for births_select in block mode, in order.
pub const BLOCK_PASSES: &[&str] = &[
    "births_tally",
    "births_decide_hi",
    "births_hist_lo",
    "births_decide_lo",
    "births_rank",
    "births_offsets",
    "births_assign",
];
/// births.wgsl SEL_WORDS, HIST_BINS, BLOCK_SLOTS, BLOCK_WORDS: the `birth_select` buffer
/// holds the selection's words, two histograms of HIST_BINS bins, then BLOCK_WORDS words
/// per block.
pub const SEL_WORDS: u64 = 16;
pub const HIST_BINS: u64 = 65536;
pub const BLOCK_SLOTS: u64 = 512;
pub const BLOCK_WORDS: u64 = 3;

/// Whether a world of `capacity` agents selects births over blocks.
pub fn by_blocks(capacity: usize) -> bool {
    capacity > BLOCKS_ABOVE_AGENTS
}

pub fn blocks(capacity: usize) -> u64 {
    (capacity as u64).div_ceil(BLOCK_SLOTS)
}

/// Bytes of the `birth_select` buffer (a word where births are selected in one workgroup,
/// which never touches it).
pub fn select_bytes(capacity: usize) -> u64 {
    if !by_blocks(capacity) {
        return 4;
    }
    4 * (SEL_WORDS + 2 * HIST_BINS + BLOCK_WORDS * blocks(capacity))
}

/// Bytes of the `birth_codes` buffer: a word a slot, likewise.
pub fn codes_bytes(capacity: usize) -> u64 {
    if !by_blocks(capacity) {
        return 4;
    }
    4 * capacity as u64
}

/// Bytes at its start that a tick clears: the words and the histograms (the blocks' words
/// are written whole each tick).
pub const SELECT_CLEAR_BYTES: u64 = 4 * (SEL_WORDS + 2 * HIST_BINS);

/// Bytes of indirect arguments at the start of `BirthControl`, copied to `birth_args`
/// before births_spawn.
pub const ARGS_BYTES: u64 = 24;
/// Byte offsets of the indirect arguments inside `BirthControl` and `birth_args`.
pub const SPAWN_ARGS_OFFSET: u64 = 0;
pub const GENOME_ARGS_OFFSET: u64 = 12;

/// The spawn and genome passes' indirect arguments (`ARGS_BYTES`).
const BIRTH_ARGS: Buffer = Buffer::PassOwned("birth_args");
/// The block selection's histograms and thresholds.
const BIRTH_SELECT: Buffer = Buffer::PassOwned("birth_select");
/// The block selection's per-agent sort codes.
const BIRTH_CODES: Buffer = Buffer::PassOwned("birth_codes");

pub const SHADER: ShaderDef = ShaderDef {
    file: "births.wgsl",
    source: include_str!("../../shaders/births.wgsl"),
    entries: &[
        Entry {
            name: Pass::BirthsSelect.entry(),
            dispatch: Dispatch::Workgroups(super::single),
        },
        Entry {
            name: "births_tally",
            dispatch: Dispatch::Workgroups(block_groups),
        },
        Entry {
            name: "births_decide_hi",
            dispatch: Dispatch::Workgroups(super::single),
        },
        Entry {
            name: "births_hist_lo",
            dispatch: Dispatch::Workgroups(block_groups),
        },
        Entry {
            name: "births_decide_lo",
            dispatch: Dispatch::Workgroups(super::single),
        },
        Entry {
            name: "births_rank",
            dispatch: Dispatch::Workgroups(block_groups),
        },
        Entry {
            name: "births_offsets",
            dispatch: Dispatch::Workgroups(super::single),
        },
        Entry {
            name: "births_assign",
            dispatch: Dispatch::Workgroups(block_groups),
        },
        Entry {
            name: Pass::BirthsSpawn.entry(),
            dispatch: Dispatch::Indirect {
                buffer: BIRTH_ARGS,
                offset: SPAWN_ARGS_OFFSET,
            },
        },
        Entry {
            name: Pass::BirthsGenome.entry(),
            dispatch: Dispatch::Indirect {
                buffer: BIRTH_ARGS,
                offset: GENOME_ARGS_OFFSET,
            },
        },
    ],
    steps,
    buffers,
};

/// One workgroup per block of `BLOCK_SLOTS` agents, in block mode only.
fn block_groups(_: &Params, d: &Dims) -> u64 {
    if by_blocks(d.capacity) {
        blocks(d.capacity)
    } else {
        0
    }
}

/// births_select runs as `BLOCK_PASSES` in large worlds; the indirect arguments are copied
/// out of `birth_control` before births_spawn, since a buffer bound for writing in a pass
/// cannot also be the indirect buffer of a dispatch.
fn steps(pass: Pass, d: &Dims) -> Vec<GpuStep> {
    match pass {
        Pass::BirthsSelect if by_blocks(d.capacity) => {
            let mut s = vec![GpuStep::Clear(BIRTH_SELECT, Some(SELECT_CLEAR_BYTES))];
            s.extend(BLOCK_PASSES.iter().map(|e| GpuStep::Entry(e)));
            s
        }
        Pass::BirthsSpawn => vec![
            GpuStep::Copy {
                from: Buffer::Section(Section::BirthControl),
                to: BIRTH_ARGS,
                bytes: ARGS_BYTES,
            },
            GpuStep::Entry(pass.entry()),
        ],
        _ => vec![GpuStep::Entry(pass.entry())],
    }
}

/// The indirect arguments, and the block selection's scratch (a word each in small worlds,
/// which bind them but never touch them).
fn buffers(d: &Dims) -> Vec<GpuBuffer> {
    let scratch = wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST;
    vec![
        GpuBuffer {
            buffer: BIRTH_ARGS,
            bytes: ARGS_BYTES,
            usage: wgpu::BufferUsages::INDIRECT | wgpu::BufferUsages::COPY_DST,
        },
        GpuBuffer {
            buffer: BIRTH_SELECT,
            bytes: select_bytes(d.capacity),
            usage: scratch,
        },
        GpuBuffer {
            buffer: BIRTH_CODES,
            bytes: codes_bytes(d.capacity),
            usage: scratch,
        },
    ]
}
