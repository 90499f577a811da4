// Weather and regrowth. terrain_weather drifts the Perlin gradient angles,
// turns them into gradients and resets the noise min/max; terrain_base regenerates the base fields (raw noise for
// Perlin, with its min and max by deterministic atomics); terrain_apply normalises them,
// relaxes each cell toward its base, regrows energy and clips.
// Reference: src/cpu/terrain.rs.

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> clock: Clock;
@group(0) @binding(2) var<storage, read_write> angles: array<f32>;
@group(0) @binding(3) var<storage, read_write> base: array<Cell>;
@group(0) @binding(4) var<storage, read_write> cells: array<Cell>;
@group(0) @binding(5) var<storage, read_write> minmax: array<atomic<u32>>;
@group(0) @binding(6) var<storage, read_write> cell_tick: array<CellTick>;
@group(0) @binding(7) var<storage, read_write> gradients: array<vec2<f32>>;
@group(0) @binding(8) var<storage, read_write> shadow_gain: array<f32>;

const WEATHER_FIELDS: u32 = 6u;

fn fade(t: f32) -> f32 {
    return t * t * t * (t * (t * 6.0 - 15.0) + 10.0);
}

fn grad(field: u32, ix: u32, iy: u32, ox: f32, oy: f32) -> f32 {
    let stride = params.perlin_res + 1u;
    let g = gradients[field * stride * stride + iy * stride + ix];
    return ox * g.x + oy * g.y;
}

fn perlin(field: u32, x: u32, y: u32) -> f32 {
    let res = params.perlin_res;
    let u = f32(x * res) / f32(params.map_size);
    let v = f32(y * res) / f32(params.map_size);
    let gx = min(u32(floor(u)), res - 1u);
    let gy = min(u32(floor(v)), res - 1u);
    let fx = u - f32(gx);
    let fy = v - f32(gy);
    let n00 = grad(field, gx, gy, fx, fy);
    let n10 = grad(field, gx + 1u, gy, fx - 1.0, fy);
    let n01 = grad(field, gx, gy + 1u, fx, fy - 1.0);
    let n11 = grad(field, gx + 1u, gy + 1u, fx - 1.0, fy - 1.0);
    let tx = fade(fx);
    let ty = fade(fy);
    let n0 = n00 * (1.0 - tx) + tx * n10;
    let n1 = n01 * (1.0 - tx) + tx * n11;
    return 1.4142135 * ((1.0 - ty) * n0 + ty * n1);
}

fn field_scale(f: u32) -> f32 {
    switch f {
        case 0u: { return params.terrain_max_energy; }
        case 1u: { return params.terrain_max_energy_gain; }
        case 2u: { return params.terrain_max_move_cost; }
        case 3u: { return params.terrain_max_push_cost; }
        case 4u: { return params.terrain_max_message_cost; }
        default: { return params.terrain_max_reproduce_cost; }
    }
}

fn set_field(c: ptr<function, Cell>, f: u32, v: f32) {
    switch f {
        case 0u: { (*c).max_energy = v; }
        case 1u: { (*c).energy_gain = v; }
        case 2u: { (*c).move_cost = v; }
        case 3u: { (*c).push_cost = v; }
        case 4u: { (*c).message_cost = v; }
        default: { (*c).reproduce_cost = v; }
    }
}

fn get_field(c: Cell, f: u32) -> f32 {
    switch f {
        case 0u: { return c.max_energy; }
        case 1u: { return c.energy_gain; }
        case 2u: { return c.move_cost; }
        case 3u: { return c.push_cost; }
        case 4u: { return c.message_cost; }
        default: { return c.reproduce_cost; }
    }
}

// JaxLife's island maps: grass and sand squares in water whose costs follow the seasons.
fn island_cell(x: u32, y: u32, tick: u32) -> Cell {
    let frac = max(params.map_size / 8u, 1u);
    let in13x = x >= frac && x < 3u * frac;
    let in57x = x >= 5u * frac && x < 7u * frac;
    let in13y = y >= frac && y < 3u * frac;
    let in57y = y >= 5u * frac && y < 7u * frac;
    let grass = (in13x && in13y) || (in57x && in57y);
    let sand = params.terrain_kind == TERRAIN_FOUR_ISLANDS && ((in13x && in57y) || (in57x && in13y));
    var s = 0.5;
    if (params.season_period_ticks > 0.0) {
        s = (sin(TAU * f32(tick) / params.season_period_ticks) + 1.0) * 0.5;
    }
    var c: Cell;
    if (grass) {
        c.max_energy = 32.0; c.energy_gain = 1.0; c.move_cost = 0.5; c.push_cost = 0.5;
        c.message_cost = 0.2; c.reproduce_cost = 1.0;
    } else if (sand) {
        c.max_energy = 16.0; c.energy_gain = 0.3; c.move_cost = 0.2; c.push_cost = 0.2;
        c.message_cost = 0.0; c.reproduce_cost = 1.0;
    } else {
        c.max_energy = 0.0; c.energy_gain = 1.0 - s; c.move_cost = 8.0 * s + 0.5; c.push_cost = 4.0 * s + 0.5;
        c.message_cost = 0.0; c.reproduce_cost = 8.0 * s + 1.0;
    }
    return c;
}

@compute @workgroup_size(64)
fn terrain_weather(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = flat_index(gid, nwg);
    if (i < 2u * WEATHER_FIELDS) {
        if (i < WEATHER_FIELDS) { atomicStore(&minmax[i], 0xffffffffu); } else { atomicStore(&minmax[i], 0u); }
    }
    let stride = params.perlin_res + 1u;
    if (params.terrain_kind != TERRAIN_PERLIN || i >= WEATHER_FIELDS * stride * stride) { return; }
    let a = angles[i] + params.weather_speed * rng_uniform(clock.tick, i, S_WEATHER, 0u);
    angles[i] = a;
    // Gradients once per angle here, not four times per cell and field in terrain_base.
    gradients[i] = vec2<f32>(cos(a * TAU), sin(a * TAU));
}

// This workgroup's raw noise, so that six threads reduce it to one min and max per field:
// one global atomic per workgroup and field, and no per-cell atomics (CPU drivers run
// atomics lane by lane).
var<workgroup> group_noise: array<array<f32, 64>, WEATHER_FIELDS>;

@compute @workgroup_size(64)
fn terrain_base(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                @builtin(local_invocation_index) t: u32) {
    let c = flat_index(gid, nwg);
    let n = params.map_size;
    let perlin_map = params.terrain_kind == TERRAIN_PERLIN;
    if (c < n * n) {
        let xy = cell_xy(c);
        let x = xy.x;
        let y = xy.y;
        var b: Cell;
        if (perlin_map) {
            for (var f = 0u; f < WEATHER_FIELDS; f++) {
                let v = perlin(f, x, y);
                set_field(&b, f, v);
                group_noise[f][t] = v;
            }
        } else if (params.terrain_kind == TERRAIN_RANDOM) {
            for (var f = 0u; f < WEATHER_FIELDS; f++) {
                set_field(&b, f, rng_uniform(clock.tick, c, S_TERRAIN, f) * field_scale(f));
            }
        } else {
            b = island_cell(x, y, clock.tick);
        }
        base[c] = b;
    }
    workgroupBarrier();
    // The workgroup's cells run from c - t; the last workgroup may hold fewer than 64.
    let held = min(64u, n * n - min(c - t, n * n));
    if (perlin_map && t < WEATHER_FIELDS && held > 0u) {
        var lo = group_noise[t][0];
        var hi = lo;
        for (var s = 1u; s < held; s++) {
            lo = min(lo, group_noise[t][s]);
            hi = max(hi, group_noise[t][s]);
        }
        atomicMin(&minmax[t], float_to_ordered(lo));
        atomicMax(&minmax[WEATHER_FIELDS + t], float_to_ordered(hi));
    }
}

@compute @workgroup_size(64)
fn terrain_apply(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let c = flat_index(gid, nwg);
    if (c >= params.map_size * params.map_size) { return; }
    var b = base[c];
    var cell = cells[c];
    var rate = params.alpha;
    if (params.terrain_kind == TERRAIN_PERLIN) {
        for (var f = 0u; f < WEATHER_FIELDS; f++) {
            let lo = ordered_to_float(atomicLoad(&minmax[f]));
            let hi = ordered_to_float(atomicLoad(&minmax[WEATHER_FIELDS + f]));
            let span = hi - lo;
            var v = 0.0;
            if (span > 0.0) { v = (get_field(b, f) - lo) / span; }
            set_field(&b, f, v * field_scale(f));
        }
        base[c] = b;
        rate = b.max_energy / params.terrain_max_energy * params.alpha;
    }
    let before = cell.energy;
    cell.energy += cell.energy_gain - params.terrain_max_energy_gain / params.gain_scaling;
    for (var f = 0u; f < WEATHER_FIELDS; f++) {
        let v = get_field(cell, f);
        set_field(&cell, f, v + rate * (get_field(b, f) - v));
    }
    // Outside the food patches (ecology.food_patches) a cell holds no food.
    if (!in_food_patch(clock.tick, c % params.map_size, c / params.map_size)) { cell.max_energy = 0.0; }
    cell.energy = clamp(cell.energy, 0.0, max(cell.max_energy, 0.0));
    cell.energy_gain = clamp(cell.energy_gain, 0.0, params.energy_gain_clip);
    cell.move_cost = max(cell.move_cost, 0.0);
    cell.push_cost = max(cell.push_cost, 0.0);
    cell.message_cost = max(cell.message_cost, 0.0);
    cell.reproduce_cost = max(cell.reproduce_cost, 0.0);
    cells[c] = cell;
    cell_tick[c].regrowth = cell.energy - before;
    // The weather-only gain follows the base as the cell's does, with no terraforming.
    let shadow = shadow_gain[c];
    shadow_gain[c] = clamp(shadow + rate * (b.energy_gain - shadow), 0.0, params.energy_gain_clip);
}
