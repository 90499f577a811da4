//! The stacked share plots below the dashboard: the Muller plot of the living's groups
//! (kin groups, or founders' lineages on asking; a click rings a group in the view) and
//! what agents live on (income by source).

use egui::{Color32, RichText};
use egui_plot::{FilledArea, Plot, PlotPoint};

use super::history::{column, thin, History};
use super::state::ChartSettings;

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
pub(super) fn income(ui: &mut egui::Ui, history: &History, st: &mut ChartSettings) {
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
///
/// Long because the bands, their hover text, the legend and the click that selects a
/// band share one egui plot response.
pub(super) fn lineages(
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
