// Shared declarations, prepended to every pass. Mirrors src/layout.rs and src/rng.rs;
// tests/suite/shaders.rs checks every struct's size and offsets against the Rust side.

const MESSAGE_LEN: u32 = 16u;
const ID_LEN: u32 = 8u;
const ACTION_LEN: u32 = 44u;
const LAST_ACTION_LEN: u32 = 11u;
const AGENT_VEC_LEN: u32 = 55u;
const BOT_VEC_LEN: u32 = 35u;
const CELL_FEATURES: u32 = 7u;
const NONE: u32 = 0xffffffffu;
const FIXED_SCALE: f32 = 65536.0;
const AGENT_ACC_LEN: u32 = 21u;
// An AgentAcc's `from_bots` word (after push, hit, gate and the message).
const ACC_FROM_BOTS: u32 = 20u;
const CELL_ACC_LEN: u32 = 8u;
const TAU: f32 = 6.283185307179586;

const A_MOVE_X: u32 = 0u;
const A_MOVE_Y: u32 = 1u;
const A_PUSH: u32 = 2u;
const A_EAT: u32 = 3u;
const A_REPRODUCE: u32 = 4u;
const A_HIT: u32 = 5u;
const A_GATE: u32 = 6u;
const A_SELF_MESSAGE: u32 = 7u;
const A_OTHER_MESSAGE: u32 = 23u;
const A_TERRAFORM: u32 = 39u;

const BRAIN_LINEAR: u32 = 0u;
const BRAIN_RANDOM: u32 = 1u;
const BRAIN_ZERO: u32 = 2u;
const BRAIN_JAXLIFE: u32 = 3u;
const BRAIN_COMPACT: u32 = 4u;

const TERRAIN_PERLIN: u32 = 0u;
const TERRAIN_RANDOM: u32 = 1u;
const TERRAIN_TWO_ISLANDS: u32 = 2u;
const TERRAIN_FOUR_ISLANDS: u32 = 3u;

// Random streams: one per kind of draw, so no two draws share a counter.
const S_POLICY: u32 = 1u;
const S_WEATHER: u32 = 2u;
const S_TERRAIN: u32 = 3u;
const S_CHILD_ID: u32 = 4u;
const S_GENOME: u32 = 5u;
const S_SPAWN_POS: u32 = 6u;
const S_SPAWN_ID: u32 = 7u;
const S_MUTATION_MASK: u32 = 8u;
const S_SALIENCY: u32 = 9u;
const S_SHUFFLE: u32 = 10u;
const S_INFLUENCE: u32 = 11u;
const S_CREDIT: u32 = 13u;
const S_PARENT_ORDER: u32 = 14u;
const S_FOOD_PATCH: u32 = 15u;

// struct Params is declared in src/layout.rs (`Params::WGSL`), which this prelude
// follows.

struct Agent {
    pos: vec2<f32>,
    energy: f32,
    age: f32,
    alive: u32,
    generation: u32,
    lineage_lo: u32,
    lineage_hi: u32,
    parent_lo: u32,
    parent_hi: u32,
    founder: vec2<u32>,
    id: array<f32, 8>,
    self_message: array<f32, 16>,
    other_message: array<f32, 16>,
    last_action: array<f32, 11>,
    kin: u32,
}

struct Cell {
    energy: f32,
    max_energy: f32,
    energy_gain: f32,
    move_cost: f32,
    push_cost: f32,
    message_cost: f32,
    reproduce_cost: f32,
    bit: f32,
}

struct Bot {
    pos: vec2<f32>,
    energy: f32,
    _pad0: f32,
    memory: array<f32, 16>,
    program: array<f32, 16>,
}

struct LifeEvent {
    kind: u32,
    tick: u32,
    id: vec2<u32>,
    parent: vec2<u32>,
    generation: u32,
    cause: u32,
}

const EVENT_BIRTH: u32 = 1u;
const EVENT_DEATH: u32 = 2u;
const CAUSE_STARVED: u32 = 1u;
const CAUSE_HIT: u32 = 2u;

struct Measures {
    eaten_cultivated_total: f32,
    cultivation_cost_total: f32,
    lineages_prev: f32,
    genome_diversity: f32,
    saliency: array<f32, 5>,
    influence_changed: f32,
    influence_delta: f32,
    _pad: f32,
}

// src/layout.rs SALIENCY_*.
const SALIENCY_GROUPS: u32 = 5u;
const SALIENCY_AGENTS: u32 = 8u;
const SALIENCY_INPUTS: u32 = 8u;
const SALIENCY_PROBES: u32 = 41u;
const SALIENCY_EPS: f32 = 0.01;

// src/layout.rs INFLUENCE_LISTENERS, SALIENCY_ROWS, PROBE_ROWS, PROBE_SWAP.
const INFLUENCE_LISTENERS: u32 = 32u;
const SALIENCY_ROWS: u32 = 328u;
const PROBE_ROWS: u32 = 392u;
const PROBE_SWAP: u32 = 0x80000000u;

// What an observation row holds of what its agent hears (src/cpu/influence.rs
// heard_ranges), as (start, length) relative to the row: r = 0 its other_message, r = 1..K
// both message fields of neighbour slot r - 1, then each bot slot's memory. Its own
// self_message is its own, not heard.
const AGENT_PLAIN: u32 = AGENT_VEC_LEN - 2u * MESSAGE_LEN;
fn heard_range_count() -> u32 { return 1u + params.view_agents + params.view_bots; }
fn heard_range(r: u32) -> vec2<u32> {
    let side = 2u * params.terrain_view_range + 1u;
    let self_at = side * side * CELL_FEATURES;
    if (r == 0u) { return vec2<u32>(self_at + AGENT_PLAIN + MESSAGE_LEN, MESSAGE_LEN); }
    if (r <= params.view_agents) { return vec2<u32>(self_at + AGENT_VEC_LEN * r + AGENT_PLAIN, 2u * MESSAGE_LEN); }
    let bots_at = self_at + AGENT_VEC_LEN * (1u + params.view_agents);
    return vec2<u32>(bots_at + BOT_VEC_LEN * (r - 1u - params.view_agents) + 3u, MESSAGE_LEN);
}

// Whether element rel of an observation row is heard (one of the heard ranges).
fn heard_input(rel: u32) -> bool {
    let side = 2u * params.terrain_view_range + 1u;
    let self_at = side * side * CELL_FEATURES;
    if (rel < self_at) { return false; }
    let e = rel - self_at;
    let agents_len = AGENT_VEC_LEN * (1u + params.view_agents);
    if (e < agents_len) {
        let o = e % AGENT_VEC_LEN;
        if (e < AGENT_VEC_LEN) { return o >= AGENT_PLAIN + MESSAGE_LEN; }
        return o >= AGENT_PLAIN;
    }
    let b = e - agents_len;
    if (b >= BOT_VEC_LEN * params.view_bots) { return false; }
    let o = b % BOT_VEC_LEN;
    return o >= 3u && o < 3u + MESSAGE_LEN;
}

// The sampled agent of probe row `row` (its index in probe_agents).
fn probe_agent_index(row: u32) -> u32 {
    if (row < SALIENCY_ROWS) { return row / SALIENCY_PROBES; }
    return SALIENCY_AGENTS + (row - SALIENCY_ROWS) / 2u;
}

struct Clock {
    tick: u32,
    alive: u32,
    bot_step: u32,
    _pad: u32,
}

struct AgentTick {
    eaten: f32,
    cost: f32,
    hit_received: f32,
    stolen: f32,
    death_energy: f32,
    flags: u32,
    cultivation: f32,
    programming: f32,
    programmed: u32,
    meal_from: u32,
    meal_lineage: u32,
    from_bots: f32,
}

struct BotTick {
    out: array<f32, 16>,
    op: u32,
    step_cost: f32,
    step_stolen: f32,
    cost: f32,
    eaten: f32,
    hit_received: f32,
    stolen: f32,
    clip: f32,
    cultivation: f32,
    cell: u32,
    seen: array<u32, 4>,
    terraform_steps: u32,
    moved: u32,
    step_gift: f32,
    _pad: u32,
}

// Each bot sees its BOT_VIEW nearest agents and other bots; its program picks one
// of BOT_OPS operations and holds a BOT_TABLE-entry lookup table. Bot action indices
// (src/layout.rs `bot_act`):
const BOT_VIEW: u32 = 4u;
const BOT_OPS: u32 = 7u;
const B_MOVE_X: u32 = 0u;
const B_MOVE_Y: u32 = 1u;
const B_PUSH: u32 = 2u;
const B_EAT: u32 = 3u;
const B_HIT: u32 = 5u;
const B_GATE: u32 = 6u;
const B_TERRAFORM: u32 = 7u;
const B_BIT_IO: u32 = 12u;
const B_WRITE: u32 = 13u;
const B_BIT: u32 = 15u;
// Cell accumulator fields after eaters (0) and the 5 terraform sums (1..5).
const CA_BIT_WRITERS: u32 = 6u;
const CA_BIT_SUM: u32 = 7u;

const TICK_ACTED: u32 = 1u;
const TICK_DIED: u32 = 2u;
const TICK_WANTS_CHILD: u32 = 4u;

struct CellTick {
    eaten: f32,
    regrowth: f32,
    eaten_by_agents: f32,
    _pad: f32,
}

// src/layout.rs: who last raised a cell's energy_gain.
const CULTIVATOR_NONE: u32 = 0u;
const CULTIVATOR_AGENTS: u32 = 1u;
const CULTIVATOR_BOTS: u32 = 2u;
// src/layout.rs LINEAGE_FIXED_SCALE.
const LINEAGE_FIXED_SCALE: f32 = 1024.0;

// src/layout.rs `lineage_key`: a 32-bit hash of a lineage id, never 0.
fn lineage_key(lo: u32, hi: u32) -> u32 {
    var x = lo ^ (hi * 0x9e3779b9u);
    x = (x ^ (x >> 16u)) * 0x7feb352du;
    x = (x ^ (x >> 15u)) * 0x846ca68bu;
    return (x ^ (x >> 16u)) | 1u;
}

// src/layout.rs `epoch_kin_key`: the kin group a parent born before `epoch` roots with its
// children of that epoch (measures.kin_ticks).
fn epoch_kin_key(parent: Agent, epoch: u32) -> u32 {
    return lineage_key(parent.lineage_lo ^ (epoch * 0x85ebca6bu), parent.lineage_hi ^ 0x5bd1e995u);
}

// src/layout.rs `kin_key`: the lineage an agent counts for in the lineage measures.
fn kin_key(a: Agent) -> u32 {
    if (a.kin != 0u) { return a.kin; }
    return lineage_key(a.founder.x, a.founder.y);
}

struct BirthControl {
    spawn_args: array<u32, 3>,
    genome_args: array<u32, 3>,
    count: u32,
    births: u32,
    respawns: u32,
    deaths: u32,
    candidates: u32,
    alive_after: u32,
    _pad: vec4<u32>,
}

struct Birth {
    child: u32,
    parent: u32,
}

// ---- counter-based randomness: rng(seed, tick, entity, stream, index) ----
// PCG hash (Jarzynski & Olano 2020). src/rng.rs is the same function.
fn pcg(v: u32) -> u32 {
    let state = v * 747796405u + 2891336453u;
    let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
    return (word >> 22u) ^ word;
}

// The hash of (seed, tick, entity, stream), shared by every index of a stream: a thread
// drawing many indices of one stream hashes it once.
fn rng_key(tick: u32, entity: u32, stream: u32) -> u32 {
    var h = pcg(params.seed_lo ^ pcg(params.seed_hi));
    h = pcg(h ^ tick);
    h = pcg(h ^ entity);
    return pcg(h ^ stream);
}

fn rng_u32(tick: u32, entity: u32, stream: u32, index: u32) -> u32 {
    return pcg(rng_key(tick, entity, stream) ^ index);
}

// Uniform in [0, 1).
fn rng_uniform(tick: u32, entity: u32, stream: u32, index: u32) -> f32 {
    return rng_uniform_keyed(rng_key(tick, entity, stream), index);
}

fn rng_uniform_keyed(key: u32, index: u32) -> f32 {
    return f32(pcg(key ^ index) >> 8u) * (1.0 / 16777216.0);
}

// Two independent standard normals by Box-Muller from indices 2·pair and 2·pair + 1.
fn rng_normal_pair(tick: u32, entity: u32, stream: u32, pair: u32) -> vec2<f32> {
    return rng_normal_pair_keyed(rng_key(tick, entity, stream), pair);
}

fn rng_normal_pair_keyed(key: u32, pair: u32) -> vec2<f32> {
    let u1 = rng_uniform_keyed(key, 2u * pair) + (1.0 / 16777216.0);
    let u2 = rng_uniform_keyed(key, 2u * pair + 1u);
    let r = sqrt(-2.0 * log(u1));
    return vec2<f32>(r * cos(TAU * u2), r * sin(TAU * u2));
}

// ---- geometry on the torus ----
fn wrap_coord(x: f32) -> f32 {
    let w = params.world_size;
    var y = x - floor(x / w) * w;
    // floor can round x/w up to 1.0 for x just below w
    if (y >= w) { y = y - w; }
    if (y < 0.0) { y = 0.0; }
    return y;
}

// Signed shortest offset on the torus, in [-w/2, w/2).
// A cell coordinate wrapped onto [0, n). CPU drivers divide integers lane by lane, so
// this steps instead of taking a remainder (offsets are at most a view range).
fn wrap_cell(v: i32, n: i32) -> i32 {
    var w = v;
    loop { if (w >= 0) { break; } w += n; }
    loop { if (w < n) { break; } w -= n; }
    return w;
}

// (x, y) of cell index c on the map, without an integer division (see wrap_cell): a float
// quotient (exact to within one, as c < 2^24), then corrected.
fn cell_xy(c: u32) -> vec2<u32> {
    let n = i32(params.map_size);
    var y = i32(floor((f32(c) + 0.5) / f32(n)));
    var x = i32(c) - y * n;
    if (x < 0) { x += n; y -= 1; } else if (x >= n) { x -= n; y += 1; }
    return vec2<u32>(u32(x), u32(y));
}

// How far an agent moved, bounded from above without a square root: |dx| + |dy| of the
// wrapped step, as the bits of a non-negative float, which order like the floats (for
// atomicMax). src/world/common.rs `moved_units`.
fn moved_bits(was: vec2<f32>, now: vec2<f32>) -> u32 {
    return bitcast<u32>(abs(wrap_delta(now.x - was.x)) + abs(wrap_delta(now.y - was.y)));
}

fn wrap_delta(d: f32) -> f32 {
    let w = params.world_size;
    let h = 0.5 * w;
    var r = d;
    if (r >= h) { r = r - w; }
    if (r < -h) { r = r + w; }
    return r;
}

fn cell_index_of(pos: vec2<f32>) -> u32 {
    let n = params.map_size;
    let cx = min(u32(pos.x / params.cell_size), n - 1u);
    let cy = min(u32(pos.y / params.cell_size), n - 1u);
    return cy * n + cx;
}

// ---- the neighbour grid: GRID_LEVELS nested uniform grids, each holding every alive agent ----
// Level 0 has grid_dim² cells; each level splits every cell of the one above into 4×4.
// Levels above 0 are folded into grid_hash_buckets buckets each (grid_bucket), so their
// memory does not grow with their resolution; a bucket may hold several cells, which a
// search tells apart by recomputing each item's cell. A neighbour search picks, per agent, the coarsest level
// at which its own cell is not crowded (src/cpu/grid.rs is the same arithmetic).
const GRID_LEVELS: u32 = 4u;

fn grid_level_dim(level: u32) -> u32 {
    return params.grid_dim << (2u * level);
}

fn grid_level_cell_size(level: u32) -> f32 {
    // A power-of-two divisor is exact, so the levels nest exactly.
    return params.grid_cell_size / f32(1u << (2u * level));
}

// By a multiplication, which WGSL rounds correctly (a division may be off by 2.5 ulp): so
// every shader, and the CPU reference, puts a position in the same cell, and a search can
// tell a shared bucket's cells apart by recomputing its items' cells.
fn grid_coords(level: u32, pos: vec2<f32>) -> vec2<u32> {
    let g = grid_level_dim(level);
    let per_unit = params.grid_cells_per_unit * f32(1u << (2u * level));
    return vec2<u32>(min(u32(pos.x * per_unit), g - 1u), min(u32(pos.y * per_unit), g - 1u));
}

// Of the world's size: far above the rounding of positions and cell bounds, so that grid
// searches that bound distances by cells never drop a candidate.
const GRID_ROUNDING_MARGIN: f32 = 1.0 / 1048576.0;

// The cell at an offset of at most g/2 from a cell of a g×g level, wrapped around the torus
// (one step: no integer division, which CPU drivers do lane by lane).
fn grid_wrap(c: vec2<i32>, g: i32) -> vec2<u32> {
    var x = c.x;
    var y = c.y;
    if (x < 0) { x += g; } else if (x >= g) { x -= g; }
    if (y < 0) { y += g; } else if (y >= g) { y -= g; }
    return vec2<u32>(u32(x), u32(y));
}

// The next dx of ring r's row dy: every dx of its top and bottom rows, the two ends of the
// others.
fn ring_next_dx(dx: i32, dy: i32, r: i32) -> i32 {
    if (abs(dy) != r && dx == -r) { return r; }
    return dx + 1;
}

// Index into grid_counts / grid_start of the bucket holding cell (x, y) of a level.
// Above level 0 the key is the cell's level-0 ancestor followed by its 4×4 sub-cell at each
// level below, folded into the level's buckets (the low bits kept): a level-0 cell's
// descendants take consecutive buckets, shared only with the descendants of level-0 cells
// whose index agrees with its own modulo the table's size over 16^level (where that is
// below 1, the descendants of one level-0 cell share buckets among themselves). So a
// crowded level-0 cell's agents come grouped by sub-cell in the level's items.
fn grid_bucket(level: u32, c: vec2<u32>) -> u32 {
    let level0 = params.grid_dim * params.grid_dim;
    if (level == 0u) { return c.y * params.grid_dim + c.x; }
    let shift = 2u * level;
    var key = (c.y >> shift) * params.grid_dim + (c.x >> shift);
    for (var l = 1u; l <= level; l++) {
        let down = 2u * (level - l);
        key = key * 16u + ((c.y >> down) & 3u) * 4u + ((c.x >> down) & 3u);
    }
    return level0 + (level - 1u) * params.grid_hash_buckets + (key & (params.grid_hash_buckets - 1u));
}

fn to_fixed(x: f32) -> i32 {
    return i32(round(x * FIXED_SCALE));
}

fn from_fixed(x: i32) -> f32 {
    return f32(x) / FIXED_SCALE;
}

// Float ordering as unsigned integers, for deterministic atomic min/max.
fn float_to_ordered(f: f32) -> u32 {
    let b = bitcast<u32>(f);
    if ((b & 0x80000000u) != 0u) { return ~b; }
    return b | 0x80000000u;
}

fn ordered_to_float(u: u32) -> f32 {
    if ((u & 0x80000000u) != 0u) { return bitcast<f32>(u & 0x7fffffffu); }
    return bitcast<f32>(~u);
}

// 1-D passes run 64 threads per workgroup over a 2-D grid of workgroups (65535 is the
// per-dimension limit); this is the flat thread index.
fn flat_index(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
    return gid.x + gid.y * nwg.x * 64u;
}

// What one eater gets from a cell with `eaters` eaters: eat_rate of the cell's energy each,
// scaled down when together they would take more than is there.
fn eat_share(cell_energy: f32, eaters: u32) -> f32 {
    return cell_energy * min(params.eat_rate, 1.0 / f32(eaters));
}

// An agent whose energy is gone dies; its record keeps the energy it died with (≤ 0).
// (src/world/common.rs `die_if_spent`.)
fn die_if_spent(a: ptr<function, Agent>, t: ptr<function, AgentTick>) {
    if ((*a).energy <= 0.0) {
        (*a).alive = 0u;
        (*t).flags = (*t).flags | TICK_DIED;
        (*t).death_energy = (*a).energy;
    }
}

// A cell after a step's eaters and terraforming sums (agents' or bots'); returns what the
// eaters took: exactly what they got, so eating never creates energy by rounding.
// (src/world/common.rs `take_from_cell`.)
fn take_from_cell(cell: ptr<function, Cell>, eaters: u32, terraform: array<f32, 5>) -> f32 {
    var eaten = 0.0;
    if (eaters > 0u) {
        eaten = f32(eaters) * eat_share((*cell).energy, eaters);
        (*cell).energy -= eaten;
    }
    (*cell).energy_gain = clamp((*cell).energy_gain + terraform[0], 0.0, params.energy_gain_clip);
    (*cell).move_cost = max((*cell).move_cost + terraform[1], 0.0);
    (*cell).push_cost = max((*cell).push_cost + terraform[2], 0.0);
    (*cell).message_cost = max((*cell).message_cost + terraform[3], 0.0);
    (*cell).reproduce_cost = max((*cell).reproduce_cost + terraform[4], 0.0);
    return eaten;
}

// [departure] a received message (or program) moves toward the gate-weighted mean of what
// was sent: `sum` is the sum of gate * message, `gate` the sum of gates. JaxLife adds every
// sender's full difference, which overshoots and diverges once the gates sum above 2.
fn pulled(current: f32, sum: f32, gate: f32) -> f32 {
    return current + (sum - current * gate) * (1.0 / max(gate, 1.0));
}

// tanh with its input clamped first: some drivers compute tanh through exp and return NaN
// for large inputs. tanh(15) is 1.0 in f32, so the clamp changes no finite result.
fn safe_tanh(x: f32) -> f32 {
    return tanh(clamp(x, -15.0, 15.0));
}

// Activations of four neurons at once, for the brains that work in vec4s.
fn tanh4(v: vec4<f32>) -> vec4<f32> {
    return vec4<f32>(safe_tanh(v.x), safe_tanh(v.y), safe_tanh(v.z), safe_tanh(v.w));
}

fn sigmoid4(v: vec4<f32>) -> vec4<f32> {
    return 1.0 / (1.0 + exp(-v));
}

// Controls (config `controls`): what an agent observes of a message, and what a terraform
// action does, with the mechanic switched off.
fn seen_message(v: f32) -> f32 {
    return select(0.0, v, params.messages_on != 0u);
}

fn terraform_act(v: f32) -> f32 {
    return select(0.0, v, params.terraform_on != 0u);
}

// An agent's claim on what it raised or programmed this tick (src/world/common.rs
// `credit_mark`): the largest mark wins; its high bits, a draw per (tick, slot), pick one
// of the agents on a shared spot at random, its low bits break the rare tie toward the
// lower slot. Never 0 ("nobody").
const CREDIT_SLOT_BITS: u32 = 23u;
const CREDIT_SLOT_MASK: u32 = 0x7fffffu;

fn credit_mark(tick: u32, slot: u32) -> u32 {
    let priority = rng_u32(tick, 0u, S_CREDIT, slot) >> CREDIT_SLOT_BITS;
    return (priority << CREDIT_SLOT_BITS) | (CREDIT_SLOT_MASK - slot);
}

fn credit_slot(mark: u32) -> u32 {
    return CREDIT_SLOT_MASK - (mark & CREDIT_SLOT_MASK);
}

// How much of a hit reaches an entity at offset d (src/world/common.rs `hit_reach`).
fn hit_reach(d: vec2<f32>) -> f32 {
    let norm = sqrt(d.x * d.x + d.y * d.y) + 0.1;
    return exp(-params.hit_distance_decay * norm);
}

// The hit an actor holding `energy` deals: under ecology.honest_gifts a gift is scaled so
// that all it reaches (summed `hit_reach`, `reach`) receive at most what it holds.
// (src/world/common.rs `given_hit`.)
fn given_hit(hit: f32, energy: f32, reach: f32) -> f32 {
    if (params.honest_gifts == 0u || hit >= 0.0) { return hit; }
    let total = -hit * params.hit_strength * reach;
    let held = max(energy, 0.0);
    if (total > held) { return hit * (held / total); }
    return hit;
}

// What an actor gains from its own hits (src/world/common.rs `hit_income`): a share of
// what it took, or under ecology.honest_gifts minus what it gave away.
fn hit_income(hit: f32, hit_total: f32) -> f32 {
    if (params.honest_gifts != 0u && hit < 0.0) { return hit_total; }
    return hit_total * params.hit_steal_fraction;
}

// Whether cell (x, y) grows food at `tick` (src/world/common.rs `food_patch_centres`
// and `in_food_patch`).
fn in_food_patch(tick: u32, x: u32, y: u32) -> bool {
    if (params.food_patches == 0u) { return true; }
    var epoch = 0u;
    if (params.food_patch_period_ticks != 0u) { epoch = tick / params.food_patch_period_ticks; }
    let size = f32(params.map_size);
    let r2 = params.food_patch_radius_cells * params.food_patch_radius_cells;
    for (var k = 0u; k < params.food_patches; k++) {
        let cx = rng_uniform(epoch, k, S_FOOD_PATCH, 0u) * size;
        let cy = rng_uniform(epoch, k, S_FOOD_PATCH, 1u) * size;
        var dx = abs(f32(x) + 0.5 - cx);
        dx = min(dx, size - dx);
        var dy = abs(f32(y) + 0.5 - cy);
        dy = min(dy, size - dy);
        if (dx * dx + dy * dy < r2) { return true; }
    }
    return false;
}
