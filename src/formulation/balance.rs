//! Balance and origin rows: MODEL.md 5.1 (balance, whose dual is the price λ, with the total use
//! U[c,l,t] that the security rows of 5.8 also read) and 5.2 (origin: no re-export).

use super::{Builder, Row, Sense, Var};
use crate::scenario::{Capability, CountryId, LayerId, Period};

impl Builder<'_> {
    /// 5.1 Balance rows of period t, every (country, layer). Returns the total use U of each
    /// (country, layer) cell as terms, for the security rows (5.8).
    pub(super) fn balance_rows(&mut self, t: Period) -> Vec<Vec<(usize, f64)>> {
        let nc = self.s.countries.len();
        let nl = self.s.layers.len();
        let mut uses: Vec<Vec<(usize, f64)>> = Vec::with_capacity(nc * nl);
        for c in 0..nc {
            for l in 0..nl {
                let terms = self.use_terms(c, l, t);
                uses.push(terms.clone());
                self.balance_row(c, l, t, terms);
            }
        }
        uses
    }

    /// 5.1 Balance: U - (p + imports - exports) <= extra delivery. `terms` holds U.
    fn balance_row(&mut self, c: CountryId, l: LayerId, t: Period, mut terms: Vec<(usize, f64)>) {
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
        let extra = self.extra_delivery(c, l, t);
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

    /// Units of l delivered free to c in t (analyses: finite differences of the price), in
    /// every outcome, plus those delivered in the current outcome only.
    fn extra_delivery(&self, c: CountryId, l: LayerId, t: Period) -> f64 {
        let everywhere: f64 = self
            .opts
            .extra_delivery
            .iter()
            .filter(|d| d.0 == c && d.1 == l && d.2 == t)
            .map(|d| d.3)
            .sum();
        let Some(s) = self.outcome else {
            return everywhere;
        };
        everywhere
            + self
                .opts
                .extra_delivery_in
                .iter()
                .filter(|d| d.0 == s && d.1 == c && d.2 == l && d.3 == t)
                .map(|d| d.4)
                .sum::<f64>()
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

    /// 5.2 Origin: exports - p <= 0 (only where (c,l) has an allowed export).
    pub(super) fn origin_row(&mut self, cap: &Capability, t: Period, pj: usize) {
        let (c, l) = (cap.country, cap.layer);
        let cell = self.cell(c, l);
        if self.outflows[cell].is_empty() {
            return;
        }
        let mut terms: Vec<(usize, f64)> = self.outflows[cell].iter().map(|&j| (j, 1.0)).collect();
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
}
