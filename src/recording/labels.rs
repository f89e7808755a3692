//! `labels.csv`: which action each recording (or segment of one) of a labelled folder shows.
//!
//! A header row names the columns, in any order: `file` and `label` are required; `start` and
//! `end` (inclusive 0-based positions of frames in the file as read, for a segment of a longer
//! recording) and `skeleton` (the `.asf` of an `.amc`; `asf` is accepted as its alias) are
//! optional, and other columns are ignored. Paths are relative to the CSV's folder unless
//! absolute. Fields may be quoted as in RFC 4180 (`"a, b"`, `""` for a quote). Blank lines are
//! skipped. Every error names the file and the line.

use std::path::{Path, PathBuf};

/// One labelled clip.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelledClip {
    /// The recording (resolved against the CSV's folder).
    pub file: PathBuf,
    pub label: String,
    /// First and last frame of the segment (inclusive, 0-based); `None`: the whole file.
    pub range: Option<(usize, usize)>,
    /// The `.asf` of an `.amc`.
    pub skeleton: Option<PathBuf>,
    /// Line of the CSV the clip is on (1-based), for messages.
    pub line: usize,
}

/// Splits one CSV record into fields (RFC 4180 quoting).
fn fields(line: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut at_start = true;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (false, '"') if at_start => {
                quoted = true;
                at_start = false;
            }
            (false, '"') => return Err("a quote inside an unquoted field".into()),
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cur.push('"');
            }
            (true, '"') => {
                quoted = false;
                match chars.peek() {
                    None | Some(',') => {}
                    Some(_) => return Err("text after a closing quote".into()),
                }
            }
            (false, ',') => {
                out.push(std::mem::take(&mut cur));
                at_start = true;
            }
            (_, c) => {
                cur.push(c);
                at_start = false;
            }
        }
    }
    if quoted {
        return Err("a quoted field is not closed".into());
    }
    out.push(cur);
    Ok(out)
}

/// Parses `labels.csv` text; `source` names it in errors, `base` resolves relative paths.
pub fn parse(text: &str, source: &str, base: &Path) -> Result<Vec<LabelledClip>, String> {
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty());
    let (hline, header) = lines.next().ok_or_else(|| {
        format!("{source}: empty; expected a header row `file,label[,start,end][,skeleton]`")
    })?;
    let header = fields(header).map_err(|e| format!("{source}:{hline}: {e}"))?;
    let col = |names: &[&str]| {
        header
            .iter()
            .position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)))
    };
    let (Some(file_col), Some(label_col)) = (col(&["file"]), col(&["label"])) else {
        return Err(format!(
            "{source}:{hline}: the header must name the columns `file` and `label` (found {:?})",
            header
        ));
    };
    let start_col = col(&["start"]);
    let end_col = col(&["end"]);
    if start_col.is_some() != end_col.is_some() {
        return Err(format!(
            "{source}:{hline}: `start` and `end` come together (one is missing)"
        ));
    }
    let skeleton_col = col(&["skeleton", "asf"]);
    let mut clips = Vec::new();
    for (n, line) in lines {
        let at = |msg: String| format!("{source}:{n}: {msg}");
        let f = fields(line).map_err(at)?;
        if f.len() != header.len() {
            return Err(at(format!(
                "{} fields, the header has {}",
                f.len(),
                header.len()
            )));
        }
        let file = f[file_col].trim();
        let label = f[label_col].trim();
        if file.is_empty() || label.is_empty() {
            return Err(at("empty `file` or `label`".into()));
        }
        let index = |c: usize, what: &str| {
            f[c].trim().parse::<usize>().map_err(|_| {
                at(format!(
                    "`{what}` must be a frame index (0 or more), found {:?}",
                    f[c]
                ))
            })
        };
        let range = match (start_col, end_col) {
            (Some(s), Some(e)) if !(f[s].trim().is_empty() && f[e].trim().is_empty()) => {
                let (s, e) = (index(s, "start")?, index(e, "end")?);
                if e < s {
                    return Err(at(format!("end {e} is before start {s}")));
                }
                Some((s, e))
            }
            _ => None,
        };
        let skeleton = skeleton_col
            .map(|c| f[c].trim())
            .filter(|s| !s.is_empty())
            .map(|s| base.join(s));
        clips.push(LabelledClip {
            file: base.join(file),
            label: label.to_string(),
            range,
            skeleton,
            line: n,
        });
    }
    if clips.is_empty() {
        return Err(format!("{source}: no clips after the header"));
    }
    Ok(clips)
}

/// Reads `DIR/labels.csv`.
pub fn read(dir: &Path) -> Result<Vec<LabelledClip>, String> {
    let path = dir.join("labels.csv");
    let text = std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "{}: cannot read ({e}); a labelled folder has a labels.csv with columns file,label[,start,end][,skeleton]",
            path.display()
        )
    })?;
    parse(&text, &path.display().to_string(), dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_by_name_quotes_ranges_and_skeletons() {
        let text = "label,file,start,end,asf,notes\r\n\
                    walk,take1.jsonl,10,50,,first\r\n\
                    \r\n\
                    \"sit, then stand\",/abs/take2.jsonl,,,,\"a \"\"quoted\"\" note\"\r\n\
                    squat,amc/a.amc,,,asf/bd.asf,x\n";
        let c = parse(text, "labels.csv", Path::new("/data")).unwrap();
        assert_eq!(c.len(), 3);
        assert_eq!(c[0].file, Path::new("/data/take1.jsonl"));
        assert_eq!((c[0].range, c[0].line), (Some((10, 50)), 2));
        assert_eq!(c[1].label, "sit, then stand");
        assert_eq!(
            (c[1].file.as_path(), c[1].range),
            (Path::new("/abs/take2.jsonl"), None)
        );
        assert_eq!(
            c[2].skeleton.as_deref(),
            Some(Path::new("/data/asf/bd.asf"))
        );
        assert_eq!(c[2].line, 5);
    }

    #[test]
    fn errors_name_the_line_and_the_problem() {
        let e = |t: &str| parse(t, "l.csv", Path::new(".")).unwrap_err();
        assert!(e("").contains("header"));
        assert!(e("name,label\nx,y\n").contains("l.csv:1:"));
        assert!(e("file,label\n").contains("no clips"));
        assert!(e("file,label\na.jsonl\n").starts_with("l.csv:2: 1 fields"));
        assert!(e("file,label,start\na,b,1\n").contains("come together"));
        assert!(e("file,label,start,end\na,b,x,4\n").starts_with("l.csv:2: `start` must be"));
        assert!(e("file,label,start,end\na,b,9,4\n").contains("end 4 is before start 9"));
        assert!(e("file,label\n\"a,b\n").contains("not closed"));
        assert!(e("file,label\na\"b,c\n").contains("quote inside"));
        assert!(e("file,label\n,walk\n").contains("empty"));
    }
}
