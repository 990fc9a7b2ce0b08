//! Verdicts that say whether they hold whatever optimal prices are reported (MODEL.md 12):
//! "for every optimal price", "for no optimal price", or "depends on prices" with the range.

use serde::Serialize;

use crate::results::ranges::Range;

/// How a verdict relates to the optimal dual face.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Robustness {
    /// Holds at every optimal price.
    EveryPrice,
    /// Holds at no optimal price.
    NoPrice,
    /// Holds at some optimal prices and not at others.
    DependsOnPrices,
    /// Not established over the face (`--prices any`: only the reported prices were used).
    ReportedPricesOnly,
}

/// A yes/no finding with its standing over the optimal dual face.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    /// At the reported (canonical) prices.
    pub holds: bool,
    pub robustness: Robustness,
    /// True when the answer changes with the choice of optimal prices.
    pub price_dependent: bool,
    /// The range of the quantity that decides it, where there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub range: Option<Range>,
}

impl Verdict {
    /// A verdict that does not depend on prices at all.
    pub fn fact(holds: bool) -> Verdict {
        Verdict {
            holds,
            robustness: if holds {
                Robustness::EveryPrice
            } else {
                Robustness::NoPrice
            },
            price_dependent: false,
            range: None,
        }
    }

    /// "quantity >= -tol", judged at the reported value and over its range (None: no range).
    pub fn at_least(value: f64, range: Option<Range>, tol: f64) -> Verdict {
        let holds = value >= -tol;
        match range {
            None => Verdict {
                holds,
                robustness: Robustness::ReportedPricesOnly,
                price_dependent: false,
                range: None,
            },
            Some(r) => {
                let robustness = if r.min >= -tol {
                    Robustness::EveryPrice
                } else if r.max < -tol {
                    Robustness::NoPrice
                } else {
                    Robustness::DependsOnPrices
                };
                Verdict {
                    holds,
                    robustness,
                    price_dependent: robustness == Robustness::DependsOnPrices,
                    range: Some(r),
                }
            }
        }
    }

    /// The words printed after a verdict: "for every optimal price", ...
    pub fn qualifier(&self) -> String {
        match self.robustness {
            Robustness::EveryPrice => "for every optimal price".into(),
            Robustness::NoPrice => "for no optimal price".into(),
            Robustness::DependsOnPrices => match self.range {
                Some(r) => format!("depends on prices: range [{:.4}, {:.4}]", r.min, r.max),
                None => "depends on prices".into(),
            },
            Robustness::ReportedPricesOnly => "at the reported prices (--prices any)".into(),
        }
    }
}
