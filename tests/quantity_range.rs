//! `solve --quantity-range` and the sweep metric `quantity_range[...]`: the least and the most
//! a quantity can be over the optimal plans (decisions 180), hand-derived on a tie.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aistack"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("binary runs")
}

fn json(dir: &Path, args: &[&str]) -> serde_json::Value {
    common::cli_json(dir, args)
}

/// One unit of chips (A's capacity, cost 1) and two buyers B and C with one unit each, B at
/// value 5 and C at `c_value`, no trade cost. W = max(5, c_value) - 1 whoever is served when
/// the values differ; with c_value = 5 every split of the unit between B and C is optimal, so
/// B's consumption ranges over [0, 1] while the total served is fixed at 1.
fn tie(dir: &Path, c_value: f64) -> PathBuf {
    let path = dir.join("tie.toml");
    std::fs::write(
        &path,
        format!(
            "[meta]\nname = \"tie\"\ndescription = \"one unit, two buyers\"\n\n\
             [[layer]]\nid = \"fab\"\nname = \"Fab\"\n\n\
             [[country]]\nid = \"A\"\nname = \"A\"\n[[country]]\nid = \"B\"\nname = \"B\"\n\
             [[country]]\nid = \"C\"\nname = \"C\"\n\n\
             [[capability]]\ncountry = \"A\"\nlayer = \"fab\"\nunit_cost = 1.0\ncapacity = 1\n\n\
             [[demand]]\ncountry = \"B\"\nlayer = \"fab\"\nblocks = [{{ quantity = 1, value = 5 }}]\n\
             [[demand]]\ncountry = \"C\"\nlayer = \"fab\"\nblocks = [{{ quantity = 1, value = {c_value} }}]\n"
        ),
    )
    .unwrap();
    path
}

fn range<'a>(v: &'a serde_json::Value, quantity: &str) -> &'a serde_json::Value {
    v["quantity_ranges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["quantity"] == quantity)
        .unwrap_or_else(|| panic!("no range for {quantity}: {v}"))
}

fn ends(q: &serde_json::Value) -> (f64, f64, f64) {
    let f = |k: &str| q[k].as_f64().unwrap_or_else(|| panic!("{k}: {q}"));
    (f("min"), f("optimum"), f("max"))
}

#[test]
fn a_tie_has_a_range_and_a_strict_preference_collapses_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (c_value, b) in [(5.0, (0.0, 1.0)), (6.0, (0.0, 0.0)), (4.0, (1.0, 1.0))] {
        tie(d, c_value);
        let v = json(
            d,
            &[
                "solve",
                "tie.toml",
                "--quantity-range",
                "consumption[B]",
                "--quantity-range",
                "consumption[fab]",
            ],
        );
        assert!((v["objective"].as_f64().unwrap() - (c_value.max(5.0) - 1.0)).abs() < 1e-9);
        let (lo, at, hi) = ends(range(&v, "consumption[B]"));
        assert!(
            (lo - b.0).abs() < 1e-9 && (hi - b.1).abs() < 1e-9,
            "C at {c_value}: [{lo}, {hi}]"
        );
        assert!(lo - 1e-9 <= at && at <= hi + 1e-9);
        // The total served is a fact of every optimum.
        let (lo, at, hi) = ends(range(&v, "consumption[fab]"));
        for x in [lo, at, hi] {
            assert!((x - 1.0).abs() < 1e-9, "{x}");
        }
    }
    // The table says what the least means.
    tie(d, 5.0);
    let out = run(
        d,
        &["solve", "tie.toml", "--quantity-range", "consumption[B]"],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("guarantees"), "{text}");
    assert!(text.contains("consumption[B]"), "{text}");
}

#[test]
fn bad_quantities_are_exit_2_naming_the_quantity() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    tie(d, 5.0);
    for (q, says) in [
        ("consumptio[B]", "expected LIST[SELECTOR]"),
        ("consumption[B", "expected LIST[SELECTOR]"),
        ("consumption[Z]", "no column of the program matches it"),
    ] {
        let out = run(d, &["solve", "tie.toml", "--quantity-range", q]);
        assert_eq!(out.status.code(), Some(2), "{q}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(q) && err.contains(says), "{q}: {err}");
    }
}

/// On a MIP (integers fixed at the optimum) and on a stochastic file (W is E[W]; a quantity
/// of one outcome): each range is computed and the optimum lies inside it.
#[test]
fn ranges_contain_the_optimum_on_a_mip_and_per_outcome() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for (file, quantity) in [
        ("instances/learning.toml", "production[fab]"),
        ("instances/learning.toml", "consumption[IND/fab]"),
        (
            "instances/resilience.toml",
            "consumption[chip/outcome=nominal]",
        ),
        (
            "instances/resilience.toml",
            "consumption[IND/outcome=blockade]",
        ),
        ("instances/resilience.toml", "production[USA]"),
    ] {
        let v = json(&root, &["solve", file, "--quantity-range", quantity]);
        let (lo, at, hi) = ends(range(&v, quantity));
        assert!(
            lo - 1e-7 <= at && at <= hi + 1e-7,
            "{file} {quantity}: {lo} {at} {hi}"
        );
        assert_eq!(range(&v, quantity)["status"], "optimal");
    }
}

/// The sweep metric asks the solve for the range: C's value swept over 4, 5, 6 gives B's
/// guaranteed consumption 1, 0, 0 and its most 1, 1, 0.
#[test]
fn a_sweep_reads_the_least_and_the_most() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    tie(d, 5.0);
    std::fs::write(
        d.join("s.toml"),
        "scenario = \"tie.toml\"\noutput = \"out\"\ndesign = \"list\"\n\
         metrics = [\"W\", \"quantity_range[consumption[B]].min\", \
         \"quantity_range[consumption[B]].max\"]\n\n\
         [[parameter]]\npath = \"demand[C/fab].blocks[1].value\"\nvalues = [4, 5, 6]\n",
    )
    .unwrap();
    let out = run(d, &["sweep", "s.toml", "--jobs", "1", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // results.csv is long: point,role,<parameter>,metric,value,status,seconds.
    let csv = std::fs::read_to_string(d.join("out/results.csv")).unwrap();
    let value = |c_value: &str, metric: &str| -> f64 {
        csv.lines()
            .map(|l| l.split(',').collect::<Vec<_>>())
            .find(|r| r[1] == "list" && r[2] == c_value && r[3] == metric)
            .unwrap_or_else(|| panic!("{c_value} {metric}: {csv}"))[4]
            .parse()
            .unwrap()
    };
    for (c_value, lo, hi) in [("4", 1.0, 1.0), ("5", 0.0, 1.0), ("6", 0.0, 0.0)] {
        let got = (
            value(c_value, "quantity_range[consumption[B]].min"),
            value(c_value, "quantity_range[consumption[B]].max"),
        );
        assert!(
            (got.0 - lo).abs() < 1e-9 && (got.1 - hi).abs() < 1e-9,
            "{c_value}: {got:?}"
        );
    }
    // A range metric on another command is refused before anything runs.
    std::fs::write(
        d.join("bad.toml"),
        "scenario = \"tie.toml\"\noutput = \"bad\"\ncommand = \"entry\"\n\
         metrics = [\"quantity_range[consumption[B]].min\"]\n\n\
         [[parameter]]\npath = \"demand[C/fab].blocks[1].value\"\nvalues = [4, 5]\n",
    )
    .unwrap();
    let out = run(d, &["sweep", "bad.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("need command = \"solve\""));
}
