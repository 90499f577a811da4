//! Who descends from whom, as the app watches: the births and deaths the world reports
//! (the same events lineage.csv is written from), so that the inspector can show an
//! agent's ancestry and the chart panel a live Muller plot of the lineages.

use std::collections::HashMap;

use crate::lineage::{completed, id64, Grouping, Individual};
use crate::science::muller::Muller;
use crate::world::{Agent, LifeEvent, EVENT_BIRTH, EVENT_DEATH, NONE};

/// What is known of one individual.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Member {
    pub parent: Option<u64>,
    pub lineage: u64,
    pub generation: u32,
    pub birth_tick: u64,
}

/// The world's groups as its measures count them, and, when those are kin groups, the
/// founders' lineages beside them, so that the Muller plot can show either: a kin group
/// can take over inside a founder's lineage, and a founder's line can hold many groups.
pub struct Families {
    pub groups: Family,
    pub founders: Option<Family>,
}

impl Families {
    pub fn from_agents(agents: &[Agent], grouping: Grouping) -> Self {
        Self {
            groups: Family::from_agents(agents, grouping),
            founders: (!grouping.by_founder())
                .then(|| Family::from_agents(agents, Grouping::default())),
        }
    }

    fn each(&mut self) -> impl Iterator<Item = &mut Family> {
        std::iter::once(&mut self.groups).chain(self.founders.as_mut())
    }

    /// `Family::add_history` for each.
    pub fn add_history(&mut self, rows: &[Individual], now_tick: u64) {
        self.each().for_each(|f| f.add_history(rows, now_tick));
    }

    /// `Family::record` for each.
    pub fn record(&mut self, events: &mut [LifeEvent]) {
        self.each().for_each(|f| f.record(events));
    }

    /// `Family::sample` for each.
    pub fn sample(&mut self, tick: f64) {
        self.each().for_each(|f| f.sample(tick));
    }

    /// The founders' lineages if asked and the world has kin groups, else the groups.
    pub fn shown(&self, founders: bool) -> &Family {
        match (&self.founders, founders) {
            (Some(f), true) => f,
            _ => &self.groups,
        }
    }
}

/// An individual and its recorded ancestors, nearest first.
#[derive(Clone, Debug, PartialEq)]
pub struct Ancestry {
    pub chain: Vec<(u64, Member)>,
    /// The last one's parent is not recorded (born before the app or its run's lineage.csv
    /// began).
    pub cut: bool,
}

/// Samples of lineage abundance kept for the Muller plot; when full, every other one is
/// dropped, so a long session keeps an even spread.
const MAX_SAMPLES: usize = 2_000;

/// Samples of a run's past taken from its lineage.csv when the app opens it.
const PAST_SAMPLES: u64 = 400;

#[derive(Default)]
pub struct Family {
    members: HashMap<u64, Member>,
    /// The living: individual → lineage.
    living: HashMap<u64, u64>,
    /// Living individuals per lineage.
    counts: HashMap<u64, u32>,
    /// (tick, living per lineage) at each sample.
    samples: Vec<(f64, Vec<(u64, u32)>)>,
    sample_every: u64,
    /// Founders' lineages or kin groups, as the world's measures count them.
    grouping: Grouping,
}

impl Family {
    /// What the groups are: founders' lineages or kin groups.
    pub fn grouping(&self) -> Grouping {
        self.grouping
    }

    /// Start from the living agents of a world whose groups are `grouping`'s.
    pub fn from_agents(agents: &[Agent], grouping: Grouping) -> Self {
        let mut f = Family {
            sample_every: 1,
            grouping,
            ..Default::default()
        };
        let living: Vec<Individual> = agents
            .iter()
            .filter(|a| a.alive != 0)
            .map(|a| Individual {
                lineage: grouping.of_agent(a),
                ..Individual::of_agent(a)
            })
            .collect();
        f.add_history(&living, 0);
        for r in &living {
            f.living.insert(r.id, r.lineage);
            *f.counts.entry(r.lineage).or_default() += 1;
        }
        f
    }

    /// Take in the rows of a run's lineage.csv (regrouped into this world's groups): the
    /// ancestors of the living who died before the app opened the run at `now_tick`, and,
    /// before the first live sample, samples of that past from them and the living, so that
    /// the Muller plot shows how the run got here (none at tick 0).
    pub fn add_history(&mut self, rows: &[Individual], now_tick: u64) {
        let mut rows = rows.to_vec();
        self.grouping.regroup(&mut rows);
        for r in &rows {
            self.members.entry(r.id).or_insert(Member {
                parent: r.parent,
                lineage: r.lineage,
                generation: r.generation,
                birth_tick: r.birth_tick,
            });
        }
        if self.samples.is_empty() && now_tick > 0 {
            self.sample_past(&rows, now_tick);
        }
    }

    /// Samples of the run up to `now_tick` from the regrouped dead (`rows`) and the living.
    fn sample_past(&mut self, rows: &[Individual], now_tick: u64) {
        let mut spans: Vec<(u64, u64, u64)> = rows
            .iter()
            .filter(|r| !self.living.contains_key(&r.id))
            .filter_map(|r| Some((r.lineage, r.birth_tick, r.death_tick?)))
            .collect();
        spans.extend(self.living.iter().filter_map(|(id, lineage)| {
            Some((*lineage, self.members.get(id)?.birth_tick, u64::MAX))
        }));
        let n = PAST_SAMPLES.min(now_tick);
        for k in 0..n {
            let t = now_tick * k / n;
            let mut counts: HashMap<u64, u32> = HashMap::new();
            for &(lineage, born, died) in &spans {
                if born <= t && t < died {
                    *counts.entry(lineage).or_default() += 1;
                }
            }
            self.samples.push((t as f64, counts.into_iter().collect()));
        }
        self.sample_every = (now_tick / n).max(1);
    }

    /// Take in births and deaths (any order within the batch, as the GPU appends them).
    pub fn record(&mut self, events: &mut [LifeEvent]) {
        crate::lineage::in_order(events);
        for e in events.iter() {
            let id = id64(e.id);
            match e.kind {
                EVENT_BIRTH => {
                    let parent = (e.parent != [NONE, NONE]).then(|| id64(e.parent));
                    // A respawned founder starts its own group (so does a child whose
                    // parent is unknown); a child is in its parent's unless it roots a
                    // kin group.
                    let lineage = match parent.and_then(|p| self.members.get(&p).map(|m| (p, m))) {
                        Some((p, m)) => self.grouping.child(m.lineage, p, id, e.generation),
                        None => self.grouping.root(id),
                    };
                    self.members.insert(
                        id,
                        Member {
                            parent,
                            lineage,
                            generation: e.generation,
                            birth_tick: completed(e.tick),
                        },
                    );
                    self.living.insert(id, lineage);
                    *self.counts.entry(lineage).or_default() += 1;
                }
                EVENT_DEATH => {
                    if let Some(lineage) = self.living.remove(&id) {
                        if let Some(c) = self.counts.get_mut(&lineage) {
                            *c -= 1;
                            if *c == 0 {
                                self.counts.remove(&lineage);
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// Record the lineages' abundance at `tick` (every `sample_every`-th call is kept).
    pub fn sample(&mut self, tick: f64) {
        if self.samples.last().is_some_and(|(t, _)| *t >= tick) {
            return;
        }
        let due = self
            .samples
            .last()
            .is_none_or(|(t, _)| tick - t >= self.sample_every as f64);
        if !due {
            return;
        }
        self.samples
            .push((tick, self.counts.iter().map(|(l, c)| (*l, *c)).collect()));
        if self.samples.len() >= MAX_SAMPLES {
            let mut k = 0;
            self.samples.retain(|_| {
                k += 1;
                k % 2 == 1
            });
            let span = self.samples.last().map_or(0.0, |s| s.0) - self.samples[0].0;
            self.sample_every = (2.0 * span / MAX_SAMPLES as f64).ceil().max(1.0) as u64;
        }
    }

    /// The living agents' lineages now: (lineage, count), most first.
    pub fn lineages_now(&self) -> Vec<(u64, u32)> {
        let mut v: Vec<(u64, u32)> = self.counts.iter().map(|(l, c)| (*l, *c)).collect();
        v.sort_by_key(|(l, c)| (std::cmp::Reverse(*c), *l));
        v
    }

    /// Each lineage's share of the living at each sample, the `top` largest by the sum of
    /// their counts over the samples (as `muller::abundance` ranks by agent-ticks).
    pub fn muller(&self, top: usize) -> Muller {
        let mut weight: HashMap<u64, f64> = HashMap::new();
        for (_, counts) in &self.samples {
            for (l, c) in counts {
                *weight.entry(*l).or_default() += f64::from(*c);
            }
        }
        let mut order: Vec<u64> = weight.keys().copied().collect();
        order.sort_by(|a, b| weight[b].total_cmp(&weight[a]).then(a.cmp(b)));
        order.truncate(top);
        let index: HashMap<u64, usize> = order.iter().enumerate().map(|(k, l)| (*l, k)).collect();
        let mut m = Muller {
            ticks: self.samples.iter().map(|s| s.0).collect(),
            lineages: order.clone(),
            shares: vec![vec![0.0; self.samples.len()]; order.len()],
            other: vec![0.0; self.samples.len()],
        };
        for (b, (_, counts)) in self.samples.iter().enumerate() {
            let total: f64 = counts.iter().map(|(_, c)| f64::from(*c)).sum();
            if total == 0.0 {
                continue;
            }
            for (l, c) in counts {
                let share = f64::from(*c) / total;
                match index.get(l) {
                    Some(&k) => m.shares[k][b] += share,
                    None => m.other[b] += share,
                }
            }
        }
        m
    }

    /// An individual's recorded ancestry up to its lineage's founder.
    pub fn ancestry(&self, id: u64) -> Option<Ancestry> {
        let mut chain = vec![(id, *self.members.get(&id)?)];
        loop {
            let (_, last) = chain[chain.len() - 1];
            let Some(p) = last.parent else {
                return Some(Ancestry { chain, cut: false });
            };
            match self.members.get(&p) {
                // Bounded: a parent is always born before its child.
                Some(m) if chain.len() < 1_000_000 => chain.push((p, *m)),
                _ => return Some(Ancestry { chain, cut: true }),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::INIT_TICK;

    fn agent(slot: u32, founder: u64) -> Agent {
        let mut a: Agent = bytemuck::Zeroable::zeroed();
        a.alive = 1;
        a.lineage_lo = slot;
        a.lineage_hi = INIT_TICK;
        a.parent_lo = NONE;
        a.parent_hi = NONE;
        a.founder = [founder as u32, (founder >> 32) as u32];
        a
    }

    fn birth(tick: u32, slot: u32, parent: u64, generation: u32) -> LifeEvent {
        LifeEvent {
            kind: EVENT_BIRTH,
            tick,
            id: [slot, tick],
            parent: [parent as u32, (parent >> 32) as u32],
            generation,
            cause: 0,
        }
    }

    fn death(tick: u32, id: u64) -> LifeEvent {
        LifeEvent {
            kind: EVENT_DEATH,
            tick,
            id: [id as u32, (id >> 32) as u32],
            parent: [NONE, NONE],
            generation: 0,
            cause: 1,
        }
    }

    #[test]
    fn births_and_deaths_move_the_counts_and_the_chain_reaches_the_founder() {
        let a0 = agent(0, id64([0, INIT_TICK]));
        let a1 = agent(1, id64([1, INIT_TICK]));
        let founder0 = id64([0, INIT_TICK]);
        let founder1 = id64([1, INIT_TICK]);
        let mut f = Family::from_agents(&[a0, a1], Grouping::default());
        f.sample(0.0);
        // Founder 0 has a child in slot 2 at tick 5, which has a grandchild in slot 3 at
        // tick 9; founder 1 dies at tick 9 (listed after the birth: order is restored).
        let child = id64([2, 5]);
        let mut events = vec![
            birth(9, 3, child, 2),
            death(9, founder1),
            birth(5, 2, founder0, 1),
        ];
        f.record(&mut events);
        f.sample(10.0);
        assert_eq!(f.lineages_now(), vec![(founder0, 3)]);
        let m = f.muller(8);
        assert_eq!(m.ticks, vec![0.0, 10.0]);
        assert_eq!(m.lineages, vec![founder0, founder1]);
        assert_eq!(m.shares[0], vec![0.5, 1.0]);
        assert_eq!(m.shares[1], vec![0.5, 0.0]);
        let grandchild = id64([3, 9]);
        let a = f.ancestry(grandchild).unwrap();
        let ids: Vec<u64> = a.chain.iter().map(|(id, _)| *id).collect();
        assert_eq!(ids, vec![grandchild, child, founder0]);
        assert!(!a.cut);
        assert_eq!(
            a.chain
                .iter()
                .map(|(_, m)| (m.generation, m.birth_tick))
                .collect::<Vec<_>>(),
            vec![(2, 10), (1, 6), (0, 0)],
            "generations, and birth ticks as ticks completed"
        );
        // A respawn founds a lineage of its own.
        f.record(&mut [birth(12, 1, u64::MAX, 0)]);
        assert!(f.lineages_now().contains(&(id64([1, 12]), 1)));
    }

    #[test]
    fn an_ancestor_the_app_never_saw_cuts_the_chain_until_lineage_csv_fills_it() {
        let mut a = agent(4, 77);
        a.parent_lo = 9;
        a.parent_hi = 3;
        let mut f = Family::from_agents(&[a], Grouping::default());
        let id = id64([4, INIT_TICK]);
        assert!(f.ancestry(id).unwrap().cut);
        f.add_history(
            &[Individual {
                id: id64([9, 3]),
                parent: None,
                lineage: 77,
                birth_tick: 4,
                death_tick: Some(8),
                generation: 0,
                cause: "starved".into(),
                offspring: 1,
            }],
            0,
        );
        let full = f.ancestry(id).unwrap();
        assert!(!full.cut);
        assert_eq!(full.chain.len(), 2);
    }

    #[test]
    fn a_run_opened_late_shows_its_past_from_lineage_csv() {
        // Two agents of lineage 5 lived from 0 to 600; lineage 77 is the living agent (from
        // tick 0) and one that lived from 500 to 900.
        let mut f = Family::from_agents(&[agent(4, 77)], Grouping::default());
        let dead = |id: u32, lineage: u64, born: u64, died: u64| Individual {
            id: id64([id, 0]),
            parent: None,
            lineage,
            birth_tick: born,
            death_tick: Some(died),
            generation: 0,
            cause: "starved".into(),
            offspring: 0,
        };
        let rows = [
            dead(1, 5, 0, 600),
            dead(2, 5, 0, 600),
            dead(3, 77, 500, 900),
        ];
        f.add_history(&rows, 1000);
        assert_eq!(f.samples.len(), 400);
        let m = f.muller(2);
        let at = |tick: f64| m.ticks.iter().position(|t| *t == tick).unwrap();
        let share = |lineage: u64, tick: f64| {
            let k = m.lineages.iter().position(|l| *l == lineage).unwrap();
            m.shares[k][at(tick)]
        };
        assert_eq!(share(5, 250.0), 2.0 / 3.0);
        assert_eq!(share(5, 550.0), 0.5);
        assert_eq!(share(77, 950.0), 1.0, "the living agent, born at tick 0");
        // Live samples go on after the past.
        f.sample(1000.0);
        assert_eq!(f.samples.last().unwrap().0, 1000.0);
    }

    #[test]
    fn samples_stay_bounded_and_spread() {
        let mut f = Family::from_agents(&[agent(0, 1)], Grouping::default());
        for t in 0..10 * MAX_SAMPLES {
            f.sample(t as f64);
        }
        assert!(f.samples.len() < MAX_SAMPLES);
        assert_eq!(f.samples[0].0, 0.0);
        assert!(f.samples.last().unwrap().0 > 9.0 * MAX_SAMPLES as f64);
    }
}
