//! One module per command family; each exposes its clap arguments and a `run` function.

pub mod capture;
mod capture_run;
pub mod compose;
pub mod doctor;
pub mod export;
pub mod hook;
pub mod index;
pub mod init;
pub mod recall;
pub mod status;
pub mod validate;
pub mod verify;
