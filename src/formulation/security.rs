//! Security rows of each policy (i,l): MODEL.md 5.8 (domestic floor, diversification by
//! supplier share, N-1), written as "requirement - supply <= 0". Trusted supply (section 6)
//! counts toward the floor and is exempt from the other two.
//!
//! Each row measures the policy's basis B (MODEL.md 5.8): total use U (`basis = "total"`) or
//! final demand served in i, sum_b x[i,l,t,b] (`basis = "final"`; no demand entry: B = 0,
//! 13.3). A floor with a `shortfall_penalty` is soft: short[i,l,t] >= 0 relaxes it at cost
//! δ_t π_s (13.3, 13.4).

use super::{Builder, Row, Sense, Var};
use crate::scenario::{Basis, CountryId, Period, SecurityPolicy};

/// A flow column into the policy's country: (exporter, column), exporters ascending.
type Import = (CountryId, usize);

/// The total use U (as terms) scaled by `factor`.
fn scaled(u: &[(usize, f64)], factor: f64) -> Vec<(usize, f64)> {
    u.iter().map(|&(j, a)| (j, a * factor)).collect()
}

impl Builder<'_> {
    /// 5.8 for every policy in period t; `uses` holds U of each (country, layer) cell (from
    /// [`Builder::balance_rows`]).
    pub(super) fn security_rows(&mut self, t: Period, uses: &[Vec<(usize, f64)>]) {
        for pol in &self.s.security {
            let cell = self.cell(pol.country, pol.layer);
            let finals;
            let u = match pol.basis {
                Basis::Total => &uses[cell],
                Basis::Final => {
                    finals = self.final_terms(pol, t);
                    &finals
                }
            };
            let imports: Vec<Import> = self.inflows[cell].clone();
            if let Some(sigma) = pol.domestic_floor {
                self.floor_row(pol, t, scaled(u, sigma), &imports);
            }
            if let Some(mu) = pol.max_supplier_share {
                self.supplier_share_rows(pol, t, u, mu, &imports);
            }
            if let Some(phi) = pol.n_minus_1 {
                self.n_minus_1_rows(pol, t, u, phi, &imports);
            }
        }
    }

    /// Final demand served in i, sum_b x[i,l,t,b], as terms (empty without a demand entry).
    fn final_terms(&self, pol: &SecurityPolicy, t: Period) -> Vec<(usize, f64)> {
        let (i, l) = (pol.country, pol.layer);
        let Some(d) = self.demand_of[self.cell(i, l)].map(|k| &self.s.demands[k]) else {
            return Vec::new();
        };
        (0..d.blocks.len())
            .filter_map(|b| {
                self.col(Var::Serve {
                    country: i,
                    layer: l,
                    period: t,
                    block: b,
                })
            })
            .map(|j| (j, 1.0))
            .collect()
    }

    /// Floor: σB - D - trusted imports - short <= 0, D = p - exports. `terms` holds σB; short
    /// exists only for a soft floor.
    fn floor_row(
        &mut self,
        pol: &SecurityPolicy,
        t: Period,
        mut terms: Vec<(usize, f64)>,
        imports: &[Import],
    ) {
        let (i, l) = (pol.country, pol.layer);
        if let Some(pj) = self.col(Var::Produce {
            country: i,
            layer: l,
            period: t,
        }) {
            terms.push((pj, -1.0));
        }
        terms.extend(self.outflows[self.cell(i, l)].iter().map(|&j| (j, 1.0)));
        for &(e, j) in imports {
            if self.fx.trusted(e, i, l) {
                terms.push((j, -1.0));
            }
        }
        if let Some(short) = self.col(Var::Shortfall {
            country: i,
            layer: l,
            period: t,
        }) {
            terms.push((short, -1.0));
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

    /// Diversification: f[e,i] - μU <= 0 for every untrusted supplier e.
    fn supplier_share_rows(
        &mut self,
        pol: &SecurityPolicy,
        t: Period,
        u: &[(usize, f64)],
        mu: f64,
        imports: &[Import],
    ) {
        let (i, l) = (pol.country, pol.layer);
        for &(e, j) in imports {
            if !self.fx.trusted(e, i, l) {
                let mut terms = scaled(u, -mu);
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

    /// N-1: φU - U + f[e,i] - sum_{e' != e} r[e',i] <= 0 for every untrusted supplier e.
    fn n_minus_1_rows(
        &mut self,
        pol: &SecurityPolicy,
        t: Period,
        u: &[(usize, f64)],
        phi: f64,
        imports: &[Import],
    ) {
        let (i, l) = (pol.country, pol.layer);
        let reserves = self.reserves_to[self.cell(i, l)].clone();
        for &(e, j) in imports {
            if self.fx.trusted(e, i, l) {
                continue;
            }
            let mut terms = scaled(u, phi - 1.0);
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
