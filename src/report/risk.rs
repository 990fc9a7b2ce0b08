//! The report's section on shocks with probabilities (MODEL.md 10; issue 11 item 3), present
//! only for a scenario with `[uncertainty]`: each outcome's P_s, q_s and W_s, E[W], CVaR_α,
//! EVPI and the value of preparing of the coordinated case, and the risk frontier (the
//! coordinated case solved at each risk weight ω, as `solve --risk-weights`) drawn as E[W]
//! against CVaR_α, with the first-stage choices that change along it listed under the chart.

use serde::Serialize;

use super::charts::{self, Bars, ChartError, Frontier, Series};
use super::html::{escape, inline, Case, Chart, Page};
use crate::analysis::compare::AnalysisError;
use crate::formulation::BuildOptions;
use crate::results::stochastic::{self, FrontierPoint};
use crate::results::SolveConfig;
use crate::scenario::Scenario;

/// The risk weights of the frontier when `report --risk-weights` is not given.
pub const DEFAULT_RISK_WEIGHTS: [f64; 5] = [0.0, 0.25, 0.5, 0.75, 1.0];

/// Two frontier points closer than this (relative to max(1, |value|)) are drawn as one.
const SAME_POINT: f64 = 1e-6;

/// The frontier of the coordinated case (in `report.json` as `risk`).
#[derive(Debug, Clone, Serialize)]
pub struct RiskSection {
    /// CVaR_α's tail α.
    pub tail: f64,
    /// One point per risk weight, in the order given.
    pub frontier: Vec<FrontierPoint>,
    /// First-stage decisions whose value is not the same at every weight.
    pub changing: Vec<ChangingDecision>,
}

/// A first-stage decision that changes along the frontier.
#[derive(Debug, Clone, Serialize)]
pub struct ChangingDecision {
    pub decision: String,
    /// Its value at each frontier point (null where that weight has no optimum).
    pub values: Vec<Option<f64>>,
}

/// EVPI and the value of preparing of the coordinated case (put into its report) and its
/// frontier at `weights` (empty = [`DEFAULT_RISK_WEIGHTS`]); `None` without `[uncertainty]`.
pub fn compute(
    s: &Scenario,
    with: &BuildOptions,
    config: &SolveConfig,
    weights: &[f64],
    coordinated: &mut Case,
) -> Result<Option<RiskSection>, AnalysisError> {
    let Some(u) = &s.uncertainty else {
        return Ok(None);
    };
    let failed = |what: &str| {
        let configuration = format!("{what} of the coordinated case");
        move |source| AnalysisError::Solve {
            configuration,
            source,
        }
    };
    let values =
        stochastic::values(s, with, config).map_err(failed("the EVPI and value of preparing"))?;
    stochastic::attach(&mut coordinated.report, values);
    let weights = if weights.is_empty() {
        &DEFAULT_RISK_WEIGHTS[..]
    } else {
        weights
    };
    let frontier =
        stochastic::frontier(s, with, config, weights).map_err(failed("the risk frontier"))?;
    Ok(Some(RiskSection {
        tail: u.tail,
        changing: changing(&frontier),
        frontier,
    }))
}

/// The first-stage decisions that differ between frontier points (a decision absent from a
/// solved point's nonzero list is 0 there).
fn changing(frontier: &[FrontierPoint]) -> Vec<ChangingDecision> {
    let mut names: Vec<&str> = Vec::new();
    for p in frontier {
        for f in &p.first_stage {
            if !names.contains(&f.decision.as_str()) {
                names.push(&f.decision);
            }
        }
    }
    names
        .into_iter()
        .filter_map(|name| {
            let values: Vec<Option<f64>> = frontier
                .iter()
                .map(|p| {
                    (p.status == "optimal").then(|| {
                        p.first_stage
                            .iter()
                            .find(|f| f.decision == name)
                            .map_or(0.0, |f| f.value)
                    })
                })
                .collect();
            let solved: Vec<f64> = values.iter().flatten().copied().collect();
            let lo = solved.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = solved.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            (hi - lo > 1e-6 * hi.abs().max(1.0)).then(|| ChangingDecision {
                decision: name.to_string(),
                values,
            })
        })
        .collect()
}

/// A weight as written in labels: shortest decimal (0, 0.25, 1).
fn weight(w: f64) -> String {
    crate::scenario::fmt_num(w)
}

/// The frontier's points with the weights that share a spot merged into one label.
fn frontier_points(frontier: &[FrontierPoint]) -> Vec<(f64, f64, String)> {
    let mut out: Vec<(f64, f64, Vec<String>)> = Vec::new();
    for p in frontier {
        let (Some(e), Some(c)) = (p.expected_welfare, p.cvar) else {
            continue;
        };
        let same = |a: f64, b: f64| (a - b).abs() <= SAME_POINT * a.abs().max(1.0);
        match out.iter_mut().find(|q| same(q.0, c) && same(q.1, e)) {
            Some(q) => q.2.push(weight(p.risk_weight)),
            None => out.push((c, e, vec![weight(p.risk_weight)])),
        }
    }
    out.into_iter()
        .map(|(x, y, w)| (x, y, format!("ω = {}", w.join(", "))))
        .collect()
}

fn tail_words(tail: f64) -> String {
    format!(
        "the worst {} % of probability",
        charts::fixed(100.0 * tail, 1)
    )
}

/// The section's charts: W_s by outcome and the frontier (none without `[uncertainty]`).
pub fn charts(page: &Page, cur: &str) -> Result<Vec<Chart>, ChartError> {
    let (Some(risk), Some(st)) = (&page.risk, &page.coordinated.report.stochastic) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    let mut series = vec![Series {
        name: "W_s with the agreements (coordinated)".into(),
        values: st.outcomes.iter().map(|o| Some(o.welfare)).collect(),
    }];
    if let (false, Some(without)) = (page.agreements.is_empty(), &page.without.report.stochastic) {
        series.push(Series {
            name: "W_s without the agreements".into(),
            values: without.outcomes.iter().map(|o| Some(o.welfare)).collect(),
        });
    }
    let b = Bars {
        title: "Welfare in each outcome (probability in brackets)".into(),
        categories: st
            .outcomes
            .iter()
            .map(|o| format!("{} ({})", o.id, weight(o.probability)))
            .collect(),
        series,
        x_label: "outcome (probability P_s)".into(),
        y_label: format!("W_s ({cur}, discounted)"),
    };
    out.push(Chart {
        id: "chart-outcomes".into(),
        title: b.title.clone(),
        svg: charts::bar_chart(&b)?,
    });
    let f = Frontier {
        title: format!(
            "Risk frontier: expected welfare against CVaR (tail α = {})",
            weight(risk.tail)
        ),
        points: frontier_points(&risk.frontier),
        x_label: format!(
            "CVaR_α: mean welfare of {} ({cur}, discounted)",
            tail_words(risk.tail)
        ),
        y_label: format!("E[W]: expected welfare ({cur}, discounted)"),
        point_name: "optimum at risk weight ω".into(),
    };
    out.push(Chart {
        id: "chart-frontier".into(),
        title: f.title.clone(),
        svg: charts::frontier_chart(&f)?,
    });
    Ok(out)
}

fn num(v: Option<f64>, d: usize) -> String {
    match v {
        Some(v) if v.is_finite() => charts::fixed(v, d),
        _ => "n/a".into(),
    }
}

/// The section's HTML (empty without `[uncertainty]`).
pub fn render(page: &Page, charts: &[Chart], cur: &str) -> String {
    let (Some(risk), Some(st)) = (&page.risk, &page.coordinated.report.stochastic) else {
        return String::new();
    };
    let figure = |id: &str, caption: &str| -> String {
        charts
            .iter()
            .find(|c| c.id == id)
            .map(|c| {
                format!(
                    "<figure id=\"{}\" data-title=\"{}\">\n{}\n<figcaption>{}</figcaption>\n</figure>\n",
                    escape(&c.id),
                    escape(&c.title),
                    inline(&c.svg),
                    caption
                )
            })
            .unwrap_or_default()
    };
    let without = page
        .without
        .report
        .stochastic
        .as_ref()
        .filter(|_| !page.agreements.is_empty());
    let mut h = String::new();
    h.push_str("<h2 id=\"uncertainty\">Shocks with probabilities</h2>\n");
    h.push_str(&format!(
        "<p>The outcomes are known, and hit, from period {}; capacity, entry, operating status and standby \
         are chosen before (MODEL.md 10). The coordinated case maximises (1 - ω) E[W] + ω CVaR_α with risk \
         weight ω = {} and CVaR_α the mean welfare of {}.</p>\n",
        st.reveal_period,
        weight(st.risk_weight),
        tail_words(st.tail)
    ));
    h.push_str(&format!(
        "<table>\n<tr><th>outcome</th><th>name</th><th>probability P_s</th><th>risk-adjusted q_s</th>\
         <th>W_s coordinated ({cur})</th>{}</tr>\n",
        if without.is_some() {
            format!("<th>W_s without the agreements ({cur})</th>")
        } else {
            String::new()
        }
    ));
    for (k, o) in st.outcomes.iter().enumerate() {
        let other = without
            .and_then(|w| w.outcomes.get(k))
            .map(|w| format!("<td class=\"n\">{}</td>", num(Some(w.welfare), 2)))
            .unwrap_or_default();
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>{other}</tr>\n",
            escape(&o.id),
            escape(&o.name),
            num(Some(o.probability), 4),
            num(Some(o.risk_adjusted_probability), 4),
            num(Some(o.welfare), 2),
        ));
    }
    h.push_str("</table>\n");
    let preparing = match (
        st.value_of_preparing,
        st.nominal_plan_infeasible_in.is_empty(),
    ) {
        (Some(v), _) => num(Some(v), 2),
        (None, false) => format!(
            "n/a: the nominal-only plan is infeasible in {}",
            escape(&st.nominal_plan_infeasible_in.join(", "))
        ),
        (None, true) => "n/a (see the warnings)".into(),
    };
    h.push_str(&format!(
        "<table id=\"uncertainty-figures\">\n<tr><th>figure</th><th>{cur}</th><th>what it means</th></tr>\n\
         <tr><td>E[W]</td><td class=\"n\">{}</td><td>expected welfare over the outcomes, Σ_s P_s W_s</td></tr>\n\
         <tr><td>CVaR_α</td><td class=\"n\">{}</td><td>mean welfare of {}</td></tr>\n\
         <tr><td>EVPI</td><td class=\"n\">{}</td><td>what knowing the outcome in advance would be worth (risk neutral)</td></tr>\n\
         <tr><td>value of preparing</td><td class=\"n\">{preparing}</td><td>what planning for the shocks is worth over \
         the plan that ignores them (risk neutral)</td></tr>\n</table>\n",
        num(Some(st.expected_welfare), 2),
        num(Some(st.cvar), 2),
        tail_words(st.tail),
        num(st.evpi, 2),
    ));
    h.push_str(&figure(
        "chart-outcomes",
        &format!(
            "W_s, the welfare of each outcome ({cur}, discounted) with the first-stage plan of the coordinated \
             case{}.",
            if without.is_some() {
                ", and without the agreements (each case with its own plan)"
            } else {
                ""
            }
        ),
    ));
    h.push_str(&figure(
        "chart-frontier",
        &format!(
            "The coordinated case solved at each risk weight ω: expected welfare E[W] against CVaR_α (the mean \
             welfare of {}), {cur}, discounted. Weights with the same optimum share a point. At ω = 1 only CVaR_α \
             is optimised, so the E[W] there is one of several optima (decisions.md 66).",
            tail_words(risk.tail)
        ),
    ));
    h.push_str(&format!(
        "<table id=\"frontier\">\n<tr><th>risk weight ω</th><th>status</th><th>(1 - ω) E[W] + ω CVaR_α ({cur})</th>\
         <th>E[W] ({cur})</th><th>CVaR_α ({cur})</th></tr>\n"
    ));
    for p in &risk.frontier {
        h.push_str(&format!(
            "<tr><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
            weight(p.risk_weight),
            escape(&p.status),
            num(p.objective, 2),
            num(p.expected_welfare, 2),
            num(p.cvar, 2),
        ));
    }
    h.push_str("</table>\n");
    if risk.changing.is_empty() {
        h.push_str(
            "<p id=\"frontier-changes\">The first-stage choices (capacity built, operating status, entry, \
             standby) are the same at every risk weight.</p>\n",
        );
    } else {
        h.push_str(
            "<p id=\"frontier-changes\">First-stage choices that change along the frontier (units; z = capacity \
             built, y = operating, n = entry, r = standby):</p>\n<div class=\"tables\"><table>\n<tr><th>decision</th>",
        );
        for p in &risk.frontier {
            h.push_str(&format!("<th>ω = {}</th>", weight(p.risk_weight)));
        }
        h.push_str("</tr>\n");
        for c in &risk.changing {
            h.push_str(&format!("<tr><td>{}</td>", escape(&c.decision)));
            for v in &c.values {
                h.push_str(&format!("<td class=\"n\">{}</td>", num(*v, 3)));
            }
            h.push_str("</tr>\n");
        }
        h.push_str("</table></div>\n");
    }
    h
}
