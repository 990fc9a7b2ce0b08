//! Results: solving a scenario end to end and putting every value and dual back onto the
//! entity it belongs to (MODEL.md sections 7 and 9).
//!
//! Pipeline: build the program, solve it (MIP or LP), fix the integers at their optimum and
//! re-solve the LP (restricted pricing, O'Neill et al. 2005), take exact duals of that LP, then
//! compute prices, rents, profits, uplifts and welfare by country. Sign conventions are
//! converted in exactly one place, [`shadow_value`].

pub mod face;
pub mod quantity_range;
pub mod ranges;
pub mod stochastic;
mod tables;
mod verified;

pub use tables::*;

use std::sync::Arc;

use face::{Face, FaceError};

use crate::backend::{self, Backend, BackendError, RawSolution, Settings, Status};
use crate::formulation::{self, BuildOptions, Program, Row, Sense, Var};
use crate::scenario::{CountryId, LayerId, OutcomeId, Period, Scenario};

/// Relative tolerance for the strong-duality and welfare checks.
pub const CHECK_TOLERANCE: f64 = 1e-6;

/// The result of one solve: a status and, where a solution exists, everything priced.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub status: Status,
    pub backend: &'static str,
    pub mip: bool,
    pub relaxed: bool,
    /// Relative MIP gap reached (MIPs only).
    pub gap: Option<f64>,
    pub program: Program,
    pub solution: Option<Solution>,
    /// Verification against the program as written (issue 9).
    pub checks: crate::backend::verify::Checks,
    /// Agreement flags the program was built with (empty: as in the file).
    pub active: Vec<bool>,
    /// Scenario warnings under these agreements (MODEL.md 2, 13.2-13.5).
    pub scenario_warnings: Vec<String>,
}

impl Outcome {
    pub fn objective(&self) -> Option<f64> {
        self.solution.as_ref().map(|s| s.objective)
    }

    pub fn is_optimal(&self) -> bool {
        self.status == Status::Optimal && self.solution.is_some()
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.solution {
            Some(s) => write!(
                f,
                "{} {}: W = {:.6} ({} columns, {} rows, backend {})",
                self.status,
                if self.mip { "MIP" } else { "LP" },
                s.objective,
                self.program.columns.len(),
                self.program.rows.len(),
                self.backend
            ),
            None => write!(f, "{} (backend {})", self.status, self.backend),
        }
    }
}

/// A solved program with its duals.
#[derive(Debug, Clone)]
pub struct Solution {
    /// W*, discounted, in `meta.currency`.
    pub objective: f64,
    /// Column values (of the pricing LP: integers fixed at their optimum).
    pub values: Vec<f64>,
    /// Row duals as dW*/d(rhs) of the pricing LP, discounted.
    pub duals: Vec<f64>,
    /// Objective of the dual of the pricing LP (strong duality: equals `objective`).
    pub dual_objective: f64,
    /// The optimal dual face of the pricing LP when the prices are canonical (its least-norm
    /// point); `None` with `--prices any`.
    pub face: Option<Arc<Face>>,
    /// Why canonical prices were asked for but the backend's own duals are reported.
    pub canonical_failed: Option<String>,
}

impl Solution {
    /// |primal - dual| / max(1, |primal|) of the pricing LP.
    pub fn duality_gap(&self) -> f64 {
        (self.objective - self.dual_objective).abs() / self.objective.abs().max(1.0)
    }
}

/// Library errors at the solve level: backend failures only (bad input is a
/// [`crate::scenario::ScenarioError`], infeasibility is a [`Status`]).
#[derive(Debug, thiserror::Error)]
pub enum SolveError {
    #[error(transparent)]
    Backend(#[from] BackendError),
    #[error(transparent)]
    Face(#[from] FaceError),
    #[error("unknown solver backend \"{0}\" (available: {1}; HiGHS needs a build with --features highs)")]
    UnknownBackend(String, String),
}

/// Which solver and settings to use.
#[derive(Debug, Clone)]
pub struct SolveConfig {
    pub backend: String,
    pub settings: Settings,
    pub prices: PriceChoice,
}

/// Which optimal dual is reported (MODEL.md 12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PriceChoice {
    /// The least-norm point of the optimal dual face: the same whichever backend solved the
    /// program and in whatever order its rows were written.
    #[default]
    Canonical,
    /// Whichever optimal dual the backend returns (cheaper on very large programs).
    Any,
}

impl Default for SolveConfig {
    fn default() -> Self {
        SolveConfig {
            backend: "microlp".into(),
            settings: Settings::default(),
            prices: PriceChoice::Canonical,
        }
    }
}

impl SolveConfig {
    pub fn backend(&self) -> Result<Box<dyn Backend>, SolveError> {
        backend::by_name(&self.backend).ok_or_else(|| {
            SolveError::UnknownBackend(self.backend.clone(), backend::available().join(", "))
        })
    }
}

/// Build, solve and price a scenario under `opts`.
pub fn solve(
    s: &Scenario,
    opts: &BuildOptions,
    config: &SolveConfig,
) -> Result<Outcome, SolveError> {
    let program = formulation::build(s, opts);
    let welfare = |o: &Outcome| verified::welfare_check(s, opts, o);
    let mut outcome = verified::solve_verified(program, config, Some(&welfare))?;
    outcome.active = (0..s.agreements.len())
        .map(|a| opts.is_active(a, s))
        .collect();
    outcome.scenario_warnings = formulation::warnings(s, opts);
    Ok(outcome)
}

/// Solve, price and verify an already built program (see [`verified`]).
pub fn solve_program(program: Program, config: &SolveConfig) -> Result<Outcome, SolveError> {
    verified::solve_verified(program, config, None)
}

/// Restricted pricing (MODEL.md 7): fix integers, re-solve the LP, take its duals: the
/// least-norm optimal dual (MODEL.md 12) unless `--prices any`.
fn price(
    program: &Program,
    raw: &RawSolution,
    backend: &dyn Backend,
    config: &SolveConfig,
) -> Result<Solution, SolveError> {
    let settings = &config.settings;
    let (lp, lp_raw) = if program.is_mip() {
        let lp = program.with_integers_fixed(&raw.values);
        if let Some(priced) = price_at_incumbent(&lp, raw, backend, config) {
            return Ok(priced);
        }
        let lp_raw = backend.solve(&lp, settings)?;
        (lp, lp_raw)
    } else {
        (program.clone(), raw.clone())
    };
    let values = if lp_raw.has_values() {
        lp_raw.values.clone()
    } else {
        raw.values.clone()
    };
    // Prefer the LP re-solve's objective: identical to the MIP's up to round-off, and the one
    // the duals belong to.
    let objective = if lp_raw.has_values() {
        lp.objective_value(&values)
    } else {
        raw.objective
    };
    let solver_duals = || -> Result<Vec<f64>, SolveError> {
        Ok(match lp_raw.duals.clone() {
            Some(d) => d,
            None => backend::dual::solve_dual(&lp, settings)?.duals,
        })
    };
    let mut canonical_failed = None;
    let (duals, face) = match config.prices {
        PriceChoice::Canonical => {
            match canonical_face(&lp, &values, objective, settings) {
                Ok((face, y)) => (y, Some(Arc::new(face))),
                // Out of time: a backend's own duals are still exact (said in the output); the
                // explicit dual LP would need time there is no more of.
                Err(FaceError::TimeLimit) if lp_raw.duals.is_none() => {
                    return Err(FaceError::TimeLimit.into())
                }
                // Still exact optimal duals, just not the canonical point: said in the output.
                Err(e) => {
                    canonical_failed = Some(e.to_string());
                    (solver_duals()?, None)
                }
            }
        }
        PriceChoice::Any => (solver_duals()?, None),
    };
    let dual_objective = dual_objective_of(&lp, &values, &duals);
    Ok(Solution {
        objective,
        values,
        duals,
        dual_objective,
        face,
        canonical_failed,
    })
}

/// The optimal dual face of `lp` at the optimal point `values` and its least-norm duals (MODEL.md
/// 12), within what remains of the command's time budget.
fn canonical_face(
    lp: &Program,
    values: &[f64],
    objective: f64,
    settings: &Settings,
) -> Result<(Face, Vec<f64>), FaceError> {
    let weights: Vec<f64> = (0..lp.rows.len()).map(|r| lp.norm_weight(r)).collect();
    let deadline = settings
        .remaining()
        .map(|left| std::time::Instant::now() + left);
    Face::canonical(lp, values, objective, &weights, deadline)
}

/// Canonical prices of a MIP without re-solving the restricted LP (issue 13): a backend without
/// duals would re-solve it only for an optimal point, and the incumbent already is one when
/// branch and bound took it from a node's LP optimum (that node's LP contains the restricted
/// LP, and the incumbent is feasible for it). This is proven, not assumed: the optimal dual
/// face at the incumbent is non-empty only if some dual satisfies complementary slackness with
/// it (primal and dual feasible, complementary: both optimal), and the prices are then checked
/// for strong duality like any other. `None` (re-solve as before) where the incumbent is not
/// exactly the restricted LP's point (an integer not exactly integral, a segment binary
/// normalised) or the face is empty.
fn price_at_incumbent(
    lp: &Program,
    raw: &RawSolution,
    backend: &dyn Backend,
    config: &SolveConfig,
) -> Option<Solution> {
    if backend.capabilities().duals
        || config.prices != PriceChoice::Canonical
        || !raw.has_values()
        || lp.columns.len() != raw.values.len()
    {
        return None;
    }
    let exact = lp
        .columns
        .iter()
        .zip(&raw.values)
        .all(|(c, &v)| c.lower != c.upper || c.lower == v);
    if !exact {
        return None;
    }
    let values = raw.values.clone();
    let objective = lp.objective_value(&values);
    let (face, duals) = canonical_face(lp, &values, objective, &config.settings).ok()?;
    let dual_objective = dual_objective_of(lp, &values, &duals);
    Some(Solution {
        objective,
        values,
        duals,
        dual_objective,
        face: Some(Arc::new(face)),
        canonical_failed: None,
    })
}

/// Dual objective b'y + sum of bound terms, from primal values and row duals (for backends that
/// return duals directly): reduced costs d = c - A'y are charged at the bound they sit on.
fn dual_objective_of(lp: &Program, values: &[f64], duals: &[f64]) -> f64 {
    let mut reduced: Vec<f64> = lp.columns.iter().map(|c| c.objective).collect();
    let mut obj = 0.0;
    for (r, &y) in lp.rows.iter().zip(duals) {
        obj += r.rhs * y;
        for &(j, a) in &r.terms {
            reduced[j] -= a * y;
        }
    }
    for (j, c) in lp.columns.iter().enumerate() {
        let d = reduced[j];
        let bound = if d > 0.0 {
            c.upper
        } else if d < 0.0 {
            c.lower
        } else {
            values[j]
        };
        if d != 0.0 && bound.is_finite() {
            obj += d * bound;
        }
    }
    obj
}

/// The value of relaxing a row by one unit, dW*/d(relaxation) >= 0 at an optimum: the one
/// place where the sign convention of duals is applied.
pub fn shadow_value(sense: Sense, dual: f64) -> f64 {
    match sense {
        Sense::Le | Sense::Eq => dual,
        Sense::Ge => -dual,
    }
}

/// Read access to a solved outcome by entity.
///
/// With uncertainty (MODEL.md 10) a view sees one outcome s: its second-stage columns and rows
/// and the first stage, with the duals of s's rows divided by the risk-adjusted probability q_s
/// (prices "in that outcome's money", per unit of probability). A deterministic view sees
/// everything, unscaled.
#[derive(Clone, Copy)]
pub struct View<'a> {
    pub s: &'a Scenario,
    pub program: &'a Program,
    pub sol: &'a Solution,
    /// The outcome seen (`None`: deterministic).
    pub outcome: Option<OutcomeId>,
    /// q_s of that outcome (1 when deterministic).
    pub q: f64,
}

impl<'a> View<'a> {
    pub fn new(s: &'a Scenario, outcome: &'a Outcome) -> Option<View<'a>> {
        outcome.solution.as_ref().map(|sol| View {
            s,
            program: &outcome.program,
            sol,
            outcome: None,
            q: 1.0,
        })
    }

    /// The view of outcome `o`, whose risk-adjusted probability is `q` (> 0).
    pub fn of_outcome(&self, o: OutcomeId, q: f64) -> View<'a> {
        View {
            s: self.s,
            program: self.program,
            sol: self.sol,
            outcome: Some(o),
            q,
        }
    }

    /// Does the view see a column or row of stage `stage`?
    pub fn sees(&self, stage: Option<OutcomeId>) -> bool {
        stage.is_none() || stage == self.outcome
    }

    pub fn value(&self, v: Var) -> f64 {
        self.program
            .column_in(&v, self.outcome)
            .map_or(0.0, |j| self.sol.values[j])
    }

    /// Column j's coefficient in the welfare this view sees: W, or W_s with the outcome's
    /// extra terms on first-stage columns (the learning fill of τ - 1, MODEL.md 10).
    pub fn column_welfare(&self, j: usize) -> f64 {
        let extra = match (self.outcome, &self.program.stochastic) {
            (Some(s), Some(st)) => st.extra_welfare(s, j),
            _ => 0.0,
        };
        self.program.columns[j].welfare + extra
    }

    /// Dual of row i as this view reports it (an outcome's rows divided by q_s).
    pub fn row_dual(&self, i: usize) -> f64 {
        match self.program.rows[i].outcome {
            Some(_) => self.sol.duals[i] / self.q,
            None => self.sol.duals[i],
        }
    }

    /// Discounted dual (dW*/d rhs) of a row; 0 if the row is absent.
    pub fn dual(&self, r: Row) -> f64 {
        self.program
            .row_in(&r, self.outcome)
            .map_or(0.0, |i| self.row_dual(i))
    }

    /// Shadow value of a row in the row's own period money (divided by δ_t).
    pub fn shadow(&self, r: Row) -> f64 {
        match self.program.row_in(&r, self.outcome) {
            Some(i) => {
                let delta = r.period().map_or(1.0, |t| self.s.discount(t));
                shadow_value(self.program.rows[i].sense, self.row_dual(i)) / delta
            }
            None => 0.0,
        }
    }

    /// Discounted price Λ[c,l,t].
    pub fn big_lambda(&self, c: CountryId, l: LayerId, t: Period) -> f64 {
        self.dual(Row::Balance {
            country: c,
            layer: l,
            period: t,
        })
    }

    /// Discounted export rent Θ[c,l,t].
    pub fn big_theta(&self, c: CountryId, l: LayerId, t: Period) -> f64 {
        self.dual(Row::Origin {
            country: c,
            layer: l,
            period: t,
        })
    }

    /// Price λ[c,l,t] in period-t money.
    pub fn price(&self, c: CountryId, l: LayerId, t: Period) -> f64 {
        self.shadow(Row::Balance {
            country: c,
            layer: l,
            period: t,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::microlp::MicroLp;
    use crate::formulation::fixtures::{row, var};

    /// max x + y with x binary, y <= 2 and y <= 1 + x. With x fixed at 1 the restricted LP is
    /// max 1 + y with y <= 2 and y <= 2: y = 2, W = 3. Both rows are tight, so the optimal duals
    /// are every (u, v) >= 0 with u + v = 1, and the least-norm one is (0.5, 0.5).
    fn program() -> Program {
        let mut p = Program::default();
        let x = p.add_column(var(0), 0.0, 1.0, 1.0, true);
        let y = p.add_column(var(1), 0.0, f64::INFINITY, 1.0, false);
        p.add_row(row(0), vec![(y, 1.0)], Sense::Le, 2.0);
        p.add_row(row(1), vec![(y, 1.0), (x, -1.0)], Sense::Le, 1.0);
        p
    }

    fn incumbent(values: Vec<f64>) -> RawSolution {
        let objective = program().objective_value(&values);
        RawSolution {
            status: Status::Optimal,
            values,
            objective,
            gap: Some(0.0),
            duals: None,
        }
    }

    #[test]
    fn an_optimal_incumbent_is_priced_without_a_re_solve() {
        let p = program();
        let raw = incumbent(vec![1.0, 2.0]);
        let lp = p.with_integers_fixed(&raw.values);
        let sol = price_at_incumbent(&lp, &raw, &MicroLp, &SolveConfig::default())
            .expect("the incumbent is optimal for the restricted LP");
        assert!((sol.objective - 3.0).abs() < 1e-12);
        // Strong duality at the prices found: W = dual objective.
        assert!(
            (sol.dual_objective - 3.0).abs() < 1e-9,
            "{}",
            sol.dual_objective
        );
        for d in &sol.duals {
            assert!((d - 0.5).abs() < 1e-9, "duals {:?}", sol.duals);
        }
    }

    #[test]
    fn an_incumbent_that_is_not_optimal_for_the_restricted_lp_is_re_solved() {
        let p = program();
        // x = 1 but y = 1.5 < 2: feasible, not optimal; no dual is complementary to it.
        let raw = incumbent(vec![1.0, 1.5]);
        let lp = p.with_integers_fixed(&raw.values);
        assert!(price_at_incumbent(&lp, &raw, &MicroLp, &SolveConfig::default()).is_none());
        // An integer off its integer is never taken as the restricted LP's point.
        let raw = incumbent(vec![0.9999999, 2.0]);
        let lp = p.with_integers_fixed(&raw.values);
        assert!(price_at_incumbent(&lp, &raw, &MicroLp, &SolveConfig::default()).is_none());
    }
}
