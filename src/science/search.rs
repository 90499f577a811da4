//! `silico search FILE --out DIR`: which world design lets the behaviours emerge? A search
//! file names a base config, candidate designs (sets of field overrides) and the controls
//! every design runs beside (e.g. shuffled messages). Each design becomes an experiment in
//! `DIR/<design>/` (its world as variant `world`, each control as its own variant, knockout
//! forks of the world's runs), all run `--jobs` at a time in file order, resumable like any
//! experiment. Each design is then scored on the targets (`targets::standard_targets`
//! unless the file gives its own) and the designs are ranked in `DIR/search.md` and
//! `DIR/search.csv`.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use crate::batch::BackendChoice;
use crate::science::ablate::AblateSpec;
use crate::science::experiment::{Base, Experiment, ExperimentFile, Variant};
use crate::science::targets::Target;
use crate::science::verdict::TargetResult;

/// The variant name of a design's own world in its experiment.
pub const WORLD: &str = "world";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchFile {
    /// The config every design starts from (a path relative to the search file, or inline).
    pub base: Base,
    /// Overrides of the base that every design shares (e.g. a measure's setting).
    #[serde(default)]
    pub set: Vec<String>,
    /// The candidate worlds: each a name (its directory) and overrides of the base.
    pub designs: Vec<Variant>,
    /// Run beside every design, with the design's overrides and then their own, and
    /// compared with it (a target's `control` names one of them).
    #[serde(default)]
    pub controls: Vec<Variant>,
    pub seeds: Vec<u64>,
    pub ticks: u64,
    #[serde(default)]
    pub checkpoint_every: u64,
    #[serde(default)]
    pub metrics_every: Option<u32>,
    /// Knockout forks of each design's world runs.
    #[serde(default)]
    pub ablate: Option<AblateSpec>,
    /// Empty: the standard targets.
    #[serde(default)]
    pub targets: Vec<Target>,
}

/// A search with every design's experiment built and validated.
pub struct Search {
    pub file: SearchFile,
    /// (design, its experiment), in file order.
    pub designs: Vec<(Variant, Experiment)>,
    pub targets: Vec<Target>,
}

impl Search {
    pub fn load(path: &Path) -> Result<Self> {
        let file: SearchFile = crate::science::experiment::parse_ron(
            path,
            "a search is (base: Path(\"..\"), designs: [(name: \"..\", set: [\"field=value\"])], controls: [(name: \"shuffled\", set: [\"controls.messages=Shuffled\"])], seeds: [..], ticks: N)",
        )?;
        let base_dir = path.parent().unwrap_or(Path::new("."));
        Self::from_file(file, base_dir, &path.display().to_string())
    }

    pub fn from_file(file: SearchFile, base_dir: &Path, origin: &str) -> Result<Self> {
        let base = file.base.resolve(base_dir, origin)?;
        let base = crate::world::with_overrides(&base, &file.set)
            .map_err(|e| anyhow::anyhow!("{origin}: set: {e}"))?;
        let mut problems = Vec::new();
        if file.designs.is_empty() {
            problems.push("designs is empty: give at least one (name: \"..\", set: [..])".into());
        }
        if let Some(c) = file.controls.iter().find(|c| c.name == WORLD) {
            problems.push(format!(
                "control '{}': the name '{WORLD}' is each design's own world; choose another",
                c.name
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for d in &file.designs {
            if !crate::science::experiment::is_directory_name(&d.name) {
                problems.push(format!(
                    "design name '{}' must be letters, digits, '-' or '_' (it names a directory)",
                    d.name
                ));
            }
            if !seen.insert(d.name.clone()) {
                problems.push(format!("design '{}' is named twice", d.name));
            }
        }
        let targets = crate::science::targets::targets_or_standard(&file.targets);
        let mut designs = Vec::new();
        for d in &file.designs {
            let cfg = match crate::world::with_overrides(&base, &d.set) {
                Ok(cfg) => cfg,
                Err(e) => {
                    problems.push(format!("design '{}': {e}", d.name));
                    continue;
                }
            };
            let mut variants = vec![Variant {
                name: WORLD.into(),
                set: Vec::new(),
            }];
            variants.extend(file.controls.iter().cloned());
            let exp_file = ExperimentFile {
                base: Base::Inline(Box::new(cfg)),
                variants,
                seeds: file.seeds.clone(),
                ticks: file.ticks,
                checkpoint_every: file.checkpoint_every,
                keep_checkpoints: Some(2),
                metrics_every: file.metrics_every,
                frames_every: 0,
                controls: file
                    .controls
                    .iter()
                    .map(|c| (WORLD.to_string(), c.name.clone()))
                    .collect(),
                ablate: file.ablate.clone().map(|a| AblateSpec {
                    variants: vec![WORLD.into()],
                    ..a
                }),
                targets: targets.clone(),
            };
            match Experiment::from_file(
                exp_file,
                d.name.clone(),
                base_dir,
                &format!("{origin}: design '{}'", d.name),
            ) {
                Ok(exp) => designs.push((d.clone(), exp)),
                Err(e) => problems.push(format!("{e:#}")),
            }
        }
        if !problems.is_empty() {
            bail!("{origin}:\n  {}", problems.join("\n  "));
        }
        Ok(Self {
            file,
            designs,
            targets,
        })
    }

    /// Run (or finish) every design's runs and forks, `jobs` at a time; returns how many
    /// runs ran.
    pub fn run(
        &self,
        out: &Path,
        jobs: usize,
        backend: BackendChoice,
        quiet: bool,
    ) -> Result<usize> {
        let dirs: Vec<PathBuf> = self
            .designs
            .iter()
            .map(|(d, _)| out.join(&d.name))
            .collect();
        let work: Vec<(&Experiment, &Path, Vec<crate::science::experiment::Pair>)> = self
            .designs
            .iter()
            .zip(&dirs)
            .map(|((_, exp), dir)| (exp, dir.as_path(), exp.pairs()))
            .collect();
        crate::science::experiment::run_many(&work, jobs, backend, quiet)
    }

    /// Score every design with finished runs and write DIR/search.md and DIR/search.csv.
    pub fn rank(&self, out: &Path) -> Result<Vec<Scored>> {
        let mut scored = Vec::new();
        for (order, (d, exp)) in self.designs.iter().enumerate() {
            let dir = out.join(&d.name);
            let expected = exp.pairs().len();
            let finished = if dir.is_dir() {
                crate::science::experiment::collect(&dir)?
            } else {
                0
            };
            let rows = if finished > 0 {
                crate::science::verdict::stats(&dir)?
            } else {
                Vec::new()
            };
            scored.push(Scored {
                order,
                design: d.clone(),
                finished,
                expected,
                results: crate::science::verdict::assess(&rows, WORLD, &self.targets),
            });
        }
        scored.sort_by(|a, b| {
            b.key()
                .partial_cmp(&a.key())
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(a.order.cmp(&b.order))
        });
        fs::write(out.join("search.md"), search_md(&self.file, &scored))
            .with_context(|| format!("cannot write {}/search.md", out.display()))?;
        write_search_csv(&out.join("search.csv"), &self.targets, &scored)?;
        Ok(scored)
    }
}

/// One design's standing.
#[derive(Clone, Debug)]
pub struct Scored {
    /// Its place in the search file.
    pub order: usize,
    pub design: Variant,
    pub finished: usize,
    pub expected: usize,
    pub results: Vec<TargetResult>,
}

impl Scored {
    pub fn behaviours_met(&self) -> Vec<String> {
        crate::science::verdict::behaviours_met(&self.results)
    }

    pub fn targets_met(&self) -> usize {
        self.results.iter().filter(|r| r.met()).count()
    }

    /// Share of seeds above their control, summed over the targets: the tie-break between
    /// designs that meet as many targets.
    pub fn seed_support(&self) -> f64 {
        self.results
            .iter()
            .filter_map(|r| Some((r, r.row.as_ref()?)))
            .filter(|(_, row)| row.c.seeds > 0)
            .map(|(r, row)| r.seeds_beyond() as f64 / row.c.seeds as f64)
            .sum()
    }

    /// Ranking: behaviours met, then targets met, then seed support (higher is better).
    fn key(&self) -> (usize, usize, f64) {
        (
            self.behaviours_met().len(),
            self.targets_met(),
            self.seed_support(),
        )
    }
}

fn cell(r: &TargetResult) -> String {
    match &r.row {
        None => "–".into(),
        Some(row) => {
            let c = &row.c;
            format!(
                "{}{:+.3} (p {:.3}, Holm {:.3}, {}/{}{})",
                if r.met() { "**met** " } else { "" },
                c.difference,
                r.p,
                r.p_holm,
                r.seeds_beyond(),
                c.seeds,
                if c.paired { "" } else { ", unpaired" }
            )
        }
    }
}

fn search_md(file: &SearchFile, scored: &[Scored]) -> String {
    let mut md = format!(
        "# Search: which world lets the behaviours emerge?\n\nEach design ran {} ticks over seeds {:?}, beside its controls ({}), with knockout forks of its world runs ({}). A cell is the world's difference from the control over seeds (the target's one-sided exact sign-flip p, that p after Holm's correction over the design's targets, seeds beyond / seeds); a target is met with every seed paired, at least 10 seeds, Holm-corrected p < 0.05 and at least 4 of 5 seeds beyond its control. Ranked by behaviours met, then targets met, then the share of seeds above summed over the targets.\n\n",
        file.ticks,
        file.seeds,
        if file.controls.is_empty() {
            "none".to_string()
        } else {
            file.controls
                .iter()
                .map(|c| format!("{}: {}", c.name, c.set.join(" ")))
                .collect::<Vec<_>>()
                .join("; ")
        },
        file.ablate.as_ref().map_or("none".to_string(), |a| format!(
            "{} ticks, {} replicate(s), naive {:?}",
            a.ticks, a.replicates, a.naive
        )),
    );
    let Some(first) = scored.first() else {
        return md;
    };
    md.push_str("| rank | design | changes | runs | behaviours met |");
    for r in &first.results {
        let _ = write!(
            md,
            " {}: `{}` vs {} |",
            r.target.behaviour, r.target.measure, r.target.control
        );
    }
    md.push_str("\n|---|---|---|---|---|");
    for _ in &first.results {
        md.push_str("---|");
    }
    md.push('\n');
    for (rank, s) in scored.iter().enumerate() {
        let met = s.behaviours_met();
        let _ = write!(
            md,
            "| {} | {} | {} | {}/{} | {} |",
            rank + 1,
            s.design.name,
            if s.design.set.is_empty() {
                "(base)".to_string()
            } else {
                s.design
                    .set
                    .iter()
                    .map(|x| format!("`{x}`"))
                    .collect::<Vec<_>>()
                    .join(" ")
            },
            s.finished,
            s.expected,
            if met.is_empty() {
                "none".to_string()
            } else {
                met.join(", ")
            }
        );
        for r in &s.results {
            let _ = write!(md, " {} |", cell(r));
        }
        md.push('\n');
    }
    md
}

/// A CSV field in quotes, its own quotes doubled (RFC 4180), so commas and quotes inside
/// an override (`scenario.name="a, b"`) stay in their column.
/// DIR/search.csv: the designs ranked, with each target's comparison.
fn write_search_csv(path: &Path, targets: &[Target], scored: &[Scored]) -> Result<()> {
    let fixed = [
        "rank",
        "design",
        "set",
        "runs_finished",
        "runs_expected",
        "behaviours_met",
        "targets_met",
    ];
    let header = fixed
        .map(String::from)
        .into_iter()
        .chain(targets.iter().flat_map(|t| {
            let k = format!("{}@{}", t.measure, t.control);
            [
                "difference",
                "ci_low",
                "p_value",
                "seeds_above",
                "seeds",
                "paired",
                "p_holm",
            ]
            .map(|f| format!("{k}:{f}"))
        }));
    let rows = scored.iter().enumerate().map(|(rank, s)| {
        let mut row = vec![
            (rank + 1).to_string(),
            s.design.name.clone(),
            s.design.set.join(" "),
            s.finished.to_string(),
            s.expected.to_string(),
            s.behaviours_met().join(";"),
            s.targets_met().to_string(),
        ];
        for r in &s.results {
            match &r.row {
                Some(row_) => {
                    let c = &row_.c;
                    row.extend([
                        c.difference.to_string(),
                        c.ci_low.to_string(),
                        r.p.to_string(),
                        r.seeds_beyond().to_string(),
                        c.seeds.to_string(),
                        c.paired.to_string(),
                        r.p_holm.to_string(),
                    ]);
                }
                None => {
                    row.extend(["NaN", "NaN", "NaN", "0", "0", "false", "NaN"].map(String::from))
                }
            }
        }
        row
    });
    crate::runs::files::write_csv(path, header, rows)
}
