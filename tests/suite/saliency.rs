//! Brain saliency: finite differences of each brain's actions over sampled inputs
//! of each group, on both backends, against gradients computed independently.

use crate::common;

use silico::config::{Brain, Config};
use silico::cpu::saliency::{compact_group_input, compact_group_size, group_input, group_size};
use silico::cpu::CpuWorld;
use silico::gpu::GpuWorld;
use silico::world::*;

const COLUMNS: [&str; SALIENCY_GROUPS] = [
    "brain_saliency_terrain",
    "brain_saliency_self",
    "brain_saliency_agents",
    "brain_saliency_bots",
    "comm_saliency_messages",
];

fn saliency_of(row: &[f32]) -> Vec<f32> {
    COLUMNS
        .iter()
        .map(|c| row[metric_index(c).expect("a saliency column")])
        .collect()
}

/// Tick 0's saliency on the CPU and the GPU (None without an adapter), from one state;
/// both backends probe the same agents and inputs.
fn tick0(cfg: &Config, state: State) -> (CpuWorld, Vec<f32>, Option<Vec<f32>>) {
    let gpu = common::gpu().map(|ctx| {
        let mut g = GpuWorld::with_context(ctx, cfg, &state).unwrap();
        let mut rows = g.advance(1).unwrap();
        rows.extend(g.flush().unwrap());
        let sc = g.download_scratch().unwrap();
        (saliency_of(&rows[0]), sc.probe_agents, sc.probe_inputs)
    });
    let mut cpu = CpuWorld::new(cfg, state);
    let row = cpu.tick();
    let gpu = gpu.map(|(saliency, agents, inputs)| {
        assert_eq!(agents, cpu.scratch.probe_agents, "sampled agents");
        assert_eq!(inputs, cpu.scratch.probe_inputs, "sampled inputs");
        saliency
    });
    (cpu, saliency_of(&row), gpu)
}

fn close(what: &str, got: &[f32], want: &[f64], rel: f64, abs: f64) {
    for (g, (x, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (*x as f64 - w).abs() <= abs + rel * w.abs(),
            "{what}: {} is {x}, expected {w}",
            COLUMNS[g]
        );
    }
}

/// A linear brain's derivative is known: ∂a_j/∂x_k = (1 − a_j²) W_kj. Both backends'
/// finite differences over the inputs they sampled match it per group.
#[test]
fn linear_saliency_is_the_mean_gradient_on_both_backends() {
    let mut cfg = common::tiny();
    cfg.mutation.init_sigma = 0.01; // tanh far from saturation, so gradients are large
    let state = State::new(&cfg);
    let (cpu, got, gpu) = tick0(&cfg, state.clone());
    // Recompute from the CPU's own samples with the analytic gradient.
    let d = &cpu.dims;
    let (len, glen) = (d.obs_len, d.genome_len);
    let mut sum = [0.0f64; SALIENCY_GROUPS];
    let mut count = [0usize; SALIENCY_GROUPS];
    for s in 0..SALIENCY_AGENTS {
        let i = cpu.scratch.probe_agents[s];
        assert_ne!(i, NONE, "every sample finds a living agent");
        let i = i as usize;
        let g = &state.genomes[i * glen..(i + 1) * glen];
        let x = &cpu.scratch.obs[i * len..(i + 1) * len];
        for probe in 1..SALIENCY_PROBES {
            let k = cpu.scratch.probe_inputs[s * SALIENCY_PROBES + probe];
            if k == NONE {
                continue;
            }
            let mut mean = 0.0;
            for j in 0..ACTION_LEN {
                let z: f64 = g[ACTION_LEN * len + j] as f64
                    + (0..len)
                        .map(|m| g[m * ACTION_LEN + j] as f64 * x[m] as f64)
                        .sum::<f64>();
                mean += (1.0 - z.tanh().powi(2)) * (g[k as usize * ACTION_LEN + j] as f64).abs();
            }
            let group = (probe - 1) / SALIENCY_INPUTS;
            sum[group] += mean / ACTION_LEN as f64;
            count[group] += 1;
        }
    }
    let want: Vec<f64> = (0..SALIENCY_GROUPS)
        .map(|g| sum[g] / count[g].max(1) as f64)
        .collect();
    assert!(count
        .iter()
        .all(|c| *c == SALIENCY_AGENTS * SALIENCY_INPUTS));
    assert!(want.iter().all(|w| *w > 1e-4), "{want:?}");
    // One-sided differences of ε = 0.01 on tanh: well within 2%; f32 sums add ~1e-4.
    close("cpu", &got, &want, 0.02, 2e-4);
    if let Some(gpu) = gpu {
        close("gpu", &gpu, &want, 0.02, 2e-4);
    }
}

/// A brain that reads only messages has saliency only there, exactly zero elsewhere.
#[test]
fn a_brain_reading_only_messages_is_salient_only_to_messages() {
    let mut cfg = common::tiny();
    cfg.mutation.init_sigma = 0.01;
    let mut state = State::new(&cfg);
    let d = Dims::new(&cfg);
    let p = Params::new(&cfg);
    let messages: Vec<usize> = (0..group_size(&p, 4))
        .map(|k| group_input(&p, 4, k))
        .collect();
    for i in 0..d.capacity {
        let g = &mut state.genomes[i * d.genome_len..(i + 1) * d.genome_len];
        for k in (0..d.obs_len).filter(|k| !messages.contains(k)) {
            g[k * ACTION_LEN..(k + 1) * ACTION_LEN].fill(0.0);
        }
    }
    let (_, cpu, gpu) = tick0(&cfg, state);
    for got in [Some(cpu), gpu].into_iter().flatten() {
        assert_eq!(&got[..4], &[0.0; 4], "{got:?}");
        assert!(got[4] > 1e-4, "{got:?}");
    }
}

/// The Compact brain is probed on its pooled inputs: every group is salient, the GPU
/// matches the CPU reference, and the probes leave the state and actions alone.
#[test]
fn compact_saliency_matches_on_both_backends() {
    let mut cfg = common::tiny();
    cfg.brain = Brain::Compact { hidden: 16 };
    let state = State::new(&cfg);
    let (cpu, got, gpu) = tick0(&cfg, state.clone());
    assert!(got.iter().all(|v| *v > 0.0), "{got:?}");
    if let Some(gpu) = gpu {
        let want: Vec<f64> = got.iter().map(|v| *v as f64).collect();
        close("gpu", &gpu, &want, 1e-2, 1e-3);
    }
    // Every probed input is one of the brain's pooled inputs, each group in its own range.
    let p = Params::new(&cfg);
    let inputs = silico::cpu::compact_brain::inputs(&p, &state, &cpu.scratch, 0).len();
    assert_groups_partition(&p, inputs, compact_group_size, compact_group_input);
    assert_probes_change_nothing(&cfg, state, &cpu);
}

/// Every one of `inputs` inputs lies in exactly one group.
fn assert_groups_partition(
    p: &Params,
    inputs: usize,
    group_size: fn(&Params, usize) -> usize,
    group_input: fn(&Params, usize, usize) -> usize,
) {
    let mut seen = vec![None; inputs];
    for g in 0..SALIENCY_GROUPS {
        for k in 0..group_size(p, g) {
            let at = group_input(p, g, k);
            assert!(at < inputs, "group {g} input {k} at {at} of {inputs}");
            assert_eq!(
                seen[at], None,
                "input {at} in groups {:?} and {g}",
                seen[at]
            );
            seen[at] = Some(g);
        }
    }
    assert!(
        seen.iter().all(|g| g.is_some()),
        "every input is in a group"
    );
}

/// The probes leave the tick alone: with saliency off, tick 0 from `state` ends with the
/// recurrent state and actions of `cpu`, which ran it with saliency on.
fn assert_probes_change_nothing(cfg: &Config, state: State, cpu: &CpuWorld) {
    let mut off = cfg.clone();
    off.measures.saliency_every = 0;
    let mut quiet = CpuWorld::new(&off, state);
    quiet.tick();
    assert_eq!(cpu.state.brain_state, quiet.state.brain_state);
    assert_eq!(cpu.scratch.actions, quiet.scratch.actions);
}

/// Every observation input of the flat-observation brains lies in exactly one group.
#[test]
fn the_groups_partition_the_observation() {
    let cfg = common::tiny();
    let p = Params::new(&cfg);
    let d = Dims::new(&cfg);
    let used = d.terrain_len() + AGENT_VEC_LEN * (1 + d.view_agents) + BOT_VEC_LEN * d.view_bots;
    assert_groups_partition(&p, used, group_size, group_input);
}

/// Random and Zero brains ignore their inputs: no saliency, whatever they see.
#[test]
fn random_and_zero_brains_have_no_saliency() {
    for brain in [Brain::Random, Brain::Zero] {
        let mut cfg = common::tiny();
        cfg.brain = brain;
        let (_, cpu, gpu) = tick0(&cfg, State::new(&cfg));
        for got in [Some(cpu), gpu].into_iter().flatten() {
            assert_eq!(got, vec![0.0; SALIENCY_GROUPS]);
        }
    }
}

/// The JaxLife brain's probes on the GPU match the CPU reference's, the recurrent state
/// is left as the brain pass alone makes it, and between estimates the values are held.
#[test]
fn jaxlife_saliency_matches_on_both_backends_and_is_held() {
    let mut cfg = common::tiny();
    cfg.brain = Brain::JaxLife {
        hidden: 8,
        heads: 2,
    };
    cfg.measures.saliency_every = 3;
    let state = State::new(&cfg);
    let (mut cpu, got, gpu) = tick0(&cfg, state.clone());
    assert!(got.iter().all(|v| *v > 0.0), "{got:?}");
    if let Some(gpu) = gpu {
        let want: Vec<f64> = got.iter().map(|v| *v as f64).collect();
        close("gpu", &gpu, &want, 1e-2, 1e-3);
    }
    assert_probes_change_nothing(&cfg, state, &cpu);
    // Ticks 1 and 2 hold tick 0's estimate; tick 3 makes a new one.
    for tick in 1..=3 {
        let row = saliency_of(&cpu.tick());
        if tick < 3 {
            assert_eq!(row, got, "tick {tick}");
        } else {
            assert_ne!(row, got, "tick {tick}");
        }
    }
    // The schedule runs the brain's probes on saliency ticks only.
    let (p, d) = (Params::new(&cfg), Dims::new(&cfg));
    for tick in 0..7 {
        let steps = silico::schedule::tick_steps(&p, &d, tick);
        let probed = steps.contains(&silico::schedule::Step::Pass(
            silico::schedule::Pass::JaxlifeProbe,
        ));
        assert_eq!(probed, tick % 3 == 0, "tick {tick}");
    }
}

/// Message influence re-runs brains on swapped messages every tick here: the world must go
/// on exactly as it does with influence off, on both backends and for every brain that
/// reads messages (only the measures, which hold the influence, differ).
#[test]
fn influence_probes_leave_the_world_untouched() {
    for brain in [
        Brain::Linear,
        Brain::JaxLife {
            hidden: 8,
            heads: 2,
        },
        Brain::Compact { hidden: 16 },
    ] {
        let mut on = common::tiny();
        on.brain = brain.clone();
        on.measures.saliency_every = 0;
        on.measures.influence_every = 1;
        let mut off = on.clone();
        off.measures.influence_every = 0;
        let world = |state: &State| {
            let mut s = state.clone();
            s.measures = Measures::default();
            s.hash()
        };
        let mut a = CpuWorld::new(&on, State::new(&on));
        let mut b = CpuWorld::new(&off, State::new(&off));
        let mut measured = 0.0;
        for _ in 0..5 {
            measured += a.tick()[metric_index("comm_influence_delta").unwrap()];
            b.tick();
        }
        assert!(
            measured > 0.0,
            "{brain:?}: random brains respond to messages"
        );
        assert_eq!(world(&a.state), world(&b.state), "{brain:?} on the CPU");
        let Some(ctx) = common::gpu() else { continue };
        let mut g = GpuWorld::with_context(ctx, &on, &State::new(&on)).unwrap();
        g.advance(5).unwrap();
        g.flush().unwrap();
        let mut h =
            GpuWorld::with_context(common::gpu().unwrap(), &off, &State::new(&off)).unwrap();
        h.advance(5).unwrap();
        h.flush().unwrap();
        assert_eq!(
            world(&g.download_state(&on).unwrap()),
            world(&h.download_state(&off).unwrap()),
            "{brain:?} on the GPU"
        );
    }
}
