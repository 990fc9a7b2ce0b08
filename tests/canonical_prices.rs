//! Canonical prices, welfare ranges and robust verdicts (MODEL.md 12, 13.12-13.13).
//!
//! - `instances/degenerate-prices.toml`: every number derived by hand in its header;
//! - every shipped instance: the canonical duals are optimal (signs, reduced costs, strong
//!   duality to 1e-9), the welfare forms reproduce the split, each range contains the split at
//!   canonical prices and at the prices the solver returns (`--prices any`), the canonical
//!   point has the least norm of the two, and prices lie inside their finite-difference
//!   interval; reversing the order of countries in the file changes no reported number.

use std::path::{Path, PathBuf};
use std::process::Command;

use aistack::analysis::compare;
use aistack::analysis::verdict::Robustness;
use aistack::formulation::{BuildOptions, Row, Sense};
use aistack::results::ranges::{welfare_at_duals, welfare_ranges};
use aistack::results::{self, Outcome, PriceChoice, Report, SolveConfig, View};
use aistack::scenario::{Format, Scenario};

fn path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("instances")
        .join(name)
}

fn instance(name: &str) -> Scenario {
    Scenario::from_path(&path(name)).unwrap_or_else(|e| panic!("{e}"))
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1.0)
}

fn any_prices() -> SolveConfig {
    SolveConfig {
        prices: PriceChoice::Any,
        ..SolveConfig::default()
    }
}

fn solve(s: &Scenario, config: &SolveConfig) -> Outcome {
    let o = results::solve(s, &BuildOptions::from_file(s), config).unwrap();
    assert!(o.is_optimal(), "{}", o.status);
    o
}

/// Small shipped instances (the world files are covered by tests/world.rs).
fn small_instances() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(path(""))
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            // Stochastic instances (MODEL.md 10) have per-outcome views and no ranges yet:
            // tests/uncertainty.rs checks their duals.
            let stochastic =
                std::fs::read_to_string(path(&name)).is_ok_and(|t| t.contains("[uncertainty]"));
            (name.ends_with(".toml") && !name.starts_with("world-") && !stochastic).then_some(name)
        })
        .collect();
    v.sort();
    v
}

#[test]
fn degenerate_instance_reports_the_least_norm_prices_and_the_welfare_ranges() {
    let s = instance("degenerate-prices.toml");
    let o = solve(&s, &SolveConfig::default());
    assert!(close(o.objective().unwrap(), 30.0, 1e-9));
    let r = Report::new(&s, &o);
    assert_eq!(r.price_selection, "canonical");
    let price = |c: &str| {
        r.prices
            .iter()
            .find(|p| p.country == c && p.layer == "chips")
            .unwrap()
            .clone()
    };
    // λ_FAB = θ_FAB = 0.5 (export price π = 1), HUB's price π + 1 = 2 (header of the file).
    assert!(close(price("FAB").price, 0.5, 1e-6), "{:?}", price("FAB"));
    assert!(close(price("FAB").export_price, 1.0, 1e-6));
    assert!(close(price("HUB").price, 2.0, 1e-6));
    let w = |c: &str| r.welfare.iter().find(|x| x.country == c).unwrap().clone();
    assert!(close(w("FAB").total, 0.0, 1e-6));
    assert!(close(w("HUB").total, 30.0, 1e-6));
    for c in ["FAB", "HUB"] {
        let g = w(c).range().unwrap();
        assert!(
            close(g.min, 0.0, 1e-6) && close(g.max, 30.0, 1e-6),
            "{c}: {g:?}"
        );
        assert_eq!(w(c).price_dependent, Some(true));
    }
}

#[test]
fn an_agreement_that_moves_prices_is_judged_over_both_faces() {
    let s = instance("degenerate-prices.toml");
    let a = s.agreement_index("cheap-trade").unwrap();
    let base = compare::baseline_options(&s, a, &[], false).unwrap();
    let c = compare::compare(&s, a, &base, &SolveConfig::default()).unwrap();
    assert!(close(c.w_gain, 10.0, 1e-9));
    let gain = |id: &str| c.countries.iter().find(|x| x.country == id).unwrap();
    assert!(close(gain("FAB").gain, 0.0, 1e-6));
    assert!(close(gain("HUB").gain, 10.0, 1e-6));
    for id in ["FAB", "HUB"] {
        let r = gain(id).gain_range.unwrap();
        assert!(
            close(r.min, -30.0, 1e-6) && close(r.max, 40.0, 1e-6),
            "{id}: {r:?}"
        );
        assert_eq!(gain(id).price_dependent, Some(true));
    }
    let ir = &c.individual_rationality;
    assert!(ir.holds, "at the canonical prices every member gains");
    assert_eq!(ir.robustness, Robustness::DependsOnPrices);
    assert!(ir.price_dependent);
    let r = ir.range.unwrap();
    assert!(
        close(r.min, -30.0, 1e-6) && close(r.max, 5.0, 1e-6),
        "{r:?}"
    );
    // Both members can lose at some optimal prices: listed, as "depends on prices".
    assert_eq!(c.losers.len(), 2);
    for l in &c.losers {
        assert_eq!(l.verdict.robustness, Robustness::DependsOnPrices);
        assert!(close(l.loss, 30.0, 1e-6));
    }
}

#[test]
fn an_agreement_that_changes_nothing_gains_nothing_at_every_price() {
    let s = instance("degenerate-prices.toml");
    let a = s.agreement_index("paper-pact").unwrap();
    let base = compare::baseline_options(&s, a, &[], false).unwrap();
    let c = compare::compare(&s, a, &base, &SolveConfig::default()).unwrap();
    assert!(close(c.w_gain, 0.0, 1e-9));
    for x in &c.countries {
        assert!(close(x.gain, 0.0, 1e-7), "{}: {}", x.country, x.gain);
        let r = x.gain_range.unwrap();
        assert!(
            r.min.abs() < 1e-6 && r.max.abs() < 1e-6,
            "{}: {r:?}",
            x.country
        );
        assert_eq!(x.price_dependent, Some(false));
    }
    assert!(c.losers.is_empty());
    assert_eq!(c.individual_rationality.robustness, Robustness::EveryPrice);
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
fn cli_prints_verdicts_with_their_standing() {
    let file = "instances/degenerate-prices.toml";
    let (code, out, err) = cli(&["compare", file, "--agreement", "cheap-trade"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("Individually rational: depends on prices (the smallest member gain ranges over [-30.0000, 5.0000]"),
        "{out}"
    );
    let (code, out, err) = cli(&["compare", file, "--agreement", "paper-pact"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("Individually rational: yes, for every optimal price"),
        "{out}"
    );
    let (code, out, err) = cli(&[
        "compare",
        file,
        "--agreement",
        "cheap-trade",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        j["individual_rationality"]["robustness"],
        "depends_on_prices"
    );
    assert_eq!(j["individual_rationality"]["price_dependent"], true);
    assert!(close(
        j["countries"][0]["gain_range"]["min"].as_f64().unwrap(),
        -30.0,
        1e-9
    ));
    // --prices any: the solver's own duals, no ranges, and the output says so.
    let (code, out, err) = cli(&["solve", file, "--prices", "any", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(j["price_selection"], "any");
    assert!(j["welfare"][0]["total_min"].is_null());
}

/// Row signs, reduced costs and strong duality of the reported duals on the pricing LP.
fn assert_optimal_duals(name: &str, o: &Outcome) {
    let sol = o.solution.as_ref().unwrap();
    let lp = o.program.with_integers_fixed(&sol.values);
    let scale = sol.objective.abs().max(1.0);
    let tol = 1e-7 * scale;
    for (r, row) in lp.rows.iter().enumerate() {
        let y = sol.duals[r];
        match row.sense {
            Sense::Le => assert!(y >= -tol, "{name}: {:?} dual {y}", row.row),
            Sense::Ge => assert!(y <= tol, "{name}: {:?} dual {y}", row.row),
            Sense::Eq => {}
        }
    }
    let mut reduced: Vec<f64> = lp.columns.iter().map(|c| c.objective).collect();
    for (row, &y) in lp.rows.iter().zip(&sol.duals) {
        for &(j, a) in &row.terms {
            reduced[j] -= a * y;
        }
    }
    for (j, c) in lp.columns.iter().enumerate() {
        if c.lower == c.upper {
            continue;
        }
        let d = reduced[j];
        assert!(
            d <= tol || c.upper.is_finite(),
            "{name}: {:?} reduced cost {d} with no upper bound",
            c.var
        );
        assert!(
            d >= -tol || c.lower.is_finite(),
            "{name}: {:?} reduced cost {d} with no lower bound",
            c.var
        );
    }
    assert!(
        sol.duality_gap() <= 1e-9,
        "{name}: duality gap {}",
        sol.duality_gap()
    );
}

fn norm(o: &Outcome) -> f64 {
    let sol = o.solution.as_ref().unwrap();
    sol.duals
        .iter()
        .enumerate()
        .map(|(r, y)| o.program.norm_weight(r) * y * y)
        .sum()
}

#[test]
fn canonical_duals_are_optimal_least_norm_and_ranges_contain_every_split() {
    for name in small_instances() {
        let s = instance(&name);
        let canonical = solve(&s, &SolveConfig::default());
        let any = solve(&s, &any_prices());
        assert_optimal_duals(&name, &canonical);
        let w = canonical.objective().unwrap();
        assert!(close(w, any.objective().unwrap(), 1e-9), "{name}");
        // The least norm over the face is at most the norm of any other optimal dual.
        assert!(
            norm(&canonical) <= norm(&any) * (1.0 + 1e-7) + 1e-9,
            "{name}: canonical {} > solver's {}",
            norm(&canonical),
            norm(&any)
        );
        let v = View::new(&s, &canonical).unwrap();
        let at_duals = welfare_at_duals(&v);
        let split = results::welfare(&v);
        let ranges = welfare_ranges(&s, &canonical).unwrap().unwrap();
        let any_split = results::welfare(&View::new(&s, &any).unwrap());
        let tol = 1e-6 * w.abs().max(1.0);
        for (c, e) in split.iter().enumerate() {
            assert!(
                close(at_duals[c], e.total, 1e-9),
                "{name} {}: form {} vs split {}",
                e.country,
                at_duals[c],
                e.total
            );
            assert!(
                ranges[c].contains(e.total, tol),
                "{name} {}: {} outside {:?}",
                e.country,
                e.total,
                ranges[c]
            );
            assert!(
                ranges[c].contains(any_split[c].total, tol),
                "{name} {}: solver's split {} outside {:?}",
                e.country,
                any_split[c].total,
                ranges[c]
            );
        }
    }
}

/// W with `amount` more (or less) of l delivered free to c in period t.
fn w_with_delivery(s: &Scenario, c: usize, l: usize, t: usize, amount: f64) -> Option<f64> {
    let mut opts = BuildOptions::from_file(s);
    opts.extra_delivery.push((c, l, t, amount));
    let o = results::solve(s, &opts, &any_prices()).unwrap();
    o.is_optimal().then(|| o.objective().unwrap())
}

#[test]
fn canonical_prices_lie_inside_their_finite_difference_interval() {
    for name in [
        "degenerate-prices.toml",
        "example.toml",
        "supply-shock.toml",
        "comparative-advantage.toml",
    ] {
        let s = instance(name);
        let o = solve(&s, &SolveConfig::default());
        let w = o.objective().unwrap();
        let v = View::new(&s, &o).unwrap();
        let h = 1e-3;
        for t in 1..=s.n_periods() {
            for c in 0..s.countries.len() {
                for l in 0..s.layers.len() {
                    if o.program
                        .row(&Row::Balance {
                            country: c,
                            layer: l,
                            period: t,
                        })
                        .is_none()
                    {
                        continue;
                    }
                    let lambda = v.big_lambda(c, l, t);
                    let right = w_with_delivery(&s, c, l, t, h).map(|x| (x - w) / h);
                    let left = w_with_delivery(&s, c, l, t, -h).map(|x| (w - x) / h);
                    let tol = 1e-5 * lambda.abs().max(1.0);
                    if let Some(r) = right {
                        assert!(
                            lambda >= r - tol,
                            "{name} ({c},{l},{t}): Λ {lambda} < right {r}"
                        );
                    }
                    if let Some(lf) = left {
                        assert!(
                            lambda <= lf + tol,
                            "{name} ({c},{l},{t}): Λ {lambda} > left {lf}"
                        );
                    }
                }
            }
        }
    }
}

/// The scenario with its `country` entries in reverse order (everything else as written).
fn reversed(name: &str) -> Scenario {
    let text = std::fs::read_to_string(path(name)).unwrap();
    let mut doc: toml::Table = toml::from_str(&text).unwrap();
    if let Some(toml::Value::Array(cs)) = doc.get_mut("country") {
        cs.reverse();
    }
    if let Some(toml::Value::Array(cs)) = doc.get_mut("capability") {
        cs.reverse();
    }
    Scenario::from_str(&toml::to_string(&doc).unwrap(), Format::Toml, name)
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn reversing_the_countries_changes_no_reported_number() {
    for name in small_instances() {
        let s = instance(&name);
        let r = reversed(&name);
        let a = Report::new(&s, &solve(&s, &SolveConfig::default()));
        let b = Report::new(&r, &solve(&r, &SolveConfig::default()));
        let tol = 1e-6;
        for p in &a.prices {
            let q = b
                .prices
                .iter()
                .find(|q| q.country == p.country && q.layer == p.layer && q.period == p.period)
                .unwrap();
            assert!(
                close(p.price, q.price, tol) && close(p.export_price, q.export_price, tol),
                "{name} {} {} t{}: {} / {} vs {} / {}",
                p.country,
                p.layer,
                p.period,
                p.price,
                p.export_price,
                q.price,
                q.export_price
            );
        }
        for e in &a.welfare {
            let f = b.welfare.iter().find(|f| f.country == e.country).unwrap();
            assert!(close(e.total, f.total, tol), "{name} {}", e.country);
            assert!(close(e.consumers, f.consumers, tol), "{name} {}", e.country);
        }
    }
}

/// `margins` JSON carries each price's range over the optimal dual face (decisions.md 102).
/// degenerate-prices (derivation at the top of the file): HUB's chip price is π + 1 with the
/// export price π anywhere in [1, 4], so it ranges over [2, 5]; the canonical price 2 lies in it.
/// On the example every range contains the canonical price.
#[test]
fn margins_reports_price_ranges_over_the_face() {
    let run = |file: &str| -> serde_json::Value {
        let o = Command::new(env!("CARGO_BIN_EXE_aistack"))
            .args(["margins", path(file).to_str().unwrap(), "--format", "json"])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let v = run("degenerate-prices.toml");
    let ranges = v["price_ranges"].as_array().expect("price_ranges");
    let hub = ranges
        .iter()
        .find(|r| r["country"] == "HUB" && r["layer"] == "chips")
        .unwrap();
    assert!(close(hub["min"].as_f64().unwrap(), 2.0, 1e-6), "{hub}");
    assert!(close(hub["max"].as_f64().unwrap(), 5.0, 1e-6), "{hub}");
    assert_eq!(hub["unique"], false);
    let v = run("example.toml");
    let prices = &v["tables"]["prices"];
    for r in v["price_ranges"].as_array().expect("price_ranges") {
        let t = r["period"].as_u64().unwrap() as usize;
        let m = &prices[t - 1];
        let c = m["countries"]
            .as_array()
            .unwrap()
            .iter()
            .position(|x| *x == r["country"])
            .unwrap();
        let l = m["layers"]
            .as_array()
            .unwrap()
            .iter()
            .position(|x| *x == r["layer"])
            .unwrap();
        let p = m["values"][c][l].as_f64().unwrap();
        // null: unbounded over the face.
        let lo = r["min"].as_f64().unwrap_or(f64::NEG_INFINITY);
        let hi = r["max"].as_f64().unwrap_or(f64::INFINITY);
        assert!(lo - 1e-6 <= p && p <= hi + 1e-6, "{r}: canonical {p}");
        let unique = (hi - lo).is_finite() && hi - lo <= 1e-7 * hi.abs().max(lo.abs()).max(1.0);
        assert_eq!(r["unique"], unique, "{r}");
    }
}

/// The least-norm prices respect the command's time budget (issue 10: a 6-period learning run
/// of the world priced its stopped MIP for two minutes past `--time-limit`): with a deadline
/// that has passed, `Face::canonical` stops with `TimeLimit` instead of solving; without one it
/// returns the duals `solve` reports.
#[test]
fn canonical_prices_stop_at_the_deadline() {
    use aistack::results::face::{Face, FaceError};
    let s = instance("degenerate-prices.toml");
    let o = solve(&s, &SolveConfig::default());
    let sol = o.solution.as_ref().unwrap();
    let lp = &o.program;
    let weights: Vec<f64> = (0..lp.rows.len()).map(|r| lp.norm_weight(r)).collect();
    let past = std::time::Instant::now() - std::time::Duration::from_millis(1);
    let stopped = Face::canonical(lp, &sol.values, sol.objective, &weights, Some(past));
    assert!(matches!(stopped, Err(FaceError::TimeLimit)), "{stopped:?}");
    let (_, y) = Face::canonical(lp, &sol.values, sol.objective, &weights, None).unwrap();
    for (a, b) in y.iter().zip(&sol.duals) {
        assert!(close(*a, *b, 1e-9), "{a} vs {b}");
    }
}
