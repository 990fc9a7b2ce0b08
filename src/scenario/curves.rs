//! The arithmetic of learning curves (MODEL.md 11.2, 13.5): starting experience raised by
//! technology transfer, the total cost of experience TC, its geometric breakpoints and the
//! slopes of its piecewise-linear form. The formulation and the reports both use these, so the
//! cost that is optimised is the cost that is reported.

use super::{AgreementId, Clause, CountryId, LayerId, Learning, Scenario};

impl Learning {
    /// b = -log2 P: each doubling of experience multiplies the unit cost by P.
    pub fn exponent(&self) -> f64 {
        -self.progress_ratio.log2()
    }

    /// Unit cost at experience E: u (E/E_0)^(-b), with the original E_0 (MODEL.md 13.5).
    pub fn unit_cost_at(&self, u: f64, e: f64) -> f64 {
        u * (e / self.experience).powf(-self.exponent())
    }

    /// TC(E) = ∫_{start}^{E} u (e/E_0)^(-b) de (MODEL.md 11.2), `start` = E_0'.
    pub fn total_cost(&self, u: f64, start: f64, e: f64) -> f64 {
        let b = self.exponent();
        let e0 = self.experience;
        let one_minus_b = 1.0 - b;
        if one_minus_b.abs() < 1e-12 {
            u * e0 * (e / start).ln()
        } else {
            u * e0 * ((e / e0).powf(one_minus_b) - (start / e0).powf(one_minus_b)) / one_minus_b
        }
    }

    /// Breakpoints g_0 = E_0', ..., g_J = E_max: g_j = E_0' (E_max/E_0')^(j/J). Empty when
    /// E_0' >= E_max (the capability can produce nothing, MODEL.md 13.5).
    pub fn breakpoints(&self, start: f64) -> Vec<f64> {
        let emax = self.max_experience;
        if start >= emax {
            return Vec::new();
        }
        let j_max = self.segments;
        (0..=j_max)
            .map(|j| {
                if j == j_max {
                    emax
                } else {
                    start * (emax / start).powf(j as f64 / j_max as f64)
                }
            })
            .collect()
    }

    /// Slopes s_j = (TC(g_j) - TC(g_{j-1})) / (g_j - g_{j-1}), j = 1..J (index j - 1).
    pub fn slopes(&self, u: f64, start: f64) -> Vec<f64> {
        let g = self.breakpoints(start);
        g.windows(2)
            .map(|w| {
                (self.total_cost(u, start, w[1]) - self.total_cost(u, start, w[0])) / (w[1] - w[0])
            })
            .collect()
    }
}

impl Scenario {
    /// E_0' of capability (c,l) with a learning curve under the activation `active` (one flag
    /// per agreement): E_0 plus, for every active `technology_transfer` clause covering l with c
    /// a member, ψ times the sum of the original E_0 of the clause's other members that have a
    /// learning curve for l (MODEL.md 6, 13.5). `None` without a learning curve.
    pub fn starting_experience(&self, c: CountryId, l: LayerId, active: &[bool]) -> Option<f64> {
        let own = self.capability(c, l)?.learning?;
        let mut start = own.experience;
        for (a, ag) in self.agreements.iter().enumerate() {
            let on = active.get(a).copied().unwrap_or(ag.active);
            if !on || !ag.members.contains(&c) {
                continue;
            }
            for clause in &ag.clauses {
                if let Clause::TechnologyTransfer { layers, share } = clause {
                    if layers.contains(&l) {
                        start += share * self.others_experience(a, c, l);
                    }
                }
            }
        }
        Some(start)
    }

    /// Sum of the original E_0 of agreement a's members other than c with a learning curve for l.
    fn others_experience(&self, a: AgreementId, c: CountryId, l: LayerId) -> f64 {
        self.agreements[a]
            .members
            .iter()
            .filter(|&&m| m != c)
            .filter_map(|&m| self.capability(m, l).and_then(|cap| cap.learning))
            .map(|lr| lr.experience)
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn curve(p: f64, j: usize) -> Learning {
        Learning {
            progress_ratio: p,
            experience: 10.0,
            max_experience: 160.0,
            segments: j,
        }
    }

    #[test]
    fn slopes_reproduce_tc_at_the_breakpoints_and_cost_falls_by_p_per_doubling() {
        for p in [0.5, 0.8, 0.9, 1.0] {
            for j in [1, 2, 4, 7] {
                for start in [10.0, 15.0] {
                    let lr = curve(p, j);
                    let g = lr.breakpoints(start);
                    let s = lr.slopes(3.0, start);
                    assert_eq!(g.len(), j + 1);
                    assert_eq!(s.len(), j);
                    let mut tc = 0.0;
                    for k in 1..=j {
                        tc += s[k - 1] * (g[k] - g[k - 1]);
                        let exact = lr.total_cost(3.0, start, g[k]);
                        assert!((tc - exact).abs() <= 1e-9 * exact.abs().max(1.0));
                    }
                    // concave: slopes do not increase
                    assert!(s.windows(2).all(|w| w[1] <= w[0] + 1e-12));
                }
            }
            let lr = curve(p, 4);
            for e in [10.0, 13.0, 40.0] {
                let r = lr.unit_cost_at(3.0, 2.0 * e) / lr.unit_cost_at(3.0, e);
                assert!((r - p).abs() < 1e-12);
            }
        }
    }

    /// P = 0.5 (b = 1) uses the logarithm: TC(E) = u E_0 ln(E/E_0').
    #[test]
    fn total_cost_with_b_equal_one() {
        let lr = curve(0.5, 1);
        let tc = lr.total_cost(3.0, 10.0, 20.0);
        assert!((tc - 30.0 * 2f64.ln()).abs() < 1e-12);
    }
}
