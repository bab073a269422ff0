//! Code index: walking, tree-sitter extraction, SQLite store, summaries (L0/L1), recall,
//! symbol search and the repository map. The `wazir index` and `wazir recall` commands are thin
//! layers over this crate.

pub mod extract;
pub mod lang;

pub use extract::{Extracted, OutlineItem, Symbol, extract};
pub use lang::Lang;
pub mod error;
pub mod indexer;
pub mod store;
pub mod walk;

pub use error::IndexError;
pub use indexer::{IndexConfig, IngestReport, build, refresh};
