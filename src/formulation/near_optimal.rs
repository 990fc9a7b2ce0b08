//! The near-optimal set of modelling to generate alternatives (MODEL.md section 8): the one
//! program with the row W >= floor added and its objective replaced, so the analyses that
//! explore the set never write a second formulation.

use super::{Program, Row, Sense};

impl Program {
    /// Same program with the row `W >= floor` ([`Row::NearOptimal`]), W being this program's
    /// objective. The objective is kept; replace it with [`Program::with_objective`].
    pub fn near_optimal(&self, floor: f64) -> Program {
        let mut p = self.clone();
        let terms: Vec<(usize, f64)> = self
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.objective != 0.0)
            .map(|(j, c)| (j, c.objective))
            .collect();
        p.add_row(Row::NearOptimal, terms, Sense::Ge, floor);
        p
    }

    /// Same rows and bounds, maximising `terms` (column, coefficient) instead of W; every other
    /// column has objective 0.
    pub fn with_objective(&self, terms: &[(usize, f64)]) -> Program {
        let mut p = self.clone();
        p.set_objective(terms);
        p
    }

    /// Maximise `terms` instead of the objective so far (in place).
    pub fn set_objective(&mut self, terms: &[(usize, f64)]) {
        for c in &mut self.columns {
            c.objective = 0.0;
        }
        for &(j, a) in terms {
            self.columns[j].objective += a;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formulation::Var;

    fn two_columns() -> Program {
        let mut p = Program::default();
        let v = |c| Var::Produce {
            country: c,
            layer: 0,
            period: 1,
        };
        p.add_column(v(0), 0.0, 10.0, 2.0, false);
        p.add_column(v(1), 0.0, 10.0, 0.0, false);
        p
    }

    #[test]
    fn the_row_is_w_at_least_the_floor() {
        let p = two_columns().near_optimal(5.0);
        let r = p.row(&Row::NearOptimal).unwrap();
        assert_eq!(p.rows[r].terms, vec![(0, 2.0)]);
        assert_eq!(p.rows[r].sense, Sense::Ge);
        assert_eq!(p.rows[r].rhs, 5.0);
        assert_eq!(p.columns[0].objective, 2.0);
    }

    #[test]
    fn a_new_objective_replaces_w() {
        let p = two_columns().with_objective(&[(1, -1.0), (1, -1.0)]);
        assert_eq!(p.columns[0].objective, 0.0);
        assert_eq!(p.columns[1].objective, -2.0);
    }
}
