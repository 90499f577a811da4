//! Checkpoint files round-trip, and truncated, corrupt or foreign files are refused with
//! an error that says what is wrong.

use crate::common;

use silico::error::CheckpointError;
use silico::world::{checkpoint, Section, State, NONE};

#[test]
fn round_trip() {
    let cfg = common::tiny();
    let state = State::new(&cfg);
    let bytes = checkpoint::encode(&cfg, &state);
    let (c, s) = checkpoint::decode(&bytes, "mem").unwrap();
    assert_eq!(c, cfg);
    assert_eq!(s, state);
    assert_eq!(s.hash(), state.hash());
}

#[test]
fn damaged_files_are_refused() {
    let cfg = common::tiny();
    let bytes = checkpoint::encode(&cfg, &State::new(&cfg));
    let truncated = &bytes[..bytes.len() / 2];
    let err = checkpoint::decode(truncated, "t.silico").unwrap_err();
    assert!(matches!(err, CheckpointError::Corrupt { .. }), "{err}");
    assert!(err.to_string().contains("t.silico"));
    let mut flipped = bytes.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x40;
    let err = checkpoint::decode(&flipped, "f.silico").unwrap_err();
    assert!(err.to_string().contains("checksum"), "{err}");
    let err = checkpoint::decode(b"PK\x03\x04 some zip file", "z.silico").unwrap_err();
    assert!(matches!(err, CheckpointError::Foreign { .. }), "{err}");
    let mut future = bytes.clone();
    future[8] = 99;
    let err = checkpoint::decode(&future, "v.silico").unwrap_err();
    assert!(
        matches!(err, CheckpointError::Version { found: 99, .. }),
        "{err}"
    );
    let err = checkpoint::decode(&[], "e.silico").unwrap_err();
    assert!(matches!(err, CheckpointError::Foreign { .. }), "{err}");
}

/// `bytes` with its checksum made right again, so a damaged header is read past the
/// checksum.
fn resealed(mut bytes: Vec<u8>) -> Vec<u8> {
    let body = bytes.len() - 32;
    let sum = *blake3::hash(&bytes[..body]).as_bytes();
    bytes[body..].copy_from_slice(&sum);
    bytes
}

/// Headers that lie are refused as what they are: a file too short to hold a header and
/// a checksum, a payload that inflates past the length its header gives, and a section of
/// the wrong length (only version 3's 16-byte measures are migrated, and only there).
#[test]
fn headers_that_lie_are_refused() {
    let cfg = common::tiny();
    let state = State::new(&cfg);
    let bytes = checkpoint::encode(&cfg, &state);

    let mut short = checkpoint::MAGIC.to_vec();
    short.extend_from_slice(&checkpoint::VERSION.to_le_bytes());
    short.extend_from_slice(&[0; 30]);
    let err = checkpoint::decode(&short, "s.silico")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("too short") && err.contains("s.silico"),
        "{err}"
    );

    let mut longer = bytes.clone();
    let claimed = u64::from_le_bytes(longer[12..20].try_into().unwrap()) - 1;
    longer[12..20].copy_from_slice(&claimed.to_le_bytes());
    let err = checkpoint::decode(&resealed(longer), "l.silico")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(&format!("decompresses to {} bytes", claimed + 1))
            && err.contains(&format!("says {claimed}")),
        "{err}"
    );

    for version in [5, checkpoint::VERSION] {
        let sections = state
            .sections()
            .into_iter()
            .map(|(name, b)| {
                (
                    name,
                    if name == Section::Measures {
                        &b[..16]
                    } else {
                        b
                    },
                )
            })
            .collect();
        let err = checkpoint::decode(
            &checkpoint::encode_sections(version, &cfg, sections),
            "m.silico",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("measures"), "version {version}: {err}");
    }
}

#[test]
fn write_is_atomic_and_leaves_no_temp_file() {
    let cfg = common::tiny();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.silico");
    checkpoint::write(&path, &cfg, &State::new(&cfg)).unwrap();
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into())
        .collect();
    assert_eq!(names, vec!["a.silico".to_string()]);
    assert!(checkpoint::read(&path).is_ok());
}

/// A checkpoint write that fails part-way (a file-size limit: writes past it fail with
/// EFBIG, as on a full disk) is a clear error; the checkpoint already under that name is
/// untouched, still loads, and resumes to the uninterrupted run's world; no temporary
/// file is left.
#[test]
fn a_failed_write_leaves_the_previous_checkpoint_whole() {
    use std::process::Command;
    let dir = tempfile::tempdir().unwrap();
    let cfg_path = dir.path().join("tiny.ron");
    std::fs::write(&cfg_path, common::tiny().to_ron()).unwrap();
    let bin = common::silico_bin();
    let run = |args: &[&str]| {
        let o = Command::new(&bin).args(args).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    let hash = |d: &std::path::Path| -> String {
        let s: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(d.join("summary.json")).unwrap())
                .unwrap();
        s["state_hash"].as_str().unwrap().to_string()
    };
    let out = dir.path().join("run");
    let o = out.to_str().unwrap();
    let c = cfg_path.to_str().unwrap();
    run(&[
        "run",
        "--config",
        c,
        "--ticks",
        "20",
        "--quiet",
        "--backend",
        "cpu",
        "--out",
        o,
    ]);
    let final_path = out.join("final.silico");
    let before = std::fs::read(&final_path).unwrap();
    let metrics = std::fs::metadata(out.join("metrics.csv")).unwrap().len();
    // A limit below a checkpoint's size but well above what the metrics grow to.
    let limit_blocks = before.len() as u64 / 2 / 512;
    assert!(
        metrics * 3 < limit_blocks * 512,
        "the test needs room for the metrics rows"
    );
    let script = format!(
        "trap '' XFSZ; ulimit -f {limit_blocks}; exec {} run --resume {} --ticks 40 --quiet --backend cpu --out {o}",
        bin.display(),
        final_path.display()
    );
    let cut = Command::new("sh").args(["-c", &script]).output().unwrap();
    assert!(!cut.status.success(), "the write should have failed");
    let err = String::from_utf8_lossy(&cut.stderr);
    assert!(
        err.contains("final.silico") && err.contains("too large"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(&final_path).unwrap(),
        before,
        "the old checkpoint is untouched"
    );
    assert!(
        !out.join("final.silico.tmp").exists(),
        "no cut temporary file is left"
    );
    let (_, state) = checkpoint::read(&final_path).unwrap();
    assert_eq!(state.tick(), 20);
    let again = dir.path().join("again");
    run(&[
        "run",
        "--resume",
        final_path.to_str().unwrap(),
        "--ticks",
        "40",
        "--quiet",
        "--backend",
        "cpu",
        "--out",
        again.to_str().unwrap(),
    ]);
    let whole = dir.path().join("whole");
    run(&[
        "run",
        "--config",
        c,
        "--ticks",
        "40",
        "--quiet",
        "--backend",
        "cpu",
        "--out",
        whole.to_str().unwrap(),
    ]);
    assert_eq!(hash(&again), hash(&whole));
}

/// The sections version 5 added: who cultivated each cell, the weather-only gain, who
/// programmed each bot.
const SINCE_V5: &[Section] = &[
    Section::CultivatorId,
    Section::ShadowGain,
    Section::BotProgrammer,
];

/// Checkpoints of format version 4 (before the cultivator lineages and the weather-only
/// gain) still load: nothing is remembered as cultivated or programmed, and each cell's
/// weather-only gain starts at its gain, so cultivation is measured from then on.
#[test]
fn version_4_checkpoints_load_with_cultivation_measured_afresh() {
    use silico::world::checkpoint;
    let cfg = common::tiny();
    let mut w = silico::cpu::CpuWorld::new(&cfg, silico::world::State::new(&cfg));
    for _ in 0..5 {
        w.tick();
    }
    let state = w.state.clone();
    let sections = state
        .sections()
        .into_iter()
        .filter(|(name, _)| !SINCE_V5.contains(name))
        .collect();
    let (_, loaded) =
        checkpoint::decode(&checkpoint::encode_sections(4, &cfg, sections), "v4.silico").unwrap();
    assert_eq!(loaded.agents, state.agents);
    assert_eq!(loaded.cells, state.cells);
    assert!(loaded.cultivator_id.iter().all(|c| *c == 0));
    assert!(loaded.bot_programmer.iter().all(|c| *c == 0));
    let gains: Vec<f32> = state.cells.iter().map(|c| c.energy_gain).collect();
    assert_eq!(loaded.shadow_gain, gains);
    // It runs on from there.
    let mut resumed = silico::cpu::CpuWorld::new(&cfg, loaded);
    resumed.tick();
}

/// Checkpoints of format version 3 (before saliency joined the measures) still load: their
/// measures keep what they held, and the saliency starts at zero. Other versions are refused.
#[test]
fn version_3_checkpoints_load_with_fresh_saliency() {
    use silico::world::checkpoint;
    let cfg = common::tiny();
    let mut state = silico::world::State::new(&cfg);
    state.measures.lineages_prev = 7.0;
    state.measures.genome_diversity = 0.5;
    // Version 3's measures were their first 16 bytes, and it had none of version 5's
    // sections.
    let v3 = |version: u32| {
        let sections = state
            .sections()
            .into_iter()
            .filter(|(name, _)| !SINCE_V5.contains(name))
            .map(|(name, bytes)| {
                (
                    name,
                    if name == Section::Measures {
                        &bytes[..16]
                    } else {
                        bytes
                    },
                )
            })
            .collect();
        checkpoint::encode_sections(version, &cfg, sections)
    };
    let (_, loaded) = checkpoint::decode(&v3(3), "old.silico").unwrap();
    assert_eq!(loaded.measures.lineages_prev, 7.0);
    assert_eq!(loaded.measures.genome_diversity, 0.5);
    assert_eq!(
        loaded.measures.saliency,
        [0.0; silico::world::SALIENCY_GROUPS]
    );
    assert_eq!(loaded.agents, state.agents);
    let err = checkpoint::decode(&v3(2), "older.silico")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("version 2") && err.contains("older.silico"),
        "{err}"
    );
}

/// An evolved world: agents whose living parent's genome, mutated by this world's draws for
/// their birth, gives theirs bit for bit are stored as references, so the checkpoint holds
/// a fraction of the genome bytes, and it loads to the same state and hash.
fn evolved(ticks: usize) -> (silico::config::Config, State) {
    let cfg = common::tiny();
    let mut w = silico::cpu::CpuWorld::new(&cfg, State::new(&cfg));
    for _ in 0..ticks {
        w.tick();
    }
    (cfg, w.state)
}

#[test]
fn children_of_parents_still_in_their_slots_are_stored_as_references_and_load_bit_exact() {
    let (cfg, state) = evolved(150);
    let refs = checkpoint::genome_refs(&cfg, &state);
    let with_parent = (0..state.agents.len())
        .filter(|&s| {
            let a = &state.agents[s];
            let p = a.parent_lo as usize;
            a.generation > 0
                && p != s
                && p < state.agents.len()
                && state.agents[p].lineage_hi == a.parent_hi
        })
        .count();
    assert!(
        with_parent > 10,
        "the world must breed for this test to mean anything"
    );
    assert_eq!(
        refs.len(),
        with_parent,
        "every child whose parent is still in its slot, living or dead, matches its birth"
    );
    let bytes = checkpoint::encode(&cfg, &state);
    let (_, back) = checkpoint::decode(&bytes, "mem").unwrap();
    assert_eq!(back.hash(), state.hash());
    assert_eq!(back, state);
    let plain = checkpoint::encode_sections(5, &cfg, state.sections());
    assert!(
        bytes.len() * 2 < plain.len(),
        "{} bytes against {} uncompressed",
        bytes.len(),
        plain.len()
    );
    // Version 5 (uncompressed, no references) still loads.
    let (_, old) = checkpoint::decode(&plain, "v5.silico").unwrap();
    assert_eq!(old.hash(), state.hash());
}

/// A child born under other mutation settings (before a fork changed them) does not match
/// its parent under the new ones: it is stored whole, and the world still loads exactly.
#[test]
fn children_born_under_other_settings_are_stored_whole() {
    let (mut cfg, state) = evolved(150);
    let before = checkpoint::genome_refs(&cfg, &state).len();
    cfg.mutation.sigma *= 2.0;
    assert_eq!(
        checkpoint::genome_refs(&cfg, &state).len(),
        0,
        "{before} matched before"
    );
    let (_, back) = checkpoint::decode(&checkpoint::encode(&cfg, &state), "mem").unwrap();
    assert_eq!(back.hash(), state.hash());
}

/// A reference to a slot whose parent is no longer in its slot is refused, not rebuilt
/// from garbage.
#[test]
fn a_reference_without_its_parent_is_refused() {
    let (cfg, state) = evolved(150);
    let orphan = (0..state.agents.len())
        .find(|&s| state.agents[s].alive != 0 && state.agents[s].generation == 0)
        .or_else(|| (0..state.agents.len()).find(|&s| state.agents[s].alive == 0))
        .expect("a founder or an empty slot") as u32;
    let bytes =
        checkpoint::encode_with_refs(checkpoint::VERSION, &cfg, state.sections(), &[orphan], &[]);
    let err = checkpoint::decode(&bytes, "r.silico").unwrap_err();
    assert!(
        matches!(err, CheckpointError::Corrupt { .. })
            && err
                .to_string()
                .contains("whose parent's slot holds another agent"),
        "{err}"
    );
}

/// Founders (initial agents, respawns) are stored as references to their birth's draws, and
/// children of a parent whose slot now holds another agent as the residual of their
/// genome from a sibling's: both load bit for bit, and a pairing of two agents that are
/// not siblings is refused.
#[test]
fn founders_and_siblings_of_a_gone_parent_are_stored_small_and_load_bit_exact() {
    // The initial agents are founders.
    let cfg = common::tiny();
    let fresh = State::new(&cfg);
    let founders = (0..fresh.agents.len())
        .filter(|&s| {
            let a = &fresh.agents[s];
            a.generation == 0 && a.parent_lo == NONE && a.parent_hi == NONE
        })
        .count();
    assert!(founders > 0);
    assert_eq!(
        checkpoint::founder_refs(&cfg, &fresh).len(),
        founders,
        "every founder's genome is its birth's draws"
    );
    let (_, back) = checkpoint::decode(&checkpoint::encode(&cfg, &fresh), "mem").unwrap();
    assert_eq!(back, fresh);
    let (cfg, state) = evolved(400);
    let taken: Vec<u32> = checkpoint::genome_refs(&cfg, &state)
        .into_iter()
        .chain(checkpoint::founder_refs(&cfg, &state))
        .collect();
    let siblings = checkpoint::sibling_refs(&cfg, &state, &taken);
    assert!(
        siblings.len() > 5,
        "the world must lose parents with several children for this test to mean anything"
    );
    let bytes = checkpoint::encode(&cfg, &state);
    let (_, back) = checkpoint::decode(&bytes, "mem").unwrap();
    assert_eq!(back.hash(), state.hash());
    assert_eq!(back, state);
    // Siblings shrink the checkpoint: without them (format 6) it is larger.
    let v6 = checkpoint::encode_with_refs(6, &cfg, state.sections(), &[], &[]);
    assert!(
        bytes.len() < v6.len(),
        "{} against {}",
        bytes.len(),
        v6.len()
    );
    // A checkpoint that pairs two agents of different parents is refused.
    let (slot, _) = siblings[0];
    let stranger = (0..state.agents.len() as u32)
        .find(|&o| {
            let (a, b) = (&state.agents[slot as usize], &state.agents[o as usize]);
            o != slot && (a.parent_lo, a.parent_hi) != (b.parent_lo, b.parent_hi)
        })
        .unwrap();
    let lie = checkpoint::encode_with_refs(
        checkpoint::VERSION,
        &cfg,
        state.sections(),
        &[],
        &[(slot, stranger)],
    );
    let err = checkpoint::decode(&lie, "s.silico").unwrap_err();
    assert!(
        err.to_string().contains("not children of one parent"),
        "{err}"
    );
}
