//! The report's sections over time, under uncertainty and across assumptions (issue 15 item 6),
//! next to the single-solve charts of [`super::html`]:
//! - **trajectories** (a file with more than one period): each layer's output by country over
//!   the periods in the coordinated case, one line per producing country, so what a country
//!   builds and keeps, and when it enters, can be read off;
//! - **uncertainty** (a file with `[uncertainty]`): W in each outcome minus E[W] for each case,
//!   and each country's welfare in each outcome minus its expectation (coordinated case): the
//!   spread of outcomes around the expectation, as signed bars;
//! - **sensitivity** (`report --sweep DIR`, repeatable): the tornado of each metric of a
//!   finished sweep, read from its `summary.json` as `sweep-report` reads it.
//!
//! In a stochastic file a second-stage quantity has one value per outcome; the trajectory draws
//! its expectation Σ_s P_s p_s (decisions 162).

use std::collections::HashMap;

use plotters::prelude::*;

use super::charts::{self, err, Bars, ChartError, Series};
use super::html::{escape, inline, Case, Chart, Page};
use super::sweep as sweep_page;

const FONT: &str = "sans-serif";

/// Line colours (Tableau 10 and two more): a layer can have a dozen producers.
const LINE_COLOURS: [RGBColor; 12] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
    RGBColor(0, 0, 0),
    RGBColor(174, 199, 232),
];

/// Values over periods, one line per series.
#[derive(Debug, Clone)]
pub struct Lines {
    pub title: String,
    /// Labels of the x positions (periods), left to right.
    pub x: Vec<String>,
    /// One value per x position; `None` leaves a gap.
    pub series: Vec<Series>,
    pub x_label: String,
    /// y axis label, with units.
    pub y_label: String,
    /// Title of the legend (what a series is).
    pub legend_title: String,
}

/// Draw lines over periods as an SVG string, the legend to the right of the plot (it never
/// covers a line).
pub fn line_chart(l: &Lines) -> Result<String, ChartError> {
    let e = err(&l.title);
    let n = l.x.len().max(1);
    let legend_w: u32 = 40
        + 8 * l
            .series
            .iter()
            .map(|s| s.name.chars().count())
            .chain([l.legend_title.chars().count()])
            .max()
            .unwrap_or(8)
            .clamp(6, 30) as u32;
    let width = (10 * l.title.chars().count() as u32 + 60).clamp(760, 1200);
    let height = (200 + 20 * l.series.len() as u32).max(420);
    let values: Vec<f64> = l
        .series
        .iter()
        .flat_map(|s| s.values.iter().flatten().copied())
        .filter(|v| v.is_finite())
        .collect();
    let lo = values.iter().copied().fold(0.0, f64::min);
    let mut hi = values.iter().copied().fold(0.0, f64::max);
    if hi - lo < 1e-9 {
        hi = lo + 1.0;
    }
    let hi = hi + 0.05 * (hi - lo);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(&e)?;
        let body = root.titled(&l.title, (FONT, 20)).map_err(&e)?;
        let (plot, legend) = body.split_horizontally(width - legend_w);
        let names = l.x.clone();
        let mut chart = ChartBuilder::on(&plot)
            .margin(12)
            .x_label_area_size(56)
            .y_label_area_size(80)
            .build_cartesian_2d((0..n as i32).into_segmented(), lo..hi)
            .map_err(&e)?;
        let xf = move |v: &SegmentValue<i32>| match v {
            SegmentValue::CenterOf(i) if *i >= 0 && (*i as usize) < names.len() => {
                names[*i as usize].clone()
            }
            _ => String::new(),
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(RGBColor(245, 245, 245))
            .x_labels(n)
            .x_label_formatter(&xf)
            .y_label_formatter(&|v: &f64| charts::fixed(*v, if hi - lo < 10.0 { 2 } else { 0 }))
            .x_desc(&l.x_label)
            .y_desc(&l.y_label)
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 15))
            .draw()
            .map_err(&e)?;
        for (s, series) in l.series.iter().enumerate() {
            let colour = LINE_COLOURS[s % LINE_COLOURS.len()];
            let points: Vec<(SegmentValue<i32>, f64)> = series
                .values
                .iter()
                .enumerate()
                .filter_map(|(i, v)| {
                    v.filter(|v| v.is_finite())
                        .map(|v| (SegmentValue::CenterOf(i as i32), v))
                })
                .collect();
            chart
                .draw_series(std::iter::once(PathElement::new(
                    points.clone(),
                    colour.stroke_width(2),
                )))
                .map_err(&e)?;
            chart
                .draw_series(
                    points
                        .into_iter()
                        .map(|p| Circle::new(p, 3, colour.filled())),
                )
                .map_err(&e)?;
        }
        legend
            .draw(&Text::new(
                l.legend_title.clone(),
                (4, 16),
                (FONT, 13).into_font().style(FontStyle::Bold),
            ))
            .map_err(&e)?;
        for (s, series) in l.series.iter().enumerate() {
            let colour = LINE_COLOURS[s % LINE_COLOURS.len()];
            let y = 40 + 20 * s as i32;
            legend
                .draw(&PathElement::new(
                    vec![(6, y), (30, y)],
                    colour.stroke_width(3),
                ))
                .map_err(&e)?;
            legend
                .draw(&Text::new(series.name.clone(), (36, y - 7), (FONT, 13)))
                .map_err(&e)?;
        }
        root.present().map_err(&e)?;
    }
    Ok(svg)
}

/// Probability of each outcome of a stochastic case, by id.
fn probabilities(case: &Case) -> HashMap<&str, f64> {
    case.report
        .stochastic
        .iter()
        .flat_map(|s| &s.outcomes)
        .map(|o| (o.id.as_str(), o.probability))
        .collect()
}

/// Output of (country, layer) in each period: a second-stage value weighted by its outcome's
/// probability, so a stochastic file draws Σ_s P_s p_s.
fn expected_production(case: &Case) -> HashMap<(&str, &str, usize), f64> {
    let p = probabilities(case);
    let mut by = HashMap::new();
    for e in &case.report.production {
        let w = match &e.outcome {
            Some(o) => p.get(o.as_str()).copied().unwrap_or(0.0),
            None => 1.0,
        };
        *by.entry((e.country.as_str(), e.layer.as_str(), e.period))
            .or_default() += w * e.quantity;
    }
    by
}

/// One line chart per layer that some country produces: output by country and period, in the
/// coordinated case; countries that never produce the layer are left out.
fn trajectory_charts(page: &Page) -> Result<Vec<Chart>, ChartError> {
    let by = expected_production(&page.coordinated);
    let stochastic = page.coordinated.report.stochastic.is_some();
    let x: Vec<String> = (1..=page.periods).map(|t| format!("period {t}")).collect();
    let mut out = Vec::new();
    for layer in &page.layers {
        let series: Vec<Series> = page
            .countries
            .iter()
            .filter_map(|c| {
                let values: Vec<Option<f64>> = (1..=page.periods)
                    .map(|t| {
                        Some(
                            by.get(&(c.as_str(), layer.as_str(), t))
                                .copied()
                                .unwrap_or(0.0),
                        )
                    })
                    .collect();
                values
                    .iter()
                    .any(|v| v.unwrap_or(0.0) > 1e-9)
                    .then(|| Series {
                        name: c.clone(),
                        values,
                    })
            })
            .collect();
        if series.is_empty() {
            continue;
        }
        let l = Lines {
            title: format!(
                "Trajectory: output of {layer} by country, coordinated{}",
                if stochastic { " (expected)" } else { "" }
            ),
            x: x.clone(),
            series,
            x_label: "period".into(),
            y_label: "output (units per period)".into(),
            legend_title: "country or bloc".into(),
        };
        out.push(Chart {
            id: format!("chart-trajectory-{layer}"),
            title: l.title.clone(),
            svg: line_chart(&l)?,
        });
    }
    Ok(out)
}

/// The cases on the page, each once (the sovereign case only when it is not the "without" one).
fn cases(page: &Page) -> Vec<&Case> {
    let mut v = vec![&page.coordinated, &page.without];
    if !page.sovereign_is_without {
        v.push(&page.sovereign);
    }
    v
}

/// E[W] of a stochastic case.
fn expected_w(case: &Case) -> Option<f64> {
    case.report.stochastic.as_ref().map(|s| s.expected_welfare)
}

/// The outcomes of the coordinated case, in file order (nominal first).
fn outcome_ids(page: &Page) -> Vec<(String, f64)> {
    page.coordinated
        .report
        .stochastic
        .iter()
        .flat_map(|s| &s.outcomes)
        .map(|o| (o.id.clone(), o.probability))
        .collect()
}

/// Each case's W_s - E[W], and each country's welfare_s - Σ_s P_s welfare_s (coordinated).
fn uncertainty_charts(page: &Page, cur: &str) -> Result<Vec<Chart>, ChartError> {
    let outcomes = outcome_ids(page);
    if outcomes.is_empty() {
        return Ok(Vec::new());
    }
    let labels: Vec<String> = outcomes
        .iter()
        .map(|(id, p)| format!("{id} (P {})", charts::fixed(*p, 2)))
        .collect();
    let series: Vec<Series> = cases(page)
        .into_iter()
        .filter_map(|case| {
            let st = case.report.stochastic.as_ref()?;
            let w: HashMap<&str, f64> = st
                .outcomes
                .iter()
                .map(|o| (o.id.as_str(), o.welfare))
                .collect();
            Some(Series {
                name: case.label.clone(),
                values: outcomes
                    .iter()
                    .map(|(id, _)| w.get(id.as_str()).map(|x| x - st.expected_welfare))
                    .collect(),
            })
        })
        .collect();
    let b = Bars {
        title: "Uncertainty: W in each outcome minus its expectation E[W]".into(),
        categories: labels,
        series,
        x_label: "outcome (probability)".into(),
        y_label: format!("W_s - E[W] ({cur}, discounted)"),
    };
    let mut out = vec![Chart {
        id: "chart-outcome-spread".into(),
        title: b.title.clone(),
        svg: charts::bar_chart(&b)?,
    }];
    let st = page.coordinated.report.stochastic.as_ref();
    let by: HashMap<(&str, &str), f64> = st
        .iter()
        .flat_map(|s| &s.welfare_by_outcome)
        .map(|w| ((w.outcome.as_str(), w.country.as_str()), w.total))
        .collect();
    let expected: Vec<f64> = page
        .countries
        .iter()
        .map(|c| {
            outcomes
                .iter()
                .map(|(id, p)| p * by.get(&(id.as_str(), c.as_str())).unwrap_or(&0.0))
                .sum::<f64>()
        })
        .collect();
    let b = Bars {
        title: "Uncertainty by country: welfare in each outcome minus its expectation, coordinated"
            .into(),
        categories: page.countries.clone(),
        series: outcomes
            .iter()
            .map(|(id, _)| Series {
                name: id.clone(),
                values: page
                    .countries
                    .iter()
                    .zip(&expected)
                    .map(|(c, e)| by.get(&(id.as_str(), c.as_str())).map(|w| w - e))
                    .collect(),
            })
            .collect(),
        x_label: "country or bloc".into(),
        y_label: format!("welfare_s - expected welfare ({cur}, discounted)"),
    };
    out.push(Chart {
        id: "chart-outcome-spread-countries".into(),
        title: b.title.clone(),
        svg: charts::bar_chart(&b)?,
    });
    Ok(out)
}

/// The tornado of every metric of every sweep given with `--sweep`.
fn sensitivity_charts(page: &Page) -> Result<Vec<Chart>, ChartError> {
    let mut out = Vec::new();
    for (k, data) in page.sweeps.iter().enumerate() {
        for (m, metric) in data.summary.metrics.iter().enumerate() {
            if let Some(mut t) = sweep_page::tornado_of(metric) {
                t.title = format!("Sensitivity of {} ({})", metric.metric, data.summary.sweep);
                out.push(Chart {
                    id: format!("chart-tornado-{}-{}", k + 1, m + 1),
                    title: t.title.clone(),
                    svg: sweep_page::tornado_chart(&t)?,
                });
            }
        }
    }
    Ok(out)
}

/// Every chart of this module, in page order (after [`super::html::charts`]' own).
pub fn charts(page: &Page) -> Result<Vec<Chart>, ChartError> {
    let cur = if page.currency.is_empty() {
        "money"
    } else {
        page.currency.as_str()
    };
    let mut out = Vec::new();
    if page.periods > 1 {
        out.extend(trajectory_charts(page)?);
    }
    out.extend(uncertainty_charts(page, cur)?);
    out.extend(sensitivity_charts(page)?);
    Ok(out)
}

fn figure(charts: &[Chart], id: &str, caption: &str) -> String {
    match charts.iter().find(|c| c.id == id) {
        Some(c) => format!(
            "<figure id=\"{}\" data-title=\"{}\">\n{}\n<figcaption>{}</figcaption>\n</figure>\n",
            escape(&c.id),
            escape(&c.title),
            inline(&c.svg),
            caption
        ),
        None => String::new(),
    }
}

fn num(v: f64) -> String {
    if v.is_finite() {
        charts::fixed(v, 2)
    } else {
        "n/a".into()
    }
}

/// The HTML of the trajectory, uncertainty and sensitivity sections (empty when the page has
/// none of them).
pub fn sections(page: &Page, charts: &[Chart]) -> String {
    let cur = escape(if page.currency.is_empty() {
        "money"
    } else {
        &page.currency
    });
    let mut h = String::new();
    let trajectories: Vec<&Chart> = charts
        .iter()
        .filter(|c| c.id.starts_with("chart-trajectory-"))
        .collect();
    if !trajectories.is_empty() {
        h.push_str("<h2 id=\"trajectories\">Trajectories</h2>\n");
        h.push_str(
            "<p>Output of each layer by country over the periods, with the agreements (the coordinated \
             case). A line that starts at zero is an entry; one that falls, capacity that retires or is \
             not kept.</p>\n",
        );
        let expected = if page.coordinated.report.stochastic.is_some() {
            " In a file with outcomes, the periods after the outcome is revealed show the expected \
             output Σ_s P_s p_s."
        } else {
            ""
        };
        for c in trajectories {
            let layer = c.id.trim_start_matches("chart-trajectory-");
            h.push_str(&figure(
                charts,
                &c.id,
                &format!(
                    "Output of {} (units per period) of every country that produces it in some period.{expected}",
                    escape(layer)
                ),
            ));
        }
    }
    let outcomes = outcome_ids(page);
    if !outcomes.is_empty() {
        h.push_str("<h2 id=\"outcome-spread\">Uncertainty</h2>\n");
        h.push_str(&format!(
            "<table>\n<tr><th>case</th><th>E[W] ({cur})</th><th>CVaR<sub>α</sub> ({cur})</th><th>α</th>{}</tr>\n",
            outcomes
                .iter()
                .map(|(id, p)| format!(
                    "<th>W in {} (P {}) ({cur})</th>",
                    escape(id),
                    charts::fixed(*p, 3)
                ))
                .collect::<String>()
        ));
        for case in cases(page) {
            let Some(st) = case.report.stochastic.as_ref() else {
                continue;
            };
            let w: HashMap<&str, f64> = st
                .outcomes
                .iter()
                .map(|o| (o.id.as_str(), o.welfare))
                .collect();
            h.push_str(&format!(
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>{}</tr>\n",
                escape(&case.label),
                num(expected_w(case).unwrap_or(f64::NAN)),
                num(st.cvar),
                charts::fixed(st.tail, 3),
                outcomes
                    .iter()
                    .map(|(id, _)| format!(
                        "<td class=\"n\">{}</td>",
                        num(w.get(id.as_str()).copied().unwrap_or(f64::NAN))
                    ))
                    .collect::<String>()
            ));
        }
        h.push_str("</table>\n");
        h.push_str(&figure(
            charts,
            "chart-outcome-spread",
            &format!(
                "Each case's welfare W in each outcome minus its expected welfare E[W] ({cur}, discounted; \
                 MODEL.md 10): below zero, the outcome is worse than the expectation. CVaR<sub>α</sub> is the \
                 mean W of the worst α of probability."
            ),
        ));
        h.push_str(&figure(
            charts,
            "chart-outcome-spread-countries",
            &format!(
                "Each country's welfare in each outcome (that outcome's prices) minus its expected welfare \
                 Σ_s P_s welfare_s, with the agreements ({cur}, discounted): who bears each shock."
            ),
        ));
    }
    if !page.sweeps.is_empty() {
        h.push_str("<h2 id=\"sensitivity\">Sensitivity</h2>\n");
        for (k, data) in page.sweeps.iter().enumerate() {
            h.push_str(&format!(
                "<p>Sweep <code>{}</code> of <code>{}</code> ({} points; output <code>{}</code>): each \
                 parameter moved alone from the base point to its lowest and highest value.</p>\n",
                escape(&data.summary.sweep),
                escape(&data.summary.scenario),
                data.summary.points,
                escape(&data.dir)
            ));
            for (m, metric) in data.summary.metrics.iter().enumerate() {
                let sign = if metric.sign_change {
                    " It changes sign inside the swept ranges."
                } else {
                    ""
                };
                h.push_str(&figure(
                    charts,
                    &format!("chart-tornado-{}-{}", k + 1, m + 1),
                    &format!(
                        "Tornado of {}: the bars run from its value at the base point to its value with one \
                         parameter at its low (blue) and high (orange) end, largest effect on top.{sign}",
                        escape(&metric.metric)
                    ),
                ));
            }
        }
    }
    h
}
