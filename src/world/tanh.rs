//! `safe_tanh` over a slice, in vector lanes, bit for bit what the C library's `tanhf` gives.
//!
//! The CPU engine's worlds are pinned to glibc's `tanhf`, which is not correctly rounded
//! (it is a unit away for some inputs), so no more precise tanh can stand in for it. Its
//! algorithm is the fdlibm one: tanh from `expm1f` of ±2|x|, and `expm1f` by a reduction to
//! r = x - k·ln 2, a rational approximation in r, and a rescaling by 2^k. Each step there
//! is a float operation whose IEEE result does not depend on how it is scheduled, so the same
//! steps in branch-free lanes give the same bits. The test
//! `safe_tanh_all_is_the_c_librarys_for_every_float` holds every float in [0, 15] (and
//! their negatives by sample) against the linked library.

/// tanh with its input clamped first: some GPU drivers compute tanh through exp and return
/// NaN for large inputs. tanh(15) is 1.0 in f32, so the clamp changes no finite result.
pub fn safe_tanh(x: f32) -> f32 {
    x.clamp(-15.0, 15.0).tanh()
}

const LN2_HI: f32 = f32::from_bits(0x3f31_7180);
const LN2_LO: f32 = f32::from_bits(0x3717_f7d1);
const INV_LN2: f32 = f32::from_bits(0x3fb8_aa3b);
const Q: [f32; 5] = [
    f32::from_bits(0xbd08_8889),
    f32::from_bits(0x3ad0_0d01),
    f32::from_bits(0xb8a6_70cd),
    f32::from_bits(0x3686_7e54),
    f32::from_bits(0xb457_edbb),
];

/// 2^k for an integral float k in [-126, 127]: the integer is read from the float's low
/// bits after adding 1.5·2^23, which vectorises where a float-to-integer cast does not.
#[inline(always)]
fn pow2(k: f32) -> f32 {
    let j = (k + 12_582_912.0).to_bits() as i32 - 0x4b40_0000;
    f32::from_bits(((j + 127) << 23) as u32)
}

/// The C library's `expm1f(x)` for x in [-30, 30], every branch computed and the one the
/// library takes selected.
#[inline(always)]
fn expm1_lane(x: f32) -> f32 {
    let hx = x.to_bits() & 0x7fff_ffff;
    let negative = x.is_sign_negative();
    // |x| > ln2/2 is reduced by k·ln2, with k = ±1 up to 1.5·ln2 and rounded beyond.
    let k = if hx < 0x3f85_1592 {
        if negative {
            -1.0
        } else {
            1.0
        }
    } else {
        (INV_LN2 * x + if negative { -0.5 } else { 0.5 }).trunc()
    };
    let hi = x - k * LN2_HI;
    let lo = k * LN2_LO;
    let reduced = hi - lo;
    let (r, c, k) = if hx > 0x3eb1_7218 {
        (reduced, (hi - reduced) - lo, k)
    } else {
        (x, 0.0, 0.0)
    };
    let hfx = 0.5 * r;
    let hxs = r * hfx;
    let r1 = 1.0 + hxs * (Q[0] + hxs * (Q[1] + hxs * (Q[2] + hxs * (Q[3] + hxs * Q[4]))));
    let t = 3.0 - r1 * hfx;
    let e = hxs * ((r1 - t) / (6.0 - r * t));
    let unreduced = r - (r * e - hxs);
    let e = (r * (e - c) - c) - hxs;
    let k_minus_one = 0.5 * (r - e) - 0.5;
    let k_one = if r < -0.25 {
        -2.0 * (e - (r + 0.5))
    } else {
        1.0 + 2.0 * (r - e)
    };
    // Adding k to the exponent is multiplying by 2^k: y is near 1, so it stays normal.
    let scale = pow2(k);
    let far = (1.0 - (e - r)) * scale - 1.0;
    let mid = ((1.0 - pow2(-k)) - (e - r)) * scale;
    let high = ((r - (e + pow2(-k))) + 1.0) * scale;
    let reduced_result = if k == 0.0 {
        unreduced
    } else if k == -1.0 {
        k_minus_one
    } else if k == 1.0 {
        k_one
    } else if k <= -2.0 || k > 56.0 {
        far
    } else if k < 23.0 {
        mid
    } else {
        high
    };
    // Below 2^-25 the library returns x itself.
    if hx < 0x3300_0000 {
        x
    } else {
        reduced_result
    }
}

/// `safe_tanh(x)` for a finite x.
#[inline(always)]
fn safe_tanh_lane(x: f32) -> f32 {
    let x = x.clamp(-15.0, 15.0);
    let ax = x.abs();
    let big = ax >= 1.0;
    let t = expm1_lane(if big { 2.0 * ax } else { -2.0 * ax });
    // The library's two quotients, 2/(t+2) and -t/(t+2), by one division.
    let q = if big { 2.0 } else { -t } / (t + 2.0);
    let z = if big { 1.0 - q } else { q };
    // Below 2^-55 (and at ±0) the library returns x itself.
    if ax.to_bits() < 0x2400_0000 {
        x
    } else if x.is_sign_negative() {
        -z
    } else {
        z
    }
}

/// `safe_tanh` of every element, in place, by vector lanes; a slice holding a non-finite
/// input takes the scalar call throughout, so that a NaN keeps the library's bits.
#[multiversion::multiversion(targets("x86_64+avx2"))]
pub fn safe_tanh_all(xs: &mut [f32]) {
    // A fold, not `all`: a loop with no early exit vectorises.
    if xs.iter().fold(true, |finite, x| finite & x.is_finite()) {
        for x in xs.iter_mut() {
            *x = safe_tanh_lane(*x);
        }
    } else {
        xs.iter_mut().for_each(|x| *x = safe_tanh(*x));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rayon::prelude::*;

    #[test]
    fn safe_tanh_all_is_the_c_librarys_for_every_float() {
        // Every non-negative float up to 15 (and one past), by lanes as the engine runs them.
        let last = 15.0f32.to_bits() + 1;
        let block = 1u32 << 20;
        let mismatches: Vec<(f32, f32, f32)> = (0..last.div_ceil(block))
            .into_par_iter()
            .flat_map_iter(|b| {
                let bits = b * block..((b + 1) * block).min(last);
                let mut xs: Vec<f32> = bits.map(f32::from_bits).collect();
                let inputs = xs.clone();
                safe_tanh_all(&mut xs);
                inputs
                    .into_iter()
                    .zip(xs)
                    .filter(|&(x, got)| got.to_bits() != safe_tanh(x).to_bits())
                    .map(|(x, got)| (x, got, safe_tanh(x)))
                    .take(5)
                    .collect::<Vec<_>>()
            })
            .collect();
        assert!(
            mismatches.is_empty(),
            "{} blocks hold inputs whose tanh differs from the C library's, e.g. (x, lanes, library): {:?}",
            mismatches.len(),
            &mismatches[..mismatches.len().min(10)]
        );
    }

    #[test]
    fn safe_tanh_all_keeps_signs_nans_and_the_remainder() {
        let mut state = 0x9e37_79b9u32;
        let mut xs: Vec<f32> = (0..100_003)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                // Any bit pattern at all: negatives, huge values, NaNs and infinities too.
                f32::from_bits(state)
            })
            .collect();
        xs.extend([
            -0.0,
            0.0,
            f32::NAN,
            -f32::INFINITY,
            f32::INFINITY,
            -1.0,
            -15.5,
        ]);
        let want: Vec<u32> = xs.iter().map(|&x| safe_tanh(x).to_bits()).collect();
        safe_tanh_all(&mut xs);
        let got: Vec<u32> = xs.iter().map(|x| x.to_bits()).collect();
        let differ = got.iter().zip(&want).filter(|(g, w)| g != w).count();
        assert_eq!(
            differ,
            0,
            "{differ} of {} lanes differ from safe_tanh",
            want.len()
        );
    }
}
