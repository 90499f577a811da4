//! Reference of shaders/saliency.wgsl: on saliency ticks, `saliency_select` samples
//! `SALIENCY_AGENTS` living agents and `SALIENCY_INPUTS` inputs of each group for each
//! (the first `SALIENCY_ROWS` probe rows; on other probe ticks it leaves them empty);
//! the brains' probes (`policy::policy_probe`, `jaxlife_brain::jaxlife_probe`,
//! `compact_brain::compact_probe`) fill `probe_actions`; `saliency_reduce` averages
//! |Δaction| / ε per group into `measures.saliency`. Groups: terrain, self, agents, bots,
//! messages (see the shader).

use rayon::prelude::*;

use crate::rng::{stream, Rng};
use crate::world::{
    probe_agent_index, Params, Scratch, State, ACTION_LEN, AGENT_VEC_LEN, BOT_VEC_LEN, MESSAGE_LEN,
    NONE, PROBE_ROWS, SALIENCY_AGENTS, SALIENCY_EPS, SALIENCY_GROUPS, SALIENCY_INPUTS,
    SALIENCY_PROBES,
};

const AGENT_PLAIN: usize = AGENT_VEC_LEN - 2 * MESSAGE_LEN;
const BOT_PLAIN: usize = BOT_VEC_LEN - MESSAGE_LEN;

fn sizes(p: &Params) -> (usize, usize, usize) {
    (
        crate::world::terrain_patch_len(p.terrain_view_range as usize),
        p.view_agents as usize,
        p.view_bots as usize,
    )
}

/// The Compact brain's pooled inputs: self vector, neighbours' mean vector, fraction of
/// neighbour slots filled, [bots' mean vector, fraction filled,] terrain summary.
const COMPACT_TERRAIN: usize = 28;
const COMPACT_BOTS_AT: usize = 2 * AGENT_VEC_LEN + 1;

/// How many of the Compact brain's pooled inputs group `g` has.
pub fn compact_group_size(p: &Params, g: usize) -> usize {
    let bots = p.view_bots > 0;
    match g {
        0 => COMPACT_TERRAIN,
        1 => AGENT_PLAIN,
        2 => AGENT_PLAIN + 1,
        3 if bots => BOT_PLAIN + 1,
        3 => 0,
        _ => 4 * MESSAGE_LEN + if bots { MESSAGE_LEN } else { 0 },
    }
}

/// Where input `k` of group `g` lies in the Compact brain's pooled inputs.
pub fn compact_group_input(p: &Params, g: usize, k: usize) -> usize {
    let terrain_at = COMPACT_BOTS_AT + if p.view_bots > 0 { BOT_VEC_LEN + 1 } else { 0 };
    match g {
        0 => terrain_at + k,
        1 => k,
        2 if k < AGENT_PLAIN => AGENT_VEC_LEN + k,
        2 => 2 * AGENT_VEC_LEN,
        3 if k == BOT_PLAIN => COMPACT_BOTS_AT + BOT_VEC_LEN,
        3 => COMPACT_BOTS_AT + if k < 3 { k } else { k + MESSAGE_LEN },
        _ if k < 2 * MESSAGE_LEN => AGENT_PLAIN + k,
        _ if k < 4 * MESSAGE_LEN => AGENT_VEC_LEN + AGENT_PLAIN + k - 2 * MESSAGE_LEN,
        _ => COMPACT_BOTS_AT + 3 + k - 4 * MESSAGE_LEN,
    }
}

/// How many inputs group `g` has in the observation row.
pub fn group_size(p: &Params, g: usize) -> usize {
    let (terrain, k, kb) = sizes(p);
    match g {
        0 => terrain,
        1 => AGENT_PLAIN,
        2 => k * AGENT_PLAIN,
        3 => kb * BOT_PLAIN,
        _ => (1 + k) * 2 * MESSAGE_LEN + kb * MESSAGE_LEN,
    }
}

/// Where input `k` of group `g` lies in the observation row.
pub fn group_input(p: &Params, g: usize, k: usize) -> usize {
    let (terrain, view, _) = sizes(p);
    let self_at = terrain;
    let bots_at = terrain + (1 + view) * AGENT_VEC_LEN;
    match g {
        0 => k,
        1 => self_at + k,
        2 => self_at + AGENT_VEC_LEN * (1 + k / AGENT_PLAIN) + k % AGENT_PLAIN,
        3 => {
            let j = k % BOT_PLAIN;
            bots_at + BOT_VEC_LEN * (k / BOT_PLAIN) + if j < 3 { j } else { j + MESSAGE_LEN }
        }
        _ => {
            let agent_messages = (1 + view) * 2 * MESSAGE_LEN;
            if k < agent_messages {
                self_at
                    + AGENT_VEC_LEN * (k / (2 * MESSAGE_LEN))
                    + AGENT_PLAIN
                    + k % (2 * MESSAGE_LEN)
            } else {
                let r = k - agent_messages;
                bots_at + BOT_VEC_LEN * (r / MESSAGE_LEN) + 3 + r % MESSAGE_LEN
            }
        }
    }
}

/// On a probe tick that is no saliency tick: no saliency samples, so the probes skip their
/// rows.
pub fn saliency_none(sc: &mut Scratch) {
    sc.probe_agents[..SALIENCY_AGENTS].fill(NONE);
}

/// The inputs of a brain, as groups: how many a group has, and where its k-th lies.
struct Groups {
    size: fn(&Params, usize) -> usize,
    input: fn(&Params, usize, usize) -> usize,
}

/// Samples over the observation row (the Linear and JaxLife brains).
pub fn saliency_select(p: &Params, rng: &Rng, st: &State, sc: &mut Scratch) {
    let groups = Groups {
        size: group_size,
        input: group_input,
    };
    select_samples(p, rng, st, sc, groups);
}

/// Samples over the Compact brain's pooled inputs.
pub fn saliency_select_compact(p: &Params, rng: &Rng, st: &State, sc: &mut Scratch) {
    let groups = Groups {
        size: compact_group_size,
        input: compact_group_input,
    };
    select_samples(p, rng, st, sc, groups);
}

fn select_samples(p: &Params, rng: &Rng, st: &State, sc: &mut Scratch, groups: Groups) {
    let tick = st.clock.tick;
    let cap = p.capacity;
    for s in 0..SALIENCY_AGENTS as u32 {
        let start = ((rng.uniform(tick, s, stream::SALIENCY, 0) * cap as f32) as u32).min(cap - 1);
        let agent = (0..cap)
            .map(|k| (start + k) % cap)
            .find(|&j| st.agents[j as usize].alive != 0)
            .unwrap_or(NONE);
        let s = s as usize;
        sc.probe_agents[s] = agent;
        sc.probe_inputs[s * SALIENCY_PROBES] = NONE;
        for probe in 1..SALIENCY_PROBES {
            let g = (probe - 1) / SALIENCY_INPUTS;
            let size = (groups.size)(p, g);
            sc.probe_inputs[s * SALIENCY_PROBES + probe] = if size > 0 && agent != NONE {
                let u = rng.uniform(tick, s as u32, stream::SALIENCY, probe as u32);
                (groups.input)(p, g, ((u * size as f32) as usize).min(size - 1)) as u32
            } else {
                NONE
            };
        }
    }
}

/// The brains' probe passes (run on probe ticks): every probe row of a sampled agent gets
/// `actions(sc, agent, code)`, the agent's 44 actions from its recurrent state, left as it
/// is, with its inputs changed as `code` says: NONE, none; `PROBE_SWAP | j`, what it hears
/// swapped for what agent j hears (influence); else observation input `code` raised by
/// `SALIENCY_EPS`.
pub fn run_probes(sc: &mut Scratch, actions: impl Fn(&Scratch, usize, u32) -> Vec<f32> + Sync) {
    let probes: Vec<(usize, usize, u32)> = (0..PROBE_ROWS)
        .filter_map(|probe| {
            let agent = sc.probe_agents[probe_agent_index(probe)];
            (agent != NONE).then(|| (probe, agent as usize, sc.probe_inputs[probe]))
        })
        .collect();
    let rows: Vec<(usize, Vec<f32>)> = probes
        .par_iter()
        .map(|&(probe, i, raised)| (probe, actions(sc, i, raised)))
        .collect();
    for (probe, row) in rows {
        sc.probe_actions[probe * ACTION_LEN..(probe + 1) * ACTION_LEN].copy_from_slice(&row);
    }
}

pub fn saliency_reduce(st: &mut State, sc: &Scratch) {
    let mut sum = [0.0f32; SALIENCY_GROUPS];
    let mut count = [0u32; SALIENCY_GROUPS];
    for s in 0..SALIENCY_AGENTS {
        if sc.probe_agents[s] == NONE {
            continue;
        }
        let base = s * SALIENCY_PROBES * ACTION_LEN;
        let plain = &sc.probe_actions[base..base + ACTION_LEN];
        for probe in 1..SALIENCY_PROBES {
            if sc.probe_inputs[s * SALIENCY_PROBES + probe] == NONE {
                continue;
            }
            let moved = &sc.probe_actions[base + probe * ACTION_LEN..][..ACTION_LEN];
            let d: f32 = moved.iter().zip(plain).map(|(a, b)| (a - b).abs()).sum();
            let g = (probe - 1) / SALIENCY_INPUTS;
            sum[g] += d / (ACTION_LEN as f32 * SALIENCY_EPS);
            count[g] += 1;
        }
    }
    for g in 0..SALIENCY_GROUPS {
        st.measures.saliency[g] = if count[g] > 0 {
            sum[g] / count[g] as f32
        } else {
            0.0
        };
    }
}
