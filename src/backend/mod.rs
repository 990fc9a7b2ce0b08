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
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Status::Optimal => "optimal",
            Status::Infeasible => "infeasible",
            Status::Unbounded => "unbounded",
            Status::TimeLimit => "time_limit",
        })
    }
}

/// Solver settings, validated by the CLI before a solve.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Relative MIP gap (default 1e-6).
    pub mip_gap: f64,
    /// Wall-clock limit in seconds.
    pub time_limit: Option<f64>,
    /// Threads (backends that support it).
    pub threads: Option<usize>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            mip_gap: 1e-6,
            time_limit: None,
            threads: None,
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

    pub fn has_values(&self) -> bool {
        !self.values.is_empty()
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
