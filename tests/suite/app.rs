//! The app's UI logic under egui_kittest: the real panels over a real (CPU) world, driven
//! by clicks and keys. The window and the GPU view are tested in app_window.rs.

use crate::common;

use egui_kittest::kittest::Queryable;
use egui_kittest::Harness;

use silico::app::session::{Applied, Selection, Session};
use silico::app::ui::{self, UiState};
use silico::config::Config;
use silico::program::ProgramSpec;
use silico::sim::World;
use silico::world::METRIC_COLUMNS;

struct App {
    session: Session,
    ui: UiState,
}

fn tiny() -> Config {
    let mut cfg = Config::default();
    cfg.world.map_size = 16;
    cfg.agents.capacity = 32;
    cfg.agents.initial_agents = Some(32);
    cfg.agents.min_agents = Some(8);
    cfg.agents.view_agents = 4;
    cfg.agents.terrain_view_range = 1;
    cfg.bots.count = 4;
    cfg
}

fn harness(cfg: Config) -> Harness<'static, App> {
    harness_sized(cfg, egui::vec2(1400.0, 900.0))
}

fn harness_sized(cfg: Config, size: egui::Vec2) -> Harness<'static, App> {
    let session = Session::new(cfg, None).expect("a CPU world");
    let mut ui = UiState::new(&session, "CPU engine".into(), false);
    // No wgpu renderer in the harness: the view draws a placeholder, input works the same.
    ui.gpu_view = false;
    let mut h = Harness::builder().with_size(size).build_ui_state(
        |ui, app: &mut App| ui::draw(ui, &mut app.session, &mut app.ui),
        App { session, ui },
    );
    h.run();
    h
}

fn click_at(h: &mut Harness<'static, App>, p: egui::Pos2) {
    h.event(egui::Event::PointerMoved(p));
    h.run();
    for pressed in [true, false] {
        h.event(egui::Event::PointerButton {
            pos: p,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::NONE,
        });
        h.run();
    }
}

/// Pause, then step `ticks` ticks one frame at a time.
fn pause_and_step(h: &mut Harness<'static, App>, ticks: usize) {
    h.get_by_label("Pause").click();
    h.run();
    for _ in 0..ticks {
        h.get_by_label("Step").click();
        h.run();
    }
}

fn muller_rect(h: &Harness<'static, App>) -> egui::Rect {
    h.state()
        .ui
        .charts
        .muller_rect
        .expect("the Muller plot was drawn")
}

#[test]
fn opens_with_controls_charts_and_status() {
    let h = harness(tiny());
    h.get_by_label("Pause");
    h.get_by_label("Step");
    h.get_by_label("Reset");
    h.get_by_label("Charts");
    // The status bar names the tick and the adapter.
    h.get_by_label_contains("tick 0");
    h.get_by_label_contains("CPU engine");
    // Every chart group with columns gets a header.
    for group in [
        "population",
        "agriculture",
        "communication",
        "tool use",
        "kardashev",
    ] {
        h.get_by_label(group);
    }
}

#[test]
fn pause_play_and_step() {
    let mut h = harness(tiny());
    assert!(h.state().session.playing);
    h.get_by_label("Pause").click();
    h.run();
    assert!(!h.state().session.playing);
    h.get_by_label("Play");
    let before = h.state().session.tick();
    h.get_by_label("Step").click();
    h.run();
    assert_eq!(h.state().session.tick(), before + 1);
    assert_eq!(
        h.state().session.history.len(),
        1,
        "the step's metrics row is charted"
    );
    // The keyboard does the same: Space plays, '.' steps (and pauses).
    h.key_press(egui::Key::Space);
    h.run();
    assert!(h.state().session.playing);
    h.key_press(egui::Key::Period);
    h.run();
    assert!(!h.state().session.playing);
    assert_eq!(h.state().session.tick(), before + 2);
}

#[test]
fn clicking_an_agent_selects_and_inspects_it() {
    let mut h = harness(tiny());
    let (slot, pos) = {
        let World::Cpu(c) = &h.state().session.world else {
            panic!("a CPU world")
        };
        let (i, a) = c
            .state
            .agents
            .iter()
            .enumerate()
            .find(|(_, a)| a.alive != 0)
            .expect("an alive agent");
        (i, a.pos)
    };
    let rect = h.state().ui.view_rect.expect("the view was laid out");
    let cam = h.state().ui.view.camera;
    let w = h.state().session.cfg.world_size();
    let wrap = |d: f32| (d + 0.5 * w).rem_euclid(w) - 0.5 * w;
    let p = rect.center()
        + egui::vec2(
            wrap(pos[0] - cam.center[0]) / cam.units_per_point,
            wrap(pos[1] - cam.center[1]) / cam.units_per_point,
        );
    assert!(rect.contains(p), "the agent is in view");
    click_at(&mut h, p);
    let Some(Selection::Agent(got)) = h.state().session.selection else {
        panic!("no agent selected: {:?}", h.state().session.selection)
    };
    // Several agents may share the spot; the one picked is at the click.
    let picked = h
        .state()
        .session
        .agent_view
        .as_ref()
        .expect("inspected")
        .agent
        .pos;
    let d = ((picked[0] - pos[0]).powi(2) + (picked[1] - pos[1]).powi(2)).sqrt();
    assert!(
        d <= h.state().session.cfg.world.cell_size,
        "picked {got} at {d} units, agent {slot}"
    );
    h.get_by_label(&format!("Agent {got}"));
    h.get_by_label("self message (sent)");
    h.get_by_label("last action");
    // Escape clears the selection and the inspector closes.
    h.key_press(egui::Key::Escape);
    h.run();
    assert!(h.state().session.selection.is_none());
    assert!(h.query_by_label("self message (sent)").is_none());
}

#[test]
fn an_invalid_config_edit_is_shown_and_not_applied() {
    let mut h = harness(tiny());
    h.get_by_label("config").click();
    h.run();
    let field = "costs.move_cost";
    h.state_mut()
        .ui
        .config_text
        .insert(field.into(), "-1.0".into());
    h.run();
    h.get_by_label(field).focus();
    h.run();
    h.key_press(egui::Key::Enter);
    h.run();
    let result = h.state().ui.config_result.get(field).cloned();
    let Some(Err(msg)) = result else {
        panic!("expected a refusal, got {result:?}")
    };
    assert!(
        msg.contains("move_cost"),
        "the error names the field: {msg}"
    );
    h.get_by_label(&msg);
    assert_eq!(
        h.state().session.cfg.costs.move_cost,
        0.5,
        "nothing applied"
    );

    // A valid value applies live; a structural one waits for Reset.
    h.state_mut()
        .ui
        .config_text
        .insert(field.into(), "0.25".into());
    h.run();
    h.get_by_label(field).focus();
    h.run();
    h.key_press(egui::Key::Enter);
    h.run();
    assert_eq!(h.state().session.cfg.costs.move_cost, 0.25);
}

#[test]
fn live_and_structural_config_changes() {
    let mut s = Session::new(tiny(), None).unwrap();
    let r = ui::edit_config(&mut s, "costs.life_cost", "0.5");
    assert!(r.is_ok(), "{r:?}");
    assert_eq!(s.cfg.costs.life_cost, 0.5);
    let World::Cpu(c) = &s.world else { panic!() };
    assert_eq!(c.params.life_cost, 0.5, "the running world took it");

    let mut bigger = s.cfg.clone();
    bigger.agents.capacity = 48;
    assert!(matches!(s.apply_config(bigger), Ok(Applied::OnReset(_))));
    assert_eq!(s.cfg.agents.capacity, 32, "structural edits wait");
    s.step(3).unwrap();
    s.reset(7).unwrap();
    assert_eq!(s.cfg.agents.capacity, 48);
    assert_eq!(s.cfg.seed, 7);
    assert_eq!(s.tick(), 0);

    let mut bad = s.cfg.clone();
    bad.agents.capacity = 0;
    assert!(s.apply_config(bad).is_err());
    assert_eq!(s.cfg.agents.capacity, 48);
    assert!(s.pending.is_none());
}

#[test]
fn a_bot_program_is_written_and_bad_ones_refused() {
    let mut s = Session::new(tiny(), None).unwrap();
    s.select(Some(Selection::Bot(1))).unwrap();
    s.write_program(1, "Rule(110)").unwrap();
    let want = ProgramSpec::Rule(110).assemble().unwrap();
    assert_eq!(s.bot_view.as_ref().unwrap().bot.program, want);
    assert!(s.bot_view.as_ref().unwrap().disassembly.contains("110"));
    let err = s.write_program(1, "Rule(").unwrap_err();
    assert!(err.contains("Rule(110)"), "says how to write one: {err}");
    let err = s.write_program(1, "Raw([1.0])").unwrap_err();
    assert!(err.contains("program"), "{err}");
    assert_eq!(s.bot_view.as_ref().unwrap().bot.program, want, "unchanged");
}

#[test]
fn checkpoints_save_and_load_and_a_bad_one_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = tiny();
    let mut s = Session::new(cfg.clone(), None).unwrap();
    s.step(5).unwrap();
    let saved = s.world.state(&cfg).unwrap().hash();
    let path = dir.path().join("a.silico");
    s.save_checkpoint(&path).unwrap();
    s.step(5).unwrap();
    let later = s.world.state(&cfg).unwrap().hash();
    assert_ne!(later, saved, "five more ticks change the world");
    s.load_checkpoint(&path).unwrap();
    assert_eq!(s.tick(), 5);
    assert_eq!(
        s.world.state(&cfg).unwrap().hash(),
        saved,
        "the saved world, bit for bit"
    );
    // And it goes on as it did the first time.
    s.step(5).unwrap();
    assert_eq!(s.world.state(&cfg).unwrap().hash(), later);
    let junk = dir.path().join("junk.silico");
    std::fs::write(&junk, b"not a checkpoint").unwrap();
    let err = s.load_checkpoint(&junk).unwrap_err().to_string();
    assert!(err.contains("junk.silico"), "names the file: {err}");
    assert_eq!(s.tick(), 10, "the running world is untouched");
    assert_eq!(s.world.state(&cfg).unwrap().hash(), later);
}

/// On the GPU the inspector asks for its rows after the submitted ticks and shows them a
/// frame or more later, never waiting: what arrives is what a waiting read gives, paged
/// half-float genomes included (the JaxLife brain's attention reads the genome).
#[test]
fn the_gpu_inspector_reads_without_waiting_and_agrees_with_a_waiting_read() {
    let Some(ctx) = common::gpu() else { return };
    let mut cfg = tiny();
    cfg.brain = silico::config::Brain::JaxLife {
        hidden: 8,
        heads: 2,
    };
    cfg.genome_precision = silico::config::Precision::F16;
    let mut session = Session::new(cfg, Some(ctx)).expect("a GPU world");
    session.playing = false;
    session.step(3).unwrap();
    session.select(Some(Selection::Agent(5))).unwrap();
    let waited = session.agent_view.clone().expect("a living agent 5");
    assert!(!waited.attention.is_empty(), "JaxLife attention is shown");
    session.agent_view = None;
    // Frames a millisecond apart, bounded by time: on a software adapter shared with the
    // rest of the suite, 10,000 back-to-back frames could pass before the copy lands.
    let started = std::time::Instant::now();
    while session.agent_view.is_none() {
        session.update_inspection().unwrap();
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "the inspection never arrived"
        );
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    let got = session.agent_view.clone().unwrap();
    assert_eq!(got.agent.energy, waited.agent.energy);
    assert_eq!(got.actions, waited.actions);
    assert_eq!(got.brain_state, waited.brain_state);
    assert_eq!(got.neighbors, waited.neighbors);
    assert_eq!(got.attention, waited.attention);
}

/// Pause the world and replace the chart history with `rows` crafted rows (ticks 10, 20,
/// ...): `f` sets each row's columns by name.
fn crafted_history(h: &mut Harness<'static, App>, rows: usize, f: impl Fn(usize, &mut Vec<f32>)) {
    h.get_by_label("Pause").click();
    h.run();
    let history = &mut h.state_mut().session.history;
    history.clear();
    for i in 0..rows {
        let mut row = vec![0.0f32; METRIC_COLUMNS.len()];
        row[0] = (10 * (i + 1)) as f32;
        f(i, &mut row);
        history.push(&row);
    }
    h.run();
}

fn set(row: &mut [f32], name: &str, v: f32) {
    row[METRIC_COLUMNS.iter().position(|c| *c == name).unwrap()] = v;
}

#[test]
fn the_dashboard_reads_each_behaviour_against_its_chance_band() {
    let mut h = harness(tiny());
    crafted_history(&mut h, 400, |i, r| {
        let noise = if i % 2 == 0 { 0.03 } else { -0.03 };
        // Several kin groups alive, so own harvest can be read at all.
        set(r, "evo_lineages_alive", 5.0);
        // Own harvest far above its chance level from tick 1,000 on.
        set(r, "agri_own_harvest_food", 2.0);
        set(r, "agri_own_harvest_chance", 0.2);
        set(
            r,
            "agri_own_harvest_share",
            if i < 100 { 0.2 + noise } else { 0.8 + noise },
        );
        // Listener response inside its bias band.
        set(r, "comm_listener_bias", 0.05);
        set(r, "comm_listener_mi", noise);
        // No food from programmed bots' farms at all.
    });
    for title in [
        "Agriculture: own harvest (share of cultivated food)",
        "Communication: listener response (bits)",
        "Tool use: programmer benefit (share of bot-farmed food)",
    ] {
        h.get_by_label(title);
    }
    h.get_by_label_contains("above chance for the last");
    h.get_by_label_contains("within the chance band for the last");
    h.get_by_label("no food eaten from programmed bots' farms yet");
    let drawn = &h.state().ui.charts.drawn_dashboard;
    assert_eq!(drawn.len(), 3);
    assert!(
        drawn[0].band_points > 100 && drawn[0].measure_points > 100,
        "{drawn:?}"
    );
    assert!(drawn[1].band_points > 100, "{drawn:?}");
    assert_eq!((drawn[2].band_points, drawn[2].measure_points), (0, 0));
    // The smoothing window is the user's: 1,000 ticks see only the risen share, 10,000
    // ticks the whole run (100 rows at 0.2, 300 at 0.8).
    assert!((drawn[0].last_measure - 0.8).abs() < 0.01, "{drawn:?}");
    h.state_mut().ui.charts.window_ticks = 10_000.0;
    h.run();
    let whole = h.state().ui.charts.drawn_dashboard[0].last_measure;
    assert!((whole - 0.65).abs() < 0.01, "{whole}");
}

#[test]
fn a_compare_run_adds_a_dashed_series_to_every_chart_and_sets_the_bands() {
    let mut h = harness(tiny());
    let rows = |scale: f32| {
        move |i: usize, r: &mut Vec<f32>| {
            for (c, v) in r.iter_mut().enumerate().skip(1) {
                *v = scale * (1.0 + c as f32 + (i % 7) as f32);
            }
        }
    };
    crafted_history(&mut h, 50, rows(1.0));
    // The control: another history written as a run's metrics.csv.
    let dir = tempfile::tempdir().unwrap();
    let mut control = silico::app::history::History::new(100);
    for i in 0..50 {
        let mut row = vec![0.0f32; METRIC_COLUMNS.len()];
        row[0] = (10 * (i + 1)) as f32;
        rows(0.5)(i, &mut row);
        control.push(&row);
    }
    control.write_csv(&dir.path().join("metrics.csv")).unwrap();
    h.state_mut().ui.charts.compare_path = dir.path().display().to_string();
    h.get_by_label("Load compare").click();
    h.run();
    h.run();
    assert!(
        h.state().session.compare.is_some(),
        "{:?}",
        h.state().session.notice
    );
    // News is news, not a problem (drawn in the status bar's plain colour).
    let notice = h.state().session.notice.clone().expect("a notice");
    assert!(
        !notice.problem && notice.text.starts_with("comparing with"),
        "{notice:?}"
    );
    let plots = &h.state().ui.charts.drawn_plots;
    assert!(plots.len() > 20, "{plots:?}");
    for (name, series) in plots {
        assert_eq!(*series, 2, "{name} draws the run and the compared run");
    }
    // The dashboard now reads communication as message influence against the control.
    h.get_by_label("Communication: message influence (share of listeners)");
    let drawn = &h.state().ui.charts.drawn_dashboard;
    assert!(drawn.iter().all(|d| d.band_points > 0), "{drawn:?}");
    // A folder with no metrics.csv is refused by name, and the loaded one stays.
    let empty = tempfile::tempdir().unwrap();
    h.state_mut().ui.charts.compare_path = empty.path().display().to_string();
    h.get_by_label("Load compare").click();
    h.run();
    let notice = h.state().session.notice.clone().expect("a notice");
    assert!(
        notice.problem && notice.text.contains("metrics.csv"),
        "{notice:?}"
    );
    assert!(h.state().session.compare.is_some());
}

#[test]
fn the_column_chooser_hides_and_shows_small_plots() {
    // Tall enough that the chooser's boxes are on screen to be clicked.
    let mut h = harness_sized(tiny(), egui::vec2(1400.0, 1600.0));
    crafted_history(&mut h, 20, |_, r| set(r, "births", 3.0));
    let shown = |h: &Harness<'static, App>| {
        h.state()
            .ui
            .charts
            .drawn_plots
            .iter()
            .any(|(n, _)| *n == "births")
    };
    assert!(shown(&h));
    h.get_by_label("choose columns").click();
    h.run();
    h.get_by_label("births").click();
    h.run();
    h.run();
    assert!(h.state().ui.charts.hidden.contains("births"));
    assert!(!shown(&h));
    h.get_by_label("births").click();
    h.run();
    h.run();
    assert!(shown(&h));
}

#[test]
fn clicking_a_muller_band_rings_its_lineage_and_the_inspector_shows_ancestry() {
    let mut h = harness(tiny());
    // A few ticks sample the lineages.
    pause_and_step(&mut h, 20);
    assert!(h.state().ui.charts.drawn_lineages > 0);
    // The grey band has its legend.
    h.get_by_label_contains("grey, on top: every group beyond");
    // In log time the first ticks take as much of the axis as the rest: x is ln(1 + tick).
    let (_, last) = h.state().ui.charts.drawn_muller_x.unwrap();
    h.get_by_label("log time").click();
    h.run();
    h.run();
    let (_, last_log) = h.state().ui.charts.drawn_muller_x.unwrap();
    assert!(
        (last_log - last.ln_1p()).abs() < 1e-9,
        "{last} -> {last_log}"
    );
    h.get_by_label("log time").click();
    h.run();
    h.run();
    let rect = muller_rect(&h);
    click_at(&mut h, rect.center());
    h.run();
    let picked = h
        .state()
        .session
        .highlight_lineage
        .expect("a lineage picked");
    let alive: Vec<u64> = h
        .state()
        .session
        .family
        .groups
        .lineages_now()
        .iter()
        .map(|(l, _)| *l)
        .collect();
    assert_eq!(picked, silico::view::Ringed::Lineage(picked.id()));
    assert!(
        alive.contains(&picked.id()),
        "{picked:?} is a living lineage"
    );
    assert_eq!(
        h.state().ui.view.highlight_lineage,
        Some(picked),
        "the view rings it"
    );
    h.get_by_label_contains("ringed in the view");
    // Clicking the same band again clears it.
    click_at(&mut h, rect.center());
    h.run();
    assert_eq!(h.state().session.highlight_lineage, None);
    // The inspector lists an agent's ancestry (a founder of the initial world: itself).
    let slot = {
        let World::Cpu(c) = &h.state().session.world else {
            panic!("a CPU world")
        };
        c.state.agents.iter().position(|a| a.alive != 0).unwrap()
    };
    h.state_mut()
        .session
        .select(Some(Selection::Agent(slot)))
        .unwrap();
    h.run();
    h.run();
    h.get_by_label("ancestry");
    assert!(h.query_all_by_label_contains("born tick").count() >= 1);
}

/// In a world whose measures count kin groups, the Muller plot shows them, and on asking
/// the founders' lineages instead; a band of either rings its own kind of group.
#[test]
fn the_muller_plot_shows_kin_groups_or_founders() {
    use silico::view::Ringed;
    let mut cfg = tiny();
    cfg.measures.kin_ticks = 5;
    let mut h = harness(cfg);
    pause_and_step(&mut h, 30);
    h.get_by_label("Kin groups (share of the living)");
    let pick = |h: &mut Harness<'static, App>| {
        h.state_mut().session.highlight_lineage = None;
        let rect = muller_rect(h);
        click_at(h, rect.center());
        h.run();
        h.state().session.highlight_lineage.expect("a band picked")
    };
    let kin = pick(&mut h);
    assert!(matches!(kin, Ringed::KinGroup(_)), "{kin:?}");
    h.get_by_label_contains("ringed in the view: kin group");
    let groups = h.state().session.family.groups.lineages_now();
    h.get_by_label("founders").click();
    h.run();
    h.run();
    h.get_by_label("Lineages (share of the living)");
    let founder = pick(&mut h);
    assert!(matches!(founder, Ringed::Lineage(_)), "{founder:?}");
    let founders = h
        .state()
        .session
        .family
        .founders
        .as_ref()
        .unwrap()
        .lineages_now();
    h.get_by_label_contains("ringed in the view: lineage");
    assert_eq!(h.state().ui.view.highlight_lineage, Some(founder));
    // Fewer founders' lineages than kin groups survive 30 ticks of kin groups rooted
    // every 5: the two plots differ.
    assert!(
        founders.len() < groups.len(),
        "{founders:?} against {groups:?}"
    );
}

#[test]
fn a_pile_of_agents_is_labelled_with_its_count() {
    let mut cfg = tiny();
    cfg.scenario.agents = vec![silico::config::AgentPlacement {
        pos: [20.0, 20.0],
        count: 6,
        ..Default::default()
    }];
    cfg.agents.initial_agents = Some(0);
    let mut h = harness(cfg);
    h.get_by_label("Pause").click();
    h.run();
    assert_eq!(
        h.state().ui.drawn_piles,
        vec![6],
        "{:?}",
        h.state().session.piles
    );
    let (pos, n) = h.state().session.piles[0];
    assert_eq!(n, 6);
    assert!((pos[0] - 20.0).abs() < 1e-3 && (pos[1] - 20.0).abs() < 1e-3);
}

/// Pile labels never cover one another (the larger pile keeps its label) and never leave
/// the view.
#[test]
fn pile_labels_neither_overlap_nor_leave_the_view() {
    let mut cfg = tiny();
    let pile = |pos, count| silico::config::AgentPlacement {
        pos,
        count,
        ..Default::default()
    };
    // Two piles 3 units apart, one in the world's top left corner and one at its right
    // edge (the world is 128 units across).
    cfg.scenario.agents = vec![
        pile([20.0, 20.0], 4),
        pile([23.0, 20.0], 6),
        pile([0.5, 0.5], 5),
        pile([127.5, 64.0], 7),
    ];
    cfg.agents.initial_agents = Some(0);
    let mut h = harness(cfg);
    h.get_by_label("Pause").click();
    h.run();
    let view = h.state().ui.view_rect.expect("a world view");
    let labels = h.state().ui.drawn_pile_labels.clone();
    assert_eq!(h.state().ui.drawn_piles.len(), 4, "{labels:?}");
    for r in &labels {
        assert!(view.contains_rect(*r), "{r:?} leaves {view:?}");
    }
    // The right edge pile 4 points inside the view's right edge: its label, drawn to the
    // right of a pile, is pulled in.
    // Zoomed in, so that the wrapped world does not repeat across the view.
    let fitted = h.state().ui.view.camera;
    let upp = 32.0 / view.width();
    h.state_mut().ui.view.camera.units_per_point = upp;
    h.state_mut().ui.view.camera.center = [127.5 - (view.width() / 2.0 - 4.0) * upp, 64.0];
    h.run();
    assert!(h.state().ui.drawn_piles.contains(&7));
    for r in &h.state().ui.drawn_pile_labels {
        assert!(view.contains_rect(*r), "{r:?} leaves {view:?}");
    }
    h.state_mut().ui.view.camera = fitted;
    // Zoomed out, the two near piles' labels would overlap: the larger one is kept.
    h.state_mut().ui.view.camera.units_per_point *= 8.0;
    h.run();
    let drawn = h.state().ui.drawn_piles.clone();
    assert!(drawn.contains(&6) && !drawn.contains(&4), "{drawn:?}");
    let labels = h.state().ui.drawn_pile_labels.clone();
    for (i, a) in labels.iter().enumerate() {
        for b in &labels[i + 1..] {
            assert!(!a.intersects(*b), "{a:?} covers {b:?}");
        }
    }
}

/// On a 1280 × 720 screen (the window at 90% of it) the dashboard and the Muller plot
/// below it are in view without scrolling.
#[test]
fn the_muller_plot_is_in_view_on_a_small_screen() {
    let mut h = harness_sized(tiny(), egui::vec2(1152.0, 648.0));
    pause_and_step(&mut h, 5);
    let rect = muller_rect(&h);
    assert!(rect.bottom() <= 648.0, "the Muller plot ends at {rect:?}");
}

/// What agents live on is one stacked panel: eating at the bottom, then gifts, births,
/// theft and what bots passed on, each band as thick as its share.
#[test]
fn income_by_source_is_stacked_from_eating_up() {
    let mut h = harness(tiny());
    crafted_history(&mut h, 50, |_, row| {
        set(row, "income_eating", 0.6);
        set(row, "income_gifts", 0.2);
        set(row, "income_births", 0.1);
        set(row, "income_from_bots", 0.1);
    });
    h.get_by_label("What agents live on (share of income)");
    let tops = h.state().ui.charts.drawn_income.clone();
    let want = [0.6, 0.8, 0.9, 0.9, 1.0];
    assert_eq!(tops.len(), 5, "{tops:?}");
    for (got, want) in tops.iter().zip(want) {
        assert!((got - want).abs() < 1e-6, "{tops:?}");
    }
}
