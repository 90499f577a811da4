// Message influence, the causal influence of communication of Lowe et al. (2019): replace
// what a listener hears, keep everything else, and see whether its action changes. Every
// measures.influence_every ticks, influence_select samples INFLUENCE_LISTENERS living agents
// that see another agent or a bot (a message can reach them) and, for each, another random
// living agent; the brains' probe entries (policy_probe, jaxlife_probe, compact_probe) run
// each listener's brain twice from the same observation and recurrent state, which they
// leave alone: as it is (row SALIENCY_ROWS + 2s), and with every message it hears swapped
// for what the other agent hears (the next row; common.wgsl heard_range);
// influence_reduce reports the share of listeners whose discrete action changed and the
// mean |Δaction|, held in measures until the next measurement. On probe ticks for saliency
// alone, influence_none empties the influence rows instead. Reference: src/cpu/influence.rs.

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> clock: Clock;
@group(0) @binding(2) var<storage, read> agents: array<Agent>;
@group(0) @binding(3) var<storage, read> neighbor_list: array<u32>;
@group(0) @binding(4) var<storage, read> bot_neighbor_list: array<u32>;
@group(0) @binding(5) var<storage, read_write> probe_agents: array<u32>;
@group(0) @binding(6) var<storage, read_write> probe_inputs: array<u32>;
@group(0) @binding(7) var<storage, read> probe_actions: array<f32>;
@group(0) @binding(8) var<storage, read_write> measures: Measures;

// An agent sees another agent or a bot, so a message can reach it.
fn hears(j: u32) -> bool {
    let k = params.view_agents;
    let kb = params.view_bots;
    for (var s = 0u; s < k; s++) { if (neighbor_list[j * k + s] != NONE) { return true; } }
    for (var s = 0u; s < kb; s++) { if (bot_neighbor_list[j * kb + s] != NONE) { return true; } }
    return false;
}

// On a probe tick that is no influence tick: no listeners, so the probes skip their rows.
@compute @workgroup_size(64)
fn influence_none(@builtin(local_invocation_index) s: u32) {
    if (s >= INFLUENCE_LISTENERS) { return; }
    let row = SALIENCY_ROWS + 2u * s;
    probe_agents[SALIENCY_AGENTS + s] = NONE;
    probe_inputs[row] = NONE;
    probe_inputs[row + 1u] = NONE;
}

// Thread s picks sample s: the first living listener from a random slot on, and the first
// living agent other than it from another random slot on (both NONE without such a pair).
@compute @workgroup_size(64)
fn influence_select(@builtin(local_invocation_index) s: u32) {
    if (s >= INFLUENCE_LISTENERS) { return; }
    let cap = params.capacity;
    var listener = NONE;
    var partner = NONE;
    var start = min(u32(rng_uniform(clock.tick, s, S_INFLUENCE, 0u) * f32(cap)), cap - 1u);
    for (var k = 0u; k < cap; k++) {
        var j = start + k;
        if (j >= cap) { j -= cap; }
        if (agents[j].alive != 0u && hears(j)) { listener = j; break; }
    }
    if (listener != NONE) {
        start = min(u32(rng_uniform(clock.tick, s, S_INFLUENCE, 1u) * f32(cap)), cap - 1u);
        for (var k = 0u; k < cap; k++) {
            var j = start + k;
            if (j >= cap) { j -= cap; }
            if (agents[j].alive != 0u && j != listener) { partner = j; break; }
        }
    }
    if (partner == NONE) { listener = NONE; }
    let row = SALIENCY_ROWS + 2u * s;
    probe_agents[SALIENCY_AGENTS + s] = listener;
    probe_inputs[row] = NONE;
    probe_inputs[row + 1u] = select(PROBE_SWAP | partner, NONE, partner == NONE);
}

// Which way it moves in x and in y, whether it eats, tries to reproduce, hits (rather than
// gives), opens its gate.
fn decisions(at: u32) -> u32 {
    return select(0u, 1u, probe_actions[at + A_MOVE_X] > 0.0)
        | select(0u, 2u, probe_actions[at + A_MOVE_Y] > 0.0)
        | select(0u, 4u, probe_actions[at + A_EAT] > 0.0)
        | select(0u, 8u, probe_actions[at + A_REPRODUCE] > 0.0)
        | select(0u, 16u, probe_actions[at + A_HIT] > 0.0)
        | select(0u, 32u, probe_actions[at + A_GATE] > 0.0);
}

// One thread: the sums are few, and one order keeps them identical to the CPU's.
@compute @workgroup_size(64)
fn influence_reduce(@builtin(local_invocation_index) t: u32) {
    if (t != 0u) { return; }
    var changed = 0.0;
    var delta = 0.0;
    var n = 0.0;
    for (var s = 0u; s < INFLUENCE_LISTENERS; s++) {
        if (probe_agents[SALIENCY_AGENTS + s] == NONE) { continue; }
        let plain = (SALIENCY_ROWS + 2u * s) * ACTION_LEN;
        let swapped = plain + ACTION_LEN;
        var d = 0.0;
        for (var j = 0u; j < ACTION_LEN; j++) {
            d += abs(probe_actions[plain + j] - probe_actions[swapped + j]);
        }
        delta += d / f32(ACTION_LEN);
        if (decisions(plain) != decisions(swapped)) { changed += 1.0; }
        n += 1.0;
    }
    measures.influence_changed = select(0.0, changed / n, n > 0.0);
    measures.influence_delta = select(0.0, delta / n, n > 0.0);
}
