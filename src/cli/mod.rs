//! The `silico` command line: its arguments (clap), parsed here so that tests can try any
//! argument vector without starting the program, and each subcommand carried out by its
//! own module.

mod ablate;
mod app;
mod bench;
mod experiment;
mod inspect;
mod lineage;
mod render;
mod search;
mod validate;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::batch::{BackendChoice, ConfigArgs, RunOptions};

#[derive(Parser)]
#[command(
    name = "silico",
    version,
    about = "GPU artificial-life simulator (JaxLife's world on wgpu)"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Open the desktop app: watch, steer and inspect a world.
    App(AppArgs),
    /// Run a world headless, writing metrics, checkpoints and a summary.
    Run(RunOptions),
    /// Measure ticks/s and agent-ticks/s.
    Bench {
        #[command(flatten)]
        cfg: ConfigArgs,
        /// Ticks to time (after a short warm-up).
        #[arg(long, default_value_t = 200)]
        ticks: u64,
        /// auto: a hardware GPU, else the CPU engine; gpu or cpu force one.
        #[arg(long, value_enum, default_value_t = BackendChoice::Auto)]
        backend: BackendChoice,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Also time each pass alone.
        #[arg(long)]
        passes: bool,
    },
    /// Check a config file; prints every problem and exits non-zero if there is one.
    Validate {
        /// A world config, an experiment file or a search file (told apart by content).
        file: PathBuf,
        /// Override one field of a world config before checking it, as `silico run --set`.
        #[arg(long = "set", value_name = "PATH=VALUE")]
        sets: Vec<String>,
    },
    /// Run every (variant, seed) of an experiment file; resumes and skips what is done.
    Experiment {
        /// The experiment file (RON: base config, variants, seeds, ticks, targets, forks).
        file: PathBuf,
        /// Output directory: DIR/<variant>/seed-<s>/ per run, results.csv, summary.md.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Worlds run at once.
        #[arg(long, default_value_t = 1)]
        jobs: usize,
        /// Run only the pairs whose index is I modulo N (0 <= I < N).
        #[arg(long, value_name = "I/N", value_parser = crate::science::experiment::parse_shard)]
        shard: Option<(usize, usize)>,
        /// Write DIR/<name>.sbatch, a Slurm job array of shards writing into DIR, and stop.
        #[arg(long, value_name = "DIR")]
        emit_slurm: Option<PathBuf>,
        /// Array tasks of --emit-slurm (default: one per run).
        #[arg(long)]
        shards: Option<usize>,
        /// auto: a hardware GPU, else the CPU engine; gpu or cpu force one.
        #[arg(long, value_enum, default_value_t = BackendChoice::Auto)]
        backend: BackendChoice,
        /// No progress bar.
        #[arg(long)]
        quiet: bool,
    },
    /// Search for worlds where the behaviours emerge: run every design of a search file
    /// beside its controls and knockout forks over seeds, then rank the designs on the
    /// targets (DIR/search.md, DIR/search.csv). Resumes and skips what is done.
    Search {
        /// The search file (RON: base config, designs, controls, seeds, ticks, forks).
        file: PathBuf,
        /// Output directory: DIR/<design>/ is an experiment per design.
        #[arg(long)]
        out: PathBuf,
        /// Worlds run at once.
        #[arg(long, default_value_t = 1)]
        jobs: usize,
        /// Rank what has finished without running anything.
        #[arg(long)]
        rank_only: bool,
        /// auto: a hardware GPU, else the CPU engine; gpu or cpu force one.
        #[arg(long, value_enum, default_value_t = BackendChoice::Auto)]
        backend: BackendChoice,
        /// No progress bar.
        #[arg(long)]
        quiet: bool,
    },
    /// Knockout forks: from a checkpoint, the intact world and one fork per knockout, for
    /// an evolved and a naive population, each replicated with other random streams;
    /// writes each fork's run, ablation.csv, knockouts.csv (losses and the evolved
    /// dependence) and ablation.md. Running it again finishes what is missing.
    Ablate {
        /// The checkpoint of the evolved world to fork (`tick-*.silico` or `final.silico`).
        checkpoint: PathBuf,
        /// Ticks each fork runs (from the checkpoint's tick).
        #[arg(long)]
        ticks: u64,
        /// Output directory (default: <checkpoint's folder>/ablate-tick<T>).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Knockouts, comma-separated (default: all).
        #[arg(long, value_enum, value_delimiter = ',')]
        knockouts: Vec<crate::science::ablate::Knockout>,
        /// Forks of each kind with different random streams (the first keeps the run's).
        #[arg(long, default_value_t = 3)]
        replicates: u32,
        /// The population whose forks give the chance level.
        #[arg(long, value_enum, default_value_t)]
        naive: crate::science::ablate::Naive,
        /// auto: a hardware GPU, else the CPU engine; gpu or cpu force one.
        #[arg(long, value_enum, default_value_t = BackendChoice::Auto)]
        backend: BackendChoice,
        /// No progress lines.
        #[arg(long)]
        quiet: bool,
    },
    /// Draw a checkpoint's world into a PNG (on the GPU, no window).
    Render {
        /// The checkpoint to draw.
        file: PathBuf,
        /// The PNG file to write.
        #[arg(long)]
        out: PathBuf,
        /// Terrain layer.
        #[arg(long, value_enum, default_value_t)]
        layer: crate::view::Layer,
        /// Interaction lines.
        #[arg(long, value_enum, default_value_t)]
        lines: crate::view::Lines,
        /// Side of the square picture, pixels.
        #[arg(long, default_value_t = 1024)]
        size: u32,
    },
    /// Gather the finished runs of an experiment directory into results.csv and summary.md.
    Collect {
        /// The experiment's output directory (it holds experiment.ron).
        dir: PathBuf,
    },
    /// Plot and tabulate the emergence measures of runs (and their control runs).
    Report {
        /// Run directories, or directories holding runs (experiments).
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Where report.md and the PNG plots go.
        #[arg(long, default_value = "report")]
        out: PathBuf,
        /// Muller plots by founders' lineages, even where the runs' measures count kin
        /// groups.
        #[arg(long)]
        founders: bool,
    },
    /// Summarise a run's lineage.csv: the longest-lived lineages and the most prolific
    /// ancestors.
    Lineage {
        /// A `silico run` output directory (or a lineage.csv).
        dir: PathBuf,
        /// How many of each to list.
        #[arg(long, default_value_t = 10)]
        top: usize,
        /// Group by founders' lineages, even where the run's measures count kin groups.
        #[arg(long)]
        founders: bool,
    },
    /// Print a JSON summary of a checkpoint; with --bots, every bot's program in human terms.
    Inspect {
        /// The checkpoint to summarise.
        file: PathBuf,
        /// List every bot: position, energy, and its program and memory disassembled.
        #[arg(long)]
        bots: bool,
    },
}

#[derive(Clone, Debug, Default, clap::Args)]
pub struct AppArgs {
    #[command(flatten)]
    pub cfg: ConfigArgs,
    /// Open this checkpoint instead of a new world.
    #[arg(long)]
    pub checkpoint: Option<PathBuf>,
    /// Close after drawing N frames (smoke tests, scripted screenshots).
    #[arg(long, value_name = "N")]
    pub exit_after_frames: Option<u64>,
    /// Save the last frame (with --exit-after-frames) or the first F12 screenshot here (PNG).
    #[arg(long, value_name = "FILE")]
    pub screenshot: Option<PathBuf>,
    /// auto: simulate on the window's GPU if it is a hardware one, else on the CPU engine;
    /// gpu or cpu force one. The window always draws with the GPU.
    #[arg(long, value_enum, default_value_t = BackendChoice::Auto)]
    pub backend: BackendChoice,
    /// Open with an entity selected, followed and zoomed in on: agent:N or bot:N.
    #[arg(long, value_name = "agent:N|bot:N")]
    pub select: Option<crate::app::session::Selection>,
    /// Terrain layer to start with.
    #[arg(long, value_enum, default_value_t)]
    pub layer: crate::view::Layer,
    /// Interaction lines to start with.
    #[arg(long, value_enum, default_value_t)]
    pub lines: crate::view::Lines,
    /// Another run (a directory or its metrics.csv), typically a control: drawn dashed on
    /// every chart and used for the dashboard's chance bands.
    #[arg(long, value_name = "DIR")]
    pub compare: Option<PathBuf>,
}

/// Carry out a parsed command line.
pub fn dispatch(cli: Cli) -> anyhow::Result<()> {
    let Some(command) = cli.command else {
        return app::default_app();
    };
    match command {
        Command::App(args) => app::app(args),
        Command::Run(opts) => crate::batch::run(&opts).map(|_| ()),
        Command::Bench {
            cfg,
            ticks,
            backend,
            json,
            passes,
        } => bench::bench(cfg, ticks, backend, json, passes),
        Command::Lineage { dir, top, founders } => lineage::lineage(&dir, top, founders),
        Command::Experiment {
            file,
            out,
            jobs,
            shard,
            emit_slurm,
            shards,
            backend,
            quiet,
        } => experiment::experiment(&file, out, jobs, shard, emit_slurm, shards, backend, quiet),
        Command::Render {
            file,
            out,
            layer,
            lines,
            size,
        } => render::render(&file, &out, layer, lines, size),
        Command::Ablate {
            checkpoint,
            ticks,
            out,
            knockouts,
            replicates,
            naive,
            backend,
            quiet,
        } => ablate::ablate(
            checkpoint, ticks, out, knockouts, replicates, naive, backend, quiet,
        ),
        Command::Search {
            file,
            out,
            jobs,
            rank_only,
            backend,
            quiet,
        } => search::search(&file, &out, jobs, rank_only, backend, quiet),
        Command::Collect { dir } => experiment::collect(&dir),
        Command::Report {
            dirs,
            out,
            founders,
        } => {
            for f in crate::science::report::write_grouped(&dirs, &out, founders)? {
                println!("wrote {}", f.display());
            }
            Ok(())
        }
        Command::Validate { file, sets } => validate::validate(&file, &sets),
        Command::Inspect { file, bots } => inspect::inspect(&file, bots),
    }
}
