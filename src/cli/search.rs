//! `silico search`: run every design of a search file and rank them on the targets.

use std::path::Path;

use anyhow::Result;

use crate::batch::BackendChoice;

pub fn search(
    file: &Path,
    out: &Path,
    jobs: usize,
    rank_only: bool,
    backend: BackendChoice,
    quiet: bool,
) -> Result<()> {
    let search = crate::science::search::Search::load(file)?;
    let started = std::time::Instant::now();
    let ran = if rank_only {
        0
    } else {
        search.run(out, jobs, backend, quiet)?
    };
    let scored = search.rank(out)?;
    for (rank, s) in scored.iter().enumerate() {
        let met = s.behaviours_met();
        println!(
            "{:>2}. {:<24} runs {}/{}  targets met {}/{}  behaviours met: {}",
            rank + 1,
            s.design.name,
            s.finished,
            s.expected,
            s.targets_met(),
            s.results.len(),
            if met.is_empty() {
                "none".into()
            } else {
                met.join(", ")
            }
        );
    }
    eprintln!(
        "silico: {ran} runs run or resumed in {:.1}s; ranking in {}/search.md and search.csv",
        started.elapsed().as_secs_f64(),
        out.display()
    );
    Ok(())
}
