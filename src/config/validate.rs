//! The config's own checks: every range and cross-field rule, each message naming the
//! field, the bad value and what is allowed. (The checks that need the world's layout are
//! in `world::check`.)

use super::*;

impl Config {
    /// Every range and cross-field rule; each message names the field, value and allowed
    /// range. The checks that need the world's layout (state size, brain tensors named by
    /// scenarios and per-layer mutation) are `world::validate`'s, which runs these first.
    pub fn validate(&self) -> Result<(), Vec<String>> {
        let mut errs = Vec::new();
        let mut r = |field: &str, v: f64, lo: f64, hi: f64| {
            if !(v.is_finite() && v >= lo && v <= hi) {
                errs.push(format!(
                    "{field} = {} is out of range: allowed {lo} ..= {hi}",
                    short(v)
                ));
            }
        };
        self.brain_world_agent_ranges(&mut r);
        self.cost_terrain_measure_ranges(&mut r);
        self.ecology_ranges(&mut r);
        self.cross_field_rules(&mut errs);
        if errs.is_empty() {
            self.scenario.validate(self, &mut errs);
        }
        if errs.is_empty() {
            Ok(())
        } else {
            Err(errs)
        }
    }

    fn brain_world_agent_ranges(&self, r: &mut impl FnMut(&str, f64, f64, f64)) {
        if let Brain::JaxLife { hidden, heads } = self.brain {
            r(
                "brain.hidden",
                hidden as f64,
                4.0,
                MAX_JAXLIFE_HIDDEN as f64,
            );
            r("brain.heads", heads as f64, 1.0, 16.0);
        }
        if let Brain::Compact { hidden } = self.brain {
            r(
                "brain.hidden",
                hidden as f64,
                MIN_COMPACT_HIDDEN as f64,
                MAX_COMPACT_HIDDEN as f64,
            );
        }
        let w = &self.world;
        r("world.map_size", w.map_size as f64, 4.0, 4096.0);
        r("world.cell_size", w.cell_size as f64, 0.125, 1024.0);
        let a = &self.agents;
        r("agents.capacity", a.capacity as f64, 1.0, 4_194_304.0);
        r("agents.initial_energy", a.initial_energy as f64, 1e-3, 1e6);
        r("agents.child_energy", a.child_energy as f64, 1e-3, 1e6);
        r(
            "agents.terrain_view_range",
            a.terrain_view_range as f64,
            0.0,
            MAX_TERRAIN_VIEW_RANGE as f64,
        );
        r(
            "agents.view_agents",
            a.view_agents as f64,
            0.0,
            MAX_VIEW_AGENTS as f64,
        );
        r(
            "agents.view_bots",
            a.view_bots as f64,
            0.0,
            MAX_VIEW_BOTS as f64,
        );
        r("agents.view_radius", a.view_radius as f64, 0.0, 1e9);
        r("agents.move_speed", a.move_speed as f64, 0.0, 1e3);
        r("agents.push_speed", a.push_speed as f64, 0.0, 1e3);
        r("agents.hit_strength", a.hit_strength as f64, 0.0, 1e3);
        r(
            "agents.hit_distance_decay",
            a.hit_distance_decay as f64,
            0.0,
            1e3,
        );
        r(
            "agents.hit_steal_fraction",
            a.hit_steal_fraction as f64,
            0.0,
            1.0,
        );
        r("agents.eat_rate", a.eat_rate as f64, 0.0, 1.0);
        r("agents.terraform_rate", a.terraform_rate as f64, 0.0, 10.0);
        r("agents.age_speed", a.age_speed as f64, 0.0, 1e3);
    }

    fn cost_terrain_measure_ranges(&self, r: &mut impl FnMut(&str, f64, f64, f64)) {
        let c = &self.costs;
        for (name, v) in [
            ("costs.move_cost", c.move_cost),
            ("costs.push_cost", c.push_cost),
            ("costs.message_cost", c.message_cost),
            ("costs.max_reproduce_cost", c.max_reproduce_cost),
            ("costs.reproduce_factor", c.reproduce_factor),
            ("costs.hit_cost", c.hit_cost),
            ("costs.terraform_cost", c.terraform_cost),
            ("costs.life_cost", c.life_cost),
        ] {
            r(name, v as f64, 0.0, 1e6);
        }
        r("costs.age_cost", c.age_cost as f64, 1e-3, 1e9);
        let b = &self.bots;
        r("bots.count", b.count as f64, 0.0, 1_048_576.0);
        r("bots.steps_per_tick", b.steps_per_tick as f64, 0.0, 64.0);
        r("bots.initial_energy", b.initial_energy as f64, 0.0, 1e6);
        let t = &self.terrain;
        r("terrain.perlin_res", t.perlin_res as f64, 1.0, 64.0);
        r("terrain.weather_speed", t.weather_speed as f64, 0.0, 1.0);
        r("terrain.alpha", t.alpha as f64, 0.0, 1.0);
        r("terrain.max_energy", t.max_energy as f64, 0.0, 1e6);
        r("terrain.max_move_cost", t.max_move_cost as f64, 0.0, 1e6);
        r("terrain.max_push_cost", t.max_push_cost as f64, 0.0, 1e6);
        r(
            "terrain.max_energy_gain",
            t.max_energy_gain as f64,
            0.0,
            1e6,
        );
        r(
            "terrain.max_message_cost",
            t.max_message_cost as f64,
            0.0,
            1e6,
        );
        r(
            "terrain.max_reproduce_cost",
            t.max_reproduce_cost as f64,
            0.0,
            1e6,
        );
        r("terrain.gain_scaling", t.gain_scaling as f64, 1e-3, 1e6);
        r(
            "terrain.energy_gain_clip",
            t.energy_gain_clip as f64,
            0.0,
            1e6,
        );
        r(
            "terrain.season_period_ticks",
            t.season_period_ticks as f64,
            0.0,
            1e9,
        );
        r("mutation.sigma", self.mutation.sigma as f64, 0.0, 100.0);
        r(
            "mutation.init_sigma",
            self.mutation.init_sigma as f64,
            0.0,
            100.0,
        );
        r("mutation.rate", self.mutation.rate as f64, 0.0, 1.0);
        for (layer, sigma) in &self.mutation.layer_sigma {
            r(
                &format!("mutation.layer_sigma[\"{layer}\"]"),
                *sigma as f64,
                0.0,
                100.0,
            );
        }
        r("metrics_every", self.metrics_every as f64, 1.0, 1e9);
        r(
            "measures.saliency_every",
            self.measures.saliency_every as f64,
            0.0,
            1e9,
        );
        r(
            "measures.influence_every",
            self.measures.influence_every as f64,
            0.0,
            1e9,
        );
        r(
            "measures.kin_generations",
            self.measures.kin_generations as f64,
            0.0,
            1e6,
        );
        r(
            "measures.kin_ticks",
            self.measures.kin_ticks as f64,
            0.0,
            1e9,
        );

        r(
            "measures.cultivated_gain",
            self.measures.cultivated_gain as f64,
            0.0,
            1e3,
        );
    }

    fn ecology_ranges(&self, r: &mut impl FnMut(&str, f64, f64, f64)) {
        let e = &self.ecology;
        r(
            "ecology.respawn_below",
            e.respawn_below as f64,
            0.0,
            self.agents.capacity as f64,
        );
        r(
            "ecology.crowding_limit",
            e.crowding_limit as f64,
            0.0,
            MAX_VIEW_AGENTS as f64,
        );
        r(
            "ecology.crowding_radius",
            e.crowding_radius as f64,
            0.0,
            1e9,
        );
        r("ecology.id_drift", e.id_drift as f64, 0.0, 1.0);
        r(
            "ecology.stranger_eat_fraction",
            e.stranger_eat_fraction as f64,
            0.0,
            1.0,
        );
        r(
            "ecology.food_patches",
            e.food_patches as f64,
            0.0,
            MAX_FOOD_PATCHES as f64,
        );
        r(
            "ecology.food_patch_radius_cells",
            e.food_patch_radius_cells as f64,
            0.5,
            self.world.map_size as f64,
        );
        r("ecology.bot_kin_share", e.bot_kin_share as f64, 0.0, 1.0);
        r(
            "ecology.food_patch_period_ticks",
            e.food_patch_period_ticks as f64,
            0.0,
            1e9,
        );
    }

    /// The rules between fields.
    fn cross_field_rules(&self, errs: &mut Vec<String>) {
        let (a, t, w) = (&self.agents, &self.terrain, &self.world);
        if self.measures.kin_generations != 0 && self.measures.kin_ticks != 0 {
            errs.push(format!(
                "measures.kin_ticks = {} and measures.kin_generations = {} are both set: kin groups are rooted by time or by generations, not both; set one of them to 0",
                self.measures.kin_ticks, self.measures.kin_generations
            ));
        }
        // Bounded by agents.capacity; say so rather than print a bare number. Values left
        // out follow the capacity and are always in range.
        if let Some(min) = a.min_agents.filter(|m| *m > a.capacity) {
            errs.push(format!(
                "agents.min_agents = {min} is out of range: allowed 0 (never respawn) ..= agents.capacity ({}); leave it out to respawn a quarter of the capacity",
                a.capacity
            ));
        }
        if let Some(initial) = a.initial_agents.filter(|n| *n > a.capacity) {
            errs.push(format!(
                "agents.initial_agents = {initial} is out of range: allowed 0 ..= agents.capacity ({}); leave it out to fill every free slot",
                a.capacity
            ));
        }
        if t.kind == TerrainKind::Perlin && t.max_energy <= 0.0 {
            errs.push("terrain.max_energy = 0 with terrain.kind = Perlin: relaxation speed is base.max_energy / max_energy; use a positive value".into());
        }
        if w.map_size > 0 && t.perlin_res > w.map_size {
            errs.push(format!(
                "terrain.perlin_res = {} is larger than world.map_size = {}: use at most map_size",
                t.perlin_res, w.map_size
            ));
        }
        if let Brain::JaxLife { hidden, heads } = self.brain {
            if heads > 0 && hidden % (4 * heads) != 0 {
                errs.push(format!(
                    "brain.hidden = {hidden} with brain.heads = {heads}: hidden must be a multiple of 4 x heads (each head's width a multiple of 4)"
                ));
            }
        }
        if let Brain::Compact { hidden } = self.brain {
            if hidden % 4 != 0 {
                errs.push(format!(
                    "brain.hidden = {hidden}: the Compact brain's hidden width must be a multiple of 4"
                ));
            }
        }
        let cells = w.map_size as u64 * w.map_size as u64;
        if cells > 16_777_216 {
            errs.push(format!(
                "world.map_size = {} gives {cells} cells: at most 4096 per side",
                w.map_size
            ));
        }
    }
}

impl Scenario {
    pub(super) fn validate(&self, cfg: &Config, errs: &mut Vec<String>) {
        let world = cfg.world_size();
        // A row's start must lie in the world and its step be finite (it wraps from there).
        let check_row = |f: &str, pos: [f32; 2], step: [f32; 2], errs: &mut Vec<String>| {
            let pos_ok = pos.iter().all(|v| v.is_finite() && *v >= 0.0 && *v < world);
            if !pos_ok || !step.iter().all(|v| v.is_finite()) {
                errs.push(format!(
                    "{f}.pos = {pos:?} (step {step:?}): positions lie in 0 ..< {world} (world.map_size x world.cell_size)"
                ));
            }
        };
        let placed = self.placed_agents();
        if placed + cfg.initial_agents() as u64 > cfg.agents.capacity as u64 {
            errs.push(format!(
                "scenario.agents place {placed} agents and agents.initial_agents adds {}: together at most agents.capacity ({})",
                cfg.initial_agents(), cfg.agents.capacity
            ));
        }
        for (k, a) in self.agents.iter().enumerate() {
            let f = format!("scenario.agents[{k}]");
            check_row(&f, a.pos, a.step, errs);
            if let Some(e) = a.energy {
                if !(e.is_finite() && e > 0.0) {
                    errs.push(format!("{f}.energy = {e}: must be positive"));
                }
            }
        }
        let placed = self.placed_bots();
        if placed > cfg.bots.count as u64 {
            errs.push(format!(
                "scenario.bots place {placed} bots: at most bots.count ({}); raise bots.count",
                cfg.bots.count
            ));
        }
        for (k, b) in self.bots.iter().enumerate() {
            let f = format!("scenario.bots[{k}]");
            check_row(&f, b.pos, b.step, errs);
            if let Some(e) = b.energy {
                if !(e.is_finite() && e >= 0.0) {
                    errs.push(format!("{f}.energy = {e}: must be 0 or more"));
                }
            }
            b.program.check(&format!("{f}.program"), errs);
            b.memory.check(&format!("{f}.memory"), errs);
        }
        for (k, b) in self.bits.iter().enumerate() {
            let n = cfg.world.map_size;
            if b.cell[0] >= n || b.cell[1] >= n {
                errs.push(format!(
                    "scenario.bits[{k}].cell = {:?}: cells are 0 ..< world.map_size ({n})",
                    b.cell
                ));
            }
            if !(b.bit.is_finite() && (-1.0..=1.0).contains(&b.bit)) {
                errs.push(format!(
                    "scenario.bits[{k}].bit = {}: allowed -1 ..= 1",
                    b.bit
                ));
            }
        }
        if self.record_bits && cfg.bots.count == 0 {
            errs.push(
                "scenario.record_bits = true with bots.count = 0: there are no bits to record"
                    .into(),
            );
        }
    }
}

/// A value that came from an f32 prints as that f32 (0.2, not 0.20000000298023224).
fn short(v: f64) -> String {
    if v.is_finite() && (v as f32) as f64 == v {
        format!("{}", v as f32)
    } else {
        format!("{v}")
    }
}
