//! Content digests as lowercase hex: SHA-256 where it is a published contract (export manifests,
//! the kit lock file) and BLAKE3 for our own change detection (index, artifacts, installs).

use sha2::{Digest, Sha256};

/// SHA-256 of `bytes`, hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The first `n` bytes of the SHA-256 of `bytes`, hex (`2 * n` characters): short stable ids.
pub fn sha256_prefix_hex(bytes: &[u8], n: usize) -> String {
    let d = Sha256::digest(bytes);
    hex::encode(&d[..n.min(d.len())])
}

/// BLAKE3 of `bytes`, hex.
pub fn blake3_hex(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digests() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(sha256_prefix_hex(b"abc", 2), "ba78");
        assert_eq!(
            blake3_hex(b"abc"),
            "6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85"
        );
    }
}
