//! `silico render`: a checkpoint's world as a PNG.

use std::path::Path;

use anyhow::Result;

use crate::view::{Layer, Lines};
use crate::world::checkpoint;

pub fn render(file: &Path, out: &Path, layer: Layer, lines: Lines, size: u32) -> Result<()> {
    if !(16..=8192).contains(&size) {
        anyhow::bail!("--size {size} is out of range: allowed 16 ..= 8192 pixels");
    }
    let (cfg, state) = checkpoint::read(file)?;
    let world = crate::sim::World::new(&cfg, state, crate::sim::BackendKind::Gpu)?;
    let crate::sim::World::Gpu(g) = &world else {
        unreachable!("a GPU world was asked for")
    };
    let mut settings = crate::view::ViewSettings::whole_world(&cfg, [size, size]);
    settings.layer = layer;
    settings.lines = lines;
    use crate::view::{render_image, ViewRenderer, IMAGE_FORMAT};
    let mut renderer = ViewRenderer::new(&g.ctx.device, IMAGE_FORMAT);
    let img = render_image(&g.ctx, &mut renderer, &world, &cfg, &settings, [size, size])?;
    img.save(out)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", out.display()))?;
    println!(
        "wrote {} ({size}x{size}, tick {})",
        out.display(),
        world.tick()
    );
    Ok(())
}
