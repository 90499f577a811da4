//! The Compact brain against an independent f64 reference written here (inputs gathered from
//! the world state, then the dense layers and the GRU), on both backends; its size; its
//! recurrent state.

use crate::common;

use common::assert_close;

use silico::config::{Brain, Config};
use silico::cpu::CpuWorld;
use silico::gpu::GpuWorld;
use silico::schedule::Step;
use silico::world::brain::{self, Tensor};
use silico::world::*;

fn compact(hidden: u32) -> Config {
    let mut cfg = common::tiny();
    cfg.brain = Brain::Compact { hidden };
    cfg
}

#[test]
fn parameter_counts_follow_the_documented_formula() {
    for (hidden, view_bots) in [(16u32, 2u32), (16, 0), (64, 2)] {
        let mut cfg = Config {
            brain: Brain::Compact { hidden },
            ..Config::default()
        };
        cfg.agents.view_bots = view_bots;
        let h = hidden as usize;
        let per_input = if view_bots > 0 { 224 } else { 188 };
        let want = 6 * h * h + per_input * h + 44;
        let params: usize = brain::layout_for(&cfg).iter().map(Tensor::len).sum();
        assert_eq!(params, want, "hidden {hidden}, view_bots {view_bots}");
        assert_eq!(Dims::new(&cfg).genome_len, want);
        assert_eq!(Dims::new(&cfg).brain_state_len, h, "the GRU's h");
    }
    let cfg = Config {
        brain: Brain::Compact { hidden: 16 },
        ..Config::default()
    };
    assert_eq!(
        Dims::new(&cfg).genome_len,
        5_164,
        "docs/architecture.md: 5,164 at the defaults"
    );
}

// ---- the independent reference ----

fn wrap(d: f64, w: f64) -> f64 {
    let mut r = d;
    if r >= w / 2.0 {
        r -= w;
    }
    if r < -w / 2.0 {
        r += w;
    }
    r
}

fn agent_row(a: &Agent, pos: [f64; 2]) -> Vec<f64> {
    let mut v = vec![
        (a.energy as f64 + 1e-4).ln(),
        (a.age as f64 + 1e-4).ln(),
        pos[0],
        pos[1],
    ];
    for part in [
        &a.last_action[..],
        &a.id[..],
        &a.self_message[..],
        &a.other_message[..],
    ] {
        v.extend(part.iter().map(|&x| x as f64));
    }
    assert_eq!(v.len(), AGENT_VEC_LEN);
    v
}

fn cell_row(c: &Cell) -> [f64; 7] {
    [
        c.energy,
        c.move_cost,
        c.push_cost,
        c.energy_gain,
        c.message_cost,
        c.reproduce_cost,
        c.max_energy,
    ]
    .map(|x| x as f64)
}

/// Pooled inputs of agent `i`: self, mean neighbour and fill fraction, mean bot and fill
/// fraction, own cell, patch mean, patch means weighted by dx/r and dy/r.
fn inputs(cfg: &Config, st: &State, near: &[u32], near_bots: &[u32], i: usize) -> Vec<f64> {
    let w = cfg.world_size() as f64;
    let me = &st.agents[i];
    let off = |p: [f32; 2]| {
        [
            wrap(p[0] as f64 - me.pos[0] as f64, w),
            wrap(p[1] as f64 - me.pos[1] as f64, w),
        ]
    };
    let mut x = agent_row(me, [me.pos[0] as f64, me.pos[1] as f64]);
    let seen: Vec<&Agent> = near
        .iter()
        .filter(|&&j| j != NONE)
        .map(|&j| &st.agents[j as usize])
        .collect();
    let mut mean = vec![0.0; AGENT_VEC_LEN];
    for a in &seen {
        for (m, v) in mean.iter_mut().zip(agent_row(a, off(a.pos))) {
            *m += v / seen.len() as f64;
        }
    }
    x.extend(mean);
    x.push(seen.len() as f64 / near.len().max(1) as f64);
    if !near_bots.is_empty() {
        let seen: Vec<&Bot> = near_bots
            .iter()
            .filter(|&&b| b != NONE)
            .map(|&b| &st.bots[b as usize])
            .collect();
        let mut mean = vec![0.0; BOT_VEC_LEN];
        for b in &seen {
            let o = off(b.pos);
            let row: Vec<f64> = [o[0], o[1], (b.energy as f64 + 1e-4).ln()]
                .into_iter()
                .chain(b.memory.iter().map(|&v| v as f64))
                .chain(b.program.iter().map(|&v| v as f64))
                .collect();
            for (m, v) in mean.iter_mut().zip(row) {
                *m += v / seen.len() as f64;
            }
        }
        x.extend(mean);
        x.push(seen.len() as f64 / near_bots.len() as f64);
    }
    let n = cfg.world.map_size as i64;
    let r = cfg.agents.terrain_view_range as i64;
    let cell =
        |cx: i64, cy: i64| cell_row(&st.cells[(cy.rem_euclid(n) * n + cx.rem_euclid(n)) as usize]);
    let cx = ((me.pos[0] / cfg.world.cell_size) as i64).min(n - 1);
    let cy = ((me.pos[1] / cfg.world.cell_size) as i64).min(n - 1);
    x.extend(cell(cx, cy));
    let cells = ((2 * r + 1) * (2 * r + 1)) as f64;
    let mut sums = [[0.0f64; 7]; 3];
    for dy in -r..=r {
        for dx in -r..=r {
            for (f, v) in cell(cx + dx, cy + dy).iter().enumerate() {
                sums[0][f] += v / cells;
                sums[1][f] += v * dx as f64 / r.max(1) as f64 / cells;
                sums[2][f] += v * dy as f64 / r.max(1) as f64 / cells;
            }
        }
    }
    x.extend(sums.iter().flatten());
    x
}

fn tensor(g: &[f32], t: &[Tensor], name: &str) -> Vec<f64> {
    let t = t.iter().find(|t| t.name == name).unwrap();
    g[t.offset..t.offset + t.len()]
        .iter()
        .map(|&v| v as f64)
        .collect()
}

/// x W (+ b), W row-major [inputs][outputs].
fn affine(x: &[f64], w: &[f64], b: Option<&[f64]>) -> Vec<f64> {
    let cols = w.len() / x.len();
    (0..cols)
        .map(|o| {
            let s: f64 = x.iter().enumerate().map(|(k, v)| v * w[k * cols + o]).sum();
            s + b.map_or(0.0, |b| b[o])
        })
        .collect()
}

/// Actions and the new h from the inputs, genome and previous h.
fn reference(x: &[f64], g: &[f32], t: &[Tensor], h_prev: &[f32]) -> (Vec<f64>, Vec<f64>) {
    let h = h_prev.len();
    let hp: Vec<f64> = h_prev.iter().map(|&v| v as f64).collect();
    let e: Vec<f64> = affine(
        x,
        &tensor(g, t, "input.kernel"),
        Some(&tensor(g, t, "input.bias")),
    )
    .into_iter()
    .map(|v| v.max(0.0))
    .collect();
    let gx = affine(
        &e,
        &tensor(g, t, "gru.input.kernel"),
        Some(&tensor(g, t, "gru.input.bias")),
    );
    let gh = affine(&hp, &tensor(g, t, "gru.hidden.kernel"), None);
    let bn = tensor(g, t, "gru.candidate.bias");
    let sig = |v: f64| 1.0 / (1.0 + (-v).exp());
    let new_h: Vec<f64> = (0..h)
        .map(|u| {
            let r = sig(gx[u] + gh[u]);
            let z = sig(gx[h + u] + gh[h + u]);
            let n = (gx[2 * h + u] + r * (gh[2 * h + u] + bn[u])).tanh();
            (1.0 - z) * n + z * hp[u]
        })
        .collect();
    let acts = affine(
        &new_h,
        &tensor(g, t, "action_logits.kernel"),
        Some(&tensor(g, t, "action_logits.bias")),
    )
    .into_iter()
    .map(f64::tanh)
    .collect();
    (acts, new_h)
}

#[test]
fn both_backends_match_an_independent_reference() {
    for (hidden, view_bots) in [(16, 2), (20, 0)] {
        let mut cfg = compact(hidden);
        cfg.agents.view_bots = view_bots;
        // A short sight radius leaves some neighbour slots empty.
        cfg.agents.view_radius = 24.0;
        let mut cpu = CpuWorld::new(&cfg, State::new(&cfg));
        for _ in 0..3 {
            cpu.tick();
        }
        for step in cpu.tick_steps() {
            if step == Step::Pass(silico::schedule::Pass::CompactBrain) {
                break;
            }
            cpu.run_step(step);
        }
        let before = cpu.state.clone();
        // The GPU's results when there is one; the CPU's are checked either way.
        let on_gpu = common::gpu().map(|ctx| {
            let mut gpu = GpuWorld::with_context(ctx, &cfg, &cpu.state).unwrap();
            gpu.upload(&cpu.state, &cpu.scratch);
            gpu.run_pass(silico::schedule::Pass::CompactBrain);
            (
                gpu.download_state(&cfg).unwrap(),
                gpu.download_scratch().unwrap(),
            )
        });
        cpu.run_pass(silico::schedule::Pass::CompactBrain);
        let d = &cpu.dims;
        let (k, kb, n) = (d.view_agents, d.view_bots, d.brain_state_len);
        let tensors = brain::layout_for(&cfg);
        let (mut checked, mut partly_seen) = (0, 0);
        for i in 0..d.capacity {
            if before.agents[i].alive == 0 {
                continue;
            }
            let near = &cpu.scratch.neighbor_list[i * k..(i + 1) * k];
            let near_bots = &cpu.scratch.bot_neighbor_list[i * kb..(i + 1) * kb];
            partly_seen += near.contains(&NONE) as usize;
            let x = inputs(&cfg, &before, near, near_bots, i);
            assert_eq!(x.len(), brain::compact_inputs(kb));
            let (acts, h) = reference(
                &x,
                &before.genomes[i * d.genome_len..(i + 1) * d.genome_len],
                &tensors,
                &before.brain_state[i * n..(i + 1) * n],
            );
            let a = i * ACTION_LEN..(i + 1) * ACTION_LEN;
            assert_close("cpu actions", &cpu.scratch.actions[a.clone()], &acts);
            assert_close("cpu state", &cpu.state.brain_state[i * n..(i + 1) * n], &h);
            if let Some((gs, gsc)) = &on_gpu {
                assert_close("gpu actions", &gsc.actions[a], &acts);
                assert_close("gpu state", &gs.brain_state[i * n..(i + 1) * n], &h);
            }
            checked += 1;
        }
        assert!(checked > 10, "only {checked} agents alive");
        assert!(
            partly_seen > 0,
            "the test world should leave some slots empty"
        );
        assert!(
            before.brain_state.iter().any(|v| *v != 0.0),
            "after 3 ticks the recurrent state is in use"
        );
    }
}

/// Same inputs twice: the GRU state changes the second answer. An agent that sees nobody
/// still acts finitely.
#[test]
fn the_state_persists_and_loners_act_finitely() {
    let mut cfg = compact(16);
    cfg.agents.initial_agents = Some(1);
    cfg.agents.min_agents = Some(1);
    let mut cpu = CpuWorld::new(&cfg, State::new(&cfg));
    for step in cpu.tick_steps() {
        if step == Step::Pass(silico::schedule::Pass::CompactBrain) {
            break;
        }
        cpu.run_step(step);
    }
    let i = cpu.state.agents.iter().position(|a| a.alive != 0).unwrap();
    let k = cpu.dims.view_agents;
    assert!(cpu.scratch.neighbor_list[i * k..(i + 1) * k]
        .iter()
        .all(|&j| j == NONE));
    let mut actions = Vec::new();
    for _ in 0..2 {
        cpu.run_pass(silico::schedule::Pass::CompactBrain);
        actions.push(cpu.scratch.actions[i * ACTION_LEN..(i + 1) * ACTION_LEN].to_vec());
    }
    assert!(actions[0].iter().all(|a| a.is_finite() && a.abs() < 1.0));
    assert!(cpu.state.brain_state.iter().any(|v| *v != 0.0));
    assert_ne!(
        actions[0], actions[1],
        "the GRU state should change the second step"
    );
}
