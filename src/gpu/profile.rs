//! Per-pass GPU times from timestamp queries (`silico bench --passes`).

use std::collections::HashMap;

use super::{GpuStep, GpuWorld};
use crate::error::GpuError;
use crate::schedule::{self, Pass, Step};

impl GpuWorld {
    /// Mean GPU time of each pass per tick (a bot step's passes summed over the tick's
    /// steps), from timestamp queries, over `reps` ticks that run as usual. Empty when the
    /// adapter has no timestamps.
    pub fn profile_passes(&mut self, reps: u32) -> Result<Vec<(Pass, f64)>, GpuError> {
        if !self.ctx.features.contains(wgpu::Features::TIMESTAMP_QUERY) {
            return Ok(Vec::new());
        }
        let all = schedule::every_step(&self.params, &self.dims);
        let mut total_ms: HashMap<Pass, f64> = HashMap::new();
        let period_ns = self.ctx.queue.get_timestamp_period() as f64;
        // Room for the longest tick's passes (every optional pass on).
        let most = all.iter().filter(|s| matches!(s, Step::Pass(_))).count() as u32;
        let device = &self.ctx.device;
        let query_set = device.create_query_set(&wgpu::QuerySetDescriptor {
            label: Some("pass timestamps"),
            ty: wgpu::QueryType::Timestamp,
            count: 2 * most,
        });
        let resolve = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("timestamps"),
            size: 2 * most as u64 * 8,
            usage: wgpu::BufferUsages::QUERY_RESOLVE | wgpu::BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        });
        for _ in 0..reps {
            let steps = schedule::tick_steps(&self.params, &self.dims, self.tick as u32);
            let passes = steps.iter().filter(|s| matches!(s, Step::Pass(_))).count() as u32;
            let bytes = 2 * passes as u64 * 8;
            let mut enc = self.ctx.device.create_command_encoder(&Default::default());
            let mut timed = Vec::new();
            for step in &steps {
                let ops = self.gpu_steps(*step);
                for op in ops.iter().filter(|op| !matches!(op, GpuStep::Entry(_))) {
                    self.record_encoder_op(&mut enc, *op);
                }
                let Step::Pass(pass) = step else {
                    continue;
                };
                let index = timed.len() as u32;
                let mut cp = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                    label: Some(pass.entry()),
                    timestamp_writes: Some(wgpu::ComputePassTimestampWrites {
                        query_set: &query_set,
                        beginning_of_pass_write_index: Some(2 * index),
                        end_of_pass_write_index: Some(2 * index + 1),
                    }),
                });
                for op in ops {
                    if let GpuStep::Entry(entry) = op {
                        self.record_entry(&mut cp, entry);
                    }
                }
                timed.push(*pass);
            }
            enc.resolve_query_set(&query_set, 0..2 * passes, &resolve, 0);
            self.ctx.queue.submit([enc.finish()]);
            self.tick += 1;
            let raw = self.read_raw(&resolve, 0, bytes)?;
            let stamps: &[u64] = bytemuck::cast_slice(&raw);
            for (k, pass) in timed.iter().enumerate() {
                let ticks = stamps[2 * k + 1].saturating_sub(stamps[2 * k]);
                *total_ms.entry(*pass).or_default() += ticks as f64 * period_ns * 1e-6;
            }
        }
        Ok(schedule::passes_of(&all)
            .into_iter()
            .map(|pass| {
                let ms = total_ms.get(&pass).copied().unwrap_or(0.0);
                (pass, ms / reps.max(1) as f64)
            })
            .collect())
    }
}
