//! Modelling to generate alternatives (MODEL.md section 8): how much room each country has to
//! choose its specialisation at almost no cost to the world.
//!
//! * The **near-optimal set** is every allocation with W >= floor, floor = W* - ε |W*|
//!   (models/decisions.md 80): (1 - ε) W* when W* > 0, and still "at most ε |W*| worse" when
//!   W* <= 0, where (1 - ε) W* would be *above* W* and the set empty. The floor is lowered by
//!   [`FLOOR_TOLERANCE`] (relative) so that round-off never makes the optimum itself infeasible.
//!   The row is [`Row::NearOptimal`](crate::formulation::Row::NearOptimal) on the one program
//!   ([`Program::near_optimal`](crate::formulation::Program::near_optimal)).
//! * **Ranges**: for each capability (c, l), the least and the most c can produce of l over the
//!   horizon (Σ_t p[c,l,t], undiscounted units) in that set: two solves each, run in parallel,
//!   results in scenario order. With `[uncertainty]` (decision 150) W is the file's objective
//!   (1 - ω) E[W] + ω CVaR_α and production is the expected output over the horizon,
//!   Σ_{t<τ} p_t + Σ_s P_s Σ_{t>=τ} p_{s,t}; everything below is on those two.
//!   By default a MIP's integers stay fixed at the optimum (the
//!   LP of restricted pricing, so every solve is an LP); with `free_integers` they are free and
//!   each solve is a MIP (decision 81).
//! * **Alternatives**, SPORES-style (decision 82): production is measured in shares of each
//!   layer's world output at the optimum (S_l = Σ_c P*[c,l], or the largest max of the layer
//!   where nothing is produced at the optimum). Alternative k maximises
//!   Σ_i d_i P_i / S_l(i) over the cells that can move, with d_i = +1 where the mean of the
//!   optimum and the earlier alternatives lies in the lower half of the cell's range and -1
//!   otherwise: every cell is pushed to the end of its range farthest from where the earlier
//!   plans put it, a linear lower bound of the L1 distance to their mean. Each alternative is
//!   reported with its W, its production and its L1 distance in shares to the nearest earlier
//!   plan; the search stops early when the rule repeats a plan.
//! * **Verdicts** (decision 83): a country has *room* when some layer it can produce can move
//!   by at least [`ROOM_THRESHOLD`] (5 %) of that layer's world output within the slack;
//!   otherwise it is *pinned*.

use rayon::prelude::*;
use serde::Serialize;

use crate::backend::{Resolver, Status};
use crate::formulation::{Program, Var};
use crate::results::{Outcome, SolveConfig, SolveError};
use crate::scenario::{CountryId, LayerId, Scenario};

/// Default slack ε: 2 % of |W*|.
pub const DEFAULT_SLACK: f64 = 0.02;
/// Default number of maximally different alternatives.
pub const DEFAULT_COUNT: usize = 3;
/// A range at least this share of the layer's world output is "room to choose" (decision 83).
pub const ROOM_THRESHOLD: f64 = 0.05;
/// The floor is lowered by this much times max(1, |W*|), so with ε = 0 the optimum itself
/// stays feasible.
pub use crate::results::quantity_range::FLOOR_TOLERANCE;
/// Range solves per loaded LP (a series of warm re-solves): large enough that the load and the
/// first solve from nothing are a small part, small enough to keep both cores busy.
const WARM_CHUNK: usize = 16;
/// A width or distance below this share of world output is round-off.
const SHARE_TOLERANCE: f64 = 1e-6;

/// What to compute.
#[derive(Debug, Clone)]
pub struct AlternativeSettings {
    /// ε in [0, 1): the near-optimal set is W >= W* - ε |W*|.
    pub slack: f64,
    /// Number of maximally different alternatives (at least 1).
    pub count: usize,
    /// Let a MIP's integers move (each solve a MIP) instead of fixing them at the optimum.
    pub free_integers: bool,
}

impl Default for AlternativeSettings {
    fn default() -> Self {
        AlternativeSettings {
            slack: DEFAULT_SLACK,
            count: DEFAULT_COUNT,
            free_integers: false,
        }
    }
}

impl AlternativeSettings {
    /// Refuse settings that make no sense before any solve.
    pub fn check(&self) -> Result<(), AlternativesError> {
        if !(self.slack.is_finite() && (0.0..1.0).contains(&self.slack)) {
            return Err(AlternativesError::BadSlack(self.slack));
        }
        if self.count == 0 {
            return Err(AlternativesError::BadCount);
        }
        Ok(())
    }
}

/// Bad settings (exit 2 in the CLI) and solver failures.
#[derive(Debug, thiserror::Error)]
pub enum AlternativesError {
    #[error("slack must be in [0, 1) (a fraction of |W*|, e.g. 0.02 for 2 %), got {0}")]
    BadSlack(f64),
    #[error("count must be at least 1 (the number of alternatives to generate), got 0")]
    BadCount,
    #[error("the scenario has no optimum to explore (status {0})")]
    NoOptimum(Status),
    #[error(transparent)]
    Solve(#[from] SolveError),
}

/// The floor of W in the near-optimal set: W* - ε |W*| (decision 80).
pub fn floor(w_star: f64, slack: f64) -> f64 {
    w_star - slack * w_star.abs()
}

/// The least and most one capability can produce over the horizon within the slack.
#[derive(Debug, Clone, Serialize)]
pub struct CellRange {
    pub country: String,
    pub layer: String,
    /// Σ_t p at the optimum.
    pub optimum: f64,
    /// `None` where the solve failed (see `status`).
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// W of the plan that attains the min (>= floor).
    pub w_at_min: Option<f64>,
    pub w_at_max: Option<f64>,
    /// `optimal`, or the status of the solve that failed.
    pub status: String,
    /// S_l: the layer's world output over the horizon at the optimum (the unit of shares).
    pub world_output: f64,
    /// (max - min) / S_l.
    pub width_share: Option<f64>,
    #[serde(skip)]
    pub cell: (CountryId, LayerId),
}

/// Whether a country can choose its specialisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Some layer can move by at least [`ROOM_THRESHOLD`] of its world output.
    Room,
    /// Every layer it can produce is fixed to within the threshold.
    Pinned,
    /// It has no capability: it produces nothing in any plan.
    NoCapability,
    /// A range could not be computed and no other range shows room.
    Unknown,
}

/// A one-line verdict per country.
#[derive(Debug, Clone, Serialize)]
pub struct CountryRoom {
    pub country: String,
    pub verdict: Verdict,
    /// The largest width share of its layers.
    pub room: Option<f64>,
    /// Layers with room, widest first.
    pub layers: Vec<String>,
    /// The verdict in words.
    pub summary: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CellQuantity {
    pub country: String,
    pub layer: String,
    pub quantity: f64,
}

/// One maximally different near-optimal plan.
#[derive(Debug, Clone, Serialize)]
pub struct Alternative {
    pub index: usize,
    /// Its W (>= floor).
    pub objective: f64,
    /// L1 distance in shares of world output to the nearest of the optimum and the earlier
    /// alternatives.
    pub distance: f64,
    /// Σ_t p per capability, in scenario order.
    pub production: Vec<CellQuantity>,
}

/// Everything `alternatives` reports.
#[derive(Debug, Clone, Serialize)]
pub struct Alternatives {
    pub objective: f64,
    pub slack: f64,
    /// W >= floor defines the near-optimal set.
    pub floor: f64,
    pub mip: bool,
    /// `none` (an LP), `fixed` (at the optimum) or `free`.
    pub integers: &'static str,
    pub threshold: f64,
    pub ranges: Vec<CellRange>,
    pub countries: Vec<CountryRoom>,
    pub alternatives: Vec<Alternative>,
    /// Whether every range was computed.
    pub complete: bool,
    /// True for a scenario with `[uncertainty]`: W is (1 - ω) E[W] + ω CVaR_α and each
    /// quantity is an expected output (decision 150).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub expected_output: bool,
    pub notes: Vec<String>,
}

/// One capability: its production columns, each with its weight in the cell's output (1, or
/// P_s for a column of outcome s: the expected output, decision 150).
struct Cell {
    country: CountryId,
    layer: LayerId,
    columns: Vec<(usize, f64)>,
}

impl Cell {
    fn total(&self, values: &[f64]) -> f64 {
        self.columns.iter().map(|&(j, w)| w * values[j]).sum()
    }

    /// The objective terms `a` × the cell's output.
    fn terms(&self, a: f64) -> impl Iterator<Item = (usize, f64)> + '_ {
        self.columns.iter().map(move |&(j, w)| (j, a * w))
    }
}

/// A solve at one end of a range.
struct Extreme {
    status: Status,
    value: Option<f64>,
    w: Option<f64>,
}

/// Counts finished solves for a progress callback (called from parallel workers).
struct Counter<'a> {
    done: std::sync::atomic::AtomicUsize,
    total: usize,
    progress: &'a (dyn Fn(usize, usize) + Sync),
}

impl Counter<'_> {
    fn tick(&self) {
        let k = self.done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        (self.progress)(k, self.total);
    }
}

fn clean(v: f64) -> f64 {
    if v.abs() < 1e-9 {
        0.0
    } else {
        v
    }
}

/// The near-optimal ranges, verdicts and alternatives around the solved optimum `base`
/// (`results::solve` of the same scenario). `progress(done, total)` counts the solves.
pub fn alternatives(
    s: &Scenario,
    config: &SolveConfig,
    base: &Outcome,
    settings: &AlternativeSettings,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Alternatives, AlternativesError> {
    settings.check()?;
    let Some(sol) = base.solution.as_ref().filter(|_| base.is_optimal()) else {
        return Err(AlternativesError::NoOptimum(base.status));
    };
    let w_star = sol.objective;
    let program = &base.program;
    let mip = program.is_mip();
    let free = settings.free_integers && mip;
    let explore_base = if free {
        program.clone()
    } else {
        program.with_integers_fixed(&sol.values)
    };
    let w_floor = floor(w_star, settings.slack);
    let explore = explore_base.near_optimal(w_floor - FLOOR_TOLERANCE * w_star.abs().max(1.0));

    let cells = cells(s, program);
    let optimum: Vec<f64> = cells.iter().map(|c| c.total(&sol.values)).collect();
    let backend = config.backend()?;
    let counter = Counter {
        done: Default::default(),
        total: 2 * cells.len() + settings.count,
        progress,
    };
    progress(0, counter.total);
    let solve_cell = |lp: &mut Resolver, i: usize, sign: f64| -> Result<Extreme, SolveError> {
        let terms: Vec<(usize, f64)> = cells[i].terms(sign).collect();
        lp.set_objective(&terms);
        let raw = lp.solve();
        counter.tick();
        let raw = raw?;
        Ok(if raw.status == Status::Optimal && raw.has_values() {
            Extreme {
                status: raw.status,
                value: Some(clean(cells[i].total(&raw.values))),
                w: Some(explore.objective_value(&raw.values)),
            }
        } else {
            Extreme {
                status: raw.status,
                value: None,
                w: None,
            }
        })
    };
    let tasks: Vec<(usize, f64)> = (0..cells.len())
        .flat_map(|i| [(i, -1.0), (i, 1.0)])
        .collect();
    // Every task is the same LP with another objective (issue 13): each chunk of
    // [`WARM_CHUNK`] tasks loads it once and re-solves it from the last basis where the
    // backend can. Chunks are fixed by task order, not by thread, so every run (serial or
    // parallel, any number of threads) solves the same series from the same starts.
    let extremes: Vec<Extreme> = tasks
        .par_chunks(WARM_CHUNK)
        .map(|chunk| {
            let mut lp = Resolver::new(backend.as_ref(), &explore, &config.settings);
            chunk
                .iter()
                .map(|&(i, sign)| solve_cell(&mut lp, i, sign))
                .collect::<Vec<_>>()
        })
        .flatten()
        .collect::<Vec<_>>()
        // The first error in task order: the same every run.
        .into_iter()
        .collect::<Result<_, _>>()?;

    // The unit of shares per layer (decision 82).
    let nl = s.layers.len();
    let mut world = vec![0.0; nl];
    let mut widest_max = vec![0.0f64; nl];
    for (i, c) in cells.iter().enumerate() {
        world[c.layer] += optimum[i];
        if let Some(m) = extremes[2 * i + 1].value {
            widest_max[c.layer] = widest_max[c.layer].max(m);
        }
    }
    let scale: Vec<f64> = (0..nl)
        .map(|l| {
            if world[l] > 1e-9 {
                world[l]
            } else {
                widest_max[l]
            }
        })
        .collect();

    let ranges: Vec<CellRange> = cells
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let (lo, hi) = (&extremes[2 * i], &extremes[2 * i + 1]);
            let status = if lo.status != Status::Optimal {
                lo.status
            } else {
                hi.status
            };
            let width_share = match (lo.value, hi.value) {
                (Some(a), Some(b)) if scale[c.layer] > 0.0 => {
                    Some(clean(((b - a) / scale[c.layer]).max(0.0)))
                }
                (Some(_), Some(_)) => Some(0.0),
                _ => None,
            };
            CellRange {
                country: s.countries[c.country].id.clone(),
                layer: s.layers[c.layer].id.clone(),
                optimum: clean(optimum[i]),
                min: lo.value,
                max: hi.value,
                w_at_min: lo.w,
                w_at_max: hi.w,
                status: status.to_string(),
                world_output: scale[c.layer],
                width_share,
                cell: (c.country, c.layer),
            }
        })
        .collect();
    let complete = ranges.iter().all(|r| r.min.is_some() && r.max.is_some());

    let mut notes = Vec::new();
    let expected_output = program.stochastic.is_some();
    if expected_output {
        notes.push(
            "with [uncertainty], W is the file's objective (1 - ω) E[W] + ω CVaR_α and each quantity is the \
             expected output over the horizon: Σ_{t<τ} p_t + Σ_s P_s Σ_{t>=τ} p_{s,t}"
                .into(),
        );
    }
    let alternatives = spores(
        &explore,
        &cells,
        &ranges,
        &optimum,
        &scale,
        settings.count,
        &|program| {
            let raw = backend.solve(program, &config.settings);
            counter.tick();
            raw
        },
        &mut notes,
    )?;
    // The bar ends when the search stops early.
    progress(counter.total, counter.total);
    let alternatives = alternatives
        .into_iter()
        .enumerate()
        .map(|(k, (values, objective, distance))| Alternative {
            index: k + 1,
            objective,
            distance,
            production: cells
                .iter()
                .zip(&values)
                .map(|(c, &q)| CellQuantity {
                    country: s.countries[c.country].id.clone(),
                    layer: s.layers[c.layer].id.clone(),
                    quantity: q,
                })
                .collect(),
        })
        .collect();
    if !complete {
        notes.push(
            "some ranges could not be computed (their status says why); verdicts that depend on them are `unknown`"
                .into(),
        );
    }
    Ok(Alternatives {
        objective: w_star,
        slack: settings.slack,
        floor: w_floor,
        mip,
        integers: match (mip, free) {
            (false, _) => "none",
            (true, false) => "fixed",
            (true, true) => "free",
        },
        threshold: ROOM_THRESHOLD,
        countries: verdicts(s, &ranges),
        ranges,
        alternatives,
        complete,
        expected_output,
        notes,
    })
}

/// The production columns of every capability with their weights, in scenario order.
fn cells(s: &Scenario, program: &Program) -> Vec<Cell> {
    let nl = s.layers.len();
    let mut by_cell: Vec<Vec<(usize, f64)>> = vec![Vec::new(); s.countries.len() * nl];
    for (j, col) in program.columns.iter().enumerate() {
        if let Var::Produce { country, layer, .. } = col.var {
            let weight = match (col.outcome, &program.stochastic) {
                (Some(o), Some(st)) => st.probability(o),
                _ => 1.0,
            };
            by_cell[country * nl + layer].push((j, weight));
        }
    }
    s.capabilities
        .iter()
        .map(|cap| Cell {
            country: cap.country,
            layer: cap.layer,
            columns: std::mem::take(&mut by_cell[cap.country * nl + cap.layer]),
        })
        .collect()
}

/// A plan: production per cell, its W, its distance to the nearest earlier plan.
type Plan = (Vec<f64>, f64, f64);

/// The SPORES-style search of decision 82.
#[allow(clippy::too_many_arguments)]
fn spores(
    explore: &Program,
    cells: &[Cell],
    ranges: &[CellRange],
    optimum: &[f64],
    scale: &[f64],
    count: usize,
    solve: &dyn Fn(&Program) -> Result<crate::backend::RawSolution, crate::backend::BackendError>,
    notes: &mut Vec<String>,
) -> Result<Vec<Plan>, SolveError> {
    let movable: Vec<usize> = (0..cells.len())
        .filter(|&i| ranges[i].width_share.is_some_and(|w| w > SHARE_TOLERANCE))
        .collect();
    if movable.is_empty() {
        notes.push(
            "no capability can change its output within the slack: the optimum is the only plan, so there are no alternatives"
                .into(),
        );
        return Ok(Vec::new());
    }
    let share = |i: usize| 1.0 / scale[cells[i].layer];
    let distance = |a: &[f64], b: &[f64]| -> f64 {
        (0..cells.len())
            .filter(|&i| scale[cells[i].layer] > 0.0)
            .map(|i| (a[i] - b[i]).abs() * share(i))
            .sum()
    };
    let mut plans: Vec<Vec<f64>> = vec![optimum.to_vec()];
    let mut out = Vec::new();
    for k in 1..=count {
        let n = plans.len() as f64;
        let mut terms = Vec::new();
        for &i in &movable {
            let mean = plans.iter().map(|p| p[i]).sum::<f64>() / n;
            let (lo, hi) = (ranges[i].min.unwrap_or(0.0), ranges[i].max.unwrap_or(0.0));
            let d = if mean <= 0.5 * (lo + hi) { 1.0 } else { -1.0 };
            terms.extend(cells[i].terms(d * share(i)));
        }
        let raw = solve(&explore.with_objective(&terms))?;
        if raw.status != Status::Optimal || !raw.has_values() {
            notes.push(format!(
                "alternative {k}: the solve ended {}, so the search stopped",
                raw.status
            ));
            break;
        }
        let plan: Vec<f64> = cells.iter().map(|c| clean(c.total(&raw.values))).collect();
        let nearest = plans
            .iter()
            .map(|p| distance(&plan, p))
            .fold(f64::INFINITY, f64::min);
        if nearest <= SHARE_TOLERANCE {
            notes.push(format!(
                "alternative {k} would repeat an earlier plan: no further different alternative by this rule"
            ));
            break;
        }
        out.push((plan.clone(), explore.objective_value(&raw.values), nearest));
        plans.push(plan);
    }
    Ok(out)
}

/// One verdict per country (decision 83), in scenario order.
fn verdicts(s: &Scenario, ranges: &[CellRange]) -> Vec<CountryRoom> {
    (0..s.countries.len())
        .map(|c| {
            let own: Vec<&CellRange> = ranges.iter().filter(|r| r.cell.0 == c).collect();
            let country = s.countries[c].id.clone();
            if own.is_empty() {
                return CountryRoom {
                    summary: format!("{country}: no capability, produces nothing in every plan"),
                    country,
                    verdict: Verdict::NoCapability,
                    room: None,
                    layers: Vec::new(),
                };
            }
            let mut wide: Vec<&CellRange> = own
                .iter()
                .copied()
                .filter(|r| r.width_share.is_some_and(|w| w >= ROOM_THRESHOLD))
                .collect();
            wide.sort_by(|a, b| b.width_share.unwrap_or(0.0).total_cmp(&a.width_share.unwrap_or(0.0)));
            let room = own
                .iter()
                .filter_map(|r| r.width_share)
                .fold(None, |m: Option<f64>, w| Some(m.map_or(w, |m| m.max(w))));
            let unknown = own.iter().any(|r| r.width_share.is_none());
            let pct = |r: &CellRange, v: Option<f64>| {
                if r.world_output > 0.0 {
                    format!("{:.0}", 100.0 * v.unwrap_or(0.0) / r.world_output)
                } else {
                    "0".into()
                }
            };
            let (verdict, summary) = if !wide.is_empty() {
                let parts: Vec<String> = wide
                    .iter()
                    .map(|r| format!("{} {}-{} %", r.layer, pct(r, r.min), pct(r, r.max)))
                    .collect();
                (
                    Verdict::Room,
                    format!(
                        "{country}: room to choose: {} of world output within the slack",
                        parts.join(", ")
                    ),
                )
            } else if unknown {
                (
                    Verdict::Unknown,
                    format!("{country}: unknown: some range could not be computed"),
                )
            } else {
                (
                    Verdict::Pinned,
                    format!(
                        "{country}: pinned: every layer it can produce moves by less than {:.0} % of world output",
                        100.0 * ROOM_THRESHOLD
                    ),
                )
            };
            CountryRoom {
                country,
                verdict,
                room,
                layers: wide.iter().map(|r| r.layer.clone()).collect(),
                summary,
            }
        })
        .collect()
}
