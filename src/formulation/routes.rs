//! Routes: which flows f[e,i,l,t] exist (MODEL.md section 3, f: allowed pairs) and what they
//! cost (section 6, the effective trade cost τ[e,i,l] of the objective, section 4).

use super::{Builder, Group, KeyMap};
use crate::scenario::{CountryId, LayerId, Scenario};

/// An allowed route and its effective trade cost: (layer, exporter, importer, τ).
pub(super) type Route = (LayerId, CountryId, CountryId, f64);

/// Pair overrides of the trade cost of one route (e, i): the all-layer cost and the
/// layer-specific ones, in file order (the last entry for the same key wins, as in
/// [`Effects::trade_cost`](super::Effects::trade_cost)).
#[derive(Debug, Default)]
struct PairCost {
    all: Option<f64>,
    by_layer: Vec<(LayerId, f64)>,
}

fn pair_costs(s: &Scenario) -> KeyMap<(CountryId, CountryId), PairCost> {
    let mut pairs: KeyMap<(CountryId, CountryId), PairCost> = KeyMap::default();
    for tc in &s.trade.costs {
        let pc = pairs.entry((tc.from, tc.to)).or_default();
        match tc.layer {
            Some(k) => pc.by_layer.push((k, tc.cost)),
            None => pc.all = Some(tc.cost),
        }
    }
    pairs
}

impl Builder<'_> {
    /// Allowed flows and their effective trade cost. They do not depend on the period: computed
    /// once, in the order the flow columns are written (layer, exporter, importer).
    pub(super) fn routes(&self) -> Vec<Route> {
        let s = self.s;
        let nc = s.countries.len();
        let blocked = self.blocked_routes();
        let pairs = pair_costs(s);
        let mut routes: Vec<Route> = Vec::new();
        for l in 0..s.layers.len() {
            for e in 0..nc {
                if s.capability(e, l).is_none() {
                    continue;
                }
                for i in 0..nc {
                    if self.flow_allowed(e, i, l, &blocked) {
                        routes.push((l, e, i, self.trade_cost(e, i, l, &pairs)));
                    }
                }
            }
        }
        routes
    }

    /// Is the flow e -> i of l allowed (MODEL.md section 3, f)? `blocked` holds the routes
    /// (e, i) with their `trade.block` entries still in force (see [`Builder::blocked_routes`]).
    pub(super) fn flow_allowed(
        &self,
        e: CountryId,
        i: CountryId,
        l: LayerId,
        blocked: &KeyMap<(CountryId, CountryId), Vec<usize>>,
    ) -> bool {
        let s = self.s;
        if e == i || s.capability(e, l).is_none() {
            return false;
        }
        if self.opts.cut_exports.contains(&(e, l)) {
            return false;
        }
        if !s.layers[l].tradable && !self.fx.mutual_recognition(e, i, l) {
            return false;
        }
        let is_blocked = blocked.get(&(e, i)).is_some_and(|ks| {
            ks.iter().any(|&k| {
                s.trade.blocks[k]
                    .layers
                    .as_ref()
                    .is_none_or(|ls| ls.contains(&l))
            })
        });
        !is_blocked
    }

    /// `trade.block` entries in force (not dropped by the infeasibility diagnosis), by route.
    pub(super) fn blocked_routes(&self) -> KeyMap<(CountryId, CountryId), Vec<usize>> {
        let mut blocked: KeyMap<(CountryId, CountryId), Vec<usize>> = KeyMap::default();
        for (k, b) in self.s.trade.blocks.iter().enumerate() {
            if !self.opts.dropped.contains(&Group::TradeBlock { index: k }) {
                blocked.entry((b.from, b.to)).or_default().push(k);
            }
        }
        blocked
    }

    /// Effective trade cost τ[e,i,l] (MODEL.md section 6, as
    /// [`Effects::trade_cost`](super::Effects::trade_cost)) with the pair overrides looked up in
    /// `pairs` (see [`pair_costs`]).
    fn trade_cost(
        &self,
        e: CountryId,
        i: CountryId,
        l: LayerId,
        pairs: &KeyMap<(CountryId, CountryId), PairCost>,
    ) -> f64 {
        let s = self.s;
        let (pair_all, pair_layer) = match pairs.get(&(e, i)) {
            Some(pc) => (
                pc.all,
                pc.by_layer.iter().rev().find(|x| x.0 == l).map(|x| x.1),
            ),
            None => (None, None),
        };
        let base = pair_layer
            .or(pair_all)
            .or(s.layers[l].trade_cost)
            .unwrap_or(s.trade.default_cost);
        let interop = if self.fx.mutual_recognition(e, i, l) {
            0.0
        } else {
            s.layers[l].interop_cost
        };
        base * self.fx.factor(e, i, l) + interop
    }
}
