//! Each GPU pass against its CPU reference on small random worlds: both start from the
//! same state and scratch, run one pass, and every buffer must agree afterwards (exact for
//! integers and counts, a tolerance for floats). Also whole ticks for a short while.

use crate::common;

use silico::config::{Brain, Config, TerrainKind};
use silico::cpu::CpuWorld;
use silico::gpu::{GpuContext, GpuWorld};
use silico::schedule::Step;
use silico::world::*;
use std::mem::{offset_of, size_of};

#[derive(Clone, Copy, PartialEq)]
enum Word {
    Float,
    Exact,
    /// Fixed-point sums: each contribution may round one unit apart.
    Fixed,
    /// Ordered-u32 encodings of floats.
    Ordered,
    /// A small difference of large sums (the ledger's error): absolute tolerance.
    SmallDifference,
}

fn word_kind(section: &str, index: usize) -> Word {
    match section {
        "agents" => {
            // The integer words: alive through founder, and the kin key.
            let ints = offset_of!(Agent, alive) / 4..offset_of!(Agent, id) / 4;
            match index % (size_of::<Agent>() / 4) {
                i if ints.contains(&i) => Word::Exact,
                i if i == offset_of!(Agent, kin) / 4 => Word::Exact,
                _ => Word::Float,
            }
        }
        "clock" | "neighbor_list" | "bot_neighbor_list" | "grid_counts" | "grid_start"
        | "grid_items" | "agent_cell" | "birth_control" | "birth_list" | "heard" | "comm_hist"
        | "bot_programmed" | "lineage_set" | "lineage_eaten" | "cultivator" | "cultivator_id"
        | "bot_programmer" | "cell_raiser" | "bot_writer" | "living" | "living_count"
        | "message_source" | "bot_message_source" | "probe_agents" | "probe_inputs" => Word::Exact,
        "agent_tick" => {
            let words = size_of::<AgentTick>() / 4;
            let exact = [
                offset_of!(AgentTick, flags),
                offset_of!(AgentTick, programmed),
                offset_of!(AgentTick, meal_from),
                offset_of!(AgentTick, meal_lineage),
            ];
            if exact.contains(&(4 * (index % words))) {
                Word::Exact
            } else {
                Word::Float
            }
        }
        "agent_acc" => Word::Fixed,
        "cell_acc" => match index % (size_of::<CellAcc>() / 4) {
            i if i == offset_of!(CellAcc, eaters) / 4 => Word::Exact,
            _ => Word::Fixed,
        },
        "minmax" => Word::Ordered,
        "metrics_ring" if index % METRIC_COLUMNS.len() == metric_index("ledger_error").unwrap() => {
            Word::SmallDifference
        }
        _ => Word::Float,
    }
}

fn close(a: f32, b: f32) -> bool {
    if a.is_nan() || b.is_nan() {
        return a.is_nan() && b.is_nan();
    }
    (a - b).abs() <= 2e-4 * a.abs().max(b.abs()).max(1.0)
}

fn compare(pass: &str, section: &str, cpu: &[u8], gpu: &[u8], errors: &mut Vec<String>) {
    assert_eq!(cpu.len(), gpu.len(), "{section} sizes");
    let cw: &[u32] = bytemuck::cast_slice(cpu);
    let gw: &[u32] = bytemuck::cast_slice(gpu);
    let mut bad = 0;
    for (i, (c, g)) in cw.iter().zip(gw).enumerate() {
        let ok = match word_kind(section, i) {
            Word::Exact => c == g,
            Word::Fixed => (*c as i32).abs_diff(*g as i32) <= 16,
            Word::Ordered => c.abs_diff(*g) <= 64,
            Word::Float => close(f32::from_bits(*c), f32::from_bits(*g)),
            Word::SmallDifference => (f32::from_bits(*c) - f32::from_bits(*g)).abs() < 0.05,
        };
        if !ok {
            bad += 1;
            if bad <= 3 {
                errors.push(format!(
                    "after {pass}: {section}[{i}] cpu {c:#x} ({}) gpu {g:#x} ({})",
                    f32::from_bits(*c),
                    f32::from_bits(*g)
                ));
            }
        }
    }
    if bad > 3 {
        errors.push(format!(
            "after {pass}: {section}: {bad} words differ in all"
        ));
    }
}

/// grid_items (and grid_pos beside it) are filled by atomics: compare each grid cell's
/// agents as a set.
fn sort_grid_items(sc: &mut Scratch) {
    for c in 0..sc.grid_counts.len() {
        let (a, b) = (sc.grid_start[c] as usize, sc.grid_start[c + 1] as usize);
        if a <= b && b <= sc.grid_items.len() {
            let mut pairs: Vec<(u32, [f32; 2])> = sc.grid_items[a..b]
                .iter()
                .copied()
                .zip(sc.grid_pos[a..b].iter().copied())
                .collect();
            pairs.sort_unstable_by_key(|p| p.0);
            for (k, (item, pos)) in pairs.into_iter().enumerate() {
                sc.grid_items[a + k] = item;
                sc.grid_pos[a + k] = pos;
            }
        }
    }
}

fn check_passes(ctx: GpuContext, cfg: &Config, warm_ticks: usize) {
    let mut cpu = CpuWorld::new(cfg, State::new(cfg));
    for _ in 0..warm_ticks {
        cpu.tick();
    }
    let mut gpu = GpuWorld::with_context(ctx, cfg, &cpu.state).expect("gpu world");
    let mut errors = Vec::new();
    for step in cpu.tick_steps() {
        let pass = match step {
            Step::Pass(pass) => pass.entry(),
            Step::Clear(section) => section.name(),
        };
        gpu.upload(&cpu.state, &cpu.scratch);
        cpu.run_step(step);
        gpu.run_step(step);
        let gs = gpu.download_state(cfg).unwrap();
        let mut gsc = gpu.download_scratch().unwrap();
        sort_grid_items(&mut gsc);
        sort_grid_items(&mut cpu.scratch);
        // Where a lineage key lands in the set depends on the insertion order: compare sets
        // (each key with what its lineage ate).
        for sc in [&mut gsc, &mut cpu.scratch] {
            let mut pairs: Vec<(u32, u32)> = sc
                .lineage_set
                .iter()
                .copied()
                .zip(sc.lineage_eaten.iter().copied())
                .collect();
            pairs.sort_unstable();
            (sc.lineage_set, sc.lineage_eaten) = pairs.into_iter().unzip();
        }
        // Births and respawns are recorded as their threads reach it: compare the events
        // as a set.
        for sc in [&mut gsc, &mut cpu.scratch] {
            let n = (sc.event_count as usize).min(sc.events.len());
            sc.events[..n].sort_unstable_by_key(|e| bytemuck::bytes_of(e).to_vec());
        }
        for ((section, c), (_, g)) in cpu.state.sections().into_iter().zip(gs.sections()) {
            compare(pass, section.name(), c, g, &mut errors);
        }
        for ((section, c), (_, g)) in cpu.scratch.sections().into_iter().zip(gsc.sections()) {
            compare(pass, section.name(), c, g, &mut errors);
        }
    }
    assert!(
        errors.is_empty(),
        "GPU and CPU disagree:\n{}",
        errors.join("\n")
    );
}

#[test]
fn every_pass_matches_cpu_linear_brain() {
    let Some(ctx) = common::gpu() else { return };
    let mut cfg = common::tiny();
    cfg.seed = 7;
    check_passes(ctx, &cfg, 12);
}

#[test]
fn every_pass_matches_cpu_random_brain_crowded() {
    let Some(ctx) = common::gpu() else { return };
    let mut cfg = common::tiny();
    cfg.seed = 11;
    cfg.brain = Brain::Random;
    // A crowded world: many eaters per cell, many parents per free slot, full neighbour lists.
    cfg.world.map_size = 8;
    cfg.agents.capacity = 200;
    cfg.agents.initial_agents = Some(150);
    cfg.agents.view_agents = 16;
    cfg.agents.hit_steal_fraction = 0.5;
    cfg.agents.child_energy_from_parent = true;
    check_passes(ctx, &cfg, 5);
}

/// The JaxLife brain on worlds with full and with partly empty neighbour lists (a sparse
/// world and a short view_radius leave slots empty), and after some ticks of recurrent state.
#[test]
fn every_pass_matches_cpu_jaxlife_brain() {
    for (hidden, heads, radius) in [(16, 2, 0.0), (32, 4, 20.0), (8, 1, 0.0)] {
        let Some(ctx) = common::gpu() else { return };
        let mut cfg = common::tiny();
        cfg.seed = 5;
        cfg.brain = Brain::JaxLife { hidden, heads };
        cfg.agents.view_radius = radius;
        cfg.mutation.sigma = 0.1;
        check_passes(ctx, &cfg, 4);
    }
}

/// Bots with random programs among agents: every bot pass, after a few whole ticks.
#[test]
fn every_pass_matches_cpu_with_many_bots() {
    let Some(ctx) = common::gpu() else { return };
    let mut cfg = common::tiny();
    cfg.bots.count = 40;
    check_passes(ctx, &cfg, 3);
}

/// The Compact brain with and without bots in view, and with partly empty neighbour lists.
#[test]
fn every_pass_matches_cpu_compact_brain() {
    for (hidden, view_bots, radius) in [(16, 2, 0.0), (32, 0, 20.0)] {
        let Some(ctx) = common::gpu() else { return };
        let mut cfg = common::tiny();
        cfg.seed = 8;
        cfg.brain = Brain::Compact { hidden };
        cfg.agents.view_bots = view_bots;
        cfg.agents.view_radius = radius;
        cfg.mutation.sigma = 0.1;
        if view_bots == 0 {
            // Mutation of a quarter of the weights, one layer with its own σ.
            cfg.mutation.rate = 0.25;
            cfg.mutation.layer_sigma = [("gru".to_string(), 0.3)].into();
        }
        check_passes(ctx, &cfg, 4);
    }
}

/// The controls and the probes: shuffled messages, no programming, saliency and influence
/// measured on every tick, on each brain that reads messages.
#[test]
fn every_pass_matches_cpu_under_the_controls() {
    for brain in [
        Brain::Linear,
        Brain::JaxLife {
            hidden: 16,
            heads: 2,
        },
        Brain::Compact { hidden: 16 },
    ] {
        let Some(ctx) = common::gpu() else { return };
        let mut cfg = common::tiny();
        cfg.seed = 21;
        cfg.brain = brain;
        cfg.controls.messages = silico::config::MessageControl::Shuffled;
        cfg.controls.programming = silico::config::Switch::Off;
        cfg.measures.saliency_every = 1;
        cfg.measures.influence_every = 1;
        check_passes(ctx, &cfg, 6);
    }
}

/// Probe ticks for one measure alone: the other's rows are emptied (saliency_none on
/// tick 3, influence_none on tick 4), on both backends.
#[test]
fn every_pass_matches_cpu_on_probe_ticks_for_one_measure() {
    for warm in [3, 4] {
        let Some(ctx) = common::gpu() else { return };
        let mut cfg = common::tiny();
        cfg.seed = 22;
        cfg.measures.saliency_every = 2;
        cfg.measures.influence_every = 3;
        check_passes(ctx, &cfg, warm);
    }
}

/// Kin groups of two generations: births root new groups and the lineage measures
/// (cultivators, bots' programmers, the lineage sums) count them, on both backends.
#[test]
fn every_pass_matches_cpu_with_kin_groups() {
    let Some(ctx) = common::gpu() else { return };
    let mut cfg = common::tiny();
    cfg.seed = 13;
    cfg.measures.kin_generations = 2;
    check_passes(ctx, &cfg, 40);
}

/// Kin groups by time (epochs of 7 ticks): the same on both backends.
#[test]
fn every_pass_matches_cpu_with_kin_groups_by_time() {
    let Some(ctx) = common::gpu() else { return };
    let mut cfg = common::tiny();
    cfg.seed = 14;
    cfg.measures.kin_ticks = 7;
    check_passes(ctx, &cfg, 40);
}

/// Every `ecology` switch on at once, in a crowded world of random actions (gifts, blows,
/// eating owned cells, births near the crowding limit, top-up respawns), after enough
/// ticks for cells to be cultivated and kin groups to form; food patches that move.
#[test]
fn every_pass_matches_cpu_with_the_ecology_switches() {
    let Some(ctx) = common::gpu() else { return };
    let mut cfg = common::tiny();
    cfg.seed = 21;
    cfg.brain = Brain::Random;
    cfg.world.map_size = 16;
    cfg.agents.capacity = 100;
    cfg.agents.initial_agents = Some(70);
    cfg.agents.child_energy_from_parent = true;
    cfg.measures.kin_ticks = 6;
    let e = &mut cfg.ecology;
    e.honest_gifts = true;
    e.respawn_below = 60;
    e.random_parents = true;
    e.crowding_limit = 3;
    e.crowding_radius = 6.0;
    e.id_drift = 0.1;
    e.stranger_eat_fraction = 0.3;
    e.food_patches = 3;
    e.food_patch_radius_cells = 4.0;
    e.food_patch_period_ticks = 9;
    e.bot_kin_share = 0.5;
    check_passes(ctx, &cfg, 30);
}

/// The list lengths are pipeline constants, so the shortest and the longest lists each build
/// their own pipelines.
#[test]
fn every_pass_matches_cpu_at_the_list_length_limits() {
    for (view_agents, view_bots) in [(0, 0), (silico::config::MAX_VIEW_AGENTS, 1)] {
        let Some(ctx) = common::gpu() else { return };
        let mut cfg = common::tiny();
        cfg.seed = 3;
        cfg.brain = Brain::Random;
        cfg.agents.view_agents = view_agents;
        cfg.agents.view_bots = view_bots;
        check_passes(ctx, &cfg, 3);
    }
}

#[test]
fn every_pass_matches_cpu_on_each_map() {
    for kind in [
        TerrainKind::Random,
        TerrainKind::TwoIslands,
        TerrainKind::FourIslands,
    ] {
        let Some(ctx) = common::gpu() else { return };
        let mut cfg = common::tiny();
        cfg.terrain.kind = kind;
        cfg.terrain.season_period_ticks = 20.0;
        cfg.brain = Brain::Random;
        cfg.agents.view_radius = 40.0;
        check_passes(ctx, &cfg, 3);
    }
}

#[test]
fn extinction_respawns_on_both() {
    let mut cfg = common::tiny();
    cfg.brain = Brain::Zero;
    cfg.agents.initial_energy = 0.2;
    let mut cpu = CpuWorld::new(&cfg, State::new(&cfg));
    let start = cpu.state.clone();
    let rows: Vec<Vec<f32>> = (0..3).map(|_| cpu.tick()).collect();
    let respawns = metric_index("respawns").unwrap();
    let population = metric_index("population").unwrap();
    assert_eq!(
        rows[0][respawns],
        cfg.agents.min_agents() as f32,
        "everyone starves on tick 1 and min_agents respawn"
    );
    let Some(ctx) = common::gpu() else { return };
    let mut gpu = GpuWorld::with_context(ctx, &cfg, &start).unwrap();
    let mut grows = gpu.advance(3).unwrap();
    grows.extend(gpu.flush().unwrap());
    for (c, g) in rows.iter().zip(&grows) {
        assert_eq!(c[respawns], g[respawns]);
        assert_eq!(c[population], g[population]);
    }
    let gs = gpu.download_state(&cfg).unwrap();
    assert_eq!(gs.population(), cpu.state.population());
}

#[test]
fn whole_ticks_track_cpu_then_metrics_agree() {
    let Some(ctx) = common::gpu() else { return };
    let cfg = common::tiny();
    let mut cpu = CpuWorld::new(&cfg, State::new(&cfg));
    let mut gpu = GpuWorld::with_context(ctx, &cfg, &cpu.state).unwrap();
    // Floats drift apart over many ticks (chaotic dynamics), so compare the first few.
    let crows: Vec<Vec<f32>> = (0..4).map(|_| cpu.tick()).collect();
    let mut grows = gpu.advance(4).unwrap();
    grows.extend(gpu.flush().unwrap());
    assert_eq!(grows.len(), 4);
    for (c, g) in crows.iter().zip(&grows) {
        for (k, name) in METRIC_COLUMNS.iter().enumerate() {
            let tol = if name.starts_with("ledger_error") {
                0.05
            } else {
                1e-3 * c[k].abs().max(1.0)
            };
            assert!(
                (c[k] - g[k]).abs() <= tol,
                "metric {name}: cpu {} gpu {}",
                c[k],
                g[k]
            );
        }
    }
}

/// The K nearest other living agents to agent `i` at `pos` in (distance², slot) order by a
/// scan of all, within `view_radius` where it is above 0.
fn brute_force_nearest(
    p: &Params,
    agents: &[Agent],
    i: usize,
    pos: [f32; 2],
    k: usize,
    view_radius: f32,
) -> Vec<u32> {
    let mut seen: Vec<(f32, u32)> = agents
        .iter()
        .enumerate()
        .filter(|&(j, a)| j != i && a.alive != 0)
        .map(|(j, a)| (silico::cpu::neighbors::dist2(p, pos, a.pos), j as u32))
        .filter(|&(d2, _)| view_radius <= 0.0 || d2 <= view_radius * view_radius)
        .collect();
    seen.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    seen.iter().take(k).map(|&(_, j)| j).collect()
}

/// Crowds (children start on their parent) send the neighbour search down to the grid's
/// finer levels. Piles of every density, exact duplicates among them, must give both
/// backends the exact K nearest that a brute-force scan of all pairs gives.
#[test]
fn neighbors_in_piles_match_brute_force_on_both() {
    let mut cfg = common::tiny();
    cfg.brain = Brain::Random;
    cfg.world.map_size = 16;
    cfg.agents.capacity = 600;
    cfg.agents.initial_agents = Some(560);
    cfg.agents.view_agents = 12;
    let mut state = State::new(&cfg);
    let world = cfg.world_size();
    let mut rng = 12345u64;
    let mut unit = move || {
        rng = rng
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (rng >> 40) as f32 / (1u64 << 24) as f32
    };
    // A pile of 250 within 0.02 units, one of 150 within 1.5 units astride the torus seam,
    // 40 pairs sharing a position, the rest scattered (but for the tie below).
    for (i, a) in state
        .agents
        .iter_mut()
        .enumerate()
        .filter(|(_, a)| a.alive != 0)
    {
        let (centre, spread) = match i {
            0..250 => ([37.3, 81.9], 0.02),
            250..400 => ([0.2, world - 0.3], 1.5),
            _ => ([unit() * world, unit() * world], 0.0),
        };
        let x = centre[0] + (unit() - 0.5) * 2.0 * spread;
        let y = centre[1] + (unit() - 0.5) * 2.0 * spread;
        a.pos = [x.rem_euclid(world), y.rem_euclid(world)];
    }
    for pair in 0..40 {
        let (src, dst) = (400 + 2 * pair, 401 + 2 * pair);
        state.agents[dst].pos = state.agents[src].pos;
    }
    // Agent 504 sees 24 agents at exactly the same distance, in four stacks of six, one on
    // each side of it, each stack holding every fourth slot of 480..504: its list fills
    // with the first stacks the search walks, and lower slots met later must still win
    // the ties at the list's end.
    let centre = [(world * 0.75).floor() + 0.5, (world * 0.25).floor() + 0.5];
    state.agents[504].pos = centre;
    for (n, slot) in (480..504).enumerate() {
        let [dx, dy] = [[3.0, 0.0], [0.0, 3.0], [-3.0, 0.0], [0.0, -3.0]][n % 4];
        state.agents[slot].pos = [centre[0] + dx, centre[1] + dy];
    }
    let mut cpu = CpuWorld::new(&cfg, state);
    // The GPU steps beside the CPU when there is one; the CPU is checked either way.
    let mut gpu =
        common::gpu().map(|ctx| GpuWorld::with_context(ctx, &cfg, &cpu.state).expect("gpu world"));
    if let Some(gpu) = gpu.as_mut() {
        gpu.upload(&cpu.state, &cpu.scratch);
    }
    for step in cpu.tick_steps() {
        cpu.run_step(step);
        if let Some(gpu) = gpu.as_mut() {
            gpu.run_step(step);
        }
        if step == Step::Pass(silico::schedule::Pass::Neighbors) {
            break;
        }
    }
    let gsc = gpu.as_mut().map(|g| g.download_scratch().unwrap());
    let p = Params::new(&cfg);
    let k = cfg.agents.view_agents as usize;
    let agents = &cpu.state.agents;
    let mut checked = 0;
    for (i, me) in agents.iter().enumerate().filter(|(_, a)| a.alive != 0) {
        let want = brute_force_nearest(&p, agents, i, me.pos, k, 0.0);
        assert_eq!(
            &cpu.scratch.neighbor_list[i * k..(i + 1) * k],
            &want[..],
            "CPU, agent {i}"
        );
        if let Some(gsc) = &gsc {
            assert_eq!(
                &gsc.neighbor_list[i * k..(i + 1) * k],
                &want[..],
                "GPU, agent {i}"
            );
        }
        checked += 1;
    }
    assert_eq!(checked, 560);
}

/// Scattered worlds, where most agents' lists come from the 5×5 block of cells around
/// them and the rest from the rings: at several densities and view radii (including a
/// view the block holds whole), with stacks of agents at equal distances, every CPU list
/// is the brute-force scan's: the nearest in (distance², slot) order within the view.
#[test]
fn scattered_neighbors_match_brute_force_at_every_density_and_view() {
    for (map_size, agents, view_radius) in [
        (64, 1800, 0.0),
        (64, 300, 0.0),
        (48, 2000, 1.5),
        (48, 2000, 3.5),
        (96, 600, 6.0),
    ] {
        let mut cfg = common::tiny();
        cfg.brain = Brain::Random;
        cfg.world.map_size = map_size;
        cfg.agents.capacity = agents + 64;
        cfg.agents.initial_agents = Some(agents);
        cfg.agents.view_agents = 16;
        cfg.agents.view_radius = view_radius;
        let mut state = State::new(&cfg);
        let world = cfg.world_size();
        let mut rng = 987654321u64 ^ agents as u64;
        let mut unit = move || {
            rng = rng
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (rng >> 40) as f32 / (1u64 << 24) as f32
        };
        for a in state.agents.iter_mut().filter(|a| a.alive != 0) {
            a.pos = [unit() * world, unit() * world];
        }
        // Rings of eight at one distance around a few agents: ties the lists must break by
        // slot, whichever search finds them.
        let slots: Vec<usize> = (0..state.agents.len())
            .filter(|&i| state.agents[i].alive != 0)
            .collect();
        for (c, ring) in slots[..90].chunks(9).enumerate() {
            let centre = [world * (c as f32 + 0.5) / 10.0, world * 0.5];
            state.agents[ring[0]].pos = centre;
            for (n, &slot) in ring[1..].iter().enumerate() {
                let a = n as f32 * std::f32::consts::FRAC_PI_4;
                let at = [centre[0] + 1.25 * a.cos(), centre[1] + 1.25 * a.sin()];
                state.agents[slot].pos = [at[0].rem_euclid(world), at[1].rem_euclid(world)];
            }
        }
        let mut cpu = CpuWorld::new(&cfg, state);
        for step in cpu.tick_steps() {
            cpu.run_step(step);
            if step == Step::Pass(silico::schedule::Pass::Neighbors) {
                break;
            }
        }
        let p = Params::new(&cfg);
        let k = cfg.agents.view_agents as usize;
        let all_agents = &cpu.state.agents;
        let mut full = 0;
        for (i, me) in all_agents.iter().enumerate().filter(|(_, a)| a.alive != 0) {
            let mut want = brute_force_nearest(&p, all_agents, i, me.pos, k, view_radius);
            full += (want.len() == k) as usize;
            want.resize(k, NONE);
            assert_eq!(
                &cpu.scratch.neighbor_list[i * k..(i + 1) * k],
                &want[..],
                "map {map_size}, {agents} agents, view radius {view_radius}: agent {i}"
            );
        }
        assert!(
            view_radius > 0.0 || full > 0,
            "map {map_size}, {agents} agents: some agent has a full list"
        );
    }
}
