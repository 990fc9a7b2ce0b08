//! Fingerprints of requests whose partial results are stored in files (sweep points, coalition
//! and entry-value shards): SHA-256 (the `sha2` crate), stable across Rust versions and
//! platforms, so a file written by one build is recognised by another.

use sha2::{Digest, Sha256};

/// The first 16 bytes of SHA-256 over the parts, each prefixed by its length (so the parts
/// cannot run into each other), as 32 hex digits.
pub fn fingerprint<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p);
    }
    h.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::fingerprint;

    #[test]
    fn parts_are_delimited_and_the_digest_is_stable() {
        let ab: [&[u8]; 2] = [b"a", b"b"];
        let a_b: [&[u8]; 1] = [b"ab"];
        assert_ne!(fingerprint(ab), fingerprint(a_b));
        // SHA-256 of the empty input starts e3b0c442 98fc1c14 9afbf4c8 996fb924.
        assert_eq!(fingerprint([]), "e3b0c44298fc1c149afbf4c8996fb924");
    }
}
