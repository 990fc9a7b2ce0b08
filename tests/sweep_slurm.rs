//! `aistack sweep --slurm` on a real single-node Slurm cluster (`../shared/tools/slurm`):
//! submit a small sweep as a job array plus a dependent merge job, wait, and compare the merged
//! table with a local run byte for byte (except the timing column).
//!
//! Skipped, with the reason printed, only when the cluster cannot be started (no start.sh, or
//! Slurm cannot be installed, e.g. not root). Set AISTACK_SLURM_TOOLS to use another start.sh.

use std::path::{Path, PathBuf};
use std::process::Command;

mod slurm_cluster;
use slurm_cluster::Cluster;

fn table(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .map(|l| l.rsplit_once(',').map_or(l, |(a, _)| a).to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn slurm_job_array_matches_the_local_run() {
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

    let example = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("instances/example.toml");
    let write = |name: &str| {
        let f = d.join(format!("{name}.toml"));
        std::fs::write(
            &f,
            format!(
                "scenario = {:?}\noutput = {name:?}\nmetrics = [\"W\", \"welfare[IND]\", \"price[KOR/memory/1]\"]\n\
                 [[parameter]]\npath = \"security[*].domestic_floor\"\nvalues = [0.1, 0.3, 0.5]\n\
                 [[parameter]]\npath = \"demand[IND/*].growth\"\nvalues = [1.0, 1.3]\n",
                example.display().to_string()
            ),
        )
        .unwrap();
        f
    };
    let local = write("local");
    let o = Command::new(env!("CARGO_BIN_EXE_aistack"))
        .args(["sweep", local.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let remote = write("remote");
    let o = Command::new(env!("CARGO_BIN_EXE_aistack"))
        .args([
            "sweep",
            remote.to_str().unwrap(),
            "--slurm",
            "--array-size",
            "3",
            "--wait",
        ])
        .env("SLURM_CONF", &conf)
        .current_dir(d)
        .output()
        .unwrap();
    let log = std::fs::read_to_string(d.join("remote/slurm/merge.out")).unwrap_or_default();
    assert!(
        o.status.success(),
        "{}\n{}\nmerge.out:\n{log}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let shards = std::fs::read_dir(d.join("remote/shards")).unwrap().count();
    assert_eq!(shards, 3, "one points file per array task");
    assert_eq!(
        table(&d.join("remote/results.csv")),
        table(&d.join("local/results.csv"))
    );
    drop(cluster);
}
