//! Infeasibility diagnosis (MODEL.md section 8): when no allocation exists, name every
//! conflict, each a minimal set of constraint groups, such that dropping one group from each
//! makes the scenario feasible, in words a policy analyst reads.
//!
//! The unit of explanation is a [`Group`] (formulation::keys): a capacity, a minimum scale, a
//! capability ladder, an essential demand, a security policy, an agreement clause, a
//! `trade.block` entry or a forced decision. Balance, origin and entry bookkeeping
//! ([`Group::Core`]) are never dropped.
//!
//! **Deletion filter over groups.** Start from every droppable group present in the program and
//! confirm that the program is infeasible. Then take the groups one at a time: drop the group
//! tentatively; if the program stays infeasible the group is not needed for the conflict and
//! stays dropped, otherwise it is restored. What remains is an irreducible infeasible set of
//! groups: the groups in it conflict (with the core rows), and dropping any one of them makes
//! the rest feasible. Feasibility is monotone in the groups (dropping a group removes rows, or,
//! for a trade block, adds flow columns), so a group restored early is still needed at the end.
//! Each test solves the program with a zero objective ([`Program::feasibility`]), integers kept,
//! so that integer conflicts (a commitment against a no-duplication cap) are found too.
//!
//! **Every conflict.** After a conflict is found, one of its groups (the one tested last by the
//! filter: a policy rather than a physical fact) is set aside and the search repeats on what is
//! left, until the scenario is feasible. Each set found is irreducible on its own (the core rows
//! plus that set are infeasible, and dropping any one of its groups makes them feasible), and
//! dropping the set-aside group of each makes the scenario feasible: the closing sentence says
//! exactly that, with the groups that were dropped.
//!
//! The order of the filter decides which conflict is named when there are several: groups
//! tested first are the first to go, so physical facts (capacities, minimum scales, ladders) are
//! tested before trade blocks, security policies, clauses, forced decisions and essential
//! demand, and the explanation names policies where it can.

use std::collections::HashSet;

use serde::Serialize;

use crate::backend::{Backend, Settings, Status};
use crate::formulation::{self, BuildOptions, Group};
use crate::results::{SolveConfig, SolveError};
use crate::scenario::{Clause, CountryId, LayerId, Scenario};

/// One conflict: an irreducible set of constraint groups.
#[derive(Debug, Clone, Serialize)]
pub struct Conflict {
    #[serde(skip)]
    pub groups: Vec<Group>,
    #[serde(rename = "groups")]
    pub keys: Vec<GroupKey>,
    pub descriptions: Vec<String>,
    pub explanation: String,
    /// The group set aside to look for further conflicts (dropping it resolves this one).
    pub dropped_to_continue: GroupKey,
}

/// Every conflict, and what it means.
#[derive(Debug, Clone, Serialize)]
pub struct Diagnosis {
    /// Every conflict found; dropping one group from each makes the scenario feasible.
    pub conflicts: Vec<Conflict>,
    /// The groups of every conflict, in the order they are described.
    #[serde(skip)]
    pub groups: Vec<Group>,
    /// The same groups with their entity ids (serialised as `groups`).
    #[serde(rename = "groups")]
    pub keys: Vec<GroupKey>,
    /// One description per group, in plain words from the scenario.
    pub descriptions: Vec<String>,
    /// The sentence for people.
    pub explanation: String,
    /// False if the scenario is feasible (nothing to diagnose).
    pub infeasible: bool,
    /// True if the program stays infeasible with every droppable group removed: the conflict
    /// lies in the balance and operating rows themselves.
    pub core_conflict: bool,
    /// False if a feasibility test stopped at the time limit: the set may then not be minimal.
    pub complete: bool,
    /// Number of feasibility solves used.
    pub solves: usize,
    /// With `[uncertainty]`: the outcome in which the conflict arises (MODEL.md 13.15), the
    /// first whose rows alone (that outcome at probability 1) are infeasible.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
}

impl Diagnosis {
    /// The diagnosis for people: the sentence, then one line per group.
    pub fn render(&self) -> String {
        let mut out = format!("Why: {}\n", self.explanation);
        if self.conflicts.len() > 1 {
            for (k, c) in self.conflicts.iter().enumerate() {
                out.push_str(&format!(
                    "Conflict {} (dropping any one of these groups resolves it):\n",
                    k + 1
                ));
                for d in &c.descriptions {
                    out.push_str(&format!("  - {d}\n"));
                }
            }
        } else if !self.descriptions.is_empty() {
            out.push_str("Constraint groups in conflict (dropping any one of them makes the scenario feasible):\n");
            for d in &self.descriptions {
                out.push_str(&format!("  - {d}\n"));
            }
        }
        if !self.complete {
            out.push_str(
                "(a feasibility test stopped at the time limit: the set may not be minimal)\n",
            );
        }
        out
    }
}

/// A group by its ids, for JSON.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct GroupKey {
    /// `capacity`, `min_scale`, `ladder`, `essential`, `security`, `clause`, `trade_block`,
    /// `forced` (or `core`).
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agreement: Option<String>,
    /// 1-based clause number within the agreement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clause: Option<usize>,
    /// 1-based index of the `[[trade.block]]` entry in the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trade_block: Option<usize>,
}

/// Outcome of one feasibility test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    Feasible,
    Infeasible,
    /// Stopped at the time limit without a solution.
    Unknown,
}

/// Order in which the deletion filter tests groups (first tested = first dropped).
fn filter_rank(g: &Group) -> u8 {
    match g {
        Group::Capacity { .. } => 0,
        Group::MinScale { .. } => 1,
        Group::Ladder { .. } => 2,
        Group::TradeBlock { .. } => 3,
        Group::Security { .. } => 4,
        Group::Clause { .. } => 5,
        Group::Forced { .. } => 6,
        Group::Essential { .. } => 7,
        Group::Core => 8,
    }
}

/// Order in which a diagnosis names groups (what is wanted first, then what stands in the way).
fn display_rank(g: &Group) -> u8 {
    match g {
        Group::Essential { .. } => 0,
        Group::Forced { .. } => 1,
        Group::Clause { .. } => 2,
        Group::Security { .. } => 3,
        Group::TradeBlock { .. } => 4,
        Group::Ladder { .. } => 5,
        Group::MinScale { .. } => 6,
        Group::Capacity { .. } => 7,
        Group::Core => 8,
    }
}

/// Every droppable group present in the program built from `s` under `opts` (groups already in
/// `opts.dropped` excluded), plus every `trade.block` entry, in deletion-filter order.
pub fn droppable_groups(s: &Scenario, opts: &BuildOptions) -> Vec<Group> {
    let program = formulation::build(s, opts);
    let mut set: HashSet<Group> = program
        .rows
        .iter()
        .map(|r| r.row.group())
        .filter(|g| *g != Group::Core)
        .collect();
    for index in 0..s.trade.blocks.len() {
        let g = Group::TradeBlock { index };
        if !opts.dropped.contains(&g) {
            set.insert(g);
        }
    }
    let mut groups: Vec<Group> = set.into_iter().collect();
    groups.sort_by_key(|g| (filter_rank(g), *g));
    groups
}

struct Tester<'a> {
    s: &'a Scenario,
    opts: &'a BuildOptions,
    backend: Box<dyn Backend>,
    settings: Settings,
    solves: usize,
}

impl Tester<'_> {
    /// Is the program feasible with `extra` groups dropped (on top of `opts.dropped`)?
    fn check(&mut self, extra: &HashSet<Group>) -> Result<Check, SolveError> {
        let mut opts = self.opts.clone();
        opts.dropped.extend(extra.iter().copied());
        let program = formulation::build(self.s, &opts).feasibility();
        self.solves += 1;
        let raw = self.backend.solve(&program, &self.settings)?;
        Ok(match raw.status {
            Status::Infeasible => Check::Infeasible,
            Status::Optimal | Status::Unbounded => Check::Feasible,
            Status::TimeLimit if raw.has_values() => Check::Feasible,
            Status::TimeLimit => Check::Unknown,
            Status::NumericalTrouble => Check::Unknown,
        })
    }
}

/// Diagnose why `s` under `opts` is infeasible: a minimal set of constraint groups found by a
/// deletion filter, with a sentence naming them. A feasible scenario gives a diagnosis with
/// `infeasible = false` and no groups.
///
/// With `[uncertainty]` the conflict is named with its outcome (MODEL.md 13.15): each outcome
/// is tested alone (probability 1, same τ, first stage free) in file order, and the first that
/// is infeasible is diagnosed ("In outcome taiwan-blockade, ..."). A conflict that needs two
/// outcomes at once (one first stage that no plan fits to both, each alone feasible) is
/// diagnosed on the whole program, without an outcome (models/decisions.md 131).
pub fn diagnose(
    s: &Scenario,
    opts: &BuildOptions,
    config: &SolveConfig,
) -> Result<Diagnosis, SolveError> {
    // Per-outcome requests (finite differences) index the file's outcomes: test the whole.
    if let Some(u) = s
        .uncertainty
        .as_ref()
        .filter(|_| opts.extra_delivery_in.is_empty())
    {
        for (o, oc) in u.outcomes.iter().enumerate() {
            let mut alone = s.clone();
            alone.uncertainty = Some(u.only(o));
            let d = diagnose_groups(&alone, opts, config)?;
            if d.infeasible {
                return Ok(d.in_outcome(&oc.id));
            }
        }
    }
    diagnose_groups(s, opts, config)
}

impl Diagnosis {
    /// The diagnosis of one outcome, named: "In outcome X, KOR's floor ...".
    fn in_outcome(mut self, id: &str) -> Diagnosis {
        let e = &self.explanation;
        // Lower-case a sentence's first word ("The"), not an id ("KOR's").
        let lower = e.chars().nth(1).is_some_and(|c| c.is_lowercase());
        let first = e.chars().next().map(|c| {
            if lower {
                c.to_lowercase().to_string()
            } else {
                c.to_string()
            }
        });
        self.explanation = format!(
            "In outcome {id}, {}{}",
            first.unwrap_or_default(),
            e.chars().skip(1).collect::<String>()
        );
        for c in &mut self.conflicts {
            c.explanation = format!("in outcome {id}: {}", c.explanation);
        }
        self.outcome = Some(id.to_string());
        self
    }
}

fn diagnose_groups(
    s: &Scenario,
    opts: &BuildOptions,
    config: &SolveConfig,
) -> Result<Diagnosis, SolveError> {
    let mut tester = Tester {
        s,
        opts,
        backend: config.backend()?,
        settings: config.settings.clone(),
        solves: 0,
    };
    let candidates = droppable_groups(s, opts);
    let mut complete = true;
    match tester.check(&HashSet::new())? {
        Check::Infeasible => {}
        Check::Feasible => {
            return Ok(Diagnosis {
                conflicts: Vec::new(),
                groups: Vec::new(),
                keys: Vec::new(),
                descriptions: Vec::new(),
                explanation: "The scenario is feasible: there is nothing to diagnose.".into(),
                infeasible: false,
                core_conflict: false,
                complete: true,
                solves: tester.solves,
                outcome: None,
            })
        }
        Check::Unknown => complete = false,
    }
    let all: HashSet<Group> = candidates.iter().copied().collect();
    if tester.check(&all)? != Check::Feasible {
        return Ok(Diagnosis {
            conflicts: Vec::new(),
            groups: Vec::new(),
            keys: Vec::new(),
            descriptions: Vec::new(),
            explanation: "The scenario is infeasible even with every capacity, minimum scale, ladder, essential \
                          demand, security policy, agreement clause and trade block removed: the conflict lies in \
                          the balance and operating rows themselves (for example a commitment to operate where \
                          capacity plus maximum expansion is zero)."
                .into(),
            infeasible: true,
            core_conflict: true,
            complete,
            solves: tester.solves,
            outcome: None,
        });
    }
    // Conflicts one after another: find a minimal set, set one of its groups aside, repeat.
    let mut conflicts: Vec<Vec<Group>> = Vec::new();
    let mut aside: Vec<Group> = Vec::new();
    loop {
        let set_aside: HashSet<Group> = aside.iter().copied().collect();
        let pool: Vec<Group> = candidates
            .iter()
            .copied()
            .filter(|g| !set_aside.contains(g))
            .collect();
        let (groups, done) = minimal_set(&mut tester, &pool, &set_aside)?;
        complete &= done;
        let Some(&last) = groups.iter().max_by_key(|g| (filter_rank(g), **g)) else {
            break;
        };
        conflicts.push(groups);
        aside.push(last);
        let now: HashSet<Group> = aside.iter().copied().collect();
        match tester.check(&now)? {
            Check::Infeasible => {}
            Check::Feasible => break,
            Check::Unknown => {
                complete = false;
                break;
            }
        }
    }
    let n = conflicts.len();
    let conflicts: Vec<Conflict> = conflicts
        .into_iter()
        .zip(&aside)
        .map(|(mut groups, drop)| {
            groups.sort_by_key(|g| (display_rank(g), *g));
            let descriptions: Vec<String> = groups.iter().map(|g| describe(s, opts, g)).collect();
            let explanation = explain(s, opts, &groups, &descriptions, n == 1);
            Conflict {
                keys: groups.iter().map(|g| key(s, g)).collect(),
                groups,
                descriptions,
                explanation,
                dropped_to_continue: key(s, drop),
            }
        })
        .collect();
    let explanation = match conflicts.as_slice() {
        [one] => one.explanation.clone(),
        many => {
            let each: Vec<String> = many
                .iter()
                .enumerate()
                .map(|(k, c)| format!("({}) {}", k + 1, c.explanation))
                .collect();
            let dropped: Vec<String> = aside.iter().map(|g| describe(s, opts, g)).collect();
            format!(
                "{} independent conflicts. {} Dropping one group from each of these {} conflicts makes the \
                 scenario feasible (checked by a re-solve with {} dropped).",
                many.len(),
                each.join(" "),
                many.len(),
                and_list(&dropped)
            )
        }
    };
    let groups: Vec<Group> = conflicts.iter().flat_map(|c| c.groups.clone()).collect();
    Ok(Diagnosis {
        keys: groups.iter().map(|g| key(s, g)).collect(),
        descriptions: conflicts
            .iter()
            .flat_map(|c| c.descriptions.clone())
            .collect(),
        groups,
        conflicts,
        explanation,
        infeasible: true,
        core_conflict: false,
        complete,
        solves: tester.solves,
        outcome: None,
    })
}

/// The deletion filter over `pool` (with `aside` dropped throughout): an irreducible set of
/// groups, and whether every test finished.
fn minimal_set(
    tester: &mut Tester,
    pool: &[Group],
    aside: &HashSet<Group>,
) -> Result<(Vec<Group>, bool), SolveError> {
    let mut complete = true;
    let mut dropped: HashSet<Group> = aside.clone();
    for &g in pool {
        dropped.insert(g);
        match tester.check(&dropped)? {
            Check::Infeasible => {}
            Check::Feasible => {
                dropped.remove(&g);
            }
            Check::Unknown => {
                complete = false;
                dropped.remove(&g);
            }
        }
    }
    let groups = pool
        .iter()
        .copied()
        .filter(|g| !dropped.contains(g))
        .collect();
    Ok((groups, complete))
}

/// Is the scenario feasible with exactly `dropped` groups left out (on top of `opts.dropped`)?
/// `None` when the test stopped at the time limit. For tests of minimality.
pub fn is_feasible_without(
    s: &Scenario,
    opts: &BuildOptions,
    dropped: &HashSet<Group>,
    config: &SolveConfig,
) -> Result<Option<bool>, SolveError> {
    let mut tester = Tester {
        s,
        opts,
        backend: config.backend()?,
        settings: config.settings.clone(),
        solves: 0,
    };
    Ok(match tester.check(dropped)? {
        Check::Feasible => Some(true),
        Check::Infeasible => Some(false),
        Check::Unknown => None,
    })
}

/// A group by its ids.
pub fn key(s: &Scenario, g: &Group) -> GroupKey {
    let mut k = GroupKey {
        kind: "core",
        country: None,
        layer: None,
        agreement: None,
        clause: None,
        trade_block: None,
    };
    let cl = |k: &mut GroupKey, kind, c: CountryId, l: LayerId| {
        k.kind = kind;
        k.country = Some(s.countries[c].id.clone());
        k.layer = Some(s.layers[l].id.clone());
    };
    match *g {
        Group::Core => {}
        Group::Capacity { country, layer } => cl(&mut k, "capacity", country, layer),
        Group::MinScale { country, layer } => cl(&mut k, "min_scale", country, layer),
        Group::Ladder { country, layer } => cl(&mut k, "ladder", country, layer),
        Group::Essential { country, layer } => cl(&mut k, "essential", country, layer),
        Group::Security { country, layer } => cl(&mut k, "security", country, layer),
        Group::Forced { country, layer } => cl(&mut k, "forced", country, layer),
        Group::Clause { agreement, clause } => {
            k.kind = "clause";
            k.agreement = Some(s.agreements[agreement].id.clone());
            k.clause = Some(clause + 1);
        }
        Group::TradeBlock { index } => {
            k.kind = "trade_block";
            k.trade_block = Some(index + 1);
        }
    }
    k
}

/// A quantity for people: integers without decimals, otherwise up to four.
pub fn qty(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        let t = format!("{v:.4}");
        t.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

fn pct(v: f64) -> String {
    format!("{}%", qty(v * 100.0))
}

fn plural(v: f64, one: &str, many: &str) -> String {
    format!(
        "{} {}",
        qty(v),
        if (v - 1.0).abs() < 1e-12 { one } else { many }
    )
}

/// Country name for sentences.
fn country(s: &Scenario, c: CountryId) -> &str {
    &s.countries[c].name
}

/// "India's", "United States'".
fn possessive(name: &str) -> String {
    if name.ends_with('s') {
        format!("{name}'")
    } else {
        format!("{name}'s")
    }
}

/// Layer as written in the file (ids read naturally in a sentence: "evaluation", "models").
fn layer(s: &Scenario, l: LayerId) -> &str {
    &s.layers[l].id
}

fn or_list(items: &[String]) -> String {
    join_words(items, "or")
}

fn and_list(items: &[String]) -> String {
    join_words(items, "and")
}

fn join_words(items: &[String], word: &str) -> String {
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        2 => format!("{} {word} {}", items[0], items[1]),
        n => format!("{}, {word} {}", items[..n - 1].join(", "), items[n - 1]),
    }
}

/// One group in plain words, with its quantities.
pub fn describe(s: &Scenario, opts: &BuildOptions, g: &Group) -> String {
    match *g {
        Group::Core => "the balance and operating rows".into(),
        Group::Capacity {
            country: c,
            layer: l,
        } => {
            let cap = s.capability(c, l);
            let k0 = cap.map_or(0.0, |x| x.capacity);
            let expansion = match cap {
                Some(x) if x.max_expansion > 0.0 => {
                    let from = if x.lead_time > 0 {
                        format!(", usable from period {}", x.lead_time + 1)
                    } else {
                        String::new()
                    };
                    format!(
                        "expandable by at most {} in total{from}",
                        plural(x.max_expansion, "unit", "units")
                    )
                }
                _ => "no expansion".into(),
            };
            format!(
                "{} capacity for {} ({} per period, {expansion})",
                possessive(country(s, c)),
                layer(s, l),
                plural(k0, "unit", "units")
            )
        }
        Group::MinScale {
            country: c,
            layer: l,
        } => {
            let ms = s.capability(c, l).map_or(0.0, |x| x.min_scale);
            format!(
                "the minimum scale of {} in {} ({} whenever it operates)",
                layer(s, l),
                country(s, c),
                plural(ms, "unit", "units")
            )
        }
        Group::Ladder {
            country: c,
            layer: l,
        } => {
            let adj: Vec<String> = s.layers[l]
                .adjacent
                .iter()
                .map(|&k| layer(s, k).to_string())
                .collect();
            format!(
                "the capability ladder for {} in {} (entering needs {} held in the previous period)",
                layer(s, l),
                country(s, c),
                or_list(&adj)
            )
        }
        Group::Essential {
            country: c,
            layer: l,
        } => {
            let d = s.demands.iter().find(|d| d.country == c && d.layer == l);
            let (q, growth) = d.map_or((0.0, 1.0), |d| (d.must_serve, d.growth));
            let when = if s.n_periods() == 1 {
                format!("{} in period 1", plural(q, "unit", "units"))
            } else if (growth - 1.0).abs() < 1e-12 {
                format!("{} in every period", plural(q, "unit", "units"))
            } else {
                format!(
                    "{} in period 1, growing by {} a period",
                    plural(q, "unit", "units"),
                    pct(growth - 1.0)
                )
            };
            format!(
                "{} essential demand for {} ({when})",
                possessive(country(s, c)),
                layer(s, l)
            )
        }
        Group::Security {
            country: c,
            layer: l,
        } => {
            let Some(p) = s.security.iter().find(|p| p.country == c && p.layer == l) else {
                return format!(
                    "the security policy of {} on {}",
                    country(s, c),
                    layer(s, l)
                );
            };
            match (p.domestic_floor, p.max_supplier_share, p.n_minus_1) {
                (Some(f), None, None) => {
                    format!(
                        "the security floor of {} on {} ({} domestic)",
                        country(s, c),
                        layer(s, l),
                        pct(f)
                    )
                }
                _ => {
                    let mut parts = Vec::new();
                    if let Some(f) = p.domestic_floor {
                        parts.push(format!("{} domestic floor", pct(f)));
                    }
                    if let Some(m) = p.max_supplier_share {
                        parts.push(format!(
                            "at most {} from any one untrusted supplier",
                            pct(m)
                        ));
                    }
                    if let Some(phi) = p.n_minus_1 {
                        parts.push(format!(
                            "{} cover after losing any one untrusted supplier",
                            pct(phi)
                        ));
                    }
                    format!(
                        "the security policy of {} on {} ({})",
                        country(s, c),
                        layer(s, l),
                        parts.join(", ")
                    )
                }
            }
        }
        Group::Clause {
            agreement: a,
            clause: k,
        } => {
            let ag = &s.agreements[a];
            match &ag.clauses[k] {
                Clause::Commit {
                    country: c,
                    layer: l,
                    build,
                    from_period,
                } => format!(
                    "commit clause {} of agreement {} ({} {} {} from period {from_period})",
                    k + 1,
                    ag.id,
                    country(s, *c),
                    if *build { "builds" } else { "stays out of" },
                    layer(s, *l)
                ),
                Clause::NoDuplication {
                    layer: l,
                    max_producers,
                } => {
                    let members: Vec<String> = ag
                        .members
                        .iter()
                        .map(|&c| country(s, c).to_string())
                        .collect();
                    format!(
                        "no-duplication clause {} of agreement {} (at most {max_producers} of {} may hold {})",
                        k + 1,
                        ag.id,
                        and_list(&members),
                        layer(s, *l)
                    )
                }
                other => format!(
                    "{} clause {} of agreement {}",
                    other.kind().replace('_', "-"),
                    k + 1,
                    ag.id
                ),
            }
        }
        Group::TradeBlock { index } => {
            let b = &s.trade.blocks[index];
            let on = match &b.layers {
                None => "every layer".to_string(),
                Some(ls) => and_list(
                    &ls.iter()
                        .map(|&l| layer(s, l).to_string())
                        .collect::<Vec<_>>(),
                ),
            };
            format!(
                "the trade block {} -> {} on {on}",
                s.countries[b.from].id, s.countries[b.to].id
            )
        }
        Group::Forced {
            country: c,
            layer: l,
        } => {
            let on = opts
                .forced
                .iter()
                .find(|f| f.0 == c && f.1 == l)
                .is_some_and(|f| f.2);
            format!(
                "the forced decision that {} {} {} in every period",
                country(s, c),
                if on { "operates" } else { "stays out of" },
                layer(s, l)
            )
        }
    }
}

/// Short causes that are not groups themselves: non-tradable layers, countries that cannot
/// produce, essential demand above the demand blocks.
fn causes(s: &Scenario, opts: &BuildOptions, groups: &[Group]) -> Vec<String> {
    let fx = formulation::Effects::new(s, opts);
    let mut out: Vec<String> = Vec::new();
    let mut push = |m: String| {
        if !out.contains(&m) {
            out.push(m);
        }
    };
    for g in groups {
        if let Group::Ladder {
            country: c,
            layer: l,
        } = *g
        {
            let missing: Vec<String> = s.layers[l]
                .adjacent
                .iter()
                .filter(|&&k| s.capability(c, k).is_none())
                .map(|&k| layer(s, k).to_string())
                .collect();
            if missing.len() == s.layers[l].adjacent.len() {
                push(format!(
                    "{} cannot produce {}",
                    country(s, c),
                    or_list(&missing)
                ));
            }
            continue;
        }
        let (c, l) = match *g {
            Group::Essential { country, layer }
            | Group::Security { country, layer }
            | Group::Capacity { country, layer } => (country, layer),
            _ => continue,
        };
        if let Group::Essential { .. } = g {
            if let Some(d) = s.demands.iter().find(|d| d.country == c && d.layer == l) {
                let offered: f64 = d.blocks.iter().map(|b| b.quantity).sum();
                if d.must_serve > offered + 1e-9 {
                    push(format!(
                        "its demand blocks offer only {} per period",
                        plural(offered, "unit", "units")
                    ));
                }
            }
            if s.capability(c, l).is_none() {
                push(format!("{} cannot produce {}", country(s, c), layer(s, l)));
            }
        }
        if !s.layers[l].tradable {
            let opened = (0..s.countries.len()).any(|e| e != c && fx.mutual_recognition(e, c, l));
            if !opened {
                push(format!(
                    "{} is not tradable outside a mutual-recognition clause",
                    layer(s, l)
                ));
            }
        }
    }
    out
}

fn capitalise(text: &str) -> String {
    let mut ch = text.chars();
    match ch.next() {
        Some(f) => f.to_uppercase().collect::<String>() + ch.as_str(),
        None => String::new(),
    }
}

/// The sentence: what cannot be met, given what, and why.
/// The sentence for one conflict; `only` = it is the only one, so resolving it makes the
/// scenario feasible.
fn explain(
    s: &Scenario,
    opts: &BuildOptions,
    groups: &[Group],
    descriptions: &[String],
    only: bool,
) -> String {
    let result = if only {
        "makes the scenario feasible"
    } else {
        "resolves this conflict"
    };
    let causes = causes(s, opts, groups);
    let because = if causes.is_empty() {
        String::new()
    } else {
        and_list(&causes)
    };
    let essentials: Vec<usize> = (0..groups.len())
        .filter(|&i| matches!(groups[i], Group::Essential { .. }))
        .collect();
    match (groups.len(), essentials.as_slice()) {
        (0, _) => "The scenario is infeasible, but no constraint group could be named.".into(),
        (1, _) => {
            let what = if essentials.is_empty() {
                "cannot hold"
            } else {
                "cannot be met"
            };
            let cause = if because.is_empty() {
                String::new()
            } else {
                format!(": {because}")
            };
            format!(
                "{} {what}{cause}. Dropping it {result}.",
                capitalise(&descriptions[0])
            )
        }
        (n, &[e]) => {
            let others: Vec<String> = (0..n)
                .filter(|&i| i != e)
                .map(|i| descriptions[i].clone())
                .collect();
            let mut reasons = others;
            if !because.is_empty() {
                reasons.push(because);
            }
            format!(
                "{} cannot be met: {}. Dropping any one of these {n} constraints {result}.",
                capitalise(&descriptions[e]),
                reasons.join("; ")
            )
        }
        _ => {
            let cause = if because.is_empty() {
                String::new()
            } else {
                format!(" Note: {because}.")
            };
            format!(
                "These cannot all hold: {}.{cause} Dropping any one of them {result}.",
                descriptions.join("; ")
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_read_naturally() {
        assert_eq!(qty(2.0), "2");
        assert_eq!(qty(0.25), "0.25");
        assert_eq!(pct(0.2), "20%");
        assert_eq!(possessive("India"), "India's");
        assert_eq!(possessive("United States"), "United States'");
        assert_eq!(
            and_list(&["a".into(), "b".into(), "c".into()]),
            "a, b, and c"
        );
    }
}
