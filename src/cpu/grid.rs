//! Reference of shaders/grid.wgsl: the neighbour grid's GRID_LEVELS nested levels, rebuilt
//! every tick by count -> exclusive prefix scan -> scatter. Within a bucket the GPU's order
//! is arbitrary (atomics); nothing downstream depends on it. The level arithmetic is that
//! of shaders/common.wgsl.

use rayon::prelude::*;

use crate::world::{Params, Scratch, State, GRID_LEVELS, NONE};

pub fn grid_level_dim(p: &Params, level: u32) -> u32 {
    p.grid_dim << (2 * level)
}

pub fn grid_level_cell_size(p: &Params, level: u32) -> f32 {
    p.grid_cell_size / (1u32 << (2 * level)) as f32
}

/// By a multiplication, as the shaders do (common.wgsl says why).
pub fn grid_coords(p: &Params, level: u32, pos: [f32; 2]) -> [u32; 2] {
    let g = grid_level_dim(p, level);
    let per_unit = p.grid_cells_per_unit * (1u32 << (2 * level)) as f32;
    [
        ((pos[0] * per_unit) as u32).min(g - 1),
        ((pos[1] * per_unit) as u32).min(g - 1),
    ]
}

/// Of the world's size: far above the rounding of positions and cell bounds, so that grid
/// searches that bound distances by cells never drop a candidate.
pub const GRID_ROUNDING_MARGIN: f32 = 1.0 / 1_048_576.0;

/// The next dx of ring r's row dy: every dx of its top and bottom rows, the two ends of the
/// others.
fn ring_next_dx(dx: i32, dy: i32, r: i32) -> i32 {
    if dy.abs() != r && dx == -r {
        r
    } else {
        dx + 1
    }
}

/// The last ring a search of a g-wide level of cells can need.
pub fn max_ring(g: i32) -> i32 {
    ((g - 1) / 2).max(g / 2)
}

/// Each cell of ring r around cell `own` of a g-wide level, as (offset, wrapped cell), to
/// `visit`. Offsets stay in [-(g-1)/2, g/2], so over all rings every cell comes once, even
/// where rings wrap around the torus. `near` (each axis -1 or 1) is the side the ring is
/// walked from: the rows and columns on that side come first. The shaders walk the same
/// cells in the same order (`ring_next_dx`, `grid_wrap` in common.wgsl). Plain loops and a
/// callback, not an iterator: the neighbour search runs this for every agent, and an
/// iterator chain here cost it a tenth of its time.
#[inline]
pub fn for_ring_cells(
    own: [i32; 2],
    r: i32,
    g: i32,
    near: [i32; 2],
    mut visit: impl FnMut([i32; 2], [u32; 2]),
) {
    let (lo, hi) = (-((g - 1) / 2), g / 2);
    for ry in -r..=r {
        let dy = -near[1] * ry;
        if !(lo..=hi).contains(&dy) {
            continue;
        }
        let mut rx = -r;
        while rx <= r {
            let dx = -near[0] * rx;
            rx = ring_next_dx(rx, ry, r);
            if (lo..=hi).contains(&dx) {
                visit(
                    [dx, dy],
                    [wrap_cell(own[0] + dx, g), wrap_cell(own[1] + dy, g)],
                );
            }
        }
    }
}

/// `v.rem_euclid(g)` for v in (-g, 2g), as a ring's cells lie, without a division.
#[inline]
fn wrap_cell(v: i32, g: i32) -> u32 {
    (if v < 0 {
        v + g
    } else if v >= g {
        v - g
    } else {
        v
    }) as u32
}

/// Index into grid_counts / grid_start of the bucket holding cell `c` of a level: above
/// level 0, the cell's level-0 ancestor then its 4×4 sub-cell at each level below, folded
/// into the level's buckets (common.wgsl explains why).
pub fn grid_bucket(p: &Params, level: u32, c: [u32; 2]) -> u32 {
    if level == 0 {
        return c[1] * p.grid_dim + c[0];
    }
    let shift = 2 * level;
    let mut key = (c[1] >> shift) * p.grid_dim + (c[0] >> shift);
    for l in 1..=level {
        let down = 2 * (level - l);
        key = key * 16 + ((c[1] >> down) & 3) * 4 + ((c[0] >> down) & 3);
    }
    first_bucket(p, level) + (key & (p.grid_hash_buckets - 1))
}

/// The first bucket of a level: level 0's cells, then `grid_hash_buckets` per level.
fn first_bucket(p: &Params, level: u32) -> u32 {
    match level {
        0 => 0,
        _ => p.grid_dim * p.grid_dim + (level - 1) * p.grid_hash_buckets,
    }
}

/// The first bucket of each level, and one past the last level's last.
fn level_buckets(p: &Params) -> [usize; GRID_LEVELS + 1] {
    std::array::from_fn(|l| first_bucket(p, l as u32) as usize)
}

/// `v` cut at each of `bounds` (increasing, relative to v's start), a piece per level.
fn by_level<'a, T>(v: &'a mut [T], bounds: &[usize]) -> Vec<&'a mut [T]> {
    let mut pieces = Vec::with_capacity(GRID_LEVELS);
    let mut rest = v;
    let mut at = 0;
    for &b in bounds {
        let (piece, tail) = rest.split_at_mut(b - at);
        pieces.push(piece);
        rest = tail;
        at = b;
    }
    pieces
}

/// Agents a task of the grid's passes takes at least.
const AGENTS_PER_TASK: usize = 4096;

/// Each alive agent's bucket at every level (computed in parallel), then each level's
/// counts by one task per level; the counts are integers, so the split does not matter.
pub fn grid_count(p: &Params, st: &State, sc: &mut Scratch) {
    let cap = p.capacity as usize;
    let (k, kb) = (p.view_agents as usize, p.view_bots as usize);
    let cells: Vec<[u32; GRID_LEVELS]> = st
        .agents
        .par_iter()
        .with_min_len(AGENTS_PER_TASK)
        .map(|a| {
            let mut c = [NONE; GRID_LEVELS];
            if a.alive != 0 {
                for (l, c) in c.iter_mut().enumerate() {
                    *c = grid_bucket(p, l as u32, grid_coords(p, l as u32, a.pos));
                }
            }
            c
        })
        .collect();
    for (l, level) in sc.agent_cell.chunks_mut(cap).enumerate() {
        for (dst, c) in level.iter_mut().zip(&cells) {
            *dst = c[l];
        }
    }
    // The neighbour search only visits agents in the grid: a dead one sees nothing.
    for (i, c) in cells.iter().enumerate() {
        if c[0] == NONE {
            sc.neighbor_list[i * k..(i + 1) * k].fill(NONE);
            sc.bot_neighbor_list[i * kb..(i + 1) * kb].fill(NONE);
        }
    }
    let first = level_buckets(p);
    let counts = by_level(&mut sc.grid_counts, &first[1..]);
    counts.into_par_iter().enumerate().for_each(|(l, counts)| {
        for c in &cells {
            if c[l] != NONE {
                counts[c[l] as usize - first[l]] += 1;
            }
        }
    });
}

pub fn grid_scan(_p: &Params, sc: &mut Scratch) {
    let mut sum = 0u32;
    for (i, c) in sc.grid_counts.iter().enumerate() {
        sc.grid_start[i] = sum;
        sum += c;
    }
    let n = sc.grid_counts.len();
    sc.grid_start[n] = sum;
}

/// Uses grid_counts as the per-bucket cursor, as the GPU does after clearing it. A task
/// per level (each level's buckets, and so its items, are a range of their own), each in
/// slot order as one loop over all levels would be.
pub fn grid_scatter(p: &Params, st: &State, sc: &mut Scratch) {
    let cap = p.capacity as usize;
    let first = level_buckets(p);
    // The items of a level start where its first bucket does.
    let item_bounds: Vec<usize> = first[1..]
        .iter()
        .map(|&b| sc.grid_start[b] as usize)
        .collect();
    let counts = by_level(&mut sc.grid_counts, &first[1..]);
    let items = by_level(&mut sc.grid_items, &item_bounds);
    let positions = by_level(&mut sc.grid_pos, &item_bounds);
    let (start, agent_cell) = (&sc.grid_start, &sc.agent_cell);
    // The counts start from zero again (the schedule clears them): each cell's cursor.
    counts
        .into_par_iter()
        .zip(items)
        .zip(positions)
        .enumerate()
        .for_each(|(l, ((counts, items), positions))| {
            let items_from = if l == 0 { 0 } else { item_bounds[l - 1] };
            for i in 0..cap {
                let b = agent_cell[l * cap + i];
                if b == NONE {
                    continue;
                }
                let b = b as usize;
                let slot = (start[b] + counts[b - first[l]]) as usize - items_from;
                counts[b - first[l]] += 1;
                items[slot] = i as u32;
                positions[slot] = st.agents[i].pos;
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Over all rings, every cell of a g-wide level comes exactly once, at the offset that
    /// wraps to it, from any cell and either side, wide levels and narrow ones alike.
    #[test]
    fn rings_cover_every_cell_once() {
        for g in 1..=12 {
            for own in [[0, 0], [g - 1, 0], [g / 2, g - 1], [1 % g, g / 3]] {
                for near in [[-1, -1], [1, -1], [-1, 1], [1, 1]] {
                    let mut seen = vec![0u32; (g * g) as usize];
                    for r in 0..=max_ring(g) {
                        for_ring_cells(own, r, g, near, |d, c| {
                            assert!(
                                d[0].abs().max(d[1].abs()) == r,
                                "g {g}: {d:?} not on ring {r}"
                            );
                            for axis in 0..2 {
                                let expect = (own[axis] + d[axis]).rem_euclid(g) as u32;
                                assert_eq!(c[axis], expect, "g {g}, own {own:?}, offset {d:?}");
                            }
                            seen[(c[1] * g as u32 + c[0]) as usize] += 1;
                        });
                    }
                    assert!(
                        seen.iter().all(|&n| n == 1),
                        "g {g}, own {own:?}, near {near:?}: {seen:?}"
                    );
                }
            }
        }
    }
}
