//! Verification of a solution against the original program, before it is reported (issue 9:
//! "no silent wrong answer").
//!
//! Every tolerance here is relative to the magnitudes involved, so rescaling money or
//! quantities by a power of ten does not change a verdict:
//! - bounds and rows: violation <= [`ROW_TOLERANCE`] × max(|bound or rhs|, sum_j |a_j x_j|)
//!   + [`ABSOLUTE_FLOOR`] × max_j |x_j|;
//! - integrality of integer columns (the reported point has them fixed): [`INTEGRALITY_TOLERANCE`];
//! - MIP objective against the objective of the LP with the integers fixed (a MIP point that
//!   only met its rows through the integrality tolerance loses value when its integers are
//!   rounded): the loss <= max(MIP gap, [`OBJECTIVE_TOLERANCE`]) × scale;
//! - duality gap of the pricing LP and the welfare residual (MODEL.md 7): <=
//!   [`DUALITY_TOLERANCE`] and [`WELFARE_TOLERANCE`] relative to the sum of the magnitudes of
//!   the terms that make up W (so that a W near zero is not judged against itself).
//!
//! The coefficient range of a program is reported with every failure, and a range wider than
//! [`RANGE_WARNING`] (microlp's documented safe range) is warned about.

use serde::Serialize;

use crate::formulation::{Program, Sense};

/// Relative violation allowed on a row or bound.
pub const ROW_TOLERANCE: f64 = 1e-6;
/// Floor under the row and bound tolerances, relative to the largest column value of the
/// point (round-off of rows whose terms are all tiny; still scale-free).
pub const ABSOLUTE_FLOOR: f64 = 1e-9;
/// Distance from an integer allowed for an integer column of a reported point.
pub const INTEGRALITY_TOLERANCE: f64 = 1e-9;
/// Relative loss allowed between a MIP's objective and its fixed-integer LP's.
pub const OBJECTIVE_TOLERANCE: f64 = 1e-6;
/// Relative duality gap allowed on the pricing LP.
pub const DUALITY_TOLERANCE: f64 = 1e-6;
/// Relative welfare residual allowed (country welfare sums to W).
pub const WELFARE_TOLERANCE: f64 = 1e-6;
/// Largest ratio of the largest to the smallest nonzero constraint coefficient without a
/// warning.
pub const RANGE_WARNING: f64 = 1e6;

/// Smallest and largest nonzero finite magnitude of a set of numbers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Span {
    pub min: f64,
    pub max: f64,
}

impl Default for Span {
    fn default() -> Self {
        Span {
            min: f64::INFINITY,
            max: 0.0,
        }
    }
}

impl Span {
    fn add(&mut self, v: f64) {
        let a = v.abs();
        if a > 0.0 && a.is_finite() {
            self.min = self.min.min(a);
            self.max = self.max.max(a);
        }
    }

    /// max / min (1 when empty).
    pub fn ratio(&self) -> f64 {
        if self.max > 0.0 {
            self.max / self.min
        } else {
            1.0
        }
    }
}

impl std::fmt::Display for Span {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.max > 0.0 {
            write!(f, "[{:.0e}, {:.0e}]", self.min, self.max)
        } else {
            f.write_str("[none]")
        }
    }
}

/// Coefficient ranges of a program, as HiGHS prints them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct CoefficientRange {
    pub matrix: Span,
    pub objective: Span,
    pub bounds: Span,
    pub rhs: Span,
}

impl CoefficientRange {
    pub fn of(program: &Program) -> CoefficientRange {
        let mut r = CoefficientRange::default();
        for c in &program.columns {
            r.objective.add(c.objective);
            r.bounds.add(c.lower);
            r.bounds.add(c.upper);
        }
        for row in &program.rows {
            r.rhs.add(row.rhs);
            for &(_, a) in &row.terms {
                r.matrix.add(a);
            }
        }
        r
    }

    /// Ratio of the largest to the smallest constraint coefficient.
    pub fn ratio(&self) -> f64 {
        self.matrix.ratio()
    }

    /// A warning when the matrix range is wider than [`RANGE_WARNING`].
    pub fn warning(&self) -> Option<String> {
        (self.ratio() > RANGE_WARNING).then(|| {
            format!(
                "the program's coefficients span {:.0e} (more than {:.0e}): {self}; results are \
                 verified and re-solved with scaling where a check fails",
                self.ratio(),
                RANGE_WARNING
            )
        })
    }
}

impl std::fmt::Display for CoefficientRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "matrix {}, objective {}, bounds {}, rhs {}",
            self.matrix, self.objective, self.bounds, self.rhs
        )
    }
}

/// Which check a solution failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    /// A column outside its bounds.
    Bounds,
    /// A row violated (relative).
    Rows,
    /// An integer column off its integer, or integers whose rounding leaves no feasible LP.
    Integrality,
    /// The LP with the integers fixed is worth less than the MIP claimed.
    MipObjective,
    /// Strong duality of the pricing LP.
    DualityGap,
    /// Country welfare does not sum to W.
    WelfareResidual,
    /// The solver failed (an error, not an answer).
    Solver,
}

impl std::fmt::Display for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Check::Bounds => "variable bounds",
            Check::Rows => "row feasibility",
            Check::Integrality => "integrality",
            Check::MipObjective => "MIP objective vs fixed-integer LP objective",
            Check::DualityGap => "duality gap",
            Check::WelfareResidual => "welfare residual",
            Check::Solver => "solver",
        })
    }
}

/// A failed check: which, by how much, against what tolerance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Failure {
    pub check: Check,
    /// The measured value (relative where the tolerance is).
    pub value: f64,
    pub tolerance: f64,
    pub detail: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} check failed: {} ({:.1e} > tolerance {:.1e})",
            self.check, self.detail, self.value, self.tolerance
        )
    }
}

/// What verification found for one outcome.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Checks {
    /// Coefficient range of the program as written.
    pub range: CoefficientRange,
    /// The check that the reported solution still fails (status `numerical_trouble`).
    pub failure: Option<Failure>,
    /// The first attempt failed a check and the program was re-solved with safer settings
    /// (exact integrality, scaling); this is what it failed.
    pub retried: Option<Failure>,
    /// Why the reported solution has no prices: the time limit stopped the solve with a
    /// solution (a MIP incumbent, or an optimum whose pricing did not fit in the budget) and
    /// the pricing LP could not be solved in what remained. Values, W and the MIP gap are
    /// reported; price-dependent tables are empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unpriced: Option<String>,
}

impl Checks {
    /// Warnings for people (coefficient range, retries).
    pub fn warnings(&self) -> Vec<String> {
        let mut w: Vec<String> = self.range.warning().into_iter().collect();
        if let Some(f) = &self.retried {
            w.push(format!(
                "first solve failed verification ({f}); re-solved with exact integrality and scaling"
            ));
        }
        if let Some(u) = &self.unpriced {
            w.push(u.clone());
        }
        w
    }
}

/// `diff / scale`, 0 when `diff` is 0 (so 0/0 is no failure).
pub fn relative(diff: f64, scale: f64) -> f64 {
    let d = diff.abs();
    if d == 0.0 {
        0.0
    } else if d.is_nan() || scale.is_nan() {
        f64::INFINITY
    } else {
        d / scale.abs().max(f64::MIN_POSITIVE)
    }
}

/// What the columns could be worth at their finite bounds: sum of |c_j| × the larger finite
/// bound. A program whose optimum is 0 (nothing produced) still has this scale, so round-off
/// of 1e-30 in W is not read as a relative error of 1; it scales with money × quantity like W.
pub fn data_scale(program: &Program) -> f64 {
    program
        .columns
        .iter()
        .map(|c| {
            let b = [c.lower, c.upper]
                .into_iter()
                .filter(|b| b.is_finite())
                .fold(0.0f64, |m, b| m.max(b.abs()));
            c.objective.abs() * b
        })
        .sum()
}

/// Fraction of [`data_scale`] below which W-sized quantities count as zero.
pub const DATA_FLOOR: f64 = 1e-6;

/// Sum of |c_j x_j|: the magnitude of the terms that make up the objective at `values`.
pub fn objective_scale(program: &Program, values: &[f64]) -> f64 {
    program
        .columns
        .iter()
        .zip(values)
        .map(|(c, v)| (c.objective * v).abs())
        .sum()
}

/// Check a point against the original program: bounds, integrality, rows (all relative).
/// Returns the worst failure, if any.
pub fn primal(program: &Program, values: &[f64]) -> Option<Failure> {
    if values.len() != program.columns.len() {
        return Some(Failure {
            check: Check::Solver,
            value: f64::INFINITY,
            tolerance: 0.0,
            detail: format!(
                "{} values for {} columns",
                values.len(),
                program.columns.len()
            ),
        });
    }
    // The quantity scale of the program: its values and its finite column bounds, so a solution
    // that is all zeros (nothing produced) is still judged against the sizes in the data.
    let xmax = values
        .iter()
        .chain(program.columns.iter().flat_map(|c| [&c.lower, &c.upper]))
        .filter(|v| v.is_finite())
        .fold(0.0f64, |m, v| m.max(v.abs()));
    let floor = ABSOLUTE_FLOOR * xmax + 1e-300;
    let mut worst: Option<Failure> = None;
    let mut keep = |f: Failure| {
        if worst
            .as_ref()
            .is_none_or(|w| f.value / f.tolerance > w.value / w.tolerance)
        {
            worst = Some(f);
        }
    };
    for (c, &x) in program.columns.iter().zip(values) {
        if !x.is_finite() {
            keep(Failure {
                check: Check::Bounds,
                value: f64::INFINITY,
                tolerance: ROW_TOLERANCE,
                detail: format!("column {:?} = {x}", c.var),
            });
            continue;
        }
        let below = c.lower - x;
        let above = x - c.upper;
        let (viol, bound) = if below > above {
            (below, c.lower)
        } else {
            (above, c.upper)
        };
        if viol > ROW_TOLERANCE * bound.abs().max(x.abs()) + floor {
            keep(Failure {
                check: Check::Bounds,
                value: relative(viol, bound.abs().max(x.abs())),
                tolerance: ROW_TOLERANCE,
                detail: format!(
                    "column {:?} = {x:e} outside [{:e}, {:e}]",
                    c.var, c.lower, c.upper
                ),
            });
        }
        if c.integer && (x - x.round()).abs() > INTEGRALITY_TOLERANCE {
            keep(Failure {
                check: Check::Integrality,
                value: (x - x.round()).abs(),
                tolerance: INTEGRALITY_TOLERANCE,
                detail: format!("integer column {:?} = {x:e}", c.var),
            });
        }
    }
    for row in &program.rows {
        let mut lhs = 0.0;
        let mut mag = row.rhs.abs();
        let mut terms = 0.0;
        for &(j, a) in &row.terms {
            lhs += a * values[j];
            terms += (a * values[j]).abs();
        }
        mag = mag.max(terms);
        let viol = match row.sense {
            Sense::Le => lhs - row.rhs,
            Sense::Ge => row.rhs - lhs,
            Sense::Eq => (lhs - row.rhs).abs(),
        };
        if viol > ROW_TOLERANCE * mag + floor || viol.is_nan() {
            keep(Failure {
                check: Check::Rows,
                value: relative(viol, mag),
                tolerance: ROW_TOLERANCE,
                detail: format!(
                    "row {:?}: lhs {lhs:e} vs rhs {:e} (violation {viol:.1e})",
                    row.row, row.rhs
                ),
            });
        }
    }
    worst
}

/// The LP with the integers fixed must be worth what the MIP claimed, up to the MIP gap.
pub fn mip_objective(mip: f64, fixed_lp: f64, scale: f64, mip_gap: f64) -> Option<Failure> {
    let tol = mip_gap.max(OBJECTIVE_TOLERANCE);
    let scale = scale.max(mip.abs()).max(fixed_lp.abs());
    let loss = relative((mip - fixed_lp).max(0.0), scale);
    (loss > tol || fixed_lp.is_nan()).then(|| Failure {
        check: Check::MipObjective,
        value: loss,
        tolerance: tol,
        detail: format!(
            "the MIP reported W = {mip:.6e}, its integers fixed give W = {fixed_lp:.6e} (an \
             integer column off its integer under a large coefficient)"
        ),
    })
}

/// Relative duality gap |primal - dual| / max(|primal|, |dual|, sum |c_j x_j|, sum |b_i y_i|).
pub fn duality_gap(
    program: &Program,
    values: &[f64],
    duals: &[f64],
    primal: f64,
    dual: f64,
) -> f64 {
    let dual_scale: f64 = program
        .rows
        .iter()
        .zip(duals)
        .map(|(r, y)| (r.rhs * y).abs())
        .sum();
    let scale = primal
        .abs()
        .max(dual.abs())
        .max(objective_scale(program, values))
        .max(dual_scale)
        .max(DATA_FLOOR * data_scale(program));
    relative(primal - dual, scale)
}

/// Duality-gap check.
pub fn strong_duality(gap: f64) -> Option<Failure> {
    (gap > DUALITY_TOLERANCE || gap.is_nan()).then(|| Failure {
        check: Check::DualityGap,
        value: gap,
        tolerance: DUALITY_TOLERANCE,
        detail: "primal and dual objectives of the pricing LP differ, so the prices are not \
                 exact"
            .into(),
    })
}

/// Welfare residual |sum of country welfare - W| relative to the magnitude of the welfare
/// terms.
pub fn welfare_residual(w: f64, total: f64, magnitude: f64) -> f64 {
    relative(total - w, magnitude.max(w.abs()).max(total.abs()))
}

/// Welfare-residual check.
pub fn welfare(residual: f64) -> Option<Failure> {
    (residual > WELFARE_TOLERANCE || residual.is_nan()).then(|| Failure {
        check: Check::WelfareResidual,
        value: residual,
        tolerance: WELFARE_TOLERANCE,
        detail: "country welfare does not sum to W".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formulation::{Row, Var};

    fn var(i: usize) -> Var {
        Var::Produce {
            country: i,
            layer: 0,
            period: 1,
        }
    }

    /// p <= 1e7 y with y = 1e-7 (within a solver's integrality tolerance) and p = 1: the point
    /// meets the row, but not with y integral.
    #[test]
    fn integrality_under_big_m_is_caught() {
        let mut p = Program::default();
        let x = p.add_column(var(0), 0.0, f64::INFINITY, 1.0, false);
        let y = p.add_column(var(1), 0.0, 1.0, 0.0, true);
        p.add_row(
            Row::Capacity {
                country: 0,
                layer: 0,
                period: 1,
            },
            vec![(x, 1.0), (y, -1e7)],
            Sense::Le,
            0.0,
        );
        let f = primal(&p, &[1.0, 1e-7]).expect("fails");
        assert_eq!(f.check, Check::Integrality);
        assert!(primal(&p, &[1.0, 1.0]).is_none());
        // Row check is relative: scaled by 1e-6 the verdict is the same.
        let f = primal(&p, &[2.0, 0.0]).expect("row violated");
        assert_eq!(f.check, Check::Rows);
        let r = CoefficientRange::of(&p);
        assert_eq!(r.ratio(), 1e7);
        assert!(r.warning().is_some());
    }

    #[test]
    fn relative_measures_are_scale_free() {
        for k in [-9, -3, 0, 3, 9] {
            let s = 10f64.powi(k);
            assert_eq!(
                mip_objective(40.0 * s, 0.0, 40.0 * s, 1e-6).map(|f| f.check),
                Some(Check::MipObjective)
            );
            assert!(mip_objective(40.0 * s, 40.0 * s * (1.0 - 1e-9), 40.0 * s, 1e-6).is_none());
            assert!(welfare(welfare_residual(5.0 * s, 5.0 * s * (1.0 + 1e-3), 5.0 * s)).is_some());
        }
        assert_eq!(relative(0.0, 0.0), 0.0);
    }
}
