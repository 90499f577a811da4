//! What the app's panels share: the UI's own state (not the simulation's), and how a
//! panel reports a failed action in the status bar.

use std::collections::HashMap;

use super::charts::ChartSettings;
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
