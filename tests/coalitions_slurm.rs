//! `coalitions --shard K/N` + `--merge`, by hand and as a Slurm job array on a real single-node
//! cluster (`../shared/tools/slurm`): the merged game equals the local run's (Shapley values,
//! least core, every coalition value, to 1e-9).
//!
//! The Slurm test is skipped, with the reason printed, only when the cluster cannot be started
//! (no start.sh, or Slurm cannot be installed). Set AISTACK_SLURM_TOOLS to use another start.sh.

use std::path::{Path, PathBuf};
use std::process::Command;

mod slurm_cluster;
use slurm_cluster::Cluster;

use serde_json::Value;

fn example() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("instances/example.toml")
        .display()
        .to_string()
}

fn aistack(args: &[&str], dir: &Path) -> (bool, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_aistack"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stdout).to_string(),
        String::from_utf8_lossy(&o.stderr).to_string(),
    )
}

/// Equal JSON, numbers within 1e-9 (relative to 1 or their size).
fn assert_same(a: &Value, b: &Value, at: &str) {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            assert!((x - y).abs() <= 1e-9 * x.abs().max(1.0), "{at}: {x} != {y}");
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "{at}: lengths differ");
            for (i, (x, y)) in x.iter().zip(y).enumerate() {
                assert_same(x, y, &format!("{at}[{i}]"));
            }
        }
        (Value::Object(x), Value::Object(y)) => {
            let kx: Vec<&String> = x.keys().collect();
            let ky: Vec<&String> = y.keys().collect();
            assert_eq!(kx, ky, "{at}: keys differ");
            for (k, v) in x {
                assert_same(v, &y[k], &format!("{at}.{k}"));
            }
        }
        _ => assert_eq!(a, b, "{at}"),
    }
}

fn local(args: &[&str], dir: &Path) -> Value {
    let mut all = vec!["coalitions"];
    all.extend_from_slice(args);
    all.extend(["--format", "json"]);
    let (ok, out, err) = aistack(&all, dir);
    assert!(ok, "{err}");
    serde_json::from_str(&out).unwrap()
}

fn check_players(v: &Value) {
    // The parts the brief names, explicitly (assert_same covers them too).
    assert!(v["players"].as_array().is_some_and(|p| !p.is_empty()));
    assert!(v["least_core"]["epsilon"].is_number());
    assert!(v["values"].as_array().is_some_and(|p| !p.is_empty()));
}

#[test]
fn shards_by_hand_merge_into_the_local_game() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ex = example();
    for extra in [vec![], vec!["--samples", "6", "--seed", "3"]] {
        let mut base = vec![ex.as_str(), "--agreement", "chip-alliance"];
        base.extend(extra.iter().copied());
        let want = local(&base, d);
        let sd = d.join(format!("shards-{}", extra.len()));
        let sd = sd.to_str().unwrap();
        for k in 1..=3 {
            let shard = format!("{k}/3");
            let mut args = vec!["coalitions"];
            args.extend(base.iter().copied());
            args.extend(["--shard", shard.as_str(), "--shard-dir", sd]);
            let (ok, _, err) = aistack(&args, d);
            assert!(ok, "{err}");
        }
        let mut args = base.clone();
        args.extend(["--merge", "--shard-dir", sd]);
        let got = local(&args, d);
        check_players(&got);
        assert_same(&got, &want, "game");
    }
    // A missing shard: exit 1, naming what is missing.
    let sd = d.join("partial");
    let sd = sd.to_str().unwrap();
    let (ok, _, err) = aistack(
        &[
            "coalitions",
            &ex,
            "--agreement",
            "chip-alliance",
            "--shard",
            "1/3",
            "--shard-dir",
            sd,
        ],
        d,
    );
    assert!(ok, "{err}");
    let o = Command::new(env!("CARGO_BIN_EXE_aistack"))
        .args([
            "coalitions",
            &ex,
            "--agreement",
            "chip-alliance",
            "--merge",
            "--shard-dir",
            sd,
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("have no result yet"));
    // Another request's shards are never mixed in: exit 2.
    let o = Command::new(env!("CARGO_BIN_EXE_aistack"))
        .args([
            "coalitions",
            &ex,
            "--agreement",
            "chip-alliance",
            "--merge",
            "--shard-dir",
            sd,
            "--set",
            "security[*].domestic_floor=0.2",
        ])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn slurm_coalitions_match_the_local_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cluster = match Cluster::start(d) {
        Ok(c) => c,
        Err(reason) => {
            println!("skipped: {reason}");
            return;
        }
    };
    let conf = cluster.conf.clone();
    let ex = example();
    let base = [
        ex.as_str(),
        "--agreement",
        "chip-alliance",
        "--set",
        "security[*].domestic_floor=0.4",
    ];
    let want = local(&base, d);
    let mut args = vec!["coalitions"];
    args.extend(base);
    args.extend([
        "--format",
        "json",
        "--slurm",
        "--array-size",
        "3",
        "--wait",
        "--shard-dir",
        "remote",
    ]);
    let o = Command::new(env!("CARGO_BIN_EXE_aistack"))
        .args(&args)
        .env("SLURM_CONF", &conf)
        .current_dir(d)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let shards = std::fs::read_dir(d.join("remote"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "jsonl"))
        })
        .count();
    assert_eq!(shards, 3, "one shard file per array task");
    let got: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "merge output is not JSON ({e}): {}",
            String::from_utf8_lossy(&o.stdout)
        )
    });
    check_players(&got);
    assert_same(&got, &want, "game");
    drop(cluster);
}
