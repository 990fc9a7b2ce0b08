//! Validation of `[uncertainty]` (MODEL.md section 10, reading 13.7): every problem named with
//! its outcome, effect and field, unknown kinds, countries and layers with did-you-mean.

use std::collections::HashMap;

use super::super::raw::{effect_entity, id_entity, RawEffect, RawUncertainty};
use super::super::uncertainty::{
    Effect, Outcome, Uncertainty, EFFECT_KINDS, NOMINAL, NOMINAL_THRESHOLD,
};
use super::super::{CountryId, Demand, LayerId};
use super::{did_you_mean, fmt_num, Checker, Names};

/// What an effect may point at.
pub(super) struct Targets<'a> {
    pub periods: Option<usize>,
    pub layer_names: &'a Names<'a>,
    pub country_names: &'a Names<'a>,
    pub capability_index: &'a HashMap<(CountryId, LayerId), usize>,
    pub demands: &'a [Demand],
}

const E: &str = "uncertainty";

pub(super) fn validate(ck: &mut Checker, raw: &RawUncertainty, t: &Targets) -> Option<Uncertainty> {
    let n = t.periods.unwrap_or(1);
    let reveal_period = match raw.reveal_period {
        None => 1,
        Some(v) if v >= 1 && (v as u64) <= n as u64 => v as usize,
        Some(v) => {
            let message = format!("reveal_period must be an integer in 1..={n}, got {v}");
            ck.push(E, "reveal_period", message);
            1
        }
    };
    let risk_weight = ck.share(E, "risk_weight", raw.risk_weight).unwrap_or(0.0);
    let tail = match raw.tail {
        None => 0.1,
        Some(v) if v.is_finite() && v > 0.0 && v <= 1.0 => v,
        Some(v) => {
            ck.push(
                E,
                "tail",
                format!("tail must lie in (0, 1], got {}", fmt_num(v)),
            );
            0.1
        }
    };
    let mut outcomes = Vec::new();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut total = 0.0;
    let mut ok = true;
    for (i, o) in raw.outcome.iter().enumerate() {
        let e = id_entity("uncertainty.outcome", i + 1, o.id.as_deref());
        let id = ck.required(&e, "id", o.id.as_deref());
        if let Some(id) = id {
            if id.trim().is_empty() {
                ck.push(&e, "id", "id must not be empty".into());
            } else if let Some(first) = seen.insert(id, i + 1) {
                let message = format!(
                    "id \"{id}\" is used by more than one outcome (entries {first} and {})",
                    i + 1
                );
                ck.push(&e, "id", message);
            }
        }
        let probability = ck.required(&e, "probability", o.probability);
        let probability = match probability {
            Some(p) if p.is_finite() && p > 0.0 && p <= 1.0 => {
                total += p;
                Some(p)
            }
            Some(p) => {
                let message = format!("probability must lie in (0, 1], got {}", fmt_num(p));
                ck.push(&e, "probability", message);
                None
            }
            None => None,
        };
        let mut effects = Vec::new();
        for (k, raw_effect) in o.effects.iter().enumerate() {
            let fe = effect_entity(&e, k + 1, raw_effect.kind.as_deref());
            match effect(ck, &fe, raw_effect, t) {
                Some(x) => {
                    if let Some(dup) = duplicate(&effects, &x) {
                        let message = format!(
                            "a second {} effect on the same country and layer in this outcome \
                             (effect {} is the first)",
                            x.kind(),
                            dup + 1
                        );
                        ck.push(&fe, "layer", message);
                    } else {
                        effects.push(x);
                    }
                }
                None => ok = false,
            }
        }
        let (Some(id), Some(probability)) = (id, probability) else {
            ok = false;
            continue;
        };
        outcomes.push(Outcome {
            id: id.to_string(),
            name: o.name.clone().unwrap_or_else(|| id.to_string()),
            probability,
            effects,
        });
    }
    if total > 1.0 + NOMINAL_THRESHOLD {
        let message = format!(
            "the outcomes' probabilities sum to {}, above 1",
            fmt_num(total)
        );
        ck.push(E, "outcome", message);
        return None;
    }
    let rest = 1.0 - total;
    if rest > NOMINAL_THRESHOLD {
        if let Some(&k) = seen.get(NOMINAL) {
            let message = format!(
                "id \"{NOMINAL}\" is reserved for the outcome that holds the probability the \
                 others leave ({}); rename this outcome",
                fmt_num(rest)
            );
            ck.push(
                &id_entity("uncertainty.outcome", k, Some(NOMINAL)),
                "id",
                message,
            );
        }
        outcomes.insert(
            0,
            Outcome {
                id: NOMINAL.to_string(),
                name: NOMINAL.to_string(),
                probability: rest,
                effects: Vec::new(),
            },
        );
    }
    ok.then_some(Uncertainty {
        reveal_period,
        risk_weight,
        tail,
        outcomes,
    })
}

/// Index of an earlier effect of the same kind on the same (country, layer).
fn duplicate(effects: &[Effect], x: &Effect) -> Option<usize> {
    let key = |e: &Effect| match *e {
        Effect::Capacity { country, layer, .. }
        | Effect::Demand { country, layer, .. }
        | Effect::Cost { country, layer, .. } => Some((e.kind(), country, layer)),
        Effect::Block { .. } => None,
    };
    let k = key(x)?;
    effects.iter().position(|e| key(e) == Some(k))
}

fn effect(ck: &mut Checker, e: &str, raw: &RawEffect, t: &Targets) -> Option<Effect> {
    let kind = ck.required(e, "kind", raw.kind.as_deref())?;
    let Some(&(kind, required, optional)) = EFFECT_KINDS.iter().find(|k| k.0 == kind) else {
        let kinds = EFFECT_KINDS.iter().map(|k| k.0);
        let hint = match did_you_mean(kind, kinds.clone()) {
            Some(s) => format!("did you mean \"{s}\"?"),
            None => format!("expected one of: {}", kinds.collect::<Vec<_>>().join(", ")),
        };
        ck.push(e, "kind", format!("kind \"{kind}\" is unknown ({hint})"));
        return None;
    };
    let mut complete = true;
    for field in raw.present_fields() {
        if !required.contains(&field) && !optional.contains(&field) {
            let takes = required
                .iter()
                .chain(optional)
                .copied()
                .collect::<Vec<_>>()
                .join(", ");
            let message =
                format!("field \"{field}\" does not apply to a {kind} effect (it takes: {takes})");
            ck.push(e, field, message);
            complete = false;
        }
    }
    for &field in required {
        let given = match field {
            "country" => raw.country.is_some(),
            "layer" => raw.layer.is_some(),
            "factor" => raw.factor.is_some(),
            "from" => raw.from.is_some(),
            _ => true,
        };
        if !given {
            ck.required::<()>(e, field, None);
            complete = false;
        }
    }
    if kind == "block" {
        return block(ck, e, raw, t).filter(|_| complete);
    }
    let country = t
        .country_names
        .resolve_opt(ck, e, "country", raw.country.as_deref());
    let layer = t
        .layer_names
        .resolve_opt(ck, e, "layer", raw.layer.as_deref());
    // Effect factors are any finite number >= 0 (MODEL.md 13.7).
    let factor = raw
        .factor
        .filter(|&v| ck.check(e, "factor", "factor", v, false));
    let (country, layer, factor) = (country?, layer?, factor?);
    if !complete {
        return None;
    }
    let (c, l) = (raw.country.as_deref()?, raw.layer.as_deref()?);
    match kind {
        "capacity" | "cost" if !t.capability_index.contains_key(&(country, layer)) => {
            let message = format!("{c} has no capability for {l}: a {kind} effect needs one");
            ck.push(e, "layer", message);
            None
        }
        "demand"
            if !t
                .demands
                .iter()
                .any(|d| d.country == country && d.layer == layer) =>
        {
            let message = format!("{c} has no demand for {l}: a demand effect needs one");
            ck.push(e, "layer", message);
            None
        }
        "capacity" => Some(Effect::Capacity {
            country,
            layer,
            factor,
        }),
        "cost" => Some(Effect::Cost {
            country,
            layer,
            factor,
        }),
        _ => Some(Effect::Demand {
            country,
            layer,
            factor,
        }),
    }
}

/// A `block` effect: `to` absent = every other country, `layers` absent = every layer (an
/// empty list is an error); `from` = `to`, or a `from` with no capability for any listed layer,
/// is an error (MODEL.md 13.7).
fn block(ck: &mut Checker, e: &str, raw: &RawEffect, t: &Targets) -> Option<Effect> {
    let from = t
        .country_names
        .resolve_opt(ck, e, "from", raw.from.as_deref());
    let to = t.country_names.resolve_opt(ck, e, "to", raw.to.as_deref());
    let layers = raw.layers.as_ref().map(|list| {
        if list.is_empty() && !ck.reported(e, "layers") {
            let message = "layers is empty; omit it to block every layer".to_string();
            ck.push(e, "layers", message);
        }
        t.layer_names.resolve_list(ck, e, "layers", list)
    });
    if raw.to.is_some() && to.is_none() {
        return None;
    }
    if let Some(list) = &raw.layers {
        if list.is_empty() || layers.as_ref().is_some_and(|ls| ls.len() < list.len()) {
            return None;
        }
    }
    let from = from?;
    let name = raw.from.as_deref().unwrap_or_default();
    if Some(from) == to {
        let message = format!("from and to are both \"{name}\"; a block needs two countries");
        ck.push(e, "to", message);
        return None;
    }
    let produces = t
        .capability_index
        .keys()
        .any(|&(c, l)| c == from && layers.as_ref().is_none_or(|ls| ls.contains(&l)));
    if !produces {
        let what = if layers.is_some() {
            "any of the listed layers"
        } else {
            "any layer"
        };
        let message =
            format!("{name} has no capability for {what}: the block would remove nothing");
        ck.push(e, "from", message);
        return None;
    }
    Some(Effect::Block { from, to, layers })
}
