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

// ---- One time budget per command, validated (issue 9 item 3) ----

fn aistack(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_aistack"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("runs")
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `--time-limit 1e20` panicked converting float seconds to a Duration (exit 101).
#[test]
fn huge_time_limit_is_bad_input_not_a_panic() {
    for t in ["1e20", "inf", "nan", "-1", "0"] {
        let o = aistack(&["solve", "instances/example.toml", "--time-limit", t]);
        assert_eq!(o.status.code(), Some(2), "--time-limit {t}: {}", stderr(&o));
        assert!(stderr(&o).contains("--time-limit"), "{}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"));
    }
}

/// A budget that has run out is a `time_limit` status (exit 1), not an error, and the
/// command stops promptly.
#[test]
fn spent_budget_is_time_limit_exit_1() {
    let start = std::time::Instant::now();
    let o = aistack(&[
        "solve",
        "instances/world-2026.toml",
        "--time-limit",
        "0.000001",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["status"], "time_limit");
    assert!(start.elapsed().as_secs() < 30);
}

/// Library: a deadline in the past gives every stage nothing; the result is a status.
#[test]
fn expired_deadline_is_a_status() {
    let s = load("instances/example.toml");
    let config = SolveConfig {
        settings: aistack::backend::Settings {
            deadline: Some(std::time::Instant::now()),
            ..Default::default()
        },
        ..SolveConfig::default()
    };
    let o = results::solve(&s, &BuildOptions::from_file(&s), &config)
        .expect("a time limit is a status, not an error");
    assert_eq!(o.status, Status::TimeLimit);
}

// ---- Size guard (issue 9 item 4) ----

/// `periods = 2147483649` validated and then aborted `solve` on a 3 GB allocation.
#[test]
fn absurd_size_is_refused_with_the_estimate() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string("instances/example.toml")
        .unwrap()
        .replace("periods = 2\n", "periods = 2147483649\n");
    let f = dir.path().join("huge.toml");
    std::fs::write(&f, text).unwrap();
    let f = f.to_str().unwrap();
    let mps = dir.path().join("out.mps");
    let mps = mps.to_str().unwrap();
    for args in [
        vec!["solve", f],
        vec!["margins", f],
        vec!["export", f, "--mps", mps],
    ] {
        let cmd = args[0];
        let o = aistack(&args);
        assert_eq!(o.status.code(), Some(2), "{cmd}: {}", stderr(&o));
        let e = stderr(&o);
        assert!(
            e.contains("periods = 2147483649") && e.contains("columns"),
            "{e}"
        );
        assert!(e.contains("--max-columns"), "{e}");
    }
    // The guard can be lowered (and raised) by the flag.
    let o = aistack(&["solve", "instances/example.toml", "--max-columns", "10"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = aistack(&["solve", "instances/example.toml", "--max-columns", "100000"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}
