//! `aistack export`: the exported MPS/LP is the program `solve` builds, with readable names.
//!
//! Without features, the MPS is read back by a small reader below and compared with the built
//! program entry by entry (names, senses, bounds, objective, coefficients, right-hand sides),
//! and the real CLI is run on a shipped instance. With `--features highs`, HiGHS reads the
//! exported MPS and LP files itself (`backend::highs::solve_file`) and must find the objective
//! that `solve` reports.

use std::collections::HashMap;
use std::process::Command;

use aistack::export::{write_lp, write_mps, Names};
use aistack::formulation::{BuildOptions, Program, Sense};
use aistack::generate::{generate, GenerateOptions};
use aistack::scenario::{Format, Scenario};

fn instance(name: &str) -> Scenario {
    Scenario::from_path(format!("{}/instances/{name}", env!("CARGO_MANIFEST_DIR")))
        .unwrap_or_else(|e| panic!("{e}"))
}

fn generated(countries: usize, periods: usize, seed: u64) -> Scenario {
    let text = generate(&GenerateOptions {
        countries,
        layers: 10,
        periods,
        seed,
        agreements: 4,
    })
    .unwrap();
    Scenario::from_str(&text, Format::Toml, "generated.toml").unwrap_or_else(|e| panic!("{e}"))
}

/// What a free-MPS file says, by name.
#[derive(Default, Debug)]
struct Mps {
    maximise: bool,
    rows: Vec<(String, char)>,
    objective: HashMap<String, f64>,
    coefs: HashMap<(String, String), f64>,
    columns: Vec<String>,
    integer: HashMap<String, bool>,
    rhs: HashMap<String, f64>,
    lower: HashMap<String, f64>,
    upper: HashMap<String, f64>,
}

/// Read the free MPS that `write_mps` produces (sections, markers, bounds FX/FR/MI/LO/UP/PL).
fn read_mps(text: &str) -> Mps {
    let mut m = Mps::default();
    let mut section = "";
    let mut integer = false;
    let mut objective_row = String::new();
    for line in text.lines() {
        if line.starts_with('*') || line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split_whitespace().collect();
        if !line.starts_with(' ') {
            section = f[0];
            continue;
        }
        match section {
            "OBJSENSE" => m.maximise = f[0] == "MAX",
            "ROWS" => {
                let kind = f[0].chars().next().unwrap();
                if kind == 'N' {
                    objective_row = f[1].to_string();
                } else {
                    m.rows.push((f[1].to_string(), kind));
                }
            }
            "COLUMNS" => {
                if f.len() == 3 && f[1] == "'MARKER'" {
                    integer = f[2] == "'INTORG'";
                    continue;
                }
                let col = f[0].to_string();
                if m.columns.last() != Some(&col) {
                    m.columns.push(col.clone());
                    m.integer.insert(col.clone(), integer);
                }
                for pair in f[1..].chunks(2) {
                    let v: f64 = pair[1].parse().unwrap();
                    if pair[0] == objective_row {
                        m.objective.insert(col.clone(), v);
                    } else {
                        m.coefs.insert((pair[0].to_string(), col.clone()), v);
                    }
                }
            }
            "RHS" => {
                for pair in f[1..].chunks(2) {
                    m.rhs.insert(pair[0].to_string(), pair[1].parse().unwrap());
                }
            }
            "BOUNDS" => {
                let col = f[2].to_string();
                let v = || f[3].parse::<f64>().unwrap();
                match f[0] {
                    "FX" => {
                        m.lower.insert(col.clone(), v());
                        m.upper.insert(col, v());
                    }
                    "FR" => {
                        m.lower.insert(col.clone(), f64::NEG_INFINITY);
                        m.upper.insert(col, f64::INFINITY);
                    }
                    "MI" => {
                        m.lower.insert(col, f64::NEG_INFINITY);
                    }
                    "PL" => {
                        m.upper.insert(col, f64::INFINITY);
                    }
                    "LO" => {
                        m.lower.insert(col, v());
                    }
                    "UP" => {
                        m.upper.insert(col, v());
                    }
                    other => panic!("bound kind {other}"),
                }
            }
            other => panic!("unexpected section {other}"),
        }
    }
    m
}

/// The MPS says exactly what the program says.
fn assert_same_program(p: &Program, names: &Names, m: &Mps) {
    assert!(m.maximise);
    assert_eq!(m.columns, names.columns, "column names and order");
    assert_eq!(m.rows.len(), p.rows.len());
    let mut nonzeros = 0;
    for (i, r) in p.rows.iter().enumerate() {
        let (name, kind) = &m.rows[i];
        assert_eq!(name, &names.rows[i]);
        let want = match r.sense {
            Sense::Le => 'L',
            Sense::Ge => 'G',
            Sense::Eq => 'E',
        };
        assert_eq!(*kind, want, "{name}");
        assert_eq!(
            m.rhs.get(name).copied().unwrap_or(0.0),
            r.rhs,
            "rhs of {name}"
        );
        for &(j, a) in &r.terms {
            assert_eq!(
                m.coefs.get(&(name.clone(), names.columns[j].clone())),
                Some(&a),
                "{name} x {}",
                names.columns[j]
            );
            nonzeros += 1;
        }
    }
    assert_eq!(m.coefs.len(), nonzeros, "no extra coefficients");
    for (j, c) in p.columns.iter().enumerate() {
        let name = &names.columns[j];
        assert_eq!(
            m.objective.get(name).copied().unwrap_or(0.0),
            c.objective,
            "objective of {name}"
        );
        assert_eq!(m.integer[name], c.integer, "integrality of {name}");
        assert_eq!(
            m.lower.get(name).copied().unwrap_or(0.0),
            c.lower,
            "lower bound of {name}"
        );
        assert_eq!(
            m.upper.get(name).copied().unwrap_or(f64::INFINITY),
            c.upper,
            "upper bound of {name}"
        );
    }
}

fn mps_text(p: &Program, names: &Names) -> String {
    let mut buf = Vec::new();
    write_mps(p, names, "test", &mut buf).unwrap();
    String::from_utf8(buf).unwrap()
}

#[test]
fn mps_round_trips_the_example_program() {
    let s = instance("example.toml");
    let p = aistack::build(&s, &BuildOptions::from_file(&s));
    assert!(p.is_mip());
    let names = Names::new(&p, &s);
    assert_same_program(&p, &names, &read_mps(&mps_text(&p, &names)));
}

#[test]
fn mps_round_trips_a_generated_program() {
    let s = generated(6, 2, 4);
    for relax in [false, true] {
        let p = aistack::build(
            &s,
            &BuildOptions {
                relax,
                ..BuildOptions::from_file(&s)
            },
        );
        let names = Names::new(&p, &s);
        assert_same_program(&p, &names, &read_mps(&mps_text(&p, &names)));
    }
}

#[test]
fn names_are_readable_sanitised_and_unique() {
    let s = instance("example.toml");
    let p = aistack::build(&s, &BuildOptions::from_file(&s));
    let names = Names::new(&p, &s);
    for want in ["bal_KOR_fab_1", "cap_USA_fab_2", "orig_TWN_fab_1"] {
        assert!(names.rows.iter().any(|n| n == want), "row {want}");
    }
    for want in [
        "f_KOR_IND_fab_1",
        "p_USA_models_2",
        "y_KOR_models_1",
        "x_USA_apps_1_2",
    ] {
        assert!(names.columns.iter().any(|n| n == want), "column {want}");
    }
    for list in [&names.rows, &names.columns] {
        let unique: std::collections::HashSet<&String> = list.iter().collect();
        assert_eq!(unique.len(), list.len());
        assert!(list.iter().all(|n| n
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')));
    }
    // Ids with other characters are sanitised; clashes get suffixes.
    let text = std::fs::read_to_string(format!(
        "{}/instances/example.toml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let s = Scenario::from_str(
        &text
            .replace("\"IND\"", "\"IN-D\"")
            .replace("\"TWN\"", "\"IN_D\""),
        Format::Toml,
        "x.toml",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let p = aistack::build(&s, &BuildOptions::from_file(&s));
    let names = Names::new(&p, &s);
    assert!(names.rows.iter().any(|n| n == "bal_IN_D_fab_1"));
    assert!(names.rows.iter().any(|n| n == "bal_IN_D_fab_1_2"));
}

#[test]
fn lp_file_names_every_row_and_column() {
    let s = instance("example.toml");
    let p = aistack::build(&s, &BuildOptions::from_file(&s));
    let names = Names::new(&p, &s);
    let mut buf = Vec::new();
    write_lp(&p, &names, "example", &mut buf).unwrap();
    let text = String::from_utf8(buf).unwrap();
    assert!(text.contains("Maximize\n W:"));
    for n in &names.rows {
        assert!(text.contains(&format!(" {n}:")), "row {n}");
    }
    assert!(text.contains("General\n"));
    assert!(text.trim_end().ends_with("End"));
    assert!(text.lines().all(|l| l.len() < 510), "LP lines stay short");
}

fn aistack(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_aistack"))
        .args(args)
        .output()
        .expect("run aistack")
}

#[test]
fn cli_writes_both_files() {
    let dir = tempfile::tempdir().unwrap();
    let file = format!("{}/instances/example.toml", env!("CARGO_MANIFEST_DIR"));
    let mps = dir.path().join("example.mps");
    let lp = dir.path().join("example.lp");
    let out = aistack(&[
        "export",
        &file,
        "--mps",
        mps.to_str().unwrap(),
        "--lp",
        lp.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&mps).unwrap();
    assert!(text.contains("bal_KOR_fab_1") && text.contains("f_KOR_IND_fab_1"));
    assert!(std::fs::read_to_string(&lp)
        .unwrap()
        .contains("f_KOR_IND_fab_1"));
    // Agreement switches change the program exactly as for `solve`.
    let on = dir.path().join("on.mps");
    let out = aistack(&[
        "export",
        &file,
        "--activate",
        "chip-alliance",
        "--mps",
        on.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    assert!(std::fs::read_to_string(&on)
        .unwrap()
        .contains("nodup_chip_alliance_3_1"));
    // Bad input exits 2.
    assert_eq!(aistack(&["export", &file]).status.code(), Some(2));
    assert_eq!(
        aistack(&["export", &file, "--activate", "nope", "--mps", "/dev/null"])
            .status
            .code(),
        Some(2)
    );
}

#[cfg(feature = "highs")]
mod with_highs {
    use std::path::Path;

    use super::*;
    use aistack::backend::highs::solve_file;
    use aistack::backend::{Settings, Status};
    use aistack::results::{self, SolveConfig};

    fn check(s: &Scenario, opts: &BuildOptions, dir: &Path, stem: &str) {
        let config = SolveConfig {
            backend: "highs".into(),
            settings: Settings::default(),
            ..SolveConfig::default()
        };
        let outcome = results::solve(s, opts, &config).unwrap();
        assert_eq!(outcome.status, Status::Optimal);
        let want = outcome.objective().unwrap();
        let p = &outcome.program;
        let names = Names::new(p, s);
        for (ext, writer) in [
            ("mps", write_mps::<std::fs::File> as fn(_, _, _, _) -> _),
            ("lp", write_lp::<std::fs::File>),
        ] {
            let path = dir.join(format!("{stem}.{ext}"));
            writer(p, &names, stem, std::fs::File::create(&path).unwrap()).unwrap();
            let raw = solve_file(&path, &Settings::default()).unwrap();
            assert_eq!(raw.status, Status::Optimal, "{ext}");
            let tol = 1e-7 * want.abs().max(1.0);
            assert!(
                (raw.objective - want).abs() <= tol,
                "{stem}.{ext}: file {} vs solve {want}",
                raw.objective
            );
        }
    }

    #[test]
    fn exported_files_solve_to_the_same_objective() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "example.toml",
            "security-policy.toml",
            "comparative-advantage.toml",
            // A two-stage stochastic program (MODEL.md 10): second-stage names carry the
            // outcome id.
            "resilience.toml",
        ] {
            let s = instance(name);
            check(
                &s,
                &BuildOptions::from_file(&s),
                dir.path(),
                name.trim_end_matches(".toml"),
            );
        }
        let s = generated(10, 3, 1);
        check(
            &s,
            &BuildOptions {
                relax: true,
                ..BuildOptions::from_file(&s)
            },
            dir.path(),
            "gen10",
        );
        let s = generated(5, 2, 2);
        check(&s, &BuildOptions::from_file(&s), dir.path(), "gen5-mip");
        // With CVaR in the objective (η is a free column).
        let mut s = instance("resilience.toml");
        s.uncertainty.as_mut().unwrap().risk_weight = 0.5;
        check(
            &s,
            &BuildOptions::from_file(&s),
            dir.path(),
            "resilience-cvar",
        );
    }

    /// The benchmark sizes (benches/README.md): each generated world solves with HiGHS, and its
    /// exported MPS, read back by HiGHS, has the same optimum. Slow (about a minute at 190
    /// countries): `cargo test --release --features highs --test export -- --ignored`.
    #[test]
    #[ignore]
    fn benchmark_sizes_solve_and_export() {
        let dir = tempfile::tempdir().unwrap();
        for n in [20, 60, 190] {
            let s = generated(n, 3, 1);
            check(
                &s,
                &BuildOptions {
                    relax: true,
                    ..BuildOptions::from_file(&s)
                },
                dir.path(),
                &format!("world{n}"),
            );
        }
    }

    /// The CLI path: `export --mps` then HiGHS on the file, against `solve --solver highs`.
    #[test]
    fn cli_export_matches_cli_solve() {
        let dir = tempfile::tempdir().unwrap();
        let file = format!("{}/instances/example.toml", env!("CARGO_MANIFEST_DIR"));
        let mps = dir.path().join("example.mps");
        assert!(aistack(&["export", &file, "--mps", mps.to_str().unwrap()])
            .status
            .success());
        let out = aistack(&["solve", &file, "--solver", "highs", "--format", "json"]);
        assert!(out.status.success());
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let want = json["objective"].as_f64().unwrap();
        let raw = solve_file(&mps, &Settings::default()).unwrap();
        assert!(
            (raw.objective - want).abs() <= 1e-7 * want.abs().max(1.0),
            "{} vs {want}",
            raw.objective
        );
    }
}
