//! Knockout forks (`silico ablate`, and an experiment's `ablate:`): does an evolved
//! population depend on a behaviour?
//!
//! From one checkpoint, the intact world and one fork per knockout (messages shuffled or
//! off, programming off, bots off, terraforming off) run for the same number of ticks with
//! the same random streams, so every difference between them comes from the knockout.
//! Replicates repeat that with other random streams (replicate 0 keeps the run's own).
//! The same forks from a naive population give the chance level: mechanics alone make
//! some knockouts matter (bots' farms feed anyone), so the **evolved dependence** on a
//! knockout is the fitness the evolved population loses to it minus what the naive one
//! loses.
//!
//! Forks measure dependence, not adaptation: evolution is frozen in every fork
//! (`mutation.rate = 0`, so a child's genome is its parent's, bit for bit), so a naive
//! population stays naive and an evolved one cannot re-adapt to its knockout. Fitness is
//! the population's net energy income per agent-tick from every source the ledger books
//! (eating, hits and gifts received, theft, birth and respawn energy), and a knockout's
//! loss is ln(intact / knocked-out). The **placebo** knockout changes nothing but the
//! fork's random stream: its loss is what mere divergence of two runs costs, the yardstick
//! every real knockout is read against.
//!
//! The naive population is, by default, the checkpoint's world with every brain replaced
//! by the brain that slot had at tick 0 (a fresh draw where it had none), recurrent state
//! cleared, and the bots' programs and memories those of tick 0 (no bot keeps a program
//! the evolved population wrote): the same terrain, fields, positions and energies, only
//! unevolved brains and bots. `Tick0` takes the run's whole tick-0 world instead.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use crate::batch::{self, BackendChoice, RunOptions};
use crate::config::Config;
use crate::runs::files::write_rows;
use crate::science::fitness::{loss, Fitness, KnockoutLoss, LossAt, FITNESS, WINDOWS};
use crate::world::{checkpoint, State};

/// A mechanic taken out of a fork.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
pub enum Knockout {
    /// Every agent hears another's messages (`controls.messages: Shuffled`).
    #[value(name = "messages-shuffled")]
    MessagesShuffled,
    #[value(name = "messages-off")]
    MessagesOff,
    #[value(name = "programming-off")]
    ProgrammingOff,
    #[value(name = "bots-off")]
    BotsOff,
    #[value(name = "terraform-off")]
    TerraformOff,
    /// Nothing taken out: the fork runs on another random stream. Always run.
    #[value(name = "placebo")]
    Placebo,
}

impl Knockout {
    /// The knockouts that take a mechanic out (the placebo runs beside them regardless).
    pub const ALL: [Knockout; 5] = [
        Knockout::MessagesShuffled,
        Knockout::MessagesOff,
        Knockout::ProgrammingOff,
        Knockout::BotsOff,
        Knockout::TerraformOff,
    ];

    /// Its directory and column name.
    pub fn name(self) -> &'static str {
        match self {
            Knockout::MessagesShuffled => "messages-shuffled",
            Knockout::MessagesOff => "messages-off",
            Knockout::ProgrammingOff => "programming-off",
            Knockout::BotsOff => "bots-off",
            Knockout::TerraformOff => "terraform-off",
            Knockout::Placebo => "placebo",
        }
    }

    /// The config change that makes the fork (none for the placebo).
    pub fn set(self) -> Option<&'static str> {
        Some(match self {
            Knockout::Placebo => return None,
            Knockout::MessagesShuffled => "controls.messages=Shuffled",
            Knockout::MessagesOff => "controls.messages=Off",
            Knockout::ProgrammingOff => "controls.programming=Off",
            Knockout::BotsOff => "controls.bots=Off",
            Knockout::TerraformOff => "controls.terraform=Off",
        })
    }

    /// The measures of the behaviour it takes out, reported beside fitness.
    pub fn behaviour(self) -> &'static [&'static str] {
        match self {
            Knockout::MessagesShuffled | Knockout::MessagesOff => {
                &["comm_influence_changed", "comm_listener_mi"]
            }
            Knockout::ProgrammingOff | Knockout::BotsOff => {
                &["tool_programmer_benefit", "tool_programming_events"]
            }
            Knockout::TerraformOff => &["agri_own_harvest_share", "agri_eaten_cultivated_share"],
            Knockout::Placebo => &[],
        }
    }
}

/// The population whose forks give the knockouts' chance level.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
pub enum Naive {
    /// The checkpoint's world with its brains replaced by unevolved ones.
    #[default]
    #[value(name = "fresh-brains")]
    FreshBrains,
    /// The run's tick-0 world.
    #[value(name = "tick0")]
    Tick0,
    /// No naive forks (no chance level).
    #[value(name = "none")]
    None,
}

/// What to fork and how: the command's options, and an experiment's `ablate:` field.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AblateSpec {
    /// Ticks each fork runs.
    pub ticks: u64,
    #[serde(default = "all_knockouts")]
    pub knockouts: Vec<Knockout>,
    /// Forks of each kind with different random streams (replicate 0 keeps the run's own).
    #[serde(default = "default_replicates")]
    pub replicates: u32,
    #[serde(default)]
    pub naive: Naive,
    /// In an experiment: the variants whose final worlds are forked (empty: every variant
    /// that is no control of another).
    #[serde(default)]
    pub variants: Vec<String>,
}

fn all_knockouts() -> Vec<Knockout> {
    Knockout::ALL.to_vec()
}

fn default_replicates() -> u32 {
    3
}

/// The override every fork runs with: no mutation, so births copy genomes exactly and
/// the population's brains are frozen for the fork.
pub const FROZEN: &str = "mutation.rate=0";

impl AblateSpec {
    /// The knockouts run: the spec's, then the placebo.
    pub fn all_knockouts(&self) -> Vec<Knockout> {
        let mut k = self.knockouts.clone();
        k.push(Knockout::Placebo);
        k
    }

    pub fn validate(&self) -> Result<(), Vec<String>> {
        let mut errs = Vec::new();
        if self.ticks == 0 {
            errs.push("ablate ticks = 0: forks need at least one tick".to_string());
        }
        if self.replicates == 0 || self.replicates > 1000 {
            errs.push(format!(
                "ablate replicates = {} is out of range: allowed 1 ..= 1000",
                self.replicates
            ));
        }
        if self.knockouts.is_empty() {
            errs.push(
                "ablate knockouts is empty: name at least one (e.g. MessagesShuffled)".into(),
            );
        }
        if self.knockouts.contains(&Knockout::Placebo) {
            errs.push(
                "ablate knockouts names Placebo: the placebo runs beside every ablation; leave it out".into(),
            );
        }
        let mut seen = self.knockouts.clone();
        seen.sort_by_key(|k| k.name());
        seen.dedup();
        if seen.len() != self.knockouts.len() {
            errs.push("ablate knockouts names a knockout twice".into());
        }
        if errs.is_empty() {
            Ok(())
        } else {
            Err(errs)
        }
    }
}

/// The random stream of replicate r: the run's own seed for replicate 0, a derived one
/// for the others; the placebo's is another again.
pub fn replicate_seed(seed: u64, r: u32, knockout: Option<Knockout>) -> u64 {
    let placebo = knockout == Some(Knockout::Placebo);
    if r == 0 && !placebo {
        return seed;
    }
    let kind = if placebo { "placebo " } else { "" };
    let h = blake3::hash(format!("silico ablate {kind}{seed} {r}").as_bytes());
    let b = h.as_bytes();
    u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
}

/// The checkpoint's world with unevolved brains: each slot's tick-0 genome (for slots
/// filled at tick 0, including scenario placements) or a fresh draw, no recurrent state,
/// and every bot's program and memory as at tick 0 (credited to no lineage).
pub fn naive_state(cfg: &Config, evolved: &State) -> State {
    let fresh = State::new(cfg);
    let mut state = evolved.clone();
    let tensors = crate::world::brain::layout_for(cfg);
    let len = crate::world::Dims::new(cfg).genome_len;
    let filled_at_start = cfg.scenario.placed_agents() as usize + cfg.initial_agents() as usize;
    let rng = crate::rng::Rng::new(cfg.seed);
    let f16 = cfg.genome_precision == crate::config::Precision::F16;
    for slot in 0..state.agents.len() {
        let genome = &mut state.genomes[slot * len..(slot + 1) * len];
        if slot < filled_at_start {
            genome.copy_from_slice(&fresh.genomes[slot * len..(slot + 1) * len]);
        } else {
            let noise =
                crate::world::brain::genome_noise(&rng, crate::world::INIT_TICK, slot as u32, len);
            crate::world::brain::initial_genome(&tensors, &noise, genome);
            genome
                .iter_mut()
                .for_each(|w| *w = crate::world::brain::round_weight(*w, f16));
        }
    }
    state.brain_state.fill(0.0);
    for (bot, fresh_bot) in state.bots.iter_mut().zip(&fresh.bots) {
        bot.program = fresh_bot.program;
        bot.memory = fresh_bot.memory;
    }
    state.bot_programmed.clone_from(&fresh.bot_programmed);
    state.bot_programmer.clone_from(&fresh.bot_programmer);
    state
}

/// `silico ablate`'s options.
#[derive(Clone, Debug)]
pub struct AblateOptions {
    pub checkpoint: PathBuf,
    pub spec: AblateSpec,
    pub out: PathBuf,
    pub backend: BackendChoice,
    pub quiet: bool,
}

/// One population's forks of one replicate.
#[derive(Clone, Debug)]
pub struct ReplicateForks {
    pub population: &'static str,
    pub replicate: u32,
    pub intact: Fitness,
    pub knocked: Vec<(Knockout, Fitness)>,
}

/// The whole ablation: every replicate of the evolved population, and of the naive one.
#[derive(Clone, Debug)]
pub struct Ablation {
    pub spec: AblateSpec,
    pub start_tick: u64,
    pub forks: Vec<ReplicateForks>,
}

impl Ablation {
    /// Mean loss of a fitness measure (index into `FITNESS`) to a knockout over the
    /// replicates of a population.
    pub fn mean_loss(&self, population: &str, knockout: Knockout, fitness: usize) -> f64 {
        let losses: Vec<f64> = self
            .forks
            .iter()
            .filter(|f| f.population == population)
            .filter_map(|f| {
                let fork = f.knocked.iter().find(|(k, _)| *k == knockout)?;
                Some(loss(f.intact.values()[fitness], fork.1.values()[fitness]))
            })
            .filter(|l| l.is_finite())
            .collect();
        crate::science::stats::mean_sd(&losses).0
    }

    /// Per population, knockout and span of fork time: (population, knockout, the span's
    /// last tick, the mean over replicates of ln(intact / knockout) income per agent-tick).
    pub fn loss_over_time(&self) -> Vec<(&'static str, Knockout, f64, f64)> {
        let mut out = Vec::new();
        for population in ["evolved", "naive"] {
            for k in self.spec.all_knockouts() {
                for w in 0..WINDOWS {
                    let mut losses = Vec::new();
                    let mut tick = f64::NAN;
                    for f in self.forks.iter().filter(|f| f.population == population) {
                        let Some((_, fork)) = f.knocked.iter().find(|(x, _)| *x == k) else {
                            continue;
                        };
                        if let (Some(i), Some(x)) = (
                            f.intact.income_over_time.get(w),
                            fork.income_over_time.get(w),
                        ) {
                            tick = i.0;
                            losses.push(loss(i.1, x.1));
                        }
                    }
                    let losses: Vec<f64> = losses.into_iter().filter(|l| l.is_finite()).collect();
                    if !losses.is_empty() {
                        out.push((
                            population,
                            k,
                            tick,
                            crate::science::stats::mean_sd(&losses).0,
                        ));
                    }
                }
            }
        }
        out
    }

    /// Evolved dependence: the evolved population's mean loss minus the naive one's (the
    /// evolved loss alone when there is no naive population).
    pub fn dependence(&self, knockout: Knockout, fitness: usize) -> f64 {
        let naive = if self.spec.naive == Naive::None {
            0.0
        } else {
            self.mean_loss("naive", knockout, fitness)
        };
        self.mean_loss("evolved", knockout, fitness) - naive
    }
}

/// What an ablation directory records of how it was made, so a rerun resumes it and a
/// different one is refused.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Recorded {
    checkpoint: String,
    checkpoint_tick: u64,
    config_digest: String,
    spec: AblateSpec,
}

fn fork_done(dir: &Path, ticks: u64) -> bool {
    crate::runs::Summary::reached(dir, ticks)
}

/// Run (or finish) every fork of an ablation into `opts.out`, then write its tables.
///
/// Long because resuming is part of every step: each fork is skipped when finished,
/// resumed when interrupted, and checked against the ablation it belongs to.
pub fn ablate(opts: &AblateOptions) -> Result<Ablation> {
    opts.spec
        .validate()
        .map_err(|errs| anyhow::anyhow!("the ablation is not valid:\n  {}", errs.join("\n  ")))?;
    let (cfg, evolved) = checkpoint::read(&opts.checkpoint)?;
    let start = evolved.tick();
    let recorded = Recorded {
        checkpoint: opts.checkpoint.display().to_string(),
        checkpoint_tick: start,
        config_digest: cfg.digest(),
        spec: opts.spec.clone(),
    };
    let record = opts.out.join("ablation.ron");
    if let Ok(text) = fs::read_to_string(&record) {
        let old: Recorded = ron::from_str(&text).with_context(|| {
            format!(
                "{} exists but is not an ablation record: choose another --out",
                record.display()
            )
        })?;
        if (&old.config_digest, old.checkpoint_tick, &old.spec)
            != (
                &recorded.config_digest,
                recorded.checkpoint_tick,
                &recorded.spec,
            )
        {
            bail!(
                "{} holds an ablation of another checkpoint or with other settings ({} at tick {}): choose another --out, or run the same ablation again to finish it",
                opts.out.display(),
                old.checkpoint,
                old.checkpoint_tick
            );
        }
    } else if opts.out.is_dir()
        && fs::read_dir(&opts.out)
            .map(|mut d| d.next().is_some())
            .unwrap_or(false)
    {
        bail!(
            "{} is not empty and holds no ablation: choose an empty or new --out",
            opts.out.display()
        );
    }
    let _lock = crate::runs::outdir::lock(&opts.out)?;
    fs::write(
        &record,
        ron::ser::to_string_pretty(&recorded, Default::default())?,
    )
    .with_context(|| format!("cannot write {}", record.display()))?;

    let mut starts: Vec<(&'static str, PathBuf, u64)> =
        vec![("evolved", opts.checkpoint.clone(), start)];
    let naive_state = match opts.spec.naive {
        Naive::FreshBrains => Some(naive_state(&cfg, &evolved)),
        Naive::Tick0 => Some(State::new(&cfg)),
        Naive::None => None,
    };
    drop(evolved);
    if let Some(state) = naive_state {
        let path = opts.out.join("naive-start.silico");
        checkpoint::write(&path, &cfg, &state)
            .with_context(|| format!("cannot write {}", path.display()))?;
        starts.push(("naive", path, state.tick()));
    }
    let mut forks = Vec::new();
    let names: Vec<Option<Knockout>> = std::iter::once(None)
        .chain(opts.spec.all_knockouts().into_iter().map(Some))
        .collect();
    let total = starts.len() * opts.spec.replicates as usize * names.len();
    let mut done = 0;
    for (population, start_path, from) in &starts {
        for r in 0..opts.spec.replicates {
            let mut intact = None;
            let mut knocked = Vec::new();
            for k in &names {
                let name = k.map_or("intact", Knockout::name);
                let dir = opts
                    .out
                    .join(population)
                    .join(format!("rep-{r}"))
                    .join(name);
                let until = from + opts.spec.ticks;
                if !fork_done(&dir, until) {
                    if !opts.quiet {
                        eprintln!(
                            "silico ablate: {population} replicate {r} {name} ({}/{total})",
                            done + 1
                        );
                    }
                    batch::run(&RunOptions {
                        resume: Some(start_path.clone()),
                        out: Some(dir.clone()),
                        backend: opts.backend,
                        quiet: true,
                        // An unfinished fork of this ablation starts again; what it had
                        // written is moved aside, not deleted.
                        overwrite: true,
                        fork_seed: Some(replicate_seed(cfg.seed, r, *k)),
                        cfg: batch::ConfigArgs {
                            config: None,
                            sets: std::iter::once(FROZEN.to_string())
                                .chain(k.and_then(Knockout::set).map(str::to_string))
                                .collect(),
                        },
                        ..RunOptions::new(None, until)
                    })
                    .with_context(|| format!("fork {}", dir.display()))?;
                    if batch::stop_requested() {
                        // No tables from unfinished forks: a rerun finishes them.
                        bail!(
                            "interrupted during fork {}: run the same ablation again to finish it",
                            dir.display()
                        );
                    }
                }
                done += 1;
                let mut behaviour: Vec<&str> = Vec::new();
                for m in opts.spec.knockouts.iter().flat_map(|k| k.behaviour()) {
                    if !behaviour.contains(m) {
                        behaviour.push(m);
                    }
                }
                let fitness = Fitness::load(&dir, *from, &behaviour)?;
                match k {
                    None => intact = Some(fitness),
                    Some(k) => knocked.push((*k, fitness)),
                }
            }
            forks.push(ReplicateForks {
                population,
                replicate: r,
                intact: intact.expect("the intact fork runs first"),
                knocked,
            });
        }
    }
    let ablation = Ablation {
        spec: opts.spec.clone(),
        start_tick: start,
        forks,
    };
    write_tables(&opts.out, &ablation)?;
    Ok(ablation)
}

/// DIR/ablation.csv (every fork's fitness and behaviour) and DIR/knockouts.csv (per
/// knockout and fitness measure: each population's mean loss and the evolved dependence),
/// and DIR/ablation.md.
pub fn write_tables(out: &Path, a: &Ablation) -> Result<()> {
    let behaviour: Vec<String> = a.forks[0]
        .intact
        .behaviour
        .iter()
        .map(|(n, _)| n.clone())
        .collect();
    let header = ["population", "replicate", "fork"]
        .into_iter()
        .chain(FITNESS.iter().copied())
        .chain(behaviour.iter().map(String::as_str));
    let rows = a.forks.iter().flat_map(|f| {
        std::iter::once(("intact", &f.intact))
            .chain(f.knocked.iter().map(|(k, x)| (k.name(), x)))
            .map(move |(name, fit)| {
                [
                    f.population.to_string(),
                    f.replicate.to_string(),
                    name.to_string(),
                ]
                .into_iter()
                .chain(fit.values().iter().map(|v| v.to_string()))
                .chain(fit.behaviour.iter().map(|(_, v)| v.to_string()))
                .collect::<Vec<String>>()
            })
    });
    crate::runs::files::write_csv(&out.join("ablation.csv"), header, rows)?;

    let mut losses = Vec::new();
    let mut md = format!(
        "# Knockout forks\n\nFrom tick {}, every fork ran {} ticks with evolution frozen (`{FROZEN}`); {} replicate(s) per population, naive population: {:?}. Loss = ln(intact / knockout), the mean over replicates; evolved dependence = evolved loss − naive loss. The placebo fork changes only the random stream: its loss is the noise floor.\n\n| knockout | fitness | evolved loss | naive loss | evolved dependence |\n|---|---|---|---|---|\n",
        a.start_tick, a.spec.ticks, a.spec.replicates, a.spec.naive
    );
    for k in &a.spec.all_knockouts() {
        for (fi, fname) in FITNESS.iter().enumerate() {
            let ev = a.mean_loss("evolved", *k, fi);
            let nv = if a.spec.naive == Naive::None {
                f64::NAN
            } else {
                a.mean_loss("naive", *k, fi)
            };
            let dep = a.dependence(*k, fi);
            losses.push(KnockoutLoss {
                knockout: k.name().to_string(),
                fitness: fname.to_string(),
                evolved_loss: ev,
                naive_loss: nv,
                dependence: dep,
            });
            let _ = writeln!(
                md,
                "| {} | {fname} | {ev:+.3} | {nv:+.3} | {dep:+.3} |",
                k.name()
            );
        }
    }
    write_rows(&out.join("knockouts.csv"), &losses)?;
    let over_time: Vec<LossAt> = a
        .loss_over_time()
        .into_iter()
        .map(|(population, k, tick, loss)| LossAt {
            population: population.to_string(),
            knockout: k.name().to_string(),
            tick,
            loss,
        })
        .collect();
    write_rows(&out.join("loss_over_time.csv"), &over_time)?;
    fs::write(out.join("ablation.md"), md)
        .with_context(|| format!("cannot write {}/ablation.md", out.display()))?;
    Ok(())
}
