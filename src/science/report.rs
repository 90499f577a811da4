//! `silico report DIR [DIR ...] --out OUT`: the emergence measures of runs side by side.
//! One PNG per measure group (a panel per measure, every run overlaid, control runs
//! dashed) and OUT/report.md with a table of final and time-averaged values per run.
//! A DIR is a `silico run` directory (metrics.csv + config.ron) or any directory holding
//! such runs (an experiment), searched recursively.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use plotters::prelude::*;

use crate::config::Config;
use crate::runs::{ending, find_runs, Run};
use crate::science::figures::{
    group_of, knockout_losses_over_time, palette, plot_group, plot_knockouts,
};
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
/// Long because report.md is written top to bottom in one place, each section beside the
/// figure it embeds, so the document's order is the code's.
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
        let labels: Vec<&str> = INCOME_SOURCES.iter().map(|(_, label)| *label).collect();
        let _ = writeln!(
            md,
            "\n## What agents live on\n\nIncome per tick by source, the mean over the second half of each run, averaged over a variant's runs (the ledger's columns, docs/metrics.md); eating's share is of the sum.\n\n| run or variant | runs | {} | total | eating's share |\n|---|---|{}---|---|",
            labels.join(" | "),
            "---|".repeat(labels.len())
        );
        for (g, n, v) in &income {
            let total: f64 = v.iter().sum();
            let cells: Vec<String> = v.iter().map(|x| fmt(*x)).collect();
            let _ = writeln!(
                md,
                "| {g} | {n} | {} | {} | {} |",
                cells.join(" | "),
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
        let stats = crate::science::verdict::stats(d)?;
        if stats.is_empty() {
            continue;
        }
        written.push(crate::science::evidence::write_stats(d, &stats)?);
        let _ = writeln!(md, "\n# {}\n", d.display());
        md.push_str(&crate::science::verdict::verdict_tables(&stats));
        md.push_str(&crate::science::verdict::targets_tables(d, &stats));
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
