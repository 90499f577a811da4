//! Output folders: a run never silently replaces another run's files, and two processes
//! never write one folder at once.
//!
//! - A folder *holds a run* when it has a `summary.json`, a `metrics.csv` or checkpoints.
//!   A new run is refused there unless it continues that run (`--resume` from one of the
//!   folder's own checkpoints) or is told to `--overwrite`, which moves the old run aside to
//!   `<folder>.replaced-<UTC time>` rather than deleting anything.
//! - A writer holds `<folder>/.silico-lock` (its process id and host) while it writes. A
//!   second writer is refused; a lock whose process is gone (on this host) is taken over
//!   with a message.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

pub const LOCK_FILE: &str = ".silico-lock";

/// Write `lines` (a header and the rows a resumed run keeps) to `path` under a temporary
/// name, rename it into place, and open it for appending further rows: a cut file is never
/// left behind, and every error names the file.
pub fn rewrite_for_append(
    path: &Path,
    lines: impl IntoIterator<Item = String>,
) -> Result<fs::File> {
    let tmp = path.with_extension("csv.tmp");
    let mut file =
        fs::File::create(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
    let written = || -> std::io::Result<()> {
        for line in lines {
            writeln!(file, "{line}")?;
        }
        file.flush()
    };
    written().with_context(|| format!("cannot write {}", tmp.display()))?;
    fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    fs::OpenOptions::new()
        .append(true)
        .open(path)
        .with_context(|| format!("cannot open {}", path.display()))
}

/// What a folder holds of a run, in words ("a run to tick 600"), or None.
pub fn holds_run(dir: &Path) -> Option<String> {
    match super::Summary::read(dir) {
        super::SummaryState::Read(s) => return Some(format!("a run to tick {}", s.ticks)),
        super::SummaryState::Unreadable(_) => return Some("a run (summary.json)".to_string()),
        super::SummaryState::Missing => {}
    }
    if dir.join("metrics.csv").is_file() {
        return Some("a run's metrics.csv".to_string());
    }
    let checkpoints = fs::read_dir(dir.join("checkpoints"))
        .map(|d| d.filter_map(|e| e.ok()).count())
        .unwrap_or(0);
    (checkpoints > 0).then(|| format!("a run's {checkpoints} checkpoint(s)"))
}

/// Whether `path` lies inside `dir` (both as they are on disk).
pub fn is_inside(path: &Path, dir: &Path) -> bool {
    match (path.canonicalize(), dir.canonicalize()) {
        (Ok(p), Ok(d)) => p.starts_with(d),
        _ => false,
    }
}

/// A UTC time stamp for names, now: 20261202-083015.
pub fn stamp() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    utc_stamp(secs)
}

/// `YYYYMMDD-HHMMSS` in UTC for seconds since the Unix epoch.
pub fn utc_stamp(secs: u64) -> String {
    let (days, rest) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}{month:02}{day:02}-{:02}{:02}{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// Move `path` (a folder or a file) aside to `<path>.replaced-<time>` (or, for a file
/// `x.ext`, `x.replaced-<time>.ext`), never over anything; returns where it went.
pub fn move_aside(path: &Path) -> Result<PathBuf> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (stem, ext) = match (path.is_file(), name.rsplit_once('.')) {
        (true, Some((s, e))) if !s.is_empty() => (s.to_string(), format!(".{e}")),
        _ => (name.clone(), String::new()),
    };
    let base = format!("{stem}.replaced-{}", stamp());
    let mut to = path.with_file_name(format!("{base}{ext}"));
    let mut n = 1;
    while to.exists() {
        n += 1;
        to = path.with_file_name(format!("{base}-{n}{ext}"));
    }
    fs::rename(path, &to)
        .with_context(|| format!("cannot move {} aside to {}", path.display(), to.display()))?;
    Ok(to)
}

/// The lock a writer holds on its folder; dropping it removes the lock file.
#[derive(Debug)]
pub struct OutputLock {
    path: PathBuf,
}

impl Drop for OutputLock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

fn host() -> String {
    fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| fs::read_to_string("/etc/hostname"))
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| std::env::var("HOSTNAME").unwrap_or_default())
}

/// Whether process `pid` of `host` still runs, where that can be told (Linux, same host);
/// None where it cannot.
fn alive(pid: u32, on: &str) -> Option<bool> {
    if on != host() || !Path::new("/proc/self").exists() {
        return None;
    }
    if pid == std::process::id() {
        return Some(true);
    }
    Some(Path::new("/proc").join(pid.to_string()).exists())
}

/// Refuse `dir` while another silico process holds its lock (or one on another host that
/// cannot be checked); a stale or unreadable lock is not refused here.
fn refuse_if_held(dir: &Path) -> Result<()> {
    let path = dir.join(LOCK_FILE);
    let Ok(held) = fs::read_to_string(&path) else {
        return Ok(());
    };
    let mut words = held.split_whitespace();
    let pid: Option<u32> = words.next().and_then(|p| p.parse().ok());
    let on = words.next().unwrap_or("").to_string();
    match pid.map(|p| (p, alive(p, &on))) {
        Some((p, Some(true))) => bail!(
            "{} is being written by another silico (process {p}): wait for it to finish, or choose another --out",
            dir.display()
        ),
        Some((p, None)) => bail!(
            "{} is locked by silico process {p} on host '{on}', which cannot be checked from here: if it no longer runs, delete {} and try again",
            dir.display(),
            path.display()
        ),
        _ => Ok(()),
    }
}

/// The checkpoint a refused run would continue from: the newest periodic one, else
/// final.silico.
fn newest_checkpoint(dir: &Path) -> Option<PathBuf> {
    let mut periodic: Vec<PathBuf> = fs::read_dir(dir.join("checkpoints"))
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("tick-") && n.ends_with(".silico"))
        })
        .collect();
    // Tick numbers are zero-padded, so names sort by tick.
    periodic.sort();
    periodic
        .pop()
        .or_else(|| Some(dir.join("final.silico")).filter(|f| f.is_file()))
}

/// Take `dir`'s lock (creating the folder), or say who holds it.
pub fn lock(dir: &Path) -> Result<OutputLock> {
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let path = dir.join(LOCK_FILE);
    let mine = format!("{} {}\n", std::process::id(), host());
    for _ in 0..3 {
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut f) => {
                f.write_all(mine.as_bytes())
                    .with_context(|| format!("cannot write {}", path.display()))?;
                return Ok(OutputLock { path });
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                refuse_if_held(dir)?;
                let held = fs::read_to_string(&path).unwrap_or_default();
                let pid: Option<u32> = held.split_whitespace().next().and_then(|p| p.parse().ok());
                match pid {
                    Some(p) => eprintln!(
                        "silico: {} was locked by process {p}, which is gone; taking the lock over",
                        dir.display()
                    ),
                    None => eprintln!(
                        "silico: {} holds an unreadable lock file; taking it over",
                        dir.display()
                    ),
                }
                fs::remove_file(&path)
                    .with_context(|| format!("cannot remove the stale lock {}", path.display()))?;
            }
            Err(e) => {
                return Err(e).with_context(|| format!("cannot create {}", path.display()));
            }
        }
    }
    bail!(
        "cannot take the lock {}: other processes keep taking it",
        path.display()
    )
}

/// Before a run writes into `dir`: refuse when it holds another run, unless the run
/// continues from one of its own checkpoints (`resume` inside it) or `overwrite` allows the
/// old run to be moved aside (`lock_for_run` does that). Nothing is written here.
pub fn prepare_run_dir(dir: &Path, resume: Option<&Path>, overwrite: bool) -> Result<()> {
    // A folder another process is writing is refused as such, whatever it holds.
    refuse_if_held(dir)?;
    let Some(what) = holds_run(dir) else {
        return Ok(());
    };
    if overwrite || resume.is_some_and(|r| is_inside(r, dir)) {
        return Ok(());
    }
    let cont = match newest_checkpoint(dir) {
        Some(c) => format!("to continue it, --resume {}; ", c.display()),
        None => String::new(),
    };
    bail!(
        "{} already holds {what}: {cont}to keep it, choose another --out; to start afresh there, add --overwrite (the old run is moved to {}.replaced-<time>, not deleted)",
        dir.display(),
        dir.display()
    )
}

/// Take `dir` for a run: its lock first (so no other writer's folder is ever moved), then,
/// where it holds another run and `overwrite` allows it, that run is moved aside (said on
/// stderr) and the fresh folder locked.
pub fn lock_for_run(dir: &Path, resume: Option<&Path>, overwrite: bool) -> Result<OutputLock> {
    prepare_run_dir(dir, resume, overwrite)?;
    let held = lock(dir)?;
    let Some(what) = holds_run(dir) else {
        return Ok(held);
    };
    if resume.is_some_and(|r| is_inside(r, dir)) {
        return Ok(held);
    }
    let to = move_aside(dir)?;
    // The lock moved with the folder: it guards nothing there.
    let _ = fs::remove_file(to.join(LOCK_FILE));
    std::mem::forget(held);
    eprintln!(
        "silico: {} held {what}; moved it to {}",
        dir.display(),
        to.display()
    );
    lock(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Folders and files moved aside within one second get -2, -3, … after the time,
    /// never one another's name.
    #[test]
    fn moving_aside_in_one_second_numbers_the_names() {
        let tmp = tempfile::tempdir().unwrap();
        for (name, ext) in [("run", ""), ("a.csv", ".csv")] {
            let path = tmp.path().join(name);
            // A second may turn between the moves; then the names start again, so try
            // until three moves share one.
            let names = (0..5)
                .map(|_| {
                    (0..3)
                        .map(|_| {
                            if ext.is_empty() {
                                std::fs::create_dir(&path).unwrap();
                            } else {
                                std::fs::write(&path, "x").unwrap();
                            }
                            let to = move_aside(&path).unwrap();
                            to.file_name().unwrap().to_string_lossy().into_owned()
                        })
                        .collect::<Vec<_>>()
                })
                .find(|n| n[1].starts_with(n[0].trim_end_matches(ext)))
                .expect("three moves within one second");
            let base = names[0].trim_end_matches(ext);
            assert!(base.contains(".replaced-"), "{names:?}");
            assert_eq!(names[1], format!("{base}-2{ext}"), "{names:?}");
            assert_eq!(names[2], format!("{base}-3{ext}"), "{names:?}");
        }
    }

    #[test]
    fn a_stamp_is_a_date_and_a_time() {
        let s = stamp();
        assert_eq!(s.len(), 15, "{s}");
        assert_eq!(&s[8..9], "-");
        assert!(s[..8].chars().all(|c| c.is_ascii_digit()));
        assert!(s.starts_with("20"));
    }

    #[test]
    fn a_lock_refuses_a_second_writer_and_is_taken_over_when_stale() {
        let dir = tempfile::tempdir().unwrap();
        let first = lock(dir.path()).unwrap();
        let err = lock(dir.path()).unwrap_err().to_string();
        assert!(err.contains("another silico"), "{err}");
        drop(first);
        assert!(!dir.path().join(LOCK_FILE).exists());
        // A process id that cannot be running (above Linux's pid_max).
        fs::write(
            dir.path().join(LOCK_FILE),
            format!("4294967295 {}\n", host()),
        )
        .unwrap();
        let taken = lock(dir.path()).unwrap();
        drop(taken);
    }

    /// The hint names a checkpoint that exists, and a folder being written is refused as
    /// such even when it already holds a run.
    #[test]
    fn a_refusal_names_a_real_checkpoint_and_a_writer_before_a_run() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("run");
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("summary.json"), r#"{"ticks": 600}"#).unwrap();
        fs::write(dir.join("final.silico"), b"x").unwrap();
        let err = prepare_run_dir(&dir, None, false).unwrap_err().to_string();
        assert!(
            err.contains("--resume") && err.contains("final.silico"),
            "{err}"
        );
        assert!(!err.contains("tick-"), "{err}");
        fs::create_dir_all(dir.join("checkpoints")).unwrap();
        for t in ["tick-00000100.silico", "tick-00000500.silico"] {
            fs::write(dir.join("checkpoints").join(t), b"x").unwrap();
        }
        let err = prepare_run_dir(&dir, None, false).unwrap_err().to_string();
        assert!(err.contains("tick-00000500.silico"), "{err}");
        fs::remove_file(dir.join("final.silico")).unwrap();
        fs::remove_dir_all(dir.join("checkpoints")).unwrap();
        fs::remove_file(dir.join("summary.json")).unwrap();
        fs::write(dir.join("metrics.csv"), "tick\n").unwrap();
        let err = prepare_run_dir(&dir, None, false).unwrap_err().to_string();
        assert!(!err.contains("--resume"), "nothing to resume: {err}");
        let held = lock(&dir).unwrap();
        let err = prepare_run_dir(&dir, None, true).unwrap_err().to_string();
        assert!(err.contains("being written by another silico"), "{err}");
        drop(held);
    }

    #[test]
    fn a_folder_with_a_run_is_refused_unless_continued_or_overwritten() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("run");
        fs::create_dir_all(dir.join("checkpoints")).unwrap();
        fs::write(dir.join("summary.json"), r#"{"ticks": 600}"#).unwrap();
        fs::write(dir.join("checkpoints/tick-00000100.silico"), b"x").unwrap();
        let err = prepare_run_dir(&dir, None, false).unwrap_err().to_string();
        assert!(
            err.contains("a run to tick 600") && err.contains("--overwrite"),
            "{err}"
        );
        let elsewhere = root.path().join("other.silico");
        fs::write(&elsewhere, b"x").unwrap();
        assert!(prepare_run_dir(&dir, Some(&elsewhere), false).is_err());
        prepare_run_dir(
            &dir,
            Some(&dir.join("checkpoints/tick-00000100.silico")),
            false,
        )
        .unwrap();
        let held = lock_for_run(&dir, None, true).unwrap();
        assert!(holds_run(&dir).is_none(), "a fresh folder");
        assert!(dir.join(LOCK_FILE).exists());
        drop(held);
        assert!(!dir.join(LOCK_FILE).exists());
        let moved: Vec<_> = fs::read_dir(root.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with("run.replaced-"))
            .collect();
        assert_eq!(moved.len(), 1);
        assert!(moved[0].path().join("summary.json").is_file());
        assert!(!moved[0].path().join(LOCK_FILE).exists());
    }
}
