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
        terraform += o[act::TERRAFORM + t].abs();
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
    type Out = (
        AgentTick,
        Vec<(u32, AgentAcc)>,
        Vec<(u32, AgentAcc)>,
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
            let mut hit_total = 0.0f32;
            let mut scatter = Vec::with_capacity(k);
            for s in 0..k {
                let j = neighbors[i * k + s];
                if j == NONE {
                    continue;
                }
                let other = &st.agents[j as usize];
                let dx = wrap_delta(p, other.pos[0] - a.pos[0]);
                let dy = wrap_delta(p, other.pos[1] - a.pos[1]);
                let norm = (dx * dx + dy * dy).sqrt() + 0.1;
                let mut acc = AgentAcc::default();
                acc.push[0] = to_fixed(p.push_speed * push * (dx / norm));
                acc.push[1] = to_fixed(p.push_speed * push * (dy / norm));
                let hit_amount = hit * p.hit_strength * (-p.hit_distance_decay * norm).exp();
                acc.hit = to_fixed(-hit_amount);
                hit_total += hit_amount;
                if gate > 0.0 {
                    acc.gate = to_fixed(gate);
                    for m in 0..MESSAGE_LEN {
                        acc.message[m] = to_fixed(o[act::OTHER_MESSAGE + m] * gate);
                    }
                }
                scatter.push((j, acc));
            }
            // The same push and hit on the bots it sees, and programming: its gated
            // other_message pulls their programs (SPEC 2.4).
            let mut to_bots = Vec::with_capacity(kb);
            let mut programming = 0.0f32;
            for s in 0..kb {
                let b = bot_neighbors[i * kb + s];
                if b == NONE {
                    continue;
                }
                let bot = &st.bots[b as usize];
                let dx = wrap_delta(p, bot.pos[0] - a.pos[0]);
                let dy = wrap_delta(p, bot.pos[1] - a.pos[1]);
                let norm = (dx * dx + dy * dy).sqrt() + 0.1;
                let mut acc = AgentAcc::default();
                acc.push[0] = to_fixed(p.push_speed * push * (dx / norm));
                acc.push[1] = to_fixed(p.push_speed * push * (dy / norm));
                let hit_amount = hit * p.hit_strength * (-p.hit_distance_decay * norm).exp();
                acc.hit = to_fixed(-hit_amount);
                hit_total += hit_amount;
                if gate > 0.0 {
                    acc.gate = to_fixed(gate);
                    programming += gate;
                    for m in 0..MESSAGE_LEN {
                        acc.message[m] = to_fixed(o[act::OTHER_MESSAGE + m] * gate);
                    }
                }
                to_bots.push((b, acc));
            }
            let c = cell_index_of(p, a.pos);
            let mut cell = CellAcc::default();
            if o[act::EAT] > 0.0 {
                cell.eaters = 1;
            }
            for t in 0..5 {
                cell.terraform[t] = to_fixed(p.terraform_rate * o[act::TERRAFORM + t]);
            }
            let (cost, wants) = energy_cost(p, st, i, o);
            let tick = AgentTick {
                cost,
                stolen: hit_total * p.hit_steal_fraction,
                flags: TICK_ACTED | if wants { TICK_WANTS_CHILD } else { 0 },
                cultivation: (p.terraform_rate * o[act::TERRAFORM]).max(0.0),
                programming,
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
        for (b, acc) in to_bots {
            add_acc(&mut sc.bot_acc[b as usize], &acc);
        }
        if let Some((c, acc)) = cell {
            let t = &mut sc.cell_acc[c];
            t.eaters += acc.eaters;
            for f in 0..5 {
                t.terraform[f] = t.terraform[f].wrapping_add(acc.terraform[f]);
            }
        }
    }
}
