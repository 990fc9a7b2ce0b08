//! `aistack report FILE [--agreement ID]... [--sovereign FILE] --out DIR`: the HTML report.

use std::path::PathBuf;

use anyhow::Context;

use super::common::{self, bad_input, Exit, GameArgs, ScenarioArgs, SolverArgs};
use crate::analysis::alternatives::AlternativeSettings;
use crate::analysis::coalitions::GameValue;
use crate::analysis::compare::AnalysisError;
use crate::report::html::{self, PageOptions};
use crate::report::OutputFormat;

#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    /// FILE, its overrides and agreement switches (not applied to --sovereign).
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// An agreement to analyse and switch on in the coordinated case (repeatable); default: every
    /// agreement in the file.
    #[arg(long = "agreement", value_name = "ID")]
    pub agreements: Vec<String>,
    /// A separate sovereign scenario (same countries), solved with its own activation flags; by
    /// default the sovereign case is FILE with the analysed agreements switched off.
    #[arg(long, value_name = "FILE")]
    pub sovereign: Option<PathBuf>,
    /// Directory for index.html, charts/*.svg, report.json and (with --format csv) one CSV file
    /// per table.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// What to print: `table` (the path of index.html and a summary line), `json` (the summary
    /// and the files written) or `csv` (also write every table of the page as CSV into --out
    /// and list the files).
    #[arg(long, value_enum, default_value = "table")]
    pub format: OutputFormat,
    /// Also draw the near-optimal ranges of the coordinated case: the least and most each
    /// country can produce of each layer within 2 % of the optimal W (as `aistack
    /// alternatives`; two solves per capability).
    #[arg(long)]
    pub alternatives: bool,
    /// A finished sweep's output directory (holding summary.json and results.csv, as
    /// `sweep-report` reads it): draw its tornados on the page (repeatable).
    #[arg(long = "sweep", value_name = "DIR")]
    pub sweeps: Vec<PathBuf>,
    /// For a scenario with [uncertainty]: the risk weights ω (comma-separated, each in [0, 1])
    /// at which the coordinated case is solved to draw the frontier of E[W] against CVaR_α;
    /// default 0,0.25,0.5,0.75,1.
    #[arg(long, value_name = "W1,W2,...", value_delimiter = ',', value_parser = common::parse_risk_weight)]
    pub risk_weights: Option<Vec<f64>>,
    #[command(flatten)]
    pub game: GameArgs,
    #[command(flatten)]
    pub solver: SolverArgs,
}

pub fn report(a: ReportArgs) -> anyhow::Result<Exit> {
    let file_path = &a.scenario.file;
    let s = common::load(file_path, &a.scenario.overrides)?;
    let config = a.solver.config()?;
    let game = a.game.settings(GameValue::Members)?;
    let mut agreements = Vec::new();
    for id in &a.agreements {
        let k = common::agreement_index(&s, id)
            .with_context(|| format!("in {}", file_path.display()))?;
        if agreements.contains(&k) {
            return Err(bad_input(format!("--agreement {id} is given twice")));
        }
        agreements.push(k);
    }
    let base = a.scenario.options(&s, a.solver.relax)?;
    if a.risk_weights.is_some() && s.uncertainty.is_none() {
        return Err(bad_input(format!(
            "{}: --risk-weights needs a scenario with [uncertainty] (MODEL.md section 10)",
            file_path.display()
        )));
    }
    let sovereign = match &a.sovereign {
        // Loaded without overrides (the echo keeps those of FILE).
        Some(p) => Some((
            p.display().to_string(),
            common::load(p, &common::OverrideArgs::default())?,
        )),
        None => None,
    };
    let opts = PageOptions {
        agreements,
        sovereign,
        game,
        base: Some(base),
        relax: a.solver.relax,
        alternatives: a.alternatives.then(|| AlternativeSettings {
            count: 1,
            ..Default::default()
        }),
        risk_weights: a.risk_weights.clone().unwrap_or_default(),
    };
    // Sweeps are read before any solve: a wrong directory is bad input, found at once.
    let mut sweeps = Vec::new();
    for d in &a.sweeps {
        sweeps.push(
            crate::report::sweep::SweepData::read(d)
                .map_err(|e| bad_input(format!("--sweep {}: {e}", d.display())))?,
        );
    }
    // `--out` problems are found before any work or output (issue 9).
    check_out_dir(&a.out)?;
    let file = file_path.display().to_string();
    let bar = super::progress::Bar::new("solving the report's cases and coalition games");
    let result = html::compute(&s, &file, &opts, &config, &|d, n| bar.set(d, n));
    bar.finish();
    let mut page = match result {
        Ok(p) => p,
        Err(e @ AnalysisError::BadInput(_)) => return Err(bad_input(e.to_string())),
        Err(e) => {
            if a.format == OutputFormat::Json {
                println!(
                    "{}",
                    common::echo_json(
                        &serde_json::json!({"status": "error", "message": e.to_string()})
                    )
                );
            }
            eprintln!("error: {e}");
            return Ok(Exit::NoSolution);
        }
    };
    page.sweeps = sweeps;
    let mut written = html::write(&page, &a.out)
        .with_context(|| format!("writing the report into {}", a.out.display()))?;
    let mut csv_files = Vec::new();
    if a.format == OutputFormat::Csv {
        let value = serde_json::to_value(&page)?;
        csv_files = crate::report::write_csv_tables(&a.out, &crate::report::csv_tables(&value))
            .with_context(|| format!("writing CSV into {}", a.out.display()))?;
        written.extend(csv_files.iter().map(PathBuf::from));
    }
    let summary = format!(
        "{file}: W coordinated {}, sovereign {}, cost of sovereignty {} {}; wrote {} files into {}",
        crate::report::table::num(page.coordinated.objective),
        crate::report::table::num(page.sovereign.objective),
        crate::report::table::num(page.cost_of_sovereignty()),
        page.currency,
        written.len(),
        a.out.display()
    );
    eprint!("{}", common::echo_table());
    for w in &page.warnings {
        eprintln!("warning: {w}");
    }
    let index = a.out.join("index.html");
    match a.format {
        OutputFormat::Table => {
            eprintln!("{summary}");
            println!("{}", index.display());
        }
        OutputFormat::Json => println!(
            "{}",
            common::echo_json(&serde_json::json!({
                "file": file,
                "status": "optimal",
                "w_coordinated": page.coordinated.objective,
                "w_sovereign": page.sovereign.objective,
                "cost_of_sovereignty": page.cost_of_sovereignty(),
                "currency": page.currency,
                "index": index.display().to_string(),
                "files": written.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
                "warnings": page.warnings,
            }))
        ),
        OutputFormat::Csv => {
            eprintln!("{summary}");
            for f in &csv_files {
                println!("{f}");
            }
        }
    }
    Ok(Exit::Ok)
}

/// `--out` must be a directory we can create and write into: checked before computing.
fn check_out_dir(out: &std::path::Path) -> anyhow::Result<()> {
    if out.exists() && !out.is_dir() {
        return Err(bad_input(format!(
            "--out {} exists and is not a directory",
            out.display()
        )));
    }
    std::fs::create_dir_all(out.join("charts")).map_err(|e| {
        bad_input(format!(
            "--out {}: cannot create the directory: {e}",
            out.display()
        ))
    })?;
    let probe = out.join(".aistack-write-test");
    std::fs::write(&probe, b"").map_err(|e| {
        bad_input(format!(
            "--out {}: cannot write into it: {e}",
            out.display()
        ))
    })?;
    let _ = std::fs::remove_file(probe);
    Ok(())
}
