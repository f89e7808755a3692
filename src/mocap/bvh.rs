//! Biovision Hierarchy (`.bvh`): a strict reader and forward kinematics.
//!
//! A file is `HIERARCHY`, one `ROOT` with nested `JOINT`s and `End Site`s (each a `{ … }` block
//! with one `OFFSET x y z` and, for joints, one `CHANNELS n c1 … cn` line, both before any
//! child), then `MOTION`, `Frames: n`, `Frame Time: seconds`, and exactly `n` rows, each with
//! exactly as many numbers as the hierarchy has channels, in the order the channels were listed.
//! The six channel kinds (`Xposition` … `Zrotation`, any case) may come in any order; rotations
//! are degrees and compose in the listed order (`Zrotation Xrotation Yrotation` is
//! `Rz · Rx · Ry`), positions translate the joint in its parent's frame and add to its `OFFSET`.
//!
//! Errors name the source and the line; nothing is allocated from the `Frames:` or `CHANNELS`
//! counts, which are only checked against what follows them. Numbers must be finite and at most
//! 10⁶ in magnitude.

use super::math::{self, M3, V3};
use super::{MocapError, err, number};

/// One of the six BVH channel kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    Xposition,
    Yposition,
    Zposition,
    Xrotation,
    Yrotation,
    Zrotation,
}

impl Channel {
    fn parse(token: &str) -> Option<Channel> {
        Some(match token.to_ascii_lowercase().as_str() {
            "xposition" => Channel::Xposition,
            "yposition" => Channel::Yposition,
            "zposition" => Channel::Zposition,
            "xrotation" => Channel::Xrotation,
            "yrotation" => Channel::Yrotation,
            "zrotation" => Channel::Zrotation,
            _ => return None,
        })
    }

    /// The axis (0 = X) and whether the channel is a rotation.
    fn axis(self) -> (usize, bool) {
        match self {
            Channel::Xposition => (0, false),
            Channel::Yposition => (1, false),
            Channel::Zposition => (2, false),
            Channel::Xrotation => (0, true),
            Channel::Yrotation => (1, true),
            Channel::Zrotation => (2, true),
        }
    }
}

/// A joint or an end site of the hierarchy.
#[derive(Clone, Debug, PartialEq)]
pub struct BvhJoint {
    /// The joint's name; an end site is named after its joint: `<joint>_End`.
    pub name: String,
    /// Index of the parent in [`Bvh::joints`] (always smaller than the joint's own); `None` for
    /// the root.
    pub parent: Option<usize>,
    pub offset: V3,
    pub channels: Vec<Channel>,
    /// Index of the joint's first channel in a motion row.
    pub first_channel: usize,
    pub end_site: bool,
    /// Line of the `ROOT`/`JOINT`/`End Site` keyword.
    pub line: usize,
}

/// A parsed `.bvh` file.
#[derive(Clone, Debug, PartialEq)]
pub struct Bvh {
    /// Joints and end sites in file order (parents before children).
    pub joints: Vec<BvhJoint>,
    /// Channels per motion row.
    pub channels: usize,
    /// Seconds per frame (`Frame Time:`).
    pub frame_time: f64,
    /// Motion rows, `frames × channels`, row-major.
    pub motion: Vec<f64>,
    /// The line of each motion row.
    pub row_lines: Vec<usize>,
}

struct Pending {
    name: String,
    end_site: bool,
    line: usize,
}

/// Parses a `.bvh` file's text; `source` names it in errors.
pub fn parse(text: &str, source: &str) -> Result<Bvh, MocapError> {
    let e = |line: usize, msg: String| err(source, line, msg);
    let lines: Vec<&str> = text.split('\n').collect();
    let last_line = lines.len();

    // Tokens of the hierarchy, up to the MOTION line.
    let mut tokens: Vec<(usize, &str)> = Vec::new();
    let mut motion_line = None;
    for (i, line) in lines.iter().enumerate() {
        let mut words = line.split_ascii_whitespace().peekable();
        if words.peek() == Some(&"MOTION") {
            motion_line = Some(i);
            if words.nth(1).is_some() {
                return Err(e(i + 1, "unexpected text after MOTION".into()));
            }
            break;
        }
        tokens.extend(words.map(|w| (i + 1, w)));
    }

    let mut at = match tokens.first() {
        Some(&(_, "HIERARCHY")) => 1,
        Some(&(line, tok)) => {
            return Err(e(line, format!("expected HIERARCHY, found {tok:?}")));
        }
        None => {
            let line = motion_line.map_or(last_line, |m| m + 1);
            return Err(e(line, "expected HIERARCHY".into()));
        }
    };

    let mut joints: Vec<BvhJoint> = Vec::new();
    // Open blocks: index into `joints`, and whether a child has been opened inside yet.
    let mut stack: Vec<(usize, bool)> = Vec::new();
    let mut offsets_seen: Vec<bool> = Vec::new();
    let mut channels_seen: Vec<bool> = Vec::new();
    let mut pending: Option<Pending> = None;
    let mut root_seen = false;
    let mut channels = 0usize;
    let mut names: std::collections::HashMap<String, usize> = std::collections::HashMap::new();

    while at < tokens.len() {
        let (line, tok) = tokens[at];
        at += 1;
        if let Some(p) = &pending
            && tok != "{"
        {
            let what = if p.end_site { "End Site" } else { "joint" };
            return Err(e(line, format!("expected {{ to open {what} {:?}", p.name)));
        }
        match tok {
            "ROOT" | "JOINT" => {
                if tok == "ROOT" {
                    if root_seen {
                        return Err(e(line, "a second ROOT (only one skeleton per file)".into()));
                    }
                    root_seen = true;
                } else if stack.is_empty() {
                    return Err(e(line, "JOINT outside a ROOT block".into()));
                }
                if tok == "ROOT" && !stack.is_empty() {
                    return Err(e(line, "ROOT inside another joint".into()));
                }
                if let Some(&(j, _)) = stack.last()
                    && joints[j].end_site
                {
                    return Err(e(line, "a JOINT inside an End Site".into()));
                }
                let mut name_parts = Vec::new();
                while at < tokens.len() && tokens[at].0 == line && tokens[at].1 != "{" {
                    name_parts.push(tokens[at].1);
                    at += 1;
                }
                if name_parts.is_empty() {
                    return Err(e(line, format!("{tok} without a name")));
                }
                pending = Some(Pending {
                    name: name_parts.join(" "),
                    end_site: false,
                    line,
                });
            }
            "End" => {
                if at >= tokens.len() || tokens[at] != (line, "Site") {
                    return Err(e(line, "expected End Site".into()));
                }
                at += 1;
                let Some(&(j, _)) = stack.last() else {
                    return Err(e(line, "End Site outside a joint".into()));
                };
                if joints[j].end_site {
                    return Err(e(line, "an End Site inside an End Site".into()));
                }
                pending = Some(Pending {
                    name: format!("{}_End", joints[j].name),
                    end_site: true,
                    line,
                });
            }
            "{" => {
                let Some(p) = pending.take() else {
                    return Err(e(line, "unexpected {".into()));
                };
                let parent = stack.last().map(|&(j, _)| j);
                if let Some(top) = stack.last_mut() {
                    top.1 = true;
                }
                if !p.end_site {
                    if let Some(&first) = names.get(&p.name) {
                        return Err(e(
                            p.line,
                            format!(
                                "duplicate joint name {:?} (first at line {})",
                                p.name, joints[first].line
                            ),
                        ));
                    }
                    names.insert(p.name.clone(), joints.len());
                }
                stack.push((joints.len(), false));
                joints.push(BvhJoint {
                    name: p.name,
                    parent,
                    offset: [0.0; 3],
                    channels: Vec::new(),
                    first_channel: channels,
                    end_site: p.end_site,
                    line: p.line,
                });
                offsets_seen.push(false);
                channels_seen.push(false);
            }
            "}" => {
                let Some((j, _)) = stack.pop() else {
                    return Err(e(line, "unexpected }".into()));
                };
                if !offsets_seen[j] {
                    return Err(e(line, format!("{:?} has no OFFSET", joints[j].name)));
                }
            }
            "OFFSET" => {
                let Some(&(j, has_child)) = stack.last() else {
                    return Err(e(line, "OFFSET outside a joint".into()));
                };
                if offsets_seen[j] {
                    return Err(e(line, format!("a second OFFSET in {:?}", joints[j].name)));
                }
                if has_child || channels_seen[j] {
                    return Err(e(line, "OFFSET must come first in its block".into()));
                }
                let mut v = [0.0; 3];
                for x in v.iter_mut() {
                    match tokens.get(at) {
                        Some(&(l, t)) if l == line => {
                            *x = number(t, source, line, "OFFSET value")?;
                            at += 1;
                        }
                        _ => return Err(e(line, "OFFSET needs 3 numbers on its line".into())),
                    }
                }
                if tokens.get(at).is_some_and(|&(l, _)| l == line) {
                    return Err(e(line, "OFFSET needs exactly 3 numbers".into()));
                }
                joints[j].offset = v;
                offsets_seen[j] = true;
            }
            "CHANNELS" => {
                let Some(&(j, has_child)) = stack.last() else {
                    return Err(e(line, "CHANNELS outside a joint".into()));
                };
                if joints[j].end_site {
                    return Err(e(line, "an End Site has no CHANNELS".into()));
                }
                if channels_seen[j] {
                    return Err(e(
                        line,
                        format!("a second CHANNELS in {:?}", joints[j].name),
                    ));
                }
                if has_child || !offsets_seen[j] {
                    return Err(e(
                        line,
                        "CHANNELS must follow OFFSET, before any child".into(),
                    ));
                }
                let count = match tokens.get(at) {
                    Some(&(l, t)) if l == line => {
                        at += 1;
                        t.parse::<usize>().ok().filter(|&n| n <= 6).ok_or_else(|| {
                            e(line, format!("CHANNELS count must be 0 to 6, found {t:?}"))
                        })?
                    }
                    _ => return Err(e(line, "CHANNELS without a count".into())),
                };
                let mut list = Vec::new();
                while let Some(&(l, t)) = tokens.get(at) {
                    if l != line {
                        break;
                    }
                    at += 1;
                    let c = Channel::parse(t)
                        .ok_or_else(|| e(line, format!("unknown channel {t:?}")))?;
                    if list.contains(&c) {
                        return Err(e(line, format!("channel {t} listed twice")));
                    }
                    list.push(c);
                }
                if list.len() != count {
                    return Err(e(
                        line,
                        format!("CHANNELS {count} lists {} channels", list.len()),
                    ));
                }
                joints[j].first_channel = channels;
                channels += list.len();
                joints[j].channels = list;
                channels_seen[j] = true;
            }
            _ => return Err(e(line, format!("unexpected {tok:?} in HIERARCHY"))),
        }
    }
    let end_line = motion_line.map_or(last_line, |m| m + 1);
    if let Some(p) = pending {
        return Err(e(p.line, format!("{:?} is not opened with {{", p.name)));
    }
    if let Some(&(j, _)) = stack.last() {
        return Err(e(
            end_line,
            format!(
                "{:?} (line {}) is not closed",
                joints[j].name, joints[j].line
            ),
        ));
    }
    if !root_seen {
        return Err(e(end_line, "no ROOT in HIERARCHY".into()));
    }
    let Some(motion_line) = motion_line else {
        return Err(e(last_line, "no MOTION section".into()));
    };
    if channels == 0 {
        return Err(e(motion_line + 1, "the hierarchy has no channels".into()));
    }

    // MOTION: Frames:, Frame Time:, rows.
    let mut rest = lines
        .iter()
        .enumerate()
        .skip(motion_line + 1)
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty());
    let frames = match rest.next() {
        Some((line, l)) => {
            let words: Vec<&str> = l.split_ascii_whitespace().collect();
            match words.as_slice() {
                ["Frames:", n] => n
                    .parse::<usize>()
                    .map_err(|_| e(line, format!("Frames: {n:?} is not a count")))?,
                _ => return Err(e(line, "expected Frames: n".into())),
            }
        }
        None => return Err(e(last_line, "expected Frames: after MOTION".into())),
    };
    let frame_time = match rest.next() {
        Some((line, l)) => {
            let words: Vec<&str> = l.split_ascii_whitespace().collect();
            match words.as_slice() {
                ["Frame", "Time:", t] => {
                    let t = number(t, source, line, "Frame Time")?;
                    if !(1e-4..=1.0).contains(&t) {
                        return Err(e(
                            line,
                            format!("Frame Time {t} s is outside 0.0001 to 1 s"),
                        ));
                    }
                    t
                }
                _ => return Err(e(line, "expected Frame Time: seconds".into())),
            }
        }
        None => return Err(e(last_line, "expected Frame Time: after Frames:".into())),
    };
    let mut motion = Vec::new();
    let mut row_lines = Vec::new();
    for (line, l) in rest {
        if row_lines.len() == frames {
            return Err(e(line, format!("more motion rows than Frames: {frames}")));
        }
        let mut n = 0usize;
        for t in l.split_ascii_whitespace() {
            n += 1;
            if n > channels {
                break;
            }
            motion.push(number(t, source, line, "motion value")?);
        }
        if n != channels {
            return Err(e(
                line,
                format!(
                    "a motion row needs {channels} numbers, found {n}{}",
                    if n > channels { " or more" } else { "" }
                ),
            ));
        }
        row_lines.push(line);
    }
    if row_lines.len() != frames {
        return Err(e(
            last_line,
            format!("Frames: {frames}, but {} motion rows", row_lines.len()),
        ));
    }
    Ok(Bvh {
        joints,
        channels,
        frame_time,
        motion,
        row_lines,
    })
}

impl Bvh {
    /// Number of motion rows.
    pub fn frames(&self) -> usize {
        self.row_lines.len()
    }

    /// The names of joints and end sites, in [`Bvh::joints`] order.
    pub fn names(&self) -> Vec<String> {
        self.joints.iter().map(|j| j.name.clone()).collect()
    }

    /// World positions (file units and axes) of every joint and end site in frame `frame`, or in
    /// the rest pose (every channel 0) for `None`, into `out` (resized to the joint count).
    /// Rotation scratch space is `rot`.
    pub fn positions(&self, frame: Option<usize>, out: &mut Vec<V3>, rot: &mut Vec<M3>) {
        out.clear();
        rot.clear();
        let row = frame.and_then(|f| self.motion.get(f * self.channels..(f + 1) * self.channels));
        for j in &self.joints {
            let mut translation = j.offset;
            let mut axes = [(0usize, 0.0f64); 6];
            let mut n_axes = 0;
            for (k, c) in j.channels.iter().enumerate() {
                let value = row
                    .and_then(|r| r.get(j.first_channel + k))
                    .copied()
                    .unwrap_or(0.0);
                let (axis, rotation) = c.axis();
                if rotation {
                    axes[n_axes] = (axis, value.to_radians());
                    n_axes += 1;
                } else {
                    translation[axis] += value;
                }
            }
            let local = math::intrinsic(&axes[..n_axes]);
            let (p, r) = match j.parent {
                Some(parent) => {
                    let pr = rot[parent];
                    (
                        math::add(out[parent], math::apply(&pr, translation)),
                        math::mul(&pr, &local),
                    )
                }
                None => (translation, local),
            };
            out.push(p);
            rot.push(r);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHAIN: &str = "HIERARCHY\nROOT hips\n{\n  OFFSET 0 0 0\n  CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation\n  JOINT knee\n  {\n    OFFSET 0 -2 0\n    CHANNELS 3 Xrotation Yrotation Zrotation\n    End Site\n    {\n      OFFSET 0 -1 0\n    }\n  }\n}\nMOTION\nFrames: 2\nFrame Time: 0.5\n0 0 0 0 0 0 0 0 0\n1 2 3 90 0 0 0 0 90\n";

    fn close(a: V3, b: V3) {
        assert!(math::distance(a, b) < 1e-9, "{a:?} != {b:?}");
    }

    #[test]
    fn parses_a_two_bone_chain() {
        let b = parse(CHAIN, "chain.bvh").unwrap();
        assert_eq!(b.names(), ["hips", "knee", "knee_End"]);
        assert_eq!(b.channels, 9);
        assert_eq!(b.frames(), 2);
        assert_eq!(b.frame_time, 0.5);
        assert_eq!(b.row_lines, [19, 20]);
        assert_eq!(b.joints[1].first_channel, 6);
        assert_eq!(b.joints[2].parent, Some(1));
    }

    #[test]
    fn forward_kinematics_of_the_chain() {
        let b = parse(CHAIN, "chain.bvh").unwrap();
        let (mut p, mut r) = (Vec::new(), Vec::new());
        b.positions(None, &mut p, &mut r);
        close(p[1], [0.0, -2.0, 0.0]);
        close(p[2], [0.0, -3.0, 0.0]);
        b.positions(Some(0), &mut p, &mut r);
        close(p[2], [0.0, -3.0, 0.0]);
        // Frame 2: the root at (1, 2, 3) turned 90° about Z, so its −Y points at +X; the knee
        // turns a further 90° about its own Z, so the shin points at +Y.
        b.positions(Some(1), &mut p, &mut r);
        close(p[0], [1.0, 2.0, 3.0]);
        close(p[1], [3.0, 2.0, 3.0]);
        close(p[2], [3.0, 3.0, 3.0]);
    }

    #[test]
    fn rotation_order_follows_the_channel_list() {
        let make = |order: &str| {
            CHAIN
                .replace("Xrotation Yrotation Zrotation", order)
                .replace(
                    "0 0 0 0 0 0 0 0 0\n1 2 3 90 0 0 0 0 90",
                    "0 0 0 0 0 0 90 90 0\n0 0 0 0 0 0 0 0 0",
                )
        };
        let (mut p, mut r) = (Vec::new(), Vec::new());
        // Rx(90) · Ry(90): Ry keeps (0,-1,0), Rx takes it to (0,0,-1).
        let b = parse(&make("Xrotation Yrotation Zrotation"), "x").unwrap();
        b.positions(Some(0), &mut p, &mut r);
        close(p[2], [0.0, -2.0, -1.0]);
        // Rz(90) · Rx(90) with the same values (z = 90, x = 90): Rx takes (0,-1,0) to
        // (0,0,-1), Rz keeps it.
        let b = parse(&make("Zrotation Xrotation Yrotation"), "x").unwrap();
        b.positions(Some(0), &mut p, &mut r);
        close(p[2], [0.0, -2.0, -1.0]);
        // Ry(90) · Rx(90): Rx takes (0,-1,0) to (0,0,-1), Ry takes that to (-1,0,0).
        let b = parse(&make("Yrotation Xrotation Zrotation"), "x").unwrap();
        b.positions(Some(0), &mut p, &mut r);
        close(p[2], [-1.0, -2.0, 0.0]);
    }

    #[test]
    fn errors_name_the_line() {
        let cases = [
            (
                CHAIN.replace("OFFSET 0 -2 0", "OFFSET 0 -2"),
                8,
                "3 numbers",
            ),
            (CHAIN.replace("CHANNELS 3 X", "CHANNELS 4 X"), 9, "lists 3"),
            (CHAIN.replace("Frames: 2", "Frames: 3"), 21, "2 motion rows"),
            (
                CHAIN.replace("Frames: 2", "Frames: 1"),
                20,
                "more motion rows",
            ),
            (CHAIN.replace("1 2 3 90", "1 2 90"), 20, "needs 9"),
            (CHAIN.replace("1 2 3 90", "1 2 NaN 90"), 20, "motion value"),
            (
                CHAIN.replace("Frame Time: 0.5", "Frame Time: 0"),
                18,
                "Frame Time",
            ),
            (
                CHAIN.replace("JOINT knee", "JOINT hips"),
                6,
                "duplicate joint",
            ),
            (
                CHAIN.replace("Yrotation\n  JOINT", "Wrotation\n  JOINT"),
                5,
                "unknown channel",
            ),
            (CHAIN.replace("  }\n}\n", "  }\n"), 15, "not closed"),
            (CHAIN.replace("MOTION", "MOTIONS"), 16, "MOTION"),
        ];
        for (text, line, what) in cases {
            let e = parse(&text, "t.bvh").unwrap_err();
            assert_eq!(e.line, line, "{e}");
            assert!(e.to_string().contains(what), "{e}");
            assert!(e.to_string().starts_with(&format!("t.bvh:{line}: ")), "{e}");
        }
    }
}
