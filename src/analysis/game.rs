//! Cooperative games with transferable utility, independent of the solver: what
//! `aistack coalitions` computes once it knows the value v(S) of every coalition it needs
//! (MODEL.md section 8).
//!
//! Players are numbered `0..n` and a coalition is a bitmask ([`Coalition`]): bit i set means
//! player i is in. A game is anything that gives v(S) ([`Game`]); v(∅) is taken as given (the
//! games of this crate have v(∅) = 0).
//!
//! What is here:
//! - exact Shapley values by enumerating every coalition ([`shapley`]);
//! - Monte Carlo Shapley values from random orders of the players, with a standard error per
//!   player, seeded with ChaCha8 so runs repeat ([`sample_permutations`],
//!   [`shapley_from_permutations`], [`shapley_monte_carlo`]);
//! - the least core by LP, solved with microlp directly ([`least_core`], [`least_core_over`]):
//!   min ε s.t. x(S) >= v(S) - ε for every proper nonempty S, x(N) = v(N). The core is empty
//!   iff ε* > 0 (up to a tolerance);
//! - the most violated (blocking) coalition of a split ([`most_violated`]).
//!
//! Cost games (airport games) work unchanged for the Shapley value, which is linear in v; for
//! the core of a cost game pass the negated costs.

use std::collections::BTreeSet;

use microlp::{ComparisonOp, OptimizationDirection, Problem};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

/// A coalition as a bitmask over players `0..n`.
pub type Coalition = u64;

/// Most players a bitmask can hold here (bit 63 is kept free so `1 << n` never overflows).
pub const MAX_PLAYERS: usize = 63;

/// Most players for exact enumeration of all 2^n coalitions.
pub const MAX_ENUMERATED: usize = 24;

/// Most players for the least-core LP over all 2^n - 2 proper coalitions.
pub const MAX_LEAST_CORE: usize = 16;

/// A cooperative game: n players and the value of each coalition.
pub trait Game {
    fn players(&self) -> usize;
    fn value(&self, s: Coalition) -> f64;
}

/// Errors of the game functions: sizes out of range and LP failures. They never depend on the
/// values of the game.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GameError {
    #[error("{what} supports at most {max} players, got {n}")]
    TooManyPlayers {
        what: &'static str,
        n: usize,
        max: usize,
    },
    #[error("{what} needs at least {min} players, got {n}")]
    TooFewPlayers {
        what: &'static str,
        n: usize,
        min: usize,
    },
    #[error("a game on {n} players needs 2^{n} = {expected} coalition values, got {got}")]
    WrongLength {
        n: usize,
        expected: usize,
        got: usize,
    },
    #[error(
        "Monte Carlo Shapley values need at least 2 sampled orders for a standard error, got {0}"
    )]
    TooFewSamples(usize),
    #[error("coalition value v({coalition:#b}) = {value} is not a finite number")]
    NotFinite { coalition: Coalition, value: f64 },
    #[error("least-core LP failed: {0}")]
    Lp(String),
}

/// The grand coalition N of `n` players.
pub fn grand(n: usize) -> Coalition {
    if n >= 64 {
        u64::MAX
    } else {
        (1u64 << n) - 1
    }
}

/// The coalition of the given players.
pub fn coalition(players: &[usize]) -> Coalition {
    players.iter().fold(0, |s, &i| s | (1u64 << i))
}

/// The players in `s`, in increasing order.
pub fn members(s: Coalition) -> Vec<usize> {
    (0..64).filter(|&i| s & (1u64 << i) != 0).collect()
}

/// Number of players in `s`.
pub fn size(s: Coalition) -> usize {
    s.count_ones() as usize
}

/// x(S) = sum of x_i over the players of S.
pub fn sum_over(x: &[f64], s: Coalition) -> f64 {
    x.iter()
        .enumerate()
        .filter(|(i, _)| s & (1u64 << i) != 0)
        .map(|(_, v)| v)
        .sum()
}

/// Excess of S at x: v(S) - x(S). Positive means S gets more on its own than x gives it.
pub fn excess(value: f64, x: &[f64], s: Coalition) -> f64 {
    value - sum_over(x, s)
}

/// The tolerance used to call an excess or ε positive: 1e-7 relative to the largest |v(S)|
/// (and at least 1e-7), well above the LP's round-off.
pub fn tolerance(scale: f64) -> f64 {
    1e-7 * scale.abs().max(1.0)
}

/// A game given by the values of all 2^n coalitions, indexed by bitmask.
#[derive(Debug, Clone)]
pub struct TableGame {
    n: usize,
    values: Vec<f64>,
}

impl TableGame {
    /// `values[s]` is v(s) for every mask s in `0..2^n`.
    pub fn new(n: usize, values: Vec<f64>) -> Result<TableGame, GameError> {
        if n > MAX_ENUMERATED {
            return Err(GameError::TooManyPlayers {
                what: "a table game",
                n,
                max: MAX_ENUMERATED,
            });
        }
        let expected = 1usize << n;
        if values.len() != expected {
            return Err(GameError::WrongLength {
                n,
                expected,
                got: values.len(),
            });
        }
        if let Some((s, v)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(GameError::NotFinite {
                coalition: s as Coalition,
                value: *v,
            });
        }
        Ok(TableGame { n, values })
    }

    /// Tabulate `f` over every coalition of `n` players.
    pub fn from_fn(n: usize, f: impl Fn(Coalition) -> f64) -> Result<TableGame, GameError> {
        if n > MAX_ENUMERATED {
            return Err(GameError::TooManyPlayers {
                what: "a table game",
                n,
                max: MAX_ENUMERATED,
            });
        }
        TableGame::new(n, (0..(1u64 << n)).map(f).collect())
    }

    /// Values of all coalitions, indexed by bitmask.
    pub fn values(&self) -> &[f64] {
        &self.values
    }
}

impl Game for TableGame {
    fn players(&self) -> usize {
        self.n
    }

    fn value(&self, s: Coalition) -> f64 {
        self.values.get(s as usize).copied().unwrap_or(f64::NAN)
    }
}

/// Exact Shapley values by enumeration:
/// φ_i = sum over S ⊆ N \ {i} of |S|! (n - |S| - 1)! / n! * (v(S ∪ {i}) - v(S)).
/// They sum to v(N) - v(∅) (efficiency), up to round-off of the order of 1e-15 * max |v|.
pub fn shapley<G: Game + ?Sized>(g: &G) -> Result<Vec<f64>, GameError> {
    let n = g.players();
    if n > MAX_ENUMERATED {
        return Err(GameError::TooManyPlayers {
            what: "exact Shapley values",
            n,
            max: MAX_ENUMERATED,
        });
    }
    if n == 0 {
        return Ok(Vec::new());
    }
    let values: Vec<f64> = (0..(1u64 << n)).map(|s| g.value(s)).collect();
    if let Some((s, v)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(GameError::NotFinite {
            coalition: s as Coalition,
            value: *v,
        });
    }
    // w[k] = k! (n-k-1)! / n!, by the recurrence w[0] = 1/n, w[k+1] = w[k] (k+1) / (n-k-1).
    let mut w = vec![0.0; n];
    w[0] = 1.0 / n as f64;
    for k in 0..n - 1 {
        w[k + 1] = w[k] * (k + 1) as f64 / (n - k - 1) as f64;
    }
    let mut phi = vec![0.0; n];
    for (s, &vs) in values.iter().enumerate() {
        let k = size(s as Coalition);
        for (i, p) in phi.iter_mut().enumerate() {
            let bit = 1usize << i;
            if s & bit == 0 {
                *p += w[k] * (values[s | bit] - vs);
            }
        }
    }
    Ok(phi)
}

/// A Monte Carlo estimate and its standard error.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    pub value: f64,
    /// Sample standard deviation of the marginal contributions / sqrt(number of orders).
    pub std_error: f64,
}

/// `samples` uniformly random orders of `n` players, from a ChaCha8 stream seeded with `seed`
/// (the same seed gives the same orders on every platform).
pub fn sample_permutations(n: usize, samples: usize, seed: u64) -> Vec<Vec<usize>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut order: Vec<usize> = (0..n).collect();
    (0..samples)
        .map(|_| {
            order.shuffle(&mut rng);
            order.clone()
        })
        .collect()
}

/// Every coalition the orders visit: all prefixes, from ∅ to N.
pub fn prefixes(perms: &[Vec<usize>]) -> BTreeSet<Coalition> {
    let mut out = BTreeSet::new();
    for p in perms {
        let mut s = 0;
        out.insert(s);
        for &i in p {
            s |= 1u64 << i;
            out.insert(s);
        }
    }
    out
}

/// Shapley values estimated from orders of the players: the mean over orders of each player's
/// marginal contribution v(P ∪ {i}) - v(P), P = the players before i. Each order's
/// contributions telescope to v(N) - v(∅), so the estimates are efficient exactly (up to
/// round-off) whatever the sample. `v` must be defined on every prefix ([`prefixes`]).
pub fn shapley_from_permutations(
    n: usize,
    perms: &[Vec<usize>],
    v: impl Fn(Coalition) -> f64,
) -> Result<Vec<Estimate>, GameError> {
    if n > MAX_PLAYERS {
        return Err(GameError::TooManyPlayers {
            what: "Monte Carlo Shapley values",
            n,
            max: MAX_PLAYERS,
        });
    }
    if perms.len() < 2 {
        return Err(GameError::TooFewSamples(perms.len()));
    }
    // Welford's running mean and sum of squared deviations, per player.
    let mut mean = vec![0.0; n];
    let mut m2 = vec![0.0; n];
    for (k, p) in perms.iter().enumerate() {
        let mut s: Coalition = 0;
        let mut vs = v(s);
        for &i in p {
            let t = s | (1u64 << i);
            let vt = v(t);
            if !vt.is_finite() {
                return Err(GameError::NotFinite {
                    coalition: t,
                    value: vt,
                });
            }
            let x = vt - vs;
            let d = x - mean[i];
            mean[i] += d / (k + 1) as f64;
            m2[i] += d * (x - mean[i]);
            s = t;
            vs = vt;
        }
    }
    let m = perms.len() as f64;
    Ok(mean
        .into_iter()
        .zip(m2)
        .map(|(value, m2)| Estimate {
            value,
            std_error: (m2 / (m - 1.0)).max(0.0).sqrt() / m.sqrt(),
        })
        .collect())
}

/// Monte Carlo Shapley values of a game from `samples` seeded random orders.
pub fn shapley_monte_carlo<G: Game + ?Sized>(
    g: &G,
    samples: usize,
    seed: u64,
) -> Result<Vec<Estimate>, GameError> {
    let perms = sample_permutations(g.players(), samples, seed);
    shapley_from_permutations(g.players(), &perms, |s| g.value(s))
}

/// A least-core solution: the smallest ε such that some split x of v(N) leaves every proper
/// coalition with excess v(S) - x(S) <= ε, and one such x.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeastCore {
    pub epsilon: f64,
    pub allocation: Vec<f64>,
}

impl LeastCore {
    /// The core is empty iff ε* > 0; `tol` absorbs LP round-off (see [`tolerance`]).
    pub fn core_is_empty(&self, tol: f64) -> bool {
        self.epsilon > tol
    }
}

/// The least core of a game over all 2^n - 2 proper nonempty coalitions.
pub fn least_core<G: Game + ?Sized>(g: &G) -> Result<LeastCore, GameError> {
    let n = g.players();
    if n > MAX_LEAST_CORE {
        return Err(GameError::TooManyPlayers {
            what: "the least-core LP",
            n,
            max: MAX_LEAST_CORE,
        });
    }
    let full = grand(n);
    let constraints: Vec<(Coalition, f64)> = (1..full).map(|s| (s, g.value(s))).collect();
    least_core_over(n, g.value(full), &constraints)
}

/// The least core restricted to the listed coalitions (each `(S, v(S))`, S proper and
/// nonempty): min ε s.t. x(S) + ε >= v(S) for the listed S, x(N) = v(N), x and ε free.
/// With every proper coalition listed this is the least core; with fewer it is a relaxation,
/// so its ε is a lower bound on the true ε* (and ε > 0 still proves the core empty). List every
/// singleton to keep that relaxation bounded (x_i >= v(i) - ε with x(N) = v(N) bound ε below);
/// an unbounded LP is reported as [`GameError::Lp`].
pub fn least_core_over(
    n: usize,
    grand_value: f64,
    constraints: &[(Coalition, f64)],
) -> Result<LeastCore, GameError> {
    if n < 2 {
        return Err(GameError::TooFewPlayers {
            what: "the least core",
            n,
            min: 2,
        });
    }
    if n > MAX_PLAYERS {
        return Err(GameError::TooManyPlayers {
            what: "the least core",
            n,
            max: MAX_PLAYERS,
        });
    }
    let full = grand(n);
    if !grand_value.is_finite() {
        return Err(GameError::NotFinite {
            coalition: full,
            value: grand_value,
        });
    }
    let mut pb = Problem::new(OptimizationDirection::Minimize);
    let x: Vec<microlp::Variable> = (0..n)
        .map(|_| pb.add_var(0.0, (f64::NEG_INFINITY, f64::INFINITY)))
        .collect();
    let eps = pb.add_var(1.0, (f64::NEG_INFINITY, f64::INFINITY));
    pb.add_constraint(
        x.iter().map(|&v| (v, 1.0)).collect::<Vec<_>>().as_slice(),
        ComparisonOp::Eq,
        grand_value,
    );
    let mut any = false;
    for &(s, v) in constraints {
        if s == 0 || s & full != s || s == full {
            continue;
        }
        if !v.is_finite() {
            return Err(GameError::NotFinite {
                coalition: s,
                value: v,
            });
        }
        let mut terms: Vec<(microlp::Variable, f64)> =
            members(s).into_iter().map(|i| (x[i], 1.0)).collect();
        terms.push((eps, 1.0));
        pb.add_constraint(terms.as_slice(), ComparisonOp::Ge, v);
        any = true;
    }
    if !any {
        return Err(GameError::Lp(
            "no proper coalition was given, so ε is unbounded below".into(),
        ));
    }
    let sol = pb.solve().map_err(|e| GameError::Lp(e.to_string()))?;
    let sol = sol
        .solution()
        .ok_or_else(|| GameError::Lp("interrupted before a solution".into()))?;
    Ok(LeastCore {
        epsilon: sol.var_value(eps),
        allocation: x.iter().map(|&v| sol.var_value(v)).collect(),
    })
}

/// The most violated coalition of split `x` among the listed `(S, v(S))`: the largest excess
/// v(S) - x(S), if it exceeds `tol`. Ties go to the first listed. A coalition with positive
/// excess blocks x: its members get more by forming it alone.
pub fn most_violated_over(
    x: &[f64],
    values: impl IntoIterator<Item = (Coalition, f64)>,
    tol: f64,
) -> Option<(Coalition, f64)> {
    let mut best: Option<(Coalition, f64)> = None;
    for (s, v) in values {
        let e = excess(v, x, s);
        if e > tol && best.is_none_or(|(_, b)| e > b + 1e-12 * b.abs().max(1.0)) {
            best = Some((s, e));
        }
    }
    best
}

/// The most violated proper nonempty coalition of split `x` over the whole game.
pub fn most_violated<G: Game + ?Sized>(g: &G, x: &[f64], tol: f64) -> Option<(Coalition, f64)> {
    let full = grand(g.players());
    most_violated_over(x, (1..full).map(|s| (s, g.value(s))), tol)
}

/// Is `x` in the core: x(N) = v(N) and no proper coalition has excess above `tol`?
pub fn in_core<G: Game + ?Sized>(g: &G, x: &[f64], tol: f64) -> bool {
    let full = grand(g.players());
    (sum_over(x, full) - g.value(full)).abs() <= tol && most_violated(g, x, tol).is_none()
}

/// Bounds on exact Shapley values when each v(S) is only known to lie in [lo(S), hi(S)]
/// (coalition values that depend on non-unique prices): each marginal contribution
/// v(S ∪ {i}) - v(S) lies in [lo(S ∪ {i}) - hi(S), hi(S ∪ {i}) - lo(S)], and the weights are
/// positive. Outer bounds: every v(S) is taken independently.
pub fn shapley_bounds(
    n: usize,
    lo: impl Fn(Coalition) -> f64,
    hi: impl Fn(Coalition) -> f64,
) -> Vec<(f64, f64)> {
    if n == 0 || n > MAX_ENUMERATED {
        return Vec::new();
    }
    let mut w = vec![0.0; n];
    w[0] = 1.0 / n as f64;
    for k in 0..n - 1 {
        w[k + 1] = w[k] * (k + 1) as f64 / (n - k - 1) as f64;
    }
    let mut out = vec![(0.0, 0.0); n];
    for s in 0..(1u64 << n) {
        let k = size(s);
        for (i, b) in out.iter_mut().enumerate() {
            let bit = 1u64 << i;
            if s & bit == 0 {
                b.0 += w[k] * (lo(s | bit) - hi(s));
                b.1 += w[k] * (hi(s | bit) - lo(s));
            }
        }
    }
    out
}

/// v(S ∪ T) >= v(S) + v(T) - tol for every pair of disjoint coalitions (3^n pairs).
pub fn is_superadditive(n: usize, v: impl Fn(Coalition) -> f64, tol: f64) -> bool {
    let full = grand(n);
    for s in 1..=full {
        // T ranges over the nonempty subsets of the complement of S, each pair once (T > S).
        let rest = full & !s;
        let mut t = rest;
        while t > 0 {
            if t > s && v(s | t) < v(s) + v(t) - tol {
                return false;
            }
            t = (t - 1) & rest;
        }
    }
    true
}
