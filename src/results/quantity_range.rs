//! The least and the most a reported quantity can be over every optimal plan
//! (`solve --quantity-range`).
//!
//! An LP's optimum is often a face, not a point: which bloc gets the scarce chips in a blockade
//! can differ between optimal plans of the same W. A quantity that differs is not a fact of the
//! optimum, and a policy cannot be matched to it (decisions 180). Its least over the optimal
//! plans is one: what every optimal plan guarantees. Both ends are found by two LPs on the one
//! [`Program`]: W held at its optimum (within [`FLOOR_TOLERANCE`] relative, the
//! [`Row::NearOptimal`](crate::formulation::Row::NearOptimal) row of `alternatives` with slack
//! 0) and the quantity minimised and maximised; a MIP's integers stay fixed at the optimum
//! (restricted pricing's LP). With `[uncertainty]` W is the file's objective.
//!
//! A quantity is written like a sweep metric: `LIST[SELECTOR]` with LIST one of `consumption`,
//! `production`, `capacity_built` or `flows`, and SELECTOR parts separated by `/`, each `*`, a
//! value of any field of the entries (`EU`, `fab_lead`, `2`) or `field=value`
//! (`outcome=taiwan-blockade`): the sum over the entries of the solve's list that match. With
//! outcomes, second-stage entries carry their outcome's id and first-stage ones none, so a
//! selector without `outcome=` sums every outcome's quantities (not their expectation).

use serde::Serialize;
use serde_json::{json, Map, Value};

use super::{Outcome, SolveConfig, SolveError};
use crate::backend::Status;
use crate::formulation::{Program, Var};
use crate::scenario::Scenario;

/// W is held at W* - FLOOR_TOLERANCE max(1, |W*|): the solvers' tolerances are around 1e-9, so
/// the optimum itself must stay feasible.
pub const FLOOR_TOLERANCE: f64 = 1e-9;

/// An end within this much (relative to max(1, |optimum|)) of the value at the optimum is the
/// optimum's value: W's tolerance, not a second optimal plan.
pub const QUANTITY_TOLERANCE: f64 = 1e-6;

/// The lists a quantity can sum.
pub const LISTS: [&str; 4] = ["consumption", "production", "capacity_built", "flows"];

/// A parsed `LIST[SELECTOR]`.
#[derive(Debug, Clone, PartialEq)]
pub struct QuantitySelector {
    /// As written (the name in the output).
    pub text: String,
    list: &'static str,
    /// The selector's parts, as written.
    pub parts: Vec<String>,
}

/// A quantity that does not parse (exit 2 in the CLI).
#[derive(Debug, thiserror::Error)]
pub enum QuantityError {
    #[error(
        "quantity \"{0}\": expected LIST[SELECTOR] with LIST one of consumption, production, \
         capacity_built, flows (e.g. consumption[EU/fab_lead/outcome=taiwan-blockade])"
    )]
    Syntax(String),
    #[error("quantity \"{0}\": no column of the program matches it (check the ids and the list)")]
    Empty(String),
}

impl QuantitySelector {
    pub fn parse(text: &str) -> Result<QuantitySelector, QuantityError> {
        let name = text.trim();
        let bad = || QuantityError::Syntax(name.to_string());
        let (head, rest) = name.split_once('[').ok_or_else(bad)?;
        let sel = rest.strip_suffix(']').ok_or_else(bad)?;
        let list = LISTS.iter().find(|l| **l == head.trim()).ok_or_else(bad)?;
        if sel.trim().is_empty() || sel.contains('[') || sel.contains(']') {
            return Err(bad());
        }
        Ok(QuantitySelector {
            text: name.to_string(),
            list,
            parts: sel.split('/').map(|p| p.trim().to_string()).collect(),
        })
    }

    /// The columns the quantity sums, each with weight 1.
    fn columns(&self, s: &Scenario, program: &Program) -> Vec<usize> {
        let outcome_id = |o: Option<usize>| match (o, &program.stochastic) {
            (Some(o), Some(st)) => Value::String(st.outcomes[o].0.clone()),
            _ => Value::Null,
        };
        let country = |c: usize| s.countries[c].id.as_str();
        let layer = |l: usize| s.layers[l].id.as_str();
        program
            .columns
            .iter()
            .enumerate()
            .filter_map(|(j, col)| {
                let entry = match (self.list, col.var) {
                    (
                        "consumption",
                        Var::Serve {
                            country: c,
                            layer: l,
                            period,
                            ..
                        },
                    )
                    | (
                        "production",
                        Var::Produce {
                            country: c,
                            layer: l,
                            period,
                        },
                    )
                    | (
                        "capacity_built",
                        Var::Build {
                            country: c,
                            layer: l,
                            period,
                        },
                    ) => json!({"country": country(c), "layer": layer(l), "period": period,
                                "outcome": outcome_id(col.outcome)}),
                    (
                        "flows",
                        Var::Flow {
                            from,
                            to,
                            layer: l,
                            period,
                        },
                    ) => json!({"from": country(from), "to": country(to), "layer": layer(l),
                                "period": period, "outcome": outcome_id(col.outcome)}),
                    _ => return None,
                };
                let e = entry.as_object()?;
                self.parts
                    .iter()
                    .all(|p| selector_matches(p, e))
                    .then_some(j)
            })
            .collect()
    }
}

/// Does one selector part match an output entry: `*`, `field=value`, or the value of any field.
pub fn selector_matches(part: &str, e: &Map<String, Value>) -> bool {
    let text = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    if part == "*" {
        return true;
    }
    if let Some((k, want)) = part.split_once('=') {
        return e.get(k.trim()).and_then(text).as_deref() == Some(want.trim());
    }
    e.values().any(|v| text(v).as_deref() == Some(part))
}

/// One quantity's value at the reported optimum and its range over the optimal plans.
#[derive(Debug, Clone, Serialize)]
pub struct QuantityRange {
    pub quantity: String,
    /// At the reported optimum (the solver's plan).
    pub optimum: f64,
    /// The least over the optimal plans: what every optimal plan guarantees. `None` where the
    /// LP did not solve (see `status`).
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// `optimal`, or the status of the LP that failed.
    pub status: String,
}

/// The range of each quantity over the optimal plans of the solved `outcome`.
pub fn quantity_ranges(
    s: &Scenario,
    config: &SolveConfig,
    outcome: &Outcome,
    quantities: &[QuantitySelector],
) -> Result<Vec<QuantityRange>, RangeError> {
    let Some(sol) = outcome.solution.as_ref().filter(|_| outcome.is_optimal()) else {
        return Ok(Vec::new());
    };
    let program = &outcome.program;
    let w = sol.objective;
    let face = program
        .with_integers_fixed(&sol.values)
        .near_optimal(w - FLOOR_TOLERANCE * w.abs().max(1.0));
    let backend = config.backend()?;
    // Every end is the same LP with another objective: loaded once (issue 13).
    let mut lp = crate::backend::Resolver::new(backend.as_ref(), &face, &config.settings);
    let mut out = Vec::new();
    for q in quantities {
        let cols = q.columns(s, program);
        if cols.is_empty() {
            return Err(QuantityError::Empty(q.text.clone()).into());
        }
        let at = |values: &[f64]| cols.iter().map(|&j| values[j]).sum::<f64>();
        let mut ends = [None, None];
        let mut status = Status::Optimal;
        for (k, sign) in [(0, -1.0), (1, 1.0)] {
            let terms: Vec<(usize, f64)> = cols.iter().map(|&j| (j, sign)).collect();
            lp.set_objective(&terms);
            let raw = lp.solve().map_err(SolveError::from)?;
            if raw.status == Status::Optimal && raw.has_values() {
                ends[k] = Some(at(&raw.values));
            } else {
                status = raw.status;
            }
        }
        // The floor's tolerance lets a quantity move by about tolerance / reduced cost: an end
        // that close to the optimum is the optimum.
        let optimum = at(&sol.values);
        let snap = |end: Option<f64>| {
            end.map(|e| {
                if (e - optimum).abs() <= QUANTITY_TOLERANCE * optimum.abs().max(1.0) {
                    optimum
                } else {
                    e
                }
            })
        };
        out.push(QuantityRange {
            quantity: q.text.clone(),
            optimum,
            min: snap(ends[0]),
            max: snap(ends[1]),
            status: status.to_string(),
        });
    }
    Ok(out)
}

/// Why the ranges could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum RangeError {
    #[error(transparent)]
    Quantity(#[from] QuantityError),
    #[error(transparent)]
    Solve(#[from] SolveError),
}
