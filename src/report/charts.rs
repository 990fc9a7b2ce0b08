//! SVG charts for the HTML report, drawn with plotters' SVG backend: a country x layer heat map
//! and grouped bar charts. Every chart has a title, axis labels (with units where the axis has
//! them) and a legend; text is plain SVG `<text>` in the generic `sans-serif` family, so the
//! output embeds no fonts and links to nothing.

use plotters::coord::Shift;
use plotters::prelude::*;

/// A chart that could not be drawn (plotters' error, as text).
#[derive(Debug, thiserror::Error)]
#[error("cannot draw chart \"{title}\": {message}")]
pub struct ChartError {
    pub title: String,
    pub message: String,
}

/// A drawing error of the chart titled `title`.
pub(super) fn err<E: std::fmt::Debug>(title: &str) -> impl Fn(E) -> ChartError + '_ {
    move |e| ChartError {
        title: title.to_string(),
        message: format!("{e:?}"),
    }
}

const FONT: &str = "sans-serif";

/// The series legend every chart draws: a white box with a black border at `position`.
pub(super) fn legend<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .label_font((FONT, 13))
        .draw()
}

/// Sequential palette (white to dark blue) for non-negative heat maps.
const SEQUENTIAL: [(u8, u8, u8); 3] = [(247, 251, 255), (107, 174, 214), (8, 48, 107)];
/// Colours of bar series, in order.
pub const SERIES_COLOURS: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];
const MISSING: RGBColor = RGBColor(220, 220, 220);

/// A country x layer matrix drawn as coloured cells with their values written in.
#[derive(Debug, Clone)]
pub struct HeatMap {
    pub title: String,
    /// Row names, drawn top to bottom (countries).
    pub rows: Vec<String>,
    /// Column names, left to right (layers).
    pub columns: Vec<String>,
    /// `values[row][column]`; `None` is drawn grey ("not produced", "no price").
    pub values: Vec<Vec<Option<f64>>>,
    pub x_label: String,
    pub y_label: String,
    /// Title of the colour legend, with units.
    pub legend_title: String,
    /// What a grey cell means, written under the colour bar.
    pub missing_label: String,
    /// Decimals of the numbers written in the cells.
    pub decimals: usize,
    /// The values mapped to the ends of the colour scale; `None` = the data's range (from 0).
    /// Maps that are compared side by side share one scale.
    pub scale: Option<(f64, f64)>,
    /// Cells whose value is one of several equally valid ones (a non-unique price, MODEL.md 12):
    /// `marked[row][column]`, drawn with a `*` after the number and explained under the colour
    /// bar by `marked_label`. Empty: nothing is marked.
    pub marked: Vec<Vec<bool>>,
    pub marked_label: String,
}

/// Categories on the x axis, one bar per series in each category.
#[derive(Debug, Clone)]
pub struct Bars {
    pub title: String,
    pub categories: Vec<String>,
    pub series: Vec<Series>,
    pub x_label: String,
    /// y axis label, with units.
    pub y_label: String,
}

/// One named series of a bar chart; `None` leaves the category without a bar.
#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    pub values: Vec<Option<f64>>,
}

fn lerp(a: u8, b: u8, t: f64) -> u8 {
    (a as f64 + (b as f64 - a as f64) * t)
        .round()
        .clamp(0.0, 255.0) as u8
}

/// Colour of `t` in [0, 1] on the sequential palette.
fn sequential(t: f64) -> RGBColor {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (lo, hi, u) = if t < 0.5 {
        (SEQUENTIAL[0], SEQUENTIAL[1], t * 2.0)
    } else {
        (SEQUENTIAL[1], SEQUENTIAL[2], t * 2.0 - 1.0)
    };
    RGBColor(
        lerp(lo.0, hi.0, u),
        lerp(lo.1, hi.1, u),
        lerp(lo.2, hi.2, u),
    )
}

/// Format a number with `decimals` and no negative zero.
pub fn fixed(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

/// An axis over `n` categories: values 0..n, category i drawn between i and i + 1, with its
/// tick (and label) at the centre i + 0.5.
#[derive(Debug, Clone, Copy)]
struct Categories {
    n: usize,
}

impl Ranged for Categories {
    type FormatOption = plotters::coord::ranged1d::NoDefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let t = value / self.n.max(1) as f64;
        limit.0 + ((limit.1 - limit.0) as f64 * t).round() as i32
    }

    fn key_points<Hint: plotters::coord::ranged1d::KeyPointHint>(&self, _hint: Hint) -> Vec<f64> {
        (0..self.n).map(|i| i as f64 + 0.5).collect()
    }

    fn range(&self) -> std::ops::Range<f64> {
        0.0..self.n.max(1) as f64
    }
}

impl plotters::coord::ranged1d::ValueFormatter<f64> for Categories {
    fn format(value: &f64) -> String {
        format!("{value}")
    }
}

fn category_axis(n: usize) -> Categories {
    Categories { n }
}

fn category_name(names: &[String], v: f64) -> String {
    let i = v.floor();
    if i >= 0.0 && (i as usize) < names.len() {
        names[i as usize].clone()
    } else {
        String::new()
    }
}

/// Draw a heat map as an SVG string.
pub fn heat_map(h: &HeatMap) -> Result<String, ChartError> {
    let e = err(&h.title);
    let (nr, nc) = (h.rows.len(), h.columns.len());
    let width = (170 + 96 * nc as u32 + 190).max(640);
    let height = (110 + 26 * nr as u32 + 70).max(360);
    let finite: Vec<f64> = h
        .values
        .iter()
        .flatten()
        .flatten()
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    let (lo, hi) = h.scale.unwrap_or_else(|| {
        (
            finite
                .iter()
                .copied()
                .fold(f64::INFINITY, f64::min)
                .min(0.0),
            finite.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        )
    });
    let hi = if hi.is_finite() && hi > lo {
        hi
    } else {
        lo + 1.0
    };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(&e)?;
        let (main, legend) = root.split_horizontally(width - 190);
        let rows = h.rows.clone();
        let cols = h.columns.clone();
        let mut chart = ChartBuilder::on(&main)
            .caption(&h.title, (FONT, 20))
            .margin(12)
            .x_label_area_size(56)
            .y_label_area_size(90)
            .build_cartesian_2d(category_axis(nc), category_axis(nr))
            .map_err(&e)?;
        let xf = move |v: &f64| category_name(&cols, *v);
        // Rows are drawn top to bottom: row r sits at y = nr - 1 - r.
        let yf = move |v: &f64| {
            let i = v.floor();
            if i >= 0.0 && (i as usize) < nr {
                rows[nr - 1 - i as usize].clone()
            } else {
                String::new()
            }
        };
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(nc)
            .y_labels(nr)
            .x_label_formatter(&xf)
            .y_label_formatter(&yf)
            .x_desc(&h.x_label)
            .y_desc(&h.y_label)
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 15))
            .draw()
            .map_err(&e)?;
        let mut cells = Vec::new();
        let mut labels = Vec::new();
        for (r, row) in h.values.iter().enumerate() {
            let y = (nr - 1 - r) as f64;
            for (c, v) in row.iter().enumerate() {
                let x = c as f64;
                let colour = match v {
                    Some(v) if v.is_finite() => sequential((v - lo) / (hi - lo)),
                    _ => MISSING,
                };
                cells.push(Rectangle::new(
                    [(x, y), (x + 1.0, y + 1.0)],
                    colour.filled(),
                ));
                cells.push(Rectangle::new(
                    [(x, y), (x + 1.0, y + 1.0)],
                    WHITE.stroke_width(1),
                ));
                if let Some(v) = v.filter(|v| v.is_finite()) {
                    // Dark text on light cells, white on dark: by the cell's luminance.
                    let luminance =
                        0.299 * colour.0 as f64 + 0.587 * colour.1 as f64 + 0.114 * colour.2 as f64;
                    let ink = if luminance < 140.0 { &WHITE } else { &BLACK };
                    let style = TextStyle::from((FONT, 15).into_font()).color(ink).pos(
                        plotters::style::text_anchor::Pos::new(
                            plotters::style::text_anchor::HPos::Center,
                            plotters::style::text_anchor::VPos::Center,
                        ),
                    );
                    let star = h.marked.get(r).and_then(|m| m.get(c)) == Some(&true);
                    let text = format!("{}{}", fixed(v, h.decimals), if star { "*" } else { "" });
                    labels.push(Text::new(text, (x + 0.5, y + 0.5), style));
                }
            }
        }
        chart.draw_series(cells).map_err(&e)?;
        chart.draw_series(labels).map_err(&e)?;
        colour_bar(&legend, h, lo, hi).map_err(&e)?;
        root.present().map_err(&e)?;
    }
    Ok(svg)
}

/// The colour legend of a heat map: title (with units), a vertical bar with five ticks, and the
/// meaning of grey cells.
fn colour_bar(
    area: &DrawingArea<SVGBackend, Shift>,
    h: &HeatMap,
    lo: f64,
    hi: f64,
) -> Result<(), plotters::drawing::DrawingAreaErrorKind<std::io::Error>> {
    let (x0, y0, bar_w, bar_h, steps) = (14, 70, 22, 220, 44);
    let title = TextStyle::from((FONT, 13).into_font()).color(&BLACK);
    for (k, line) in wrap(&h.legend_title, 24).iter().enumerate() {
        area.draw(&Text::new(
            line.clone(),
            (x0, 30 + 16 * k as i32),
            title.clone(),
        ))?;
    }
    for s in 0..steps {
        let t = 1.0 - (s as f64 + 0.5) / steps as f64;
        let ya = y0 + bar_h * s / steps;
        let yb = y0 + bar_h * (s + 1) / steps;
        area.draw(&Rectangle::new(
            [(x0, ya), (x0 + bar_w, yb)],
            sequential(t).filled(),
        ))?;
    }
    area.draw(&Rectangle::new(
        [(x0, y0), (x0 + bar_w, y0 + bar_h)],
        BLACK.stroke_width(1),
    ))?;
    let tick = TextStyle::from((FONT, 12).into_font()).color(&BLACK);
    for k in 0..=4 {
        let t = k as f64 / 4.0;
        let y = y0 + bar_h - (bar_h as f64 * t).round() as i32;
        let v = lo + (hi - lo) * t;
        area.draw(&Rectangle::new(
            [(x0 + bar_w, y), (x0 + bar_w + 5, y + 1)],
            BLACK.filled(),
        ))?;
        area.draw(&Text::new(
            fixed(v, h.decimals.min(2)),
            (x0 + bar_w + 8, y - 6),
            tick.clone(),
        ))?;
    }
    let yg = y0 + bar_h + 24;
    area.draw(&Rectangle::new(
        [(x0, yg), (x0 + bar_w, yg + 14)],
        MISSING.filled(),
    ))?;
    let missing = wrap(&h.missing_label, 20);
    for (k, line) in missing.iter().enumerate() {
        area.draw(&Text::new(
            line.clone(),
            (x0 + bar_w + 8, yg + 16 * k as i32),
            tick.clone(),
        ))?;
    }
    if h.marked.iter().flatten().any(|&m| m) {
        let ym = yg + 16 * missing.len() as i32 + 12;
        for (k, line) in wrap(&format!("* {}", h.marked_label), 24)
            .iter()
            .enumerate()
        {
            area.draw(&Text::new(
                line.clone(),
                (x0, ym + 16 * k as i32),
                tick.clone(),
            ))?;
        }
    }
    Ok(())
}

/// Split text into lines of at most about `width` characters at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// An SVG that scales to its container: the fixed `width`/`height` of plotters' output are
/// replaced by `width="100%"` and CSS (height from the `viewBox`), never wider than drawn.
pub fn responsive(svg: &str) -> String {
    let Some(start) = svg.find("<svg") else {
        return svg.to_string();
    };
    let Some(end) = svg[start..].find('>').map(|e| start + e) else {
        return svg.to_string();
    };
    let head = &svg[start..end];
    let attr = |name: &str| -> Option<String> {
        let k = head.find(&format!(" {name}=\""))? + name.len() + 3;
        let v = &head[k..];
        Some(v[..v.find('"')?].to_string())
    };
    let (Some(w), Some(h)) = (attr("width"), attr("height")) else {
        return svg.to_string();
    };
    let new_head = head
        .replacen(&format!(" width=\"{w}\""), " width=\"100%\"", 1)
        .replacen(
            &format!(" height=\"{h}\""),
            &format!(" style=\"max-width:{w}px;height:auto;display:block\""),
            1,
        );
    format!("{}{}{}", &svg[..start], new_head, &svg[end..])
}

/// Draw a grouped bar chart as an SVG string. Bars start at zero, so losses go down.
pub fn bar_chart(b: &Bars) -> Result<String, ChartError> {
    let e = err(&b.title);
    let n = b.categories.len();
    let k = b.series.len().max(1);
    // Wide enough for the bars and for the title (about 10 px per character at 20 px).
    let width = (140 + (22 * k as u32 + 18) * n as u32)
        .max(10 * b.title.chars().count() as u32 + 60)
        .clamp(640, 1400);
    let height = 460;
    let values: Vec<f64> = b
        .series
        .iter()
        .flat_map(|s| s.values.iter().flatten().copied())
        .filter(|v| v.is_finite())
        .collect();
    let mut lo = values.iter().copied().fold(0.0, f64::min);
    let mut hi = values.iter().copied().fold(0.0, f64::max);
    if hi - lo < 1e-9 {
        hi = lo + 1.0;
    }
    // Headroom above the bars for the legend box.
    let span = hi - lo;
    if lo < 0.0 {
        lo -= 0.08 * span;
    }
    hi += (0.12 + 0.09 * k as f64) * span;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(&e)?;
        let cats = b.categories.clone();
        let mut chart = ChartBuilder::on(&root)
            .caption(&b.title, (FONT, 20))
            .margin(12)
            .x_label_area_size(56)
            .y_label_area_size(80)
            .build_cartesian_2d(category_axis(n), lo..hi)
            .map_err(&e)?;
        let xf = move |v: &f64| category_name(&cats, *v);
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(RGBColor(245, 245, 245))
            .x_labels(n)
            .x_label_formatter(&xf)
            .y_label_formatter(&|v: &f64| fixed(*v, if hi - lo < 10.0 { 2 } else { 0 }))
            .x_desc(&b.x_label)
            .y_desc(&b.y_label)
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 15))
            .draw()
            .map_err(&e)?;
        // zero line
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(0.0, 0.0), (n as f64, 0.0)],
                BLACK.stroke_width(1),
            )))
            .map_err(&e)?;
        let slot = 0.8 / k as f64;
        for (s, series) in b.series.iter().enumerate() {
            let colour = SERIES_COLOURS[s % SERIES_COLOURS.len()];
            let bars: Vec<Rectangle<(f64, f64)>> = series
                .values
                .iter()
                .enumerate()
                .filter_map(|(i, v)| v.filter(|v| v.is_finite()).map(|v| (i, v)))
                .map(|(i, v)| {
                    let x0 = i as f64 + 0.1 + slot * s as f64;
                    Rectangle::new([(x0, 0.0), (x0 + slot * 0.92, v)], colour.filled())
                })
                .collect();
            chart
                .draw_series(bars)
                .map_err(&e)?
                .label(series.name.clone())
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 6), (x + 14, y + 6)], colour.filled())
                });
        }
        legend(&mut chart, SeriesLabelPosition::UpperRight).map_err(&e)?;
        root.present().map_err(&e)?;
    }
    Ok(svg)
}

/// Near-optimal ranges: one horizontal bar per row from its min to its max, the optimum marked
/// with a black tick (MODEL.md section 8, alternatives).
#[derive(Debug, Clone)]
pub struct Ranges {
    pub title: String,
    /// Row labels, drawn top to bottom (e.g. "KOR memory").
    pub labels: Vec<String>,
    /// (min, optimum, max) per row, in the units of the x axis.
    pub values: Vec<(f64, f64, f64)>,
    /// x axis label, with units.
    pub x_label: String,
    pub y_label: String,
}

/// Draw near-optimal ranges as an SVG string.
pub fn range_chart(r: &Ranges) -> Result<String, ChartError> {
    let e = err(&r.title);
    let n = r.labels.len();
    let width = 900;
    // Three empty rows on top hold the legend, so it never covers a bar.
    let rows = n + 3;
    let height = 150 + 18 * rows as u32;
    let finite = r
        .values
        .iter()
        .flat_map(|&(a, b, c)| [a, b, c])
        .filter(|v| v.is_finite());
    let lo = finite.clone().fold(0.0, f64::min);
    let hi = finite.fold(0.0, f64::max);
    // Headroom on the right for the legend.
    let hi = if hi - lo < 1e-9 {
        lo + 1.0
    } else {
        hi + 0.25 * (hi - lo)
    };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(&e)?;
        let labels = r.labels.clone();
        let mut chart = ChartBuilder::on(&root)
            .caption(&r.title, (FONT, 20))
            .margin(12)
            .x_label_area_size(56)
            .y_label_area_size(150)
            .build_cartesian_2d(lo..hi, category_axis(rows))
            .map_err(&e)?;
        // Rows are drawn top to bottom: row i sits at y = n - 1 - i.
        let yf = move |v: &f64| {
            let i = v.floor();
            if i >= 0.0 && (i as usize) < n {
                labels[n - 1 - i as usize].clone()
            } else {
                String::new()
            }
        };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(RGBColor(245, 245, 245))
            .y_labels(rows)
            .y_label_formatter(&yf)
            .x_label_formatter(&|v: &f64| fixed(*v, 0))
            .x_desc(&r.x_label)
            .y_desc(&r.y_label)
            .label_style((FONT, 12))
            .axis_desc_style((FONT, 15))
            .draw()
            .map_err(&e)?;
        let colour = SERIES_COLOURS[0];
        let bars: Vec<Rectangle<(f64, f64)>> = r
            .values
            .iter()
            .enumerate()
            .filter(|(_, v)| v.0.is_finite() && v.2.is_finite())
            .map(|(i, &(a, _, c))| {
                let y = (n - 1 - i) as f64;
                Rectangle::new([(a, y + 0.2), (c, y + 0.8)], colour.mix(0.7).filled())
            })
            .collect();
        chart
            .draw_series(bars)
            .map_err(&e)?
            .label("least to most output within the slack")
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], colour.filled()));
        let ticks: Vec<PathElement<(f64, f64)>> = r
            .values
            .iter()
            .enumerate()
            .filter(|(_, v)| v.1.is_finite())
            .map(|(i, &(_, b, _))| {
                let y = (n - 1 - i) as f64;
                PathElement::new(vec![(b, y + 0.05), (b, y + 0.95)], BLACK.stroke_width(3))
            })
            .collect();
        chart
            .draw_series(ticks)
            .map_err(&e)?
            .label("optimum")
            .legend(|(x, y)| {
                PathElement::new(vec![(x + 7, y - 7), (x + 7, y + 7)], BLACK.stroke_width(3))
            });
        legend(&mut chart, SeriesLabelPosition::UpperRight).map_err(&e)?;
        root.present().map_err(&e)?;
    }
    Ok(svg)
}

/// The risk frontier (MODEL.md 10): one point per group of risk weights with the same optimum,
/// joined in order of ω, each labelled with its weights.
#[derive(Debug, Clone)]
pub struct Frontier {
    pub title: String,
    /// (x, y, label) in order of ω; points at one spot are merged by the caller.
    pub points: Vec<(f64, f64, String)>,
    /// x axis label, with units.
    pub x_label: String,
    /// y axis label, with units.
    pub y_label: String,
    /// Legend entry of the points.
    pub point_name: String,
}

/// Pad a data range so points and their labels stay inside the plot (a single value gets ±1,
/// or ±10 % of its size).
fn padded(lo: f64, hi: f64, left: f64, right: f64) -> (f64, f64) {
    let span = if hi - lo > 1e-9 {
        hi - lo
    } else {
        (0.2 * lo.abs().max(hi.abs())).max(1.0)
    };
    let mid = 0.5 * (lo + hi);
    let (lo, hi) = if hi - lo > 1e-9 {
        (lo, hi)
    } else {
        (mid - 0.5 * span, mid + 0.5 * span)
    };
    (lo - left * span, hi + right * span)
}

/// Draw the risk frontier as an SVG string: a line through the points, a dot and a label at
/// each.
pub fn frontier_chart(f: &Frontier) -> Result<String, ChartError> {
    let e = err(&f.title);
    let (width, height) = (900u32, 520u32);
    let xs = f.points.iter().map(|p| p.0).filter(|v| v.is_finite());
    let ys = f.points.iter().map(|p| p.1).filter(|v| v.is_finite());
    let (x0, x1) = (
        xs.clone().fold(f64::INFINITY, f64::min),
        xs.fold(f64::NEG_INFINITY, f64::max),
    );
    let (y0, y1) = (
        ys.clone().fold(f64::INFINITY, f64::min),
        ys.fold(f64::NEG_INFINITY, f64::max),
    );
    let (x0, x1) = if x0.is_finite() { (x0, x1) } else { (0.0, 1.0) };
    let (y0, y1) = if y0.is_finite() { (y0, y1) } else { (0.0, 1.0) };
    // Room on the right for the labels, on top for the legend.
    let (x0, x1) = padded(x0, x1, 0.1, 0.45);
    let (y0, y1) = padded(y0, y1, 0.15, 0.45);
    let decimals = |span: f64| if span < 10.0 { 2 } else { 0 };
    let (dx, dy) = (decimals(x1 - x0), decimals(y1 - y0));
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(&e)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(&f.title, (FONT, 20))
            .margin(12)
            .x_label_area_size(56)
            .y_label_area_size(80)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(&e)?;
        chart
            .configure_mesh()
            .light_line_style(RGBColor(245, 245, 245))
            .x_label_formatter(&|v: &f64| fixed(*v, dx))
            .y_label_formatter(&|v: &f64| fixed(*v, dy))
            .x_desc(&f.x_label)
            .y_desc(&f.y_label)
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 15))
            .draw()
            .map_err(&e)?;
        let line = SERIES_COLOURS[0];
        let dots = SERIES_COLOURS[1];
        let path: Vec<(f64, f64)> = f
            .points
            .iter()
            .filter(|p| p.0.is_finite() && p.1.is_finite())
            .map(|p| (p.0, p.1))
            .collect();
        chart
            .draw_series(std::iter::once(PathElement::new(
                path.clone(),
                line.stroke_width(2),
            )))
            .map_err(&e)?
            .label("frontier, in order of ω")
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 14, y)], line.stroke_width(2))
            });
        chart
            .draw_series(path.iter().map(|&p| Circle::new(p, 5, dots.filled())))
            .map_err(&e)?
            .label(f.point_name.clone())
            .legend(move |(x, y)| Circle::new((x + 7, y), 5, dots.filled()));
        let style = TextStyle::from((FONT, 13).into_font()).color(&BLACK);
        chart
            .draw_series(
                f.points
                    .iter()
                    .filter(|p| p.0.is_finite() && p.1.is_finite())
                    .map(|p| {
                        EmptyElement::at((p.0, p.1))
                            + Text::new(p.2.clone(), (9, -6), style.clone())
                    }),
            )
            .map_err(&e)?;
        legend(&mut chart, SeriesLabelPosition::UpperRight).map_err(&e)?;
        root.present().map_err(&e)?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heat_map_has_title_labels_legend_and_cells() {
        let h = HeatMap {
            title: "Share of world output".into(),
            rows: vec!["KOR".into(), "IND".into()],
            columns: vec!["fab".into(), "apps".into()],
            values: vec![vec![Some(30.0), None], vec![Some(0.0), Some(55.5)]],
            x_label: "layer".into(),
            y_label: "country".into(),
            legend_title: "share of world output (%)".into(),
            missing_label: "no production".into(),
            decimals: 1,
            scale: None,
            marked: vec![vec![false, false], vec![false, true]],
            marked_label: "not unique".into(),
        };
        let svg = heat_map(&h).unwrap();
        for needle in [
            "Share of world output",
            "layer",
            "country",
            "share of world",
            "no production",
            "KOR",
            "apps",
            "55.5*",
            "* not unique",
            "<rect",
        ] {
            assert!(svg.contains(needle), "missing {needle}");
        }
        assert!(!svg.contains("30.0*"), "an unmarked cell has no star");
    }

    #[test]
    fn bars_handle_negative_values_and_missing_bars() {
        let b = Bars {
            title: "Gains".into(),
            categories: vec!["A".into(), "B".into(), "C".into()],
            series: vec![
                Series {
                    name: "gain".into(),
                    values: vec![Some(1.0), Some(-2.0), None],
                },
                Series {
                    name: "Shapley value".into(),
                    values: vec![Some(0.5), None, Some(3.0)],
                },
            ],
            x_label: "country".into(),
            y_label: "USD bn".into(),
        };
        let svg = bar_chart(&b).unwrap();
        for needle in ["Gains", "country", "USD bn", "Shapley value", "<rect"] {
            assert!(svg.contains(needle), "missing {needle}");
        }
    }

    #[test]
    fn responsive_svg_scales_with_its_view_box() {
        let svg = "<svg width=\"640\" height=\"360\" viewBox=\"0 0 640 360\"><rect/></svg>";
        let r = responsive(svg);
        assert!(r.contains("width=\"100%\""), "{r}");
        assert!(r.contains("viewBox=\"0 0 640 360\""), "{r}");
        assert!(r.contains("max-width:640px"), "{r}");
        assert!(!r.contains("height=\"360\""), "{r}");
    }

    #[test]
    fn ranges_draw_a_bar_and_an_optimum_per_row() {
        let svg = range_chart(&Ranges {
            title: "Room to choose".into(),
            labels: vec!["KOR memory".into(), "TWN fab".into()],
            values: vec![(10.0, 40.0, 80.0), (0.0, 0.0, 0.0)],
            x_label: "share of world output (%)".into(),
            y_label: "capability".into(),
        })
        .unwrap();
        assert!(svg.contains("viewBox=\"0 0 900 "), "{svg}");
        for text in [
            "KOR memory",
            "TWN fab",
            "optimum",
            "share of world output (%)",
        ] {
            assert!(svg.contains(text), "{text}");
        }
    }

    #[test]
    fn fixed_has_no_negative_zero() {
        assert_eq!(fixed(-0.0001, 2), "0.00");
        assert_eq!(fixed(-1.5, 1), "-1.5");
    }

    #[test]
    fn frontier_labels_every_point_and_has_a_legend() {
        let svg = frontier_chart(&Frontier {
            title: "Risk frontier".into(),
            points: vec![
                (55.0, 71.5, "ω = 0, 0.25".into()),
                (60.0, 70.0, "ω = 1".into()),
            ],
            x_label: "CVaR (USD bn)".into(),
            y_label: "E[W] (USD bn)".into(),
            point_name: "optimum at ω".into(),
        })
        .unwrap();
        for text in [
            "Risk frontier",
            "ω = 0, 0.25",
            "ω = 1",
            "CVaR (USD bn)",
            "E[W] (USD bn)",
            "optimum at ω",
            "frontier, in order of ω",
        ] {
            assert!(svg.contains(text), "{text}");
        }
        assert_eq!(
            svg.matches("<circle").count(),
            3,
            "two dots and the legend's"
        );
    }
}
