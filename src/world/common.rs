//! The Rust mirrors of shaders/common.wgsl's helpers (same names, same math), which the
//! CPU passes, the initial world and the tests share. WGSL functions that need the
//! `params` uniform take `p: &Params` here.

use super::{from_fixed, Agent, AgentTick, Cell, CellAcc, Params, TICK_DIED};

pub fn wrap_coord(p: &Params, x: f32) -> f32 {
    let w = p.world_size;
    let mut y = x - (x / w).floor() * w;
    if y >= w {
        y -= w;
    }
    if y < 0.0 {
        y = 0.0;
    }
    y
}

/// How far an agent moved, bounded from above without a square root: |dx| + |dy| of the
/// wrapped step.
pub fn moved_units(p: &Params, from: [f32; 2], to: [f32; 2]) -> f32 {
    wrap_delta(p, to[0] - from[0]).abs() + wrap_delta(p, to[1] - from[1]).abs()
}

pub fn wrap_delta(p: &Params, d: f32) -> f32 {
    let w = p.world_size;
    let h = 0.5 * w;
    let mut r = d;
    if r >= h {
        r -= w;
    }
    if r < -h {
        r += w;
    }
    r
}

pub fn cell_index_of(p: &Params, pos: [f32; 2]) -> usize {
    let n = p.map_size;
    let cx = ((pos[0] / p.cell_size) as u32).min(n - 1);
    let cy = ((pos[1] / p.cell_size) as u32).min(n - 1);
    (cy * n + cx) as usize
}

pub fn float_to_ordered(f: f32) -> u32 {
    let b = f.to_bits();
    if b & 0x8000_0000 != 0 {
        !b
    } else {
        b | 0x8000_0000
    }
}

pub fn ordered_to_float(u: u32) -> f32 {
    if u & 0x8000_0000 != 0 {
        f32::from_bits(u & 0x7fff_ffff)
    } else {
        f32::from_bits(!u)
    }
}

/// What one eater gets from a cell with `eaters` eaters: eat_rate of the cell's energy each,
/// scaled down when together they would take more than is there.
pub fn eat_share(p: &Params, cell_energy: f32, eaters: u32) -> f32 {
    cell_energy * p.eat_rate.min(1.0 / eaters as f32)
}

/// An agent whose energy is gone dies; its record keeps the energy it died with (≤ 0).
pub fn die_if_spent(a: &mut Agent, t: &mut AgentTick) {
    if a.energy <= 0.0 {
        a.alive = 0;
        t.flags |= TICK_DIED;
        t.death_energy = a.energy;
    }
}

/// A cell after a step's eaters and terraforming sums (agents' or bots'); returns what the
/// eaters took: exactly what they got, so eating never creates energy by rounding.
pub fn take_from_cell(p: &Params, cell: &mut Cell, acc: &CellAcc) -> f32 {
    let mut eaten = 0.0;
    if acc.eaters > 0 {
        eaten = acc.eaters as f32 * eat_share(p, cell.energy, acc.eaters);
        cell.energy -= eaten;
    }
    let t = acc.terraform.map(from_fixed);
    cell.energy_gain = (cell.energy_gain + t[0]).clamp(0.0, p.energy_gain_clip);
    cell.move_cost = (cell.move_cost + t[1]).max(0.0);
    cell.push_cost = (cell.push_cost + t[2]).max(0.0);
    cell.message_cost = (cell.message_cost + t[3]).max(0.0);
    cell.reproduce_cost = (cell.reproduce_cost + t[4]).max(0.0);
    eaten
}

/// [departure] a received message (or program) moves toward the gate-weighted mean of what
/// was sent: `sum` is the sum of gate * message, `gate` the sum of gates. JaxLife adds every
/// sender's full difference, which overshoots and diverges once the gates sum above 2.
pub fn pulled(current: f32, sum: f32, gate: f32) -> f32 {
    current + (sum - current * gate) * (1.0 / gate.max(1.0))
}

pub use super::tanh::{safe_tanh, safe_tanh_all};

/// What a terraform action does under `controls.terraform` (WGSL `terraform_act`).
pub fn terraform_act(p: &Params, v: f32) -> f32 {
    if p.terraform_on != 0 {
        v
    } else {
        0.0
    }
}

/// Bits of a credit mark that hold the agent's slot (capacity is at most 2^22).
pub const CREDIT_SLOT_BITS: u32 = 23;
pub const CREDIT_SLOT_MASK: u32 = (1 << CREDIT_SLOT_BITS) - 1;

/// An agent's claim on what it raised or programmed this tick (WGSL `credit_mark`): the
/// largest mark wins, so its high bits, a draw per (tick, slot) from the seed, pick one of
/// the agents on a shared spot at random, and its low bits break the rare tie (1 in 512)
/// toward the lower slot. Never 0, which means "nobody".
pub fn credit_mark(rng: &crate::rng::Rng, tick: u32, slot: u32) -> u32 {
    let priority = rng.u32(tick, 0, crate::rng::stream::CREDIT, slot) >> CREDIT_SLOT_BITS;
    (priority << CREDIT_SLOT_BITS) | (CREDIT_SLOT_MASK - slot)
}

/// The slot a credit mark names (WGSL `credit_slot`).
pub fn credit_slot(mark: u32) -> usize {
    (CREDIT_SLOT_MASK - (mark & CREDIT_SLOT_MASK)) as usize
}

/// How much of a hit reaches an entity at offset `[dx, dy]`: e^(−decay·(distance + 0.1)),
/// as `contact` weighs it.
pub fn hit_reach(p: &Params, [dx, dy]: [f32; 2]) -> f32 {
    let norm = (dx * dx + dy * dy).sqrt() + 0.1;
    (-p.hit_distance_decay * norm).exp()
}

/// The hit an actor holding `energy` deals (WGSL `given_hit`): its action, except that
/// under `ecology.honest_gifts` a gift (a negative hit) is scaled down so that what all it
/// reaches receive, `-hit · hit_strength · reach`, is at most what it holds (`reach` is
/// the sum of `hit_reach` over them).
pub fn given_hit(p: &Params, hit: f32, energy: f32, reach: f32) -> f32 {
    if p.honest_gifts == 0 || hit >= 0.0 {
        return hit;
    }
    let total = -hit * p.hit_strength * reach;
    let held = energy.max(0.0);
    if total > held {
        hit * (held / total)
    } else {
        hit
    }
}

/// What an actor gains from its own hits, whose sizes sum to `hit_total` (WGSL
/// `hit_income`): a share of what it took from others, or under `ecology.honest_gifts`
/// minus what it gave away.
pub fn hit_income(p: &Params, hit: f32, hit_total: f32) -> f32 {
    if p.honest_gifts != 0 && hit < 0.0 {
        hit_total
    } else {
        hit_total * p.hit_steal_fraction
    }
}

/// The food patches' centres (in cells) at `tick` (`ecology.food_patches`): drawn from the
/// seed afresh every `food_patch_period_ticks`, or once. Computed once per tick; the WGSL
/// `in_food_patch` draws them per cell, the same draws.
pub fn food_patch_centres(p: &Params, rng: &crate::rng::Rng, tick: u32) -> Vec<[f32; 2]> {
    let epoch = tick.checked_div(p.food_patch_period_ticks).unwrap_or(0);
    let size = p.map_size as f32;
    (0..p.food_patches)
        .map(|k| {
            let draw = |i| rng.uniform(epoch, k, crate::rng::stream::FOOD_PATCH, i) * size;
            [draw(0), draw(1)]
        })
        .collect()
}

/// Whether cell (x, y) grows food (WGSL `in_food_patch`): always without patches, else
/// only within `food_patch_radius_cells` (on the torus) of a patch centre.
pub fn in_food_patch(p: &Params, centres: &[[f32; 2]], x: u32, y: u32) -> bool {
    if p.food_patches == 0 {
        return true;
    }
    let size = p.map_size as f32;
    let r2 = p.food_patch_radius_cells * p.food_patch_radius_cells;
    let torus = |a: f32, b: f32| {
        let d = (a - b).abs();
        d.min(size - d)
    };
    centres.iter().any(|&[cx, cy]| {
        let dx = torus(x as f32 + 0.5, cx);
        let dy = torus(y as f32 + 0.5, cy);
        dx * dx + dy * dy < r2
    })
}
