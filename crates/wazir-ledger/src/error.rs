//! Everything that can go wrong in the ledger, each with the file involved and what to do next.
//! Refused transitions are errors too: the command layer prints them and exits 1.

use std::path::PathBuf;

pub type Result<T, E = LedgerError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error(
        "invalid {what} `{shown}`: {reason}. Use a letter or digit followed by up to {max} \
         letters, digits, `.`, `_` or `-`, without `..`"
    )]
    InvalidName {
        what: &'static str,
        shown: String,
        reason: String,
        max: usize,
    },

    #[error("invalid {what} `{value}`: {reason}")]
    InvalidValue {
        what: &'static str,
        value: String,
        reason: String,
    },

    #[error(
        "run `{run}` not found (no {}): start it with `wazir capture init --run {run} --phase P`",
        path.display()
    )]
    RunNotFound { run: String, path: PathBuf },

    #[error(
        "run `{run}` already exists at {}: resume it with `--run {run}`, or pick another id",
        path.display()
    )]
    RunExists { run: String, path: PathBuf },

    #[error(
        "no run given and no current run ({} is missing): pass `--run ID`, or start one with \
         `wazir capture init --run ID --phase P`",
        latest.display()
    )]
    NoRun { latest: PathBuf },

    #[error("{}: {message}", path.display())]
    Io {
        path: PathBuf,
        message: String,
        #[source]
        source: std::io::Error,
    },

    #[error("{}{}: {message}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    Corrupt {
        path: PathBuf,
        line: Option<usize>,
        message: String,
    },

    #[error("{0}")]
    Workflow(String),

    #[error("unknown phase `{phase}`: the workflows define {known}")]
    UnknownPhase { phase: String, known: String },

    #[error(
        "`{event}` changes the run's phase and needs the workflow rules: record it with \
         `wazir capture event`, not from a hook"
    )]
    RulesRequired { event: String },

    /// A transition the workflow rules do not allow. The message says why and what to do.
    #[error("{event} for `{phase}` refused: {reason}")]
    Refused {
        event: String,
        phase: String,
        reason: String,
    },

    #[error(
        "{event} for `{phase}` refused: loop cap reached ({count} of {cap} iterations used). \
         Escalate as the {workflow} workflow says: {escalation}"
    )]
    LoopCap {
        event: String,
        phase: String,
        workflow: String,
        count: u32,
        cap: u32,
        escalation: String,
    },

    #[error("artifact `{name}` refused: {reason}")]
    ArtifactRefused { name: String, reason: String },

    #[cfg(feature = "artifacts")]
    #[error(transparent)]
    Schema(#[from] wazir_core::schema::SchemaError),
}

impl From<wazir_core::workflow::WorkflowError> for LedgerError {
    fn from(e: wazir_core::workflow::WorkflowError) -> Self {
        Self::Workflow(e.0)
    }
}

impl LedgerError {
    pub(crate) fn io(path: impl Into<PathBuf>, message: &str, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            message: format!("{message}: {source}"),
            source,
        }
    }

    /// True for refusals of the workflow rules (as opposed to bad input or I/O failures).
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            Self::Refused { .. } | Self::LoopCap { .. } | Self::ArtifactRefused { .. }
        )
    }
}
