//! Scenario: the validated input of the model (MODEL.md section 2).
//!
//! Reading happens in two steps. [`raw`] holds the file exactly as serde reads it (TOML or JSON,
//! chosen by extension); [`validate`] turns it into a [`Scenario`] whose ids are resolved to
//! indices, collecting *every* problem it finds so that a user fixes a file in one pass.
//! Everything downstream (formulation, analyses, reports) works on indices only.

mod curves;
pub mod overrides;
pub mod raw;
mod spectral;
pub mod uncertainty;
mod validate;

use std::collections::HashMap;
use std::path::Path;

pub use uncertainty::{Effect, Outcome, OutcomeId, Uncertainty};
pub(crate) use validate::{did_you_mean, fmt_num};
pub use validate::{Problem, ScenarioError};

/// Index of a country in [`Scenario::countries`].
pub type CountryId = usize;
/// Index of a layer in [`Scenario::layers`].
pub type LayerId = usize;
/// Index of an agreement in [`Scenario::agreements`].
pub type AgreementId = usize;
/// A period, 1-based as in MODEL.md (`1..=meta.periods`).
pub type Period = usize;

/// A validated scenario. Construct it with [`Scenario::from_path`] or [`Scenario::from_str`].
#[derive(Debug, Clone)]
pub struct Scenario {
    pub meta: Meta,
    pub layers: Vec<Layer>,
    pub countries: Vec<Country>,
    pub capabilities: Vec<Capability>,
    pub demands: Vec<Demand>,
    pub security: Vec<SecurityPolicy>,
    pub trade: Trade,
    pub agreements: Vec<Agreement>,
    /// Outcomes with probabilities (MODEL.md section 10); `None` = a deterministic scenario.
    pub uncertainty: Option<Uncertainty>,
    /// (country, layer) -> index into `capabilities`.
    pub capability_index: HashMap<(CountryId, LayerId), usize>,
}

#[derive(Debug, Clone)]
pub struct Meta {
    pub name: String,
    pub description: String,
    pub currency: String,
    /// Number of periods n >= 1.
    pub periods: usize,
    pub discount_rate: f64,
}

#[derive(Debug, Clone)]
pub struct Layer {
    pub id: String,
    pub name: String,
    pub tradable: bool,
    /// `a[k,l]`: units of layer k used per unit of this layer (layer default technology).
    pub inputs: Vec<(LayerId, f64)>,
    /// `m[k,l]`: units of k the importer must use per unit of this layer imported.
    pub import_requires: Vec<(LayerId, f64)>,
    /// Layer trade cost; `None` falls back to `trade.default_cost`.
    pub trade_cost: Option<f64>,
    pub interop_cost: f64,
    /// Layers whose capability makes entry into this one cheaper (directed).
    pub adjacent: Vec<LayerId>,
    /// d_l, already defaulted from `upgrade.adjacency_discount`.
    pub adjacency_discount: f64,
    pub requires_adjacent: bool,
}

#[derive(Debug, Clone)]
pub struct Country {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct Capability {
    pub country: CountryId,
    pub layer: LayerId,
    pub unit_cost: f64,
    pub cost_trend: f64,
    /// This country's technology column `a_c[k,l]`: the capability's own `inputs` if given,
    /// else the layer's.
    pub inputs: Vec<(LayerId, f64)>,
    pub capacity: f64,
    pub max_expansion: f64,
    pub expansion_cost: f64,
    pub lead_time: usize,
    pub entry_cost: f64,
    pub min_scale: f64,
    /// Existing capacity at t is K0 * capacity_trend^(t-1) (MODEL.md 3, 13.1).
    pub capacity_trend: f64,
    /// Periods new capacity stays usable; `None` = beyond the horizon (MODEL.md 3, 13.1).
    pub lifetime: Option<usize>,
    /// Scale economies within a period (MODEL.md 11.1); `None` = constant unit cost.
    pub cost_curve: Option<Vec<CurveSegment>>,
    /// Learning by doing (MODEL.md 11.2).
    pub learning: Option<Learning>,
}

/// One segment of a `cost_curve`: output up to `up_to` (cumulative within the period) costs
/// `unit_cost` per unit beyond the previous segment's `up_to`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CurveSegment {
    pub up_to: f64,
    pub unit_cost: f64,
}

/// A learning curve (MODEL.md 11.2): unit cost u (E/E_0)^(-b), b = -log2(progress_ratio).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Learning {
    pub progress_ratio: f64,
    /// E_0: starting experience (before technology transfer).
    pub experience: f64,
    /// E_max: experience can grow to this much.
    pub max_experience: f64,
    /// J: number of linear segments of the total cost of experience.
    pub segments: usize,
}

#[derive(Debug, Clone, Copy)]
pub struct Block {
    pub quantity: f64,
    pub value: f64,
}

#[derive(Debug, Clone)]
pub struct Demand {
    pub country: CountryId,
    pub layer: LayerId,
    pub blocks: Vec<Block>,
    pub growth: f64,
    pub must_serve: f64,
}

#[derive(Debug, Clone)]
pub struct SecurityPolicy {
    pub country: CountryId,
    pub layer: LayerId,
    pub domestic_floor: Option<f64>,
    pub max_supplier_share: Option<f64>,
    pub n_minus_1: Option<f64>,
    pub reserve_cost: f64,
    /// What the floor, share and N-1 rows measure (MODEL.md 2, 5.8).
    pub basis: Basis,
    /// A soft floor: the floor may be missed at this cost per unit (MODEL.md 2, 13.3).
    pub shortfall_penalty: Option<f64>,
}

/// The basis B of a security policy (MODEL.md 5.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Basis {
    /// Total use U (final demand served, inputs and import requirements).
    #[default]
    Total,
    /// Final demand served in the country.
    Final,
}

#[derive(Debug, Clone, Default)]
pub struct Trade {
    pub default_cost: f64,
    pub costs: Vec<TradeCost>,
    pub blocks: Vec<TradeBlock>,
}

#[derive(Debug, Clone)]
pub struct TradeCost {
    pub from: CountryId,
    pub to: CountryId,
    /// `None` = every layer.
    pub layer: Option<LayerId>,
    pub cost: f64,
}

#[derive(Debug, Clone)]
pub struct TradeBlock {
    pub from: CountryId,
    pub to: CountryId,
    /// `None` = every layer.
    pub layers: Option<Vec<LayerId>>,
}

#[derive(Debug, Clone)]
pub struct Agreement {
    pub id: String,
    pub name: String,
    pub members: Vec<CountryId>,
    pub active: bool,
    pub clauses: Vec<Clause>,
}

/// An agreement clause (MODEL.md section 6). Clauses act only while their agreement is active
/// and only between members.
#[derive(Debug, Clone, PartialEq)]
pub enum Clause {
    MutualRecognition {
        layers: Vec<LayerId>,
    },
    TrustedSupply {
        layers: Vec<LayerId>,
    },
    TradeCostFactor {
        layers: Vec<LayerId>,
        factor: f64,
    },
    NoDuplication {
        layer: LayerId,
        max_producers: usize,
    },
    Commit {
        country: CountryId,
        layer: LayerId,
        build: bool,
        from_period: Period,
    },
    UpgradeRoute {
        layers: Vec<LayerId>,
        entry_discount: f64,
    },
    /// Members' starting experience raised by `share` times the others' (MODEL.md 6, 13.5).
    TechnologyTransfer {
        layers: Vec<LayerId>,
        share: f64,
    },
}

impl Clause {
    /// The clause kind as written in scenario files.
    pub fn kind(&self) -> &'static str {
        match self {
            Clause::MutualRecognition { .. } => "mutual_recognition",
            Clause::TrustedSupply { .. } => "trusted_supply",
            Clause::TradeCostFactor { .. } => "trade_cost_factor",
            Clause::NoDuplication { .. } => "no_duplication",
            Clause::Commit { .. } => "commit",
            Clause::UpgradeRoute { .. } => "upgrade_route",
            Clause::TechnologyTransfer { .. } => "technology_transfer",
        }
    }

    /// Countries a clause names explicitly (beyond the agreement's members).
    pub fn named_countries(&self) -> Vec<CountryId> {
        match self {
            Clause::Commit { country, .. } => vec![*country],
            _ => Vec::new(),
        }
    }
}

/// Input format, chosen from the file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Toml,
    Json,
}

impl Scenario {
    /// Read and validate a scenario file (`.toml` or `.json`).
    pub fn from_path(path: impl AsRef<Path>) -> Result<Scenario, ScenarioError> {
        let path = path.as_ref();
        let file = path.display().to_string();
        let format = match path.extension().and_then(|e| e.to_str()) {
            Some("toml") => Format::Toml,
            Some("json") => Format::Json,
            other => {
                return Err(ScenarioError::UnknownFormat {
                    file,
                    extension: other.unwrap_or("").to_string(),
                })
            }
        };
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Io {
            file: file.clone(),
            source,
        })?;
        Scenario::from_str(&text, format, &file)
    }

    /// Parse and validate scenario text; `file` is used in messages only.
    pub fn from_str(text: &str, format: Format, file: &str) -> Result<Scenario, ScenarioError> {
        let raw = raw::RawScenario::parse(text, format, file)?;
        validate::validate(raw, file)
    }

    pub fn n_periods(&self) -> usize {
        self.meta.periods
    }

    /// Discount factor δ_t = (1 + r)^-(t-1).
    pub fn discount(&self, t: Period) -> f64 {
        (1.0 + self.meta.discount_rate).powi(-(t as i32 - 1))
    }

    /// The same scenario with the capability (c, l) deleted: what "leaving" a layer means
    /// (MODEL.md 8, 13.14): no output, no standby, and has[c,l,t] = 0 in every period,
    /// including t = 0 (no adjacency conferred, no place under a no-duplication cap).
    pub fn without_capability(&self, c: CountryId, l: LayerId) -> Scenario {
        let mut s = self.clone();
        s.capabilities
            .retain(|cap| !(cap.country == c && cap.layer == l));
        s.capability_index = s
            .capabilities
            .iter()
            .enumerate()
            .map(|(i, cap)| ((cap.country, cap.layer), i))
            .collect();
        s
    }

    pub fn capability(&self, c: CountryId, l: LayerId) -> Option<&Capability> {
        self.capability_index
            .get(&(c, l))
            .map(|&i| &self.capabilities[i])
    }

    pub fn country_index(&self, id: &str) -> Option<CountryId> {
        self.countries.iter().position(|c| c.id == id)
    }

    pub fn layer_index(&self, id: &str) -> Option<LayerId> {
        self.layers.iter().position(|l| l.id == id)
    }

    pub fn agreement_index(&self, id: &str) -> Option<AgreementId> {
        self.agreements.iter().position(|a| a.id == id)
    }

    /// Technology coefficient a_c[k,l]: units of k used per unit of l produced in c.
    pub fn input_coefficients(&self, c: CountryId, l: LayerId) -> &[(LayerId, f64)] {
        match self.capability(c, l) {
            Some(cap) => &cap.inputs,
            None => &self.layers[l].inputs,
        }
    }
}
