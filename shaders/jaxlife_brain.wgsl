// JaxLife's attention + LSTM brain: one workgroup of 64 threads per agent.
// Threads take the neurons (groups of 4 outputs) of one layer at a time; activations stay
// in workgroup memory between layers. Weights are read as vec4s, input-major, so the
// threads of a layer read neighbouring weights. Where a layer is applied to every entity
// (the encoders, attention projections), a thread takes a block of ROW_BLOCK rows and two
// output quads, and the terrain encoder's threads take two quads of a chunk of inputs:
// llvmpipe (lavapipe) loads memory one lane at a time, so every weight and input a thread
// loads serves several multiply-adds; on GPUs it keeps those values in registers.
// Genome layout and initialisation: src/world/brain.rs, whose tensor offsets arrive as the
// OFF_* pipeline constants. Reference: src/cpu/jaxlife_brain.rs.

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> agents: array<Agent>;
@group(0) @binding(2) var<storage, read> obs: array<f32>;
@group(0) @binding(3) var<storage, read> neighbor_list: array<u32>;
@group(0) @binding(4) var<storage, read> bot_neighbor_list: array<u32>;
@group(0) @binding(5) var<storage, read_write> brain_state: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read_write> actions: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read> clock: Clock;
@group(0) @binding(8) var<storage, read> probe_agents: array<u32>;
@group(0) @binding(9) var<storage, read> probe_inputs: array<u32>;
@group(0) @binding(10) var<storage, read_write> probe_actions: array<vec4<f32>>;
// @genome_pages read per_page

override HIDDEN: u32 = 64u;
override HEADS: u32 = 4u;
override VIEW_AGENTS: u32 = 16u;
override VIEW_BOTS: u32 = 2u;
override TERRAIN_LEN: u32 = 567u;

override OFF_AGENT_ENCODER_KERNEL: u32 = 0u;
override OFF_AGENT_ENCODER_BIAS: u32 = 0u;
override OFF_BOT_ENCODER_KERNEL: u32 = 0u;
override OFF_BOT_ENCODER_BIAS: u32 = 0u;
override OFF_SELF_ATTENTION_QUERY_KERNEL: u32 = 0u;
override OFF_SELF_ATTENTION_QUERY_BIAS: u32 = 0u;
override OFF_SELF_ATTENTION_KEY_KERNEL: u32 = 0u;
override OFF_SELF_ATTENTION_KEY_BIAS: u32 = 0u;
override OFF_SELF_ATTENTION_VALUE_KERNEL: u32 = 0u;
override OFF_SELF_ATTENTION_VALUE_BIAS: u32 = 0u;
override OFF_SELF_ATTENTION_OUT_KERNEL: u32 = 0u;
override OFF_SELF_ATTENTION_OUT_BIAS: u32 = 0u;
override OFF_CROSS_ATTENTION_QUERY_KERNEL: u32 = 0u;
override OFF_CROSS_ATTENTION_QUERY_BIAS: u32 = 0u;
override OFF_CROSS_ATTENTION_KEY_KERNEL: u32 = 0u;
override OFF_CROSS_ATTENTION_KEY_BIAS: u32 = 0u;
override OFF_CROSS_ATTENTION_VALUE_KERNEL: u32 = 0u;
override OFF_CROSS_ATTENTION_VALUE_BIAS: u32 = 0u;
override OFF_CROSS_ATTENTION_OUT_KERNEL: u32 = 0u;
override OFF_CROSS_ATTENTION_OUT_BIAS: u32 = 0u;
override OFF_TERRAIN_ENCODER_KERNEL: u32 = 0u;
override OFF_TERRAIN_ENCODER_BIAS: u32 = 0u;
override OFF_TERRAIN_DECODER_KERNEL: u32 = 0u;
override OFF_TERRAIN_DECODER_BIAS: u32 = 0u;
override OFF_LSTM_INPUT_KERNEL: u32 = 0u;
override OFF_LSTM_HIDDEN_KERNEL: u32 = 0u;
override OFF_LSTM_HIDDEN_BIAS: u32 = 0u;
override OFF_ACTION_PROCESS_KERNEL: u32 = 0u;
override OFF_ACTION_PROCESS_BIAS: u32 = 0u;
override OFF_ACTION_LOGITS_KERNEL: u32 = 0u;
override OFF_ACTION_LOGITS_BIAS: u32 = 0u;

const WG: u32 = 64u;
const ACTION_QUADS: u32 = 11u;
// Largest per-head width in quads (hidden 128 with one head).
const MAX_HEAD_QUADS: u32 = 32u;
// Entity rows per thread in the dense layers shared by the entities.
const ROW_BLOCK: u32 = 6u;
const BLOCK_OUT: u32 = 2u * ROW_BLOCK;

override HQ: u32 = HIDDEN / 4u;
override ENTITIES: u32 = VIEW_AGENTS + VIEW_BOTS;
override HEAD_QUADS: u32 = HQ / HEADS;
override ENTITY_QUADS: u32 = max(ENTITIES, 1u) * HQ;
// Divisors and array lengths stay non-zero when nothing can be seen (a constant zero
// divisor is a shader-creation error).
override ENTITY_SLOTS: u32 = max(ENTITIES, 1u);
override ROW_BLOCKS: u32 = (ENTITY_SLOTS + ROW_BLOCK - 1u) / ROW_BLOCK;
// Jobs of one entity-wise dense layer: a block of rows by a pair of output quads.
override QUAD_STEP: u32 = (HQ + 1u) / 2u;
override BLOCK_JOBS: u32 = ROW_BLOCKS * QUAD_STEP;
override HIDDEN2: u32 = 2u * HQ;
// Threads per pair of output quads of the terrain encoder; each sums a chunk of the inputs.
override TERRAIN_GROUPS: u32 = max(WG / QUAD_STEP, 1u);
override TERRAIN_PARTS: u32 = TERRAIN_GROUPS * HQ;

// Entity embeddings, later the self-attention's output.
var<workgroup> ent: array<vec4<f32>, ENTITY_QUADS>;
// Self-attention queries (then its per-head outputs), keys and values; the keys and
// values of the cross-attention reuse ka and va.
var<workgroup> qa: array<vec4<f32>, ENTITY_QUADS>;
var<workgroup> ka: array<vec4<f32>, ENTITY_QUADS>;
var<workgroup> va: array<vec4<f32>, ENTITY_QUADS>;
var<workgroup> valid: array<u32, ENTITY_SLOTS>;
var<workgroup> self_emb: array<vec4<f32>, HQ>;
var<workgroup> cross_query: array<vec4<f32>, HQ>;
var<workgroup> cross_out: array<vec4<f32>, HQ>;
var<workgroup> terrain_part: array<vec4<f32>, TERRAIN_PARTS>;
var<workgroup> terrain_mid: array<vec4<f32>, HQ>;
// LSTM input [pooled entities, terrain], previous [h, c], gates i f g o, new h, head.
var<workgroup> lstm_in: array<vec4<f32>, HIDDEN2>;
var<workgroup> prev_hc: array<vec4<f32>, HIDDEN2>;
var<workgroup> gates: array<vec4<f32>, HIDDEN>;
var<workgroup> new_h: array<vec4<f32>, HQ>;
var<workgroup> head_mid: array<vec4<f32>, HQ>;

var<private> g_agent: u32;
// A probe (saliency.wgsl, influence.wgsl): the observation element raised by
// SALIENCY_EPS, the start of the row whose heard messages replace this agent's, and the
// probe whose actions are written instead of the agent's (NONE each: the brain pass).
var<private> raised_obs: u32;
var<private> swap_row: u32;
var<private> probe_out: u32;

fn obs_in(k: u32) -> f32 {
    if (swap_row != NONE) {
        let rel = k - g_agent * params.obs_len;
        if (heard_input(rel)) { return obs[swap_row + rel]; }
    }
    return obs[k] + select(0.0, SALIENCY_EPS, k == raised_obs);
}

// Output quad q of input row k of the cols-wide matrix at genome offset off.
fn w4(off: u32, cols: u32, k: u32, q: u32) -> vec4<f32> {
    return genome_quad(g_agent, (off + k * cols) / 4u + q);
}

fn bias4(off: u32, q: u32) -> vec4<f32> {
    return genome_quad(g_agent, off / 4u + q);
}

// x W for four consecutive inputs x (input quad kq) of a cols-wide matrix.
fn mac4(off: u32, cols: u32, kq: u32, q: u32, x: vec4<f32>) -> vec4<f32> {
    let k = 4u * kq;
    return w4(off, cols, k, q) * x.x + w4(off, cols, k + 1u, q) * x.y
        + w4(off, cols, k + 2u, q) * x.z + w4(off, cols, k + 3u, q) * x.w;
}

// Dense H -> H on the ROW_BLOCK entity rows from row0 of one of the entity arrays, for
// output quads q and q + QUAD_STEP (rows past the last, and a second quad past the last,
// are computed from clamped reads and left unwritten by the caller). A thread takes a
// block of rows and two quads because llvmpipe loads memory lane by lane, so each weight
// and input it loads should serve several multiply-adds.
fn dense_rows(which: u32, row0: u32, off: u32, boff: u32, q: u32) -> array<vec4<f32>, BLOCK_OUT> {
    let q2 = min(q + QUAD_STEP, HQ - 1u);
    let b = bias4(boff, q);
    let b2 = bias4(boff, q2);
    var acc: array<vec4<f32>, BLOCK_OUT>;
    for (var r = 0u; r < ROW_BLOCK; r++) {
        acc[r] = b;
        acc[ROW_BLOCK + r] = b2;
    }
    for (var kq = 0u; kq < HQ; kq++) {
        let k = 4u * kq;
        let w0 = w4(off, HIDDEN, k, q);
        let w1 = w4(off, HIDDEN, k + 1u, q);
        let w2 = w4(off, HIDDEN, k + 2u, q);
        let w3 = w4(off, HIDDEN, k + 3u, q);
        let v0 = w4(off, HIDDEN, k, q2);
        let v1 = w4(off, HIDDEN, k + 1u, q2);
        let v2 = w4(off, HIDDEN, k + 2u, q2);
        let v3 = w4(off, HIDDEN, k + 3u, q2);
        for (var r = 0u; r < ROW_BLOCK; r++) {
            let at = min(row0 + r, ENTITY_SLOTS - 1u) * HQ + kq;
            var x: vec4<f32>;
            if (which == 0u) { x = ent[at]; } else { x = qa[at]; }
            acc[r] += w0 * x.x + w1 * x.y + w2 * x.z + w3 * x.w;
            acc[ROW_BLOCK + r] += v0 * x.x + v1 * x.y + v2 * x.z + v3 * x.w;
        }
    }
    return acc;
}

// The second output quad of a thread whose first is q (dense_rows), when there is one.
fn has_second_quad(q: u32) -> bool {
    return q + QUAD_STEP < HQ;
}

// Row r of the block from row0, if it is a visible entity.
fn block_row(row0: u32, r: u32) -> bool {
    let row = row0 + r;
    return row < ENTITIES && valid[min(row, ENTITY_SLOTS - 1u)] != 0u;
}

// Writes a dense_rows block's outputs to entity array `which` (0 ent, 1 qa, 2 ka, 3 va).
fn store_rows(which: u32, row0: u32, q: u32, y: array<vec4<f32>, BLOCK_OUT>) {
    for (var r = 0u; r < ROW_BLOCK; r++) {
        if (!block_row(row0, r)) { continue; }
        for (var c = 0u; c < 2u; c++) {
            if (c == 1u && !has_second_quad(q)) { continue; }
            let qc = q + c * QUAD_STEP;
            let at = (row0 + r) * HQ + qc;
            let v = y[c * ROW_BLOCK + r];
            if (which == 0u) { ent[at] = v; } else if (which == 1u) { qa[at] = v; } else if (which == 2u) { ka[at] = v; } else { va[at] = v; }
        }
    }
}

// The agent encoder before its tanh on the ROW_BLOCK rows from row0 of the neighbours
// followed by the self vector (rows past the self vector are read as it), for output quads
// q and q + QUAD_STEP as dense_rows.
fn agent_rows(self_at: u32, row0: u32, q: u32) -> array<vec4<f32>, BLOCK_OUT> {
    let q2 = min(q + QUAD_STEP, HQ - 1u);
    let b = bias4(OFF_AGENT_ENCODER_BIAS, q);
    let b2 = bias4(OFF_AGENT_ENCODER_BIAS, q2);
    var acc: array<vec4<f32>, BLOCK_OUT>;
    var at: array<u32, ROW_BLOCK>;
    for (var r = 0u; r < ROW_BLOCK; r++) {
        acc[r] = b;
        acc[ROW_BLOCK + r] = b2;
        at[r] = self_at + AGENT_VEC_LEN * ((min(row0 + r, VIEW_AGENTS) + 1u) % (VIEW_AGENTS + 1u));
    }
    for (var k = 0u; k < AGENT_VEC_LEN; k++) {
        let w = w4(OFF_AGENT_ENCODER_KERNEL, HIDDEN, k, q);
        let v = w4(OFF_AGENT_ENCODER_KERNEL, HIDDEN, k, q2);
        for (var r = 0u; r < ROW_BLOCK; r++) {
            let x = obs_in(at[r] + k);
            acc[r] += w * x;
            acc[ROW_BLOCK + r] += v * x;
        }
    }
    return acc;
}

// Multi-head attention of one query (head h) over the valid entity rows of ka/va, with a
// streaming softmax; the result is the head's slice of the mixed vector (zero if no entity
// is valid).
fn attend(query: array<vec4<f32>, MAX_HEAD_QUADS>, h: u32) -> array<vec4<f32>, MAX_HEAD_QUADS> {
    let scale = 1.0 / sqrt(f32(4u * HEAD_QUADS));
    var acc: array<vec4<f32>, MAX_HEAD_QUADS>;
    var m = -3.4e38;
    var l = 0.0;
    for (var j = 0u; j < ENTITIES; j++) {
        if (valid[j] == 0u) { continue; }
        var s = 0.0;
        for (var c = 0u; c < HEAD_QUADS; c++) {
            s += dot(query[c], ka[j * HQ + h * HEAD_QUADS + c]);
        }
        s *= scale;
        let m2 = max(m, s);
        let corr = exp(m - m2);
        let p = exp(s - m2);
        l = l * corr + p;
        for (var c = 0u; c < HEAD_QUADS; c++) {
            acc[c] = acc[c] * corr + p * va[j * HQ + h * HEAD_QUADS + c];
        }
        m = m2;
    }
    let inv = select(0.0, 1.0 / l, l > 0.0);
    for (var c = 0u; c < HEAD_QUADS; c++) { acc[c] *= inv; }
    return acc;
}

@compute @workgroup_size(64)
fn jaxlife_brain(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) t: u32,
) {
    // Dispatched once per genome page, over that page's agents (src/gpu/genome.rs).
    let i = genome_page.first_agent + wid.x + wid.y * nwg.x;
    if (i >= params.capacity || !genome_page_holds(i)) { return; }
    if (agents[i].alive == 0u) {
        if (t < ACTION_QUADS) { actions[i * ACTION_QUADS + t] = vec4<f32>(0.0); }
        return;
    }
    raised_obs = NONE;
    swap_row = NONE;
    probe_out = NONE;
    run_brain(i, t);
}

// Probes: one workgroup per probe row, the sampled agent's brain on its own observation,
// changed as the row's code says (common.wgsl), its state left as it is.
@compute @workgroup_size(64)
fn jaxlife_probe(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) t: u32,
) {
    let probe = wid.x + wid.y * nwg.x;
    if (probe >= PROBE_ROWS) { return; }
    let i = probe_agents[probe_agent_index(probe)];
    if (i == NONE || !genome_page_holds(i)) { return; }
    let code = probe_inputs[probe];
    raised_obs = NONE;
    swap_row = NONE;
    if (code != NONE) {
        if ((code & PROBE_SWAP) != 0u) {
            swap_row = (code & ~PROBE_SWAP) * params.obs_len;
        } else {
            raised_obs = i * params.obs_len + code;
        }
    }
    probe_out = probe;
    run_brain(i, t);
}

fn run_brain(i: u32, t: u32) {
    g_agent = i;
    let base = i * params.obs_len;
    let self_at = base + TERRAIN_LEN;

    // Encoders: the agent encoder on the neighbours and the self vector (its last row),
    // the bot encoder on the bots, each loop with its own fixed input length; then the
    // terrain encoder's partial sums.
    let agent_blocks = (VIEW_AGENTS + ROW_BLOCK) / ROW_BLOCK;
    for (var job = t; job < agent_blocks * QUAD_STEP; job += WG) {
        let row0 = (job / QUAD_STEP) * ROW_BLOCK;
        let q = job % QUAD_STEP;
        let y = agent_rows(self_at, row0, q);
        for (var c = 0u; c < 2u; c++) {
            if (c == 1u && !has_second_quad(q)) { continue; }
            let qc = q + c * QUAD_STEP;
            for (var r = 0u; r < ROW_BLOCK; r++) {
                let row = row0 + r;
                let v = y[c * ROW_BLOCK + r];
                if (row < VIEW_AGENTS) {
                    let ok = neighbor_list[i * VIEW_AGENTS + row] != NONE;
                    ent[row * HQ + qc] = select(vec4<f32>(0.0), tanh4(v), ok);
                    if (qc == 0u) { valid[row] = u32(ok); }
                } else if (row == VIEW_AGENTS) {
                    self_emb[qc] = tanh4(v);
                }
            }
        }
    }
    let bots_at = self_at + AGENT_VEC_LEN * (1u + VIEW_AGENTS);
    for (var job = t; job < VIEW_BOTS * HQ; job += WG) {
        let s = job / HQ;
        let q = job % HQ;
        let ok = bot_neighbor_list[i * VIEW_BOTS + s] != NONE;
        var y = vec4<f32>(0.0);
        if (ok) {
            var acc = bias4(OFF_BOT_ENCODER_BIAS, q);
            for (var k = 0u; k < BOT_VEC_LEN; k++) {
                acc += w4(OFF_BOT_ENCODER_KERNEL, HIDDEN, k, q) * obs_in(bots_at + BOT_VEC_LEN * s + k);
            }
            y = tanh4(acc);
        }
        ent[(VIEW_AGENTS + s) * HQ + q] = y;
        if (q == 0u) { valid[VIEW_AGENTS + s] = u32(ok); }
    }
    for (var job = t; job < TERRAIN_GROUPS * QUAD_STEP; job += WG) {
        let g = job / QUAD_STEP;
        let q = job % QUAD_STEP;
        let q2 = min(q + QUAD_STEP, HQ - 1u);
        let chunk = (TERRAIN_LEN + TERRAIN_GROUPS - 1u) / TERRAIN_GROUPS;
        var acc = vec4<f32>(0.0);
        var acc2 = vec4<f32>(0.0);
        for (var k = g * chunk; k < min(TERRAIN_LEN, (g + 1u) * chunk); k++) {
            let x = obs_in(base + k);
            acc += w4(OFF_TERRAIN_ENCODER_KERNEL, HIDDEN, k, q) * x;
            acc2 += w4(OFF_TERRAIN_ENCODER_KERNEL, HIDDEN, k, q2) * x;
        }
        terrain_part[g * HQ + q] = acc;
        if (has_second_quad(q)) { terrain_part[g * HQ + q + QUAD_STEP] = acc2; }
    }
    if (t < HIDDEN2) { prev_hc[t] = brain_state[i * HIDDEN2 + t]; }
    workgroupBarrier();

    // Self-attention projections; the terrain encoder's sums.
    let n_proj = 3u * BLOCK_JOBS;
    for (var job = t; job < n_proj + HQ; job += WG) {
        if (job < n_proj) {
            let which = job / BLOCK_JOBS;
            let row0 = ((job % BLOCK_JOBS) / QUAD_STEP) * ROW_BLOCK;
            let q = job % QUAD_STEP;
            if (which == 0u) {
                store_rows(1u, row0, q, dense_rows(0u, row0, OFF_SELF_ATTENTION_QUERY_KERNEL, OFF_SELF_ATTENTION_QUERY_BIAS, q));
            } else if (which == 1u) {
                store_rows(2u, row0, q, dense_rows(0u, row0, OFF_SELF_ATTENTION_KEY_KERNEL, OFF_SELF_ATTENTION_KEY_BIAS, q));
            } else {
                store_rows(3u, row0, q, dense_rows(0u, row0, OFF_SELF_ATTENTION_VALUE_KERNEL, OFF_SELF_ATTENTION_VALUE_BIAS, q));
            }
        } else {
            let q = job - n_proj;
            var acc = bias4(OFF_TERRAIN_ENCODER_BIAS, q);
            for (var g = 0u; g < TERRAIN_GROUPS; g++) { acc += terrain_part[g * HQ + q]; }
            terrain_mid[q] = acc;
        }
    }
    workgroupBarrier();

    // Self-attention, one (head, entity) per job, written over its own query; the terrain
    // decoder.
    let n_att = HEADS * ENTITIES;
    for (var job = t; job < n_att + HQ; job += WG) {
        if (job < n_att) {
            let h = job / ENTITY_SLOTS;
            let row = job % ENTITY_SLOTS;
            if (valid[row] == 0u) { continue; }
            var query: array<vec4<f32>, MAX_HEAD_QUADS>;
            for (var c = 0u; c < HEAD_QUADS; c++) { query[c] = qa[row * HQ + h * HEAD_QUADS + c]; }
            let out = attend(query, h);
            for (var c = 0u; c < HEAD_QUADS; c++) { qa[row * HQ + h * HEAD_QUADS + c] = out[c]; }
        } else {
            let q = job - n_att;
            var acc = bias4(OFF_TERRAIN_DECODER_BIAS, q);
            for (var kq = 0u; kq < HQ; kq++) { acc += mac4(OFF_TERRAIN_DECODER_KERNEL, HIDDEN, kq, q, terrain_mid[kq]); }
            lstm_in[HQ + q] = acc;
        }
    }
    workgroupBarrier();

    // Self-attention's output projection; the cross-attention's query from the self
    // embedding.
    for (var job = t; job < BLOCK_JOBS + HQ; job += WG) {
        if (job < BLOCK_JOBS) {
            let row0 = (job / QUAD_STEP) * ROW_BLOCK;
            let q = job % QUAD_STEP;
            store_rows(0u, row0, q, dense_rows(1u, row0, OFF_SELF_ATTENTION_OUT_KERNEL, OFF_SELF_ATTENTION_OUT_BIAS, q));
        } else {
            let q = job - BLOCK_JOBS;
            var acc = bias4(OFF_CROSS_ATTENTION_QUERY_BIAS, q);
            for (var kq = 0u; kq < HQ; kq++) { acc += mac4(OFF_CROSS_ATTENTION_QUERY_KERNEL, HIDDEN, kq, q, self_emb[kq]); }
            cross_query[q] = acc;
        }
    }
    workgroupBarrier();

    // Cross-attention keys and values from the mixed entities.
    for (var job = t; job < 2u * BLOCK_JOBS; job += WG) {
        let row0 = ((job % BLOCK_JOBS) / QUAD_STEP) * ROW_BLOCK;
        let q = job % QUAD_STEP;
        if (job < BLOCK_JOBS) {
            store_rows(2u, row0, q, dense_rows(0u, row0, OFF_CROSS_ATTENTION_KEY_KERNEL, OFF_CROSS_ATTENTION_KEY_BIAS, q));
        } else {
            store_rows(3u, row0, q, dense_rows(0u, row0, OFF_CROSS_ATTENTION_VALUE_KERNEL, OFF_CROSS_ATTENTION_VALUE_BIAS, q));
        }
    }
    workgroupBarrier();

    // Cross-attention, one head per job.
    if (t < HEADS) {
        var query: array<vec4<f32>, MAX_HEAD_QUADS>;
        for (var c = 0u; c < HEAD_QUADS; c++) { query[c] = cross_query[t * HEAD_QUADS + c]; }
        let out = attend(query, t);
        for (var c = 0u; c < HEAD_QUADS; c++) { cross_out[t * HEAD_QUADS + c] = out[c]; }
    }
    workgroupBarrier();

    if (t < HQ) {
        var acc = bias4(OFF_CROSS_ATTENTION_OUT_BIAS, t);
        for (var kq = 0u; kq < HQ; kq++) { acc += mac4(OFF_CROSS_ATTENTION_OUT_KERNEL, HIDDEN, kq, t, cross_out[kq]); }
        lstm_in[t] = acc;
    }
    workgroupBarrier();

    // LSTM gates (i, f, g, o blocks): input kernel without bias, hidden kernel with.
    for (var q = t; q < HIDDEN; q += WG) {
        var acc = bias4(OFF_LSTM_HIDDEN_BIAS, q);
        for (var kq = 0u; kq < HIDDEN2; kq++) { acc += mac4(OFF_LSTM_INPUT_KERNEL, 4u * HIDDEN, kq, q, lstm_in[kq]); }
        for (var kq = 0u; kq < HQ; kq++) { acc += mac4(OFF_LSTM_HIDDEN_KERNEL, 4u * HIDDEN, kq, q, prev_hc[kq]); }
        gates[q] = acc;
    }
    workgroupBarrier();

    if (t < HQ) {
        let ig = sigmoid4(gates[t]);
        let fg = sigmoid4(gates[HQ + t]);
        let gg = tanh4(gates[2u * HQ + t]);
        let og = sigmoid4(gates[3u * HQ + t]);
        let c = fg * prev_hc[HQ + t] + ig * gg;
        let h = og * tanh4(c);
        if (probe_out == NONE) {
            brain_state[i * HIDDEN2 + t] = h;
            brain_state[i * HIDDEN2 + HQ + t] = c;
        }
        new_h[t] = h;
    }
    workgroupBarrier();

    if (t < HQ) {
        var acc = bias4(OFF_ACTION_PROCESS_BIAS, t);
        for (var kq = 0u; kq < HQ; kq++) { acc += mac4(OFF_ACTION_PROCESS_KERNEL, HIDDEN, kq, t, new_h[kq]); }
        head_mid[t] = tanh4(acc);
    }
    workgroupBarrier();

    if (t < ACTION_QUADS) {
        var acc = bias4(OFF_ACTION_LOGITS_BIAS, t);
        for (var kq = 0u; kq < HQ; kq++) { acc += mac4(OFF_ACTION_LOGITS_KERNEL, ACTION_LEN, kq, t, head_mid[kq]); }
        if (probe_out == NONE) {
            actions[i * ACTION_QUADS + t] = tanh4(acc);
        } else {
            probe_actions[probe_out * ACTION_QUADS + t] = tanh4(acc);
        }
    }
}
