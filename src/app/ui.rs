//! The app's panels: controls, world view, charts, inspector, config, status bar and help.
//! Everything here draws from and acts on a `Session`; the window adds only the frame loop.

use egui::{Color32, RichText};

use super::session::{Selection, Session};
use super::state::report;
pub use super::state::{Requests, UiState};
use crate::view::{AgentColors, Camera, Layer, Lines, ViewCallback};

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

/// Draw one frame of the UI and apply what the person did.
pub fn draw(ui: &mut egui::Ui, s: &mut Session, st: &mut UiState) {
    shortcuts(ui.ctx(), s, st);
    egui::Panel::top("controls").show(ui, |ui| controls(ui, s, st));
    egui::Panel::bottom("status").show(ui, |ui| status_bar(ui, s, st));
    if s.selection.is_some() {
        egui::Panel::right("inspector")
            .default_size(330.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| super::inspector::inspector(ui, s, st));
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
            .show(&ctx, |ui| super::config_panel::config_panel(ui, s, st));
        st.show_config = open;
    }
    if st.show_help {
        let mut open = true;
        egui::Window::new("Help").open(&mut open).show(&ctx, help);
        st.show_help = open;
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

/// The toolbar. Long because egui lays it out in one immediate-mode pass, each control
/// beside what it changes.
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

/// The world view. Long because egui lays out and handles input in one immediate-mode
/// pass (the picture, pile labels, selection, dragging and zoom share one response).
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

pub use super::config_panel::{config_fields, edit_config};
