//! HiGHS backend (cargo feature `highs`): LP and MIP, row duals for LPs, time limit, MIP gap
//! and threads.
//!
//! The [`Program`] is handed to HiGHS directly as a column-wise problem (`highs::ColProblem`):
//! rows first (their bounds), then every column with its objective, bounds, integrality and
//! nonzeros, obtained by transposing the program's rows once. There is no expression layer in
//! between, so building the HiGHS model costs one pass over the nonzeros.
//!
//! Duals: for a problem passed with sense `Maximise`, HiGHS's row duals are already the change
//! of the optimal objective per unit increase of the row's bound, dW*/d(rhs), which is our
//! convention: they are returned unchanged. The tests at the end of this file pin this for
//! `<=`, `>=` and `=` rows, under max and under a min written as max (negated objective), so a
//! change of convention in a HiGHS release fails here, not in a price.

use std::ffi::CString;
use std::num::NonZeroU32;
use std::path::Path;

use highs::{
    ColProblem, HighsModelStatus, HighsSolutionStatus, Model, Sense as HSense, SolvedModel,
};

use super::{Backend, BackendError, Capabilities, RawSolution, Settings, Status};
use crate::formulation::{Program, Sense};

/// The HiGHS backend.
pub struct Highs;

const NAME: &str = "highs";

fn failed(message: impl Into<String>) -> BackendError {
    BackendError::Failed {
        backend: NAME,
        message: message.into(),
    }
}

/// Column-wise HiGHS problem from a program: one pass to count nonzeros per column, one to fill.
fn to_highs(program: &Program) -> ColProblem {
    let mut pb = ColProblem::new();
    let rows: Vec<highs::Row> = program
        .rows
        .iter()
        .map(|r| match r.sense {
            Sense::Le => pb.add_row(f64::NEG_INFINITY..=r.rhs),
            Sense::Ge => pb.add_row(r.rhs..=f64::INFINITY),
            Sense::Eq => pb.add_row(r.rhs..=r.rhs),
        })
        .collect();
    let n = program.columns.len();
    let mut start = vec![0usize; n + 1];
    for r in &program.rows {
        for &(j, _) in &r.terms {
            start[j + 1] += 1;
        }
    }
    for j in 0..n {
        start[j + 1] += start[j];
    }
    let mut fill = start.clone();
    let mut entries: Vec<(usize, f64)> = vec![(0, 0.0); start[n]];
    for (i, r) in program.rows.iter().enumerate() {
        for &(j, a) in &r.terms {
            entries[fill[j]] = (i, a);
            fill[j] += 1;
        }
    }
    for (j, c) in program.columns.iter().enumerate() {
        let nonzeros = entries[start[j]..start[j + 1]]
            .iter()
            .map(|&(i, a)| (rows[i], a));
        pb.add_column_with_integrality(c.objective, c.lower..=c.upper, nonzeros, c.integer);
    }
    pb
}

fn configure(model: &mut Model, settings: &Settings, mip: bool) -> Result<(), BackendError> {
    model.make_quiet();
    let set = |m: &mut Model, k: &str, v: f64| {
        m.try_set_option(k, v)
            .map_err(|_| failed(format!("cannot set option {k} = {v}")))
    };
    if mip {
        set(model, "mip_rel_gap", settings.mip_gap)?;
        // The feasibility-jump heuristic spent a tenth of every coalition and entry solve on
        // the world (perf, issue 13) finding incumbents that branch and bound finds anyway on
        // programs this size.
        model
            .try_set_option("mip_heuristic_run_feasibility_jump", false)
            .map_err(|_| failed("cannot set option mip_heuristic_run_feasibility_jump"))?;
    }
    if let Some(t) = settings.remaining() {
        set(model, "time_limit", t.as_secs_f64())?;
    }
    if let Some(t) = settings.threads {
        let t = NonZeroU32::new(u32::try_from(t).unwrap_or(u32::MAX))
            .ok_or_else(|| failed("threads must be at least 1"))?;
        model.set_threads(t);
    }
    Ok(())
}

/// Run a configured model and turn what HiGHS reports into a [`RawSolution`] (duals still in
/// HiGHS's convention: see [`Highs::solve`]).
fn run(model: Model, mip: bool) -> Result<(SolvedModel, RawSolution), BackendError> {
    let solved = model
        .try_solve()
        .map_err(|e| failed(format!("run failed: {e:?}")))?;
    let status = solved.status();
    let has_point = matches!(
        solved.primal_solution_status(),
        HighsSolutionStatus::Feasible
    );
    let with_values = |status: Status, solved: &SolvedModel| {
        let sol = solved.get_solution();
        RawSolution {
            status,
            values: sol.columns().to_vec(),
            objective: solved.objective_value(),
            gap: if mip {
                Some(solved.mip_gap().max(0.0))
            } else {
                None
            },
            duals: if mip {
                None
            } else {
                Some(sol.dual_rows().to_vec())
            },
        }
    };
    let raw = match status {
        HighsModelStatus::Optimal => with_values(Status::Optimal, &solved),
        HighsModelStatus::ModelEmpty => RawSolution {
            status: Status::Optimal,
            values: Vec::new(),
            objective: 0.0,
            gap: None,
            duals: Some(Vec::new()),
        },
        HighsModelStatus::Infeasible => RawSolution::without_solution(Status::Infeasible),
        HighsModelStatus::Unbounded => RawSolution::without_solution(Status::Unbounded),
        // Decided by the caller (re-solve without objective).
        HighsModelStatus::UnboundedOrInfeasible => {
            RawSolution::without_solution(Status::Infeasible)
        }
        HighsModelStatus::ReachedTimeLimit
        | HighsModelStatus::ReachedIterationLimit
        | HighsModelStatus::ReachedInterrupt
        | HighsModelStatus::ReachedSolutionLimit => {
            if has_point {
                let mut raw = with_values(Status::TimeLimit, &solved);
                // Duals of an unfinished LP are not prices.
                raw.duals = None;
                if !mip {
                    raw.gap = None;
                }
                raw
            } else {
                RawSolution::without_solution(Status::TimeLimit)
            }
        }
        other => return Err(failed(format!("HiGHS stopped with model status {other:?}"))),
    };
    Ok((solved, raw))
}

impl Backend for Highs {
    fn name(&self) -> &'static str {
        NAME
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            mip: true,
            duals: true,
            time_limit: true,
            threads: true,
        }
    }

    fn solve(&self, program: &Program, settings: &Settings) -> Result<RawSolution, BackendError> {
        let mip = program.is_mip();
        let mut model = Model::try_new(to_highs(program))
            .map_err(|e| failed(format!("cannot load the program: {e:?}")))?;
        model.set_sense(HSense::Maximise);
        configure(&mut model, settings, mip)?;
        let (solved, raw) = run(model, mip)?;
        if solved.status() == HighsModelStatus::UnboundedOrInfeasible {
            // HiGHS (presolve) could not tell which: a program with a feasible point is unbounded.
            let mut model = Model::try_new(to_highs(&program.feasibility()))
                .map_err(|e| failed(format!("cannot load the program: {e:?}")))?;
            model.set_sense(HSense::Maximise);
            configure(&mut model, settings, mip)?;
            let (_, check) = run(model, mip)?;
            let status = match check.status {
                Status::Optimal => Status::Unbounded,
                Status::Infeasible => Status::Infeasible,
                other => other,
            };
            return Ok(RawSolution::without_solution(status));
        }
        Ok(raw)
    }

    fn warm_lp(&self, program: &Program, settings: &Settings) -> Option<Box<dyn super::WarmLp>> {
        HighsWarm::new(program, settings).map(|w| Box::new(w) as Box<dyn super::WarmLp>)
    }
}

/// A loaded HiGHS LP re-solved after edits from its last basis ([`super::WarmLp`]).
pub struct HighsWarm {
    model: Option<Model>,
    /// Each row's sense (a new right-hand side is a bound on its side).
    senses: Vec<Sense>,
    columns: usize,
    settings: Settings,
    /// Columns with a nonzero objective coefficient in the model.
    costed: Vec<usize>,
}

impl HighsWarm {
    fn new(program: &Program, settings: &Settings) -> Option<HighsWarm> {
        let mut model = Model::try_new(to_highs(program)).ok()?;
        model.set_sense(HSense::Maximise);
        configure(&mut model, settings, false).ok()?;
        Some(HighsWarm {
            model: Some(model),
            senses: program.rows.iter().map(|r| r.sense).collect(),
            columns: program.columns.len(),
            settings: settings.clone(),
            costed: (0..program.columns.len())
                .filter(|&j| program.columns[j].objective != 0.0)
                .collect(),
        })
    }
}

impl super::WarmLp for HighsWarm {
    fn set_objective(&mut self, terms: &[(usize, f64)]) {
        let Some(model) = self.model.as_mut() else {
            return;
        };
        let mut cost = vec![0.0; self.columns];
        for &(j, a) in terms {
            cost[j] += a;
        }
        let ptr = model.as_mut_ptr();
        let set = |j: usize, c: f64| {
            // SAFETY: a live model; j is one of its columns.
            unsafe { highs_sys::Highs_changeColCost(ptr, j as highs_sys::HighsInt, c) };
        };
        for &j in &self.costed {
            if cost[j] == 0.0 {
                set(j, 0.0);
            }
        }
        self.costed.clear();
        for (j, &c) in cost.iter().enumerate() {
            if c != 0.0 {
                set(j, c);
                self.costed.push(j);
            }
        }
    }

    fn set_rhs(&mut self, r: usize, rhs: f64) {
        let Some(model) = self.model.as_mut() else {
            return;
        };
        let (lower, upper) = match self.senses[r] {
            Sense::Le => (f64::NEG_INFINITY, rhs),
            Sense::Ge => (rhs, f64::INFINITY),
            Sense::Eq => (rhs, rhs),
        };
        // SAFETY: a live model; r is one of its rows.
        unsafe {
            highs_sys::Highs_changeRowBounds(
                model.as_mut_ptr(),
                r as highs_sys::HighsInt,
                lower,
                upper,
            )
        };
    }

    fn solve(&mut self) -> Result<Option<RawSolution>, BackendError> {
        let Some(mut model) = self.model.take() else {
            return Ok(None);
        };
        configure(&mut model, &self.settings, false)?;
        let (solved, raw) = run(model, false)?;
        let undecided = solved.status() == HighsModelStatus::UnboundedOrInfeasible;
        self.model = Some(Model::from(solved));
        Ok((!undecided).then_some(raw))
    }
}

/// Read a model file that HiGHS understands (MPS, free MPS or CPLEX LP, chosen by extension)
/// and solve it with the same settings as [`Highs::solve`]. Column values and row duals come
/// back in the file's column and row order, duals in the file's own objective sense. Used to
/// check exported files independently of the [`Program`] they came from.
pub fn solve_file(path: &Path, settings: &Settings) -> Result<RawSolution, BackendError> {
    let mut model = Model::try_new(ColProblem::new())
        .map_err(|e| failed(format!("cannot create a model: {e:?}")))?;
    let name = CString::new(path.as_os_str().to_string_lossy().as_bytes())
        .map_err(|_| failed(format!("bad file name {}", path.display())))?;
    // SAFETY: the pointer comes from a live model; `name` outlives the call.
    let status = unsafe { highs_sys::Highs_readModel(model.as_mut_ptr(), name.as_ptr()) };
    if status == highs_sys::STATUS_ERROR {
        return Err(failed(format!("cannot read {}", path.display())));
    }
    // SAFETY: as above.
    let integers = unsafe {
        let ptr = model.as_mut_ptr();
        let n = highs_sys::Highs_getNumCols(ptr);
        (0..n).any(|j| {
            let mut kind: highs_sys::HighsInt = 0;
            highs_sys::Highs_getColIntegrality(ptr, j, &mut kind) == highs_sys::STATUS_OK
                && kind != 0
        })
    };
    configure(&mut model, settings, integers)?;
    let (_, raw) = run(model, integers)?;
    Ok(raw)
}

#[cfg(test)]
mod tests {
    //! Pin the sign convention: duals are dW*/d(rhs) of the maximisation as written, so `<=`
    //! rows have duals >= 0 and `>=` rows <= 0; a minimisation is the maximisation of -cost.
    //! The same hand-solved programs as `backend::dual`'s tests.
    use approx::assert_relative_eq;

    use super::*;
    use crate::formulation::fixtures::{row, var};

    fn solve(p: &Program) -> RawSolution {
        let raw = Highs.solve(p, &Settings::default()).expect("HiGHS solves");
        assert_eq!(raw.status, Status::Optimal);
        raw
    }

    /// max x s.t. x <= 4: W = 4; raising the rhs by one raises W by one.
    #[test]
    fn le_row_under_max() {
        let mut p = Program::default();
        let x = p.add_column(var(0), 0.0, f64::INFINITY, 1.0, false);
        p.add_row(row(0), vec![(x, 1.0)], Sense::Le, 4.0);
        let raw = solve(&p);
        assert_relative_eq!(raw.objective, 4.0, epsilon = 1e-9);
        assert_relative_eq!(raw.duals.unwrap()[0], 1.0, epsilon = 1e-9);
    }

    /// max x s.t. -x >= -4 (the same row written as >=): the dual is -1 (raising the rhs to -3
    /// tightens x <= 3, W falls by one).
    #[test]
    fn ge_row_under_max() {
        let mut p = Program::default();
        let x = p.add_column(var(0), 0.0, f64::INFINITY, 1.0, false);
        p.add_row(row(0), vec![(x, -1.0)], Sense::Ge, -4.0);
        let raw = solve(&p);
        assert_relative_eq!(raw.objective, 4.0, epsilon = 1e-9);
        assert_relative_eq!(raw.duals.unwrap()[0], -1.0, epsilon = 1e-9);
    }

    /// max x + y s.t. x + y = 3, x <= 2 (bound): W = 3; raising the equality's rhs raises W by 1.
    #[test]
    fn eq_row_under_max() {
        let mut p = Program::default();
        let x = p.add_column(var(0), 0.0, 2.0, 1.0, false);
        let y = p.add_column(var(1), 0.0, f64::INFINITY, 1.0, false);
        p.add_row(row(0), vec![(x, 1.0), (y, 1.0)], Sense::Eq, 3.0);
        let raw = solve(&p);
        assert_relative_eq!(raw.objective, 3.0, epsilon = 1e-9);
        assert_relative_eq!(raw.duals.unwrap()[0], 1.0, epsilon = 1e-9);
    }

    /// min x s.t. x >= 2, written max -x: W = -2; raising the rhs to 3 lowers W by one.
    #[test]
    fn ge_row_under_min() {
        let mut p = Program::default();
        let x = p.add_column(var(0), 0.0, f64::INFINITY, -1.0, false);
        p.add_row(row(0), vec![(x, 1.0)], Sense::Ge, 2.0);
        let raw = solve(&p);
        assert_relative_eq!(raw.objective, -2.0, epsilon = 1e-9);
        assert_relative_eq!(raw.duals.unwrap()[0], -1.0, epsilon = 1e-9);
    }

    /// min 2a + 3b s.t. a + b >= 4, a - b = 0 (written max -2a - 3b): a = b = 2, W = -10. The
    /// `>=` row's dual is -2.5, the `=` row's +0.5 (see `backend::dual` for the derivation).
    #[test]
    fn ge_and_eq_rows_under_min() {
        let mut p = Program::default();
        let a = p.add_column(var(0), 0.0, f64::INFINITY, -2.0, false);
        let b = p.add_column(var(1), 0.0, f64::INFINITY, -3.0, false);
        p.add_row(row(0), vec![(a, 1.0), (b, 1.0)], Sense::Ge, 4.0);
        p.add_row(row(1), vec![(a, 1.0), (b, -1.0)], Sense::Eq, 0.0);
        let raw = solve(&p);
        let d = raw.duals.unwrap();
        assert_relative_eq!(raw.objective, -10.0, epsilon = 1e-9);
        assert_relative_eq!(d[0], -2.5, epsilon = 1e-9);
        assert_relative_eq!(d[1], 0.5, epsilon = 1e-9);
    }

    /// max 3x + 2y s.t. x + y <= 4, x + 3y <= 7, 0 <= x <= 3: duals 2 and 0.
    #[test]
    fn bounded_column_and_slack_row() {
        let mut p = Program::default();
        let x = p.add_column(var(0), 0.0, 3.0, 3.0, false);
        let y = p.add_column(var(1), 0.0, f64::INFINITY, 2.0, false);
        p.add_row(row(0), vec![(x, 1.0), (y, 1.0)], Sense::Le, 4.0);
        p.add_row(row(1), vec![(x, 1.0), (y, 3.0)], Sense::Le, 7.0);
        let d = solve(&p).duals.unwrap();
        assert_relative_eq!(d[0], 2.0, epsilon = 1e-9);
        assert_relative_eq!(d[1], 0.0, epsilon = 1e-9);
    }

    /// A MIP returns values and a gap, and no duals (HiGHS's would be zeros).
    #[test]
    fn mip_has_no_duals() {
        let mut p = Program::default();
        let x = p.add_column(var(0), 0.0, 10.0, 1.0, true);
        p.add_row(row(0), vec![(x, 2.0)], Sense::Le, 7.0);
        let raw = solve(&p);
        assert_relative_eq!(raw.objective, 3.0, epsilon = 1e-9);
        assert!(raw.duals.is_none());
        assert!(raw.gap.unwrap() <= 1e-6);
    }

    /// Infeasible rows next to an unbounded direction: HiGHS's presolve may answer "unbounded
    /// or infeasible"; the backend decides (a program with no feasible point is infeasible).
    #[test]
    fn unbounded_or_infeasible_is_decided() {
        let mut p = Program::default();
        let x = p.add_column(var(0), 0.0, f64::INFINITY, 1.0, false);
        let y = p.add_column(var(1), 0.0, f64::INFINITY, 0.0, false);
        p.add_row(row(0), vec![(y, 1.0)], Sense::Ge, 1.0);
        p.add_row(row(1), vec![(y, 1.0)], Sense::Le, 0.0);
        p.add_row(row(2), vec![(x, 1.0), (y, -1.0)], Sense::Ge, 0.0);
        assert_eq!(
            Highs.solve(&p, &Settings::default()).unwrap().status,
            Status::Infeasible
        );
    }

    #[test]
    fn infeasible_and_unbounded_are_statuses() {
        let mut p = Program::default();
        let x = p.add_column(var(0), 0.0, f64::INFINITY, 1.0, false);
        p.add_row(row(0), vec![(x, 1.0)], Sense::Ge, 5.0);
        assert_eq!(
            Highs.solve(&p, &Settings::default()).unwrap().status,
            Status::Unbounded
        );
        p.add_row(row(1), vec![(x, 1.0)], Sense::Le, 4.0);
        assert_eq!(
            Highs.solve(&p, &Settings::default()).unwrap().status,
            Status::Infeasible
        );
    }
}
