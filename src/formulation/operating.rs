//! Operating-status rows, where y[c,l,t] exists: MODEL.md 5.5 (operating upper bound, minimum
//! scale, entry, adjacency discount) and 5.6 (ladder), plus the analyses' forced decisions
//! (section 8) that fix y, or p where there is no y.

use super::columns::{with_holding, Holding};
use super::{Builder, Row, Sense, Var};
use crate::scenario::{Capability, CountryId, LayerId, Period};

impl Builder<'_> {
    /// 5.5 and 5.6 for capability `cap` in period t, with its production column `pj`, operating
    /// column `y` and standby columns `reserves`.
    pub(super) fn operating_rows(
        &mut self,
        cap: &Capability,
        t: Period,
        pj: usize,
        y: usize,
        reserves: &[usize],
    ) {
        let (c, l) = (cap.country, cap.layer);
        self.operate_upper_row(cap, t, pj, y, reserves);
        if cap.min_scale > 0.0 {
            self.min_scale_row(cap, t, pj, y, reserves);
        }
        let prev = self.holding(c, l, t - 1);
        if let Some(n) = self.col(Var::Enter {
            country: c,
            layer: l,
            period: t,
        }) {
            self.entry_row(c, l, t, y, n, prev);
            if let Some(nd) = self.col(Var::EnterDiscounted {
                country: c,
                layer: l,
                period: t,
            }) {
                self.discount_rows(c, l, t, n, nd);
            }
        }
        if self.s.layers[l].requires_adjacent {
            self.ladder_row(c, l, t, y, prev);
        }
    }

    /// 5.5 Operating: p + sum_i r - (K0 + X) y <= 0.
    fn operate_upper_row(
        &mut self,
        cap: &Capability,
        t: Period,
        pj: usize,
        y: usize,
        reserves: &[usize],
    ) {
        let mut terms = vec![(pj, 1.0), (y, -(cap.capacity + cap.max_expansion))];
        terms.extend(reserves.iter().map(|&j| (j, 1.0)));
        self.add_row(
            Row::OperateUpper {
                country: cap.country,
                layer: cap.layer,
                period: t,
            },
            terms,
            Sense::Le,
            0.0,
        );
    }

    /// 5.5 Minimum scale: s y - p - sum_i r <= 0.
    fn min_scale_row(
        &mut self,
        cap: &Capability,
        t: Period,
        pj: usize,
        y: usize,
        reserves: &[usize],
    ) {
        let mut terms = vec![(y, cap.min_scale), (pj, -1.0)];
        terms.extend(reserves.iter().map(|&j| (j, -1.0)));
        self.add_row(
            Row::MinScale {
                country: cap.country,
                layer: cap.layer,
                period: t,
            },
            terms,
            Sense::Le,
            0.0,
        );
    }

    /// 5.5 Entry: y[t] - y[t-1] - n[t] <= 0, with y[t-1] = `prev`.
    fn entry_row(
        &mut self,
        c: CountryId,
        l: LayerId,
        t: Period,
        y: usize,
        n: usize,
        prev: Holding,
    ) {
        let (mut terms, rhs) = with_holding(vec![(y, 1.0), (n, -1.0)], prev, -1.0, 0.0);
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
    }

    /// 5.5 Discount: nd - n <= 0 and nd - sum_k has[c,k,t-1] <= 0 over k in adjacent(l).
    fn discount_rows(&mut self, c: CountryId, l: LayerId, t: Period, n: usize, nd: usize) {
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

    /// 5.6 Ladder: y[t] - y[t-1] - sum_k has[c,k,t-1] <= 0, with y[t-1] = `prev`.
    fn ladder_row(&mut self, c: CountryId, l: LayerId, t: Period, y: usize, prev: Holding) {
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

    /// Analyses (section 8): forced decisions on (c,l) in period t. On fixes y = 1; off fixes
    /// y = 0, or p = 0 where (c,l) has no y.
    pub(super) fn forced_rows(&mut self, cap: &Capability, t: Period, pj: usize) {
        let (c, l) = (cap.country, cap.layer);
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
}
