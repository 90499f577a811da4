//! The files a run writes as it goes, each read back where it resumes: metrics.csv,
//! bits.txt, and the periodic checkpoints' names (which runs resume from and prune).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::world::METRIC_COLUMNS;

/// The metrics CSV: a header, then one row per `metrics_every` ticks. On resume into the
/// same directory the rows up to the checkpoint's tick are kept and the rest replaced.
pub struct MetricsCsv {
    file: fs::File,
    path: PathBuf,
    every: u64,
}

impl MetricsCsv {
    pub fn open(path: &Path, every: u64, resume_tick: Option<u64>) -> Result<Self> {
        let header = METRIC_COLUMNS.join(",");
        let mut kept = Vec::new();
        if let (Some(tick), Ok(old)) = (resume_tick, fs::read_to_string(path)) {
            let mut lines = old.lines();
            if lines.next() == Some(header.as_str()) {
                // A run killed mid-write can leave a cut line (whose first field may even read
                // as an earlier tick): keep only whole rows, in order, up to the checkpoint.
                let mut last = 0.0;
                for line in lines {
                    let fields: Vec<&str> = line.split(',').collect();
                    let whole = fields.len() == METRIC_COLUMNS.len()
                        && fields.iter().all(|v| v.parse::<f64>().is_ok());
                    let t: f64 = fields[0].parse().unwrap_or(f64::NAN);
                    if !whole || t <= last || t > tick as f64 {
                        break;
                    }
                    last = t;
                    kept.push(line.to_string());
                }
            }
        }
        let file =
            crate::runs::outdir::rewrite_for_append(path, std::iter::once(header).chain(kept))?;
        Ok(Self {
            file,
            path: path.to_path_buf(),
            every,
        })
    }

    pub fn write(&mut self, row: &[f32]) -> Result<()> {
        let tick = row[0] as u64;
        if !tick.is_multiple_of(self.every) {
            return Ok(());
        }
        let line: Vec<String> = row.iter().map(|v| format!("{v}")).collect();
        writeln!(self.file, "{}", line.join(","))
            .with_context(|| format!("cannot write {}", self.path.display()))?;
        Ok(())
    }
}

/// DIR/bits.txt of a scenario that records bits: the bots' bits as `0`/`1` characters, one
/// line per bot step after the initial row. On resume the lines up to the checkpoint's tick
/// are kept and the rest replaced.
pub struct BitsFile {
    file: fs::File,
}

pub fn bits_row(bits: impl Iterator<Item = f32>) -> String {
    bits.map(|b| if b > 0.0 { '1' } else { '0' }).collect()
}

impl BitsFile {
    /// `first_row` is the row of the state the run starts from, at `tick`.
    pub fn open(
        path: &Path,
        first_row: &str,
        tick: u64,
        steps_per_tick: u64,
        resumed: bool,
    ) -> Result<Self> {
        let keep = 1 + tick * steps_per_tick;
        let mut lines: Vec<String> = Vec::new();
        if resumed {
            if let Ok(old) = fs::read_to_string(path) {
                lines = old
                    .lines()
                    .take(keep as usize)
                    .map(str::to_string)
                    .collect();
            }
        }
        if lines.len() as u64 != keep {
            // A fresh run, or no usable record: start from the starting state's own bits.
            lines = vec![first_row.to_string()];
        }
        let tmp = path.with_extension("txt.tmp");
        let mut text = lines.join("\n");
        text.push('\n');
        fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
        fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
        let file = fs::OpenOptions::new().append(true).open(path)?;
        Ok(Self { file })
    }

    /// Append the rows of the tick just run.
    pub fn write_tick(&mut self, bits: &[f32], bots: usize) -> Result<()> {
        for row in bits.chunks(bots.max(1)) {
            writeln!(self.file, "{}", bits_row(row.iter().copied()))?;
        }
        Ok(())
    }
}

/// The file name of a run's periodic checkpoint at `tick`.
pub fn checkpoint_name(tick: u64) -> String {
    format!("tick-{tick:08}.silico")
}

/// A run's periodic checkpoints in `dir` (files named by `checkpoint_name`), oldest first;
/// none when the folder is missing.
pub fn periodic_checkpoints(dir: &Path) -> Vec<(u64, PathBuf)> {
    let mut ticks: Vec<(u64, PathBuf)> = fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter_map(|p| {
            let tick = p
                .file_name()?
                .to_str()?
                .strip_prefix("tick-")?
                .strip_suffix(".silico")?
                .parse()
                .ok()?;
            Some((tick, p))
        })
        .collect();
    ticks.sort();
    ticks
}

/// Delete all but the newest `keep` periodic checkpoints of a run. Only files named as
/// `checkpoint_name` names them are touched.
pub fn prune_checkpoints(dir: &Path, keep: usize) -> Result<()> {
    let ticks = periodic_checkpoints(dir);
    let old = ticks.len().saturating_sub(keep);
    for (_, path) in &ticks[..old] {
        fs::remove_file(path)
            .with_context(|| format!("cannot delete old checkpoint {}", path.display()))?;
    }
    Ok(())
}
