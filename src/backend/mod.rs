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
