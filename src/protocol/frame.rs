//! Skeleton frames on the wire: the JSON payload and the compact binary payload.
//!
//! A payload is recognised by its first bytes: `{` (after optional whitespace) is JSON, the
//! magic `SKLF` is binary. Both carry the same [`SkeletonFrame`]; `docs/protocol.md` documents
//! them with complete examples. Decoding never panics: each kind of malformation is its own
//! [`ProtocolError`] variant, so a server can count them by reason.

use super::ProtocolError;
use crate::skeleton::azure::{NUM_AZURE_JOINTS, azure_to_kinect};
use crate::skeleton::joints::{Joints, NUM_JOINTS};
use crate::skeleton::kinect_v1::{NUM_KINECT_V1_JOINTS, kinect_v1_to_kinect};
use crate::skeleton::mediapipe::{NUM_MEDIAPIPE_LANDMARKS, mediapipe_to_kinect};
use crate::skeleton::zed::{NUM_ZED34_JOINTS, NUM_ZED38_JOINTS, zed34_to_kinect, zed38_to_kinect};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// Version of the frame payloads this build reads and writes.
pub const FRAME_VERSION: u32 = 1;
/// First four bytes of a binary frame payload.
pub const BINARY_MAGIC: [u8; 4] = *b"SKLF";
/// Size of the binary header in bytes.
pub const BINARY_HEADER_LEN: usize = 28;

/// Which sensor's joint set a frame carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// Kinect v2 / NTU RGB+D: 25 joints.
    KinectV2,
    /// Azure Kinect Body Tracking: 32 joints, reduced to 25 by name for the models.
    AzureKinect,
    /// Kinect v1 (SDK 1.x / OpenNI order): 20 joints; the five Kinect v2 joints it lacks are
    /// placed by rule (`skeleton::kinect_v1`).
    KinectV1,
    /// MediaPipe Pose world landmarks: 33, in MediaPipe's own axes (`skeleton::mediapipe`).
    MediapipePose,
    /// ZED SDK `BODY_34`, `IMAGE` axes, metres (`skeleton::zed`).
    ZedBody34,
    /// ZED SDK `BODY_38`, `IMAGE` axes, metres (`skeleton::zed`).
    ZedBody38,
}

impl Layout {
    /// Every layout, in code order.
    pub const ALL: [Layout; 6] = [
        Layout::KinectV2,
        Layout::AzureKinect,
        Layout::KinectV1,
        Layout::MediapipePose,
        Layout::ZedBody34,
        Layout::ZedBody38,
    ];

    /// Joints per body in this layout.
    pub const fn joints(self) -> usize {
        match self {
            Layout::KinectV2 => NUM_JOINTS,
            Layout::AzureKinect => NUM_AZURE_JOINTS,
            Layout::KinectV1 => NUM_KINECT_V1_JOINTS,
            Layout::MediapipePose => NUM_MEDIAPIPE_LANDMARKS,
            Layout::ZedBody34 => NUM_ZED34_JOINTS,
            Layout::ZedBody38 => NUM_ZED38_JOINTS,
        }
    }

    /// The protocol's name of the layout.
    pub const fn name(self) -> &'static str {
        match self {
            Layout::KinectV2 => "kinect_v2",
            Layout::AzureKinect => "azure_kinect",
            Layout::KinectV1 => "kinect_v1",
            Layout::MediapipePose => "mediapipe_pose",
            Layout::ZedBody34 => "zed_body_34",
            Layout::ZedBody38 => "zed_body_38",
        }
    }

    const fn code(self) -> u8 {
        match self {
            Layout::KinectV2 => 0,
            Layout::AzureKinect => 1,
            Layout::KinectV1 => 2,
            Layout::MediapipePose => 3,
            Layout::ZedBody34 => 4,
            Layout::ZedBody38 => 5,
        }
    }

    fn from_code(code: u8) -> Option<Layout> {
        match code {
            0 => Some(Layout::KinectV2),
            1 => Some(Layout::AzureKinect),
            2 => Some(Layout::KinectV1),
            3 => Some(Layout::MediapipePose),
            4 => Some(Layout::ZedBody34),
            5 => Some(Layout::ZedBody38),
            _ => None,
        }
    }

    fn from_name(name: &str) -> Option<Layout> {
        match name {
            "kinect_v2" => Some(Layout::KinectV2),
            "azure_kinect" => Some(Layout::AzureKinect),
            "kinect_v1" => Some(Layout::KinectV1),
            "mediapipe_pose" => Some(Layout::MediapipePose),
            "zed_body_34" => Some(Layout::ZedBody34),
            "zed_body_38" => Some(Layout::ZedBody38),
            _ => None,
        }
    }
}

/// One tracked body in a frame.
#[derive(Clone, Debug, PartialEq)]
pub struct BodyFrame {
    /// The sensor's tracking id: stable while the body stays in view.
    pub id: u64,
    /// Positions in metres, as many as the frame's layout has joints: Kinect camera space (x to
    /// the sensor's left, y up, z away from it) for the Kinect layouts, the SDK's own axes for
    /// `mediapipe_pose` and `zed_body_*` ([`BodyFrame::kinect_joints`] converts them).
    pub joints: Vec<[f32; 3]>,
    /// Per-joint tracking state (0 not tracked, 1 inferred, 2 tracked), when the sensor says.
    pub tracking: Option<Vec<u8>>,
}

impl BodyFrame {
    /// The joints as a fixed-size array (zeros past the end; decoding checks the count).
    fn fixed<const N: usize>(&self) -> [[f32; 3]; N] {
        let mut out = [[0.0; 3]; N];
        for (o, j) in out.iter_mut().zip(&self.joints) {
            *o = *j;
        }
        out
    }

    /// The 25 Kinect v2 joints the models use, whatever the layout.
    pub fn kinect_joints(&self, layout: Layout) -> Joints {
        match layout {
            Layout::KinectV2 => {
                let mut out = [[0.0; 3]; NUM_JOINTS];
                for (o, j) in out.iter_mut().zip(&self.joints) {
                    *o = *j;
                }
                out
            }
            Layout::AzureKinect => {
                let mut az = [[0.0; 3]; NUM_AZURE_JOINTS];
                for (o, j) in az.iter_mut().zip(&self.joints) {
                    *o = *j;
                }
                azure_to_kinect(&az)
            }
            Layout::KinectV1 => kinect_v1_to_kinect(&self.fixed()),
            Layout::MediapipePose => mediapipe_to_kinect(&self.fixed()),
            Layout::ZedBody34 => zed34_to_kinect(&self.fixed()),
            Layout::ZedBody38 => zed38_to_kinect(&self.fixed()),
        }
    }
}

/// One skeleton frame from a depth-sensor bridge.
#[derive(Clone, Debug, PartialEq)]
pub struct SkeletonFrame {
    /// The bridge's frame counter; increases by one per sensor frame.
    pub seq: u64,
    /// Capture time, microseconds (the bridge's clock, usually Unix time).
    pub t_us: u64,
    pub layout: Layout,
    pub bodies: Vec<BodyFrame>,
}

/// A body as read: coordinates stay raw text until parsed with `f32::from_str`, which rounds
/// correctly (going through f64 first could round twice), so JSON → f32 is exact.
#[derive(Deserialize)]
struct JsonBodyIn<'a> {
    id: u64,
    #[serde(borrow)]
    joints: Vec<[&'a RawValue; 3]>,
    #[serde(default)]
    tracking: Option<Vec<i64>>,
}

#[derive(Deserialize)]
struct JsonFrameIn<'a> {
    v: u64,
    seq: u64,
    t_us: u64,
    layout: &'a str,
    #[serde(borrow)]
    bodies: Vec<JsonBodyIn<'a>>,
}

/// A body as written: f32 coordinates in their shortest form that reads back exactly.
#[derive(Serialize)]
struct JsonBodyOut<'a> {
    id: u64,
    joints: &'a [[f32; 3]],
    #[serde(skip_serializing_if = "Option::is_none")]
    tracking: Option<&'a [u8]>,
}

#[derive(Serialize)]
struct JsonFrameOut<'a> {
    v: u32,
    seq: u64,
    t_us: u64,
    layout: &'static str,
    bodies: Vec<JsonBodyOut<'a>>,
}

#[derive(Deserialize)]
struct VersionProbe {
    v: Option<serde_json::Value>,
}

impl SkeletonFrame {
    /// Decodes a JSON or binary payload (chosen by its first bytes) and validates it.
    pub fn decode(payload: &[u8]) -> Result<SkeletonFrame, ProtocolError> {
        let first = payload.iter().copied().find(|b| !b.is_ascii_whitespace());
        match first {
            None => Err(ProtocolError::EmptyPayload),
            Some(b'{') => SkeletonFrame::decode_json(payload),
            Some(_) if payload.starts_with(&BINARY_MAGIC) => SkeletonFrame::decode_binary(payload),
            Some(b) => Err(ProtocolError::UnknownPayload { first_byte: b }),
        }
    }

    fn decode_json(payload: &[u8]) -> Result<SkeletonFrame, ProtocolError> {
        let raw: JsonFrameIn<'_> = match serde_json::from_slice(payload) {
            Ok(raw) => raw,
            Err(e) => {
                // A frame of another version may have another shape: report the version.
                if let Ok(VersionProbe { v: Some(v) }) = serde_json::from_slice(payload)
                    && v.as_u64() != Some(u64::from(FRAME_VERSION))
                {
                    return Err(ProtocolError::UnknownVersion(v.to_string()));
                }
                // Python's json writes NaN/Infinity literals, which JSON does not have.
                let text = String::from_utf8_lossy(payload);
                if text.contains("NaN") || text.contains("Infinity") {
                    return Err(ProtocolError::NonFinite {
                        body: None,
                        joint: None,
                    });
                }
                return Err(ProtocolError::BadJson(e.to_string()));
            }
        };
        if raw.v != u64::from(FRAME_VERSION) {
            return Err(ProtocolError::UnknownVersion(raw.v.to_string()));
        }
        let layout = Layout::from_name(raw.layout)
            .ok_or_else(|| ProtocolError::UnknownLayout(raw.layout.to_string()))?;
        let mut bodies = Vec::with_capacity(raw.bodies.len());
        for b in raw.bodies {
            let mut joints = Vec::with_capacity(b.joints.len());
            for (j, p) in b.joints.iter().enumerate() {
                let mut q = [0.0f32; 3];
                for (slot, raw) in q.iter_mut().zip(p) {
                    *slot = raw.get().parse().map_err(|_| {
                        ProtocolError::BadJson(format!(
                            "body {} joint {j}: coordinate {} is not a number",
                            b.id,
                            raw.get()
                        ))
                    })?;
                }
                if !q.iter().all(|x| x.is_finite()) {
                    return Err(ProtocolError::NonFinite {
                        body: Some(b.id),
                        joint: Some(j),
                    });
                }
                joints.push(q);
            }
            let tracking = match b.tracking {
                None => None,
                Some(t) => {
                    let mut out = Vec::with_capacity(t.len());
                    for &s in &t {
                        match u8::try_from(s) {
                            Ok(s @ 0..=2) => out.push(s),
                            _ => {
                                return Err(ProtocolError::BadTracking {
                                    body: b.id,
                                    found: t.len(),
                                    value: Some(s),
                                });
                            }
                        }
                    }
                    Some(out)
                }
            };
            bodies.push(BodyFrame {
                id: b.id,
                joints,
                tracking,
            });
        }
        let frame = SkeletonFrame {
            seq: raw.seq,
            t_us: raw.t_us,
            layout,
            bodies,
        };
        frame.validate()?;
        Ok(frame)
    }

    fn decode_binary(p: &[u8]) -> Result<SkeletonFrame, ProtocolError> {
        if p.len() < BINARY_HEADER_LEN {
            return Err(ProtocolError::Truncated {
                needed: BINARY_HEADER_LEN,
                found: p.len(),
            });
        }
        let version = p[4];
        if u32::from(version) != FRAME_VERSION {
            return Err(ProtocolError::UnknownVersion(version.to_string()));
        }
        let layout = Layout::from_code(p[5]).ok_or(ProtocolError::UnknownLayout(format!(
            "binary code {}",
            p[5]
        )))?;
        let nj = usize::from(p[6]);
        let flags = p[7];
        if flags & !1 != 0 {
            return Err(ProtocolError::BadHeader(format!(
                "unknown flag bits {flags:#04x}"
            )));
        }
        let has_tracking = flags & 1 == 1;
        let u64_at = |o: usize| u64::from_le_bytes(p[o..o + 8].try_into().expect("8 bytes"));
        let seq = u64_at(8);
        let t_us = u64_at(16);
        let count = usize::from(u16::from_le_bytes([p[24], p[25]]));
        if p[26] != 0 || p[27] != 0 {
            return Err(ProtocolError::BadHeader(
                "reserved bytes 26..28 must be zero".into(),
            ));
        }
        if nj != layout.joints() {
            return Err(ProtocolError::WrongJointCount {
                body: None,
                layout: layout.name(),
                expected: layout.joints(),
                found: nj,
            });
        }
        let body_len = 8 + nj * 12 + if has_tracking { nj } else { 0 };
        let needed = BINARY_HEADER_LEN + count * body_len;
        if p.len() < needed {
            return Err(ProtocolError::Truncated {
                needed,
                found: p.len(),
            });
        }
        if p.len() > needed {
            return Err(ProtocolError::TrailingBytes {
                extra: p.len() - needed,
            });
        }
        let mut bodies = Vec::with_capacity(count);
        let mut o = BINARY_HEADER_LEN;
        for _ in 0..count {
            let id = u64_at(o);
            o += 8;
            let mut joints = Vec::with_capacity(nj);
            for j in 0..nj {
                let f = |k: usize| {
                    f32::from_le_bytes(p[o + 4 * k..o + 4 * k + 4].try_into().expect("4 bytes"))
                };
                let q = [f(0), f(1), f(2)];
                if !q.iter().all(|x| x.is_finite()) {
                    return Err(ProtocolError::NonFinite {
                        body: Some(id),
                        joint: Some(j),
                    });
                }
                joints.push(q);
                o += 12;
            }
            let tracking = if has_tracking {
                let t = p[o..o + nj].to_vec();
                o += nj;
                if let Some(&bad) = t.iter().find(|&&s| s > 2) {
                    return Err(ProtocolError::BadTracking {
                        body: id,
                        found: nj,
                        value: Some(i64::from(bad)),
                    });
                }
                Some(t)
            } else {
                None
            };
            bodies.push(BodyFrame {
                id,
                joints,
                tracking,
            });
        }
        let frame = SkeletonFrame {
            seq,
            t_us,
            layout,
            bodies,
        };
        frame.validate()?;
        Ok(frame)
    }

    /// Checks what both encodings share: joint counts, tracking lengths, finite values, distinct ids.
    pub fn validate(&self) -> Result<(), ProtocolError> {
        let nj = self.layout.joints();
        for (i, b) in self.bodies.iter().enumerate() {
            if b.joints.len() != nj {
                return Err(ProtocolError::WrongJointCount {
                    body: Some(b.id),
                    layout: self.layout.name(),
                    expected: nj,
                    found: b.joints.len(),
                });
            }
            if let Some(j) = b
                .joints
                .iter()
                .position(|p| !p.iter().all(|x| x.is_finite()))
            {
                return Err(ProtocolError::NonFinite {
                    body: Some(b.id),
                    joint: Some(j),
                });
            }
            if let Some(t) = &b.tracking
                && (t.len() != nj || t.iter().any(|&s| s > 2))
            {
                return Err(ProtocolError::BadTracking {
                    body: b.id,
                    found: t.len(),
                    value: t.iter().find(|&&s| s > 2).map(|&s| i64::from(s)),
                });
            }
            if self.bodies[..i].iter().any(|o| o.id == b.id) {
                return Err(ProtocolError::DuplicateBody(b.id));
            }
        }
        Ok(())
    }

    /// The JSON payload (one line, no trailing newline).
    pub fn to_json(&self) -> Vec<u8> {
        let out = JsonFrameOut {
            v: FRAME_VERSION,
            seq: self.seq,
            t_us: self.t_us,
            layout: self.layout.name(),
            bodies: self
                .bodies
                .iter()
                .map(|b| JsonBodyOut {
                    id: b.id,
                    joints: &b.joints,
                    tracking: b.tracking.as_deref(),
                })
                .collect(),
        };
        serde_json::to_vec(&out).expect("a frame of finite numbers serialises")
    }

    /// Appends the binary payload to `out`. Tracking states are included when every body has them.
    pub fn write_binary(&self, out: &mut Vec<u8>) {
        let nj = self.layout.joints();
        let has_tracking =
            !self.bodies.is_empty() && self.bodies.iter().all(|b| b.tracking.is_some());
        out.extend_from_slice(&BINARY_MAGIC);
        out.push(FRAME_VERSION as u8);
        out.push(self.layout.code());
        out.push(nj as u8);
        out.push(u8::from(has_tracking));
        out.extend_from_slice(&self.seq.to_le_bytes());
        out.extend_from_slice(&self.t_us.to_le_bytes());
        out.extend_from_slice(&(self.bodies.len().min(usize::from(u16::MAX)) as u16).to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        for b in self.bodies.iter().take(usize::from(u16::MAX)) {
            out.extend_from_slice(&b.id.to_le_bytes());
            for j in 0..nj {
                let p = b.joints.get(j).copied().unwrap_or([0.0; 3]);
                for x in p {
                    out.extend_from_slice(&x.to_le_bytes());
                }
            }
            if has_tracking {
                let t = b.tracking.as_deref().unwrap_or(&[]);
                out.extend((0..nj).map(|j| t.get(j).copied().unwrap_or(0)));
            }
        }
    }

    /// The binary payload as a new buffer.
    pub fn to_binary(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(
            BINARY_HEADER_LEN + self.bodies.len() * (8 + 13 * self.layout.joints()),
        );
        self.write_binary(&mut out);
        out
    }
}

/// Reads a JSON-lines file of protocol frames; blank lines are skipped, and an error names the
/// line.
pub fn read_jsonl(path: &std::path::Path) -> Result<Vec<SkeletonFrame>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let mut frames = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let f = SkeletonFrame::decode(line.as_bytes())
            .map_err(|e| format!("{}:{}: {e}", path.display(), i + 1))?;
        frames.push(f);
    }
    Ok(frames)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(layout: Layout, tracking: bool) -> SkeletonFrame {
        let nj = layout.joints();
        let body = |id: u64| BodyFrame {
            id,
            joints: (0..nj)
                .map(|j| {
                    [
                        j as f32 * 0.01 + 0.2181153,
                        0.1725972 - j as f32 * 0.03,
                        3.785547,
                    ]
                })
                .collect(),
            tracking: tracking.then(|| (0..nj).map(|j| (j % 3) as u8).collect()),
        };
        SkeletonFrame {
            seq: 42,
            t_us: 1_700_000_000_000_000,
            layout,
            bodies: vec![body(7), body(72057594037931101)],
        }
    }

    #[test]
    fn both_encodings_round_trip_exactly() {
        for layout in Layout::ALL {
            for tracking in [false, true] {
                let f = sample(layout, tracking);
                assert_eq!(SkeletonFrame::decode(&f.to_json()).unwrap(), f);
                assert_eq!(SkeletonFrame::decode(&f.to_binary()).unwrap(), f);
            }
        }
        let empty = SkeletonFrame {
            seq: 1,
            t_us: 2,
            layout: Layout::KinectV2,
            bodies: vec![],
        };
        assert_eq!(SkeletonFrame::decode(&empty.to_binary()).unwrap(), empty);
        assert_eq!(SkeletonFrame::decode(&empty.to_json()).unwrap(), empty);
    }

    #[test]
    fn the_documented_json_example_decodes() {
        let joints: Vec<String> = (0..25).map(|j| format!("[0.{j:02}, 0.5, 3.1]")).collect();
        let text = format!(
            r#"  {{"v": 1, "seq": 42, "t_us": 1700000000000000, "layout": "kinect_v2", "bodies": [{{"id": 7, "joints": [{}]}}]}}"#,
            joints.join(", ")
        );
        let f = SkeletonFrame::decode(text.as_bytes()).unwrap();
        assert_eq!(
            (f.seq, f.t_us, f.bodies.len(), f.bodies[0].id),
            (42, 1_700_000_000_000_000, 1, 7)
        );
        assert_eq!(f.bodies[0].joints[3], [0.03, 0.5, 3.1]);
    }

    #[test]
    fn each_malformation_is_its_own_error() {
        use ProtocolError as E;
        let good = sample(Layout::KinectV2, true);
        let json = String::from_utf8(good.to_json()).unwrap();
        let kind = |r: Result<SkeletonFrame, ProtocolError>| r.unwrap_err().kind();
        assert_eq!(kind(SkeletonFrame::decode(b"")), "empty");
        assert_eq!(kind(SkeletonFrame::decode(b"hello")), "unknown_payload");
        assert_eq!(
            kind(SkeletonFrame::decode(b"{\"v\": 1, \"seq\": ")),
            "bad_json"
        );
        assert_eq!(
            kind(SkeletonFrame::decode(
                json.replacen("\"v\":1", "\"v\":2", 1).as_bytes()
            )),
            "unknown_version"
        );
        assert_eq!(
            kind(SkeletonFrame::decode(br#"{"v": 9, "other": true}"#)),
            "unknown_version"
        );
        assert_eq!(
            kind(SkeletonFrame::decode(
                json.replacen("kinect_v2", "kinect_v9", 1).as_bytes()
            )),
            "unknown_layout"
        );
        assert_eq!(
            kind(SkeletonFrame::decode(
                json.replacen("kinect_v2", "azure_kinect", 1).as_bytes()
            )),
            "wrong_joint_count"
        );
        assert_eq!(
            kind(SkeletonFrame::decode(
                json.replacen("3.785547", "NaN", 1).as_bytes()
            )),
            "non_finite"
        );
        assert_eq!(
            kind(SkeletonFrame::decode(
                json.replacen("3.785547", "1e300", 1).as_bytes()
            )),
            "non_finite"
        );
        assert_eq!(
            kind(SkeletonFrame::decode(
                json.replacen("\"tracking\":[0,", "\"tracking\":[7,", 1)
                    .as_bytes()
            )),
            "bad_tracking"
        );
        assert_eq!(
            kind(SkeletonFrame::decode(
                json.replace("72057594037931101", "7").as_bytes()
            )),
            "duplicate_body"
        );
        let bin = good.to_binary();
        assert_eq!(
            kind(SkeletonFrame::decode(&bin[..bin.len() - 1])),
            "truncated"
        );
        assert_eq!(kind(SkeletonFrame::decode(&bin[..10])), "truncated");
        let mut longer = bin.clone();
        longer.push(0);
        assert_eq!(kind(SkeletonFrame::decode(&longer)), "trailing_bytes");
        let mut v2 = bin.clone();
        v2[4] = 2;
        assert_eq!(kind(SkeletonFrame::decode(&v2)), "unknown_version");
        let mut nan = bin.clone();
        nan[BINARY_HEADER_LEN + 8..BINARY_HEADER_LEN + 12].copy_from_slice(&f32::NAN.to_le_bytes());
        assert!(matches!(
            SkeletonFrame::decode(&nan),
            Err(E::NonFinite {
                body: Some(7),
                joint: Some(0)
            })
        ));
        let mut nj = bin;
        nj[6] = 24;
        assert_eq!(kind(SkeletonFrame::decode(&nj)), "wrong_joint_count");
    }

    #[test]
    fn kinect_v1_bodies_become_kinect_joints() {
        let f = sample(Layout::KinectV1, false);
        let k = f.bodies[0].kinect_joints(f.layout);
        assert_eq!(k[3], f.bodies[0].joints[3]); // Head
        assert_eq!(k[20], f.bodies[0].joints[2]); // SpineShoulder <- ShoulderCenter
        // The binary layout code is 2.
        assert_eq!(f.to_binary()[5], 2);
        let json = String::from_utf8(f.to_json()).unwrap();
        assert!(json.contains(r#""layout":"kinect_v1""#), "{json}");
    }

    #[test]
    fn azure_bodies_reduce_to_kinect_joints() {
        let f = sample(Layout::AzureKinect, false);
        let k = f.bodies[0].kinect_joints(f.layout);
        assert_eq!(k[3], f.bodies[0].joints[26]);
    }
}
