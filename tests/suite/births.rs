//! Births serve the most energetic would-be parents first (ties by slot) while free slots
//! remain, on both backends.

use crate::common;

use silico::config::Brain;
use silico::cpu::CpuWorld;
use silico::gpu::GpuWorld;
use silico::world::*;

/// 16 slots, 12 alive, 4 free; 8 would-be parents with energies that tie at the cut.
fn scenario() -> (silico::config::Config, CpuWorld) {
    let mut cfg = common::tiny();
    cfg.agents.capacity = 16;
    cfg.agents.initial_agents = Some(12);
    cfg.agents.min_agents = Some(4);
    cfg.brain = Brain::Linear;
    cfg.mutation.sigma = 0.1;
    let mut cpu = CpuWorld::new(&cfg, State::new(&cfg));
    let energies = [
        50.0, 10.0, 70.0, 40.0, 40.0, 5.0, 40.0, 90.0, 40.0, 3.0, 2.0, 1.0,
    ];
    let wants = [
        true, true, true, true, true, false, true, true, true, false, false, false,
    ];
    for (i, (e, w)) in energies.iter().zip(wants).enumerate() {
        cpu.state.agents[i].energy = *e;
        cpu.scratch.agent_tick[i].flags = TICK_ACTED | if w { TICK_WANTS_CHILD } else { 0 };
    }
    (cfg, cpu)
}

fn parents(list: &[Birth], n: usize) -> Vec<u32> {
    let mut p: Vec<u32> = list[..n].iter().map(|b| b.parent).collect();
    p.sort_unstable();
    p
}

#[test]
fn the_richest_parents_fill_the_free_slots() {
    let (_, mut cpu) = scenario();
    cpu.run_pass(silico::schedule::Pass::BirthsSelect);
    let ctl = cpu.scratch.birth_control;
    assert_eq!(
        (ctl.candidates, ctl.births, ctl.count, ctl.respawns),
        (8, 4, 4, 0)
    );
    // 90 (slot 7), 70 (slot 2), 50 (slot 0), then the first of the 40s by slot: slot 3.
    assert_eq!(parents(&cpu.scratch.birth_list, 4), vec![0, 2, 3, 7]);
    let mut children: Vec<u32> = cpu.scratch.birth_list[..4]
        .iter()
        .map(|b| b.child)
        .collect();
    children.sort_unstable();
    assert_eq!(children, vec![12, 13, 14, 15]);
    assert_eq!(cpu.state.clock.alive, 16);
}

#[test]
fn gpu_selects_the_same_parents() {
    let Some(ctx) = common::gpu() else { return };
    let (cfg, mut cpu) = scenario();
    let mut gpu = GpuWorld::with_context(ctx, &cfg, &cpu.state).unwrap();
    gpu.upload(&cpu.state, &cpu.scratch);
    gpu.run_pass(silico::schedule::Pass::BirthsSelect);
    cpu.run_pass(silico::schedule::Pass::BirthsSelect);
    let sc = gpu.download_scratch().unwrap();
    assert_eq!(sc.birth_control, cpu.scratch.birth_control);
    assert_eq!(sc.birth_list[..4], cpu.scratch.birth_list[..4]);
}

#[test]
fn children_inherit_with_mutation() {
    let (_, mut cpu) = scenario();
    for pass in [
        silico::schedule::Pass::BirthsSelect,
        silico::schedule::Pass::BirthsSpawn,
        silico::schedule::Pass::BirthsGenome,
    ] {
        cpu.run_pass(pass);
    }
    let list = cpu.scratch.birth_list;
    for b in &list[..4] {
        let (c, p) = (
            cpu.state.agents[b.child as usize],
            cpu.state.agents[b.parent as usize],
        );
        assert_eq!(c.alive, 1);
        assert_eq!(c.pos, p.pos);
        assert_eq!(c.energy, 32.0);
        assert_eq!(c.generation, p.generation + 1);
        assert_eq!((c.parent_lo, c.parent_hi), (p.lineage_lo, p.lineage_hi));
        assert!(c.id.iter().all(|v| (-1.0..=1.0).contains(v)));
        assert_ne!(c.id, p.id);
        // Child genome = parent genome + N(0, sigma^2) per weight.
        let len = cpu.dims.genome_len;
        let (cg, pg) = (b.child as usize * len, b.parent as usize * len);
        let d: Vec<f64> = (0..len)
            .map(|w| (cpu.state.genomes[cg + w] - cpu.state.genomes[pg + w]) as f64)
            .collect();
        let mean = d.iter().sum::<f64>() / len as f64;
        let std = (d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / len as f64).sqrt();
        assert!(mean.abs() < 0.01, "mutation mean {mean}");
        assert!((std - 0.1).abs() < 0.01, "mutation std {std}, sigma 0.1");
    }
    let (a, b) = (list[0].child as usize, list[1].child as usize);
    assert_ne!(
        cpu.state.agents[a].id, cpu.state.agents[b].id,
        "siblings differ"
    );
}

/// `ecology.random_parents`: the same 8 would-be parents for 4 slots, drawn afresh each
/// tick rather than the four richest; the GPU draws the same.
#[test]
fn random_parents_are_served_in_a_fresh_random_order() {
    let gpu_ctx = common::gpu();
    let mut sets = std::collections::BTreeSet::new();
    for tick in 0..12 {
        let (mut cfg, _) = scenario();
        cfg.ecology.random_parents = true;
        let (_, base) = scenario();
        let mut cpu = CpuWorld::new(&cfg, base.state.clone());
        cpu.scratch = base.scratch.clone();
        cpu.state.clock.tick = tick;
        let mut gpu = gpu_ctx
            .clone()
            .map(|ctx| GpuWorld::with_context(ctx, &cfg, &cpu.state).unwrap());
        if let Some(g) = gpu.as_mut() {
            g.upload(&cpu.state, &cpu.scratch);
            g.run_pass(silico::schedule::Pass::BirthsSelect);
        }
        cpu.run_pass(silico::schedule::Pass::BirthsSelect);
        let ctl = cpu.scratch.birth_control;
        assert_eq!((ctl.births, ctl.respawns), (4, 0));
        let chosen = parents(&cpu.scratch.birth_list, 4);
        let wanting = [0, 1, 2, 3, 4, 6, 7, 8];
        assert!(chosen.iter().all(|p| wanting.contains(p)), "{chosen:?}");
        if let Some(mut g) = gpu {
            let sc = g.download_scratch().unwrap();
            assert_eq!(sc.birth_control, ctl, "tick {tick}");
            assert_eq!(
                sc.birth_list[..4],
                cpu.scratch.birth_list[..4],
                "tick {tick}"
            );
        }
        sets.insert(chosen);
    }
    assert!(
        sets.len() >= 4,
        "12 ticks drew only {} parent sets",
        sets.len()
    );
    assert!(
        sets.iter().any(|s| s != &vec![0, 2, 3, 7]),
        "not simply the richest"
    );
}

/// `ecology.respawn_below`: one birth in a world of 12, topped up to 16 with three random
/// agents in the free slots after the child's; a world already at the floor gets none.
#[test]
fn respawns_top_the_population_up_after_births() {
    let (mut cfg, base) = scenario();
    cfg.ecology.respawn_below = 16;
    let mut cpu = CpuWorld::new(&cfg, base.state.clone());
    cpu.scratch = base.scratch.clone();
    // One would-be parent only.
    for i in 0..12 {
        if i != 7 {
            cpu.scratch.agent_tick[i].flags &= !TICK_WANTS_CHILD;
        }
    }
    let start = (cpu.state.clone(), cpu.scratch.clone());
    cpu.run_pass(silico::schedule::Pass::BirthsSelect);
    let ctl = cpu.scratch.birth_control;
    assert_eq!((ctl.births, ctl.respawns, ctl.count), (1, 3, 4));
    let list = &cpu.scratch.birth_list[..4];
    assert_eq!(list[0].parent, 7);
    assert!(list[1..].iter().all(|b| b.parent == NONE));
    let mut children: Vec<u32> = list.iter().map(|b| b.child).collect();
    children.sort_unstable();
    assert_eq!(children, vec![12, 13, 14, 15]);
    if let Some(ctx) = common::gpu() {
        let mut gpu = GpuWorld::with_context(ctx, &cfg, &start.0).unwrap();
        gpu.upload(&start.0, &start.1);
        gpu.run_pass(silico::schedule::Pass::BirthsSelect);
        let sc = gpu.download_scratch().unwrap();
        assert_eq!(sc.birth_control, ctl);
        assert_eq!(sc.birth_list[..4], *list);
    }
    cpu.run_pass(silico::schedule::Pass::BirthsSpawn);
    assert_eq!(cpu.state.population(), 16);

    let (mut cfg, base) = scenario();
    cfg.ecology.respawn_below = 12;
    let mut cpu = CpuWorld::new(&cfg, base.state.clone());
    cpu.scratch = base.scratch.clone();
    cpu.run_pass(silico::schedule::Pass::BirthsSelect);
    assert_eq!(
        cpu.scratch.birth_control.respawns, 0,
        "12 alive is not below 12"
    );
}

/// A small deterministic generator for the block test's crafted worlds.
struct Mix(u64);

impl Mix {
    fn next(&mut self, n: u32) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as u32
    }
}

/// Worlds of more than `BLOCKS_ABOVE_AGENTS` agents select births over blocks of agents
/// on the GPU: the same parents, slots and order as the CPU's sort, whatever the ties
/// (which straddle blocks), the share of free slots, or whether any agent is alive.
#[test]
fn large_worlds_select_births_over_blocks_as_the_cpu_does() {
    let Some(ctx) = common::gpu() else { return };
    // Not a whole number of blocks, so the last one is partial.
    let cap = silico::gpu::births::BLOCKS_ABOVE_AGENTS + 1500;
    assert!(silico::gpu::births::by_blocks(cap));
    let mut cfg = common::tiny();
    cfg.agents.capacity = cap as u32;
    cfg.agents.initial_agents = Some(0);
    cfg.agents.min_agents = Some(3000);
    cfg.brain = Brain::Random;
    select_over_blocks(ctx.clone(), &cfg);
    // Parents in random order, and top-up respawns after the births.
    cfg.ecology.random_parents = true;
    cfg.ecology.respawn_below = (cap as u32) * 19 / 20;
    select_over_blocks(ctx, &cfg);
}

fn select_over_blocks(ctx: silico::gpu::GpuContext, cfg: &silico::config::Config) {
    let cap = cfg.agents.capacity as usize;
    let cfg = cfg.clone();
    let mut gpu = GpuWorld::with_context(ctx, &cfg, &State::new(&cfg)).unwrap();
    // (share of slots alive, share of the living that want a child, energy levels: few
    // levels tie across blocks; 0 draws any positive energy)
    let cases: [(u32, u32, u32); 7] = [
        (90, 60, 5),  // candidates far above the free slots, heavy ties
        (75, 80, 5),  // the cut falls inside a middle level, among parents above it
        (90, 60, 0),  // candidates above the free slots, keys that differ in low bits
        (30, 20, 7),  // every candidate finds a slot
        (100, 50, 3), // no free slot
        (0, 0, 1),    // nobody alive: respawn min_agents
        (99, 100, 2), // a few free slots, two levels
    ];
    let mut mix = Mix(7);
    for (k, (alive_pct, wants_pct, levels)) in cases.into_iter().enumerate() {
        let mut cpu = CpuWorld::new(&cfg, State::new(&cfg));
        for i in 0..cap {
            let alive = mix.next(100) < alive_pct;
            let wants = alive && mix.next(100) < wants_pct;
            let died = !alive && mix.next(4) == 0;
            let a = &mut cpu.state.agents[i];
            a.alive = alive as u32;
            a.lineage_lo = i as u32;
            a.energy = if !alive {
                -1.0
            } else if levels == 0 {
                // Spread over six binades, so the keys differ in high and low 16 bits.
                1.0 + mix.next(1 << 20) as f32 * (60.0 / (1 << 20) as f32)
            } else {
                10.0 * (1 + mix.next(levels)) as f32
            };
            let t = &mut cpu.scratch.agent_tick[i];
            t.flags = if alive { TICK_ACTED } else { 0 }
                | if wants { TICK_WANTS_CHILD } else { 0 }
                | if died { TICK_DIED } else { 0 };
            t.death_energy = -1.0;
        }
        gpu.upload(&cpu.state, &cpu.scratch);
        gpu.run_pass(silico::schedule::Pass::BirthsSelect);
        cpu.run_pass(silico::schedule::Pass::BirthsSelect);
        let sc = gpu.download_scratch().unwrap();
        let want = cpu.scratch.birth_control;
        assert_eq!(sc.birth_control, want, "case {k}: counts");
        let n = want.count as usize;
        assert!(n > 0 || alive_pct == 100, "case {k} births someone");
        assert_eq!(
            sc.birth_list[..n],
            cpu.scratch.birth_list[..n],
            "case {k}: pairs"
        );
        assert_eq!(
            sc.event_count, cpu.scratch.event_count,
            "case {k}: deaths recorded"
        );
        let st = gpu.download_state(&cfg).unwrap();
        assert_eq!(
            st.clock.alive, cpu.state.clock.alive,
            "case {k}: alive after"
        );
    }
}
