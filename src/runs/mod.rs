//! The run folder, read and written in one place: what `silico run` leaves there
//! (`summary.json`, `metrics.csv`), the output folders' safety rules ([`outdir`]), and the
//! finding of runs under a folder. Everything above (experiments, forks, reports, the app)
//! reads runs through this module.

pub mod files;
pub mod outdir;

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use crate::config::{Brain, Config, MessageControl};
use crate::sim::BackendKind;

/// What a run's `summary.json` says: written once by `silico run` when it stops, read by
/// every command that asks whether a run is done. Fields after `ticks` default when a
/// summary written before them lacks them.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Summary {
    /// The tick the run reached (counting any run it resumed).
    pub ticks: u64,
    /// Ticks this invocation ran.
    #[serde(default)]
    pub ticks_run: u64,
    #[serde(default)]
    pub wall_s: f64,
    #[serde(default)]
    pub ticks_per_s: f64,
    #[serde(default)]
    pub agent_ticks_per_s: f64,
    #[serde(default)]
    pub population: u64,
    #[serde(default)]
    pub state_hash: String,
    #[serde(default)]
    pub adapter: String,
    #[serde(default)]
    pub backend: Option<BackendKind>,
    #[serde(default)]
    pub config_digest: String,
    #[serde(default)]
    pub resumed_from: Option<String>,
    /// Stopped early by a signal or Ctrl-C.
    #[serde(default)]
    pub interrupted: bool,
}

/// What a run folder holds of a summary.
pub enum SummaryState {
    /// No summary.json: not run, still running, or killed.
    Missing,
    Unreadable(String),
    Read(Summary),
}

impl Summary {
    pub fn path(dir: &Path) -> PathBuf {
        dir.join("summary.json")
    }

    pub fn write(&self, dir: &Path) -> Result<()> {
        let path = Self::path(dir);
        fs::write(&path, serde_json::to_string_pretty(self)?)
            .with_context(|| format!("cannot write {}", path.display()))
    }

    pub fn read(dir: &Path) -> SummaryState {
        let path = Self::path(dir);
        let Ok(text) = fs::read_to_string(&path) else {
            return SummaryState::Missing;
        };
        match serde_json::from_str(&text) {
            Ok(s) => SummaryState::Read(s),
            Err(e) => SummaryState::Unreadable(format!("{}: {e}", path.display())),
        }
    }

    /// The summary of a run that ended by itself (not interrupted), if there is one.
    pub fn finished(dir: &Path) -> Option<Summary> {
        match Self::read(dir) {
            SummaryState::Read(s) if !s.interrupted => Some(s),
            _ => None,
        }
    }

    /// Whether the run in `dir` ended by itself at tick `ticks` or later: the one meaning
    /// of "done" for experiments and forks alike.
    pub fn reached(dir: &Path, ticks: u64) -> bool {
        Self::finished(dir).is_some_and(|s| s.ticks >= ticks)
    }
}

/// One run's metrics.
pub struct Run {
    pub dir: PathBuf,
    pub label: String,
    /// A control run (a mechanic off, or a Random/Zero brain): drawn dashed.
    pub control: bool,
    pub control_what: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<f64>>,
}

impl Run {
    pub fn load(dir: &Path, label: String) -> Result<Self> {
        let files::MetricsTable { header, rows } =
            files::MetricsTable::read(&dir.join("metrics.csv"))?;
        let (control, control_what) = match Config::load(&dir.join("config.ron")) {
            Ok(cfg) => describe_control(&cfg),
            Err(_) => (false, String::new()),
        };
        Ok(Self {
            dir: dir.to_path_buf(),
            label,
            control,
            control_what,
            header,
            rows,
        })
    }

    pub fn column(&self, name: &str) -> Option<Vec<(f64, f64)>> {
        let k = self.header.iter().position(|h| h == name)?;
        Some(self.rows.iter().map(|r| (r[0], r[k])).collect())
    }

    /// A column's values over the second half of the run (ticks after half the last one);
    /// None when the column is missing or the half is empty.
    pub fn second_half(&self, name: &str) -> Option<Vec<f64>> {
        let last = self.rows.last()?[0];
        let v: Vec<f64> = self
            .column(name)?
            .into_iter()
            .filter(|(t, _)| *t > last / 2.0)
            .map(|(_, v)| v)
            .collect();
        (!v.is_empty()).then_some(v)
    }
}

/// How a run folder's run ended, from its summary.json: at its last tick, stopped early
/// (a signal or Ctrl-C), or not at all (no summary: still running, or killed).
pub fn ending(dir: &Path) -> &'static str {
    match Summary::read(dir) {
        SummaryState::Missing => "**unfinished** (no summary.json)",
        SummaryState::Unreadable(_) => "**unreadable summary.json**",
        SummaryState::Read(s) if s.interrupted => "**interrupted**",
        SummaryState::Read(_) => "finished",
    }
}

/// Whether a config is a control run, and which.
pub fn describe_control(cfg: &Config) -> (bool, String) {
    let mut what = Vec::new();
    match cfg.controls.messages {
        MessageControl::On => {}
        MessageControl::Off => what.push("messages off"),
        MessageControl::Shuffled => what.push("messages shuffled"),
    }
    if !cfg.controls.programming.is_on() {
        what.push("programming off");
    }
    if !cfg.controls.terraform.is_on() {
        what.push("terraform off");
    }
    if !cfg.controls.bots.is_on() {
        what.push("bots off");
    }
    match cfg.brain {
        Brain::Random => what.push("random brain"),
        Brain::Zero => what.push("zero brain"),
        _ => {}
    }
    (!what.is_empty(), what.join(", "))
}

/// Every run directory (one holding metrics.csv) under the given paths, with a label made
/// of its path below the argument it was found in.
pub fn find_runs(dirs: &[PathBuf]) -> Result<Vec<(PathBuf, String)>> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<(PathBuf, String)>) -> Result<()> {
        if dir.join("metrics.csv").is_file() {
            let rel = dir.strip_prefix(root).unwrap_or(dir);
            let label = if rel.as_os_str().is_empty() {
                dir.file_name()
                    .map_or("run".into(), |n| n.to_string_lossy().into_owned())
            } else {
                rel.to_string_lossy().into_owned()
            };
            out.push((dir.to_path_buf(), label));
            return Ok(());
        }
        let mut entries: Vec<PathBuf> = fs::read_dir(dir)
            .with_context(|| format!("cannot read directory {}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_dir())
            .collect();
        entries.sort();
        for e in entries {
            walk(&e, root, out)?;
        }
        Ok(())
    }
    let mut out = Vec::new();
    for d in dirs {
        if !d.is_dir() {
            bail!(
                "{} is not a directory (give run or experiment directories)",
                d.display()
            );
        }
        let before = out.len();
        walk(d, d, &mut out)?;
        if out.len() == before {
            bail!("{} holds no run (no metrics.csv below it)", d.display());
        }
    }
    Ok(out)
}

/// An experiment folder's runs, `<variant>/seed-<s>/`: (variant, seed, run folder), by
/// variant name and then seed.
pub fn experiment_runs(dir: &Path) -> Result<Vec<(String, u64, PathBuf)>> {
    let mut variants: Vec<PathBuf> = fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    variants.sort();
    let mut out = Vec::new();
    for vdir in variants {
        let variant = vdir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let mut seeds: Vec<(u64, PathBuf)> = fs::read_dir(&vdir)
            .with_context(|| format!("cannot read {}", vdir.display()))?
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
        out.extend(seeds.into_iter().map(|(s, p)| (variant.clone(), s, p)));
    }
    Ok(out)
}
