//! Solver backends: anything that turns a [`Program`] into values (and, if it can, duals).
//!
//! Backends declare what they can do ([`Capabilities`]) instead of pretending: the default
//! pure-Rust backend (microlp) returns no duals, so prices come from solving the explicit dual
//! LP ([`dual`]), which gives vertex duals exact to the simplex tolerance. Statuses
//! (infeasible, unbounded, time limit) are values, not errors; `Err` is for backend failures.

pub mod dual;
#[cfg(feature = "highs")]
pub mod highs;
pub mod microlp;
pub mod progress;
pub mod scaling;
pub mod verify;

use crate::formulation::Program;

/// How a solve ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Optimal,
    Infeasible,
    Unbounded,
    /// Stopped by the time limit; a solution may or may not be available.
    TimeLimit,
    /// A solution was found but fails verification against the program as written, even
    /// after a re-solve with safer settings (issue 9): it is not reported as optimal.
    NumericalTrouble,
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Status::Optimal => "optimal",
            Status::Infeasible => "infeasible",
            Status::Unbounded => "unbounded",
            Status::TimeLimit => "time_limit",
            Status::NumericalTrouble => "numerical_trouble",
        })
    }
}

/// Solver settings, validated by the CLI before a solve.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Relative MIP gap (default 1e-6).
    pub mip_gap: f64,
    /// Wall-clock limit in seconds for one backend call (see also `deadline`).
    pub time_limit: Option<f64>,
    /// Threads (backends that support it).
    pub threads: Option<usize>,
    /// Wall-clock deadline shared by every stage of a command (issue 9): each backend call gets
    /// what remains (and at most `time_limit`).
    pub deadline: Option<std::time::Instant>,
    /// Integrality tolerance (None: the backend's default). The safe retry uses 0: an integer
    /// column must sit on its integer, which big-M rows need.
    pub int_tol: Option<f64>,
    /// Scale rows and columns before solving (the safe retry).
    pub scaling: bool,
    /// Where long solves report progress (the CLI's line on a terminal; None: silent).
    pub progress: Option<progress::Progress>,
}

/// Share of what remains of a deadline that a MIP search leaves for pricing its solution, so
/// that a search stopped by the time limit can still report prices (MODEL.md 9).
pub const PRICING_SHARE: f64 = 0.2;

impl Settings {
    /// Time available to the next backend call: the smaller of `time_limit` and what remains
    /// before `deadline` (zero once it has passed); None when unlimited.
    pub fn remaining(&self) -> Option<std::time::Duration> {
        let per_call = self
            .time_limit
            .map(|t| std::time::Duration::try_from_secs_f64(t).unwrap_or(std::time::Duration::MAX));
        let left = self
            .deadline
            .map(|d| d.saturating_duration_since(std::time::Instant::now()));
        match (per_call, left) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// True once the deadline has passed.
    pub fn expired(&self) -> bool {
        self.remaining().is_some_and(|d| d.is_zero())
    }

    /// The settings of a MIP search: the deadline moved forward by [`PRICING_SHARE`] of what
    /// remains, kept for pricing the solution (restricted pricing solves an LP).
    pub fn for_search(&self) -> Settings {
        let now = std::time::Instant::now();
        Settings {
            deadline: self.deadline.map(|d| {
                let left = d.saturating_duration_since(now);
                now + left.mul_f64(1.0 - PRICING_SHARE)
            }),
            ..self.clone()
        }
    }

    /// Report progress, if anyone listens.
    pub fn report(&self, info: progress::Info) {
        if let Some(p) = &self.progress {
            p.report(info);
        }
    }

    /// The settings of the safe retry: exact integrality and scaling.
    pub fn safe(&self) -> Settings {
        Settings {
            int_tol: Some(0.0),
            scaling: true,
            ..self.clone()
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            mip_gap: 1e-6,
            time_limit: None,
            threads: None,
            deadline: None,
            int_tol: None,
            scaling: false,
            progress: None,
        }
    }
}

/// What a backend returns.
#[derive(Debug, Clone)]
pub struct RawSolution {
    pub status: Status,
    /// Column values; empty when no solution is available.
    pub values: Vec<f64>,
    pub objective: f64,
    /// Relative MIP gap reached, where known.
    pub gap: Option<f64>,
    /// Row duals as dW*/d(rhs), for LPs, when the backend provides them.
    pub duals: Option<Vec<f64>>,
}

impl RawSolution {
    pub fn without_solution(status: Status) -> RawSolution {
        RawSolution {
            status,
            values: Vec::new(),
            objective: f64::NAN,
            gap: None,
            duals: None,
        }
    }

    /// Whether there is a solution. A program without columns (nothing to decide) has an
    /// empty one, optimal with W = 0 (models/decisions.md 47).
    pub fn has_values(&self) -> bool {
        !self.values.is_empty() || (self.status == Status::Optimal && self.objective.is_finite())
    }
}

/// What a backend can do.
#[derive(Debug, Clone, Copy)]
pub struct Capabilities {
    pub mip: bool,
    pub duals: bool,
    pub time_limit: bool,
    pub threads: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error("solver {backend} failed: {message}")]
    Failed {
        backend: &'static str,
        message: String,
    },
    #[error("solver {backend} cannot {what}")]
    Unsupported { backend: &'static str, what: String },
}

/// A solver backend.
pub trait Backend: Sync {
    fn name(&self) -> &'static str;
    fn capabilities(&self) -> Capabilities;
    fn solve(&self, program: &Program, settings: &Settings) -> Result<RawSolution, BackendError>;

    /// `program` (an LP) loaded once for a series of re-solves after small edits, each starting
    /// from the previous optimal basis (issue 13). None where the backend cannot keep one: the
    /// caller solves each edited program with [`Backend::solve`], same answers, from nothing.
    fn warm_lp(&self, _program: &Program, _settings: &Settings) -> Option<Box<dyn WarmLp>> {
        None
    }
}

/// One LP kept loaded in a backend between solves: only what changed is passed on, and the
/// backend re-solves from its last basis (HiGHS: primal simplex after a cost change, dual after
/// a bound change). The optimum is the program's as edited, so W and every quantity that is
/// unique at the optimum are those of a cold solve to the solver's tolerance; where the optimum
/// is not unique the point may differ (as it may between backends).
pub trait WarmLp {
    /// Make `terms` the whole objective (every other column's coefficient 0).
    fn set_objective(&mut self, terms: &[(usize, f64)]);
    /// Change the right-hand side of row `r`.
    fn set_rhs(&mut self, r: usize, rhs: f64);
    /// Solve the program as edited; `None` where the loaded model cannot answer (HiGHS
    /// cannot tell infeasible from unbounded, or lost the model to an error): the caller solves
    /// the edited program cold.
    fn solve(&mut self) -> Result<Option<RawSolution>, BackendError>;
}

/// Solves of several edits of one LP: warm in `backend` where it keeps a loaded LP
/// ([`Backend::warm_lp`]), otherwise each edited program solved from nothing. The edits are
/// applied in order, so a series gives the same answers however it is scheduled.
pub struct Resolver<'a> {
    backend: &'a dyn Backend,
    settings: &'a Settings,
    program: Program,
    warm: Option<Box<dyn WarmLp>>,
}

impl<'a> Resolver<'a> {
    pub fn new(backend: &'a dyn Backend, program: &Program, settings: &'a Settings) -> Self {
        let warm = if program.is_mip() {
            None
        } else {
            backend.warm_lp(program, settings)
        };
        Resolver {
            backend,
            settings,
            program: program.clone(),
            warm,
        }
    }

    /// Whether the re-solves start from the previous basis.
    pub fn is_warm(&self) -> bool {
        self.warm.is_some()
    }

    pub fn set_objective(&mut self, terms: &[(usize, f64)]) {
        self.program.set_objective(terms);
        if let Some(w) = &mut self.warm {
            w.set_objective(terms);
        }
    }

    pub fn set_rhs(&mut self, r: usize, rhs: f64) {
        self.program.rows[r].rhs = rhs;
        if let Some(w) = &mut self.warm {
            w.set_rhs(r, rhs);
        }
    }

    /// The program as edited so far.
    pub fn program(&self) -> &Program {
        &self.program
    }

    pub fn solve(&mut self) -> Result<RawSolution, BackendError> {
        if let Some(raw) = match &mut self.warm {
            Some(w) => w.solve()?,
            None => None,
        } {
            return Ok(raw);
        }
        self.backend.solve(&self.program, self.settings)
    }
}

/// The backends compiled into this build, by name.
pub fn available() -> Vec<&'static str> {
    let mut v = vec!["microlp"];
    if cfg!(feature = "highs") {
        v.push("highs");
    }
    v
}

/// Look up a backend by name.
pub fn by_name(name: &str) -> Option<Box<dyn Backend>> {
    match name {
        "microlp" => Some(Box::new(microlp::MicroLp)),
        #[cfg(feature = "highs")]
        "highs" => Some(Box::new(highs::Highs)),
        _ => None,
    }
}

/// W of a MIP (or LP) with one row's right-hand side moved, answered by warm re-solves where
/// that is proven (the certificate of [`microlp::RhsWarm`], decision 140, on any backend that
/// keeps a loaded LP): the relaxation's optimum U is integral to [`microlp::INTEGRAL`] (then
/// it is the MIP's), or the LP with the integers fixed at the incumbent reaches U to
/// [`microlp::CERTIFIED`] relative (then no integer choice does better). `None`: solve cold.
/// Each answer restores the row, so the next starts from a nearby basis and a series gives the
/// same answers in any order to the solver's tolerance.
pub struct RhsSeries<'a> {
    relaxed: Resolver<'a>,
    /// The relaxation with the integers fixed at the incumbent (a MIP only).
    restricted: Option<Resolver<'a>>,
    integers: Vec<usize>,
}

impl<'a> RhsSeries<'a> {
    /// None where `backend` keeps no loaded LP, or a MIP has no incumbent of the right length.
    pub fn new(
        backend: &'a dyn Backend,
        program: &Program,
        incumbent: Option<&[f64]>,
        settings: &'a Settings,
    ) -> Option<RhsSeries<'a>> {
        let relaxed = Resolver::new(backend, &program.relaxed(), settings);
        if !relaxed.is_warm() {
            return None;
        }
        let integers: Vec<usize> = (0..program.columns.len())
            .filter(|&j| program.columns[j].integer)
            .collect();
        let restricted = if integers.is_empty() {
            None
        } else {
            let x = incumbent.filter(|x| x.len() == program.columns.len())?;
            Some(Resolver::new(
                backend,
                &program.with_integers_fixed(x),
                settings,
            ))
        };
        Some(RhsSeries {
            relaxed,
            restricted,
            integers,
        })
    }

    /// W* with row `r`'s right-hand side raised by `delta`, where proven.
    pub fn objective(&mut self, r: usize, delta: f64) -> Option<f64> {
        let optimal = |lp: &mut Resolver| -> Option<RawSolution> {
            let base = lp.program().rows[r].rhs;
            lp.set_rhs(r, base + delta);
            let raw = lp.solve();
            lp.set_rhs(r, base);
            raw.ok()
                .filter(|raw| raw.status == Status::Optimal && raw.has_values())
        };
        let relaxed = optimal(&mut self.relaxed)?;
        let upper = relaxed.objective;
        let integral = self.integers.iter().all(|&j| {
            let x = relaxed.values[j];
            (x - x.round()).abs() <= microlp::INTEGRAL
        });
        if integral {
            return Some(upper);
        }
        let lower = optimal(self.restricted.as_mut()?)?.objective;
        (upper - lower <= microlp::CERTIFIED * lower.abs().max(1.0)).then_some(lower)
    }
}
