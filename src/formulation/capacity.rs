//! Capacity rows: MODEL.md 5.3 (capacity, whose dual is the capacity rent) and 5.4 (expansion
//! limit over the horizon).

use super::{Builder, Row, Sense, Var};
use crate::scenario::{Capability, Period};

impl Builder<'_> {
    /// 5.3 Capacity: p + sum_i r - sum z[t'] <= K0 capacity_trend^(t-1), the sum over the t'
    /// with t' + lead <= t < t' + lead + lifetime (MODEL.md 3 "Usable capacity", 13.1). An
    /// outcome's capacity factor scales all of K, existing and built (MODEL.md 13.8).
    pub(super) fn capacity_row(
        &mut self,
        cap: &Capability,
        t: Period,
        pj: usize,
        reserves: &[usize],
    ) {
        let (c, l) = (cap.country, cap.layer);
        let factor = self.capacity_factor(c, l);
        let mut terms = vec![(pj, 1.0)];
        terms.extend(reserves.iter().map(|&j| (j, 1.0)));
        if t > cap.lead_time {
            let last = t - cap.lead_time;
            // Built in t' and usable for `lifetime` periods from t' + lead: t' > t - lead - life.
            let first = match cap.lifetime {
                Some(life) if last > life => last - life + 1,
                _ => 1,
            };
            for t2 in first..=last {
                if let Some(z) = self.col(Var::Build {
                    country: c,
                    layer: l,
                    period: t2,
                }) {
                    terms.push((z, -factor));
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
            cap.capacity * cap.capacity_trend.powi((t - 1) as i32) * factor,
        );
    }

    /// 5.4 Expansion: sum_t z <= X, every capability with X > 0 (after all the period rows).
    pub(super) fn expansion_rows(&mut self) {
        for cap in &self.s.capabilities {
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
