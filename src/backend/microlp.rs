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
