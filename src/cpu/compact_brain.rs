//! Reference of shaders/compact_brain.wgsl: the Compact brain for large populations. Pooled
//! inputs read straight from the world (self vector; mean neighbour vector and fraction of
//! slots filled; the same for bots; a terrain summary), Dense + relu, flax's GRU cell whose
//! state persists across ticks, Dense + tanh to the 44 actions. Sums run in the shader's
//! order. Genome layout and initialisation: `world::brain`.

use rayon::prelude::*;

use super::observe::{agent_vec, bot_heard_from, bot_vec, cell_features, heard_from};
use super::wrap_delta;
use crate::world::brain::{compact_inputs, Tensor};
use crate::world::{
    Params, Scratch, State, ACTION_LEN, AGENT_VEC_LEN, BOT_VEC_LEN, CELL_FEATURES, NONE,
    SALIENCY_EPS,
};

/// The Compact brain's input vector for agent `i` (shaders/compact_brain.wgsl says the
/// order).
pub fn inputs(p: &Params, st: &State, sc: &Scratch, i: usize) -> Vec<f32> {
    let (k, kb) = (p.view_agents as usize, p.view_bots as usize);
    let me = &st.agents[i];
    let mut x = vec![0.0f32; compact_inputs(kb)];
    let mut row = [0.0f32; AGENT_VEC_LEN];
    agent_vec(
        p,
        me,
        heard_from(p, st, sc, i),
        true,
        me.pos,
        &mut x[..AGENT_VEC_LEN],
    );
    let mut at = AGENT_VEC_LEN;
    let offset = |pos: [f32; 2]| {
        [
            wrap_delta(p, pos[0] - me.pos[0]),
            wrap_delta(p, pos[1] - me.pos[1]),
        ]
    };
    let near = &sc.neighbor_list[i * k..(i + 1) * k];
    let filled = near.iter().filter(|&&j| j != NONE).count();
    let w = 1.0 / filled.max(1) as f32;
    for &j in near.iter().filter(|&&j| j != NONE) {
        let other = &st.agents[j as usize];
        let heard = heard_from(p, st, sc, j as usize);
        agent_vec(p, other, heard, false, offset(other.pos), &mut row);
        for (dst, v) in x[at..at + AGENT_VEC_LEN].iter_mut().zip(&row) {
            *dst += w * v;
        }
    }
    at += AGENT_VEC_LEN;
    x[at] = filled as f32 / k.max(1) as f32;
    at += 1;
    if kb > 0 {
        let near = &sc.bot_neighbor_list[i * kb..(i + 1) * kb];
        let filled = near.iter().filter(|&&b| b != NONE).count();
        let w = 1.0 / filled.max(1) as f32;
        let mut row = [0.0f32; BOT_VEC_LEN];
        for &b in near.iter().filter(|&&b| b != NONE) {
            let bot = &st.bots[b as usize];
            let heard = bot_heard_from(p, st, sc, b as usize);
            bot_vec(p, bot, heard, offset(bot.pos), &mut row);
            for (dst, v) in x[at..at + BOT_VEC_LEN].iter_mut().zip(&row) {
                *dst += w * v;
            }
        }
        at += BOT_VEC_LEN;
        x[at] = filled as f32 / kb as f32;
        at += 1;
    }
    let r = p.terrain_view_range as i32;
    let n = p.map_size as i32;
    let cx = ((me.pos[0] / p.cell_size) as i32).min(n - 1);
    let cy = ((me.pos[1] / p.cell_size) as i32).min(n - 1);
    let own = cell_features(&st.cells[(cy * n + cx) as usize]);
    x[at..at + CELL_FEATURES].copy_from_slice(&own);
    let patch = 1.0 / ((2 * r + 1) * (2 * r + 1)) as f32;
    let reach = 1.0 / r.max(1) as f32;
    for dy in -r..=r {
        for dx in -r..=r {
            let xx = (cx + dx).rem_euclid(n);
            let yy = (cy + dy).rem_euclid(n);
            let f = cell_features(&st.cells[(yy * n + xx) as usize]);
            let wx = dx as f32 * reach * patch;
            let wy = dy as f32 * reach * patch;
            for (c, v) in f.iter().enumerate() {
                x[at + CELL_FEATURES + c] += patch * v;
                x[at + 2 * CELL_FEATURES + c] += wx * v;
                x[at + 3 * CELL_FEATURES + c] += wy * v;
            }
        }
    }
    x
}

/// One agent's weights, found by tensor name.
pub struct Net<'a> {
    pub genome: &'a [f32],
    pub tensors: &'a [Tensor],
    pub hidden: usize,
}

impl Net<'_> {
    fn tensor(&self, name: &str) -> &[f32] {
        crate::world::brain::tensor_in(self.genome, self.tensors, name)
    }

    /// `bias + x W` (kernel input-major), or `x W` without a bias tensor.
    fn affine(&self, kernel: &str, bias: Option<&str>, x: &[f32], cols: usize) -> Vec<f32> {
        let w = self.tensor(kernel);
        let mut out = bias.map_or(vec![0.0; cols], |b| self.tensor(b).to_vec());
        for (k, xk) in x.iter().enumerate() {
            for (o, acc) in out.iter_mut().enumerate() {
                *acc += w[k * cols + o] * xk;
            }
        }
        out
    }

    /// One step from the input vector; `state` is the GRU's h, updated in place. Returns the
    /// 44 actions.
    pub fn step(&self, x: &[f32], state: &mut [f32]) -> Vec<f32> {
        let h = self.hidden;
        let e: Vec<f32> = self
            .affine("input.kernel", Some("input.bias"), x, h)
            .into_iter()
            .map(|v| v.max(0.0))
            .collect();
        let gx = self.affine("gru.input.kernel", Some("gru.input.bias"), &e, 3 * h);
        let gh = self.affine("gru.hidden.kernel", None, state, 3 * h);
        let bn = self.tensor("gru.candidate.bias");
        let sigmoid = |v: f32| 1.0 / (1.0 + (-v).exp());
        for u in 0..h {
            let r = sigmoid(gx[u] + gh[u]);
            let z = sigmoid(gx[h + u] + gh[h + u]);
            let n = super::safe_tanh(gx[2 * h + u] + r * (gh[2 * h + u] + bn[u]));
            state[u] = (1.0 - z) * n + z * state[u];
        }
        let mut actions = self.affine(
            "action_logits.kernel",
            Some("action_logits.bias"),
            state,
            ACTION_LEN,
        );
        super::safe_tanh_all(&mut actions);
        actions
    }
}

pub fn compact_brain(
    p: &Params,
    tensors: &[Tensor],
    hidden: usize,
    st: &mut State,
    sc: &mut Scratch,
) {
    let slen = p.brain_state_len as usize;
    let mut brain_state = std::mem::take(&mut st.brain_state);
    {
        let world: &State = st;
        let scratch: &Scratch = sc;
        let rows: Vec<Vec<f32>> = brain_state
            .par_chunks_mut(slen)
            .enumerate()
            .map(|(i, state)| {
                if world.agents[i].alive == 0 {
                    return vec![0.0; ACTION_LEN];
                }
                agent_actions(p, tensors, hidden, world, scratch, i, NONE, state)
            })
            .collect();
        for (out, row) in sc.actions.chunks_mut(ACTION_LEN).zip(rows) {
            out.copy_from_slice(&row);
        }
    }
    st.brain_state = brain_state;
}

/// Probes (`saliency`, `influence`): each sampled agent's brain with its pooled inputs
/// changed as the probe row's code says, from its current state, which stays as it is.
pub fn compact_probe(p: &Params, tensors: &[Tensor], hidden: usize, st: &State, sc: &mut Scratch) {
    let slen = p.brain_state_len as usize;
    super::saliency::run_probes(sc, |sc, i, code| {
        let mut state = st.brain_state[i * slen..(i + 1) * slen].to_vec();
        agent_actions(p, tensors, hidden, st, sc, i, code, &mut state)
    });
}

/// Agent `i`'s 44 actions from its inputs, changed as probe code `code` says
/// (`saliency::run_probes`; NONE: not at all); `state` (its GRU's h) is updated in place.
#[allow(clippy::too_many_arguments)]
fn agent_actions(
    p: &Params,
    tensors: &[Tensor],
    hidden: usize,
    st: &State,
    sc: &Scratch,
    i: usize,
    code: u32,
    state: &mut [f32],
) -> Vec<f32> {
    let glen = p.genome_len as usize;
    let mut x = inputs(p, st, sc, i);
    if let Some(j) = super::influence::swap_partner(code) {
        let heard = super::influence::compact_heard_ranges(p);
        super::influence::swap_heard(&heard, &mut x, &inputs(p, st, sc, j));
    } else if code != NONE {
        x[code as usize] += SALIENCY_EPS;
    }
    let net = Net {
        genome: &st.genomes[i * glen..(i + 1) * glen],
        tensors,
        hidden,
    };
    net.step(&x, state)
}
