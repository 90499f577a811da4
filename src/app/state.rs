//! What the app's panels share: the UI's own state (not the simulation's), and how a
//! panel reports a failed action in the status bar.

use std::collections::{BTreeSet, HashMap};

use super::dashboard;
use super::session::Session;
use crate::view::ViewSettings;

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
    pub(super) fitted: bool,
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

pub(super) fn report<T>(s: &mut Session, r: anyhow::Result<T>) -> Option<T> {
    match r {
        Ok(v) => Some(v),
        Err(e) => {
            s.warn(format!("{e:#}"));
            None
        }
    }
}

/// The chart panel's settings and what it drew last frame.
pub struct ChartSettings {
    /// The dashboard's smoothing window.
    pub window_ticks: f64,
    /// Columns left out of the small multiples.
    pub hidden: BTreeSet<&'static str>,
    pub filter: String,
    pub compare_path: String,
    /// What the dashboard drew (a panel each) and how many series each small plot drew.
    pub drawn_dashboard: Vec<dashboard::Drawn>,
    pub drawn_plots: Vec<(&'static str, usize)>,
    /// The Muller plot's rect and how many lineage bands it drew.
    pub muller_rect: Option<egui::Rect>,
    /// The income panel's stack at its last row: the top of each source's band.
    pub drawn_income: Vec<f64>,
    pub drawn_lineages: usize,
    /// The Muller plot's time axis in log(1 + tick), so a takeover in the first ticks of a
    /// long run is wide enough to see.
    pub muller_log_time: bool,
    /// The Muller plot's x range as drawn (in its axis units).
    pub drawn_muller_x: Option<(f64, f64)>,
    /// The Muller plot groups the living by founder in a world whose measures count kin
    /// groups.
    pub muller_founders: bool,
}

impl Default for ChartSettings {
    fn default() -> Self {
        Self {
            window_ticks: 1_000.0,
            hidden: BTreeSet::new(),
            filter: String::new(),
            compare_path: String::new(),
            drawn_dashboard: Vec::new(),
            drawn_plots: Vec::new(),
            muller_rect: None,
            drawn_income: Vec::new(),
            drawn_lineages: 0,
            muller_log_time: false,
            drawn_muller_x: None,
            muller_founders: false,
        }
    }
}
