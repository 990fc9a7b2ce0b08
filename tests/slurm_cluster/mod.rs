//! A real single-node Slurm cluster for the tests that submit job arrays
//! (`../shared/tools/slurm`, or AISTACK_SLURM_TOOLS): started on free loopback ports under a
//! test's temporary directory, stopped when dropped, pass or fail.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

fn tools() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("AISTACK_SLURM_TOOLS") {
        return Some(PathBuf::from(p));
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    [
        root.join("../shared/tools/slurm"),
        PathBuf::from("/work/shared/tools/slurm"),
    ]
    .into_iter()
    .find(|p| p.join("start.sh").exists())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_or(16817, |a| a.port())
}

pub struct Cluster {
    tools: PathBuf,
    env: Vec<(String, String)>,
    /// The cluster's slurm.conf (for SLURM_CONF).
    pub conf: PathBuf,
}

impl Cluster {
    /// Start a cluster under `dir`; `Err` holds the reason to print when the test is skipped
    /// (no start.sh, or Slurm cannot be installed).
    pub fn start(dir: &Path) -> Result<Cluster, String> {
        let tools = tools()
            .ok_or("no ../shared/tools/slurm/start.sh (set AISTACK_SLURM_TOOLS)".to_string())?;
        let env = vec![
            (
                "SLURMTEST_DIR".to_string(),
                dir.join("slurm").display().to_string(),
            ),
            ("SLURMTEST_CTLD_PORT".to_string(), free_port().to_string()),
            ("SLURMTEST_SLURMD_PORT".to_string(), free_port().to_string()),
        ];
        let start = Command::new("bash")
            .arg(tools.join("start.sh"))
            .envs(env.iter().map(|(k, v)| (k, v)))
            .output()
            .expect("bash runs");
        // Built before the check, so a half-started cluster is stopped too.
        let cluster = Cluster {
            tools,
            env,
            conf: dir.join("slurm/etc/slurm.conf"),
        };
        if start.status.success() {
            Ok(cluster)
        } else {
            Err(format!(
                "the Slurm test cluster did not start: {}",
                String::from_utf8_lossy(&start.stderr).trim()
            ))
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(self.tools.join("stop.sh"))
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .output();
    }
}
