//! The confusion matrix of an evaluation as a picture (PNG) and as JSON.
//!
//! The picture has one row per true class and one column per predicted class, in the order of
//! the JSON's `classes`; each cell's shade is the share of the row's clips predicted as that
//! column (white 0, dark blue 1), the diagonal outlined in green. Rows and columns are numbered
//! from 1 in a small built-in digit font, so that the PNG needs no font files.

use super::Report;
use crate::synth::preview::write_png;
use std::path::Path;

/// 3×5 pixel digits 0–9: five rows of three bits each, top to bottom, high bit on the left.
const DIGITS: [[u8; 5]; 10] = [
    [0b111, 0b101, 0b101, 0b101, 0b111],
    [0b010, 0b110, 0b010, 0b010, 0b111],
    [0b111, 0b001, 0b111, 0b100, 0b111],
    [0b111, 0b001, 0b111, 0b001, 0b111],
    [0b101, 0b101, 0b111, 0b001, 0b001],
    [0b111, 0b100, 0b111, 0b001, 0b111],
    [0b111, 0b100, 0b111, 0b101, 0b111],
    [0b111, 0b001, 0b010, 0b010, 0b010],
    [0b111, 0b101, 0b111, 0b101, 0b111],
    [0b111, 0b101, 0b111, 0b001, 0b111],
];

const CELL: usize = 18;
const MARGIN: usize = 30;
const SCALE: usize = 2;

struct Image {
    w: usize,
    h: usize,
    px: Vec<u8>,
}

impl Image {
    fn fill(&mut self, x0: usize, y0: usize, w: usize, h: usize, c: [u8; 3]) {
        for y in y0..(y0 + h).min(self.h) {
            for x in x0..(x0 + w).min(self.w) {
                self.px[(y * self.w + x) * 3..][..3].copy_from_slice(&c);
            }
        }
    }

    /// Draws `n` in the digit font with its top-left corner at (x, y).
    fn number(&mut self, n: usize, x: usize, y: usize) {
        for (k, ch) in n.to_string().bytes().enumerate() {
            let glyph = DIGITS[usize::from(ch - b'0')];
            for (row, bits) in glyph.iter().enumerate() {
                for col in 0..3 {
                    if bits >> (2 - col) & 1 == 1 {
                        let px = x + (k * 4 + col) * SCALE;
                        self.fill(px, y + row * SCALE, SCALE, SCALE, [0, 0, 0]);
                    }
                }
            }
        }
    }
}

/// Renders the matrix of `report` as RGB pixels: (width, height, pixels).
pub fn render(report: &Report) -> (usize, usize, Vec<u8>) {
    let k = report.classes.len();
    let side = MARGIN + k * CELL + 4;
    let mut img = Image {
        w: side,
        h: side,
        px: vec![255; side * side * 3],
    };
    for (t, row) in report.confusion.iter().enumerate() {
        let total: usize = row.iter().sum();
        for (p, &n) in row.iter().enumerate() {
            let share = if total == 0 {
                0.0
            } else {
                n as f32 / total as f32
            };
            let shade = |white: f32, dark: f32| (white + (dark - white) * share).round() as u8;
            let (x, y) = (MARGIN + p * CELL, MARGIN + t * CELL);
            if t == p {
                img.fill(x, y, CELL, CELL, [40, 160, 60]);
                img.fill(x + 2, y + 2, CELL - 4, CELL - 4, [255; 3]);
            }
            let inset = usize::from(t == p) * 2;
            img.fill(
                x + inset,
                y + inset,
                CELL - 2 * inset,
                CELL - 2 * inset,
                [shade(255.0, 20.0), shade(255.0, 50.0), shade(255.0, 140.0)],
            );
        }
    }
    // Grid lines and numbers (1-based, in `classes` order).
    for i in 0..=k {
        let o = MARGIN + i * CELL;
        img.fill(o, MARGIN, 1, k * CELL + 1, [170; 3]);
        img.fill(MARGIN, o, k * CELL + 1, 1, [170; 3]);
    }
    for i in 0..k {
        let o = MARGIN + i * CELL + 3;
        img.number(i + 1, 2, o + 2);
        img.number(i + 1, o, 8);
    }
    (img.w, img.h, img.px)
}

/// Writes the matrix as `path` (PNG) and the same path with the extension `.json`: the class
/// names in order and `confusion[true][predicted]` clip counts.
pub fn write(report: &Report, path: &Path) -> Result<(), String> {
    let (w, h, px) = render(report);
    write_png(path, w, h, &px)?;
    let json = serde_json::json!({
        "classes": report.classes,
        "confusion": report.confusion,
        "rows": "true class",
        "columns": "predicted class (top-1 of the clip's mean score)",
    });
    let jpath = path.with_extension("json");
    std::fs::write(&jpath, format!("{json:#}\n"))
        .map_err(|e| format!("{}: cannot write: {e}", jpath.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_shaded_by_the_share_of_their_row() {
        let report = Report {
            catalog: "t".into(),
            classes: vec!["a".into(), "b".into()],
            clips: 4,
            top1: 0.5,
            top3: 1.0,
            chance_top1: 0.5,
            chance_top3: 1.0,
            window_top1: 0.5,
            windows: 4,
            clips_without_windows: 0,
            clips_padded: 0,
            per_class: vec![],
            confusion: vec![vec![2, 0], vec![2, 0]],
            per_clip: vec![],
        };
        let (w, h, px) = render(&report);
        assert_eq!((w, h, px.len()), (side(2), side(2), side(2) * side(2) * 3));
        let at = |x: usize, y: usize| &px[(y * w + x) * 3..][..3];
        let centre =
            |t: usize, p: usize| at(MARGIN + p * CELL + CELL / 2, MARGIN + t * CELL + CELL / 2);
        assert_eq!(centre(0, 0), [20, 50, 140]); // all of row 0
        assert_eq!(centre(1, 0), [20, 50, 140]); // all of row 1, off the diagonal
        assert_eq!(centre(1, 1), [255, 255, 255]); // none
        assert_eq!(at(MARGIN + CELL + 1, MARGIN + CELL + 1), [40, 160, 60]); // diagonal outline
    }

    fn side(k: usize) -> usize {
        MARGIN + k * CELL + 4
    }
}
