//! Dispatches shaders/metrics.wgsl: partial sums over chunks of agents and cells, then one
//! workgroup reduces them into the metrics ring, read back asynchronously.
//! Reference: src/cpu/metrics.rs.
use super::{Dispatch, Entry, ShaderDef};
use crate::schedule::Pass;
use crate::world::{Dims, Params};

pub const SHADER: ShaderDef = ShaderDef {
    file: "metrics.wgsl",
    source: include_str!("../../shaders/metrics.wgsl"),
    entries: &[
        Entry {
            name: Pass::MetricsPartial.entry(),
            dispatch: Dispatch::Workgroups(partials),
        },
        Entry {
            name: Pass::MetricsMeals.entry(),
            dispatch: Dispatch::Workgroups(partials),
        },
        Entry {
            name: Pass::Metrics.entry(),
            dispatch: Dispatch::Workgroups(super::single),
        },
    ],
    steps: super::entry_alone,
    buffers: super::no_buffers,
};

/// One workgroup per chunk of the partial sums (`Params::metric_partials`).
fn partials(p: &Params, _: &Dims) -> u64 {
    p.metric_partials as u64
}
