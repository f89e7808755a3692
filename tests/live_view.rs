//! The live view (`scale serve --http`): the page at `/`, and over the WebSocket at `/ws` a
//! hello with the bones, then moving skeletons (25 joints per body) and labels, as a browser
//! gets them, from `scale serve` fed by `scale replay`.

mod common;

use futures::StreamExt;
use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits until `path` has a line containing `needle`; that line.
fn line_with(path: &std::path::Path, needle: &str) -> String {
    let t = Instant::now();
    loop {
        if let Ok(s) = std::fs::read_to_string(path)
            && let Some(l) = s.lines().find(|l| l.contains(needle))
        {
            return l.to_string();
        }
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "no {needle:?} in {}",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn the_live_view_streams_moving_skeletons_and_labels() {
    let Some(rec) = common::fixture("ntu/S001C001P001R001A001.skeleton") else {
        return;
    };
    let (frames, labels) = (
        format!("tcp://127.0.0.1:{}", port()),
        format!("tcp://127.0.0.1:{}", port()),
    );
    let http = format!("127.0.0.1:{}", port());
    let tmp = tempfile::tempdir().unwrap();
    let err = tmp.path().join("serve.err");
    let model = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models/default");
    let _server = Proc(
        Command::new(env!("CARGO_BIN_EXE_scale"))
            .args([
                "serve",
                "--frames",
                &frames,
                "--labels",
                &labels,
                "--no-control",
            ])
            .args(["--http", &http])
            .arg("--model")
            .arg(&model)
            .stderr(std::fs::File::create(&err).unwrap())
            .spawn()
            .unwrap(),
    );
    let url = line_with(&err, "live view at ");
    assert!(url.ends_with(&format!("http://{http}/")), "{url}");
    let _replay = Proc(
        Command::new(env!("CARGO_BIN_EXE_scale"))
            .arg("replay")
            .arg(&rec)
            .args(["--to", &frames, "--loop", "--gap", "0.3", "--no-wait"])
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );

    // The page.
    let mut s = std::net::TcpStream::connect(&http).unwrap();
    write!(
        s,
        "GET / HTTP/1.1\r\nHost: {http}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut page = String::new();
    s.read_to_string(&mut page).unwrap();
    assert!(
        page.starts_with("HTTP/1.1 200"),
        "{}",
        &page[..page.len().min(200)]
    );
    assert!(page.contains("<canvas") && page.contains("/ws"));

    // The WebSocket, as the page reads it.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (hello, skeletons, labelled) = rt.block_on(async {
        let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{http}/ws"))
            .await
            .unwrap();
        let mut hello = None;
        let mut skeletons: Vec<(u64, Vec<[f64; 3]>)> = Vec::new();
        let mut labelled = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        while (skeletons.len() < 20 || labelled.len() < 3) && Instant::now() < deadline {
            let Ok(Some(Ok(m))) = tokio::time::timeout(Duration::from_secs(5), ws.next()).await
            else {
                continue;
            };
            let Ok(text) = m.to_text() else { continue };
            let v: serde_json::Value = serde_json::from_str(text).unwrap();
            match v["type"].as_str().unwrap() {
                "hello" => hello = Some(v),
                "frame" => {
                    for b in v["bodies"].as_array().unwrap() {
                        let joints: Vec<[f64; 3]> =
                            serde_json::from_value(b["joints"].clone()).unwrap();
                        skeletons.push((v["seq"].as_u64().unwrap(), joints));
                    }
                }
                "label" => labelled.push(
                    scale::protocol::LabelMessage::from_json(
                        &serde_json::to_vec(&v["message"]).unwrap(),
                    )
                    .unwrap(),
                ),
                "event" => {}
                other => panic!("unexpected message type {other}"),
            }
        }
        (hello, skeletons, labelled)
    });
    let hello = hello.expect("a hello first");
    assert_eq!(hello["bones"].as_array().unwrap().len(), 24);
    assert_eq!(hello["joints"][3], "Head");
    assert!(skeletons.len() >= 20, "{} skeletons", skeletons.len());
    assert!(skeletons.iter().all(|(_, j)| j.len() == 25));
    // Moving: the hands do not stay put over the frames received.
    let hand = |k: usize| skeletons[k].1[11];
    let moved = (1..skeletons.len())
        .map(|k| {
            let (a, b) = (hand(0), hand(k));
            ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt()
        })
        .fold(0.0, f64::max);
    assert!(moved > 0.02, "the right hand moved {moved} m at most");
    // At most FRAME_HZ a second: seqs are 30 fps frames, so some are skipped.
    let seqs: Vec<u64> = skeletons.iter().map(|s| s.0).collect();
    assert!(seqs.windows(2).any(|w| w[1] > w[0] + 1), "{seqs:?}");
    assert!(labelled.len() >= 3 && labelled.iter().all(|l| !l.top.is_empty()));
}
