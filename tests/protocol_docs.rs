//! The examples in `docs/protocol.md` decode to what the text around them says.

use scale::protocol::{
    ControlReply, ControlRequest, DROP_REASONS, EventKind, EventMessage, LabelMessage, Layout,
    SkeletonFrame, StatsMessage,
};

fn example(name: &str) -> String {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/protocol.md")).unwrap();
    let marker = format!("<!-- example: {name} -->");
    let start = doc
        .find(&marker)
        .unwrap_or_else(|| panic!("no example {name}"));
    let body = &doc[start..];
    let open = body.find("```").unwrap();
    let after = &body[open..];
    let first_nl = after.find('\n').unwrap();
    let close = after[first_nl..].find("```").unwrap();
    after[first_nl + 1..first_nl + close].to_string()
}

#[test]
fn frame_examples_decode() {
    let k = SkeletonFrame::decode(example("frame-kinect").as_bytes()).unwrap();
    assert_eq!(
        (k.seq, k.layout, k.bodies.len(), k.bodies[0].joints.len()),
        (42, Layout::KinectV2, 1, 25)
    );
    assert_eq!(k.bodies[0].tracking.as_ref().unwrap()[21], 1);
    let a = SkeletonFrame::decode(example("frame-azure").as_bytes()).unwrap();
    assert_eq!(
        (a.layout, a.bodies[0].joints.len()),
        (Layout::AzureKinect, 32)
    );
    // The Azure body reduces to the Kinect body of the first example.
    assert_eq!(
        a.bodies[0].kinect_joints(a.layout),
        k.bodies[0].kinect_joints(k.layout)
    );

    // The Kinect v1 body: 17 joints copied by name, five placed by rule.
    let v1 = SkeletonFrame::decode(example("frame-kinect-v1").as_bytes()).unwrap();
    assert_eq!(
        (v1.layout, v1.bodies[0].joints.len()),
        (Layout::KinectV1, 20)
    );
    let (jv1, jk) = (
        v1.bodies[0].kinect_joints(v1.layout),
        k.bodies[0].kinect_joints(k.layout),
    );
    for (j, name) in scale::skeleton::joints::JOINT_NAMES.iter().enumerate() {
        if ![
            "Neck",
            "HandTipLeft",
            "ThumbLeft",
            "HandTipRight",
            "ThumbRight",
        ]
        .contains(name)
        {
            assert_eq!(jv1[j], jk[j], "{name}");
        }
    }
    // Placed: Neck between SpineShoulder and Head; hand tips past the hands.
    assert!(jv1[2][1] > jv1[20][1] && jv1[2][1] < jv1[3][1]);
    assert!(jv1[21][1] < jv1[7][1] && jv1[23][1] < jv1[11][1]);
    assert_eq!(SkeletonFrame::decode(&v1.to_binary()).unwrap(), v1);

    let hex: String = example("frame-binary")
        .lines()
        .flat_map(|l| l.split_whitespace().skip(1))
        .collect::<Vec<_>>()
        .concat();
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    assert_eq!(bytes.len(), 361);
    assert_eq!(SkeletonFrame::decode(&bytes).unwrap(), k);
    assert_eq!(k.to_binary(), bytes);
}

#[test]
fn label_example_parses() {
    let m = LabelMessage::from_json(example("label").as_bytes()).unwrap();
    assert_eq!(
        (
            m.bodies.clone(),
            m.seq_last,
            m.top.len(),
            m.latency_us.total
        ),
        (vec![7], 64, 3, 830)
    );
    assert_eq!(m.top[0].name, "drink water");
}

#[test]
fn event_examples_parse() {
    let start = EventMessage::from_json(example("event-start").as_bytes()).unwrap();
    assert_eq!(
        (
            start.event,
            start.body,
            start.class.id,
            start.class.name.as_str()
        ),
        (EventKind::Start, 7, 9, "clapping")
    );
    assert_eq!(
        (start.t_end_us, start.seq_first, start.windows),
        (None, 5, 3)
    );
    let end = EventMessage::from_json(example("event-end").as_bytes()).unwrap();
    assert_eq!(end.event, EventKind::End);
    assert_eq!(end.t_start_us, start.t_start_us);
    assert_eq!(
        (end.t_end_us, end.seq_last, end.windows),
        (Some(1700000004933284), 148, 20)
    );
    assert!((end.score - 0.303).abs() < 1e-6);
    // What the server writes parses back to the same message.
    let json = serde_json::to_vec(&end).unwrap();
    assert_eq!(EventMessage::from_json(&json).unwrap(), end);
}

#[test]
fn stats_example_parses_and_names_every_drop_reason() {
    let m = StatsMessage::from_json(example("stats").as_bytes()).unwrap();
    assert_eq!(
        (m.frames_in, m.frames_accepted, m.dropped_total()),
        (312, 300, 12)
    );
    assert_eq!(m.frames_in - m.frames_accepted, m.dropped_total());
    let mut names: Vec<&str> = m.dropped.keys().map(String::as_str).collect();
    let mut reasons = DROP_REASONS.to_vec();
    names.sort_unstable();
    reasons.sort_unstable();
    assert_eq!(names, reasons);
    assert_eq!(m.latency_us.total.p99, 7800);
    // Every reason is named in the Errors section or the stats table.
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/protocol.md")).unwrap();
    for r in DROP_REASONS {
        assert!(doc.contains(&format!("`{r}`")), "{r} is not documented");
    }
}

#[test]
fn control_examples_parse() {
    let add = ControlRequest::from_json(example("control-add").as_bytes()).unwrap();
    assert_eq!(
        add,
        ControlRequest::Add {
            name: "wave goodbye".into(),
            descriptions: vec!["waving one hand from side to side".into()],
        }
    );
    let ok = ControlReply::from_json(example("control-reply").as_bytes()).unwrap();
    let classes = ok.classes.unwrap();
    assert!(ok.ok && ok.error.is_none());
    assert_eq!(
        (classes[1].id, classes[1].name.as_str()),
        (41, "wave goodbye")
    );
    let bad = ControlReply::from_json(example("control-error").as_bytes()).unwrap();
    assert!(!bad.ok && bad.classes.is_none());
    assert!(
        bad.error
            .unwrap()
            .starts_with("no class named \"juggling\"")
    );
}
