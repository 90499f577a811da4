// Each alive agent's exact K nearest other agents (wrapped Euclidean distance, ties by
// slot) by ring expansion over the grid, and its nearest bots by a scan of all bots.
// Reference: src/cpu/neighbors.rs.

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> agents: array<Agent>;
@group(0) @binding(2) var<storage, read> bots: array<Bot>;
@group(0) @binding(3) var<storage, read> grid_start: array<u32>;
@group(0) @binding(4) var<storage, read> grid_items: array<u32>;
@group(0) @binding(5) var<storage, read_write> neighbor_list: array<u32>;
@group(0) @binding(6) var<storage, read_write> bot_neighbor_list: array<u32>;
@group(0) @binding(7) var<storage, read> grid_pos: array<vec2<f32>>;

// The list lengths are pipeline constants (set from the config when the pipeline is built),
// so every loop over a list has a constant trip count: drivers unroll them and keep the
// lists in registers. With lengths read from a uniform, CPU Vulkan drivers keep the lists
// in per-lane scratch memory, three times slower at 65,536 agents.
override VIEW_AGENTS: u32 = 16u;
override VIEW_BOTS: u32 = 2u;

const MAX_K: u32 = 32u;

fn dist2(a: vec2<f32>, b: vec2<f32>) -> f32 {
    let dx = wrap_delta(b.x - a.x);
    let dy = wrap_delta(b.y - a.y);
    return dx * dx + dy * dy;
}

// A sorted list of the best (distance², slot) pairs seen so far; empty entries are
// (+inf, NONE). A new pair bubbles through the list by compare-and-swap, so every step
// touches the same position in every lane of a SIMD batch. The result is that of a sorted
// insertion that drops the last.
var<private> top_d2: array<f32, MAX_K>;
var<private> top_idx: array<u32, MAX_K>;

const INF: f32 = 3.4e38;

fn top_clear(k: u32) {
    for (var s = 0u; s < k; s++) {
        top_d2[s] = INF;
        top_idx[s] = NONE;
    }
}

fn top_insert(d2_in: f32, j_in: u32, k: u32) {
    // Cheap rejection once the list is full.
    let l = k - 1u;
    if (!(d2_in < top_d2[l] || (d2_in == top_d2[l] && j_in < top_idx[l]))) { return; }
    var d2 = d2_in;
    var j = j_in;
    for (var s = 0u; s < k; s++) {
        let pd = top_d2[s];
        let pi = top_idx[s];
        let less = d2 < pd || (d2 == pd && j < pi);
        top_d2[s] = select(pd, d2, less);
        top_idx[s] = select(pi, j, less);
        d2 = select(d2, pd, less);
        j = select(j, pi, less);
    }
}

// Threads take the living agents in grid order, so the threads of one workgroup search
// overlapping neighbourhoods: similar loop lengths and shared cache lines. (Dead agents'
// lists are cleared by grid_count.)
@compute @workgroup_size(64)
fn neighbors(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let slot = flat_index(gid, nwg);
    if (slot >= grid_start[params.grid_dim * params.grid_dim]) { return; }
    let i = grid_items[slot];
    let k = VIEW_AGENTS;
    let kb = VIEW_BOTS;
    let me = agents[i];
    let g = i32(params.grid_dim);
    // Offsets in [lo, hi] visit each grid cell once, even when rings wrap around the torus.
    let lo = -((g - 1) / 2);
    let hi = g / 2;
    let max_ring = max(-lo, hi);
    let r2max = params.view_radius * params.view_radius;
    let gx = min(u32(me.pos.x / params.grid_cell_size), params.grid_dim - 1u);
    let gy = min(u32(me.pos.y / params.grid_cell_size), params.grid_dim - 1u);
    let cx = i32(gx);
    let cy = i32(gy);
    top_clear(k);
    var last_ring = max_ring;
    if (k == 0u) { last_ring = -1; }
    for (var r = 0; r <= last_ring; r++) {
        for (var dy = -r; dy <= r; dy++) {
            var dx = -r;
            loop {
                if (dx > r) { break; }
                if (dx >= lo && dx <= hi && dy >= lo && dy <= hi) {
                    let x = ((cx + dx) % g + g) % g;
                    let y = ((cy + dy) % g + g) % g;
                    let c = u32(y * g + x);
                    for (var s = grid_start[c]; s < grid_start[c + 1u]; s++) {
                        let j = grid_items[s];
                        if (j == i) { continue; }
                        let d2 = dist2(me.pos, grid_pos[s]);
                        if (params.view_radius > 0.0 && d2 > r2max) { continue; }
                        top_insert(d2, j, k);
                    }
                }
                if (abs(dy) != r && dx == -r) { dx = r; } else { dx += 1; }
            }
        }
        // Agents in rings beyond r are at least r grid cells away.
        let bound = f32(r) * params.grid_cell_size;
        if (top_d2[max(k, 1u) - 1u] < bound * bound) { break; }
        if (params.view_radius > 0.0 && bound > params.view_radius) { break; }
    }
    for (var s = 0u; s < k; s++) { neighbor_list[i * k + s] = top_idx[s]; }
    if (kb == 0u) { return; }
    top_clear(kb);
    for (var b = 0u; b < params.bot_count; b++) {
        let d2 = dist2(me.pos, bots[b].pos);
        if (params.view_radius > 0.0 && d2 > r2max) { continue; }
        top_insert(d2, b, kb);
    }
    for (var s = 0u; s < kb; s++) { bot_neighbor_list[i * kb + s] = top_idx[s]; }
}
