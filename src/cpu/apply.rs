//! Reference of shaders/apply.wgsl: each agent gathers what it received this tick and
//! updates itself; each cell gives up what was eaten and takes the terraforming.

use rayon::prelude::*;

use super::{
    cell_index_of, credit_slot, die_if_spent, eat_share, moved_units, pulled, take_from_cell,
    wrap_coord,
};
use crate::world::{
    act, from_fixed, Agent, Params, Scratch, State, ACTION_LEN, CULTIVATOR_AGENTS, CULTIVATOR_BOTS,
    CULTIVATOR_NONE, MESSAGE_LEN, TICK_ACTED,
};

/// Who is credited with the food of cell `c` as it is now (`AgentTick::meal_from`,
/// `meal_lineage`): nobody unless it is cultivated, that is its energy_gain is above the
/// weather-only gain by more than `measures.cultivated_gain`.
pub fn meal_credit(p: &Params, st: &State, c: usize) -> (u32, u32) {
    let cultivated = st.cells[c].energy_gain - st.shadow_gain[c] > p.cultivated_gain;
    match st.cultivator[c] {
        CULTIVATOR_AGENTS if cultivated => (CULTIVATOR_AGENTS, st.cultivator_id[c]),
        CULTIVATOR_BOTS if cultivated => (
            CULTIVATOR_BOTS,
            st.bot_programmer[st.cultivator_id[c] as usize],
        ),
        _ => (CULTIVATOR_NONE, 0),
    }
}

/// Of `taken` from a cell credited to (`from`, `lineage`), what an eater digests (WGSL
/// `digested`): under `ecology.stranger_eat_fraction` an agent outside the kin group
/// credited with a cultivated cell keeps only that fraction; the rest is lost, which the
/// ledger sees as the cells giving more than the eaters got.
pub fn digested(p: &Params, taken: f32, from: u32, lineage: u32, a: &Agent) -> f32 {
    if from == CULTIVATOR_NONE || lineage == crate::layout::kin_key(a) {
        taken
    } else {
        taken * p.stranger_eat_fraction
    }
}

pub fn apply_agents(p: &Params, st: &mut State, sc: &mut Scratch) {
    // Each eater's credit and share, read ahead of the loop below: these reads of its cell
    // are independent, so their cache misses overlap.
    let meals: Vec<((u32, u32), f32)> = st
        .agents
        .par_iter()
        .enumerate()
        .map(|(i, a)| {
            let ate = sc.actions[i * ACTION_LEN + act::EAT] > 0.0;
            if a.alive != 0 && ate {
                let c = cell_index_of(p, a.pos);
                let taken = eat_share(p, st.cells[c].energy, sc.cell_acc[c].eaters);
                (meal_credit(p, st, c), taken)
            } else {
                ((CULTIVATOR_NONE, 0), 0.0)
            }
        })
        .collect();
    let (actions, agent_acc) = (&sc.actions, &sc.agent_acc);
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
            if o[act::EAT] > 0.0 {
                let ((from, lineage), taken) = meals[i];
                (t.meal_from, t.meal_lineage) = (from, lineage);
                t.eaten = digested(p, taken, t.meal_from, t.meal_lineage, a);
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
                a.self_message[m] += o[act::SELF_MESSAGE + m];
                a.other_message[m] = pulled(a.other_message[m], from_fixed(acc.message[m]), gate);
            }
            super::safe_tanh_all(&mut a.self_message);
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
    let (cell_acc, raiser) = (&sc.cell_acc, &sc.cell_raiser);
    let agents = &st.agents;
    st.cells
        .par_iter_mut()
        .zip(sc.cell_tick.par_iter_mut())
        .zip(st.cultivator.par_iter_mut())
        .zip(st.cultivator_id.par_iter_mut())
        .enumerate()
        .for_each(|(c, (((cell, t), who), id))| {
            t.eaten = take_from_cell(p, cell, &cell_acc[c]);
            t.eaten_by_agents = t.eaten;
            if crate::world::from_fixed(cell_acc[c].terraform[0]) > 0.0 {
                // The agent drawn among those that raised it (effects) stands for its lineage.
                let a = &agents[credit_slot(raiser[c])];
                *who = CULTIVATOR_AGENTS;
                *id = crate::layout::kin_key(a);
            }
        });
    // Zeroed for the bot steps, which scatter into the same accumulators.
    sc.cell_acc.fill(Default::default());
    sc.cell_raiser.fill(0);
}
