//! The checks of a config that need the world's own layout: the state's size, and the
//! brain tensors that scenarios and per-layer mutation name. `Config::validate` checks
//! every field on its own terms first; `validate` here runs both.

use std::path::Path;

use super::brain::{in_layer, layout_for};
use super::Dims;
use crate::config::{Config, GenomeSpec, MAX_STATE_BYTES};
use crate::error::ConfigError;

/// Every check of a config: its fields' (`Config::validate`), then the world's.
pub fn validate(cfg: &Config) -> Result<(), Vec<String>> {
    cfg.validate()?;
    let mut errs = Vec::new();
    state_size(cfg, &mut errs);
    scenario_genomes(cfg, &mut errs);
    layer_sigmas(cfg, &mut errs);
    if errs.is_empty() {
        Ok(())
    } else {
        Err(errs)
    }
}

fn state_size(cfg: &Config, errs: &mut Vec<String>) {
    let bytes = Dims::new(cfg).state_bytes();
    if bytes > MAX_STATE_BYTES {
        errs.push(format!(
            "this world needs {:.1} GiB of state (agents.capacity = {}, brain = {:?}, world.map_size = {}): at most {} GiB; lower agents.capacity or world.map_size, or choose a smaller brain",
            bytes as f64 / (1u64 << 30) as f64,
            cfg.agents.capacity,
            cfg.brain,
            cfg.world.map_size,
            MAX_STATE_BYTES >> 30
        ));
    }
}

/// Placed agents' named tensors exist in the brain and have its lengths.
fn scenario_genomes(cfg: &Config, errs: &mut Vec<String>) {
    let tensors = layout_for(cfg);
    for (k, a) in cfg.scenario.agents.iter().enumerate() {
        let GenomeSpec::Tensors(named) = &a.genome else {
            continue;
        };
        let f = format!("scenario.agents[{k}]");
        for (name, values) in named {
            match tensors.iter().find(|t| &t.name == name) {
                None => errs.push(format!(
                    "{f}.genome names tensor \"{name}\", which brain {:?} does not have: its tensors are {}",
                    cfg.brain,
                    tensors.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", ")
                )),
                Some(t) if t.len() != values.len() => errs.push(format!(
                    "{f}.genome[\"{name}\"] has {} values: the tensor holds {}",
                    values.len(),
                    t.len()
                )),
                Some(_) => {}
            }
        }
    }
}

/// `mutation.layer_sigma` names layers of the brain.
fn layer_sigmas(cfg: &Config, errs: &mut Vec<String>) {
    let tensors = layout_for(cfg);
    for layer in cfg.mutation.layer_sigma.keys() {
        if !tensors.iter().any(|t| in_layer(&t.name, layer)) {
            let mut layers: Vec<&str> = tensors
                .iter()
                .map(|t| t.name.trim_end_matches(".kernel").trim_end_matches(".bias"))
                .collect();
            layers.dedup();
            errs.push(format!(
                "mutation.layer_sigma names \"{layer}\", which is no layer of brain {:?}: its layers are {}",
                cfg.brain,
                if layers.is_empty() { "none (it has no weights)".to_string() } else { layers.join(", ") }
            ));
        }
    }
}

/// A config file read and checked in full: what the CLI, experiments and checkpoints load.
/// (`Config::load` checks the fields alone.)
pub fn load_config(path: &Path) -> Result<Config, ConfigError> {
    checked(Config::load(path)?, &path.display().to_string())
}

/// A config from RON text, checked in full; `origin` names it in errors.
pub fn config_from_ron(text: &str, origin: &str) -> Result<Config, ConfigError> {
    checked(Config::from_ron(text, origin)?, origin)
}

/// `cfg` with `path.to.field=VALUE` overrides, checked in full (see `Config::with_overrides`).
pub fn with_overrides(cfg: &Config, sets: &[String]) -> Result<Config, ConfigError> {
    if sets.is_empty() {
        return Ok(cfg.clone());
    }
    let origin = format!("--set {}", sets.join(" --set "));
    checked(cfg.with_overrides(sets)?, &origin)
}

fn checked(cfg: Config, origin: &str) -> Result<Config, ConfigError> {
    validate(&cfg).map_err(|errors| ConfigError::Invalid {
        origin: origin.to_string(),
        errors,
    })?;
    Ok(cfg)
}

/// What a world of `cfg` needs at its peak: twice its state. Measured on the CPU engine,
/// writing a checkpoint included (docs/performance.md "Memory").
pub fn memory_needed_bytes(cfg: &Config) -> u64 {
    2 * Dims::new(cfg).state_bytes()
}

/// What this process may still allocate, where the machine says: the least of the
/// memory the kernel calls available, what is left under the process's cgroup limit
/// (a Slurm job's, say), and what is left of its address-space limit (`ulimit -v`).
pub fn memory_available_bytes() -> Option<u64> {
    let read = |p: &str| std::fs::read_to_string(p).ok();
    let field = |text: &str, key: &str| -> Option<u64> {
        let line = text.lines().find(|l| l.starts_with(key))?;
        line[key.len()..].split_whitespace().next()?.parse().ok()
    };
    let meminfo = read("/proc/meminfo")?;
    let mut least = field(&meminfo, "MemAvailable:")? * 1024;
    if let (Some(max), Some(current)) = (
        read("/sys/fs/cgroup/memory.max").and_then(|s| s.trim().parse::<u64>().ok()),
        read("/sys/fs/cgroup/memory.current").and_then(|s| s.trim().parse::<u64>().ok()),
    ) {
        least = least.min(max.saturating_sub(current));
    }
    if let (Some(limit), Some(size_kib)) = (
        read("/proc/self/limits").and_then(|s| field(&s, "Max address space")),
        read("/proc/self/status").and_then(|s| field(&s, "VmSize:")),
    ) {
        least = least.min(limit.saturating_sub(size_kib * 1024));
    }
    Some(least)
}

/// Refuse, with the figures, a world this machine cannot hold: allocating it would abort
/// the process instead.
pub fn fits_in_memory(cfg: &Config) -> Result<(), String> {
    let gib = |b: u64| b as f64 / (1u64 << 30) as f64;
    let need = memory_needed_bytes(cfg);
    match memory_available_bytes() {
        Some(have) if need > have => Err(format!(
            "this world needs about {:.1} GiB of memory (agents.capacity = {}, brain = {:?}, world.map_size = {}) and this machine has {:.1} GiB available: lower agents.capacity or world.map_size, choose a smaller brain, or run it on a larger machine",
            gib(need),
            cfg.agents.capacity,
            cfg.brain,
            cfg.world.map_size,
            gib(have)
        )),
        _ => Ok(()),
    }
}
