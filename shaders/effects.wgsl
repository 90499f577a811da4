// What each alive agent does to others and to its cell, all from the same
// pre-step snapshot. Contributions to shared targets are rounded to fixed point and summed
// with integer atomics, so the totals do not depend on thread order.
// Reference: src/cpu/effects.rs.

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> clock: Clock;
@group(0) @binding(2) var<storage, read> agents: array<Agent>;
@group(0) @binding(3) var<storage, read> cells: array<Cell>;
@group(0) @binding(4) var<storage, read> actions: array<f32>;
@group(0) @binding(5) var<storage, read> neighbor_list: array<u32>;
@group(0) @binding(6) var<storage, read_write> agent_acc: array<atomic<i32>>;
@group(0) @binding(7) var<storage, read_write> cell_acc: array<atomic<i32>>;
@group(0) @binding(8) var<storage, read_write> agent_tick: array<AgentTick>;
@group(0) @binding(9) var<storage, read> grid_start: array<u32>;
@group(0) @binding(10) var<storage, read> grid_items: array<u32>;
@group(0) @binding(11) var<storage, read> bots: array<Bot>;
@group(0) @binding(12) var<storage, read> bot_neighbor_list: array<u32>;
@group(0) @binding(13) var<storage, read_write> bot_acc: array<atomic<i32>>;
@group(0) @binding(14) var<storage, read_write> cell_raiser: array<atomic<u32>>;
@group(0) @binding(15) var<storage, read_write> bot_writer: array<atomic<u32>>;

// Adds fixed-point v to a bot's accumulator (to_bot) or an agent's, skipping zeros.
fn add_fixed_to(to_bot: bool, index: u32, v: i32) {
    if (v == 0) { return; }
    if (to_bot) { atomicAdd(&bot_acc[index], v); } else { atomicAdd(&agent_acc[index], v); }
}

fn add_to(to_bot: bool, index: u32, value: f32) {
    add_fixed_to(to_bot, index, to_fixed(value));
}

// What agent i does to one entity it sees at offset d, whose accumulators start at `base`
// (a bot's when to_bot): push, hit (less with distance), and its gated other_message,
// `said`, already in fixed point: it is the same for every entity i sees, and converting it
// once per agent instead of once per pair cut the pass by a third in crowded worlds.
// Returns the hit's size, for stealing. (src/cpu/effects.rs `contact`.)
fn contact(to_bot: bool, base: u32, d: vec2<f32>, push: f32, hit: f32, gate: f32, said: array<vec4<i32>, 4>) -> f32 {
    let norm = sqrt(d.x * d.x + d.y * d.y) + 0.1;
    add_to(to_bot, base, params.push_speed * push * (d.x / norm));
    add_to(to_bot, base + 1u, params.push_speed * push * (d.y / norm));
    let hit_amount = hit * params.hit_strength * exp(-params.hit_distance_decay * norm);
    add_to(to_bot, base + 2u, -hit_amount);
    if (gate > 0.0) {
        add_to(to_bot, base + 3u, gate);
        for (var m = 0u; m < 4u; m++) {
            for (var c = 0u; c < 4u; c++) { add_fixed_to(to_bot, base + 4u + 4u * m + c, said[m][c]); }
        }
    }
    return hit_amount;
}

// Threads take the living agents in grid order (see neighbors.wgsl): neighbouring threads
// scatter onto neighbouring targets. agent_tick was cleared at the start of the tick, so
// the dead keep an empty record.
@compute @workgroup_size(64)
fn effects(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let slot = flat_index(gid, nwg);
    if (slot >= grid_start[params.grid_dim * params.grid_dim]) { return; }
    let i = grid_items[slot];
    let a = agents[i];
    var rec: AgentTick;
    let o = i * ACTION_LEN;
    let push = actions[o + A_PUSH];
    let hit_action = actions[o + A_HIT];
    let gate = max(actions[o + A_GATE], 0.0);
    let k = params.view_agents;
    let kb = params.view_bots;
    // Under ecology.honest_gifts a gift is bounded by what the giver holds; crowding counts
    // the agents it sees within ecology.crowding_radius.
    var reach = 0.0;
    var crowd = 0u;
    let gives = params.honest_gifts != 0u && hit_action < 0.0;
    if (gives || params.crowding_limit != 0u) {
        for (var s = 0u; s < k; s++) {
            let j = neighbor_list[i * k + s];
            if (j == NONE) { continue; }
            let d = vec2<f32>(wrap_delta(agents[j].pos.x - a.pos.x), wrap_delta(agents[j].pos.y - a.pos.y));
            if (gives) { reach += hit_reach(d); }
            if (sqrt(d.x * d.x + d.y * d.y) < params.crowding_radius) { crowd += 1u; }
        }
    }
    if (gives) {
        for (var s = 0u; s < kb; s++) {
            let b = bot_neighbor_list[i * kb + s];
            if (b == NONE) { continue; }
            reach += hit_reach(vec2<f32>(wrap_delta(bots[b].pos.x - a.pos.x), wrap_delta(bots[b].pos.y - a.pos.y)));
        }
    }
    let hit = given_hit(hit_action, a.energy, reach);
    let crowded = params.crowding_limit != 0u && crowd >= params.crowding_limit;
    var hit_total = 0.0;
    // Four vec4s, not 16 scalars: loops over constant bounds keep them in registers.
    var said: array<vec4<i32>, 4>;
    for (var m = 0u; m < 4u; m++) {
        for (var c = 0u; c < 4u; c++) { said[m][c] = to_fixed(actions[o + A_OTHER_MESSAGE + 4u * m + c] * gate); }
    }
    for (var s = 0u; s < k; s++) {
        let j = neighbor_list[i * k + s];
        if (j == NONE) { continue; }
        let d = vec2<f32>(wrap_delta(agents[j].pos.x - a.pos.x), wrap_delta(agents[j].pos.y - a.pos.y));
        hit_total += contact(false, j * AGENT_ACC_LEN, d, push, hit, gate, said);
    }
    // The same push and hit on the bots it sees, and programming: its gated other_message
    // pulls their programs (not under controls.programming: Off). The lowest slot among
    // the writers is the bot's programmer.
    let programs = select(0.0, gate, params.programming_on != 0u);
    for (var s = 0u; s < kb; s++) {
        let b = bot_neighbor_list[i * kb + s];
        if (b == NONE) { continue; }
        let d = vec2<f32>(wrap_delta(bots[b].pos.x - a.pos.x), wrap_delta(bots[b].pos.y - a.pos.y));
        hit_total += contact(true, b * AGENT_ACC_LEN, d, push, hit, programs, said);
        if (programs > 0.0) {
            rec.programming += programs;
            rec.programmed += 1u;
            atomicMax(&bot_writer[b], credit_mark(clock.tick, i));
        }
    }
    let c = cell_index_of(a.pos);
    let cell = cells[c];
    if (actions[o + A_EAT] > 0.0) { atomicAdd(&cell_acc[c * CELL_ACC_LEN], 1); }
    var terraform = 0.0;
    for (var t = 0u; t < 5u; t++) {
        let v = terraform_act(actions[o + A_TERRAFORM + t]);
        terraform += abs(v);
        let fx = to_fixed(params.terraform_rate * v);
        if (fx != 0) { atomicAdd(&cell_acc[c * CELL_ACC_LEN + 1u + t], fx); }
        // The lowest slot among those raising the cell's energy_gain is its cultivator.
        if (t == 0u && fx > 0) { atomicMax(&cell_raiser[c], credit_mark(clock.tick, i)); }
    }
    let f = f32(clock.alive) / f32(params.capacity);
    let threshold = params.max_reproduce_cost * cell.reproduce_cost * params.reproduce_factor * f;
    let wants = actions[o + A_REPRODUCE] > 0.0 && a.energy > threshold && !crowded;
    var reproduce = 0.0;
    if (wants) { reproduce = 1.0; }
    rec.cost = params.move_cost * cell.move_cost * (abs(actions[o + A_MOVE_X]) + abs(actions[o + A_MOVE_Y]))
        + params.push_cost * cell.push_cost * abs(push)
        + params.message_cost * cell.message_cost * gate
        + params.max_reproduce_cost * f * cell.reproduce_cost * reproduce
        + params.hit_cost * abs(hit_action)
        + params.terraform_cost * terraform
        + a.age / params.age_cost
        + params.life_cost;
    rec.stolen = hit_income(hit, hit_total);
    rec.flags = TICK_ACTED;
    if (wants) { rec.flags = rec.flags | TICK_WANTS_CHILD; }
    rec.cultivation = max(params.terraform_rate * terraform_act(actions[o + A_TERRAFORM]), 0.0);
    agent_tick[i] = rec;
}
