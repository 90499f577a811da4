//! `silico bench`: ticks/s of a world, and with `--passes` each pass's time.

use anyhow::Result;

use std::time::Instant;

use serde::Serialize;

use crate::batch::{self, make_world, BackendChoice, ConfigArgs};
use crate::config::Config;
use crate::sim::BackendKind;
use crate::world::{metric_index, State};

pub fn bench(
    cfg: ConfigArgs,
    ticks: u64,
    backend: BackendChoice,
    json: bool,
    passes: bool,
) -> Result<()> {
    let config = batch::load_config(cfg.config.as_deref(), &cfg.sets)?;
    let r = measure(&config, ticks, backend, passes)?;
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

#[derive(Serialize)]
pub struct BenchResult {
    pub ticks: u64,
    pub wall_s: f64,
    pub ticks_per_s: f64,
    pub agent_ticks_per_s: f64,
    pub mean_population: f64,
    pub adapter: String,
    pub backend: BackendKind,
    pub capacity: u32,
    pub map_size: u32,
    pub brain: String,
    /// Mean GPU milliseconds of each pass within whole ticks (with `--passes`), from
    /// timestamp queries; empty when the adapter has none.
    pub pass_ms: Vec<(String, f64)>,
    /// The brain's weight traffic (GPU, brains with weights): see `BrainTraffic`.
    pub brain_traffic: Option<BrainTraffic>,
}

/// How close the brain pass comes to the adapter's memory bandwidth.
#[derive(Serialize)]
pub struct BrainTraffic {
    pub pass: String,
    /// Every living agent's genome read once: the least a tick's brain pass can read.
    pub weight_bytes_per_tick: f64,
    /// The pass's mean GPU time (timestamp queries); None without timestamps.
    pub pass_ms: Option<f64>,
    pub weights_gb_per_s: Option<f64>,
    /// Bytes read plus written per second by a plain copy kernel on the same adapter.
    pub copy_gb_per_s: f64,
}

/// Time `ticks` ticks after a short warm-up (pipeline compilation, first allocations).
/// Run `ticks` ticks of `cfg` after a warm-up and time them (and, with `passes`, each pass).
pub fn measure(
    cfg: &Config,
    ticks: u64,
    backend: BackendChoice,
    passes: bool,
) -> Result<BenchResult> {
    let (mut world, _) = make_world(
        cfg,
        State::try_new(cfg).map_err(anyhow::Error::msg)?,
        backend,
    )?;
    let warmup = (ticks / 10).clamp(1, 32);
    world.advance(warmup)?;
    world.flush()?;
    let pop_col = metric_index("population").unwrap_or(1);
    let started = Instant::now();
    let mut rows = world.advance(ticks)?;
    rows.extend(world.flush()?);
    let wall_s = started.elapsed().as_secs_f64();
    let agent_ticks: f64 = rows.iter().map(|r| r[pop_col] as f64).sum();
    let mean_population = agent_ticks / rows.len().max(1) as f64;
    // The brain pass's weight traffic, for brains that have weights.
    let params = crate::world::Params::new(cfg);
    let brain_pass = (crate::world::Dims::new(cfg).genome_len > 0)
        .then(|| crate::schedule::brain_passes(&params).0);
    let mut pass_ms = Vec::new();
    let mut brain_traffic = None;
    if let (crate::sim::World::Cpu(c), true) = (&mut world, passes) {
        let reps = (ticks as f64 / wall_s.max(1e-9)).clamp(2.0, 20.0) as u32;
        // On a worker of the pool, as `World::advance` runs the ticks it times.
        pass_ms = rayon::scope(|_| c.profile_passes(reps))
            .into_iter()
            .map(|(n, ms)| (n.to_string(), ms))
            .collect();
    }
    if let crate::sim::World::Gpu(g) = &mut world {
        if passes || brain_pass.is_some() {
            // About a second of ticks per measurement, at least two.
            let reps = (ticks as f64 / wall_s.max(1e-9)).clamp(2.0, 20.0) as u32;
            pass_ms = g
                .profile_passes(reps)?
                .into_iter()
                .map(|(n, ms)| (n.to_string(), ms))
                .collect();
        }
        if let Some(pass) = brain_pass {
            let weight_bytes_per_tick = mean_population * g.pages.bytes_per_agent() as f64;
            let ms = pass_ms
                .iter()
                .find(|(n, _)| n == pass.entry())
                .map(|(_, ms)| *ms);
            brain_traffic = Some(BrainTraffic {
                pass: pass.to_string(),
                weight_bytes_per_tick,
                pass_ms: ms,
                weights_gb_per_s: ms.map(|ms| weight_bytes_per_tick / (ms * 1e-3) / 1e9),
                copy_gb_per_s: g.ctx.copy_bandwidth_bytes_per_s() / 1e9,
            });
        }
        if !passes {
            pass_ms.clear();
        }
    }
    Ok(BenchResult {
        ticks,
        wall_s,
        ticks_per_s: ticks as f64 / wall_s.max(1e-9),
        agent_ticks_per_s: agent_ticks / wall_s.max(1e-9),
        mean_population,
        adapter: world.adapter(),
        backend: world.backend(),
        capacity: cfg.agents.capacity,
        map_size: cfg.world.map_size,
        brain: format!("{:?}", cfg.brain),
        pass_ms,
        brain_traffic,
    })
}
