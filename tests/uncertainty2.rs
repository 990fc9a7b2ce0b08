//! Analyses on the stochastic objective (MODEL.md 10, issue 11 items 4-6): `compare` reports an
//! agreement's insurance value, `margins --shock` is the one-outcome special case, the
//! infeasibility diagnosis names the outcome, the world instance with outcomes solves with the
//! welfare identity and strong duality, and building is linear in the number of outcomes.

mod common;

use std::path::Path;

use aistack::analysis::{compare, infeasibility, margins};
use aistack::formulation::{self, BuildOptions};
use aistack::results::{self, Report, SolveConfig};
use common::scenario;

const TOL: f64 = 1e-6;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= TOL * b.abs().max(1.0)
}

fn instance_text(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("instances")
            .join(name),
    )
    .unwrap()
}

/// instances/resilience.toml (its header derives the stochastic plan) with a trade cost of 4
/// on USA -> IND chips and an agreement that removes it.
///
/// Without the agreement USA's chips cost IND 2 + 4 = 6, so a unit of USA capacity is worth
/// 0.25 x (10 - 6) = 1 < 1.5 and nothing is built in USA; IND's standby is worth
/// 0.25 x (10 - 5) = 1.25 > 1, so IND builds 10 (cost 10):
///   W_nominal = 90 - 10 = 80, W_blockade = 10 x 5 - 10 = 40, E[W] = 0.75 x 80 + 0.25 x 40 = 70.
/// With it, the plan of resilience.toml: W_nominal = 77, W_blockade = 55, E[W] = 71.5.
/// Gains: E[W] +1.5; nominal -3, blockade +15; CVaR (tail 0.25 = the blockade) +15. The
/// deterministic world (no blockade) gains nothing: the agreement is pure insurance.
/// By country (all of IND's welfare is IND's whatever the price): without, IND 80 / 40, USA 0.
/// With, λ_blockade = 9 (IND's build at 0 < 4 < 10 prices it: 0.25 (λ - 5) = 1), λ_nominal = 1:
///   nominal: IND consumers 90 + plant -4 = 86, USA -9 (its build);
///   blockade: IND 10 x (10 - 9) + 4 x (9 - 5) - 4 = 22, USA 6 x (9 - 2) - 9 = 33.
/// Expected gains: IND 0.75 x 6 + 0.25 x (-18) = 0, USA 0.75 x (-9) + 0.25 x 33 = 1.5.
fn insured() -> String {
    instance_text("resilience.toml").replacen(
        "\n[uncertainty]\n",
        "[[trade.cost]]\nfrom = \"USA\"\nto = \"IND\"\nlayer = \"chip\"\ncost = 4\n\n\
         [[agreement]]\nid = \"backup-pact\"\nmembers = [\"IND\", \"USA\"]\nactive = false\n\n\
         [[agreement.clause]]\nkind = \"trade_cost_factor\"\nlayers = [\"chip\"]\nfactor = 0\n\n\
         [uncertainty]\n",
        1,
    )
}

#[test]
fn compare_reports_the_insurance_value_of_an_agreement() {
    let s = scenario(&insured());
    let a = s.agreement_index("backup-pact").unwrap();
    let base = compare::baseline_options(&s, a, &[], false).unwrap();
    let c = compare::compare(&s, a, &base, &SolveConfig::default()).unwrap();
    let i = c
        .insurance
        .as_ref()
        .expect("insurance on a stochastic scenario");
    assert!(close(i.expected_without, 70.0), "{}", i.expected_without);
    assert!(close(i.expected_with, 71.5), "{}", i.expected_with);
    assert!(close(i.expected_gain, 1.5));
    assert!(close(i.cvar_without, 40.0) && close(i.cvar_with, 55.0));
    assert!(close(i.cvar_gain, 15.0));
    // Risk neutral: W is E[W].
    assert!(close(c.w_gain, 1.5));
    let gain = |o: &str| i.outcomes.iter().find(|x| x.outcome == o).unwrap().gain;
    assert!(close(gain("nominal"), -3.0), "{}", gain("nominal"));
    assert!(close(gain("blockade"), 15.0), "{}", gain("blockade"));
    let country = |id: &str| c.countries.iter().find(|x| x.country == id).unwrap();
    assert!(close(country("IND").gain, 0.0), "{}", country("IND").gain);
    assert!(close(country("USA").gain, 1.5), "{}", country("USA").gain);
    assert!(close(country("TWN").gain, 0.0));
    let by = |o: &str, id: &str| {
        i.countries_by_outcome
            .iter()
            .find(|x| x.outcome == o && x.country == id)
            .unwrap()
    };
    for (o, id, without, with) in [
        ("nominal", "IND", 80.0, 86.0),
        ("nominal", "USA", 0.0, -9.0),
        ("blockade", "IND", 40.0, 22.0),
        ("blockade", "USA", 0.0, 33.0),
    ] {
        let x = by(o, id);
        assert!(
            close(x.without.unwrap(), without) && close(x.with.unwrap(), with),
            "{o} {id}: {x:?}"
        );
    }
    // The clause is the whole agreement: its value is the gain.
    assert!(c.clauses[0].binds && close(c.clauses[0].value, 1.5));

    // The same file without [uncertainty]: nothing to insure, no gain.
    let mut det = s.clone();
    det.uncertainty = None;
    let c = compare::compare(&det, a, &base, &SolveConfig::default()).unwrap();
    assert!(c.insurance.is_none());
    assert!(close(c.w_gain, 0.0), "{}", c.w_gain);
}

/// `margins --shock TWN:fab` on instances/supply-shock.toml against the same cut written as an
/// outcome of probability 1 (`block` from TWN on fab, from period 1): the shocked program and
/// the one-outcome stochastic program are the same LP, so W, every price and every country's
/// welfare agree.
#[test]
fn a_certain_shock_as_an_outcome_equals_margins_shock() {
    let text = instance_text("supply-shock.toml");
    let s = scenario(&text);
    let config = SolveConfig::default();
    let opts = BuildOptions::from_file(&s);
    let base = results::solve(&s, &opts, &config).unwrap();
    let twn = s.countries.iter().position(|c| c.id == "TWN").unwrap();
    let fab = s.layers.iter().position(|l| l.id == "fab").unwrap();
    let sh = margins::shock(&s, &opts, &config, &base, &[(twn, fab)]).unwrap();

    let st = scenario(&format!(
        "{text}\n[uncertainty]\n\n[[uncertainty.outcome]]\nid = \"cut\"\nprobability = 1\n\
         effects = [{{ kind = \"block\", from = \"TWN\", layers = [\"fab\"] }}]\n"
    ));
    let o = results::solve(&st, &BuildOptions::from_file(&st), &config).unwrap();
    assert!(o.is_optimal());
    let w = o.objective().unwrap();
    assert!(
        close(w, sh.objective_after.unwrap()),
        "{w} vs {:?}",
        sh.objective_after
    );
    let r = Report::new(&st, &o);
    let stoch = r.stochastic.as_ref().unwrap();
    assert_eq!(stoch.outcomes.len(), 1);
    assert!(close(stoch.expected_welfare, w));
    for p in &sh.prices {
        let q = stoch
            .prices_by_outcome
            .iter()
            .find(|x| x.country == p.country && x.layer == p.layer && x.period == p.period)
            .unwrap();
        assert!(
            (q.price.unwrap() - p.after).abs() <= 1e-6 * p.after.abs().max(1.0),
            "{} {} t{}: outcome {:?} vs shock {}",
            p.country,
            p.layer,
            p.period,
            q.price,
            p.after
        );
    }
    for x in &sh.welfare {
        let y = r.welfare.iter().find(|y| y.country == x.country).unwrap();
        assert!(
            close(y.total, x.after),
            "{}: {} vs {}",
            x.country,
            y.total,
            x.after
        );
    }
    // margins' per-outcome matrices carry the same prices.
    let by = margins::margin_tables_by_outcome(&st, &o);
    assert_eq!(by.len(), 1);
    assert!(margins::margin_tables(&st, &o).is_none());
    let tables = by[0].tables.as_ref().unwrap();
    for m in &tables.prices {
        for p in sh.prices.iter().filter(|p| p.period == m.period) {
            let v = m.get(&p.country, &p.layer).unwrap();
            assert!((v - p.after).abs() <= 1e-6 * p.after.abs().max(1.0));
        }
    }
}

/// resilience.toml with IND's demand essential (must_serve = 10) and no backup: the nominal
/// outcome is feasible (TWN supplies), the blockade is not (nothing reaches IND), and the
/// diagnosis says so: "In outcome blockade, ..." naming IND's essential demand.
#[test]
fn the_diagnosis_names_the_outcome_of_the_conflict() {
    let text = instance_text("resilience.toml")
        .replace(
            "blocks = [{ quantity = 10, value = 10 }]",
            "blocks = [{ quantity = 10, value = 10 }]\nmust_serve = 10",
        )
        .replace("max_expansion = 6", "max_expansion = 0")
        .replace("max_expansion = 10", "max_expansion = 0");
    let s = scenario(&text);
    let opts = BuildOptions::from_file(&s);
    let o = results::solve(&s, &opts, &SolveConfig::default()).unwrap();
    assert!(!o.is_optimal());
    let d = infeasibility::diagnose(&s, &opts, &SolveConfig::default()).unwrap();
    assert!(d.infeasible);
    assert_eq!(d.outcome.as_deref(), Some("blockade"));
    assert!(
        d.explanation.starts_with("In outcome blockade, "),
        "{}",
        d.explanation
    );
    assert!(
        d.keys.iter().any(|k| k.kind == "essential"
            && k.country.as_deref() == Some("IND")
            && k.layer.as_deref() == Some("chip")),
        "{:?}",
        d.keys
    );
    // Deterministic: feasible, nothing to name.
    let mut det = s.clone();
    det.uncertainty = None;
    let d = infeasibility::diagnose(&det, &opts, &SolveConfig::default()).unwrap();
    assert!(!d.infeasible && d.outcome.is_none());
}

/// The world with k outcomes of probability 1/k, each with a demand effect.
fn world_with_outcomes(k: usize) -> String {
    let mut t = instance_text("world-2026.toml");
    t.push_str("\n[uncertainty]\n");
    for o in 0..k {
        t.push_str(&format!(
            "\n[[uncertainty.outcome]]\nid = \"o{o}\"\nprobability = {}\n\
             effects = [{{ kind = \"demand\", country = \"USA\", layer = \"compute\", factor = {} }}]\n",
            1.0 / k as f64,
            1.0 + 0.1 * o as f64
        ));
    }
    t
}

/// Building is linear in the number of outcomes (issue 11 item 6): columns, rows and nonzeros
/// of the extensive form are first stage + k x one outcome's second stage, so the increments
/// from 1 to 2 and from 2 to 4 outcomes are one and two second stages, every outcome's the
/// same size.
#[test]
fn building_is_linear_in_the_number_of_outcomes() {
    let size = |k: usize| {
        let s = scenario(&world_with_outcomes(k));
        let p = formulation::build(&s, &BuildOptions::from_file(&s));
        let nnz: usize = p.rows.iter().map(|r| r.terms.len()).sum();
        let per_outcome: Vec<usize> = (0..k)
            .map(|o| p.columns.iter().filter(|c| c.outcome == Some(o)).count())
            .collect();
        assert!(per_outcome.iter().all(|&n| n == per_outcome[0] && n > 0));
        [p.columns.len(), p.rows.len(), nnz]
    };
    let (s1, s2, s4) = (size(1), size(2), size(4));
    for m in 0..3 {
        let one = s2[m] - s1[m];
        assert!(one > 0);
        assert_eq!(s4[m] - s2[m], 2 * one, "measure {m}: {s1:?} {s2:?} {s4:?}");
    }
}

/// instances/world-2026-outcomes.toml is world-2026.toml verbatim plus [uncertainty].
#[test]
fn world_outcomes_is_a_verbatim_copy_of_the_world() {
    let world = instance_text("world-2026.toml");
    let copy = instance_text("world-2026-outcomes.toml");
    assert!(
        copy.contains(&world),
        "regenerate: copy world-2026.toml into it again"
    );
    let tail = &copy[copy.find(&world).unwrap() + world.len()..];
    assert!(tail.trim_start().starts_with("[uncertainty]"));
}

/// The world with three shocks solves, with the expected welfare identity and strong duality,
/// and every shock lowers welfare against the nominal outcome except the demand surge (more
/// demand served is more welfare).
#[test]
fn world_with_outcomes_solves_with_identities() {
    let s = scenario(&instance_text("world-2026-outcomes.toml"));
    let o = results::solve(&s, &BuildOptions::from_file(&s), &SolveConfig::default()).unwrap();
    assert!(o.is_optimal(), "{}", o.status);
    let r = Report::new(&s, &o);
    assert!(r.check_failed.is_none(), "{:?}", r.check_failed);
    let gap = r.duality_gap.expect("priced");
    assert!(gap <= 1e-6, "strong duality gap {gap}");
    let residual = r.welfare_residual.expect("welfare split");
    assert!(residual <= 1e-6, "welfare identity {residual}");
    let st = r.stochastic.as_ref().unwrap();
    let total: f64 = r.welfare.iter().map(|w| w.total).sum();
    assert!(
        close(total, st.expected_welfare),
        "{total} vs {}",
        st.expected_welfare
    );
    let w = |id: &str| st.outcomes.iter().find(|x| x.id == id).unwrap().welfare;
    assert_eq!(st.outcomes.len(), 4);
    assert!(close(st.outcomes[0].probability, 0.62));
    assert!(w("taiwan-blockade") < w("nominal"));
    assert!(w("export-control-escalation") <= w("nominal") + TOL * w("nominal").abs());
    assert!(w("demand-surge") > w("nominal"));
}

/// coalitions on the stochastic objective: the pact of `insured` has two members; alone a
/// member forms nothing (v = 0), together they gain E[W] 71.5 - 70 = 1.5, all of it USA's
/// expected gain (IND's is 0, see `insured`). Shapley: 0.75 each; realised: IND 0, USA 1.5.
#[test]
fn coalition_values_are_expected_gains() {
    use aistack::analysis::coalitions::{self, CoalitionSettings};
    let s = scenario(&insured());
    let a = s.agreement_index("backup-pact").unwrap();
    let base = compare::baseline_options(&s, a, &[], false).unwrap();
    let r = coalitions::coalitions(
        &s,
        a,
        &base,
        &SolveConfig::default(),
        &CoalitionSettings::default(),
        &|_, _| {},
    )
    .unwrap();
    assert!(close(r.grand_value, 1.5), "{}", r.grand_value);
    let p = |id: &str| r.players.iter().find(|x| x.country == id).unwrap();
    assert!(close(p("IND").shapley, 0.75) && close(p("USA").shapley, 0.75));
    assert!(close(p("IND").realised, 0.0) && close(p("USA").realised, 1.5));
}

/// Value added is traced on one input-output system per outcome (decisions.md 153), each
/// outcome's flows at its prices: never the first stage's zeros. resilience.toml's blockade:
/// IND's 10 units at λ = 9 are worth 90 (tests/uncertainty3.rs has the rest).
#[test]
fn value_added_of_a_stochastic_file_is_per_outcome() {
    let s = scenario(&instance_text("resilience.toml"));
    let o = results::solve(&s, &BuildOptions::from_file(&s), &SolveConfig::default()).unwrap();
    assert!(o.is_optimal());
    let va = aistack::analysis::value_added::value_added(&s, &o).unwrap();
    let blockade = va
        .periods
        .iter()
        .find(|p| p.outcome.as_deref() == Some("blockade"))
        .unwrap();
    let ind = blockade.countries.iter().position(|c| c == "IND").unwrap();
    assert!(close(blockade.final_demand[ind], 90.0));
}
