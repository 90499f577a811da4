//! `silico app`, and `silico` alone: the desktop app, or with no display the same world
//! headless.

use std::path::PathBuf;

use anyhow::Result;

use super::AppArgs;
use crate::batch::{self, ConfigArgs, RunOptions};
use crate::world::checkpoint;

/// `silico` with no subcommand: the app on configs/default.ron.
pub fn default_app() -> Result<()> {
    let default = PathBuf::from("configs/default.ron");
    let config = if default.exists() {
        Some(default)
    } else {
        eprintln!("silico: configs/default.ron not found here; using the built-in defaults");
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

/// The app, or with no display the same world headless for 1,000 ticks.
pub fn app(args: AppArgs) -> Result<()> {
    let config = batch::load_config(args.cfg.config.as_deref(), &args.cfg.sets)?;
    if let Some(path) = &args.checkpoint {
        // Refuse a bad checkpoint before opening a window.
        checkpoint::read(path)?;
    }
    let opts = crate::app::AppOptions {
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
    match crate::app::run(opts) {
        Err(e) if e.downcast_ref::<crate::app::NoDisplay>().is_some() => {
            eprintln!(
                "silico: {e}; running the world headless instead (silico run --help for options)"
            );
            batch::run(&RunOptions {
                cfg: args.cfg,
                resume: args.checkpoint,
                backend: args.backend,
                ..RunOptions::new(None, 1000)
            })
            .map(|_| ())
        }
        other => other,
    }
}
