// Each agent gathers what it received this tick and updates itself; then each cell gives
// up what was eaten and takes the terraforming. Reference: src/cpu/apply.rs.

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> agents: array<Agent>;
@group(0) @binding(2) var<storage, read_write> cells: array<Cell>;
@group(0) @binding(3) var<storage, read> actions: array<f32>;
@group(0) @binding(4) var<storage, read_write> agent_acc: array<i32>;
@group(0) @binding(5) var<storage, read_write> cell_acc: array<i32>;
@group(0) @binding(6) var<storage, read_write> agent_tick: array<AgentTick>;
@group(0) @binding(7) var<storage, read_write> cell_tick: array<CellTick>;
@group(0) @binding(8) var<storage, read_write> agent_pos: array<vec4<f32>>;
@group(0) @binding(9) var<storage, read_write> cultivator: array<u32>;
@group(0) @binding(10) var<storage, read_write> agent_shift: array<atomic<u32>>;
@group(0) @binding(11) var<storage, read_write> cultivator_id: array<u32>;
@group(0) @binding(12) var<storage, read> shadow_gain: array<f32>;
@group(0) @binding(13) var<storage, read> bot_programmer: array<u32>;
@group(0) @binding(14) var<storage, read_write> cell_raiser: array<u32>;

// Who is credited with the food of cell c as it is now (AgentTick meal_from,
// meal_lineage): nobody unless it is cultivated, that is its energy_gain is above the
// weather-only gain by more than measures.cultivated_gain.
fn meal_credit(c: u32) -> vec2<u32> {
    let cultivated = cells[c].energy_gain - shadow_gain[c] > params.cultivated_gain;
    let who = cultivator[c];
    if (!cultivated || who == CULTIVATOR_NONE) { return vec2<u32>(CULTIVATOR_NONE, 0u); }
    if (who == CULTIVATOR_AGENTS) { return vec2<u32>(who, cultivator_id[c]); }
    return vec2<u32>(who, bot_programmer[cultivator_id[c]]);
}

// Of `taken` from a cell credited to `credit`, what agent a digests: under
// ecology.stranger_eat_fraction an agent outside the credited kin group keeps only that
// fraction, and the rest is lost. (src/cpu/apply.rs `digested`.)
fn digested(taken: f32, credit: vec2<u32>, a: Agent) -> f32 {
    if (credit.x == CULTIVATOR_NONE || credit.y == kin_key(a)) { return taken; }
    return taken * params.stranger_eat_fraction;
}

@compute @workgroup_size(64)
fn apply_agents(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = flat_index(gid, nwg);
    if (i >= params.capacity) { return; }
    var a = agents[i];
    var t = agent_tick[i];
    if (a.alive == 0u || (t.flags & TICK_ACTED) == 0u) {
        agent_pos[i] = vec4<f32>(a.pos, 0.0, 0.0);
        return;
    }
    let o = i * ACTION_LEN;
    let acc = i * AGENT_ACC_LEN;
    let c = cell_index_of(a.pos);
    if (actions[o + A_EAT] > 0.0) {
        let taken = eat_share(cells[c].energy, u32(cell_acc[c * CELL_ACC_LEN]));
        let credit = meal_credit(c);
        t.meal_from = credit.x;
        t.meal_lineage = credit.y;
        t.eaten = digested(taken, credit, a);
    }
    t.hit_received = from_fixed(agent_acc[acc + 2u]);
    a.energy += t.eaten - t.cost + t.hit_received + t.stolen;
    a.age += params.age_speed;
    let was = a.pos;
    a.pos.x = wrap_coord(a.pos.x + params.move_speed * actions[o + A_MOVE_X] + from_fixed(agent_acc[acc]));
    a.pos.y = wrap_coord(a.pos.y + params.move_speed * actions[o + A_MOVE_Y] + from_fixed(agent_acc[acc + 1u]));
    // Bots search the grid built before this move (bots.wgsl `sense_agents`).
    atomicMax(&agent_shift[0], moved_bits(was, a.pos));
    let gate = from_fixed(agent_acc[acc + 3u]);
    for (var m = 0u; m < MESSAGE_LEN; m++) {
        a.self_message[m] = safe_tanh(a.self_message[m] + actions[o + A_SELF_MESSAGE + m]);
        a.other_message[m] = pulled(a.other_message[m], from_fixed(agent_acc[acc + 4u + m]), gate);
    }
    // Zeroed for the bot steps, which scatter into the same accumulators. (Only agents that
    // acted were seen, so the others' are zero already.)
    for (var k = 0u; k < AGENT_ACC_LEN; k++) { agent_acc[acc + k] = 0; }
    for (var s = 0u; s < 7u; s++) { a.last_action[s] = actions[o + s]; }
    for (var s = 0u; s < 4u; s++) { a.last_action[7u + s] = actions[o + A_TERRAFORM + s]; }
    die_if_spent(&a, &t);
    agents[i] = a;
    agent_tick[i] = t;
    agent_pos[i] = vec4<f32>(a.pos, f32(a.alive), 0.0);
}

@compute @workgroup_size(64)
fn apply_cells(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let c = flat_index(gid, nwg);
    if (c >= params.map_size * params.map_size) { return; }
    var cell = cells[c];
    let base = c * CELL_ACC_LEN;
    let eaters = u32(cell_acc[base]);
    var terraform: array<f32, 5>;
    for (var k = 0u; k < 5u; k++) { terraform[k] = from_fixed(cell_acc[base + 1u + k]); }
    // Zeroed for the bot steps, which scatter into the same accumulators.
    for (var k = 0u; k < CELL_ACC_LEN; k++) { cell_acc[base + k] = 0; }
    let eaten = take_from_cell(&cell, eaters, terraform);
    cell_tick[c].eaten = eaten;
    cell_tick[c].eaten_by_agents = eaten;
    if (terraform[0] > 0.0) {
        // The agent drawn among those that raised it (effects) stands for its lineage.
        let a = agents[credit_slot(cell_raiser[c])];
        cultivator[c] = CULTIVATOR_AGENTS;
        cultivator_id[c] = kin_key(a);
    }
    cell_raiser[c] = 0u;
    cells[c] = cell;
}
