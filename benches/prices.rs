//! What canonical prices and welfare ranges cost (MODEL.md 12), as a share of the solve: the
//! figures in benches/README.md.
//!
//! ```text
//! cargo bench --bench prices
//! cargo bench --features highs --bench prices -- --solver highs --countries 20,60
//! ```
//!
//! For each case (the world instances, then generated LPs of `--countries`, 10 layers, 3
//! periods): the backend's solve of the program; "any" prices (the backend's duals, or the
//! explicit dual LP for microlp); the canonical prices (complementary-slackness face and its
//! least-norm point by Clarabel); the welfare ranges (two LPs per country over the face).

use std::time::Instant;

use aistack::backend::{self, dual, Settings};
use aistack::formulation::{self, BuildOptions};
use aistack::generate::{generate, GenerateOptions};
use aistack::results::face::Face;
use aistack::results::ranges::{range_of, welfare_forms};
use aistack::scenario::{Format, Scenario};

fn main() {
    let mut solver = "microlp".to_string();
    let mut countries = vec![20usize, 60];
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--solver" => solver = it.next().expect("--solver NAME"),
            "--countries" => {
                countries = it
                    .next()
                    .expect("--countries LIST")
                    .split(',')
                    .map(|v| v.parse().expect("--countries"))
                    .collect()
            }
            "--bench" => {}
            other => panic!("unknown option {other}"),
        }
    }
    let backend = backend::by_name(&solver).expect("backend");
    let root = env!("CARGO_MANIFEST_DIR");
    let mut cases: Vec<(String, Scenario, bool)> = Vec::new();
    for name in [
        "world-2026.toml",
        "world-2026-sovereign.toml",
        "world-2026-coordinated.toml",
    ] {
        let s = Scenario::from_path(format!("{root}/instances/{name}")).expect("instance");
        cases.push((name.to_string(), s, false));
    }
    for n in countries {
        let text = generate(&GenerateOptions {
            countries: n,
            layers: 10,
            periods: 3,
            seed: 1,
            agreements: 4,
        })
        .expect("generate");
        let s = Scenario::from_str(&text, Format::Toml, "generated.toml").expect("valid");
        cases.push((format!("generated {n} countries (LP)"), s, true));
    }
    println!("Backend: {solver}");
    println!("| case | rows | solve s | any prices s | canonical s | ranges s | canonical / solve | ranges / solve |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    let settings = Settings::default();
    for (name, s, relax) in cases {
        let opts = BuildOptions {
            relax,
            ..BuildOptions::from_file(&s)
        };
        let program = formulation::build(&s, &opts);
        let t = Instant::now();
        let raw = backend.solve(&program, &settings).expect("solve");
        let lp = if program.is_mip() {
            program.with_integers_fixed(&raw.values)
        } else {
            program.clone()
        };
        let lp_raw = if program.is_mip() {
            backend.solve(&lp, &settings).expect("pricing LP")
        } else {
            raw.clone()
        };
        let solve = t.elapsed().as_secs_f64();
        let t = Instant::now();
        if lp_raw.duals.is_none() {
            dual::solve_dual(&lp, &settings).expect("dual LP");
        }
        let any = t.elapsed().as_secs_f64();
        let objective = lp.objective_value(&lp_raw.values);
        let weights: Vec<f64> = (0..lp.rows.len()).map(|r| lp.norm_weight(r)).collect();
        let t = Instant::now();
        let (face, _) = Face::canonical(&lp, &lp_raw.values, objective, &weights).expect("face");
        let canonical = t.elapsed().as_secs_f64();
        let t = Instant::now();
        for f in welfare_forms(&s, &lp, &lp_raw.values) {
            range_of(&face, &f).expect("range");
        }
        let ranges = t.elapsed().as_secs_f64();
        println!(
            "| {name} | {} | {solve:.3} | {any:.3} | {canonical:.3} | {ranges:.3} | {:.2} | {:.2} |",
            lp.rows.len(),
            canonical / solve,
            ranges / solve
        );
    }
}
