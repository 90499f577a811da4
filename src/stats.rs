//! Statistics across seeds: a world against its control, one value per seed each.
//!
//! - The difference is world mean − control mean (with seeds paired, the mean of the
//!   per-seed differences).
//! - Its 95% confidence interval is a percentile bootstrap over seeds: seeds (pairs, when
//!   paired) are resampled with replacement `BOOTSTRAP_RESAMPLES` times.
//! - The p-value is a one-sided exact permutation test of "the world is above its
//!   control": with paired seeds, every sign flip of the per-seed differences; otherwise
//!   every split of the pooled values into the two groups. Where there are more than
//!   `EXACT_LIMIT` arrangements, that many are drawn at random instead.
//! - Every random draw comes from a counter-based generator keyed by a hash of the
//!   comparison's name, so a report is reproducible to the last digit.
//!
//! Means and percentiles come from `statrs`; the resampling and the permutations are
//! written out here, as the issue of record asks, so that they are seeded and plain.

use statrs::statistics::{Data, OrderStatistics, Statistics};

use crate::rng::Rng;

pub const BOOTSTRAP_RESAMPLES: usize = 10_000;
/// The most arrangements a permutation test enumerates; beyond it, that many are drawn.
pub const EXACT_LIMIT: u64 = 1 << 17;

/// One comparison of a world against its control over seeds.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    pub world_mean: f64,
    pub control_mean: f64,
    pub difference: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// One-sided: the chance of a difference at least this large if world and control
    /// were exchangeable.
    pub p_value: f64,
    /// Seeds (present in both) in which the world exceeds its control.
    pub seeds_above: usize,
    /// Seeds in the comparison: pairs when paired, else world seeds.
    pub seeds: usize,
    pub paired: bool,
}

/// A generator keyed by a name, so each comparison draws its own reproducible stream.
fn rng_for(key: &str) -> Rng {
    let h = blake3::hash(key.as_bytes());
    let b = h.as_bytes();
    Rng::new(u64::from_le_bytes([
        b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
    ]))
}

/// Draw k of a counter-based stream: uniform in [0, n).
fn draw(rng: &Rng, k: usize, n: usize) -> usize {
    let u = rng.uniform((k >> 32) as u32, k as u32, 0, 0) as f64;
    ((u * n as f64) as usize).min(n - 1)
}

fn mean(xs: &[f64]) -> f64 {
    if xs.is_empty() {
        f64::NAN
    } else {
        xs.iter().mean()
    }
}

/// The 2.5th and 97.5th percentiles of the bootstrap means of `xs` (or of the paired
/// differences), resampled `BOOTSTRAP_RESAMPLES` times.
fn bootstrap_ci(rng: &Rng, stat: impl Fn(&mut dyn FnMut(usize) -> usize) -> f64) -> (f64, f64) {
    let mut means = Vec::with_capacity(BOOTSTRAP_RESAMPLES);
    let mut k = 0usize;
    for _ in 0..BOOTSTRAP_RESAMPLES {
        let mut pick = |n: usize| {
            k += 1;
            draw(rng, k, n)
        };
        means.push(stat(&mut pick));
    }
    let mut data = Data::new(means);
    (data.quantile(0.025), data.quantile(0.975))
}

/// Compare `world` with `control`, each `(seed, value)`; non-finite values are left out.
/// Seeds present in both make the comparison paired (when every seed of each is in the
/// other); otherwise it is a comparison of two groups. `key` names the comparison (its
/// random stream).
pub fn compare(key: &str, world: &[(u64, f64)], control: &[(u64, f64)]) -> Comparison {
    let world: Vec<(u64, f64)> = world.iter().copied().filter(|v| v.1.is_finite()).collect();
    let control: Vec<(u64, f64)> = control
        .iter()
        .copied()
        .filter(|v| v.1.is_finite())
        .collect();
    let rng = rng_for(key);
    let pairs: Vec<(f64, f64)> = world
        .iter()
        .filter_map(|(s, w)| control.iter().find(|(c, _)| c == s).map(|(_, c)| (*w, *c)))
        .collect();
    let paired = !pairs.is_empty() && pairs.len() == world.len() && pairs.len() == control.len();
    let seeds_above = pairs.iter().filter(|(w, c)| w > c).count();
    let wv: Vec<f64> = world.iter().map(|v| v.1).collect();
    let cv: Vec<f64> = control.iter().map(|v| v.1).collect();
    let (world_mean, control_mean) = (mean(&wv), mean(&cv));
    let nan = Comparison {
        world_mean,
        control_mean,
        difference: world_mean - control_mean,
        ci_low: f64::NAN,
        ci_high: f64::NAN,
        p_value: f64::NAN,
        seeds_above,
        seeds: if paired { pairs.len() } else { wv.len() },
        paired,
    };
    if wv.is_empty() || cv.is_empty() {
        return nan;
    }
    if paired {
        let d: Vec<f64> = pairs.iter().map(|(w, c)| w - c).collect();
        let difference = mean(&d);
        let (ci_low, ci_high) = bootstrap_ci(&rng, |pick| {
            (0..d.len()).map(|_| d[pick(d.len())]).sum::<f64>() / d.len() as f64
        });
        Comparison {
            difference,
            ci_low,
            ci_high,
            p_value: sign_flip_p(&rng, &d),
            ..nan
        }
    } else {
        let difference = world_mean - control_mean;
        let (ci_low, ci_high) = bootstrap_ci(&rng, |pick| {
            let w = (0..wv.len()).map(|_| wv[pick(wv.len())]).sum::<f64>() / wv.len() as f64;
            let c = (0..cv.len()).map(|_| cv[pick(cv.len())]).sum::<f64>() / cv.len() as f64;
            w - c
        });
        Comparison {
            difference,
            ci_low,
            ci_high,
            p_value: label_permutation_p(&rng, &wv, &cv),
            ..nan
        }
    }
}

/// Ties count as at least as large: a one-sided test never rejects on rounding.
const TIE: f64 = 1e-12;

/// One-sided sign-flip test of mean(d) > 0: the share of the 2^n sign assignments whose
/// mean is at least the observed one (drawn when 2^n exceeds `EXACT_LIMIT`).
pub fn sign_flip_p(rng: &Rng, d: &[f64]) -> f64 {
    let n = d.len();
    let observed: f64 = d.iter().sum();
    let tol = TIE * d.iter().map(|x| x.abs()).sum::<f64>().max(1.0);
    let sum_with = |signs: u64| -> f64 {
        d.iter()
            .enumerate()
            .map(|(k, x)| if signs >> k & 1 == 1 { -x } else { *x })
            .sum()
    };
    if n < 64 && (1u64 << n) <= EXACT_LIMIT {
        let total = 1u64 << n;
        let hits = (0..total)
            .filter(|&s| sum_with(s) >= observed - tol)
            .count();
        return hits as f64 / total as f64;
    }
    // Drawn: the observed arrangement counts once among the draws.
    let draws = EXACT_LIMIT;
    let mut hits = 1u64;
    for k in 0..draws - 1 {
        let s: f64 = d
            .iter()
            .enumerate()
            .map(|(j, x)| {
                if rng.uniform(1, k as u32, 1, j as u32) < 0.5 {
                    -x
                } else {
                    *x
                }
            })
            .sum();
        if s >= observed - tol {
            hits += 1;
        }
    }
    hits as f64 / draws as f64
}

/// n choose k, saturating.
fn choose(n: u64, k: u64) -> u64 {
    let k = k.min(n - k);
    let mut c: u64 = 1;
    for i in 0..k {
        c = c.saturating_mul(n - i) / (i + 1);
    }
    c
}

/// One-sided two-group permutation test of mean(w) − mean(c) > 0: the share of the splits
/// of the pooled values (|w| to the world) whose difference is at least the observed one.
pub fn label_permutation_p(rng: &Rng, w: &[f64], c: &[f64]) -> f64 {
    let pooled: Vec<f64> = w.iter().chain(c).copied().collect();
    let (n, k) = (pooled.len(), w.len());
    let total: f64 = pooled.iter().sum();
    let diff = |world_sum: f64| world_sum / k as f64 - (total - world_sum) / (n - k) as f64;
    let observed = diff(w.iter().sum());
    let tol = TIE * pooled.iter().map(|x| x.abs()).sum::<f64>().max(1.0);
    if choose(n as u64, k as u64) <= EXACT_LIMIT {
        // Every k-subset, by recursion over the pooled values.
        fn walk(xs: &[f64], k: usize, sum: f64, out: &mut Vec<f64>) {
            if k == 0 {
                out.push(sum);
                return;
            }
            if xs.len() < k {
                return;
            }
            walk(&xs[1..], k - 1, sum + xs[0], out);
            walk(&xs[1..], k, sum, out);
        }
        let mut sums = Vec::new();
        walk(&pooled, k, 0.0, &mut sums);
        let hits = sums.iter().filter(|s| diff(**s) >= observed - tol).count();
        return hits as f64 / sums.len() as f64;
    }
    let draws = EXACT_LIMIT;
    let mut hits = 1u64;
    let mut idx: Vec<usize> = (0..n).collect();
    for t in 0..draws - 1 {
        // A partial Fisher–Yates shuffle picks the world's k.
        for j in 0..k {
            let r = j + draw(rng, (t as usize) * n + j + 1, n - j);
            idx.swap(j, r);
        }
        let s: f64 = idx[..k].iter().map(|&j| pooled[j]).sum();
        if diff(s) >= observed - tol {
            hits += 1;
        }
    }
    hits as f64 / draws as f64
}

/// Mean and sample standard deviation (NaN when empty; 0 spread for one value).
pub fn mean_sd(xs: &[f64]) -> (f64, f64) {
    if xs.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let sd = if xs.len() > 1 {
        xs.iter().std_dev()
    } else {
        0.0
    };
    (xs.iter().mean(), sd)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_flips_of_five_seeds_bottom_out_at_one_in_thirty_two() {
        let rng = rng_for("t");
        assert_eq!(sign_flip_p(&rng, &[1.0, 2.0, 3.0, 4.0, 5.0]), 1.0 / 32.0);
        assert_eq!(sign_flip_p(&rng, &[-1.0, -2.0, -3.0, -4.0, -5.0]), 1.0);
        // A zero difference in every seed: every flip ties.
        assert_eq!(sign_flip_p(&rng, &[0.0; 5]), 1.0);
    }

    #[test]
    fn two_groups_wholly_apart_give_the_smallest_p() {
        let rng = rng_for("t");
        // C(10, 5) = 252 splits; only the observed one puts all the large values first.
        let p = label_permutation_p(
            &rng,
            &[10.0, 11.0, 12.0, 13.0, 14.0],
            &[1.0, 2.0, 3.0, 4.0, 5.0],
        );
        assert!((p - 1.0 / 252.0).abs() < 1e-12, "{p}");
    }

    /// Normal draws from the project's generator (Box–Muller inside `normal_pair`).
    fn normals(seed: u64, n: usize, mean: f64, sd: f64) -> Vec<(u64, f64)> {
        let rng = Rng::new(seed);
        (0..n)
            .map(|k| {
                (
                    k as u64,
                    mean + sd * rng.normal_pair(0, k as u32, 3, 0)[0] as f64,
                )
            })
            .collect()
    }

    #[test]
    fn a_known_difference_lies_in_its_interval_and_is_significant() {
        // Paired seeds: the world is the control plus 1.0 plus a little noise per seed.
        let control = normals(1, 8, 5.0, 2.0);
        let noise = normals(2, 8, 0.0, 0.1);
        let world: Vec<(u64, f64)> = control
            .iter()
            .zip(&noise)
            .map(|((s, c), (_, e))| (*s, c + 1.0 + e))
            .collect();
        let c = compare("known", &world, &control);
        assert!(c.paired);
        assert!(c.ci_low <= 1.0 && 1.0 <= c.ci_high, "{c:?}");
        assert!(c.p_value < 0.05, "{c:?}");
        assert_eq!(c.seeds_above, 8);
        // The same as two groups (other seeds): a larger shift, since groups vary more.
        let world: Vec<(u64, f64)> = normals(3, 6, 9.0, 1.0)
            .into_iter()
            .map(|(s, v)| (s + 100, v))
            .collect();
        let control = normals(4, 6, 5.0, 1.0);
        let c = compare("groups", &world, &control);
        assert!(!c.paired);
        assert!(c.ci_low <= 4.0 && 4.0 <= c.ci_high, "{c:?}");
        assert!(c.p_value < 0.05, "{c:?}");
    }

    #[test]
    fn identical_distributions_rarely_look_different() {
        let mut significant = 0;
        for rep in 0..200u64 {
            let world = normals(1000 + rep, 5, 0.0, 1.0);
            let control = normals(5000 + rep, 5, 0.0, 1.0);
            let c = compare(&format!("null {rep}"), &world, &control);
            if c.p_value <= 0.05 {
                significant += 1;
            }
        }
        assert!(
            significant <= 20,
            "{significant} of 200 null comparisons came out at p <= 0.05"
        );
    }

    #[test]
    fn the_same_comparison_gives_the_same_numbers() {
        let w = normals(7, 5, 1.0, 1.0);
        let c = normals(8, 5, 0.0, 1.0);
        assert_eq!(compare("x", &w, &c), compare("x", &w, &c));
    }

    #[test]
    fn choose_counts_subsets() {
        assert_eq!(choose(10, 5), 252);
        assert_eq!(choose(5, 0), 1);
        assert_eq!(choose(20, 10), 184_756);
    }
}
