//! Live charts: every metric column's recent history in a ring buffer, drawn as small
//! multiples (one measure per plot, its own y scale) in groups found from the column's
//! name, so a new column appears without new UI code; the emergence dashboard above them
//! (`dashboard.rs`); and a control run's metrics (`--compare`) drawn dashed on each.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::OnceLock;

use egui::{Color32, RichText};
use egui_plot::{FilledArea, Line, LineStyle, Plot, PlotPoint, PlotPoints};

use super::dashboard;
use super::history::{column, thin, Compare, History};
use super::session::Session;
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

/// The chart panel's settings and what it drew last frame.
pub struct ChartSettings {
    /// The dashboard's smoothing window.
    pub window_ticks: f64,
    /// Columns left out of the small multiples.
    pub hidden: BTreeSet<&'static str>,
    pub filter: String,
    pub compare_path: String,
    /// What the dashboard drew (a panel each) and how many series each small plot drew.
    pub drawn_dashboard: Vec<dashboard::Drawn>,
    pub drawn_plots: Vec<(&'static str, usize)>,
    /// The Muller plot's rect and how many lineage bands it drew.
    pub muller_rect: Option<egui::Rect>,
    /// The income panel's stack at its last row: the top of each source's band.
    pub drawn_income: Vec<f64>,
    pub drawn_lineages: usize,
    /// The Muller plot's time axis in log(1 + tick), so a takeover in the first ticks of a
    /// long run is wide enough to see.
    pub muller_log_time: bool,
    /// The Muller plot's x range as drawn (in its axis units).
    pub drawn_muller_x: Option<(f64, f64)>,
    /// The Muller plot groups the living by founder in a world whose measures count kin
    /// groups.
    pub muller_founders: bool,
}

impl Default for ChartSettings {
    fn default() -> Self {
        Self {
            window_ticks: 1_000.0,
            hidden: BTreeSet::new(),
            filter: String::new(),
            compare_path: String::new(),
            drawn_dashboard: Vec::new(),
            drawn_plots: Vec::new(),
            muller_rect: None,
            drawn_income: Vec::new(),
            drawn_lineages: 0,
            muller_log_time: false,
            drawn_muller_x: None,
            muller_founders: false,
        }
    }
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

/// A plot of shares stacked to 1 over ticks, held to 0–1 and not zoomed or dragged (a
/// click picks a band): the Muller plot and what agents live on.
fn share_plot(id: &'static str, height: f32) -> Plot<'static> {
    Plot::new(id)
        .height(height)
        .include_y(0.0)
        .include_y(1.0)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .y_axis_label("share")
}

/// Where the agents' income comes from, as shares stacked from eating up.
const INCOME_SOURCES: [(&str, &str, Color32); 5] = [
    ("income_eating", "eating", Color32::from_rgb(110, 190, 90)),
    (
        "income_gifts",
        "gifts received",
        Color32::from_rgb(90, 150, 230),
    ),
    (
        "income_births",
        "births and respawns",
        Color32::from_gray(150),
    ),
    ("income_theft", "theft", Color32::from_rgb(220, 90, 80)),
    (
        "income_from_bots",
        "from bots",
        Color32::from_rgb(200, 160, 60),
    ),
];

/// What agents live on: each source's share of their income, stacked, over the history.
fn income(ui: &mut egui::Ui, history: &History, st: &mut ChartSettings) {
    ui.label(RichText::new("What agents live on (share of income)").strong());
    let series: Vec<&[PlotPoint]> = INCOME_SOURCES
        .iter()
        .map(|(c, ..)| history.contiguous(column(c)))
        .collect();
    let n = series.iter().map(|s| s.len()).min().unwrap_or(0);
    st.drawn_income.clear();
    if n == 0 {
        ui.label(RichText::new("no rows yet").weak());
        return;
    }
    let keep = thin(n, 600);
    let ticks: Vec<f64> = keep.iter().map(|&i| series[0][i].x).collect();
    let height = (0.12 * ui.ctx().content_rect().height()).clamp(70.0, 100.0);
    let mut tops = Vec::new();
    share_plot("income", height)
        .x_axis_label("tick")
        .show(ui, |plot| {
            let mut below = vec![0.0; keep.len()];
            for ((_, name, colour), s) in INCOME_SOURCES.iter().zip(&series) {
                let above: Vec<f64> = keep
                    .iter()
                    .zip(&below)
                    .map(|(&i, b)| b + if s[i].y > 0.0 { s[i].y } else { 0.0 })
                    .collect();
                plot.add(FilledArea::new(*name, &ticks, &below, &above).fill_color(*colour));
                tops.push(*above.last().expect("a row"));
                below = above;
            }
        });
    st.drawn_income = tops;
    // The legend below the plot, where it covers nothing.
    ui.horizontal_wrapped(|ui| {
        for (_, name, colour) in INCOME_SOURCES {
            ui.label(RichText::new(name).small().color(colour));
        }
    });
}

/// Whether `g` is one of `family`'s groups' kind.
fn ringed_in(family: &super::family::Family, g: crate::view::Ringed) -> bool {
    crate::view::Ringed::of(family.grouping(), g.id()) == g
}

/// The live Muller plot: each lineage's share of the living, stacked, in its agents'
/// colours; clicking a band rings that lineage's living agents in the world view.
fn lineages(
    ui: &mut egui::Ui,
    families: &super::family::Families,
    highlight: &mut Option<crate::view::Ringed>,
    st: &mut ChartSettings,
) {
    let family = families.shown(st.muller_founders);
    let ringed = |l: u64| crate::view::Ringed::of(family.grouping(), l);
    let kin = !family.grouping().by_founder();
    ui.horizontal(|ui| {
        let title = if kin { "Kin groups" } else { "Lineages" };
        ui.label(RichText::new(format!("{title} (share of the living)")).strong());
        ui.checkbox(&mut st.muller_log_time, "log time")
            .on_hover_text("time axis in log(1 + tick): the first ticks of a long run widen");
        if families.founders.is_some() {
            ui.checkbox(&mut st.muller_founders, "founders")
                .on_hover_text(
                    "group the living by founder (their lineage) instead of by the kin groups \
                 the measures count",
                );
        }
    });
    let group_name = |g: crate::view::Ringed| match g {
        crate::view::Ringed::KinGroup(l) => format!("kin group {:08x}", l as u32),
        crate::view::Ringed::Lineage(l) => format!("lineage {l:016x}"),
    };
    let mut m = family.muller(12);
    let log_time = st.muller_log_time;
    if log_time {
        m.ticks.iter_mut().for_each(|t| *t = t.max(0.0).ln_1p());
    }
    st.drawn_lineages = 0;
    if m.ticks.is_empty() {
        ui.label(RichText::new("no lineage samples yet").weak());
        st.muller_rect = None;
        return;
    }
    let n = m.ticks.len();
    // Bottom to top: the largest lineage first, then the rest, every other on top.
    let mut bands: Vec<(Option<u64>, Vec<f64>, Color32)> = m
        .lineages
        .iter()
        .zip(&m.shares)
        .map(|(l, s)| {
            let [r, g, b] = crate::science::muller::lineage_colour(*l);
            let colour = if *highlight == Some(ringed(*l)) {
                Color32::WHITE
            } else {
                Color32::from_rgb(r, g, b)
            };
            (Some(*l), s.clone(), colour)
        })
        .collect();
    bands.push((None, m.other.clone(), Color32::from_gray(90)));
    // Shorter on a short screen, so that it stays in view below the dashboard.
    let height = (0.15 * ui.ctx().content_rect().height()).clamp(80.0, 110.0);
    let response = share_plot("muller", height)
        .x_axis_label(if log_time { "tick (log)" } else { "tick" })
        .x_axis_formatter(move |mark, _| {
            let tick = if log_time {
                mark.value.exp_m1()
            } else {
                mark.value
            };
            format!("{tick:.0}")
        })
        .show(ui, |plot| {
            let mut below = vec![0.0; n];
            for (l, shares, colour) in &bands {
                let above: Vec<f64> = below.iter().zip(shares).map(|(b, s)| b + s).collect();
                let name = l.map_or("every other group".to_string(), |l| group_name(ringed(l)));
                plot.add(FilledArea::new(name, &m.ticks, &below, &above).fill_color(*colour));
                below = above;
            }
            plot.pointer_coordinate()
        });
    st.muller_rect = Some(response.response.rect);
    st.drawn_muller_x = Some((m.ticks[0], m.ticks[n - 1]));
    st.drawn_lineages = m.lineages.len();
    ui.label(
        RichText::new("grey, on top: every group beyond the 12 largest")
            .small()
            .weak(),
    );
    if response.response.clicked() {
        if let Some(p) = response.inner {
            // The band under the pointer at the nearest sample.
            let b = m.ticks.partition_point(|t| *t < p.x).min(n - 1);
            let mut top = 0.0;
            let picked = bands.iter().find_map(|(l, shares, _)| {
                top += shares[b];
                (p.y <= top).then_some(*l)
            });
            *highlight = match picked.flatten().map(ringed) {
                Some(g) if *highlight != Some(g) => Some(g),
                _ => None,
            };
        }
    }
    ui.horizontal_wrapped(|ui| match *highlight {
        Some(g) => {
            // Ringed from either grouping.
            let alive = std::iter::once(&families.groups)
                .chain(&families.founders)
                .find(|f| ringed_in(f, g))
                .and_then(|f| f.lineages_now().into_iter().find(|(x, _)| *x == g.id()))
                .map_or(0, |(_, c)| c);
            ui.label(
                RichText::new(format!(
                    "ringed in the view: {}, {alive} alive",
                    group_name(g)
                ))
                .small(),
            );
            if ui.small_button("clear").clicked() {
                *highlight = None;
            }
        }
        None => {
            ui.label(
                RichText::new("click a band to ring its living agents in the view")
                    .small()
                    .weak(),
            );
        }
    });
    ui.add_space(6.0);
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
