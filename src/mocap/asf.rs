//! Acclaim skeleton (`.asf`) and motion (`.amc`) files: strict readers and forward kinematics.
//!
//! **ASF** sections, each at most once: `:version`, `:name`, `:units` (`mass`, `length L`,
//! `angle deg|rad`), `:documentation` and `:skin` (free text, skipped), `:root` (`order` — the
//! six of `TX TY TZ RX RY RZ` in the order the AMC lists them and the root's rotations are
//! applied —, `axis` — the order of `orientation` —, `position`, `orientation`), `:bonedata`
//! (`begin` … `end` blocks with `id`, `name`, `direction`, `length`, `axis a b c ORDER`, `dof`
//! (any of `rx ry rz tx ty tz l`, in AMC order), `limits` (one `(min max)` per dof, over one or
//! more lines), `bodymass`, `cofmass`) and `:hierarchy` (`begin`, lines `parent child …`, `end`;
//! every bone has exactly one parent and hangs from `root`). Bone names are case-insensitive.
//!
//! **AMC**: comment lines (`#`), the headers `:FULLY-SPECIFIED`, `:DEGREES`, `:RADIANS`, then
//! frames: a line with the frame number (counting up by one), then one line per bone with a dof
//! (and `root`): the bone's name and exactly its dof count of numbers. Every such bone appears
//! exactly once per frame. Angles are the AMC's `:DEGREES`/`:RADIANS`, else the ASF's unit.
//!
//! **Kinematics** (the Acclaim convention): a bone's `direction` and `axis` are in world
//! coordinates of the rest pose. With `C` the rotation of the bone's `axis` (about the fixed
//! axes in the listed order) and `M` the frame's dof rotation (likewise, in the dof order), the
//! bone's world rotation is `R = R_parent · C · M · Cᵀ`, and its end point — the *position* of
//! a bone in ASF — is `parent end + R · (length · direction)`. The root's rotation is
//! `C₀ · M₀ · C₀ᵀ` (`C₀` from `orientation` in the `axis` order) and its position is
//! `position` plus the frame's translation. The rarely used `tx ty tz` dofs move a bone's end
//! along its `axis` frame (`R · C · t`), `l` adds to its length.
//!
//! Errors name the source and the line; counts are never trusted for allocation. Numbers must be
//! finite and at most 10⁶ in magnitude (limits may be `inf`).

use super::math::{self, M3, V3};
use super::{MocapError, err, number};
use std::collections::HashMap;

/// A degree of freedom of a bone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dof {
    Rx,
    Ry,
    Rz,
    Tx,
    Ty,
    Tz,
    L,
}

impl Dof {
    fn parse(token: &str) -> Option<Dof> {
        Some(match token.to_ascii_lowercase().as_str() {
            "rx" => Dof::Rx,
            "ry" => Dof::Ry,
            "rz" => Dof::Rz,
            "tx" => Dof::Tx,
            "ty" => Dof::Ty,
            "tz" => Dof::Tz,
            "l" => Dof::L,
            _ => return None,
        })
    }
}

/// The root: channel order, orientation order, rest position and orientation.
#[derive(Clone, Debug, PartialEq)]
pub struct AsfRoot {
    /// The six root channels in AMC order (`Tx Ty Tz Rx Ry Rz` by default).
    pub order: Vec<Dof>,
    /// Axis order of `orientation` (0 = X).
    pub axis: [usize; 3],
    pub position: V3,
    pub orientation: V3,
}

/// One bone of `:bonedata`.
#[derive(Clone, Debug, PartialEq)]
pub struct AsfBone {
    pub id: Option<i64>,
    pub name: String,
    /// Unit vector, world coordinates of the rest pose.
    pub direction: V3,
    pub length: f64,
    /// Euler angles of the bone's axis frame (the ASF's angle unit, as written).
    pub axis: V3,
    pub axis_order: [usize; 3],
    pub dof: Vec<Dof>,
    pub limits: Vec<(f64, f64)>,
    /// Line of the bone's `begin`.
    pub line: usize,
}

/// A parsed `.asf` file.
#[derive(Clone, Debug, PartialEq)]
pub struct Asf {
    pub version: Option<String>,
    pub name: Option<String>,
    pub mass: f64,
    /// `:units length`: file length units per inch (metres = value × 0.0254 / L).
    pub length: f64,
    /// `:units angle rad` (else degrees).
    pub radians: bool,
    pub root: AsfRoot,
    pub bones: Vec<AsfBone>,
    /// Parent of each bone (index into `bones`), `None` for the root.
    pub parent: Vec<Option<usize>>,
    /// Bones in an order where every parent comes before its children.
    pub order: Vec<usize>,
}

/// A parsed `.amc` file: the values of every frame, [`Asf::stride`] per frame.
#[derive(Clone, Debug, PartialEq)]
pub struct Amc {
    /// `:DEGREES` / `:RADIANS` when given.
    pub radians: Option<bool>,
    pub fully_specified: bool,
    /// Values per frame (6 for the root, then each bone's dof in bone order).
    pub stride: usize,
    /// `frames × stride`, row-major.
    pub values: Vec<f64>,
    /// The frame-number line of each frame.
    pub frame_lines: Vec<usize>,
    /// The first frame's number.
    pub first_frame: i64,
}

#[derive(PartialEq, Clone, Copy)]
enum Section {
    None,
    Text,
    Units,
    Root,
    Bones,
    Hierarchy,
}

fn axis_letter(c: char) -> Option<usize> {
    match c.to_ascii_uppercase() {
        'X' => Some(0),
        'Y' => Some(1),
        'Z' => Some(2),
        _ => None,
    }
}

/// An axis order such as `XYZ` or `ZXY`.
fn axis_order(token: &str) -> Option<[usize; 3]> {
    let mut out = [0usize; 3];
    let mut chars = token.chars();
    for o in out.iter_mut() {
        *o = axis_letter(chars.next()?)?;
    }
    if chars.next().is_some() || out[0] == out[1] || out[1] == out[2] || out[0] == out[2] {
        return None;
    }
    Some(out)
}

#[derive(Default)]
struct BoneDraft {
    line: usize,
    id: Option<i64>,
    name: Option<String>,
    direction: Option<V3>,
    length: Option<f64>,
    axis: Option<(V3, [usize; 3])>,
    dof: Option<Vec<Dof>>,
    limits: Option<Vec<(f64, f64)>>,
    /// Still reading `limits` continuation lines.
    in_limits: bool,
}

/// Appends `(min max)` pairs from `text` to `out`.
fn limit_pairs(
    text: &str,
    source: &str,
    line: usize,
    out: &mut Vec<(f64, f64)>,
) -> Result<(), MocapError> {
    let spaced = text.replace('(', " ( ").replace(')', " ) ");
    let mut words = spaced.split_ascii_whitespace();
    let limit = |t: &str| -> Result<f64, MocapError> {
        match t.to_ascii_lowercase().as_str() {
            "inf" | "+inf" => Ok(f64::INFINITY),
            "-inf" => Ok(f64::NEG_INFINITY),
            _ => number(t, source, line, "limit"),
        }
    };
    while let Some(open) = words.next() {
        if open != "(" {
            return Err(err(
                source,
                line,
                format!("expected ( in limits, found {open:?}"),
            ));
        }
        let (Some(a), Some(b), Some(close)) = (words.next(), words.next(), words.next()) else {
            return Err(err(source, line, "a limit is (min max)".into()));
        };
        if close != ")" {
            return Err(err(source, line, "a limit is (min max)".into()));
        }
        let (a, b) = (limit(a)?, limit(b)?);
        if a > b {
            return Err(err(
                source,
                line,
                format!("limit ({a} {b}) has min above max"),
            ));
        }
        out.push((a, b));
    }
    Ok(())
}

fn numbers3(words: &[&str], source: &str, line: usize, what: &str) -> Result<V3, MocapError> {
    if words.len() != 3 {
        return Err(err(source, line, format!("{what} needs 3 numbers")));
    }
    Ok([
        number(words[0], source, line, what)?,
        number(words[1], source, line, what)?,
        number(words[2], source, line, what)?,
    ])
}

fn one_number(words: &[&str], source: &str, line: usize, what: &str) -> Result<f64, MocapError> {
    match words {
        [w] => number(w, source, line, what),
        _ => Err(err(source, line, format!("{what} needs one number"))),
    }
}

/// Parses an `.asf` file's text; `source` names it in errors.
pub fn parse(text: &str, source: &str) -> Result<Asf, MocapError> {
    let e = |line: usize, msg: String| err(source, line, msg);
    let last_line = text.split('\n').count();
    let mut section = Section::None;
    let mut seen: Vec<&str> = Vec::new();
    let (mut version, mut name) = (None, None);
    let (mut mass, mut length, mut radians) = (1.0, 1.0, false);
    let mut order: Option<Vec<Dof>> = None;
    let mut root_axis: Option<[usize; 3]> = None;
    let (mut position, mut orientation): (Option<V3>, Option<V3>) = (None, None);
    let mut bones: Vec<AsfBone> = Vec::new();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    let mut draft: Option<BoneDraft> = None;
    // Hierarchy: 0 before begin, 1 inside, 2 after end.
    let mut hier_state = 0;
    let mut parent_line: Vec<(Option<usize>, usize)> = Vec::new();
    let mut hier_line = 0;

    for (i, raw) in text.split('\n').enumerate() {
        let line = i + 1;
        let l = raw.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        let words: Vec<&str> = l.split_ascii_whitespace().collect();
        if l.starts_with(':') {
            let key = words[0].to_ascii_lowercase();
            if section == Section::Bones && draft.is_some() {
                return Err(e(line, format!("{} inside a bone (no end)", words[0])));
            }
            if section == Section::Hierarchy && hier_state == 1 {
                return Err(e(line, format!("{} inside :hierarchy (no end)", words[0])));
            }
            let known = [
                ":version",
                ":name",
                ":units",
                ":documentation",
                ":skin",
                ":root",
                ":bonedata",
                ":hierarchy",
            ];
            let Some(&k) = known.iter().find(|&&k| k == key) else {
                return Err(e(line, format!("unknown section {}", words[0])));
            };
            if seen.contains(&k) {
                return Err(e(line, format!("a second {k}")));
            }
            seen.push(k);
            let rest = &words[1..];
            section = match k {
                ":version" | ":name" => {
                    if rest.is_empty() {
                        return Err(e(line, format!("{k} needs a value")));
                    }
                    let v = Some(rest.join(" "));
                    if k == ":version" {
                        version = v;
                    } else {
                        name = v;
                    }
                    Section::None
                }
                _ if !rest.is_empty() => {
                    return Err(e(line, format!("unexpected text after {k}")));
                }
                ":units" => Section::Units,
                ":documentation" | ":skin" => Section::Text,
                ":root" => Section::Root,
                ":bonedata" => Section::Bones,
                _ => {
                    if !seen.contains(&":bonedata") {
                        return Err(e(line, ":hierarchy before :bonedata".into()));
                    }
                    hier_line = line;
                    parent_line = vec![(None, 0); bones.len()];
                    Section::Hierarchy
                }
            };
            continue;
        }
        let key = words[0].to_ascii_lowercase();
        let rest = &words[1..];
        match section {
            Section::None => {
                return Err(e(
                    line,
                    format!("unexpected {:?} outside a section", words[0]),
                ));
            }
            Section::Text => {}
            Section::Units => match key.as_str() {
                "mass" => mass = one_number(rest, source, line, "mass")?,
                "length" => {
                    length = one_number(rest, source, line, "length")?;
                    if length <= 0.0 {
                        return Err(e(line, "length unit must be positive".into()));
                    }
                }
                "angle" => {
                    radians = match rest {
                        [a] if a.eq_ignore_ascii_case("deg") => false,
                        [a] if a.eq_ignore_ascii_case("rad") => true,
                        _ => return Err(e(line, "angle is deg or rad".into())),
                    }
                }
                _ => return Err(e(line, format!("unknown unit {:?}", words[0]))),
            },
            Section::Root => match key.as_str() {
                "order" => {
                    if order.is_some() {
                        return Err(e(line, "a second order".into()));
                    }
                    let mut list = Vec::new();
                    for w in rest {
                        let d = Dof::parse(w)
                            .filter(|d| *d != Dof::L)
                            .ok_or_else(|| e(line, format!("unknown root channel {w:?}")))?;
                        if list.contains(&d) {
                            return Err(e(line, format!("root channel {w} listed twice")));
                        }
                        list.push(d);
                    }
                    if list.len() != 6 {
                        return Err(e(line, "order lists the six of TX TY TZ RX RY RZ".into()));
                    }
                    order = Some(list);
                }
                "axis" => {
                    root_axis = Some(match rest {
                        [a] => {
                            axis_order(a).ok_or_else(|| e(line, format!("bad axis order {a:?}")))?
                        }
                        _ => return Err(e(line, "axis needs one order such as XYZ".into())),
                    })
                }
                "position" => position = Some(numbers3(rest, source, line, "position")?),
                "orientation" => orientation = Some(numbers3(rest, source, line, "orientation")?),
                _ => return Err(e(line, format!("unknown root field {:?}", words[0]))),
            },
            Section::Bones => {
                if key == "begin" {
                    if !rest.is_empty() {
                        return Err(e(line, "unexpected text after begin".into()));
                    }
                    if draft.is_some() {
                        return Err(e(line, "begin inside a bone".into()));
                    }
                    draft = Some(BoneDraft {
                        line,
                        ..BoneDraft::default()
                    });
                    continue;
                }
                let Some(d) = draft.as_mut() else {
                    return Err(e(line, format!("{:?} outside begin … end", words[0])));
                };
                if l.starts_with('(') {
                    if !d.in_limits {
                        return Err(e(line, "a limit outside limits".into()));
                    }
                    limit_pairs(l, source, line, d.limits.get_or_insert_with(Vec::new))?;
                    continue;
                }
                d.in_limits = false;
                let twice = |what: &str| e(line, format!("a second {what} in the bone"));
                match key.as_str() {
                    "id" => {
                        if d.id.is_some() {
                            return Err(twice("id"));
                        }
                        d.id = Some(match rest {
                            [w] => w.parse().map_err(|_| e(line, format!("bad id {w:?}")))?,
                            _ => return Err(e(line, "id needs one integer".into())),
                        })
                    }
                    "name" => {
                        if d.name.is_some() {
                            return Err(twice("name"));
                        }
                        let n = match rest {
                            [w] => w.to_string(),
                            _ => return Err(e(line, "name needs one word".into())),
                        };
                        if n.eq_ignore_ascii_case("root") {
                            return Err(e(line, "a bone cannot be named root".into()));
                        }
                        if let Some(&j) = by_name.get(&n.to_ascii_lowercase()) {
                            return Err(e(
                                line,
                                format!("duplicate bone {n:?} (first at line {})", bones[j].line),
                            ));
                        }
                        d.name = Some(n);
                    }
                    "direction" => {
                        if d.direction.is_some() {
                            return Err(twice("direction"));
                        }
                        d.direction = Some(numbers3(rest, source, line, "direction")?)
                    }
                    "length" => {
                        if d.length.is_some() {
                            return Err(twice("length"));
                        }
                        let v = one_number(rest, source, line, "length")?;
                        if v < 0.0 {
                            return Err(e(line, "negative length".into()));
                        }
                        d.length = Some(v);
                    }
                    "axis" => {
                        if d.axis.is_some() {
                            return Err(twice("axis"));
                        }
                        let [a, b, c, o] = rest else {
                            return Err(e(line, "axis needs 3 angles and an order".into()));
                        };
                        let v = numbers3(&[a, b, c], source, line, "axis")?;
                        let o = axis_order(o)
                            .ok_or_else(|| e(line, format!("bad axis order {o:?}")))?;
                        d.axis = Some((v, o));
                    }
                    "dof" => {
                        if d.dof.is_some() {
                            return Err(twice("dof"));
                        }
                        let mut list = Vec::new();
                        for w in rest {
                            let x = Dof::parse(w)
                                .ok_or_else(|| e(line, format!("unknown dof {w:?}")))?;
                            if list.contains(&x) {
                                return Err(e(line, format!("dof {w} listed twice")));
                            }
                            list.push(x);
                        }
                        if list.is_empty() {
                            return Err(e(line, "dof lists nothing".into()));
                        }
                        d.dof = Some(list);
                    }
                    "limits" => {
                        if d.limits.is_some() {
                            return Err(twice("limits"));
                        }
                        let mut v = Vec::new();
                        let text = l[words[0].len()..].trim();
                        limit_pairs(text, source, line, &mut v)?;
                        d.limits = Some(v);
                        d.in_limits = true;
                    }
                    "bodymass" => {
                        one_number(rest, source, line, "bodymass")?;
                    }
                    "cofmass" => {
                        one_number(rest, source, line, "cofmass")?;
                    }
                    "end" => {
                        if !rest.is_empty() {
                            return Err(e(line, "unexpected text after end".into()));
                        }
                        let d = draft.take().unwrap_or_default();
                        let missing = |what: &str| {
                            e(
                                line,
                                format!("bone (begin at line {}) has no {what}", d.line),
                            )
                        };
                        let name = d.name.clone().ok_or_else(|| missing("name"))?;
                        let direction = d.direction.ok_or_else(|| missing("direction"))?;
                        let length = d.length.ok_or_else(|| missing("length"))?;
                        let (axis, axis_order) = d.axis.ok_or_else(|| missing("axis"))?;
                        let dof = d.dof.clone().unwrap_or_default();
                        let limits = d.limits.clone().unwrap_or_default();
                        if d.limits.is_some() && limits.len() != dof.len() {
                            return Err(e(
                                line,
                                format!(
                                    "bone {name} has {} dof but {} limits",
                                    dof.len(),
                                    limits.len()
                                ),
                            ));
                        }
                        let n = math::norm(direction);
                        let direction = if n > 1e-12 {
                            math::scale(direction, 1.0 / n)
                        } else if length == 0.0 {
                            [0.0; 3]
                        } else {
                            return Err(e(line, format!("bone {name} has a zero direction")));
                        };
                        by_name.insert(name.to_ascii_lowercase(), bones.len());
                        bones.push(AsfBone {
                            id: d.id,
                            name,
                            direction,
                            length,
                            axis,
                            axis_order,
                            dof,
                            limits,
                            line: d.line,
                        });
                    }
                    _ => return Err(e(line, format!("unknown bone field {:?}", words[0]))),
                }
            }
            Section::Hierarchy => match (hier_state, key.as_str()) {
                (0, "begin") if rest.is_empty() => hier_state = 1,
                (0, _) => return Err(e(line, "expected begin".into())),
                (1, "end") if rest.is_empty() => hier_state = 2,
                (1, _) => {
                    let parent = if key == "root" {
                        None
                    } else {
                        Some(*by_name.get(&key).ok_or_else(|| {
                            e(line, format!("unknown bone {:?} in :hierarchy", words[0]))
                        })?)
                    };
                    if rest.is_empty() {
                        return Err(e(line, format!("{} has no children listed", words[0])));
                    }
                    for w in rest {
                        let c = *by_name
                            .get(&w.to_ascii_lowercase())
                            .ok_or_else(|| e(line, format!("unknown bone {w:?} in :hierarchy")))?;
                        if parent_line[c].1 != 0 {
                            return Err(e(
                                line,
                                format!(
                                    "bone {w} has a second parent (first at line {})",
                                    parent_line[c].1
                                ),
                            ));
                        }
                        parent_line[c] = (parent, line);
                    }
                }
                _ => return Err(e(line, "unexpected text after :hierarchy's end".into())),
            },
        }
    }
    if draft.is_some() {
        return Err(e(last_line, "the last bone has no end".into()));
    }
    for k in [":root", ":bonedata", ":hierarchy"] {
        if !seen.contains(&k) {
            return Err(e(last_line, format!("no {k} section")));
        }
    }
    if hier_state != 2 {
        return Err(e(last_line, ":hierarchy has no begin … end".into()));
    }
    if bones.is_empty() {
        return Err(e(last_line, "no bones in :bonedata".into()));
    }
    let root = AsfRoot {
        order: order.unwrap_or_else(|| vec![Dof::Tx, Dof::Ty, Dof::Tz, Dof::Rx, Dof::Ry, Dof::Rz]),
        axis: root_axis.unwrap_or([0, 1, 2]),
        position: position.unwrap_or([0.0; 3]),
        orientation: orientation.unwrap_or([0.0; 3]),
    };
    // Every bone has a parent, and hangs from the root (no cycles).
    if let Some(b) = parent_line.iter().position(|p| p.1 == 0) {
        return Err(e(
            bones[b].line,
            format!(
                "bone {} is not in :hierarchy (line {hier_line})",
                bones[b].name
            ),
        ));
    }
    let parent: Vec<Option<usize>> = parent_line.iter().map(|p| p.0).collect();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); bones.len()];
    let mut order_out = Vec::with_capacity(bones.len());
    for (b, p) in parent.iter().enumerate() {
        match p {
            Some(p) => children[*p].push(b),
            None => order_out.push(b),
        }
    }
    let mut k = 0;
    while k < order_out.len() {
        let b = order_out[k];
        order_out.extend_from_slice(&children[b]);
        k += 1;
    }
    if order_out.len() != bones.len() {
        let b = (0..bones.len())
            .find(|b| !order_out.contains(b))
            .unwrap_or(0);
        return Err(e(
            parent_line[b].1,
            format!(
                "bone {} does not hang from root (a cycle in :hierarchy)",
                bones[b].name
            ),
        ));
    }
    Ok(Asf {
        version,
        name,
        mass,
        length,
        radians,
        root,
        bones,
        parent,
        order: order_out,
    })
}

impl Asf {
    /// Values per AMC frame: the root's 6, then each bone's dof count, in bone order.
    pub fn stride(&self) -> usize {
        6 + self.bones.iter().map(|b| b.dof.len()).sum::<usize>()
    }

    /// Index of each bone's first value in an AMC frame.
    fn offsets(&self) -> Vec<usize> {
        let mut at = 6;
        self.bones
            .iter()
            .map(|b| {
                let o = at;
                at += b.dof.len();
                o
            })
            .collect()
    }

    /// Point names for retargeting: `root`, then each bone's name (its end point).
    pub fn point_names(&self) -> Vec<String> {
        std::iter::once("root".to_string())
            .chain(self.bones.iter().map(|b| b.name.clone()))
            .collect()
    }

    /// Precomputed rotations for [`Asf::positions`].
    pub fn kinematics(&self) -> AsfKinematics {
        let angle = |a: f64| if self.radians { a } else { a.to_radians() };
        let euler = |v: V3, order: [usize; 3]| {
            math::extrinsic(&[
                (order[0], angle(v[order[0]])),
                (order[1], angle(v[order[1]])),
                (order[2], angle(v[order[2]])),
            ])
        };
        AsfKinematics {
            root_c: euler(self.root.orientation, self.root.axis),
            c: self
                .bones
                .iter()
                .map(|b| euler(b.axis, b.axis_order))
                .collect(),
            offsets: self.offsets(),
        }
    }

    /// World positions (file units and axes) of [`Asf::point_names`] for one AMC frame's
    /// `values` (angles in radians when `radians`), or the rest pose for `None`.
    pub fn positions(
        &self,
        kin: &AsfKinematics,
        values: Option<&[f64]>,
        radians: bool,
        out: &mut Vec<V3>,
        rot: &mut Vec<M3>,
    ) {
        let angle = |a: f64| if radians { a } else { a.to_radians() };
        let value = |i: usize| values.and_then(|v| v.get(i)).copied().unwrap_or(0.0);
        out.clear();
        out.resize(self.bones.len() + 1, [0.0; 3]);
        rot.clear();
        rot.resize(self.bones.len() + 1, math::IDENTITY);

        let mut translation = self.root.position;
        let mut axes = [(0usize, 0.0f64); 7];
        let mut n = 0;
        for (k, d) in self.root.order.iter().enumerate() {
            match d {
                Dof::Tx => translation[0] += value(k),
                Dof::Ty => translation[1] += value(k),
                Dof::Tz => translation[2] += value(k),
                Dof::Rx | Dof::Ry | Dof::Rz => {
                    axes[n] = (*d as usize, angle(value(k)));
                    n += 1;
                }
                Dof::L => {}
            }
        }
        let m = math::extrinsic(&axes[..n]);
        out[0] = translation;
        rot[0] = math::mul(&math::mul(&kin.root_c, &m), &math::transpose(&kin.root_c));

        for &b in &self.order {
            let bone = &self.bones[b];
            let p = self.parent[b].map_or(0, |p| p + 1);
            let mut t = [0.0; 3];
            let mut length = bone.length;
            let mut n = 0;
            for (k, d) in bone.dof.iter().enumerate() {
                let v = value(kin.offsets[b] + k);
                match d {
                    Dof::Rx | Dof::Ry | Dof::Rz => {
                        axes[n] = (*d as usize, angle(v));
                        n += 1;
                    }
                    Dof::Tx => t[0] += v,
                    Dof::Ty => t[1] += v,
                    Dof::Tz => t[2] += v,
                    Dof::L => length += v,
                }
            }
            let c = &kin.c[b];
            let m = math::extrinsic(&axes[..n]);
            let r = math::mul(&math::mul(&math::mul(&rot[p], c), &m), &math::transpose(c));
            let local = math::add(math::scale(bone.direction, length), math::apply(c, t));
            out[b + 1] = math::add(out[p], math::apply(&r, local));
            rot[b + 1] = r;
        }
    }
}

/// The per-bone axis rotations of an [`Asf`], computed once per file.
#[derive(Clone, Debug)]
pub struct AsfKinematics {
    root_c: M3,
    c: Vec<M3>,
    offsets: Vec<usize>,
}

/// Parses an `.amc` file's text against its skeleton; `source` names it in errors.
pub fn parse_amc(text: &str, source: &str, asf: &Asf) -> Result<Amc, MocapError> {
    let e = |line: usize, msg: String| err(source, line, msg);
    let last_line = text.split('\n').count();
    let stride = asf.stride();
    let offsets = asf.offsets();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    for (b, bone) in asf.bones.iter().enumerate() {
        by_name.insert(bone.name.to_ascii_lowercase(), b);
    }
    let mut radians = None;
    let mut fully_specified = false;
    let mut values: Vec<f64> = Vec::new();
    let mut frame_lines: Vec<usize> = Vec::new();
    let mut first_frame = 0i64;
    let mut number_now = 0i64;
    // Which of root (0) and bones (b + 1) the current frame has, and at which line.
    let mut present: Vec<usize> = vec![0; asf.bones.len() + 1];

    let check_frame =
        |present: &[usize], frame_line: usize, number: i64| -> Result<(), MocapError> {
            if present[0] == 0 {
                return Err(e(frame_line, format!("frame {number} has no root line")));
            }
            for (b, bone) in asf.bones.iter().enumerate() {
                if !bone.dof.is_empty() && present[b + 1] == 0 {
                    return Err(e(
                        frame_line,
                        format!("frame {number} has no line for bone {}", bone.name),
                    ));
                }
            }
            Ok(())
        };

    for (i, raw) in text.split('\n').enumerate() {
        let line = i + 1;
        let l = raw.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        if l.starts_with(':') {
            if !frame_lines.is_empty() {
                return Err(e(line, format!("header {l} after the first frame")));
            }
            match l.to_ascii_uppercase().as_str() {
                ":FULLY-SPECIFIED" => fully_specified = true,
                ":DEGREES" | ":RADIANS" => {
                    let r = l.eq_ignore_ascii_case(":RADIANS");
                    if radians.is_some_and(|x| x != r) {
                        return Err(e(line, "both :DEGREES and :RADIANS".into()));
                    }
                    radians = Some(r);
                }
                _ => return Err(e(line, format!("unknown AMC header {l:?}"))),
            }
            continue;
        }
        let words: Vec<&str> = l.split_ascii_whitespace().collect();
        if words.len() == 1 && words[0].bytes().all(|b| b.is_ascii_digit() || b == b'-') {
            let n: i64 = words[0]
                .parse()
                .map_err(|_| e(line, format!("bad frame number {:?}", words[0])))?;
            if let Some(&prev_line) = frame_lines.last() {
                check_frame(&present, prev_line, number_now)?;
                if Some(n) != number_now.checked_add(1) {
                    return Err(e(
                        line,
                        format!("frame {n} follows frame {number_now} (frames count up by one)"),
                    ));
                }
            } else {
                first_frame = n;
            }
            number_now = n;
            frame_lines.push(line);
            values.resize(values.len() + stride, 0.0);
            present.iter_mut().for_each(|p| *p = 0);
            continue;
        }
        if frame_lines.is_empty() {
            return Err(e(
                line,
                format!("{:?} before the first frame number", words[0]),
            ));
        }
        let key = words[0].to_ascii_lowercase();
        let (slot, start, count) = if key == "root" {
            (0, 0, 6)
        } else {
            let b = *by_name
                .get(&key)
                .ok_or_else(|| e(line, format!("unknown bone {:?}", words[0])))?;
            (b + 1, offsets[b], asf.bones[b].dof.len())
        };
        if present[slot] != 0 {
            return Err(e(
                line,
                format!(
                    "a second line for {} in frame {number_now} (first at line {})",
                    words[0], present[slot]
                ),
            ));
        }
        present[slot] = line;
        if words.len() - 1 != count {
            return Err(e(
                line,
                format!(
                    "{} has {count} dof, the line has {} values",
                    words[0],
                    words.len() - 1
                ),
            ));
        }
        let base = values.len() - stride + start;
        for (k, w) in words[1..].iter().enumerate() {
            values[base + k] = number(w, source, line, "AMC value")?;
        }
    }
    if let Some(&prev_line) = frame_lines.last() {
        check_frame(&present, prev_line, number_now)?;
    }
    let _ = last_line;
    Ok(Amc {
        radians,
        fully_specified,
        stride,
        values,
        frame_lines,
        first_frame,
    })
}

impl Amc {
    pub fn frames(&self) -> usize {
        self.frame_lines.len()
    }

    /// The values of frame `f`.
    pub fn frame(&self, f: usize) -> Option<&[f64]> {
        self.values.get(f * self.stride..(f + 1) * self.stride)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Root, a bone `upper` along +X (length 2, turning about Z), and `lower` along +X
    /// (length 1) whose axis frame is turned 90° about Z, turning about its own X (world Y).
    pub(crate) const ASF: &str = ":version 1.10\n:name test\n:units\n  mass 1.0\n  length 0.45\n  angle deg\n:documentation\n  free text here\n:root\n  order TX TY TZ RX RY RZ\n  axis XYZ\n  position 0 0 0\n  orientation 0 0 0\n:bonedata\n  begin\n    id 1\n    name upper\n    direction 1 0 0\n    length 2\n    axis 0 0 0 XYZ\n    dof rz\n    limits (-180 180)\n  end\n  begin\n    id 2\n    name lower\n    direction 1 0 0\n    length 1\n    axis 0 0 90 XYZ\n    dof rx ry\n    limits (-inf inf)\n           (-90 90)\n  end\n:hierarchy\n  begin\n    root upper\n    upper lower\n  end\n";

    pub(crate) const AMC: &str = "# comment\n:FULLY-SPECIFIED\n:DEGREES\n1\nroot 0 0 0 0 0 0\nupper 0\nlower 0 0\n2\nroot 1 2 3 0 0 0\nupper 90\nlower 0 0\n3\nroot 0 0 0 0 0 0\nlower 90 0\nupper 0\n";

    fn close(a: V3, b: V3) {
        assert!(math::distance(a, b) < 1e-9, "{a:?} != {b:?}");
    }

    #[test]
    fn parses_the_skeleton() {
        let a = parse(ASF, "t.asf").unwrap();
        assert_eq!(a.name.as_deref(), Some("test"));
        assert_eq!(a.length, 0.45);
        assert_eq!(a.bones.len(), 2);
        assert_eq!(a.bones[1].dof, [Dof::Rx, Dof::Ry]);
        assert_eq!(
            a.bones[1].limits,
            [(f64::NEG_INFINITY, f64::INFINITY), (-90.0, 90.0)]
        );
        assert_eq!(a.parent, [None, Some(0)]);
        assert_eq!(a.order, [0, 1]);
        assert_eq!(a.stride(), 9);
        assert_eq!(a.point_names(), ["root", "upper", "lower"]);
    }

    #[test]
    fn forward_kinematics_with_axis_frames() {
        let a = parse(ASF, "t.asf").unwrap();
        let m = parse_amc(AMC, "t.amc", &a).unwrap();
        assert_eq!(m.frames(), 3);
        assert_eq!(m.frame_lines, [4, 8, 12]);
        let kin = a.kinematics();
        let (mut p, mut r) = (Vec::new(), Vec::new());
        a.positions(&kin, None, false, &mut p, &mut r);
        close(p[1], [2.0, 0.0, 0.0]);
        close(p[2], [3.0, 0.0, 0.0]);
        // Frame 2: root moved to (1, 2, 3), upper turned 90° about Z: both bones point at +Y.
        a.positions(&kin, m.frame(1), false, &mut p, &mut r);
        close(p[0], [1.0, 2.0, 3.0]);
        close(p[1], [1.0, 4.0, 3.0]);
        close(p[2], [1.0, 5.0, 3.0]);
        // Frame 3: lower's rx = 90 turns about its axis frame's X, which is world +Y:
        // +X goes to −Z.
        a.positions(&kin, m.frame(2), false, &mut p, &mut r);
        close(p[1], [2.0, 0.0, 0.0]);
        close(p[2], [2.0, 0.0, -1.0]);
    }

    #[test]
    fn dof_order_is_the_rotation_order() {
        let a = parse(ASF, "t.asf").unwrap();
        let kin = a.kinematics();
        let (mut p, mut r) = (Vec::new(), Vec::new());
        // lower's direction in its axis frame is Cᵀ · +X = −Y; both of its values are 90°.
        let values = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 90.0, 90.0];
        a.positions(&kin, Some(&values), false, &mut p, &mut r);
        let xy = p[2];
        let b = parse(&ASF.replace("dof rx ry", "dof ry rx"), "t.asf").unwrap();
        let kin_b = b.kinematics();
        b.positions(&kin_b, Some(&values), false, &mut p, &mut r);
        let yx = p[2];
        // rx then ry: −Y → (Rx) −Z → (Ry) −X, back in the world (C = Rz(90°)): −Y.
        close(xy, [2.0, -1.0, 0.0]);
        // ry then rx: −Y → (Ry) −Y → (Rx) −Z, world −Z.
        close(yx, [2.0, 0.0, -1.0]);
    }

    #[test]
    fn amc_errors_name_the_line() {
        let a = parse(ASF, "t.asf").unwrap();
        let cases = [
            (AMC.replace("upper 90", "upper 90 1"), 10, "1 dof"),
            (AMC.replace("\n3\n", "\n4\n"), 12, "count up"),
            (
                AMC.replace("lower 90 0\n", ""),
                12,
                "no line for bone lower",
            ),
            (AMC.replace("upper 90", "uper 90"), 10, "unknown bone"),
            (
                AMC.replace("lower 0 0\n2", "lower 0 0\nlower 0 0\n2"),
                8,
                "a second line",
            ),
            (AMC.replace("root 1 2 3", "root 1 2 1e99"), 9, "AMC value"),
        ];
        for (text, line, what) in cases {
            let e = parse_amc(&text, "t.amc", &a).unwrap_err();
            assert_eq!(e.line, line, "{e}");
            assert!(e.to_string().contains(what), "{e}");
        }
    }

    #[test]
    fn asf_errors_name_the_line() {
        let cases = [
            (ASF.replace("length 2\n", "length -2\n"), 19, "negative"),
            (
                ASF.replace("upper lower", "lower upper"),
                37,
                "second parent",
            ),
            (
                ASF.replace("    upper lower\n", ""),
                24,
                "not in :hierarchy",
            ),
            (ASF.replace("dof rx ry", "dof rx rq"), 30, "unknown dof"),
            (
                ASF.replace("           (-90 90)\n", ""),
                32,
                "2 dof but 1 limits",
            ),
            (
                ASF.replace("name lower", "name upper"),
                26,
                "duplicate bone",
            ),
            (
                ASF.replace(":skin", ":skins")
                    .replace(":documentation", ":docs"),
                7,
                "unknown section",
            ),
            (
                ASF.replace("axis 0 0 90 XYZ", "axis 0 0 90 XXZ"),
                29,
                "axis order",
            ),
        ];
        for (text, line, what) in cases {
            let e = parse(&text, "t.asf").unwrap_err();
            assert_eq!(e.line, line, "{e}");
            assert!(e.to_string().contains(what), "{e}");
        }
    }
}
