//! The shape every check reports in, printed as one line per problem or as JSON.

use serde::Serialize;

pub use wazir_core::problem::{Problem, Severity};

/// What one check found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub check: String,
    pub ok: bool,
    pub problems: Vec<Problem>,
    /// A one-line account of what was checked, for the passing case.
    pub summary: String,
}

impl Report {
    pub fn new(check: &str) -> Self {
        Self {
            check: check.to_string(),
            ok: true,
            problems: Vec::new(),
            summary: String::new(),
        }
    }

    pub fn push(&mut self, p: Problem) {
        if p.severity == Severity::Error {
            self.ok = false;
        }
        self.problems.push(p);
    }

    pub fn errors(&self) -> impl Iterator<Item = &Problem> {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
    }
}
