//! Fuzzing that stays (issue 9): mutated shipped instances and raw bytes through
//! `Scenario::from_str` + validation + the size guard + `solve`, in the library and (fewer) via
//! the CLI binary. Asserted: no panic, the CLI exits 0, 1 or 2, and no hang (every solve has a
//! time budget and every case a wall-clock bound).
//!
//! `cargo test --test fuzz` runs a bounded number of cases with fixed seeds (about a minute on
//! two shared cores). Longer runs: `AISTACK_FUZZ_CASES=N` (library text mutations and raw bytes)
//! and `AISTACK_FUZZ_CLI_CASES=N` (CLI runs), e.g.
//! `AISTACK_FUZZ_CASES=100000 cargo test --release --test fuzz` (figures in benches/README.md).

use std::time::{Duration, Instant};

use aistack::backend::{Settings, Status};
use aistack::formulation::BuildOptions;
use aistack::results::{self, Report, SolveConfig};
use aistack::scenario::{Format, Scenario};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

/// Shipped instances mutated (world files excluded for time).
const INSTANCES: &[&str] = &[
    "instances/example.toml",
    "instances/comparative-advantage.toml",
    "instances/security-policy.toml",
    "instances/agreement-loser.toml",
    "instances/degenerate-prices.toml",
    "instances/empty-core.toml",
    "instances/supply-shock.toml",
    "instances/upgrade-path.toml",
];

/// Budget of one solve.
const SOLVE_BUDGET: Duration = Duration::from_secs(2);
/// A case that takes longer than this is a hang.
const HANG: Duration = Duration::from_secs(30);
/// Size guard of the library cases (the CLI's own guard is tested in tests/safeguards.rs).
const MAX_COLUMNS: u64 = 20_000;

fn env_cases(var: &str, default: u32) -> u32 {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        // Fixed: CI runs the same cases every time; vary PROPTEST_RNG_SEED to explore.
        rng_seed: RngSeed::Fixed(
            std::env::var("PROPTEST_RNG_SEED")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(99),
        ),
        // Shrinking a panic is useful; shrinking forever is not.
        max_shrink_iters: 200,
        ..Config::default()
    }
}

fn instance(i: usize) -> String {
    std::fs::read_to_string(INSTANCES[i % INSTANCES.len()]).expect("shipped instance")
}

/// Numbers that have broken solvers and parsers before.
const NUMBERS: &[&str] = &[
    "0",
    "-0.0",
    "-1",
    "1",
    "0.5",
    "1e-300",
    "1e308",
    "-1e308",
    "1e7",
    "1e15",
    "nan",
    "inf",
    "-inf",
    "2147483649",
    "9223372036854775807",
    "-9223372036854775808",
    "1.0000001",
    "3",
    "1e-9",
    "4294967296",
];

/// Keys of the scenario format (and a few that are not).
const KEYS: &[&str] = &[
    "periods",
    "capacity",
    "max_expansion",
    "min_scale",
    "entry_cost",
    "unit_cost",
    "must_serve",
    "domestic_floor",
    "n_minus_1",
    "max_supplier_share",
    "lead_time",
    "inputs",
    "tradable",
    "active",
    "members",
    "kind",
    "layer",
    "country",
    "id",
    "growth",
    "discount_rate",
    "capacty",
    "x",
];

/// Strings that have broken file names and messages before.
const STRINGS: &[&str] = &[
    "",
    "x/../../../T",
    "USA",
    "chips",
    "compute",
    "\u{202e}evil",
    "a b",
    "mutual_recognition",
    "trusted_supply",
];

#[derive(Debug, Clone)]
enum Mutation {
    /// Replace the n-th number of the text.
    Number(usize, usize),
    /// Replace the n-th key (identifier before `=`).
    Key(usize, usize),
    /// Replace the n-th quoted string.
    Str(usize, usize),
    DeleteLine(usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    /// Insert bytes at a position.
    Insert(usize, Vec<u8>),
    /// Delete a range of bytes.
    Delete(usize, usize),
    /// Flip one byte.
    Flip(usize, u8),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let n = any::<usize>();
    prop_oneof![
        4 => (n, 0..NUMBERS.len()).prop_map(|(a, b)| Mutation::Number(a, b)),
        2 => (n, 0..KEYS.len()).prop_map(|(a, b)| Mutation::Key(a, b)),
        2 => (n, 0..STRINGS.len()).prop_map(|(a, b)| Mutation::Str(a, b)),
        1 => n.prop_map(Mutation::DeleteLine),
        1 => n.prop_map(Mutation::DuplicateLine),
        1 => (n, n).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        1 => (n, proptest::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(a, b)| Mutation::Insert(a, b)),
        1 => (n, 1usize..64).prop_map(|(a, b)| Mutation::Delete(a, b)),
        1 => (n, any::<u8>()).prop_map(|(a, b)| Mutation::Flip(a, b)),
        1 => n.prop_map(Mutation::Truncate),
    ]
}

/// Byte ranges of the tokens of a kind in `text`.
fn tokens(text: &str, kind: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match kind {
            "number" if b[i].is_ascii_digit() && (i == 0 || !b[i - 1].is_ascii_alphanumeric()) => {
                let start = if i > 0 && b[i - 1] == b'-' { i - 1 } else { i };
                let mut j = i;
                while j < b.len()
                    && (b[j].is_ascii_digit() || matches!(b[j], b'.' | b'e' | b'E' | b'_' | b'-'))
                {
                    j += 1;
                }
                out.push((start, j));
                i = j;
            }
            "key"
                if (b[i].is_ascii_lowercase() || b[i] == b'_')
                    && (i == 0 || matches!(b[i - 1], b'\n' | b' ' | b'{' | b',')) =>
            {
                let mut j = i;
                while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                    j += 1;
                }
                if text[j..].starts_with(" =") {
                    out.push((i, j));
                }
                i = j.max(i + 1);
            }
            "string" if b[i] == b'"' => {
                let mut j = i + 1;
                while j < b.len() && b[j] != b'"' && b[j] != b'\n' {
                    j += 1;
                }
                if j < b.len() && b[j] == b'"' {
                    out.push((i + 1, j));
                }
                i = j + 1;
            }
            _ => i += 1,
        }
    }
    out
}

fn replace_token(text: &mut Vec<u8>, kind: &str, n: usize, with: &str) {
    let s = String::from_utf8_lossy(text).into_owned();
    let t = tokens(&s, kind);
    if t.is_empty() {
        return;
    }
    let (a, b) = t[n % t.len()];
    let mut out = s.as_bytes()[..a].to_vec();
    out.extend_from_slice(with.as_bytes());
    out.extend_from_slice(&s.as_bytes()[b..]);
    *text = out;
}

fn apply(text: &mut Vec<u8>, m: &Mutation) {
    let len = text.len().max(1);
    let lines =
        |t: &Vec<u8>| -> Vec<Vec<u8>> { t.split(|&c| c == b'\n').map(|l| l.to_vec()).collect() };
    match m {
        Mutation::Number(n, v) => replace_token(text, "number", *n, NUMBERS[*v]),
        Mutation::Key(n, v) => replace_token(text, "key", *n, KEYS[*v]),
        Mutation::Str(n, v) => replace_token(text, "string", *n, STRINGS[*v]),
        Mutation::DeleteLine(n) => {
            let mut l = lines(text);
            l.remove(n % l.len());
            *text = l.join(&b'\n');
        }
        Mutation::DuplicateLine(n) => {
            let mut l = lines(text);
            let i = n % l.len();
            l.insert(i, l[i].clone());
            *text = l.join(&b'\n');
        }
        Mutation::SwapLines(a, b) => {
            let mut l = lines(text);
            let n = l.len();
            l.swap(a % n, b % n);
            *text = l.join(&b'\n');
        }
        Mutation::Insert(p, bytes) => {
            let p = p % (text.len() + 1);
            text.splice(p..p, bytes.iter().copied());
        }
        Mutation::Delete(p, n) => {
            let p = p % len;
            let end = (p + n).min(text.len());
            if p < end {
                text.drain(p..end);
            }
        }
        Mutation::Flip(p, b) => {
            if !text.is_empty() {
                let p = p % text.len();
                text[p] ^= b.max(&1);
            }
        }
        Mutation::Truncate(p) => text.truncate(p % len),
    }
}

fn solve_config() -> SolveConfig {
    SolveConfig {
        settings: Settings {
            deadline: Some(Instant::now() + SOLVE_BUDGET),
            ..Settings::default()
        },
        ..SolveConfig::default()
    }
}

/// Parse, validate, guard the size and solve (within the budget): nothing may panic; a
/// reported optimum passes its own checks.
fn run_library(bytes: &[u8], format: Format) -> Result<(), TestCaseError> {
    let start = Instant::now();
    let text = String::from_utf8_lossy(bytes);
    let Ok(s) = Scenario::from_str(&text, format, "fuzz") else {
        return Ok(());
    };
    if aistack::size::guard(&s, MAX_COLUMNS).is_err() {
        return Ok(());
    }
    let opts = BuildOptions::from_file(&s);
    if let Ok(o) = results::solve(&s, &opts, &solve_config()) {
        let r = Report::new(&s, &o);
        if o.status == Status::Optimal {
            // (An empty program, e.g. an empty file, is "optimal" with nothing to report.)
            prop_assert!(o.solution.is_some() || o.program.columns.is_empty());
            prop_assert!(o.checks.failure.is_none());
            prop_assert!(r.objective.is_none_or(f64::is_finite));
        }
        // Every output is serialisable.
        prop_assert!(serde_json::to_string(&r).is_ok());
    }
    prop_assert!(
        start.elapsed() < HANG,
        "a case took {:?}:\n{}",
        start.elapsed(),
        text
    );
    Ok(())
}

fn aistack(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_aistack"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("runs")
}

proptest! {
    #![proptest_config(config(env_cases("AISTACK_FUZZ_CASES", 4000)))]

    /// Mutated shipped instances through the library.
    #[test]
    fn mutated_instances_never_panic(
        which in 0..INSTANCES.len(),
        ms in proptest::collection::vec(mutation(), 1..5),
    ) {
        let mut text = instance(which).into_bytes();
        for m in &ms {
            apply(&mut text, m);
        }
        run_library(&text, Format::Toml)?;
    }

    /// Raw bytes (and bytes that look a little like a scenario) as TOML and JSON.
    #[test]
    fn raw_bytes_never_panic(
        bytes in proptest::collection::vec(any::<u8>(), 0..512),
        prefix in 0..INSTANCES.len() + 1,
    ) {
        let mut text = if prefix < INSTANCES.len() {
            let t = instance(prefix).into_bytes();
            t[..t.len().min(bytes.len())].to_vec()
        } else {
            Vec::new()
        };
        text.extend_from_slice(&bytes);
        run_library(&text, Format::Toml)?;
        run_library(&bytes, Format::Json)?;
    }
}

proptest! {
    #![proptest_config(config(env_cases("AISTACK_FUZZ_CLI_CASES", 60)))]

    /// Mutated instances through the binary: exit 0, 1 or 2, never a panic (101) or a signal,
    /// within the time limit.
    #[test]
    fn cli_exit_codes_are_0_1_or_2(
        which in 0..INSTANCES.len(),
        ms in proptest::collection::vec(mutation(), 1..4),
        json in any::<bool>(),
    ) {
        let mut text = instance(which).into_bytes();
        for m in &ms {
            apply(&mut text, m);
        }
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("fuzz.toml");
        std::fs::write(&f, &text).unwrap();
        let f = f.to_str().unwrap();
        let start = Instant::now();
        let format = if json { "json" } else { "table" };
        for args in [
            vec!["validate", f],
            vec!["solve", f, "--time-limit", "2", "--format", format],
        ] {
            let o = aistack(&args);
            let stderr = String::from_utf8_lossy(&o.stderr);
            prop_assert!(
                matches!(o.status.code(), Some(0..=2)),
                "{args:?}: exit {:?}\n{stderr}\n{}",
                o.status.code(),
                String::from_utf8_lossy(&text)
            );
            prop_assert!(!stderr.contains("panicked"), "{stderr}");
            if json && args[0] == "solve" && o.status.code() != Some(2) {
                prop_assert!(serde_json::from_slice::<serde_json::Value>(&o.stdout).is_ok());
            }
        }
        prop_assert!(start.elapsed() < HANG, "took {:?}", start.elapsed());
    }
}

/// The mutators do what they say (a mutation test of the fuzzer itself).
#[test]
fn mutators_touch_the_text() {
    let t = "periods = 2\nid = \"USA\"\ncapacity = 60.5\n";
    assert_eq!(
        tokens(t, "number")
            .iter()
            .map(|&(a, b)| &t[a..b])
            .collect::<Vec<_>>(),
        ["2", "60.5"]
    );
    assert_eq!(
        tokens(t, "key")
            .iter()
            .map(|&(a, b)| &t[a..b])
            .collect::<Vec<_>>(),
        ["periods", "id", "capacity"]
    );
    let mut b = t.as_bytes().to_vec();
    apply(&mut b, &Mutation::Number(1, 6));
    assert_eq!(
        String::from_utf8(b).unwrap(),
        "periods = 2\nid = \"USA\"\ncapacity = 1e308\n"
    );
    let mut b = t.as_bytes().to_vec();
    apply(&mut b, &Mutation::Str(0, 1));
    assert!(String::from_utf8(b).unwrap().contains("x/../../../T"));
}
