//! Reference of shaders/metrics.wgsl: one row of per-tick measures (columns in
//! `METRIC_COLUMNS`, documented in README.md), written into the metrics ring, and the
//! tick counter advanced. The energy ledger's `ledger_error` is the change in total energy
//! (agents + cells) minus what the flows explain; it is zero up to float rounding.

use crate::world::{metric_index, Params, Scratch, State, METRIC_COLUMNS, METRIC_RING, TICK_ACTED};

/// Totals the ledger compares against on the first tick.
pub fn seed_totals(st: &State, sc: &mut Scratch) {
    let (agents, cells) = energy_totals(st);
    sc.metrics_prev = vec![agents, cells, 0.0, 0.0];
}

pub fn energy_totals(st: &State) -> (f32, f32) {
    let agents: f64 = st
        .agents
        .iter()
        .filter(|a| a.alive != 0)
        .map(|a| a.energy as f64)
        .sum();
    let cells: f64 = st.cells.iter().map(|c| c.energy as f64).sum();
    (agents as f32, cells as f32)
}

pub fn metrics(p: &Params, st: &mut State, sc: &mut Scratch) {
    let n = METRIC_COLUMNS.len();
    let mut row = vec![0.0f64; n];
    let col =
        |name: &str| metric_index(name).unwrap_or_else(|| panic!("metric column {name} missing"));
    let ctl = sc.birth_control;
    let mut alive = 0.0f64;
    let (mut energy, mut age, mut gen_sum, mut gen_max) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    for a in st.agents.iter().filter(|a| a.alive != 0) {
        alive += 1.0;
        energy += a.energy as f64;
        age += a.age as f64;
        gen_sum += a.generation as f64;
        gen_max = gen_max.max(a.generation as f64);
    }
    let per = |x: f64, count: f64| if count > 0.0 { x / count } else { 0.0 };
    row[col("tick")] = st.clock.tick as f64 + 1.0;
    row[col("population")] = alive;
    row[col("births")] = ctl.births as f64;
    row[col("deaths")] = ctl.deaths as f64;
    row[col("respawns")] = ctl.respawns as f64;
    row[col("mean_energy")] = per(energy, alive);
    row[col("mean_age")] = per(age, alive);
    row[col("mean_generation")] = per(gen_sum, alive);
    row[col("max_generation")] = gen_max;
    let cells = st.cells.len() as f64;
    let t0 = col("terrain_energy");
    let mut tsum = [0.0f64; 8];
    let (mut regrowth, mut eaten_cells) = (0.0f64, 0.0f64);
    for (c, t) in st.cells.iter().zip(&sc.cell_tick) {
        let f = [
            c.energy,
            c.max_energy,
            c.energy_gain,
            c.move_cost,
            c.push_cost,
            c.message_cost,
            c.reproduce_cost,
            c.bit,
        ];
        for k in 0..8 {
            tsum[k] += f[k] as f64;
        }
        regrowth += t.regrowth as f64;
        eaten_cells += t.eaten as f64;
    }
    for k in 0..8 {
        row[t0 + k] = tsum[k] / cells;
    }
    // Action means over the agents that acted this tick (alive at its start).
    let a0 = col("action_move_x");
    let mut actors = 0.0f64;
    let mut asum = [0.0f64; 12];
    let (mut eaten, mut costs, mut hit, mut stolen, mut death, mut cultivation) =
        (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    for (i, t) in sc.agent_tick.iter().enumerate() {
        if t.flags & TICK_ACTED == 0 {
            continue;
        }
        actors += 1.0;
        let o = &sc.actions[i * 44..(i + 1) * 44];
        for k in 0..7 {
            asum[k] += o[k] as f64;
        }
        for k in 0..5 {
            asum[7 + k] += o[39 + k] as f64;
        }
        eaten += t.eaten as f64;
        costs += t.cost as f64;
        hit += t.hit_received as f64;
        stolen += t.stolen as f64;
        death += t.death_energy as f64;
        cultivation += t.cultivation as f64;
    }
    for k in 0..12 {
        row[a0 + k] = per(asum[k], actors);
    }
    row[col("kardashev_agents")] = costs;
    row[col("cultivation_agents")] = cultivation;
    let birth_energy = ctl.births as f64
        * if p.child_energy_from_parent != 0 {
            0.0
        } else {
            p.child_energy as f64
        }
        + ctl.respawns as f64 * p.initial_energy as f64;
    row[col("ledger_regrowth")] = regrowth;
    row[col("ledger_eaten_by_agents")] = eaten;
    row[col("ledger_eaten_from_cells")] = eaten_cells;
    row[col("ledger_costs")] = costs;
    row[col("ledger_hit_received")] = hit;
    row[col("ledger_stolen")] = stolen;
    row[col("ledger_birth_energy")] = birth_energy;
    row[col("ledger_death_energy")] = death;
    row[col("agent_energy_total")] = energy;
    row[col("cell_energy_total")] = tsum[0];
    let change = (energy - sc.metrics_prev[0] as f64) + (tsum[0] - sc.metrics_prev[1] as f64);
    let explained = regrowth - costs + hit + stolen + birth_energy - death;
    row[col("ledger_error")] = change - explained;
    sc.metrics_prev[0] = energy as f32;
    sc.metrics_prev[1] = tsum[0] as f32;
    let slot = st.clock.tick as usize % METRIC_RING;
    for (dst, v) in sc.metrics_ring[slot * n..(slot + 1) * n]
        .iter_mut()
        .zip(&row)
    {
        *dst = *v as f32;
    }
    st.clock.tick += 1;
}
