//! The emergence dashboard: for each of agriculture, communication and tool use, its
//! headline measure smoothed over a window of ticks, drawn over its chance band, with a
//! one-line reading of where it stands against chance.
//!
//! The band is the chance level ± two standard errors of the window's mean difference from
//! it, so a measure outside the band differs from chance by more than its own noise
//! explains. Chance comes from the measures' live estimates (own harvest and programmer
//! benefit compute their chance level every tick; listener response has its bias band), or
//! from a control run loaded with `--compare` (message influence's chance level is the
//! shuffled-messages world's).

use egui::{Color32, RichText};
use egui_plot::{FilledArea, Line, LineStyle, Plot, PlotPoints};

use super::history::{column, thin, History};

/// Where a headline's chance level comes from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Chance {
    /// A column that holds the chance level of each row.
    Column(&'static str),
    /// A column that holds the bias band of an estimate centred on 0 (±bias is chance).
    BiasBand(&'static str),
    /// The same measure in the control run.
    Control,
}

/// One behaviour's panel.
#[derive(Clone, Copy, Debug)]
pub struct Headline {
    pub behaviour: &'static str,
    pub title: &'static str,
    pub measure: &'static str,
    /// Rows are weighted by this column (the food a share is a share of), as `stats.csv`
    /// weights them; unweighted when None.
    pub weight: Option<&'static str>,
    pub chance: Chance,
    pub y_label: &'static str,
    pub chance_label: &'static str,
    pub no_data: &'static str,
    /// A lineage measure: with fewer than two groups alive it equals its chance level by
    /// construction, and says nothing.
    pub needs_groups: bool,
}

/// The three panels. With a control run loaded, each behaviour is read against the
/// control's value of the same measure, and communication shows message influence (whose
/// only sharp chance level is a control's); without one, against the live chance levels.
pub fn headlines(with_control: bool) -> [Headline; 3] {
    let agri = Headline {
        behaviour: "Agriculture",
        title: "Agriculture: own harvest (share of cultivated food)",
        measure: "agri_own_harvest_share",
        weight: Some("agri_own_harvest_food"),
        chance: if with_control {
            Chance::Control
        } else {
            Chance::Column("agri_own_harvest_chance")
        },
        y_label: "share",
        chance_label: if with_control {
            "the control run's own harvest"
        } else {
            "chance: the cultivators' share of all eating"
        },
        no_data: "no food eaten from cultivated cells yet",
        needs_groups: true,
    };
    let comm = if with_control {
        Headline {
            behaviour: "Communication",
            title: "Communication: message influence (share of listeners)",
            measure: "comm_influence_changed",
            weight: None,
            chance: Chance::Control,
            y_label: "share",
            chance_label: "the control run's influence",
            no_data: "no listener sampled yet",
            needs_groups: false,
        }
    } else {
        Headline {
            behaviour: "Communication",
            title: "Communication: listener response (bits)",
            measure: "comm_listener_mi",
            weight: None,
            chance: Chance::BiasBand("comm_listener_bias"),
            y_label: "bits",
            chance_label: "chance: the estimate's bias band (load a shuffled control with \
                           --compare for message influence)",
            no_data: "no listener yet",
            needs_groups: false,
        }
    };
    let tool = Headline {
        behaviour: "Tool use",
        title: "Tool use: programmer benefit (share of bot-farmed food)",
        measure: "tool_programmer_benefit",
        weight: Some("tool_programmer_food"),
        chance: if with_control {
            Chance::Control
        } else {
            Chance::Column("tool_programmer_benefit_chance")
        },
        y_label: "share",
        chance_label: if with_control {
            "the control run's programmer benefit"
        } else {
            "chance: the programmers' share of all eating"
        },
        no_data: "no food eaten from programmed bots' farms yet",
        needs_groups: true,
    };
    [agri, comm, tool]
}

/// Cumulative weighted sums of one series, for window means in O(log n).
struct Prefix {
    x: Vec<f64>,
    w: Vec<f64>,
    wv: Vec<f64>,
    wv2: Vec<f64>,
    w2: Vec<f64>,
}

/// A window's weighted mean and its standard error (NaN with fewer than two samples' worth
/// of weight).
#[derive(Clone, Copy, Debug)]
struct WindowMean {
    mean: f64,
    se: f64,
}

impl Prefix {
    fn new(x: &[f64], v: &[f64], w: &[f64]) -> Self {
        let n = x.len();
        let mut p = Prefix {
            x: x.to_vec(),
            w: Vec::with_capacity(n + 1),
            wv: Vec::with_capacity(n + 1),
            wv2: Vec::with_capacity(n + 1),
            w2: Vec::with_capacity(n + 1),
        };
        let (mut sw, mut swv, mut swv2, mut sw2) = (0.0, 0.0, 0.0, 0.0);
        for arr in [&mut p.w, &mut p.wv, &mut p.wv2, &mut p.w2] {
            arr.push(0.0);
        }
        for i in 0..n {
            let (wi, vi) = if v[i].is_finite() && w[i].is_finite() && w[i] > 0.0 {
                (w[i], v[i])
            } else {
                (0.0, 0.0)
            };
            sw += wi;
            swv += wi * vi;
            swv2 += wi * vi * vi;
            sw2 += wi * wi;
            p.w.push(sw);
            p.wv.push(swv);
            p.wv2.push(swv2);
            p.w2.push(sw2);
        }
        p
    }

    /// Rows with `lo < x <= hi`.
    fn window(&self, lo: f64, hi: f64) -> Option<WindowMean> {
        let a = self.x.partition_point(|&x| x <= lo);
        let b = self.x.partition_point(|&x| x <= hi);
        let w = self.w[b] - self.w[a];
        if b <= a || w <= 0.0 {
            return None;
        }
        let mean = (self.wv[b] - self.wv[a]) / w;
        let var = ((self.wv2[b] - self.wv2[a]) / w - mean * mean).max(0.0);
        let n_eff = w * w / (self.w2[b] - self.w2[a]);
        let se = if n_eff >= 2.0 {
            (var / (n_eff - 1.0)).sqrt()
        } else {
            f64::NAN
        };
        Some(WindowMean { mean, se })
    }
}

/// A panel's smoothed curves, one point per history row (NaN where the window holds no
/// data).
#[derive(Clone, Debug, Default)]
pub struct Curves {
    pub ticks: Vec<f64>,
    pub measure: Vec<f64>,
    pub chance: Vec<f64>,
    pub band_low: Vec<f64>,
    pub band_high: Vec<f64>,
    /// The smoothing window, and the first tick of the history: a row's window is full
    /// from `first_tick + window_ticks` on.
    pub window_ticks: f64,
    pub first_tick: f64,
    /// The last row whose measure had data (weight > 0; NaN: none).
    pub last_data_tick: f64,
    /// The control run's last row, when one is read against.
    pub control_last_tick: Option<f64>,
    /// Lineages (or kin groups) alive at the last row (NaN: unknown).
    pub groups_alive: f64,
}

fn values(h: &History, name: &str) -> (Vec<f64>, Vec<f64>) {
    let pts = h.contiguous(column(name));
    (
        pts.iter().map(|p| p.x).collect(),
        pts.iter().map(|p| p.y).collect(),
    )
}

/// Smooth a headline over `window_ticks` at every row of `main` (both histories laid out
/// contiguously first). `control` is needed for `Chance::Control`; without it the
/// chance curves are NaN.
pub fn curves(
    h: &Headline,
    main: &History,
    control: Option<&History>,
    window_ticks: f64,
) -> Curves {
    let window = window_ticks.max(1.0);
    let (ticks, m) = values(main, h.measure);
    let ones = vec![1.0; ticks.len()];
    let w = h.weight.map_or(ones, |c| values(main, c).1);
    let measure = Prefix::new(&ticks, &m, &w);
    let last_data_tick = (0..ticks.len())
        .rev()
        .find(|&i| m[i].is_finite() && w[i].is_finite() && w[i] > 0.0)
        .map_or(f64::NAN, |i| ticks[i]);
    let mut out = Curves {
        ticks: ticks.clone(),
        window_ticks: window,
        first_tick: ticks.first().copied().unwrap_or(f64::NAN),
        last_data_tick,
        control_last_tick: match h.chance {
            Chance::Control => {
                control.map(|ctl| values(ctl, h.measure).0.last().copied().unwrap_or(f64::NAN))
            }
            _ => None,
        },
        groups_alive: values(main, "evo_lineages_alive")
            .1
            .last()
            .copied()
            .unwrap_or(f64::NAN),
        ..Curves::default()
    };
    // The chance side: a per-row level to subtract (live), or a control series.
    enum Side {
        Live { level: Prefix, diff: Prefix },
        Bias(Prefix),
        Control(Option<Prefix>),
    }
    let side = match h.chance {
        Chance::Column(c) => {
            let level = values(main, c).1;
            let d: Vec<f64> = m.iter().zip(&level).map(|(a, b)| a - b).collect();
            Side::Live {
                level: Prefix::new(&ticks, &level, &w),
                diff: Prefix::new(&ticks, &d, &w),
            }
        }
        Chance::BiasBand(c) => Side::Bias(Prefix::new(&ticks, &values(main, c).1, &w)),
        Chance::Control => Side::Control(control.map(|ctl| {
            let (cx, cm) = values(ctl, h.measure);
            let cw = h
                .weight
                .map_or_else(|| vec![1.0; cx.len()], |c| values(ctl, c).1);
            Prefix::new(&cx, &cm, &cw)
        })),
    };
    for &t in &ticks {
        let (lo, hi) = (t - window, t);
        let mm = measure.window(lo, hi);
        out.measure.push(mm.map_or(f64::NAN, |s| s.mean));
        let (level, half) = match &side {
            Side::Live { level, diff } => match (level.window(lo, hi), diff.window(lo, hi)) {
                (Some(l), Some(d)) => (l.mean, 2.0 * d.se),
                _ => (f64::NAN, f64::NAN),
            },
            Side::Bias(bias) => match bias.window(lo, hi) {
                Some(b) => (0.0, b.mean.abs()),
                None => (f64::NAN, f64::NAN),
            },
            Side::Control(Some(ctl)) => match (ctl.window(lo, hi), mm) {
                (Some(c), Some(s)) => (c.mean, 2.0 * (c.se * c.se + s.se * s.se).sqrt()),
                _ => (f64::NAN, f64::NAN),
            },
            Side::Control(None) => (f64::NAN, f64::NAN),
        };
        out.chance.push(level);
        out.band_low.push(level - half);
        out.band_high.push(level + half);
    }
    out
}

/// Where the smoothed measure stands against the band.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    Above,
    Below,
    Within,
}

/// The standing at the last row, and for how many ticks it has held.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Reading {
    pub standing: Standing,
    pub ticks: f64,
}

fn standing(m: f64, lo: f64, hi: f64) -> Option<Standing> {
    if !m.is_finite() {
        return None;
    }
    Some(if lo.is_finite() && m < lo {
        Standing::Below
    } else if hi.is_finite() && m > hi {
        Standing::Above
    } else {
        Standing::Within
    })
}

/// The reading of a panel's curves over the rows whose window is full (a window still
/// filling is a cumulative mean of the start-up, not a reading); None when there is no
/// such row with data, or no chance level to read it against.
pub fn reading(c: &Curves) -> Option<Reading> {
    let full_from = c.first_tick + c.window_ticks;
    let rows: Vec<(f64, Standing)> = (0..c.ticks.len())
        .filter(|&i| c.ticks[i] >= full_from)
        .filter(|&i| c.band_low[i].is_finite() && c.band_high[i].is_finite())
        .filter_map(|i| {
            standing(c.measure[i], c.band_low[i], c.band_high[i]).map(|s| (c.ticks[i], s))
        })
        .collect();
    let &(last_tick, now) = rows.last()?;
    let since = rows
        .iter()
        .rev()
        .take_while(|(_, s)| *s == now)
        .last()
        .map_or(last_tick, |(t, _)| *t);
    Some(Reading {
        standing: now,
        ticks: last_tick - since,
    })
}

fn thousands(n: f64) -> String {
    let s = format!("{:.0}", n.max(0.0));
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// The one-line reading, e.g. "above chance for the last 4,000 ticks", or why there is
/// none: too little history for the window, fewer than two groups for a lineage measure,
/// no data within the window, or a control run that has ended.
pub fn reading_text(h: &Headline, c: &Curves) -> String {
    let last = c.ticks.last().copied().unwrap_or(f64::NAN);
    if c.last_data_tick.is_finite() {
        let needed = c.first_tick + c.window_ticks - last;
        if needed > 0.0 {
            return format!(
                "needs {} more ticks of history for its {}-tick window",
                thousands(needed),
                thousands(c.window_ticks)
            );
        }
        if h.needs_groups && c.groups_alive < 2.0 {
            return "one lineage alive: its share is its chance level, no reading".into();
        }
        if c.last_data_tick < last - c.window_ticks {
            return format!(
                "no data since tick {} (before the window): no reading",
                thousands(c.last_data_tick)
            );
        }
        if let Some(end) = c.control_last_tick.filter(|end| *end < last) {
            return format!(
                "control ended at tick {}: no reading past it",
                thousands(end)
            );
        }
    }
    let Some(r) = reading(c) else {
        return if c.measure.iter().any(|v| v.is_finite()) {
            match h.chance {
                Chance::Control => "no chance level: the control run has no data here".into(),
                _ => "no chance level yet".into(),
            }
        } else {
            h.no_data.into()
        };
    };
    let what = match r.standing {
        Standing::Above => "above chance",
        Standing::Below => "below chance",
        Standing::Within => "within the chance band",
    };
    if r.ticks > 0.0 {
        format!("{what} for the last {} ticks", thousands(r.ticks))
    } else {
        format!("{what} at the last row")
    }
}

/// What the dashboard drew in the last frame (for tests and screenshots' captions).
#[derive(Clone, Debug, Default)]
pub struct Drawn {
    pub title: String,
    pub measure_points: usize,
    pub band_points: usize,
    /// The smoothed measure at the last row (NaN when its window holds no data).
    pub last_measure: f64,
    pub reading: String,
}

const MEASURE: Color32 = Color32::from_rgb(250, 200, 80);
const BAND: Color32 = Color32::from_rgba_premultiplied(70, 90, 120, 110);
const CHANCE: Color32 = Color32::from_rgb(150, 170, 200);

/// A legend's colour patch (drawn, not a glyph: the default fonts lack block characters).
fn swatch(ui: &mut egui::Ui, colour: Color32) {
    let (rect, _) = ui.allocate_exact_size(egui::vec2(14.0, 8.0), egui::Sense::hover());
    ui.painter().rect_filled(rect, 1.0, colour);
}

/// Draw the three panels; returns what each drew.
pub fn show(
    ui: &mut egui::Ui,
    main: &History,
    control: Option<&History>,
    window_ticks: f64,
) -> Vec<Drawn> {
    let mut drawn = Vec::new();
    // Shorter plots on a short screen, so the Muller plot below them stays in view.
    let plot_height = (0.1 * ui.ctx().content_rect().height()).clamp(60.0, 120.0);
    for h in headlines(control.is_some()) {
        let c = curves(&h, main, control, window_ticks);
        let text = reading_text(&h, &c);
        ui.label(RichText::new(h.title).strong());
        let keep = thin(c.ticks.len(), 800);
        let pick = |v: &[f64]| keep.iter().map(|&i| [c.ticks[i], v[i]]).collect::<Vec<_>>();
        let band: Vec<usize> = keep
            .iter()
            .copied()
            .filter(|&i| c.band_low[i].is_finite() && c.band_high[i].is_finite())
            .collect();
        let measure: Vec<[f64; 2]> = pick(&c.measure)
            .into_iter()
            .filter(|p| p[1].is_finite())
            .collect();
        Plot::new(("dashboard", h.behaviour))
            .height(plot_height)
            .x_axis_label("tick")
            .y_axis_label(h.y_label)
            .allow_scroll(false)
            .show(ui, |plot| {
                if !band.is_empty() {
                    let xs: Vec<f64> = band.iter().map(|&i| c.ticks[i]).collect();
                    let lo: Vec<f64> = band.iter().map(|&i| c.band_low[i]).collect();
                    let hi: Vec<f64> = band.iter().map(|&i| c.band_high[i]).collect();
                    plot.add(FilledArea::new("chance band", &xs, &lo, &hi).fill_color(BAND));
                    let level: Vec<[f64; 2]> =
                        band.iter().map(|&i| [c.ticks[i], c.chance[i]]).collect();
                    plot.line(
                        Line::new("chance", PlotPoints::from(level))
                            .color(CHANCE)
                            .style(LineStyle::dashed_dense()),
                    );
                }
                plot.line(Line::new(h.measure, PlotPoints::from(measure.clone())).color(MEASURE));
            });
        // The legend sits under the plot, never over the data.
        ui.horizontal_wrapped(|ui| {
            swatch(ui, MEASURE);
            ui.label(RichText::new(h.measure).small().color(MEASURE));
            swatch(ui, BAND);
            ui.label(RichText::new(h.chance_label).small().color(CHANCE));
        });
        let colour = match reading(&c).map(|r| r.standing) {
            Some(Standing::Above) => Color32::from_rgb(120, 220, 120),
            Some(Standing::Below) => Color32::from_rgb(240, 120, 110),
            _ => Color32::GRAY,
        };
        ui.label(RichText::new(&text).color(colour));
        ui.add_space(6.0);
        drawn.push(Drawn {
            title: h.title.into(),
            measure_points: measure.len(),
            band_points: band.len(),
            last_measure: c.measure.last().copied().unwrap_or(f64::NAN),
            reading: text,
        });
    }
    drawn
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::METRIC_COLUMNS;

    fn history(rows: usize, f: impl Fn(usize, &mut [f32])) -> History {
        let mut h = History::new(rows + 10);
        for i in 0..rows {
            let mut row = vec![0.0f32; METRIC_COLUMNS.len()];
            row[0] = (10 * (i + 1)) as f32;
            f(i, &mut row);
            h.push(&row);
        }
        h.make_contiguous();
        h
    }

    fn set(row: &mut [f32], name: &str, v: f32) {
        row[column(name)] = v;
    }

    #[test]
    fn every_headline_names_real_columns() {
        for with in [false, true] {
            for h in headlines(with) {
                column(h.measure);
                h.weight.map(column);
                match h.chance {
                    Chance::Column(c) | Chance::BiasBand(c) => {
                        column(c);
                    }
                    Chance::Control => {}
                }
            }
        }
    }

    #[test]
    fn a_share_well_above_its_chance_level_reads_above_since_it_rose() {
        // Chance 0.25 throughout; the share is 0.25 ± noise for 100 rows, then 0.9.
        let h = history(300, |i, r| {
            let noise = if i % 2 == 0 { 0.05 } else { -0.05 };
            set(r, "evo_lineages_alive", 3.0);
            set(r, "agri_own_harvest_food", 1.0);
            set(r, "agri_own_harvest_chance", 0.25);
            set(
                r,
                "agri_own_harvest_share",
                if i < 100 { 0.25 + noise } else { 0.9 + noise },
            );
        });
        let head = headlines(false)[0];
        let c = curves(&head, &h, None, 200.0);
        let r = reading(&c).unwrap();
        assert_eq!(r.standing, Standing::Above);
        // The window (20 rows) leaves chance within a few rows of the rise at tick 1,010.
        assert!(r.ticks > 1_800.0 && r.ticks <= 2_000.0, "{r:?}");
        assert!(reading_text(&head, &c).starts_with("above chance for the last"));
        // Before the rise the share sat inside the band.
        let before = c.ticks.iter().position(|&t| t == 900.0).unwrap();
        assert!(c.band_low[before] < c.measure[before] && c.measure[before] < c.band_high[before]);
    }

    #[test]
    fn rows_with_no_food_do_not_count_and_none_at_all_says_so() {
        let h = history(50, |_, r| {
            set(r, "agri_own_harvest_share", 0.0);
            set(r, "agri_own_harvest_chance", 0.0);
        });
        let head = headlines(false)[0];
        let c = curves(&head, &h, None, 100.0);
        assert!(c.measure.iter().all(|v| v.is_nan()));
        assert_eq!(reading_text(&head, &c), head.no_data);
    }

    #[test]
    fn listener_response_inside_its_bias_band_is_chance() {
        let h = history(100, |i, r| {
            set(r, "comm_listener_bias", 0.02);
            set(r, "comm_listener_mi", if i % 2 == 0 { 0.01 } else { -0.01 });
        });
        let head = headlines(false)[1];
        let c = curves(&head, &h, None, 100.0);
        assert_eq!(reading(&c).unwrap().standing, Standing::Within);
        assert!(reading_text(&head, &c).starts_with("within the chance band for the last"));
    }

    #[test]
    fn a_control_run_gives_the_band_and_a_lower_measure_reads_below() {
        let world = history(200, |i, r| {
            set(r, "comm_influence_changed", 0.1 + 0.01 * (i % 3) as f32)
        });
        let control = history(200, |i, r| {
            set(r, "comm_influence_changed", 0.4 + 0.01 * (i % 3) as f32)
        });
        let head = headlines(true)[1];
        assert_eq!(head.measure, "comm_influence_changed");
        let c = curves(&head, &world, Some(&control), 100.0);
        let r = reading(&c).unwrap();
        assert_eq!(r.standing, Standing::Below);
        // Readings start once the first window is full (tick 110), to the last row.
        assert_eq!(r.ticks, 1_890.0);
        // Without the control there is no chance level to read against.
        let none = curves(&head, &world, None, 100.0);
        assert!(reading(&none).is_none());
        assert_eq!(
            reading_text(&head, &none),
            "no chance level: the control run has no data here"
        );
    }

    /// A share that was high only in the first rows and has had no food since: the window
    /// still holds it, but no reading is given from data older than the window; before the
    /// window has filled, none is given either, and a lineage measure with one lineage left
    /// says why it cannot read.
    #[test]
    fn readings_need_history_recent_data_groups_and_a_live_control() {
        let head = headlines(false)[0];
        let transient = |rows: usize, lineages: f32| {
            history(rows, move |i, r| {
                set(r, "evo_lineages_alive", lineages);
                set(r, "agri_own_harvest_chance", 0.06);
                if i < 5 {
                    set(r, "agri_own_harvest_food", 1.0);
                    set(r, "agri_own_harvest_share", 0.9);
                }
            })
        };
        // 300 rows (to tick 3,000), a 1,000-tick window: the last meal at tick 50.
        let c = curves(&head, &transient(300, 3.0), None, 1_000.0);
        assert_eq!(
            reading_text(&head, &c),
            "no data since tick 50 (before the window): no reading"
        );
        // 50 rows (to tick 500): the window is not full yet.
        let c = curves(&head, &transient(50, 3.0), None, 1_000.0);
        assert_eq!(
            reading_text(&head, &c),
            "needs 510 more ticks of history for its 1,000-tick window"
        );
        assert!(reading(&c).is_none(), "no reading from a filling window");
        // One lineage: its own harvest is its chance level.
        let one = history(300, |_, r| {
            set(r, "evo_lineages_alive", 1.0);
            set(r, "agri_own_harvest_food", 1.0);
            set(r, "agri_own_harvest_share", 1.0);
            set(r, "agri_own_harvest_chance", 1.0);
        });
        let c = curves(&head, &one, None, 200.0);
        assert_eq!(
            reading_text(&head, &c),
            "one lineage alive: its share is its chance level, no reading"
        );
        // A control run that ended: its band stops, and so does the reading.
        let head = headlines(true)[1];
        let world = history(200, |i, r| {
            set(r, "comm_influence_changed", 0.1 + 0.01 * (i % 3) as f32)
        });
        let control = history(100, |i, r| {
            set(r, "comm_influence_changed", 0.4 + 0.01 * (i % 3) as f32)
        });
        let c = curves(&head, &world, Some(&control), 100.0);
        assert_eq!(
            reading_text(&head, &c),
            "control ended at tick 1,000: no reading past it"
        );
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(4000.0), "4,000");
        assert_eq!(thousands(1234567.0), "1,234,567");
        assert_eq!(thousands(999.0), "999");
    }
}
