//! Exact LP duals for backends that return none: solve the explicit dual LP.
//!
//! Primal (every program here): max c'x s.t. A_i x (<=, >=, =) b_i, l <= x <= u.
//! Dual, with y_i = dW*/db_i (y >= 0 on `<=` rows, y <= 0 on `>=` rows, free on `=` rows):
//! min b'y + sum_j (u_j w_j - l_j v_j) s.t. A_j'y + w_j - v_j = c_j, w, v >= 0.
//! Fixed columns (l = u) are moved to the right-hand side first. A vertex of this LP is an
//! exact dual solution; any optimal dual is complementary to any
//! optimal primal, so the welfare identity of MODEL.md section 7 holds with it.

use microlp::{ComparisonOp, OptimizationDirection, Problem};

use super::{BackendError, Settings};
use crate::formulation::{Program, Sense};

/// Duals of an LP (no integer columns) and the dual objective.
pub struct Duals {
    pub duals: Vec<f64>,
    pub objective: f64,
}

pub fn solve_dual(program: &Program, settings: &Settings) -> Result<Duals, BackendError> {
    if settings.scaling {
        // Safe retry: the dual of the equilibrated program, duals mapped back (the dual
        // objective is unchanged by scaling).
        let (scaled, factors) = super::scaling::scale(program);
        let plain = Settings {
            scaling: false,
            ..settings.clone()
        };
        let d = solve_dual(&scaled, &plain)?;
        return Ok(Duals {
            duals: factors.duals(&d.duals),
            objective: d.objective,
        });
    }
    if settings.expired() {
        return Err(BackendError::Failed {
            backend: "microlp (dual LP)",
            message: "time limit reached before the dual LP was solved".into(),
        });
    }
    // Fixed columns (integers after restricted pricing) are moved to the right-hand side: their
    // dual constraint only defines a free reduced cost, and free variables can stall microlp.
    let fixed = |j: usize| program.columns[j].lower == program.columns[j].upper;
    let mut constant = 0.0;
    for (j, col) in program.columns.iter().enumerate() {
        if fixed(j) {
            constant += col.lower * col.objective;
        }
    }
    let mut pb = Problem::new(OptimizationDirection::Minimize);
    let ys: Vec<microlp::Variable> = program
        .rows
        .iter()
        .map(|r| {
            let bounds = match r.sense {
                Sense::Le => (0.0, f64::INFINITY),
                Sense::Ge => (f64::NEG_INFINITY, 0.0),
                Sense::Eq => (f64::NEG_INFINITY, f64::INFINITY),
            };
            let moved: f64 = r
                .terms
                .iter()
                .filter(|&&(j, _)| fixed(j))
                .map(|&(j, a)| a * program.columns[j].lower)
                .sum();
            pb.add_var(r.rhs - moved, bounds)
        })
        .collect();
    let mut by_col: Vec<Vec<(microlp::Variable, f64)>> = vec![Vec::new(); program.columns.len()];
    for (i, r) in program.rows.iter().enumerate() {
        for &(j, a) in &r.terms {
            by_col[j].push((ys[i], a));
        }
    }
    for (j, col) in program.columns.iter().enumerate() {
        if fixed(j) {
            continue;
        }
        let mut expr = std::mem::take(&mut by_col[j]);
        let (l, u) = (col.lower, col.upper);
        if u.is_finite() {
            expr.push((pb.add_var(u, (0.0, f64::INFINITY)), 1.0));
        }
        if l == 0.0 {
            pb.add_constraint(expr.as_slice(), ComparisonOp::Ge, col.objective);
        } else if l.is_finite() {
            expr.push((pb.add_var(-l, (0.0, f64::INFINITY)), -1.0));
            pb.add_constraint(expr.as_slice(), ComparisonOp::Eq, col.objective);
        } else {
            pb.add_constraint(expr.as_slice(), ComparisonOp::Eq, col.objective);
        }
    }
    let mut opts = microlp::SolveOptions::default();
    opts.time_limit = settings.remaining();
    let sol = pb
        .solve_with(opts)
        .map_err(|e| BackendError::Failed {
            backend: "microlp (dual LP)",
            message: e.to_string(),
        })?
        .into_solution()
        .map_err(|_| BackendError::Failed {
            backend: "microlp (dual LP)",
            message: "time limit reached before the dual LP was solved".into(),
        })?;
    Ok(Duals {
        duals: ys.iter().map(|&y| sol.var_value(y)).collect(),
        objective: sol.objective() + constant,
    })
}

#[cfg(test)]
mod tests {
    //! Pin the sign convention: duals are dW*/d(rhs) of the maximisation as written, so `<=`
    //! rows have duals >= 0, `>=` rows <= 0; a minimisation is the maximisation of -cost.
    use approx::assert_relative_eq;

    use super::*;
    use crate::formulation::fixtures::{row, var};

    fn duals(p: &Program) -> Duals {
        solve_dual(p, &Settings::default()).expect("dual LP solves")
    }

    /// max x s.t. x <= 4: W = 4, raising the rhs by one raises W by one.
    #[test]
    fn le_row_under_max() {
        let mut p = Program::default();
        let x = p.add_column(var(0), 0.0, f64::INFINITY, 1.0, false);
        p.add_row(row(0), vec![(x, 1.0)], Sense::Le, 4.0);
        let d = duals(&p);
        assert_relative_eq!(d.duals[0], 1.0, epsilon = 1e-9);
        assert_relative_eq!(d.objective, 4.0, epsilon = 1e-9);
    }

    /// min x s.t. x >= 2, written max -x: W = -2; raising the rhs to 3 lowers W by one.
    #[test]
    fn ge_row_under_min() {
        let mut p = Program::default();
        let x = p.add_column(var(0), 0.0, f64::INFINITY, -1.0, false);
        p.add_row(row(0), vec![(x, 1.0)], Sense::Ge, 2.0);
        let d = duals(&p);
        assert_relative_eq!(d.duals[0], -1.0, epsilon = 1e-9);
        assert_relative_eq!(
            crate::results::shadow_value(Sense::Ge, d.duals[0]),
            1.0,
            epsilon = 1e-9
        );
        assert_relative_eq!(d.objective, -2.0, epsilon = 1e-9);
    }

    /// max 3x + 2y s.t. x + y <= 4, x + 3y <= 7, 0 <= x <= 3: x = 3, y = 1, W = 11. Row 1
    /// prices y's objective (2); row 2 is slack (0); x sits at its bound with reduced cost 1,
    /// so the dual objective is 4*2 + 3*1 = 11.
    #[test]
    fn bounded_column_and_slack_row() {
        let mut p = Program::default();
        let x = p.add_column(var(0), 0.0, 3.0, 3.0, false);
        let y = p.add_column(var(1), 0.0, f64::INFINITY, 2.0, false);
        p.add_row(row(0), vec![(x, 1.0), (y, 1.0)], Sense::Le, 4.0);
        p.add_row(row(1), vec![(x, 1.0), (y, 3.0)], Sense::Le, 7.0);
        let d = duals(&p);
        assert_relative_eq!(d.duals[0], 2.0, epsilon = 1e-9);
        assert_relative_eq!(d.duals[1], 0.0, epsilon = 1e-9);
        assert_relative_eq!(d.objective, 11.0, epsilon = 1e-9);
    }

    /// min 2a + 3b s.t. a + b >= 4, a - b = 0: a = b = 2, cost 10 (W = -10). Raising the `>=`
    /// rhs to 5 costs 2.5 (dual -2.5); raising the `=` rhs to 1 gives a = 2.5, b = 1.5, cost
    /// 9.5 (dual +0.5).
    #[test]
    fn ge_and_eq_rows_under_min() {
        let mut p = Program::default();
        let a = p.add_column(var(0), 0.0, f64::INFINITY, -2.0, false);
        let b = p.add_column(var(1), 0.0, f64::INFINITY, -3.0, false);
        p.add_row(row(0), vec![(a, 1.0), (b, 1.0)], Sense::Ge, 4.0);
        p.add_row(row(1), vec![(a, 1.0), (b, -1.0)], Sense::Eq, 0.0);
        let d = duals(&p);
        assert_relative_eq!(d.duals[0], -2.5, epsilon = 1e-9);
        assert_relative_eq!(d.duals[1], 0.5, epsilon = 1e-9);
        assert_relative_eq!(d.objective, -10.0, epsilon = 1e-9);
    }

    /// max x + y with x fixed at 2 (a fixed integer after restricted pricing), y <= 5 - x:
    /// W = 5; the row's dual is 1.
    #[test]
    fn fixed_column() {
        let mut p = Program::default();
        let x = p.add_column(var(0), 2.0, 2.0, 1.0, false);
        let y = p.add_column(var(1), 0.0, f64::INFINITY, 1.0, false);
        p.add_row(row(0), vec![(x, 1.0), (y, 1.0)], Sense::Le, 5.0);
        let d = duals(&p);
        assert_relative_eq!(d.duals[0], 1.0, epsilon = 1e-9);
        assert_relative_eq!(d.objective, 5.0, epsilon = 1e-9);
    }
}
