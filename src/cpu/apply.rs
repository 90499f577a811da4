//! Reference of shaders/apply.wgsl: each agent gathers what it received this tick and
//! updates itself; each cell gives up what was eaten and takes the terraforming.

use rayon::prelude::*;

use super::{
    cell_index_of, die_if_spent, eat_share, moved_units, pulled, take_from_cell, wrap_coord,
};
use crate::world::{act, from_fixed, Params, Scratch, State, ACTION_LEN, MESSAGE_LEN, TICK_ACTED};

pub fn apply_agents(p: &Params, st: &mut State, sc: &mut Scratch) {
    let cells = &st.cells;
    let (actions, agent_acc, cell_acc) = (&sc.actions, &sc.agent_acc, &sc.cell_acc);
    let moved = st
        .agents
        .par_iter_mut()
        .zip(sc.agent_tick.par_iter_mut())
        .enumerate()
        .map(|(i, (a, t))| {
            if a.alive == 0 || t.flags & TICK_ACTED == 0 {
                return 0.0;
            }
            let o = &actions[i * ACTION_LEN..(i + 1) * ACTION_LEN];
            let acc = &agent_acc[i];
            let c = cell_index_of(p, a.pos);
            if o[act::EAT] > 0.0 {
                t.eaten = eat_share(p, cells[c].energy, cell_acc[c].eaters);
            }
            t.hit_received = from_fixed(acc.hit);
            a.energy += t.eaten - t.cost + t.hit_received + t.stolen;
            a.age += p.age_speed;
            let from = a.pos;
            a.pos[0] = wrap_coord(
                p,
                a.pos[0] + p.move_speed * o[act::MOVE_X] + from_fixed(acc.push[0]),
            );
            a.pos[1] = wrap_coord(
                p,
                a.pos[1] + p.move_speed * o[act::MOVE_Y] + from_fixed(acc.push[1]),
            );
            let gate = from_fixed(acc.gate);
            for m in 0..MESSAGE_LEN {
                a.self_message[m] = super::safe_tanh(a.self_message[m] + o[act::SELF_MESSAGE + m]);
                a.other_message[m] = pulled(a.other_message[m], from_fixed(acc.message[m]), gate);
            }
            a.last_action[..7].copy_from_slice(&o[..7]);
            a.last_action[7..].copy_from_slice(&o[act::TERRAFORM..act::TERRAFORM + 4]);
            die_if_spent(a, t);
            // Bots search the grid built before this move (bots.rs `sense`).
            moved_units(p, from, a.pos)
        })
        .reduce(|| 0.0, f32::max);
    sc.agent_shift[0] = sc.agent_shift[0].max(moved);
    // Zeroed for the bot steps, which scatter into the same accumulators.
    sc.agent_acc.fill(Default::default());
    for (q, a) in sc.agent_pos.iter_mut().zip(&st.agents) {
        *q = [
            a.pos[0],
            a.pos[1],
            if a.alive != 0 { 1.0 } else { 0.0 },
            0.0,
        ];
    }
}

pub fn apply_cells(p: &Params, st: &mut State, sc: &mut Scratch) {
    let cell_acc = &sc.cell_acc;
    st.cells
        .par_iter_mut()
        .zip(sc.cell_tick.par_iter_mut())
        .zip(st.cultivator.par_iter_mut())
        .enumerate()
        .for_each(|(c, ((cell, t), who))| {
            t.eaten = take_from_cell(p, cell, &cell_acc[c]);
            t.eaten_by_agents = t.eaten;
            if crate::world::from_fixed(cell_acc[c].terraform[0]) > 0.0 {
                *who = crate::world::CULTIVATOR_AGENTS;
            }
        });
    // Zeroed for the bot steps, which scatter into the same accumulators.
    sc.cell_acc.fill(Default::default());
}
