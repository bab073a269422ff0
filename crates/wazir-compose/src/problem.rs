//! What a library check reports: the file, the line where there is one, the rule broken, the
//! module concerned and what to do. `wazir-checks` turns these into its own report lines.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The library is wrong; `wazir validate expertise` fails.
    Error,
    /// Worth fixing; the check still passes.
    Warning,
}

/// One problem found in the expertise library.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub severity: Severity,
    /// The file, as `expertise_dir` joined with its path inside the library.
    pub file: PathBuf,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// A short rule name (`field-missing`, `brief-budget`, `map-path`, `duplicate-id`, …); the
    /// rules are listed in `kit/expertise/README.md`.
    pub rule: &'static str,
    /// The module id concerned, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub module: Option<String>,
    /// What is wrong and what to do.
    pub message: String,
}

impl Problem {
    pub fn error(file: impl Into<PathBuf>, rule: &'static str, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            file: file.into(),
            line: None,
            rule,
            module: None,
            message: message.into(),
        }
    }

    pub fn warning(
        file: impl Into<PathBuf>,
        rule: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(file, rule, message)
        }
    }

    pub fn at(mut self, line: Option<u64>) -> Self {
        self.line = line;
        self
    }

    pub fn module(mut self, id: impl Into<String>) -> Self {
        self.module = Some(id.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
        }
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, ": {sev} [{}]", self.rule)?;
        if let Some(m) = &self.module {
            write!(f, " {m}:")?;
        }
        write!(f, " {}", self.message)
    }
}
