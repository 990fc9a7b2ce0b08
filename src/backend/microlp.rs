//! The default backend: microlp, pure Rust, LP and MIP (branch and bound), no duals.

use std::time::Duration;

use microlp::{
    ComparisonOp, OptimizationDirection, Problem, ResumeOptions, SolveOptions, SolveOutcome,
    TerminationReason,
};

use super::{Backend, BackendError, Capabilities, RawSolution, Settings, Status};
use crate::formulation::{Program, Sense};

pub struct MicroLp;

/// microlp casts integer bounds to i32; our integers are binaries, so this never clips.
fn int_bound(v: f64) -> i32 {
    v.round().clamp(i32::MIN as f64, i32::MAX as f64) as i32
}

impl Backend for MicroLp {
    fn name(&self) -> &'static str {
        "microlp"
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            mip: true,
            duals: false,
            time_limit: true,
            threads: false,
        }
    }

    fn solve(&self, program: &Program, settings: &Settings) -> Result<RawSolution, BackendError> {
        if settings.scaling {
            // Safe retry: solve the equilibrated program and map the values back.
            let (scaled, factors) = super::scaling::scale(program);
            let plain = Settings {
                scaling: false,
                ..settings.clone()
            };
            let mut raw = self.solve(&scaled, &plain)?;
            if raw.has_values() {
                raw.values = factors.values(&raw.values);
                raw.objective = program.objective_value(&raw.values);
            }
            return Ok(raw);
        }
        if settings.expired() {
            return Ok(RawSolution::without_solution(Status::TimeLimit));
        }
        // Magnitudes far from 1: solve in units where they are near 1 (exact powers of two).
        if let Some((normalised, factors)) = super::scaling::normalise(program) {
            let mut raw = solve_plain(&normalised, settings)?;
            if raw.has_values() {
                raw.values = factors.values(&raw.values);
                raw.objective = program.objective_value(&raw.values);
            }
            return Ok(raw);
        }
        solve_plain(program, settings)
    }
}

/// One microlp solve of `program` as given.
fn solve_plain(program: &Program, settings: &Settings) -> Result<RawSolution, BackendError> {
    {
        let mut pb = Problem::new(OptimizationDirection::Maximize);
        let vars: Vec<microlp::Variable> = program
            .columns
            .iter()
            .map(|c| {
                if c.integer {
                    pb.add_integer_var(c.objective, (int_bound(c.lower), int_bound(c.upper)))
                } else {
                    pb.add_var(c.objective, (c.lower, c.upper))
                }
            })
            .collect();
        for r in &program.rows {
            let expr: Vec<(microlp::Variable, f64)> =
                r.terms.iter().map(|&(j, a)| (vars[j], a)).collect();
            let op = match r.sense {
                Sense::Le => ComparisonOp::Le,
                Sense::Ge => ComparisonOp::Ge,
                Sense::Eq => ComparisonOp::Eq,
            };
            pb.add_constraint(expr.as_slice(), op, r.rhs);
        }
        let mut opts = SolveOptions::default();
        opts.mip_gap = settings.mip_gap;
        opts.time_limit = settings.remaining();
        if let Some(t) = settings.int_tol {
            opts.int_tol = t;
        }
        let outcome = match solve_reporting(&pb, opts, program.is_mip(), settings) {
            Ok(o) => o,
            Err(microlp::Error::Infeasible) => {
                return Ok(RawSolution::without_solution(Status::Infeasible))
            }
            Err(microlp::Error::Unbounded) => {
                return Ok(RawSolution::without_solution(Status::Unbounded))
            }
            Err(e) => {
                return Err(BackendError::Failed {
                    backend: "microlp",
                    message: e.to_string(),
                })
            }
        };
        match outcome {
            SolveOutcome::Interrupted(_) => Ok(RawSolution::without_solution(Status::TimeLimit)),
            SolveOutcome::Solution(sol) => {
                let status = match sol.termination_reason() {
                    TerminationReason::ProvenOptimal | TerminationReason::MipGap => Status::Optimal,
                    _ => Status::TimeLimit,
                };
                let values = vars.iter().map(|&v| sol.var_value(v)).collect();
                Ok(RawSolution {
                    status,
                    values,
                    objective: sol.objective(),
                    gap: if program.is_mip() {
                        Some(sol.gap().unwrap_or(0.0))
                    } else {
                        None
                    },
                    duals: None,
                })
            }
        }
    }
}

/// Length of one branch-and-bound call when progress is reported.
const SLICE: Duration = Duration::from_secs(1);

/// Solve; with a progress listener, a MIP is searched in [`SLICE`]-long calls (microlp resumes
/// its search exactly where it stopped), reporting the incumbent, gap and nodes after each.
fn solve_reporting(
    pb: &Problem,
    mut opts: SolveOptions,
    mip: bool,
    settings: &Settings,
) -> Result<SolveOutcome, microlp::Error> {
    let stage = if mip { "MIP search" } else { "LP solve" };
    settings.report(super::progress::Info::stage(stage));
    if !mip || settings.progress.is_none() {
        return pb.solve_with(opts);
    }
    let slice = |left: Option<Duration>| Some(left.map_or(SLICE, |l| l.min(SLICE)));
    opts.time_limit = slice(settings.remaining());
    let mut outcome = pb.solve_with(opts.clone())?;
    while outcome.termination_reason() == TerminationReason::TimeLimit && !settings.expired() {
        let stats = outcome.stats();
        settings.report(super::progress::Info {
            stage: stage.into(),
            incumbent: outcome.solution().map(|s| s.objective()),
            gap: stats.gap,
            nodes: Some(stats.nodes_solved),
        });
        let mut next: ResumeOptions = outcome.last_resume_options();
        next.time_limit = slice(settings.remaining());
        outcome = outcome.resume_with(next)?;
    }
    Ok(outcome)
}

/// Warm re-solves of one program whose rows' right-hand sides move a little (issue 13,
/// models/decisions.md 140): the finite differences of `margins --check-prices` change one
/// balance row's right-hand side by ±h and ask only for W.
///
/// The LP relaxation is solved once, with one extra column per movable row (coefficient -1,
/// bounds ±`reach`, then fixed at 0), so "rhs + δ" is "that column fixed at δ": microlp re-solves
/// that bound change by dual simplex from the optimal basis instead of from nothing. For a MIP
/// a second copy has the integer columns fixed at the base incumbent (restricted LP). An answer
/// is only given where it is proven: the relaxation's optimum U is integral to [`INTEGRAL`]
/// (then it is the MIP's), or the restricted LP's optimum L, a feasible MIP value, reaches U to
/// [`CERTIFIED`] relative (then no integer choice does better). Anything else (infeasible,
/// unbounded, a gap, stopped) returns `None`: the caller solves cold, as before.
#[derive(Clone)]
pub struct RhsWarm {
    relaxed: microlp::Solution,
    /// The relaxation with the integers fixed at the incumbent (MIPs with an incumbent only).
    restricted: Option<microlp::Solution>,
    shifts: Vec<microlp::Variable>,
    integers: Vec<microlp::Variable>,
    reach: f64,
}

/// How close to an integer an integer column of the warm relaxation must be for its optimum to
/// be taken as the MIP's: far inside microlp's own acceptance (1e-6), so a big-M row cannot
/// carry output on a binary that is almost 0.
pub(crate) const INTEGRAL: f64 = 1e-9;

/// Relative gap between the restricted LP and the relaxation under which the restricted LP's W
/// is the MIP's: the tolerance to which warm and cold answers are required to agree (1000 times
/// tighter than the default MIP gap, 1e-6).
pub(crate) const CERTIFIED: f64 = 1e-9;

impl RhsWarm {
    /// The relaxation of `program` solved with rows `rows` movable by up to `reach` (and, for a
    /// MIP with `incumbent` values, the restricted LP); `None` where a warm start would not be
    /// plain (units normalised or scaled, a time limit, a stochastic program) or the relaxation
    /// is not optimal.
    pub fn new(
        program: &Program,
        rows: &[usize],
        reach: f64,
        incumbent: Option<&[f64]>,
        settings: &Settings,
    ) -> Option<RhsWarm> {
        if settings.scaling
            || settings.deadline.is_some()
            || settings.time_limit.is_some()
            || program.stochastic.is_some()
            || !(reach.is_finite() && reach > 0.0)
            || super::scaling::normalise(program).is_some()
        {
            return None;
        }
        let mut pb = Problem::new(OptimizationDirection::Maximize);
        let vars: Vec<microlp::Variable> = program
            .columns
            .iter()
            .map(|c| pb.add_var(c.objective, (c.lower, c.upper)))
            .collect();
        let mut shift_of = vec![None; program.rows.len()];
        let shifts: Vec<microlp::Variable> = rows
            .iter()
            .map(|&r| {
                let v = pb.add_var(0.0, (-reach, reach));
                shift_of[r] = Some(v);
                v
            })
            .collect();
        for (r, row) in program.rows.iter().enumerate() {
            let mut expr: Vec<(microlp::Variable, f64)> =
                row.terms.iter().map(|&(j, a)| (vars[j], a)).collect();
            if let Some(v) = shift_of[r] {
                expr.push((v, -1.0));
            }
            let op = match row.sense {
                Sense::Le => ComparisonOp::Le,
                Sense::Ge => ComparisonOp::Ge,
                Sense::Eq => ComparisonOp::Eq,
            };
            pb.add_constraint(expr.as_slice(), op, row.rhs);
        }
        let mut relaxed = optimal(pb.solve_with(SolveOptions::default()))?;
        for &v in &shifts {
            relaxed = optimal(relaxed.fix_var(v, 0.0))?;
        }
        let integer_columns: Vec<usize> = (0..program.columns.len())
            .filter(|&j| program.columns[j].integer)
            .collect();
        let restricted = match incumbent {
            Some(x) if !integer_columns.is_empty() && x.len() == vars.len() => {
                let mut r = Some(relaxed.clone());
                for &j in &integer_columns {
                    let c = &program.columns[j];
                    r = r.and_then(|s| {
                        optimal(s.fix_var(vars[j], x[j].round().clamp(c.lower, c.upper)))
                    });
                }
                r
            }
            _ => None,
        };
        Some(RhsWarm {
            relaxed,
            restricted,
            shifts,
            integers: integer_columns.iter().map(|&j| vars[j]).collect(),
            reach,
        })
    }

    /// W* with the right-hand side of the `slot`-th movable row raised by `delta`, where the
    /// warm re-solves prove it; `None`: solve cold.
    pub fn objective(&self, slot: usize, delta: f64) -> Option<f64> {
        if delta.abs() > self.reach {
            return None;
        }
        let moved = |s: &microlp::Solution| optimal(s.clone().fix_var(self.shifts[slot], delta));
        let relaxed = moved(&self.relaxed)?;
        let upper = relaxed.objective();
        let integral = self.integers.iter().all(|&v| {
            let x = relaxed.var_value(v);
            (x - x.round()).abs() <= INTEGRAL
        });
        if integral {
            return Some(upper);
        }
        let lower = moved(self.restricted.as_ref()?)?.objective();
        (upper - lower <= CERTIFIED * lower.abs().max(1.0)).then_some(lower)
    }
}
/// The solution of a call that ended proven optimal.
fn optimal(outcome: Result<SolveOutcome, microlp::Error>) -> Option<microlp::Solution> {
    match outcome {
        Ok(SolveOutcome::Solution(s))
            if s.termination_reason() == TerminationReason::ProvenOptimal =>
        {
            Some(s)
        }
        _ => None,
    }
}
