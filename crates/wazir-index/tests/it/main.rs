//! The integration tests of `wazir-index`, in one test binary: each module covers one part of the crate
//! through its public API, on real files.

mod index_cycle;
mod index_docs_outlines;
mod index_symbols;
