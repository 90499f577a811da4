//! Checkpoint files: magic, format version, the resolved config (RON) and every persistent
//! buffer, zstd-compressed from version 6 on (behind the uncompressed length), and a blake3
//! checksum of all that precedes it. Written to a temporary file and renamed, so a crash
//! never leaves a half-written checkpoint under the final name. Genomes that can be made
//! again are stored as references (`genome_refs.rs`): children of a parent still in its
//! slot from version 6, founders and the siblings of a gone parent from version 7.
//! Versions 3 to 5 (stored uncompressed) and 6 still load.

use std::io::Write;
use std::path::Path;

pub use super::genome_refs::{founder_refs, genome_refs, sibling_refs};
use super::genome_refs::{is_founder, recorded_parent, Mutation};
use super::{Section, State};
use crate::config::Config;
use crate::error::CheckpointError;

pub const MAGIC: &[u8; 8] = b"SILICO\0\x01";
pub const VERSION: u32 = 7;

/// zstd's level for checkpoints: the fastest standard level. The state is mostly zeros and
/// repeated floats, and a higher level bought little size for much time (docs/performance.md).
pub const ZSTD_LEVEL: i32 = 1;

/// The largest uncompressed payload a checkpoint may claim (a lying header must not make
/// the reader try to inflate more).
const MAX_PAYLOAD_BYTES: u64 = 1 << 40;

/// Version 3 (before saliency) stored `measures` as its first 16 bytes; the rest of a
/// version-3 world's measures start at zero (its saliency is measured afresh).
const V3_MEASURES_BYTES: usize = 16;

/// Sections versions 3 and 4 did not have (the last ones of `State`). A world read from
/// them starts with no remembered cultivators or programmers and a weather-only gain equal
/// to each cell's gain, so cultivation is measured from its tick on.
const SINCE_V5: &[Section] = &[
    Section::CultivatorId,
    Section::ShadowGain,
    Section::BotProgrammer,
];

pub fn encode(cfg: &Config, state: &State) -> Vec<u8> {
    let mut out = Vec::new();
    encode_into(&mut out, cfg, state).expect("writing to memory cannot fail");
    out
}

/// Write `state`'s checkpoint to `w` as it is encoded: the genomes, compressed and hashed
/// on the way, are never copied, so writing one costs little memory beside the state.
fn encode_into(w: impl Write, cfg: &Config, state: &State) -> std::io::Result<()> {
    let refs = genome_refs(cfg, state);
    let founders = founder_refs(cfg, state);
    let taken: Vec<u32> = refs.iter().chain(&founders).copied().collect();
    let siblings = sibling_refs(cfg, state, &taken);
    let mut replaced: Vec<(u32, Option<u32>)> = taken
        .iter()
        .map(|&s| (s, None))
        .chain(siblings.iter().map(|&(s, a)| (s, Some(a))))
        .collect();
    replaced.sort_unstable();
    let m = Mutation::of(cfg);
    let residual = |slot: u32, anchor: u32| -> Vec<u8> {
        let len = m.len;
        let mut predicted = vec![0.0f32; len];
        m.predicted_from_sibling(state, slot as usize, anchor as usize, &mut predicted);
        let genome = &state.genomes[slot as usize * len..(slot as usize + 1) * len];
        genome
            .iter()
            .zip(&predicted)
            .flat_map(|(g, p)| (g.to_bits() ^ p.to_bits()).to_le_bytes())
            .collect()
    };
    let slot_bytes = 4 * super::Dims::new(cfg).genome_len;
    let sections = state
        .sections()
        .into_iter()
        .map(|(section, bytes)| {
            let genomes = section == Section::Genomes;
            Stored {
                name: section.name(),
                bytes,
                slot_bytes,
                replaced: if genomes { &replaced[..] } else { &[] },
                residual: Some(&residual),
            }
        })
        .collect();
    write_checkpoint(w, VERSION, cfg, sections, &refs, &founders, &siblings)
}

/// A checkpoint of format `version` holding these sections (tests write older formats):
/// from version 6 the payload (config, sections, genome references) is zstd-compressed.
pub fn encode_sections(version: u32, cfg: &Config, sections: Vec<(Section, &[u8])>) -> Vec<u8> {
    encode_with_refs(version, cfg, sections, &[], &[])
}

/// A checkpoint of format `version` whose `refs` slots are rebuilt from their parents and
/// whose `siblings` (slot, anchor) pairs from their anchors on reading, the sections stored
/// as given (`encode` finds the references and writes the residuals; tests craft bad ones).
pub fn encode_with_refs(
    version: u32,
    cfg: &Config,
    sections: Vec<(Section, &[u8])>,
    refs: &[u32],
    siblings: &[(u32, u32)],
) -> Vec<u8> {
    let sections = sections
        .into_iter()
        .map(|(section, bytes)| Stored {
            name: section.name(),
            bytes,
            slot_bytes: 0,
            replaced: &[],
            residual: None,
        })
        .collect();
    let mut out = Vec::new();
    write_checkpoint(&mut out, version, cfg, sections, refs, &[], siblings)
        .expect("writing to memory cannot fail");
    out
}

/// A buffer as a checkpoint stores it: its bytes, but for the slots in `replaced`
/// (`slot_bytes` each), whose genomes are made again on reading.
struct Stored<'a> {
    name: &'static str,
    bytes: &'a [u8],
    slot_bytes: usize,
    /// Slots stored otherwise than as their bytes, in ascending order: zeros (`None`,
    /// rebuilt on reading) or the residual from a sibling (`Some(anchor)`, by `residual`).
    replaced: &'a [(u32, Option<u32>)],
    residual: Option<&'a dyn Fn(u32, u32) -> Vec<u8>>,
}

impl Stored<'_> {
    fn stored_bytes(&self) -> u64 {
        (1 + self.name.len() + 8 + self.bytes.len()) as u64
    }

    fn write_to(&self, w: &mut dyn Write) -> std::io::Result<()> {
        w.write_all(&[self.name.len() as u8])?;
        w.write_all(self.name.as_bytes())?;
        w.write_all(&(self.bytes.len() as u64).to_le_bytes())?;
        let zeros = vec![
            0u8;
            if self.replaced.is_empty() {
                0
            } else {
                self.slot_bytes
            }
        ];
        let mut at = 0;
        for &(slot, anchor) in self.replaced {
            let start = slot as usize * self.slot_bytes;
            w.write_all(&self.bytes[at..start])?;
            match (anchor, self.residual) {
                (Some(anchor), Some(residual)) => w.write_all(&residual(slot, anchor))?,
                _ => w.write_all(&zeros)?,
            }
            at = start + self.slot_bytes;
        }
        w.write_all(&self.bytes[at..])
    }
}

/// A writer that hashes what passes through it (the checkpoint's checksum covers every
/// byte before it).
struct Hashing<W> {
    inner: W,
    hasher: blake3::Hasher,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Magic, version, then the payload (config, sections, references; behind its length and
/// compressed from version 6), then the checksum: streamed, so the payload is never
/// assembled in memory.
fn write_checkpoint(
    w: impl Write,
    version: u32,
    cfg: &Config,
    sections: Vec<Stored>,
    refs: &[u32],
    founders: &[u32],
    siblings: &[(u32, u32)],
) -> std::io::Result<()> {
    let ron = cfg.to_ron();
    let refs_bytes = if version >= 6 {
        4 + 4 * refs.len() as u64
    } else {
        0
    } + if version >= 7 {
        4 + 4 * founders.len() as u64 + 4 + 8 * siblings.len() as u64
    } else {
        0
    };
    let payload_bytes = 8
        + ron.len() as u64
        + 4
        + sections.iter().map(Stored::stored_bytes).sum::<u64>()
        + refs_bytes;
    let payload = |w: &mut dyn Write| -> std::io::Result<()> {
        w.write_all(&(ron.len() as u64).to_le_bytes())?;
        w.write_all(ron.as_bytes())?;
        w.write_all(&(sections.len() as u32).to_le_bytes())?;
        for section in &sections {
            section.write_to(w)?;
        }
        if version >= 6 {
            w.write_all(&(refs.len() as u32).to_le_bytes())?;
            for slot in refs {
                w.write_all(&slot.to_le_bytes())?;
            }
        }
        if version >= 7 {
            w.write_all(&(founders.len() as u32).to_le_bytes())?;
            for slot in founders {
                w.write_all(&slot.to_le_bytes())?;
            }
            w.write_all(&(siblings.len() as u32).to_le_bytes())?;
            for (slot, anchor) in siblings {
                w.write_all(&slot.to_le_bytes())?;
                w.write_all(&anchor.to_le_bytes())?;
            }
        }
        Ok(())
    };
    let mut out = Hashing {
        inner: w,
        hasher: blake3::Hasher::new(),
    };
    out.write_all(MAGIC)?;
    out.write_all(&version.to_le_bytes())?;
    if version >= 6 {
        out.write_all(&payload_bytes.to_le_bytes())?;
        let mut packed = zstd::stream::write::Encoder::new(&mut out, ZSTD_LEVEL)?;
        packed.set_pledged_src_size(Some(payload_bytes))?;
        payload(&mut packed)?;
        packed.finish()?;
    } else {
        payload(&mut out)?;
    }
    let sum = out.hasher.finalize();
    out.inner.write_all(sum.as_bytes())?;
    out.inner.flush()
}

/// Written to a temporary file beside `path` and renamed into place.
pub fn write(path: &Path, cfg: &Config, state: &State) -> std::io::Result<()> {
    let tmp = path.with_extension("silico.tmp");
    let written = (|| {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        encode_into(&mut f, cfg, state)?;
        f.into_inner().map_err(|e| e.into_error())?.sync_all()
    })();
    if let Err(e) = written {
        // A full disk or a size limit: the checkpoint under the final name is untouched,
        // and the cut temporary file goes.
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    std::fs::rename(&tmp, path)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    path: &'a str,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], CheckpointError> {
        if self.bytes.len() - self.at < n {
            return Err(CheckpointError::Corrupt {
                path: self.path.into(),
                detail: format!("ends inside {what} at byte {}", self.at),
            });
        }
        let s = &self.bytes[self.at..self.at + n];
        self.at += n;
        Ok(s)
    }
    fn u32(&mut self, what: &str) -> Result<u32, CheckpointError> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    /// The length of a list of references to agent slots, at most `slots`.
    fn count(&mut self, what: &str, slots: usize) -> Result<usize, CheckpointError> {
        let count = self.u32(&format!("{what} count"))? as usize;
        if count > slots {
            return Err(CheckpointError::Corrupt {
                path: self.path.into(),
                detail: format!("{count} {what}s for {slots} agent slots"),
            });
        }
        Ok(count)
    }
    fn u64(&mut self, what: &str) -> Result<u64, CheckpointError> {
        let b = self.take(8, what)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }
}

/// A checkpoint's config and state. Long because every field is checked as it is read
/// (magic, version, checksum, lengths, each section's name and size, the genome
/// references), each failure with its own message, and the older formats migrated.
pub fn decode(bytes: &[u8], path: &str) -> Result<(Config, State), CheckpointError> {
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        return Err(CheckpointError::Foreign { path: path.into() });
    }
    if bytes.len() < MAGIC.len() + 4 + 32 {
        return Err(CheckpointError::Corrupt {
            path: path.into(),
            detail: "too short".into(),
        });
    }
    let version = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
    if !(3..=VERSION).contains(&version) {
        return Err(CheckpointError::Version {
            path: path.into(),
            found: version,
            expected: VERSION,
        });
    }
    let (body, sum) = bytes.split_at(bytes.len() - 32);
    if blake3::hash(body).as_bytes() != sum {
        return Err(CheckpointError::Corrupt {
            path: path.into(),
            detail: "checksum mismatch".into(),
        });
    }
    let corrupt = |detail: String| CheckpointError::Corrupt {
        path: path.into(),
        detail,
    };
    let inflated;
    let payload: &[u8] = if version >= 6 {
        if body.len() < 20 {
            return Err(corrupt("ends inside the payload length".into()));
        }
        let raw_len = u64::from_le_bytes(body[12..20].try_into().expect("8 bytes"));
        if raw_len > MAX_PAYLOAD_BYTES {
            return Err(corrupt(format!(
                "claims {raw_len} bytes of state, over the {MAX_PAYLOAD_BYTES}-byte limit"
            )));
        }
        let mut out = Vec::new();
        let mut decoder = zstd::stream::read::Decoder::new(&body[20..])
            .map_err(|e| corrupt(format!("cannot start decompressing: {e}")))?;
        std::io::Read::read_to_end(
            &mut std::io::Read::take(&mut decoder, raw_len + 1),
            &mut out,
        )
        .map_err(|e| corrupt(format!("its compressed state does not decompress: {e}")))?;
        if out.len() as u64 != raw_len {
            return Err(corrupt(format!(
                "decompresses to {} bytes, its header says {raw_len}",
                out.len()
            )));
        }
        inflated = out;
        &inflated
    } else {
        &body[12..]
    };
    let mut r = Reader {
        bytes: payload,
        at: 0,
        path,
    };
    let ron_len = r.u64("config length")? as usize;
    let ron =
        std::str::from_utf8(r.take(ron_len, "config")?).map_err(|_| CheckpointError::Corrupt {
            path: path.into(),
            detail: "config is not UTF-8".into(),
        })?;
    let cfg = super::config_from_ron(ron, &format!("{path} (stored config)")).map_err(|cause| {
        CheckpointError::Config {
            path: path.into(),
            cause,
        }
    })?;
    // A config that lies about the world's size must not make us allocate it.
    let needed = State::bytes_for(&cfg);
    let left = (payload.len() - r.at) as u64;
    if needed > left && version >= 5 {
        return Err(CheckpointError::Corrupt {
            path: path.into(),
            detail: format!(
                "its config needs {needed} bytes of state, and only {left} bytes follow it"
            ),
        });
    }
    let mut state = State::zeroed(&cfg);
    let count = r.u32("section count")?;
    let expected: Vec<(Section, usize)> = state
        .sections()
        .iter()
        .map(|(n, b)| (*n, b.len()))
        .filter(|(n, _)| version >= 5 || !SINCE_V5.contains(n))
        .collect();
    if count as usize != expected.len() {
        return Err(CheckpointError::Corrupt {
            path: path.into(),
            detail: format!("{count} sections, expected {}", expected.len()),
        });
    }
    let mut data = Vec::new();
    for &(section, len) in &expected {
        let name = section.name();
        let nlen = r.take(1, "section name length")?[0] as usize;
        let got = r.take(nlen, "section name")?;
        if got != name.as_bytes() {
            return Err(CheckpointError::Corrupt {
                path: path.into(),
                detail: format!(
                    "section '{}' where '{name}' was expected",
                    String::from_utf8_lossy(got)
                ),
            });
        }
        let blen = r.u64("section length")? as usize;
        let migrated = version == 3 && section == Section::Measures && blen == V3_MEASURES_BYTES;
        if blen != len && !migrated {
            return Err(CheckpointError::Corrupt {
                path: path.into(),
                detail: format!("section '{name}' has {blen} bytes, its config needs {len}"),
            });
        }
        data.push(r.take(blen, name)?);
    }
    for ((_, dst), src) in state
        .sections_mut()
        .into_iter()
        .filter(|(n, _)| version >= 5 || !SINCE_V5.contains(n))
        .zip(data)
    {
        dst[..src.len()].copy_from_slice(src);
    }
    if version < 5 {
        state.shadow_gain = state.cells.iter().map(|c| c.energy_gain).collect();
    }
    if version >= 6 {
        let count = r.count("genome reference", state.agents.len())?;
        let mut refs = Vec::with_capacity(count);
        for _ in 0..count {
            let slot = r.u32("genome reference")? as usize;
            if slot >= state.agents.len() || recorded_parent(&state, slot).is_none() {
                return Err(corrupt(format!(
                    "its genome reference names slot {slot}, whose parent's slot holds another agent"
                )));
            }
            refs.push(slot);
        }
        // Parents before their children: a parent was born before any child of its.
        refs.sort_by_key(|&s| (state.agents[s].lineage_hi, s));
        let m = Mutation::of(&cfg);
        let len = m.len;
        if version >= 7 {
            // Founders first: children above may have one as their parent.
            let count = r.count("founder reference", state.agents.len())?;
            let mut drawn = vec![0.0f32; len];
            for _ in 0..count {
                let slot = r.u32("founder reference")? as usize;
                if slot >= state.agents.len() || !is_founder(&state, slot) {
                    return Err(corrupt(format!(
                        "its founder reference names slot {slot}, which holds no founder"
                    )));
                }
                m.founder(&state, slot, &mut drawn);
                state.genomes[slot * len..(slot + 1) * len].copy_from_slice(&drawn);
            }
            // Then siblings, from their anchors (stored as floats), before the children
            // above that may have one as their parent.
            let count = r.count("sibling reference", state.agents.len())?;
            let mut siblings = Vec::with_capacity(count);
            for _ in 0..count {
                let slot = r.u32("sibling reference")? as usize;
                let anchor = r.u32("sibling anchor")? as usize;
                let n = state.agents.len();
                let same_parent = slot < n && anchor < n && slot != anchor && {
                    let (a, b) = (&state.agents[slot], &state.agents[anchor]);
                    a.generation > 0 && (a.parent_lo, a.parent_hi) == (b.parent_lo, b.parent_hi)
                };
                if !same_parent {
                    return Err(corrupt(format!(
                        "its sibling reference pairs slots {slot} and {anchor}, which are not children of one parent"
                    )));
                }
                siblings.push((slot, anchor));
            }
            for (slot, anchor) in siblings {
                m.predicted_from_sibling(&state, slot, anchor, &mut drawn);
                for (g, p) in state.genomes[slot * len..(slot + 1) * len]
                    .iter_mut()
                    .zip(&drawn)
                {
                    *g = f32::from_bits(g.to_bits() ^ p.to_bits());
                }
            }
        }
        let mut child = vec![0.0f32; len];
        for slot in refs {
            let parent = recorded_parent(&state, slot).expect("checked above");
            m.child(&state, slot, parent, &mut child);
            state.genomes[slot * len..(slot + 1) * len].copy_from_slice(&child);
        }
    }
    if version >= 6 && r.at != payload.len() {
        return Err(corrupt(format!(
            "{} bytes follow its last section",
            payload.len() - r.at
        )));
    }
    Ok((cfg, state))
}

pub fn read(path: &Path) -> Result<(Config, State), CheckpointError> {
    let p = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|cause| CheckpointError::Io {
        path: p.clone(),
        cause,
    })?;
    decode(&bytes, &p)
}
