//! `aistack export`: write the program that `solve` would build as MPS and/or LP, with
//! readable names (see [`crate::export`]).

use std::fs::File;
use std::path::PathBuf;

use anyhow::Context;

use super::common::{bad_input, echo_json, echo_table, Exit, OutputArgs, ScenarioArgs};
use crate::export::{write_lp, write_mps, Names};
use crate::formulation;

#[derive(clap::Args, Debug)]
pub struct ExportArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Export the LP relaxation of the integer variables (as `solve --relax` builds it).
    #[arg(long)]
    pub relax: bool,
    /// Write free MPS (OBJSENSE MAX) to this file.
    #[arg(long, value_name = "OUT")]
    pub mps: Option<PathBuf>,
    /// Write CPLEX LP (Maximize) to this file.
    #[arg(long, value_name = "OUT")]
    pub lp: Option<PathBuf>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// One file written, as listed by every format.
#[derive(serde::Serialize)]
struct Written {
    path: String,
    format: &'static str,
    columns: usize,
    rows: usize,
    nonzeros: usize,
    mip: bool,
}

pub fn export(a: ExportArgs) -> anyhow::Result<Exit> {
    a.output.check()?;
    if a.mps.is_none() && a.lp.is_none() {
        return Err(bad_input("export needs --mps OUT and/or --lp OUT"));
    }
    if let (Some(m), Some(l)) = (&a.mps, &a.lp) {
        let same =
            m == l || matches!((m.canonicalize(), l.canonicalize()), (Ok(x), Ok(y)) if x == y);
        if same {
            return Err(bad_input(format!(
                "--mps and --lp are the same path ({}): the second would overwrite the first",
                m.display()
            )));
        }
    }
    let (s, opts) = a.scenario.load(a.relax)?;
    let program = formulation::build(&s, &opts);
    let names = Names::new(&program, &s);
    let mut title = format!(
        "{} ({}): maximise welfare W",
        s.meta.name,
        a.scenario.file.display()
    );
    // The overrides go into the files' header comment and to stderr.
    let echo = echo_table();
    if !echo.is_empty() {
        title = format!("{title}; {}", echo.trim_end());
        eprint!("{echo}");
    }
    let mut files = Vec::new();
    for (path, kind, write) in [
        (&a.mps, "mps", write_mps::<File> as fn(_, _, _, _) -> _),
        (&a.lp, "lp", write_lp::<File>),
    ] {
        let Some(path) = path else { continue };
        let file = File::create(path).with_context(|| format!("creating {}", path.display()))?;
        write(&program, &names, &title, file)
            .with_context(|| format!("writing {}", path.display()))?;
        let w = Written {
            path: path.display().to_string(),
            format: kind,
            columns: program.columns.len(),
            rows: program.rows.len(),
            nonzeros: program.rows.iter().map(|r| r.terms.len()).sum::<usize>(),
            mip: program.is_mip(),
        };
        if a.output.format == crate::report::OutputFormat::Table {
            eprintln!(
                "wrote {} ({} columns, {} rows, {} nonzeros{})",
                w.path,
                w.columns,
                w.rows,
                w.nonzeros,
                if w.mip { ", MIP" } else { "" }
            );
        }
        files.push(w);
    }
    let value =
        serde_json::json!({ "file": a.scenario.file.display().to_string(), "written": files });
    if a.output.format == crate::report::OutputFormat::Json {
        println!("{}", echo_json(&value));
    }
    a.output.write_csv(&crate::report::csv_tables(&value))?;
    Ok(Exit::Ok)
}
