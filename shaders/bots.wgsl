// Bots: programmable tools. After the agents' step, `bots_receive` applies what
// agents did to the bots (pushes, hits, program writes). Then, `bot_steps_per_tick` times:
// `bots_act` (each bot senses, runs its program and scatters its effects), then
// `bots_apply` (agents and bots) and `bots_apply_cells` gather them. Every bot of a step
// acts on the same snapshot; contributions to shared targets are fixed-point sums, and the
// passes that gather them zero them for the next step. Reference: src/cpu/bots.rs.

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> clock: Clock;
@group(0) @binding(2) var<storage, read_write> agents: array<Agent>;
@group(0) @binding(3) var<storage, read_write> bots: array<Bot>;
@group(0) @binding(4) var<storage, read_write> cells: array<Cell>;
@group(0) @binding(5) var<storage, read_write> agent_acc: array<atomic<i32>>;
@group(0) @binding(6) var<storage, read_write> bot_acc: array<atomic<i32>>;
@group(0) @binding(7) var<storage, read_write> cell_acc: array<atomic<i32>>;
@group(0) @binding(8) var<storage, read_write> agent_tick: array<AgentTick>;
@group(0) @binding(9) var<storage, read_write> bot_tick: array<BotTick>;
@group(0) @binding(10) var<storage, read_write> bot_bits: array<f32>;
@group(0) @binding(11) var<storage, read_write> cell_tick: array<CellTick>;
@group(0) @binding(12) var<storage, read_write> cell_owner: array<atomic<u32>>;
@group(0) @binding(13) var<storage, read_write> agent_owner: array<atomic<u32>>;
// (position, 1 if alive) of every agent slot, kept current by apply_agents and bots_apply:
// sensing reads 16 bytes an agent instead of a line of the 256-byte Agent.
@group(0) @binding(14) var<storage, read_write> agent_pos: array<vec4<f32>>;
// The tick an agent last wrote into each bot's program (NONE: never), for the tool-use
// measures.
@group(0) @binding(15) var<storage, read_write> bot_programmed: array<u32>;
@group(0) @binding(16) var<storage, read_write> cultivator: array<u32>;
// The neighbour grid's level 0, built at the start of the tick (grid.wgsl), and how far
// agents may have moved since (apply.wgsl).
@group(0) @binding(17) var<storage, read> grid_start: array<u32>;
@group(0) @binding(18) var<storage, read> grid_items: array<u32>;
@group(0) @binding(19) var<storage, read_write> agent_shift: array<atomic<u32>>;
// Who raised a cell's energy_gain this step (u32 max minus the lowest slot) and who last
// did (cultivator, cultivator_id); who wrote a bot's program this tick and whose lineage
// last did (effects.wgsl, bots_receive).
@group(0) @binding(20) var<storage, read_write> cell_raiser: array<atomic<u32>>;
@group(0) @binding(21) var<storage, read_write> cultivator_id: array<u32>;
@group(0) @binding(22) var<storage, read_write> bot_writer: array<u32>;
@group(0) @binding(23) var<storage, read_write> bot_programmer: array<u32>;

// One entity a bot sees: wrapped offset from the bot, squared distance, and its slot (bots
// after all agent slots when agents and bots are ranked together).
struct Seen {
    d2: f32,
    dx: f32,
    dy: f32,
    idx: u32,
}

// Nearest first; ties by offset y, then offset x, then slot (so in a row of bots the left
// neighbour comes before the right one, wherever the row sits on the torus).
fn before(a: Seen, b: Seen) -> bool {
    if (a.idx == NONE) { return false; }
    if (b.idx == NONE) { return true; }
    if (a.d2 != b.d2) { return a.d2 < b.d2; }
    if (a.dy != b.dy) { return a.dy < b.dy; }
    if (a.dx != b.dx) { return a.dx < b.dx; }
    return a.idx < b.idx;
}

fn empty_seen() -> Seen {
    return Seen(3.4e38, 0.0, 0.0, NONE);
}

var<private> near_agents: array<Seen, 4>;
var<private> near_bots: array<Seen, 4>;

fn insert_agent(c: Seen) {
    // Most candidates are farther than the list's last entry: reject them at once.
    if (c.d2 > near_agents[BOT_VIEW - 1u].d2) { return; }
    var x = c;
    for (var s = 0u; s < BOT_VIEW; s++) {
        if (before(x, near_agents[s])) {
            let y = near_agents[s];
            near_agents[s] = x;
            x = y;
        }
    }
}

fn insert_bot(c: Seen) {
    if (c.d2 > near_bots[BOT_VIEW - 1u].d2) { return; }
    var x = c;
    for (var s = 0u; s < BOT_VIEW; s++) {
        if (before(x, near_bots[s])) {
            let y = near_bots[s];
            near_bots[s] = x;
            x = y;
        }
    }
}

fn seen_from(me: vec2<f32>, other: vec2<f32>, idx: u32) -> Seen {
    let dx = wrap_delta(other.x - me.x);
    let dy = wrap_delta(other.y - me.y);
    return Seen(dx * dx + dy * dy, dx, dy, idx);
}

fn in_view(c: Seen) -> bool {
    return !(params.view_radius > 0.0 && c.d2 > params.view_radius * params.view_radius);
}

// Offers living agent j, where it is now, to the bot at `me`'s list.
fn offer_agent(me: vec2<f32>, j: u32) {
    let q = agent_pos[j];
    if (q.z == 0.0) { return; }
    let c = seen_from(me, q.xy, j);
    if (in_view(c)) { insert_agent(c); }
}

fn add_agent(index: u32, value: f32) {
    let v = to_fixed(value);
    if (v != 0) { atomicAdd(&agent_acc[index], v); }
}

fn add_bot(index: u32, value: f32) {
    let v = to_fixed(value);
    if (v != 0) { atomicAdd(&bot_acc[index], v); }
}

fn add_to(to_agent: bool, index: u32, value: f32) {
    if (to_agent) { add_agent(index, value); } else { add_bot(index, value); }
}

// What a bot does to one entity it sees (`c`), whose accumulators start at `base` (an
// agent's when to_agent): push, hit (less with distance), and its memory as a gated
// message. Returns the hit's size, for stealing. (src/cpu/effects.rs `contact`.)
fn contact(to_agent: bool, base: u32, c: Seen, push: f32, hit: f32, gate: f32, message: array<f32, 16>) -> f32 {
    let norm = sqrt(c.dx * c.dx + c.dy * c.dy) + 0.1;
    add_to(to_agent, base, params.push_speed * push * (c.dx / norm));
    add_to(to_agent, base + 1u, params.push_speed * push * (c.dy / norm));
    let hit_amount = hit * params.hit_strength * exp(-params.hit_distance_decay * norm);
    add_to(to_agent, base + 2u, -hit_amount);
    if (gate > 0.0) {
        add_to(to_agent, base + 3u, gate);
        for (var m = 0u; m < MESSAGE_LEN; m++) { add_to(to_agent, base + 4u + m, message[m] * gate); }
    }
    return hit_amount;
}

// The BOT_VIEW nearest living agents, by rings of level-0 grid cells around the bot. The
// grid holds where agents were when it was built; since then each has moved at most
// `moved` (the sum of the largest moves of apply_agents and the earlier bot steps), so an
// agent outside rings 0..r is at least r cells less `moved` away, and the search stops
// once the list's last entry is nearer than that.
fn sense_agents(me: vec2<f32>) {
    var moved = 0.0;
    for (var s = 0u; s <= clock.bot_step; s++) { moved += bitcast<f32>(atomicLoad(&agent_shift[s])); }
    // A margin for the rounding of each term and of each wrapped move.
    moved += params.world_size * GRID_ROUNDING_MARGIN * f32(2u + clock.bot_step);
    let g = i32(params.grid_dim);
    let size = params.grid_cell_size;
    let lo = -((g - 1) / 2);
    let hi = g / 2;
    let own = vec2<i32>(grid_coords(0u, me));
    for (var r = 0; r <= max(-lo, hi); r++) {
        for (var dy = -r; dy <= r; dy++) {
            var dx = -r;
            loop {
                if (dx > r) { break; }
                if (dx >= lo && dx <= hi && dy >= lo && dy <= hi) {
                    let c = grid_wrap(own + vec2<i32>(dx, dy), g);
                    let b = grid_bucket(0u, c);
                    for (var s = grid_start[b]; s < grid_start[b + 1u]; s++) { offer_agent(me, grid_items[s]); }
                }
                dx = ring_next_dx(dx, dy, r);
            }
        }
        let reach = f32(r) * size - moved;
        if (reach > 0.0 && near_agents[BOT_VIEW - 1u].d2 < reach * reach) { break; }
        if (params.view_radius > 0.0 && reach > params.view_radius) { break; }
    }
}

// A world of up to SERIAL_SENSE_MAX agents and bots: one thread per bot scans every agent
// and bot (the grid's cells are coarse and mostly empty there: its rings cost more). A
// bigger one: a workgroup per bot; thread 0 searches the grid for agents, and the 64
// threads each scan every 64th bot, their lists merged by thread 0 (the barrier and the
// merge cost more than they save on small worlds, where CPU drivers run a workgroup's
// threads in few SIMD batches). src/world/mod.rs `SERIAL_SENSE_MAX`.
override SERIAL_SENSE_MAX: u32 = 8192u; // set from src/gpu/bots.rs
const BOT_THREADS: u32 = 64u;
var<workgroup> wg_seen: array<Seen, 256>; // BOT_THREADS * BOT_VIEW

fn sense_stripe(b: u32, first: u32, stride: u32) {
    let me = bots[b];
    for (var s = 0u; s < BOT_VIEW; s++) {
        near_agents[s] = empty_seen();
        near_bots[s] = empty_seen();
    }
    if (stride == 1u) {
        for (var j = 0u; j < params.capacity; j++) { offer_agent(me.pos, j); }
    } else if (first == 0u) {
        sense_agents(me.pos);
    }
    for (var j = first; j < params.bot_count; j += stride) {
        if (j == b) { continue; }
        let c = seen_from(me.pos, bots[j].pos, j);
        if (in_view(c)) { insert_bot(c); }
    }
}

@compute @workgroup_size(64)
fn bots_act(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
            @builtin(local_invocation_index) t: u32, @builtin(global_invocation_id) gid: vec3<u32>) {
    if (params.capacity + params.bot_count <= SERIAL_SENSE_MAX) {
        let b = flat_index(gid, nwg);
        if (b >= params.bot_count) { return; }
        sense_stripe(b, 0u, 1u);
        act(b);
        return;
    }
    let b = wid.x + wid.y * nwg.x;
    if (b >= params.bot_count) { return; }
    sense_stripe(b, t, BOT_THREADS);
    for (var s = 0u; s < BOT_VIEW; s++) { wg_seen[t * BOT_VIEW + s] = near_bots[s]; }
    workgroupBarrier();
    if (t != 0u) { return; }
    for (var u = 1u; u < BOT_THREADS; u++) {
        for (var s = 0u; s < BOT_VIEW; s++) { insert_bot(wg_seen[u * BOT_VIEW + s]); }
    }
    act(b);
}

// Bot b's step once its view is in near_agents and near_bots: run the program, scatter the
// effects, record its output and costs.
fn act(b: u32) {
    let me = bots[b];
    // m1, m2: the two nearest of the eight; an agent speaks its self_message, a bot its memory.
    var first = empty_seen();
    var second = empty_seen();
    for (var s = 0u; s < 2u * BOT_VIEW; s++) {
        var c: Seen;
        if (s < BOT_VIEW) {
            c = near_agents[s];
        } else {
            c = near_bots[s - BOT_VIEW];
            if (c.idx != NONE) { c.idx = params.capacity + c.idx; }
        }
        if (before(c, first)) {
            second = first;
            first = c;
        } else if (before(c, second)) {
            second = c;
        }
    }
    var m1: array<f32, 16>;
    var m2: array<f32, 16>;
    for (var m = 0u; m < MESSAGE_LEN; m++) {
        m1[m] = message_of(first.idx, m);
        m2[m] = message_of(second.idx, m);
    }
    let mem = me.memory;
    let program = me.program;
    var op = 0u;
    for (var k = 1u; k < BOT_OPS; k++) {
        if (program[k] > program[op]) { op = k; }
    }
    var out: array<f32, 16>;
    switch op {
        case 0u: { out = m1; }
        case 1u: { out = mem; }
        case 2u: {
            for (var m = 0u; m < MESSAGE_LEN; m++) { out[m] = mem[m] * m1[m]; }
        }
        case 3u: {
            for (var m = 0u; m < MESSAGE_LEN; m++) { out[m] = mem[m] * m1[m] + m2[m]; }
        }
        case 4u: {
            let x = (i32(round(mem[B_BIT])) != 0) != (i32(round(m1[B_BIT])) != 0);
            let sign = select(-1.0, 1.0, x);
            for (var m = 0u; m < MESSAGE_LEN; m++) {
                out[m] = sign * mem[m] * m1[m] + (1.0 - m1[m]) * mem[m];
            }
            out[B_BIT] = mem[B_BIT];
        }
        case 5u: {
            for (var m = 0u; m < MESSAGE_LEN; m++) { out[m] = 1.0 - m1[m] * m2[m]; }
        }
        default: {
            out = mem;
            var row = 0u;
            if (m1[B_BIT] > 0.0) { row += 4u; }
            if (mem[B_BIT] > 0.0) { row += 2u; }
            if (m2[B_BIT] > 0.0) { row += 1u; }
            out[B_BIT] = program[BOT_OPS + row];
        }
    }
    var a: array<f32, 16>;
    for (var m = 0u; m < MESSAGE_LEN; m++) { a[m] = clamp(out[m], -1.0, 1.0); }
    let push = a[B_PUSH];
    let hit_action = a[B_HIT];
    let gate = max(a[B_GATE], 0.0);
    // Under ecology.honest_gifts a bot gives at most what it holds.
    var reach = 0.0;
    if (params.honest_gifts != 0u && hit_action < 0.0) {
        for (var s = 0u; s < 2u * BOT_VIEW; s++) {
            var c: Seen;
            if (s < BOT_VIEW) { c = near_agents[s]; } else { c = near_bots[s - BOT_VIEW]; }
            if (c.idx == NONE) { continue; }
            reach += hit_reach(vec2<f32>(c.dx, c.dy));
        }
    }
    let hit = given_hit(hit_action, me.energy, reach);

    // Push, hit and message every entity it sees; its message is its memory, which lands in
    // an agent's other_message and in a bot's program.
    var hit_total = 0.0;
    var moved = 0u;
    for (var s = 0u; s < 2u * BOT_VIEW; s++) {
        var c: Seen;
        let to_agent = s < BOT_VIEW;
        if (to_agent) { c = near_agents[s]; } else { c = near_bots[s - BOT_VIEW]; }
        if (c.idx == NONE) { continue; }
        if (push != 0.0) { moved += 1u; }
        if (to_agent) {
            // The lowest-numbered bot that sees an agent gathers it (bots_apply).
            atomicMax(&agent_owner[c.idx], 0xffffffffu - b);
        }
        hit_total += contact(to_agent, c.idx * AGENT_ACC_LEN, c, push, hit, gate, mem);
    }
    // Under ecology.bot_kin_share it passes a share of what it holds to the nearest agent
    // it sees of the kin group that last programmed it.
    var step_gift = 0.0;
    let programmer = bot_programmer[b];
    if (params.bot_kin_share > 0.0 && programmer != 0u) {
        for (var s = 0u; s < BOT_VIEW; s++) {
            let j = near_agents[s].idx;
            if (j == NONE || kin_key(agents[j]) != programmer) { continue; }
            let given = to_fixed(params.bot_kin_share * max(me.energy, 0.0));
            if (given > 0) {
                atomicAdd(&agent_acc[j * AGENT_ACC_LEN + ACC_FROM_BOTS], given);
                step_gift = from_fixed(given);
            }
            break;
        }
    }
    let c = cell_index_of(me.pos);
    let cell = cells[c];
    let cbase = c * CELL_ACC_LEN;
    // The lowest-numbered bot on a cell gathers it (bots_apply_cells): owner = MAX - slot.
    atomicMax(&cell_owner[c], 0xffffffffu - b);
    if (a[B_EAT] > 0.0) { atomicAdd(&cell_acc[cbase], 1); }
    var terraform = 0.0;
    for (var k = 0u; k < 5u; k++) {
        let v = terraform_act(a[B_TERRAFORM + k]);
        terraform += abs(v);
        let fx = to_fixed(params.terraform_rate * v);
        if (fx != 0) { atomicAdd(&cell_acc[cbase + 1u + k], fx); }
        if (k == 0u && fx > 0) { atomicMax(&cell_raiser[c], 0xffffffffu - b); }
    }
    if (a[B_BIT_IO] < -0.99) {
        atomicAdd(&cell_acc[cbase + CA_BIT_WRITERS], 1);
        atomicAdd(&cell_acc[cbase + CA_BIT_SUM], to_fixed(mem[B_BIT]));
    }
    var r = bot_tick[b];
    r.out = out;
    r.op = op;
    r.cell = c;
    for (var s = 0u; s < BOT_VIEW; s++) { r.seen[s] = near_agents[s].idx; }
    // The agents' costs without age and reproduction.
    r.step_cost = params.move_cost * cell.move_cost * (abs(a[B_MOVE_X]) + abs(a[B_MOVE_Y]))
        + params.push_cost * cell.push_cost * abs(push)
        + params.message_cost * cell.message_cost * gate
        + params.hit_cost * abs(hit_action)
        + params.terraform_cost * terraform
        + params.life_cost;
    r.step_stolen = hit_income(hit, hit_total);
    r.step_gift = step_gift;
    r.moved += moved;
    if (terraform > 0.0) { r.terraform_steps += 1u; }
    bot_tick[b] = r;
}

fn message_of(idx: u32, m: u32) -> f32 {
    if (idx == NONE) { return 0.0; }
    if (idx < params.capacity) { return agents[idx].self_message[m]; }
    return bots[idx - params.capacity].memory[m];
}

// An accumulator's value, zeroed for the next step. Only this thread touches it in a
// gathering pass, so a load and a store do (a locked exchange costs more on CPU drivers),
// and the store is skipped when it holds zero already.
fn take_agent(i: u32) -> i32 {
    let v = atomicLoad(&agent_acc[i]);
    if (v != 0) { atomicStore(&agent_acc[i], 0); }
    return v;
}

fn take_bot(i: u32) -> i32 {
    let v = atomicLoad(&bot_acc[i]);
    if (v != 0) { atomicStore(&bot_acc[i], 0); }
    return v;
}

fn take_cell(i: u32) -> i32 {
    let v = atomicLoad(&cell_acc[i]);
    if (v != 0) { atomicStore(&cell_acc[i], 0); }
    return v;
}

// What agents and other bots did to bot b since it last gathered: moves it, changes its
// energy and pulls its program toward what was written into it. Zeroes the accumulator.
fn gather_into(b: u32, bot: ptr<function, Bot>, r: ptr<function, BotTick>) {
    let base = b * AGENT_ACC_LEN;
    let push = vec2<f32>(from_fixed(take_bot(base)), from_fixed(take_bot(base + 1u)));
    let hit = from_fixed(take_bot(base + 2u));
    let gate = from_fixed(take_bot(base + 3u));
    (*bot).pos = vec2<f32>(wrap_coord((*bot).pos.x + push.x), wrap_coord((*bot).pos.y + push.y));
    (*bot).energy += hit;
    (*r).hit_received += hit;
    for (var m = 0u; m < MESSAGE_LEN; m++) {
        let sum = from_fixed(take_bot(base + 4u + m));
        (*bot).program[m] = clamp(pulled((*bot).program[m], sum, gate), -1.0, 1.0);
    }
}

// Energy is clipped at 0 (bots never die); the energy that adds is booked for the ledger.
fn clip_energy(bot: ptr<function, Bot>, r: ptr<function, BotTick>) {
    if ((*bot).energy < 0.0) {
        (*r).clip -= (*bot).energy;
        (*bot).energy = 0.0;
    }
}

@compute @workgroup_size(64)
fn bots_receive(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let b = flat_index(gid, nwg);
    if (b >= params.bot_count) { return; }
    var bot = bots[b];
    var r = bot_tick[b];
    if (from_fixed(atomicLoad(&bot_acc[b * AGENT_ACC_LEN + 3u])) > 0.0) {
        bot_programmed[b] = clock.tick;
    }
    // The writer drawn among this tick's (effects.wgsl) stands for its lineage.
    let writer = bot_writer[b];
    if (writer != 0u) {
        let a = agents[credit_slot(writer)];
        bot_programmer[b] = kin_key(a);
        bot_writer[b] = 0u;
    }
    gather_into(b, &bot, &r);
    clip_energy(&bot, &r);
    bots[b] = bot;
    bot_tick[b] = r;
}

// One thread per bot: it gathers what bots did to each agent it saw of which it is the
// lowest-numbered viewer (so untouched agents cost nothing), then gathers what others did
// to it and applies its own actions. Agents and bots are disjoint, so one dispatch does both.
@compute @workgroup_size(64)
fn bots_apply(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let b = flat_index(gid, nwg);
    if (b >= params.bot_count) { return; }
    for (var s = 0u; s < BOT_VIEW; s++) {
        let j = bot_tick[b].seen[s];
        if (j != NONE && atomicLoad(&agent_owner[j]) == 0xffffffffu - b) {
            atomicStore(&agent_owner[j], 0u);
            agent_gathers(j);
        }
    }
    bot_applies(b);
}

fn agent_gathers(i: u32) {
    let base = i * AGENT_ACC_LEN;
    let push = vec2<f32>(from_fixed(take_agent(base)), from_fixed(take_agent(base + 1u)));
    let hit = from_fixed(take_agent(base + 2u));
    let gate = from_fixed(take_agent(base + 3u));
    let gift = from_fixed(take_agent(base + ACC_FROM_BOTS));
    var sums: array<f32, 16>;
    // Messages come only with a gate.
    if (gate != 0.0) {
        for (var m = 0u; m < MESSAGE_LEN; m++) { sums[m] = from_fixed(take_agent(base + 4u + m)); }
    }
    // Only the living are seen, so only they can have received anything.
    if (push.x == 0.0 && push.y == 0.0 && hit == 0.0 && gate == 0.0 && gift == 0.0) { return; }
    var a = agents[i];
    var t = agent_tick[i];
    let was = a.pos;
    a.pos = vec2<f32>(wrap_coord(a.pos.x + push.x), wrap_coord(a.pos.y + push.y));
    atomicMax(&agent_shift[1u + clock.bot_step], moved_bits(was, a.pos));
    a.energy += hit;
    t.hit_received += hit;
    if (gift != 0.0) {
        a.energy += gift;
        t.from_bots += gift;
    }
    for (var m = 0u; m < MESSAGE_LEN; m++) { a.other_message[m] = pulled(a.other_message[m], sums[m], gate); }
    die_if_spent(&a, &t);
    agents[i] = a;
    agent_tick[i] = t;
    agent_pos[i] = vec4<f32>(a.pos, f32(a.alive), 0.0);
}

fn bot_applies(b: u32) {
    var bot = bots[b];
    var r = bot_tick[b];
    var a: array<f32, 16>;
    for (var m = 0u; m < MESSAGE_LEN; m++) { a[m] = clamp(r.out[m], -1.0, 1.0); }
    // Eating and costs are of the cell it acted on, before it moves.
    let c = cell_index_of(bot.pos);
    var eaten = 0.0;
    if (a[B_EAT] > 0.0) {
        eaten = eat_share(cells[c].energy, u32(atomicLoad(&cell_acc[c * CELL_ACC_LEN])));
    }
    gather_into(b, &bot, &r);
    bot.pos = vec2<f32>(wrap_coord(bot.pos.x + params.move_speed * a[B_MOVE_X]),
                        wrap_coord(bot.pos.y + params.move_speed * a[B_MOVE_Y]));
    bot.energy += eaten - r.step_cost + r.step_stolen - r.step_gift;
    r.eaten += eaten;
    r.cost += r.step_cost;
    r.stolen += r.step_stolen;
    r.cultivation += max(params.terraform_rate * terraform_act(a[B_TERRAFORM]), 0.0);
    clip_energy(&bot, &r);
    if (r.out[B_WRITE] > 0.0 || r.op == 0u) { bot.memory = a; }
    if (a[B_BIT_IO] > 0.99) {
        // The bit under its new position, before this step's writes land.
        bot.memory[B_BIT] = clamp(cells[cell_index_of(bot.pos)].bit, -1.0, 1.0);
    }
    if (clock.bot_step < params.bot_steps_per_tick) {
        bot_bits[clock.bot_step * params.bot_count + b] = bot.memory[B_BIT];
    }
    bots[b] = bot;
    bot_tick[b] = r;
}

// One thread per bot: the lowest-numbered bot on each cell a bot acted on gathers what all
// of them did there (the same sums in any order), so untouched cells cost nothing.
@compute @workgroup_size(64)
fn bots_apply_cells(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let b = flat_index(gid, nwg);
    if (b == 0u) { clock.bot_step = clock.bot_step + 1u; }
    if (b >= params.bot_count) { return; }
    let c = bot_tick[b].cell;
    if (atomicLoad(&cell_owner[c]) != 0xffffffffu - b) { return; }
    atomicStore(&cell_owner[c], 0u);
    let base = c * CELL_ACC_LEN;
    let eaters = u32(take_cell(base));
    var terraform: array<f32, 5>;
    for (var k = 0u; k < 5u; k++) { terraform[k] = from_fixed(take_cell(base + 1u + k)); }
    let writers = u32(take_cell(base + CA_BIT_WRITERS));
    let bit_sum = from_fixed(take_cell(base + CA_BIT_SUM));
    var cell = cells[c];
    cell_tick[c].eaten += take_from_cell(&cell, eaters, terraform);
    let raiser = atomicLoad(&cell_raiser[c]);
    atomicStore(&cell_raiser[c], 0u);
    if (terraform[0] > 0.0) {
        cultivator[c] = CULTIVATOR_BOTS;
        cultivator_id[c] = 0xffffffffu - raiser;
    }
    // [departure] several writers leave the mean of their bits (JaxLife adds their changes).
    if (writers > 0u) { cell.bit = bit_sum / f32(writers); }
    cells[c] = cell;
}
