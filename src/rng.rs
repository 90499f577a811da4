//! Counter-based randomness, the same function as `shaders/common.wgsl`: every draw is a
//! pure hash of (seed, tick, entity, stream, index), so GPU threads and CPU loops draw
//! identical numbers in any order, and a resumed run draws what the uninterrupted one would.

mod box_muller;

pub mod stream {
    pub const POLICY: u32 = 1;
    pub const WEATHER: u32 = 2;
    pub const TERRAIN: u32 = 3;
    pub const CHILD_ID: u32 = 4;
    pub const GENOME: u32 = 5;
    pub const SPAWN_POS: u32 = 6;
    pub const SPAWN_ID: u32 = 7;
    pub const MUTATION_MASK: u32 = 8;
    pub const SALIENCY: u32 = 9;
    pub const SHUFFLE: u32 = 10;
    pub const INFLUENCE: u32 = 11;
    /// Fresh brains for the naive population of a knockout fork (`silico ablate`).
    pub const NAIVE: u32 = 12;
    /// Which of several agents on one spot is credited with a cell or a bot (`credit_mark`).
    pub const CREDIT: u32 = 13;
    /// The order in which would-be parents are served under `ecology.random_parents`.
    pub const PARENT_ORDER: u32 = 14;
    /// Where the food patches are (`ecology.food_patches`).
    pub const FOOD_PATCH: u32 = 15;
    /// Host-side draws at world creation (initial angles, bots, agents).
    pub const INIT: u32 = 100;
}

#[inline]
pub fn pcg(v: u32) -> u32 {
    let state = v.wrapping_mul(747796405).wrapping_add(2891336453);
    let word = ((state >> ((state >> 28) + 4)) ^ state).wrapping_mul(277803737);
    (word >> 22) ^ word
}

#[derive(Clone, Copy, Debug)]
pub struct Rng {
    seed_key: u32,
}

impl Rng {
    pub fn new(seed: u64) -> Self {
        let lo = seed as u32;
        let hi = (seed >> 32) as u32;
        Self {
            seed_key: pcg(lo ^ pcg(hi)),
        }
    }

    /// The key of a (tick, entity, stream): every draw of it is one more hash of the key
    /// and its index (WGSL `rng_key`), so a loop over indices hashes the key once.
    #[inline]
    pub fn key(&self, tick: u32, entity: u32, stream: u32) -> u32 {
        let mut h = pcg(self.seed_key ^ tick);
        h = pcg(h ^ entity);
        pcg(h ^ stream)
    }

    #[inline]
    pub fn u32(&self, tick: u32, entity: u32, stream: u32, index: u32) -> u32 {
        pcg(self.key(tick, entity, stream) ^ index)
    }

    /// Uniform in [0, 1).
    #[inline]
    pub fn uniform(&self, tick: u32, entity: u32, stream: u32, index: u32) -> f32 {
        uniform_keyed(self.key(tick, entity, stream), index)
    }

    /// Two independent standard normals by Box-Muller from indices 2·pair and 2·pair + 1.
    #[inline]
    pub fn normal_pair(&self, tick: u32, entity: u32, stream: u32, pair: u32) -> [f32; 2] {
        normal_pair_keyed(self.key(tick, entity, stream), pair)
    }
}

/// Draw `index` of a key (WGSL `rng_uniform_keyed`): uniform in [0, 1).
#[inline]
pub fn uniform_keyed(key: u32, index: u32) -> f32 {
    (pcg(key ^ index) >> 8) as f32 * (1.0 / 16777216.0)
}

/// Draws `0..out.len()` of a key, each mapped to [-1, 1) as 2u - 1: one loop the
/// compiler vectorises (the hash's per-lane shifts need AVX2).
#[multiversion::multiversion(targets("x86_64+avx2"))]
pub fn signed_uniforms_keyed(key: u32, out: &mut [f32]) {
    for (o, a) in out.iter_mut().enumerate() {
        *a = 2.0 * uniform_keyed(key, o as u32) - 1.0;
    }
}

/// Pairs a block of `normal_pairs_keyed` holds at most.
pub const NORMAL_BLOCK: usize = box_muller::BLOCK;

/// `normal_pair_keyed` for pairs `first_pair..` into `out` (pair-major, `out.len()` even,
/// at most 2·NORMAL_BLOCK): the hashes of the whole block as one loop the compiler
/// vectorises, then Box-Muller's terms by `box_muller::pairs`. A test holds it to
/// `normal_pair_keyed` bit for bit.
pub fn normal_pairs_keyed(key: u32, first_pair: u32, out: &mut [f32]) {
    let n = out.len() / 2;
    let (mut bits1, mut bits2) = ([0u32; NORMAL_BLOCK], [0u32; NORMAL_BLOCK]);
    pair_draws(key, first_pair, &mut bits1[..n], &mut bits2[..n]);
    box_muller::pairs(&bits1[..n], &bits2[..n], out);
}

/// Normals `first..first + out.len()` of a key (`first` even; normal 2m + e is element e of
/// `normal_pair_keyed(key, m)`), a block of pairs at a time; an odd length's last takes
/// the first normal of its pair.
pub fn normals_keyed(key: u32, first: usize, out: &mut [f32]) {
    let mut normals = [0.0f32; 2 * NORMAL_BLOCK];
    for (b, block) in out.chunks_mut(2 * NORMAL_BLOCK).enumerate() {
        let n = &mut normals[..block.len().next_multiple_of(2)];
        let w0 = first + 2 * NORMAL_BLOCK * b;
        normal_pairs_keyed(key, (w0 / 2) as u32, n);
        block.copy_from_slice(&n[..block.len()]);
    }
}

/// The 24-bit draws behind each pair's two uniforms, from `first_pair` on.
#[multiversion::multiversion(targets("x86_64+avx2"))]
fn pair_draws(key: u32, first_pair: u32, bits1: &mut [u32], bits2: &mut [u32]) {
    for (m, (b1, b2)) in bits1.iter_mut().zip(bits2.iter_mut()).enumerate() {
        let pair = first_pair.wrapping_add(m as u32);
        *b1 = pcg(key ^ pair.wrapping_mul(2)) >> 8;
        *b2 = pcg(key ^ pair.wrapping_mul(2).wrapping_add(1)) >> 8;
    }
}

/// Two standard normals by Box-Muller from draws 2·pair and 2·pair + 1 of a key (WGSL
/// `rng_normal_pair_keyed`).
#[inline]
pub fn normal_pair_keyed(key: u32, pair: u32) -> [f32; 2] {
    let u1 = ((pcg(key ^ pair.wrapping_mul(2)) >> 8) as f32 + 1.0) * (1.0 / 16777216.0);
    let u2 = uniform_keyed(key, pair.wrapping_mul(2).wrapping_add(1));
    let r = (-2.0 * u1.ln()).sqrt();
    let a = std::f32::consts::TAU * u2;
    [r * a.cos(), r * a.sin()]
}
