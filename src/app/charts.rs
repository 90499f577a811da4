//! Live charts: every metric column's recent history in a ring buffer, grouped into charts
//! by its name, so a new column appears in a chart without new UI code.

use std::collections::VecDeque;
use std::io::Write;
use std::path::Path;

use egui_plot::PlotPoint;

use crate::world::METRIC_COLUMNS;

/// The charts, in display order. A column whose name fits none lands in "other".
pub const GROUPS: &[&str] = &[
    "population",
    "agriculture",
    "communication",
    "tool use",
    "kardashev",
    "energy ledger",
    "agent actions",
    "bot actions",
    "terrain",
    "other",
];

/// The chart a metric column belongs to, by name. `tick` is the x axis, in no chart.
pub fn group_of(column: &str) -> Option<&'static str> {
    let has = |s: &str| column.contains(s);
    let starts = |s: &str| column.starts_with(s);
    Some(match column {
        "tick" => return None,
        "population" | "births" | "deaths" | "respawns" | "mean_energy" | "mean_age"
        | "mean_generation" | "max_generation" => "population",
        _ if starts("kardashev") => "kardashev",
        _ if starts("ledger_") || column.ends_with("_energy_total") => "energy ledger",
        _ if starts("agri_") || has("cultivat") || has("farm") => "agriculture",
        _ if starts("terrain_") => "terrain",
        _ if starts("bot_action_") => "bot actions",
        _ if starts("tool_") || has("programming") || starts("bot_") => "tool use",
        _ if starts("comm_") || has("message") || has("gate") || has("saliency") => "communication",
        _ if starts("action_") => "agent actions",
        _ if starts("evo_") || has("lineage") || has("generation") => "population",
        _ => "other",
    })
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
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut lines = text.lines();
        let header = lines.next().unwrap_or("");
        if header != METRIC_COLUMNS.join(",") {
            return Err(format!(
                "{}: its columns are not this version's metrics.csv columns",
                path.display()
            ));
        }
        let mut n = 0;
        for line in lines {
            let row: Result<Vec<f32>, _> = line.split(',').map(str::parse::<f32>).collect();
            let Ok(row) = row else {
                return Err(format!("{}: unreadable row {}", path.display(), n + 2));
            };
            if row.len() != METRIC_COLUMNS.len() || row[0] as u64 > last_tick {
                break;
            }
            self.push(&row);
            n += 1;
        }
        Ok(n)
    }

    /// Write the history as CSV with the metrics.csv header.
    pub fn write_csv(&self, path: &Path) -> std::io::Result<()> {
        let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
        writeln!(out, "{}", METRIC_COLUMNS.join(","))?;
        for i in 0..self.len() {
            let row: Vec<String> = self.columns.iter().map(|c| c[i].y.to_string()).collect();
            writeln!(out, "{}", row.join(","))?;
        }
        out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_but_tick_has_a_chart() {
        for c in METRIC_COLUMNS {
            match group_of(c) {
                None => assert_eq!(*c, "tick"),
                Some(g) => assert!(GROUPS.contains(&g), "{c} in unknown group {g}"),
            }
        }
        assert_eq!(group_of("cultivation_agents"), Some("agriculture"));
        assert_eq!(group_of("programming_agents"), Some("tool use"));
        assert_eq!(group_of("bot_action_eat"), Some("bot actions"));
        assert_eq!(group_of("action_gate"), Some("communication"));
        assert_eq!(group_of("some_future_measure"), Some("other"));
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
