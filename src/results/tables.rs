//! Result tables keyed by entity ids: what `solve` prints and what analyses compare.

use serde::Serialize;

use super::{shadow_value, Outcome, View};
use crate::formulation::{Row, Var};
use crate::scenario::{CountryId, Scenario};

#[derive(Debug, Clone, Serialize)]
pub struct PriceEntry {
    pub country: String,
    pub layer: String,
    pub period: usize,
    /// λ, in period money per unit: value of one more unit delivered free.
    pub price: f64,
    /// π = λ + θ: what an exporter earns per unit shipped.
    pub export_price: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct QuantityEntry {
    pub country: String,
    pub layer: String,
    pub period: usize,
    pub quantity: f64,
    /// The outcome of a second-stage value (MODEL.md 10); absent for first-stage and
    /// deterministic ones.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FlowEntry {
    pub from: String,
    pub to: String,
    pub layer: String,
    pub period: usize,
    pub quantity: f64,
    /// The outcome of a second-stage value (MODEL.md 10); absent for first-stage and
    /// deterministic ones.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OperatingEntry {
    pub country: String,
    pub layer: String,
    pub period: usize,
    pub operating: f64,
    pub entered: f64,
    pub entered_discounted: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct RentEntry {
    pub country: String,
    pub layer: String,
    pub period: usize,
    /// Capacity rent (or, in `essential_duals`, the value of serving one unit less), period
    /// money per unit.
    pub rent: f64,
    /// The outcome of a second-stage value (MODEL.md 10); absent for first-stage and
    /// deterministic ones.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SecurityDual {
    pub country: String,
    pub layer: String,
    pub period: usize,
    /// `floor`, `supplier_share` or `n_minus_1`.
    pub kind: &'static str,
    /// The supplier of a diversification row, or the lost supplier of an N-1 row.
    pub supplier: Option<String>,
    /// Value of relaxing the row by one unit, period money.
    pub value: f64,
    /// The outcome of a second-stage value (MODEL.md 10); absent for first-stage and
    /// deterministic ones.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClauseDual {
    pub agreement: String,
    /// 1-based clause number within the agreement.
    pub clause: usize,
    pub kind: &'static str,
    pub period: usize,
    pub value: f64,
    /// The outcome of a second-stage value (MODEL.md 10); absent for first-stage and
    /// deterministic ones.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProducerEntry {
    pub country: String,
    pub layer: String,
    /// Discounted profit over the horizon at the reported prices (MODEL.md 7).
    pub profit: f64,
    /// Part of the uplift that security rows pay for (a forced domestic producer).
    pub uplift_security: f64,
    /// Rest of the uplift: integer decisions (entry costs, minimum scale) prices do not cover.
    pub uplift_integer: f64,
    pub uplift_total: f64,
}

/// Shortfall of a soft domestic floor (MODEL.md 5.8, 13.4).
#[derive(Debug, Clone, Serialize)]
pub struct ShortfallEntry {
    pub country: String,
    pub layer: String,
    pub period: usize,
    /// Units by which the floor is missed.
    pub quantity: f64,
    /// π_s per unit, period money.
    pub penalty: f64,
    /// π_s short, period money (discounted, it is part of the country's rents).
    pub cost: f64,
}

/// Experience and unit cost of a capability with a learning curve (MODEL.md 11.2).
#[derive(Debug, Clone, Serialize)]
pub struct LearningEntry {
    pub country: String,
    pub layer: String,
    pub period: usize,
    /// E_t = E_0' + cumulative output to the end of t.
    pub experience: f64,
    /// Unit cost at the end of t on the exact curve, u (E_t/E_0)^(-b) cost_trend^(t-1), period
    /// money: what the next unit would cost.
    pub unit_cost: f64,
    /// Output in t.
    pub output: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct WelfareEntry {
    pub country: String,
    pub consumers: f64,
    pub producers: f64,
    /// Importer's rents, minus reserve costs and shortfall costs (MODEL.md 7, 13.4).
    pub rents: f64,
    /// Discounted cost of missing soft floors, δ_t π_s short, included in `rents` (13.4).
    pub shortfall_cost: f64,
    pub total: f64,
    /// The least and the most `total` can be over the optimal dual face (MODEL.md 12); empty
    /// with `--prices any`. Flat fields, so the CSV table keeps one column each.
    pub total_min: Option<f64>,
    pub total_max: Option<f64>,
    /// Whether `total` depends on which optimal prices are reported (MODEL.md 13.13).
    pub price_dependent: Option<bool>,
}

impl WelfareEntry {
    /// The range of `total` over optimal prices, where it was computed.
    pub fn range(&self) -> Option<super::ranges::Range> {
        Some(super::ranges::Range {
            min: self.total_min?,
            max: self.total_max?,
        })
    }
}

/// Every table of a solved scenario (MODEL.md section 9 plus more).
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub status: String,
    pub objective: Option<f64>,
    pub mip: bool,
    pub relaxed: bool,
    pub gap: Option<f64>,
    pub backend: String,
    /// Which optimal dual is reported: `canonical` (least norm, MODEL.md 12) or `any`.
    pub price_selection: &'static str,
    pub currency: String,
    /// Strong duality of the pricing LP: |primal - dual| relative to the magnitude of the
    /// terms of W (scale-free, see `backend::verify`).
    pub duality_gap: Option<f64>,
    /// |sum of country welfare - W| relative to the magnitude of the welfare terms.
    pub welfare_residual: Option<f64>,
    /// The verification check the reported solution fails (status `numerical_trouble`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check_failed: Option<crate::backend::verify::Failure>,
    /// Coefficient range of the program (matrix, objective, bounds, rhs).
    pub coefficient_range: crate::backend::verify::CoefficientRange,
    /// Numerical warnings (wide coefficient range, a re-solve with safer settings).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    pub prices: Vec<PriceEntry>,
    pub production: Vec<QuantityEntry>,
    pub flows: Vec<FlowEntry>,
    pub consumption: Vec<QuantityEntry>,
    pub capacity_built: Vec<QuantityEntry>,
    pub operating: Vec<OperatingEntry>,
    pub reserves: Vec<FlowEntry>,
    pub capacity_rents: Vec<RentEntry>,
    pub security_duals: Vec<SecurityDual>,
    pub clause_duals: Vec<ClauseDual>,
    /// Value of lowering essential demand (must_serve) by one unit, period money.
    pub essential_duals: Vec<RentEntry>,
    pub producers: Vec<ProducerEntry>,
    pub welfare: Vec<WelfareEntry>,
    /// Shortfalls of soft floors (only policies with a `shortfall_penalty`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub shortfalls: Vec<ShortfallEntry>,
    /// Experience and unit cost per period of every capability with a learning curve.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub learning: Vec<LearningEntry>,
    /// Outcomes, expected welfare, CVaR, prices by outcome, EVPI and the value of preparing
    /// (MODEL.md 10); only for a scenario with `[uncertainty]`.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub stochastic: Option<super::stochastic::StochasticReport>,
    /// The least and the most of each quantity asked for (`--quantity-range`) over the
    /// optimal plans.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub quantity_ranges: Vec<super::quantity_range::QuantityRange>,
}

/// Values below this are reported as zero in quantity tables.
const EPS: f64 = 1e-9;

fn clean(v: f64) -> f64 {
    if v.abs() < EPS {
        0.0
    } else {
        v
    }
}

/// Welfare of each country (MODEL.md 7), discounted, indexed by country.
pub fn welfare(v: &View) -> Vec<WelfareEntry> {
    let s = v.s;
    let mut cons = vec![0.0; s.countries.len()];
    let mut prod = vec![0.0; s.countries.len()];
    let mut rents = vec![0.0; s.countries.len()];
    let mut short = vec![0.0; s.countries.len()];
    for p in producers(v) {
        prod[p.0] += p.1.profit;
    }
    for (j, col) in v.program.columns.iter().enumerate() {
        let x = v.sol.values[j];
        if x == 0.0 || !v.sees(col.outcome) {
            continue;
        }
        // W, or W_s with the outcome's extra terms; only the arms below read it.
        let w = || v.column_welfare(j);
        match col.var {
            Var::Serve {
                country,
                layer,
                period,
                ..
            } => {
                cons[country] += (w() - v.big_lambda(country, layer, period)) * x;
            }
            Var::Flow {
                from,
                to,
                layer,
                period,
            } => {
                let mut unit = v.big_lambda(to, layer, period)
                    - v.big_lambda(from, layer, period)
                    - v.big_theta(from, layer, period)
                    + w();
                for &(k, m) in &s.layers[layer].import_requires {
                    unit -= m * v.big_lambda(to, k, period);
                }
                rents[to] += unit * x;
            }
            Var::Reserve { to, .. } => rents[to] += w() * x,
            // The shortfall cost is paid by the policy's country (MODEL.md 13.4).
            Var::Shortfall { country, .. } => {
                rents[country] += w() * x;
                short[country] -= w() * x;
            }
            _ => {}
        }
    }
    (0..s.countries.len())
        .map(|c| WelfareEntry {
            country: s.countries[c].id.clone(),
            consumers: cons[c],
            producers: prod[c],
            rents: rents[c],
            shortfall_cost: short[c],
            total: cons[c] + prod[c] + rents[c],
            total_min: None,
            total_max: None,
            price_dependent: None,
        })
        .collect()
}

/// Profit and uplift of every capability (MODEL.md 7), with its country index.
pub fn producers(v: &View) -> Vec<(CountryId, ProducerEntry)> {
    let s = v.s;
    // Support the security rows give each producer's columns: sum y_r (-A_rj) x_j over the
    // production, exports and standby of that capability.
    let mut support_of: std::collections::HashMap<(usize, usize), f64> = Default::default();
    for (r, row) in v.program.rows.iter().enumerate() {
        if !v.sees(row.outcome) {
            continue;
        }
        let y = v.row_dual(r);
        if y == 0.0
            || !matches!(
                row.row,
                Row::Floor { .. } | Row::SupplierShare { .. } | Row::NMinus1 { .. }
            )
        {
            continue;
        }
        for &(j, a) in &row.terms {
            let owner = match v.program.columns[j].var {
                Var::Produce { country, layer, .. } => (country, layer),
                Var::Flow { from, layer, .. } | Var::Reserve { from, layer, .. } => (from, layer),
                _ => continue,
            };
            *support_of.entry(owner).or_default() -= y * a * v.sol.values[j];
        }
    }
    let mut out = Vec::new();
    for cap in &s.capabilities {
        let (c, l) = (cap.country, cap.layer);
        let mut profit = 0.0;
        for t in 1..=s.n_periods() {
            let p = v.value(Var::Produce {
                country: c,
                layer: l,
                period: t,
            });
            let pj = v.program.column_in(
                &Var::Produce {
                    country: c,
                    layer: l,
                    period: t,
                },
                v.outcome,
            );
            let unit_cost = pj.map_or(0.0, |j| -v.program.columns[j].welfare);
            let mut margin = v.big_lambda(c, l, t) - unit_cost;
            for &(k, a) in &cap.inputs {
                margin -= a * v.big_lambda(c, k, t);
            }
            let exports: f64 = (0..s.countries.len())
                .map(|i| {
                    v.value(Var::Flow {
                        from: c,
                        to: i,
                        layer: l,
                        period: t,
                    })
                })
                .sum();
            profit += margin * p + v.big_theta(c, l, t) * exports;
            // Cost curve and learning: the cost of output sits on the segments and fills
            // (MODEL.md 7, 11).
            for j in 0..curve_segments(cap) {
                for var in [
                    Var::Segment {
                        country: c,
                        layer: l,
                        period: t,
                        segment: j,
                    },
                    Var::Fill {
                        country: c,
                        layer: l,
                        period: t,
                        segment: j,
                    },
                ] {
                    if let Some(j) = v.program.column_in(&var, v.outcome) {
                        profit += v.column_welfare(j) * v.sol.values[j];
                    }
                }
            }
            for var in [
                Var::Build {
                    country: c,
                    layer: l,
                    period: t,
                },
                Var::Enter {
                    country: c,
                    layer: l,
                    period: t,
                },
                Var::EnterDiscounted {
                    country: c,
                    layer: l,
                    period: t,
                },
            ] {
                if let Some(j) = v.program.column(&var) {
                    profit += v.column_welfare(j) * v.sol.values[j];
                }
            }
        }
        let support = support_of.get(&(c, l)).copied().unwrap_or(0.0);
        let uplift_total = (-profit).max(0.0);
        let uplift_security = uplift_total.min(support.max(0.0));
        out.push((
            c,
            ProducerEntry {
                country: s.countries[c].id.clone(),
                layer: s.layers[l].id.clone(),
                profit,
                uplift_security,
                uplift_integer: uplift_total - uplift_security,
                uplift_total,
            },
        ));
    }
    out
}

/// Most segments a capability's cost or learning curve can have (0 without either).
fn curve_segments(cap: &crate::scenario::Capability) -> usize {
    cap.cost_curve.as_ref().map_or(0, |c| c.len()) + cap.learning.map_or(0, |l| l.segments)
}

/// Experience and unit cost per period of every learning capability (MODEL.md 11.2), with the
/// starting experience E_0' of the agreements the outcome was built with.
pub fn learning_table(s: &Scenario, outcome: &Outcome) -> Vec<LearningEntry> {
    let Some(v) = View::new(s, outcome) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for cap in &s.capabilities {
        let (c, l) = (cap.country, cap.layer);
        let (Some(lr), Some(start)) = (cap.learning, s.starting_experience(c, l, &outcome.active))
        else {
            continue;
        };
        let mut experience = start;
        for t in 1..=s.n_periods() {
            let output = v.value(Var::Produce {
                country: c,
                layer: l,
                period: t,
            });
            experience += output;
            let trend = cap.cost_trend.powi((t - 1) as i32);
            out.push(LearningEntry {
                country: s.countries[c].id.clone(),
                layer: s.layers[l].id.clone(),
                period: t,
                experience: clean(experience),
                unit_cost: clean(lr.unit_cost_at(cap.unit_cost, experience) * trend),
                output: clean(output),
            });
        }
    }
    out
}

impl Report {
    /// "canonical (least-norm)" or "solver's".
    pub fn price_selection_words(&self) -> &'static str {
        if self.price_selection == "canonical" {
            "canonical (least-norm)"
        } else {
            "solver's"
        }
    }

    /// Every table of `outcome`; tables are empty when there is no solution.
    pub fn new(s: &Scenario, outcome: &Outcome) -> Report {
        Self::build(s, outcome, true)
    }

    /// [`Report::new`] without the welfare ranges (two LPs over the face per country): for
    /// analyses that need only the split, e.g. each coalition's expected welfare.
    pub fn without_ranges(s: &Scenario, outcome: &Outcome) -> Report {
        Self::build(s, outcome, false)
    }

    fn build(s: &Scenario, outcome: &Outcome, with_ranges: bool) -> Report {
        // A solution stopped by the time limit before it could be priced has values, W and gap
        // but no prices: the price-dependent tables stay empty.
        let priced = outcome.checks.unpriced.is_none();
        let mut r = Report {
            status: outcome.status.to_string(),
            objective: outcome.objective(),
            mip: outcome.mip,
            relaxed: outcome.relaxed,
            gap: outcome.gap,
            backend: outcome.backend.to_string(),
            price_selection: match outcome.solution.as_ref().and_then(|x| x.face.as_ref()) {
                Some(_) => "canonical",
                None => "any",
            },
            currency: s.meta.currency.clone(),
            duality_gap: outcome.solution.as_ref().filter(|_| priced).map(|x| {
                crate::backend::verify::duality_gap(
                    &outcome.program,
                    &x.values,
                    &x.duals,
                    x.objective,
                    x.dual_objective,
                )
            }),
            welfare_residual: None,
            check_failed: outcome.checks.failure.clone(),
            coefficient_range: outcome.checks.range,
            warnings: outcome
                .scenario_warnings
                .iter()
                .cloned()
                .chain(outcome.checks.warnings())
                .chain(
                    outcome
                        .solution
                        .as_ref()
                        .and_then(|x| x.canonical_failed.as_ref())
                        .map(|e| {
                            format!(
                                "{e}: the solver's own optimal duals are reported instead of the canonical \
                                 ones, without ranges"
                            )
                        }),
                )
                .collect(),
            prices: Vec::new(),
            production: Vec::new(),
            flows: Vec::new(),
            consumption: Vec::new(),
            capacity_built: Vec::new(),
            operating: Vec::new(),
            reserves: Vec::new(),
            capacity_rents: Vec::new(),
            security_duals: Vec::new(),
            clause_duals: Vec::new(),
            essential_duals: Vec::new(),
            producers: Vec::new(),
            welfare: Vec::new(),
            shortfalls: Vec::new(),
            learning: Vec::new(),
            stochastic: None,
            quantity_ranges: Vec::new(),
        };
        let Some(v) = View::new(s, outcome) else {
            return r;
        };
        let cid = |c: usize| s.countries[c].id.clone();
        let lid = |l: usize| s.layers[l].id.clone();
        let stochastic = outcome.program.stochastic.as_ref();
        let oid = |o: Option<usize>| -> Option<String> { Some(stochastic?.outcomes[o?].0.clone()) };
        let q = super::stochastic::risk_adjusted(&outcome.program, &v.sol.duals);
        for t in (1..=s.n_periods()).filter(|_| priced) {
            for c in 0..s.countries.len() {
                for l in 0..s.layers.len() {
                    let delta = s.discount(t);
                    let price = v.price(c, l, t);
                    r.prices.push(PriceEntry {
                        country: cid(c),
                        layer: lid(l),
                        period: t,
                        price: clean(price),
                        export_price: clean(price + v.big_theta(c, l, t) / delta),
                    });
                }
            }
        }
        let mut consumption: std::collections::BTreeMap<(usize, Option<usize>, usize, usize), f64> =
            Default::default();
        for (j, col) in outcome.program.columns.iter().enumerate() {
            let x = v.sol.values[j];
            match col.var {
                Var::Serve {
                    country,
                    layer,
                    period,
                    ..
                } => {
                    *consumption
                        .entry((period, col.outcome, country, layer))
                        .or_default() += x;
                }
                Var::Produce {
                    country,
                    layer,
                    period,
                } if x.abs() > EPS => r.production.push(QuantityEntry {
                    country: cid(country),
                    layer: lid(layer),
                    period,
                    quantity: x,
                    outcome: oid(col.outcome),
                }),
                Var::Flow {
                    from,
                    to,
                    layer,
                    period,
                } if x.abs() > EPS => r.flows.push(FlowEntry {
                    from: cid(from),
                    to: cid(to),
                    layer: lid(layer),
                    period,
                    quantity: x,
                    outcome: oid(col.outcome),
                }),
                Var::Build {
                    country,
                    layer,
                    period,
                } if x.abs() > EPS => r.capacity_built.push(QuantityEntry {
                    country: cid(country),
                    layer: lid(layer),
                    period,
                    quantity: x,
                    outcome: oid(col.outcome),
                }),
                Var::Reserve {
                    from,
                    to,
                    layer,
                    period,
                } if x.abs() > EPS => r.reserves.push(FlowEntry {
                    from: cid(from),
                    to: cid(to),
                    layer: lid(layer),
                    period,
                    quantity: x,
                    outcome: oid(col.outcome),
                }),
                Var::Shortfall {
                    country,
                    layer,
                    period,
                } => {
                    let delta = s.discount(period);
                    r.shortfalls.push(ShortfallEntry {
                        country: cid(country),
                        layer: lid(layer),
                        period,
                        quantity: clean(x),
                        penalty: -col.objective / delta,
                        cost: clean(-col.objective / delta * x),
                    })
                }
                Var::Operate {
                    country,
                    layer,
                    period,
                } => r.operating.push(OperatingEntry {
                    country: cid(country),
                    layer: lid(layer),
                    period,
                    operating: clean(x),
                    entered: clean(v.value(Var::Enter {
                        country,
                        layer,
                        period,
                    })),
                    entered_discounted: clean(v.value(Var::EnterDiscounted {
                        country,
                        layer,
                        period,
                    })),
                }),
                _ => {}
            }
        }
        r.consumption = consumption
            .into_iter()
            .filter(|(_, q)| q.abs() > EPS)
            .map(|((t, o, c, l), q)| QuantityEntry {
                country: cid(c),
                layer: lid(l),
                period: t,
                quantity: q,
                outcome: oid(o),
            })
            .collect();
        if !priced {
            return r;
        }
        for (i, row) in outcome.program.rows.iter().enumerate() {
            let delta = row.row.period().map_or(1.0, |t| s.discount(t));
            // An outcome's duals per unit of its risk-adjusted probability (MODEL.md 10).
            let per = row.outcome.map_or(1.0, |o| q[o]);
            let dual = if per > 0.0 { v.sol.duals[i] / per } else { 0.0 };
            let value = clean(shadow_value(row.sense, dual) / delta);
            let v = match row.outcome {
                Some(o) if per > 0.0 => v.of_outcome(o, per),
                _ => v,
            };
            match row.row {
                Row::Capacity {
                    country,
                    layer,
                    period,
                } => {
                    // With y fixed at 1 the operating row p + r <= (K0 + X) y can carry the
                    // same rent as the capacity row; one more unit of capacity relaxes both.
                    let operating = v.shadow(Row::OperateUpper {
                        country,
                        layer,
                        period,
                    });
                    r.capacity_rents.push(RentEntry {
                        country: cid(country),
                        layer: lid(layer),
                        period,
                        rent: clean(value + operating),
                        outcome: oid(row.outcome),
                    })
                }
                Row::Essential {
                    country,
                    layer,
                    period,
                } => r.essential_duals.push(RentEntry {
                    country: cid(country),
                    layer: lid(layer),
                    period,
                    rent: value,
                    outcome: oid(row.outcome),
                }),
                Row::Floor {
                    country,
                    layer,
                    period,
                } => r.security_duals.push(SecurityDual {
                    country: cid(country),
                    layer: lid(layer),
                    period,
                    kind: "floor",
                    supplier: None,
                    value,
                    outcome: oid(row.outcome),
                }),
                Row::SupplierShare {
                    supplier,
                    country,
                    layer,
                    period,
                } => r.security_duals.push(SecurityDual {
                    country: cid(country),
                    layer: lid(layer),
                    period,
                    kind: "supplier_share",
                    supplier: Some(cid(supplier)),
                    value,
                    outcome: oid(row.outcome),
                }),
                Row::NMinus1 {
                    lost,
                    country,
                    layer,
                    period,
                } => r.security_duals.push(SecurityDual {
                    country: cid(country),
                    layer: lid(layer),
                    period,
                    kind: "n_minus_1",
                    supplier: Some(cid(lost)),
                    value,
                    outcome: oid(row.outcome),
                }),
                Row::NoDuplication {
                    agreement,
                    clause,
                    period,
                }
                | Row::Commit {
                    agreement,
                    clause,
                    period,
                }
                | Row::CommitOutput {
                    agreement,
                    clause,
                    period,
                } => r.clause_duals.push(ClauseDual {
                    agreement: s.agreements[agreement].id.clone(),
                    clause: clause + 1,
                    kind: s.agreements[agreement].clauses[clause].kind(),
                    period,
                    value,
                    outcome: oid(row.outcome),
                }),
                _ => {}
            }
        }
        r.producers = producers(&v).into_iter().map(|p| p.1).collect();
        r.learning = learning_table(s, outcome);
        r.welfare = welfare(&v);
        if stochastic.is_some() {
            super::stochastic::fill(s, outcome, &q, &mut r);
        }
        // A range that cannot be computed is left out (reported as absent, not as a fact). A
        // stochastic solve has them only when risk neutral (MODEL.md 13.13, decision 151).
        let ranges = if with_ranges {
            super::ranges::welfare_ranges(s, outcome)
        } else {
            Ok(None)
        };
        if let Ok(Some(ranges)) = ranges {
            let w = r.objective.unwrap_or(0.0);
            for (e, g) in r.welfare.iter_mut().zip(ranges) {
                e.price_dependent = Some(g.depends_on_prices(w));
                e.total_min = Some(g.min);
                e.total_max = Some(g.max);
            }
        }
        if stochastic.is_some() {
            return r;
        }
        if let Some(w) = r.objective {
            let (total, magnitude) = super::verified::welfare_sums(&r.welfare);
            r.welfare_residual = Some(crate::backend::verify::welfare_residual(
                w, total, magnitude,
            ));
        }
        r
    }
}
