//! The HTML report (`aistack report`): one self-contained page with inline SVG charts that
//! tests the policy claim the tool exists for, that coordinating specialisation beats every
//! country replicating a sovereign stack.
//!
//! [`compute`] solves the cases the page needs and runs the agreement analyses; [`render`]
//! draws the charts ([`super::charts`]) and writes the page; [`write`] puts `index.html`, one
//! `.svg` per chart and `report.json` (every number on the page) into a directory.
//!
//! The cases, all from one scenario file unless a separate sovereign file is given:
//! - **with the agreements** ("coordinated"): the file's activation flags plus every analysed
//!   agreement switched on;
//! - **without the agreements**: the same with every analysed agreement switched off;
//! - **sovereign**: a separate file (`--sovereign`), solved with its own flags, or else the
//!   "without" case. The cost of sovereignty is W(coordinated) - W(sovereign), split by country
//!   with the welfare of MODEL.md section 7.
//!
//! Each analysed agreement is compared alone against the "without" case
//! ([`crate::analysis::compare`]); its gains are split among its members by the Shapley value
//! of its coalition game ([`crate::analysis::coalitions`]: v(S) = welfare gain of the members of
//! S when only S forms the agreement, MODEL.md section 8), exactly up to
//! [`PageOptions::game`] (`max_exact`) members and by Monte Carlo beyond, with the least core (is the
//! core empty, are the realised and Shapley splits in it).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::charts::{self, Bars, ChartError, HeatMap, Ranges, Series};
use crate::analysis::alternatives::{self, AlternativeSettings, Alternatives};
use crate::analysis::coalitions::{self, CoalitionReport, CoalitionSettings, Method};
use crate::analysis::compare::{self, AnalysisError, Comparison};
use crate::formulation::BuildOptions;
use crate::results::ranges::PriceRange;
use crate::results::{Outcome, Report, SolveConfig};
use crate::scenario::{AgreementId, Scenario};

/// What the page covers and how hard it works.
#[derive(Debug, Clone, Default)]
pub struct PageOptions {
    /// Agreements analysed and switched on in the coordinated case; empty = every agreement.
    pub agreements: Vec<AgreementId>,
    /// A separate sovereign scenario (label, scenario), solved with its own activation flags.
    pub sovereign: Option<(String, Scenario)>,
    /// How each agreement's coalition game is computed (exact up to `max_exact` members, Monte
    /// Carlo beyond; the same settings as `aistack coalitions`).
    pub game: CoalitionSettings,
    /// Activation flags of FILE before the analysed agreements are switched on or off (the
    /// file's own flags when `None`).
    pub base: Option<BuildOptions>,
    /// Solve LP relaxations of the integer variables.
    pub relax: bool,
    /// Also explore the near-optimal set of the coordinated case (MODEL.md section 8) and draw
    /// each capability's range; `None` = not on the page (two solves per capability).
    pub alternatives: Option<AlternativeSettings>,
    /// Risk weights of the frontier of a scenario with `[uncertainty]` (empty = the defaults of
    /// [`super::risk::DEFAULT_RISK_WEIGHTS`]).
    pub risk_weights: Vec<f64>,
}

/// One solved case.
#[derive(Debug, Clone, Serialize)]
pub struct Case {
    pub label: String,
    /// Which agreements are active.
    pub active: Vec<String>,
    pub objective: f64,
    pub report: Report,
}

/// Everything the page says about one agreement.
#[derive(Debug, Clone, Serialize)]
pub struct AgreementSection {
    pub id: String,
    pub name: String,
    pub comparison: Comparison,
    /// The coalition game of the agreement (Shapley values, least core, blocking coalitions).
    pub coalitions: Option<CoalitionReport>,
    /// Why there is no Shapley split, or how it was estimated.
    pub shapley_note: Option<String>,
}

/// The data of the page (also written as `report.json`).
#[derive(Debug, Clone, Serialize)]
pub struct Page {
    pub title: String,
    pub file: String,
    pub description: String,
    pub currency: String,
    pub periods: usize,
    pub countries: Vec<String>,
    pub layers: Vec<String>,
    pub agreements: Vec<String>,
    pub coordinated: Case,
    pub without: Case,
    pub sovereign: Case,
    /// True when the sovereign case is the "without" case of the same file.
    pub sovereign_is_without: bool,
    pub sections: Vec<AgreementSection>,
    /// Each coordinated price's least and most value over the optimal dual face (MODEL.md 12),
    /// so that a non-unique price is marked; None where not computed (`price_ranges_note`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_ranges: Option<Vec<PriceRange>>,
    /// Why the prices were not checked for uniqueness, when they were not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_ranges_note: Option<String>,
    /// Near-optimal ranges of the coordinated case (`report --alternatives`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alternatives: Option<Alternatives>,
    /// Shocks with probabilities: the risk frontier of the coordinated case (MODEL.md 10).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk: Option<super::risk::RiskSection>,
    /// Every case's warnings (scenario and numerical), each once, with the cases it is in when
    /// not in all of them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    pub notes: Vec<String>,
    /// Finished sweeps drawn as tornados (`report --sweep DIR`), read after [`compute`].
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sweeps: Vec<super::sweep::SweepData>,
}

impl Page {
    /// W(coordinated) - W(sovereign).
    pub fn cost_of_sovereignty(&self) -> f64 {
        self.coordinated.objective - self.sovereign.objective
    }

    /// Per country, welfare(coordinated) - welfare(sovereign), in the order of `countries`.
    pub fn cost_of_sovereignty_by_country(&self) -> Vec<f64> {
        let sov = welfare_map(&self.sovereign.report);
        let co = welfare_map(&self.coordinated.report);
        self.countries
            .iter()
            .map(|c| co.get(c).copied().unwrap_or(0.0) - sov.get(c).copied().unwrap_or(0.0))
            .collect()
    }

    /// A heat map's cells: `cell(country, layer)` for every country (rows) and layer (columns).
    fn grid<T>(&self, cell: impl Fn(&str, &str) -> T) -> Vec<Vec<T>> {
        self.countries
            .iter()
            .map(|c| self.layers.iter().map(|l| cell(c, l)).collect())
            .collect()
    }

    /// Share of world output (%) by country and layer in one period, for a case.
    pub fn specialisation(&self, case: &Case, period: usize) -> Vec<Vec<Option<f64>>> {
        let mut by: HashMap<(&str, &str), f64> = HashMap::new();
        let mut world: HashMap<&str, f64> = HashMap::new();
        for p in case.report.production.iter().filter(|p| p.period == period) {
            *by.entry((p.country.as_str(), p.layer.as_str()))
                .or_default() += p.quantity;
            *world.entry(p.layer.as_str()).or_default() += p.quantity;
        }
        self.grid(|c, l| {
            let w = world.get(l).copied().unwrap_or(0.0);
            let q = by.get(&(c, l)).copied().unwrap_or(0.0);
            (w > 1e-9 && q > 1e-9).then(|| 100.0 * q / w)
        })
    }

    /// Which coordinated prices of period `period` are not unique, as `marked` of a heat map.
    pub fn price_not_unique(&self, period: usize) -> Vec<Vec<bool>> {
        let Some(ranges) = &self.price_ranges else {
            return Vec::new();
        };
        let open: std::collections::HashSet<(&str, &str)> = ranges
            .iter()
            .filter(|r| r.period == period && !r.unique)
            .map(|r| (r.country.as_str(), r.layer.as_str()))
            .collect();
        self.grid(|c, l| open.contains(&(c, l)))
    }

    /// Prices λ[c,l] of one period (period money per unit) for a case.
    pub fn prices(&self, case: &Case, period: usize) -> Vec<Vec<Option<f64>>> {
        let map: HashMap<(&str, &str), f64> = case
            .report
            .prices
            .iter()
            .filter(|p| p.period == period)
            .map(|p| ((p.country.as_str(), p.layer.as_str()), p.price))
            .collect();
        self.grid(|c, l| map.get(&(c, l)).copied())
    }
}

/// The range of a country's welfare over the optimal prices, where it is not unique.
fn price_range(case: &Case, country: &str) -> Option<(f64, f64)> {
    let w = case.report.welfare.iter().find(|w| w.country == country)?;
    if w.price_dependent != Some(true) {
        return None;
    }
    w.range().map(|r| (r.min, r.max))
}

fn welfare_map(r: &Report) -> HashMap<String, f64> {
    r.welfare
        .iter()
        .map(|w| (w.country.clone(), w.total))
        .collect()
}

fn active_names(s: &Scenario, opts: &BuildOptions) -> Vec<String> {
    compare::active_flags(s, opts)
        .iter()
        .enumerate()
        .filter(|(_, &on)| on)
        .map(|(a, _)| s.agreements[a].id.clone())
        .collect()
}

fn solve_case(
    s: &Scenario,
    opts: &BuildOptions,
    config: &SolveConfig,
    label: &str,
) -> Result<(Case, Outcome), AnalysisError> {
    let o = compare::solve_optimal(s, opts, config, || format!("the {label} case"))?;
    let report = Report::new(s, &o);
    let case = Case {
        label: label.to_string(),
        active: active_names(s, opts),
        objective: o.objective().unwrap_or(f64::NAN),
        report,
    };
    Ok((case, o))
}

/// Solve every case and run the agreement analyses; `progress(done, total)` follows the solves
/// of each coalition game (the longest part).
pub fn compute(
    s: &Scenario,
    file: &str,
    opts: &PageOptions,
    config: &SolveConfig,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Page, AnalysisError> {
    let analysed: Vec<AgreementId> = if opts.agreements.is_empty() {
        (0..s.agreements.len()).collect()
    } else {
        opts.agreements.clone()
    };
    for (k, &a) in analysed.iter().enumerate() {
        if a >= s.agreements.len() {
            return Err(AnalysisError::BadInput(format!(
                "agreement index {a} is out of range"
            )));
        }
        if analysed[..k].contains(&a) {
            return Err(AnalysisError::BadInput(format!(
                "agreement \"{}\" is listed twice",
                s.agreements[a].id
            )));
        }
    }
    if let Some((label, sov)) = &opts.sovereign {
        let ours: Vec<&str> = s.countries.iter().map(|c| c.id.as_str()).collect();
        let theirs: Vec<&str> = sov.countries.iter().map(|c| c.id.as_str()).collect();
        if ours != theirs {
            return Err(AnalysisError::BadInput(format!(
                "the sovereign scenario {label} must have the same countries in the same order as {file}"
            )));
        }
    }
    let mut with = opts
        .base
        .clone()
        .unwrap_or_else(|| BuildOptions::from_file(s));
    with.relax = opts.relax;
    with.active = compare::active_flags(s, &with);
    let mut without = with.clone();
    for &a in &analysed {
        with.active[a] = true;
        without.active[a] = false;
    }
    // Labels name the analysed agreements: other agreements may be active in both cases.
    let names: Vec<&str> = analysed
        .iter()
        .map(|&a| s.agreements[a].id.as_str())
        .collect();
    let named = if names.is_empty() {
        "the agreements".to_string()
    } else {
        names.join(", ")
    };
    let with_label = format!("coordinated (with {named})");
    let without_label = format!("without {named}");
    let (coordinated, without_case) = rayon::join(
        || solve_case(s, &with, config, &with_label),
        || solve_case(s, &without, config, &without_label),
    );
    let (mut coordinated, coordinated_outcome) = coordinated?;
    let without_case = without_case?.0;
    let alternatives = match &opts.alternatives {
        Some(settings) => Some(
            alternatives::alternatives(s, config, &coordinated_outcome, settings, progress)
                .map_err(|e| match e {
                    alternatives::AlternativesError::Solve(source) => AnalysisError::Solve {
                        configuration: "the near-optimal alternatives of the coordinated case"
                            .into(),
                        source,
                    },
                    other => AnalysisError::BadInput(other.to_string()),
                })?,
        ),
        None => None,
    };
    let (price_ranges, price_ranges_note) =
        crate::results::ranges::price_ranges_reported(s, &coordinated_outcome);
    drop(coordinated_outcome);
    let risk = super::risk::compute(s, &with, config, &opts.risk_weights, &mut coordinated)?;
    let (sovereign, sovereign_is_without) = match &opts.sovereign {
        Some((label, sov)) => {
            let mut o = BuildOptions::from_file(sov);
            o.relax = opts.relax;
            (
                solve_case(sov, &o, config, &format!("sovereign ({label})"))?.0,
                false,
            )
        }
        None => {
            let mut c = without_case.clone();
            c.label = format!("sovereign (without {named})");
            (c, true)
        }
    };

    let mut sections = Vec::new();
    for &a in &analysed {
        let ag = &s.agreements[a];
        let comparison = compare::compare_with_progress(s, a, &without, config, progress)?;
        let m = ag.members.len();
        let settings = CoalitionSettings {
            value: coalitions::GameValue::Members,
            ..opts.game.clone()
        };
        let game = coalitions::coalitions(s, a, &without, config, &settings, progress)?;
        let shapley_note = (game.method == Method::MonteCarlo).then(|| {
            format!(
                "{m} members: Shapley values estimated from {} random orders (seed {}), {} scenario solves; \
                 standard errors in the table; the least core over the sampled coalitions only bounds ε from below.",
                game.samples.unwrap_or(0),
                settings.seed,
                game.solves
            )
        });
        let coalitions = Some(game);
        sections.push(AgreementSection {
            id: ag.id.clone(),
            name: ag.name.clone(),
            comparison,
            coalitions,
            shapley_note,
        });
    }

    let mut notes = vec![
        "Welfare is discounted and in the scenario's currency. The split of W between countries uses the \
         reported prices (MODEL.md 7); where a price is not unique (a degenerate program) the split is one of \
         several, while W and its changes are unique."
            .to_string(),
        "Each agreement is analysed alone, against the case without the agreements; its Shapley value uses \
         v(S) = the welfare gain of the members of S when only S forms the agreement (clauses naming a \
         country outside S dropped; a single member forms no agreement, v = 0). The realised split is each \
         member's gain under the full agreement; the side payment moves it to the Shapley split."
            .to_string(),
    ];
    if coordinated.report.mip {
        notes.push(
            "The program has integer decisions: prices are those of the LP with the integers fixed at their \
             optimum (restricted pricing), so entry costs that prices do not cover appear as producer losses."
                .to_string(),
        );
    }
    if s.n_periods() > 1 {
        notes.push("Specialisation and price maps are drawn for every period.".into());
    }
    let mut cases = vec![&coordinated, &without_case];
    if !sovereign_is_without {
        cases.push(&sovereign);
    }
    let warnings = case_warnings(&cases);
    Ok(Page {
        title: format!("aistack report: {}", s.meta.name),
        file: file.to_string(),
        description: s.meta.description.clone(),
        currency: s.meta.currency.clone(),
        periods: s.n_periods(),
        countries: s.countries.iter().map(|c| c.id.clone()).collect(),
        layers: s.layers.iter().map(|l| l.id.clone()).collect(),
        agreements: analysed
            .iter()
            .map(|&a| s.agreements[a].id.clone())
            .collect(),
        coordinated,
        without: without_case,
        sovereign,
        sovereign_is_without,
        sections,
        price_ranges,
        price_ranges_note,
        alternatives,
        risk,
        warnings,
        notes,
        sweeps: Vec::new(),
    })
}

/// Which coordinated prices are not unique (MODEL.md 12): a table of their ranges, or a sentence
/// saying that every price is unique or why it was not checked.
fn price_uniqueness(page: &Page, cur: &str) -> String {
    let Some(ranges) = &page.price_ranges else {
        return match &page.price_ranges_note {
            Some(why) => format!(
                "<p class=\"note\" id=\"price-uniqueness\">Whether each price is unique was {}.</p>\n",
                escape(why)
            ),
            None => "<p class=\"note\" id=\"price-uniqueness\">These are the prices the solver returned \
                     (<code>--prices any</code>); they may be one of several optimal price systems.</p>\n"
                .to_string(),
        };
    };
    let open: Vec<&PriceRange> = ranges.iter().filter(|r| !r.unique).collect();
    if open.is_empty() {
        return "<p class=\"note\" id=\"price-uniqueness\">Every price is unique: it is the same at every \
                optimal solution of the pricing program (checked over the optimal dual face).</p>\n"
            .to_string();
    }
    let mut h = format!(
        "<p class=\"note\" id=\"price-uniqueness\">* {} of {} prices are not unique (a degenerate program): \
         any value in the range below is an optimal price, and the maps show the least-norm one \
         (canonical prices, MODEL.md 12). {cur} per unit in period money.</p>\n\
         <table id=\"price-ranges\">\n<tr><th>country</th><th>layer</th><th>period</th><th>price shown</th>\
         <th>least</th><th>most</th></tr>\n",
        open.len(),
        ranges.len()
    );
    for r in open {
        let shown = page
            .coordinated
            .report
            .prices
            .iter()
            .find(|p| p.period == r.period && p.country == r.country && p.layer == r.layer)
            .map(|p| p.price);
        let bound = |v: f64| {
            if v.is_finite() {
                num(v, 2)
            } else {
                "unbounded".to_string()
            }
        };
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}*</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td></tr>\n",
            escape(&r.country),
            escape(&r.layer),
            r.period,
            shown.map_or("-".to_string(), |v| num(v, 2)),
            bound(r.min),
            bound(r.max)
        ));
    }
    h.push_str("</table>\n");
    h
}

/// The warnings of `cases`, each once in first-seen order; one that is not in every case names
/// the cases it is in.
fn case_warnings(cases: &[&Case]) -> Vec<String> {
    let mut seen: Vec<(&str, Vec<&str>)> = Vec::new();
    for case in cases {
        for w in &case.report.warnings {
            match seen.iter_mut().find(|(x, _)| *x == w.as_str()) {
                Some((_, labels)) => {
                    if !labels.contains(&case.label.as_str()) {
                        labels.push(&case.label)
                    }
                }
                None => seen.push((w, vec![&case.label])),
            }
        }
    }
    let mut all: Vec<&str> = cases.iter().map(|c| c.label.as_str()).collect();
    all.dedup();
    seen.into_iter()
        .map(|(w, labels)| {
            if labels.len() == all.len() {
                w.to_string()
            } else {
                format!("{w} (in: {})", labels.join(", "))
            }
        })
        .collect()
}

/// A rendered chart: its id (`chart-...`), title and SVG.
#[derive(Debug, Clone)]
pub struct Chart {
    pub id: String,
    pub title: String,
    pub svg: String,
}

/// Draw every chart of the page, in page order.
pub fn charts(page: &Page) -> Result<Vec<Chart>, ChartError> {
    let cur = if page.currency.is_empty() {
        "money".to_string()
    } else {
        page.currency.clone()
    };
    let mut out = Vec::new();
    // Both specialisation maps on one scale (0-100 %), so equal colours mean equal shares.
    let spec = |case: &Case, t: usize, title: String| HeatMap {
        title,
        rows: page.countries.clone(),
        columns: page.layers.clone(),
        values: page.specialisation(case, t),
        x_label: "layer of the AI stack".into(),
        y_label: "country or bloc".into(),
        legend_title: "share of world output of the layer (%)".into(),
        missing_label: "not produced".into(),
        decimals: 0,
        scale: Some((0.0, 100.0)),
        marked: Vec::new(),
        marked_label: String::new(),
    };
    for t in 1..=page.periods {
        let (id, when) = period_id(page.periods, t);
        let h = spec(
            &page.coordinated,
            t,
            format!("Specialisation: share of world output, coordinated{when}"),
        );
        out.push(Chart {
            id: format!("chart-specialisation{id}"),
            title: h.title.clone(),
            svg: charts::heat_map(&h)?,
        });
        let h = spec(
            &page.sovereign,
            t,
            format!("Specialisation: share of world output, sovereign{when}"),
        );
        out.push(Chart {
            id: format!("chart-specialisation-sovereign{id}"),
            title: h.title.clone(),
            svg: charts::heat_map(&h)?,
        });
    }
    for t in 1..=page.periods {
        let (id, when) = period_id(page.periods, t);
        let h = HeatMap {
            title: format!("Prices: marginal value of each layer, coordinated{when}"),
            rows: page.countries.clone(),
            columns: page.layers.clone(),
            values: page.prices(&page.coordinated, t),
            x_label: "layer of the AI stack".into(),
            y_label: "country or bloc".into(),
            legend_title: format!("price ({cur} per unit, period {t})"),
            missing_label: "no price".into(),
            decimals: 2,
            scale: None,
            marked: page.price_not_unique(t),
            marked_label: "not unique: any value in a range is an optimal price (see the table)"
                .into(),
        };
        out.push(Chart {
            id: format!("chart-prices{id}"),
            title: h.title.clone(),
            svg: charts::heat_map(&h)?,
        });
    }

    // Changes are the point: each country's welfare with minus without the agreements.
    let with = welfare_map(&page.coordinated.report);
    let without = welfare_map(&page.without.report);
    let change: Vec<Option<f64>> = page
        .countries
        .iter()
        .map(|c| Some(with.get(c)? - without.get(c)?))
        .collect();
    let b = Bars {
        title: "Welfare by country: the change the agreements make".into(),
        categories: page.countries.clone(),
        series: vec![Series {
            name: "with minus without the agreements".into(),
            values: change,
        }],
        x_label: "country or bloc".into(),
        y_label: format!("welfare change ({cur}, discounted)"),
    };
    out.push(Chart {
        id: "chart-welfare".into(),
        title: b.title.clone(),
        svg: charts::bar_chart(&b)?,
    });

    let cost = page.cost_of_sovereignty_by_country();
    let b = Bars {
        title: format!(
            "Cost of sovereignty: W(coordinated) - W(sovereign) = {} {cur}",
            charts::fixed(page.cost_of_sovereignty(), 1)
        ),
        categories: page.countries.clone(),
        series: vec![Series {
            name: "welfare coordinated minus sovereign".into(),
            values: cost.into_iter().map(Some).collect(),
        }],
        x_label: "country or bloc".into(),
        y_label: format!("welfare difference ({cur}, discounted)"),
    };
    out.push(Chart {
        id: "chart-sovereignty".into(),
        title: b.title.clone(),
        svg: charts::bar_chart(&b)?,
    });

    out.extend(super::risk::charts(page, &cur)?);

    if let Some(alt) = &page.alternatives {
        let r = range_chart_data(alt);
        out.push(Chart {
            id: "chart-alternatives".into(),
            title: r.title.clone(),
            svg: charts::range_chart(&r)?,
        });
    }

    for sec in &page.sections {
        let cmp = &sec.comparison;
        let mut cats: Vec<String> = cmp.members.clone();
        let gain_of: HashMap<&str, f64> = cmp
            .countries
            .iter()
            .map(|c| (c.country.as_str(), c.gain))
            .collect();
        let mut gains: Vec<Option<f64>> = cats
            .iter()
            .map(|c| gain_of.get(c.as_str()).copied())
            .collect();
        let mut shap: Vec<Option<f64>> = match &sec.coalitions {
            Some(g) => cats
                .iter()
                .map(|c| {
                    g.players
                        .iter()
                        .find(|p| &p.country == c)
                        .map(|p| p.shapley)
                })
                .collect(),
            None => vec![None; cats.len()],
        };
        cats.push("non-members".into());
        gains.push(Some(cmp.non_members_gain));
        shap.push(None);
        let mut series = vec![Series {
            name: "welfare gain when the agreement forms".into(),
            values: gains,
        }];
        if let Some(g) = &sec.coalitions {
            series.push(Series {
                name: match g.method {
                    Method::Exact => "Shapley value".into(),
                    Method::MonteCarlo => "Shapley value (Monte Carlo)".into(),
                },
                values: shap,
            });
        }
        let b = Bars {
            title: format!(
                "Agreement {}: gains and Shapley split (total gain {} {cur})",
                sec.id,
                charts::fixed(cmp.w_gain, 2)
            ),
            categories: cats,
            series,
            x_label: "member (and all non-members together)".into(),
            y_label: format!("welfare gain ({cur}, discounted)"),
        };
        out.push(Chart {
            id: format!("chart-agreement-{}", sec.id),
            title: b.title.clone(),
            svg: charts::bar_chart(&b)?,
        });
    }
    out.extend(super::dynamics::charts(page)?);
    Ok(out)
}

/// The ranges as a chart: one bar per capability in % of the layer's world output at the
/// optimum (one scale for every layer), in file order.
fn range_chart_data(alt: &Alternatives) -> Ranges {
    let pct = |v: Option<f64>, world: f64| match v {
        Some(v) if world > 0.0 => 100.0 * v / world,
        Some(_) => 0.0,
        None => f64::NAN,
    };
    Ranges {
        title: format!(
            "Room to choose: output within {} % of the optimal W",
            charts::fixed(100.0 * alt.slack, 1)
        ),
        labels: alt
            .ranges
            .iter()
            .map(|r| format!("{} {}", r.country, r.layer))
            .collect(),
        values: alt
            .ranges
            .iter()
            .map(|r| {
                (
                    pct(r.min, r.world_output),
                    pct(Some(r.optimum), r.world_output),
                    pct(r.max, r.world_output),
                )
            })
            .collect(),
        x_label: "output over the horizon (% of the layer's world output at the optimum)".into(),
        y_label: "country and layer".into(),
    }
}

/// The id suffix and title words of period `t`: none for a single-period file (its ids stay
/// `chart-prices`...), `-p2` and ", period 2" otherwise (period 1 keeps the plain id).
fn period_id(periods: usize, t: usize) -> (String, String) {
    match (periods, t) {
        (1, _) => (String::new(), String::new()),
        (_, 1) => (String::new(), ", period 1".into()),
        _ => (format!("-p{t}"), format!(", period {t}")),
    }
}

/// HTML-escape text.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Inline form of an SVG: without the XML namespace (not needed inside HTML, and it keeps
/// the page free of any URL).
pub(super) fn inline(svg: &str) -> String {
    charts::responsive(&svg.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1))
}

fn num(v: f64, d: usize) -> String {
    if v.is_finite() {
        charts::fixed(v, d)
    } else {
        "n/a".into()
    }
}

const STYLE: &str = "body{font-family:sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}\
h1{font-size:1.6em}h2{font-size:1.3em;margin-top:2em;border-bottom:1px solid #ccc}\
table{border-collapse:collapse;margin:1em 0;font-size:0.9em}td,th{border:1px solid #ccc;padding:3px 8px}\
td.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f3f3f3}\
figure{margin:1em 0;max-width:100%}figure svg{width:100%;height:auto}\
.tables{overflow-x:auto;max-width:100%}figcaption{font-size:0.9em;color:#555;max-width:900px}\
.note{font-size:0.9em;color:#555}.bad{color:#b00}.good{color:#070}";

/// The page as HTML, given its charts (from [`charts`]).
pub fn render(page: &Page, charts: &[Chart]) -> String {
    let cur = escape(if page.currency.is_empty() {
        "money"
    } else {
        &page.currency
    });
    let chart = |id: &str| charts.iter().find(|c| c.id == id);
    let figure = |id: &str, caption: &str| -> String {
        match chart(id) {
            Some(c) => format!(
                "<figure id=\"{}\" data-title=\"{}\">\n{}\n<figcaption>{}</figcaption>\n</figure>\n",
                escape(&c.id),
                escape(&c.title),
                inline(&c.svg),
                caption
            ),
            None => String::new(),
        }
    };
    let mut h = String::new();
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str(&format!(
        "<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(&page.title)
    ));
    h.push_str(&format!("<h1>{}</h1>\n", escape(&page.title)));
    h.push_str(&format!(
        "<p>{}<br><span class=\"note\">Scenario file: <code>{}</code>; {} countries, {} layers, {} {}; \
         agreements analysed: {}.</span></p>\n",
        escape(&page.description),
        escape(&page.file),
        page.countries.len(),
        page.layers.len(),
        page.periods,
        super::table::plural(page.periods, "period", "periods"),
        escape(&page.agreements.join(", "))
    ));
    // Units (decisions.md 101): a period is the scenario's own unit of time; the description
    // says how long it is.
    h.push_str(&format!(
        "<p class=\"note\" id=\"units\">Units: quantities in units per period; prices in {cur} per unit \
         (period money); welfare and W in {cur}, the discounted sum over periods of per-period flows \
         (with one period: {cur} per period).</p>\n"
    ));

    // Summary.
    h.push_str(
        "<h2 id=\"summary\">Summary</h2>\n<table>\n<tr><th>case</th><th>active agreements</th>",
    );
    h.push_str(&format!("<th>W ({cur}, discounted)</th></tr>\n"));
    let mut cases = vec![&page.coordinated, &page.without];
    if !page.sovereign_is_without {
        cases.push(&page.sovereign);
    }
    for c in cases {
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td></tr>\n",
            escape(&c.label),
            escape(&if c.active.is_empty() {
                "none".to_string()
            } else {
                c.active.join(", ")
            }),
            num(c.objective, 2)
        ));
    }
    h.push_str("</table>\n");
    let cost = page.cost_of_sovereignty();
    h.push_str(&format!(
        "<p>Cost of sovereignty, W(coordinated) - W(sovereign): <b>{} {cur}</b> ({} % of W(coordinated)).</p>\n",
        num(cost, 2),
        num(100.0 * cost / page.coordinated.objective.abs().max(1e-12), 2)
    ));

    h.push_str("<h2 id=\"specialisation\">Specialisation</h2>\n");
    for t in 1..=page.periods {
        let (id, when) = period_id(page.periods, t);
        h.push_str(&figure(
            &format!("chart-specialisation{id}"),
            &format!(
                "Each cell is the country's share of world output of the layer (%){when}, with the agreements. \
                 Grey: the country does not produce the layer. Both maps share one colour scale (0-100 %)."
            ),
        ));
        h.push_str(&figure(
            &format!("chart-specialisation-sovereign{id}"),
            &format!("The same shares in the sovereign case{when}: where blocs replicate layers they would otherwise import."),
        ));
    }
    h.push_str("<h2 id=\"prices\">Prices</h2>\n");
    for t in 1..=page.periods {
        let (id, _) = period_id(page.periods, t);
        h.push_str(&figure(
            &format!("chart-prices{id}"),
            &format!(
                "Price λ of each layer in each country (the dual of its balance row, MODEL.md 7), {cur} per unit \
                 in period-{t} money, with the agreements: the value of one more unit delivered free."
            ),
        ));
    }
    h.push_str(&price_uniqueness(page, &cur));
    h.push_str("<h2 id=\"welfare\">Welfare by country</h2>\n");
    h.push_str(&figure(
        "chart-welfare",
        &format!(
            "Each country's welfare with the agreements minus without them ({cur}, discounted): consumers' \
             surplus, producers' profit and importers' rents. Levels are in the table below."
        ),
    ));
    h.push_str("<h2 id=\"sovereignty\">Cost of sovereignty</h2>\n");
    h.push_str(&figure(
        "chart-sovereignty",
        &format!(
            "Welfare with the agreements minus welfare in the sovereign case, by country ({cur}, discounted). \
             Positive: the country is better off under coordination."
        ),
    ));
    let by = page.cost_of_sovereignty_by_country();
    let with = welfare_map(&page.coordinated.report);
    let without = welfare_map(&page.without.report);
    let sov = welfare_map(&page.sovereign.report);
    h.push_str("<table>\n<tr><th>country</th>");
    h.push_str(&format!(
        "<th>without agreements</th><th>with agreements</th>{}<th>coordinated - sovereign</th></tr>\n",
        if page.sovereign_is_without { "" } else { "<th>sovereign</th>" }
    ));
    let mut ranged = false;
    for (i, c) in page.countries.iter().enumerate() {
        let mut cell = |case: &Case, m: &HashMap<String, f64>| -> String {
            let v = num(m.get(c).copied().unwrap_or(f64::NAN), 2);
            match price_range(case, c) {
                Some((lo, hi)) => {
                    ranged = true;
                    format!(
                        "<td class=\"n\" title=\"{} to {} over the optimal prices\">{v}*</td>",
                        num(lo, 2),
                        num(hi, 2)
                    )
                }
                None => format!("<td class=\"n\">{v}</td>"),
            }
        };
        let cells = format!(
            "{}{}{}",
            cell(&page.without, &without),
            cell(&page.coordinated, &with),
            if page.sovereign_is_without {
                String::new()
            } else {
                cell(&page.sovereign, &sov)
            }
        );
        h.push_str(&format!(
            "<tr><td>{}</td>{cells}<td class=\"n\">{}</td></tr>\n",
            escape(c),
            num(by[i], 2)
        ));
    }
    h.push_str("</table>\n");
    if ranged {
        h.push_str(
            "<p class=\"note\">* Not unique: this welfare depends on which optimal prices split W (a degenerate \
             program); the range over every optimal price is in the cell's tooltip and in report.json. \
             W and its changes are unique.</p>\n",
        );
    }

    h.push_str(&super::risk::render(page, charts, &cur));
    h.push_str(&super::dynamics::sections(page, charts));

    if let Some(alt) = &page.alternatives {
        h.push_str("<h2 id=\"alternatives\">Room to choose a specialisation</h2>\n");
        h.push_str(&format!(
            "<p>Every plan whose W is at least {} {cur} (the optimum {} less {} % of |W*|, MODEL.md 8){}: \
             how much each country can produce of each layer while the world gives up almost nothing.</p>\n",
            num(alt.floor, 2),
            num(alt.objective, 2),
            num(100.0 * alt.slack, 1),
            match alt.integers {
                "fixed" => ", integer decisions fixed at the optimum",
                "free" => ", integer decisions free",
                _ => "",
            }
        ));
        h.push_str(&figure(
            "chart-alternatives",
            "Bars: the least and the most each country can produce of the layer over the horizon within the slack, \
             in % of the layer's world output at the optimum (more than 100 % where the slack pays for extra output); \
             black tick: the optimum.",
        ));
        h.push_str("<ul>\n");
        for c in &alt.countries {
            h.push_str(&format!("<li>{}</li>\n", escape(&c.summary)));
        }
        h.push_str(&format!(
            "</ul>\n<p class=\"note\">Room: some layer can move by at least {} % of its world output.</p>\n",
            num(100.0 * alt.threshold, 0)
        ));
    }

    h.push_str("<h2 id=\"agreements\">Agreements</h2>\n");
    for sec in &page.sections {
        let cmp = &sec.comparison;
        h.push_str(&format!(
            "<h3 id=\"agreement-{}\">{}</h3>\n",
            escape(&sec.id),
            escape(&sec.id)
        ));
        if !sec.name.is_empty() {
            h.push_str(&format!("<p>{}</p>\n", escape(&sec.name)));
        }
        h.push_str(&format!(
            "<p>Alone against the case without the agreements: W rises by <b>{} {cur}</b> (members {}, \
             non-members {}). Individually rational (every member gains): <b class=\"{}\">{}</b>.",
            num(cmp.w_gain, 2),
            num(cmp.members_gain, 2),
            num(cmp.non_members_gain, 2),
            if cmp.individually_rational { "good" } else { "bad" },
            if cmp.individually_rational { "yes" } else { "no" }
        ));
        if !cmp.losers.is_empty() {
            let l: Vec<String> = cmp
                .losers
                .iter()
                .map(|x| format!("{} loses {}", x.country, num(x.loss, 2)))
                .collect();
            h.push_str(&format!(" {}.", escape(&l.join(", "))));
        }
        if let Some(g) = &sec.coalitions {
            let lc = &g.least_core;
            let blocked = |split: &str| g.blocking.iter().find(|b| b.split == split);
            let core = match lc.core_empty {
                Some(true) => "<b class=\"bad\">empty</b>".to_string(),
                Some(false) => "<b class=\"good\">not empty</b>".to_string(),
                None => "not decided (sampled coalitions only)".to_string(),
            };
            h.push_str(&format!(
                " Core: {core} (least-core ε = {}{}).",
                num(lc.epsilon, 4),
                if lc.exact { "" } else { ", a lower bound" }
            ));
            let block_text = |b: &coalitions::BlockingEntry| {
                format!(
                    " (blocked by {{{}}}, excess {} {cur})",
                    escape(&b.coalition.join(", ")),
                    num(b.excess, 3)
                )
            };
            for (split, label) in [
                ("realised", "The realised split"),
                ("shapley", "The Shapley split"),
            ] {
                let verdict = match (blocked(split), lc.exact) {
                    (Some(b), _) => format!("<b class=\"bad\">no</b>{}", block_text(b)),
                    (None, true) => "<b class=\"good\">yes</b>".to_string(),
                    (None, false) => "not blocked by any sampled coalition".to_string(),
                };
                h.push_str(&format!(" {label} is in the core: {verdict}."));
            }
        }
        h.push_str("</p>\n");
        let caption = format!(
            "Bars: each member's welfare change when the agreement forms ({cur}, discounted), and its Shapley value \
             of the coalition game; the last group is the total change of all non-members.{}",
            sec.shapley_note.as_ref().map(|n| format!(" {}", escape(n))).unwrap_or_default()
        );
        h.push_str(&figure(&format!("chart-agreement-{}", sec.id), &caption));
        h.push_str(&format!(
            "<table>\n<tr><th>member</th><th>gain when the agreement forms ({cur})</th><th>Shapley value ({cur})</th>\
             <th>side payment to reach it ({cur})</th><th>least-core split ({cur})</th></tr>\n"
        ));
        for m in &cmp.members {
            let gain = cmp
                .countries
                .iter()
                .find(|c| &c.country == m)
                .map_or(f64::NAN, |c| c.gain);
            let p = sec
                .coalitions
                .as_ref()
                .and_then(|g| g.players.iter().find(|p| &p.country == m));
            let cell = |v: Option<String>| {
                format!("<td class=\"n\">{}</td>", v.unwrap_or_else(|| "n/a".into()))
            };
            h.push_str(&format!(
                "<tr><td>{}</td><td class=\"n\">{}</td>{}{}{}</tr>\n",
                escape(m),
                num(gain, 2),
                cell(p.map(|p| {
                    let se = p
                        .std_error
                        .map(|e| format!(" ± {}", num(e, 2)))
                        .unwrap_or_default();
                    format!("{}{se}", num(p.shapley, 2))
                })),
                cell(p.map(|p| num(p.side_payment, 2))),
                cell(p.map(|p| num(p.least_core, 2))),
            ));
        }
        h.push_str("</table>\n");
        if !cmp.clauses.is_empty() {
            h.push_str(&format!("<table>\n<tr><th>clause</th><th>value: W with - W without the clause ({cur})</th><th>binds</th></tr>\n"));
            for cl in &cmp.clauses {
                h.push_str(&format!(
                    "<tr><td>{}. {}</td><td class=\"n\">{}</td><td>{}</td></tr>\n",
                    cl.clause,
                    escape(&cl.description),
                    num(cl.value, 3),
                    if cl.binds { "yes" } else { "no" }
                ));
            }
            h.push_str("</table>\n");
        }
    }
    if !page.warnings.is_empty() {
        h.push_str("<h2 id=\"warnings\">Warnings</h2>\n<ul>\n");
        for w in &page.warnings {
            h.push_str(&format!("<li>{}</li>\n", escape(w)));
        }
        h.push_str("</ul>\n");
    }
    h.push_str("<h2 id=\"notes\">Notes</h2>\n<ul>\n");
    for n in &page.notes {
        h.push_str(&format!("<li>{}</li>\n", escape(n)));
    }
    h.push_str("</ul>\n</body>\n</html>\n");
    h
}

/// Write `index.html`, `charts/<id>.svg` and `report.json` into `dir`; returns the paths.
/// File names derived from ids (agreement ids are free text) are sanitised and made unique,
/// so nothing is written outside `dir` (issue 9).
pub fn write(page: &Page, dir: &Path) -> Result<Vec<PathBuf>, WriteError> {
    let charts = charts(page)?;
    std::fs::create_dir_all(dir.join("charts"))?;
    let mut written = Vec::new();
    let index = dir.join("index.html");
    std::fs::write(&index, render(page, &charts))?;
    written.push(index);
    let mut used = std::collections::HashSet::new();
    for c in &charts {
        let stem = super::safe_file_stem(c.id.trim_start_matches("chart-"), &mut used);
        let p = dir.join("charts").join(format!("{stem}.svg"));
        std::fs::write(&p, &c.svg)?;
        written.push(p);
    }
    let json = dir.join("report.json");
    std::fs::write(&json, super::to_json(page))?;
    written.push(json);
    Ok(written)
}

/// Errors writing the report.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error(transparent)]
    Chart(#[from] ChartError),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}
