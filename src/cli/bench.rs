//! `silico bench`: ticks/s of a world, and with `--passes` each pass's time.

use anyhow::Result;

use crate::batch::{self, BackendChoice, ConfigArgs};

pub fn bench(
    cfg: ConfigArgs,
    ticks: u64,
    backend: BackendChoice,
    json: bool,
    passes: bool,
) -> Result<()> {
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
