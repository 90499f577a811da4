//! The world at tick 0 (`State::new`), and what it draws that the running tick draws too:
//! a random agent (the initial agents, and births' respawns), genome noise (initial
//! genomes, respawns and mutation), and the energy totals the ledger starts from. The
//! births pass's CPU twin (src/cpu/births.rs) and shaders/births.wgsl compute the same.

use super::*;
use crate::config::Config;
use crate::rng::{stream, Rng};

impl State {
    /// The world at tick 0: full terrain from the map, `initial_agents` random agents, bots.
    ///
    /// Long because the initial world is drawn in a fixed order from the seed (terrain,
    /// angles, agents, bots, placements): reordering it would change every world.
    pub fn new(cfg: &Config) -> Self {
        let d = Dims::new(cfg);
        let p = Params::new(cfg);
        let rng = Rng::new(cfg.seed);
        let angles: Vec<f32> = (0..d.angles)
            .map(|i| rng.uniform(INIT_TICK, i as u32, stream::INIT, 0))
            .collect();
        let mut base = vec![Cell::default(); d.cells];
        let mut minmax = vec![0u32; 2 * WEATHER_FIELDS];
        let gradients: Vec<[f32; 2]> = angles.iter().map(|a| terrain::gradient(*a)).collect();
        terrain::base_for_tick(&p, &rng, &gradients, 0, &mut base, &mut minmax);
        terrain::normalise_base(&p, &minmax, &mut base);
        let cells: Vec<Cell> = base
            .iter()
            .map(|b| Cell {
                energy: b.max_energy,
                ..*b
            })
            .collect();
        let mut agents = vec![Agent::zeroed_dead(); d.capacity];
        let mut genomes = vec![0.0f32; d.capacity * d.genome_len];
        let tensors = brain::layout_for(cfg);
        let scenario = &cfg.scenario;
        let placed_agents = scenario.placed_agents() as usize;
        let mut slot = 0usize;
        for place in &scenario.agents {
            for n in 0..place.count as usize {
                let a = &mut agents[slot];
                *a = genesis::random_agent(&p, &rng, INIT_TICK, slot as u32);
                a.pos = [
                    common::wrap_coord(&p, place.pos[0] + n as f32 * place.step[0]),
                    common::wrap_coord(&p, place.pos[1] + n as f32 * place.step[1]),
                ];
                a.energy = place.energy.unwrap_or(p.initial_energy);
                let genome = &mut genomes[slot * d.genome_len..(slot + 1) * d.genome_len];
                match &place.genome {
                    crate::config::GenomeSpec::Random => {
                        let noise = brain::genome_noise(&rng, INIT_TICK, slot as u32, d.genome_len);
                        brain::initial_genome(&tensors, &noise, genome);
                    }
                    crate::config::GenomeSpec::Zero => {}
                    crate::config::GenomeSpec::Tensors(named) => {
                        for t in &tensors {
                            if let Some(values) = named.get(&t.name) {
                                genome[t.offset..t.offset + t.len()].copy_from_slice(values);
                            }
                        }
                    }
                }
                slot += 1;
            }
        }
        for slot in placed_agents..placed_agents + cfg.initial_agents() as usize {
            agents[slot] = genesis::random_agent(&p, &rng, INIT_TICK, slot as u32);
            let noise = brain::genome_noise(&rng, INIT_TICK, slot as u32, d.genome_len);
            brain::initial_genome(
                &tensors,
                &noise,
                &mut genomes[slot * d.genome_len..(slot + 1) * d.genome_len],
            );
        }
        if d.genome_f16 {
            genomes
                .iter_mut()
                .for_each(|w| *w = brain::round_weight(*w, true));
        }
        let mut bots: Vec<Bot> = (0..d.bots)
            .map(|b| {
                let u = |i: u32| rng.uniform(INIT_TICK, b as u32, stream::INIT + 1, i);
                let mut bot = Bot {
                    pos: [u(0) * p.world_size, u(1) * p.world_size],
                    energy: p.bot_initial_energy,
                    _pad0: 0.0,
                    memory: [0.0; MESSAGE_LEN],
                    program: [0.0; MESSAGE_LEN],
                };
                for k in 0..MESSAGE_LEN {
                    bot.memory[k] = 2.0 * u(2 + k as u32) - 1.0;
                    bot.program[k] = 2.0 * u(2 + (MESSAGE_LEN + k) as u32) - 1.0;
                }
                bot
            })
            .collect();
        let mut b = 0usize;
        for place in &scenario.bots {
            for n in 0..place.count as usize {
                let bot = &mut bots[b];
                bot.pos = [
                    common::wrap_coord(&p, place.pos[0] + n as f32 * place.step[0]),
                    common::wrap_coord(&p, place.pos[1] + n as f32 * place.step[1]),
                ];
                bot.energy = place.energy.unwrap_or(p.bot_initial_energy);
                // A Random spec keeps the draw above.
                if let Some(program) = place.program.assemble() {
                    bot.program = program;
                }
                if let Some(memory) = place.memory.assemble() {
                    bot.memory = memory;
                }
                b += 1;
            }
        }
        let mut cells = cells;
        for bit in &scenario.bits {
            let c = (bit.cell[1] * cfg.world.map_size + bit.cell[0]) as usize;
            cells[c].bit = bit.bit;
        }
        let lineages: std::collections::HashSet<u32> = agents
            .iter()
            .filter(|a| a.alive != 0)
            .map(kin_key)
            .collect();
        let alive = agents.iter().filter(|a| a.alive != 0).count() as u32;
        let shadow_gain = base.iter().map(|b| b.energy_gain).collect();
        Self {
            clock: Clock {
                tick: 0,
                alive,
                bot_step: 0,
                _pad: 0,
            },
            cells,
            base,
            angles,
            agents,
            bots,
            genomes,
            brain_state: vec![0.0; d.capacity * d.brain_state_len],
            measures: Measures {
                lineages_prev: lineages.len() as f32,
                ..Measures::default()
            },
            heard: vec![NONE; d.capacity],
            comm_hist: vec![0; comm::WINDOW_TICKS * comm::SLOT],
            bot_programmed: vec![NONE; d.bots],
            cultivator: vec![CULTIVATOR_NONE; d.cells],
            cultivator_id: vec![0; d.cells],
            shadow_gain,
            bot_programmer: vec![0; d.bots],
            metrics_prev: vec![0.0; 4],
        }
    }
}

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
    if p.kin_generations != 0 || p.kin_ticks != 0 {
        a.kin = lineage_key(slot, tick);
    }
    a
}

/// Mutation noise: weights 2m and 2m+1 take the two normals of pair m.
pub fn genome_noise(rng: &Rng, tick: u32, slot: u32, len: usize) -> Vec<f32> {
    let mut noise = vec![0.0; len];
    crate::rng::normals_keyed(rng.key(tick, slot, stream::GENOME), 0, &mut noise);
    noise
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
