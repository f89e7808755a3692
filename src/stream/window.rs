//! Sliding windows over a live skeleton stream: one ring buffer per tracked body, a window of the
//! last W sensor frames every S frames, resampled to the model's T frames and normalised by the
//! shared normaliser into a preallocated buffer. A body takes part in a window only when it is
//! in at least half of the window's frames (a body that just walked in is not labelled from a
//! few frames). Up to two bodies share one window (the model's two-person input); with more in
//! view, they go into windows of two by nearness (the closest two together, then the next
//! closest two, an odd one alone), so that everyone is labelled: [`WindowAssembler::push`] gives
//! the first window of a stride and [`WindowAssembler::next_window`] the others. After the
//! first window no heap allocation happens per frame or per window (as long as no more than
//! [`MAX_TRACKS`] bodies are tracked at once).

use crate::protocol::SkeletonFrame;
use crate::skeleton::motion::motion;
use crate::skeleton::normalize::{BodyTrack, NormalizeInfo, Normalizer, window_len};
use crate::skeleton::{Joints, NUM_JOINTS};
use ringbuf::HeapRb;
use ringbuf::traits::Observer;

/// Bodies tracked at once (Kinect v2 tracks six); more are ignored until one expires.
pub const MAX_TRACKS: usize = 6;

/// Windows per stride at most: [`MAX_TRACKS`] bodies in twos.
pub const MAX_WINDOWS_PER_STRIDE: usize = MAX_TRACKS.div_ceil(2);

/// Window settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WindowConfig {
    /// Sensor frames per window (W).
    pub window: usize,
    /// Frames the model takes (T): each window is resampled from W to T frames by the shared
    /// normaliser, as whole recordings are in training.
    pub model_frames: usize,
    /// A window every `stride` frames (S).
    pub stride: usize,
    /// A body missing from this many consecutive frames (by seq) is dropped (at least 1).
    pub expire_after: u64,
}

#[derive(Clone, Copy, Debug)]
struct Slot {
    seq: u64,
    joints: Joints,
}

struct Track {
    active: bool,
    id: u64,
    last_seq: u64,
    frames: HeapRb<Slot>,
}

/// Why a frame was not taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rejected {
    /// `seq` not greater than the last accepted one (a repeat, or late).
    OutOfOrder { seq: u64, last: u64 },
}

/// A window whose bodies all move less than this (metres, [`motion`]) is still: nobody in it is
/// doing anything (`docs/protocol.md`, "Standing still", says how it was chosen).
pub const STILL_BELOW: f32 = 0.030;

/// What a finished window covers; its normalised data is in [`WindowAssembler::data`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WindowInfo {
    /// Tracking ids of the bodies in slots 0 and 1.
    pub bodies: [Option<u64>; 2],
    pub seq_first: u64,
    pub seq_last: u64,
    pub t_first_us: u64,
    pub t_last_us: u64,
    /// The most any of its bodies moves over the window's sensor frames (metres, [`motion`]).
    pub motion: f32,
    /// `motion` below the assembler's still threshold.
    pub still: bool,
}

/// A body's frames within the current window, as the normaliser reads them.
struct WindowTrack<'a> {
    frames: &'a [Option<Joints>],
}

impl BodyTrack for WindowTrack<'_> {
    fn frames(&self) -> usize {
        self.frames.len()
    }
    fn joints(&self, t: usize) -> Option<&Joints> {
        self.frames.get(t).and_then(Option::as_ref)
    }
}

/// Turns frames into normalised windows.
pub struct WindowAssembler {
    config: WindowConfig,
    tracks: Vec<Track>,
    /// Capture times of the last T accepted frames, oldest first (ring).
    times: HeapRb<(u64, u64)>,
    last_seq: Option<u64>,
    since_window: usize,
    /// Per-track scratch: the window's frames of each track, `[MAX_TRACKS][T]`.
    scratch: Vec<Vec<Option<Joints>>>,
    normalizer: Normalizer,
    data: Vec<f32>,
    /// Windows moving less than this are still.
    still_below: f32,
    /// The windows of the current stride: indices into `scratch` (one or two bodies each).
    groups: [([usize; 2], usize); MAX_WINDOWS_PER_STRIDE],
    group_count: usize,
    /// The next group [`WindowAssembler::next_window`] assembles.
    next_group: usize,
    /// Tracking ids of the bodies in `scratch`, in order.
    present_ids: [u64; MAX_TRACKS],
    /// The stride's frame range: (seq, t_us) of its first and last frame.
    span: ((u64, u64), (u64, u64)),
}

impl WindowAssembler {
    pub fn new(config: WindowConfig) -> WindowAssembler {
        let t = config.window.max(1);
        WindowAssembler {
            config,
            tracks: (0..MAX_TRACKS)
                .map(|_| Track {
                    active: false,
                    id: 0,
                    last_seq: 0,
                    frames: HeapRb::new(t),
                })
                .collect(),
            times: HeapRb::new(t),
            last_seq: None,
            since_window: 0,
            scratch: vec![vec![None; t]; MAX_TRACKS],
            normalizer: Normalizer::new(config.model_frames.max(1)),
            data: vec![0.0; window_len(config.model_frames.max(1))],
            still_below: STILL_BELOW,
            groups: [([0; 2], 0); MAX_WINDOWS_PER_STRIDE],
            group_count: 0,
            next_group: 0,
            present_ids: [0; MAX_TRACKS],
            span: ((0, 0), (0, 0)),
        }
    }

    /// The last window's normalised values, `[3, T, 25, 2]` (T = `model_frames`).
    pub fn data(&self) -> &[f32] {
        &self.data
    }

    /// The same assembler normalising with other options (the model's).
    pub fn with_options(mut self, options: crate::skeleton::normalize::Options) -> WindowAssembler {
        self.normalizer = self.normalizer.with_options(options);
        self
    }

    /// Calls windows that move less than `metres` still from the next window on (0: none is).
    pub fn set_still_below(&mut self, metres: f32) {
        self.still_below = metres;
    }

    /// Tracking ids of the bodies currently tracked.
    pub fn tracked(&self) -> impl Iterator<Item = u64> + '_ {
        self.tracks.iter().filter(|t| t.active).map(|t| t.id)
    }

    /// Forgets every body and the last seq: the next frame starts a new stream (the bridge
    /// restarted, and its counter with it).
    pub fn reset(&mut self) {
        for t in &mut self.tracks {
            t.active = false;
            t.frames.clear();
        }
        self.times.clear();
        self.last_seq = None;
        self.since_window = 0;
        self.group_count = 0;
        self.next_group = 0;
    }

    /// Takes a frame (already decoded and validated); returns a window when one is due (the
    /// first of the stride's windows when more than two bodies are in view: then call
    /// [`WindowAssembler::next_window`] until it gives `None`).
    pub fn push(&mut self, frame: &SkeletonFrame) -> Result<Option<WindowInfo>, Rejected> {
        if let Some(last) = self.last_seq
            && frame.seq <= last
        {
            return Err(Rejected::OutOfOrder {
                seq: frame.seq,
                last,
            });
        }
        self.last_seq = Some(frame.seq);
        self.times.push_overwrite((frame.seq, frame.t_us));
        for body in &frame.bodies {
            let slot = Slot {
                seq: frame.seq,
                joints: body.kinect_joints(frame.layout),
            };
            let existing = self.tracks.iter().position(|t| t.active && t.id == body.id);
            let Some(i) = existing.or_else(|| self.tracks.iter().position(|t| !t.active)) else {
                continue; // more bodies than MAX_TRACKS: ignored until one expires
            };
            let track = &mut self.tracks[i];
            if !track.active {
                track.frames.clear();
                track.active = true;
                track.id = body.id;
            }
            track.frames.push_overwrite(slot);
            track.last_seq = frame.seq;
        }
        // seq only grows, so the subtraction cannot underflow (nor overflow near u64::MAX).
        let expire = self.config.expire_after.max(1);
        for t in self
            .tracks
            .iter_mut()
            .filter(|t| t.active && frame.seq - t.last_seq >= expire)
        {
            t.active = false;
        }
        self.since_window += 1;
        self.group_count = 0;
        self.next_group = 0;
        let any = self.tracks.iter().any(|t| t.active);
        if self.times.occupied_len() < self.config.window
            || self.since_window < self.config.stride.max(1)
            || !any
        {
            return Ok(None);
        }
        self.since_window = 0;
        Ok(self.assemble())
    }

    /// The stride's next window, after the one [`WindowAssembler::push`] gave: `None` when
    /// every body in view has had its window (at once with one or two bodies).
    pub fn next_window(&mut self) -> Option<WindowInfo> {
        while self.next_group < self.group_count {
            let g = self.next_group;
            self.next_group += 1;
            if let Some(info) = self.normalize_group(g) {
                return Some(info);
            }
        }
        None
    }

    /// Gathers the window's frames of every body in view, groups them in twos and normalises
    /// the first group.
    fn assemble(&mut self) -> Option<WindowInfo> {
        let (a, b) = self.times.as_slices();
        let first = a.first().or(b.first()).copied()?;
        let last = b.last().or(a.last()).copied()?;
        self.span = (first, last);
        // Each active track's frames at the positions of the window's frames (both in
        // increasing seq order: a merge); frames without the body stay None.
        let mut n = 0;
        for track in self.tracks.iter_mut().filter(|t| t.active) {
            let scratch = &mut self.scratch[n];
            scratch.iter_mut().for_each(|s| *s = None);
            let (x, y) = track.frames.as_slices();
            let mut slots = x.iter().chain(y.iter()).peekable();
            for (pos, (seq, _)) in a.iter().chain(b.iter()).enumerate() {
                while slots.next_if(|s| s.seq < *seq).is_some() {}
                if let Some(s) = slots.next_if(|s| s.seq == *seq) {
                    scratch[pos] = Some(s.joints);
                }
            }
            let present = scratch.iter().filter(|s| s.is_some()).count();
            if present * 2 < scratch.len() {
                continue;
            }
            self.present_ids[n] = track.id;
            n += 1;
        }
        if n == 0 {
            return None;
        }
        self.group_bodies(n);
        self.next_window()
    }

    /// Splits the `n` bodies in `scratch` into the stride's windows: all in one when `n ≤ 2`;
    /// otherwise the two nearest (mean SpineBase over the window) together, then the nearest
    /// two of the rest, and so on, an odd one alone.
    fn group_bodies(&mut self, n: usize) {
        self.next_group = 0;
        if n <= 2 {
            self.groups[0] = ([0, 1], n);
            self.group_count = 1;
            return;
        }
        let mut centre = [[0.0f32; 3]; MAX_TRACKS];
        for (c, frames) in centre.iter_mut().zip(&self.scratch).take(n) {
            let mut k = 0.0;
            for j in frames.iter().flatten() {
                for (c, v) in c.iter_mut().zip(j[0]) {
                    *c += v;
                }
                k += 1.0;
            }
            c.iter_mut().for_each(|v| *v /= k);
        }
        let dist = |i: usize, j: usize| -> f32 {
            (0..3).map(|d| (centre[i][d] - centre[j][d]).powi(2)).sum()
        };
        let mut used = [false; MAX_TRACKS];
        self.group_count = 0;
        loop {
            let mut best: Option<(usize, usize, f32)> = None;
            for i in (0..n).filter(|&i| !used[i]) {
                for j in (i + 1..n).filter(|&j| !used[j]) {
                    let d = dist(i, j);
                    if best.is_none_or(|(_, _, bd)| d < bd) {
                        best = Some((i, j, d));
                    }
                }
            }
            let Some((i, j, _)) = best else { break };
            used[i] = true;
            used[j] = true;
            self.groups[self.group_count] = ([i, j], 2);
            self.group_count += 1;
        }
        if let Some(i) = (0..n).find(|&i| !used[i]) {
            self.groups[self.group_count] = ([i, 0], 1);
            self.group_count += 1;
        }
    }

    /// Normalises group `g` into `data`.
    fn normalize_group(&mut self, g: usize) -> Option<WindowInfo> {
        let (members, size) = self.groups[g];
        let views: [WindowTrack<'_>; 2] = std::array::from_fn(|i| WindowTrack {
            frames: &self.scratch[members[i]],
        });
        let refs: [&dyn BodyTrack; 2] = std::array::from_fn(|i| &views[i] as &dyn BodyTrack);
        let info: NormalizeInfo = self
            .normalizer
            .normalize(&refs[..size], &mut self.data)
            .ok()?;
        let id = |slot: Option<usize>| slot.map(|i| self.present_ids[members[i]]);
        let (first, last) = self.span;
        let moved = info
            .slots
            .iter()
            .flatten()
            .filter_map(|&s| motion(&views[s]))
            .fold(0.0, f32::max);
        Some(WindowInfo {
            bodies: [id(info.slots[0]), id(info.slots[1])],
            seq_first: first.0,
            seq_last: last.0,
            t_first_us: first.1,
            t_last_us: last.1,
            motion: moved.min(f32::MAX),
            still: moved < self.still_below,
        })
    }
}

const _: () = assert!(NUM_JOINTS == 25);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{BodyFrame, Layout};

    fn body(id: u64, t: usize) -> BodyFrame {
        let joints = (0..NUM_JOINTS)
            .map(|j| {
                [
                    0.01 * j as f32 + 0.05 * (t as f32 * 0.3).sin(),
                    0.04 * j as f32,
                    3.0 + 0.001 * (id as f32),
                ]
            })
            .collect();
        BodyFrame {
            id,
            joints,
            tracking: None,
        }
    }

    fn frame(seq: u64, bodies: Vec<BodyFrame>) -> SkeletonFrame {
        SkeletonFrame {
            seq,
            t_us: seq.wrapping_mul(33_333).wrapping_add(1_000),
            layout: Layout::KinectV2,
            bodies,
        }
    }

    #[test]
    fn windows_come_every_stride_frames_and_match_the_normaliser() {
        let cfg = WindowConfig {
            window: 8,
            model_frames: 8,
            stride: 4,
            expire_after: 30,
        };
        use crate::skeleton::normalize::{Centring, Options};
        // With each of the model's normalisation options, as training and evaluation use them.
        let options = [
            Options::DEFAULT,
            Options {
                body_scale: true,
                ..Options::DEFAULT
            },
            Options {
                centring: Centring::Frame,
                ..Options::DEFAULT
            },
        ];
        let mut last_windows = Vec::new();
        for options in options {
            let mut asm = WindowAssembler::new(cfg).with_options(options);
            let mut got = Vec::new();
            for seq in 1..=20u64 {
                if let Some(w) = asm.push(&frame(seq, vec![body(7, seq as usize)])).unwrap() {
                    got.push((w.seq_first, w.seq_last, w.bodies));
                    // The data is the shared normaliser's output on the same 8 frames.
                    let track: Vec<Option<Joints>> = (w.seq_first..=w.seq_last)
                        .map(|s| Some(body(7, s as usize).kinect_joints(Layout::KinectV2)))
                        .collect();
                    let mut expect = vec![0.0; window_len(8)];
                    Normalizer::new(8)
                        .with_options(options)
                        .normalize(&[&track], &mut expect)
                        .unwrap();
                    assert_eq!(asm.data(), expect.as_slice());
                    assert_eq!(w.t_last_us, 1_000 + w.seq_last * 33_333);
                }
            }
            assert_eq!(
                got,
                vec![
                    (1, 8, [Some(7), None]),
                    (5, 12, [Some(7), None]),
                    (9, 16, [Some(7), None]),
                    (13, 20, [Some(7), None])
                ]
            );
            last_windows.push(asm.data().to_vec());
        }
        // The options change the windows (the test body moves and is not of unit size).
        assert_ne!(last_windows[0], last_windows[1]);
        assert_ne!(last_windows[0], last_windows[2]);
    }

    #[test]
    fn repeats_and_late_frames_are_rejected_and_the_stream_goes_on() {
        let mut asm = WindowAssembler::new(WindowConfig {
            window: 4,
            model_frames: 4,
            stride: 1,
            expire_after: 30,
        });
        for seq in 1..=4 {
            asm.push(&frame(seq, vec![body(1, 0)])).unwrap();
        }
        assert_eq!(
            asm.push(&frame(4, vec![body(1, 0)])),
            Err(Rejected::OutOfOrder { seq: 4, last: 4 })
        );
        assert_eq!(
            asm.push(&frame(2, vec![body(1, 0)])),
            Err(Rejected::OutOfOrder { seq: 2, last: 4 })
        );
        let w = asm.push(&frame(5, vec![body(1, 0)])).unwrap().unwrap();
        assert_eq!((w.seq_first, w.seq_last), (2, 5));
    }

    #[test]
    fn two_bodies_share_a_window_and_a_gone_body_expires() {
        let mut asm = WindowAssembler::new(WindowConfig {
            window: 6,
            model_frames: 6,
            stride: 3,
            expire_after: 5,
        });
        let mut last = None;
        for seq in 1..=6u64 {
            last = asm
                .push(&frame(
                    seq,
                    vec![body(1, seq as usize), body(2, 2 * seq as usize)],
                ))
                .unwrap();
        }
        let w = last.unwrap();
        assert!(w.bodies.contains(&Some(1)) && w.bodies.contains(&Some(2)));
        // Body 2 leaves; after 5 frames without it, it is dropped.
        for seq in 7..=12u64 {
            asm.push(&frame(seq, vec![body(1, seq as usize)])).unwrap();
        }
        assert_eq!(asm.tracked().collect::<Vec<_>>(), vec![1]);
        let w = asm.push(&frame(13, vec![body(1, 13)])).unwrap();
        assert!(w.is_none() || w.unwrap().bodies == [Some(1), None]);
    }

    #[test]
    fn dropped_sensor_frames_leave_no_hole_in_the_window() {
        // seq jumps from 3 to 10: the window is the last 4 frames received.
        let mut asm = WindowAssembler::new(WindowConfig {
            window: 4,
            model_frames: 4,
            stride: 1,
            expire_after: 30,
        });
        let mut w = None;
        for seq in [1u64, 2, 3, 10] {
            w = asm.push(&frame(seq, vec![body(3, seq as usize)])).unwrap();
        }
        let w = w.unwrap();
        assert_eq!((w.seq_first, w.seq_last, w.bodies[0]), (1, 10, Some(3)));
        let track: Vec<Option<Joints>> = [1u64, 2, 3, 10]
            .iter()
            .map(|&s| Some(body(3, s as usize).kinect_joints(Layout::KinectV2)))
            .collect();
        let mut expect = vec![0.0; window_len(4)];
        Normalizer::new(4)
            .normalize(&[&track], &mut expect)
            .unwrap();
        assert_eq!(asm.data(), expect.as_slice());
    }

    #[test]
    fn seq_near_the_top_of_u64_neither_overflows_nor_expires_bodies_early() {
        let mut asm = WindowAssembler::new(WindowConfig {
            window: 4,
            model_frames: 4,
            stride: 1,
            expire_after: u64::MAX,
        });
        let mut last = None;
        for seq in u64::MAX - 5..=u64::MAX {
            last = asm.push(&frame(seq, vec![body(1, 0)])).unwrap();
        }
        assert_eq!(last.unwrap().seq_last, u64::MAX);
        assert_eq!(asm.tracked().collect::<Vec<_>>(), vec![1]);
    }

    #[test]
    fn a_body_expires_after_exactly_expire_after_missing_frames() {
        let mut asm = WindowAssembler::new(WindowConfig {
            window: 4,
            model_frames: 4,
            stride: 1,
            expire_after: 3,
        });
        asm.push(&frame(10, vec![body(1, 0), body(2, 0)])).unwrap();
        asm.push(&frame(11, vec![body(1, 0)])).unwrap();
        asm.push(&frame(12, vec![body(1, 0)])).unwrap();
        assert_eq!(asm.tracked().count(), 2, "body 2 missing from 2 frames");
        asm.push(&frame(13, vec![body(1, 0)])).unwrap();
        assert_eq!(
            asm.tracked().collect::<Vec<_>>(),
            vec![1],
            "missing from 3 frames"
        );
    }

    /// `body(id, t)` moved `dx` metres along x.
    fn body_at(id: u64, t: usize, dx: f32) -> BodyFrame {
        let mut b = body(id, t);
        b.joints.iter_mut().for_each(|j| j[0] += dx);
        b
    }

    /// The bodies of each window of the stride that frame `seq` completes.
    fn stride_windows(
        asm: &mut WindowAssembler,
        seq: u64,
        bodies: Vec<BodyFrame>,
    ) -> Vec<[Option<u64>; 2]> {
        let mut out = Vec::new();
        if let Some(w) = asm.push(&frame(seq, bodies)).unwrap() {
            out.push(w.bodies);
            while let Some(w) = asm.next_window() {
                out.push(w.bodies);
            }
        }
        out
    }

    fn ids(w: &[Option<u64>; 2]) -> Vec<u64> {
        let mut v: Vec<u64> = w.iter().flatten().copied().collect();
        v.sort_unstable();
        v
    }

    #[test]
    fn more_than_two_bodies_go_into_windows_of_two_by_nearness() {
        let cfg = WindowConfig {
            window: 6,
            model_frames: 6,
            stride: 3,
            expire_after: 5,
        };
        // Bodies 1 and 4 stand together on the left, 2 and 3 on the right, 5 far off.
        let place = |id: u64| match id {
            1 => -2.0,
            4 => -1.6,
            2 => 1.5,
            3 => 1.9,
            _ => 6.0,
        };
        let mut asm = WindowAssembler::new(cfg);
        let mut strides = Vec::new();
        for seq in 1..=12u64 {
            let bodies = (1..=4)
                .map(|id| body_at(id, seq as usize + id as usize, place(id)))
                .collect();
            let w = stride_windows(&mut asm, seq, bodies);
            if !w.is_empty() {
                strides.push(w);
            }
        }
        assert_eq!(strides.len(), 3, "a stride every 3 frames once 6 are in");
        for w in &strides {
            let mut groups: Vec<Vec<u64>> = w.iter().map(ids).collect();
            groups.sort();
            assert_eq!(groups, [vec![1, 4], vec![2, 3]]);
        }
        assert!(
            asm.next_window().is_none(),
            "nothing more until the next stride"
        );

        // Five bodies: two pairs and one alone; one body: one window, as before.
        let mut asm = WindowAssembler::new(cfg);
        let mut last = Vec::new();
        for seq in 1..=6u64 {
            let bodies = (1..=5)
                .map(|id| body_at(id, seq as usize, place(id)))
                .collect();
            last = stride_windows(&mut asm, seq, bodies);
        }
        let mut groups: Vec<Vec<u64>> = last.iter().map(ids).collect();
        groups.sort();
        assert_eq!(groups, [vec![1, 4], vec![2, 3], vec![5]]);
        let mut asm = WindowAssembler::new(cfg);
        for seq in 1..=6u64 {
            last = stride_windows(&mut asm, seq, vec![body(9, seq as usize)]);
        }
        assert_eq!(last, [[Some(9), None]]);
    }
}
