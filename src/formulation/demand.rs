//! Essential demand rows: MODEL.md 5.7.

use super::{Builder, Row, Sense, Var};
use crate::scenario::Period;

impl Builder<'_> {
    /// 5.7 Essential demand: sum_b x[c,l,t,b] >= must_serve * growth^(t-1), every demand with
    /// must_serve > 0.
    pub(super) fn essential_rows(&mut self, t: Period) {
        for d in &self.s.demands {
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
    }
}
