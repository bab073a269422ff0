//! One problem a check found: where (file, line, column), what (the field or rule concerned, the
//! module for library checks) and what to do. Every validator, `doctor` and the expertise
//! library's checks report in this one type.

use std::fmt;
use std::path::Path;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The check fails (exit 1).
    Error,
    /// Worth fixing, but the check passes.
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One problem: where, what, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub severity: Severity,
    /// The file, relative to the project root where possible.
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u64>,
    /// The field (dotted path) or rule concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The expertise module concerned, for library checks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub module: Option<String>,
    /// What is wrong and what to do.
    pub message: String,
}

impl Problem {
    pub fn error(file: impl AsRef<Path>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            file: file.as_ref().to_string_lossy().into_owned(),
            line: None,
            column: None,
            field: None,
            module: None,
            message: message.into(),
        }
    }

    pub fn warning(file: impl AsRef<Path>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(file, message)
        }
    }

    /// An error of the named rule (`brief-budget`, `map-path`, …).
    pub fn rule_error(file: impl AsRef<Path>, rule: &str, message: impl Into<String>) -> Self {
        Self::error(file, message).field(rule)
    }

    /// A warning of the named rule.
    pub fn rule_warning(file: impl AsRef<Path>, rule: &str, message: impl Into<String>) -> Self {
        Self::warning(file, message).field(rule)
    }

    pub fn at(mut self, line: Option<u64>, column: Option<u64>) -> Self {
        self.line = line;
        self.column = column;
        self
    }

    pub fn at_line(self, line: Option<u64>) -> Self {
        self.at(line, None)
    }

    pub fn field(mut self, field: impl Into<String>) -> Self {
        let f = field.into();
        self.field = (!f.is_empty()).then_some(f);
        self
    }

    pub fn module(mut self, id: impl Into<String>) -> Self {
        self.module = Some(id.into());
        self
    }

    /// The rule or field concerned, or `""`.
    pub fn rule(&self) -> &str {
        self.field.as_deref().unwrap_or("")
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
        }
        if let Some(field) = &self.field {
            write!(f, ": {field}")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(m) = &self.module {
            write!(f, " (module `{m}`)")?;
        }
        Ok(())
    }
}
