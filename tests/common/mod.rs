//! Shared helpers for integration tests.
#![allow(dead_code)]

use aistack::formulation::BuildOptions;
use aistack::results::{self, Outcome, Report, SolveConfig};
use aistack::scenario::{Format, Scenario};

pub fn scenario(text: &str) -> Scenario {
    match Scenario::from_str(text, Format::Toml, "test.toml") {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    }
}

pub fn solve_with(s: &Scenario, opts: &BuildOptions) -> (Outcome, Report) {
    let outcome = results::solve(s, opts, &SolveConfig::default()).expect("solver failure");
    let report = Report::new(s, &outcome);
    (outcome, report)
}

pub fn solve(text: &str) -> (Scenario, Outcome, Report) {
    let s = scenario(text);
    let (o, r) = solve_with(&s, &BuildOptions::from_file(&s));
    (s, o, r)
}

pub fn objective(s: &Scenario, opts: &BuildOptions) -> f64 {
    let (o, _) = solve_with(s, opts);
    o.objective().unwrap_or_else(|| panic!("not optimal: {}", o.status))
}

pub fn price(r: &Report, country: &str, layer: &str, period: usize) -> f64 {
    r.prices
        .iter()
        .find(|p| p.country == country && p.layer == layer && p.period == period)
        .map(|p| p.price)
        .unwrap_or_else(|| panic!("no price for {country}/{layer}/{period}"))
}

pub fn production(r: &Report, country: &str, layer: &str, period: usize) -> f64 {
    r.production
        .iter()
        .filter(|p| p.country == country && p.layer == layer && p.period == period)
        .map(|p| p.quantity)
        .sum()
}

pub fn flow(r: &Report, from: &str, to: &str, layer: &str, period: usize) -> f64 {
    r.flows
        .iter()
        .filter(|p| p.from == from && p.to == to && p.layer == layer && p.period == period)
        .map(|p| p.quantity)
        .sum()
}

pub fn welfare_total(r: &Report, country: &str) -> f64 {
    r.welfare.iter().find(|w| w.country == country).map(|w| w.total).expect("country")
}

/// Welfare identity and strong duality, to 1e-6 relative.
pub fn assert_identities(r: &Report) {
    let w = r.objective.expect("solved");
    let sum: f64 = r.welfare.iter().map(|x| x.total).sum();
    assert!((sum - w).abs() <= 1e-6 * w.abs().max(1.0), "welfare identity: sum {sum} vs W {w}");
    let gap = r.duality_gap.expect("duality gap");
    assert!(gap <= 1e-6, "strong duality gap {gap}");
    for x in &r.welfare {
        assert!((x.consumers + x.producers + x.rents - x.total).abs() <= 1e-9 * x.total.abs().max(1.0));
    }
}
