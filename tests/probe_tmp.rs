use silico::cpu::grid::*;
use silico::world::*;
#[test]
fn probe() {
    let path = std::env::var("PROBE").unwrap();
    let (cfg, state) = silico::world::checkpoint::read(std::path::Path::new(&path)).unwrap();
    let p = Params::new(&cfg);
    let mut cpu = silico::cpu::CpuWorld::new(&cfg, state);
    cpu.begin_tick();
    for pass in ["grid_count", "grid_scan", "grid_scatter"] {
        cpu.run_pass(pass);
    }
    let sc = &cpu.scratch;
    let k = p.view_agents;
    let n_alive = sc.grid_start[(p.grid_dim * p.grid_dim) as usize] as usize;
    for exact in [true, false] {
        let maxl = if exact { GRID_LEVELS } else { 1 };
        let mut hist = [0usize; 4];
        let mut tot = [0u64; 3];
        let mut per_agent: Vec<[u64; 3]> = vec![];
        for slot in 0..n_alive {
            let i = sc.grid_items[slot] as usize;
            let me = &cpu.state.agents[i];
            let mut count_items = 0u64;
            let mut count = |level: u32, c: [u32; 2]| -> u32 {
                let b = grid_bucket(&p, level, c) as usize;
                let (a, e) = (sc.grid_start[b] as usize, sc.grid_start[b + 1] as usize);
                if level == 0 || !exact {
                    return (e - a) as u32;
                }
                count_items += (e - a) as u64;
                sc.grid_pos[a..e]
                    .iter()
                    .filter(|&&q| grid_coords(&p, level, q) == c)
                    .count() as u32
            };
            let mut level = 0u32;
            while (level as usize) + 1 < maxl && count(level, grid_coords(&p, level, me.pos)) > k {
                level += 1;
            }
            let g = grid_level_dim(&p, level) as i32;
            let size = grid_level_cell_size(&p, level);
            let own = grid_coords(&p, level, me.pos);
            let mut d2s: Vec<(f32, u32)> = Vec::new();
            let mut items = 0u64;
            let mut cells = 0u64;
            for r in 0..g / 2 {
                for dy in -r..=r {
                    let mut dx = -r;
                    while dx <= r {
                        let c = [
                            ((own[0] as i32 + dx).rem_euclid(g)) as u32,
                            ((own[1] as i32 + dy).rem_euclid(g)) as u32,
                        ];
                        let b = grid_bucket(&p, level, c) as usize;
                        cells += 1;
                        for s in sc.grid_start[b] as usize..sc.grid_start[b + 1] as usize {
                            items += 1;
                            let j = sc.grid_items[s];
                            if j as usize == i || d2s.iter().any(|x| x.1 == j) {
                                continue;
                            }
                            d2s.push((
                                silico::cpu::neighbors::dist2(&p, me.pos, sc.grid_pos[s]),
                                j,
                            ));
                        }
                        dx = if dy.abs() != r && dx == -r { r } else { dx + 1 };
                    }
                }
                d2s.sort_by(|a, b| a.0.total_cmp(&b.0));
                d2s.truncate(k as usize);
                let bound = r as f32 * size;
                if d2s.len() == k as usize && d2s[k as usize - 1].0 < bound * bound {
                    break;
                }
            }
            hist[level as usize] += 1;
            per_agent.push([count_items, cells, items]);
            for t in 0..3 {
                tot[t] += per_agent.last().unwrap()[t];
            }
        }
        // SIMD8 model: each group of 8 consecutive threads costs its max.
        let mut simd = [0u64; 3];
        for ch in per_agent.chunks(8) {
            for t in 0..3 {
                simd[t] += ch.iter().map(|x| x[t]).max().unwrap() * 8;
            }
        }
        println!("exact={exact} levels {hist:?} totals [count_items, cells, items] {tot:?} simd8 {simd:?}");
    }
}
