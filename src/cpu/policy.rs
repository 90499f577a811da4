//! Reference of shaders/policy.wgsl: observation -> 44 actions in (-1, 1).
//! `Linear`: tanh(W obs + b), W and b are the agent's genome: W input-major
//! ([obs_len][44], so the 44 threads of one agent read 44 neighbouring weights), then b [44].
//! `Random`: uniform actions from the counter-based rng. `Zero`: all zero.
//! The attention+LSTM brain has its own pass (jaxlife_brain), which reads the same
//! observation rows; the Compact brain has its own (compact_brain), which reads the world.

use rayon::prelude::*;

use crate::rng::{stream, Rng};
use crate::world::{brain_kind, Params, Scratch, State, ACTION_LEN, NONE, SALIENCY_EPS};

/// The Linear brain's actions.
pub fn policy(p: &Params, rng: &Rng, st: &State, sc: &mut Scratch) {
    act(brain_kind::LINEAR, p, rng, st, sc);
}

/// Uniform random actions.
pub fn policy_random(p: &Params, rng: &Rng, st: &State, sc: &mut Scratch) {
    act(brain_kind::RANDOM, p, rng, st, sc);
}

/// All-zero actions.
pub fn policy_zero(p: &Params, rng: &Rng, st: &State, sc: &mut Scratch) {
    act(brain_kind::ZERO, p, rng, st, sc);
}

/// Every living agent's actions under brain `kind` (fixed by the pass, not read from the
/// world).
fn act(kind: u32, p: &Params, rng: &Rng, st: &State, sc: &mut Scratch) {
    let obs = &sc.obs;
    sc.actions
        .par_chunks_mut(ACTION_LEN)
        .enumerate()
        .for_each(|(i, out)| {
            if st.agents[i].alive == 0 {
                out.fill(0.0);
                return;
            }
            actions_of(kind, p, rng, st, obs, i, NONE, out);
        });
}

/// The 44 actions of living agent `i` under brain `kind`, its inputs changed as probe code
/// `code` says (`saliency::run_probes`; NONE: not at all).
#[allow(clippy::too_many_arguments)]
fn actions_of(
    kind: u32,
    p: &Params,
    rng: &Rng,
    st: &State,
    obs: &[f32],
    i: usize,
    code: u32,
    out: &mut [f32],
) {
    let swap = super::influence::swap_partner(code);
    let heard = swap.map(|_| super::influence::heard_ranges(p));
    let len = p.obs_len as usize;
    let glen = p.genome_len as usize;
    let tick = st.clock.tick;
    match kind {
        brain_kind::LINEAR => {
            let g = &st.genomes[i * glen..(i + 1) * glen];
            let x = &obs[i * len..(i + 1) * len];
            // Input-major: each input adds to all 44 sums at once, so the inner loop runs over
            // 44 neighbouring weights (vectorised) while every action still sums its inputs
            // in input order, as the shader does.
            let acc = linear_sums(x, g);
            for (o, (a, acc)) in out.iter_mut().zip(acc).enumerate() {
                let mut acc = acc;
                // The brain is linear before its tanh: a changed input adds its change times
                // its weights.
                if let (Some(j), Some(heard)) = (swap, &heard) {
                    let xj = &obs[j * len..(j + 1) * len];
                    let mut delta = 0.0f32;
                    for r in heard {
                        for k in r.clone() {
                            delta += g[k * ACTION_LEN + o] * (xj[k] - x[k]);
                        }
                    }
                    acc += delta;
                } else if code != NONE {
                    acc += SALIENCY_EPS * g[code as usize * ACTION_LEN + o];
                }
                *a = acc;
            }
            super::safe_tanh_all(out);
        }
        brain_kind::RANDOM => {
            // `rng.uniform(tick, i, POLICY, o)`, with the agent's key hashed once.
            let key = rng.key(tick, i as u32, stream::POLICY);
            crate::rng::signed_uniforms_keyed(key, out);
        }
        _ => out.fill(0.0),
    }
}

/// The Linear brain's 44 sums before tanh: its bias plus each input times its 44 weights,
/// input by input. Compiled also for AVX2 and chosen at run time: the same additions and
/// multiplications in the same order, eight lanes at a time, and no fused multiply-add,
/// so the sums do not depend on the host.
#[multiversion::multiversion(targets("x86_64+avx2"))]
fn linear_sums(x: &[f32], g: &[f32]) -> [f32; ACTION_LEN] {
    let len = x.len();
    let mut acc = [0.0f32; ACTION_LEN];
    acc.copy_from_slice(&g[ACTION_LEN * len..ACTION_LEN * (len + 1)]);
    for (xk, w) in x.iter().zip(g.chunks_exact(ACTION_LEN)) {
        let w: &[f32; ACTION_LEN] = w.try_into().expect("44 weights an input");
        for (a, w) in acc.iter_mut().zip(w) {
            *a += w * xk;
        }
    }
    acc
}

/// Probes (`saliency`, `influence`): each sampled agent's actions, as they are and with its
/// inputs changed, under the Linear brain.
pub fn policy_probe(p: &Params, rng: &Rng, st: &State, sc: &mut Scratch) {
    probe(brain_kind::LINEAR, p, rng, st, sc);
}

/// The random brain's probes (its actions do not depend on its inputs).
pub fn policy_random_probe(p: &Params, rng: &Rng, st: &State, sc: &mut Scratch) {
    probe(brain_kind::RANDOM, p, rng, st, sc);
}

/// The zero brain's probes.
pub fn policy_zero_probe(p: &Params, rng: &Rng, st: &State, sc: &mut Scratch) {
    probe(brain_kind::ZERO, p, rng, st, sc);
}

fn probe(kind: u32, p: &Params, rng: &Rng, st: &State, sc: &mut Scratch) {
    super::saliency::run_probes(sc, |sc, i, code| {
        let mut out = vec![0.0; ACTION_LEN];
        actions_of(kind, p, rng, st, &sc.obs, i, code, &mut out);
        out
    });
}
