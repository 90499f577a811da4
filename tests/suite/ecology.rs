//! The `ecology` switches, each against the same world with it off: honest gifts create no
//! energy, crowding stops births in a pile, ids drift as slowly as asked, strangers digest
//! a fraction of an owned cell's food, and food grows only in its patches. (GPU against CPU:
//! gpu_vs_cpu.rs; births' order and top-up respawns: births.rs.)

use crate::common;

use silico::config::{AgentPlacement, Brain, Config};
use silico::cpu::CpuWorld;
use silico::world::common::{cell_index_of, food_patch_centres, in_food_patch};
use silico::world::*;

fn col(name: &str) -> usize {
    metric_index(name).unwrap()
}

/// `count` Linear-brain agents at `pos`, each `step` further on, acting on constant biases.
fn placed(pos: [f32; 2], count: u32, step: [f32; 2], bias: &[(usize, f32)]) -> AgentPlacement {
    AgentPlacement {
        pos,
        count,
        step,
        energy: Some(100.0),
        genome: common::bias_genome(bias),
    }
}

fn world(cfg: &Config) -> CpuWorld {
    CpuWorld::new(cfg, State::new(cfg))
}

/// Agents that only give (a hit of tanh(-5) on everyone they see), packed close so each
/// reaches many, with little energy so that some would give more than they hold.
fn givers(honest: bool) -> Config {
    let mut cfg = common::tiny();
    cfg.brain = Brain::Linear;
    cfg.agents.initial_agents = Some(0);
    cfg.scenario.agents = vec![placed(
        [100.0, 100.0],
        24,
        [0.7, 0.3],
        &[(act::HIT, -5.0), (act::REPRODUCE, -5.0)],
    )];
    cfg.scenario.agents[0].energy = Some(3.0);
    cfg.costs.life_cost = 0.0;
    cfg.ecology.honest_gifts = honest;
    cfg
}

/// What hits added to agents and bots together in a metrics row: under honest gifts at
/// most rounding (gifts move energy, blows destroy it).
fn hit_flows(row: &[f32]) -> f64 {
    [
        "ledger_hit_received",
        "ledger_stolen",
        "ledger_bot_hit_received",
        "ledger_bot_stolen",
    ]
    .iter()
    .map(|c| row[col(c)] as f64)
    .sum()
}

#[test]
fn honest_gifts_move_energy_and_never_create_it() {
    let mut created = 0.0f64;
    let mut w = world(&givers(false));
    for _ in 0..5 {
        created += hit_flows(&w.tick());
    }
    assert!(
        created > 10.0,
        "JaxLife's gifts create energy ({created}); the honest case below means something"
    );

    let cfg = givers(true);
    let mut w = world(&cfg);
    let mut given = 0.0f64;
    for t in 0..5 {
        let before: Vec<f32> = w.state.agents.iter().map(|a| a.energy).collect();
        let row = w.tick();
        let flows = hit_flows(&row);
        assert!(flows <= 1e-3, "tick {t}: hits added {flows} units");
        assert!(
            row[col("ledger_error")].abs() < 1e-2,
            "tick {t}: the ledger does not close"
        );
        for (i, e) in before.iter().enumerate() {
            let gave = -w.scratch.agent_tick[i].stolen;
            assert!(
                gave <= e.max(0.0) * (1.0 + 1e-5) + 1e-5,
                "tick {t} agent {i}: gave {gave} holding {e}"
            );
            given += gave.max(0.0) as f64;
        }
    }
    assert!(given > 10.0, "the givers gave ({given})");
}

/// Rich agents that always ask for a child, all on one spot, and one far from them.
fn breeders(crowding_limit: u32) -> Config {
    let mut cfg = common::tiny();
    cfg.brain = Brain::Linear;
    cfg.agents.initial_agents = Some(0);
    let bias = [(act::REPRODUCE, 5.0), (act::HIT, 0.0)];
    cfg.scenario.agents = vec![
        placed([100.0, 100.0], 10, [0.1, 0.0], &bias),
        placed([20.0, 200.0], 1, [0.0, 0.0], &bias),
    ];
    for p in &mut cfg.scenario.agents {
        p.energy = Some(1000.0);
    }
    cfg.ecology.crowding_limit = crowding_limit;
    cfg.ecology.crowding_radius = 5.0;
    cfg
}

#[test]
fn crowding_stops_births_in_a_pile() {
    let mut free = world(&breeders(0));
    assert_eq!(
        free.tick()[col("births")],
        11.0,
        "everyone breeds without a limit"
    );
    let mut crowded = world(&breeders(3));
    assert_eq!(
        crowded.tick()[col("births")],
        1.0,
        "only the agent alone breeds when three within 5 units stop a birth"
    );
    let child = crowded.scratch.birth_list[0];
    assert_eq!(child.parent, 10, "the lone agent is the parent");
}

#[test]
fn ids_drift_as_slowly_as_asked() {
    for drift in [0.0f32, 0.05, 1.0] {
        let mut cfg = breeders(0);
        cfg.ecology.id_drift = drift;
        let mut w = world(&cfg);
        w.tick();
        let n = w.scratch.birth_control.count as usize;
        assert!(n > 0);
        let mut largest = 0.0f32;
        for b in &w.scratch.birth_list[..n] {
            let (c, p) = (
                &w.state.agents[b.child as usize],
                &w.state.agents[b.parent as usize],
            );
            for k in 0..ID_LEN {
                let d = (c.id[k] - p.id[k]).abs();
                assert!(d <= drift + 1e-6, "drift {drift}: an id moved {d}");
                largest = largest.max(d);
            }
        }
        if drift > 0.0 {
            assert!(
                largest > 0.3 * drift,
                "drift {drift}: ids barely moved ({largest})"
            );
        }
    }
}

/// `count` agents that only eat, from (100, 100) every `step` units east, and no bots.
fn eaters(count: u32, step: f32) -> Config {
    let mut cfg = common::tiny();
    cfg.brain = Brain::Linear;
    cfg.bots.count = 0;
    cfg.agents.initial_agents = Some(0);
    cfg.scenario.agents = vec![placed(
        [100.0, 100.0],
        count,
        [step, 0.0],
        &[(act::EAT, 5.0), (act::REPRODUCE, -5.0), (act::HIT, 0.0)],
    )];
    cfg
}

/// One eater on a cultivated cell credited to its own kin group or to another: what it
/// digested, what the cells gave that no eater got, and what its cell gave.
fn meal(stranger_eat_fraction: f32, own: bool) -> (f32, f32, f32) {
    let mut cfg = eaters(1, 0.0);
    cfg.ecology.stranger_eat_fraction = stranger_eat_fraction;
    // Edited before the world starts its ledger from it.
    let mut st = State::new(&cfg);
    let c = cell_index_of(&Params::new(&cfg), [100.0, 100.0]);
    let cell = &mut st.cells[c];
    cell.energy = 6.0;
    cell.max_energy = 8.0;
    cell.energy_gain = 2.0;
    st.shadow_gain[c] = 0.0;
    st.cultivator[c] = CULTIVATOR_AGENTS;
    let mine = kin_key(&st.agents[0]);
    st.cultivator_id[c] = if own { mine } else { mine ^ 0x10 };
    let mut w = CpuWorld::new(&cfg, st);
    let row = w.tick();
    let t = w.scratch.agent_tick[0];
    assert_eq!(
        t.meal_from, CULTIVATOR_AGENTS,
        "the cell counts as cultivated"
    );
    assert!(row[col("ledger_error")].abs() < 1e-2, "the ledger closes");
    let lost = row[col("ledger_eaten_from_cells")] - row[col("ledger_eaten_by_agents")];
    (t.eaten, lost, w.scratch.cell_tick[c].eaten)
}

#[test]
fn strangers_digest_a_fraction_of_an_owned_cells_food() {
    let (owner, owner_lost, taken) = meal(0.25, true);
    assert!(owner > 0.5, "the owner ate ({owner})");
    assert!(
        (owner - taken).abs() < 1e-5,
        "the owner digests what it takes"
    );
    let (stranger, stranger_lost, taken_by_stranger) = meal(0.25, false);
    assert!(
        (taken_by_stranger - taken).abs() < 1e-5,
        "both take the same share"
    );
    assert!(
        (stranger - 0.25 * owner).abs() < 1e-5,
        "a stranger digests a quarter: {stranger} of {owner}"
    );
    assert!(owner_lost.abs() < 1e-5, "nothing is lost to the owner");
    assert!(
        (stranger_lost - (owner - stranger)).abs() < 1e-4,
        "the ledger sees what the stranger did not digest: {stranger_lost}"
    );
    let (unowned, _, _) = meal(1.0, false);
    assert!((unowned - owner).abs() < 1e-5, "fraction 1: no ownership");
}

#[test]
fn food_grows_only_in_its_patches() {
    let mut cfg = common::tiny();
    cfg.ecology.food_patches = 3;
    cfg.ecology.food_patch_radius_cells = 3.0;
    cfg.ecology.food_patch_period_ticks = 5;
    let mut w = world(&cfg);
    let n = cfg.world.map_size;
    let p = w.params;
    for t in 0..8u32 {
        w.tick();
        // The tick's terrain step ran at clock tick t.
        let centres = food_patch_centres(&p, &w.rng, t);
        let mut fed = 0;
        for (c, cell) in w.state.cells.iter().enumerate() {
            let inside = in_food_patch(&p, &centres, c as u32 % n, c as u32 / n);
            if !inside {
                assert_eq!(
                    cell.energy, 0.0,
                    "tick {t}: cell {c} outside the patches holds food"
                );
                assert_eq!(cell.max_energy, 0.0);
            }
            fed += usize::from(cell.energy > 0.0);
        }
        let area = 3.0 * std::f32::consts::PI * 9.0;
        assert!(
            fed > 0 && fed as f32 <= area + 12.0,
            "tick {t}: {fed} cells hold food"
        );
    }
    assert_ne!(
        food_patch_centres(&p, &w.rng, 0),
        food_patch_centres(&p, &w.rng, 5),
        "patches move every 5 ticks"
    );
    assert_eq!(
        food_patch_centres(&p, &w.rng, 0),
        food_patch_centres(&p, &w.rng, 4)
    );
}

/// The income columns name what agents live on, and add up to one.
#[test]
fn income_shares_say_what_agents_live_on() {
    let shares = |row: &[f32]| {
        [
            "income_eating",
            "income_gifts",
            "income_births",
            "income_theft",
        ]
        .map(|c| row[col(c)])
    };
    let check = |what: &str, row: &[f32], k: usize| {
        let s = shares(row);
        assert!((s.iter().sum::<f32>() - 1.0).abs() < 1e-5, "{what}: {s:?}");
        assert!(s[k] > 0.9, "{what}: {s:?}");
    };
    // Givers that do not eat: what they get is gifts.
    let mut w = world(&givers(true));
    check("givers", &w.tick(), 1);
    // JaxLife's births: 32 new units a child.
    let mut w = world(&breeders(0));
    check("breeders", &w.tick(), 2);
    // Eaters alone: all of it is food.
    let cfg = eaters(3, 30.0);
    let mut st = State::new(&cfg);
    for c in st.cells.iter_mut() {
        c.energy = c.max_energy.max(1.0);
        c.max_energy = c.energy;
    }
    let mut w = CpuWorld::new(&cfg, st);
    check("eaters", &w.tick(), 0);
}

/// A bot holding 40 units with a still program (Keep, memory all zero: it neither moves,
/// eats nor hits), a stranger beside it and, further off, an agent of the kin group that
/// programmed it. Zero brains: nobody writes into the bot.
fn kin_bot(share: f32) -> (CpuWorld, usize, usize) {
    let mut cfg = common::tiny();
    cfg.brain = Brain::Zero;
    cfg.agents.initial_agents = Some(0);
    cfg.bots.count = 1;
    cfg.costs.life_cost = 0.0;
    cfg.bots.steps_per_tick = 2;
    cfg.scenario.agents = vec![placed([101.0, 100.0], 2, [2.0, 0.0], &[])];
    cfg.scenario.bots = vec![silico::config::BotPlacement {
        pos: [100.0, 100.0],
        count: 1,
        step: [0.0, 0.0],
        energy: Some(40.0),
        program: silico::program::ProgramSpec::Op(silico::program::BotOp::Keep),
        memory: silico::program::MemorySpec::Values {
            move_x: 0.0,
            move_y: 0.0,
            push: 0.0,
            eat: 0.0,
            hit: 0.0,
            gate: 0.0,
            terraform: [0.0; 5],
            bit_io: 0.0,
            bit: 0.0,
            write: 0.0,
        },
    }];
    cfg.ecology.bot_kin_share = share;
    let mut st = State::new(&cfg);
    let slot = |x: f32| {
        st.agents
            .iter()
            .position(|a| a.alive != 0 && (a.pos[0] - x).abs() < 1e-3)
            .unwrap()
    };
    let (stranger, kin) = (slot(101.0), slot(103.0));
    st.bot_programmer[0] = silico::layout::kin_key(&st.agents[kin]);
    assert_ne!(
        st.bot_programmer[0],
        silico::layout::kin_key(&st.agents[stranger])
    );
    (CpuWorld::new(&cfg, st), stranger, kin)
}

/// Under `bot_kin_share` a bot passes its share of what it holds, each bot step, to the
/// nearest agent it sees of its programmer's kin group, not to a nearer stranger; the
/// energy moves (the ledger closes) and the income column names it.
#[test]
fn bots_pass_a_share_to_their_programmers_kin() {
    let (mut w, stranger, kin) = kin_bot(0.0);
    let row = w.tick();
    assert_eq!(w.scratch.agent_tick[kin].from_bots, 0.0);
    assert_eq!(row[col("income_from_bots")], 0.0);
    let kept = w.state.bots[0].energy;

    let (mut w, stranger2, kin2) = kin_bot(0.25);
    assert_eq!((stranger2, kin2), (stranger, kin));
    let row = w.tick();
    // Two steps: 40 · 0.25, then 30 · 0.25 (to the accumulators' fixed point).
    let got = w.scratch.agent_tick[kin].from_bots;
    assert!((got - 17.5).abs() < 1e-3, "the kin agent got {got}");
    assert_eq!(w.scratch.agent_tick[stranger].from_bots, 0.0);
    let bot = w.state.bots[0].energy;
    assert!(
        (kept - bot - got).abs() < 1e-3,
        "the bot paid {} for {got}",
        kept - bot
    );
    assert!(
        row[col("ledger_error")].abs() < 1e-2,
        "the ledger closes: {}",
        row[col("ledger_error")]
    );
    assert!(
        row[col("income_from_bots")] > 0.99,
        "{}",
        row[col("income_from_bots")]
    );
}
