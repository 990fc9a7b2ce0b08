//! Issue 9, "no silent wrong answer": numerical reproducers, verification of every reported
//! optimum, the time budget, size guards and safe output paths.

mod common;

use aistack::backend::Status;
use aistack::formulation::BuildOptions;
use aistack::results::{self, Report, SolveConfig};
use aistack::scenario::Scenario;

fn load(path: &str) -> Scenario {
    Scenario::from_path(path).unwrap_or_else(|e| panic!("{e}"))
}

/// Optimal with W = `expected` (relative 1e-6), or a clear non-optimal status: never a wrong
/// optimum.
fn optimal_and_right_or_flagged(s: &Scenario, opts: &BuildOptions, expected: f64) -> Status {
    let o = results::solve(s, opts, &SolveConfig::default()).expect("solver failure");
    if o.status == Status::Optimal {
        let w = o.objective().expect("an optimum has a solution");
        assert!(
            (w - expected).abs() <= 1e-6 * expected.abs().max(1.0),
            "reported optimal W = {w}, true W = {expected}"
        );
    }
    o.status
}

/// One country, one layer, capacity 1e7, min_scale 1, demand 10 worth 5, unit cost 1: W = 40.
/// microlp reported "optimal MIP, W = 0" (y = 1e-7 within the integrality tolerance lets the
/// big-M row carry all output, and the rounded y = 0 forbids it).
#[test]
fn big_m_with_min_scale_is_not_a_wrong_optimum() {
    let s = load("tests/data/numerics/bigm-min-scale.toml");
    let status = optimal_and_right_or_flagged(&s, &BuildOptions::from_file(&s), 40.0);
    assert_eq!(status, Status::Optimal, "the safe retry finds the optimum");
}

/// max_expansion = 1e7 and an entry cost of 2: W = 50 - 10 - 2 = 38, reported as 0.
#[test]
fn big_m_with_entry_cost_is_not_a_wrong_optimum() {
    let s = load("tests/data/numerics/bigm-entry.toml");
    let status = optimal_and_right_or_flagged(&s, &BuildOptions::from_file(&s), 38.0);
    assert_eq!(status, Status::Optimal, "the safe retry finds the optimum");
}

/// A shipped multi-period instance with one max_expansion raised to 8e8: only loosens the
/// program, so an optimal W is at least the shipped file's.
#[test]
fn loosening_never_lowers_an_optimum() {
    let shipped = load("instances/upgrade-path.toml");
    let (o, _) = common::solve_with(&shipped, &BuildOptions::from_file(&shipped));
    let w0 = o.objective().expect("shipped instance solves");
    let s = load("tests/data/numerics/upgrade-path-8e8.toml");
    let o = results::solve(&s, &BuildOptions::from_file(&s), &SolveConfig::default())
        .expect("solver failure");
    if o.status == Status::Optimal {
        let w = o.objective().unwrap();
        assert!(w >= w0 - 1e-6 * w0.abs(), "W = {w} < shipped {w0}");
    } else {
        assert_eq!(o.status, Status::NumericalTrouble, "{}", o.status);
    }
}

/// The LP relaxation of the same file was reported optimal with a 2.8% duality gap: an
/// optimal LP's gap and welfare residual are within the stated relative tolerances.
#[test]
fn optimal_lp_has_strong_duality() {
    let s = load("tests/data/numerics/upgrade-path-8e8.toml");
    let mut opts = BuildOptions::from_file(&s);
    opts.relax = true;
    let o = results::solve(&s, &opts, &SolveConfig::default()).expect("solver failure");
    let r = Report::new(&s, &o);
    if o.status == Status::Optimal {
        let gap = r.duality_gap.unwrap();
        assert!(gap <= results::CHECK_TOLERANCE, "duality gap {gap}");
        let res = r.welfare_residual.unwrap();
        assert!(res <= results::CHECK_TOLERANCE, "welfare residual {res}");
    } else {
        assert_eq!(o.status, Status::NumericalTrouble, "{}", o.status);
    }
}
