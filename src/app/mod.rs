//! The desktop app: a winit window whose wgpu device is the simulation's own, egui panels
//! around a world view drawn from the simulation's buffers, live charts and an inspector.

pub mod charts;
pub mod config_panel;
pub mod dashboard;
pub mod family;
pub mod history;
pub mod inspector;
pub mod prefs;
pub mod session;
pub mod shares;
pub mod state;
pub mod ui;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{anyhow, Context as _, Result};
use winit::application::ApplicationHandler;
use winit::event::WindowEvent;
use winit::event_loop::{ActiveEventLoop, EventLoop};
use winit::window::{Window, WindowId};

use crate::config::Config;
use crate::gpu::GpuContext;
use crate::view::{self, ViewRenderer};
use session::Session;
use ui::UiState;

/// `silico app`'s options.
#[derive(Clone, Debug, Default)]
pub struct AppOptions {
    pub config: Config,
    /// Start from this checkpoint instead of a new world.
    pub checkpoint: Option<PathBuf>,
    /// Close after this many frames (for smoke tests and scripted screenshots).
    pub exit_after_frames: Option<u64>,
    /// Save the last frame (with --exit-after-frames) or the first F12 here.
    pub screenshot: Option<PathBuf>,
    /// Which engine simulates (`auto`: the window's GPU if it is a hardware one, else the
    /// CPU engine); the window always draws with the GPU.
    pub backend: crate::batch::BackendChoice,
    /// Open with this agent or bot selected, followed and zoomed in on.
    pub select: Option<session::Selection>,
    /// Interaction lines to start with.
    pub lines: view::Lines,
    pub layer: view::Layer,
    /// Another run's metrics to draw dashed and read the dashboard against.
    pub compare: Option<PathBuf>,
}

/// Why the app could not open a window at all (the caller may run headless instead).
#[derive(Debug, thiserror::Error)]
#[error("no display: {0}")]
pub struct NoDisplay(pub String);

/// Whether a window system is reachable; winit would otherwise panic or fail deep inside.
pub fn display_available() -> Result<(), NoDisplay> {
    #[cfg(all(unix, not(target_os = "macos")))]
    {
        let x = std::env::var_os("DISPLAY").is_some_and(|d| !d.is_empty());
        let wayland = std::env::var_os("WAYLAND_DISPLAY").is_some_and(|d| !d.is_empty());
        if !x && !wayland {
            return Err(NoDisplay(
                "neither DISPLAY nor WAYLAND_DISPLAY is set (a server, or ssh without -X)".into(),
            ));
        }
    }
    Ok(())
}

/// Open the window and run until it is closed (or `exit_after_frames` frames are drawn).
pub fn run(opts: AppOptions) -> Result<()> {
    display_available()?;
    crate::gpu::context::prepare_mesa_env();
    let event_loop = EventLoop::new().map_err(|e| NoDisplay(e.to_string()))?;
    let mut app = App {
        opts,
        running: None,
        error: None,
    };
    event_loop
        .run_app(&mut app)
        .map_err(|e| anyhow!("the window's event loop failed: {e}"))?;
    match app.error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

struct App {
    opts: AppOptions,
    running: Option<Running>,
    error: Option<anyhow::Error>,
}

struct Running {
    window: Arc<Window>,
    surface: wgpu::Surface<'static>,
    surface_config: wgpu::SurfaceConfiguration,
    ctx: GpuContext,
    egui: egui_winit::State,
    renderer: egui_wgpu::Renderer,
    session: Session,
    ui: UiState,
    /// The session's world the view's bind group points at.
    attached: u64,
    frames: u64,
    last_frame: Instant,
    last_frame_s: f64,
    screenshots: u64,
}

impl ApplicationHandler for App {
    fn resumed(&mut self, event_loop: &ActiveEventLoop) {
        if self.running.is_some() {
            return;
        }
        match Running::new(event_loop, &self.opts) {
            Ok(r) => {
                r.window.request_redraw();
                self.running = Some(r);
            }
            Err(e) => {
                self.error = Some(e);
                event_loop.exit();
            }
        }
    }

    fn window_event(&mut self, event_loop: &ActiveEventLoop, _id: WindowId, event: WindowEvent) {
        let Some(r) = &mut self.running else {
            return;
        };
        let consumed = r.egui.on_window_event(&r.window, &event);
        match event {
            WindowEvent::CloseRequested => {
                // Closed by the person: remember the window as they left it.
                let size = r
                    .window
                    .inner_size()
                    .to_logical::<f64>(r.window.scale_factor());
                let kept = prefs::Prefs::of(&r.ui, [size.width, size.height]);
                if let Some(path) = prefs::Prefs::path() {
                    if let Err(e) = kept.save(&path) {
                        eprintln!("silico: the window's layout is not remembered: {e:#}");
                    }
                }
                event_loop.exit()
            }
            WindowEvent::Resized(size) => r.resize(size.width, size.height),
            WindowEvent::RedrawRequested => match r.frame(&self.opts) {
                Ok(true) => event_loop.exit(),
                Ok(false) => r.window.request_redraw(),
                Err(e) => {
                    self.error = Some(e);
                    event_loop.exit();
                }
            },
            _ => {
                if consumed.repaint {
                    r.window.request_redraw();
                }
            }
        }
    }

    fn about_to_wait(&mut self, _event_loop: &ActiveEventLoop) {
        if let Some(r) = &self.running {
            r.window.request_redraw();
        }
    }
}

/// The screen's size in logical points, where winit names one. X servers without RandR
/// name no primary monitor: any monitor will do.
fn screen_size(event_loop: &ActiveEventLoop) -> Option<[f64; 2]> {
    let m = event_loop
        .primary_monitor()
        .or_else(|| event_loop.available_monitors().next())?;
    let screen = m.size().to_logical::<f64>(m.scale_factor());
    Some([screen.width, screen.height])
}

impl Running {
    fn new(event_loop: &ActiveEventLoop, opts: &AppOptions) -> Result<Self> {
        let prefs = prefs::Prefs::path()
            .map(|p| prefs::Prefs::load(&p))
            .unwrap_or_default();
        let window = Arc::new(
            event_loop
                .create_window(
                    Window::default_attributes()
                        .with_title("Silico")
                        .with_inner_size({
                            let [w, h] = prefs.first_size(screen_size(event_loop));
                            winit::dpi::LogicalSize::new(w, h)
                        }),
                )
                .context("cannot open a window")?,
        );
        let (ctx, surface) = GpuContext::for_window(window.clone())?;
        let size = window.inner_size();
        let caps = surface.get_capabilities(&ctx.adapter);
        // egui blends in gamma space: it wants a non-sRGB target.
        let format = caps
            .formats
            .iter()
            .copied()
            .find(|f| !f.is_srgb())
            .or_else(|| caps.formats.first().copied())
            .context("the window's surface offers no format")?;
        let surface_config = wgpu::SurfaceConfiguration {
            usage: wgpu::TextureUsages::RENDER_ATTACHMENT,
            format,
            width: size.width.max(1),
            height: size.height.max(1),
            color_space: wgpu::SurfaceColorSpace::Auto,
            present_mode: wgpu::PresentMode::AutoVsync,
            desired_maximum_frame_latency: 2,
            alpha_mode: wgpu::CompositeAlphaMode::Auto,
            view_formats: vec![],
        };
        surface.configure(&ctx.device, &surface_config);
        let egui_ctx = egui::Context::default();
        let egui = egui_winit::State::new(
            egui_ctx,
            egui::ViewportId::ROOT,
            &window,
            Some(window.scale_factor() as f32),
            None,
            Some(ctx.limits.max_texture_dimension_2d as usize),
        );
        let mut renderer =
            egui_wgpu::Renderer::new(&ctx.device, format, egui_wgpu::RendererOptions::default());
        renderer
            .callback_resources
            .insert(ViewRenderer::new(&ctx.device, format));
        let on_cpu = match opts.backend {
            crate::batch::BackendChoice::Cpu => true,
            crate::batch::BackendChoice::Gpu => false,
            crate::batch::BackendChoice::Auto => ctx.is_software(),
        };
        let session = start_session(opts, (!on_cpu).then(|| ctx.clone()))?;
        let mut session = session;
        // The status bar names the engine that simulates, and the drawing adapter.
        let engine = if on_cpu {
            format!("CPU engine; drawn by {}", ctx.describe())
        } else {
            ctx.describe()
        };
        let mut ui = UiState::new(&session, engine, ctx.is_software() && !on_cpu);
        prefs.apply(&mut ui);
        ui.view.lines = opts.lines;
        ui.view.layer = opts.layer;
        if let Some(c) = &session.compare {
            ui.charts.compare_path = c.path.display().to_string();
        }
        if let Some(sel) = opts.select {
            session.select(Some(sel))?;
            ui.follow = true;
            ui.fit_cells = Some(40.0);
        }
        Ok(Self {
            window,
            surface,
            surface_config,
            ctx,
            egui,
            renderer,
            session,
            ui,
            attached: u64::MAX,
            frames: 0,
            last_frame: Instant::now(),
            last_frame_s: 0.0,
            screenshots: 0,
        })
    }

    fn resize(&mut self, width: u32, height: u32) {
        if width > 0 && height > 0 {
            self.surface_config.width = width;
            self.surface_config.height = height;
            self.surface
                .configure(&self.ctx.device, &self.surface_config);
        }
    }

    /// Simulate, lay out and draw one frame; true when the app should close.
    fn frame(&mut self, opts: &AppOptions) -> Result<bool> {
        let now = Instant::now();
        self.last_frame_s = now.duration_since(self.last_frame).as_secs_f64();
        self.last_frame = now;
        if self.last_frame_s > 0.0 {
            self.ui.fps = 0.9 * self.ui.fps + 0.1 / self.last_frame_s;
        }
        if let Err(e) = self.session.frame(self.last_frame_s) {
            self.session.playing = false;
            self.session.warn(format!("the simulation stopped: {e:#}"));
        }
        if self.session.selection.is_some() {
            if let Err(e) = self.session.update_inspection() {
                self.session.warn(format!("{e:#}"));
            }
        }
        {
            let view = self
                .renderer
                .callback_resources
                .get_mut::<ViewRenderer>()
                .expect("inserted at start");
            if self.attached != self.session.generation {
                view.attach(&self.ctx.device, &self.session.world);
                self.attached = self.session.generation;
            }
            view.mirror(&self.ctx.queue, &self.session.world);
        }
        let input = self.egui.take_egui_input(&self.window);
        let egui_ctx = self.egui.egui_ctx().clone();
        let (session, ui_state) = (&mut self.session, &mut self.ui);
        let mut output = egui_ctx.run_ui(input, |ui| ui::draw(ui, session, ui_state));
        self.egui
            .handle_platform_output(&self.window, output.platform_output);
        let jobs = egui_ctx.tessellate(output.shapes, output.pixels_per_point);
        for (id, deltas) in &output.textures_delta.set {
            for delta in deltas {
                self.renderer
                    .update_texture(&self.ctx.device, &self.ctx.queue, *id, delta);
            }
        }
        let screen = egui_wgpu::ScreenDescriptor {
            size_in_pixels: [self.surface_config.width, self.surface_config.height],
            pixels_per_point: output.pixels_per_point,
        };
        let last = opts.exit_after_frames.is_some_and(|n| self.frames + 1 >= n);
        let shot =
            std::mem::take(&mut self.ui.requests.screenshot) || (last && opts.screenshot.is_some());
        let mut encoder = self.ctx.device.create_command_encoder(&Default::default());
        let mut buffers = self.renderer.update_buffers(
            &self.ctx.device,
            &self.ctx.queue,
            &mut encoder,
            &jobs,
            &screen,
        );
        let frame = match self.surface.get_current_texture() {
            wgpu::CurrentSurfaceTexture::Success(t)
            | wgpu::CurrentSurfaceTexture::Suboptimal(t) => Some(t),
            wgpu::CurrentSurfaceTexture::Outdated | wgpu::CurrentSurfaceTexture::Lost => {
                self.surface
                    .configure(&self.ctx.device, &self.surface_config);
                None
            }
            _ => None,
        };
        if let Some(frame) = &frame {
            let target = frame.texture.create_view(&Default::default());
            self.paint(&mut encoder, &target, &jobs, &screen);
        }
        let capture = shot.then(|| self.capture(&mut encoder, &jobs, &screen));
        buffers.push(encoder.finish());
        self.ctx.queue.submit(buffers);
        if let Some(frame) = frame {
            self.window.pre_present_notify();
            self.ctx.queue.present(frame);
        }
        for id in &output.textures_delta.free {
            self.renderer.free_texture(id);
        }
        // Every delta has been given to the renderer above.
        output.textures_delta.clear();
        if let Some(picture) = capture {
            let path = match (&opts.screenshot, self.screenshots) {
                (Some(p), 0) => p.clone(),
                _ => self.session.out_dir.join(format!(
                    "screenshot-tick{}-{}.png",
                    self.session.tick(),
                    self.screenshots
                )),
            };
            self.screenshots += 1;
            match save_capture(&self.ctx, &picture, &path) {
                Ok(()) => self
                    .session
                    .inform(format!("screenshot saved to {}", path.display())),
                Err(e) if last => return Err(e),
                Err(e) => self.session.warn(format!("{e:#}")),
            }
        }
        self.frames += 1;
        Ok(last)
    }

    fn paint(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        target: &wgpu::TextureView,
        jobs: &[egui::ClippedPrimitive],
        screen: &egui_wgpu::ScreenDescriptor,
    ) {
        let pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
            label: Some("egui"),
            color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                view: target,
                depth_slice: None,
                resolve_target: None,
                ops: wgpu::Operations {
                    load: wgpu::LoadOp::Clear(wgpu::Color {
                        r: 0.05,
                        g: 0.05,
                        b: 0.06,
                        a: 1.0,
                    }),
                    store: wgpu::StoreOp::Store,
                },
            })],
            depth_stencil_attachment: None,
            timestamp_writes: None,
            occlusion_query_set: None,
            multiview_mask: None,
        });
        self.renderer
            .render(&mut pass.forget_lifetime(), jobs, screen);
    }

    /// Draw the frame again into a texture that can be copied out (a surface may not be).
    fn capture(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        jobs: &[egui::ClippedPrimitive],
        screen: &egui_wgpu::ScreenDescriptor,
    ) -> view::Picture {
        let picture = view::Picture::new(
            &self.ctx.device,
            self.surface_config.format,
            screen.size_in_pixels,
        );
        let target = picture.texture.create_view(&Default::default());
        self.paint(encoder, &target, jobs, screen);
        picture.record_copy(encoder);
        picture
    }
}

/// Wait for a captured frame and write it as PNG.
fn save_capture(ctx: &GpuContext, picture: &view::Picture, path: &Path) -> Result<()> {
    let img = picture.read(&ctx.device)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    img.save(path)
        .with_context(|| format!("cannot write screenshot {}", path.display()))
}

fn start_session(opts: &AppOptions, ctx: Option<GpuContext>) -> Result<Session> {
    let compare = match &opts.compare {
        Some(path) => {
            Some(history::Compare::load(path).map_err(|e| anyhow::anyhow!("--compare {e}"))?)
        }
        None => None,
    };
    let mut s = match &opts.checkpoint {
        Some(path) => {
            let (cfg, state) = crate::world::checkpoint::read(path)?;
            let tick = state.tick();
            let mut s = Session::from_state(cfg, state, ctx)?;
            s.load_run_history(path, tick);
            s
        }
        None => Session::new(opts.config.clone(), ctx)?,
    };
    s.compare = compare;
    Ok(s)
}
