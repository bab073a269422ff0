//! What the integration tests share: fixture projects and the real binary (`common`), and the
//! helpers of the export, hook, ledger and validate tests.

pub mod common;
pub mod export;
pub mod hook;
pub mod ledger;
pub mod validate;
