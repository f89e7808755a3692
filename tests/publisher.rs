//! The labels publisher (`scale::stream::publisher`) against the zeromq crate's SUB and against
//! hand-written peers: topics, long frames, `ipc://`, a subscriber that never reads (bounded
//! queue, exact accounting, the others unaffected) and peers that break the protocol.
//! pyzmq (libzmq) subscribers are exercised through the server in `tests/interop.rs`.

use scale::stream::publisher::{Limits, Publisher};
use std::io::{Read, Write};
use std::time::{Duration, Instant};
use zeromq::{Socket, SocketRecv, SubSocket};

fn runtime() -> tokio::runtime::Runtime {
    scale::stream::net::runtime().unwrap()
}

/// A publisher on a free loopback port.
async fn loopback(limits: Limits) -> Publisher {
    Publisher::bind("tcp://127.0.0.1:0", limits, None)
        .await
        .unwrap()
}

async fn sub(endpoint: &str, topic: &str) -> SubSocket {
    let mut s = SubSocket::new();
    s.subscribe(topic).await.unwrap();
    s.connect(endpoint).await.unwrap();
    s
}

async fn recv(s: &mut SubSocket) -> (Vec<u8>, Vec<u8>) {
    let m = tokio::time::timeout(Duration::from_secs(5), s.recv())
        .await
        .expect("a message within 5 s")
        .unwrap();
    let parts = m.into_vec();
    assert_eq!(parts.len(), 2, "two parts: topic and payload");
    (parts[0].to_vec(), parts[1].to_vec())
}

/// Publishes probes on `topic` until `s` has one (its subscription has arrived), then returns.
async fn until_subscribed(p: &Publisher, s: &mut SubSocket, topic: &[u8]) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        assert!(Instant::now() < deadline, "no subscription within 5 s");
        p.send(topic, b"probe");
        if let Ok(m) = tokio::time::timeout(Duration::from_millis(20), s.recv()).await {
            assert_eq!(m.unwrap().into_vec()[1].as_ref(), b"probe");
            break;
        }
    }
    // Probes still in flight.
    while let Ok(m) = tokio::time::timeout(Duration::from_millis(50), s.recv()).await {
        assert_eq!(m.unwrap().into_vec()[1].as_ref(), b"probe");
    }
}

/// A ZMTP 3.1 greeting and a READY naming `socket_type`, as a peer sends them.
fn greeting_and_ready(socket_type: &[u8]) -> Vec<u8> {
    let mut g = vec![0u8; 64];
    g[0] = 0xff;
    g[9] = 0x7f;
    g[10] = 3;
    g[11] = 1;
    g[12..16].copy_from_slice(b"NULL");
    let mut body = vec![5u8];
    body.extend_from_slice(b"READY");
    body.push(11);
    body.extend_from_slice(b"Socket-Type");
    body.extend_from_slice(&(socket_type.len() as u32).to_be_bytes());
    body.extend_from_slice(socket_type);
    g.push(0x04);
    g.push(body.len() as u8);
    g.extend_from_slice(&body);
    g
}

/// A hand-written peer: connects, sends `bytes`, and keeps the connection.
fn raw_peer(endpoint: &str, bytes: &[u8]) -> std::net::TcpStream {
    let address = endpoint.strip_prefix("tcp://").unwrap();
    let mut s = std::net::TcpStream::connect(address).unwrap();
    s.write_all(bytes).unwrap();
    s
}

/// Whether the publisher closes `s` within 5 s (after its greeting and READY, if any).
fn closed_by_publisher(s: &mut std::net::TcpStream) -> bool {
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return true,
            Err(_) => return false,
        }
    }
}

#[test]
fn a_subscriber_gets_only_the_topics_it_asked_for_whole() {
    runtime().block_on(async {
        let p = loopback(Limits::default()).await;
        assert!(p.endpoint().starts_with("tcp://127.0.0.1:"));
        assert!(!p.endpoint().ends_with(":0"));
        let mut s = sub(p.endpoint(), "labels").await;
        until_subscribed(&p, &mut s, b"labels").await;
        assert_eq!(p.subscribers(), 1);

        let long: Vec<u8> = (0..70_000u32).map(|i| (i % 251) as u8).collect();
        p.send(b"stats", b"{\"v\":1}");
        p.send(b"labels", b"first");
        p.send(b"events", b"not this");
        p.send(b"labels", &long);
        p.send(b"labels", b"");
        assert_eq!(recv(&mut s).await, (b"labels".to_vec(), b"first".to_vec()));
        assert_eq!(recv(&mut s).await, (b"labels".to_vec(), long));
        assert_eq!(recv(&mut s).await, (b"labels".to_vec(), vec![]));
        assert!(
            tokio::time::timeout(Duration::from_millis(200), s.recv())
                .await
                .is_err(),
            "nothing on other topics"
        );
        assert_eq!(p.dropped(), 0);
        let st = p.subscriber_stats();
        assert_eq!((st[0].queued, st[0].dropped), (0, 0));
    });
}

#[test]
fn ipc_endpoints_work_and_a_stale_socket_file_is_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("labels.sock");
    // A socket file nobody accepts on, as a process that died leaves it.
    drop(std::os::unix::net::UnixListener::bind(&path).unwrap());
    assert!(path.exists());
    let endpoint = format!("ipc://{}", path.display());
    runtime().block_on(async {
        let p = Publisher::bind(&endpoint, Limits::default(), None)
            .await
            .unwrap();
        assert_eq!(p.endpoint(), endpoint);
        let mut s = sub(&endpoint, "").await;
        until_subscribed(&p, &mut s, b"x").await;
        p.send(b"events", b"{}");
        assert_eq!(recv(&mut s).await, (b"events".to_vec(), b"{}".to_vec()));
        // A second bind on a live endpoint is an error naming it, not a takeover.
        let err = Publisher::bind(&endpoint, Limits::default(), None)
            .await
            .err()
            .unwrap();
        assert!(err.contains(&endpoint), "{err}");
    });
}

#[test]
fn a_subscriber_that_stops_reading_costs_a_bounded_queue_and_holds_up_no_one() {
    const SENT: usize = 20_000;
    const PAYLOAD: usize = 2000;
    let limits = Limits {
        messages: 200,
        ..Limits::default()
    };
    runtime().block_on(async {
        let p = loopback(limits).await;
        // The stalled peer: greeting, READY, subscribe to everything, then never a read.
        let mut hello = greeting_and_ready(b"SUB");
        hello.extend_from_slice(&[0x00, 0x01, 0x01]);
        let _stalled = raw_peer(p.endpoint(), &hello);
        let mut fast = sub(p.endpoint(), "").await;
        until_subscribed(&p, &mut fast, b"labels").await;
        let deadline = Instant::now() + Duration::from_secs(5);
        while p.subscriber_stats().len() < 2 {
            assert!(
                Instant::now() < deadline,
                "the stalled peer never subscribed"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let stalled_before = p.subscriber_stats()[0];
        let mut payload = vec![b'.'; PAYLOAD];
        for chunk in 0..SENT / 50 {
            for i in 0..50 {
                let n = (chunk * 50 + i) as u32;
                payload[..4].copy_from_slice(&n.to_be_bytes());
                p.send(b"labels", &payload);
            }
            for i in 0..50 {
                let (_, got) = recv(&mut fast).await;
                let n = u32::from_be_bytes(got[..4].try_into().unwrap());
                assert_eq!(
                    n as usize,
                    chunk * 50 + i,
                    "the fast one gets every message in order"
                );
            }
            let st = p.subscriber_stats()[0];
            assert!(st.queued <= limits.messages, "{st:?}");
        }
        let stats = p.subscriber_stats();
        let (stalled, quick) = (stats[0], stats[1]);
        let stalled_sent = (stalled.written + stalled.dropped + stalled.queued as u64)
            - (stalled_before.written + stalled_before.dropped + stalled_before.queued as u64);
        assert_eq!(
            stalled_sent, SENT as u64,
            "every message is queued, written or dropped"
        );
        assert!(stalled.queued <= limits.messages);
        assert!(stalled.queued_bytes <= limits.messages * (PAYLOAD + 20));
        // The kernel's socket buffers take some megabytes; the rest is dropped, not held.
        assert!(
            stalled.dropped > (SENT / 2) as u64,
            "the stalled one misses most: {stalled:?}"
        );
        assert_eq!(quick.dropped, 0);
        assert_eq!(p.dropped(), stalled.dropped);
    });
}

#[test]
fn peers_that_break_the_protocol_are_closed_and_the_others_carry_on() {
    runtime().block_on(async {
        let p = loopback(Limits::default()).await;
        let mut good = sub(p.endpoint(), "labels").await;
        until_subscribed(&p, &mut good, b"labels").await;
        let endpoint = p.endpoint().to_string();
        let peers = tokio::task::spawn_blocking(move || {
            let mut http = raw_peer(
                &endpoint,
                b"GET / HTTP/1.1\r\nHost: x\r\n\r\n                                      ",
            );
            let mut push = raw_peer(&endpoint, &greeting_and_ready(b"PUSH"));
            let mut huge = greeting_and_ready(b"SUB");
            huge.push(0x02);
            huge.extend_from_slice(&(1u64 << 40).to_be_bytes());
            let mut huge = raw_peer(&endpoint, &huge);
            let mut reserved = greeting_and_ready(b"SUB");
            reserved.extend_from_slice(&[0x80, 0x00]);
            let mut reserved = raw_peer(&endpoint, &reserved);
            [
                closed_by_publisher(&mut http),
                closed_by_publisher(&mut push),
                closed_by_publisher(&mut huge),
                closed_by_publisher(&mut reserved),
            ]
        });
        // The good subscriber is served while the bad peers come and go.
        for i in 0..20u8 {
            p.send(b"labels", &[i]);
            assert_eq!(recv(&mut good).await.1, vec![i]);
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(peers.await.unwrap(), [true; 4]);
        assert_eq!(p.refused(), 4);
        p.send(b"labels", b"after");
        assert_eq!(recv(&mut good).await.1, b"after".to_vec());
        assert_eq!(p.subscribers(), 1);
    });
}

#[test]
fn more_subscribers_than_the_limit_are_turned_away() {
    let limits = Limits {
        subscribers: 1,
        ..Limits::default()
    };
    runtime().block_on(async {
        let p = loopback(limits).await;
        let mut first = sub(p.endpoint(), "").await;
        until_subscribed(&p, &mut first, b"x").await;
        let endpoint = p.endpoint().to_string();
        let second = tokio::task::spawn_blocking(move || {
            let mut s = raw_peer(&endpoint, &greeting_and_ready(b"SUB"));
            closed_by_publisher(&mut s)
        });
        while !second.is_finished() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(second.await.unwrap());
        assert_eq!((p.subscribers(), p.refused()), (1, 1));
        p.send(b"labels", b"still");
        assert_eq!(recv(&mut first).await.1, b"still".to_vec());
    });
}
