//! Outcomes benchmark (issue 11 item 6): build and solve the world (instances/world-2026.toml)
//! with k outcomes on one backend, one line per k: columns, rows, nonzeros, build and solve
//! seconds, or "did not finish in N s" when the solve (with pricing) passes the time limit.
//! The figures are in benches/README.md.
//!
//! ```text
//! cargo bench --bench outcomes -- --outcomes 1,5,20,50 --solver microlp --time-limit 120
//! cargo bench --features highs --bench outcomes -- --outcomes 1,5,20,50 --solver highs
//! ```
//!
//! Outcome j of k has probability 1/k and scales compute demand in the USA, CHN and the EU by
//! 0.8 + 0.5 j / k and blocks TWN's fab exports in every fifth outcome, so the outcomes differ.
//! The solve runs on a worker thread and is abandoned (not awaited) at the limit, whatever the
//! backend does with its own limit; the process then exits.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use aistack::formulation::{self, BuildOptions};
use aistack::results::{self, Report, SolveConfig};
use aistack::scenario::{Format, Scenario};

fn world_with_outcomes(world: &str, k: usize) -> String {
    let mut t = world.to_string();
    t.push_str("\n[uncertainty]\n");
    for j in 0..k {
        let f = 0.8 + 0.5 * j as f64 / k as f64;
        let block = if j % 5 == 4 {
            ", { kind = \"block\", from = \"TWN\", layers = [\"fab\"] }"
        } else {
            ""
        };
        t.push_str(&format!(
            "\n[[uncertainty.outcome]]\nid = \"o{j}\"\nprobability = {}\neffects = [\
             {{ kind = \"demand\", country = \"USA\", layer = \"compute\", factor = {f} }}, \
             {{ kind = \"demand\", country = \"CHN\", layer = \"compute\", factor = {f} }}, \
             {{ kind = \"demand\", country = \"EU\", layer = \"compute\", factor = {f} }}{block}]\n",
            1.0 / k as f64
        ));
    }
    t
}

fn main() {
    let mut outcomes = vec![1, 5, 20, 50];
    let mut solver = "microlp".to_string();
    let mut limit = 120.0;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--outcomes" => {
                outcomes = args
                    .next()
                    .expect("--outcomes LIST")
                    .split(',')
                    .map(|x| x.parse().expect("a number of outcomes"))
                    .collect()
            }
            "--solver" => solver = args.next().expect("--solver NAME"),
            "--time-limit" => {
                limit = args
                    .next()
                    .expect("--time-limit SECONDS")
                    .parse()
                    .expect("seconds")
            }
            _ => {} // cargo bench passes --bench
        }
    }
    let world = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("instances/world-2026.toml"),
    )
    .expect("instances/world-2026.toml");
    println!(
        "| outcomes | columns | rows | nonzeros | build s | solve + price s | status | E[W] |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---|---:|");
    for k in outcomes {
        let text = world_with_outcomes(&world, k);
        let s = Scenario::from_str(&text, Format::Toml, "world-outcomes.toml").expect("valid");
        let t0 = Instant::now();
        let program = formulation::build(&s, &BuildOptions::from_file(&s));
        let build = t0.elapsed().as_secs_f64();
        let (cols, rows) = (program.columns.len(), program.rows.len());
        let nnz: usize = program.rows.iter().map(|r| r.terms.len()).sum();
        let mut config = SolveConfig {
            backend: solver.clone(),
            ..SolveConfig::default()
        };
        config.settings.time_limit = Some(limit);
        let (tx, rx) = mpsc::channel();
        let s2 = s.clone();
        let t1 = Instant::now();
        std::thread::spawn(move || {
            let o = results::solve_program(program, &config);
            let _ = tx.send(o.map(|o| {
                let r = Report::new(&s2, &o);
                (
                    o.status.to_string(),
                    r.stochastic.map(|x| x.expected_welfare),
                )
            }));
        });
        match rx.recv_timeout(Duration::from_secs_f64(limit)) {
            Ok(Ok((status, ew))) => println!(
                "| {k} | {cols} | {rows} | {nnz} | {build:.3} | {:.2} | {status} | {} |",
                t1.elapsed().as_secs_f64(),
                ew.map_or("-".into(), |w| format!("{w:.2}"))
            ),
            Ok(Err(e)) => {
                println!("| {k} | {cols} | {rows} | {nnz} | {build:.3} | - | error: {e} | - |")
            }
            Err(_) => {
                println!(
                    "| {k} | {cols} | {rows} | {nnz} | {build:.3} | - | did not finish in {limit} s | - |"
                );
                // The worker cannot be stopped: leave, larger sizes would not finish either.
                std::process::exit(0);
            }
        }
    }
}
