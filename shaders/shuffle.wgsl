// The `controls.messages: Shuffled` control. Each tick the living agents are put on one
// random cycle, and every agent hears, and shows its observers, the messages of the agent
// after it on the cycle; the bots' memories are cycled among the bots alike. A cycle has
// no fixed point, so nobody hears its own, and every message is still heard once: the
// messages' statistics stay, their link to the listener's surroundings is cut. Dispatched
// only in shuffled worlds.
// The cycle is a keyed bijection on the next power of two above the count, walked until it
// lands inside the count (cycle walking), so it needs no sort: entry k of the cycle is the
// living agent of rank cycle(k). shuffle_rank lists the living agents in slot order.
// Reference: src/cpu/shuffle.rs.

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> clock: Clock;
@group(0) @binding(2) var<storage, read> agents: array<Agent>;
@group(0) @binding(3) var<storage, read_write> living: array<u32>;
@group(0) @binding(4) var<storage, read_write> living_count: u32;
@group(0) @binding(5) var<storage, read_write> message_source: array<u32>;
@group(0) @binding(6) var<storage, read_write> bot_message_source: array<u32>;
@group(0) @binding(7) var<storage, read_write> heard: array<u32>;

const ROUNDS: u32 = 4u;

// A keyed bijection of the b-bit numbers: multiply by an odd constant, add a key,
// xor-shift, each a bijection.
fn permute_bits(x: u32, bits: u32, keys: array<u32, 4>) -> u32 {
    var mask = 0xffffffffu;
    if (bits < 32u) { mask = (1u << bits) - 1u; }
    let shift = bits / 2u + 1u;
    var y = x & mask;
    for (var r = 0u; r < ROUNDS; r++) {
        y = (y * 0x9e3779b1u) & mask;
        y = (y + keys[r]) & mask;
        if (shift < 32u) { y = y ^ (y >> shift); }
    }
    return y;
}

// Entry k of a random cycle through 0..n (n >= 1).
fn cycle_entry(k: u32, n: u32, keys: array<u32, 4>) -> u32 {
    let bits = 32u - countLeadingZeros(max(n - 1u, 1u));
    var y = permute_bits(k, bits, keys);
    while (y >= n) { y = permute_bits(y, bits, keys); }
    return y;
}

fn cycle_keys(which: u32) -> array<u32, 4> {
    var keys: array<u32, 4>;
    for (var r = 0u; r < ROUNDS; r++) { keys[r] = rng_u32(clock.tick, which, S_SHUFFLE, r); }
    return keys;
}

// (this entry, the entry after it) of a cycle of n.
fn successor(k: u32, n: u32, keys: array<u32, 4>) -> vec2<u32> {
    if (n < 2u) { return vec2<u32>(k, k); }
    let next = select(k + 1u, 0u, k + 1u == n);
    return vec2<u32>(cycle_entry(k, n, keys), cycle_entry(next, n, keys));
}

// Sign bits of a message's first four components (metrics.wgsl message_symbol).
fn heard_symbol(a: Agent) -> u32 {
    return select(0u, 1u, a.other_message[0] > 0.0) | select(0u, 2u, a.other_message[1] > 0.0)
        | select(0u, 4u, a.other_message[2] > 0.0) | select(0u, 8u, a.other_message[3] > 0.0);
}

var<workgroup> chunk_counts: array<u32, 64>;

// One workgroup: thread t counts the living agents of its chunk of slots, a scan over the
// 64 counts gives each chunk's first rank, and each thread lists its chunk in slot order.
@compute @workgroup_size(64)
fn shuffle_rank(@builtin(local_invocation_index) t: u32) {
    let cap = params.capacity;
    let per = (cap + 63u) / 64u;
    let lo = min(t * per, cap);
    let hi = min(lo + per, cap);
    var mine = 0u;
    for (var i = lo; i < hi; i++) { if (agents[i].alive != 0u) { mine += 1u; } }
    chunk_counts[t] = mine;
    workgroupBarrier();
    if (t == 0u) {
        var total = 0u;
        for (var c = 0u; c < 64u; c++) {
            let n = chunk_counts[c];
            chunk_counts[c] = total;
            total += n;
        }
        living_count = total;
    }
    workgroupBarrier();
    var rank = chunk_counts[t];
    for (var i = lo; i < hi; i++) {
        if (agents[i].alive != 0u) {
            living[rank] = i;
            rank += 1u;
        }
    }
}

// Thread k takes entry k of the living agents' cycle.
@compute @workgroup_size(64)
fn shuffle_agents(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let k = flat_index(gid, nwg);
    let n = living_count;
    if (k >= n) { return; }
    let pair = successor(k, n, cycle_keys(0u));
    let a = living[pair.x];
    let b = living[pair.y];
    message_source[a] = b;
    if (heard[a] != NONE) { heard[a] = heard_symbol(agents[b]); }
}

// Thread k takes entry k of the bots' cycle.
@compute @workgroup_size(64)
fn shuffle_bots(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let k = flat_index(gid, nwg);
    let n = params.bot_count;
    if (k >= n) { return; }
    let pair = successor(k, n, cycle_keys(1u));
    bot_message_source[pair.x] = pair.y;
}
