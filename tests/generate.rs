//! `aistack generate`: deterministic, valid and feasible at every size.

use std::process::Command;

use aistack::backend::Status;
use aistack::formulation::BuildOptions;
use aistack::generate::{generate, GenerateOptions};
use aistack::results::{self, Report, SolveConfig};
use aistack::scenario::{Clause, Format, Scenario};
use proptest::prelude::*;

fn opts(
    countries: usize,
    layers: usize,
    periods: usize,
    seed: u64,
    agreements: usize,
) -> GenerateOptions {
    GenerateOptions {
        countries,
        layers,
        periods,
        seed,
        agreements,
    }
}

fn parse(text: &str) -> Scenario {
    Scenario::from_str(text, Format::Toml, "generated.toml").unwrap_or_else(|e| panic!("{e}"))
}

fn solve_relaxed(s: &Scenario) -> results::Outcome {
    let opts = BuildOptions {
        relax: true,
        ..BuildOptions::from_file(s)
    };
    results::solve(s, &opts, &SolveConfig::default()).expect("solver failure")
}

#[test]
fn same_seed_same_text() {
    let o = opts(30, 12, 3, 42, 6);
    assert_eq!(generate(&o).unwrap(), generate(&o).unwrap());
    let other = generate(&GenerateOptions {
        seed: 43,
        ..o.clone()
    })
    .unwrap();
    assert_ne!(generate(&o).unwrap(), other);
}

/// Through the real binary: two runs write byte-identical files.
#[test]
fn cli_same_seed_same_file() {
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str| {
        let path = dir.path().join(name);
        let out = Command::new(env!("CARGO_BIN_EXE_aistack"))
            .args([
                "generate",
                "--countries",
                "25",
                "--layers",
                "10",
                "--periods",
                "3",
                "--seed",
                "9",
                "--agreements",
                "5",
            ])
            .arg("--out")
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::read(&path).unwrap()
    };
    let (a, b) = (run("a.toml"), run("b.toml"));
    assert_eq!(a, b);
    // Standard output gives the same bytes.
    let out = Command::new(env!("CARGO_BIN_EXE_aistack"))
        .args([
            "generate",
            "--countries",
            "25",
            "--layers",
            "10",
            "--periods",
            "3",
            "--seed",
            "9",
            "--agreements",
            "5",
        ])
        .output()
        .unwrap();
    assert_eq!(out.stdout, a);
    // Degenerate sizes are bad input.
    let out = Command::new(env!("CARGO_BIN_EXE_aistack"))
        .args(["generate", "--countries", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn sizes_and_contents() {
    let s = parse(&generate(&opts(190, 10, 3, 1, 8)).unwrap());
    assert_eq!(
        (
            s.countries.len(),
            s.layers.len(),
            s.n_periods(),
            s.agreements.len()
        ),
        (190, 10, 3, 8)
    );
    assert_eq!(s.countries[0].id, "USA");
    assert!(s.layers.iter().any(|l| !l.tradable));
    assert!(s.layers.iter().any(|l| l.requires_adjacent));
    assert!(s.layers.iter().any(|l| !l.import_requires.is_empty()));
    assert!(s
        .capabilities
        .iter()
        .any(|c| c.entry_cost > 0.0 && c.capacity == 0.0));
    assert!(s.capabilities.iter().any(|c| c.min_scale > 0.0));
    assert!(s.demands.iter().any(|d| d.must_serve > 0.0));
    assert!(s.security.iter().any(|p| p.domestic_floor.is_some()));
    assert!(s.security.iter().any(|p| p.n_minus_1.is_some()));
    assert!(!s.trade.blocks.is_empty() && !s.trade.costs.is_empty());
    let kinds: std::collections::BTreeSet<&str> = s
        .agreements
        .iter()
        .flat_map(|a| a.clauses.iter().map(Clause::kind))
        .collect();
    for k in [
        "trade_cost_factor",
        "mutual_recognition",
        "trusted_supply",
        "no_duplication",
        "commit",
        "upgrade_route",
    ] {
        assert!(kinds.contains(k), "{k} missing from {kinds:?}");
    }
    // Every layer has at least two producers.
    for l in 0..s.layers.len() {
        assert!(
            s.capabilities.iter().filter(|c| c.layer == l).count() >= 2,
            "layer {}",
            s.layers[l].id
        );
    }
    // Beyond ten layers, the extra layers keep the matrix triangular (validated as productive).
    let s = parse(&generate(&opts(12, 15, 2, 5, 2)).unwrap());
    assert_eq!(s.layers.len(), 15);
    assert_eq!(s.layers[14].id, "layer15");
}

#[test]
fn small_instances_are_feasible_as_mips() {
    for (c, l, t, seed) in [(2, 1, 1, 1), (3, 4, 2, 2), (4, 10, 2, 3), (5, 10, 1, 4)] {
        let s = parse(&generate(&opts(c, l, t, seed, 4)).unwrap());
        let o = results::solve(&s, &BuildOptions::from_file(&s), &SolveConfig::default())
            .expect("solver failure");
        assert_eq!(o.status, Status::Optimal, "{c}x{l}x{t} seed {seed}");
        let r = Report::new(&s, &o);
        assert!(r.duality_gap.unwrap() <= 1e-6);
        assert!(r.welfare_residual.unwrap() <= 1e-6);
        assert!(
            r.objective.unwrap() > 0.0,
            "something is traded and consumed"
        );
    }
}

#[test]
fn twenty_countries_relaxed_is_feasible() {
    let s = parse(&generate(&opts(20, 10, 3, 1, 4)).unwrap());
    let o = solve_relaxed(&s);
    assert_eq!(o.status, Status::Optimal);
    let r = Report::new(&s, &o);
    assert!(r.welfare_residual.unwrap() <= 1e-6);
    assert!(!r.flows.is_empty(), "countries trade");
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 12,
        rng_seed: proptest::test_runner::RngSeed::Fixed(2026),
        ..ProptestConfig::default()
    })]

    /// Any size and seed: the file validates and its LP relaxation has an optimum.
    #[test]
    fn any_generated_scenario_is_valid_and_feasible(
        countries in 2usize..7,
        layers in 1usize..13,
        periods in 1usize..4,
        seed in 0u64..10_000,
        agreements in 0usize..6,
    ) {
        let text = generate(&opts(countries, layers, periods, seed, agreements)).unwrap();
        let s = parse(&text);
        let o = solve_relaxed(&s);
        prop_assert_eq!(o.status, Status::Optimal);
    }
}

/// The benchmark sizes generate and validate (solving them is for `benches/`, see
/// benches/README.md): `cargo test --release --test generate -- --ignored`.
#[test]
#[ignore]
fn benchmark_sizes_validate() {
    for n in [20, 60, 190] {
        let s = parse(&generate(&opts(n, 10, 3, 1, 4)).unwrap());
        assert_eq!(s.countries.len(), n);
    }
}
