//! Reference of shaders/terrain.wgsl: weather and regrowth.
//! `terrain_weather` drifts the Perlin gradient angles and turns them into gradients;
//! `terrain_base` regenerates the base fields (raw noise for Perlin, with its min and max);
//! `terrain_apply` normalises them, relaxes each cell toward its base, regrows energy and
//! clips. The noise and the maps themselves are `world::terrain`'s, which the initial world
//! draws with too.

use rayon::prelude::*;

use crate::rng::{stream, Rng};
use crate::world::terrain::*;
use crate::world::{terrain_kind, Params, Scratch, State, WEATHER_FIELDS};

pub fn terrain_weather(p: &Params, rng: &Rng, st: &mut State, sc: &mut Scratch) {
    let tick = st.clock.tick;
    if p.terrain_kind == terrain_kind::PERLIN {
        for (i, a) in st.angles.iter_mut().enumerate() {
            *a += p.weather_speed * rng.uniform(tick, i as u32, stream::WEATHER, 0);
            sc.gradients[i] = gradient(*a);
        }
    }
    for f in 0..WEATHER_FIELDS {
        sc.minmax[f] = u32::MAX;
        sc.minmax[WEATHER_FIELDS + f] = 0;
    }
}

pub fn terrain_base(p: &Params, rng: &Rng, st: &mut State, sc: &mut Scratch) {
    let tick = st.clock.tick;
    base_for_tick(p, rng, &sc.gradients, tick, &mut st.base, &mut sc.minmax);
}

pub fn terrain_apply(p: &Params, rng: &Rng, st: &mut State, sc: &mut Scratch) {
    let normaliser = Normaliser::new(p, &sc.minmax);
    let centres = crate::world::common::food_patch_centres(p, rng, st.clock.tick);
    st.cells
        .par_iter_mut()
        .zip(st.base.par_iter_mut())
        .zip(sc.cell_tick.par_iter_mut())
        .zip(st.shadow_gain.par_iter_mut())
        .enumerate()
        .for_each(|(c, (((cell, b), t), shadow))| {
            if let Some(n) = &normaliser {
                n.apply(b);
            }
            let rate = if p.terrain_kind == terrain_kind::PERLIN {
                b.max_energy / p.terrain_max_energy * p.alpha
            } else {
                p.alpha
            };
            let before = cell.energy;
            cell.energy += cell.energy_gain - p.terrain_max_energy_gain / p.gain_scaling;
            for f in 0..WEATHER_FIELDS {
                let v = get_field(cell, f);
                set_field(cell, f, v + rate * (get_field(b, f) - v));
            }
            // Outside the food patches (ecology.food_patches) a cell holds no food.
            let (x, y) = (c as u32 % p.map_size, c as u32 / p.map_size);
            if !crate::world::common::in_food_patch(p, &centres, x, y) {
                cell.max_energy = 0.0;
            }
            cell.energy = cell.energy.clamp(0.0, cell.max_energy.max(0.0));
            cell.energy_gain = cell.energy_gain.clamp(0.0, p.energy_gain_clip);
            cell.move_cost = cell.move_cost.max(0.0);
            cell.push_cost = cell.push_cost.max(0.0);
            cell.message_cost = cell.message_cost.max(0.0);
            cell.reproduce_cost = cell.reproduce_cost.max(0.0);
            t.regrowth = cell.energy - before;
            // The weather-only gain follows the base as the cell's does, with no
            // terraforming.
            *shadow = (*shadow + rate * (b.energy_gain - *shadow)).clamp(0.0, p.energy_gain_clip);
        });
}
