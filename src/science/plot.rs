//! What every figure shares.

use plotters::style::FontStyle;

/// The font every plot draws its text in (egui's default face, so figures need no system
/// font), registered once.
pub fn register_font() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = plotters::style::register_font(
            "sans-serif",
            FontStyle::Normal,
            epaint_default_fonts::UBUNTU_LIGHT,
        );
    });
}
