//! Dispatches shaders/terrain.wgsl: weather (one thread per angle), base and apply (one
//! thread per cell). Reference: src/cpu/terrain.rs.
use super::{Dispatch, Entry, ShaderDef};
use crate::schedule::Pass;
use crate::world::{Dims, Params, WEATHER_FIELDS};

pub const SHADER: ShaderDef = ShaderDef {
    file: "terrain.wgsl",
    source: include_str!("../../shaders/terrain.wgsl"),
    entries: &[
        Entry {
            name: Pass::TerrainWeather.entry(),
            dispatch: Dispatch::Threads(per_angle),
        },
        Entry {
            name: Pass::TerrainBase.entry(),
            dispatch: Dispatch::Threads(super::per_cell),
        },
        Entry {
            name: Pass::TerrainApply.entry(),
            dispatch: Dispatch::Threads(super::per_cell),
        },
    ],
    steps: super::entry_alone,
    buffers: super::no_buffers,
};

/// One thread per weather angle, and at least two per field for the min/max reset.
fn per_angle(_: &Params, d: &Dims) -> u64 {
    (d.angles as u64).max(2 * WEATHER_FIELDS as u64)
}
