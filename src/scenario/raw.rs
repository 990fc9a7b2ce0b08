//! The scenario file as read (MODEL.md section 2), before ids are resolved.
//!
//! serde parses the text (TOML or JSON) into a generic [`Node`] tree that keeps the file's key
//! order; the tree is then read field by field against the schema of each table. Unknown fields
//! and values of the wrong type are collected as [`Problem`]s instead of aborting, so that
//! validation can report them together with every other problem. Only syntax errors stop here.
//! Every field is optional at this stage: a missing required field is a validation problem.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use super::validate::{did_you_mean, Problem, ScenarioError};
use super::Format;

/// `{layer id: coefficient}` in file order.
pub type InputTable = Vec<(String, f64)>;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawScenario {
    pub meta: RawMeta,
    pub trade: RawTrade,
    pub upgrade: RawUpgrade,
    pub layer: Vec<RawLayer>,
    pub country: Vec<RawCountry>,
    pub capability: Vec<RawCapability>,
    pub demand: Vec<RawDemand>,
    pub security: Vec<RawSecurity>,
    pub agreement: Vec<RawAgreement>,
    /// `[uncertainty]` (MODEL.md section 10); `None` = no such table (a deterministic file).
    pub uncertainty: Option<RawUncertainty>,
    /// Unknown fields and mistyped values met while reading; validation reports them first.
    pub problems: Vec<Problem>,
    /// (entity, field) for each unknown field that looks like a typo of a field not given:
    /// validation then does not also report that field as missing.
    pub misspelt: Vec<(String, String)>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawMeta {
    pub name: Option<String>,
    pub description: Option<String>,
    pub currency: Option<String>,
    pub periods: Option<i64>,
    pub discount_rate: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawTrade {
    pub default_cost: Option<f64>,
    pub cost: Vec<RawTradeCost>,
    pub block: Vec<RawTradeBlock>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawTradeCost {
    pub from: Option<String>,
    pub to: Option<String>,
    pub layer: Option<String>,
    pub cost: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawTradeBlock {
    pub from: Option<String>,
    pub to: Option<String>,
    pub layers: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawUpgrade {
    pub adjacency_discount: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawLayer {
    pub id: Option<String>,
    pub name: Option<String>,
    pub tradable: Option<bool>,
    pub inputs: Option<InputTable>,
    pub import_requires: Option<InputTable>,
    pub trade_cost: Option<f64>,
    pub interop_cost: Option<f64>,
    pub adjacent: Option<Vec<String>>,
    pub adjacency_discount: Option<f64>,
    pub requires_adjacent: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawCountry {
    pub id: Option<String>,
    pub name: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawCapability {
    pub country: Option<String>,
    pub layer: Option<String>,
    pub unit_cost: Option<f64>,
    pub cost_trend: Option<f64>,
    /// `Some(empty)` (written `inputs = {}`) means "no inputs", unlike `None`.
    pub inputs: Option<InputTable>,
    pub capacity: Option<f64>,
    pub max_expansion: Option<f64>,
    pub expansion_cost: Option<f64>,
    pub lead_time: Option<i64>,
    pub entry_cost: Option<f64>,
    pub min_scale: Option<f64>,
    pub capacity_trend: Option<f64>,
    pub lifetime: Option<i64>,
    /// `Some(empty)` is an error reported by validation (a curve needs a segment).
    pub cost_curve: Option<Vec<RawCurvePoint>>,
    pub learning: Option<RawLearning>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawCurvePoint {
    pub up_to: Option<f64>,
    pub unit_cost: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawLearning {
    pub progress_ratio: Option<f64>,
    pub experience: Option<f64>,
    pub max_experience: Option<f64>,
    pub segments: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawBlock {
    pub quantity: Option<f64>,
    pub value: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawDemand {
    pub country: Option<String>,
    pub layer: Option<String>,
    pub blocks: Option<Vec<RawBlock>>,
    pub growth: Option<f64>,
    pub must_serve: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawSecurity {
    pub country: Option<String>,
    pub layer: Option<String>,
    pub domestic_floor: Option<f64>,
    pub max_supplier_share: Option<f64>,
    pub n_minus_1: Option<f64>,
    pub reserve_cost: Option<f64>,
    pub basis: Option<String>,
    pub shortfall_penalty: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawAgreement {
    pub id: Option<String>,
    pub name: Option<String>,
    pub members: Option<Vec<String>>,
    pub active: Option<bool>,
    pub clause: Vec<RawClause>,
}

/// `[uncertainty]` with its `[[uncertainty.outcome]]` entries (MODEL.md section 10).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawUncertainty {
    pub reveal_period: Option<i64>,
    pub risk_weight: Option<f64>,
    pub tail: Option<f64>,
    pub outcome: Vec<RawOutcome>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawOutcome {
    pub id: Option<String>,
    pub name: Option<String>,
    pub probability: Option<f64>,
    pub effects: Vec<RawEffect>,
}

/// An effect with the union of all kinds' fields; which ones a kind takes is checked later.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawEffect {
    pub kind: Option<String>,
    pub country: Option<String>,
    pub layer: Option<String>,
    pub factor: Option<f64>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub layers: Option<Vec<String>>,
}

impl RawEffect {
    /// Names of the fields given in the file (other than `kind`).
    pub fn present_fields(&self) -> Vec<&'static str> {
        [
            (self.country.is_some(), "country"),
            (self.layer.is_some(), "layer"),
            (self.factor.is_some(), "factor"),
            (self.from.is_some(), "from"),
            (self.to.is_some(), "to"),
            (self.layers.is_some(), "layers"),
        ]
        .into_iter()
        .filter(|x| x.0)
        .map(|x| x.1)
        .collect()
    }
}

/// A clause with the union of all kinds' fields; which ones a kind takes is checked later.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawClause {
    pub kind: Option<String>,
    pub layers: Option<Vec<String>>,
    pub factor: Option<f64>,
    pub layer: Option<String>,
    pub max_producers: Option<i64>,
    pub country: Option<String>,
    pub build: Option<bool>,
    pub from_period: Option<i64>,
    pub entry_discount: Option<f64>,
    pub share: Option<f64>,
}

impl RawClause {
    /// Names of the fields given in the file (other than `kind`).
    pub fn present_fields(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        let mut add = |given: bool, name: &'static str| {
            if given {
                out.push(name)
            }
        };
        add(self.layers.is_some(), "layers");
        add(self.factor.is_some(), "factor");
        add(self.layer.is_some(), "layer");
        add(self.max_producers.is_some(), "max_producers");
        add(self.country.is_some(), "country");
        add(self.build.is_some(), "build");
        add(self.from_period.is_some(), "from_period");
        add(self.entry_discount.is_some(), "entry_discount");
        add(self.share.is_some(), "share");
        out
    }
}

// Field lists per table kind: the schema that unknown fields are checked against.
pub(crate) const TOP: &[&str] = &[
    "meta",
    "trade",
    "upgrade",
    "layer",
    "country",
    "capability",
    "demand",
    "security",
    "agreement",
    "uncertainty",
    // Named variants (`[variant.NAME]`), read by `scenario::overrides`; see decisions.md.
    "variant",
];
pub(crate) const META: &[&str] = &[
    "name",
    "description",
    "currency",
    "periods",
    "discount_rate",
];
pub(crate) const TRADE: &[&str] = &["default_cost", "cost", "block"];
pub(crate) const TRADE_COST: &[&str] = &["from", "to", "layer", "cost"];
pub(crate) const TRADE_BLOCK: &[&str] = &["from", "to", "layers"];
pub(crate) const UPGRADE: &[&str] = &["adjacency_discount"];
pub(crate) const LAYER: &[&str] = &[
    "id",
    "name",
    "tradable",
    "inputs",
    "import_requires",
    "trade_cost",
    "interop_cost",
    "adjacent",
    "adjacency_discount",
    "requires_adjacent",
];
pub(crate) const COUNTRY: &[&str] = &["id", "name"];
pub(crate) const CAPABILITY: &[&str] = &[
    "country",
    "layer",
    "unit_cost",
    "cost_trend",
    "inputs",
    "capacity",
    "max_expansion",
    "expansion_cost",
    "lead_time",
    "entry_cost",
    "min_scale",
    "capacity_trend",
    "lifetime",
    "cost_curve",
    "learning",
];
pub(crate) const CURVE_POINT: &[&str] = &["up_to", "unit_cost"];
pub(crate) const LEARNING: &[&str] =
    &["progress_ratio", "experience", "max_experience", "segments"];
pub(crate) const DEMAND: &[&str] = &["country", "layer", "blocks", "growth", "must_serve"];
pub(crate) const BLOCK: &[&str] = &["quantity", "value"];
pub(crate) const SECURITY: &[&str] = &[
    "country",
    "layer",
    "domestic_floor",
    "max_supplier_share",
    "n_minus_1",
    "reserve_cost",
    "basis",
    "shortfall_penalty",
];
pub(crate) const UNCERTAINTY: &[&str] = &["reveal_period", "risk_weight", "tail", "outcome"];
pub(crate) const OUTCOME: &[&str] = &["id", "name", "probability", "effects"];
pub(crate) const EFFECT: &[&str] = &["kind", "country", "layer", "factor", "from", "to", "layers"];
pub(crate) const AGREEMENT: &[&str] = &["id", "name", "members", "active", "clause"];
pub(crate) const CLAUSE: &[&str] = &[
    "kind",
    "layers",
    "factor",
    "layer",
    "max_producers",
    "country",
    "build",
    "from_period",
    "entry_discount",
    "share",
];

/// Entity name of an entry with an id: `layer fab`, or `layer 3` (1-based) when it has none.
pub(crate) fn id_entity(kind: &str, n: usize, id: Option<&str>) -> String {
    match id {
        Some(id) if !id.trim().is_empty() => format!("{kind} {id}"),
        _ => format!("{kind} {n}"),
    }
}

/// Entity name of a (country, layer) entry: `capability KOR/fab`, or `capability 3`.
pub(crate) fn pair_entity(
    kind: &str,
    n: usize,
    country: Option<&str>,
    layer: Option<&str>,
) -> String {
    match (country, layer) {
        (Some(c), Some(l)) if !c.trim().is_empty() && !l.trim().is_empty() => {
            format!("{kind} {c}/{l}")
        }
        _ => format!("{kind} {n}"),
    }
}

/// Entity name of a clause: `agreement chip-alliance clause 2 (no_duplication)`.
pub(crate) fn clause_entity(agreement: &str, n: usize, kind: Option<&str>) -> String {
    match kind {
        Some(k) if !k.trim().is_empty() => format!("{agreement} clause {n} ({k})"),
        _ => format!("{agreement} clause {n}"),
    }
}

/// Entity name of an effect: `uncertainty.outcome taiwan-blockade effect 2 (block)`.
pub(crate) fn effect_entity(outcome: &str, n: usize, kind: Option<&str>) -> String {
    match kind {
        Some(k) if !k.trim().is_empty() => format!("{outcome} effect {n} ({k})"),
        _ => format!("{outcome} effect {n}"),
    }
}

impl RawScenario {
    /// Parse scenario text. Syntax errors are `Err`; unknown fields and wrongly typed values
    /// end up in [`RawScenario::problems`].
    pub fn parse(text: &str, format: Format, file: &str) -> Result<RawScenario, ScenarioError> {
        let node = parse_node(text, format, file)?;
        RawScenario::from_node(&node, file)
    }

    /// Read an already parsed tree (after overrides were applied to it, see
    /// [`super::overrides`]).
    pub(crate) fn from_node(node: &Node, file: &str) -> Result<RawScenario, ScenarioError> {
        let Node::Table(top) = node else {
            return Err(ScenarioError::Parse {
                file: file.to_string(),
                message: format!(
                    "the top level must be a table (JSON object), got {}",
                    describe(node)
                ),
            });
        };
        let mut r = Reader::default();
        let raw = r.scenario(top);
        Ok(RawScenario {
            problems: r.problems,
            misspelt: r.misspelt,
            ..raw
        })
    }
}

/// Parse scenario text into a [`Node`] tree; only syntax errors fail here.
pub(crate) fn parse_node(text: &str, format: Format, file: &str) -> Result<Node, ScenarioError> {
    let parse_error = |message: String| ScenarioError::Parse {
        file: file.to_string(),
        message: message.trim_end().to_string(),
    };
    match format {
        Format::Toml => toml::from_str(text).map_err(|e| parse_error(e.to_string())),
        Format::Json => serde_json::from_str(text).map_err(|e| parse_error(e.to_string())),
    }
}

/// A parsed value of either format, with table keys in file order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<Node>),
    Table(Vec<(String, Node)>),
}

/// The key under which the `toml` deserializer hands out a datetime.
const TOML_DATETIME: &str = "$__toml_private_datetime";

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Node, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        Ok(i64::try_from(v)
            .map(Node::Int)
            .unwrap_or(Node::Float(v as f64)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Str(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Node, E> {
        Ok(Node::Str(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        Node::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Node::List(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some((key, value)) = map.next_entry::<String, Node>()? {
            if key == TOML_DATETIME {
                // A TOML datetime: no scenario field takes one; keep its text for messages.
                if let Node::Str(text) = value {
                    return Ok(Node::Str(text));
                }
            }
            entries.push((key, value));
        }
        Ok(Node::Table(entries))
    }
}

/// How a value is shown in "expected X, got Y" messages.
pub(crate) fn describe(node: &Node) -> String {
    match node {
        Node::Null => "null".into(),
        Node::Bool(b) => b.to_string(),
        Node::Int(i) => i.to_string(),
        Node::Float(f) => f.to_string(),
        Node::Str(s) if s.chars().count() > 40 => {
            format!("\"{}...\"", s.chars().take(40).collect::<String>())
        }
        Node::Str(s) => format!("\"{s}\""),
        Node::List(_) => "a list".into(),
        Node::Table(_) => "a table".into(),
    }
}

type Entries = [(String, Node)];

/// First string value of `key`, used to name an entity before it is read.
fn peek_str<'a>(entries: &'a Entries, key: &str) -> Option<&'a str> {
    entries
        .iter()
        .find(|(k, _)| k == key)
        .and_then(|(_, v)| match v {
            Node::Str(s) => Some(s.as_str()),
            _ => None,
        })
}

/// One table being read, with the entity name its problems are reported under.
struct Table<'a> {
    entity: String,
    entries: &'a Entries,
}

impl<'a> Table<'a> {
    /// The first value given for `key`; `null` counts as absent.
    fn get(&self, key: &str) -> Option<&'a Node> {
        self.entries
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
            .filter(|v| !matches!(v, Node::Null))
    }
}

/// Reads a [`Node`] tree into the raw types, collecting problems.
#[derive(Default)]
struct Reader {
    problems: Vec<Problem>,
    misspelt: Vec<(String, String)>,
}

impl Reader {
    fn problem(&mut self, entity: &str, field: &str, message: String) {
        use super::validate::cut_text;
        self.problems.push(Problem {
            entity: cut_text(entity, 200),
            field: cut_text(field, 100),
            message: cut_text(&message, 500),
        });
    }

    fn wrong_type(&mut self, t: &Table, key: &str, expected: &str, got: &Node) {
        let message = format!("{key} must be {expected}, got {}", describe(got));
        self.problem(&t.entity, key, message);
    }

    /// Start reading a table: report every unknown or repeated key.
    fn open<'a>(&mut self, entity: String, entries: &'a Entries, known: &[&str]) -> Table<'a> {
        for (i, (key, _)) in entries.iter().enumerate() {
            if !known.contains(&key.as_str()) {
                let hint = match did_you_mean(key, known.iter().copied()) {
                    Some(s) => {
                        if !entries.iter().any(|(k, _)| k == s) {
                            self.misspelt.push((entity.clone(), s.to_string()));
                        }
                        format!("did you mean \"{s}\"?")
                    }
                    None => format!("expected one of: {}", known.join(", ")),
                };
                self.problem(&entity, key, format!("unknown field \"{key}\" ({hint})"));
            } else if entries[..i].iter().any(|(k, _)| k == key) {
                self.problem(
                    &entity,
                    key,
                    format!("field \"{key}\" is given more than once"),
                );
            }
        }
        Table { entity, entries }
    }

    fn string(&mut self, t: &Table, key: &str) -> Option<String> {
        match t.get(key)? {
            Node::Str(s) => Some(s.clone()),
            other => {
                self.wrong_type(t, key, "a string", other);
                None
            }
        }
    }

    fn number(&mut self, t: &Table, key: &str) -> Option<f64> {
        match t.get(key)? {
            Node::Int(i) => Some(*i as f64),
            Node::Float(f) => Some(*f),
            other => {
                self.wrong_type(t, key, "a number", other);
                None
            }
        }
    }

    fn integer(&mut self, t: &Table, key: &str) -> Option<i64> {
        match t.get(key)? {
            Node::Int(i) => Some(*i),
            // 2.0 is accepted as 2: JSON writers often cannot tell the two apart.
            Node::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(*f as i64),
            other => {
                self.wrong_type(t, key, "an integer", other);
                None
            }
        }
    }

    fn boolean(&mut self, t: &Table, key: &str) -> Option<bool> {
        match t.get(key)? {
            Node::Bool(b) => Some(*b),
            other => {
                self.wrong_type(t, key, "true or false", other);
                None
            }
        }
    }

    fn string_list(&mut self, t: &Table, key: &str) -> Option<Vec<String>> {
        match t.get(key)? {
            Node::List(items) => {
                let mut out = Vec::new();
                for item in items {
                    match item {
                        Node::Str(s) => out.push(s.clone()),
                        other => self.wrong_type(t, key, "a list of strings", other),
                    }
                }
                Some(out)
            }
            other => {
                self.wrong_type(t, key, "a list of strings", other);
                None
            }
        }
    }

    /// A `{layer: coefficient}` table, in file order.
    fn input_table(&mut self, t: &Table, key: &str) -> Option<InputTable> {
        match t.get(key)? {
            Node::Table(entries) => {
                let mut out: InputTable = Vec::new();
                for (k, v) in entries {
                    let value = match v {
                        Node::Int(i) => *i as f64,
                        Node::Float(f) => *f,
                        other => {
                            let message =
                                format!("{key}.{k} must be a number, got {}", describe(other));
                            self.problem(&t.entity, key, message);
                            continue;
                        }
                    };
                    if out.iter().any(|(seen, _)| seen == k) {
                        self.problem(
                            &t.entity,
                            key,
                            format!("{key} lists \"{k}\" more than once"),
                        );
                        continue;
                    }
                    out.push((k.clone(), value));
                }
                Some(out)
            }
            other => {
                self.wrong_type(t, key, "a table of numbers such as { fab = 0.5 }", other);
                None
            }
        }
    }

    fn table<'a>(&mut self, t: &Table<'a>, key: &str) -> Option<&'a Entries> {
        match t.get(key)? {
            Node::Table(entries) => Some(entries),
            other => {
                self.wrong_type(t, key, "a table", other);
                None
            }
        }
    }

    /// An array of tables (`[[key]]`); entries that are not tables are reported and skipped.
    fn table_list<'a>(&mut self, t: &Table<'a>, key: &str) -> Vec<&'a Entries> {
        let Some(node) = t.get(key) else {
            return Vec::new();
        };
        match node {
            Node::List(items) => {
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    match item {
                        Node::Table(entries) => out.push(entries.as_slice()),
                        other => {
                            let message = format!(
                                "{key} entry {} must be a table, got {}",
                                i + 1,
                                describe(other)
                            );
                            self.problem(&t.entity, key, message);
                        }
                    }
                }
                out
            }
            other => {
                self.wrong_type(t, key, "a list of tables ([[...]] in TOML)", other);
                Vec::new()
            }
        }
    }

    fn scenario(&mut self, top: &Entries) -> RawScenario {
        let t = self.open("scenario".into(), top, TOP);
        let meta = match self.table(&t, "meta") {
            Some(e) => self.meta(e),
            None => RawMeta::default(),
        };
        let trade = match self.table(&t, "trade") {
            Some(e) => self.trade(e),
            None => RawTrade::default(),
        };
        let upgrade = match self.table(&t, "upgrade") {
            Some(e) => {
                let u = self.open("upgrade".into(), e, UPGRADE);
                RawUpgrade {
                    adjacency_discount: self.number(&u, "adjacency_discount"),
                }
            }
            None => RawUpgrade::default(),
        };
        let layer = self.table_list(&t, "layer");
        let layer = layer
            .iter()
            .enumerate()
            .map(|(i, e)| self.layer(i + 1, e))
            .collect();
        let country = self.table_list(&t, "country");
        let country = country
            .iter()
            .enumerate()
            .map(|(i, e)| self.country(i + 1, e))
            .collect();
        let capability = self.table_list(&t, "capability");
        let capability = capability
            .iter()
            .enumerate()
            .map(|(i, e)| self.capability(i + 1, e))
            .collect();
        let demand = self.table_list(&t, "demand");
        let demand = demand
            .iter()
            .enumerate()
            .map(|(i, e)| self.demand(i + 1, e))
            .collect();
        let security = self.table_list(&t, "security");
        let security = security
            .iter()
            .enumerate()
            .map(|(i, e)| self.security(i + 1, e))
            .collect();
        let agreement = self.table_list(&t, "agreement");
        let agreement = agreement
            .iter()
            .enumerate()
            .map(|(i, e)| self.agreement(i + 1, e))
            .collect();
        let uncertainty = self.table(&t, "uncertainty").map(|e| self.uncertainty(e));
        RawScenario {
            meta,
            trade,
            upgrade,
            layer,
            country,
            capability,
            demand,
            security,
            agreement,
            uncertainty,
            problems: Vec::new(),
            misspelt: Vec::new(),
        }
    }

    fn meta(&mut self, e: &Entries) -> RawMeta {
        let t = self.open("meta".into(), e, META);
        RawMeta {
            name: self.string(&t, "name"),
            description: self.string(&t, "description"),
            currency: self.string(&t, "currency"),
            periods: self.integer(&t, "periods"),
            discount_rate: self.number(&t, "discount_rate"),
        }
    }

    fn trade(&mut self, e: &Entries) -> RawTrade {
        let t = self.open("trade".into(), e, TRADE);
        let default_cost = self.number(&t, "default_cost");
        let costs = self.table_list(&t, "cost");
        let cost = costs
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let c = self.open(format!("trade.cost {}", i + 1), e, TRADE_COST);
                RawTradeCost {
                    from: self.string(&c, "from"),
                    to: self.string(&c, "to"),
                    layer: self.string(&c, "layer"),
                    cost: self.number(&c, "cost"),
                }
            })
            .collect();
        let blocks = self.table_list(&t, "block");
        let block = blocks
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let b = self.open(format!("trade.block {}", i + 1), e, TRADE_BLOCK);
                RawTradeBlock {
                    from: self.string(&b, "from"),
                    to: self.string(&b, "to"),
                    layers: self.string_list(&b, "layers"),
                }
            })
            .collect();
        RawTrade {
            default_cost,
            cost,
            block,
        }
    }

    fn layer(&mut self, n: usize, e: &Entries) -> RawLayer {
        let t = self.open(id_entity("layer", n, peek_str(e, "id")), e, LAYER);
        RawLayer {
            id: self.string(&t, "id"),
            name: self.string(&t, "name"),
            tradable: self.boolean(&t, "tradable"),
            inputs: self.input_table(&t, "inputs"),
            import_requires: self.input_table(&t, "import_requires"),
            trade_cost: self.number(&t, "trade_cost"),
            interop_cost: self.number(&t, "interop_cost"),
            adjacent: self.string_list(&t, "adjacent"),
            adjacency_discount: self.number(&t, "adjacency_discount"),
            requires_adjacent: self.boolean(&t, "requires_adjacent"),
        }
    }

    fn country(&mut self, n: usize, e: &Entries) -> RawCountry {
        let t = self.open(id_entity("country", n, peek_str(e, "id")), e, COUNTRY);
        RawCountry {
            id: self.string(&t, "id"),
            name: self.string(&t, "name"),
        }
    }

    fn pair_table<'a>(
        &mut self,
        kind: &str,
        n: usize,
        e: &'a Entries,
        known: &[&str],
    ) -> Table<'a> {
        let entity = pair_entity(kind, n, peek_str(e, "country"), peek_str(e, "layer"));
        self.open(entity, e, known)
    }

    fn capability(&mut self, n: usize, e: &Entries) -> RawCapability {
        let t = self.pair_table("capability", n, e, CAPABILITY);
        // A `cost_curve` value that is not a list is reported by table_list and read as absent.
        let curve_given = matches!(t.get("cost_curve"), Some(Node::List(_)));
        let cost_curve: Vec<RawCurvePoint> = self
            .table_list(&t, "cost_curve")
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let b = self.open(format!("{} cost_curve {}", t.entity, i + 1), b, CURVE_POINT);
                RawCurvePoint {
                    up_to: self.number(&b, "up_to"),
                    unit_cost: self.number(&b, "unit_cost"),
                }
            })
            .collect();
        let cost_curve = curve_given.then_some(cost_curve);
        let learning = self.table(&t, "learning").map(|e| {
            let lt = self.open(format!("{} learning", t.entity), e, LEARNING);
            RawLearning {
                progress_ratio: self.number(&lt, "progress_ratio"),
                experience: self.number(&lt, "experience"),
                max_experience: self.number(&lt, "max_experience"),
                segments: self.integer(&lt, "segments"),
            }
        });
        RawCapability {
            country: self.string(&t, "country"),
            layer: self.string(&t, "layer"),
            unit_cost: self.number(&t, "unit_cost"),
            cost_trend: self.number(&t, "cost_trend"),
            inputs: self.input_table(&t, "inputs"),
            capacity: self.number(&t, "capacity"),
            max_expansion: self.number(&t, "max_expansion"),
            expansion_cost: self.number(&t, "expansion_cost"),
            lead_time: self.integer(&t, "lead_time"),
            entry_cost: self.number(&t, "entry_cost"),
            min_scale: self.number(&t, "min_scale"),
            capacity_trend: self.number(&t, "capacity_trend"),
            lifetime: self.integer(&t, "lifetime"),
            cost_curve,
            learning,
        }
    }

    fn demand(&mut self, n: usize, e: &Entries) -> RawDemand {
        let t = self.pair_table("demand", n, e, DEMAND);
        // A `blocks` value that is not a list is reported by table_list and read as absent.
        let given = matches!(t.get("blocks"), Some(Node::List(_)));
        let blocks: Vec<RawBlock> = self
            .table_list(&t, "blocks")
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let b = self.open(format!("{} block {}", t.entity, i + 1), b, BLOCK);
                RawBlock {
                    quantity: self.number(&b, "quantity"),
                    value: self.number(&b, "value"),
                }
            })
            .collect();
        let blocks = given.then_some(blocks);
        RawDemand {
            country: self.string(&t, "country"),
            layer: self.string(&t, "layer"),
            blocks,
            growth: self.number(&t, "growth"),
            must_serve: self.number(&t, "must_serve"),
        }
    }

    fn security(&mut self, n: usize, e: &Entries) -> RawSecurity {
        let t = self.pair_table("security", n, e, SECURITY);
        RawSecurity {
            country: self.string(&t, "country"),
            layer: self.string(&t, "layer"),
            domestic_floor: self.number(&t, "domestic_floor"),
            max_supplier_share: self.number(&t, "max_supplier_share"),
            n_minus_1: self.number(&t, "n_minus_1"),
            reserve_cost: self.number(&t, "reserve_cost"),
            basis: self.string(&t, "basis"),
            shortfall_penalty: self.number(&t, "shortfall_penalty"),
        }
    }

    fn uncertainty(&mut self, e: &Entries) -> RawUncertainty {
        let t = self.open("uncertainty".into(), e, UNCERTAINTY);
        let outcomes = self.table_list(&t, "outcome");
        let outcome = outcomes
            .iter()
            .enumerate()
            .map(|(i, o)| {
                let entity = id_entity("uncertainty.outcome", i + 1, peek_str(o, "id"));
                let o = self.open(entity, o, OUTCOME);
                let effects = self.table_list(&o, "effects");
                let effects = effects
                    .iter()
                    .enumerate()
                    .map(|(k, f)| {
                        let entity = effect_entity(&o.entity, k + 1, peek_str(f, "kind"));
                        let f = self.open(entity, f, EFFECT);
                        RawEffect {
                            kind: self.string(&f, "kind"),
                            country: self.string(&f, "country"),
                            layer: self.string(&f, "layer"),
                            factor: self.number(&f, "factor"),
                            from: self.string(&f, "from"),
                            to: self.string(&f, "to"),
                            layers: self.string_list(&f, "layers"),
                        }
                    })
                    .collect();
                RawOutcome {
                    id: self.string(&o, "id"),
                    name: self.string(&o, "name"),
                    probability: self.number(&o, "probability"),
                    effects,
                }
            })
            .collect();
        RawUncertainty {
            reveal_period: self.integer(&t, "reveal_period"),
            risk_weight: self.number(&t, "risk_weight"),
            tail: self.number(&t, "tail"),
            outcome,
        }
    }

    fn agreement(&mut self, n: usize, e: &Entries) -> RawAgreement {
        let t = self.open(id_entity("agreement", n, peek_str(e, "id")), e, AGREEMENT);
        let clauses = self.table_list(&t, "clause");
        let clause = clauses
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let entity = clause_entity(&t.entity, i + 1, peek_str(c, "kind"));
                let c = self.open(entity, c, CLAUSE);
                RawClause {
                    kind: self.string(&c, "kind"),
                    layers: self.string_list(&c, "layers"),
                    factor: self.number(&c, "factor"),
                    layer: self.string(&c, "layer"),
                    max_producers: self.integer(&c, "max_producers"),
                    country: self.string(&c, "country"),
                    build: self.boolean(&c, "build"),
                    from_period: self.integer(&c, "from_period"),
                    entry_discount: self.number(&c, "entry_discount"),
                    share: self.number(&c, "share"),
                }
            })
            .collect();
        RawAgreement {
            id: self.string(&t, "id"),
            name: self.string(&t, "name"),
            members: self.string_list(&t, "members"),
            active: self.boolean(&t, "active"),
            clause,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_toml(text: &str) -> RawScenario {
        match RawScenario::parse(text, Format::Toml, "t.toml") {
            Ok(raw) => raw,
            Err(e) => panic!("{e}"),
        }
    }

    fn messages(raw: &RawScenario) -> Vec<String> {
        raw.problems.iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn example_reads_without_problems_and_keeps_input_order() {
        let raw = parse_toml(include_str!("../../instances/example.toml"));
        assert!(raw.problems.is_empty(), "{:?}", raw.problems);
        assert_eq!(raw.layer.len(), 6);
        let compute = &raw.layer[2];
        assert_eq!(
            compute.inputs,
            Some(vec![("fab".to_string(), 0.5), ("memory".to_string(), 0.3)])
        );
        let ind_apps = raw
            .capability
            .iter()
            .find(|c| c.country.as_deref() == Some("IND") && c.layer.as_deref() == Some("apps"))
            .expect("IND/apps present");
        assert_eq!(
            ind_apps.inputs,
            Some(vec![
                ("models".to_string(), 0.25),
                ("compute".to_string(), 0.05)
            ])
        );
        assert_eq!(raw.agreement[1].clause[2].from_period, Some(2));
        assert_eq!(raw.agreement[1].clause[2].build, Some(true));
    }

    #[test]
    fn unknown_fields_are_all_collected_with_suggestions() {
        let raw = parse_toml(
            r#"
            [meta]
            periods = 2
            currencyy = "x"
            [[layer]]
            id = "fab"
            inptus = { fab = 0.1 }
            [[capability]]
            country = "KOR"
            layer = "fab"
            unit_cots = 1.0
            zzzzzz = 3
            [[agreement]]
            id = "a"
            [[agreement.clause]]
            kind = "no_duplication"
            max_producer = 1
            [[layers]]
            id = "x"
            "#,
        );
        assert_eq!(
            messages(&raw),
            vec![
                r#"scenario: unknown field "layers" (did you mean "layer"?)"#,
                r#"meta: unknown field "currencyy" (did you mean "currency"?)"#,
                r#"layer fab: unknown field "inptus" (did you mean "inputs"?)"#,
                r#"capability KOR/fab: unknown field "unit_cots" (did you mean "unit_cost"?)"#,
                "capability KOR/fab: unknown field \"zzzzzz\" (expected one of: country, layer, \
                 unit_cost, cost_trend, inputs, capacity, max_expansion, expansion_cost, \
                 lead_time, entry_cost, min_scale, capacity_trend, lifetime, cost_curve, \
                 learning)",
                r#"agreement a clause 1 (no_duplication): unknown field "max_producer" (did you mean "max_producers"?)"#,
            ]
        );
        assert_eq!(raw.problems[3].field, "unit_cots");
    }

    #[test]
    fn wrong_types_are_problems_not_errors() {
        let raw = parse_toml(
            r#"
            [meta]
            periods = 1.5
            [[layer]]
            id = "fab"
            tradable = "yes"
            adjacent = "memory"
            inputs = { memory = "lots" }
            [[capability]]
            country = "KOR"
            layer = "fab"
            unit_cost = "cheap"
            lead_time = 2.0
            "#,
        );
        assert_eq!(
            messages(&raw),
            vec![
                "meta: periods must be an integer, got 1.5",
                r#"layer fab: tradable must be true or false, got "yes""#,
                r#"layer fab: inputs.memory must be a number, got "lots""#,
                r#"layer fab: adjacent must be a list of strings, got "memory""#,
                r#"capability KOR/fab: unit_cost must be a number, got "cheap""#,
            ]
        );
        assert_eq!(raw.capability[0].lead_time, Some(2));
        assert_eq!(raw.capability[0].unit_cost, None);
    }

    #[test]
    fn syntax_errors_carry_the_position() {
        let err = RawScenario::parse("[meta]\nperiods = = 2\n", Format::Toml, "bad.toml")
            .expect_err("syntax error");
        let text = err.to_string();
        assert!(
            text.contains("bad.toml") && text.contains("line 2"),
            "{text}"
        );
        let err = RawScenario::parse("{\"meta\": {\"periods\": 2,}}", Format::Json, "bad.json")
            .expect_err("syntax error");
        assert!(err.to_string().contains("line 1"), "{err}");
        let err = RawScenario::parse("[1, 2]", Format::Json, "list.json").expect_err("not a table");
        assert!(err.to_string().contains("top level"), "{err}");
    }

    #[test]
    fn json_duplicate_keys_and_nulls() {
        let raw = RawScenario::parse(
            r#"{"layer": [{"id": "fab", "name": null, "inputs": {"fab": 0.1, "fab": 0.2}}],
                "country": [{"id": "A", "id": "B"}]}"#,
            Format::Json,
            "d.json",
        )
        .expect("parses");
        assert_eq!(raw.layer[0].name, None);
        assert_eq!(raw.layer[0].inputs, Some(vec![("fab".to_string(), 0.1)]));
        assert_eq!(
            messages(&raw),
            vec![
                r#"layer fab: inputs lists "fab" more than once"#,
                r#"country A: field "id" is given more than once"#,
            ]
        );
    }
}
