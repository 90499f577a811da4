//! Reference of shaders/jaxlife_brain.wgsl: JaxLife's attention + LSTM brain (SPEC 2.2).
//!
//! Per agent: the shared agent encoder embeds the self vector and each visible neighbour,
//! the bot encoder each visible bot (Dense, tanh); 4-head self-attention mixes the entity
//! embeddings, 4-head cross-attention from the self embedding pools them into one vector;
//! the terrain patch goes through two Dense layers with no activation between; an LSTM
//! cell whose state persists across ticks takes [entities, terrain]; the head is Dense,
//! tanh, Dense, tanh to the 44 actions. Empty entity slots are masked out of attention.
//! Genome layout and initialisation: `world::brain`.

use rayon::prelude::*;

use crate::world::brain::Tensor;
use crate::world::{
    brain_kind, Params, Scratch, State, ACTION_LEN, AGENT_VEC_LEN, BOT_VEC_LEN, NONE, SALIENCY_EPS,
};

/// One agent's weights, found by tensor name.
pub struct Net<'a> {
    pub genome: &'a [f32],
    pub tensors: &'a [Tensor],
    pub hidden: usize,
    pub heads: usize,
}

impl Net<'_> {
    fn tensor(&self, name: &str) -> &[f32] {
        crate::world::brain::tensor_in(self.genome, self.tensors, name)
    }

    /// `bias + x W` for the Dense layer `name` (kernel input-major).
    fn dense(&self, name: &str, x: &[f32]) -> Vec<f32> {
        let w = self.tensor(&format!("{name}.kernel"));
        let mut out = self.tensor(&format!("{name}.bias")).to_vec();
        let n = out.len();
        for (k, xk) in x.iter().enumerate() {
            for (o, acc) in out.iter_mut().enumerate() {
                *acc += w[k * n + o] * xk;
            }
        }
        out
    }

    /// Multi-head dot-product attention with query, key, value and output projections;
    /// keys whose `valid` is false are left out. A query with no valid key attends to
    /// nothing: its head outputs are zero before the output projection.
    fn attention(
        &self,
        name: &str,
        queries: &[Vec<f32>],
        entities: &[Vec<f32>],
        valid: &[bool],
        mut weights: Option<&mut Vec<Vec<f32>>>,
    ) -> Vec<Vec<f32>> {
        let dh = self.hidden / self.heads;
        let scale = 1.0 / (dh as f32).sqrt();
        let keys: Vec<Vec<f32>> = entities
            .iter()
            .map(|e| self.dense(&format!("{name}.key"), e))
            .collect();
        let values: Vec<Vec<f32>> = entities
            .iter()
            .map(|e| self.dense(&format!("{name}.value"), e))
            .collect();
        queries
            .iter()
            .map(|x| {
                let q = self.dense(&format!("{name}.query"), x);
                let mut mixed = vec![0.0f32; self.hidden];
                for h in 0..self.heads {
                    let seg = h * dh..(h + 1) * dh;
                    let scores: Vec<(usize, f32)> = (0..entities.len())
                        .filter(|&j| valid[j])
                        .map(|j| {
                            let s: f32 = q[seg.clone()]
                                .iter()
                                .zip(&keys[j][seg.clone()])
                                .map(|(a, b)| a * b)
                                .sum();
                            (j, s * scale)
                        })
                        .collect();
                    let Some(max) = scores.iter().map(|s| s.1).reduce(f32::max) else {
                        continue;
                    };
                    let total: f32 = scores.iter().map(|s| (s.1 - max).exp()).sum();
                    if let Some(w) = weights.as_deref_mut() {
                        w[h] = vec![0.0; entities.len()];
                    }
                    for &(j, s) in &scores {
                        let p = (s - max).exp() / total;
                        if let Some(w) = weights.as_deref_mut() {
                            w[h][j] = p;
                        }
                        for (m, v) in mixed[seg.clone()].iter_mut().zip(&values[j][seg.clone()]) {
                            *m += p * v;
                        }
                    }
                }
                self.dense(&format!("{name}.out"), &mixed)
            })
            .collect()
    }

    /// The self embedding and the self-attended entity embeddings of an observation row.
    fn entity_mix(
        &self,
        obs: &[f32],
        terrain_len: usize,
        valid: &[bool],
        view_agents: usize,
    ) -> (Vec<f32>, Vec<Vec<f32>>) {
        let h = self.hidden;
        let tanh = |v: Vec<f32>| v.into_iter().map(super::safe_tanh).collect::<Vec<f32>>();
        let self_at = terrain_len;
        let me = tanh(self.dense("agent_encoder", &obs[self_at..self_at + AGENT_VEC_LEN]));
        let entities: Vec<Vec<f32>> = valid
            .iter()
            .enumerate()
            .map(|(s, &ok)| {
                if !ok {
                    return vec![0.0; h];
                }
                if s < view_agents {
                    let at = self_at + AGENT_VEC_LEN * (1 + s);
                    tanh(self.dense("agent_encoder", &obs[at..at + AGENT_VEC_LEN]))
                } else {
                    let at = self_at
                        + AGENT_VEC_LEN * (1 + view_agents)
                        + BOT_VEC_LEN * (s - view_agents);
                    tanh(self.dense("bot_encoder", &obs[at..at + BOT_VEC_LEN]))
                }
            })
            .collect();
        let mixed = self.attention("self_attention", &entities, &entities, valid, None);
        (me, mixed)
    }

    /// Per head, the weight the self embedding's cross-attention puts on each entity slot
    /// (neighbours then bots; 0 for empty slots): what the agent attended to.
    pub fn cross_attention_weights(
        &self,
        obs: &[f32],
        terrain_len: usize,
        valid: &[bool],
        view_agents: usize,
    ) -> Vec<Vec<f32>> {
        let (me, mixed) = self.entity_mix(obs, terrain_len, valid, view_agents);
        let mut weights = vec![vec![0.0; valid.len()]; self.heads];
        self.attention("cross_attention", &[me], &mixed, valid, Some(&mut weights));
        weights
    }

    /// One step: the observation row, which entity slots are filled (neighbours then
    /// bots), and the recurrent state `[h, c]`, updated in place. Returns the 44 actions.
    pub fn step(
        &self,
        obs: &[f32],
        terrain_len: usize,
        valid: &[bool],
        view_agents: usize,
        state: &mut [f32],
    ) -> Vec<f32> {
        let h = self.hidden;
        let tanh = |v: Vec<f32>| v.into_iter().map(super::safe_tanh).collect::<Vec<f32>>();
        let (me, mixed) = self.entity_mix(obs, terrain_len, valid, view_agents);
        let pooled = self
            .attention("cross_attention", &[me], &mixed, valid, None)
            .remove(0);
        let terrain = self.dense(
            "terrain_decoder",
            &self.dense("terrain_encoder", &obs[..terrain_len]),
        );
        let x: Vec<f32> = pooled.into_iter().chain(terrain).collect();
        // Gates i, f, g, o: the input kernel has no bias, the hidden kernel has.
        let wi = self.tensor("lstm.input.kernel");
        let mut gates = self.dense("lstm.hidden", &state[..h]);
        for (k, xk) in x.iter().enumerate() {
            for (o, acc) in gates.iter_mut().enumerate() {
                *acc += wi[k * 4 * h + o] * xk;
            }
        }
        let sigmoid = |v: f32| 1.0 / (1.0 + (-v).exp());
        for u in 0..h {
            let i = sigmoid(gates[u]);
            let f = sigmoid(gates[h + u]);
            let g = super::safe_tanh(gates[2 * h + u]);
            let o = sigmoid(gates[3 * h + u]);
            let c = f * state[h + u] + i * g;
            state[h + u] = c;
            state[u] = o * super::safe_tanh(c);
        }
        let z = tanh(self.dense("action_process", &state[..h]));
        tanh(self.dense("action_logits", &z))
    }
}

pub fn jaxlife_brain(
    p: &Params,
    tensors: &[Tensor],
    hidden: usize,
    heads: usize,
    st: &mut State,
    sc: &mut Scratch,
) {
    if p.brain_kind != brain_kind::JAXLIFE {
        return;
    }
    let slen = p.brain_state_len as usize;
    let brains = Brains {
        p,
        tensors,
        hidden,
        heads,
        genomes: &st.genomes,
        obs: &sc.obs,
        neighbors: &sc.neighbor_list,
        bots: &sc.bot_neighbor_list,
    };
    let agents = &st.agents;
    sc.actions
        .par_chunks_mut(ACTION_LEN)
        .zip(st.brain_state.par_chunks_mut(slen))
        .enumerate()
        .for_each(|(i, (out, state))| {
            if agents[i].alive == 0 {
                out.fill(0.0);
                return;
            }
            out.copy_from_slice(&brains.actions(i, NONE, state));
        });
}

/// Probes (`saliency`, `influence`): each sampled agent's brain on its own observation row,
/// changed as the probe row's code says, from its current state, which stays as it is.
pub fn jaxlife_probe(
    p: &Params,
    tensors: &[Tensor],
    hidden: usize,
    heads: usize,
    st: &State,
    sc: &mut Scratch,
) {
    if p.brain_kind != brain_kind::JAXLIFE {
        return;
    }
    let slen = p.brain_state_len as usize;
    super::saliency::run_probes(p, st.clock.tick, sc, |sc, i, code| {
        let brains = Brains {
            p,
            tensors,
            hidden,
            heads,
            genomes: &st.genomes,
            obs: &sc.obs,
            neighbors: &sc.neighbor_list,
            bots: &sc.bot_neighbor_list,
        };
        let mut state = st.brain_state[i * slen..(i + 1) * slen].to_vec();
        brains.actions(i, code, &mut state)
    });
}

/// What every agent's brain reads this tick.
struct Brains<'a> {
    p: &'a Params,
    tensors: &'a [Tensor],
    hidden: usize,
    heads: usize,
    genomes: &'a [f32],
    obs: &'a [f32],
    neighbors: &'a [u32],
    bots: &'a [u32],
}

impl Brains<'_> {
    /// Agent `i`'s 44 actions, its observation changed as probe code `code` says
    /// (`saliency::run_probes`; NONE: not at all); `state` (its LSTM's [h, c]) is updated
    /// in place.
    fn actions(&self, i: usize, code: u32, state: &mut [f32]) -> Vec<f32> {
        let p = self.p;
        let (k, kb) = (p.view_agents as usize, p.view_bots as usize);
        let (len, glen) = (p.obs_len as usize, p.genome_len as usize);
        let valid: Vec<bool> = (0..k)
            .map(|s| self.neighbors[i * k + s] != NONE)
            .chain((0..kb).map(|b| self.bots[i * kb + b] != NONE))
            .collect();
        let mut obs = self.obs[i * len..(i + 1) * len].to_vec();
        if let Some(j) = super::influence::swap_partner(code) {
            let heard = super::influence::heard_ranges(p);
            super::influence::swap_heard(&heard, &mut obs, &self.obs[j * len..(j + 1) * len]);
        } else if code != NONE {
            obs[code as usize] += SALIENCY_EPS;
        }
        let net = Net {
            genome: &self.genomes[i * glen..(i + 1) * glen],
            tensors: self.tensors,
            hidden: self.hidden,
            heads: self.heads,
        };
        let terrain_len = crate::world::terrain_patch_len(p.terrain_view_range as usize);
        net.step(&obs, terrain_len, &valid, k, state)
    }
}
