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
//! - `warnings.rs`: the validation warnings that depend on the agreements in force (13.2-13.5).
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
mod warnings;

use std::collections::HashSet;

pub use columns::has_operating_status;
pub use effects::Effects;
pub use keys::{Group, KeyHasher, KeyMap, Row, Sense, Var};
pub use warnings::warnings;

use crate::scenario::{AgreementId, Capability, CountryId, LayerId, Period, Scenario};

/// A column: bounds, objective coefficient (of W, to maximise) and integrality.
#[derive(Debug, Clone)]
pub struct Column {
    pub var: Var,
    pub lower: f64,
    pub upper: f64,
    pub objective: f64,
    pub integer: bool,
}

/// A row: `sum terms (sense) rhs`. Terms hold column indices; each column appears once.
#[derive(Debug, Clone)]
pub struct Constraint {
    pub row: Row,
    pub terms: Vec<(usize, f64)>,
    pub sense: Sense,
    pub rhs: f64,
}

/// A linear or mixed-integer program: maximise `objective . x` subject to the rows.
#[derive(Debug, Clone, Default)]
pub struct Program {
    pub columns: Vec<Column>,
    pub rows: Vec<Constraint>,
    index: KeyMap<Var, usize>,
    row_index: KeyMap<Row, usize>,
    /// δ_t by period (index t - 1); empty = undiscounted. Sets the weight of each row's dual in
    /// the norm of the canonical prices (MODEL.md 13.12).
    pub discount: Vec<f64>,
}

impl Program {
    pub fn column(&self, var: &Var) -> Option<usize> {
        self.index.get(var).copied()
    }

    pub fn row(&self, row: &Row) -> Option<usize> {
        self.row_index.get(row).copied()
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
        let j = self.columns.len();
        self.columns.push(Column {
            var,
            lower,
            upper,
            objective,
            integer,
        });
        self.index.insert(var, j);
        j
    }

    /// Append a row; duplicate terms are merged and zero terms dropped.
    pub fn add_row(&mut self, row: Row, mut terms: Vec<(usize, f64)>, sense: Sense, rhs: f64) {
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
        self.row_index.insert(row, self.rows.len());
        self.rows.push(Constraint {
            row,
            terms,
            sense,
            rhs,
        });
    }

    /// Weight of row `r`'s dual in the norm of the canonical prices: 1/δ_t², so that the norm
    /// is that of the duals as reported, in each period's money (MODEL.md 13.12).
    pub fn norm_weight(&self, r: usize) -> f64 {
        match self.rows[r].row.period() {
            Some(t) if t >= 1 && t <= self.discount.len() => self.discount[t - 1].powi(-2),
            _ => 1.0,
        }
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
        }
    }

    /// Index of the (country, layer) cell in the per-cell tables.
    fn cell(&self, c: CountryId, l: LayerId) -> usize {
        c * self.s.layers.len() + l
    }

    fn col(&self, v: Var) -> Option<usize> {
        self.p.column(&v)
    }

    fn keep(&self, row: &Row) -> bool {
        !self.opts.dropped.contains(&row.group())
    }

    fn add_row(&mut self, row: Row, terms: Vec<(usize, f64)>, sense: Sense, rhs: f64) {
        if self.keep(&row) {
            self.p.add_row(row, terms, sense, rhs);
        }
    }

    fn build(mut self) -> Program {
        self.columns();
        self.rows();
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
        for (j, col) in self.p.columns.iter().enumerate() {
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
    fn rows(&mut self) {
        let s = self.s;
        for t in 1..=self.n_periods {
            self.index_period(t);
            let uses = self.balance_rows(t);
            for cap in &s.capabilities {
                self.capability_rows(cap, t);
            }
            self.essential_rows(t);
            self.security_rows(t, &uses);
            self.clause_rows(t);
        }
        self.expansion_rows();
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
