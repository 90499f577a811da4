// Births, deaths and respawn (SPEC 2.7). births_select (one workgroup) serves would-be
// parents in order of decreasing energy (ties by slot) while free slots remain, pairing
// the i-th chosen parent (in slot order) with the i-th free slot, or lists `min_agents`
// random agents when none is alive, and sizes the indirect dispatches of births_spawn
// (one thread per new agent) and births_genome (one thread per new weight).
// Reference: src/cpu/births.rs.

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> clock: Clock;
@group(0) @binding(2) var<storage, read_write> agents: array<Agent>;
@group(0) @binding(3) var<storage, read> agent_tick: array<AgentTick>;
@group(0) @binding(4) var<storage, read_write> birth_control: BirthControl;
@group(0) @binding(5) var<storage, read_write> birth_list: array<Birth>;
@group(0) @binding(6) var<storage, read_write> genomes: array<f32>;

var<workgroup> partial: array<u32, 256>;

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

// Energies of living agents are positive, so their bit patterns order like the values.
fn energy_key(i: u32) -> u32 {
    return bitcast<u32>(max(agents[i].energy, 0.0));
}

@compute @workgroup_size(256)
fn births_select(@builtin(local_invocation_index) t: u32) {
    let cap = params.capacity;
    let per = (cap + 255u) / 256u;
    let lo = min(t * per, cap);
    let hi = min(lo + per, cap);
    var my_alive = 0u;
    var my_wants = 0u;
    var my_died = 0u;
    for (var i = lo; i < hi; i++) {
        if (agents[i].alive != 0u) { my_alive += 1u; }
        if (wants_child(i)) { my_wants += 1u; }
        if ((agent_tick[i].flags & TICK_DIED) != 0u) { my_died += 1u; }
    }
    let alive_count = workgroup_sum(t, my_alive);
    let candidates = workgroup_sum(t, my_wants);
    let deaths = workgroup_sum(t, my_died);
    let free = cap - alive_count;
    var count = 0u;
    var births = 0u;
    var respawns = 0u;
    if (alive_count == 0u) {
        let n = min(params.min_agents, cap);
        for (var r = t; r < n; r += 256u) {
            birth_list[r] = Birth(r, NONE);
        }
        count = n;
        respawns = n;
    } else {
        // Chosen: key > threshold, or key == threshold and slot < slot_bound.
        var threshold = 0u;
        var slot_bound = 0xffffffffu;
        if (free == 0u) {
            // A full pool: nobody is born, and the search below would find nothing.
            slot_bound = 0u;
            threshold = 0xffffffffu;
        } else if (candidates > free) {
            // Largest threshold with at least `free` candidates at or above it, bit by bit.
            for (var bit = 31i; bit >= 0i; bit--) {
                let trial = threshold | (1u << u32(bit));
                var c = 0u;
                for (var i = lo; i < hi; i++) {
                    if (wants_child(i) && energy_key(i) >= trial) { c += 1u; }
                }
                if (workgroup_sum(t, c) >= free) { threshold = trial; }
            }
            var c_above = 0u;
            for (var i = lo; i < hi; i++) {
                if (wants_child(i) && energy_key(i) > threshold) { c_above += 1u; }
            }
            let need = free - workgroup_sum(t, c_above);
            // The largest slot s with fewer than `need` tied candidates below it: slot s
            // itself is the last tied candidate chosen.
            var s = 0u;
            for (var bit = 31i; bit >= 0i; bit--) {
                let trial = s | (1u << u32(bit));
                var c2 = 0u;
                for (var i = lo; i < min(hi, trial); i++) {
                    if (wants_child(i) && energy_key(i) == threshold) { c2 += 1u; }
                }
                if (workgroup_sum(t, c2) < need) { s = trial; }
            }
            slot_bound = select(s + 1u, s, s == 0xffffffffu);
        }
        // Rank chosen parents and free slots in slot order.
        var my_parents = 0u;
        var my_free = 0u;
        for (var i = lo; i < hi; i++) {
            let k = energy_key(i);
            if (wants_child(i) && (k > threshold || (k == threshold && i < slot_bound))) { my_parents += 1u; }
            if (agents[i].alive == 0u) { my_free += 1u; }
        }
        let parents_total = workgroup_sum(t, my_parents);
        let n = min(parents_total, free);
        var pr = workgroup_exclusive(t, my_parents);
        var fr = workgroup_exclusive(t, my_free);
        for (var i = lo; i < hi; i++) {
            let k = energy_key(i);
            if (wants_child(i) && (k > threshold || (k == threshold && i < slot_bound))) {
                if (pr < n) { birth_list[pr].parent = i; }
                pr += 1u;
            }
            if (agents[i].alive == 0u) {
                if (fr < n) { birth_list[fr].child = i; }
                fr += 1u;
            }
        }
        count = n;
        births = n;
    }
    if (t == 0u) {
        var ctl: BirthControl;
        ctl.count = count;
        ctl.births = births;
        ctl.respawns = respawns;
        ctl.deaths = deaths;
        ctl.candidates = candidates;
        ctl.alive_after = alive_count + count;
        ctl.spawn_args = array<u32, 3>((count + 63u) / 64u, 1u, 1u);
        if (params.genome_len == 0u || count == 0u) {
            ctl.genome_args = array<u32, 3>(0u, 1u, 1u);
        } else {
            ctl.genome_args = array<u32, 3>((params.genome_len + 255u) / 256u, min(count, 65535u), (count + 65534u) / 65535u);
        }
        birth_control = ctl;
        clock.alive = alive_count + count;
    }
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
    return a;
}

@compute @workgroup_size(64)
fn births_spawn(@builtin(global_invocation_id) gid: vec3<u32>) {
    let r = gid.x;
    if (r >= birth_control.count) { return; }
    let b = birth_list[r];
    let tick = clock.tick;
    if (b.parent == NONE) {
        agents[b.child] = random_agent(tick, b.child);
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
        child.id[k] = clamp(parent.id[k] + u, -1.0, 1.0);
    }
    child.generation = parent.generation + 1u;
    child.lineage_lo = b.child;
    child.lineage_hi = tick;
    child.parent_lo = parent.lineage_lo;
    child.parent_hi = parent.lineage_hi;
    agents[b.child] = child;
    if (params.child_energy_from_parent != 0u) {
        agents[b.parent].energy -= transfer;
    }
}

@compute @workgroup_size(256)
fn births_genome(@builtin(global_invocation_id) gid: vec3<u32>) {
    let w = gid.x;
    let r = gid.y + gid.z * 65535u;
    let len = params.genome_len;
    if (w >= len || r >= birth_control.count) { return; }
    let b = birth_list[r];
    let tick = clock.tick;
    let noise = rng_normal(tick, b.child, S_GENOME, w);
    if (b.parent == NONE) {
        genomes[b.child * len + w] = params.init_sigma * noise;
    } else {
        genomes[b.child * len + w] = genomes[b.parent * len + w] + params.mutation_sigma * noise;
    }
}
