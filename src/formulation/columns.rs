//! Columns (MODEL.md section 3) with their objective coefficients (section 4), and the operating
//! status of section 3.1: which capabilities carry y[c,l,t], and has[c,k,t].
//!
//! Column order, per period t: served demand x (demands, blocks), then per capability p, z, y, n,
//! nd, then the flows f (layer, exporter, importer), then the standby r (policies, suppliers).

use std::collections::HashSet;

use super::routes::Route;
use super::{Builder, Var};
use crate::scenario::{Capability, Clause, CountryId, LayerId, Period, Scenario};

/// Does capability (c,l) carry an operating binary y (MODEL.md 3.1)? Fixed by the file, not by
/// the activation.
pub fn has_operating_status(s: &Scenario, c: CountryId, l: LayerId) -> bool {
    let Some(cap) = s.capability(c, l) else {
        return false;
    };
    if cap.entry_cost > 0.0
        || cap.min_scale > 0.0
        || (s.layers[l].requires_adjacent && cap.capacity <= 0.0)
    {
        return true;
    }
    s.agreements.iter().any(|a| {
        a.clauses.iter().any(|cl| match cl {
            Clause::Commit { country, layer, .. } => *country == c && *layer == l,
            Clause::NoDuplication { layer, .. } => *layer == l && a.members.contains(&c),
            _ => false,
        })
    })
}

/// `has[c,k,t]` (MODEL.md 3.1): a column or a constant.
#[derive(Debug, Clone, Copy)]
pub(super) enum Holding {
    Column(usize),
    Constant(f64),
}

/// Add `coef * has` to a row: a column term, or a constant moved to the right-hand side.
pub(super) fn with_holding(
    mut terms: Vec<(usize, f64)>,
    h: Holding,
    coef: f64,
    rhs: f64,
) -> (Vec<(usize, f64)>, f64) {
    match h {
        Holding::Column(j) => {
            terms.push((j, coef));
            (terms, rhs)
        }
        Holding::Constant(v) => (terms, rhs - coef * v),
    }
}

impl Builder<'_> {
    /// Every column, period by period (MODEL.md section 3), each with its coefficient of W
    /// (section 4). With uncertainty, a period t >= τ holds its first-stage columns (z, y, n,
    /// nd, r) and then one copy of x, p, curve segments, f and short per outcome (MODEL.md 10).
    pub(super) fn columns(&mut self) {
        let s = self.s;
        let routes = self.routes();
        let allowed: HashSet<(LayerId, CountryId, CountryId)> =
            routes.iter().map(|&(l, e, i, _)| (l, e, i)).collect();
        for t in 1..=self.n_periods {
            let start = self.p.columns.len();
            if !self.split(t) {
                self.served_columns(t);
                for cap in &s.capabilities {
                    self.production_column(cap, t);
                    self.build_column(cap, t);
                    if has_operating_status(s, cap.country, cap.layer) {
                        self.operating_columns(cap, t);
                    }
                    self.curve_columns(cap, t);
                }
                self.flow_columns(t, &routes);
                self.standby_columns(t, &allowed);
                self.shortfall_columns(t);
                self.col_ranges
                    .insert((t, None), start..self.p.columns.len());
                continue;
            }
            for cap in &s.capabilities {
                self.build_column(cap, t);
                if has_operating_status(s, cap.country, cap.layer) {
                    self.operating_columns(cap, t);
                }
            }
            self.standby_columns(t, &allowed);
            self.col_ranges
                .insert((t, None), start..self.p.columns.len());
            for outcome in self.stages(t) {
                self.outcome = outcome;
                let start = self.p.columns.len();
                self.served_columns(t);
                for cap in &s.capabilities {
                    self.production_column(cap, t);
                    self.curve_columns(cap, t);
                }
                let open: Vec<_> = routes
                    .iter()
                    .filter(|&&(l, e, i, _)| !self.blocked_in_outcome(e, i, l))
                    .copied()
                    .collect();
                self.flow_columns(t, &open);
                self.shortfall_columns(t);
                self.col_ranges
                    .insert((t, outcome), start..self.p.columns.len());
            }
            self.outcome = None;
        }
    }

    /// x[c,l,t,b] <= q_b growth^(t-1) (times the outcome's demand factor), worth δ_t ω_b.
    fn served_columns(&mut self, t: Period) {
        let delta = self.s.discount(t);
        let tf = (t - 1) as i32;
        for d in &self.s.demands {
            let factor = self.demand_factor(d.country, d.layer);
            for (b, block) in d.blocks.iter().enumerate() {
                let q = block.quantity * d.growth.powi(tf) * factor;
                self.add_col(
                    Var::Serve {
                        country: d.country,
                        layer: d.layer,
                        period: t,
                        block: b,
                    },
                    0.0,
                    q,
                    delta * block.value,
                    false,
                );
            }
        }
    }

    /// p[c,l,t] at cost δ_t u_t (times the outcome's cost factor).
    fn production_column(&mut self, cap: &Capability, t: Period) {
        let delta = self.s.discount(t);
        let tf = (t - 1) as i32;
        let (c, l) = (cap.country, cap.layer);
        // With a cost curve or a learning curve the cost sits on the segments (curves.rs).
        let curved = cap.cost_curve.is_some() || cap.learning.is_some();
        let u_t = if curved {
            0.0
        } else {
            cap.unit_cost * cap.cost_trend.powi(tf) * self.cost_factor(c, l)
        };
        self.add_col(
            Var::Produce {
                country: c,
                layer: l,
                period: t,
            },
            0.0,
            f64::INFINITY,
            -delta * u_t,
            false,
        );
    }

    /// z[c,l,t] at cost δ_t κ where expansion is allowed (X > 0).
    fn build_column(&mut self, cap: &Capability, t: Period) {
        let delta = self.s.discount(t);
        let (c, l) = (cap.country, cap.layer);
        if cap.max_expansion > 0.0 {
            self.add_col(
                Var::Build {
                    country: c,
                    layer: l,
                    period: t,
                },
                0.0,
                f64::INFINITY,
                -delta * cap.expansion_cost,
                false,
            );
        }
    }

    /// y[c,l,t] (binary unless relaxed), then the entry columns where F > 0 and K0 = 0.
    fn operating_columns(&mut self, cap: &Capability, t: Period) {
        self.add_col(
            Var::Operate {
                country: cap.country,
                layer: cap.layer,
                period: t,
            },
            0.0,
            1.0,
            0.0,
            !self.opts.relax,
        );
        if cap.entry_cost > 0.0 && cap.capacity <= 0.0 {
            self.entry_columns(cap, t);
        }
    }

    /// The entry n[c,l,t] at cost δ_t F, then the discounted entry nd worth δ_t F d_eff where
    /// d_eff > 0 and l has adjacent layers.
    fn entry_columns(&mut self, cap: &Capability, t: Period) {
        let s = self.s;
        let delta = s.discount(t);
        let (c, l) = (cap.country, cap.layer);
        self.add_col(
            Var::Enter {
                country: c,
                layer: l,
                period: t,
            },
            0.0,
            1.0,
            -delta * cap.entry_cost,
            false,
        );
        let d_eff = self.fx.entry_discount(c, l);
        if d_eff > 0.0 && !s.layers[l].adjacent.is_empty() {
            self.add_col(
                Var::EnterDiscounted {
                    country: c,
                    layer: l,
                    period: t,
                },
                0.0,
                1.0,
                delta * cap.entry_cost * d_eff,
                false,
            );
        }
    }

    /// f[e,i,l,t] on every allowed route, at cost δ_t τ[e,i,l].
    fn flow_columns(&mut self, t: Period, routes: &[Route]) {
        let delta = self.s.discount(t);
        for &(l, e, i, tau) in routes {
            self.add_col(
                Var::Flow {
                    from: e,
                    to: i,
                    layer: l,
                    period: t,
                },
                0.0,
                f64::INFINITY,
                -delta * tau,
                false,
            );
        }
    }

    /// r[e,i,l,t] at cost δ_t ρ, for every N-1 policy (i,l) and every supplier e with a
    /// capability for l that is i itself or has an allowed flow to i (`allowed`: the routes,
    /// before any outcome's blocks, MODEL.md 13.8).
    fn standby_columns(&mut self, t: Period, allowed: &HashSet<(LayerId, CountryId, CountryId)>) {
        let s = self.s;
        let delta = s.discount(t);
        for pol in &s.security {
            if pol.n_minus_1.is_none() {
                continue;
            }
            let (i, l) = (pol.country, pol.layer);
            for e in 0..s.countries.len() {
                if s.capability(e, l).is_none() {
                    continue;
                }
                let can_supply = e == i || allowed.contains(&(l, e, i));
                if can_supply {
                    self.add_col(
                        Var::Reserve {
                            from: e,
                            to: i,
                            layer: l,
                            period: t,
                        },
                        0.0,
                        f64::INFINITY,
                        -delta * pol.reserve_cost,
                        false,
                    );
                }
            }
        }
    }

    /// short[i,l,t] at cost δ_t π_s, for every policy with a domestic floor and a
    /// `shortfall_penalty` (MODEL.md 5.8, 13.3).
    fn shortfall_columns(&mut self, t: Period) {
        let delta = self.s.discount(t);
        for pol in &self.s.security {
            if let (Some(_), Some(penalty)) = (pol.domestic_floor, pol.shortfall_penalty) {
                self.add_col(
                    Var::Shortfall {
                        country: pol.country,
                        layer: pol.layer,
                        period: t,
                    },
                    0.0,
                    f64::INFINITY,
                    -delta * penalty,
                    false,
                );
            }
        }
    }

    /// has[c,k,t] (MODEL.md 3.1): y[c,k,t] where it exists, else 1 iff K0 > 0 (always so at
    /// t = 0).
    pub(super) fn holding(&self, c: CountryId, k: LayerId, t: Period) -> Holding {
        let k0 = self.s.capability(c, k).map_or(0.0, |cap| cap.capacity);
        if t == 0 {
            return Holding::Constant(if k0 > 0.0 { 1.0 } else { 0.0 });
        }
        match self.col(Var::Operate {
            country: c,
            layer: k,
            period: t,
        }) {
            Some(j) => Holding::Column(j),
            None => Holding::Constant(if k0 > 0.0 { 1.0 } else { 0.0 }),
        }
    }
}
