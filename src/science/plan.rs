//! The experiment file: the base config, its variants and seeds, the forks and the
//! declared targets (`silico experiment FILE`; a search builds one per design), and the
//! RON parsing its errors name the file for.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::config::Config;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Base {
    Path(String),
    Inline(Box<Config>),
}

impl Base {
    /// The validated config: a `Path` is relative to `base_dir`; `origin` names the file
    /// in errors.
    pub fn resolve(&self, base_dir: &Path, origin: &str) -> Result<Config> {
        match self {
            Base::Path(p) => crate::world::load_config(&base_dir.join(p))
                .with_context(|| format!("{origin}: base config")),
            Base::Inline(cfg) => {
                crate::world::validate(cfg).map_err(|errs| {
                    anyhow::anyhow!("{origin}: base config:\n  {}", errs.join("\n  "))
                })?;
                Ok((**cfg).clone())
            }
        }
    }
}

/// Whether a variant's or design's name can name its directory: letters, digits, '-' and
/// '_', nothing that leaves the output folder.
pub fn is_directory_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// A RON file of experiments and searches (`Some` may be left out), its errors naming the
/// file, line and column, then `shape`: what such a file looks like.
pub fn parse_ron<T: serde::de::DeserializeOwned>(path: &Path, shape: &str) -> Result<T> {
    let text =
        fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    ron::Options::default()
        .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
        .from_str(&text)
        .map_err(|e| {
            anyhow::anyhow!(
                "{}:{}:{}: {} ({shape})",
                path.display(),
                e.span.start.line,
                e.span.start.col,
                e.code
            )
        })
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Variant {
    pub name: String,
    /// Field overrides, as `--set` takes them: "controls.messages=Off".
    #[serde(default)]
    pub set: Vec<String>,
}

fn default_keep_checkpoints() -> Option<u64> {
    Some(2)
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExperimentFile {
    pub base: Base,
    pub variants: Vec<Variant>,
    pub seeds: Vec<u64>,
    pub ticks: u64,
    /// Write a checkpoint every this many ticks (what an interrupted run resumes from).
    #[serde(default)]
    pub checkpoint_every: u64,
    /// Keep the newest this many periodic checkpoints of each run (2 by default; final.silico,
    /// which the forks start from, is always kept). None keeps every one.
    #[serde(default = "default_keep_checkpoints")]
    pub keep_checkpoints: Option<u64>,
    /// Overrides `metrics_every` of every run when given.
    #[serde(default)]
    pub metrics_every: Option<u32>,
    /// Save a world picture every this many ticks in each run (frames/ and frames.gif).
    #[serde(default)]
    pub frames_every: u64,
    /// Which variant is the control of which, as (world, control) pairs: `silico collect`
    /// and `silico report` compare each over seeds (stats.csv). Empty: every control
    /// variant (a mechanic off, or a Random/Zero brain) against the first that is none.
    #[serde(default)]
    pub controls: Vec<(String, String)>,
    /// Knockout forks from each run's final world (`silico ablate`), into
    /// `<variant>/seed-<s>/ablate/`.
    #[serde(default)]
    pub ablate: Option<crate::science::ablate::AblateSpec>,
    /// What counts as a behaviour having emerged (docs/measures.md, "Targets"); empty: the
    /// standard targets (`targets::standard_targets`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<crate::science::targets::Target>,
}
