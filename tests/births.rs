//! Births serve the most energetic would-be parents first (ties by slot) while free slots
//! remain, on both backends.

mod common;

use silico::config::Brain;
use silico::cpu::CpuWorld;
use silico::gpu::GpuWorld;
use silico::world::*;

/// 16 slots, 12 alive, 4 free; 8 would-be parents with energies that tie at the cut.
fn scenario() -> (silico::config::Config, CpuWorld) {
    let mut cfg = common::tiny();
    cfg.agents.capacity = 16;
    cfg.agents.initial_agents = 12;
    cfg.agents.min_agents = 4;
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
    cpu.run_pass("births_select");
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
    gpu.run_pass("births_select");
    cpu.run_pass("births_select");
    let sc = gpu.download_scratch().unwrap();
    assert_eq!(sc.birth_control, cpu.scratch.birth_control);
    assert_eq!(sc.birth_list[..4], cpu.scratch.birth_list[..4]);
}

#[test]
fn children_inherit_with_mutation() {
    let (_, mut cpu) = scenario();
    for pass in ["births_select", "births_spawn", "births_genome"] {
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
