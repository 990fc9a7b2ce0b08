//! `aistack sweep SWEEP.toml [--shard K/N | --merge | --slurm]`: a command over many variants of
//! a scenario, in parallel here or as a Slurm job array (library: [`crate::sweep`]).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context;

use super::common::{bad_input, Exit, SolverArgs};
use crate::report::table::{num, Table};
use crate::report::OutputFormat;
use crate::sweep::{Summary, Sweep, SweepError};

#[derive(clap::Args, Debug)]
pub struct SweepArgs {
    /// Sweep file (.toml): base scenario, parameters, design, command and metrics.
    pub file: PathBuf,
    #[command(flatten)]
    pub array: super::shards::ArrayArgs,
    /// Worker threads (default: every core).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Discard results of earlier runs instead of resuming.
    #[arg(long)]
    pub fresh: bool,
    /// Stop after computing this many new points (to test resuming).
    #[arg(long, value_name = "N", hide = true)]
    pub stop_after: Option<usize>,
    /// Output format of the summary (table or json).
    #[arg(long, value_enum, default_value = "table")]
    pub format: OutputFormat,
    #[command(flatten)]
    pub solver: SolverArgs,
}

fn sweep_error(e: SweepError) -> anyhow::Error {
    bad_input(e.to_string())
}

pub fn run(a: SweepArgs) -> anyhow::Result<Exit> {
    if a.format == OutputFormat::Csv {
        return Err(bad_input(
            "sweep writes results.csv itself; --format is table or json",
        ));
    }
    if a.jobs == Some(0) || a.array.array_size == 0 {
        return Err(bad_input("--jobs and --array-size must be at least 1"));
    }
    let mut sweep = Sweep::read(&a.file).map_err(sweep_error)?;
    sweep.relax |= a.solver.relax;
    let config = a.solver.config()?;
    if a.array.merge {
        return finish(&sweep, a.format);
    }
    if a.array.slurm {
        return slurm(&a, &sweep);
    }
    let shard = match &a.array.shard {
        Some(s) => Some(parse_shard(s)?),
        None => None,
    };
    // The shared bar of every re-solving command (issue 13 item 5).
    let bar = super::progress::Bar::counting("sweep", "points");
    let progress = |done: usize, total: usize| bar.set(done, total);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(a.jobs.unwrap_or(0))
        .build()
        .context("starting worker threads")?;
    let stats = pool.install(|| sweep.run(shard, &config, a.fresh, a.stop_after, &progress));
    bar.finish();
    let stats = stats.map_err(sweep_error)?;
    let label = match shard {
        Some((k, n)) => format!("shard {k}/{n}"),
        None => "sweep".into(),
    };
    eprintln!(
        "{}: {label}: {} points, {} computed in {:.1} s, {} already done; results in {}",
        a.file.display(),
        stats.total,
        stats.computed,
        stats.seconds,
        stats.skipped,
        sweep.points_file(shard).display()
    );
    if shard.is_some() || stats.computed + stats.skipped < stats.total {
        return Ok(Exit::Ok);
    }
    finish(&sweep, a.format)
}

fn parse_shard(s: &str) -> anyhow::Result<(usize, usize)> {
    let bad = || bad_input(format!("--shard {s}: expected K/N with 1 <= K <= N"));
    let (k, n) = s.split_once('/').ok_or_else(bad)?;
    let (k, n) = (
        k.trim().parse::<usize>().map_err(|_| bad())?,
        n.trim().parse::<usize>().map_err(|_| bad())?,
    );
    if k == 0 || k > n {
        return Err(bad());
    }
    Ok((k, n))
}

/// Write results.csv and summary.json and print the summary.
fn finish(sweep: &Sweep, format: OutputFormat) -> anyhow::Result<Exit> {
    let summary = match sweep.finish() {
        Ok(s) => s,
        Err(e @ SweepError::Incomplete(_)) => {
            eprintln!("error: {e}");
            return Ok(Exit::NoSolution);
        }
        Err(e) => return Err(sweep_error(e)),
    };
    match format {
        OutputFormat::Json => println!("{}", crate::report::to_json(&summary)),
        _ => print!("{}", render(&summary)),
    }
    eprintln!(
        "wrote {} and {}",
        sweep.output.join("results.csv").display(),
        sweep.output.join("summary.json").display()
    );
    Ok(Exit::Ok)
}

fn opt(v: Option<f64>) -> String {
    v.map_or("-".into(), num)
}

/// The summary for people: ranges and sign changes, then per metric the tornado and the
/// global indices.
pub fn render(s: &Summary) -> String {
    let mut out = format!(
        "{}: {} points over {} ({})\n\n",
        s.sweep,
        s.points,
        s.parameters.join(", "),
        s.scenario
    );
    let mut t = Table::new(
        "Metrics",
        &[
            "metric",
            ">base",
            ">min",
            ">max",
            ">mean",
            ">failed",
            "sign change",
        ],
    );
    for m in &s.metrics {
        t.row(vec![
            m.metric.clone(),
            opt(m.base),
            opt(m.min),
            opt(m.max),
            opt(m.mean),
            m.failed.to_string(),
            if m.sign_change { "YES" } else { "no" }.into(),
        ]);
    }
    out.push_str(&t.render(None));
    for m in &s.metrics {
        let mut t = Table::new(
            format!("{}: one at a time (others at base)", m.metric),
            &[
                "parameter",
                ">low",
                ">high",
                ">at low",
                ">at high",
                ">effect",
                ">first",
                ">total",
            ],
        );
        for e in &m.tornado {
            let ix = m
                .sensitivity
                .as_ref()
                .and_then(|v| v.iter().find(|x| x.parameter == e.parameter));
            t.row(vec![
                e.parameter.clone(),
                num(e.low),
                num(e.high),
                opt(e.y_low),
                opt(e.y_high),
                opt(e.effect),
                opt(ix.and_then(|x| x.first)),
                opt(ix.and_then(|x| x.total)),
            ]);
        }
        out.push('\n');
        out.push_str(&t.render(None));
        if let Some(method) = &m.sensitivity_method {
            out.push_str(&format!("(first/total: {method})\n"));
        }
    }
    out
}

/// Write the job-array script and the merge script, submit both with sbatch.
fn slurm(a: &SweepArgs, sweep: &Sweep) -> anyhow::Result<Exit> {
    let n = a.array.array_size;
    let dir = sweep.output.join("slurm");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let exe = std::env::current_exe().context("locating the aistack executable")?;
    let abs = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let file = abs(&a.file);
    let dir = abs(&dir);
    let cwd = std::env::current_dir().context("reading the working directory")?;
    let mut solver = format!(" --solver {}", a.solver.solver);
    if let Some(t) = a.solver.time_limit {
        solver.push_str(&format!(" --time-limit {t}"));
    }
    if a.solver.relax {
        solver.push_str(" --relax");
    }
    let partition = a
        .array
        .partition
        .as_ref()
        .map_or(String::new(), |p| format!("#SBATCH --partition={p}\n"));
    let fresh = if a.fresh { " --fresh" } else { "" };
    let array = format!(
        "#!/bin/bash\n#SBATCH --job-name=aistack-sweep\n#SBATCH --array=1-{n}\n\
         #SBATCH --cpus-per-task=1\n#SBATCH --chdir={cwd}\n#SBATCH --output={dir}/task-%a.out\n\
         {partition}exec {exe} sweep {file} --shard ${{SLURM_ARRAY_TASK_ID}}/{n} --jobs 1{solver}{fresh}\n",
        cwd = cwd.display(),
        dir = dir.display(),
        exe = exe.display(),
        file = file.display(),
    );
    let merge = format!(
        "#!/bin/bash\n#SBATCH --job-name=aistack-sweep-merge\n#SBATCH --chdir={cwd}\n\
         #SBATCH --output={dir}/merge.out\n{partition}exec {exe} sweep {file} --merge{solver}\n",
        cwd = cwd.display(),
        dir = dir.display(),
        exe = exe.display(),
        file = file.display(),
    );
    let array_path = dir.join("array.sh");
    let merge_path = dir.join("merge.sh");
    std::fs::write(&array_path, array)
        .with_context(|| format!("writing {}", array_path.display()))?;
    std::fs::write(&merge_path, merge)
        .with_context(|| format!("writing {}", merge_path.display()))?;
    let sbatch = |args: &[&str]| -> anyhow::Result<String> {
        let out = Command::new("sbatch")
            .args(args)
            .output()
            .context("running sbatch (is Slurm installed and SLURM_CONF set?)")?;
        if !out.status.success() {
            anyhow::bail!(
                "sbatch {} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        Ok(String::from_utf8_lossy(&out.stdout)
            .trim()
            .split(';')
            .next()
            .unwrap_or("")
            .to_string())
    };
    let array_path = array_path.display().to_string();
    let merge_path = merge_path.display().to_string();
    let job = sbatch(&["--parsable", &array_path])?;
    println!("submitted job array {job} ({n} tasks): {array_path}");
    let dep = format!("--dependency=afterok:{job}");
    let mut args = vec!["--parsable", dep.as_str()];
    if a.array.wait {
        args.push("--wait");
    }
    args.push(&merge_path);
    let merge_job = match sbatch(&args) {
        Ok(j) => j,
        Err(e) if a.array.wait => {
            eprintln!("error: {e:#}; see {}/merge.out", dir.display());
            return Ok(Exit::NoSolution);
        }
        Err(e) => return Err(e),
    };
    println!(
        "submitted merge job {merge_job} (after {job}): results in {}",
        sweep.output.display()
    );
    Ok(Exit::Ok)
}
