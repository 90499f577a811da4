//! World pictures without a window: a run's frames and GIF, and `silico render` of a
//! checkpoint, decode with the right sizes and show terrain and agents.

use crate::common;

use image::AnimationDecoder;

fn silico(args: &[&str]) -> std::process::Output {
    std::process::Command::new(common::silico_bin())
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn a_run_saves_frames_and_a_gif_and_a_checkpoint_renders() {
    if common::gpu().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("tiny.ron");
    std::fs::write(&cfg, common::tiny().to_ron()).unwrap();
    let out = dir.path().join("run");
    let o = silico(&[
        "run",
        "--config",
        cfg.to_str().unwrap(),
        "--ticks",
        "40",
        "--frames-every",
        "20",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for t in [0, 20, 40] {
        let img = image::open(out.join(format!("frames/tick-{t:08}.png")))
            .unwrap()
            .to_rgb8();
        assert_eq!(img.dimensions(), (512, 512));
        let mut colours = std::collections::HashSet::new();
        for p in img.pixels() {
            colours.insert([p.0[0] / 32, p.0[1] / 32, p.0[2] / 32]);
        }
        assert!(
            colours.len() >= 6,
            "tick {t}: a varied picture, {} colours",
            colours.len()
        );
    }
    let gif = std::fs::File::open(out.join("frames.gif")).unwrap();
    let frames = image::codecs::gif::GifDecoder::new(std::io::BufReader::new(gif))
        .unwrap()
        .into_frames()
        .collect_frames()
        .unwrap();
    assert_eq!(frames.len(), 3);
    assert_eq!(frames[0].buffer().dimensions(), (256, 256));

    let png = dir.path().join("world.png");
    let o = silico(&[
        "render",
        out.join("final.silico").to_str().unwrap(),
        "--out",
        png.to_str().unwrap(),
        "--size",
        "300",
        "--layer",
        "energy",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        image::open(&png).unwrap().to_rgb8().dimensions(),
        (300, 300)
    );
    let o = silico(&[
        "render",
        out.join("final.silico").to_str().unwrap(),
        "--out",
        png.to_str().unwrap(),
        "--size",
        "5",
    ]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("--size 5"));
}
