//! Subscribes to what `scale serve` publishes (labels, events, stats) and prints it.
//!
//! `cargo run --release --example subscribe_labels -- [ENDPOINT] [TOPIC…]`
//!
//! ENDPOINT defaults to `tcp://127.0.0.1:5556` (the server's `--labels`); TOPIC is a topic
//! prefix to subscribe to, as many as wanted (default: `labels events stats`; `events` alone
//! gives only the action events, an empty string everything).

use scale::protocol::{
    EventKind, EventMessage, LabelMessage, StatsMessage, TOPIC_EVENTS, TOPIC_LABELS, TOPIC_STATS,
};
use zeromq::{Socket, SocketRecv, SubSocket};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let ep = args.next().unwrap_or_else(|| "tcp://127.0.0.1:5556".into());
    let mut topics: Vec<String> = args.collect();
    if topics.is_empty() {
        topics = vec!["labels".into(), "events".into(), "stats".into()];
    }
    let mut socket = SubSocket::new();
    for topic in &topics {
        // ZeroMQ filters by prefix, on the publisher's side: "ev" would match "events" too.
        socket.subscribe(topic).await.map_err(|e| e.to_string())?;
    }
    socket
        .connect(&ep)
        .await
        .map_err(|e| format!("{ep}: {e}"))?;
    eprintln!("subscribed to {topics:?} at {ep}");
    loop {
        let parts = socket.recv().await.map_err(|e| e.to_string())?.into_vec();
        let [topic, payload] = parts.as_slice() else {
            eprintln!("a message of {} parts, not [topic, payload]", parts.len());
            continue;
        };
        match topic.as_ref() {
            TOPIC_LABELS => match LabelMessage::from_json(payload) {
                Ok(m) => println!(
                    "bodies {:?} frames {}-{}: {} ({:.2}){}  {} µs",
                    m.bodies,
                    m.seq_first,
                    m.seq_last,
                    m.top[0].name,
                    m.top[0].score,
                    if m.unknown { " [unknown]" } else { "" },
                    m.latency_us.total
                ),
                Err(e) => eprintln!("bad label message: {e}"),
            },
            TOPIC_EVENTS => match EventMessage::from_json(payload) {
                Ok(e) => println!(
                    "body {}: {} {:?} (frames {}-{}, {} windows, score {:.2})",
                    e.body,
                    match e.event {
                        EventKind::Start => "started",
                        EventKind::End => "ended",
                    },
                    e.class.name,
                    e.seq_first,
                    e.seq_last,
                    e.windows,
                    e.score
                ),
                Err(e) => eprintln!("bad event message: {e}"),
            },
            TOPIC_STATS => match StatsMessage::from_json(payload) {
                Ok(s) => println!(
                    "stats: {} frames in, {} dropped, {} labels, {} events",
                    s.frames_in,
                    s.dropped_total(),
                    s.labels,
                    s.events
                ),
                Err(e) => eprintln!("bad stats message: {e}"),
            },
            other => eprintln!("topic {:?}", String::from_utf8_lossy(other)),
        }
    }
}
