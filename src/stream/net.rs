//! ZeroMQ plumbing shared by `serve`, `replay`, `demo` and `bench`: binding (with stale IPC
//! socket files cleaned up), two-part messages, and a shutdown signal both async tasks and plain
//! threads can wait on.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use zeromq::{Socket, ZmqMessage};

/// A one-way stop flag: threads poll it, async tasks await it.
#[derive(Default)]
pub struct Shutdown {
    flag: AtomicBool,
    notify: tokio::sync::Notify,
}

impl Shutdown {
    pub fn new() -> Arc<Shutdown> {
        Arc::new(Shutdown::default())
    }

    pub fn stop(&self) {
        self.flag.store(true, Ordering::SeqCst);
        self.notify.notify_waiters();
    }

    pub fn is_stopped(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }

    /// Resolves once [`Shutdown::stop`] has been called.
    pub async fn stopped(&self) {
        loop {
            let notified = self.notify.notified();
            if self.is_stopped() {
                return;
            }
            notified.await;
        }
    }
}

/// Binds `socket` to `endpoint` and returns the endpoint it is bound to (with the real port
/// when the port was 0). For `ipc://` endpoints, a socket file that nobody listens on (left by a
/// process that died) is removed and the bind retried.
pub async fn bind<S: Socket>(socket: &mut S, endpoint: &str) -> Result<String, String> {
    match socket.bind(endpoint).await {
        Ok(ep) => Ok(ep.to_string()),
        Err(first) => {
            // Only a socket file nobody accepts on is stale; never remove anything else.
            let stale = endpoint.strip_prefix("ipc://").filter(|path| {
                use std::os::unix::fs::FileTypeExt;
                std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_socket())
                    && std::os::unix::net::UnixStream::connect(path)
                        .is_err_and(|e| e.kind() == std::io::ErrorKind::ConnectionRefused)
            });
            let Some(path) = stale else {
                return Err(format!("cannot bind {endpoint}: {first}"));
            };
            std::fs::remove_file(path).map_err(|e| {
                format!("cannot bind {endpoint}: {first}; removing the stale socket file: {e}")
            })?;
            socket
                .bind(endpoint)
                .await
                .map(|ep| ep.to_string())
                .map_err(|e| format!("cannot bind {endpoint}: {e}"))
        }
    }
}

/// A `[topic, payload]` message.
pub fn message(topic: &[u8], payload: &[u8]) -> ZmqMessage {
    let mut m = ZmqMessage::from(bytes::Bytes::copy_from_slice(topic));
    m.push_back(bytes::Bytes::copy_from_slice(payload));
    m
}

/// A current-thread tokio runtime (faster than a multi-threaded one on small machines; the
/// inference thread does the heavy work).
pub fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the I/O runtime: {e}"))
}
