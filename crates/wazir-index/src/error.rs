//! Errors of the index crate: each names the file concerned and says what to do, in words
//! (no Rust debug forms, no bare operating-system error numbers).

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("no index at {path}: run `wazir index build` first")]
    Missing { path: PathBuf },
    #[error(
        "the code index is being built right now (by `wazir init` in the background, or another `wazir index build`; init's build writes its progress to {log}): run this again when it has finished"
    )]
    Building { log: PathBuf },
    #[error("{}", version_message(path, *found, *expected))]
    Version {
        path: PathBuf,
        found: Option<i64>,
        expected: i64,
    },
    #[error(
        "{path} is a folder where the index database should be: move or delete it, then run `wazir index build`"
    )]
    NotAFile { path: PathBuf },
    #[error(
        "index database {path}: {err}; if it is damaged, delete it and run `wazir index build`"
    )]
    Sqlite { path: PathBuf, err: rusqlite::Error },
    #[error("{path}: {}", io_words(err))]
    Io { path: PathBuf, err: std::io::Error },
    #[error("{path}: not inside the project root {root}; give a path relative to the root")]
    OutsideRoot { path: PathBuf, root: PathBuf },
    #[error("{0}")]
    BadInput(String),
}

fn version_message(path: &std::path::Path, found: Option<i64>, expected: i64) -> String {
    let what = match found {
        Some(v) if v > expected => format!(
            "was written by a newer wazir (schema version {v}, this one reads version {expected})"
        ),
        Some(v) => {
            format!("is of an older schema (version {v}, this wazir reads version {expected})")
        }
        None => "has no schema version: it is not a wazir index, or it is damaged".to_string(),
    };
    format!(
        "the index at {} {what}: run `wazir index build` to rebuild it",
        path.display()
    )
}

/// An I/O error in words: the operating system's text without its error number, and what to
/// do for the common cases.
pub fn io_words(err: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    let text = err.to_string();
    let text = match text.rfind(" (os error ") {
        Some(i) => text[..i].to_string(),
        None => text,
    };
    let hint = match err.kind() {
        K::StorageFull => "; free some space and run the command again",
        K::PermissionDenied | K::ReadOnlyFilesystem => {
            "; make the folder writable or choose another state root"
        }
        K::IsADirectory => "; move or delete that folder",
        K::NotFound => "; check the path",
        _ => "",
    };
    format!("{}{hint}", text.to_lowercase())
}

pub type Result<T> = std::result::Result<T, IndexError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_carry_no_debug_forms_or_error_numbers() {
        let path = PathBuf::from("/s/index/index.sqlite");
        let none = IndexError::Version {
            path: path.clone(),
            found: None,
            expected: 2,
        };
        let newer = IndexError::Version {
            path: path.clone(),
            found: Some(99),
            expected: 2,
        };
        let full = IndexError::Io {
            path,
            err: std::io::Error::from_raw_os_error(28),
        };
        for e in [none, newer, full] {
            let m = e.to_string();
            assert!(
                !m.contains("Some(") && !m.contains("None") && !m.contains("os error"),
                "{m}"
            );
        }
    }
}
