// Observation -> 44 actions in (-1, 1), one thread per (agent, group of 4 outputs).
// Linear: tanh(W obs + b) from the agent's genome: W input-major [obs_len][44], so the
// threads of one agent read neighbouring weights, then b [44].
// Random: uniform actions from the counter-based rng. Zero: all zero.
// Reference: src/cpu/policy.rs.

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> clock: Clock;
@group(0) @binding(2) var<storage, read> agents: array<Agent>;
@group(0) @binding(3) var<storage, read> obs: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> actions: array<f32>;
@group(0) @binding(5) var<storage, read> probe_agents: array<u32>;
@group(0) @binding(6) var<storage, read> probe_inputs: array<u32>;
@group(0) @binding(7) var<storage, read_write> probe_actions: array<f32>;
// @genome_pages read

// The linear brain: one thread per (agent, group of 4 outputs), reading the observation
// and the weights as vec4s: 16 multiply-adds for every 5 loads.
const QUADS: u32 = 11u;

fn linear_quad(i: u32, q: u32) -> vec4<f32> {
    let len4 = params.obs_len / 4u;
    let x0 = i * len4;
    var acc = genome_quad(i, params.obs_len * QUADS + q);
    for (var kk = 0u; kk < len4; kk++) {
        let x = obs[x0 + kk];
        let w = 4u * kk * QUADS + q;
        acc += genome_quad(i, w) * x.x;
        acc += genome_quad(i, w + QUADS) * x.y;
        acc += genome_quad(i, w + 2u * QUADS) * x.z;
        acc += genome_quad(i, w + 3u * QUADS) * x.w;
    }
    return acc;
}

fn obs_at(k: u32) -> f32 {
    return obs[k / 4u][k % 4u];
}

// What swapping agent i's heard messages for agent j's adds to outputs 4q..4q+3: the brain
// is linear before its tanh, so the change of each heard input times its weights.
fn swap_quad(i: u32, j: u32, q: u32) -> vec4<f32> {
    var acc = vec4<f32>(0.0);
    let ri = i * params.obs_len;
    let rj = j * params.obs_len;
    for (var r = 0u; r < heard_range_count(); r++) {
        let range = heard_range(r);
        for (var k = range.x; k < range.x + range.y; k++) {
            acc += genome_quad(i, k * QUADS + q) * (obs_at(rj + k) - obs_at(ri + k));
        }
    }
    return acc;
}

// Actions 4q..4q+3 of living agent i under brain `kind` (a literal of each entry point),
// its inputs changed as probe code `code` says (NONE: not at all; PROBE_SWAP | j: its
// heard messages swapped for agent j's; else input `code` raised by SALIENCY_EPS).
fn actions_quad(kind: u32, i: u32, q: u32, code: u32) -> vec4<f32> {
    if (kind == BRAIN_LINEAR) {
        var acc = linear_quad(i, q);
        if (code != NONE) {
            if ((code & PROBE_SWAP) != 0u) {
                acc += swap_quad(i, code & ~PROBE_SWAP, q);
            } else {
                // The brain is linear before its tanh: raising input k adds ε times its
                // weights.
                acc += SALIENCY_EPS * genome_quad(i, code * QUADS + q);
            }
        }
        return vec4<f32>(safe_tanh(acc.x), safe_tanh(acc.y), safe_tanh(acc.z), safe_tanh(acc.w));
    }
    if (kind == BRAIN_RANDOM) {
        var out: vec4<f32>;
        for (var c = 0u; c < 4u; c++) {
            out[c] = 2.0 * rng_uniform(clock.tick, i, S_POLICY, 4u * q + c) - 1.0;
        }
        return out;
    }
    return vec4<f32>(0.0);
}

// The world's brain picks the entry point (src/schedule.rs `brain_passes`): policy (Linear),
// policy_random, policy_zero, each with its probe entry.
@compute @workgroup_size(64)
fn policy(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    act(BRAIN_LINEAR, flat_index(gid, nwg));
}

@compute @workgroup_size(64)
fn policy_random(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    act(BRAIN_RANDOM, flat_index(gid, nwg));
}

@compute @workgroup_size(64)
fn policy_zero(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    act(BRAIN_ZERO, flat_index(gid, nwg));
}

fn act(kind: u32, t: u32) {
    let i = t / QUADS;
    let q = t % QUADS;
    if (i >= params.capacity) { return; }
    let a = i * ACTION_LEN + 4u * q;
    var out = vec4<f32>(0.0);
    if (agents[i].alive != 0u) { out = actions_quad(kind, i, q, NONE); }
    for (var c = 0u; c < 4u; c++) { actions[a + c] = out[c]; }
}

// Probes (saliency.wgsl, influence.wgsl): one thread per (probe row, group of 4 actions).
@compute @workgroup_size(64)
fn policy_probe(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    probe_row(BRAIN_LINEAR, flat_index(gid, nwg));
}

@compute @workgroup_size(64)
fn policy_random_probe(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    probe_row(BRAIN_RANDOM, flat_index(gid, nwg));
}

@compute @workgroup_size(64)
fn policy_zero_probe(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    probe_row(BRAIN_ZERO, flat_index(gid, nwg));
}

fn probe_row(kind: u32, t: u32) {
    let probe = t / QUADS;
    let q = t % QUADS;
    if (probe >= PROBE_ROWS) { return; }
    let i = probe_agents[probe_agent_index(probe)];
    if (i == NONE) { return; }
    let out = actions_quad(kind, i, q, probe_inputs[probe]);
    for (var c = 0u; c < 4u; c++) { probe_actions[probe * ACTION_LEN + 4u * q + c] = out[c]; }
}
