//! The real app binary in a real window: under Xvfb it opens, simulates, draws the world
//! and the charts, and saves a screenshot; with no display it runs the world headless.
//! Xvfb missing skips the window test unless SILICO_REQUIRE_DISPLAY=1 (CI sets it).

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

struct Xvfb {
    child: Child,
    display: String,
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        // TERM lets Xvfb remove its socket and lock file; KILL only if it lingers.
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(3) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A private X server on a free display number with a `screen` (e.g. "1920x1200x24"), or
/// None (with the reason printed).
fn xvfb(screen: &str) -> Option<Xvfb> {
    let required = common::flag("SILICO_REQUIRE_DISPLAY");
    let found = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join("Xvfb").is_file()))
        .unwrap_or(false);
    if !found {
        assert!(
            !required,
            "SILICO_REQUIRE_DISPLAY is on but Xvfb is not installed (apt-get install xvfb)"
        );
        common::note_skip("Xvfb is not installed (apt-get install xvfb)");
        return None;
    }
    // One server starts at a time: two tests finding the same free number would share a
    // display (and the second server would exit at once).
    static STARTING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = STARTING.lock().unwrap_or_else(|e| e.into_inner());
    let base = 100 + std::process::id() % 400;
    let n = (base..base + 100)
        .find(|n| {
            !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
                && !Path::new(&format!("/tmp/.X{n}-lock")).exists()
        })
        .expect("a free X display number");
    let child = Command::new("Xvfb")
        .arg(format!(":{n}"))
        .args(["-screen", "0", screen, "-nolisten", "tcp"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("Xvfb starts");
    let server = Xvfb {
        child,
        display: format!(":{n}"),
    };
    let socket = PathBuf::from(format!("/tmp/.X11-unix/X{n}"));
    let start = Instant::now();
    while !socket.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "Xvfb did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Some(server)
}

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// The app on the tiny world in `x`'s display for `frames` frames, its last saved as
/// DIR/frame.png; the picture's path and the app's stderr.
fn screenshot(x: &Xvfb, dir: &Path, frames: u32) -> (PathBuf, String) {
    let shot = dir.join("frame.png");
    let out = Command::new(common::silico_bin())
        .current_dir(dir)
        .env("DISPLAY", &x.display)
        .env_remove("WAYLAND_DISPLAY")
        // The app's remembered layout comes from here, never from the tester's own.
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .args(["app", "--config"])
        .arg(repo("configs/tiny.ron"))
        .args(["--exit-after-frames", &frames.to_string(), "--screenshot"])
        .arg(&shot)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "silico app failed: {stderr}");
    (shot, stderr)
}

#[test]
fn the_app_draws_the_world_and_its_charts_in_a_window() {
    // The display requirement first: a machine without Xvfb fails here under
    // SILICO_REQUIRE_DISPLAY whether or not it has a GPU.
    let Some(x) = xvfb("1920x1200x24") else {
        return;
    };
    if common::gpu().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (shot, stderr) = screenshot(&x, dir.path(), 8);
    let img = image::open(&shot)
        .unwrap_or_else(|e| panic!("{} is no PNG: {e}\n{stderr}", shot.display()))
        .to_rgb8();
    let (w, h) = img.dimensions();
    assert!(w >= 800 && h >= 600, "a window-sized frame, got {w}x{h}");

    // Classify the pixels of the world view (right of the chart panel) and of the charts.
    let region = |x0: f32, x1: f32, y0: f32, y1: f32| {
        let (xa, xb) = ((x0 * w as f32) as u32, (x1 * w as f32) as u32);
        let (ya, yb) = ((y0 * h as f32) as u32, (y1 * h as f32) as u32);
        let img = &img;
        (ya..yb).flat_map(move |y| (xa..xb).map(move |x| img.get_pixel(x, y).0))
    };
    let view: Vec<[u8; 3]> = region(0.45, 0.95, 0.1, 0.9).collect();
    let share = |f: &dyn Fn(&[u8; 3]) -> bool| {
        view.iter().filter(|p| f(p)).count() as f64 / view.len() as f64
    };
    let [r, g, b] = [0usize, 1, 2];
    let grass = share(&|p| p[g] > p[r] + 25 && p[g] > p[b] + 25);
    let water = share(&|p| p[b] > p[r] + 40 && p[b] > p[g] + 10);
    let ground = share(&|p| p[r] > p[b] + 25 && p[r] + 10 >= p[g]);
    let classes = [grass, water, ground].iter().filter(|s| **s > 0.01).count();
    assert!(
        classes >= 2,
        "several terrain colours in the view: grass {grass:.3}, water {water:.3}, ground {ground:.3}"
    );
    let mut buckets = std::collections::HashMap::new();
    for p in &view {
        *buckets
            .entry([p[0] / 32, p[1] / 32, p[2] / 32])
            .or_insert(0usize) += 1;
    }
    let colours = buckets.values().filter(|c| **c >= 30).count();
    assert!(
        colours >= 5,
        "a varied terrain, got {colours} colour buckets"
    );
    // Entities: lineage hues and bot colours that the natural terrain palette never has
    // (magenta, purple, red, bright white).
    let entity = share(&|p| {
        (p[r] > 150 && p[b] > 150 && p[g] < 140)
            || (p[r] > 180 && p[g] < 100 && p[b] < 100)
            || (p[r] > 230 && p[g] > 230 && p[b] > 230)
    });
    assert!(
        entity * view.len() as f64 >= 15.0,
        "agent and bot pixels in the view: {entity}"
    );

    // The chart panel: coloured plot lines on a dark background.
    let charts: Vec<[u8; 3]> = region(0.01, 0.22, 0.08, 0.9).collect();
    let coloured = charts
        .iter()
        .filter(|p| p.iter().max().unwrap() - p.iter().min().unwrap() > 60)
        .count();
    assert!(
        coloured >= 300,
        "plot lines in the chart panel: {coloured} coloured pixels"
    );
}

#[test]
fn without_a_display_the_app_runs_the_world_headless() {
    // No GPU needed: without one the headless run takes the CPU engine.
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(common::silico_bin())
        .current_dir(dir.path())
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .args(["app", "--config"])
        .arg(repo("configs/tiny.ron"))
        .args(["--set", "world.map_size=16", "--set", "agents.capacity=16"])
        .args([
            "--set",
            "agents.initial_agents=16",
            "--set",
            "agents.min_agents=4",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("no display") && stderr.contains("headless"),
        "says so: {stderr}"
    );
    let runs: Vec<_> = std::fs::read_dir(dir.path().join("runs"))
        .expect("a run directory")
        .collect();
    assert_eq!(runs.len(), 1);
    let run = runs[0].as_ref().unwrap().path();
    let metrics = std::fs::read_to_string(run.join("metrics.csv")).unwrap();
    assert!(metrics.lines().count() > 1000, "1,000 ticks of metrics");
}

/// On a 1280 x 720 screen the window opens inside it (90% of it), not at its 1600 x 1000.
#[test]
fn the_window_fits_a_small_screen() {
    let Some(x) = xvfb("1280x720x24") else { return };
    if common::gpu().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (shot, _) = screenshot(&x, dir.path(), 3);
    let (w, h) = image::image_dimensions(&shot).unwrap();
    assert!(
        (1100..=1280).contains(&w) && (600..=720).contains(&h),
        "the window is {w}x{h} on a 1280x720 screen"
    );
    // A remembered size is taken when it fits the screen.
    let prefs = dir.path().join("config/silico/app.ron");
    std::fs::create_dir_all(prefs.parent().unwrap()).unwrap();
    std::fs::write(&prefs, "(window_size: Some((1000.0, 600.0)))").unwrap();
    let (shot, _) = screenshot(&x, dir.path(), 3);
    assert_eq!(image::image_dimensions(&shot).unwrap(), (1000, 600));
}
