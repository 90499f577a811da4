// Each alive agent's exact K nearest other agents (wrapped Euclidean distance, ties by
// slot) by ring expansion over one level of the grid, and its nearest bots by a scan of all bots.
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
// insertion that drops the last. The search offers each agent at most once.
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

// Agents in the bucket holding cell c of a level: the cell's own at level 0, and above it at
// least the cell's (a bucket may mix cells). Where a bucket is shared this can send an agent
// a level further down than its crowd needs; with four buckets per level-0 cell that is
// rare, and counting the cell's own items instead read as many items again as the search
// itself reads in the large world (135 against 195 million over ticks 0-60), for the same
// search. The search is exact at any level.
fn bucket_count(level: u32, c: vec2<u32>) -> u32 {
    let b = grid_bucket(level, c);
    return grid_start[b + 1u] - grid_start[b];
}

// Squared distance from pos to the nearest point of the cell at offset (dx, dy) from the
// agent's own cell, less a margin of many roundings, so that no cell holding a candidate
// is ever skipped. Offsets are unwrapped: valid while the cell lies within half the world.
fn cell_gap2(pos: vec2<f32>, own: vec2<i32>, dx: i32, dy: i32, size: f32) -> f32 {
    let lo = vec2<f32>(f32(own.x + dx), f32(own.y + dy)) * size;
    let margin = params.world_size * GRID_ROUNDING_MARGIN;
    let gap = max(max(lo - pos, pos - lo - vec2<f32>(size)) - vec2<f32>(margin), vec2<f32>(0.0));
    return dot(gap, gap);
}

// Exact K nearest by rings of cells around the agent's own cell at one level of the grid.
// Once the list is full, a cell wholly farther than its last entry is skipped: in crowds
// that skips about a third of the candidates. Above level 0 a bucket may also hold
// items of other cells; those are skipped too, so each agent is offered once.
fn ring_search(i: u32, pos: vec2<f32>, level: u32, k: u32) {
    let g = i32(grid_level_dim(level));
    let size = grid_level_cell_size(level);
    // Offsets in [lo, hi] visit each grid cell once, even when rings wrap around the torus.
    let lo = -((g - 1) / 2);
    let hi = g / 2;
    let max_ring = max(-lo, hi);
    let r2max = params.view_radius * params.view_radius;
    let own = vec2<i32>(grid_coords(level, pos));
    // Each ring is walked from the side of the own cell that the agent is nearer to, so the
    // list fills with near candidates first and more of the far cells are skipped.
    let near = select(vec2<i32>(1), vec2<i32>(-1), pos - vec2<f32>(own) * size < vec2<f32>(0.5 * size));
    for (var r = 0; r <= max_ring; r++) {
        // A ring's cells lie within half the world of the agent while r < g/2.
        let prune = 2 * (r + 1) <= g;
        for (var ry = -r; ry <= r; ry++) {
            var rx = -r;
            loop {
                if (rx > r) { break; }
                let dx = -near.x * rx;
                let dy = -near.y * ry;
                if (dx >= lo && dx <= hi && dy >= lo && dy <= hi
                    && !(prune && cell_gap2(pos, own, dx, dy, size) > top_d2[k - 1u])) {
                    let c = grid_wrap(own + vec2<i32>(dx, dy), g);
                    let b = grid_bucket(level, c);
                    for (var s = grid_start[b]; s < grid_start[b + 1u]; s++) {
                        let q = grid_pos[s];
                        if (level > 0u && any(grid_coords(level, q) != c)) { continue; }
                        let d2 = dist2(pos, q);
                        if (params.view_radius > 0.0 && d2 > r2max) { continue; }
                        // Most candidates are farther than a full list's last entry: their
                        // slot, needed only to break ties and to skip the agent itself
                        // (at distance 0), is not loaded.
                        if (d2 > top_d2[k - 1u]) { continue; }
                        let j = grid_items[s];
                        if (j == i) { continue; }
                        top_insert(d2, j, k);
                    }
                }
                rx = ring_next_dx(rx, ry, r);
            }
        }
        // Agents in rings beyond r are at least r cells away, less rounding.
        let reach = f32(r) * size - params.world_size * GRID_ROUNDING_MARGIN;
        if (reach > 0.0 && top_d2[k - 1u] < reach * reach) { break; }
        if (params.view_radius > 0.0 && reach > params.view_radius) { break; }
    }
}

// Agent i's lists. (Dead agents' lists are cleared by grid_count.)
fn search(i: u32) {
    let k = VIEW_AGENTS;
    let kb = VIEW_BOTS;
    let me = agents[i];
    let r2max = params.view_radius * params.view_radius;
    top_clear(k);
    if (k > 0u) {
        // The coarsest level at which the agent's own cell's bucket holds at most K. Where
        // agents crowd (children start on their parent), a coarse cell can hold thousands,
        // and every one of them would scan all the others. Descending only from a cell
        // holding K others keeps the finer search within a few rings: those K lie in the
        // 4×4 block of finer cells that the crowded cell becomes.
        var level = 0u;
        loop {
            if (level + 1u >= GRID_LEVELS) { break; }
            if (bucket_count(level, grid_coords(level, me.pos)) <= k) { break; }
            level++;
        }
        ring_search(i, me.pos, level, k);
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

// Whether the agent at grid slot s (of any level) lies in a level-0 cell of more than K.
fn crowded(s: u32) -> bool {
    let b = grid_bucket(0u, grid_coords(0u, grid_pos[s]));
    return grid_start[b + 1u] - grid_start[b] > VIEW_AGENTS;
}

// The threads of a SIMD batch should search overlapping neighbourhoods: similar loop
// lengths, similar insertions into their lists, shared cache lines. So thread t takes the
// t-th agent in level-0 grid order if its level-0 cell is not crowded, then the t-th agent
// in level-ORDER_LEVEL order if its level-0 cell is crowded: there a crowded level-0
// cell's agents come grouped by level-1, then level-2 sub-cell (common.wgsl
// `grid_bucket`), where level-0 order mixes them. Each agent is taken once. Crowds in their finer order
// search in 25-30% less time in the large world; uniform worlds take the first branch only.
const ORDER_LEVEL: u32 = 2u;

//
// Threads [0, capacity) take level-0 order, threads [capacity, 2·capacity) the finer order,
// so each thread searches at most one agent: lavapipe returned wrong lists, varying with
// which agents shared a SIMD batch, for threads that searched twice.
@compute @workgroup_size(64)
fn neighbors(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let t = flat_index(gid, nwg);
    let alive = grid_start[params.grid_dim * params.grid_dim];
    if (t < params.capacity) {
        if (t < alive && !crowded(t)) { search(grid_items[t]); }
        return;
    }
    let slot = t - params.capacity;
    if (slot >= alive) { return; }
    // Level l's items are grid_items[l·alive, (l+1)·alive).
    let fine = ORDER_LEVEL * alive + slot;
    if (crowded(fine)) { search(grid_items[fine]); }
}
