//! Muller plots: each lineage's share of the living over time, stacked, from a run's
//! lineage.csv, in the colours the app's world view gives the lineage's agents.

use std::collections::HashMap;
use std::path::Path;

use anyhow::Result;
use plotters::prelude::*;

use crate::lineage::Individual;

/// The colour of a lineage's (or kin group's, `lineage::KIN_GROUP`) agents in the world
/// view (shaders/view.wgsl `key_color` of its key), as 8-bit RGB.
pub fn lineage_colour(lineage: u64) -> [u8; 3] {
    let x = if lineage & crate::lineage::KIN_GROUP != 0 {
        // A kin group: its key is the colour's.
        lineage as u32
    } else {
        crate::world::lineage_key(lineage as u32, (lineage >> 32) as u32)
    };
    let h = (x & 0xffff) as f32 / 65536.0;
    let v = 0.80 + 0.2 * ((x >> 16) & 1) as f32;
    let hue = |offset: f32| {
        let k = (h + offset).fract() * 6.0;
        ((k - 3.0).abs() - 1.0).clamp(0.0, 1.0)
    };
    let rgb = [hue(0.0), hue(2.0 / 3.0), hue(1.0 / 3.0)];
    rgb.map(|c| ((1.0 + (c - 1.0) * 0.8) * v * 255.0).round() as u8)
}

/// Abundance over time: `ticks[b]` is the middle of bin b, `shares[k][b]` the share of the
/// living in bin b that belong to `lineages[k]` (the largest by agent-ticks, most first);
/// `other[b]` the share of every other lineage.
#[derive(Debug, Default)]
pub struct Muller {
    pub ticks: Vec<f64>,
    pub lineages: Vec<u64>,
    pub shares: Vec<Vec<f64>>,
    pub other: Vec<f64>,
}

/// Count the living of each lineage at the middle of `bins` equal spans of the run, and
/// keep the `top` lineages with the most agent-ticks.
pub fn abundance(rows: &[Individual], bins: usize, top: usize) -> Muller {
    let end = rows
        .iter()
        .map(|r| r.death_tick.unwrap_or(r.birth_tick))
        .max()
        .unwrap_or(0) as f64;
    // A run shorter than `bins` ticks gets a bin per tick, so its plot ends where it did.
    let bins = bins.min(end as usize).max(1);
    let width = (end / bins as f64).max(1.0);
    let ticks: Vec<f64> = (0..bins).map(|b| (b as f64 + 0.5) * width).collect();
    // Per lineage, a difference array over the bins whose middle an individual lived at.
    let mut diff: HashMap<u64, Vec<i64>> = HashMap::new();
    let mut agent_ticks: HashMap<u64, f64> = HashMap::new();
    for r in rows {
        let born = r.birth_tick as f64;
        let died = r.death_tick.map_or(f64::INFINITY, |d| d as f64);
        // Bins b with born <= middle(b) < died.
        let first = ((born / width - 0.5).ceil().max(0.0)) as usize;
        let last = ((died / width - 0.5).ceil().max(0.0) as usize).min(bins);
        if first < last {
            let d = diff.entry(r.lineage).or_insert_with(|| vec![0; bins + 1]);
            d[first] += 1;
            d[last] -= 1;
        }
        *agent_ticks.entry(r.lineage).or_default() += died.min(end) - born;
    }
    let counts: HashMap<u64, Vec<f64>> = diff
        .into_iter()
        .map(|(l, d)| {
            let mut n = 0i64;
            let c = d[..bins]
                .iter()
                .map(|x| {
                    n += x;
                    n as f64
                })
                .collect();
            (l, c)
        })
        .collect();
    let mut total = vec![0.0; bins];
    for c in counts.values() {
        total.iter_mut().zip(c).for_each(|(t, x)| *t += x);
    }
    let mut order: Vec<u64> = counts.keys().copied().collect();
    order.sort_by(|a, b| agent_ticks[b].total_cmp(&agent_ticks[a]).then(a.cmp(b)));
    order.truncate(top);
    let share = |c: &[f64]| -> Vec<f64> {
        c.iter()
            .zip(&total)
            .map(|(x, t)| if *t > 0.0 { x / t } else { 0.0 })
            .collect()
    };
    let shares: Vec<Vec<f64>> = order.iter().map(|l| share(&counts[l])).collect();
    let other = (0..bins)
        .map(|b| {
            if total[b] > 0.0 {
                1.0 - shares.iter().map(|s| s[b]).sum::<f64>()
            } else {
                0.0
            }
        })
        .collect();
    Muller {
        ticks,
        lineages: order,
        shares,
        other,
    }
}

/// Draw a run's Muller plot as PNG: the top lineages stacked in order of first appearance
/// (the oldest at the bottom), every other lineage as grey on top.
pub fn draw(rows: &[Individual], title: &str, path: &Path) -> Result<()> {
    crate::science::plot::register_font();
    let m = abundance(rows, 400, 24);
    let end = m.ticks.last().map_or(1.0, |t| t + m.ticks[0]);
    let first_birth: HashMap<u64, u64> = rows.iter().fold(HashMap::new(), |mut acc, r| {
        let e = acc.entry(r.lineage).or_insert(r.birth_tick);
        *e = (*e).min(r.birth_tick);
        acc
    });
    let mut stack: Vec<usize> = (0..m.lineages.len()).collect();
    stack.sort_by_key(|&k| (first_birth[&m.lineages[k]], m.lineages[k]));
    let root = BitMapBackend::new(path, (1400, 500)).into_drawing_area();
    let err = |e: &dyn std::fmt::Display| anyhow::anyhow!("drawing {}: {e}", path.display());
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 22))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..end, 0.0..1.0)
        .map_err(|e| err(&e))?;
    chart
        .configure_mesh()
        .x_desc("tick")
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_desc("share of the living")
        .draw()
        .map_err(|e| err(&e))?;
    let mut below = vec![0.0; m.ticks.len()];
    let mut band = |values: &[f64], colour: RGBColor| -> Result<()> {
        let above: Vec<f64> = below.iter().zip(values).map(|(b, v)| b + v).collect();
        let outline: Vec<(f64, f64)> = m
            .ticks
            .iter()
            .zip(&above)
            .map(|(t, y)| (*t, *y))
            .chain(m.ticks.iter().zip(&below).rev().map(|(t, y)| (*t, *y)))
            .collect();
        chart
            .draw_series(std::iter::once(Polygon::new(outline, colour.filled())))
            .map_err(|e| err(&e))?;
        below = above;
        Ok(())
    };
    for k in stack {
        let [r, g, b] = lineage_colour(m.lineages[k]);
        band(&m.shares[k], RGBColor(r, g, b))?;
    }
    band(&m.other, RGBColor(200, 200, 200))?;
    root.present().map_err(|e| err(&e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ind(id: u64, lineage: u64, born: u64, died: Option<u64>) -> Individual {
        Individual {
            id,
            parent: None,
            lineage,
            birth_tick: born,
            death_tick: died,
            generation: 0,
            cause: if died.is_some() { "starved" } else { "alive" }.into(),
            offspring: 0,
        }
    }

    #[test]
    fn shares_follow_who_is_alive_and_sum_to_one() {
        // Lineage 1: two agents over the whole run; lineage 2: one agent in the second
        // half; lineage 3: one agent in the first quarter.
        let rows = vec![
            ind(1, 1, 0, None),
            ind(2, 1, 0, Some(1000)),
            ind(3, 2, 500, Some(1000)),
            ind(4, 3, 0, Some(250)),
        ];
        let m = abundance(&rows, 4, 2);
        assert_eq!(m.ticks, vec![125.0, 375.0, 625.0, 875.0]);
        assert_eq!(
            m.lineages,
            vec![1, 2],
            "most agent-ticks first: 2,000, 500 (then 250)"
        );
        assert_eq!(m.shares[0], vec![2.0 / 3.0, 1.0, 2.0 / 3.0, 2.0 / 3.0]);
        assert_eq!(m.shares[1], vec![0.0, 0.0, 1.0 / 3.0, 1.0 / 3.0]);
        for b in 0..4 {
            let sum: f64 = m.shares.iter().map(|s| s[b]).sum::<f64>() + m.other[b];
            assert!((sum - 1.0).abs() < 1e-12);
        }
        assert!(
            (m.other[0] - 1.0 / 3.0).abs() < 1e-12,
            "lineage 3 is 'other'"
        );
        assert_eq!(m.other[1..], [0.0, 0.0, 0.0]);
    }

    /// A run shorter than the bins asked for is drawn to its own end, not stretched.
    #[test]
    fn a_short_run_ends_where_it_ended() {
        let rows = vec![ind(1, 1, 0, None), ind(2, 2, 0, Some(120))];
        let m = abundance(&rows, 400, 24);
        assert_eq!(m.ticks.len(), 120);
        assert_eq!(m.ticks.last(), Some(&119.5));
    }

    #[test]
    fn colours_are_the_view_shaders() {
        // The WGSL hash and mix by hand for lineage 0 (its key is 1): hue 1/65536, v 0.8,
        // mix(1, (1, 0, 0), 0.8) * 0.8 = (0.8, 0.16, 0.16) to 8 bits.
        assert_eq!(lineage_colour(0), [204, 41, 41]);
        assert_ne!(lineage_colour(1), lineage_colour(2));
    }

    #[test]
    fn a_muller_plot_is_drawn() {
        let dir = tempfile::tempdir().unwrap();
        let rows = vec![ind(1, 1, 0, None), ind(2, 2, 10, Some(90))];
        let path = dir.path().join("muller.png");
        draw(&rows, "test", &path).unwrap();
        assert!(std::fs::metadata(&path).unwrap().len() > 1000);
    }
}
