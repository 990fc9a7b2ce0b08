//! The last pieces of issue 11 on instances/resilience.toml, whose header derives the plan and
//! the prices: welfare ranges of a risk-neutral stochastic solve (decisions.md 151), and
//! `margins` on a stochastic file: price checks per outcome, `--shock`, value added per outcome
//! (decisions.md 153).

mod common;

use std::path::{Path, PathBuf};

const TOL: f64 = 1e-6;

fn close(v: &serde_json::Value, want: f64) -> bool {
    v.as_f64()
        .is_some_and(|x| (x - want).abs() <= TOL * want.abs().max(1.0))
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `aistack ARGS --format json` from the repository root, exit 0, its JSON.
fn json(args: &[&str]) -> serde_json::Value {
    common::cli_json(&root(), args)
}

/// resilience.toml with `from` replaced by `to` (which must occur), written into `dir`.
fn variant(dir: &Path, from: &str, to: &str) -> String {
    let text = std::fs::read_to_string(root().join("instances/resilience.toml")).unwrap();
    assert!(text.contains(from));
    let path = dir.join("variant.toml");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    path.display().to_string()
}

fn welfare<'a>(v: &'a serde_json::Value, country: &str) -> &'a serde_json::Value {
    v["welfare"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["country"] == country)
        .unwrap()
}

/// Risk neutral, unique prices (the header: nominal λ_IND = 1, TWN has spare capacity at cost
/// 1; blockade λ_IND = 9, IND builds 4 of its 10, so its build cost 1 = 0.25 (λ - 5)): every
/// expected welfare is a point, IND 70, USA 1.5, TWN 0, and no split depends on prices.
#[test]
fn risk_neutral_ranges_collapse_where_prices_are_unique() {
    let v = json(&["solve", "instances/resilience.toml"]);
    for (c, want) in [("IND", 70.0), ("USA", 1.5), ("TWN", 0.0)] {
        let w = welfare(&v, c);
        assert!(close(&w["total"], want), "{c}: {w}");
        assert!(close(&w["total_min"], want), "{c}: {w}");
        assert!(close(&w["total_max"], want), "{c}: {w}");
        assert_eq!(w["price_dependent"], false, "{c}");
    }
}

/// TWN's capacity 12 -> 10: the plan is unchanged (TWN still supplies the 10 nominal units),
/// but TWN's capacity now binds in the nominal outcome, so λ_nominal can be anything in
/// [1, 2] (TWN's cost; USA's idle capacity at cost 2 caps it). λ_blockade stays 9 (IND's
/// interior build). Each unit of λ_nominal above 1 moves 0.75 x 10 from IND's consumers to
/// TWN: IND [70 - 7.5, 70] = [62.5, 70], TWN [0, 7.5], USA 1.5 (it sells nothing in the
/// nominal outcome). The canonical split (least norm: λ_nominal = 1) lies inside.
#[test]
fn risk_neutral_ranges_span_the_optimal_dual_face() {
    let dir = tempfile::tempdir().unwrap();
    let file = variant(dir.path(), "capacity = 12", "capacity = 10");
    let v = json(&["solve", &file]);
    assert!(close(&v["objective"], 71.5));
    for (c, lo, hi, dependent) in [
        ("IND", 62.5, 70.0, true),
        ("TWN", 0.0, 7.5, true),
        ("USA", 1.5, 1.5, false),
    ] {
        let w = welfare(&v, c);
        assert!(close(&w["total_min"], lo), "{c}: {w}");
        assert!(close(&w["total_max"], hi), "{c}: {w}");
        assert_eq!(w["price_dependent"], dependent, "{c}");
        let total = w["total"].as_f64().unwrap();
        assert!(total >= lo - TOL && total <= hi + TOL, "{c}: {w}");
    }
}

/// With ω > 0 the split is risk-adjusted and no range is reported (MODEL.md 13.13).
#[test]
fn no_ranges_with_a_risk_weight() {
    let v = json(&[
        "solve",
        "instances/resilience.toml",
        "--set",
        "uncertainty.risk_weight=0.5",
    ]);
    for w in v["welfare"].as_array().unwrap() {
        assert!(w.get("total_min").is_none_or(|x| x.is_null()), "{w}");
        assert!(w.get("price_dependent").is_none_or(|x| x.is_null()), "{w}");
    }
}

/// `margins --check-prices` checks each second-stage price in its outcome: one unit delivered
/// in outcome s only, the objective's change divided by q_s (= P_s, risk neutral). IND's
/// prices are unique (the header): 1 in the nominal outcome, 9 in the blockade; every price
/// lies within its left and right differences.
#[test]
fn margins_checks_prices_per_outcome() {
    let v = json(&["margins", "instances/resilience.toml", "--check-prices"]);
    let checks = v["price_checks"].as_array().unwrap();
    assert_eq!(checks.len(), 6, "2 outcomes x 3 countries");
    for c in checks {
        assert_eq!(c["within"], true, "{c}");
    }
    for (outcome, price) in [("nominal", 1.0), ("blockade", 9.0)] {
        let c = checks
            .iter()
            .find(|c| c["outcome"] == outcome && c["country"] == "IND")
            .unwrap();
        assert!(close(&c["price"], price), "{c}");
        assert!(close(&c["left"], price), "{c}");
        assert!(close(&c["right"], price), "{c}");
        assert_eq!(c["unique"], true, "{c}");
    }
}

/// `margins --shock TWN:chip` on the stochastic file cuts TWN in every outcome, so both
/// outcomes are the blockade: USA builds 6, IND 4, W = 55 (the header's W_blockade). λ_IND = 6
/// in both (IND's marginal unit: build 1 + cost 5); IND: consumers 10 x (10 - 6) = 40, plant
/// 4 x (6 - 5) - 4 = 0; USA: 6 x (6 - 2) - 9 = 15. Before: the expected split, IND 70, USA 1.5,
/// and the expected price 0.75 x 1 + 0.25 x 9 = 3.
#[test]
fn margins_shock_on_a_stochastic_file() {
    let v = json(&[
        "margins",
        "instances/resilience.toml",
        "--shock",
        "TWN:chip",
    ]);
    let sh = &v["shocks"][0];
    assert!(close(&sh["objective_before"], 71.5));
    assert!(close(&sh["objective_after"], 55.0));
    let by = |c: &str| {
        sh["welfare"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["country"] == c)
            .unwrap()
            .clone()
    };
    for (c, before, after) in [("IND", 70.0, 40.0), ("USA", 1.5, 15.0), ("TWN", 0.0, 0.0)] {
        let w = by(c);
        assert!(close(&w["before"], before), "{w}");
        assert!(close(&w["after"], after), "{w}");
    }
    let ind = sh["prices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["country"] == "IND")
        .unwrap();
    assert!(close(&ind["before"], 3.0), "{ind}");
    assert!(close(&ind["after"], 6.0), "{ind}");
}

/// Value added with outcomes (decisions.md 153): one input-output system per outcome, each at
/// its own prices. Nominal: IND's 10 units at λ = 1 are worth 10, all made by TWN (10 produced,
/// 10 embodied). Blockade: 10 units at λ = 9 are worth 90, made by IND (4) and USA (6). Every
/// column sums to the value of its final demand.
#[test]
fn margins_value_added_per_outcome() {
    let v = json(&["margins", "instances/resilience.toml"]);
    assert!(
        v.get("value_added_error").is_none_or(|x| x.is_null()),
        "{v}"
    );
    let periods = v["value_added"]["periods"].as_array().unwrap();
    assert_eq!(periods.len(), 2, "one period in each of two outcomes");
    for (outcome, demand, made) in [
        ("nominal", 10.0, [("TWN", 10.0), ("USA", 0.0), ("IND", 0.0)]),
        ("blockade", 90.0, [("TWN", 0.0), ("USA", 6.0), ("IND", 4.0)]),
    ] {
        let p = periods.iter().find(|p| p["outcome"] == outcome).unwrap();
        let ind = p["countries"]
            .as_array()
            .unwrap()
            .iter()
            .position(|c| c == "IND")
            .unwrap();
        assert!(close(&p["final_demand"][ind], demand), "{outcome}: {p}");
        assert!(p["residual"].as_f64().unwrap() < 1e-9, "{outcome}");
        for (c, q) in made {
            let e = p["production"]
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["country"] == c)
                .unwrap();
            assert!(close(&e["produced"], q), "{outcome} {c}: {e}");
            assert!(close(&e["embodied"], q), "{outcome} {c}: {e}");
        }
    }
}

/// `compare` ranges the expected gains of a risk-neutral stochastic file (decisions.md 151), on
/// the backup pact of tests/uncertainty2.rs (`insured`: a trade cost 4 on USA -> IND chips that
/// the pact removes). Without the pact only IND builds (all 10): λ_blockade is anywhere in
/// [9, 10] (IND's build at its bound: 0.25 (λ - 5) >= 1; the demand's value 10 caps it), but
/// all of the blockade's welfare is IND's whatever the price. With it, the prices are unique
/// (resilience.toml's header). So every gain is a point: IND 0, USA 1.5, TWN 0 (derived in
/// tests/uncertainty2.rs), and individual rationality holds for every optimal price.
#[test]
fn compare_ranges_risk_neutral_expected_gains() {
    use aistack::analysis::compare;
    use aistack::results::SolveConfig;
    let text = std::fs::read_to_string(root().join("instances/resilience.toml"))
        .unwrap()
        .replacen(
            "\n[uncertainty]\n",
            "[[trade.cost]]\nfrom = \"USA\"\nto = \"IND\"\nlayer = \"chip\"\ncost = 4\n\n\
             [[agreement]]\nid = \"backup-pact\"\nmembers = [\"IND\", \"USA\"]\nactive = false\n\n\
             [[agreement.clause]]\nkind = \"trade_cost_factor\"\nlayers = [\"chip\"]\nfactor = 0\n\n\
             [uncertainty]\n",
            1,
        );
    let s = aistack::scenario::Scenario::from_str(
        &text,
        aistack::scenario::Format::Toml,
        "insured.toml",
    )
    .unwrap();
    let a = s.agreement_index("backup-pact").unwrap();
    let base = compare::baseline_options(&s, a, &[], false).unwrap();
    let c = compare::compare(&s, a, &base, &SolveConfig::default()).unwrap();
    for (id, gain) in [("IND", 0.0), ("USA", 1.5), ("TWN", 0.0)] {
        let x = c.countries.iter().find(|x| x.country == id).unwrap();
        let r = x.gain_range.expect("a gain range when risk neutral");
        assert!(
            (r.min - gain).abs() < TOL && (r.max - gain).abs() < TOL,
            "{id}: {r:?}"
        );
    }
    assert!(c.individual_rationality.holds);
    assert!(!c.individual_rationality.price_dependent);
}

/// Learning fills and their binaries after τ are second stage (MODEL.md 13.9). Restricted
/// pricing sets a segment binary to 0 when its segment carries no output (13.6); that test read
/// the first-stage copy of the segment, which does not exist after τ, so every second-stage
/// binary was switched off and the fixed-integer LP lost W (634.04 -> 567.88 here: the solve
/// ended `numerical_trouble`, as the v2 world with outcomes did). Now: an outcome identical to
/// the nominal one, revealed in period 2, gives the deterministic W in every outcome, and a real
/// shock solves to a verified optimum.
#[test]
fn learning_after_the_reveal_is_priced_in_its_own_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let overlay = |effect: &str| {
        let path = dir.path().join("outcomes.toml");
        std::fs::write(
            &path,
            format!(
                "[uncertainty]\nreveal_period = 2\n\n[[uncertainty.outcome]]\nid = \"shock\"\n\
                 probability = 0.3\neffects = [ {effect} ]\n"
            ),
        )
        .unwrap();
        path.display().to_string()
    };
    let plain = json(&["solve", "instances/learning.toml"]);
    let w = plain["objective"].as_f64().unwrap();
    let same = overlay(r#"{ kind = "capacity", country = "KOR", layer = "fab", factor = 1.0 }"#);
    let v = json(&["solve", "instances/learning.toml", "--overlay", &same]);
    assert_eq!(v["status"], "optimal");
    assert!(close(&v["objective"], w), "{} vs {w}", v["objective"]);
    for o in v["outcomes"].as_array().unwrap() {
        assert!(close(&o["welfare"], w), "{o}");
    }
    let cut = overlay(r#"{ kind = "capacity", country = "KOR", layer = "fab", factor = 0.5 }"#);
    let v = json(&["solve", "instances/learning.toml", "--overlay", &cut]);
    assert_eq!(v["status"], "optimal");
    assert!(v["objective"].as_f64().unwrap() <= w + 1e-9);
}

/// A `cost` effect on a learning curve reaches the last first-stage fill through an extra W_s
/// term (the experience it brings lowers period τ's cost, scaled by the outcome's factor). The
/// producer's profit in each outcome must carry that term, or the split misses it: learning.toml
/// with KOR's fab 30% dearer from period 2 with probability 0.5 failed the welfare identity
/// (residual 3.5e-3, `numerical_trouble`), and so did the v2 world with its outcomes.
#[test]
fn a_cost_shock_on_a_learning_curve_is_split_by_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("outcomes.toml");
    std::fs::write(
        &path,
        "[uncertainty]\nreveal_period = 2\n\n[[uncertainty.outcome]]\nid = \"dear\"\n\
         probability = 0.5\neffects = [ { kind = \"cost\", country = \"KOR\", layer = \"fab\", \
         factor = 1.3 } ]\n",
    )
    .unwrap();
    let path = path.display().to_string();
    for relax in [false, true] {
        let mut args = vec!["solve", "instances/learning.toml", "--overlay", &path];
        if relax {
            args.push("--relax");
        }
        let v = json(&args);
        assert_eq!(v["status"], "optimal", "relax {relax}: {}", v["warnings"]);
        assert!(v["welfare_residual"].as_f64().unwrap() < 1e-9);
        // The identity holds outcome by outcome: Σ_c welfare_s(c) = W_s.
        for o in v["outcomes"].as_array().unwrap() {
            let total: f64 = v["welfare_by_outcome"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["outcome"] == o["id"])
                .map(|e| e["total"].as_f64().unwrap())
                .sum();
            assert!(close(&o["welfare"], total), "{o}: split sums to {total}");
        }
    }
}
