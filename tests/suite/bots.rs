//! Bots and messages on both backends: each operation on hand-picked
//! inputs, bit I/O, the memory-write rule, programming by an agent, gated message
//! magnitudes, Rule 110 (and Rule 30) against an independent automaton, the two demo
//! scenarios, the energy ledger with busy bots, and the assembler/disassembler.

use crate::common;
use silico::schedule::Pass;

use silico::batch::{self, BackendChoice, RunOptions};
use silico::config::{AgentPlacement, BitPlacement, BotPlacement, Config, GenomeSpec};
use silico::cpu::CpuWorld;
use silico::gpu::GpuWorld;
use silico::program::{disassemble, BotOp, MemorySpec, ProgramSpec, OPS};
use silico::sim::{BackendKind, World};
use silico::world::{metric_index, Scratch, State, BOT_OPS, MESSAGE_LEN};

/// A 32×32 world with only what a test places: no random agents, no respawns, Zero brains,
/// one bot step a tick.
fn scenario_world() -> Config {
    let mut cfg = Config::default();
    cfg.world.map_size = 32;
    cfg.agents.capacity = 8;
    cfg.agents.min_agents = Some(0);
    cfg.agents.initial_agents = Some(0);
    cfg.agents.view_agents = 4;
    cfg.agents.terrain_view_range = 1;
    cfg.brain = silico::config::Brain::Zero;
    cfg.bots.steps_per_tick = 1;
    cfg
}

fn place_bots(cfg: &mut Config, bots: Vec<BotPlacement>) {
    cfg.bots.count = bots.iter().map(|b| b.count).sum();
    cfg.scenario.bots = bots;
}

fn bot(pos: [f32; 2], program: ProgramSpec, memory: [f32; MESSAGE_LEN]) -> BotPlacement {
    BotPlacement {
        pos,
        program,
        memory: MemorySpec::Raw(memory.to_vec()),
        ..Default::default()
    }
}

/// Run `passes` from the config's initial state on the CPU and (if there is one) the GPU;
/// returns (backend, state, scratch) of each.
fn run_passes(cfg: &Config, passes: &[Pass]) -> Vec<(&'static str, State, Scratch)> {
    cfg.validate().expect("test config is valid");
    let mut out = Vec::new();
    let mut cpu = CpuWorld::new(cfg, State::new(cfg));
    cpu.begin_tick();
    let (state0, scratch0) = (cpu.state.clone(), cpu.scratch.clone());
    for pass in passes {
        cpu.run_pass(*pass);
    }
    out.push(("cpu", cpu.state, cpu.scratch));
    if let Some(ctx) = common::gpu() {
        let mut gpu = GpuWorld::with_context(ctx, cfg, &state0).expect("gpu world");
        gpu.upload(&state0, &scratch0);
        for pass in passes {
            gpu.run_pass(*pass);
        }
        let st = gpu.download_state(cfg).unwrap();
        let sc = gpu.download_scratch().unwrap();
        out.push(("gpu", st, sc));
    }
    out
}

/// Whole ticks on each backend; returns (backend, final state, metric rows).
fn run_ticks(cfg: &Config, ticks: u64) -> Vec<(&'static str, State, Vec<Vec<f32>>)> {
    cfg.validate().expect("test config is valid");
    let mut out = Vec::new();
    let mut backends = vec![("cpu", BackendKind::Cpu)];
    if common::gpu().is_some() {
        backends.push(("gpu", BackendKind::Gpu));
    }
    for (name, kind) in backends {
        let mut world = World::new(cfg, State::new(cfg), kind).expect("world");
        let mut rows = world.advance(ticks).unwrap();
        rows.extend(world.flush().unwrap());
        out.push((name, world.state(cfg).unwrap(), rows));
    }
    out
}

fn close(what: &str, got: &[f32], want: &[f32]) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (k, (g, w)) in got.iter().zip(want).enumerate() {
        assert!((g - w).abs() <= 1e-5, "{what}[{k}]: got {g}, expected {w}");
    }
}

fn vec16(f: impl Fn(usize) -> f32) -> [f32; MESSAGE_LEN] {
    std::array::from_fn(f)
}

#[test]
fn each_operation_on_hand_picked_inputs() {
    // Bot 0 under test; bot 1 one unit to its right is m1, bot 2 two units to its left m2.
    let mem = vec16(|m| 0.1 * m as f32 - 0.75);
    let m1 = vec16(|m| 0.6 - 0.07 * m as f32);
    let m2 = vec16(|m| if m % 2 == 0 { 0.3 } else { -0.45 });
    let product = vec16(|m| mem[m] * m1[m]);
    let fma = vec16(|m| mem[m] * m1[m] + m2[m]);
    let nand = vec16(|m| 1.0 - m1[m] * m2[m]);
    // mem[15] = 0.75 rounds to 1 and m1[15] = -0.45 to 0: xor true, out = mem.
    let mut xor = mem;
    xor[15] = mem[15];
    // Rule 110: m1 bit 0, own bit 1, m2 bit 0 -> row 2 -> table[2] = +1.
    let mut rule = mem;
    rule[15] = 1.0;
    let expected: [(BotOp, [f32; MESSAGE_LEN]); 7] = [
        (BotOp::Copy, m1),
        (BotOp::Keep, mem),
        (BotOp::Product, product),
        (BotOp::MultiplyAdd, fma),
        (BotOp::Xor, xor),
        (BotOp::Nand, nand),
        (BotOp::RuleTable, rule),
    ];
    for (op, want) in expected {
        let program = if op == BotOp::RuleTable {
            ProgramSpec::Rule(110)
        } else {
            ProgramSpec::Op(op)
        };
        let mut cfg = scenario_world();
        place_bots(
            &mut cfg,
            vec![
                bot([100.0, 100.0], program, mem),
                bot([101.0, 100.0], ProgramSpec::Op(BotOp::Keep), m1),
                bot([98.0, 100.0], ProgramSpec::Op(BotOp::Keep), m2),
            ],
        );
        for (backend, _, sc) in run_passes(&cfg, &[Pass::BotsAct]) {
            assert_eq!(
                sc.bot_tick[0].op as usize,
                op.index(),
                "{backend}: {op:?} selected"
            );
            close(
                &format!("{backend} {op:?} output"),
                &sc.bot_tick[0].out,
                &want,
            );
        }
    }
    // The other branch of xor: both bits round to 1, so out = mem·(1 − 2·m1), bit kept.
    let m1_set = vec16(|m| if m == 15 { 0.9 } else { 0.25 });
    let mut want = vec16(|m| mem[m] * (1.0 - 2.0 * m1_set[m]));
    want[15] = mem[15];
    let mut cfg = scenario_world();
    place_bots(
        &mut cfg,
        vec![
            bot([100.0, 100.0], ProgramSpec::Op(BotOp::Xor), mem),
            bot([101.0, 100.0], ProgramSpec::Op(BotOp::Keep), m1_set),
        ],
    );
    for (backend, _, sc) in run_passes(&cfg, &[Pass::BotsAct]) {
        close(
            &format!("{backend} xor (false)"),
            &sc.bot_tick[0].out,
            &want,
        );
    }
}

#[test]
fn ties_put_the_left_neighbour_first_across_the_seam() {
    // Bot 0 sits at the left edge of the torus; its equidistant neighbours are bot 1 (right)
    // and bot 2 (left, across the seam). m1 must be the left one: copy yields its memory.
    let left = vec16(|m| -0.5 + 0.01 * m as f32);
    let right = vec16(|_| 0.5);
    let mut cfg = scenario_world();
    let w = cfg.world_size();
    place_bots(
        &mut cfg,
        vec![
            bot(
                [2.0, 50.0],
                ProgramSpec::Op(BotOp::Copy),
                [0.0; MESSAGE_LEN],
            ),
            bot([10.0, 50.0], ProgramSpec::Op(BotOp::Keep), right),
            bot([w - 6.0, 50.0], ProgramSpec::Op(BotOp::Keep), left),
        ],
    );
    for (backend, _, sc) in run_passes(&cfg, &[Pass::BotsAct]) {
        close(&format!("{backend} copy of m1"), &sc.bot_tick[0].out, &left);
    }
}

#[test]
fn bits_are_read_and_written_on_crafted_cells() {
    let mut cfg = scenario_world();
    let mut writer = [0.0; MESSAGE_LEN];
    writer[12] = -1.0; // write its bit into the cell
    writer[15] = 1.0;
    let mut other_writer = writer;
    other_writer[15] = -0.5;
    let mut reader = [0.0; MESSAGE_LEN];
    reader[12] = 1.0; // read the cell's bit
    reader[15] = -1.0;
    place_bots(
        &mut cfg,
        vec![
            // Two writers on cell (2, 2): [departure] the cell takes the mean of their bits.
            bot([20.0, 20.0], ProgramSpec::Op(BotOp::Keep), writer),
            bot([21.0, 21.0], ProgramSpec::Op(BotOp::Keep), other_writer),
            // A reader on cell (10, 10), whose bit the scenario sets to 0.5.
            bot([84.0, 84.0], ProgramSpec::Op(BotOp::Keep), reader),
        ],
    );
    cfg.scenario.bits = vec![BitPlacement {
        cell: [10, 10],
        bit: 0.5,
    }];
    let n = cfg.world.map_size as usize;
    for (backend, st, _) in run_ticks(&cfg, 1) {
        assert_eq!(
            st.cells[2 * n + 2].bit,
            0.25,
            "{backend}: mean of the written bits"
        );
        assert_eq!(
            st.bots[2].memory[15], 0.5,
            "{backend}: the bit read into memory[15]"
        );
        assert_eq!(
            st.bots[0].memory[15], 1.0,
            "{backend}: a writer keeps its bit"
        );
    }
}

#[test]
fn memory_is_written_when_out_13_is_positive_or_the_op_is_copy() {
    let mem = vec16(|m| if m == 13 { 1.0 } else { 0.5 });
    let says_write = vec16(|m| if m == 13 { 1.0 } else { 0.4 });
    let says_keep = vec16(|m| if m == 13 { -1.0 } else { 0.4 });
    for (op, heard, writes) in [
        (BotOp::Product, says_write, true),
        (BotOp::Product, says_keep, false),
        (BotOp::Copy, says_keep, true),
    ] {
        let mut cfg = scenario_world();
        place_bots(
            &mut cfg,
            vec![
                bot([100.0, 100.0], ProgramSpec::Op(op), mem),
                bot([101.0, 100.0], ProgramSpec::Op(BotOp::Keep), heard),
            ],
        );
        let want = match (op, writes) {
            (BotOp::Copy, _) => heard,
            (_, true) => vec16(|m| mem[m] * heard[m]),
            _ => mem,
        };
        for (backend, st, _) in run_passes(&cfg, &[Pass::BotsAct, Pass::BotsApply]) {
            close(
                &format!("{backend} {op:?} memory (writes: {writes})"),
                &st.bots[0].memory,
                &want,
            );
        }
    }
}

#[test]
fn an_agent_programs_a_bot_and_gated_messages_have_the_right_magnitude() {
    let mut cfg = scenario_world();
    cfg.brain = silico::config::Brain::Linear;
    cfg.agents.view_agents = 1;
    cfg.agents.view_bots = 1;
    // Each group sees only its own: the pair with the bot by (50, 50), the listener of the
    // second bot by (200, 200).
    cfg.agents.view_radius = 10.0;
    let gate_bias = 0.8f32;
    let said: Vec<f32> = (0..MESSAGE_LEN).map(|m| 0.9 - 0.11 * m as f32).collect();
    let mut bias: Vec<(usize, f32)> = vec![(6, gate_bias)];
    bias.extend(said.iter().enumerate().map(|(m, v)| (23 + m, *v)));
    let quiet = GenomeSpec::Zero;
    cfg.scenario.agents = vec![
        // The speaker, with its listener (an agent) and a bot one unit away.
        AgentPlacement {
            pos: [50.0, 50.0],
            genome: common::bias_genome(&bias),
            ..Default::default()
        },
        AgentPlacement {
            pos: [50.0, 51.0],
            genome: quiet.clone(),
            ..Default::default()
        },
        // Far away: hears only the second bot.
        AgentPlacement {
            pos: [200.0, 200.0],
            genome: quiet,
            ..Default::default()
        },
    ];
    let bot_gate = 0.5f32;
    let bot_memory = vec16(|m| match m {
        6 => bot_gate,
        13 | 15 => 0.0,
        _ => 0.3 - 0.05 * m as f32,
    });
    place_bots(
        &mut cfg,
        vec![
            bot(
                [51.0, 50.0],
                ProgramSpec::Op(BotOp::Keep),
                [0.0; MESSAGE_LEN],
            ),
            bot([201.0, 200.0], ProgramSpec::Op(BotOp::Keep), bot_memory),
        ],
    );
    let program0 = ProgramSpec::Op(BotOp::Keep).assemble().unwrap();
    let g = gate_bias.tanh();
    let t: Vec<f32> = said.iter().map(|v| v.tanh()).collect();
    let programmed: Vec<f32> = (0..MESSAGE_LEN)
        .map(|m| (program0[m] + g * (t[m] - program0[m])).clamp(-1.0, 1.0))
        .collect();
    let heard: Vec<f32> = t.iter().map(|v| g * v).collect();
    let from_bot: Vec<f32> = bot_memory.iter().map(|v| bot_gate * v).collect();
    for (backend, st, rows) in run_ticks(&cfg, 1) {
        let tol = 2e-4; // fixed-point sums
        for m in 0..MESSAGE_LEN {
            assert!(
                (st.bots[0].program[m] - programmed[m]).abs() < tol,
                "{backend}: bot program[{m}] = {}, expected {}",
                st.bots[0].program[m],
                programmed[m]
            );
            assert!(
                (st.agents[1].other_message[m] - heard[m]).abs() < tol,
                "{backend}: agent's other_message[{m}] = {}, expected gate·message {}",
                st.agents[1].other_message[m],
                heard[m]
            );
            assert!(
                (st.agents[2].other_message[m] - from_bot[m]).abs() < tol,
                "{backend}: other_message[{m}] from the bot = {}, expected {}",
                st.agents[2].other_message[m],
                from_bot[m]
            );
        }
        let col = metric_index("programming_agents").unwrap();
        assert!(
            (rows[0][col] - g).abs() < 1e-4,
            "{backend}: programming_agents {} (one write with gate {g})",
            rows[0][col]
        );
    }
}

/// An elementary cellular automaton on a ring, written independently of the simulator.
fn automaton(rule: u8, first: &[bool], generations: usize) -> Vec<String> {
    let n = first.len();
    let mut row = first.to_vec();
    let mut out = Vec::new();
    for _ in 0..=generations {
        out.push(row.iter().map(|b| if *b { '1' } else { '0' }).collect());
        row = (0..n)
            .map(|i| {
                let l = row[(i + n - 1) % n] as u8;
                let c = row[i] as u8;
                let r = row[(i + 1) % n] as u8;
                (rule >> (4 * l + 2 * c + r)) & 1 == 1
            })
            .collect();
    }
    out
}

fn run_rule(rule: u8, backend: BackendChoice, dir: &std::path::Path) -> Vec<String> {
    let mut cfg = Config::load(std::path::Path::new("configs/rule110.ron")).unwrap();
    for b in &mut cfg.scenario.bots {
        b.program = ProgramSpec::Rule(rule);
    }
    let path = dir.join(format!("rule{rule}.ron"));
    std::fs::write(&path, cfg.to_ron()).unwrap();
    let out = dir.join(format!("rule{rule}-{backend:?}"));
    batch::run(&RunOptions {
        out: Some(out.clone()),
        backend,
        quiet: true,
        ..RunOptions::new(Some(path), 17)
    })
    .unwrap();
    std::fs::read_to_string(out.join("bits.txt"))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn rule110_config_computes_rule_110_and_the_mechanism_is_general() {
    let dir = tempfile::tempdir().unwrap();
    let mut backends = vec![BackendChoice::Cpu];
    if common::gpu().is_some() {
        backends.push(BackendChoice::Gpu);
    }
    for rule in [110u8, 30] {
        let mut first = vec![false; 64];
        first[63] = true;
        let want = automaton(rule, &first, 68);
        for backend in &backends {
            let got = run_rule(rule, *backend, dir.path());
            // 17 ticks of 4 bot steps: the initial row and 68 generations.
            assert_eq!(got.len(), 69, "rule {rule} on {backend:?}: rows");
            for (g, (got, want)) in got.iter().zip(&want).enumerate() {
                assert_eq!(got, want, "rule {rule} on {backend:?}, generation {g}");
            }
        }
    }
}

fn on_grass_island(cfg: &Config, pos: [f32; 2], lo_eighth: f32) -> bool {
    let w = cfg.world_size();
    let (lo, hi) = (lo_eighth * w / 8.0, (lo_eighth + 2.0) * w / 8.0);
    pos.iter().all(|v| *v >= lo && *v < hi)
}

#[test]
fn the_ferry_carries_an_agent_across_the_water() {
    let cfg = Config::load(std::path::Path::new("configs/ferry.ron")).unwrap();
    let mut control = cfg.clone();
    control.bots.count = 0;
    control.scenario.bots.clear();
    let mut backends = vec![BackendKind::Cpu];
    if common::gpu().is_some() {
        backends.push(BackendKind::Gpu);
    }
    for kind in backends {
        let mut world = World::new(&cfg, State::new(&cfg), kind).unwrap();
        let start = world.state(&cfg).unwrap();
        assert!(
            on_grass_island(&cfg, start.agents[0].pos, 1.0),
            "starts on the lower island"
        );
        let mut arrived = None;
        for t in 1..=80 {
            world.advance(1).unwrap();
            let st = world.state(&cfg).unwrap();
            let (a, b) = (st.agents[0].pos, st.bots[0].pos);
            let gap = ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt();
            assert!(
                st.agents[0].alive == 1,
                "{kind:?}: the passenger died at tick {t}"
            );
            assert!(
                gap < 2.0,
                "{kind:?}: the agent fell {gap} units behind at tick {t}"
            );
            if arrived.is_none() && on_grass_island(&cfg, a, 5.0) {
                arrived = Some(t);
            }
        }
        let t =
            arrived.unwrap_or_else(|| panic!("{kind:?}: the agent never reached the upper island"));
        assert!((40..=70).contains(&t), "{kind:?}: arrived at tick {t}");
        world.flush().unwrap();

        let mut still = World::new(&control, State::new(&control), kind).unwrap();
        still.advance(80).unwrap();
        still.flush().unwrap();
        let st = still.state(&control).unwrap();
        assert_eq!(
            st.agents[0].pos, start.agents[0].pos,
            "{kind:?}: without the ferry it stays"
        );
    }
}

#[test]
fn the_bot_farm_cultivates_the_rows_it_sweeps() {
    let cfg = Config::load(std::path::Path::new("configs/bot_farm.ron")).unwrap();
    let mut control = cfg.clone();
    control.bots.count = 0;
    control.scenario.bots.clear();
    let n = cfg.world.map_size as usize;
    let mean_gain = |st: &State, rows: std::ops::Range<usize>| {
        let cells: Vec<f32> = rows
            .flat_map(|y| (0..n).map(move |x| y * n + x))
            .map(|c| st.cells[c].energy_gain)
            .collect();
        cells.iter().sum::<f32>() / cells.len() as f32
    };
    let farmed = run_ticks(&cfg, 150);
    let bare = run_ticks(&control, 150);
    for ((backend, st, rows), (_, st0, _)) in farmed.iter().zip(&bare) {
        let gain = mean_gain(st, 0..8) - mean_gain(st0, 0..8);
        assert!(
            gain > 0.5,
            "{backend}: the field's energy_gain rose by only {gain}"
        );
        for c in 8 * n..n * n {
            assert_eq!(
                st.cells[c].energy_gain, st0.cells[c].energy_gain,
                "{backend}: cell {c} outside the field changed"
            );
        }
        let col = metric_index("cultivation_bots").unwrap();
        // Eight bots, each 0.1 a step, four steps a tick.
        assert!(
            (rows[10][col] - 3.2).abs() < 1e-4,
            "{backend}: cultivation_bots {}",
            rows[10][col]
        );
    }
}

#[test]
fn ledger_balances_with_busy_bots() {
    // Many bots with random programs and memories among agents: they push, hit, eat,
    // terraform, message and program each other and the agents.
    let mut cfg = common::tiny();
    cfg.bots.count = 48;
    cfg.bots.steps_per_tick = 4;
    let runs = run_ticks(&cfg, 40);
    let err = metric_index("ledger_error").unwrap();
    let total = metric_index("cell_energy_total").unwrap();
    for (backend, _, rows) in &runs {
        assert_eq!(rows.len(), 40);
        for row in rows {
            assert!(
                row[err].abs() < 1e-4 * row[total].max(1.0),
                "{backend}: tick {} ledger error {}",
                row[0],
                row[err]
            );
        }
        let busy: f32 = rows
            .iter()
            .map(|r| r[metric_index("kardashev_bots").unwrap()])
            .sum();
        assert!(busy > 0.0, "{backend}: bots spent no energy");
    }
}

#[test]
fn programs_assemble_and_disassemble() {
    for op in OPS {
        let p = ProgramSpec::Op(op).assemble().unwrap();
        assert_eq!(disassemble(&p, &[0.0; MESSAGE_LEN]).op, op);
    }
    for rule in [0u8, 30, 90, 110, 255] {
        let p = ProgramSpec::Rule(rule).assemble().unwrap();
        let d = disassemble(&p, &[0.0; MESSAGE_LEN]);
        assert_eq!((d.op, d.rule), (BotOp::RuleTable, rule));
        for k in 0..8 {
            assert_eq!(p[BOT_OPS + k] > 0.0, (rule >> k) & 1 == 1);
        }
    }
    assert!(ProgramSpec::Random.assemble().is_none());
    let text = disassemble(
        &ProgramSpec::Rule(110).assemble().unwrap(),
        &MemorySpec::Values {
            move_x: 0.0,
            move_y: 0.0,
            push: 0.0,
            eat: 0.0,
            hit: 0.0,
            gate: 0.0,
            terraform: [0.0; 5],
            bit_io: -1.0,
            write: 1.0,
            bit: 1.0,
        }
        .assemble()
        .unwrap(),
    )
    .to_string();
    for part in [
        "op rule_table",
        "(rule 110)",
        "110->1",
        "111->0",
        "every step",
        "bit write",
        "its bit 1",
    ] {
        assert!(text.contains(part), "disassembly lacks {part:?}:\n{text}");
    }
}

/// What each bot saw this step, checked against every living agent where it stands now.
fn check_bots_saw_nearest(backend: &str, cfg: &Config, st: &State, sc: &Scratch, step: usize) {
    let p = silico::world::Params::new(cfg);
    for (b, bot) in st.bots.iter().enumerate() {
        let mut all: Vec<(f32, f32, f32, u32)> = sc
            .agent_pos
            .iter()
            .enumerate()
            .filter(|(_, q)| q[2] != 0.0)
            .map(|(j, q)| {
                let dx = silico::world::common::wrap_delta(&p, q[0] - bot.pos[0]);
                let dy = silico::world::common::wrap_delta(&p, q[1] - bot.pos[1]);
                (dx * dx + dy * dy, dy, dx, j as u32)
            })
            .collect();
        all.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let mut want = [silico::world::NONE; silico::world::BOT_VIEW];
        for (w, a) in want.iter_mut().zip(&all) {
            *w = a.3;
        }
        assert_eq!(
            sc.bot_tick[b].seen, want,
            "{backend}, step {step}, bot {b} at {:?}",
            bot.pos
        );
    }
}

/// In worlds too big for each bot to scan every agent, bots find agents through the grid
/// built at the start of the tick, which agents leave within it (they move up to several
/// cells, and bots push them between steps); what a bot sees must still be its nearest
/// living agents where they are now. Small worlds scan every agent, checked alike.
#[test]
fn bots_see_their_nearest_agents_after_agents_moved_cells_away() {
    for capacity in [600, silico::world::SERIAL_SENSE_MAX] {
        let mut cfg = Config::default();
        cfg.world.map_size = 32;
        cfg.agents.capacity = capacity as u32;
        cfg.agents.initial_agents = Some(500);
        cfg.agents.terrain_view_range = 1;
        cfg.agents.move_speed = 40.0;
        cfg.agents.push_speed = 30.0;
        cfg.brain = silico::config::Brain::Random;
        cfg.bots.count = 24;
        cfg.bots.steps_per_tick = 3;
        cfg.validate().expect("test config is valid");
        let mut cpu = CpuWorld::new(&cfg, State::new(&cfg));
        let steps = cpu.tick_steps();
        let (state0, scratch0) = (cpu.state.clone(), cpu.scratch.clone());
        let mut step = 0;
        for s in &steps {
            cpu.run_step(*s);
            if *s == silico::schedule::Step::Pass(silico::schedule::Pass::BotsAct) {
                check_bots_saw_nearest("cpu", &cfg, &cpu.state, &cpu.scratch, step);
                step += 1;
            }
        }
        assert_eq!(step, 3);
        // The check is only worth something if agents left their cells.
        let cell = silico::world::Params::new(&cfg).grid_cell_size;
        let shift = &cpu.scratch.agent_shift;
        assert!(shift[0] > 2.0 * cell, "{shift:?}, cells of {cell}");
        let Some(ctx) = common::gpu() else { continue };
        let mut gpu = GpuWorld::with_context(ctx, &cfg, &state0).expect("gpu world");
        gpu.upload(&state0, &scratch0);
        step = 0;
        for s in &steps {
            gpu.run_step(*s);
            if *s == silico::schedule::Step::Pass(silico::schedule::Pass::BotsAct) {
                let st = gpu.download_state(&cfg).unwrap();
                let sc = gpu.download_scratch().unwrap();
                check_bots_saw_nearest("gpu", &cfg, &st, &sc, step);
                step += 1;
            }
        }
    }
}
