//! Every integration test in one binary: linking wgpu, egui and winit once instead of
//! once per file saves most of the suite's build time on a small machine.
//! `cargo test --release --test suite <module>::` runs one file's tests.

mod app;
mod app_window;
mod births;
mod bots;
mod brains;
mod checkpoint;
mod cli;
mod common;
mod compact_brain;
mod config;
mod determinism;
mod ecology;
mod experiment;
mod fuzz;
mod genome_storage;
mod gpu_vs_cpu;
mod invariants;
mod layers;
mod lineage;
mod measures;
mod pictures;
mod report;
mod saliency;
mod schedule;
mod shaders;
