//! Small helpers shared by the checks: project-relative file names, markdown and YAML file
//! listings, and turning a JSON Schema problem into a [`Problem`] that names the pointer and rule.

use std::path::{Path, PathBuf};

use wazir_core::schema::SchemaProblem;

use crate::report::Problem;

/// `path` relative to `root`, `/`-separated, for messages.
pub fn rel(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Every file under `dir` (recursively) whose name ends with one of `exts`, sorted. Folders named
/// in `skip` (by name) are not entered. A missing folder gives an empty list.
pub fn files_with_ext(dir: &Path, exts: &[&str], skip: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            let Ok(ft) = e.file_type() else { continue };
            if ft.is_dir() {
                if !skip.contains(&name.as_str()) {
                    stack.push(p);
                }
            } else if exts.iter().any(|x| name.ends_with(x)) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// A schema problem of `file` as a report problem: the JSON pointer as the field, the rule named
/// in the message.
pub fn schema_problem(file: &str, sp: &SchemaProblem) -> Problem {
    let pointer = if sp.pointer.is_empty() {
        "/".to_string()
    } else {
        sp.pointer.clone()
    };
    Problem::error(file, format!("{} (rule `{}`)", sp.message, sp.rule)).field(pointer)
}

/// The schema problems of `value`, each reported once (a rule reached through two `$ref` paths
/// reports the same pointer and message twice).
pub fn unique_problems(
    schema: &wazir_core::schema::Schema,
    value: &serde_json::Value,
) -> Vec<SchemaProblem> {
    let mut seen = std::collections::HashSet::new();
    schema
        .problems(value)
        .into_iter()
        .filter(|p| seen.insert((p.pointer.clone(), p.rule.clone(), p.message.clone())))
        .collect()
}

/// The 1-based line and column of byte `offset` in `text` (column counted in characters).
pub fn line_col(text: &str, offset: usize) -> (u64, u64) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() as u64 + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let col = text[line_start..offset].chars().count() as u64 + 1;
    (line, col)
}

/// The segments of a JSON pointer, unescaped.
pub fn pointer_segments(pointer: &str) -> Vec<String> {
    pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column() {
        let t = "ab\ncdé\nf";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 3), (2, 1));
        assert_eq!(line_col(t, t.find('f').unwrap()), (3, 1));
        assert_eq!(line_col(t, t.find('é').unwrap() + 2), (2, 4));
    }
}
