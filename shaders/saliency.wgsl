// Saliency (JaxLife's communication saliency): how strongly a brain's actions depend on
// each group of its inputs. On saliency ticks (src/schedule.rs), saliency_select picks
// SALIENCY_AGENTS living agents at random and, for each, SALIENCY_INPUTS random inputs of
// each group (probe rows 0..SALIENCY_ROWS); the brains' probe entries run each
// agent's brain on its own observation, unperturbed and then with one input raised by
// SALIENCY_EPS, before the brain pass proper; saliency_reduce turns that into the mean
// |Δaction| / ε per group, held in measures.saliency until the next estimate.
// Groups: 0 terrain, 1 self (the own vector but messages), 2 agents (the neighbours'
// vectors but messages), 3 bots (but memories), 4 messages (every message and bot memory
// seen, the own included). On probe ticks for influence alone, saliency_none empties the
// saliency rows instead. Reference: src/cpu/saliency.rs.

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> clock: Clock;
@group(0) @binding(2) var<storage, read> agents: array<Agent>;
@group(0) @binding(3) var<storage, read_write> probe_agents: array<u32>;
@group(0) @binding(4) var<storage, read_write> probe_inputs: array<u32>;
@group(0) @binding(5) var<storage, read> probe_actions: array<f32>;
@group(0) @binding(6) var<storage, read_write> measures: Measures;

override TERRAIN_LEN: u32 = 567u;
override VIEW_AGENTS: u32 = 16u;
override VIEW_BOTS: u32 = 2u;

// Inputs of a bot's vector but its memory (AGENT_PLAIN, an agent's before its messages, is
// in common.wgsl).
const BOT_PLAIN: u32 = BOT_VEC_LEN - MESSAGE_LEN;

// The Compact brain's pooled inputs (compact_brain.wgsl): self vector, neighbours' mean
// vector, fraction of neighbour slots filled, [bots' mean vector, fraction of bot slots
// filled,] terrain summary (28).
const COMPACT_TERRAIN: u32 = 28u;

fn compact_bots_at() -> u32 { return 2u * AGENT_VEC_LEN + 1u; }

fn compact_terrain_at() -> u32 {
    return compact_bots_at() + select(0u, BOT_VEC_LEN + 1u, VIEW_BOTS > 0u);
}

fn compact_group_size(g: u32) -> u32 {
    let bots = VIEW_BOTS > 0u;
    switch g {
        case 0u: { return COMPACT_TERRAIN; }
        case 1u: { return AGENT_PLAIN; }
        case 2u: { return AGENT_PLAIN + 1u; }
        case 3u: { return select(0u, BOT_PLAIN + 1u, bots); }
        default: { return 4u * MESSAGE_LEN + select(0u, MESSAGE_LEN, bots); }
    }
}

fn compact_group_input(g: u32, k: u32) -> u32 {
    let bots_at = compact_bots_at();
    switch g {
        case 0u: { return compact_terrain_at() + k; }
        case 1u: { return k; }
        case 2u: { return select(2u * AGENT_VEC_LEN, AGENT_VEC_LEN + k, k < AGENT_PLAIN); }
        case 3u: {
            if (k == BOT_PLAIN) { return bots_at + BOT_VEC_LEN; }
            return bots_at + select(k + MESSAGE_LEN, k, k < 3u);
        }
        default: {
            if (k < 2u * MESSAGE_LEN) { return AGENT_PLAIN + k; }
            if (k < 4u * MESSAGE_LEN) { return AGENT_VEC_LEN + AGENT_PLAIN + k - 2u * MESSAGE_LEN; }
            return bots_at + 3u + k - 4u * MESSAGE_LEN;
        }
    }
}

fn group_size(compact: bool, g: u32) -> u32 {
    if (compact) { return compact_group_size(g); }
    switch g {
        case 0u: { return TERRAIN_LEN; }
        case 1u: { return AGENT_PLAIN; }
        case 2u: { return VIEW_AGENTS * AGENT_PLAIN; }
        case 3u: { return VIEW_BOTS * BOT_PLAIN; }
        default: { return (1u + VIEW_AGENTS) * 2u * MESSAGE_LEN + VIEW_BOTS * MESSAGE_LEN; }
    }
}

// Where input k of group g lies in the observation row (in order: terrain, self,
// neighbours, bots; a bot's vector is offset, energy, memory, program), or with `compact`
// (a literal of each entry point) in the Compact brain's pooled inputs.
fn group_input(compact: bool, g: u32, k: u32) -> u32 {
    if (compact) { return compact_group_input(g, k); }
    let self_at = TERRAIN_LEN;
    let bots_at = TERRAIN_LEN + (1u + VIEW_AGENTS) * AGENT_VEC_LEN;
    switch g {
        case 0u: { return k; }
        case 1u: { return self_at + k; }
        case 2u: { return self_at + AGENT_VEC_LEN * (1u + k / AGENT_PLAIN) + k % AGENT_PLAIN; }
        case 3u: {
            let j = k % BOT_PLAIN;
            return bots_at + BOT_VEC_LEN * (k / BOT_PLAIN) + select(j + MESSAGE_LEN, j, j < 3u);
        }
        default: {
            let agent_messages = (1u + VIEW_AGENTS) * 2u * MESSAGE_LEN;
            if (k < agent_messages) {
                return self_at + AGENT_VEC_LEN * (k / (2u * MESSAGE_LEN)) + AGENT_PLAIN + k % (2u * MESSAGE_LEN);
            }
            let r = k - agent_messages;
            return bots_at + BOT_VEC_LEN * (r / MESSAGE_LEN) + 3u + r % MESSAGE_LEN;
        }
    }
}

// On a probe tick that is no saliency tick: no samples, so the probes skip their rows.
@compute @workgroup_size(64)
fn saliency_none(@builtin(local_invocation_index) s: u32) {
    if (s >= SALIENCY_AGENTS) { return; }
    probe_agents[s] = NONE;
}

// Thread s picks sample s: the first living agent from a random slot on, and inputs of
// each group of the observation row (saliency_select) or of the Compact brain's pooled
// inputs (saliency_select_compact).
@compute @workgroup_size(64)
fn saliency_select(@builtin(local_invocation_index) s: u32) {
    select_samples(false, s);
}

@compute @workgroup_size(64)
fn saliency_select_compact(@builtin(local_invocation_index) s: u32) {
    select_samples(true, s);
}

fn select_samples(compact: bool, s: u32) {
    if (s >= SALIENCY_AGENTS) { return; }
    let cap = params.capacity;
    let start = min(u32(rng_uniform(clock.tick, s, S_SALIENCY, 0u) * f32(cap)), cap - 1u);
    var agent = NONE;
    for (var k = 0u; k < cap; k++) {
        var j = start + k;
        if (j >= cap) { j -= cap; }
        if (agents[j].alive != 0u) { agent = j; break; }
    }
    probe_agents[s] = agent;
    probe_inputs[s * SALIENCY_PROBES] = NONE;
    for (var p = 1u; p < SALIENCY_PROBES; p++) {
        let size = group_size(compact, (p - 1u) / SALIENCY_INPUTS);
        var input = NONE;
        if (size > 0u && agent != NONE) {
            let k = min(u32(rng_uniform(clock.tick, s, S_SALIENCY, p) * f32(size)), size - 1u);
            input = group_input(compact, (p - 1u) / SALIENCY_INPUTS, k);
        }
        probe_inputs[s * SALIENCY_PROBES + p] = input;
    }
}

// One thread: the sums are few, and one order keeps them identical to the CPU's.
@compute @workgroup_size(64)
fn saliency_reduce(@builtin(local_invocation_index) t: u32) {
    if (t != 0u) { return; }
    var sum: array<f32, SALIENCY_GROUPS>;
    var count: array<u32, SALIENCY_GROUPS>;
    for (var s = 0u; s < SALIENCY_AGENTS; s++) {
        if (probe_agents[s] == NONE) { continue; }
        let base = s * SALIENCY_PROBES * ACTION_LEN;
        for (var p = 1u; p < SALIENCY_PROBES; p++) {
            if (probe_inputs[s * SALIENCY_PROBES + p] == NONE) { continue; }
            var d = 0.0;
            for (var j = 0u; j < ACTION_LEN; j++) {
                d += abs(probe_actions[base + p * ACTION_LEN + j] - probe_actions[base + j]);
            }
            let g = (p - 1u) / SALIENCY_INPUTS;
            sum[g] += d / (f32(ACTION_LEN) * SALIENCY_EPS);
            count[g] += 1u;
        }
    }
    for (var g = 0u; g < SALIENCY_GROUPS; g++) {
        measures.saliency[g] = select(0.0, sum[g] / f32(count[g]), count[g] > 0u);
    }
}
