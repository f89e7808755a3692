//! Action events through the server's per-frame step with the bundled model: a stream of two
//! synthetic actions with standing still between (then the person leaves) gives those two
//! actions as events, in order, with frame ranges within a window of the truth; standing still
//! alone gives none, its labels flagged `still`. Standing still is the last pose held with the
//! measured sensor model's noise. The two classes (`common::EVENT_ACTIONS`) are ones the
//! bundled model labels with high scores on these recordings (most classes score lower:
//! `docs/protocol.md`, "Events").

mod common;

use scale::protocol::{EventKind, EventMessage, LabelMessage, SkeletonFrame};
use scale::synth::{self, noise::NoiseModel};
use std::time::Instant;

const WINDOW: u64 = 64;

/// `n` frames of standing still in `pose`, as the sensor sees it.
fn still(pose: &SkeletonFrame, n: usize) -> Vec<SkeletonFrame> {
    synth::hold_still(pose, n, 5, NoiseModel::Measured)
}

/// Events and labels of a stream, with each window's best class, score and motion printed
/// (`--nocapture`).
fn events_and_labels(frames: &[SkeletonFrame]) -> (Vec<EventMessage>, Vec<LabelMessage>) {
    let mut core = common::stream_core();
    let mut out = Vec::new();
    let mut events = Vec::new();
    let mut labels = Vec::new();
    for f in frames {
        if let Some(s) = core.on_frame(f, Instant::now(), &mut out).unwrap() {
            let names = core.engine().class_names();
            eprintln!(
                "window {:>4}..{:<4} {:<40} {:.3}{} motion {:.1} mm{}",
                s.window.seq_first,
                s.window.seq_last,
                names[s.best],
                core.engine().scores()[s.best],
                if s.unknown { " unknown" } else { "" },
                1000.0 * s.window.motion,
                if s.window.still { " still" } else { "" }
            );
            labels.push(LabelMessage::from_json(&out).unwrap());
        }
        core.take_events(|e, ids, names| {
            let json = serde_json::to_vec(&e.message(ids, names)).unwrap();
            let m = EventMessage::from_json(&json).unwrap();
            eprintln!("event {m:?}");
            events.push(m);
        });
    }
    (events, labels)
}

#[test]
fn two_actions_with_standing_still_between_give_two_events() {
    let [first, second] = common::EVENT_ACTIONS;
    let a = common::synthetic_recording(first, 9, 1, 1000);
    let b = common::synthetic_recording(second, 9, 1, 1000);
    let pose = a.last().unwrap().clone();
    // The person then leaves: frames without bodies, until the server forgets the body.
    let mut gone = pose.clone();
    gone.bodies.clear();
    let (frames, ranges) = common::one_body_stream(&[a, still(&pose, 90), b, vec![gone; 40]]);
    let (events, labels) = events_and_labels(&frames);
    // No window wholly inside an action is still; every one wholly inside the pause is.
    let inside =
        |l: &LabelMessage, (first, last): (u64, u64)| l.seq_first >= first && l.seq_last <= last;
    for l in &labels {
        if inside(l, ranges[0]) || inside(l, ranges[2]) {
            assert!(!l.still, "{l:?}");
        }
        if inside(l, ranges[1]) {
            assert!(l.still, "{l:?}");
        }
    }
    let got = common::event_names(&events);
    assert_eq!(
        got,
        [
            (EventKind::Start, first),
            (EventKind::End, first),
            (EventKind::Start, second),
            (EventKind::End, second),
        ]
    );
    // Each event's frames are within one window of the action's true frames.
    for (e, &(first, last)) in [(&events[1], &ranges[0]), (&events[3], &ranges[2])] {
        assert!(
            e.seq_first + WINDOW >= first && e.seq_first <= first + WINDOW,
            "{e:?} vs {first}..{last}"
        );
        assert!(
            e.seq_last + WINDOW >= last && e.seq_last <= last + WINDOW,
            "{e:?} vs {first}..{last}"
        );
        assert_eq!(e.t_end_us, Some(e.seq_last * 33_333));
        assert!(e.windows >= 3 && e.score > 0.0 && e.score <= 1.0);
    }
}

#[test]
fn standing_still_gives_no_event() {
    let a = common::synthetic_recording("clapping", 9, 1, 1000);
    let pose = a.last().unwrap().clone();
    let (frames, _) = common::one_body_stream(&[still(&pose, 300)]);
    let (events, labels) = events_and_labels(&frames);
    assert!(events.is_empty(), "{events:?}");
    // Every label says so, with the motion it measured: the sensor noise, a few millimetres.
    assert_eq!(labels.len(), (300 - 64) / 4 + 1);
    for l in &labels {
        assert!(l.still && l.motion > 0.002 && l.motion < 0.030, "{l:?}");
    }
}
