//! `aistack sweep-report OUT_DIR --out DIR`: the page of a finished sweep (library:
//! [`crate::report::sweep`]).

use std::path::Path;

use anyhow::Context;

use super::common::{bad_input, Exit};
use crate::report::sweep::{self, SweepData, SweepPageError};

#[derive(clap::Args, Debug)]
pub struct SweepReportArgs {
    /// The sweep's output directory (holding summary.json and results.csv).
    #[arg(value_name = "OUT_DIR")]
    pub dir: std::path::PathBuf,
    /// Directory for index.html and charts/*.svg.
    #[arg(long, value_name = "DIR")]
    pub out: std::path::PathBuf,
}

pub fn report_sweep(dir: &Path, out: &Path) -> anyhow::Result<Exit> {
    let data = SweepData::read(dir).map_err(|e| match e {
        e @ SweepPageError::Read { .. } => bad_input(e.to_string()),
        e => anyhow::Error::new(e),
    })?;
    let written = sweep::write(&data, out)
        .with_context(|| format!("writing the sweep report into {}", out.display()))?;
    eprintln!(
        "{}: {} metrics over {} parameters, {} points; wrote {} files into {}",
        dir.display(),
        data.summary.metrics.len(),
        data.summary.parameters.len(),
        data.summary.points,
        written.len(),
        out.display()
    );
    println!("{}", out.join("index.html").display());
    Ok(Exit::Ok)
}
