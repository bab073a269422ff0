//! What the integration tests share: fixture projects and the real binary (`common`), and the
//! helpers of the export, hook, ledger and validate tests, and a tmpfs for the fault tests
//! (`mount`).

pub mod common;
pub mod export;
pub mod hook;
pub mod ledger;
pub mod mount;
pub mod replay;
pub mod validate;
