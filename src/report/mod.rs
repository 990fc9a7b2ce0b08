//! Report: renders results for people (aligned tables) and programs (JSON, CSV).

pub mod charts;
pub mod html;
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

/// Pretty JSON of any serialisable result.
pub fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value)
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

/// Write rows as `dir/name.csv` (header only when empty).
pub fn write_table<T: Serialize>(
    dir: &Path,
    name: &str,
    rows: &[T],
    written: &mut Vec<String>,
) -> std::io::Result<()> {
    let path = dir.join(format!("{name}.csv"));
    let mut w = csv::Writer::from_path(&path).map_err(std::io::Error::other)?;
    for r in rows {
        w.serialize(r).map_err(std::io::Error::other)?;
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

    let mut prod = r.production.clone();
    prod.sort_by(|a, b| shown(b.quantity).total_cmp(&shown(a.quantity)));
    let mut t = Table::new(
        "\nProduction (units per period)",
        &["country", "layer", ">period", ">quantity"],
    );
    for p in &prod {
        t.row(vec![
            p.country.clone(),
            p.layer.clone(),
            p.period.to_string(),
            num(p.quantity),
        ]);
    }
    out.push_str(&t.render(limit));

    let mut flows = r.flows.clone();
    flows.sort_by(|a, b| shown(b.quantity).total_cmp(&shown(a.quantity)));
    let mut t = Table::new(
        "\nTrade flows (units per period)",
        &["from", "to", "layer", ">period", ">quantity"],
    );
    for f in &flows {
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
