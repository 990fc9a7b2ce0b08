//! `aistack sweep` (src/sweep): the sensitivity estimators on analytic functions, and sweeps of
//! the real binary that are interrupted, resumed and sharded by hand, all giving the same table.

use std::f64::consts::PI;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use aistack::sweep::sensitivity::{self, Sampler};

fn ishigami(x: &[f64]) -> f64 {
    let (a, b) = (7.0, 0.1);
    x[0].sin() + a * x[1].sin().powi(2) + b * x[2].powi(4) * x[0].sin()
}

/// Known indices of Ishigami (a = 7, b = 0.1): first (0.3139, 0.4424, 0), total
/// (0.5576, 0.4424, 0.2437).
fn ishigami_exact() -> ([f64; 3], [f64; 3]) {
    let (a, b) = (7.0f64, 0.1f64);
    let v1 = 0.5 * (1.0 + b * PI.powi(4) / 5.0).powi(2);
    let v2 = a * a / 8.0;
    let v13 = b * b * PI.powi(8) * (1.0 / 18.0 - 1.0 / 50.0);
    let v = v1 + v2 + v13;
    ([v1 / v, v2 / v, 0.0], [(v1 + v13) / v, v2 / v, v13 / v])
}

fn estimate(sampler: Sampler, n: usize, seed: u64) -> Vec<sensitivity::SobolIndex> {
    let (a, b, ab) = sensitivity::saltelli_design(sampler, n, 3, seed);
    let f = |m: &Vec<Vec<f64>>| -> Vec<f64> {
        m.iter()
            .map(|u| ishigami(&u.iter().map(|x| -PI + 2.0 * PI * x).collect::<Vec<_>>()))
            .collect()
    };
    let fab: Vec<Vec<f64>> = ab.iter().map(f).collect();
    sensitivity::saltelli_indices(&f(&a), &f(&b), &fab)
}

#[test]
fn ishigami_sobol_indices_within_sampling_error() {
    let (first, total) = ishigami_exact();
    assert!((first[0] - 0.3139).abs() < 1e-4 && (total[2] - 0.2437).abs() < 1e-4);
    // Quasi-random points converge fast; random ones within a few standard errors
    // (about 0.01 at n = 16384 for these estimators).
    for (sampler, n, tol) in [
        (Sampler::Sobol, 1 << 14, 0.02),
        (Sampler::Lhs, 1 << 14, 0.04),
        (Sampler::MonteCarlo, 1 << 14, 0.04),
    ] {
        let ix = estimate(sampler, n, 11);
        for i in 0..3 {
            assert!(
                (ix[i].first - first[i]).abs() < tol && (ix[i].total - total[i]).abs() < tol,
                "{sampler:?} parameter {}: estimated {:?}, exact first {} total {}",
                i + 1,
                ix[i],
                first[i],
                total[i]
            );
        }
    }
}

#[test]
fn tornado_of_a_linear_model_recovers_its_coefficients() {
    let coef = [3.0, -0.5, 0.0, 12.0];
    let base = [1.0, 2.0, 3.0, 0.5];
    let (lows, highs) = ([0.0, 1.0, 2.0, 0.3], [2.0, 5.0, 4.0, 0.9]);
    let f = |x: &[f64]| 4.0 + coef.iter().zip(x).map(|(c, x)| c * x).sum::<f64>();
    let names: Vec<String> = (1..=4).map(|i| format!("x{i}")).collect();
    let at = |i: usize, v: f64| {
        let mut x = base;
        x[i] = v;
        Some(f(&x))
    };
    let y_low: Vec<Option<f64>> = (0..4).map(|i| at(i, lows[i])).collect();
    let y_high: Vec<Option<f64>> = (0..4).map(|i| at(i, highs[i])).collect();
    let t = sensitivity::tornado(&names, &lows, &highs, &y_low, &y_high);
    for e in &t {
        let i: usize = e.parameter[1..].parse::<usize>().unwrap() - 1;
        assert!((e.slope.unwrap() - coef[i]).abs() < 1e-9, "{e:?}");
    }
    // Sorted by |effect|: x4 (7.2), x1 (6), x2 (2), x3 (0).
    let order: Vec<&str> = t.iter().map(|e| e.parameter.as_str()).collect();
    assert_eq!(order, ["x4", "x1", "x2", "x3"]);
    assert!(sensitivity::changes_sign(&[1.0, -2.0], 1e-9));
    assert!(!sensitivity::changes_sign(&[1.0, 0.0, 2.0], 1e-9));
}

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_aistack")
}

fn run(args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .output()
        .expect("binary runs")
}

fn example() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("instances/example.toml")
}

/// A 3 x 3 grid over two parameters of the example (9 points + 5 one-at-a-time points).
fn write_sweep(dir: &Path, out: &str) -> PathBuf {
    let file = dir.join(format!("{out}.toml"));
    std::fs::write(
        &file,
        format!(
            "scenario = {:?}\noutput = {out:?}\nset = [\"trade.default_cost=0.25\"]\n\
             metrics = [\"W\", \"welfare[KOR]\", \"price[USA/fab/1]\", \"capacity_built[IND/models]\"]\n\n\
             [[parameter]]\npath = \"security[*].domestic_floor\"\nrange = [0.1, 0.5]\nsteps = 3\n\n\
             [[parameter]]\npath = \"capability[KOR/memory].capacity\"\nvalues = [20, 50, 180]\n",
            example().display().to_string()
        ),
    )
    .unwrap();
    file
}

/// results.csv without its timing column.
fn table(dir: &Path, out: &str) -> String {
    let text = std::fs::read_to_string(dir.join(out).join("results.csv")).expect("results.csv");
    text.lines()
        .map(|l| l.rsplit_once(',').map_or(l, |(a, _)| a).to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

fn ok(o: &Output) {
    assert!(
        o.status.success(),
        "exit {:?}\n{}\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn interrupted_resumed_and_sharded_sweeps_give_the_uninterrupted_table() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let full = write_sweep(d, "full");
    let o = run(&["sweep", full.to_str().unwrap(), "--jobs", "2"]);
    ok(&o);
    let summary = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(summary.contains("sign change"), "{summary}");
    let reference = table(d, "full");
    assert_eq!(
        reference.lines().count(),
        1 + 14 * 4,
        "header + 14 points x 4 metrics"
    );
    assert!(reference.starts_with(
        "point,role,security[*].domestic_floor,capability[KOR/memory].capacity,metric,value,status"
    ));

    // Stopped after 5 points, with a line cut by the kill; then resumed.
    let cut = write_sweep(d, "cut");
    ok(&run(&["sweep", cut.to_str().unwrap(), "--stop-after", "5"]));
    assert!(
        !d.join("cut/results.csv").exists(),
        "no table before every point is done"
    );
    let points = d.join("cut/points.jsonl");
    let mut text = std::fs::read_to_string(&points).unwrap();
    assert_eq!(text.lines().count(), 6, "header + 5 points");
    text.push_str("{\"point\":9,\"role\":\"gr");
    std::fs::write(&points, text).unwrap();
    let o = run(&["sweep", cut.to_str().unwrap()]);
    ok(&o);
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("9 computed"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(table(d, "cut"), reference);

    // Killed for real part way, then resumed.
    let killed = write_sweep(d, "killed");
    let mut child = Command::new(bin())
        .args(["sweep", killed.to_str().unwrap(), "--jobs", "1"])
        .stderr(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let kp = d.join("killed/points.jsonl");
    for _ in 0..2000 {
        let n = std::fs::read_to_string(&kp).map_or(0, |t| t.lines().count());
        if n >= 3 || child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let _ = child.kill();
    let _ = child.wait();
    ok(&run(&["sweep", killed.to_str().unwrap()]));
    assert_eq!(table(d, "killed"), reference);

    // Shards run by hand, then merged.
    let sharded = write_sweep(d, "sharded");
    let s = sharded.to_str().unwrap();
    let o = run(&["sweep", s, "--merge"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "merging before the shards ran: incomplete"
    );
    for k in 1..=3 {
        ok(&run(&["sweep", s, "--shard", &format!("{k}/3")]));
    }
    ok(&run(&["sweep", s, "--merge"]));
    assert_eq!(table(d, "sharded"), reference);
    let a = std::fs::read_to_string(d.join("full/summary.json")).unwrap();
    let b = std::fs::read_to_string(d.join("sharded/summary.json")).unwrap();
    assert_eq!(a.replace("full", "X"), b.replace("sharded", "X"));
}

#[test]
fn sampled_sweep_reports_sobol_indices_and_bad_files_are_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let file = d.join("s.toml");
    std::fs::write(
        &file,
        format!(
            "scenario = {:?}\ndesign = \"sobol\"\nsamples = 8\nseed = 3\nmetrics = [\"W\"]\n\
             [[parameter]]\npath = \"demand[USA/apps].growth\"\nrange = [1.0, 1.3]\n\
             [[parameter]]\npath = \"trade.default_cost\"\nrange = [0.1, 0.4]\n",
            example().display().to_string()
        ),
    )
    .unwrap();
    let o = run(&["sweep", file.to_str().unwrap(), "--format", "json"]);
    ok(&o);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["points"], 8 * 4 + 5);
    let m = &v["metrics"][0];
    assert_eq!(m["metric"], "W");
    assert!(m["sensitivity"][0]["first"].is_number(), "{m}");
    assert!(m["sensitivity_method"]
        .as_str()
        .unwrap()
        .contains("Saltelli"));

    for (body, wanted) in [
        (
            "[[parameter]]\npath = \"security[*].domestic_flor\"\nvalues = [0.1]\n",
            "did you mean \"domestic_floor\"",
        ),
        (
            "[[parameter]]\npath = \"layer[fabb].trade_cost\"\nvalues = [0.1]\n",
            "did you mean \"fab\"",
        ),
        (
            "[[parameter]]\npath = \"trade.default_cost\"\nvalues = [0.1]\nstep = 2\n",
            "unknown field `step`",
        ),
    ] {
        std::fs::write(
            &file,
            format!(
                "scenario = {:?}\nmetrics = [\"W\"]\n{body}",
                example().display().to_string()
            ),
        )
        .unwrap();
        let o = run(&["sweep", file.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(wanted), "{err}");
    }
    std::fs::write(
        &file,
        format!(
            "scenario = {:?}\nmetrics = [\"welfare[KRO]\"]\n[[parameter]]\npath = \"trade.default_cost\"\nvalues = [0.1]\n",
            example().display().to_string()
        ),
    )
    .unwrap();
    let o = run(&["sweep", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("did you mean \"KOR\""));
}
