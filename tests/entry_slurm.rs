//! `margins --entry --shard K/N` + `--merge`, by hand and as a Slurm job array on a real
//! single-node cluster (`../shared/tools/slurm`): the merged output is the local
//! `margins --entry` JSON byte for byte (decisions.md 100).
//!
//! The Slurm test is skipped, with the reason printed, only when the cluster cannot be started
//! (no start.sh, or Slurm cannot be installed). Set AISTACK_SLURM_TOOLS to use another start.sh.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod slurm_cluster;
use slurm_cluster::Cluster;

fn instance(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("instances")
        .join(name)
        .display()
        .to_string()
}

fn aistack(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aistack"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn stdout_ok(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn margins(file: &str, extra: &[&str], dir: &Path) -> Output {
    let mut args = vec!["margins", file, "--entry"];
    args.extend_from_slice(extra);
    aistack(&args, dir)
}

#[test]
fn shards_by_hand_merge_into_the_local_json_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // security-policy has forced decisions that are infeasible (diagnosed at merge time).
    for name in ["example.toml", "security-policy.toml"] {
        let file = instance(name);
        let set = ["--set", "security[*].domestic_floor=0.3"];
        let set: &[&str] = if name == "example.toml" { &set } else { &[] };
        let mut json = vec!["--format", "json"];
        json.extend_from_slice(set);
        let want = stdout_ok(&margins(&file, &json, d));
        assert!(want.contains("\"entry\""));
        let sd = d.join(name);
        let sd = sd.to_str().unwrap();
        for k in 1..=3 {
            let shard = format!("{k}/3");
            let mut args = vec!["--shard", shard.as_str(), "--shard-dir", sd];
            args.extend_from_slice(set);
            stdout_ok(&margins(&file, &args, d));
        }
        // A re-run of a finished shard solves nothing again.
        let mut args = vec!["--shard", "2/3", "--shard-dir", sd];
        args.extend_from_slice(set);
        let o = margins(&file, &args, d);
        stdout_ok(&o);
        assert!(
            String::from_utf8_lossy(&o.stderr).contains(" 0 solved"),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let mut args = vec!["--merge", "--shard-dir", sd];
        args.extend_from_slice(&json);
        let got = stdout_ok(&margins(&file, &args, d));
        assert_eq!(got, want, "{name}: merged JSON differs from the local run");
    }
}

#[test]
fn missing_shards_foreign_shards_and_flags_without_entry_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ex = instance("example.toml");
    let sd = d.join("partial");
    let sd = sd.to_str().unwrap();
    stdout_ok(&margins(&ex, &["--shard", "1/2", "--shard-dir", sd], d));
    // A missing shard: exit 1, naming what is missing.
    let o = margins(&ex, &["--merge", "--shard-dir", sd], d);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("have no result yet"));
    // Another request's shards are never mixed in: exit 2.
    let o = margins(
        &ex,
        &[
            "--merge",
            "--shard-dir",
            sd,
            "--set",
            "security[*].domestic_floor=0.2",
        ],
        d,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("different request"));
    // Sharding flags need --entry; a bad K/N is named.
    let o = aistack(&["margins", &ex, "--shard", "1/2"], d);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--entry"));
    let o = margins(&ex, &["--shard", "3/2"], d);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--shard 3/2"));
}

#[test]
fn slurm_entry_values_match_the_local_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cluster = match Cluster::start(d) {
        Ok(c) => c,
        Err(reason) => {
            println!("skipped: {reason}");
            return;
        }
    };
    let ex = instance("example.toml");
    let base = [
        "--set",
        "security[*].domestic_floor=0.4",
        "--format",
        "json",
    ];
    let want = stdout_ok(&margins(&ex, &base, d));
    let mut args = base.to_vec();
    args.extend([
        "--slurm",
        "--array-size",
        "3",
        "--wait",
        "--shard-dir",
        "remote",
    ]);
    let mut all = vec!["margins", ex.as_str(), "--entry"];
    all.extend(args);
    let o = Command::new(env!("CARGO_BIN_EXE_aistack"))
        .args(&all)
        .env("SLURM_CONF", &cluster.conf)
        .current_dir(d)
        .output()
        .unwrap();
    let got = stdout_ok(&o);
    let shards = std::fs::read_dir(d.join("remote"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "jsonl"))
        })
        .count();
    assert_eq!(shards, 3, "one shard file per array task");
    assert_eq!(
        got, want,
        "the Slurm run's merged JSON differs from the local run"
    );
    drop(cluster);
}
