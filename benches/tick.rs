//! Criterion benches of whole ticks. Throughput is in agent-ticks (capacity x ticks), so
//! criterion prints agent-ticks/s. `silico bench` gives the same figures for any config.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use silico::config::{Brain, Config};
use silico::cpu::CpuWorld;
use silico::gpu::GpuWorld;
use silico::world::State;

const TICKS_PER_ITER: u64 = 8;

fn worlds() -> Vec<(&'static str, Config)> {
    let default = Config::default();
    let random = Config {
        brain: Brain::Random,
        ..Config::default()
    };
    let mut large = Config {
        brain: Brain::Random,
        ..Config::default()
    };
    large.world.map_size = 512;
    large.agents.capacity = 65536;
    large.agents.initial_agents = Some(65536);
    large.agents.min_agents = Some(16384);
    vec![
        ("default_linear", default),
        ("default_random", random),
        ("large_random_65536", large),
    ]
}

fn gpu_ticks(c: &mut Criterion) {
    let mut group = c.benchmark_group("gpu_tick");
    group.sample_size(10);
    for (name, cfg) in worlds() {
        let mut world = match GpuWorld::new(&cfg, &State::new(&cfg)) {
            Ok(w) => w,
            Err(e) => {
                eprintln!("skipping GPU benches: {e}");
                return;
            }
        };
        group.throughput(Throughput::Elements(
            cfg.agents.capacity as u64 * TICKS_PER_ITER,
        ));
        group.bench_function(name, |b| {
            b.iter(|| {
                world.advance(TICKS_PER_ITER).expect("advance");
                world.flush().expect("flush");
            })
        });
    }
    group.finish();
}

fn cpu_ticks(c: &mut Criterion) {
    let mut group = c.benchmark_group("cpu_tick");
    group.sample_size(10);
    let cfg = Config::default();
    let mut world = CpuWorld::new(&cfg, State::new(&cfg));
    group.throughput(Throughput::Elements(cfg.agents.capacity as u64));
    group.bench_function("default_linear", |b| b.iter(|| world.tick()));
    group.finish();
}

criterion_group!(benches, gpu_ticks, cpu_ticks);
criterion_main!(benches);
