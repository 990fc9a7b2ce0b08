//! `aistack report FILE [--agreement ID]... [--sovereign FILE] --out DIR`: the HTML report.

use std::path::PathBuf;

use anyhow::Context;

use super::common::{self, bad_input, Exit, SolverArgs};
use crate::analysis::compare::AnalysisError;
use crate::report::html::{self, PageOptions};

#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    /// Scenario file (.toml or .json).
    #[arg(required_unless_present = "sweep")]
    pub file: Option<PathBuf>,
    /// Draw a finished sweep instead (its output directory, holding summary.json and
    /// results.csv): a tornado per metric and each metric against each parameter.
    #[arg(long, value_name = "OUT_DIR", conflicts_with_all = ["file", "agreements", "sovereign"])]
    pub sweep: Option<PathBuf>,
    /// Overrides of FILE (not of --sovereign).
    #[command(flatten)]
    pub overrides: common::OverrideArgs,
    /// An agreement to analyse and switch on in the coordinated case (repeatable); default: every
    /// agreement in the file.
    #[arg(long = "agreement", value_name = "ID")]
    pub agreements: Vec<String>,
    /// A separate sovereign scenario (same countries), solved with its own activation flags; by
    /// default the sovereign case is FILE with the analysed agreements switched off.
    #[arg(long, value_name = "FILE")]
    pub sovereign: Option<PathBuf>,
    /// Directory for index.html, charts/*.svg and report.json.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Exact Shapley values (all 2^m coalitions) up to this many members.
    #[arg(long, default_value_t = crate::analysis::coalitions::DEFAULT_MAX_EXACT)]
    pub max_exact: usize,
    /// Random orders for Monte Carlo Shapley values above --max-exact members (0: no split).
    #[arg(long, default_value_t = crate::analysis::coalitions::DEFAULT_SAMPLES)]
    pub samples: usize,
    /// Seed of the Monte Carlo orders.
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    #[command(flatten)]
    pub solver: SolverArgs,
}

pub fn report(a: ReportArgs) -> anyhow::Result<Exit> {
    if let Some(dir) = &a.sweep {
        check_out_dir(&a.out)?;
        return super::report_sweep::report_sweep(dir, &a.out);
    }
    let Some(file) = a.file.clone() else {
        return Err(bad_input("give a scenario FILE or --sweep OUT_DIR"));
    };
    let s = common::load(&file, &a.overrides)?;
    let config = a.solver.config()?;
    if a.samples == 1 {
        return Err(bad_input(
            "--samples must be 0 (no Monte Carlo) or at least 2",
        ));
    }
    let mut agreements = Vec::new();
    for id in &a.agreements {
        let k =
            common::agreement_index(&s, id).with_context(|| format!("in {}", file.display()))?;
        if agreements.contains(&k) {
            return Err(bad_input(format!("--agreement {id} is given twice")));
        }
        agreements.push(k);
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
        max_exact: a.max_exact,
        samples: a.samples,
        seed: a.seed,
        relax: a.solver.relax,
    };
    // `--out` problems are found before any work or output (issue 9).
    check_out_dir(&a.out)?;
    let file = file.display().to_string();
    let page = match html::compute(&s, &file, &opts, &config) {
        Ok(p) => p,
        Err(e @ AnalysisError::BadInput(_)) => return Err(bad_input(e.to_string())),
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(Exit::NoSolution);
        }
    };
    let written = html::write(&page, &a.out)
        .with_context(|| format!("writing the report into {}", a.out.display()))?;
    eprint!("{}", common::echo_table());
    eprintln!(
        "{file}: W coordinated {:.4}, sovereign {:.4}, cost of sovereignty {:.4} {}; wrote {} files into {}",
        page.coordinated.objective,
        page.sovereign.objective,
        page.cost_of_sovereignty(),
        page.currency,
        written.len(),
        a.out.display()
    );
    println!("{}", a.out.join("index.html").display());
    Ok(Exit::Ok)
}

/// `--out` must be a directory we can create and write into: checked before computing.
pub(super) fn check_out_dir(out: &std::path::Path) -> anyhow::Result<()> {
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
