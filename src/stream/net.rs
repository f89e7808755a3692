//! ZeroMQ plumbing shared by `serve`, `replay`, `demo` and `bench`: binding (with stale IPC
//! socket files cleaned up), two-part messages, and a shutdown signal both async tasks and plain
//! threads can wait on.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use zeromq::{Socket, SocketEvent, SocketOptions, SubSocket, ZmqMessage};

/// The events of a socket's monitor (connects and disconnects).
pub type SocketEvents = futures::channel::mpsc::Receiver<SocketEvent>;

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
            let Some(path) = stale_ipc_path(endpoint) else {
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

/// The path of an `ipc://` endpoint whose socket file nobody accepts on (left by a process that
/// died); `None` for anything else, which is never removed.
pub fn stale_ipc_path(endpoint: &str) -> Option<&str> {
    endpoint.strip_prefix("ipc://").filter(|path| {
        use std::os::unix::fs::FileTypeExt;
        std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_socket())
            && std::os::unix::net::UnixStream::connect(path)
                .is_err_and(|e| e.kind() == std::io::ErrorKind::ConnectionRefused)
    })
}

/// A SUB whose connection attempts give up after 300 ms (the zeromq crate's own retries back off
/// to 30 s; a bridge that starts late or restarts should be read within a fraction of a second).
fn new_sub() -> SubSocket {
    let mut options = SocketOptions::default();
    options.connect_timeout(Duration::from_millis(300));
    SubSocket::with_options(options)
}

/// A new SUB connected to the bridge at `endpoint`, retrying every 100 ms until it answers.
/// Everything is subscribed to, so that messages on other topics are counted, not ignored.
/// With `log` (the program's name), says once that it waits and then that it is connected.
pub async fn connect_sub(
    endpoint: &str,
    log: Option<&str>,
    waited: &mut bool,
) -> (SubSocket, SocketEvents) {
    loop {
        let mut sub = new_sub();
        let events = sub.monitor();
        let result = match sub.subscribe("").await {
            Ok(()) => sub.connect(endpoint).await,
            Err(e) => Err(e),
        };
        match result {
            Ok(()) => {
                if let Some(name) = log {
                    eprintln!("{name}: connected to {endpoint}");
                }
                return (sub, events);
            }
            Err(e) => {
                if let Some(name) = log.filter(|_| !*waited) {
                    eprintln!("{name}: waiting for the bridge at {endpoint} ({e})");
                }
                *waited = true;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

/// A SUB bound at `endpoint` (bridges connect to it), subscribed to everything.
pub async fn bind_sub(endpoint: &str) -> Result<(SubSocket, SocketEvents), String> {
    let mut sub = new_sub();
    let events = sub.monitor();
    bind(&mut sub, endpoint).await?;
    sub.subscribe("")
        .await
        .map_err(|e| format!("cannot subscribe: {e}"))?;
    Ok((sub, events))
}

/// Whether the `n`-th message dropped for one reason is worth a log line: the first three,
/// then every power of two (a stream of bad messages must not flood the log).
pub fn worth_logging(n: u64) -> bool {
    n <= 3 || n.is_power_of_two()
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
