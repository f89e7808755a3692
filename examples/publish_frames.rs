//! A bridge in Rust: binds a ZeroMQ PUB and publishes skeleton frames of a recording (or of a
//! synthetic one) at 30 fps, for `scale serve --frames tcp://127.0.0.1:5555` to read.
//!
//! `cargo run --release --example publish_frames -- [FILE.skeleton] [--binary]`
//!
//! With a real sensor, build a `SkeletonFrame` per body frame from the SDK (25 Kinect v2 or 32
//! Azure Kinect joints, metres, y up) and publish it the same way: `[b"frames", payload]`.

use scale::catalog::Catalog;
use scale::ntu::NtuSequence;
use scale::protocol::{SkeletonFrame, TOPIC_FRAMES};
use scale::synth::{self, SampleSpec};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use zeromq::{PubSocket, Socket, SocketSend, ZmqMessage};

fn frames(file: Option<&str>) -> Result<Vec<SkeletonFrame>, String> {
    let seq = match file {
        Some(f) => NtuSequence::read(std::path::Path::new(f)).map_err(|e| format!("{f}: {e}"))?,
        None => {
            let catalog = Catalog::builtin();
            let class = catalog
                .classes
                .iter()
                .find(|c| c.name == "hand waving")
                .ok_or("no 'hand waving' class")?;
            let spec = SampleSpec {
                class_id: class.id,
                subject: 3,
                camera: 2,
                replication: 1,
            };
            synth::generate(class, &spec, 1).map_err(|e| e.to_string())?
        }
    };
    Ok(seq.to_frames(0, 30.0))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let binary = args.iter().any(|a| a == "--binary");
    let file = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .map(String::as_str);
    let frames = frames(file)?;
    let mut socket = PubSocket::new();
    let ep = socket
        .bind("tcp://127.0.0.1:5555")
        .await
        .map_err(|e| e.to_string())?;
    eprintln!(
        "publishing {} frames on {ep} (loops; Ctrl-C stops)",
        frames.len()
    );
    let mut ticker = tokio::time::interval(Duration::from_micros(33_333));
    let mut seq = 1u64;
    loop {
        for f in &frames {
            ticker.tick().await;
            let mut f = f.clone();
            f.seq = seq;
            f.t_us = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_micros() as u64);
            seq += 1;
            let payload = if binary { f.to_binary() } else { f.to_json() };
            let mut m = ZmqMessage::from(TOPIC_FRAMES.to_vec());
            m.push_back(payload.into());
            // A PUB never blocks; frames sent before a subscriber connects are not delivered.
            socket.send(m).await.map_err(|e| e.to_string())?;
        }
    }
}
