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

use aistack::backend::Status;
use aistack::formulation::{BuildOptions, Column, Constraint, Program, Row, Sense, Var};
use aistack::results::{self, SolveConfig, View};

// =============================================================================================
// Trade: pair overrides and blocks
// =============================================================================================

/// Three countries, one layer. A makes chips at 1, C at 2 (both ample capacity); B wants 10 at
/// value 10 and cannot produce. trade.default_cost = 1. Two overrides for the pair A -> B: a
/// chip-specific one (0.2), written first, and an all-layer one (5), written second.
const TRADE: &str = r#"
[meta]
name = "trade"
[trade]
default_cost = 1.0
[[trade.cost]]
from = "A"
to = "B"
layer = "chip"
cost = 0.2
[[trade.cost]]
from = "A"
to = "B"
cost = 5.0
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
unit_cost = 1.0
capacity = 100
[[capability]]
country = "C"
layer = "chip"
unit_cost = 2.0
capacity = 100
[[demand]]
country = "B"
layer = "chip"
blocks = [{ quantity = 10, value = 10.0 }]
"#;

/// The layer-specific override wins: τ[A,B,chip] = 0.2 (not 5, not the default 1). Landed cost
/// from A = 1 + 0.2 = 1.2 < from C = 2 + 1 = 3, so B imports 10 from A: W = 10 (10 - 1.2) = 88.
/// λ_B = 1.2 (one more free unit in B replaces one import, both ways). The export price of A is
/// π_A = λ_B - τ = 1 (= A's unit cost; A's own λ is degenerate since A has no domestic use).
/// Had the all-layer override won, B would buy from C and W would be 70.
#[test]
fn trade_layer_specific_pair_override_wins() {
    let (s, o, r) = solve(TRADE);
    assert!(o.is_optimal());
    assert_relative_eq!(r.objective.unwrap(), 88.0, epsilon = 1e-6);
    assert_relative_eq!(flow(&r, "A", "B", "chip", 1), 10.0, epsilon = 1e-6);
    assert_relative_eq!(price(&r, "B", "chip", 1), 1.2, epsilon = 1e-6);
    assert_relative_eq!(export_price(&r, "A", "chip", 1), 1.0, epsilon = 1e-6);
    assert_price_by_fd(&s, &BuildOptions::from_file(&s), &r, "B", "chip", 1);
    assert_identities(&r);
}

/// Same, with A -> B blocked (no `layers` = every layer): B must buy from C at 2 + default 1 = 3.
/// W = 10 (10 - 3) = 70, λ_B = 3, π_C = 2, no flow A -> B.
#[test]
fn trade_block_forces_costlier_route() {
    let text = format!("{TRADE}\n[[trade.block]]\nfrom = \"A\"\nto = \"B\"\n");
    let (s, o, r) = solve(&text);
    assert!(o.is_optimal());
    assert_relative_eq!(r.objective.unwrap(), 70.0, epsilon = 1e-6);
    assert_relative_eq!(flow(&r, "A", "B", "chip", 1), 0.0, epsilon = 1e-9);
    assert_relative_eq!(flow(&r, "C", "B", "chip", 1), 10.0, epsilon = 1e-6);
    assert_relative_eq!(price(&r, "B", "chip", 1), 3.0, epsilon = 1e-6);
    assert_relative_eq!(export_price(&r, "C", "chip", 1), 2.0, epsilon = 1e-6);
    assert_price_by_fd(&s, &BuildOptions::from_file(&s), &r, "B", "chip", 1);
    assert_identities(&r);
}

// =============================================================================================
// Comparative advantage with a shared, non-tradable talent layer
// =============================================================================================

/// Ricardo. Talent is non-tradable, free (unit cost 0), A has 8 units, B has 10. Chips and
/// software cost nothing but talent; the layer technology is chip 1 talent, soft 2 talent, and
/// each country overrides one column: A soft = 1.5 talent, B chip = 4 talent. So A is better at
/// both, but talent earns 3/1 = 3 in A chips vs 4/1.5 = 2.67 in A soft, and 3/4 = 0.75 in B chips
/// vs 4/2 = 2 in B soft. Demand, each country: chips 5 at 3, soft 5 at 4; free trade.
/// A makes 8 chips (8 of 10 wanted), B makes 5 soft (of 10): W = 8*3 + 5*4 = 44.
/// Prices: chips 3 and soft 4 everywhere (demand unsaturated, trade free); talent 3 in A (one
/// more talent = one more chip) and 2 in B (= half a soft). Checks: A chip cost 1*3 = 3 = price,
/// B soft 2*2 = 4 = price, A soft 1.5*3 = 4.5 > 4 and B chip 4*2 = 8 > 3 are not made.
/// (If the overrides were ignored, B would make chips and W would be 46.)
#[test]
fn comparative_advantage_with_country_specific_talent_inputs() {
    let text = r#"
[meta]
name = "ricardo"
[[layer]]
id = "talent"
tradable = false
[[layer]]
id = "chip"
inputs = { talent = 1.0 }
[[layer]]
id = "soft"
inputs = { talent = 2.0 }
[[country]]
id = "A"
[[country]]
id = "B"
[[capability]]
country = "A"
layer = "talent"
unit_cost = 0.0
capacity = 8
[[capability]]
country = "B"
layer = "talent"
unit_cost = 0.0
capacity = 10
[[capability]]
country = "A"
layer = "chip"
unit_cost = 0.0
capacity = 100
[[capability]]
country = "A"
layer = "soft"
unit_cost = 0.0
capacity = 100
inputs = { talent = 1.5 }
[[capability]]
country = "B"
layer = "chip"
unit_cost = 0.0
capacity = 100
inputs = { talent = 4.0 }
[[capability]]
country = "B"
layer = "soft"
unit_cost = 0.0
capacity = 100
[[demand]]
country = "A"
layer = "chip"
blocks = [{ quantity = 5, value = 3.0 }]
[[demand]]
country = "A"
layer = "soft"
blocks = [{ quantity = 5, value = 4.0 }]
[[demand]]
country = "B"
layer = "chip"
blocks = [{ quantity = 5, value = 3.0 }]
[[demand]]
country = "B"
layer = "soft"
blocks = [{ quantity = 5, value = 4.0 }]
"#;
    let (s, o, r) = solve(text);
    assert!(o.is_optimal());
    assert_relative_eq!(r.objective.unwrap(), 44.0, epsilon = 1e-6);
    assert_relative_eq!(production(&r, "A", "chip", 1), 8.0, epsilon = 1e-6);
    assert_relative_eq!(production(&r, "B", "soft", 1), 5.0, epsilon = 1e-6);
    assert_relative_eq!(production(&r, "A", "soft", 1), 0.0, epsilon = 1e-9);
    assert_relative_eq!(production(&r, "B", "chip", 1), 0.0, epsilon = 1e-9);
    assert_relative_eq!(price(&r, "A", "talent", 1), 3.0, epsilon = 1e-6);
    assert_relative_eq!(price(&r, "B", "talent", 1), 2.0, epsilon = 1e-6);
    for c in ["A", "B"] {
        assert_relative_eq!(price(&r, c, "chip", 1), 3.0, epsilon = 1e-6);
        assert_relative_eq!(price(&r, c, "soft", 1), 4.0, epsilon = 1e-6);
    }
    assert_relative_eq!(rent(&r, "A", "talent", 1), 3.0, epsilon = 1e-6);
    assert!(
        r.flows.iter().all(|f| f.layer != "talent"),
        "talent is non-tradable"
    );
    assert_price_by_fd(&s, &BuildOptions::from_file(&s), &r, "B", "talent", 1);
    assert_identities(&r);
}

// =============================================================================================
// Leontief inputs
// =============================================================================================

/// One country. Fab at unit cost 2 (capacity `FABCAP`), compute at unit cost 1 using 0.5 fab per
/// unit (layer `inputs`), capacity 100; demand 20 compute at 10.
const LEONTIEF: &str = r#"
[meta]
name = "leontief"
[[layer]]
id = "fab"
[[layer]]
id = "compute"
inputs = { fab = 0.5 }
[[country]]
id = "A"
[[capability]]
country = "A"
layer = "fab"
unit_cost = 2.0
capacity = FABCAP
[[capability]]
country = "A"
layer = "compute"
unit_cost = 1.0
capacity = 100
[[demand]]
country = "A"
layer = "compute"
blocks = [{ quantity = 20, value = 10.0 }]
"#;

/// Fab capacity 100 (slack): all 20 compute served at 1 + 0.5*2 = 2 per unit, using 10 fab.
/// W = 20 (10 - 2) = 160. λ_fab = 2 (unit cost), λ_compute = 1 + 0.5 λ_fab = 2.
#[test]
fn leontief_output_price_is_unit_cost_plus_input_cost() {
    let (s, o, r) = solve(&LEONTIEF.replace("FABCAP", "100"));
    assert!(o.is_optimal());
    assert_relative_eq!(r.objective.unwrap(), 160.0, epsilon = 1e-6);
    assert_relative_eq!(production(&r, "A", "fab", 1), 10.0, epsilon = 1e-6);
    assert_relative_eq!(price(&r, "A", "fab", 1), 2.0, epsilon = 1e-6);
    assert_relative_eq!(price(&r, "A", "compute", 1), 2.0, epsilon = 1e-6);
    let opts = BuildOptions::from_file(&s);
    assert_price_by_fd(&s, &opts, &r, "A", "fab", 1);
    assert_price_by_fd(&s, &opts, &r, "A", "compute", 1);
    assert_identities(&r);
}

/// Fab capacity 5 binds: only 10 compute (half the demand). W = 10 (10 - 1) - 5*2 = 80.
/// λ_compute = 10 (unserved demand); one more fab makes 2 more compute worth 10 - 1 each, so
/// λ_fab = 18 and still λ_compute = 1 + 0.5*18 = 10. Fab rent = 18 - 2 = 16. The producer of fab
/// earns (18 - 2)*5 = 80, compute earns (10 - 1 - 0.5*18)*10 = 0.
#[test]
fn leontief_binding_input_is_priced_from_the_output() {
    let (s, o, r) = solve(&LEONTIEF.replace("FABCAP", "5"));
    assert!(o.is_optimal());
    assert_relative_eq!(r.objective.unwrap(), 80.0, epsilon = 1e-6);
    assert_relative_eq!(price(&r, "A", "compute", 1), 10.0, epsilon = 1e-6);
    assert_relative_eq!(price(&r, "A", "fab", 1), 18.0, epsilon = 1e-6);
    assert_relative_eq!(rent(&r, "A", "fab", 1), 16.0, epsilon = 1e-6);
    assert_relative_eq!(rent(&r, "A", "compute", 1), 0.0, epsilon = 1e-6);
    assert_relative_eq!(producer(&r, "A", "fab").profit, 80.0, epsilon = 1e-6);
    assert_relative_eq!(producer(&r, "A", "compute").profit, 0.0, epsilon = 1e-6);
    let opts = BuildOptions::from_file(&s);
    assert_price_by_fd(&s, &opts, &r, "A", "fab", 1);
    assert_price_by_fd(&s, &opts, &r, "A", "compute", 1);
    assert_identities(&r);
}

/// A capability's `inputs = {}` replaces the layer's column with "no inputs": compute costs 1
/// only, no fab is made. W = 20 (10 - 1) = 180, λ_compute = 1.
#[test]
fn capability_empty_inputs_means_no_inputs() {
    let text = LEONTIEF.replace("FABCAP", "100").replace(
        "unit_cost = 1.0\ncapacity = 100",
        "unit_cost = 1.0\ncapacity = 100\ninputs = {}",
    );
    assert!(text.contains("inputs = {}"));
    let (_, o, r) = solve(&text);
    assert!(o.is_optimal());
    assert_relative_eq!(r.objective.unwrap(), 180.0, epsilon = 1e-6);
    assert_relative_eq!(production(&r, "A", "fab", 1), 0.0, epsilon = 1e-9);
    assert_relative_eq!(price(&r, "A", "compute", 1), 1.0, epsilon = 1e-6);
    assert_identities(&r);
}

// =============================================================================================
// import_requires and non-tradable layers
// =============================================================================================

/// A makes models at 1; B wants 10 models at 10 and has only evaluation capacity (non-tradable,
/// unit cost 2, capacity `EVALCAP`). Each imported model needs 0.5 eval in the importer.
const IMPORT_REQ: &str = r#"
[meta]
name = "import requires"
[[layer]]
id = "models"
import_requires = { eval = 0.5 }
[[layer]]
id = "eval"
tradable = false
[[country]]
id = "A"
[[country]]
id = "B"
[[capability]]
country = "A"
layer = "models"
unit_cost = 1.0
capacity = 100
[[capability]]
country = "B"
layer = "eval"
unit_cost = 2.0
capacity = EVALCAP
[[demand]]
country = "B"
layer = "models"
blocks = [{ quantity = 10, value = 10.0 }]
"#;

/// Eval capacity 100: import all 10, using 5 eval: W = 10 (10 - 1) - 5*2 = 80. λ_B,eval = 2,
/// λ_B,models = π_A + m λ_eval = 1 + 0.5*2 = 2 (a free model saves one import and its eval).
#[test]
fn import_requires_charges_evaluation_in_importer() {
    let (s, o, r) = solve(&IMPORT_REQ.replace("EVALCAP", "100"));
    assert!(o.is_optimal());
    assert_relative_eq!(r.objective.unwrap(), 80.0, epsilon = 1e-6);
    assert_relative_eq!(production(&r, "B", "eval", 1), 5.0, epsilon = 1e-6);
    assert_relative_eq!(price(&r, "B", "eval", 1), 2.0, epsilon = 1e-6);
    assert_relative_eq!(price(&r, "B", "models", 1), 2.0, epsilon = 1e-6);
    assert_relative_eq!(export_price(&r, "A", "models", 1), 1.0, epsilon = 1e-6);
    assert_price_by_fd(&s, &BuildOptions::from_file(&s), &r, "B", "models", 1);
    assert_identities(&r);
}

/// Eval capacity 4 binds: only 8 models can be imported. W = 8*9 - 4*2 = 64. λ_B,models = 10
/// (unserved), λ_B,eval = 2 more imports * (10 - 1) = 18 = (λ_models - π_A)/m; eval rent 16.
#[test]
fn import_requires_binding_evaluation_capacity() {
    let (s, o, r) = solve(&IMPORT_REQ.replace("EVALCAP", "4"));
    assert!(o.is_optimal());
    assert_relative_eq!(r.objective.unwrap(), 64.0, epsilon = 1e-6);
    assert_relative_eq!(flow(&r, "A", "B", "models", 1), 8.0, epsilon = 1e-6);
    assert_relative_eq!(price(&r, "B", "models", 1), 10.0, epsilon = 1e-6);
    assert_relative_eq!(price(&r, "B", "eval", 1), 18.0, epsilon = 1e-6);
    assert_relative_eq!(rent(&r, "B", "eval", 1), 16.0, epsilon = 1e-6);
    assert_price_by_fd(&s, &BuildOptions::from_file(&s), &r, "B", "eval", 1);
    assert_identities(&r);
}

/// Power is non-tradable: B must make its own at 5 although A makes it at 1 (trade cost 0.5).
/// W = 10 (10 - 5) = 50, λ_B = 5, no flows. Made tradable, B imports at 1.5: W = 85, λ_B = 1.5.
#[test]
fn non_tradable_layer_is_made_at_home() {
    let text = r#"
[meta]
name = "non-tradable"
[trade]
default_cost = 0.5
[[layer]]
id = "power"
tradable = false
[[country]]
id = "A"
[[country]]
id = "B"
[[capability]]
country = "A"
layer = "power"
unit_cost = 1.0
capacity = 100
[[capability]]
country = "B"
layer = "power"
unit_cost = 5.0
capacity = 100
[[demand]]
country = "B"
layer = "power"
blocks = [{ quantity = 10, value = 10.0 }]
"#;
    let (_, o, r) = solve(text);
    assert!(o.is_optimal());
    assert_relative_eq!(r.objective.unwrap(), 50.0, epsilon = 1e-6);
    assert!(r.flows.is_empty());
    assert!(
        o.program
            .columns
            .iter()
            .all(|c| !matches!(c.var, Var::Flow { .. })),
        "no flow column"
    );
    assert_relative_eq!(price(&r, "B", "power", 1), 5.0, epsilon = 1e-6);
    assert_identities(&r);

    let (_, _, r) = solve(&text.replace("tradable = false", "tradable = true"));
    assert_relative_eq!(r.objective.unwrap(), 85.0, epsilon = 1e-6);
    assert_relative_eq!(price(&r, "B", "power", 1), 1.5, epsilon = 1e-6);
    assert_identities(&r);
}

// =============================================================================================
// Periods: discounting, cost trend, growth, expansion with lead time
// =============================================================================================

/// Two periods, discount_rate 1 so δ_2 = 0.5. Unit cost 2 with cost_trend 1.5 (u_2 = 3), demand
/// 5 at 6 with growth 2 (10 units in period 2), capacity 20 (slack).
/// W = 5 (6 - 2) + 0.5 * 10 (6 - 3) = 20 + 15 = 35. Prices in each period's money: λ_1 = 2,
/// λ_2 = 3 (the discounted dual is 1.5; the report divides by δ_2).
#[test]
fn discounting_cost_trend_and_growth_prices_in_period_money() {
    let text = r#"
[meta]
name = "discounting"
periods = 2
discount_rate = 1.0
[[layer]]
id = "chip"
[[country]]
id = "A"
[[capability]]
country = "A"
layer = "chip"
unit_cost = 2.0
cost_trend = 1.5
capacity = 20
[[demand]]
country = "A"
layer = "chip"
blocks = [{ quantity = 5, value = 6.0 }]
growth = 2.0
"#;
    let (s, o, r) = solve(text);
    assert!(o.is_optimal());
    assert_relative_eq!(r.objective.unwrap(), 35.0, epsilon = 1e-6);
    assert_relative_eq!(consumption(&r, "A", "chip", 2), 10.0, epsilon = 1e-6);
    assert_relative_eq!(price(&r, "A", "chip", 1), 2.0, epsilon = 1e-6);
    assert_relative_eq!(price(&r, "A", "chip", 2), 3.0, epsilon = 1e-6);
    let opts = BuildOptions::from_file(&s);
    let (left, right) = fd_price(&s, &opts, "A", "chip", 2, 1.0);
    // Raw W differences are δ_2 λ_2 = 1.5; fd_price divides by δ_2.
    assert_relative_eq!(left, 3.0, epsilon = 1e-6);
    assert_relative_eq!(right, 3.0, epsilon = 1e-6);
    assert_identities(&r);
}

/// Two periods, δ_2 = 1/1.25 = 0.8. Capacity 5 at unit cost 1; up to 10 more can be built at 2
/// per unit, usable lead_time = 1 period later. Demand 10 at 10 in each period.
/// Period 1: only K0 = 5 is usable: 5 served. Period 2: building z_1 costs 2 (paid in period 1,
/// δ_1 = 1) and earns 0.8 (10 - 1) = 7.2 > 2, so z_1 = 5; z_2 would only be usable in period 3.
/// W = 5*9 + 0.8 * 10*9 - 5*2 = 45 + 72 - 10 = 107.
/// λ_1 = 10 (unserved demand; capacity rent 9). In period 2 a free unit saves one unit of z_1
/// (2, period-1 money) and one of production (0.8): discounted 2.8, so λ_2 = 2.8/0.8 = 3.5 in
/// period-2 money = 1 + 2/0.8; capacity rent in period 2 = 2/0.8 = 2.5.
#[test]
fn expansion_with_lead_time_and_discounting() {
    let text = r#"
[meta]
name = "expansion"
periods = 2
discount_rate = 0.25
[[layer]]
id = "chip"
[[country]]
id = "A"
[[capability]]
country = "A"
layer = "chip"
unit_cost = 1.0
capacity = 5
max_expansion = 10
expansion_cost = 2.0
lead_time = 1
[[demand]]
country = "A"
layer = "chip"
blocks = [{ quantity = 10, value = 10.0 }]
"#;
    let (s, o, r) = solve(text);
    assert!(o.is_optimal());
    assert_relative_eq!(r.objective.unwrap(), 107.0, epsilon = 1e-6);
    assert_relative_eq!(capacity_built(&r, "A", "chip", 1), 5.0, epsilon = 1e-6);
    assert_relative_eq!(capacity_built(&r, "A", "chip", 2), 0.0, epsilon = 1e-9);
    assert_relative_eq!(production(&r, "A", "chip", 1), 5.0, epsilon = 1e-6);
    assert_relative_eq!(production(&r, "A", "chip", 2), 10.0, epsilon = 1e-6);
    assert_relative_eq!(price(&r, "A", "chip", 1), 10.0, epsilon = 1e-6);
    assert_relative_eq!(price(&r, "A", "chip", 2), 3.5, epsilon = 1e-6);
    assert_relative_eq!(rent(&r, "A", "chip", 1), 9.0, epsilon = 1e-6);
    assert_relative_eq!(rent(&r, "A", "chip", 2), 2.5, epsilon = 1e-6);
    let opts = BuildOptions::from_file(&s);
    assert_price_by_fd(&s, &opts, &r, "A", "chip", 1);
    assert_price_by_fd(&s, &opts, &r, "A", "chip", 2);
    // Raw difference in W is δ_2 λ_2 = 0.8 * 3.5 = 2.8.
    let c = s.country_index("A").unwrap();
    let mut plus = opts.clone();
    plus.extra_delivery = vec![(c, 0, 2, 1.0)];
    assert_relative_eq!(objective(&s, &plus) - 107.0, 2.8, epsilon = 1e-6);
    // Producer: 5*(10 - 1) + 10*0.8*(3.5 - 1) - 2*5 = 45 + 20 - 10 = 55; consumers get
    // 10*(0.8*10 - 2.8) = 52 in period 2 and nothing in period 1 (price = value).
    assert_relative_eq!(producer(&r, "A", "chip").profit, 55.0, epsilon = 1e-6);
    assert_relative_eq!(r.welfare[0].consumers, 52.0, epsilon = 1e-6);
    assert_identities(&r);
}

// =============================================================================================
// Integer decisions: entry cost, minimum scale
// =============================================================================================

/// A can enter chips (entry cost `ENTRY`, unit cost 1, K0 = 0, up to 100 capacity built free);
/// B makes chips at 4 with ample capacity; A wants 10 at 10; free trade.
const ENTRY: &str = r#"
[meta]
name = "entry"
[[layer]]
id = "chip"
[[country]]
id = "A"
[[country]]
id = "B"
[[capability]]
country = "A"
layer = "chip"
unit_cost = 1.0
entry_cost = ENTRY
max_expansion = 100
[[capability]]
country = "B"
layer = "chip"
unit_cost = 4.0
capacity = 100
[[demand]]
country = "A"
layer = "chip"
blocks = [{ quantity = 10, value = 10.0 }]
"#;

/// Entry cost 20: enter, 10 (10 - 1) - 20 = 70 > import 10 (10 - 4) = 60. W = 70. Restricted
/// pricing (y fixed at 1): λ_A = 1, so A's profit = 0 - 20 and uplift_integer = 20 (the entry
/// cost prices do not cover), uplift_security = 0.
/// Relaxed: y = p/100, n = y, so entry costs 0.2 per unit: W = 10 (10 - 1.2) = 88 >= 70, with
/// λ_A = 1.2.
#[test]
fn entry_cost_mip_enters_and_relaxation_bounds_it() {
    let (s, o, r) = solve(&ENTRY.replace("ENTRY", "20.0"));
    assert!(o.is_optimal());
    assert!(o.mip && r.mip);
    assert_relative_eq!(r.objective.unwrap(), 70.0, epsilon = 1e-6);
    assert_relative_eq!(operating(&r, "A", "chip", 1).operating, 1.0, epsilon = 1e-9);
    assert_relative_eq!(operating(&r, "A", "chip", 1).entered, 1.0, epsilon = 1e-9);
    assert_relative_eq!(price(&r, "A", "chip", 1), 1.0, epsilon = 1e-6);
    let p = producer(&r, "A", "chip");
    assert_relative_eq!(p.profit, -20.0, epsilon = 1e-6);
    assert_relative_eq!(p.uplift_integer, 20.0, epsilon = 1e-6);
    assert_relative_eq!(p.uplift_security, 0.0, epsilon = 1e-9);
    assert_relative_eq!(p.uplift_total, 20.0, epsilon = 1e-6);
    assert_price_by_fd(&s, &BuildOptions::from_file(&s), &r, "A", "chip", 1);
    assert_identities(&r);

    let (ro, rr) = solve_with(&s, &relaxed(&s));
    assert!(ro.is_optimal() && !ro.mip && ro.relaxed);
    assert_relative_eq!(rr.objective.unwrap(), 88.0, epsilon = 1e-6);
    assert!(rr.objective.unwrap() >= r.objective.unwrap() - 1e-9);
    assert_relative_eq!(price(&rr, "A", "chip", 1), 1.2, epsilon = 1e-6);
    assert_identities(&rr);
}

/// Entry cost 40: entering gives 90 - 40 = 50 < 60, so A imports from B: W = 60, λ_A = 4, A
/// neither operates nor has any profit or uplift. Relaxed: 1 + 0.4 = 1.4 < 4 per unit, so
/// W = 10 (10 - 1.4) = 86 >= 60.
#[test]
fn entry_cost_too_high_mip_stays_out() {
    let (s, o, r) = solve(&ENTRY.replace("ENTRY", "40.0"));
    assert!(o.is_optimal());
    assert_relative_eq!(r.objective.unwrap(), 60.0, epsilon = 1e-6);
    assert_relative_eq!(operating(&r, "A", "chip", 1).operating, 0.0, epsilon = 1e-9);
    assert_relative_eq!(flow(&r, "B", "A", "chip", 1), 10.0, epsilon = 1e-6);
    assert_relative_eq!(price(&r, "A", "chip", 1), 4.0, epsilon = 1e-6);
    assert_relative_eq!(producer(&r, "A", "chip").uplift_total, 0.0, epsilon = 1e-9);
    assert_identities(&r);
    let w_relaxed = objective(&s, &relaxed(&s));
    assert_relative_eq!(w_relaxed, 86.0, epsilon = 1e-6);
}

/// A has capacity 100 at unit cost 1 but a minimum scale of 20; it wants 10 at 10. B sells at 3.
/// Operating: make 20, consume 10, dispose of 10: W = 100 - 20 = 80 > importing 100 - 30 = 70.
/// With y fixed at 1 the surplus is disposed of, so a free unit is worthless: λ_A = 0 (both
/// ways: the 20-unit floor on output stays). A's profit = (0 - 1)*20 = -20: uplift_integer 20;
/// consumers get 10*10 = 100. Relaxed: y = 0.1 satisfies p >= 20y with p = 10: W = 90.
#[test]
fn min_scale_forces_surplus_zero_price_and_uplift() {
    let text = r#"
[meta]
name = "min scale"
[[layer]]
id = "chip"
[[country]]
id = "A"
[[country]]
id = "B"
[[capability]]
country = "A"
layer = "chip"
unit_cost = 1.0
capacity = 100
min_scale = 20
[[capability]]
country = "B"
layer = "chip"
unit_cost = 3.0
capacity = 100
[[demand]]
country = "A"
layer = "chip"
blocks = [{ quantity = 10, value = 10.0 }]
"#;
    let (s, o, r) = solve(text);
    assert!(o.is_optimal() && o.mip);
    assert_relative_eq!(r.objective.unwrap(), 80.0, epsilon = 1e-6);
    assert_relative_eq!(production(&r, "A", "chip", 1), 20.0, epsilon = 1e-6);
    assert_relative_eq!(consumption(&r, "A", "chip", 1), 10.0, epsilon = 1e-6);
    assert_relative_eq!(price(&r, "A", "chip", 1), 0.0, epsilon = 1e-6);
    let p = producer(&r, "A", "chip");
    assert_relative_eq!(p.profit, -20.0, epsilon = 1e-6);
    assert_relative_eq!(p.uplift_integer, 20.0, epsilon = 1e-6);
    assert_relative_eq!(welfare_total(&r, "A"), 80.0, epsilon = 1e-6);
    assert_price_by_fd(&s, &BuildOptions::from_file(&s), &r, "A", "chip", 1);
    assert_identities(&r);
    assert_relative_eq!(objective(&s, &relaxed(&s)), 90.0, epsilon = 1e-6);
}

// =============================================================================================
// Adjacency: discount and ladder
// =============================================================================================

/// A holds memory (K0 = 5, so has = 1 throughout) and may enter fab (entry cost 20, unit cost
/// 2.5, K0 = 0, free expansion); fab lists memory as adjacent. B sells fab at 4. A wants 10 fab
/// at 10. Without a discount: enter 75 - 20 = 55 < import 60. With d = 0.5 the entry costs 10:
/// 75 - 10 = 65 > 60, so A enters with the discount: W = 65, λ_A,fab = 2.5, A's profit
/// = 0 - 20 + 10 = -10, uplift_integer 10.
const ADJACENT: &str = r#"
[meta]
name = "adjacency"
UPGRADE
[[layer]]
id = "mem"
[[layer]]
id = "fab"
adjacent = ["mem"]
DISCOUNT
[[country]]
id = "A"
[[country]]
id = "B"
[[capability]]
country = "A"
layer = "mem"
unit_cost = 1.0
capacity = 5
[[capability]]
country = "A"
layer = "fab"
unit_cost = 2.5
entry_cost = 20
max_expansion = 100
[[capability]]
country = "B"
layer = "fab"
unit_cost = 4.0
capacity = 100
[[demand]]
country = "A"
layer = "fab"
blocks = [{ quantity = 10, value = 10.0 }]
"#;

#[test]
fn adjacency_discount_makes_entry_worthwhile() {
    let (_, o, r) = solve(
        &ADJACENT
            .replace("UPGRADE", "")
            .replace("DISCOUNT", "adjacency_discount = 0.5"),
    );
    assert!(o.is_optimal());
    assert_relative_eq!(r.objective.unwrap(), 65.0, epsilon = 1e-6);
    let op = operating(&r, "A", "fab", 1);
    assert_relative_eq!(op.entered, 1.0, epsilon = 1e-9);
    assert_relative_eq!(op.entered_discounted, 1.0, epsilon = 1e-9);
    assert_relative_eq!(price(&r, "A", "fab", 1), 2.5, epsilon = 1e-6);
    assert_relative_eq!(
        producer(&r, "A", "fab").uplift_integer,
        10.0,
        epsilon = 1e-6
    );
    assert_identities(&r);

    // The same discount through the [upgrade] default.
    let (_, _, r) = solve(
        &ADJACENT
            .replace("UPGRADE", "[upgrade]\nadjacency_discount = 0.5")
            .replace("DISCOUNT", ""),
    );
    assert_relative_eq!(r.objective.unwrap(), 65.0, epsilon = 1e-6);

    // No discount: import at 4.
    let (_, _, r) = solve(&ADJACENT.replace("UPGRADE", "").replace("DISCOUNT", ""));
    assert_relative_eq!(r.objective.unwrap(), 60.0, epsilon = 1e-6);
    assert_relative_eq!(price(&r, "A", "fab", 1), 4.0, epsilon = 1e-6);
    assert_identities(&r);
}

/// Ladder over two periods (no discounting). Fab requires an adjacent capability (memory) held
/// in the previous period. A can enter memory (entry 5, K0 = 0) and fab (entry 5, unit cost 1,
/// K0 = 0, free expansion); B sells fab at 10. A wants 10 fab at 20 each period.
/// Period 1: A cannot run fab (nothing held in period 0): imports, 10 (20 - 10) = 100.
/// Period 2: holding memory in period 1 (entry 5, no output needed) allows fab entry (5):
/// 10 (20 - 1) = 190. W = 100 + 190 - 5 - 5 = 280 (> 200 importing throughout).
/// Prices: λ_fab,1 = 10 (import), λ_fab,2 = 1 (own production, capacity slack).
/// Without requires_adjacent A would enter fab at once: W = 2*190 - 5 = 375.
#[test]
fn ladder_entry_only_after_holding_adjacent_layer() {
    let text = r#"
[meta]
name = "ladder"
periods = 2
[[layer]]
id = "mem"
[[layer]]
id = "fab"
adjacent = ["mem"]
requires_adjacent = true
[[country]]
id = "A"
[[country]]
id = "B"
[[capability]]
country = "A"
layer = "mem"
unit_cost = 1.0
entry_cost = 5
max_expansion = 100
[[capability]]
country = "A"
layer = "fab"
unit_cost = 1.0
entry_cost = 5
max_expansion = 100
[[capability]]
country = "B"
layer = "fab"
unit_cost = 10.0
capacity = 100
[[demand]]
country = "A"
layer = "fab"
blocks = [{ quantity = 10, value = 20.0 }]
"#;
    let (s, o, r) = solve(text);
    assert!(o.is_optimal());
    assert_relative_eq!(r.objective.unwrap(), 280.0, epsilon = 1e-6);
    assert_relative_eq!(operating(&r, "A", "mem", 1).operating, 1.0, epsilon = 1e-9);
    assert_relative_eq!(operating(&r, "A", "fab", 1).operating, 0.0, epsilon = 1e-9);
    assert_relative_eq!(operating(&r, "A", "fab", 2).operating, 1.0, epsilon = 1e-9);
    assert_relative_eq!(production(&r, "A", "fab", 2), 10.0, epsilon = 1e-6);
    assert_relative_eq!(flow(&r, "B", "A", "fab", 1), 10.0, epsilon = 1e-6);
    assert_relative_eq!(price(&r, "A", "fab", 1), 10.0, epsilon = 1e-6);
    assert_relative_eq!(price(&r, "A", "fab", 2), 1.0, epsilon = 1e-6);
    assert_relative_eq!(producer(&r, "A", "mem").uplift_integer, 5.0, epsilon = 1e-6);
    assert_relative_eq!(producer(&r, "A", "fab").uplift_integer, 5.0, epsilon = 1e-6);
    let opts = BuildOptions::from_file(&s);
    assert_price_by_fd(&s, &opts, &r, "A", "fab", 1);
    assert_price_by_fd(&s, &opts, &r, "A", "fab", 2);
    assert_identities(&r);

    let (_, _, r) = solve(&text.replace("requires_adjacent = true", ""));
    assert_relative_eq!(r.objective.unwrap(), 375.0, epsilon = 1e-6);
}

// =============================================================================================
// Security rows
// =============================================================================================

/// A makes chips at 1, B at 5 (ample capacity both); B wants 10 at 10; free trade; B's policy
/// `SECURITY`.
const SECURE: &str = r#"
[meta]
name = "security"
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
unit_cost = 1.0
capacity = 100
[[capability]]
country = "B"
layer = "chip"
unit_cost = 5.0
capacity = 100
[[demand]]
country = "B"
layer = "chip"
blocks = [{ quantity = 10, value = 10.0 }]
[[security]]
country = "B"
layer = "chip"
SECURITY
"#;

/// Floor σ = 0.5: B must make 5 of its 10 at 5, importing the rest at 1.
/// W = 100 - 25 - 5 = 70; without the floor W = 90, so the policy costs 20.
/// A free unit in B displaces an import (the floor is on use, which does not change): λ_B = 1.
/// Floor value: one unit less to make at home saves 5 - 1 = 4 (also dW/dσ = -4 U = -40).
/// B's producer: (1 - 5)*5 = -20, all of it paid by the floor: uplift_security = 4 * 5 = 20,
/// which equals the cost of the policy here.
#[test]
fn domestic_floor_costs_and_security_uplift() {
    let (s, o, r) = solve(&SECURE.replace("SECURITY", "domestic_floor = 0.5"));
    assert!(o.is_optimal());
    assert_relative_eq!(r.objective.unwrap(), 70.0, epsilon = 1e-6);
    assert_relative_eq!(production(&r, "B", "chip", 1), 5.0, epsilon = 1e-6);
    assert_relative_eq!(flow(&r, "A", "B", "chip", 1), 5.0, epsilon = 1e-6);
    assert_relative_eq!(price(&r, "B", "chip", 1), 1.0, epsilon = 1e-6);
    let floor = security_dual(&r, "floor", "B", "chip", 1, None);
    assert_relative_eq!(floor, 4.0, epsilon = 1e-6);
    let p = producer(&r, "B", "chip");
    assert_relative_eq!(p.profit, -20.0, epsilon = 1e-6);
    assert_relative_eq!(p.uplift_security, floor * 5.0, epsilon = 1e-6);
    assert_relative_eq!(p.uplift_integer, 0.0, epsilon = 1e-9);
    assert_price_by_fd(&s, &BuildOptions::from_file(&s), &r, "B", "chip", 1);
    assert_identities(&r);

    let (_, _, free) = solve(&SECURE.replace("SECURITY", ""));
    assert_relative_eq!(free.objective.unwrap(), 90.0, epsilon = 1e-6);
    assert_relative_eq!(
        free.objective.unwrap() - r.objective.unwrap(),
        p.uplift_security,
        epsilon = 1e-6
    );
    // dW/dσ = -floor * U: σ = 0.6 makes B produce one more unit.
    let (_, _, tighter) = solve(&SECURE.replace("SECURITY", "domestic_floor = 0.6"));
    assert_relative_eq!(
        r.objective.unwrap() - tighter.objective.unwrap(),
        floor * 0.1 * 10.0,
        epsilon = 1e-6
    );
}

/// Max supplier share μ = 0.6 with a third supplier C at 2 (SECURE plus C's capability): A may
/// ship at most 6 of B's 10, C ships 4. W = 100 - 6*1 - 4*2 = 86. λ_B = 2 (a free unit displaces
/// C). Share row for A: one more unit from A instead of C saves 1; C's row is slack (4 < 6).
/// Export prices: π_A = λ_B - share value = 1, π_C = 2.
#[test]
fn max_supplier_share_splits_imports() {
    let text = SECURE.replace("SECURITY", "max_supplier_share = 0.6")
        + "[[capability]]\ncountry = \"C\"\nlayer = \"chip\"\nunit_cost = 2.0\ncapacity = 100\n";
    let (s, o, r) = solve(&text);
    assert!(o.is_optimal());
    assert_relative_eq!(r.objective.unwrap(), 86.0, epsilon = 1e-6);
    assert_relative_eq!(flow(&r, "A", "B", "chip", 1), 6.0, epsilon = 1e-6);
    assert_relative_eq!(flow(&r, "C", "B", "chip", 1), 4.0, epsilon = 1e-6);
    assert_relative_eq!(price(&r, "B", "chip", 1), 2.0, epsilon = 1e-6);
    assert_relative_eq!(
        security_dual(&r, "supplier_share", "B", "chip", 1, Some("A")),
        1.0,
        epsilon = 1e-6
    );
    assert_relative_eq!(
        security_dual(&r, "supplier_share", "B", "chip", 1, Some("C")),
        0.0,
        epsilon = 1e-6
    );
    assert_relative_eq!(export_price(&r, "A", "chip", 1), 1.0, epsilon = 1e-6);
    assert_relative_eq!(export_price(&r, "C", "chip", 1), 2.0, epsilon = 1e-6);
    assert_price_by_fd(&s, &BuildOptions::from_file(&s), &r, "B", "chip", 1);
    assert_identities(&r);
}

/// N-1 with φ = 0.8 and reserve cost 0.5. Losing A (the only foreign supplier) must leave
/// 10 - f_A + r_B,B >= 8, so r_B,B >= f_A - 2 (B's own standby; r_A,B does not count for losing
/// A). Per unit imported above 2: 1 + 0.5 = 1.5 < 5 made at home, so f_A = 10, r_B,B = 8.
/// W = 100 - 10 - 0.5*8 = 86. λ_B = 1.5 (a free unit saves an import and a unit of standby);
/// N-1 value = 0.5 (one unit less standby); π_A = λ_B - 0.5 = 1.
#[test]
fn n_minus_1_buys_standby_reserves() {
    let (s, o, r) = solve(&SECURE.replace("SECURITY", "n_minus_1 = 0.8\nreserve_cost = 0.5"));
    assert!(o.is_optimal());
    assert_relative_eq!(r.objective.unwrap(), 86.0, epsilon = 1e-6);
    assert_relative_eq!(flow(&r, "A", "B", "chip", 1), 10.0, epsilon = 1e-6);
    assert_relative_eq!(reserve(&r, "B", "B", "chip", 1), 8.0, epsilon = 1e-6);
    assert_relative_eq!(reserve(&r, "A", "B", "chip", 1), 0.0, epsilon = 1e-9);
    assert_relative_eq!(price(&r, "B", "chip", 1), 1.5, epsilon = 1e-6);
    assert_relative_eq!(
        security_dual(&r, "n_minus_1", "B", "chip", 1, Some("A")),
        0.5,
        epsilon = 1e-6
    );
    assert_relative_eq!(export_price(&r, "A", "chip", 1), 1.0, epsilon = 1e-6);
    // B: consumers (10 - 1.5)*10 = 85, rents (1.5 - 1)*10 - 0.5*8 = 1.
    let wb = r.welfare.iter().find(|w| w.country == "B").unwrap();
    assert_relative_eq!(wb.consumers, 85.0, epsilon = 1e-6);
    assert_relative_eq!(wb.rents, 1.0, epsilon = 1e-6);
    assert_price_by_fd(&s, &BuildOptions::from_file(&s), &r, "B", "chip", 1);
    assert_identities(&r);
}

// =============================================================================================
// Essential demand and sign conventions
// =============================================================================================

/// Unit cost 5, demand blocks 5 at 10 and 5 at 3, must_serve `MUST`. Without it only the first
/// block is served: W = 25. With must_serve 8: W = 5*10 + 3*3 - 8*5 = 19. λ = 5 (a free unit
/// saves production; the low block stays served because of the floor). The `>=` row
/// x_1 + x_2 >= 8 has dW/d(rhs) = -(5 - 3) = -2 (W(9) = 17, W(7) = 21), so its dual is -2 and
/// its shadow value (value of relaxing it by one unit) is +2.
const ESSENTIAL: &str = r#"
[meta]
name = "essential"
[[layer]]
id = "chip"
[[country]]
id = "A"
[[capability]]
country = "A"
layer = "chip"
unit_cost = 5.0
capacity = 100
[[demand]]
country = "A"
layer = "chip"
blocks = [{ quantity = 5, value = 10.0 }, { quantity = 5, value = 3.0 }]
must_serve = MUST
"#;

#[test]
fn essential_demand_binding_ge_row_sign() {
    let (s, o, r) = solve(&ESSENTIAL.replace("MUST", "8"));
    assert!(o.is_optimal());
    assert_relative_eq!(r.objective.unwrap(), 19.0, epsilon = 1e-6);
    assert_relative_eq!(consumption(&r, "A", "chip", 1), 8.0, epsilon = 1e-6);
    assert_relative_eq!(price(&r, "A", "chip", 1), 5.0, epsilon = 1e-6);
    let v = View::new(&s, &o).unwrap();
    let row = Row::Essential {
        country: 0,
        layer: 0,
        period: 1,
    };
    assert_eq!(
        o.program.rows[o.program.row(&row).unwrap()].sense,
        Sense::Ge
    );
    assert_relative_eq!(v.dual(row), -2.0, epsilon = 1e-6);
    assert_relative_eq!(v.shadow(row), 2.0, epsilon = 1e-6);
    let w = |m: &str| solve(&ESSENTIAL.replace("MUST", m)).2.objective.unwrap();
    assert_relative_eq!(w("9") - w("8"), v.dual(row), epsilon = 1e-6);
    assert_relative_eq!(w("8") - w("7"), v.dual(row), epsilon = 1e-6);
    assert_relative_eq!(w("0"), 25.0, epsilon = 1e-6);
    assert_price_by_fd(&s, &BuildOptions::from_file(&s), &r, "A", "chip", 1);
    // Consumers: (10 - 5)*5 + (3 - 5)*3 = 19; the producer earns nothing.
    assert_relative_eq!(r.welfare[0].consumers, 19.0, epsilon = 1e-6);
    assert_identities(&r);
}

/// `<=` row: the capacity row of the binding one-layer case (capacity 4, demand 5 at 3, unit
/// cost 1). dW/dK0 = 3 - 1 = 2 = W(K0 = 5) - W(K0 = 4) = 10 - 8 = W(4) - W(3) = 8 - 6: the dual
/// is +2 and so is the shadow value.
#[test]
fn capacity_le_row_dual_matches_finite_difference() {
    let text = ONE_LAYER.replace("capacity = 10", "capacity = 4");
    let (s, o, r) = solve(&text);
    let v = View::new(&s, &o).unwrap();
    let row = Row::Capacity {
        country: 0,
        layer: 0,
        period: 1,
    };
    assert_eq!(
        o.program.rows[o.program.row(&row).unwrap()].sense,
        Sense::Le
    );
    assert_relative_eq!(v.dual(row), 2.0, epsilon = 1e-6);
    assert_relative_eq!(v.shadow(row), 2.0, epsilon = 1e-6);
    let w = |k: &str| {
        solve(&ONE_LAYER.replace("capacity = 10", k))
            .2
            .objective
            .unwrap()
    };
    assert_relative_eq!(w("capacity = 5") - w("capacity = 4"), 2.0, epsilon = 1e-6);
    assert_relative_eq!(w("capacity = 4") - w("capacity = 3"), 2.0, epsilon = 1e-6);
    assert_price_by_fd(&s, &BuildOptions::from_file(&s), &r, "A", "chip", 1);
    assert_identities(&r);
}

/// A raw program with one row of each sense, to pin the dual sign convention of the backend:
/// max 3x + 2y + z  s.t.  x + y + z = 5 (Eq),  x <= 3 (Le),  z >= 1 (Ge),  x, y, z >= 0.
/// Optimum x = 3, y = 1, z = 1, W = 12 (y basic, the three rows binding, non-degenerate).
/// dW/d rhs: Eq +1 -> one more y: +2. Le +1 -> x up, y down: +1. Ge +1 -> z up, y down: -1.
/// Duals [2, 1, -1]; shadow values (value of relaxing) [2, 1, 1]; dual objective
/// 5*2 + 3*1 + 1*(-1) = 12.
#[test]
fn raw_lp_dual_signs_for_le_ge_eq_rows() {
    let program = |rhs: [f64; 3]| {
        let mut p = Program::default();
        for (layer, obj) in [3.0, 2.0, 1.0].into_iter().enumerate() {
            p.columns.push(Column {
                var: Var::Produce {
                    country: 0,
                    layer,
                    period: 1,
                },
                outcome: None,
                lower: 0.0,
                upper: f64::INFINITY,
                objective: obj,
                welfare: obj,
                integer: false,
            });
        }
        let row = |layer| Row::Balance {
            country: 0,
            layer,
            period: 1,
        };
        p.rows.push(Constraint {
            outcome: None,
            row: row(0),
            terms: vec![(0, 1.0), (1, 1.0), (2, 1.0)],
            sense: Sense::Eq,
            rhs: rhs[0],
        });
        p.rows.push(Constraint {
            outcome: None,
            row: row(1),
            terms: vec![(0, 1.0)],
            sense: Sense::Le,
            rhs: rhs[1],
        });
        p.rows.push(Constraint {
            outcome: None,
            row: row(2),
            terms: vec![(2, 1.0)],
            sense: Sense::Ge,
            rhs: rhs[2],
        });
        p
    };
    let base = [5.0, 3.0, 1.0];
    let o = results::solve_program(program(base), &SolveConfig::default()).unwrap();
    assert!(o.is_optimal());
    let sol = o.solution.as_ref().unwrap();
    assert_relative_eq!(sol.objective, 12.0, epsilon = 1e-7);
    assert_relative_eq!(sol.values[0], 3.0, epsilon = 1e-7);
    assert_relative_eq!(sol.values[1], 1.0, epsilon = 1e-7);
    assert_relative_eq!(sol.values[2], 1.0, epsilon = 1e-7);
    let expected = [2.0, 1.0, -1.0];
    let senses = [Sense::Eq, Sense::Le, Sense::Ge];
    for i in 0..3 {
        assert_relative_eq!(sol.duals[i], expected[i], epsilon = 1e-7);
        assert_relative_eq!(
            results::shadow_value(senses[i], sol.duals[i]),
            expected[i].abs(),
            epsilon = 1e-7
        );
        // Finite differences on the right-hand side, both sides.
        let w = |d: f64| {
            let mut rhs = base;
            rhs[i] += d;
            results::solve_program(program(rhs), &SolveConfig::default())
                .unwrap()
                .objective()
                .unwrap()
        };
        assert_relative_eq!((w(0.5) - 12.0) / 0.5, expected[i], epsilon = 1e-7);
        assert_relative_eq!((12.0 - w(-0.5)) / 0.5, expected[i], epsilon = 1e-7);
    }
    assert_relative_eq!(sol.dual_objective, 12.0, epsilon = 1e-7);
}

// =============================================================================================
// Agreement clauses (each activated through BuildOptions.active)
// =============================================================================================

/// Mutual recognition between A and B on models (interop cost 3) and eval (non-tradable).
/// A makes both at 1; B makes models at 3 and eval at 4; C (not a member) makes nothing. Demand:
/// B and C each want 10 models and 5 eval at 10; free trade apart from interop.
/// Inactive: B makes its models (3 < 1 + 3) and eval: 10*7 + 5*6 = 100; C imports models from A
/// at 4: 60; C gets no eval. W = 160, λ_B,models = 3, λ_B,eval = 4, λ_C,models = 4.
/// Active: B imports both from A at 1: 90 + 45; C unchanged (still pays interop, eval still
/// closed to it): W = 195, λ_B,models = λ_B,eval = 1, λ_C,models = 4, λ_C,eval = 10.
#[test]
fn clause_mutual_recognition_removes_interop_and_opens_layer() {
    let text = r#"
[meta]
name = "mutual recognition"
[[layer]]
id = "models"
interop_cost = 3.0
[[layer]]
id = "eval"
tradable = false
[[country]]
id = "A"
[[country]]
id = "B"
[[country]]
id = "C"
[[capability]]
country = "A"
layer = "models"
unit_cost = 1.0
capacity = 100
[[capability]]
country = "B"
layer = "models"
unit_cost = 3.0
capacity = 100
[[capability]]
country = "A"
layer = "eval"
unit_cost = 1.0
capacity = 100
[[capability]]
country = "B"
layer = "eval"
unit_cost = 4.0
capacity = 100
[[demand]]
country = "B"
layer = "models"
blocks = [{ quantity = 10, value = 10.0 }]
[[demand]]
country = "B"
layer = "eval"
blocks = [{ quantity = 5, value = 10.0 }]
[[demand]]
country = "C"
layer = "models"
blocks = [{ quantity = 10, value = 10.0 }]
[[demand]]
country = "C"
layer = "eval"
blocks = [{ quantity = 5, value = 10.0 }]
[[agreement]]
id = "mr"
members = ["A", "B"]
active = false
[[agreement.clause]]
kind = "mutual_recognition"
layers = ["models", "eval"]
"#;
    let s = scenario(text);
    let (o, r) = solve_with(&s, &with_active(&s, &[false]));
    assert!(o.is_optimal());
    assert_relative_eq!(r.objective.unwrap(), 160.0, epsilon = 1e-6);
    assert_relative_eq!(price(&r, "B", "models", 1), 3.0, epsilon = 1e-6);
    assert_relative_eq!(price(&r, "B", "eval", 1), 4.0, epsilon = 1e-6);
    assert_relative_eq!(price(&r, "C", "models", 1), 4.0, epsilon = 1e-6);
    assert_identities(&r);

    let opts = with_active(&s, &[true]);
    let (o, r) = solve_with(&s, &opts);
    assert!(o.is_optimal());
    assert_relative_eq!(r.objective.unwrap(), 195.0, epsilon = 1e-6);
    assert_relative_eq!(flow(&r, "A", "B", "eval", 1), 5.0, epsilon = 1e-6);
    assert_relative_eq!(flow(&r, "A", "C", "eval", 1), 0.0, epsilon = 1e-9);
    assert_relative_eq!(price(&r, "B", "models", 1), 1.0, epsilon = 1e-6);
    assert_relative_eq!(price(&r, "B", "eval", 1), 1.0, epsilon = 1e-6);
    assert_relative_eq!(price(&r, "C", "models", 1), 4.0, epsilon = 1e-6);
    assert_relative_eq!(price(&r, "C", "eval", 1), 10.0, epsilon = 1e-6);
    // C (non-member): consumers (10 - 4)*10 = 60, rents (4 - π_A - 3)*10 = 0, in both cases.
    assert_relative_eq!(welfare_total(&r, "C"), 60.0, epsilon = 1e-6);
    assert_price_by_fd(&s, &opts, &r, "B", "eval", 1);
    assert_identities(&r);
}

/// Trusted supply. B (floor σ = 0.5 and max supplier share 0.3) can make chips at 5 or buy from
/// A at 1; wants 10 at 10.
/// Inactive: A may ship at most 3, B must make >= 5, so B makes 7: W = 100 - 3 - 35 = 62,
/// λ_B = 5 (home production is marginal), floor slack (value 0), share value 5 - 1 = 4.
/// Active (trusted A <-> B on chips): A's flows count toward the floor and are exempt from the
/// share row (which disappears): B imports all 10, W = 90, λ_B = 1.
#[test]
fn clause_trusted_supply_counts_toward_floor_and_exempts_share() {
    let text = SECURE.replace("SECURITY", "domestic_floor = 0.5\nmax_supplier_share = 0.3")
        + r#"
[[agreement]]
id = "trust"
members = ["A", "B"]
active = false
[[agreement.clause]]
kind = "trusted_supply"
layers = ["chip"]
"#;
    let s = scenario(&text);
    let (_, r) = solve_with(&s, &with_active(&s, &[false]));
    assert_relative_eq!(r.objective.unwrap(), 62.0, epsilon = 1e-6);
    assert_relative_eq!(production(&r, "B", "chip", 1), 7.0, epsilon = 1e-6);
    assert_relative_eq!(price(&r, "B", "chip", 1), 5.0, epsilon = 1e-6);
    assert_relative_eq!(
        security_dual(&r, "floor", "B", "chip", 1, None),
        0.0,
        epsilon = 1e-6
    );
    assert_relative_eq!(
        security_dual(&r, "supplier_share", "B", "chip", 1, Some("A")),
        4.0,
        epsilon = 1e-6
    );
    assert_identities(&r);

    let opts = with_active(&s, &[true]);
    let (o, r) = solve_with(&s, &opts);
    assert!(o.is_optimal());
    assert_relative_eq!(r.objective.unwrap(), 90.0, epsilon = 1e-6);
    assert_relative_eq!(flow(&r, "A", "B", "chip", 1), 10.0, epsilon = 1e-6);
    assert_relative_eq!(price(&r, "B", "chip", 1), 1.0, epsilon = 1e-6);
    assert!(
        r.security_duals.iter().all(|d| d.kind != "supplier_share"),
        "trusted supplier exempt"
    );
    assert_relative_eq!(
        security_dual(&r, "floor", "B", "chip", 1, None),
        0.0,
        epsilon = 1e-6
    );
    assert_price_by_fd(&s, &opts, &r, "B", "chip", 1);
    assert_identities(&r);
}

/// Trade cost factor. Layer trade cost 4, interop cost 1; A makes at 1, B at 4; B wants 10 at 10.
/// Two agreements between A and B: factor 0.75 and factor 0.25. τ = base * factor + interop.
/// None or only 0.75 active: τ = 5 or 4, landed 6 or 5 > 4: B makes its own, W = 60, λ_B = 4.
/// 0.25 active (alone or with 0.75: the lowest wins): τ = 4*0.25 + 1 = 2, landed 3 < 4: B
/// imports, W = 70, λ_B = 3. (Scaling the interop cost too would give W = 77.5.)
#[test]
fn clause_trade_cost_factor_lowest_wins_and_spares_interop() {
    let text = r#"
[meta]
name = "trade cost factor"
[[layer]]
id = "chip"
trade_cost = 4.0
interop_cost = 1.0
[[country]]
id = "A"
[[country]]
id = "B"
[[capability]]
country = "A"
layer = "chip"
unit_cost = 1.0
capacity = 100
[[capability]]
country = "B"
layer = "chip"
unit_cost = 4.0
capacity = 100
[[demand]]
country = "B"
layer = "chip"
blocks = [{ quantity = 10, value = 10.0 }]
[[agreement]]
id = "small"
members = ["A", "B"]
[[agreement.clause]]
kind = "trade_cost_factor"
layers = ["chip"]
factor = 0.75
[[agreement]]
id = "big"
members = ["A", "B"]
[[agreement.clause]]
kind = "trade_cost_factor"
layers = ["chip"]
factor = 0.25
"#;
    let s = scenario(text);
    for (flags, w, lambda) in [
        ([false, false], 60.0, 4.0),
        ([true, false], 60.0, 4.0),
        ([false, true], 70.0, 3.0),
        ([true, true], 70.0, 3.0),
    ] {
        let opts = with_active(&s, &flags);
        let (o, r) = solve_with(&s, &opts);
        assert!(o.is_optimal());
        assert_relative_eq!(r.objective.unwrap(), w, epsilon = 1e-6);
        assert_relative_eq!(price(&r, "B", "chip", 1), lambda, epsilon = 1e-6);
        assert_price_by_fd(&s, &opts, &r, "B", "chip", 1);
        assert_identities(&r);
    }
}

/// No duplication (max 1 producer among A, B). A makes at 1, B at 2, capacity 10 each; each
/// wants 10 at 10; free trade.
/// Inactive: both make 10: W = 90 + 80 = 170. Active: only A operates (cheaper): 10 units for
/// 20 wanted, W = 10*9 = 90; every free unit serves unmet demand, so λ = 10 in A and B, and A's
/// capacity earns 9.
#[test]
fn clause_no_duplication_caps_producers() {
    let text = r#"
[meta]
name = "no duplication"
[[layer]]
id = "chip"
[[country]]
id = "A"
[[country]]
id = "B"
[[capability]]
country = "A"
layer = "chip"
unit_cost = 1.0
capacity = 10
[[capability]]
country = "B"
layer = "chip"
unit_cost = 2.0
capacity = 10
[[demand]]
country = "A"
layer = "chip"
blocks = [{ quantity = 10, value = 10.0 }]
[[demand]]
country = "B"
layer = "chip"
blocks = [{ quantity = 10, value = 10.0 }]
[[agreement]]
id = "nodup"
members = ["A", "B"]
active = false
[[agreement.clause]]
kind = "no_duplication"
layer = "chip"
max_producers = 1
"#;
    let s = scenario(text);
    let (o, r) = solve_with(&s, &with_active(&s, &[false]));
    assert!(
        o.is_optimal() && o.mip,
        "y exists from the file even when inactive"
    );
    assert_relative_eq!(r.objective.unwrap(), 170.0, epsilon = 1e-6);
    assert_identities(&r);

    let opts = with_active(&s, &[true]);
    let (o, r) = solve_with(&s, &opts);
    assert!(o.is_optimal());
    assert_relative_eq!(r.objective.unwrap(), 90.0, epsilon = 1e-6);
    assert_relative_eq!(operating(&r, "A", "chip", 1).operating, 1.0, epsilon = 1e-9);
    assert_relative_eq!(operating(&r, "B", "chip", 1).operating, 0.0, epsilon = 1e-9);
    assert_relative_eq!(production(&r, "B", "chip", 1), 0.0, epsilon = 1e-9);
    assert_relative_eq!(price(&r, "A", "chip", 1), 10.0, epsilon = 1e-6);
    assert_relative_eq!(price(&r, "B", "chip", 1), 10.0, epsilon = 1e-6);
    // With y fixed at 1 and no expansion, p <= K0 (capacity) and p <= (K0 + X) y (operating)
    // are the same constraint: the rent of 9 may sit on either row, only the sum is unique.
    let v = View::new(&s, &o).unwrap();
    let a = s.country_index("A").unwrap();
    let both = v.shadow(Row::Capacity {
        country: a,
        layer: 0,
        period: 1,
    }) + v.shadow(Row::OperateUpper {
        country: a,
        layer: 0,
        period: 1,
    });
    assert_relative_eq!(both, 9.0, epsilon = 1e-6);
    // The reported capacity rent is that sum.
    assert_relative_eq!(rent(&r, "A", "chip", 1), 9.0, epsilon = 1e-6);
    assert!(r
        .clause_duals
        .iter()
        .any(|d| d.kind == "no_duplication" && d.period == 1));
    assert_price_by_fd(&s, &opts, &r, "B", "chip", 1);
    assert_identities(&r);
}

/// Two periods, no discounting. A: chips at 5, capacity 10, minimum scale 4; B at 1, capacity 100;
/// A wants 10 at 10 each period. Commit (A, chip, build = true, from_period = 2).
/// Inactive: A imports everything: W = 2 * 90 = 180, A does not operate.
/// Active: A must operate in period 2 only, hence make >= 4 at 5: period 2 gives
/// 100 - 4*5 - 6*1 = 74, W = 90 + 74 = 164. λ_A = 1 in both periods (imports are marginal);
/// A's loss (1 - 5)*4 = -16 is an integer uplift of 16.
#[test]
fn clause_commit_build_true_from_period() {
    let text = r#"
[meta]
name = "commit build"
periods = 2
[[layer]]
id = "chip"
[[country]]
id = "A"
[[country]]
id = "B"
[[capability]]
country = "A"
layer = "chip"
unit_cost = 5.0
capacity = 10
min_scale = 4
[[capability]]
country = "B"
layer = "chip"
unit_cost = 1.0
capacity = 100
[[demand]]
country = "A"
layer = "chip"
blocks = [{ quantity = 10, value = 10.0 }]
[[agreement]]
id = "pact"
members = ["A", "B"]
active = false
[[agreement.clause]]
kind = "commit"
country = "A"
layer = "chip"
build = true
from_period = 2
"#;
    let s = scenario(text);
    let (_, r) = solve_with(&s, &with_active(&s, &[false]));
    assert_relative_eq!(r.objective.unwrap(), 180.0, epsilon = 1e-6);
    assert_relative_eq!(operating(&r, "A", "chip", 2).operating, 0.0, epsilon = 1e-9);
    assert_identities(&r);

    let opts = with_active(&s, &[true]);
    let (o, r) = solve_with(&s, &opts);
    assert!(o.is_optimal());
    assert_relative_eq!(r.objective.unwrap(), 164.0, epsilon = 1e-6);
    assert_relative_eq!(operating(&r, "A", "chip", 1).operating, 0.0, epsilon = 1e-9);
    assert_relative_eq!(operating(&r, "A", "chip", 2).operating, 1.0, epsilon = 1e-9);
    assert_relative_eq!(production(&r, "A", "chip", 1), 0.0, epsilon = 1e-9);
    assert_relative_eq!(production(&r, "A", "chip", 2), 4.0, epsilon = 1e-6);
    assert_relative_eq!(price(&r, "A", "chip", 1), 1.0, epsilon = 1e-6);
    assert_relative_eq!(price(&r, "A", "chip", 2), 1.0, epsilon = 1e-6);
    let p = producer(&r, "A", "chip");
    assert_relative_eq!(p.profit, -16.0, epsilon = 1e-6);
    assert_relative_eq!(p.uplift_integer, 16.0, epsilon = 1e-6);
    assert_price_by_fd(&s, &opts, &r, "A", "chip", 2);
    assert_identities(&r);
}

/// Two periods. A: chips at 1, capacity 20; B at 3, capacity 100; A wants 10 at 10 each period.
/// Commit (A, chip, build = false, from_period = 2).
/// Inactive: 2 * 90 = 180. Active: period 1 as before (90, λ = 1), period 2 A may not produce
/// and imports from B: 70, λ = 3. W = 160.
#[test]
fn clause_commit_build_false_from_period() {
    let text = r#"
[meta]
name = "commit stay out"
periods = 2
[[layer]]
id = "chip"
[[country]]
id = "A"
[[country]]
id = "B"
[[capability]]
country = "A"
layer = "chip"
unit_cost = 1.0
capacity = 20
[[capability]]
country = "B"
layer = "chip"
unit_cost = 3.0
capacity = 100
[[demand]]
country = "A"
layer = "chip"
blocks = [{ quantity = 10, value = 10.0 }]
[[agreement]]
id = "pact"
members = ["A", "B"]
active = false
[[agreement.clause]]
kind = "commit"
country = "A"
layer = "chip"
build = false
from_period = 2
"#;
    let s = scenario(text);
    assert_relative_eq!(
        objective(&s, &with_active(&s, &[false])),
        180.0,
        epsilon = 1e-6
    );
    let opts = with_active(&s, &[true]);
    let (o, r) = solve_with(&s, &opts);
    assert!(o.is_optimal());
    assert_relative_eq!(r.objective.unwrap(), 160.0, epsilon = 1e-6);
    assert_relative_eq!(production(&r, "A", "chip", 1), 10.0, epsilon = 1e-6);
    assert_relative_eq!(production(&r, "A", "chip", 2), 0.0, epsilon = 1e-9);
    assert_relative_eq!(flow(&r, "B", "A", "chip", 2), 10.0, epsilon = 1e-6);
    assert_relative_eq!(price(&r, "A", "chip", 1), 1.0, epsilon = 1e-6);
    assert_relative_eq!(price(&r, "A", "chip", 2), 3.0, epsilon = 1e-6);
    assert_price_by_fd(&s, &opts, &r, "A", "chip", 1);
    assert_price_by_fd(&s, &opts, &r, "A", "chip", 2);
    assert_identities(&r);
}

/// Upgrade route: ADJACENT without a layer discount, plus an agreement A-B with
/// upgrade_route(fab, entry_discount 0.5). Inactive: W = 60 (import). Active: A's entry costs
/// 20 (1 - 0.5) = 10 through its memory capability: W = 65, λ_A,fab = 2.5. Without memory the
/// discount cannot be earned (nd <= has[mem] = 0): W = 60 even with the route active.
#[test]
fn clause_upgrade_route_raises_entry_discount_for_members() {
    let agreement = r#"
[[agreement]]
id = "route"
members = ["A", "B"]
active = false
[[agreement.clause]]
kind = "upgrade_route"
layers = ["fab"]
entry_discount = 0.5
"#;
    let text = ADJACENT.replace("UPGRADE", "").replace("DISCOUNT", "") + agreement;
    let s = scenario(&text);
    let (_, r) = solve_with(&s, &with_active(&s, &[false]));
    assert_relative_eq!(r.objective.unwrap(), 60.0, epsilon = 1e-6);
    assert_relative_eq!(price(&r, "A", "fab", 1), 4.0, epsilon = 1e-6);
    assert_identities(&r);

    let (o, r) = solve_with(&s, &with_active(&s, &[true]));
    assert!(o.is_optimal());
    assert_relative_eq!(r.objective.unwrap(), 65.0, epsilon = 1e-6);
    assert_relative_eq!(
        operating(&r, "A", "fab", 1).entered_discounted,
        1.0,
        epsilon = 1e-9
    );
    assert_relative_eq!(price(&r, "A", "fab", 1), 2.5, epsilon = 1e-6);
    assert_relative_eq!(
        producer(&r, "A", "fab").uplift_integer,
        10.0,
        epsilon = 1e-6
    );
    assert_identities(&r);

    // The route raises the discount to at least 0.5; it never lowers a larger layer discount:
    // layer d = 0.5 with a 0.25 route keeps entry at 10 (W = 65; an override to 0.25 would make
    // entry cost 15 and tie with importing at 60).
    let lower = ADJACENT
        .replace("UPGRADE", "")
        .replace("DISCOUNT", "adjacency_discount = 0.5")
        + &agreement.replace("entry_discount = 0.5", "entry_discount = 0.25");
    let s2 = scenario(&lower);
    assert_relative_eq!(
        objective(&s2, &with_active(&s2, &[true])),
        65.0,
        epsilon = 1e-6
    );

    let no_mem = text.replace(
        "[[capability]]\ncountry = \"A\"\nlayer = \"mem\"\nunit_cost = 1.0\ncapacity = 5\n",
        "",
    );
    assert_ne!(no_mem, text);
    let s = scenario(&no_mem);
    assert_relative_eq!(
        objective(&s, &with_active(&s, &[true])),
        60.0,
        epsilon = 1e-6
    );
}

// =============================================================================================
// Infeasibility
// =============================================================================================

/// must_serve 12 but the blocks offer only 10 units: no allocation exists.
#[test]
fn infeasible_essential_demand_above_blocks() {
    let s = scenario(&ESSENTIAL.replace("MUST", "12"));
    let (o, r) = solve_with(&s, &BuildOptions::from_file(&s));
    assert_eq!(o.status, Status::Infeasible);
    assert!(o.solution.is_none());
    assert!(r.objective.is_none() && r.prices.is_empty() && r.welfare.is_empty());
    assert_eq!(r.status, "infeasible");
}

/// A commits to build chips while the same agreement allows no producer of chips among its
/// members: y_A >= 1 and y_A <= 0.
#[test]
fn infeasible_commit_build_against_no_duplication_zero() {
    let text = r#"
[meta]
name = "conflict"
[[layer]]
id = "chip"
[[country]]
id = "A"
[[country]]
id = "B"
[[capability]]
country = "A"
layer = "chip"
unit_cost = 1.0
capacity = 10
[[demand]]
country = "A"
layer = "chip"
blocks = [{ quantity = 5, value = 10.0 }]
[[agreement]]
id = "pact"
members = ["A", "B"]
[[agreement.clause]]
kind = "commit"
country = "A"
layer = "chip"
build = true
[[agreement.clause]]
kind = "no_duplication"
layer = "chip"
max_producers = 0
"#;
    let s = scenario(text);
    let (o, r) = solve_with(&s, &BuildOptions::from_file(&s));
    assert_eq!(o.status, Status::Infeasible);
    assert!(o.solution.is_none());
    assert!(r.objective.is_none());
    // Deactivated, the agreement adds nothing: W = 5 * 9 = 45.
    assert_relative_eq!(
        objective(&s, &with_active(&s, &[false])),
        45.0,
        epsilon = 1e-6
    );
}

// =============================================================================================
// More mechanisms in combination
// =============================================================================================

/// Trade block restricted to `layers`: A makes chips and memory at 1, B makes both at 5; B wants
/// 10 of each at 10; free trade; A -> B blocked for chips only. B makes its chips (50) and imports
/// memory (90): W = 140, λ_B,chip = 5, λ_B,mem = 1.
#[test]
fn trade_block_with_layers_blocks_only_those_layers() {
    let text = r#"
[meta]
name = "partial block"
[[trade.block]]
from = "A"
to = "B"
layers = ["chip"]
[[layer]]
id = "chip"
[[layer]]
id = "mem"
[[country]]
id = "A"
[[country]]
id = "B"
[[capability]]
country = "A"
layer = "chip"
unit_cost = 1.0
capacity = 100
[[capability]]
country = "A"
layer = "mem"
unit_cost = 1.0
capacity = 100
[[capability]]
country = "B"
layer = "chip"
unit_cost = 5.0
capacity = 100
[[capability]]
country = "B"
layer = "mem"
unit_cost = 5.0
capacity = 100
[[demand]]
country = "B"
layer = "chip"
blocks = [{ quantity = 10, value = 10.0 }]
[[demand]]
country = "B"
layer = "mem"
blocks = [{ quantity = 10, value = 10.0 }]
"#;
    let (s, o, r) = solve(text);
    assert!(o.is_optimal());
    assert_relative_eq!(r.objective.unwrap(), 140.0, epsilon = 1e-6);
    assert_relative_eq!(flow(&r, "A", "B", "chip", 1), 0.0, epsilon = 1e-9);
    assert_relative_eq!(flow(&r, "A", "B", "mem", 1), 10.0, epsilon = 1e-6);
    assert_relative_eq!(price(&r, "B", "chip", 1), 5.0, epsilon = 1e-6);
    assert_relative_eq!(price(&r, "B", "mem", 1), 1.0, epsilon = 1e-6);
    // One price per (country, layer, period).
    assert_eq!(r.prices.len(), 2 * 2);
    let opts = BuildOptions::from_file(&s);
    assert_price_by_fd(&s, &opts, &r, "B", "chip", 1);
    assert_price_by_fd(&s, &opts, &r, "B", "mem", 1);
    assert_identities(&r);
}

/// A floor that forces entry: SECURE's floor σ = 0.5, but B's chips need an entry (cost 10,
/// K0 = 0, free expansion). B must make 5 at 5: W = 100 - 5*1 - 5*5 - 10 = 60 (90 without the
/// floor: the policy costs 30). Pricing LP (y_B = 1): λ_B = 1, floor value 4. B's profit
/// = (1 - 5)*5 - 10 = -30; the floor row supports 4*5 = 20 of it (uplift_security) and the
/// entry cost the rest (uplift_integer 10).
#[test]
fn floor_with_entry_cost_splits_uplift() {
    let text = SECURE.replace("SECURITY", "domestic_floor = 0.5").replace(
        "unit_cost = 5.0\ncapacity = 100",
        "unit_cost = 5.0\nentry_cost = 10\nmax_expansion = 100",
    );
    assert!(text.contains("entry_cost = 10"));
    let (s, o, r) = solve(&text);
    assert!(o.is_optimal() && o.mip);
    assert_relative_eq!(r.objective.unwrap(), 60.0, epsilon = 1e-6);
    assert_relative_eq!(price(&r, "B", "chip", 1), 1.0, epsilon = 1e-6);
    assert_relative_eq!(
        security_dual(&r, "floor", "B", "chip", 1, None),
        4.0,
        epsilon = 1e-6
    );
    let p = producer(&r, "B", "chip");
    assert_relative_eq!(p.profit, -30.0, epsilon = 1e-6);
    assert_relative_eq!(p.uplift_security, 20.0, epsilon = 1e-6);
    assert_relative_eq!(p.uplift_integer, 10.0, epsilon = 1e-6);
    assert_relative_eq!(p.uplift_total, 30.0, epsilon = 1e-6);
    assert_price_by_fd(&s, &BuildOptions::from_file(&s), &r, "B", "chip", 1);
    assert_identities(&r);
}

/// N-1 with φ = 1 and two foreign suppliers, A at 1 and C at 2; B (no capability of its own)
/// wants 10 at 10; reserve cost 0.5. Losing A needs r_C,B >= f_A; losing C needs r_A,B >= f_C.
/// Cost of f_A = a, f_C = 10 - a: a + 2(10 - a) + 0.5*10 = 25 - a, so a = 10 with C holding
/// 10 in standby for B: W = 100 - 10 - 5 = 85. λ_B = 1 + 0.5 = 1.5; the losing-A row is worth
/// 0.5 (one unit less standby).
#[test]
fn n_minus_1_counts_the_other_suppliers_standby() {
    let text = r#"
[meta]
name = "n-1 two suppliers"
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
unit_cost = 1.0
capacity = 100
[[capability]]
country = "C"
layer = "chip"
unit_cost = 2.0
capacity = 100
[[demand]]
country = "B"
layer = "chip"
blocks = [{ quantity = 10, value = 10.0 }]
[[security]]
country = "B"
layer = "chip"
n_minus_1 = 1.0
reserve_cost = 0.5
"#;
    let (s, o, r) = solve(text);
    assert!(o.is_optimal());
    assert_relative_eq!(r.objective.unwrap(), 85.0, epsilon = 1e-6);
    assert_relative_eq!(flow(&r, "A", "B", "chip", 1), 10.0, epsilon = 1e-6);
    assert_relative_eq!(reserve(&r, "C", "B", "chip", 1), 10.0, epsilon = 1e-6);
    assert_relative_eq!(reserve(&r, "A", "B", "chip", 1), 0.0, epsilon = 1e-9);
    assert_relative_eq!(price(&r, "B", "chip", 1), 1.5, epsilon = 1e-6);
    assert_relative_eq!(
        security_dual(&r, "n_minus_1", "B", "chip", 1, Some("A")),
        0.5,
        epsilon = 1e-6
    );
    assert_price_by_fd(&s, &BuildOptions::from_file(&s), &r, "B", "chip", 1);
    assert_identities(&r);
}
