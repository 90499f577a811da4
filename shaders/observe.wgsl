// Each alive agent's observation row: terrain patch, self vector, K neighbour vectors
// (offset instead of position, zeros for empty slots), nearest bots. Under
// controls.messages: Shuffled the messages come from the agents (and bots) shuffle.wgsl
// chose. Reference: src/cpu/observe.rs.

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> agents: array<Agent>;
@group(0) @binding(2) var<storage, read> bots: array<Bot>;
@group(0) @binding(3) var<storage, read> cells: array<Cell>;
@group(0) @binding(4) var<storage, read> neighbor_list: array<u32>;
@group(0) @binding(5) var<storage, read> bot_neighbor_list: array<u32>;
@group(0) @binding(6) var<storage, read_write> obs: array<f32>;
@group(0) @binding(7) var<storage, read> message_source: array<u32>;
@group(0) @binding(8) var<storage, read> bot_message_source: array<u32>;

// The agent whose messages agent j shows (itself, unless messages are shuffled).
fn heard_from(j: u32, a: Agent) -> Agent {
    if (params.messages_shuffled != 0u) { return agents[message_source[j]]; }
    return a;
}

// An agent's vector, its messages those of `heard`, but for an agent's own self_message in
// its own vector (`own`).
fn write_agent_vec(a: Agent, heard: Agent, own: bool, pos: vec2<f32>, at: u32) {
    obs[at] = log(a.energy + 1e-4);
    obs[at + 1u] = log(a.age + 1e-4);
    obs[at + 2u] = pos.x;
    obs[at + 3u] = pos.y;
    var o = at + 4u;
    for (var s = 0u; s < LAST_ACTION_LEN; s++) { obs[o] = a.last_action[s]; o += 1u; }
    for (var s = 0u; s < ID_LEN; s++) { obs[o] = a.id[s]; o += 1u; }
    for (var s = 0u; s < MESSAGE_LEN; s++) {
        obs[o] = seen_message(select(heard.self_message[s], a.self_message[s], own));
        o += 1u;
    }
    for (var s = 0u; s < MESSAGE_LEN; s++) { obs[o] = seen_message(heard.other_message[s]); o += 1u; }
}

@compute @workgroup_size(64)
fn observe(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = flat_index(gid, nwg);
    if (i >= params.capacity) { return; }
    let me = agents[i];
    if (me.alive == 0u) { return; }
    let k = params.view_agents;
    let kb = params.view_bots;
    let r = i32(params.terrain_view_range);
    let n = i32(params.map_size);
    let cx = min(i32(me.pos.x / params.cell_size), n - 1);
    let cy = min(i32(me.pos.y / params.cell_size), n - 1);
    var o = i * params.obs_len;
    for (var dy = -r; dy <= r; dy++) {
        for (var dx = -r; dx <= r; dx++) {
            let x = wrap_cell(cx + dx, n);
            let y = wrap_cell(cy + dy, n);
            let c = cells[y * n + x];
            obs[o] = c.energy;
            obs[o + 1u] = c.move_cost;
            obs[o + 2u] = c.push_cost;
            obs[o + 3u] = c.energy_gain;
            obs[o + 4u] = c.message_cost;
            obs[o + 5u] = c.reproduce_cost;
            obs[o + 6u] = c.max_energy;
            o += CELL_FEATURES;
        }
    }
    write_agent_vec(me, heard_from(i, me), true, me.pos, o);
    o += AGENT_VEC_LEN;
    for (var s = 0u; s < k; s++) {
        let j = neighbor_list[i * k + s];
        if (j == NONE) {
            for (var t = 0u; t < AGENT_VEC_LEN; t++) { obs[o + t] = 0.0; }
        } else {
            let other = agents[j];
            let off = vec2<f32>(wrap_delta(other.pos.x - me.pos.x), wrap_delta(other.pos.y - me.pos.y));
            write_agent_vec(other, heard_from(j, other), false, off, o);
        }
        o += AGENT_VEC_LEN;
    }
    for (var s = 0u; s < kb; s++) {
        let b = bot_neighbor_list[i * kb + s];
        if (b == NONE) {
            for (var t = 0u; t < BOT_VEC_LEN; t++) { obs[o + t] = 0.0; }
        } else {
            let bot = bots[b];
            var heard = bot;
            if (params.messages_shuffled != 0u) { heard = bots[bot_message_source[b]]; }
            obs[o] = wrap_delta(bot.pos.x - me.pos.x);
            obs[o + 1u] = wrap_delta(bot.pos.y - me.pos.y);
            obs[o + 2u] = log(bot.energy + 1e-4);
            for (var t = 0u; t < MESSAGE_LEN; t++) {
                obs[o + 3u + t] = seen_message(heard.memory[t]);
                obs[o + 19u + t] = bot.program[t];
            }
        }
        o += BOT_VEC_LEN;
    }
}
