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
    o.objective()
        .unwrap_or_else(|| panic!("not optimal: {}", o.status))
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
    r.welfare
        .iter()
        .find(|w| w.country == country)
        .map(|w| w.total)
        .expect("country")
}

/// Welfare identity and strong duality, to 1e-6 relative.
pub fn assert_identities(r: &Report) {
    let w = r.objective.expect("solved");
    let sum: f64 = r.welfare.iter().map(|x| x.total).sum();
    assert!(
        (sum - w).abs() <= 1e-6 * w.abs().max(1.0),
        "welfare identity: sum {sum} vs W {w}"
    );
    let gap = r.duality_gap.expect("duality gap");
    assert!(gap <= 1e-6, "strong duality gap {gap}");
    for x in &r.welfare {
        assert!(
            (x.consumers + x.producers + x.rents - x.total).abs() <= 1e-9 * x.total.abs().max(1.0)
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers for the hand-solved tests (tests/hand_solved.rs).

use aistack::results::{OperatingEntry, ProducerEntry};

/// Options with the agreements switched as given (one flag per agreement, in file order).
pub fn with_active(s: &Scenario, active: &[bool]) -> BuildOptions {
    assert_eq!(active.len(), s.agreements.len(), "one flag per agreement");
    BuildOptions {
        active: active.to_vec(),
        ..BuildOptions::from_file(s)
    }
}

/// Options with integrality relaxed (`--relax`).
pub fn relaxed(s: &Scenario) -> BuildOptions {
    BuildOptions {
        relax: true,
        ..BuildOptions::from_file(s)
    }
}

/// Export price π = λ + θ, period money.
pub fn export_price(r: &Report, country: &str, layer: &str, period: usize) -> f64 {
    r.prices
        .iter()
        .find(|p| p.country == country && p.layer == layer && p.period == period)
        .map(|p| p.export_price)
        .unwrap_or_else(|| panic!("no price for {country}/{layer}/{period}"))
}

/// Capacity rent, period money.
pub fn rent(r: &Report, country: &str, layer: &str, period: usize) -> f64 {
    r.capacity_rents
        .iter()
        .find(|p| p.country == country && p.layer == layer && p.period == period)
        .map(|p| p.rent)
        .unwrap_or_else(|| panic!("no capacity rent for {country}/{layer}/{period}"))
}

/// Value of a security row (`floor`, `supplier_share`, `n_minus_1`), period money.
pub fn security_dual(
    r: &Report,
    kind: &str,
    country: &str,
    layer: &str,
    period: usize,
    supplier: Option<&str>,
) -> f64 {
    r.security_duals
        .iter()
        .find(|d| {
            d.kind == kind
                && d.country == country
                && d.layer == layer
                && d.period == period
                && d.supplier.as_deref() == supplier
        })
        .map(|d| d.value)
        .unwrap_or_else(|| {
            panic!("no {kind} row for {country}/{layer}/{period} supplier {supplier:?}")
        })
}

pub fn producer<'a>(r: &'a Report, country: &str, layer: &str) -> &'a ProducerEntry {
    r.producers
        .iter()
        .find(|p| p.country == country && p.layer == layer)
        .unwrap_or_else(|| panic!("no producer {country}/{layer}"))
}

pub fn operating<'a>(
    r: &'a Report,
    country: &str,
    layer: &str,
    period: usize,
) -> &'a OperatingEntry {
    r.operating
        .iter()
        .find(|p| p.country == country && p.layer == layer && p.period == period)
        .unwrap_or_else(|| panic!("no operating status for {country}/{layer}/{period}"))
}

pub fn consumption(r: &Report, country: &str, layer: &str, period: usize) -> f64 {
    r.consumption
        .iter()
        .filter(|p| p.country == country && p.layer == layer && p.period == period)
        .map(|p| p.quantity)
        .sum()
}

pub fn reserve(r: &Report, from: &str, to: &str, layer: &str, period: usize) -> f64 {
    r.reserves
        .iter()
        .filter(|p| p.from == from && p.to == to && p.layer == layer && p.period == period)
        .map(|p| p.quantity)
        .sum()
}

pub fn capacity_built(r: &Report, country: &str, layer: &str, period: usize) -> f64 {
    r.capacity_built
        .iter()
        .filter(|p| p.country == country && p.layer == layer && p.period == period)
        .map(|p| p.quantity)
        .sum()
}

/// Left and right finite differences of W* with respect to `h` units of `layer` delivered free
/// to `country` in `period`, converted to period money (divided by h δ_t): both equal the price
/// λ where the price is unique (MODEL.md 7).
pub fn fd_price(
    s: &Scenario,
    opts: &BuildOptions,
    country: &str,
    layer: &str,
    period: usize,
    h: f64,
) -> (f64, f64) {
    let c = s.country_index(country).expect("country");
    let l = s.layer_index(layer).expect("layer");
    let base = objective(s, opts);
    let shifted = |q: f64| {
        let mut o = opts.clone();
        o.extra_delivery.push((c, l, period, q));
        objective(s, &o)
    };
    let scale = h * s.discount(period);
    ((base - shifted(-h)) / scale, (shifted(h) - base) / scale)
}

/// The reported price equals both one-unit finite differences of W* (which must agree).
pub fn assert_price_by_fd(
    s: &Scenario,
    opts: &BuildOptions,
    r: &Report,
    country: &str,
    layer: &str,
    period: usize,
) {
    let (left, right) = fd_price(s, opts, country, layer, period, 1.0);
    let p = price(r, country, layer, period);
    let tol = 1e-6 * p.abs().max(1.0);
    assert!(
        (left - right).abs() <= tol,
        "{country}/{layer}/{period}: left {left} != right {right}: price not unique"
    );
    assert!(
        (p - right).abs() <= tol,
        "{country}/{layer}/{period}: reported price {p}, finite difference {right}"
    );
}

/// `aistack ARGS --format json` run in `dir`: exit 0 asserted, its JSON.
pub fn cli_json(dir: &std::path::Path, args: &[&str]) -> serde_json::Value {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_aistack"))
        .args(args)
        .args(["--format", "json"])
        .current_dir(dir)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}
