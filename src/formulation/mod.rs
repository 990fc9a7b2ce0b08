//! Formulation: turns a [`Scenario`] plus a set of switches ([`BuildOptions`]) into a
//! [`Program`], the one source of truth for every backend, export and analysis.
//!
//! The program is a maximisation of W (MODEL.md section 4) over typed columns ([`Var`]) and
//! typed rows ([`Row`]) with their sense. Every row cites its MODEL.md section next to the code
//! that writes it. Rows are written so that their dual, as "dW* per unit increase of the
//! right-hand side", has a direct meaning: the balance row is `use - supply <= extra`, so its dual
//! is the discounted price Λ >= 0 (section 7).
//!
//! One file per part of MODEL.md:
//! - `keys.rs`: the typed keys [`Var`], [`Row`], [`Group`] and the hasher of their maps;
//! - `effects.rs`: agreement effects on costs and flows ([`Effects`], section 6);
//! - `routes.rs`: allowed flows and their trade cost (section 3 f, section 6 τ);
//! - `columns.rs`: the columns with their objective coefficients (sections 3 and 4) and the
//!   operating status and holdings of 3.1;
//! - `balance.rs`: balance and total use (5.1), origin (5.2);
//! - `capacity.rs`: capacity (5.3), expansion (5.4);
//! - `operating.rs`: operating, minimum scale, entry, discount (5.5), ladder (5.6), forced
//!   decisions (section 8);
//! - `demand.rs`: essential demand (5.7);
//! - `security.rs`: floor, diversification, N-1 (5.8);
//! - `clauses.rs`: the rows of agreement clauses (5.9, section 6);
//! - `curves.rs`: cost curves (11.1) and learning (11.2) with their fill-order binaries (13.6);
//! - `near_optimal.rs`: the row W >= floor and the objective swap of the alternatives analysis
//!   (section 8);
//! - `warnings.rs`: the validation warnings that depend on the agreements in force (13.2-13.5);
//! - `uncertainty.rs`: outcomes (MODEL.md section 10): the effect lookups of the outcome being
//!   written, and the CVaR columns and rows.
//!
//! **Stages** (MODEL.md 10, 13.9). Every column and row carries `outcome: Option<OutcomeId>`:
//! `None` is the first stage (and everything of a deterministic scenario), `Some(s)` the copy of
//! outcome s. The program's indices are keyed by (key, outcome): [`Program::column`] and
//! [`Program::row`] keep their meaning (first stage / deterministic), [`Program::column_in`] and
//! [`Program::row_in`] look up an outcome's copy. The builder writes the periods t >= τ once
//! per outcome with a "current outcome" set: its column lookups find the outcome's copy of a
//! second-stage variable and the one copy of a first-stage variable, and a row whose columns
//! are all first stage is written once (for the first outcome, as first stage).
//!
//! This file holds the [`Program`], the [`BuildOptions`], and the builder: its shared indices
//! and the order in which the families are written.

mod balance;
mod capacity;
mod clauses;
mod columns;
mod curves;
mod demand;
mod effects;
mod keys;
mod near_optimal;
mod operating;
mod routes;
mod security;
mod uncertainty;
mod warnings;

/// Keys for programs written by hand in unit tests: column i is country i's production,
/// row i country i's capacity (layer 0, period 1).
#[cfg(test)]
pub(crate) mod fixtures {
    use super::{Row, Var};

    pub fn var(i: usize) -> Var {
        Var::Produce {
            country: i,
            layer: 0,
            period: 1,
        }
    }

    pub fn row(i: usize) -> Row {
        Row::Capacity {
            country: i,
            layer: 0,
            period: 1,
        }
    }
}

use std::collections::HashSet;
use std::ops::Range;

pub use columns::has_operating_status;
pub use effects::Effects;
pub use keys::{Group, KeyHasher, KeyMap, Row, Sense, Var};
pub use warnings::warnings;

pub use uncertainty::Stochastic;

use crate::scenario::{AgreementId, Capability, CountryId, LayerId, OutcomeId, Period, Scenario};

/// A column: bounds, objective coefficient (to maximise) and integrality.
#[derive(Debug, Clone)]
pub struct Column {
    pub var: Var,
    /// `None`: first stage (or deterministic); `Some(s)`: outcome s's copy (MODEL.md 10).
    pub outcome: Option<OutcomeId>,
    pub lower: f64,
    pub upper: f64,
    /// Coefficient in the program's objective: W without uncertainty; with it,
    /// (1 - ω) P_s times the coefficient of W_s (second stage) or (1 - ω) times it (first
    /// stage), and the CVaR terms (MODEL.md 10).
    pub objective: f64,
    /// Coefficient of the column in W (each W_s for a first-stage column; its outcome's W_s for
    /// a second-stage one). Equals `objective` without uncertainty.
    pub welfare: f64,
    pub integer: bool,
}

/// A row: `sum terms (sense) rhs`. Terms hold column indices; each column appears once.
#[derive(Debug, Clone)]
pub struct Constraint {
    pub row: Row,
    /// `None`: first stage (or deterministic); `Some(s)`: outcome s's copy (MODEL.md 10).
    pub outcome: Option<OutcomeId>,
    pub terms: Vec<(usize, f64)>,
    pub sense: Sense,
    pub rhs: f64,
}

/// A linear or mixed-integer program: maximise `objective . x` subject to the rows.
#[derive(Debug, Clone, Default)]
pub struct Program {
    pub columns: Vec<Column>,
    pub rows: Vec<Constraint>,
    index: KeyMap<(Var, Option<OutcomeId>), usize>,
    row_index: KeyMap<(Row, Option<OutcomeId>), usize>,
    /// δ_t by period (index t - 1); empty = undiscounted. Sets the weight of each row's dual in
    /// the norm of the canonical prices (MODEL.md 13.12).
    pub discount: Vec<f64>,
    /// The outcomes of a two-stage stochastic program (MODEL.md 10); `None` = deterministic.
    pub stochastic: Option<Stochastic>,
}

impl Program {
    /// The first-stage (or deterministic) column of `var`.
    pub fn column(&self, var: &Var) -> Option<usize> {
        self.index.get(&(*var, None)).copied()
    }

    /// The first-stage (or deterministic) row `row`.
    pub fn row(&self, row: &Row) -> Option<usize> {
        self.row_index.get(&(*row, None)).copied()
    }

    /// The column of `var` in outcome `s`: its second-stage copy, else the one first-stage copy.
    pub fn column_in(&self, var: &Var, s: Option<OutcomeId>) -> Option<usize> {
        s.and_then(|s| self.index.get(&(*var, Some(s))).copied())
            .or_else(|| self.column(var))
    }

    /// The row `row` in outcome `s`: its second-stage copy, else the first-stage one.
    pub fn row_in(&self, row: &Row, s: Option<OutcomeId>) -> Option<usize> {
        s.and_then(|s| self.row_index.get(&(*row, Some(s))).copied())
            .or_else(|| self.row(row))
    }

    /// Export name of column j: the key's name, with `__` and the outcome id for a
    /// second-stage copy (unique names in LP/MPS files).
    pub fn column_name(&self, j: usize, s: &Scenario) -> String {
        let c = &self.columns[j];
        self.staged_name(c.var.name(s), c.outcome)
    }

    /// Export name of row i (see [`Program::column_name`]).
    pub fn row_name(&self, i: usize, s: &Scenario) -> String {
        let r = &self.rows[i];
        self.staged_name(r.row.name(s), r.outcome)
    }

    fn staged_name(&self, name: String, outcome: Option<OutcomeId>) -> String {
        match (outcome, &self.stochastic) {
            (Some(o), Some(st)) => format!("{name}__{}", st.outcomes[o].0),
            (Some(o), None) => format!("{name}__{o}"),
            _ => name,
        }
    }

    pub fn is_mip(&self) -> bool {
        self.columns.iter().any(|c| c.integer)
    }

    /// Append a column (used by the builder, and by tests that pin sign conventions).
    pub fn add_column(
        &mut self,
        var: Var,
        lower: f64,
        upper: f64,
        objective: f64,
        integer: bool,
    ) -> usize {
        self.add_column_in(var, None, lower, upper, objective, objective, integer)
    }

    /// Append a column of stage `outcome` with its objective and welfare coefficients.
    #[allow(clippy::too_many_arguments)]
    pub fn add_column_in(
        &mut self,
        var: Var,
        outcome: Option<OutcomeId>,
        lower: f64,
        upper: f64,
        objective: f64,
        welfare: f64,
        integer: bool,
    ) -> usize {
        let j = self.columns.len();
        self.columns.push(Column {
            var,
            outcome,
            lower,
            upper,
            objective,
            welfare,
            integer,
        });
        self.index.insert((var, outcome), j);
        j
    }

    /// Append a row; duplicate terms are merged and zero terms dropped.
    pub fn add_row(&mut self, row: Row, terms: Vec<(usize, f64)>, sense: Sense, rhs: f64) {
        self.add_row_in(row, None, terms, sense, rhs)
    }

    /// Append a row of stage `outcome`.
    pub fn add_row_in(
        &mut self,
        row: Row,
        outcome: Option<OutcomeId>,
        mut terms: Vec<(usize, f64)>,
        sense: Sense,
        rhs: f64,
    ) {
        terms.sort_unstable_by_key(|t| t.0);
        terms.dedup_by(|b, a| {
            if a.0 == b.0 {
                a.1 += b.1;
                true
            } else {
                false
            }
        });
        terms.retain(|t| t.1 != 0.0);
        self.row_index.insert((row, outcome), self.rows.len());
        self.rows.push(Constraint {
            row,
            outcome,
            terms,
            sense,
            rhs,
        });
    }

    /// Weight of row `r`'s dual in the norm of the canonical prices: 1/(δ_t² P_s), so that the
    /// norm is Σ P_s (dual as reported)², the duals in each period's money per unit of
    /// probability (MODEL.md 13.12; P_s = 1 for first-stage and deterministic rows).
    pub fn norm_weight(&self, r: usize) -> f64 {
        let by_period = match self.rows[r].row.period() {
            Some(t) if t >= 1 && t <= self.discount.len() => self.discount[t - 1].powi(-2),
            _ => 1.0,
        };
        match (self.rows[r].outcome, &self.stochastic) {
            (Some(o), Some(st)) => by_period / st.outcomes[o].1,
            _ => by_period,
        }
    }

    /// Outcome s's welfare W_s at `values` (MODEL.md 10); W for a deterministic program.
    pub fn welfare_in(&self, values: &[f64], s: Option<OutcomeId>) -> f64 {
        let mut w: f64 = self
            .columns
            .iter()
            .zip(values)
            .filter(|(c, _)| c.outcome.is_none() || c.outcome == s)
            .map(|(c, v)| c.welfare * v)
            .sum();
        if let (Some(s), Some(st)) = (s, &self.stochastic) {
            w += st.extra[s].iter().map(|&(j, a)| a * values[j]).sum::<f64>();
        }
        w
    }

    /// Same program with every integer column fixed at `values` (rounded): the LP whose duals
    /// are the restricted prices of MODEL.md section 7.
    ///
    /// A segment binary whose segment carries no output is fixed at 0 with all later ones
    /// (MODEL.md 13.6), so prices at an exact breakpoint do not depend on the solver's choice.
    pub fn with_integers_fixed(&self, values: &[f64]) -> Program {
        let values = &curves::normalise_segment_binaries(self, values);
        let mut p = self.clone();
        for (j, col) in p.columns.iter_mut().enumerate() {
            if col.integer {
                let v = values[j].round().clamp(col.lower, col.upper);
                col.lower = v;
                col.upper = v;
                col.integer = false;
            }
        }
        p
    }

    /// Same program with integrality dropped (`--relax`).
    pub fn relaxed(&self) -> Program {
        let mut p = self.clone();
        for col in &mut p.columns {
            col.integer = false;
        }
        p
    }

    /// Same rows, zero objective: used to test feasibility only.
    pub fn feasibility(&self) -> Program {
        let mut p = self.clone();
        for col in &mut p.columns {
            col.objective = 0.0;
        }
        p
    }

    /// Evaluate the objective at `values`.
    pub fn objective_value(&self, values: &[f64]) -> f64 {
        self.columns
            .iter()
            .zip(values)
            .map(|(c, v)| c.objective * v)
            .sum()
    }

    /// Largest violation of bounds and rows at `values`.
    pub fn max_violation(&self, values: &[f64]) -> f64 {
        let mut worst: f64 = 0.0;
        for (c, &v) in self.columns.iter().zip(values) {
            worst = worst.max(c.lower - v).max(v - c.upper);
        }
        for r in &self.rows {
            let lhs: f64 = r.terms.iter().map(|&(j, a)| a * values[j]).sum();
            let viol = match r.sense {
                Sense::Le => lhs - r.rhs,
                Sense::Ge => r.rhs - lhs,
                Sense::Eq => (lhs - r.rhs).abs(),
            };
            worst = worst.max(viol);
        }
        worst
    }
}

/// Switches that select which program to build from one scenario: the agreements in force and
/// the changes the analyses make (forced decisions, supply shocks, extra deliveries, dropped
/// constraint groups).
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Active flag per agreement; empty means "as in the file".
    pub active: Vec<bool>,
    /// Solve the LP relaxation of the integer variables.
    pub relax: bool,
    /// Force a capability to operate (true) or stay out (false) in every period.
    pub forced: Vec<(CountryId, LayerId, bool)>,
    /// Cut all exports of a layer from a supplier (a supply shock).
    pub cut_exports: Vec<(CountryId, LayerId)>,
    /// Units of a layer delivered free to a country in a period (for finite differences).
    pub extra_delivery: Vec<(CountryId, LayerId, Period, f64)>,
    /// Constraint groups left out (infeasibility diagnosis).
    pub dropped: HashSet<Group>,
    /// Units delivered free in one outcome only (finite differences of per-outcome prices);
    /// `extra_delivery` delivers in every outcome.
    pub extra_delivery_in: Vec<(OutcomeId, CountryId, LayerId, Period, f64)>,
}

impl BuildOptions {
    /// Options with the file's own activation flags.
    pub fn from_file(s: &Scenario) -> BuildOptions {
        BuildOptions {
            active: s.agreements.iter().map(|a| a.active).collect(),
            ..Default::default()
        }
    }

    pub fn is_active(&self, a: AgreementId, s: &Scenario) -> bool {
        self.active
            .get(a)
            .copied()
            .unwrap_or(s.agreements[a].active)
    }
}

/// Build the program for `s` under `opts`.
pub fn build(s: &Scenario, opts: &BuildOptions) -> Program {
    let mut p = Builder::new(s, opts).build();
    p.discount = (1..=s.n_periods()).map(|t| s.discount(t)).collect();
    p
}

/// The program of `s` with the first-stage columns (MODEL.md 13.11: every variable of t < τ;
/// z, y, n, nd, r of every period) fixed at `plan`'s values, integers rounded: the value of
/// preparing fixes the nominal-only plan this way. Columns `plan` does not have are fixed at 0.
pub fn with_first_stage_fixed(p: &Program, plan: &Program, values: &[f64]) -> Program {
    let mut out = p.clone();
    for col in out.columns.iter_mut() {
        if col.outcome.is_some() || matches!(col.var, Var::CvarLevel | Var::CvarExcess) {
            continue;
        }
        let v = plan.column(&col.var).map_or(0.0, |j| values[j]);
        let v = if col.integer { v.round() } else { v };
        let v = v.clamp(col.lower, col.upper);
        col.lower = v;
        col.upper = v;
    }
    out
}

/// Builds the program. Everything that the rows look up repeatedly (flows and standby by
/// country and layer, the demand of each (country, layer), blocked routes, pair trade costs) is
/// indexed once, so building stays linear in the size of the program: a world of 190 countries
/// builds in well under a second (benches/README.md). The order of columns, rows and terms is
/// exactly that of the straightforward loops written next to each row (pinned by
/// tests/formulation_fingerprint.rs).
struct Builder<'a> {
    s: &'a Scenario,
    opts: &'a BuildOptions,
    fx: Effects<'a>,
    p: Program,
    n_periods: usize,
    /// Flow columns of the current period by (importer, layer): (exporter, column), exporters
    /// ascending (creation order).
    inflows: Vec<Vec<(CountryId, usize)>>,
    /// Flow columns of the current period by (exporter, layer), in creation order.
    outflows: Vec<Vec<usize>>,
    /// Standby columns r[e,i,l,t] of the current period by (reserving country e, layer):
    /// (beneficiary i, column), sorted by i.
    reserves_from: Vec<Vec<(CountryId, usize)>>,
    /// ... and by (beneficiary i, layer): (e, column), sorted by e.
    reserves_to: Vec<Vec<(CountryId, usize)>>,
    /// Index into `s.demands` of the (first) demand entry of (country, layer).
    demand_of: Vec<Option<usize>>,
    /// The outcome being written (MODEL.md 10): `None` for the first stage and for a
    /// deterministic scenario.
    outcome: Option<OutcomeId>,
    /// Columns of each (period, stage), for indexing a period's flows in linear time.
    col_ranges: KeyMap<(Period, Option<OutcomeId>), Range<usize>>,
    /// W_s terms on first-stage columns that differ by outcome (see `uncertainty.rs`).
    extra: Vec<Vec<(usize, f64)>>,
}

impl<'a> Builder<'a> {
    fn new(s: &'a Scenario, opts: &'a BuildOptions) -> Self {
        let nl = s.layers.len();
        let cells = s.countries.len() * nl;
        let mut demand_of = vec![None; cells];
        for (k, d) in s.demands.iter().enumerate() {
            let cell = &mut demand_of[d.country * nl + d.layer];
            if cell.is_none() {
                *cell = Some(k);
            }
        }
        Builder {
            s,
            opts,
            fx: Effects::new(s, opts),
            p: Program::default(),
            n_periods: s.n_periods(),
            inflows: Vec::new(),
            outflows: Vec::new(),
            reserves_from: Vec::new(),
            reserves_to: Vec::new(),
            demand_of,
            outcome: None,
            col_ranges: KeyMap::default(),
            extra: vec![Vec::new(); s.uncertainty.as_ref().map_or(0, |u| u.outcomes.len())],
        }
    }

    /// Index of the (country, layer) cell in the per-cell tables.
    fn cell(&self, c: CountryId, l: LayerId) -> usize {
        c * self.s.layers.len() + l
    }

    /// The column of `v` as the current outcome sees it (its own copy of a second-stage
    /// variable, the one copy of a first-stage variable).
    fn col(&self, v: Var) -> Option<usize> {
        self.p.column_in(&v, self.outcome)
    }

    fn keep(&self, row: &Row) -> bool {
        !self.opts.dropped.contains(&row.group())
    }

    /// Add a row of the current outcome. A row whose columns are all first stage (expansion,
    /// entry, discount, ladder, no-duplication, commitments on y) is written once, as first
    /// stage, while the first outcome is written (MODEL.md 13.9).
    fn add_row(&mut self, row: Row, terms: Vec<(usize, f64)>, sense: Sense, rhs: f64) {
        if !self.keep(&row) {
            return;
        }
        let stage = match self.outcome {
            Some(s)
                if !terms.is_empty()
                    && terms
                        .iter()
                        .all(|&(j, _)| self.p.columns[j].outcome.is_none()) =>
            {
                if s > 0 {
                    return;
                }
                None
            }
            other => other,
        };
        self.p.add_row_in(row, stage, terms, sense, rhs);
    }

    /// Add a column of the current stage with its coefficient of W (MODEL.md 4), weighted in
    /// the objective as MODEL.md 10 says.
    fn add_col(&mut self, var: Var, lower: f64, upper: f64, welfare: f64, integer: bool) -> usize {
        let objective = welfare * self.objective_weight();
        self.p
            .add_column_in(var, self.outcome, lower, upper, objective, welfare, integer)
    }

    fn build(mut self) -> Program {
        self.columns();
        self.rows();
        self.cvar();
        self.p.stochastic = self.stochastic();
        self.p
    }

    /// Index the flow and standby columns of period t by country and layer (the tables the
    /// rows of period t read).
    fn index_period(&mut self, t: Period) {
        let cells = self.s.countries.len() * self.s.layers.len();
        let mut inflows: Vec<Vec<(CountryId, usize)>> = vec![Vec::new(); cells];
        let mut outflows: Vec<Vec<usize>> = vec![Vec::new(); cells];
        let mut reserves_from: Vec<Vec<(CountryId, usize)>> = vec![Vec::new(); cells];
        let mut reserves_to: Vec<Vec<(CountryId, usize)>> = vec![Vec::new(); cells];
        // The first-stage columns of t, then the current outcome's (ascending column order).
        let mut stages = vec![None];
        if self.outcome.is_some() {
            stages.push(self.outcome);
        }
        let ranges: Vec<Range<usize>> = stages
            .iter()
            .filter_map(|&o| self.col_ranges.get(&(t, o)).cloned())
            .collect();
        for j in ranges.into_iter().flatten() {
            let col = &self.p.columns[j];
            match col.var {
                Var::Flow {
                    from,
                    to,
                    layer,
                    period,
                } if period == t => {
                    inflows[self.cell(to, layer)].push((from, j));
                    outflows[self.cell(from, layer)].push(j);
                }
                Var::Reserve {
                    from,
                    to,
                    layer,
                    period,
                } if period == t => {
                    reserves_from[self.cell(from, layer)].push((to, j));
                    reserves_to[self.cell(to, layer)].push((from, j));
                }
                _ => {}
            }
        }
        for list in reserves_from.iter_mut().chain(reserves_to.iter_mut()) {
            list.sort_unstable_by_key(|x| x.0);
        }
        self.inflows = inflows;
        self.outflows = outflows;
        self.reserves_from = reserves_from;
        self.reserves_to = reserves_to;
    }

    /// MODEL.md section 5, period by period, in this order: balance (5.1), the rows of each
    /// capability, essential demand (5.7), security (5.8), agreement clauses (section 6); then
    /// expansion (5.4) over the horizon.
    /// With uncertainty, the rows of each period t >= τ are written once per outcome, in
    /// outcome order (MODEL.md 10, 13.9).
    fn rows(&mut self) {
        for t in 1..=self.n_periods {
            for outcome in self.stages(t) {
                self.outcome = outcome;
                self.period_rows(t);
            }
            self.outcome = None;
        }
        self.expansion_rows();
    }

    fn period_rows(&mut self, t: Period) {
        let s = self.s;
        self.index_period(t);
        let uses = self.balance_rows(t);
        for cap in &s.capabilities {
            self.capability_rows(cap, t);
        }
        self.essential_rows(t);
        self.security_rows(t, &uses);
        self.clause_rows(t);
    }

    /// The rows of capability `cap` in period t: origin (5.2), capacity (5.3), operating status
    /// where y exists (5.5, 5.6), then the analyses' forced decisions.
    fn capability_rows(&mut self, cap: &Capability, t: Period) {
        let (c, l) = (cap.country, cap.layer);
        let pj = self
            .col(Var::Produce {
                country: c,
                layer: l,
                period: t,
            })
            .expect("production column");
        let reserves: Vec<usize> = self.reserves_from[self.cell(c, l)]
            .iter()
            .map(|&(_, j)| j)
            .collect();
        self.origin_row(cap, t, pj);
        self.capacity_row(cap, t, pj, &reserves);
        if let Some(y) = self.col(Var::Operate {
            country: c,
            layer: l,
            period: t,
        }) {
            self.operating_rows(cap, t, pj, y, &reserves);
        }
        self.forced_rows(cap, t, pj);
        self.cost_curve_rows(cap, t, pj);
        self.learning_rows(cap, t);
    }
}
