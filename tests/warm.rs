//! Issue 13 (decision 140): warm re-solves of a moved balance row give the W of a cold solve of
//! the program built with that extra delivery, on every shipped deterministic instance and a
//! generated one, and the warm path is really taken on the world (so the test can fail).

use aistack::backend::microlp::{MicroLp, RhsWarm};
use aistack::backend::{Backend, Settings, Status};
use aistack::formulation::{self, BuildOptions, Row};
use aistack::scenario::Scenario;

/// The step of `margins --check-prices` (its default `--fd-step`).
const H: f64 = 1e-3;

/// Warm W against cold W for every `every`-th balance row moved by ±H (of the LP relaxation
/// with `relax`); returns (warm answers, re-solves tried).
fn warm_equals_cold(s: &Scenario, every: usize, relax: bool) -> (usize, usize) {
    let opts = BuildOptions::from_file(s);
    let build = |o: &BuildOptions| {
        let p = formulation::build(s, o);
        if relax {
            p.relaxed()
        } else {
            p
        }
    };
    let program = build(&opts);
    let mut keys = Vec::new();
    for t in 1..=s.n_periods() {
        for c in 0..s.countries.len() {
            for l in 0..s.layers.len() {
                keys.push((c, l, t));
            }
        }
    }
    // Cells without a balance row (a stochastic program's are per outcome) are not warm-started.
    keys.retain(|&(country, layer, period)| {
        program
            .row(&Row::Balance {
                country,
                layer,
                period,
            })
            .is_some()
    });
    let rows: Vec<usize> = keys
        .iter()
        .map(|&(country, layer, period)| {
            program
                .row(&Row::Balance {
                    country,
                    layer,
                    period,
                })
                .unwrap()
        })
        .collect();
    // The incumbent, as `margins` passes it: the base solve's values.
    let base = MicroLp.solve(&program, &Settings::default()).unwrap();
    let Some(warm) = RhsWarm::new(&program, &rows, H, Some(&base.values), &Settings::default())
    else {
        return (0, 0);
    };
    let (mut answered, mut tried) = (0, 0);
    for (i, &(c, l, t)) in keys.iter().enumerate().step_by(every) {
        for q in [H, -H] {
            tried += 1;
            let Some(w) = warm.objective(i, q) else {
                continue;
            };
            answered += 1;
            let mut o = opts.clone();
            o.extra_delivery.push((c, l, t, q));
            let cold = MicroLp.solve(&build(&o), &Settings::default()).unwrap();
            // A warm answer is only given where it is proven optimal, so cold must be too.
            assert_eq!(cold.status, Status::Optimal, "{c} {l} {t} {q}");
            let rel = (w - cold.objective).abs() / cold.objective.abs().max(1.0);
            assert!(
                rel <= 1e-9,
                "row ({c},{l},{t}) moved by {q}: warm W {w} cold W {} (relative {rel:e})",
                cold.objective
            );
        }
    }
    (answered, tried)
}

/// The scenario files in instances/, sorted.
fn shipped_instances() -> Vec<String> {
    let dir = format!("{}/instances", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    names.sort();
    names
}

fn instance(name: &str) -> Scenario {
    Scenario::from_path(format!("{}/instances/{name}", env!("CARGO_MANIFEST_DIR")))
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn world_is_answered_warm_and_equals_cold() {
    let (answered, tried) = warm_equals_cold(&instance("world-2026.toml"), 5, false);
    eprintln!("world-2026: {answered} of {tried} answered warm");
    // The world's relaxation reaches the MIP's W (its restricted LP certifies it): most moves
    // are answered warm.
    assert!(answered * 2 > tried, "{answered} of {tried} answered warm");
}

#[test]
fn every_shipped_instance_warm_equals_cold() {
    let names: Vec<String> = shipped_instances()
        .into_iter()
        .filter(|n| n != "world-2026.toml")
        .collect();
    let mut answered = 0;
    for n in &names {
        let s = instance(n);
        let (a, t) = warm_equals_cold(&s, if s.countries.len() > 8 { 7 } else { 1 }, false);
        eprintln!("{n}: {a} of {t} answered warm");
        answered += a;
    }
    assert!(answered > 0);
}

#[test]
fn generated_instance_warm_equals_cold() {
    let text = aistack::generate::generate(&aistack::generate::GenerateOptions {
        countries: 6,
        seed: 7,
        ..Default::default()
    })
    .unwrap();
    let s = Scenario::from_str(&text, aistack::scenario::Format::Toml, "generated").unwrap();
    // Its LP relaxation (`solve --relax`): the generated MIP's relaxation has a gap, so its
    // moves go cold (and are compared above on the shipped MIPs).
    let (answered, tried) = warm_equals_cold(&s, 3, true);
    eprintln!("generated 6: {answered} of {tried} answered warm");
    assert!(answered > 0);
}

/// HiGHS keeps a loaded LP between solves (`Backend::warm_lp`): a series of objective and
/// right-hand-side edits re-solved warm gives the W of each edited program solved cold, on every
/// shipped instance's LP relaxation, and the warm path is really taken (so the test can fail).
#[cfg(feature = "highs")]
#[test]
fn highs_warm_lp_equals_cold_on_every_shipped_instance() {
    use aistack::backend::highs::Highs;
    use aistack::backend::Resolver;

    let names = shipped_instances();
    let settings = Settings::default();
    let mut compared = 0;
    for n in &names {
        let s = instance(n);
        let program = formulation::build(&s, &BuildOptions::from_file(&s)).relaxed();
        let base = Highs.solve(&program, &settings).unwrap();
        if base.status != Status::Optimal {
            continue;
        }
        let mut lp = Resolver::new(&Highs, &program, &settings);
        assert!(lp.is_warm(), "{n}: HiGHS keeps the LP loaded");
        // Edits as the analyses make them: the objective replaced (alternatives, quantity
        // ranges), then a balance row's right-hand side moved (price checks).
        let columns = program.columns.len();
        let balance: Vec<usize> = (0..program.rows.len())
            .filter(|&r| matches!(program.rows[r].row, Row::Balance { .. }))
            .step_by(7)
            .collect();
        let mut edits = 0;
        for (k, j) in (0..columns).step_by(columns / 6 + 1).enumerate() {
            let sign = if k % 2 == 0 { 1.0 } else { -1.0 };
            lp.set_objective(&[(j, sign), ((j + 1) % columns, 0.5)]);
            if let Some(&r) = balance.get(k) {
                let rhs = program.rows[r].rhs + 1e-3;
                lp.set_rhs(r, rhs);
            }
            let warm = lp.solve().unwrap();
            let cold = Highs.solve(lp.program(), &settings).unwrap();
            assert_eq!(warm.status, cold.status, "{n}: edit {k}");
            if cold.status == Status::Optimal {
                let rel = (warm.objective - cold.objective).abs() / cold.objective.abs().max(1.0);
                assert!(
                    rel <= 1e-9,
                    "{n}: edit {k}: warm {} cold {} (relative {rel:e})",
                    warm.objective,
                    cold.objective
                );
                edits += 1;
            }
        }
        compared += edits;
    }
    assert!(compared > 20, "only {compared} edits compared");
}
