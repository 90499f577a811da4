//! Library errors: each one names the file, field or value at fault and how to fix it.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum ConfigError {
    // The cause is part of the message, not a `source`: printed as a chain it would
    // appear twice.
    #[error("cannot read config file {path}: {cause} (check the path)")]
    Io { path: String, cause: std::io::Error },
    #[error("{origin}:{line}:{column}: {message} (fields and their defaults are listed in configs/default.ron)")]
    Parse {
        origin: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{origin}: invalid config:\n  - {}", errors.join("\n  - "))]
    Invalid { origin: String, errors: Vec<String> },
    #[error("--set {set}: {message}")]
    Override { set: String, message: String },
}

#[derive(Debug, Error)]
pub enum CheckpointError {
    #[error("cannot read checkpoint {path}: {cause}")]
    Io { path: String, cause: std::io::Error },
    #[error("{path} is not a Silico checkpoint (wrong magic bytes): give a .silico file written by `silico run`")]
    Foreign { path: String },
    #[error("{path} has checkpoint format version {found}, this build reads versions 3 to {expected}: resume it with a matching build")]
    Version {
        path: String,
        found: u32,
        expected: u32,
    },
    #[error(
        "{path} is truncated or corrupt ({detail}): use an earlier checkpoint from the same run"
    )]
    Corrupt { path: String, detail: String },
    #[error("{path}: the config stored in the checkpoint is invalid: {cause}")]
    Config { path: String, cause: ConfigError },
}

#[derive(Debug, Error)]
pub enum GpuError {
    #[error("no GPU adapter found{hint}. Install a Vulkan driver (for software rendering: `apt-get install mesa-vulkan-drivers libvulkan1`) or run with `--backend cpu`")]
    NoAdapter { hint: String },
    #[error("the GPU adapter '{adapter}' refused the device: {message}")]
    Device { adapter: String, message: String },
    #[error("this world does not fit the adapter '{adapter}': buffer '{buffer}' needs {needed_bytes} bytes but one storage binding may hold {limit_bytes}; lower agents.capacity or world.map_size")]
    TooLarge {
        adapter: String,
        buffer: String,
        needed_bytes: u64,
        limit_bytes: u64,
    },
    #[error("the JaxLife brain needs {needed_bytes} bytes of workgroup memory per agent on the adapter '{adapter}', which allows {limit_bytes}; lower brain.hidden, agents.view_agents or agents.view_bots")]
    WorkgroupMemory {
        adapter: String,
        needed_bytes: u64,
        limit_bytes: u64,
    },
    #[error("the genomes need {needed_bytes} bytes ({genome_bytes} per agent) on the adapter '{adapter}', which binds at most {page_limit_bytes} bytes per storage buffer, and a world may page them over at most {max_pages} buffers; set genome_precision: F16 (half the bytes), lower agents.capacity, or choose a smaller brain")]
    GenomePaging {
        adapter: String,
        needed_bytes: u64,
        genome_bytes: u64,
        page_limit_bytes: u64,
        max_pages: usize,
    },
    #[error("{shader} needs {needed} storage buffers with the genomes in {pages} pages, and the adapter '{adapter}' binds at most {limit} per shader stage; set genome_precision: F16 (fewer pages) or lower agents.capacity")]
    TooManyBindings {
        adapter: String,
        shader: String,
        needed: u32,
        pages: usize,
        limit: u32,
    },
    #[error("GPU readback failed: {0}")]
    Readback(String),
}
