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
        let flag = format!("--time-limit={t}");
        let o = aistack(&["solve", "instances/example.toml", &flag]);
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

// ---- Safe output paths (issue 9 item 5) ----

/// An agreement id like `x/../../../T` wrote `T.svg` outside `--out`; an id with `/` failed
/// after writing part of the report.
#[test]
fn report_never_writes_outside_out() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string("instances/agreement-loser.toml")
        .unwrap()
        .replace("id = \"model-pact\"", "id = \"x/../../../T\"");
    let f = dir.path().join("evil.toml");
    std::fs::write(&f, text).unwrap();
    let out = dir.path().join("a").join("b").join("out");
    let o = aistack(&[
        "report",
        f.to_str().unwrap(),
        "--agreement",
        "x/../../../T",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // Every file under the temporary directory is inside --out (or the scenario itself).
    fn walk(p: &std::path::Path, v: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(p).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, v);
            } else {
                v.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(dir.path(), &mut files);
    for p in &files {
        assert!(
            p.starts_with(&out) || *p == f,
            "written outside --out: {}",
            p.display()
        );
    }
    assert!(files
        .iter()
        .any(|p| p.extension().is_some_and(|e| e == "svg")
            && p.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("agreement-x_")));
}

/// `--out` that is a file is bad input found before any work.
#[test]
fn report_out_problems_are_found_first() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plain");
    std::fs::write(&file, "x").unwrap();
    let o = aistack(&[
        "report",
        "instances/example.toml",
        "--out",
        file.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--out"), "{}", stderr(&o));
}

/// `export --mps F --lp F` wrote the LP over the MPS file.
#[test]
fn export_refuses_one_path_for_both_formats() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("p.txt");
    let f = f.to_str().unwrap();
    let o = aistack(&["export", "instances/example.toml", "--mps", f, "--lp", f]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("same path"), "{}", stderr(&o));
    assert!(!std::path::Path::new(f).exists());
}

// ---- Bounded cost on hostile input (issue 9 item 6) ----

/// A 10 MB unknown key took 17 s and 1.5 GB in the did-you-mean hint and was echoed whole.
#[test]
fn huge_unknown_key_is_cheap_and_cut() {
    let dir = tempfile::tempdir().unwrap();
    let key = "k".repeat(10_000_000);
    let text = std::fs::read_to_string("instances/example.toml")
        .unwrap()
        .replace(
            "unit_cost = 1.0\ncapacity = 60",
            &format!("unit_cost = 1.0\ncapacity = 60\n{key} = 1"),
        );
    let f = dir.path().join("hostile.toml");
    std::fs::write(&f, text).unwrap();
    let start = std::time::Instant::now();
    let o = aistack(&["validate", f.to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        &stderr(&o)[..200.min(o.stderr.len())]
    );
    assert!(start.elapsed().as_secs() < 10, "took {:?}", start.elapsed());
    assert!(
        o.stderr.len() < 10_000,
        "message of {} bytes",
        o.stderr.len()
    );
    assert!(stderr(&o).contains("unknown field"), "{}", stderr(&o));
    // A hostile --agreement id is cut too.
    let id = "a".repeat(100_000);
    let o = aistack(&["compare", "instances/example.toml", "--agreement", &id]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        o.stderr.len() < 10_000,
        "message of {} bytes",
        o.stderr.len()
    );
}
