//! Backend-generic tests: written once, instantiated per backend by `backend_tests!`
//! (`microlp` always, `highs` with `--features highs`). Every backend must give the same
//! objective and the same *unique* prices: a price is compared only where the left and right
//! finite differences of W* with respect to the balance row's right-hand side agree (MODEL.md
//! 7), on the pricing LP (integers fixed at the optimum).
//!
//! With `--features highs` the cross-check at the end also solves every instance with both
//! backends and compares objectives and unique prices directly.

use aistack::backend::{self, Settings, Status};
use aistack::formulation::{BuildOptions, Program, Row};
use aistack::generate::{generate, GenerateOptions};
use aistack::results::{self, Outcome, Report, SolveConfig, View};
use aistack::scenario::{Format, Scenario};

fn scenario(text: &str) -> Scenario {
    Scenario::from_str(text, Format::Toml, "test.toml").unwrap_or_else(|e| panic!("{e}"))
}

fn instance(name: &str) -> Scenario {
    let path = format!("{}/instances/{name}", env!("CARGO_MANIFEST_DIR"));
    Scenario::from_path(&path).unwrap_or_else(|e| panic!("{e}"))
}

fn generated(countries: usize, layers: usize, periods: usize, seed: u64) -> Scenario {
    let text = generate(&GenerateOptions {
        countries,
        layers,
        periods,
        seed,
        agreements: 4,
    })
    .expect("generate");
    scenario(&text)
}

fn config(backend: &str) -> SolveConfig {
    SolveConfig {
        backend: backend.to_string(),
        settings: Settings::default(),
        ..SolveConfig::default()
    }
}

fn solve(backend: &str, s: &Scenario, opts: &BuildOptions) -> Outcome {
    let o = results::solve(s, opts, &config(backend)).expect("solver failure");
    assert_eq!(o.status, Status::Optimal, "{backend}: {}", o.status);
    assert!(o.solution.is_some());
    o
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()).max(1.0)
}

/// Welfare identity and strong duality of the pricing LP.
fn assert_identities(s: &Scenario, o: &Outcome) {
    let r = Report::new(s, o);
    let w = r.objective.unwrap();
    let sum: f64 = r.welfare.iter().map(|x| x.total).sum();
    assert!(close(sum, w, 1e-6), "welfare identity: sum {sum} vs W {w}");
    assert!(
        r.duality_gap.unwrap() <= 1e-6,
        "duality gap {:?}",
        r.duality_gap
    );
}

/// The pricing LP of an outcome (integers fixed at the optimum).
fn pricing_lp(o: &Outcome) -> Program {
    let sol = o.solution.as_ref().unwrap();
    if o.program.is_mip() {
        o.program.with_integers_fixed(&sol.values)
    } else {
        o.program.clone()
    }
}

fn lp_objective(backend: &str, p: &Program) -> Option<f64> {
    let raw = backend::by_name(backend)
        .unwrap()
        .solve(p, &Settings::default())
        .expect("solve");
    (raw.status == Status::Optimal).then(|| p.objective_value(&raw.values))
}

/// Left and right finite differences of W* with respect to the right-hand side of row `i`
/// (`None` when a shifted program has no optimum: the price is then not unique).
fn finite_differences(
    backend: &str,
    lp: &Program,
    i: usize,
    base: f64,
    h: f64,
) -> Option<(f64, f64)> {
    let shifted = |d: f64| {
        let mut p = lp.clone();
        p.rows[i].rhs += d;
        lp_objective(backend, &p)
    };
    Some(((base - shifted(-h)?) / h, (shifted(h)? - base) / h))
}

/// Every balance row (up to `limit` of them, spread over the program) whose finite differences
/// agree has a reported discounted price Λ equal to them. Returns how many prices were unique.
fn assert_unique_prices(backend: &str, o: &Outcome, limit: usize) -> usize {
    let lp = pricing_lp(o);
    let base = lp_objective(backend, &lp).expect("pricing LP solves");
    let sol = o.solution.as_ref().unwrap();
    let balance: Vec<usize> = (0..lp.rows.len())
        .filter(|&i| matches!(lp.rows[i].row, Row::Balance { .. }))
        .collect();
    let step = (balance.len() / limit.max(1)).max(1);
    let mut unique = 0;
    for &i in balance.iter().step_by(step) {
        let Some((left, right)) = finite_differences(backend, &lp, i, base, 1e-3) else {
            continue;
        };
        if !close(left, right, 1e-6) {
            continue;
        }
        unique += 1;
        let dual = sol.duals[i];
        assert!(
            close(dual, right, 1e-5),
            "{backend}: row {:?}: dual {dual}, finite difference {right}",
            lp.rows[i].row
        );
    }
    unique
}

const ONE_LAYER: &str = r#"
[meta]
name = "one layer"
[[layer]]
id = "chip"
[[country]]
id = "A"
[[capability]]
country = "A"
layer = "chip"
unit_cost = 1.0
capacity = 10
[[demand]]
country = "A"
layer = "chip"
blocks = [{ quantity = 5, value = 3.0 }]
"#;

/// Essential demand of 4 units worth only 0.5 each against a unit cost of 1: the `>=` row
/// binds, and relaxing it by one unit saves 1 - 0.5 = 0.5.
const ESSENTIAL: &str = r#"
[meta]
name = "essential"
[[layer]]
id = "chip"
[[country]]
id = "A"
[[capability]]
country = "A"
layer = "chip"
unit_cost = 1.0
capacity = 10
[[demand]]
country = "A"
layer = "chip"
blocks = [{ quantity = 6, value = 0.5 }]
must_serve = 4
"#;

macro_rules! backend_tests {
    ($($(#[$attr:meta])* $name:ident),* $(,)?) => {$(
        $(#[$attr])*
        mod $name {
            use super::*;

            const B: &str = stringify!($name);

            /// Capacity 10 > demand 5: W = 5 * (3 - 1) = 10, λ = unit cost 1.
            #[test]
            fn slack_capacity_prices_at_unit_cost() {
                let s = scenario(ONE_LAYER);
                let o = solve(B, &s, &BuildOptions::from_file(&s));
                let v = View::new(&s, &o).unwrap();
                assert!(close(o.objective().unwrap(), 10.0, 1e-9));
                assert!(close(v.price(0, 0, 1), 1.0, 1e-9));
                assert_identities(&s, &o);
            }

            /// Capacity 4 < demand 5: W = 8, λ = value 3, capacity rent 2.
            #[test]
            fn binding_capacity_prices_at_value() {
                let s = scenario(&ONE_LAYER.replace("capacity = 10", "capacity = 4"));
                let o = solve(B, &s, &BuildOptions::from_file(&s));
                let v = View::new(&s, &o).unwrap();
                assert!(close(o.objective().unwrap(), 8.0, 1e-9));
                assert!(close(v.price(0, 0, 1), 3.0, 1e-9));
                assert!(close(v.shadow(Row::Capacity { country: 0, layer: 0, period: 1 }), 2.0, 1e-9));
                assert_identities(&s, &o);
            }

            /// A `>=` row through the whole pipeline: W = 4 * (0.5 - 1) = -2; the essential
            /// row's dual (dW*/d rhs) is -0.5 and its shadow value (relaxing it) +0.5.
            #[test]
            fn ge_row_sign_through_the_pipeline() {
                let s = scenario(ESSENTIAL);
                let o = solve(B, &s, &BuildOptions::from_file(&s));
                let v = View::new(&s, &o).unwrap();
                let row = Row::Essential { country: 0, layer: 0, period: 1 };
                assert!(close(o.objective().unwrap(), -2.0, 1e-9));
                assert!(close(v.dual(row), -0.5, 1e-9));
                assert!(close(v.shadow(row), 0.5, 1e-9));
                assert!(close(v.price(0, 0, 1), 1.0, 1e-9));
                assert_identities(&s, &o);
            }

            /// The security-policy instance (its file comment derives W = 389.4 and the chip
            /// price 1.80 at HOME).
            #[test]
            fn security_policy_instance() {
                let s = instance("security-policy.toml");
                let o = solve(B, &s, &BuildOptions::from_file(&s));
                assert!(close(o.objective().unwrap(), 389.4, 1e-9));
                let v = View::new(&s, &o).unwrap();
                let (home, chips) = (s.country_index("HOME").unwrap(), s.layer_index("chips").unwrap());
                assert!(close(v.price(home, chips, 1), 1.8, 1e-6));
                assert!(assert_unique_prices(B, &o, 50) > 0);
                assert_identities(&s, &o);
            }

            /// Comparative advantage (talent is non-tradable, technology differs by country).
            #[test]
            fn comparative_advantage_instance() {
                let s = instance("comparative-advantage.toml");
                let o = solve(B, &s, &BuildOptions::from_file(&s));
                assert!(assert_unique_prices(B, &o, 50) > 0);
                assert_identities(&s, &o);
            }

            /// The example MIP: restricted prices are unique where finite differences agree.
            #[test]
            fn example_mip() {
                let s = instance("example.toml");
                let o = solve(B, &s, &BuildOptions::from_file(&s));
                assert!(o.mip);
                assert!(o.program.columns.iter().any(|c| c.integer));
                assert_unique_prices(B, &o, 48);
                assert_identities(&s, &o);
            }

            /// A generated instance, LP relaxation and MIP.
            #[test]
            fn generated_instance() {
                let s = generated(4, 10, 2, 7);
                let relaxed = BuildOptions { relax: true, ..BuildOptions::from_file(&s) };
                let o = solve(B, &s, &relaxed);
                assert_unique_prices(B, &o, 20);
                assert_identities(&s, &o);
                let o = solve(B, &s, &BuildOptions::from_file(&s));
                assert_identities(&s, &o);
            }

            /// An infeasible scenario is a status, not an error: essential demand above what
            /// the blocks offer.
            #[test]
            fn infeasible_is_a_status() {
                let s = scenario(&ESSENTIAL.replace("capacity = 10", "capacity = 3"));
                let o = results::solve(&s, &BuildOptions::from_file(&s), &config(B)).unwrap();
                assert_eq!(o.status, Status::Infeasible);
                assert!(o.solution.is_none());
            }

            /// A time limit either finishes or reports `time_limit`; a solution found by then
            /// comes with its gap. (No timing is asserted.)
            #[test]
            fn time_limit_is_a_status() {
                let s = generated(6, 10, 2, 3);
                let mut cfg = config(B);
                cfg.settings.time_limit = Some(0.01);
                match results::solve(&s, &BuildOptions::from_file(&s), &cfg) {
                    Ok(o) => {
                        assert!(matches!(o.status, Status::Optimal | Status::TimeLimit), "{}", o.status);
                        if o.status == Status::TimeLimit && o.solution.is_some() {
                            assert!(o.gap.is_some());
                        }
                    }
                    // microlp may stop with no point at all and no partial result (SOLVERS.md).
                    Err(e) => assert_eq!(B, "microlp", "{e}"),
                }
            }
        }
    )*};
}

backend_tests!(
    microlp,
    #[cfg(feature = "highs")]
    highs
);

/// Both backends on the same programs: same objective, same unique prices.
#[cfg(feature = "highs")]
mod cross_check {
    use super::*;

    fn compare(s: &Scenario, opts: &BuildOptions, limit: usize) {
        let a = solve("microlp", s, opts);
        let b = solve("highs", s, opts);
        let (wa, wb) = (a.objective().unwrap(), b.objective().unwrap());
        assert!(close(wa, wb, 1e-7), "objective: microlp {wa}, highs {wb}");
        // Unique prices are properties of the pricing LP; compare them where both backends
        // fixed the same integer decisions.
        let (sa, sb) = (a.solution.as_ref().unwrap(), b.solution.as_ref().unwrap());
        let same_integers = a
            .program
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.integer)
            .all(|(j, _)| (sa.values[j] - sb.values[j]).abs() < 0.5);
        if !same_integers {
            return;
        }
        let lp = pricing_lp(&a);
        let base = lp_objective("highs", &lp).expect("pricing LP solves");
        let balance: Vec<usize> = (0..lp.rows.len())
            .filter(|&i| matches!(lp.rows[i].row, Row::Balance { .. }))
            .collect();
        let step = (balance.len() / limit.max(1)).max(1);
        for &i in balance.iter().step_by(step) {
            let Some((left, right)) = finite_differences("highs", &lp, i, base, 1e-3) else {
                continue;
            };
            if close(left, right, 1e-6) {
                assert!(
                    close(sa.duals[i], sb.duals[i], 1e-5),
                    "{:?}: microlp {}, highs {}",
                    lp.rows[i].row,
                    sa.duals[i],
                    sb.duals[i]
                );
            }
        }
    }

    #[test]
    fn instances() {
        for name in [
            "example.toml",
            "security-policy.toml",
            "comparative-advantage.toml",
        ] {
            let s = instance(name);
            compare(&s, &BuildOptions::from_file(&s), 60);
        }
    }

    #[test]
    fn generated_instances() {
        for (c, t, seed) in [(3, 1, 1), (5, 2, 2), (8, 2, 5)] {
            let s = generated(c, 10, t, seed);
            compare(
                &s,
                &BuildOptions {
                    relax: true,
                    ..BuildOptions::from_file(&s)
                },
                30,
            );
        }
        let s = generated(4, 10, 2, 11);
        compare(&s, &BuildOptions::from_file(&s), 20);
    }

    /// Canonical prices (MODEL.md 12) do not depend on the backend: the same least-norm duals
    /// and welfare split from microlp and HiGHS on every shipped instance (world files aside)
    /// and on generated ones, wherever both fixed the same integers; and HiGHS's own duals
    /// (`--prices any`) give a split inside the canonical ranges.
    #[test]
    fn canonical_prices_agree_across_backends() {
        let mut cases: Vec<(String, Scenario, BuildOptions)> = Vec::new();
        let dir = format!("{}/instances", env!("CARGO_MANIFEST_DIR"));
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".toml") && !n.starts_with("world-"))
            .collect();
        names.sort();
        for n in names {
            let s = instance(&n);
            let o = BuildOptions::from_file(&s);
            cases.push((n, s, o));
        }
        for (c, t, seed) in [(4, 1, 3), (6, 2, 7), (12, 1, 12)] {
            let s = generated(c, 8, t, seed);
            let o = BuildOptions {
                relax: true,
                ..BuildOptions::from_file(&s)
            };
            cases.push((format!("generated {c}x8x{t} seed {seed}"), s, o));
        }
        let mut compared = 0;
        for (name, s, opts) in &cases {
            let a = solve("microlp", s, opts);
            let b = solve("highs", s, opts);
            let (sa, sb) = (a.solution.as_ref().unwrap(), b.solution.as_ref().unwrap());
            let same_integers = a
                .program
                .columns
                .iter()
                .enumerate()
                .filter(|(_, c)| c.integer)
                .all(|(j, _)| (sa.values[j] - sb.values[j]).abs() < 0.5);
            if !same_integers {
                continue;
            }
            let scale = sa.objective.abs().max(1.0);
            for (i, row) in a.program.rows.iter().enumerate() {
                let w = a.program.norm_weight(i).sqrt();
                assert!(
                    (sa.duals[i] - sb.duals[i]).abs() * w
                        <= 1e-6 * scale.max(sa.duals[i].abs() * w),
                    "{name} {:?}: microlp {}, highs {}",
                    row.row,
                    sa.duals[i],
                    sb.duals[i]
                );
            }
            let (ra, rb) = (Report::new(s, &a), Report::new(s, &b));
            let mut any = config("highs");
            any.prices = aistack::results::PriceChoice::Any;
            let raw = results::solve(s, opts, &any).unwrap();
            let rr = Report::new(s, &raw);
            for ((x, y), z) in ra.welfare.iter().zip(&rb.welfare).zip(&rr.welfare) {
                assert!(
                    close(x.total, y.total, 1e-6),
                    "{name} {}: {} vs {}",
                    x.country,
                    x.total,
                    y.total
                );
                assert!(
                    close(x.consumers, y.consumers, 1e-6),
                    "{name} {}",
                    x.country
                );
                // A stochastic solve with ω > 0 reports no welfare ranges (decisions.md 151).
                let Some(range) = x.range() else {
                    assert!(s.uncertainty.is_some(), "{name} {}: no range", x.country);
                    continue;
                };
                assert!(
                    range.contains(z.total, 1e-6 * scale),
                    "{name} {}: HiGHS's own split {} outside {range:?}",
                    x.country,
                    z.total
                );
            }
            compared += 1;
        }
        assert!(compared >= 8, "only {compared} cases compared");
    }

    /// Same columns, same values shape: the HiGHS model is built from the same program.
    #[test]
    fn same_program_for_both() {
        let s = instance("example.toml");
        let p = aistack::build(&s, &BuildOptions::from_file(&s));
        let a = backend::by_name("microlp")
            .unwrap()
            .solve(&p, &Settings::default())
            .unwrap();
        let b = backend::by_name("highs")
            .unwrap()
            .solve(&p, &Settings::default())
            .unwrap();
        assert_eq!(a.values.len(), b.values.len());
        assert!(close(a.objective, b.objective, 1e-7));
    }
}
