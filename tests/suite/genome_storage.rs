//! Genome storage on the GPU: pages (a population bigger than one storage binding) and
//! half-float weights (`genome_precision: F16`) on every brain.

use crate::common;

use silico::config::{Brain, Config, Precision};
use silico::cpu::CpuWorld;
use silico::error::GpuError;
use silico::gpu::GpuWorld;
use silico::schedule::Step;
use silico::world::brain::round_weight;
use silico::world::*;

fn brains() -> [Brain; 3] {
    [
        Brain::Linear,
        Brain::Compact { hidden: 16 },
        Brain::JaxLife {
            hidden: 8,
            heads: 2,
        },
    ]
}

fn world(brain: &Brain, precision: Precision) -> Config {
    let mut cfg = common::tiny();
    cfg.brain = brain.clone();
    cfg.genome_precision = precision;
    cfg.agents.initial_agents = Some(40);
    // Enough energy that the first children come within a few ticks.
    cfg.agents.initial_energy = 200.0;
    cfg
}

fn bytes_per_genome(cfg: &Config) -> u64 {
    let d = Dims::new(cfg);
    d.genome_len as u64 * if d.genome_f16 { 2 } else { 4 }
}

/// Paging only changes where a weight is read and written: a world paged over several
/// buffers (10 genomes a page) evolves bit for bit as the unpaged one, births included.
#[test]
fn paged_genomes_evolve_exactly_as_unpaged() {
    let Some(ctx) = common::gpu() else { return };
    for brain in brains() {
        for precision in [Precision::F32, Precision::F16] {
            let cfg = world(&brain, precision);
            let state = State::new(&cfg);
            let mut whole = GpuWorld::with_context(ctx.clone(), &cfg, &state).unwrap();
            let page = 10 * bytes_per_genome(&cfg);
            let mut paged = GpuWorld::with_page_limit(ctx.clone(), &cfg, &state, page).unwrap();
            assert_eq!(whole.pages.pages, 1);
            assert_eq!(paged.pages.pages, 7, "{brain:?}: 64 agents, 10 a page");
            let mut rows_whole = whole.advance(25).unwrap();
            rows_whole.extend(whole.flush().unwrap());
            let mut rows_paged = paged.advance(25).unwrap();
            rows_paged.extend(paged.flush().unwrap());
            assert_eq!(rows_whole.len(), 25);
            let (a, b) = (
                whole.download_state(&cfg).unwrap(),
                paged.download_state(&cfg).unwrap(),
            );
            let births: f32 = rows_whole.iter().map(|r| r[metric_index("births")]).sum();
            assert!(
                births > 0.0,
                "{brain:?} {precision:?}: no births to copy genomes"
            );
            assert_eq!(rows_whole, rows_paged, "{brain:?} {precision:?}: metrics");
            assert_eq!(a.genomes, b.genomes, "{brain:?} {precision:?}: genomes");
            assert_eq!(a.hash(), b.hash(), "{brain:?} {precision:?}: state");
        }
    }
}

fn metric_index(name: &str) -> usize {
    METRIC_COLUMNS
        .iter()
        .position(|c| *c == name)
        .unwrap_or_else(|| panic!("no metric column {name}"))
}

/// Every brain with half-float weights: the GPU's actions match the CPU reference's (both
/// use the same rounded weights) within the f32 bound of 1e-4, and differ from the f32
/// brain's actions on the same unrounded genome by at most 0.01: a half float keeps 11
/// significant bits, so each weight moves by at most 2^-12 of itself.
#[test]
fn half_float_brains_match_the_reference_and_stay_near_f32() {
    let ctx = common::gpu();
    for brain in brains() {
        let brain_pass = match brain {
            Brain::Linear => silico::schedule::Pass::Policy,
            Brain::Compact { .. } => silico::schedule::Pass::CompactBrain,
            _ => silico::schedule::Pass::JaxlifeBrain,
        };
        let run = |precision: Precision| {
            let cfg = world(&brain, precision);
            let mut cpu = CpuWorld::new(&cfg, State::new(&cfg));
            for step in cpu.tick_steps() {
                if step == Step::Pass(brain_pass) {
                    break;
                }
                cpu.run_step(step);
            }
            // The GPU's actions when there is one; the CPU's are checked either way.
            let gpu_actions = ctx.clone().map(|ctx| {
                let mut gpu = GpuWorld::with_context(ctx, &cfg, &cpu.state).unwrap();
                gpu.upload(&cpu.state, &cpu.scratch);
                gpu.run_pass(brain_pass);
                gpu.download_scratch().unwrap().actions
            });
            cpu.run_pass(brain_pass);
            (cpu, gpu_actions)
        };
        let (cpu16, gpu16) = run(Precision::F16);
        let (cpu32, _) = run(Precision::F32);
        assert!(
            cpu16
                .state
                .genomes
                .iter()
                .all(|w| *w == round_weight(*w, true)),
            "{brain:?}: F16 genomes hold half floats"
        );
        assert_ne!(cpu16.state.genomes, cpu32.state.genomes);
        if let Some(gpu16) = &gpu16 {
            let want: Vec<f64> = cpu16.scratch.actions.iter().map(|a| *a as f64).collect();
            common::assert_close(&format!("{brain:?} f16 gpu actions"), gpu16, &want);
        }
        let mut worst = 0.0f32;
        for (h, f) in cpu16.scratch.actions.iter().zip(&cpu32.scratch.actions) {
            worst = worst.max((h - f).abs());
        }
        assert!(
            worst <= 0.01,
            "{brain:?}: f16 actions differ from f32 by {worst}"
        );
        assert!(
            cpu32.scratch.actions.iter().any(|a| *a != 0.0),
            "{brain:?}: no actions to compare"
        );
    }
}

/// The shaders round a child's weights to half floats exactly as the `half` crate does:
/// ties to even, subnormals, signed zeros, and magnitudes clamped at 65504. The WGSL
/// function runs alone here on values chosen to hit each case, and on a sweep.
#[test]
fn half_float_rounding_matches_the_half_crate() {
    let Some(ctx) = common::gpu() else { return };
    let mut values: Vec<f32> = vec![
        1.0 + 2f32.powi(-11),       // a tie: rounds down to even
        1.0 + 3.0 * 2f32.powi(-11), // a tie: rounds up to even
        1.0 + 2f32.powi(-11) + 2f32.powi(-20),
        -0.1,
        3.0e-5,               // a normal half
        5.0e-6,               // a subnormal half
        2f32.powi(-24) * 1.5, // a subnormal tie
        2f32.powi(-24) * 2.5,
        2f32.powi(-25), // halfway to the smallest subnormal: rounds to zero
        2f32.powi(-25) * 1.5,
        2f32.powi(-26),
        1.0e-9, // flushes to zero
        6.1e-5, // just below the smallest normal half
        65504.0,
        65519.0, // rounds to 65504
        1.0e6,   // clamps
        1.0e30,
        0.0,
        std::f32::consts::PI,
    ];
    values.extend(values.clone().iter().map(|v| -v));
    // Every exponent a half can hold, with assorted significands.
    let mut x = 1u32;
    for k in 0..20_000u32 {
        x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        let e = (k % 44) as i32 - 28;
        values.push(f32::from_bits(x & 0x807f_ffff | (((e + 127) as u32) << 23)));
    }
    let got = run_f16_bits(&ctx, &values);
    for (v, g) in values.iter().zip(got) {
        let want = half::f16::from_f32(v.clamp(-65504.0, 65504.0)).to_bits() as u32;
        assert_eq!(
            g,
            want,
            "{v:e} ({:#010x}): shader {g:#06x}, half {want:#06x}",
            v.to_bits()
        );
    }
}

/// `f16_bits` of each value, computed by the shaders' own WGSL function.
fn run_f16_bits(ctx: &silico::gpu::GpuContext, values: &[f32]) -> Vec<u32> {
    use wgpu::util::DeviceExt;
    let source = format!(
        "{}\n@group(0) @binding(0) var<storage, read> xs: array<f32>;\n\
         @group(0) @binding(1) var<storage, read_write> out: array<u32>;\n\
         @compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id: vec3<u32>) {{\n\
         if (id.x < arrayLength(&xs)) {{ out[id.x] = f16_bits(xs[id.x]); }}\n}}\n",
        silico::gpu::genome::F16_BITS_WGSL
    );
    let device = &ctx.device;
    let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some("f16_bits"),
        source: wgpu::ShaderSource::Wgsl(source.into()),
    });
    let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
        label: None,
        layout: None,
        module: &module,
        entry_point: Some("main"),
        compilation_options: Default::default(),
        cache: None,
    });
    let xs = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
        label: None,
        contents: bytemuck::cast_slice(values),
        usage: wgpu::BufferUsages::STORAGE,
    });
    let bytes = (values.len() * 4) as u64;
    let out = device.create_buffer(&wgpu::BufferDescriptor {
        label: None,
        size: bytes,
        usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
        mapped_at_creation: false,
    });
    let staging = device.create_buffer(&wgpu::BufferDescriptor {
        label: None,
        size: bytes,
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    let bind = device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: None,
        layout: &pipeline.get_bind_group_layout(0),
        entries: &[
            wgpu::BindGroupEntry {
                binding: 0,
                resource: xs.as_entire_binding(),
            },
            wgpu::BindGroupEntry {
                binding: 1,
                resource: out.as_entire_binding(),
            },
        ],
    });
    let mut enc = device.create_command_encoder(&Default::default());
    {
        let mut pass = enc.begin_compute_pass(&Default::default());
        pass.set_pipeline(&pipeline);
        pass.set_bind_group(0, &bind, &[]);
        pass.dispatch_workgroups((values.len() as u32).div_ceil(64), 1, 1);
    }
    enc.copy_buffer_to_buffer(&out, 0, &staging, 0, bytes);
    ctx.queue.submit([enc.finish()]);
    staging
        .slice(..)
        .map_async(wgpu::MapMode::Read, |r| r.unwrap());
    device.poll(wgpu::PollType::wait_indefinitely()).unwrap();
    let got = bytemuck::pod_collect_to_vec(&staging.slice(..).get_mapped_range().unwrap());
    got
}

/// Children of half-float parents on both backends: the same half floats, but for the
/// rare weight whose f32 sum a fused multiply-add moved across a rounding boundary.
#[test]
fn half_float_children_match_on_both_backends() {
    let Some(ctx) = common::gpu() else { return };
    let cfg = world(&Brain::Compact { hidden: 16 }, Precision::F16);
    let len = Dims::new(&cfg).genome_len;
    let births = common::births_on_both(ctx, &cfg, 40);
    let (mut same, mut total) = (0, 0);
    for b in &births.children {
        let c = b.child as usize;
        for w in c * len..(c + 1) * len {
            let (g, k) = (births.gpu.genomes[w], births.cpu.genomes[w]);
            assert_eq!(g, round_weight(g, true), "weight {w} is no half float");
            let ulp = half::f16::from_f32(k)
                .to_bits()
                .abs_diff(half::f16::from_f32(g).to_bits());
            assert!(ulp <= 1, "weight {w}: gpu {g}, cpu {k}");
            same += usize::from(g == k);
            total += 1;
        }
    }
    assert!(
        same * 1000 >= total * 999,
        "{same} of {total} weights equal"
    );
    let child = births.children[0].child as usize * len;
    assert_ne!(
        &births.before.genomes[child..][..len],
        &births.gpu.genomes[child..][..len]
    );
}

/// A population whose genomes cannot be paged is refused at start, naming the bytes needed,
/// the binding limit and the fixes.
#[test]
fn genomes_that_cannot_be_paged_are_refused_with_the_bytes() {
    let Some(ctx) = common::gpu() else { return };
    let cfg = world(&Brain::Linear, Precision::F32);
    let state = State::new(&cfg);
    let genome = bytes_per_genome(&cfg);
    // Smaller than one genome, then 64 agents at 2 a page: 32 pages, more than a world may use.
    for limit in [genome / 2, 2 * genome] {
        let err = match GpuWorld::with_page_limit(ctx.clone(), &cfg, &state, limit) {
            Err(e) => e,
            Ok(_) => panic!("a page limit of {limit} bytes was accepted"),
        };
        assert!(matches!(err, GpuError::GenomePaging { .. }), "{err}");
        let msg = err.to_string();
        for needle in [
            (genome * 64).to_string(),
            genome.to_string(),
            "genome_precision: F16".to_string(),
            "agents.capacity".to_string(),
        ] {
            assert!(msg.contains(&needle), "{msg} lacks {needle}");
        }
    }
}
