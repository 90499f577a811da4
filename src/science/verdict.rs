//! The verdict: how each world fared on the declared targets (Holm-corrected across them,
//! with the seeds beyond each control), which behaviours that meets, the pre-registration
//! of the targets, and the verdict and targets tables of `summary.md` and the report.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::science::evidence::{recorded_experiment, StatRow};
use crate::science::stats::holm;
use crate::science::targets::{targets_or_standard, Direction, Target};

/// Every comparison of an experiment directory (`evidence::comparisons`), Holm-adjusted
/// (`adjust`) against its recorded experiment's targets (or the standard ones).
pub fn stats(dir: &Path) -> Result<Vec<StatRow>> {
    let mut rows = crate::science::evidence::comparisons(dir)?;
    let file = recorded_experiment(dir);
    let targets = targets_or_standard(file.as_ref().map_or(&[], |f| &f.targets));
    adjust(&mut rows, &targets);
    Ok(rows)
}

/// Holm's correction per world over two families: its targets (each by its own test,
/// `assess`) and every other row of that world (by `p_value`). Sets `p_holm`.
pub fn adjust(rows: &mut [StatRow], targets: &[Target]) {
    let mut worlds: Vec<String> = Vec::new();
    for r in rows.iter() {
        if !worlds.contains(&r.world) {
            worlds.push(r.world.clone());
        }
    }
    for world in worlds {
        let results = assess(rows, &world, targets);
        let is_target = |r: &StatRow| {
            targets
                .iter()
                .any(|t| r.world == world && t.measure == r.measure && t.control == r.control)
        };
        for res in &results {
            if let Some(r) = rows.iter_mut().find(|r| {
                r.world == world
                    && r.measure == res.target.measure
                    && r.control == res.target.control
            }) {
                r.p_holm = res.p_holm;
            }
        }
        let others: Vec<usize> = (0..rows.len())
            .filter(|&k| rows[k].world == world && !is_target(&rows[k]))
            .collect();
        let ps: Vec<f64> = others.iter().map(|&k| rows[k].c.p_value).collect();
        for (k, p) in others.iter().zip(holm(&ps)) {
            rows[*k].p_holm = p;
        }
    }
}

fn short(v: f64) -> String {
    if v.is_nan() {
        "–".into()
    } else if v.is_infinite() {
        if v > 0.0 { "∞" } else { "−∞" }.into()
    } else if v == 0.0 {
        "0".into()
    } else if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 0.01 {
        format!("{v:.3}")
    } else {
        format!("{v:.2e}")
    }
}

/// The verdict tables, one per behaviour, as Markdown.
pub fn verdict_tables(rows: &[StatRow]) -> String {
    let mut md = String::from(
        "## Verdicts across seeds\n\nEach row: a world's measure against a control (another variant, the measure's own chance level, for knockouts the naive population's or the placebo knockout's loss), one value per seed: the mean over the second half of each run; `*_excess` measures are ln(share / chance) of the world's own chance level. Seeds are paired (\"unpaired\": a seed lacks its partner and the row cannot support a claim). Difference = world − control, the mean of the per-seed differences; the 95% interval inverts the exact sign-flip test (unbounded below 6 seeds); p is that test, one-sided (world above control); p (Holm) is corrected over the world's rows that are not targets (targets: their own family, below). \"above\"/\"below\": the interval excludes 0 on that side, before correction.\n",
    );
    let order = [
        "Agriculture",
        "Communication",
        "Tool use",
        "Knockout forks",
        "Other",
    ];
    for behaviour in order {
        let these: Vec<&StatRow> = rows.iter().filter(|r| r.behaviour() == behaviour).collect();
        if these.is_empty() {
            continue;
        }
        let _ = writeln!(
            md,
            "\n### {behaviour}\n\n| measure | world | control | world value | control value | difference [95% CI] | p | p (Holm) | seeds above | verdict |\n|---|---|---|---|---|---|---|---|---|---|"
        );
        for r in these {
            let c = &r.c;
            let _ = writeln!(
                md,
                "| `{}` | {} | {} | {} | {} | {} [{}, {}] | {} | {} | {}/{}{} | {} |",
                r.measure,
                r.world,
                r.control,
                short(c.world_mean),
                short(c.control_mean),
                short(c.difference),
                short(c.ci_low),
                short(c.ci_high),
                short(c.p_value),
                short(r.p_holm),
                c.seeds_above,
                c.seeds,
                if c.paired { "" } else { " unpaired" },
                r.verdict()
            );
        }
    }
    md
}

/// Seeds a target needs data from: with 10 the smallest sign-flip p is 1/1024, so a
/// handful of Holm-corrected targets can each pass at 5%.
pub const TARGET_MIN_SEEDS: usize = 10;

/// The pre-registration hash of a set of targets.
pub fn targets_hash(targets: &[Target]) -> String {
    let text = ron::to_string(targets).unwrap_or_default();
    blake3::hash(text.as_bytes()).to_hex()[..16].to_string()
}

/// How one world fared on one target (row None: no such row, e.g. a control never run).
#[derive(Clone, Debug)]
pub struct TargetResult {
    pub target: Target,
    pub row: Option<StatRow>,
    /// The target's own one-sided p (its direction, beyond its minimum effect).
    pub p: f64,
    /// `p` after Holm's correction over the world's targets.
    pub p_holm: f64,
}

impl TargetResult {
    /// Seeds in which the world lies beyond its control in the target's direction.
    pub fn seeds_beyond(&self) -> usize {
        self.row.as_ref().map_or(0, |r| {
            r.c.pairs
                .iter()
                .filter(|(_, w, c)| match self.target.direction {
                    Direction::Above => w > c,
                    Direction::Below => w < c,
                })
                .count()
        })
    }

    /// Met: every seed paired, data from at least `TARGET_MIN_SEEDS` seeds, Holm-corrected
    /// p < 0.05, and the world beyond its control in at least 4 of every 5 seeds.
    pub fn met(&self) -> bool {
        self.row.as_ref().is_some_and(|r| {
            r.c.paired
                && r.c.seeds >= TARGET_MIN_SEEDS
                && self.p_holm < 0.05
                && 5 * self.seeds_beyond() >= 4 * r.c.seeds
        })
    }
}

/// The world variants of a set of rows: those compared with something that are no one's
/// control, in row order.
pub fn worlds(rows: &[StatRow]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in rows {
        let is_control = rows.iter().any(|o| o.control == r.world);
        if !is_control && !out.contains(&r.world) {
            out.push(r.world.clone());
        }
    }
    out
}

/// What the experiment directory's pre-registration says of its targets now: None when
/// they are as registered (or nothing was registered), else a sentence.
pub fn registration_warning(dir: &Path, targets: &[Target]) -> Option<String> {
    let text = fs::read_to_string(dir.join(PREREGISTRATION)).ok()?;
    let reg: Registration = serde_json::from_str(&text).ok()?;
    let now = targets_hash(targets);
    (reg.targets_hash != now).then(|| {
        format!(
            "**The targets were changed after the runs started**: registered {} (hash {}) at unix time {}; now hash {now}. The tables below test the targets as they are now; only the registered ones are a pre-registered test.",
            ron::to_string(&reg.targets).unwrap_or_default(),
            reg.targets_hash,
            reg.registered_unix_s
        )
    })
}

/// The file an experiment directory records its targets in, at its first run.
pub const PREREGISTRATION: &str = "preregistration.json";

/// DIR/preregistration.json: the targets an experiment declared before its first run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Registration {
    pub targets: Vec<Target>,
    pub targets_hash: String,
    pub registered_unix_s: u64,
}

/// Record the targets of an experiment about to run in DIR, unless a registration is
/// there already (the first one stands).
pub fn register(dir: &Path, targets: &[Target]) -> Result<()> {
    let path = dir.join(PREREGISTRATION);
    if path.exists() {
        return Ok(());
    }
    let reg = Registration {
        targets: targets.to_vec(),
        targets_hash: targets_hash(targets),
        registered_unix_s: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
    };
    fs::write(&path, serde_json::to_string_pretty(&reg)?)
        .with_context(|| format!("cannot write {}", path.display()))
}

/// The targets an experiment directory is judged on: its recorded experiment's, or the
/// standard ones.
pub fn experiment_targets(dir: &Path) -> Vec<Target> {
    targets_or_standard(
        &recorded_experiment(dir)
            .map(|f| f.targets)
            .unwrap_or_default(),
    )
}

/// The targets tables of every world of an experiment directory, with a warning when the
/// targets differ from those registered before the runs.
pub fn targets_tables(dir: &Path, rows: &[StatRow]) -> String {
    let targets = experiment_targets(dir);
    let mut md = String::new();
    if let Some(w) = registration_warning(dir, &targets) {
        let _ = writeln!(md, "\n{w}");
    }
    for world in worlds(rows) {
        md.push('\n');
        md.push_str(&targets_table(&world, &assess(rows, &world, &targets)));
    }
    md
}

/// The targets as they stand for world variant `world`: each target's own test, and
/// Holm's correction over them.
pub fn assess(rows: &[StatRow], world: &str, targets: &[Target]) -> Vec<TargetResult> {
    let mut results: Vec<TargetResult> = targets
        .iter()
        .map(|t| {
            let row = rows
                .iter()
                .find(|r| r.world == world && r.measure == t.measure && r.control == t.control)
                .cloned();
            let p = row.as_ref().map_or(f64::NAN, |r| {
                r.c.p_beyond(
                    &format!("{} {} {}", r.measure, r.world, r.control),
                    t.direction == Direction::Above,
                    t.min_effect,
                )
            });
            TargetResult {
                target: t.clone(),
                row,
                p,
                p_holm: f64::NAN,
            }
        })
        .collect();
    // A target without data still counts in the family: it was declared, so it is one of
    // the tests the claim could have come from.
    let ps: Vec<f64> = results
        .iter()
        .map(|r| if r.p.is_nan() { 1.0 } else { r.p })
        .collect();
    for (r, p) in results.iter_mut().zip(holm(&ps)) {
        r.p_holm = if r.p.is_nan() { f64::NAN } else { p };
    }
    results
}

/// The behaviours all of whose targets are met.
pub fn behaviours_met(results: &[TargetResult]) -> Vec<String> {
    let mut names: Vec<String> = results.iter().map(|r| r.target.behaviour.clone()).collect();
    names.dedup();
    names
        .into_iter()
        .filter(|b| {
            results
                .iter()
                .filter(|r| &r.target.behaviour == b)
                .all(TargetResult::met)
        })
        .collect()
}

/// The targets table of a world, as Markdown.
pub fn targets_table(world: &str, results: &[TargetResult]) -> String {
    let mut md = format!(
        "## Targets: `{world}`\n\nA behaviour has emerged when each of its rows is met: every seed paired, at least {TARGET_MIN_SEEDS} seeds, the target's one-sided exact sign-flip p (in its direction, beyond its minimum effect) below 0.05 after Holm's correction over this world's {} targets, and the world beyond its control in at least 4 of every 5 seeds.\n\n| behaviour | measure | control | direction, min. effect | difference [95% CI] | p | p (Holm) | seeds beyond | met |\n|---|---|---|---|---|---|---|---|---|\n",
        results.len()
    );
    for r in results {
        let t = &r.target;
        let dir = format!(
            "{} {}",
            match t.direction {
                Direction::Above => "above",
                Direction::Below => "below",
            },
            short(t.min_effect)
        );
        match &r.row {
            Some(row) => {
                let c = &row.c;
                let _ = writeln!(
                    md,
                    "| {} | `{}` | {} | {dir} | {} [{}, {}] | {} | {} | {}/{}{} | {} |",
                    t.behaviour,
                    t.measure,
                    t.control,
                    short(c.difference),
                    short(c.ci_low),
                    short(c.ci_high),
                    short(r.p),
                    short(r.p_holm),
                    r.seeds_beyond(),
                    c.seeds,
                    if c.paired { "" } else { " unpaired" },
                    if r.met() { "yes" } else { "no" }
                );
            }
            None => {
                let _ = writeln!(
                    md,
                    "| {} | `{}` | {} | {dir} | – | – | – | – | no data |",
                    t.behaviour, t.measure, t.control
                );
            }
        }
    }
    let met = behaviours_met(results);
    let _ = writeln!(
        md,
        "\nBehaviours met: {}.",
        if met.is_empty() {
            "none".to_string()
        } else {
            met.join(", ")
        }
    );
    md
}
