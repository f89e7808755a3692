//! Reader and writer of NTU RGB+D `.skeleton` text files.
//!
//! Layout (one value group per line): the frame count; per frame the body count; per body a
//! 10-field header (bodyID clippedEdges handLeftConfidence handLeftState handRightConfidence
//! handRightState isRestricted leanX leanY trackingState), the joint count (25), then 25 joint
//! lines of 12 fields (x y z depthX depthY colorX colorY orientationW orientationX orientationY
//! orientationZ trackingState). Real files end lines with CRLF; LF is read the same way.
//!
//! The reader is strict: every malformation is an [`NtuError`] naming the line and what was
//! expected there. It never panics and never preallocates from a count it has not yet seen
//! backed by input, so a hostile header cannot make it allocate or loop without bound.

use crate::skeleton::joints::{Joints, NUM_JOINTS};
use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};

/// One joint as NTU records it.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct NtuJoint {
    /// Camera-space position in metres (x right, y up, z away from the sensor).
    pub position: [f32; 3],
    /// Position in the depth image (pixels).
    pub depth: [f32; 2],
    /// Position in the colour image (pixels).
    pub color: [f32; 2],
    /// Joint orientation quaternion `(w, x, y, z)`.
    pub orientation: [f32; 4],
    /// 0 not tracked, 1 inferred, 2 tracked.
    pub tracking_state: u8,
}

/// One tracked body in one frame, with every header field NTU records.
#[derive(Clone, Debug, PartialEq)]
pub struct NtuBody {
    pub body_id: u64,
    pub clipped_edges: i64,
    pub hand_left_confidence: i64,
    pub hand_left_state: i64,
    pub hand_right_confidence: i64,
    pub hand_right_state: i64,
    pub is_restricted: i64,
    pub lean: [f32; 2],
    pub tracking_state: i64,
    pub joints: [NtuJoint; NUM_JOINTS],
}

impl NtuBody {
    /// A body with the given positions and every other field zero, joints tracked.
    pub fn from_positions(body_id: u64, positions: &Joints) -> NtuBody {
        let mut joints = [NtuJoint {
            tracking_state: 2,
            ..NtuJoint::default()
        }; NUM_JOINTS];
        for (j, p) in joints.iter_mut().zip(positions) {
            j.position = *p;
        }
        NtuBody {
            body_id,
            clipped_edges: 0,
            hand_left_confidence: 0,
            hand_left_state: 0,
            hand_right_confidence: 0,
            hand_right_state: 0,
            is_restricted: 0,
            lean: [0.0; 2],
            tracking_state: 2,
            joints,
        }
    }

    /// Joint positions only.
    pub fn positions(&self) -> Joints {
        let mut out = [[0.0; 3]; NUM_JOINTS];
        for (o, j) in out.iter_mut().zip(&self.joints) {
            *o = j.position;
        }
        out
    }
}

/// One frame: zero or more bodies.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct NtuFrame {
    pub bodies: Vec<NtuBody>,
}

/// A whole `.skeleton` file.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct NtuSequence {
    pub frames: Vec<NtuFrame>,
}

/// Line ending used by [`NtuSequence::write`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineEnding {
    /// `\r\n`, as the dataset's own files.
    Crlf,
    Lf,
}

/// What went wrong, without the location.
#[derive(Clone, Debug, PartialEq)]
pub enum NtuErrorKind {
    /// The input ended where `expected` should have been.
    UnexpectedEnd { expected: &'static str },
    /// A line had the wrong number of whitespace-separated fields.
    FieldCount {
        what: &'static str,
        expected: usize,
        found: usize,
    },
    /// A field was not a number of the expected kind.
    BadNumber { field: &'static str, token: String },
    /// A float field was NaN or infinite.
    NonFinite { field: &'static str, token: String },
    /// A joint count other than 25.
    JointCount { found: usize },
    /// A tracking state other than 0, 1 or 2.
    TrackingState { found: i64 },
    /// Non-blank lines after the last declared frame.
    TrailingContent,
    /// The file is not UTF-8 text.
    NotText,
    /// The file could not be read or written.
    Io(String),
}

/// A malformed or unreadable `.skeleton` file: where, and what was expected.
#[derive(Clone, Debug, PartialEq)]
pub struct NtuError {
    pub path: Option<PathBuf>,
    /// 1-based line number; 0 when the error is not about a line (I/O, encoding).
    pub line: usize,
    pub kind: NtuErrorKind,
}

impl fmt::Display for NtuError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(p) => write!(f, "{}", p.display())?,
            None => write!(f, "<input>")?,
        }
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
        }
        write!(f, ": ")?;
        match &self.kind {
            NtuErrorKind::UnexpectedEnd { expected } => {
                write!(
                    f,
                    "file ends early: expected {expected} (the file is truncated?)"
                )
            }
            NtuErrorKind::FieldCount {
                what,
                expected,
                found,
            } => {
                write!(
                    f,
                    "expected {what} ({expected} field{}), found {found} field{}",
                    if *expected == 1 { "" } else { "s" },
                    if *found == 1 { "" } else { "s" }
                )
            }
            NtuErrorKind::BadNumber { field, token } => {
                write!(f, "{field} is not a valid number: {token:?}")
            }
            NtuErrorKind::NonFinite { field, token } => {
                write!(f, "{field} must be finite, found {token:?}")
            }
            NtuErrorKind::JointCount { found } => {
                write!(
                    f,
                    "expected a joint count of {NUM_JOINTS} (Kinect v2), found {found}"
                )
            }
            NtuErrorKind::TrackingState { found } => {
                write!(f, "tracking state must be 0, 1 or 2, found {found}")
            }
            NtuErrorKind::TrailingContent => {
                write!(
                    f,
                    "unexpected content after the last frame (the frame count on line 1 is too small?)"
                )
            }
            NtuErrorKind::NotText => write!(f, "not a text file (invalid UTF-8)"),
            NtuErrorKind::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for NtuError {}

const BODY_HEADER_FIELDS: usize = 10;
const JOINT_FIELDS: usize = 12;

/// Line cursor that remembers the 1-based number of the line it last returned.
struct Lines<'a> {
    rest: &'a str,
    line: usize,
}

impl<'a> Lines<'a> {
    fn next_line(&mut self, expected: &'static str) -> Result<&'a str, NtuErrorKind> {
        if self.rest.is_empty() {
            return Err(NtuErrorKind::UnexpectedEnd { expected });
        }
        let (line, rest) = match self.rest.find('\n') {
            Some(i) => (&self.rest[..i], &self.rest[i + 1..]),
            None => (self.rest, ""),
        };
        self.rest = rest;
        self.line += 1;
        Ok(line.strip_suffix('\r').unwrap_or(line))
    }

    /// Splits the next line into exactly `N` fields.
    fn fields<const N: usize>(&mut self, what: &'static str) -> Result<[&'a str; N], NtuErrorKind> {
        let line = self.next_line(what)?;
        let mut out = [""; N];
        let mut found = 0;
        for tok in line.split_ascii_whitespace() {
            if found < N {
                out[found] = tok;
            }
            found += 1;
        }
        if found != N {
            return Err(NtuErrorKind::FieldCount {
                what,
                expected: N,
                found,
            });
        }
        Ok(out)
    }

    fn count(&mut self, what: &'static str) -> Result<usize, NtuErrorKind> {
        let [tok] = self.fields::<1>(what)?;
        tok.parse::<usize>().map_err(|_| NtuErrorKind::BadNumber {
            field: what,
            token: tok.to_string(),
        })
    }
}

fn float(field: &'static str, tok: &str) -> Result<f32, NtuErrorKind> {
    let v: f32 = tok.parse().map_err(|_| NtuErrorKind::BadNumber {
        field,
        token: tok.to_string(),
    })?;
    if v.is_finite() {
        Ok(v)
    } else {
        Err(NtuErrorKind::NonFinite {
            field,
            token: tok.to_string(),
        })
    }
}

fn int(field: &'static str, tok: &str) -> Result<i64, NtuErrorKind> {
    tok.parse().map_err(|_| NtuErrorKind::BadNumber {
        field,
        token: tok.to_string(),
    })
}

fn parse_body(lines: &mut Lines<'_>) -> Result<NtuBody, NtuErrorKind> {
    let h = lines.fields::<BODY_HEADER_FIELDS>("a body header: bodyID clippedEdges handLeftConfidence handLeftState handRightConfidence handRightState isRestricted leanX leanY trackingState")?;
    let body_id = h[0].parse::<u64>().map_err(|_| NtuErrorKind::BadNumber {
        field: "bodyID",
        token: h[0].to_string(),
    })?;
    let mut body = NtuBody {
        body_id,
        clipped_edges: int("clippedEdges", h[1])?,
        hand_left_confidence: int("handLeftConfidence", h[2])?,
        hand_left_state: int("handLeftState", h[3])?,
        hand_right_confidence: int("handRightConfidence", h[4])?,
        hand_right_state: int("handRightState", h[5])?,
        is_restricted: int("isRestricted", h[6])?,
        lean: [float("leanX", h[7])?, float("leanY", h[8])?],
        tracking_state: int("body trackingState", h[9])?,
        joints: [NtuJoint::default(); NUM_JOINTS],
    };
    let joints = lines.count("the joint count")?;
    if joints != NUM_JOINTS {
        return Err(NtuErrorKind::JointCount { found: joints });
    }
    const NAMES: [&str; 11] = [
        "x",
        "y",
        "z",
        "depthX",
        "depthY",
        "colorX",
        "colorY",
        "orientationW",
        "orientationX",
        "orientationY",
        "orientationZ",
    ];
    for joint in body.joints.iter_mut() {
        let f = lines.fields::<JOINT_FIELDS>("a joint line: x y z depthX depthY colorX colorY orientationW orientationX orientationY orientationZ trackingState")?;
        let mut v = [0.0f32; 11];
        for (i, slot) in v.iter_mut().enumerate() {
            *slot = float(NAMES[i], f[i])?;
        }
        let state = int("joint trackingState", f[11])?;
        if !(0..=2).contains(&state) {
            return Err(NtuErrorKind::TrackingState { found: state });
        }
        *joint = NtuJoint {
            position: [v[0], v[1], v[2]],
            depth: [v[3], v[4]],
            color: [v[5], v[6]],
            orientation: [v[7], v[8], v[9], v[10]],
            tracking_state: state as u8,
        };
    }
    Ok(body)
}

fn parse_inner(lines: &mut Lines<'_>) -> Result<NtuSequence, NtuErrorKind> {
    let frame_count = lines.count("the frame count")?;
    let mut frames = Vec::new();
    for _ in 0..frame_count {
        let bodies = lines.count("a frame's body count")?;
        let mut frame = NtuFrame {
            bodies: Vec::with_capacity(bodies.min(8)),
        };
        for _ in 0..bodies {
            frame.bodies.push(parse_body(lines)?);
        }
        frames.push(frame);
    }
    while !lines.rest.is_empty() {
        let line = lines.next_line("")?;
        if !line.trim().is_empty() {
            return Err(NtuErrorKind::TrailingContent);
        }
    }
    Ok(NtuSequence { frames })
}

impl NtuSequence {
    /// Parses the text of a `.skeleton` file.
    pub fn parse(text: &str) -> Result<NtuSequence, NtuError> {
        let mut lines = Lines {
            rest: text,
            line: 0,
        };
        parse_inner(&mut lines).map_err(|kind| NtuError {
            path: None,
            line: lines.line.max(1),
            kind,
        })
    }

    /// Parses raw bytes (which must be UTF-8; NTU files are ASCII).
    pub fn parse_bytes(bytes: &[u8]) -> Result<NtuSequence, NtuError> {
        let text = std::str::from_utf8(bytes).map_err(|_| NtuError {
            path: None,
            line: 0,
            kind: NtuErrorKind::NotText,
        })?;
        NtuSequence::parse(text)
    }

    /// Reads and parses a file; errors carry the path.
    pub fn read(path: &Path) -> Result<NtuSequence, NtuError> {
        let bytes = std::fs::read(path).map_err(|e| NtuError {
            path: Some(path.to_path_buf()),
            line: 0,
            kind: NtuErrorKind::Io(format!("cannot read the file: {e}")),
        })?;
        NtuSequence::parse_bytes(&bytes).map_err(|mut e| {
            e.path = Some(path.to_path_buf());
            e
        })
    }

    /// Serialises in the dataset's layout. Floats are written in their shortest form that reads
    /// back to the same `f32`, so write → read is exact.
    pub fn to_text(&self, ending: LineEnding) -> String {
        let nl = match ending {
            LineEnding::Crlf => "\r\n",
            LineEnding::Lf => "\n",
        };
        let mut s = String::with_capacity(64 + self.frames.len() * 2700);
        // Writing into a String cannot fail.
        let _ = write!(s, "{}{nl}", self.frames.len());
        for frame in &self.frames {
            let _ = write!(s, "{}{nl}", frame.bodies.len());
            for b in &frame.bodies {
                let _ = write!(
                    s,
                    "{} {} {} {} {} {} {} {} {} {}{nl}{}{nl}",
                    b.body_id,
                    b.clipped_edges,
                    b.hand_left_confidence,
                    b.hand_left_state,
                    b.hand_right_confidence,
                    b.hand_right_state,
                    b.is_restricted,
                    b.lean[0],
                    b.lean[1],
                    b.tracking_state,
                    NUM_JOINTS
                );
                for j in &b.joints {
                    let _ = write!(
                        s,
                        "{} {} {} {} {} {} {} {} {} {} {} {}{nl}",
                        j.position[0],
                        j.position[1],
                        j.position[2],
                        j.depth[0],
                        j.depth[1],
                        j.color[0],
                        j.color[1],
                        j.orientation[0],
                        j.orientation[1],
                        j.orientation[2],
                        j.orientation[3],
                        j.tracking_state
                    );
                }
            }
        }
        s
    }

    /// Writes the file (CRLF, like the dataset).
    pub fn write(&self, path: &Path) -> Result<(), NtuError> {
        std::fs::write(path, self.to_text(LineEnding::Crlf)).map_err(|e| NtuError {
            path: Some(path.to_path_buf()),
            line: 0,
            kind: NtuErrorKind::Io(format!("cannot write the file: {e}")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> NtuSequence {
        let mut pos = [[0.0f32; 3]; NUM_JOINTS];
        for (i, p) in pos.iter_mut().enumerate() {
            *p = [i as f32 * 0.1, -0.25 + i as f32 * 0.013, 3.5];
        }
        let body = NtuBody::from_positions(72057594037931101, &pos);
        NtuSequence {
            frames: vec![
                NtuFrame {
                    bodies: vec![body.clone()],
                },
                NtuFrame::default(),
                NtuFrame {
                    bodies: vec![body.clone(), body],
                },
            ],
        }
    }

    #[test]
    fn write_then_read_is_exact_with_either_line_ending() {
        let seq = tiny();
        for ending in [LineEnding::Crlf, LineEnding::Lf] {
            let back = NtuSequence::parse(&seq.to_text(ending)).expect("own output parses");
            assert_eq!(back, seq);
        }
    }

    #[test]
    fn errors_name_the_line_and_the_expectation() {
        let text = tiny().to_text(LineEnding::Lf);
        let lines: Vec<&str> = text.lines().collect();
        // Truncated in the middle of the first body's joints (line 10 is the 6th joint line).
        let cut = lines[..9].join("\n");
        let e = NtuSequence::parse(&cut).unwrap_err();
        assert_eq!(e.line, 9);
        assert!(matches!(e.kind, NtuErrorKind::UnexpectedEnd { .. }), "{e}");
        // A non-number in a joint line.
        let mut bad: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
        bad[5] = bad[5].replacen("0.1", "zero.one", 1);
        let e = NtuSequence::parse(&bad.join("\n")).unwrap_err();
        assert_eq!(e.line, 6);
        assert!(e.to_string().contains("not a valid number"), "{e}");
        // An extra token.
        let mut extra: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
        extra[4].push_str(" 7");
        let e = NtuSequence::parse(&extra.join("\n")).unwrap_err();
        assert_eq!(
            (e.line, e.kind.clone()),
            (
                5,
                NtuErrorKind::FieldCount {
                    what: e_what(&e),
                    expected: 12,
                    found: 13
                }
            )
        );
        // Wrong joint count.
        let mut jc: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
        jc[3] = "24".into();
        assert_eq!(
            NtuSequence::parse(&jc.join("\n")).unwrap_err().kind,
            NtuErrorKind::JointCount { found: 24 }
        );
        // Frame count too small leaves content behind.
        let mut fc: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
        fc[0] = "1".into();
        assert_eq!(
            NtuSequence::parse(&fc.join("\n")).unwrap_err().kind,
            NtuErrorKind::TrailingContent
        );
        // NaN is refused.
        let mut nan: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
        nan[6] = nan[6].replacen("0.2", "NaN", 1);
        assert!(matches!(
            NtuSequence::parse(&nan.join("\n")).unwrap_err().kind,
            NtuErrorKind::NonFinite { .. }
        ));
    }

    fn e_what(e: &NtuError) -> &'static str {
        match e.kind {
            NtuErrorKind::FieldCount { what, .. } => what,
            _ => "",
        }
    }

    #[test]
    fn huge_declared_counts_fail_fast_without_allocating() {
        let e = NtuSequence::parse("18446744073709551615\n4000000000\n").unwrap_err();
        assert_eq!(e.line, 2); // the last line read: the body header that should follow is missing
        assert!(matches!(e.kind, NtuErrorKind::UnexpectedEnd { .. }));
    }
}
