//! `aistack margins`: prices, capacity rents and security duals as country x layer tables, value
//! added embodied in final demand, and on request entry/exit values, supply shocks and a
//! finite-difference check of every price.

use serde::Serialize;

use super::common::{
    bad_input, country_index, echo_json, echo_table, layer_index, Exit, ScenarioArgs, SolverArgs,
};
use crate::analysis::infeasibility::{self, Diagnosis};
use crate::analysis::margins::{self, EntryValue, MarginTables, Matrix, PriceCheck, ShockResult};
use crate::analysis::value_added::{self, PeriodValueAdded, ValueAdded};
use crate::backend::Status;
use crate::report::table::{num, Table};
use crate::report::OutputFormat;
use crate::results::{self, Outcome};
use crate::scenario::{CountryId, LayerId, Scenario};

#[derive(clap::Args, Debug)]
pub struct MarginsArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    #[command(flatten)]
    pub solver: SolverArgs,
    /// Value of entering or leaving each layer a country could produce (re-solve with the
    /// decision forced in every period).
    #[arg(long)]
    pub entry: bool,
    /// Cut every export of LAYER from SUPPLIER and report welfare losses and new prices
    /// (repeatable: one analysis each; join cuts with ',' to apply them together).
    #[arg(long, value_name = "SUPPLIER:LAYER")]
    pub shock: Vec<String>,
    /// Check every price against the left and right finite differences of W (two re-solves
    /// per price); prices that are not unique are marked with '*'.
    #[arg(long)]
    pub check_prices: bool,
    /// Units delivered or demanded in the finite differences of --check-prices.
    #[arg(long, value_name = "UNITS", default_value_t = 1e-3)]
    pub fd_step: f64,
    /// Output format (table or json).
    #[arg(long, value_enum, default_value = "table")]
    pub format: OutputFormat,
    /// Show at most this many rows per long table in the table format.
    #[arg(long, default_value_t = 25)]
    pub limit: usize,
}

#[derive(Serialize)]
struct MarginsOutput {
    file: String,
    status: String,
    objective: Option<f64>,
    mip: bool,
    relaxed: bool,
    currency: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    diagnosis: Option<Diagnosis>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tables: Option<MarginTables>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value_added: Option<ValueAdded>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value_added_error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    price_checks: Option<Vec<PriceCheck>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    entry: Option<Vec<EntryValue>>,
    shocks: Vec<ShockResult>,
}

/// Parse `SUPPLIER:LAYER[,SUPPLIER:LAYER...]`.
fn parse_shock(s: &Scenario, text: &str) -> anyhow::Result<Vec<(CountryId, LayerId)>> {
    let mut cuts = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((c, l)) = part.split_once(':') else {
            return Err(bad_input(format!(
                "--shock {part}: expected SUPPLIER:LAYER, e.g. TWN:fab"
            )));
        };
        let (c, l) = (country_index(s, c.trim())?, layer_index(s, l.trim())?);
        if s.capability(c, l).is_none() {
            return Err(bad_input(format!(
                "--shock {part}: {} has no capability for {}, so it exports none; suppliers of {}: {}",
                s.countries[c].id,
                s.layers[l].id,
                s.layers[l].id,
                s.capabilities.iter().filter(|k| k.layer == l).map(|k| s.countries[k.country].id.as_str()).collect::<Vec<_>>().join(", ")
            )));
        }
        cuts.push((c, l));
    }
    if cuts.is_empty() {
        return Err(bad_input("--shock needs SUPPLIER:LAYER, e.g. TWN:fab"));
    }
    Ok(cuts)
}

pub fn margins(a: MarginsArgs) -> anyhow::Result<Exit> {
    if a.format == OutputFormat::Csv {
        return Err(bad_input(
            "margins prints --format table or json (csv is for solve)",
        ));
    }
    if !(a.fd_step.is_finite() && a.fd_step > 0.0) {
        return Err(bad_input(format!(
            "--fd-step must be a positive number of units, got {}",
            a.fd_step
        )));
    }
    let (s, opts) = a.scenario.load(a.solver.relax)?;
    let config = a.solver.config()?;
    let shocks: Vec<Vec<(CountryId, LayerId)>> = a
        .shock
        .iter()
        .map(|x| parse_shock(&s, x))
        .collect::<Result<_, _>>()?;
    let file = a.scenario.file.display().to_string();
    let solver_failed = |e: results::SolveError| -> anyhow::Result<Exit> {
        if a.format == OutputFormat::Json {
            println!(
                "{}",
                echo_json(&serde_json::json!({"status": "error", "message": e.to_string()}))
            );
        }
        eprintln!("error: {e}");
        Ok(Exit::NoSolution)
    };
    let base = match results::solve(&s, &opts, &config) {
        Ok(o) => o,
        Err(e) => return solver_failed(e),
    };
    let mut out = MarginsOutput {
        file: file.clone(),
        status: base.status.to_string(),
        objective: base.objective(),
        mip: base.mip,
        relaxed: base.relaxed,
        currency: s.meta.currency.clone(),
        diagnosis: None,
        tables: None,
        value_added: None,
        value_added_error: None,
        price_checks: None,
        entry: None,
        shocks: Vec::new(),
    };
    if !base.is_optimal() {
        if base.status == Status::Infeasible {
            match infeasibility::diagnose(&s, &opts, &config) {
                Ok(d) => out.diagnosis = Some(d),
                Err(e) => eprintln!("error: diagnosing infeasibility: {e}"),
            }
        }
        match a.format {
            OutputFormat::Json => println!("{}", echo_json(&out)),
            _ => {
                print!("{}", echo_table());
                println!("{file}: {}", base.status);
                if let Some(d) = &out.diagnosis {
                    print!("\n{}", d.render());
                }
            }
        }
        return Ok(Exit::NoSolution);
    }
    let mut run = || -> Result<(), results::SolveError> {
        out.tables = margins::margin_tables(&s, &base);
        match value_added::value_added(&s, &base) {
            Ok(v) => out.value_added = Some(v),
            Err(e) => out.value_added_error = Some(e.to_string()),
        }
        if a.check_prices {
            out.price_checks = Some(margins::price_checks(&s, &opts, &config, &base, a.fd_step)?);
        }
        if a.entry {
            out.entry = Some(margins::entry_values(&s, &opts, &config, &base)?);
        }
        for cuts in &shocks {
            out.shocks
                .push(margins::shock(&s, &opts, &config, &base, cuts)?);
        }
        Ok(())
    };
    if let Err(e) = run() {
        return solver_failed(e);
    }
    match a.format {
        OutputFormat::Json => println!("{}", echo_json(&out)),
        _ => print!("{}{}", echo_table(), render(&s, &base, &out, a.limit)),
    }
    Ok(Exit::Ok)
}

/// A matrix as a wide table: countries down, layers across; `-` where the entry does not exist,
/// `*` after a price that is not unique.
fn matrix_table(title: String, m: &Matrix, flag: impl Fn(usize, usize) -> bool) -> Table {
    let mut header: Vec<String> = vec!["country".into()];
    header.extend(m.layers.iter().map(|l| format!(">{l}")));
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut t = Table::new(title, &header);
    for (c, row) in m.values.iter().enumerate() {
        let mut cells = vec![m.countries[c].clone()];
        cells.extend(row.iter().enumerate().map(|(l, v)| match v {
            Some(x) => format!("{}{}", num(*x), if flag(c, l) { "*" } else { "" }),
            None => "-".into(),
        }));
        t.row(cells);
    }
    t
}

fn any_nonzero(ms: &[Matrix]) -> bool {
    ms.iter()
        .any(|m| m.values.iter().flatten().flatten().any(|v| v.abs() > 1e-9))
}

fn render(s: &Scenario, base: &Outcome, out: &MarginsOutput, limit: usize) -> String {
    let cur = if out.currency.is_empty() {
        "money".to_string()
    } else {
        out.currency.clone()
    };
    let mut text = format!(
        "{}: {} {}{}, W = {} {cur} (discounted){}\n",
        out.file,
        out.status,
        if out.mip { "MIP" } else { "LP" },
        if out.relaxed { " (relaxed)" } else { "" },
        num(out.objective.unwrap_or(f64::NAN)),
        if base.mip {
            "; prices are the duals of the LP with integers fixed at their optimum (restricted pricing)"
        } else {
            ""
        },
    );
    let nonunique = |t: usize, c: usize, l: usize| -> bool {
        out.price_checks.as_ref().is_some_and(|checks| {
            checks.iter().any(|p| {
                p.period == t
                    && p.country == s.countries[c].id
                    && p.layer == s.layers[l].id
                    && !p.unique
            })
        })
    };
    if let Some(tables) = &out.tables {
        for m in &tables.prices {
            let title = format!(
                "\nPrices λ, period {} ({cur} per unit, period money){}",
                m.period,
                if out.price_checks.is_some() {
                    "; * = not unique"
                } else {
                    ""
                }
            );
            text.push_str(&matrix_table(title, m, |c, l| nonunique(m.period, c, l)).render(None));
        }
        if any_nonzero(&tables.export_rents) {
            for m in &tables.export_rents {
                let title = format!("\nExport rents θ, period {} ({cur} per unit exported; export price = λ + θ; - = no capability)", m.period);
                text.push_str(&matrix_table(title, m, |_, _| false).render(None));
            }
        }
        for m in &tables.capacity_rents {
            let title = format!(
                "\nCapacity rents, period {} ({cur} per unit of capacity; - = no capability)",
                m.period
            );
            text.push_str(&matrix_table(title, m, |_, _| false).render(None));
        }
        if !s.security.is_empty() {
            for m in &tables.security_duals {
                let title = format!("\nSecurity duals, period {} ({cur} per unit relaxed, summed over the policy's rows; - = no policy)", m.period);
                text.push_str(&matrix_table(title, m, |_, _| false).render(None));
            }
        }
    }
    if let Some(checks) = &out.price_checks {
        let unique = checks.iter().filter(|p| p.unique).count();
        let outside: Vec<&PriceCheck> = checks.iter().filter(|p| !p.within).collect();
        text.push_str(&format!(
            "\nFinite-difference check: {unique} of {} prices are unique (left = right derivative of W); {} lie outside [right, left]{}\n",
            checks.len(),
            outside.len(),
            if base.mip { " (a MIP: restricted prices need not match the finite differences of W)" } else { "" }
        ));
        let mut t = Table::new(
            "Prices that are not unique or lie outside [right, left]",
            &[
                "country", "layer", ">period", ">price", ">left", ">right", "note",
            ],
        );
        let opt = |v: Option<f64>| v.map_or("infeasible".to_string(), num);
        for p in checks.iter().filter(|p| !p.unique || !p.within) {
            let note = if !p.within { "outside" } else { "not unique" };
            t.row(vec![
                p.country.clone(),
                p.layer.clone(),
                p.period.to_string(),
                num(p.price),
                opt(p.left),
                opt(p.right),
                note.into(),
            ]);
        }
        if !t.is_empty() {
            text.push_str(&t.render(Some(limit)));
        }
    }
    match (&out.value_added, &out.value_added_error) {
        (Some(va), _) => {
            for p in &va.periods {
                text.push_str(&value_added_table(p, &cur, limit));
            }
        }
        (None, Some(e)) => text.push_str(&format!("\nValue added: {e}\n")),
        _ => {}
    }
    if let Some(entry) = &out.entry {
        text.push_str(&entry_table(s, entry, &cur));
    }
    for sh in &out.shocks {
        text.push_str(&shock_table(sh, &cur, limit));
    }
    text
}

fn value_added_table(p: &PeriodValueAdded, cur: &str, limit: usize) -> String {
    let mut header: Vec<String> = vec!["source".into(), "country".into(), "layer".into()];
    header.extend(p.countries.iter().map(|c| format!(">{c}")));
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut t = Table::new(
        format!("\nValue added embodied in final demand, period {} ({cur}, period money; columns: country of final demand)", p.period),
        &header,
    );
    let mut order: Vec<usize> = (0..p.sources.len()).collect();
    order.sort_by(|&a, &b| {
        let sa: f64 = p.values[a].iter().map(|v| v.abs()).sum();
        let sb: f64 = p.values[b].iter().map(|v| v.abs()).sum();
        sb.total_cmp(&sa)
    });
    let shown = order.len().min(limit);
    for &r in &order[..shown] {
        let src = &p.sources[r];
        let mut cells = vec![
            src.kind.label().to_string(),
            src.country.clone().unwrap_or_default(),
            src.layer.clone(),
        ];
        cells.extend(p.values[r].iter().map(|v| num(*v)));
        t.row(cells);
    }
    let sum_rows = |rows: &[usize], i: usize| -> f64 { rows.iter().map(|&r| p.values[r][i]).sum() };
    if shown < order.len() {
        let rest = &order[shown..];
        let mut cells = vec![
            format!("({} other rows)", rest.len()),
            String::new(),
            String::new(),
        ];
        cells.extend((0..p.countries.len()).map(|i| num(sum_rows(rest, i))));
        t.row(cells);
    }
    let mut cells = vec!["total".to_string(), String::new(), String::new()];
    cells.extend((0..p.countries.len()).map(|i| num(sum_rows(&order, i))));
    t.row(cells);
    let mut cells = vec![
        "final demand at prices".to_string(),
        String::new(),
        String::new(),
    ];
    cells.extend(p.final_demand.iter().map(|v| num(*v)));
    t.row(cells);
    let mut cells = vec!["domestic share".to_string(), String::new(), String::new()];
    cells.extend(
        p.domestic_share
            .iter()
            .map(|v| v.map_or("-".into(), |x| format!("{:.1}%", 100.0 * x))),
    );
    t.row(cells);
    let mut out = t.render(None);
    out.push_str(&format!(
        "(columns sum to final demand at prices; largest residual {:.1e})\n",
        p.residual
    ));
    out
}

fn entry_table(s: &Scenario, entry: &[EntryValue], cur: &str) -> String {
    let mut header: Vec<String> = ["country", "layer", "base", "decision", "status", ">ΔW"]
        .iter()
        .map(|x| x.to_string())
        .collect();
    header.extend(s.countries.iter().map(|c| format!(">Δ{}", c.id)));
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut t = Table::new(
        format!("\nEntry and exit values: W(forced) - W(base), {cur} discounted (forced in every period)"),
        &header,
    );
    let mut notes = Vec::new();
    for e in entry.iter().filter(|e| e.solved) {
        let base: Vec<String> = e
            .base
            .iter()
            .map(|&x| {
                if e.has_operating_status {
                    if x > 0.5 {
                        "on".into()
                    } else {
                        "off".into()
                    }
                } else {
                    num(x)
                }
            })
            .collect();
        let decision = match e.change {
            "enter" => "enter (operate every period)",
            "leave" => "leave (no output, no standby, holds nothing)",
            "operate_throughout" => "operate every period",
            "never_operate" => "leave (never operate again)",
            "give_up" => "give up (idle, but holds capacity or standby)",
            "stay_out" => "stay out (already idle)",
            other => other,
        };
        let mut cells = vec![
            e.country.clone(),
            e.layer.clone(),
            base.join(","),
            decision.to_string(),
            e.status.clone(),
            e.value.map_or("-".into(), num),
        ];
        if e.welfare_change.is_empty() {
            cells.extend(s.countries.iter().map(|_| "-".to_string()));
        } else {
            cells.extend(e.welfare_change.iter().map(|w| num(w.value)));
        }
        t.row(cells);
        if let Some(d) = &e.diagnosis {
            notes.push(format!(
                "  {} {} {}: {}",
                e.country, e.layer, decision, d.explanation
            ));
        }
        if let Some(n) = &e.note {
            notes.push(format!("  {} {} {}: {n}", e.country, e.layer, decision));
        }
    }
    let mut out = if t.is_empty() {
        "\nEntry and exit values: every capability is already at the only decision that can be forced\n".to_string()
    } else {
        t.render(None)
    };
    if entry.iter().any(|e| !e.has_operating_status && e.solved) {
        out.push_str("(capabilities without an operating binary can only be forced out: p = 0 in every period)\n");
    }
    if !notes.is_empty() {
        out.push_str("Notes:\n");
        for n in notes {
            out.push_str(&n);
            out.push('\n');
        }
    }
    out
}

fn shock_table(sh: &ShockResult, cur: &str, limit: usize) -> String {
    let cuts: Vec<String> = sh
        .cuts
        .iter()
        .map(|c| format!("{} from {}", c.layer, c.supplier))
        .collect();
    let mut out = format!("\nShock: every export of {} cut\n", cuts.join(" and "));
    let Some(after) = sh.objective_after else {
        out.push_str(&format!("The shocked scenario is {}.\n", sh.status));
        if let Some(d) = &sh.diagnosis {
            out.push_str(&d.render());
        }
        return out;
    };
    out.push_str(&format!(
        "W = {} -> {} {cur} (discounted): a loss of {}\n",
        num(sh.objective_before),
        num(after),
        num(sh.welfare_loss.unwrap_or(f64::NAN))
    ));
    let mut t = Table::new(
        format!("Welfare loss by country ({cur}, discounted)"),
        &["country", ">before", ">after", ">loss"],
    );
    let mut w = sh.welfare.clone();
    w.sort_by(|a, b| b.loss.total_cmp(&a.loss));
    for x in &w {
        t.row(vec![
            x.country.clone(),
            num(x.before),
            num(x.after),
            num(x.loss),
        ]);
    }
    if let Some(n) = &sh.note {
        out.push_str(&format!("({n})\n"));
    }
    if !t.is_empty() {
        out.push_str(&t.render(None));
    }
    let mut moved: Vec<_> = sh
        .prices
        .iter()
        .filter(|p| p.change.abs() > 1e-6)
        .cloned()
        .collect();
    moved.sort_by(|a, b| b.change.abs().total_cmp(&a.change.abs()));
    let mut t = Table::new(
        format!("Price changes ({cur} per unit, period money)"),
        &[
            "country", "layer", ">period", ">before", ">after", ">change",
        ],
    );
    for p in &moved {
        t.row(vec![
            p.country.clone(),
            p.layer.clone(),
            p.period.to_string(),
            num(p.before),
            num(p.after),
            num(p.change),
        ]);
    }
    if sh.prices.is_empty() {
        return out;
    }
    if t.is_empty() {
        out.push_str("No price moved.\n");
    } else {
        out.push_str(&t.render(Some(limit)));
        out.push_str(&format!(
            "Layers whose price moved: {}\n",
            sh.layers_moved(1e-6).join(", ")
        ));
    }
    out
}
