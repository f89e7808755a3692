//! The control socket of `scale serve --control EP`: a ZeroMQ REP on its own thread that
//! changes the live vocabulary ([`super::vocabulary`]) while the stream runs, and the client
//! that `scale classes add|remove|list|allow` uses.
//!
//! A change is planned (new text embedded here, on the control thread), its class set built,
//! handed to the inference thread, which swaps it in between two windows and hands the old set
//! back; only then is the change committed and the reply sent. So a reply's class list is what
//! the next label is ranked against, and a request that fails changes nothing.

use super::engine::ClassSet;
use super::net::{self, Shutdown};
use super::vocabulary::Vocabulary;
use crate::protocol::{ControlReply, ControlRequest};
use crossbeam_channel::{Receiver, Sender};
use std::sync::Arc;
use std::time::Duration;
use zeromq::{RepSocket, ReqSocket, Socket, SocketRecv, SocketSend, ZmqMessage};

/// Default endpoint of the control socket (loopback only).
pub const DEFAULT_CONTROL: &str = "tcp://127.0.0.1:5557";
/// How long the control thread waits for the inference thread to take a new class set.
const SWAP_TIMEOUT: Duration = Duration::from_secs(10);

/// The control thread's ends of the channels to the inference thread.
pub struct ControlLink {
    /// New class sets, to the inference thread.
    pub sets: Sender<ClassSet>,
    /// The replaced set (to be dropped here), or why the swap was refused.
    pub swapped: Receiver<Result<ClassSet, String>>,
}

/// Carries out one request: the reply to send.
pub fn handle(vocabulary: &mut Vocabulary, link: &ControlLink, payload: &[u8]) -> ControlReply {
    let request = match ControlRequest::from_json(payload) {
        Ok(r) => r,
        Err(e) => return ControlReply::error(e),
    };
    let next = match vocabulary.plan(&request) {
        Ok(Some(next)) => next,
        Ok(None) => return ControlReply::classes(vocabulary.state().listing()),
        Err(e) => return ControlReply::error(e),
    };
    let set = match vocabulary.class_set(&next) {
        Ok(s) => s,
        Err(e) => return ControlReply::error(e),
    };
    if link.sets.send_timeout(set, SWAP_TIMEOUT).is_err() {
        return ControlReply::error("the server is stopping: the classes were not changed");
    }
    match link.swapped.recv_timeout(SWAP_TIMEOUT) {
        Ok(Ok(old)) => {
            drop(old);
            vocabulary.commit(next);
            ControlReply::classes(vocabulary.state().listing())
        }
        Ok(Err(e)) => ControlReply::error(e),
        Err(_) => ControlReply::error(
            "the inference thread did not take the new classes (is the server stopping?)",
        ),
    }
}

/// Binds the REP at `endpoint`, reports the bound endpoint on `bound`, and answers requests
/// until `shutdown`.
pub fn run(
    endpoint: &str,
    mut vocabulary: Vocabulary,
    link: ControlLink,
    shutdown: Arc<Shutdown>,
    bound: Sender<Result<String, String>>,
    log: bool,
) -> Result<(), String> {
    let rt = net::runtime()?;
    let result = rt.block_on(async {
        let mut rep = RepSocket::new();
        match net::bind(&mut rep, endpoint).await {
            Ok(ep) => {
                let _ = bound.send(Ok(ep));
            }
            Err(e) => {
                let e = format!("control: {e}");
                let _ = bound.send(Err(e.clone()));
                return Err(e);
            }
        }
        loop {
            let received = tokio::select! {
                m = rep.recv() => m,
                _ = shutdown.stopped() => return Ok(()),
            };
            let message = match received {
                Ok(m) => m,
                Err(_) => {
                    // A client that went away mid-request; wait for the next one.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            };
            let reply = if message.len() == 1 {
                let payload = message.get(0).map(|b| b.to_vec()).unwrap_or_default();
                handle(&mut vocabulary, &link, &payload)
            } else {
                ControlReply::error(format!(
                    "a request is one message part of JSON, got {} parts",
                    message.len()
                ))
            };
            if log {
                match &reply.error {
                    Some(e) => eprintln!("scale serve: control request refused: {e}"),
                    None => eprintln!(
                        "scale serve: {} active classes",
                        reply.classes.as_ref().map_or(0, Vec::len)
                    ),
                }
            }
            let _ = rep
                .send(ZmqMessage::from(bytes::Bytes::from(reply.to_json())))
                .await;
        }
    });
    rt.shutdown_timeout(Duration::from_millis(100));
    result
}

/// Sends one request to a server's control socket and waits up to `timeout` for the reply.
pub fn request(
    endpoint: &str,
    request: &ControlRequest,
    timeout: Duration,
) -> Result<ControlReply, String> {
    request.validate()?;
    let rt = net::runtime()?;
    let result = rt.block_on(async {
        let exchange = async {
            let mut req = ReqSocket::new();
            req.connect(endpoint)
                .await
                .map_err(|e| {
                    format!(
                        "cannot connect to {endpoint}: {e} (is `scale serve --control {endpoint}` running?)"
                    )
                })?;
            req.send(ZmqMessage::from(bytes::Bytes::from(request.to_json())))
                .await
                .map_err(|e| format!("cannot send to {endpoint}: {e}"))?;
            let reply = req
                .recv()
                .await
                .map_err(|e| format!("no reply from {endpoint}: {e}"))?;
            let payload: Vec<u8> = reply.iter().flat_map(|b| b.iter().copied()).collect();
            ControlReply::from_json(&payload).map_err(|e| format!("{endpoint}: {e}"))
        };
        match tokio::time::timeout(timeout, exchange).await {
            Ok(r) => r,
            Err(_) => Err(format!(
                "no reply from {endpoint} within {:.1} s (is `scale serve --control {endpoint}` running?)",
                timeout.as_secs_f64()
            )),
        }
    });
    rt.shutdown_timeout(Duration::from_millis(100));
    result
}
