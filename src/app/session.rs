//! The app's model, free of windows: the running world and its config, play/step/reset,
//! checkpoints, live config edits, chart history, selection and the inspector's data.
//! The UI tests drive this directly; the window only adds drawing and input.

use std::mem::size_of;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context as _, Result};

use super::history::History;

mod inspection;
use crate::config::Config;
use crate::gpu::GpuContext;
use crate::program::BotOp;
use crate::sim::{PendingReads, World};
use crate::world::{checkpoint, Agent, Bot, BotTick, Dims, Section, State};

/// What a config edit did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Applied {
    /// Running from the next tick.
    Live,
    /// Structural: waits for a reset; the list says which fields.
    OnReset(Vec<String>),
}

/// The selected entity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Selection {
    Agent(usize),
    Bot(usize),
}

impl std::str::FromStr for Selection {
    type Err = String;

    /// `agent:N` or `bot:N` (slots).
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("'{s}': write agent:N or bot:N with N a slot number");
        let (kind, n) = s.split_once(':').ok_or_else(bad)?;
        let n: usize = n.trim().parse().map_err(|_| bad())?;
        match kind.trim() {
            "agent" => Ok(Selection::Agent(n)),
            "bot" => Ok(Selection::Bot(n)),
            _ => Err(bad()),
        }
    }
}

/// What the inspector shows of the selected agent, read back for it alone.
#[derive(Clone, Debug)]
pub struct AgentInspection {
    pub slot: usize,
    pub agent: Agent,
    /// This tick's 44 raw actions.
    pub actions: Vec<f32>,
    /// The recurrent state (LSTM h then c, or the GRU's h).
    pub brain_state: Vec<f32>,
    /// Slots of the agents it saw this tick (nearest first).
    pub neighbors: Vec<usize>,
    /// Per attention head, its weight on each seen entity (agents then bots); JaxLife only.
    pub attention: Vec<Vec<f32>>,
}

#[derive(Clone, Debug)]
pub struct BotInspection {
    pub slot: usize,
    pub bot: Bot,
    pub tick: BotTick,
    pub op: BotOp,
    pub disassembly: String,
}

pub struct Session {
    pub cfg: Config,
    /// A config edit waiting for a reset (structural fields differ).
    pub pending: Option<Config>,
    pub world: World,
    /// The device the world runs on, kept to build the next world after a reset or a load.
    ctx: Option<GpuContext>,
    pub history: History,
    /// Births, deaths and lineages seen so far (ancestry, the live Muller plot).
    pub family: super::family::Families,
    /// A lineage whose living agents the view rings (picked in the Muller plot).
    pub highlight_lineage: Option<crate::view::Ringed>,
    /// Piles of agents on one spot (mean position, count), which the view labels with
    /// their count, and the tick they were found at.
    pub piles: Vec<([f32; 2], u32)>,
    piles_tick: Option<u64>,
    piles_pending: Option<(u64, PendingReads)>,
    /// Another run's metrics to compare with (`--compare`), drawn dashed.
    pub compare: Option<super::history::Compare>,
    pub playing: bool,
    /// Ticks run per frame while playing.
    pub ticks_per_frame: u32,
    /// Run as many ticks per frame as fit in the frame budget instead.
    pub max_speed: bool,
    pub selection: Option<Selection>,
    pub agent_view: Option<AgentInspection>,
    pub bot_view: Option<BotInspection>,
    /// The selection's next inspection, on its way back from the GPU.
    inspecting: Option<(Selection, PendingReads)>,
    /// Measured simulation speed.
    pub ticks_per_s: f64,
    speed_window: (Instant, u64),
    /// Where checkpoints and screenshots go by default.
    pub out_dir: PathBuf,
    /// The last thing done or gone wrong, shown in the status bar.
    pub notice: Option<Notice>,
    /// Counts world replacements (reset, load), so the view knows to rebind.
    pub generation: u64,
}

/// A line for the status bar: news of something done, or a problem (drawn in a warning
/// colour, so that news does not look like an error).
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    pub text: String,
    pub problem: bool,
}

impl Session {
    /// Say in the status bar that something was done.
    pub fn inform(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice {
            text: text.into(),
            problem: false,
        });
    }

    /// Say in the status bar that something went wrong.
    pub fn warn(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice {
            text: text.into(),
            problem: true,
        });
    }

    /// A fresh world from `cfg` on the GPU of `ctx`, or on the CPU reference without one.
    pub fn new(cfg: Config, ctx: Option<GpuContext>) -> Result<Self> {
        let state = State::try_new(&cfg).map_err(anyhow::Error::msg)?;
        Self::from_state(cfg, state, ctx)
    }

    pub fn from_state(cfg: Config, state: State, ctx: Option<GpuContext>) -> Result<Self> {
        let world = make_world(&cfg, &state, ctx.as_ref())?;
        let family =
            super::family::Families::from_agents(&state.agents, crate::lineage::Grouping::of(&cfg));
        let mut s = Self {
            cfg,
            pending: None,
            world,
            ctx,
            history: History::new(20_000),
            family,
            highlight_lineage: None,
            piles: Vec::new(),
            piles_tick: None,
            piles_pending: None,
            compare: None,
            playing: true,
            ticks_per_frame: 1,
            max_speed: false,
            selection: None,
            agent_view: None,
            bot_view: None,
            inspecting: None,
            ticks_per_s: 0.0,
            speed_window: (Instant::now(), 0),
            out_dir: PathBuf::from("runs/app"),
            notice: None,
            generation: 0,
        };
        s.speed_window = (Instant::now(), s.world.tick());
        Ok(s)
    }

    pub fn tick(&self) -> u64 {
        self.world.tick()
    }

    /// Run `n` ticks and take in the metric rows that arrived.
    pub fn step(&mut self, n: u64) -> Result<()> {
        let rows = self.world.advance(n)?;
        for row in &rows {
            self.history.push(row);
        }
        self.take_family_events(rows.last().map(|r| f64::from(r[0])));
        let (since, at) = self.speed_window;
        let dt = since.elapsed().as_secs_f64();
        if dt >= 0.5 {
            self.ticks_per_s = (self.world.tick() - at) as f64 / dt;
            self.speed_window = (Instant::now(), self.world.tick());
        }
        Ok(())
    }

    /// Wait for the GPU and take the last metric rows (so the charts reach the current tick).
    pub fn flush(&mut self) -> Result<()> {
        let rows = self.world.flush()?;
        for row in &rows {
            self.history.push(row);
        }
        self.take_family_events(rows.last().map(|r| f64::from(r[0])));
        Ok(())
    }

    /// Find the piles of agents again if the world moved on. A CPU world's agents are at
    /// hand; a GPU world's are asked for at most every 60 ticks, in worlds of up to 65,536
    /// agents (16 MiB), and taken when they arrive: the frame never waits for the GPU.
    pub fn update_piles(&mut self) {
        let tick = self.tick();
        let spot = 0.25 * self.cfg.world.cell_size;
        let alive = |agents: &[Agent]| -> Vec<[f32; 2]> {
            agents
                .iter()
                .filter(|a| a.alive != 0)
                .map(|a| a.pos)
                .collect()
        };
        if let World::Cpu(c) = &self.world {
            if self.piles_tick != Some(tick) {
                self.piles = piles(&alive(&c.state.agents), spot, 3);
                self.piles_tick = Some(tick);
            }
            return;
        }
        if self.piles_pending.is_none()
            && self.cfg.agents.capacity <= 65_536
            && self.piles_tick.is_none_or(|t| tick >= t + 60)
        {
            let bytes = u64::from(self.cfg.agents.capacity) * size_of::<Agent>() as u64;
            let pending = self.world.request_sections(&[(Section::Agents, 0, bytes)]);
            self.piles_pending = Some((tick, pending));
        }
        let Some((asked_at, pending)) = &self.piles_pending else {
            return;
        };
        match self.world.poll_sections(pending) {
            None => {}
            Some(Ok(parts)) => {
                let agents = bytemuck::pod_collect_to_vec::<u8, Agent>(&parts[0]);
                self.piles = piles(&alive(&agents), spot, 3);
                self.piles_tick = Some(*asked_at);
                self.piles_pending = None;
            }
            Some(Err(_)) => self.piles_pending = None,
        }
    }

    /// Births and deaths that arrived, then a sample of the lineages at the newest metrics
    /// row's tick (the events come with the rows, so they describe the same ticks).
    fn take_family_events(&mut self, tick: Option<f64>) {
        let (mut events, _lost) = self.world.take_events();
        self.family.record(&mut events);
        if let Some(t) = tick {
            self.family.sample(t);
        }
    }

    /// One frame's worth of simulation while playing; `frame_budget_s` steers max speed.
    pub fn frame(&mut self, last_frame_s: f64) -> Result<()> {
        if !self.playing {
            return Ok(());
        }
        if self.max_speed {
            // Grow while frames are quick, shrink when they are slow: ~30 fps of UI.
            if last_frame_s < 0.025 {
                self.ticks_per_frame = (self.ticks_per_frame.saturating_mul(2)).min(4096);
            } else if last_frame_s > 0.045 {
                self.ticks_per_frame = (self.ticks_per_frame / 2).max(1);
            }
        }
        self.step(u64::from(self.ticks_per_frame))
    }

    /// Start again from tick 0 with `seed`, taking any pending structural edit.
    pub fn reset(&mut self, seed: u64) -> Result<()> {
        let mut cfg = self.pending.take().unwrap_or_else(|| self.cfg.clone());
        cfg.seed = seed;
        let state = State::try_new(&cfg).map_err(anyhow::Error::msg)?;
        self.replace(cfg, state)
    }

    fn replace(&mut self, cfg: Config, state: State) -> Result<()> {
        self.world = make_world(&cfg, &state, self.ctx.as_ref())?;
        self.family =
            super::family::Families::from_agents(&state.agents, crate::lineage::Grouping::of(&cfg));
        self.generation += 1;
        self.cfg = cfg;
        self.history.clear();
        self.selection = None;
        self.agent_view = None;
        self.bot_view = None;
        self.inspecting = None;
        // Reads asked of the old world, and what they found, do not describe the new one.
        self.piles_pending = None;
        self.piles.clear();
        self.piles_tick = None;
        self.highlight_lineage = None;
        self.speed_window = (Instant::now(), self.world.tick());
        self.notice = None;
        Ok(())
    }

    /// Apply an edited config: live when only safe fields changed, else held for a reset.
    /// An invalid config is refused with the validator's messages and changes nothing.
    pub fn apply_config(&mut self, new: Config) -> Result<Applied, Vec<String>> {
        crate::world::validate(&new)?;
        let mut structural = self.cfg.structural_differences(&new);
        if Dims::new(&self.cfg) != Dims::new(&new) && structural.is_empty() {
            structural.push("sizes derived from the config (e.g. bots.steps_per_tick)".into());
        }
        if new.seed != self.cfg.seed {
            structural.push(format!("seed: {} → {}", self.cfg.seed, new.seed));
        }
        if new.scenario != self.cfg.scenario {
            structural.push("scenario (placements apply to a new world)".into());
        }
        if structural.is_empty() {
            self.world.set_config(&new);
            self.cfg = new;
            self.pending = None;
            Ok(Applied::Live)
        } else {
            self.pending = Some(new);
            Ok(Applied::OnReset(structural))
        }
    }

    /// Save the world as a checkpoint at `path`. A file already there is kept, moved aside
    /// to `<name>.replaced-<time>.silico`; returns where it went.
    pub fn save_checkpoint(&mut self, path: &Path) -> Result<Option<std::path::PathBuf>> {
        let state = self.world.state(&self.cfg)?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let kept = if path.exists() {
            Some(crate::runs::outdir::move_aside(path)?)
        } else {
            None
        };
        checkpoint::write(path, &self.cfg, &state)
            .with_context(|| format!("cannot write checkpoint {}", path.display()))?;
        Ok(kept)
    }

    /// Replace the world with a checkpoint's; the running world is untouched if it fails.
    pub fn load_checkpoint(&mut self, path: &Path) -> Result<()> {
        let (cfg, state) = checkpoint::read(path)?;
        let tick = state.tick();
        self.replace(cfg, state)?;
        self.pending = None;
        self.load_run_history(path, tick);
        Ok(())
    }

    /// A checkpoint inside a `silico run` directory (`DIR/final.silico` or
    /// `DIR/checkpoints/*.silico`) brings the run's metrics.csv into the charts.
    pub fn load_run_history(&mut self, checkpoint: &Path, tick: u64) {
        let dirs = checkpoint
            .ancestors()
            .skip(1)
            .take(2)
            .filter(|d| !d.as_os_str().is_empty());
        let dirs: Vec<&Path> = dirs.collect();
        if let Some(csv) = dirs
            .iter()
            .map(|d| d.join("metrics.csv"))
            .find(|p| p.is_file())
        {
            match self.history.load_csv(&csv, tick) {
                Ok(n) => self.inform(format!("charts: {n} rows from {}", csv.display())),
                Err(e) => self.warn(format!("charts start empty: {e}")),
            }
        }
        // The run's dead, for the ancestry of the living.
        if let Some(csv) = dirs
            .iter()
            .map(|d| d.join("lineage.csv"))
            .find(|p| p.is_file())
        {
            if let Ok(rows) = crate::lineage::read(&csv) {
                self.family.add_history(&rows, tick);
            }
        }
    }
}

/// Agents within one `spot`-sized square of the world, `min` or more of them: (their mean
/// position, how many).
pub fn piles(positions: &[[f32; 2]], spot: f32, min: u32) -> Vec<([f32; 2], u32)> {
    let mut spots: std::collections::HashMap<(i64, i64), ([f64; 2], u32)> = Default::default();
    for p in positions {
        let key = ((p[0] / spot).floor() as i64, (p[1] / spot).floor() as i64);
        let e = spots.entry(key).or_insert(([0.0; 2], 0));
        e.0[0] += f64::from(p[0]);
        e.0[1] += f64::from(p[1]);
        e.1 += 1;
    }
    let mut out: Vec<([f32; 2], u32)> = spots
        .into_values()
        .filter(|(_, n)| *n >= min)
        .map(|(s, n)| {
            (
                [(s[0] / f64::from(n)) as f32, (s[1] / f64::from(n)) as f32],
                n,
            )
        })
        .collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0[0].total_cmp(&b.0[0])));
    out
}

fn make_world(cfg: &Config, state: &State, ctx: Option<&GpuContext>) -> Result<World> {
    Ok(match ctx {
        Some(ctx) => {
            let mut w = World::on_context(ctx.clone(), cfg, state)?;
            w.collect_events(true);
            w
        }
        None => World::new(cfg, state.clone(), crate::sim::BackendKind::Cpu)?,
    })
}

#[cfg(test)]
mod pile_tests {
    #[test]
    fn agents_on_one_spot_make_a_pile_and_scattered_ones_do_not() {
        let mut pos = vec![[10.1, 10.2]; 4];
        pos.push([10.3, 10.0]);
        pos.extend((0..20).map(|k| [30.0 + 3.0 * k as f32, 50.0]));
        pos.extend([[90.0, 90.0], [90.2, 90.1], [90.1, 90.3]]);
        let piles = super::piles(&pos, 2.0, 3);
        assert_eq!(piles.len(), 2, "{piles:?}");
        assert_eq!(piles[0].1, 5);
        assert!((piles[0].0[0] - 10.14).abs() < 1e-4 && (piles[0].0[1] - 10.16).abs() < 1e-4);
        assert_eq!(piles[1].1, 3);
    }
}
