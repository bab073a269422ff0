//! One module per command family; each exposes its clap arguments and a `run` function.

pub mod capture;
pub mod index;
pub mod recall;
pub mod status;
pub mod validate;
