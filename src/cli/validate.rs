//! `silico validate`: check a config, an experiment file or a search file.

use std::path::Path;

use anyhow::Result;

pub fn validate(file: &Path, sets: &[String]) -> Result<()> {
    // A search or an experiment file is validated as one (every design or variant
    // resolved and checked); anything else as a config.
    let text = std::fs::read_to_string(file)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
    let kind = if text.contains("designs:") {
        crate::science::search::Search::load(file)?;
        "search"
    } else if text.contains("variants:") {
        crate::science::experiment::Experiment::load(file)?;
        "experiment"
    } else {
        let cfg = crate::world::load_config(file)?;
        crate::world::with_overrides(&cfg, sets)?;
        "config"
    };
    if kind != "config" && !sets.is_empty() {
        anyhow::bail!(
            "{} is {} file: --set applies to configs (put overrides in its variants' set lists)",
            file.display(),
            if kind == "search" {
                "a search"
            } else {
                "an experiment"
            }
        );
    }
    println!("{}: ok ({kind})", file.display());
    Ok(())
}
