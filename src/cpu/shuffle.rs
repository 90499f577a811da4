//! Reference of shaders/shuffle.wgsl: the `controls.messages: Shuffled` control. Each tick
//! the living agents are put on one random cycle, and every agent hears, and shows its
//! observers, the messages of the agent after it on the cycle; the bots' memories are
//! cycled among the bots alike. A cycle has no fixed point, so nobody hears its own, and
//! every message is still heard once: the messages' statistics stay, their link to the
//! listener's surroundings is cut. Does nothing in other worlds.
//!
//! The cycle is a keyed bijection on the next power of two above the count, walked until it
//! lands inside the count (cycle walking), so it needs no sort: entry k of the cycle is the
//! living agent of rank `cycle(k)`.

use crate::rng::{stream, Rng};
use crate::world::{Scratch, State, NONE};

/// Rounds of the bijection: multiply by an odd constant, add a key, xor-shift; each is a
/// bijection of b-bit numbers, so is their composition.
pub const ROUNDS: u32 = 4;

/// A keyed bijection of the b-bit numbers (WGSL `permute_bits`).
pub fn permute_bits(x: u32, bits: u32, keys: &[u32; ROUNDS as usize]) -> u32 {
    let mask = if bits >= 32 {
        u32::MAX
    } else {
        (1u32 << bits) - 1
    };
    let shift = bits / 2 + 1;
    let mut y = x & mask;
    for key in keys {
        y = y.wrapping_mul(0x9e37_79b1) & mask;
        y = y.wrapping_add(*key) & mask;
        if shift < 32 {
            y ^= y >> shift;
        }
    }
    y
}

/// Entry k of a random cycle through 0..n (n ≥ 1): a bijection of 0..n by cycle walking.
pub fn cycle_entry(k: u32, n: u32, keys: &[u32; ROUNDS as usize]) -> u32 {
    let bits = 32 - (n - 1).max(1).leading_zeros();
    let mut y = permute_bits(k, bits, keys);
    while y >= n {
        y = permute_bits(y, bits, keys);
    }
    y
}

/// The bijection's keys of this tick: one for the agents' cycle (`which` 0), one for the
/// bots' (1).
pub fn cycle_keys(rng: &Rng, tick: u32, which: u32) -> [u32; ROUNDS as usize] {
    std::array::from_fn(|r| rng.u32(tick, which, stream::SHUFFLE, r as u32))
}

/// Whose messages slot `k` of a cycle of `n` shows: the entry after it on the cycle.
fn successor(k: u32, n: u32, keys: &[u32; ROUNDS as usize]) -> (u32, u32) {
    let next = if k + 1 == n { 0 } else { k + 1 };
    (cycle_entry(k, n, keys), cycle_entry(next, n, keys))
}

/// The living agents in slot order, and how many.
pub fn shuffle_rank(st: &State, sc: &mut Scratch) {
    let mut n = 0;
    for (i, a) in st.agents.iter().enumerate() {
        if a.alive != 0 {
            sc.living[n] = i as u32;
            n += 1;
        }
    }
    sc.living_count = n as u32;
}

/// Each living agent's message source, and what it will hear this tick for the listener
/// measures (`heard`, the symbol of the other_message it observes).
pub fn shuffle_agents(rng: &Rng, st: &mut State, sc: &mut Scratch) {
    let n = sc.living_count;
    let keys = cycle_keys(rng, st.clock.tick, 0);
    for k in 0..n {
        let (me, other) = if n < 2 {
            (k, k)
        } else {
            successor(k, n, &keys)
        };
        let (a, b) = (sc.living[me as usize], sc.living[other as usize]);
        sc.message_source[a as usize] = b;
        if st.heard[a as usize] != NONE {
            st.heard[a as usize] =
                super::metrics::message_symbol(&st.agents[b as usize].other_message);
        }
    }
}

/// Each bot's message source (all bots are in the world).
pub fn shuffle_bots(rng: &Rng, st: &State, sc: &mut Scratch) {
    let n = st.bots.len() as u32;
    let keys = cycle_keys(rng, st.clock.tick, 1);
    for k in 0..n {
        let (me, other) = if n < 2 {
            (k, k)
        } else {
            successor(k, n, &keys)
        };
        sc.bot_message_source[me as usize] = other;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bijection_is_one_to_one_at_every_width() {
        let rng = Rng::new(7);
        for bits in 1..=12 {
            let keys = cycle_keys(&rng, 3, bits);
            let mut seen = vec![false; 1 << bits];
            for x in 0..1u32 << bits {
                let y = permute_bits(x, bits, &keys) as usize;
                assert!(!seen[y], "bits {bits}: {y} twice");
                seen[y] = true;
            }
        }
    }

    #[test]
    fn a_cycle_visits_every_entry_once_and_moves_everyone() {
        let rng = Rng::new(11);
        for n in [2u32, 3, 5, 64, 100, 1000] {
            for tick in 0..5 {
                let keys = cycle_keys(&rng, tick, 0);
                let order: Vec<u32> = (0..n).map(|k| cycle_entry(k, n, &keys)).collect();
                let mut sorted = order.clone();
                sorted.sort_unstable();
                assert_eq!(sorted, (0..n).collect::<Vec<_>>(), "n {n}");
                // Following successors from any entry comes back after exactly n steps.
                let mut next = vec![0u32; n as usize];
                for k in 0..n {
                    let (a, b) = successor(k, n, &keys);
                    next[a as usize] = b;
                }
                let (mut at, mut steps) = (0u32, 0);
                loop {
                    assert_ne!(next[at as usize], at, "a fixed point");
                    at = next[at as usize];
                    steps += 1;
                    if at == 0 {
                        break;
                    }
                }
                assert_eq!(steps, n);
            }
        }
    }

    #[test]
    fn the_cycle_differs_from_tick_to_tick() {
        let rng = Rng::new(1);
        let a: Vec<u32> = (0..50)
            .map(|k| cycle_entry(k, 50, &cycle_keys(&rng, 1, 0)))
            .collect();
        let b: Vec<u32> = (0..50)
            .map(|k| cycle_entry(k, 50, &cycle_keys(&rng, 2, 0)))
            .collect();
        assert_ne!(a, b);
    }
}
