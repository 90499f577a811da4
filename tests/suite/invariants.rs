//! World invariants: the energy ledger (agents, cells and bots) balances every tick, eating
//! never creates energy, positions stay inside the world, and nothing becomes NaN or infinite even with wild
//! mutation.

use crate::common;

use silico::cpu::CpuWorld;
use silico::gpu::GpuWorld;
use silico::world::{metric_index, Section, State};

fn col(name: &str) -> usize {
    metric_index(name).unwrap()
}

fn totals(s: &State) -> (f64, f64, f64) {
    let a = s
        .agents
        .iter()
        .filter(|a| a.alive != 0)
        .map(|a| a.energy as f64)
        .sum();
    let c = s.cells.iter().map(|c| c.energy as f64).sum();
    let b = s.bots.iter().map(|b| b.energy as f64).sum();
    (a, c, b)
}

/// Check one tick's row against exact totals before and after it.
fn check_ledger(row: &[f32], before: (f64, f64, f64), after: (f64, f64, f64), tick: usize) {
    let change = (after.0 - before.0) + (after.1 - before.1) + (after.2 - before.2);
    let r = |n: &str| row[col(n)] as f64;
    let explained = r("ledger_regrowth") - r("ledger_costs") - r("kardashev_bots")
        + r("ledger_hit_received")
        + r("ledger_stolen")
        + r("ledger_bot_hit_received")
        + r("ledger_bot_stolen")
        + r("ledger_bot_clip")
        + r("ledger_birth_energy")
        - r("ledger_death_energy")
        + (r("ledger_eaten_by_agents") + r("ledger_eaten_by_bots") - r("ledger_eaten_from_cells"));
    let scale = after.0.abs() + after.1.abs() + after.2.abs() + 1.0;
    assert!(
        (change - explained).abs() <= 2e-5 * scale,
        "tick {tick}: energy changed by {change} but the ledger explains {explained}"
    );
    assert!(
        (r("ledger_error")).abs() <= 2e-5 * scale,
        "tick {tick}: ledger_error column {}",
        r("ledger_error")
    );
    // Eating moves energy; it never makes any.
    let eaten = r("ledger_eaten_by_agents") + r("ledger_eaten_by_bots");
    assert!(
        eaten <= r("ledger_eaten_from_cells") * (1.0 + 1e-5) + 1e-4,
        "tick {tick}: agents and bots ate {eaten} but cells lost {}",
        r("ledger_eaten_from_cells")
    );
}

fn check_positions(s: &State, world: f32, tick: usize) {
    for (i, a) in s.agents.iter().enumerate().filter(|(_, a)| a.alive != 0) {
        assert!(
            a.pos.iter().all(|p| *p >= 0.0 && *p < world),
            "tick {tick}: agent {i} at {:?} outside [0, {world})",
            a.pos
        );
    }
}

#[test]
fn cpu_ledger_balances_for_500_ticks() {
    let mut cfg = common::tiny();
    cfg.agents.hit_steal_fraction = 0.3;
    cfg.agents.child_energy_from_parent = true;
    let mut w = CpuWorld::new(&cfg, State::new(&cfg));
    let mut before = totals(&w.state);
    let mut births = 0.0;
    for t in 0..500 {
        let row = w.tick();
        let after = totals(&w.state);
        check_ledger(&row, before, after, t);
        check_positions(&w.state, cfg.world_size(), t);
        births += row[col("births")];
        before = after;
    }
    assert!(
        births > 0.0,
        "no births in 500 ticks: the test did not exercise them"
    );
}

#[test]
fn gpu_ledger_balances_for_500_ticks() {
    let Some(ctx) = common::gpu() else { return };
    let cfg = common::tiny();
    let mut w = GpuWorld::with_context(ctx, &cfg, &State::new(&cfg)).unwrap();
    let mut before = totals(&w.download_state(&cfg).unwrap());
    let (mut births, mut deaths, mut eaten) = (0.0, 0.0, 0.0);
    for t in 0..500 {
        let mut rows = w.advance(1).unwrap();
        rows.extend(w.flush().unwrap());
        assert_eq!(rows.len(), 1);
        let s = w.download_state(&cfg).unwrap();
        let after = totals(&s);
        check_ledger(&rows[0], before, after, t);
        check_positions(&s, cfg.world_size(), t);
        births += rows[0][col("births")];
        deaths += rows[0][col("deaths")];
        eaten += rows[0][col("ledger_eaten_by_agents")];
        before = after;
    }
    assert!(
        births > 0.0 && deaths > 0.0 && eaten > 0.0,
        "births {births} deaths {deaths} eaten {eaten}"
    );
}

#[test]
fn crowded_eaters_share_what_is_there() {
    // Everyone on one 4x4 map (Random brain eats half the time): piles of eaters on each
    // cell. Random terrain puts energy in every cell every tick (a Perlin map this small
    // holds none, and a bound by zero proves nothing).
    let mut cfg = common::tiny();
    cfg.world.map_size = 4;
    cfg.terrain.kind = silico::config::TerrainKind::Random;
    cfg.agents.capacity = 100;
    cfg.agents.initial_agents = Some(100);
    cfg.brain = silico::config::Brain::Random;
    let mut w = CpuWorld::new(&cfg, State::new(&cfg));
    let rate = cfg.agents.eat_rate as f64;
    let (mut crowded, mut checked) = (0, 0);
    for t in 0..50 {
        let cells_before: Vec<f64> = w.state.cells.iter().map(|c| c.energy as f64).collect();
        let start: Vec<(bool, usize)> = w
            .state
            .agents
            .iter()
            .map(|a| {
                (
                    a.alive != 0,
                    silico::world::common::cell_index_of(&w.params, a.pos),
                )
            })
            .collect();
        let row = w.tick();
        assert!(
            row[col("ledger_eaten_by_agents")] as f64 <= cells_before.iter().sum::<f64>() + 1e-3,
            "tick {t}"
        );
        for (c, before) in cells_before.iter().enumerate() {
            // The agents that stood on this cell at the tick's start and ate.
            let meals: Vec<f64> = (0..start.len())
                .filter(|&i| start[i].0 && start[i].1 == c)
                .map(|i| w.scratch.agent_tick[i].eaten as f64)
                .filter(|e| *e > 0.0)
                .collect();
            let eaten = w.scratch.cell_tick[c].eaten_by_agents as f64;
            let n = meals.len() as f64;
            let sum: f64 = meals.iter().sum();
            assert!(
                (sum - eaten).abs() <= 1e-4 * eaten.max(1.0),
                "tick {t} cell {c}: the eaters got {sum}, the cell gave {eaten}"
            );
            assert!(
                eaten <= before * (1.0 + 1e-6),
                "tick {t} cell {c}: {eaten} eaten of {before}"
            );
            if n > 0.0 {
                // Equal shares: eat_rate each, or the whole cell split when together they
                // would take more.
                let share = before * rate.min(1.0 / n);
                for m in &meals {
                    assert!(
                        (m - share).abs() <= 1e-5 * share.max(1.0),
                        "tick {t} cell {c}: a share of {m}, not {share} ({n} eaters)"
                    );
                }
                crowded += (n * rate >= 1.0) as u32;
                checked += 1;
            }
        }
        assert!(
            w.state.cells.iter().all(|c| c.energy >= 0.0),
            "tick {t}: a cell went negative"
        );
    }
    assert!(
        checked > 100 && crowded > 50,
        "cells with eaters {checked}, crowded {crowded}"
    );
}

#[test]
fn no_nan_after_2000_ticks_with_wild_mutation() {
    let mut cfg = common::tiny();
    cfg.mutation.sigma = 1.0;
    cfg.mutation.init_sigma = 1.0;
    // The CPU engine always, the GPU too when there is one.
    let mut worlds =
        vec![
            silico::sim::World::new(&cfg, State::new(&cfg), silico::sim::BackendKind::Cpu).unwrap(),
        ];
    if let Some(ctx) = common::gpu() {
        worlds.push(silico::sim::World::on_context(ctx, &cfg, &State::new(&cfg)).unwrap());
    }
    for w in worlds {
        stays_finite(&cfg, w);
    }
}

fn stays_finite(cfg: &silico::config::Config, mut w: silico::sim::World) {
    let mut rows = w.advance(2000).unwrap();
    rows.extend(w.flush().unwrap());
    assert_eq!(rows.len(), 2000);
    for (t, row) in rows.iter().enumerate() {
        assert!(
            row.iter().all(|v| v.is_finite()),
            "tick {t}: non-finite metric in {row:?}"
        );
    }
    let s = w.state(cfg).unwrap();
    let floats = |b: &[u8]| -> Vec<f32> { bytemuck::cast_slice::<u8, f32>(b).to_vec() };
    for (name, bytes) in s.sections() {
        // Sections of integers (counts, ticks, slots and lineage hashes) are not floats.
        if matches!(
            name.name(),
            "clock"
                | "heard"
                | "comm_hist"
                | "bot_programmed"
                | "cultivator"
                | "cultivator_id"
                | "bot_programmer"
        ) {
            continue;
        }
        if name == Section::Agents {
            for a in s.agents.iter().filter(|a| a.alive != 0) {
                assert!(
                    a.energy.is_finite()
                        && a.age.is_finite()
                        && a.pos.iter().all(|p| p.is_finite())
                );
                for v in
                    a.id.iter()
                        .chain(&a.self_message)
                        .chain(&a.other_message)
                        .chain(&a.last_action)
                {
                    assert!(v.is_finite(), "agent value {v}");
                }
            }
            continue;
        }
        assert!(
            floats(bytes).iter().all(|v| v.is_finite()),
            "non-finite value in {name:?}"
        );
    }
    check_positions(&s, cfg.world_size(), 2000);
}
