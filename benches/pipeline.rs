//! Criterion benchmarks of the solve pipeline's stages (see benches/README.md):
//! parse + validate, build, solve (a small instance), and price extraction.
//!
//! ```text
//! cargo bench --bench pipeline                     # microlp
//! cargo bench --features highs --bench pipeline    # adds the HiGHS cases
//! ```

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion};

use aistack::backend::{self, dual, Settings};
use aistack::formulation::{self, BuildOptions};
use aistack::generate::{generate, GenerateOptions};
use aistack::results::{self, Report, SolveConfig};
use aistack::scenario::{Format, Scenario};

fn text(countries: usize) -> String {
    generate(&GenerateOptions {
        countries,
        layers: 10,
        periods: 3,
        seed: 1,
        agreements: 4,
    })
    .expect("generate")
}

fn scenario(text: &str) -> Scenario {
    Scenario::from_str(text, Format::Toml, "generated.toml").expect("valid")
}

fn example() -> Scenario {
    Scenario::from_path(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/instances/example.toml"
    ))
    .expect("valid")
}

fn backends() -> Vec<&'static str> {
    backend::available()
}

fn parse_validate(c: &mut Criterion) {
    let mut g = c.benchmark_group("parse_validate");
    for n in [20, 60] {
        let t = text(n);
        g.bench_with_input(BenchmarkId::from_parameter(n), &t, |b, t| {
            b.iter(|| scenario(black_box(t)))
        });
    }
    g.finish();
}

fn build(c: &mut Criterion) {
    let mut g = c.benchmark_group("build");
    g.sample_size(20);
    for n in [20, 60] {
        let s = scenario(&text(n));
        let opts = BuildOptions {
            relax: true,
            ..BuildOptions::from_file(&s)
        };
        g.bench_with_input(BenchmarkId::from_parameter(n), &s, |b, s| {
            b.iter(|| formulation::build(black_box(s), &opts))
        });
    }
    g.finish();
}

fn solve(c: &mut Criterion) {
    let mut g = c.benchmark_group("solve");
    g.sample_size(10);
    let ex = example();
    let small = scenario(&text(8));
    for name in backends() {
        let config = SolveConfig {
            backend: name.into(),
            settings: Settings::default(),
            ..SolveConfig::default()
        };
        // The example MIP end to end (MIP, fix, re-solve, duals).
        g.bench_function(BenchmarkId::new("example_mip", name), |b| {
            b.iter(|| results::solve(&ex, &BuildOptions::from_file(&ex), &config).expect("solve"))
        });
        // The backend alone on a generated LP (8 countries, relaxed).
        let p = formulation::build(
            &small,
            &BuildOptions {
                relax: true,
                ..BuildOptions::from_file(&small)
            },
        );
        let be = backend::by_name(name).expect("backend");
        g.bench_function(BenchmarkId::new("generated8_lp", name), |b| {
            b.iter(|| {
                be.solve(black_box(&p), &Settings::default())
                    .expect("solve")
            })
        });
    }
    g.finish();
}

fn price(c: &mut Criterion) {
    let mut g = c.benchmark_group("price");
    g.sample_size(10);
    let s = scenario(&text(8));
    let opts = BuildOptions {
        relax: true,
        ..BuildOptions::from_file(&s)
    };
    let outcome = results::solve(&s, &opts, &SolveConfig::default()).expect("solve");
    // Prices, rents, producer profits and welfare by country from a solved outcome.
    g.bench_function("report_8", |b| {
        b.iter(|| Report::new(black_box(&s), &outcome))
    });
    let s20 = scenario(&text(20));
    let o20 = results::solve(
        &s20,
        &BuildOptions {
            relax: true,
            ..BuildOptions::from_file(&s20)
        },
        &SolveConfig::default(),
    )
    .expect("solve");
    g.bench_function("report_20", |b| {
        b.iter(|| Report::new(black_box(&s20), &o20))
    });
    // Duals for a backend without them (microlp): the explicit dual LP.
    g.bench_function("dual_lp_microlp_8", |b| {
        b.iter(|| {
            dual::solve_dual(black_box(&outcome.program), &Settings::default()).expect("dual")
        })
    });
    g.finish();
}

criterion_group!(benches, parse_validate, build, solve, price);
criterion_main!(benches);
