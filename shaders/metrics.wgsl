// One row of per-tick measures (columns: METRIC_COLUMNS in src/layout.rs, documented
// in docs/metrics.md) written into the metrics ring, then the tick counter advanced.
// metrics_partial: params.metric_partials workgroups each sum a contiguous chunk of the agents and
// of the cells; metrics: one workgroup sums the partials and writes the row. Every sum is
// reduced in the same fixed order each tick, so rows are reproducible.
// The emergence measures (docs/measures.md): cultivated cells and what was eaten from them;
// speakers' and listeners' (message symbol, action symbol) pairs counted with integer
// atomics into this tick's slot of windowed histograms, whose entropies and mutual
// information `metrics` computes with the Miller-Madow correction.
// Reference: src/cpu/metrics.rs.

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> clock: Clock;
@group(0) @binding(2) var<storage, read> agents: array<Agent>;
@group(0) @binding(3) var<storage, read> cells: array<Cell>;
@group(0) @binding(4) var<storage, read> actions: array<f32>;
@group(0) @binding(5) var<storage, read> agent_tick: array<AgentTick>;
@group(0) @binding(6) var<storage, read> cell_tick: array<CellTick>;
@group(0) @binding(7) var<storage, read> birth_control: BirthControl;
@group(0) @binding(8) var<storage, read_write> metrics_ring: array<f32>;
@group(0) @binding(9) var<storage, read_write> metrics_prev: array<f32>;
@group(0) @binding(10) var<storage, read_write> metrics_partials: array<f32>;
@group(0) @binding(11) var<storage, read> bots: array<Bot>;
@group(0) @binding(12) var<storage, read> bot_tick: array<BotTick>;
@group(0) @binding(13) var<storage, read> shadow_gain: array<f32>;
@group(0) @binding(14) var<storage, read_write> measures: Measures;
@group(0) @binding(15) var<storage, read_write> heard: array<u32>;
@group(0) @binding(16) var<storage, read_write> comm_hist: array<atomic<u32>>;
@group(0) @binding(17) var<storage, read> bot_programmed: array<u32>;
@group(0) @binding(18) var<storage, read_write> lineage_set: array<atomic<u32>>;
@group(0) @binding(19) var<storage, read> cultivator: array<u32>;
@group(0) @binding(20) var<storage, read_write> lineage_eaten: array<atomic<u32>>;
// @genome_pages read

const METRIC_COUNT: u32 = 96u;
// src/layout.rs DIVERSITY_SAMPLE, DIVERSITY_EVERY_TICKS.
const DIVERSITY_SAMPLE: u32 = 16u;
const DIVERSITY_EVERY_TICKS: u32 = 16u;
const METRIC_RING: u32 = 64u;
// Sums per partial; the partial's slot SUMS holds the largest generation seen, the
// MEAL_SUMS after it metrics_meals' sums.
const SUMS: u32 = 60u;
const MEAL_SUMS: u32 = 7u;
const MEALS_AT: u32 = 61u;
const PARTIAL_STRIDE: u32 = 68u;
// metrics_meals' sums (src/cpu/metrics.rs M_*).
const M_EATEN: u32 = 0u;
const M_FARM_FOOD: u32 = 1u;
const M_FARM_OWN: u32 = 2u;
const M_FARM_CHANCE: u32 = 3u;
const M_BOT_FOOD: u32 = 4u;
const M_BOT_OWN: u32 = 5u;
const M_BOT_CHANCE: u32 = 6u;
// src/layout.rs PROGRAMMED_WINDOW_TICKS.
const PROGRAMMED_WINDOW_TICKS: u32 = 32u;

// src/layout.rs `comm`.
const MESSAGE_SYMBOLS: u32 = 16u;
const ACTION_SYMBOLS: u32 = 8u;
const COMM_TABLE: u32 = 128u;
const COMM_SLOT: u32 = 256u;
const COMM_WINDOW_TICKS: u32 = 32u;

// Indices of the sums.
const Q_ALIVE: u32 = 0u;
const Q_ENERGY: u32 = 1u;
const Q_AGE: u32 = 2u;
const Q_GEN: u32 = 3u;
const Q_TERRAIN: u32 = 4u;   // 8 fields
const Q_REGROWTH: u32 = 12u;
const Q_EATEN_CELLS: u32 = 13u;
const Q_ACTORS: u32 = 14u;
const Q_ACTIONS: u32 = 15u;  // 12 actions
const Q_EATEN: u32 = 27u;
const Q_COSTS: u32 = 28u;
const Q_HIT: u32 = 29u;
const Q_STOLEN: u32 = 30u;
const Q_DEATH: u32 = 31u;
const Q_CULTIVATION: u32 = 32u;
const Q_PROGRAMMING: u32 = 33u;
const Q_BOT_ENERGY: u32 = 34u;
const Q_BOT_ACTIONS: u32 = 35u; // 7 actions
const Q_BOT_COSTS: u32 = 42u;
const Q_BOT_EATEN: u32 = 43u;
const Q_BOT_HIT: u32 = 44u;
const Q_BOT_STOLEN: u32 = 45u;
const Q_BOT_CLIP: u32 = 46u;
const Q_BOT_CULTIVATION: u32 = 47u;
const Q_CULTIVATED_CELLS: u32 = 48u;
const Q_EATEN_CULTIVATED: u32 = 49u;
const Q_CULTIVATION_COST: u32 = 50u;
const Q_GATE_OPEN: u32 = 51u;
const Q_PROGRAMMED: u32 = 52u;
const Q_BOTS_PROGRAMMED: u32 = 53u;
const Q_BOT_TERRAFORM_STEPS: u32 = 54u;
const Q_BOT_MOVED: u32 = 55u;
const Q_EATEN_BOT_FARMS: u32 = 56u;
// What agents received from hits, and took with their own, where positive: income.
const Q_GIFTS: u32 = 57u;
const Q_THEFT: u32 = 58u;
const Q_FROM_BOTS: u32 = 59u;

// Insert into the open-addressing lineage set; returns its slot. Equal keys race for one
// slot and exactly one wins it; where keys land depends on the order, but how many slots
// are filled does not, so `metrics` counts those, and what is summed per slot does not
// either.
fn insert_lineage(key: u32) -> u32 {
    let mask = arrayLength(&lineage_set) - 1u;
    var s = key & mask;
    loop {
        let r = atomicCompareExchangeWeak(&lineage_set[s], 0u, key);
        if (r.exchanged || r.old_value == key) { return s; }
        // A spurious failure leaves the slot empty: try it again.
        if (r.old_value != 0u) { s = (s + 1u) & mask; }
    }
    return s;
}

// The slot of a key in the lineage set, or NONE (after every insertion of the tick).
fn find_lineage(key: u32) -> u32 {
    let len = arrayLength(&lineage_set);
    let mask = len - 1u;
    var s = key & mask;
    for (var n = 0u; n < len; n++) {
        let k = atomicLoad(&lineage_set[s]);
        if (k == 0u) { return NONE; }
        if (k == key) { return s; }
        s = (s + 1u) & mask;
    }
    return NONE;
}

// Sign bits of a message's first four components.
fn message_symbol(m0: f32, m1: f32, m2: f32, m3: f32) -> u32 {
    return select(0u, 1u, m0 > 0.0) | select(0u, 2u, m1 > 0.0) | select(0u, 4u, m2 > 0.0)
        | select(0u, 8u, m3 > 0.0);
}

// Sign bits of move x, move y and eat.
fn action_symbol(o: u32) -> u32 {
    return select(0u, 1u, actions[o + A_MOVE_X] > 0.0) | select(0u, 2u, actions[o + A_MOVE_Y] > 0.0)
        | select(0u, 4u, actions[o + A_EAT] > 0.0);
}

// 64 threads per partial; every sum of every thread in workgroup memory, so the tree
// reduction takes 6 barrier steps for all sums at once (each barrier is costly on CPU
// Vulkan drivers).
const PARTIAL_THREADS: u32 = 64u;
var<private> acc: array<f32, 60>;
var<workgroup> sums: array<f32, 3840>; // SUMS * PARTIAL_THREADS
var<workgroup> gen_max: atomic<u32>;

// The chunk [lo, hi) of n items that partial w owns.
fn chunk(n: u32, w: u32) -> vec2<u32> {
    let per = (n + params.metric_partials - 1u) / params.metric_partials;
    return vec2<u32>(min(w * per, n), min((w + 1u) * per, n));
}

// Sum each `acc[q]` over the workgroup, in a fixed tree, into metrics_partials[base + q].
fn reduce_into(t: u32, base: u32) {
    for (var q = 0u; q < SUMS; q++) { sums[q * PARTIAL_THREADS + t] = acc[q]; }
    workgroupBarrier();
    for (var off = PARTIAL_THREADS / 2u; off > 0u; off = off / 2u) {
        if (t < off) {
            for (var q = 0u; q < SUMS; q++) {
                sums[q * PARTIAL_THREADS + t] += sums[q * PARTIAL_THREADS + t + off];
            }
        }
        workgroupBarrier();
    }
    if (t < SUMS) { metrics_partials[base + t] = sums[t * PARTIAL_THREADS]; }
}

@compute @workgroup_size(64)
fn metrics_partial(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) t: u32) {
    let w = wid.x;
    for (var q = 0u; q < SUMS; q++) { acc[q] = 0.0; }
    if (t == 0u) { atomicStore(&gen_max, 0u); }
    workgroupBarrier();
    var my_gen_max = 0u;
    let slot = (clock.tick % COMM_WINDOW_TICKS) * COMM_SLOT;
    let ar = chunk(params.capacity, w);
    for (var i = ar.x + t; i < ar.y; i += PARTIAL_THREADS) {
        let a = agents[i];
        if (a.alive != 0u) {
            let ls = insert_lineage(kin_key(a));
            let eaten = u32(round(agent_tick[i].eaten * LINEAGE_FIXED_SCALE));
            if (eaten != 0u) { atomicAdd(&lineage_eaten[ls], eaten); }
            acc[Q_ALIVE] += 1.0;
            acc[Q_ENERGY] += a.energy;
            acc[Q_AGE] += a.age;
            acc[Q_GEN] += f32(a.generation);
            my_gen_max = max(my_gen_max, a.generation);
        }
        let r = agent_tick[i];
        if ((r.flags & TICK_ACTED) != 0u) {
            acc[Q_ACTORS] += 1.0;
            let o = i * ACTION_LEN;
            for (var k = 0u; k < 7u; k++) { acc[Q_ACTIONS + k] += actions[o + k]; }
            for (var k = 0u; k < 5u; k++) { acc[Q_ACTIONS + 7u + k] += actions[o + A_TERRAFORM + k]; }
            acc[Q_EATEN] += r.eaten;
            acc[Q_COSTS] += r.cost;
            acc[Q_HIT] += r.hit_received;
            acc[Q_STOLEN] += r.stolen;
            acc[Q_GIFTS] += max(r.hit_received, 0.0);
            acc[Q_THEFT] += max(r.stolen, 0.0);
            acc[Q_FROM_BOTS] += r.from_bots;
            acc[Q_DEATH] += r.death_energy;
            acc[Q_CULTIVATION] += r.cultivation;
            acc[Q_PROGRAMMING] += r.programming;
            acc[Q_PROGRAMMED] += f32(r.programmed);
            acc[Q_CULTIVATION_COST] += params.terraform_cost * max(terraform_act(actions[o + A_TERRAFORM]), 0.0);
            let acted = action_symbol(o);
            if (actions[o + A_GATE] > 0.0) {
                acc[Q_GATE_OPEN] += 1.0;
                let m = o + A_OTHER_MESSAGE;
                let sent = message_symbol(actions[m], actions[m + 1u], actions[m + 2u], actions[m + 3u]);
                atomicAdd(&comm_hist[slot + sent * ACTION_SYMBOLS + acted], 1u);
            }
            let h = heard[i];
            if (h != NONE) {
                atomicAdd(&comm_hist[slot + COMM_TABLE + h * ACTION_SYMBOLS + acted], 1u);
            }
        }
        // What it will observe next tick (zeros when messages are off; shuffle_agents
        // replaces it with another's when they are shuffled).
        var next_heard = NONE;
        if (a.alive != 0u) {
            next_heard = 0u;
            if (params.messages_on != 0u) {
                next_heard = message_symbol(a.other_message[0], a.other_message[1], a.other_message[2],
                    a.other_message[3]);
            }
        }
        heard[i] = next_heard;
    }
    let br = chunk(params.bot_count, w);
    for (var b = br.x + t; b < br.y; b += PARTIAL_THREADS) {
        let r = bot_tick[b];
        acc[Q_BOT_ENERGY] += bots[b].energy;
        let since = bot_programmed[b];
        if (since != NONE && clock.tick - since < PROGRAMMED_WINDOW_TICKS) { acc[Q_BOTS_PROGRAMMED] += 1.0; }
        for (var k = 0u; k < 7u; k++) { acc[Q_BOT_ACTIONS + k] += clamp(r.out[k + select(0u, 1u, k >= 4u)], -1.0, 1.0); }
        acc[Q_BOT_COSTS] += r.cost;
        acc[Q_BOT_EATEN] += r.eaten;
        acc[Q_BOT_HIT] += r.hit_received;
        acc[Q_BOT_STOLEN] += r.stolen;
        acc[Q_BOT_CLIP] += r.clip;
        acc[Q_BOT_CULTIVATION] += r.cultivation;
        acc[Q_BOT_TERRAFORM_STEPS] += f32(r.terraform_steps);
        acc[Q_BOT_MOVED] += f32(r.moved);
        if (params.terraform_rate > 0.0) {
            acc[Q_CULTIVATION_COST] += r.cultivation * params.terraform_cost / params.terraform_rate;
        }
    }
    atomicMax(&gen_max, my_gen_max);
    let cr = chunk(params.map_size * params.map_size, w);
    for (var c = cr.x + t; c < cr.y; c += PARTIAL_THREADS) {
        let cell = cells[c];
        acc[Q_TERRAIN] += cell.energy;
        acc[Q_TERRAIN + 1u] += cell.max_energy;
        acc[Q_TERRAIN + 2u] += cell.energy_gain;
        acc[Q_TERRAIN + 3u] += cell.move_cost;
        acc[Q_TERRAIN + 4u] += cell.push_cost;
        acc[Q_TERRAIN + 5u] += cell.message_cost;
        acc[Q_TERRAIN + 6u] += cell.reproduce_cost;
        acc[Q_TERRAIN + 7u] += cell.bit;
        acc[Q_REGROWTH] += cell_tick[c].regrowth;
        acc[Q_EATEN_CELLS] += cell_tick[c].eaten;
        if (cell.energy_gain - shadow_gain[c] > params.cultivated_gain) {
            acc[Q_CULTIVATED_CELLS] += 1.0;
            acc[Q_EATEN_CULTIVATED] += cell_tick[c].eaten;
            if (cultivator[c] == CULTIVATOR_BOTS) { acc[Q_EATEN_BOT_FARMS] += cell_tick[c].eaten_by_agents; }
        }
    }
    reduce_into(t, w * PARTIAL_STRIDE);
    if (t == 0u) { metrics_partials[w * PARTIAL_STRIDE + SUMS] = f32(atomicLoad(&gen_max)); }
}

// Own harvest and programmer benefit: per partial, the meals of the agents alive at the
// end of the tick (AgentTick meal_from), after metrics_partial has summed each living
// lineage's eating into lineage_eaten.
@compute @workgroup_size(64)
fn metrics_meals(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) t: u32) {
    let w = wid.x;
    var m: array<f32, 7>;
    let ar = chunk(params.capacity, w);
    for (var i = ar.x + t; i < ar.y; i += PARTIAL_THREADS) {
        let r = agent_tick[i];
        if (agents[i].alive == 0u || (r.flags & TICK_ACTED) == 0u) { continue; }
        // In the lineage sums' fixed point, so that a lineage's share of all eating is at
        // most 1.
        m[M_EATEN] += round(r.eaten * LINEAGE_FIXED_SCALE) / LINEAGE_FIXED_SCALE;
        var at = NONE;
        if (r.meal_from == CULTIVATOR_AGENTS) { at = M_FARM_FOOD; }
        if (r.meal_from == CULTIVATOR_BOTS && r.meal_lineage != 0u) { at = M_BOT_FOOD; }
        if (at == NONE) { continue; }
        let ls = find_lineage(r.meal_lineage);
        var lineage = 0.0;
        if (ls != NONE) { lineage = f32(atomicLoad(&lineage_eaten[ls])) / LINEAGE_FIXED_SCALE; }
        m[at] += r.eaten;
        if (r.meal_lineage == kin_key(agents[i])) { m[at + 1u] += r.eaten; }
        m[at + 2u] += r.eaten * lineage;
    }
    for (var q = 0u; q < MEAL_SUMS; q++) { sums[q * PARTIAL_THREADS + t] = m[q]; }
    workgroupBarrier();
    for (var off = PARTIAL_THREADS / 2u; off > 0u; off = off / 2u) {
        if (t < off) {
            for (var q = 0u; q < MEAL_SUMS; q++) {
                sums[q * PARTIAL_THREADS + t] += sums[q * PARTIAL_THREADS + t + off];
            }
        }
        workgroupBarrier();
    }
    if (t < MEAL_SUMS) { metrics_partials[w * PARTIAL_STRIDE + MEALS_AT + t] = sums[t * PARTIAL_THREADS]; }
}

var<workgroup> totals: array<f32, 68>; // PARTIAL_STRIDE
var<workgroup> filled: array<u32, 64>;
var<workgroup> sample: array<u32, 16>;
var<workgroup> sample_count: u32;
var<workgroup> tick_now: u32;
var<workgroup> spread: array<f32, 1024>; // 64 threads x DIVERSITY_SAMPLE

// Root-mean-square distance per weight of the first DIVERSITY_SAMPLE living agents'
// genomes from their mean; called by all 64 threads, the result is in spread[0].
fn genome_diversity(t: u32) {
    if (t == 0u) {
        var n = 0u;
        for (var i = 0u; i < params.capacity && n < DIVERSITY_SAMPLE; i++) {
            if (agents[i].alive != 0u) { sample[n] = i; n += 1u; }
        }
        sample_count = n;
    }
    let n = workgroupUniformLoad(&sample_count);
    let g = params.genome_len;
    // Loops run to the constant DIVERSITY_SAMPLE so that llvmpipe unrolls them and keeps
    // these arrays in registers; each weight is loaded once.
    var dev: array<f32, DIVERSITY_SAMPLE>;
    var ids: array<u32, DIVERSITY_SAMPLE>;
    var x: array<f32, DIVERSITY_SAMPLE>;
    for (var k = 0u; k < DIVERSITY_SAMPLE; k++) {
        dev[k] = 0.0;
        ids[k] = sample[min(k, max(n, 1u) - 1u)];
    }
    if (n >= 2u) {
        for (var w = t; w < g; w += 64u) {
            var mean = 0.0;
            for (var k = 0u; k < DIVERSITY_SAMPLE; k++) {
                x[k] = genome_weight(ids[k], w);
                if (k < n) { mean += x[k]; }
            }
            mean = mean / f32(n);
            for (var k = 0u; k < DIVERSITY_SAMPLE; k++) {
                let d = x[k] - mean;
                if (k < n) { dev[k] += d * d; }
            }
        }
    }
    for (var k = 0u; k < DIVERSITY_SAMPLE; k++) { spread[t * DIVERSITY_SAMPLE + k] = dev[k]; }
    workgroupBarrier();
    if (t == 0u) {
        var total = 0.0;
        if (n >= 2u && g > 0u) {
            for (var k = 0u; k < n; k++) {
                var s = 0.0;
                for (var u = 0u; u < 64u; u++) { s += spread[u * DIVERSITY_SAMPLE + k]; }
                total += sqrt(s / f32(g));
            }
            total = total / f32(n);
        }
        spread[0] = total;
    }
}
var<workgroup> window: array<u32, 256>; // COMM_SLOT

// Entropy (nats) with the Miller-Madow correction (m - 1) / 2N, m the occupied bins, of
// window[at + stride * k] for k < count; returns (entropy, m).
fn entropy_mm(at: u32, count: u32, stride: u32, inner: u32, inner_stride: u32, n: f32) -> vec2<f32> {
    var s = 0.0;
    var m = 0.0;
    for (var k = 0u; k < count; k++) {
        var c = 0u;
        for (var j = 0u; j < inner; j++) { c += window[at + k * stride + j * inner_stride]; }
        if (c > 0u) {
            let cf = f32(c);
            s += cf * log(cf);
            m += 1.0;
        }
    }
    return vec2<f32>(log(n) - s / n + (m - 1.0) / (2.0 * n), m);
}

// (MI, H(messages), plug-in bias bound) in bits of the messages x actions table at `at`.
fn table_stats(at: u32) -> vec3<f32> {
    var n = 0.0;
    for (var k = 0u; k < COMM_TABLE; k++) { n += f32(window[at + k]); }
    if (n == 0.0) { return vec3<f32>(0.0); }
    let hx = entropy_mm(at, MESSAGE_SYMBOLS, ACTION_SYMBOLS, ACTION_SYMBOLS, 1u, n);
    let hy = entropy_mm(at, ACTION_SYMBOLS, 1u, MESSAGE_SYMBOLS, ACTION_SYMBOLS, n);
    let hxy = entropy_mm(at, COMM_TABLE, 1u, 1u, 1u, n);
    let bits = 0.6931471805599453;
    let bias = (hx.y - 1.0) * (hy.y - 1.0) / (2.0 * n);
    return vec3<f32>((hx.x + hy.x - hxy.x) / bits, hx.x / bits, bias / bits);
}

@compute @workgroup_size(64)
fn metrics(@builtin(local_invocation_index) t: u32) {
    if (t == 0u) { tick_now = clock.tick; }
    // Thread q sums quantities q, q + 64, ... over the partials, in partial order.
    for (var q = t; q < PARTIAL_STRIDE; q += 64u) {
        var v = 0.0;
        for (var w = 0u; w < params.metric_partials; w++) {
            let x = metrics_partials[w * PARTIAL_STRIDE + q];
            if (q == SUMS) { v = max(v, x); } else { v += x; }
        }
        totals[q] = v;
    }
    // Distinct lineages: the filled slots of the lineage set, counted by all threads.
    var mine = 0u;
    for (var k = t; k < arrayLength(&lineage_set); k += 64u) {
        if (atomicLoad(&lineage_set[k]) != 0u) { mine += 1u; }
    }
    filled[t] = mine;
    // Thread t sums 4 histogram bins over the window's slots.
    for (var k = 0u; k < 4u; k++) {
        let bin = t * 4u + k;
        var c = 0u;
        for (var s = 0u; s < COMM_WINDOW_TICKS; s++) { c += atomicLoad(&comm_hist[s * COMM_SLOT + bin]); }
        window[bin] = c;
    }
    workgroupBarrier();
    // The next tick's slot starts empty.
    let next = ((clock.tick + 1u) % COMM_WINDOW_TICKS) * COMM_SLOT;
    for (var k = 0u; k < 4u; k++) { atomicStore(&comm_hist[next + t * 4u + k], 0u); }
    // Uniform across the workgroup, so the barriers inside are reached by all threads.
    let measure_diversity = workgroupUniformLoad(&tick_now) % DIVERSITY_EVERY_TICKS == 0u;
    if (measure_diversity) {
        genome_diversity(t);
        workgroupBarrier();
    }
    if (t != 0u) { return; }
    let ctl = birth_control;
    let alive = totals[Q_ALIVE];
    let actors = totals[Q_ACTORS];
    let n_cells = params.map_size * params.map_size;
    var row: array<f32, 96>;
    row[0] = f32(clock.tick) + 1.0;
    row[1] = alive;
    row[2] = f32(ctl.births);
    row[3] = f32(ctl.deaths);
    row[4] = f32(ctl.respawns);
    row[5] = per(totals[Q_ENERGY], alive);
    row[6] = per(totals[Q_AGE], alive);
    row[7] = per(totals[Q_GEN], alive);
    row[8] = totals[SUMS];
    for (var k = 0u; k < 8u; k++) { row[9u + k] = totals[Q_TERRAIN + k] / f32(n_cells); }
    for (var k = 0u; k < 12u; k++) { row[17u + k] = per(totals[Q_ACTIONS + k], actors); }
    row[29] = totals[Q_COSTS];
    row[30] = totals[Q_CULTIVATION];
    row[31] = totals[Q_PROGRAMMING];
    let n_bots = f32(params.bot_count);
    row[32] = per(totals[Q_BOT_ENERGY], n_bots);
    for (var k = 0u; k < 7u; k++) { row[33u + k] = per(totals[Q_BOT_ACTIONS + k], n_bots); }
    row[40] = totals[Q_BOT_COSTS];
    row[41] = totals[Q_BOT_CULTIVATION];
    var child = params.child_energy;
    if (params.child_energy_from_parent != 0u) { child = 0.0; }
    let birth_energy = f32(ctl.births) * child + f32(ctl.respawns) * params.initial_energy;
    row[42] = totals[Q_REGROWTH];
    row[43] = totals[Q_EATEN];
    row[44] = totals[Q_EATEN_CELLS];
    row[45] = totals[Q_COSTS];
    row[46] = totals[Q_HIT];
    row[47] = totals[Q_STOLEN];
    row[48] = birth_energy;
    row[49] = totals[Q_DEATH];
    row[50] = totals[Q_BOT_EATEN];
    row[51] = totals[Q_BOT_HIT];
    row[52] = totals[Q_BOT_STOLEN];
    row[53] = totals[Q_BOT_CLIP];
    row[54] = totals[Q_ENERGY];
    row[55] = totals[Q_TERRAIN];
    row[56] = totals[Q_BOT_ENERGY];
    // Energy is conserved across agents, cells and bots up to these flows (eating only
    // moves it between them).
    let change = (totals[Q_ENERGY] - metrics_prev[0]) + (totals[Q_TERRAIN] - metrics_prev[1])
        + (totals[Q_BOT_ENERGY] - metrics_prev[2]);
    let explained = totals[Q_REGROWTH] - totals[Q_COSTS] - totals[Q_BOT_COSTS]
        + totals[Q_HIT] + totals[Q_STOLEN] + totals[Q_BOT_HIT] + totals[Q_BOT_STOLEN]
        + totals[Q_BOT_CLIP] + birth_energy - totals[Q_DEATH]
        + (totals[Q_EATEN] + totals[Q_BOT_EATEN] - totals[Q_EATEN_CELLS]);
    row[57] = change - explained;
    measures.eaten_cultivated_total += totals[Q_EATEN_CULTIVATED];
    measures.cultivation_cost_total += totals[Q_CULTIVATION_COST];
    row[58] = totals[Q_CULTIVATED_CELLS];
    row[59] = totals[Q_EATEN_CULTIVATED];
    row[60] = per(totals[Q_EATEN_CULTIVATED], totals[Q_EATEN_CELLS]);
    row[61] = totals[Q_CULTIVATION_COST];
    row[62] = per(measures.eaten_cultivated_total, measures.cultivation_cost_total);
    row[63] = per(totals[Q_GATE_OPEN], actors);
    let speaker = table_stats(0u);
    let listener = table_stats(COMM_TABLE);
    row[64] = speaker.y;
    row[65] = speaker.x;
    row[66] = speaker.z;
    row[67] = listener.x;
    row[68] = listener.z;
    row[69] = totals[Q_PROGRAMMED];
    row[70] = per(totals[Q_BOTS_PROGRAMMED], n_bots);
    var lineages = 0.0;
    for (var k = 0u; k < 64u; k++) { lineages += f32(filled[k]); }
    row[71] = lineages;
    // Lineages only begin with respawned agents, so those lost are the rest of the change.
    row[72] = measures.lineages_prev + f32(ctl.respawns) - lineages;
    measures.lineages_prev = lineages;
    if (measure_diversity) { measures.genome_diversity = spread[0]; }
    row[73] = measures.genome_diversity;
    row[74] = totals[Q_BOT_TERRAFORM_STEPS];
    row[75] = totals[Q_BOT_MOVED];
    row[76] = totals[Q_EATEN_BOT_FARMS];
    for (var g = 0u; g < SALIENCY_GROUPS; g++) { row[77u + g] = measures.saliency[g]; }
    row[82] = measures.influence_changed;
    row[83] = measures.influence_delta;
    let farm_food = totals[MEALS_AT + M_FARM_FOOD];
    let bot_food = totals[MEALS_AT + M_BOT_FOOD];
    let eaten_alive = totals[MEALS_AT + M_EATEN];
    row[84] = farm_food;
    row[85] = per(totals[MEALS_AT + M_FARM_OWN], farm_food);
    row[86] = per(totals[MEALS_AT + M_FARM_CHANCE], farm_food * eaten_alive);
    row[87] = bot_food;
    row[88] = per(totals[MEALS_AT + M_BOT_OWN], bot_food);
    row[89] = per(totals[MEALS_AT + M_BOT_CHANCE], bot_food * eaten_alive);
    // What agents live on: shares of their income (src/cpu/metrics.rs).
    let income = totals[Q_EATEN] + totals[Q_GIFTS] + birth_energy + totals[Q_THEFT]
        + totals[Q_FROM_BOTS];
    row[90] = per(totals[Q_EATEN], income);
    row[91] = per(totals[Q_GIFTS], income);
    row[92] = per(birth_energy, income);
    row[93] = per(totals[Q_THEFT], income);
    row[94] = per(totals[Q_FROM_BOTS], income);
    row[95] = totals[Q_FROM_BOTS];
    metrics_prev[0] = totals[Q_ENERGY];
    metrics_prev[1] = totals[Q_TERRAIN];
    metrics_prev[2] = totals[Q_BOT_ENERGY];
    let slot = clock.tick % METRIC_RING;
    for (var k = 0u; k < METRIC_COUNT; k++) { metrics_ring[slot * METRIC_COUNT + k] = row[k]; }
    clock.tick = clock.tick + 1u;
    clock.bot_step = 0u;
}

fn per(x: f32, count: f32) -> f32 {
    if (count > 0.0) { return x / count; }
    return 0.0;
}
