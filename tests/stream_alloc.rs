//! The window assembler does not allocate per frame or per window once warm: a counting global
//! allocator watches 500 frames of two bodies producing windows every 4 frames.

use scale::protocol::{BodyFrame, Layout, SkeletonFrame};
use scale::stream::window::{WindowAssembler, WindowConfig};
use std::alloc::{GlobalAlloc, Layout as AllocLayout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: AllocLayout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: AllocLayout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn no_allocation_per_frame_or_window_after_warm_up() {
    // Frames are made up front: decoding is the network side's job, not the assembler's.
    let frames: Vec<SkeletonFrame> = (1..=600u64)
        .map(|seq| SkeletonFrame {
            seq,
            t_us: seq * 33_333,
            layout: Layout::KinectV2,
            bodies: [5u64, 9]
                .iter()
                .map(|&id| BodyFrame {
                    id,
                    joints: (0..25)
                        .map(|j| {
                            [
                                0.01 * j as f32 + 0.1 * ((seq + id) as f32 * 0.2).sin(),
                                0.04 * j as f32,
                                3.0,
                            ]
                        })
                        .collect(),
                    tracking: None,
                })
                .collect(),
        })
        .collect();
    let mut asm = WindowAssembler::new(WindowConfig {
        window: 32,
        model_frames: 32,
        stride: 4,
        expire_after: 30,
    });
    for f in &frames[..100] {
        asm.push(f).unwrap();
    }
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    let mut windows = 0;
    for f in &frames[100..] {
        windows += usize::from(asm.push(f).unwrap().is_some());
    }
    let after = ALLOCATIONS.load(Ordering::SeqCst);
    assert_eq!(windows, 125);
    assert_eq!(
        after - before,
        0,
        "{} allocations in 500 frames",
        after - before
    );
}
