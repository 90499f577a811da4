//! An experiment's evidence across seeds: every world against its controls, every share
//! against its built-in chance level, and every knockout's evolved dependence, written to
//! DIR/stats.csv and summed up per behaviour as verdict tables (`silico collect`,
//! `silico report`).
//!
//! Each run contributes one value per measure: its mean over the second half of the run
//! (rows after half its last tick), when the population has had time to evolve; for the
//! shares in `WEIGHTED`, the mean weighted by the food they are shares of. The shares with
//! a chance level also enter as their excess over their own world's chance level
//! (`EXCESS`: the log ratio of the two second-half values), so a world and a control with
//! different chance levels are compared on the same footing. Knockouts contribute each
//! seed's mean loss over its replicates (`ablate`).
//!
//! Every comparison is paired by seed (`stats::compare`). Holm's correction runs over two
//! families per world: its declared targets (each tested in its own direction beyond its
//! minimum effect) and every other row. Targets are pre-registered: the first run of an
//! experiment records a hash of them (`preregistration.json`), and the tables say when
//! they were changed after.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::config::Config;
use crate::runs::files::write_csv;
use crate::science::plan::ExperimentFile;
use crate::science::stats::{compare, Comparison};
pub use crate::science::targets::{standard_targets, Direction, Target, CHANCE, NAIVE, PLACEBO};

/// The header of DIR/stats.csv.
pub const STATS_HEADER: &str =
    "measure,world,control,world_mean,control_mean,difference,ci_low,ci_high,p_value,seeds_above,seeds,paired,p_holm";

/// The header of DIR/seeds.csv: the per-seed values every row of stats.csv used.
pub const SEEDS_HEADER: &str = "measure,world,control,seed,world_value,control_value";

/// The measures compared between a world and its controls, by behaviour.
pub const BEHAVIOURS: &[(&str, &[&str])] = &[
    (
        "Agriculture",
        &[
            "agri_own_harvest_excess",
            "agri_own_harvest_share",
            "agri_cultivated_cells",
            "agri_eaten_cultivated_share",
            "agri_farming_return",
            "cultivation_agents",
        ],
    ),
    (
        "Communication",
        &[
            "comm_influence_changed",
            "comm_influence_delta",
            "comm_listener_mi",
            "comm_speaker_mi",
            "comm_saliency_messages",
            "comm_gate_activity",
        ],
    ),
    (
        "Tool use",
        &[
            "tool_programmer_benefit_excess",
            "tool_programmer_benefit",
            "tool_programming_events",
            "tool_bots_programmed_share",
            "tool_eaten_from_bot_farms",
            "cultivation_bots",
        ],
    ),
];

/// Measures with a chance level of their own, computed every tick beside them.
pub const CHANCE_COLUMNS: &[(&str, &str)] = &[
    ("agri_own_harvest_share", "agri_own_harvest_chance"),
    ("tool_programmer_benefit", "tool_programmer_benefit_chance"),
    ("comm_listener_mi", "comm_listener_bias"),
    ("comm_speaker_mi", "comm_speaker_bias"),
];

/// Shares whose per-tick value is 0 on ticks with nothing to share: a run's value is their
/// mean weighted by the food they are shares of (the ratio of the sums), not the mean of
/// the ticks.
pub const WEIGHTED: &[(&str, &str)] = &[
    ("agri_own_harvest_share", "agri_own_harvest_food"),
    ("agri_own_harvest_chance", "agri_own_harvest_food"),
    ("tool_programmer_benefit", "tool_programmer_food"),
    ("tool_programmer_benefit_chance", "tool_programmer_food"),
    ("agri_eaten_cultivated_share", "ledger_eaten_from_cells"),
];

/// Shares entered as their excess over their own world's chance level: (name, share,
/// chance). A run's value is ln(share / chance) of its second-half (food-weighted) values,
/// with the share floored at `EXCESS_FLOOR` × chance so that a run that never harvests
/// its own food gives a finite, very low value rather than −∞.
pub const EXCESS: &[(&str, &str, &str)] = &[
    (
        "agri_own_harvest_excess",
        "agri_own_harvest_share",
        "agri_own_harvest_chance",
    ),
    (
        "tool_programmer_benefit_excess",
        "tool_programmer_benefit",
        "tool_programmer_benefit_chance",
    ),
];

/// The least share, as a multiple of chance, an excess is computed from (ln 0.01 ≈ −4.6).
pub const EXCESS_FLOOR: f64 = 0.01;

/// ln(share / chance), the share floored at `EXCESS_FLOOR` × chance; NaN without a
/// positive chance level (nothing of that kind was eaten).
pub fn excess(share: f64, chance: f64) -> f64 {
    if chance.is_nan() || chance <= 0.0 || !share.is_finite() {
        return f64::NAN;
    }
    (share.max(EXCESS_FLOOR * chance) / chance).ln()
}

/// One line of stats.csv.
#[derive(Clone, Debug, PartialEq)]
pub struct StatRow {
    pub measure: String,
    pub world: String,
    pub control: String,
    pub c: Comparison,
    /// Holm-adjusted p within its family (the world's targets, or its other rows).
    pub p_holm: f64,
}

impl StatRow {
    /// The behaviour the row speaks for (a verdict table), or None.
    pub fn behaviour(&self) -> &'static str {
        if self.measure.starts_with("knockout:") {
            return "Knockout forks";
        }
        for (name, measures) in BEHAVIOURS {
            if measures.contains(&self.measure.as_str()) {
                return name;
            }
        }
        "Other"
    }

    /// The inverted test's reading: "above" when the 95% interval lies above 0 (the
    /// one-sided p ≤ 0.025), "below" when under it, symmetric by construction. Before
    /// correction: `p_holm` says whether it survives the family's.
    pub fn verdict(&self) -> &'static str {
        let c = &self.c;
        if c.p_value.is_nan() {
            "no data"
        } else if c.ci_low > 0.0 {
            "above"
        } else if c.ci_high < 0.0 {
            "below"
        } else {
            "not distinguishable"
        }
    }
}

/// One finished run's per-measure second-half means.
struct SeedRun {
    variant: String,
    seed: u64,
    means: BTreeMap<String, f64>,
    ablation: Option<PathBuf>,
}

/// The runs of an experiment directory (`<variant>/seed-<s>/`, finished ones only).
fn seed_runs(dir: &Path) -> Result<Vec<SeedRun>> {
    let mut out = Vec::new();
    for (variant, seed, run_dir) in crate::runs::experiment_runs(dir)? {
        if crate::runs::Summary::finished(&run_dir).is_none() {
            continue;
        }
        let run = crate::runs::Run::load(&run_dir, variant.clone())?;
        let last = run.rows.last().map_or(0.0, |r| r[0]);
        let half: Vec<&Vec<f64>> = run.rows.iter().filter(|r| r[0] > last / 2.0).collect();
        let column = |name: &str| run.header.iter().position(|h| h == name);
        let mut means = BTreeMap::new();
        for (k, name) in run.header.iter().enumerate().skip(1) {
            let weight = WEIGHTED
                .iter()
                .find(|(m, _)| m == name)
                .and_then(|(_, w)| column(w));
            let (sum, total) = half.iter().fold((0.0, 0.0), |(s, t), r| {
                let w = weight.map_or(1.0, |w| r[w]);
                (s + w * r[k], t + w)
            });
            means.insert(
                name.clone(),
                if total > 0.0 { sum / total } else { f64::NAN },
            );
        }
        for (name, share, chance) in EXCESS {
            if let (Some(s), Some(c)) = (means.get(*share), means.get(*chance)) {
                let value = excess(*s, *c);
                means.insert(name.to_string(), value);
            }
        }
        let ablation = run_dir.join("ablate");
        out.push(SeedRun {
            variant: variant.clone(),
            seed,
            means,
            ablation: ablation.join("knockouts.csv").is_file().then_some(ablation),
        });
    }
    Ok(out)
}

/// Whether a variant's config is a control run (a mechanic out, or a Random/Zero brain).
fn is_control(dir: &Path, variant: &str) -> bool {
    Config::load(&dir.join(variant).join("config.ron"))
        .map(|cfg| crate::runs::describe_control(&cfg).0)
        .unwrap_or(false)
}

/// The (world, control) pairs: the experiment's `controls` when it names them, else every
/// control variant against the first variant that is none.
fn control_pairs(
    dir: &Path,
    variants: &[String],
    file: Option<&ExperimentFile>,
) -> Vec<(String, String)> {
    if let Some(f) = file.filter(|f| !f.controls.is_empty()) {
        return f.controls.clone();
    }
    let Some(world) = variants.iter().find(|v| !is_control(dir, v)) else {
        return Vec::new();
    };
    variants
        .iter()
        .filter(|v| *v != world && is_control(dir, v))
        .map(|c| (world.clone(), c.clone()))
        .collect()
}

/// The experiment file an experiment directory records (DIR/experiment.ron), if any.
pub fn recorded_experiment(dir: &Path) -> Option<ExperimentFile> {
    let text = fs::read_to_string(dir.join("experiment.ron")).ok()?;
    ron::from_str(&text).ok()
}

/// (seed, value) of each seed.
type Seeds = Vec<(u64, f64)>;

fn per_seed(runs: &[SeedRun], variant: &str, measure: &str) -> Seeds {
    runs.iter()
        .filter(|r| r.variant == variant)
        .filter_map(|r| Some((r.seed, *r.means.get(measure)?)))
        .collect()
}

/// Every comparison of an experiment directory, before Holm's correction
/// (`verdict::stats` applies it).
pub fn comparisons(dir: &Path) -> Result<Vec<StatRow>> {
    let runs = seed_runs(dir)?;
    let mut variants: Vec<String> = runs.iter().map(|r| r.variant.clone()).collect();
    variants.dedup();
    let file = recorded_experiment(dir);
    // File order where the experiment is recorded, else directory order.
    if let Some(f) = &file {
        variants.sort_by_key(|v| f.variants.iter().position(|x| &x.name == v));
    }
    let mut rows = Vec::new();
    let row =
        |measure: &str, world: &str, control: &str, w: &[(u64, f64)], c: &[(u64, f64)]| StatRow {
            measure: measure.to_string(),
            world: world.to_string(),
            control: control.to_string(),
            c: compare(&format!("{measure} {world} {control}"), w, c),
            p_holm: f64::NAN,
        };
    let pairs = control_pairs(dir, &variants, file.as_ref());
    for (world, control) in &pairs {
        for (_, measures) in BEHAVIOURS {
            for m in *measures {
                let w = per_seed(&runs, world, m);
                let c = per_seed(&runs, control, m);
                if !w.is_empty() || !c.is_empty() {
                    rows.push(row(m, world, control, &w, &c));
                }
            }
        }
    }
    // Every world, controls included, against its own chance levels.
    for v in &variants {
        for (m, chance) in CHANCE_COLUMNS {
            let w = per_seed(&runs, v, m);
            let c = per_seed(&runs, v, chance);
            if !w.is_empty() || !c.is_empty() {
                rows.push(row(m, v, CHANCE, &w, &c));
            }
        }
    }
    for v in &variants {
        // Knockouts: per seed, the evolved population's mean loss against the naive one's,
        // and against its own placebo knockout's. A NaN loss (a fork without income) leaves
        // its seed unpaired on either side alike.
        let mut by_knockout: BTreeMap<(String, String), (Seeds, Seeds)> = BTreeMap::new();
        for r in runs.iter().filter(|r| &r.variant == v) {
            let Some(ablation) = &r.ablation else {
                continue;
            };
            for l in crate::science::fitness::read_losses(ablation)? {
                let e = by_knockout.entry((l.knockout, l.fitness)).or_default();
                e.0.push((r.seed, l.evolved_loss));
                e.1.push((r.seed, l.naive_loss));
            }
        }
        for ((knockout, fitness), (evolved, naive)) in &by_knockout {
            let measure = format!("knockout:{knockout}:{fitness}");
            if naive.iter().any(|x| !x.1.is_nan()) {
                rows.push(row(&measure, v, NAIVE, evolved, naive));
            }
            if knockout != crate::science::ablate::Knockout::Placebo.name() {
                let placebo = by_knockout.get(&(
                    crate::science::ablate::Knockout::Placebo.name().to_string(),
                    fitness.clone(),
                ));
                if let Some((placebo, _)) = placebo {
                    rows.push(row(&measure, v, PLACEBO, evolved, placebo));
                }
            }
        }
    }
    Ok(rows)
}

fn num(x: f64) -> String {
    if x.is_nan() {
        "NaN".into()
    } else {
        format!("{x}")
    }
}

/// DIR/stats.csv and DIR/seeds.csv (the per-seed values behind each row); returns the
/// path of stats.csv.
pub fn write_stats(dir: &Path, rows: &[StatRow]) -> Result<PathBuf> {
    let stats = rows.iter().map(|r| {
        let c = &r.c;
        vec![
            r.measure.clone(),
            r.world.clone(),
            r.control.clone(),
            num(c.world_mean),
            num(c.control_mean),
            num(c.difference),
            num(c.ci_low),
            num(c.ci_high),
            num(c.p_value),
            c.seeds_above.to_string(),
            c.seeds.to_string(),
            c.paired.to_string(),
            num(r.p_holm),
        ]
    });
    let seeds = rows.iter().flat_map(|r| {
        r.c.pairs.iter().map(|(seed, w, v)| {
            vec![
                r.measure.clone(),
                r.world.clone(),
                r.control.clone(),
                seed.to_string(),
                num(*w),
                num(*v),
            ]
        })
    });
    let path = dir.join("stats.csv");
    write_csv(&path, STATS_HEADER.split(','), stats)?;
    write_csv(&dir.join("seeds.csv"), SEEDS_HEADER.split(','), seeds)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A row of 10 seeds whose world exceeds its control by `diffs`.
    fn row(measure: &str, world: &str, diffs: &[f64]) -> StatRow {
        let w: Vec<(u64, f64)> = diffs
            .iter()
            .enumerate()
            .map(|(s, d)| (s as u64, *d))
            .collect();
        let c: Vec<(u64, f64)> = (0..diffs.len() as u64).map(|s| (s, 0.0)).collect();
        StatRow {
            measure: measure.into(),
            world: world.into(),
            control: "shuffled".into(),
            c: crate::science::stats::compare(measure, &w, &c),
            p_holm: f64::NAN,
        }
    }

    #[test]
    fn a_verdict_reads_the_interval() {
        let up: Vec<f64> = (1..=10).map(f64::from).collect();
        let down: Vec<f64> = up.iter().map(|d| -d).collect();
        let mixed = [1.0, -1.0, 2.0, -2.0, 0.5, -0.5, 1.0, -1.0, 0.2, -0.2];
        assert_eq!(row("m", "world", &up).verdict(), "above");
        assert_eq!(row("m", "world", &down).verdict(), "below");
        assert_eq!(row("m", "world", &mixed).verdict(), "not distinguishable");
        assert_eq!(row("m", "world", &[]).verdict(), "no data");
    }

    /// Targets are one family and every other row of a world another; each row gets its
    /// own family's correction, and a target row its target's test.
    #[test]
    fn holm_corrects_targets_and_other_rows_apart() {
        let up: Vec<f64> = (1..=10).map(f64::from).collect();
        let mut rows = vec![row("other", "world", &up), row("declared", "world", &up)];
        let targets = [Target::new("Agriculture", "declared", "shuffled")];
        let want = crate::science::verdict::assess(&rows, "world", &targets)[0].p_holm;
        crate::science::verdict::adjust(&mut rows, &targets);
        assert!(
            want.is_finite() && rows[1].p_holm == want,
            "{}",
            rows[1].p_holm
        );
        assert_eq!(rows[0].p_holm, rows[0].c.p_value, "alone in its family");
    }

    #[test]
    fn an_excess_is_the_log_ratio_to_chance_floored() {
        assert!((excess(0.5, 0.05) - 10f64.ln()).abs() < 1e-12);
        assert!((excess(0.05, 0.05)).abs() < 1e-12, "at chance: 0");
        assert!(
            (excess(0.01, 0.1) - 0.1f64.ln()).abs() < 1e-12,
            "below chance"
        );
        // Never harvesting its own food floors at 1% of chance, not -inf.
        assert!((excess(0.0, 0.2) - EXCESS_FLOOR.ln()).abs() < 1e-12);
        for (share, chance) in [(0.5, 0.0), (0.5, f64::NAN), (f64::NAN, 0.1), (0.5, -1.0)] {
            assert!(excess(share, chance).is_nan(), "{share} {chance}");
        }
    }
}
