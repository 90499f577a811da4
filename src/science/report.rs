//! `silico report DIR [DIR ...] --out OUT`: the emergence measures of runs side by side.
//! One PNG per measure group (a panel per measure, every run overlaid, control runs
//! dashed) and OUT/report.md with a table of final and time-averaged values per run.
//! A DIR is a `silico run` directory (metrics.csv + config.ron) or any directory holding
//! such runs (an experiment), searched recursively.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use plotters::prelude::*;

use crate::config::Config;
use crate::runs::{ending, find_runs, Run};
use crate::world::METRIC_COLUMNS;

/// The measure groups drawn: (file stem, title, columns).
pub const GROUPS: &[(&str, &str, &[&str])] = &[
    (
        "agriculture",
        "Agriculture",
        &[
            "agri_cultivated_cells",
            "agri_eaten_cultivated_share",
            "agri_farming_return",
            "cultivation_agents",
            "agri_own_harvest_share",
            "agri_own_harvest_chance",
        ],
    ),
    (
        "communication",
        "Communication",
        &[
            "comm_gate_activity",
            "comm_message_entropy",
            "comm_speaker_mi",
            "comm_listener_mi",
            "comm_saliency_messages",
            "comm_influence_changed",
        ],
    ),
    (
        "tool_use",
        "Tool use",
        &[
            "tool_programming_events",
            "tool_bots_programmed_share",
            "kardashev_bots",
            "cultivation_bots",
            "tool_programmer_benefit",
            "tool_programmer_benefit_chance",
        ],
    ),
    (
        "evolution",
        "Evolution and energy",
        &[
            "population",
            "mean_generation",
            "evo_lineages_alive",
            "evo_genome_diversity",
        ],
    ),
];

/// Mean over windows of `window` points, so 50,000-tick curves stay readable.
fn smooth(points: &[(f64, f64)], window: usize) -> Vec<(f64, f64)> {
    points
        .chunks(window.max(1))
        .map(|c| {
            let n = c.len() as f64;
            (
                c.iter().map(|p| p.0).sum::<f64>() / n,
                c.iter().map(|p| p.1).sum::<f64>() / n,
            )
        })
        .collect()
}

fn palette(k: usize) -> RGBColor {
    const COLORS: [RGBColor; 8] = [
        RGBColor(31, 119, 180),
        RGBColor(214, 39, 40),
        RGBColor(44, 160, 44),
        RGBColor(148, 103, 189),
        RGBColor(255, 127, 14),
        RGBColor(23, 190, 207),
        RGBColor(140, 86, 75),
        RGBColor(227, 119, 194),
    ];
    COLORS[k % COLORS.len()]
}

/// The group a run is drawn in: its label without a trailing `seed-<s>` (an experiment's
/// variant), so the seeds of one variant make one mean and band.
pub fn group_of(label: &str) -> String {
    match label.rsplit_once('/') {
        Some((variant, last)) if last.starts_with("seed-") => variant.to_string(),
        _ => label.to_string(),
    }
}

/// The unit of a metrics column, for a y axis.
pub fn unit_of(column: &str) -> &'static str {
    if column.ends_with("_mi") || column.ends_with("_bias") || column.ends_with("_entropy") {
        "bits"
    } else if column.ends_with("_share")
        || column.ends_with("_chance")
        || column == "tool_programmer_benefit"
        || column == "comm_influence_changed"
        || column == "comm_gate_activity"
        || column == "comm_saliency_messages"
    {
        "fraction"
    } else if column.ends_with("_return") {
        "energy per energy"
    } else if column == "mean_generation" {
        "generations"
    } else if column == "evo_genome_diversity" {
        "mean weight distance"
    } else {
        "count"
    }
}

/// Two-sided 97.5% quantile of Student's t with `df` degrees of freedom.
fn t_quantile(df: usize) -> f64 {
    const T: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    T.get(df.wrapping_sub(1)).copied().unwrap_or(1.96)
}

/// (tick, mean over a group's runs, band low, band high).
type CurvePoint = (f64, f64, f64, f64);

/// One group's curve: (tick, mean over its runs, band low, band high). The band is the 95%
/// t-interval of the mean over runs at that tick, clipped to the measure's range (none
/// below 3 runs, where it says nothing: t is 12.7 at 2). Runs are smoothed over windows of
/// 1/200 of their length and matched by window.
fn group_curve(runs: &[&Run], name: &str) -> Vec<CurvePoint> {
    let curves: Vec<Vec<(f64, f64)>> = runs
        .iter()
        .filter_map(|r| {
            let pts = r.column(name)?;
            Some(smooth(&pts, (pts.len() / 200).max(1)))
        })
        .collect();
    let (floor, ceiling) = match unit_of(name) {
        "fraction" => (0.0, 1.0),
        "count" | "generations" | "mean weight distance" => (0.0, f64::INFINITY),
        _ => (f64::NEG_INFINITY, f64::INFINITY),
    };
    let len = curves.iter().map(Vec::len).min().unwrap_or(0);
    (0..len)
        .filter_map(|k| {
            let ys: Vec<f64> = curves
                .iter()
                .map(|c| c[k].1)
                .filter(|y| y.is_finite())
                .collect();
            if ys.is_empty() {
                return None;
            }
            let (mean, sd) = crate::science::stats::mean_sd(&ys);
            let half = if ys.len() >= 3 {
                t_quantile(ys.len() - 1) * sd / (ys.len() as f64).sqrt()
            } else {
                0.0
            };
            Some((
                curves[0][k].0,
                mean,
                (mean - half).max(floor),
                (mean + half).min(ceiling),
            ))
        })
        .collect()
}

/// Draw one group of measures: a grid of panels, each with one mean line per world or
/// control (dashed) and its 95% band over seeds, and one legend below the panels.
fn plot_group(path: &Path, title: &str, columns: &[&str], runs: &[Run]) -> Result<()> {
    crate::science::plot::register_font();
    let mut groups: Vec<String> = Vec::new();
    for r in runs {
        let g = group_of(&r.label);
        if !groups.contains(&g) {
            groups.push(g);
        }
    }
    let members =
        |g: &str| -> Vec<&Run> { runs.iter().filter(|r| group_of(&r.label) == g).collect() };
    let legend_rows = groups.len().div_ceil(3) as u32;
    let root = BitMapBackend::new(path, (1400, 900 + 24 * legend_rows)).into_drawing_area();
    let err = |e: &dyn std::fmt::Display| anyhow::anyhow!("drawing {}: {e}", path.display());
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let (head, rest) = root.split_vertically(50);
    let (body, legend) = rest.split_vertically(850);
    head.draw(&Text::new(
        title.to_string(),
        (20, 12),
        ("sans-serif", 28).into_font(),
    ))
    .map_err(|e| err(&e))?;
    // The legend, outside every panel: a colour and a line style per group.
    for (k, g) in groups.iter().enumerate() {
        let (col, row) = ((k % 3) as i32, (k / 3) as i32);
        let (x, y) = (30 + 450 * col, 10 + 24 * row);
        let color = palette(k);
        let first = members(g)[0];
        let seeds = members(g).len();
        let text = if first.control {
            format!("{g} (control: {}), n = {seeds}", first.control_what)
        } else {
            format!("{g}, n = {seeds}")
        };
        if first.control {
            legend
                .draw(&PathElement::new(
                    vec![(x, y + 8), (x + 10, y + 8)],
                    color.stroke_width(3),
                ))
                .map_err(|e| err(&e))?;
            legend
                .draw(&PathElement::new(
                    vec![(x + 16, y + 8), (x + 26, y + 8)],
                    color.stroke_width(3),
                ))
                .map_err(|e| err(&e))?;
        } else {
            legend
                .draw(&PathElement::new(
                    vec![(x, y + 8), (x + 26, y + 8)],
                    color.stroke_width(3),
                ))
                .map_err(|e| err(&e))?;
        }
        legend
            .draw(&Text::new(
                text,
                (x + 34, y),
                ("sans-serif", 15).into_font(),
            ))
            .map_err(|e| err(&e))?;
    }
    let panels = body.split_evenly((2, columns.len().div_ceil(2)));
    for (panel, name) in panels.iter().zip(columns) {
        let curves: Vec<(usize, bool, Vec<CurvePoint>)> = groups
            .iter()
            .enumerate()
            .map(|(k, g)| (k, members(g)[0].control, group_curve(&members(g), name)))
            .filter(|c| !c.2.is_empty())
            .collect();
        let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for (_, _, pts) in &curves {
            for (x, _, lo, hi) in pts {
                x0 = x0.min(*x);
                x1 = x1.max(*x);
                y0 = y0.min(*lo);
                y1 = y1.max(*hi);
            }
        }
        if x0 > x1 {
            (x0, x1, y0, y1) = (0.0, 1.0, 0.0, 1.0);
        }
        // A constant is a flat line in the middle of a range around it.
        if y1 - y0 < 1e-9 {
            let half = (y0.abs() * 0.5).max(0.5);
            (y0, y1) = (y0 - half, y1 + half);
        }
        let pad = 0.05 * (y1 - y0);
        // Counts and fractions never go below 0: no axis room below it.
        let floor = if y0 >= 0.0 {
            0.0f64.max(y0 - pad)
        } else {
            y0 - pad
        };
        let mut chart = ChartBuilder::on(panel)
            .caption(*name, ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(70)
            .build_cartesian_2d(x0..x1.max(x0 + 1.0), floor..(y1 + pad))
            .map_err(|e| err(&e))?;
        chart
            .configure_mesh()
            .x_desc("tick")
            .y_desc(unit_of(name))
            .x_label_formatter(&|x| format!("{:.0}", x))
            .y_label_formatter(&|y| {
                if y.abs() >= 100.0 || *y == 0.0 {
                    format!("{:.0}", y)
                } else {
                    // 0.25, not 0.250; 12.5, not 12.50.
                    let digits = if y.abs() >= 1.0 { 1 } else { 3 };
                    let s = format!("{:.*}", digits, y);
                    s.trim_end_matches('0').trim_end_matches('.').to_string()
                }
            })
            .label_style(("sans-serif", 13))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(|e| err(&e))?;
        for (k, control, pts) in curves {
            let color = palette(k);
            if pts.iter().any(|p| p.3 > p.2) {
                let band: Vec<(f64, f64)> = pts
                    .iter()
                    .map(|p| (p.0, p.3))
                    .chain(pts.iter().rev().map(|p| (p.0, p.2)))
                    .collect();
                chart
                    .draw_series(std::iter::once(Polygon::new(
                        band,
                        color.mix(0.18).filled(),
                    )))
                    .map_err(|e| err(&e))?;
            }
            let line: Vec<(f64, f64)> = pts.iter().map(|p| (p.0, p.1)).collect();
            let style = color.stroke_width(2);
            if control {
                chart
                    .draw_series(DashedLineSeries::new(line, 7, 5, style))
                    .map_err(|e| err(&e))?;
            } else {
                chart
                    .draw_series(LineSeries::new(line, style))
                    .map_err(|e| err(&e))?;
            }
        }
    }
    root.present().map_err(|e| err(&e))?;
    Ok(())
}

/// What agents live on: the ledger's income sources, (column, label).
pub const INCOME_SOURCES: &[(&str, &str)] = &[
    ("ledger_eaten_by_agents", "eating"),
    ("ledger_hit_received", "hits and gifts received (net)"),
    ("ledger_stolen", "theft"),
    ("ledger_birth_energy", "births and respawns"),
    ("ledger_from_bots", "from bots"),
];

/// Sources a run written before they existed lacks: read as 0 there.
const INCOME_SOURCES_ADDED_LATER: &[&str] = &["ledger_from_bots"];

/// Per group (an experiment's variant, or a run): its runs' mean income per tick from each
/// source over the second half of each run, averaged over the runs.
pub fn income_by_source(runs: &[Run]) -> Vec<(String, usize, Vec<f64>)> {
    let mut out: Vec<(String, usize, Vec<f64>)> = Vec::new();
    for r in runs {
        let per_source: Option<Vec<f64>> = INCOME_SOURCES
            .iter()
            .map(|(c, _)| {
                let Some(pts) = r.second_half(c) else {
                    return INCOME_SOURCES_ADDED_LATER.contains(c).then_some(0.0);
                };
                Some(pts.iter().sum::<f64>() / pts.len() as f64)
            })
            .collect();
        let Some(values) = per_source else { continue };
        let g = group_of(&r.label);
        match out.iter_mut().find(|(name, _, _)| *name == g) {
            Some((_, n, sums)) => {
                for (s, v) in sums.iter_mut().zip(&values) {
                    *s += v;
                }
                *n += 1;
            }
            None => out.push((g, 1, values)),
        }
    }
    for (_, n, sums) in &mut out {
        sums.iter_mut().for_each(|s| *s /= *n as f64);
    }
    out
}

/// What a run must show before its behaviours mean anything (docs/results.md): over the
/// second half, eating's share of income (the mean of `income_eating`, or for runs
/// written before that column the ledger's eating over eating, positive net hits and
/// theft, and births), the mean age, and the kin groups (or lineages) alive at the end.
pub struct Preconditions {
    pub label: String,
    pub eating_share: f64,
    pub mean_age: f64,
    pub groups_alive: f64,
}

/// The thresholds of docs/results.md: eating at least 80% of income, a mean age of at
/// least 50 ticks, at least 3 kin groups alive at the end.
pub const MIN_EATING_SHARE: f64 = 0.8;
pub const MIN_MEAN_AGE_TICKS: f64 = 50.0;
pub const MIN_GROUPS_ALIVE: f64 = 3.0;

impl Preconditions {
    pub fn of(r: &Run) -> Option<Self> {
        let half = |c: &str| r.second_half(c);
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        let eating_share = match half("income_eating") {
            Some(v) => mean(&v),
            None => {
                let sum = |c: &str, positive: bool| -> Option<f64> {
                    Some(
                        half(c)?
                            .iter()
                            .map(|x| if positive { x.max(0.0) } else { *x })
                            .sum(),
                    )
                };
                let eaten = sum("ledger_eaten_by_agents", false)?;
                let total = eaten
                    + sum("ledger_hit_received", true)?
                    + sum("ledger_stolen", true)?
                    + sum("ledger_birth_energy", false)?;
                if total > 0.0 {
                    eaten / total
                } else {
                    0.0
                }
            }
        };
        Some(Self {
            label: r.label.clone(),
            eating_share,
            mean_age: mean(&half("mean_age")?),
            groups_alive: r.column("evo_lineages_alive")?.last()?.1,
        })
    }

    pub fn met(&self) -> bool {
        self.eating_share >= MIN_EATING_SHARE
            && self.mean_age >= MIN_MEAN_AGE_TICKS
            && self.groups_alive >= MIN_GROUPS_ALIVE
    }
}

/// OUT/income.png: one bar per group, each source's share of the group's income (the
/// positive sources; net hits that destroyed energy count as 0 in the bar, and the table
/// gives the signed value).
fn plot_income(path: &Path, income: &[(String, usize, Vec<f64>)]) -> Result<()> {
    crate::science::plot::register_font();
    let height = 120 + 60 * income.len() as u32;
    let root = BitMapBackend::new(path, (1100, height)).into_drawing_area();
    let err = |e: &dyn std::fmt::Display| anyhow::anyhow!("drawing {}: {e}", path.display());
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let (plot, legend) = root.split_vertically(height - 50);
    let mut chart = ChartBuilder::on(&plot)
        .caption(
            "What agents live on: share of income by source",
            ("sans-serif", 20),
        )
        .margin(14)
        .x_label_area_size(36)
        .y_label_area_size(160)
        .build_cartesian_2d(0.0..1.0f64, 0.0..income.len() as f64)
        .map_err(|e| err(&e))?;
    chart
        .configure_mesh()
        .x_desc("share of income (second half of each run, mean over seeds)")
        .x_label_formatter(&|x| format!("{:.0}%", x * 100.0))
        .y_labels(0)
        .disable_y_mesh()
        .label_style(("sans-serif", 13))
        .draw()
        .map_err(|e| err(&e))?;
    for (row, (name, n, values)) in income.iter().enumerate() {
        // The group's name left of its bar, in the label area.
        let (x, y) = chart.backend_coord(&(0.0, row as f64 + 0.5));
        plot.draw(&Text::new(
            format!("{name} (n = {n})"),
            (x - 150, y - 8),
            ("sans-serif", 14).into_font(),
        ))
        .map_err(|e| err(&e))?;
        let positive: Vec<f64> = values.iter().map(|v| v.max(0.0)).collect();
        let total: f64 = positive.iter().sum();
        if total <= 0.0 {
            continue;
        }
        let mut from = 0.0;
        for (k, v) in positive.iter().enumerate() {
            let to = from + v / total;
            let y = row as f64;
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(from, y + 0.15), (to, y + 0.85)],
                    palette(k).filled(),
                )))
                .map_err(|e| err(&e))?;
            from = to;
        }
    }
    for (k, (_, label)) in INCOME_SOURCES.iter().enumerate() {
        let x = 20 + 260 * k as i32;
        legend
            .draw(&Rectangle::new(
                [(x, 14), (x + 18, 30)],
                palette(k).filled(),
            ))
            .map_err(|e| err(&e))?;
        legend
            .draw(&Text::new(
                label.to_string(),
                (x + 24, 14),
                ("sans-serif", 14).into_font(),
            ))
            .map_err(|e| err(&e))?;
    }
    root.present().map_err(|e| err(&e))?;
    Ok(())
}

/// Write OUT/<group>.png and OUT/report.md for the runs under `dirs`.
pub fn write(dirs: &[PathBuf], out: &Path) -> Result<Vec<PathBuf>> {
    write_grouped(dirs, out, false)
}

/// `write`, with Muller plots by founders' lineages where `founders` is set, even for
/// runs whose measures count kin groups.
pub fn write_grouped(dirs: &[PathBuf], out: &Path, founders: bool) -> Result<Vec<PathBuf>> {
    let runs: Vec<Run> = find_runs(dirs)?
        .into_iter()
        .map(|(d, label)| Run::load(&d, label))
        .collect::<Result<_>>()?;
    fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let mut written = Vec::new();
    let mut md = String::new();
    let _ = writeln!(md, "# Silico report\n");
    let _ = writeln!(
        md,
        "{} run(s). One line per world (solid) or control (dashed: a mechanic switched off, \
         or a random/zero brain): the mean over its seeds, with the 95% t-band of that mean \
         shaded where there are 3 or more. Curves are means over windows of 1/200 of the run. \
         Columns are explained in docs/metrics.md, the measures and their chance levels in \
         docs/measures.md.\n",
        runs.len()
    );
    let _ = writeln!(
        md,
        "| run | control | ticks | how it ended | directory |\n|---|---|---|---|---|"
    );
    for r in &runs {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | `{}` |",
            r.label,
            if r.control {
                r.control_what.as_str()
            } else {
                ""
            },
            r.rows.last().map_or(0.0, |x| x[0]),
            ending(&r.dir),
            r.dir.display()
        );
    }
    let income = income_by_source(&runs);
    if !income.is_empty() {
        let png = out.join("income.png");
        plot_income(&png, &income)?;
        written.push(png);
        let _ = writeln!(
            md,
            "\n## What agents live on\n\nIncome per tick by source, the mean over the second half of each run, averaged over a variant's runs (the ledger's columns, docs/metrics.md); eating's share is of the sum.\n\n| run or variant | runs | eating | hits and gifts received (net) | theft | births and respawns | total | eating's share |\n|---|---|---|---|---|---|---|---|"
        );
        for (g, n, v) in &income {
            let total: f64 = v.iter().sum();
            let _ = writeln!(
                md,
                "| {g} | {n} | {} | {} | {} | {} | {} | {} |",
                fmt(v[0]),
                fmt(v[1]),
                fmt(v[2]),
                fmt(v[3]),
                fmt(total),
                if total > 0.0 {
                    fmt(v[0] / total)
                } else {
                    "–".into()
                }
            );
        }
        let _ = writeln!(md, "\n![Income by source](income.png)\n");
    }
    let pre: Vec<Preconditions> = runs.iter().filter_map(Preconditions::of).collect();
    if !pre.is_empty() {
        let _ = writeln!(
            md,
            "\n## Preconditions\n\nWhat a world must show before its behaviours mean anything: over the second half of each run, eating at least {:.0}% of income, a mean age of at least {MIN_MEAN_AGE_TICKS} ticks, and at least {MIN_GROUPS_ALIVE} kin groups (or lineages) alive at the end.\n\n| run | eating's share | mean age (ticks) | groups alive at the end | all three |\n|---|---|---|---|---|",
            100.0 * MIN_EATING_SHARE
        );
        for p in &pre {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} |",
                p.label,
                fmt(p.eating_share),
                fmt(p.mean_age),
                p.groups_alive,
                if p.met() { "yes" } else { "no" }
            );
        }
    }
    for (stem, title, columns) in GROUPS {
        let png = out.join(format!("{stem}.png"));
        plot_group(&png, title, columns, &runs)?;
        written.push(png);
        let _ = writeln!(md, "\n## {title}\n\n![{title}]({stem}.png)\n");
        let _ = writeln!(
            md,
            "Final value / mean over the run (mean over the last half):\n"
        );
        let _ = write!(md, "| run |");
        for c in *columns {
            let _ = write!(md, " `{c}` |");
        }
        let _ = write!(md, "\n|---|");
        for _ in *columns {
            let _ = write!(md, "---|");
        }
        let _ = writeln!(md);
        for r in &runs {
            let _ = write!(md, "| {} |", r.label);
            for c in *columns {
                match r.column(c) {
                    Some(pts) if !pts.is_empty() => {
                        let mean =
                            |p: &[(f64, f64)]| p.iter().map(|x| x.1).sum::<f64>() / p.len() as f64;
                        let last = pts[pts.len() - 1].1;
                        let _ = write!(
                            md,
                            " {} / {} ({}) |",
                            fmt(last),
                            fmt(mean(&pts)),
                            fmt(mean(&pts[pts.len() / 2..]))
                        );
                    }
                    _ => {
                        let _ = write!(md, " – |");
                    }
                }
            }
            let _ = writeln!(md);
        }
    }
    // Lineages: a Muller plot per run that wrote lineage.csv.
    let with_lineages: Vec<&Run> = runs
        .iter()
        .filter(|r| r.dir.join("lineage.csv").exists())
        .collect();
    if !with_lineages.is_empty() {
        let _ = writeln!(
            md,
            "\n## Lineages\n\nEach lineage's share of the living over time (the 24 with the \
             most agent-ticks, in the colours of the app's world view; grey: every other). \
             Where a run's measures count kin groups (`measures.kin_generations`, \
             `measures.kin_ticks`), its plot shows those groups.\n"
        );
    }
    for r in &with_lineages {
        let mut rows = crate::lineage::read(&r.dir.join("lineage.csv"))?;
        // The groups the run's measures count: kin groups where it has them (unless
        // founders are asked for).
        let grouping = Config::load(&r.dir.join("config.ron"))
            .ok()
            .filter(|_| !founders)
            .map(|c| crate::lineage::Grouping::of(&c))
            .unwrap_or_default();
        grouping.regroup(&mut rows);
        let stem = if with_lineages.len() == 1 {
            "muller".to_string()
        } else {
            format!("muller-{}", r.label.replace(['/', '\\', ' '], "-"))
        };
        let png = out.join(format!("{stem}.png"));
        let title = if grouping.by_founder() {
            format!("Lineages of {}", r.label)
        } else {
            format!("Kin groups of {}", r.label)
        };
        crate::science::muller::draw(&rows, &title, &png)?;
        written.push(png);
        let _ = writeln!(md, "![{title}]({stem}.png)\n");
    }
    // Experiments (directories of <variant>/seed-<s>/ runs): statistics across seeds.
    for d in dirs {
        let stats = crate::science::evidence::stats(d)?;
        if stats.is_empty() {
            continue;
        }
        written.push(crate::science::evidence::write_stats(d, &stats)?);
        let _ = writeln!(md, "\n# {}\n", d.display());
        md.push_str(&crate::science::evidence::verdict_tables(&stats));
        md.push_str(&crate::science::evidence::targets_tables(d, &stats));
        let losses = knockout_losses_over_time(d)?;
        let mut variants: Vec<String> = losses.iter().map(|r| r.0.clone()).collect();
        variants.dedup();
        for v in variants {
            let stem = format!(
                "knockouts-{}-{}",
                d.file_name().unwrap_or_default().to_string_lossy(),
                v
            )
            .replace(['/', '\\', ' '], "-");
            let png = out.join(format!("{stem}.png"));
            if plot_knockouts(&png, &v, &losses)? {
                written.push(png);
                let _ = writeln!(
                    md,
                    "\n### Knockout losses over fork time: `{v}`\n\nEach knockout's loss of net income per agent-tick, ln(intact / knocked out), over spans of fork time, the mean over seeds and replicates; solid: the evolved population, dashed: the naive one. The placebo (a new random stream, nothing taken out) is the noise floor.\n\n![Knockout losses of {v}]({stem}.png)\n"
                );
            }
        }
    }
    let md_path = out.join("report.md");
    fs::write(&md_path, md).with_context(|| format!("cannot write {}", md_path.display()))?;
    written.push(md_path);
    Ok(written)
}

/// (variant, population, knockout, tick, loss) of a loss_over_time.csv row.
type LossRow = (String, String, String, f64, f64);

/// Every `<variant>/seed-<s>/ablate/loss_over_time.csv` under an experiment directory,
/// as (variant, population, knockout, tick, loss) rows.
fn knockout_losses_over_time(dir: &Path) -> Result<Vec<LossRow>> {
    let mut out = Vec::new();
    let Ok(variants) = fs::read_dir(dir) else {
        return Ok(out);
    };
    let mut variants: Vec<PathBuf> = variants.filter_map(|e| e.ok().map(|e| e.path())).collect();
    variants.sort();
    for v in variants.iter().filter(|p| p.is_dir()) {
        let variant = v
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let mut seeds: Vec<PathBuf> = fs::read_dir(v)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        seeds.sort();
        for s in seeds {
            let csv = s.join("ablate").join("loss_over_time.csv");
            let Ok(text) = fs::read_to_string(&csv) else {
                continue;
            };
            for (n, line) in text.lines().enumerate().skip(1) {
                let f: Vec<&str> = line.split(',').collect();
                let parsed = (f.len() == 4)
                    .then(|| Some((f[2].parse::<f64>().ok()?, f[3].parse::<f64>().ok()?)))
                    .flatten();
                let Some((tick, loss)) = parsed else {
                    bail!(
                        "{}: line {} is not population,knockout,tick,loss",
                        csv.display(),
                        n + 1
                    );
                };
                out.push((
                    variant.clone(),
                    f[0].to_string(),
                    f[1].to_string(),
                    tick,
                    loss,
                ));
            }
        }
    }
    Ok(out)
}

/// OUT/<stem>.png: each knockout's loss of net income per agent-tick over fork time,
/// mean over seeds (solid: evolved population, dashed: naive), for one world variant.
fn plot_knockouts(path: &Path, variant: &str, rows: &[LossRow]) -> Result<bool> {
    let rows: Vec<&LossRow> = rows
        .iter()
        .filter(|r| r.0 == variant && r.4.is_finite())
        .collect();
    if rows.is_empty() {
        return Ok(false);
    }
    let mut knockouts: Vec<&str> = Vec::new();
    for r in &rows {
        if !knockouts.contains(&r.2.as_str()) {
            knockouts.push(&r.2);
        }
    }
    crate::science::plot::register_font();
    let root = BitMapBackend::new(path, (1100, 700)).into_drawing_area();
    let err = |e: &dyn std::fmt::Display| anyhow::anyhow!("drawing {}: {e}", path.display());
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let (plot, legend) = root.split_horizontally(800);
    // (knockout, population) -> (tick, mean loss over seeds)
    let mut lines = Vec::new();
    for (k, ko) in knockouts.iter().enumerate() {
        for population in ["evolved", "naive"] {
            let mut ticks: Vec<f64> = rows
                .iter()
                .filter(|r| r.1 == population && r.2 == *ko)
                .map(|r| r.3)
                .collect();
            ticks.sort_by(f64::total_cmp);
            ticks.dedup();
            let pts: Vec<(f64, f64)> = ticks
                .iter()
                .map(|t| {
                    let ls: Vec<f64> = rows
                        .iter()
                        .filter(|r| r.1 == population && r.2 == *ko && r.3 == *t)
                        .map(|r| r.4)
                        .collect();
                    (*t, crate::science::stats::mean_sd(&ls).0)
                })
                .collect();
            if !pts.is_empty() {
                lines.push((k, population, pts));
            }
        }
    }
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, 0.0f64, 0.0f64);
    for (_, _, pts) in &lines {
        for (x, y) in pts {
            x0 = x0.min(*x);
            x1 = x1.max(*x);
            y0 = y0.min(*y);
            y1 = y1.max(*y);
        }
    }
    let pad = 0.08 * (y1 - y0).max(0.05);
    let mut chart = ChartBuilder::on(&plot)
        .caption(
            format!("{variant}: loss of net income per agent-tick to each knockout"),
            ("sans-serif", 20),
        )
        .margin(14)
        .x_label_area_size(36)
        .y_label_area_size(70)
        .build_cartesian_2d(x0..x1.max(x0 + 1.0), (y0 - pad)..(y1 + pad))
        .map_err(|e| err(&e))?;
    chart
        .configure_mesh()
        .x_desc("tick (fork)")
        .y_desc("ln(intact / knocked out)")
        .x_label_formatter(&|x| format!("{:.0}", x))
        .label_style(("sans-serif", 13))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()
        .map_err(|e| err(&e))?;
    chart
        .draw_series(LineSeries::new(
            vec![(x0, 0.0), (x1.max(x0 + 1.0), 0.0)],
            BLACK.stroke_width(1),
        ))
        .map_err(|e| err(&e))?;
    for (k, population, pts) in lines {
        let style = palette(k).stroke_width(2);
        if population == "naive" {
            chart
                .draw_series(DashedLineSeries::new(pts, 7, 5, style))
                .map_err(|e| err(&e))?;
        } else {
            chart
                .draw_series(LineSeries::new(pts, style))
                .map_err(|e| err(&e))?;
        }
    }
    for (k, ko) in knockouts.iter().enumerate() {
        let y = 40 + 26 * k as i32;
        legend
            .draw(&PathElement::new(
                vec![(10, y + 8), (40, y + 8)],
                palette(k).stroke_width(3),
            ))
            .map_err(|e| err(&e))?;
        legend
            .draw(&Text::new(
                ko.to_string(),
                (48, y),
                ("sans-serif", 15).into_font(),
            ))
            .map_err(|e| err(&e))?;
    }
    let y = 50 + 26 * knockouts.len() as i32;
    legend
        .draw(&Text::new(
            "solid: evolved; dashed: naive",
            (10, y),
            ("sans-serif", 14).into_font(),
        ))
        .map_err(|e| err(&e))?;
    root.present().map_err(|e| err(&e))?;
    Ok(true)
}

fn fmt(v: f64) -> String {
    if v == 0.0 {
        "0".into()
    } else if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.4}")
    }
}

/// Every column the report draws is a metrics column (checked by a test).
pub fn columns_exist() -> bool {
    GROUPS
        .iter()
        .flat_map(|(_, _, c)| c.iter())
        .all(|c| METRIC_COLUMNS.contains(c))
}
