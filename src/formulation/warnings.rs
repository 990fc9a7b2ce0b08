//! Validation warnings that depend on which agreements are active (MODEL.md 2, 13.2-13.5): a
//! warning is not an error, the program is still built and solved, and every output carries
//! the warnings (`warnings` in JSON).

use super::{BuildOptions, Builder};
use crate::scenario::{fmt_num, Basis, Scenario};

/// Every warning of scenario `s` under the activation of `opts` (only its agreement flags are
/// read), in file order: capabilities (cost curve, learning), then security policies.
pub fn warnings(s: &Scenario, opts: &BuildOptions) -> Vec<String> {
    let opts = BuildOptions {
        active: (0..s.agreements.len())
            .map(|a| opts.is_active(a, s))
            .collect(),
        ..Default::default()
    };
    let b = Builder::new(s, &opts);
    let cid = |c: usize| s.countries[c].id.as_str();
    let lid = |l: usize| s.layers[l].id.as_str();
    let mut out = Vec::new();
    for cap in &s.capabilities {
        let entity = format!("capability {}/{}", cid(cap.country), lid(cap.layer));
        if let Some(first) = cap.cost_curve.as_ref().and_then(|c| c.first()) {
            if cap.unit_cost != first.unit_cost {
                out.push(format!(
                    "{entity}: unit_cost {} differs from the first cost_curve unit_cost {}; \
                     the curve's unit costs are used (MODEL.md 13.2)",
                    fmt_num(cap.unit_cost),
                    fmt_num(first.unit_cost)
                ));
            }
        }
        if let (Some(lr), Some(start)) = (
            cap.learning,
            s.starting_experience(cap.country, cap.layer, &opts.active),
        ) {
            if start >= lr.max_experience {
                out.push(format!(
                    "{entity}: starting experience {} (with technology transfer) is at least \
                     max_experience {}; it can produce nothing (MODEL.md 13.5)",
                    fmt_num(start),
                    fmt_num(lr.max_experience)
                ));
            }
        }
    }
    let blocked = b.blocked_routes();
    for pol in &s.security {
        let (i, l) = (pol.country, pol.layer);
        let entity = format!("security {}/{}", cid(i), lid(l));
        if pol.shortfall_penalty.is_some() && pol.domestic_floor.is_none() {
            out.push(format!(
                "{entity}: shortfall_penalty without domestic_floor has no effect (only the \
                 floor can be missed, MODEL.md 13.3)"
            ));
        }
        let Some(sigma) = pol.domestic_floor else {
            continue;
        };
        if sigma <= 0.0 || pol.shortfall_penalty.is_some() {
            continue;
        }
        let produces = s
            .capability(i, l)
            .is_some_and(|cap| cap.capacity > 0.0 || cap.max_expansion > 0.0);
        let trusted = (0..s.countries.len())
            .any(|e| b.flow_allowed(e, i, l, &blocked) && b.fx.trusted(e, i, l));
        if produces || trusted {
            continue;
        }
        let what = match pol.basis {
            Basis::Total => "use",
            Basis::Final => {
                if !s.demands.iter().any(|d| d.country == i && d.layer == l) {
                    continue;
                }
                "consumption"
            }
        };
        out.push(format!(
            "{entity}: the hard domestic_floor {} forces {}'s {what} of {} to zero: {} cannot \
             produce it and has no trusted supplier with an allowed flow under the agreements \
             active in this run (give a shortfall_penalty, basis = \"final\", or a \
             trusted_supply clause; MODEL.md 13.3)",
            fmt_num(sigma),
            cid(i),
            lid(l),
            cid(i)
        ));
    }
    out
}
