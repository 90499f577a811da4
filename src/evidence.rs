//! An experiment's evidence across seeds: every world against its controls, every share
//! against its built-in chance level, and every knockout's evolved dependence, written to
//! DIR/stats.csv and summed up per behaviour as verdict tables (`silico collect`,
//! `silico report`).
//!
//! Each run contributes one value per measure: its mean over the second half of the run
//! (rows after half its last tick), when the population has had time to evolve; for the
//! shares in `WEIGHTED`, the mean weighted by the food they are shares of. Knockouts
//! contribute each seed's mean loss over its replicates (`ablate`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::experiment::ExperimentFile;
use crate::stats::{compare, Comparison};

/// The header of DIR/stats.csv.
pub const STATS_HEADER: &str =
    "measure,world,control,world_mean,control_mean,difference,ci_low,ci_high,p_value,seeds_above,seeds";

/// The measures compared between a world and its controls, by behaviour.
pub const BEHAVIOURS: &[(&str, &[&str])] = &[
    (
        "Agriculture",
        &[
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

/// The `control` of a row comparing a measure with its own chance level.
pub const CHANCE: &str = "chance";
/// The `control` of a knockout row: the naive population's loss.
pub const NAIVE: &str = "naive";

/// One line of stats.csv.
#[derive(Clone, Debug, PartialEq)]
pub struct StatRow {
    pub measure: String,
    pub world: String,
    pub control: String,
    pub c: Comparison,
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

    /// Above its control at the 5% level, with the interval above 0.
    pub fn verdict(&self) -> &'static str {
        let c = &self.c;
        if c.p_value < 0.05 && c.ci_low > 0.0 {
            "above"
        } else if c.ci_high < 0.0 {
            "below"
        } else if c.p_value.is_nan() {
            "no data"
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
    let mut variants: Vec<PathBuf> = fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    variants.sort();
    for vdir in variants {
        let variant = vdir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let mut seeds: Vec<(u64, PathBuf)> = fs::read_dir(&vdir)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter_map(|p| {
                let s = p
                    .file_name()?
                    .to_str()?
                    .strip_prefix("seed-")?
                    .parse()
                    .ok()?;
                Some((s, p))
            })
            .collect();
        seeds.sort();
        for (seed, run_dir) in seeds {
            let finished = fs::read_to_string(run_dir.join("summary.json"))
                .ok()
                .and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok())
                .is_some_and(|v| v["interrupted"] != true);
            if !finished {
                continue;
            }
            let run = crate::report::Run::load(&run_dir, variant.clone())?;
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
            let ablation = run_dir.join("ablate");
            out.push(SeedRun {
                variant: variant.clone(),
                seed,
                means,
                ablation: ablation.join("knockouts.csv").is_file().then_some(ablation),
            });
        }
    }
    Ok(out)
}

/// Whether a variant's config is a control run (a mechanic out, or a Random/Zero brain).
fn is_control(dir: &Path, variant: &str) -> bool {
    Config::load(&dir.join(variant).join("config.ron"))
        .map(|cfg| crate::report::describe_control(&cfg).0)
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

/// Every comparison of an experiment directory.
pub fn stats(dir: &Path) -> Result<Vec<StatRow>> {
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
        };
    let pairs = control_pairs(dir, &variants, file.as_ref());
    for (world, control) in &pairs {
        for (_, measures) in BEHAVIOURS {
            for m in *measures {
                let w = per_seed(&runs, world, m);
                let c = per_seed(&runs, control, m);
                if !w.is_empty() && !c.is_empty() {
                    rows.push(row(m, world, control, &w, &c));
                }
            }
        }
    }
    let controls: Vec<&String> = pairs.iter().map(|p| &p.1).collect();
    for v in variants.iter().filter(|v| !controls.contains(v)) {
        for (m, chance) in CHANCE_COLUMNS {
            let w = per_seed(&runs, v, m);
            let c = per_seed(&runs, v, chance);
            if !w.is_empty() && !c.is_empty() {
                rows.push(row(m, v, CHANCE, &w, &c));
            }
        }
        // Knockouts: per seed, the evolved population's mean loss against the naive one's.
        let mut by_knockout: BTreeMap<(String, String), (Seeds, Seeds)> = BTreeMap::new();
        for r in runs.iter().filter(|r| &r.variant == v) {
            let Some(ablation) = &r.ablation else {
                continue;
            };
            for l in crate::ablate::read_losses(ablation)? {
                let e = by_knockout.entry((l.knockout, l.fitness)).or_default();
                e.0.push((r.seed, l.evolved_loss));
                e.1.push((
                    r.seed,
                    if l.naive_loss.is_nan() {
                        0.0
                    } else {
                        l.naive_loss
                    },
                ));
            }
        }
        for ((knockout, fitness), (evolved, naive)) in by_knockout {
            let measure = format!("knockout:{knockout}:{fitness}");
            rows.push(row(&measure, v, NAIVE, &evolved, &naive));
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

/// DIR/stats.csv.
pub fn write_stats(dir: &Path, rows: &[StatRow]) -> Result<PathBuf> {
    let mut csv = format!("{STATS_HEADER}\n");
    for r in rows {
        let c = &r.c;
        let _ = writeln!(
            csv,
            "{},{},{},{},{},{},{},{},{},{},{}",
            r.measure,
            r.world,
            r.control,
            num(c.world_mean),
            num(c.control_mean),
            num(c.difference),
            num(c.ci_low),
            num(c.ci_high),
            num(c.p_value),
            c.seeds_above,
            c.seeds
        );
    }
    let path = dir.join("stats.csv");
    fs::write(&path, csv).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path)
}

fn short(v: f64) -> String {
    if v.is_nan() {
        "–".into()
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
        "## Verdicts across seeds\n\nEach row: a world's measure against a control (another variant, the measure's own chance level, or for knockouts the naive population's loss), one value per seed: the mean over the second half of each run. Difference = world − control; the 95% interval is bootstrapped over seeds; p is one-sided (world above control), by an exact permutation test over seeds. \"above\" needs p < 0.05 and the interval above 0.\n",
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
            "\n### {behaviour}\n\n| measure | world | control | world | control | difference [95% CI] | p | seeds above | verdict |\n|---|---|---|---|---|---|---|---|---|"
        );
        for r in these {
            let c = &r.c;
            let _ = writeln!(
                md,
                "| `{}` | {} | {} | {} | {} | {} [{}, {}] | {} | {}/{} | {} |",
                r.measure,
                r.world,
                r.control,
                short(c.world_mean),
                short(c.control_mean),
                short(c.difference),
                short(c.ci_low),
                short(c.ci_high),
                short(c.p_value),
                c.seeds_above,
                c.seeds,
                r.verdict()
            );
        }
    }
    md
}

/// One test a behaviour must pass to count as emerged: `measure` of the world above
/// `control` (a variant, `chance` or, for a knockout, `naive`) across seeds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub behaviour: String,
    pub measure: String,
    pub control: String,
}

/// The standard targets: per behaviour, its attributed or causal measure against its sharp
/// control (own harvest and programmer benefit against a `brain: Random` world, which
/// beats their built-in chance levels by mechanics alone; message influence against
/// shuffled messages), and its evolved dependence from the knockout forks against the
/// naive population's (food eaten per agent-tick).
pub fn standard_targets() -> Vec<Target> {
    let t = |behaviour: &str, measure: &str, control: &str| Target {
        behaviour: behaviour.into(),
        measure: measure.into(),
        control: control.into(),
    };
    vec![
        t("Agriculture", "agri_own_harvest_share", "random-brain"),
        t(
            "Agriculture",
            "knockout:terraform-off:eaten_per_agent_tick",
            NAIVE,
        ),
        t("Communication", "comm_influence_changed", "shuffled"),
        t(
            "Communication",
            "knockout:messages-shuffled:eaten_per_agent_tick",
            NAIVE,
        ),
        t("Tool use", "tool_programmer_benefit", "random-brain"),
        t(
            "Tool use",
            "knockout:programming-off:eaten_per_agent_tick",
            NAIVE,
        ),
    ]
}

/// Seeds a target needs data from: a claim rests on at least 5.
pub const TARGET_MIN_SEEDS: usize = 5;

/// A target met: at least 5 seeds with data, one-sided p < 0.05, the interval above 0, and
/// the world above its control in at least 4 of every 5 seeds.
pub fn target_met(c: &Comparison) -> bool {
    c.seeds >= TARGET_MIN_SEEDS
        && c.p_value < 0.05
        && c.ci_low > 0.0
        && 5 * c.seeds_above >= 4 * c.seeds
}

/// How one world fared on one target (None: no such row, e.g. a control never run).
#[derive(Clone, Debug)]
pub struct TargetResult {
    pub target: Target,
    pub row: Option<StatRow>,
}

impl TargetResult {
    pub fn met(&self) -> bool {
        self.row.as_ref().is_some_and(|r| target_met(&r.c))
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

/// The targets tables of every world of an experiment directory: its recorded experiment's
/// targets, or the standard ones.
pub fn targets_tables(dir: &Path, rows: &[StatRow]) -> String {
    let targets = recorded_experiment(dir)
        .map(|f| f.targets)
        .filter(|t| !t.is_empty())
        .unwrap_or_else(standard_targets);
    let mut md = String::new();
    for world in worlds(rows) {
        md.push('\n');
        md.push_str(&targets_table(&world, &assess(rows, &world, &targets)));
    }
    md
}

/// The targets as they stand for world variant `world`.
pub fn assess(rows: &[StatRow], world: &str, targets: &[Target]) -> Vec<TargetResult> {
    targets
        .iter()
        .map(|t| TargetResult {
            target: t.clone(),
            row: rows
                .iter()
                .find(|r| r.world == world && r.measure == t.measure && r.control == t.control)
                .cloned(),
        })
        .collect()
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
        "## Targets: `{world}`\n\nA behaviour has emerged when each of its rows is met: data from at least 5 seeds, one-sided p < 0.05 across them, the 95% interval above 0, and the world above its control in at least 4 of 5 seeds.\n\n| behaviour | measure | control | difference [95% CI] | p | seeds above | met |\n|---|---|---|---|---|---|---|\n"
    );
    for r in results {
        let t = &r.target;
        match &r.row {
            Some(row) => {
                let c = &row.c;
                let _ = writeln!(
                    md,
                    "| {} | `{}` | {} | {} [{}, {}] | {} | {}/{} | {} |",
                    t.behaviour,
                    t.measure,
                    t.control,
                    short(c.difference),
                    short(c.ci_low),
                    short(c.ci_high),
                    short(c.p_value),
                    c.seeds_above,
                    c.seeds,
                    if r.met() { "yes" } else { "no" }
                );
            }
            None => {
                let _ = writeln!(
                    md,
                    "| {} | `{}` | {} | – | – | – | no data |",
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
