//! Fuzzing the parsers that take outside input: the NTU reader, the frame decoder, the
//! `labels.csv` reader, a model folder's `SHA256SUMS`, class catalogues, control requests and what
//! a subscriber sends the labels publisher
//! (the motion-capture readers have `fuzz_mocap.rs`).
//!
//! Seeded mutations (byte flips, token swaps, deletions, duplications, truncations, huge
//! numbers) of valid inputs. Each input must give a value or an error — never a panic — and an
//! NTU error must name a line inside the input. Each test prints how many inputs it tried:
//! 30,000, or `SCALE_FUZZ_INPUTS` (the long mode: `docs/testing.md`).

mod common;

use common::Rng;
use scale::ntu::format::LineEnding;
use scale::ntu::{NtuBody, NtuFrame, NtuSequence};
use scale::protocol::{BodyFrame, Layout, SkeletonFrame};

const TOKENS: &[&str] = &[
    "0",
    "1",
    "2",
    "25",
    "-1",
    "NaN",
    "inf",
    "1e39",
    "18446744073709551616",
    "x",
    "",
    " ",
    "\r\n",
    "\n",
    "0.5",
    "99999999999",
];

/// The line number of an error `"{prefix}{line}: …"`.
fn line_of(e: &str, prefix: &str) -> Option<usize> {
    e.strip_prefix(prefix)
        .and_then(|r| r.split(':').next())
        .and_then(|l| l.parse().ok())
}

fn mutate(rng: &mut Rng, base: &[u8]) -> Vec<u8> {
    common::mutate(rng, base, TOKENS, 1)
}

fn small_sequence() -> NtuSequence {
    let mut pos = [[0.0f32; 3]; 25];
    for (i, p) in pos.iter_mut().enumerate() {
        *p = [i as f32 * 0.01, 0.5 - i as f32 * 0.02, 3.2];
    }
    let b = NtuBody::from_positions(72057594037931101, &pos);
    NtuSequence {
        frames: vec![
            NtuFrame {
                bodies: vec![b.clone()],
            },
            NtuFrame { bodies: vec![] },
            NtuFrame {
                bodies: vec![b.clone(), b],
            },
        ],
    }
}

#[test]
fn ntu_reader_never_panics_and_errors_point_inside_the_input() {
    let seeds = [
        small_sequence().to_text(LineEnding::Crlf),
        small_sequence().to_text(LineEnding::Lf),
    ];
    let mut rng = Rng(0x5eed_0001);
    let n = common::fuzz_inputs();
    let (mut ok, mut err) = (0, 0);
    for i in 0..n {
        let input = mutate(&mut rng, seeds[i % 2].as_bytes());
        let lines = input.iter().filter(|&&b| b == b'\n').count() + 1;
        match std::panic::catch_unwind(|| NtuSequence::parse_bytes(&input)) {
            Ok(Ok(_)) => ok += 1,
            Ok(Err(e)) => {
                err += 1;
                assert!(e.line <= lines, "line {} beyond {lines} lines: {e}", e.line);
                assert!(!e.to_string().is_empty());
            }
            Err(_) => panic!(
                "reader panicked on input #{i}: {:?}",
                String::from_utf8_lossy(&input)
            ),
        }
    }
    eprintln!("ntu reader fuzz: {n} inputs, {ok} parsed, {err} rejected");
    assert_eq!(ok + err, n);
    assert!(err > n / 2, "mutations should mostly break the file");
}

#[test]
fn frame_decoder_never_panics() {
    let body = |id| BodyFrame {
        id,
        joints: (0..25).map(|j| [j as f32 * 0.1, 0.2, 3.0]).collect(),
        tracking: Some(vec![2; 25]),
    };
    let f = SkeletonFrame {
        seq: 9,
        t_us: 123_456,
        layout: Layout::KinectV2,
        bodies: vec![body(1), body(2)],
    };
    let seeds = [f.to_json(), f.to_binary()];
    let mut rng = Rng(0x5eed_0002);
    let n = common::fuzz_inputs();
    let (mut ok, mut err) = (0, 0);
    for i in 0..n {
        let input = mutate(&mut rng, &seeds[i % 2]);
        match std::panic::catch_unwind(|| SkeletonFrame::decode(&input)) {
            Ok(Ok(frame)) => {
                ok += 1;
                frame.validate().expect("decoded frames are valid");
            }
            Ok(Err(e)) => {
                err += 1;
                assert!(!e.kind().is_empty());
            }
            Err(_) => panic!("decoder panicked on input #{i}: {input:?}"),
        }
    }
    eprintln!("frame decoder fuzz: {n} inputs, {ok} decoded, {err} rejected");
}

/// Fuzzes a line-oriented text parser: `n` mutations of `seed`, each parsed (panics caught);
/// `ok` checks a parsed value against the input text, `err` an error against the input's line
/// count. Returns (parsed, rejected).
fn fuzz_text<T>(
    name: &str,
    seed: &str,
    rng_seed: u64,
    parse: impl Fn(&str) -> Result<T, String> + std::panic::RefUnwindSafe,
    ok: impl Fn(&T, &str, usize),
    err: impl Fn(&str, usize),
) -> (usize, usize) {
    let mut rng = Rng(rng_seed);
    let n = common::fuzz_inputs();
    let (mut parsed, mut rejected) = (0, 0);
    for i in 0..n {
        let input = mutate(&mut rng, seed.as_bytes());
        let text = String::from_utf8_lossy(&input).into_owned();
        let lines = text.lines().count().max(1);
        match std::panic::catch_unwind(|| parse(&text)) {
            Ok(Ok(v)) => {
                parsed += 1;
                ok(&v, &text, lines);
            }
            Ok(Err(e)) => {
                rejected += 1;
                err(&e, lines);
            }
            Err(_) => panic!("{name} panicked on input #{i}: {text:?}"),
        }
    }
    eprintln!("{name} fuzz: {n} inputs, {parsed} parsed, {rejected} rejected");
    assert_eq!(parsed + rejected, n);
    (parsed, rejected)
}

#[test]
fn labels_csv_reader_never_panics_and_errors_name_a_line_inside_the_input() {
    let seed = "file,label,start,end,skeleton,notes\n\
                take1.jsonl,sit down,10,50,,\"first, take\"\n\
                amc/a.amc,squat,,,asf/bd.asf,x\n";
    fuzz_text(
        "labels.csv",
        seed,
        0x5eed_0003,
        |text| scale::recording::labels::parse(text, "labels.csv", std::path::Path::new("d")),
        |clips, _, lines| assert!(clips.iter().all(|c| c.line <= lines)),
        |e, lines| {
            if let Some(l) = line_of(e, "labels.csv:") {
                assert!(l <= lines, "line {l} beyond {lines} lines: {e}");
            }
            assert!(e.starts_with("labels.csv"), "{e}");
        },
    );
}

#[test]
fn model_manifest_parser_never_panics_and_errors_name_a_line_inside_the_input() {
    let h = "0123456789abcdef".repeat(4);
    let seed = format!("{h}  encoder.onnx\n{h} *model.json\n{h}  class_priors.safetensors\n");
    fuzz_text(
        "SHA256SUMS",
        &seed,
        0x5eed_0004,
        |text| scale::model::folder::Manifest::parse(text, "SHA256SUMS"),
        |m, text, _| {
            assert_eq!(m.files.len(), text.lines().count());
            for (name, hash) in &m.files {
                assert_eq!(hash.len(), 64);
                assert!(!name.is_empty() && !name.contains('/'), "{name:?}");
            }
        },
        |e, lines| {
            let line = line_of(e, "SHA256SUMS:").unwrap_or_else(|| panic!("no line number: {e}"));
            assert!((1..=lines).contains(&line), "line {line} of {lines}: {e}");
        },
    );
}

#[test]
fn catalogue_parser_never_panics() {
    let seed = r#"{"catalog": "mine", "version": 1, "classes": [
  {"id": 1, "name": "wave", "bodies": 1, "motion": "wave", "descriptions": ["waving a hand", "hand waving"]},
  {"id": 2, "name": "hug", "ntu_id": 55, "bodies": 2, "descriptions": ["two people hug"]},
  {"id": 3, "name": "sit down"}],
 "splits": {"s-2/1": {"unseen": [2]}}}"#;
    let mut rng = Rng(0x5eed_0005);
    let n = common::fuzz_inputs();
    let (mut ok, mut err) = (0, 0);
    for i in 0..n {
        let input = mutate(&mut rng, seed.as_bytes());
        let text = String::from_utf8_lossy(&input).into_owned();
        match std::panic::catch_unwind(|| scale::catalog::Catalog::parse(&text, "c.json")) {
            Ok(Ok(c)) => {
                ok += 1;
                assert!(!c.classes.is_empty());
                assert!(
                    c.classes.iter().all(|k| !k.name.trim().is_empty()),
                    "{text}"
                );
                for split in c.splits.values() {
                    assert!(
                        split
                            .unseen
                            .iter()
                            .all(|u| c.classes.iter().any(|k| k.id == *u))
                    );
                }
            }
            Ok(Err(e)) => {
                err += 1;
                assert!(e.to_string().starts_with("c.json: "), "{e}");
            }
            Err(_) => panic!("catalogue parser panicked on input #{i}: {text:?}"),
        }
    }
    eprintln!("catalogue fuzz: {n} inputs, {ok} parsed, {err} rejected");
    assert_eq!(ok + err, n);
}

#[test]
fn control_request_parser_never_panics_and_what_it_accepts_round_trips() {
    use scale::protocol::ControlRequest;
    let seeds: [&[u8]; 4] = [
        br#"{"op": "add", "name": "wave goodbye", "descriptions": ["waving one hand", "bye"]}"#,
        br#"{"op": "remove", "name": "clapping"}"#,
        br#"{"op": "list"}"#,
        br#"{"op": "allow", "names": ["clapping", "drink water"]}"#,
    ];
    let mut rng = Rng(0x5eed_0006);
    let n = common::fuzz_inputs();
    let (mut ok, mut err) = (0, 0);
    for i in 0..n {
        let input = mutate(&mut rng, seeds[i % seeds.len()]);
        match std::panic::catch_unwind(|| ControlRequest::from_json(&input)) {
            Ok(Ok(request)) => {
                ok += 1;
                let again = ControlRequest::from_json(&request.to_json()).expect("round trip");
                assert_eq!(again, request);
            }
            Ok(Err(e)) => {
                err += 1;
                assert!(!e.is_empty());
            }
            Err(_) => panic!(
                "control request parser panicked on input #{i}: {:?}",
                String::from_utf8_lossy(&input)
            ),
        }
    }
    eprintln!("control request fuzz: {n} inputs, {ok} parsed, {err} rejected");
    assert_eq!(ok + err, n);
}

#[test]
fn labels_publisher_never_panics_on_what_a_subscriber_sends() {
    use scale::stream::publisher::{Incoming, read_peer};
    // Greeting, READY (Socket-Type SUB), subscribe "labels", PING, cancel "labels".
    let mut session = vec![0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0x7f, 3, 1];
    session.extend_from_slice(b"NULL");
    session.resize(64, 0);
    session.extend_from_slice(b"\x04\x19\x05READY\x0bSocket-Type\x00\x00\x00\x03SUB");
    session.extend_from_slice(b"\x00\x07\x01labels");
    session.extend_from_slice(b"\x04\x08\x04PING\x00\x0a!");
    session.extend_from_slice(b"\x00\x07\x00labels");
    let (socket_type, requests) = read_peer(&session).expect("the seed is a valid session");
    assert_eq!((socket_type.as_slice(), requests.len()), (&b"SUB"[..], 3));
    let mut rng = Rng(0x5eed_0007);
    let n = common::fuzz_inputs();
    let (mut ok, mut err) = (0, 0);
    for i in 0..n {
        let input = mutate(&mut rng, &session);
        match std::panic::catch_unwind(|| read_peer(&input)) {
            Ok(Ok((_, requests))) => {
                ok += 1;
                for r in requests {
                    if let Incoming::Ping(context) = r {
                        assert!(context.len() <= 16);
                    }
                }
            }
            Ok(Err(e)) => {
                err += 1;
                assert!(!e.is_empty());
            }
            Err(_) => panic!("publisher's reader panicked on input #{i}: {input:?}"),
        }
    }
    eprintln!("labels publisher fuzz: {n} inputs, {ok} read, {err} rejected");
    assert_eq!(ok + err, n);
}
