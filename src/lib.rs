//! aistack: specialization agreements for the AI production stack.
//!
//! A scenario (countries, layers, capabilities, demand, trade, security policies and
//! agreements) becomes a linear or mixed-integer program whose optimum is the welfare-maximising
//! allocation of AI-stack layers across countries, and whose duals price each layer in each
//! country. The mathematical contract is `models/MODEL.md` (a copy of the design's MODEL.md)
//! with the decisions recorded in `models/decisions.md`.
//!
//! Layers of the code, following the data:
//! - [`scenario`]: parse and validate input files;
//! - [`formulation`]: build the program with typed rows and columns;
//! - [`backend`]: solvers (pure-Rust microlp by default, HiGHS behind a feature);
//! - [`results`]: solve, price, and compute welfare by country;
//! - [`analysis`]: compare, coalitions, margins, infeasibility diagnosis;
//! - [`report`]: tables, JSON and CSV output;
//! - [`cli`]: the `aistack` command line.

pub mod analysis;
pub mod backend;
pub mod cli;
pub mod export;
pub mod formulation;
pub mod generate;
pub mod report;
pub mod results;
pub mod scenario;
pub mod size;
pub mod sweep;

pub use formulation::{build, BuildOptions, Program, Row, Var};
pub use results::{solve, Outcome, Report, SolveConfig};
pub use scenario::Scenario;
