//! Hot functions of the input path: NTU parsing, frame decoding (JSON and binary), normalisation.

use criterion::{Criterion, criterion_group, criterion_main};
use scale::ntu::format::LineEnding;
use scale::ntu::{NtuBody, NtuFrame, NtuSequence};
use scale::protocol::{BodyFrame, Layout, SkeletonFrame};
use scale::skeleton::normalize::{Normalizer, window_len};
use scale::skeleton::{Joints, NUM_JOINTS};
use std::hint::black_box;

fn pose(t: usize) -> Joints {
    let mut j = [[0.0f32; 3]; NUM_JOINTS];
    for (v, p) in j.iter_mut().enumerate() {
        let a = t as f32 * 0.1 + v as f32;
        *p = [0.3 * a.sin(), 0.04 * v as f32, 3.0 + 0.1 * a.cos()];
    }
    j
}

fn bench(c: &mut Criterion) {
    let seq = NtuSequence {
        frames: (0..100)
            .map(|t| NtuFrame {
                bodies: vec![NtuBody::from_positions(7, &pose(t))],
            })
            .collect(),
    };
    let text = seq.to_text(LineEnding::Crlf);
    c.bench_function("ntu_parse_100_frames", |b| {
        b.iter(|| NtuSequence::parse(black_box(&text)).unwrap())
    });

    let frame = SkeletonFrame {
        seq: 1,
        t_us: 0,
        layout: Layout::KinectV2,
        bodies: vec![BodyFrame {
            id: 7,
            joints: pose(3).to_vec(),
            tracking: Some(vec![2; NUM_JOINTS]),
        }],
    };
    let json = frame.to_json();
    let bin = frame.to_binary();
    c.bench_function("decode_json_frame", |b| {
        b.iter(|| SkeletonFrame::decode(black_box(&json)).unwrap())
    });
    c.bench_function("decode_binary_frame", |b| {
        b.iter(|| SkeletonFrame::decode(black_box(&bin)).unwrap())
    });

    let track: Vec<Option<Joints>> = (0..64).map(|t| Some(pose(t))).collect();
    let mut norm = Normalizer::new(64);
    let mut out = vec![0.0f32; window_len(64)];
    c.bench_function("normalize_window_64", |b| {
        b.iter(|| norm.normalize(&[black_box(&track)], &mut out).unwrap())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
