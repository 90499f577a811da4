//! The app's panels: controls, world view, charts, inspector, config, status bar and help.
//! Everything here draws from and acts on a `Session`; the window adds only the frame loop.

use std::collections::HashMap;

use egui::{Color32, RichText};

use super::charts::ChartSettings;
use super::session::{Applied, Selection, Session};
use crate::view::{AgentColors, Camera, Layer, Lines, ViewCallback, ViewSettings};
use crate::world::act as action;

/// The shortcuts, as the help window lists them.
pub const SHORTCUTS: &[(&str, &str)] = &[
    ("Space", "play / pause"),
    (".", "one tick"),
    ("+ / -", "more / fewer ticks per frame"),
    ("F12", "screenshot"),
    ("F", "follow the selected agent"),
    ("Home", "fit the world in the view"),
    ("Esc", "clear the selection"),
    ("F1", "this help"),
    ("drag / wheel", "pan / zoom the world view"),
    ("click", "select an agent or bot"),
];

/// What the UI asks the window to do after the frame.
#[derive(Default, Debug)]
pub struct Requests {
    pub screenshot: bool,
}

/// UI state that is not the simulation's.
pub struct UiState {
    pub view: ViewSettings,
    /// Draw the world view with the GPU (off in UI tests without a renderer).
    pub gpu_view: bool,
    pub follow: bool,
    pub show_help: bool,
    pub show_config: bool,
    pub show_charts: bool,
    pub charts: ChartSettings,
    /// The pile counts the view labelled last frame, and where their labels went.
    pub drawn_piles: Vec<u32>,
    pub drawn_pile_labels: Vec<egui::Rect>,
    pub seed: u64,
    pub checkpoint_path: String,
    pub program_text: String,
    pub program_result: Option<Result<String, String>>,
    /// Config field being edited: its text and, once applied, the outcome.
    pub config_text: HashMap<String, String>,
    pub config_result: HashMap<String, Result<String, String>>,
    pub adapter: String,
    pub software_adapter: bool,
    pub fps: f64,
    pub requests: Requests,
    /// The world view's rect in the last frame (points).
    pub view_rect: Option<egui::Rect>,
    /// Cells across the view when it is next fitted (None: the whole world).
    pub fit_cells: Option<f32>,
    fitted: bool,
}

impl UiState {
    pub fn new(session: &Session, adapter: String, software_adapter: bool) -> Self {
        Self {
            // Fitted to the view's real size in the first frame.
            view: ViewSettings::whole_world(&session.cfg, [800, 800]),
            gpu_view: true,
            follow: false,
            show_help: false,
            show_config: false,
            show_charts: true,
            charts: ChartSettings::default(),
            drawn_piles: Vec::new(),
            drawn_pile_labels: Vec::new(),
            seed: session.cfg.seed,
            checkpoint_path: session
                .out_dir
                .join("app.silico")
                .to_string_lossy()
                .into_owned(),
            program_text: "Rule(110)".into(),
            program_result: None,
            config_text: HashMap::new(),
            config_result: HashMap::new(),
            adapter,
            software_adapter,
            fps: 0.0,
            requests: Requests::default(),
            view_rect: None,
            fit_cells: None,
            fitted: false,
        }
    }
}

/// Draw one frame of the UI and apply what the person did.
pub fn draw(ui: &mut egui::Ui, s: &mut Session, st: &mut UiState) {
    shortcuts(ui.ctx(), s, st);
    egui::Panel::top("controls").show(ui, |ui| controls(ui, s, st));
    egui::Panel::bottom("status").show(ui, |ui| status_bar(ui, s, st));
    if s.selection.is_some() {
        egui::Panel::right("inspector")
            .default_size(330.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| inspector(ui, s, st));
            });
    }
    if st.show_charts {
        egui::Panel::left("charts")
            .default_size(420.0)
            .show(ui, |ui| super::charts::panel(ui, s, &mut st.charts));
    }
    egui::CentralPanel::default()
        .frame(egui::Frame::NONE.fill(Color32::from_rgb(12, 14, 18)))
        .show(ui, |ui| world_view(ui, s, st));
    let ctx = ui.ctx().clone();
    if st.show_config {
        let mut open = true;
        egui::Window::new("Config")
            .open(&mut open)
            .default_width(380.0)
            .vscroll(true)
            .show(&ctx, |ui| config_panel(ui, s, st));
        st.show_config = open;
    }
    if st.show_help {
        let mut open = true;
        egui::Window::new("Help").open(&mut open).show(&ctx, help);
        st.show_help = open;
    }
}

fn report<T>(s: &mut Session, r: anyhow::Result<T>) -> Option<T> {
    match r {
        Ok(v) => Some(v),
        Err(e) => {
            s.warn(format!("{e:#}"));
            None
        }
    }
}

fn shortcuts(ctx: &egui::Context, s: &mut Session, st: &mut UiState) {
    // Keys act only when no text field has the keyboard.
    if ctx.egui_wants_keyboard_input() {
        return;
    }
    let pressed = |k: egui::Key| ctx.input(|i| i.key_pressed(k));
    if pressed(egui::Key::Space) {
        s.playing = !s.playing;
    }
    if pressed(egui::Key::Period) {
        s.playing = false;
        let r = s.step(1).and_then(|_| s.flush());
        report(s, r);
    }
    if pressed(egui::Key::Plus) || pressed(egui::Key::Equals) {
        s.max_speed = false;
        s.ticks_per_frame = (s.ticks_per_frame * 2).min(1024);
    }
    if pressed(egui::Key::Minus) {
        s.max_speed = false;
        s.ticks_per_frame = (s.ticks_per_frame / 2).max(1);
    }
    if pressed(egui::Key::F12) {
        st.requests.screenshot = true;
    }
    if pressed(egui::Key::F1) {
        st.show_help = !st.show_help;
    }
    if pressed(egui::Key::F) {
        st.follow = !st.follow;
    }
    if pressed(egui::Key::Home) {
        st.fitted = false;
    }
    if pressed(egui::Key::Escape) {
        let r = s.select(None);
        report(s, r);
    }
}

fn controls(ui: &mut egui::Ui, s: &mut Session, st: &mut UiState) {
    ui.horizontal_wrapped(|ui| {
        let label = if s.playing { "Pause" } else { "Play" };
        if ui.button(label).on_hover_text("Space").clicked() {
            s.playing = !s.playing;
        }
        if ui.button("Step").on_hover_text("one tick (.)").clicked() {
            s.playing = false;
            let r = s.step(1).and_then(|_| s.flush());
            report(s, r);
        }
        ui.separator();
        let label = ui.label("ticks/frame");
        ui.add_enabled(
            !s.max_speed,
            egui::DragValue::new(&mut s.ticks_per_frame)
                .range(1..=4096)
                .speed(0.5),
        )
        .labelled_by(label.id);
        ui.checkbox(&mut s.max_speed, "max")
            .on_hover_text("as many ticks per frame as keep the UI near 30 fps");
        ui.separator();
        let label = ui.label("seed");
        ui.add(egui::DragValue::new(&mut st.seed))
            .labelled_by(label.id);
        if ui
            .button("Reset")
            .on_hover_text("a new world from tick 0 with this seed, taking pending config edits")
            .clicked()
        {
            let r = s.reset(st.seed);
            report(s, r);
            st.fitted = false;
        }
        ui.separator();
        ui.add(egui::TextEdit::singleline(&mut st.checkpoint_path).desired_width(160.0))
            .on_hover_text("checkpoint file for Save / Load");
        if ui.button("Save").clicked() {
            let path = std::path::PathBuf::from(&st.checkpoint_path);
            let r = s.save_checkpoint(&path);
            if let Some(kept) = report(s, r) {
                s.inform(saved_message(&path, kept.as_deref()));
            }
        }
        if ui.button("Load").clicked() {
            let path = std::path::PathBuf::from(&st.checkpoint_path);
            let r = s.load_checkpoint(&path);
            if let Some(()) = report(s, r) {
                st.seed = s.cfg.seed;
                st.fitted = false;
                st.config_text.clear();
                st.config_result.clear();
            }
        }
        if ui
            .button("Open…")
            .on_hover_text("choose a checkpoint to load")
            .clicked()
        {
            if let Some(p) = rfd::FileDialog::new()
                .add_filter("checkpoint", &["silico"])
                .pick_file()
            {
                st.checkpoint_path = p.to_string_lossy().into_owned();
                let r = s.load_checkpoint(&p);
                if let Some(()) = report(s, r) {
                    st.seed = s.cfg.seed;
                    st.fitted = false;
                }
            }
        }
        if ui
            .button("Save as…")
            .on_hover_text("choose where to save a checkpoint")
            .clicked()
        {
            if let Some(p) = rfd::FileDialog::new()
                .add_filter("checkpoint", &["silico"])
                .set_file_name(format!("tick{}.silico", s.tick()))
                .save_file()
            {
                st.checkpoint_path = p.to_string_lossy().into_owned();
                let r = s.save_checkpoint(&p);
                if let Some(kept) = report(s, r) {
                    s.inform(saved_message(&p, kept.as_deref()));
                }
            }
        }
        ui.separator();
        if ui
            .button("Screenshot")
            .on_hover_text("screenshot (F12)")
            .clicked()
        {
            st.requests.screenshot = true;
        }
        ui.separator();
        let label = ui.label("layer");
        egui::ComboBox::from_id_salt("layer")
            .selected_text(st.view.layer.label())
            .show_ui(ui, |ui| {
                for l in Layer::ALL {
                    ui.selectable_value(&mut st.view.layer, l, l.label());
                }
            })
            .response
            .labelled_by(label.id);
        let label = ui.label("agents by");
        egui::ComboBox::from_id_salt("agent colours")
            .selected_text(st.view.agent_colors.label())
            .show_ui(ui, |ui| {
                for c in AgentColors::ALL {
                    ui.selectable_value(&mut st.view.agent_colors, c, c.label());
                }
            })
            .response
            .labelled_by(label.id);
        let label = ui.label("lines");
        egui::ComboBox::from_id_salt("lines")
            .selected_text(st.view.lines.label())
            .show_ui(ui, |ui| {
                for l in Lines::ALL {
                    ui.selectable_value(&mut st.view.lines, l, l.label());
                }
            })
            .response
            .labelled_by(label.id);
        ui.toggle_value(&mut st.view.show_agents, "agents");
        ui.toggle_value(&mut st.view.show_bots, "bots");
        ui.toggle_value(&mut st.show_charts, "charts");
        ui.toggle_value(&mut st.show_config, "config");
        ui.toggle_value(&mut st.show_help, "help");
    });
}

fn status_bar(ui: &mut egui::Ui, s: &mut Session, st: &mut UiState) {
    ui.horizontal(|ui| {
        let population = s
            .history
            .last(1)
            .map_or("?".to_string(), |p| format!("{p:.0}"));
        ui.label(format!(
            "tick {}   {:.1} ticks/s   {:.0} fps   population {population}   {}",
            s.tick(),
            s.ticks_per_s,
            st.fps,
            if s.playing { "running" } else { "paused" },
        ));
        ui.separator();
        if st.software_adapter {
            ui.label(RichText::new(&st.adapter).color(Color32::from_rgb(240, 180, 60)))
                .on_hover_text("a software rasteriser: the simulation runs, slowly");
        } else {
            ui.label(&st.adapter);
        }
        if let Some(n) = &s.notice {
            ui.separator();
            if n.problem {
                ui.label(RichText::new(&n.text).color(Color32::from_rgb(255, 140, 120)));
            } else {
                ui.label(&n.text);
            }
        }
    });
}

fn world_view(ui: &mut egui::Ui, s: &mut Session, st: &mut UiState) {
    let (rect, response) =
        ui.allocate_exact_size(ui.available_size(), egui::Sense::click_and_drag());
    st.view_rect = Some(rect);
    let world_size = s.cfg.world_size();
    if !st.fitted {
        let span = st
            .fit_cells
            .take()
            .map_or(world_size, |c| c * s.cfg.world.cell_size);
        st.view.camera = Camera::fit(span, [rect.width(), rect.height()]);
        st.view.camera.center = [world_size * 0.5, world_size * 0.5];
        st.fitted = true;
    }
    if response.dragged() {
        st.view.camera.pan_points(response.drag_delta(), world_size);
        st.follow = false;
    }
    if response.hovered() {
        let scroll = ui.input(|i| i.smooth_scroll_delta.y);
        let zoom = ui.input(|i| i.zoom_delta()) * (scroll / 200.0).exp();
        if (zoom - 1.0).abs() > 1e-4 {
            let anchor = response.hover_pos().unwrap_or(rect.center());
            st.view.camera.zoom_about(rect, anchor, zoom, &s.cfg);
        }
    }
    if response.clicked() {
        if let Some(p) = response.interact_pointer_pos() {
            let at = st.view.camera.world_at(rect, p, world_size);
            // Generous in a zoomed-out view, a cell when zoomed in.
            let radius = (12.0 * st.view.camera.units_per_point).max(s.cfg.world.cell_size);
            let r = s.select_at(at, radius);
            if let Some(sel) = report(s, r) {
                if sel.is_none() {
                    st.follow = false;
                }
            }
        }
    }
    if st.follow {
        if let Some(a) = &s.agent_view {
            st.view.camera.center = a.agent.pos;
        }
    }
    st.view.selected_agent = match s.selection {
        Some(Selection::Agent(i)) => Some(i),
        _ => None,
    };
    st.view.selected_bot = match s.selection {
        Some(Selection::Bot(i)) => Some(i),
        _ => None,
    };
    st.view.highlight_lineage = s.highlight_lineage;
    st.view.highlights = s.agent_view.as_ref().map_or(Vec::new(), |a| {
        // Mark what the agent attends to: per neighbour, its largest weight over heads.
        a.neighbors
            .iter()
            .enumerate()
            .map(|(k, &slot)| {
                let w = a
                    .attention
                    .iter()
                    .map(|head| head.get(k).copied().unwrap_or(0.0))
                    .fold(0.0f32, f32::max);
                (slot, if a.attention.is_empty() { 0.0 } else { w })
            })
            .collect()
    });
    if st.gpu_view {
        ui.painter().add(egui_wgpu::Callback::new_paint_callback(
            rect,
            ViewCallback::new(&st.view, &s.cfg, rect),
        ));
    } else {
        ui.painter().text(
            rect.center(),
            egui::Align2::CENTER_CENTER,
            "world view",
            egui::FontId::default(),
            Color32::GRAY,
        );
    }
    // A pile of agents on one spot looks like one disc: say how many it is.
    s.update_piles();
    st.drawn_piles.clear();
    let painter = ui.painter_at(rect);
    let cam = st.view.camera;
    let wrap = |d: f32| (d + 0.5 * world_size).rem_euclid(world_size) - 0.5 * world_size;
    // The largest piles are labelled first; a label that would cover another is left out,
    // and labels stay inside the view.
    let mut piles = s.piles.clone();
    piles.sort_by_key(|p| std::cmp::Reverse(p.1));
    st.drawn_pile_labels.clear();
    for (pos, n) in &piles {
        let at = rect.center()
            + egui::vec2(
                wrap(pos[0] - cam.center[0]) / cam.units_per_point,
                wrap(pos[1] - cam.center[1]) / cam.units_per_point,
            );
        if !rect.contains(at) {
            continue;
        }
        let label = painter.layout_no_wrap(
            n.to_string(),
            egui::FontId::proportional(11.0),
            Color32::WHITE,
        );
        let size = label.size();
        let corner = egui::pos2(
            (at.x + 6.0).min(rect.right() - size.x - 3.0),
            (at.y - 6.0 - size.y).max(rect.top() + 3.0),
        );
        let back = egui::Rect::from_min_size(corner, size).expand(2.0);
        if st.drawn_pile_labels.iter().any(|r| r.intersects(back)) {
            continue;
        }
        painter.rect_filled(back, 3.0, Color32::from_black_alpha(170));
        painter.galley(corner, label, Color32::WHITE);
        st.drawn_piles.push(*n);
        st.drawn_pile_labels.push(back);
    }
    // A scale bar, so a screenshot says how big things are.
    let cells = nice_cells(80.0 * st.view.camera.units_per_point / s.cfg.world.cell_size);
    let len_points = cells * s.cfg.world.cell_size / st.view.camera.units_per_point;
    let y = rect.bottom() - 14.0;
    let x = rect.left() + 14.0;
    let painter = ui.painter_at(rect);
    painter.line_segment(
        [egui::pos2(x, y), egui::pos2(x + len_points, y)],
        egui::Stroke::new(3.0, Color32::WHITE),
    );
    painter.text(
        egui::pos2(x, y - 4.0),
        egui::Align2::LEFT_BOTTOM,
        format!("{cells} cells"),
        egui::FontId::proportional(12.0),
        Color32::WHITE,
    );
}

fn nice_cells(want: f32) -> f32 {
    let p = 10f32.powf(want.max(1e-3).log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * p)
        .find(|v| *v >= want)
        .unwrap_or(10.0 * p)
        .max(1.0)
}

fn bars(ui: &mut egui::Ui, id: &str, values: &[f32], range: f32) {
    let height = 36.0;
    let width = ui.available_width().min(300.0);
    let (rect, resp) = ui.allocate_exact_size(egui::vec2(width, height), egui::Sense::hover());
    let p = ui.painter_at(rect);
    p.rect_filled(rect, 2.0, Color32::from_gray(30));
    let n = values.len().max(1) as f32;
    let w = rect.width() / n;
    let mid = rect.center().y;
    for (i, v) in values.iter().enumerate() {
        let h = (v / range).clamp(-1.0, 1.0) * (height * 0.5 - 1.0);
        let x = rect.left() + i as f32 * w;
        let color = if *v >= 0.0 {
            Color32::from_rgb(90, 180, 250)
        } else {
            Color32::from_rgb(250, 130, 90)
        };
        p.rect_filled(
            egui::Rect::from_two_pos(egui::pos2(x + 1.0, mid), egui::pos2(x + w - 1.0, mid - h)),
            0.0,
            color,
        );
    }
    p.line_segment(
        [egui::pos2(rect.left(), mid), egui::pos2(rect.right(), mid)],
        egui::Stroke::new(1.0, Color32::from_gray(90)),
    );
    resp.on_hover_ui(|ui| {
        ui.label(format!(
            "{id}: {}",
            values
                .iter()
                .map(|v| format!("{v:.2}"))
                .collect::<Vec<_>>()
                .join(" ")
        ));
    });
}

/// The agent's parent chain up to its lineage's founder, as far as it was recorded.
fn ancestry(ui: &mut egui::Ui, s: &Session, id: u64) {
    const SHOWN: usize = 12;
    egui::CollapsingHeader::new("ancestry")
        .default_open(true)
        .show(ui, |ui| {
            let Some(a) = s.family.groups.ancestry(id) else {
                ui.label(RichText::new("not recorded").weak());
                return;
            };
            let n = a.chain.len();
            egui::Grid::new("ancestry").num_columns(3).show(ui, |ui| {
                for (k, (ind, m)) in a.chain.iter().enumerate() {
                    if k == SHOWN && n > SHOWN + 1 {
                        ui.label(format!("… {} more", n - SHOWN - 1));
                        ui.end_row();
                    }
                    if k >= SHOWN && k + 1 < n {
                        continue;
                    }
                    let who = match (k, m.parent.is_none()) {
                        (0, _) => "this agent".to_string(),
                        (_, true) => "founder".to_string(),
                        (1, _) => "parent".to_string(),
                        _ => format!("ancestor −{k}"),
                    };
                    ui.label(who);
                    ui.label(format!("gen {}, born tick {}", m.generation, m.birth_tick));
                    ui.label(RichText::new(format!("{ind:016x}")).small().monospace());
                    ui.end_row();
                }
            });
            if a.cut {
                ui.label(
                    RichText::new("earlier ancestors were born before this session recorded them")
                        .weak()
                        .small(),
                );
            }
        });
}

fn inspector(ui: &mut egui::Ui, s: &mut Session, st: &mut UiState) {
    if ui.button("Close").clicked() {
        let r = s.select(None);
        report(s, r);
        return;
    }
    if let Some(a) = s.agent_view.clone() {
        ui.heading(format!("Agent {}", a.slot));
        ui.checkbox(&mut st.follow, "follow (F)");
        let ag = &a.agent;
        egui::Grid::new("agent").num_columns(2).show(ui, |ui| {
            let mut row = |k: &str, v: String| {
                ui.label(k);
                ui.label(v);
                ui.end_row();
            };
            row("alive", (ag.alive != 0).to_string());
            row("energy", format!("{:.2}", ag.energy));
            row("age", format!("{:.0}", ag.age));
            row("generation", ag.generation.to_string());
            row("id", format!("{:08x}{:08x}", ag.lineage_hi, ag.lineage_lo));
            row(
                "lineage (founder)",
                format!("{:08x}{:08x}", ag.founder[1], ag.founder[0]),
            );
            row(
                "parent",
                format!("{:08x}{:08x}", ag.parent_hi, ag.parent_lo),
            );
            row("position", format!("({:.1}, {:.1})", ag.pos[0], ag.pos[1]));
            row("sees", format!("{} agents", a.neighbors.len()));
        });
        ancestry(ui, s, crate::lineage::id64([ag.lineage_lo, ag.lineage_hi]));
        ui.label("self message (sent)");
        bars(ui, "self message", &ag.self_message, 1.0);
        ui.label("other message (sent to others)");
        bars(ui, "other message", &ag.other_message, 1.0);
        ui.label("last action");
        egui::Grid::new("actions").num_columns(2).show(ui, |ui| {
            let act = &a.actions;
            let mut row = |k: &str, i: usize| {
                ui.label(k);
                ui.label(format!("{:+.3}", act.get(i).copied().unwrap_or(0.0)));
                ui.end_row();
            };
            row("move x", action::MOVE_X);
            row("move y", action::MOVE_Y);
            row("push", action::PUSH);
            row("eat", action::EAT);
            row("reproduce", action::REPRODUCE);
            row("hit", action::HIT);
            row("gate", action::GATE);
        });
        ui.label("terraform (gain, move, push, message, reproduce)");
        bars(
            ui,
            "terraform",
            a.actions
                .get(action::TERRAFORM..action::TERRAFORM + 5)
                .unwrap_or(&[]),
            1.0,
        );
        if !a.brain_state.is_empty() {
            ui.label(format!("recurrent state ({} values)", a.brain_state.len()));
            bars(ui, "recurrent state", &a.brain_state, 1.0);
        }
        if a.attention.is_empty() {
            ui.label(
                RichText::new("attention weights: only the JaxLife brain attends")
                    .weak()
                    .small(),
            );
        } else {
            ui.label("attention per head over the entities it saw (agents, then bots), each head scaled to its largest weight; the agents it attends to are ringed in the view");
            for (h, w) in a.attention.iter().enumerate() {
                let most = w.iter().copied().fold(1e-6f32, f32::max);
                ui.label(RichText::new(format!("head {h} (max {most:.2})")).small());
                bars(ui, &format!("head {h}"), w, most);
            }
        }
    }
    if let Some(b) = s.bot_view.clone() {
        ui.heading(format!("Bot {}", b.slot));
        egui::Grid::new("bot").num_columns(2).show(ui, |ui| {
            ui.label("energy");
            ui.label(format!("{:.2}", b.bot.energy));
            ui.end_row();
            ui.label("position");
            ui.label(format!("({:.1}, {:.1})", b.bot.pos[0], b.bot.pos[1]));
            ui.end_row();
            ui.label("operation");
            ui.label(b.op.name());
            ui.end_row();
            ui.label("spent this tick");
            ui.label(format!("{:.3}", b.tick.cost));
            ui.end_row();
        });
        ui.label("program and memory");
        ui.label(RichText::new(&b.disassembly).monospace().small());
        ui.label("memory");
        bars(ui, "memory", &b.bot.memory, 1.0);
        ui.separator();
        ui.label("write a program (runs from the next tick):");
        ui.add(egui::TextEdit::singleline(&mut st.program_text).code_editor())
            .on_hover_text("Rule(110), Op(Copy), Op(Nand), Raw([16 numbers])");
        if ui.button("Write program").clicked() {
            st.program_result = Some(
                s.write_program(b.slot, &st.program_text)
                    .map(|_| "written".to_string()),
            );
        }
        match &st.program_result {
            Some(Ok(m)) => {
                ui.label(RichText::new(m).color(Color32::LIGHT_GREEN));
            }
            Some(Err(e)) => {
                ui.label(RichText::new(e).color(Color32::from_rgb(255, 120, 110)));
            }
            None => {}
        }
    }
}

/// Every config field as `path = value` text; Enter applies it like `--set path=value`.
fn config_panel(ui: &mut egui::Ui, s: &mut Session, st: &mut UiState) {
    ui.label(
        RichText::new(
            "Enter applies a field. Costs, rates and mutation apply at the next tick; \
             structural fields (map size, capacity, brain, ...) wait for Reset.",
        )
        .small(),
    );
    if let Some(p) = &s.pending {
        ui.label(
            RichText::new(format!(
                "pending until Reset: {}",
                s.cfg.structural_differences(p).join("; ")
            ))
            .color(Color32::from_rgb(240, 200, 90)),
        );
    }
    let shown = s.pending.clone().unwrap_or_else(|| s.cfg.clone());
    let fields = config_fields(&shown);
    let mut section = String::new();
    for (path, value) in fields {
        let top = path.split('.').next().unwrap_or("").to_string();
        if top != section {
            ui.separator();
            ui.label(RichText::new(&top).strong());
            section = top;
        }
        ui.horizontal(|ui| {
            let label = ui.label(&path);
            let text = st
                .config_text
                .entry(path.clone())
                .or_insert_with(|| value.clone());
            let r = ui
                .add(egui::TextEdit::singleline(text).desired_width(120.0))
                .labelled_by(label.id);
            if r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                let outcome = edit_config(s, &path, text);
                if outcome.is_ok() {
                    st.seed = s.pending.as_ref().unwrap_or(&s.cfg).seed;
                }
                st.config_result.insert(path.clone(), outcome);
            }
        });
        match st.config_result.get(&path) {
            Some(Ok(m)) => {
                ui.label(RichText::new(m).small().color(Color32::LIGHT_GREEN));
            }
            Some(Err(e)) => {
                ui.label(
                    RichText::new(e)
                        .small()
                        .color(Color32::from_rgb(255, 120, 110)),
                );
            }
            None => {}
        }
    }
}

/// Apply `path = text` to the config the person is editing; the message says what happened.
pub fn edit_config(s: &mut Session, path: &str, text: &str) -> Result<String, String> {
    let base = s.pending.clone().unwrap_or_else(|| s.cfg.clone());
    let new = base
        .with_overrides(&[format!("{path}={}", text.trim())])
        .map_err(|e| e.to_string())?;
    match s.apply_config(new) {
        Ok(Applied::Live) => Ok("applied from the next tick".into()),
        Ok(Applied::OnReset(why)) => Ok(format!("applies on Reset ({})", why.join("; "))),
        Err(errs) => Err(errs.join("; ")),
    }
}

/// The config's scalar fields as (dotted path, RON text). Collections (scenario, per-layer
/// σ) are left to the file.
pub fn config_fields(cfg: &crate::config::Config) -> Vec<(String, String)> {
    let value = serde_json::to_value(cfg).unwrap_or_default();
    let mut out = Vec::new();
    flatten("", &value, &mut out);
    out
}

fn flatten(prefix: &str, v: &serde_json::Value, out: &mut Vec<(String, String)>) {
    use serde_json::Value;
    match v {
        Value::Object(map) if !is_enum(v) => {
            for (k, child) in map {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                if path == "scenario" || matches!(child, Value::Array(_)) {
                    continue;
                }
                if let Value::Object(m) = child {
                    if !is_enum(child)
                        && m.keys().any(|k| {
                            !k.chars()
                                .all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit())
                        })
                    {
                        continue;
                    }
                    if m.is_empty() {
                        continue;
                    }
                }
                flatten(&path, child, out);
            }
        }
        _ => out.push((prefix.to_string(), ron_text(v))),
    }
}

/// An externally tagged enum variant with fields: `{"JaxLife": {...}}`.
fn is_enum(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Object(m) => {
            m.len() == 1
                && m.keys()
                    .all(|k| k.starts_with(|c: char| c.is_ascii_uppercase()))
        }
        _ => false,
    }
}

fn ron_text(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        // Strings in the config are unit enum variants (`Perlin`, `Linear`).
        Value::String(s) => s.clone(),
        Value::Object(m) if is_enum(v) => {
            let (name, inner) = m.iter().next().expect("one variant");
            match inner {
                Value::Object(fields) => format!(
                    "{name}({})",
                    fields
                        .iter()
                        .map(|(k, x)| format!("{k}: {}", ron_text(x)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                other => format!("{name}({})", ron_text(other)),
            }
        }
        Value::Number(n) if n.is_f64() => {
            let f = n.as_f64().unwrap_or(0.0);
            // RON needs a decimal point to read a float field.
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{f:.1}")
            } else {
                f.to_string()
            }
        }
        other => other.to_string(),
    }
}

fn help(ui: &mut egui::Ui) {
    egui::Grid::new("keys").num_columns(2).show(ui, |ui| {
        for (k, what) in SHORTCUTS {
            ui.label(RichText::new(*k).monospace().strong());
            ui.label(*what);
            ui.end_row();
        }
    });
    ui.separator();
    ui.label("Bots are diamonds coloured by their operation: copy white, keep orange, product cyan, multiply-add red, xor violet, nand yellow, rule table green.");
    ui.label("Agents are discs coloured by lineage, energy or message (toolbar).");
}

/// The status line after a save, naming where an older file of that name was kept.
fn saved_message(path: &std::path::Path, kept: Option<&std::path::Path>) -> String {
    match kept {
        Some(old) => format!(
            "saved {} (the file there before is kept as {})",
            path.display(),
            old.display()
        ),
        None => format!("saved {}", path.display()),
    }
}
