//! The inference thread's work does not allocate per frame or per window once warm: a counting
//! global allocator watches the window assembler alone, and the whole per-frame step of the
//! server (assembler, normaliser, encoder and energy head in ONNX Runtime with preallocated
//! tensors, ranking, the label's JSON) with the bundled model.
//!
//! What it counts is the Rust heap. ONNX Runtime's own C++ allocations go through its arena
//! allocator, which is not this process's Rust global allocator.

mod common;

use scale::protocol::{BodyFrame, LabelMessage, Layout, SkeletonFrame};
use scale::stream::window::{WindowAssembler, WindowConfig};
use std::alloc::{GlobalAlloc, Layout as AllocLayout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

struct Counting;
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// Allocations are counted on the thread that runs the measured code only (the test
    /// harness's other threads allocate when they like).
    static WATCHED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn watch(on: bool) {
    WATCHED.with(|w| w.set(on));
}

/// Runs `f` and counts the heap allocations it makes on this thread.
fn allocations_during<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    watch(true);
    let r = f();
    watch(false);
    (r, ALLOCATIONS.load(Ordering::SeqCst) - before)
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: AllocLayout) -> *mut u8 {
        if WATCHED.with(|w| w.get()) {
            ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        }
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: AllocLayout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Two bodies moving for `n` frames. Frames are made up front: decoding is the network
/// side's job, not the inference thread's.
fn two_bodies(n: u64) -> Vec<SkeletonFrame> {
    moving(&[(5, 0.0), (9, 0.0)], n)
}

/// Bodies `(id, x offset)` moving for `n` frames.
fn moving(bodies: &[(u64, f32)], n: u64) -> Vec<SkeletonFrame> {
    (1..=n)
        .map(|seq| SkeletonFrame {
            seq,
            t_us: seq * 33_333,
            layout: Layout::KinectV2,
            bodies: bodies
                .iter()
                .map(|&(id, dx)| BodyFrame {
                    id,
                    joints: (0..25)
                        .map(|j| {
                            [
                                dx + 0.01 * j as f32 + 0.1 * ((seq + id) as f32 * 0.2).sin(),
                                0.04 * j as f32,
                                3.0,
                            ]
                        })
                        .collect(),
                    tracking: None,
                })
                .collect(),
        })
        .collect()
}

#[test]
fn no_allocation_per_frame_or_window_after_warm_up() {
    let frames = two_bodies(600);
    let mut asm = WindowAssembler::new(WindowConfig {
        window: 32,
        model_frames: 32,
        stride: 4,
        expire_after: 30,
    });
    for f in &frames[..100] {
        asm.push(f).unwrap();
    }
    let (windows, allocations) = allocations_during(|| {
        frames[100..]
            .iter()
            .filter(|f| asm.push(f).unwrap().is_some())
            .count()
    });
    assert_eq!(windows, 125);
    assert_eq!(allocations, 0, "{allocations} allocations in 500 frames");
}

#[test]
fn the_inference_step_allocates_nothing_per_frame_or_window() {
    let mut core = common::stream_core();
    let frames = two_bodies(400);
    let mut out = Vec::with_capacity(4096);
    for f in &frames[..100] {
        core.on_frame(f, Instant::now(), &mut out).unwrap();
    }
    let mut last = Vec::with_capacity(4096);
    let (labels, allocations) = allocations_during(|| {
        let mut labels = 0;
        for f in &frames[100..] {
            if core
                .on_frame(f, Instant::now(), &mut out)
                .unwrap()
                .is_some()
            {
                labels += 1;
                last.clear();
                last.extend_from_slice(&out);
            }
        }
        labels
    });
    assert_eq!(labels, 75);
    assert_eq!(
        allocations, 0,
        "{allocations} allocations in 300 frames / 75 windows"
    );
    // And what it wrote is a complete label of both bodies.
    let m = LabelMessage::from_json(&last).unwrap();
    assert_eq!((m.bodies.len(), m.seq_last, m.top.len()), (2, 400, 5));
}

#[test]
fn four_bodies_in_two_windows_per_stride_allocate_nothing_either() {
    let mut core = common::stream_core();
    let frames = moving(&[(5, -1.8), (9, -1.2), (12, 1.2), (14, 1.8)], 400);
    let mut out = Vec::with_capacity(4096);
    let mut step = |core: &mut scale::stream::server::Core, f: &SkeletonFrame| {
        let mut labels = 0;
        let mut next = core.on_frame(f, Instant::now(), &mut out).unwrap();
        while next.is_some() {
            labels += 1;
            next = core.next_window(Instant::now(), &mut out).unwrap();
        }
        labels
    };
    for f in &frames[..100] {
        step(&mut core, f);
    }
    let (labels, allocations) = allocations_during(|| {
        frames[100..]
            .iter()
            .map(|f| step(&mut core, f))
            .sum::<usize>()
    });
    assert_eq!(labels, 150, "two windows in each of 75 strides");
    assert_eq!(
        allocations, 0,
        "{allocations} allocations in 300 frames / 150 windows"
    );
}

#[test]
fn one_person_windows_through_the_one_body_encoder_allocate_nothing_either() {
    let mut core = common::stream_core();
    let frames = moving(&[(5, 0.0)], 400);
    let mut out = Vec::with_capacity(4096);
    for f in &frames[..100] {
        core.on_frame(f, Instant::now(), &mut out).unwrap();
    }
    let (labels, allocations) = allocations_during(|| {
        frames[100..]
            .iter()
            .filter(|f| {
                core.on_frame(f, Instant::now(), &mut out)
                    .unwrap()
                    .is_some()
            })
            .count()
    });
    assert_eq!(labels, 75);
    assert_eq!(
        allocations, 0,
        "{allocations} allocations in 300 frames / 75 windows"
    );
    let m = LabelMessage::from_json(&out).unwrap();
    assert_eq!((m.bodies.len(), m.seq_last), (1, 400));
    assert!(
        core.engine().last_one_body(),
        "the bundled model runs one-person windows through encoder_1body.onnx"
    );
}
