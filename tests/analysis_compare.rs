//! `compare` and `coalitions` on the shipped instances: through the library, checked against
//! independent solves, and through the real binary.
//!
//! - compare: the gains reported equal the difference of two independent `results::solve`
//!   calls, and each country's gain equals the sum of its welfare parts;
//! - coalitions: v(S) equals independent solves of the scenario with only S in the agreement
//!   (clauses naming an outsider dropped); exact Shapley values are efficient; Monte Carlo
//!   estimates lie within 3 standard errors of the exact values;
//! - instances: `agreement-loser.toml` (a member loses without side payments) and
//!   `empty-core.toml` (empty core), with the numbers derived in their header comments.

use std::path::Path;
use std::process::Command;

use aistack::analysis::coalitions::{self, CoalitionReport, CoalitionSettings, Method};
use aistack::analysis::compare::{self, AnalysisError, Comparison};
use aistack::formulation::BuildOptions;
use aistack::results::{self, Report, SolveConfig, WelfareEntry};
use aistack::scenario::{Format, Scenario};

const TOL: f64 = 1e-6;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= TOL * b.abs().max(1.0)
}

fn instance(name: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("instances")
        .join(name);
    Scenario::from_path(&path).unwrap_or_else(|e| panic!("{e}"))
}

fn instance_text(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("instances")
            .join(name),
    )
    .unwrap()
}

fn parse(text: &str) -> Scenario {
    Scenario::from_str(text, Format::Toml, "test.toml").unwrap_or_else(|e| panic!("{e}"))
}

fn agreement(s: &Scenario, id: &str) -> usize {
    s.agreement_index(id).unwrap()
}

fn run_compare(s: &Scenario, id: &str, also: &[&str]) -> (Comparison, BuildOptions) {
    let a = agreement(s, id);
    let also: Vec<usize> = also.iter().map(|x| agreement(s, x)).collect();
    let base = compare::baseline_options(s, a, &also, false).unwrap();
    (
        compare::compare(s, a, &base, &SolveConfig::default()).unwrap(),
        base,
    )
}

fn run_coalitions(s: &Scenario, id: &str, settings: &CoalitionSettings) -> CoalitionReport {
    let a = agreement(s, id);
    let base = compare::baseline_options(s, a, &[], false).unwrap();
    coalitions::coalitions(s, a, &base, &SolveConfig::default(), settings, &|_, _| {}).unwrap()
}

/// W and welfare by country from an independent solve.
fn welfare(s: &Scenario, opts: &BuildOptions) -> (f64, Vec<WelfareEntry>) {
    let o = results::solve(s, opts, &SolveConfig::default()).unwrap();
    assert!(o.is_optimal(), "{}", o.status);
    (o.objective().unwrap(), Report::new(s, &o).welfare)
}

/// The gains compare reports are differences of two independent solves, part by part, and a
/// gain is the sum of its parts.
fn check_against_independent_solves(s: &Scenario, c: &Comparison, base: &BuildOptions, id: &str) {
    let mut with = base.clone();
    with.active[agreement(s, id)] = true;
    let (w0, before) = welfare(s, base);
    let (w1, after) = welfare(s, &with);
    assert!(
        close(c.w_without, w0) && close(c.w_with, w1),
        "W {} / {} vs {w0} / {w1}",
        c.w_without,
        c.w_with
    );
    assert!(close(c.w_gain, w1 - w0));
    for ((x, b), a) in c.countries.iter().zip(&before).zip(&after) {
        assert_eq!(x.country, b.country);
        assert!(
            close(x.gain, a.total - b.total),
            "{}: gain {} vs {}",
            x.country,
            x.gain,
            a.total - b.total
        );
        assert!(
            close(x.gain_consumers, a.consumers - b.consumers),
            "{}",
            x.country
        );
        assert!(
            close(x.gain_producers, a.producers - b.producers),
            "{}",
            x.country
        );
        assert!(close(x.gain_rents, a.rents - b.rents), "{}", x.country);
        assert!(
            close(x.gain, x.gain_consumers + x.gain_producers + x.gain_rents),
            "{}: parts",
            x.country
        );
    }
    let members: f64 = c
        .countries
        .iter()
        .filter(|x| x.member)
        .map(|x| x.gain)
        .sum();
    let others: f64 = c
        .countries
        .iter()
        .filter(|x| !x.member)
        .map(|x| x.gain)
        .sum();
    assert!(close(c.members_gain, members) && close(c.non_members_gain, others));
    // Welfare by country adds up to W both ways, so the gains add up to W's gain.
    assert!(close(c.members_gain + c.non_members_gain, c.w_gain));
}

/// Header of agreement-loser.toml: LAB -20, BIG +75, MID +55, CLOUD +4; clause 1 binds (114),
/// clause 2 does not.
#[test]
fn compare_finds_the_member_that_loses() {
    let s = instance("agreement-loser.toml");
    let (c, base) = run_compare(&s, "model-pact", &[]);
    check_against_independent_solves(&s, &c, &base, "model-pact");
    assert!(close(c.w_without, 0.0) && close(c.w_with, 114.0));
    let gain = |id: &str| c.countries.iter().find(|x| x.country == id).unwrap().gain;
    for (id, g) in [("LAB", -20.0), ("BIG", 75.0), ("MID", 55.0), ("CLOUD", 4.0)] {
        assert!(close(gain(id), g), "{id}: {}", gain(id));
    }
    let lab = c.countries.iter().find(|x| x.country == "LAB").unwrap();
    assert!(
        close(lab.gain_producers, -30.0) && close(lab.gain_consumers, 10.0),
        "LAB carries its entry cost"
    );
    assert!(!c.individually_rational);
    assert_eq!(c.losers.len(), 1);
    assert_eq!(c.losers[0].country, "LAB");
    assert!(close(c.losers[0].loss, 20.0));
    assert!(close(c.non_members_gain, 4.0));
    assert!(c.clauses[0].binds && close(c.clauses[0].value, 114.0));
    assert!(!c.clauses[1].binds && close(c.clauses[1].value, 0.0));
}

/// On the example, with another agreement active in both configurations; a clause that acts
/// through permissions only (trusted supply) is re-solved away independently: its value is
/// W(with) minus W of the file with that clause deleted.
#[test]
fn compare_with_a_baseline_agreement_on_the_example() {
    let s = instance("example.toml");
    let (c, base) = run_compare(&s, "chip-alliance", &["services-pact"]);
    assert_eq!(c.baseline_agreements, vec!["services-pact".to_string()]);
    assert!(
        base.active[agreement(&s, "services-pact")] && !base.active[agreement(&s, "chip-alliance")]
    );
    check_against_independent_solves(&s, &c, &base, "chip-alliance");
    let a = agreement(&s, "chip-alliance");
    let mut without_clause = s.clone();
    without_clause.agreements[a].clauses.remove(0);
    let mut with = base.clone();
    with.active[a] = true;
    let (w, _) = welfare(&without_clause, &with);
    assert!(
        close(c.clauses[0].value, c.w_with - w),
        "{} vs {}",
        c.clauses[0].value,
        c.w_with - w
    );
    assert_eq!(c.clauses[0].kind, "trusted_supply");
    assert_eq!(c.clauses.len(), s.agreements[a].clauses.len());
    // The no-duplication clause adds rows, one dual per period.
    assert_eq!(c.clauses[2].duals.len(), s.n_periods());
    assert!(c.clauses[2].integer);
}

/// Header of agreement-loser.toml: v(LAB,BIG) = 55, v(LAB,MID) = 35, v(BIG,MID) = 0,
/// v(N) = 110; Shapley (310, 205, 145) / 6; ε = -27.5; the realised split is blocked by LAB.
#[test]
fn coalitions_of_the_loser_pact() {
    let s = instance("agreement-loser.toml");
    let g = run_coalitions(&s, "model-pact", &CoalitionSettings::default());
    assert_eq!(g.method, Method::Exact);
    assert_eq!(g.members, vec!["LAB", "BIG", "MID"]);
    let v = |names: &[&str]| {
        g.values
            .iter()
            .find(|x| x.coalition == names)
            .map(|x| x.value)
            .unwrap()
    };
    assert!(
        close(v(&["LAB", "BIG"]), 55.0)
            && close(v(&["LAB", "MID"]), 35.0)
            && close(v(&["BIG", "MID"]), 0.0)
    );
    assert!(close(v(&["LAB"]), 0.0) && close(g.grand_value, 110.0));
    let want = [310.0 / 6.0, 205.0 / 6.0, 145.0 / 6.0];
    for (p, w) in g.players.iter().zip(want) {
        assert!(close(p.shapley, w), "{}: {} vs {w}", p.country, p.shapley);
        assert!(p.std_error.is_none());
    }
    // Efficiency, exactly (to round-off) when enumerated.
    let total: f64 = g.players.iter().map(|p| p.shapley).sum();
    assert!((total - g.grand_value).abs() <= 1e-9 * g.grand_value.abs().max(1.0));
    // The realised split is compare's member gains; side payments move it to Shapley.
    let (c, _) = run_compare(&s, "model-pact", &[]);
    for p in &g.players {
        let x = c.countries.iter().find(|x| x.country == p.country).unwrap();
        assert!(close(p.realised, x.gain));
        assert!(close(p.side_payment, p.shapley - p.realised));
    }
    let paid: f64 = g.players.iter().map(|p| p.side_payment).sum();
    assert!(
        paid.abs() <= 1e-9 * g.grand_value.abs().max(1.0),
        "side payments sum to {paid}"
    );
    assert!(close(g.players[0].side_payment, 310.0 / 6.0 + 20.0));
    assert!(
        g.least_core.exact && close(g.least_core.epsilon, -27.5),
        "ε = {}",
        g.least_core.epsilon
    );
    assert_eq!(g.least_core.core_empty, Some(false));
    let realised = g
        .blocking
        .iter()
        .find(|b| b.split == "realised")
        .expect("LAB blocks the realised split");
    assert_eq!(realised.coalition, vec!["LAB"]);
    assert!(close(realised.excess, 20.0));
    assert!(
        g.blocking.iter().all(|b| b.split == "realised"),
        "Shapley and least-core splits are in the core"
    );
}

/// Header of empty-core.toml: pairs 25 / 27 / 25, v(N) = 35.5, ε* = 2, core empty, every split
/// blocked.
#[test]
fn coalitions_with_an_empty_core() {
    let s = instance("empty-core.toml");
    let g = run_coalitions(&s, "lab-sharing", &CoalitionSettings::default());
    let v = |names: &[&str]| {
        g.values
            .iter()
            .find(|x| x.coalition == names)
            .map(|x| x.value)
            .unwrap()
    };
    assert!(
        close(v(&["NORTH", "SOUTH"]), 25.0)
            && close(v(&["NORTH", "EAST"]), 27.0)
            && close(v(&["SOUTH", "EAST"]), 25.0)
    );
    assert!(close(g.grand_value, 35.5));
    assert!(
        close(g.least_core.epsilon, 2.0),
        "ε = {}",
        g.least_core.epsilon
    );
    assert_eq!(g.least_core.core_empty, Some(true));
    for split in ["realised", "shapley", "least_core"] {
        assert!(
            g.blocking.iter().any(|b| b.split == split),
            "{split} split is not blocked"
        );
    }
    let shapley = g.blocking.iter().find(|b| b.split == "shapley").unwrap();
    assert_eq!(shapley.coalition, vec!["NORTH", "EAST"]);
    assert!(close(shapley.excess, 27.0 - 146.0 / 6.0));
    let lc = g.blocking.iter().find(|b| b.split == "least_core").unwrap();
    assert!(close(lc.excess, 2.0));
    let total: f64 = g.players.iter().map(|p| p.shapley).sum();
    assert!((total - 35.5).abs() <= 1e-9 * 35.5);
    // Under the full agreement SOUTH and EAST lose.
    let realised: Vec<f64> = g.players.iter().map(|p| p.realised).collect();
    assert!(
        close(realised[0], 49.5) && close(realised[1], -8.0) && close(realised[2], -6.0),
        "{realised:?}"
    );
}

/// "Only S forms the agreement": v(S) equals an independent solve of the file rewritten with
/// S as the members and the clauses naming an outsider deleted. A commit by EAST is dropped for
/// {NORTH, SOUTH} (v stays 25) and kept for {NORTH, EAST}, where EAST must run its own lab:
/// it then serves NORTH (20 units at 2.4 + 0.7 shipping) and the pair saves one entry cost,
/// 30 - 7 - 4 = 19.
#[test]
fn coalition_values_match_independent_solves() {
    let commit = "\n[[agreement.clause]]\nkind = \"commit\"\ncountry = \"EAST\"\nlayer = \"models\"\nbuild = true\n";
    let text = format!("{}{commit}", instance_text("empty-core.toml"));
    let s = parse(&text);
    let g = run_coalitions(&s, "lab-sharing", &CoalitionSettings::default());
    let baseline = {
        let base = compare::baseline_options(&s, 0, &[], false).unwrap();
        welfare(&s, &base).1
    };
    let members_line = "members = [\"NORTH\", \"SOUTH\", \"EAST\"]";
    for (pair, keep_commit, want) in [
        (["NORTH", "SOUTH"], false, 25.0),
        (["NORTH", "EAST"], true, 19.0),
    ] {
        let mut t = instance_text("empty-core.toml")
            .replace(
                members_line,
                &format!("members = [\"{}\", \"{}\"]", pair[0], pair[1]),
            )
            .replace("active = false", "active = true");
        if keep_commit {
            t.push_str(commit);
        }
        let sub = parse(&t);
        let (_, after) = welfare(&sub, &BuildOptions::from_file(&sub));
        let independent: f64 = after
            .iter()
            .zip(&baseline)
            .filter(|(a, _)| pair.contains(&a.country.as_str()))
            .map(|(a, b)| a.total - b.total)
            .sum();
        let reported = g.values.iter().find(|x| x.coalition == pair).unwrap().value;
        assert!(
            close(reported, independent),
            "{pair:?}: {reported} vs independent {independent}"
        );
        assert!(close(reported, want), "{pair:?}: {reported} vs {want}");
    }
    let a = agreement(&s, "lab-sharing");
    let north_south = [
        s.country_index("NORTH").unwrap(),
        s.country_index("SOUTH").unwrap(),
    ];
    assert_eq!(
        coalitions::clauses_for(&s, a, &north_south).len(),
        1,
        "EAST's commit is dropped"
    );
}

/// Monte Carlo on instances small enough to enumerate: every estimate within 3 standard
/// errors of the exact value, estimates efficient, the same seed repeats.
#[test]
fn monte_carlo_agrees_with_enumeration() {
    for (file, id) in [
        ("empty-core.toml", "lab-sharing"),
        ("agreement-loser.toml", "model-pact"),
    ] {
        let s = instance(file);
        let exact = run_coalitions(&s, id, &CoalitionSettings::default());
        let settings = CoalitionSettings {
            samples: Some(2000),
            seed: 11,
            ..Default::default()
        };
        let mc = run_coalitions(&s, id, &settings);
        assert_eq!(mc.method, Method::MonteCarlo);
        assert_eq!((mc.samples, mc.seed), (Some(2000), Some(11)));
        for (e, m) in exact.players.iter().zip(&mc.players) {
            let se = m.std_error.unwrap();
            assert!(se > 0.0, "{file} {}: zero standard error", m.country);
            assert!(
                (m.shapley - e.shapley).abs() <= 3.0 * se,
                "{file} {}: {} ± {se} vs {}",
                m.country,
                m.shapley,
                e.shapley
            );
        }
        let total: f64 = mc.players.iter().map(|p| p.shapley).sum();
        assert!((total - mc.grand_value).abs() <= 1e-9 * mc.grand_value.abs().max(1.0));
        let again = run_coalitions(&s, id, &settings);
        let a: Vec<f64> = mc.players.iter().map(|p| p.shapley).collect();
        let b: Vec<f64> = again.players.iter().map(|p| p.shapley).collect();
        assert_eq!(a, b, "{file}: same seed, same estimates");
    }
}

#[test]
fn bad_requests_and_infeasible_configurations() {
    let s = instance("agreement-loser.toml");
    let a = agreement(&s, "model-pact");
    assert!(matches!(
        compare::baseline_options(&s, a, &[a], false),
        Err(AnalysisError::BadInput(_))
    ));
    let base = compare::baseline_options(&s, a, &[], false).unwrap();
    let too_few = CoalitionSettings {
        samples: Some(1),
        ..Default::default()
    };
    let e = coalitions::coalitions(&s, a, &base, &SolveConfig::default(), &too_few, &|_, _| {})
        .unwrap_err();
    assert!(e.is_bad_input(), "{e}");
    // A cap of zero producers against a commitment to build: infeasible only with the pact.
    let text = instance_text("agreement-loser.toml")
        + "\n[[agreement.clause]]\nkind = \"no_duplication\"\nlayer = \"models\"\nmax_producers = 0\n"
        + "\n[[agreement.clause]]\nkind = \"commit\"\ncountry = \"LAB\"\nlayer = \"models\"\nbuild = true\n";
    let s = parse(&text);
    let base = compare::baseline_options(&s, a, &[], false).unwrap();
    let e = compare::compare(&s, a, &base, &SolveConfig::default()).unwrap_err();
    let message = e.to_string();
    assert!(
        message.starts_with("with agreement model-pact active, the scenario is infeasible"),
        "{message}"
    );
    assert!(matches!(e, AnalysisError::NoSolution { .. }));
}

fn cli(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_aistack"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run aistack");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn cli_compare_and_coalitions() {
    let (code, out, err) = cli(&[
        "compare",
        "instances/agreement-loser.toml",
        "--agreement",
        "model-pact",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(j["status"], "optimal");
    assert_eq!(j["individually_rational"], false);
    assert_eq!(j["losers"][0]["country"], "LAB");
    assert!(close(j["w_gain"].as_f64().unwrap(), 114.0));

    let (code, out, err) = cli(&[
        "compare",
        "instances/agreement-loser.toml",
        "--agreement",
        "model-pact",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(
            "Individually rational: no, for no optimal price: LAB loses 20.0000 (at every optimal price)"
        ),
        "{out}"
    );

    let (code, out, err) = cli(&[
        "coalitions",
        "instances/empty-core.toml",
        "--agreement",
        "lab-sharing",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(j["method"], "exact");
    assert_eq!(j["least_core"]["core_empty"], true);
    assert!(close(j["least_core"]["epsilon"].as_f64().unwrap(), 2.0));

    let (code, out, _) = cli(&[
        "coalitions",
        "instances/empty-core.toml",
        "--agreement",
        "lab-sharing",
        "--samples",
        "200",
        "--seed",
        "5",
    ]);
    assert_eq!(code, 0);
    assert!(
        out.contains("Monte Carlo: 200 random orders (seed 5)") && out.contains("std error"),
        "{out}"
    );

    let (code, _, err) = cli(&[
        "compare",
        "instances/agreement-loser.toml",
        "--agreement",
        "model-pac",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean \"model-pact\""), "{err}");
    let (code, _, _) = cli(&[
        "coalitions",
        "instances/empty-core.toml",
        "--agreement",
        "lab-sharing",
        "--samples",
        "1",
    ]);
    assert_eq!(code, 2);
}

#[test]
fn cli_infeasible_configuration_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("conflict.toml");
    let text = instance_text("agreement-loser.toml")
        + "\n[[agreement.clause]]\nkind = \"no_duplication\"\nlayer = \"models\"\nmax_producers = 0\n"
        + "\n[[agreement.clause]]\nkind = \"commit\"\ncountry = \"LAB\"\nlayer = \"models\"\nbuild = true\n";
    std::fs::write(&path, text).unwrap();
    let p = path.to_str().unwrap();
    let (code, out, err) = cli(&[
        "compare",
        p,
        "--agreement",
        "model-pact",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{err}");
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(j["status"], "infeasible");
    let (code, _, err) = cli(&["coalitions", p, "--agreement", "model-pact"]);
    assert_eq!(code, 1);
    assert!(err.contains("infeasible"), "{err}");
}

/// A batch of re-solves in which several configurations fail reports the first failure in job
/// order, whichever thread finishes first (CI once got the error of a later job: the solves
/// run in parallel and the error used to be the first to happen).
#[test]
fn the_error_of_a_failing_batch_is_the_same_every_run() {
    let text = instance_text("agreement-loser.toml")
        + "\n[[agreement.clause]]\nkind = \"no_duplication\"\nlayer = \"models\"\nmax_producers = 0\n"
        + "\n[[agreement.clause]]\nkind = \"commit\"\ncountry = \"LAB\"\nlayer = \"models\"\nbuild = true\n";
    let s = parse(&text);
    let a = agreement(&s, "model-pact");
    let base = compare::baseline_options(&s, a, &[], false).unwrap();
    for _ in 0..20 {
        let e = compare::compare(&s, a, &base, &SolveConfig::default()).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("with agreement model-pact active, the scenario is infeasible"),
            "{e}"
        );
    }
}
