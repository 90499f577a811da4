//! `silico ablate`: knockout forks of an evolved world.

use std::path::PathBuf;

use anyhow::Result;

use crate::batch::BackendChoice;
use crate::science::ablate::{Knockout, Naive};
use crate::world::checkpoint;

#[allow(clippy::too_many_arguments)]
pub fn ablate(
    checkpoint: PathBuf,
    ticks: u64,
    out: Option<PathBuf>,
    knockouts: Vec<Knockout>,
    replicates: u32,
    naive: Naive,
    backend: BackendChoice,
    quiet: bool,
) -> Result<()> {
    let out = out.unwrap_or_else(|| {
        let tick = checkpoint::read(&checkpoint).map_or(0, |(_, s)| s.tick());
        checkpoint
            .parent()
            .unwrap_or(std::path::Path::new("."))
            .join(format!("ablate-tick{tick}"))
    });
    let spec = crate::science::ablate::AblateSpec {
        ticks,
        knockouts: if knockouts.is_empty() {
            crate::science::ablate::Knockout::ALL.to_vec()
        } else {
            knockouts
        },
        replicates,
        naive,
        variants: Vec::new(),
    };
    let a = crate::science::ablate::ablate(&crate::science::ablate::AblateOptions {
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
