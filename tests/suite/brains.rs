//! The JaxLife brain against an independent dense reference written here (matrices, full
//! masked softmax), on both backends; its size; masking; recurrent state; mutation.

use crate::common;

use common::assert_close;

use silico::config::{Brain, Config};
use silico::cpu::jaxlife_brain::Net;
use silico::cpu::CpuWorld;
use silico::gpu::GpuWorld;
use silico::schedule::Step;
use silico::world::brain::{self, Tensor};
use silico::world::*;

fn jaxlife(hidden: u32, heads: u32) -> Config {
    let mut cfg = common::tiny();
    cfg.brain = Brain::JaxLife { hidden, heads };
    cfg
}

#[test]
fn default_jaxlife_brain_has_the_spec_parameter_count() {
    let cfg = Config {
        brain: Brain::JaxLife {
            hidden: 64,
            heads: 4,
        },
        ..Config::default()
    };
    let tensors = brain::layout_for(&cfg);
    let params: usize = tensors.iter().map(Tensor::len).sum();
    assert_eq!(params, 136_108, "JaxLife's 136,043 plus one output row");
    assert_eq!(
        Dims::new(&cfg).genome_len,
        136_108,
        "no padding at the defaults"
    );
    assert_eq!(Dims::new(&cfg).brain_state_len, 128, "LSTM h and c");
}

// ---- an independent reference: row-vector matrices and an explicit masked softmax ----

struct M {
    rows: usize,
    cols: usize,
    v: Vec<f64>,
}

fn mat(g: &[f32], t: &[Tensor], name: &str) -> M {
    let t = t.iter().find(|t| t.name == name).unwrap();
    M {
        rows: t.rows,
        cols: t.cols,
        v: g[t.offset..t.offset + t.len()]
            .iter()
            .map(|&x| x as f64)
            .collect(),
    }
}

/// x (n x rows) times m, plus bias row b.
fn affine(x: &[Vec<f64>], m: &M, b: Option<&M>) -> Vec<Vec<f64>> {
    x.iter()
        .map(|row| {
            assert_eq!(row.len(), m.rows);
            (0..m.cols)
                .map(|o| {
                    let s: f64 = (0..m.rows).map(|k| row[k] * m.v[k * m.cols + o]).sum();
                    s + b.map_or(0.0, |b| b.v[o])
                })
                .collect()
        })
        .collect()
}

fn layer(x: &[Vec<f64>], g: &[f32], t: &[Tensor], name: &str) -> Vec<Vec<f64>> {
    affine(
        x,
        &mat(g, t, &format!("{name}.kernel")),
        Some(&mat(g, t, &format!("{name}.bias"))),
    )
}

fn mha(
    q_in: &[Vec<f64>],
    kv_in: &[Vec<f64>],
    mask: &[bool],
    heads: usize,
    g: &[f32],
    t: &[Tensor],
    name: &str,
) -> Vec<Vec<f64>> {
    let q = layer(q_in, g, t, &format!("{name}.query"));
    let k = layer(kv_in, g, t, &format!("{name}.key"));
    let v = layer(kv_in, g, t, &format!("{name}.value"));
    let hsz = q[0].len();
    let dh = hsz / heads;
    let mixed: Vec<Vec<f64>> = q
        .iter()
        .map(|qi| {
            let mut out = vec![0.0; hsz];
            for h in 0..heads {
                let logits: Vec<f64> = k
                    .iter()
                    .zip(mask)
                    .map(|(kj, &ok)| {
                        if ok {
                            (0..dh)
                                .map(|d| qi[h * dh + d] * kj[h * dh + d])
                                .sum::<f64>()
                                / (dh as f64).sqrt()
                        } else {
                            f64::NEG_INFINITY
                        }
                    })
                    .collect();
                let max = logits.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                if max == f64::NEG_INFINITY {
                    continue;
                }
                let e: Vec<f64> = logits.iter().map(|l| (l - max).exp()).collect();
                let z: f64 = e.iter().sum();
                for (j, ej) in e.iter().enumerate() {
                    for d in 0..dh {
                        out[h * dh + d] += ej / z * v[j][h * dh + d];
                    }
                }
            }
            out
        })
        .collect();
    layer(&mixed, g, t, &format!("{name}.out"))
}

/// Actions and the new [h, c] of one agent, from its observation row, slot mask, genome and
/// previous [h, c].
fn reference(
    cfg: &Config,
    obs: &[f32],
    mask: &[bool],
    g: &[f32],
    hc: &[f32],
) -> (Vec<f64>, Vec<f64>) {
    let Brain::JaxLife { hidden, heads } = cfg.brain else {
        unreachable!()
    };
    let (h, heads) = (hidden as usize, heads as usize);
    let d = Dims::new(cfg);
    let t = brain::layout_for(cfg);
    let tl = d.terrain_len();
    let x: Vec<f64> = obs.iter().map(|&v| v as f64).collect();
    let th = |m: Vec<Vec<f64>>| -> Vec<Vec<f64>> {
        m.into_iter()
            .map(|r| r.into_iter().map(f64::tanh).collect())
            .collect()
    };
    let me = th(layer(
        &[x[tl..tl + AGENT_VEC_LEN].to_vec()],
        g,
        &t,
        "agent_encoder",
    ));
    let mut ents = Vec::new();
    for s in 0..d.view_agents {
        let at = tl + AGENT_VEC_LEN * (1 + s);
        ents.push(
            th(layer(
                &[x[at..at + AGENT_VEC_LEN].to_vec()],
                g,
                &t,
                "agent_encoder",
            ))
            .remove(0),
        );
    }
    for b in 0..d.view_bots {
        let at = tl + AGENT_VEC_LEN * (1 + d.view_agents) + BOT_VEC_LEN * b;
        ents.push(
            th(layer(
                &[x[at..at + BOT_VEC_LEN].to_vec()],
                g,
                &t,
                "bot_encoder",
            ))
            .remove(0),
        );
    }
    let mixed = mha(&ents, &ents, mask, heads, g, &t, "self_attention");
    let pooled = mha(&me, &mixed, mask, heads, g, &t, "cross_attention").remove(0);
    let terrain = layer(
        &layer(&[x[..tl].to_vec()], g, &t, "terrain_encoder"),
        g,
        &t,
        "terrain_decoder",
    )
    .remove(0);
    let lstm_x: Vec<f64> = pooled.into_iter().chain(terrain).collect();
    let hprev: Vec<f64> = hc[..h].iter().map(|&v| v as f64).collect();
    let a = affine(&[lstm_x], &mat(g, &t, "lstm.input.kernel"), None).remove(0);
    let b = layer(&[hprev], g, &t, "lstm.hidden").remove(0);
    let sig = |v: f64| 1.0 / (1.0 + (-v).exp());
    let mut new_h = vec![0.0; h];
    let mut new_c = vec![0.0; h];
    for u in 0..h {
        let z = |gate: usize| a[gate * h + u] + b[gate * h + u];
        new_c[u] = sig(z(1)) * hc[h + u] as f64 + sig(z(0)) * z(2).tanh();
        new_h[u] = sig(z(3)) * new_c[u].tanh();
    }
    let out = th(layer(
        &th(layer(&[new_h.clone()], g, &t, "action_process")),
        g,
        &t,
        "action_logits",
    ))
    .remove(0);
    (out, new_h.into_iter().chain(new_c).collect())
}

#[test]
fn both_backends_match_an_independent_reference() {
    // (12, 3) has an odd number of output quads, which the GPU's dense layers take in
    // pairs; the tiny world's 10 entity slots fill one block of rows and part of another.
    for (hidden, heads) in [(8, 2), (12, 3)] {
        match_the_reference(hidden, heads);
    }
}

fn match_the_reference(hidden: u32, heads: u32) {
    let mut cfg = jaxlife(hidden, heads);
    // A short sight radius leaves some slots empty, so masking is exercised.
    cfg.agents.view_radius = 24.0;
    let mut cpu = CpuWorld::new(&cfg, State::new(&cfg));
    for _ in 0..3 {
        cpu.tick();
    }
    for step in cpu.tick_steps() {
        if step == Step::Pass(silico::schedule::Pass::JaxlifeBrain) {
            break;
        }
        cpu.run_step(step);
    }
    let before = cpu.state.clone();
    // The GPU's results when there is one; the CPU's are checked either way.
    let on_gpu = common::gpu().map(|ctx| {
        let mut gpu = GpuWorld::with_context(ctx, &cfg, &cpu.state).unwrap();
        gpu.upload(&cpu.state, &cpu.scratch);
        gpu.run_pass(silico::schedule::Pass::JaxlifeBrain);
        (
            gpu.download_state(&cfg).unwrap(),
            gpu.download_scratch().unwrap(),
        )
    });
    cpu.run_pass(silico::schedule::Pass::JaxlifeBrain);
    let d = &cpu.dims;
    let (k, kb) = (d.view_agents, d.view_bots);
    let mut empty_slots = 0;
    let mut checked = 0;
    for i in 0..d.capacity {
        if before.agents[i].alive == 0 {
            continue;
        }
        let mask: Vec<bool> = (0..k)
            .map(|s| cpu.scratch.neighbor_list[i * k + s] != NONE)
            .chain((0..kb).map(|b| cpu.scratch.bot_neighbor_list[i * kb + b] != NONE))
            .collect();
        empty_slots += mask.iter().filter(|m| !**m).count();
        let (acts, hc) = reference(
            &cfg,
            &cpu.scratch.obs[i * d.obs_len..(i + 1) * d.obs_len],
            &mask,
            &before.genomes[i * d.genome_len..(i + 1) * d.genome_len],
            &before.brain_state[i * d.brain_state_len..(i + 1) * d.brain_state_len],
        );
        let a = i * ACTION_LEN..(i + 1) * ACTION_LEN;
        let s = i * d.brain_state_len..(i + 1) * d.brain_state_len;
        assert_close("cpu actions", &cpu.scratch.actions[a.clone()], &acts);
        assert_close("cpu state", &cpu.state.brain_state[s.clone()], &hc);
        if let Some((gs, gsc)) = &on_gpu {
            assert_close("gpu actions", &gsc.actions[a], &acts);
            assert_close("gpu state", &gs.brain_state[s], &hc);
        }
        checked += 1;
    }
    assert!(checked > 10, "only {checked} agents alive");
    assert!(
        empty_slots > 0,
        "the test world should leave some slots empty"
    );
    assert!(
        before.brain_state.iter().any(|v| *v != 0.0),
        "after 3 ticks the recurrent state is in use"
    );
}

fn lone_net_inputs(cfg: &Config) -> (Vec<f32>, Vec<f32>, Vec<Tensor>) {
    let d = Dims::new(cfg);
    let t = brain::layout_for(cfg);
    let mut genome = vec![0.0; d.genome_len];
    let rng = silico::rng::Rng::new(9);
    brain::initial_genome(
        &t,
        &brain::genome_noise(&rng, 0, 0, d.genome_len),
        &mut genome,
    );
    let obs: Vec<f32> = (0..d.obs_len)
        .map(|k| ((k * 37 % 11) as f32 - 5.0) * 0.1)
        .collect();
    (obs, genome, t)
}

#[test]
fn empty_slots_are_masked_and_the_state_persists() {
    let cfg = jaxlife(16, 4);
    let d = Dims::new(&cfg);
    let (obs, genome, tensors) = lone_net_inputs(&cfg);
    let net = Net {
        genome: &genome,
        tensors: &tensors,
        hidden: 16,
        heads: 4,
    };
    let slots = d.view_agents + d.view_bots;
    // Nobody in sight: finite outputs.
    let mut state = vec![0.0; d.brain_state_len];
    let alone = net.step(
        &obs,
        d.terrain_len(),
        &vec![false; slots],
        d.view_agents,
        &mut state,
    );
    assert!(alone.iter().all(|a| a.is_finite() && a.abs() < 1.0));
    // An empty slot's contents never matter: scribble over slot 3 while it is masked.
    let mut mask = vec![true; slots];
    mask[3] = false;
    let mut scribbled = obs.clone();
    let at = d.terrain_len() + AGENT_VEC_LEN * 4;
    scribbled[at..at + AGENT_VEC_LEN].fill(123.0);
    let (mut s1, mut s2) = (vec![0.0; d.brain_state_len], vec![0.0; d.brain_state_len]);
    let a1 = net.step(&obs, d.terrain_len(), &mask, d.view_agents, &mut s1);
    let a2 = net.step(&scribbled, d.terrain_len(), &mask, d.view_agents, &mut s2);
    assert_eq!(a1, a2, "a masked slot changed the output");
    // ... while a visible one does.
    let a3 = net.step(
        &scribbled,
        d.terrain_len(),
        &vec![true; slots],
        d.view_agents,
        &mut vec![0.0; d.brain_state_len],
    );
    assert_ne!(a1, a3);
    // The state carries over: the same input a second time gives other actions.
    let again = net.step(&obs, d.terrain_len(), &mask, d.view_agents, &mut s1);
    assert!(s1.iter().any(|v| *v != 0.0));
    assert_ne!(a1, again, "the LSTM state should change the second step");
}

#[test]
fn births_reset_the_recurrent_state_on_both_backends() {
    for brain in [
        Brain::JaxLife {
            hidden: 8,
            heads: 2,
        },
        Brain::Compact { hidden: 16 },
    ] {
        births_reset_the_recurrent_state(brain);
    }
}

fn births_reset_the_recurrent_state(brain: Brain) {
    let mut cfg = common::tiny();
    cfg.agents.initial_agents = Some(40);
    cfg.brain = brain;
    let mut cpu = CpuWorld::new(&cfg, State::new(&cfg));
    let n = cpu.dims.brain_state_len;
    let mut births = 0;
    // A slot about to receive a newborn is given a non-zero recurrent state first (what a
    // dead agent's slot may hold), so a reset that did nothing would be seen.
    let mark_birth_slots = |cpu: &mut CpuWorld| {
        for r in 0..cpu.scratch.birth_control.count as usize {
            let c = cpu.scratch.birth_list[r].child as usize;
            cpu.state.brain_state[c * n..(c + 1) * n].fill(0.5);
        }
    };
    for _ in 0..30 {
        for step in cpu.tick_steps() {
            if step == Step::Pass(silico::schedule::Pass::BirthsSpawn) {
                mark_birth_slots(&mut cpu);
            }
            cpu.run_step(step);
            if step == Step::Pass(silico::schedule::Pass::BirthsSpawn) {
                for b in &cpu.scratch.birth_list[..cpu.scratch.birth_control.count as usize] {
                    let c = b.child as usize;
                    assert!(cpu.state.brain_state[c * n..(c + 1) * n]
                        .iter()
                        .all(|v| *v == 0.0));
                    births += 1;
                }
            }
        }
    }
    assert!(births > 10, "only {births} births in 30 ticks");
    // The GPU clears the same slots: run the birth pass from the CPU's pre-birth state.
    let Some(ctx) = common::gpu() else { return };
    let (mut st, sc) = (0..50)
        .map(|_| common::tick_keeping_state_before(&mut cpu, silico::schedule::Pass::BirthsSpawn))
        .find(|(_, sc)| sc.birth_control.count > 0)
        .expect("a tick with births within 50");
    let slots: Vec<usize> = sc.birth_list[..sc.birth_control.count as usize]
        .iter()
        .map(|b| b.child as usize)
        .collect();
    for c in &slots {
        st.brain_state[c * n..(c + 1) * n].fill(0.5);
    }
    let mut gpu = GpuWorld::with_context(ctx, &cfg, &st).unwrap();
    gpu.upload(&st, &sc);
    gpu.run_pass(silico::schedule::Pass::BirthsSpawn);
    let gs = gpu.download_state(&cfg).unwrap();
    for c in slots {
        assert!(gs.brain_state[c * n..(c + 1) * n].iter().all(|v| *v == 0.0));
    }
}

#[test]
fn children_mutate_by_sigma_and_siblings_differ() {
    let mut cfg = jaxlife(16, 2);
    cfg.mutation.sigma = 0.02;
    cfg.agents.initial_agents = Some(48);
    let mut cpu = CpuWorld::new(&cfg, State::new(&cfg));
    let len = cpu.dims.genome_len;
    let mut diffs = Vec::new();
    // Each parent's children's genomes as they were at birth (slots get reused later).
    let mut children_of: std::collections::HashMap<u32, Vec<Vec<f32>>> = Default::default();
    for _ in 0..40 {
        for step in cpu.tick_steps() {
            let parents = (step == Step::Pass(silico::schedule::Pass::BirthsGenome))
                .then(|| cpu.state.genomes.clone());
            cpu.run_step(step);
            if let Some(before) = parents {
                for b in &cpu.scratch.birth_list[..cpu.scratch.birth_control.count as usize] {
                    if b.parent == NONE {
                        continue;
                    }
                    let (c, p) = (b.child as usize, b.parent as usize);
                    let child = &cpu.state.genomes[c * len..(c + 1) * len];
                    let parent = &before[p * len..(p + 1) * len];
                    diffs.extend(child.iter().zip(parent).map(|(a, b)| (a - b) as f64));
                    children_of
                        .entry(b.parent)
                        .or_default()
                        .push(child.to_vec());
                }
            }
        }
    }
    assert!(diffs.len() >= len, "need at least one child");
    let n = diffs.len() as f64;
    let mean = diffs.iter().sum::<f64>() / n;
    let std = (diffs.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / n).sqrt();
    // n is in the tens of thousands: the mean's standard error is sigma / sqrt(n).
    assert!(mean.abs() < 5.0 * 0.02 / n.sqrt(), "mean {mean}");
    assert!((std - 0.02).abs() < 0.02 * 0.05, "std {std}");
    let siblings = children_of
        .values()
        .find(|c| c.len() > 1)
        .expect("no parent had two children in 40 ticks");
    assert_ne!(siblings[0], siblings[1], "siblings share a genome");
}

#[test]
fn initial_dense_kernels_are_orthogonal_with_gain_sqrt2() {
    let cfg = jaxlife(16, 2);
    let (_, genome, tensors) = lone_net_inputs(&cfg);
    let t = tensors
        .iter()
        .find(|t| t.name == "terrain_encoder.kernel")
        .unwrap();
    let w = &genome[t.offset..t.offset + t.len()];
    // Columns of a tall orthogonal matrix are orthonormal: W^T W = 2 I with gain sqrt(2).
    for a in 0..t.cols {
        for b in 0..t.cols {
            let dot: f64 = (0..t.rows)
                .map(|r| (w[r * t.cols + a] * w[r * t.cols + b]) as f64)
                .sum();
            let want = if a == b { 2.0 } else { 0.0 };
            assert!((dot - want).abs() < 1e-4, "column {a}.{b}: {dot}");
        }
    }
    let b = tensors
        .iter()
        .find(|t| t.name == "terrain_encoder.bias")
        .unwrap();
    assert!(genome[b.offset..b.offset + b.len()]
        .iter()
        .all(|v| *v == 0.0));
}

/// `mutation.rate` touches that fraction of the weights and copies the rest exactly;
/// `mutation.layer_sigma` gives one layer its own σ.
#[test]
fn mutation_rate_and_layer_sigma() {
    let mut cfg = common::tiny();
    cfg.brain = Brain::Compact { hidden: 16 };
    cfg.agents.initial_agents = Some(48);
    cfg.mutation.sigma = 0.02;
    cfg.mutation.rate = 0.25;
    cfg.mutation.layer_sigma = [("action_logits".to_string(), 0.2)].into();
    cfg.validate().unwrap();
    let tensors = brain::layout_for(&cfg);
    let logits: Vec<std::ops::Range<usize>> = tensors
        .iter()
        .filter(|t| brain::in_layer(&t.name, "action_logits"))
        .map(|t| t.offset..t.offset + t.len())
        .collect();
    assert_eq!(logits.len(), 2, "kernel and bias");
    let mut cpu = CpuWorld::new(&cfg, State::new(&cfg));
    let len = cpu.dims.genome_len;
    let (mut copied, mut total) = (0usize, 0usize);
    let (mut other, mut head) = (Vec::new(), Vec::new());
    for _ in 0..30 {
        for step in cpu.tick_steps() {
            let parents = (step == Step::Pass(silico::schedule::Pass::BirthsGenome))
                .then(|| cpu.state.genomes.clone());
            cpu.run_step(step);
            let Some(before) = parents else { continue };
            for b in &cpu.scratch.birth_list[..cpu.scratch.birth_control.count as usize] {
                if b.parent == NONE {
                    continue;
                }
                let (c, p) = (b.child as usize, b.parent as usize);
                for w in 0..len {
                    let d = (cpu.state.genomes[c * len + w] - before[p * len + w]) as f64;
                    total += 1;
                    if d == 0.0 {
                        copied += 1;
                    } else if logits.iter().any(|r| r.contains(&w)) {
                        head.push(d);
                    } else {
                        other.push(d);
                    }
                }
            }
        }
    }
    assert!(
        total >= 10 * len,
        "need at least ten children, got {}",
        total / len
    );
    let share = copied as f64 / total as f64;
    // total is in the tens of thousands: the share's standard error is below 0.005.
    assert!((share - 0.75).abs() < 0.02, "copied share {share}");
    let std = |v: &[f64]| (v.iter().map(|d| d * d).sum::<f64>() / v.len() as f64).sqrt();
    assert!(
        (std(&other) - 0.02).abs() < 0.02 * 0.05,
        "σ {}",
        std(&other)
    );
    assert!(
        (std(&head) - 0.2).abs() < 0.2 * 0.1,
        "head σ {}",
        std(&head)
    );
}

#[test]
fn layer_sigma_must_name_a_layer_of_the_brain() {
    let mut cfg = common::tiny();
    cfg.brain = Brain::Compact { hidden: 16 };
    cfg.mutation.layer_sigma = [("attention".to_string(), 0.1)].into();
    let errs = silico::world::validate(&cfg).unwrap_err().join("\n");
    assert!(
        errs.contains("\"attention\"") && errs.contains("gru.hidden"),
        "{errs}"
    );
    cfg.mutation.layer_sigma = [("gru".to_string(), -1.0)].into();
    let errs = silico::world::validate(&cfg).unwrap_err().join("\n");
    assert!(errs.contains("mutation.layer_sigma[\"gru\"]"), "{errs}");
}

/// The GPU draws the same mutation as the CPU with a rate below 1 and a per-layer σ: the
/// same weights copied exactly, the others within float tolerance.
#[test]
fn partial_per_layer_mutation_matches_on_both_backends() {
    let Some(ctx) = common::gpu() else { return };
    let mut cfg = common::tiny();
    cfg.brain = Brain::Compact { hidden: 16 };
    cfg.agents.initial_agents = Some(48);
    cfg.mutation.rate = 0.3;
    cfg.mutation.layer_sigma = [("input".to_string(), 0.5)].into();
    let len = Dims::new(&cfg).genome_len;
    let births = common::births_on_both(ctx, &cfg, 30);
    for b in &births.children {
        let (c, p) = (b.child as usize, b.parent as usize);
        for w in 0..len {
            let parent = births.before.genomes[p * len + w];
            let (g, k) = (
                births.gpu.genomes[c * len + w],
                births.cpu.genomes[c * len + w],
            );
            assert_eq!(
                g == parent,
                k == parent,
                "weight {w}: copied on one backend only"
            );
            assert!(
                (g - k).abs() <= 1e-5 * k.abs().max(1.0),
                "weight {w}: {g} vs {k}"
            );
        }
    }
}
