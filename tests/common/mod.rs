//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// Path of a file under `../shared/fixtures/`. When it is absent the test is skipped (returns
/// `None`), unless `SCALE_REQUIRE_FIXTURES=1` (as in CI), where a missing fixture fails the test.
pub fn fixture(rel: &str) -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fixtures")
        .join(rel);
    if path.is_file() {
        return Some(path);
    }
    if std::env::var("SCALE_REQUIRE_FIXTURES").is_ok_and(|v| v == "1") {
        panic!(
            "fixture {} is missing and SCALE_REQUIRE_FIXTURES=1",
            path.display()
        );
    }
    eprintln!("skipping: fixture {} not found", path.display());
    None
}

/// A small deterministic PRNG (xorshift64*) for fuzzing and synthetic data in tests.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub fn unit(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32
    }
}
