//! Typed keys for columns and rows, so every value and every dual is attached to what it
//! prices without parsing names, and the fast hasher of the maps keyed by them.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::scenario::{AgreementId, CountryId, LayerId, Period, Scenario};

/// A column of the program (MODEL.md section 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Var {
    /// x[c,l,t,b]: final demand served from block b.
    Serve {
        country: CountryId,
        layer: LayerId,
        period: Period,
        block: usize,
    },
    /// p[c,l,t]: production.
    Produce {
        country: CountryId,
        layer: LayerId,
        period: Period,
    },
    /// f[e,i,l,t]: flow from e to i.
    Flow {
        from: CountryId,
        to: CountryId,
        layer: LayerId,
        period: Period,
    },
    /// z[c,l,t]: capacity built in t.
    Build {
        country: CountryId,
        layer: LayerId,
        period: Period,
    },
    /// y[c,l,t]: operating (binary).
    Operate {
        country: CountryId,
        layer: LayerId,
        period: Period,
    },
    /// n[c,l,t]: entry in t.
    Enter {
        country: CountryId,
        layer: LayerId,
        period: Period,
    },
    /// nd[c,l,t]: entry that earns the adjacency discount.
    EnterDiscounted {
        country: CountryId,
        layer: LayerId,
        period: Period,
    },
    /// r[e,i,l,t]: standby capacity of e reserved for i.
    Reserve {
        from: CountryId,
        to: CountryId,
        layer: LayerId,
        period: Period,
    },
    /// p_j[c,l,t]: output on segment j (0-based) of a cost curve (MODEL.md 11.1).
    Segment {
        country: CountryId,
        layer: LayerId,
        period: Period,
        segment: usize,
    },
    /// w_j[c,l,t]: segment j (0-based, j >= 1) of a cost curve is in use (binary, 13.6).
    SegmentOn {
        country: CountryId,
        layer: LayerId,
        period: Period,
        segment: usize,
    },
    /// e_{t,j}[c,l]: fill of segment j (0-based) of a learning curve at the end of t (11.2).
    Fill {
        country: CountryId,
        layer: LayerId,
        period: Period,
        segment: usize,
    },
    /// Segment j (0-based, j >= 1) of a learning curve is in use at the end of t (binary).
    FillOn {
        country: CountryId,
        layer: LayerId,
        period: Period,
        segment: usize,
    },
    /// short[i,l,t]: shortfall of a soft domestic floor (MODEL.md 5.8).
    Shortfall {
        country: CountryId,
        layer: LayerId,
        period: Period,
    },
    /// η: the value-at-risk level of CVaR_α, first stage, free (MODEL.md 10).
    CvarLevel,
    /// v_s >= η - W_s: welfare shortfall below η of the column's outcome (MODEL.md 10).
    CvarExcess,
}

/// A row of the program (MODEL.md sections 5 and 6) plus the rows analyses add.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Row {
    /// 5.1 use - supply <= extra delivery; dual = discounted price Λ.
    Balance {
        country: CountryId,
        layer: LayerId,
        period: Period,
    },
    /// 5.2 exports - production <= 0; dual = discounted export rent Θ.
    Origin {
        country: CountryId,
        layer: LayerId,
        period: Period,
    },
    /// 5.3 production + standby - usable new capacity <= K0; dual = capacity rent.
    Capacity {
        country: CountryId,
        layer: LayerId,
        period: Period,
    },
    /// 5.4 total expansion <= X.
    Expansion { country: CountryId, layer: LayerId },
    /// 5.5 p + r <= (K0 + X) y.
    OperateUpper {
        country: CountryId,
        layer: LayerId,
        period: Period,
    },
    /// 5.5 p + r >= s y.
    MinScale {
        country: CountryId,
        layer: LayerId,
        period: Period,
    },
    /// 5.5 n[t] >= y[t] - y[t-1].
    Entry {
        country: CountryId,
        layer: LayerId,
        period: Period,
    },
    /// 5.5 nd <= n.
    DiscountEntry {
        country: CountryId,
        layer: LayerId,
        period: Period,
    },
    /// 5.5 nd <= sum of adjacent capabilities held in t-1.
    DiscountAdjacency {
        country: CountryId,
        layer: LayerId,
        period: Period,
    },
    /// 5.6 y[t] <= y[t-1] + sum of adjacent capabilities held in t-1.
    Ladder {
        country: CountryId,
        layer: LayerId,
        period: Period,
    },
    /// 5.7 served demand >= must_serve.
    Essential {
        country: CountryId,
        layer: LayerId,
        period: Period,
    },
    /// 5.8 domestic + trusted supply >= σ U.
    Floor {
        country: CountryId,
        layer: LayerId,
        period: Period,
    },
    /// 5.8 flow from one untrusted supplier <= μ U.
    SupplierShare {
        supplier: CountryId,
        country: CountryId,
        layer: LayerId,
        period: Period,
    },
    /// 5.8 after losing `lost`, remaining supply + standby >= φ U.
    NMinus1 {
        lost: CountryId,
        country: CountryId,
        layer: LayerId,
        period: Period,
    },
    /// 6 no_duplication: members holding the layer <= max_producers.
    NoDuplication {
        agreement: AgreementId,
        clause: usize,
        period: Period,
    },
    /// 6 commit build = true: y >= 1; build = false: y <= 0.
    Commit {
        agreement: AgreementId,
        clause: usize,
        period: Period,
    },
    /// 6 commit build = false: p <= 0.
    CommitOutput {
        agreement: AgreementId,
        clause: usize,
        period: Period,
    },
    /// Analysis: operating status forced (y = value, or p = 0 where no y exists).
    Forced {
        country: CountryId,
        layer: LayerId,
        period: Period,
    },
    /// 11.1 p - sum_j p_j = 0.
    CurveSplit {
        country: CountryId,
        layer: LayerId,
        period: Period,
    },
    /// 11.1 p_j - width_j w_j <= 0 (j >= 2; `segment` 0-based).
    CurveUpper {
        country: CountryId,
        layer: LayerId,
        period: Period,
        segment: usize,
    },
    /// 11.1 p_j - width_j w_{j+1} >= 0 (j < J): segment j is full before j+1 is used.
    CurveFull {
        country: CountryId,
        layer: LayerId,
        period: Period,
        segment: usize,
    },
    /// 11.1 w_{j+1} - w_j <= 0 (both binaries; `segment` = j+1, 0-based).
    CurveOrder {
        country: CountryId,
        layer: LayerId,
        period: Period,
        segment: usize,
    },
    /// 11.2 sum_j e_{t,j} - sum_{t' <= t} p[t'] = 0.
    FillSplit {
        country: CountryId,
        layer: LayerId,
        period: Period,
    },
    /// 11.2 e_{t,j} - width_j w_{t,j} <= 0 (j >= 2).
    FillUpper {
        country: CountryId,
        layer: LayerId,
        period: Period,
        segment: usize,
    },
    /// 11.2 e_{t,j} - width_j w_{t,j+1} >= 0 (j < J).
    FillFull {
        country: CountryId,
        layer: LayerId,
        period: Period,
        segment: usize,
    },
    /// 11.2 w_{t,j+1} - w_{t,j} <= 0 (both binaries).
    FillOrder {
        country: CountryId,
        layer: LayerId,
        period: Period,
        segment: usize,
    },
    /// 10 η - W_s - v_s <= 0 of the row's outcome; its dual is y_s in q_s = (1-ω) P_s + y_s.
    Cvar,
    /// Analysis (section 8, alternatives): W >= floor, the near-optimal set.
    NearOptimal,
}

/// Sense of a row as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sense {
    Le,
    Ge,
    Eq,
}

/// A set of rows that a policy analyst would recognise as one commitment: the unit that the
/// infeasibility diagnosis drops and names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Group {
    /// Balance, origin and entry bookkeeping: never dropped.
    Core,
    Capacity {
        country: CountryId,
        layer: LayerId,
    },
    MinScale {
        country: CountryId,
        layer: LayerId,
    },
    Ladder {
        country: CountryId,
        layer: LayerId,
    },
    Essential {
        country: CountryId,
        layer: LayerId,
    },
    Security {
        country: CountryId,
        layer: LayerId,
    },
    Clause {
        agreement: AgreementId,
        clause: usize,
    },
    /// `trade.block` entry (by index): dropping it allows the blocked flows.
    TradeBlock {
        index: usize,
    },
    Forced {
        country: CountryId,
        layer: LayerId,
    },
}

impl Row {
    /// The constraint group the row belongs to.
    pub fn group(&self) -> Group {
        use Row::*;
        match *self {
            Balance { .. }
            | Origin { .. }
            | Entry { .. }
            | DiscountEntry { .. }
            | DiscountAdjacency { .. }
            | OperateUpper { .. }
            | Cvar
            | NearOptimal => Group::Core,
            Capacity { country, layer, .. } | Expansion { country, layer } => {
                Group::Capacity { country, layer }
            }
            MinScale { country, layer, .. } => Group::MinScale { country, layer },
            Ladder { country, layer, .. } => Group::Ladder { country, layer },
            Essential { country, layer, .. } => Group::Essential { country, layer },
            Floor { country, layer, .. }
            | SupplierShare { country, layer, .. }
            | NMinus1 { country, layer, .. } => Group::Security { country, layer },
            NoDuplication {
                agreement, clause, ..
            }
            | Commit {
                agreement, clause, ..
            }
            | CommitOutput {
                agreement, clause, ..
            } => Group::Clause { agreement, clause },
            Forced { country, layer, .. } => Group::Forced { country, layer },
            // Output limits of the curves (last up_to, E_max) are capacity limits (13.6, 13.15).
            CurveSplit { country, layer, .. }
            | CurveUpper { country, layer, .. }
            | CurveFull { country, layer, .. }
            | CurveOrder { country, layer, .. }
            | FillSplit { country, layer, .. }
            | FillUpper { country, layer, .. }
            | FillFull { country, layer, .. }
            | FillOrder { country, layer, .. } => Group::Capacity { country, layer },
        }
    }

    /// Period of the row, if it has one.
    pub fn period(&self) -> Option<Period> {
        use Row::*;
        match *self {
            Expansion { .. } | Cvar | NearOptimal => None,
            Balance { period, .. }
            | Origin { period, .. }
            | Capacity { period, .. }
            | OperateUpper { period, .. }
            | MinScale { period, .. }
            | Entry { period, .. }
            | DiscountEntry { period, .. }
            | DiscountAdjacency { period, .. }
            | Ladder { period, .. }
            | Essential { period, .. }
            | Floor { period, .. }
            | SupplierShare { period, .. }
            | NMinus1 { period, .. }
            | NoDuplication { period, .. }
            | Commit { period, .. }
            | CommitOutput { period, .. }
            | Forced { period, .. }
            | CurveSplit { period, .. }
            | CurveUpper { period, .. }
            | CurveFull { period, .. }
            | CurveOrder { period, .. }
            | FillSplit { period, .. }
            | FillUpper { period, .. }
            | FillFull { period, .. }
            | FillOrder { period, .. } => Some(period),
        }
    }

    /// Readable row name for LP/MPS export and messages, e.g. `bal_KOR_fab_1`.
    pub fn name(&self, s: &Scenario) -> String {
        use Row::*;
        let c = |i: CountryId| s.countries[i].id.as_str();
        let l = |i: LayerId| s.layers[i].id.as_str();
        let a = |i: AgreementId| s.agreements[i].id.as_str();
        match *self {
            Balance {
                country,
                layer,
                period,
            } => format!("bal_{}_{}_{}", c(country), l(layer), period),
            Origin {
                country,
                layer,
                period,
            } => format!("orig_{}_{}_{}", c(country), l(layer), period),
            Capacity {
                country,
                layer,
                period,
            } => format!("cap_{}_{}_{}", c(country), l(layer), period),
            Expansion { country, layer } => format!("exp_{}_{}", c(country), l(layer)),
            OperateUpper {
                country,
                layer,
                period,
            } => format!("opup_{}_{}_{}", c(country), l(layer), period),
            MinScale {
                country,
                layer,
                period,
            } => format!("minsc_{}_{}_{}", c(country), l(layer), period),
            Entry {
                country,
                layer,
                period,
            } => format!("entry_{}_{}_{}", c(country), l(layer), period),
            DiscountEntry {
                country,
                layer,
                period,
            } => format!("dent_{}_{}_{}", c(country), l(layer), period),
            DiscountAdjacency {
                country,
                layer,
                period,
            } => format!("dadj_{}_{}_{}", c(country), l(layer), period),
            Ladder {
                country,
                layer,
                period,
            } => format!("ladder_{}_{}_{}", c(country), l(layer), period),
            Essential {
                country,
                layer,
                period,
            } => format!("ess_{}_{}_{}", c(country), l(layer), period),
            Floor {
                country,
                layer,
                period,
            } => format!("floor_{}_{}_{}", c(country), l(layer), period),
            SupplierShare {
                supplier,
                country,
                layer,
                period,
            } => {
                format!(
                    "share_{}_{}_{}_{}",
                    c(supplier),
                    c(country),
                    l(layer),
                    period
                )
            }
            NMinus1 {
                lost,
                country,
                layer,
                period,
            } => {
                format!("nm1_{}_{}_{}_{}", c(lost), c(country), l(layer), period)
            }
            NoDuplication {
                agreement,
                clause,
                period,
            } => format!("nodup_{}_{}_{}", a(agreement), clause + 1, period),
            Commit {
                agreement,
                clause,
                period,
            } => format!("commit_{}_{}_{}", a(agreement), clause + 1, period),
            CommitOutput {
                agreement,
                clause,
                period,
            } => format!("commitp_{}_{}_{}", a(agreement), clause + 1, period),
            Forced {
                country,
                layer,
                period,
            } => format!("forced_{}_{}_{}", c(country), l(layer), period),
            CurveSplit {
                country,
                layer,
                period,
            } => format!("curve_{}_{}_{}", c(country), l(layer), period),
            CurveUpper {
                country,
                layer,
                period,
                segment,
            } => format!(
                "curveup_{}_{}_{}_{}",
                c(country),
                l(layer),
                period,
                segment + 1
            ),
            CurveFull {
                country,
                layer,
                period,
                segment,
            } => format!(
                "curvefull_{}_{}_{}_{}",
                c(country),
                l(layer),
                period,
                segment + 1
            ),
            CurveOrder {
                country,
                layer,
                period,
                segment,
            } => format!(
                "curveord_{}_{}_{}_{}",
                c(country),
                l(layer),
                period,
                segment + 1
            ),
            FillSplit {
                country,
                layer,
                period,
            } => format!("learn_{}_{}_{}", c(country), l(layer), period),
            FillUpper {
                country,
                layer,
                period,
                segment,
            } => format!(
                "learnup_{}_{}_{}_{}",
                c(country),
                l(layer),
                period,
                segment + 1
            ),
            FillFull {
                country,
                layer,
                period,
                segment,
            } => format!(
                "learnfull_{}_{}_{}_{}",
                c(country),
                l(layer),
                period,
                segment + 1
            ),
            FillOrder {
                country,
                layer,
                period,
                segment,
            } => format!(
                "learnord_{}_{}_{}_{}",
                c(country),
                l(layer),
                period,
                segment + 1
            ),
            Cvar => "cvar".to_string(),
            NearOptimal => "near_optimal".to_string(),
        }
    }
}

impl Var {
    /// Readable column name for LP/MPS export, e.g. `f_KOR_IND_fab_1`.
    pub fn name(&self, s: &Scenario) -> String {
        use Var::*;
        let c = |i: CountryId| s.countries[i].id.as_str();
        let l = |i: LayerId| s.layers[i].id.as_str();
        match *self {
            Serve {
                country,
                layer,
                period,
                block,
            } => {
                format!("x_{}_{}_{}_{}", c(country), l(layer), period, block + 1)
            }
            Produce {
                country,
                layer,
                period,
            } => format!("p_{}_{}_{}", c(country), l(layer), period),
            Flow {
                from,
                to,
                layer,
                period,
            } => format!("f_{}_{}_{}_{}", c(from), c(to), l(layer), period),
            Build {
                country,
                layer,
                period,
            } => format!("z_{}_{}_{}", c(country), l(layer), period),
            Operate {
                country,
                layer,
                period,
            } => format!("y_{}_{}_{}", c(country), l(layer), period),
            Enter {
                country,
                layer,
                period,
            } => format!("n_{}_{}_{}", c(country), l(layer), period),
            EnterDiscounted {
                country,
                layer,
                period,
            } => format!("nd_{}_{}_{}", c(country), l(layer), period),
            Reserve {
                from,
                to,
                layer,
                period,
            } => format!("r_{}_{}_{}_{}", c(from), c(to), l(layer), period),
            Segment {
                country,
                layer,
                period,
                segment,
            } => format!(
                "pseg_{}_{}_{}_{}",
                c(country),
                l(layer),
                period,
                segment + 1
            ),
            SegmentOn {
                country,
                layer,
                period,
                segment,
            } => format!(
                "wseg_{}_{}_{}_{}",
                c(country),
                l(layer),
                period,
                segment + 1
            ),
            Fill {
                country,
                layer,
                period,
                segment,
            } => format!(
                "fill_{}_{}_{}_{}",
                c(country),
                l(layer),
                period,
                segment + 1
            ),
            FillOn {
                country,
                layer,
                period,
                segment,
            } => format!(
                "wfill_{}_{}_{}_{}",
                c(country),
                l(layer),
                period,
                segment + 1
            ),
            Shortfall {
                country,
                layer,
                period,
            } => format!("short_{}_{}_{}", c(country), l(layer), period),
            CvarLevel => "eta".to_string(),
            CvarExcess => "cvar_excess".to_string(),
        }
    }
}

/// A fast, deterministic hasher for the program's key maps (the multiply-rotate hash of
/// rustc's `FxHasher`). Keys are small `Copy` enums of indices written by the builder, not
/// untrusted input, so SipHash's collision resistance buys nothing and costs a third of the
/// build time at world scale.
#[derive(Debug, Clone, Copy, Default)]
pub struct KeyHasher(u64);

impl KeyHasher {
    #[inline]
    fn add(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for KeyHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(b));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(i as u64);
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(i as u64);
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    #[inline]
    fn write_isize(&mut self, i: isize) {
        self.add(i as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

/// A hash map keyed by program keys ([`Var`], [`Row`], index tuples).
pub type KeyMap<K, V> = HashMap<K, V, BuildHasherDefault<KeyHasher>>;
