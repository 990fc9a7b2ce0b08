//! Agreement effects that change costs and flows rather than adding rows (MODEL.md section 6):
//! mutual recognition, trusted supply, trade-cost factors, the effective trade cost τ and the
//! entry discount d_eff raised by upgrade routes.

use super::BuildOptions;
use crate::scenario::{AgreementId, Clause, CountryId, LayerId, Scenario};

/// The agreement effects in force under one activation: who recognises, trusts and discounts
/// whom (MODEL.md section 6).
pub struct Effects<'a> {
    s: &'a Scenario,
    active: Vec<bool>,
    member: Vec<Vec<bool>>,
}

impl<'a> Effects<'a> {
    pub fn new(s: &'a Scenario, opts: &BuildOptions) -> Effects<'a> {
        let active = (0..s.agreements.len())
            .map(|a| opts.is_active(a, s))
            .collect();
        let member = s
            .agreements
            .iter()
            .map(|a| {
                let mut m = vec![false; s.countries.len()];
                for &c in &a.members {
                    m[c] = true;
                }
                m
            })
            .collect();
        Effects { s, active, member }
    }

    /// Active clauses binding both e and i.
    fn between(
        &self,
        e: CountryId,
        i: CountryId,
    ) -> impl Iterator<Item = (AgreementId, &'a Clause)> + '_ {
        self.s
            .agreements
            .iter()
            .enumerate()
            .filter(move |(a, _)| self.active[*a] && self.member[*a][e] && self.member[*a][i])
            .flat_map(|(a, ag)| ag.clauses.iter().map(move |c| (a, c)))
    }

    pub fn is_active(&self, a: AgreementId) -> bool {
        self.active[a]
    }

    pub fn mutual_recognition(&self, e: CountryId, i: CountryId, l: LayerId) -> bool {
        self.between(e, i)
            .any(|(_, c)| matches!(c, Clause::MutualRecognition { layers } if layers.contains(&l)))
    }

    pub fn trusted(&self, e: CountryId, i: CountryId, l: LayerId) -> bool {
        self.between(e, i)
            .any(|(_, c)| matches!(c, Clause::TrustedSupply { layers } if layers.contains(&l)))
    }

    /// Lowest active trade-cost factor between e and i on l (1 if none).
    pub fn factor(&self, e: CountryId, i: CountryId, l: LayerId) -> f64 {
        self.between(e, i)
            .filter_map(|(_, c)| match c {
                Clause::TradeCostFactor { layers, factor } if layers.contains(&l) => Some(*factor),
                _ => None,
            })
            .fold(1.0, f64::min)
    }

    /// Effective trade cost τ[e,i,l] = base * factor + interop (MODEL.md section 6).
    pub fn trade_cost(&self, e: CountryId, i: CountryId, l: LayerId) -> f64 {
        let s = self.s;
        let mut pair_all = None;
        let mut pair_layer = None;
        for tc in &s.trade.costs {
            if tc.from == e && tc.to == i {
                match tc.layer {
                    Some(k) if k == l => pair_layer = Some(tc.cost),
                    None => pair_all = Some(tc.cost),
                    _ => {}
                }
            }
        }
        let base = pair_layer
            .or(pair_all)
            .or(s.layers[l].trade_cost)
            .unwrap_or(s.trade.default_cost);
        let interop = if self.mutual_recognition(e, i, l) {
            0.0
        } else {
            s.layers[l].interop_cost
        };
        base * self.factor(e, i, l) + interop
    }

    /// Entry discount d_eff of (c,l): the layer's, raised by active upgrade routes.
    pub fn entry_discount(&self, c: CountryId, l: LayerId) -> f64 {
        let mut d = self.s.layers[l].adjacency_discount;
        for (a, ag) in self.s.agreements.iter().enumerate() {
            if !self.active[a] || !self.member[a][c] {
                continue;
            }
            for cl in &ag.clauses {
                if let Clause::UpgradeRoute {
                    layers,
                    entry_discount,
                } = cl
                {
                    if layers.contains(&l) {
                        d = d.max(*entry_discount);
                    }
                }
            }
        }
        d
    }
}
