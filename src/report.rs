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

use crate::config::{Brain, Config, MessageControl};
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

/// One run's metrics.
pub struct Run {
    pub dir: PathBuf,
    pub label: String,
    /// A control run (a mechanic off, or a Random/Zero brain): drawn dashed.
    pub control: bool,
    pub control_what: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<f64>>,
}

impl Run {
    pub fn load(dir: &Path, label: String) -> Result<Self> {
        let metrics = dir.join("metrics.csv");
        let text = fs::read_to_string(&metrics)
            .with_context(|| format!("cannot read {}", metrics.display()))?;
        let mut lines = text.lines();
        let header: Vec<String> = lines
            .next()
            .unwrap_or("")
            .split(',')
            .map(str::to_string)
            .collect();
        if header.first().map(String::as_str) != Some("tick") {
            bail!(
                "{} is not a metrics.csv (no tick column first)",
                metrics.display()
            );
        }
        let mut rows = Vec::new();
        for (k, line) in lines.enumerate() {
            let row: Result<Vec<f64>, _> = line.split(',').map(str::parse::<f64>).collect();
            match row {
                Ok(r) if r.len() == header.len() => rows.push(r),
                _ => bail!(
                    "{}: line {} is not a row of numbers",
                    metrics.display(),
                    k + 2
                ),
            }
        }
        let (control, control_what) = match Config::load(&dir.join("config.ron")) {
            Ok(cfg) => describe_control(&cfg),
            Err(_) => (false, String::new()),
        };
        Ok(Self {
            dir: dir.to_path_buf(),
            label,
            control,
            control_what,
            header,
            rows,
        })
    }

    pub fn column(&self, name: &str) -> Option<Vec<(f64, f64)>> {
        let k = self.header.iter().position(|h| h == name)?;
        Some(self.rows.iter().map(|r| (r[0], r[k])).collect())
    }
}

/// Whether a config is a control run, and which.
pub fn describe_control(cfg: &Config) -> (bool, String) {
    let mut what = Vec::new();
    match cfg.controls.messages {
        MessageControl::On => {}
        MessageControl::Off => what.push("messages off"),
        MessageControl::Shuffled => what.push("messages shuffled"),
    }
    if !cfg.controls.programming.is_on() {
        what.push("programming off");
    }
    if !cfg.controls.terraform.is_on() {
        what.push("terraform off");
    }
    if !cfg.controls.bots.is_on() {
        what.push("bots off");
    }
    match cfg.brain {
        Brain::Random => what.push("random brain"),
        Brain::Zero => what.push("zero brain"),
        _ => {}
    }
    (!what.is_empty(), what.join(", "))
}

/// Every run directory (one holding metrics.csv) under the given paths, with a label made
/// of its path below the argument it was found in.
pub fn find_runs(dirs: &[PathBuf]) -> Result<Vec<(PathBuf, String)>> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<(PathBuf, String)>) -> Result<()> {
        if dir.join("metrics.csv").is_file() {
            let rel = dir.strip_prefix(root).unwrap_or(dir);
            let label = if rel.as_os_str().is_empty() {
                dir.file_name()
                    .map_or("run".into(), |n| n.to_string_lossy().into_owned())
            } else {
                rel.to_string_lossy().into_owned()
            };
            out.push((dir.to_path_buf(), label));
            return Ok(());
        }
        let mut entries: Vec<PathBuf> = fs::read_dir(dir)
            .with_context(|| format!("cannot read directory {}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_dir())
            .collect();
        entries.sort();
        for e in entries {
            walk(&e, root, out)?;
        }
        Ok(())
    }
    let mut out = Vec::new();
    for d in dirs {
        if !d.is_dir() {
            bail!(
                "{} is not a directory (give run or experiment directories)",
                d.display()
            );
        }
        let before = out.len();
        walk(d, d, &mut out)?;
        if out.len() == before {
            bail!("{} holds no run (no metrics.csv below it)", d.display());
        }
    }
    Ok(out)
}

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

pub(crate) fn register_font() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = plotters::style::register_font(
            "sans-serif",
            FontStyle::Normal,
            epaint_default_fonts::UBUNTU_LIGHT,
        );
    });
}

/// Draw one group: a 2×2 grid of panels, every run in each.
fn plot_group(path: &Path, title: &str, columns: &[&str], runs: &[Run]) -> Result<()> {
    register_font();
    let root = BitMapBackend::new(path, (1400, 900)).into_drawing_area();
    let err = |e: &dyn std::fmt::Display| anyhow::anyhow!("drawing {}: {e}", path.display());
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let (head, body) = root.split_vertically(50);
    head.draw(&Text::new(
        title.to_string(),
        (20, 12),
        ("sans-serif", 28).into_font(),
    ))
    .map_err(|e| err(&e))?;
    let panels = body.split_evenly((2, columns.len().div_ceil(2)));
    for (panel, name) in panels.iter().zip(columns) {
        // (run index, run, its smoothed curve)
        type Series<'a> = (usize, &'a Run, Vec<(f64, f64)>);
        let series: Vec<Series> = runs
            .iter()
            .enumerate()
            .filter_map(|(k, r)| {
                let pts = r.column(name)?;
                let window = (pts.len() / 400).max(1);
                Some((k, r, smooth(&pts, window)))
            })
            .collect();
        let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for (_, _, pts) in &series {
            for (x, y) in pts.iter().filter(|p| p.1.is_finite()) {
                x0 = x0.min(*x);
                x1 = x1.max(*x);
                y0 = y0.min(*y);
                y1 = y1.max(*y);
            }
        }
        if x0 > x1 {
            (x0, x1, y0, y1) = (0.0, 1.0, 0.0, 1.0);
        }
        if y1 - y0 < 1e-9 {
            y1 = y0 + 1.0;
        }
        let pad = 0.05 * (y1 - y0);
        let mut chart = ChartBuilder::on(panel)
            .caption(*name, ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(32)
            .y_label_area_size(60)
            .build_cartesian_2d(x0..x1.max(x0 + 1.0), (y0 - pad)..(y1 + pad))
            .map_err(|e| err(&e))?;
        chart
            .configure_mesh()
            .x_desc("tick")
            .label_style(("sans-serif", 13))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(|e| err(&e))?;
        for (k, run, pts) in series {
            let color = palette(k);
            let style = color.stroke_width(2);
            let anno = if run.control {
                chart
                    .draw_series(DashedLineSeries::new(pts, 7, 5, style))
                    .map_err(|e| err(&e))?
            } else {
                chart
                    .draw_series(LineSeries::new(pts, style))
                    .map_err(|e| err(&e))?
            };
            let label = if run.control {
                format!("{} (control: {})", run.label, run.control_what)
            } else {
                run.label.clone()
            };
            anno.label(label).legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
            });
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(RGBColor(200, 200, 200))
            .label_font(("sans-serif", 13))
            .position(SeriesLabelPosition::UpperLeft)
            .draw()
            .map_err(|e| err(&e))?;
    }
    root.present().map_err(|e| err(&e))?;
    Ok(())
}

/// Write OUT/<group>.png and OUT/report.md for the runs under `dirs`.
pub fn write(dirs: &[PathBuf], out: &Path) -> Result<Vec<PathBuf>> {
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
        "{} run(s). Solid lines: runs; dashed: control runs (a mechanic switched off, or a \
         random/zero brain), whose values are the chance level of each measure. Curves are \
         means over windows of 1/400 of the run. Columns are explained in docs/metrics.md, \
         the measures and their chance levels in docs/measures.md.\n",
        runs.len()
    );
    let _ = writeln!(
        md,
        "| run | control | ticks | directory |\n|---|---|---|---|"
    );
    for r in &runs {
        let _ = writeln!(
            md,
            "| {} | {} | {} | `{}` |",
            r.label,
            if r.control {
                r.control_what.as_str()
            } else {
                ""
            },
            r.rows.last().map_or(0.0, |x| x[0]),
            r.dir.display()
        );
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
             most agent-ticks, in the colours of the app's world view; grey: every other).\n"
        );
    }
    for r in &with_lineages {
        let rows = crate::lineage::read(&r.dir.join("lineage.csv"))?;
        let stem = if with_lineages.len() == 1 {
            "muller".to_string()
        } else {
            format!("muller-{}", r.label.replace(['/', '\\', ' '], "-"))
        };
        let png = out.join(format!("{stem}.png"));
        crate::muller::draw(&rows, &format!("Lineages of {}", r.label), &png)?;
        written.push(png);
        let _ = writeln!(md, "![Lineages of {}]({stem}.png)\n", r.label);
    }
    // Experiments (directories of <variant>/seed-<s>/ runs): statistics across seeds.
    for d in dirs {
        let stats = crate::evidence::stats(d)?;
        if stats.is_empty() {
            continue;
        }
        written.push(crate::evidence::write_stats(d, &stats)?);
        let _ = writeln!(md, "\n# {}\n", d.display());
        md.push_str(&crate::evidence::verdict_tables(&stats));
        md.push_str(&crate::evidence::targets_tables(d, &stats));
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
