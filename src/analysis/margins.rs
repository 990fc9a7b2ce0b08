//! Margins (MODEL.md section 8): what one more unit, one more capability or one lost supplier is
//! worth.
//!
//! * [`margin_tables`]: prices λ, export rents θ, capacity rents and security duals as
//!   country x layer matrices per period, from one solve (MODEL.md 7; for a MIP, the restricted
//!   LP's duals).
//! * [`price_checks`]: each price against the left and right finite differences of W for `h`
//!   units delivered free (right) or demanded on top (left); a price is unique only where they
//!   agree (MODEL.md 7, degenerate programs).
//! * [`entry_values`]: the discrete value of entering or leaving each layer a country could
//!   produce: re-solve with the decision forced in every period (`BuildOptions::forced`) and
//!   report W(forced) - W(base), in total and by country. **Leaving** ("stay out") has one
//!   definition for every capability (MODEL.md 8, 13.14): the capability is deleted from the
//!   scenario ([`Scenario::without_capability`]): no output, no standby, has = 0 in every
//!   period. **Entering** ("operate") is y = 1 in every period, only where y exists. The solves
//!   are independent and run in parallel.
//! * [`shock`]: cut every export of some layers from some suppliers
//!   (`BuildOptions::cut_exports`) and report the welfare each country loses and the new prices
//!   next to the old; an infeasible shock comes with its diagnosis.
//!
//! Welfare changes by country use the welfare split of MODEL.md 7 in both solves; the total is
//! exact, the split is only as unique as the duals of each solve.

use rayon::prelude::*;
use serde::Serialize;

use super::infeasibility::{self, Diagnosis};
use crate::backend::microlp::RhsWarm;
use crate::backend::{RhsSeries, Status};
use crate::formulation::{self, BuildOptions, Row, Var};
use crate::results::{self, shadow_value, Outcome, SolveConfig, SolveError, View};
use crate::scenario::{Clause, CountryId, LayerId, Period, Scenario};

/// A country x layer matrix for one period; `None` where the entry does not exist (no
/// capability, no policy).
#[derive(Debug, Clone, Serialize)]
pub struct Matrix {
    pub period: Period,
    pub countries: Vec<String>,
    pub layers: Vec<String>,
    /// values[country][layer].
    pub values: Vec<Vec<Option<f64>>>,
}

impl Matrix {
    fn new(s: &Scenario, period: Period, f: impl Fn(CountryId, LayerId) -> Option<f64>) -> Matrix {
        Matrix {
            period,
            countries: s.countries.iter().map(|c| c.id.clone()).collect(),
            layers: s.layers.iter().map(|l| l.id.clone()).collect(),
            values: (0..s.countries.len())
                .map(|c| (0..s.layers.len()).map(|l| f(c, l).map(clean)).collect())
                .collect(),
        }
    }

    /// Entry by ids.
    pub fn get(&self, country: &str, layer: &str) -> Option<f64> {
        let c = self.countries.iter().position(|x| x == country)?;
        let l = self.layers.iter().position(|x| x == layer)?;
        self.values[c][l]
    }
}

fn clean(v: f64) -> f64 {
    if v.abs() < 1e-9 {
        0.0
    } else {
        v
    }
}

/// Prices and duals of one solve, as matrices (period money).
#[derive(Debug, Clone, Serialize)]
pub struct MarginTables {
    /// λ[c,l,t]: value of one more unit delivered free to c.
    pub prices: Vec<Matrix>,
    /// θ[c,l,t]: export rent (export price π = λ + θ); capabilities only.
    pub export_rents: Vec<Matrix>,
    /// Capacity rent per unit of capacity; capabilities only.
    pub capacity_rents: Vec<Matrix>,
    /// Sum of the shadow values of the security rows of (c,l,t) (floor, diversification, N-1);
    /// countries with a policy on the layer only.
    pub security_duals: Vec<Matrix>,
}

/// The matrices of a solved outcome; `None` without a solution, and for a stochastic program,
/// whose prices are per outcome ([`margin_tables_by_outcome`]).
pub fn margin_tables(s: &Scenario, outcome: &Outcome) -> Option<MarginTables> {
    if outcome.program.stochastic.is_some() {
        return None;
    }
    View::new(s, outcome).map(|v| tables_of(s, &v))
}

/// The matrices of one outcome of a stochastic program, in that outcome's money (duals divided
/// by δ_t and q_s, MODEL.md 10).
#[derive(Debug, Clone, Serialize)]
pub struct OutcomeTables {
    pub outcome: String,
    pub probability: f64,
    pub risk_adjusted_probability: f64,
    /// Null where q_s = 0 (only with a risk weight): the outcome has no prices (13.10).
    pub tables: Option<MarginTables>,
}

/// [`MarginTables`] of every outcome of a stochastic program (empty for a deterministic one).
pub fn margin_tables_by_outcome(s: &Scenario, outcome: &Outcome) -> Vec<OutcomeTables> {
    let (Some(v), Some(u)) = (View::new(s, outcome), s.uncertainty.as_ref()) else {
        return Vec::new();
    };
    let q = crate::results::stochastic::risk_adjusted(&outcome.program, &v.sol.duals);
    u.outcomes
        .iter()
        .enumerate()
        .map(|(o, oc)| {
            let ok = q[o] > crate::results::stochastic::Q_ZERO;
            OutcomeTables {
                outcome: oc.id.clone(),
                probability: oc.probability,
                risk_adjusted_probability: q[o],
                tables: ok.then(|| tables_of(s, &v.of_outcome(o, q[o]))),
            }
        })
        .collect()
}

/// The matrices as view `v` sees them (deterministic, or one outcome).
fn tables_of(s: &Scenario, v: &View) -> MarginTables {
    let periods = 1..=s.n_periods();
    let mut security = vec![0.0; s.countries.len() * s.layers.len() * s.n_periods()];
    let nl = s.layers.len();
    let slot = |c: CountryId, l: LayerId, t: Period| ((t - 1) * s.countries.len() + c) * nl + l;
    for (i, row) in v.program.rows.iter().enumerate() {
        if !v.sees(row.outcome) {
            continue;
        }
        let (c, l, t) = match row.row {
            Row::Floor {
                country,
                layer,
                period,
            }
            | Row::SupplierShare {
                country,
                layer,
                period,
                ..
            }
            | Row::NMinus1 {
                country,
                layer,
                period,
                ..
            } => (country, layer, period),
            _ => continue,
        };
        security[slot(c, l, t)] += shadow_value(row.sense, v.row_dual(i)) / s.discount(t);
    }
    let has_policy =
        |c: CountryId, l: LayerId| s.security.iter().any(|p| p.country == c && p.layer == l);
    MarginTables {
        prices: periods
            .clone()
            .map(|t| Matrix::new(s, t, |c, l| Some(v.price(c, l, t))))
            .collect(),
        export_rents: periods
            .clone()
            .map(|t| {
                Matrix::new(s, t, |c, l| {
                    s.capability(c, l)
                        .map(|_| v.big_theta(c, l, t) / s.discount(t))
                })
            })
            .collect(),
        capacity_rents: periods
            .clone()
            .map(|t| {
                Matrix::new(s, t, |c, l| {
                    s.capability(c, l).map(|_| {
                        v.shadow(Row::Capacity {
                            country: c,
                            layer: l,
                            period: t,
                        })
                    })
                })
            })
            .collect(),
        security_duals: periods
            .map(|t| {
                Matrix::new(s, t, |c, l| {
                    has_policy(c, l).then(|| security[slot(c, l, t)])
                })
            })
            .collect(),
    }
}

/// A price against the finite differences of W.
#[derive(Debug, Clone, Serialize)]
pub struct PriceCheck {
    /// With `[uncertainty]`, the outcome of a second-stage price (t >= τ): the units are
    /// delivered in that outcome only and the differences divided by its q_s (MODEL.md 10,
    /// decision 64); absent for a first-stage or deterministic price.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    pub country: String,
    pub layer: String,
    pub period: Period,
    /// Reported price λ (period money).
    pub price: f64,
    /// (W* - W*(h more units of use)) / (h δ_t): the value of the last unit; `None` if the
    /// extra use is infeasible.
    pub left: Option<f64>,
    /// (W*(h units delivered free) - W*) / (h δ_t): the value of the next unit.
    pub right: Option<f64>,
    /// Left and right agree: the price is unique.
    pub unique: bool,
    /// The price lies between the two (a valid marginal value).
    pub within: bool,
}

/// Relative tolerance of the finite-difference comparisons.
pub const FD_TOLERANCE: f64 = 1e-6;

/// Relative to the larger of the two and `scale` (the largest price of the solve), not to 1:
/// rescaling money changes no verdict (issue 9).
fn close(a: f64, b: f64, tol: f64, scale: f64) -> bool {
    (a - b).abs() <= tol * a.abs().max(b.abs()).max(scale)
}

/// A re-solve for an analysis: W always (from the solver itself), the priced outcome (for the
/// welfare split by country) where pricing succeeded.
struct Resolved {
    status: Status,
    objective: Option<f64>,
    outcome: Option<Outcome>,
    /// Why the welfare split is missing, when the solve succeeded but pricing did not.
    note: Option<String>,
}

/// W* of `s` under `opts`, solver only (no pricing).
fn objective_only(
    s: &Scenario,
    opts: &BuildOptions,
    config: &SolveConfig,
) -> Result<(Status, Option<f64>), SolveError> {
    let raw = config
        .backend()?
        .solve(&formulation::build(s, opts), &config.settings)?;
    let w = (raw.status == Status::Optimal && raw.has_values()).then_some(raw.objective);
    Ok((raw.status, w))
}

/// Solve and price; if pricing fails (a backend error in the dual LP), still report W from the
/// solver so that one awkward program does not sink the whole analysis.
fn resolve(
    s: &Scenario,
    opts: &BuildOptions,
    config: &SolveConfig,
) -> Result<Resolved, SolveError> {
    match results::solve(s, opts, config) {
        Ok(out) => {
            let objective = out.objective().filter(|_| out.is_optimal());
            Ok(Resolved {
                status: out.status,
                objective,
                outcome: Some(out),
                note: None,
            })
        }
        Err(SolveError::Backend(e)) => {
            let (status, objective) = objective_only(s, opts, config)?;
            Ok(Resolved {
                status,
                objective,
                outcome: None,
                note: Some(format!("welfare by country unavailable: {e}")),
            })
        }
        Err(e) => Err(e),
    }
}

/// Check every price of `base` against the finite differences of W for `h` units, re-solving
/// twice per (country, layer, period), in parallel.
pub fn price_checks(
    s: &Scenario,
    opts: &BuildOptions,
    config: &SolveConfig,
    base: &Outcome,
    h: f64,
) -> Result<Vec<PriceCheck>, SolveError> {
    price_checks_with_progress(s, opts, config, base, h, &|_, _| {})
}

/// Calls `progress(done, total)` from parallel workers, counting finished tasks.
struct Counter<'a> {
    done: std::sync::atomic::AtomicUsize,
    total: usize,
    progress: &'a (dyn Fn(usize, usize) + Sync),
}

impl<'a> Counter<'a> {
    fn new(total: usize, progress: &'a (dyn Fn(usize, usize) + Sync)) -> Self {
        progress(0, total);
        Counter {
            done: std::sync::atomic::AtomicUsize::new(0),
            total,
            progress,
        }
    }

    fn tick(&self) {
        let k = self.done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        (self.progress)(k, self.total);
    }
}

/// [`price_checks`], calling `progress(done, total)` as prices are checked.
pub fn price_checks_with_progress(
    s: &Scenario,
    opts: &BuildOptions,
    config: &SolveConfig,
    base: &Outcome,
    h: f64,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Vec<PriceCheck>, SolveError> {
    let Some(v) = View::new(s, base) else {
        return Ok(Vec::new());
    };
    let w0 = v.sol.objective;
    // With outcomes, a price of t >= τ is checked in each outcome with q_s > 0, by units
    // delivered there only, against the objective's change divided by q_s (decision 64).
    let q = crate::results::stochastic::risk_adjusted(&base.program, &v.sol.duals);
    let stages: Vec<Option<usize>> = match &base.program.stochastic {
        Some(_) => (0..q.len())
            .filter(|&o| q[o] > crate::results::stochastic::Q_ZERO)
            .map(Some)
            .collect(),
        None => vec![None],
    };
    let reveal = base
        .program
        .stochastic
        .as_ref()
        .map_or(usize::MAX, |st| st.reveal_period);
    let mut keys = Vec::new();
    for t in 1..=s.n_periods() {
        let here: &[Option<usize>] = if t >= reveal { &stages } else { &[None] };
        for &stage in here {
            for c in 0..s.countries.len() {
                for l in 0..s.layers.len() {
                    keys.push((stage, c, l, t));
                }
            }
        }
    }
    let price_of = |stage: Option<usize>, c, l, t| match stage {
        Some(o) => v.of_outcome(o, q[o]).price(c, l, t),
        None => v.price(c, l, t),
    };
    let tol = FD_TOLERANCE / h.min(1.0);
    let scale = keys.iter().fold(0.0f64, |m, &(stage, c, l, t)| {
        m.max(price_of(stage, c, l, t).abs())
    });
    // Warm re-solves serve a deterministic program only (decision 140).
    let warm = match base.program.stochastic {
        Some(_) => None,
        None => {
            let rows: Vec<(CountryId, LayerId, Period)> =
                keys.iter().map(|&(_, c, l, t)| (c, l, t)).collect();
            warm_balance(s, opts, config, &rows, h, &v.sol.values)
        }
    };
    // On a backend that keeps a loaded LP (HiGHS), each chunk of keys re-solves one loaded
    // relaxation and restricted LP instead (issue 13); chunks are fixed by key order, so the
    // answers do not depend on the number of threads.
    let loaded = warm.is_none() && base.program.stochastic.is_none();
    let program = loaded.then(|| formulation::build(s, opts));
    let backend = config.backend()?;
    let counter = Counter::new(keys.len(), progress);
    // One price: W with the balance row moved by ±h units, from the microlp warm start, else
    // the chunk's loaded LPs, else a cold solve of the program with that extra delivery.
    let check = |i: usize,
                 (stage, c, l, t): (Option<usize>, CountryId, LayerId, Period),
                 series: &mut Option<RhsSeries>|
     -> Result<PriceCheck, SolveError> {
        let _tick = Tick(&counter);
        let delta = s.discount(t) * stage.map_or(1.0, |o| q[o]);
        let row = program.as_ref().and_then(|p| {
            p.row(&Row::Balance {
                country: c,
                layer: l,
                period: t,
            })
        });
        let mut w = |units: f64| -> Result<Option<f64>, SolveError> {
            if let Some(w1) = warm.as_ref().and_then(|w| w.objective(i, units)) {
                return Ok(Some(w1));
            }
            if let Some(w1) = series
                .as_mut()
                .zip(row)
                .and_then(|(series, r)| series.objective(r, units))
            {
                return Ok(Some(w1));
            }
            let mut o = opts.clone();
            match stage {
                Some(outcome) => o.extra_delivery_in.push((outcome, c, l, t, units)),
                None => o.extra_delivery.push((c, l, t, units)),
            }
            Ok(objective_only(s, &o, config)?.1)
        };
        let right = w(h)?.map(|w1| (w1 - w0) / (h * delta));
        let left = w(-h)?.map(|w1| (w0 - w1) / (h * delta));
        let price = price_of(stage, c, l, t);
        let unique = matches!((left, right), (Some(a), Some(b)) if close(a, b, tol, scale));
        let lo = right
            .unwrap_or(f64::NEG_INFINITY)
            .min(left.unwrap_or(f64::INFINITY));
        let hi = right
            .unwrap_or(f64::NEG_INFINITY)
            .max(left.unwrap_or(f64::INFINITY));
        let slack = tol * price.abs().max(scale);
        Ok(PriceCheck {
            outcome: stage.and_then(|o| s.uncertainty.as_ref().map(|u| u.outcomes[o].id.clone())),
            country: s.countries[c].id.clone(),
            layer: s.layers[l].id.clone(),
            period: t,
            price,
            left,
            right,
            unique,
            within: price >= lo - slack && price <= hi + slack,
        })
    };
    keys.par_chunks(WARM_CHUNK)
        .enumerate()
        .flat_map_iter(|(chunk, keys)| {
            let mut series = program.as_ref().and_then(|p| {
                RhsSeries::new(backend.as_ref(), p, Some(&v.sol.values), &config.settings)
            });
            keys.iter()
                .enumerate()
                .map(|(k, &key)| check(chunk * WARM_CHUNK + k, key, &mut series))
                .collect::<Vec<_>>()
        })
        .collect::<Vec<_>>()
        // The first error in key order, not the first to happen: the same every run.
        .into_iter()
        .collect()
}

/// Price checks per loaded LP on a backend that keeps one (a series of warm re-solves).
const WARM_CHUNK: usize = 16;

/// Warm re-solves of the balance rows of `keys` (slot i = `keys[i]`) moved by up to `h`, on
/// the default backend (decision 140): an extra delivery of q units is the balance row's
/// right-hand side raised by q and nothing else (`formulation::balance`), so the program is
/// built once. `incumbent`: the base solution's values (its integers, for a MIP). `None` (every re-solve cold) on another backend or where
/// [`RhsWarm::new`] declines.
pub fn warm_balance(
    s: &Scenario,
    opts: &BuildOptions,
    config: &SolveConfig,
    keys: &[(CountryId, LayerId, Period)],
    h: f64,
    incumbent: &[f64],
) -> Option<RhsWarm> {
    if config.backend != "microlp" {
        return None;
    }
    let program = formulation::build(s, opts);
    let rows = keys
        .iter()
        .map(|&(country, layer, period)| {
            program.row(&Row::Balance {
                country,
                layer,
                period,
            })
        })
        .collect::<Option<Vec<usize>>>()?;
    RhsWarm::new(&program, &rows, h.abs(), Some(incumbent), &config.settings)
}

/// A country's share of a change in W.
#[derive(Debug, Clone, Serialize)]
pub struct CountryValue {
    pub country: String,
    pub value: f64,
}

/// The value of forcing one operating decision.
#[derive(Debug, Clone, Serialize)]
pub struct EntryValue {
    pub country: String,
    pub layer: String,
    /// `operate` (y = 1 in every period) or `stay_out` (the capability deleted: no output, no
    /// standby, holds nothing, MODEL.md 13.14).
    pub forced: &'static str,
    /// What the forced decision is relative to the base solution: `enter`, `leave`,
    /// `operate_throughout`, `never_operate`, `stay_in` or `stay_out` (the last two are the
    /// base decision itself: value 0, not re-solved).
    pub change: &'static str,
    /// Whether the capability has an operating binary y (MODEL.md 3.1); without one, only
    /// "stay out" (produce nothing) is evaluated.
    pub has_operating_status: bool,
    /// Base decision per period: y where it exists, else production.
    pub base: Vec<f64>,
    pub status: String,
    /// W* with the decision forced.
    pub objective: Option<f64>,
    /// W(forced) - W(base): positive means the decision would raise total welfare.
    pub value: Option<f64>,
    /// Change in each country's welfare (forced - base).
    pub welfare_change: Vec<CountryValue>,
    /// Whether a solve was needed (false for the base decision itself).
    pub solved: bool,
    /// Why the forced decision is infeasible, where it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diagnosis: Option<Diagnosis>,
    /// Why `welfare_change` is empty although the forced program solved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// An active `commit` clause with build = true names (c, l).
fn committed_to_operate(s: &Scenario, opts: &BuildOptions, c: CountryId, l: LayerId) -> bool {
    s.agreements.iter().enumerate().any(|(a, ag)| {
        opts.is_active(a, s)
            && ag.clauses.iter().any(|k| {
                matches!(k, Clause::Commit { country, layer, build: true, .. } if *country == c && *layer == l)
            })
    })
}

/// Each country's welfare: of a stochastic program, the expected (or risk-adjusted) split of
/// MODEL.md 13.10.
fn welfare_totals(s: &Scenario, outcome: &Outcome) -> Option<Vec<f64>> {
    outcome.solution.as_ref()?;
    Some(
        super::compare::welfare_of(s, outcome)
            .into_iter()
            .map(|w| w.total)
            .collect(),
    )
}

/// Every price in (period, country, layer) order; of a stochastic program, the expected prices
/// Σ_s q_s λ_s (MODEL.md 10).
fn prices_of(s: &Scenario, outcome: &Outcome) -> Option<Vec<f64>> {
    if outcome.program.stochastic.is_some() {
        outcome.solution.as_ref()?;
        // `Report::prices` are in the same (period, country, layer) order.
        let prices: Vec<f64> = results::Report::without_ranges(s, outcome)
            .prices
            .iter()
            .map(|p| p.price)
            .collect();
        // Empty when the solve could not be priced.
        return (prices.len() == s.n_periods() * s.countries.len() * s.layers.len())
            .then_some(prices);
    }
    let v = View::new(s, outcome)?;
    let mut out = Vec::new();
    for t in 1..=s.n_periods() {
        for c in 0..s.countries.len() {
            for l in 0..s.layers.len() {
                out.push(v.price(c, l, t));
            }
        }
    }
    Some(out)
}

/// Counts a task as done when dropped (whichever way the task returns).
struct Tick<'a, 'b>(&'a Counter<'b>);

impl Drop for Tick<'_, '_> {
    fn drop(&mut self) {
        self.0.tick();
    }
}

/// Entry and exit values for every capability, forced in every period (parallel solves).
pub fn entry_values(
    s: &Scenario,
    opts: &BuildOptions,
    config: &SolveConfig,
    base: &Outcome,
) -> Result<Vec<EntryValue>, SolveError> {
    entry_values_with_progress(s, opts, config, base, &|_, _| {})
}

/// [`entry_values`], calling `progress(done, total)` as decisions are solved.
pub fn entry_values_with_progress(
    s: &Scenario,
    opts: &BuildOptions,
    config: &SolveConfig,
    base: &Outcome,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Vec<EntryValue>, SolveError> {
    let Some(plan) = EntryPlan::new(s, opts, base) else {
        return Ok(Vec::new());
    };
    let counter = Counter::new(plan.tasks.len(), progress);
    (0..plan.tasks.len())
        .into_par_iter()
        .map(|i| {
            let _tick = Tick(&counter);
            let solved = plan.solve(i, config)?;
            plan.finish(i, solved, config)
        })
        .collect::<Vec<_>>()
        // The first error in task order, not the first to happen: the same every run.
        .into_iter()
        .collect()
}

/// One forced decision to evaluate.
#[derive(Debug, Clone)]
struct EntryTask {
    c: CountryId,
    l: LayerId,
    /// Forced to operate (true) or to stay out (false).
    operate: bool,
    with_y: bool,
    change: &'static str,
    base: Vec<f64>,
}

/// What one forced solve found: everything [`EntryPlan::finish`] needs to build the
/// [`EntryValue`] (stored in entry-value shard files, `crate::analysis::entry_shard`).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct EntrySolve {
    pub status: String,
    pub objective: Option<f64>,
    /// Each country's welfare with the decision forced, where the solve was optimal and priced.
    pub welfare: Option<Vec<f64>>,
    pub note: Option<String>,
    /// Whether the infeasibility is to be diagnosed (not for a commit clause's conflict).
    pub diagnose: bool,
}

/// Every forced decision of a solved scenario, in a fixed order: the list the entry values are
/// computed over, locally or cut into shards.
pub struct EntryPlan<'a> {
    s: &'a Scenario,
    opts: &'a BuildOptions,
    w0: f64,
    base_welfare: Vec<f64>,
    tasks: Vec<EntryTask>,
}

impl<'a> EntryPlan<'a> {
    /// The decisions of every capability; `None` without a base solution.
    pub fn new(s: &'a Scenario, opts: &'a BuildOptions, base: &Outcome) -> Option<Self> {
        let v = View::new(s, base)?;
        let w0 = v.sol.objective;
        let base_welfare = welfare_totals(s, base).unwrap_or_default();
        let n = s.n_periods();
        let mut tasks = Vec::new();
        for cap in &s.capabilities {
            let (c, l) = (cap.country, cap.layer);
            let with_y = formulation::has_operating_status(s, c, l);
            let decisions: &[bool] = if with_y { &[true, false] } else { &[false] };
            let base_dec: Vec<f64> = (1..=n)
                .map(|t| {
                    let var = if with_y {
                        Var::Operate {
                            country: c,
                            layer: l,
                            period: t,
                        }
                    } else {
                        Var::Produce {
                            country: c,
                            layer: l,
                            period: t,
                        }
                    };
                    clean(v.value(var))
                })
                .collect();
            let on: Vec<bool> = base_dec
                .iter()
                .map(|&x| if with_y { x > 0.5 } else { x > 1e-9 })
                .collect();
            // Leaving changes nothing only for a capability that is entirely idle: no output,
            // no standby, and no holding (no K0, never operating).
            let standby: f64 = v
                .program
                .columns
                .iter()
                .enumerate()
                .filter(|(_, col)| matches!(col.var, Var::Reserve { from, layer, .. } if from == c && layer == l))
                .map(|(j, _)| v.sol.values[j].abs())
                .sum();
            let idle = on.iter().all(|&x| !x) && standby <= 1e-9 && cap.capacity == 0.0;
            for &d in decisions {
                let change = match (d, on.iter().all(|&x| x), on.iter().all(|&x| !x)) {
                    (true, true, _) => "stay_in",
                    (true, _, true) => "enter",
                    (true, _, _) => "operate_throughout",
                    (false, _, true) if idle => "stay_out",
                    (false, _, true) => "give_up",
                    (false, true, _) => "leave",
                    (false, _, _) => "never_operate",
                };
                tasks.push(EntryTask {
                    c,
                    l,
                    operate: d,
                    with_y,
                    change,
                    base: base_dec.clone(),
                });
            }
        }
        Some(EntryPlan {
            s,
            opts,
            w0,
            base_welfare,
            tasks,
        })
    }

    /// Number of forced decisions.
    pub fn len(&self) -> usize {
        self.tasks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }

    /// Decision `i` as `COUNTRY/LAYER/operate|stay_out` (names it in shard files).
    pub fn label(&self, i: usize) -> String {
        let t = &self.tasks[i];
        format!(
            "{}/{}/{}",
            self.s.countries[t.c].id,
            self.s.layers[t.l].id,
            if t.operate { "operate" } else { "stay_out" }
        )
    }

    /// The scenario and options of decision `i` forced.
    fn target(&self, t: &EntryTask) -> (std::borrow::Cow<'a, Scenario>, BuildOptions) {
        let mut o = self.opts.clone();
        o.forced.retain(|f| !(f.0 == t.c && f.1 == t.l));
        if t.operate {
            o.forced.push((t.c, t.l, true));
            (std::borrow::Cow::Borrowed(self.s), o)
        } else {
            (
                std::borrow::Cow::Owned(self.s.without_capability(t.c, t.l)),
                o,
            )
        }
    }

    /// Solve decision `i`; `None` where it is the base decision itself (nothing to solve).
    pub fn solve(&self, i: usize, config: &SolveConfig) -> Result<Option<EntrySolve>, SolveError> {
        let t = &self.tasks[i];
        if matches!(t.change, "stay_in" | "stay_out") {
            return Ok(None);
        }
        if !t.operate && committed_to_operate(self.s, self.opts, t.c, t.l) {
            return Ok(Some(EntrySolve {
                status: Status::Infeasible.to_string(),
                objective: None,
                welfare: None,
                note: Some(
                    "an active commit clause requires this capability to operate, so it cannot leave"
                        .into(),
                ),
                diagnose: false,
            }));
        }
        let (target, o) = self.target(t);
        let r = resolve(&target, &o, config)?;
        let welfare = r
            .outcome
            .as_ref()
            .filter(|o| o.is_optimal())
            .and_then(|o| welfare_totals(&target, o));
        Ok(Some(EntrySolve {
            status: r.status.to_string(),
            objective: r.objective,
            welfare,
            note: r.note,
            diagnose: r.status == Status::Infeasible,
        }))
    }

    /// The entry value of decision `i` from its solve (and the infeasibility diagnosis, solved
    /// here, where there is one).
    pub fn finish(
        &self,
        i: usize,
        solved: Option<EntrySolve>,
        config: &SolveConfig,
    ) -> Result<EntryValue, SolveError> {
        let (s, t) = (self.s, &self.tasks[i]);
        let mut e = EntryValue {
            country: s.countries[t.c].id.clone(),
            layer: s.layers[t.l].id.clone(),
            forced: if t.operate { "operate" } else { "stay_out" },
            change: t.change,
            has_operating_status: t.with_y,
            base: t.base.clone(),
            status: Status::Optimal.to_string(),
            objective: Some(self.w0),
            value: Some(0.0),
            welfare_change: s
                .countries
                .iter()
                .map(|x| CountryValue {
                    country: x.id.clone(),
                    value: 0.0,
                })
                .collect(),
            solved: false,
            diagnosis: None,
            note: None,
        };
        let Some(r) = solved else {
            return Ok(e);
        };
        e.solved = true;
        e.status = r.status;
        e.objective = r.objective;
        e.value = e.objective.map(|w| w - self.w0);
        e.note = r.note;
        match r.welfare {
            Some(w) => {
                for (i, cv) in e.welfare_change.iter_mut().enumerate() {
                    cv.value = w[i] - self.base_welfare.get(i).copied().unwrap_or(0.0);
                }
            }
            None => e.welfare_change.clear(),
        }
        if r.diagnose {
            let (target, o) = self.target(t);
            e.diagnosis = Some(infeasibility::diagnose(&target, &o, config)?);
        }
        Ok(e)
    }
}

/// One cut: every export of `layer` from `supplier`.
#[derive(Debug, Clone, Serialize)]
pub struct Cut {
    pub supplier: String,
    pub layer: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct WelfareLoss {
    pub country: String,
    pub before: f64,
    pub after: f64,
    /// before - after (discounted): positive = the country loses.
    pub loss: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct PriceChange {
    pub country: String,
    pub layer: String,
    pub period: Period,
    pub before: f64,
    pub after: f64,
    pub change: f64,
}

/// A supply shock and its effects.
#[derive(Debug, Clone, Serialize)]
pub struct ShockResult {
    pub cuts: Vec<Cut>,
    pub status: String,
    pub objective_before: f64,
    pub objective_after: Option<f64>,
    /// W before - W after (discounted).
    pub welfare_loss: Option<f64>,
    pub welfare: Vec<WelfareLoss>,
    /// Every price, before and after (period money).
    pub prices: Vec<PriceChange>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diagnosis: Option<Diagnosis>,
    /// Why welfare by country and prices are missing although the shocked program solved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl ShockResult {
    /// Layers whose price moved by more than `tol` somewhere.
    pub fn layers_moved(&self, tol: f64) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for p in &self.prices {
            if p.change.abs() > tol && !out.contains(&p.layer) {
                out.push(p.layer.clone());
            }
        }
        out
    }
}

/// Cut every export of each (supplier, layer) in `cuts` at once and compare with `base`.
pub fn shock(
    s: &Scenario,
    opts: &BuildOptions,
    config: &SolveConfig,
    base: &Outcome,
    cuts: &[(CountryId, LayerId)],
) -> Result<ShockResult, SolveError> {
    let w0 = base.objective().unwrap_or(f64::NAN);
    let mut o = opts.clone();
    o.cut_exports.extend_from_slice(cuts);
    let res = resolve(s, &o, config)?;
    let before = welfare_totals(s, base).unwrap_or_default();
    let priced = res.outcome.as_ref().filter(|o| o.is_optimal());
    let after = priced.and_then(|o| welfare_totals(s, o));
    let mut r = ShockResult {
        cuts: cuts
            .iter()
            .map(|&(c, l)| Cut {
                supplier: s.countries[c].id.clone(),
                layer: s.layers[l].id.clone(),
            })
            .collect(),
        status: res.status.to_string(),
        objective_before: w0,
        objective_after: res.objective,
        welfare_loss: None,
        welfare: Vec::new(),
        prices: Vec::new(),
        diagnosis: None,
        note: res.note.clone(),
    };
    r.welfare_loss = r.objective_after.map(|w| w0 - w);
    if let (Some(after), Some(out)) = (&after, priced) {
        r.welfare = (0..s.countries.len())
            .map(|i| {
                let b = before.get(i).copied().unwrap_or(f64::NAN);
                WelfareLoss {
                    country: s.countries[i].id.clone(),
                    before: b,
                    after: after[i],
                    loss: b - after[i],
                }
            })
            .collect();
        if let (Some(p0), Some(p1)) = (prices_of(s, base), prices_of(s, out)) {
            let mut k = 0;
            for t in 1..=s.n_periods() {
                for c in 0..s.countries.len() {
                    for l in 0..s.layers.len() {
                        let (b, a) = (clean(p0[k]), clean(p1[k]));
                        k += 1;
                        r.prices.push(PriceChange {
                            country: s.countries[c].id.clone(),
                            layer: s.layers[l].id.clone(),
                            period: t,
                            before: b,
                            after: a,
                            change: clean(a - b),
                        });
                    }
                }
            }
        }
    }
    if res.status == Status::Infeasible {
        r.diagnosis = Some(infeasibility::diagnose(s, &o, config)?);
    }
    Ok(r)
}
