//! `silico experiment`: run an experiment's (variant, seed) pairs here, or write a Slurm
//! array script for them; and `silico collect`.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::batch::BackendChoice;

#[allow(clippy::too_many_arguments)]
pub fn experiment(
    file: &Path,
    out: Option<PathBuf>,
    jobs: usize,
    shard: Option<(usize, usize)>,
    emit_slurm: Option<PathBuf>,
    shards: Option<usize>,
    backend: BackendChoice,
    quiet: bool,
) -> Result<()> {
    use crate::science::experiment as ex;
    let exp = ex::Experiment::load(file)?;
    let pairs = exp.pairs();
    if let Some(dir) = emit_slurm {
        let n = shards.unwrap_or(pairs.len()).clamp(1, pairs.len());
        std::fs::create_dir_all(&dir)
            .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))?;
        let abs = |p: &std::path::Path| std::fs::canonicalize(p).unwrap_or(p.to_path_buf());
        let script = ex::slurm_script(&abs(file), &abs(&dir), n, &abs(&std::env::current_exe()?));
        let path = dir.join(format!("{}.sbatch", exp.name));
        std::fs::write(&path, script)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
        println!(
            "wrote {} ({} runs in {n} array tasks); submit with: sbatch {}",
            path.display(),
            pairs.len(),
            path.display()
        );
        return Ok(());
    }
    let out = out.ok_or_else(|| anyhow::anyhow!("--out DIR is required (where the runs go)"))?;
    let mine = match shard {
        Some((i, n)) => ex::shard(&pairs, i, n),
        None => pairs.clone(),
    };
    let started = std::time::Instant::now();
    let ran = ex::run(&exp, &out, &mine, jobs, backend, quiet)?;
    let collected = ex::collect(&out)?;
    eprintln!(
        "silico: {} of {} runs this invocation ({ran} run or resumed, {} already done) in {:.1}s; {collected} finished runs in {}/results.csv and summary.md",
        mine.len(),
        pairs.len(),
        mine.len() - ran,
        started.elapsed().as_secs_f64(),
        out.display()
    );
    Ok(())
}

/// `silico collect DIR`: gather an experiment's finished runs.
pub fn collect(dir: &Path) -> Result<()> {
    let n = crate::science::experiment::collect(dir)?;
    println!("{n} runs: {0}/results.csv, {0}/summary.md", dir.display());
    Ok(())
}
