//! Adapter and device: honours `WGPU_BACKEND` and `WGPU_ADAPTER_NAME`, requests the
//! adapter's real limits, and says plainly when the adapter is a software one.

use crate::error::GpuError;

#[derive(Clone)]
pub struct GpuContext {
    pub adapter: wgpu::Adapter,
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
    pub info: wgpu::AdapterInfo,
    pub limits: wgpu::Limits,
    pub features: wgpu::Features,
}

impl GpuContext {
    pub fn new() -> Result<Self, GpuError> {
        prepare_mesa_env();
        Ok(pollster::block_on(Self::new_async(None))?.0)
    }

    /// A device that can also present to `window`, and the window's surface.
    pub fn for_window(
        window: std::sync::Arc<winit::window::Window>,
    ) -> Result<(Self, wgpu::Surface<'static>), GpuError> {
        prepare_mesa_env();
        let (ctx, surface) = pollster::block_on(Self::new_async(Some(window)))?;
        Ok((ctx, surface.expect("a surface was asked for")))
    }

    async fn new_async(
        window: Option<std::sync::Arc<winit::window::Window>>,
    ) -> Result<(Self, Option<wgpu::Surface<'static>>), GpuError> {
        // Without WGPU_BACKEND, look at the primary backends first: probing OpenGL wakes EGL,
        // which prints errors on headless machines, and compute is better served elsewhere.
        let env_backends = wgpu::Backends::from_env();
        let make = |backends: wgpu::Backends| {
            let mut desc = wgpu::InstanceDescriptor::new_without_display_handle_from_env();
            desc.backends = backends;
            wgpu::Instance::new(desc)
        };
        // The surface must come from the instance whose adapters are asked about it.
        let probe = |backends: wgpu::Backends| {
            let window = window.clone();
            async move {
                let instance = make(backends);
                let surface = match window {
                    Some(w) => match instance.create_surface(w) {
                        Ok(s) => Some(s),
                        Err(_) => return (Vec::new(), None),
                    },
                    None => None,
                };
                let adapters: Vec<wgpu::Adapter> = instance
                    .enumerate_adapters(backends)
                    .await
                    .into_iter()
                    .filter(|a| surface.as_ref().is_none_or(|s| a.is_surface_supported(s)))
                    .collect();
                (adapters, surface)
            }
        };
        let first = env_backends.unwrap_or(wgpu::Backends::PRIMARY);
        let (mut adapters, mut surface) = probe(first).await;
        if adapters.is_empty() && env_backends.is_none() {
            (adapters, surface) = probe(wgpu::Backends::SECONDARY).await;
        }
        let adapter = match std::env::var("WGPU_ADAPTER_NAME") {
            Ok(want) => {
                let want_lc = want.to_lowercase();
                let names: Vec<String> = adapters.iter().map(|a| a.get_info().name).collect();
                adapters
                    .into_iter()
                    .find(|a| a.get_info().name.to_lowercase().contains(&want_lc))
                    .ok_or_else(|| GpuError::NoAdapter {
                        hint: format!(" whose name contains WGPU_ADAPTER_NAME='{want}' (adapters found: {names:?})"),
                    })?
            }
            Err(_) => {
                // Prefer a real GPU over a software one, then Vulkan, then anything.
                let rank = |a: &wgpu::Adapter| {
                    let i = a.get_info();
                    let kind = match i.device_type {
                        wgpu::DeviceType::DiscreteGpu => 0,
                        wgpu::DeviceType::IntegratedGpu => 1,
                        wgpu::DeviceType::VirtualGpu => 2,
                        wgpu::DeviceType::Other => 3,
                        wgpu::DeviceType::Cpu => 4,
                    };
                    (
                        kind,
                        if i.backend == wgpu::Backend::Vulkan {
                            0
                        } else {
                            1
                        },
                    )
                };
                let mut adapters: Vec<wgpu::Adapter> = adapters
                    .into_iter()
                    .filter(|a| {
                        a.get_downlevel_capabilities()
                            .flags
                            .contains(wgpu::DownlevelFlags::COMPUTE_SHADERS)
                    })
                    .collect();
                adapters.sort_by_key(rank);
                adapters
                    .into_iter()
                    .next()
                    .ok_or_else(|| GpuError::NoAdapter {
                        hint: String::new(),
                    })?
            }
        };
        let info = adapter.get_info();
        let limits = adapter.limits();
        let features = adapter.features()
            & (wgpu::Features::TIMESTAMP_QUERY | wgpu::Features::TIMESTAMP_QUERY_INSIDE_ENCODERS);
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor {
                label: Some("silico"),
                required_features: features,
                required_limits: limits.clone(),
                experimental_features: wgpu::ExperimentalFeatures::disabled(),
                memory_hints: wgpu::MemoryHints::Performance,
                trace: wgpu::Trace::Off,
            })
            .await
            .map_err(|e| GpuError::Device {
                adapter: info.name.clone(),
                message: e.to_string(),
            })?;
        Ok((
            Self {
                adapter,
                device,
                queue,
                info,
                limits,
                features,
            },
            surface,
        ))
    }

    pub fn is_software(&self) -> bool {
        self.info.device_type == wgpu::DeviceType::Cpu
            || self.info.name.to_lowercase().contains("llvmpipe")
            || self.info.name.to_lowercase().contains("lavapipe")
    }

    /// "name (backend)" plus a note when it is a software rasteriser.
    pub fn describe(&self) -> String {
        let soft = if self.is_software() {
            ", software adapter: slow, for testing"
        } else {
            ""
        };
        format!("{} ({:?}{soft})", self.info.name, self.info.backend)
    }
}

/// Settings for Mesa's drivers, made once before the first instance (later calls do
/// nothing; a variable the user set is left as it is).
///
/// Mesa's Vulkan drivers print "XDG_RUNTIME_DIR is invalid or not set" on every device
/// creation on headless machines; compute needs no window system, so they get a private
/// runtime directory when there is none.
///
/// `LP_NATIVE_VECTOR_WIDTH` is left to the user: 128 (4 invocations per SIMD batch) makes
/// Mesa 25's lavapipe compile our pipelines about 3× faster at the same tick speed, but the
/// only CI run with it (on Mesa 25) lost its window test to a heap-corruption abort, so it is
/// documented (docs/performance.md, "lavapipe from Mesa 25") rather than set here.
pub fn prepare_mesa_env() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("XDG_RUNTIME_DIR").is_some() {
            return;
        }
        let dir = std::env::temp_dir().join("silico-xdg-runtime");
        if std::fs::create_dir_all(&dir).is_ok() {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700));
            }
            std::env::set_var("XDG_RUNTIME_DIR", &dir);
        }
    });
}

/// A plain copy kernel: the memory bandwidth a pass could reach at best on this adapter,
/// for `silico bench` to set a brain pass's weight traffic against.
pub const COPY_WGSL: &str = r#"
@group(0) @binding(0) var<storage, read> src: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> dst: array<vec4<f32>>;

@compute @workgroup_size(64)
fn copy(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = gid.x + gid.y * nwg.x * 64u;
    if (i < arrayLength(&dst)) { dst[i] = src[i]; }
}
"#;

impl GpuContext {
    /// Bytes read plus bytes written per second by `COPY_WGSL` over buffers of up to 64 MiB
    /// (the best of a few timed runs, after a warm-up).
    pub fn copy_bandwidth_bytes_per_s(&self) -> f64 {
        let device = &self.device;
        let bytes = (64u64 << 20).min(self.limits.max_storage_buffer_binding_size) / 16 * 16;
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("copy bandwidth"),
            source: wgpu::ShaderSource::Wgsl(COPY_WGSL.into()),
        });
        let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some("copy bandwidth"),
            layout: None,
            module: &module,
            entry_point: Some("copy"),
            compilation_options: Default::default(),
            cache: None,
        });
        let buffer = || {
            device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("copy bandwidth"),
                size: bytes,
                usage: wgpu::BufferUsages::STORAGE,
                mapped_at_creation: false,
            })
        };
        let (src, dst) = (buffer(), buffer());
        let bind = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("copy bandwidth"),
            layout: &pipeline.get_bind_group_layout(0),
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: src.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: dst.as_entire_binding(),
                },
            ],
        });
        let (x, y) = super::groups_for(bytes / 16);
        let mut best = f64::INFINITY;
        for rep in 0..6 {
            let mut enc = device.create_command_encoder(&Default::default());
            {
                let mut pass = enc.begin_compute_pass(&Default::default());
                pass.set_pipeline(&pipeline);
                pass.set_bind_group(0, &bind, &[]);
                for _ in 0..4 {
                    pass.dispatch_workgroups(x, y, 1);
                }
            }
            let started = std::time::Instant::now();
            self.queue.submit([enc.finish()]);
            if device.poll(wgpu::PollType::wait_indefinitely()).is_err() {
                return 0.0;
            }
            if rep > 0 {
                best = best.min(started.elapsed().as_secs_f64() / 4.0);
            }
        }
        2.0 * bytes as f64 / best
    }
}
