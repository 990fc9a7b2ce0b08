//! Metrics read from a command's JSON output (the same object `--format json` prints), so a
//! sweep can collect anything a command reports without code per metric.
//!
//! A metric is a top-level number (`objective`, `w_gain`, `grand_value`), or
//! `LIST[SELECTOR].FIELD`: the sum of FIELD over the entries of LIST that match every part of the
//! selector (`USA/fab/1`; a part is `*`, a value of any of the entry's fields, or `field=value`).
//! Shortcuts: `W`, `welfare[C]`, `gain`, `gain[C]`, `price[C/L/T]`, `capacity_built[C/L]`,
//! `production[C/L]`, `shapley[C]`, `entry[C/L]` (see [`Metric::parse`]).

use serde_json::Value;

use super::SweepCommand;
use crate::results::quantity_range::{selector_matches, QuantitySelector};

/// A parsed metric.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    /// As written in the sweep file (the name in the table).
    pub name: String,
    list: Option<String>,
    selector: Vec<String>,
    field: String,
    /// `quantity_range[LIST[SELECTOR]].FIELD`: the quantity whose range the solve must compute.
    pub range: Option<QuantitySelector>,
}

fn split_selector(sel: &str) -> Vec<String> {
    sel.split('/').map(|p| p.trim().to_string()).collect()
}

impl Metric {
    /// Parse a metric for a command; shortcuts are expanded per command.
    pub fn parse(text: &str, command: &SweepCommand) -> Result<Metric, String> {
        let name = text.trim().to_string();
        if let Some(rest) = name.strip_prefix("quantity_range[") {
            return Self::parse_range(&name, rest, command);
        }
        let (head, sel, tail) = match name.split_once('[') {
            Some((h, rest)) => {
                let (sel, tail) = rest
                    .split_once(']')
                    .ok_or_else(|| format!("metric \"{name}\": unclosed ["))?;
                (h.trim(), Some(sel.trim()), tail.trim())
            }
            None => (name.as_str(), None, ""),
        };
        let field = tail.strip_prefix('.').map(str::trim);
        if !tail.is_empty() && field.is_none() {
            return Err(format!("metric \"{name}\": expected .FIELD after ]"));
        }
        let make = |list: Option<&str>, sel: Option<&str>, field: &str| Metric {
            name: name.clone(),
            list: list.map(str::to_string),
            selector: sel.map(split_selector).unwrap_or_default(),
            field: field.to_string(),
            range: None,
        };
        let compare = matches!(
            command,
            SweepCommand::Compare { .. } | SweepCommand::Coordination
        );
        let m = match (head, sel, field) {
            ("W", None, None) => make(
                None,
                None,
                match command {
                    SweepCommand::Compare { .. } | SweepCommand::Coordination => "w_with",
                    SweepCommand::Coalitions { .. } => "w_baseline",
                    _ => "objective",
                },
            ),
            ("gain", None, None) if compare => make(None, None, "w_gain"),
            ("gain", Some(s), None) if compare => make(Some("countries"), Some(s), "gain"),
            ("welfare", Some(s), None) if compare => make(Some("countries"), Some(s), "with"),
            ("welfare", Some(s), None) => make(Some("welfare"), Some(s), "total"),
            ("price", Some(s), None) => make(Some("prices"), Some(s), "price"),
            ("capacity_built" | "production", Some(s), None) => {
                make(Some(head), Some(s), "quantity")
            }
            ("shapley", Some(s), None) => make(Some("players"), Some(s), "shapley"),
            ("entry", Some(s), None) => make(Some("entry"), Some(s), "value"),
            (h, None, None) => make(None, None, h),
            (h, Some(s), Some(f)) if !f.is_empty() => make(Some(h), Some(s), f),
            _ => {
                return Err(format!(
                    "metric \"{name}\": expected NAME, LIST[SELECTOR].FIELD or a shortcut \
                     (W, welfare[C], gain, gain[C], price[C/L/T], capacity_built[C/L], \
                     production[C/L], shapley[C], entry[C/L])"
                ))
            }
        };
        Ok(m)
    }

    /// `quantity_range[LIST[SELECTOR]].min|max|optimum` (the rest after the first `[`): the
    /// least or most of a quantity over the optimal plans, which the solve then computes.
    fn parse_range(name: &str, rest: &str, command: &SweepCommand) -> Result<Metric, String> {
        if !matches!(command, SweepCommand::Solve) {
            return Err(format!(
                "metric \"{name}\": quantity_range metrics need command = \"solve\""
            ));
        }
        let (sel, field) = rest
            .rsplit_once(']')
            .and_then(|(sel, tail)| Some((sel, tail.strip_prefix('.')?.trim())))
            .filter(|(_, f)| matches!(*f, "min" | "max" | "optimum"))
            .ok_or_else(|| {
                format!(
                    "metric \"{name}\": expected quantity_range[LIST[SELECTOR]].min, .max or \
                     .optimum"
                )
            })?;
        let q = QuantitySelector::parse(sel).map_err(|e| format!("metric \"{name}\": {e}"))?;
        Ok(Metric {
            name: name.to_string(),
            list: Some("quantity_ranges".into()),
            selector: vec![format!("quantity={}", q.text)],
            field: field.to_string(),
            range: Some(q),
        })
    }

    /// The selector's parts, as written.
    /// A quantity range's own selector parts, so their ids are checked too.
    pub(crate) fn selector_parts(&self) -> impl Iterator<Item = &str> {
        let parts = self.range.as_ref().map_or(&self.selector, |q| &q.parts);
        parts.iter().map(String::as_str)
    }

    /// The metric's value in a command's output. `Err` when the output has no such field or
    /// list (a mistake in the sweep file, reported before the sweep runs).
    pub fn eval(&self, out: &Value) -> Result<Option<f64>, String> {
        let obj = out.as_object().ok_or("the output is not an object")?;
        let Some(list) = &self.list else {
            return match obj.get(&self.field) {
                Some(v) => Ok(v.as_f64()),
                None => Err(unknown(&self.field, obj.keys())),
            };
        };
        let items = match obj.get(list) {
            Some(Value::Array(items)) => items,
            Some(Value::Null) => return Ok(None),
            Some(_) => return Err(format!("\"{list}\" in the output is not a list")),
            None => return Err(unknown(list, obj.keys())),
        };
        let mut sum = 0.0;
        let mut any = false;
        for item in items {
            let Some(e) = item.as_object() else { continue };
            if !self.selector.iter().all(|p| selector_matches(p, e)) {
                continue;
            }
            match e.get(&self.field) {
                Some(v) => {
                    if let Some(x) = v.as_f64() {
                        sum += x;
                        any = true;
                    }
                }
                None => return Err(unknown(&self.field, e.keys())),
            }
        }
        // No matching entry in a list of quantities means none (e.g. no capacity built).
        Ok(if any || self.field == "quantity" {
            Some(sum)
        } else {
            None
        })
    }
}

fn unknown<'a>(name: &str, keys: impl Iterator<Item = &'a String>) -> String {
    let keys: Vec<&str> = keys.map(String::as_str).collect();
    let hint = crate::scenario::did_you_mean(name, keys.iter().copied())
        .map_or(String::new(), |k| format!(" (did you mean \"{k}\"?)"));
    format!(
        "the output has no \"{name}\"{hint}; it has: {}",
        keys.join(", ")
    )
}
