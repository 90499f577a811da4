//! Experiments: one RON file names a base config, variants (sets of field overrides, in
//! `--set` syntax), seeds and run lengths. `silico experiment FILE --out DIR` runs every
//! (variant, seed) pair into `DIR/<variant>/seed-<s>/` (a `silico run` directory each),
//! skipping finished runs and resuming interrupted ones from their last checkpoint, then
//! writes `DIR/results.csv` and `DIR/summary.md`. `--shard I/N` runs the pairs whose index
//! is I modulo N, so N cluster jobs split an experiment without overlap; `silico collect
//! DIR` gathers what they wrote.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::batch::{self, BackendChoice, RunOptions};
use crate::config::Config;

/// The base config: a file (relative to the experiment file) or written inline.
pub use crate::science::plan::{is_directory_name, parse_ron, Base, ExperimentFile, Variant};

/// An experiment with every variant's config resolved and validated.
pub struct Experiment {
    pub name: String,
    pub file: ExperimentFile,
    /// (variant name, its config), in file order.
    pub configs: Vec<(String, Config)>,
}

/// One run of an experiment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pair {
    pub index: usize,
    pub variant: String,
    pub seed: u64,
}

impl Experiment {
    pub fn load(path: &Path) -> Result<Self> {
        let file: ExperimentFile = parse_ron(
            path,
            "an experiment is (base: Path(\"..\") or Inline((..)), variants: [(name: \"..\", set: [\"field=value\"])], seeds: [..], ticks: N, checkpoint_every: N)",
        )?;
        let name = path
            .file_stem()
            .map_or("experiment".into(), |s| s.to_string_lossy().into_owned());
        let base_dir = path.parent().unwrap_or(Path::new("."));
        Self::from_file(file, name, base_dir, &path.display().to_string())
    }

    /// An experiment from its parsed file: a `Path` base is relative to `base_dir`;
    /// `origin` names the file in error messages.
    pub fn from_file(
        file: ExperimentFile,
        name: String,
        base_dir: &Path,
        origin: &str,
    ) -> Result<Self> {
        let base = file.base.resolve(base_dir, origin)?;
        let mut problems = Vec::new();
        if file.variants.is_empty() {
            problems.push("variants is empty: give at least one (name: \"base\", set: [])".into());
        }
        if file.seeds.is_empty() {
            problems.push("seeds is empty: give at least one seed".into());
        }
        if file.ticks == 0 {
            problems.push("ticks = 0: runs need at least one tick".into());
        }
        if file.keep_checkpoints == Some(0) {
            problems.push(
                "keep_checkpoints = Some(0) would delete every checkpoint a stopped run resumes from: keep at least 1, or None to keep all".into(),
            );
        }
        let mut seen = std::collections::HashSet::new();
        let mut configs = Vec::new();
        for v in &file.variants {
            if !is_directory_name(&v.name) {
                problems.push(format!(
                    "variant name '{}' must be letters, digits, '-' or '_' (it names a directory)",
                    v.name
                ));
            }
            if !seen.insert(v.name.clone()) {
                problems.push(format!("variant '{}' is named twice", v.name));
            }
            let mut sets = v.set.clone();
            if let Some(m) = file.metrics_every {
                sets.push(format!("metrics_every={m}"));
            }
            match crate::world::with_overrides(&base, &sets) {
                Ok(cfg) => configs.push((v.name.clone(), cfg)),
                Err(e) => problems.push(format!("variant '{}': {e}", v.name)),
            }
        }
        let names: Vec<&str> = file.variants.iter().map(|v| v.name.as_str()).collect();
        for (world, control) in &file.controls {
            for name in [world, control] {
                if !names.contains(&name.as_str()) {
                    problems.push(format!(
                        "controls names '{name}', which is no variant (variants: {})",
                        names.join(", ")
                    ));
                }
            }
        }
        if let Some(spec) = &file.ablate {
            if let Err(errs) = spec.validate() {
                problems.extend(errs);
            }
            for v in &spec.variants {
                if !names.contains(&v.as_str()) {
                    problems.push(format!(
                        "ablate variants names '{v}', which is no variant (variants: {})",
                        names.join(", ")
                    ));
                }
            }
        }
        for t in &file.targets {
            let known = t.control == crate::science::evidence::CHANCE
                || t.control == crate::science::evidence::NAIVE
                || t.control == crate::science::evidence::PLACEBO
                || names.contains(&t.control.as_str());
            if !known {
                problems.push(format!(
                    "targets: control '{}' of {} is no variant, \"chance\", \"naive\" or \"placebo\"",
                    t.control, t.measure
                ));
            }
            if !(t.min_effect.is_finite() && t.min_effect >= 0.0) {
                problems.push(format!(
                    "targets: min_effect = {} of {} against {} is out of range: a finite effect size >= 0 in the measure's units",
                    t.min_effect, t.measure, t.control
                ));
            }
        }
        if !problems.is_empty() {
            bail!("{origin}:\n  {}", problems.join("\n  "));
        }
        Ok(Self {
            name,
            file,
            configs,
        })
    }

    /// The variants whose runs are forked by `ablate`: those it names, else every variant
    /// that is no control of another (by `controls`, or by its config).
    pub fn ablated_variants(&self) -> Vec<String> {
        let Some(spec) = &self.file.ablate else {
            return Vec::new();
        };
        if !spec.variants.is_empty() {
            return spec.variants.clone();
        }
        self.configs
            .iter()
            .filter(|(name, cfg)| {
                let named_control = self.file.controls.iter().any(|(_, c)| c == name);
                !named_control && !crate::runs::describe_control(cfg).0
            })
            .map(|(name, _)| name.clone())
            .collect()
    }

    /// Every (variant, seed) pair, variant-major, numbered.
    pub fn pairs(&self) -> Vec<Pair> {
        self.configs
            .iter()
            .flat_map(|(v, _)| self.file.seeds.iter().map(move |s| (v.clone(), *s)))
            .enumerate()
            .map(|(index, (variant, seed))| Pair {
                index,
                variant,
                seed,
            })
            .collect()
    }
}

/// The pairs shard `i` of `n` runs: index ≡ i (mod n). Shards partition the pairs.
pub fn shard(pairs: &[Pair], i: usize, n: usize) -> Vec<Pair> {
    pairs.iter().filter(|p| p.index % n == i).cloned().collect()
}

/// `I/N` with I < N.
pub fn parse_shard(s: &str) -> Result<(usize, usize), String> {
    let bad = || format!("--shard '{s}': write I/N with 0 <= I < N, e.g. 0/4");
    let (i, n) = s.split_once('/').ok_or_else(bad)?;
    let (i, n): (usize, usize) = (
        i.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if n == 0 || i >= n {
        return Err(bad());
    }
    Ok((i, n))
}

pub fn run_dir(out: &Path, p: &Pair) -> PathBuf {
    out.join(&p.variant).join(format!("seed-{}", p.seed))
}

/// What a run directory holds: done (its summary reached the experiment's ticks), a
/// checkpoint to resume from, or nothing yet.
enum Progress {
    Done,
    Resume(PathBuf),
    Fresh,
}

fn progress(dir: &Path, ticks: u64) -> Progress {
    if crate::runs::Summary::reached(dir, ticks) {
        return Progress::Done;
    }
    match crate::runs::files::periodic_checkpoints(&dir.join("checkpoints")).pop() {
        Some((_, p)) => Progress::Resume(p),
        None => Progress::Fresh,
    }
}

/// Run (or finish) the given pairs, `jobs` at a time; returns how many ran.
pub fn run(
    exp: &Experiment,
    out: &Path,
    pairs: &[Pair],
    jobs: usize,
    backend: BackendChoice,
    quiet: bool,
) -> Result<usize> {
    run_many(&[(exp, out, pairs.to_vec())], jobs, backend, quiet)
}

/// Write what collect and report read back (which variant controls which, the ablation,
/// each variant's config) into an experiment's directory.
fn prepare(exp: &Experiment, out: &Path) -> Result<()> {
    fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    fs::write(
        out.join("experiment.ron"),
        ron::ser::to_string_pretty(&exp.file, Default::default())?,
    )
    .with_context(|| format!("cannot write {}/experiment.ron", out.display()))?;
    // The targets as declared before any run: the first registration stands, so a later
    // change to them shows in every table.
    let targets = crate::science::targets::targets_or_standard(&exp.file.targets);
    crate::science::verdict::register(out, &targets)?;
    for (name, cfg) in &exp.configs {
        let dir = out.join(name);
        fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        fs::write(dir.join("config.ron"), cfg.to_ron())
            .with_context(|| format!("cannot write {}/config.ron", dir.display()))?;
    }
    Ok(())
}

/// Run (or finish) the pairs of several experiments, each into its own directory, `jobs`
/// at a time, in the order given (a run starts when a job is free, so the first
/// experiments finish first); returns how many ran.
///
/// Long because the job pool, the progress bar and the stop flag are shared by every
/// run and its forks.
pub fn run_many(
    work: &[(&Experiment, &Path, Vec<Pair>)],
    jobs: usize,
    backend: BackendChoice,
    quiet: bool,
) -> Result<usize> {
    let mut locks = Vec::new();
    for (exp, out, _) in work {
        fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
        locks.push(crate::runs::outdir::lock(out)?);
        prepare(exp, out)?;
    }
    let queue: Vec<(&Experiment, &Path, &Pair, Vec<String>)> = work
        .iter()
        .flat_map(|(exp, out, pairs)| {
            let ablated = exp.ablated_variants();
            pairs.iter().map(move |p| (*exp, *out, p, ablated.clone()))
        })
        .collect();
    let bar = if quiet {
        indicatif::ProgressBar::hidden()
    } else {
        let b = indicatif::ProgressBar::new(queue.len() as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{elapsed_precise} [{bar:30}] {pos}/{len} runs  eta {eta}  {msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        b
    };
    let one = |(exp, out, p, ablated): &(&Experiment, &Path, &Pair, Vec<String>)| -> Result<bool> {
        let dir = run_dir(out, p);
        let ticks = exp.file.ticks;
        let ablation = exp
            .file
            .ablate
            .as_ref()
            .filter(|_| ablated.contains(&p.variant));
        let ablate = |dir: &Path| -> Result<()> {
            if let Some(spec) = ablation {
                crate::science::ablate::ablate(&crate::science::ablate::AblateOptions {
                    checkpoint: dir.join("final.silico"),
                    spec: spec.clone(),
                    out: dir.join("ablate"),
                    backend,
                    quiet: true,
                })
                .with_context(|| format!("knockout forks of {} seed {}", p.variant, p.seed))?;
            }
            Ok(())
        };
        let resume = match progress(&dir, ticks) {
            Progress::Done => {
                return match ablate(&dir) {
                    Err(_) if batch::stop_requested() => Ok(false),
                    r => r.map(|()| false),
                };
            }
            Progress::Resume(c) => Some(c),
            Progress::Fresh => None,
        };
        let cfg_path = out.join(&p.variant).join("config.ron");
        bar.set_message(format!("{} {} seed {}", exp.name, p.variant, p.seed));
        let fresh = resume.is_none();
        batch::run(&RunOptions {
            seed: fresh.then_some(p.seed),
            out: Some(dir.clone()),
            // A run killed before its first checkpoint starts again; what it had
            // written is moved aside, not deleted.
            overwrite: fresh,
            checkpoint_every: exp.file.checkpoint_every,
            keep_checkpoints: exp.file.keep_checkpoints,
            resume,
            backend,
            quiet: true,
            frames_every: exp.file.frames_every,
            ..RunOptions::new(fresh.then_some(cfg_path), ticks)
        })
        .with_context(|| format!("run {} seed {} ({})", p.variant, p.seed, dir.display()))?;
        // Forks start only from a finished run: a run stopped by Ctrl-C or SIGTERM has a
        // final.silico short of its ticks, and forking it would pin its ablate/ folder to
        // that checkpoint, which the finished run's forks are then refused.
        if !crate::runs::Summary::reached(&dir, ticks) {
            return Ok(false);
        }
        match ablate(&dir) {
            // Interrupted forks are finished by the next run of the experiment.
            Err(_) if batch::stop_requested() => Ok(false),
            r => r.map(|()| true),
        }
    };
    // Jobs take the next run from one counter, so runs start in queue order. After Ctrl-C
    // or SIGTERM the runs under way checkpoint and stop, and no further run starts.
    batch::install_stop_handler();
    let next = std::sync::atomic::AtomicUsize::new(0);
    // A failed run does not stop the others; the first error is returned at the end.
    let results: Vec<Result<usize>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..jobs.clamp(1, queue.len().max(1)))
            .map(|_| {
                scope.spawn(|| -> Result<usize> {
                    let (mut ran, mut first_error) = (0, None);
                    loop {
                        let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let item = queue.get(k).filter(|_| !batch::stop_requested());
                        let Some(item) = item else {
                            return first_error.map_or(Ok(ran), Err);
                        };
                        let r = one(item);
                        bar.inc(1);
                        match r {
                            Ok(b) => ran += usize::from(b),
                            Err(e) => {
                                first_error.get_or_insert(e);
                            }
                        }
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| {
                w.join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("a job thread panicked")))
            })
            .collect()
    });
    bar.finish_and_clear();
    drop(locks);
    let mut ran = 0;
    for r in results {
        ran += r?;
    }
    Ok(ran)
}

/// The measures results.csv and summary.md report: the report's groups.
fn measures() -> Vec<&'static str> {
    crate::science::report::GROUPS
        .iter()
        .flat_map(|(_, _, c)| c.iter().copied())
        .collect()
}

/// One finished run's line of results.csv.
struct RunResult {
    variant: String,
    seed: u64,
    ticks: u64,
    wall_s: f64,
    ticks_per_s: f64,
    state_hash: String,
    finals: Vec<f64>,
    means: Vec<f64>,
}

/// DIR/results.csv: a row per run, each measure's final value and mean over the run.
fn write_results_csv(path: &Path, names: &[&str], runs: &[RunResult]) -> Result<()> {
    let header = [
        "variant",
        "seed",
        "ticks",
        "wall_s",
        "ticks_per_s",
        "state_hash",
    ]
    .map(String::from)
    .into_iter()
    .chain(
        names
            .iter()
            .flat_map(|n| [format!("final_{n}"), format!("mean_{n}")]),
    );
    let rows = runs.iter().map(|r| {
        [
            r.variant.clone(),
            r.seed.to_string(),
            r.ticks.to_string(),
            format!("{:.3}", r.wall_s),
            format!("{:.2}", r.ticks_per_s),
            r.state_hash.clone(),
        ]
        .into_iter()
        .chain(
            r.finals
                .iter()
                .zip(&r.means)
                .flat_map(|(f, m)| [f.to_string(), m.to_string()]),
        )
        .collect::<Vec<String>>()
    });
    crate::runs::files::write_csv(path, header, rows)
}

/// Gather every finished run under DIR (`<variant>/seed-<s>/summary.json`) into
/// DIR/results.csv and DIR/summary.md; returns the number of runs.
pub fn collect(out: &Path) -> Result<usize> {
    let is_experiment = out.join("experiment.ron").is_file()
        || fs::read_dir(out).into_iter().flatten().flatten().any(|v| {
            fs::read_dir(v.path())
                .into_iter()
                .flatten()
                .flatten()
                .any(|s| {
                    s.file_name().to_string_lossy().starts_with("seed-")
                        && crate::runs::Summary::path(&s.path()).is_file()
                })
        });
    if !is_experiment {
        bail!(
            "{} is not an experiment folder (no experiment.ron and no <variant>/seed-<s>/ runs): give the --out folder of `silico experiment`; nothing was written",
            out.display()
        );
    }
    let mut runs = Vec::new();
    let names = measures();
    for (variant, seed, dir) in crate::runs::experiment_runs(out)? {
        let summary = match crate::runs::Summary::read(&dir) {
            crate::runs::SummaryState::Missing => continue,
            crate::runs::SummaryState::Unreadable(e) => bail!("{e}"),
            crate::runs::SummaryState::Read(s) if s.interrupted => continue,
            crate::runs::SummaryState::Read(s) => s,
        };
        let run = crate::runs::Run::load(&dir, variant.clone())?;
        let mut finals = Vec::new();
        let mut means = Vec::new();
        for n in &names {
            let pts = run.column(n).unwrap_or_default();
            finals.push(pts.last().map_or(f64::NAN, |p| p.1));
            means.push(if pts.is_empty() {
                f64::NAN
            } else {
                pts.iter().map(|p| p.1).sum::<f64>() / pts.len() as f64
            });
        }
        runs.push(RunResult {
            variant: variant.clone(),
            seed,
            ticks: summary.ticks,
            wall_s: summary.wall_s,
            ticks_per_s: summary.ticks_per_s,
            state_hash: summary.state_hash,
            finals,
            means,
        });
    }
    write_results_csv(&out.join("results.csv"), &names, &runs)?;
    let mut md = format!(
        "# Experiment summary\n\n{} finished run(s). Per variant, the mean ± standard deviation over seeds of each measure's mean over its run (n = seeds).\n\n| measure |",
        runs.len()
    );
    let mut groups: Vec<String> = runs.iter().map(|r| r.variant.clone()).collect();
    groups.dedup();
    for g in &groups {
        let n = runs.iter().filter(|r| &r.variant == g).count();
        let _ = write!(md, " {g} (n={n}) |");
    }
    let _ = write!(md, "\n|---|");
    for _ in &groups {
        md.push_str("---|");
    }
    md.push('\n');
    for (k, n) in names.iter().enumerate() {
        let _ = write!(md, "| `{n}` |");
        for g in &groups {
            let xs: Vec<f64> = runs
                .iter()
                .filter(|r| &r.variant == g)
                .map(|r| r.means[k])
                .filter(|x| x.is_finite())
                .collect();
            let (mean, sd) = crate::science::stats::mean_sd(&xs);
            let _ = write!(md, " {mean:.4} ± {sd:.4} |");
        }
        md.push('\n');
    }
    let stats = crate::science::verdict::stats(out)?;
    crate::science::evidence::write_stats(out, &stats)?;
    md.push('\n');
    md.push_str(&crate::science::verdict::verdict_tables(&stats));
    md.push_str(&crate::science::verdict::targets_tables(out, &stats));
    fs::write(out.join("summary.md"), md)
        .with_context(|| format!("cannot write {}/summary.md", out.display()))?;
    Ok(runs.len())
}

/// A Slurm job-array script whose task k runs shard k of `shards`.
pub fn slurm_script(exp_file: &Path, out: &Path, shards: usize, binary: &Path) -> String {
    format!(
        "#!/bin/bash\n\
         # Written by `silico experiment --emit-slurm`: task k of the array runs shard k of {shards};\n\
         # afterwards `silico collect {out}` gathers results.csv and summary.md.\n\
         #SBATCH --job-name=silico-{name}\n\
         #SBATCH --array=0-{last}\n\
         #SBATCH --output={out}/slurm-%A_%a.out\n\
         #SBATCH --cpus-per-task=2\n\
         set -euo pipefail\n\
         \"{bin}\" experiment \"{file}\" --out \"{out}\" --quiet \\\n  --shard \"$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT\"\n",
        name = exp_file
            .file_stem()
            .map_or("experiment".into(), |s| s.to_string_lossy().into_owned()),
        last = shards.saturating_sub(1),
        out = out.display(),
        bin = binary.display(),
        file = exp_file.display(),
    )
}
