//! Headless batch mode: `silico run` and `silico bench`. Everything a run writes goes under
//! its output directory; nothing there is touched until the inputs have been checked.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use anyhow::{bail, Context, Result};

use crate::config::Config;
use crate::runs::files::{bits_row, checkpoint_name, prune_checkpoints, BitsFile, MetricsCsv};
use crate::runs::Summary;
use crate::sim::{BackendKind, World};
use crate::world::{checkpoint, metric_index, State};

/// Which engine to run on; `Auto` chooses as `choose_engine` says.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum BackendChoice {
    #[default]
    Auto,
    Gpu,
    Cpu,
}

/// Set by Ctrl-C or SIGTERM: every run of the process checkpoints at the end of its tick and
/// stops, and experiments start no further run. One flag for the process, because a signal
/// handler can be installed only once in it.
static STOP: AtomicBool = AtomicBool::new(false);

/// Whether Ctrl-C or SIGTERM has asked this process to stop.
pub fn stop_requested() -> bool {
    STOP.load(Ordering::SeqCst)
}

/// Install the handler that sets the stop flag (once per process).
pub fn install_stop_handler() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = ctrlc::set_handler(|| STOP.store(true, Ordering::SeqCst));
    });
}

/// Load a config file (or the built-in defaults when `path` is None) and apply `--set`s.
pub fn load_config(path: Option<&Path>, sets: &[String]) -> Result<Config> {
    let base = match path {
        Some(p) => crate::world::load_config(p)?,
        None => Config::default(),
    };
    Ok(crate::world::with_overrides(&base, sets)?)
}

/// Which engine simulates under `choice`, the GPU context it runs on (if any) and why, in
/// words for the first line a run prints. `auto`: a hardware GPU adapter; where the only
/// adapter is a software rasteriser (lavapipe/llvmpipe, SwiftShader, WARP) or there is
/// none, the CPU engine, which ran every shipped world faster than lavapipe
/// (docs/performance.md).
pub fn choose_engine(
    choice: BackendChoice,
) -> (BackendKind, Option<crate::gpu::GpuContext>, String) {
    match choice {
        BackendChoice::Cpu => (BackendKind::Cpu, None, "--backend cpu".into()),
        BackendChoice::Gpu => match crate::gpu::GpuContext::new() {
            Ok(ctx) => (BackendKind::Gpu, Some(ctx), "--backend gpu".into()),
            // World::new reports the missing adapter.
            Err(_) => (BackendKind::Gpu, None, "--backend gpu".into()),
        },
        BackendChoice::Auto => match crate::gpu::GpuContext::new() {
            Ok(ctx) if ctx.is_software() => (
                BackendKind::Cpu,
                None,
                format!(
                    "the only GPU adapter, {}, is a software rasteriser, slower than the CPU engine; --backend gpu uses it anyway",
                    ctx.info.name
                ),
            ),
            Ok(ctx) => (BackendKind::Gpu, Some(ctx), "a hardware GPU adapter".into()),
            Err(e) => (
                BackendKind::Cpu,
                None,
                format!("no GPU adapter ({e})"),
            ),
        },
    }
}

/// Make the world on the engine `choice` picks; returns it and why that engine.
pub fn make_world(cfg: &Config, state: State, choice: BackendChoice) -> Result<(World, String)> {
    let (kind, ctx, why) = choose_engine(choice);
    let world = match (kind, ctx) {
        (BackendKind::Gpu, Some(ctx)) => match World::on_context(ctx, cfg, &state) {
            Ok(w) => w,
            Err(e) if choice == BackendChoice::Auto => {
                eprintln!("warning: {e}\nwarning: falling back to the CPU engine");
                return Ok((
                    World::new(cfg, state, BackendKind::Cpu)?,
                    format!("the GPU could not hold this world ({e})"),
                ));
            }
            Err(e) => return Err(e.into()),
        },
        (kind, _) => World::new(cfg, state, kind)?,
    };
    Ok((world, why))
}

/// A config file plus `--set` overrides, as every command that reads a config takes them.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct ConfigArgs {
    /// RON config file; fields left out take the defaults of configs/default.ron.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Override one field, RON value syntax: --set agents.capacity=256 --set brain=Random
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
}

/// `silico run`'s options.
#[derive(Clone, Debug, clap::Args)]
pub struct RunOptions {
    #[command(flatten)]
    pub cfg: ConfigArgs,
    /// The world tick to stop at (a resumed run continues up to it).
    #[arg(long, default_value_t = 1000)]
    pub ticks: u64,
    /// Seed of a new run (a resumed run keeps its checkpoint's seed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Output directory (default runs/<config>-seed<seed>-<time>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Write a checkpoint every K ticks (0: only the final one).
    #[arg(long, default_value_t = 0)]
    pub checkpoint_every: u64,
    /// Keep only the newest N periodic checkpoints in DIR/checkpoints/ (older ones are
    /// deleted as new ones are written; final.silico is always kept). Default: all.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub keep_checkpoints: Option<u64>,
    /// Continue from a checkpoint file.
    #[arg(long)]
    pub resume: Option<PathBuf>,
    /// auto: a hardware GPU, else the CPU engine (a software rasteriser such as lavapipe
    /// runs slower than it); gpu or cpu force one.
    #[arg(long, value_enum, default_value_t = BackendChoice::Auto)]
    pub backend: BackendChoice,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
    /// Every K ticks save a picture of the world in DIR/frames/ (and DIR/frames.gif at the
    /// end); rendered on the GPU, no window needed. 0: none.
    #[arg(long, default_value_t = 0, value_name = "K")]
    pub frames_every: u64,
    /// Write into an --out folder that holds another run: the old run is moved aside to
    /// <out>.replaced-<time> first (never deleted).
    #[arg(long)]
    pub overwrite: bool,
    /// A resumed run with another random stream (`silico ablate`'s replicates): every
    /// draw from the checkpoint on comes from this seed instead of the run's.
    #[arg(skip)]
    pub fork_seed: Option<u64>,
}

impl RunOptions {
    /// A fresh run of `config` (None: the built-in defaults) to tick `ticks`, with the CLI's
    /// defaults for everything else; set the other fields by struct update.
    pub fn new(config: Option<PathBuf>, ticks: u64) -> Self {
        Self {
            cfg: ConfigArgs {
                config,
                sets: Vec::new(),
            },
            ticks,
            seed: None,
            out: None,
            checkpoint_every: 0,
            keep_checkpoints: None,
            resume: None,
            backend: BackendChoice::Auto,
            quiet: false,
            frames_every: 0,
            overwrite: false,
            fork_seed: None,
        }
    }
}

/// Resolve what a run starts from: a fresh world, or a checkpoint (with a fork's changes).
fn starting_point(opts: &RunOptions) -> Result<(Config, State, Option<String>)> {
    match &opts.resume {
        None => {
            let mut cfg = load_config(opts.cfg.config.as_deref(), &opts.cfg.sets)?;
            if let Some(seed) = opts.seed {
                cfg.seed = seed;
            }
            let state = State::try_new(&cfg).map_err(anyhow::Error::msg)?;
            Ok((cfg, state, None))
        }
        Some(path) => {
            let (stored, state) = checkpoint::read(path)?;
            let mut cfg = match &opts.cfg.config {
                Some(p) => load_config(Some(p), &opts.cfg.sets)?,
                None => crate::world::with_overrides(&stored, &opts.cfg.sets)?,
            };
            if opts.seed.is_some_and(|s| s != stored.seed) {
                bail!(
                    "--seed {} differs from the checkpoint's seed {}: a resumed run keeps its seed (drop --seed)",
                    opts.seed.unwrap_or_default(),
                    stored.seed
                );
            }
            cfg.seed = opts.fork_seed.unwrap_or(stored.seed);
            let diffs = stored.structural_differences(&cfg);
            if !diffs.is_empty() {
                bail!(
                    "cannot resume {} with this config: these fields define the shape of the world and must match the checkpoint:\n  - {}\n(remove them from --config/--set, or start a new run)",
                    path.display(),
                    diffs.join("\n  - ")
                );
            }
            Ok((cfg, state, Some(path.display().to_string())))
        }
    }
}

fn default_out_dir(cfg: &Config, config_path: Option<&Path>) -> PathBuf {
    let stem = config_path
        .and_then(|p| p.file_stem())
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or("default".into());
    PathBuf::from("runs").join(format!(
        "{stem}-seed{}-{}",
        cfg.seed,
        crate::runs::outdir::stamp()
    ))
}

/// Write a checkpoint under a temporary name and rename it into place.
fn save_checkpoint(world: &mut World, cfg: &Config, path: &Path) -> Result<State> {
    let state = world.state(cfg)?;
    checkpoint::write(path, cfg, &state)
        .with_context(|| format!("cannot write checkpoint {}", path.display()))?;
    Ok(state)
}

/// A headless run, start to finish. Long because its steps share the open files, the lock
/// and the stop flag: check the inputs before touching the output folder, open the files
/// (resuming each where the checkpoint stands), tick and checkpoint, then write the final
/// checkpoint and the summary, in that order so that an interruption loses nothing.
pub fn run(opts: &RunOptions) -> Result<Summary> {
    // Everything that can be wrong with the inputs is found before the output dir is touched.
    let (cfg, state, resumed_from) = starting_point(opts)?;
    let start_tick = state.tick();
    if opts.ticks < start_tick {
        bail!(
            "--ticks {} is before the checkpoint's tick {start_tick}: --ticks is the world tick to stop at",
            opts.ticks
        );
    }
    let out = opts
        .out
        .clone()
        .unwrap_or_else(|| default_out_dir(&cfg, opts.cfg.config.as_deref()));
    // A folder holding another run is refused before anything is built or written.
    if !opts.overwrite {
        crate::runs::outdir::prepare_run_dir(&out, opts.resume.as_deref(), false)?;
    }
    let record_bits = cfg.scenario.record_bits && cfg.bots.count > 0;
    let first_bits = record_bits.then(|| {
        bits_row(
            state
                .bots
                .iter()
                .map(|b| b.memory[crate::world::bot_act::BIT]),
        )
    });
    let start_agents = state.agents.clone();
    let (mut world, why) = make_world(&cfg, state, opts.backend)?;
    world.collect_events(true);
    let _lock = crate::runs::outdir::lock_for_run(&out, opts.resume.as_deref(), opts.overwrite)?;
    let ckpt_dir = out.join("checkpoints");
    // checkpoints/ only where there will be some (periodic ones, or an interruption's).
    let make_ckpt_dir = || {
        fs::create_dir_all(&ckpt_dir)
            .with_context(|| format!("cannot create output directory {}", ckpt_dir.display()))
    };
    fs::create_dir_all(&out)
        .with_context(|| format!("cannot create output directory {}", out.display()))?;
    if opts.checkpoint_every > 0 {
        make_ckpt_dir()?;
    }
    fs::write(out.join("config.ron"), cfg.to_ron())
        .with_context(|| format!("cannot write {}/config.ron", out.display()))?;
    let mut csv = MetricsCsv::open(
        &out.join("metrics.csv"),
        cfg.metrics_every as u64,
        resumed_from.as_ref().map(|_| start_tick),
    )?;

    let mut bits = match &first_bits {
        Some(row) => Some(BitsFile::open(
            &out.join("bits.txt"),
            row,
            start_tick,
            cfg.bots.steps_per_tick as u64,
            resumed_from.is_some(),
        )?),
        None => None,
    };

    let mut frames = match opts.frames_every {
        0 => None,
        _ => Some(Frames::new(&world, &out)?),
    };
    if let Some(f) = frames.as_mut() {
        f.save(&world, &cfg)?;
    }
    let mut lineage = crate::lineage::LineageCsv::open(
        &out.join("lineage.csv"),
        &start_agents,
        start_tick,
        resumed_from.is_some(),
    )?;
    drop(start_agents);

    install_stop_handler();
    let total = opts.ticks - start_tick;
    let bar = progress_bar(opts.quiet, total);
    eprintln!(
        "silico: {} on {} ({why}); writing {}",
        if resumed_from.is_some() {
            "resuming"
        } else {
            "running"
        },
        world.adapter(),
        out.display()
    );
    let pop_col = metric_index("population").unwrap_or(1);
    let mut agent_ticks = 0.0f64;
    let mut population = 0u64;
    let mut handle_rows = |rows: Vec<Vec<f32>>, bar: &indicatif::ProgressBar| -> Result<()> {
        for row in rows {
            agent_ticks += row[pop_col] as f64;
            population = row[pop_col] as u64;
            csv.write(&row)?;
        }
        bar.set_message(format!("population {population}"));
        Ok(())
    };
    let started = Instant::now();
    let mut interrupted = false;
    while world.tick() < opts.ticks {
        let now = world.tick();
        // Recording bits reads them back after every tick.
        let mut chunk = (opts.ticks - now).min(if bits.is_some() { 1 } else { 32 });
        for every in [opts.checkpoint_every, opts.frames_every] {
            if let Some(done) = now.checked_div(every) {
                let next = (done + 1) * every;
                chunk = chunk.min(next - now);
            }
        }
        let rows = world.advance(chunk)?;
        handle_rows(rows, &bar)?;
        let (events, lost) = world.take_events();
        lineage.record(events, lost)?;
        if let Some(bits) = bits.as_mut() {
            bits.write_tick(&world.bot_bits()?, cfg.bots.count as usize)?;
        }
        bar.set_position(world.tick() - start_tick);
        if let Some(f) = frames.as_mut() {
            if world.tick() % opts.frames_every == 0 {
                f.save(&world, &cfg)?;
            }
        }
        if opts.checkpoint_every > 0
            && world.tick() % opts.checkpoint_every == 0
            && world.tick() < opts.ticks
        {
            let rows = world.flush()?;
            handle_rows(rows, &bar)?;
            let (events, lost) = world.take_events();
            lineage.record(events, lost)?;
            let path = ckpt_dir.join(checkpoint_name(world.tick()));
            save_checkpoint(&mut world, &cfg, &path)?;
            if let Some(keep) = opts.keep_checkpoints {
                prune_checkpoints(&ckpt_dir, keep as usize)?;
            }
        }
        if stop_requested() {
            interrupted = true;
            break;
        }
    }
    let rows = world.flush()?;
    handle_rows(rows, &bar)?;
    let (events, lost) = world.take_events();
    lineage.record(events, lost)?;
    lineage.finish()?;
    if let Some(f) = &frames {
        f.write_gif()?;
    }
    if lineage.lost > 0 {
        eprintln!(
            "warning: {} births and deaths did not fit the event buffer; lineage.csv misses them",
            lineage.lost
        );
    }
    let wall_s = started.elapsed().as_secs_f64();
    bar.finish_and_clear();
    let final_state = save_checkpoint(&mut world, &cfg, &out.join("final.silico"))?;
    if interrupted {
        make_ckpt_dir()?;
        let path = ckpt_dir.join(checkpoint_name(world.tick()));
        checkpoint::write(&path, &cfg, &final_state)?;
        eprintln!(
            "silico: interrupted at tick {}; checkpoint written to {}",
            world.tick(),
            path.display()
        );
    }
    let ticks_run = world.tick() - start_tick;
    let summary = Summary {
        ticks: world.tick(),
        ticks_run,
        wall_s,
        ticks_per_s: ticks_run as f64 / wall_s.max(1e-9),
        agent_ticks_per_s: agent_ticks / wall_s.max(1e-9),
        population: final_state.population() as u64,
        state_hash: final_state.hash(),
        adapter: world.adapter(),
        backend: Some(world.backend()),
        config_digest: cfg.digest(),
        resumed_from,
        interrupted,
    };
    summary.write(&out)?;
    say_what_next(&summary, &out, &ckpt_dir, opts.ticks, interrupted);
    Ok(summary)
}

/// The run's progress bar on stderr (hidden with `--quiet`).
fn progress_bar(quiet: bool, total: u64) -> indicatif::ProgressBar {
    if quiet {
        return indicatif::ProgressBar::hidden();
    }
    let b = indicatif::ProgressBar::new(total);
    b.set_style(
        indicatif::ProgressStyle::with_template(
            "{elapsed_precise} [{bar:30}] {pos}/{len} ticks  {rate}  eta {eta}  {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .with_key(
            "rate",
            |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:.1} ticks/s", s.per_sec());
            },
        )
        .progress_chars("=> "),
    );
    b
}

/// A run's last lines: what it did, and the command that comes next (finishing an
/// interrupted run, or watching and reporting a finished one).
fn say_what_next(summary: &Summary, out: &Path, ckpt_dir: &Path, ticks: u64, interrupted: bool) {
    eprintln!(
        "silico: {} ticks ({} this run) in {:.1}s, {:.1} ticks/s, population {}; results in {}",
        summary.ticks,
        summary.ticks_run,
        summary.wall_s,
        summary.ticks_per_s,
        summary.population,
        out.display()
    );
    if interrupted {
        eprintln!(
            "next: silico run --resume {} --ticks {ticks} (to finish it)",
            ckpt_dir.join(checkpoint_name(summary.ticks)).display(),
        );
    } else {
        eprintln!(
            "next: silico app --checkpoint {} (to watch it), silico report {} --out {} (its figures)",
            out.join("final.silico").display(),
            out.display(),
            out.join("report").display()
        );
    }
}

/// World pictures of a run: DIR/frames/tick-NNNNNNNN.png, and DIR/frames.gif at the end.
struct Frames {
    ctx: crate::gpu::GpuContext,
    renderer: crate::view::ViewRenderer,
    dir: PathBuf,
    gif: PathBuf,
}

/// Side of a saved frame, in pixels.
const FRAME_PX: u32 = 512;

impl Frames {
    fn new(world: &World, out: &Path) -> Result<Self> {
        let ctx = match world {
            World::Gpu(g) => g.ctx.clone(),
            World::Cpu(_) => crate::gpu::GpuContext::new()
                .context("--frames-every draws the world with the GPU, and no adapter was found")?,
        };
        let dir = out.join("frames");
        fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let renderer = crate::view::ViewRenderer::new(&ctx.device, crate::view::IMAGE_FORMAT);
        Ok(Self {
            ctx,
            renderer,
            dir,
            gif: out.join("frames.gif"),
        })
    }

    /// The world after every submitted tick: the picture is drawn on the same queue, after
    /// them, so nothing needs to wait here.
    fn save(&mut self, world: &World, cfg: &Config) -> Result<()> {
        let settings = crate::view::ViewSettings::whole_world(cfg, [FRAME_PX, FRAME_PX]);
        let img = crate::view::render_image(
            &self.ctx,
            &mut self.renderer,
            world,
            cfg,
            &settings,
            [FRAME_PX, FRAME_PX],
        )?;
        let path = self.dir.join(format!("tick-{:08}.png", world.tick()));
        img.save(&path)
            .with_context(|| format!("cannot write {}", path.display()))
    }

    /// Every frame in the directory (a resumed run's earlier ones too), in tick order.
    fn write_gif(&self) -> Result<()> {
        let mut pngs: Vec<PathBuf> = fs::read_dir(&self.dir)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "png"))
            .collect();
        pngs.sort();
        let file = fs::File::create(&self.gif)
            .with_context(|| format!("cannot create {}", self.gif.display()))?;
        let mut enc = image::codecs::gif::GifEncoder::new_with_speed(file, 10);
        enc.set_repeat(image::codecs::gif::Repeat::Infinite)?;
        for p in pngs {
            let img = image::open(&p)
                .with_context(|| format!("cannot read frame {}", p.display()))?
                .resize(256, 256, image::imageops::FilterType::Triangle)
                .to_rgba8();
            let delay = image::Delay::from_numer_denom_ms(150, 1);
            enc.encode_frame(image::Frame::from_parts(img, 0, 0, delay))?;
        }
        Ok(())
    }
}
