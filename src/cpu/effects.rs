//! Reference of shaders/effects.wgsl: what each alive agent does to others and to its cell
//! (SPEC 2.4), from the same pre-step snapshot. Everything that lands on a shared target
//! (a neighbour, a cell) is rounded to fixed point per contribution and summed as integers,
//! exactly as the GPU's atomics do, so the sum does not depend on order.

use rayon::prelude::*;

use super::{cell_index_of, wrap_delta};
use crate::world::{
    act, to_fixed, AgentAcc, AgentTick, CellAcc, Params, Scratch, State, ACTION_LEN, MESSAGE_LEN,
    NONE, TICK_ACTED, TICK_WANTS_CHILD,
};

/// The energy an agent spends this tick and whether it can reproduce (SPEC 2.4).
pub fn energy_cost(p: &Params, st: &State, i: usize, o: &[f32]) -> (f32, bool) {
    let a = &st.agents[i];
    let c = &st.cells[cell_index_of(p, a.pos)];
    let f = st.clock.alive as f32 / p.capacity as f32;
    let gate = o[act::GATE].max(0.0);
    let threshold = p.max_reproduce_cost * c.reproduce_cost * p.reproduce_factor * f;
    let wants = o[act::REPRODUCE] > 0.0 && a.energy > threshold;
    let mut terraform = 0.0;
    for t in 0..5 {
        terraform += super::terraform_act(p, o[act::TERRAFORM + t]).abs();
    }
    let cost = p.move_cost * c.move_cost * (o[act::MOVE_X].abs() + o[act::MOVE_Y].abs())
        + p.push_cost * c.push_cost * o[act::PUSH].abs()
        + p.message_cost * c.message_cost * gate
        + p.max_reproduce_cost * f * c.reproduce_cost * if wants { 1.0 } else { 0.0 }
        + p.hit_cost * o[act::HIT].abs()
        + p.terraform_cost * terraform
        + a.age / p.age_cost
        + p.life_cost;
    (cost, wants)
}

/// The wrapped offset from `from` to `to`.
pub fn offset(p: &Params, from: [f32; 2], to: [f32; 2]) -> [f32; 2] {
    [
        wrap_delta(p, to[0] - from[0]),
        wrap_delta(p, to[1] - from[1]),
    ]
}

/// What an actor does to one entity it sees at offset `[dx, dy]` (SPEC 2.4, 2.5): push along
/// the direction to it, hit it (less with distance), and if its gate is open, send it
/// `message`. Returns the fixed-point contribution and the hit's size (for stealing).
pub fn contact(
    p: &Params,
    [dx, dy]: [f32; 2],
    push: f32,
    hit: f32,
    gate: f32,
    message: &[f32; MESSAGE_LEN],
) -> (AgentAcc, f32) {
    let norm = (dx * dx + dy * dy).sqrt() + 0.1;
    let hit_amount = hit * p.hit_strength * (-p.hit_distance_decay * norm).exp();
    let mut acc = AgentAcc {
        push: [
            to_fixed(p.push_speed * push * (dx / norm)),
            to_fixed(p.push_speed * push * (dy / norm)),
        ],
        hit: to_fixed(-hit_amount),
        ..Default::default()
    };
    if gate > 0.0 {
        acc.gate = to_fixed(gate);
        acc.message = message.map(|v| to_fixed(v * gate));
    }
    (acc, hit_amount)
}

/// Fixed-point sums wrap like the GPU's integer atomics.
pub fn add_acc(t: &mut AgentAcc, acc: &AgentAcc) {
    t.push[0] = t.push[0].wrapping_add(acc.push[0]);
    t.push[1] = t.push[1].wrapping_add(acc.push[1]);
    t.hit = t.hit.wrapping_add(acc.hit);
    t.gate = t.gate.wrapping_add(acc.gate);
    for m in 0..MESSAGE_LEN {
        t.message[m] = t.message[m].wrapping_add(acc.message[m]);
    }
}

pub fn effects(p: &Params, st: &State, sc: &mut Scratch) {
    let k = p.view_agents as usize;
    let actions = &sc.actions;
    let neighbors = &sc.neighbor_list;
    let kb = p.view_bots as usize;
    let bot_neighbors = &sc.bot_neighbor_list;
    /// Its record, what it does to the agents and the bots it sees, and to its cell.
    type Out = (
        AgentTick,
        Vec<(u32, AgentAcc)>,
        Vec<(u32, AgentAcc, bool)>,
        Option<(usize, CellAcc)>,
    );
    let per_agent: Vec<Out> = (0..st.agents.len())
        .into_par_iter()
        .map(|i| {
            let a = &st.agents[i];
            if a.alive == 0 {
                return (AgentTick::default(), Vec::new(), Vec::new(), None);
            }
            let o = &actions[i * ACTION_LEN..(i + 1) * ACTION_LEN];
            let push = o[act::PUSH];
            let hit = o[act::HIT];
            let gate = o[act::GATE].max(0.0);
            let message: &[f32; MESSAGE_LEN] = o
                [act::OTHER_MESSAGE..act::OTHER_MESSAGE + MESSAGE_LEN]
                .try_into()
                .expect("a message is MESSAGE_LEN actions");
            let mut hit_total = 0.0f32;
            let mut scatter = Vec::with_capacity(k);
            for s in 0..k {
                let j = neighbors[i * k + s];
                if j == NONE {
                    continue;
                }
                let other = &st.agents[j as usize];
                let (acc, hit_amount) =
                    contact(p, offset(p, a.pos, other.pos), push, hit, gate, message);
                hit_total += hit_amount;
                scatter.push((j, acc));
            }
            // The same push and hit on the bots it sees, and programming: its gated
            // other_message pulls their programs (not under `controls.programming: Off`).
            let programs = if p.programming_on != 0 { gate } else { 0.0 };
            let mut to_bots = Vec::with_capacity(kb);
            let mut programming = 0.0f32;
            let mut programmed = 0u32;
            for s in 0..kb {
                let b = bot_neighbors[i * kb + s];
                if b == NONE {
                    continue;
                }
                let (acc, hit_amount) = contact(
                    p,
                    offset(p, a.pos, st.bots[b as usize].pos),
                    push,
                    hit,
                    programs,
                    message,
                );
                hit_total += hit_amount;
                if programs > 0.0 {
                    programming += programs;
                    programmed += 1;
                }
                to_bots.push((b, acc, programs > 0.0));
            }
            let c = cell_index_of(p, a.pos);
            let mut cell = CellAcc::default();
            if o[act::EAT] > 0.0 {
                cell.eaters = 1;
            }
            for t in 0..5 {
                cell.terraform[t] =
                    to_fixed(p.terraform_rate * super::terraform_act(p, o[act::TERRAFORM + t]));
            }
            let (cost, wants) = energy_cost(p, st, i, o);
            let tick = AgentTick {
                cost,
                stolen: hit_total * p.hit_steal_fraction,
                flags: TICK_ACTED | if wants { TICK_WANTS_CHILD } else { 0 },
                cultivation: (p.terraform_rate * super::terraform_act(p, o[act::TERRAFORM]))
                    .max(0.0),
                programming,
                programmed,
                ..Default::default()
            };
            (tick, scatter, to_bots, Some((c, cell)))
        })
        .collect();
    for (i, (tick, scatter, to_bots, cell)) in per_agent.into_iter().enumerate() {
        sc.agent_tick[i] = tick;
        for (j, acc) in scatter {
            add_acc(&mut sc.agent_acc[j as usize], &acc);
        }
        // The lowest slot among a bot's writers is its programmer, and among those raising
        // a cell's energy_gain its cultivator: the largest u32::MAX - slot.
        let mark = u32::MAX - i as u32;
        for (b, acc, wrote) in to_bots {
            add_acc(&mut sc.bot_acc[b as usize], &acc);
            if wrote {
                sc.bot_writer[b as usize] = sc.bot_writer[b as usize].max(mark);
            }
        }
        if let Some((c, acc)) = cell {
            let t = &mut sc.cell_acc[c];
            t.eaters += acc.eaters;
            for f in 0..5 {
                t.terraform[f] = t.terraform[f].wrapping_add(acc.terraform[f]);
            }
            if acc.terraform[0] > 0 {
                sc.cell_raiser[c] = sc.cell_raiser[c].max(mark);
            }
        }
    }
}
