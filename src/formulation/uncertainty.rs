//! Outcomes in the program (MODEL.md section 10, readings 13.8-13.9): which periods are
//! written per outcome, the effects of the outcome being written, the objective weights, and
//! the CVaR columns and rows.
//!
//! Objective: maximise (1 - ω) Σ_s P_s W_s + ω CVaR_α with CVaR_α = η - (1/α) Σ_s P_s v_s,
//! v_s >= η - W_s, v_s >= 0, η free (Rockafellar-Uryasev). A first-stage column is in every
//! W_s, so its objective weight is (1 - ω); a second-stage column of s has (1 - ω) P_s. The
//! CVaR row of s is `η - v_s - W_s <= 0`, written only when ω > 0; its dual y_s >= 0 makes the
//! risk-adjusted probability q_s = (1 - ω) P_s + y_s, and Σ_s q_s = 1 (the η column's
//! optimality condition).
//!
//! One detail the text leaves implicit: the fill e_{τ-1,j} of a learning curve (first stage)
//! also carries the negative of period τ's cost of the experience it brings, and a `cost`
//! effect scales that cost by outcome. W carries it at factor 1; each W_s the difference,
//! s_j δ_τ c_τ (f_s - 1), as an extra term ([`Stochastic::extra`]).

use super::Builder;
use super::{Row, Sense, Var};
use crate::scenario::{CountryId, LayerId, Outcome, OutcomeId, Period};

/// What the rest of the code needs to know about the outcomes of a stochastic program.
#[derive(Debug, Clone, PartialEq)]
pub struct Stochastic {
    /// (id, probability P_s) of every outcome, in outcome order.
    pub outcomes: Vec<(String, f64)>,
    /// τ.
    pub reveal_period: Period,
    /// ω.
    pub risk_weight: f64,
    /// α.
    pub tail: f64,
    /// Extra W_s terms on first-stage columns, per outcome (see the module doc).
    pub extra: Vec<Vec<(usize, f64)>>,
}

impl Stochastic {
    pub fn probability(&self, s: OutcomeId) -> f64 {
        self.outcomes[s].1
    }

    /// What column j adds to W_s beyond its W coefficient (the extra terms; 0 for most).
    pub fn extra_welfare(&self, s: OutcomeId, j: usize) -> f64 {
        self.extra[s]
            .iter()
            .filter(|&&(k, _)| k == j)
            .map(|&(_, a)| a)
            .sum()
    }
}

impl Builder<'_> {
    /// Is period t written once per outcome (t >= τ in a scenario with uncertainty)?
    pub(super) fn split(&self, t: Period) -> bool {
        self.s
            .uncertainty
            .as_ref()
            .is_some_and(|u| t >= u.reveal_period)
    }

    /// The stages period t is written in: the outcomes from τ on, else the first stage only.
    pub(super) fn stages(&self, t: Period) -> Vec<Option<OutcomeId>> {
        match &self.s.uncertainty {
            Some(u) if self.split(t) => (0..u.outcomes.len()).map(Some).collect(),
            _ => vec![None],
        }
    }

    fn current(&self) -> Option<&Outcome> {
        let u = self.s.uncertainty.as_ref()?;
        self.outcome.map(|s| &u.outcomes[s])
    }

    /// Weight of a column's W coefficient in the objective: 1 without uncertainty; (1 - ω)
    /// first stage, (1 - ω) P_s in outcome s.
    pub(super) fn objective_weight(&self) -> f64 {
        let Some(u) = &self.s.uncertainty else {
            return 1.0;
        };
        let p = self.current().map_or(1.0, |o| o.probability);
        (1.0 - u.risk_weight) * p
    }

    /// Factor on K of (c,l) in the outcome being written (MODEL.md 13.8).
    pub(super) fn capacity_factor(&self, c: CountryId, l: LayerId) -> f64 {
        self.current().map_or(1.0, |o| o.capacity_factor(c, l))
    }

    /// Factor on the block quantities of demand (c,l) in the outcome being written.
    pub(super) fn demand_factor(&self, c: CountryId, l: LayerId) -> f64 {
        self.current().map_or(1.0, |o| o.demand_factor(c, l))
    }

    /// Factor on the unit costs of (c,l) in the outcome being written.
    pub(super) fn cost_factor(&self, c: CountryId, l: LayerId) -> f64 {
        self.current().map_or(1.0, |o| o.cost_factor(c, l))
    }

    /// Does the outcome being written remove the flow e -> i of l?
    pub(super) fn blocked_in_outcome(&self, e: CountryId, i: CountryId, l: LayerId) -> bool {
        self.current().is_some_and(|o| o.blocks(e, i, l))
    }

    /// First-stage column `col` carries `a` times each outcome's cost factor of (c,l) minus 1
    /// in W_s (the learning fill of τ - 1, see the module doc).
    pub(super) fn outcome_cost_terms(&mut self, col: usize, c: CountryId, l: LayerId, a: f64) {
        let Some(u) = &self.s.uncertainty else {
            return;
        };
        for (s, o) in u.outcomes.iter().enumerate() {
            let d = a * (o.cost_factor(c, l) - 1.0);
            if d != 0.0 {
                self.extra[s].push((col, d));
                self.p.columns[col].objective += (1.0 - u.risk_weight) * o.probability * d;
            }
        }
    }

    /// η (first stage, objective ω), v_s (outcome s, objective -ω P_s / α) and the rows
    /// η - v_s - W_s <= 0, only when ω > 0 (MODEL.md 13.9).
    pub(super) fn cvar(&mut self) {
        let Some(u) = &self.s.uncertainty else {
            return;
        };
        let omega = u.risk_weight;
        if omega <= 0.0 {
            return;
        }
        let eta = self.p.add_column_in(
            Var::CvarLevel,
            None,
            f64::NEG_INFINITY,
            f64::INFINITY,
            omega,
            0.0,
            false,
        );
        let first: Vec<(usize, f64)> = self
            .p
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.outcome.is_none() && c.welfare != 0.0)
            .map(|(j, c)| (j, -c.welfare))
            .collect();
        let mut by_outcome: Vec<Vec<(usize, f64)>> = vec![Vec::new(); u.outcomes.len()];
        for (j, c) in self.p.columns.iter().enumerate() {
            if let Some(s) = c.outcome {
                if c.welfare != 0.0 {
                    by_outcome[s].push((j, -c.welfare));
                }
            }
        }
        for (s, o) in u.outcomes.iter().enumerate() {
            let v = self.p.add_column_in(
                Var::CvarExcess,
                Some(s),
                0.0,
                f64::INFINITY,
                -omega * o.probability / u.tail,
                0.0,
                false,
            );
            let mut terms = vec![(eta, 1.0), (v, -1.0)];
            terms.extend(first.iter().copied());
            terms.extend(by_outcome[s].iter().copied());
            terms.extend(self.extra[s].iter().map(|&(j, a)| (j, -a)));
            self.p.add_row_in(Row::Cvar, Some(s), terms, Sense::Le, 0.0);
        }
    }

    /// The outcomes' summary for the program (None without uncertainty).
    pub(super) fn stochastic(&self) -> Option<super::Stochastic> {
        let u = self.s.uncertainty.as_ref()?;
        Some(Stochastic {
            outcomes: u
                .outcomes
                .iter()
                .map(|o| (o.id.clone(), o.probability))
                .collect(),
            reveal_period: u.reveal_period,
            risk_weight: u.risk_weight,
            tail: u.tail,
            extra: self.extra.clone(),
        })
    }
}
