//! What a new world draws that the running tick draws too: a random agent (the initial
//! agents, and births' respawns), genome noise (initial genomes, respawns and mutation),
//! and the energy totals the ledger starts from. The births pass's CPU twin
//! (src/cpu/births.rs) and shaders/births.wgsl compute the same.

use super::{lineage_key, Agent, Params, State, ID_LEN, NONE};
use crate::rng::{stream, Rng};

/// A brand-new agent at a random place with a random id.
pub fn random_agent(p: &Params, rng: &Rng, tick: u32, slot: u32) -> Agent {
    let mut a = Agent::zeroed_dead();
    a.alive = 1;
    a.energy = p.initial_energy;
    a.pos = [
        rng.uniform(tick, slot, stream::SPAWN_POS, 0) * p.world_size,
        rng.uniform(tick, slot, stream::SPAWN_POS, 1) * p.world_size,
    ];
    for k in 0..ID_LEN {
        a.id[k] = 2.0 * rng.uniform(tick, slot, stream::SPAWN_ID, k as u32) - 1.0;
    }
    a.lineage_lo = slot;
    a.lineage_hi = tick;
    a.parent_lo = NONE;
    a.parent_hi = NONE;
    a.founder = [slot, tick];
    if p.kin_generations != 0 {
        a.kin = lineage_key(slot, tick);
    }
    a
}

/// Mutation noise: weights 2m and 2m+1 take the two normals of pair m.
pub fn genome_noise(rng: &Rng, tick: u32, slot: u32, len: usize) -> impl Iterator<Item = f32> {
    let key = rng.key(tick, slot, stream::GENOME);
    (0..len.div_ceil(2) as u32)
        .flat_map(move |m| crate::rng::normal_pair_keyed(key, m))
        .take(len)
}

/// Totals the ledger compares against on a world's first tick.
pub fn seed_totals(st: &State) -> Vec<f32> {
    let (agents, cells) = energy_totals(st);
    let bots: f64 = st.bots.iter().map(|b| b.energy as f64).sum();
    vec![agents, cells, bots as f32, 0.0]
}

/// The energy of the living agents and of the cells.
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
