//! Issue 10: cost curves, learning by doing, technology transfer, capacity over time, security
//! bases and soft floors (MODEL.md 2, 3, 5.8, 6, 11, 13.1-13.6). Each hand-solved case has its
//! derivation in the comment above the test.

mod common;

use aistack::formulation::{self, BuildOptions, Var};
use aistack::results::{self, SolveConfig, View};
use aistack::scenario::{Format, Scenario};
use approx::assert_relative_eq;
use common::*;

const TOL: f64 = 1e-6;

/// One country, one layer, constant capacity 100; `{CAP}` is replaced by extra capability
/// fields and `{DEMAND}` by the demand blocks.
const CURVE: &str = r#"
[meta]
name = "curve"
periods = {PERIODS}
[[layer]]
id = "chip"
[[country]]
id = "A"
[[capability]]
country = "A"
layer = "chip"
unit_cost = 5.0
capacity = 100
{CAP}
[[demand]]
country = "A"
layer = "chip"
blocks = {DEMAND}
"#;

fn curve(periods: usize, cap: &str, demand: &str) -> String {
    CURVE
        .replace("{PERIODS}", &periods.to_string())
        .replace("{CAP}", cap)
        .replace("{DEMAND}", demand)
}

fn problems(text: &str) -> Vec<String> {
    match Scenario::from_str(text, Format::Toml, "t.toml") {
        Ok(_) => Vec::new(),
        Err(e) => e.problems().iter().map(|p| p.to_string()).collect(),
    }
}

fn warnings(text: &str) -> Vec<String> {
    let s = scenario(text);
    formulation::warnings(&s, &BuildOptions::from_file(&s))
}

fn value(s: &Scenario, o: &results::Outcome, v: Var) -> f64 {
    View::new(s, o).expect("solved").value(v)
}

// =============================================================================================
// Cost curves (MODEL.md 11.1, 13.6)
// =============================================================================================

/// A one-segment curve is a constant unit cost capped at `up_to`: up_to = 8, u_1 = 1, demand 5
/// at 3: W = 5 (3 - 1) = 10, λ = 1 (as without a curve), no binary. Demand 10: output capped
/// at 8, W = 8 (3 - 1) = 16, and λ = 3 (the value of the demand left unserved).
#[test]
fn one_segment_curve_is_linear() {
    let cap = "cost_curve = [{ up_to = 8, unit_cost = 1 }]";
    let (_, o, r) = solve(&curve(1, cap, "[{ quantity = 5, value = 3.0 }]").replace("5.0", "1.0"));
    assert!(!o.mip);
    assert_relative_eq!(r.objective.unwrap(), 10.0, epsilon = TOL);
    assert_relative_eq!(price(&r, "A", "chip", 1), 1.0, epsilon = TOL);
    assert_identities(&r);
    let (_, _, r) = solve(&curve(1, cap, "[{ quantity = 10, value = 3.0 }]").replace("5.0", "1.0"));
    assert_relative_eq!(r.objective.unwrap(), 16.0, epsilon = TOL);
    assert_relative_eq!(production(&r, "A", "chip", 1), 8.0, epsilon = TOL);
    assert_relative_eq!(price(&r, "A", "chip", 1), 3.0, epsilon = TOL);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    assert_identities(&r);
}

const TWO_SEGMENTS: &str =
    "cost_curve = [{ up_to = 4, unit_cost = 5 }, { up_to = 20, unit_cost = 1 }]";

/// Two segments: the first 4 units cost 5 each, the next 16 cost 1. Demand 4 at 6 and 8 at 3.
/// Stopping at 4: 4 (6 - 5) = 4. Going on to 12: 24 + 24 - (20 + 8) = 20, the best (every unit
/// of the second segment earns 3 - 1). The fill is p_1 = 4, p_2 = 8. The price is away from
/// the breakpoints: one more unit delivered saves one unit of the second segment, λ = 1, and
/// the finite difference of W agrees.
#[test]
fn two_segment_curve_second_segment_worth_reaching() {
    let text = curve(
        1,
        TWO_SEGMENTS,
        "[{ quantity = 4, value = 6.0 }, { quantity = 8, value = 3.0 }]",
    );
    let (s, o, r) = solve(&text);
    assert!(o.mip);
    assert_relative_eq!(r.objective.unwrap(), 20.0, epsilon = TOL);
    let seg = |j| Var::Segment {
        country: 0,
        layer: 0,
        period: 1,
        segment: j,
    };
    assert_relative_eq!(value(&s, &o, seg(0)), 4.0, epsilon = TOL);
    assert_relative_eq!(value(&s, &o, seg(1)), 8.0, epsilon = TOL);
    assert_relative_eq!(price(&r, "A", "chip", 1), 1.0, epsilon = TOL);
    // Producer profit uses the curve: 12 λ - (4*5 + 8*1) = 12 - 28 = -16 (an uplift: the
    // marginal price does not pay for the expensive first units).
    assert_relative_eq!(r.producers[0].profit, -16.0, epsilon = TOL);
    assert_relative_eq!(r.producers[0].uplift_total, 16.0, epsilon = TOL);
    assert_identities(&r);
    let mut opts = BuildOptions::from_file(&s);
    opts.extra_delivery.push((0, 0, 1, 1.0));
    assert_relative_eq!(objective(&s, &opts) - 20.0, 1.0, epsilon = TOL);
    opts.extra_delivery[0].3 = -1.0;
    assert_relative_eq!(20.0 - objective(&s, &opts), 1.0, epsilon = TOL);
}

/// The second block is worth 0.9 < 1 per unit: going past 4 would earn 0.9 - 1 per unit, and
/// reaching 12 without the first block is no better. W = 4 (6 - 5) = 4, output 4 = the first
/// breakpoint. Whether the solver set w_2 (p_1 = 4 is full, p_2 = 0) or not, restricted pricing
/// fixes w_2 = 0 (13.6): the pricing LP's w_2 is 0.
#[test]
fn two_segment_curve_second_segment_not_worth_reaching() {
    let text = curve(
        1,
        TWO_SEGMENTS,
        "[{ quantity = 4, value = 6.0 }, { quantity = 8, value = 0.9 }]",
    );
    let (s, o, r) = solve(&text);
    assert_relative_eq!(r.objective.unwrap(), 4.0, epsilon = TOL);
    assert_relative_eq!(production(&r, "A", "chip", 1), 4.0, epsilon = TOL);
    let w2 = Var::SegmentOn {
        country: 0,
        layer: 0,
        period: 1,
        segment: 1,
    };
    assert_eq!(value(&s, &o, w2), 0.0);
    assert_identities(&r);
}

/// Brute force (13.6): every pattern of the segment binaries of a three-segment curve over two
/// periods, solved as an LP with the binaries fixed; the best equals the MIP.
#[test]
fn curve_mip_equals_brute_force_over_binaries() {
    let cap = "cost_curve = [{ up_to = 3, unit_cost = 6 }, { up_to = 7, unit_cost = 3 }, { up_to = 15, unit_cost = 0.5 }]\ncost_trend = 0.9";
    let demand = "[{ quantity = 3, value = 7.0 }, { quantity = 5, value = 2.5 }, { quantity = 9, value = 0.8 }]\ngrowth = 1.3";
    let s = scenario(&curve(2, cap, demand));
    let opts = BuildOptions::from_file(&s);
    let program = formulation::build(&s, &opts);
    let mip = results::solve_program(program.clone(), &SolveConfig::default()).unwrap();
    let binaries: Vec<usize> = (0..program.columns.len())
        .filter(|&j| program.columns[j].integer)
        .collect();
    assert_eq!(binaries.len(), 4);
    let mut best = f64::NEG_INFINITY;
    for mask in 0..(1u32 << binaries.len()) {
        let mut p = program.clone();
        for (k, &j) in binaries.iter().enumerate() {
            let v = f64::from((mask >> k) & 1);
            p.columns[j].lower = v;
            p.columns[j].upper = v;
            p.columns[j].integer = false;
        }
        let o = results::solve_program(p, &SolveConfig::default()).unwrap();
        if let Some(w) = o.objective().filter(|_| o.is_optimal()) {
            best = best.max(w);
        }
    }
    assert_relative_eq!(mip.objective().unwrap(), best, epsilon = 1e-7);
    // --relax relaxes the segment binaries too, and bounds the MIP from above.
    let relaxed = results::solve(
        &s,
        &BuildOptions {
            relax: true,
            ..opts
        },
        &SolveConfig::default(),
    )
    .unwrap();
    assert!(!relaxed.mip && relaxed.relaxed);
    assert!(relaxed.objective().unwrap() >= best - 1e-7);
}

// =============================================================================================
// Learning (MODEL.md 11.2, 13.5, 13.6)
// =============================================================================================

fn learning_case(segments: usize, value: f64) -> String {
    curve(
        2,
        &format!(
            "learning = {{ progress_ratio = 0.5, experience = 10, max_experience = 40, segments = {segments} }}"
        ),
        &format!("[{{ quantity = 10, value = {value} }}]"),
    )
    .replace("unit_cost = 5.0", "unit_cost = 4.0")
}

/// J = 1, u = 4, P = 0.5 (b = 1), E_0 = 10, E_max = 40: TC(E) = u E_0 ln(E/E_0) = 40 ln(E/10),
/// one segment from 10 to 40 with slope s_1 = 40 ln 4 / 30 = 1.848392. A constant unit cost:
/// demand 10 at 3 in both periods is served, W = 20 (3 - s_1) = 23.03216, λ = s_1 in both.
/// Experience 20 then 30; unit cost of the next unit 4 (20/10)^-1 = 2, then 4/3.
#[test]
fn learning_one_segment_is_linear() {
    let s1 = 40.0 * 4f64.ln() / 30.0;
    let (_, o, r) = solve(&learning_case(1, 3.0));
    assert!(!o.mip);
    assert_relative_eq!(r.objective.unwrap(), 20.0 * (3.0 - s1), epsilon = TOL);
    assert_relative_eq!(price(&r, "A", "chip", 1), s1, epsilon = TOL);
    assert_relative_eq!(price(&r, "A", "chip", 2), s1, epsilon = TOL);
    let e: Vec<f64> = r.learning.iter().map(|x| x.experience).collect();
    let u: Vec<f64> = r.learning.iter().map(|x| x.unit_cost).collect();
    assert_eq!(e, vec![20.0, 30.0]);
    assert_relative_eq!(u[0], 2.0, epsilon = 1e-12);
    assert_relative_eq!(u[1], 4.0 / 3.0, epsilon = 1e-12);
    assert_identities(&r);
}

/// J = 2: breakpoints g = 10, 20, 40 (g_j = 10 * 4^(j/2)); TC(20) = 40 ln 2 = 27.72589,
/// TC(40) = 40 ln 4: slopes s_1 = 27.72589/10 = 2.772589, s_2 = 27.72589/20 = 1.386294.
/// Demand 10 at 2.5 in each period. Producing in one period only costs 10 s_1 = 27.73 > 25
/// (a loss); producing in both costs 10 s_1 + 10 s_2 = 41.58883 < 50. So the plan produces
/// early at a loss (period 1 units cost 2.77 > 2.5) to make period 2 cheap:
/// W = 50 - 41.58883 = 8.41117. With no discounting the cost is TC at E_2 = 30, inside the
/// second segment, so both prices are s_2 (one unit delivered free in either period saves one
/// unit of the second segment), and finite differences agree. The producer earns
/// 20 s_2 - 41.58883 = -13.86294 (the uplift of learning).
#[test]
fn learning_two_segments_produces_early_at_a_loss() {
    let s1 = 40.0 * 2f64.ln() / 10.0;
    let s2 = 40.0 * 2f64.ln() / 20.0;
    let text = learning_case(2, 2.5);
    let (s, o, r) = solve(&text);
    assert!(o.mip);
    let w = 50.0 - 10.0 * s1 - 10.0 * s2;
    assert_relative_eq!(r.objective.unwrap(), w, epsilon = TOL);
    assert_relative_eq!(production(&r, "A", "chip", 1), 10.0, epsilon = TOL);
    assert_relative_eq!(production(&r, "A", "chip", 2), 10.0, epsilon = TOL);
    for t in [1, 2] {
        assert_relative_eq!(price(&r, "A", "chip", t), s2, epsilon = TOL);
        let mut opts = BuildOptions::from_file(&s);
        opts.extra_delivery.push((0, 0, t, 1.0));
        assert_relative_eq!(objective(&s, &opts) - w, s2, epsilon = TOL);
        opts.extra_delivery[0].3 = -1.0;
        assert_relative_eq!(w - objective(&s, &opts), s2, epsilon = TOL);
    }
    assert_relative_eq!(
        r.producers[0].profit,
        20.0 * s2 - 10.0 * (s1 + s2),
        epsilon = TOL
    );
    let e: Vec<f64> = r.learning.iter().map(|x| x.experience).collect();
    assert_eq!(e, vec![20.0, 30.0]);
    // Fills at the end of period 2: the first segment full (10), the second holding 10.
    let fill = |t, j| Var::Fill {
        country: 0,
        layer: 0,
        period: t,
        segment: j,
    };
    assert_relative_eq!(value(&s, &o, fill(2, 0)), 10.0, epsilon = TOL);
    assert_relative_eq!(value(&s, &o, fill(2, 1)), 10.0, epsilon = TOL);
    assert_relative_eq!(value(&s, &o, fill(1, 1)), 0.0, epsilon = TOL);
    assert_identities(&r);
    // Producing only once is worse than not at all: value 2.5 in period 2 only.
    let one = text.replacen("periods = 2", "periods = 1", 1);
    let (_, _, r1) = solve(&one);
    assert_relative_eq!(r1.objective.unwrap(), 0.0, epsilon = TOL);
}

/// Discounting and cost_trend weight each period's cost: with δ_2 = 1/1.1 and cost_trend 0.8,
/// J = 1 (slope s_1 as above), demand 10 at 3 in both periods: cost = s_1 (10 + 10 δ_2 0.8),
/// W = 30 (1 + δ_2) - cost. λ_2 in period-2 money = s_1 * 0.8.
#[test]
fn learning_with_discount_and_cost_trend() {
    let s1 = 40.0 * 4f64.ln() / 30.0;
    let text = learning_case(1, 3.0)
        .replace("periods = 2", "periods = 2\ndiscount_rate = 0.1")
        .replace("capacity = 100", "capacity = 100\ncost_trend = 0.8");
    let (_, _, r) = solve(&text);
    let d2 = 1.0 / 1.1;
    let w = 30.0 * (1.0 + d2) - s1 * (10.0 + 10.0 * d2 * 0.8);
    assert_relative_eq!(r.objective.unwrap(), w, epsilon = TOL);
    assert_relative_eq!(price(&r, "A", "chip", 2), s1 * 0.8, epsilon = TOL);
    assert_identities(&r);
}

/// Brute force over the fill binaries of a learning curve (J = 3, three periods): every
/// pattern as an LP; the best equals the MIP.
#[test]
fn learning_mip_equals_brute_force_over_binaries() {
    let text = curve(
        3,
        "learning = { progress_ratio = 0.7, experience = 5, max_experience = 60, segments = 3 }",
        "[{ quantity = 6, value = 4.0 }, { quantity = 6, value = 2.0 }]\ngrowth = 1.5",
    );
    let s = scenario(&text);
    let program = formulation::build(&s, &BuildOptions::from_file(&s));
    let mip = results::solve_program(program.clone(), &SolveConfig::default()).unwrap();
    let binaries: Vec<usize> = (0..program.columns.len())
        .filter(|&j| program.columns[j].integer)
        .collect();
    assert_eq!(binaries.len(), 6);
    let mut best = f64::NEG_INFINITY;
    for mask in 0..(1u32 << binaries.len()) {
        let mut p = program.clone();
        for (k, &j) in binaries.iter().enumerate() {
            let v = f64::from((mask >> k) & 1);
            p.columns[j].lower = v;
            p.columns[j].upper = v;
            p.columns[j].integer = false;
        }
        let o = results::solve_program(p, &SolveConfig::default()).unwrap();
        if let Some(w) = o.objective().filter(|_| o.is_optimal()) {
            best = best.max(w);
        }
    }
    assert_relative_eq!(mip.objective().unwrap(), best, epsilon = 1e-7);
}

// =============================================================================================
// Technology transfer (MODEL.md 6, 13.5)
// =============================================================================================

/// B wants 10 chips at 10. A makes them at 2 (no learning: it neither gives nor gets
/// experience). B learns: u = 4, P = 0.5, E_0 = 10, E_max = 30, J = 1: slope
/// 40 ln 3 / 20 = 2.197 > 2, so B imports: W = 10 (10 - 2) = 80. C holds E_0 = 20 on the same
/// layer but cannot produce (capacity 0). The agreement of B and C transfers half of the
/// other's experience: E_0'(B) = 10 + 0.5 * 20 = 20, E_0'(C) = 20 + 0.5 * 10 = 25. B's single
/// segment now runs 20 -> 30 with slope 40 ln 1.5 / 10 = 1.62186 < 2: B makes its own chips,
/// W = 10 (10 - 1.62186) = 83.78139. The starting unit cost of B falls to 4 (20/10)^-1 = 2
/// (the unit cost keeps the original E_0), and at the horizon B's next unit costs 4/3 < 2.
const TRANSFER: &str = r#"
[meta]
name = "transfer"
[[layer]]
id = "chip"
[[country]]
id = "A"
[[country]]
id = "B"
[[country]]
id = "C"
[[capability]]
country = "A"
layer = "chip"
unit_cost = 2.0
capacity = 100
[[capability]]
country = "B"
layer = "chip"
unit_cost = 4.0
capacity = 100
learning = { progress_ratio = 0.5, experience = 10, max_experience = 30, segments = 1 }
[[capability]]
country = "C"
layer = "chip"
unit_cost = 1.0
learning = { progress_ratio = 0.5, experience = 20, max_experience = 100, segments = 1 }
[[demand]]
country = "B"
layer = "chip"
blocks = [{ quantity = 10, value = 10.0 }]
[[agreement]]
id = "tt"
members = ["B", "C"]
active = false
[[agreement.clause]]
kind = "technology_transfer"
layers = ["chip"]
share = 0.5
"#;

#[test]
fn technology_transfer_flips_who_produces() {
    let s = scenario(TRANSFER);
    assert_eq!(s.starting_experience(1, 0, &[false]), Some(10.0));
    assert_eq!(s.starting_experience(1, 0, &[true]), Some(20.0));
    assert_eq!(s.starting_experience(2, 0, &[true]), Some(25.0));
    assert_eq!(s.starting_experience(0, 0, &[true]), None);
    let (_, r) = solve_with(&s, &BuildOptions::from_file(&s));
    assert_relative_eq!(r.objective.unwrap(), 80.0, epsilon = TOL);
    assert_relative_eq!(flow(&r, "A", "B", "chip", 1), 10.0, epsilon = TOL);
    assert_identities(&r);
    let on = BuildOptions {
        active: vec![true],
        ..Default::default()
    };
    let (_, r) = solve_with(&s, &on);
    let slope = 40.0 * 1.5f64.ln() / 10.0;
    assert_relative_eq!(r.objective.unwrap(), 10.0 * (10.0 - slope), epsilon = TOL);
    assert_relative_eq!(production(&r, "B", "chip", 1), 10.0, epsilon = TOL);
    let b = r.learning.iter().find(|x| x.country == "B").unwrap();
    assert_relative_eq!(b.experience, 30.0, epsilon = TOL);
    assert_relative_eq!(b.unit_cost, 4.0 / 3.0, epsilon = 1e-9);
    assert_identities(&r);
}

/// E_0' >= E_max: the capability can produce nothing, with a warning (13.5). C's own E_0 = 20
/// raised by 5 * 10 = 50 to 70 < 100: no warning; share 1 and B's E_0 = 85 would give 105.
#[test]
fn technology_transfer_past_max_experience_warns_and_produces_nothing() {
    let text = TRANSFER
        .replace("active = false", "active = true")
        .replace(
            "experience = 10, max_experience = 30",
            "experience = 85, max_experience = 90",
        )
        .replace("share = 0.5", "share = 1.0");
    let w = warnings(&text);
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(
        w[0].starts_with("capability B/chip: starting experience 105"),
        "{w:?}"
    );
    assert!(
        w[1].starts_with("capability C/chip: starting experience 105"),
        "{w:?}"
    );
    let (_, _, r) = solve(&text);
    assert_relative_eq!(production(&r, "B", "chip", 1), 0.0, epsilon = TOL);
    assert_eq!(r.warnings.len(), 2);
    assert_identities(&r);
}

// =============================================================================================
// Capacity over time (MODEL.md 3, 13.1)
// =============================================================================================

/// capacity_trend 0.5: capacity 10, 5, 2.5 in three periods; demand 10 at 3, cost 1:
/// W = (10 + 5 + 2.5) * 2 = 35; capacity binds below demand in periods 2 and 3, where
/// λ = 3 and the rent is 3 - 1 = 2.
#[test]
fn capacity_trend_retires_existing_capacity() {
    let text = curve(
        3,
        "capacity_trend = 0.5",
        "[{ quantity = 10, value = 3.0 }]",
    )
    .replace("capacity = 100", "capacity = 10")
    .replace("unit_cost = 5.0", "unit_cost = 1.0");
    let (_, _, r) = solve(&text);
    assert_relative_eq!(r.objective.unwrap(), 35.0, epsilon = TOL);
    for (t, q) in [(1, 10.0), (2, 5.0), (3, 2.5)] {
        assert_relative_eq!(production(&r, "A", "chip", t), q, epsilon = TOL);
    }
    assert_relative_eq!(price(&r, "A", "chip", 3), 3.0, epsilon = TOL);
    let rent = r.capacity_rents.iter().find(|x| x.period == 2).unwrap();
    assert_relative_eq!(rent.rent, 2.0, epsilon = TOL);
    assert_identities(&r);
}

/// No existing capacity; up to 10 units of capacity in total at 1 per unit, unit cost 1,
/// demand 10 at 3 in each of three periods. Without a lifetime, 10 built in period 1 serve
/// all three periods: W = 30 * 2 - 10 = 50. Lifetime 2: a unit serves two periods, so 10
/// units of capacity serve 20 units: W = 40 - 10 = 30. Lifetime 1: W = 20 - 10 = 10.
#[test]
fn lifetime_retires_new_capacity() {
    let base = curve(
        3,
        "max_expansion = 10\nexpansion_cost = 1.0{LIFE}",
        "[{ quantity = 10, value = 3.0 }]",
    )
    .replace("capacity = 100", "capacity = 0")
    .replace("unit_cost = 5.0", "unit_cost = 1.0");
    for (life, w) in [
        ("", 50.0),
        ("\nlifetime = 2", 30.0),
        ("\nlifetime = 1", 10.0),
    ] {
        let (_, _, r) = solve(&base.replace("{LIFE}", life));
        assert_relative_eq!(r.objective.unwrap(), w, epsilon = TOL);
        assert_identities(&r);
    }
}

// =============================================================================================
// Security basis and soft floors (MODEL.md 5.8, 13.3, 13.4)
// =============================================================================================

/// A makes apps from chips (one chip per app, only A can make apps) and exports 10 apps to B
/// (worth 10 each); A also consumes 2 chips (worth 5). Chips cost 3 in A and 1 in B, free
/// trade. Without a floor A imports every chip: W = 100 + 10 - 12 = 98. A floor of 0.5 on
/// total use (U = 2 + 10 = 12) makes A produce 6 chips at a premium of 2: W = 98 - 12 = 86.
/// On final use (B = 2) A produces 1: W = 98 - 2 = 96. A soft floor on total use with penalty
/// 1.5 < 2 is missed by 6 units: W = 98 - 9 = 89, the floor's dual is the penalty 1.5, and
/// the cost 9 is in A's rents (13.4).
const EXPORTER: &str = r#"
[meta]
name = "exporter"
[[layer]]
id = "chip"
[[layer]]
id = "apps"
inputs = { chip = 1.0 }
[[country]]
id = "A"
[[country]]
id = "B"
[[capability]]
country = "A"
layer = "chip"
unit_cost = 3.0
capacity = 100
[[capability]]
country = "B"
layer = "chip"
unit_cost = 1.0
capacity = 100
[[capability]]
country = "A"
layer = "apps"
unit_cost = 0.0
capacity = 100
[[demand]]
country = "A"
layer = "chip"
blocks = [{ quantity = 2, value = 5.0 }]
[[demand]]
country = "B"
layer = "apps"
blocks = [{ quantity = 10, value = 10.0 }]
[[security]]
country = "A"
layer = "chip"
domestic_floor = 0.5
{POLICY}
"#;

#[test]
fn basis_final_versus_total_for_an_exporter() {
    for (policy, w, domestic) in [
        ("", 86.0, 6.0),
        ("basis = \"total\"", 86.0, 6.0),
        ("basis = \"final\"", 96.0, 1.0),
    ] {
        let (_, _, r) = solve(&EXPORTER.replace("{POLICY}", policy));
        assert_relative_eq!(r.objective.unwrap(), w, epsilon = TOL);
        assert_relative_eq!(production(&r, "A", "chip", 1), domestic, epsilon = TOL);
        assert_identities(&r);
    }
}

#[test]
fn soft_floor_shortfall_is_cheaper_than_domestic_production() {
    let (_, _, r) = solve(&EXPORTER.replace("{POLICY}", "shortfall_penalty = 1.5"));
    assert_relative_eq!(r.objective.unwrap(), 89.0, epsilon = TOL);
    assert_relative_eq!(production(&r, "A", "chip", 1), 0.0, epsilon = TOL);
    assert_eq!(r.shortfalls.len(), 1);
    assert_relative_eq!(r.shortfalls[0].quantity, 6.0, epsilon = TOL);
    assert_relative_eq!(r.shortfalls[0].cost, 9.0, epsilon = TOL);
    let floor = r.security_duals.iter().find(|x| x.kind == "floor").unwrap();
    assert_relative_eq!(floor.value, 1.5, epsilon = TOL);
    let a = r.welfare.iter().find(|x| x.country == "A").unwrap();
    assert_relative_eq!(a.shortfall_cost, 9.0, epsilon = TOL);
    let b = r.welfare.iter().find(|x| x.country == "B").unwrap();
    assert_relative_eq!(b.shortfall_cost, 0.0, epsilon = TOL);
    assert_identities(&r);
    // A penalty above the premium: the floor is met as if hard.
    let (_, _, r) = solve(&EXPORTER.replace("{POLICY}", "shortfall_penalty = 2.5"));
    assert_relative_eq!(r.objective.unwrap(), 86.0, epsilon = TOL);
    assert_relative_eq!(r.shortfalls[0].quantity, 0.0, epsilon = TOL);
}

// =============================================================================================
// Validation: every new error and warning (MODEL.md 13.1-13.5)
// =============================================================================================

#[test]
fn new_fields_are_validated_naming_entity_and_field() {
    let cases: &[(&str, &str)] = &[
        ("lifetime = 0", "capability A/chip: lifetime must be an integer >= 1, got 0"),
        ("capacity_trend = -1", "capability A/chip: capacity_trend must be >= 0, got -1"),
        ("cost_curve = []", "capability A/chip: cost_curve is empty"),
        (
            "cost_curve = [{ up_to = 4, unit_cost = 2 }, { up_to = 4, unit_cost = 1 }]",
            "capability A/chip cost_curve 2: up_to must increase from one segment to the next: 4 after 4",
        ),
        (
            "cost_curve = [{ up_to = 4, unit_cost = 1 }, { up_to = 8, unit_cost = 2 }]",
            "capability A/chip cost_curve 2: unit_cost must not increase with scale",
        ),
        ("cost_curve = [{ up_to = 0, unit_cost = 1 }]", "capability A/chip cost_curve 1: up_to must be a finite number > 0, got 0"),
        ("cost_curve = [{ up_to = 4 }]", "capability A/chip cost_curve 1: missing required field unit_cost"),
        ("cost_curve = [{ up_to = 4, unit_cost = 1, slope = 2 }]", "capability A/chip cost_curve 1: unknown field \"slope\""),
        (
            "cost_curve = [{ up_to = 4, unit_cost = 5 }]\nlearning = { progress_ratio = 0.8, experience = 1, max_experience = 2 }",
            "capability A/chip: cost_curve and learning cannot both be given",
        ),
        ("learning = { progress_ratio = 0, experience = 1, max_experience = 2 }", "capability A/chip learning: progress_ratio must lie in (0, 1], got 0"),
        ("learning = { progress_ratio = 1.2, experience = 1, max_experience = 2 }", "capability A/chip learning: progress_ratio must lie in (0, 1], got 1.2"),
        ("learning = { progress_ratio = 0.8, experience = 0, max_experience = 2 }", "capability A/chip learning: experience must be a finite number > 0, got 0"),
        ("learning = { progress_ratio = 0.8, experience = 2, max_experience = 2 }", "capability A/chip learning: max_experience must be a finite number > experience (2), got 2"),
        ("learning = { progress_ratio = 0.8, experience = 1, max_experience = 2, segments = 0 }", "capability A/chip learning: segments must be an integer >= 1, got 0"),
        ("learning = { experience = 1, max_experience = 2 }", "capability A/chip learning: missing required field progress_ratio"),
        ("learning = { progress_ratio = 0.8, experience = 1, max_experience = 2, rate = 1 }", "capability A/chip learning: unknown field \"rate\""),
    ];
    for (field, expected) in cases {
        let p = problems(&curve(1, field, "[{ quantity = 1, value = 1.0 }]"));
        assert!(p.iter().any(|m| m.starts_with(expected)), "{field}: {p:?}");
    }
    let p = problems(&EXPORTER.replace("{POLICY}", "basis = \"use\"\nshortfall_penalty = -1"));
    assert!(
        p.contains(
            &"security A/chip: basis must be \"total\" or \"final\", got \"use\"".to_string()
        ),
        "{p:?}"
    );
    assert!(
        p.contains(&"security A/chip: shortfall_penalty must be >= 0, got -1".to_string()),
        "{p:?}"
    );
    let p = problems(&TRANSFER.replace("share = 0.5", "share = 1.5"));
    assert!(
        p.iter()
            .any(|m| m.contains("share must lie in [0, 1], got 1.5")),
        "{p:?}"
    );
    let p = problems(&TRANSFER.replace("share = 0.5\n", ""));
    assert!(
        p.iter().any(|m| m.contains("missing required field share")),
        "{p:?}"
    );
    let p = problems(&TRANSFER.replace("share = 0.5", "share = 0.5\nfactor = 0.5"));
    assert!(
        p.iter()
            .any(|m| m.contains("field \"factor\" does not apply to a technology_transfer clause")),
        "{p:?}"
    );
}

#[test]
fn warnings_cost_curve_unit_cost_and_shortfall_without_floor() {
    let w = warnings(&curve(
        1,
        "cost_curve = [{ up_to = 4, unit_cost = 4 }]",
        "[{ quantity = 1, value = 1.0 }]",
    ));
    assert_eq!(
        w,
        vec!["capability A/chip: unit_cost 5 differs from the first cost_curve unit_cost 4; the curve's unit costs are used (MODEL.md 13.2)"]
    );
    let text = EXPORTER.replace(
        "domestic_floor = 0.5\n{POLICY}",
        "max_supplier_share = 0.9\nshortfall_penalty = 1",
    );
    let w = warnings(&text);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].starts_with("security A/chip: shortfall_penalty without domestic_floor"));
}

/// The forced-zero warning (13.3): a hard floor where the country cannot produce and has no
/// trusted supplier under the agreements active in this run; with basis final only when it
/// has demand for the layer. A soft floor, a capability with capacity, or an active
/// trusted-supply agreement silences it.
#[test]
fn forced_zero_warning_for_hard_floors() {
    let text = EXPORTER
        .replace(
            "[[capability]]\ncountry = \"A\"\nlayer = \"chip\"\nunit_cost = 3.0\ncapacity = 100\n",
            "",
        )
        .replace("{POLICY}", "");
    let w = warnings(&text);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].starts_with(
            "security A/chip: the hard domestic_floor 0.5 forces A's use of chip to zero"
        ),
        "{w:?}"
    );
    // The scenario still solves: A consumes and uses no chips, makes no apps.
    let (_, _, r) = solve(&text);
    assert_relative_eq!(r.objective.unwrap(), 0.0, epsilon = TOL);
    assert_eq!(r.warnings.len(), 1);
    let final_basis = text.replace(
        "domestic_floor = 0.5\n",
        "domestic_floor = 0.5\nbasis = \"final\"\n",
    );
    let w = warnings(&final_basis);
    assert!(
        w[0].contains("forces A's consumption of chip to zero"),
        "{w:?}"
    );
    let no_demand = final_basis.replace(
        "[[demand]]\ncountry = \"A\"\nlayer = \"chip\"\nblocks = [{ quantity = 2, value = 5.0 }]\n",
        "",
    );
    assert!(warnings(&no_demand).is_empty());
    assert!(warnings(&text.replace(
        "domestic_floor = 0.5\n",
        "domestic_floor = 0.5\nshortfall_penalty = 1\n"
    ))
    .is_empty());
    let trusted = format!(
        "{text}\n[[agreement]]\nid = \"t\"\nmembers = [\"A\", \"B\"]\nactive = {{ACTIVE}}\n[[agreement.clause]]\nkind = \"trusted_supply\"\nlayers = [\"chip\"]\n"
    );
    assert!(warnings(&trusted.replace("{ACTIVE}", "true")).is_empty());
    assert_eq!(warnings(&trusted.replace("{ACTIVE}", "false")).len(), 1);
    // Under --activate the warning goes away.
    let s = scenario(&trusted.replace("{ACTIVE}", "false"));
    let opts = BuildOptions {
        active: vec![true],
        ..Default::default()
    };
    assert!(formulation::warnings(&s, &opts).is_empty());
}

/// Files without the new fields read the defaults: trend 1, no lifetime, no curves, basis
/// total, no penalty.
#[test]
fn defaults_of_the_new_fields() {
    let s = scenario(&EXPORTER.replace("{POLICY}", ""));
    let cap = &s.capabilities[0];
    assert_eq!(cap.capacity_trend, 1.0);
    assert_eq!(cap.lifetime, None);
    assert!(cap.cost_curve.is_none() && cap.learning.is_none());
    assert_eq!(s.security[0].basis, aistack::scenario::Basis::Total);
    assert_eq!(s.security[0].shortfall_penalty, None);
    let s = scenario(&learning_case(1, 3.0).replace(", segments = 1", ""));
    assert_eq!(s.capabilities[0].learning.unwrap().segments, 4);
}

// =============================================================================================
// The shipped instance (instances/learning-lockin.toml)
// =============================================================================================

fn lockin() -> Scenario {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/instances/learning-lockin.toml"
    );
    Scenario::from_path(path).expect("instance reads")
}

/// The numbers of the instance's header: W with and without the agreement, who produces, the
/// horizon unit costs; welfare identity, strong duality and welfare forms agree with the split.
#[test]
fn lockin_instance_numbers_and_identities() {
    let s = lockin();
    let (o, r) = solve_with(&s, &BuildOptions::from_file(&s));
    assert_relative_eq!(r.objective.unwrap(), 3525.2893, epsilon = 1e-4);
    assert_identities(&r);
    let at_duals = aistack::results::ranges::welfare_at_duals(&View::new(&s, &o).unwrap());
    for (w, f) in r.welfare.iter().zip(at_duals) {
        assert_relative_eq!(w.total, f, epsilon = 1e-6);
    }
    let horizon = |r: &aistack::results::Report, c: &str| {
        r.learning
            .iter()
            .find(|x| x.country == c && x.period == 3)
            .unwrap()
            .unit_cost
    };
    assert_relative_eq!(horizon(&r, "KOR"), 3.8528, epsilon = 1e-4);
    assert_relative_eq!(horizon(&r, "IND"), 3.9457, epsilon = 1e-4);
    assert_relative_eq!(price(&r, "KOR", "fab", 3), 3.9711, epsilon = 1e-4);
    assert_relative_eq!(price(&r, "IND", "fab", 3), 4.2222, epsilon = 1e-4);
    let off = BuildOptions {
        active: vec![false],
        ..Default::default()
    };
    let (_, r0) = solve_with(&s, &off);
    assert_relative_eq!(r0.objective.unwrap(), 3459.3110, epsilon = 1e-4);
    assert_relative_eq!(production(&r0, "IND", "fab", 3), 0.0, epsilon = TOL);
    assert_relative_eq!(horizon(&r0, "IND"), 10.0, epsilon = 1e-9);
    assert_relative_eq!(horizon(&r0, "KOR"), 3.3738, epsilon = 1e-4);
    assert_identities(&r0);
    let c = aistack::analysis::compare::compare(&s, 0, &off, &SolveConfig::default()).unwrap();
    assert_relative_eq!(c.w_gain, 65.9783, epsilon = 1e-4);
    assert!(c.individually_rational);
    let ind = c.learning.iter().find(|x| x.country == "IND").unwrap();
    assert!(!ind.cheapest_without && ind.unit_cost_with < 4.0);
}

/// A price away from the breakpoints equals the finite difference of W (both sides): KOR's
/// cumulative experience at the end of period 3 (224.7) is inside its second segment.
#[test]
fn lockin_price_matches_finite_differences() {
    let s = lockin();
    let opts = BuildOptions::from_file(&s);
    let (_, r) = solve_with(&s, &opts);
    let w = r.objective.unwrap();
    let lambda = price(&r, "KOR", "fab", 3) * s.discount(3);
    let mut up = opts.clone();
    up.extra_delivery.push((0, 0, 3, 0.5));
    let mut down = opts.clone();
    down.extra_delivery.push((0, 0, 3, -0.5));
    assert_relative_eq!((objective(&s, &up) - w) / 0.5, lambda, epsilon = 1e-6);
    assert_relative_eq!((w - objective(&s, &down)) / 0.5, lambda, epsilon = 1e-6);
}

/// `validate` shows warnings and exits 0 (a warning is not an error); `solve --format json`
/// carries them in `warnings`, and the table output lists them.
#[test]
fn cli_validate_and_solve_carry_warnings() {
    let text = EXPORTER
        .replace(
            "[[capability]]\ncountry = \"A\"\nlayer = \"chip\"\nunit_cost = 3.0\ncapacity = 100\n",
            "",
        )
        .replace("{POLICY}", "");
    let path = std::env::temp_dir().join(format!("aistack-warn-{}.toml", std::process::id()));
    std::fs::write(&path, text).unwrap();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_aistack"))
            .args(args)
            .arg(&path)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string(),
        )
    };
    let (code, out) = run(&["validate"]);
    assert_eq!(code, Some(0));
    assert!(
        out.contains("warning: security A/chip: the hard domestic_floor 0.5"),
        "{out}"
    );
    let (code, out) = run(&["solve", "--format", "json"]);
    assert_eq!(code, Some(0));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let w = v["warnings"].as_array().expect("warnings");
    assert!(w[0].as_str().unwrap().starts_with("security A/chip"));
    let (_, out) = run(&["solve"]);
    assert!(out.contains("\nWarnings\n  - security A/chip"), "{out}");
    std::fs::remove_file(&path).ok();
}

// =============================================================================================
// The shipped instance instances/learning.toml (issue 10 item 5), through the CLI JSON
// =============================================================================================

const LEARNING: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/instances/learning.toml");

/// Run the binary; exit code and stdout.
fn cli(args: &[&str]) -> (Option<i32>, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_aistack"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).to_string(),
    )
}

fn cli_json(args: &[&str]) -> serde_json::Value {
    let (code, out) = cli(args);
    assert_eq!(code, Some(0), "{args:?}: {out}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}: {out}"))
}

/// The entry of `rows` (a JSON array of objects) with these string fields.
fn row<'a>(rows: &'a serde_json::Value, keys: &[(&str, &str)]) -> &'a serde_json::Value {
    rows.as_array()
        .expect("array")
        .iter()
        .find(|r| keys.iter().all(|(k, v)| r[*k] == *v))
        .unwrap_or_else(|| panic!("no row {keys:?} in {rows}"))
}

fn assert_close(got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(want) {
        assert!((g - w).abs() < TOL, "{got:?} != {want:?}");
    }
}

fn num_of(v: &serde_json::Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// Output of (country, fab) in each period of a `solve --format json`.
fn fab_output(v: &serde_json::Value, c: &str) -> Vec<f64> {
    (1..=3)
        .map(|t| {
            v["production"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["country"] == c && p["layer"] == "fab" && p["period"] == t)
                .map_or(0.0, |p| num_of(&p["quantity"]))
        })
        .collect()
}

/// (experience, unit cost) of (country, fab) at the end of each period.
fn fab_learning(v: &serde_json::Value, c: &str) -> Vec<(f64, f64)> {
    (1..=3)
        .map(|t| {
            let r = v["learning"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["country"] == c && x["layer"] == "fab" && x["period"] == t)
                .unwrap();
            (num_of(&r["experience"]), num_of(&r["unit_cost"]))
        })
        .collect()
}

/// The slopes of the file's header: b = 1, TC(E) = 40 ln(E/E_0').
fn learning_numbers() -> (f64, f64, f64, f64) {
    let ln4 = 4f64.ln();
    let (s1, s2) = (40.0 * ln4 / 30.0, 40.0 * ln4 / 120.0);
    let g1 = (160.0f64 * 25.0).sqrt();
    let t2 = 20.0 * 6.4f64.ln() / (160.0 - g1);
    // Fab cost of the lock-in (KOR makes 70) and of the plan with both agreements.
    let lockin = 30.0 * s1 + 40.0 * s2 + 70.0;
    let both = 10.0 * s1 + 10.0 + 20.0 * 6.4f64.ln() + (85.0 - g1) * t2 + 50.0;
    (s1, t2, 758.0 - lockin, 758.0 - both)
}

/// (b) The file as shipped: IND enters fab in period 2 and makes 20 and 40, KOR makes period
/// 1's 10; W = 758 - 123.957353; at the horizon IND's next unit costs 40/85 and KOR's 2; prices
/// IND fab = IND's s_2 in periods 2-3 and KOR's s_1 + trade in period 1.
#[test]
fn learning_instance_transfer_and_route_let_the_late_member_enter() {
    let (s1, t2, _, w_both) = learning_numbers();
    assert_relative_eq!(w_both, 634.042647, epsilon = 1e-6);
    let v = cli_json(&["solve", LEARNING, "--format", "json"]);
    assert_relative_eq!(num_of(&v["objective"]), w_both, epsilon = 1e-6);
    assert_close(&fab_output(&v, "KOR"), &[10.0, 0.0, 0.0]);
    assert_close(&fab_output(&v, "IND"), &[0.0, 20.0, 40.0]);
    let op = |t: usize| {
        v["operating"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["country"] == "IND" && x["layer"] == "fab" && x["period"] == t)
            .map(|x| vec![num_of(&x["operating"]), num_of(&x["entered"])])
            .unwrap()
    };
    assert_close(&op(1), &[0.0, 0.0]);
    assert_close(&op(2), &[1.0, 1.0]);
    assert_close(&op(3), &[1.0, 0.0]);
    let ind = fab_learning(&v, "IND");
    assert_relative_eq!(ind[0].1, 1.6, epsilon = 1e-12); // 4 (25/10)^-1: the transfer
    assert_relative_eq!(ind[2].0, 85.0, epsilon = TOL);
    assert_relative_eq!(ind[2].1, 40.0 / 85.0, epsilon = 1e-9);
    let kor = fab_learning(&v, "KOR");
    assert_relative_eq!(kor[2].0, 20.0, epsilon = TOL);
    assert_relative_eq!(kor[2].1, 2.0, epsilon = 1e-9);
    let price = |c: &str, t: usize| {
        let r = v["prices"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["country"] == c && x["layer"] == "fab" && x["period"] == t)
            .unwrap();
        num_of(&r["price"])
    };
    assert_relative_eq!(price("IND", 1), s1 + 1.0, epsilon = 1e-6);
    assert_relative_eq!(price("IND", 2), t2, epsilon = 1e-6);
    assert_relative_eq!(price("IND", 3), t2, epsilon = 1e-6);
    assert!(v.get("warnings").is_none(), "no warnings: {v}");
}

/// (a) Without both agreements (either off, or both): lock-in. KOR, the early entrant, makes
/// 10, 20, 40 and its unit cost falls 4 -> 2 -> 1 -> 0.5 while IND's stays at its start (4, or
/// 1.6 with the know-how alone); W = 758 - 143.935699.
#[test]
fn learning_instance_without_both_agreements_the_early_entrant_locks_in() {
    let (_, _, w_lockin, _) = learning_numbers();
    assert_relative_eq!(w_lockin, 614.064301, epsilon = 1e-6);
    for (off, ind_start) in [
        (vec!["--deactivate", "know-how"], 4.0),
        (vec!["--deactivate", "upgrade-route"], 1.6),
        (
            vec!["--deactivate", "know-how", "--deactivate", "upgrade-route"],
            4.0,
        ),
    ] {
        let mut args = vec!["solve", LEARNING, "--format", "json"];
        args.extend(off.iter());
        let v = cli_json(&args);
        assert_relative_eq!(num_of(&v["objective"]), w_lockin, epsilon = 1e-6);
        assert_close(&fab_output(&v, "IND"), &[0.0, 0.0, 0.0]);
        assert_close(&fab_output(&v, "KOR"), &[10.0, 20.0, 40.0]);
        let kor = fab_learning(&v, "KOR");
        for ((e, u), (e_want, u_want)) in kor.iter().zip([(20.0, 2.0), (40.0, 1.0), (80.0, 0.5)]) {
            assert_relative_eq!(*e, e_want, epsilon = TOL);
            assert_relative_eq!(*u, u_want, epsilon = 1e-9);
        }
        for (_, u) in fab_learning(&v, "IND") {
            assert_relative_eq!(u, ind_start, epsilon = 1e-12);
        }
    }
}

/// (c) and the analyses: each agreement is worth W gain 19.978346 with the other one active
/// (and nothing alone); compare reports, per period, how the agreement moves experience and unit
/// cost (IND cheapest at the horizon with it, KOR without); coalitions --value world gives
/// v({USA, IND}) = the same gain; margins --entry: IND leaving fab costs the gain, KOR leaving
/// fab costs period 1's demand (IND cannot make fab before period 2):
/// W = 600 + 58 - 45.473429 - 50 = 562.526571, value -71.516076.
#[test]
fn learning_instance_upgrade_route_is_worth_more_than_zero() {
    let (_, _, w_lockin, w_both) = learning_numbers();
    let gain = w_both - w_lockin;
    assert_relative_eq!(gain, 19.978346, epsilon = 1e-6);
    for agreement in ["upgrade-route", "know-how"] {
        let c = cli_json(&[
            "compare",
            LEARNING,
            "--agreement",
            agreement,
            "--format",
            "json",
        ]);
        assert_relative_eq!(num_of(&c["w_gain"]), gain, epsilon = 1e-6);
        let clause = &c["clauses"][0];
        assert_relative_eq!(num_of(&clause["value"]), gain, epsilon = 1e-6);
        // The horizon table and the per-period path.
        let ind = row(&c["learning"], &[("country", "IND")]);
        assert_eq!(ind["cheapest_with"], true);
        assert_eq!(ind["cheapest_without"], false);
        let kor = row(&c["learning"], &[("country", "KOR")]);
        assert_eq!(kor["cheapest_without"], true);
        let per = |c_: &str, t: usize| {
            c["learning_periods"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["country"] == c_ && x["period"] == t)
                .unwrap()
                .clone()
        };
        let kor2 = per("KOR", 2);
        assert_relative_eq!(num_of(&kor2["experience_without"]), 40.0, epsilon = TOL);
        assert_relative_eq!(num_of(&kor2["experience_with"]), 20.0, epsilon = TOL);
        assert_relative_eq!(num_of(&kor2["unit_cost_without"]), 1.0, epsilon = 1e-9);
        assert_relative_eq!(num_of(&kor2["unit_cost_with"]), 2.0, epsilon = 1e-9);
        let ind2 = per("IND", 2);
        assert_relative_eq!(num_of(&ind2["output_with"]), 20.0, epsilon = TOL);
        assert_relative_eq!(num_of(&ind2["experience_with"]), 45.0, epsilon = TOL);
        assert_relative_eq!(num_of(&ind2["unit_cost_with"]), 40.0 / 45.0, epsilon = 1e-9);
        assert_eq!(ind2["cheapest_with"], true);
        // Period 1: KOR's 10 units take it to 2; IND has not produced but starts at 1.6 with
        // the know-how (4 without).
        assert_relative_eq!(
            num_of(&per("KOR", 1)["unit_cost_with"]),
            2.0,
            epsilon = 1e-9
        );
        // Either agreement alone is worth nothing.
        let other = if agreement == "know-how" {
            "upgrade-route"
        } else {
            "know-how"
        };
        let alone = cli_json(&[
            "compare",
            LEARNING,
            "--agreement",
            agreement,
            "--deactivate",
            other,
            "--format",
            "json",
        ]);
        assert_relative_eq!(num_of(&alone["w_gain"]), 0.0, epsilon = 1e-6);
        let g = cli_json(&[
            "coalitions",
            LEARNING,
            "--agreement",
            agreement,
            "--value",
            "world",
            "--format",
            "json",
        ]);
        assert_relative_eq!(num_of(&g["grand_value"]), gain, epsilon = 1e-6);
        for p in g["players"].as_array().unwrap() {
            assert_relative_eq!(num_of(&p["shapley"]), gain / 2.0, epsilon = 1e-6);
        }
    }
    let (code, table) = cli(&["compare", LEARNING, "--agreement", "know-how"]);
    assert_eq!(code, Some(0));
    assert!(table.contains("Learning by period"), "{table}");
    let m = cli_json(&["margins", LEARNING, "--entry", "--format", "json"]);
    let leave = |c: &str| {
        m["entry"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| {
                e["country"] == c
                    && e["layer"] == "fab"
                    && (e["change"] == "leave" || e["change"] == "never_operate")
            })
            .map(|e| num_of(&e["value"]))
            .unwrap_or_else(|| panic!("no exit of {c} fab: {}", m["entry"]))
    };
    assert_relative_eq!(leave("IND"), -gain, epsilon = 1e-6);
    let w_no_kor =
        658.0 - (20.0 * 6.4f64.ln() + (85.0 - (4000f64).sqrt()) * learning_numbers().1) - 50.0;
    assert_relative_eq!(leave("KOR"), w_no_kor - w_both, epsilon = 1e-6);
}

/// margins --entry with learning: leaving forgoes the future cost reductions. The two-segment
/// case above (demand 10 at 2.5 in each of two periods, s_1 = 2.772589, s_2 = 1.386294):
/// W = 50 - 10 s_1 - 10 s_2 = 8.41117, so leaving the capability is worth -8.41117. Period by
/// period the capability loses money at its starting cost (10 s_1 = 27.73 > 25 in any single
/// period): the exit value is negative only because producing in period 1 makes period 2's
/// units cost s_2 instead of s_1, 10 (s_1 - s_2) = 13.86 of cost reduction, and leaving forgoes
/// it. The same capability without that reduction (a constant unit cost s_1, no learning) is
/// worth nothing: it does not produce, and leaving it changes nothing.
#[test]
fn margins_entry_exit_value_includes_forgone_learning() {
    let s1 = 40.0 * 2f64.ln() / 10.0;
    let s2 = 40.0 * 2f64.ln() / 20.0;
    let dir = tempfile::tempdir().unwrap();
    let exit_value = |text: &str| {
        let path = dir.path().join("case.toml");
        std::fs::write(&path, text).unwrap();
        let v = cli_json(&[
            "margins",
            path.to_str().unwrap(),
            "--entry",
            "--format",
            "json",
        ]);
        let e = row(&v["entry"], &[("country", "A"), ("layer", "chip")]);
        (
            num_of(&v["objective"]),
            e["change"].as_str().unwrap().to_string(),
            num_of(&e["value"]),
        )
    };
    let (w, change, leave) = exit_value(&learning_case(2, 2.5));
    assert_eq!(change, "leave");
    assert_relative_eq!(w, 50.0 - 10.0 * (s1 + s2), epsilon = TOL);
    assert_relative_eq!(leave, -(50.0 - 10.0 * (s1 + s2)), epsilon = TOL);
    assert!(
        10.0 * s1 > 25.0,
        "a single period loses at the starting cost"
    );
    let flat = curve(2, "", "[{ quantity = 10, value = 2.5 }]")
        .replace("unit_cost = 5.0", &format!("unit_cost = {s1}"));
    let (w, change, leave) = exit_value(&flat);
    // It produces nothing already: leaving only gives up the idle capacity.
    assert_eq!(change, "give_up");
    assert_relative_eq!(w, 0.0, epsilon = TOL);
    assert_relative_eq!(leave, 0.0, epsilon = TOL);
}

/// A hard floor that forces A's chip use to zero unless the (inactive) `trust` agreement is on
/// (13.3): every subcommand shows the warning in its table output and in JSON `warnings`; compare
/// and coalitions mark a warning of one run only ("only without trust"); report lists it in the
/// page, on stderr and in its JSON summary; validate exits 0.
const WARN: &str = r#"
[meta]
name = "warn"
[[layer]]
id = "chip"
[[country]]
id = "A"
[[country]]
id = "B"
[[country]]
id = "C"
[[capability]]
country = "B"
layer = "chip"
unit_cost = 1.0
capacity = 100
[[capability]]
country = "C"
layer = "chip"
unit_cost = 2.0
capacity = 100
[[demand]]
country = "A"
layer = "chip"
blocks = [{ quantity = 10, value = 5.0 }]
[[security]]
country = "A"
layer = "chip"
domestic_floor = 0.5
[[agreement]]
id = "trust"
members = ["A", "B", "C"]
active = false
[[agreement.clause]]
kind = "trusted_supply"
layers = ["chip"]
[[agreement]]
id = "cheap"
members = ["A", "C"]
[[agreement.clause]]
kind = "trade_cost_factor"
layers = ["chip"]
factor = 0.5
"#;

#[test]
fn every_subcommand_shows_the_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("warn.toml");
    std::fs::write(&path, WARN).unwrap();
    let file = path.to_str().unwrap();
    let out = dir.path().join("report");
    let needle = "security A/chip: the hard domestic_floor 0.5";
    let cases: Vec<(Vec<&str>, Option<&str>)> = vec![
        (vec!["validate", file], None),
        (vec!["solve", file], None),
        (vec!["compare", file, "--agreement", "cheap"], None),
        (
            vec!["compare", file, "--agreement", "trust"],
            Some("(only without trust)"),
        ),
        (
            vec!["coalitions", file, "--agreement", "trust"],
            Some("(only without trust)"),
        ),
        (vec!["margins", file], None),
    ];
    for (args, suffix) in &cases {
        let (code, table) = cli(args);
        assert_eq!(code, Some(0), "{args:?}: {table}");
        assert!(table.contains(needle), "{args:?} table: {table}");
        let mut json_args = args.clone();
        json_args.extend(["--format", "json"]);
        let v = cli_json(&json_args);
        let w = v["warnings"]
            .as_array()
            .unwrap_or_else(|| panic!("{args:?}: {v}"));
        assert_eq!(w.len(), 1, "{args:?}: {w:?}");
        let w = w[0].as_str().unwrap();
        assert!(w.starts_with(needle), "{args:?}: {w}");
        if let Some(sfx) = suffix {
            assert!(w.ends_with(sfx), "{args:?}: {w}");
        }
    }
    let v = cli_json(&[
        "report",
        file,
        "--out",
        out.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let w = v["warnings"].as_array().expect("report warnings");
    assert!(w[0].as_str().unwrap().starts_with(needle), "{w:?}");
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(html.contains("<h2 id=\"warnings\">Warnings</h2>"));
    assert!(html.contains("security A/chip: the hard domestic_floor 0.5"));
}

/// The MPS and LP export name the learning and cost-curve columns and rows readably
/// (`fill_C_L_T_J`, `wfill_...`, `learn_C_L_T`, `learnup_`, `learnfull_`; `pseg_`, `wseg_`,
/// `curve_`, `curveup_`, `curvefull_`): one name per column of the learning instance with a cost
/// curve set on IND's memory.
#[test]
fn export_names_learning_and_curve_variables() {
    let dir = tempfile::tempdir().unwrap();
    let (mps, lp) = (dir.path().join("l.mps"), dir.path().join("l.lp"));
    let (code, text) = cli(&[
        "export",
        LEARNING,
        "--set",
        "capability[IND/memory].cost_curve=[{up_to=5, unit_cost=1}, {up_to=10, unit_cost=0.5}]",
        "--mps",
        mps.to_str().unwrap(),
        "--lp",
        lp.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0), "{text}");
    let mps = std::fs::read_to_string(&mps).unwrap();
    let lp = std::fs::read_to_string(&lp).unwrap();
    for name in [
        "fill_IND_fab_2_1",
        "fill_IND_fab_3_2",
        "wfill_IND_fab_2_2",
        "learn_KOR_fab_1",
        "learnup_IND_fab_2_2",
        "learnfull_IND_fab_2_1",
        "pseg_IND_memory_1_1",
        "pseg_IND_memory_1_2",
        "wseg_IND_memory_1_2",
        "curve_IND_memory_1",
        "curveup_IND_memory_1_2",
        "curvefull_IND_memory_1_1",
    ] {
        assert!(mps.contains(name), "MPS lacks {name}");
        assert!(lp.contains(name), "LP lacks {name}");
    }
    // The wfill binaries are declared integer in the LP file.
    let general = lp.split_once("\nGeneral").map_or("", |(_, rest)| rest);
    assert!(general.contains("wfill_IND_fab_2_2"), "{lp}");
}
