//! Subscribes to the labels and stats `scale serve` publishes and prints them.
//!
//! `cargo run --release --example subscribe_labels -- [tcp://127.0.0.1:5556]`

use scale::protocol::{LabelMessage, StatsMessage, TOPIC_LABELS, TOPIC_STATS};
use zeromq::{Socket, SocketRecv, SubSocket};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), String> {
    let ep = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "tcp://127.0.0.1:5556".into());
    let mut socket = SubSocket::new();
    socket
        .subscribe("labels")
        .await
        .map_err(|e| e.to_string())?;
    socket.subscribe("stats").await.map_err(|e| e.to_string())?;
    socket
        .connect(&ep)
        .await
        .map_err(|e| format!("{ep}: {e}"))?;
    eprintln!("subscribed to {ep}");
    loop {
        let parts = socket.recv().await.map_err(|e| e.to_string())?.into_vec();
        let [topic, payload] = parts.as_slice() else {
            continue;
        };
        if topic.as_ref() == TOPIC_LABELS {
            match LabelMessage::from_json(payload) {
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
            }
        } else if topic.as_ref() == TOPIC_STATS
            && let Ok(s) = StatsMessage::from_json(payload)
        {
            println!(
                "stats: {} frames in, {} dropped, {} labels",
                s.frames_in,
                s.dropped_total(),
                s.labels
            );
        }
    }
}
