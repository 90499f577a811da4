//! Reference of shaders/influence.wgsl: message influence, the causal influence of
//! communication of Lowe et al. (2019): replace what a listener hears, keep everything
//! else, and see whether its action changes. Every `measures.influence_every` ticks,
//! `influence_select` samples `INFLUENCE_LISTENERS` living agents that see another agent
//! or a bot (a message can reach them) and, for each, another random living agent; the
//! brains' probes run each listener's brain twice from the same observation and recurrent
//! state (which they leave alone): as it is, and with every message it hears swapped for
//! what the other agent hears (`heard_ranges`); `influence_reduce` reports the share of
//! listeners whose discrete action changed and the mean |Δaction|, held in `measures`
//! until the next measurement.

use std::ops::Range;

use crate::rng::{stream, Rng};
use crate::world::{
    act, Params, Scratch, State, ACTION_LEN, AGENT_VEC_LEN, BOT_VEC_LEN, INFLUENCE_LISTENERS,
    MESSAGE_LEN, NONE, PROBE_SWAP, SALIENCY_AGENTS, SALIENCY_ROWS,
};

/// Inputs of an agent's vector before its two messages.
const AGENT_PLAIN: usize = AGENT_VEC_LEN - 2 * MESSAGE_LEN;

/// Where an observation row holds what its agent hears (WGSL `heard_range`): the
/// other_message in its own vector, both message fields of each neighbour slot, and each
/// bot slot's memory. Its own self_message is its own, not heard.
pub fn heard_ranges(p: &Params) -> Vec<Range<usize>> {
    let terrain = crate::world::terrain_patch_len(p.terrain_view_range as usize);
    let (k, kb) = (p.view_agents as usize, p.view_bots as usize);
    let own = terrain + AGENT_PLAIN + MESSAGE_LEN;
    let mut out = Vec::with_capacity(1 + k + kb);
    out.push(own..own + MESSAGE_LEN);
    for s in 0..k {
        let at = terrain + AGENT_VEC_LEN * (1 + s) + AGENT_PLAIN;
        out.push(at..at + 2 * MESSAGE_LEN);
    }
    let bots_at = terrain + AGENT_VEC_LEN * (1 + k);
    for b in 0..kb {
        let at = bots_at + BOT_VEC_LEN * b + 3;
        out.push(at..at + MESSAGE_LEN);
    }
    out
}

/// The same for the Compact brain's pooled inputs: its own other_message, the neighbours'
/// mean message fields, the bots' mean memory.
pub fn compact_heard_ranges(p: &Params) -> Vec<Range<usize>> {
    let own = AGENT_PLAIN + MESSAGE_LEN;
    let neighbours = AGENT_VEC_LEN + AGENT_PLAIN;
    let mut out = vec![
        own..own + MESSAGE_LEN,
        neighbours..neighbours + 2 * MESSAGE_LEN,
    ];
    if p.view_bots > 0 {
        let bots = 2 * AGENT_VEC_LEN + 1 + 3;
        out.push(bots..bots + MESSAGE_LEN);
    }
    out
}

/// `x`, the inputs of one agent, with what it hears replaced by `other`'s.
pub fn swap_heard(ranges: &[Range<usize>], x: &mut [f32], other: &[f32]) {
    for r in ranges {
        x[r.clone()].copy_from_slice(&other[r.clone()]);
    }
}

/// Whether probe row input `code` swaps the heard messages; the other agent if so.
pub fn swap_partner(code: u32) -> Option<usize> {
    (code != NONE && code & PROBE_SWAP != 0).then_some((code & !PROBE_SWAP) as usize)
}

/// An agent sees another agent or a bot, so a message can reach it.
fn hears(p: &Params, sc: &Scratch, j: usize) -> bool {
    let (k, kb) = (p.view_agents as usize, p.view_bots as usize);
    sc.neighbor_list[j * k..(j + 1) * k]
        .iter()
        .chain(&sc.bot_neighbor_list[j * kb..(j + 1) * kb])
        .any(|&e| e != NONE)
}

/// The first agent from slot `start` on (wrapping) that `ok` accepts.
fn first_from(cap: u32, start: u32, ok: impl Fn(usize) -> bool) -> u32 {
    (0..cap)
        .map(|k| (start + k) % cap)
        .find(|&j| ok(j as usize))
        .unwrap_or(NONE)
}

/// On a probe tick that is no influence tick: no listeners, so the probes skip their rows.
pub fn influence_none(sc: &mut Scratch) {
    for s in 0..INFLUENCE_LISTENERS {
        let row = SALIENCY_ROWS + 2 * s;
        sc.probe_agents[SALIENCY_AGENTS + s] = NONE;
        sc.probe_inputs[row] = NONE;
        sc.probe_inputs[row + 1] = NONE;
    }
}

/// Sample s: the first living listener from a random slot on, and the first living agent
/// other than it from another random slot on (both NONE when there is no such pair).
pub fn influence_select(p: &Params, rng: &Rng, st: &State, sc: &mut Scratch) {
    let tick = st.clock.tick;
    let cap = p.capacity;
    for s in 0..INFLUENCE_LISTENERS {
        let row = SALIENCY_ROWS + 2 * s;
        let start = |index: u32| {
            ((rng.uniform(tick, s as u32, stream::INFLUENCE, index) * cap as f32) as u32)
                .min(cap - 1)
        };
        let alive = |j: usize| st.agents[j].alive != 0;
        let mut listener = first_from(cap, start(0), |j| alive(j) && hears(p, sc, j));
        let mut partner = NONE;
        if listener != NONE {
            partner = first_from(cap, start(1), |j| alive(j) && j != listener as usize);
        }
        if partner == NONE {
            listener = NONE;
        }
        sc.probe_agents[SALIENCY_AGENTS + s] = listener;
        sc.probe_inputs[row] = NONE;
        sc.probe_inputs[row + 1] = if partner == NONE {
            NONE
        } else {
            PROBE_SWAP | partner
        };
    }
}

/// The discrete decisions of an action vector (WGSL `decisions`): which way it moves in x
/// and in y, whether it eats, tries to reproduce, hits (rather than gives), opens its gate.
pub fn decisions(o: &[f32]) -> u32 {
    [
        act::MOVE_X,
        act::MOVE_Y,
        act::EAT,
        act::REPRODUCE,
        act::HIT,
        act::GATE,
    ]
    .iter()
    .enumerate()
    .map(|(bit, &a)| u32::from(o[a] > 0.0) << bit)
    .sum()
}

pub fn influence_reduce(st: &mut State, sc: &Scratch) {
    let (mut changed, mut delta, mut n) = (0.0f32, 0.0f32, 0.0f32);
    for s in 0..INFLUENCE_LISTENERS {
        if sc.probe_agents[SALIENCY_AGENTS + s] == NONE {
            continue;
        }
        let row = SALIENCY_ROWS + 2 * s;
        let plain = &sc.probe_actions[row * ACTION_LEN..(row + 1) * ACTION_LEN];
        let swapped = &sc.probe_actions[(row + 1) * ACTION_LEN..(row + 2) * ACTION_LEN];
        let mut d = 0.0f32;
        for (a, b) in plain.iter().zip(swapped) {
            d += (a - b).abs();
        }
        delta += d / ACTION_LEN as f32;
        if decisions(plain) != decisions(swapped) {
            changed += 1.0;
        }
        n += 1.0;
    }
    let m = &mut st.measures;
    (m.influence_changed, m.influence_delta) = if n > 0.0 {
        (changed / n, delta / n)
    } else {
        (0.0, 0.0)
    };
}
