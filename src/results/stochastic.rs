//! Reports of a two-stage stochastic program (MODEL.md 10, readings 13.10-13.11): each
//! outcome's probability P_s, risk-adjusted probability q_s and welfare W_s, E[W], CVaR_α,
//! expected welfare by country, prices per outcome and expected prices, EVPI and the value of
//! preparing.

use serde::Serialize;

use super::{shadow_value, Outcome, SolveConfig, SolveError, View, WelfareEntry};
use crate::backend::Status;
use crate::formulation::{self, BuildOptions, Program, Row};
use crate::scenario::{OutcomeId, Scenario};

/// Below this a risk-adjusted probability counts as 0: the outcome's prices are null (13.10).
pub const Q_ZERO: f64 = 1e-9;

#[derive(Debug, Clone, Serialize)]
pub struct OutcomeEntry {
    pub id: String,
    pub name: String,
    /// P_s.
    pub probability: f64,
    /// q_s = (1 - ω) P_s + y_s: the weight the optimum gives the outcome (= P_s when ω = 0).
    pub risk_adjusted_probability: f64,
    /// W_s: first-stage terms plus this outcome's second-stage terms, discounted.
    pub welfare: f64,
}

/// A price in one outcome, in that outcome's money (balance dual / (δ_t q_s)); null where
/// q_s = 0.
#[derive(Debug, Clone, Serialize)]
pub struct OutcomePrice {
    pub outcome: String,
    pub country: String,
    pub layer: String,
    pub period: usize,
    pub price: Option<f64>,
    pub export_price: Option<f64>,
}

/// One country's welfare in one outcome (MODEL.md 7 with the outcome's prices).
#[derive(Debug, Clone, Serialize)]
pub struct OutcomeWelfare {
    pub outcome: String,
    pub country: String,
    pub consumers: f64,
    pub producers: f64,
    pub rents: f64,
    pub total: f64,
}

/// What `solve` adds for a scenario with `[uncertainty]` (flattened into the JSON).
#[derive(Debug, Clone, Serialize)]
pub struct StochasticReport {
    pub reveal_period: usize,
    pub risk_weight: f64,
    pub tail: f64,
    /// E[W] = Σ_s P_s W_s.
    pub expected_welfare: f64,
    /// CVaR_α: mean W_s of the worst α of probability (from the distribution of W_s).
    pub cvar: f64,
    /// `expected` (Σ_s P_s welfare_s, sums to E[W]) or `risk_adjusted` (Σ_s q_s welfare_s,
    /// sums to Σ_s q_s W_s) when some q_s = 0 (MODEL.md 13.10): how `welfare` was formed.
    pub welfare_split: &'static str,
    pub outcomes: Vec<OutcomeEntry>,
    pub welfare_by_outcome: Vec<OutcomeWelfare>,
    pub prices_by_outcome: Vec<OutcomePrice>,
    /// Σ_s P_s W*_s - RP (risk neutral): what knowing the outcome in advance would be worth.
    pub evpi: Option<f64>,
    /// RP - E[W with the nominal-only plan's first stage]: what planning for the shocks is
    /// worth over ignoring them; null when that plan leaves an outcome infeasible.
    pub value_of_preparing: Option<f64>,
    /// Outcomes in which the nominal-only plan is infeasible (then the value is null).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub nominal_plan_infeasible_in: Vec<String>,
}

/// q_s = (1 - ω) P_s + y_s for every outcome, y_s the dual of its CVaR row (MODEL.md 10);
/// `[1.0]` for a deterministic program.
pub fn risk_adjusted(program: &Program, duals: &[f64]) -> Vec<f64> {
    let Some(st) = &program.stochastic else {
        return vec![1.0];
    };
    st.outcomes
        .iter()
        .enumerate()
        .map(|(o, (_, p))| {
            let y = program
                .row_in(&Row::Cvar, Some(o))
                .filter(|&i| program.rows[i].outcome == Some(o))
                .map_or(0.0, |i| shadow_value(program.rows[i].sense, duals[i]));
            (1.0 - st.risk_weight) * p + y
        })
        .collect()
}

/// CVaR_α of a discrete distribution: the mean of the worst α of probability.
pub fn cvar(dist: &[(f64, f64)], alpha: f64) -> f64 {
    let mut d: Vec<(f64, f64)> = dist.to_vec();
    d.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut left = alpha;
    let mut sum = 0.0;
    for (w, p) in d {
        let take = p.min(left);
        sum += take * w;
        left -= take;
        if left <= 0.0 {
            break;
        }
    }
    sum / (alpha - left.max(0.0))
}

/// W_s of every outcome at `values`.
pub fn outcome_welfare(program: &Program, values: &[f64]) -> Vec<f64> {
    let n = program
        .stochastic
        .as_ref()
        .map_or(0, |st| st.outcomes.len());
    (0..n)
        .map(|o| program.welfare_in(values, Some(o)))
        .collect()
}

/// E[W] of a stochastic program at `values`.
pub fn expected_welfare(program: &Program, values: &[f64]) -> f64 {
    let Some(st) = &program.stochastic else {
        return program.objective_value(values);
    };
    outcome_welfare(program, values)
        .iter()
        .zip(&st.outcomes)
        .map(|(w, (_, p))| w * p)
        .sum()
}

/// Fill the stochastic parts of a report: expected prices in `prices`, the expected (or
/// risk-adjusted) welfare split in `welfare` and `producers`, and [`StochasticReport`].
pub(super) fn fill(s: &Scenario, outcome: &Outcome, q: &[f64], r: &mut super::Report) {
    let (Some(st), Some(u), Some(v)) = (
        outcome.program.stochastic.as_ref(),
        s.uncertainty.as_ref(),
        View::new(s, outcome),
    ) else {
        return;
    };
    let program = &outcome.program;
    let values = &v.sol.values;
    let w_s = outcome_welfare(program, values);
    let dist: Vec<(f64, f64)> = w_s
        .iter()
        .zip(&st.outcomes)
        .map(|(w, o)| (*w, o.1))
        .collect();
    let expected: f64 = dist.iter().map(|(w, p)| w * p).sum();
    let all_positive = q.iter().all(|&x| x > Q_ZERO);
    let priced = outcome.checks.unpriced.is_none();
    let mut welfare_by_outcome = Vec::new();
    let mut prices_by_outcome = Vec::new();
    let nc = s.countries.len();
    let mut split = vec![(0.0, 0.0, 0.0); nc];
    let mut producers: Vec<super::ProducerEntry> = Vec::new();
    for (o, oc) in u.outcomes.iter().enumerate() {
        let ok = q[o] > Q_ZERO;
        let view = v.of_outcome(o, if ok { q[o] } else { 1.0 });
        let weight = if all_positive { oc.probability } else { q[o] };
        if priced {
            for t in 1..=s.n_periods() {
                let delta = s.discount(t);
                for c in 0..nc {
                    for l in 0..s.layers.len() {
                        let price = view.price(c, l, t);
                        let export = price + view.big_theta(c, l, t) / delta;
                        prices_by_outcome.push(OutcomePrice {
                            outcome: oc.id.clone(),
                            country: s.countries[c].id.clone(),
                            layer: s.layers[l].id.clone(),
                            period: t,
                            price: ok.then_some(price),
                            export_price: ok.then_some(export),
                        });
                    }
                }
            }
        }
        if !ok || !priced {
            continue;
        }
        let ws = super::welfare(&view);
        for (c, e) in ws.iter().enumerate() {
            split[c].0 += weight * e.consumers;
            split[c].1 += weight * e.producers;
            split[c].2 += weight * e.rents;
            welfare_by_outcome.push(OutcomeWelfare {
                outcome: oc.id.clone(),
                country: e.country.clone(),
                consumers: e.consumers,
                producers: e.producers,
                rents: e.rents,
                total: e.total,
            });
        }
        let ps = super::producers(&view);
        if producers.is_empty() {
            producers = ps
                .iter()
                .map(|(_, p)| super::ProducerEntry {
                    profit: 0.0,
                    uplift_security: 0.0,
                    uplift_integer: 0.0,
                    uplift_total: 0.0,
                    ..p.clone()
                })
                .collect();
        }
        for (acc, (_, p)) in producers.iter_mut().zip(&ps) {
            acc.profit += weight * p.profit;
            acc.uplift_security += weight * p.uplift_security;
            acc.uplift_integer += weight * p.uplift_integer;
            acc.uplift_total += weight * p.uplift_total;
        }
    }
    if priced {
        // Expected prices Σ_s q_s λ_s (first-stage periods: the one price).
        for e in r.prices.iter_mut() {
            let matching = prices_by_outcome.iter().enumerate().filter(|(_, p)| {
                p.period == e.period && p.country == e.country && p.layer == e.layer
            });
            let (mut price, mut export) = (0.0, 0.0);
            for (k, p) in matching {
                let o = k / (s.n_periods() * nc * s.layers.len());
                price += q[o] * p.price.unwrap_or(0.0);
                export += q[o] * p.export_price.unwrap_or(0.0);
            }
            e.price = price;
            e.export_price = export;
        }
        r.producers = producers;
        r.welfare = (0..nc)
            .map(|c| WelfareEntry {
                country: s.countries[c].id.clone(),
                consumers: split[c].0,
                producers: split[c].1,
                rents: split[c].2,
                shortfall_cost: 0.0,
                total: split[c].0 + split[c].1 + split[c].2,
                total_min: None,
                total_max: None,
                price_dependent: None,
            })
            .collect();
        let target = if all_positive {
            expected
        } else {
            w_s.iter().zip(q).map(|(w, q)| w * q).sum()
        };
        let (total, magnitude) = super::verified::welfare_sums(&r.welfare);
        r.welfare_residual = Some(crate::backend::verify::welfare_residual(
            target, total, magnitude,
        ));
    }
    r.stochastic = Some(StochasticReport {
        reveal_period: u.reveal_period,
        risk_weight: u.risk_weight,
        tail: u.tail,
        expected_welfare: expected,
        cvar: cvar(&dist, u.tail),
        welfare_split: if all_positive {
            "expected"
        } else {
            "risk_adjusted"
        },
        outcomes: u
            .outcomes
            .iter()
            .enumerate()
            .map(|(o, oc)| OutcomeEntry {
                id: oc.id.clone(),
                name: oc.name.clone(),
                probability: oc.probability,
                risk_adjusted_probability: q[o],
                welfare: w_s[o],
            })
            .collect(),
        welfare_by_outcome,
        prices_by_outcome,
        evpi: None,
        value_of_preparing: None,
        nominal_plan_infeasible_in: Vec::new(),
    });
}

/// EVPI and the value of preparing (MODEL.md 10, 13.11), by re-solving: RP risk neutral,
/// each outcome alone with foresight, and the risk-neutral program with the first stage fixed
/// at the nominal-only plan (the file without outcomes, same τ).
#[derive(Debug, Clone, Default)]
pub struct Values {
    pub evpi: Option<f64>,
    pub value_of_preparing: Option<f64>,
    pub nominal_plan_infeasible_in: Vec<String>,
    pub warnings: Vec<String>,
}

/// The scenario with risk weight 0.
fn risk_neutral(s: &Scenario) -> Scenario {
    let mut n = s.clone();
    if let Some(u) = n.uncertainty.as_mut() {
        u.risk_weight = 0.0;
    }
    n
}

/// Solve the optimum of a program, no pricing (for EVPI and the value of preparing).
fn optimum(program: Program, config: &SolveConfig) -> Result<(Status, Vec<f64>), SolveError> {
    let backend = config.backend()?;
    let raw = backend.solve(&program, &config.settings)?;
    Ok((raw.status, raw.values))
}

pub fn values(
    s: &Scenario,
    opts: &BuildOptions,
    config: &SolveConfig,
) -> Result<Values, SolveError> {
    let mut out = Values::default();
    let Some(u) = &s.uncertainty else {
        return Ok(out);
    };
    let rn = risk_neutral(s);
    let rp_program = formulation::build(&rn, opts);
    let (status, x) = optimum(rp_program.clone(), config)?;
    if status != Status::Optimal {
        out.warnings.push(format!(
            "the risk-neutral stochastic program is {status}: no EVPI or value of preparing"
        ));
        return Ok(out);
    }
    let rp = expected_welfare(&rp_program, &x);
    // EVPI: each outcome alone, probability 1, same τ, risk neutral.
    let mut perfect = 0.0;
    let mut complete = true;
    for (o, oc) in u.outcomes.iter().enumerate() {
        let mut alone = rn.clone();
        alone.uncertainty = Some(
            rn.uncertainty
                .as_ref()
                .map(|u| u.only(o))
                .unwrap_or_else(|| u.only(o)),
        );
        let p = formulation::build(&alone, opts);
        let (status, x) = optimum(p.clone(), config)?;
        if status != Status::Optimal {
            out.warnings
                .push(format!("outcome {} alone is {status}: no EVPI", oc.id));
            complete = false;
            break;
        }
        perfect += oc.probability * expected_welfare(&p, &x);
    }
    if complete {
        out.evpi = Some(perfect - rp);
    }
    // Value of preparing: the nominal-only plan's first stage fixed in the risk-neutral program.
    let mut nominal = s.clone();
    nominal.uncertainty = None;
    let nominal_program = formulation::build(&nominal, opts);
    let (status, xn) = optimum(nominal_program.clone(), config)?;
    if status != Status::Optimal {
        out.warnings.push(format!(
            "the nominal-only plan (the file without outcomes) is {status}: no value of preparing"
        ));
        return Ok(out);
    }
    let fixed = formulation::with_first_stage_fixed(&rp_program, &nominal_program, &xn);
    let (status, xf) = optimum(fixed.clone(), config)?;
    if status == Status::Optimal {
        out.value_of_preparing = Some(rp - expected_welfare(&fixed, &xf));
        return Ok(out);
    }
    // Name the outcomes the nominal plan leaves infeasible: each outcome alone, plan fixed.
    for (o, oc) in u.outcomes.iter().enumerate() {
        let mut alone = rn.clone();
        alone.uncertainty = Some(u.only(o));
        let p = formulation::build(&alone, opts);
        let fixed = formulation::with_first_stage_fixed(&p, &nominal_program, &xn);
        let (status, _) = optimum(fixed.feasibility(), config)?;
        if status == Status::Infeasible {
            out.nominal_plan_infeasible_in.push(oc.id.clone());
        }
    }
    out.warnings.push(format!(
        "ignoring the shocks leaves {}: the nominal-only plan is infeasible there, so the value \
         of preparing is not defined",
        if out.nominal_plan_infeasible_in.is_empty() {
            "the stochastic program infeasible".to_string()
        } else {
            format!(
                "outcome{} {} infeasible",
                if out.nominal_plan_infeasible_in.len() == 1 {
                    ""
                } else {
                    "s"
                },
                out.nominal_plan_infeasible_in.join(", ")
            )
        }
    ));
    Ok(out)
}

/// Put [`Values`] into a report.
pub fn attach(r: &mut super::Report, v: Values) {
    r.warnings.extend(v.warnings);
    if let Some(st) = r.stochastic.as_mut() {
        st.evpi = v.evpi;
        st.value_of_preparing = v.value_of_preparing;
        st.nominal_plan_infeasible_in = v.nominal_plan_infeasible_in;
    }
}

/// Outcome index by id.
pub fn outcome_index(s: &Scenario, id: &str) -> Option<OutcomeId> {
    s.uncertainty
        .as_ref()?
        .outcomes
        .iter()
        .position(|o| o.id == id)
}

/// The welfare identity of a stochastic solve (MODEL.md 13.10): the expected (or
/// risk-adjusted) split sums to E[W] (or Σ_s q_s W_s), units delivered free by an analysis
/// counted at their price.
pub(super) fn welfare_check(
    s: &Scenario,
    opts: &BuildOptions,
    o: &Outcome,
) -> Option<crate::backend::verify::Failure> {
    use crate::backend::verify;
    let sol = o.solution.as_ref()?;
    let program = &o.program;
    let st = program.stochastic.as_ref()?;
    let q = risk_adjusted(program, &sol.duals);
    let all_positive = q.iter().all(|&x| x > Q_ZERO);
    let mut r = super::Report::without_ranges(s, o);
    r.welfare_residual?;
    let w_s = outcome_welfare(program, &sol.values);
    let target: f64 = if all_positive {
        w_s.iter().zip(&st.outcomes).map(|(w, o)| w * o.1).sum()
    } else {
        w_s.iter().zip(&q).map(|(w, q)| w * q).sum()
    };
    let (mut total, magnitude) = super::verified::welfare_sums(&r.welfare);
    // Free units: Λ q at the row that received them, weighted like the split.
    let weight = |o: usize| {
        if all_positive {
            st.outcomes[o].1 / q[o]
        } else {
            1.0
        }
    };
    let mut free = |row: Row, stage: Option<usize>, units: f64| {
        if let Some(i) = program.row_in(&row, stage) {
            let w = program.rows[i].outcome.map_or(1.0, weight);
            total += w * sol.duals[i] * units;
        }
    };
    for &(c, l, t, units) in &opts.extra_delivery {
        let row = Row::Balance {
            country: c,
            layer: l,
            period: t,
        };
        if t >= st.reveal_period {
            for o in 0..st.outcomes.len() {
                free(row, Some(o), units);
            }
        } else {
            free(row, None, units);
        }
    }
    for &(o, c, l, t, units) in &opts.extra_delivery_in {
        let row = Row::Balance {
            country: c,
            layer: l,
            period: t,
        };
        if t >= st.reveal_period {
            free(row, Some(o), units);
        }
    }
    r.welfare.clear();
    let magnitude = magnitude.max(verify::DATA_FLOOR * verify::data_scale(program));
    verify::welfare(verify::welfare_residual(target, total, magnitude))
}

/// One point of the risk frontier (`solve --risk-weights`): the optimum at risk weight ω.
#[derive(Debug, Clone, Serialize)]
pub struct FrontierPoint {
    pub risk_weight: f64,
    /// `optimal`, or why there is no optimum at this weight.
    pub status: String,
    /// (1 - ω) E[W] + ω CVaR_α.
    pub objective: Option<f64>,
    pub expected_welfare: Option<f64>,
    pub cvar: Option<f64>,
    /// First-stage decisions with a value above 1e-9: `z COUNTRY/LAYER t`, `y ...`, `r ...`.
    pub first_stage: Vec<FirstStageValue>,
    /// First-stage decisions whose value differs from the previous point's (by more than
    /// 1e-6): what changes along the frontier.
    pub changes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FirstStageValue {
    pub decision: String,
    pub value: f64,
}

/// The first-stage decisions a frontier compares: z, y, n, nd and r (MODEL.md 10).
fn first_stage_values(s: &Scenario, p: &Program, values: &[f64]) -> Vec<FirstStageValue> {
    use crate::formulation::Var;
    p.columns
        .iter()
        .zip(values)
        .filter(|(c, _)| {
            c.outcome.is_none()
                && matches!(
                    c.var,
                    Var::Build { .. }
                        | Var::Operate { .. }
                        | Var::Enter { .. }
                        | Var::EnterDiscounted { .. }
                        | Var::Reserve { .. }
                )
        })
        .map(|(c, &v)| FirstStageValue {
            decision: c.var.name(s),
            value: if v.abs() < 1e-9 { 0.0 } else { v },
        })
        .collect()
}

/// Solve at each risk weight and trace E[W] against CVaR_α (MODEL.md 10).
pub fn frontier(
    s: &Scenario,
    opts: &BuildOptions,
    config: &SolveConfig,
    weights: &[f64],
) -> Result<Vec<FrontierPoint>, SolveError> {
    let mut out: Vec<FrontierPoint> = Vec::new();
    let mut previous: Option<Vec<FirstStageValue>> = None;
    for &w in weights {
        let mut sw = s.clone();
        let Some(u) = sw.uncertainty.as_mut() else {
            break;
        };
        u.risk_weight = w;
        let tail = u.tail;
        let program = formulation::build(&sw, opts);
        let backend = config.backend()?;
        let raw = backend.solve(&program, &config.settings)?;
        if raw.status != Status::Optimal || !raw.has_values() {
            out.push(FrontierPoint {
                risk_weight: w,
                status: raw.status.to_string(),
                objective: None,
                expected_welfare: None,
                cvar: None,
                first_stage: Vec::new(),
                changes: Vec::new(),
            });
            continue;
        }
        let w_s = outcome_welfare(&program, &raw.values);
        let st = program.stochastic.as_ref().expect("stochastic");
        let dist: Vec<(f64, f64)> = w_s
            .iter()
            .zip(&st.outcomes)
            .map(|(w, o)| (*w, o.1))
            .collect();
        let first = first_stage_values(s, &program, &raw.values);
        let changes = match &previous {
            Some(prev) => first
                .iter()
                .zip(prev)
                .filter(|(a, b)| (a.value - b.value).abs() > 1e-6 * a.value.abs().max(1.0))
                .map(|(a, b)| {
                    format!(
                        "{} {} -> {}",
                        a.decision,
                        crate::scenario::fmt_num(b.value),
                        crate::scenario::fmt_num(a.value)
                    )
                })
                .collect(),
            None => Vec::new(),
        };
        out.push(FrontierPoint {
            risk_weight: w,
            status: "optimal".into(),
            objective: Some(program.objective_value(&raw.values)),
            expected_welfare: Some(dist.iter().map(|(w, p)| w * p).sum()),
            cvar: Some(cvar(&dist, tail)),
            first_stage: first.iter().filter(|f| f.value != 0.0).cloned().collect(),
            changes,
        });
        previous = Some(first);
    }
    Ok(out)
}
