//! The target paths of a Codex `apply_patch` envelope: every `*** Add File:`, `*** Update
//! File:`, `*** Delete File:` and `*** Move to:` line. A deletion, and the source of a move,
//! removes its file.

use super::shell::Target;

pub fn targets(text: &str) -> Vec<Target> {
    let mut out: Vec<Target> = Vec::new();
    let mut last_update: Option<usize> = None;
    for line in text.lines() {
        let line = line.trim_start();
        let found = [
            ("*** Add File:", false),
            ("*** Update File:", false),
            ("*** Delete File:", true),
            ("*** Move to:", false),
        ]
        .into_iter()
        .find_map(|(prefix, removes)| {
            line.strip_prefix(prefix)
                .map(|p| (prefix, p.trim().to_string(), removes))
        });
        let Some((prefix, path, removes)) = found else {
            continue;
        };
        if path.is_empty() {
            continue;
        }
        if prefix == "*** Move to:"
            && let Some(i) = last_update
        {
            // The file being moved disappears from its old place.
            out[i] = Target {
                removes: true,
                ..out[i].clone()
            };
        }
        last_update = (prefix == "*** Update File:").then_some(out.len());
        out.push(Target {
            path,
            dir: None,
            removes,
            why: None,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_file_line() {
        let patch = "*** Begin Patch\n*** Add File: a.txt\n+x\n*** Update File: src/b.rs\n\
                     *** Move to: roles/b.md\n@@\n-a\n+b\n*** Delete File: c.txt\n*** End Patch";
        let t = targets(patch);
        let got: Vec<(&str, bool)> = t.iter().map(|t| (t.path.as_str(), t.removes)).collect();
        assert_eq!(
            got,
            [
                ("a.txt", false),
                ("src/b.rs", true),
                ("roles/b.md", false),
                ("c.txt", true)
            ]
        );
    }
}
