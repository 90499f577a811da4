//! `silico report`: plots and a table for runs and their controls, from run directories or
//! a directory of runs; bad directories are refused by name.

use crate::common;

use silico::batch::{self, BackendChoice, ConfigArgs, RunOptions};

fn run(dir: &std::path::Path, name: &str, sets: &[&str]) {
    let cfg = dir.join("tiny.ron");
    std::fs::write(&cfg, common::tiny().to_ron()).unwrap();
    batch::run(&RunOptions {
        cfg: ConfigArgs {
            config: Some(cfg),
            sets: sets.iter().map(|s| s.to_string()).collect(),
        },
        out: Some(dir.join("runs").join(name)),
        backend: BackendChoice::Cpu,
        quiet: true,
        ..RunOptions::new(None, 60)
    })
    .unwrap();
}

#[test]
fn a_report_plots_every_group_and_tabulates_every_run() {
    assert!(silico::science::report::columns_exist());
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), "world", &[]);
    run(dir.path(), "no-messages", &["controls.messages=Off"]);
    let out = dir.path().join("report");
    let written = silico::science::report::write(&[dir.path().join("runs")], &out).unwrap();
    // The groups, income by source, a Muller plot per run, and report.md.
    assert_eq!(
        written.len(),
        silico::science::report::GROUPS.len() + 1 + 2 + 1
    );
    for (stem, _, _) in silico::science::report::GROUPS {
        let img = image::open(out.join(format!("{stem}.png"))).unwrap();
        // 900 pixels of panels and title, and a legend row below them.
        assert_eq!((img.width(), img.height()), (1400, 924));
        // Lines were drawn: more than the white page and grey grid.
        let coloured = img
            .to_rgb8()
            .pixels()
            .filter(|p| p.0.iter().max().unwrap() - p.0.iter().min().unwrap() > 80)
            .count();
        assert!(coloured > 500, "{stem}: {coloured} coloured pixels");
    }
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    // Income by source, by hand from the world run's metrics.csv: second-half means.
    let metrics = std::fs::read_to_string(dir.path().join("runs/world/metrics.csv")).unwrap();
    let mut lines = metrics.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let rows: Vec<Vec<f64>> = lines
        .map(|l| l.split(',').map(|v| v.parse().unwrap()).collect())
        .collect();
    let last = rows.last().unwrap()[0];
    let half: Vec<&Vec<f64>> = rows.iter().filter(|r| r[0] > last / 2.0).collect();
    let mean = |c: &str| {
        let k = header.iter().position(|h| *h == c).unwrap();
        half.iter().map(|r| r[k]).sum::<f64>() / half.len() as f64
    };
    let income = silico::science::report::income_by_source(&[silico::runs::Run::load(
        &dir.path().join("runs/world"),
        "world".into(),
    )
    .unwrap()]);
    assert_eq!(income.len(), 1);
    for (k, (column, _)) in silico::science::report::INCOME_SOURCES.iter().enumerate() {
        let want = mean(column);
        assert!(
            (income[0].2[k] - want).abs() <= 1e-9 * want.abs().max(1.0),
            "{column}: {} against {want}",
            income[0].2[k]
        );
    }
    assert!(mean("ledger_eaten_by_agents") > 0.0, "the agents ate");
    // A run written before bots could pass energy on has no ledger_from_bots: it counts
    // as 0, and the run keeps its other sources.
    let k = header
        .iter()
        .position(|h| *h == "ledger_from_bots")
        .unwrap();
    let old_csv: String = metrics
        .lines()
        .map(|l| {
            let mut v: Vec<&str> = l.split(',').collect();
            v.remove(k);
            v.join(",") + "\n"
        })
        .collect();
    let old = dir.path().join("old/world");
    std::fs::create_dir_all(&old).unwrap();
    for f in ["summary.json", "config.ron"] {
        let from = dir.path().join("runs/world").join(f);
        if from.is_file() {
            std::fs::copy(from, old.join(f)).unwrap();
        }
    }
    std::fs::write(old.join("metrics.csv"), old_csv).unwrap();
    let old_income =
        silico::science::report::income_by_source(&[
            silico::runs::Run::load(&old, "world".into()).unwrap()
        ]);
    assert_eq!(old_income.len(), 1, "the old run still counts");
    let from_bots = silico::science::report::INCOME_SOURCES
        .iter()
        .position(|(c, _)| *c == "ledger_from_bots")
        .unwrap();
    assert_eq!(old_income[0].2[from_bots], 0.0);
    assert_eq!(old_income[0].2[0], income[0].2[0]);
    assert!(
        md.contains("## What agents live on") && md.contains("| world | 1 |"),
        "{md}"
    );
    // Every source has its column, what bots pass on included.
    let labels: Vec<&str> = silico::science::report::INCOME_SOURCES
        .iter()
        .map(|(_, label)| *label)
        .collect();
    assert!(
        md.contains(&format!(
            "| run or variant | runs | {} | total |",
            labels.join(" | ")
        )),
        "{md}"
    );
    assert!(image::open(out.join("income.png")).is_ok());
    assert!(md.contains("| world |  | 60 |"), "{md}");
    assert!(md.contains("| no-messages | messages off | 60 |"), "{md}");
    assert!(md.contains("`comm_listener_mi`") && md.contains("![Agriculture](agriculture.png)"));
    for label in ["world", "no-messages"] {
        let img = image::open(out.join(format!("muller-{label}.png"))).unwrap();
        assert_eq!((img.width(), img.height()), (1400, 500));
        let coloured = img
            .to_rgb8()
            .pixels()
            .filter(|p| p.0.iter().max().unwrap() - p.0.iter().min().unwrap() > 80)
            .count();
        assert!(
            coloured > 20_000,
            "muller-{label}: {coloured} coloured pixels"
        );
        assert!(
            md.contains(&format!("![Lineages of {label}](muller-{label}.png)")),
            "{md}"
        );
    }
    // A single run directory works too, its Muller plot as muller.png.
    let one = dir.path().join("one");
    silico::science::report::write(&[dir.path().join("runs/world")], &one).unwrap();
    assert!(one.join("muller.png").exists());
}

#[test]
fn bad_directories_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    let err = silico::science::report::write(&[missing], &dir.path().join("r")).unwrap_err();
    assert!(err.to_string().contains("nope"), "{err}");
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let err = silico::science::report::write(&[empty], &dir.path().join("r")).unwrap_err();
    assert!(err.to_string().contains("no run"), "{err}");
    let broken = dir.path().join("broken");
    std::fs::create_dir_all(&broken).unwrap();
    std::fs::write(broken.join("metrics.csv"), "tick,population\n1,oops\n").unwrap();
    let err = silico::science::report::write(&[broken], &dir.path().join("r")).unwrap_err();
    assert!(err.to_string().contains("line 2"), "{err}");
}

/// A run's preconditions from its second half: eating's share (the income column, or the
/// ledger for older runs), mean age, and the groups alive at its last row.
#[test]
fn preconditions_read_the_second_half_of_a_run() {
    use silico::runs::Run;
    use silico::science::report::Preconditions;
    let run = |header: &[&str], rows: Vec<Vec<f64>>| Run {
        dir: "x".into(),
        label: "world/seed-0".into(),
        control: false,
        control_what: String::new(),
        header: header.iter().map(|h| h.to_string()).collect(),
        rows,
    };
    // Ticks 1..=10: the first half (ticks ≤ 5) is starved and young, the second fed and old.
    let rows: Vec<Vec<f64>> = (1..=10)
        .map(|t| {
            let late = t > 5;
            vec![
                t as f64,
                if late { 0.9 } else { 0.1 },
                if late { 80.0 } else { 5.0 },
                t as f64,
            ]
        })
        .collect();
    let p = Preconditions::of(&run(
        &["tick", "income_eating", "mean_age", "evo_lineages_alive"],
        rows,
    ))
    .unwrap();
    assert!((p.eating_share - 0.9).abs() < 1e-12);
    assert!((p.mean_age - 80.0).abs() < 1e-12);
    assert_eq!(p.groups_alive, 10.0);
    assert!(p.met());
    // An older run: eating 3 units a tick against 1 from gifts (net hits) and theft that
    // is negative (givers' payments, not income), births 0: 3 / 4.
    let rows: Vec<Vec<f64>> = (1..=4)
        .map(|t| vec![t as f64, 3.0, 1.0, -2.0, 0.0, 60.0, 2.0])
        .collect();
    let p = Preconditions::of(&run(
        &[
            "tick",
            "ledger_eaten_by_agents",
            "ledger_hit_received",
            "ledger_stolen",
            "ledger_birth_energy",
            "mean_age",
            "evo_lineages_alive",
        ],
        rows,
    ))
    .unwrap();
    assert!((p.eating_share - 0.75).abs() < 1e-12);
    assert!(!p.met(), "two groups alive are too few");
}

/// A report says how each run ended: an interrupted or unfinished run is not shown as a
/// normal shorter one.
#[test]
fn a_report_says_how_each_run_ended() {
    use silico::runs::ending;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(ending(d).contains("unfinished"));
    std::fs::write(
        d.join("summary.json"),
        r#"{"ticks": 50, "interrupted": true}"#,
    )
    .unwrap();
    assert!(ending(d).contains("interrupted"));
    std::fs::write(
        d.join("summary.json"),
        r#"{"ticks": 50, "interrupted": false}"#,
    )
    .unwrap();
    assert_eq!(ending(d), "finished");
}
