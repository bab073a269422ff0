//! Code index: walking, tree-sitter extraction, SQLite store, summaries (L0/L1), recall,
//! symbol search and the repository map. The `wazir index` and `wazir recall` commands are thin
//! layers over this crate.

pub mod extract;
pub mod lang;

pub use extract::{Extracted, OutlineItem, Symbol, extract};
pub use lang::Lang;
pub mod busy;
pub mod error;
pub mod indexer;
pub mod store;
pub mod walk;

pub use error::IndexError;
pub use indexer::{IndexConfig, IngestReport, build, build_walked, refresh};
pub mod map;
pub mod query;
pub mod recall;
pub mod summary;

pub use map::{RepoMap, map};
pub use query::{
    FileOutline, GetSymbol, Hit, Rank, SearchOptions, Stats, file_outline, get_symbol,
    search_symbols, stats,
};
pub use recall::{Recall, Tier, recall_file, recall_symbol};
pub use summary::{SummarizeReport, summarize};
