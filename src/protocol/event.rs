//! The event message the server publishes when an action starts or ends on a body.

use serde::{Deserialize, Serialize};

/// Version of the event payload.
pub const EVENT_VERSION: u32 = 1;

/// Whether an action began or ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Start,
    End,
}

/// The class of an event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventClass<S> {
    pub id: u32,
    pub name: S,
}

/// An action event: topic `events`, JSON payload. The server writes it with a borrowed class
/// name (`EventMessage<&str>`); subscribers read it with an owned one (`EventMessage`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventMessage<S = String> {
    pub v: u32,
    pub event: EventKind,
    /// Tracking id of the body that performs the action.
    pub body: u64,
    pub class: EventClass<S>,
    /// Capture time of the first frame of the first window that carried the action.
    pub t_start_us: u64,
    /// End events: capture time of the last frame of the last window that carried it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub t_end_us: Option<u64>,
    /// `seq` of the first frame of the first window, and of the last frame of the last window
    /// counted so far (start events: the window that started the event).
    pub seq_first: u64,
    pub seq_last: u64,
    /// Mean score of the class over the windows counted.
    pub score: f32,
    /// Windows counted: the ones that started it (start events), or every window that carried
    /// it (end events).
    pub windows: u32,
}

impl EventMessage {
    /// Parses a JSON payload (for subscribers and tests).
    pub fn from_json(payload: &[u8]) -> Result<EventMessage, serde_json::Error> {
        serde_json::from_slice(payload)
    }
}
