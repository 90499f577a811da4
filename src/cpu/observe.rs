//! Reference of shaders/observe.wgsl: each alive agent's observation row:
//! terrain patch, self vector, K neighbour vectors (offset instead of position, zeros for
//! empty slots), nearest bots.

use rayon::prelude::*;

use super::wrap_delta;
use crate::world::{
    Agent, Bot, Cell, Params, Scratch, State, AGENT_VEC_LEN, BOT_VEC_LEN, CELL_FEATURES, NONE,
};

pub fn cell_features(c: &Cell) -> [f32; CELL_FEATURES] {
    [
        c.energy,
        c.move_cost,
        c.push_cost,
        c.energy_gain,
        c.message_cost,
        c.reproduce_cost,
        c.max_energy,
    ]
}

/// ln energy, ln age, position (or offset), last_action, id, self_message, other_message;
/// the messages zeroed under `controls.messages: Off`. The messages are those of `heard`
/// (`heard_from`), except an agent's own self_message in its own vector (`own`).
pub fn agent_vec(p: &Params, a: &Agent, heard: &Agent, own: bool, pos: [f32; 2], out: &mut [f32]) {
    out[0] = (a.energy + 1e-4).ln();
    out[1] = (a.age + 1e-4).ln();
    out[2] = pos[0];
    out[3] = pos[1];
    let self_message = if own {
        &a.self_message
    } else {
        &heard.self_message
    };
    let rest = a
        .last_action
        .iter()
        .chain(&a.id)
        .chain(self_message)
        .chain(&heard.other_message);
    for (dst, v) in out[4..].iter_mut().zip(rest) {
        *dst = *v;
    }
    if p.messages_on == 0 {
        out[4 + crate::world::LAST_ACTION_LEN + crate::world::ID_LEN..].fill(0.0);
    }
}

/// Offset, ln energy, memory (the bot's message: `heard`'s, zeroed under
/// `controls.messages: Off`), program.
pub fn bot_vec(p: &Params, b: &Bot, heard: &Bot, offset: [f32; 2], out: &mut [f32]) {
    out[0] = offset[0];
    out[1] = offset[1];
    out[2] = (b.energy + 1e-4).ln();
    if p.messages_on != 0 {
        out[3..19].copy_from_slice(&heard.memory);
    } else {
        out[3..19].fill(0.0);
    }
    out[19..35].copy_from_slice(&b.program);
}

/// The agent whose messages agent `j` shows (itself, unless messages are shuffled).
pub fn heard_from<'a>(p: &Params, st: &'a State, sc: &Scratch, j: usize) -> &'a Agent {
    if p.messages_shuffled != 0 {
        &st.agents[sc.message_source[j] as usize]
    } else {
        &st.agents[j]
    }
}

/// The bot whose memory bot `b` shows.
pub fn bot_heard_from<'a>(p: &Params, st: &'a State, sc: &Scratch, b: usize) -> &'a Bot {
    if p.messages_shuffled != 0 {
        &st.bots[sc.bot_message_source[b] as usize]
    } else {
        &st.bots[b]
    }
}

pub fn observe(p: &Params, st: &State, sc: &mut Scratch) {
    let len = p.obs_len as usize;
    // No rows are kept for brains that do not read them (Dims::reads_observation).
    if len == 0 || sc.obs.is_empty() {
        return;
    }
    let k = p.view_agents as usize;
    let kb = p.view_bots as usize;
    let r = p.terrain_view_range as i32;
    let n = p.map_size as i32;
    let mut obs = std::mem::take(&mut sc.obs);
    let sc_ro: &Scratch = sc;
    let (neighbors, bot_neighbors) = (&sc_ro.neighbor_list, &sc_ro.bot_neighbor_list);
    obs.par_chunks_mut(len).enumerate().for_each(|(i, row)| {
        let me = &st.agents[i];
        if me.alive == 0 {
            return;
        }
        let cx = ((me.pos[0] / p.cell_size) as i32).min(n - 1);
        let cy = ((me.pos[1] / p.cell_size) as i32).min(n - 1);
        let mut o = 0;
        for dy in -r..=r {
            for dx in -r..=r {
                let x = (cx + dx).rem_euclid(n);
                let y = (cy + dy).rem_euclid(n);
                let f = cell_features(&st.cells[(y * n + x) as usize]);
                row[o..o + CELL_FEATURES].copy_from_slice(&f);
                o += CELL_FEATURES;
            }
        }
        let heard = heard_from(p, st, sc_ro, i);
        agent_vec(p, me, heard, true, me.pos, &mut row[o..o + AGENT_VEC_LEN]);
        o += AGENT_VEC_LEN;
        for s in 0..k {
            let j = neighbors[i * k + s];
            let out = &mut row[o..o + AGENT_VEC_LEN];
            if j == NONE {
                out.fill(0.0);
            } else {
                let other = &st.agents[j as usize];
                let off = [
                    wrap_delta(p, other.pos[0] - me.pos[0]),
                    wrap_delta(p, other.pos[1] - me.pos[1]),
                ];
                agent_vec(
                    p,
                    other,
                    heard_from(p, st, sc_ro, j as usize),
                    false,
                    off,
                    out,
                );
            }
            o += AGENT_VEC_LEN;
        }
        for s in 0..kb {
            let b = bot_neighbors[i * kb + s];
            let out = &mut row[o..o + BOT_VEC_LEN];
            if b == NONE {
                out.fill(0.0);
            } else {
                let bot = &st.bots[b as usize];
                let off = [
                    wrap_delta(p, bot.pos[0] - me.pos[0]),
                    wrap_delta(p, bot.pos[1] - me.pos[1]),
                ];
                bot_vec(p, bot, bot_heard_from(p, st, sc_ro, b as usize), off, out);
            }
            o += BOT_VEC_LEN;
        }
    });
    sc.obs = obs;
}
