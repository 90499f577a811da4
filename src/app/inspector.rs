//! The inspector panel: the selected agent's or bot's state, an agent's ancestry, its
//! recurrent state and attention, a bot's program with an editor for a new one.

use egui::{Color32, RichText};

use super::session::Session;
use super::state::{report, UiState};
use crate::world::act as action;

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

/// The inspector panel. Long because egui lays it out in one immediate-mode pass, an
/// agent's or bot's fields in the order they are shown.
pub(super) fn inspector(ui: &mut egui::Ui, s: &mut Session, st: &mut UiState) {
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
