//! The tick's schedule: what it runs when, and that both backends know every step of it.

use crate::common;
use silico::config::{Brain, MessageControl};
use silico::cpu::CpuWorld;
use silico::schedule::{self, Pass, Step};
use silico::world::{Dims, Params, State};

fn brains() -> Vec<Brain> {
    vec![
        Brain::Linear,
        Brain::Random,
        Brain::Zero,
        Brain::JaxLife {
            hidden: 8,
            heads: 2,
        },
        Brain::Compact { hidden: 8 },
    ]
}

fn passes(steps: &[Step]) -> Vec<Pass> {
    steps
        .iter()
        .filter_map(|s| match s {
            Step::Pass(pass) => Some(*pass),
            Step::Clear(_) => None,
        })
        .collect()
}

/// Every pass the schedule may run has a GPU entry point and a CPU function, and every
/// clear names a scratch section; for each brain only that brain's passes run.
#[test]
fn every_step_is_known_to_both_backends() {
    for brain in brains() {
        let mut cfg = common::tiny();
        cfg.brain = brain.clone();
        let (p, d) = (Params::new(&cfg), Dims::new(&cfg));
        let (own, own_probe) = schedule::brain_passes(&p);
        let steps = schedule::every_step(&p, &d);
        for pass in passes(&steps) {
            assert!(
                silico::gpu::shader_of(pass).is_some(),
                "{brain:?}: {pass} has no GPU entry point"
            );
        }
        for other in [Pass::Policy, Pass::JaxlifeBrain, Pass::CompactBrain] {
            assert_eq!(
                passes(&steps).contains(&other),
                other == own,
                "{brain:?} and {other}"
            );
        }
        assert!(passes(&steps).contains(&own_probe));
        // Each step on the CPU: a pass it does not know, or a clear of no section, panics.
        let mut cpu = CpuWorld::new(&cfg, State::new(&cfg));
        for step in steps {
            cpu.run_step(step);
        }
    }
}

/// A tick starts by clearing its accumulators; the bot step repeats `bots.steps_per_tick`
/// times; shuffles run only in shuffled worlds, probes only on probe ticks.
#[test]
fn the_tick_is_built_once_from_the_config() {
    let mut cfg = common::tiny();
    cfg.bots.count = 4;
    cfg.bots.steps_per_tick = 3;
    cfg.measures.saliency_every = 4;
    cfg.measures.influence_every = 6;
    let (p, d) = (Params::new(&cfg), Dims::new(&cfg));
    let steps = schedule::tick_steps(&p, &d, 1);
    assert!(matches!(
        steps[0],
        Step::Clear(silico::world::Section::AgentAcc)
    ));
    let count = |steps: &[Step], name| passes(steps).iter().filter(|p| **p == name).count();
    assert_eq!(count(&steps, Pass::BotsAct), 3);
    assert_eq!(count(&steps, Pass::BotsReceive), 1);
    assert_eq!(count(&steps, Pass::ShuffleAgents), 0);
    for tick in 0..13 {
        let steps = schedule::tick_steps(&p, &d, tick);
        let (s, i) = (tick % 4 == 0, tick % 6 == 0);
        assert_eq!(count(&steps, Pass::PolicyProbe) == 1, s || i, "tick {tick}");
        assert_eq!(count(&steps, Pass::SaliencyReduce) == 1, s, "tick {tick}");
        // A probe tick selects for its own measures and empties the other's rows.
        assert_eq!(count(&steps, Pass::SaliencySelect) == 1, s, "tick {tick}");
        assert_eq!(
            count(&steps, Pass::SaliencyNone) == 1,
            i && !s,
            "tick {tick}"
        );
        assert_eq!(count(&steps, Pass::InfluenceSelect) == 1, i, "tick {tick}");
        assert_eq!(
            count(&steps, Pass::InfluenceNone) == 1,
            s && !i,
            "tick {tick}"
        );
        assert_eq!(count(&steps, Pass::InfluenceReduce) == 1, i, "tick {tick}");
    }
    cfg.controls.messages = MessageControl::Shuffled;
    let p = Params::new(&cfg);
    assert_eq!(
        count(&schedule::tick_steps(&p, &d, 1), Pass::ShuffleAgents),
        1
    );
}

/// Which passes run is the schedule's alone: no shader or CPU pass reads the world's brain
/// or the measures' tick periods to decide what to do.
#[test]
fn no_pass_tests_its_tick_or_the_brain() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    for (dir, words) in [
        (
            "shaders",
            &[
                "params.brain_kind",
                "params.saliency_every",
                "params.influence_every",
            ][..],
        ),
        (
            "src/cpu",
            &[
                "p.brain_kind",
                "saliency_tick",
                "influence_tick",
                "probe_tick",
            ][..],
        ),
    ] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for w in words {
                if text.contains(w) {
                    found.push(format!("{} reads {w}", path.display()));
                }
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}
