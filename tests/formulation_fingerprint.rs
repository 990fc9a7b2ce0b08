//! The program that `formulation::build` writes, pinned by a fingerprint: every column (key,
//! bounds, objective, integrality) and every row (key, sense, right-hand side, terms) in order,
//! hashed bit for bit (FNV-1a over a canonical byte stream, stable across Rust versions).
//!
//! Guards speed work on the builder: an optimisation must leave the program IDENTICAL. The
//! fingerprints were taken with the builder as it was before the optimisation (commit e1931df)
//! on the fixed files in `tests/data/fingerprint/` under several switch sets. A deliberate change
//! of the formulation changes them: then update the constants in the same commit and say why.

use std::collections::HashSet;

use aistack::formulation::{self, BuildOptions, Group, Program, Sense};
use aistack::scenario::Scenario;

struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn bytes(&mut self, b: &[u8]) {
        for &x in b {
            self.0 ^= x as u64;
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn u64(&mut self, v: u64) {
        self.bytes(&v.to_le_bytes());
    }
    fn f64(&mut self, v: f64) {
        self.u64(v.to_bits());
    }
}

/// (columns, rows, nonzeros, hash).
type Print = (usize, usize, usize, u64);

fn fingerprint(p: &Program) -> Print {
    let mut h = Fnv::new();
    for c in &p.columns {
        h.bytes(format!("{:?}", c.var).as_bytes());
        h.f64(c.lower);
        h.f64(c.upper);
        h.f64(c.objective);
        h.u64(c.integer as u64);
    }
    let mut nonzeros = 0;
    for r in &p.rows {
        h.bytes(format!("{:?}", r.row).as_bytes());
        h.u64(match r.sense {
            Sense::Le => 1,
            Sense::Ge => 2,
            Sense::Eq => 3,
        });
        h.f64(r.rhs);
        for &(j, a) in &r.terms {
            h.u64(j as u64);
            h.f64(a);
            nonzeros += 1;
        }
    }
    (p.columns.len(), p.rows.len(), nonzeros, h.0)
}

fn load(name: &str) -> Scenario {
    Scenario::from_path(format!(
        "{}/tests/data/fingerprint/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap_or_else(|e| panic!("{e}"))
}

/// The switch sets: as in the file, relaxed, every agreement on, every agreement off, and the
/// analyses' changes (forced decisions, cut exports, extra deliveries, dropped groups).
fn variants(s: &Scenario) -> Vec<(&'static str, BuildOptions)> {
    let base = BuildOptions::from_file(s);
    let n = s.agreements.len();
    let mut analyses = base.clone();
    analyses.forced = vec![
        (0, 0, true),
        (1, 1, false),
        (s.countries.len() - 1, s.layers.len() - 1, false),
    ];
    analyses.cut_exports = vec![(0, s.layers.len() - 1), (1, 0)];
    analyses.extra_delivery = vec![(0, 0, 1, 2.5), (1, s.layers.len() - 1, s.n_periods(), -0.5)];
    analyses.dropped = HashSet::from([
        Group::TradeBlock { index: 0 },
        Group::Security {
            country: 0,
            layer: 0,
        },
        Group::Capacity {
            country: 1,
            layer: 1,
        },
    ]);
    vec![
        ("file", base.clone()),
        (
            "relax",
            BuildOptions {
                relax: true,
                ..base.clone()
            },
        ),
        (
            "all-on",
            BuildOptions {
                active: vec![true; n],
                ..base.clone()
            },
        ),
        (
            "all-off",
            BuildOptions {
                active: vec![false; n],
                ..base.clone()
            },
        ),
        ("analyses", analyses),
    ]
}

fn check(name: &str, expected: &[(&str, Print)]) {
    let s = load(name);
    let got: Vec<(&str, Print)> = variants(&s)
        .into_iter()
        .map(|(k, o)| (k, fingerprint(&formulation::build(&s, &o))))
        .collect();
    for ((k, g), (k2, e)) in got.iter().zip(expected) {
        assert_eq!(k, k2);
        assert_eq!(
            g, e,
            "{name} [{k}]: (columns, rows, nonzeros, hash) changed; all: {got:?}"
        );
    }
    assert_eq!(got.len(), expected.len(), "{got:?}");
}

#[test]
fn example_program_is_unchanged() {
    check(
        "example.toml",
        &[
            ("file", (160, 159, 531, 5133917935035434997)),
            ("relax", (160, 159, 531, 3920133342074631861)),
            ("all-on", (172, 168, 584, 1050599039964882148)),
            ("all-off", (160, 159, 531, 5133917935035434997)),
            ("analyses", (156, 157, 509, 47484753029959379)),
        ],
    );
}

#[test]
fn security_policy_program_is_unchanged() {
    check(
        "security-policy.toml",
        &[
            ("file", (16, 18, 52, 16221621270903492843)),
            ("relax", (16, 18, 52, 16221621270903492843)),
            ("all-on", (16, 14, 42, 17178321456080173668)),
            ("all-off", (16, 18, 52, 16221621270903492843)),
            ("analyses", (13, 12, 28, 18276862598894679916)),
        ],
    );
}

#[test]
fn generated_program_is_unchanged() {
    check(
        "generated-12.toml",
        &[
            ("file", (4347, 1783, 14839, 18204565146828374880)),
            ("relax", (4347, 1783, 14839, 8858849383205363311)),
            ("all-on", (4347, 1771, 14821, 8406050311276072597)),
            ("all-off", (4305, 1769, 14717, 2293352954404111736)),
            ("analyses", (4323, 1785, 14764, 7981391142485600920)),
        ],
    );
}
