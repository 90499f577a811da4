//! The figures of `silico report`: each measure group's panels (every world and control's
//! mean over seeds with its band), and each knockout's loss over fork time.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Result;
use plotters::prelude::*;

use crate::runs::files::read_rows;
use crate::runs::Run;
use crate::science::fitness::LossAt;

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

pub fn palette(k: usize) -> RGBColor {
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
///
/// Long because plotters lays out a figure in one drawing pass: panels, bands, lines and
/// the shared legend use the same areas and styles.
pub fn plot_group(path: &Path, title: &str, columns: &[&str], runs: &[Run]) -> Result<()> {
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

/// (variant, population, knockout, tick, loss) of a loss_over_time.csv row.
pub type LossRow = (String, String, String, f64, f64);

/// Every `<variant>/seed-<s>/ablate/loss_over_time.csv` under an experiment directory,
/// as (variant, population, knockout, tick, loss) rows.
pub fn knockout_losses_over_time(dir: &Path) -> Result<Vec<LossRow>> {
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
            if !csv.is_file() {
                continue;
            }
            for row in read_rows::<LossAt>(&csv)? {
                out.push((
                    variant.clone(),
                    row.population,
                    row.knockout,
                    row.tick,
                    row.loss,
                ));
            }
        }
    }
    Ok(out)
}

/// OUT/<stem>.png: each knockout's loss of net income per agent-tick over fork time,
/// mean over seeds (solid: evolved population, dashed: naive), for one world variant.
pub fn plot_knockouts(path: &Path, variant: &str, rows: &[LossRow]) -> Result<bool> {
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
