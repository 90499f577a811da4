//! `silico inspect`: what a checkpoint holds, as JSON, or its bots disassembled.

use std::path::Path;

use anyhow::Result;

use crate::world::checkpoint;

pub fn inspect(file: &Path, bots: bool) -> Result<()> {
    if bots {
        inspect_bots(file)
    } else {
        inspect_summary(file)
    }
}

fn inspect_bots(file: &Path) -> Result<()> {
    use std::io::Write;
    let (_, state) = checkpoint::read(file)?;
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
        let text = crate::program::disassemble(&bot.program, &bot.memory);
        for line in text.to_string().lines() {
            writeln!(out, "  {line}")?;
        }
    }
    Ok(())
}

fn inspect_summary(file: &Path) -> Result<()> {
    let (cfg, state) = checkpoint::read(file)?;
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
