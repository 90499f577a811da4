//! Genome layouts: which float of an agent's genome is which weight of its brain, and how
//! a fresh genome is drawn.
//!
//! Every matrix is stored input-major, `[inputs][outputs]`, followed by its bias, so that
//! the threads that compute neighbouring outputs read neighbouring weights. All tensor
//! offsets are multiples of 4 floats (the shaders read weights as `vec4`s).
//!
//! The `Compact` brain (H hidden units; inputs as `compact_inputs`, 175 with bots in view):
//! `input` Dense (inputs -> H, relu), `gru.input` Dense (H -> 3H), `gru.hidden.kernel`
//! (H -> 3H, no bias), `gru.candidate.bias` (H), `action_logits` Dense (H -> 44, tanh):
//! 6H² + 224H + 44 floats with bots in view (5,164 at H = 16, 20.7 KB per agent in f32),
//! 6H² + 188H + 44 without. Its GRU state is H floats per agent.
//!
//! Initialisation (JaxLife's, through flax's defaults):
//! - `Orthogonal(gain)`: a Gaussian matrix orthogonalised by QR with the signs of R's
//!   diagonal, as `jax.nn.initializers.orthogonal`. Encoders, terrain layers and the first
//!   head layer use gain √2; the LSTM's and the GRU's hidden kernels are orthogonal
//!   (gain 1) per gate. The Compact brain's input layer: gain √2.
//! - `LecunNormal`: N(0, 1/fan_in) (flax truncates at 2σ; we do not). Attention
//!   projections, the LSTM's and the GRU's input kernels and the last head layers.
//! - `Normal(σ)`: the `Linear` brain, every weight N(0, `mutation.init_sigma`²).
//! - `Zero`: every bias.
//!
//! Respawned agents (after an extinction) are drawn on the GPU, where a QR is out of reach:
//! there every weight is N(0, s²) with s the scale an orthogonal matrix's entries have,
//! gain/√max(rows, cols) (see `fresh_scale`).

use crate::config::{Brain, Config};
use crate::rng::Rng;

use super::{ACTION_LEN, AGENT_VEC_LEN, BOT_VEC_LEN};

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Init {
    Normal(f32),
    /// Orthogonal with this gain, separately for each block of `block` columns.
    Orthogonal {
        gain: f32,
        block: usize,
    },
    LecunNormal,
    Zero,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Tensor {
    pub name: String,
    pub offset: usize,
    pub rows: usize,
    pub cols: usize,
    pub init: Init,
}

impl Tensor {
    pub fn len(&self) -> usize {
        self.rows * self.cols
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The standard deviation of a fresh weight of this tensor (respawns and the noise the
    /// orthogonal draw starts from).
    pub fn fresh_scale(&self) -> f32 {
        match self.init {
            Init::Normal(s) => s,
            Init::Orthogonal { gain, block } => gain / (self.rows.max(block) as f32).sqrt(),
            Init::LecunNormal => 1.0 / (self.rows as f32).sqrt(),
            Init::Zero => 0.0,
        }
    }
}

/// The tensors of one brain in genome order; empty for brains without weights.
pub fn layout(brain: &Brain, obs_len: usize, terrain_len: usize, view_bots: usize) -> Vec<Tensor> {
    let mut b = Builder::default();
    match *brain {
        Brain::Linear => {
            b.dense("linear", obs_len, ACTION_LEN, Init::Normal(f32::NAN));
        }
        Brain::JaxLife { hidden, .. } => {
            let h = hidden as usize;
            let sqrt2 = std::f32::consts::SQRT_2;
            let ortho = |gain| Init::Orthogonal { gain, block: h };
            b.dense("agent_encoder", AGENT_VEC_LEN, h, ortho(sqrt2));
            if view_bots > 0 {
                b.dense("bot_encoder", BOT_VEC_LEN, h, ortho(sqrt2));
            }
            for attn in ["self_attention", "cross_attention"] {
                for proj in ["query", "key", "value", "out"] {
                    b.dense(&format!("{attn}.{proj}"), h, h, Init::LecunNormal);
                }
            }
            b.dense("terrain_encoder", terrain_len, h, ortho(sqrt2));
            b.dense("terrain_decoder", h, h, ortho(sqrt2));
            // Gates in the order i, f, g, o; flax's input kernels have no bias.
            b.matrix("lstm.input.kernel", 2 * h, 4 * h, Init::LecunNormal);
            b.dense("lstm.hidden", h, 4 * h, ortho(1.0));
            b.dense("action_process", h, h, ortho(sqrt2));
            b.dense("action_logits", h, ACTION_LEN, Init::LecunNormal);
        }
        Brain::Compact { hidden } => {
            let h = hidden as usize;
            let ortho = |gain| Init::Orthogonal { gain, block: h };
            b.dense(
                "input",
                compact_inputs(view_bots),
                h,
                ortho(std::f32::consts::SQRT_2),
            );
            // flax's GRUCell: gates r, z, n in blocks of h columns; the input side has a
            // bias, the hidden side only for n (the candidate).
            b.dense("gru.input", h, 3 * h, Init::LecunNormal);
            b.matrix("gru.hidden.kernel", h, 3 * h, ortho(1.0));
            b.matrix("gru.candidate.bias", 1, h, Init::Zero);
            b.dense("action_logits", h, ACTION_LEN, Init::LecunNormal);
        }
        Brain::Random | Brain::Zero => {}
    }
    b.tensors
}

/// The Compact brain's terrain summary: own cell, patch mean, and the patch means of each
/// feature times dx/r and times dy/r (7 features each).
pub const COMPACT_TERRAIN_INPUTS: usize = 4 * super::CELL_FEATURES;

/// Inputs of the Compact brain: the self vector, the neighbours' mean vector and the fraction
/// of neighbour slots filled, the same for bots (when bots can be seen), the terrain summary.
pub fn compact_inputs(view_bots: usize) -> usize {
    let bots = if view_bots > 0 { BOT_VEC_LEN + 1 } else { 0 };
    2 * AGENT_VEC_LEN + 1 + bots + COMPACT_TERRAIN_INPUTS
}

/// The layout of `cfg`'s brain, with the `Linear` brain's σ filled in.
pub fn layout_for(cfg: &Config) -> Vec<Tensor> {
    let d = super::Dims::new(cfg);
    let mut t = layout(&cfg.brain, d.obs_len, d.terrain_len(), d.view_bots);
    for tensor in &mut t {
        if let Init::Normal(_) = tensor.init {
            tensor.init = Init::Normal(cfg.mutation.init_sigma);
        }
    }
    t
}

/// Whether tensor `name` belongs to `layer`: the name itself or a dotted prefix of it
/// (`gru` holds `gru.input.kernel`; `input` does not).
pub fn in_layer(name: &str, layer: &str) -> bool {
    name == layer
        || name
            .strip_prefix(layer)
            .is_some_and(|rest| rest.starts_with('.'))
}

/// The per-weight standard deviation of a child's mutation noise: `mutation.sigma`, or the
/// `mutation.layer_sigma` of the longest layer name that holds the weight.
pub fn mutation_scales(tensors: &[Tensor], mutation: &crate::config::MutationConfig) -> Vec<f32> {
    let mut out = vec![mutation.sigma; genome_len(tensors)];
    for t in tensors {
        let own = mutation
            .layer_sigma
            .iter()
            .filter(|(layer, _)| in_layer(&t.name, layer))
            .max_by_key(|(layer, _)| layer.len());
        if let Some((_, &sigma)) = own {
            out[t.offset..t.offset + t.len()].fill(sigma);
        }
    }
    out
}

/// The weights of tensor `name` in one agent's genome.
pub fn tensor_in<'g>(genome: &'g [f32], tensors: &[Tensor], name: &str) -> &'g [f32] {
    let t = tensors
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("the brain's layout has no tensor {name}"));
    &genome[t.offset..t.offset + t.len()]
}

/// The half float a weight is stored as: the nearest (ties to even), its magnitude
/// clamped to the largest finite one (the shaders' `genome_store_pair` rounds alike).
pub fn half_weight(w: f32) -> half::f16 {
    half::f16::from_f32(w.clamp(-65504.0, 65504.0))
}

/// A weight as stored: itself, or with `f16` its `half_weight`.
pub fn round_weight(w: f32, f16: bool) -> f32 {
    if f16 {
        half_weight(w).to_f32()
    } else {
        w
    }
}

/// Floats per genome.
pub fn genome_len(tensors: &[Tensor]) -> usize {
    tensors.last().map_or(0, |t| t.offset + t.len())
}

#[derive(Default)]
struct Builder {
    tensors: Vec<Tensor>,
    next: usize,
}

impl Builder {
    fn matrix(&mut self, name: &str, rows: usize, cols: usize, init: Init) {
        self.tensors.push(Tensor {
            name: name.to_string(),
            offset: self.next,
            rows,
            cols,
            init,
        });
        self.next += (rows * cols).div_ceil(4) * 4;
    }

    fn dense(&mut self, name: &str, rows: usize, cols: usize, init: Init) {
        self.matrix(&format!("{name}.kernel"), rows, cols, init);
        self.matrix(&format!("{name}.bias"), 1, cols, Init::Zero);
    }
}

/// The per-weight standard deviation of a fresh genome; the GPU's respawns draw
/// `scale[w] * N(0, 1)` from it.
pub fn fresh_scales(tensors: &[Tensor]) -> Vec<f32> {
    let mut out = vec![0.0; genome_len(tensors)];
    for t in tensors {
        out[t.offset..t.offset + t.len()].fill(t.fresh_scale());
    }
    out
}

/// An initial genome: the fresh noise of `noise`, with orthogonal tensors orthogonalised.
/// `noise` holds one N(0, 1) draw per weight.
pub fn initial_genome(tensors: &[Tensor], noise: &[f32], genome: &mut [f32]) {
    for t in tensors {
        let out = &mut genome[t.offset..t.offset + t.len()];
        let z = &noise[t.offset..t.offset + t.len()];
        match t.init {
            Init::Orthogonal { gain, block } => orthogonal(z, t.rows, t.cols, block, gain, out),
            _ => {
                let s = t.fresh_scale();
                for (o, n) in out.iter_mut().zip(z) {
                    *o = s * n;
                }
            }
        }
    }
}

/// `jax.nn.initializers.orthogonal` on each `block`-column slice of a rows x cols matrix
/// (row-major), from the Gaussian draws `z`.
fn orthogonal(z: &[f32], rows: usize, cols: usize, block: usize, gain: f32, out: &mut [f32]) {
    for c0 in (0..cols).step_by(block) {
        let n = block.min(cols - c0);
        let (tall, short) = (rows.max(n), rows.min(n));
        let a = nalgebra::DMatrix::<f64>::from_fn(tall, short, |r, c| {
            // The block's own draws, read in its row-major order.
            let (i, j) = if rows >= n { (r, c) } else { (c, r) };
            z[i * cols + c0 + j] as f64
        });
        let qr = a.qr();
        let (q, r) = (qr.q(), qr.r());
        for i in 0..rows {
            for j in 0..n {
                let (qi, qj) = if rows >= n { (i, j) } else { (j, i) };
                let sign = if r[(qj, qj)] < 0.0 { -1.0 } else { 1.0 };
                out[i * cols + c0 + j] = (gain as f64 * q[(qi, qj)] * sign) as f32;
            }
        }
    }
}

/// One N(0, 1) draw per weight for `slot` at `tick`, in the order the GPU draws them.
pub fn genome_noise(rng: &Rng, tick: u32, slot: u32, len: usize) -> Vec<f32> {
    super::genesis::genome_noise(rng, tick, slot, len)
}

/// Per weight, the scale of a respawned agent's weight and the σ of a child's mutation
/// (the GPU's `genome_scale` buffer; the CPU keeps the two as separate vectors).
pub fn genome_scales(cfg: &Config) -> Vec<[f32; 2]> {
    let tensors = layout_for(cfg);
    fresh_scales(&tensors)
        .into_iter()
        .zip(mutation_scales(&tensors, &cfg.mutation))
        .map(|(fresh, mutation)| [fresh, mutation])
        .collect()
}

/// (hidden width, attention heads) of the brain: the JaxLife brain's, (hidden, 1) for the
/// Compact brain, and the smallest valid sizes, (4, 1), for brains without them (whose
/// pipelines still compile the shaders that declare these sizes).
pub fn attention_sizes(cfg: &Config) -> (usize, usize) {
    (
        cfg.brain.hidden().unwrap_or(4) as usize,
        cfg.brain.attention().map_or(1, |(_, heads)| heads as usize),
    )
}

/// Weights `first..first + out.len()` of a child's genome (`first` even): each parent
/// weight plus σ times its normal draw, the draw zeroed where `rate` < 1 and the weight's
/// mask draw is at or above it, rounded to half floats under `f16`. The CPU's births pass
/// and the checkpoints' genome references both call it, so they agree bit for bit with
/// each other and with shaders/births.wgsl.
#[allow(clippy::too_many_arguments)]
pub fn mutate_into(
    rate: f32,
    f16: bool,
    noise_key: u32,
    mask_key: u32,
    sigma: &[f32],
    parent: &[f32],
    first: usize,
    out: &mut [f32],
) {
    use crate::rng::NORMAL_BLOCK;
    let mut normals = [0.0f32; 2 * NORMAL_BLOCK];
    for (b, block) in out.chunks_mut(2 * NORMAL_BLOCK).enumerate() {
        let w0 = first + 2 * NORMAL_BLOCK * b;
        let n = &mut normals[..block.len()];
        crate::rng::normals_keyed(noise_key, w0, n);
        if rate < 1.0 {
            // Each weight is touched or copied by its own draw.
            for (e, n) in n.iter_mut().enumerate() {
                if crate::rng::uniform_keyed(mask_key, (w0 + e) as u32) >= rate {
                    *n = 0.0;
                }
            }
        }
        let len = block.len();
        for (((dst, p), s), n) in block
            .iter_mut()
            .zip(&parent[w0..w0 + len])
            .zip(&sigma[w0..w0 + len])
            .zip(n.iter())
        {
            *dst = round_weight(p + s * n, f16);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `mutate_into` as the shader reads: one Box-Muller pair after another.
    #[allow(clippy::too_many_arguments)]
    fn mutate_into_reference(
        rate: f32,
        f16: bool,
        noise_key: u32,
        mask_key: u32,
        sigma: &[f32],
        parent: &[f32],
        first: usize,
        out: &mut [f32],
    ) {
        for (m, pair) in out.chunks_mut(2).enumerate() {
            let normals = crate::rng::normal_pair_keyed(noise_key, (first / 2 + m) as u32);
            for (e, (dst, mut n)) in pair.iter_mut().zip(normals).enumerate() {
                let w = first + 2 * m + e;
                if rate < 1.0 && crate::rng::uniform_keyed(mask_key, w as u32) >= rate {
                    n = 0.0;
                }
                *dst = round_weight(parent[w] + sigma[w] * n, f16);
            }
        }
    }

    /// The blocked mutation gives the pair-by-pair reference's bits: whole and partial
    /// blocks, an odd tail, an offset start, a mask, half floats, and keys that reach the
    /// hash's high bits.
    #[test]
    fn blocked_mutation_is_the_reference_bit_for_bit() {
        let len = 70_001;
        let parent: Vec<f32> = (0..len).map(|w| (w as f32 * 0.37).sin()).collect();
        let sigma: Vec<f32> = (0..len).map(|w| 0.01 + (w % 7) as f32 * 0.003).collect();
        for (rate, f16, key, first) in [
            (1.0, false, 0x1234_5678, 0),
            (0.3, false, 0xdead_beef, 0),
            (1.0, true, 0x8000_0001, 128),
            (0.7, true, 0xffff_fffe, 4_096),
            (1.0, false, 7, 69_872),
        ] {
            let n = len - first;
            let (mut fast, mut reference) = (vec![0.0f32; n], vec![0.0f32; n]);
            mutate_into(rate, f16, key, !key, &sigma, &parent, first, &mut fast);
            mutate_into_reference(rate, f16, key, !key, &sigma, &parent, first, &mut reference);
            let bits = |v: &[f32]| v.iter().map(|f| f.to_bits()).collect::<Vec<u32>>();
            assert!(
                bits(&fast) == bits(&reference),
                "rate {rate}, f16 {f16}, key {key:#x}, first {first}"
            );
        }
    }
}
