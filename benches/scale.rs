//! Scale benchmark: time every stage of `aistack solve` on generated instances and report the
//! peak memory, one line per size (the figures in benches/README.md).
//!
//! ```text
//! cargo bench --features highs --bench scale -- --countries 20,60,190 --solver highs
//! cargo bench --bench scale -- --countries 20 --solver microlp
//! ```
//!
//! Options: `--countries LIST` (comma-separated, default 20), `--layers L` (10), `--periods T`
//! (3), `--seed S` (1), `--agreements K` (4), `--solver NAME` (highs when compiled in, else
//! microlp), `--mip` (keep the integer variables; default is the LP relaxation, `--relax`),
//! `--threads N`, `--time-limit SECONDS`, `--build-only` (stop after building).
//!
//! Stages, as in `results::solve` (the same library calls, timed one by one):
//! generate (text), parse + validate, build (`formulation::build`), solve (the backend on the
//! program), price (MIP: fix integers and re-solve the LP; then duals: from the backend, or the
//! explicit dual LP for backends without duals), report (`Report::new`: prices, welfare by
//! country, producer profits). Peak memory is the process's high-water mark (`VmHWM`) after
//! the size is done; run one size per process to read it per size.

use std::time::Instant;

use aistack::backend::{self, dual, Settings, Status};
use aistack::formulation::{self, BuildOptions};
use aistack::generate::{generate, GenerateOptions};
use aistack::results::{Outcome, Report, Solution};
use aistack::scenario::{Format, Scenario};

struct Args {
    countries: Vec<usize>,
    layers: usize,
    periods: usize,
    seed: u64,
    agreements: usize,
    solver: String,
    mip: bool,
    build_only: bool,
    settings: Settings,
}

fn parse_args() -> Args {
    let mut a = Args {
        countries: vec![20],
        layers: 10,
        periods: 3,
        seed: 1,
        agreements: 4,
        solver: if cfg!(feature = "highs") {
            "highs".into()
        } else {
            "microlp".into()
        },
        mip: false,
        build_only: false,
        settings: Settings::default(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--countries" => {
                a.countries = value()
                    .split(',')
                    .map(|v| v.trim().parse().expect("--countries"))
                    .collect()
            }
            "--layers" => a.layers = value().parse().expect("--layers"),
            "--periods" => a.periods = value().parse().expect("--periods"),
            "--seed" => a.seed = value().parse().expect("--seed"),
            "--agreements" => a.agreements = value().parse().expect("--agreements"),
            "--solver" => a.solver = value(),
            "--threads" => a.settings.threads = Some(value().parse().expect("--threads")),
            "--time-limit" => a.settings.time_limit = Some(value().parse().expect("--time-limit")),
            "--mip" => a.mip = true,
            "--relax" => a.mip = false,
            "--build-only" => a.build_only = true,
            // cargo bench passes --bench to harness = false targets.
            "--bench" => {}
            other => panic!("unknown option {other}"),
        }
    }
    a
}

/// Peak resident memory of this process so far, in MiB (Linux `VmHWM`).
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// CPU seconds used by this process so far (user + system, all threads; Linux `/proc`).
/// Wall-clock figures on a shared machine include waiting for a core; CPU time does not.
fn cpu_secs() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return f64::NAN;
    };
    // Fields after the command name (which is in parentheses and may contain spaces).
    let rest = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        f.get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    };
    // utime and stime are fields 14 and 15 of stat, i.e. 11 and 12 after the name; 100 Hz.
    (ticks(11) + ticks(12)) / 100.0
}

fn secs(t: Instant) -> f64 {
    t.elapsed().as_secs_f64()
}

fn main() {
    let a = parse_args();
    let backend = backend::by_name(&a.solver).unwrap_or_else(|| {
        panic!(
            "unknown solver {} (available: {})",
            a.solver,
            backend::available().join(", ")
        )
    });
    println!(
        "| countries | columns | rows | nonzeros | parse s | build s | solve s | price s | report s | total s | build share | build / solve CPU s | peak MiB | W |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for &n in &a.countries {
        let opts = GenerateOptions {
            countries: n,
            layers: a.layers,
            periods: a.periods,
            seed: a.seed,
            agreements: a.agreements,
        };
        let text = generate(&opts).expect("generate");

        let t = Instant::now();
        let s = Scenario::from_str(&text, Format::Toml, "generated.toml").expect("valid scenario");
        let parse = secs(t);

        let (t, c0) = (Instant::now(), cpu_secs());
        let build_opts = BuildOptions {
            relax: !a.mip,
            ..BuildOptions::from_file(&s)
        };
        let program = formulation::build(&s, &build_opts);
        let build = secs(t);
        let build_cpu = cpu_secs() - c0;
        let nonzeros: usize = program.rows.iter().map(|r| r.terms.len()).sum();
        if a.build_only {
            let peak = peak_rss_mib().map_or("-".into(), |m| format!("{m:.0}"));
            println!("| {n} | {} | {} | {nonzeros} | {parse:.2} | {build:.2} | - | - | - | - | - | {build_cpu:.2} / - | {peak} | - |", program.columns.len(), program.rows.len());
            continue;
        }

        let (t, c0) = (Instant::now(), cpu_secs());
        let raw = backend.solve(&program, &a.settings).expect("solve");
        let solve = secs(t);
        let solve_cpu = cpu_secs() - c0;
        if !raw.has_values() {
            println!("| {n} | {} | {} | {nonzeros} | {parse:.2} | {build:.2} | {solve:.2} | - | - | - | - | {build_cpu:.2} / {solve_cpu:.2} | - | {} |", program.columns.len(), program.rows.len(), raw.status);
            continue;
        }

        // Pricing, as results::solve does it.
        let t = Instant::now();
        let mip = program.is_mip();
        let (lp, lp_raw) = if mip {
            let lp = program.with_integers_fixed(&raw.values);
            let r = backend.solve(&lp, &a.settings).expect("pricing LP");
            (lp, r)
        } else {
            (program.clone(), raw.clone())
        };
        let values = if lp_raw.has_values() {
            lp_raw.values.clone()
        } else {
            raw.values.clone()
        };
        let (duals, dual_objective) = match lp_raw.duals.clone() {
            Some(d) => (d, f64::NAN),
            None => {
                let d = dual::solve_dual(&lp, &a.settings).expect("dual LP");
                (d.duals, d.objective)
            }
        };
        let objective = lp.objective_value(&values);
        let price = secs(t);

        let t = Instant::now();
        let outcome = Outcome {
            status: if raw.status == Status::Optimal {
                Status::Optimal
            } else {
                raw.status
            },
            backend: backend.name(),
            mip,
            relaxed: !a.mip,
            gap: raw.gap,
            program,
            solution: Some(Solution {
                objective,
                values,
                duals,
                dual_objective,
                // The backend's own duals (`--prices any`); canonical prices and ranges are
                // timed by benches/prices.rs.
                face: None,
                canonical_failed: None,
            }),
            checks: Default::default(),
            active: build_opts.active.clone(),
            scenario_warnings: Vec::new(),
        };
        let report = Report::new(&s, &outcome);
        let report_time = secs(t);
        let total = parse + build + solve + price + report_time;
        println!(
            "| {n} | {} | {} | {nonzeros} | {parse:.2} | {build:.2} | {solve:.2} | {price:.2} | {report_time:.2} | {total:.2} | {:.1}% | {build_cpu:.2} / {solve_cpu:.2} | {} | {:.4} |",
            outcome.program.columns.len(),
            outcome.program.rows.len(),
            100.0 * build / total,
            peak_rss_mib().map_or("-".into(), |m| format!("{m:.0}")),
            report.objective.unwrap_or(f64::NAN),
        );
    }
}
