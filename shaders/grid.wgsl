// The neighbour grid's levels (common.wgsl), rebuilt every tick: count -> exclusive scan ->
// scatter, all levels at once. Level l's items fill grid_items[l·alive, (l+1)·alive).
// Reference: src/cpu/grid.rs. grid_counts is cleared before grid_count and again before
// grid_scatter, which uses it as the per-bucket cursor. agent_cell holds each agent's
// bucket per level: [level · capacity + slot].

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> agents: array<Agent>;
@group(0) @binding(2) var<storage, read_write> grid_counts: array<atomic<u32>>;
@group(0) @binding(3) var<storage, read_write> grid_start: array<u32>;
@group(0) @binding(4) var<storage, read_write> grid_items: array<u32>;
@group(0) @binding(5) var<storage, read_write> agent_cell: array<u32>;
@group(0) @binding(6) var<storage, read_write> grid_pos: array<vec2<f32>>;
@group(0) @binding(7) var<storage, read_write> neighbor_list: array<u32>;
@group(0) @binding(8) var<storage, read_write> bot_neighbor_list: array<u32>;

@compute @workgroup_size(64)
fn grid_count(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = flat_index(gid, nwg);
    if (i >= params.capacity) { return; }
    if (agents[i].alive == 0u) {
        for (var l = 0u; l < GRID_LEVELS; l++) { agent_cell[l * params.capacity + i] = NONE; }
        // The neighbour search only visits agents in the grid: a dead one sees nothing.
        for (var s = 0u; s < params.view_agents; s++) { neighbor_list[i * params.view_agents + s] = NONE; }
        for (var s = 0u; s < params.view_bots; s++) { bot_neighbor_list[i * params.view_bots + s] = NONE; }
        return;
    }
    let pos = agents[i].pos;
    for (var l = 0u; l < GRID_LEVELS; l++) {
        let b = grid_bucket(l, grid_coords(l, pos));
        agent_cell[l * params.capacity + i] = b;
        atomicAdd(&grid_counts[b], 1u);
    }
}

// One workgroup: each thread owns a contiguous run of buckets (at most 65536 + 3 · 4 · 65536
// in all).
var<workgroup> partial: array<u32, 256>;

@compute @workgroup_size(256)
fn grid_scan(@builtin(local_invocation_index) t: u32) {
    let n = params.grid_dim * params.grid_dim + (GRID_LEVELS - 1u) * params.grid_hash_buckets;
    let per = (n + 255u) / 256u;
    let lo = min(t * per, n);
    let hi = min(lo + per, n);
    var sum = 0u;
    for (var c = lo; c < hi; c++) {
        sum += atomicLoad(&grid_counts[c]);
    }
    partial[t] = sum;
    workgroupBarrier();
    // Hillis-Steele inclusive scan over the 256 partial sums.
    for (var off = 1u; off < 256u; off = off * 2u) {
        var v = 0u;
        if (t >= off) { v = partial[t - off]; }
        workgroupBarrier();
        partial[t] += v;
        workgroupBarrier();
    }
    var run = partial[t] - sum;
    for (var c = lo; c < hi; c++) {
        grid_start[c] = run;
        run += atomicLoad(&grid_counts[c]);
    }
    if (t == 255u) { grid_start[n] = partial[255]; }
}

@compute @workgroup_size(64)
fn grid_scatter(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = flat_index(gid, nwg);
    if (i >= params.capacity) { return; }
    if (agent_cell[i] == NONE) { return; }
    let pos = agents[i].pos;
    for (var l = 0u; l < GRID_LEVELS; l++) {
        let b = agent_cell[l * params.capacity + i];
        let slot = grid_start[b] + atomicAdd(&grid_counts[b], 1u);
        grid_items[slot] = i;
        grid_pos[slot] = pos;
    }
}
