//! Reference of shaders/births.wgsl. `births_select` serves would-be parents in
//! order of decreasing energy (ties by slot) while free slots remain, pairing the i-th
//! chosen parent (in slot order) with the i-th free slot, or respawns `min_agents` random
//! agents when none is alive (and, under `ecology.respawn_below`, tops the population up
//! with respawns in the free slots after the births'); `births_spawn` writes the children; `births_genome` writes
//! their genomes: the parent's plus N(0, sigma^2) per weight, or a fresh random genome.

use rayon::prelude::*;

use crate::rng::{stream, Rng};
use crate::world::brain::round_weight;
use crate::world::genesis::random_agent;
use crate::world::{
    Agent, Birth, BirthControl, LifeEvent, Params, Scratch, State, CAUSE_HIT, CAUSE_STARVED,
    EVENT_BIRTH, EVENT_DEATH, ID_LEN, MESSAGE_LEN, NONE, TICK_DIED, TICK_WANTS_CHILD,
};

/// Weights a thread of the CPU's `births_genome` mutates at a time (an even number: the
/// two normals of a pair go to one chunk).
const GENOME_CHUNK: usize = 4096;

/// A respawned agent's genome: weight w is `scale[w]` N(0, 1) (see `world::brain`), in
/// chunks across the threads.
pub fn random_genome(scale: &[f32], rng: &Rng, tick: u32, slot: u32, genome: &mut [f32]) {
    let key = rng.key(tick, slot, stream::GENOME);
    genome
        .par_chunks_mut(GENOME_CHUNK)
        .zip(scale.par_chunks(GENOME_CHUNK))
        .enumerate()
        .for_each(|(k, (genome, scale))| {
            let len = scale.len().min(genome.len());
            let genome = &mut genome[..len];
            crate::rng::normals_keyed(key, k * GENOME_CHUNK, genome);
            for (g, s) in genome.iter_mut().zip(scale) {
                *g *= s;
            }
        });
}

/// With `child_energy_from_parent`, what the parent hands over: `child_energy`, but never
/// more than half of what it has, so a parent is never left at or below zero while alive.
pub fn child_transfer(p: &Params, parent_energy: f32) -> f32 {
    p.child_energy.min(0.5 * parent_energy)
}

/// The key that orders would-be parents (WGSL `energy_key`), largest first: the energy,
/// whose bit patterns order like the values as living agents' energies are positive, or
/// under `ecology.random_parents` a draw per (tick, slot) in [0, 1), equally below 2^31.
fn parent_key(p: &Params, rng: &Rng, tick: u32, slot: u32, energy: f32) -> u32 {
    if p.random_parents != 0 {
        rng.uniform(tick, slot, stream::PARENT_ORDER, 0).to_bits()
    } else {
        energy.max(0.0).to_bits()
    }
}

/// Respawns on top of `births` while the population is below `ecology.respawn_below`, in
/// the free slots the births leave (WGSL `respawn_top_up`).
pub fn respawn_top_up(p: &Params, alive: u32, births: u32, free: u32) -> u32 {
    p.respawn_below
        .saturating_sub(alive + births)
        .min(free - births)
}

/// Append a birth or death (WGSL `record`): past the buffer's end it is only counted.
fn record(sc: &mut Scratch, e: LifeEvent) {
    let k = sc.event_count as usize;
    if let Some(slot) = sc.events.get_mut(k) {
        *slot = e;
    }
    sc.event_count += 1;
}

/// The birth of a newcomer (WGSL `record_birth`): its id, its parent's (all ones for a
/// respawn) and its generation, all read off the agent.
fn birth_of(a: &Agent, tick: u32) -> LifeEvent {
    LifeEvent {
        kind: EVENT_BIRTH,
        tick,
        id: [a.lineage_lo, a.lineage_hi],
        parent: [a.parent_lo, a.parent_hi],
        generation: a.generation,
        cause: 0,
    }
}

pub fn births_select(p: &Params, rng: &Rng, st: &mut State, sc: &mut Scratch) {
    let cap = st.agents.len();
    // A small world's scans are cheaper on one thread than handed out.
    const MIN_SPLIT: usize = 2048;
    let alive: Vec<bool> = st
        .agents
        .par_iter()
        .with_min_len(MIN_SPLIT)
        .map(|a| a.alive != 0)
        .collect();
    let wants: Vec<bool> = (0..cap)
        .into_par_iter()
        .with_min_len(MIN_SPLIT)
        .map(|i| alive[i] && sc.agent_tick[i].flags & TICK_WANTS_CHILD != 0)
        .collect();
    let alive_count = alive.iter().filter(|a| **a).count() as u32;
    let candidates = wants.iter().filter(|w| **w).count() as u32;
    let mut deaths = 0;
    for i in 0..cap {
        let t = sc.agent_tick[i];
        if t.flags & TICK_DIED != 0 {
            deaths += 1;
            let a = &st.agents[i];
            // Killed by hits if it would have lived without them.
            let cause = if t.hit_received < 0.0 && t.death_energy - t.hit_received > 0.0 {
                CAUSE_HIT
            } else {
                CAUSE_STARVED
            };
            record(
                sc,
                LifeEvent {
                    kind: EVENT_DEATH,
                    tick: st.clock.tick,
                    id: [a.lineage_lo, a.lineage_hi],
                    parent: [NONE, NONE],
                    generation: a.generation,
                    cause,
                },
            );
        }
    }
    let free = cap as u32 - alive_count;
    let mut ctl = BirthControl {
        deaths,
        candidates,
        ..Default::default()
    };
    if alive_count == 0 {
        let n = p.min_agents.min(cap as u32);
        for r in 0..n {
            sc.birth_list[r as usize] = Birth {
                child: r,
                parent: NONE,
            };
        }
        ctl.count = n;
        ctl.respawns = n;
    } else {
        // Would-be parents by decreasing energy, ties by slot; the first `free` are chosen.
        // Keys are distinct (the slot breaks ties), so the first `free` by selection are
        // the first `free` by a full sort, in another order, which `chosen` forgets.
        let tick = st.clock.tick;
        // A full world (no free slot) chooses none, and its keys are not needed.
        let mut order: Vec<(std::cmp::Reverse<u32>, usize)> = (0..if free > 0 { cap } else { 0 })
            .into_par_iter()
            .with_min_len(MIN_SPLIT)
            .filter(|&i| wants[i])
            .map(|i| {
                let key = parent_key(p, rng, tick, i as u32, st.agents[i].energy);
                (std::cmp::Reverse(key), i)
            })
            .collect();
        let take = (free as usize).min(order.len());
        if take > 0 && take < order.len() {
            order.select_nth_unstable(take - 1);
        }
        let mut chosen = vec![false; cap];
        for &(_, i) in &order[..take] {
            chosen[i] = true;
        }
        let parents: Vec<u32> = (0..cap).filter(|&i| chosen[i]).map(|i| i as u32).collect();
        let free_slots: Vec<u32> = (0..cap).filter(|&i| !alive[i]).map(|i| i as u32).collect();
        let n = parents.len().min(free_slots.len());
        let respawns = respawn_top_up(p, alive_count, n as u32, free) as usize;
        // The births, then the top-up respawns in the free slots after theirs.
        for (r, &child) in free_slots.iter().enumerate().take(n + respawns) {
            sc.birth_list[r] = Birth {
                child,
                parent: if r < n { parents[r] } else { NONE },
            };
        }
        ctl.count = (n + respawns) as u32;
        ctl.births = n as u32;
        ctl.respawns = respawns as u32;
    }
    ctl.alive_after = alive_count + ctl.count;
    let groups = ctl.count.div_ceil(64);
    ctl.spawn_args = [groups.min(65535), groups.div_ceil(65535), 1];
    ctl.genome_args = if p.genome_len == 0 || ctl.count == 0 {
        [0, 1, 1]
    } else {
        [
            (p.genome_len / 2).div_ceil(256 * crate::world::GENOME_PAIRS_PER_THREAD),
            ctl.count.min(65535),
            ctl.count.div_ceil(65535),
        ]
    };
    sc.birth_control = ctl;
    st.clock.alive = ctl.alive_after;
}

pub fn births_spawn(p: &Params, rng: &Rng, st: &mut State, sc: &mut Scratch) {
    let tick = st.clock.tick;
    let n = p.brain_state_len as usize;
    for r in 0..sc.birth_control.count as usize {
        let b = sc.birth_list[r];
        // Every newcomer starts with a fresh recurrent state.
        let c = b.child as usize;
        st.brain_state[c * n..(c + 1) * n].fill(0.0);
        if b.parent == NONE {
            st.agents[b.child as usize] = random_agent(p, rng, tick, b.child);
            record(sc, birth_of(&st.agents[b.child as usize], tick));
            continue;
        }
        let parent = st.agents[b.parent as usize];
        let mut child = Agent::zeroed_dead();
        child.alive = 1;
        child.pos = parent.pos;
        let transfer = child_transfer(p, parent.energy);
        child.energy = if p.child_energy_from_parent != 0 {
            transfer
        } else {
            p.child_energy
        };
        for k in 0..ID_LEN {
            let u = 2.0 * rng.uniform(tick, b.child, stream::CHILD_ID, k as u32) - 1.0;
            child.id[k] = (parent.id[k] + u * p.id_drift).clamp(-1.0, 1.0);
        }
        debug_assert_eq!(child.self_message, [0.0; MESSAGE_LEN]);
        child.generation = parent.generation + 1;
        child.lineage_lo = b.child;
        child.lineage_hi = tick;
        child.parent_lo = parent.lineage_lo;
        child.parent_hi = parent.lineage_hi;
        child.founder = parent.founder;
        child.kin = parent.kin;
        if p.kin_generations != 0 && child.generation.is_multiple_of(p.kin_generations) {
            child.kin = crate::world::lineage_key(b.child, tick);
        }
        if p.kin_ticks != 0 && parent.lineage_hi / p.kin_ticks < tick / p.kin_ticks {
            child.kin = crate::layout::epoch_kin_key(&parent, tick / p.kin_ticks);
        }
        st.agents[b.child as usize] = child;
        record(sc, birth_of(&child, tick));
        if p.child_energy_from_parent != 0 {
            st.agents[b.parent as usize].energy -= transfer;
        }
    }
}

/// `scale`: a fresh weight's scale; `sigma`: the child's mutation σ, per weight; `f16`:
/// weights are stored as half floats.
pub fn births_genome(
    p: &Params,
    f16: bool,
    rng: &Rng,
    scale: &[f32],
    sigma: &[f32],
    st: &mut State,
    sc: &mut Scratch,
) {
    let len = p.genome_len as usize;
    if len == 0 {
        return;
    }
    let tick = st.clock.tick;
    for r in 0..sc.birth_control.count as usize {
        let b = sc.birth_list[r];
        let c = b.child as usize;
        if b.parent == NONE {
            random_genome(
                scale,
                rng,
                tick,
                b.child,
                &mut st.genomes[c * len..(c + 1) * len],
            );
            if f16 {
                st.genomes[c * len..(c + 1) * len]
                    .iter_mut()
                    .for_each(|w| *w = round_weight(*w, true));
            }
        } else {
            // The child's slot is never its parent's, so split the genomes around it.
            let pa = b.parent as usize;
            let (child, parent) = if c < pa {
                let (lo, hi) = st.genomes.split_at_mut(pa * len);
                (&mut lo[c * len..(c + 1) * len], &hi[..len])
            } else {
                let (lo, hi) = st.genomes.split_at_mut(c * len);
                (&mut hi[..len], &lo[pa * len..(pa + 1) * len])
            };
            let noise_key = rng.key(tick, b.child, stream::GENOME);
            let mask_key = rng.key(tick, b.child, stream::MUTATION_MASK);
            child
                .par_chunks_mut(GENOME_CHUNK)
                .enumerate()
                .for_each(|(k, out)| {
                    crate::world::brain::mutate_into(
                        p.mutation_rate,
                        f16,
                        noise_key,
                        mask_key,
                        sigma,
                        parent,
                        k * GENOME_CHUNK,
                        out,
                    );
                });
        }
    }
}
