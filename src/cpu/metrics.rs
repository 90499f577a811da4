//! Reference of shaders/metrics.wgsl: one row of per-tick measures (columns in
//! `METRIC_COLUMNS`, documented in docs/metrics.md), written into the metrics ring, and the
//! tick counter advanced. `metrics_partial` sums contiguous chunks of the agents and cells
//! (one GPU workgroup each), `metrics` sums the partials and writes the row. The energy
//! ledger's `ledger_error` is the change in total energy (agents + cells) minus what the
//! flows explain; it is zero up to float rounding.
//!
//! The emergence measures (`agri_*`, `comm_*`; docs/measures.md): cultivated cells and the
//! energy eaten from them; speakers' and listeners' (message symbol, action symbol) pairs
//! counted into the tick's slot of the windowed histograms, from which `metrics` computes
//! entropies and mutual information with the Miller–Madow correction.

use crate::world::SALIENCY_GROUPS;
use crate::world::{
    act, comm, metric_index, Params, Scratch, State, ACTION_LEN, CULTIVATOR_AGENTS,
    CULTIVATOR_BOTS, DIVERSITY_EVERY_TICKS, DIVERSITY_SAMPLE, LINEAGE_FIXED_SCALE, METRIC_COLUMNS,
    METRIC_RING, NONE, PROGRAMMED_WINDOW_TICKS, TICK_ACTED,
};
use rayon::prelude::*;

/// Root-mean-square distance per weight of the first `DIVERSITY_SAMPLE` living agents'
/// genomes from their mean (WGSL `genome_diversity`, same order of sums).
pub fn genome_diversity(p: &Params, st: &State) -> f32 {
    let g = p.genome_len as usize;
    let sample = diversity_sample(st);
    if sample.len() < 2 || g == 0 {
        return 0.0;
    }
    let n = sample.len() as f32;
    // Per thread t of 64, weights t, t + 64, ...: sums per sample, then over threads. Each
    // task here takes 8 of those threads as 8 lanes and walks the genome a block of 64
    // weights at a time: every lane's sums run in its thread's order (the mean from -0.0,
    // as `Sum` does), so the loops vectorise across lanes and read each sampled genome in
    // order.
    const THREADS_PER_TASK: usize = 8;
    let mut per_thread = vec![[0.0f32; DIVERSITY_SAMPLE]; 64];
    per_thread
        .par_chunks_mut(THREADS_PER_TASK)
        .enumerate()
        .for_each(|(task, accs)| {
            let mut acc = [[0.0f32; THREADS_PER_TASK]; DIVERSITY_SAMPLE];
            for block in (0..g).step_by(64) {
                let w0 = block + task * THREADS_PER_TASK;
                if w0 >= g {
                    break;
                }
                let lanes = THREADS_PER_TASK.min(g - w0);
                let row = |i: usize| &st.genomes[i * g + w0..i * g + w0 + lanes];
                let mut mean = [-0.0f32; THREADS_PER_TASK];
                for &i in &sample {
                    for (m, v) in mean.iter_mut().zip(row(i)) {
                        *m += v;
                    }
                }
                for m in &mut mean {
                    *m /= n;
                }
                for (acc, &i) in acc.iter_mut().zip(&sample) {
                    for ((a, v), m) in acc.iter_mut().zip(row(i)).zip(&mean) {
                        let d = v - m;
                        *a += d * d;
                    }
                }
            }
            for (dt, out) in accs.iter_mut().enumerate() {
                for (o, lane) in out.iter_mut().zip(&acc) {
                    *o = lane[dt];
                }
            }
        });
    diversity_of(&per_thread, sample.len(), g)
}

/// The first `DIVERSITY_SAMPLE` living agents.
pub fn diversity_sample(st: &State) -> Vec<usize> {
    (0..st.agents.len())
        .filter(|&i| st.agents[i].alive != 0)
        .take(DIVERSITY_SAMPLE)
        .collect()
}

/// The 64 threads' sums per sampled agent, over threads, to the mean distance per weight.
pub fn diversity_of(per_thread: &[[f32; DIVERSITY_SAMPLE]], sampled: usize, g: usize) -> f32 {
    let mut total = 0.0f32;
    for k in 0..sampled {
        let mut s = 0.0f32;
        for acc in per_thread {
            s += acc[k];
        }
        total += (s / g as f32).sqrt();
    }
    total / sampled as f32
}

/// Insert a key into the open-addressing set (linear probing); returns its slot. The GPU
/// does the same with compare-exchange; where keys land depends on the order, but how many
/// slots are filled does not, so `metrics` counts those, and what is summed per slot does
/// not either.
fn insert_key(set: &mut [u32], key: u32) -> usize {
    let mask = set.len() - 1;
    let mut s = key as usize & mask;
    loop {
        if set[s] == 0 {
            set[s] = key;
            return s;
        }
        if set[s] == key {
            return s;
        }
        s = (s + 1) & mask;
    }
}

/// The slot of a key in the set, if it is there (WGSL `find_lineage`).
fn find_key(set: &[u32], key: u32) -> Option<usize> {
    let mask = set.len() - 1;
    let mut s = key as usize & mask;
    for _ in 0..set.len() {
        match set[s] {
            0 => return None,
            k if k == key => return Some(s),
            _ => s = (s + 1) & mask,
        }
    }
    None
}

use crate::world::{MEALS_AT, MEAL_SUMS, PARTIAL_STRIDE, SUMS};

/// `metrics_meals`' sums over the agents alive at the end of the tick: what they ate; what
/// they ate from cells an agent lineage cultivated, what of it the cultivator's own lineage
/// ate, and each meal times its cultivator lineage's eating (the chance level's numerator);
/// the same for cells cultivated by bots that a lineage programmed.
pub const M_EATEN: usize = 0;
pub const M_FARM_FOOD: usize = 1;
pub const M_FARM_OWN: usize = 2;
pub const M_FARM_CHANCE: usize = 3;
pub const M_BOT_FOOD: usize = 4;
pub const M_BOT_OWN: usize = 5;
pub const M_BOT_CHANCE: usize = 6;

pub const Q_ALIVE: usize = 0;
pub const Q_ENERGY: usize = 1;
pub const Q_AGE: usize = 2;
pub const Q_GEN: usize = 3;
pub const Q_TERRAIN: usize = 4;
pub const Q_REGROWTH: usize = 12;
pub const Q_EATEN_CELLS: usize = 13;
pub const Q_ACTORS: usize = 14;
pub const Q_ACTIONS: usize = 15;
pub const Q_EATEN: usize = 27;
pub const Q_COSTS: usize = 28;
pub const Q_HIT: usize = 29;
pub const Q_STOLEN: usize = 30;
pub const Q_DEATH: usize = 31;
pub const Q_CULTIVATION: usize = 32;
pub const Q_PROGRAMMING: usize = 33;
pub const Q_BOT_ENERGY: usize = 34;
pub const Q_BOT_ACTIONS: usize = 35;
pub const Q_BOT_COSTS: usize = 42;
pub const Q_BOT_EATEN: usize = 43;
pub const Q_BOT_HIT: usize = 44;
pub const Q_BOT_STOLEN: usize = 45;
pub const Q_BOT_CLIP: usize = 46;
pub const Q_BOT_CULTIVATION: usize = 47;
pub const Q_CULTIVATED_CELLS: usize = 48;
pub const Q_EATEN_CULTIVATED: usize = 49;
pub const Q_CULTIVATION_COST: usize = 50;
pub const Q_GATE_OPEN: usize = 51;
pub const Q_PROGRAMMED: usize = 52;
pub const Q_BOTS_PROGRAMMED: usize = 53;
pub const Q_BOT_TERRAFORM_STEPS: usize = 54;
pub const Q_BOT_MOVED: usize = 55;
pub const Q_EATEN_BOT_FARMS: usize = 56;
/// What agents received from hits, and took with their own, where positive: income.
pub const Q_GIFTS: usize = 57;
pub const Q_THEFT: usize = 58;
/// What bots passed to agents (`ecology.bot_kin_share`).
pub const Q_FROM_BOTS: usize = 59;

/// Sign bits of a message's first four components (WGSL `message_symbol`).
pub fn message_symbol(m: &[f32]) -> u32 {
    (0..4).map(|k| u32::from(m[k] > 0.0) << k).sum()
}

/// Sign bits of move x, move y and eat (WGSL `action_symbol`).
pub fn action_symbol(o: &[f32]) -> u32 {
    u32::from(o[act::MOVE_X] > 0.0)
        | u32::from(o[act::MOVE_Y] > 0.0) << 1
        | u32::from(o[act::EAT] > 0.0) << 2
}

/// Entropy (nats) of counts with the Miller–Madow correction, (m − 1) / 2N for m
/// occupied bins; returns (entropy, m).
fn entropy_mm(counts: impl Iterator<Item = u32>, n: f32) -> (f32, f32) {
    let (mut s, mut m) = (0.0f32, 0.0f32);
    for c in counts.filter(|c| *c > 0) {
        let c = c as f32;
        s += c * c.ln();
        m += 1.0;
    }
    (n.ln() - s / n + (m - 1.0) / (2.0 * n), m)
}

/// (MI, H(messages), plug-in bias bound) in bits of a messages × actions table (WGSL
/// `table_stats`); all 0 for an empty table.
pub fn table_stats(t: &[u32]) -> [f32; 3] {
    let (nx, ny) = (comm::MESSAGE_SYMBOLS, comm::ACTION_SYMBOLS);
    let n: f32 = t.iter().map(|c| *c as f32).sum();
    if n == 0.0 {
        return [0.0; 3];
    }
    let rows = (0..nx).map(|x| t[x * ny..(x + 1) * ny].iter().sum::<u32>());
    let cols = (0..ny).map(|y| (0..nx).map(|x| t[x * ny + y]).sum::<u32>());
    let (hx, mx) = entropy_mm(rows, n);
    let (hy, my) = entropy_mm(cols, n);
    let (hxy, _) = entropy_mm(t.iter().copied(), n);
    let bits = std::f32::consts::LN_2;
    let bias = (mx - 1.0) * (my - 1.0) / (2.0 * n);
    [(hx + hy - hxy) / bits, hx / bits, bias / bits]
}
/// The bot outputs the metrics average: move x, move y, push, eat, hit, gate, terraform gain.
const BOT_ACTION_OUTS: [usize; 7] = [0, 1, 2, 3, 5, 6, 7];

/// The chunk [lo, hi) of n items that partial w owns.
fn chunk(n: usize, w: usize, partials: usize) -> std::ops::Range<usize> {
    let per = n.div_ceil(partials);
    (w * per).min(n)..((w + 1) * per).min(n)
}

/// Each partial's sums of the agents, bots and cells in its range. Long because it is the
/// reference of shaders/metrics.wgsl's partial pass, its column blocks in the shader's order.
pub fn metrics_partial(p: &Params, st: &mut State, sc: &mut Scratch) {
    let partials = p.metric_partials as usize;
    let slot = st.clock.tick as usize % comm::WINDOW_TICKS * comm::SLOT;
    let n = p.capacity as usize;
    // The partials in parallel, each over its range in order; then their symbol counts
    // (integers, in any order) and lineages, in slot order: a key's place in the
    // open-addressed set depends on the order of insertion.
    let per = n.div_ceil(partials).max(1);
    let mut heard_parts: Vec<&mut [u32]> = st.heard[..n].chunks_mut(per).collect();
    heard_parts.resize_with(partials, Default::default);
    type Sums = ([f32; SUMS], u32, Vec<u32>, Vec<(u32, u32)>);
    let sums: Vec<Sums> = heard_parts
        .into_par_iter()
        .enumerate()
        .map(|(w, heard_part)| {
            let mut acc = [0.0f32; SUMS];
            let mut gen_max = 0u32;
            let mut counted = Vec::new();
            let mut lineages = Vec::with_capacity(per);
            for (i, heard_next) in chunk(n, w, partials).zip(heard_part.iter_mut()) {
                let a = &st.agents[i];
                let t = &sc.agent_tick[i];
                if a.alive != 0 {
                    let eaten = (t.eaten * LINEAGE_FIXED_SCALE).round_ties_even() as u32;
                    lineages.push((crate::layout::kin_key(a), eaten));
                    acc[Q_ALIVE] += 1.0;
                    acc[Q_ENERGY] += a.energy;
                    acc[Q_AGE] += a.age;
                    acc[Q_GEN] += a.generation as f32;
                    gen_max = gen_max.max(a.generation);
                }
                if t.flags & TICK_ACTED != 0 {
                    acc[Q_ACTORS] += 1.0;
                    let o = &sc.actions[i * ACTION_LEN..(i + 1) * ACTION_LEN];
                    for k in 0..7 {
                        acc[Q_ACTIONS + k] += o[k];
                    }
                    for k in 0..5 {
                        acc[Q_ACTIONS + 7 + k] += o[act::TERRAFORM + k];
                    }
                    acc[Q_EATEN] += t.eaten;
                    acc[Q_COSTS] += t.cost;
                    acc[Q_HIT] += t.hit_received;
                    acc[Q_STOLEN] += t.stolen;
                    acc[Q_GIFTS] += t.hit_received.max(0.0);
                    acc[Q_THEFT] += t.stolen.max(0.0);
                    acc[Q_FROM_BOTS] += t.from_bots;
                    acc[Q_DEATH] += t.death_energy;
                    acc[Q_CULTIVATION] += t.cultivation;
                    acc[Q_PROGRAMMING] += t.programming;
                    acc[Q_PROGRAMMED] += t.programmed as f32;
                    acc[Q_CULTIVATION_COST] +=
                        p.terraform_cost * super::terraform_act(p, o[act::TERRAFORM]).max(0.0);
                    let acted = action_symbol(o) as usize;
                    if o[act::GATE] > 0.0 {
                        acc[Q_GATE_OPEN] += 1.0;
                        let sent = message_symbol(&o[act::OTHER_MESSAGE..]) as usize;
                        counted.push((slot + sent * comm::ACTION_SYMBOLS + acted) as u32);
                    }
                    let heard = *heard_next;
                    if heard != NONE {
                        counted.push(
                            (slot + comm::TABLE + heard as usize * comm::ACTION_SYMBOLS + acted)
                                as u32,
                        );
                    }
                }
                // What it will observe next tick (zeros when messages are off; shuffle_agents
                // replaces it with another's when they are shuffled).
                *heard_next = if a.alive == 0 {
                    NONE
                } else if p.messages_on != 0 {
                    message_symbol(&a.other_message)
                } else {
                    0
                };
            }
            for b in chunk(st.bots.len(), w, partials) {
                let r = &sc.bot_tick[b];
                acc[Q_BOT_ENERGY] += st.bots[b].energy;
                let since = st.bot_programmed[b];
                if since != NONE && st.clock.tick - since < PROGRAMMED_WINDOW_TICKS {
                    acc[Q_BOTS_PROGRAMMED] += 1.0;
                }
                for (k, out) in BOT_ACTION_OUTS.iter().enumerate() {
                    acc[Q_BOT_ACTIONS + k] += r.out[*out].clamp(-1.0, 1.0);
                }
                acc[Q_BOT_COSTS] += r.cost;
                acc[Q_BOT_EATEN] += r.eaten;
                acc[Q_BOT_HIT] += r.hit_received;
                acc[Q_BOT_STOLEN] += r.stolen;
                acc[Q_BOT_CLIP] += r.clip;
                acc[Q_BOT_CULTIVATION] += r.cultivation;
                acc[Q_BOT_TERRAFORM_STEPS] += r.terraform_steps as f32;
                acc[Q_BOT_MOVED] += r.moved as f32;
                if p.terraform_rate > 0.0 {
                    acc[Q_CULTIVATION_COST] += r.cultivation * p.terraform_cost / p.terraform_rate;
                }
            }
            for c in chunk(st.cells.len(), w, partials) {
                let cell = &st.cells[c];
                // The terrain columns in the cell's field order, energy to bit.
                let f: [f32; 8] = bytemuck::cast(*cell);
                for k in 0..8 {
                    acc[Q_TERRAIN + k] += f[k];
                }
                acc[Q_REGROWTH] += sc.cell_tick[c].regrowth;
                acc[Q_EATEN_CELLS] += sc.cell_tick[c].eaten;
                if cell.energy_gain - st.shadow_gain[c] > p.cultivated_gain {
                    acc[Q_CULTIVATED_CELLS] += 1.0;
                    acc[Q_EATEN_CULTIVATED] += sc.cell_tick[c].eaten;
                    if st.cultivator[c] == crate::world::CULTIVATOR_BOTS {
                        acc[Q_EATEN_BOT_FARMS] += sc.cell_tick[c].eaten_by_agents;
                    }
                }
            }
            (acc, gen_max, counted, lineages)
        })
        .collect();
    for (w, (acc, gen_max, counted, lineages)) in sums.into_iter().enumerate() {
        for (key, eaten) in lineages {
            let slot = insert_key(&mut sc.lineage_set, key);
            sc.lineage_eaten[slot] = sc.lineage_eaten[slot].wrapping_add(eaten);
        }
        for h in counted {
            st.comm_hist[h as usize] += 1;
        }
        let out = &mut sc.metrics_partials[w * PARTIAL_STRIDE..(w + 1) * PARTIAL_STRIDE];
        out[..SUMS].copy_from_slice(&acc);
        out[SUMS] = gen_max as f32;
    }
}

/// Own harvest and programmer benefit: per partial, the meals of the agents alive at the end
/// of the tick (`AgentTick::meal_from`), after `metrics_partial` has summed each living
/// lineage's eating into `lineage_eaten`.
pub fn metrics_meals(p: &Params, st: &State, sc: &mut Scratch) {
    let partials = p.metric_partials as usize;
    sc.metrics_partials[..partials * PARTIAL_STRIDE]
        .par_chunks_mut(PARTIAL_STRIDE)
        .enumerate()
        .for_each(|(w, row)| {
            let mut acc = [0.0f32; MEAL_SUMS];
            for i in chunk(p.capacity as usize, w, partials) {
                let a = &st.agents[i];
                let t = &sc.agent_tick[i];
                if a.alive == 0 || t.flags & TICK_ACTED == 0 {
                    continue;
                }
                // The lineage sums' fixed point: a lineage's share of all eating stays at most 1.
                acc[M_EATEN] +=
                    (t.eaten * LINEAGE_FIXED_SCALE).round_ties_even() / LINEAGE_FIXED_SCALE;
                let at = match t.meal_from {
                    CULTIVATOR_AGENTS => M_FARM_FOOD,
                    CULTIVATOR_BOTS if t.meal_lineage != 0 => M_BOT_FOOD,
                    _ => continue,
                };
                let eaten_by_lineage = find_key(&sc.lineage_set, t.meal_lineage)
                    .map_or(0.0, |s| sc.lineage_eaten[s] as f32 / LINEAGE_FIXED_SCALE);
                acc[at] += t.eaten;
                if t.meal_lineage == crate::layout::kin_key(a) {
                    acc[at + 1] += t.eaten;
                }
                acc[at + 2] += t.eaten * eaten_by_lineage;
            }
            row[MEALS_AT..].copy_from_slice(&acc);
        });
}

/// One metrics row. Long because it is the reference of shaders/metrics.wgsl's final pass,
/// written column block by column block in the shader's order so the two read side by side.
pub fn metrics(p: &Params, st: &mut State, sc: &mut Scratch) {
    let mut totals = [0.0f32; PARTIAL_STRIDE];
    for w in 0..p.metric_partials as usize {
        let part = &sc.metrics_partials[w * PARTIAL_STRIDE..(w + 1) * PARTIAL_STRIDE];
        for q in (0..SUMS).chain(MEALS_AT..PARTIAL_STRIDE) {
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
    // Energy is conserved across agents, cells and bots up to these flows. Eating moves it
    // from cells to eaters, except what strangers do not digest (`ecology`).
    let change = (totals[Q_ENERGY] - st.metrics_prev[0])
        + (totals[Q_TERRAIN] - st.metrics_prev[1])
        + (totals[Q_BOT_ENERGY] - st.metrics_prev[2]);
    let explained = totals[Q_REGROWTH] - totals[Q_COSTS] - totals[Q_BOT_COSTS]
        + totals[Q_HIT]
        + totals[Q_STOLEN]
        + totals[Q_BOT_HIT]
        + totals[Q_BOT_STOLEN]
        + totals[Q_BOT_CLIP]
        + birth_energy
        - totals[Q_DEATH]
        + (totals[Q_EATEN] + totals[Q_BOT_EATEN] - totals[Q_EATEN_CELLS]);
    row[col("ledger_error")] = change - explained;
    let m = &mut st.measures;
    m.eaten_cultivated_total += totals[Q_EATEN_CULTIVATED];
    m.cultivation_cost_total += totals[Q_CULTIVATION_COST];
    row[col("agri_cultivated_cells")] = totals[Q_CULTIVATED_CELLS];
    row[col("agri_eaten_cultivated")] = totals[Q_EATEN_CULTIVATED];
    row[col("agri_eaten_cultivated_share")] =
        per(totals[Q_EATEN_CULTIVATED], totals[Q_EATEN_CELLS]);
    row[col("agri_cultivation_cost")] = totals[Q_CULTIVATION_COST];
    row[col("agri_farming_return")] = per(m.eaten_cultivated_total, m.cultivation_cost_total);
    row[col("comm_gate_activity")] = per(totals[Q_GATE_OPEN], actors);
    let mut window = vec![0u32; comm::SLOT];
    for t in st.comm_hist.chunks(comm::SLOT) {
        for (w, c) in window.iter_mut().zip(t) {
            *w += c;
        }
    }
    let [speaker_mi, entropy, speaker_bias] = table_stats(&window[..comm::TABLE]);
    let [listener_mi, _, listener_bias] = table_stats(&window[comm::TABLE..]);
    row[col("comm_message_entropy")] = entropy;
    row[col("comm_speaker_mi")] = speaker_mi;
    row[col("comm_speaker_bias")] = speaker_bias;
    row[col("comm_listener_mi")] = listener_mi;
    row[col("comm_listener_bias")] = listener_bias;
    row[col("tool_programming_events")] = totals[Q_PROGRAMMED];
    row[col("tool_bots_programmed_share")] = per(totals[Q_BOTS_PROGRAMMED], bots);
    let lineages = sc.lineage_set.iter().filter(|k| **k != 0).count() as f32;
    row[col("evo_lineages_alive")] = lineages;
    // Lineages only begin with respawned agents, so those lost are the rest of the change.
    row[col("evo_lineages_lost")] = st.measures.lineages_prev + ctl.respawns as f32 - lineages;
    st.measures.lineages_prev = lineages;
    if st.clock.tick.is_multiple_of(DIVERSITY_EVERY_TICKS) {
        st.measures.genome_diversity = genome_diversity(p, st);
    }
    row[col("evo_genome_diversity")] = st.measures.genome_diversity;
    row[col("tool_bot_terraform_steps")] = totals[Q_BOT_TERRAFORM_STEPS];
    row[col("tool_bot_moved")] = totals[Q_BOT_MOVED];
    row[col("tool_eaten_from_bot_farms")] = totals[Q_EATEN_BOT_FARMS];
    let saliency = col("brain_saliency_terrain");
    row[saliency..saliency + SALIENCY_GROUPS].copy_from_slice(&st.measures.saliency);
    row[col("comm_influence_changed")] = st.measures.influence_changed;
    row[col("comm_influence_delta")] = st.measures.influence_delta;
    let meals = &totals[MEALS_AT..];
    row[col("agri_own_harvest_food")] = meals[M_FARM_FOOD];
    row[col("agri_own_harvest_share")] = per(meals[M_FARM_OWN], meals[M_FARM_FOOD]);
    row[col("agri_own_harvest_chance")] =
        per(meals[M_FARM_CHANCE], meals[M_FARM_FOOD] * meals[M_EATEN]);
    row[col("tool_programmer_food")] = meals[M_BOT_FOOD];
    row[col("tool_programmer_benefit")] = per(meals[M_BOT_OWN], meals[M_BOT_FOOD]);
    row[col("tool_programmer_benefit_chance")] =
        per(meals[M_BOT_CHANCE], meals[M_BOT_FOOD] * meals[M_EATEN]);
    // What agents live on: shares of their income, counting for each agent what hits
    // gave it and what its own hits took where they added to it, and new energy at birth.
    let income =
        totals[Q_EATEN] + totals[Q_GIFTS] + birth_energy + totals[Q_THEFT] + totals[Q_FROM_BOTS];
    row[col("income_eating")] = per(totals[Q_EATEN], income);
    row[col("income_gifts")] = per(totals[Q_GIFTS], income);
    row[col("income_births")] = per(birth_energy, income);
    row[col("income_theft")] = per(totals[Q_THEFT], income);
    row[col("income_from_bots")] = per(totals[Q_FROM_BOTS], income);
    row[col("ledger_from_bots")] = totals[Q_FROM_BOTS];
    // The next tick's histogram slot starts empty.
    let next = (st.clock.tick as usize + 1) % comm::WINDOW_TICKS * comm::SLOT;
    st.comm_hist[next..next + comm::SLOT].fill(0);
    st.metrics_prev[0] = totals[Q_ENERGY];
    st.metrics_prev[1] = totals[Q_TERRAIN];
    st.metrics_prev[2] = totals[Q_BOT_ENERGY];
    let slot = st.clock.tick as usize % METRIC_RING;
    sc.metrics_ring[slot * n..(slot + 1) * n].copy_from_slice(&row);
    st.clock.tick += 1;
    st.clock.bot_step = 0;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` (message, action) pairs drawn independently and uniformly, as a table.
    fn independent_table(seed: u64, n: u32) -> Vec<u32> {
        let rng = crate::rng::Rng::new(seed);
        let mut t = vec![0u32; comm::TABLE];
        for i in 0..n {
            let x = (rng.uniform(0, i, 1, 0) * comm::MESSAGE_SYMBOLS as f32) as usize;
            let y = (rng.uniform(0, i, 1, 1) * comm::ACTION_SYMBOLS as f32) as usize;
            t[x.min(15) * comm::ACTION_SYMBOLS + y.min(7)] += 1;
        }
        t
    }

    #[test]
    fn independent_messages_carry_no_information_within_the_bias_bound() {
        // 2,048 pairs: the window of 32 ticks of 64 speakers.
        for seed in 0..20 {
            let [mi, h, bound] = table_stats(&independent_table(seed, 2048));
            assert!(mi.abs() <= bound, "seed {seed}: MI {mi} outside ±{bound}");
            assert!((h - 4.0).abs() < 0.05, "16 equiprobable messages: {h} bits");
        }
    }

    #[test]
    fn a_message_that_copies_the_action_carries_its_entropy() {
        let mut t = vec![0u32; comm::TABLE];
        for (a, count) in [40u32, 10, 25, 25, 60, 5, 30, 11].iter().enumerate() {
            t[(a + 8) * comm::ACTION_SYMBOLS + a] = *count;
        }
        let [mi, h, _] = table_stats(&t);
        assert!((mi - h).abs() < 1e-5, "MI {mi} H {h}");
        assert!(h > 2.5 && h < 3.0);
        assert_eq!(table_stats(&vec![0; comm::TABLE]), [0.0; 3]);
    }

    #[test]
    fn symbols_are_sign_bits() {
        assert_eq!(message_symbol(&[1.0, -1.0, 0.5, 0.0, 9.0]), 0b0101);
        let mut o = vec![0.0; 44];
        o[act::MOVE_Y] = 0.3;
        o[act::EAT] = 0.1;
        assert_eq!(action_symbol(&o), 0b110);
    }
}
