//! Exact LP duals for backends that return none: solve the explicit dual LP.
//!
//! Primal (every program here): max c'x s.t. A_i x (<=, >=, =) b_i, l <= x <= u.
//! Dual, with y_i = dW*/db_i (y >= 0 on `<=` rows, y <= 0 on `>=` rows, free on `=` rows):
//! min b'y + sum_j (u_j w_j - l_j v_j) s.t. A_j'y + w_j - v_j = c_j, w, v >= 0.
//! A vertex of this LP is an exact dual solution; any optimal dual is complementary to any
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
            pb.add_var(r.rhs, bounds)
        })
        .collect();
    let mut by_col: Vec<Vec<(microlp::Variable, f64)>> = vec![Vec::new(); program.columns.len()];
    for (i, r) in program.rows.iter().enumerate() {
        for &(j, a) in &r.terms {
            by_col[j].push((ys[i], a));
        }
    }
    for (j, col) in program.columns.iter().enumerate() {
        let mut expr = std::mem::take(&mut by_col[j]);
        let (l, u) = (col.lower, col.upper);
        if l == u {
            // Fixed column: its reduced cost is free and worth l per unit.
            expr.push((pb.add_var(l, (f64::NEG_INFINITY, f64::INFINITY)), 1.0));
            pb.add_constraint(expr.as_slice(), ComparisonOp::Eq, col.objective);
            continue;
        }
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
    opts.time_limit = settings.time_limit.map(std::time::Duration::from_secs_f64);
    let sol = pb
        .solve_with(opts)
        .map_err(|e| BackendError::Failed { backend: "microlp (dual LP)", message: e.to_string() })?
        .into_solution()
        .map_err(|_| BackendError::Failed {
            backend: "microlp (dual LP)",
            message: "time limit reached before the dual LP was solved".into(),
        })?;
    Ok(Duals { duals: ys.iter().map(|&y| sol.var_value(y)).collect(), objective: sol.objective() })
}
