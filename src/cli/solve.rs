//! `aistack validate` and `aistack solve`.

use std::path::PathBuf;

use anyhow::Context;

use super::common::{
    echo_json, echo_table, load_unguarded, Exit, OverrideArgs, ScenarioArgs, SolverArgs,
};
use crate::analysis::infeasibility;
use crate::backend::Status;
use crate::report::{self, OutputFormat};
use crate::results::{self, Report};

#[derive(clap::Args, Debug)]
pub struct ValidateArgs {
    /// Scenario file (.toml or .json).
    pub file: PathBuf,
    #[command(flatten)]
    pub overrides: OverrideArgs,
}

#[derive(clap::Args, Debug)]
pub struct SolveArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    #[command(flatten)]
    pub solver: SolverArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: OutputFormat,
    /// Directory for CSV files (one per table); required with --format csv.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Show at most this many rows per table in the table format.
    #[arg(long, default_value_t = 25)]
    pub limit: usize,
}

pub fn validate(a: ValidateArgs) -> anyhow::Result<Exit> {
    let s = load_unguarded(&a.file, &a.overrides)?;
    print!("{}", echo_table());
    println!(
        "{}: valid ({} countries, {} layers, {} capabilities, {} periods, {} agreements)",
        a.file.display(),
        s.countries.len(),
        s.layers.len(),
        s.capabilities.len(),
        s.meta.periods,
        s.agreements.len()
    );
    // Warnings are not errors (exit 0), under the file's own agreement flags.
    for w in crate::formulation::warnings(&s, &crate::formulation::BuildOptions::from_file(&s)) {
        println!("warning: {w}");
    }
    Ok(Exit::Ok)
}

pub fn solve(a: SolveArgs) -> anyhow::Result<Exit> {
    let (s, opts) = a.scenario.load(a.solver.relax)?;
    let mut config = a.solver.config()?;
    // A progress line on stderr for long solves, when stderr is a terminal (issue 9).
    let line = crate::backend::progress::Line::on_terminal(super::common::command_start());
    config.settings.progress = line.as_ref().map(|l| l.progress());
    if a.format == OutputFormat::Csv && a.out.is_none() {
        return Err(super::common::bad_input("--format csv needs --out DIR"));
    }
    let file = a.scenario.file.display().to_string();
    let result = results::solve(&s, &opts, &config);
    drop(line);
    let outcome = match result {
        Ok(o) => o,
        Err(e) => {
            if a.format == OutputFormat::Json {
                println!(
                    "{}",
                    echo_json(&serde_json::json!({"status": "error", "message": e.to_string()}))
                );
            }
            eprintln!("error: {e}");
            return Ok(Exit::NoSolution);
        }
    };
    let rep = Report::new(&s, &outcome);
    for w in &rep.warnings {
        eprintln!("warning: {w}");
    }
    // An infeasible scenario: name a minimal set of conflicting constraint groups.
    let diagnosis = match outcome.status {
        Status::Infeasible => match infeasibility::diagnose(&s, &opts, &config) {
            Ok(d) => Some(d),
            Err(e) => {
                eprintln!("error: diagnosing infeasibility: {e}");
                None
            }
        },
        _ => None,
    };
    match a.format {
        OutputFormat::Table => {
            print!("{}", echo_table());
            print!("{}", report::solve_table(&file, &rep, Some(a.limit)));
            if let Some(d) = &diagnosis {
                print!("\n{}", d.render());
            }
        }
        OutputFormat::Json => match &diagnosis {
            Some(d) => {
                let mut value = serde_json::to_value(&rep).unwrap_or_default();
                if let (Some(map), Ok(d)) = (value.as_object_mut(), serde_json::to_value(d)) {
                    map.insert("diagnosis".into(), d);
                }
                println!("{}", echo_json(&value));
            }
            None => println!("{}", echo_json(&rep)),
        },
        OutputFormat::Csv => {
            let dir = a.out.as_ref().expect("checked above");
            let files = report::write_csv(&rep, dir)
                .with_context(|| format!("writing CSV into {}", dir.display()))?;
            eprint!("{}", echo_table());
            eprintln!(
                "{file}: {}; wrote {} files into {}",
                outcome,
                files.len(),
                dir.display()
            );
            if let Some(d) = &diagnosis {
                eprint!("{}", d.render());
            }
        }
    }
    if let (Some(dir), OutputFormat::Table | OutputFormat::Json) = (&a.out, a.format) {
        report::write_csv(&rep, dir)
            .with_context(|| format!("writing CSV into {}", dir.display()))?;
    }
    Ok(match outcome.status {
        Status::Optimal if outcome.solution.is_some() => Exit::Ok,
        _ => {
            if a.format != OutputFormat::Table {
                eprintln!("{file}: {}", outcome.status);
            }
            Exit::NoSolution
        }
    })
}
