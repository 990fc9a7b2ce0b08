//! An agreement's gain on the stochastic objective (MODEL.md 10, "every analysis works on this
//! objective"): the gain in expectation, in the worst tail (CVaR_α) and in every outcome, for
//! the world and for each country. An agreement that costs a little in the nominal outcome and
//! pays in a shock is insurance: its expected gain can be small while its tail gain is large.
//!
//! A country's gain in one outcome compares its welfare in that outcome's money (prices divided
//! by q_s, MODEL.md 10) in the two configurations; its expected gain is the difference of the
//! expected splits of the two solves (13.10).

use serde::Serialize;

use crate::results::{Outcome, Report};
use crate::scenario::Scenario;

/// One outcome's welfare without and with the agreement.
#[derive(Debug, Clone, Serialize)]
pub struct OutcomeGain {
    pub outcome: String,
    pub probability: f64,
    pub without: f64,
    pub with: f64,
    pub gain: f64,
}

/// One country's welfare in one outcome without and with the agreement (null where the
/// outcome's prices are null, q_s = 0 in either configuration).
#[derive(Debug, Clone, Serialize)]
pub struct CountryOutcomeGain {
    pub outcome: String,
    pub country: String,
    pub without: Option<f64>,
    pub with: Option<f64>,
    pub gain: Option<f64>,
}

/// The agreement's gain on the stochastic objective.
#[derive(Debug, Clone, Serialize)]
pub struct Insurance {
    pub risk_weight: f64,
    pub tail: f64,
    /// E[W] = Σ_s P_s W_s without and with, and the gain.
    pub expected_without: f64,
    pub expected_with: f64,
    pub expected_gain: f64,
    /// CVaR_α (mean W_s over the worst α of probability) without and with, and the gain.
    pub cvar_without: f64,
    pub cvar_with: f64,
    pub cvar_gain: f64,
    /// `expected` or `risk_adjusted` (MODEL.md 13.10): how the country split of either
    /// configuration was formed; the country gains are expected gains only when both are
    /// `expected`.
    pub welfare_split: &'static str,
    pub outcomes: Vec<OutcomeGain>,
    pub countries_by_outcome: Vec<CountryOutcomeGain>,
}

/// The insurance view of two solved stochastic configurations; None when either is
/// deterministic or unsolved.
pub fn insurance(s: &Scenario, without: &Outcome, with: &Outcome) -> Option<Insurance> {
    let rb = Report::without_ranges(s, without);
    let ra = Report::without_ranges(s, with);
    let (b, a) = (rb.stochastic.as_ref()?, ra.stochastic.as_ref()?);
    let outcomes = b
        .outcomes
        .iter()
        .zip(&a.outcomes)
        .map(|(x, y)| OutcomeGain {
            outcome: x.id.clone(),
            probability: x.probability,
            without: x.welfare,
            with: y.welfare,
            gain: y.welfare - x.welfare,
        })
        .collect();
    let find = |r: &crate::results::stochastic::StochasticReport, o: &str, c: &str| {
        r.welfare_by_outcome
            .iter()
            .find(|w| w.outcome == o && w.country == c)
            .map(|w| w.total)
    };
    let countries_by_outcome = b
        .outcomes
        .iter()
        .flat_map(|o| {
            s.countries.iter().map(move |c| {
                let (x, y) = (find(b, &o.id, &c.id), find(a, &o.id, &c.id));
                CountryOutcomeGain {
                    outcome: o.id.clone(),
                    country: c.id.clone(),
                    without: x,
                    with: y,
                    gain: x.zip(y).map(|(x, y)| y - x),
                }
            })
        })
        .collect();
    Some(Insurance {
        risk_weight: b.risk_weight,
        tail: b.tail,
        expected_without: b.expected_welfare,
        expected_with: a.expected_welfare,
        expected_gain: a.expected_welfare - b.expected_welfare,
        cvar_without: b.cvar,
        cvar_with: a.cvar,
        cvar_gain: a.cvar - b.cvar,
        welfare_split: if b.welfare_split == "expected" && a.welfare_split == "expected" {
            "expected"
        } else {
            "risk_adjusted"
        },
        outcomes,
        countries_by_outcome,
    })
}
