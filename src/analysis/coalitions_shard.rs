//! The coalition game in shards, for a Slurm job array (`aistack coalitions --shard K/N`,
//! `--merge`, `--slurm`; decisions.md 44).
//!
//! The coalitions a game needs are a pure function of the request ([`Game::needed`]: every
//! coalition of two or more members, or the prefixes of the seeded random orders), so shard K of
//! N solves the coalitions at positions i with i mod N = K - 1 of that list, each task on its
//! own. Every solved coalition is appended as one whole line to `DIR/K-of-N.jsonl` as soon as it
//! is known (a re-run skips the coalitions already there). The merge reads every shard file of
//! the same request (checked by a fingerprint in each file's header), solves the baseline again
//! and assembles the same [`CoalitionReport`] as a local run ([`Game::assemble`]).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use rayon::prelude::*;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::coalitions::{CoalitionReport, CoalitionSettings, Game, Method, Solved};
use super::compare::AnalysisError;
use super::game::{self, Coalition};
use crate::results::ranges::Range;
use crate::results::SolveConfig;

#[derive(Debug, thiserror::Error)]
pub enum ShardError {
    #[error(transparent)]
    Analysis(#[from] AnalysisError),
    #[error(transparent)]
    Solve(#[from] crate::results::SolveError),
    #[error("{file}: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    /// A shard file that is not one, or belongs to another request.
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
    /// The request cannot be sharded as given.
    #[error("{0}")]
    BadInput(String),
    /// Coalitions without a result at merge time.
    #[error("{0}")]
    Incomplete(String),
}

/// First line of a shard file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
struct Header {
    fingerprint: String,
    agreement: String,
    members: Vec<String>,
    coalitions: usize,
    shard: (usize, usize),
}

/// One solved coalition, one line of a shard file.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Row {
    coalition: Coalition,
    value: f64,
    w: f64,
    gains: Vec<f64>,
    range: Option<(f64, f64)>,
}

impl Row {
    fn of(x: &Solved) -> Row {
        Row {
            coalition: x.0,
            value: x.1,
            w: x.2,
            gains: x.3.clone(),
            range: x.4.map(|r| (r.min, r.max)),
        }
    }

    fn solved(self) -> Solved {
        (
            self.coalition,
            self.value,
            self.w,
            self.gains,
            self.range.map(|(min, max)| Range { min, max }),
        )
    }
}

/// The coalitions to solve, the sampled orders (Monte Carlo) and their number.
pub type Plan = (Vec<Coalition>, Option<Vec<Vec<usize>>>, Option<usize>);

/// A shard file's header and rows by coalition.
type ShardContents = (Header, BTreeMap<Coalition, Row>);

/// The coalitions to solve and, for Monte Carlo, the orders they come from. Monte Carlo must
/// have a fixed number of orders: doubling until a target standard error is reached depends
/// on the values, so it cannot be cut into independent tasks.
pub fn plan(g: &Game, settings: &CoalitionSettings) -> Result<Plan, ShardError> {
    match g.method {
        Method::Exact => Ok((g.needed(None), None, None)),
        Method::MonteCarlo => {
            let Some(m) = settings.samples else {
                return Err(ShardError::BadInput(format!(
                    "the agreement has {} members (more than --max-exact {}): sharding Monte Carlo needs a fixed number of orders; give --samples N",
                    g.n, settings.max_exact
                )));
            };
            let p = game::sample_permutations(g.n, m, settings.seed);
            Ok((g.needed(Some(&p)), Some(p), Some(m)))
        }
    }
}

/// The shard file of shard K of N in `dir`.
pub fn shard_file(dir: &Path, k: usize, n: usize) -> PathBuf {
    dir.join(format!("{k}-of-{n}.jsonl"))
}

pub(crate) fn io(path: &Path) -> impl Fn(std::io::Error) -> ShardError + '_ {
    move |source| ShardError::Io {
        file: path.display().to_string(),
        source,
    }
}

/// Read a shard file: its header and rows by coalition. A last line cut by a kill is dropped
/// (and cut from the file when `truncate`).
fn read_shard(path: &Path, truncate: bool) -> Result<Option<ShardContents>, ShardError> {
    Ok(read_lines::<Header, Row>(path, truncate, "coalitions")?
        .map(|(h, rows)| (h, rows.into_iter().map(|r| (r.coalition, r)).collect())))
}

/// Read a shard file of `kind`: its header line and every whole row line. A last line cut by
/// a kill is dropped (and cut from the file when `truncate`).
pub(crate) fn read_lines<H: DeserializeOwned, R: DeserializeOwned>(
    path: &Path,
    truncate: bool,
    kind: &str,
) -> Result<Option<(H, Vec<R>)>, ShardError> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(None);
    };
    let whole = text.rfind('\n').map_or(0, |i| i + 1);
    if whole < text.len() && truncate {
        let f = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(io(path))?;
        f.set_len(whole as u64).map_err(io(path))?;
    }
    let mut lines = text[..whole].lines();
    let Some(h) = lines.next() else {
        return Ok(None);
    };
    let header: H = serde_json::from_str(h).map_err(|e| ShardError::Invalid {
        file: path.display().to_string(),
        message: format!("not a {kind} shard file ({e})"),
    })?;
    let rows = lines
        .filter_map(|l| serde_json::from_str::<R>(l).ok())
        .collect();
    Ok(Some((header, rows)))
}

/// Append the rows of `todo` to the shard file at `path` (writing `header` first when the file is
/// new), solving them in parallel. Each row is one write of a whole line, so a kill leaves at
/// most a cut last line, which the next run's reader drops.
pub(crate) fn append_rows<H: Serialize, T: Sync, R: Serialize>(
    path: &Path,
    header: &H,
    todo: &[T],
    solve: impl Fn(&T) -> Result<R, ShardError> + Sync,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<(), ShardError> {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(io(path))?;
    if f.metadata().map_err(io(path))?.len() == 0 {
        let line = format!("{}\n", serde_json::to_string(header).unwrap_or_default());
        f.write_all(line.as_bytes()).map_err(io(path))?;
    }
    let writer = Mutex::new(f);
    let count = AtomicUsize::new(0);
    progress(0, todo.len());
    todo.par_iter()
        .map(|item| -> Result<(), ShardError> {
            let row = solve(item)?;
            let line = format!("{}\n", serde_json::to_string(&row).unwrap_or_default());
            if let Ok(mut w) = writer.lock() {
                w.write_all(line.as_bytes()).map_err(io(path))?;
            }
            progress(count.fetch_add(1, Ordering::SeqCst) + 1, todo.len());
            Ok(())
        })
        .collect::<Vec<_>>()
        .into_iter()
        .collect::<Result<Vec<()>, _>>()?;
    Ok(())
}

/// The shard files (`*.jsonl`) in `dir`, sorted.
pub(crate) fn shard_files(dir: &Path) -> Result<Vec<PathBuf>, ShardError> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io(dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    Ok(files)
}

/// What a shard run did.
#[derive(Debug, Clone)]
pub struct ShardStats {
    pub coalitions: usize,
    pub computed: usize,
    pub skipped: usize,
    pub file: PathBuf,
}

/// Solve shard `k` of `n` (1-based) of the game's coalitions, appending each to its shard file
/// in `dir`. `fingerprint` identifies the request (scenario, overrides, agreement, settings):
/// a file of another request is an error, never mixed in.
pub fn run_shard(
    g: &Game,
    settings: &CoalitionSettings,
    config: &SolveConfig,
    (k, n): (usize, usize),
    dir: &Path,
    fingerprint: &str,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<ShardStats, ShardError> {
    if k == 0 || k > n {
        return Err(ShardError::BadInput(format!(
            "shard {k}/{n}: expected 1 <= K <= N"
        )));
    }
    let (needed, _, _) = plan(g, settings)?;
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let path = shard_file(dir, k, n);
    let header = Header {
        fingerprint: fingerprint.to_string(),
        agreement: g.agreement_id().to_string(),
        members: g.member_ids(),
        coalitions: needed.len(),
        shard: (k, n),
    };
    let done = match read_shard(&path, true)? {
        Some((h, rows)) if h == header => rows,
        Some(_) => {
            return Err(ShardError::Invalid {
                file: path.display().to_string(),
                message: "holds coalitions of a different request (scenario, overrides, \
                          agreement or settings changed); remove it or use another directory"
                    .into(),
            })
        }
        None => BTreeMap::new(),
    };
    let mine: Vec<Coalition> = needed
        .iter()
        .enumerate()
        .filter(|(i, _)| i % n == k - 1)
        .map(|(_, &c)| c)
        .collect();
    let todo: Vec<Coalition> = mine
        .iter()
        .copied()
        .filter(|c| !done.contains_key(c))
        .collect();
    append_rows(
        &path,
        &header,
        &todo,
        |&c| Ok(Row::of(&g.solve(c, config)?)),
        progress,
    )?;
    Ok(ShardStats {
        coalitions: mine.len(),
        computed: todo.len(),
        skipped: mine.len() - todo.len(),
        file: path,
    })
}

/// Assemble the report from every shard file in `dir` of this request.
pub fn merge(
    g: &Game,
    settings: &CoalitionSettings,
    dir: &Path,
    fingerprint: &str,
) -> Result<CoalitionReport, ShardError> {
    let (needed, perms, samples) = plan(g, settings)?;
    let files = shard_files(dir)?;
    let mut rows: BTreeMap<Coalition, Row> = BTreeMap::new();
    for f in &files {
        if let Some((h, r)) = read_shard(f, false)? {
            if h.fingerprint != fingerprint || h.agreement != g.agreement_id() {
                return Err(ShardError::Invalid {
                    file: f.display().to_string(),
                    message: "holds coalitions of a different request (scenario, overrides, \
                              agreement or settings changed)"
                        .into(),
                });
            }
            rows.extend(r);
        }
    }
    let missing: Vec<Coalition> = needed
        .iter()
        .copied()
        .filter(|c| !rows.contains_key(c))
        .collect();
    if !missing.is_empty() {
        let names: Vec<String> = game::members(missing[0])
            .into_iter()
            .map(|i| g.member_ids()[i].clone())
            .collect();
        return Err(ShardError::Incomplete(format!(
            "{}: {} of {} coalitions have no result yet (first: {{{}}}); run the missing shards again",
            dir.display(),
            missing.len(),
            needed.len(),
            names.join(", ")
        )));
    }
    let solved: Vec<Solved> = needed
        .iter()
        .filter_map(|c| rows.remove(c))
        .map(Row::solved)
        .collect();
    Ok(g.assemble(&solved, perms, samples, None)?)
}
