//! Which genomes a checkpoint need not store as floats, and how they are made again: a
//! child's from its parent's (still in its slot) and its birth's draws, a founder's from
//! its birth's draws, a sibling's from another child of the same parent and a residual.
//! Genomes are most of a checkpoint's bytes, and random, so they do not compress; each
//! rule is checked weight for weight when written.

use super::State;
use crate::config::Config;

/// The slot holding an agent's parent, when it still holds that parent (the slot and birth
/// tick its record names), living or dead: a genome changes only when a child is born into
/// its slot, so the parent's is the one it gave this agent. A dead agent's genome counts
/// too: it stays in its slot, part of the state, until a birth there replaces it.
pub(super) fn recorded_parent(state: &State, slot: usize) -> Option<usize> {
    let a = &state.agents[slot];
    let p = a.parent_lo as usize;
    (a.generation > 0 && a.parent_lo != super::NONE && p != slot && p < state.agents.len())
        .then_some(p)
        .filter(|&p| state.agents[p].lineage_hi == a.parent_hi)
}

/// What a child's genome is made from under a config: its rng, mutation rate, precision
/// and per-weight σ.
pub(super) struct Mutation {
    rng: crate::rng::Rng,
    rate: f32,
    f16: bool,
    sigma: Vec<f32>,
    pub(super) len: usize,
    tensors: Vec<super::brain::Tensor>,
    fresh: Vec<f32>,
}

impl Mutation {
    pub(super) fn of(cfg: &Config) -> Self {
        let tensors = super::brain::layout_for(cfg);
        Self {
            rng: crate::rng::Rng::new(cfg.seed),
            rate: cfg.mutation.rate,
            f16: cfg.genome_precision == crate::config::Precision::F16,
            sigma: super::brain::mutation_scales(&tensors, &cfg.mutation),
            len: super::Dims::new(cfg).genome_len,
            fresh: super::brain::fresh_scales(&tensors),
            tensors,
        }
    }

    /// `parent` mutated by the draws of `slot`'s birth, into `out`.
    fn birth(&self, state: &State, slot: usize, parent: &[f32], out: &mut [f32]) {
        let (tick, child) = (state.agents[slot].lineage_hi, slot as u32);
        super::brain::mutate_into(
            self.rate,
            self.f16,
            self.rng.key(tick, child, crate::rng::stream::GENOME),
            self.rng.key(tick, child, crate::rng::stream::MUTATION_MASK),
            &self.sigma,
            parent,
            0,
            out,
        );
    }

    /// `slot`'s genome as predicted from `anchor`'s, a child of the same parent: the parent
    /// recovered as the anchor's genome less its draws, plus `slot`'s draws. Off by a
    /// rounding in about a tenth of the weights, which the stored residual corrects.
    pub(super) fn predicted_from_sibling(
        &self,
        state: &State,
        slot: usize,
        anchor: usize,
        out: &mut [f32],
    ) {
        let len = self.len;
        // The anchor's draws (its birth from a parent of zeros), taken from its genome.
        let mut parent = vec![0.0f32; len];
        self.birth(state, anchor, &vec![0.0; len], &mut parent);
        for (p, a) in parent
            .iter_mut()
            .zip(&state.genomes[anchor * len..(anchor + 1) * len])
        {
            *p = a - *p;
        }
        self.birth(state, slot, &parent, out);
    }

    /// The genome a founder (an initial agent, or a respawn) drew at its birth, into `out`:
    /// the initial world's rule at `INIT_TICK`, births' respawn rule after.
    pub(super) fn founder(&self, state: &State, slot: usize, out: &mut [f32]) {
        let tick = state.agents[slot].lineage_hi;
        let noise = super::genesis::genome_noise(&self.rng, tick, slot as u32, self.len);
        if tick == super::INIT_TICK {
            super::brain::initial_genome(&self.tensors, &noise, out);
        } else {
            for ((o, n), s) in out.iter_mut().zip(&noise).zip(&self.fresh) {
                *o = s * n;
            }
        }
        if self.f16 {
            out.iter_mut()
                .for_each(|w| *w = super::brain::round_weight(*w, true));
        }
    }

    /// The genome `slot`'s agent got at its birth from `parent`'s, into `out`.
    pub(super) fn child(&self, state: &State, slot: usize, parent: usize, out: &mut [f32]) {
        let len = self.len;
        self.birth(
            state,
            slot,
            &state.genomes[parent * len..(parent + 1) * len],
            out,
        );
    }
}

/// The agents, living or dead, whose genome is their parent's (still in its slot) mutated
/// by this config's draws for their birth, checked weight for weight: a checkpoint stores
/// them as a reference, not as floats (their genome is most of a checkpoint's bytes, and
/// random). A child born under
/// other mutation settings or another random stream (before a fork) does not match and
/// is stored whole.
pub fn genome_refs(cfg: &Config, state: &State) -> Vec<u32> {
    made_again(cfg, state, |m, slot, out| {
        let parent = recorded_parent(state, slot)?;
        m.child(state, slot, parent, out);
        Some(())
    })
}

/// The slots whose stored genome `make` makes again bit for bit (`make` gives None where
/// it does not apply).
fn made_again(
    cfg: &Config,
    state: &State,
    make: impl Fn(&Mutation, usize, &mut [f32]) -> Option<()> + Sync,
) -> Vec<u32> {
    let m = Mutation::of(cfg);
    let len = m.len;
    if len == 0 {
        return Vec::new();
    }
    use rayon::prelude::*;
    (0..state.agents.len())
        .into_par_iter()
        .filter(|&slot| {
            let mut made = vec![0.0f32; len];
            make(&m, slot, &mut made).is_some()
                && made
                    .iter()
                    .zip(&state.genomes[slot * len..(slot + 1) * len])
                    .all(|(a, b)| a.to_bits() == b.to_bits())
        })
        .map(|slot| slot as u32)
        .collect()
}

/// An agent with no parent, living or dead: an initial agent or a respawn (a slot never
/// used holds a zeroed record, whose parent is slot 0).
pub(super) fn is_founder(state: &State, slot: usize) -> bool {
    let a = &state.agents[slot];
    a.generation == 0 && a.parent_lo == super::NONE && a.parent_hi == super::NONE
}

/// The founders whose genome is still the one this config's draws gave them at birth,
/// checked weight for weight: stored as a reference and drawn again on reading (after a
/// die-off most agents are fresh respawns, whose genomes are random and do not compress).
pub fn founder_refs(cfg: &Config, state: &State) -> Vec<u32> {
    made_again(cfg, state, |m, slot, out| {
        is_founder(state, slot).then(|| m.founder(state, slot, out))
    })
}

/// Children of a parent whose slot no longer holds it, each paired with the lowest slot
/// of its siblings (the anchor, stored as floats): such a child is stored as the XOR of its
/// genome's bits with its prediction from the anchor (`Mutation::predicted_from_sibling`), mostly
/// zeros, which compress. Where one parent bred most of the population (a parent dies and
/// its children fill the world), this is most of the genomes. `taken`: slots already
/// stored another way.
pub fn sibling_refs(cfg: &Config, state: &State, taken: &[u32]) -> Vec<(u32, u32)> {
    if super::Dims::new(cfg).genome_len == 0 {
        return Vec::new();
    }
    let mut families: std::collections::BTreeMap<(u32, u32), Vec<u32>> = Default::default();
    for (slot, a) in state.agents.iter().enumerate() {
        if a.generation > 0
            && a.parent_lo != super::NONE
            && recorded_parent(state, slot).is_none()
            && !taken.contains(&(slot as u32))
        {
            families
                .entry((a.parent_lo, a.parent_hi))
                .or_default()
                .push(slot as u32);
        }
    }
    families
        .into_values()
        .filter(|kids| kids.len() > 1)
        .flat_map(|kids| {
            let anchor = kids[0];
            kids.into_iter().skip(1).map(move |slot| (slot, anchor))
        })
        .collect()
}
