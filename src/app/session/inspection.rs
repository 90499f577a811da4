//! The session's selection and the inspector's data: picking the entity under the pointer,
//! reading its state back (from the GPU without a stall), and writing a bot's program.

use std::mem::size_of;

use anyhow::Result;

use super::{AgentInspection, BotInspection, Selection, Session};
use crate::program::{disassemble, selected_op, ProgramSpec, OPS};
use crate::sim::PendingReads;
use crate::world::{Agent, Bot, BotTick, Dims, Section, ACTION_LEN, NONE};

impl Session {
    /// Select the agent or bot nearest to a world position, within `radius_units`.
    pub fn select_at(&mut self, pos: [f32; 2], radius_units: f32) -> Result<Option<Selection>> {
        let world_size = self.cfg.world_size();
        let dist2 = |p: [f32; 2]| {
            let d = |a: f32, b: f32| {
                let d = (a - b).rem_euclid(world_size);
                d.min(world_size - d)
            };
            d(p[0], pos[0]).powi(2) + d(p[1], pos[1]).powi(2)
        };
        let mut best: Option<(f32, Selection)> = None;
        let agents: Vec<Agent> = bytemuck::pod_collect_to_vec(&self.world.read_section(
            Section::Agents,
            0,
            (self.cfg.agents.capacity as usize * std::mem::size_of::<Agent>()) as u64,
        )?);
        for (i, a) in agents.iter().enumerate().filter(|(_, a)| a.alive != 0) {
            let d = dist2(a.pos);
            if best.is_none_or(|(b, _)| d < b) {
                best = Some((d, Selection::Agent(i)));
            }
        }
        let bots: Vec<Bot> = bytemuck::pod_collect_to_vec(&self.world.read_section(
            Section::Bots,
            0,
            (self.cfg.bots.count as usize * std::mem::size_of::<Bot>()) as u64,
        )?);
        for (i, b) in bots.iter().enumerate() {
            let d = dist2(b.pos);
            if best.is_none_or(|(bd, _)| d < bd) {
                best = Some((d, Selection::Bot(i)));
            }
        }
        self.selection = best
            .filter(|(d, _)| *d <= radius_units * radius_units)
            .map(|(_, s)| s);
        self.refresh_inspection()?;
        Ok(self.selection)
    }

    pub fn select(&mut self, selection: Option<Selection>) -> Result<()> {
        self.selection = selection;
        self.refresh_inspection()
    }

    /// Read the selected entity back (it alone) now, waiting for the GPU; a dead agent
    /// stays shown as last seen.
    pub fn refresh_inspection(&mut self) -> Result<()> {
        self.inspecting = None;
        let Some(selection) = self.selection else {
            self.agent_view = None;
            self.bot_view = None;
            return Ok(());
        };
        let pending = self.request_inspection(selection);
        let parts = self.world.wait_sections(&pending)?;
        self.take_inspection(selection, parts)
    }

    /// Once a frame: show the inspection asked for last frame if it has arrived, and ask
    /// for the next. The GPU copies the entity's rows after the ticks already submitted,
    /// so the tick loop never waits for the inspector.
    pub fn update_inspection(&mut self) -> Result<()> {
        let Some(selection) = self.selection else {
            return self.refresh_inspection();
        };
        match self.inspecting.take() {
            Some((asked, pending)) if asked == selection => {
                match self.world.poll_sections(&pending) {
                    Some(parts) => self.take_inspection(selection, parts?)?,
                    None => {
                        self.inspecting = Some((asked, pending));
                        return Ok(());
                    }
                }
            }
            _ => {}
        }
        let pending = self.request_inspection(selection);
        self.inspecting = Some((selection, pending));
        Ok(())
    }

    fn request_inspection(&mut self, selection: Selection) -> PendingReads {
        let ranges = match selection {
            Selection::Agent(slot) => self.agent_ranges(slot),
            Selection::Bot(slot) => {
                let (bot, tick) = (size_of::<Bot>() as u64, size_of::<BotTick>() as u64);
                vec![
                    (Section::Bots, slot as u64 * bot, bot),
                    (Section::BotTick, slot as u64 * tick, tick),
                ]
            }
        };
        self.world.request_sections(&ranges)
    }

    fn take_inspection(&mut self, selection: Selection, parts: Vec<Vec<u8>>) -> Result<()> {
        match selection {
            Selection::Agent(slot) => {
                self.bot_view = None;
                self.agent_view = Some(self.agent_from(slot, parts)?);
            }
            Selection::Bot(slot) => {
                self.agent_view = None;
                self.bot_view = Some(self.bot_from(slot, parts)?);
            }
        }
        Ok(())
    }

    /// What the inspector reads of an agent: itself, its actions, recurrent state and
    /// neighbour lists, and for the JaxLife brain its observation row and genome.
    fn agent_ranges(&self, slot: usize) -> Vec<(Section, u64, u64)> {
        let dims = Dims::new(&self.cfg);
        // Rows of `stride` elements of `size` bytes, the first `len` of row `slot`.
        let row = |name, stride: usize, len: usize, size: usize| {
            (name, (slot * stride * size) as u64, (len * size) as u64)
        };
        let n = dims.brain_state_len;
        // Neighbour lists are rows of max(1, view) slots (a binding may not be empty).
        let (k, kb) = (dims.view_agents, dims.view_bots);
        let mut ranges = vec![
            row(Section::Agents, 1, 1, size_of::<Agent>()),
            row(Section::Actions, ACTION_LEN, ACTION_LEN, 4),
            row(Section::BrainState, n, n, 4),
            row(Section::NeighborList, k.max(1), k, 4),
            row(Section::BotNeighborList, kb.max(1), kb, 4),
        ];
        if self.cfg.brain.attention().is_some() {
            ranges.push(row(Section::Obs, dims.obs_len, dims.obs_len, 4));
            ranges.push(row(Section::Genomes, dims.genome_len, dims.genome_len, 4));
        }
        ranges
    }

    fn agent_from(&self, slot: usize, parts: Vec<Vec<u8>>) -> Result<AgentInspection> {
        let dims = Dims::new(&self.cfg);
        let mut parts = parts.into_iter();
        let mut next = || parts.next().unwrap_or_default();
        let agent_bytes = next();
        if agent_bytes.len() != size_of::<Agent>() {
            anyhow::bail!(
                "no agent slot {slot}: the world has {} (0 to {})",
                self.cfg.agents.capacity,
                self.cfg.agents.capacity.saturating_sub(1)
            );
        }
        let agent: Agent = bytemuck::pod_read_unaligned(&agent_bytes);
        let actions = bytemuck::pod_collect_to_vec(&next());
        let brain_state = bytemuck::pod_collect_to_vec(&next());
        let agents_seen: Vec<u32> = bytemuck::pod_collect_to_vec(&next());
        let bots_seen: Vec<u32> = bytemuck::pod_collect_to_vec(&next());
        let neighbors: Vec<usize> = agents_seen
            .iter()
            .filter(|&&n| n != NONE)
            .map(|&n| n as usize)
            .collect();
        let valid: Vec<bool> = agents_seen
            .iter()
            .chain(&bots_seen)
            .map(|&n| n != NONE)
            .collect();
        let attention = match self.cfg.brain.attention() {
            Some((hidden, heads)) => {
                let obs: Vec<f32> = bytemuck::pod_collect_to_vec(&next());
                let genome: Vec<f32> = bytemuck::pod_collect_to_vec(&next());
                let tensors = crate::world::brain::layout_for(&self.cfg);
                let net = crate::cpu::jaxlife_brain::Net {
                    genome: &genome,
                    tensors: &tensors,
                    hidden: hidden as usize,
                    heads: heads as usize,
                };
                // The cross-attention weights of this tick's observation, recomputed on
                // the CPU from the agent's own observation row and genome.
                net.cross_attention_weights(&obs, dims.terrain_len(), &valid, dims.view_agents)
            }
            None => Vec::new(),
        };
        Ok(AgentInspection {
            slot,
            agent,
            actions,
            brain_state,
            neighbors,
            attention,
        })
    }

    fn bot_from(&self, slot: usize, parts: Vec<Vec<u8>>) -> Result<BotInspection> {
        let (bot_bytes, tick_bytes) = match &parts[..] {
            [b, t] if b.len() == size_of::<Bot>() && t.len() == size_of::<BotTick>() => (b, t),
            _ => anyhow::bail!(
                "no bot slot {slot}: the world has {} bots",
                self.cfg.bots.count
            ),
        };
        let bot: Bot = bytemuck::pod_read_unaligned(bot_bytes);
        let tick: BotTick = bytemuck::pod_read_unaligned(tick_bytes);
        let op = OPS[selected_op(&bot.program)];
        Ok(BotInspection {
            slot,
            bot,
            tick,
            op,
            disassembly: disassemble(&bot.program, &bot.memory).to_string(),
        })
    }

    /// Write a new program into a bot from RON (`Rule(110)`, `Op(Copy)`, `Raw([...])`);
    /// the bot runs it from the next tick.
    pub fn write_program(&mut self, slot: usize, text: &str) -> Result<(), String> {
        let spec: ProgramSpec = ron::from_str(text.trim()).map_err(|e| {
            format!("not a program: {e}; write Rule(110), Op(Copy) or Raw([16 numbers])")
        })?;
        let mut errs = Vec::new();
        spec.check("program", &mut errs);
        if !errs.is_empty() {
            return Err(errs.join("; "));
        }
        let program = spec
            .assemble()
            .ok_or("Random is for scenarios; give a program")?;
        let mut bot: Bot = self
            .world
            .read_element(Section::Bots, slot)
            .map_err(|e| e.to_string())?
            .ok_or("no such bot")?;
        bot.program = program;
        self.world.write_element(Section::Bots, slot, &bot);
        self.refresh_inspection().map_err(|e| e.to_string())
    }
}
