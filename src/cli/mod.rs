//! The `aistack` command line: parse flags into [`Cli`], turn them into library calls, return
//! an exit code (0 success, 1 infeasible/unbounded/time limit/solver failure, 2 bad input).
//! `anyhow`-style context lives only here.

mod alternatives;
mod coalitions;
mod common;
mod compare;
mod export;
mod generate;
mod margins;
mod progress;
mod report;
mod report_sweep;
mod shards;
mod solve;
mod sweep;

use clap::{Parser, Subcommand};

pub use common::{Exit, ScenarioArgs, SolverArgs};

#[derive(Parser, Debug)]
#[command(
    name = "aistack",
    version,
    about = "Specialization agreements for the AI production stack"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Size guard: refuse a scenario whose program would need more than N columns (estimated
    /// before building).
    #[arg(long, global = true, value_name = "N", default_value_t = crate::size::DEFAULT_MAX_COLUMNS)]
    pub max_columns: u64,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Read and validate a scenario; print every problem found.
    Validate(solve::ValidateArgs),
    /// Solve a scenario: allocation, prices and welfare by country.
    Solve(solve::SolveArgs),
    /// Compare the scenario without and with an agreement: W and welfare by country, gains,
    /// individual rationality, the effect on non-members and which clauses bind.
    Compare(compare::CompareArgs),
    /// The coalition game of an agreement: Shapley values (exact or Monte Carlo), least core,
    /// blocking coalitions and the side payments from the realised split to the Shapley split.
    Coalitions(coalitions::CoalitionsArgs),
    /// Write a random, realistic, feasible scenario (same seed, same file).
    Generate(generate::GenerateArgs),
    /// Write the program that `solve` builds as MPS and/or LP with readable names.
    Export(export::ExportArgs),
    /// Prices, rents and security duals by country and layer; value added embodied in final
    /// demand; entry/exit values (--entry) and supply shocks (--shock SUPPLIER:LAYER).
    Margins(margins::MarginsArgs),
    /// Near-optimal alternatives: the least and most each country can produce of each layer
    /// while W stays within a slack of W*, maximally different plans, and which countries have
    /// room to choose their specialisation.
    Alternatives(alternatives::AlternativesArgs),
    /// Write an HTML report with SVG charts: specialisation, prices, welfare with and without
    /// the agreements, the cost of sovereignty, and each agreement's gains and Shapley split.
    Report(report::ReportArgs),
    /// Run a command over many variants of a scenario (grid, list, Sobol, Latin hypercube or
    /// Monte Carlo) in parallel, resumably, here or as a Slurm job array; write a tidy table and
    /// a summary (ranges, tornado, Sobol indices, sign changes).
    Sweep(sweep::SweepArgs),
    /// Draw a finished sweep (its output directory, holding summary.json and results.csv): a
    /// tornado per metric and each metric against each parameter, as a self-contained HTML page.
    SweepReport(report_sweep::SweepReportArgs),
}

/// Run the CLI on the process arguments and return the exit code.
pub fn main() -> i32 {
    common::command_start();
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
    common::command_start();
    common::set_max_columns(cli.max_columns);
    let result = match cli.command {
        Command::Validate(a) => solve::validate(a),
        Command::Solve(a) => solve::solve(a),
        Command::Compare(a) => compare::run(a),
        Command::Coalitions(a) => coalitions::run(a),
        Command::Generate(a) => generate::generate(a),
        Command::Export(a) => export::export(a),
        Command::Margins(a) => margins::margins(a),
        Command::Alternatives(a) => alternatives::run(a),
        Command::Report(a) => report::report(a),
        Command::Sweep(a) => sweep::run(a),
        Command::SweepReport(a) => report_sweep::report_sweep(&a.dir, &a.out),
    };
    match result {
        Ok(code) => code as i32,
        Err(e) => {
            let messages: Vec<String> = e
                .chain()
                .filter(|c| c.downcast_ref::<Exit>().is_none())
                .map(|c| c.to_string())
                .collect();
            eprintln!("error: {}", messages.join(": "));
            e.downcast_ref::<Exit>().map_or(2, |x| *x as i32)
        }
    }
}
