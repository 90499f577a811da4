//! Reference of shaders/metrics.wgsl: one row of per-tick measures (columns in
//! `METRIC_COLUMNS`, documented in README.md), written into the metrics ring, and the
//! tick counter advanced. `metrics_partial` sums contiguous chunks of the agents and cells
//! (one GPU workgroup each), `metrics` sums the partials and writes the row. The energy
//! ledger's `ledger_error` is the change in total energy (agents + cells) minus what the
//! flows explain; it is zero up to float rounding.

use crate::world::{metric_index, Params, Scratch, State, METRIC_COLUMNS, METRIC_RING, TICK_ACTED};

/// Sums per partial; slot `SUMS` of a partial holds the largest generation seen.
pub const SUMS: usize = 48;
pub const PARTIAL_STRIDE: usize = 49;

const Q_ALIVE: usize = 0;
const Q_ENERGY: usize = 1;
const Q_AGE: usize = 2;
const Q_GEN: usize = 3;
const Q_TERRAIN: usize = 4;
const Q_REGROWTH: usize = 12;
const Q_EATEN_CELLS: usize = 13;
const Q_ACTORS: usize = 14;
const Q_ACTIONS: usize = 15;
const Q_EATEN: usize = 27;
const Q_COSTS: usize = 28;
const Q_HIT: usize = 29;
const Q_STOLEN: usize = 30;
const Q_DEATH: usize = 31;
const Q_CULTIVATION: usize = 32;
const Q_PROGRAMMING: usize = 33;
const Q_BOT_ENERGY: usize = 34;
const Q_BOT_ACTIONS: usize = 35;
const Q_BOT_COSTS: usize = 42;
const Q_BOT_EATEN: usize = 43;
const Q_BOT_HIT: usize = 44;
const Q_BOT_STOLEN: usize = 45;
const Q_BOT_CLIP: usize = 46;
const Q_BOT_CULTIVATION: usize = 47;
/// The bot outputs the metrics average: move x, move y, push, eat, hit, gate, terraform gain.
const BOT_ACTION_OUTS: [usize; 7] = [0, 1, 2, 3, 5, 6, 7];

/// Totals the ledger compares against on the first tick.
pub fn seed_totals(st: &State, sc: &mut Scratch) {
    let (agents, cells) = energy_totals(st);
    let bots: f64 = st.bots.iter().map(|b| b.energy as f64).sum();
    sc.metrics_prev = vec![agents, cells, bots as f32, 0.0];
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

/// The chunk [lo, hi) of n items that partial w owns.
fn chunk(n: usize, w: usize, partials: usize) -> std::ops::Range<usize> {
    let per = n.div_ceil(partials);
    (w * per).min(n)..((w + 1) * per).min(n)
}

pub fn metrics_partial(p: &Params, st: &State, sc: &mut Scratch) {
    let partials = p.metric_partials as usize;
    for w in 0..partials {
        let mut acc = [0.0f32; SUMS];
        let mut gen_max = 0u32;
        for i in chunk(p.capacity as usize, w, partials) {
            let a = &st.agents[i];
            if a.alive != 0 {
                acc[Q_ALIVE] += 1.0;
                acc[Q_ENERGY] += a.energy;
                acc[Q_AGE] += a.age;
                acc[Q_GEN] += a.generation as f32;
                gen_max = gen_max.max(a.generation);
            }
            let t = &sc.agent_tick[i];
            if t.flags & TICK_ACTED != 0 {
                acc[Q_ACTORS] += 1.0;
                let o = &sc.actions[i * 44..(i + 1) * 44];
                for k in 0..7 {
                    acc[Q_ACTIONS + k] += o[k];
                }
                for k in 0..5 {
                    acc[Q_ACTIONS + 7 + k] += o[39 + k];
                }
                acc[Q_EATEN] += t.eaten;
                acc[Q_COSTS] += t.cost;
                acc[Q_HIT] += t.hit_received;
                acc[Q_STOLEN] += t.stolen;
                acc[Q_DEATH] += t.death_energy;
                acc[Q_CULTIVATION] += t.cultivation;
                acc[Q_PROGRAMMING] += t.programming;
            }
        }
        for b in chunk(st.bots.len(), w, partials) {
            let r = &sc.bot_tick[b];
            acc[Q_BOT_ENERGY] += st.bots[b].energy;
            for (k, out) in BOT_ACTION_OUTS.iter().enumerate() {
                acc[Q_BOT_ACTIONS + k] += r.out[*out].clamp(-1.0, 1.0);
            }
            acc[Q_BOT_COSTS] += r.cost;
            acc[Q_BOT_EATEN] += r.eaten;
            acc[Q_BOT_HIT] += r.hit_received;
            acc[Q_BOT_STOLEN] += r.stolen;
            acc[Q_BOT_CLIP] += r.clip;
            acc[Q_BOT_CULTIVATION] += r.cultivation;
        }
        for c in chunk(st.cells.len(), w, partials) {
            let cell = &st.cells[c];
            let f = [
                cell.energy,
                cell.max_energy,
                cell.energy_gain,
                cell.move_cost,
                cell.push_cost,
                cell.message_cost,
                cell.reproduce_cost,
                cell.bit,
            ];
            for k in 0..8 {
                acc[Q_TERRAIN + k] += f[k];
            }
            acc[Q_REGROWTH] += sc.cell_tick[c].regrowth;
            acc[Q_EATEN_CELLS] += sc.cell_tick[c].eaten;
        }
        let out = &mut sc.metrics_partials[w * PARTIAL_STRIDE..(w + 1) * PARTIAL_STRIDE];
        out[..SUMS].copy_from_slice(&acc);
        out[SUMS] = gen_max as f32;
    }
}

pub fn metrics(p: &Params, st: &mut State, sc: &mut Scratch) {
    let mut totals = [0.0f32; PARTIAL_STRIDE];
    for w in 0..p.metric_partials as usize {
        let part = &sc.metrics_partials[w * PARTIAL_STRIDE..(w + 1) * PARTIAL_STRIDE];
        for q in 0..SUMS {
            totals[q] += part[q];
        }
        totals[SUMS] = totals[SUMS].max(part[SUMS]);
    }
    let n = METRIC_COLUMNS.len();
    let mut row = vec![0.0f32; n];
    let col =
        |name: &str| metric_index(name).unwrap_or_else(|| panic!("metric column {name} missing"));
    let per = |x: f32, count: f32| if count > 0.0 { x / count } else { 0.0 };
    let ctl = sc.birth_control;
    let (alive, actors) = (totals[Q_ALIVE], totals[Q_ACTORS]);
    row[col("tick")] = st.clock.tick as f32 + 1.0;
    row[col("population")] = alive;
    row[col("births")] = ctl.births as f32;
    row[col("deaths")] = ctl.deaths as f32;
    row[col("respawns")] = ctl.respawns as f32;
    row[col("mean_energy")] = per(totals[Q_ENERGY], alive);
    row[col("mean_age")] = per(totals[Q_AGE], alive);
    row[col("mean_generation")] = per(totals[Q_GEN], alive);
    row[col("max_generation")] = totals[SUMS];
    let cells = st.cells.len() as f32;
    for k in 0..8 {
        row[col("terrain_energy") + k] = totals[Q_TERRAIN + k] / cells;
    }
    for k in 0..12 {
        row[col("action_move_x") + k] = per(totals[Q_ACTIONS + k], actors);
    }
    row[col("kardashev_agents")] = totals[Q_COSTS];
    row[col("cultivation_agents")] = totals[Q_CULTIVATION];
    row[col("programming_agents")] = totals[Q_PROGRAMMING];
    let bots = st.bots.len() as f32;
    row[col("bot_mean_energy")] = per(totals[Q_BOT_ENERGY], bots);
    for k in 0..BOT_ACTION_OUTS.len() {
        row[col("bot_action_move_x") + k] = per(totals[Q_BOT_ACTIONS + k], bots);
    }
    row[col("kardashev_bots")] = totals[Q_BOT_COSTS];
    row[col("cultivation_bots")] = totals[Q_BOT_CULTIVATION];
    let child = if p.child_energy_from_parent != 0 {
        0.0
    } else {
        p.child_energy
    };
    let birth_energy = ctl.births as f32 * child + ctl.respawns as f32 * p.initial_energy;
    row[col("ledger_regrowth")] = totals[Q_REGROWTH];
    row[col("ledger_eaten_by_agents")] = totals[Q_EATEN];
    row[col("ledger_eaten_from_cells")] = totals[Q_EATEN_CELLS];
    row[col("ledger_costs")] = totals[Q_COSTS];
    row[col("ledger_hit_received")] = totals[Q_HIT];
    row[col("ledger_stolen")] = totals[Q_STOLEN];
    row[col("ledger_birth_energy")] = birth_energy;
    row[col("ledger_death_energy")] = totals[Q_DEATH];
    row[col("ledger_eaten_by_bots")] = totals[Q_BOT_EATEN];
    row[col("ledger_bot_hit_received")] = totals[Q_BOT_HIT];
    row[col("ledger_bot_stolen")] = totals[Q_BOT_STOLEN];
    row[col("ledger_bot_clip")] = totals[Q_BOT_CLIP];
    row[col("agent_energy_total")] = totals[Q_ENERGY];
    row[col("cell_energy_total")] = totals[Q_TERRAIN];
    row[col("bot_energy_total")] = totals[Q_BOT_ENERGY];
    // Energy is conserved across agents, cells and bots up to these flows (eating only
    // moves it between them).
    let change = (totals[Q_ENERGY] - sc.metrics_prev[0])
        + (totals[Q_TERRAIN] - sc.metrics_prev[1])
        + (totals[Q_BOT_ENERGY] - sc.metrics_prev[2]);
    let explained = totals[Q_REGROWTH] - totals[Q_COSTS] - totals[Q_BOT_COSTS]
        + totals[Q_HIT]
        + totals[Q_STOLEN]
        + totals[Q_BOT_HIT]
        + totals[Q_BOT_STOLEN]
        + totals[Q_BOT_CLIP]
        + birth_energy
        - totals[Q_DEATH];
    row[col("ledger_error")] = change - explained;
    sc.metrics_prev[0] = totals[Q_ENERGY];
    sc.metrics_prev[1] = totals[Q_TERRAIN];
    sc.metrics_prev[2] = totals[Q_BOT_ENERGY];
    let slot = st.clock.tick as usize % METRIC_RING;
    sc.metrics_ring[slot * n..(slot + 1) * n].copy_from_slice(&row);
    st.clock.tick += 1;
    st.clock.bot_step = 0;
}
