//! Live charts: every metric column's recent history in a ring buffer, drawn as small
//! multiples (one measure per plot, its own y scale) in groups found from the column's
//! name, so a new column appears without new UI code; the emergence dashboard above them
//! (`dashboard.rs`); and a control run's metrics (`--compare`) drawn dashed on each.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use egui::{Color32, RichText};
use egui_plot::{Line, LineStyle, Plot, PlotPoint, PlotPoints};

use super::dashboard;
use super::history::{thin, Compare, History};
use super::session::Session;
use super::shares::{income, lineages};
pub use super::state::ChartSettings;
use crate::world::METRIC_COLUMNS;

/// The charts, in display order. A column whose name fits none lands in "other".
pub const GROUPS: &[&str] = &[
    "population",
    "income by source",
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
        _ if starts("income_") => "income by source",
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

/// What a column means, from the table in docs/metrics.md (compiled in, so the hover text
/// and the documentation cannot differ).
pub fn description(name: &str) -> Option<&'static str> {
    static TABLE: OnceLock<HashMap<&'static str, String>> = OnceLock::new();
    TABLE
        .get_or_init(|| {
            include_str!("../../docs/metrics.md")
                .lines()
                .filter_map(|l| {
                    let rest = l.strip_prefix("| `")?;
                    let (name, rest) = rest.split_once("` | ")?;
                    let text = rest.strip_suffix(" |").unwrap_or(rest);
                    // Markdown to plain text: escaped bars and code quotes.
                    Some((name, text.replace("\\|", "|").replace('`', "")))
                })
                .collect()
        })
        .get(name)
        .map(String::as_str)
}

const LINE: Color32 = Color32::from_rgb(110, 180, 250);
const CONTROL: Color32 = Color32::from_rgb(200, 200, 200);

/// A column whose positive values span three decades or more, and never go negative, is
/// drawn on a log axis.
fn wants_log<'a>(points: impl IntoIterator<Item = &'a PlotPoint>) -> Option<f64> {
    let mut lo = f64::INFINITY;
    let mut hi = 0.0f64;
    for p in points {
        if p.y < 0.0 {
            return None;
        }
        if p.y > 0.0 {
            lo = lo.min(p.y);
            hi = hi.max(p.y);
        }
    }
    (hi > 0.0 && hi / lo >= 1_000.0).then_some(lo)
}

fn value_text(v: f64) -> String {
    if v == 0.0 || (1e-3..1e6).contains(&v.abs()) {
        format!("{v:.4}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    } else {
        format!("{v:.3e}")
    }
}

/// The whole chart panel: controls, the dashboard, the column chooser and the small
/// multiples.
pub fn panel(ui: &mut egui::Ui, s: &mut Session, st: &mut ChartSettings) {
    ui.horizontal(|ui| {
        ui.heading("Charts");
        let mut cap = s.history.capacity();
        let label = ui.label("history");
        if ui
            .add(
                egui::DragValue::new(&mut cap)
                    .range(100..=1_000_000)
                    .speed(50),
            )
            .labelled_by(label.id)
            .on_hover_text("rows kept for the charts")
            .changed()
        {
            s.history.set_capacity(cap);
        }
        if ui.button("Export CSV").clicked() {
            let path = s.out_dir.join(format!("charts-tick{}.csv", s.tick()));
            let r = std::fs::create_dir_all(&s.out_dir).and_then(|_| s.history.write_csv(&path));
            match r {
                Ok(()) => s.inform(format!("charts written to {}", path.display())),
                Err(e) => s.warn(format!("cannot write {}: {e}", path.display())),
            }
        }
    });
    ui.horizontal(|ui| {
        let label = ui.label("compare");
        ui.add(
            egui::TextEdit::singleline(&mut st.compare_path)
                .hint_text("a control run's directory")
                .desired_width(180.0),
        )
        .labelled_by(label.id)
        .on_hover_text("another run (typically a control), drawn dashed on every chart and used for the dashboard's chance bands");
        if ui.button("Load compare").clicked() {
            let path = PathBuf::from(st.compare_path.trim());
            match Compare::load(&path) {
                Ok(c) => {
                    s.inform(format!("comparing with {} ({} rows)", c.path.display(), c.history.len()));
                    s.compare = Some(c);
                }
                Err(e) => s.warn(e),
            }
        }
        if s.compare.is_some() && ui.button("Clear").clicked() {
            s.compare = None;
        }
    });
    s.history.make_contiguous();
    let history: &History = &s.history;
    let control = s.compare.as_ref().map(|c| &c.history);
    // A control longer than this run is drawn up to this run's last tick.
    let until = history.contiguous(0).last().map_or(f64::INFINITY, |p| p.x);
    egui::ScrollArea::vertical().show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.label(RichText::new("Emergence").strong().size(16.0));
            let label = ui.label("smoothing window (ticks)");
            ui.add(
                egui::DragValue::new(&mut st.window_ticks)
                    .range(10.0..=1_000_000.0)
                    .speed(10.0),
            )
            .labelled_by(label.id);
        });
        st.drawn_dashboard = dashboard::show(ui, history, control, st.window_ticks);
        lineages(ui, &s.family, &mut s.highlight_lineage, st);
        income(ui, history, st);
        ui.separator();
        chooser(ui, st);
        st.drawn_plots.clear();
        for group in GROUPS {
            let cols: Vec<(usize, &'static str)> = METRIC_COLUMNS
                .iter()
                .enumerate()
                .filter(|(_, c)| group_of(c) == Some(group) && !st.hidden.contains(*c))
                .map(|(i, c)| (i, *c))
                .collect();
            if cols.is_empty() {
                continue;
            }
            let open = matches!(
                *group,
                "population" | "agriculture" | "communication" | "tool use"
            );
            egui::CollapsingHeader::new(*group)
                .default_open(open)
                .show(ui, |ui| {
                    for (ci, name) in cols {
                        let series = small_plot(ui, history, control, until, ci, name);
                        st.drawn_plots.push((name, series));
                    }
                });
        }
    });
}

/// Pick the columns the small multiples show: a filter and a checkbox per column.
fn chooser(ui: &mut egui::Ui, st: &mut ChartSettings) {
    egui::CollapsingHeader::new("choose columns").show(ui, |ui| {
        ui.horizontal(|ui| {
            let label = ui.label("filter");
            ui.text_edit_singleline(&mut st.filter)
                .labelled_by(label.id);
        });
        let matching: Vec<&'static str> = METRIC_COLUMNS
            .iter()
            .copied()
            .filter(|c| *c != "tick" && c.contains(st.filter.trim()))
            .collect();
        ui.horizontal(|ui| {
            if ui.button("show all").clicked() {
                matching.iter().for_each(|c| {
                    st.hidden.remove(c);
                });
            }
            if ui.button("hide all").clicked() {
                st.hidden.extend(matching.iter().copied());
            }
        });
        for c in matching {
            let mut shown = !st.hidden.contains(c);
            let r = ui.checkbox(&mut shown, c);
            if let Some(d) = description(c) {
                r.clone().on_hover_text(d);
            }
            if r.changed() {
                if shown {
                    st.hidden.remove(c);
                } else {
                    st.hidden.insert(c);
                }
            }
        }
    });
}

/// One column's plot with its own y scale; returns how many series it drew.
fn small_plot(
    ui: &mut egui::Ui,
    history: &History,
    control: Option<&History>,
    until: f64,
    ci: usize,
    name: &'static str,
) -> usize {
    let points = history.contiguous(ci);
    // Rows are in tick order, so the control's rows up to `until` are a prefix.
    let control_points: &[PlotPoint] = control.map_or(&[], |c| {
        let all = c.contiguous(ci);
        &all[..all.partition_point(|p| p.x <= until)]
    });
    let log_floor = wants_log(points.iter().chain(control_points));
    let desc = description(name).unwrap_or("");
    let last = points.last().map_or("–".to_string(), |p| value_text(p.y));
    ui.label(
        RichText::new(format!("{name}   {last}"))
            .small()
            .monospace(),
    )
    .on_hover_text(format!("{desc}\nlatest: {last}"));
    let map = move |p: &PlotPoint| -> [f64; 2] {
        match log_floor {
            Some(lo) => [p.x, p.y.max(lo / 10.0).log10()],
            None => [p.x, p.y],
        }
    };
    let series = |pts: &[PlotPoint]| -> Vec<[f64; 2]> {
        thin(pts.len(), 600)
            .into_iter()
            .map(|i| map(&pts[i]))
            .collect()
    };
    let main = series(points);
    let dashed = series(control_points);
    let mut drawn = 0;
    let (y_lo, y_hi) = y_range(main.iter().chain(&dashed).map(|p| p[1])).unwrap_or((0.0, 1.0));
    let mut plot = Plot::new(("small", name))
        .height(64.0)
        .include_y(y_lo)
        .include_y(y_hi)
        .allow_scroll(false)
        .show_x(false)
        .label_formatter(move |pos| match pos {
            egui_plot::HoverPosition::NearDataPoint {
                plot_name,
                position,
                ..
            } => {
                let y = if log_floor.is_some() {
                    10f64.powf(position.y)
                } else {
                    position.y
                };
                Some(format!(
                    "{plot_name}\ntick {:.0}: {}",
                    position.x,
                    value_text(y)
                ))
            }
            _ => None,
        });
    if log_floor.is_some() {
        plot = plot
            .y_axis_label("log")
            .y_axis_formatter(|mark, _| value_text(10f64.powf(mark.value)));
    }
    plot.show(ui, |plot| {
        if !main.is_empty() {
            plot.line(Line::new(name, PlotPoints::from(main)).color(LINE));
            drawn += 1;
        }
        if !dashed.is_empty() {
            plot.line(
                Line::new(format!("{name} (compare)"), PlotPoints::from(dashed))
                    .color(CONTROL)
                    .style(LineStyle::dashed_loose()),
            );
            drawn += 1;
        }
    });
    drawn
}

/// The y range a small plot shows: the data's, with a margin; around a constant, a tenth
/// of its size each way (or 1 around 0), so a flat line sits in the middle of a range
/// that fits it rather than of an arbitrary one.
pub fn y_range(ys: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let (lo, hi) = ys
        .filter(|y| y.is_finite())
        .fold(None, |acc: Option<(f64, f64)>, y| {
            Some(acc.map_or((y, y), |(lo, hi)| (lo.min(y), hi.max(y))))
        })?;
    let size = lo.abs().max(hi.abs());
    let pad = if hi - lo > 1e-9 * size {
        0.05 * (hi - lo)
    } else if size > 0.0 {
        0.1 * size
    } else {
        1.0
    };
    Some((lo - pad, hi + pad))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_constant_sits_in_the_middle_of_a_range_that_fits_it() {
        let near = |got: Option<(f64, f64)>, want: (f64, f64)| {
            let (lo, hi) = got.expect("a range");
            assert!(
                (lo - want.0).abs() < 1e-9 && (hi - want.1).abs() < 1e-9,
                "{got:?}"
            );
        };
        near(y_range([128.0, 128.0].into_iter()), (115.2, 140.8));
        near(y_range([0.0].into_iter()), (-1.0, 1.0));
        near(y_range([0.0, 2.0, f64::NAN].into_iter()), (-0.1, 2.1));
        assert_eq!(y_range(std::iter::empty()), None);
    }

    #[test]
    fn every_column_but_tick_has_a_chart() {
        // "other" catches what no group claims, so it would make this true of anything:
        // every real column must be claimed by a named group.
        for c in METRIC_COLUMNS {
            match group_of(c) {
                None => assert_eq!(*c, "tick"),
                Some("other") => panic!("{c} falls into the catch-all group: give it a group"),
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
    fn every_column_has_a_description() {
        for c in METRIC_COLUMNS {
            let d = description(c).unwrap_or_else(|| panic!("{c} has no description"));
            assert!(!d.is_empty() && !d.contains(['`', '\\']), "{c}: {d}");
        }
    }

    #[test]
    fn counts_spanning_decades_go_on_a_log_axis() {
        let pts = |ys: &[f64]| -> Vec<PlotPoint> {
            ys.iter()
                .enumerate()
                .map(|(i, y)| PlotPoint::new(i as f64, *y))
                .collect()
        };
        assert_eq!(wants_log(&pts(&[0.0, 2.0, 50.0, 4_000.0])), Some(2.0));
        assert_eq!(wants_log(&pts(&[0.5, 0.9])), None);
        assert_eq!(wants_log(&pts(&[-1.0, 1.0, 10_000.0])), None);
    }
}
