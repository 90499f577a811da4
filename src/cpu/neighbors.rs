//! Reference of shaders/neighbors.wgsl: each alive agent's exact K nearest other agents
//! (wrapped Euclidean distance, ties by slot) by ring expansion over one level of the grid, and its
//! nearest bots by a scan of all bots.

use rayon::prelude::*;

use super::grid::{
    for_ring_cells, grid_bucket, grid_coords, grid_level_cell_size, grid_level_dim, max_ring,
    GRID_ROUNDING_MARGIN,
};
use super::wrap_delta;
use crate::world::{Params, Scratch, State, GRID_LEVELS, NONE};

/// The longest list: `agents.view_agents` at its largest.
const TOP_MAX: usize = crate::config::MAX_VIEW_AGENTS as usize;

/// A sorted list of the best (distance², slot) pairs seen so far.
pub struct TopK {
    pub d2: [f32; TOP_MAX],
    pub idx: [u32; TOP_MAX],
    pub n: usize,
    pub k: usize,
}

impl TopK {
    pub fn new(k: usize) -> Self {
        Self {
            d2: [0.0; TOP_MAX],
            idx: [NONE; TOP_MAX],
            n: 0,
            k,
        }
    }

    /// The search offers each agent at most once.
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

/// The last entry's squared distance of a full list, else infinity.
fn worst(top: &TopK) -> f32 {
    if top.n == top.k {
        top.d2[top.k - 1]
    } else {
        f32::INFINITY
    }
}

pub fn dist2(p: &Params, a: [f32; 2], b: [f32; 2]) -> f32 {
    let dx = wrap_delta(p, b[0] - a[0]);
    let dy = wrap_delta(p, b[1] - a[1]);
    dx * dx + dy * dy
}

/// Agents in the bucket holding cell `c` of a level: the cell's own at level 0, at least the
/// cell's above it (the shader says why that is enough).
fn bucket_count(p: &Params, sc: &Scratch, level: u32, c: [u32; 2]) -> u32 {
    let b = grid_bucket(p, level, c) as usize;
    sc.grid_start[b + 1] - sc.grid_start[b]
}

/// Squared distance from `pos` to the nearest point of the cell at offset (dx, dy) from the
/// agent's own cell, less a margin of many roundings (the shader explains why).
fn cell_gap2(p: &Params, pos: [f32; 2], own: [i32; 2], dx: i32, dy: i32, size: f32) -> f32 {
    let margin = p.world_size * GRID_ROUNDING_MARGIN;
    let gap = |lo: f32, x: f32| ((lo - x).max(x - lo - size) - margin).max(0.0);
    let gx = gap((own[0] + dx) as f32 * size, pos[0]);
    let gy = gap((own[1] + dy) as f32 * size, pos[1]);
    gx * gx + gy * gy
}

/// Exact K nearest by rings of cells around the agent's own cell at one level of the grid,
/// skipping cells wholly farther than a full list's last entry and, above level 0, a
/// bucket's items of other cells.
fn ring_search(p: &Params, sc: &Scratch, i: usize, pos: [f32; 2], level: u32, top: &mut TopK) {
    let g = grid_level_dim(p, level) as i32;
    let size = grid_level_cell_size(p, level);
    let own = grid_coords(p, level, pos);
    let own = [own[0] as i32, own[1] as i32];
    // The side of the own cell the agent is nearer to (neighbors.wgsl says why).
    let side = |axis: usize| {
        if pos[axis] - own[axis] as f32 * size < 0.5 * size {
            -1
        } else {
            1
        }
    };
    let near = [side(0), side(1)];
    for r in 0..=max_ring(g) {
        // A ring's cells lie within half the world of the agent while r < g/2.
        let prune = 2 * (r + 1) <= g;
        for_ring_cells(own, r, g, near, |d, c| {
            visit_cell(p, sc, i, pos, own, level, d, c, prune, size, top);
        });
        // Agents in rings beyond r are at least r cells away, less rounding.
        let reach = r as f32 * size - p.world_size * GRID_ROUNDING_MARGIN;
        if reach > 0.0 && worst(top) < reach * reach {
            break;
        }
        if p.view_radius > 0.0 && reach > p.view_radius {
            break;
        }
    }
}

/// One cell of a ring: skipped when wholly farther than a full list's last entry, else
/// each of its agents offered.
#[allow(clippy::too_many_arguments)]
#[inline]
fn visit_cell(
    p: &Params,
    sc: &Scratch,
    i: usize,
    pos: [f32; 2],
    own: [i32; 2],
    level: u32,
    [dx, dy]: [i32; 2],
    c: [u32; 2],
    prune: bool,
    size: f32,
    top: &mut TopK,
) {
    let r2max = p.view_radius * p.view_radius;
    if prune && cell_gap2(p, pos, own, dx, dy, size) > worst(top) {
        return;
    }
    let b = grid_bucket(p, level, c) as usize;
    for s in sc.grid_start[b] as usize..sc.grid_start[b + 1] as usize {
        let j = sc.grid_items[s];
        let q = sc.grid_pos[s];
        if j as usize == i || (level > 0 && grid_coords(p, level, q) != c) {
            continue;
        }
        let d2 = dist2(p, pos, q);
        if p.view_radius > 0.0 && d2 > r2max {
            continue;
        }
        top.insert(d2, j);
    }
}

/// Candidates the block search holds at most; a block holding more is left to the rings.
const BLOCK_CANDIDATES: usize = 128;

/// The agents of the 5×5 cells of level 0 around the agent's own (rings 0 to 2, whole,
/// each row of cells one run of the grid's items), each ranked by how many come before it
/// in (distance², slot) order: comparisons and sums with no branch on the data, where the
/// ring search's sorted insertion and pruning branch on every candidate and cell. Exact, as the ring search is, when the K-th entry lies nearer than any agent
/// outside the block can (the ring search's own stopping rule after ring 2); returns
/// false, with `top` untouched, when it is not, and the rings are searched instead.
fn block_search(p: &Params, sc: &Scratch, i: usize, pos: [f32; 2], top: &mut TopK) -> bool {
    let g = grid_level_dim(p, 0) as i32;
    let size = grid_level_cell_size(p, 0);
    let reach = 2.0 * size - p.world_size * GRID_ROUNDING_MARGIN;
    if g < 5 || reach <= 0.0 {
        return false;
    }
    let own = grid_coords(p, 0, pos);
    let (ox, oy) = (own[0] as i32, own[1] as i32);
    let mut ids = [u32::MAX; BLOCK_CANDIDATES];
    let mut at = [[0.0f32; 2]; BLOCK_CANDIDATES];
    let mut n = 0;
    let mut take = |first: i32, last: i32, y: i32| -> bool {
        let row = (y * g) as usize;
        let items = sc.grid_start[row + first as usize] as usize
            ..sc.grid_start[row + last as usize + 1] as usize;
        // Room kept for a vector's padding after the last.
        if n + items.len() > BLOCK_CANDIDATES - 8 {
            return false;
        }
        for s in items {
            let j = sc.grid_items[s];
            if j as usize != i {
                ids[n] = j;
                at[n] = sc.grid_pos[s];
                n += 1;
            }
        }
        true
    };
    for dy in -2..=2 {
        let y = (oy + dy).rem_euclid(g);
        let (x0, x1) = (ox - 2, ox + 2);
        let whole = if x0 < 0 {
            take(x0 + g, g - 1, y) && take(0, x1, y)
        } else if x1 >= g {
            take(x0, g - 1, y) && take(0, x1 - g, y)
        } else {
            take(x0, x1, y)
        };
        if !whole {
            return false;
        }
    }
    // Only candidates nearer than any agent outside the block can be in an exact list: K
    // of them make it exact, and so does a view that the block holds whole. Distances in a
    // loop of their own over the gathered positions, which vectorises where the gather's
    // runs do not (computed there, the large world's ticks ran 5% slower).
    let (reach2, r2max) = (reach * reach, p.view_radius * p.view_radius);
    let mut d2 = [f32::INFINITY; BLOCK_CANDIDATES];
    let mut near = [u32::MAX; BLOCK_CANDIDATES];
    let mut kept = 0;
    for m in 0..n {
        let d = dist2(p, pos, at[m]);
        d2[kept] = d;
        near[kept] = ids[m];
        kept += (d < reach2 && (p.view_radius <= 0.0 || d <= r2max)) as usize;
    }
    // The slot after the last kept one may hold a candidate not kept: pad it again.
    d2[kept] = f32::INFINITY;
    near[kept] = u32::MAX;
    let k = top.k;
    if kept < k && !(p.view_radius > 0.0 && reach > p.view_radius) {
        return false;
    }
    let ranks = ranks_of(&d2, &near, kept);
    // Ranks K and beyond go to a slot past the list.
    let mut d2_sorted = [0.0f32; TOP_MAX + 1];
    let mut idx_sorted = [NONE; TOP_MAX + 1];
    for m in 0..kept {
        let r = (ranks[m] as usize).min(k);
        d2_sorted[r] = d2[m];
        idx_sorted[r] = near[m];
    }
    let listed = kept.min(k);
    top.d2[..listed].copy_from_slice(&d2_sorted[..listed]);
    top.idx[..listed].copy_from_slice(&idx_sorted[..listed]);
    top.n = listed;
    true
}

/// Each of the first `n` candidates' rank: how many come before it in (distance², slot)
/// order. Slots are distinct, so the ranks are 0..n in some order.
#[multiversion::multiversion(targets("x86_64+avx2"))]
fn ranks_of(
    d2: &[f32; BLOCK_CANDIDATES],
    ids: &[u32; BLOCK_CANDIDATES],
    n: usize,
) -> [u32; BLOCK_CANDIDATES] {
    let mut ranks = [0u32; BLOCK_CANDIDATES];
    // Whole vectors: the padding (infinitely far, slot u32::MAX) comes before no one.
    let lanes = n.div_ceil(8) * 8;
    for m in 0..n {
        let (dm, im) = (d2[m], ids[m]);
        ranks[m] = d2[..lanes]
            .iter()
            .zip(&ids[..lanes])
            .map(|(&d, &j)| (d < dm || (d == dm && j < im)) as u32)
            .sum();
    }
    ranks
}

/// One alive agent's lists: its K nearest agents (by the ring search) and its nearest bots.
/// `pos` is the agent's position as the grid holds it (its record's, read where the
/// search's other reads are).
fn lists_of(
    p: &Params,
    st: &State,
    grid: &Scratch,
    i: usize,
    pos: [f32; 2],
    near: &mut [u32],
    near_bots: &mut [u32],
) {
    let (k, kb) = (near.len(), near_bots.len());
    let r2max = p.view_radius * p.view_radius;
    let mut top = TopK::new(k);
    if k > 0 {
        // The coarsest level at which the agent's own cell's bucket holds at most K
        // (the shader explains why).
        let mut level = 0u32;
        while (level as usize) + 1 < GRID_LEVELS
            && bucket_count(p, grid, level, grid_coords(p, level, pos)) > k as u32
        {
            level += 1;
        }
        if level > 0 || !block_search(p, grid, i, pos, &mut top) {
            ring_search(p, grid, i, pos, level, &mut top);
        }
    }
    near.fill(NONE);
    near[..top.n].copy_from_slice(&top.idx[..top.n]);
    let mut topb = TopK::new(kb);
    for (b, bot) in st.bots.iter().enumerate() {
        let d2 = dist2(p, pos, bot.pos);
        if p.view_radius > 0.0 && d2 > r2max {
            continue;
        }
        topb.insert(d2, b as u32);
    }
    near_bots.fill(NONE);
    near_bots[..topb.n].copy_from_slice(&topb.idx[..topb.n]);
}

/// Most agents searched one after another by a task, in the order of the coarsest
/// level's buckets, so that neighbours in space share the cells they read, which slot
/// order (random in space) does not; each agent's lists do not depend on the order.
const SEARCH_CHUNK: usize = 256;

/// A task's agents: SEARCH_CHUNK, or fewer in a small world, so every thread gets a share.
fn search_chunk(agents: usize) -> usize {
    (agents / (4 * rayon::current_num_threads())).clamp(8, SEARCH_CHUNK)
}

pub fn neighbors(p: &Params, st: &State, sc: &mut Scratch) {
    let (k, kb) = (p.view_agents as usize, p.view_bots as usize);
    let level0 = (p.grid_dim * p.grid_dim) as usize;
    // Alive agents in the coarsest level's bucket order, with their positions (grid_scatter
    // wrote them first).
    let alive = sc.grid_start[level0] as usize;
    let (order, at) = (&sc.grid_items[..alive], &sc.grid_pos[..alive]);
    let grid: &Scratch = sc;
    let chunk_len = search_chunk(alive);
    // The lists in the search's order, a chunk's per task, then each agent's fetched into
    // its slot: the fetches run in parallel, where writing each list to its slot as found
    // would not.
    let found: Vec<(Vec<u32>, Vec<u32>)> = order
        .par_chunks(chunk_len)
        .zip(at.par_chunks(chunk_len))
        .map(|(chunk, at)| {
            let mut near = vec![NONE; chunk.len() * k];
            let mut near_bots = vec![NONE; chunk.len() * kb];
            for (r, (&i, &pos)) in chunk.iter().zip(at).enumerate() {
                lists_of(
                    p,
                    st,
                    grid,
                    i as usize,
                    pos,
                    &mut near[r * k..(r + 1) * k],
                    &mut near_bots[r * kb..(r + 1) * kb],
                );
            }
            (near, near_bots)
        })
        .collect();
    let mut rank = vec![NONE; st.agents.len()];
    for (s, &i) in order.iter().enumerate() {
        rank[i as usize] = s as u32;
    }
    // Only the grid's (living) agents are searched; grid_count emptied the dead ones' lists.
    let lists = |r: usize, bots: bool| {
        let (chunk, r) = (r / chunk_len, r % chunk_len);
        let (near, near_bots) = &found[chunk];
        if bots {
            &near_bots[r * kb..(r + 1) * kb]
        } else {
            &near[r * k..(r + 1) * k]
        }
    };
    fetch_lists(&mut sc.neighbor_list, k, &rank, |r| lists(r, false));
    fetch_lists(&mut sc.bot_neighbor_list, kb, &rank, |r| lists(r, true));
}

/// Each ranked agent's list of `len` (`found` by rank) into its slot.
fn fetch_lists<'a>(
    lists: &mut [u32],
    len: usize,
    rank: &[u32],
    found: impl Fn(usize) -> &'a [u32] + Sync,
) {
    if len == 0 {
        return;
    }
    lists
        .par_chunks_mut(len)
        .with_min_len(1024)
        .zip(rank)
        .filter(|(_, &r)| r != NONE)
        .for_each(|(list, &r)| list.copy_from_slice(found(r as usize)));
}
