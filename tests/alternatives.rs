//! Modelling to generate alternatives (MODEL.md section 8, `aistack alternatives`): ranges that
//! contain the optimum, extremes that really are near-optimal, hand-derived ranges, collapse at
//! slack 0, free integers against brute force, and the CLI's exit codes and files.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use aistack::analysis::alternatives::{
    self, AlternativeSettings, Alternatives, Verdict, FLOOR_TOLERANCE,
};
use aistack::backend::{self, Settings, Status};
use aistack::formulation::{BuildOptions, Program, Row, Sense, Var};
use aistack::results::{self, Outcome, SolveConfig};
use aistack::scenario::Scenario;
use common::scenario;

fn explore(s: &Scenario, settings: &AlternativeSettings) -> (Outcome, Alternatives) {
    let config = SolveConfig::default();
    let base = results::solve(s, &BuildOptions::from_file(s), &config).expect("solver failure");
    assert!(base.is_optimal(), "{}", base.status);
    let a = alternatives::alternatives(s, &config, &base, settings, &|_, _| {}).unwrap();
    (base, a)
}

fn slack(slack: f64) -> AlternativeSettings {
    AlternativeSettings {
        slack,
        ..Default::default()
    }
}

fn range<'a>(a: &'a Alternatives, country: &str, layer: &str) -> &'a alternatives::CellRange {
    a.ranges
        .iter()
        .find(|r| r.country == country && r.layer == layer)
        .unwrap_or_else(|| panic!("no range for {country}/{layer}"))
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shipped instances except the world ones (a minute each with the default backend; the
/// world runs from the CLI in `the_world_runs_from_the_cli`); resilience.toml, with
/// `[uncertainty]`, is explored on its expected output (decisions.md 150).
fn small_instances() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("instances"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .filter(|p| {
            !p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("world")
        })
        .collect();
    v.sort();
    assert!(v.len() >= 5);
    v
}

fn tol(x: f64) -> f64 {
    1e-6 * x.abs().max(1.0)
}

/// min <= optimum <= max for every capability of every shipped instance, and the plans that
/// attain them stay above the floor.
#[test]
fn every_range_contains_the_optimum_on_every_instance() {
    for path in small_instances() {
        let s = Scenario::from_path(&path).unwrap();
        let (_, a) = explore(&s, &AlternativeSettings::default());
        assert!(a.complete, "{}", path.display());
        assert_eq!(a.ranges.len(), s.capabilities.len());
        for r in &a.ranges {
            let (lo, hi) = (r.min.unwrap(), r.max.unwrap());
            assert!(
                lo <= r.optimum + tol(r.optimum) && r.optimum <= hi + tol(r.optimum),
                "{}: {}/{}: {lo} <= {} <= {hi}",
                path.display(),
                r.country,
                r.layer,
                r.optimum
            );
            for w in [r.w_at_min.unwrap(), r.w_at_max.unwrap()] {
                assert!(w >= a.floor - tol(a.objective), "{}", path.display());
            }
        }
        for alt in &a.alternatives {
            assert!(alt.objective >= a.floor - tol(a.objective));
            assert!(alt.distance > 0.0);
        }
    }
}

/// max W with Σ_t p[c,l,t] fixed at `value` on the program the ranges explore (integers fixed
/// at the optimum); with outcomes, a column of outcome s weighs P_s (the expected output,
/// decisions.md 150). Row key: `Forced` with period 0, which no built program has.
fn best_w_with_cell_fixed(base: &Outcome, c: usize, l: usize, value: f64) -> Option<f64> {
    let sol = base.solution.as_ref().unwrap();
    let mut p: Program = base.program.with_integers_fixed(&sol.values);
    let terms: Vec<(usize, f64)> = p
        .columns
        .iter()
        .enumerate()
        .filter(|(_, col)| matches!(col.var, Var::Produce { country, layer, .. } if country == c && layer == l))
        .map(|(j, col)| {
            let weight = match (col.outcome, &p.stochastic) {
                (Some(o), Some(st)) => st.probability(o),
                _ => 1.0,
            };
            (j, weight)
        })
        .collect();
    p.add_row(
        Row::Forced {
            country: c,
            layer: l,
            period: 0,
        },
        terms,
        Sense::Eq,
        value,
    );
    let raw = backend::by_name("microlp")
        .unwrap()
        .solve(&p, &Settings::default())
        .unwrap();
    (raw.status == Status::Optimal).then_some(raw.objective)
}

/// Each reported extreme, re-solved for W with that cell fixed at its value, reaches the floor
/// W >= (1 - slack) W* (independently of the plan the analysis found); and it is an extreme:
/// a little further out, W falls below the floor or no plan exists.
#[test]
fn each_extreme_reaches_the_floor_when_re_solved_with_the_cell_fixed() {
    for name in [
        "comparative-advantage",
        "example",
        "supply-shock",
        "security-policy",
        "resilience",
    ] {
        let s = Scenario::from_path(root().join(format!("instances/{name}.toml"))).unwrap();
        let (base, a) = explore(&s, &AlternativeSettings::default());
        let floor = alternatives::floor(a.objective, a.slack);
        for r in &a.ranges {
            let (c, l) = (
                s.country_index(&r.country).unwrap(),
                s.layer_index(&r.layer).unwrap(),
            );
            for v in [r.min.unwrap(), r.max.unwrap()] {
                let w = best_w_with_cell_fixed(&base, c, l, v).unwrap_or_else(|| {
                    panic!("{name} {}/{} fixed at {v}: no plan", r.country, r.layer)
                });
                assert!(
                    w >= floor - tol(a.objective),
                    "{name} {}/{} at {v}: W {w} < {floor}",
                    r.country,
                    r.layer
                );
            }
            let step = 1e-3 * r.world_output.max(1.0);
            let beyond = best_w_with_cell_fixed(&base, c, l, r.max.unwrap() + step);
            assert!(
                beyond.is_none_or(|w| w < floor),
                "{name} {}/{}: max {} is not the most",
                r.country,
                r.layer,
                r.max.unwrap()
            );
            if r.min.unwrap() >= step {
                let below = best_w_with_cell_fixed(&base, c, l, r.min.unwrap() - step);
                assert!(
                    below.is_none_or(|w| w < floor),
                    "{name} {}/{}: min",
                    r.country,
                    r.layer
                );
            }
        }
    }
}

/// A and B make chips at the same cost 1, capacity 10 each; A's consumers want 10 at value 3,
/// trade is free. W* = 10 * (3 - 1) = 20 whoever produces: every split of the 10 units between A
/// and B is optimal, so even with slack 0 each producer's range is the whole demand [0, 10]
/// (capacity 10 stops it above; the other producer covers the rest below). A slack only adds
/// plans that serve less or overproduce, which cannot widen [0, 10] (capacity). Both have room.
const TWINS: &str = r#"
[meta]
name = "twins"
[[layer]]
id = "chip"
[[country]]
id = "A"
[[country]]
id = "B"
[[capability]]
country = "A"
layer = "chip"
unit_cost = 1.0
capacity = 10
[[capability]]
country = "B"
layer = "chip"
unit_cost = 1.0
capacity = 10
[[demand]]
country = "A"
layer = "chip"
blocks = [{ quantity = 10, value = 3.0 }]
"#;

#[test]
fn two_equally_cheap_producers_can_each_make_the_whole_demand() {
    let s = scenario(TWINS);
    for eps in [0.0, 0.02] {
        let (_, a) = explore(&s, &slack(eps));
        assert!((a.objective - 20.0).abs() < 1e-9);
        for c in ["A", "B"] {
            let r = range(&a, c, "chip");
            assert!(r.min.unwrap().abs() < 1e-7, "{c} min {:?}", r.min);
            assert!((r.max.unwrap() - 10.0).abs() < 1e-7, "{c} max {:?}", r.max);
        }
        assert!(a.countries.iter().all(|c| c.verdict == Verdict::Room));
        // The first alternative moves the chips to the other producer: distance 2 shares
        // (10 units of a world output of 10, counted at both producers).
        let alt = &a.alternatives[0];
        assert!((alt.distance - 2.0).abs() < 1e-6, "{}", alt.distance);
        assert!(alt.objective >= a.floor - tol(a.objective));
    }
}

/// A makes chips at 1 (capacity 6), B at 2 (capacity 10); A's consumers want 10 at value 5.
/// The unique optimum: A = 6, B = 4, W* = 6 * 4 + 4 * 3 = 36.
/// - slack 0: every range collapses to the optimum.
/// - slack 0.02: floor 35.28, 0.72 to spend. A's min: shift units to B at 1 each (cheaper than
///   serving less at 4) -> 6 - 0.72 = 5.28; A's max 6 (capacity). B's max: take over from A at 1
///   a unit (overproducing would cost 2) -> 4.72; B's min: serve less, losing 5 - 2 = 3 a unit
///   -> 4 - 0.24 = 3.76.
const CHEAP_AND_DEAR: &str = r#"
[meta]
name = "cheap and dear"
[[layer]]
id = "chip"
[[country]]
id = "A"
[[country]]
id = "B"
[[capability]]
country = "A"
layer = "chip"
unit_cost = 1.0
capacity = 6
[[capability]]
country = "B"
layer = "chip"
unit_cost = 2.0
capacity = 10
[[demand]]
country = "A"
layer = "chip"
blocks = [{ quantity = 10, value = 5.0 }]
"#;

#[test]
fn slack_zero_and_a_unique_optimum_collapse_every_range() {
    let s = scenario(CHEAP_AND_DEAR);
    let (_, a) = explore(&s, &slack(0.0));
    assert!((a.objective - 36.0).abs() < 1e-9);
    for (c, q) in [("A", 6.0), ("B", 4.0)] {
        let r = range(&a, c, "chip");
        assert!((r.optimum - q).abs() < 1e-7);
        assert!((r.min.unwrap() - q).abs() < 1e-6, "{c} min {:?}", r.min);
        assert!((r.max.unwrap() - q).abs() < 1e-6, "{c} max {:?}", r.max);
    }
    assert!(a.countries.iter().all(|c| c.verdict == Verdict::Pinned));
    assert!(a.alternatives.is_empty());
    assert!(a.notes.iter().any(|n| n.contains("only plan")));
}

#[test]
fn a_two_percent_slack_gives_the_hand_derived_ranges() {
    let s = scenario(CHEAP_AND_DEAR);
    let (_, a) = explore(&s, &AlternativeSettings::default());
    assert!((a.floor - 35.28).abs() < 1e-9);
    let close = |x: Option<f64>, y: f64| (x.unwrap() - y).abs() < 1e-6;
    let ra = range(&a, "A", "chip");
    assert!(
        close(ra.min, 5.28) && close(ra.max, 6.0),
        "A {:?} {:?}",
        ra.min,
        ra.max
    );
    let rb = range(&a, "B", "chip");
    assert!(
        close(rb.min, 3.76) && close(rb.max, 4.72),
        "B {:?} {:?}",
        rb.min,
        rb.max
    );
    // World output at the optimum is 10: A moves 7.2 %, B 9.6 %: both have room (>= 5 %).
    assert!((ra.width_share.unwrap() - 0.072).abs() < 1e-7);
    assert!(a.countries.iter().all(|c| c.verdict == Verdict::Room));
}

/// Two periods, two producers with a minimum scale (so each has an operating binary per
/// period): A at cost 1, B at 1.5, capacity 10 and min_scale 4 each; A's consumers want 10 at
/// value 3 in each period. The MIP optimum runs A alone (W* = 40). With the integers fixed B
/// stays off ([0, 0]); with `free_integers` B may operate, and the ranges must equal the brute
/// force over the 16 operating patterns: for each, the LP min and max of the cell with the
/// same floor, the least min and most max over the feasible patterns.
const MIN_SCALE: &str = r#"
[meta]
name = "min scale"
periods = 2
[[layer]]
id = "chip"
[[country]]
id = "A"
[[country]]
id = "B"
[[capability]]
country = "A"
layer = "chip"
unit_cost = 1.0
capacity = 10
min_scale = 4
[[capability]]
country = "B"
layer = "chip"
unit_cost = 1.5
capacity = 10
min_scale = 4
[[demand]]
country = "A"
layer = "chip"
blocks = [{ quantity = 10, value = 3.0 }]
"#;

#[test]
fn free_integers_match_brute_force_over_the_binaries() {
    let s = scenario(MIN_SCALE);
    let settings = AlternativeSettings {
        slack: 0.1,
        free_integers: true,
        ..Default::default()
    };
    let (base, free) = explore(&s, &settings);
    assert!(base.mip);
    assert_eq!(free.integers, "free");
    let (_, fixed) = explore(
        &s,
        &AlternativeSettings {
            free_integers: false,
            ..settings.clone()
        },
    );
    assert_eq!(fixed.integers, "fixed");
    let rb = range(&fixed, "B", "chip");
    assert!(rb.min.unwrap().abs() < 1e-9 && rb.max.unwrap().abs() < 1e-9);

    let program = &base.program;
    let ints: Vec<usize> = (0..program.columns.len())
        .filter(|&j| program.columns[j].integer)
        .collect();
    assert_eq!(ints.len(), 4);
    let w = base.objective().unwrap();
    let floor = alternatives::floor(w, 0.1) - FLOOR_TOLERANCE * w.abs().max(1.0);
    let microlp = backend::by_name("microlp").unwrap();
    for r in &free.ranges {
        let (c, l) = (
            s.country_index(&r.country).unwrap(),
            s.layer_index(&r.layer).unwrap(),
        );
        let cell: Vec<(usize, f64)> = (0..program.columns.len())
            .filter(|&j| matches!(program.columns[j].var, Var::Produce { country, layer, .. } if country == c && layer == l))
            .map(|j| (j, 1.0))
            .collect();
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for mask in 0..(1u32 << ints.len()) {
            let mut values = vec![0.0; program.columns.len()];
            for (k, &j) in ints.iter().enumerate() {
                values[j] = f64::from((mask >> k) & 1);
            }
            let lp = program.with_integers_fixed(&values).near_optimal(floor);
            for sign in [-1.0, 1.0] {
                let terms: Vec<(usize, f64)> = cell.iter().map(|&(j, a)| (j, sign * a)).collect();
                let raw = microlp
                    .solve(&lp.with_objective(&terms), &Settings::default())
                    .unwrap();
                if raw.status == Status::Optimal {
                    let v: f64 = cell.iter().map(|&(j, _)| raw.values[j]).sum();
                    lo = lo.min(v);
                    hi = hi.max(v);
                }
            }
        }
        assert!(
            (r.min.unwrap() - lo).abs() < 1e-6,
            "{}: {:?} vs {lo}",
            r.country,
            r.min
        );
        assert!(
            (r.max.unwrap() - hi).abs() < 1e-6,
            "{}: {:?} vs {hi}",
            r.country,
            r.max
        );
    }
    // B can really move once its binaries are free.
    assert!(range(&free, "B", "chip").max.unwrap() > 1.0);
}

// ---------------------------------------------------------------------------------------------
// The command line
// ---------------------------------------------------------------------------------------------

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aistack"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn example() -> String {
    root().join("instances/example.toml").display().to_string()
}

#[test]
fn bad_settings_exit_2_with_a_named_error() {
    let dir = tempfile::tempdir().unwrap();
    let ex = example();
    for (args, needle) in [
        (vec!["--slack", "-0.1"], "--slack must be in [0, 1)"),
        (vec!["--slack", "1"], "--slack must be in [0, 1)"),
        (vec!["--slack", "NaN"], "--slack must be in [0, 1)"),
        (vec!["--count", "0"], "--count must be at least 1"),
        (vec!["--count=-1"], "--count"),
        (vec!["--format", "csv"], "--format csv needs --out DIR"),
    ] {
        let mut all = vec!["alternatives", ex.as_str()];
        all.extend(args.iter().copied());
        let o = run(dir.path(), &all);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn an_infeasible_scenario_exits_1_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("infeasible.toml");
    std::fs::write(
        &file,
        CHEAP_AND_DEAR.replace(
            "blocks = [{ quantity = 10, value = 5.0 }]",
            "blocks = [{ quantity = 30, value = 5.0 }]\nmust_serve = 20",
        ),
    )
    .unwrap();
    let f = file.display().to_string();
    let o = run(dir.path(), &["alternatives", &f]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("infeasible"), "{out}");
    let o = run(dir.path(), &["alternatives", &f, "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["status"], "infeasible");
    assert!(v["diagnosis"].is_object());
}

/// JSON keys, the CSV files generated from the JSON, and parallel solves giving the same bytes
/// every run.
#[test]
fn json_and_csv_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let ex = example();
    let o = run(
        dir.path(),
        &["alternatives", &ex, "--format", "json", "--count", "2"],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let again = run(
        dir.path(),
        &["alternatives", &ex, "--format", "json", "--count", "2"],
    );
    assert_eq!(o.stdout, again.stdout, "parallel solves are deterministic");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    for key in [
        "status",
        "objective",
        "floor",
        "slack",
        "integers",
        "ranges",
        "countries",
        "alternatives",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["ranges"].as_array().unwrap().len(), 17);
    assert_eq!(v["alternatives"].as_array().unwrap().len(), 2);
    let o = run(
        dir.path(),
        &[
            "alternatives",
            &ex,
            "--format",
            "csv",
            "--out",
            "csv",
            "--count",
            "2",
        ],
    );
    assert_eq!(o.status.code(), Some(0));
    let listed = String::from_utf8_lossy(&o.stdout);
    for f in [
        "summary.csv",
        "ranges.csv",
        "countries.csv",
        "alternatives.csv",
    ] {
        assert!(listed.contains(f), "{listed}");
    }
    let ranges = std::fs::read_to_string(dir.path().join("csv/ranges.csv")).unwrap();
    assert!(
        ranges.starts_with("country,layer,optimum,min,max"),
        "{ranges}"
    );
    assert_eq!(ranges.lines().count(), 18);
    let alts = std::fs::read_to_string(dir.path().join("csv/alternatives.csv")).unwrap();
    assert_eq!(alts.lines().count(), 1 + 2 * 17);
}

/// The world (133 capabilities, 266 solves plus the alternatives) from the CLI: about a
/// minute with the default backend, so run on request (`cargo test -- --ignored`).
#[test]
#[ignore]
fn the_world_runs_from_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let f = root()
        .join("instances/world-2026.toml")
        .display()
        .to_string();
    let o = run(
        dir.path(),
        &["alternatives", &f, "--format", "json", "--count", "1"],
    );
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["ranges"].as_array().unwrap().len(), 133);
}

/// resilience.toml (decisions.md 150): W* = 71.5 (the file's comment), the floor
/// 71.5 - 0.02 x 71.5 = 70.07, a slack of 1.43. Expected outputs at the optimum: TWN 0.75 x 10 =
/// 7.5, USA 0.25 x 6 = 1.5, IND 0.25 x 4 = 1. Every move costs exactly 1 per unit of expected
/// output, so each end is the optimum ± 1.43 unless a bound stops it first:
/// - TWN down / USA up: USA's idle capacity replaces TWN in the nominal outcome, 0.75 x (2 - 1)
///   per nominal unit = 1 per expected unit: TWN 6.07, USA 2.93.
/// - TWN up: TWN overproduces in the nominal outcome at 0.75 x 1 per unit: 8.93 (10 + 1.9
///   units <= its capacity 12).
/// - USA down / IND up: a unit of IND capacity instead of USA's saves 1.5 - 1 of building and
///   costs 0.25 x (5 - 2) in the blockade, 0.25 per 0.25 expected unit: USA 0.07, IND 2.43
///   (5.72 units moved, within IND's 10 and USA's 6).
/// - IND down: dropping an IND unit saves 1 and loses 0.25 x (10 - 5) = 1.25 in the blockade,
///   0.25 per 0.25 expected unit; all 4 cost 1 <= 1.43: IND 0.
#[test]
fn a_stochastic_file_ranges_the_expected_output() {
    let s = Scenario::from_path(root().join("instances/resilience.toml")).unwrap();
    let (_, a) = explore(&s, &AlternativeSettings::default());
    assert!((a.objective - 71.5).abs() < 1e-9);
    assert!((a.floor - 70.07).abs() < 1e-9);
    assert!(a.expected_output);
    let close = |x: Option<f64>, y: f64| (x.unwrap() - y).abs() < 1e-6;
    for (c, opt, lo, hi) in [
        ("TWN", 7.5, 6.07, 8.93),
        ("USA", 1.5, 0.07, 2.93),
        ("IND", 1.0, 0.0, 2.43),
    ] {
        let r = range(&a, c, "chip");
        assert!((r.optimum - opt).abs() < 1e-7, "{c} optimum {}", r.optimum);
        assert!(close(r.min, lo), "{c} min {:?}", r.min);
        assert!(close(r.max, hi), "{c} max {:?}", r.max);
    }
    assert!(a.notes.iter().any(|n| n.contains("expected output")));
}

/// The optimum of resilience.toml is unique (TWN strictly cheapest in the nominal outcome; in
/// the blockade USA 6 + IND 4 exactly meet the demand of 10, each build strictly worth it):
/// with slack 0 every expected-output range collapses to the optimum.
#[test]
fn a_stochastic_file_with_slack_zero_collapses() {
    let s = Scenario::from_path(root().join("instances/resilience.toml")).unwrap();
    let (_, a) = explore(&s, &slack(0.0));
    for (c, q) in [("TWN", 7.5), ("USA", 1.5), ("IND", 1.0)] {
        let r = range(&a, c, "chip");
        assert!((r.min.unwrap() - q).abs() < 1e-6, "{c} min {:?}", r.min);
        assert!((r.max.unwrap() - q).abs() < 1e-6, "{c} max {:?}", r.max);
    }
    assert!(a.alternatives.is_empty());
}

/// From the CLI: a stochastic file is explored (exit 0) and the JSON says the quantities are
/// expected outputs.
#[test]
fn a_stochastic_file_runs_from_the_cli() {
    let v = common::cli_json(&root(), &["alternatives", "instances/resilience.toml"]);
    assert_eq!(v["expected_output"], true);
    assert_eq!(v["ranges"].as_array().unwrap().len(), 3);
}
