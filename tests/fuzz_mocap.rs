//! Fuzzing the motion-capture readers: BVH, and ASF with its AMC.
//!
//! Seeded mutations (byte flips, token swaps, deletions, duplications, truncations, huge
//! numbers) of small valid files written here. Each input must give a value or an error — never
//! a panic — and a parse error must name a line inside the input. What parses is converted to
//! frames as well (which may fail, but must not panic). `SCALE_FUZZ_INPUTS=N` runs N inputs per
//! test instead of 30,000; `--nocapture` shows the counts.

mod common;

use common::Rng;
use scale::mocap::{self, MocapOptions, asf, bvh};

const TOKENS: &[&str] = &[
    "0",
    "1",
    "3",
    "6",
    "-1",
    "NaN",
    "inf",
    "-inf",
    "1e39",
    "1e6",
    "18446744073709551616",
    "x",
    "",
    " ",
    "\r\n",
    "\n",
    "0.5",
    "99999999999",
    "{",
    "}",
    "(",
    ")",
    "JOINT",
    "End Site",
    "OFFSET",
    "CHANNELS",
    "Xrotation",
    "Zposition",
    "MOTION",
    "Frames:",
    "begin",
    "end",
    "root",
    "dof",
    "rx",
    "limits",
    ":hierarchy",
    ":bonedata",
    ":RADIANS",
    "lfemur",
    "XYZ",
    "ZZX",
    "\u{e9}",
];

fn mutate(rng: &mut Rng, base: &[u8]) -> Vec<u8> {
    common::mutate(rng, base, TOKENS, 2)
}

/// Replaces 1–6 numbers of `base` with others (zero, negative, tiny, huge, counts), keeping the
/// structure, so that more inputs get past the parser and into the kinematics and placement.
fn mutate_numbers(rng: &mut Rng, base: &str) -> Vec<u8> {
    let mut words: Vec<String> = base.split(' ').map(str::to_string).collect();
    let numeric: Vec<usize> = (0..words.len())
        .filter(|&i| {
            let w = words[i].trim_end_matches(['\n', '\r', ')']);
            !w.is_empty() && w.trim_start_matches('(').parse::<f64>().is_ok()
        })
        .collect();
    for _ in 0..1 + rng.below(6) {
        let Some(&i) = numeric.get(rng.below(numeric.len())) else {
            break;
        };
        let value = match rng.below(6) {
            0 => "0".to_string(),
            1 => format!("{}", (rng.unit() - 0.5) * 720.0),
            2 => format!("{}", rng.below(10)),
            3 => "1e6".to_string(),
            4 => "-0.0001".to_string(),
            _ => format!("{}", (rng.unit() - 0.5) * 200.0),
        };
        let w = &words[i];
        let lead = if w.starts_with('(') { "(" } else { "" };
        let tail: String = w
            .chars()
            .rev()
            .take_while(|c| matches!(c, '\n' | '\r' | ')'))
            .collect();
        let tail: String = tail.chars().rev().collect();
        words[i] = format!("{lead}{value}{tail}");
    }
    words.join(" ").into_bytes()
}

fn lines_of(input: &[u8]) -> usize {
    input.iter().filter(|&&b| b == b'\n').count() + 1
}

/// A small BVH skeleton in the common naming (every Kinect joint has a source), three frames.
fn small_bvh() -> String {
    fn joint(out: &mut String, name: &str, off: [i32; 3], children: &[&dyn Fn(&mut String)]) {
        out.push_str(&format!(
            "JOINT {name}\n{{\nOFFSET {} {} {}\nCHANNELS 3 Zrotation Xrotation Yrotation\n",
            off[0], off[1], off[2]
        ));
        if children.is_empty() {
            out.push_str("End Site\n{\nOFFSET 0 -4 0\n}\n");
        }
        for c in children {
            c(out);
        }
        out.push_str("}\n");
    }
    let mut h = String::from(
        "HIERARCHY\nROOT Hips\n{\nOFFSET 0 95 0\nCHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation\n",
    );
    for (side, x) in [("Left", 9), ("Right", -9)] {
        let toe = |o: &mut String| joint(o, &format!("{side}ToeBase"), [0, -8, 12], &[]);
        let foot = |o: &mut String| joint(o, &format!("{side}Foot"), [0, -42, 0], &[&toe]);
        let leg = |o: &mut String| joint(o, &format!("{side}Leg"), [0, -45, 0], &[&foot]);
        joint(&mut h, &format!("{side}UpLeg"), [x, -5, 0], &[&leg]);
    }
    let head = |o: &mut String| joint(o, "Head", [0, 10, 0], &[]);
    let neck = |o: &mut String| joint(o, "Neck", [0, 25, 0], &[&head]);
    let arm = |side: &'static str, x: i32| {
        move |o: &mut String| {
            let hand = |o: &mut String| joint(o, &format!("{side}Hand"), [x * 25, 0, 0], &[]);
            let fore =
                |o: &mut String| joint(o, &format!("{side}ForeArm"), [x * 28, 0, 0], &[&hand]);
            joint(o, &format!("{side}Arm"), [x * 18, 0, 0], &[&fore]);
        }
    };
    let (left, right) = (arm("Left", 1), arm("Right", -1));
    let spine1 = |o: &mut String| joint(o, "Spine1", [0, 20, 0], &[&neck, &left, &right]);
    joint(&mut h, "Spine", [0, 10, 0], &[&spine1]);
    h.push_str("}\n");
    let channels = 6 + 3 * h.matches("CHANNELS 3").count();
    let row = |k: usize| {
        (0..channels)
            .map(|c| ((c * 7 + k * 3) % 21) as f32 - 10.0)
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    };
    format!(
        "{h}MOTION\nFrames: 3\nFrame Time: 0.0333333\n{}\n{}\n{}\n",
        row(0),
        row(1),
        row(2)
    )
}

/// The CMU bones the ASF table needs, as (name, parent, direction, length, dof).
const BONES: &[(&str, &str, [f32; 3], f32, &str)] = &[
    ("lhipjoint", "root", [0.6, -0.8, 0.2], 2.3, ""),
    ("lfemur", "lhipjoint", [0.34, -0.94, 0.0], 7.3, "rx ry rz"),
    ("ltibia", "lfemur", [0.34, -0.94, 0.0], 7.0, "rx"),
    ("lfoot", "ltibia", [0.1, -0.4, 0.9], 2.3, "rx rz"),
    ("rhipjoint", "root", [-0.6, -0.8, 0.2], 2.3, ""),
    ("rfemur", "rhipjoint", [-0.34, -0.94, 0.0], 7.3, "rx ry rz"),
    ("rtibia", "rfemur", [-0.34, -0.94, 0.0], 7.0, "rx"),
    ("rfoot", "rtibia", [-0.1, -0.4, 0.9], 2.3, "rx rz"),
    ("lowerback", "root", [0.0, 1.0, 0.0], 2.2, "rx ry rz"),
    ("upperback", "lowerback", [0.0, 1.0, 0.0], 2.2, "rx ry rz"),
    ("thorax", "upperback", [0.0, 1.0, 0.0], 2.2, "rx ry rz"),
    ("lowerneck", "thorax", [0.0, 1.0, 0.0], 1.7, "rx ry rz"),
    ("upperneck", "lowerneck", [0.0, 1.0, 0.0], 1.7, "rx ry rz"),
    ("head", "upperneck", [0.0, 1.0, 0.0], 1.8, "rx ry rz"),
    ("lclavicle", "thorax", [0.95, 0.25, 0.0], 3.8, "ry rz"),
    ("lhumerus", "lclavicle", [1.0, 0.0, 0.0], 4.8, "rx ry rz"),
    ("lradius", "lhumerus", [1.0, 0.0, 0.0], 3.0, "rx"),
    ("lwrist", "lradius", [1.0, 0.0, 0.0], 1.5, "ry"),
    ("lhand", "lwrist", [1.0, 0.0, 0.0], 1.3, "rx rz"),
    ("lfingers", "lhand", [1.0, 0.0, 0.0], 1.0, "rx"),
    ("lthumb", "lhand", [0.7, 0.0, 0.7], 1.5, "rx rz"),
    ("rclavicle", "thorax", [-0.95, 0.25, 0.0], 3.8, "ry rz"),
    ("rhumerus", "rclavicle", [-1.0, 0.0, 0.0], 4.8, "rx ry rz"),
    ("rradius", "rhumerus", [-1.0, 0.0, 0.0], 3.0, "rx"),
    ("rwrist", "rradius", [-1.0, 0.0, 0.0], 1.5, "ry"),
    ("rhand", "rwrist", [-1.0, 0.0, 0.0], 1.3, "rx rz"),
    ("rfingers", "rhand", [-1.0, 0.0, 0.0], 1.0, "rx"),
    ("rthumb", "rhand", [-0.7, 0.0, 0.7], 1.5, "rx rz"),
];

fn small_asf() -> String {
    let mut s = String::from(
        ":version 1.10\n:name VICON\n:units\n  mass 1.0\n  length 0.45\n  angle deg\n:documentation\n  written for the fuzz test\n:root\n   order TX TY TZ RX RY RZ\n   axis XYZ\n   position 0 0 0\n   orientation 0 0 0\n:bonedata\n",
    );
    for (id, (name, _, d, len, dof)) in BONES.iter().enumerate() {
        s.push_str(&format!(
            "  begin\n     id {}\n     name {name}\n     direction {} {} {}\n     length {len}\n     axis 0 0 {}  XYZ\n",
            id + 1,
            d[0],
            d[1],
            d[2],
            if id % 3 == 0 { 20 } else { 0 }
        ));
        if !dof.is_empty() {
            s.push_str(&format!("    dof {dof}\n"));
            for (k, _) in dof.split(' ').enumerate() {
                s.push_str(if k == 0 {
                    "    limits (-160.0 20.0)\n"
                } else {
                    "           (-70.0 70.0)\n"
                });
            }
        }
        s.push_str("  end\n");
    }
    s.push_str(":hierarchy\n  begin\n");
    let mut parents: Vec<&str> = Vec::new();
    for (_, p, ..) in BONES {
        if !parents.contains(p) {
            parents.push(p);
        }
    }
    for p in parents {
        let kids: Vec<&str> = BONES.iter().filter(|b| b.1 == p).map(|b| b.0).collect();
        s.push_str(&format!("    {p} {}\n", kids.join(" ")));
    }
    s.push_str("  end\n");
    s
}

fn small_amc() -> String {
    let mut s = String::from("#!OML:ASF fuzz.asf\n:FULLY-SPECIFIED\n:DEGREES\n");
    for f in 1..=3 {
        s.push_str(&format!(
            "{f}\nroot 1.5 17.1 {} 5 -0.5 -4\n",
            f as f32 * 0.8
        ));
        for (k, (name, _, _, _, dof)) in BONES.iter().enumerate() {
            if dof.is_empty() {
                continue;
            }
            let values: Vec<String> = dof
                .split(' ')
                .enumerate()
                .map(|(i, _)| format!("{}", ((k * 5 + i * 11 + f * 2) % 31) as f32 - 15.0))
                .collect();
            s.push_str(&format!("{name} {}\n", values.join(" ")));
        }
    }
    s
}

fn text(input: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(input)
}

#[test]
fn the_seeds_are_valid_and_convert() {
    let b = bvh::parse(&small_bvh(), "fuzz.bvh").unwrap();
    let r = mocap::convert_bvh(&b, "fuzz.bvh", &MocapOptions::default()).unwrap();
    assert_eq!(r.frames.len(), 3);
    assert_eq!(r.info.unit, "centimetre");
    let a = asf::parse(&small_asf(), "fuzz.asf").unwrap();
    assert_eq!(a.bones.len(), BONES.len());
    let m = asf::parse_amc(&small_amc(), "fuzz.amc", &a).unwrap();
    assert_eq!(m.frames(), 3);
    let r = mocap::convert_amc(&a, &m, 120.0, "fuzz.amc", &MocapOptions::default()).unwrap();
    assert_eq!(r.frames.len(), 1);
}

#[test]
fn bvh_reader_never_panics_and_errors_point_inside_the_input() {
    let seeds = [small_bvh(), small_bvh().replace('\n', "\r\n")];
    let mut rng = Rng(0x5eed_b0b1);
    let n = common::fuzz_inputs();
    let (mut ok, mut err, mut converted) = (0, 0, 0);
    let opts = MocapOptions {
        noise: Some(1),
        ..MocapOptions::default()
    };
    for i in 0..n {
        let input = if i % 4 == 3 {
            mutate_numbers(&mut rng, &seeds[i % 2])
        } else {
            mutate(&mut rng, seeds[i % 2].as_bytes())
        };
        let lines = lines_of(&input);
        let outcome = std::panic::catch_unwind(|| {
            let parsed = bvh::parse(&text(&input), "fuzz.bvh");
            let frames = parsed
                .as_ref()
                .ok()
                .map(|b| mocap::convert_bvh(b, "fuzz.bvh", &opts).map(|r| r.frames.len()));
            (parsed.err(), frames)
        });
        match outcome {
            Ok((None, frames)) => {
                ok += 1;
                if let Some(Ok(count)) = frames {
                    assert!(count >= 1);
                    converted += 1;
                }
            }
            Ok((Some(e), _)) => {
                err += 1;
                assert!(
                    e.line >= 1 && e.line <= lines,
                    "line {} of {lines}: {e}",
                    e.line
                );
                assert!(e.to_string().starts_with("fuzz.bvh:"), "{e}");
            }
            Err(_) => panic!(
                "the BVH reader panicked on input #{i}: {:?}",
                String::from_utf8_lossy(&input)
            ),
        }
    }
    eprintln!("bvh fuzz: {n} inputs, {ok} parsed ({converted} converted), {err} rejected");
    assert_eq!(ok + err, n);
    assert!(err > n / 2, "mutations should mostly break the file");
    assert!(converted > n / 20, "some inputs should convert");
}

#[test]
fn asf_and_amc_readers_never_panic_and_errors_point_inside_the_input() {
    let asf_seed = small_asf();
    let amc_seed = small_amc();
    let skeleton = asf::parse(&asf_seed, "fuzz.asf").unwrap();
    let mut rng = Rng(0x5eed_a5f1);
    let n = common::fuzz_inputs();
    let (mut ok, mut err, mut converted) = (0, 0, 0);
    let opts = MocapOptions {
        noise: Some(2),
        ..MocapOptions::default()
    };
    for i in 0..n {
        // Even inputs mutate the skeleton (read with the valid motion), odd ones the motion.
        let mutate_asf = i % 2 == 0;
        let seed = if mutate_asf { &asf_seed } else { &amc_seed };
        let input = if i % 4 >= 2 {
            mutate_numbers(&mut rng, seed)
        } else {
            mutate(&mut rng, seed.as_bytes())
        };
        let lines = lines_of(&input);
        let outcome = std::panic::catch_unwind(|| {
            let (a, amc_text) = if mutate_asf {
                match asf::parse(&text(&input), "fuzz.asf") {
                    Ok(a) => (a, amc_seed.clone()),
                    Err(e) => return Err(e),
                }
            } else {
                (skeleton.clone(), text(&input).into_owned())
            };
            let m = asf::parse_amc(&amc_text, "fuzz.amc", &a)?;
            Ok(mocap::convert_amc(&a, &m, 120.0, "fuzz.amc", &opts).map(|r| r.frames.len()))
        });
        match outcome {
            Ok(Ok(frames)) => {
                ok += 1;
                if frames.is_ok() {
                    converted += 1;
                }
            }
            Ok(Err(e)) => {
                err += 1;
                // A valid motion can stop fitting a mutated skeleton: then the error's line is
                // the seed motion's.
                let limit = if mutate_asf && e.source == "fuzz.amc" {
                    lines_of(amc_seed.as_bytes())
                } else {
                    lines
                };
                assert!(
                    e.line >= 1 && e.line <= limit,
                    "line {} of {limit}: {e}",
                    e.line
                );
                let want = if mutate_asf && e.source == "fuzz.asf" {
                    "fuzz.asf:"
                } else {
                    "fuzz.amc:"
                };
                assert!(e.to_string().starts_with(want) || mutate_asf, "{e}");
            }
            Err(_) => panic!(
                "the {} reader panicked on input #{i}: {:?}",
                if mutate_asf { "ASF" } else { "AMC" },
                String::from_utf8_lossy(&input)
            ),
        }
    }
    eprintln!("asf/amc fuzz: {n} inputs, {ok} parsed ({converted} converted), {err} rejected");
    assert_eq!(ok + err, n);
    assert!(err > n / 3, "mutations should often break the files");
    assert!(converted > n / 20, "some inputs should convert");
}
