//! The control socket of `scale serve --control EP` (a ZeroMQ REP): one JSON request, one JSON
//! reply. Requests change the live vocabulary (the candidate classes) without a restart;
//! `docs/protocol.md` ("Control") describes them for users.

use super::event::EventClass;
use serde::{Deserialize, Serialize};

/// Longest class name and description accepted (characters).
pub const MAX_TEXT_CHARS: usize = 500;
/// Most descriptions one `add` may give.
pub const MAX_DESCRIPTIONS: usize = 32;
/// Longest request accepted (bytes).
pub const MAX_REQUEST_BYTES: usize = 64 * 1024;

/// A request on the control socket.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase", deny_unknown_fields)]
pub enum ControlRequest {
    /// A new class, named by text; its prior is made from the name and the descriptions.
    Add {
        name: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        descriptions: Vec<String>,
    },
    /// A class leaves the vocabulary.
    Remove { name: String },
    /// The active classes (a struct variant, so that unknown fields are refused).
    List {},
    /// Only these classes are candidates; an empty list lifts the restriction.
    Allow { names: Vec<String> },
}

impl ControlRequest {
    /// Parses a request, with a message that says what is wrong.
    pub fn from_json(bytes: &[u8]) -> Result<ControlRequest, String> {
        if bytes.len() > MAX_REQUEST_BYTES {
            return Err(format!(
                "request of {} bytes is over the limit of {MAX_REQUEST_BYTES}",
                bytes.len()
            ));
        }
        let text =
            std::str::from_utf8(bytes).map_err(|e| format!("request is not UTF-8 text: {e}"))?;
        let request: ControlRequest = serde_json::from_str(text).map_err(|e| {
            format!(
                "bad request: {e} (expected {{\"op\": \"add\" | \"remove\" | \"list\" | \"allow\", …}})"
            )
        })?;
        request.validate()?;
        Ok(request)
    }

    /// The request as JSON (the client side).
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a request serialises")
    }

    /// Checks the texts of a request: names non-empty once trimmed, texts not too long.
    pub fn validate(&self) -> Result<(), String> {
        let text = |what: &str, t: &str| {
            if t.trim().is_empty() {
                Err(format!("{what} is empty"))
            } else if t.chars().count() > MAX_TEXT_CHARS {
                Err(format!(
                    "{what} is {} characters long (at most {MAX_TEXT_CHARS})",
                    t.chars().count()
                ))
            } else {
                Ok(())
            }
        };
        match self {
            ControlRequest::Add { name, descriptions } => {
                text("the class name", name)?;
                if descriptions.len() > MAX_DESCRIPTIONS {
                    return Err(format!(
                        "{} descriptions (at most {MAX_DESCRIPTIONS})",
                        descriptions.len()
                    ));
                }
                for (i, d) in descriptions.iter().enumerate() {
                    text(&format!("description {}", i + 1), d)?;
                }
                Ok(())
            }
            ControlRequest::Remove { name } => text("the class name", name),
            ControlRequest::Allow { names } => {
                for (i, n) in names.iter().enumerate() {
                    text(&format!("name {}", i + 1), n)?;
                }
                Ok(())
            }
            ControlRequest::List {} => Ok(()),
        }
    }
}

/// The reply to every request: the classes active now, or why the request changed nothing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ControlReply {
    pub ok: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classes: Option<Vec<EventClass<String>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl ControlReply {
    pub fn classes(classes: Vec<EventClass<String>>) -> ControlReply {
        ControlReply {
            ok: true,
            classes: Some(classes),
            error: None,
        }
    }

    pub fn error(error: impl Into<String>) -> ControlReply {
        ControlReply {
            ok: false,
            classes: None,
            error: Some(error.into()),
        }
    }

    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a reply serialises")
    }

    pub fn from_json(bytes: &[u8]) -> Result<ControlReply, String> {
        serde_json::from_slice(bytes).map_err(|e| format!("not a control reply: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_parse_as_documented() {
        let add = ControlRequest::from_json(
            br#"{"op": "add", "name": "wave goodbye", "descriptions": ["waving one hand"]}"#,
        )
        .unwrap();
        assert_eq!(
            add,
            ControlRequest::Add {
                name: "wave goodbye".into(),
                descriptions: vec!["waving one hand".into()]
            }
        );
        assert_eq!(
            ControlRequest::from_json(br#"{"op": "add", "name": "x"}"#).unwrap(),
            ControlRequest::Add {
                name: "x".into(),
                descriptions: vec![]
            }
        );
        assert_eq!(
            ControlRequest::from_json(br#"{"op": "list"}"#).unwrap(),
            ControlRequest::List {}
        );
        assert_eq!(
            ControlRequest::from_json(br#"{"op": "allow", "names": []}"#).unwrap(),
            ControlRequest::Allow { names: vec![] }
        );
        for r in [
            add,
            ControlRequest::Remove { name: "x".into() },
            ControlRequest::List {},
        ] {
            assert_eq!(ControlRequest::from_json(&r.to_json()).unwrap(), r);
        }
    }

    #[test]
    fn bad_requests_say_what_is_wrong() {
        let cases: [(&[u8], &str); 8] = [
            (b"", "bad request"),
            (
                b"{\"op\": \"rename\", \"name\": \"x\"}",
                "unknown variant `rename`",
            ),
            (b"{\"op\": \"add\"}", "missing field `name`"),
            (
                b"{\"op\": \"add\", \"name\": \"  \"}",
                "the class name is empty",
            ),
            (b"{\"op\": \"list\", \"extra\": 1}", "unknown field `extra`"),
            (b"\xff\xfe", "not UTF-8"),
            (
                b"{\"op\": \"add\", \"name\": \"x\", \"descriptions\": [\"\"]}",
                "description 1 is empty",
            ),
            (b"[1, 2]", "bad request"),
        ];
        for (bytes, want) in cases {
            let e = ControlRequest::from_json(bytes).unwrap_err();
            assert!(e.contains(want), "{bytes:?}: {e}");
        }
        let long = format!(r#"{{"op": "remove", "name": "{}"}}"#, "a".repeat(501));
        assert!(
            ControlRequest::from_json(long.as_bytes())
                .unwrap_err()
                .contains("501 characters")
        );
    }

    #[test]
    fn replies_have_the_documented_fields() {
        let ok = ControlReply::classes(vec![EventClass {
            id: 3,
            name: "clapping".to_string(),
        }]);
        let v: serde_json::Value = serde_json::from_slice(&ok.to_json()).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"ok": true, "classes": [{"id": 3, "name": "clapping"}]})
        );
        let bad = ControlReply::error("no class named \"x\"");
        let v: serde_json::Value = serde_json::from_slice(&bad.to_json()).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"ok": false, "error": "no class named \"x\""})
        );
        assert_eq!(ControlReply::from_json(&bad.to_json()).unwrap(), bad);
    }
}
