//! Reference of shaders/grid.wgsl: the uniform neighbour grid, rebuilt every tick by
//! count -> exclusive prefix scan -> scatter. Within a grid cell the GPU's order is
//! arbitrary (atomics); nothing downstream depends on it.

use crate::world::{Params, Scratch, State, NONE};

pub fn grid_cell_of(p: &Params, pos: [f32; 2]) -> u32 {
    let g = p.grid_dim;
    let gx = ((pos[0] / p.grid_cell_size) as u32).min(g - 1);
    let gy = ((pos[1] / p.grid_cell_size) as u32).min(g - 1);
    gy * g + gx
}

pub fn grid_count(p: &Params, st: &State, sc: &mut Scratch) {
    for (i, a) in st.agents.iter().enumerate() {
        if a.alive == 0 {
            sc.agent_cell[i] = NONE;
            // The neighbour search only visits agents in the grid: a dead one sees nothing.
            let (k, kb) = (p.view_agents as usize, p.view_bots as usize);
            sc.neighbor_list[i * k..(i + 1) * k].fill(NONE);
            sc.bot_neighbor_list[i * kb..(i + 1) * kb].fill(NONE);
            continue;
        }
        let c = grid_cell_of(p, a.pos);
        sc.agent_cell[i] = c;
        sc.grid_counts[c as usize] += 1;
    }
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

/// Uses grid_counts as the per-cell cursor, as the GPU does after clearing it.
pub fn grid_scatter(_p: &Params, st: &State, sc: &mut Scratch) {
    sc.grid_counts.iter_mut().for_each(|c| *c = 0);
    for i in 0..sc.agent_cell.len() {
        let c = sc.agent_cell[i];
        if c == NONE {
            continue;
        }
        let c = c as usize;
        let slot = sc.grid_start[c] + sc.grid_counts[c];
        sc.grid_counts[c] += 1;
        sc.grid_items[slot as usize] = i as u32;
        sc.grid_pos[slot as usize] = st.agents[i].pos;
    }
}
