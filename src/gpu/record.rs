//! A tick's schedule as GPU commands: each schedule step becomes its pass file's GPU steps
//! (`ShaderDef::steps`), encoder operations (clears, copies) between compute passes, and
//! the dispatches between two encoder operations share one compute pass (wgpu orders
//! dispatches within a pass by their buffer use), which saves the drivers a
//! synchronisation per dispatch.

use super::{fold_groups, groups_for, Dispatch, GpuStep, GpuWorld};
use crate::schedule::{self, Step};

impl GpuWorld {
    /// What one schedule step becomes on the GPU in this world.
    pub(super) fn gpu_steps(&self, step: Step) -> Vec<GpuStep> {
        super::gpu_steps(step, &self.dims)
    }

    /// Record a clear or a copy (outside any compute pass).
    pub(super) fn record_encoder_op(&self, enc: &mut wgpu::CommandEncoder, op: GpuStep) {
        match op {
            GpuStep::Clear(buffer, bytes) => enc.clear_buffer(self.buffer(buffer), 0, bytes),
            GpuStep::Copy { from, to, bytes } => {
                enc.copy_buffer_to_buffer(self.buffer(from), 0, self.buffer(to), 0, bytes)
            }
            GpuStep::Entry(name) => unreachable!("{name} is a dispatch, not an encoder operation"),
        }
    }

    /// Record schedule steps.
    pub(super) fn record_steps(&self, enc: &mut wgpu::CommandEncoder, steps: &[Step]) {
        let ops: Vec<GpuStep> = steps.iter().flat_map(|s| self.gpu_steps(*s)).collect();
        self.record_ops(enc, &ops);
    }

    /// Record GPU steps.
    fn record_ops(&self, enc: &mut wgpu::CommandEncoder, ops: &[GpuStep]) {
        let mut k = 0;
        while k < ops.len() {
            if !matches!(ops[k], GpuStep::Entry(_)) {
                self.record_encoder_op(enc, ops[k]);
                k += 1;
                continue;
            }
            let mut cp = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("tick"),
                timestamp_writes: None,
            });
            while let Some(GpuStep::Entry(name)) = ops.get(k) {
                self.record_entry(&mut cp, name);
                k += 1;
            }
        }
    }

    /// Tick `tick` (the GPU's clock as it starts). A tick's GPU steps are built once per
    /// kind of tick (probe or not, ...), not every tick.
    pub(super) fn record_tick(&mut self, enc: &mut wgpu::CommandEncoder, tick: u64) {
        let kind = schedule::Options::for_tick(&self.params, tick as u32);
        let ops = match self.tick_ops.remove(&kind) {
            Some(ops) => ops,
            None => schedule::steps(&self.params, &self.dims, kind)
                .into_iter()
                .flat_map(|s| self.gpu_steps(s))
                .collect(),
        };
        self.record_ops(enc, &ops);
        self.tick_ops.insert(kind, ops);
    }

    /// Run one schedule step alone (for GPU-vs-CPU tests).
    pub fn run_step(&mut self, step: Step) {
        let mut enc = self.ctx.device.create_command_encoder(&Default::default());
        self.record_steps(&mut enc, &[step]);
        self.ctx.queue.submit([enc.finish()]);
    }

    /// Run one pass alone (for GPU-vs-CPU tests).
    pub fn run_pass(&mut self, pass: crate::schedule::Pass) {
        self.run_step(Step::Pass(pass));
    }

    /// One entry point's dispatches (one per genome page for a per-page pass).
    pub(super) fn record_entry(&self, cp: &mut wgpu::ComputePass<'_>, name: &str) {
        // Pipelines are built for every entry the schedule can dispatch in this world
        // (`pipelines::entries_used`), so a missing one is a bug, not a pass to skip.
        let pass = self.passes.get(name).unwrap_or_else(|| {
            panic!("{name} is dispatched, but this world built no pipeline for it")
        });
        for (page, bind_group) in pass.bind_groups.iter().enumerate() {
            // A per-page pass runs over the agents of one page at a time (with one page,
            // that is every agent).
            let mut dims = self.dims;
            if pass.bind_groups.len() > 1 {
                dims.capacity = self.pages.agents(page).len();
            }
            let groups = match pass.dispatch {
                Dispatch::Threads(threads) => match threads(&self.params, &dims) {
                    0 => continue,
                    n => Some(groups_for(n)),
                },
                Dispatch::Workgroups(groups) => match groups(&self.params, &dims) {
                    0 => continue,
                    n => Some(fold_groups(n)),
                },
                Dispatch::Indirect { .. } => None,
            };
            cp.set_pipeline(&pass.pipeline);
            cp.set_bind_group(0, bind_group, &[]);
            match (groups, pass.dispatch) {
                (Some((x, y)), _) => cp.dispatch_workgroups(x, y, 1),
                (None, Dispatch::Indirect { buffer, offset }) => {
                    cp.dispatch_workgroups_indirect(self.buffer(buffer), offset)
                }
                (None, _) => unreachable!("only indirect dispatches have no workgroup count"),
            }
        }
    }
}
