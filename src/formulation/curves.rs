//! Cost curves within a period (MODEL.md 11.1) and learning by doing (11.2), written exactly as
//! 13.6 reads them: the first segment has no binary (w_1 = 1), binaries w_2..w_J;
//!
//! - `p - sum_j p_j = 0`; `p_j - width_j w_j <= 0` (j >= 2); `p_j - width_j w_{j+1} >= 0`
//!   (j < J); `w_{j+1} - w_j <= 0` (j >= 2, both binaries; with w_1 = 1 the row for j = 1
//!   would only repeat the bound w_2 <= 1); `0 <= p_1 <= width_1` is a bound;
//! - learning: the same on the fills e_{t,j} of each period's cumulative experience, with
//!   `sum_j e_{t,j} - sum_{t' <= t} p[t'] = 0`, breakpoints g_j = E_0' (E_max/E_0')^(j/J) and
//!   slopes s_j from [`crate::scenario::Learning::slopes`].
//!
//! With either, p itself costs nothing: the cost sits on the segments (δ_t u_j cost_trend^(t-1)
//! per unit of p_j) or on the fills (period t costs δ_t c_t sum_j s_j (e_{t,j} - e_{t-1,j}),
//! c_t = cost_trend^(t-1), so e_{t,j} carries -s_j (δ_t c_t - δ_{t+1} c_{t+1}), and -s_j δ_n c_n
//! in the last period).

use super::{Builder, Program, Row, Sense, Var};
use crate::scenario::{Capability, Period};

/// Widths of the segments of a cost curve: q_j - q_{j-1} (q_0 = 0).
fn curve_widths(cap: &Capability) -> Vec<f64> {
    let mut prev = 0.0;
    cap.cost_curve
        .iter()
        .flatten()
        .map(|seg| {
            let w = seg.up_to - prev;
            prev = seg.up_to;
            w
        })
        .collect()
}

/// A segmented column family: the segment columns (with their segment widths) and the binaries
/// w_2..w_J of one capability and period.
struct Segments {
    cols: Vec<usize>,
    widths: Vec<f64>,
    /// on[j] = column of w_{j+1} (0-based j >= 1); on[0] is None (w_1 = 1).
    on: Vec<Option<usize>>,
}

impl Builder<'_> {
    /// Activation flags of every agreement in this build.
    fn active_flags(&self) -> Vec<bool> {
        (0..self.s.agreements.len())
            .map(|a| self.opts.is_active(a, self.s))
            .collect()
    }

    /// Breakpoints and slopes of `cap`'s learning curve under this build's agreements: (widths
    /// g_j - g_{j-1}, slopes s_j). Empty when E_0' >= E_max.
    fn learning_segments(&self, cap: &Capability) -> (Vec<f64>, Vec<f64>) {
        let (Some(lr), Some(start)) = (
            cap.learning,
            self.s
                .starting_experience(cap.country, cap.layer, &self.active_flags()),
        ) else {
            return (Vec::new(), Vec::new());
        };
        let g = lr.breakpoints(start);
        let widths = g.windows(2).map(|w| w[1] - w[0]).collect();
        (widths, lr.slopes(cap.unit_cost, start))
    }

    /// The columns of a cost curve (p_j at δ_t u_j cost_trend^(t-1), then w_2..w_J) or of a
    /// learning curve (e_{t,j} at their share of the period costs, then w_{t,2}..w_{t,J}). An
    /// outcome's cost factor scales u_j and the learning slopes from τ on (MODEL.md 13.8).
    pub(super) fn curve_columns(&mut self, cap: &Capability, t: Period) {
        let (c, l) = (cap.country, cap.layer);
        let delta = self.s.discount(t);
        let trend = cap.cost_trend.powi((t - 1) as i32);
        let integer = !self.opts.relax;
        let factor = self.cost_factor(c, l);
        if let Some(curve) = &cap.cost_curve {
            let widths = curve_widths(cap);
            for (j, seg) in curve.iter().enumerate() {
                let upper = if j == 0 { widths[0] } else { f64::INFINITY };
                let var = Var::Segment {
                    country: c,
                    layer: l,
                    period: t,
                    segment: j,
                };
                let cost = delta * seg.unit_cost * trend * factor;
                self.add_col(var, 0.0, upper, -cost, false);
            }
            for j in 1..curve.len() {
                let var = Var::SegmentOn {
                    country: c,
                    layer: l,
                    period: t,
                    segment: j,
                };
                self.add_col(var, 0.0, 1.0, 0.0, integer);
            }
        }
        if cap.learning.is_some() {
            let (widths, slopes) = self.learning_segments(cap);
            // Weight of e_{t,j}: it enters period t's cost with + and period t+1's with -.
            let next = if t < self.n_periods {
                self.s.discount(t + 1) * cap.cost_trend.powi(t as i32)
            } else {
                0.0
            };
            // The last first-stage fill meets each outcome's factor in period τ (see
            // `uncertainty.rs`): W carries factor 1 and each W_s the difference.
            let crosses = self.outcome.is_none() && t < self.n_periods && self.split(t + 1);
            let weight = if t < self.n_periods {
                delta * trend * factor - next * factor
            } else {
                delta * trend * factor
            };
            for (j, s_j) in slopes.iter().enumerate() {
                let upper = if j == 0 { widths[0] } else { f64::INFINITY };
                let var = Var::Fill {
                    country: c,
                    layer: l,
                    period: t,
                    segment: j,
                };
                let col = self.add_col(var, 0.0, upper, -s_j * weight, false);
                if crosses {
                    self.outcome_cost_terms(col, c, l, s_j * next);
                }
            }
            for j in 1..slopes.len() {
                let var = Var::FillOn {
                    country: c,
                    layer: l,
                    period: t,
                    segment: j,
                };
                self.add_col(var, 0.0, 1.0, 0.0, integer);
            }
        }
    }

    /// The segment columns, widths and binaries of a cost curve (`fill` false) or a learning
    /// curve (`fill` true) of `cap` in period t.
    fn segments(&self, cap: &Capability, t: Period, fill: bool) -> Segments {
        let (country, layer, period) = (cap.country, cap.layer, t);
        let widths = if fill {
            self.learning_segments(cap).0
        } else {
            curve_widths(cap)
        };
        let mut cols = Vec::new();
        let mut on = Vec::new();
        for segment in 0..widths.len() {
            let (v, w) = if fill {
                (
                    Var::Fill {
                        country,
                        layer,
                        period,
                        segment,
                    },
                    Var::FillOn {
                        country,
                        layer,
                        period,
                        segment,
                    },
                )
            } else {
                (
                    Var::Segment {
                        country,
                        layer,
                        period,
                        segment,
                    },
                    Var::SegmentOn {
                        country,
                        layer,
                        period,
                        segment,
                    },
                )
            };
            cols.push(self.col(v).expect("segment column"));
            on.push(if segment == 0 { None } else { self.col(w) });
        }
        Segments { cols, widths, on }
    }

    /// 11.1 rows of a cost curve in period t (13.6), `pj` = p[c,l,t].
    pub(super) fn cost_curve_rows(&mut self, cap: &Capability, t: Period, pj: usize) {
        if cap.cost_curve.is_none() {
            return;
        }
        let (country, layer, period) = (cap.country, cap.layer, t);
        let seg = self.segments(cap, t, false);
        let mut terms = vec![(pj, 1.0)];
        terms.extend(seg.cols.iter().map(|&j| (j, -1.0)));
        self.add_row(
            Row::CurveSplit {
                country,
                layer,
                period,
            },
            terms,
            Sense::Eq,
            0.0,
        );
        self.fill_order_rows(&seg, |segment, kind| match kind {
            Kind::Upper => Row::CurveUpper {
                country,
                layer,
                period,
                segment,
            },
            Kind::Full => Row::CurveFull {
                country,
                layer,
                period,
                segment,
            },
            Kind::Order => Row::CurveOrder {
                country,
                layer,
                period,
                segment,
            },
        });
    }

    /// 11.2 rows of a learning curve in period t (13.6): the fills equal cumulative output, in
    /// fill order.
    pub(super) fn learning_rows(&mut self, cap: &Capability, t: Period) {
        if cap.learning.is_none() {
            return;
        }
        let (country, layer, period) = (cap.country, cap.layer, t);
        let seg = self.segments(cap, t, true);
        let mut terms: Vec<(usize, f64)> = seg.cols.iter().map(|&j| (j, 1.0)).collect();
        for t2 in 1..=t {
            if let Some(p) = self.col(Var::Produce {
                country,
                layer,
                period: t2,
            }) {
                terms.push((p, -1.0));
            }
        }
        self.add_row(
            Row::FillSplit {
                country,
                layer,
                period,
            },
            terms,
            Sense::Eq,
            0.0,
        );
        self.fill_order_rows(&seg, |segment, kind| match kind {
            Kind::Upper => Row::FillUpper {
                country,
                layer,
                period,
                segment,
            },
            Kind::Full => Row::FillFull {
                country,
                layer,
                period,
                segment,
            },
            Kind::Order => Row::FillOrder {
                country,
                layer,
                period,
                segment,
            },
        });
    }

    /// The fill-order rows of 13.6 on one segmented family, in this order: upper rows
    /// (j >= 2), full rows (j < J), order rows (both binaries).
    fn fill_order_rows(&mut self, seg: &Segments, row: impl Fn(usize, Kind) -> Row) {
        let n = seg.cols.len();
        for j in 1..n {
            if let Some(w) = seg.on[j] {
                let terms = vec![(seg.cols[j], 1.0), (w, -seg.widths[j])];
                self.add_row(row(j, Kind::Upper), terms, Sense::Le, 0.0);
            }
        }
        for j in 0..n.saturating_sub(1) {
            if let Some(w) = seg.on[j + 1] {
                let terms = vec![(seg.cols[j], 1.0), (w, -seg.widths[j])];
                self.add_row(row(j, Kind::Full), terms, Sense::Ge, 0.0);
            }
        }
        for j in 2..n {
            if let (Some(w), Some(w_prev)) = (seg.on[j], seg.on[j - 1]) {
                let terms = vec![(w, 1.0), (w_prev, -1.0)];
                self.add_row(row(j, Kind::Order), terms, Sense::Le, 0.0);
            }
        }
    }
}

/// Which fill-order row.
#[derive(Clone, Copy)]
enum Kind {
    Upper,
    Full,
    Order,
}

/// Values with every segment binary whose segment carries no output set to 0, with all later
/// ones of the same family (MODEL.md 13.6), so that restricted prices at an exact breakpoint do
/// not depend on the solver's choice. A segment carries output when its value exceeds
/// [`CARRIES`] (absolute).
pub(super) fn normalise_segment_binaries(program: &Program, values: &[f64]) -> Vec<f64> {
    let mut out = values.to_vec();
    for (j, col) in program.columns.iter().enumerate() {
        let (country, layer, period, segment, fill) = match col.var {
            Var::SegmentOn {
                country,
                layer,
                period,
                segment,
            } => (country, layer, period, segment, false),
            Var::FillOn {
                country,
                layer,
                period,
                segment,
            } => (country, layer, period, segment, true),
            _ => continue,
        };
        let carries = |k: usize| {
            let v = if fill {
                Var::Fill {
                    country,
                    layer,
                    period,
                    segment: k,
                }
            } else {
                Var::Segment {
                    country,
                    layer,
                    period,
                    segment: k,
                }
            };
            // The segment of the binary's own outcome (a second-stage binary's segments are
            // second stage too; before τ both are first stage).
            program
                .column_in(&v, col.outcome)
                .is_some_and(|c| values[c] > CARRIES)
        };
        if !(1..=segment).all(carries) {
            out[j] = 0.0;
        }
    }
    out
}

/// Output on a segment at or below this carries none (13.6 normalisation).
const CARRIES: f64 = 1e-9;
