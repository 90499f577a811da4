//! Terrain generation: Perlin noise, random and island maps, and their normalisation into
//! the weather's base fields. The initial world draws its terrain with these, and the
//! `terrain_base` / `terrain_apply` passes (src/cpu/terrain.rs, shaders/terrain.wgsl) draw
//! each tick's base with them.

use rayon::prelude::*;

use super::common::{float_to_ordered, ordered_to_float};
use super::{terrain_kind, Cell, Params, WEATHER_FIELDS};
use crate::rng::{stream, Rng};

const TAU: f32 = std::f32::consts::TAU;

fn fade(t: f32) -> f32 {
    t * t * t * (t * (t * 6.0 - 15.0) + 10.0)
}

/// The Perlin gradient of an angle given in turns.
pub fn gradient(angle_turns: f32) -> [f32; 2] {
    let a = angle_turns * TAU;
    [a.cos(), a.sin()]
}

/// One Perlin noise value (JaxLife's single-octave generator) at cell (x, y) from one
/// field's (res+1)^2 gradients.
pub fn perlin(p: &Params, gradients: &[[f32; 2]], x: u32, y: u32) -> f32 {
    let res = p.perlin_res;
    let u = (x * res) as f32 / p.map_size as f32;
    let v = (y * res) as f32 / p.map_size as f32;
    let gx = (u.floor() as u32).min(res - 1);
    let gy = (v.floor() as u32).min(res - 1);
    let fx = u - gx as f32;
    let fy = v - gy as f32;
    let stride = res + 1;
    let grad = |ix: u32, iy: u32, ox: f32, oy: f32| {
        let g = gradients[(iy * stride + ix) as usize];
        ox * g[0] + oy * g[1]
    };
    let n00 = grad(gx, gy, fx, fy);
    let n10 = grad(gx + 1, gy, fx - 1.0, fy);
    let n01 = grad(gx, gy + 1, fx, fy - 1.0);
    let n11 = grad(gx + 1, gy + 1, fx - 1.0, fy - 1.0);
    let tx = fade(fx);
    let ty = fade(fy);
    let n0 = n00 * (1.0 - tx) + tx * n10;
    let n1 = n01 * (1.0 - tx) + tx * n11;
    std::f32::consts::SQRT_2 * ((1.0 - ty) * n0 + ty * n1)
}

/// The maximum of each weather field, in `WEATHER_FIELDS` order.
pub fn field_scales(p: &Params) -> [f32; WEATHER_FIELDS] {
    [
        p.terrain_max_energy,
        p.terrain_max_energy_gain,
        p.terrain_max_move_cost,
        p.terrain_max_push_cost,
        p.terrain_max_message_cost,
        p.terrain_max_reproduce_cost,
    ]
}

pub fn set_field(c: &mut Cell, f: usize, v: f32) {
    match f {
        0 => c.max_energy = v,
        1 => c.energy_gain = v,
        2 => c.move_cost = v,
        3 => c.push_cost = v,
        4 => c.message_cost = v,
        _ => c.reproduce_cost = v,
    }
}

pub fn get_field(c: &Cell, f: usize) -> f32 {
    match f {
        0 => c.max_energy,
        1 => c.energy_gain,
        2 => c.move_cost,
        3 => c.push_cost,
        4 => c.message_cost,
        _ => c.reproduce_cost,
    }
}

/// JaxLife's island maps: grass and sand squares in water whose costs follow the seasons.
pub fn island_cell(p: &Params, x: u32, y: u32, tick: u32) -> Cell {
    let frac = (p.map_size / 8).max(1);
    let inside = |lo: u32, hi: u32, v: u32| v >= lo * frac && v < hi * frac;
    let grass = (inside(1, 3, x) && inside(1, 3, y)) || (inside(5, 7, x) && inside(5, 7, y));
    let sand = p.terrain_kind == terrain_kind::FOUR_ISLANDS
        && ((inside(1, 3, x) && inside(5, 7, y)) || (inside(5, 7, x) && inside(1, 3, y)));
    let s = if p.season_period_ticks > 0.0 {
        ((TAU * tick as f32 / p.season_period_ticks).sin() + 1.0) * 0.5
    } else {
        0.5
    };
    let (max_energy, energy_gain, move_cost, push_cost, message_cost, reproduce_cost) = if grass {
        (32.0, 1.0, 0.5, 0.5, 0.2, 1.0)
    } else if sand {
        (16.0, 0.3, 0.2, 0.2, 0.0, 1.0)
    } else {
        (
            0.0,
            1.0 - s,
            8.0 * s + 0.5,
            4.0 * s + 0.5,
            0.0,
            8.0 * s + 1.0,
        )
    };
    Cell {
        energy: 0.0,
        max_energy,
        energy_gain,
        move_cost,
        push_cost,
        message_cost,
        reproduce_cost,
        bit: 0.0,
    }
}

/// The terms of `perlin` that depend on one coordinate only: its gradient column (or row),
/// its offset inside that square, the offset less one, and the fade of the offset.
#[derive(Clone, Copy)]
struct Axis {
    grid: u32,
    offset: f32,
    offset_less_one: f32,
    fade: f32,
    one_less_fade: f32,
}

fn axis(p: &Params, i: u32) -> Axis {
    let res = p.perlin_res;
    let u = (i * res) as f32 / p.map_size as f32;
    let grid = (u.floor() as u32).min(res - 1);
    let offset = u - grid as f32;
    let t = fade(offset);
    Axis {
        grid,
        offset,
        offset_less_one: offset - 1.0,
        fade: t,
        one_less_fade: 1.0 - t,
    }
}

/// One row of one field's Perlin noise, as `perlin` computes it cell by cell (the same
/// operations in the same order, so the same bits), with the per-coordinate terms computed
/// once and the four gradients fixed over each run of cells that share them, which the
/// compiler vectorises.
fn perlin_row(p: &Params, gradients: &[[f32; 2]], columns: &[Axis], row: Axis, out: &mut [f32]) {
    let stride = (p.perlin_res + 1) as usize;
    let gy = row.grid as usize;
    let mut x = 0;
    while x < columns.len() {
        let gx = columns[x].grid;
        let end = x + columns[x..].iter().take_while(|a| a.grid == gx).count();
        let gx = gx as usize;
        let g00 = gradients[gy * stride + gx];
        let g10 = gradients[gy * stride + gx + 1];
        let g01 = gradients[(gy + 1) * stride + gx];
        let g11 = gradients[(gy + 1) * stride + gx + 1];
        for (a, o) in columns[x..end].iter().zip(&mut out[x..end]) {
            let n00 = a.offset * g00[0] + row.offset * g00[1];
            let n10 = a.offset_less_one * g10[0] + row.offset * g10[1];
            let n01 = a.offset * g01[0] + row.offset_less_one * g01[1];
            let n11 = a.offset_less_one * g11[0] + row.offset_less_one * g11[1];
            let n0 = n00 * a.one_less_fade + a.fade * n10;
            let n1 = n01 * a.one_less_fade + a.fade * n11;
            *o = std::f32::consts::SQRT_2 * (row.one_less_fade * n0 + row.fade * n1);
        }
        x = end;
    }
}

/// Every field's raw Perlin noise row by row, with each field's min and max as ordered
/// bits (`float_to_ordered`), which min and max combine exactly in any order.
fn perlin_base(p: &Params, gradients: &[[f32; 2]], base: &mut [Cell], minmax: &mut [u32]) {
    let n = p.map_size;
    let stride = ((p.perlin_res + 1) * (p.perlin_res + 1)) as usize;
    let columns: Vec<Axis> = (0..n).map(|x| axis(p, x)).collect();
    let mut none = [0u32; 2 * WEATHER_FIELDS];
    none[..WEATHER_FIELDS].fill(u32::MAX);
    let combine = |mut a: [u32; 2 * WEATHER_FIELDS], b: [u32; 2 * WEATHER_FIELDS]| {
        for f in 0..WEATHER_FIELDS {
            a[f] = a[f].min(b[f]);
            a[WEATHER_FIELDS + f] = a[WEATHER_FIELDS + f].max(b[WEATHER_FIELDS + f]);
        }
        a
    };
    let found = base
        .par_chunks_mut(n as usize)
        .enumerate()
        .map(|(y, cells)| {
            let row = axis(p, y as u32);
            let mut values = vec![0.0f32; n as usize];
            let mut seen = none;
            cells.fill(Cell::default());
            for f in 0..WEATHER_FIELDS {
                perlin_row(
                    p,
                    &gradients[f * stride..(f + 1) * stride],
                    &columns,
                    row,
                    &mut values,
                );
                for (cell, &v) in cells.iter_mut().zip(&values) {
                    set_field(cell, f, v);
                    let o = float_to_ordered(v);
                    seen[f] = seen[f].min(o);
                    seen[WEATHER_FIELDS + f] = seen[WEATHER_FIELDS + f].max(o);
                }
            }
            seen
        })
        .reduce(|| none, combine);
    minmax.copy_from_slice(&found);
}

/// The base fields for `tick` (raw noise for Perlin, recording each field's min and max).
pub fn base_for_tick(
    p: &Params,
    rng: &Rng,
    gradients: &[[f32; 2]],
    tick: u32,
    base: &mut [Cell],
    minmax: &mut [u32],
) {
    if p.terrain_kind == terrain_kind::PERLIN {
        perlin_base(p, gradients, base, minmax);
        return;
    }
    base_for_tick_reference(p, rng, gradients, tick, base, minmax);
}

/// `base_for_tick` cell by cell, as the shader computes it: the reference the row-wise
/// Perlin path is held to.
pub fn base_for_tick_reference(
    p: &Params,
    rng: &Rng,
    gradients: &[[f32; 2]],
    tick: u32,
    base: &mut [Cell],
    minmax: &mut [u32],
) {
    let n = p.map_size;
    let stride = ((p.perlin_res + 1) * (p.perlin_res + 1)) as usize;
    let scales = field_scales(p);
    base.par_iter_mut().enumerate().for_each(|(c, b)| {
        let (x, y) = (c as u32 % n, c as u32 / n);
        *b = match p.terrain_kind {
            terrain_kind::PERLIN => {
                let mut cell = Cell::default();
                for f in 0..WEATHER_FIELDS {
                    set_field(
                        &mut cell,
                        f,
                        perlin(p, &gradients[f * stride..(f + 1) * stride], x, y),
                    );
                }
                cell
            }
            terrain_kind::RANDOM => {
                let mut cell = Cell::default();
                for (f, scale) in scales.iter().enumerate() {
                    set_field(
                        &mut cell,
                        f,
                        rng.uniform(tick, c as u32, stream::TERRAIN, f as u32) * scale,
                    );
                }
                cell
            }
            _ => island_cell(p, x, y, tick),
        };
    });
    for f in 0..WEATHER_FIELDS {
        minmax[f] = u32::MAX;
        minmax[WEATHER_FIELDS + f] = 0;
    }
    if p.terrain_kind == terrain_kind::PERLIN {
        for b in base.iter() {
            for f in 0..WEATHER_FIELDS {
                let o = float_to_ordered(get_field(b, f));
                minmax[f] = minmax[f].min(o);
                minmax[WEATHER_FIELDS + f] = minmax[WEATHER_FIELDS + f].max(o);
            }
        }
    }
}

/// Perlin only: raw noise -> [0, 1] by the field's min and max -> scaled by its maximum.
/// Each weather field's (min, span, scale) for this tick's base, applied to every cell:
/// a field becomes (v - min) / span · scale, or 0 where the base is flat (span not above
/// 0). A cell is 8 floats with the 6 fields in lanes 1..7; lanes 0 and 7 get (v - 0) / 1 · 1,
/// which is v, so all 8 lanes run the same operations and the compiler vectorises them.
pub struct Normaliser {
    lo: [f32; 8],
    span: [f32; 8],
    scale: [f32; 8],
    flat: [bool; 8],
}

impl Normaliser {
    /// None where the terrain is not Perlin noise (nothing to normalise).
    pub fn new(p: &Params, minmax: &[u32]) -> Option<Self> {
        if p.terrain_kind != terrain_kind::PERLIN {
            return None;
        }
        let mut n = Normaliser {
            lo: [0.0; 8],
            span: [1.0; 8],
            scale: [1.0; 8],
            flat: [false; 8],
        };
        for (f, scale) in field_scales(p).into_iter().enumerate() {
            let lo = ordered_to_float(minmax[f]);
            let hi = ordered_to_float(minmax[WEATHER_FIELDS + f]);
            let span = hi - lo;
            let shaped = span > 0.0;
            n.lo[1 + f] = lo;
            n.flat[1 + f] = !shaped;
            n.span[1 + f] = if shaped { span } else { 1.0 };
            n.scale[1 + f] = scale;
        }
        Some(n)
    }

    #[inline]
    pub fn apply(&self, b: &mut Cell) {
        let v: &mut [f32; 8] = bytemuck::cast_mut(b);
        for (l, v) in v.iter_mut().enumerate() {
            let q = (*v - self.lo[l]) / self.span[l];
            *v = if self.flat[l] { 0.0 } else { q } * self.scale[l];
        }
    }
}

pub fn normalise_base(p: &Params, minmax: &[u32], base: &mut [Cell]) {
    if let Some(n) = Normaliser::new(p, minmax) {
        base.par_iter_mut().for_each(|b| n.apply(b));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    /// The lane-wise normaliser gives the field-by-field formula's bits, flat fields
    /// (span 0) included, and leaves the cell's energy and bit alone.
    #[test]
    fn normaliser_is_the_field_by_field_formula() {
        let p = Params::new(&Config::default());
        assert_eq!(p.terrain_kind, terrain_kind::PERLIN);
        let rng = Rng::new(5);
        let mut minmax = [0u32; 2 * WEATHER_FIELDS];
        for f in 0..WEATHER_FIELDS {
            let lo = rng.uniform(0, f as u32, 0, 0) - 0.5;
            // Field 3 is flat: its base has one value.
            let hi = if f == 3 {
                lo
            } else {
                lo + rng.uniform(0, f as u32, 0, 1)
            };
            minmax[f] = float_to_ordered(lo);
            minmax[WEATHER_FIELDS + f] = float_to_ordered(hi);
        }
        let n = Normaliser::new(&p, &minmax).expect("Perlin terrain");
        let scales = field_scales(&p);
        for c in 0..1000u32 {
            let mut cell: Cell = bytemuck::cast(std::array::from_fn::<f32, 8, _>(|l| {
                2.0 * rng.uniform(1, c, 0, l as u32) - 1.0
            }));
            let mut expected = cell;
            for (f, scale) in scales.iter().enumerate() {
                let lo = ordered_to_float(minmax[f]);
                let span = ordered_to_float(minmax[WEATHER_FIELDS + f]) - lo;
                let v = if span > 0.0 {
                    (get_field(&cell, f) - lo) / span
                } else {
                    0.0
                };
                set_field(&mut expected, f, v * scale);
            }
            n.apply(&mut cell);
            let bits = |c: &Cell| bytemuck::cast::<Cell, [u32; 8]>(*c);
            assert_eq!(bits(&cell), bits(&expected), "cell {c}");
        }
    }

    /// The row-wise Perlin path gives the reference's bits and min and max, on maps whose
    /// side the gradient grid does and does not divide.
    #[test]
    fn row_wise_perlin_is_the_reference_bit_for_bit() {
        let rng = Rng::new(7);
        for (map_size, res) in [(128, 4), (50, 7), (33, 1), (64, 16)] {
            let mut cfg = Config::default();
            cfg.world.map_size = map_size;
            cfg.terrain.perlin_res = res;
            let p = Params::new(&cfg);
            assert_eq!(p.terrain_kind, terrain_kind::PERLIN);
            let points = ((res + 1) * (res + 1)) as usize * WEATHER_FIELDS;
            let gradients: Vec<[f32; 2]> = (0..points)
                .map(|i| gradient(rng.uniform(3, i as u32, stream::WEATHER, 0)))
                .collect();
            let cells = (map_size * map_size) as usize;
            let (mut fast, mut reference) =
                (vec![Cell::default(); cells], vec![Cell::default(); cells]);
            fast.iter_mut().for_each(|c| c.bit = 1.0);
            let (mut fast_mm, mut ref_mm) =
                ([0u32; 2 * WEATHER_FIELDS], [0u32; 2 * WEATHER_FIELDS]);
            base_for_tick(&p, &rng, &gradients, 3, &mut fast, &mut fast_mm);
            base_for_tick_reference(&p, &rng, &gradients, 3, &mut reference, &mut ref_mm);
            let bits = |v: &[Cell]| -> Vec<u32> {
                bytemuck::cast_slice::<Cell, f32>(v)
                    .iter()
                    .map(|f| f.to_bits())
                    .collect()
            };
            assert_eq!(bits(&fast), bits(&reference), "map {map_size}, res {res}");
            assert_eq!(fast_mm, ref_mm, "map {map_size}, res {res}");
        }
    }
}
