//! The app's memory of a run: the last rows of every metrics column as plot points, and
//! another run's metrics loaded to compare with. The dashboard, the charts and the session
//! all read it.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};

use egui_plot::PlotPoint;

use crate::world::METRIC_COLUMNS;

/// The index of a metric column the code names (a name that is no column is a bug).
pub fn column(name: &str) -> usize {
    METRIC_COLUMNS
        .iter()
        .position(|c| *c == name)
        .unwrap_or_else(|| panic!("no metrics column `{name}`"))
}

/// Indices of at most about `max` of `n` rows, evenly spaced, the last always kept: what a
/// plot a few hundred pixels wide can show.
pub fn thin(n: usize, max: usize) -> Vec<usize> {
    let step = n.div_ceil(max.max(1)).max(1);
    let mut keep: Vec<usize> = (0..n).step_by(step).collect();
    if n > 0 && keep.last() != Some(&(n - 1)) {
        keep.push(n - 1);
    }
    keep
}

/// A run's metrics loaded to compare with (typically a control), drawn dashed.
pub struct Compare {
    pub path: PathBuf,
    pub history: History,
}

impl Compare {
    /// `path` is a run directory (its metrics.csv is read) or a metrics.csv.
    pub fn load(path: &Path) -> Result<Compare, String> {
        let csv = if path.is_dir() {
            path.join("metrics.csv")
        } else {
            path.to_path_buf()
        };
        if !csv.exists() {
            return Err(format!(
                "{}: no metrics.csv to compare with (give a run directory or its metrics.csv)",
                csv.display()
            ));
        }
        let mut history = History::new(usize::MAX / 2);
        history.load_csv(&csv, u64::MAX)?;
        if history.is_empty() {
            return Err(format!("{}: no rows to compare with", csv.display()));
        }
        history.make_contiguous();
        Ok(Compare {
            path: path.to_path_buf(),
            history,
        })
    }
}

/// The last `capacity` rows of every metric column, as plot points (x = tick).
pub struct History {
    capacity: usize,
    columns: Vec<VecDeque<PlotPoint>>,
}

impl History {
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(2),
            columns: vec![VecDeque::new(); METRIC_COLUMNS.len()],
        }
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    pub fn set_capacity(&mut self, capacity: usize) {
        self.capacity = capacity.max(2);
        for c in &mut self.columns {
            while c.len() > self.capacity {
                c.pop_front();
            }
        }
    }

    pub fn len(&self) -> usize {
        self.columns[0].len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn clear(&mut self) {
        self.columns.iter_mut().for_each(VecDeque::clear);
    }

    /// Append one metrics row (METRIC_COLUMNS order).
    pub fn push(&mut self, row: &[f32]) {
        let tick = f64::from(row[0]);
        for (c, v) in self.columns.iter_mut().zip(row) {
            if c.len() == self.capacity {
                c.pop_front();
            }
            c.push_back(PlotPoint::new(tick, f64::from(*v)));
        }
    }

    /// The latest value of a column.
    pub fn last(&self, column: usize) -> Option<f64> {
        self.columns[column].back().map(|p| p.y)
    }

    /// Lay every column out as one slice, so `contiguous` can lend them to the plots.
    pub fn make_contiguous(&mut self) {
        for c in &mut self.columns {
            c.make_contiguous();
        }
    }

    /// A column's points (all of them after `make_contiguous`), plotted without a copy.
    pub fn contiguous(&self, column: usize) -> &[PlotPoint] {
        self.columns[column].as_slices().0
    }

    /// Take in a run's metrics.csv up to `last_tick` (so a checkpoint opened from a run
    /// shows how it got there). Returns the rows read; a file with other columns is refused.
    pub fn load_csv(&mut self, path: &Path, last_tick: u64) -> Result<usize, String> {
        let rows = crate::runs::files::MetricsTable::read_whole_rows(path, last_tick)
            .map_err(|e| format!("{e:#}"))?
            .ok_or_else(|| {
                format!(
                    "{}: its columns are not this version's metrics.csv columns",
                    path.display()
                )
            })?;
        for row in &rows {
            let row: Vec<f32> = row.iter().map(|&v| v as f32).collect();
            self.push(&row);
        }
        Ok(rows.len())
    }

    /// Write the history as a metrics.csv (each value as the f32 it was).
    pub fn write_csv(&self, path: &Path) -> std::io::Result<()> {
        let mut out = csv::Writer::from_path(path)?;
        out.write_record(METRIC_COLUMNS)?;
        for i in 0..self.len() {
            out.write_record(self.columns.iter().map(|c| (c[i].y as f32).to_string()))?;
        }
        out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thinning_keeps_the_ends_and_at_most_about_max() {
        assert_eq!(thin(0, 10), Vec::<usize>::new());
        assert_eq!(thin(5, 10), vec![0, 1, 2, 3, 4]);
        let t = thin(20_000, 600);
        assert!(t.len() <= 602 && t.len() >= 500, "{}", t.len());
        assert_eq!((t[0], *t.last().unwrap()), (0, 19_999));
    }

    #[test]
    fn a_compare_run_is_a_directory_or_its_metrics_csv() {
        let dir = tempfile::tempdir().unwrap();
        let err = Compare::load(dir.path()).err().unwrap();
        assert!(err.contains("metrics.csv"), "{err}");
        let mut h = History::new(10);
        let mut row = vec![0.0f32; METRIC_COLUMNS.len()];
        row[0] = 10.0;
        h.push(&row);
        h.write_csv(&dir.path().join("metrics.csv")).unwrap();
        assert_eq!(Compare::load(dir.path()).unwrap().history.len(), 1);
        let csv = dir.path().join("metrics.csv");
        assert_eq!(Compare::load(&csv).unwrap().history.len(), 1);
    }

    #[test]
    fn history_round_trips_through_csv() {
        let dir = tempfile::tempdir().unwrap();
        let mut h = History::new(100);
        for t in 1..=10 {
            let mut row = vec![0.5f32; METRIC_COLUMNS.len()];
            row[0] = t as f32;
            h.push(&row);
        }
        let path = dir.path().join("m.csv");
        h.write_csv(&path).unwrap();
        let mut back = History::new(100);
        assert_eq!(
            back.load_csv(&path, 7),
            Ok(7),
            "rows up to the checkpoint's tick"
        );
        assert_eq!(back.last(0), Some(7.0));
        std::fs::write(&path, "tick,other\n1,2\n").unwrap();
        assert!(back.load_csv(&path, 7).unwrap_err().contains("columns"));
    }

    #[test]
    fn history_keeps_the_latest_rows() {
        let mut h = History::new(3);
        for t in 0..5 {
            let mut row = vec![0.0f32; METRIC_COLUMNS.len()];
            row[0] = t as f32;
            row[1] = 10.0 * t as f32;
            h.push(&row);
        }
        assert_eq!(h.len(), 3);
        h.make_contiguous();
        let ticks: Vec<f64> = h.contiguous(0).iter().map(|p| p.x).collect();
        assert_eq!(ticks, vec![2.0, 3.0, 4.0]);
        assert_eq!(h.last(1), Some(40.0));
        h.set_capacity(2);
        h.make_contiguous();
        assert_eq!(h.contiguous(1)[0].y, 30.0);
    }
}
