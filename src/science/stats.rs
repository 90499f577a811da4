//! Statistics across seeds: a world against its control, one value per seed each, paired
//! by seed.
//!
//! - Only seeds present on both sides enter a comparison. When a seed is missing on one
//!   side the comparison is still made on the pairs that remain, but it is marked
//!   `paired: false` and a target refuses it (`verdict::TargetResult::met`): a missing run is a
//!   fault to mend, never a reason to switch to another test.
//! - The difference is the mean of the per-seed differences (world − control).
//! - The p-values are one-sided exact sign-flip tests: under "world and control are
//!   exchangeable within a seed" every sign of every per-seed difference is equally
//!   likely, so the p-value of "above" is the share of the 2^n sign assignments whose sum
//!   is at least the observed one. Up to `EXACT_SEEDS` seeds every assignment is counted;
//!   beyond, `DRAWN_FLIPS` are drawn from a counter-based stream keyed by the comparison's
//!   name, so a report is reproducible to the last digit.
//! - The 95% interval is that test inverted: the shifts δ that neither one-sided test
//!   (of d − δ) rejects at 2.5%. A sign flip of the set F of seeds moves the sum past the
//!   observed one exactly when δ lies beyond the mean of d over F, so the bounds are order
//!   statistics of the 2^n − 1 subset means, and "above" (interval above 0) is the same
//!   decision as p_above ≤ 0.025. With fewer than 6 seeds no sign-flip test reaches 2.5%
//!   and the interval is unbounded: that is what 5 seeds can say.
//! - Holm's step-down correction (`holm`) adjusts a family of p-values for multiplicity.
//!
//! Coverage and false-positive rate are measured by the tests below on simulated null
//! experiments (docs/measures.md gives the figures).

use statrs::statistics::Statistics;

use crate::rng::Rng;

/// Up to this many pairs, every sign assignment is enumerated (2^20, about a million).
pub const EXACT_SEEDS: usize = 20;
/// Sign assignments drawn beyond `EXACT_SEEDS` pairs.
pub const DRAWN_FLIPS: usize = 1 << 16;
/// The interval's level: 95%, two-sided, each tail 2.5%.
pub const ALPHA: f64 = 0.05;

/// One comparison of a world against its control over seeds.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// Means over the paired seeds (so `difference` = world_mean − control_mean).
    pub world_mean: f64,
    pub control_mean: f64,
    pub difference: f64,
    /// The exact sign-flip test inverted at 95% (±∞ where too few seeds bound it).
    pub ci_low: f64,
    pub ci_high: f64,
    /// One-sided: the chance of a sum of per-seed differences at least this large if
    /// world and control were exchangeable within each seed.
    pub p_value: f64,
    /// One-sided the other way: at most this small.
    pub p_below: f64,
    /// Pairs in which the world exceeds its control.
    pub seeds_above: usize,
    /// Pairs in the comparison.
    pub seeds: usize,
    /// Every seed of either side has its partner (false: seeds were left out).
    pub paired: bool,
    /// (seed, world value, control value) of each pair, in seed order: the values the
    /// comparison used (seeds.csv).
    pub pairs: Vec<(u64, f64, f64)>,
}

/// A generator keyed by a name, so each comparison draws its own reproducible stream.
pub fn rng_for(key: &str) -> Rng {
    let h = blake3::hash(key.as_bytes());
    let b = h.as_bytes();
    Rng::new(u64::from_le_bytes([
        b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
    ]))
}

fn mean(xs: &[f64]) -> f64 {
    if xs.is_empty() {
        f64::NAN
    } else {
        xs.iter().mean()
    }
}

/// The sign-flip distribution of a set of per-seed differences: the mean of d over every
/// non-empty set of flipped seeds (or over drawn ones), sorted.
#[derive(Clone, Debug)]
pub struct SignFlips {
    /// Subset means, ascending.
    means: Vec<f64>,
    /// Assignments counted, the identity included (2^n, or draws + 1).
    total: f64,
    /// Ties within this count as reaching the observed sum: a test never rejects on
    /// rounding.
    tol: f64,
}

impl SignFlips {
    pub fn new(rng: &Rng, d: &[f64]) -> Self {
        let n = d.len();
        let tol = 1e-12 * d.iter().map(|x| x.abs()).fold(1.0, f64::max);
        if n <= EXACT_SEEDS {
            let total = 1usize << n;
            let mut means = Vec::with_capacity(total.saturating_sub(1));
            for set in 1..total {
                let (mut sum, mut count) = (0.0, 0u32);
                for (k, x) in d.iter().enumerate() {
                    if set >> k & 1 == 1 {
                        sum += x;
                        count += 1;
                    }
                }
                means.push(sum / count as f64);
            }
            means.sort_by(f64::total_cmp);
            return Self {
                means,
                total: total as f64,
                tol,
            };
        }
        let mut means = Vec::with_capacity(DRAWN_FLIPS);
        for draw in 0..DRAWN_FLIPS {
            let (mut sum, mut count) = (0.0, 0u32);
            for (k, x) in d.iter().enumerate() {
                if rng.uniform(1, draw as u32, 1, k as u32) < 0.5 {
                    sum += x;
                    count += 1;
                }
            }
            if count > 0 {
                means.push(sum / count as f64);
            }
        }
        means.sort_by(f64::total_cmp);
        Self {
            // An empty draw is the identity arrangement again: it counts like the observed one.
            total: (DRAWN_FLIPS + 1) as f64,
            tol,
            means,
        }
    }

    /// Assignments the draws left empty (identity) count as the observed arrangement.
    fn identities(&self) -> f64 {
        self.total - self.means.len() as f64
    }

    /// One-sided p of "mean difference > δ": flips whose sum reaches the observed one,
    /// i.e. the flipped seeds' mean is at most δ.
    pub fn p_above(&self, delta: f64) -> f64 {
        let hits = self.means.partition_point(|m| *m <= delta + self.tol);
        (self.identities() + hits as f64) / self.total
    }

    /// One-sided p of "mean difference < δ".
    pub fn p_below(&self, delta: f64) -> f64 {
        let below = self.means.partition_point(|m| *m < delta - self.tol);
        (self.identities() + (self.means.len() - below) as f64) / self.total
    }

    /// The equal-tailed (1 − alpha) interval: the shifts that neither one-sided test
    /// rejects at alpha / 2.
    pub fn interval(&self, alpha: f64) -> (f64, f64) {
        // δ is rejected from below when (identities + #{means ≤ δ}) / total ≤ alpha / 2.
        let limit = alpha / 2.0 * self.total - self.identities();
        // The fewest subset means at or below δ for δ to be kept.
        let k = if limit < 0.0 {
            0
        } else {
            limit.floor() as usize + 1
        };
        if k == 0 || k > self.means.len() {
            return (f64::NEG_INFINITY, f64::INFINITY);
        }
        (self.means[k - 1], self.means[self.means.len() - k])
    }
}

/// Compare `world` with `control`, each `(seed, value)`, paired by seed; non-finite values
/// are left out (and so leave their seed unpaired). `key` names the comparison (its random
/// stream, used only beyond `EXACT_SEEDS` pairs).
pub fn compare(key: &str, world: &[(u64, f64)], control: &[(u64, f64)]) -> Comparison {
    let finite = |xs: &[(u64, f64)]| -> Vec<(u64, f64)> {
        let mut v: Vec<(u64, f64)> = xs.iter().copied().filter(|v| v.1.is_finite()).collect();
        v.sort_by_key(|x| x.0);
        v.dedup_by_key(|x| x.0);
        v
    };
    let (world_f, control_f) = (finite(world), finite(control));
    let pairs: Vec<(u64, f64, f64)> = world_f
        .iter()
        .filter_map(|(s, w)| {
            control_f
                .iter()
                .find(|(c, _)| c == s)
                .map(|(_, c)| (*s, *w, *c))
        })
        .collect();
    let all_seeds = |xs: &[(u64, f64)]| {
        let mut s: Vec<u64> = xs.iter().map(|x| x.0).collect();
        s.sort_unstable();
        s.dedup();
        s.len()
    };
    let paired =
        !pairs.is_empty() && pairs.len() == all_seeds(world) && pairs.len() == all_seeds(control);
    let d: Vec<f64> = pairs.iter().map(|(_, w, c)| w - c).collect();
    let world_mean = mean(&pairs.iter().map(|p| p.1).collect::<Vec<_>>());
    let control_mean = mean(&pairs.iter().map(|p| p.2).collect::<Vec<_>>());
    let mut c = Comparison {
        world_mean,
        control_mean,
        difference: mean(&d),
        ci_low: f64::NAN,
        ci_high: f64::NAN,
        p_value: f64::NAN,
        p_below: f64::NAN,
        seeds_above: pairs.iter().filter(|(_, w, c)| w > c).count(),
        seeds: pairs.len(),
        paired,
        pairs,
    };
    if d.is_empty() {
        return c;
    }
    let flips = SignFlips::new(&rng_for(key), &d);
    (c.ci_low, c.ci_high) = flips.interval(ALPHA);
    c.p_value = flips.p_above(0.0);
    c.p_below = flips.p_below(0.0);
    c
}

impl Comparison {
    /// The per-seed differences, world − control.
    pub fn differences(&self) -> Vec<f64> {
        self.pairs.iter().map(|(_, w, c)| w - c).collect()
    }

    /// One-sided p of a difference beyond `min_effect` in a direction: above, H0 is
    /// "mean difference ≤ min_effect"; below, "mean difference ≥ −min_effect".
    pub fn p_beyond(&self, key: &str, above: bool, min_effect: f64) -> f64 {
        let d = self.differences();
        if d.is_empty() {
            return f64::NAN;
        }
        let flips = SignFlips::new(&rng_for(key), &d);
        if above {
            flips.p_above(min_effect)
        } else {
            flips.p_below(-min_effect)
        }
    }
}

/// Holm's step-down adjustment of a family of p-values (NaN stays NaN and is not counted
/// in the family): the k-th smallest of m is multiplied by m − k + 1, the results made
/// monotone and capped at 1. Rejecting where the adjusted p < α holds the family-wise
/// error rate at α under any dependence.
pub fn holm(ps: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..ps.len()).filter(|&k| !ps[k].is_nan()).collect();
    order.sort_by(|&a, &b| ps[a].total_cmp(&ps[b]));
    let m = order.len();
    let mut out = vec![f64::NAN; ps.len()];
    let mut running: f64 = 0.0;
    for (rank, &k) in order.iter().enumerate() {
        running = running.max(((m - rank) as f64 * ps[k]).min(1.0));
        out[k] = running;
    }
    out
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

    /// The sign-flip p written out plainly: every sign vector, its sum against the
    /// observed sum of d − δ.
    fn brute_p_above(d: &[f64], delta: f64) -> f64 {
        let n = d.len();
        let observed: f64 = d.iter().map(|x| x - delta).sum();
        let hits = (0..1u64 << n)
            .filter(|signs| {
                let s: f64 = d
                    .iter()
                    .enumerate()
                    .map(|(k, x)| {
                        if signs >> k & 1 == 1 {
                            delta - x
                        } else {
                            x - delta
                        }
                    })
                    .sum();
                s >= observed - 1e-9
            })
            .count();
        hits as f64 / (1u64 << n) as f64
    }

    fn seeds(xs: &[f64]) -> Vec<(u64, f64)> {
        xs.iter().enumerate().map(|(s, x)| (s as u64, *x)).collect()
    }

    #[test]
    fn sign_flips_of_five_seeds_bottom_out_at_one_in_thirty_two() {
        let f = |d: &[f64]| SignFlips::new(&rng_for("t"), d);
        assert_eq!(f(&[1.0, 2.0, 3.0, 4.0, 5.0]).p_above(0.0), 1.0 / 32.0);
        assert_eq!(f(&[-1.0, -2.0, -3.0, -4.0, -5.0]).p_above(0.0), 1.0);
        assert_eq!(f(&[-1.0, -2.0, -3.0, -4.0, -5.0]).p_below(0.0), 1.0 / 32.0);
        // A zero difference in every seed: every flip ties, both ways.
        assert_eq!(f(&[0.0; 5]).p_above(0.0), 1.0);
        assert_eq!(f(&[0.0; 5]).p_below(0.0), 1.0);
    }

    #[test]
    fn p_values_match_the_plain_enumeration_at_every_shift() {
        let d = [0.5, -0.2, 1.0, 0.3, 0.8, -0.1, 0.7, 0.4, 0.9, 0.6];
        let flips = SignFlips::new(&rng_for("t"), &d);
        for delta in [-0.5, 0.0, 0.05, 0.2, 0.45, 0.7, 1.2] {
            let want = brute_p_above(&d, delta);
            let got = flips.p_above(delta);
            assert!(
                (got - want).abs() < 1e-12,
                "δ {delta}: {got} against {want}"
            );
            // "Below δ" is "above −δ" of −d.
            let neg: Vec<f64> = d.iter().map(|x| -x).collect();
            let want = brute_p_above(&neg, -delta);
            let got = flips.p_below(delta);
            assert!(
                (got - want).abs() < 1e-12,
                "δ {delta}: {got} against {want}"
            );
        }
        // Pinned: 8 of 10 positive, the two negatives small: 5 of 1024 flips reach it.
        assert_eq!(flips.p_above(0.0), 5.0 / 1024.0);
    }

    /// The interval is the set of shifts neither one-sided test rejects at 2.5%: checked
    /// against the plain enumeration on a fine grid around both ends.
    #[test]
    fn the_interval_is_the_inverted_test() {
        let d = [0.5, -0.2, 1.0, 0.3, 0.8, -0.1, 0.7, 0.4, 0.9, 0.6];
        let (lo, hi) = SignFlips::new(&rng_for("t"), &d).interval(ALPHA);
        assert!(lo.is_finite() && hi.is_finite() && lo < hi, "{lo} {hi}");
        let kept = |delta: f64| {
            let neg: Vec<f64> = d.iter().map(|x| -x).collect();
            brute_p_above(&d, delta) > 0.025 && brute_p_above(&neg, -delta) > 0.025
        };
        assert!(kept(lo) && kept(hi) && kept((lo + hi) / 2.0));
        assert!(!kept(lo - 1e-6) && !kept(hi + 1e-6), "[{lo}, {hi}]");
        // The interval excludes 0 exactly when a one-sided test rejects at 2.5%.
        assert_eq!(lo > 0.0, brute_p_above(&d, 0.0) <= 0.025);
    }

    #[test]
    fn five_seeds_cannot_bound_a_ninety_five_percent_interval() {
        let c = compare("t", &seeds(&[2.0, 2.1, 1.9, 2.2, 2.05]), &seeds(&[1.0; 5]));
        assert_eq!((c.ci_low, c.ci_high), (f64::NEG_INFINITY, f64::INFINITY));
        assert_eq!(c.p_value, 1.0 / 32.0);
        let c = compare("t", &seeds(&[2.0; 6]), &seeds(&[1.0; 6]));
        assert_eq!((c.ci_low, c.ci_high), (1.0, 1.0), "six seeds bound it");
    }

    #[test]
    fn a_missing_seed_is_reported_and_the_rest_stay_paired() {
        let world = seeds(&[2.0, 3.0, 4.0, 5.0]);
        let mut control = seeds(&[1.0, 1.0, 1.0, 1.0]);
        control.remove(2);
        let c = compare("t", &world, &control);
        assert!(!c.paired);
        assert_eq!((c.seeds, c.seeds_above), (3, 3));
        assert_eq!(c.pairs, vec![(0, 2.0, 1.0), (1, 3.0, 1.0), (3, 5.0, 1.0)]);
        // Means over the pairs, so the difference is their difference.
        assert_eq!(
            (c.world_mean, c.control_mean, c.difference),
            (10.0 / 3.0, 1.0, 7.0 / 3.0)
        );
        // A NaN leaves its seed out too.
        let mut w = seeds(&[2.0, 3.0, 4.0]);
        w[1].1 = f64::NAN;
        let c = compare("t", &w, &seeds(&[1.0; 3]));
        assert!(!c.paired && c.seeds == 2);
        assert!(compare("t", &seeds(&[2.0; 3]), &seeds(&[1.0; 3])).paired);
    }

    #[test]
    fn holm_multiplies_by_rank_and_stays_monotone() {
        let adj = holm(&[0.01, 0.04, 0.03, 0.005, f64::NAN]);
        let want = [0.03, 0.06, 0.06, 0.02];
        for (a, w) in adj.iter().zip(want) {
            assert!((a - w).abs() < 1e-12, "{adj:?}");
        }
        assert!(adj[4].is_nan());
        assert_eq!(holm(&[0.9, 0.8]), vec![1.0, 1.0]);
        assert_eq!(holm(&[0.02, 0.04]), vec![0.04, 0.04]);
        assert_eq!(holm(&[0.6, 0.7, 0.01]), vec![1.0, 1.0, 0.03]);
    }

    /// Normal draws from the project's generator.
    fn normals(seed: u64, n: usize, mean: f64, sd: f64) -> Vec<(u64, f64)> {
        let rng = Rng::new(seed);
        (0..n)
            .map(|k| {
                let z = rng.normal_pair(0, k as u32, 3, 0)[0] as f64;
                (k as u64, mean + sd * z)
            })
            .collect()
    }

    /// Calibration on simulated null experiments: 10 seeds, world and control from the
    /// same distribution, per-seed seed effects shared by both (as paired runs have).
    /// The one-sided test's false-positive rate must be at most 5% within its Monte Carlo
    /// error, and the 95% interval must cover the true difference (0) at least 93% of the
    /// time. A test that never rejects fails the power check beside it.
    #[test]
    fn calibration_on_null_experiments_of_ten_seeds() {
        let reps = 4000;
        let (mut false_pos, mut covered, mut finite) = (0, 0, 0);
        for rep in 0..reps {
            let seed_effect = normals(10_000 + rep, 10, 5.0, 2.0);
            let w = normals(20_000 + rep, 10, 0.0, 1.0);
            let c = normals(30_000 + rep, 10, 0.0, 1.0);
            let add = |a: &[(u64, f64)], b: &[(u64, f64)]| -> Vec<(u64, f64)> {
                a.iter().zip(b).map(|(x, y)| (x.0, x.1 + y.1)).collect()
            };
            let cmp = compare(
                &format!("null {rep}"),
                &add(&seed_effect, &w),
                &add(&seed_effect, &c),
            );
            assert!(cmp.paired && cmp.seeds == 10);
            false_pos += (cmp.p_value < 0.05) as u32;
            covered += (cmp.ci_low <= 0.0 && 0.0 <= cmp.ci_high) as u32;
            finite += (cmp.ci_low.is_finite() && cmp.ci_high.is_finite()) as u32;
        }
        let n = reps as f64;
        let rate = false_pos as f64 / n;
        let mc_error = (0.05 * 0.95 / n).sqrt();
        assert!(rate <= 0.05 + 2.0 * mc_error, "false-positive rate {rate}");
        assert!(
            rate >= 0.05 - 4.0 * mc_error,
            "a test this timid is broken: {rate}"
        );
        let coverage = covered as f64 / n;
        assert!(coverage >= 0.93, "coverage {coverage}");
        assert_eq!(finite, reps as u32, "ten seeds bound every interval");
        // Power: a shift of one within-seed standard deviation is found most of the time.
        let mut found = 0;
        for rep in 0..500 {
            let w = normals(40_000 + rep, 10, 1.0, 1.0);
            let c = normals(50_000 + rep, 10, 0.0, 1.0);
            found += (compare(&format!("shift {rep}"), &w, &c).p_value < 0.05) as u32;
        }
        assert!(found > 300, "power {found} / 500");
        eprintln!(
            "calibration, {reps} null experiments of 10 seeds: false-positive rate {rate}, coverage {coverage}; power at a shift of 1 sd: {found} / 500"
        );
    }

    #[test]
    fn mean_and_spread_and_the_test_beyond_a_minimum_effect() {
        assert_eq!(mean_sd(&[2.0, 4.0, 6.0]), (4.0, 2.0));
        assert_eq!(mean_sd(&[5.0]), (5.0, 0.0));
        assert!(mean_sd(&[]).0.is_nan() && mean_sd(&[]).1.is_nan());
        // World = control + 1 in every seed: beyond 0.5 with p = 1/1024, not beyond 1.5.
        let control = seeds(&[3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0]);
        let world: Vec<(u64, f64)> = control.iter().map(|(s, c)| (*s, c + 1.0)).collect();
        let c = compare("beyond", &world, &control);
        assert_eq!(c.differences(), vec![1.0; 10]);
        assert_eq!(c.p_beyond("beyond", true, 0.5), 1.0 / 1024.0);
        assert_eq!(c.p_beyond("beyond", true, 1.5), 1.0);
        // Below: the control minus 1 is below it by more than 0.5.
        let c = compare("below", &control, &world);
        assert_eq!(c.p_beyond("below", false, 0.5), 1.0 / 1024.0);
        assert_eq!(c.p_beyond("below", true, 0.0), 1.0);
    }

    #[test]
    fn many_seeds_draw_their_flips_reproducibly() {
        let w = normals(7, 30, 0.3, 1.0);
        let c = normals(8, 30, 0.0, 1.0);
        let a = compare("x", &w, &c);
        assert!(a.p_value > 0.0 && a.p_value < 1.0 && a.ci_low < a.ci_high);
        // Drawn flips approximate the exact test: 20 seeds both ways agree closely.
        let d: Vec<f64> = normals(9, 20, 0.4, 1.0).iter().map(|x| x.1).collect();
        let exact = SignFlips::new(&rng_for("e"), &d).p_above(0.0);
        let mut d21 = d.clone();
        d21.push(0.0);
        let drawn = SignFlips::new(&rng_for("e"), &d21).p_above(0.0);
        assert!((exact - drawn).abs() < 0.02, "{exact} {drawn}");
    }
}
