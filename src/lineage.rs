//! DIR/lineage.csv: one row per individual that lived in a run, written when it dies (and,
//! for those alive at the end, when the run ends), built on the host from the births and
//! deaths the GPU appends and the metrics readback brings back. `silico lineage DIR`
//! summarises the file.
//!
//! Columns: `id` (the individual: birth tick << 32 | slot), `parent_id` (empty for a
//! founder), `lineage` (the founder's id), `birth_tick` and `death_tick` (ticks completed,
//! as metrics.csv's `tick`; founders of the initial world are born at 0; empty while
//! alive), `generation`, `cause` (`starved`, `hit`, or `alive` at the end of the run),
//! `offspring` (children born).

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::Path;

use anyhow::{bail, Context, Result};

use crate::world::{Agent, LifeEvent, CAUSE_HIT, EVENT_BIRTH, EVENT_DEATH, INIT_TICK, NONE};

pub const HEADER: &str = "id,parent_id,lineage,birth_tick,death_tick,generation,cause,offspring";

/// One row of a lineage.csv (`HEADER`).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Individual {
    pub id: u64,
    #[serde(rename = "parent_id")]
    pub parent: Option<u64>,
    pub lineage: u64,
    pub birth_tick: u64,
    pub death_tick: Option<u64>,
    pub generation: u32,
    pub cause: String,
    pub offspring: u32,
}

pub fn id64(pair: [u32; 2]) -> u64 {
    (u64::from(pair[1]) << 32) | u64::from(pair[0])
}

/// Marks a group id that holds a kin group's key (`layout::kin_key`) rather than a
/// founder's id.
pub const KIN_GROUP: u64 = 1 << 63;

/// How agents are grouped into lineages, as the lineage measures group them
/// (`measures.kin_generations`, `measures.kin_ticks`; both 0: founders' lineages). Muller
/// plots, `silico lineage` and the app follow the same groups as the measures and the
/// agents' colours.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Grouping {
    pub kin_generations: u32,
    pub kin_ticks: u32,
}

fn halves(id: u64) -> (u32, u32) {
    (id as u32, (id >> 32) as u32)
}

impl Grouping {
    pub fn of(cfg: &crate::config::Config) -> Self {
        Self {
            kin_generations: cfg.measures.kin_generations,
            kin_ticks: cfg.measures.kin_ticks,
        }
    }

    pub fn by_founder(self) -> bool {
        self.kin_generations == 0 && self.kin_ticks == 0
    }

    /// What the groups are called in titles and legends.
    pub fn name(self) -> &'static str {
        if self.by_founder() {
            "lineages"
        } else {
            "kin groups"
        }
    }

    /// The group a newcomer without a known parent roots (a founder).
    pub fn root(self, id: u64) -> u64 {
        if self.by_founder() {
            id
        } else {
            let (lo, hi) = halves(id);
            KIN_GROUP | u64::from(crate::world::lineage_key(lo, hi))
        }
    }

    /// The group of a living agent (its kin key, or its founder).
    pub fn of_agent(self, a: &Agent) -> u64 {
        if self.by_founder() {
            id64(a.founder)
        } else {
            KIN_GROUP | u64::from(crate::world::kin_key(a))
        }
    }

    /// The group of a child of `parent` (in group `parent_group`), as births_spawn keys it.
    pub fn child(self, parent_group: u64, parent: u64, child: u64, generation: u32) -> u64 {
        let (c_lo, c_hi) = halves(child);
        let (p_lo, p_hi) = halves(parent);
        if self.kin_generations != 0 && generation.is_multiple_of(self.kin_generations) {
            return KIN_GROUP | u64::from(crate::world::lineage_key(c_lo, c_hi));
        }
        if self.kin_ticks != 0 && p_hi / self.kin_ticks < c_hi / self.kin_ticks {
            let epoch = c_hi / self.kin_ticks;
            return KIN_GROUP | u64::from(crate::world::epoch_kin_key_of(p_lo, p_hi, epoch));
        }
        parent_group
    }

    /// Rows of a lineage.csv regrouped: each row's `lineage` becomes its group, parents
    /// before children (by birth tick). Without kin groups the rows are left as they are.
    pub fn regroup(self, rows: &mut [Individual]) {
        if self.by_founder() {
            return;
        }
        let mut order: Vec<usize> = (0..rows.len()).collect();
        // The id's high half is the clock tick of birth (all ones for the initial world,
        // which comes first).
        order.sort_by_key(|&k| {
            let hi = rows[k].id >> 32;
            (hi != u64::from(INIT_TICK), hi, rows[k].id)
        });
        let mut group: HashMap<u64, u64> = HashMap::with_capacity(rows.len());
        for k in order {
            let r = &rows[k];
            let g = match r.parent.and_then(|p| group.get(&p).map(|g| (p, *g))) {
                Some((p, pg)) => self.child(pg, p, r.id, r.generation),
                None => self.root(r.id),
            };
            group.insert(r.id, g);
            rows[k].lineage = g;
        }
    }
}

/// Ticks completed when something happened during tick index `tick` (0 for the initial
/// world).
pub fn completed(tick: u32) -> u64 {
    if tick == INIT_TICK {
        0
    } else {
        u64::from(tick) + 1
    }
}

/// Put a batch of births and deaths in the order they happened. The GPU appends them with
/// atomics: tick order, deaths of a tick first (they free the slots its children are born
/// into), then by id.
pub fn in_order(events: &mut [LifeEvent]) {
    events.sort_by_key(|e| (e.tick, e.kind == EVENT_BIRTH, id64(e.id)));
}

impl Individual {
    /// A living agent as an individual (alive: no death tick, no offspring counted).
    pub fn of_agent(a: &Agent) -> Self {
        Individual {
            id: id64([a.lineage_lo, a.lineage_hi]),
            parent: (a.parent_lo != NONE || a.parent_hi != NONE)
                .then(|| id64([a.parent_lo, a.parent_hi])),
            lineage: id64(a.founder),
            birth_tick: completed(a.lineage_hi),
            death_tick: None,
            generation: a.generation,
            cause: String::new(),
            offspring: 0,
        }
    }
}

/// Every row of a lineage.csv.
pub fn read(path: &Path) -> Result<Vec<Individual>> {
    let mut reader = lineage_reader(path)?;
    reader
        .deserialize()
        .map(|row| row.with_context(|| format!("cannot read {}", path.display())))
        .collect()
}

/// A reader of a lineage.csv whose header is `HEADER`.
fn lineage_reader(path: &Path) -> Result<csv::Reader<fs::File>> {
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("cannot read {}", path.display()))?;
    let header = reader
        .headers()
        .map(|h| h.iter().collect::<Vec<_>>().join(","));
    if header.ok().as_deref() != Some(HEADER) {
        bail!(
            "{} is not a lineage.csv (its first line is not '{HEADER}')",
            path.display()
        );
    }
    Ok(reader)
}

/// An individual as one line of a lineage.csv.
fn row(ind: &Individual) -> String {
    let mut out = csv::WriterBuilder::new()
        .has_headers(false)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    out.serialize(ind).expect("writing to memory cannot fail");
    let mut line = String::from_utf8(out.into_inner().expect("in memory")).expect("UTF-8");
    line.pop();
    line
}

/// The open lineage.csv of a run and everyone alive.
pub struct LineageCsv {
    file: fs::File,
    path: std::path::PathBuf,
    alive: HashMap<u64, Individual>,
    /// Events that did not fit the GPU's buffer: their individuals are missing or partial.
    pub lost: u64,
}

impl LineageCsv {
    /// Start the file from the world a run starts with. Resuming keeps the rows of those
    /// who died up to the checkpoint's tick (the rest are written again as the run goes on)
    /// and recounts the offspring of the living from them.
    pub fn open(path: &Path, agents: &[Agent], tick: u64, resumed: bool) -> Result<Self> {
        // A run killed mid-write can leave a cut last line: keep the whole rows before it.
        let kept: Vec<Individual> = match (resumed, lineage_reader(path)) {
            (true, Ok(mut reader)) => reader
                .deserialize::<Individual>()
                .map_while(Result::ok)
                .filter(|r| r.death_tick.is_some_and(|d| d <= tick))
                .collect(),
            _ => Vec::new(),
        };
        let mut alive: HashMap<u64, Individual> = agents
            .iter()
            .filter(|a| a.alive != 0)
            .map(|a| {
                let ind = Individual::of_agent(a);
                (ind.id, ind)
            })
            .collect();
        let parents: Vec<u64> = kept
            .iter()
            .filter_map(|r| r.parent)
            .chain(alive.values().filter_map(|r| r.parent))
            .collect();
        for p in parents {
            if let Some(parent) = alive.get_mut(&p) {
                parent.offspring += 1;
            }
        }
        let file = crate::runs::outdir::rewrite_for_append(
            path,
            std::iter::once(HEADER.to_string()).chain(kept.iter().map(row)),
        )?;
        Ok(Self {
            file,
            path: path.to_path_buf(),
            alive,
            lost: 0,
        })
    }

    /// Take in births and deaths (any order within the batch); writes a row per death.
    pub fn record(&mut self, mut events: Vec<LifeEvent>, lost: u64) -> Result<()> {
        self.lost += lost;
        in_order(&mut events);
        for e in events {
            let id = id64(e.id);
            match e.kind {
                EVENT_BIRTH => {
                    let parent = (e.parent != [NONE, NONE]).then(|| id64(e.parent));
                    let lineage = match parent.and_then(|p| self.alive.get_mut(&p)) {
                        Some(p) => {
                            p.offspring += 1;
                            p.lineage
                        }
                        // A respawned founder (or a parent lost to a full buffer).
                        None => id,
                    };
                    self.alive.insert(
                        id,
                        Individual {
                            id,
                            parent,
                            lineage,
                            birth_tick: completed(e.tick),
                            death_tick: None,
                            generation: e.generation,
                            cause: String::new(),
                            offspring: 0,
                        },
                    );
                }
                EVENT_DEATH => {
                    let mut ind = self.alive.remove(&id).unwrap_or(Individual {
                        id,
                        parent: None,
                        lineage: id,
                        birth_tick: completed(e.id[1]),
                        death_tick: None,
                        generation: e.generation,
                        cause: String::new(),
                        offspring: 0,
                    });
                    ind.death_tick = Some(completed(e.tick));
                    ind.cause = if e.cause == CAUSE_HIT {
                        "hit"
                    } else {
                        "starved"
                    }
                    .into();
                    writeln!(self.file, "{}", row(&ind))
                        .with_context(|| format!("cannot write {}", self.path.display()))?;
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The rows of those still alive (cause `alive`), in id order; the file is complete.
    pub fn finish(&mut self) -> Result<()> {
        let mut rest: Vec<&Individual> = self.alive.values().collect();
        rest.sort_by_key(|r| r.id);
        for r in rest {
            let mut r = r.clone();
            r.cause = "alive".into();
            writeln!(self.file, "{}", row(&r))
                .with_context(|| format!("cannot write {}", self.path.display()))?;
        }
        self.file
            .flush()
            .with_context(|| format!("cannot write {}", self.path.display()))?;
        Ok(())
    }
}

/// One lineage's summary for `silico lineage`.
#[derive(Clone, Debug, PartialEq)]
pub struct LineageSummary {
    pub lineage: u64,
    pub members: u64,
    pub first_birth: u64,
    /// Last death, or the run's last tick while members live.
    pub last_tick: u64,
    pub alive_at_end: u64,
    pub max_generation: u32,
}

/// Lineages by how long they lasted (longest first), and individuals by how many
/// descendants they had (most first): (id, descendants).
pub fn summarise(rows: &[Individual]) -> (Vec<LineageSummary>, Vec<(u64, u64)>) {
    let end = rows
        .iter()
        .map(|r| r.death_tick.unwrap_or(r.birth_tick))
        .max()
        .unwrap_or(0);
    let mut lineages: HashMap<u64, LineageSummary> = HashMap::new();
    for r in rows {
        let l = lineages.entry(r.lineage).or_insert(LineageSummary {
            lineage: r.lineage,
            members: 0,
            first_birth: r.birth_tick,
            last_tick: 0,
            alive_at_end: 0,
            max_generation: 0,
        });
        l.members += 1;
        l.first_birth = l.first_birth.min(r.birth_tick);
        l.last_tick = l.last_tick.max(r.death_tick.unwrap_or(end));
        l.alive_at_end += u64::from(r.death_tick.is_none());
        l.max_generation = l.max_generation.max(r.generation);
    }
    let mut by_span: Vec<LineageSummary> = lineages.into_values().collect();
    by_span.sort_by_key(|l| {
        (
            std::cmp::Reverse(l.last_tick - l.first_birth),
            std::cmp::Reverse(l.members),
            l.lineage,
        )
    });
    // Descendants: children first, so visit in decreasing birth order.
    let mut children: HashMap<u64, Vec<u64>> = HashMap::new();
    for r in rows {
        if let Some(p) = r.parent {
            children.entry(p).or_default().push(r.id);
        }
    }
    let mut order: Vec<&Individual> = rows.iter().collect();
    order.sort_by_key(|r| std::cmp::Reverse((r.birth_tick, r.id)));
    let mut descendants: HashMap<u64, u64> = HashMap::new();
    for r in order {
        let d: u64 = children.get(&r.id).map_or(0, |c| {
            c.iter()
                .map(|k| 1 + descendants.get(k).copied().unwrap_or(0))
                .sum()
        });
        descendants.insert(r.id, d);
    }
    let mut prolific: Vec<(u64, u64)> = descendants.into_iter().filter(|(_, d)| *d > 0).collect();
    prolific.sort_by_key(|(id, d)| (std::cmp::Reverse(*d), *id));
    (by_span, prolific)
}
