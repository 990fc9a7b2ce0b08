//! Validation: [`RawScenario`] -> [`Scenario`] (MODEL.md sections 2 and 6).
//!
//! Ids are resolved to indices and defaults applied. Every problem is collected rather than
//! stopping at the first, so that a user fixes a file in one pass; messages name the entity and
//! the field and, for a misspelt name, suggest the closest known one.

use std::collections::HashMap;
use std::fmt;

use super::raw::{
    clause_entity, id_entity, pair_entity, InputTable, RawClause, RawCurvePoint, RawLearning,
    RawScenario,
};
use super::spectral;
use super::{
    Agreement, Basis, Block, Capability, Clause, Country, CountryId, CurveSegment, Demand, Layer,
    LayerId, Learning, Meta, Scenario, SecurityPolicy, Trade, TradeBlock, TradeCost,
};

/// One thing wrong with a scenario file. `message` already names the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// What the problem is about, e.g. `capability KOR/fab` or `agreement x clause 2 (commit)`.
    pub entity: String,
    /// The field concerned (may be empty for problems about a whole entry).
    pub field: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.entity, self.message)
    }
}

#[derive(thiserror::Error, Debug)]
pub enum ScenarioError {
    #[error("cannot read {file}: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{}", unknown_format_message(.file, .extension))]
    UnknownFormat { file: String, extension: String },
    #[error("cannot parse {file}: {message}")]
    Parse { file: String, message: String },
    #[error("{}", invalid_message(.file, .problems))]
    Invalid {
        file: String,
        problems: Vec<Problem>,
    },
}

impl ScenarioError {
    /// The validation problems; empty unless the file was read but is invalid.
    pub fn problems(&self) -> &[Problem] {
        match self {
            ScenarioError::Invalid { problems, .. } => problems,
            _ => &[],
        }
    }
}

fn unknown_format_message(file: &str, extension: &str) -> String {
    if extension.is_empty() {
        format!("{file}: no file extension to tell the scenario format (expected .toml or .json)")
    } else {
        format!("{file}: unknown scenario format \".{extension}\" (expected .toml or .json)")
    }
}

fn invalid_message(file: &str, problems: &[Problem]) -> String {
    let n = problems.len();
    let mut out = format!("{file}: {n} problem{}:", if n == 1 { "" } else { "s" });
    for p in problems {
        out.push_str("\n  - ");
        out.push_str(&p.to_string());
    }
    out
}

/// Longest name (bytes) for which a "did you mean" suggestion is computed.
pub(crate) const MAX_SUGGEST_LEN: usize = 64;

/// `s` cut to at most `max` bytes (at a character boundary) with the total length noted, so a
/// message never echoes a huge value.
pub(crate) fn cut_text(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}... ({} bytes)", &s[..end], s.len())
}

/// The candidate closest to `word` (case-insensitive optimal string alignment distance), if it
/// is close enough to be a plausible typo.
pub(crate) fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    // Bounded cost on hostile input (issue 9): no suggestion for a name longer than any
    // plausible id, and no distance table for a candidate whose length alone rules it out.
    if word.len() > MAX_SUGGEST_LEN {
        return None;
    }
    let word: Vec<char> = word.to_lowercase().chars().collect();
    let limit = match word.len() {
        0..=4 => 1,
        5..=8 => 2,
        n => n / 3,
    };
    candidates
        .into_iter()
        .filter(|c| {
            c.len() <= 4 * MAX_SUGGEST_LEN && c.chars().count().abs_diff(word.len()) <= limit
        })
        .map(|c| {
            (
                edit_distance(&word, &c.to_lowercase().chars().collect::<Vec<_>>()),
                c,
            )
        })
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// Levenshtein distance where swapping two adjacent characters also costs 1.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    d[0] = (0..=b.len()).collect();
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// Shortest text for a number in messages: 2, 0.6, 1.0954.
pub(crate) fn fmt_num(v: f64) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" || s.is_empty() {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// Collects problems.
struct Checker {
    problems: Vec<Problem>,
    /// See [`RawScenario::misspelt`].
    misspelt: Vec<(String, String)>,
}

impl Checker {
    fn push(&mut self, entity: &str, field: &str, message: String) {
        self.problems.push(Problem {
            entity: cut_text(entity, 200),
            field: cut_text(field, 100),
            message: cut_text(&message, 500),
        });
    }

    /// Whether a problem about this field was already reported (e.g. a value of the wrong
    /// type, which reading drops): then "missing" would only repeat it.
    fn reported(&self, entity: &str, field: &str) -> bool {
        self.problems
            .iter()
            .any(|p| p.entity == entity && p.field == field)
            || self.misspelt.iter().any(|(e, f)| e == entity && f == field)
    }

    fn required<T>(&mut self, entity: &str, field: &str, value: Option<T>) -> Option<T> {
        if value.is_none() && !self.reported(entity, field) {
            self.push(entity, field, format!("missing required field {field}"));
        }
        value
    }

    /// Check a number that must be finite and >= 0 (and <= 1 for a share); `label` is how the
    /// value is named in the message (`unit_cost`, `inputs.fab`).
    fn check(&mut self, entity: &str, field: &str, label: &str, v: f64, share: bool) -> bool {
        let problem = if !v.is_finite() {
            format!("{label} must be a finite number, got {v}")
        } else if share && !(0.0..=1.0).contains(&v) {
            format!("{label} must lie in [0, 1], got {}", fmt_num(v))
        } else if v < 0.0 {
            format!("{label} must be >= 0, got {}", fmt_num(v))
        } else {
            return true;
        };
        self.push(entity, field, problem);
        false
    }

    /// A finite, non-negative amount with a default.
    fn amount(&mut self, entity: &str, field: &str, v: Option<f64>, default: f64) -> f64 {
        match v {
            Some(v) if self.check(entity, field, field, v, false) => v,
            Some(_) => default,
            None => default,
        }
    }

    fn optional_amount(&mut self, entity: &str, field: &str, v: Option<f64>) -> Option<f64> {
        v.filter(|&v| self.check(entity, field, field, v, false))
    }

    fn share(&mut self, entity: &str, field: &str, v: Option<f64>) -> Option<f64> {
        v.filter(|&v| self.check(entity, field, field, v, true))
    }

    /// A non-negative integer.
    fn count(&mut self, entity: &str, field: &str, v: Option<i64>, default: usize) -> usize {
        match v {
            None => default,
            Some(v) => match usize::try_from(v) {
                Ok(v) => v,
                Err(_) => {
                    self.push(entity, field, format!("{field} must be >= 0, got {v}"));
                    default
                }
            },
        }
    }
}

/// Ids of one kind of entity (layers or countries) and their indices.
struct Names<'a> {
    what: &'static str,
    ids: Vec<&'a str>,
    index: HashMap<&'a str, usize>,
}

impl<'a> Names<'a> {
    /// Index the ids of `kind` entries (`what` is how a reference to one is described),
    /// reporting missing, empty and duplicate ids. The first of duplicates wins.
    fn collect(
        ck: &mut Checker,
        kind: &str,
        what: &'static str,
        ids: impl Iterator<Item = Option<&'a str>>,
    ) -> Names<'a> {
        let mut names = Names {
            what,
            ids: Vec::new(),
            index: HashMap::new(),
        };
        for (i, id) in ids.enumerate() {
            let entity = id_entity(kind, i + 1, id);
            let Some(id) = ck.required(&entity, "id", id) else {
                continue;
            };
            if id.trim().is_empty() {
                ck.push(&entity, "id", "id must not be empty".into());
            } else if let Some(&first) = names.index.get(id) {
                let message = format!(
                    "id \"{id}\" is used by more than one {kind} (entries {} and {})",
                    first + 1,
                    i + 1
                );
                ck.push(&entity, "id", message);
            } else {
                names.index.insert(id, i);
                names.ids.push(id);
            }
        }
        names
    }

    fn hint(&self, name: &str) -> String {
        match did_you_mean(name, self.ids.iter().copied()) {
            Some(s) => format!(" (did you mean \"{s}\"?)"),
            None if self.ids.is_empty() => format!(" (no {} are defined)", self.plural()),
            None if self.ids.len() <= 12 => {
                format!(" (known {}: {})", self.plural(), self.ids.join(", "))
            }
            None => String::new(),
        }
    }

    fn plural(&self) -> String {
        match self.what.strip_suffix('y') {
            Some(stem) => format!("{stem}ies"),
            None => format!("{}s", self.what),
        }
    }

    fn resolve(&self, ck: &mut Checker, entity: &str, field: &str, name: &str) -> Option<usize> {
        if let Some(&i) = self.index.get(name) {
            return Some(i);
        }
        let what = self.what;
        let hint = self.hint(name);
        let message = if field == what {
            format!("{what} \"{name}\" is unknown{hint}")
        } else {
            format!("{field}: {what} \"{name}\" is unknown{hint}")
        };
        ck.push(entity, field, message);
        None
    }

    fn resolve_opt(
        &self,
        ck: &mut Checker,
        entity: &str,
        field: &str,
        name: Option<&str>,
    ) -> Option<usize> {
        name.and_then(|n| self.resolve(ck, entity, field, n))
    }

    /// Resolve a list, reporting unknown names and repeats.
    fn resolve_list(
        &self,
        ck: &mut Checker,
        entity: &str,
        field: &str,
        names: &[String],
    ) -> Vec<usize> {
        let mut out = Vec::new();
        for (i, name) in names.iter().enumerate() {
            if names[..i].contains(name) {
                ck.push(
                    entity,
                    field,
                    format!("{field} lists \"{name}\" more than once"),
                );
            } else if let Some(ix) = self.resolve(ck, entity, field, name) {
                out.push(ix);
            }
        }
        out
    }

    /// Resolve a `{layer: coefficient}` table, checking each coefficient.
    fn resolve_table(
        &self,
        ck: &mut Checker,
        entity: &str,
        field: &str,
        table: &InputTable,
    ) -> Vec<(usize, f64)> {
        let mut out = Vec::new();
        for (name, v) in table {
            let label = format!("{field}.{name}");
            let ok = ck.check(entity, field, &label, *v, false);
            if let Some(ix) = self.resolve(ck, entity, field, name) {
                if ok {
                    out.push((ix, *v));
                }
            }
        }
        out
    }
}

/// Clause kinds with their required and optional fields (MODEL.md section 6).
const CLAUSE_KINDS: &[(&str, &[&str], &[&str])] = &[
    ("mutual_recognition", &["layers"], &[]),
    ("trusted_supply", &["layers"], &[]),
    ("trade_cost_factor", &["layers", "factor"], &[]),
    ("no_duplication", &["layer", "max_producers"], &[]),
    ("commit", &["country", "layer", "build"], &["from_period"]),
    ("upgrade_route", &["layers", "entry_discount"], &[]),
    ("technology_transfer", &["layers", "share"], &[]),
];

/// Report a duplicate (country, layer) entry; returns true if `key` was seen before.
fn duplicate_pair(
    ck: &mut Checker,
    seen: &mut HashMap<(usize, usize), usize>,
    key: (usize, usize),
    n: usize,
    kind: &str,
    entity: &str,
) -> bool {
    match seen.get(&key) {
        Some(&first) => {
            let message = format!(
                "more than one [[{kind}]] for the same country and layer (entries {first} and {n})"
            );
            ck.push(entity, "layer", message);
            true
        }
        None => {
            seen.insert(key, n);
            false
        }
    }
}

pub(crate) fn validate(raw: RawScenario, file: &str) -> Result<Scenario, ScenarioError> {
    let mut ck = Checker {
        problems: raw.problems.clone(),
        misspelt: raw.misspelt.clone(),
    };

    // meta, upgrade, trade defaults
    let periods = match raw.meta.periods {
        None => Some(1),
        Some(p) if p >= 1 => usize::try_from(p).ok(),
        Some(p) => {
            ck.push(
                "meta",
                "periods",
                format!("periods must be an integer >= 1, got {p}"),
            );
            None
        }
    };
    let meta = Meta {
        name: raw.meta.name.clone().unwrap_or_default(),
        description: raw.meta.description.clone().unwrap_or_default(),
        currency: raw.meta.currency.clone().unwrap_or_default(),
        periods: periods.unwrap_or(1),
        discount_rate: ck.amount("meta", "discount_rate", raw.meta.discount_rate, 0.0),
    };
    let upgrade_discount = ck
        .share(
            "upgrade",
            "adjacency_discount",
            raw.upgrade.adjacency_discount,
        )
        .unwrap_or(0.0);
    let default_cost = ck.amount("trade", "default_cost", raw.trade.default_cost, 0.0);

    // ids
    let layer_names = Names::collect(
        &mut ck,
        "layer",
        "layer",
        raw.layer.iter().map(|l| l.id.as_deref()),
    );
    let country_names = Names::collect(
        &mut ck,
        "country",
        "country",
        raw.country.iter().map(|c| c.id.as_deref()),
    );
    // Agreement ids are only checked (missing, empty, duplicate); nothing refers to them.
    Names::collect(
        &mut ck,
        "agreement",
        "agreement",
        raw.agreement.iter().map(|a| a.id.as_deref()),
    );

    // layers
    let mut layers = Vec::new();
    for (i, l) in raw.layer.iter().enumerate() {
        let e = id_entity("layer", i + 1, l.id.as_deref());
        let id = l.id.clone().unwrap_or_default();
        let resolve = |ck: &mut Checker, field: &str, t: &Option<InputTable>| match t {
            Some(t) => layer_names.resolve_table(ck, &e, field, t),
            None => Vec::new(),
        };
        let inputs = resolve(&mut ck, "inputs", &l.inputs);
        let import_requires = resolve(&mut ck, "import_requires", &l.import_requires);
        let adjacent = match &l.adjacent {
            Some(list) => layer_names.resolve_list(&mut ck, &e, "adjacent", list),
            None => Vec::new(),
        };
        if l.adjacent.iter().flatten().any(|k| *k == id) {
            ck.push(
                &e,
                "adjacent",
                format!("adjacent lists the layer itself (\"{id}\")"),
            );
        }
        let requires_adjacent = l.requires_adjacent.unwrap_or(false);
        if requires_adjacent && l.adjacent.as_ref().is_none_or(|a| a.is_empty()) {
            let message = "requires_adjacent needs at least one adjacent layer".to_string();
            ck.push(&e, "requires_adjacent", message);
        }
        layers.push(Layer {
            name: l.name.clone().unwrap_or_else(|| id.clone()),
            id,
            tradable: l.tradable.unwrap_or(true),
            inputs,
            import_requires,
            trade_cost: ck.optional_amount(&e, "trade_cost", l.trade_cost),
            interop_cost: ck.amount(&e, "interop_cost", l.interop_cost, 0.0),
            adjacent,
            adjacency_discount: ck
                .share(&e, "adjacency_discount", l.adjacency_discount)
                .unwrap_or(upgrade_discount),
            requires_adjacent,
        });
    }

    let countries: Vec<Country> = raw
        .country
        .iter()
        .map(|c| {
            let id = c.id.clone().unwrap_or_default();
            Country {
                name: c.name.clone().unwrap_or_else(|| id.clone()),
                id,
            }
        })
        .collect();

    // A capability or demand or security entry's (country, layer), both required.
    let pair = |ck: &mut Checker, e: &str, c: &Option<String>, l: &Option<String>| {
        let c = ck.required(e, "country", c.as_deref());
        let l = ck.required(e, "layer", l.as_deref());
        let c = country_names.resolve_opt(ck, e, "country", c);
        let l = layer_names.resolve_opt(ck, e, "layer", l);
        c.zip(l)
    };

    // capabilities
    let mut capabilities = Vec::new();
    let mut capability_index = HashMap::new();
    // Capabilities whose own `inputs` differ from their layer's: they make A_c differ from A.
    let mut overrides: Vec<(CountryId, LayerId, usize)> = Vec::new();
    let mut seen = HashMap::new();
    for (i, cap) in raw.capability.iter().enumerate() {
        let n = i + 1;
        let e = pair_entity(
            "capability",
            n,
            cap.country.as_deref(),
            cap.layer.as_deref(),
        );
        let key = pair(&mut ck, &e, &cap.country, &cap.layer);
        let unit_cost = ck.required(&e, "unit_cost", cap.unit_cost);
        let unit_cost = ck.amount(&e, "unit_cost", unit_cost, 0.0);
        let own_inputs = cap
            .inputs
            .as_ref()
            .map(|t| layer_names.resolve_table(&mut ck, &e, "inputs", t));
        let built = Capability {
            country: 0,
            layer: 0,
            unit_cost,
            cost_trend: ck.amount(&e, "cost_trend", cap.cost_trend, 1.0),
            inputs: Vec::new(),
            capacity: ck.amount(&e, "capacity", cap.capacity, 0.0),
            max_expansion: ck.amount(&e, "max_expansion", cap.max_expansion, 0.0),
            expansion_cost: ck.amount(&e, "expansion_cost", cap.expansion_cost, 0.0),
            lead_time: ck.count(&e, "lead_time", cap.lead_time, 0),
            entry_cost: ck.amount(&e, "entry_cost", cap.entry_cost, 0.0),
            min_scale: ck.amount(&e, "min_scale", cap.min_scale, 0.0),
            capacity_trend: ck.amount(&e, "capacity_trend", cap.capacity_trend, 1.0),
            lifetime: lifetime(&mut ck, &e, cap.lifetime),
            cost_curve: cap
                .cost_curve
                .as_ref()
                .and_then(|c| cost_curve(&mut ck, &e, c)),
            learning: cap.learning.as_ref().and_then(|l| learning(&mut ck, &e, l)),
        };
        if cap.cost_curve.is_some() && cap.learning.is_some() {
            let message = "cost_curve and learning cannot both be given for one capability \
                           (MODEL.md 13.2)"
                .to_string();
            ck.push(&e, "learning", message);
        }
        let Some((c, l)) = key else { continue };
        if duplicate_pair(&mut ck, &mut seen, (c, l), n, "capability", &e) {
            continue;
        }
        let inputs = match own_inputs {
            Some(own) => {
                if sorted(&own) != sorted(&layers[l].inputs) {
                    overrides.push((c, l, capabilities.len()));
                }
                own
            }
            None => layers[l].inputs.clone(),
        };
        capability_index.insert((c, l), capabilities.len());
        capabilities.push(Capability {
            country: c,
            layer: l,
            inputs,
            ..built
        });
    }

    // demand
    let mut demands = Vec::new();
    let mut seen = HashMap::new();
    for (i, d) in raw.demand.iter().enumerate() {
        let n = i + 1;
        let e = pair_entity("demand", n, d.country.as_deref(), d.layer.as_deref());
        let key = pair(&mut ck, &e, &d.country, &d.layer);
        let mut blocks = Vec::new();
        if let Some(raw_blocks) = ck.required(&e, "blocks", d.blocks.as_ref()) {
            if raw_blocks.is_empty() && !ck.reported(&e, "blocks") {
                let message = "blocks is empty; give at least one { quantity, value } block";
                ck.push(&e, "blocks", message.into());
            }
            for (j, b) in raw_blocks.iter().enumerate() {
                let be = format!("{e} block {}", j + 1);
                let quantity = ck.required(&be, "quantity", b.quantity);
                let value = ck.required(&be, "value", b.value);
                blocks.push(Block {
                    quantity: ck.amount(&be, "quantity", quantity, 0.0),
                    value: ck.amount(&be, "value", value, 0.0),
                });
            }
        }
        let growth = ck.amount(&e, "growth", d.growth, 1.0);
        let must_serve = ck.amount(&e, "must_serve", d.must_serve, 0.0);
        let Some((c, l)) = key else { continue };
        if duplicate_pair(&mut ck, &mut seen, (c, l), n, "demand", &e) {
            continue;
        }
        demands.push(Demand {
            country: c,
            layer: l,
            blocks,
            growth,
            must_serve,
        });
    }

    // security
    let mut security = Vec::new();
    let mut seen = HashMap::new();
    for (i, s) in raw.security.iter().enumerate() {
        let n = i + 1;
        let e = pair_entity("security", n, s.country.as_deref(), s.layer.as_deref());
        let key = pair(&mut ck, &e, &s.country, &s.layer);
        let domestic_floor = ck.share(&e, "domestic_floor", s.domestic_floor);
        let max_supplier_share = ck.share(&e, "max_supplier_share", s.max_supplier_share);
        let n_minus_1 = ck.share(&e, "n_minus_1", s.n_minus_1);
        let reserve_cost = ck.amount(&e, "reserve_cost", s.reserve_cost, 0.0);
        let basis = match s.basis.as_deref() {
            None | Some("total") => Basis::Total,
            Some("final") => Basis::Final,
            Some(other) => {
                let message = format!(
                    "basis must be \"total\" or \"final\", got \"{}\"",
                    cut_text(other, 40)
                );
                ck.push(&e, "basis", message);
                Basis::Total
            }
        };
        let shortfall_penalty = ck.optional_amount(&e, "shortfall_penalty", s.shortfall_penalty);
        let Some((c, l)) = key else { continue };
        if duplicate_pair(&mut ck, &mut seen, (c, l), n, "security", &e) {
            continue;
        }
        security.push(SecurityPolicy {
            country: c,
            layer: l,
            domestic_floor,
            max_supplier_share,
            n_minus_1,
            reserve_cost,
            basis,
            shortfall_penalty,
        });
    }

    // trade
    let route = |ck: &mut Checker, e: &str, from: &Option<String>, to: &Option<String>| {
        let from_name = ck.required(e, "from", from.as_deref());
        let to_name = ck.required(e, "to", to.as_deref());
        let f = country_names.resolve_opt(ck, e, "from", from_name);
        let t = country_names.resolve_opt(ck, e, "to", to_name);
        if let (Some(a), Some(b)) = (from_name, to_name) {
            if a == b {
                let message = format!("from and to are both \"{a}\"; a route needs two countries");
                ck.push(e, "to", message);
                return None;
            }
        }
        f.zip(t)
    };
    let mut trade = Trade {
        default_cost,
        costs: Vec::new(),
        blocks: Vec::new(),
    };
    let mut seen: HashMap<(usize, usize, Option<usize>), usize> = HashMap::new();
    for (i, tc) in raw.trade.cost.iter().enumerate() {
        let e = format!("trade.cost {}", i + 1);
        let ends = route(&mut ck, &e, &tc.from, &tc.to);
        let layer = layer_names.resolve_opt(&mut ck, &e, "layer", tc.layer.as_deref());
        let cost = ck.required(&e, "cost", tc.cost);
        let cost = ck.amount(&e, "cost", cost, 0.0);
        let Some((from, to)) = ends else { continue };
        if tc.layer.is_some() && layer.is_none() {
            continue;
        }
        if let Some(first) = seen.insert((from, to, layer), i + 1) {
            let message = format!("same from, to and layer as trade.cost {first}");
            ck.push(&e, "layer", message);
            continue;
        }
        trade.costs.push(TradeCost {
            from,
            to,
            layer,
            cost,
        });
    }
    for (i, tb) in raw.trade.block.iter().enumerate() {
        let e = format!("trade.block {}", i + 1);
        let ends = route(&mut ck, &e, &tb.from, &tb.to);
        let layers = tb.layers.as_ref().map(|list| {
            if list.is_empty() && !ck.reported(&e, "layers") {
                let message = "layers is empty; omit it to block every layer".to_string();
                ck.push(&e, "layers", message);
            }
            layer_names.resolve_list(&mut ck, &e, "layers", list)
        });
        if let Some((from, to)) = ends {
            trade.blocks.push(TradeBlock { from, to, layers });
        }
    }

    // agreements
    let mut agreements = Vec::new();
    for (i, a) in raw.agreement.iter().enumerate() {
        let e = id_entity("agreement", i + 1, a.id.as_deref());
        let id = a.id.clone().unwrap_or_default();
        let member_names = ck
            .required(&e, "members", a.members.clone())
            .unwrap_or_default();
        let members = country_names.resolve_list(&mut ck, &e, "members", &member_names);
        let distinct = member_names
            .iter()
            .enumerate()
            .filter(|(j, m)| !member_names[..*j].contains(m))
            .count();
        if a.members.is_some() && distinct < 2 {
            let message =
                format!("members must name at least two different countries, got {distinct}");
            ck.push(&e, "members", message);
        }
        let mut clauses = Vec::new();
        for (j, raw_clause) in a.clause.iter().enumerate() {
            let ce = clause_entity(&e, j + 1, raw_clause.kind.as_deref());
            let ctx = ClauseContext {
                agreement: &id,
                member_names: &member_names,
                periods,
                layer_names: &layer_names,
                country_names: &country_names,
                capability_index: &capability_index,
            };
            if let Some(clause) = ctx.clause(&mut ck, &ce, raw_clause) {
                clauses.push(clause);
            }
        }
        agreements.push(Agreement {
            name: a.name.clone().unwrap_or_else(|| id.clone()),
            id,
            members,
            active: a.active.unwrap_or(true),
            clauses,
        });
    }

    // uncertainty (MODEL.md section 10, 13.7)
    let targets = uncertainty::Targets {
        periods,
        layer_names: &layer_names,
        country_names: &country_names,
        capability_index: &capability_index,
        demands: &demands,
    };
    let uncertainty = raw
        .uncertainty
        .as_ref()
        .and_then(|u| uncertainty::validate(&mut ck, u, &targets));

    // productivity of A and of every country's A_c (MODEL.md section 2, capability inputs)
    let layer_ids: Vec<&str> = layers.iter().map(|l| l.id.as_str()).collect();
    let columns: Vec<Vec<(usize, f64)>> = layers.iter().map(|l| l.inputs.clone()).collect();
    for offense in spectral::unproductive(&columns) {
        let message = offense.message(&columns, &layer_ids);
        ck.push("layer technology", "inputs", message);
    }
    for (c, country) in countries.iter().enumerate() {
        let own: Vec<(LayerId, usize)> = overrides
            .iter()
            .filter(|o| o.0 == c)
            .map(|&(_, l, k)| (l, k))
            .collect();
        if own.is_empty() {
            continue;
        }
        let mut cols = columns.clone();
        for &(l, k) in &own {
            cols[l] = capabilities[k].inputs.clone();
        }
        // A component with none of the country's own columns is A's, reported above.
        for offense in spectral::unproductive(&cols) {
            if offense
                .nodes
                .iter()
                .any(|n| own.iter().any(|&(l, _)| l == *n))
            {
                let entity = format!("technology of country {}", country.id);
                ck.push(&entity, "inputs", offense.message(&cols, &layer_ids));
            }
        }
    }

    if !ck.problems.is_empty() {
        return Err(ScenarioError::Invalid {
            file: file.to_string(),
            problems: ck.problems,
        });
    }
    Ok(Scenario {
        meta,
        layers,
        countries,
        capabilities,
        demands,
        security,
        trade,
        agreements,
        uncertainty,
        capability_index,
    })
}

/// `lifetime`: an integer >= 1 (MODEL.md 13.1); absent = beyond the horizon.
fn lifetime(ck: &mut Checker, e: &str, v: Option<i64>) -> Option<usize> {
    match v {
        None => None,
        Some(v) if v >= 1 => usize::try_from(v).ok(),
        Some(v) => {
            ck.push(
                e,
                "lifetime",
                format!("lifetime must be an integer >= 1, got {v}"),
            );
            None
        }
    }
}

/// `cost_curve` (MODEL.md 11.1, 13.2): non-empty, `up_to` > 0 strictly increasing, `unit_cost`
/// >= 0 non-increasing. `None` when any of it is wrong (the problems are reported).
fn cost_curve(ck: &mut Checker, e: &str, raw: &[RawCurvePoint]) -> Option<Vec<CurveSegment>> {
    if raw.is_empty() {
        if !ck.reported(e, "cost_curve") {
            let message = "cost_curve is empty; give at least one { up_to, unit_cost } segment";
            ck.push(e, "cost_curve", message.into());
        }
        return None;
    }
    let before = ck.problems.len();
    let mut out = Vec::new();
    for (j, point) in raw.iter().enumerate() {
        let pe = format!("{e} cost_curve {}", j + 1);
        let up_to = ck.required(&pe, "up_to", point.up_to);
        let unit_cost = ck.required(&pe, "unit_cost", point.unit_cost);
        let (Some(up_to), Some(unit_cost)) = (up_to, unit_cost) else {
            continue;
        };
        if !up_to.is_finite() || up_to <= 0.0 {
            let message = format!("up_to must be a finite number > 0, got {}", fmt_num(up_to));
            ck.push(&pe, "up_to", message);
        }
        ck.check(&pe, "unit_cost", "unit_cost", unit_cost, false);
        if let Some(prev) = out.last().copied() {
            let CurveSegment {
                up_to: q0,
                unit_cost: u0,
            } = prev;
            if up_to <= q0 {
                let message = format!(
                    "up_to must increase from one segment to the next: {} after {}",
                    fmt_num(up_to),
                    fmt_num(q0)
                );
                ck.push(&pe, "up_to", message);
            }
            if unit_cost > u0 {
                let message = format!(
                    "unit_cost must not increase with scale (MODEL.md 11.1): {} after {}",
                    fmt_num(unit_cost),
                    fmt_num(u0)
                );
                ck.push(&pe, "unit_cost", message);
            }
        }
        out.push(CurveSegment { up_to, unit_cost });
    }
    (ck.problems.len() == before).then_some(out)
}

/// `learning` (MODEL.md 11.2, 13.2): progress_ratio in (0,1], experience > 0, max_experience >
/// experience (all required), segments integer >= 1 (default 4).
fn learning(ck: &mut Checker, e: &str, raw: &RawLearning) -> Option<Learning> {
    let le = format!("{e} learning");
    let before = ck.problems.len();
    let p = ck.required(&le, "progress_ratio", raw.progress_ratio);
    let e0 = ck.required(&le, "experience", raw.experience);
    let emax = ck.required(&le, "max_experience", raw.max_experience);
    if let Some(p) = p {
        if !(p.is_finite() && p > 0.0 && p <= 1.0) {
            let message = format!("progress_ratio must lie in (0, 1], got {}", fmt_num(p));
            ck.push(&le, "progress_ratio", message);
        }
    }
    if let Some(e0) = e0 {
        if !(e0.is_finite() && e0 > 0.0) {
            let message = format!(
                "experience must be a finite number > 0, got {}",
                fmt_num(e0)
            );
            ck.push(&le, "experience", message);
        }
    }
    if let (Some(e0), Some(emax)) = (e0, emax) {
        if !emax.is_finite() || emax <= e0 {
            let message = format!(
                "max_experience must be a finite number > experience ({}), got {}",
                fmt_num(e0),
                fmt_num(emax)
            );
            ck.push(&le, "max_experience", message);
        }
    }
    let segments = match raw.segments {
        None => 4,
        Some(j) if j >= 1 => usize::try_from(j).unwrap_or(4),
        Some(j) => {
            let message = format!("segments must be an integer >= 1, got {j}");
            ck.push(&le, "segments", message);
            4
        }
    };
    if ck.problems.len() != before {
        return None;
    }
    Some(Learning {
        progress_ratio: p?,
        experience: e0?,
        max_experience: emax?,
        segments,
    })
}

fn sorted(v: &[(usize, f64)]) -> Vec<(usize, f64)> {
    let mut v = v.to_vec();
    v.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    v
}

/// What a clause is checked against.
struct ClauseContext<'a> {
    agreement: &'a str,
    member_names: &'a [String],
    /// `None` if `meta.periods` itself is invalid.
    periods: Option<usize>,
    layer_names: &'a Names<'a>,
    country_names: &'a Names<'a>,
    capability_index: &'a HashMap<(CountryId, LayerId), usize>,
}

impl ClauseContext<'_> {
    fn clause(&self, ck: &mut Checker, e: &str, raw: &RawClause) -> Option<Clause> {
        let kind = ck.required(e, "kind", raw.kind.as_deref())?;
        let Some(&(kind, required, optional)) = CLAUSE_KINDS.iter().find(|k| k.0 == kind) else {
            let kinds = CLAUSE_KINDS.iter().map(|k| k.0);
            let hint = match did_you_mean(kind, kinds.clone()) {
                Some(s) => format!("did you mean \"{s}\"?"),
                None => format!("expected one of: {}", kinds.collect::<Vec<_>>().join(", ")),
            };
            ck.push(e, "kind", format!("kind \"{kind}\" is unknown ({hint})"));
            return None;
        };
        for field in raw.present_fields() {
            if !required.contains(&field) && !optional.contains(&field) {
                let takes = required
                    .iter()
                    .chain(optional)
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", ");
                let message = format!(
                    "field \"{field}\" does not apply to a {kind} clause (it takes: {takes})"
                );
                ck.push(e, field, message);
            }
        }
        let mut complete = true;
        let mut need = |ck: &mut Checker, field: &str, given: bool| {
            if !given {
                complete = false;
                ck.required::<()>(e, field, None);
            }
        };
        for &field in required {
            let given = match field {
                "layers" => raw.layers.is_some(),
                "factor" => raw.factor.is_some(),
                "layer" => raw.layer.is_some(),
                "max_producers" => raw.max_producers.is_some(),
                "country" => raw.country.is_some(),
                "build" => raw.build.is_some(),
                "entry_discount" => raw.entry_discount.is_some(),
                "share" => raw.share.is_some(),
                _ => true,
            };
            need(ck, field, given);
        }
        let layers = raw.layers.as_ref().map(|list| {
            if list.is_empty() && !ck.reported(e, "layers") {
                ck.push(
                    e,
                    "layers",
                    "layers is empty; a clause must name at least one layer".into(),
                );
            }
            self.layer_names.resolve_list(ck, e, "layers", list)
        });
        let layer = self
            .layer_names
            .resolve_opt(ck, e, "layer", raw.layer.as_deref());
        let factor = ck.share(e, "factor", raw.factor);
        let entry_discount = ck.share(e, "entry_discount", raw.entry_discount);
        let share = ck.share(e, "share", raw.share);
        let max_producers = raw
            .max_producers
            .map(|v| ck.count(e, "max_producers", Some(v), 0));
        if !complete {
            return None;
        }
        match kind {
            "mutual_recognition" => Some(Clause::MutualRecognition { layers: layers? }),
            "trusted_supply" => Some(Clause::TrustedSupply { layers: layers? }),
            "trade_cost_factor" => Some(Clause::TradeCostFactor {
                layers: layers?,
                factor: factor?,
            }),
            "no_duplication" => Some(Clause::NoDuplication {
                layer: layer?,
                max_producers: max_producers?,
            }),
            "upgrade_route" => Some(Clause::UpgradeRoute {
                layers: layers?,
                entry_discount: entry_discount?,
            }),
            "technology_transfer" => Some(Clause::TechnologyTransfer {
                layers: layers?,
                share: share?,
            }),
            "commit" => self.commit(ck, e, raw, layer),
            _ => None,
        }
    }

    fn commit(
        &self,
        ck: &mut Checker,
        e: &str,
        raw: &RawClause,
        layer: Option<LayerId>,
    ) -> Option<Clause> {
        let name = raw.country.as_deref()?;
        let country = self.country_names.resolve(ck, e, "country", name);
        if country.is_some() && !self.member_names.iter().any(|m| m == name) {
            let message = format!(
                "country \"{name}\" is not a member of agreement {} (members: {})",
                self.agreement,
                self.member_names.join(", ")
            );
            ck.push(e, "country", message);
        }
        let from_period = match (raw.from_period, self.periods) {
            (None, _) => 1,
            (Some(v), Some(n)) if v < 1 || v as u64 > n as u64 => {
                ck.push(
                    e,
                    "from_period",
                    format!("from_period must be in 1..={n}, got {v}"),
                );
                1
            }
            (Some(v), None) if v < 1 => {
                ck.push(
                    e,
                    "from_period",
                    format!("from_period must be >= 1, got {v}"),
                );
                1
            }
            (Some(v), _) => usize::try_from(v).unwrap_or(1),
        };
        let (country, layer) = (country?, layer?);
        if !self.capability_index.contains_key(&(country, layer)) {
            let layer_name = raw.layer.as_deref().unwrap_or_default();
            let message = format!(
                "country \"{name}\" has no [[capability]] for layer \"{layer_name}\"; a commit needs one"
            );
            ck.push(e, "layer", message);
        }
        Some(Clause::Commit {
            country,
            layer,
            build: raw.build?,
            from_period,
        })
    }
}

#[cfg(test)]
mod tests;
mod uncertainty;
