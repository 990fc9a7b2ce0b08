//! Row and column scaling for the safe retry of a solve (issue 9).
//!
//! Geometric-mean equilibration by powers of two (exact in floating point): row i is multiplied
//! by `r_i`, continuous column j is replaced by `x_j = c_j x'_j`, so the scaled program
//! `max (c_j obj_j) x'_j  s.t.  sum_j (r_i a_ij c_j) x'_j (sense) r_i b_i,  l_j / c_j <= x'_j <=
//! u_j / c_j` has the same optimum and the same objective value. Integer columns are never
//! scaled (`c_j = 1`), so integrality means the same thing. Values are unscaled by
//! `x_j = c_j x'_j` and row duals by `y_i = r_i y'_i`.

use crate::formulation::Program;

/// The factors of one scaling.
#[derive(Debug, Clone)]
pub struct Scaling {
    pub rows: Vec<f64>,
    pub columns: Vec<f64>,
}

/// Nearest power of two of `v > 0` (1 for anything else).
fn pow2(v: f64) -> f64 {
    if v.is_finite() && v > 0.0 {
        2f64.powi(v.log2().round().clamp(-300.0, 300.0) as i32)
    } else {
        1.0
    }
}

/// Scale `program` (a few passes of geometric-mean equilibration) and return the scaled
/// program with its factors.
pub fn scale(program: &Program) -> (Program, Scaling) {
    let (m, n) = (program.rows.len(), program.columns.len());
    let mut r = vec![1.0; m];
    let mut c = vec![1.0; n];
    for _ in 0..4 {
        // Rows: 1 / sqrt(min |a| * max |a|) over the row's scaled entries.
        for (i, row) in program.rows.iter().enumerate() {
            let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
            for &(j, a) in &row.terms {
                let v = (a * c[j]).abs();
                if v > 0.0 {
                    lo = lo.min(v);
                    hi = hi.max(v);
                }
            }
            if hi > 0.0 {
                r[i] = pow2(1.0 / (lo * hi).sqrt());
            }
        }
        // Continuous columns: the same over the column's entries.
        let mut lo = vec![f64::INFINITY; n];
        let mut hi = vec![0.0f64; n];
        for (i, row) in program.rows.iter().enumerate() {
            for &(j, a) in &row.terms {
                let v = (a * r[i]).abs();
                if v > 0.0 {
                    lo[j] = lo[j].min(v);
                    hi[j] = hi[j].max(v);
                }
            }
        }
        for (j, col) in program.columns.iter().enumerate() {
            if !col.integer && hi[j] > 0.0 {
                c[j] = pow2(1.0 / (lo[j] * hi[j]).sqrt());
            }
        }
    }
    let mut p = program.clone();
    for (j, col) in p.columns.iter_mut().enumerate() {
        col.objective *= c[j];
        col.lower /= c[j];
        col.upper /= c[j];
    }
    for (i, row) in p.rows.iter_mut().enumerate() {
        for t in &mut row.terms {
            t.1 *= r[i] * c[t.0];
        }
        row.rhs *= r[i];
    }
    (
        p,
        Scaling {
            rows: r,
            columns: c,
        },
    )
}

/// Units of a program whose magnitudes are this far from 1 (in either direction) are
/// normalised before every microlp solve ([`normalise`]).
pub const NORMALISE_BEYOND: f64 = 1024.0;

/// Geometric mean of the smallest and largest nonzero finite magnitude (None when there is
/// none).
fn typical(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
    for v in values.map(f64::abs).filter(|v| v.is_finite() && *v > 0.0) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    (hi > 0.0).then(|| (lo * hi).sqrt())
}

/// A change of units (issue 9, found by `tests/stress.rs`): a program whose quantities or money
/// are far from 1 (a scenario in tonnes and trillions, or in units of 1e-6) meets microlp's
/// absolute tolerances (feasibility 1e-7, branch-and-bound pruning 1e-9) at the wrong scale, and
/// a MIP with W = 1.4e-8 was reported optimal at 1.38e-8. Every continuous column is measured
/// in units of one power of two q (rows holding one are divided by q, so their continuous
/// entries are unchanged; rows of integers alone are left as they are) and the objective in
/// units of one power of two σ, chosen so the typical bound or rhs and the typical objective
/// term are near 1. Exact in floating point; values map back by [`Scaling::values`] (the
/// objective is recomputed on the original program). None when both are already within
/// [`NORMALISE_BEYOND`] of 1.
pub fn normalise(program: &Program) -> Option<(Program, Scaling)> {
    let quantity = typical(
        program.rows.iter().map(|r| r.rhs).chain(
            program
                .columns
                .iter()
                .filter(|c| !c.integer)
                .map(|c| c.upper),
        ),
    )
    .unwrap_or(1.0);
    let q = pow2(quantity);
    let money = typical(
        program
            .columns
            .iter()
            .map(|c| c.objective * if c.integer { 1.0 } else { q }),
    )
    .unwrap_or(1.0);
    let sigma = pow2(1.0 / money);
    let far = |f: f64| !(1.0 / NORMALISE_BEYOND..=NORMALISE_BEYOND).contains(&f);
    if !far(q) && !far(sigma) {
        return None;
    }
    let c: Vec<f64> = program
        .columns
        .iter()
        .map(|col| if col.integer { 1.0 } else { q })
        .collect();
    let r: Vec<f64> = program
        .rows
        .iter()
        .map(|row| {
            if row.terms.iter().any(|&(j, _)| !program.columns[j].integer) {
                1.0 / q
            } else {
                1.0
            }
        })
        .collect();
    let mut p = program.clone();
    for (j, col) in p.columns.iter_mut().enumerate() {
        col.objective *= c[j] * sigma;
        col.lower /= c[j];
        col.upper /= c[j];
    }
    for (i, row) in p.rows.iter_mut().enumerate() {
        for t in &mut row.terms {
            t.1 *= r[i] * c[t.0];
        }
        row.rhs *= r[i];
    }
    Some((
        p,
        Scaling {
            rows: r,
            columns: c,
        },
    ))
}

impl Scaling {
    /// Column values of the original program from those of the scaled one.
    pub fn values(&self, scaled: &[f64]) -> Vec<f64> {
        scaled
            .iter()
            .zip(&self.columns)
            .map(|(x, c)| x * c)
            .collect()
    }

    /// Row duals (dW*/d rhs) of the original program from those of the scaled one.
    pub fn duals(&self, scaled: &[f64]) -> Vec<f64> {
        scaled.iter().zip(&self.rows).map(|(y, r)| y * r).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formulation::fixtures::{row, var};
    use crate::formulation::Sense;

    /// max x + y s.t. 1e6 x + y <= 2e6, x <= 1e-3 y + 5: scaling keeps the optimum and the
    /// duals map back.
    #[test]
    fn scaling_round_trips() {
        let mut p = Program::default();
        let x = p.add_column(var(0), 0.0, f64::INFINITY, 1.0, false);
        let y = p.add_column(var(1), 0.0, 1e6, 1.0, false);
        p.add_row(row(0), vec![(x, 1e6), (y, 1.0)], Sense::Le, 2e6);
        p.add_row(row(1), vec![(x, 1.0), (y, -1e-3)], Sense::Le, 5.0);
        let (q, s) = scale(&p);
        for row in &q.rows {
            for &(_, a) in &row.terms {
                assert!((1e-3..=1e3).contains(&a.abs()), "scaled entry {a}");
            }
        }
        // A point of the original maps to a point of the scaled program with the same value.
        let orig = [1.0, 1e6];
        let scaled: Vec<f64> = orig.iter().zip(&s.columns).map(|(x, c)| x / c).collect();
        assert_eq!(s.values(&scaled), orig.to_vec());
        assert_eq!(q.objective_value(&scaled), p.objective_value(&orig));
    }
}
