//! What a knockout fork costs: a fork's fitness (net energy income per agent-tick, from
//! the energy ledger) over its run and over fork time, the loss a knockout causes, and the
//! knockouts.csv tables forks leave, read back.

use std::path::Path;

use anyhow::{Context, Result};

/// A fork's fitness and behaviour over its run (its metrics.csv rows after the start).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Fitness {
    /// Net energy income per agent-tick: eaten + hits and gifts received (net) + stolen +
    /// birth and respawn energy + what bots passed on, from the ledger.
    pub income: f64,
    /// Energy eaten per agent-tick.
    pub eaten: f64,
    /// Births per agent-tick.
    pub births: f64,
    pub mean_energy: f64,
    pub population: f64,
    /// The knockout's behaviour measures, means over the rows.
    pub behaviour: Vec<(String, f64)>,
    /// (last tick, income per agent-tick) over each of `WINDOWS` equal spans of the fork.
    pub income_over_time: Vec<(f64, f64)>,
}

/// The fitness measures, in the order of `Fitness::values`, with units. The first is the
/// one the targets use.
pub const FITNESS: &[&str] = &[
    "income_per_agent_tick",
    "eaten_per_agent_tick",
    "births_per_agent_tick",
    "mean_energy",
    "mean_population",
];

/// The ledger columns whose sum is agents' net income (the energy that enters agents).
pub const INCOME_COLUMNS: &[&str] = &[
    "ledger_eaten_by_agents",
    "ledger_hit_received",
    "ledger_stolen",
    "ledger_birth_energy",
    "ledger_from_bots",
];

/// Income columns a run written before they existed lacks: read as 0 there.
const INCOME_COLUMNS_ADDED_LATER: &[&str] = &["ledger_from_bots"];

/// Spans of fork time the loss is drawn over.
pub const WINDOWS: usize = 10;

impl Fitness {
    pub fn values(&self) -> [f64; 5] {
        [
            self.income,
            self.eaten,
            self.births,
            self.mean_energy,
            self.population,
        ]
    }

    /// From a fork's run directory: rows after `start_tick`.
    pub fn load(dir: &Path, start_tick: u64, behaviour: &[&str]) -> Result<Self> {
        let run = crate::runs::Run::load(dir, String::new())?;
        let col = |name: &str| -> Result<Vec<f64>> {
            Ok(run
                .column(name)
                .with_context(|| format!("{}/metrics.csv has no column {name}", dir.display()))?
                .into_iter()
                .filter(|(t, _)| *t > start_tick as f64)
                .map(|(_, v)| v)
                .collect())
        };
        let mean = |xs: &[f64]| {
            if xs.is_empty() {
                f64::NAN
            } else {
                xs.iter().sum::<f64>() / xs.len() as f64
            }
        };
        let ticks: Vec<f64> = run
            .rows
            .iter()
            .map(|r| r[0])
            .filter(|t| *t > start_tick as f64)
            .collect();
        let population = col("population")?;
        let pop = mean(&population);
        let per_agent = |xs: Vec<f64>| mean(&xs) / pop;
        let mut income = vec![0.0; population.len()];
        for c in INCOME_COLUMNS {
            if run.column(c).is_none() && INCOME_COLUMNS_ADDED_LATER.contains(c) {
                continue;
            }
            for (sum, x) in income.iter_mut().zip(col(c)?) {
                *sum += x;
            }
        }
        let last = ticks.last().copied().unwrap_or(start_tick as f64);
        let span = (last - start_tick as f64).max(1.0);
        let income_over_time = (0..WINDOWS)
            .filter_map(|w| {
                let lo = start_tick as f64 + span * w as f64 / WINDOWS as f64;
                let hi = start_tick as f64 + span * (w + 1) as f64 / WINDOWS as f64;
                let rows: Vec<usize> = (0..ticks.len())
                    .filter(|&k| ticks[k] > lo && ticks[k] <= hi)
                    .collect();
                let agent_ticks: f64 = rows.iter().map(|&k| population[k]).sum();
                (!rows.is_empty()).then(|| {
                    let got: f64 = rows.iter().map(|&k| income[k]).sum();
                    (hi.round(), got / agent_ticks)
                })
            })
            .collect();
        Ok(Self {
            income: per_agent(income),
            income_over_time,
            eaten: per_agent(col("ledger_eaten_by_agents")?),
            births: per_agent(col("births")?),
            mean_energy: mean(&col("mean_energy")?),
            population: pop,
            behaviour: behaviour
                .iter()
                .map(|m| Ok((m.to_string(), mean(&col(m)?))))
                .collect::<Result<_>>()?,
        })
    }
}

/// Fitness lost to a knockout: ln(intact / fork). Symmetric (a halving is +ln 2, a
/// doubling −ln 2) and unbounded, so a 2× difference never saturates as a bounded share
/// does. NaN unless both are positive: a fork with no income has no ratio, and that
/// replicate is left out on the evolved and naive sides alike.
pub fn loss(intact: f64, fork: f64) -> f64 {
    if intact > 0.0 && fork > 0.0 {
        (intact / fork).ln()
    } else {
        f64::NAN
    }
}

/// One line of DIR/loss_over_time.csv: a population's mean loss from one knockout at one
/// fork tick.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LossAt {
    pub population: String,
    pub knockout: String,
    pub tick: f64,
    pub loss: f64,
}

/// One line of DIR/knockouts.csv.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct KnockoutLoss {
    pub knockout: String,
    pub fitness: String,
    pub evolved_loss: f64,
    pub naive_loss: f64,
    #[serde(rename = "evolved_dependence")]
    pub dependence: f64,
}

/// Read DIR/knockouts.csv back.
pub fn read_losses(dir: &Path) -> Result<Vec<KnockoutLoss>> {
    crate::runs::files::read_rows(&dir.join("knockouts.csv"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fork's income counts every source of the ledger, what bots pass on included, and
    /// a run written before that column existed still loads (without it).
    #[test]
    fn fork_income_counts_every_source() {
        let dir = tempfile::tempdir().unwrap();
        let mut cols = vec!["tick", "population", "births", "mean_energy"];
        cols.extend(INCOME_COLUMNS);
        let row = |tick: u32| -> String {
            let mut v = vec![tick as f64, 10.0, 0.0, 5.0];
            // eaten 20, hits 3, stolen 1, births 4, from bots 2: 30 a tick, 3 an agent.
            v.extend([20.0, 3.0, 1.0, 4.0, 2.0]);
            v.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(",")
        };
        let text =
            |cols: &[&str], rows: &[String]| format!("{}\n{}\n", cols.join(","), rows.join("\n"));
        let rows: Vec<String> = (1..=4).map(row).collect();
        std::fs::write(dir.path().join("metrics.csv"), text(&cols, &rows)).unwrap();
        let f = Fitness::load(dir.path(), 0, &[]).unwrap();
        assert!((f.income - 3.0).abs() < 1e-12, "{}", f.income);
        let old: Vec<String> = rows
            .iter()
            .map(|r| r.rsplit_once(',').unwrap().0.to_string())
            .collect();
        std::fs::write(
            dir.path().join("metrics.csv"),
            text(&cols[..cols.len() - 1], &old),
        )
        .unwrap();
        let f = Fitness::load(dir.path(), 0, &[]).unwrap();
        assert!((f.income - 2.8).abs() < 1e-12, "{}", f.income);
    }
}
