//! The checks behind `wazir validate …` and `wazir doctor`. Each check returns a [`Report`]: a
//! list of problems, each naming the file, the line where there is one, the field or rule, and
//! what to do.

pub mod manifest;
pub mod report;

pub use report::{Problem, Report, Severity};
