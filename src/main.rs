//! The `silico` command line: app, run, bench, validate, inspect. With no subcommand it opens
//! the app on configs/default.ron, or runs that world headless when there is no display.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Parser;

use silico::batch::{self, BackendChoice, ConfigArgs, RunOptions};
use silico::cli::{AppArgs, Cli, Command};
use silico::world::checkpoint;

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("error")).init();
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn dispatch(cli: Cli) -> Result<()> {
    match cli.command {
        None => {
            let default = PathBuf::from("configs/default.ron");
            let config = if default.exists() {
                Some(default)
            } else {
                eprintln!(
                    "silico: configs/default.ron not found here; using the built-in defaults"
                );
                None
            };
            app(AppArgs {
                cfg: ConfigArgs {
                    config,
                    sets: vec![],
                },
                ..Default::default()
            })
        }
        Some(Command::App(args)) => app(args),
        Some(Command::Run(opts)) => run(opts),
        Some(Command::Bench {
            cfg,
            ticks,
            backend,
            json,
            passes,
        }) => {
            let config = batch::load_config(cfg.config.as_deref(), &cfg.sets)?;
            let r = batch::bench(&config, ticks, backend, passes)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                println!(
                    "{} ticks in {:.2}s: {:.1} ticks/s, {:.0} agent-ticks/s (mean population {:.0}, capacity {}, map {}², brain {}) on {}",
                    r.ticks, r.wall_s, r.ticks_per_s, r.agent_ticks_per_s, r.mean_population, r.capacity, r.map_size, r.brain, r.adapter
                );
                if let Some(b) = &r.brain_traffic {
                    let at = match (b.pass_ms, b.weights_gb_per_s) {
                        (Some(ms), Some(gbs)) => format!(" in {ms:.3} ms: {gbs:.2} GB/s"),
                        _ => " (no timestamps on this adapter)".to_string(),
                    };
                    println!(
                        "brain pass {}: {:.2} MB of weights a tick{at}; a plain copy kernel moves {:.2} GB/s (read + write)",
                        b.pass,
                        b.weight_bytes_per_tick / 1e6,
                        b.copy_gb_per_s
                    );
                }
                for (name, ms) in &r.pass_ms {
                    println!("  {name:16} {ms:8.3} ms");
                }
            }
            Ok(())
        }
        Some(Command::Lineage { dir, top, founders }) => lineage(&dir, top, founders),
        Some(Command::Experiment {
            file,
            out,
            jobs,
            shard,
            emit_slurm,
            shards,
            backend,
            quiet,
        }) => experiment(&file, out, jobs, shard, emit_slurm, shards, backend, quiet),
        Some(Command::Render {
            file,
            out,
            layer,
            lines,
            size,
        }) => {
            if !(16..=8192).contains(&size) {
                anyhow::bail!("--size {size} is out of range: allowed 16 ..= 8192 pixels");
            }
            let (cfg, state) = checkpoint::read(&file)?;
            let world = silico::sim::World::new(&cfg, state, silico::sim::BackendKind::Gpu)?;
            let silico::sim::World::Gpu(g) = &world else {
                unreachable!("a GPU world was asked for")
            };
            let mut settings = silico::view::ViewSettings::whole_world(&cfg, [size, size]);
            settings.layer = layer;
            settings.lines = lines;
            use silico::view::{render_image, ViewRenderer, IMAGE_FORMAT};
            let mut renderer = ViewRenderer::new(&g.ctx.device, IMAGE_FORMAT);
            let img = render_image(&g.ctx, &mut renderer, &world, &cfg, &settings, [size, size])?;
            img.save(&out)
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", out.display()))?;
            println!(
                "wrote {} ({size}x{size}, tick {})",
                out.display(),
                world.tick()
            );
            Ok(())
        }
        Some(Command::Ablate {
            checkpoint,
            ticks,
            out,
            knockouts,
            replicates,
            naive,
            backend,
            quiet,
        }) => {
            let out = out.unwrap_or_else(|| {
                let tick = checkpoint::read(&checkpoint).map_or(0, |(_, s)| s.tick());
                checkpoint
                    .parent()
                    .unwrap_or(std::path::Path::new("."))
                    .join(format!("ablate-tick{tick}"))
            });
            let spec = silico::science::ablate::AblateSpec {
                ticks,
                knockouts: if knockouts.is_empty() {
                    silico::science::ablate::Knockout::ALL.to_vec()
                } else {
                    knockouts
                },
                replicates,
                naive,
                variants: Vec::new(),
            };
            let a = silico::science::ablate::ablate(&silico::science::ablate::AblateOptions {
                checkpoint,
                spec,
                out: out.clone(),
                backend,
                quiet,
            })?;
            println!(
                "{} forks: {1}/ablation.csv, {1}/knockouts.csv, {1}/ablation.md",
                a.forks.len() * (1 + a.spec.knockouts.len()),
                out.display()
            );
            print!(
                "{}",
                std::fs::read_to_string(out.join("ablation.md")).unwrap_or_default()
            );
            Ok(())
        }
        Some(Command::Search {
            file,
            out,
            jobs,
            rank_only,
            backend,
            quiet,
        }) => {
            let search = silico::science::search::Search::load(&file)?;
            let started = std::time::Instant::now();
            let ran = if rank_only {
                0
            } else {
                search.run(&out, jobs, backend, quiet)?
            };
            let scored = search.rank(&out)?;
            for (rank, s) in scored.iter().enumerate() {
                let met = s.behaviours_met();
                println!(
                    "{:>2}. {:<24} runs {}/{}  targets met {}/{}  behaviours met: {}",
                    rank + 1,
                    s.design.name,
                    s.finished,
                    s.expected,
                    s.targets_met(),
                    s.results.len(),
                    if met.is_empty() {
                        "none".into()
                    } else {
                        met.join(", ")
                    }
                );
            }
            eprintln!(
                "silico: {ran} runs run or resumed in {:.1}s; ranking in {}/search.md and search.csv",
                started.elapsed().as_secs_f64(),
                out.display()
            );
            Ok(())
        }
        Some(Command::Collect { dir }) => {
            let n = silico::science::experiment::collect(&dir)?;
            println!("{n} runs: {0}/results.csv, {0}/summary.md", dir.display());
            Ok(())
        }
        Some(Command::Report {
            dirs,
            out,
            founders,
        }) => {
            for f in silico::science::report::write_grouped(&dirs, &out, founders)? {
                println!("wrote {}", f.display());
            }
            Ok(())
        }
        Some(Command::Validate { file, sets }) => {
            // A search or an experiment file is validated as one (every design or variant
            // resolved and checked); anything else as a config.
            let text = std::fs::read_to_string(&file)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
            let kind = if text.contains("designs:") {
                silico::science::search::Search::load(&file)?;
                "search"
            } else if text.contains("variants:") {
                silico::science::experiment::Experiment::load(&file)?;
                "experiment"
            } else {
                let cfg = silico::world::load_config(&file)?;
                silico::world::with_overrides(&cfg, &sets)?;
                "config"
            };
            if kind != "config" && !sets.is_empty() {
                anyhow::bail!(
                    "{} is {} file: --set applies to configs (put overrides in its variants' set lists)",
                    file.display(),
                    if kind == "search" { "a search" } else { "an experiment" }
                );
            }
            println!("{}: ok ({kind})", file.display());
            Ok(())
        }
        Some(Command::Inspect { file, bots: true }) => {
            use std::io::Write;
            let (_, state) = checkpoint::read(&file)?;
            // Written with errors returned, not panics, so `| head` ends quietly.
            let mut out = std::io::stdout().lock();
            writeln!(
                out,
                "{}: tick {}, {} bots",
                file.display(),
                state.tick(),
                state.bots.len()
            )?;
            for (b, bot) in state.bots.iter().enumerate() {
                writeln!(
                    out,
                    "\nbot {b}: pos ({:.2}, {:.2}) energy {:.2}",
                    bot.pos[0], bot.pos[1], bot.energy
                )?;
                let text = silico::program::disassemble(&bot.program, &bot.memory);
                for line in text.to_string().lines() {
                    writeln!(out, "  {line}")?;
                }
            }
            Ok(())
        }
        Some(Command::Inspect { file, bots: false }) => {
            let (cfg, state) = checkpoint::read(&file)?;
            let summary = serde_json::json!({
                "file": file.display().to_string(),
                "format_version": checkpoint::VERSION,
                "tick": state.tick(),
                "population": state.population(),
                "capacity": cfg.agents.capacity,
                "map_size": cfg.world.map_size,
                "brain": format!("{:?}", cfg.brain),
                "seed": cfg.seed,
                "config_digest": cfg.digest(),
                "state_hash": state.hash(),
                "non_finite_values": state.non_finite_values(),
            });
            println!("{}", serde_json::to_string_pretty(&summary)?);
            Ok(())
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn experiment(
    file: &std::path::Path,
    out: Option<PathBuf>,
    jobs: usize,
    shard: Option<(usize, usize)>,
    emit_slurm: Option<PathBuf>,
    shards: Option<usize>,
    backend: BackendChoice,
    quiet: bool,
) -> Result<()> {
    use silico::science::experiment as ex;
    let exp = ex::Experiment::load(file)?;
    let pairs = exp.pairs();
    if let Some(dir) = emit_slurm {
        let n = shards.unwrap_or(pairs.len()).clamp(1, pairs.len());
        std::fs::create_dir_all(&dir)
            .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))?;
        let abs = |p: &std::path::Path| std::fs::canonicalize(p).unwrap_or(p.to_path_buf());
        let script = ex::slurm_script(&abs(file), &abs(&dir), n, &abs(&std::env::current_exe()?));
        let path = dir.join(format!("{}.sbatch", exp.name));
        std::fs::write(&path, script)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
        println!(
            "wrote {} ({} runs in {n} array tasks); submit with: sbatch {}",
            path.display(),
            pairs.len(),
            path.display()
        );
        return Ok(());
    }
    let out = out.ok_or_else(|| anyhow::anyhow!("--out DIR is required (where the runs go)"))?;
    let mine = match shard {
        Some((i, n)) => ex::shard(&pairs, i, n),
        None => pairs.clone(),
    };
    let started = std::time::Instant::now();
    let ran = ex::run(&exp, &out, &mine, jobs, backend, quiet)?;
    let collected = ex::collect(&out)?;
    eprintln!(
        "silico: {} of {} runs this invocation ({ran} run or resumed, {} already done) in {:.1}s; {collected} finished runs in {}/results.csv and summary.md",
        mine.len(),
        pairs.len(),
        mine.len() - ran,
        started.elapsed().as_secs_f64(),
        out.display()
    );
    Ok(())
}

fn lineage(dir: &std::path::Path, top: usize, founders: bool) -> Result<()> {
    use std::io::Write;
    let path = if dir.is_dir() {
        dir.join("lineage.csv")
    } else {
        dir.to_path_buf()
    };
    let mut rows = silico::lineage::read(&path)?;
    // The groups the run's measures count: kin groups where its config has them (unless
    // founders are asked for).
    let grouping = silico::config::Config::load(&path.with_file_name("config.ron"))
        .ok()
        .filter(|_| !founders)
        .map(|c| silico::lineage::Grouping::of(&c))
        .unwrap_or_default();
    grouping.regroup(&mut rows);
    let (lineages, prolific) = silico::lineage::summarise(&rows);
    let by_id: std::collections::HashMap<u64, &silico::lineage::Individual> =
        rows.iter().map(|r| (r.id, r)).collect();
    // An id as "birth tick index/slot" ("init/slot" for the initial world).
    let show = |id: u64| {
        let (hi, lo) = (id >> 32, id & 0xffff_ffff);
        if hi == u64::from(u32::MAX) {
            format!("init/{lo}")
        } else {
            format!("{hi}/{lo}")
        }
    };
    // A kin group by its key (the measures' and the agents' colours'), a lineage by its
    // founder's id.
    let show_group = |g: u64| {
        // An initial founder's id has every high bit set, the kin bit among them.
        if !grouping.by_founder() && g & silico::lineage::KIN_GROUP != 0 {
            format!("kin {:08x}", g as u32)
        } else {
            show(g)
        }
    };
    let groups = grouping.name();
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{}: {} individuals in {} {groups} (ids: birth tick/slot)",
        path.display(),
        rows.len(),
        lineages.len()
    )?;
    writeln!(out, "\nlongest-lived {groups} (founder id or kin key; ticks from its founding to its last member's death or the end)")?;
    writeln!(
        out,
        "{:>22} {:>8} {:>8} {:>8} {:>8} {:>7} {:>7}",
        "group", "founded", "until", "ticks", "members", "max gen", "alive"
    )?;
    for l in lineages.iter().take(top) {
        writeln!(
            out,
            "{:>22} {:>8} {:>8} {:>8} {:>8} {:>7} {:>7}",
            show_group(l.lineage),
            l.first_birth,
            l.last_tick,
            l.last_tick - l.first_birth,
            l.members,
            l.max_generation,
            l.alive_at_end
        )?;
    }
    writeln!(
        out,
        "\nmost prolific ancestors (descendants over all generations)"
    )?;
    writeln!(
        out,
        "{:>22} {:>22} {:>5} {:>9} {:>11} {:>8} {:>8}",
        "id", "group", "gen", "children", "descendants", "born", "died"
    )?;
    for (id, d) in prolific.iter().take(top) {
        let r = by_id[id];
        writeln!(
            out,
            "{:>22} {:>22} {:>5} {:>9} {:>11} {:>8} {:>8}",
            show(r.id),
            show_group(r.lineage),
            r.generation,
            r.offspring,
            d,
            r.birth_tick,
            r.death_tick.map_or("alive".to_string(), |t| t.to_string())
        )?;
    }
    Ok(())
}

/// The app, or with no display the same world headless for 1,000 ticks.
fn app(args: AppArgs) -> Result<()> {
    let config = batch::load_config(args.cfg.config.as_deref(), &args.cfg.sets)?;
    if let Some(path) = &args.checkpoint {
        // Refuse a bad checkpoint before opening a window.
        checkpoint::read(path)?;
    }
    let opts = silico::app::AppOptions {
        config,
        checkpoint: args.checkpoint.clone(),
        exit_after_frames: args.exit_after_frames,
        screenshot: args.screenshot.clone(),
        backend: args.backend,
        select: args.select,
        lines: args.lines,
        layer: args.layer,
        compare: args.compare.clone(),
    };
    match silico::app::run(opts) {
        Err(e) if e.downcast_ref::<silico::app::NoDisplay>().is_some() => {
            eprintln!(
                "silico: {e}; running the world headless instead (silico run --help for options)"
            );
            run(RunOptions {
                cfg: args.cfg,
                resume: args.checkpoint,
                backend: args.backend,
                ..RunOptions::new(None, 1000)
            })
        }
        other => other,
    }
}

fn run(opts: RunOptions) -> Result<()> {
    batch::run(&opts).map(|_| ())
}
