//! Scenario variants without copying files: `--set PATH=VALUE`, `--overlay FILE` and named
//! `[variant.NAME]` tables (decisions.md, "Overrides").
//!
//! Overrides act on the parsed document (the [`Node`] tree, before the typed read), so the result
//! goes through exactly the validation a hand-edited file would: an override *is* an edit of the
//! file. Paths use the file's own names: `meta.discount_rate`, `trade.default_cost`,
//! `layer[fab].trade_cost`, `capability[KOR/memory].capacity`, `demand[IND/*].growth`,
//! `security[*].domestic_floor`, `agreement[chip-alliance].active`,
//! `agreement[x].clause[2].factor`, `layer[compute].inputs.fab`, `demand[USA/apps].blocks[1].value`.
//! A selector is an id, `COUNTRY/LAYER` (each part may be `*`), a 1-based index or `*`; a path
//! that names no field of the schema, or a selector that matches no entry, is an error.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::raw::{self, describe, parse_node, Node, RawScenario};
use super::validate::{did_you_mean, validate, ScenarioError};
use super::{Format, Scenario};

/// The overrides asked for on the command line (or in a sweep file), in the order they apply:
/// the variant first, then overlays, then sets.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overrides {
    pub variant: Option<String>,
    pub overlays: Vec<PathBuf>,
    /// `PATH=VALUE` texts.
    pub sets: Vec<String>,
}

impl Overrides {
    pub fn is_empty(&self) -> bool {
        self.variant.is_none() && self.overlays.is_empty() && self.sets.is_empty()
    }
}

/// One override as applied, echoed in every output (JSON key `overrides`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Applied {
    /// `variant`, `overlay` or `set`.
    pub kind: &'static str,
    /// The variant name, overlay file or `PATH=VALUE` text.
    pub text: String,
    /// Entries changed (for `set`: entries the selectors matched; for overlays: entries merged
    /// or added).
    pub entries: usize,
}

impl fmt::Display for Applied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = if self.entries == 1 { "y" } else { "ies" };
        write!(f, "{} {} ({} entr{s})", self.kind, self.text, self.entries)
    }
}

/// One line for table outputs: `overrides: set a=1 (1 entry); overlay b.toml (2 entries)`.
pub fn describe_applied(applied: &[Applied]) -> String {
    let parts: Vec<String> = applied.iter().map(|a| a.to_string()).collect();
    format!("overrides: {}", parts.join("; "))
}

#[derive(Debug, thiserror::Error)]
pub enum OverrideError {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// A bad `--set`: syntax, unknown path or a selector matching nothing.
    #[error("--set {text}: {message}")]
    Set { text: String, message: String },
    #[error("overlay {file}: {message}")]
    Overlay { file: String, message: String },
    #[error("{file}: {message}")]
    Variant { file: String, message: String },
    /// The document after overrides is not a valid scenario.
    #[error("{source}\n(after {applied})")]
    Invalid {
        applied: String,
        #[source]
        source: ScenarioError,
    },
}

/// A parsed override path: segments `name` or `name[selector]`.
#[derive(Debug, Clone, PartialEq)]
pub struct OverridePath {
    text: String,
    segs: Vec<Seg>,
}

#[derive(Debug, Clone, PartialEq)]
struct Seg {
    name: String,
    sel: Option<String>,
}

impl fmt::Display for OverridePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl OverridePath {
    /// Parse `a.b[sel].c`; only the syntax is checked here, names are checked when applied.
    pub fn parse(text: &str) -> Result<OverridePath, String> {
        let mut segs = Vec::new();
        let mut rest = text.trim();
        if rest.is_empty() {
            return Err("empty path".into());
        }
        loop {
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            let name = rest[..end].trim();
            if name.is_empty() {
                return Err(format!("empty name in path \"{text}\""));
            }
            rest = &rest[end..];
            let mut sel = None;
            if let Some(r) = rest.strip_prefix('[') {
                let close = r
                    .find(']')
                    .ok_or_else(|| format!("unclosed [ in path \"{text}\""))?;
                let s = r[..close].trim();
                if s.is_empty() {
                    return Err(format!("empty selector [] in path \"{text}\""));
                }
                sel = Some(s.to_string());
                rest = &r[close + 1..];
            }
            segs.push(Seg {
                name: name.to_string(),
                sel,
            });
            if rest.is_empty() {
                break;
            }
            rest = rest
                .strip_prefix('.')
                .ok_or_else(|| format!("expected . after ] in path \"{text}\", got \"{rest}\""))?;
        }
        Ok(OverridePath {
            text: text.trim().to_string(),
            segs,
        })
    }
}

/// Split `PATH=VALUE`; the value is read as a TOML value (`0.5`, `true`, `"x"`, `[1, 2]`,
/// `{ fab = 0.5 }`), or taken as a bare string when it is not one (`meta.name=world`).
pub(crate) fn parse_set(text: &str) -> Result<(OverridePath, Node), String> {
    let (path, value) = text
        .split_once('=')
        .ok_or_else(|| "expected PATH=VALUE".to_string())?;
    let path = OverridePath::parse(path)?;
    let value = value.trim();
    if value.is_empty() {
        return Err(format!("no value after {}=", path.text));
    }
    Ok((path, parse_value(value)))
}

pub(crate) fn parse_value(value: &str) -> Node {
    match toml::from_str::<Node>(&format!("v = {value}")) {
        Ok(Node::Table(mut t)) if t.len() == 1 => t.remove(0).1,
        _ => Node::Str(value.to_string()),
    }
}

/// A scenario document being overridden: the parsed tree plus where it came from.
#[derive(Debug, Clone)]
pub struct Document {
    node: Node,
    file: String,
    dir: PathBuf,
    applied: Vec<Applied>,
}

/// The schema context of a table in the document.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Ctx {
    Top,
    Meta,
    Trade,
    Upgrade,
    Layer,
    Country,
    Capability,
    Demand,
    Security,
    Agreement,
    Clause,
    TradeCost,
    TradeBlock,
    Block,
    CurvePoint,
    Learning,
    Uncertainty,
    Outcome,
}

impl Ctx {
    fn fields(self) -> &'static [&'static str] {
        match self {
            Ctx::Top => raw::TOP,
            Ctx::Meta => raw::META,
            Ctx::Trade => raw::TRADE,
            Ctx::Upgrade => raw::UPGRADE,
            Ctx::Layer => raw::LAYER,
            Ctx::Country => raw::COUNTRY,
            Ctx::Capability => raw::CAPABILITY,
            Ctx::Demand => raw::DEMAND,
            Ctx::Security => raw::SECURITY,
            Ctx::Agreement => raw::AGREEMENT,
            Ctx::Clause => raw::CLAUSE,
            Ctx::TradeCost => raw::TRADE_COST,
            Ctx::TradeBlock => raw::TRADE_BLOCK,
            Ctx::Block => raw::BLOCK,
            Ctx::CurvePoint => raw::CURVE_POINT,
            Ctx::Learning => raw::LEARNING,
            Ctx::Uncertainty => raw::UNCERTAINTY,
            Ctx::Outcome => raw::OUTCOME,
        }
    }
}

/// What a field holds, for walking a path.
enum Child {
    /// A single table (`meta`, `trade`, `upgrade`).
    Table(Ctx),
    /// A list of entries chosen by a selector.
    List(Ctx, Key),
    /// `{layer id: number}`.
    Inputs,
    /// A plain value.
    Value,
}

/// How entries of a list are selected.
#[derive(Clone, Copy, PartialEq)]
enum Key {
    Id,
    Pair,
    /// `FROM/TO` or `FROM/TO/LAYER`.
    Route,
    Index,
    /// A 1-based index or a clause kind.
    Clause,
}

fn child(ctx: Ctx, field: &str) -> Child {
    match (ctx, field) {
        (Ctx::Top, "meta") => Child::Table(Ctx::Meta),
        (Ctx::Top, "trade") => Child::Table(Ctx::Trade),
        (Ctx::Top, "upgrade") => Child::Table(Ctx::Upgrade),
        (Ctx::Top, "layer") => Child::List(Ctx::Layer, Key::Id),
        (Ctx::Top, "country") => Child::List(Ctx::Country, Key::Id),
        (Ctx::Top, "agreement") => Child::List(Ctx::Agreement, Key::Id),
        (Ctx::Top, "capability") => Child::List(Ctx::Capability, Key::Pair),
        (Ctx::Top, "demand") => Child::List(Ctx::Demand, Key::Pair),
        (Ctx::Top, "security") => Child::List(Ctx::Security, Key::Pair),
        (Ctx::Top, "uncertainty") => Child::Table(Ctx::Uncertainty),
        (Ctx::Uncertainty, "outcome") => Child::List(Ctx::Outcome, Key::Id),
        (Ctx::Trade, "cost") => Child::List(Ctx::TradeCost, Key::Route),
        (Ctx::Trade, "block") => Child::List(Ctx::TradeBlock, Key::Route),
        (Ctx::Demand, "blocks") => Child::List(Ctx::Block, Key::Index),
        (Ctx::Capability, "cost_curve") => Child::List(Ctx::CurvePoint, Key::Index),
        (Ctx::Capability, "learning") => Child::Table(Ctx::Learning),
        (Ctx::Agreement, "clause") => Child::List(Ctx::Clause, Key::Clause),
        (Ctx::Layer, "inputs" | "import_requires") | (Ctx::Capability, "inputs") => Child::Inputs,
        _ => Child::Value,
    }
}

fn str_field<'a>(entries: &'a [(String, Node)], key: &str) -> Option<&'a str> {
    entries.iter().find_map(|(k, v)| match v {
        Node::Str(s) if k == key => Some(s.as_str()),
        _ => None,
    })
}

fn set_field(entries: &mut Vec<(String, Node)>, key: &str, value: Node) {
    match entries.iter_mut().find(|(k, _)| k == key) {
        Some((_, v)) => *v = value,
        None => entries.push((key.to_string(), value)),
    }
}

/// The ids known in the document, for selectors and did-you-mean hints.
struct Ids {
    countries: Vec<String>,
    layers: Vec<String>,
}

impl Ids {
    fn of(root: &Node) -> Ids {
        let ids = |key: &str| -> Vec<String> {
            let Node::Table(top) = root else {
                return Vec::new();
            };
            match top.iter().find(|(k, _)| k == key) {
                Some((_, Node::List(items))) => items
                    .iter()
                    .filter_map(|n| match n {
                        Node::Table(e) => str_field(e, "id").map(str::to_string),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            }
        };
        Ids {
            countries: ids("country"),
            layers: ids("layer"),
        }
    }
}

fn hint(word: &str, known: &[String]) -> String {
    match did_you_mean(word, known.iter().map(String::as_str)) {
        Some(k) => format!(" (did you mean \"{k}\"?)"),
        None => String::new(),
    }
}

/// Does an entry match a selector? `what` names the entry kind in messages.
fn matches(key: Key, sel: &str, index: usize, entries: &[(String, Node)]) -> bool {
    if sel == "*" {
        return true;
    }
    let part = |s: &str, field: &str| s == "*" || str_field(entries, field) == Some(s);
    match key {
        Key::Id => str_field(entries, "id") == Some(sel),
        Key::Pair => match sel.split_once('/') {
            Some((c, l)) => part(c, "country") && part(l, "layer"),
            None => false,
        },
        Key::Route => {
            let p: Vec<&str> = sel.split('/').collect();
            match p.as_slice() {
                [f, t] => part(f, "from") && part(t, "to"),
                [f, t, l] => part(f, "from") && part(t, "to") && part(l, "layer"),
                _ => false,
            }
        }
        Key::Index => sel.parse::<usize>() == Ok(index + 1),
        Key::Clause => {
            sel.parse::<usize>() == Ok(index + 1) || str_field(entries, "kind") == Some(sel)
        }
    }
}

/// Why a selector matched nothing, with a did-you-mean where a part is a likely typo.
fn no_match(key: Key, field: &str, sel: &str, list: &[Node], ids: &Ids) -> String {
    let base = format!("{field}[{sel}] matches no entry");
    let check = |s: &str, known: &[String], what: &str| -> Option<String> {
        (s != "*" && !known.iter().any(|k| k == s))
            .then(|| format!("{what} \"{s}\" is unknown{}", hint(s, known)))
    };
    let detail = match key {
        Key::Id => {
            let known: Vec<String> = list
                .iter()
                .filter_map(|n| match n {
                    Node::Table(e) => str_field(e, "id").map(str::to_string),
                    _ => None,
                })
                .collect();
            Some(format!(
                "\"{sel}\" is not a {field} id{}; {field} ids: {}",
                hint(sel, &known),
                known.join(", ")
            ))
        }
        Key::Pair => match sel.split_once('/') {
            None => Some(format!(
                "expected {field}[COUNTRY/LAYER] (each part may be *)"
            )),
            Some((c, l)) => check(c, &ids.countries, "country")
                .or_else(|| check(l, &ids.layers, "layer"))
                .or_else(|| Some(format!("the file has no {field} entry {c}/{l}"))),
        },
        Key::Route => {
            let p: Vec<&str> = sel.split('/').collect();
            if !(2..=3).contains(&p.len()) {
                Some(format!(
                    "expected {field}[FROM/TO] or {field}[FROM/TO/LAYER]"
                ))
            } else {
                check(p[0], &ids.countries, "country")
                    .or_else(|| check(p[1], &ids.countries, "country"))
                    .or_else(|| p.get(2).and_then(|l| check(l, &ids.layers, "layer")))
            }
        }
        Key::Index => Some(format!(
            "expected a 1-based index up to {} or *",
            list.len()
        )),
        Key::Clause => Some(format!(
            "expected a 1-based clause number up to {}, a clause kind or *",
            list.len()
        )),
    };
    match detail {
        Some(d) => format!("{base}: {d}"),
        None => base,
    }
}

/// Set `value` at `segs` inside the table `entries` of kind `ctx`; returns the number of
/// entries (leaf tables) changed.
/// What a path does to the values it names: set them, or multiply the numbers there.
#[derive(Clone, Copy)]
enum Leaf<'a> {
    Set(&'a Node),
    Scale(f64),
}

fn put(entries: &mut Vec<(String, Node)>, key: &str, leaf: Leaf) -> Result<(), String> {
    match leaf {
        Leaf::Set(value) => {
            set_field(entries, key, value.clone());
            Ok(())
        }
        Leaf::Scale(f) => match entries.iter_mut().find(|(k, _)| k == key) {
            Some((_, v)) => {
                *v = match v {
                    Node::Float(x) => Node::Float(*x * f),
                    Node::Int(i) => Node::Float(*i as f64 * f),
                    other => {
                        return Err(format!(
                            "{key} is {} in the file; only numbers can be scaled",
                            describe(other)
                        ))
                    }
                };
                Ok(())
            }
            // Nothing to scale: an absent number stays absent.
            None => Ok(()),
        },
    }
}

fn set_in(
    entries: &mut Vec<(String, Node)>,
    ctx: Ctx,
    segs: &[Seg],
    value: Leaf,
    ids: &Ids,
) -> Result<usize, String> {
    let seg = &segs[0];
    let rest = &segs[1..];
    let known = ctx.fields();
    if !known.contains(&seg.name.as_str()) || (ctx == Ctx::Top && seg.name == "variant") {
        let known: Vec<String> = known
            .iter()
            .filter(|k| **k != "variant")
            .map(|k| k.to_string())
            .collect();
        let h = hint(&seg.name, &known);
        return Err(format!(
            "unknown field \"{}\"{}; expected one of: {}",
            seg.name,
            h,
            known.join(", ")
        ));
    }
    let kind = child(ctx, &seg.name);
    match (kind, seg.sel.as_deref()) {
        (Child::Table(c), None) if !rest.is_empty() => {
            let slot = match entries.iter_mut().position(|(k, _)| *k == seg.name) {
                Some(i) => i,
                None => {
                    entries.push((seg.name.clone(), Node::Table(Vec::new())));
                    entries.len() - 1
                }
            };
            match &mut entries[slot].1 {
                Node::Table(t) => set_in(t, c, rest, value, ids),
                other => Err(format!(
                    "{} is {} in the file, not a table",
                    seg.name,
                    describe(other)
                )),
            }
        }
        (Child::List(c, key), Some(sel)) => {
            let Some((_, Node::List(list))) = entries.iter_mut().find(|(k, _)| *k == seg.name)
            else {
                return Err(format!("the file has no {} entries", seg.name));
            };
            let mut n = 0;
            for (i, item) in list.iter_mut().enumerate() {
                if let Node::Table(e) = item {
                    if matches(key, sel, i, e) {
                        if rest.is_empty() {
                            return Err(format!(
                                "{}[{sel}] names whole entries; name a field, e.g. {}[{sel}].{}",
                                seg.name,
                                seg.name,
                                c.fields().get(2).unwrap_or(&c.fields()[0])
                            ));
                        }
                        n += set_in(e, c, rest, value, ids)?;
                    }
                }
            }
            if n == 0 {
                return Err(no_match(key, &seg.name, sel, list, ids));
            }
            Ok(n)
        }
        (Child::Inputs, None) if rest.len() == 1 && rest[0].sel.is_none() => {
            let layer = &rest[0].name;
            if !ids.layers.iter().any(|l| l == layer) {
                return Err(format!(
                    "layer \"{layer}\" is unknown{}",
                    hint(layer, &ids.layers)
                ));
            }
            let slot = match entries.iter_mut().position(|(k, _)| *k == seg.name) {
                Some(i) => i,
                None => {
                    entries.push((seg.name.clone(), Node::Table(Vec::new())));
                    entries.len() - 1
                }
            };
            match &mut entries[slot].1 {
                Node::Table(t) => {
                    put(t, layer, value)?;
                    Ok(1)
                }
                other => Err(format!(
                    "{} is {} in the file, not a table",
                    seg.name,
                    describe(other)
                )),
            }
        }
        (_, None) if rest.is_empty() => {
            put(entries, &seg.name, value)?;
            Ok(1)
        }
        (Child::List(..), None) => Err(format!(
            "{} is a list of entries: select them with {}[...] ({})",
            seg.name,
            seg.name,
            selector_help(&seg.name)
        )),
        (_, Some(sel)) => Err(format!("{} takes no selector (got [{sel}])", seg.name)),
        (_, None) => Err(format!(
            "{} is a value; nothing can follow it (got .{})",
            seg.name, rest[0].name
        )),
    }
}

fn selector_help(field: &str) -> &'static str {
    match field {
        "layer" | "country" | "agreement" => "an id or *",
        "capability" | "demand" | "security" => "COUNTRY/LAYER, each part may be *",
        "cost" | "block" => "FROM/TO or FROM/TO/LAYER",
        "blocks" => "a 1-based index or *",
        "clause" => "a 1-based clause number, a clause kind or *",
        _ => "a selector",
    }
}

/// Merge one overlay table of kind `ctx` into `base`: tables merge key by key, lists of
/// entries by key (see [`merge_list`]), any other value (and a clause list, and demand blocks)
/// replaces the base's. Returns the number of entries merged or added.
fn merge_table(base: &mut Vec<(String, Node)>, overlay: &[(String, Node)], ctx: Ctx) -> usize {
    let mut n = 0;
    for (k, v) in overlay {
        let kind = child(ctx, k);
        let existing = base.iter_mut().find(|(bk, _)| bk == k).map(|(_, bv)| bv);
        match (kind, existing, v) {
            (Child::Table(c), Some(Node::Table(b)), Node::Table(o)) => {
                n += merge_table(b, o, c).max(1)
            }
            (Child::List(c, key), Some(Node::List(b)), Node::List(o))
                if key != Key::Index && !(ctx == Ctx::Agreement && k == "clause") =>
            {
                n += merge_list(b, o, c, key)
            }
            (kind, _, v) => {
                set_field(base, k, v.clone());
                n += match (kind, v) {
                    (Child::List(..), Node::List(items)) => items.len(),
                    _ => 1,
                };
            }
        }
    }
    n
}

/// Merge a list of entries by key (id, country/layer, from/to/layer): a matching entry is
/// merged field by field, any other is appended.
fn merge_list(base: &mut Vec<Node>, overlay: &[Node], ctx: Ctx, key: Key) -> usize {
    let ident = |e: &[(String, Node)]| -> Vec<Option<String>> {
        let f: &[&str] = match key {
            Key::Id => &["id"],
            Key::Pair => &["country", "layer"],
            _ => &["from", "to", "layer"],
        };
        f.iter()
            .map(|k| str_field(e, k).map(str::to_string))
            .collect()
    };
    let mut n = 0;
    for o in overlay {
        let Node::Table(oe) = o else {
            base.push(o.clone());
            n += 1;
            continue;
        };
        let id = ident(oe);
        let hit = base.iter_mut().find_map(|b| match b {
            Node::Table(be) if ident(be) == id && id.iter().any(Option::is_some) => Some(be),
            _ => None,
        });
        match hit {
            Some(be) => {
                merge_table(be, oe, ctx);
            }
            None => base.push(o.clone()),
        }
        n += 1;
    }
    n
}

impl Document {
    /// Read a scenario file into a document (syntax errors only; validation comes later).
    pub fn read(path: &Path) -> Result<Document, ScenarioError> {
        let file = path.display().to_string();
        let format = format_of(path)?;
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Io {
            file: file.clone(),
            source,
        })?;
        let node = parse_node(&text, format, &file)?;
        Ok(Document {
            node,
            file,
            dir: path.parent().map(Path::to_path_buf).unwrap_or_default(),
            applied: Vec::new(),
        })
    }

    /// A document from scenario text (the Python package's `from_dict` / `from_toml_str`);
    /// `file` names it in messages, and overlays of its variants are read relative to `dir`.
    pub fn from_text(
        text: &str,
        format: Format,
        file: &str,
        dir: &Path,
    ) -> Result<Document, ScenarioError> {
        Ok(Document {
            node: parse_node(text, format, file)?,
            file: file.to_string(),
            dir: dir.to_path_buf(),
            applied: Vec::new(),
        })
    }

    /// The overrides applied so far, in order.
    pub fn applied(&self) -> &[Applied] {
        &self.applied
    }

    /// Apply every override of `o` in order: variant, overlays, sets.
    pub fn apply(&mut self, o: &Overrides) -> Result<(), OverrideError> {
        if let Some(v) = &o.variant {
            self.apply_variant(v)?;
        }
        for f in &o.overlays {
            self.apply_overlay(f)?;
        }
        for s in &o.sets {
            self.apply_set(s)?;
        }
        Ok(())
    }

    /// `--set PATH=VALUE`.
    pub fn apply_set(&mut self, text: &str) -> Result<usize, OverrideError> {
        let err = |message: String| OverrideError::Set {
            text: text.to_string(),
            message,
        };
        let (path, value) = parse_set(text).map_err(err)?;
        let n = self.set_value(&path, &value).map_err(err)?;
        self.applied.push(Applied {
            kind: "set",
            text: text.trim().to_string(),
            entries: n,
        });
        Ok(n)
    }

    /// Set a number at a parsed path (the sweep's points); not recorded in [`Self::applied`].
    pub fn set_number(&mut self, path: &OverridePath, value: f64) -> Result<usize, String> {
        self.set_value(path, &Node::Float(value))
    }

    /// Set a value given as override text (`0.5`, `true`, `"x"`); not recorded.
    pub fn set_text(&mut self, path: &OverridePath, value: &str) -> Result<usize, String> {
        self.set_value(path, &parse_value(value))
    }

    pub(crate) fn set_value(&mut self, path: &OverridePath, value: &Node) -> Result<usize, String> {
        let ids = Ids::of(&self.node);
        let Node::Table(top) = &mut self.node else {
            return Err("the document's top level is not a table".into());
        };
        set_in(top, Ctx::Top, &path.segs, Leaf::Set(value), &ids)
    }

    /// Multiply the numbers at a parsed path by `factor` (a sweep's `scale = true`
    /// parameters); entries without the field are left alone. Not recorded.
    pub fn scale_number(&mut self, path: &OverridePath, factor: f64) -> Result<usize, String> {
        let ids = Ids::of(&self.node);
        let Node::Table(top) = &mut self.node else {
            return Err("the document's top level is not a table".into());
        };
        set_in(top, Ctx::Top, &path.segs, Leaf::Scale(factor), &ids)
    }

    /// `--overlay FILE`: merge a partial scenario over the document.
    pub fn apply_overlay(&mut self, path: &Path) -> Result<usize, OverrideError> {
        let file = path.display().to_string();
        let err = |message: String| OverrideError::Overlay {
            file: file.clone(),
            message,
        };
        let format = format_of(path).map_err(|e| err(e.to_string()))?;
        let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
        let node = parse_node(&text, format, &file).map_err(|e| err(e.to_string()))?;
        let n = self.merge(&node).map_err(err)?;
        self.applied.push(Applied {
            kind: "overlay",
            text: file.clone(),
            entries: n,
        });
        Ok(n)
    }

    fn merge(&mut self, overlay: &Node) -> Result<usize, String> {
        let Node::Table(o) = overlay else {
            return Err(format!(
                "the top level must be a table, got {}",
                describe(overlay)
            ));
        };
        for (k, _) in o {
            if !raw::TOP.contains(&k.as_str()) || k == "variant" {
                let known: Vec<String> = raw::TOP[..raw::TOP.len() - 1]
                    .iter()
                    .map(|s| s.to_string())
                    .collect();
                return Err(format!("unknown table \"{k}\"{}", hint(k, &known)));
            }
        }
        let Node::Table(top) = &mut self.node else {
            return Err("the base document's top level is not a table".into());
        };
        Ok(merge_table(top, o, Ctx::Top))
    }

    /// The names of the variants the file defines.
    pub fn variants(&self) -> Vec<String> {
        match self.variant_table() {
            Some(v) => v.iter().map(|(k, _)| k.clone()).collect(),
            None => Vec::new(),
        }
    }

    fn variant_table(&self) -> Option<&Vec<(String, Node)>> {
        let Node::Table(top) = &self.node else {
            return None;
        };
        match top.iter().find(|(k, _)| k == "variant") {
            Some((_, Node::Table(v))) => Some(v),
            _ => None,
        }
    }

    /// `--variant NAME`: apply `[variant.NAME]`: its `overlay` files (relative to the scenario
    /// file), then its inline tables as an overlay, then its `set` list.
    pub fn apply_variant(&mut self, name: &str) -> Result<(), OverrideError> {
        let file = self.file.clone();
        let verr = |message: String| OverrideError::Variant {
            file: file.clone(),
            message,
        };
        let names = self.variants();
        let Some(table) = self
            .variant_table()
            .and_then(|v| v.iter().find(|(k, _)| k == name))
            .map(|(_, t)| t.clone())
        else {
            return Err(verr(format!(
                "variant \"{name}\" is unknown{}; variants in the file: {}",
                hint(name, &names),
                if names.is_empty() {
                    "none".to_string()
                } else {
                    names.join(", ")
                }
            )));
        };
        let Node::Table(entries) = table else {
            return Err(verr(format!("variant.{name} must be a table")));
        };
        let entity = format!("variant.{name}");
        let mut sets = Vec::new();
        let mut overlays = Vec::new();
        let mut inline = Vec::new();
        for (k, v) in &entries {
            match (k.as_str(), v) {
                ("description", Node::Str(_)) => {}
                ("set", Node::List(items)) | ("overlay", Node::List(items)) => {
                    for item in items {
                        let Node::Str(s) = item else {
                            return Err(verr(format!(
                                "{entity}.{k} must be a list of strings, got {}",
                                describe(item)
                            )));
                        };
                        if k == "set" {
                            sets.push(s.clone());
                        } else {
                            overlays.push(self.dir.join(s));
                        }
                    }
                }
                (k, v) if raw::TOP.contains(&k) && k != "variant" => {
                    inline.push((k.to_string(), v.clone()))
                }
                (k, v) => {
                    let mut known: Vec<String> = ["description", "set", "overlay"]
                        .iter()
                        .map(|s| s.to_string())
                        .collect();
                    known.extend(raw::TOP[..raw::TOP.len() - 1].iter().map(|s| s.to_string()));
                    return Err(verr(if matches!(k, "description" | "set" | "overlay") {
                        format!("{entity}.{k} has the wrong type, got {}", describe(v))
                    } else {
                        format!(
                            "{entity}: unknown field \"{k}\"{}; expected description, set, overlay or scenario tables",
                            hint(k, &known)
                        )
                    }));
                }
            }
        }
        self.applied.push(Applied {
            kind: "variant",
            text: name.to_string(),
            entries: 0,
        });
        let at = self.applied.len() - 1;
        let mut n = 0;
        for f in &overlays {
            n += self.apply_overlay(f)?;
        }
        if !inline.is_empty() {
            n += self
                .merge(&Node::Table(inline))
                .map_err(|m| verr(format!("{entity}: {m}")))?;
        }
        for s in &sets {
            n += self.apply_set(s)?;
        }
        // The variant's own parts are listed after it; its count is what it changed in all.
        self.applied[at].entries = n;
        Ok(())
    }

    /// Read and validate the document as it now stands.
    pub fn scenario(&self) -> Result<Scenario, OverrideError> {
        let to_err = |e: ScenarioError| {
            if self.applied.is_empty() {
                OverrideError::Scenario(e)
            } else {
                OverrideError::Invalid {
                    applied: describe_applied(&self.applied),
                    source: e,
                }
            }
        };
        let raw = RawScenario::from_node(&self.node, &self.file).map_err(to_err)?;
        validate(raw, &self.file).map_err(to_err)
    }
}

fn format_of(path: &Path) -> Result<Format, ScenarioError> {
    match path.extension().and_then(|e| e.to_str()) {
        Some("toml") => Ok(Format::Toml),
        Some("json") => Ok(Format::Json),
        other => Err(ScenarioError::UnknownFormat {
            file: path.display().to_string(),
            extension: other.unwrap_or("").to_string(),
        }),
    }
}

/// Read a scenario file, apply the overrides and validate the result.
pub fn load(path: &Path, o: &Overrides) -> Result<(Scenario, Vec<Applied>), OverrideError> {
    let mut doc = Document::read(path)?;
    doc.apply(o)?;
    let s = doc.scenario()?;
    Ok((s, doc.applied))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_parse() {
        let p = OverridePath::parse("capability[KOR/memory].capacity").unwrap();
        assert_eq!(p.segs.len(), 2);
        assert_eq!(p.segs[0].sel.as_deref(), Some("KOR/memory"));
        assert!(OverridePath::parse("layer[fab.x").is_err());
        assert!(OverridePath::parse("layer[].x").is_err());
        assert!(OverridePath::parse("a..b").is_err());
        assert!(OverridePath::parse("layer[fab]x").is_err());
    }

    #[test]
    fn values_parse_as_toml_or_bare_strings() {
        assert_eq!(parse_value("0.5"), Node::Float(0.5));
        assert_eq!(parse_value("3"), Node::Int(3));
        assert_eq!(parse_value("true"), Node::Bool(true));
        assert_eq!(parse_value("world"), Node::Str("world".into()));
        assert_eq!(parse_value("\"a b\""), Node::Str("a b".into()));
    }
}
