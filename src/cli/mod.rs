//! The `aistack` command line: parse flags into [`Cli`], turn them into library calls, return
//! an exit code (0 success, 1 infeasible/unbounded/time limit/solver failure, 2 bad input).
//! `anyhow`-style context lives only here.

mod common;
mod solve;

use clap::{Parser, Subcommand};

pub use common::{Exit, ScenarioArgs, SolverArgs};

#[derive(Parser, Debug)]
#[command(name = "aistack", version, about = "Specialization agreements for the AI production stack")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Read and validate a scenario; print every problem found.
    Validate(solve::ValidateArgs),
    /// Solve a scenario: allocation, prices and welfare by country.
    Solve(solve::SolveArgs),
}

/// Run the CLI on the process arguments and return the exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    run(cli)
}

pub fn run(cli: Cli) -> i32 {
    let result = match cli.command {
        Command::Validate(a) => solve::validate(a),
        Command::Solve(a) => solve::solve(a),
    };
    match result {
        Ok(code) => code as i32,
        Err(e) => {
            eprintln!("error: {e:#}");
            e.downcast_ref::<Exit>().map_or(2, |x| *x as i32)
        }
    }
}
