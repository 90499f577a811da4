// The Compact brain, built for 10^5-10^6 agents: pooled inputs read straight from the
// world (no observation rows, which would need kilobytes per agent), one Dense layer with
// relu, a GRU cell whose state persists across ticks, and a Dense head with tanh to the 44
// actions. One thread per agent: the brain is small enough that its activations fit in
// registers, and no barriers are needed. Genome layout and initialisation:
// src/world/brain.rs (tensor offsets arrive as the OFF_* pipeline constants).
// Reference: src/cpu/compact_brain.rs.
//
// Inputs, in order: the self vector (55); the mean of the filled neighbour slots' vectors
// (55) and the fraction of slots filled (1); the same for bots (35 + 1, only when bots can
// be seen); the terrain summary (28): own cell, patch mean, and the patch means of each
// feature times dx/r and times dy/r, which point toward where a feature is larger.

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> agents: array<Agent>;
@group(0) @binding(2) var<storage, read> bots: array<Bot>;
@group(0) @binding(3) var<storage, read> cells: array<Cell>;
@group(0) @binding(4) var<storage, read> neighbor_list: array<u32>;
@group(0) @binding(5) var<storage, read> bot_neighbor_list: array<u32>;
@group(0) @binding(6) var<storage, read_write> brain_state: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read_write> actions: array<vec4<f32>>;
@group(0) @binding(8) var<storage, read> clock: Clock;
@group(0) @binding(9) var<storage, read> probe_agents: array<u32>;
@group(0) @binding(10) var<storage, read> probe_inputs: array<u32>;
@group(0) @binding(11) var<storage, read_write> probe_actions: array<vec4<f32>>;
@group(0) @binding(12) var<storage, read> message_source: array<u32>;
@group(0) @binding(13) var<storage, read> bot_message_source: array<u32>;
// @genome_pages read per_page

override HIDDEN: u32 = 16u;
override VIEW_AGENTS: u32 = 16u;
override VIEW_BOTS: u32 = 2u;

override OFF_INPUT_KERNEL: u32 = 0u;
override OFF_INPUT_BIAS: u32 = 0u;
override OFF_GRU_INPUT_KERNEL: u32 = 0u;
override OFF_GRU_INPUT_BIAS: u32 = 0u;
override OFF_GRU_HIDDEN_KERNEL: u32 = 0u;
override OFF_GRU_CANDIDATE_BIAS: u32 = 0u;
override OFF_ACTION_LOGITS_KERNEL: u32 = 0u;
override OFF_ACTION_LOGITS_BIAS: u32 = 0u;

const ACTION_QUADS: u32 = 11u;
// Private arrays need constant sizes: the widest Compact brain (hidden 64) and the most
// inputs (with bots).
const MAX_HQ: u32 = 16u;
const MAX_INPUTS: u32 = 176u;
const TERRAIN_SUMMARY: u32 = 28u;

override HQ: u32 = HIDDEN / 4u;
override INPUTS: u32 = 2u * AGENT_VEC_LEN + 1u + select(0u, BOT_VEC_LEN + 1u, VIEW_BOTS > 0u)
    + TERRAIN_SUMMARY;

var<private> x: array<f32, MAX_INPUTS>;
var<private> e: array<vec4<f32>, MAX_HQ>;
var<private> h_prev: array<vec4<f32>, MAX_HQ>;
var<private> h_new: array<vec4<f32>, MAX_HQ>;
var<private> g_agent: u32;

// Output quad q of input row k of the cols-wide matrix at genome offset off.
fn w4(off: u32, cols: u32, k: u32, q: u32) -> vec4<f32> {
    return genome_quad(g_agent, (off + k * cols) / 4u + q);
}

fn bias4(off: u32, q: u32) -> vec4<f32> {
    return genome_quad(g_agent, off / 4u + q);
}

// Adds w times an agent's vector (position replaced by pos) to x[at..at + 55], its
// messages those of `heard` (src/cpu/observe.rs agent_vec), but for an agent's own
// self_message in its own vector (`own`).
fn add_agent_vec(a: Agent, heard: Agent, own: bool, pos: vec2<f32>, at: u32, w: f32) {
    x[at] += w * log(a.energy + 1e-4);
    x[at + 1u] += w * log(a.age + 1e-4);
    x[at + 2u] += w * pos.x;
    x[at + 3u] += w * pos.y;
    var o = at + 4u;
    for (var s = 0u; s < LAST_ACTION_LEN; s++) { x[o] += w * a.last_action[s]; o += 1u; }
    for (var s = 0u; s < ID_LEN; s++) { x[o] += w * a.id[s]; o += 1u; }
    for (var s = 0u; s < MESSAGE_LEN; s++) {
        x[o] += w * seen_message(select(heard.self_message[s], a.self_message[s], own));
        o += 1u;
    }
    for (var s = 0u; s < MESSAGE_LEN; s++) { x[o] += w * seen_message(heard.other_message[s]); o += 1u; }
}

// The agent whose messages agent j shows (itself, unless messages are shuffled).
fn heard_from(j: u32, a: Agent) -> Agent {
    if (params.messages_shuffled != 0u) { return agents[message_source[j]]; }
    return a;
}

fn add_bot_vec(b: Bot, heard: Bot, offset: vec2<f32>, at: u32, w: f32) {
    x[at] += w * offset.x;
    x[at + 1u] += w * offset.y;
    x[at + 2u] += w * log(b.energy + 1e-4);
    for (var t = 0u; t < MESSAGE_LEN; t++) {
        x[at + 3u + t] += w * seen_message(heard.memory[t]);
        x[at + 19u + t] += w * b.program[t];
    }
}

fn cell_feature(c: Cell, f: u32) -> f32 {
    switch f {
        case 0u: { return c.energy; }
        case 1u: { return c.move_cost; }
        case 2u: { return c.push_cost; }
        case 3u: { return c.energy_gain; }
        case 4u: { return c.message_cost; }
        case 5u: { return c.reproduce_cost; }
        default: { return c.max_energy; }
    }
}

fn gather_inputs(i: u32, me: Agent) {
    add_agent_vec(me, heard_from(i, me), true, me.pos, 0u, 1.0);
    var at = AGENT_VEC_LEN;
    var filled = 0u;
    for (var s = 0u; s < VIEW_AGENTS; s++) {
        if (neighbor_list[i * VIEW_AGENTS + s] != NONE) { filled++; }
    }
    let w = 1.0 / f32(max(filled, 1u));
    for (var s = 0u; s < VIEW_AGENTS; s++) {
        let j = neighbor_list[i * VIEW_AGENTS + s];
        if (j == NONE) { continue; }
        let other = agents[j];
        let off = vec2<f32>(wrap_delta(other.pos.x - me.pos.x), wrap_delta(other.pos.y - me.pos.y));
        add_agent_vec(other, heard_from(j, other), false, off, at, w);
    }
    at += AGENT_VEC_LEN;
    x[at] = f32(filled) / f32(max(VIEW_AGENTS, 1u));
    at += 1u;
    if (VIEW_BOTS > 0u) {
        var filled_bots = 0u;
        for (var s = 0u; s < VIEW_BOTS; s++) {
            if (bot_neighbor_list[i * VIEW_BOTS + s] != NONE) { filled_bots++; }
        }
        let wb = 1.0 / f32(max(filled_bots, 1u));
        for (var s = 0u; s < VIEW_BOTS; s++) {
            let b = bot_neighbor_list[i * VIEW_BOTS + s];
            if (b == NONE) { continue; }
            let bot = bots[b];
            let off = vec2<f32>(wrap_delta(bot.pos.x - me.pos.x), wrap_delta(bot.pos.y - me.pos.y));
            var heard = bot;
            if (params.messages_shuffled != 0u) { heard = bots[bot_message_source[b]]; }
            add_bot_vec(bot, heard, off, at, wb);
        }
        at += BOT_VEC_LEN;
        x[at] = f32(filled_bots) / f32(VIEW_BOTS);
        at += 1u;
    }
    let r = i32(params.terrain_view_range);
    let n = i32(params.map_size);
    let cx = min(i32(me.pos.x / params.cell_size), n - 1);
    let cy = min(i32(me.pos.y / params.cell_size), n - 1);
    let own = cells[cy * n + cx];
    let per_cell = 1.0 / f32((2 * r + 1) * (2 * r + 1));
    let reach = 1.0 / f32(max(r, 1));
    for (var f = 0u; f < CELL_FEATURES; f++) { x[at + f] = cell_feature(own, f); }
    for (var dy = -r; dy <= r; dy++) {
        for (var dx = -r; dx <= r; dx++) {
            let cxx = wrap_cell(cx + dx, n);
            let cyy = wrap_cell(cy + dy, n);
            let c = cells[cyy * n + cxx];
            let wx = f32(dx) * reach * per_cell;
            let wy = f32(dy) * reach * per_cell;
            for (var f = 0u; f < CELL_FEATURES; f++) {
                let v = cell_feature(c, f);
                x[at + CELL_FEATURES + f] += per_cell * v;
                x[at + 2u * CELL_FEATURES + f] += wx * v;
                x[at + 3u * CELL_FEATURES + f] += wy * v;
            }
        }
    }
}

@compute @workgroup_size(64)
fn compact_brain(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    // Dispatched once per genome page, over that page's agents (src/gpu/genome.rs).
    let i = genome_page.first_agent + flat_index(gid, nwg);
    if (i >= params.capacity || !genome_page_holds(i)) { return; }
    let me = agents[i];
    if (me.alive == 0u) {
        for (var q = 0u; q < ACTION_QUADS; q++) { actions[i * ACTION_QUADS + q] = vec4<f32>(0.0); }
        return;
    }
    forward(i, me, NONE, NONE);
}

// Probes (saliency.wgsl, influence.wgsl): one thread per probe row, the sampled agent's
// brain with its pooled inputs changed as the row's code says (common.wgsl), its state
// left as it is.
@compute @workgroup_size(64)
fn compact_probe(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let probe = flat_index(gid, nwg);
    if (probe >= PROBE_ROWS) { return; }
    let i = probe_agents[probe_agent_index(probe)];
    if (i == NONE || !genome_page_holds(i)) { return; }
    forward(i, agents[i], probe_inputs[probe], probe);
}

// What the pooled inputs hold of what an agent hears (src/cpu/influence.rs
// compact_heard_ranges): its own other_message, the neighbours' mean message fields, the
// bots' mean memory.
const HEARD_INPUTS: u32 = 4u * MESSAGE_LEN;
var<private> heard_save: array<f32, HEARD_INPUTS>;

fn heard_pooled(k: u32) -> u32 {
    if (k < MESSAGE_LEN) { return AGENT_PLAIN + MESSAGE_LEN + k; }
    if (k < 3u * MESSAGE_LEN) { return AGENT_VEC_LEN + AGENT_PLAIN + k - MESSAGE_LEN; }
    return 2u * AGENT_VEC_LEN + 1u + 3u + k - 3u * MESSAGE_LEN;
}

// The brain of living agent i; with a probe (not NONE), its inputs are changed as `code`
// says and the actions go to the probe's row, the state untouched.
fn forward(i: u32, me: Agent, code: u32, probe: u32) {
    g_agent = i;
    if (code != NONE && (code & PROBE_SWAP) != 0u) {
        // What the other agent hears, pooled as for itself.
        let j = code & ~PROBE_SWAP;
        gather_inputs(j, agents[j]);
        let heard = select(3u, 4u, VIEW_BOTS > 0u) * MESSAGE_LEN;
        for (var k = 0u; k < heard; k++) { heard_save[k] = x[heard_pooled(k)]; }
        for (var k = 0u; k < MAX_INPUTS; k++) { x[k] = 0.0; }
        gather_inputs(i, me);
        for (var k = 0u; k < heard; k++) { x[heard_pooled(k)] = heard_save[k]; }
    } else {
        gather_inputs(i, me);
        if (code != NONE) { x[code] += SALIENCY_EPS; }
    }

    // Input layer: relu(bias + x W).
    for (var q = 0u; q < HQ; q++) {
        var acc = bias4(OFF_INPUT_BIAS, q);
        for (var k = 0u; k < INPUTS; k++) { acc += w4(OFF_INPUT_KERNEL, HIDDEN, k, q) * x[k]; }
        e[q] = max(acc, vec4<f32>(0.0));
    }

    // GRU (flax's GRUCell): gates r, z, n in blocks of HIDDEN columns; the input side has a
    // bias, the hidden side only for n.
    let s0 = i * params.brain_state_len / 4u;
    for (var q = 0u; q < HQ; q++) { h_prev[q] = brain_state[s0 + q]; }
    let cols = 3u * HIDDEN;
    for (var q = 0u; q < HQ; q++) {
        var xr = bias4(OFF_GRU_INPUT_BIAS, q);
        var xz = bias4(OFF_GRU_INPUT_BIAS, HQ + q);
        var xn = bias4(OFF_GRU_INPUT_BIAS, 2u * HQ + q);
        var hr = vec4<f32>(0.0);
        var hz = vec4<f32>(0.0);
        var hn = bias4(OFF_GRU_CANDIDATE_BIAS, q);
        for (var kq = 0u; kq < HQ; kq++) {
            let ev = e[kq];
            let hv = h_prev[kq];
            for (var c = 0u; c < 4u; c++) {
                let k = 4u * kq + c;
                xr += w4(OFF_GRU_INPUT_KERNEL, cols, k, q) * ev[c];
                xz += w4(OFF_GRU_INPUT_KERNEL, cols, k, HQ + q) * ev[c];
                xn += w4(OFF_GRU_INPUT_KERNEL, cols, k, 2u * HQ + q) * ev[c];
                hr += w4(OFF_GRU_HIDDEN_KERNEL, cols, k, q) * hv[c];
                hz += w4(OFF_GRU_HIDDEN_KERNEL, cols, k, HQ + q) * hv[c];
                hn += w4(OFF_GRU_HIDDEN_KERNEL, cols, k, 2u * HQ + q) * hv[c];
            }
        }
        let r = sigmoid4(xr + hr);
        let z = sigmoid4(xz + hz);
        let cand = tanh4(xn + r * hn);
        h_new[q] = (1.0 - z) * cand + z * h_prev[q];
    }
    if (probe == NONE) {
        for (var q = 0u; q < HQ; q++) { brain_state[s0 + q] = h_new[q]; }
    }

    // Head: tanh(bias + h W).
    for (var a = 0u; a < ACTION_QUADS; a++) {
        var acc = bias4(OFF_ACTION_LOGITS_BIAS, a);
        for (var kq = 0u; kq < HQ; kq++) {
            let hv = h_new[kq];
            for (var c = 0u; c < 4u; c++) {
                acc += w4(OFF_ACTION_LOGITS_KERNEL, ACTION_LEN, 4u * kq + c, a) * hv[c];
            }
        }
        if (probe == NONE) {
            actions[i * ACTION_QUADS + a] = tanh4(acc);
        } else {
            probe_actions[probe * ACTION_QUADS + a] = tanh4(acc);
        }
    }
}
