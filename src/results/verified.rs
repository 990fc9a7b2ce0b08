//! Verified solves (issue 9, "no silent wrong answer").
//!
//! Every solution is checked against the program as written before it is reported
//! ([`crate::backend::verify`]): bounds, rows and integrality (relative), the MIP objective
//! against the objective of the LP with the integers fixed, the duality gap of the pricing LP
//! and, where the scenario is known, the welfare residual. A solution that fails is re-solved
//! once with safer settings ([`Settings::safe`]: exact integrality, so a big-M row
//! `p <= (K0 + X) y` cannot carry output on a `y` of 1e-7, and row/column scaling); a solution
//! that still fails is reported with status `numerical_trouble`, naming the check and the
//! coefficient range. An infeasible or unbounded answer on a program whose coefficients span
//! more than [`verify::RANGE_WARNING`] is re-solved the same way before it is believed.

use super::{price, Outcome, Solution, SolveConfig, SolveError};
use crate::backend::verify::{self, Check, Checks, CoefficientRange, Failure};
use crate::backend::{RawSolution, Settings, Status};
use crate::formulation::{BuildOptions, Program, Var};
use crate::scenario::Scenario;

/// An extra check that needs more than the program (the welfare identity needs the scenario).
pub(super) type Extra<'a> = Option<&'a dyn Fn(&Outcome) -> Option<Failure>>;

struct Attempt {
    outcome: Outcome,
    /// The objective the MIP solve reported (before the integers were fixed).
    mip_objective: Option<f64>,
}

/// One solve and pricing with `settings`.
///
/// A MIP search leaves [`crate::backend::PRICING_SHARE`] of the remaining budget for pricing.
/// A solution that the time limit stopped (a MIP incumbent), or one whose pricing ran out of
/// time, is reported with status `time_limit`, its values, W and gap, and prices where the
/// pricing LP could still be solved; where it could not, without prices (`checks.unpriced`).
fn attempt(
    program: Program,
    config: &SolveConfig,
    settings: &Settings,
) -> Result<Attempt, SolveError> {
    let backend = config.backend()?;
    let mip = program.is_mip();
    let raw = if mip {
        backend.solve(&program, &settings.for_search())?
    } else {
        backend.solve(&program, settings)?
    };
    let mut outcome = Outcome {
        status: raw.status,
        backend: backend.name(),
        mip,
        relaxed: !mip
            && program.columns.iter().any(|c| {
                matches!(
                    c.var,
                    Var::Operate { .. } | Var::SegmentOn { .. } | Var::FillOn { .. }
                )
            }),
        gap: raw.gap,
        program,
        solution: None,
        checks: Checks::default(),
        active: Vec::new(),
        scenario_warnings: Vec::new(),
    };
    if !raw.has_values() {
        return Ok(Attempt {
            outcome,
            mip_objective: None,
        });
    }
    let stopped = raw.status == Status::TimeLimit;
    let priced = if stopped && settings.expired() {
        Err("no time was left to price it".to_string())
    } else {
        settings.report(crate::backend::progress::Info::stage("pricing"));
        let priced = SolveConfig {
            settings: settings.clone(),
            ..config.clone()
        };
        match price(&outcome.program, &raw, backend.as_ref(), &priced) {
            Ok(solution) => Ok(solution),
            // The budget ran out while pricing: a time limit, not an error.
            Err(e) if stopped || settings.expired() => Err(format!("pricing stopped: {e}")),
            Err(e) => return Err(e),
        }
    };
    match priced {
        Ok(solution) => outcome.solution = Some(solution),
        Err(why) => {
            outcome.status = Status::TimeLimit;
            outcome.solution = Some(unpriced(&outcome.program, &raw));
            outcome.checks.unpriced = Some(format!(
                "time limit reached: the best solution found is reported{} without prices \
                 ({why}); price, rent, profit and welfare tables are empty",
                raw.gap
                    .filter(|_| mip)
                    .map_or(String::new(), |g| format!(" (MIP gap {g:.1e})"))
            ));
        }
    }
    Ok(Attempt {
        outcome,
        mip_objective: mip.then_some(raw.objective),
    })
}

/// A solution without prices: the backend's values (integer columns rounded) and their W;
/// duals are NaN (never read: `checks.unpriced` empties the price-dependent tables).
fn unpriced(program: &Program, raw: &RawSolution) -> Solution {
    let values: Vec<f64> = program
        .columns
        .iter()
        .zip(&raw.values)
        .map(|(c, &x)| if c.integer { x.round() } else { x })
        .collect();
    Solution {
        objective: program.objective_value(&values),
        values,
        duals: vec![f64::NAN; program.rows.len()],
        dual_objective: f64::NAN,
        face: None,
        canonical_failed: None,
    }
}

/// The first check `a` fails, if any.
fn check(a: &Attempt, extra: Extra) -> Option<Failure> {
    let o = &a.outcome;
    let sol = o.solution.as_ref()?;
    if let Some(f) = verify::primal(&o.program, &sol.values) {
        return Some(f);
    }
    if let Some(m) = a.mip_objective {
        let scale = verify::objective_scale(&o.program, &sol.values);
        if let Some(f) = verify::mip_objective(m, sol.objective, scale, 0.0) {
            return Some(f);
        }
    }
    // Without prices there is no duality gap or welfare split to check.
    if o.checks.unpriced.is_some() {
        return None;
    }
    let gap = verify::duality_gap(
        &o.program,
        &sol.values,
        &sol.duals,
        sol.objective,
        sol.dual_objective,
    );
    if let Some(f) = verify::strong_duality(gap) {
        return Some(f);
    }
    extra.and_then(|e| e(o))
}

fn solver_failure(e: &SolveError) -> Failure {
    Failure {
        check: Check::Solver,
        value: f64::INFINITY,
        tolerance: 0.0,
        detail: e.to_string(),
    }
}

/// Solve, price and verify `program`, retrying once with safer settings.
pub(super) fn solve_verified(
    program: Program,
    config: &SolveConfig,
    extra: Extra,
) -> Result<Outcome, SolveError> {
    let range = CoefficientRange::of(&program);
    let wide = range.ratio() > verify::RANGE_WARNING;
    let settings = &config.settings;
    // Unknown backend: an error before anything else.
    config.backend()?;
    let first = attempt(program.clone(), config, settings);
    let failure = match &first {
        Ok(a) => check(a, extra),
        Err(e) => Some(solver_failure(e)),
    };
    let doubtful = matches!(&first, Ok(a)
        if wide && matches!(a.outcome.status, Status::Infeasible | Status::Unbounded));
    if failure.is_none() && !doubtful {
        let mut o = first?.outcome;
        o.checks = Checks {
            range,
            failure: None,
            retried: None,
            unpriced: o.checks.unpriced.take(),
        };
        return Ok(o);
    }
    let second = if settings.expired() {
        None
    } else {
        settings.report(crate::backend::progress::Info::stage(
            "re-solving with safe settings (verification)",
        ));
        Some(attempt(program, config, &settings.safe()))
    };
    let failure2 = match &second {
        Some(Ok(a)) => check(a, extra),
        Some(Err(e)) => Some(solver_failure(e)),
        None => None,
    };
    let first_failure = failure.clone().unwrap_or_else(|| Failure {
        check: Check::Solver,
        value: f64::INFINITY,
        tolerance: 0.0,
        detail: "an infeasible or unbounded answer on a program with a wide coefficient range"
            .into(),
    });
    let first_status = first.as_ref().ok().map(|a| a.outcome.status);
    match (first, second) {
        // The safe retry passes every check: report it (a status it confirms is no failure).
        (_, Some(Ok(a))) if failure2.is_none() => {
            let confirmed = failure.is_none() && first_status == Some(a.outcome.status);
            let mut o = a.outcome;
            o.checks = Checks {
                range,
                failure: None,
                retried: (!confirmed).then_some(first_failure),
                unpriced: o.checks.unpriced.take(),
            };
            Ok(o)
        }
        // A status that passed every check that applies to it, which the retry could not
        // confirm or contradict cleanly: keep it.
        (Ok(a), _) if failure.is_none() => {
            let mut o = a.outcome;
            o.checks = Checks {
                range,
                failure: None,
                retried: None,
                unpriced: o.checks.unpriced.take(),
            };
            Ok(o)
        }
        // Both fail (or there was no time to retry): not optimal.
        (first, second) => {
            let (mut o, f) = match (second, first) {
                (Some(Ok(a)), _) => (a.outcome, failure2.expect("checked above")),
                (_, Ok(a)) => (a.outcome, first_failure.clone()),
                (Some(Err(e)), Err(_)) | (None, Err(e)) => return Err(e),
            };
            if o.solution.is_some() || o.status == Status::Optimal {
                o.status = Status::NumericalTrouble;
            }
            o.checks = Checks {
                range,
                failure: Some(f),
                retried: Some(first_failure),
                unpriced: o.checks.unpriced.take(),
            };
            Ok(o)
        }
    }
}

/// The welfare identity (MODEL.md 7): country welfare sums to W, relative to the magnitude of
/// the welfare terms.
///
/// Units delivered free by an analysis (`extra_delivery`, finite differences) belong to no
/// country: their value Λ q is added to the sum of country welfare before comparing with W.
pub(super) fn welfare_check(s: &Scenario, opts: &BuildOptions, o: &Outcome) -> Option<Failure> {
    if o.program.stochastic.is_some() {
        return super::stochastic::welfare_check(s, opts, o);
    }
    let v = super::View::new(s, o)?;
    let w = v.sol.objective;
    let (mut total, magnitude) = welfare_sums(&super::welfare(&v));
    for &(c, l, t, q) in &opts.extra_delivery {
        total += v.big_lambda(c, l, t) * q;
    }
    let magnitude = magnitude.max(verify::DATA_FLOOR * verify::data_scale(&o.program));
    verify::welfare(verify::welfare_residual(w, total, magnitude))
}

/// Sum of country totals and of the magnitudes of their parts.
pub(crate) fn welfare_sums(welfare: &[super::WelfareEntry]) -> (f64, f64) {
    let total = welfare.iter().map(|x| x.total).sum();
    let magnitude = welfare
        .iter()
        .map(|x| x.consumers.abs() + x.producers.abs() + x.rents.abs())
        .sum();
    (total, magnitude)
}
