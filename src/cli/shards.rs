//! `coalitions --shard K/N | --merge | --slurm` and `margins --entry --shard K/N | --merge |
//! --slurm`: the coalition enumeration and the entry values cut into shards, run by hand or as a
//! Slurm job array plus a dependent merge job (library: [`crate::analysis::coalitions_shard`],
//! [`crate::analysis::entry_shard`]). No scheduler of our own: each array task is an
//! ordinary `aistack coalitions ... --shard K/N`, the merge an ordinary `--merge`.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context;

use super::common::{bad_input, Exit};
use crate::analysis::coalitions::{CoalitionReport, CoalitionSettings, Game};
use crate::analysis::coalitions_shard::{self as shard, ShardError};
use crate::analysis::compare::AnalysisError;
use crate::formulation::BuildOptions;
use crate::results::SolveConfig;
use crate::scenario::{AgreementId, Scenario};

/// Cutting embarrassingly parallel work into shards, by hand or as a Slurm job array plus a
/// dependent merge job (shared by `sweep`, `coalitions` and `margins --entry`).
#[derive(clap::Args, Debug, Default)]
pub struct ArrayArgs {
    /// Run only shard K of N of the work (1-based; item i belongs to shard i mod N + 1).
    #[arg(long, value_name = "K/N", conflicts_with_all = ["merge", "slurm"])]
    pub shard: Option<String>,
    /// Merge the shards' results into what a local run writes.
    #[arg(long, conflicts_with = "slurm")]
    pub merge: bool,
    /// Submit the work as a Slurm job array (sbatch) plus a dependent merge job.
    #[arg(long)]
    pub slurm: bool,
    /// Slurm partition.
    #[arg(long, value_name = "P", requires = "slurm")]
    pub partition: Option<String>,
    /// Number of array tasks (shards).
    #[arg(long, value_name = "N", default_value_t = 4, requires = "slurm")]
    pub array_size: usize,
    /// With --slurm: wait for the merge job and print its output.
    #[arg(long, requires = "slurm")]
    pub wait: bool,
}

#[derive(clap::Args, Debug, Default)]
pub struct ShardArgs {
    #[command(flatten)]
    pub array: ArrayArgs,
    /// Directory of the shard files and Slurm scripts (default: aistack-coalitions-AGREEMENT,
    /// aistack-margins-entry).
    #[arg(long, value_name = "DIR")]
    pub shard_dir: Option<PathBuf>,
}

/// What the coalitions command does next.
pub enum Step {
    /// No sharding flag: solve here.
    Local,
    /// A shard was run or jobs submitted: exit with this code.
    Exit(Exit),
    /// Merged shards: print this report as a local run would.
    Merged(Result<Box<CoalitionReport>, AnalysisError>),
}

/// Identifies one request: the scenario file and everything that changes the game.
pub fn fingerprint(file: &Path, parts: &[String]) -> anyhow::Result<String> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    Ok(crate::sweep::fingerprint::fingerprint(
        std::iter::once(bytes.as_slice()).chain(parts.iter().map(|p| p.as_bytes())),
    ))
}

pub fn parse_shard(s: &str) -> anyhow::Result<(usize, usize)> {
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

fn shard_error(e: ShardError) -> anyhow::Error {
    bad_input(e.to_string())
}

/// Run the sharding flags of `coalitions`, if any.
#[allow(clippy::too_many_arguments)]
pub fn coalitions(
    a: &ShardArgs,
    s: &Scenario,
    agreement: AgreementId,
    base: &BuildOptions,
    config: &SolveConfig,
    settings: &CoalitionSettings,
    fingerprint: &str,
) -> anyhow::Result<Step> {
    if a.array.shard.is_none() && !a.array.merge && !a.array.slurm {
        if a.shard_dir.is_some() {
            return Err(bad_input(
                "--shard-dir goes with --shard, --merge or --slurm",
            ));
        }
        return Ok(Step::Local);
    }
    if a.array.array_size == 0 {
        return Err(bad_input("--array-size must be at least 1"));
    }
    let dir = a.shard_dir.clone().unwrap_or_else(|| {
        PathBuf::from(format!(
            "aistack-coalitions-{}",
            crate::report::safe_file_stem(
                &s.agreements[agreement].id,
                &mut std::collections::HashSet::new()
            )
        ))
    });
    if a.array.slurm {
        return slurm(a, &dir, "aistack-coalitions").map(Step::Exit);
    }
    let game = match Game::prepare(s, agreement, base, config, settings) {
        Ok(g) => g,
        Err(e) => return Ok(Step::Merged(Err(e))),
    };
    if a.array.merge {
        return match shard::merge(&game, settings, &dir, fingerprint) {
            Ok(r) => Ok(Step::Merged(Ok(Box::new(r)))),
            Err(ShardError::Analysis(e)) => Ok(Step::Merged(Err(e))),
            Err(e @ ShardError::Incomplete(_)) => {
                eprintln!("error: {e}");
                Ok(Step::Exit(Exit::NoSolution))
            }
            Err(e) => Err(shard_error(e)),
        };
    }
    let (k, n) = parse_shard(a.array.shard.as_deref().unwrap_or(""))?;
    match shard::run_shard(
        &game,
        settings,
        config,
        (k, n),
        &dir,
        fingerprint,
        &|_, _| {},
    ) {
        Ok(st) => {
            eprintln!(
                "coalitions of {}: shard {k}/{n}: {} coalitions, {} computed, {} already done; results in {}",
                s.agreements[agreement].id,
                st.coalitions,
                st.computed,
                st.skipped,
                st.file.display()
            );
            Ok(Step::Exit(Exit::Ok))
        }
        Err(ShardError::Analysis(e)) => Ok(Step::Merged(Err(e))),
        Err(e) => Err(shard_error(e)),
    }
}

/// What the sharding flags of `margins --entry` ask for.
pub enum EntryMode {
    Local,
    Shard(usize, usize, PathBuf),
    Merge(PathBuf),
    Slurm(PathBuf),
}

/// Read the sharding flags of `margins`; they need `--entry`.
pub fn entry_mode(a: &ShardArgs, entry: bool) -> anyhow::Result<EntryMode> {
    let any = a.array.shard.is_some() || a.array.merge || a.array.slurm;
    if !any {
        if a.shard_dir.is_some() {
            return Err(bad_input(
                "--shard-dir goes with --shard, --merge or --slurm",
            ));
        }
        return Ok(EntryMode::Local);
    }
    if !entry {
        return Err(bad_input(
            "--shard, --merge and --slurm cut the entry values into shards: give --entry",
        ));
    }
    if a.array.array_size == 0 {
        return Err(bad_input("--array-size must be at least 1"));
    }
    let dir = a
        .shard_dir
        .clone()
        .unwrap_or_else(|| PathBuf::from("aistack-margins-entry"));
    Ok(if a.array.slurm {
        EntryMode::Slurm(dir)
    } else if a.array.merge {
        EntryMode::Merge(dir)
    } else {
        let (k, n) = parse_shard(a.array.shard.as_deref().unwrap_or(""))?;
        EntryMode::Shard(k, n, dir)
    })
}

/// Single-quote an argument for bash.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// The process's arguments without the Slurm flags (and without --shard-dir, given again).
fn forwarded_args() -> Vec<String> {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let mut out = Vec::new();
    let mut skip = false;
    for a in args {
        let a = a.to_string_lossy().to_string();
        if skip {
            skip = false;
            continue;
        }
        match a.as_str() {
            "--slurm" | "--wait" => continue,
            "--partition" | "--array-size" | "--shard-dir" => {
                skip = true;
                continue;
            }
            _ if ["--partition=", "--array-size=", "--shard-dir="]
                .iter()
                .any(|p| a.starts_with(p)) =>
            {
                continue
            }
            _ => out.push(a),
        }
    }
    out
}

/// Write the job-array and merge scripts, submit both with sbatch; with --wait, print the
/// merge job's output.
pub fn slurm(a: &ShardArgs, dir: &Path, job: &str) -> anyhow::Result<Exit> {
    let n = a.array.array_size;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let exe = std::env::current_exe().context("locating the aistack executable")?;
    let cwd = std::env::current_dir().context("reading the working directory")?;
    let args: Vec<String> = forwarded_args().iter().map(|x| quote(x)).collect();
    let args = args.join(" ");
    let d = quote(&dir.display().to_string());
    let partition = a
        .array
        .partition
        .as_ref()
        .map_or(String::new(), |p| format!("#SBATCH --partition={p}\n"));
    let exe = quote(&exe.display().to_string());
    let array = format!(
        "#!/bin/bash\n#SBATCH --job-name={job}\n#SBATCH --array=1-{n}\n\
         #SBATCH --cpus-per-task=1\n#SBATCH --chdir={cwd}\n#SBATCH --output={dir}/task-%a.out\n\
         {partition}export RAYON_NUM_THREADS=1\n\
         exec {exe} {args} --shard ${{SLURM_ARRAY_TASK_ID}}/{n} --shard-dir {d}\n",
        cwd = cwd.display(),
        dir = dir.display(),
    );
    let merge = format!(
        "#!/bin/bash\n#SBATCH --job-name={job}-merge\n#SBATCH --chdir={cwd}\n\
         #SBATCH --output={dir}/merge.out\n#SBATCH --error={dir}/merge.err\n{partition}\
         exec {exe} {args} --merge --shard-dir {d}\n",
        cwd = cwd.display(),
        dir = dir.display(),
    );
    let array_path = dir.join("array.sh");
    let merge_path = dir.join("merge.sh");
    std::fs::write(&array_path, array)
        .with_context(|| format!("writing {}", array_path.display()))?;
    std::fs::write(&merge_path, merge)
        .with_context(|| format!("writing {}", merge_path.display()))?;
    let job = sbatch(&["--parsable", &array_path.display().to_string()])?;
    eprintln!(
        "submitted job array {job} ({n} tasks): {}",
        array_path.display()
    );
    let dep = format!("--dependency=afterok:{job}");
    let merge_path = merge_path.display().to_string();
    let mut args = vec!["--parsable", dep.as_str()];
    if a.array.wait {
        args.push("--wait");
    }
    args.push(&merge_path);
    let result = sbatch(&args);
    if !a.array.wait {
        let merge_job = result?;
        eprintln!(
            "submitted merge job {merge_job} (after {job}): output in {}",
            dir.join("merge.out").display()
        );
        return Ok(Exit::Ok);
    }
    let out = std::fs::read_to_string(dir.join("merge.out")).unwrap_or_default();
    let err = std::fs::read_to_string(dir.join("merge.err")).unwrap_or_default();
    print!("{out}");
    eprint!("{err}");
    match result {
        Ok(_) => Ok(Exit::Ok),
        Err(e) => {
            eprintln!("error: {e:#}; see {}/task-*.out", dir.display());
            Ok(Exit::NoSolution)
        }
    }
}

fn sbatch(args: &[&str]) -> anyhow::Result<String> {
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
}
