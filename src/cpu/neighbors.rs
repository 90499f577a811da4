//! Reference of shaders/neighbors.wgsl: each alive agent's exact K nearest other agents
//! (wrapped Euclidean distance, ties by slot) by ring expansion over the grid, and its
//! nearest bots by a scan of all bots.

use rayon::prelude::*;

use super::wrap_delta;
use crate::world::{Params, Scratch, State, NONE};

/// A sorted list of the best (distance², slot) pairs seen so far.
pub struct TopK {
    pub d2: [f32; 32],
    pub idx: [u32; 32],
    pub n: usize,
    pub k: usize,
}

impl TopK {
    pub fn new(k: usize) -> Self {
        Self {
            d2: [0.0; 32],
            idx: [NONE; 32],
            n: 0,
            k,
        }
    }

    pub fn insert(&mut self, d2: f32, j: u32) {
        if self.k == 0 {
            return;
        }
        if self.n == self.k {
            let l = self.n - 1;
            if !(d2 < self.d2[l] || (d2 == self.d2[l] && j < self.idx[l])) {
                return;
            }
        } else {
            self.n += 1;
        }
        let mut pos = self.n - 1;
        while pos > 0 {
            let (pd, pi) = (self.d2[pos - 1], self.idx[pos - 1]);
            if d2 < pd || (d2 == pd && j < pi) {
                self.d2[pos] = pd;
                self.idx[pos] = pi;
                pos -= 1;
            } else {
                break;
            }
        }
        self.d2[pos] = d2;
        self.idx[pos] = j;
    }
}

pub fn dist2(p: &Params, a: [f32; 2], b: [f32; 2]) -> f32 {
    let dx = wrap_delta(p, b[0] - a[0]);
    let dy = wrap_delta(p, b[1] - a[1]);
    dx * dx + dy * dy
}

pub fn neighbors(p: &Params, st: &State, sc: &mut Scratch) {
    let k = p.view_agents as usize;
    let kb = p.view_bots as usize;
    let g = p.grid_dim as i32;
    // Offsets in [lo, hi] visit each grid cell once, even when rings wrap around the torus.
    let lo = -((g - 1) / 2);
    let hi = g / 2;
    let max_ring = (-lo).max(hi);
    let r2max = p.view_radius * p.view_radius;
    let (grid_start, grid_items, grid_pos) = (&sc.grid_start, &sc.grid_items, &sc.grid_pos);
    let agents = &st.agents;
    let bots = &st.bots;
    let rows: Vec<(Vec<u32>, Vec<u32>)> = (0..agents.len())
        .into_par_iter()
        .map(|i| {
            let me = &agents[i];
            let mut near = vec![NONE; k.max(1)];
            let mut near_bots = vec![NONE; kb.max(1)];
            if me.alive == 0 {
                return (near, near_bots);
            }
            let mut top = TopK::new(k);
            let cell = super::grid::grid_cell_of(p, me.pos) as i32;
            let (cx, cy) = (cell % g, cell / g);
            let last_ring = if k == 0 { -1 } else { max_ring };
            for r in 0..=last_ring {
                for dy in -r..=r {
                    let mut dx = -r;
                    while dx <= r {
                        if dx >= lo && dx <= hi && dy >= lo && dy <= hi {
                            let x = (cx + dx).rem_euclid(g);
                            let y = (cy + dy).rem_euclid(g);
                            let c = (y * g + x) as usize;
                            for s in grid_start[c]..grid_start[c + 1] {
                                let j = grid_items[s as usize];
                                if j as usize == i {
                                    continue;
                                }
                                let d2 = dist2(p, me.pos, grid_pos[s as usize]);
                                if p.view_radius > 0.0 && d2 > r2max {
                                    continue;
                                }
                                top.insert(d2, j);
                            }
                        }
                        dx = if dy.abs() != r && dx == -r { r } else { dx + 1 };
                    }
                }
                // Agents in rings beyond r are at least r grid cells away.
                let bound = r as f32 * p.grid_cell_size;
                if top.n == k && top.d2[k.max(1) - 1] < bound * bound {
                    break;
                }
                if p.view_radius > 0.0 && bound > p.view_radius {
                    break;
                }
            }
            near[..top.n].copy_from_slice(&top.idx[..top.n]);
            let mut topb = TopK::new(kb);
            for (b, bot) in bots.iter().enumerate() {
                let d2 = dist2(p, me.pos, bot.pos);
                if p.view_radius > 0.0 && d2 > r2max {
                    continue;
                }
                topb.insert(d2, b as u32);
            }
            near_bots[..topb.n].copy_from_slice(&topb.idx[..topb.n]);
            (near, near_bots)
        })
        .collect();
    for (i, (near, near_bots)) in rows.into_iter().enumerate() {
        if k > 0 {
            sc.neighbor_list[i * k..(i + 1) * k].copy_from_slice(&near);
        }
        if kb > 0 {
            sc.bot_neighbor_list[i * kb..(i + 1) * kb].copy_from_slice(&near_bots);
        }
    }
}
