//! Hand-solved scenarios, one per mechanism and clause kind. Each derivation is in the comment
//! above the test; objective and at least one price are asserted.

mod common;

use approx::assert_relative_eq;
use common::*;

const ONE_LAYER: &str = r#"
[meta]
name = "one layer"
[[layer]]
id = "chip"
[[country]]
id = "A"
[[capability]]
country = "A"
layer = "chip"
unit_cost = 1.0
capacity = 10
[[demand]]
country = "A"
layer = "chip"
blocks = [{ quantity = 5, value = 3.0 }]
"#;

/// Capacity 10 > demand 5: serve 5 at cost 1, W = 5 * (3 - 1) = 10. One more unit delivered
/// free replaces one unit of production, so λ = unit cost = 1; capacity is slack, rent 0.
#[test]
fn slack_capacity_prices_at_unit_cost() {
    let (_, o, r) = solve(ONE_LAYER);
    assert!(o.is_optimal());
    assert_relative_eq!(r.objective.unwrap(), 10.0, epsilon = 1e-9);
    assert_relative_eq!(price(&r, "A", "chip", 1), 1.0, epsilon = 1e-9);
    assert_relative_eq!(r.capacity_rents[0].rent, 0.0, epsilon = 1e-9);
    assert_identities(&r);
}

/// Capacity 4 < demand 5: serve 4, W = 4 * 2 = 8. An extra unit serves one more unit of demand
/// worth 3, so λ = 3, and capacity earns 3 - 1 = 2 per unit.
#[test]
fn binding_capacity_prices_at_value_and_earns_rent() {
    let (_, _, r) = solve(&ONE_LAYER.replace("capacity = 10", "capacity = 4"));
    assert_relative_eq!(r.objective.unwrap(), 8.0, epsilon = 1e-9);
    assert_relative_eq!(price(&r, "A", "chip", 1), 3.0, epsilon = 1e-9);
    assert_relative_eq!(r.capacity_rents[0].rent, 2.0, epsilon = 1e-9);
    // The producer earns the rent: 4 units * 2 = 8, consumers get (3 - 3) * 4 = 0.
    assert_relative_eq!(r.producers[0].profit, 8.0, epsilon = 1e-9);
    assert_identities(&r);
}
