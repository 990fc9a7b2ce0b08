//! The cooperative-game functions of `aistack::analysis::game` on published games with known
//! answers, independently of the scenario solver.
//!
//! - Glove game (1 left glove, 2 right gloves): Shapley (2/3, 1/6, 1/6), core {(1, 0, 0)}.
//! - Airport games (Littlechild and Owen 1973): φ_i = sum_{k <= i} (c_k - c_{k-1}) / (n - k + 1)
//!   for runway costs c_1 <= ... <= c_n.
//! - Bankruptcy games (Aumann and Maschler 1985): estate E, claims d, v(S) = max(0, E - d(N\S)).
//!   Their Shapley values are worked out by hand below; the Talmud rule is the nucleolus, which
//!   lies in the least core.
//! - Three-player majority game: Shapley (1/3, 1/3, 1/3), empty core, least-core ε = 1/3.
//! - A convex game v(S) = |S|^2: Shapley (3, 3, 3), non-empty core, ε = -2.

use aistack::analysis::game::*;

const EXACT: f64 = 1e-12;
const LP: f64 = 1e-8;

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1.0)
}

fn assert_all_close(got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len());
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            close(*g, *w, tol),
            "player {i}: got {g}, want {w} (all: {got:?})"
        );
    }
}

/// Glove game: player 0 holds the left glove, players 1 and 2 a right glove each; a pair is
/// worth 1.
fn glove() -> TableGame {
    TableGame::from_fn(3, |s| {
        if s & 1 != 0 && s & 0b110 != 0 {
            1.0
        } else {
            0.0
        }
    })
    .unwrap()
}

/// Airport cost game: c(S) = largest runway cost among S.
fn airport(costs: &[f64]) -> TableGame {
    TableGame::from_fn(costs.len(), |s| {
        members(s).into_iter().map(|i| costs[i]).fold(0.0, f64::max)
    })
    .unwrap()
}

/// Littlechild-Owen closed form, costs sorted increasingly.
fn littlechild_owen(costs: &[f64]) -> Vec<f64> {
    let n = costs.len();
    let mut phi = Vec::with_capacity(n);
    let mut acc = 0.0;
    for k in 0..n {
        let prev = if k == 0 { 0.0 } else { costs[k - 1] };
        acc += (costs[k] - prev) / (n - k) as f64;
        phi.push(acc);
    }
    phi
}

fn bankruptcy(estate: f64, claims: &[f64]) -> TableGame {
    let total: f64 = claims.iter().sum();
    TableGame::from_fn(claims.len(), |s| {
        let inside: f64 = members(s).into_iter().map(|i| claims[i]).sum();
        (estate - (total - inside)).max(0.0)
    })
    .unwrap()
}

fn majority() -> TableGame {
    TableGame::from_fn(3, |s| if size(s) >= 2 { 1.0 } else { 0.0 }).unwrap()
}

#[test]
fn glove_game_shapley_and_core() {
    let g = glove();
    assert_all_close(
        &shapley(&g).unwrap(),
        &[2.0 / 3.0, 1.0 / 6.0, 1.0 / 6.0],
        EXACT,
    );
    let lc = least_core(&g).unwrap();
    assert!(
        lc.epsilon.abs() <= LP,
        "glove game least-core ε should be 0, got {}",
        lc.epsilon
    );
    assert!(!lc.core_is_empty(tolerance(1.0)));
    // The core is the single point (1, 0, 0), so the least core at ε = 0 is that point.
    assert_all_close(&lc.allocation, &[1.0, 0.0, 0.0], LP);
    assert!(in_core(&g, &[1.0, 0.0, 0.0], 1e-9));
    // The Shapley split is not in the core: the left glove and either right glove block it
    // with excess 1 - (2/3 + 1/6) = 1/6; ties go to the first coalition, {0, 1}.
    let (s, e) = most_violated(&g, &shapley(&g).unwrap(), 1e-9).expect("blocked");
    assert_eq!(s, coalition(&[0, 1]));
    assert!(close(e, 1.0 / 6.0, EXACT));
}

#[test]
fn airport_game_matches_littlechild_owen() {
    let small = [1.0, 2.0, 3.0];
    assert_all_close(
        &shapley(&airport(&small)).unwrap(),
        &[1.0 / 3.0, 5.0 / 6.0, 11.0 / 6.0],
        EXACT,
    );
    for costs in [
        vec![2.0, 3.0, 3.0, 7.0, 10.0],
        vec![1.0, 4.0, 4.5, 6.0, 6.0, 9.0, 12.0, 20.0],
    ] {
        let g = airport(&costs);
        let phi = shapley(&g).unwrap();
        assert_all_close(&phi, &littlechild_owen(&costs), EXACT);
        let total: f64 = phi.iter().sum();
        assert!(
            close(total, *costs.last().unwrap(), EXACT),
            "efficiency: {total}"
        );
    }
}

/// The airport game is a concave cost game, so the savings game -c is convex and its core is
/// not empty. For c = (1, 2, 3): ε* = -1/2 (cost shares y = -x need y1 in [-ε, 1 + ε], hence
/// ε >= -1/2, and y = (1/2, 1/2, 2) reaches it).
#[test]
fn airport_game_least_core() {
    let costs = [1.0, 2.0, 3.0];
    let g = TableGame::from_fn(3, |s| -airport(&costs).value(s)).unwrap();
    let lc = least_core(&g).unwrap();
    assert!(close(lc.epsilon, -0.5, LP), "ε = {}", lc.epsilon);
    assert!(!lc.core_is_empty(tolerance(3.0)));
    assert!(
        close(lc.allocation[0], -0.5, LP),
        "player 1 pays 1/2: {:?}",
        lc.allocation
    );
    // The Shapley cost shares lie in the core of the cost game.
    let phi: Vec<f64> = shapley(&g).unwrap();
    assert!(in_core(&g, &phi, 1e-9));
}

/// E = 200, claims (100, 200, 300): v(23) = 100, v(N) = 200, every other coalition 0.
/// Player 1 adds something only when last: 2 of 6 orders × 100 → 100/3. Player 2: after 3
/// alone adds 100 (1 order), last adds 200 (2 orders) → 500/6. Player 3 likewise → 500/6.
#[test]
fn bankruptcy_shapley_values() {
    let claims = [100.0, 200.0, 300.0];
    assert_all_close(
        &shapley(&bankruptcy(200.0, &claims)).unwrap(),
        &[100.0 / 3.0, 250.0 / 3.0, 250.0 / 3.0],
        EXACT,
    );
    // E = 100: only N is worth anything, so the players split it equally.
    assert_all_close(
        &shapley(&bankruptcy(100.0, &claims)).unwrap(),
        &[100.0 / 3.0; 3],
        EXACT,
    );
    // E = 300: v(13) = 100, v(23) = 200, v(N) = 300 → (300, 600, 900) / 6.
    assert_all_close(
        &shapley(&bankruptcy(300.0, &claims)).unwrap(),
        &[50.0, 100.0, 150.0],
        EXACT,
    );
}

/// Bankruptcy games are convex, so the core is not empty. For E = 200 the least core is
/// {x1 = 50, x2 + x3 = 150} at ε* = -50 (x1 <= 100 + ε from v(23) = 100, x1 >= -ε); the
/// Talmud division (50, 75, 75), the nucleolus, is in it.
#[test]
fn bankruptcy_least_core_contains_talmud_rule() {
    let g = bankruptcy(200.0, &[100.0, 200.0, 300.0]);
    let lc = least_core(&g).unwrap();
    assert!(close(lc.epsilon, -50.0, LP), "ε = {}", lc.epsilon);
    assert!(close(lc.allocation[0], 50.0, LP), "{:?}", lc.allocation);
    let talmud = [50.0, 75.0, 75.0];
    let worst = (1..grand(3))
        .map(|s| excess(g.value(s), &talmud, s))
        .fold(f64::MIN, f64::max);
    assert!(
        close(worst, -50.0, EXACT),
        "Talmud split's largest excess {worst}"
    );
    assert!(in_core(&g, &talmud, 1e-9));
}

#[test]
fn majority_game_has_an_empty_core() {
    let g = majority();
    assert_all_close(&shapley(&g).unwrap(), &[1.0 / 3.0; 3], EXACT);
    let lc = least_core(&g).unwrap();
    // x_i + x_j >= 1 - ε for all three pairs, summing: 2 >= 3 - 3ε → ε* = 1/3.
    assert!(close(lc.epsilon, 1.0 / 3.0, LP), "ε = {}", lc.epsilon);
    assert!(lc.core_is_empty(tolerance(1.0)));
    // Every split is blocked by some pair; for the equal split every pair has excess 1/3.
    let (s, e) = most_violated(&g, &[1.0 / 3.0; 3], 1e-9).expect("blocked");
    assert_eq!(size(s), 2);
    assert!(close(e, 1.0 / 3.0, EXACT));
    // The least-core split itself is blocked with excess ε*.
    let (_, e) = most_violated(&g, &lc.allocation, 1e-9).expect("blocked");
    assert!(close(e, lc.epsilon, LP));
}

#[test]
fn convex_game_has_a_core_and_negative_epsilon() {
    let g = TableGame::from_fn(3, |s| (size(s) * size(s)) as f64).unwrap();
    let phi = shapley(&g).unwrap();
    assert_all_close(&phi, &[3.0; 3], EXACT);
    let lc = least_core(&g).unwrap();
    assert!(close(lc.epsilon, -2.0, LP), "ε = {}", lc.epsilon);
    assert!(!lc.core_is_empty(tolerance(9.0)));
    // For a convex game the Shapley value is in the core.
    assert!(in_core(&g, &phi, 1e-9));
    assert!(most_violated(&g, &phi, 1e-9).is_none());
}

#[test]
fn shapley_is_efficient_symmetric_and_gives_null_players_nothing() {
    // Player 3 is a null player added to the glove game.
    let base = glove();
    let g = TableGame::from_fn(4, |s| base.value(s & 0b111)).unwrap();
    let phi = shapley(&g).unwrap();
    assert_all_close(&phi, &[2.0 / 3.0, 1.0 / 6.0, 1.0 / 6.0, 0.0], EXACT);
    // Efficiency on an irregular game.
    let g = TableGame::from_fn(6, |s| {
        ((s * 2654435761) % 97) as f64 * if s == 0 { 0.0 } else { 1.0 }
    })
    .unwrap();
    let total: f64 = shapley(&g).unwrap().iter().sum();
    assert!(
        close(total, g.value(grand(6)), EXACT),
        "{total} vs {}",
        g.value(grand(6))
    );
}

/// Monte Carlo estimates from 2000 orders lie within 3 standard errors of the exact values on
/// a 5-player airport game and a 4-player weighted majority game; they are efficient exactly
/// and repeat with the seed.
#[test]
fn monte_carlo_within_three_standard_errors() {
    let airport5 = airport(&[2.0, 3.0, 3.0, 7.0, 10.0]);
    let weights = [4.0, 3.0, 2.0, 1.0];
    let voting = TableGame::from_fn(4, |s| {
        let w: f64 = members(s).into_iter().map(|i| weights[i]).sum();
        if w >= 6.0 {
            1.0
        } else {
            0.0
        }
    })
    .unwrap();
    for (name, g) in [("airport", &airport5), ("weighted majority", &voting)] {
        let exact = shapley(g).unwrap();
        let mc = shapley_monte_carlo(g, 2000, 7).unwrap();
        for (i, (e, m)) in exact.iter().zip(&mc).enumerate() {
            assert!(m.std_error > 0.0, "{name} player {i}: zero standard error");
            assert!(
                (m.value - e).abs() <= 3.0 * m.std_error,
                "{name} player {i}: MC {} ± {} vs exact {e}",
                m.value,
                m.std_error
            );
        }
        let total: f64 = mc.iter().map(|m| m.value).sum();
        assert!(
            close(total, g.value(grand(g.players())), 1e-12),
            "{name}: MC estimates sum to {total}"
        );
        assert_eq!(
            mc,
            shapley_monte_carlo(g, 2000, 7).unwrap(),
            "{name}: same seed, same estimates"
        );
        assert_ne!(
            mc,
            shapley_monte_carlo(g, 2000, 8).unwrap(),
            "{name}: another seed, other orders"
        );
    }
}

#[test]
fn sampled_orders_and_prefixes() {
    let perms = sample_permutations(5, 50, 1);
    assert_eq!(perms.len(), 50);
    for p in &perms {
        let mut q = p.clone();
        q.sort_unstable();
        assert_eq!(q, vec![0, 1, 2, 3, 4]);
    }
    let pre = prefixes(&perms);
    assert!(pre.contains(&0) && pre.contains(&grand(5)));
    assert!(pre.iter().all(|&s| s <= grand(5)));
    assert_eq!(sample_permutations(5, 50, 1), perms);
    assert_eq!(
        shapley_from_permutations(5, &perms[..1], |_| 0.0).unwrap_err(),
        GameError::TooFewSamples(1)
    );
}

/// A least core over some coalitions only is a relaxation: its ε bounds ε* from below, so a
/// positive value still proves the core empty.
#[test]
fn restricted_least_core_is_a_lower_bound() {
    let g = majority();
    // The singletons keep the LP bounded (x_i >= v(i) - ε and x(N) = v(N) give ε >= -v(N)/n).
    let listed: Vec<(Coalition, f64)> = [0b001, 0b010, 0b100, 0b011, 0b101]
        .iter()
        .map(|&s| (s, g.value(s)))
        .collect();
    let partial = least_core_over(3, 1.0, &listed).unwrap();
    let full = least_core(&g).unwrap();
    assert!(partial.epsilon <= full.epsilon + LP);
    // Without {1, 2}, x = (1, 0, 0) satisfies both listed pairs and ε = 0 is the best the
    // singletons allow: x1 = x2 = -ε and x0 + x1 >= 1 - ε give 1 + ε >= 1 - ε.
    assert!(close(partial.epsilon, 0.0, LP), "{}", partial.epsilon);
    // With only pairs listed the LP is unbounded below, which is reported, not returned as -inf.
    let pairs: Vec<(Coalition, f64)> = [0b011, 0b101].iter().map(|&s| (s, g.value(s))).collect();
    assert!(matches!(
        least_core_over(3, 1.0, &pairs),
        Err(GameError::Lp(_))
    ));
}

#[test]
fn bad_sizes_are_errors_not_panics() {
    assert!(matches!(
        TableGame::new(2, vec![0.0; 3]),
        Err(GameError::WrongLength { .. })
    ));
    assert!(matches!(
        TableGame::new(2, vec![0.0, 1.0, f64::NAN, 2.0]),
        Err(GameError::NotFinite { .. })
    ));
    let one = TableGame::new(1, vec![0.0, 5.0]).unwrap();
    assert_eq!(shapley(&one).unwrap(), vec![5.0]);
    assert!(matches!(
        least_core(&one),
        Err(GameError::TooFewPlayers { .. })
    ));
    assert!(matches!(
        least_core_over(70, 0.0, &[]),
        Err(GameError::TooManyPlayers { .. })
    ));
}
