//! The sweep page (`aistack sweep-report OUT_DIR --out DIR`): one self-contained HTML page with
//! inline SVG charts drawn from a finished sweep's `summary.json` and `results.csv`
//! ([`crate::sweep`]): per metric a tornado (one-at-a-time effects around the base point) and
//! the metric against each parameter at every point of the design.
//!
//! The page reads only the two files a sweep writes, so a sweep merged on a cluster can be drawn
//! anywhere; nothing is solved.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use super::charts::{fixed, legend, ChartError, SERIES_COLOURS};
use super::html::escape;

const FONT: &str = "sans-serif";

/// Errors reading a sweep's output or writing its page.
#[derive(Debug, thiserror::Error)]
pub enum SweepPageError {
    #[error("{file}: {message}")]
    Read { file: String, message: String },
    #[error(transparent)]
    Chart(#[from] ChartError),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// One tornado bar, as `summary.json` has it.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct EffectIn {
    pub parameter: String,
    pub low: f64,
    pub high: f64,
    pub y_low: Option<f64>,
    pub y_high: Option<f64>,
    pub effect: Option<f64>,
}

/// What the page needs of one metric of `summary.json`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct MetricIn {
    pub metric: String,
    pub failed: usize,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub mean: Option<f64>,
    pub base: Option<f64>,
    pub sign_change: bool,
    pub tornado: Vec<EffectIn>,
}

/// What the page needs of `summary.json`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct SummaryIn {
    pub sweep: String,
    pub scenario: String,
    pub points: usize,
    pub parameters: Vec<String>,
    pub metrics: Vec<MetricIn>,
}

/// One row of `results.csv`: a point's parameter values (as written) and one metric's value.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub point: usize,
    pub role: String,
    pub values: Vec<String>,
    pub metric: String,
    pub value: Option<f64>,
}

/// A finished sweep, read back.
#[derive(Debug, Clone, Serialize)]
pub struct SweepData {
    pub dir: String,
    pub summary: SummaryIn,
    pub rows: Vec<Row>,
}

fn read_err(path: &Path, message: impl ToString) -> SweepPageError {
    SweepPageError::Read {
        file: path.display().to_string(),
        message: message.to_string(),
    }
}

impl SweepData {
    /// Read `summary.json` and `results.csv` from a sweep's output directory.
    pub fn read(dir: &Path) -> Result<SweepData, SweepPageError> {
        let sp = dir.join("summary.json");
        let text = std::fs::read_to_string(&sp).map_err(|e| {
            read_err(
                &sp,
                format!(
                    "{e} (is this a sweep's output directory? run the sweep, or --merge it, first)"
                ),
            )
        })?;
        let summary: SummaryIn = serde_json::from_str(&text)
            .map_err(|e| read_err(&sp, format!("not a sweep summary: {e}")))?;
        let cp = dir.join("results.csv");
        let mut r = csv::Reader::from_path(&cp).map_err(|e| read_err(&cp, e))?;
        let head: Vec<String> = r
            .headers()
            .map_err(|e| read_err(&cp, e))?
            .iter()
            .map(String::from)
            .collect();
        let d = summary.parameters.len();
        let expected = 2 + d + 4;
        if head.len() != expected
            || head[0] != "point"
            || head[1] != "role"
            || head[2..2 + d] != summary.parameters[..]
            || head[2 + d] != "metric"
            || head[3 + d] != "value"
        {
            return Err(read_err(
                &cp,
                format!(
                    "columns {} do not match summary.json (point, role, {}, metric, value, status, seconds)",
                    head.join(","),
                    summary.parameters.join(", ")
                ),
            ));
        }
        let mut rows = Vec::new();
        for (i, rec) in r.records().enumerate() {
            let rec = rec.map_err(|e| read_err(&cp, e))?;
            let bad = |what: &str| read_err(&cp, format!("line {}: {what}", i + 2));
            if rec.len() != expected {
                return Err(bad("wrong number of fields"));
            }
            let value = match &rec[3 + d] {
                "" => None,
                v => Some(v.parse::<f64>().map_err(|_| bad("value is not a number"))?),
            };
            rows.push(Row {
                point: rec[0].parse().map_err(|_| bad("point is not a number"))?,
                role: rec[1].to_string(),
                values: (2..2 + d).map(|k| rec[k].to_string()).collect(),
                metric: rec[2 + d].to_string(),
                value,
            });
        }
        Ok(SweepData {
            dir: dir.display().to_string(),
            summary,
            rows,
        })
    }

    /// (x, y) of `metric` against parameter `p` at every point with a value; text levels are
    /// placed at their rank among the parameter's distinct values. Also the text labels, if any.
    pub fn scatter(&self, metric: &str, p: usize) -> (Vec<(f64, f64)>, Option<Vec<String>>) {
        let numeric = self
            .rows
            .iter()
            .all(|r| r.values[p].parse::<f64>().is_ok_and(f64::is_finite));
        let mut labels: Vec<String> = Vec::new();
        if !numeric {
            for r in &self.rows {
                if !labels.contains(&r.values[p]) {
                    labels.push(r.values[p].clone());
                }
            }
        }
        let x = |v: &str| -> f64 {
            if numeric {
                v.parse().unwrap_or(f64::NAN)
            } else {
                labels.iter().position(|l| l == v).unwrap_or(0) as f64
            }
        };
        let pts = self
            .rows
            .iter()
            .filter(|r| r.metric == metric)
            .filter_map(|r| r.value.map(|y| (x(&r.values[p]), y)))
            .collect();
        (pts, (!numeric).then_some(labels))
    }
}

/// One bar of a tornado: (parameter, low value, high value, metric at low, metric at high).
pub type TornadoBar = (String, f64, f64, Option<f64>, Option<f64>);

/// A horizontal tornado: one row per parameter (largest effect on top), a bar from the base
/// value to the metric at the parameter's low end and one to its high end.
#[derive(Debug, Clone)]
pub struct Tornado {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub base: f64,
    pub bars: Vec<TornadoBar>,
}

/// Metric against a parameter: a dot per design point.
#[derive(Debug, Clone)]
pub struct Scatter {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub points: Vec<(f64, f64)>,
    /// Names of text levels at x = 0, 1, ...
    pub x_names: Option<Vec<String>>,
    /// Draw the zero line (the metric changes sign).
    pub zero_line: bool,
}

fn chart_err<E: std::fmt::Debug>(title: &str) -> impl Fn(E) -> ChartError + '_ {
    move |e| ChartError {
        title: title.to_string(),
        message: format!("{e:?}"),
    }
}

fn padded(lo: f64, hi: f64) -> (f64, f64) {
    let (lo, hi) = if lo.is_finite() && hi.is_finite() {
        (lo, hi)
    } else {
        (0.0, 1.0)
    };
    let span = (hi - lo).abs().max(1e-9 * lo.abs().max(1.0)).max(1e-12);
    (lo - 0.08 * span, hi + 0.08 * span)
}

fn decimals(span: f64) -> usize {
    if span >= 100.0 {
        0
    } else if span >= 1.0 {
        2
    } else {
        4
    }
}

/// A parameter value without trailing zeros.
fn short(v: f64) -> String {
    let s = fixed(v, 4);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Draw a tornado as an SVG string.
pub fn tornado_chart(t: &Tornado) -> Result<String, ChartError> {
    let e = chart_err(&t.title);
    let n = t.bars.len().max(1);
    let height = (160 + 44 * n as u32).max(260);
    let width = (10 * t.title.chars().count() as u32 + 60).clamp(760, 1400);
    let mut vals = vec![t.base];
    for b in &t.bars {
        vals.extend(b.3.iter().chain(b.4.iter()).copied());
    }
    let lo = vals.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = vals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = padded(lo, hi);
    let names: Vec<String> = t.bars.iter().map(|b| b.0.clone()).collect();
    let label_width = names
        .iter()
        .map(|s| s.chars().count())
        .max()
        .unwrap_or(8)
        .clamp(8, 40) as u32
        * 7
        + 20;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(&e)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(&t.title, (FONT, 20))
            .margin(14)
            .x_label_area_size(50)
            .y_label_area_size(label_width)
            .build_cartesian_2d(lo..hi, 0.0..n as f64)
            .map_err(&e)?;
        let yf = move |v: &f64| {
            // Row i (from the top) is centred at n - i - 0.5.
            let i = (n as f64 - v - 0.5).round();
            if (v.fract() - 0.5).abs() < 1e-6 && i >= 0.0 && (i as usize) < names.len() {
                names[i as usize].clone()
            } else {
                String::new()
            }
        };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(RGBColor(245, 245, 245))
            .y_labels(2 * n + 1)
            .y_label_formatter(&yf)
            .x_label_formatter(&|v: &f64| fixed(*v, decimals(hi - lo)))
            .x_desc(&t.x_label)
            .y_desc(&t.y_label)
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 15))
            .draw()
            .map_err(&e)?;
        for (k, (name_colour, pick)) in [(SERIES_COLOURS[0], 3usize), (SERIES_COLOURS[1], 4usize)]
            .into_iter()
            .enumerate()
        {
            let rects: Vec<Rectangle<(f64, f64)>> = t
                .bars
                .iter()
                .enumerate()
                .filter_map(|(i, b)| {
                    let y = if pick == 3 { b.3 } else { b.4 }?;
                    let yc = n as f64 - i as f64 - 0.5;
                    let off = if k == 0 { 0.0 } else { -0.32 };
                    Some(Rectangle::new(
                        [(t.base.min(y), yc + off), (t.base.max(y), yc + off + 0.32)],
                        name_colour.filled(),
                    ))
                })
                .collect();
            let label = if pick == 3 {
                "parameter at its low value"
            } else {
                "parameter at its high value"
            };
            chart
                .draw_series(rects)
                .map_err(&e)?
                .label(label)
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 6), (x + 14, y + 6)], name_colour.filled())
                });
        }
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(t.base, 0.0), (t.base, n as f64)],
                BLACK.stroke_width(2),
            )))
            .map_err(&e)?
            .label(format!("base {}", fixed(t.base, decimals(hi - lo) + 1)))
            .legend(|(x, y)| PathElement::new(vec![(x + 7, y - 7), (x + 7, y + 7)], BLACK));
        // The parameter's low and high values, written at the ends of its bars.
        let texts: Vec<Text<(f64, f64), String>> = t
            .bars
            .iter()
            .enumerate()
            .flat_map(|(i, b)| {
                let yc = n as f64 - i as f64 - 0.5;
                [(b.3, b.1, 0.30), (b.4, b.2, -0.02)]
                    .into_iter()
                    .filter_map(move |(y, p, dy)| {
                        y.map(|y| Text::new(short(p), (y, yc + dy), (FONT, 11)))
                    })
            })
            .collect();
        chart.draw_series(texts).map_err(&e)?;
        legend(&mut chart, SeriesLabelPosition::LowerRight).map_err(&e)?;
        root.present().map_err(&e)?;
    }
    Ok(svg)
}

/// Draw a metric against a parameter as an SVG string.
pub fn scatter_chart(s: &Scatter) -> Result<String, ChartError> {
    let e = chart_err(&s.title);
    let width = (10 * s.title.chars().count() as u32 + 60).clamp(640, 1200);
    let height = 420;
    let xs: Vec<f64> = s.points.iter().map(|p| p.0).collect();
    let mut ys: Vec<f64> = s.points.iter().map(|p| p.1).collect();
    if s.zero_line {
        ys.push(0.0);
    }
    let (xlo, xhi) = padded(
        xs.iter().copied().fold(f64::INFINITY, f64::min),
        xs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    );
    let (ylo, yhi) = padded(
        ys.iter().copied().fold(f64::INFINITY, f64::min),
        ys.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    );
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(&e)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(&s.title, (FONT, 20))
            .margin(14)
            .x_label_area_size(50)
            .y_label_area_size(80)
            .build_cartesian_2d(xlo..xhi, ylo..yhi)
            .map_err(&e)?;
        let names = s.x_names.clone();
        let xf = move |v: &f64| match &names {
            Some(n) => {
                let i = v.round();
                if (v - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < n.len() {
                    n[i as usize].clone()
                } else {
                    String::new()
                }
            }
            None => fixed(*v, decimals(xhi - xlo)),
        };
        let yf = |v: &f64| fixed(*v, decimals(yhi - ylo));
        let mut mesh = chart.configure_mesh();
        mesh.light_line_style(RGBColor(240, 240, 240))
            .x_label_formatter(&xf)
            .y_label_formatter(&yf)
            .x_desc(&s.x_label)
            .y_desc(&s.y_label)
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 15));
        if let Some(n) = &s.x_names {
            mesh.x_labels(4 * n.len() + 1);
        }
        mesh.draw().map_err(&e)?;
        if s.zero_line {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(xlo, 0.0), (xhi, 0.0)],
                    RGBColor(180, 0, 0).stroke_width(1),
                )))
                .map_err(&e)?
                .label("zero (the metric changes sign)")
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], RGBColor(180, 0, 0)));
        }
        // The mean at each distinct x, joined: the metric's average path over the others.
        let mut by: BTreeMap<i64, (f64, f64, usize)> = BTreeMap::new();
        for &(x, y) in &s.points {
            let k = (x * 1e9).round() as i64;
            let e = by.entry(k).or_insert((x, 0.0, 0));
            e.1 += y;
            e.2 += 1;
        }
        let colour = SERIES_COLOURS[0];
        chart
            .draw_series(
                s.points
                    .iter()
                    .map(|&p| Circle::new(p, 4, colour.mix(0.55).filled())),
            )
            .map_err(&e)?
            .label("design point")
            .legend(move |(x, y)| Circle::new((x + 7, y), 4, colour.filled()));
        if by.len() >= 2 {
            let line: Vec<(f64, f64)> = by.values().map(|v| (v.0, v.1 / v.2 as f64)).collect();
            let c2 = SERIES_COLOURS[1];
            chart
                .draw_series(std::iter::once(PathElement::new(line, c2.stroke_width(2))))
                .map_err(&e)?
                .label("mean at each value")
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], c2));
        }
        legend(&mut chart, SeriesLabelPosition::UpperRight).map_err(&e)?;
        root.present().map_err(&e)?;
    }
    Ok(svg)
}

/// One chart of the page.
#[derive(Debug, Clone)]
pub struct SweepChart {
    pub id: String,
    pub title: String,
    pub metric: String,
    pub svg: String,
}

/// Every chart of the page: per metric its tornado, then the metric against each parameter.
/// The tornado of one metric (untitled), or `None` when the sweep has no base point.
pub fn tornado_of(metric: &MetricIn) -> Option<Tornado> {
    Some(Tornado {
        title: String::new(),
        x_label: metric.metric.clone(),
        y_label: "parameter".into(),
        base: metric.base?,
        bars: metric
            .tornado
            .iter()
            .map(|e| (e.parameter.clone(), e.low, e.high, e.y_low, e.y_high))
            .collect(),
    })
}

pub fn charts(data: &SweepData) -> Result<Vec<SweepChart>, ChartError> {
    let s = &data.summary;
    let mut out = Vec::new();
    for (m, metric) in s.metrics.iter().enumerate() {
        let sign = if metric.sign_change {
            " (changes sign)"
        } else {
            ""
        };
        if let Some(mut t) = tornado_of(metric) {
            t.title = format!("Tornado: {}{sign}, one parameter at a time", metric.metric);
            out.push(SweepChart {
                id: format!("tornado-{}", m + 1),
                title: t.title.clone(),
                metric: metric.metric.clone(),
                svg: tornado_chart(&t)?,
            });
        }
        for (p, name) in s.parameters.iter().enumerate() {
            let (points, x_names) = data.scatter(&metric.metric, p);
            if points.is_empty() {
                continue;
            }
            let sc = Scatter {
                title: format!("{} against {name}{sign}", metric.metric),
                x_label: name.clone(),
                y_label: metric.metric.clone(),
                points,
                x_names,
                zero_line: metric.sign_change,
            };
            out.push(SweepChart {
                id: format!("metric-{}-parameter-{}", m + 1, p + 1),
                title: sc.title.clone(),
                metric: metric.metric.clone(),
                svg: scatter_chart(&sc)?,
            });
        }
    }
    Ok(out)
}

const STYLE: &str = "body{font-family:sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}\
h1{font-size:1.6em}h2{font-size:1.3em;margin-top:2em;border-bottom:1px solid #ccc}\
table{border-collapse:collapse;margin:1em 0;font-size:0.9em}td,th{border:1px solid #ccc;padding:3px 8px}\
td.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f3f3f3}\
figure{margin:1em 0;overflow-x:auto}figcaption{font-size:0.9em;color:#555;max-width:900px}\
.note{font-size:0.9em;color:#555}.bad{color:#b00}.good{color:#070}";

fn opt(v: Option<f64>) -> String {
    v.filter(|x| x.is_finite())
        .map_or("n/a".into(), |x| fixed(x, 4))
}

/// The page as HTML.
pub fn render(data: &SweepData, charts: &[SweepChart]) -> String {
    let s = &data.summary;
    let mut h = String::new();
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str(&format!(
        "<title>Sweep: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(&s.sweep)
    ));
    h.push_str(&format!("<h1>Sweep: {}</h1>\n", escape(&s.sweep)));
    h.push_str(&format!(
        "<p>{} points over {} on <code>{}</code> (from <code>{}</code>). One-at-a-time effects move \
         one parameter from its low to its high value with the others at their base value; the \
         other charts show every point of the design.</p>\n",
        s.points,
        escape(&s.parameters.join(", ")),
        escape(&s.scenario),
        escape(&data.dir)
    ));
    h.push_str("<h2 id=\"ranges\">Ranges</h2>\n<table>\n<tr><th>metric</th><th>base</th><th>min</th><th>max</th><th>mean</th><th>failed points</th><th>sign change</th></tr>\n");
    for m in &s.metrics {
        h.push_str(&format!(
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>\n",
            escape(&m.metric),
            opt(m.base),
            opt(m.min),
            opt(m.max),
            opt(m.mean),
            m.failed,
            if m.sign_change {
                "<b class=\"bad\">YES</b>"
            } else {
                "no"
            }
        ));
    }
    h.push_str("</table>\n");
    for (k, m) in s.metrics.iter().enumerate() {
        h.push_str(&format!(
            "<h2 id=\"metric-{}\">{}</h2>\n",
            k + 1,
            escape(&m.metric)
        ));
        for c in charts.iter().filter(|c| c.metric == m.metric) {
            h.push_str(&format!(
                "<figure id=\"{}\">\n{}\n<figcaption>{}</figcaption>\n</figure>\n",
                escape(&c.id),
                c.svg
                    .replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1),
                escape(&c.title)
            ));
        }
    }
    h.push_str("</body>\n</html>\n");
    h
}

/// Write `index.html` and `charts/<id>.svg` into `dir`; returns the paths.
pub fn write(data: &SweepData, dir: &Path) -> Result<Vec<PathBuf>, SweepPageError> {
    let charts = charts(data)?;
    std::fs::create_dir_all(dir.join("charts"))?;
    let mut written = Vec::new();
    let index = dir.join("index.html");
    std::fs::write(&index, render(data, &charts))?;
    written.push(index);
    let mut used = std::collections::HashSet::new();
    for c in &charts {
        let stem = super::safe_file_stem(&c.id, &mut used);
        let p = dir.join("charts").join(format!("{stem}.svg"));
        std::fs::write(&p, &c.svg)?;
        written.push(p);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tornado_and_scatter_have_titles_labels_and_marks() {
        let t = Tornado {
            title: "Tornado: gain".into(),
            x_label: "gain (USD bn)".into(),
            y_label: "parameter".into(),
            base: 10.0,
            bars: vec![
                ("floor".into(), 0.3, 0.9, Some(4.0), Some(20.0)),
                ("wtp".into(), 0.8, 1.2, Some(9.0), None),
            ],
        };
        let svg = tornado_chart(&t).unwrap();
        for needle in [
            "Tornado: gain",
            "gain (USD bn)",
            "parameter",
            "floor",
            "wtp",
            "<rect",
            "base 10",
        ] {
            assert!(svg.contains(needle), "missing {needle}");
        }
        let s = Scatter {
            title: "gain against floor".into(),
            x_label: "floor".into(),
            y_label: "gain".into(),
            points: vec![(0.3, -1.0), (0.5, 2.0), (0.5, 3.0)],
            x_names: None,
            zero_line: true,
        };
        let svg = scatter_chart(&s).unwrap();
        for needle in ["gain against floor", "floor", "gain", "<circle", "zero"] {
            assert!(svg.contains(needle), "missing {needle}");
        }
    }
}
