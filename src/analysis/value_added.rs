//! Value added by country and layer embodied in each country's final demand (MODEL.md
//! section 8, "margins"), in the spirit of the OECD's trade-in-value-added (TiVA) tables,
//! computed from the solved flows through a multi-regional Leontief inverse.
//!
//! # Accounting (also in `models/value-added.md`)
//!
//! For each period t, from the solved quantities (p, f, x) and prices (λ, θ in period money,
//! τ the effective trade cost of each flow), the program's allocation is written as an
//! input-output system in *quantities* with three kinds of node:
//!
//! * **supply pool** S(c,k): the units of k available in country c, a mix of domestic supply
//!   D = p[c,k] - exports[c,k] and imports f[e,c,k]. Every use of k in c (final demand, inputs
//!   to production, import requirements) draws on the pool in proportion to its origins
//!   (the proportional, or "import shares", assumption of the OECD tables): one unit of the
//!   pool takes D/Sup units of P(c,k) and f[e,c,k]/Sup units of M(e->c,k), Sup = D + imports.
//!   Valued at λ[c,k]; it adds no value.
//! * **production** P(c,l), one per capability: one unit takes a_c[k,l] units of S(c,k).
//!   Valued at λ[c,l]; value added per unit λ[c,l] - sum_k a_c[k,l] λ[c,k] (unit cost,
//!   capacity rent, profit or loss, the support of security rows).
//! * **import link** M(e->i,k), one per flow: one delivered unit takes one unit of P(e,k) and
//!   m[j,k] units of S(i,j) (the import requirements), and is valued at λ[i,k]. Its value
//!   added per unit λ[i,k] - λ[e,k] - sum_j m[j,k] λ[i,j] is split into three rows of their own:
//!   the **export rent** θ[e,k] (attributed to exporter e and layer k), the **trade cost**
//!   τ[e,i,k] (attributed to layer k: a resource cost that belongs to no country) and the
//!   **importer's rent**, the rest (attributed to importer i and layer k; zero on a flow that
//!   no security row limits, by complementary slackness).
//!
//! Final demand of country i is x[i,l] units of S(i,l) for every l, valued at λ[i,l]. With A the
//! matrix of units per unit, v the value added per unit of each node and F_i the final demand of
//! i, the value added embodied in F_i is diag(v) (I - A)^-1 F_i. Because every v is the price of
//! its node minus the value of its inputs at prices (v' = π'(I - A) with π the node prices),
//! each column sums to π'F_i = sum_l λ[i,l] x[i,l], the value of i's final demand at its prices,
//! whatever the prices are; the residual is reported and tested. The check that is not a
//! tautology: (I - A)^-1 applied to all final demand reproduces every producer's output
//! ([`Embodied`]), unless some supply is disposed of.
//!
//! Units disposed of (supply above use, where λ = 0 by complementary slackness) are shared out
//! by the same proportions and are not embodied in any final demand. Capacity built, entry
//! costs and standby reserves are not separate rows: they are paid out of the value added of
//! the producers (or show up as losses). For a MIP the prices are those of the restricted LP
//! (MODEL.md 7). `(I - A)` is solved by LU decomposition (nalgebra); a singular system is an
//! error that names the period.

use nalgebra::DMatrix;
use serde::Serialize;

use crate::formulation::Var;
use crate::results::{Outcome, View};
use crate::scenario::{CountryId, LayerId, Period, Scenario};

/// Quantities below this are treated as zero.
const EPS: f64 = 1e-9;

/// What a row of value added is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// Value added by the producers of a layer in a country.
    Production,
    /// Export rents θ earned by an exporter of a layer.
    ExportRent,
    /// Importer's rents on imports of a layer (from security rows).
    ImporterRent,
    /// Trade costs on shipments of a layer (no country).
    TradeCost,
}

impl SourceKind {
    pub fn label(&self) -> &'static str {
        match self {
            SourceKind::Production => "production",
            SourceKind::ExportRent => "export rent",
            SourceKind::ImporterRent => "importer rent",
            SourceKind::TradeCost => "trade cost",
        }
    }
}

/// A row of the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Source {
    pub kind: SourceKind,
    /// Country the value accrues to; none for trade costs.
    pub country: Option<String>,
    pub layer: String,
}

/// Value added embodied in final demand for one period, money of that period.
#[derive(Debug, Clone, Serialize)]
pub struct PeriodValueAdded {
    /// With `[uncertainty]`: the outcome whose flows and prices (its money) are traced
    /// (decision 153); absent for a deterministic scenario.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    pub period: Period,
    /// Columns: the countries whose final demand embodies the value.
    pub countries: Vec<String>,
    /// Rows: where value is added (only rows with a non-zero entry).
    pub sources: Vec<Source>,
    /// values[r][i]: value added by source r embodied in country i's final demand.
    pub values: Vec<Vec<f64>>,
    /// Value of each country's final demand at its prices: sum_l λ[i,l] x[i,l].
    pub final_demand: Vec<f64>,
    /// Share of each country's final demand value added at home (its production and its
    /// importer's rents); `None` where final demand is worth nothing.
    pub domestic_share: Vec<Option<f64>>,
    /// max over countries of |column sum - final demand| / max(1, final demand).
    pub residual: f64,
    /// Every capability's production and the part of it embodied in final demand (all
    /// countries): equal unless some supply is disposed of (free disposal, λ = 0).
    pub production: Vec<Embodied>,
}

/// Production of a capability against the units of it that final demand embodies.
#[derive(Debug, Clone, Serialize)]
pub struct Embodied {
    pub country: String,
    pub layer: String,
    pub produced: f64,
    pub embodied: f64,
}

/// Value added tables for every period.
#[derive(Debug, Clone, Serialize)]
pub struct ValueAdded {
    pub currency: String,
    pub periods: Vec<PeriodValueAdded>,
}

#[derive(Debug, thiserror::Error)]
pub enum ValueAddedError {
    #[error("no solution to take value added from (status {0})")]
    NoSolution(String),
    #[error(
        "value added, period {period}: the input-output system (I - A) of the solved flows is singular \
         (a cycle of inputs and import requirements uses up at least what it produces); the Leontief \
         inverse does not exist"
    )]
    Singular { period: Period },
}

/// A row of value added: kind, country (none for trade costs), layer.
type RowKey = (SourceKind, Option<CountryId>, LayerId);

/// Node of the input-output system.
#[derive(Debug, Clone, Copy)]
enum Node {
    Pool {
        country: CountryId,
        layer: LayerId,
    },
    Producer {
        country: CountryId,
        layer: LayerId,
    },
    Import {
        from: CountryId,
        to: CountryId,
        layer: LayerId,
        tau: f64,
    },
}

/// Value added embodied in each country's final demand, every period. With `[uncertainty]`,
/// every period of every outcome with q_s > 0, each outcome's flows at its prices (its money):
/// one input-output system per outcome, never their probability-weighted sum, which is not one
/// (decision 153).
pub fn value_added(s: &Scenario, outcome: &Outcome) -> Result<ValueAdded, ValueAddedError> {
    let v = View::new(s, outcome)
        .ok_or_else(|| ValueAddedError::NoSolution(outcome.status.to_string()))?;
    let views: Vec<View> = match (&outcome.program.stochastic, &s.uncertainty) {
        (Some(_), Some(_)) => {
            let q = crate::results::stochastic::risk_adjusted(&outcome.program, &v.sol.duals);
            (0..q.len())
                .filter(|&o| q[o] > crate::results::stochastic::Q_ZERO)
                .map(|o| v.of_outcome(o, q[o]))
                .collect()
        }
        _ => vec![v],
    };
    let mut periods = Vec::new();
    for view in &views {
        for t in 1..=s.n_periods() {
            periods.push(period_table(view, t)?);
        }
    }
    Ok(ValueAdded {
        currency: s.meta.currency.clone(),
        periods,
    })
}

fn period_table(v: &View, t: Period) -> Result<PeriodValueAdded, ValueAddedError> {
    let s = v.s;
    let (nc, nl) = (s.countries.len(), s.layers.len());
    let delta = s.discount(t);
    let lambda = |c: CountryId, l: LayerId| v.price(c, l, t);
    let theta = |c: CountryId, l: LayerId| v.big_theta(c, l, t) / delta;

    // Nodes: pools first (index c * nl + l), then producers, then import links.
    let mut nodes: Vec<Node> = Vec::new();
    for c in 0..nc {
        for l in 0..nl {
            nodes.push(Node::Pool {
                country: c,
                layer: l,
            });
        }
    }
    let mut producer_index = vec![None; nc * nl];
    for cap in &s.capabilities {
        producer_index[cap.country * nl + cap.layer] = Some(nodes.len());
        nodes.push(Node::Producer {
            country: cap.country,
            layer: cap.layer,
        });
    }
    let mut imports: Vec<(usize, f64)> = Vec::new(); // (node, flow)
    for (j, col) in v.program.columns.iter().enumerate() {
        if !v.sees(col.outcome) {
            continue;
        }
        if let Var::Flow {
            from,
            to,
            layer,
            period,
        } = col.var
        {
            let f = v.sol.values[j];
            if period == t && f > EPS {
                imports.push((nodes.len(), f));
                nodes.push(Node::Import {
                    from,
                    to,
                    layer,
                    // The W coefficient: the objective's carries (1 - ω) P_s with outcomes.
                    tau: -col.welfare / delta,
                });
            }
        }
    }
    let n = nodes.len();

    // Domestic supply and pool size.
    let production = |c: CountryId, l: LayerId| {
        v.value(Var::Produce {
            country: c,
            layer: l,
            period: t,
        })
    };
    let mut exports = vec![0.0; nc * nl];
    let mut imported = vec![0.0; nc * nl];
    for &(node, f) in &imports {
        if let Node::Import {
            from, to, layer, ..
        } = nodes[node]
        {
            exports[from * nl + layer] += f;
            imported[to * nl + layer] += f;
        }
    }
    let domestic = |c: CountryId, l: LayerId| (production(c, l) - exports[c * nl + l]).max(0.0);
    let supply = |c: CountryId, l: LayerId| domestic(c, l) + imported[c * nl + l];

    // A: units of the row node per unit of the column node; π: node prices.
    let mut a = DMatrix::<f64>::zeros(n, n);
    let mut price = vec![0.0; n];
    for &(node, f) in &imports {
        if let Node::Import { to, layer, .. } = nodes[node] {
            let sup = supply(to, layer);
            if sup > EPS {
                a[(node, to * nl + layer)] += f / sup;
            }
        }
    }
    for (j, node) in nodes.iter().enumerate() {
        match *node {
            Node::Pool {
                country: c,
                layer: l,
            } => {
                price[j] = lambda(c, l);
                let sup = supply(c, l);
                if let (Some(p), true) = (producer_index[c * nl + l], sup > EPS) {
                    a[(p, j)] += domestic(c, l) / sup;
                }
            }
            Node::Producer {
                country: c,
                layer: l,
            } => {
                price[j] = lambda(c, l);
                for &(k, coef) in s.input_coefficients(c, l) {
                    a[(c * nl + k, j)] += coef;
                }
            }
            Node::Import {
                from, to, layer, ..
            } => {
                price[j] = lambda(to, layer);
                if let Some(p) = producer_index[from * nl + layer] {
                    a[(p, j)] += 1.0;
                }
                for &(k, m) in &s.layers[layer].import_requires {
                    a[(to * nl + k, j)] += m;
                }
            }
        }
    }

    // Final demand: one column per country, in units of its pools.
    let mut f = DMatrix::<f64>::zeros(n, nc);
    let mut final_demand = vec![0.0; nc];
    for (j, col) in v.program.columns.iter().enumerate() {
        if !v.sees(col.outcome) {
            continue;
        }
        if let Var::Serve {
            country,
            layer,
            period,
            ..
        } = col.var
        {
            let x = v.sol.values[j];
            if period == t && x > EPS {
                f[(country * nl + layer, country)] += x;
                final_demand[country] += lambda(country, layer) * x;
            }
        }
    }

    // Output required by each country's final demand: (I - A) X = F.
    let i_minus_a = DMatrix::<f64>::identity(n, n) - &a;
    let x = i_minus_a
        .lu()
        .solve(&f)
        .ok_or(ValueAddedError::Singular { period: t })?;
    if x.iter().any(|q| !q.is_finite()) {
        return Err(ValueAddedError::Singular { period: t });
    }

    // Value added per unit of each node, split into its rows: v' = π'(I - A).
    let mut rows: Vec<(RowKey, Vec<f64>)> = Vec::new();
    let mut row_of = std::collections::HashMap::new();
    let mut add = |key: RowKey, unit: f64, j: usize| {
        if unit == 0.0 {
            return;
        }
        let r = *row_of.entry(key).or_insert_with(|| {
            rows.push((key, vec![0.0; nc]));
            rows.len() - 1
        });
        for i in 0..nc {
            rows[r].1[i] += unit * x[(j, i)];
        }
    };
    for (j, node) in nodes.iter().enumerate() {
        let inputs: f64 = (0..n).map(|m| a[(m, j)] * price[m]).sum();
        let unit = price[j] - inputs;
        match *node {
            // Zero up to round-off: kept in its row so that columns sum exactly.
            Node::Pool {
                country: c,
                layer: l,
            } => {
                let kind = if producer_index[c * nl + l].is_some() {
                    SourceKind::Production
                } else {
                    SourceKind::ImporterRent
                };
                add((kind, Some(c), l), unit, j);
            }
            Node::Producer {
                country: c,
                layer: l,
            } => add((SourceKind::Production, Some(c), l), unit, j),
            Node::Import {
                from,
                to,
                layer,
                tau,
            } => {
                let rent = theta(from, layer);
                add((SourceKind::ExportRent, Some(from), layer), rent, j);
                add((SourceKind::TradeCost, None, layer), tau, j);
                add(
                    (SourceKind::ImporterRent, Some(to), layer),
                    unit - rent - tau,
                    j,
                );
            }
        }
    }
    rows.sort_by_key(|(k, _)| (k.0, k.1, k.2));
    rows.retain(|(_, vals)| vals.iter().any(|q| q.abs() > 1e-9));

    let mut residual: f64 = 0.0;
    let mut domestic_share = vec![None; nc];
    for i in 0..nc {
        let total: f64 = rows.iter().map(|(_, vals)| vals[i]).sum();
        residual = residual.max((total - final_demand[i]).abs() / final_demand[i].abs().max(1.0));
        if final_demand[i].abs() > EPS {
            let home: f64 = rows
                .iter()
                .filter(|((kind, c, _), _)| {
                    *c == Some(i)
                        && matches!(kind, SourceKind::Production | SourceKind::ImporterRent)
                })
                .map(|(_, vals)| vals[i])
                .sum();
            domestic_share[i] = Some(home / final_demand[i]);
        }
    }
    Ok(PeriodValueAdded {
        outcome: v
            .outcome
            .and_then(|o| Some(v.program.stochastic.as_ref()?.outcomes[o].0.clone())),
        period: t,
        countries: s.countries.iter().map(|c| c.id.clone()).collect(),
        sources: rows
            .iter()
            .map(|((kind, c, l), _)| Source {
                kind: *kind,
                country: c.map(|c| s.countries[c].id.clone()),
                layer: s.layers[*l].id.clone(),
            })
            .collect(),
        values: rows.into_iter().map(|(_, vals)| vals).collect(),
        final_demand,
        domestic_share,
        residual,
        production: s
            .capabilities
            .iter()
            .filter_map(|cap| {
                let j = producer_index[cap.country * nl + cap.layer]?;
                Some(Embodied {
                    country: s.countries[cap.country].id.clone(),
                    layer: s.layers[cap.layer].id.clone(),
                    produced: production(cap.country, cap.layer),
                    embodied: (0..nc).map(|i| x[(j, i)]).sum(),
                })
            })
            .collect(),
    })
}
