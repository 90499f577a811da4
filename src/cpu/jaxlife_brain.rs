//! Reference of shaders/jaxlife_brain.wgsl: JaxLife's attention + LSTM brain.
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
    Params, Scratch, State, ACTION_LEN, AGENT_VEC_LEN, BOT_VEC_LEN, NONE, SALIENCY_EPS,
};

/// The LSTM cell's update from its gate pre-activations (i, f, g, o, `h` each): `state`
/// is [hidden h, cell c], updated in place; the g gates are overwritten with their tanh.
/// Shared by the reference and the fast path.
fn lstm_cell(gates: &mut [f32], state: &mut [f32]) {
    let h = gates.len() / 4;
    let sigmoid = |v: f32| 1.0 / (1.0 + (-v).exp());
    super::safe_tanh_all(&mut gates[2 * h..3 * h]);
    let (hidden, cell) = state.split_at_mut(h);
    for (u, c) in cell.iter_mut().enumerate() {
        *c = sigmoid(gates[h + u]) * *c + sigmoid(gates[u]) * gates[2 * h + u];
    }
    hidden.copy_from_slice(cell);
    super::safe_tanh_all(hidden);
    for (u, y) in hidden.iter_mut().enumerate() {
        *y *= sigmoid(gates[3 * h + u]);
    }
}

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
        lstm_cell(&mut gates, state);
        let z = tanh(self.dense("action_process", &state[..h]));
        tanh(self.dense("action_logits", &z))
    }
}

/// A dense layer's place in a genome: its kernel (inputs × outputs, input-major) and bias.
#[derive(Clone, Copy, Debug)]
struct Layer {
    kernel: usize,
    bias: Option<usize>,
    inputs: usize,
    outputs: usize,
}

impl Layer {
    fn find(tensors: &[Tensor], name: &str) -> Option<Self> {
        let kernel = tensors
            .iter()
            .find(|t| t.name == format!("{name}.kernel"))?;
        let bias = tensors.iter().find(|t| t.name == format!("{name}.bias"));
        Some(Self {
            kernel: kernel.offset,
            bias: bias.map(|b| b.offset),
            inputs: kernel.rows,
            outputs: kernel.cols,
        })
    }

    fn named(tensors: &[Tensor], name: &str) -> Self {
        Self::find(tensors, name)
            .unwrap_or_else(|| panic!("the JaxLife genome layout has no layer {name}"))
    }

    /// `out = bias + x W` for `rows` input rows of `x` (row-major), by a matrix product.
    fn apply(&self, genome: &[f32], x: &[f32], rows: usize, out: &mut [f32]) {
        let (k, n) = (self.inputs, self.outputs);
        let out = &mut out[..rows * n];
        match self.bias {
            Some(b) => {
                for row in out.chunks_mut(n) {
                    row.copy_from_slice(&genome[b..b + n]);
                }
            }
            None => out.fill(0.0),
        }
        gemm_add(
            rows,
            k,
            n,
            &x[..rows * k],
            &genome[self.kernel..self.kernel + k * n],
            out,
        );
    }
}

/// c += a b, all row-major: a is m × k, b is k × n, c is m × n. Four rows of a at a time
/// share each row of b, and each sum runs over k in order, as `Net::dense`'s do. Compiled
/// also for AVX2 and chosen at run time (the same additions and multiplications, eight at
/// a time: the results do not change; no fused multiply-add, which would make them depend
/// on the host). Chosen by measurement over the crates: with the few rows these layers
/// have (1 to 18), matrixmultiply spent three times its arithmetic packing the weights
/// (`configs/jaxlife.ron` 37.7 ticks/s), and gemm ran it at 40-43 ticks/s, against 49-53
/// for this (docs/performance.md).
#[multiversion::multiversion(targets("x86_64+avx2"))]
fn gemm_add(m: usize, k: usize, n: usize, a: &[f32], b: &[f32], c: &mut [f32]) {
    assert!(a.len() == m * k && b.len() == k * n && c.len() == m * n);
    let mut c_blocks = c.chunks_mut(4 * n);
    for a_block in a.chunks(4 * k) {
        let c_block = c_blocks.next().expect("as many blocks of c as of a");
        if let ([a0, a1, a2, a3], Some((c0, rest))) = (
            [0, 1, 2, 3].map(|r| a_block.get(r * k..(r + 1) * k)),
            c_block.split_at_mut_checked(n),
        ) {
            if let (Some(a0), Some(a1), Some(a2), Some(a3)) = (a0, a1, a2, a3) {
                let (c1, rest) = rest.split_at_mut(n);
                let (c2, c3) = rest.split_at_mut(n);
                // A tile of TILE columns of the four rows stays in registers over all of
                // k, so c is read and written once, not once per k.
                const TILE: usize = 16;
                let mut o0 = 0;
                while o0 + TILE <= n {
                    let mut t = [[0.0f32; TILE]; 4];
                    t[0].copy_from_slice(&c0[o0..o0 + TILE]);
                    t[1].copy_from_slice(&c1[o0..o0 + TILE]);
                    t[2].copy_from_slice(&c2[o0..o0 + TILE]);
                    t[3].copy_from_slice(&c3[o0..o0 + TILE]);
                    for (kk, brow) in b.chunks_exact(n).enumerate() {
                        let x = [a0[kk], a1[kk], a2[kk], a3[kk]];
                        let w: &[f32; TILE] = brow[o0..o0 + TILE].try_into().expect("a tile");
                        for (row, x) in t.iter_mut().zip(x) {
                            for (acc, w) in row.iter_mut().zip(w) {
                                *acc += w * x;
                            }
                        }
                    }
                    c0[o0..o0 + TILE].copy_from_slice(&t[0]);
                    c1[o0..o0 + TILE].copy_from_slice(&t[1]);
                    c2[o0..o0 + TILE].copy_from_slice(&t[2]);
                    c3[o0..o0 + TILE].copy_from_slice(&t[3]);
                    o0 += TILE;
                }
                for (kk, brow) in b.chunks_exact(n).enumerate() {
                    let (x0, x1, x2, x3) = (a0[kk], a1[kk], a2[kk], a3[kk]);
                    for o in o0..n {
                        let w = brow[o];
                        c0[o] += w * x0;
                        c1[o] += w * x1;
                        c2[o] += w * x2;
                        c3[o] += w * x3;
                    }
                }
                continue;
            }
        }
        for (crow, arow) in c_block.chunks_exact_mut(n).zip(a_block.chunks_exact(k)) {
            for (brow, x) in b.chunks_exact(n).zip(arow) {
                for (acc, w) in crow.iter_mut().zip(brow) {
                    *acc += w * x;
                }
            }
        }
    }
}

/// The JaxLife brain of `Net`, the same arithmetic in another order: each layer that is
/// applied to every entity is one matrix product over the entities' rows, tensor offsets
/// are found once, and working memory is reused. The brain passes run it; `Net`, which
/// reads line by line like the shader, is what tests hold it to.
pub struct FastNet {
    hidden: usize,
    heads: usize,
    agent_encoder: Layer,
    bot_encoder: Option<Layer>,
    self_attention: [Layer; 4],
    cross_attention: [Layer; 4],
    terrain_encoder: Layer,
    terrain_decoder: Layer,
    lstm_input: Layer,
    lstm_hidden: Layer,
    action_process: Layer,
    action_logits: Layer,
}

/// A thread's working memory for `FastNet::step`.
#[derive(Default)]
pub struct FastScratch {
    rows: Vec<f32>,
    bot_rows: Vec<f32>,
    emb: Vec<f32>,
    q: Vec<f32>,
    k: Vec<f32>,
    v: Vec<f32>,
    mixed: Vec<f32>,
    ent: Vec<f32>,
    scores: Vec<f32>,
    small: Vec<f32>,
}

fn grow(v: &mut Vec<f32>, len: usize) -> &mut [f32] {
    if v.len() < len {
        v.resize(len, 0.0);
    }
    &mut v[..len]
}

impl FastNet {
    pub fn new(tensors: &[Tensor], hidden: usize, heads: usize) -> Self {
        let attention = |name: &str| {
            ["query", "key", "value", "out"].map(|p| Layer::named(tensors, &format!("{name}.{p}")))
        };
        let lstm_input = tensors
            .iter()
            .find(|t| t.name == "lstm.input.kernel")
            .map(|t| Layer {
                kernel: t.offset,
                bias: None,
                inputs: t.rows,
                outputs: t.cols,
            })
            .expect("the JaxLife genome layout has an LSTM input kernel");
        Self {
            hidden,
            heads,
            agent_encoder: Layer::named(tensors, "agent_encoder"),
            bot_encoder: Layer::find(tensors, "bot_encoder"),
            self_attention: attention("self_attention"),
            cross_attention: attention("cross_attention"),
            terrain_encoder: Layer::named(tensors, "terrain_encoder"),
            terrain_decoder: Layer::named(tensors, "terrain_decoder"),
            lstm_input,
            lstm_hidden: Layer::named(tensors, "lstm.hidden"),
            action_process: Layer::named(tensors, "action_process"),
            action_logits: Layer::named(tensors, "action_logits"),
        }
    }

    /// Multi-head attention of `nq` query rows (already projected, in `q`) over the entity
    /// rows of `k` and `v` (projected), the invalid ones left out, into `mixed` (before the
    /// output projection). A query with no valid key attends to nothing (zeros).
    #[allow(clippy::too_many_arguments)]
    fn attend(
        &self,
        q: &[f32],
        nq: usize,
        k: &[f32],
        v: &[f32],
        valid: &[bool],
        scores: &mut Vec<f32>,
        mixed: &mut [f32],
    ) {
        let (h, dh) = (self.hidden, self.hidden / self.heads);
        let scale = 1.0 / (dh as f32).sqrt();
        let ne = valid.len();
        let work = grow(scores, 2 * ne + dh * ne);
        let (scores, rest) = work.split_at_mut(ne);
        let (weights, keys_t) = rest.split_at_mut(ne);
        mixed[..nq * h].fill(0.0);
        for head in 0..self.heads {
            let seg = head * dh..(head + 1) * dh;
            // The head's keys transposed, so that a query's scores over every key are one
            // vectorised loop per dimension; each score still sums its dimensions in
            // order, from -0.0 as `Sum` does.
            for j in 0..ne {
                for d in 0..dh {
                    keys_t[d * ne + j] = k[j * h + seg.start + d];
                }
            }
            for i in 0..nq {
                let qi = &q[i * h..(i + 1) * h][seg.clone()];
                scores.fill(-0.0);
                for (d, x) in qi.iter().enumerate() {
                    for (s, kv) in scores.iter_mut().zip(&keys_t[d * ne..(d + 1) * ne]) {
                        *s += x * kv;
                    }
                }
                let mut max = f32::NEG_INFINITY;
                for j in (0..ne).filter(|&j| valid[j]) {
                    scores[j] *= scale;
                    max = max.max(scores[j]);
                }
                if max == f32::NEG_INFINITY {
                    continue;
                }
                // Each weight's exponential once, for the total and for the weight.
                for j in (0..ne).filter(|&j| valid[j]) {
                    weights[j] = (scores[j] - max).exp();
                }
                let total: f32 = (0..ne).filter(|&j| valid[j]).map(|j| weights[j]).sum();
                let out = &mut mixed[i * h..(i + 1) * h];
                for j in (0..ne).filter(|&j| valid[j]) {
                    let p = weights[j] / total;
                    let vj = &v[j * h..(j + 1) * h][seg.clone()];
                    for (m, x) in out[seg.clone()].iter_mut().zip(vj) {
                        *m += p * x;
                    }
                }
            }
        }
    }

    /// One step of agent `genome`'s brain on observation row `obs`, entity slots `valid`
    /// (neighbours then bots), `view_agents` neighbour slots, its state `[h, c]` updated in
    /// place; the 44 actions go to `actions`.
    #[allow(clippy::too_many_arguments)]
    pub fn step(
        &self,
        genome: &[f32],
        obs: &[f32],
        terrain_len: usize,
        valid: &[bool],
        view_agents: usize,
        state: &mut [f32],
        w: &mut FastScratch,
        actions: &mut [f32],
    ) {
        let h = self.hidden;
        let ne = valid.len();
        let kb = ne - view_agents;
        // Encoders: the self vector and the neighbours in one product, the bots in another.
        let agent_rows = 1 + view_agents;
        let rows = grow(&mut w.rows, agent_rows * AGENT_VEC_LEN);
        rows.copy_from_slice(&obs[terrain_len..terrain_len + agent_rows * AGENT_VEC_LEN]);
        let emb = grow(&mut w.emb, (agent_rows + kb) * h);
        self.agent_encoder.apply(genome, rows, agent_rows, emb);
        if let (Some(enc), true) = (self.bot_encoder, kb > 0) {
            let at = terrain_len + agent_rows * AGENT_VEC_LEN;
            let bot_rows = grow(&mut w.bot_rows, kb * BOT_VEC_LEN);
            bot_rows.copy_from_slice(&obs[at..at + kb * BOT_VEC_LEN]);
            enc.apply(genome, bot_rows, kb, &mut emb[agent_rows * h..]);
        }
        super::safe_tanh_all(emb);
        // Entity embeddings: neighbours then bots, an empty slot's all zeros.
        let ent = grow(&mut w.ent, ne * h);
        ent.copy_from_slice(&emb[h..(1 + ne) * h]);
        for (j, ok) in valid.iter().enumerate() {
            if !ok {
                ent[j * h..(j + 1) * h].fill(0.0);
            }
        }
        let small = grow(&mut w.small, 11 * h);
        small[10 * h..].copy_from_slice(&emb[..h]);
        // Self-attention among the entities.
        let [sq, sk, sv, so] = &self.self_attention;
        let (q, k, v) = (
            grow(&mut w.q, ne * h),
            grow(&mut w.k, ne * h),
            grow(&mut w.v, ne * h),
        );
        sq.apply(genome, ent, ne, q);
        sk.apply(genome, ent, ne, k);
        sv.apply(genome, ent, ne, v);
        let mixed = grow(&mut w.mixed, ne * h);
        self.attend(q, ne, k, v, valid, &mut w.scores, mixed);
        // The entities after self-attention go where the embeddings were.
        so.apply(genome, mixed, ne, ent);
        // Cross-attention from the self embedding.
        let [cq, ck, cv, co] = &self.cross_attention;
        ck.apply(genome, ent, ne, k);
        cv.apply(genome, ent, ne, v);
        let small = grow(&mut w.small, 11 * h);
        let (small, me) = small.split_at_mut(10 * h);
        let (query, rest) = small.split_at_mut(h);
        cq.apply(genome, me, 1, query);
        let (pooled_mix, rest) = rest.split_at_mut(h);
        self.attend(query, 1, k, v, valid, &mut w.scores, pooled_mix);
        let (x, rest) = rest.split_at_mut(2 * h);
        co.apply(genome, pooled_mix, 1, &mut x[..h]);
        // Terrain: two dense layers, nothing between.
        let (terrain_mid, rest) = rest.split_at_mut(h);
        self.terrain_encoder
            .apply(genome, &obs[..terrain_len], 1, terrain_mid);
        self.terrain_decoder
            .apply(genome, terrain_mid, 1, &mut x[h..]);
        // LSTM: gates i, f, g, o; the input kernel has no bias, the hidden kernel has.
        let (gates, rest) = rest.split_at_mut(4 * h);
        self.lstm_hidden.apply(genome, &state[..h], 1, gates);
        let wi = &genome[self.lstm_input.kernel..self.lstm_input.kernel + 2 * h * 4 * h];
        gemm_add(1, 2 * h, 4 * h, x, wi, gates);
        lstm_cell(gates, state);
        let z = &mut rest[..h];
        self.action_process.apply(genome, &state[..h], 1, z);
        super::safe_tanh_all(z);
        self.action_logits.apply(genome, z, 1, actions);
        super::safe_tanh_all(actions);
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
    let slen = p.brain_state_len as usize;
    let net = FastNet::new(tensors, hidden, heads);
    let brains = Brains {
        p,
        net: &net,
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
        .for_each_init(FastScratch::default, |w, (i, (out, state))| {
            if agents[i].alive == 0 {
                out.fill(0.0);
                return;
            }
            brains.actions(i, NONE, state, w, out);
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
    let slen = p.brain_state_len as usize;
    let net = FastNet::new(tensors, hidden, heads);
    super::saliency::run_probes(sc, |sc, i, code| {
        let brains = Brains {
            p,
            net: &net,
            genomes: &st.genomes,
            obs: &sc.obs,
            neighbors: &sc.neighbor_list,
            bots: &sc.bot_neighbor_list,
        };
        let mut state = st.brain_state[i * slen..(i + 1) * slen].to_vec();
        let mut out = vec![0.0; ACTION_LEN];
        brains.actions(i, code, &mut state, &mut FastScratch::default(), &mut out);
        out
    });
}

/// What every agent's brain reads this tick.
struct Brains<'a> {
    p: &'a Params,
    net: &'a FastNet,
    genomes: &'a [f32],
    obs: &'a [f32],
    neighbors: &'a [u32],
    bots: &'a [u32],
}

impl Brains<'_> {
    /// Agent `i`'s 44 actions into `out`, its observation changed as probe code `code`
    /// says (`saliency::run_probes`; NONE: not at all); `state` (its LSTM's [h, c]) is
    /// updated in place.
    fn actions(
        &self,
        i: usize,
        code: u32,
        state: &mut [f32],
        w: &mut FastScratch,
        out: &mut [f32],
    ) {
        let p = self.p;
        let (k, kb) = (p.view_agents as usize, p.view_bots as usize);
        let (len, glen) = (p.obs_len as usize, p.genome_len as usize);
        let valid: Vec<bool> = (0..k)
            .map(|s| self.neighbors[i * k + s] != NONE)
            .chain((0..kb).map(|b| self.bots[i * kb + b] != NONE))
            .collect();
        let row = &self.obs[i * len..(i + 1) * len];
        let changed;
        let obs = if code == NONE {
            row
        } else {
            let mut o = row.to_vec();
            if let Some(j) = super::influence::swap_partner(code) {
                let heard = super::influence::heard_ranges(p);
                super::influence::swap_heard(&heard, &mut o, &self.obs[j * len..(j + 1) * len]);
            } else {
                o[code as usize] += SALIENCY_EPS;
            }
            changed = o;
            &changed
        };
        let terrain_len = crate::world::terrain_patch_len(p.terrain_view_range as usize);
        self.net.step(
            &self.genomes[i * glen..(i + 1) * glen],
            obs,
            terrain_len,
            &valid,
            k,
            state,
            w,
            out,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Brain, Config};

    /// The fast path against `Net` (the reference) on random genomes, observations with
    /// empty slots, and a recurrent state, at two brain sizes.
    #[test]
    fn the_fast_path_computes_what_the_reference_does() {
        for (hidden, heads, view_bots) in [(64, 4, 2), (16, 2, 0)] {
            let mut cfg = Config {
                brain: Brain::JaxLife { hidden, heads },
                ..Default::default()
            };
            cfg.agents.view_bots = view_bots;
            let tensors = crate::world::brain::layout_for(&cfg);
            let d = crate::world::Dims::new(&cfg);
            let rng = crate::rng::Rng::new(3);
            let mut genome = vec![0.0; d.genome_len];
            let noise = crate::world::brain::genome_noise(&rng, 0, 1, d.genome_len);
            crate::world::brain::initial_genome(&tensors, &noise, &mut genome);
            let obs: Vec<f32> = (0..d.obs_len)
                .map(|k| 2.0 * rng.uniform(1, 0, 0, k as u32) - 1.0)
                .collect();
            let ne = d.view_agents + d.view_bots;
            let valid: Vec<bool> = (0..ne).map(|j| j % 5 != 3).collect();
            let h = hidden as usize;
            let start: Vec<f32> = (0..2 * h)
                .map(|k| rng.uniform(2, 0, 0, k as u32) - 0.5)
                .collect();
            let net = Net {
                genome: &genome,
                tensors: &tensors,
                hidden: h,
                heads: heads as usize,
            };
            let mut want_state = start.clone();
            let want = net.step(
                &obs,
                d.terrain_len(),
                &valid,
                d.view_agents,
                &mut want_state,
            );
            let fast = FastNet::new(&tensors, h, heads as usize);
            let mut got_state = start.clone();
            let mut got = vec![0.0; ACTION_LEN];
            fast.step(
                &genome,
                &obs,
                d.terrain_len(),
                &valid,
                d.view_agents,
                &mut got_state,
                &mut FastScratch::default(),
                &mut got,
            );
            for (what, a, b) in [("actions", &got, &want), ("state", &got_state, &want_state)] {
                for (x, y) in a.iter().zip(b.iter()) {
                    assert!(
                        (x - y).abs() <= 1e-5 * y.abs().max(1.0),
                        "{what}: {x} vs {y}"
                    );
                }
            }
        }
    }
}
