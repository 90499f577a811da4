// Observation -> 44 actions in (-1, 1), one thread per (agent, output).
// Linear: tanh(W obs + b) from the agent's genome: W input-major [obs_len][44], so the
// threads of one agent read neighbouring weights, then b [44].
// Random: uniform actions from the counter-based rng. Zero: all zero.
// Reference: src/cpu/policy.rs.

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> clock: Clock;
@group(0) @binding(2) var<storage, read> agents: array<Agent>;
@group(0) @binding(3) var<storage, read> obs: array<f32>;
@group(0) @binding(4) var<storage, read> genomes: array<f32>;
@group(0) @binding(5) var<storage, read_write> actions: array<f32>;

@compute @workgroup_size(64)
fn policy(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let t = flat_index(gid, nwg);
    let i = t / ACTION_LEN;
    let o = t % ACTION_LEN;
    if (i >= params.capacity) { return; }
    if (agents[i].alive == 0u) {
        actions[t] = 0.0;
        return;
    }
    var out = 0.0;
    if (params.brain_kind == BRAIN_LINEAR) {
        let len = params.obs_len;
        let g = i * params.genome_len;
        let x = i * len;
        var acc = genomes[g + ACTION_LEN * len + o];
        for (var k = 0u; k < len; k++) {
            acc += genomes[g + k * ACTION_LEN + o] * obs[x + k];
        }
        out = safe_tanh(acc);
    } else if (params.brain_kind == BRAIN_RANDOM) {
        out = 2.0 * rng_uniform(clock.tick, i, S_POLICY, o) - 1.0;
    }
    actions[t] = out;
}
