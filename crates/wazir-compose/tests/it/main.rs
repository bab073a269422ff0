//! The integration tests of `wazir-compose`, in one test binary: each module covers one part of the crate
//! through its public API, on real files.

mod compose_detect;
mod compose_engine;
mod compose_validate;
mod kit_library;
