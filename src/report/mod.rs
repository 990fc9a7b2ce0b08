//! Report: renders results for people (aligned tables) and programs (JSON, CSV).

pub mod charts;
pub mod dynamics;
pub mod html;
pub mod risk;
pub mod sweep;
pub mod table;

use std::path::Path;

use serde::Serialize;

use crate::results::Report;

pub use table::Table;

/// Output format of a subcommand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Table,
    Json,
    Csv,
}

/// Pretty JSON of any serialisable result, without negative zeros (`-0.0` is round-off, and
/// reads as a loss).
pub fn to_json<T: Serialize>(value: &T) -> String {
    fn positive_zero(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Number(n) if n.as_f64() == Some(0.0) && n.is_f64() => {
                if let Some(z) = serde_json::Number::from_f64(0.0) {
                    *n = z;
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(positive_zero),
            serde_json::Value::Object(map) => map.values_mut().for_each(positive_zero),
            _ => {}
        }
    }
    serde_json::to_value(value)
        .and_then(|mut v| {
            positive_zero(&mut v);
            serde_json::to_string_pretty(&v)
        })
        .unwrap_or_else(|e| format!("{{\"status\":\"error\",\"message\":\"{e}\"}}"))
}

/// A file stem from free text (an id): ASCII letters, digits, `-` and `_` kept, anything else
/// (`/`, `\\`, `.`, spaces, non-ASCII) replaced by `_`, at most 64 characters, never empty;
/// made unique (case-insensitively) against `used` by a `-2`, `-3`... suffix. The result has no
/// path separator and no `..`, so it cannot leave the output directory.
pub fn safe_file_stem(id: &str, used: &mut std::collections::HashSet<String>) -> String {
    let mut stem: String = id
        .chars()
        .take(64)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if stem.is_empty() {
        stem.push('_');
    }
    let mut candidate = stem.clone();
    let mut k = 2;
    while !used.insert(candidate.to_ascii_lowercase()) {
        candidate = format!("{stem}-{k}");
        k += 1;
    }
    candidate
}

/// Write one CSV file per table of a solve report into `dir`.
pub fn write_csv(report: &Report, dir: &Path) -> std::io::Result<Vec<String>> {
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    let summary = vec![Summary {
        status: report.status.clone(),
        objective: report.objective,
        mip: report.mip,
        relaxed: report.relaxed,
        gap: report.gap,
        backend: report.backend.clone(),
        currency: report.currency.clone(),
        duality_gap: report.duality_gap,
        welfare_residual: report.welfare_residual,
    }];
    write_table(dir, "summary", &summary, &mut written)?;
    write_table(dir, "prices", &report.prices, &mut written)?;
    write_table(dir, "production", &report.production, &mut written)?;
    write_table(dir, "flows", &report.flows, &mut written)?;
    write_table(dir, "consumption", &report.consumption, &mut written)?;
    write_table(dir, "capacity_built", &report.capacity_built, &mut written)?;
    write_table(dir, "operating", &report.operating, &mut written)?;
    write_table(dir, "reserves", &report.reserves, &mut written)?;
    write_table(dir, "capacity_rents", &report.capacity_rents, &mut written)?;
    write_table(dir, "security_duals", &report.security_duals, &mut written)?;
    write_table(dir, "clause_duals", &report.clause_duals, &mut written)?;
    write_table(
        dir,
        "essential_duals",
        &report.essential_duals,
        &mut written,
    )?;
    write_table(dir, "producers", &report.producers, &mut written)?;
    write_table(dir, "welfare", &report.welfare, &mut written)?;
    // Tables of the features of issue 10, written only when the scenario uses them.
    if !report.learning.is_empty() {
        write_table(dir, "learning", &report.learning, &mut written)?;
    }
    if !report.shortfalls.is_empty() {
        write_table(dir, "shortfalls", &report.shortfalls, &mut written)?;
    }
    // A stochastic solve (MODEL.md 10): its figures and per-outcome tables.
    if let Some(st) = &report.stochastic {
        let value = serde_json::json!({
            "expected_welfare": st.expected_welfare,
            "cvar": st.cvar,
            "tail": st.tail,
            "risk_weight": st.risk_weight,
            "reveal_period": st.reveal_period,
            "evpi": st.evpi,
            "value_of_preparing": st.value_of_preparing,
            "welfare_split": st.welfare_split,
        });
        write_table(dir, "uncertainty", &[value], &mut written)?;
        write_table(dir, "outcomes", &st.outcomes, &mut written)?;
        write_table(
            dir,
            "prices_by_outcome",
            &st.prices_by_outcome,
            &mut written,
        )?;
        write_table(
            dir,
            "welfare_by_outcome",
            &st.welfare_by_outcome,
            &mut written,
        )?;
    }
    Ok(written)
}

#[derive(Serialize)]
struct Summary {
    status: String,
    objective: Option<f64>,
    mip: bool,
    relaxed: bool,
    gap: Option<f64>,
    backend: String,
    currency: String,
    duality_gap: Option<f64>,
    welfare_residual: Option<f64>,
}

/// Write rows as `dir/name.csv` (empty when there are no rows).
pub fn write_table<T: Serialize>(
    dir: &Path,
    name: &str,
    rows: &[T],
    written: &mut Vec<String>,
) -> std::io::Result<()> {
    let rows: Vec<serde_json::Value> = rows
        .iter()
        .map(serde_json::to_value)
        .collect::<Result<_, _>>()
        .map_err(std::io::Error::other)?;
    let table = CsvTable::from_rows(name, &rows);
    write_one(dir, &table, written)
}

/// One CSV file: a name (the file stem) and flat rows of cells.
#[derive(Debug, Clone, PartialEq)]
pub struct CsvTable {
    pub name: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl CsvTable {
    /// Flatten JSON objects into one row each: nested objects become `a.b` columns, an array of
    /// objects `field.LABEL.x` columns (LABEL = the element's first text field, e.g. a country),
    /// an array of plain values one cell joined by `; `. Columns in first-seen order.
    pub fn from_rows(name: &str, rows: &[serde_json::Value]) -> CsvTable {
        let mut header: Vec<String> = Vec::new();
        let mut flat: Vec<Vec<(String, String)>> = Vec::new();
        for r in rows {
            let mut cells = Vec::new();
            flatten_row("", r, &mut cells);
            for (k, _) in &cells {
                if !header.contains(k) {
                    header.push(k.clone());
                }
            }
            flat.push(cells);
        }
        let rows = flat
            .into_iter()
            .map(|cells| {
                header
                    .iter()
                    .map(|h| {
                        cells
                            .iter()
                            .find(|(k, _)| k == h)
                            .map_or(String::new(), |(_, v)| v.clone())
                    })
                    .collect()
            })
            .collect();
        CsvTable {
            name: name.to_string(),
            header,
            rows,
        }
    }
}

/// Every table of a command's JSON output: the top-level scalars (and scalars of nested
/// objects) as one row of `summary`, each array of objects as a table named by its path
/// (`countries`, `least_core.blocking`). Empty arrays give no file.
pub fn csv_tables(value: &serde_json::Value) -> Vec<CsvTable> {
    fn walk(
        prefix: &str,
        v: &serde_json::Value,
        summary: &mut Vec<(String, String)>,
        tables: &mut Vec<CsvTable>,
    ) {
        match v {
            serde_json::Value::Object(map) => {
                for (k, x) in map {
                    walk(&join_key(prefix, k), x, summary, tables);
                }
            }
            serde_json::Value::Array(items) if items.iter().all(|x| x.is_object()) => {
                if !items.is_empty() {
                    tables.push(CsvTable::from_rows(&prefix.replace('.', "_"), items));
                }
            }
            other => summary.push((prefix.to_string(), cell(other))),
        }
    }
    let mut summary = Vec::new();
    let mut tables = Vec::new();
    walk("", value, &mut summary, &mut tables);
    let mut all = vec![CsvTable {
        name: "summary".into(),
        header: summary.iter().map(|(k, _)| k.clone()).collect(),
        rows: vec![summary.into_iter().map(|(_, v)| v).collect()],
    }];
    all.extend(tables);
    all
}

fn join_key(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

fn flatten_row(prefix: &str, v: &serde_json::Value, out: &mut Vec<(String, String)>) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, x) in map {
                flatten_row(&join_key(prefix, k), x, out);
            }
        }
        serde_json::Value::Array(items)
            if !items.is_empty() && items.iter().all(|x| x.is_object()) =>
        {
            for (i, item) in items.iter().enumerate() {
                let label = item
                    .as_object()
                    .and_then(|m| m.values().find_map(|x| x.as_str().map(str::to_string)))
                    .unwrap_or_else(|| (i + 1).to_string());
                let Some(map) = item.as_object() else {
                    continue;
                };
                for (k, x) in map {
                    if x.as_str() != Some(label.as_str()) {
                        flatten_row(&join_key(&join_key(prefix, &label), k), x, out);
                    }
                }
            }
        }
        other => out.push((prefix.to_string(), cell(other))),
    }
}

/// A CSV cell: numbers via [`csv_number`], text as is, arrays joined by `; `, null empty.
fn cell(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::Bool(b) => b.to_string(),
        serde_json::Value::Number(n) => match n.as_f64() {
            Some(x) if n.is_f64() => csv_number(x),
            _ => n.to_string(),
        },
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(items) => items.iter().map(cell).collect::<Vec<_>>().join("; "),
        serde_json::Value::Object(_) => serde_json::to_string(v).unwrap_or_default(),
    }
}

/// A number in a CSV file: rounded to 10 significant digits (the solvers' tolerances are
/// around 1e-9, so further digits are round-off, e.g. `0.7300000000000001`), then written as
/// the shortest decimal that reads back as that double; magnitudes below 1e-12 are round-off
/// zeros (`7.3e-15`) and are written as 0. Scientific notation from 1e15 on (Rust's plain
/// `Display` would write 1e300 as 301 digits) and below 1e-6.
pub fn csv_number(x: f64) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    if x.abs() < 1e-12 {
        return "0".into();
    }
    let rounded: f64 = format!("{x:.9e}").parse().unwrap_or(x);
    if (1e-6..1e15).contains(&rounded.abs()) {
        format!("{rounded}")
    } else {
        format!("{rounded:e}")
    }
}

/// Write `tables` as `dir/NAME.csv`, creating `dir`; returns the paths written.
pub fn write_csv_tables(dir: &Path, tables: &[CsvTable]) -> std::io::Result<Vec<String>> {
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    for t in tables {
        write_one(dir, t, &mut written)?;
    }
    Ok(written)
}

fn write_one(dir: &Path, t: &CsvTable, written: &mut Vec<String>) -> std::io::Result<()> {
    let path = dir.join(format!("{}.csv", t.name));
    let mut w = csv::Writer::from_path(&path).map_err(std::io::Error::other)?;
    if !t.header.is_empty() {
        w.write_record(&t.header).map_err(std::io::Error::other)?;
    }
    for r in &t.rows {
        w.write_record(r).map_err(std::io::Error::other)?;
    }
    w.flush()?;
    written.push(path.display().to_string());
    Ok(())
}

/// The value as printed (four decimals): tables sort on it, so round-off (1e-16 either side
/// of 0) never reorders rows that print the same; ties keep the model's order.
fn shown(v: f64) -> f64 {
    (v * 1e4).round() / 1e4
}

/// The `solve` report for people: a one-line summary, then tables, largest entries first.
pub fn solve_table(file: &str, r: &Report, limit: Option<usize>) -> String {
    use table::num;
    let cur = if r.currency.is_empty() {
        "money".to_string()
    } else {
        r.currency.clone()
    };
    let mut out = String::new();
    if let Some(f) = &r.check_failed {
        out.push_str(&format!(
            "{file}: numerical trouble: {f}; coefficient range {}\n",
            r.coefficient_range
        ));
    }
    match r.objective {
        Some(w) => out.push_str(&format!(
            "{file}: {} {}{}, W = {} {cur} (discounted){}; duality gap {:.1e}, welfare residual {:.1e}\n\n",
            r.status,
            if r.mip { "MIP" } else { "LP" },
            if r.relaxed { " (relaxed)" } else { "" },
            num(w),
            r.gap.map_or(String::new(), |g| format!(", MIP gap {g:.1e}")),
            r.duality_gap.unwrap_or(f64::NAN),
            r.welfare_residual.unwrap_or(f64::NAN),
        )),
        None => {
            out.push_str(&format!("{file}: {}\n", r.status));
            return out;
        }
    }
    if let Some(st) = &r.stochastic {
        out.push_str(&stochastic_section(st, &cur, limit));
    }
    let mut welfare = r.welfare.clone();
    welfare.sort_by(|a, b| shown(b.total).total_cmp(&shown(a.total)));
    let ranged = welfare.iter().any(|w| w.price_dependent.is_some());
    let mut header = vec!["country", ">consumers", ">producers", ">rents", ">total"];
    if ranged {
        header.push("total over optimal prices");
    }
    let mut t = Table::new(
        format!(
            "Welfare by country ({cur}, discounted; at the {} prices)",
            r.price_selection_words()
        ),
        &header,
    );
    for w in &welfare {
        let mut row = vec![
            w.country.clone(),
            num(w.consumers),
            num(w.producers),
            num(w.rents),
            num(w.total),
        ];
        if ranged {
            row.push(match (w.range(), w.price_dependent) {
                (Some(g), Some(true)) => format!("[{}, {}]", num(g.min), num(g.max)),
                _ => "unique".into(),
            });
        }
        t.row(row);
    }
    out.push_str(&t.render(None));

    if !r.quantity_ranges.is_empty() {
        let mut t = Table::new(
            "\nQuantities over the optimal plans (units; the least is what every optimal plan \
             guarantees, a range wider than 0 means the optimum does not fix the quantity)",
            &["quantity", ">at the optimum", ">least", ">most"],
        );
        let end = |v: Option<f64>, status: &str| v.map_or(status.to_string(), num);
        for q in &r.quantity_ranges {
            t.row(vec![
                q.quantity.clone(),
                num(q.optimum),
                end(q.min, &q.status),
                end(q.max, &q.status),
            ]);
        }
        out.push_str(&t.render(None));
    }

    let mut prod = r.production.clone();
    prod.sort_by(|a, b| shown(b.quantity).total_cmp(&shown(a.quantity)));
    // A stochastic solve: second-stage quantities are per outcome (MODEL.md 10).
    let staged = prod.iter().any(|p| p.outcome.is_some());
    let mut header = vec!["country", "layer", ">period", ">quantity"];
    if staged {
        header.push("outcome");
    }
    let mut t = Table::new("\nProduction (units per period)", &header);
    for p in &prod {
        let mut row = vec![
            p.country.clone(),
            p.layer.clone(),
            p.period.to_string(),
            num(p.quantity),
        ];
        if staged {
            row.push(p.outcome.clone().unwrap_or_else(|| "every".into()));
        }
        t.row(row);
    }
    out.push_str(&t.render(limit));

    let mut flows = r.flows.clone();
    flows.sort_by(|a, b| shown(b.quantity).total_cmp(&shown(a.quantity)));
    let staged = flows.iter().any(|f| f.outcome.is_some());
    let mut header = vec!["from", "to", "layer", ">period", ">quantity"];
    if staged {
        header.push("outcome");
    }
    let mut t = Table::new("\nTrade flows (units per period)", &header);
    for f in &flows {
        let mut row = vec![
            f.from.clone(),
            f.to.clone(),
            f.layer.clone(),
            f.period.to_string(),
            num(f.quantity),
        ];
        if staged {
            row.push(f.outcome.clone().unwrap_or_else(|| "every".into()));
        }
        t.row(row);
    }
    if !t.is_empty() {
        out.push_str(&t.render(limit));
    }

    let mut prices = r.prices.clone();
    prices.sort_by(|a, b| shown(b.price).total_cmp(&shown(a.price)));
    let mut t = Table::new(
        format!("\nPrices ({cur} per unit, period money)"),
        &["country", "layer", ">period", ">price", ">export price"],
    );
    for p in &prices {
        t.row(vec![
            p.country.clone(),
            p.layer.clone(),
            p.period.to_string(),
            num(p.price),
            num(p.export_price),
        ]);
    }
    out.push_str(&t.render(limit));

    out.push_str(&rent_section(
        format!("\nCapacity rents ({cur} per unit of capacity)"),
        ">rent",
        &r.capacity_rents,
        limit,
    ));

    let mut built = r.capacity_built.clone();
    built.sort_by(|a, b| shown(b.quantity).total_cmp(&shown(a.quantity)));
    let mut t = Table::new(
        "\nCapacity built (units)",
        &["country", "layer", ">period", ">quantity"],
    );
    for x in &built {
        t.row(vec![
            x.country.clone(),
            x.layer.clone(),
            x.period.to_string(),
            num(x.quantity),
        ]);
    }
    if !t.is_empty() {
        out.push_str(&t.render(limit));
    }

    let mut t = Table::new(
        "\nOperating decisions",
        &["country", "layer", ">period", ">operating", ">entered"],
    );
    for x in &r.operating {
        t.row(vec![
            x.country.clone(),
            x.layer.clone(),
            x.period.to_string(),
            num(x.operating),
            num(x.entered),
        ]);
    }
    if !t.is_empty() {
        out.push_str(&t.render(limit));
    }

    let mut res = r.reserves.clone();
    res.sort_by(|a, b| shown(b.quantity).total_cmp(&shown(a.quantity)));
    let mut t = Table::new(
        "\nStandby reserves (units)",
        &["from", "for", "layer", ">period", ">quantity"],
    );
    for f in &res {
        t.row(vec![
            f.from.clone(),
            f.to.clone(),
            f.layer.clone(),
            f.period.to_string(),
            num(f.quantity),
        ]);
    }
    if !t.is_empty() {
        out.push_str(&t.render(limit));
    }

    let mut sec: Vec<_> = r
        .security_duals
        .iter()
        .filter(|x| x.value.abs() > 1e-9)
        .cloned()
        .collect();
    sec.sort_by(|a, b| shown(b.value).total_cmp(&shown(a.value)));
    let mut t = Table::new(
        format!("\nBinding security rows ({cur} per unit relaxed)"),
        &["country", "layer", ">period", "kind", "supplier", ">value"],
    );
    for x in &sec {
        t.row(vec![
            x.country.clone(),
            x.layer.clone(),
            x.period.to_string(),
            x.kind.to_string(),
            x.supplier.clone().unwrap_or_default(),
            num(x.value),
        ]);
    }
    if !t.is_empty() {
        out.push_str(&t.render(limit));
    }

    out.push_str(&rent_section(
        format!("\nBinding essential demand ({cur} per unit less to serve)"),
        ">value",
        &r.essential_duals,
        limit,
    ));

    let mut cl: Vec<_> = r
        .clause_duals
        .iter()
        .filter(|x| x.value.abs() > 1e-9)
        .cloned()
        .collect();
    cl.sort_by(|a, b| b.value.abs().total_cmp(&a.value.abs()));
    let mut t = Table::new(
        format!("\nBinding clause rows ({cur} per unit relaxed)"),
        &["agreement", ">clause", "kind", ">period", ">value"],
    );
    for x in &cl {
        t.row(vec![
            x.agreement.clone(),
            x.clause.to_string(),
            x.kind.to_string(),
            x.period.to_string(),
            num(x.value),
        ]);
    }
    if !t.is_empty() {
        out.push_str(&t.render(limit));
    }

    let mut prods = r.producers.clone();
    prods.sort_by(|a, b| shown(b.profit).total_cmp(&shown(a.profit)));
    let mut t = Table::new(
        format!("\nProducers ({cur}, discounted over the horizon)"),
        &[
            "country",
            "layer",
            ">profit",
            ">uplift security",
            ">uplift integer",
            ">uplift total",
        ],
    );
    for p in &prods {
        t.row(vec![
            p.country.clone(),
            p.layer.clone(),
            num(p.profit),
            num(p.uplift_security),
            num(p.uplift_integer),
            num(p.uplift_total),
        ]);
    }
    out.push_str(&t.render(limit));
    out.push_str(&learning_section(r, &cur, limit));
    out
}

/// Learning (experience and unit cost per period), soft-floor shortfalls and the scenario's
/// warnings; empty text when there are none.
/// The risk frontier of `solve --risk-weights` (MODEL.md 10).
pub fn frontier_table(
    file: &str,
    tail: f64,
    points: &[crate::results::stochastic::FrontierPoint],
) -> String {
    use table::num;
    let opt = |v: Option<f64>| v.map_or("n/a".to_string(), num);
    let mut out = format!(
        "{file}: risk frontier; E[W] = expected welfare, CVaR = mean welfare of the worst {} \
         of probability; raising ω trades E[W] for CVaR\n\n",
        table::pct(tail)
    );
    let mut t = Table::new(
        "Frontier",
        &[
            ">ω",
            "status",
            ">E[W]",
            ">CVaR",
            "first-stage choices that change",
        ],
    );
    for p in points {
        t.row(vec![
            num(p.risk_weight),
            p.status.clone(),
            opt(p.expected_welfare),
            opt(p.cvar),
            if p.changes.is_empty() {
                "-".into()
            } else {
                p.changes.join("; ")
            },
        ]);
    }
    out.push_str(&t.render(None));
    out
}

/// The outcomes of a stochastic solve (MODEL.md 10), each figure with what it means.
fn stochastic_section(
    st: &crate::results::stochastic::StochasticReport,
    cur: &str,
    limit: Option<usize>,
) -> String {
    use table::num;
    let mut out = String::new();
    let opt = |v: Option<f64>| v.map_or("n/a".to_string(), num);
    out.push_str(&format!(
        "Uncertainty: outcomes revealed from period {}, risk weight ω = {}, tail α = {}\n",
        st.reveal_period,
        num(st.risk_weight),
        num(st.tail)
    ));
    out.push_str(&format!(
        "  E[W]               {:>14} {cur}  expected welfare over the outcomes\n",
        num(st.expected_welfare)
    ));
    out.push_str(&format!(
        "  CVaR_α             {:>14} {cur}  mean welfare of the worst {} of probability\n",
        num(st.cvar),
        table::pct(st.tail)
    ));
    out.push_str(&format!(
        "  EVPI               {:>14} {cur}  what knowing the outcome in advance would be worth\n",
        opt(st.evpi)
    ));
    out.push_str(&format!(
        "  value of preparing {:>14} {cur}  what planning for the shocks is worth over ignoring them\n",
        opt(st.value_of_preparing)
    ));
    if !st.nominal_plan_infeasible_in.is_empty() {
        out.push_str(&format!(
            "  ignoring the shocks leaves outcome(s) {} infeasible\n",
            st.nominal_plan_infeasible_in.join(", ")
        ));
    }
    if st.welfare_split == "risk_adjusted" {
        out.push_str(
            "  an outcome has risk-adjusted probability 0: welfare by country below is the \
             risk-adjusted split Σ q_s welfare_s\n",
        );
    }
    out.push('\n');
    let mut t = Table::new(
        format!(
            "Outcomes (P = probability, q = risk-adjusted probability, W_s in {cur}, discounted)"
        ),
        &["outcome", ">P", ">q", ">W_s"],
    );
    for o in &st.outcomes {
        t.row(vec![
            o.id.clone(),
            num(o.probability),
            num(o.risk_adjusted_probability),
            num(o.welfare),
        ]);
    }
    out.push_str(&t.render(None));
    let mut t = Table::new(
        format!("\nPrices by outcome ({cur} per unit in that outcome's money; n/a where q = 0)"),
        &["outcome", "country", "layer", ">period", ">price"],
    );
    let mut prices = st.prices_by_outcome.clone();
    prices.sort_by(|a, b| shown(b.price.unwrap_or(0.0)).total_cmp(&shown(a.price.unwrap_or(0.0))));
    for p in prices
        .iter()
        .filter(|p| p.price.is_none_or(|x| x.abs() > 5e-5))
    {
        t.row(vec![
            p.outcome.clone(),
            p.country.clone(),
            p.layer.clone(),
            p.period.to_string(),
            opt(p.price),
        ]);
    }
    out.push_str(&t.render(limit));
    out.push_str(
        "(Below: welfare by country is expected welfare Σ P_s welfare_s; prices are expected \
         prices Σ q_s λ_s; capacity built, operating status and standby are the first-stage \
         decisions, made before the outcome is known.)\n\n",
    );
    out
}

fn learning_section(r: &Report, cur: &str, limit: Option<usize>) -> String {
    use table::num;
    let mut out = String::new();
    let mut t = Table::new(
        format!("\nLearning (experience at the end of the period; unit cost of the next unit, {cur}, period money)"),
        &["country", "layer", ">period", ">output", ">experience", ">unit cost"],
    );
    for x in &r.learning {
        t.row(vec![
            x.country.clone(),
            x.layer.clone(),
            x.period.to_string(),
            num(x.output),
            num(x.experience),
            num(x.unit_cost),
        ]);
    }
    if !t.is_empty() {
        out.push_str(&t.render(limit));
    }
    let mut t = Table::new(
        format!("\nSoft-floor shortfalls (units; cost in {cur}, period money)"),
        &[
            "country",
            "layer",
            ">period",
            ">shortfall",
            ">penalty",
            ">cost",
        ],
    );
    for x in r.shortfalls.iter().filter(|x| x.quantity.abs() > 1e-9) {
        t.row(vec![
            x.country.clone(),
            x.layer.clone(),
            x.period.to_string(),
            num(x.quantity),
            num(x.penalty),
            num(x.cost),
        ]);
    }
    if !t.is_empty() {
        out.push_str(&t.render(limit));
    }
    if !r.warnings.is_empty() {
        out.push_str("\nWarnings\n");
        for w in &r.warnings {
            out.push_str(&format!("  - {w}\n"));
        }
    }
    out
}

/// The nonzero entries of a (country, layer, period) value table, largest first; empty text
/// when every entry is zero.
fn rent_section(
    title: String,
    value_header: &str,
    entries: &[crate::results::RentEntry],
    limit: Option<usize>,
) -> String {
    let mut rows: Vec<_> = entries.iter().filter(|x| x.rent.abs() > 1e-9).collect();
    rows.sort_by(|a, b| shown(b.rent).total_cmp(&shown(a.rent)));
    let mut t = Table::new(title, &["country", "layer", ">period", value_header]);
    for x in rows {
        t.row(vec![
            x.country.clone(),
            x.layer.clone(),
            x.period.to_string(),
            table::num(x.rent),
        ]);
    }
    if t.is_empty() {
        String::new()
    } else {
        t.render(limit)
    }
}
