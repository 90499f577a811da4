//! Reference of shaders/policy.wgsl: observation -> 44 actions in (-1, 1).
//! `Linear`: tanh(W obs + b), W and b are the agent's genome: W input-major
//! ([obs_len][44], so the 44 threads of one agent read 44 neighbouring weights), then b [44].
//! `Random`: uniform actions from the counter-based rng. `Zero`: all zero.
//! The attention+LSTM brain has its own pass (jaxlife_brain), which reads the same
//! observation rows; the Compact brain has its own (compact_brain), which reads the world.

use rayon::prelude::*;

use crate::rng::{stream, Rng};
use crate::world::{brain_kind, Params, Scratch, State, ACTION_LEN};

pub fn policy(p: &Params, rng: &Rng, st: &State, sc: &mut Scratch) {
    if p.brain_kind == brain_kind::JAXLIFE || p.brain_kind == brain_kind::COMPACT {
        return; // their own passes, jaxlife_brain and compact_brain
    }
    let len = p.obs_len as usize;
    let glen = p.genome_len as usize;
    let tick = st.clock.tick;
    let obs = &sc.obs;
    sc.actions
        .par_chunks_mut(ACTION_LEN)
        .enumerate()
        .for_each(|(i, out)| {
            if st.agents[i].alive == 0 {
                out.fill(0.0);
                return;
            }
            for (o, a) in out.iter_mut().enumerate() {
                *a = match p.brain_kind {
                    brain_kind::LINEAR => {
                        let g = &st.genomes[i * glen..(i + 1) * glen];
                        let x = &obs[i * len..(i + 1) * len];
                        // The shader sums in this order too, four inputs per step.
                        let mut acc = g[ACTION_LEN * len + o];
                        for k in 0..len {
                            acc += g[k * ACTION_LEN + o] * x[k];
                        }
                        super::safe_tanh(acc)
                    }
                    brain_kind::RANDOM => {
                        2.0 * rng.uniform(tick, i as u32, stream::POLICY, o as u32) - 1.0
                    }
                    _ => 0.0,
                };
            }
        });
}
