//! `aistack export`: write the program that `solve` would build as MPS and/or LP, with
//! readable names (see [`crate::export`]).

use std::fs::File;
use std::path::PathBuf;

use anyhow::Context;

use super::common::{bad_input, echo_table, Exit, ScenarioArgs};
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
}

pub fn export(a: ExportArgs) -> anyhow::Result<Exit> {
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
    for (path, write) in [
        (&a.mps, write_mps::<File> as fn(_, _, _, _) -> _),
        (&a.lp, write_lp::<File>),
    ] {
        let Some(path) = path else { continue };
        let file = File::create(path).with_context(|| format!("creating {}", path.display()))?;
        write(&program, &names, &title, file)
            .with_context(|| format!("writing {}", path.display()))?;
        eprintln!(
            "wrote {} ({} columns, {} rows, {} nonzeros{})",
            path.display(),
            program.columns.len(),
            program.rows.len(),
            program.rows.iter().map(|r| r.terms.len()).sum::<usize>(),
            if program.is_mip() { ", MIP" } else { "" }
        );
    }
    Ok(Exit::Ok)
}
