//! World pictures without a window: a run's frames and GIF, and `silico render` of a
//! checkpoint, decode with the right sizes and show terrain and agents.

use crate::common;

use image::AnimationDecoder;

fn silico(args: &[&str]) -> std::process::Output {
    std::process::Command::new(common::silico_bin())
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn a_run_saves_frames_and_a_gif_and_a_checkpoint_renders() {
    if common::gpu().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("tiny.ron");
    std::fs::write(&cfg, common::tiny().to_ron()).unwrap();
    let out = dir.path().join("run");
    let o = silico(&[
        "run",
        "--config",
        cfg.to_str().unwrap(),
        "--ticks",
        "40",
        "--frames-every",
        "20",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for t in [0, 20, 40] {
        let img = image::open(out.join(format!("frames/tick-{t:08}.png")))
            .unwrap()
            .to_rgb8();
        assert_eq!(img.dimensions(), (512, 512));
        let mut colours = std::collections::HashSet::new();
        for p in img.pixels() {
            colours.insert([p.0[0] / 32, p.0[1] / 32, p.0[2] / 32]);
        }
        assert!(
            colours.len() >= 6,
            "tick {t}: a varied picture, {} colours",
            colours.len()
        );
    }
    let gif = std::fs::File::open(out.join("frames.gif")).unwrap();
    let frames = image::codecs::gif::GifDecoder::new(std::io::BufReader::new(gif))
        .unwrap()
        .into_frames()
        .collect_frames()
        .unwrap();
    assert_eq!(frames.len(), 3);
    assert_eq!(frames[0].buffer().dimensions(), (256, 256));

    let png = dir.path().join("world.png");
    let o = silico(&[
        "render",
        out.join("final.silico").to_str().unwrap(),
        "--out",
        png.to_str().unwrap(),
        "--size",
        "300",
        "--layer",
        "energy",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        image::open(&png).unwrap().to_rgb8().dimensions(),
        (300, 300)
    );
    let o = silico(&[
        "render",
        out.join("final.silico").to_str().unwrap(),
        "--out",
        png.to_str().unwrap(),
        "--size",
        "5",
    ]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("--size 5"));
}

/// A crafted scene drawn with known colours at known pixels: a water cell (blue, as
/// `natural` shades deep water), a grass cell (full energy and gain: the grass colour), an
/// agent's disc in its lineage colour at its centre, and a bot's diamond over the terrain.
#[test]
fn a_crafted_scene_has_its_colours_at_known_pixels() {
    use silico::view::{render_image, ViewRenderer, ViewSettings, IMAGE_FORMAT};
    let Some(ctx) = common::gpu() else { return };
    let mut cfg = common::tiny();
    cfg.world.map_size = 16;
    cfg.agents.initial_agents = Some(1);
    cfg.agents.min_agents = Some(0);
    cfg.bots.count = 1;
    let mut state = silico::world::State::new(&cfg);
    let t = &cfg.terrain;
    let n = cfg.world.map_size as usize;
    let cell_units = cfg.world_size() / n as f32;
    // Left half water (dear to move through), right half lush grass.
    for (c, cell) in state.cells.iter_mut().enumerate() {
        let x = c % n;
        if x < n / 2 {
            cell.move_cost = t.max_move_cost;
            cell.energy = 0.0;
        } else {
            cell.move_cost = 0.0;
            cell.energy = t.max_energy;
            cell.energy_gain = t.max_energy_gain;
        }
    }
    let agent_at = [12.5 * cell_units, 4.5 * cell_units];
    let bot_at = [12.5 * cell_units, 12.5 * cell_units];
    let a = state
        .agents
        .iter()
        .position(|a| a.alive != 0)
        .expect("one agent");
    state.agents[a].pos = agent_at;
    state.bots[0].pos = bot_at;
    let size = 256u32;
    let world = silico::sim::World::on_context(ctx.clone(), &cfg, &state).unwrap();
    let mut r = ViewRenderer::new(&ctx.device, IMAGE_FORMAT);
    let settings = ViewSettings::whole_world(&cfg, [size, size]);
    let img = render_image(&ctx, &mut r, &world, &cfg, &settings, [size, size]).unwrap();
    // World (x, y) is pixel (x, y) · size / world size, y downward.
    let px = |p: [f32; 2]| {
        let s = size as f32 / cfg.world_size();
        let q = img.get_pixel((p[0] * s) as u32, (p[1] * s) as u32).0;
        [
            q[0] as f32 / 255.0,
            q[1] as f32 / 255.0,
            q[2] as f32 / 255.0,
        ]
    };
    let close = |what: &str, got: [f32; 3], want: [f32; 3]| {
        let d = got
            .iter()
            .zip(&want)
            .map(|(g, w)| (g - w).abs())
            .fold(0.0, f32::max);
        assert!(d <= 0.02, "{what}: {got:?}, want {want:?}");
    };
    // Deep water: move cost at its maximum is 0.56 of the way to the deepest blue, at
    // 0.85 brightness with no energy.
    let deep = 0.56f32;
    let water = [0.20, 0.50, 0.72]
        .iter()
        .zip([0.06, 0.18, 0.42])
        .map(|(a, b)| (a + (b - a) * deep) * 0.85)
        .collect::<Vec<f32>>();
    close(
        "water",
        px([2.5 * cell_units, 8.5 * cell_units]),
        [water[0], water[1], water[2]],
    );
    close(
        "grass",
        px([9.5 * cell_units, 8.5 * cell_units]),
        [0.22, 0.58, 0.20],
    );
    // The agent's lineage colour (view.wgsl key_color of its founder's lineage key).
    let key = silico::layout::kin_key(&state.agents[a]);
    let h = (key & 0xffff) as f32 / 65536.0;
    let v = 0.80 + 0.2 * ((key >> 16) & 1) as f32;
    let hue = |o: f32| ((((h + o).fract()) * 6.0 - 3.0).abs() - 1.0).clamp(0.0, 1.0);
    let hc = [hue(0.0), hue(2.0 / 3.0), hue(1.0 / 3.0)];
    let want = hc.map(|c| (1.0 + (c - 1.0) * 0.8) * v);
    close("agent", px(agent_at), want);
    // The bot's diamond covers its cell's grass.
    let bot = px(bot_at);
    let d = bot
        .iter()
        .zip([0.22f32, 0.58, 0.20])
        .map(|(g, w)| (g - w).abs())
        .fold(0.0, f32::max);
    assert!(d > 0.1, "no bot drawn at its place: {bot:?}");
}

/// A highlighted group rings its agents and no others: a founder's lineage where the
/// measures count founders, a kin group where they count kin groups (an initial founder's
/// id has the kin bit set, so the key alone cannot say which).
#[test]
fn a_highlighted_group_rings_its_agents_and_no_others() {
    use silico::view::{render_image, ViewRenderer, ViewSettings, IMAGE_FORMAT};
    let Some(ctx) = common::gpu() else { return };
    for kin_ticks in [0, 50] {
        let mut cfg = common::tiny();
        cfg.world.map_size = 16;
        cfg.agents.initial_agents = Some(2);
        cfg.agents.min_agents = Some(0);
        cfg.bots.count = 0;
        cfg.measures.kin_ticks = kin_ticks;
        let mut state = silico::world::State::new(&cfg);
        let cell_units = cfg.world_size() / 16.0;
        let living: Vec<usize> = (0..state.agents.len())
            .filter(|&i| state.agents[i].alive != 0)
            .collect();
        let (a, b) = (living[0], living[1]);
        state.agents[a].pos = [4.5 * cell_units, 8.5 * cell_units];
        state.agents[b].pos = [12.5 * cell_units, 8.5 * cell_units];
        state.agents[a].kin = 7;
        state.agents[b].kin = 9;
        let grouping = silico::lineage::Grouping::of(&cfg);
        let group = grouping.of_agent(&state.agents[a]);
        let size = 256u32;
        let world = silico::sim::World::on_context(ctx.clone(), &cfg, &state).unwrap();
        let mut r = ViewRenderer::new(&ctx.device, IMAGE_FORMAT);
        let mut settings = ViewSettings::whole_world(&cfg, [size, size]);
        let plain = render_image(&ctx, &mut r, &world, &cfg, &settings, [size, size]).unwrap();
        settings.highlight_lineage = Some(silico::view::Ringed::of(grouping, group));
        let ringed = render_image(&ctx, &mut r, &world, &cfg, &settings, [size, size]).unwrap();
        // Pixels that changed within 16 pixels of each agent.
        let changed = |p: [f32; 2]| {
            let s = size as f32 / cfg.world_size();
            let (cx, cy) = ((p[0] * s) as i64, (p[1] * s) as i64);
            let mut n = 0;
            for y in cy - 16..=cy + 16 {
                for x in cx - 16..=cx + 16 {
                    let (x, y) = (x as u32, y as u32);
                    if plain.get_pixel(x, y) != ringed.get_pixel(x, y) {
                        n += 1;
                    }
                }
            }
            n
        };
        let what = if kin_ticks == 0 {
            "founders"
        } else {
            "kin groups"
        };
        assert!(
            changed(state.agents[a].pos) > 0,
            "{what}: its agent is ringed"
        );
        assert_eq!(changed(state.agents[b].pos), 0, "{what}: the other is not");
    }
}

/// Coloured by founder, two agents of one founder's line in different kin groups look
/// alike; coloured by group (kin groups counted), they do not.
#[test]
fn founder_colours_join_the_kin_groups_of_one_line() {
    use silico::view::{render_image, AgentColors, ViewRenderer, ViewSettings, IMAGE_FORMAT};
    let Some(ctx) = common::gpu() else { return };
    let mut cfg = common::tiny();
    cfg.world.map_size = 16;
    cfg.agents.initial_agents = Some(2);
    cfg.agents.min_agents = Some(0);
    cfg.bots.count = 0;
    cfg.measures.kin_ticks = 50;
    let mut state = silico::world::State::new(&cfg);
    let cell_units = cfg.world_size() / 16.0;
    let living: Vec<usize> = (0..state.agents.len())
        .filter(|&i| state.agents[i].alive != 0)
        .collect();
    let (a, b) = (living[0], living[1]);
    state.agents[a].pos = [4.5 * cell_units, 8.5 * cell_units];
    state.agents[b].pos = [12.5 * cell_units, 8.5 * cell_units];
    state.agents[b].founder = state.agents[a].founder;
    // Keys as kin groups get them (hashes spread over the hue circle).
    state.agents[a].kin = silico::world::lineage_key(1, 2);
    state.agents[b].kin = silico::world::lineage_key(3, 4);
    let size = 256u32;
    let world = silico::sim::World::on_context(ctx.clone(), &cfg, &state).unwrap();
    let mut r = ViewRenderer::new(&ctx.device, IMAGE_FORMAT);
    let mut settings = ViewSettings::whole_world(&cfg, [size, size]);
    let s = size as f32 / cfg.world_size();
    let mut colours = |colors: AgentColors| {
        settings.agent_colors = colors;
        let img = render_image(&ctx, &mut r, &world, &cfg, &settings, [size, size]).unwrap();
        let px = |p: [f32; 2]| *img.get_pixel((p[0] * s) as u32, (p[1] * s) as u32);
        (px(state.agents[a].pos), px(state.agents[b].pos))
    };
    let (ka, kb) = colours(AgentColors::Lineage);
    assert_ne!(ka, kb, "two kin groups have their own colours");
    let (fa, fb) = colours(AgentColors::Founder);
    assert_eq!(fa, fb, "one founder, one colour");
}
