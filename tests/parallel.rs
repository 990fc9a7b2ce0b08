//! Issue 13: every analysis that re-solves in parallel (rayon) prints exactly the same JSON as
//! a serial run (one rayon thread), byte for byte, on shipped instances.

use std::process::Command;

/// The command's stdout with `threads` rayon threads.
fn run(args: &[&str], threads: usize) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_aistack"))
        .args(args)
        .env("RAYON_NUM_THREADS", threads.to_string())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("aistack runs");
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn same_serial_and_parallel(args: &[&str]) {
    let serial = run(args, 1);
    let parallel = run(args, 3);
    assert!(!serial.is_empty());
    assert!(
        serial == parallel,
        "{args:?}: parallel output differs from serial"
    );
}

#[test]
fn margins_entry_check_prices_and_shocks() {
    same_serial_and_parallel(&[
        "margins",
        "instances/supply-shock.toml",
        "--entry",
        "--check-prices",
        "--shock",
        "TWN:fab",
        "--shock",
        "KOR:memory",
        "--format",
        "json",
    ]);
}

#[test]
fn compare() {
    same_serial_and_parallel(&[
        "compare",
        "instances/agreement-loser.toml",
        "--agreement",
        "model-pact",
        "--format",
        "json",
    ]);
}

#[test]
fn coalitions() {
    same_serial_and_parallel(&[
        "coalitions",
        "instances/empty-core.toml",
        "--agreement",
        "lab-sharing",
        "--format",
        "json",
    ]);
}

/// Alternatives' range solves run in fixed chunks of warm re-solves: the same chunks, and so the
/// same answers, with any number of threads.
#[test]
fn alternatives() {
    same_serial_and_parallel(&[
        "alternatives",
        "instances/world-2026.toml",
        "--count",
        "2",
        "--format",
        "json",
    ]);
}

#[cfg(feature = "highs")]
#[test]
fn alternatives_warm_on_highs() {
    same_serial_and_parallel(&[
        "alternatives",
        "instances/world-2026.toml",
        "--solver",
        "highs",
        "--count",
        "2",
        "--format",
        "json",
    ]);
}
