//! Stick-figure strips of a sequence as PNG images, so a person can check a motion by eye.

use crate::ntu::NtuSequence;
use crate::skeleton::joints::bones;
use std::path::Path;

const PANEL_W: usize = 170;
const PANEL_H: usize = 260;
const COLORS: [[u8; 3]; 2] = [[30, 90, 200], [220, 110, 20]];

/// An RGB canvas.
struct Canvas {
    w: usize,
    h: usize,
    px: Vec<u8>,
}

impl Canvas {
    fn new(w: usize, h: usize) -> Canvas {
        Canvas {
            w,
            h,
            px: vec![255; w * h * 3],
        }
    }

    fn dot(&mut self, x: i64, y: i64, c: [u8; 3]) {
        if x >= 0 && y >= 0 && (x as usize) < self.w && (y as usize) < self.h {
            let i = (y as usize * self.w + x as usize) * 3;
            self.px[i..i + 3].copy_from_slice(&c);
        }
    }

    fn disc(&mut self, x: f32, y: f32, r: i64, c: [u8; 3]) {
        let (cx, cy) = (x.round() as i64, y.round() as i64);
        for dy in -r..=r {
            for dx in -r..=r {
                if dx * dx + dy * dy <= r * r {
                    self.dot(cx + dx, cy + dy, c);
                }
            }
        }
    }

    fn line(&mut self, a: (f32, f32), b: (f32, f32), c: [u8; 3]) {
        let steps = ((b.0 - a.0).abs().max((b.1 - a.1).abs()).ceil() as usize).max(1);
        for s in 0..=steps {
            let t = s as f32 / steps as f32;
            self.disc(a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t, 1, c);
        }
    }
}

/// Draws `panels` evenly spaced frames of `seq` side by side (front view from the sensor, one
/// scale for all panels so translation shows) and writes a PNG.
pub fn write_strip(seq: &NtuSequence, panels: usize, path: &Path) -> Result<(), String> {
    let n = seq.frames.len();
    if n == 0 {
        return Err("the sequence has no frames".into());
    }
    let panels = panels.clamp(1, n);
    // Screen x = −camera x (the sensor's left is the viewer's left), screen y = −camera y.
    let (mut lo, mut hi) = ([f32::INFINITY; 2], [f32::NEG_INFINITY; 2]);
    for p in seq
        .frames
        .iter()
        .flat_map(|f| &f.bodies)
        .flat_map(|b| &b.joints)
    {
        let s = [-p.position[0], -p.position[1]];
        for c in 0..2 {
            lo[c] = lo[c].min(s[c]);
            hi[c] = hi[c].max(s[c]);
        }
    }
    if !lo[0].is_finite() {
        return Err("the sequence has no bodies".into());
    }
    let span = ((hi[0] - lo[0]) / (PANEL_W as f32 - 20.0))
        .max((hi[1] - lo[1]) / (PANEL_H as f32 - 20.0))
        .max(1e-3);
    let mut canvas = Canvas::new(PANEL_W * panels, PANEL_H);
    for k in 0..panels {
        let f = if panels == 1 {
            0
        } else {
            k * (n - 1) / (panels - 1)
        };
        let ox = (k * PANEL_W) as f32 + (PANEL_W as f32 - (hi[0] - lo[0]) / span) / 2.0;
        let oy = (PANEL_H as f32 - (hi[1] - lo[1]) / span) / 2.0;
        let to_px = |p: [f32; 3]| (ox + (-p[0] - lo[0]) / span, oy + (-p[1] - lo[1]) / span);
        for y in 0..PANEL_H {
            canvas.dot((k * PANEL_W) as i64, y as i64, [200, 200, 200]);
        }
        for (bi, body) in seq.frames[f].bodies.iter().enumerate() {
            let c = COLORS[bi % 2];
            for (a, b) in bones() {
                canvas.line(
                    to_px(body.joints[a].position),
                    to_px(body.joints[b].position),
                    c,
                );
            }
            for j in &body.joints {
                let (x, y) = to_px(j.position);
                canvas.disc(
                    x,
                    y,
                    2,
                    if j.tracking_state == 1 {
                        [200, 30, 30]
                    } else {
                        c
                    },
                );
            }
        }
    }
    write_png(path, canvas.w, canvas.h, &canvas.px)
}

/// Writes 8-bit RGB pixels (`w × h × 3` bytes, rows top to bottom) as a PNG file.
pub fn write_png(path: &Path, w: usize, h: usize, px: &[u8]) -> Result<(), String> {
    let file = std::fs::File::create(path)
        .map_err(|e| format!("{}: cannot create: {e}", path.display()))?;
    let mut enc = png::Encoder::new(std::io::BufWriter::new(file), w as u32, h as u32);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let mut writer = enc
        .write_header()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    writer
        .write_image_data(px)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    writer
        .finish()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(())
}
