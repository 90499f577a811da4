//! Box-Muller's logarithm, cosine and sine for a block of pairs, bit for bit what the C
//! library's `logf`, `cosf` and `sinf` give, without calling them for most pairs.
//!
//! Each draw takes one of 2^24 values, so each of the three functions sees one of 2^24
//! inputs. Each is computed here in f64, nearer the true value than 10^-12 relative, and
//! rounded to f32. The library computes in its own way and is not always correctly
//! rounded, but where it is not, the true value lies within a small distance of the midpoint
//! between two floats. So a value whose f64 lies farther than that from every midpoint
//! rounds to the library's float, and the rest (6–8% of each function's inputs) are
//! handed to the library. The distances (`LN_MARGIN`, `sin_cos_margin`, relative to the
//! value) are those measured against the C library over all 2^24 inputs, with a quarter
//! added; the test `box_muller_terms_are_the_c_librarys_for_every_draw` checks every input
//! against the linked library and, where it fails, prints the distances it needs.

use std::f64::consts::{FRAC_2_PI, LN_2, SQRT_2};

/// Relative margin for `ln`, by sixteenths of u1's range (the draw's top 4 of 24 bits):
/// the library's logarithm strays further as its result nears zero.
pub const LN_MARGIN: [f64; 16] = [
    5.1e-10, 9.9e-10, 1.5e-9, 3.1e-10, 2.1e-9, 4.7e-10, 5.0e-10, 6.4e-10, 4.6e-9, 2.0e-9, 1.2e-9,
    1.5e-9, 2.0e-9, 2.8e-9, 4.8e-9, 2.5e-8,
];

/// Relative margins for sin and cos by eighths of the circle: in octants 0, 3, 4 and 7 the
/// library's sine strays further from correct rounding than its cosine, in the others its
/// cosine does.
const WIDE: f64 = 5.0e-9;
const NARROW: f64 = 1.0e-10;

/// (sin, cos) margins of an octant, by arithmetic, which vectorises where a table does not.
#[inline(always)]
fn sin_cos_margin(octant: u32) -> (f64, f64) {
    if (octant + 1) & 2 == 0 {
        (WIDE, NARROW)
    } else {
        (NARROW, WIDE)
    }
}

/// u1 of a pair from its 24-bit draw: in (0, 1].
#[inline(always)]
pub fn u1_of(bits24: u32) -> f32 {
    (bits24 as f32 + 1.0) * (1.0 / 16777216.0)
}

/// Box-Muller's angle from u2's 24-bit draw (u2 in [0, 1)), rounded to f32 as the
/// reference rounds it.
#[inline(always)]
pub fn angle_of(bits24: u32) -> f32 {
    std::f32::consts::TAU * (bits24 as f32 * (1.0 / 16777216.0))
}

/// ln x for a float x in (0, 1]: x = m·2^e with m in (√2/2, √2], ln m = 2·atanh((m-1)/(m+1))
/// by its series. The exponent is taken from the f32's bits: vectors of f64 have no
/// conversion from 64-bit integers before AVX-512.
#[inline(always)]
pub fn ln_f64(x: f32) -> f64 {
    let bits = x.to_bits();
    let e = (bits >> 23) as i32 - 127;
    let m = f32::from_bits((bits & 0x007f_ffff) | 0x3f80_0000) as f64;
    let big = m > SQRT_2;
    let m = if big { m * 0.5 } else { m };
    let e = (if big { e + 1 } else { e }) as f64;
    let s = (m - 1.0) / (m + 1.0);
    let z = s * s;
    // |s| <= 0.172: the terms after z^7/15 are below 10^-13 of the sum.
    let p = horner(
        z,
        &[
            1.0 / 15.0,
            1.0 / 13.0,
            1.0 / 11.0,
            1.0 / 9.0,
            1.0 / 7.0,
            1.0 / 5.0,
            1.0 / 3.0,
            1.0,
        ],
    );
    e * LN_2 + 2.0 * s * p
}

/// The polynomial with `coefficients` (highest power first) at z, by Horner's rule.
#[inline(always)]
fn horner(z: f64, coefficients: &[f64]) -> f64 {
    coefficients[1..]
        .iter()
        .fold(coefficients[0], |sum, &c| sum * z + c)
}

/// π/2 in two parts, the first with its low 20 bits zero, so that q·PIO2_HI is exact for
/// the quadrants q <= 4 of an angle in [0, 2π).
const PIO2_HI: f64 = 1.570_796_326_734_125_6;
const PIO2_LO: f64 = 6.077_100_506_506_192e-11;

/// (sin a, cos a) for a in [0, 2π]: reduced by quadrant to [-π/4, π/4], then Taylor series.
#[inline(always)]
pub fn sin_cos_f64(a: f64) -> (f64, f64) {
    let q = (a * FRAC_2_PI).round_ties_even();
    let y = (a - q * PIO2_HI) - q * PIO2_LO;
    let z = y * y;
    // |y| <= 0.786: the first terms left out (y^15/15!, y^14/14!) are below 10^-12 of
    // the value.
    let s = horner(
        z,
        &[
            1.0 / 6_227_020_800.0,
            -1.0 / 39_916_800.0,
            1.0 / 362_880.0,
            -1.0 / 5_040.0,
            1.0 / 120.0,
            -1.0 / 6.0,
        ],
    );
    let sin_y = y + y * z * s;
    let c = horner(
        z,
        &[
            1.0 / 479_001_600.0,
            -1.0 / 3_628_800.0,
            1.0 / 40_320.0,
            -1.0 / 720.0,
            1.0 / 24.0,
            -0.5,
        ],
    );
    let cos_y = 1.0 + z * c;
    // The quadrant q mod 4 kept as a float: Rust's saturating float-to-integer casts do
    // not vectorise.
    let quadrant = q - 4.0 * (q * 0.25).floor();
    let swap = quadrant == 1.0 || quadrant == 3.0;
    let (sin_a, cos_a) = if swap { (cos_y, sin_y) } else { (sin_y, cos_y) };
    let sin_sign = if quadrant >= 2.0 { -1.0 } else { 1.0 };
    let cos_sign = if quadrant == 1.0 || quadrant == 2.0 {
        -1.0
    } else {
        1.0
    };
    (sin_sign * sin_a, cos_sign * cos_a)
}

/// `t` rounded to f32 if every value within `margin` (relative) of it rounds alike, else
/// NaN (the caller asks the library).
#[inline(always)]
pub fn sure_f32(t: f64, margin: f64) -> f32 {
    let d = t.abs() * margin;
    let (lo, hi) = ((t - d) as f32, (t + d) as f32);
    if lo == hi {
        lo
    } else {
        f32::NAN
    }
}

/// The positions of a mask's set bits, lowest first.
fn set_bits(mut mask: u64) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (mask != 0).then(|| {
            let m = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            m
        })
    })
}

/// Pairs a block holds at most.
pub const BLOCK: usize = 64;

/// Each pair's (r·cos a, r·sin a), r = sqrt(-2 ln u1), a = 2π·u2, into `out` (pair-major)
/// from the pairs' 24-bit draws: what the reference's f32 operations and the C library give.
#[multiversion::multiversion(targets("x86_64+avx2"))]
pub fn pairs(bits1: &[u32], bits2: &[u32], out: &mut [f32]) {
    let n = bits1.len().min(bits2.len()).min(BLOCK);
    let (mut ln, mut sin, mut cos) = ([0.0f32; BLOCK], [0.0f32; BLOCK], [0.0f32; BLOCK]);
    // Two loops, not one: each vectorises with fewer registers live.
    for m in 0..n {
        let b1 = bits1[m] & 0xff_ffff;
        ln[m] = sure_f32(ln_f64(u1_of(b1)), LN_MARGIN[(b1 >> 20) as usize]);
    }
    for m in 0..n {
        let b2 = bits2[m] & 0xff_ffff;
        let (s, c) = sin_cos_f64(angle_of(b2) as f64);
        let (ms, mc) = sin_cos_margin(b2 >> 21);
        sin[m] = sure_f32(s, ms);
        cos[m] = sure_f32(c, mc);
    }
    // The lanes left to the library, as bit masks: a loop over the few set bits, where
    // one over all lanes tests and branches on each.
    let (mut ln_left, mut sin_cos_left) = (0u64, 0u64);
    for m in 0..n {
        ln_left |= (ln[m].is_nan() as u64) << m;
        sin_cos_left |= ((sin[m].is_nan() | cos[m].is_nan()) as u64) << m;
    }
    for m in set_bits(ln_left) {
        ln[m] = u1_of(bits1[m] & 0xff_ffff).ln();
    }
    for m in set_bits(sin_cos_left) {
        let a = angle_of(bits2[m] & 0xff_ffff);
        (sin[m], cos[m]) = (a.sin(), a.cos());
    }
    for (m, pair) in out.chunks_exact_mut(2).take(n).enumerate() {
        let r = (-2.0 * ln[m]).sqrt();
        pair[0] = r * cos[m];
        pair[1] = r * sin[m];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The largest distance from the f64 value to the midpoint its rounding and the
    /// library's result straddle, relative to the value, over inputs where they differ; by
    /// each margin's bucket.
    fn needed(buckets: usize, inputs: impl Iterator<Item = (usize, f64, f32)>) -> Vec<f64> {
        let mut need = vec![0.0f64; buckets];
        for (b, t, library) in inputs {
            let mine = t as f32;
            if mine.to_bits() != library.to_bits() {
                let mid = (mine as f64 + library as f64) / 2.0;
                need[b] = need[b].max(((t - mid) / t).abs());
            }
        }
        need
    }

    /// Every one of the 2^24 inputs of each function, against the linked C library.
    #[test]
    fn box_muller_terms_are_the_c_librarys_for_every_draw() {
        let all = || 0u32..1 << 24;
        let mut wrong = 0u64;
        let ln_need = needed(
            16,
            all().map(|b| {
                let u1 = u1_of(b);
                ((b >> 20) as usize, ln_f64(u1), u1.ln())
            }),
        );
        let (mut sin_need, mut cos_need) = (vec![0.0; 8], vec![0.0; 8]);
        for (need, pick) in [(&mut sin_need, 0), (&mut cos_need, 1)] {
            *need = needed(
                8,
                all().map(|b| {
                    let a = angle_of(b);
                    let (s, c) = sin_cos_f64(a as f64);
                    let (t, library) = if pick == 0 {
                        (s, a.sin())
                    } else {
                        (c, a.cos())
                    };
                    ((b >> 21) as usize, t, library)
                }),
            );
        }
        // The whole path, as `pairs` runs it, block by block.
        let (mut out, mut reference) = ([0.0f32; 2 * BLOCK], [0.0f32; 2 * BLOCK]);
        let mut bits2: Vec<u32> = all().collect();
        bits2.reverse();
        let bits1: Vec<u32> = all().collect();
        for (b1, b2) in bits1.chunks(BLOCK).zip(bits2.chunks(BLOCK)) {
            pairs(b1, b2, &mut out);
            for (m, pair) in reference.chunks_exact_mut(2).enumerate() {
                let r = (-2.0 * u1_of(b1[m]).ln()).sqrt();
                let a = angle_of(b2[m]);
                pair[0] = r * a.cos();
                pair[1] = r * a.sin();
            }
            wrong += out
                .iter()
                .zip(&reference)
                .filter(|(x, y)| x.to_bits() != y.to_bits())
                .count() as u64;
        }
        let fits = |need: &[f64], margin: &[f64]| need.iter().zip(margin).all(|(n, m)| n < m);
        let sin_margin: Vec<f64> = (0..8).map(|o| sin_cos_margin(o).0).collect();
        let cos_margin: Vec<f64> = (0..8).map(|o| sin_cos_margin(o).1).collect();
        let fit = fits(&ln_need, &LN_MARGIN)
            && fits(&sin_need, &sin_margin)
            && fits(&cos_need, &cos_margin);
        let show = |v: &[f64]| v.iter().map(|x| format!("{x:.2e}")).collect::<Vec<_>>();
        let (ln_need, sin_need, cos_need) = (show(&ln_need), show(&sin_need), show(&cos_need));
        assert!(
            wrong == 0 && fit,
            "{wrong} normals differ from the reference; margins needed by this C library: \
             ln {ln_need:?}, sin {sin_need:?}, cos {cos_need:?}"
        );
    }
}
