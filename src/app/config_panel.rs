//! The config panel: every field of the world's config, editable; a field that changes
//! the world's structure waits for a reset.

use egui::{Color32, RichText};

use super::session::{Applied, Session};
use super::state::UiState;

/// Every config field as `path = value` text; Enter applies it like `--set path=value`.
pub(super) fn config_panel(ui: &mut egui::Ui, s: &mut Session, st: &mut UiState) {
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
