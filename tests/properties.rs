//! Properties of the program on random small scenarios (2-3 countries, 2-3 layers, 1-2 periods,
//! random costs, capacities, expansions, entry costs, minimum scales, demand blocks, trade costs,
//! one security policy and one inactive agreement), written as TOML text and read through the
//! same validation as a user's file:
//!
//! - lowering a security floor never lowers W (a weaker row);
//! - adding capacity never lowers W;
//! - the LP relaxation is never below the MIP;
//! - activating an agreement with only trade_cost_factor and mutual_recognition clauses never
//!   lowers W (it only removes costs and opens routes);
//! - the LP relaxation satisfies the welfare identity and strong duality (a wrong dual breaks
//!   it).
//!
//! Comparisons use a 1e-6 relative tolerance, and the MIP solves a 1e-9 gap so that the solver's
//! own gap cannot fake a violation. Case counts are modest so that the file runs in seconds.

mod common;

use std::fmt::Write;

use aistack::backend::{self, Settings, Status};
use aistack::formulation::{self, BuildOptions};
use aistack::scenario::Scenario;
use proptest::prelude::*;
use proptest::test_runner::Config;

const CASES: u32 = 32;

#[derive(Debug, Clone)]
struct Cap {
    unit_cost: f64,
    capacity: f64,
    max_expansion: f64,
    expansion_cost: f64,
    lead_time: usize,
    entry_cost: f64,
    min_scale: f64,
}

#[derive(Debug, Clone)]
struct Dem {
    blocks: Vec<(f64, f64)>,
    growth: f64,
}

#[derive(Debug, Clone)]
struct Policy {
    country: usize,
    layer: usize,
    floor: f64,
    share: Option<f64>,
    n_minus_1: Option<(f64, f64)>,
}

#[derive(Debug, Clone)]
struct Pact {
    /// Member mask over countries (at least two set, enforced when written).
    members: Vec<bool>,
    factor_layers: Vec<bool>,
    factor: f64,
    recognition_layers: Vec<bool>,
}

#[derive(Debug, Clone)]
struct Spec {
    nc: usize,
    nl: usize,
    nt: usize,
    discount_rate: f64,
    default_cost: f64,
    /// Units of layer 0 per unit of layer 1 (when there are two layers or more).
    input: f64,
    tradable: Vec<bool>,
    interop: Vec<f64>,
    /// Slot c * 3 + l.
    caps: Vec<Option<Cap>>,
    demands: Vec<Option<Dem>>,
    policy: Policy,
    pact: Pact,
}

/// k * step for k in lo..=hi.
fn steps(lo: u32, hi: u32, step: f64) -> impl Strategy<Value = f64> {
    (lo..=hi).prop_map(move |k| k as f64 * step)
}

fn cap() -> impl Strategy<Value = Option<Cap>> {
    let c = (
        steps(2, 16, 0.25),                                  // unit cost 0.5 .. 4
        prop_oneof![Just(0.0), steps(2, 20, 1.0)],           // capacity
        prop_oneof![Just(0.0), steps(2, 15, 1.0)],           // max expansion
        steps(1, 8, 0.25),                                   // expansion cost
        0usize..=1,                                          // lead time
        prop_oneof![2 => Just(0.0), 1 => steps(1, 12, 0.5)], // entry cost
        prop_oneof![3 => Just(0.0), 1 => steps(1, 4, 1.0)],  // min scale
    )
        .prop_map(
            |(
                unit_cost,
                capacity,
                max_expansion,
                expansion_cost,
                lead_time,
                entry_cost,
                min_scale,
            )| Cap {
                unit_cost,
                capacity,
                max_expansion,
                expansion_cost,
                lead_time,
                entry_cost,
                min_scale,
            },
        );
    prop::option::weighted(0.7, c)
}

fn dem() -> impl Strategy<Value = Option<Dem>> {
    let d = (
        prop::collection::vec((steps(1, 12, 1.0), steps(2, 20, 0.5)), 1..=2),
        prop_oneof![Just(1.0), Just(1.1), Just(0.9)],
    )
        .prop_map(|(blocks, growth)| Dem { blocks, growth });
    prop::option::weighted(0.6, d)
}

fn policy() -> impl Strategy<Value = Policy> {
    (
        0usize..3,
        0usize..3,
        steps(0, 10, 0.1),
        prop::option::of(steps(3, 10, 0.1)),
        prop::option::of((steps(3, 10, 0.1), steps(0, 4, 0.25))),
    )
        .prop_map(|(country, layer, floor, share, n_minus_1)| Policy {
            country,
            layer,
            floor,
            share,
            n_minus_1,
        })
}

fn pact() -> impl Strategy<Value = Pact> {
    (
        prop::collection::vec(any::<bool>(), 3),
        prop::collection::vec(any::<bool>(), 3),
        steps(0, 4, 0.25),
        prop::collection::vec(any::<bool>(), 3),
    )
        .prop_map(
            |(members, factor_layers, factor, recognition_layers)| Pact {
                members,
                factor_layers,
                factor,
                recognition_layers,
            },
        )
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        (2usize..=3, 2usize..=3, 1usize..=2),
        prop_oneof![Just(0.0), Just(0.05), Just(0.1)],
        steps(0, 6, 0.25),
        steps(0, 8, 0.1),
        prop::collection::vec(prop::bool::weighted(0.8), 3),
        prop::collection::vec(prop_oneof![2 => Just(0.0), 1 => steps(1, 4, 0.25)], 3),
        prop::collection::vec(cap(), 9),
        prop::collection::vec(dem(), 9),
        policy(),
        pact(),
    )
        .prop_map(
            |(
                (nc, nl, nt),
                discount_rate,
                default_cost,
                input,
                tradable,
                interop,
                caps,
                demands,
                mut policy,
                pact,
            )| {
                policy.country %= nc;
                policy.layer %= nl;
                Spec {
                    nc,
                    nl,
                    nt,
                    discount_rate,
                    default_cost,
                    input,
                    tradable,
                    interop,
                    caps,
                    demands,
                    policy,
                    pact,
                }
            },
        )
}

impl Spec {
    fn slot(&self, c: usize, l: usize) -> usize {
        c * 3 + l
    }

    /// The scenario as a TOML file.
    fn toml(&self) -> String {
        let mut t = String::new();
        let cid = |c: usize| format!("C{c}");
        let lid = |l: usize| format!("L{l}");
        writeln!(
            t,
            "[meta]\nname = \"random\"\nperiods = {}\ndiscount_rate = {}\n",
            self.nt, self.discount_rate
        )
        .unwrap();
        writeln!(t, "[trade]\ndefault_cost = {}\n", self.default_cost).unwrap();
        for l in 0..self.nl {
            writeln!(
                t,
                "[[layer]]\nid = \"{}\"\ntradable = {}\ninterop_cost = {}",
                lid(l),
                self.tradable[l],
                self.interop[l]
            )
            .unwrap();
            if l == 1 && self.input > 0.0 {
                writeln!(t, "inputs = {{ L0 = {} }}", self.input).unwrap();
            }
            t.push('\n');
        }
        for c in 0..self.nc {
            writeln!(t, "[[country]]\nid = \"{}\"\n", cid(c)).unwrap();
        }
        for c in 0..self.nc {
            for l in 0..self.nl {
                if let Some(k) = &self.caps[self.slot(c, l)] {
                    writeln!(
                        t,
                        "[[capability]]\ncountry = \"{}\"\nlayer = \"{}\"\nunit_cost = {}\ncapacity = {}\nmax_expansion = {}\nexpansion_cost = {}\nlead_time = {}\nmin_scale = {}",
                        cid(c),
                        lid(l),
                        k.unit_cost,
                        k.capacity,
                        k.max_expansion,
                        k.expansion_cost,
                        k.lead_time,
                        k.min_scale
                    )
                    .unwrap();
                    // Entry costs only apply to a capability that starts without capacity.
                    if k.capacity == 0.0 && k.entry_cost > 0.0 {
                        writeln!(t, "entry_cost = {}", k.entry_cost).unwrap();
                    }
                    t.push('\n');
                }
                if let Some(d) = &self.demands[self.slot(c, l)] {
                    let blocks: Vec<String> = d
                        .blocks
                        .iter()
                        .map(|(q, v)| format!("{{ quantity = {q}, value = {v} }}"))
                        .collect();
                    writeln!(
                        t,
                        "[[demand]]\ncountry = \"{}\"\nlayer = \"{}\"\nblocks = [{}]\ngrowth = {}\n",
                        cid(c),
                        lid(l),
                        blocks.join(", "),
                        d.growth
                    )
                    .unwrap();
                }
            }
        }
        let p = &self.policy;
        writeln!(
            t,
            "[[security]]\ncountry = \"{}\"\nlayer = \"{}\"\ndomestic_floor = {}",
            cid(p.country),
            lid(p.layer),
            p.floor
        )
        .unwrap();
        if let Some(mu) = p.share {
            writeln!(t, "max_supplier_share = {mu}").unwrap();
        }
        if let Some((phi, rho)) = p.n_minus_1 {
            writeln!(t, "n_minus_1 = {phi}\nreserve_cost = {rho}").unwrap();
        }
        t.push('\n');

        // The agreement: at least two members; each clause lists at least one layer.
        let mut members: Vec<usize> = (0..self.nc).filter(|&c| self.pact.members[c]).collect();
        for c in 0..self.nc {
            if members.len() < 2 && !members.contains(&c) {
                members.push(c);
            }
        }
        members.sort();
        let names: Vec<String> = members.iter().map(|&c| format!("\"{}\"", cid(c))).collect();
        writeln!(
            t,
            "[[agreement]]\nid = \"pact\"\nmembers = [{}]\nactive = false\n",
            names.join(", ")
        )
        .unwrap();
        let layers = |mask: &[bool]| {
            let mut v: Vec<String> = (0..self.nl)
                .filter(|&l| mask[l])
                .map(|l| format!("\"{}\"", lid(l)))
                .collect();
            if v.is_empty() {
                v.push(format!("\"{}\"", lid(self.nl - 1)));
            }
            v.join(", ")
        };
        writeln!(
            t,
            "[[agreement.clause]]\nkind = \"trade_cost_factor\"\nlayers = [{}]\nfactor = {}\n",
            layers(&self.pact.factor_layers),
            self.pact.factor
        )
        .unwrap();
        writeln!(
            t,
            "[[agreement.clause]]\nkind = \"mutual_recognition\"\nlayers = [{}]\n",
            layers(&self.pact.recognition_layers)
        )
        .unwrap();
        t
    }

    fn scenario(&self) -> Scenario {
        let text = self.toml();
        match Scenario::from_str(&text, aistack::scenario::Format::Toml, "random.toml") {
            Ok(s) => s,
            Err(e) => panic!("generated scenario is invalid: {e}\n{text}"),
        }
    }
}

/// W* under `opts` (objective only, no pricing), with a tight MIP gap. Every generated scenario
/// is feasible (no essential demand, so serving nothing satisfies every row).
fn w(s: &Scenario, opts: &BuildOptions) -> f64 {
    let program = formulation::build(s, opts);
    let settings = Settings {
        mip_gap: 1e-9,
        time_limit: Some(60.0),
        ..Settings::default()
    };
    let raw = backend::by_name("microlp")
        .expect("microlp")
        .solve(&program, &settings)
        .expect("backend failure");
    assert_eq!(raw.status, Status::Optimal, "not optimal");
    raw.objective
}

fn tol(a: f64, b: f64) -> f64 {
    1e-6 * a.abs().max(b.abs()).max(1.0)
}

fn config() -> Config {
    // A fixed seed: CI runs the same cases every time (a random seed made these tests flaky
    // wherever a rare case failed). Vary PROPTEST_RNG_SEED by hand to explore further.
    Config {
        cases: CASES,
        failure_persistence: None,
        rng_seed: proptest::test_runner::RngSeed::Fixed(
            std::env::var("PROPTEST_RNG_SEED")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(2026),
        ),
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn lowering_a_floor_never_lowers_w(spec in spec(), fraction in steps(0, 9, 0.1)) {
        let high = spec.scenario();
        let mut lower = spec.clone();
        lower.policy.floor = (spec.policy.floor * fraction * 100.0).round() / 100.0;
        let low = lower.scenario();
        let (w_high, w_low) = (w(&high, &BuildOptions::from_file(&high)), w(&low, &BuildOptions::from_file(&low)));
        prop_assert!(
            w_low >= w_high - tol(w_low, w_high),
            "floor {} -> {}: W {w_high} -> {w_low}\n{}", spec.policy.floor, lower.policy.floor, spec.toml()
        );
    }

    #[test]
    fn adding_capacity_never_lowers_w(spec in spec(), pick in 0usize..9, extra in steps(1, 20, 1.0)) {
        let base = spec.scenario();
        // The pick-th existing capability (cycling), among those of the countries and layers used.
        let slots: Vec<usize> = (0..spec.nc)
            .flat_map(|c| (0..spec.nl).map(move |l| c * 3 + l))
            .filter(|&k| spec.caps[k].is_some())
            .collect();
        prop_assume!(!slots.is_empty());
        let k = slots[pick % slots.len()];
        let mut more = spec.clone();
        let cap = more.caps[k].as_mut().unwrap();
        cap.capacity += extra;
        let bigger = more.scenario();
        let (w0, w1) = (w(&base, &BuildOptions::from_file(&base)), w(&bigger, &BuildOptions::from_file(&bigger)));
        prop_assert!(w1 >= w0 - tol(w0, w1), "capacity +{extra} in slot {k}: W {w0} -> {w1}\n{}", spec.toml());
    }

    #[test]
    fn relaxation_is_never_below_the_mip(spec in spec(), active in any::<bool>()) {
        let s = spec.scenario();
        let opts = BuildOptions { active: vec![active], ..BuildOptions::from_file(&s) };
        let mip = w(&s, &opts);
        let lp = w(&s, &BuildOptions { relax: true, ..opts.clone() });
        prop_assert!(lp >= mip - tol(lp, mip), "LP {lp} < MIP {mip}\n{}", spec.toml());
    }

    #[test]
    fn trade_facilitation_never_lowers_w(spec in spec()) {
        let s = spec.scenario();
        let off = w(&s, &BuildOptions { active: vec![false], ..BuildOptions::from_file(&s) });
        let on = w(&s, &BuildOptions { active: vec![true], ..BuildOptions::from_file(&s) });
        prop_assert!(on >= off - tol(on, off), "activating the pact: W {off} -> {on}\n{}", spec.toml());
    }

    #[test]
    fn relaxation_satisfies_welfare_identity_and_strong_duality(spec in spec(), active in any::<bool>()) {
        let s = spec.scenario();
        let opts = BuildOptions { active: vec![active], relax: true, ..BuildOptions::from_file(&s) };
        let (o, r) = common::solve_with(&s, &opts);
        prop_assert!(o.is_optimal(), "status {}\n{}", o.status, spec.toml());
        let w = r.objective.unwrap();
        let sum: f64 = r.welfare.iter().map(|x| x.total).sum();
        prop_assert!((sum - w).abs() <= 1e-6 * w.abs().max(1.0), "welfare identity: {sum} vs {w}\n{}", spec.toml());
        let gap = r.duality_gap.unwrap();
        prop_assert!(gap <= 1e-6, "duality gap {gap}\n{}", spec.toml());
        for p in &r.prices {
            prop_assert!(p.price >= -1e-7, "negative price {p:?}\n{}", spec.toml());
        }
    }
}

proptest! {
    #![proptest_config(config())]

    /// Restricted pricing of the MIP (integers fixed, LP re-solved, duals of that LP) must satisfy
    /// the same identities. Regression (fixed): in about 1 random scenario in 200 (and in every capability
    /// ladder, see tests/instances.rs `upgrade_path_solves`) the dual LP of the fixed-integer
    /// program never finishes with microlp, because src/backend/dual.rs turns each fixed column
    /// into a free dual variable. A time limit makes that a failure here instead of a hang.
    #[test]
        fn mip_pricing_satisfies_welfare_identity_and_strong_duality(spec in spec(), active in any::<bool>()) {
        let s = spec.scenario();
        let opts = BuildOptions { active: vec![active], ..BuildOptions::from_file(&s) };
        let config = aistack::results::SolveConfig {
            settings: Settings { time_limit: Some(10.0), ..Settings::default() },
            ..Default::default()
        };
        let o = aistack::results::solve(&s, &opts, &config).map_err(|e| TestCaseError::fail(format!("{e}\n{}", spec.toml())))?;
        prop_assert!(o.is_optimal(), "status {}\n{}", o.status, spec.toml());
        let r = aistack::Report::new(&s, &o);
        let w = r.objective.unwrap();
        let sum: f64 = r.welfare.iter().map(|x| x.total).sum();
        prop_assert!((sum - w).abs() <= 1e-6 * w.abs().max(1.0), "welfare identity: {sum} vs {w}\n{}", spec.toml());
        prop_assert!(r.duality_gap.unwrap() <= 1e-6, "duality gap {:?}\n{}", r.duality_gap, spec.toml());
    }
}

/// A random scenario (no ladder: a minimum scale and an entry cost) on which the dual LP of the
/// fixed-integer pricing program never finishes; found by the property above.
#[test]
fn mip_pricing_terminates_on_recorded_case() {
    let s = common::scenario(RECORDED_HANG);
    let opts = BuildOptions {
        active: vec![false],
        ..BuildOptions::from_file(&s)
    };
    let config = aistack::results::SolveConfig {
        settings: Settings {
            time_limit: Some(10.0),
            ..Settings::default()
        },
        ..Default::default()
    };
    let o = aistack::results::solve(&s, &opts, &config).unwrap_or_else(|e| panic!("{e}"));
    assert!(o.is_optimal());
    common::assert_identities(&aistack::Report::new(&s, &o));
}

const RECORDED_HANG: &str = r#"
[meta]
name = "random"
periods = 1
discount_rate = 0.05

[trade]
default_cost = 0.25

[[layer]]
id = "L0"
tradable = true
interop_cost = 0

[[layer]]
id = "L1"
tradable = true
interop_cost = 1
inputs = { L0 = 0.8 }

[[layer]]
id = "L2"
tradable = true
interop_cost = 0

[[country]]
id = "C0"

[[country]]
id = "C1"

[[country]]
id = "C2"

[[capability]]
country = "C0"
layer = "L0"
unit_cost = 0.75
capacity = 0
max_expansion = 11
expansion_cost = 1.25
lead_time = 0
min_scale = 0

[[capability]]
country = "C0"
layer = "L2"
unit_cost = 0.5
capacity = 13
max_expansion = 0
expansion_cost = 2
lead_time = 1
min_scale = 4

[[demand]]
country = "C1"
layer = "L0"
blocks = [{ quantity = 5, value = 5 }]
growth = 0.9

[[demand]]
country = "C1"
layer = "L1"
blocks = [{ quantity = 9, value = 3 }]
growth = 1

[[capability]]
country = "C1"
layer = "L2"
unit_cost = 0.75
capacity = 0
max_expansion = 2
expansion_cost = 1.75
lead_time = 0
min_scale = 4
entry_cost = 1

[[demand]]
country = "C1"
layer = "L2"
blocks = [{ quantity = 12, value = 7.5 }]
growth = 1

[[demand]]
country = "C2"
layer = "L0"
blocks = [{ quantity = 11, value = 7 }]
growth = 1.1

[[capability]]
country = "C2"
layer = "L1"
unit_cost = 1.75
capacity = 16
max_expansion = 0
expansion_cost = 1.5
lead_time = 1
min_scale = 0

[[demand]]
country = "C2"
layer = "L1"
blocks = [{ quantity = 1, value = 8.5 }, { quantity = 9, value = 6.5 }]
growth = 1

[[capability]]
country = "C2"
layer = "L2"
unit_cost = 2.75
capacity = 0
max_expansion = 14
expansion_cost = 1
lead_time = 1
min_scale = 0

[[demand]]
country = "C2"
layer = "L2"
blocks = [{ quantity = 10, value = 7 }, { quantity = 6, value = 2 }]
growth = 1.1

[[security]]
country = "C0"
layer = "L2"
domestic_floor = 0.1
max_supplier_share = 0.7

[[agreement]]
id = "pact"
members = ["C0", "C1"]
active = false

[[agreement.clause]]
kind = "trade_cost_factor"
layers = ["L0", "L1"]
factor = 0

[[agreement.clause]]
kind = "mutual_recognition"
layers = ["L0", "L2"]
"#;
