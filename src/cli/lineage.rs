//! `silico lineage`: a run's longest-lived groups and most prolific ancestors.

use std::path::Path;

use anyhow::Result;

pub fn lineage(dir: &Path, top: usize, founders: bool) -> Result<()> {
    use std::io::Write;
    let path = if dir.is_dir() {
        dir.join("lineage.csv")
    } else {
        dir.to_path_buf()
    };
    let mut rows = crate::lineage::read(&path)?;
    // The groups the run's measures count: kin groups where its config has them (unless
    // founders are asked for).
    let grouping = crate::config::Config::load(&path.with_file_name("config.ron"))
        .ok()
        .filter(|_| !founders)
        .map(|c| crate::lineage::Grouping::of(&c))
        .unwrap_or_default();
    grouping.regroup(&mut rows);
    let (lineages, prolific) = crate::lineage::summarise(&rows);
    let by_id: std::collections::HashMap<u64, &crate::lineage::Individual> =
        rows.iter().map(|r| (r.id, r)).collect();
    // An id as "birth tick index/slot" ("init/slot" for the initial world).
    let show = |id: u64| {
        let (hi, lo) = (id >> 32, id & 0xffff_ffff);
        if hi == u64::from(u32::MAX) {
            format!("init/{lo}")
        } else {
            format!("{hi}/{lo}")
        }
    };
    // A kin group by its key (the measures' and the agents' colours'), a lineage by its
    // founder's id.
    let show_group = |g: u64| {
        // An initial founder's id has every high bit set, the kin bit among them.
        if !grouping.by_founder() && g & crate::lineage::KIN_GROUP != 0 {
            format!("kin {:08x}", g as u32)
        } else {
            show(g)
        }
    };
    let groups = grouping.name();
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{}: {} individuals in {} {groups} (ids: birth tick/slot)",
        path.display(),
        rows.len(),
        lineages.len()
    )?;
    writeln!(out, "\nlongest-lived {groups} (founder id or kin key; ticks from its founding to its last member's death or the end)")?;
    writeln!(
        out,
        "{:>22} {:>8} {:>8} {:>8} {:>8} {:>7} {:>7}",
        "group", "founded", "until", "ticks", "members", "max gen", "alive"
    )?;
    for l in lineages.iter().take(top) {
        writeln!(
            out,
            "{:>22} {:>8} {:>8} {:>8} {:>8} {:>7} {:>7}",
            show_group(l.lineage),
            l.first_birth,
            l.last_tick,
            l.last_tick - l.first_birth,
            l.members,
            l.max_generation,
            l.alive_at_end
        )?;
    }
    writeln!(
        out,
        "\nmost prolific ancestors (descendants over all generations)"
    )?;
    writeln!(
        out,
        "{:>22} {:>22} {:>5} {:>9} {:>11} {:>8} {:>8}",
        "id", "group", "gen", "children", "descendants", "born", "died"
    )?;
    for (id, d) in prolific.iter().take(top) {
        let r = by_id[id];
        writeln!(
            out,
            "{:>22} {:>22} {:>5} {:>9} {:>11} {:>8} {:>8}",
            show(r.id),
            show_group(r.lineage),
            r.generation,
            r.offspring,
            d,
            r.birth_tick,
            r.death_tick.map_or("alive".to_string(), |t| t.to_string())
        )?;
    }
    Ok(())
}
