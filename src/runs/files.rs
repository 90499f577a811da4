//! The files a run writes as it goes, each read back where it resumes: metrics.csv,
//! bits.txt, and the periodic checkpoints' names (which runs resume from and prune).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::world::METRIC_COLUMNS;

/// Write a table of text fields with `csv::Writer` (fields quoted where they need it, as
/// RFC 4180 says): the experiments', ablations', searches' and statistics' tables, whose
/// columns depend on the run.
pub fn write_csv<H, R>(path: &Path, header: H, rows: impl IntoIterator<Item = R>) -> Result<()>
where
    H: IntoIterator,
    H::Item: AsRef<[u8]>,
    R: IntoIterator,
    R::Item: AsRef<[u8]>,
{
    write_with(path, |out| {
        out.write_record(header)?;
        for row in rows {
            out.write_record(row)?;
        }
        Ok(())
    })
}

/// Write a table of fixed columns, one serde row each, its header from `T`'s fields
/// (knockouts.csv, loss_over_time.csv).
pub fn write_rows<T: serde::Serialize>(path: &Path, rows: &[T]) -> Result<()> {
    write_with(path, |out| {
        for row in rows {
            out.serialize(row)?;
        }
        Ok(())
    })
}

/// Read a table of fixed columns back; a row that does not read as a `T` is refused naming
/// its line.
pub fn read_rows<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Vec<T>> {
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("cannot read {}", path.display()))?;
    reader
        .deserialize()
        .map(|row| row.with_context(|| format!("cannot read {}", path.display())))
        .collect()
}

fn write_with(
    path: &Path,
    fill: impl FnOnce(&mut csv::Writer<fs::File>) -> Result<()>,
) -> Result<()> {
    let write = || -> Result<()> {
        let mut out = csv::Writer::from_path(path)?;
        fill(&mut out)?;
        out.flush()?;
        Ok(())
    };
    write().with_context(|| format!("cannot write {}", path.display()))
}

/// A metrics.csv as numbers: its header and its rows (the one reader of the format; the
/// reports, the comparisons and the app's history all read through it).
pub struct MetricsTable {
    pub header: Vec<String>,
    pub rows: Vec<Vec<f64>>,
}

impl MetricsTable {
    /// Read a metrics.csv whole; a row that is not numbers, or not as long as the header,
    /// is refused naming its line.
    pub fn read(path: &Path) -> Result<Self> {
        let mut reader = metrics_reader(path)?;
        let header = reader
            .headers()
            .with_context(|| format!("cannot read {}", path.display()))?
            .iter()
            .map(str::to_string)
            .collect::<Vec<_>>();
        if header.first().map(String::as_str) != Some("tick") {
            bail!(
                "{} is not a metrics.csv (no tick column first)",
                path.display()
            );
        }
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.with_context(|| format!("cannot read {}", path.display()))?;
            match numbers(&record) {
                Some(row) if row.len() == header.len() => rows.push(row),
                _ => bail!(
                    "{}: line {} is not a row of numbers",
                    path.display(),
                    record.position().map_or(0, |p| p.line())
                ),
            }
        }
        Ok(Self { header, rows })
    }

    /// The rows of a metrics.csv that a run may still be writing, up to `last_tick`: the
    /// whole rows, in tick order, up to the first that is not (a run killed or read
    /// mid-write can leave a cut line, whose first field may even read as an earlier
    /// tick). None when the file has other columns than this version's.
    pub fn read_whole_rows(path: &Path, last_tick: u64) -> Result<Option<Vec<Vec<f64>>>> {
        let mut reader = metrics_reader(path)?;
        if !current_columns(&mut reader) {
            return Ok(None);
        }
        Ok(Some(
            whole_rows(&mut reader, last_tick)
                .into_iter()
                .map(|(_, row)| row)
                .collect(),
        ))
    }
}

/// The leading whole rows of a metrics.csv reader, in increasing tick order up to
/// `last_tick`, with their records.
fn whole_rows(
    reader: &mut csv::Reader<fs::File>,
    last_tick: u64,
) -> Vec<(csv::StringRecord, Vec<f64>)> {
    let mut out: Vec<(csv::StringRecord, Vec<f64>)> = Vec::new();
    for record in reader.records() {
        let Ok(record) = record else { break };
        let Some(row) = numbers(&record).filter(|r| r.len() == METRIC_COLUMNS.len()) else {
            break;
        };
        let after_last = out.last().is_none_or(|(_, prev)| row[0] > prev[0]);
        if !after_last || row[0] > last_tick as f64 {
            break;
        }
        out.push((record, row));
    }
    out
}

fn metrics_reader(path: &Path) -> Result<csv::Reader<fs::File>> {
    csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .with_context(|| format!("cannot read {}", path.display()))
}

/// Whether a metrics.csv has this version's columns.
fn current_columns(reader: &mut csv::Reader<fs::File>) -> bool {
    reader
        .headers()
        .is_ok_and(|h| h.iter().eq(METRIC_COLUMNS.iter().copied()))
}

fn numbers(record: &csv::StringRecord) -> Option<Vec<f64>> {
    record.iter().map(|v| v.parse::<f64>().ok()).collect()
}

/// The metrics CSV: a header, then one row per `metrics_every` ticks. On resume into the
/// same directory the rows up to the checkpoint's tick are kept and the rest replaced.
pub struct MetricsCsv {
    out: csv::Writer<fs::File>,
    path: PathBuf,
    every: u64,
}

impl MetricsCsv {
    pub fn open(path: &Path, every: u64, resume_tick: Option<u64>) -> Result<Self> {
        let header = METRIC_COLUMNS.join(",");
        let mut kept = Vec::new();
        if let (Some(tick), Ok(mut old)) = (resume_tick, metrics_reader(path)) {
            if current_columns(&mut old) {
                kept = whole_rows(&mut old, tick)
                    .into_iter()
                    .map(|(record, _)| record.iter().collect::<Vec<_>>().join(","))
                    .collect();
            }
        }
        let file =
            crate::runs::outdir::rewrite_for_append(path, std::iter::once(header).chain(kept))?;
        Ok(Self {
            out: csv::WriterBuilder::new().from_writer(file),
            path: path.to_path_buf(),
            every,
        })
    }

    pub fn write(&mut self, row: &[f32]) -> Result<()> {
        let tick = row[0] as u64;
        if !tick.is_multiple_of(self.every) {
            return Ok(());
        }
        // Each value as Rust writes an f32 (the shortest text that reads back to it).
        self.out
            .write_record(row.iter().map(|v| v.to_string()))
            .and_then(|()| Ok(self.out.flush()?))
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A table's fields come back as written, commas and quotes inside them included
    /// (a design's `set` can hold both).
    #[test]
    fn table_fields_with_commas_and_quotes_read_back_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let odd = r#"scenario.name="x, y" a=1"#;
        write_csv(&path, ["design", "set"], [["plain", "a=1"], ["odd", odd]]).unwrap();
        let mut r = csv::Reader::from_path(&path).unwrap();
        let rows: Vec<Vec<String>> = r
            .records()
            .map(|x| x.unwrap().iter().map(String::from).collect())
            .collect();
        assert_eq!(rows[1], vec!["odd".to_string(), odd.to_string()]);
        assert_eq!(fs::read_to_string(&path).unwrap().lines().count(), 3);
    }

    /// The one reader refuses a row that is not numbers, naming its line, and the reader
    /// of a file still being written keeps the whole rows before a cut line.
    #[test]
    fn metrics_rows_are_read_whole_or_refused_by_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("metrics.csv");
        let row = |t: u32| {
            let mut r = vec![t.to_string()];
            r.extend((1..METRIC_COLUMNS.len()).map(|k| format!("{}.5", k)));
            r.join(",")
        };
        let header = METRIC_COLUMNS.join(",");
        let cut = &row(3)[..20];
        fs::write(&path, format!("{header}\n{}\n{}\n{cut}\n", row(1), row(2))).unwrap();
        let err = format!("{:#}", MetricsTable::read(&path).err().unwrap());
        assert!(err.contains("line 4"), "{err}");
        let rows = MetricsTable::read_whole_rows(&path, 10).unwrap().unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1][0], 2.0);
        assert_eq!(rows[1][1], 1.5);
        // Up to a tick only, and not a file of other columns.
        assert_eq!(
            MetricsTable::read_whole_rows(&path, 1)
                .unwrap()
                .unwrap()
                .len(),
            1
        );
        fs::write(&path, "tick,other\n1,2\n").unwrap();
        assert!(MetricsTable::read_whole_rows(&path, 10).unwrap().is_none());
        assert_eq!(
            MetricsTable::read(&path).unwrap().rows,
            vec![vec![1.0, 2.0]]
        );
    }
}
