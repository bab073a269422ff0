//! Rebuild when anything under `kit/` changes: rust-embed reads the folder at compile time, and
//! cargo only tracks the files it already embedded, so a new kit file would otherwise be missed.

fn main() {
    println!("cargo:rerun-if-changed=../../kit");
    println!("cargo:rerun-if-changed=build.rs");
}
