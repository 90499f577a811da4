//! The emergence measures on crafted worlds with known answers, on both backends: a
//! scripted farmer (cultivated cells, the share eaten from them, farming return), agents
//! whose messages copy their actions (speaker information = message entropy), listeners
//! whose actions copy what they heard, and the controls that take each mechanic out.

use crate::common;

use std::collections::BTreeMap;

use silico::config::{AgentPlacement, Config, GenomeSpec, MessageControl, Switch};
use silico::cpu::CpuWorld;
use silico::sim::World;
use silico::world::{act, comm, metric_index, terrain_patch_len, State, ACTION_LEN};

fn col(name: &str) -> usize {
    metric_index(name).unwrap_or_else(|| panic!("no column {name}"))
}

/// A Linear-brain genome: `bias[action]` and `kernel[(input, action)]`, the rest zero.
fn linear(cfg: &Config, bias: &[(usize, f32)], kernel: &[(usize, usize, f32)]) -> GenomeSpec {
    let obs_len = silico::world::Dims::new(cfg).obs_len;
    let mut b = vec![0.0; ACTION_LEN];
    for (k, v) in bias {
        b[*k] = *v;
    }
    let mut w = vec![0.0; obs_len * ACTION_LEN];
    for (input, out, v) in kernel {
        w[input * ACTION_LEN + out] = *v;
    }
    GenomeSpec::Tensors(BTreeMap::from([
        ("linear.bias".to_string(), b),
        ("linear.kernel".to_string(), w),
    ]))
}

fn world_without_agents() -> Config {
    let mut cfg = common::tiny();
    cfg.world.map_size = 16;
    cfg.agents.initial_agents = Some(0);
    cfg.agents.min_agents = Some(0);
    cfg.agents.terrain_view_range = 1;
    cfg.agents.view_agents = 4;
    cfg.bots.count = 0;
    cfg.brain = silico::config::Brain::Linear;
    cfg
}

/// Metric rows of `ticks` ticks on the GPU, or None without an adapter.
fn gpu_rows(cfg: &Config, ticks: u64) -> Option<Vec<Vec<f32>>> {
    let ctx = common::gpu()?;
    let mut w = World::on_context(ctx, cfg, &State::new(cfg)).unwrap();
    let mut rows = w.advance(ticks).unwrap();
    rows.extend(w.flush().unwrap());
    Some(rows)
}

fn assert_rows_close(what: &str, cpu: &[Vec<f32>], gpu: &[Vec<f32>], columns: &[&str]) {
    assert_eq!(cpu.len(), gpu.len());
    for (t, (c, g)) in cpu.iter().zip(gpu).enumerate() {
        for name in columns {
            let (a, b) = (c[col(name)], g[col(name)]);
            assert!(
                (a - b).abs() <= 2e-3 * a.abs().max(1.0),
                "{what}: tick {t} {name}: cpu {a}, gpu {b}"
            );
        }
    }
}

const AGRI: &[&str] = &[
    "agri_cultivated_cells",
    "agri_eaten_cultivated",
    "agri_eaten_cultivated_share",
    "agri_cultivation_cost",
    "agri_farming_return",
];

/// One agent that stays on its cell, raises its energy_gain every tick and eats there.
fn farmer(terraform: Switch) -> Config {
    let mut cfg = world_without_agents();
    cfg.controls.terraform = terraform;
    let genome = linear(
        &cfg,
        &[
            (act::EAT, 5.0),
            (act::REPRODUCE, -5.0),
            (act::GATE, -5.0),
            (act::TERRAFORM, 2.0),
        ],
        &[],
    );
    cfg.scenario.agents = vec![AgentPlacement {
        pos: [60.0, 60.0],
        count: 1,
        step: [0.0, 0.0],
        energy: Some(1e4),
        genome,
    }];
    cfg
}

#[test]
fn a_farmer_cultivates_its_cell_and_eats_from_it() {
    let cfg = farmer(Switch::On);
    let mut w = CpuWorld::new(&cfg, State::new(&cfg));
    let (mut eaten_total, mut cost_total) = (0.0f64, 0.0f64);
    let mut rows = Vec::new();
    let mut cultivated_ticks = 0;
    for _ in 0..60 {
        let row = w.tick();
        // By hand from the world after the tick: cultivated cells are those whose gain is
        // above the weather-only gain by more than the threshold; the cost is the terraform
        // cost of the one positive gain action, tanh(2).
        let cultivated: Vec<usize> = (0..w.state.cells.len())
            .filter(|&c| {
                w.state.cells[c].energy_gain - w.state.shadow_gain[c] > cfg.measures.cultivated_gain
            })
            .collect();
        let eaten: f64 = cultivated
            .iter()
            .map(|&c| w.scratch.cell_tick[c].eaten as f64)
            .sum();
        let cost = (cfg.costs.terraform_cost * 2f32.tanh()) as f64;
        eaten_total += eaten;
        cost_total += cost;
        assert_eq!(row[col("agri_cultivated_cells")], cultivated.len() as f32);
        assert!((row[col("agri_eaten_cultivated")] as f64 - eaten).abs() < 1e-5);
        assert!((row[col("agri_cultivation_cost")] as f64 - cost).abs() < 1e-7);
        let ret = eaten_total / cost_total;
        assert!(
            (row[col("agri_farming_return")] as f64 - ret).abs() <= 1e-3 * ret.max(1.0),
            "return {} by hand {ret}",
            row[col("agri_farming_return")]
        );
        if cultivated.len() == 1 {
            cultivated_ticks += 1;
            // The farmer is the only eater and eats on its cultivated cell.
            assert!((row[col("agri_eaten_cultivated_share")] - 1.0).abs() < 1e-5);
        }
        rows.push(row);
    }
    assert!(
        cultivated_ticks > 30,
        "the cell became cultivated and stayed so ({cultivated_ticks} ticks)"
    );
    assert!(rows.last().unwrap()[col("agri_farming_return")] > 0.0);
    if let Some(gpu) = gpu_rows(&cfg, 60) {
        assert_rows_close("farmer", &rows, &gpu, AGRI);
    }
}

#[test]
fn with_terraforming_off_nothing_is_cultivated() {
    let cfg = farmer(Switch::Off);
    let mut w = CpuWorld::new(&cfg, State::new(&cfg));
    let gains: Vec<f32> = w.state.cells.iter().map(|c| c.energy_gain).collect();
    let rows: Vec<Vec<f32>> = (0..40).map(|_| w.tick()).collect();
    for r in &rows {
        for name in AGRI {
            assert_eq!(r[col(name)], 0.0, "{name}");
        }
        assert_eq!(r[col("cultivation_agents")], 0.0);
    }
    // Only the weather moved the terrain: every cell's gain is its weather-only gain.
    assert!(w
        .state
        .cells
        .iter()
        .zip(&w.state.shadow_gain)
        .all(|(c, s)| c.energy_gain == *s));
    // ... and it did move it, so the equality above is no accident of a still map.
    assert!(
        w.state
            .cells
            .iter()
            .zip(&gains)
            .any(|(c, g)| c.energy_gain != *g),
        "the weather changed no cell's gain in 40 ticks"
    );
    if let Some(gpu) = gpu_rows(&cfg, 40) {
        assert_rows_close("terraform off", &rows, &gpu, AGRI);
    }
}

/// 64 agents spread over the map whose genome is `genome(cfg)`.
fn crowd(genome: impl Fn(&Config) -> GenomeSpec, messages: MessageControl) -> Config {
    let mut cfg = world_without_agents();
    cfg.controls.messages = messages;
    cfg.agents.capacity = 64;
    cfg.scenario.agents = vec![AgentPlacement {
        pos: [3.0, 5.0],
        count: 64,
        step: [17.0, 9.0],
        energy: Some(1e4),
        genome: genome(&cfg),
    }];
    cfg
}

fn self_input(cfg: &Config, field_offset: usize) -> usize {
    terrain_patch_len(cfg.agents.terrain_view_range as usize) + field_offset
}

/// Offsets in an agent vector: [ln energy, ln age, x, y, last_action 11, id 8, self
/// message 16, other message 16].
const ID: usize = 15;
const OTHER: usize = 39;

/// Messages that copy the sender's own move and eat decisions (both read from its id).
fn copying_speakers(cfg: &Config) -> GenomeSpec {
    let id = |k: usize| self_input(cfg, ID + k);
    linear(
        cfg,
        &[
            (act::REPRODUCE, -5.0),
            (act::GATE, 5.0),
            (act::OTHER_MESSAGE + 3, 5.0),
        ],
        &[
            (id(0), act::MOVE_X, 5.0),
            (id(0), act::OTHER_MESSAGE, 5.0),
            (id(1), act::MOVE_Y, 5.0),
            (id(1), act::OTHER_MESSAGE + 1, 5.0),
            (id(2), act::EAT, 5.0),
            (id(2), act::OTHER_MESSAGE + 2, 5.0),
        ],
    )
}

#[test]
fn messages_that_copy_actions_carry_their_entropy() {
    let cfg = crowd(copying_speakers, MessageControl::On);
    let mut w = CpuWorld::new(&cfg, State::new(&cfg));
    let rows: Vec<Vec<f32>> = (0..40).map(|_| w.tick()).collect();
    let last = rows.last().unwrap();
    let (mi, h) = (
        last[col("comm_speaker_mi")],
        last[col("comm_message_entropy")],
    );
    // The message symbol is a bijection of the action symbol: I(M; A) = H(M) exactly,
    // the Miller–Madow terms included.
    assert!(h > 2.0, "64 random ids spread over 8 symbols: H = {h} bits");
    assert!((mi - h).abs() < 1e-3, "MI {mi} vs H {h}");
    assert_eq!(last[col("comm_gate_activity")], 1.0);
    if let Some(gpu) = gpu_rows(&cfg, 40) {
        assert_rows_close(
            "speakers",
            &rows,
            &gpu,
            &[
                "comm_speaker_mi",
                "comm_message_entropy",
                "comm_speaker_bias",
                "comm_gate_activity",
            ],
        );
    }
}

/// Messages read from the sender's id; actions copy the message the agent heard.
fn copying_listeners(cfg: &Config) -> GenomeSpec {
    let id = |k: usize| self_input(cfg, ID + k);
    let heard = |k: usize| self_input(cfg, OTHER + k);
    linear(
        cfg,
        &[
            (act::REPRODUCE, -5.0),
            (act::GATE, 5.0),
            (act::OTHER_MESSAGE + 3, 5.0),
        ],
        &[
            (id(0), act::OTHER_MESSAGE, 5.0),
            (id(1), act::OTHER_MESSAGE + 1, 5.0),
            (id(2), act::OTHER_MESSAGE + 2, 5.0),
            (heard(0), act::MOVE_X, 5.0),
            (heard(1), act::MOVE_Y, 5.0),
            (heard(2), act::EAT, 5.0),
        ],
    )
}

/// H(actions) in bits, Miller–Madow corrected, of the listener table summed over the window.
fn listener_action_entropy(st: &State) -> f32 {
    let mut cols = [0u32; comm::ACTION_SYMBOLS];
    for slot in st.comm_hist.chunks(comm::SLOT) {
        for (i, c) in slot[comm::TABLE..].iter().enumerate() {
            cols[i % comm::ACTION_SYMBOLS] += c;
        }
    }
    let n: f32 = cols.iter().map(|c| *c as f32).sum();
    let occupied = cols.iter().filter(|c| **c > 0).count() as f32;
    let s: f32 = cols
        .iter()
        .filter(|c| **c > 0)
        .map(|c| *c as f32 * (*c as f32).ln())
        .sum();
    (n.ln() - s / n + (occupied - 1.0) / (2.0 * n)) / std::f32::consts::LN_2
}

#[test]
fn listeners_acting_on_what_they_heard_show_it_and_the_control_removes_it() {
    let cfg = crowd(copying_listeners, MessageControl::On);
    let mut w = CpuWorld::new(&cfg, State::new(&cfg));
    // Fewer ticks than the window, so the histograms the last row was computed from are
    // all still in the state (each tick clears the oldest slot after its row).
    let ticks = comm::WINDOW_TICKS as u64 - 8;
    let rows: Vec<Vec<f32>> = (0..ticks).map(|_| w.tick()).collect();
    let mi = rows.last().unwrap()[col("comm_listener_mi")];
    // The next action is a function of the heard message: I(H; A) = H(A).
    let h_actions = listener_action_entropy(&w.state);
    assert!(mi > 1.0, "listeners respond to what they hear: {mi} bits");
    assert!(
        (mi - h_actions).abs() < 1e-3,
        "MI {mi} vs H(actions) {h_actions}"
    );
    if let Some(gpu) = gpu_rows(&cfg, ticks) {
        assert_rows_close(
            "listeners",
            &rows,
            &gpu,
            &["comm_listener_mi", "comm_listener_bias", "comm_speaker_mi"],
        );
    }

    // messages: Off zeroes what they observe: one heard symbol, no information.
    let off = crowd(copying_listeners, MessageControl::Off);
    let mut w = CpuWorld::new(&off, State::new(&off));
    let rows: Vec<Vec<f32>> = (0..40).map(|_| w.tick()).collect();
    for r in &rows {
        // One heard symbol: H(H) = 0 and H(H, A) = H(A), so I = 0 up to rounding.
        assert!(
            r[col("comm_listener_mi")].abs() < 1e-5,
            "{}",
            r[col("comm_listener_mi")]
        );
    }
    let tl = terrain_patch_len(off.agents.terrain_view_range as usize);
    let obs_len = silico::world::Dims::new(&off).obs_len;
    for row in w.scratch.obs.chunks(obs_len) {
        assert!(
            row[tl + 23..tl + 55].iter().all(|v| *v == 0.0),
            "messages observed"
        );
    }
    if let Some(gpu) = gpu_rows(&off, 40) {
        assert_rows_close(
            "listeners, messages off",
            &rows,
            &gpu,
            &["comm_listener_mi"],
        );
    }
}

#[test]
fn an_agent_programming_a_farming_bot_counts_as_tool_use() {
    use silico::config::BotPlacement;
    use silico::program::{BotOp, MemorySpec, ProgramSpec};
    let mut cfg = world_without_agents();
    cfg.bots.count = 1;
    cfg.agents.view_bots = 1;
    // The bot keeps its memory, which terraforms energy_gain up, and never moves.
    let keep = ProgramSpec::Op(BotOp::Keep).assemble().unwrap();
    let mut memory = vec![0.0; silico::world::MESSAGE_LEN];
    memory[silico::world::bot_act::TERRAFORM] = 1.0;
    cfg.scenario.bots = vec![BotPlacement {
        pos: [64.0, 64.0],
        count: 1,
        step: [0.0, 0.0],
        energy: Some(1e4),
        program: ProgramSpec::Raw(keep.to_vec()),
        memory: MemorySpec::Raw(memory),
    }];
    // The agent beside it (on the same cell) writes the same Keep program into it every
    // tick, does not terraform itself, and eats there.
    let mut bias: Vec<(usize, f32)> =
        vec![(act::REPRODUCE, -5.0), (act::GATE, 5.0), (act::EAT, 5.0)];
    for (k, v) in keep.iter().enumerate() {
        bias.push((act::OTHER_MESSAGE + k, 20.0 * v));
    }
    let genome = linear(&cfg, &bias, &[]);
    cfg.scenario.agents = vec![AgentPlacement {
        pos: [70.0, 64.0],
        count: 1,
        step: [0.0, 0.0],
        energy: Some(1e4),
        genome,
    }];
    let mut w = CpuWorld::new(&cfg, State::new(&cfg));
    let rows: Vec<Vec<f32>> = (0..20).map(|_| w.tick()).collect();
    for r in &rows {
        assert_eq!(
            r[col("tool_programming_events")],
            1.0,
            "one agent wrote into one bot"
        );
        assert_eq!(r[col("tool_bots_programmed_share")], 1.0);
        assert_eq!(r[col("cultivation_agents")], 0.0);
        assert!(
            r[col("cultivation_bots")] > 0.0,
            "the bot's terraforming is the bots'"
        );
        // It works its cell every step and pushes nothing.
        assert_eq!(
            r[col("tool_bot_terraform_steps")],
            cfg.bots.steps_per_tick as f32
        );
        assert_eq!(r[col("tool_bot_moved")], 0.0);
    }
    assert!(rows.last().unwrap()[col("agri_cultivated_cells")] >= 1.0);
    // Once the bot's cell is cultivated, all the agent eats there is from a bot's farm.
    let farmed: Vec<&Vec<f32>> = rows
        .iter()
        .filter(|r| r[col("agri_eaten_cultivated")] > 0.0)
        .collect();
    assert!(!farmed.is_empty(), "the agent ate from the cultivated cell");
    for r in farmed {
        assert_eq!(
            r[col("tool_eaten_from_bot_farms")],
            r[col("agri_eaten_cultivated")]
        );
    }
    if let Some(gpu) = gpu_rows(&cfg, 20) {
        assert_rows_close(
            "programmed bot",
            &rows,
            &gpu,
            &[
                "tool_programming_events",
                "tool_bots_programmed_share",
                "cultivation_bots",
                "agri_cultivated_cells",
                "tool_bot_terraform_steps",
                "tool_eaten_from_bot_farms",
            ],
        );
    }
}

#[test]
fn lineages_are_counted_and_losses_follow_deaths() {
    // 16 founders, each its own lineage; Zero brains neither eat nor breed, so the life
    // cost starves them all.
    let mut cfg = world_without_agents();
    cfg.brain = silico::config::Brain::Zero;
    cfg.agents.initial_agents = Some(16);
    cfg.costs.life_cost = 4.0;
    cfg.agents.initial_energy = 30.0;
    let mut w = CpuWorld::new(&cfg, State::new(&cfg));
    let first = w.tick();
    assert_eq!(first[col("evo_lineages_alive")], first[col("population")]);
    let mut lost = first[col("evo_lineages_lost")];
    let mut rows = vec![first];
    for _ in 0..20 {
        let r = w.tick();
        lost += r[col("evo_lineages_lost")];
        rows.push(r);
    }
    let last = rows.last().unwrap();
    assert_eq!(last[col("population")], 0.0, "all starved");
    assert_eq!(last[col("evo_lineages_alive")], 0.0);
    assert_eq!(lost, 16.0, "every founder's lineage was lost once");
    if let Some(gpu) = gpu_rows(&cfg, 21) {
        assert_rows_close(
            "lineages",
            &rows,
            &gpu,
            &["evo_lineages_alive", "evo_lineages_lost"],
        );
    }
}

/// With `measures.kin_generations: G`, an agent whose generation is a multiple of G roots
/// its own kin group and every other agent is in its parent's; the lineage measures count
/// the groups. With G = 0 nobody has one and the measures count founders' lineages.
#[test]
fn kin_groups_root_every_g_generations() {
    use silico::layout::kin_key;
    use silico::world::lineage_key;
    let mut cfg = common::tiny();
    cfg.measures.kin_generations = 2;
    let mut w = CpuWorld::new(&cfg, State::new(&cfg));
    let mut parents_kin = std::collections::HashMap::new();
    let mut checked = 0;
    for _ in 0..200 {
        // Each living agent's id -> its kin, to check children against their parents.
        for a in w.state.agents.iter().filter(|a| a.alive != 0) {
            parents_kin.insert((a.lineage_lo, a.lineage_hi), a.kin);
        }
        let row = w.tick();
        let groups: std::collections::HashSet<u32> = w
            .state
            .agents
            .iter()
            .filter(|a| a.alive != 0)
            .map(kin_key)
            .collect();
        assert_eq!(row[col("evo_lineages_alive")], groups.len() as f32);
        for a in w.state.agents.iter().filter(|a| a.alive != 0) {
            assert_ne!(a.kin, 0, "every agent has a kin group");
            if a.generation % 2 == 0 {
                assert_eq!(a.kin, lineage_key(a.lineage_lo, a.lineage_hi));
            } else if let Some(k) = parents_kin.get(&(a.parent_lo, a.parent_hi)) {
                assert_eq!(a.kin, *k, "an odd generation stays in its parent's group");
                checked += 1;
            }
        }
    }
    assert!(
        checked > 10,
        "children of odd generations were born ({checked})"
    );
    let founders = {
        let cfg = common::tiny();
        let mut w = CpuWorld::new(&cfg, State::new(&cfg));
        for _ in 0..200 {
            w.tick();
        }
        assert!(w.state.agents.iter().all(|a| a.kin == 0));
        w.state
            .agents
            .iter()
            .filter(|a| a.alive != 0)
            .map(|a| lineage_key(a.founder[0], a.founder[1]))
            .collect::<std::collections::HashSet<u32>>()
            .len()
    };
    let kin_groups = w
        .state
        .agents
        .iter()
        .filter(|a| a.alive != 0)
        .map(kin_key)
        .collect::<std::collections::HashSet<u32>>()
        .len();
    assert!(
        kin_groups >= founders,
        "kin groups split founders' lineages ({kin_groups} groups, {founders} lineages)"
    );
}

/// With `measures.kin_ticks: T`, a child whose parent was born in an earlier epoch of T
/// ticks roots a new group with its siblings of this epoch; every other child is in its
/// parent's. Groups therefore hold births of at most one epoch past their root's, in a fast
/// breeding world as in a slow one.
#[test]
fn kin_groups_root_every_epoch_of_t_ticks() {
    use silico::layout::{epoch_kin_key, kin_key};
    let mut cfg = common::tiny();
    cfg.measures.kin_ticks = 25;
    let mut w = CpuWorld::new(&cfg, State::new(&cfg));
    let mut parents = std::collections::HashMap::new();
    let (mut rooted, mut kept) = (0, 0);
    // kin key -> the earliest and latest birth tick among its members seen.
    let mut span: std::collections::HashMap<u32, (u32, u32)> = Default::default();
    for _ in 0..300 {
        for a in w.state.agents.iter().filter(|a| a.alive != 0) {
            parents.insert((a.lineage_lo, a.lineage_hi), *a);
        }
        let row = w.tick();
        let alive: Vec<_> = w
            .state
            .agents
            .iter()
            .filter(|a| a.alive != 0)
            .copied()
            .collect();
        let groups: std::collections::HashSet<u32> = alive.iter().map(kin_key).collect();
        assert_eq!(row[col("evo_lineages_alive")], groups.len() as f32);
        for a in &alive {
            assert_ne!(a.kin, 0, "every agent has a kin group");
            if a.generation > 0 {
                let e = span.entry(a.kin).or_insert((a.lineage_hi, a.lineage_hi));
                e.0 = e.0.min(a.lineage_hi);
                e.1 = e.1.max(a.lineage_hi);
            }
            let Some(parent) = parents.get(&(a.parent_lo, a.parent_hi)) else {
                continue;
            };
            let epoch = a.lineage_hi / 25;
            if parent.lineage_hi / 25 < epoch {
                assert_eq!(a.kin, epoch_kin_key(parent, epoch));
                rooted += 1;
            } else {
                assert_eq!(
                    a.kin, parent.kin,
                    "born in its parent's epoch: its parent's group"
                );
                kept += 1;
            }
        }
    }
    assert!(
        rooted > 10 && kept > 10,
        "both rules were exercised ({rooted}, {kept})"
    );
    // Children of one group are born within one epoch of their root's children.
    for (kin, (first, last)) in &span {
        assert_eq!(
            first / 25,
            last / 25,
            "group {kin}'s children span {first}..{last}"
        );
    }
}

#[test]
fn children_stay_in_their_founders_lineage() {
    let cfg = common::tiny();
    let mut w = CpuWorld::new(&cfg, State::new(&cfg));
    let rows: Vec<Vec<f32>> = (0..150).map(|_| w.tick()).collect();
    for r in &rows {
        assert!(r[col("evo_lineages_alive")] <= r[col("population")]);
    }
    assert!(
        rows.iter()
            .any(|r| r[col("evo_lineages_alive")] < r[col("population")]),
        "after births some lineage has several members"
    );
    let founders: std::collections::HashSet<[u32; 2]> = w
        .state
        .agents
        .iter()
        .filter(|a| a.alive != 0)
        .map(|a| a.founder)
        .collect();
    assert_eq!(
        rows.last().unwrap()[col("evo_lineages_alive")],
        founders.len() as f32
    );
}

#[test]
fn genome_diversity_is_the_spread_of_a_sample() {
    // Fresh Linear genomes are N(0, init_sigma²) per weight: a member's RMS distance from
    // the sample mean is init_sigma · √((n − 1)/n).
    let mut cfg = common::tiny();
    cfg.brain = silico::config::Brain::Linear;
    let mut w = CpuWorld::new(&cfg, State::new(&cfg));
    let first = w.tick();
    let n = silico::world::DIVERSITY_SAMPLE as f32;
    let want = cfg.mutation.init_sigma * ((n - 1.0) / n).sqrt();
    let got = first[col("evo_genome_diversity")];
    assert!(
        (got - want).abs() < 0.1 * want,
        "diversity {got}, expected about {want}"
    );
    // Held between measurements.
    let second = w.tick();
    assert_eq!(second[col("evo_genome_diversity")], got);
    // The backends' worlds drift apart over many ticks (float rounding in a chaotic world),
    // so compare the first measurement, which the next 15 rows hold.
    if let Some(gpu) = gpu_rows(&cfg, 16) {
        let cpu: Vec<Vec<f32>> = {
            let mut w = CpuWorld::new(&cfg, State::new(&cfg));
            (0..16).map(|_| w.tick()).collect()
        };
        assert_rows_close("diversity", &cpu, &gpu, &["evo_genome_diversity"]);
    }
    // Identical genomes: no diversity.
    let same = crowd(copying_speakers, MessageControl::On);
    let mut w = CpuWorld::new(&same, State::new(&same));
    assert_eq!(w.tick()[col("evo_genome_diversity")], 0.0);
}

/// Two columns of 32 agents, one on each side of the map, that never move: each agent's
/// message says which side it is on (its x position), and its move action copies what it
/// heard (its other_message). Its four neighbours are on its own side, so under real
/// messages what it hears tells its side.
fn two_sides(messages: MessageControl) -> Config {
    let mut cfg = world_without_agents();
    cfg.controls.messages = messages;
    cfg.agents.capacity = 64;
    cfg.agents.move_speed = 0.0;
    cfg.measures.influence_every = 1;
    let x = |c: &Config| self_input(c, 2);
    let heard = |c: &Config, k: usize| self_input(c, OTHER + k);
    let genome = |c: &Config| {
        linear(
            c,
            &[
                (act::REPRODUCE, -5.0),
                (act::GATE, 5.0),
                (act::OTHER_MESSAGE, -6.4),
            ],
            &[
                (x(c), act::OTHER_MESSAGE, 0.1),
                (heard(c, 0), act::MOVE_X, 5.0),
            ],
        )
    };
    cfg.scenario.agents = [16.0, 100.0]
        .iter()
        .map(|&x| AgentPlacement {
            pos: [x, 2.0],
            count: 32,
            step: [0.0, 4.0],
            energy: Some(1e4),
            genome: genome(&cfg),
        })
        .collect();
    cfg
}

/// The table of (symbol of the other_message each living agent observed, its side of the
/// map), from its observation row, over ticks 5.. of `ticks`; and the rows.
fn heard_against_side(cfg: &Config, world: &mut World, ticks: u64) -> (Vec<u32>, Vec<Vec<f32>>) {
    let obs_len = silico::world::Dims::new(cfg).obs_len;
    let own_heard = self_input(cfg, OTHER);
    let mut table = vec![0u32; comm::TABLE];
    let mut rows = Vec::new();
    for t in 0..ticks {
        rows.extend(world.advance(1).unwrap());
        rows.extend(world.flush().unwrap());
        if t < 5 {
            continue;
        }
        let state = world.state(cfg).unwrap();
        let obs: Vec<f32> = bytemuck::pod_collect_to_vec(
            &world
                .read_section(silico::world::Section::Obs, 0, (obs_len * 64 * 4) as u64)
                .unwrap(),
        );
        for (i, a) in state
            .agents
            .iter()
            .enumerate()
            .filter(|(_, a)| a.alive != 0)
        {
            let row = &obs[i * obs_len..(i + 1) * obs_len];
            let symbol = silico::cpu::metrics::message_symbol(&row[own_heard..]) as usize;
            let side = usize::from(a.pos[0] > 64.0);
            table[symbol * comm::ACTION_SYMBOLS + side] += 1;
        }
    }
    (table, rows)
}

#[test]
fn shuffled_messages_cut_what_listeners_hear_from_their_surroundings() {
    let mut backends = vec![None];
    if let Some(ctx) = common::gpu() {
        backends.push(Some(ctx));
    }
    for ctx in backends {
        let backend = if ctx.is_some() { "gpu" } else { "cpu" };
        let mut results = Vec::new();
        for messages in [MessageControl::On, MessageControl::Shuffled] {
            let cfg = two_sides(messages);
            let mut world = match &ctx {
                Some(ctx) => World::on_context(ctx.clone(), &cfg, &State::new(&cfg)).unwrap(),
                None => World::new(&cfg, State::new(&cfg), silico::sim::BackendKind::Cpu).unwrap(),
            };
            let (table, rows) = heard_against_side(&cfg, &mut world, 30);
            let [mi, h, bias] = silico::cpu::metrics::table_stats(&table);
            let influence: f32 = rows[5..]
                .iter()
                .map(|r| r[col("comm_influence_changed")])
                .sum::<f32>()
                / (rows.len() - 5) as f32;
            let listener_mi = rows.last().unwrap()[col("comm_listener_mi")];
            results.push((messages, mi, h, bias, influence, listener_mi));
        }
        let (_, mi_on, h_on, _, influence_on, listener_on) = results[0];
        let (_, mi_shuffled, _, bias, influence_shuffled, listener_shuffled) = results[1];
        // Real messages: what an agent hears is its side, one bit.
        assert!(
            h_on > 0.9 && mi_on > 0.9,
            "{backend}: I(heard; side) {mi_on} of {h_on} bits"
        );
        // Shuffled: what it hears is another agent's, whatever its side.
        assert!(
            mi_shuffled.abs() <= bias.max(0.01),
            "{backend}: shuffled I(heard; side) {mi_shuffled} outside ±{bias}"
        );
        // Listeners act on what they hear either way: swapping what they hear for another
        // agent's flips their move about half the time (the other agent is on the other
        // side half the time), and the listener MI stays, though it carries nothing of the
        // surroundings once shuffled.
        for (what, influence) in [("on", influence_on), ("shuffled", influence_shuffled)] {
            assert!(
                (0.25..0.75).contains(&influence),
                "{backend}: influence {what} {influence}"
            );
        }
        assert!(
            listener_on > 0.5 && listener_shuffled > 0.5,
            "{backend}: {listener_on} {listener_shuffled}"
        );
    }
}

#[test]
fn influence_is_zero_for_brains_that_ignore_messages() {
    // The same world, but the move reads nothing: swapping what they hear changes nothing.
    let mut cfg = two_sides(MessageControl::On);
    let deaf = linear(
        &cfg,
        &[(act::REPRODUCE, -5.0), (act::GATE, 5.0), (act::MOVE_X, 1.0)],
        &[],
    );
    for place in &mut cfg.scenario.agents {
        place.genome = deaf.clone();
    }
    let mut w = CpuWorld::new(&cfg, State::new(&cfg));
    let rows: Vec<Vec<f32>> = (0..10).map(|_| w.tick()).collect();
    for r in &rows {
        assert_eq!(r[col("comm_influence_changed")], 0.0);
        assert_eq!(r[col("comm_influence_delta")], 0.0);
    }
    if let Some(gpu) = gpu_rows(&cfg, 10) {
        assert_rows_close(
            "no influence",
            &rows,
            &gpu,
            &["comm_influence_changed", "comm_influence_delta"],
        );
    }
}

/// `n` agents from `pos` a cell apart along x, each its own lineage, with one genome.
fn row_of(pos: [f32; 2], n: u32, genome: GenomeSpec) -> AgentPlacement {
    AgentPlacement {
        pos,
        count: n,
        step: [16.0, 0.0],
        energy: Some(1e4),
        genome,
    }
}

/// Own harvest's chance level by hand: each meal from a cultivated cell weighted by what
/// its cultivator's lineage ate of all that the living ate, over the food from such cells.
fn chance_by_hand(st: &State, sc: &silico::world::Scratch) -> (f64, f64, f64) {
    use silico::world::{lineage_key, CULTIVATOR_AGENTS};
    let mut by_lineage = std::collections::HashMap::<u32, f64>::new();
    let mut total = 0.0;
    for (a, t) in st.agents.iter().zip(&sc.agent_tick) {
        if a.alive != 0 {
            *by_lineage
                .entry(lineage_key(a.founder[0], a.founder[1]))
                .or_default() += t.eaten as f64;
            total += t.eaten as f64;
        }
    }
    let (mut food, mut own, mut weighted) = (0.0, 0.0, 0.0);
    for (a, t) in st.agents.iter().zip(&sc.agent_tick) {
        if a.alive != 0 && t.meal_from == CULTIVATOR_AGENTS {
            food += t.eaten as f64;
            if t.meal_lineage == lineage_key(a.founder[0], a.founder[1]) {
                own += t.eaten as f64;
            }
            weighted += t.eaten as f64 * by_lineage.get(&t.meal_lineage).copied().unwrap_or(0.0);
        }
    }
    (food, own / food, weighted / (food * total))
}

#[test]
fn farmers_harvest_their_own_lineages_cells() {
    // Three farmers (each a lineage) raise the gain of their cells and eat there; two
    // grazers eat on cells nobody cultivates.
    let mut cfg = world_without_agents();
    let farmer = linear(
        &cfg,
        &[
            (act::EAT, 5.0),
            (act::REPRODUCE, -5.0),
            (act::GATE, -5.0),
            (act::TERRAFORM, 2.0),
        ],
        &[],
    );
    let grazer = linear(
        &cfg,
        &[(act::EAT, 5.0), (act::REPRODUCE, -5.0), (act::GATE, -5.0)],
        &[],
    );
    cfg.scenario.agents = vec![
        row_of([4.0, 20.0], 3, farmer),
        row_of([4.0, 100.0], 2, grazer),
    ];
    let mut w = CpuWorld::new(&cfg, State::new(&cfg));
    let mut rows = Vec::new();
    let mut farmed = 0;
    for _ in 0..40 {
        let row = w.tick();
        let (food, share, chance) = chance_by_hand(&w.state, &w.scratch);
        assert!((row[col("agri_own_harvest_food")] as f64 - food).abs() < 1e-4 * food.max(1.0));
        if food > 0.0 {
            farmed += 1;
            assert_eq!(share, 1.0);
            assert_eq!(row[col("agri_own_harvest_share")], 1.0);
            let got = row[col("agri_own_harvest_chance")] as f64;
            assert!(
                (got - chance).abs() < 1e-3,
                "chance {got}, by hand {chance}"
            );
            assert!(
                chance > 0.0 && chance < 1.0,
                "other lineages eat too, so the chance level is below 1 ({chance})"
            );
        }
        rows.push(row);
    }
    assert!(
        farmed > 20,
        "the farmers' cells became cultivated ({farmed} ticks)"
    );
    if let Some(gpu) = gpu_rows(&cfg, 40) {
        assert_rows_close(
            "own harvest",
            &rows,
            &gpu,
            &[
                "agri_own_harvest_food",
                "agri_own_harvest_share",
                "agri_own_harvest_chance",
            ],
        );
    }
}

#[test]
fn eaters_independent_of_cultivators_harvest_at_the_chance_level() {
    use silico::world::{lineage_key, CULTIVATOR_AGENTS};
    // 16 founders that eat and do nothing else; before every tick each cell is made
    // cultivated by a lineage drawn at random and each agent is put on a random spot, so
    // who eats a cell is independent of who cultivated it.
    let mut cfg = world_without_agents();
    cfg.agents.capacity = 16;
    let eater = linear(
        &cfg,
        &[(act::EAT, 5.0), (act::REPRODUCE, -5.0), (act::GATE, -5.0)],
        &[],
    );
    cfg.scenario.agents = vec![row_of([4.0, 4.0], 16, eater)];
    let mut w = CpuWorld::new(&cfg, State::new(&cfg));
    let keys: Vec<u32> = w
        .state
        .agents
        .iter()
        .map(|a| lineage_key(a.founder[0], a.founder[1]))
        .collect();
    let rng = silico::rng::Rng::new(99);
    let (mut share, mut chance, mut n) = (0.0f64, 0.0f64, 0.0f64);
    let size = cfg.world_size();
    for t in 0..400u32 {
        for (c, cell) in w.state.cells.iter_mut().enumerate() {
            cell.energy_gain = w.state.shadow_gain[c] + 1.0;
            w.state.cultivator[c] = CULTIVATOR_AGENTS;
            let k = (rng.uniform(t, c as u32, 1, 0) * 16.0) as usize;
            w.state.cultivator_id[c] = keys[k.min(15)];
        }
        for (i, a) in w.state.agents.iter_mut().enumerate() {
            a.pos = [
                rng.uniform(t, i as u32, 2, 0) * size,
                rng.uniform(t, i as u32, 2, 1) * size,
            ];
        }
        let row = w.tick();
        if row[col("agri_own_harvest_food")] > 0.0 {
            share += row[col("agri_own_harvest_share")] as f64;
            chance += row[col("agri_own_harvest_chance")] as f64;
            n += 1.0;
        }
    }
    let (share, chance) = (share / n, chance / n);
    assert!(n > 300.0);
    assert!(
        (share - chance).abs() < 0.02,
        "own harvest {share} against its chance level {chance}"
    );
    assert!(
        (chance - 1.0 / 16.0).abs() < 0.02,
        "16 lineages eating alike: {chance}"
    );
}

#[test]
fn lineages_that_program_farming_bots_eat_from_them() {
    use silico::config::BotPlacement;
    use silico::program::{BotOp, MemorySpec, ProgramSpec};
    // Two agents (two lineages), each beside a bot it programs with Keep on a memory that
    // raises energy_gain; a third agent grazes far from any bot.
    let build = |programming: Switch| {
        let mut cfg = world_without_agents();
        cfg.controls.programming = programming;
        cfg.bots.count = 2;
        cfg.agents.view_bots = 1;
        let keep = ProgramSpec::Op(BotOp::Keep).assemble().unwrap();
        let mut memory = vec![0.0; silico::world::MESSAGE_LEN];
        memory[silico::world::bot_act::TERRAFORM] = 1.0;
        cfg.scenario.bots = vec![BotPlacement {
            pos: [20.0, 20.0],
            count: 2,
            step: [64.0, 0.0],
            energy: Some(1e4),
            program: ProgramSpec::Raw(keep.to_vec()),
            memory: MemorySpec::Raw(memory),
        }];
        let mut bias: Vec<(usize, f32)> =
            vec![(act::REPRODUCE, -5.0), (act::GATE, 5.0), (act::EAT, 5.0)];
        for (k, v) in keep.iter().enumerate() {
            bias.push((act::OTHER_MESSAGE + k, 20.0 * v));
        }
        let programmer = linear(&cfg, &bias, &[]);
        let grazer = linear(
            &cfg,
            &[(act::EAT, 5.0), (act::REPRODUCE, -5.0), (act::GATE, -5.0)],
            &[],
        );
        cfg.scenario.agents = vec![
            AgentPlacement {
                step: [64.0, 0.0],
                ..row_of([21.0, 21.0], 2, programmer)
            },
            row_of([52.0, 100.0], 1, grazer),
        ];
        cfg
    };
    let cfg = build(Switch::On);
    let mut w = CpuWorld::new(&cfg, State::new(&cfg));
    let mut rows = Vec::new();
    let mut fed = 0;
    for _ in 0..30 {
        let row = w.tick();
        let food = row[col("tool_programmer_food")];
        if food > 0.0 {
            fed += 1;
            assert_eq!(row[col("tool_programmer_benefit")], 1.0);
            // Both programmers eat alike and the grazer eats too: each lineage's share of
            // all eating is below a half.
            let chance = row[col("tool_programmer_benefit_chance")];
            assert!(chance > 0.0 && chance < 0.5, "{chance}");
        }
        rows.push(row);
    }
    assert!(
        fed > 15,
        "the bots' cells fed their programmers ({fed} ticks)"
    );
    if let Some(gpu) = gpu_rows(&cfg, 30) {
        assert_rows_close(
            "programmer benefit",
            &rows,
            &gpu,
            &[
                "tool_programmer_food",
                "tool_programmer_benefit",
                "tool_programmer_benefit_chance",
                "tool_programming_events",
            ],
        );
    }
    // With programming off the bots still farm, but nobody programmed them.
    let off = build(Switch::Off);
    let mut w = CpuWorld::new(&off, State::new(&off));
    for _ in 0..30 {
        let row = w.tick();
        assert_eq!(row[col("tool_programming_events")], 0.0);
        assert_eq!(row[col("tool_programmer_food")], 0.0);
        assert!(row[col("cultivation_bots")] > 0.0);
    }
    assert!(w.state.bot_programmer.iter().all(|p| *p == 0));
}

/// Three farmers on one spot, each its own lineage, all raising their cell every tick: the
/// credit for the cell goes to one drawn at random each tick (from the seed), not always to
/// the lowest slot, so each lineage holds it about a third of the time. The GPU draws the
/// same one.
#[test]
fn a_shared_spot_credits_its_farmers_in_turn() {
    let mut cfg = farmer(Switch::On);
    cfg.scenario.agents[0].count = 3;
    let mut w = CpuWorld::new(&cfg, State::new(&cfg));
    let c = silico::world::common::cell_index_of(&w.params, [60.0, 60.0]);
    let keys: Vec<u32> = (0..3)
        .map(|s| silico::layout::kin_key(&w.state.agents[s]))
        .collect();
    assert!(keys[0] != keys[1] && keys[1] != keys[2] && keys[0] != keys[2]);
    let mut credited = [0usize; 3];
    let mut per_tick = Vec::new();
    for _ in 0..150 {
        w.tick();
        assert_eq!(w.state.cultivator[c], silico::world::CULTIVATOR_AGENTS);
        let who = keys
            .iter()
            .position(|k| *k == w.state.cultivator_id[c])
            .expect("one of the three");
        credited[who] += 1;
        per_tick.push(w.state.cultivator_id[c]);
    }
    for (k, n) in credited.iter().enumerate() {
        assert!(
            (30..=70).contains(n),
            "lineage of slot {k} credited {n} of 150 ticks: {credited:?}"
        );
    }
    if let Some(ctx) = common::gpu() {
        let mut g = World::on_context(ctx, &cfg, &State::new(&cfg)).unwrap();
        for (t, want) in per_tick.iter().enumerate() {
            g.advance(1).unwrap();
            let bytes = g
                .read_section(silico::world::Section::CultivatorId, 4 * c as u64, 4)
                .unwrap();
            let got = u32::from_le_bytes(bytes[..4].try_into().unwrap());
            assert_eq!(got, *want, "tick {t}: the GPU credited another farmer");
        }
    }
}

/// `genome_diversity` as the shader reads: one thread of 64 after another, each
/// weight's mean over the sample, then its squared distances.
fn genome_diversity_reference(p: &silico::world::Params, st: &State) -> f32 {
    let g = p.genome_len as usize;
    let sample = silico::cpu::metrics::diversity_sample(st);
    if sample.len() < 2 || g == 0 {
        return 0.0;
    }
    let n = sample.len() as f32;
    let mut per_thread = vec![[0.0f32; silico::world::DIVERSITY_SAMPLE]; 64];
    for (t, acc) in per_thread.iter_mut().enumerate() {
        for w in (t..g).step_by(64) {
            let mean = sample.iter().map(|&i| st.genomes[i * g + w]).sum::<f32>() / n;
            for (k, &i) in sample.iter().enumerate() {
                let d = st.genomes[i * g + w] - mean;
                acc[k] += d * d;
            }
        }
    }
    silico::cpu::metrics::diversity_of(&per_thread, sample.len(), g)
}

/// The lane-wise diversity gives the reference's bits: a full sample and a short one,
/// and a genome whose length leaves a partial block.
#[test]
fn lane_wise_diversity_is_the_reference_bit_for_bit() {
    let cfg = Config::default();
    let mut p = silico::world::Params::new(&cfg);
    let mut st = State::new(&cfg);
    let rng = silico::rng::Rng::new(9);
    for (len, alive) in [(p.genome_len as usize, 128), (1_000, 5), (70, 16), (64, 2)] {
        p.genome_len = len as u32;
        st.genomes = (0..st.agents.len() * len)
            .map(|w| rng.uniform(0, w as u32, 0, 0) - 0.5)
            .collect();
        for (i, a) in st.agents.iter_mut().enumerate() {
            a.alive = u32::from(i % 3 == 0 && i / 3 < alive);
        }
        assert_eq!(
            silico::cpu::metrics::genome_diversity(&p, &st).to_bits(),
            genome_diversity_reference(&p, &st).to_bits(),
            "genome of {len}, {alive} alive"
        );
    }
}
