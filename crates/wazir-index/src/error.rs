//! Errors of the index crate: each names the file concerned and says what to do.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("no index at {path}: run `wazir index build` first")]
    Missing { path: PathBuf },
    #[error(
        "index at {path} has schema version {found:?}, this wazir expects {expected}: run `wazir index build` to rebuild it"
    )]
    Version {
        path: PathBuf,
        found: Option<i64>,
        expected: i64,
    },
    #[error(
        "index database {path}: {err}; if it is damaged, delete it and run `wazir index build`"
    )]
    Sqlite { path: PathBuf, err: rusqlite::Error },
    #[error("{path}: {err}")]
    Io { path: PathBuf, err: std::io::Error },
    #[error("{path}: not inside the project root {root}; give a path relative to the root")]
    OutsideRoot { path: PathBuf, root: PathBuf },
    #[error("{0}")]
    BadInput(String),
}

pub type Result<T> = std::result::Result<T, IndexError>;
