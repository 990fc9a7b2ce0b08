//! Two-stage stochastic programs with CVaR (MODEL.md section 10, readings 13.7-13.12): hand-solved
//! cases, invariances, identities, finite differences, properties and validation.

mod common;

use std::process::Command;

use aistack::formulation::BuildOptions;
use aistack::results::stochastic::{self, StochasticReport};
use aistack::results::{self, Outcome, Report, SolveConfig};
use aistack::scenario::{Format, Scenario};
use approx::assert_relative_eq;
use common::{assert_identities, capacity_built, price, scenario};
use proptest::prelude::*;
use proptest::test_runner::Config;

/// Solve with the file's options and attach EVPI and the value of preparing, as `solve` does.
fn solve(s: &Scenario) -> (Outcome, Report) {
    let opts = BuildOptions::from_file(s);
    let config = SolveConfig::default();
    let o = results::solve(s, &opts, &config).expect("solver failure");
    assert!(o.is_optimal(), "{}", o.status);
    let mut r = Report::new(s, &o);
    if s.uncertainty.is_some() {
        stochastic::attach(&mut r, stochastic::values(s, &opts, &config).unwrap());
    }
    (o, r)
}

fn st(r: &Report) -> &StochasticReport {
    r.stochastic.as_ref().expect("stochastic report")
}

fn outcome_price(r: &Report, outcome: &str, country: &str, layer: &str) -> Option<f64> {
    st(r)
        .prices_by_outcome
        .iter()
        .find(|p| p.outcome == outcome && p.country == country && p.layer == layer)
        .expect("price")
        .price
}

fn outcome_w(r: &Report, outcome: &str) -> f64 {
    st(r)
        .outcomes
        .iter()
        .find(|o| o.id == outcome)
        .expect("outcome")
        .welfare
}

/// A newsvendor: country A builds chip capacity z at 3 a unit before it knows its demand, then
/// produces at 1 a unit and sells up to its demand at 10. Demand is 10 (nominal, P = 0.6) or 20
/// (surge, P = 0.4).
///
/// Risk neutral: a unit of capacity between 10 and 20 sells only in the surge: it is worth
/// 0.4 x (10 - 1) = 3.6 > 3, so z = 20. E[W] = -3 x 20 + 0.6 x 9 x 10 + 0.4 x 9 x 20 = 66.
/// W_nominal = 90 - 60 = 30, W_surge = 180 - 60 = 120.
/// Foresight: nominal alone builds 10 (W* = 60), surge alone 20 (W* = 120): Σ P W* = 84,
/// EVPI = 84 - 66 = 18. Nominal-only plan z = 10: E[W] = -30 + 90 = 60, VSS = 66 - 60 = 6.
/// Prices: nominal λ = 1 (spare capacity); surge: one unit delivered free saves 3 of building
/// and 0.4 x 1 of output, per unit of probability (3 + 0.4) / 0.4 = 8.5. Expected price
/// 0.6 x 1 + 0.4 x 8.5 = 4.
/// CVaR with α = 0.4 and ω = 1 (the worst outcome's welfare): for z in [10, 20]
/// W_nominal = 90 - 3z <= W_surge = 6z, and for z <= 10 both are 6z: the max-min plan is
/// z = 10 with CVaR = min W_s = 60 (and E[W] = 60). The risk-weighted objective
/// (1 - ω) (54 + 0.6 z) + ω (90 - 3 z) on [10, 20] turns at ω = 1/6.
fn newsvendor(extra: &str) -> String {
    format!(
        r#"
[meta]
name = "newsvendor"
[[layer]]
id = "chip"
[[country]]
id = "A"
[[capability]]
country = "A"
layer = "chip"
unit_cost = 1
max_expansion = 100
expansion_cost = 3
[[demand]]
country = "A"
layer = "chip"
blocks = [{{ quantity = 10, value = 10 }}]
{extra}
"#
    )
}

const SURGE: &str = r#"
[[uncertainty.outcome]]
id = "surge"
probability = 0.4
effects = [{ kind = "demand", country = "A", layer = "chip", factor = 2 }]
"#;

fn news(omega: f64, tail: f64) -> Scenario {
    scenario(&newsvendor(&format!(
        "[uncertainty]\nrisk_weight = {omega}\ntail = {tail}\n{SURGE}"
    )))
}

#[test]
fn newsvendor_capacity_expected_welfare_evpi_and_vss() {
    let s = news(0.0, 0.1);
    let (_, r) = solve(&s);
    assert_relative_eq!(r.objective.unwrap(), 66.0, epsilon = 1e-6);
    assert_relative_eq!(capacity_built(&r, "A", "chip", 1), 20.0, epsilon = 1e-6);
    let x = st(&r);
    assert_relative_eq!(x.expected_welfare, 66.0, epsilon = 1e-6);
    assert_relative_eq!(outcome_w(&r, "nominal"), 30.0, epsilon = 1e-6);
    assert_relative_eq!(outcome_w(&r, "surge"), 120.0, epsilon = 1e-6);
    assert_relative_eq!(x.evpi.unwrap(), 18.0, epsilon = 1e-6);
    assert_relative_eq!(x.value_of_preparing.unwrap(), 6.0, epsilon = 1e-6);
    // CVaR_0.1: the worst 10 % of probability is all in the nominal outcome (W = 30).
    assert_relative_eq!(x.cvar, 30.0, epsilon = 1e-6);
    assert_relative_eq!(
        outcome_price(&r, "nominal", "A", "chip").unwrap(),
        1.0,
        epsilon = 1e-6
    );
    assert_relative_eq!(
        outcome_price(&r, "surge", "A", "chip").unwrap(),
        8.5,
        epsilon = 1e-6
    );
    assert_relative_eq!(price(&r, "A", "chip", 1), 4.0, epsilon = 1e-6);
    assert_identities(&r);
}

#[test]
fn cvar_with_full_weight_and_tail_at_the_least_probability_is_the_max_min_plan() {
    let s = news(1.0, 0.4);
    let (_, r) = solve(&s);
    assert_relative_eq!(capacity_built(&r, "A", "chip", 1), 10.0, epsilon = 1e-6);
    let x = st(&r);
    let worst = x
        .outcomes
        .iter()
        .map(|o| o.welfare)
        .fold(f64::INFINITY, f64::min);
    assert_relative_eq!(worst, 60.0, epsilon = 1e-6);
    assert_relative_eq!(x.cvar, 60.0, epsilon = 1e-6);
    assert_relative_eq!(r.objective.unwrap(), 60.0, epsilon = 1e-6);
    assert_relative_eq!(x.expected_welfare, 60.0, epsilon = 1e-6);
    // Risk-adjusted probabilities sum to 1.
    let q: f64 = x.outcomes.iter().map(|o| o.risk_adjusted_probability).sum();
    assert_relative_eq!(q, 1.0, epsilon = 1e-6);
}

#[test]
fn zero_risk_weight_is_the_expected_value_plan_and_the_frontier_turns_at_one_sixth() {
    for (omega, z) in [(0.0, 20.0), (0.1, 20.0), (0.25, 10.0), (0.5, 10.0)] {
        let (_, r) = solve(&news(omega, 0.4));
        assert_relative_eq!(capacity_built(&r, "A", "chip", 1), z, epsilon = 1e-6);
        let x = st(&r);
        let want = (1.0 - omega) * x.expected_welfare + omega * x.cvar;
        assert_relative_eq!(r.objective.unwrap(), want, epsilon = 1e-6);
    }
}

#[test]
fn resilience_instance_builds_the_backup_the_nominal_plan_does_not() {
    let s = Scenario::from_path(format!(
        "{}/instances/resilience.toml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let (_, r) = solve(&s);
    let x = st(&r);
    assert_relative_eq!(x.expected_welfare, 71.5, epsilon = 1e-6);
    assert_relative_eq!(capacity_built(&r, "USA", "chip", 1), 6.0, epsilon = 1e-6);
    assert_relative_eq!(capacity_built(&r, "IND", "chip", 1), 4.0, epsilon = 1e-6);
    assert_relative_eq!(outcome_w(&r, "nominal"), 77.0, epsilon = 1e-6);
    assert_relative_eq!(outcome_w(&r, "blockade"), 55.0, epsilon = 1e-6);
    assert_relative_eq!(x.value_of_preparing.unwrap(), 4.0, epsilon = 1e-6);
    assert_relative_eq!(x.evpi.unwrap(), 9.75, epsilon = 1e-6);
    assert_relative_eq!(x.cvar, 55.0, epsilon = 1e-6);
    assert_relative_eq!(
        outcome_price(&r, "nominal", "IND", "chip").unwrap(),
        1.0,
        epsilon = 1e-6
    );
    assert_relative_eq!(
        outcome_price(&r, "blockade", "IND", "chip").unwrap(),
        9.0,
        epsilon = 1e-6
    );
    assert_relative_eq!(price(&r, "IND", "chip", 1), 3.0, epsilon = 1e-6);
    assert_relative_eq!(common::welfare_total(&r, "IND"), 70.0, epsilon = 1e-6);
    assert_relative_eq!(common::welfare_total(&r, "USA"), 1.5, epsilon = 1e-6);
    assert_identities(&r);
    // The nominal-only plan builds nothing.
    let mut nominal = s.clone();
    nominal.uncertainty = None;
    let (_, rn) = common::solve_with(&nominal, &BuildOptions::from_file(&nominal));
    assert!(rn.capacity_built.is_empty(), "{:?}", rn.capacity_built);
    assert_relative_eq!(rn.objective.unwrap(), 90.0, epsilon = 1e-6);
}

/// Each per-outcome price equals the finite difference of E[W] for one unit delivered free in
/// that outcome only, divided by q_s (both sides agree here).
#[test]
fn outcome_prices_equal_finite_differences_of_expected_welfare() {
    let s = Scenario::from_path(format!(
        "{}/instances/resilience.toml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let (_, r) = solve(&s);
    let base = r.objective.unwrap();
    let ind = s.country_index("IND").unwrap();
    for (o, id) in [(0, "nominal"), (1, "blockade")] {
        let q = st(&r).outcomes[o].risk_adjusted_probability;
        let w = |h: f64| {
            let mut opts = BuildOptions::from_file(&s);
            opts.extra_delivery_in.push((o, ind, 0, 1, h));
            common::objective(&s, &opts)
        };
        let (left, right) = ((base - w(-1.0)) / q, (w(1.0) - base) / q);
        assert_relative_eq!(left, right, epsilon = 1e-6);
        let p = outcome_price(&r, id, "IND", "chip").unwrap();
        assert_relative_eq!(p, right, epsilon = 1e-6);
    }
}

/// Numbers that must agree between two reports (prices to 2e-5: canonical prices come from an
/// interior-point QP whose round-off is around 1e-6, decisions.md 50).
fn assert_same_numbers(a: &Report, b: &Report) {
    let tol = 1e-6;
    let price_tol = 2e-5;
    assert_relative_eq!(a.objective.unwrap(), b.objective.unwrap(), epsilon = tol);
    assert_eq!(a.prices.len(), b.prices.len());
    for (x, y) in a.prices.iter().zip(&b.prices) {
        assert_eq!(
            (&x.country, &x.layer, x.period),
            (&y.country, &y.layer, y.period)
        );
        assert_relative_eq!(x.price, y.price, epsilon = price_tol);
        assert_relative_eq!(x.export_price, y.export_price, epsilon = price_tol);
    }
    for (x, y) in a.welfare.iter().zip(&b.welfare) {
        assert_relative_eq!(x.total, y.total, epsilon = 1e-4);
        assert_relative_eq!(x.consumers, y.consumers, epsilon = 1e-4);
        assert_relative_eq!(x.producers, y.producers, epsilon = 1e-4);
    }
    let total = |r: &Report| -> f64 { r.production.iter().map(|p| p.quantity).sum() };
    let built = |r: &Report| -> f64 { r.capacity_built.iter().map(|p| p.quantity).sum() };
    assert_relative_eq!(built(a), built(b), epsilon = tol);
    let _ = total;
}

const EXAMPLE: &str = include_str!("../instances/example.toml");

#[test]
fn one_outcome_of_probability_one_without_effects_is_the_deterministic_solve() {
    let det = scenario(EXAMPLE);
    let (_, rd) = common::solve_with(&det, &BuildOptions::from_file(&det));
    let text = format!(
        "{EXAMPLE}\n[uncertainty]\n[[uncertainty.outcome]]\nid = \"same\"\nprobability = 1\n"
    );
    let sto = scenario(&text);
    let (_, rs) = solve(&sto);
    assert_same_numbers(&rd, &rs);
    let total = |r: &Report| -> f64 { r.production.iter().map(|p| p.quantity).sum() };
    assert_relative_eq!(total(&rd), total(&rs), epsilon = 1e-6);
    assert_relative_eq!(
        st(&rs).expected_welfare,
        rd.objective.unwrap(),
        epsilon = 1e-6
    );
    assert_relative_eq!(st(&rs).evpi.unwrap(), 0.0, epsilon = 1e-6);
    assert_relative_eq!(st(&rs).value_of_preparing.unwrap(), 0.0, epsilon = 1e-6);
}

#[test]
fn an_outcome_identical_to_the_nominal_changes_nothing() {
    let det = scenario(EXAMPLE);
    let (_, rd) = common::solve_with(&det, &BuildOptions::from_file(&det));
    let text = format!(
        "{EXAMPLE}\n[uncertainty]\nreveal_period = 2\n[[uncertainty.outcome]]\nid = \"twin\"\nprobability = 0.3\n"
    );
    let (_, rs) = solve(&scenario(&text));
    assert_same_numbers(&rd, &rs);
}

#[test]
fn splitting_an_outcome_into_identical_halves_changes_nothing() {
    let whole = news(0.0, 0.1);
    let half = SURGE.replace("0.4", "0.2");
    let split = scenario(&newsvendor(&format!(
        "[uncertainty]\n{half}\n{}",
        half.replace("\"surge\"", "\"surge2\"")
    )));
    let (_, a) = solve(&whole);
    let (_, b) = solve(&split);
    assert_same_numbers(&a, &b);
    assert_relative_eq!(
        outcome_price(&a, "surge", "A", "chip").unwrap(),
        outcome_price(&b, "surge2", "A", "chip").unwrap(),
        epsilon = 1e-6
    );
    assert_relative_eq!(st(&a).evpi.unwrap(), st(&b).evpi.unwrap(), epsilon = 1e-6);
    assert_relative_eq!(
        st(&a).value_of_preparing.unwrap(),
        st(&b).value_of_preparing.unwrap(),
        epsilon = 1e-6
    );
}

/// A nominal plan that leaves an outcome infeasible: essential demand that only a backup can
/// serve in the blockade. The value of preparing is null and the outcome is named.
#[test]
fn value_of_preparing_is_null_when_the_nominal_plan_is_infeasible() {
    let text = std::fs::read_to_string(format!(
        "{}/instances/resilience.toml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
    .replace(
        "blocks = [{ quantity = 10, value = 10 }]",
        "blocks = [{ quantity = 10, value = 10 }]\nmust_serve = 5",
    );
    let s = scenario(&text);
    let (_, r) = solve(&s);
    assert!(st(&r).value_of_preparing.is_none());
    assert_eq!(
        st(&r).nominal_plan_infeasible_in,
        vec!["blockade".to_string()]
    );
    assert!(
        r.warnings.iter().any(|w| w.contains("blockade")),
        "{:?}",
        r.warnings
    );
    assert!(st(&r).evpi.unwrap() >= -1e-9);
}

/// Stages over several periods: τ = 2 with a capacity effect and a learning-free MIP (entry
/// cost): identities hold, and the first-period decisions are one copy.
#[test]
fn later_reveal_keeps_identities_and_one_first_period() {
    let text = format!(
        "{EXAMPLE}\n[uncertainty]\nreveal_period = 2\n[[uncertainty.outcome]]\nid = \"cut\"\nprobability = 0.3\neffects = [{{ kind = \"block\", from = \"KOR\" }}, {{ kind = \"cost\", country = \"USA\", layer = \"fab\", factor = 1.5 }}]\n"
    );
    let s = scenario(&text);
    let (o, r) = solve(&s);
    assert_identities(&r);
    assert!(o
        .program
        .columns
        .iter()
        .filter(|c| c.outcome.is_some())
        .all(|c| !matches!(c.var, aistack::formulation::Var::Produce { period: 1, .. })));
    assert!(st(&r).evpi.unwrap() >= -1e-6);
}

// ---------------------------------------------------------------------------------------------
// Properties (fixed seed, as tests/properties.rs).

fn config() -> Config {
    Config {
        cases: 16,
        failure_persistence: None,
        rng_seed: proptest::test_runner::RngSeed::Fixed(
            std::env::var("PROPTEST_RNG_SEED")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(2026),
        ),
        ..Config::default()
    }
}

/// Two suppliers of one layer to one consumer, one backup to build, one harmful outcome
/// (`cut`: capacity of the cheap supplier times `factor`) and a demand surge.
fn random(p_cut: f64, factor: f64, p_surge: f64, build: f64, omega: f64, tail: f64) -> Scenario {
    scenario(&format!(
        r#"
[[layer]]
id = "chip"
[[country]]
id = "A"
[[country]]
id = "B"
[[capability]]
country = "B"
layer = "chip"
unit_cost = 1
capacity = 12
[[capability]]
country = "A"
layer = "chip"
unit_cost = 3
max_expansion = 15
expansion_cost = {build}
[[demand]]
country = "A"
layer = "chip"
blocks = [{{ quantity = 8, value = 10 }}, {{ quantity = 4, value = 5 }}]
[uncertainty]
risk_weight = {omega}
tail = {tail}
[[uncertainty.outcome]]
id = "cut"
probability = {p_cut}
effects = [{{ kind = "capacity", country = "B", layer = "chip", factor = {factor} }}]
[[uncertainty.outcome]]
id = "surge"
probability = {p_surge}
effects = [{{ kind = "demand", country = "A", layer = "chip", factor = 1.5 }}]
"#
    ))
}

fn tol(a: f64, b: f64) -> f64 {
    1e-6 * a.abs().max(b.abs()).max(1.0)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn moving_mass_to_a_harmless_outcome_never_lowers_expected_welfare(
        p_cut in 0.1..0.5f64, shift in 0.0..1.0f64, factor in 0.0..0.9f64,
        build in 0.2..3.0f64, p_surge in 0.05..0.3f64,
    ) {
        let before = random(p_cut, factor, p_surge, build, 0.0, 0.1);
        let after = random(p_cut * (1.0 - shift) + 1e-3, factor, p_surge, build, 0.0, 0.1);
        let (_, a) = solve(&before);
        let (_, b) = solve(&after);
        let (wa, wb) = (st(&a).expected_welfare, st(&b).expected_welfare);
        prop_assert!(wb >= wa - tol(wa, wb), "{wa} -> {wb}");
        prop_assert!(st(&a).evpi.unwrap() >= -tol(wa, 0.0));
        prop_assert!(st(&a).value_of_preparing.unwrap() >= -tol(wa, 0.0));
        assert_identities(&a);
    }

    #[test]
    fn raising_the_risk_weight_never_raises_expected_welfare_nor_lowers_cvar(
        p_cut in 0.1..0.5f64, factor in 0.0..0.9f64, build in 0.2..3.0f64,
        p_surge in 0.05..0.3f64, w1 in 0.0..1.0f64, dw in 0.0..1.0f64, tail in 0.05..1.0f64,
    ) {
        let w2 = w1 + (1.0 - w1) * dw;
        let (_, a) = solve(&random(p_cut, factor, p_surge, build, w1, tail));
        let (_, b) = solve(&random(p_cut, factor, p_surge, build, w2, tail));
        let (ea, eb) = (st(&a).expected_welfare, st(&b).expected_welfare);
        let (ca, cb) = (st(&a).cvar, st(&b).cvar);
        prop_assert!(eb <= ea + tol(ea, eb), "ω {w1} -> {w2}: E[W] {ea} -> {eb}");
        prop_assert!(cb >= ca - tol(ca, cb), "ω {w1} -> {w2}: CVaR {ca} -> {cb}");
        prop_assert!(st(&a).evpi.unwrap() >= -tol(ea, 0.0));
    }
}

// ---------------------------------------------------------------------------------------------
// Validation (MODEL.md 13.7): every problem named with its entry and field; the CLI exits 2.

fn problems(extra: &str) -> Vec<String> {
    match Scenario::from_str(&newsvendor(extra), Format::Toml, "bad.toml") {
        Ok(_) => panic!("accepted:\n{extra}"),
        Err(e) => e.problems().iter().map(|p| p.to_string()).collect(),
    }
}

fn has(problems: &[String], needle: &str) {
    assert!(
        problems.iter().any(|p| p.contains(needle)),
        "no problem containing {needle:?} in {problems:#?}"
    );
}

#[test]
fn every_bad_input_is_named() {
    let p = problems(
        r#"
[uncertainty]
reveal_period = 3
risk_weight = 1.5
tail = 0
reveal_perod = 1
[[uncertainty.outcome]]
id = "a"
probability = 0
effects = [
  { kind = "capasity", country = "A", layer = "chip", factor = 0.5 },
  { kind = "capacity", country = "AA", layer = "chp", factor = -1 },
  { kind = "demand", country = "A", layer = "chip", factor = 2, from = "A" },
  { kind = "block", from = "A", to = "A" },
  { kind = "block", from = "A", layers = [] },
]
[[uncertainty.outcome]]
id = "a"
probability = 0.7
effects = [
  { kind = "cost", country = "A", layer = "chip", factor = 2 },
  { kind = "cost", country = "A", layer = "chip", factor = 3 },
]
"#,
    );
    has(
        &p,
        "uncertainty: reveal_period must be an integer in 1..=1, got 3",
    );
    has(&p, "uncertainty: risk_weight must lie in [0, 1], got 1.5");
    has(&p, "uncertainty: tail must lie in (0, 1], got 0");
    has(
        &p,
        "unknown field \"reveal_perod\" (did you mean \"reveal_period\"?)",
    );
    has(
        &p,
        "uncertainty.outcome a: probability must lie in (0, 1], got 0",
    );
    has(
        &p,
        "effect 1 (capasity): kind \"capasity\" is unknown (did you mean \"capacity\"?)",
    );
    has(&p, "country \"AA\" is unknown (did you mean \"A\"?)");
    has(&p, "layer \"chp\" is unknown (did you mean \"chip\"?)");
    has(&p, "factor must be >= 0, got -1");
    has(&p, "field \"from\" does not apply to a demand effect");
    has(&p, "from and to are both \"A\"");
    has(&p, "layers is empty");
    has(&p, "id \"a\" is used by more than one outcome");
    has(&p, "a second cost effect on the same country and layer");
}

#[test]
fn probabilities_above_one_targets_and_the_nominal_id() {
    let p = problems(
        r#"
[uncertainty]
[[uncertainty.outcome]]
id = "x"
probability = 0.7
[[uncertainty.outcome]]
id = "y"
probability = 0.6
"#,
    );
    has(
        &p,
        "uncertainty: the outcomes' probabilities sum to 1.3, above 1",
    );
    let p = problems(
        r#"
[uncertainty]
[[uncertainty.outcome]]
id = "nominal"
probability = 0.5
effects = [{ kind = "block", from = "A" }]
"#,
    );
    has(
        &p,
        "uncertainty.outcome nominal: id \"nominal\" is reserved",
    );
    // `block` from a country with no capability, demand effect without a demand entry.
    let text = newsvendor(
        r#"
[[country]]
id = "B"
[uncertainty]
[[uncertainty.outcome]]
id = "x"
probability = 0.5
effects = [
  { kind = "block", from = "B" },
  { kind = "demand", country = "B", layer = "chip", factor = 2 },
  { kind = "capacity", country = "B", layer = "chip", factor = 2 },
]
"#,
    );
    let p: Vec<String> = Scenario::from_str(&text, Format::Toml, "bad.toml")
        .unwrap_err()
        .problems()
        .iter()
        .map(|p| p.to_string())
        .collect();
    has(&p, "B has no capability for any layer");
    has(&p, "B has no demand for chip");
    has(&p, "B has no capability for chip");
    // Probabilities summing to exactly 1: no nominal outcome, and "nominal" is then a free id.
    let s = scenario(&newsvendor(
        "[uncertainty]\n[[uncertainty.outcome]]\nid = \"nominal\"\nprobability = 0.5\n[[uncertainty.outcome]]\nid = \"b\"\nprobability = 0.5\n",
    ));
    assert_eq!(s.uncertainty.unwrap().outcomes.len(), 2);
}

#[test]
fn cli_exits_2_naming_file_entry_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(
        &path,
        newsvendor("[uncertainty]\ntail = 2\n[[uncertainty.outcome]]\nid = \"x\"\nprobability = 0.5\neffects = [{ kind = \"blok\", from = \"A\" }]\n"),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_aistack"))
        .args(["solve", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.toml"), "{err}");
    assert!(
        err.contains("uncertainty: tail must lie in (0, 1], got 2"),
        "{err}"
    );
    assert!(
        err.contains("uncertainty.outcome x effect 1 (blok): kind \"blok\" is unknown (did you mean \"block\"?)"),
        "{err}"
    );
}

#[test]
fn cli_solve_json_has_the_stochastic_keys() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let v = common::cli_json(root, &["solve", "instances/resilience.toml"]);
    for key in [
        "outcomes",
        "prices_by_outcome",
        "welfare_by_outcome",
        "expected_welfare",
        "cvar",
        "evpi",
        "value_of_preparing",
        "prices",
        "welfare",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_relative_eq!(v["evpi"].as_f64().unwrap(), 9.75, epsilon = 1e-6);
    assert_eq!(v["prices"].as_array().unwrap().len(), 3);
}

/// The frontier of the newsvendor: the plan turns from z = 20 to z = 10 between ω = 0.1 and
/// ω = 0.25 (at ω = 1/6, see `newsvendor`), E[W] falls from 66 to 60 and CVaR_0.4 rises from
/// 30 (at z = 20 the worst 0.4 of probability is all in the nominal outcome, W = 30) to
/// 60; the CSV tables are written from the JSON.
#[test]
fn cli_risk_weights_trace_the_frontier() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("news.toml");
    std::fs::write(
        &path,
        newsvendor(&format!("[uncertainty]\ntail = 0.4\n{SURGE}")),
    )
    .unwrap();
    let v = common::cli_json(
        dir.path(),
        &[
            "solve",
            path.to_str().unwrap(),
            "--risk-weights",
            "0,0.1,0.25,1",
            "--out",
            dir.path().join("csv").to_str().unwrap(),
        ],
    );
    let f = v["frontier"].as_array().unwrap();
    assert_eq!(f.len(), 4);
    let e: Vec<f64> = f
        .iter()
        .map(|p| p["expected_welfare"].as_f64().unwrap())
        .collect();
    let c: Vec<f64> = f.iter().map(|p| p["cvar"].as_f64().unwrap()).collect();
    for (got, want) in e.iter().zip([66.0, 66.0, 60.0, 60.0]) {
        assert_relative_eq!(*got, want, epsilon = 1e-6);
    }
    // CVaR_0.4 at z = 20: the worst 0.4 of probability is all nominal (W = 30).
    for (got, want) in c.iter().zip([30.0, 30.0, 60.0, 60.0]) {
        assert_relative_eq!(*got, want, epsilon = 1e-6);
    }
    assert!(f[1]["changes"].as_array().unwrap().is_empty());
    let change = f[2]["changes"][0].as_str().unwrap();
    assert_eq!(change, "z_A_chip_1 20 -> 10");
    assert!(dir.path().join("csv").join("frontier.csv").exists());
    // Without [uncertainty], --risk-weights is bad input.
    let plain = dir.path().join("plain.toml");
    std::fs::write(&plain, newsvendor("")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_aistack"))
        .args(["solve", plain.to_str().unwrap(), "--risk-weights", "0,1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
