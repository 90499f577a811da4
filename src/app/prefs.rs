//! What the app remembers between sessions: the window's size and how its panels and
//! agents were shown. Kept in `$XDG_CONFIG_HOME/silico/app.ron` (else
//! `~/.config/silico/app.ron`), written when the window is closed by the person (not by
//! `--exit-after-frames`), read when it opens; a missing or unreadable file means the
//! defaults.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use super::state::UiState;
use crate::view::AgentColors;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Prefs {
    /// The window's inner size in logical points.
    pub window_size: Option<[f64; 2]>,
    pub show_charts: bool,
    pub show_config: bool,
    pub show_agents: bool,
    pub show_bots: bool,
    pub agent_colors: AgentColors,
}

impl Default for Prefs {
    fn default() -> Self {
        Self {
            window_size: None,
            show_charts: true,
            show_config: false,
            show_agents: true,
            show_bots: true,
            agent_colors: AgentColors::Lineage,
        }
    }
}

impl Prefs {
    /// Where they are kept, or None without a home.
    pub fn path() -> Option<PathBuf> {
        let config = std::env::var_os("XDG_CONFIG_HOME")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
        Some(config.join("silico").join("app.ron"))
    }

    /// The remembered preferences, or the defaults when there are none to read.
    pub fn load(path: &Path) -> Self {
        std::fs::read_to_string(path)
            .ok()
            .and_then(|text| ron::from_str(&text).ok())
            .unwrap_or_default()
    }

    pub fn save(&self, path: &Path) -> Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let text = ron::ser::to_string_pretty(self, Default::default())?;
        std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
    }

    /// What the UI shows now, in a window of `window_size` points.
    pub fn of(st: &UiState, window_size: [f64; 2]) -> Self {
        Self {
            window_size: Some(window_size),
            show_charts: st.show_charts,
            show_config: st.show_config,
            show_agents: st.view.show_agents,
            show_bots: st.view.show_bots,
            agent_colors: st.view.agent_colors,
        }
    }

    /// Show the panels and agents as remembered.
    pub fn apply(&self, st: &mut UiState) {
        st.show_charts = self.show_charts;
        st.show_config = self.show_config;
        st.view.show_agents = self.show_agents;
        st.view.show_bots = self.show_bots;
        st.view.agent_colors = self.agent_colors;
    }

    /// The window's first size: the remembered one, else 1600 × 1000, in either case at
    /// most 90% of the screen (a 1280 × 720 laptop gets at most 1152 × 648), so it never
    /// opens larger than the screen, and at least 640 × 400.
    pub fn first_size(&self, screen: Option<[f64; 2]>) -> [f64; 2] {
        let [mut w, mut h] = self.window_size.unwrap_or([1600.0, 1000.0]);
        if let Some([sw, sh]) = screen {
            w = w.min(0.9 * sw);
            h = h.min(0.9 * sh);
        }
        [w.max(640.0), h.max(400.0)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preferences_round_trip_and_a_bad_file_means_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("silico").join("app.ron");
        assert_eq!(Prefs::load(&path), Prefs::default(), "none yet");
        let kept = Prefs {
            window_size: Some([1000.0, 620.0]),
            show_charts: false,
            show_config: true,
            show_agents: true,
            show_bots: false,
            agent_colors: AgentColors::Energy,
        };
        kept.save(&path).unwrap();
        assert_eq!(Prefs::load(&path), kept);
        std::fs::write(&path, "(window_size: oops").unwrap();
        assert_eq!(Prefs::load(&path), Prefs::default());
        // Fields a newer build added are taken at their defaults.
        std::fs::write(&path, "(show_charts: false)").unwrap();
        assert_eq!(
            Prefs::load(&path),
            Prefs {
                show_charts: false,
                ..Prefs::default()
            }
        );
    }

    #[test]
    fn the_first_size_is_the_remembered_one_within_the_screen() {
        let fresh = Prefs::default();
        assert_eq!(fresh.first_size(None), [1600.0, 1000.0]);
        assert_eq!(fresh.first_size(Some([1280.0, 720.0])), [1152.0, 648.0]);
        let kept = Prefs {
            window_size: Some([1000.0, 620.0]),
            ..Prefs::default()
        };
        assert_eq!(kept.first_size(Some([1920.0, 1080.0])), [1000.0, 620.0]);
        assert_eq!(kept.first_size(Some([1024.0, 600.0])), [921.6, 540.0]);
        let tiny = Prefs {
            window_size: Some([100.0, 50.0]),
            ..Prefs::default()
        };
        assert_eq!(tiny.first_size(None), [640.0, 400.0]);
    }
}
