//! Outcomes with probabilities and their effects (MODEL.md section 10, readings 13.7-13.8): the
//! validated `[uncertainty]` table of a scenario.

use super::{CountryId, LayerId, Period};

/// Index of an outcome in [`Uncertainty::outcomes`] (the nominal outcome, where it exists, is 0).
pub type OutcomeId = usize;

/// Id of the outcome that holds the probability the file leaves over (MODEL.md 13.7).
pub const NOMINAL: &str = "nominal";

/// Below this, 1 - Σ P_s is round-off and no nominal outcome is added (MODEL.md 13.7).
pub const NOMINAL_THRESHOLD: f64 = 1e-9;

/// The validated `[uncertainty]` table.
#[derive(Debug, Clone, PartialEq)]
pub struct Uncertainty {
    /// τ: the outcome is known, and hits, from this period on (1..=n).
    pub reveal_period: Period,
    /// ω in [0, 1]: weight of CVaR_α in the objective.
    pub risk_weight: f64,
    /// α in (0, 1]: CVaR is the mean welfare of the worst α of probability.
    pub tail: f64,
    /// Every outcome, the nominal one first where it exists; probabilities sum to 1.
    pub outcomes: Vec<Outcome>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub id: String,
    pub name: String,
    pub probability: f64,
    pub effects: Vec<Effect>,
}

/// What an outcome changes from τ on (MODEL.md 10, 13.8).
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Usable capacity K of (c,l) in the capacity row times `factor`.
    Capacity {
        country: CountryId,
        layer: LayerId,
        factor: f64,
    },
    /// Every block's quantity of the demand (c,l) times `factor` (not must_serve).
    Demand {
        country: CountryId,
        layer: LayerId,
        factor: f64,
    },
    /// Unit cost, curve costs u_j and learning slopes of (c,l) times `factor`.
    Cost {
        country: CountryId,
        layer: LayerId,
        factor: f64,
    },
    /// Flows from `from` (to `to`, or to everyone) of `layers` (or every layer) removed.
    Block {
        from: CountryId,
        to: Option<CountryId>,
        layers: Option<Vec<LayerId>>,
    },
}

impl Effect {
    pub fn kind(&self) -> &'static str {
        match self {
            Effect::Capacity { .. } => "capacity",
            Effect::Demand { .. } => "demand",
            Effect::Cost { .. } => "cost",
            Effect::Block { .. } => "block",
        }
    }
}

/// Effect kinds with their required and optional fields.
pub(crate) const EFFECT_KINDS: &[(&str, &[&str], &[&str])] = &[
    ("capacity", &["country", "layer", "factor"], &[]),
    ("demand", &["country", "layer", "factor"], &[]),
    ("cost", &["country", "layer", "factor"], &[]),
    ("block", &["from"], &["to", "layers"]),
];

impl Outcome {
    fn factor(&self, kind: &str, c: CountryId, l: LayerId) -> f64 {
        self.effects
            .iter()
            .find_map(|e| match *e {
                Effect::Capacity {
                    country,
                    layer,
                    factor,
                }
                | Effect::Demand {
                    country,
                    layer,
                    factor,
                }
                | Effect::Cost {
                    country,
                    layer,
                    factor,
                } if e.kind() == kind && country == c && layer == l => Some(factor),
                _ => None,
            })
            .unwrap_or(1.0)
    }

    /// Factor on the usable capacity of (c,l) (1 without an effect).
    pub fn capacity_factor(&self, c: CountryId, l: LayerId) -> f64 {
        self.factor("capacity", c, l)
    }

    /// Factor on the block quantities of the demand (c,l).
    pub fn demand_factor(&self, c: CountryId, l: LayerId) -> f64 {
        self.factor("demand", c, l)
    }

    /// Factor on the unit costs of (c,l).
    pub fn cost_factor(&self, c: CountryId, l: LayerId) -> f64 {
        self.factor("cost", c, l)
    }

    /// Is the flow e -> i of l removed in this outcome?
    pub fn blocks(&self, e: CountryId, i: CountryId, l: LayerId) -> bool {
        self.effects.iter().any(|x| match x {
            Effect::Block { from, to, layers } => {
                *from == e
                    && to.is_none_or(|to| to == i)
                    && layers.as_ref().is_none_or(|ls| ls.contains(&l))
            }
            _ => false,
        })
    }
}

impl Uncertainty {
    /// The same table with only outcome `s`, at probability 1 (EVPI, MODEL.md 13.11).
    pub fn only(&self, s: OutcomeId) -> Uncertainty {
        let mut o = self.outcomes[s].clone();
        o.probability = 1.0;
        Uncertainty {
            outcomes: vec![o],
            ..self.clone()
        }
    }
}
