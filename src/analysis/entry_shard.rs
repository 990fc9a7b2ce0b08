//! Entry and exit values in shards, for a Slurm job array (`aistack margins --entry --shard
//! K/N`, `--merge`, `--slurm`; decisions.md 100).
//!
//! The forced decisions are a pure function of the scenario and its base solution
//! ([`EntryPlan`]), so shard K of N solves the decisions at positions i with i mod N = K - 1,
//! appending each solve as one whole line to `DIR/K-of-N.jsonl` as soon as it is known (a re-run
//! skips the decisions already there). The merge reads every shard file of the same request
//! (fingerprint in each header) and builds the entry values with the same
//! [`EntryPlan::finish`] as a local run, so the result is the same bit for bit; the
//! infeasibility diagnoses (rare, and explanations rather than values) are solved at merge time.

use std::collections::BTreeMap;
use std::path::Path;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::coalitions_shard::{
    append_rows, io, read_lines, shard_file, shard_files, ShardError, ShardStats,
};
use super::margins::{EntryPlan, EntrySolve, EntryValue};
use crate::results::SolveConfig;

/// First line of an entry shard file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
struct Header {
    fingerprint: String,
    entry_decisions: usize,
    shard: (usize, usize),
}

/// One forced decision's solve, one line of a shard file (`None`: the base decision itself).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Row {
    index: usize,
    decision: String,
    solve: Option<EntrySolve>,
}

fn other_request(path: &Path) -> ShardError {
    ShardError::Invalid {
        file: path.display().to_string(),
        message: "holds entry values of a different request (scenario, overrides, activations \
                  or solver settings changed); remove it or use another directory"
            .into(),
    }
}

/// Solve shard `k` of `n` (1-based) of the forced decisions, appending each to its shard file
/// in `dir`. `fingerprint` identifies the request: a file of another request is an error.
pub fn run_shard(
    plan: &EntryPlan,
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
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let path = shard_file(dir, k, n);
    let header = Header {
        fingerprint: fingerprint.to_string(),
        entry_decisions: plan.len(),
        shard: (k, n),
    };
    let done: BTreeMap<usize, Row> = match read_lines::<Header, Row>(&path, true, "entry")? {
        Some((h, rows)) if h == header => rows.into_iter().map(|r| (r.index, r)).collect(),
        Some(_) => return Err(other_request(&path)),
        None => BTreeMap::new(),
    };
    let mine: Vec<usize> = (0..plan.len()).filter(|i| i % n == k - 1).collect();
    let todo: Vec<usize> = mine
        .iter()
        .copied()
        .filter(|i| !done.contains_key(i))
        .collect();
    append_rows(
        &path,
        &header,
        &todo,
        |&i| {
            Ok(Row {
                index: i,
                decision: plan.label(i),
                solve: plan.solve(i, config)?,
            })
        },
        progress,
    )?;
    Ok(ShardStats {
        coalitions: mine.len(),
        computed: todo.len(),
        skipped: mine.len() - todo.len(),
        file: path,
    })
}

/// The entry values from every shard file in `dir` of this request, as a local run computes
/// them.
pub fn merge(
    plan: &EntryPlan,
    config: &SolveConfig,
    dir: &Path,
    fingerprint: &str,
) -> Result<Vec<EntryValue>, ShardError> {
    let mut rows: BTreeMap<usize, Row> = BTreeMap::new();
    for f in shard_files(dir)? {
        if let Some((h, r)) = read_lines::<Header, Row>(&f, false, "entry")? {
            if h.fingerprint != fingerprint || h.entry_decisions != plan.len() {
                return Err(other_request(&f));
            }
            rows.extend(r.into_iter().map(|r| (r.index, r)));
        }
    }
    let missing: Vec<usize> = (0..plan.len()).filter(|i| !rows.contains_key(i)).collect();
    if let Some(&first) = missing.first() {
        return Err(ShardError::Incomplete(format!(
            "{}: {} of {} entry decisions have no result yet (first: {}); run the missing shards again",
            dir.display(),
            missing.len(),
            plan.len(),
            plan.label(first)
        )));
    }
    (0..plan.len())
        .into_par_iter()
        .map(|i| {
            let solve = rows.get(&i).and_then(|r| r.solve.clone());
            Ok(plan.finish(i, solve, config)?)
        })
        .collect::<Vec<_>>()
        .into_iter()
        .collect()
}
