//! `aistack validate` and `aistack solve`.

use anyhow::Context;

use super::common::{
    announce_csv, echo_json, echo_table, load_unguarded, parse_risk_weight, Exit, OutputArgs,
    ScenarioArgs, SolverArgs,
};
use crate::analysis::infeasibility;
use crate::backend::Status;
use crate::report::{self, OutputFormat};
use crate::results::quantity_range::{self, QuantitySelector};
use crate::results::{self, Report};

#[derive(clap::Args, Debug)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(clap::Args, Debug)]
pub struct SolveArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    #[command(flatten)]
    pub solver: SolverArgs,
    /// Solve at each risk weight ω (comma-separated, each in [0, 1]) of a scenario with
    /// [uncertainty] and print the frontier of E[W] against CVaR_α, with the first-stage
    /// choices that change along it.
    #[arg(long, value_name = "W1,W2,...", value_delimiter = ',', value_parser = parse_risk_weight)]
    pub risk_weights: Option<Vec<f64>>,
    /// Report the least and the most a quantity can be over every optimal plan (repeatable),
    /// written like a sweep metric: LIST[SELECTOR] with LIST consumption, production,
    /// capacity_built or flows, e.g. 'consumption[EU/fab_lead/outcome=taiwan-blockade]'
    #[arg(long, value_name = "LIST[SELECTOR]", value_parser = parse_quantity)]
    pub quantity_range: Vec<QuantitySelector>,
    #[command(flatten)]
    pub output: OutputArgs,
}

fn parse_quantity(text: &str) -> Result<QuantitySelector, String> {
    QuantitySelector::parse(text).map_err(|e| e.to_string())
}

/// `solve --risk-weights`: the frontier of E[W] against CVaR_α (MODEL.md 10).
fn frontier(a: &SolveArgs, weights: &[f64]) -> anyhow::Result<Exit> {
    let (s, opts) = a.scenario.load(a.solver.relax)?;
    let file = a.scenario.file.display().to_string();
    let Some(u) = &s.uncertainty else {
        return Err(anyhow::Error::new(Exit::BadInput).context(format!(
            "{file}: --risk-weights needs a scenario with [uncertainty] (MODEL.md section 10)"
        )));
    };
    let config = a.solver.config()?;
    let points = results::stochastic::frontier(&s, &opts, &config, weights)?;
    let value = serde_json::json!({
        "tail": u.tail,
        "frontier": points,
    });
    match a.output.format {
        OutputFormat::Json => println!("{}", echo_json(&value)),
        OutputFormat::Table => {
            print!("{}", echo_table());
            print!("{}", report::frontier_table(&file, u.tail, &points));
        }
        OutputFormat::Csv => eprint!("{}", echo_table()),
    }
    a.output.write_csv(&report::csv_tables(&value))?;
    let solved = points.iter().all(|p| p.status == "optimal");
    Ok(if solved { Exit::Ok } else { Exit::NoSolution })
}

/// What `validate` reports about a valid scenario.
#[derive(serde::Serialize)]
struct Validated {
    file: String,
    status: &'static str,
    countries: usize,
    layers: usize,
    capabilities: usize,
    periods: usize,
    agreements: usize,
    active_agreements: Vec<String>,
    /// Scenario warnings under the run's agreement flags (MODEL.md 2, 13.3, 13.5); a warning is
    /// not an error.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    warnings: Vec<String>,
}

pub fn validate(a: ValidateArgs) -> anyhow::Result<Exit> {
    a.output.check()?;
    let s = load_unguarded(&a.scenario.file, &a.scenario.overrides)?;
    // The agreement switches are checked too, so a typo is found before a long solve.
    let opts = a.scenario.options(&s, false)?;
    let v = Validated {
        file: a.scenario.file.display().to_string(),
        status: "valid",
        countries: s.countries.len(),
        layers: s.layers.len(),
        capabilities: s.capabilities.len(),
        periods: s.meta.periods,
        agreements: s.agreements.len(),
        active_agreements: crate::analysis::compare::active_flags(&s, &opts)
            .iter()
            .enumerate()
            .filter(|(_, &on)| on)
            .map(|(k, _)| s.agreements[k].id.clone())
            .collect(),
        warnings: crate::formulation::warnings(&s, &opts),
    };
    let value = serde_json::to_value(&v).unwrap_or_default();
    match a.output.format {
        OutputFormat::Json => println!("{}", echo_json(&v)),
        OutputFormat::Table => {
            print!("{}", echo_table());
            // Warnings are not errors (exit 0), under the run's agreement flags.
            for w in &v.warnings {
                println!("warning: {w}");
            }
            println!(
                "{}: valid ({} countries, {} layers, {} capabilities, {} {}, {} agreements)",
                v.file,
                v.countries,
                v.layers,
                v.capabilities,
                v.periods,
                report::table::plural(v.periods, "period", "periods"),
                v.agreements
            );
        }
        OutputFormat::Csv => eprint!("{}", echo_table()),
    }
    a.output.write_csv(&report::csv_tables(&value))?;
    Ok(Exit::Ok)
}

pub fn solve(a: SolveArgs) -> anyhow::Result<Exit> {
    a.output.check()?;
    if let Some(weights) = &a.risk_weights {
        return frontier(&a, weights);
    }
    let (s, opts) = a.scenario.load(a.solver.relax)?;
    let mut config = a.solver.config()?;
    // A progress line on stderr for long solves, when stderr is a terminal (issue 9).
    let line = crate::backend::progress::Line::on_terminal(super::common::command_start());
    config.settings.progress = line.as_ref().map(|l| l.progress());
    let format = a.output.format;
    let file = a.scenario.file.display().to_string();
    let result = results::solve(&s, &opts, &config);
    drop(line);
    let outcome = match result {
        Ok(o) => o,
        Err(e) => {
            if format == OutputFormat::Json {
                println!(
                    "{}",
                    echo_json(&serde_json::json!({"status": "error", "message": e.to_string()}))
                );
            }
            eprintln!("error: {e}");
            return Ok(Exit::NoSolution);
        }
    };
    let mut rep = Report::new(&s, &outcome);
    if !a.quantity_range.is_empty() {
        rep.quantity_ranges =
            quantity_range::quantity_ranges(&s, &config, &outcome, &a.quantity_range).map_err(
                |e| match e {
                    quantity_range::RangeError::Quantity(q) => {
                        anyhow::Error::new(Exit::BadInput).context(format!("{file}: {q}"))
                    }
                    e => anyhow::Error::new(e),
                },
            )?;
    }
    // EVPI and the value of preparing need re-solves (MODEL.md 10, 13.11).
    if s.uncertainty.is_some() && outcome.is_optimal() {
        match results::stochastic::values(&s, &opts, &config) {
            Ok(v) => results::stochastic::attach(&mut rep, v),
            Err(e) => eprintln!("error: EVPI and value of preparing: {e}"),
        }
    }
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
    match format {
        OutputFormat::Table => {
            print!("{}", echo_table());
            print!("{}", report::solve_table(&file, &rep, a.output.limit.0));
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
            eprint!("{}", echo_table());
            eprintln!("{file}: {outcome}");
            if let Some(d) = &diagnosis {
                eprint!("{}", d.render());
            }
        }
    }
    if let Some(dir) = &a.output.out {
        let files = report::write_csv(&rep, dir)
            .with_context(|| format!("writing CSV into {}", dir.display()))?;
        announce_csv(format, dir, &files);
    }
    Ok(match outcome.status {
        Status::Optimal if outcome.solution.is_some() => Exit::Ok,
        _ => {
            if format != OutputFormat::Table {
                eprintln!("{file}: {}", outcome.status);
            }
            Exit::NoSolution
        }
    })
}
