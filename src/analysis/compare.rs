//! Compare a scenario without and with one agreement (MODEL.md section 8, "compare"): W and
//! every country's welfare both ways, the gains, individual rationality of the members, the
//! effect on non-members, and which of the agreement's clauses bind.
//!
//! - **Baseline**: the file's activation flags with the agreement off, plus any agreements the
//!   caller switches on ([`baseline_options`]). **With**: the baseline plus the agreement.
//! - **Gains** are differences of the two solves' welfare by country (MODEL.md 7), so a country's
//!   gain is the sum of the changes in its consumer, producer and importer-rent parts. The split
//!   of W between countries rests on the duals; where those are not unique (degenerate
//!   programs) the split is one of several and only W and its gain are unique.
//! - **Binding clauses**: every clause is re-solved away alone: its value is
//!   W(with) - W(with, without that clause), and it binds when that is not zero (relative
//!   tolerance 1e-6). Clauses that add rows (`no_duplication`, `commit`) also report the duals of
//!   those rows; when the rows act on integer variables the duals come from the restricted
//!   pricing LP (integers fixed) and say little, which is why the re-solve value decides.
//!
//! Dropping a clause, like forming an agreement with fewer members ([`super::coalitions`]),
//! keeps the original agreement in the scenario, inactive, and appends the variant as a new
//! active agreement ([`variant`]): the operating binaries are fixed by the file (MODEL.md 3.1),
//! so every configuration is solved over the same variables as the file.

use rayon::prelude::*;
use serde::Serialize;

use super::verdict::Verdict;
use crate::backend::Status;
use crate::formulation::BuildOptions;
use crate::results::ranges::{self, Range};
use crate::results::{self, Outcome, Report, SolveConfig, SolveError, View, WelfareEntry};
use crate::scenario::{Agreement, AgreementId, Clause, CountryId, Scenario};

/// Relative tolerance for calling a gain negative or a clause binding: 1e-6 × max(1, |W|).
pub const RELATIVE_TOLERANCE: f64 = 1e-6;

/// Errors of the analyses: bad requests, configurations without an optimal solution (named),
/// solver failures.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    /// The request does not fit the scenario (unknown or repeated agreement, too many members).
    #[error("{0}")]
    BadInput(String),
    /// One of the configurations the analysis solves has no optimal solution.
    #[error("{configuration}, the scenario is {status}{}", diagnosis.as_ref().map_or(String::new(), |d| format!(": {d}")))]
    NoSolution {
        configuration: String,
        status: Status,
        diagnosis: Option<String>,
    },
    /// The backend failed.
    #[error("{configuration}: {source}")]
    Solve {
        configuration: String,
        #[source]
        source: SolveError,
    },
    /// A game-theory computation failed (sizes, least-core LP).
    #[error(transparent)]
    Game(#[from] super::game::GameError),
}

impl AnalysisError {
    /// True for errors that come from the request rather than from solving (exit 2 at the CLI).
    pub fn is_bad_input(&self) -> bool {
        matches!(self, AnalysisError::BadInput(_))
    }
}

/// One country's welfare without and with the agreement (discounted, `meta.currency`).
#[derive(Debug, Clone, Serialize)]
pub struct CountryComparison {
    pub country: String,
    pub member: bool,
    pub without: f64,
    pub with: f64,
    /// with - without; equals the sum of the three part gains.
    pub gain: f64,
    pub gain_consumers: f64,
    pub gain_producers: f64,
    pub gain_rents: f64,
    /// The least and the most the gain can be over the optimal prices of both configurations
    /// (MODEL.md 12; prices the agreement does not move held equal); absent with
    /// `--prices any`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gain_range: Option<Range>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_dependent: Option<bool>,
}

/// A member that loses from the agreement without side payments.
#[derive(Debug, Clone, Serialize)]
pub struct Loser {
    pub country: String,
    /// Welfare lost (> 0) at the reported prices, or the most it can lose where it loses only
    /// at some optimal prices.
    pub loss: f64,
    /// Whether it loses for every optimal price or only for some.
    pub verdict: Verdict,
}

/// The dual of one row a clause adds, in the row's period money (MODEL.md 7).
#[derive(Debug, Clone, Serialize)]
pub struct ClauseRowDual {
    pub period: usize,
    pub value: f64,
}

/// Whether one clause of the agreement binds.
#[derive(Debug, Clone, Serialize)]
pub struct ClauseBinding {
    /// 1-based clause number within the agreement, as in the file.
    pub clause: usize,
    pub kind: &'static str,
    pub description: String,
    /// W with the agreement but without this clause.
    pub w_without_clause: f64,
    /// W(with) - W(with, without this clause): what the clause is worth to the world;
    /// negative when it costs welfare (a cap or a commitment the planner would not choose).
    pub value: f64,
    pub binds: bool,
    /// Duals of the rows the clause adds (`no_duplication`, `commit`); empty for clauses that
    /// act through costs and permissions.
    pub duals: Vec<ClauseRowDual>,
    /// The clause's rows act on operating binaries, so their duals are those of the restricted
    /// pricing LP (integers fixed) and the re-solve value is the one to read.
    pub integer: bool,
}

/// The comparison of a scenario without and with one agreement.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub agreement: String,
    pub members: Vec<String>,
    /// Other agreements active in both configurations.
    pub baseline_agreements: Vec<String>,
    pub currency: String,
    pub mip: bool,
    pub relaxed: bool,
    pub w_without: f64,
    pub w_with: f64,
    pub w_gain: f64,
    pub countries: Vec<CountryComparison>,
    /// Sum of the members' gains (v(N) of the coalition game).
    pub members_gain: f64,
    /// Sum of the non-members' gains: the agreement's effect on everyone else.
    pub non_members_gain: f64,
    /// Every member gains (no member's gain below -tolerance) at the reported prices.
    pub individually_rational: bool,
    /// The same over the optimal dual face: the range is that of the smallest member gain.
    pub individual_rationality: Verdict,
    /// Members that lose at the reported prices or at some optimal prices.
    pub losers: Vec<Loser>,
    pub clauses: Vec<ClauseBinding>,
    /// How the agreement moves each learning capability at the horizon (MODEL.md 11.2): who is
    /// cheaper because of who produced first. Empty without learning curves.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub learning: Vec<LearningComparison>,
    /// The same per period: output, experience at the end of the period and unit cost of the
    /// next unit without and with the agreement (the path to the horizon).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub learning_periods: Vec<LearningPeriodComparison>,
    /// With `[uncertainty]`: the gain in expectation, in the worst tail and per outcome (the
    /// agreement's insurance value, MODEL.md 10). `w_*` are then the objective
    /// (1 - ω) E[W] + ω CVaR_α and the country gains are expected gains (13.10).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub insurance: Option<super::insurance::Insurance>,
    /// Scenario warnings of both runs (MODEL.md 2, 13.3, 13.5; [`warnings_of_both_runs`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    pub notes: Vec<String>,
}

/// The scenario warnings of a run without and a run with `agreement` as one list: a warning of
/// both runs as it is, one of a single run marked "(only with ID)" or "(only without ID)", the
/// with-run's first (models/decisions.md 90).
pub fn warnings_of_both_runs(without: &[String], with: &[String], agreement: &str) -> Vec<String> {
    let mut out: Vec<String> = with
        .iter()
        .map(|w| {
            if without.contains(w) {
                w.clone()
            } else {
                format!("{w} (only with {agreement})")
            }
        })
        .collect();
    out.extend(
        without
            .iter()
            .filter(|w| !with.contains(w))
            .map(|w| format!("{w} (only without {agreement})")),
    );
    out
}

/// One learning capability without and with the agreement: output over the horizon, and the
/// experience and unit cost of the next unit at the end of the last period (period money).
#[derive(Debug, Clone, serde::Serialize)]
pub struct LearningComparison {
    pub country: String,
    pub layer: String,
    pub output_without: f64,
    pub output_with: f64,
    pub experience_without: f64,
    pub experience_with: f64,
    pub unit_cost_without: f64,
    pub unit_cost_with: f64,
    /// Whether this capability has the lowest unit cost of its layer at the horizon.
    pub cheapest_without: bool,
    pub cheapest_with: bool,
}

/// One learning capability in one period without and with the agreement (MODEL.md 11.2):
/// output in the period, experience at its end and the unit cost of the next unit (period money).
#[derive(Debug, Clone, serde::Serialize)]
pub struct LearningPeriodComparison {
    pub country: String,
    pub layer: String,
    pub period: usize,
    pub output_without: f64,
    pub output_with: f64,
    pub experience_without: f64,
    pub experience_with: f64,
    pub unit_cost_without: f64,
    pub unit_cost_with: f64,
    /// Whether this capability has the lowest unit cost of its layer at the end of the period.
    pub cheapest_without: bool,
    pub cheapest_with: bool,
}

/// Whether entry `k` of a learning table has the lowest unit cost of its layer among the entries
/// of the same period (within 1e-9 relative).
fn cheapest_in_period(table: &[crate::results::LearningEntry], k: usize) -> bool {
    let least = table
        .iter()
        .filter(|x| x.layer == table[k].layer && x.period == table[k].period)
        .map(|x| x.unit_cost)
        .fold(f64::INFINITY, f64::min);
    table[k].unit_cost <= least + 1e-9 * least.abs().max(1.0)
}

/// [`LearningPeriodComparison`] of every learning capability and period.
pub fn learning_period_comparison(
    s: &Scenario,
    without: &Outcome,
    with: &Outcome,
) -> Vec<LearningPeriodComparison> {
    let (b, a) = (
        crate::results::learning_table(s, without),
        crate::results::learning_table(s, with),
    );
    (0..b.len().min(a.len()))
        .map(|k| LearningPeriodComparison {
            country: b[k].country.clone(),
            layer: b[k].layer.clone(),
            period: b[k].period,
            output_without: b[k].output,
            output_with: a[k].output,
            experience_without: b[k].experience,
            experience_with: a[k].experience,
            unit_cost_without: b[k].unit_cost,
            unit_cost_with: a[k].unit_cost,
            cheapest_without: cheapest_in_period(&b, k),
            cheapest_with: cheapest_in_period(&a, k),
        })
        .collect()
}

/// [`LearningComparison`] of every learning capability.
pub fn learning_comparison(
    s: &Scenario,
    without: &Outcome,
    with: &Outcome,
) -> Vec<LearningComparison> {
    let horizon = |o: &Outcome| {
        let table = crate::results::learning_table(s, o);
        let mut out: Vec<(String, String, f64, f64, f64)> = Vec::new();
        for e in &table {
            match out.iter_mut().find(|x| x.0 == e.country && x.1 == e.layer) {
                Some(x) => {
                    x.2 += e.output;
                    x.3 = e.experience;
                    x.4 = e.unit_cost;
                }
                None => out.push((
                    e.country.clone(),
                    e.layer.clone(),
                    e.output,
                    e.experience,
                    e.unit_cost,
                )),
            }
        }
        out
    };
    let (b, a) = (horizon(without), horizon(with));
    let cheapest = |v: &[(String, String, f64, f64, f64)], k: usize| {
        let least = v
            .iter()
            .filter(|x| x.1 == v[k].1)
            .map(|x| x.4)
            .fold(f64::INFINITY, f64::min);
        v[k].4 <= least + 1e-9 * least.abs().max(1.0)
    };
    (0..b.len().min(a.len()))
        .map(|k| LearningComparison {
            country: b[k].0.clone(),
            layer: b[k].1.clone(),
            output_without: b[k].2,
            output_with: a[k].2,
            experience_without: b[k].3,
            experience_with: a[k].3,
            unit_cost_without: b[k].4,
            unit_cost_with: a[k].4,
            cheapest_without: cheapest(&b, k),
            cheapest_with: cheapest(&a, k),
        })
        .collect()
}

pub fn active_flags(s: &Scenario, opts: &BuildOptions) -> Vec<bool> {
    (0..s.agreements.len())
        .map(|a| opts.is_active(a, s))
        .collect()
}

/// The baseline of an analysis of `agreement`: the file's flags with `agreement` off and
/// `also_active` on.
pub fn baseline_options(
    s: &Scenario,
    agreement: AgreementId,
    also_active: &[AgreementId],
    relax: bool,
) -> Result<BuildOptions, AnalysisError> {
    if agreement >= s.agreements.len() {
        return Err(AnalysisError::BadInput(format!(
            "agreement index {agreement} is out of range"
        )));
    }
    let mut opts = BuildOptions::from_file(s);
    opts.relax = relax;
    opts.active[agreement] = false;
    for &a in also_active {
        if a == agreement {
            return Err(AnalysisError::BadInput(format!(
                "agreement \"{}\" is the one analysed; it cannot also be part of the baseline",
                s.agreements[a].id
            )));
        }
        if a >= s.agreements.len() {
            return Err(AnalysisError::BadInput(format!(
                "agreement index {a} is out of range"
            )));
        }
        opts.active[a] = true;
    }
    Ok(opts)
}

/// A scenario and options in which agreement `a` takes effect as a variant with `members` and
/// `clauses` (on top of `base`, where `a` is off). With the original members and clauses this
/// is just `a` switched on; otherwise the original stays in the file, inactive, and the variant
/// is appended as an active agreement, so the variables (MODEL.md 3.1) stay those of the file.
pub fn variant(
    s: &Scenario,
    base: &BuildOptions,
    a: AgreementId,
    members: &[CountryId],
    clauses: Vec<Clause>,
) -> (Scenario, BuildOptions) {
    let original = &s.agreements[a];
    let mut opts = base.clone();
    opts.active = active_flags(s, base);
    let mut sorted = members.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut theirs = original.members.clone();
    theirs.sort_unstable();
    theirs.dedup();
    if sorted == theirs && clauses == original.clauses {
        opts.active[a] = true;
        return (s.clone(), opts);
    }
    let mut v = s.clone();
    opts.active[a] = false;
    v.agreements.push(Agreement {
        id: original.id.clone(),
        name: original.name.clone(),
        members: sorted,
        active: true,
        clauses,
    });
    opts.active.push(true);
    (v, opts)
}

/// Solve one configuration and insist on an optimum; `configuration` names it in errors
/// ("with agreement X active"), and an infeasible one comes with the diagnosis of
/// [`super::infeasibility::diagnose`].
pub fn solve_optimal(
    s: &Scenario,
    opts: &BuildOptions,
    config: &SolveConfig,
    configuration: impl FnOnce() -> String,
) -> Result<Outcome, AnalysisError> {
    match results::solve(s, opts, config) {
        Ok(o) if o.is_optimal() => Ok(o),
        Ok(o) => {
            // Name the conflict when there is one (a minimal set of constraint groups).
            let diagnosis = if o.status == Status::Infeasible {
                super::infeasibility::diagnose(s, opts, config)
                    .ok()
                    .filter(|d| d.infeasible)
                    .map(|d| d.explanation)
            } else {
                None
            };
            Err(AnalysisError::NoSolution {
                configuration: configuration(),
                status: o.status,
                diagnosis,
            })
        }
        Err(source) => Err(AnalysisError::Solve {
            configuration: configuration(),
            source,
        }),
    }
}

/// Welfare by country of a solved outcome (MODEL.md 7); of a stochastic program, the expected
/// (or risk-adjusted) split of MODEL.md 13.10.
pub fn welfare_of(s: &Scenario, o: &Outcome) -> Vec<WelfareEntry> {
    if o.program.stochastic.is_some() {
        return Report::without_ranges(s, o).welfare;
    }
    View::new(s, o)
        .map(|v| results::welfare(&v))
        .unwrap_or_default()
}

/// A short description of a clause, with ids: "no_duplication models, at most 1 producer".
pub fn describe_clause(s: &Scenario, c: &Clause) -> String {
    let layers = |ls: &[usize]| {
        ls.iter()
            .map(|&l| s.layers[l].id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match c {
        Clause::MutualRecognition { layers: ls } => format!("mutual_recognition {}", layers(ls)),
        Clause::TrustedSupply { layers: ls } => format!("trusted_supply {}", layers(ls)),
        Clause::TradeCostFactor { layers: ls, factor } => {
            format!("trade_cost_factor {} x{factor}", layers(ls))
        }
        Clause::NoDuplication {
            layer,
            max_producers,
        } => format!(
            "no_duplication {}, at most {max_producers} producer{}",
            s.layers[*layer].id,
            if *max_producers == 1 { "" } else { "s" }
        ),
        Clause::Commit {
            country,
            layer,
            build,
            from_period,
        } => format!(
            "commit {} {} {} from period {from_period}",
            s.countries[*country].id,
            if *build { "builds" } else { "stays out of" },
            s.layers[*layer].id
        ),
        Clause::UpgradeRoute {
            layers: ls,
            entry_discount,
        } => {
            format!(
                "upgrade_route {}, entry discount {entry_discount}",
                layers(ls)
            )
        }
        Clause::TechnologyTransfer { layers: ls, share } => {
            format!("technology_transfer {}, share {share}", layers(ls))
        }
    }
}

/// Names of the baseline's other active agreements.
fn baseline_names(s: &Scenario, base: &BuildOptions, a: AgreementId) -> Vec<String> {
    active_flags(s, base)
        .iter()
        .enumerate()
        .filter(|&(b, &on)| on && b != a)
        .map(|(b, _)| s.agreements[b].id.clone())
        .collect()
}

/// "in the baseline (agreement X inactive, Y active)".
pub fn baseline_label(s: &Scenario, base: &BuildOptions, a: AgreementId) -> String {
    let others = baseline_names(s, base, a);
    let mut label = format!("in the baseline (agreement {} inactive", s.agreements[a].id);
    if !others.is_empty() {
        label.push_str(&format!("; active: {}", others.join(", ")));
    }
    label.push(')');
    label
}

enum Job {
    Without,
    With,
    DropClause(usize),
}

/// Compare the scenario without and with agreement `a`, on top of `baseline` (in which `a` is
/// switched off whatever its flag says).
pub fn compare(
    s: &Scenario,
    a: AgreementId,
    baseline: &BuildOptions,
    config: &SolveConfig,
) -> Result<Comparison, AnalysisError> {
    compare_with_progress(s, a, baseline, config, &|_, _| {})
}

/// [`compare`], calling `progress(done, total)` before the first solve and after each one
/// (for a progress bar).
pub fn compare_with_progress(
    s: &Scenario,
    a: AgreementId,
    baseline: &BuildOptions,
    config: &SolveConfig,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Comparison, AnalysisError> {
    if a >= s.agreements.len() {
        return Err(AnalysisError::BadInput(format!(
            "agreement index {a} is out of range"
        )));
    }
    let ag = &s.agreements[a];
    let id = ag.id.clone();
    let mut base = baseline.clone();
    base.active = active_flags(s, baseline);
    base.active[a] = false;
    let mut with = base.clone();
    with.active[a] = true;

    let mut jobs = vec![Job::Without, Job::With];
    jobs.extend((0..ag.clauses.len()).map(Job::DropClause));
    let run_job = |job: &Job| -> Result<(Option<Scenario>, Outcome), AnalysisError> {
        match job {
            Job::Without => {
                solve_optimal(s, &base, config, || baseline_label(s, &base, a)).map(|o| (None, o))
            }
            Job::With => solve_optimal(s, &with, config, || format!("with agreement {id} active"))
                .map(|o| (None, o)),
            &Job::DropClause(k) => {
                let mut clauses = ag.clauses.clone();
                clauses.remove(k);
                let (vs, vo) = variant(s, &base, a, &ag.members, clauses);
                let o = solve_optimal(&vs, &vo, config, || {
                    format!(
                        "with agreement {id} active without its clause {} ({})",
                        k + 1,
                        ag.clauses[k].kind()
                    )
                })?;
                Ok((Some(vs), o))
            }
        }
    };
    let done = std::sync::atomic::AtomicUsize::new(0);
    progress(0, jobs.len());
    let outcomes: Vec<(Option<Scenario>, Outcome)> = jobs
        .par_iter()
        .map(|job| {
            let r = run_job(job);
            progress(
                done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1,
                jobs.len(),
            );
            r
        })
        .collect::<Vec<_>>()
        // The first error in job order, not the first to happen: the same error every run.
        .into_iter()
        .collect::<Result<_, _>>()?;

    let without = &outcomes[0].1;
    let with_o = &outcomes[1].1;
    let w_without = without.objective().unwrap_or(f64::NAN);
    let w_with = with_o.objective().unwrap_or(f64::NAN);
    let tol = RELATIVE_TOLERANCE * w_with.abs().max(w_without.abs()).max(1.0);

    let before = welfare_of(s, without);
    let after = welfare_of(s, with_o);
    let is_member = |c: CountryId| ag.members.contains(&c);
    let singles: Vec<Vec<CountryId>> = (0..s.countries.len()).map(|c| vec![c]).collect();
    let price_error = |e| AnalysisError::Solve {
        configuration: format!("ranges of the gains from agreement {id}"),
        source: SolveError::from(e),
    };
    // No ranges on a risk-weighted stochastic objective (as `solve`, MODEL.md 13.13); with
    // ω = 0 the expected split is ranged (decision 151).
    let stochastic = with_o.program.stochastic.is_some();
    let gain_ranges = if !ranges::ranged(&with_o.program) {
        None
    } else {
        ranges::gain_ranges(s, without, with_o, &singles).map_err(price_error)?
    };
    let countries: Vec<CountryComparison> = before
        .iter()
        .zip(&after)
        .enumerate()
        .map(|(c, (b, w))| {
            let range = gain_ranges.as_ref().map(|g| g[c]);
            CountryComparison {
                country: b.country.clone(),
                member: is_member(c),
                without: b.total,
                with: w.total,
                gain: w.total - b.total,
                gain_consumers: w.consumers - b.consumers,
                gain_producers: w.producers - b.producers,
                gain_rents: w.rents - b.rents,
                gain_range: range,
                price_dependent: range.map(|r| r.depends_on_prices(w_with)),
            }
        })
        .collect();
    let members_gain = countries.iter().filter(|c| c.member).map(|c| c.gain).sum();
    let non_members_gain = countries.iter().filter(|c| !c.member).map(|c| c.gain).sum();
    let losers: Vec<Loser> = countries
        .iter()
        .filter(|c| c.member)
        .filter_map(|c| {
            // The verdict is on "this member gains"; it is listed when it loses at the
            // reported prices or at some optimal prices.
            let verdict = Verdict::at_least(c.gain, c.gain_range, tol);
            let worst = c.gain_range.map_or(c.gain, |r| r.min);
            (!verdict.holds || worst < -tol).then(|| Loser {
                country: c.country.clone(),
                loss: if verdict.holds { -worst } else { -c.gain },
                verdict,
            })
        })
        .collect();
    let least_gain = countries
        .iter()
        .filter(|c| c.member)
        .map(|c| c.gain)
        .fold(f64::INFINITY, f64::min);
    let members: Vec<CountryId> = ag.members.clone();
    let least_range = match &gain_ranges {
        Some(g) => {
            let lo = members
                .iter()
                .map(|&c| g[c].min)
                .fold(f64::INFINITY, f64::min);
            ranges::best_least_gain(s, without, with_o, &members)
                .map_err(price_error)?
                .map(|hi| Range { min: lo, max: hi })
        }
        None => None,
    };
    let individual_rationality = Verdict::at_least(least_gain, least_range, tol);

    let report = Report::without_ranges(s, with_o);
    let mip = with_o.mip;
    let clauses = ag
        .clauses
        .iter()
        .enumerate()
        .map(|(k, clause)| {
            let w_without_clause = outcomes[2 + k].1.objective().unwrap_or(f64::NAN);
            let value = w_with - w_without_clause;
            let duals = report
                .clause_duals
                .iter()
                .filter(|d| d.agreement == id && d.clause == k + 1)
                .map(|d| ClauseRowDual {
                    period: d.period,
                    value: d.value,
                })
                .collect();
            ClauseBinding {
                clause: k + 1,
                kind: clause.kind(),
                description: describe_clause(s, clause),
                w_without_clause,
                value,
                binds: value.abs() > tol,
                duals,
                integer: mip
                    && matches!(clause, Clause::NoDuplication { .. } | Clause::Commit { .. }),
            }
        })
        .collect();

    let mut notes = vec![if stochastic {
        format!("On the stochastic objective (MODEL.md 10): W is (1 - risk_weight) E[W] + risk_weight CVaR, country \
         welfare is the expected split at each outcome's prices (canonical where computed), and the insurance \
         tables give the gain in expectation, in the worst tail and in every outcome; {}",
        if gain_ranges.is_some() {
            "each expected gain comes with the least and the most it can be at other optimal prices (risk \
             neutral, decision 151)"
        } else {
            "no price ranges (a risk weight above 0, MODEL.md 13.13, or --prices any)"
        }
    )
    } else if gain_ranges.is_some() {
        "Country welfare uses the canonical prices (the least-norm optimal duals, MODEL.md 12); each gain comes \
         with the least and the most it can be at other optimal prices (at prices common to both configurations \
         where one price system is optimal for both, models/decisions.md 16), and verdicts say whether they hold \
         for every optimal price."
            .to_string()
    } else {
        "Country welfare uses the prices the solver returned (--prices any); where a price is not unique the \
         split between countries is one of several, while W and its gain are unique."
            .to_string()
    }];
    if mip {
        notes.push(
            "Prices are those of the restricted pricing LP (integers fixed at their optimum), so entry costs and \
             minimum scales that prices do not cover show up as producer losses (uplift)."
                .to_string(),
        );
    }
    let residual = |o: &Outcome| {
        if o.program.stochastic.is_some() {
            // The split sums to E[W] (or Σ q_s W_s), not to the risk-weighted objective.
            return Report::without_ranges(s, o)
                .welfare_residual
                .unwrap_or(f64::NAN);
        }
        let total: f64 = welfare_of(s, o).iter().map(|w| w.total).sum();
        (total - o.objective().unwrap_or(f64::NAN)).abs()
            / o.objective().unwrap_or(1.0).abs().max(1.0)
    };
    for (label, o) in [("without", without), ("with", with_o)] {
        let r = residual(o);
        if r.is_nan() || r > 1e-6 {
            notes.push(format!(
                "warning: welfare by country {label} the agreement misses W by {r:.1e} (relative)"
            ));
        }
    }

    Ok(Comparison {
        agreement: id,
        members: ag
            .members
            .iter()
            .map(|&c| s.countries[c].id.clone())
            .collect(),
        baseline_agreements: baseline_names(s, &base, a),
        currency: s.meta.currency.clone(),
        mip,
        relaxed: with_o.relaxed,
        w_without,
        w_with,
        w_gain: w_with - w_without,
        countries,
        members_gain,
        non_members_gain,
        individually_rational: individual_rationality.holds,
        individual_rationality,
        losers,
        clauses,
        learning: learning_comparison(s, without, with_o),
        learning_periods: learning_period_comparison(s, without, with_o),
        insurance: super::insurance::insurance(s, without, with_o),
        warnings: warnings_of_both_runs(
            &without.scenario_warnings,
            &with_o.scenario_warnings,
            &s.agreements[a].id,
        ),
        notes,
    })
}
