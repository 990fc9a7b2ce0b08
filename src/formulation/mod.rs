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
//! - the rows (section 5 and the agreement clauses): `Builder::rows` below.
//!
//! This file holds the [`Program`], the [`BuildOptions`], and the builder: its shared indices
//! and the order in which the families are written.

mod columns;
mod effects;
mod keys;
mod routes;

use std::collections::HashSet;

pub use columns::has_operating_status;
pub use effects::Effects;
pub use keys::{Group, KeyHasher, KeyMap, Row, Sense, Var};

use crate::scenario::{AgreementId, Clause, CountryId, LayerId, Period, Scenario};
use columns::with_holding;

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

    /// Same program with every integer column fixed at `values` (rounded): the LP whose duals
    /// are the restricted prices of MODEL.md section 7.
    pub fn with_integers_fixed(&self, values: &[f64]) -> Program {
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
    Builder::new(s, opts).build()
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

    /// Total use U[c,l,t] (MODEL.md 5.1, right-hand side) as terms: final demand served, then
    /// for each layer k in order, inputs of l into c's production of k and l required per unit
    /// of k imported.
    fn use_terms(&self, c: CountryId, l: LayerId, t: Period) -> Vec<(usize, f64)> {
        let s = self.s;
        let mut terms = Vec::new();
        if let Some(d) = self.demand_of[self.cell(c, l)].map(|k| &s.demands[k]) {
            for b in 0..d.blocks.len() {
                if let Some(j) = self.col(Var::Serve {
                    country: c,
                    layer: l,
                    period: t,
                    block: b,
                }) {
                    terms.push((j, 1.0));
                }
            }
        }
        for k in 0..s.layers.len() {
            if let Some(cap) = s.capability(c, k) {
                for &(input, a) in &cap.inputs {
                    if input == l && a != 0.0 {
                        if let Some(j) = self.col(Var::Produce {
                            country: c,
                            layer: k,
                            period: t,
                        }) {
                            terms.push((j, a));
                        }
                    }
                }
            }
            for &(req, m) in &s.layers[k].import_requires {
                if req == l && m != 0.0 {
                    terms.extend(self.inflows[self.cell(c, k)].iter().map(|&(_, j)| (j, m)));
                }
            }
        }
        terms
    }

    /// Subtract `sum over k in adjacent(l) of has[c,k,t-1]` from a row (discount 5.5, ladder 5.6).
    fn minus_adjacent(
        &self,
        c: CountryId,
        l: LayerId,
        t: Period,
        mut terms: Vec<(usize, f64)>,
        mut rhs: f64,
    ) -> (Vec<(usize, f64)>, f64) {
        for &k in &self.s.layers[l].adjacent {
            (terms, rhs) = with_holding(terms, self.holding(c, k, t - 1), -1.0, rhs);
        }
        (terms, rhs)
    }

    fn rows(&mut self) {
        let s = self.s;
        let nc = s.countries.len();
        let nl = s.layers.len();
        for t in 1..=self.n_periods {
            // Flow and standby columns by (country, layer) for this period.
            self.index_period(t);
            let mut uses: Vec<Vec<(usize, f64)>> = Vec::with_capacity(nc * nl);

            // 5.1 Balance: U - (p + imports - exports) <= extra delivery.
            for c in 0..nc {
                for l in 0..nl {
                    let mut terms = self.use_terms(c, l, t);
                    uses.push(terms.clone());
                    if let Some(j) = self.col(Var::Produce {
                        country: c,
                        layer: l,
                        period: t,
                    }) {
                        terms.push((j, -1.0));
                    }
                    let cell = self.cell(c, l);
                    terms.extend(self.inflows[cell].iter().map(|&(_, j)| (j, -1.0)));
                    terms.extend(self.outflows[cell].iter().map(|&j| (j, 1.0)));
                    let extra: f64 = self
                        .opts
                        .extra_delivery
                        .iter()
                        .filter(|d| d.0 == c && d.1 == l && d.2 == t)
                        .map(|d| d.3)
                        .sum();
                    self.add_row(
                        Row::Balance {
                            country: c,
                            layer: l,
                            period: t,
                        },
                        terms,
                        Sense::Le,
                        extra,
                    );
                }
            }

            for cap in &s.capabilities {
                let (c, l) = (cap.country, cap.layer);
                let pj = self
                    .col(Var::Produce {
                        country: c,
                        layer: l,
                        period: t,
                    })
                    .expect("production column");
                let cell = self.cell(c, l);
                let reserves: Vec<usize> =
                    self.reserves_from[cell].iter().map(|&(_, j)| j).collect();

                // 5.2 Origin: exports - p <= 0.
                if !self.outflows[cell].is_empty() {
                    let mut terms: Vec<(usize, f64)> =
                        self.outflows[cell].iter().map(|&j| (j, 1.0)).collect();
                    terms.push((pj, -1.0));
                    self.add_row(
                        Row::Origin {
                            country: c,
                            layer: l,
                            period: t,
                        },
                        terms,
                        Sense::Le,
                        0.0,
                    );
                }

                // 5.3 Capacity: p + sum_i r - sum_{t' <= t - lead} z <= K0.
                let mut terms = vec![(pj, 1.0)];
                terms.extend(reserves.iter().map(|&j| (j, 1.0)));
                if t > cap.lead_time {
                    for t2 in 1..=(t - cap.lead_time) {
                        if let Some(z) = self.col(Var::Build {
                            country: c,
                            layer: l,
                            period: t2,
                        }) {
                            terms.push((z, -1.0));
                        }
                    }
                }
                self.add_row(
                    Row::Capacity {
                        country: c,
                        layer: l,
                        period: t,
                    },
                    terms,
                    Sense::Le,
                    cap.capacity,
                );

                // 5.5 Operating, entry and discount rows.
                if let Some(y) = self.col(Var::Operate {
                    country: c,
                    layer: l,
                    period: t,
                }) {
                    let mut terms = vec![(pj, 1.0), (y, -(cap.capacity + cap.max_expansion))];
                    terms.extend(reserves.iter().map(|&j| (j, 1.0)));
                    self.add_row(
                        Row::OperateUpper {
                            country: c,
                            layer: l,
                            period: t,
                        },
                        terms,
                        Sense::Le,
                        0.0,
                    );
                    if cap.min_scale > 0.0 {
                        let mut terms = vec![(y, cap.min_scale), (pj, -1.0)];
                        terms.extend(reserves.iter().map(|&j| (j, -1.0)));
                        self.add_row(
                            Row::MinScale {
                                country: c,
                                layer: l,
                                period: t,
                            },
                            terms,
                            Sense::Le,
                            0.0,
                        );
                    }
                    let prev = self.holding(c, l, t - 1);
                    if let Some(n) = self.col(Var::Enter {
                        country: c,
                        layer: l,
                        period: t,
                    }) {
                        // y[t] - y[t-1] - n[t] <= 0
                        let (mut terms, rhs) =
                            with_holding(vec![(y, 1.0), (n, -1.0)], prev, -1.0, 0.0);
                        terms.sort_unstable_by_key(|t| t.0);
                        self.add_row(
                            Row::Entry {
                                country: c,
                                layer: l,
                                period: t,
                            },
                            terms,
                            Sense::Le,
                            rhs,
                        );
                        if let Some(nd) = self.col(Var::EnterDiscounted {
                            country: c,
                            layer: l,
                            period: t,
                        }) {
                            self.add_row(
                                Row::DiscountEntry {
                                    country: c,
                                    layer: l,
                                    period: t,
                                },
                                vec![(nd, 1.0), (n, -1.0)],
                                Sense::Le,
                                0.0,
                            );
                            let (terms, rhs) = self.minus_adjacent(c, l, t, vec![(nd, 1.0)], 0.0);
                            self.add_row(
                                Row::DiscountAdjacency {
                                    country: c,
                                    layer: l,
                                    period: t,
                                },
                                terms,
                                Sense::Le,
                                rhs,
                            );
                        }
                    }
                    // 5.6 Ladder: y[t] - y[t-1] - sum_k has[c,k,t-1] <= 0.
                    if s.layers[l].requires_adjacent {
                        let (terms, rhs) = with_holding(vec![(y, 1.0)], prev, -1.0, 0.0);
                        let (terms, rhs) = self.minus_adjacent(c, l, t, terms, rhs);
                        self.add_row(
                            Row::Ladder {
                                country: c,
                                layer: l,
                                period: t,
                            },
                            terms,
                            Sense::Le,
                            rhs,
                        );
                    }
                }

                // Analyses: forced decisions.
                for &(fc, fl, on) in &self.opts.forced {
                    if fc == c && fl == l {
                        let row = Row::Forced {
                            country: c,
                            layer: l,
                            period: t,
                        };
                        match (
                            self.col(Var::Operate {
                                country: c,
                                layer: l,
                                period: t,
                            }),
                            on,
                        ) {
                            (Some(y), true) => self.add_row(row, vec![(y, 1.0)], Sense::Ge, 1.0),
                            (Some(y), false) => self.add_row(row, vec![(y, 1.0)], Sense::Le, 0.0),
                            (None, false) => self.add_row(row, vec![(pj, 1.0)], Sense::Le, 0.0),
                            (None, true) => {}
                        }
                    }
                }
            }

            // 5.7 Essential demand.
            for d in &s.demands {
                if d.must_serve > 0.0 {
                    let terms = (0..d.blocks.len())
                        .filter_map(|b| {
                            self.col(Var::Serve {
                                country: d.country,
                                layer: d.layer,
                                period: t,
                                block: b,
                            })
                        })
                        .map(|j| (j, 1.0))
                        .collect();
                    let rhs = d.must_serve * d.growth.powi((t - 1) as i32);
                    self.add_row(
                        Row::Essential {
                            country: d.country,
                            layer: d.layer,
                            period: t,
                        },
                        terms,
                        Sense::Ge,
                        rhs,
                    );
                }
            }

            // 5.8 Security rows, written as "requirement - supply <= 0".
            for pol in &s.security {
                let (i, l) = (pol.country, pol.layer);
                let cell = self.cell(i, l);
                let u = uses[cell].clone();
                let scaled = |factor: f64| u.iter().map(move |&(j, a)| (j, a * factor));
                // Flows into i, exporters ascending.
                let imports: Vec<(CountryId, usize)> = self.inflows[cell].clone();
                if let Some(sigma) = pol.domestic_floor {
                    // σU - D - trusted imports <= 0, D = p - exports.
                    let mut terms: Vec<(usize, f64)> = scaled(sigma).collect();
                    if let Some(pj) = self.col(Var::Produce {
                        country: i,
                        layer: l,
                        period: t,
                    }) {
                        terms.push((pj, -1.0));
                    }
                    terms.extend(self.outflows[cell].iter().map(|&j| (j, 1.0)));
                    for &(e, j) in &imports {
                        if self.fx.trusted(e, i, l) {
                            terms.push((j, -1.0));
                        }
                    }
                    self.add_row(
                        Row::Floor {
                            country: i,
                            layer: l,
                            period: t,
                        },
                        terms,
                        Sense::Le,
                        0.0,
                    );
                }
                if let Some(mu) = pol.max_supplier_share {
                    // f[e,i] - μU <= 0 for every untrusted supplier.
                    for &(e, j) in &imports {
                        if !self.fx.trusted(e, i, l) {
                            let mut terms: Vec<(usize, f64)> = scaled(-mu).collect();
                            terms.push((j, 1.0));
                            self.add_row(
                                Row::SupplierShare {
                                    supplier: e,
                                    country: i,
                                    layer: l,
                                    period: t,
                                },
                                terms,
                                Sense::Le,
                                0.0,
                            );
                        }
                    }
                }
                if let Some(phi) = pol.n_minus_1 {
                    // φU - U + f[e,i] - sum_{e' != e} r[e',i] <= 0 for every untrusted supplier e.
                    let reserves = self.reserves_to[cell].clone();
                    for &(e, j) in &imports {
                        if self.fx.trusted(e, i, l) {
                            continue;
                        }
                        let mut terms: Vec<(usize, f64)> = scaled(phi - 1.0).collect();
                        terms.push((j, 1.0));
                        terms.extend(
                            reserves
                                .iter()
                                .filter(|(e2, _)| *e2 != e)
                                .map(|&(_, r)| (r, -1.0)),
                        );
                        self.add_row(
                            Row::NMinus1 {
                                lost: e,
                                country: i,
                                layer: l,
                                period: t,
                            },
                            terms,
                            Sense::Le,
                            0.0,
                        );
                    }
                }
            }

            // Section 6: clauses that add rows.
            for (a, ag) in s.agreements.iter().enumerate() {
                if !self.fx.is_active(a) {
                    continue;
                }
                for (k, clause) in ag.clauses.iter().enumerate() {
                    match *clause {
                        Clause::NoDuplication {
                            layer,
                            max_producers,
                        } => {
                            let mut terms = Vec::new();
                            let mut rhs = max_producers as f64;
                            for &c in &ag.members {
                                if s.capability(c, layer).is_some() {
                                    (terms, rhs) =
                                        with_holding(terms, self.holding(c, layer, t), 1.0, rhs);
                                }
                            }
                            self.add_row(
                                Row::NoDuplication {
                                    agreement: a,
                                    clause: k,
                                    period: t,
                                },
                                terms,
                                Sense::Le,
                                rhs,
                            );
                        }
                        Clause::Commit {
                            country,
                            layer,
                            build,
                            from_period,
                        } if t >= from_period => {
                            let y = self.col(Var::Operate {
                                country,
                                layer,
                                period: t,
                            });
                            let pj = self.col(Var::Produce {
                                country,
                                layer,
                                period: t,
                            });
                            if let Some(y) = y {
                                let (sense, rhs) = if build {
                                    (Sense::Ge, 1.0)
                                } else {
                                    (Sense::Le, 0.0)
                                };
                                self.add_row(
                                    Row::Commit {
                                        agreement: a,
                                        clause: k,
                                        period: t,
                                    },
                                    vec![(y, 1.0)],
                                    sense,
                                    rhs,
                                );
                            }
                            if let (Some(pj), false) = (pj, build) {
                                self.add_row(
                                    Row::CommitOutput {
                                        agreement: a,
                                        clause: k,
                                        period: t,
                                    },
                                    vec![(pj, 1.0)],
                                    Sense::Le,
                                    0.0,
                                );
                            }
                        }
                        _ => {}
                    }
                }
            }
        }

        // 5.4 Expansion: sum_t z <= X.
        for cap in &s.capabilities {
            if cap.max_expansion > 0.0 {
                let terms = (1..=self.n_periods)
                    .filter_map(|t| {
                        self.col(Var::Build {
                            country: cap.country,
                            layer: cap.layer,
                            period: t,
                        })
                    })
                    .map(|j| (j, 1.0))
                    .collect();
                self.add_row(
                    Row::Expansion {
                        country: cap.country,
                        layer: cap.layer,
                    },
                    terms,
                    Sense::Le,
                    cap.max_expansion,
                );
            }
        }
    }
}
