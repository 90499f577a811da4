//! Checkpoint files: magic, format version, the resolved config (RON), every persistent
//! buffer, and a blake3 checksum of all that precedes it. Written to a temporary file and
//! renamed, so a crash never leaves a half-written checkpoint under the final name.

use std::io::Write;
use std::path::Path;

use super::State;
use crate::config::Config;
use crate::error::CheckpointError;

pub const MAGIC: &[u8; 8] = b"SILICO\0\x01";
pub const VERSION: u32 = 5;

/// Version 3 (before saliency) stored `measures` as its first 16 bytes; the rest of a
/// version-3 world's measures start at zero (its saliency is measured afresh).
const V3_MEASURES_BYTES: usize = 16;

/// Sections versions 3 and 4 did not have (the last ones of `State`). A world read from
/// them starts with no remembered cultivators or programmers and a weather-only gain equal
/// to each cell's gain, so cultivation is measured from its tick on.
const SINCE_V5: &[&str] = &["cultivator_id", "shadow_gain", "bot_programmer"];

pub fn encode(cfg: &Config, state: &State) -> Vec<u8> {
    encode_sections(VERSION, cfg, state.sections())
}

/// A checkpoint of format `version` holding these sections (tests write older formats).
pub fn encode_sections(version: u32, cfg: &Config, sections: Vec<(&str, &[u8])>) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&version.to_le_bytes());
    let ron = cfg.to_ron();
    out.extend_from_slice(&(ron.len() as u64).to_le_bytes());
    out.extend_from_slice(ron.as_bytes());
    out.extend_from_slice(&(sections.len() as u32).to_le_bytes());
    for (name, bytes) in sections {
        out.push(name.len() as u8);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        out.extend_from_slice(bytes);
    }
    let sum = blake3::hash(&out);
    out.extend_from_slice(sum.as_bytes());
    out
}

pub fn write(path: &Path, cfg: &Config, state: &State) -> std::io::Result<()> {
    let bytes = encode(cfg, state);
    let tmp = path.with_extension("silico.tmp");
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&bytes)?;
        f.sync_all()?;
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
    fn u64(&mut self, what: &str) -> Result<u64, CheckpointError> {
        let b = self.take(8, what)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }
}

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
    if version != VERSION && version != 3 && version != 4 {
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
    let mut r = Reader {
        bytes: body,
        at: 12,
        path,
    };
    let ron_len = r.u64("config length")? as usize;
    let ron =
        std::str::from_utf8(r.take(ron_len, "config")?).map_err(|_| CheckpointError::Corrupt {
            path: path.into(),
            detail: "config is not UTF-8".into(),
        })?;
    let cfg =
        super::config_from_ron(ron, &format!("{path} (stored config)")).map_err(|source| {
            CheckpointError::Config {
                path: path.into(),
                source,
            }
        })?;
    // A config that lies about the world's size must not make us allocate it.
    let needed = State::bytes_for(&cfg);
    let left = (body.len() - r.at) as u64;
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
    let expected: Vec<(&str, usize)> = state
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
    for (name, len) in &expected {
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
        let migrated = version == 3 && *name == "measures" && blen == V3_MEASURES_BYTES;
        if blen != *len && !migrated {
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
    Ok((cfg, state))
}

pub fn read(path: &Path) -> Result<(Config, State), CheckpointError> {
    let p = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| CheckpointError::Io {
        path: p.clone(),
        source,
    })?;
    decode(&bytes, &p)
}
