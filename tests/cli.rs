//! The `aistack` executable end to end: exit codes (0 ok, 1 no solution, 2 bad input), messages
//! that name every problem, and the output contract of MODEL.md section 9 (JSON keys, CSV files,
//! the one-line summary of the table format).
//!
//! Every test runs the real binary in its own temporary directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_aistack")
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn example() -> PathBuf {
    root().join("instances").join("example.toml")
}

/// Every shipped instance (`instances/*.toml`), sorted.
fn instances() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("instances"))
        .expect("instances/ exists")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    v.sort();
    assert!(!v.is_empty(), "no instances found");
    v
}

/// Run `aistack args...` inside `dir`.
fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run aistack")
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code (not killed by a signal)")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write scenario");
    p
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn solve_json(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["solve"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let o = run_in(dir, &all);
    assert_eq!(code(&o), 0, "solve {args:?} failed: {}", stderr(&o));
    serde_json::from_str(&stdout(&o))
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", stdout(&o)))
}

/// A scenario with three problems: a negative unit cost, a misspelt field, an unknown layer.
const BAD: &str = r#"
[meta]
name = "three mistakes"

[[layer]]
id = "fab"

[[layer]]
id = "apps"

[[country]]
id = "KOR"

[[country]]
id = "IND"

[[capability]]
country = "KOR"
layer = "fab"
unit_cost = -1
capacity = 10

[[capability]]
country = "IND"
layer = "apps"
unit_cost = 1.0
capacty = 10

[[demand]]
country = "IND"
layer = "aps"
blocks = [{ quantity = 5, value = 3.0 }]
"#;

/// Essential demand of 5 with capacity 2: no allocation exists.
const INFEASIBLE: &str = r#"
[meta]
name = "infeasible"

[[layer]]
id = "chip"

[[country]]
id = "A"

[[capability]]
country = "A"
layer = "chip"
unit_cost = 1.0
capacity = 2

[[demand]]
country = "A"
layer = "chip"
blocks = [{ quantity = 10, value = 3.0 }]
must_serve = 5
"#;

#[test]
fn validate_accepts_every_shipped_instance() {
    let dir = tmp();
    for f in instances() {
        let o = run_in(dir.path(), &["validate", s(&f)]);
        assert_eq!(
            code(&o),
            0,
            "validate {} exited {}: {}",
            f.display(),
            code(&o),
            stderr(&o)
        );
        assert!(
            stdout(&o).contains("valid"),
            "validate {}: {}",
            f.display(),
            stdout(&o)
        );
    }
}

#[test]
fn validate_names_every_problem_with_entity_and_field() {
    let dir = tmp();
    let f = write(dir.path(), "bad.toml", BAD);
    for cmd in ["validate", "solve"] {
        let o = run_in(dir.path(), &[cmd, s(&f)]);
        assert_eq!(code(&o), 2, "{cmd}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.contains("3 problems"),
            "{cmd}: all three problems are counted:\n{err}"
        );
        assert!(
            err.contains("capability KOR/fab: unit_cost must be >= 0, got -1"),
            "{cmd}:\n{err}"
        );
        assert!(
            err.contains("capability IND/apps") && err.contains("\"capacty\""),
            "{cmd}: typo named:\n{err}"
        );
        assert!(
            err.contains("did you mean \"capacity\""),
            "{cmd}: typo suggestion:\n{err}"
        );
        assert!(
            err.contains("demand IND/aps") && err.contains("\"aps\" is unknown"),
            "{cmd}: unknown layer:\n{err}"
        );
        assert!(
            stdout(&o).is_empty() || cmd == "solve",
            "validate prints nothing on stdout when invalid"
        );
    }
}

#[test]
fn nonexistent_file_exits_2() {
    let dir = tmp();
    for cmd in ["validate", "solve"] {
        let o = run_in(dir.path(), &[cmd, "no-such-scenario.toml"]);
        assert_eq!(code(&o), 2, "{cmd}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("no-such-scenario.toml"),
            "{cmd}: names the file: {}",
            stderr(&o)
        );
    }
}

#[test]
fn unreadable_toml_exits_2() {
    let dir = tmp();
    let f = write(dir.path(), "broken.toml", "[meta\nname = ");
    let o = run_in(dir.path(), &["validate", s(&f)]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
}

#[test]
fn json_output_follows_the_contract() {
    let dir = tmp();
    let v = solve_json(dir.path(), &[s(&example())]);
    assert_eq!(v["status"], "optimal");
    let w = v["objective"].as_f64().expect("objective is a number");
    assert!(w.is_finite());
    assert_eq!(
        v["mip"], true,
        "example.toml has entry costs and minimum scales"
    );

    // One price for every (country, layer, period): 4 countries, 6 layers, 2 periods.
    let prices = v["prices"].as_array().expect("prices");
    assert_eq!(prices.len(), 4 * 6 * 2);
    let mut seen = std::collections::HashSet::new();
    for p in prices {
        let key = (
            p["country"].as_str().expect("country").to_string(),
            p["layer"].as_str().expect("layer").to_string(),
            p["period"].as_u64().expect("period"),
        );
        assert!(p["price"].as_f64().is_some(), "price is a number: {p}");
        assert!(seen.insert(key), "duplicate price entry {p}");
    }
    for c in ["USA", "KOR", "TWN", "IND"] {
        for l in ["fab", "memory", "compute", "models", "apps", "evaluation"] {
            for t in [1, 2] {
                assert!(
                    seen.contains(&(c.to_string(), l.to_string(), t)),
                    "missing price {c}/{l}/{t}"
                );
            }
        }
    }

    let production = v["production"].as_array().expect("production");
    assert!(!production.is_empty());
    for p in production {
        for k in ["country", "layer", "period", "quantity"] {
            assert!(p.get(k).is_some(), "production entry lacks {k}: {p}");
        }
    }
    let flows = v["flows"].as_array().expect("flows");
    assert!(!flows.is_empty());
    for f in flows {
        for k in ["from", "to", "layer", "period", "quantity"] {
            assert!(f.get(k).is_some(), "flow entry lacks {k}: {f}");
        }
    }
    let welfare = v["welfare"].as_array().expect("welfare");
    assert_eq!(welfare.len(), 4, "one welfare entry per country");
    let mut sum = 0.0;
    for x in welfare {
        for k in ["country", "consumers", "producers", "rents", "total"] {
            assert!(x.get(k).is_some(), "welfare entry lacks {k}: {x}");
        }
        let total = x["total"].as_f64().expect("total");
        let parts = x["consumers"].as_f64().unwrap()
            + x["producers"].as_f64().unwrap()
            + x["rents"].as_f64().unwrap();
        assert!((parts - total).abs() <= 1e-9 * total.abs().max(1.0), "{x}");
        sum += total;
    }
    assert!(
        (sum - w).abs() <= 1e-6 * w.abs().max(1.0),
        "welfare sums to W: {sum} vs {w}"
    );
}

#[test]
fn csv_output_writes_one_file_per_table() {
    let dir = tmp();
    let out = dir.path().join("out");
    let o = run_in(
        dir.path(),
        &["solve", s(&example()), "--format", "csv", "--out", s(&out)],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    for name in [
        "prices",
        "welfare",
        "production",
        "flows",
        "capacity_rents",
        "producers",
    ] {
        let p = out.join(format!("{name}.csv"));
        assert!(p.is_file(), "{} not written", p.display());
    }
    let mut r = csv::Reader::from_path(out.join("welfare.csv")).expect("welfare.csv");
    let headers: Vec<String> = r
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    for k in ["country", "consumers", "producers", "rents", "total"] {
        assert!(
            headers.iter().any(|h| h == k),
            "welfare.csv lacks {k}: {headers:?}"
        );
    }
    assert_eq!(r.records().count(), 4);
    let prices = csv::Reader::from_path(out.join("prices.csv"))
        .expect("prices.csv")
        .records()
        .count();
    assert_eq!(
        prices,
        4 * 6 * 2,
        "one price row per (country, layer, period)"
    );
}

#[test]
fn csv_without_out_dir_is_bad_input() {
    let dir = tmp();
    let o = run_in(dir.path(), &["solve", s(&example()), "--format", "csv"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
}

#[test]
fn activate_and_deactivate_same_agreement_exits_2() {
    let dir = tmp();
    let o = run_in(
        dir.path(),
        &[
            "solve",
            s(&example()),
            "--activate",
            "chip-alliance",
            "--deactivate",
            "chip-alliance",
        ],
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("chip-alliance"), "{}", stderr(&o));
}

#[test]
fn unknown_agreement_exits_2_with_suggestion() {
    let dir = tmp();
    for flag in ["--activate", "--deactivate"] {
        let o = run_in(dir.path(), &["solve", s(&example()), flag, "chip-aliance"]);
        assert_eq!(code(&o), 2, "{flag}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.contains("chip-aliance"),
            "{flag}: names the unknown id: {err}"
        );
        assert!(
            err.contains("did you mean \"chip-alliance\""),
            "{flag}: suggests: {err}"
        );
    }
}

#[test]
fn activating_an_agreement_changes_the_solution() {
    let dir = tmp();
    let base = solve_json(dir.path(), &[s(&example())]);
    let with = solve_json(dir.path(), &[s(&example()), "--activate", "services-pact"]);
    let (a, b) = (
        base["objective"].as_f64().unwrap(),
        with["objective"].as_f64().unwrap(),
    );
    assert!(
        (a - b).abs() > 1e-6,
        "services-pact should change W: {a} vs {b}"
    );
}

#[test]
fn infeasible_scenario_exits_1() {
    let dir = tmp();
    let f = write(dir.path(), "infeasible.toml", INFEASIBLE);
    let o = run_in(dir.path(), &["solve", s(&f)]);
    assert_eq!(code(&o), 1, "{}{}", stdout(&o), stderr(&o));
    let first = stdout(&o).lines().next().unwrap_or_default().to_string();
    assert!(
        first.contains("infeasible"),
        "table output says infeasible: {first}"
    );

    let o = run_in(dir.path(), &["solve", s(&f), "--format", "json"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).expect("JSON even when infeasible");
    assert_eq!(v["status"], "infeasible");
    assert!(v["objective"].is_null());
}

#[test]
fn relaxation_is_at_least_the_mip() {
    let dir = tmp();
    let mip = solve_json(dir.path(), &[s(&example())]);
    let lp = solve_json(dir.path(), &[s(&example()), "--relax"]);
    assert_eq!(mip["mip"], true);
    assert_eq!(lp["mip"], false, "--relax solves an LP");
    let (w_mip, w_lp) = (
        mip["objective"].as_f64().unwrap(),
        lp["objective"].as_f64().unwrap(),
    );
    assert!(
        w_lp >= w_mip - 1e-6 * w_mip.abs().max(1.0),
        "LP relaxation {w_lp} below MIP {w_mip}"
    );
}

#[test]
fn table_format_starts_with_a_one_line_summary() {
    let dir = tmp();
    let o = run_in(dir.path(), &["solve", s(&example())]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    let mut lines = out.lines();
    let first = lines.next().expect("output");
    assert!(
        first.contains("example.toml"),
        "summary names the file: {first}"
    );
    assert!(
        first.contains("optimal"),
        "summary gives the status: {first}"
    );
    assert!(first.contains("W ="), "summary gives W: {first}");
    assert!(first.contains("MIP"), "summary says MIP or LP: {first}");
    assert_eq!(lines.next(), Some(""), "a blank line follows the summary");
}

#[test]
fn bad_solver_flags_exit_2() {
    let dir = tmp();
    for args in [
        vec!["solve", s(&example()), "--solver", "nosuch"],
        vec!["solve", s(&example()), "--mip-gap", "-1"],
        vec!["solve", s(&example()), "--format", "yaml"],
    ] {
        let o = run_in(dir.path(), &args);
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
    }
}
