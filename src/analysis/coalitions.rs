//! The coalition game an agreement induces (MODEL.md section 8, "coalitions").
//!
//! Players are the agreement's members, in the file's order. For a coalition S of members,
//! **v(S)** is the welfare gain of the members of S when only S forms the agreement: the
//! agreement's members become S and its clauses that name a country outside S (a `commit` by a
//! non-member of S) are dropped, on top of the baseline ([`super::compare::baseline_options`]):
//!
//!   v(S) = sum over i in S of (welfare of i with S's agreement - welfare of i in the baseline).
//!
//! A coalition of fewer than two members forms no agreement, so v(∅) = v({i}) = 0. Welfare by
//! country is the reported split of MODEL.md 7, which rests on the duals: where the duals of a
//! configuration are not unique, v(S) for S ≠ N is one of several values (only the sum over
//! all countries, W, is unique); the instances shipped with aistack avoid such ties.
//!
//! The game is solved by enumerating every coalition when there are at most
//! [`CoalitionSettings::max_exact`] members (default 12, 2^n - n - 1 solves run in parallel with
//! rayon), giving exact Shapley values and the least core; beyond that, or when a number of
//! samples is asked for, Shapley values are estimated from seeded random orders of the members
//! with a standard error each, and the least-core LP over the coalitions those orders visit gives
//! a lower bound on ε (positive still proves the core empty).
//!
//! The **realised split** is each member's gain under the full agreement; the **side payments**
//! are Shapley value - realised gain (they sum to zero, both splits summing to v(N)).

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use serde::Serialize;

use super::compare::{
    active_flags, baseline_label, solve_optimal, variant, welfare_of, AnalysisError,
};
use super::game::{self, Coalition, LeastCore, TableGame};
use super::verdict::Verdict;
use crate::formulation::BuildOptions;
use crate::results::ranges::{self, Range};
use crate::results::{SolveConfig, SolveError};
use crate::scenario::{AgreementId, Clause, CountryId, Scenario};

/// Members up to which every coalition is solved by default.
pub const DEFAULT_MAX_EXACT: usize = 12;

/// How to compute the game.
#[derive(Debug, Clone)]
pub struct CoalitionSettings {
    /// Monte Carlo with this many random orders of the members; `None` = exact when the
    /// members are at most `max_exact`, else Monte Carlo with [`DEFAULT_SAMPLES`].
    pub samples: Option<usize>,
    /// Seed of the ChaCha8 stream of orders.
    pub seed: u64,
    /// Most members for exact enumeration (at most [`game::MAX_LEAST_CORE`]).
    pub max_exact: usize,
    /// Which characteristic function.
    pub value: GameValue,
    /// Monte Carlo without a number of orders: sample until every standard error is at most
    /// this fraction of |v(N)|.
    pub target_std_error: f64,
}

/// The characteristic function v(S) (MODEL.md 8 and 12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GameValue {
    /// The welfare gain of S's members (rests on the split of W, hence on prices).
    #[default]
    Members,
    /// The change in W when only S forms the agreement, outsiders included (no prices).
    World,
}

/// Orders sampled first when there are too many members to enumerate and no number was asked
/// for; doubled until every standard error is within the target, up to [`MAX_SAMPLES`].
pub const DEFAULT_SAMPLES: usize = 1000;

/// Most orders sampled to reach the target standard error.
pub const MAX_SAMPLES: usize = 64_000;

/// Default target standard error of each Monte Carlo Shapley value, relative to |v(N)|.
pub const DEFAULT_TARGET_STD_ERROR: f64 = 0.01;

impl Default for CoalitionSettings {
    fn default() -> Self {
        CoalitionSettings {
            samples: None,
            seed: 0,
            max_exact: DEFAULT_MAX_EXACT,
            value: GameValue::Members,
            target_std_error: DEFAULT_TARGET_STD_ERROR,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Exact,
    MonteCarlo,
}

/// One member: what it gets under the full agreement, its Shapley value, and the side payment
/// between the two.
#[derive(Debug, Clone, Serialize)]
pub struct PlayerEntry {
    pub country: String,
    /// Gain under the full agreement (compare's gain for this member).
    pub realised: f64,
    pub shapley: f64,
    /// Standard error of the Monte Carlo estimate; `None` when exact.
    pub std_error: Option<f64>,
    /// Outer bounds on the exact Shapley value over optimal prices (each v(S) within its range).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shapley_range: Option<Range>,
    /// shapley - realised: what the member receives (> 0) or pays (< 0) to reach the
    /// Shapley split.
    pub side_payment: f64,
    /// This member's share in the least-core split found by the LP.
    pub least_core: f64,
}

/// The least core of the game.
#[derive(Debug, Clone, Serialize)]
pub struct LeastCoreEntry {
    /// ε*: the largest excess the best split must leave; <= 0 iff the core is not empty.
    pub epsilon: f64,
    /// True when every coalition was in the LP; false when only sampled coalitions were, so
    /// `epsilon` is a lower bound.
    pub exact: bool,
    /// Coalitions in the LP.
    pub coalitions: usize,
    /// Tolerance above which ε counts as positive.
    pub tolerance: f64,
    /// `Some(true)`: empty (proved); `Some(false)`: not empty; `None`: not decided (sampled,
    /// and the lower bound is not positive). At the reported prices.
    pub core_empty: Option<bool>,
    /// Bounds on ε over the optimal prices of every configuration: the least core of the
    /// most favourable values (each v(S) at its least, v(N) at its most) and of the least
    /// favourable ones. Absent when v does not depend on prices.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub epsilon_range: Option<Range>,
    /// "The core is empty" over the optimal prices (exact enumeration only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub core_empty_verdict: Option<Verdict>,
}

/// A coalition that blocks a split: its members get more by forming the agreement alone.
#[derive(Debug, Clone, Serialize)]
pub struct BlockingEntry {
    /// Which split: `realised`, `shapley` or `least_core`.
    pub split: &'static str,
    pub coalition: Vec<String>,
    /// v(S).
    pub value: f64,
    /// x(S): what the split gives S.
    pub share: f64,
    /// v(S) - x(S) > 0.
    pub excess: f64,
    /// Whether the values behind this block depend on which optimal prices are reported.
    pub price_dependent: bool,
}

/// The value of one coalition.
#[derive(Debug, Clone, Serialize)]
pub struct CoalitionValue {
    pub coalition: Vec<String>,
    pub value: f64,
    /// The least and the most v(S) can be over optimal prices (members game, canonical prices).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub range: Option<Range>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_dependent: Option<bool>,
    /// W with that coalition's agreement; `None` for coalitions too small to form one.
    pub w: Option<f64>,
}

/// The coalition game of an agreement, solved.
#[derive(Debug, Clone, Serialize)]
pub struct CoalitionReport {
    pub agreement: String,
    /// Which characteristic function was used.
    pub game: GameValue,
    /// v(S ∪ T) >= v(S) + v(T) for all disjoint S, T (exact enumeration only).
    pub superadditive: Option<bool>,
    pub members: Vec<String>,
    /// Other agreements active in every configuration.
    pub baseline_agreements: Vec<String>,
    pub currency: String,
    pub method: Method,
    /// Orders sampled (Monte Carlo only).
    pub samples: Option<usize>,
    /// Whether the target standard error was reached (Monte Carlo without a fixed number of
    /// orders only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_reached: Option<bool>,
    pub seed: Option<u64>,
    /// Scenario solves made: the baseline plus every coalition of two or more members needed.
    pub solves: usize,
    pub w_baseline: f64,
    /// v(N): the members' total gain from the full agreement.
    pub grand_value: f64,
    pub players: Vec<PlayerEntry>,
    pub least_core: LeastCoreEntry,
    /// Coalitions blocking the realised, Shapley and least-core splits (only those blocked).
    pub blocking: Vec<BlockingEntry>,
    /// Every coalition whose value is known, by size then by members.
    pub values: Vec<CoalitionValue>,
    /// Scenario warnings of the baseline and of the full agreement (MODEL.md 2, 13.3, 13.5;
    /// models/decisions.md 90).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    pub notes: Vec<String>,
}

/// Members of coalition `s` as country ids.
fn countries_of(members: &[CountryId], s: Coalition) -> Vec<CountryId> {
    game::members(s).into_iter().map(|i| members[i]).collect()
}

/// Clauses of agreement `a` that survive when only `coalition` forms it: those naming no
/// country outside it.
pub fn clauses_for(s: &Scenario, a: AgreementId, coalition: &[CountryId]) -> Vec<Clause> {
    s.agreements[a]
        .clauses
        .iter()
        .filter(|c| c.named_countries().iter().all(|x| coalition.contains(x)))
        .cloned()
        .collect()
}

/// The scenario and options in which only `coalition` (at least two members) forms agreement
/// `a` on top of `base`.
pub fn coalition_configuration(
    s: &Scenario,
    base: &BuildOptions,
    a: AgreementId,
    coalition: &[CountryId],
) -> (Scenario, BuildOptions) {
    variant(s, base, a, coalition, clauses_for(s, a, coalition))
}

/// Solve the coalition game of agreement `a` over `baseline` (where `a` is switched off).
/// `progress(done, total)` is called before the first solve and after each one (the baseline
/// and every coalition), from worker threads.
pub fn coalitions(
    s: &Scenario,
    a: AgreementId,
    baseline: &BuildOptions,
    config: &SolveConfig,
    settings: &CoalitionSettings,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<CoalitionReport, AnalysisError> {
    progress(0, 1);
    let g = Game::prepare(s, a, baseline, config, settings)?;
    progress(1, 1);
    let done = AtomicUsize::new(1);
    let solve_batch = |needed: &[Coalition], total: usize| -> Result<Vec<Solved>, AnalysisError> {
        needed
            .par_iter()
            .map(|&c| {
                let r = g.solve(c, config)?;
                let k = done.fetch_add(1, Ordering::Relaxed) + 1;
                progress(k, total);
                Ok(r)
            })
            .collect::<Vec<_>>()
            // The first error in coalition order, not the first to happen: the same every run.
            .into_iter()
            .collect()
    };
    let (n, full) = (g.n, g.full);
    let mut solved: Vec<Solved> = Vec::new();
    let mut perms: Option<Vec<Vec<usize>>> = None;
    let mut samples: Option<usize> = None;
    let mut target_reached: Option<bool> = None;
    match g.method {
        Method::Exact => {
            let needed = g.needed(None);
            solved = solve_batch(&needed, needed.len() + 1)?;
        }
        Method::MonteCarlo => {
            // A fixed number of orders when asked for; otherwise double the orders (the same
            // seeded stream, so each batch extends the last) until every standard error is
            // within the target, or the cap is reached.
            let mut m = settings.samples.unwrap_or(DEFAULT_SAMPLES);
            let mut have: BTreeSet<Coalition> = BTreeSet::new();
            loop {
                let p = game::sample_permutations(n, m, settings.seed);
                let want: BTreeSet<Coalition> = g.needed(Some(&p)).into_iter().collect();
                let needed: Vec<Coalition> = want.difference(&have).copied().collect();
                let total = have.len() + needed.len() + 1;
                solved.extend(solve_batch(&needed, total)?);
                have.extend(needed);
                let fixed = settings.samples.is_some();
                let values: HashMap<Coalition, f64> = solved.iter().map(|x| (x.0, x.1)).collect();
                let v = |c: Coalition| {
                    if game::size(c) < 2 {
                        0.0
                    } else {
                        values.get(&c).copied().unwrap_or(f64::NAN)
                    }
                };
                let worst = game::shapley_from_permutations(n, &p, v)?
                    .iter()
                    .map(|e| e.std_error)
                    .fold(0.0, f64::max);
                let target = settings.target_std_error * v(full).abs().max(1e-12);
                let reached = worst <= target;
                if fixed || reached || m >= MAX_SAMPLES {
                    if !fixed {
                        target_reached = Some(reached);
                    }
                    samples = Some(m);
                    perms = Some(p);
                    break;
                }
                m = (m * 2).min(MAX_SAMPLES);
            }
        }
    }
    g.assemble(&solved, perms, samples, target_reached)
}

/// One solved coalition: (S, v(S), W, gain of every country, range of v(S)).
pub type Solved = (Coalition, f64, f64, Vec<f64>, Option<Range>);

/// The coalition game of an agreement with its baseline solved: what every way of computing
/// the game (all here, or a shard at a time on a cluster, [`super::coalitions_shard`]) shares.
pub struct Game<'a> {
    s: &'a Scenario,
    a: AgreementId,
    settings: CoalitionSettings,
    pub members: Vec<CountryId>,
    pub n: usize,
    pub full: Coalition,
    pub method: Method,
    base: BuildOptions,
    base_outcome: crate::results::Outcome,
    pub w_baseline: f64,
    base_welfare: Vec<f64>,
}

impl<'a> Game<'a> {
    /// Check the request and solve the baseline (agreement `a` off).
    pub fn prepare(
        s: &'a Scenario,
        a: AgreementId,
        baseline: &BuildOptions,
        config: &SolveConfig,
        settings: &CoalitionSettings,
    ) -> Result<Game<'a>, AnalysisError> {
        prepare(s, a, baseline, config, settings)
    }

    /// The agreement's id.
    pub fn agreement_id(&self) -> &str {
        &self.s.agreements[self.a].id
    }

    /// The members' country ids, in the agreement's order (bit i of a coalition is member i).
    pub fn member_ids(&self) -> Vec<String> {
        self.members
            .iter()
            .map(|&c| self.s.countries[c].id.clone())
            .collect()
    }

    /// The coalitions whose values the game needs: every coalition of two or more members
    /// (exact), or those the sampled orders visit plus the grand coalition, in increasing
    /// order.
    pub fn needed(&self, perms: Option<&[Vec<usize>]>) -> Vec<Coalition> {
        match perms {
            None => (0..=self.full).filter(|&c| game::size(c) >= 2).collect(),
            Some(p) => {
                let mut want: BTreeSet<Coalition> = game::prefixes(p)
                    .into_iter()
                    .filter(|&c| game::size(c) >= 2)
                    .collect();
                want.insert(self.full);
                want.into_iter().collect()
            }
        }
    }
}

fn prepare<'a>(
    s: &'a Scenario,
    a: AgreementId,
    baseline: &BuildOptions,
    config: &SolveConfig,
    settings: &CoalitionSettings,
) -> Result<Game<'a>, AnalysisError> {
    if a >= s.agreements.len() {
        return Err(AnalysisError::BadInput(format!(
            "agreement index {a} is out of range"
        )));
    }
    let ag = &s.agreements[a];
    let id = ag.id.as_str();
    let members = ag.members.clone();
    let n = members.len();
    if n > game::MAX_PLAYERS {
        return Err(AnalysisError::BadInput(format!(
            "agreement \"{id}\" has {n} members; the coalition game supports at most {}",
            game::MAX_PLAYERS
        )));
    }
    if settings.max_exact > game::MAX_LEAST_CORE {
        return Err(AnalysisError::BadInput(format!(
            "exact enumeration is limited to {} members (2^{} coalitions), got a limit of {}",
            game::MAX_LEAST_CORE,
            game::MAX_LEAST_CORE,
            settings.max_exact
        )));
    }
    let method = if settings.samples.is_none() && n <= settings.max_exact {
        Method::Exact
    } else {
        Method::MonteCarlo
    };
    if let Some(m) = settings.samples {
        if m < 2 {
            return Err(AnalysisError::BadInput(format!(
                "Monte Carlo needs at least 2 sampled orders for a standard error, got {m}"
            )));
        }
    }

    let full = game::grand(n);
    let mut base = baseline.clone();
    base.active = active_flags(s, baseline);
    base.active[a] = false;
    let base_outcome = solve_optimal(s, &base, config, || baseline_label(s, &base, a))?;
    let w_baseline = base_outcome.objective().unwrap_or(f64::NAN);
    let base_welfare: Vec<f64> = welfare_of(s, &base_outcome)
        .iter()
        .map(|w| w.total)
        .collect();
    Ok(Game {
        s,
        a,
        settings: settings.clone(),
        members,
        n,
        full,
        method,
        base,
        base_outcome,
        w_baseline,
        base_welfare,
    })
}

impl Game<'_> {
    /// Solve the configuration in which only coalition `c` (two or more members) forms the
    /// agreement: v(c), W and every country's gain.
    pub fn solve(&self, c: Coalition, config: &SolveConfig) -> Result<Solved, AnalysisError> {
        let (s, a, settings, members, full) =
            (self.s, self.a, &self.settings, &self.members, self.full);
        let (base, base_outcome, base_welfare, w_baseline) = (
            &self.base,
            &self.base_outcome,
            &self.base_welfare,
            self.w_baseline,
        );
        let id = s.agreements[a].id.as_str();

        let who = countries_of(members, c);
        let (vs, vo) = coalition_configuration(s, base, a, &who);
        let outcome = solve_optimal(&vs, &vo, config, || {
            if c == full {
                format!("with agreement {id} active")
            } else {
                let names: Vec<&str> = who.iter().map(|&x| s.countries[x].id.as_str()).collect();
                format!("with agreement {id} formed by {} only", names.join(", "))
            }
        })?;
        let gains: Vec<f64> = welfare_of(&vs, &outcome)
            .iter()
            .zip(base_welfare.iter())
            .map(|(w, b)| w.total - b)
            .collect();
        let w = outcome.objective().unwrap_or(f64::NAN);
        let (v, range) = match settings.value {
            GameValue::World => (w - w_baseline, None),
            GameValue::Members => {
                // On the stochastic objective the members' value is their expected gain
                // (MODEL.md 13.10), ranged only when risk neutral (decision 151).
                let range = if !ranges::ranged(&outcome.program) {
                    None
                } else {
                    ranges::gain_ranges(&vs, base_outcome, &outcome, std::slice::from_ref(&who))
                        .map_err(|e| AnalysisError::Solve {
                            configuration: format!("ranges of v(S) for agreement {id}"),
                            source: SolveError::from(e),
                        })?
                        .map(|r| r[0])
                };
                (who.iter().map(|&x| gains[x]).sum(), range)
            }
        };
        Ok((c, v, w, gains, range))
    }

    /// The report from every needed coalition's value (in any order), the sampled orders
    /// (Monte Carlo) and how they were chosen.
    pub fn assemble(
        &self,
        solved: &[Solved],
        perms: Option<Vec<Vec<usize>>>,
        samples: Option<usize>,
        target_reached: Option<bool>,
    ) -> Result<CoalitionReport, AnalysisError> {
        let (s, a, settings, members, n, full, method) = (
            self.s,
            self.a,
            &self.settings,
            &self.members,
            self.n,
            self.full,
            self.method,
        );
        let (base, w_baseline) = (&self.base, self.w_baseline);
        let id = s.agreements[a].id.as_str();
        let total = solved.len() + 1;
        let mut solved: Vec<&Solved> = solved.iter().collect();
        // Coalition order: the same sums whatever order the values arrived in.
        solved.sort_by_key(|x| x.0);

        let mut values: HashMap<Coalition, f64> = HashMap::new();
        let mut welfare: HashMap<Coalition, f64> = HashMap::new();
        let mut value_ranges: HashMap<Coalition, Range> = HashMap::new();
        let mut realised = vec![0.0; n];
        for (c, v, w, gains, range) in solved.iter().copied() {
            values.insert(*c, *v);
            welfare.insert(*c, *w);
            if let Some(r) = range {
                value_ranges.insert(*c, *r);
            }
            if *c == full {
                realised = members.iter().map(|&x| gains[x]).collect();
            }
        }
        let v = |c: Coalition| {
            if game::size(c) < 2 {
                0.0
            } else {
                values.get(&c).copied().unwrap_or(f64::NAN)
            }
        };
        let grand_value = v(full);
        let scale = values.values().fold(0.0f64, |m, x| m.max(x.abs()));
        let tol = game::tolerance(scale);

        // Coalitions with a known value: every proper nonempty one when exact, else the singletons
        // (v = 0 by definition) and the sampled prefixes.
        let known: Vec<(Coalition, f64)> = match method {
            Method::Exact => (1..full).map(|c| (c, v(c))).collect(),
            Method::MonteCarlo => {
                let mut set: BTreeSet<Coalition> = (0..n).map(|i| 1u64 << i).collect();
                set.extend(values.keys().copied().filter(|&c| c != full));
                set.into_iter().map(|c| (c, v(c))).collect()
            }
        };

        let (shapley, std_errors): (Vec<f64>, Vec<Option<f64>>) = match &perms {
            None => {
                let table = TableGame::from_fn(n, v)?;
                (game::shapley(&table)?, vec![None; n])
            }
            Some(p) => {
                let est = game::shapley_from_permutations(n, p, v)?;
                (
                    est.iter().map(|e| e.value).collect(),
                    est.iter().map(|e| Some(e.std_error)).collect(),
                )
            }
        };

        let lc: LeastCore = if n >= 2 {
            game::least_core_over(n, grand_value, &known)?
        } else {
            LeastCore {
                epsilon: 0.0,
                allocation: vec![grand_value; n],
            }
        };
        // Exact when every proper coalition is in the LP (always when enumerated; sampling may
        // also have visited them all).
        let exact = known.len() as u64 == full - 1;
        let core_empty = if lc.core_is_empty(tol) {
            Some(true)
        } else if exact {
            Some(false)
        } else {
            None
        };
        // Over optimal prices: ε is increasing in every v(S), S ≠ N, and decreasing in v(N), so
        // the least core of the extreme values bounds it (outer bounds: every v(S) independently).
        let scale_w = w_baseline.abs().max(1.0);
        let dependent = value_ranges.values().any(|r| r.depends_on_prices(scale_w));
        let bound = |c: Coalition, low: bool| -> f64 {
            if game::size(c) < 2 {
                return 0.0;
            }
            match value_ranges.get(&c) {
                Some(r) => {
                    if low {
                        r.min
                    } else {
                        r.max
                    }
                }
                None => v(c),
            }
        };
        let (epsilon_range, core_empty_verdict) = if dependent && exact && n >= 2 {
            let at = |favourable: bool| -> Result<f64, AnalysisError> {
                let known: Vec<(Coalition, f64)> =
                    (1..full).map(|c| (c, bound(c, favourable))).collect();
                Ok(game::least_core_over(n, bound(full, !favourable), &known)?.epsilon)
            };
            let range = Range {
                min: at(true)?,
                max: at(false)?,
            };
            let empty = lc.core_is_empty(tol);
            // "The core is empty" holds when ε > tol: the same test as Verdict::at_least on
            // -(ε - tol) <= 0, written out here.
            let robustness = if range.min > tol {
                super::verdict::Robustness::EveryPrice
            } else if range.max <= tol {
                super::verdict::Robustness::NoPrice
            } else {
                super::verdict::Robustness::DependsOnPrices
            };
            (
                Some(range),
                Some(Verdict {
                    holds: empty,
                    robustness,
                    price_dependent: robustness == super::verdict::Robustness::DependsOnPrices,
                    range: Some(range),
                }),
            )
        } else if exact && n >= 2 && settings.value == GameValue::World {
            (None, Some(Verdict::fact(lc.core_is_empty(tol))))
        } else if exact && n >= 2 && !dependent && !value_ranges.is_empty() {
            (None, Some(Verdict::fact(lc.core_is_empty(tol))))
        } else {
            (None, None)
        };
        let least_core = LeastCoreEntry {
            epsilon: lc.epsilon,
            exact,
            coalitions: known.len(),
            tolerance: tol,
            core_empty,
            epsilon_range,
            core_empty_verdict,
        };
        let shapley_ranges: Option<Vec<Range>> =
            (dependent && method == Method::Exact).then(|| {
                game::shapley_bounds(n, |c| bound(c, true), |c| bound(c, false))
                    .into_iter()
                    .map(|(min, max)| Range { min, max })
                    .collect()
            });
        let superadditive = (method == Method::Exact).then(|| game::is_superadditive(n, v, tol));

        let names = |c: Coalition| -> Vec<String> {
            countries_of(members, c)
                .iter()
                .map(|&x| s.countries[x].id.clone())
                .collect()
        };
        let mut blocking = Vec::new();
        for (split, x) in [
            ("realised", &realised),
            ("shapley", &shapley),
            ("least_core", &lc.allocation),
        ] {
            if let Some((c, e)) = game::most_violated_over(x, known.iter().copied(), tol) {
                blocking.push(BlockingEntry {
                    split,
                    coalition: names(c),
                    value: v(c),
                    share: game::sum_over(x, c),
                    excess: e,
                    price_dependent: dependent,
                });
            }
        }

        let players = (0..n)
            .map(|i| PlayerEntry {
                country: s.countries[members[i]].id.clone(),
                realised: realised[i],
                shapley: shapley[i],
                std_error: std_errors[i],
                shapley_range: shapley_ranges.as_ref().map(|r| r[i]),
                side_payment: shapley[i] - realised[i],
                least_core: lc.allocation.get(i).copied().unwrap_or(f64::NAN),
            })
            .collect();

        let mut listed: Vec<Coalition> = known.iter().map(|&(c, _)| c).collect();
        listed.push(full);
        listed.sort_by_key(|&c| (game::size(c), game::members(c)));
        let values_out = listed
            .into_iter()
            .map(|c| CoalitionValue {
                coalition: names(c),
                value: v(c),
                range: value_ranges.get(&c).copied(),
                price_dependent: value_ranges.get(&c).map(|r| r.depends_on_prices(scale_w)),
                w: welfare.get(&c).copied(),
            })
            .collect();

        let mut notes = vec![match settings.value {
        GameValue::World => "v(S) is the change in W when only S forms the agreement, outsiders included \
             (--value world): it depends on no price."
            .to_string(),
        GameValue::Members if value_ranges.is_empty() => "v(S) adds up the welfare of S's members at the \
             prices the solver returned (--prices any); where duals are not unique that split, and so v(S), is one \
             of several."
            .to_string(),
        GameValue::Members => "v(S) adds up the welfare gain of S's members at the canonical prices (MODEL.md \
             12); each v(S) comes with its range over optimal prices, and verdicts say whether they hold for \
             every optimal price."
            .to_string(),
    }];
        if superadditive == Some(false) {
            notes.push(
            "v is not superadditive on this instance: some coalitions are worth less together than apart."
                .to_string(),
        );
        }
        if method == Method::MonteCarlo {
            notes.push(format!(
            "Monte Carlo over {} random orders (seed {}): Shapley values are estimates with standard errors; the \
             least core uses the {} coalitions with known values{}.",
            samples.unwrap_or(0),
            settings.seed,
            known.len(),
            if exact { ", which are all of them, so ε is exact" } else { ", so ε is a lower bound" }
        ));
            match target_reached {
            Some(true) => notes.push(format!(
                "Orders were doubled from {DEFAULT_SAMPLES} until every standard error was at most {}% of |v(N)|.",
                settings.target_std_error * 100.0
            )),
            Some(false) => notes.push(format!(
                "warning: after {MAX_SAMPLES} orders some standard error is still above {}% of |v(N)|.",
                settings.target_std_error * 100.0
            )),
            None => {}
        }
        }

        Ok(CoalitionReport {
            agreement: id.to_string(),
            game: settings.value,
            superadditive,
            members: members.iter().map(|&c| s.countries[c].id.clone()).collect(),
            baseline_agreements: active_flags(s, base)
                .iter()
                .enumerate()
                .filter(|&(b, &on)| on && b != a)
                .map(|(b, _)| s.agreements[b].id.clone())
                .collect(),
            currency: s.meta.currency.clone(),
            method,
            samples,
            target_reached,
            seed: samples.map(|_| settings.seed),
            solves: total,
            w_baseline,
            grand_value,
            players,
            least_core,
            blocking,
            values: values_out,
            warnings: {
                let mut with = base.clone();
                with.active[a] = true;
                super::compare::warnings_of_both_runs(
                    &crate::formulation::warnings(s, base),
                    &crate::formulation::warnings(s, &with),
                    id,
                )
            },
            notes,
        })
    }
}
