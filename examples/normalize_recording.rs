//! Reads an NTU `.skeleton` file, cuts it into sliding windows and normalises each one exactly as
//! the models see them, printing where the bodies are.
//!
//! `cargo run --example normalize_recording -- ../shared/fixtures/ntu/S001C001P001R001A001.skeleton`

use scale::ntu::NtuSequence;
use scale::skeleton::normalize::{BodyTrack, Normalizer, window_index, window_len};
use scale::skeleton::{Joint, Joints};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: normalize_recording FILE.skeleton")?;
    let seq = NtuSequence::read(std::path::Path::new(&path))?;
    let tracks = seq.body_tracks();
    let (window, stride, frames) = (64usize, 16usize, 32usize);
    let mut norm = Normalizer::new(frames);
    let mut out = vec![0.0f32; window_len(frames)];
    let total = seq.frames.len();
    let mut start = 0;
    while start + window <= total.max(window) {
        let end = (start + window).min(total);
        let views: Vec<Vec<Option<Joints>>> =
            tracks.iter().map(|(_, t)| t[start..end].to_vec()).collect();
        let refs: Vec<&dyn BodyTrack> = views.iter().map(|v| v as &dyn BodyTrack).collect();
        let info = norm.normalize(&refs, &mut out)?;
        let head = Joint::Head.index();
        let last = frames - 1;
        println!(
            "frames {start:>3}..{end:<3} bodies {:?}  head at start ({:+.2}, {:+.2}, {:+.2})  at end ({:+.2}, {:+.2}, {:+.2})",
            info.slots,
            out[window_index(frames, 0, 0, head, 0)],
            out[window_index(frames, 1, 0, head, 0)],
            out[window_index(frames, 2, 0, head, 0)],
            out[window_index(frames, 0, last, head, 0)],
            out[window_index(frames, 1, last, head, 0)],
            out[window_index(frames, 2, last, head, 0)],
        );
        start += stride;
    }
    Ok(())
}
