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

@compute @workgroup_size(64)
fn policy(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let t = flat_index(gid, nwg);
    let i = t / QUADS;
    let q = t % QUADS;
    if (i >= params.capacity) { return; }
    let a = i * ACTION_LEN + 4u * q;
    if (agents[i].alive == 0u) {
        for (var c = 0u; c < 4u; c++) { actions[a + c] = 0.0; }
        return;
    }
    if (params.brain_kind == BRAIN_LINEAR) {
        let acc = linear_quad(i, q);
        for (var c = 0u; c < 4u; c++) { actions[a + c] = safe_tanh(acc[c]); }
    } else if (params.brain_kind == BRAIN_RANDOM) {
        for (var c = 0u; c < 4u; c++) {
            actions[a + c] = 2.0 * rng_uniform(clock.tick, i, S_POLICY, 4u * q + c) - 1.0;
        }
    } else {
        for (var c = 0u; c < 4u; c++) { actions[a + c] = 0.0; }
    }
}
