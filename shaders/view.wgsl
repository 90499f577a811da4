// The app's world view, drawn straight from the simulation's storage buffers: terrain as one
// full-rect triangle pair whose fragments look up their cell, agents as instanced discs and
// bots as instanced diamonds. Prefixed with common.wgsl for the entity structs.
//
// The world is a torus: a fragment wraps its world position into [0, world) so the seams
// are invisible, and an entity is drawn at every image of itself that can fall in view.

struct View {
    // World position at the centre of the view, and world units per pixel.
    center: vec2<f32>,
    units_per_px: f32,
    world_size: f32,
    // The view's rect in framebuffer pixels (x, y, width, height).
    rect: vec4<f32>,
    map_size: u32,
    cell_size: f32,
    capacity: u32,
    bot_count: u32,
    layer: u32,
    agent_colors: u32,
    selected_agent: u32,
    selected_bot: u32,
    // Images of the world per side drawn for entities (1, 3 or 5).
    images: u32,
    grid_lines: u32,
    highlight_count: u32,
    line_mode: u32,
    max_energy: f32,
    max_move_cost: f32,
    max_energy_gain: f32,
    max_push_cost: f32,
    max_message_cost: f32,
    max_reproduce_cost: f32,
    agent_energy_scale: f32,
    view_agents: u32,
    view_bots: u32,
    // The group whose agents get a ring (u32s, not a vec2, to keep the Rust struct's
    // offsets): a founder's id when highlight_lineage_on is 1, a kin key in the low word
    // when it is 2.
    highlight_lineage_lo: u32,
    highlight_lineage_hi: u32,
    highlight_lineage_on: u32,
    // measures.cultivated_gain: how far above its weather-only gain a cell is cultivated.
    cultivated_gain: f32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
    // Slots the selected agent attends to (its nearest neighbours), with a weight each.
    highlights: array<vec4<f32>, 16>,
}

@group(0) @binding(0) var<uniform> view: View;
@group(0) @binding(1) var<storage, read> cells: array<Cell>;
@group(0) @binding(2) var<storage, read> base: array<Cell>;
@group(0) @binding(3) var<storage, read> agents: array<Agent>;
@group(0) @binding(4) var<storage, read> bots: array<Bot>;
@group(0) @binding(5) var<storage, read> bot_tick: array<BotTick>;
// Unused here, but common.wgsl's helpers name it.
@group(0) @binding(6) var<uniform> params: Params;
@group(0) @binding(7) var<storage, read> actions: array<f32>;
@group(0) @binding(8) var<storage, read> neighbor_list: array<u32>;
@group(0) @binding(9) var<storage, read> bot_neighbor_list: array<u32>;
// Who last raised each cell's energy_gain (CULTIVATOR_*), which lineage (its key) or bot,
// and the cell's weather-only gain: the "cultivated by" layer.
@group(0) @binding(10) var<storage, read> cultivator: array<u32>;
@group(0) @binding(11) var<storage, read> cultivator_id: array<u32>;
@group(0) @binding(12) var<storage, read> shadow_gain: array<f32>;

const LAYER_NATURAL: u32 = 0u;
const LAYER_ENERGY: u32 = 1u;
const LAYER_GAIN: u32 = 2u;
const LAYER_CULTIVATION: u32 = 3u;
const LAYER_MOVE_COST: u32 = 4u;
const LAYER_PUSH_COST: u32 = 5u;
const LAYER_MESSAGE_COST: u32 = 6u;
const LAYER_REPRODUCE_COST: u32 = 7u;
const LAYER_BIT: u32 = 8u;
const LAYER_BASE: u32 = 9u;
const LAYER_CULTIVATED_BY: u32 = 10u;

const LINES_OFF: u32 = 0u;
const LINES_MESSAGES: u32 = 1u;
const LINES_PUSHES: u32 = 2u;

const COLOR_LINEAGE: u32 = 0u;
const COLOR_ENERGY: u32 = 1u;
const COLOR_MESSAGE: u32 = 2u;
const COLOR_FOUNDER: u32 = 3u;

struct TerrainOut {
    @builtin(position) clip: vec4<f32>,
}

@vertex
fn vs_terrain(@builtin(vertex_index) i: u32) -> TerrainOut {
    // Two triangles covering the viewport; egui has already set it to the view's rect.
    var out: TerrainOut;
    out.clip = vec4<f32>(corner(i), 0.0, 1.0);
    return out;
}

fn world_of_pixel(px: vec2<f32>) -> vec2<f32> {
    let from_center = px - (view.rect.xy + 0.5 * view.rect.zw);
    return view.center + from_center * view.units_per_px;
}

fn wrap_world(p: vec2<f32>) -> vec2<f32> {
    return p - floor(p / view.world_size) * view.world_size;
}

// A perceptual-ish ramp (dark blue, teal, yellow) for scalar layers.
fn ramp(t: f32) -> vec3<f32> {
    let x = clamp(t, 0.0, 1.0);
    let a = vec3<f32>(0.07, 0.05, 0.25);
    let b = vec3<f32>(0.13, 0.55, 0.55);
    let c = vec3<f32>(0.99, 0.91, 0.15);
    if (x < 0.5) {
        return mix(a, b, x * 2.0);
    }
    return mix(b, c, x * 2.0 - 1.0);
}

// Brown below zero, grey at zero, green above: change of a field from its base.
fn diverging(t: f32) -> vec3<f32> {
    let x = clamp(t, -1.0, 1.0);
    let mid = vec3<f32>(0.22, 0.22, 0.24);
    if (x < 0.0) {
        return mix(mid, vec3<f32>(0.85, 0.45, 0.15), -x);
    }
    return mix(mid, vec3<f32>(0.3, 0.95, 0.35), x);
}

// Water where moving is dear, then sand, grass and bare earth by growth and stored energy.
fn natural(c: Cell) -> vec3<f32> {
    let move_frac = c.move_cost / max(view.max_move_cost, 1e-6);
    let energy_frac = clamp(c.energy / max(view.max_energy, 1e-6), 0.0, 1.0);
    let gain_frac = clamp(c.energy_gain / max(view.max_energy_gain, 1e-6), 0.0, 1.0);
    if (move_frac > 0.72) {
        let depth = clamp((move_frac - 0.72) / 0.5, 0.0, 1.0);
        let water = mix(vec3<f32>(0.20, 0.50, 0.72), vec3<f32>(0.06, 0.18, 0.42), depth);
        return water * (0.85 + 0.15 * energy_frac);
    }
    let sand = vec3<f32>(0.80, 0.72, 0.50);
    let grass = vec3<f32>(0.22, 0.58, 0.20);
    let earth = vec3<f32>(0.36, 0.27, 0.18);
    let plant = mix(sand, grass, smoothstep(0.25, 0.75, gain_frac));
    let land = mix(earth, plant, 0.25 + 0.75 * energy_frac);
    // Rough ground (high move cost) darkens toward the shore.
    return land * (1.0 - 0.25 * smoothstep(0.4, 0.72, move_frac));
}

@fragment
fn fs_terrain(@builtin(position) frag: vec4<f32>) -> @location(0) vec4<f32> {
    let w = wrap_world(world_of_pixel(frag.xy));
    let cell_xy = min(vec2<u32>(w / view.cell_size), vec2<u32>(view.map_size - 1u));
    let idx = cell_xy.y * view.map_size + cell_xy.x;
    let c = cells[idx];
    var rgb: vec3<f32>;
    switch view.layer {
        case LAYER_ENERGY: {
            rgb = ramp(c.energy / max(view.max_energy, 1e-6));
        }
        case LAYER_GAIN: {
            rgb = ramp(c.energy_gain / max(2.0 * view.max_energy_gain, 1e-6));
        }
        case LAYER_CULTIVATION: {
            rgb = diverging((c.energy_gain - base[idx].energy_gain) / max(0.25 * view.max_energy_gain, 1e-6));
        }
        case LAYER_MOVE_COST: {
            rgb = ramp(c.move_cost / max(view.max_move_cost, 1e-6));
        }
        case LAYER_PUSH_COST: {
            rgb = ramp(c.push_cost / max(view.max_push_cost, 1e-6));
        }
        case LAYER_MESSAGE_COST: {
            rgb = ramp(c.message_cost / max(view.max_message_cost, 1e-6));
        }
        case LAYER_REPRODUCE_COST: {
            rgb = ramp(c.reproduce_cost / max(view.max_reproduce_cost, 1e-6));
        }
        case LAYER_BIT: {
            rgb = mix(vec3<f32>(0.12, 0.12, 0.14), vec3<f32>(0.95, 0.95, 0.9), step(0.5, c.bit));
        }
        case LAYER_BASE: {
            rgb = natural(base[idx]);
        }
        case LAYER_CULTIVATED_BY: {
            let who = cultivator[idx];
            if (c.energy_gain - shadow_gain[idx] <= view.cultivated_gain || who == 0u) {
                rgb = 0.08 + 0.3 * natural(c);
            } else if (who == 2u) {
                rgb = vec3<f32>(1.0, 0.55, 0.1);
            } else {
                rgb = key_color(cultivator_id[idx]);
            }
        }
        default: {
            rgb = natural(c);
        }
    }
    if (view.grid_lines != 0u) {
        // Faint cell borders once a cell is big enough on screen to be told apart.
        let in_cell = (w - vec2<f32>(cell_xy) * view.cell_size) / view.units_per_px;
        let cell_px = view.cell_size / view.units_per_px;
        let edge = min(min(in_cell.x, in_cell.y), min(cell_px - in_cell.x, cell_px - in_cell.y));
        rgb = rgb * mix(0.82, 1.0, smoothstep(0.0, 1.2, edge));
    }
    return vec4<f32>(rgb, 1.0);
}

struct ShapeOut {
    @builtin(position) clip: vec4<f32>,
    // Position within the shape's square, in [-1, 1].
    @location(0) local: vec2<f32>,
    @location(1) color: vec3<f32>,
    // 0 plain, 1 selected, >1 attended (1 + weight).
    @location(2) mark: f32,
    @location(3) radius_px: f32,
}

fn hue(h: f32) -> vec3<f32> {
    let k = fract(vec3<f32>(h, h + 2.0 / 3.0, h + 1.0 / 3.0)) * 6.0;
    return clamp(abs(k - 3.0) - 1.0, vec3<f32>(0.0), vec3<f32>(1.0));
}

// The colour of a lineage from its key (common.wgsl `lineage_key`, a hash that spreads
// neighbouring founder ids over the hue circle), so agents and the cells their lineage
// cultivated share it.
fn key_color(key: u32) -> vec3<f32> {
    let h = f32(key & 0xffffu) / 65536.0;
    let v = 0.80 + 0.2 * f32((key >> 16u) & 1u);
    return mix(vec3<f32>(1.0), hue(h), 0.8) * v;
}

fn lineage_color(a: Agent) -> vec3<f32> {
    return key_color(kin_key(a));
}

// Corner `k` (0..5) of the two triangles of a square spanning [-1, 1]².
fn corner(k: u32) -> vec2<f32> {
    let corners = array<vec2<f32>, 6>(
        vec2<f32>(-1.0, -1.0), vec2<f32>(1.0, -1.0), vec2<f32>(1.0, 1.0),
        vec2<f32>(-1.0, -1.0), vec2<f32>(1.0, 1.0), vec2<f32>(-1.0, 1.0),
    );
    return corners[k];
}

// Pixel offset from the view centre of the image of world position `p` nearest to it.
fn nearest_px(p: vec2<f32>) -> vec2<f32> {
    let half = view.world_size * 0.5;
    var d = p - view.center;
    d = d - floor((d + half) / view.world_size) * view.world_size;
    return d / view.units_per_px;
}

fn px_to_clip(px: vec2<f32>) -> vec4<f32> {
    let ndc = px / (0.5 * view.rect.zw);
    return vec4<f32>(ndc.x, -ndc.y, 0.0, 1.0);
}

fn place(p: vec2<f32>, image: u32, local: vec2<f32>, radius_px: f32) -> vec4<f32> {
    // Nearest image to the view centre, then the image's offset.
    let n = view.images;
    let ix = i32(image % n) - i32(n / 2u);
    let iy = i32(image / n) - i32(n / 2u);
    let px = nearest_px(p) + vec2<f32>(f32(ix), f32(iy)) * view.world_size / view.units_per_px
        + local * radius_px;
    // The viewport is the view's rect.
    return px_to_clip(px);
}

fn hidden() -> ShapeOut {
    var out: ShapeOut;
    out.clip = vec4<f32>(2.0, 2.0, 2.0, 1.0);
    out.local = vec2<f32>(0.0);
    out.color = vec3<f32>(0.0);
    out.mark = 0.0;
    out.radius_px = 0.0;
    return out;
}

@vertex
fn vs_agent(@builtin(vertex_index) v: u32, @builtin(instance_index) inst: u32) -> ShapeOut {
    let slot = inst % view.capacity;
    let image = inst / view.capacity;
    let a = agents[slot];
    if (a.alive == 0u) {
        return hidden();
    }
    var mark = 0.0;
    if (slot == view.selected_agent) {
        mark = 1.0;
    }
    for (var h = 0u; h < view.highlight_count; h++) {
        if (u32(view.highlights[h].x) == slot) {
            mark = max(mark, 1.0 + max(view.highlights[h].y, 0.05));
        }
    }
    let founder_ringed = view.highlight_lineage_on == 1u
        && a.founder.x == view.highlight_lineage_lo && a.founder.y == view.highlight_lineage_hi;
    let kin_ringed = view.highlight_lineage_on == 2u && kin_key(a) == view.highlight_lineage_lo;
    if (founder_ringed || kin_ringed) {
        mark = max(mark, 1.5);
    }
    var radius_px = max(0.38 * view.cell_size / view.units_per_px, 3.5);
    if (mark > 0.0) {
        radius_px = radius_px * 1.8 + 3.0;
    }
    var color: vec3<f32>;
    switch view.agent_colors {
        case COLOR_ENERGY: {
            color = ramp(a.energy / max(view.agent_energy_scale, 1e-6));
        }
        case COLOR_MESSAGE: {
            color = 0.5 + 0.5 * tanh(vec3<f32>(a.self_message[0], a.self_message[1], a.self_message[2]));
        }
        case COLOR_FOUNDER: {
            color = key_color(lineage_key(a.founder.x, a.founder.y));
        }
        default: {
            color = lineage_color(a);
        }
    }
    let local = corner(v);
    var out: ShapeOut;
    out.clip = place(a.pos, image, local, radius_px);
    out.local = local;
    out.color = color;
    out.mark = mark;
    out.radius_px = radius_px;
    return out;
}

@fragment
fn fs_agent(in: ShapeOut) -> @location(0) vec4<f32> {
    let r = length(in.local);
    if (r > 1.0) {
        discard;
    }
    // A dark rim keeps discs readable on any terrain; marked agents get a ring outside it.
    let rim_px = (1.0 - r) * in.radius_px;
    var rgb = in.color;
    if (in.mark > 0.0) {
        let ring = select(vec3<f32>(1.0, 0.35, 0.9), vec3<f32>(1.0, 1.0, 1.0), in.mark == 1.0);
        if (rim_px < 2.5) {
            rgb = ring;
        } else if (rim_px < 3.5) {
            rgb = in.color * 0.25;
        }
    } else if (rim_px < 1.2) {
        rgb = in.color * 0.25;
    }
    return vec4<f32>(rgb, 1.0);
}

fn op_color(op: u32) -> vec3<f32> {
    let palette = array<vec3<f32>, 7>(
        vec3<f32>(0.95, 0.95, 0.95), vec3<f32>(0.98, 0.62, 0.10), vec3<f32>(0.20, 0.80, 0.95),
        vec3<f32>(0.95, 0.25, 0.25), vec3<f32>(0.60, 0.45, 0.95), vec3<f32>(0.95, 0.85, 0.20),
        vec3<f32>(0.35, 0.90, 0.45),
    );
    return palette[min(op, 6u)];
}

@vertex
fn vs_bot(@builtin(vertex_index) v: u32, @builtin(instance_index) inst: u32) -> ShapeOut {
    let slot = inst % max(view.bot_count, 1u);
    let image = inst / max(view.bot_count, 1u);
    let b = bots[slot];
    var radius_px = max(0.5 * view.cell_size / view.units_per_px, 4.0);
    var mark = 0.0;
    if (slot == view.selected_bot) {
        mark = 1.0;
        radius_px = radius_px * 1.6 + 3.0;
    }
    let local = corner(v);
    var out: ShapeOut;
    out.clip = place(b.pos, image, local, radius_px);
    out.local = local;
    out.color = op_color(bot_tick[slot].op);
    out.mark = mark;
    out.radius_px = radius_px;
    return out;
}

@fragment
fn fs_bot(in: ShapeOut) -> @location(0) vec4<f32> {
    // A diamond: |x| + |y| <= 1, with a black rim (white when selected).
    let r = abs(in.local.x) + abs(in.local.y);
    if (r > 1.0) {
        discard;
    }
    let rim_px = (1.0 - r) * in.radius_px * 0.7;
    var rgb = in.color;
    if (rim_px < 1.6) {
        rgb = select(vec3<f32>(0.05), vec3<f32>(1.0), in.mark > 0.0);
    } else if (r < 0.25) {
        rgb = in.color * 0.45;
    }
    return vec4<f32>(rgb, 1.0);
}

struct LineOut {
    @builtin(position) clip: vec4<f32>,
    @location(0) color: vec4<f32>,
}

fn no_line() -> LineOut {
    var out: LineOut;
    out.clip = vec4<f32>(2.0, 2.0, 2.0, 1.0);
    out.color = vec4<f32>(0.0);
    return out;
}

// This tick's effects of each agent on what it sees: a line per visible agent or
// bot, for messages when its gate is open (bots: programming) or for pushes.
@vertex
fn vs_line(@builtin(vertex_index) v: u32, @builtin(instance_index) inst: u32) -> LineOut {
    let per = view.view_agents + view.view_bots;
    let a = inst / per;
    let k = inst % per;
    let agent = agents[a];
    if (agent.alive == 0u) {
        return no_line();
    }
    let act = a * ACTION_LEN;
    var seen_pos: vec2<f32>;
    if (k < view.view_agents) {
        let j = neighbor_list[a * view.view_agents + k];
        if (j == NONE) {
            return no_line();
        }
        seen_pos = agents[j].pos;
    } else {
        let b = bot_neighbor_list[a * view.view_bots + (k - view.view_agents)];
        if (b == NONE) {
            return no_line();
        }
        seen_pos = bots[b].pos;
    }
    var color: vec4<f32>;
    if (view.line_mode == LINES_MESSAGES) {
        let gate = max(clamp(actions[act + A_GATE], -1.0, 1.0), 0.0);
        if (gate < 0.05) {
            return no_line();
        }
        let m = vec3<f32>(actions[act + A_OTHER_MESSAGE], actions[act + A_OTHER_MESSAGE + 1u],
            actions[act + A_OTHER_MESSAGE + 2u]);
        color = vec4<f32>(0.5 + 0.5 * tanh(m), 0.25 + 0.6 * gate);
    } else {
        let push = clamp(actions[act + A_PUSH], -1.0, 1.0);
        if (abs(push) < 0.05) {
            return no_line();
        }
        let pull = vec3<f32>(1.0, 0.55, 0.2);
        color = vec4<f32>(select(vec3<f32>(1.0), pull, push < 0.0), 0.2 + 0.6 * abs(push));
    }
    let start = nearest_px(agent.pos);
    let half = view.world_size * 0.5;
    var d = seen_pos - agent.pos;
    d = d - floor((d + half) / view.world_size) * view.world_size;
    let end = start + d / view.units_per_px;
    let along = end - start;
    if (dot(along, along) < 1.0) {
        return no_line();
    }
    let side = normalize(vec2<f32>(-along.y, along.x)) * 0.8;
    let c = corner(v);
    let t = 0.5 * (c.x + 1.0);
    var out: LineOut;
    out.clip = px_to_clip(mix(start, end, t) + side * c.y);
    out.color = color;
    return out;
}

@fragment
fn fs_line(in: LineOut) -> @location(0) vec4<f32> {
    return in.color;
}
