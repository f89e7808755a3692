//! The live vocabulary (`scale serve --control`, `scale classes add|remove|list|allow`) with the
//! bundled model: a class added while a stream runs is ranked from the next window on and gives
//! events; a class removed ends its open event; every frame and window is accounted for across
//! the swaps; bad requests get a clear error and change nothing.

mod common;

use scale::catalog::Catalog;
use scale::protocol::{ControlReply, ControlRequest, EventKind, EventMessage};
use scale::stream::control;
use scale::stream::loopback;
use scale::stream::replay::{Recording, ReplayConfig, WireFormat};
use scale::stream::server::{Core, ServeConfig};
use scale::stream::vocabulary::Vocabulary;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

fn model() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models/default")
}

/// Plans a request, swaps its class set into the core (as the inference thread does) and
/// commits it; the events that the swap ended go to `events`.
fn change(
    vocabulary: &mut Vocabulary,
    core: &mut Core,
    request: ControlRequest,
    events: &mut Vec<EventMessage>,
) {
    let next = vocabulary.plan(&request).unwrap().expect("a change");
    let set = vocabulary.class_set(&next).unwrap();
    core.set_classes(set, |e, ids, names| events.push(message(e, ids, names)))
        .unwrap();
    vocabulary.commit(next);
}

fn message(e: &scale::stream::events::Event, ids: &[u32], names: &[String]) -> EventMessage {
    EventMessage::from_json(&serde_json::to_vec(&e.message(ids, names)).unwrap()).unwrap()
}

#[test]
fn a_class_added_mid_stream_is_ranked_and_gives_events() {
    // A class the bundled model scores above `--event-enter` on these recordings.
    let action = common::EVENT_ACTIONS[0];
    let class = Catalog::builtin().by_name(action).unwrap().clone();
    let a = common::synthetic_recording(action, 9, 1, 1000);
    let b = common::synthetic_recording(action, 9, 1, 1001);
    let pose = a.last().unwrap().clone();
    let (frames, _) = common::one_body_stream(&[a.clone(), vec![pose; 60], b]);
    let swap_at = (a.len() + 30) as u64;
    let second = (a.len() + 60) as u64;

    let mut vocabulary = Vocabulary::load(&model()).unwrap();
    let mut core = common::stream_core();
    let mut events = Vec::new();
    // Without the class from the start.
    change(
        &mut vocabulary,
        &mut core,
        ControlRequest::Remove {
            name: action.into(),
        },
        &mut events,
    );
    assert_eq!(core.engine().class_ids().len(), 39);
    assert!(!core.engine().class_ids().contains(&class.id));

    let mut out = Vec::new();
    let (mut windows, mut last_window) = (0u64, 0u64);
    let mut new_id = None;
    let (mut in_second, mut on_top) = (0, 0);
    for f in &frames {
        if f.seq == swap_at {
            // Mid-stream (while the person stands still): the class comes back, named by the
            // same text, under a new id.
            change(
                &mut vocabulary,
                &mut core,
                ControlRequest::Add {
                    name: class.name.clone(),
                    descriptions: class.descriptions.clone(),
                },
                &mut events,
            );
            let id = *core.engine().class_ids().last().unwrap();
            assert_ne!(id, class.id, "ids are never reused");
            assert_eq!(vocabulary.state().listing().len(), 40);
            new_id = Some(id);
        }
        if core
            .on_frame(f, Instant::now(), &mut out)
            .unwrap()
            .is_some()
        {
            windows += 1;
            let label = scale::protocol::LabelMessage::from_json(&out).unwrap();
            last_window = label.seq_last;
            let ids: Vec<u32> = label.top.iter().map(|c| c.id).collect();
            match new_id {
                None => assert!(!ids.contains(&class.id), "seq {}: {ids:?}", f.seq),
                // The windows of the second recording rank the new class.
                Some(id) if label.seq_first > second => {
                    in_second += 1;
                    on_top += usize::from(label.top[0].id == id);
                }
                Some(_) => {}
            }
        }
        core.take_events(|e, ids, names| events.push(message(e, ids, names)));
    }
    let new_id = new_id.unwrap();
    assert!(
        on_top * 2 > in_second,
        "the new class is the best in {on_top} of {in_second} windows"
    );
    // The windows: one every 4 frames once 64 have come (no frame was refused).
    assert_eq!(windows, (frames.len() as u64 - 64) / 4 + 1);
    let of_class: Vec<(EventKind, u32)> = events
        .iter()
        .filter(|e| e.class.name == action)
        .map(|e| (e.event, e.class.id))
        .collect();
    assert_eq!(of_class, [(EventKind::Start, new_id)], "{events:?}");
    let start = events.iter().find(|e| e.class.id == new_id).unwrap();
    assert!(start.seq_first > swap_at, "{start:?}");

    // Removed while it is going on: its event ends at once, under its id and name.
    let mut ended = Vec::new();
    change(
        &mut vocabulary,
        &mut core,
        ControlRequest::Remove {
            name: action.into(),
        },
        &mut ended,
    );
    assert_eq!(ended.len(), 1, "{ended:?}");
    assert_eq!(
        (
            ended[0].event,
            ended[0].class.id,
            ended[0].class.name.as_str()
        ),
        (EventKind::End, new_id, action)
    );
    // It ends with the last window it lasted through: the stream's last.
    assert_eq!(ended[0].seq_last, last_window);
}

#[test]
fn bad_requests_change_nothing() {
    let mut vocabulary = Vocabulary::load(&model()).unwrap();
    let all = vocabulary.state().listing();
    assert_eq!(all.len(), 40);
    let cases = [
        (
            ControlRequest::Remove {
                name: "flying".into(),
            },
            "no class named \"flying\"",
        ),
        (
            ControlRequest::Add {
                name: "clapping".into(),
                descriptions: vec![],
            },
            "exists already",
        ),
        (
            ControlRequest::Allow {
                names: vec!["clapping".into(), "juggling".into()],
            },
            "no class named \"juggling\"",
        ),
        (
            ControlRequest::Add {
                name: " ".into(),
                descriptions: vec![],
            },
            "empty",
        ),
    ];
    for (request, want) in cases {
        let e = vocabulary.plan(&request).unwrap_err();
        assert!(e.contains(want), "{request:?}: {e}");
        assert_eq!(vocabulary.state().listing(), all);
    }
    // An allow-list: only those are candidates; removing the last allowed one is refused.
    vocabulary
        .apply(&ControlRequest::Allow {
            names: vec!["clapping".into()],
        })
        .unwrap();
    let only = vocabulary.state().listing();
    assert_eq!(only.len(), 1);
    assert_eq!(only[0].name, "clapping");
    let e = vocabulary
        .plan(&ControlRequest::Remove {
            name: "clapping".into(),
        })
        .unwrap_err();
    assert!(e.contains("only allowed class"), "{e}");
    assert_eq!(vocabulary.class_set(vocabulary.state()).unwrap().len(), 1);
    // An empty list lifts it.
    vocabulary
        .apply(&ControlRequest::Allow { names: vec![] })
        .unwrap();
    assert_eq!(vocabulary.state().listing(), all);
}

#[test]
fn classes_flag_restricts_and_names_new_classes_by_text() {
    let mut vocabulary = Vocabulary::load(&model()).unwrap();
    vocabulary
        .restrict(&["clapping".into(), "wave goodbye".into()])
        .unwrap();
    let names: Vec<String> = vocabulary
        .state()
        .listing()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, ["clapping", "wave goodbye"]);
}

/// A request from another thread once `labels` has reached `after`: the reply and the label
/// count when it came; `None` when the stream ended first.
fn request_when(
    endpoint: &str,
    labels: &AtomicUsize,
    done: &AtomicBool,
    after: usize,
    request: ControlRequest,
) -> Option<(ControlReply, usize)> {
    while labels.load(Ordering::SeqCst) < after {
        if done.load(Ordering::SeqCst) {
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let reply = control::request(endpoint, &request, Duration::from_secs(60)).unwrap();
    Some((reply, labels.load(Ordering::SeqCst)))
}

#[test]
fn scale_classes_changes_the_labels_of_a_running_server() {
    let mut recordings = Vec::new();
    // Long enough for four requests (the first add loads the sentence encoder).
    for (i, name) in ["clapping", "cheer up", "drink water", "sitting down"]
        .iter()
        .cycle()
        .take(12)
        .enumerate()
    {
        recordings.push(Recording {
            name: name.to_string(),
            frames: common::synthetic_recording(name, 9, 1, 2000 + i as u64),
        });
    }
    // The control endpoint.
    let endpoint = common::free_endpoint();
    let mut serve = ServeConfig::new("", "", model());
    serve.top_k = 100;
    serve.control = Some(endpoint.clone());
    let replay = ReplayConfig {
        fps: 30.0,
        speed: 1.0,
        looped: false,
        format: WireFormat::Json,
        gap_s: 0.5,
    };
    let received = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let client = {
        let (endpoint, received, done) = (endpoint.clone(), received.clone(), done.clone());
        std::thread::spawn(move || {
            let at = |after: usize, request: ControlRequest| {
                request_when(&endpoint, &received, &done, after, request)
            };
            let add = at(
                5,
                ControlRequest::Add {
                    name: "wave goodbye".into(),
                    descriptions: vec!["waving one hand from side to side".into()],
                },
            )?;
            let bad = at(
                add.1 + 10,
                ControlRequest::Remove {
                    name: "juggling".into(),
                },
            )?;
            let list = at(0, ControlRequest::List {})?;
            let remove = at(
                list.1 + 10,
                ControlRequest::Remove {
                    name: "wave goodbye".into(),
                },
            )?;
            Some((add, bad, list, remove))
        })
    };
    let run = loopback::run(&recordings, serve, &replay, &mut |_, _| {
        received.fetch_add(1, Ordering::SeqCst);
    });
    done.store(true, Ordering::SeqCst);
    let run = run.unwrap();
    let (add, bad, list, remove) = client
        .join()
        .unwrap()
        .expect("the stream lasted for all four requests");

    let classes = add.0.classes.clone().expect("the add succeeded");
    assert_eq!(classes.len(), 41);
    let wave = classes.last().unwrap();
    assert_eq!(wave.name, "wave goodbye");
    assert!(!bad.0.ok && bad.0.error.as_ref().unwrap().contains("juggling"));
    assert_eq!(
        list.0.classes.as_ref(),
        Some(&classes),
        "the bad request changed nothing"
    );
    assert_eq!(remove.0.classes.as_ref().unwrap().len(), 40);

    // Every label ranks all classes (top-k 100): 40, then 41 with the new class from some
    // label on, then 40 again; the switches happen once each, and not before the requests
    // were sent (labels already in flight may arrive after a reply).
    let has: Vec<bool> = run
        .labels
        .iter()
        .map(|l| {
            let n = l.message.top.len();
            let with = l.message.top.iter().any(|c| c.id == wave.id);
            assert_eq!(n, if with { 41 } else { 40 });
            with
        })
        .collect();
    let first = has
        .iter()
        .position(|&h| h)
        .expect("labels with the new class");
    let last = has.iter().rposition(|&h| h).unwrap();
    assert!(has[first..=last].iter().all(|&h| h), "one switch each way");
    assert!(first >= 5, "{first}");
    assert!(
        last >= first + 10 && last + 1 < has.len(),
        "{first}..={last} of {}",
        has.len()
    );

    // Accounting: every frame sent came in and was accepted; every window was labelled and
    // every label reached the subscriber.
    let stats = run.stats.expect("a last stats message");
    assert_eq!(stats.frames_in, run.sent.len() as u64);
    assert_eq!(stats.dropped_total(), 0, "{stats:?}");
    assert_eq!(stats.windows, stats.labels);
    assert_eq!(stats.labels_dropped, 0);
    assert_eq!(run.labels.len() as u64, stats.labels);
}
