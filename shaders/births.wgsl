// Births, deaths and respawn. births_select (one workgroup) serves would-be
// parents in order of decreasing energy (ties by slot) while free slots remain, pairing
// the i-th chosen parent (in slot order) with the i-th free slot, or lists `min_agents`
// random agents when none is alive, and sizes the indirect dispatches of births_spawn
// (one thread per new agent) and births_genome (one thread per 4 pairs of new weights).
// Worlds of more agents than src/gpu/births.rs BLOCKS_ABOVE_AGENTS make the same
// selection over blocks of agents in seven dispatches (births_tally ... births_assign,
// below), since one workgroup walking every slot several times takes tens of
// milliseconds at a million agents on a real GPU.
// Reference: src/cpu/births.rs.

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> clock: Clock;
@group(0) @binding(2) var<storage, read_write> agents: array<Agent>;
@group(0) @binding(3) var<storage, read> agent_tick: array<AgentTick>;
@group(0) @binding(4) var<storage, read_write> birth_control: BirthControl;
@group(0) @binding(5) var<storage, read_write> birth_list: array<Birth>;
// Per weight: the scale of a fresh (respawned) weight, and the child's mutation σ.
@group(0) @binding(6) var<storage, read> genome_scale: array<vec2<f32>>;
@group(0) @binding(7) var<storage, read_write> brain_state: array<f32>;
// Births and deaths for lineage.csv, read back with the metrics.
@group(0) @binding(8) var<storage, read_write> events: array<LifeEvent>;
@group(0) @binding(9) var<storage, read_write> event_count: atomic<u32>;
// The block selection's state: SEL_* words, then the two 16-bit digit histograms of the
// would-be parents' energy keys, then BLOCK_WORDS words per block (src/gpu/births.rs).
@group(0) @binding(10) var<storage, read_write> birth_select: array<atomic<u32>>;
// Each slot's code (slot_code), written by births_tally, so that the block passes after it
// read 4 bytes a slot instead of the agent's and its tick record's lines.
@group(0) @binding(11) var<storage, read_write> birth_codes: array<u32>;
// @genome_pages read_write

// src/layout.rs GENOME_PAIRS_PER_THREAD.
const GENOME_PAIRS_PER_THREAD: u32 = 8u;

fn record(e: LifeEvent) {
    let k = atomicAdd(&event_count, 1u);
    if (k < arrayLength(&events)) { events[k] = e; }
}

// The birth of a newcomer: its id, its parent's (all ones for a respawn), its generation.
fn record_birth(a: Agent, tick: u32) {
    record(LifeEvent(EVENT_BIRTH, tick, vec2<u32>(a.lineage_lo, a.lineage_hi),
        vec2<u32>(a.parent_lo, a.parent_hi), a.generation, 0u));
}

var<workgroup> partial: array<u32, 256>;
var<workgroup> hist: array<atomic<u32>, 256>;
var<workgroup> sel_digit: u32;
var<workgroup> sel_above: u32;

// Sum of `v` over the workgroup; every thread gets the total.
fn workgroup_sum(t: u32, v: u32) -> u32 {
    partial[t] = v;
    workgroupBarrier();
    for (var off = 128u; off > 0u; off = off / 2u) {
        if (t < off) { partial[t] += partial[t + off]; }
        workgroupBarrier();
    }
    // A uniform load, so branches on the total may hold barriers.
    let total = workgroupUniformLoad(&partial[0]);
    workgroupBarrier();
    return total;
}

// Exclusive prefix of `v` over the threads; every thread gets its own.
fn workgroup_exclusive(t: u32, v: u32) -> u32 {
    partial[t] = v;
    workgroupBarrier();
    for (var off = 1u; off < 256u; off = off * 2u) {
        var add = 0u;
        if (t >= off) { add = partial[t - off]; }
        workgroupBarrier();
        partial[t] += add;
        workgroupBarrier();
    }
    let r = partial[t] - v;
    workgroupBarrier();
    return r;
}

fn wants_child(i: u32) -> bool {
    return agents[i].alive != 0u && (agent_tick[i].flags & TICK_WANTS_CHILD) != 0u;
}

// The key that orders would-be parents, largest first: energies of living agents are
// positive, so their bit patterns order like the values; under ecology.random_parents a
// draw in [0, 1) per (tick, slot), equally below 2^31. (src/cpu/births.rs `parent_key`.)
fn energy_key(i: u32) -> u32 {
    if (params.random_parents != 0u) {
        return bitcast<u32>(rng_uniform(clock.tick, i, S_PARENT_ORDER, 0u));
    }
    return bitcast<u32>(max(agents[i].energy, 0.0));
}

// Respawns on top of `births` while the population is below ecology.respawn_below, in the
// free slots the births leave. (src/cpu/births.rs `respawn_top_up`.)
fn respawn_top_up(alive: u32, births: u32, free: u32) -> u32 {
    let have = alive + births;
    if (params.respawn_below <= have) { return 0u; }
    return min(params.respawn_below - have, free - births);
}

// What the selection needs of a slot in one word: a would-be parent's energy key (below
// 2^31, energies being positive), CODE_IDLE for another living agent, CODE_FREE for a
// free slot.
const CODE_IDLE: u32 = 0xfffffffeu;
const CODE_FREE: u32 = 0xffffffffu;

fn slot_code(i: u32) -> u32 {
    if (agents[i].alive == 0u) { return CODE_FREE; }
    if ((agent_tick[i].flags & TICK_WANTS_CHILD) == 0u) { return CODE_IDLE; }
    return energy_key(i);
}

fn code_wants(code: u32) -> bool {
    return code < 0x80000000u;
}

// Slot i's code from the agent, or (`coded`) as births_tally stored it.
fn code_of(i: u32, coded: bool) -> u32 {
    if (coded) { return birth_codes[i]; }
    return slot_code(i);
}

// Slot i as (alive, wants a child, died) counts; a death is recorded.
fn tally_slot(i: u32, code: u32) -> vec3<u32> {
    var c = vec3<u32>(0u);
    if (code != CODE_FREE) { c.x = 1u; }
    if (code_wants(code)) { c.y = 1u; }
    let r = agent_tick[i];
    if ((r.flags & TICK_DIED) != 0u) {
        c.z = 1u;
        // Killed by hits if it would have lived without them.
        let a = agents[i];
        var cause = CAUSE_STARVED;
        if (r.hit_received < 0.0 && r.death_energy - r.hit_received > 0.0) { cause = CAUSE_HIT; }
        record(LifeEvent(EVENT_DEATH, clock.tick, vec2<u32>(a.lineage_lo, a.lineage_hi),
            vec2<u32>(NONE, NONE), a.generation, cause));
    }
    return c;
}

// Of slots [lo, hi): would-be parents above the threshold, at it, and free slots.
fn rank_counts(lo: u32, hi: u32, threshold: u32, coded: bool) -> vec3<u32> {
    var c = vec3<u32>(0u);
    for (var i = lo; i < hi; i++) {
        let k = code_of(i, coded);
        if (code_wants(k)) {
            if (k > threshold) { c.x += 1u; }
            if (k == threshold) { c.y += 1u; }
        }
        if (k == CODE_FREE) { c.z += 1u; }
    }
    return c;
}

// Chosen among `tied` keys at the threshold whose first has rank `rank` among all of them.
fn tied_chosen(tied: u32, rank: u32, need_tied: u32) -> u32 {
    return min(tied, need_tied - min(rank, need_tied));
}

// Pairs the chosen parents of slots [lo, hi) with its free slots in the birth list's first
// n entries, from (rank of the first tied key, first parent entry, first free-slot entry).
fn pair_slots(lo: u32, hi: u32, threshold: u32, need_tied: u32, n: u32, total: u32,
              first: vec3<u32>, coded: bool) {
    var tied_rank = first.x;
    var pr = first.y;
    var fr = first.z;
    for (var i = lo; i < hi; i++) {
        let k = code_of(i, coded);
        if (code_wants(k)) {
            var chosen = k > threshold;
            if (k == threshold) {
                chosen = tied_rank < need_tied;
                tied_rank += 1u;
            }
            if (chosen) {
                if (pr < n) { birth_list[pr].parent = i; }
                pr += 1u;
            }
        }
        if (k == CODE_FREE) {
            // Free slots after the births' take the top-up respawns.
            if (fr < total) { birth_list[fr].child = i; }
            if (fr >= n && fr < total) { birth_list[fr].parent = NONE; }
            fr += 1u;
        }
    }
}

// A world in which nobody is alive gets this many random agents in its first slots.
fn respawn_count() -> u32 {
    return min(params.min_agents, params.capacity);
}

// Lists the respawns (thread t of 256) and returns their count.
fn list_respawns(t: u32) -> u32 {
    let n = respawn_count();
    for (var r = t; r < n; r += 256u) {
        birth_list[r] = Birth(r, NONE);
    }
    return n;
}

// The choice as (threshold, need_tied) where no key need be selected: chosen are keys
// above the threshold, and the first need_tied keys equal to it in slot order. A full
// pool takes nobody; room for every would-be parent takes them all.
fn choice_without_select(free: u32) -> vec2<u32> {
    if (free == 0u) { return vec2<u32>(0xffffffffu, 0u); }
    return vec2<u32>(0u, 0xffffffffu);
}

@compute @workgroup_size(256)
fn births_select(@builtin(local_invocation_index) t: u32) {
    let cap = params.capacity;
    let per = (cap + 255u) / 256u;
    let lo = min(t * per, cap);
    let hi = min(lo + per, cap);
    var mine = vec3<u32>(0u);
    for (var i = lo; i < hi; i++) { mine += tally_slot(i, slot_code(i)); }
    let alive_count = workgroup_sum(t, mine.x);
    let candidates = workgroup_sum(t, mine.y);
    let deaths = workgroup_sum(t, mine.z);
    let free = cap - alive_count;
    var count = 0u;
    var births = 0u;
    var respawns = 0u;
    if (alive_count == 0u) {
        count = list_respawns(t);
        respawns = count;
    } else {
        let unselected = choice_without_select(free);
        var threshold = unselected.x;
        var need_tied = unselected.y;
        if (free > 0u && candidates > free) {
            // Radix select of the free-th largest key, 8 bits at a time from the top: four
            // histograms instead of a sort.
            var prefix = 0u;
            var mask = 0u;
            var need = free;
            for (var shift = 24i; shift >= 0i; shift -= 8i) {
                atomicStore(&hist[t], 0u);
                workgroupBarrier();
                for (var i = lo; i < hi; i++) {
                    let k = energy_key(i);
                    if (wants_child(i) && (k & mask) == prefix) {
                        atomicAdd(&hist[(k >> u32(shift)) & 255u], 1u);
                    }
                }
                workgroupBarrier();
                if (t == 0u) {
                    var above = 0u;
                    var d = 255u;
                    loop {
                        let c = atomicLoad(&hist[d]);
                        if (above + c >= need || d == 0u) { break; }
                        above += c;
                        d -= 1u;
                    }
                    sel_digit = d;
                    sel_above = above;
                }
                let digit = workgroupUniformLoad(&sel_digit);
                let above = workgroupUniformLoad(&sel_above);
                need -= above;
                prefix = prefix | (digit << u32(shift));
                mask = mask | (255u << u32(shift));
            }
            threshold = prefix;
            need_tied = need;
        }
        // Rank chosen parents and free slots in slot order.
        let c = rank_counts(lo, hi, threshold, false);
        let tied_rank = workgroup_exclusive(t, c.y);
        let my_parents = c.x + tied_chosen(c.y, tied_rank, need_tied);
        let parents_total = workgroup_sum(t, my_parents);
        let n = min(parents_total, free);
        respawns = respawn_top_up(alive_count, n, free);
        let pr = workgroup_exclusive(t, my_parents);
        let fr = workgroup_exclusive(t, c.z);
        pair_slots(lo, hi, threshold, need_tied, n, n + respawns, vec3<u32>(tied_rank, pr, fr), false);
        count = n + respawns;
        births = n;
    }
    if (t == 0u) {
        write_control(count, births, respawns, deaths, candidates, alive_count);
    }
}

// The tick's birth counts, and the indirect dispatch sizes of births_spawn and births_genome.
fn write_control(count: u32, births: u32, respawns: u32, deaths: u32, candidates: u32, alive_count: u32) {
    var ctl: BirthControl;
    ctl.count = count;
    ctl.births = births;
    ctl.respawns = respawns;
    ctl.deaths = deaths;
    ctl.candidates = candidates;
    ctl.alive_after = alive_count + count;
    let groups = (count + 63u) / 64u;
    ctl.spawn_args = array<u32, 3>(min(groups, 65535u), (groups + 65534u) / 65535u, 1u);
    if (params.genome_len == 0u || count == 0u) {
        ctl.genome_args = array<u32, 3>(0u, 1u, 1u);
    } else {
        let per_group = 256u * GENOME_PAIRS_PER_THREAD;
        let pairs = params.genome_len / 2u;
        ctl.genome_args = array<u32, 3>((pairs + per_group - 1u) / per_group, min(count, 65535u), (count + 65534u) / 65535u);
    }
    birth_control = ctl;
    clock.alive = alive_count + count;
}

// ---- The same selection over blocks of BLOCK_SLOTS agents, for large worlds ----
// births_tally counts the living, the would-be parents and the dead (recording deaths),
// stores each slot's code and histograms the parents' keys by their high 16 bits;
// births_decide_hi finds the bin that holds the free-th largest key; births_hist_lo
// histograms the low 16 bits of the keys in that bin, and births_decide_lo finds the key
// itself (the threshold) and how many of the keys equal to it are taken, as
// births_select's radix select does 8 bits at a time. births_rank counts each block's
// parents above the threshold, at it, and free slots; births_offsets sums them over the
// blocks before each; births_assign pairs parents and slots in slot order. Ties are taken
// in slot order, so the chosen parents before a slot are those above the threshold plus
// min(ties before it, need_tied): no count waits on another. Every count is an exact
// integer, so the result is births_select's, entry for entry. The block passes run 64
// threads (lavapipe pays each barrier once per SIMD batch of a workgroup).

// src/gpu/births.rs SEL_WORDS, HIST_BINS, BLOCK_SLOTS, BLOCK_WORDS (tests/suite/shaders.rs
// holds them equal).
const SEL_WORDS: u32 = 16u;
const HIST_BINS: u32 = 65536u;
const BLOCK_SLOTS: u32 = 512u;
// A block's (above, tied, free) counts, then the same counts of all blocks before it.
const BLOCK_WORDS: u32 = 3u;
const BLOCK_THREADS: u32 = 64u;
const SLOTS_PER_THREAD: u32 = 8u;
const HIST_HI: u32 = SEL_WORDS;
const HIST_LO: u32 = SEL_WORDS + HIST_BINS;
const BLOCKS_AT: u32 = SEL_WORDS + 2u * HIST_BINS;
// The SEL_* words: totals (summed by births_tally), then the selection.
const SEL_ALIVE: u32 = 0u;
const SEL_WANTS: u32 = 1u;
const SEL_DEATHS: u32 = 2u;
const SEL_RESPAWN: u32 = 3u;
const SEL_THRESHOLD: u32 = 4u;
const SEL_NEED_TIED: u32 = 5u;
const SEL_RADIX: u32 = 6u;
const SEL_LOADED: u32 = 8u;

var<workgroup> sel: array<u32, SEL_LOADED>;
var<workgroup> scan3: array<vec3<u32>, BLOCK_THREADS>;

fn block_of(wg: vec3<u32>, nwg: vec3<u32>) -> u32 {
    return wg.x + wg.y * nwg.x;
}

// The slots [lo, hi) of thread t of a block: SLOTS_PER_THREAD consecutive ones, so that the
// threads' ranks in slot order follow from prefix sums over the threads.
fn block_slots(block: u32, t: u32) -> vec2<u32> {
    let lo = min(block * BLOCK_SLOTS + t * SLOTS_PER_THREAD, params.capacity);
    return vec2<u32>(lo, min(lo + SLOTS_PER_THREAD, params.capacity));
}

// The first SEL_LOADED selection words into `sel`; branches that hold barriers read them
// through workgroupUniformLoad.
fn load_sel(t: u32) {
    if (t < SEL_LOADED) { sel[t] = atomicLoad(&birth_select[t]); }
    workgroupBarrier();
}

struct Scan3 {
    before: vec3<u32>,
    total: vec3<u32>,
}

// Exclusive prefix of `v` over a block pass's BLOCK_THREADS threads, and their total.
fn scan_threads(t: u32, v: vec3<u32>) -> Scan3 {
    scan3[t] = v;
    workgroupBarrier();
    for (var off = 1u; off < BLOCK_THREADS; off = off * 2u) {
        var add = vec3<u32>(0u);
        if (t >= off) { add = scan3[t - off]; }
        workgroupBarrier();
        scan3[t] += add;
        workgroupBarrier();
    }
    let r = Scan3(scan3[t] - v, scan3[BLOCK_THREADS - 1u]);
    workgroupBarrier();
    return r;
}

// Of the 65536 bins of a histogram at `base`, counted from the highest: the bin in which
// the count reaches `need` (1 ≤ need ≤ the histogram's total), and the count of the bins
// above it. Thread t of 256 sums bins 256t.. from the top; the one whose run reaches need
// walks it, as births_select's thread 0 walks its 256 bins.
fn select_bin(t: u32, base: u32, need: u32) -> vec2<u32> {
    let top = HIST_BINS - 1u - 256u * t;
    var mine = 0u;
    for (var k = 0u; k < 256u; k++) { mine += atomicLoad(&birth_select[base + top - k]); }
    let before = workgroup_exclusive(t, mine);
    if (before < need && before + mine >= need) {
        var above = before;
        for (var k = 0u; k < 256u; k++) {
            let c = atomicLoad(&birth_select[base + top - k]);
            if (above + c >= need) {
                sel_digit = top - k;
                sel_above = above;
                break;
            }
            above += c;
        }
    }
    let digit = workgroupUniformLoad(&sel_digit);
    let above = workgroupUniformLoad(&sel_above);
    return vec2<u32>(digit, above);
}

@compute @workgroup_size(64)
fn births_tally(@builtin(local_invocation_index) t: u32, @builtin(workgroup_id) wg: vec3<u32>,
                @builtin(num_workgroups) nwg: vec3<u32>) {
    let r = block_slots(block_of(wg, nwg), t);
    var mine = vec3<u32>(0u);
    for (var i = r.x; i < r.y; i++) {
        let code = slot_code(i);
        birth_codes[i] = code;
        if (code_wants(code)) { atomicAdd(&birth_select[HIST_HI + (code >> 16u)], 1u); }
        mine += tally_slot(i, code);
    }
    let sums = scan_threads(t, mine).total;
    if (t == 0u) {
        atomicAdd(&birth_select[SEL_ALIVE], sums.x);
        atomicAdd(&birth_select[SEL_WANTS], sums.y);
        atomicAdd(&birth_select[SEL_DEATHS], sums.z);
    }
}

@compute @workgroup_size(256)
fn births_decide_hi(@builtin(local_invocation_index) t: u32) {
    load_sel(t);
    let alive_count = workgroupUniformLoad(&sel[SEL_ALIVE]);
    let candidates = workgroupUniformLoad(&sel[SEL_WANTS]);
    let free = params.capacity - alive_count;
    if (alive_count == 0u) {
        list_respawns(t);
        if (t == 0u) { atomicStore(&birth_select[SEL_RESPAWN], 1u); }
        return;
    }
    let unselected = choice_without_select(free);
    var threshold = unselected.x;
    var need_tied = unselected.y;
    var radix = 0u;
    if (free > 0u && candidates > free) {
        let hi = select_bin(t, HIST_HI, free);
        threshold = hi.x << 16u;
        need_tied = free - hi.y;
        radix = 1u;
    }
    if (t == 0u) {
        atomicStore(&birth_select[SEL_THRESHOLD], threshold);
        atomicStore(&birth_select[SEL_NEED_TIED], need_tied);
        atomicStore(&birth_select[SEL_RADIX], radix);
    }
}

@compute @workgroup_size(64)
fn births_hist_lo(@builtin(local_invocation_index) t: u32, @builtin(workgroup_id) wg: vec3<u32>,
                  @builtin(num_workgroups) nwg: vec3<u32>) {
    if (atomicLoad(&birth_select[SEL_RADIX]) == 0u) { return; }
    let hi = atomicLoad(&birth_select[SEL_THRESHOLD]) >> 16u;
    let r = block_slots(block_of(wg, nwg), t);
    for (var i = r.x; i < r.y; i++) {
        let k = birth_codes[i];
        if (code_wants(k) && (k >> 16u) == hi) {
            atomicAdd(&birth_select[HIST_LO + (k & 0xffffu)], 1u);
        }
    }
}

@compute @workgroup_size(256)
fn births_decide_lo(@builtin(local_invocation_index) t: u32) {
    load_sel(t);
    if (workgroupUniformLoad(&sel[SEL_RADIX]) == 0u) { return; }
    let need = workgroupUniformLoad(&sel[SEL_NEED_TIED]);
    let lo = select_bin(t, HIST_LO, need);
    if (t == 0u) {
        atomicOr(&birth_select[SEL_THRESHOLD], lo.x);
        atomicStore(&birth_select[SEL_NEED_TIED], need - lo.y);
    }
}

@compute @workgroup_size(64)
fn births_rank(@builtin(local_invocation_index) t: u32, @builtin(workgroup_id) wg: vec3<u32>,
               @builtin(num_workgroups) nwg: vec3<u32>) {
    load_sel(t);
    let block = block_of(wg, nwg);
    let r = block_slots(block, t);
    var c = vec3<u32>(0u);
    if (sel[SEL_RESPAWN] == 0u) { c = rank_counts(r.x, r.y, sel[SEL_THRESHOLD], true); }
    let sums = scan_threads(t, c).total;
    if (t == 0u) {
        for (var k = 0u; k < 3u; k++) { atomicStore(&birth_select[BLOCKS_AT + BLOCK_WORDS * block + k], sums[k]); }
    }
}

@compute @workgroup_size(64)
fn births_offsets(@builtin(local_invocation_index) t: u32) {
    load_sel(t);
    let alive_count = sel[SEL_ALIVE];
    let candidates = sel[SEL_WANTS];
    let deaths = sel[SEL_DEATHS];
    if (workgroupUniformLoad(&sel[SEL_RESPAWN]) != 0u) {
        let n = respawn_count();
        if (t == 0u) { write_control(n, 0u, n, deaths, candidates, alive_count); }
        return;
    }
    // Each block's (above, tied, free) counts become the counts of the blocks before it,
    // carried across rounds of BLOCK_THREADS blocks.
    let blocks = (params.capacity + BLOCK_SLOTS - 1u) / BLOCK_SLOTS;
    var carry = vec3<u32>(0u);
    for (var first = 0u; first < blocks; first += BLOCK_THREADS) {
        let b = first + t;
        var c = vec3<u32>(0u);
        if (b < blocks) {
            for (var k = 0u; k < 3u; k++) { c[k] = atomicLoad(&birth_select[BLOCKS_AT + BLOCK_WORDS * b + k]); }
        }
        let s = scan_threads(t, c);
        if (b < blocks) {
            let before = carry + s.before;
            for (var k = 0u; k < 3u; k++) { atomicStore(&birth_select[BLOCKS_AT + BLOCK_WORDS * b + k], before[k]); }
        }
        carry += s.total;
    }
    let parents = carry.x + min(carry.y, sel[SEL_NEED_TIED]);
    let free = params.capacity - alive_count;
    let n = min(parents, free);
    let respawns = respawn_top_up(alive_count, n, free);
    if (t == 0u) { write_control(n + respawns, n, respawns, deaths, candidates, alive_count); }
}

@compute @workgroup_size(64)
fn births_assign(@builtin(local_invocation_index) t: u32, @builtin(workgroup_id) wg: vec3<u32>,
                 @builtin(num_workgroups) nwg: vec3<u32>) {
    load_sel(t);
    if (workgroupUniformLoad(&sel[SEL_RESPAWN]) != 0u) { return; }
    let threshold = sel[SEL_THRESHOLD];
    let need_tied = sel[SEL_NEED_TIED];
    let block = block_of(wg, nwg);
    let r = block_slots(block, t);
    let c = rank_counts(r.x, r.y, threshold, true);
    let s = scan_threads(t, c);
    var before = s.before;
    for (var k = 0u; k < 3u; k++) { before[k] += atomicLoad(&birth_select[BLOCKS_AT + BLOCK_WORDS * block + k]); }
    // The parents chosen before this thread's slots: all above the threshold, and the ties
    // up to need_tied.
    let pr = before.x + min(before.y, need_tied);
    pair_slots(r.x, r.y, threshold, need_tied, birth_control.births, birth_control.count,
               vec3<u32>(before.y, pr, before.z), true);
}

fn random_agent(tick: u32, slot: u32) -> Agent {
    var a: Agent;
    a.alive = 1u;
    a.energy = params.initial_energy;
    a.pos = vec2<f32>(rng_uniform(tick, slot, S_SPAWN_POS, 0u) * params.world_size,
                      rng_uniform(tick, slot, S_SPAWN_POS, 1u) * params.world_size);
    for (var k = 0u; k < ID_LEN; k++) {
        a.id[k] = 2.0 * rng_uniform(tick, slot, S_SPAWN_ID, k) - 1.0;
    }
    a.lineage_lo = slot;
    a.lineage_hi = tick;
    a.parent_lo = NONE;
    a.parent_hi = NONE;
    a.founder = vec2<u32>(slot, tick);
    if (params.kin_generations != 0u || params.kin_ticks != 0u) { a.kin = lineage_key(slot, tick); }
    return a;
}

@compute @workgroup_size(64)
fn births_spawn(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let r = flat_index(gid, nwg);
    if (r >= birth_control.count) { return; }
    let b = birth_list[r];
    let tick = clock.tick;
    // Every newcomer starts with a fresh recurrent state.
    let n = params.brain_state_len;
    for (var s = 0u; s < n; s++) { brain_state[b.child * n + s] = 0.0; }
    if (b.parent == NONE) {
        let a = random_agent(tick, b.child);
        agents[b.child] = a;
        record_birth(a, tick);
        return;
    }
    let parent = agents[b.parent];
    var child: Agent;
    child.alive = 1u;
    child.pos = parent.pos;
    // With child_energy_from_parent the parent hands over child_energy, but never more than
    // half of what it has, so it is never left at or below zero while alive.
    let transfer = min(params.child_energy, 0.5 * parent.energy);
    child.energy = params.child_energy;
    if (params.child_energy_from_parent != 0u) { child.energy = transfer; }
    for (var k = 0u; k < ID_LEN; k++) {
        let u = 2.0 * rng_uniform(tick, b.child, S_CHILD_ID, k) - 1.0;
        child.id[k] = clamp(parent.id[k] + u * params.id_drift, -1.0, 1.0);
    }
    child.generation = parent.generation + 1u;
    child.lineage_lo = b.child;
    child.lineage_hi = tick;
    child.parent_lo = parent.lineage_lo;
    child.parent_hi = parent.lineage_hi;
    child.founder = parent.founder;
    child.kin = parent.kin;
    if (params.kin_generations != 0u && child.generation % params.kin_generations == 0u) {
        child.kin = lineage_key(b.child, tick);
    }
    if (params.kin_ticks != 0u && parent.lineage_hi / params.kin_ticks < tick / params.kin_ticks) {
        child.kin = epoch_kin_key(parent, tick / params.kin_ticks);
    }
    agents[b.child] = child;
    record_birth(child, tick);
    if (params.child_energy_from_parent != 0u) {
        agents[b.parent].energy -= transfer;
    }
}

@compute @workgroup_size(256)
fn births_genome(@builtin(global_invocation_id) gid: vec3<u32>) {
    let r = gid.y + gid.z * 65535u;
    if (r >= birth_control.count) { return; }
    // A thread takes GENOME_PAIRS_PER_THREAD pairs of one birth, so that its birth, its
    // streams' hashes and its branch are fetched once for them all.
    let b = birth_list[r];
    let tick = clock.tick;
    let noise_key = rng_key(tick, b.child, S_GENOME);
    let mask_key = rng_key(tick, b.child, S_MUTATION_MASK);
    let masked = params.mutation_rate < 1.0;
    let pairs = params.genome_len / 2u;
    for (var c = 0u; c < GENOME_PAIRS_PER_THREAD; c++) {
        // Weights 2m and 2m+1 (a genome's length is a multiple of 4) take the two normals
        // of pair m.
        let m = gid.x * GENOME_PAIRS_PER_THREAD + c;
        if (m >= pairs) { return; }
        let noise = rng_normal_pair_keyed(noise_key, m);
        var v: vec2<f32>;
        if (b.parent == NONE) {
            v = vec2<f32>(genome_scale[2u * m].x * noise[0], genome_scale[2u * m + 1u].x * noise[1]);
        } else {
            v = genome_pair(b.parent, m);
            for (var h = 0u; h < 2u; h++) {
                let w = 2u * m + h;
                var n = noise[h];
                // With a rate below 1 each weight is touched or copied by its own draw.
                if (masked && rng_uniform_keyed(mask_key, w) >= params.mutation_rate) {
                    n = 0.0;
                }
                v[h] += genome_scale[w].y * n;
            }
        }
        genome_store_pair(b.child, m, v);
    }
}
