//! Records shaders/metrics.wgsl: partial sums over chunks of agents and cells, then one
//! workgroup reduces them into the metrics ring, read back asynchronously.
//! Reference: src/cpu/metrics.rs.
use super::{Dispatch, Entry, ShaderDef, When};

pub const SHADER: ShaderDef = ShaderDef {
    file: "metrics.wgsl",
    source: include_str!("../../shaders/metrics.wgsl"),
    entries: &[
        Entry {
            name: "metrics_partial",
            dispatch: Dispatch::MetricPartials,
            when: When::Always,
        },
        Entry {
            name: "metrics_meals",
            dispatch: Dispatch::MetricPartials,
            when: When::Always,
        },
        Entry {
            name: "metrics",
            dispatch: Dispatch::Single,
            when: When::Always,
        },
    ],
};
