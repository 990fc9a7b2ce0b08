//! Generate: a realistic random scenario of any size, for benchmarks, sweeps and property tests.
//!
//! `generate(&GenerateOptions { countries, layers, periods, seed, agreements })` returns the
//! text of a TOML scenario file. The same options give the same text, byte for byte: the only
//! source of randomness is a `ChaCha8Rng` seeded with `seed`, every collection is a `Vec`
//! walked in order, and every number is written with a fixed number of decimals.
//!
//! What the scenario looks like (MODEL.md section 2 names):
//! - **Layers**: the first ten follow the AI stack in dependency order (talent, data, chip
//!   design, fab, memory, packaging, compute, evaluation, models, apps); further layers get 1-3
//!   random inputs among earlier layers. Inputs only point to earlier layers, so every
//!   technology matrix is triangular (nilpotent): productive for every country by construction.
//!   Talent and evaluation are not tradable; models need evaluation capacity in the importing
//!   country (`import_requires`) and climb a capability ladder (`requires_adjacent`).
//! - **Countries**: ISO codes roughly in order of GDP (198 of them; `X199`, `X200`, ... beyond). Size
//!   follows a Zipf law with noise; the technology level falls with rank, with noise.
//! - **Capabilities** follow comparative advantage: a country holds layer l when its technology
//!   level (plus noise) clears the layer's difficulty; talent hours per unit fall with the
//!   technology level while wages rise with it (Ricardian), and unit costs carry idiosyncratic
//!   noise. Capacities are sized from the world's need for each layer (final demand pushed
//!   through the input matrix) shared by producer size, so instances are balanced at any size;
//!   some countries near the frontier are potential entrants (no capacity, expansion with an
//!   entry cost, minimum scale for fab, memory and models).
//! - **Demand**: three blocks per (country, final layer), values a multiple of the layer's
//!   reference cost scaled by willingness to pay; growth is higher in poorer countries.
//! - **Security policies** on strategic layers for high-technology countries (floors,
//!   diversification caps, N-1 on fab and memory), export controls (`trade.block`) from the
//!   technology leaders, pair-specific trade costs, and `K` agreements cycling through a
//!   regional trade bloc, a chip alliance (trusted supply, no duplication), an AI compact
//!   (trusted supply, upgrade route, a commitment to build) and a data union.
//!
//! **Feasibility by construction.** Serving no demand and producing nothing satisfies every row
//! except essential demand and `commit build = true`. Essential demand is put only on data (a
//! layer without inputs) where the country's own capacity covers it in every period, and no
//! clause or block can stop that production; commitments only name capabilities without a
//! minimum scale, outside ladder layers and outside layers with a no-duplication clause, so
//! `y = 1, p = 0` satisfies them.

use std::fmt::Write as _;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Size and seed of a generated scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateOptions {
    pub countries: usize,
    pub layers: usize,
    pub periods: usize,
    pub seed: u64,
    pub agreements: usize,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        GenerateOptions {
            countries: 20,
            layers: 10,
            periods: 3,
            seed: 1,
            agreements: 4,
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum GenerateError {
    #[error("--countries must be at least 2, got {0}")]
    Countries(usize),
    #[error("--layers must be at least 1, got {0}")]
    Layers(usize),
    #[error("--periods must be at least 1, got {0}")]
    Periods(usize),
}

/// ISO 3166 alpha-3 codes, roughly by GDP.
const COUNTRIES: &[&str] = &[
    "USA", "CHN", "DEU", "JPN", "IND", "GBR", "FRA", "ITA", "BRA", "CAN", "RUS", "MEX", "AUS",
    "KOR", "ESP", "IDN", "NLD", "TUR", "SAU", "CHE", "POL", "TWN", "BEL", "SWE", "ARG", "IRL",
    "AUT", "THA", "ISR", "NOR", "ARE", "SGP", "BGD", "VNM", "PHL", "MYS", "DNK", "EGY", "NGA",
    "IRN", "ZAF", "HKG", "COL", "ROU", "CHL", "PAK", "CZE", "FIN", "PER", "IRQ", "PRT", "NZL",
    "KAZ", "GRC", "QAT", "DZA", "HUN", "UKR", "KWT", "MAR", "ETH", "SVK", "DOM", "ECU", "KEN",
    "GTM", "OMN", "AGO", "BGR", "UZB", "LUX", "CRI", "PAN", "HRV", "URY", "LTU", "CIV", "SRB",
    "TZA", "LKA", "SVN", "GHA", "AZE", "BLR", "COD", "TKM", "CMR", "JOR", "UGA", "BOL", "BHR",
    "TUN", "LVA", "PRY", "NPL", "EST", "KHM", "MAC", "SLV", "HND", "CYP", "ZWE", "SEN", "PNG",
    "ISL", "GEO", "ZMB", "BIH", "TTO", "SDN", "ALB", "BEN", "MLT", "MNG", "ARM", "GIN", "BFA",
    "MOZ", "BWA", "JAM", "MLI", "NIC", "LAO", "GAB", "BRN", "MKD", "MDA", "GNQ", "MDG", "MUS",
    "TCD", "NAM", "RWA", "BHS", "KGZ", "NER", "COG", "MWI", "TJK", "XKX", "HTI", "MNE", "MRT",
    "SOM", "BRB", "FJI", "SUR", "TGO", "SLE", "SWZ", "MDV", "GUY", "ERI", "BDI", "LSO", "AND",
    "LBR", "SSD", "BTN", "CPV", "CAF", "BLZ", "DJI", "SYC", "ATG", "LCA", "SMR", "GMB", "GNB",
    "SLB", "COM", "GRD", "VCT", "KNA", "VUT", "WSM", "STP", "DMA", "TON", "FSM", "PLW", "MHL",
    "KIR", "NRU", "TUV", "LBY", "YEM", "SYR", "AFG", "CUB", "VEN", "PRK", "LBN", "MMR", "PSE",
    "MCO", "LIE", "TLS",
];

const REGIONS: &[&str] = &[
    "atlantic",
    "pacific",
    "continental",
    "southern",
    "northern",
    "central",
];

/// A layer of the canonical stack.
struct Spec {
    id: &'static str,
    name: &'static str,
    tradable: bool,
    inputs: &'static [(&'static str, f64)],
    import_requires: &'static [(&'static str, f64)],
    trade_cost: f64,
    interop_cost: f64,
    adjacent: &'static [&'static str],
    requires_adjacent: bool,
    /// Technology level needed to hold the layer (talent: everyone).
    difficulty: f64,
    /// Unit cost at the median country, before inputs.
    base_cost: f64,
    /// Final demand per unit of country size (0: intermediate only).
    demand: f64,
    /// Strategic: security policies apply.
    strategic: bool,
    /// N-1 policies apply (few producers).
    n_minus_1: bool,
    /// Rate of cost change per period, (low, high).
    trend: (f64, f64),
}

const STACK: &[Spec] = &[
    Spec {
        id: "talent",
        name: "Skilled labour (hours)",
        tradable: false,
        inputs: &[],
        import_requires: &[],
        trade_cost: 0.0,
        interop_cost: 0.0,
        adjacent: &[],
        requires_adjacent: false,
        difficulty: -1.0,
        base_cost: 0.6,
        demand: 0.0,
        strategic: false,
        n_minus_1: false,
        trend: (1.0, 1.04),
    },
    Spec {
        id: "data",
        name: "Data and datasets",
        tradable: true,
        inputs: &[],
        import_requires: &[],
        trade_cost: 0.1,
        interop_cost: 0.3,
        adjacent: &[],
        requires_adjacent: false,
        difficulty: 0.15,
        base_cost: 0.5,
        demand: 0.15,
        strategic: false,
        n_minus_1: false,
        trend: (1.0, 1.0),
    },
    Spec {
        id: "design",
        name: "Chip design",
        tradable: true,
        inputs: &[("talent", 0.4)],
        import_requires: &[],
        trade_cost: 0.05,
        interop_cost: 0.0,
        adjacent: &["fab"],
        requires_adjacent: false,
        difficulty: 0.75,
        base_cost: 1.0,
        demand: 0.0,
        strategic: false,
        n_minus_1: false,
        trend: (1.0, 1.0),
    },
    Spec {
        id: "fab",
        name: "Wafer fabrication",
        tradable: true,
        inputs: &[("design", 0.2), ("talent", 0.1)],
        import_requires: &[],
        trade_cost: 0.05,
        interop_cost: 0.0,
        adjacent: &["memory"],
        requires_adjacent: false,
        difficulty: 0.85,
        base_cost: 2.0,
        demand: 0.0,
        strategic: true,
        n_minus_1: true,
        trend: (0.95, 1.0),
    },
    Spec {
        id: "memory",
        name: "Memory",
        tradable: true,
        inputs: &[("talent", 0.1)],
        import_requires: &[],
        trade_cost: 0.05,
        interop_cost: 0.0,
        adjacent: &["fab"],
        requires_adjacent: false,
        difficulty: 0.78,
        base_cost: 1.2,
        demand: 0.0,
        strategic: true,
        n_minus_1: true,
        trend: (0.95, 1.0),
    },
    Spec {
        id: "packaging",
        name: "Advanced packaging",
        tradable: true,
        inputs: &[("fab", 0.6), ("memory", 0.5), ("talent", 0.1)],
        import_requires: &[],
        trade_cost: 0.08,
        interop_cost: 0.0,
        adjacent: &["fab", "memory"],
        requires_adjacent: false,
        difficulty: 0.6,
        base_cost: 0.6,
        demand: 0.0,
        strategic: true,
        n_minus_1: false,
        trend: (1.0, 1.0),
    },
    Spec {
        id: "compute",
        name: "Data-centre compute",
        tradable: true,
        inputs: &[("packaging", 0.5), ("talent", 0.05)],
        import_requires: &[],
        trade_cost: 0.3,
        interop_cost: 0.0,
        adjacent: &["packaging"],
        requires_adjacent: false,
        difficulty: 0.45,
        base_cost: 0.8,
        demand: 0.4,
        strategic: true,
        n_minus_1: false,
        trend: (0.9, 0.97),
    },
    Spec {
        id: "evaluation",
        name: "Evaluation and governance",
        tradable: false,
        inputs: &[("talent", 0.5)],
        import_requires: &[],
        trade_cost: 0.0,
        interop_cost: 0.0,
        adjacent: &[],
        requires_adjacent: false,
        difficulty: 0.35,
        base_cost: 0.4,
        demand: 0.0,
        strategic: false,
        n_minus_1: false,
        trend: (1.0, 1.0),
    },
    Spec {
        id: "models",
        name: "Frontier models",
        tradable: true,
        inputs: &[("compute", 0.6), ("data", 0.4), ("talent", 0.3)],
        import_requires: &[("evaluation", 0.1)],
        trade_cost: 0.05,
        interop_cost: 0.2,
        adjacent: &["compute", "apps"],
        requires_adjacent: true,
        difficulty: 0.7,
        base_cost: 1.0,
        demand: 0.3,
        strategic: true,
        n_minus_1: false,
        trend: (0.85, 0.95),
    },
    Spec {
        id: "apps",
        name: "Applications and services",
        tradable: true,
        inputs: &[("models", 0.3), ("compute", 0.2), ("talent", 0.6)],
        import_requires: &[],
        trade_cost: 0.2,
        interop_cost: 0.1,
        adjacent: &["models"],
        requires_adjacent: false,
        difficulty: 0.2,
        base_cost: 0.8,
        demand: 1.0,
        strategic: false,
        n_minus_1: false,
        trend: (1.0, 1.0),
    },
];

/// A generated layer.
struct GLayer {
    id: String,
    name: String,
    tradable: bool,
    inputs: Vec<(usize, f64)>,
    import_requires: Vec<(usize, f64)>,
    trade_cost: f64,
    interop_cost: f64,
    adjacent: Vec<usize>,
    requires_adjacent: bool,
    difficulty: f64,
    base_cost: f64,
    demand: f64,
    strategic: bool,
    n_minus_1: bool,
    trend: (f64, f64),
}

struct GCountry {
    id: String,
    size: f64,
    tech: f64,
    region: usize,
    wage: f64,
}

struct GCap {
    country: usize,
    layer: usize,
    unit_cost: f64,
    cost_trend: f64,
    /// Country-specific technology (the layer's inputs with talent hours scaled), if any.
    inputs: Option<Vec<(usize, f64)>>,
    capacity: f64,
    max_expansion: f64,
    expansion_cost: f64,
    lead_time: usize,
    entry_cost: f64,
    min_scale: f64,
}

struct GDemand {
    country: usize,
    layer: usize,
    blocks: Vec<(f64, f64)>,
    growth: f64,
    must_serve: f64,
}

struct GSecurity {
    country: usize,
    layer: usize,
    floor: Option<f64>,
    share: Option<f64>,
    n_minus_1: Option<(f64, f64)>,
}

enum GClause {
    Layers {
        kind: &'static str,
        layers: Vec<usize>,
    },
    Factor {
        layers: Vec<usize>,
        factor: f64,
    },
    NoDuplication {
        layer: usize,
        max_producers: usize,
    },
    Commit {
        country: usize,
        layer: usize,
        from_period: usize,
    },
    Upgrade {
        layers: Vec<usize>,
        discount: f64,
    },
}

struct GAgreement {
    id: String,
    name: String,
    members: Vec<usize>,
    active: bool,
    clauses: Vec<GClause>,
}

/// A standard normal draw (Box-Muller; one uniform pair per draw keeps the stream simple).
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = rng.gen_range(f64::EPSILON..1.0);
    let u2: f64 = rng.gen();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

fn lognormal(rng: &mut ChaCha8Rng, sigma: f64) -> f64 {
    (sigma * normal(rng)).exp()
}

/// Fixed-decimal number, always with a decimal point (TOML float).
fn fx(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

/// Round to `decimals` (so the model sees exactly what the file says).
fn round(v: f64, decimals: i32) -> f64 {
    let m = 10f64.powi(decimals);
    (v * m).round() / m
}

/// Generate the scenario text for `opts`.
pub fn generate(opts: &GenerateOptions) -> Result<String, GenerateError> {
    if opts.countries < 2 {
        return Err(GenerateError::Countries(opts.countries));
    }
    if opts.layers < 1 {
        return Err(GenerateError::Layers(opts.layers));
    }
    if opts.periods < 1 {
        return Err(GenerateError::Periods(opts.periods));
    }
    let mut g = Gen::new(opts);
    g.layers();
    g.countries();
    g.capabilities();
    g.demand();
    g.security();
    g.trade();
    g.agreements();
    Ok(g.write())
}

struct Gen {
    opts: GenerateOptions,
    rng: ChaCha8Rng,
    layers: Vec<GLayer>,
    countries: Vec<GCountry>,
    caps: Vec<GCap>,
    /// (country, layer) -> index into caps.
    cap_of: Vec<Vec<Option<usize>>>,
    demands: Vec<GDemand>,
    security: Vec<GSecurity>,
    costs: Vec<(usize, usize, Option<usize>, f64)>,
    blocks: Vec<(usize, usize, Vec<usize>)>,
    agreements: Vec<GAgreement>,
    /// Reference price of each layer (unit cost at the median country plus inputs and trade).
    reference: Vec<f64>,
}

impl Gen {
    fn new(opts: &GenerateOptions) -> Gen {
        Gen {
            opts: opts.clone(),
            rng: ChaCha8Rng::seed_from_u64(opts.seed),
            layers: Vec::new(),
            countries: Vec::new(),
            caps: Vec::new(),
            cap_of: Vec::new(),
            demands: Vec::new(),
            security: Vec::new(),
            costs: Vec::new(),
            blocks: Vec::new(),
            agreements: Vec::new(),
            reference: Vec::new(),
        }
    }

    fn layer(&self, id: &str) -> Option<usize> {
        self.layers.iter().position(|l| l.id == id)
    }

    fn talent(&self) -> Option<usize> {
        self.layer("talent")
    }

    fn layers(&mut self) {
        let n = self.opts.layers;
        for spec in STACK.iter().take(n) {
            let resolve = |list: &[(&str, f64)], layers: &[GLayer]| -> Vec<(usize, f64)> {
                list.iter()
                    .filter_map(|(k, a)| layers.iter().position(|l| l.id == *k).map(|i| (i, *a)))
                    .collect()
            };
            let inputs = resolve(spec.inputs, &self.layers);
            let import_requires = resolve(spec.import_requires, &self.layers);
            // Adjacent layers may come later in the stack: resolved once all layers exist.
            self.layers.push(GLayer {
                id: spec.id.into(),
                name: spec.name.into(),
                tradable: spec.tradable,
                inputs,
                import_requires,
                trade_cost: spec.trade_cost,
                interop_cost: spec.interop_cost,
                adjacent: Vec::new(),
                requires_adjacent: spec.requires_adjacent,
                difficulty: spec.difficulty,
                base_cost: spec.base_cost,
                demand: spec.demand,
                strategic: spec.strategic,
                n_minus_1: spec.n_minus_1,
                trend: spec.trend,
            });
        }
        for (i, spec) in STACK.iter().take(n).enumerate() {
            let adjacent: Vec<usize> = spec.adjacent.iter().filter_map(|k| self.layer(k)).collect();
            let l = &mut self.layers[i];
            l.requires_adjacent = spec.requires_adjacent && !adjacent.is_empty();
            l.adjacent = adjacent;
        }
        for i in STACK.len()..n {
            let talent = self.talent();
            let mut inputs: Vec<(usize, f64)> = Vec::new();
            let k = self.rng.gen_range(1..=3usize);
            for _ in 0..k {
                let from = self.rng.gen_range(1..i);
                if !inputs.iter().any(|x| x.0 == from) && Some(from) != talent {
                    inputs.push((from, round(self.rng.gen_range(0.05..0.4), 3)));
                }
            }
            if let Some(t) = talent {
                inputs.push((t, round(self.rng.gen_range(0.1..0.4), 3)));
            }
            inputs.sort_by_key(|x| x.0);
            let adjacent = vec![inputs[0].0]
                .into_iter()
                .filter(|&k| Some(k) != talent)
                .collect();
            self.layers.push(GLayer {
                id: format!("layer{}", i + 1),
                name: format!("Layer {}", i + 1),
                tradable: true,
                inputs,
                import_requires: Vec::new(),
                trade_cost: round(self.rng.gen_range(0.02..0.3), 3),
                interop_cost: 0.0,
                adjacent,
                requires_adjacent: false,
                difficulty: round(self.rng.gen_range(0.2..0.8), 3),
                base_cost: round(self.rng.gen_range(0.5..2.0), 3),
                demand: round(self.rng.gen_range(0.1..0.5), 3),
                strategic: self.rng.gen_bool(0.3),
                n_minus_1: false,
                trend: (0.95, 1.0),
            });
        }
        // Something must be consumed: the top layer always has final demand.
        if self.layers.iter().all(|l| l.demand == 0.0) {
            let last = self.layers.len() - 1;
            self.layers[last].demand = 1.0;
        }
        // Reference prices in dependency order (inputs are earlier layers).
        let wage = 1.0;
        for l in 0..self.layers.len() {
            let layer = &self.layers[l];
            let mut r = if Some(l) == self.talent() {
                layer.base_cost * wage
            } else {
                layer.base_cost
            };
            for &(k, a) in &layer.inputs {
                r += a * self.reference[k];
            }
            for &(k, m) in &layer.import_requires {
                r += m * self.reference[k];
            }
            r += layer.trade_cost;
            self.reference.push(r);
        }
    }

    fn countries(&mut self) {
        let n = self.opts.countries;
        for rank in 1..=n {
            let id = COUNTRIES
                .get(rank - 1)
                .map_or_else(|| format!("X{rank:03}"), |s| s.to_string());
            let size = round(
                100.0 * (rank as f64).powf(-1.0) * lognormal(&mut self.rng, 0.3),
                3,
            )
            .max(0.05);
            let tech = (0.95 - 0.55 * (rank as f64).ln() / 200f64.ln()
                + 0.12 * normal(&mut self.rng))
            .clamp(0.02, 0.99);
            let region = self.rng.gen_range(0..REGIONS.len());
            let wage = (0.3 + 1.4 * tech) * lognormal(&mut self.rng, 0.1);
            self.countries.push(GCountry {
                id,
                size,
                tech,
                region,
                wage,
            });
        }
    }

    /// World need of each layer per unit of final demand, through the input matrix.
    fn world_need(&self) -> Vec<f64> {
        let total_size: f64 = self.countries.iter().map(|c| c.size).sum();
        let mut need: Vec<f64> = self
            .layers
            .iter()
            .map(|l| l.demand * total_size * 0.8)
            .collect();
        for l in (0..self.layers.len()).rev() {
            let nl = need[l];
            for &(k, a) in &self.layers[l].inputs {
                need[k] += a * nl;
            }
            // Capacity for import requirements (evaluation) is sized generously: a country
            // may import all the models it uses.
            for &(k, m) in &self.layers[l].import_requires {
                need[k] += 3.0 * m * nl;
            }
        }
        need
    }

    fn capabilities(&mut self) {
        let (nc, nl) = (self.countries.len(), self.layers.len());
        let talent = self.talent();
        // Who holds what: incumbents (true), entrants (false).
        let mut holds: Vec<Vec<Option<bool>>> = vec![vec![None; nl]; nc];
        for c in 0..nc {
            for l in 0..nl {
                let draw = self.countries[c].tech + 0.15 * normal(&mut self.rng);
                let d = self.layers[l].difficulty;
                if Some(l) == talent || draw > d {
                    holds[c][l] = Some(true);
                } else if draw > d - 0.12 {
                    holds[c][l] = Some(false);
                }
            }
        }
        // At least two incumbents per layer: the most advanced countries.
        let mut by_tech: Vec<usize> = (0..nc).collect();
        by_tech.sort_by(|&a, &b| {
            self.countries[b]
                .tech
                .total_cmp(&self.countries[a].tech)
                .then(a.cmp(&b))
        });
        for l in 0..nl {
            let mut count = (0..nc).filter(|&c| holds[c][l] == Some(true)).count();
            for &c in &by_tech {
                if count >= 2 {
                    break;
                }
                if holds[c][l] != Some(true) {
                    holds[c][l] = Some(true);
                    count += 1;
                }
            }
        }
        let need = self.world_need();
        let producer_size: Vec<f64> = (0..nl)
            .map(|l| {
                (0..nc)
                    .filter(|&c| holds[c][l].is_some())
                    .map(|c| self.countries[c].size)
                    .sum::<f64>()
            })
            .collect();
        let periods = self.opts.periods;
        self.cap_of = vec![vec![None; nl]; nc];
        for c in 0..nc {
            for l in 0..nl {
                let Some(incumbent) = holds[c][l] else {
                    continue;
                };
                let country = &self.countries[c];
                let layer = &self.layers[l];
                let (tech, size, wage) = (country.tech, country.size, country.wage);
                let is_talent = Some(l) == talent;
                let unit_cost = if is_talent {
                    layer.base_cost * wage
                } else {
                    layer.base_cost * (-0.3 * (tech - 0.5)).exp() * lognormal(&mut self.rng, 0.25)
                };
                // Talent hours per unit fall with the technology level: comparative advantage.
                let inputs = match talent {
                    Some(t) if layer.inputs.iter().any(|x| x.0 == t) => {
                        let productivity =
                            (-1.2 * (tech - 0.5)).exp() * lognormal(&mut self.rng, 0.15);
                        Some(
                            layer
                                .inputs
                                .iter()
                                .map(|&(k, a)| {
                                    (
                                        k,
                                        round(if k == t { a * productivity } else { a }, 3)
                                            .max(0.001),
                                    )
                                })
                                .collect(),
                        )
                    }
                    _ => None,
                };
                let (lo, hi) = layer.trend;
                let cost_trend = if periods > 1 && hi > lo {
                    round(self.rng.gen_range(lo..hi), 3)
                } else {
                    1.0
                };
                let share = need[l] * size / producer_size[l].max(1e-9);
                let ref_price = self.reference[l];
                let strategic_scale = layer.n_minus_1 || layer.requires_adjacent;
                let mut cap = GCap {
                    country: c,
                    layer: l,
                    unit_cost: round(unit_cost, 3).max(0.001),
                    cost_trend,
                    inputs,
                    capacity: 0.0,
                    max_expansion: 0.0,
                    expansion_cost: 0.0,
                    lead_time: 0,
                    entry_cost: 0.0,
                    min_scale: 0.0,
                };
                if incumbent {
                    cap.capacity = round(share * self.rng.gen_range(0.6..1.3), 2).max(0.01);
                    if !is_talent && self.rng.gen_bool(0.5) {
                        cap.max_expansion =
                            round(cap.capacity * self.rng.gen_range(0.2..0.6), 2).max(0.01);
                        cap.expansion_cost = round(ref_price * self.rng.gen_range(0.5..1.5), 3);
                        if strategic_scale && periods > 1 {
                            cap.lead_time = 1;
                        }
                    }
                } else {
                    cap.max_expansion = round(share * self.rng.gen_range(0.3..0.8), 2).max(0.01);
                    cap.expansion_cost = round(ref_price * self.rng.gen_range(0.5..1.5), 3);
                    cap.entry_cost = round(
                        ref_price * cap.max_expansion * self.rng.gen_range(0.3..1.0),
                        3,
                    );
                    if strategic_scale {
                        cap.min_scale = round(cap.max_expansion * 0.2, 2);
                    }
                }
                self.cap_of[c][l] = Some(self.caps.len());
                self.caps.push(cap);
            }
        }
    }

    fn demand(&mut self) {
        let (nc, nl) = (self.countries.len(), self.layers.len());
        let periods = self.opts.periods;
        let data = self.layer("data");
        for c in 0..nc {
            for l in 0..nl {
                let layer = &self.layers[l];
                if layer.demand <= 0.0 {
                    continue;
                }
                let (tech, size) = (self.countries[c].tech, self.countries[c].size);
                // Broad demand for the top layer; narrower layers are consumed by richer countries.
                let top = self.layers.iter().map(|x| x.demand).fold(0.0, f64::max);
                if layer.demand < top && self.rng.gen::<f64>() > 0.3 + tech * 0.7 {
                    continue;
                }
                let q = size * layer.demand;
                let wtp = 0.7 + 0.6 * tech;
                let r = self.reference[l] * wtp;
                let mut blocks = Vec::new();
                for (share, mult) in [(0.45, 2.5), (0.35, 1.5), (0.2, 0.9)] {
                    let quantity = round(q * share * self.rng.gen_range(0.9..1.1), 3).max(0.001);
                    let value = round(r * mult * self.rng.gen_range(0.95..1.05), 3);
                    blocks.push((quantity, value));
                }
                let growth = if periods > 1 {
                    round(1.0 + 0.02 + 0.1 * (1.0 - tech) * self.rng.gen::<f64>(), 3)
                } else {
                    1.0
                };
                // Essential demand: on data only, where the country's own capacity covers it in
                // every period (see the module doc).
                let mut must_serve = 0.0;
                if Some(l) == data && self.rng.gen_bool(0.2) {
                    if let Some(k) = self.cap_of[c][l] {
                        let k0 = self.caps[k].capacity;
                        let last = growth.powi(periods as i32 - 1);
                        let cap_bound = k0 / (1.3 * last);
                        must_serve = round((blocks[0].0 * 0.5).min(cap_bound), 2);
                        if must_serve * last * 1.01 > k0 || must_serve * last > blocks[0].0 * last {
                            must_serve = 0.0;
                        }
                    }
                }
                self.demands.push(GDemand {
                    country: c,
                    layer: l,
                    blocks,
                    growth,
                    must_serve: must_serve.max(0.0),
                });
            }
        }
    }

    fn security(&mut self) {
        let (nc, nl) = (self.countries.len(), self.layers.len());
        for c in 0..nc {
            if self.countries[c].tech < 0.55 {
                continue;
            }
            for l in 0..nl {
                if !self.layers[l].strategic || !self.rng.gen_bool(0.35) {
                    continue;
                }
                let floor = if self.cap_of[c][l].is_some() && self.rng.gen_bool(0.6) {
                    Some(round(self.rng.gen_range(0.1..0.3), 2))
                } else {
                    None
                };
                let share = if self.rng.gen_bool(0.6) {
                    Some(round(self.rng.gen_range(0.4..0.8), 2))
                } else {
                    None
                };
                let n1 = if self.layers[l].n_minus_1 && self.rng.gen_bool(0.5) {
                    let phi = round(self.rng.gen_range(0.3..0.6), 2);
                    let rho = round(self.reference[l] * self.rng.gen_range(0.05..0.15), 3);
                    Some((phi, rho))
                } else {
                    None
                };
                if floor.is_none() && share.is_none() && n1.is_none() {
                    continue;
                }
                self.security.push(GSecurity {
                    country: c,
                    layer: l,
                    floor,
                    share,
                    n_minus_1: n1,
                });
            }
        }
    }

    fn trade(&mut self) {
        let nc = self.countries.len();
        let nl = self.layers.len();
        // Pair-specific costs (distance, logistics): about one per country.
        let mut used = std::collections::HashSet::new();
        for _ in 0..nc {
            let e = self.rng.gen_range(0..nc);
            let i = self.rng.gen_range(0..nc);
            let layer = if self.rng.gen_bool(0.3) {
                Some(self.rng.gen_range(0..nl))
            } else {
                None
            };
            if e == i || !used.insert((e, i, layer)) {
                continue;
            }
            let cost = round(self.rng.gen_range(0.02..0.4), 3);
            self.costs.push((e, i, layer, cost));
        }
        // Export controls: the three most advanced holders of fab block chips and compute to a
        // few countries.
        let controlled: Vec<usize> = ["design", "fab", "compute"]
            .iter()
            .filter_map(|k| self.layer(k))
            .collect();
        if controlled.is_empty() || nc < 4 {
            return;
        }
        let fab = self.layer("fab").unwrap_or(controlled[0]);
        let mut leaders: Vec<usize> = (0..nc).filter(|&c| self.cap_of[c][fab].is_some()).collect();
        leaders.sort_by(|&a, &b| {
            self.countries[b]
                .tech
                .total_cmp(&self.countries[a].tech)
                .then(a.cmp(&b))
        });
        leaders.truncate(3);
        let n_targets = (nc / 25).max(1);
        let mut targets = Vec::new();
        for _ in 0..4 * n_targets {
            let t = self.rng.gen_range(0..nc);
            if !leaders.contains(&t) && !targets.contains(&t) && targets.len() < n_targets {
                targets.push(t);
            }
        }
        for &e in &leaders {
            for &i in &targets {
                self.blocks.push((e, i, controlled.clone()));
            }
        }
    }

    fn pick_members(&mut self, pool: &[usize], lo: usize, hi: usize) -> Vec<usize> {
        let want = self.rng.gen_range(lo..=hi).min(pool.len());
        let mut members: Vec<usize> = Vec::new();
        let mut tries = 0;
        while members.len() < want && tries < 20 * want + 20 {
            let c = pool[self.rng.gen_range(0..pool.len())];
            if !members.contains(&c) {
                members.push(c);
            }
            tries += 1;
        }
        members.sort_unstable();
        members
    }

    fn agreements(&mut self) {
        let nc = self.countries.len();
        let nl = self.layers.len();
        let tradable: Vec<usize> = (0..nl).filter(|&l| self.layers[l].tradable).collect();
        let named = |g: &Gen, ids: &[&str]| -> Vec<usize> {
            ids.iter().filter_map(|k| g.layer(k)).collect()
        };
        let mut by_tech: Vec<usize> = (0..nc).collect();
        by_tech.sort_by(|&a, &b| {
            self.countries[b]
                .tech
                .total_cmp(&self.countries[a].tech)
                .then(a.cmp(&b))
        });
        // Layers with a no-duplication clause: never committed (feasibility, module doc).
        let nodup_layer = self.layer("memory").or_else(|| self.layer("fab"));
        for k in 0..self.opts.agreements {
            let round_no = k / 4 + 1;
            let mut clauses = Vec::new();
            let (id, name, members, active) = match k % 4 {
                0 => {
                    let region = (k / 4 + self.rng.gen_range(0..REGIONS.len())) % REGIONS.len();
                    let mut members: Vec<usize> = (0..nc)
                        .filter(|&c| self.countries[c].region == region)
                        .collect();
                    if members.len() < 2 {
                        members = self.pick_members(&(0..nc).collect::<Vec<_>>(), 2, 6);
                    }
                    if !tradable.is_empty() {
                        clauses.push(GClause::Factor {
                            layers: tradable.clone(),
                            factor: round(self.rng.gen_range(0.3..0.7), 2),
                        });
                    }
                    let mr = named(self, &["data", "models", "evaluation"]);
                    if !mr.is_empty() {
                        clauses.push(GClause::Layers {
                            kind: "mutual_recognition",
                            layers: mr,
                        });
                    }
                    (
                        format!("{}-bloc-{round_no}", REGIONS[region]),
                        format!("{} trade bloc", REGIONS[region]),
                        members,
                        true,
                    )
                }
                1 => {
                    let pool: Vec<usize> = by_tech
                        .iter()
                        .copied()
                        .take((nc / 4).max(4).min(nc))
                        .collect();
                    let members = self.pick_members(&pool, 4, 8);
                    let ts = named(self, &["design", "fab", "memory", "packaging"]);
                    if !ts.is_empty() {
                        clauses.push(GClause::Layers {
                            kind: "trusted_supply",
                            layers: ts,
                        });
                    }
                    if let Some(l) = nodup_layer {
                        let holders = members
                            .iter()
                            .filter(|&&c| self.cap_of[c][l].is_some())
                            .count();
                        if holders >= 2 {
                            clauses.push(GClause::NoDuplication {
                                layer: l,
                                max_producers: holders.div_ceil(2),
                            });
                        }
                    }
                    (
                        format!("chip-alliance-{round_no}"),
                        "chip alliance: trusted supply, no duplicated memory fabs".into(),
                        members,
                        false,
                    )
                }
                2 => {
                    let pool: Vec<usize> = by_tech
                        .iter()
                        .copied()
                        .take((nc / 2).max(4).min(nc))
                        .collect();
                    let members = self.pick_members(&pool, 3, 8);
                    let ts = named(self, &["compute", "models"]);
                    if !ts.is_empty() {
                        clauses.push(GClause::Layers {
                            kind: "trusted_supply",
                            layers: ts,
                        });
                    }
                    if let Some(m) = self.layer("models") {
                        clauses.push(GClause::Upgrade {
                            layers: vec![m],
                            discount: round(self.rng.gen_range(0.2..0.5), 2),
                        });
                    }
                    if let Some(l) = self
                        .layer("compute")
                        .filter(|&l| Some(l) != nodup_layer && !self.layers[l].requires_adjacent)
                    {
                        let committed = members.iter().copied().find(|&c| {
                            self.cap_of[c][l].is_some_and(|i| self.caps[i].min_scale == 0.0)
                        });
                        if let Some(c) = committed {
                            clauses.push(GClause::Commit {
                                country: c,
                                layer: l,
                                from_period: self.opts.periods.min(2),
                            });
                        }
                    }
                    (
                        format!("ai-compact-{round_no}"),
                        "AI compact: trusted compute and models, upgrade route, committed compute"
                            .into(),
                        members,
                        true,
                    )
                }
                _ => {
                    let members = self.pick_members(&(0..nc).collect::<Vec<_>>(), 5, 12);
                    let mr = named(self, &["data", "apps"]);
                    if !mr.is_empty() {
                        clauses.push(GClause::Layers {
                            kind: "mutual_recognition",
                            layers: mr.clone(),
                        });
                    }
                    let f = named(self, &["data", "apps", "models"]);
                    if !f.is_empty() {
                        clauses.push(GClause::Factor {
                            layers: f,
                            factor: round(self.rng.gen_range(0.5..0.8), 2),
                        });
                    }
                    (
                        format!("data-union-{round_no}"),
                        "data union: mutual recognition of data and apps".into(),
                        members,
                        false,
                    )
                }
            };
            let members = if members.len() < 2 {
                vec![0, 1]
            } else {
                members
            };
            if clauses.is_empty() {
                clauses.push(GClause::Factor {
                    layers: (0..nl).collect(),
                    factor: 0.8,
                });
            }
            self.agreements.push(GAgreement {
                id,
                name,
                members,
                active,
                clauses,
            });
        }
    }

    fn write(&self) -> String {
        let o = &self.opts;
        let mut w = String::new();
        let cid = |c: usize| self.countries[c].id.as_str();
        let lid = |l: usize| self.layers[l].id.as_str();
        let table = |items: &[(usize, f64)]| -> String {
            let parts: Vec<String> = items
                .iter()
                .map(|&(k, a)| format!("{} = {}", lid(k), fx(a, 3)))
                .collect();
            format!("{{ {} }}", parts.join(", "))
        };
        let list = |items: &[usize]| -> String {
            let parts: Vec<String> = items.iter().map(|&k| format!("\"{}\"", lid(k))).collect();
            format!("[{}]", parts.join(", "))
        };
        let _ = writeln!(w, "# Generated by `aistack generate --countries {} --layers {} --periods {} --seed {} --agreements {}`.", o.countries, o.layers, o.periods, o.seed, o.agreements);
        let _ = writeln!(
            w,
            "# Random but realistic: see src/generate.rs for how each part is drawn.\n"
        );
        let _ = writeln!(w, "[meta]");
        let _ = writeln!(
            w,
            "name = \"generated {}x{}x{} seed {}\"",
            o.countries, o.layers, o.periods, o.seed
        );
        let _ = writeln!(w, "description = \"Random AI-stack scenario: {} countries, {} layers, {} periods, {} agreements.\"", o.countries, o.layers, o.periods, o.agreements);
        let _ = writeln!(w, "currency = \"index\"");
        let _ = writeln!(w, "periods = {}", o.periods);
        let _ = writeln!(w, "discount_rate = 0.05\n");
        let _ = writeln!(w, "[upgrade]\nadjacency_discount = 0.2\n");
        let _ = writeln!(w, "[trade]\ndefault_cost = 0.1\n");
        for &(e, i, l, cost) in &self.costs {
            let _ = writeln!(
                w,
                "[[trade.cost]]\nfrom = \"{}\"\nto = \"{}\"",
                cid(e),
                cid(i)
            );
            if let Some(l) = l {
                let _ = writeln!(w, "layer = \"{}\"", lid(l));
            }
            let _ = writeln!(w, "cost = {}\n", fx(cost, 3));
        }
        for (e, i, ls) in &self.blocks {
            let _ = writeln!(
                w,
                "[[trade.block]]\nfrom = \"{}\"\nto = \"{}\"\nlayers = {}\n",
                cid(*e),
                cid(*i),
                list(ls)
            );
        }
        for l in &self.layers {
            let _ = writeln!(w, "[[layer]]\nid = \"{}\"\nname = \"{}\"", l.id, l.name);
            if !l.tradable {
                let _ = writeln!(w, "tradable = false");
            }
            if !l.inputs.is_empty() {
                let _ = writeln!(w, "inputs = {}", table(&l.inputs));
            }
            if !l.import_requires.is_empty() {
                let _ = writeln!(w, "import_requires = {}", table(&l.import_requires));
            }
            if l.tradable {
                let _ = writeln!(w, "trade_cost = {}", fx(l.trade_cost, 3));
            }
            if l.interop_cost > 0.0 {
                let _ = writeln!(w, "interop_cost = {}", fx(l.interop_cost, 3));
            }
            if !l.adjacent.is_empty() {
                let _ = writeln!(w, "adjacent = {}", list(&l.adjacent));
            }
            if l.requires_adjacent {
                let _ = writeln!(w, "requires_adjacent = true");
            }
            let _ = writeln!(w);
        }
        for c in &self.countries {
            let _ = writeln!(
                w,
                "[[country]]\nid = \"{}\"\nname = \"{} ({}, technology {:.2}, size {:.2})\"\n",
                c.id, c.id, REGIONS[c.region], c.tech, c.size
            );
        }
        for cap in &self.caps {
            let _ = writeln!(
                w,
                "[[capability]]\ncountry = \"{}\"\nlayer = \"{}\"\nunit_cost = {}",
                cid(cap.country),
                lid(cap.layer),
                fx(cap.unit_cost, 3)
            );
            if cap.cost_trend != 1.0 {
                let _ = writeln!(w, "cost_trend = {}", fx(cap.cost_trend, 3));
            }
            if let Some(inputs) = &cap.inputs {
                let _ = writeln!(w, "inputs = {}", table(inputs));
            }
            if cap.capacity > 0.0 {
                let _ = writeln!(w, "capacity = {}", fx(cap.capacity, 2));
            }
            if cap.max_expansion > 0.0 {
                let _ = writeln!(
                    w,
                    "max_expansion = {}\nexpansion_cost = {}",
                    fx(cap.max_expansion, 2),
                    fx(cap.expansion_cost, 3)
                );
            }
            if cap.lead_time > 0 {
                let _ = writeln!(w, "lead_time = {}", cap.lead_time);
            }
            if cap.entry_cost > 0.0 {
                let _ = writeln!(w, "entry_cost = {}", fx(cap.entry_cost, 3));
            }
            if cap.min_scale > 0.0 {
                let _ = writeln!(w, "min_scale = {}", fx(cap.min_scale, 2));
            }
            let _ = writeln!(w);
        }
        for d in &self.demands {
            let blocks: Vec<String> = d
                .blocks
                .iter()
                .map(|&(q, v)| format!("{{ quantity = {}, value = {} }}", fx(q, 3), fx(v, 3)))
                .collect();
            let _ = writeln!(
                w,
                "[[demand]]\ncountry = \"{}\"\nlayer = \"{}\"\nblocks = [{}]",
                cid(d.country),
                lid(d.layer),
                blocks.join(", ")
            );
            if d.growth != 1.0 {
                let _ = writeln!(w, "growth = {}", fx(d.growth, 3));
            }
            if d.must_serve > 0.0 {
                let _ = writeln!(w, "must_serve = {}", fx(d.must_serve, 2));
            }
            let _ = writeln!(w);
        }
        for s in &self.security {
            let _ = writeln!(
                w,
                "[[security]]\ncountry = \"{}\"\nlayer = \"{}\"",
                cid(s.country),
                lid(s.layer)
            );
            if let Some(f) = s.floor {
                let _ = writeln!(w, "domestic_floor = {}", fx(f, 2));
            }
            if let Some(m) = s.share {
                let _ = writeln!(w, "max_supplier_share = {}", fx(m, 2));
            }
            if let Some((phi, rho)) = s.n_minus_1 {
                let _ = writeln!(
                    w,
                    "n_minus_1 = {}\nreserve_cost = {}",
                    fx(phi, 2),
                    fx(rho, 3)
                );
            }
            let _ = writeln!(w);
        }
        for a in &self.agreements {
            let members: Vec<String> = a
                .members
                .iter()
                .map(|&c| format!("\"{}\"", cid(c)))
                .collect();
            let _ = writeln!(
                w,
                "[[agreement]]\nid = \"{}\"\nname = \"{}\"\nmembers = [{}]\nactive = {}\n",
                a.id,
                a.name,
                members.join(", "),
                a.active
            );
            for cl in &a.clauses {
                let _ = writeln!(w, "[[agreement.clause]]");
                match cl {
                    GClause::Layers { kind, layers } => {
                        let _ = writeln!(w, "kind = \"{kind}\"\nlayers = {}", list(layers));
                    }
                    GClause::Factor { layers, factor } => {
                        let _ = writeln!(
                            w,
                            "kind = \"trade_cost_factor\"\nlayers = {}\nfactor = {}",
                            list(layers),
                            fx(*factor, 2)
                        );
                    }
                    GClause::NoDuplication {
                        layer,
                        max_producers,
                    } => {
                        let _ = writeln!(w, "kind = \"no_duplication\"\nlayer = \"{}\"\nmax_producers = {max_producers}", lid(*layer));
                    }
                    GClause::Commit {
                        country,
                        layer,
                        from_period,
                    } => {
                        let _ = writeln!(w, "kind = \"commit\"\ncountry = \"{}\"\nlayer = \"{}\"\nbuild = true\nfrom_period = {from_period}", cid(*country), lid(*layer));
                    }
                    GClause::Upgrade { layers, discount } => {
                        let _ = writeln!(
                            w,
                            "kind = \"upgrade_route\"\nlayers = {}\nentry_discount = {}",
                            list(layers),
                            fx(*discount, 2)
                        );
                    }
                }
                let _ = writeln!(w);
            }
        }
        w
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_decimals() {
        assert_eq!(fx(1.0, 3), "1.000");
        assert_eq!(fx(-0.0001, 2), "0.00");
        assert_eq!(fx(2.3456, 2), "2.35");
    }

    #[test]
    fn rejects_degenerate_sizes() {
        let o = |c, l, t| GenerateOptions {
            countries: c,
            layers: l,
            periods: t,
            seed: 1,
            agreements: 0,
        };
        assert_eq!(generate(&o(1, 3, 1)), Err(GenerateError::Countries(1)));
        assert_eq!(generate(&o(3, 0, 1)), Err(GenerateError::Layers(0)));
        assert_eq!(generate(&o(3, 3, 0)), Err(GenerateError::Periods(0)));
    }
}
