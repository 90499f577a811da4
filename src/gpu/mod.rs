//! GPU backend: every pass a WGSL file in `shaders/`, a pass file here that owns how it runs
//! on the GPU (its entry points and their dispatch sizes, the buffers only the GPU needs, and
//! any special mode), and a CPU reference in `src/cpu/` with the same name. The tick's steps
//! come from `crate::schedule`; `record.rs` turns them into commands.
//! Bind group layouts are read from each shader's `@group(0) @binding(N) var<...> NAME`
//! declarations, and NAME is the buffer bound there, so a shader and its bindings cannot
//! drift apart.

pub mod apply;
pub mod births;
pub mod bots;
pub mod compact_brain;
pub mod context;
pub mod effects;
pub mod genome;
pub mod grid;
pub mod influence;
pub mod jaxlife_brain;
pub mod metrics;
pub mod neighbors;
pub mod observe;
pub mod policy;
pub mod saliency;
pub mod shuffle;
pub mod terrain;

mod pipelines;
mod profile;
mod readback;
mod record;
mod resources;
mod world;

pub use context::GpuContext;
pub use genome::GenomePages;
pub use readback::RangeReads;
pub use world::GpuWorld;

use crate::schedule::Pass;
use crate::world::{Dims, Params, Section};

/// How many workgroups an entry point runs. The sizes are the pass file's own functions.
#[derive(Clone, Copy, Debug)]
pub enum Dispatch {
    /// This many threads, in workgroups of 64 (none: nothing to do in this world).
    Threads(fn(&Params, &Dims) -> u64),
    /// This many workgroups.
    Workgroups(fn(&Params, &Dims) -> u64),
    /// Workgroup counts an earlier pass wrote into `buffer` at byte `offset`.
    Indirect { buffer: Buffer, offset: u64 },
}

pub struct Entry {
    pub name: &'static str,
    pub dispatch: Dispatch,
}

/// What a schedule pass becomes on the GPU, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GpuStep {
    /// Zero a buffer's first bytes (all of it with `None`).
    Clear(Buffer, Option<u64>),
    /// Copy a buffer's first `bytes` into another.
    Copy {
        from: Buffer,
        to: Buffer,
        bytes: u64,
    },
    /// Dispatch one entry point as its `Entry` says.
    Entry(&'static str),
}

/// A buffer of the GPU world, by what it holds. Shaders bind buffers by variable name, and
/// `wgsl_name` is the one place where those names meet these handles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Buffer {
    /// A section of `State` or `Scratch` (but the genomes, which live in pages).
    Section(Section),
    /// The genomes of one page's agents (`GenomePages`).
    GenomePage(usize),
    /// The params uniform.
    Params,
    /// Each genome tensor's fresh and mutation scales.
    GenomeScale,
    /// The genome pages' table (a uniform, one stride per page).
    PageInfo,
    /// A buffer only the GPU has, named by the pass file that declares it (`GpuBuffer`).
    PassOwned(&'static str),
}

impl Buffer {
    /// The shader variable this buffer is bound to.
    pub fn wgsl_name(self) -> &'static str {
        match self {
            Buffer::Section(s) => s.name(),
            Buffer::GenomePage(p) => genome::PAGE_NAMES[p],
            Buffer::Params => "params",
            Buffer::GenomeScale => "genome_scale",
            Buffer::PageInfo => genome::PAGE_INFO,
            Buffer::PassOwned(name) => name,
        }
    }
}

/// A buffer only the GPU has (indirect arguments, GPU-only scratch), owned by the pass
/// file that declares it.
pub struct GpuBuffer {
    /// Always a `Buffer::PassOwned`.
    pub buffer: Buffer,
    pub bytes: u64,
    pub usage: wgpu::BufferUsages,
}

pub struct ShaderDef {
    pub file: &'static str,
    pub source: &'static str,
    pub entries: &'static [Entry],
    /// The GPU steps one of its passes takes in a world of these sizes.
    pub steps: fn(pass: Pass, d: &Dims) -> Vec<GpuStep>,
    /// The buffers only the GPU has that it binds.
    pub buffers: fn(&Dims) -> Vec<GpuBuffer>,
}

/// A pass is its own entry point, dispatched alone (most passes).
pub fn entry_alone(pass: Pass, _: &Dims) -> Vec<GpuStep> {
    vec![GpuStep::Entry(pass.entry())]
}

/// No buffers beyond the world's sections (most passes).
pub fn no_buffers(_: &Dims) -> Vec<GpuBuffer> {
    Vec::new()
}

/// One thread per agent slot.
pub fn per_agent(_: &Params, d: &Dims) -> u64 {
    d.capacity as u64
}

/// One thread per cell.
pub fn per_cell(_: &Params, d: &Dims) -> u64 {
    d.cells as u64
}

/// One thread per bot.
pub fn per_bot(_: &Params, d: &Dims) -> u64 {
    d.bots as u64
}

/// One workgroup (selections and reductions that need a global view).
pub fn single(_: &Params, _: &Dims) -> u64 {
    1
}

/// Every shader, in tick order.
pub const SHADERS: &[&ShaderDef] = &[
    &grid::SHADER,
    &neighbors::SHADER,
    &shuffle::SHADER,
    &observe::SHADER,
    &saliency::SHADER,
    &influence::SHADER,
    &policy::SHADER,
    &jaxlife_brain::SHADER,
    &compact_brain::SHADER,
    &effects::SHADER,
    &apply::SHADER,
    &bots::SHADER,
    &terrain::SHADER,
    &births::SHADER,
    &metrics::SHADER,
];

/// The shader that has a pass's entry point.
pub fn shader_of(pass: Pass) -> Option<&'static ShaderDef> {
    SHADERS
        .iter()
        .copied()
        .find(|def| def.entries.iter().any(|e| e.name == pass.entry()))
}

/// What one schedule step becomes on the GPU in a world of these sizes.
pub fn gpu_steps(step: crate::schedule::Step, d: &Dims) -> Vec<GpuStep> {
    use crate::schedule::Step;
    match step {
        Step::Clear(section) => vec![GpuStep::Clear(Buffer::Section(section), None)],
        Step::Pass(pass) => {
            let def = shader_of(pass).unwrap_or_else(|| {
                panic!("the schedule runs {pass}, whose entry point no shader in gpu::SHADERS has")
            });
            (def.steps)(pass, d)
        }
    }
}

/// The entry `name` of any shader.
pub fn entry(name: &str) -> Option<&'static Entry> {
    SHADERS
        .iter()
        .flat_map(|def| def.entries.iter())
        .find(|e| e.name == name)
}

/// The prelude every shader starts with: the `Params` struct as Rust declares it, then
/// `shaders/common.wgsl` (the shared structs, constants and helpers).
pub fn common_wgsl() -> String {
    format!(
        "{}\n{}",
        Params::WGSL,
        include_str!("../../shaders/common.wgsl")
    )
}

/// A pass's own WGSL with its genome pages laid out as `pages` says.
pub fn pass_source(def: &ShaderDef, pages: &GenomePages) -> String {
    pages.expand(def.source)
}

/// The full WGSL a pass compiles: the common declarations, then the pass.
pub fn full_source(def: &ShaderDef, pages: &GenomePages) -> String {
    format!("{}\n{}", common_wgsl(), pass_source(def, pages))
}

#[derive(Clone, Debug, PartialEq)]
pub struct BindingDecl {
    pub binding: u32,
    pub name: String,
    pub uniform: bool,
    pub read_only: bool,
}

/// The `@group(0) @binding(N) var<...> NAME: T;` lines of a shader. A line that starts
/// like one but does not read as one is a mistake in the shader, said at once (a skipped
/// binding would surface later as a bind group that does not match its pipeline).
pub fn binding_decls(source: &str) -> Vec<BindingDecl> {
    let mut out = Vec::new();
    for line in source.lines() {
        let line = line.trim();
        let Some(rest) = line.strip_prefix("@group(0) @binding(") else {
            continue;
        };
        let decl = (|| {
            let (num, rest) = rest.split_once(')')?;
            let binding = num.parse::<u32>().ok()?;
            let rest = rest.trim().strip_prefix("var<")?;
            let (kind, rest) = rest.split_once('>')?;
            let (name, _) = rest.trim().split_once(':')?;
            let kind = kind.replace(' ', "");
            Some(BindingDecl {
                binding,
                name: name.trim().to_string(),
                uniform: kind == "uniform",
                read_only: kind == "storage,read",
            })
        })();
        out.push(decl.unwrap_or_else(|| {
            panic!("a binding line that is not `@group(0) @binding(N) var<...> NAME: T;`: {line}")
        }));
    }
    out
}

/// Workgroups for `threads` threads of 64, folded into two dimensions (65535 per dimension).
pub fn groups_for(threads: u64) -> (u32, u32) {
    fold_groups(threads.div_ceil(64))
}

/// `groups` workgroups (at least one) folded into two dimensions (65535 per dimension).
pub fn fold_groups(groups: u64) -> (u32, u32) {
    let groups = groups.max(1);
    let x = groups.min(65535);
    let y = groups.div_ceil(x);
    (x as u32, y as u32)
}
