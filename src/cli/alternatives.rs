//! `aistack alternatives FILE [--slack 0.02] [--count K] [--free-integers]`: modelling to
//! generate alternatives (MODEL.md section 8): how much each country can produce of each layer
//! while W stays within the slack of W*, a few maximally different near-optimal plans, and which
//! countries have room to choose their specialisation.

use serde::Serialize;

use super::common::{bad_input, echo_json, echo_table, Exit, OutputArgs, ScenarioArgs, SolverArgs};
use crate::analysis::alternatives::{
    self, AlternativeSettings, Alternatives, AlternativesError, CellRange, Verdict,
};
use crate::analysis::infeasibility::{self, Diagnosis};
use crate::backend::Status;
use crate::report::table::{num, pct, Table};
use crate::report::{CsvTable, OutputFormat};
use crate::results;

#[derive(clap::Args, Debug)]
pub struct AlternativesArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    #[command(flatten)]
    pub solver: SolverArgs,
    /// Slack ε in [0, 1): the near-optimal set is every plan with W >= W* - ε |W*|.
    #[arg(long, value_name = "FRACTION", default_value_t = alternatives::DEFAULT_SLACK, allow_negative_numbers = true)]
    pub slack: f64,
    /// Number of maximally different near-optimal plans to generate (at least 1).
    #[arg(long, value_name = "K", default_value_t = alternatives::DEFAULT_COUNT)]
    pub count: usize,
    /// Let a MIP's integer decisions move within the slack (every solve a MIP) instead of
    /// fixing them at the optimum.
    #[arg(long)]
    pub free_integers: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Serialize)]
struct Output {
    file: String,
    status: String,
    currency: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    diagnosis: Option<Diagnosis>,
    #[serde(flatten)]
    result: Option<Alternatives>,
}

pub fn run(a: AlternativesArgs) -> anyhow::Result<Exit> {
    a.output.check()?;
    let settings = AlternativeSettings {
        slack: a.slack,
        count: a.count,
        free_integers: a.free_integers,
    };
    if let Err(e) = settings.check() {
        return Err(bad_input(format!("--{e}")));
    }
    let (s, opts) = a.scenario.load(a.solver.relax)?;
    let config = a.solver.config()?;
    let format = a.output.format;
    let file = a.scenario.file.display().to_string();
    let solver_failed = |e: &dyn std::fmt::Display| -> anyhow::Result<Exit> {
        if format == OutputFormat::Json {
            println!(
                "{}",
                echo_json(&serde_json::json!({"status": "error", "message": e.to_string()}))
            );
        }
        eprintln!("error: {e}");
        Ok(Exit::NoSolution)
    };
    let base = match results::solve(&s, &opts, &config) {
        Ok(o) => o,
        Err(e) => return solver_failed(&e),
    };
    let mut out = Output {
        file: file.clone(),
        status: base.status.to_string(),
        currency: s.meta.currency.clone(),
        diagnosis: None,
        result: None,
    };
    if !base.is_optimal() {
        if base.status == Status::Infeasible {
            match infeasibility::diagnose(&s, &opts, &config) {
                Ok(d) => out.diagnosis = Some(d),
                Err(e) => eprintln!("error: diagnosing infeasibility: {e}"),
            }
        }
        match format {
            OutputFormat::Json => println!("{}", echo_json(&out)),
            OutputFormat::Table | OutputFormat::Csv => {
                let text = format!(
                    "{}{file}: {}, so there is no near-optimal set to explore\n{}",
                    echo_table(),
                    base.status,
                    out.diagnosis
                        .as_ref()
                        .map_or(String::new(), |d| format!("\n{}", d.render()))
                );
                if format == OutputFormat::Table {
                    print!("{text}");
                } else {
                    eprint!("{text}");
                }
            }
        }
        a.output.write_csv(&csv_tables(&out)?)?;
        return Ok(Exit::NoSolution);
    }
    let bar = super::progress::Bar::new("exploring the near-optimal set");
    let result = alternatives::alternatives(&s, &config, &base, &settings, &|d, n| bar.set(d, n));
    bar.finish();
    let result = match result {
        Ok(r) => r,
        Err(e @ (AlternativesError::BadSlack(_) | AlternativesError::BadCount)) => {
            return Err(bad_input(format!("--{e}")))
        }
        Err(e) => return solver_failed(&e),
    };
    let complete = result.complete;
    out.result = Some(result);
    match format {
        OutputFormat::Json => println!("{}", echo_json(&out)),
        OutputFormat::Table => print!("{}{}", echo_table(), render(&out, a.output.limit.0)),
        OutputFormat::Csv => eprint!("{}", echo_table()),
    }
    a.output.write_csv(&csv_tables(&out)?)?;
    Ok(if complete { Exit::Ok } else { Exit::NoSolution })
}

/// The CSV files: every list of the JSON as a table, the alternatives as one long table (one
/// row per alternative and capability).
fn csv_tables(out: &Output) -> anyhow::Result<Vec<CsvTable>> {
    let mut value = serde_json::to_value(out)?;
    if let Some(map) = value.as_object_mut() {
        map.remove("alternatives");
    }
    let mut tables = crate::report::csv_tables(&value);
    if let Some(r) = &out.result {
        let rows: Vec<serde_json::Value> = r
            .alternatives
            .iter()
            .flat_map(|alt| {
                alt.production.iter().map(move |q| {
                    serde_json::json!({
                        "alternative": alt.index,
                        "objective": alt.objective,
                        "distance": alt.distance,
                        "country": q.country,
                        "layer": q.layer,
                        "quantity": q.quantity,
                    })
                })
            })
            .collect();
        if !rows.is_empty() {
            tables.push(CsvTable::from_rows("alternatives", &rows));
        }
    }
    Ok(tables)
}

fn share(r: &CellRange, v: Option<f64>) -> String {
    match v {
        Some(v) if r.world_output > 0.0 => pct(v / r.world_output),
        Some(_) => "-".into(),
        None => r.status.clone(),
    }
}

fn render(out: &Output, limit: Option<usize>) -> String {
    let Some(r) = &out.result else {
        return String::new();
    };
    let cur = if out.currency.is_empty() {
        "money".to_string()
    } else {
        out.currency.clone()
    };
    let integers = match r.integers {
        "fixed" => "; integer decisions fixed at the optimum (--free-integers lets them move)",
        "free" => "; integer decisions free",
        _ => "",
    };
    let mut text = format!(
        "{}: {} {}, W* = {} {cur} (discounted)\nNear-optimal set: W >= {} (slack {}){integers}\n",
        out.file,
        out.status,
        if r.mip { "MIP" } else { "LP" },
        num(r.objective),
        num(r.floor),
        pct(r.slack),
    );
    let title = if r.expected_output {
        "\nExpected production over the horizon within the slack (units summed over periods, outcomes weighted by probability; % of the layer's world output at the optimum)"
    } else {
        "\nProduction over the horizon within the slack (units summed over periods; % of the layer's world output at the optimum)"
    };
    let mut t = Table::new(
        title,
        &[
            "country", "layer", ">optimum", ">min", ">max", ">min %", ">max %", ">range %",
        ],
    );
    let mut order: Vec<&CellRange> = r.ranges.iter().collect();
    // Widest first (as printed, so round-off never reorders), then scenario order.
    order.sort_by(|a, b| {
        let w = |x: &CellRange| (x.width_share.unwrap_or(f64::INFINITY) * 1e3).round();
        w(b).total_cmp(&w(a))
    });
    let opt = |v: Option<f64>, r: &CellRange| v.map_or(r.status.clone(), num);
    for c in order {
        t.row(vec![
            c.country.clone(),
            c.layer.clone(),
            num(c.optimum),
            opt(c.min, c),
            opt(c.max, c),
            share(c, c.min),
            share(c, c.max),
            c.width_share.map_or("-".into(), pct),
        ]);
    }
    text.push_str(&t.render(limit));
    text.push_str(&format!(
        "\nRoom to choose a specialisation (room = some layer can move by at least {} of its world output):\n",
        pct(r.threshold)
    ));
    for c in &r.countries {
        let mark = match c.verdict {
            Verdict::Room => "room",
            Verdict::Pinned => "pinned",
            Verdict::NoCapability => "none",
            Verdict::Unknown => "unknown",
        };
        text.push_str(&format!("  [{mark}] {}\n", c.summary));
    }
    if !r.alternatives.is_empty() {
        text.push_str(&format!(
            "\nMaximally different alternatives (each as far as it can get from the optimum and the earlier ones; distance = L1 in shares of world output):\n"
        ));
        for alt in &r.alternatives {
            let mut changes: Vec<(f64, String)> = alt
                .production
                .iter()
                .zip(&r.ranges)
                .filter(|(q, c)| (q.quantity - c.optimum).abs() > 1e-6 * c.world_output.max(1.0))
                .map(|(q, c)| {
                    (
                        (q.quantity - c.optimum).abs() / c.world_output.max(1e-12),
                        format!(
                            "{} {} {} -> {}",
                            q.country,
                            q.layer,
                            num(c.optimum),
                            num(q.quantity)
                        ),
                    )
                })
                .collect();
            changes.sort_by(|a, b| b.0.total_cmp(&a.0));
            let shown: Vec<String> = changes.iter().take(4).map(|c| c.1.clone()).collect();
            let more = changes.len().saturating_sub(shown.len());
            text.push_str(&format!(
                "  {}. W = {} (distance {}): {}{}\n",
                alt.index,
                num(alt.objective),
                num(alt.distance),
                shown.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            ));
        }
    }
    for n in &r.notes {
        text.push_str(&format!("Note: {n}\n"));
    }
    text
}
