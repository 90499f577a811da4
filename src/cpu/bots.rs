//! Reference of shaders/bots.wgsl: bots. `bots_receive` applies what agents did
//! to the bots; then, once per bot step, `bots_act` (sense, run the program, scatter the
//! effects as fixed-point sums), `bots_apply` (agents, then bots) and `bots_apply_cells`
//! (gather them and zero the accumulators for the next step).

use std::cmp::Ordering;

use rayon::prelude::*;

use super::effects::{add_acc, contact, offset};
use super::grid::{for_ring_cells, grid_bucket, grid_coords, max_ring, GRID_ROUNDING_MARGIN};
use super::{
    cell_index_of, die_if_spent, eat_share, moved_units, pulled, take_from_cell, wrap_coord,
};
use crate::world::{
    bot_act, from_fixed, to_fixed, AgentAcc, BotTick, CellAcc, Params, Scratch, State, BOT_OPS,
    BOT_VIEW, MESSAGE_LEN, NONE,
};

/// One entity a bot sees: wrapped offset, squared distance, slot (bots after all agent
/// slots when agents and bots are ranked together).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Seen {
    pub d2: f32,
    pub dx: f32,
    pub dy: f32,
    pub idx: u32,
}

impl Seen {
    const EMPTY: Seen = Seen {
        d2: f32::MAX,
        dx: 0.0,
        dy: 0.0,
        idx: NONE,
    };

    fn from(p: &Params, me: [f32; 2], other: [f32; 2], idx: u32) -> Seen {
        let [dx, dy] = offset(p, me, other);
        Seen {
            d2: dx * dx + dy * dy,
            dx,
            dy,
            idx,
        }
    }
}

/// Nearest first; ties by offset y, then offset x, then slot (in a row of bots the left
/// neighbour comes before the right one, wherever the row sits on the torus).
pub fn before(a: &Seen, b: &Seen) -> bool {
    if a.idx == NONE {
        return false;
    }
    if b.idx == NONE {
        return true;
    }
    match (
        a.d2.partial_cmp(&b.d2),
        a.dy.partial_cmp(&b.dy),
        a.dx.partial_cmp(&b.dx),
    ) {
        (Some(Ordering::Less), ..) => true,
        (Some(Ordering::Equal), Some(Ordering::Less), _) => true,
        (Some(Ordering::Equal), Some(Ordering::Equal), Some(Ordering::Less)) => true,
        (Some(Ordering::Equal), Some(Ordering::Equal), Some(Ordering::Equal)) => a.idx < b.idx,
        _ => false,
    }
}

fn in_view(p: &Params, c: &Seen) -> bool {
    !(p.view_radius > 0.0 && c.d2 > p.view_radius * p.view_radius)
}

/// Offers living agent j, where it is now, to the list of the bot at `me`.
fn offer_agent(p: &Params, sc: &Scratch, me: [f32; 2], j: u32, list: &mut [Seen; BOT_VIEW]) {
    let q = sc.agent_pos[j as usize];
    if q[2] == 0.0 {
        return;
    }
    let c = Seen::from(p, me, [q[0], q[1]], j);
    if in_view(p, &c) {
        insert(list, c);
    }
}

fn insert(list: &mut [Seen; BOT_VIEW], c: Seen) {
    // The list is in `before` order: what does not come before its last comes before none
    // (a farther entry first, by distance alone, once the list is full).
    let last = &list[BOT_VIEW - 1];
    if (last.idx != NONE && c.d2 > last.d2) || !before(&c, last) {
        return;
    }
    let mut x = c;
    for slot in list.iter_mut() {
        if before(&x, slot) {
            std::mem::swap(slot, &mut x);
        }
    }
}

/// The BOT_VIEW nearest living agents, by rings of level-0 grid cells around the bot: the
/// grid holds where agents were when it was built, and since then each has moved at most
/// the sum of the largest moves so far (the shader's `sense_agents` explains the bound).
fn sense_agents(p: &Params, st: &State, sc: &Scratch, me: [f32; 2]) -> [Seen; BOT_VIEW] {
    let step = st.clock.bot_step as usize;
    let moved: f32 = sc.agent_shift[..=step].iter().sum::<f32>()
        + p.world_size * GRID_ROUNDING_MARGIN * (2 + step) as f32;
    let g = p.grid_dim as i32;
    let size = p.grid_cell_size;
    let own = grid_coords(p, 0, me);
    let own = [own[0] as i32, own[1] as i32];
    let mut agents = [Seen::EMPTY; BOT_VIEW];
    for r in 0..=max_ring(g) {
        for_ring_cells(own, r, g, [-1, -1], |_, c| {
            let b = grid_bucket(p, 0, c) as usize;
            for &j in &sc.grid_items[sc.grid_start[b] as usize..sc.grid_start[b + 1] as usize] {
                offer_agent(p, sc, me, j, &mut agents);
            }
        });
        let reach = r as f32 * size - moved;
        if reach > 0.0 && agents[BOT_VIEW - 1].d2 < reach * reach {
            break;
        }
        if p.view_radius > 0.0 && reach > p.view_radius {
            break;
        }
    }
    agents
}

use crate::world::SERIAL_SENSE_MAX;

/// What bot b sees: its BOT_VIEW nearest alive agents and other bots, nearest first.
pub fn sense(
    p: &Params,
    st: &State,
    sc: &Scratch,
    b: usize,
) -> ([Seen; BOT_VIEW], [Seen; BOT_VIEW]) {
    let me = st.bots[b].pos;
    let agents = if p.capacity as usize + st.bots.len() <= SERIAL_SENSE_MAX {
        // The squared distances of a block of agents in one vectorised loop first: only
        // those not farther than the list's last can come before it.
        const BLOCK: usize = 64;
        let mut agents = [Seen::EMPTY; BOT_VIEW];
        let mut d2 = [0.0f32; BLOCK];
        let cap = p.capacity as usize;
        for (b, qs) in sc.agent_pos[..cap].chunks(BLOCK).enumerate() {
            for (d, q) in d2.iter_mut().zip(qs) {
                let [dx, dy] = offset(p, me, [q[0], q[1]]);
                *d = dx * dx + dy * dy;
            }
            for (r, d) in d2[..qs.len()].iter().enumerate() {
                if *d <= agents[BOT_VIEW - 1].d2 {
                    offer_agent(p, sc, me, (b * BLOCK + r) as u32, &mut agents);
                }
            }
        }
        agents
    } else {
        sense_agents(p, st, sc, me)
    };
    let mut bots = [Seen::EMPTY; BOT_VIEW];
    for (j, other) in st.bots.iter().enumerate() {
        if j == b {
            continue;
        }
        let c = Seen::from(p, me, other.pos, j as u32);
        if in_view(p, &c) {
            insert(&mut bots, c);
        }
    }
    (agents, bots)
}

/// The two nearest of what a bot sees, agents and bots ranked together.
pub fn two_nearest(p: &Params, agents: &[Seen; BOT_VIEW], bots: &[Seen; BOT_VIEW]) -> (Seen, Seen) {
    let (mut first, mut second) = (Seen::EMPTY, Seen::EMPTY);
    let ranked = agents.iter().copied().chain(bots.iter().map(|c| Seen {
        idx: if c.idx == NONE {
            NONE
        } else {
            p.capacity + c.idx
        },
        ..*c
    }));
    for c in ranked {
        if before(&c, &first) {
            second = first;
            first = c;
        } else if before(&c, &second) {
            second = c;
        }
    }
    (first, second)
}

/// What an entity says to a bot: an agent its self_message, a bot its memory; nothing: zeros.
fn message_of(p: &Params, st: &State, idx: u32) -> [f32; MESSAGE_LEN] {
    if idx == NONE {
        [0.0; MESSAGE_LEN]
    } else if idx < p.capacity {
        st.agents[idx as usize].self_message
    } else {
        st.bots[(idx - p.capacity) as usize].memory
    }
}

/// A program run on (mem, m1, m2): the operation it selected and its output.
pub fn run_program(
    program: &[f32; MESSAGE_LEN],
    mem: &[f32; MESSAGE_LEN],
    m1: &[f32; MESSAGE_LEN],
    m2: &[f32; MESSAGE_LEN],
) -> (u32, [f32; MESSAGE_LEN]) {
    const BIT: usize = bot_act::BIT;
    let op = crate::program::selected_op(program);
    let mut out = [0.0; MESSAGE_LEN];
    match op {
        0 => out = *m1,
        1 => out = *mem,
        2 => (0..MESSAGE_LEN).for_each(|m| out[m] = mem[m] * m1[m]),
        3 => (0..MESSAGE_LEN).for_each(|m| out[m] = mem[m] * m1[m] + m2[m]),
        4 => {
            let x =
                (mem[BIT].round_ties_even() as i32 != 0) != (m1[BIT].round_ties_even() as i32 != 0);
            let sign = if x { 1.0 } else { -1.0 };
            for m in 0..MESSAGE_LEN {
                out[m] = sign * mem[m] * m1[m] + (1.0 - m1[m]) * mem[m];
            }
            out[BIT] = mem[BIT];
        }
        5 => (0..MESSAGE_LEN).for_each(|m| out[m] = 1.0 - m1[m] * m2[m]),
        _ => {
            out = *mem;
            let row = 4 * (m1[BIT] > 0.0) as usize
                + 2 * (mem[BIT] > 0.0) as usize
                + (m2[BIT] > 0.0) as usize;
            out[BIT] = program[BOT_OPS + row];
        }
    }
    (op as u32, out)
}

fn clamped(out: &[f32; MESSAGE_LEN]) -> [f32; MESSAGE_LEN] {
    out.map(|v| v.clamp(-1.0, 1.0))
}

/// One bot's step: (bot slot, its tick record, what it sends to agents, to bots, to its cell).
type Acted = (
    BotTick,
    Vec<(u32, AgentAcc)>,
    Vec<(u32, AgentAcc)>,
    usize,
    CellAcc,
);

pub fn bots_act(p: &Params, st: &State, sc: &mut Scratch) {
    let grid: &Scratch = sc;
    let ticks = &sc.bot_tick;
    let acted: Vec<Acted> = (0..st.bots.len())
        .into_par_iter()
        .map(|b| {
            let me = &st.bots[b];
            let (near_agents, near_bots) = sense(p, st, grid, b);
            let (first, second) = two_nearest(p, &near_agents, &near_bots);
            let m1 = message_of(p, st, first.idx);
            let m2 = message_of(p, st, second.idx);
            let mem = me.memory;
            let (op, out) = run_program(&me.program, &mem, &m1, &m2);
            let a = clamped(&out);
            let (push, hit_action) = (a[bot_act::PUSH], a[bot_act::HIT]);
            let gate = a[bot_act::GATE].max(0.0);
            let hit = if p.honest_gifts != 0 && hit_action < 0.0 {
                let reach: f32 = near_agents
                    .iter()
                    .chain(near_bots.iter())
                    .filter(|c| c.idx != NONE)
                    .map(|c| super::hit_reach(p, [c.dx, c.dy]))
                    .sum();
                super::given_hit(p, hit_action, me.energy, reach)
            } else {
                hit_action
            };
            let mut hit_total = 0.0f32;
            let mut moved = 0u32;
            let mut to_agents = Vec::new();
            let mut to_bots = Vec::new();
            let said = super::effects::said(gate, &mem);
            for (s, c) in near_agents.iter().chain(near_bots.iter()).enumerate() {
                if c.idx == NONE {
                    continue;
                }
                let (acc, hit_amount) = contact(p, [c.dx, c.dy], push, hit, gate, &said);
                hit_total += hit_amount;
                moved += u32::from(push != 0.0);
                if s < BOT_VIEW {
                    to_agents.push((c.idx, acc));
                } else {
                    to_bots.push((c.idx, acc));
                }
            }
            let gift = kin_gift(p, st, b, me.energy, &near_agents);
            if let Some((j, given)) = gift {
                let to = to_agents.iter_mut().find(|(k, _)| *k == j);
                to.expect("the receiver is an agent it sees").1.from_bots = given;
            }
            let c = cell_index_of(p, me.pos);
            let cell = &st.cells[c];
            let mut cacc = CellAcc::default();
            if a[bot_act::EAT] > 0.0 {
                cacc.eaters = 1;
            }
            let mut terraform = 0.0;
            for k in 0..5 {
                let v = super::terraform_act(p, a[bot_act::TERRAFORM + k]);
                terraform += v.abs();
                cacc.terraform[k] = to_fixed(p.terraform_rate * v);
            }
            if a[bot_act::BIT_IO] < -0.99 {
                cacc.bit_writers = 1;
                cacc.bit_sum = to_fixed(mem[bot_act::BIT]);
            }
            let mut r = ticks[b];
            r.out = out;
            r.op = op;
            r.cell = c as u32;
            r.seen = near_agents.map(|c| c.idx);
            // The agents' costs without age and reproduction.
            r.step_cost = p.move_cost
                * cell.move_cost
                * (a[bot_act::MOVE_X].abs() + a[bot_act::MOVE_Y].abs())
                + p.push_cost * cell.push_cost * push.abs()
                + p.message_cost * cell.message_cost * gate
                + p.hit_cost * hit_action.abs()
                + p.terraform_cost * terraform
                + p.life_cost;
            r.step_stolen = super::hit_income(p, hit, hit_total);
            r.step_gift = gift.map_or(0.0, |(_, given)| from_fixed(given));
            r.moved += moved;
            r.terraform_steps += u32::from(terraform > 0.0);
            (r, to_agents, to_bots, c, cacc)
        })
        .collect();
    for (b, (r, to_agents, to_bots, c, cacc)) in acted.into_iter().enumerate() {
        sc.bot_tick[b] = r;
        for (j, acc) in to_agents {
            // The lowest-numbered bot that sees an agent gathers it (bots_apply).
            let owner = &mut sc.agent_owner[j as usize];
            *owner = (*owner).max(u32::MAX - b as u32);
            add_acc(&mut sc.agent_acc[j as usize], &acc);
        }
        for (j, acc) in to_bots {
            add_acc(&mut sc.bot_acc[j as usize], &acc);
        }
        // The lowest-numbered bot on a cell gathers it (bots_apply_cells), and the
        // lowest-numbered one raising its energy_gain is its cultivator.
        sc.cell_owner[c] = sc.cell_owner[c].max(u32::MAX - b as u32);
        if cacc.terraform[0] > 0 {
            sc.cell_raiser[c] = sc.cell_raiser[c].max(u32::MAX - b as u32);
        }
        let t = &mut sc.cell_acc[c];
        t.eaters += cacc.eaters;
        for k in 0..5 {
            t.terraform[k] = t.terraform[k].wrapping_add(cacc.terraform[k]);
        }
        t.bit_writers += cacc.bit_writers;
        t.bit_sum = t.bit_sum.wrapping_add(cacc.bit_sum);
    }
}

/// Under `ecology.bot_kin_share`, whom bot `b` holding `energy` passes its share to this
/// step, and how much (fixed point): the nearest agent it sees (`near`, nearest first) of
/// the kin group that last programmed it. None: it passes nothing.
fn kin_gift(
    p: &Params,
    st: &State,
    b: usize,
    energy: f32,
    near: &[Seen; BOT_VIEW],
) -> Option<(u32, i32)> {
    let programmer = st.bot_programmer[b];
    if p.bot_kin_share <= 0.0 || programmer == 0 {
        return None;
    }
    let to = near.iter().find(|c| {
        c.idx != NONE && crate::layout::kin_key(&st.agents[c.idx as usize]) == programmer
    })?;
    let given = to_fixed(p.bot_kin_share * energy.max(0.0));
    (given > 0).then_some((to.idx, given))
}

/// What agents and other bots did to a bot since it last gathered; zeroes the accumulator.
fn gather_into(p: &Params, acc: &mut AgentAcc, bot: &mut crate::world::Bot, r: &mut BotTick) {
    let gate = from_fixed(acc.gate);
    let hit = from_fixed(acc.hit);
    bot.pos[0] = wrap_coord(p, bot.pos[0] + from_fixed(acc.push[0]));
    bot.pos[1] = wrap_coord(p, bot.pos[1] + from_fixed(acc.push[1]));
    bot.energy += hit;
    r.hit_received += hit;
    for m in 0..MESSAGE_LEN {
        bot.program[m] = pulled(bot.program[m], from_fixed(acc.message[m]), gate).clamp(-1.0, 1.0);
    }
    *acc = AgentAcc::default();
}

/// Energy is clipped at 0 (bots never die); the energy that adds is booked for the ledger.
fn clip_energy(bot: &mut crate::world::Bot, r: &mut BotTick) {
    if bot.energy < 0.0 {
        r.clip -= bot.energy;
        bot.energy = 0.0;
    }
}

pub fn bots_receive(p: &Params, st: &mut State, sc: &mut Scratch) {
    for b in 0..st.bots.len() {
        if from_fixed(sc.bot_acc[b].gate) > 0.0 {
            st.bot_programmed[b] = st.clock.tick;
        }
        // The writer drawn among this tick's (effects) stands for its lineage.
        let writer = std::mem::take(&mut sc.bot_writer[b]);
        if writer != 0 {
            let a = &st.agents[crate::world::common::credit_slot(writer)];
            st.bot_programmer[b] = crate::layout::kin_key(a);
        }
        let (bot, r) = (&mut st.bots[b], &mut sc.bot_tick[b]);
        gather_into(p, &mut sc.bot_acc[b], bot, r);
        clip_energy(bot, r);
    }
}

/// Agent `i` gathers what bots did to it this step.
fn agent_gathers(p: &Params, st: &mut State, sc: &mut Scratch, i: usize) {
    let (a, t) = (&mut st.agents[i], &mut sc.agent_tick[i]);
    let taken = std::mem::take(&mut sc.agent_acc[i]);
    let push = [from_fixed(taken.push[0]), from_fixed(taken.push[1])];
    let hit = from_fixed(taken.hit);
    let gate = from_fixed(taken.gate);
    let gift = from_fixed(taken.from_bots);
    if push == [0.0, 0.0] && hit == 0.0 && gate == 0.0 && gift == 0.0 {
        return;
    }
    let from = a.pos;
    a.pos = [
        wrap_coord(p, a.pos[0] + push[0]),
        wrap_coord(p, a.pos[1] + push[1]),
    ];
    let step = 1 + st.clock.bot_step as usize;
    sc.agent_shift[step] = sc.agent_shift[step].max(moved_units(p, from, a.pos));
    a.energy += hit;
    t.hit_received += hit;
    if gift != 0.0 {
        a.energy += gift;
        t.from_bots += gift;
    }
    for m in 0..MESSAGE_LEN {
        a.other_message[m] = pulled(a.other_message[m], from_fixed(taken.message[m]), gate);
    }
    die_if_spent(a, t);
    sc.agent_pos[i] = [
        a.pos[0],
        a.pos[1],
        if a.alive != 0 { 1.0 } else { 0.0 },
        0.0,
    ];
}

/// Each bot gathers what bots did to each agent it saw of which it is the lowest-numbered
/// viewer, then gathers what others did to it and applies its own actions.
pub fn bots_apply(p: &Params, st: &mut State, sc: &mut Scratch) {
    let step = st.clock.bot_step as usize;
    let n = st.bots.len();
    for b in 0..n {
        for j in sc.bot_tick[b].seen {
            if j != NONE && sc.agent_owner[j as usize] == u32::MAX - b as u32 {
                sc.agent_owner[j as usize] = 0;
                agent_gathers(p, st, sc, j as usize);
            }
        }
        let bot = &mut st.bots[b];
        let r = &mut sc.bot_tick[b];
        let a = clamped(&r.out);
        // Eating and costs are of the cell it acted on, before it moves.
        let c = cell_index_of(p, bot.pos);
        let eaten = if a[bot_act::EAT] > 0.0 {
            eat_share(p, st.cells[c].energy, sc.cell_acc[c].eaters)
        } else {
            0.0
        };
        gather_into(p, &mut sc.bot_acc[b], bot, r);
        bot.pos[0] = wrap_coord(p, bot.pos[0] + p.move_speed * a[bot_act::MOVE_X]);
        bot.pos[1] = wrap_coord(p, bot.pos[1] + p.move_speed * a[bot_act::MOVE_Y]);
        bot.energy += eaten - r.step_cost + r.step_stolen - r.step_gift;
        r.eaten += eaten;
        r.cost += r.step_cost;
        r.stolen += r.step_stolen;
        r.cultivation +=
            (p.terraform_rate * super::terraform_act(p, a[bot_act::TERRAFORM])).max(0.0);
        clip_energy(bot, r);
        if r.out[bot_act::WRITE] > 0.0 || r.op == 0 {
            bot.memory = a;
        }
        if a[bot_act::BIT_IO] > 0.99 {
            // The bit under its new position, before this step's writes land.
            bot.memory[bot_act::BIT] = st.cells[cell_index_of(p, bot.pos)].bit.clamp(-1.0, 1.0);
        }
        if step < p.bot_steps_per_tick as usize {
            sc.bot_bits[step * n + b] = bot.memory[bot_act::BIT];
        }
    }
}

/// The lowest-numbered bot on each cell a bot acted on gathers what all of them did there.
pub fn bots_apply_cells(p: &Params, st: &mut State, sc: &mut Scratch) {
    st.clock.bot_step += 1;
    for b in 0..st.bots.len() {
        let c = sc.bot_tick[b].cell as usize;
        if sc.cell_owner[c] != u32::MAX - b as u32 {
            continue;
        }
        sc.cell_owner[c] = 0;
        let taken = std::mem::take(&mut sc.cell_acc[c]);
        let cell = &mut st.cells[c];
        sc.cell_tick[c].eaten += take_from_cell(p, cell, &taken);
        let raiser = std::mem::take(&mut sc.cell_raiser[c]);
        if from_fixed(taken.terraform[0]) > 0.0 {
            st.cultivator[c] = crate::world::CULTIVATOR_BOTS;
            st.cultivator_id[c] = u32::MAX - raiser;
        }
        // [departure] several writers leave the mean of their bits (JaxLife adds their
        // changes).
        if taken.bit_writers > 0 {
            cell.bit = from_fixed(taken.bit_sum) / taken.bit_writers as f32;
        }
    }
}
