//! What a library check reports: the one problem type of `wazir_core::problem`, with the rule
//! broken (its `field`) and the module concerned.

pub use wazir_core::problem::{Problem, Severity};
