//! `aistack margins`: prices, capacity rents and security duals as country x layer tables, value
//! added embodied in final demand, and on request entry/exit values, supply shocks and a
//! finite-difference check of every price.

use rayon::prelude::*;
use serde::Serialize;

use super::common::{
    bad_input, closest, country_index, echo_json, echo_table, layer_index, Exit, OutputArgs,
    ScenarioArgs, SolverArgs,
};
use super::shards::EntryMode;
use crate::analysis::coalitions_shard::ShardError;
use crate::analysis::entry_shard;
use crate::analysis::infeasibility::{self, Diagnosis};
use crate::analysis::margins::{self, EntryValue, MarginTables, Matrix, PriceCheck, ShockResult};
use crate::analysis::value_added::{self, PeriodValueAdded, ValueAdded};
use crate::backend::Status;
use crate::report::table::{num, pct, Table};
use crate::report::{CsvTable, OutputFormat};
use crate::results::ranges::{self, PriceRange};
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
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub shards: super::shards::ShardArgs,
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
    /// With `[uncertainty]`: the matrices of every outcome, in that outcome's money.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    by_outcome: Vec<margins::OutcomeTables>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value_added: Option<ValueAdded>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value_added_error: Option<String>,
    /// Each price's range over the optimal dual face (decisions.md 102).
    #[serde(skip_serializing_if = "Option::is_none")]
    price_ranges: Option<Vec<PriceRange>>,
    /// Why `price_ranges` is missing although prices are canonical.
    #[serde(skip_serializing_if = "Option::is_none")]
    price_ranges_note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    price_checks: Option<Vec<PriceCheck>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    entry: Option<Vec<EntryValue>>,
    shocks: Vec<ShockResult>,
    /// Scenario warnings of the run (MODEL.md 2, 13.3, 13.5).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    warnings: Vec<String>,
}

/// The countries with a capability for layer `l` (the possible suppliers of a shock).
fn suppliers(s: &Scenario, l: LayerId) -> Vec<&str> {
    s.capabilities
        .iter()
        .filter(|k| k.layer == l)
        .map(|k| s.countries[k.country].id.as_str())
        .collect()
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
        let l = layer_index(s, l.trim()).map_err(|e| {
            let layers: Vec<&str> = s.layers.iter().map(|x| x.id.as_str()).collect();
            bad_input(format!(
                "--shock {part}: {e}; layers: {}",
                layers.join(", ")
            ))
        })?;
        let c = country_index(s, c.trim()).map_err(|e| {
            bad_input(format!(
                "--shock {part}: {e}; suppliers of {}: {}",
                s.layers[l].id,
                suppliers(s, l).join(", ")
            ))
        })?;
        if s.capability(c, l).is_none() {
            let suppliers = suppliers(s, l);
            let hint = closest(&s.countries[c].id, &suppliers).map_or(String::new(), |k| {
                format!(" (did you mean {k}:{}?)", s.layers[l].id)
            });
            return Err(bad_input(format!(
                "--shock {part}: {} has no capability for {}, so it exports none{hint}; suppliers of {}: {}",
                s.countries[c].id,
                s.layers[l].id,
                s.layers[l].id,
                suppliers.join(", ")
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
    a.output.check()?;
    let format = a.output.format;
    if !(a.fd_step.is_finite() && a.fd_step > 0.0) {
        return Err(bad_input(format!(
            "--fd-step must be a positive number of units, got {}",
            a.fd_step
        )));
    }
    let mode = super::shards::entry_mode(&a.shards, a.entry)?;
    let (s, opts) = a.scenario.load(a.solver.relax)?;
    let config = a.solver.config()?;
    if let EntryMode::Slurm(dir) = &mode {
        return super::shards::slurm(&a.shards, dir, "aistack-margins");
    }
    let shocks: Vec<Vec<(CountryId, LayerId)>> = a
        .shock
        .iter()
        .map(|x| parse_shock(&s, x))
        .collect::<Result<_, _>>()?;
    let file = a.scenario.file.display().to_string();
    let solver_failed = |e: results::SolveError| -> anyhow::Result<Exit> {
        if format == OutputFormat::Json {
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
        by_outcome: Vec::new(),
        value_added: None,
        value_added_error: None,
        price_ranges: None,
        price_ranges_note: None,
        price_checks: None,
        entry: None,
        shocks: Vec::new(),
        warnings: base.scenario_warnings.clone(),
    };
    if !base.is_optimal() {
        if base.status == Status::Infeasible {
            match infeasibility::diagnose(&s, &opts, &config) {
                Ok(d) => out.diagnosis = Some(d),
                Err(e) => eprintln!("error: diagnosing infeasibility: {e}"),
            }
        }
        match format {
            OutputFormat::Json => println!("{}", echo_json(&out)),
            OutputFormat::Table => {
                print!("{}", echo_table());
                println!("{file}: {}", base.status);
                if let Some(d) = &out.diagnosis {
                    print!("\n{}", d.render());
                }
            }
            OutputFormat::Csv => {
                eprintln!("{file}: {}", base.status);
                if let Some(d) = &out.diagnosis {
                    eprint!("{}", d.render());
                }
            }
        }
        a.output.write_csv(&csv_tables(&out)?)?;
        return Ok(Exit::NoSolution);
    }
    let bar = super::progress::Bar::new("margins");
    let progress = |d: usize, n: usize| bar.set(d, n);
    if let EntryMode::Shard(..) | EntryMode::Merge(_) = &mode {
        let fp = fingerprint(&a)?;
        let Some(plan) = margins::EntryPlan::new(&s, &opts, &base) else {
            return Ok(Exit::NoSolution);
        };
        let done = match &mode {
            EntryMode::Shard(k, n, dir) => {
                bar.stage(format!("forcing entry and exit decisions, shard {k}/{n}"));
                entry_shard::run_shard(&plan, &config, (*k, *n), dir, &fp, &progress).map(
                    |st| {
                        bar.finish();
                        eprintln!(
                            "entry values of {file}: shard {k}/{n}: {} decisions, {} solved, {} already done; results in {}",
                            st.coalitions, st.computed, st.skipped, st.file.display()
                        );
                        None
                    },
                )
            }
            EntryMode::Merge(dir) => {
                bar.stage("merging the entry-value shards");
                entry_shard::merge(&plan, &config, dir, &fp).map(Some)
            }
            _ => Ok(None),
        };
        match done {
            Ok(None) => return Ok(Exit::Ok),
            Ok(Some(entry)) => out.entry = Some(entry),
            Err(ShardError::Solve(e)) => {
                bar.finish();
                return solver_failed(e);
            }
            Err(e @ ShardError::Incomplete(_)) => {
                bar.finish();
                eprintln!("error: {e}");
                return Ok(Exit::NoSolution);
            }
            Err(e) => return Err(bad_input(e.to_string())),
        }
    }
    let mut run = || -> Result<(), results::SolveError> {
        out.tables = margins::margin_tables(&s, &base);
        (out.price_ranges, out.price_ranges_note) = ranges::price_ranges_reported(&s, &base);
        out.by_outcome = margins::margin_tables_by_outcome(&s, &base);
        match value_added::value_added(&s, &base) {
            Ok(v) => out.value_added = Some(v),
            Err(e) => out.value_added_error = Some(e.to_string()),
        }
        if a.check_prices {
            bar.stage("checking prices by finite differences");
            out.price_checks = Some(margins::price_checks_with_progress(
                &s, &opts, &config, &base, a.fd_step, &progress,
            )?);
        }
        if a.entry && out.entry.is_none() {
            bar.stage("forcing entry and exit decisions");
            out.entry = Some(margins::entry_values_with_progress(
                &s, &opts, &config, &base, &progress,
            )?);
        }
        bar.stage("solving supply shocks");
        // In parallel; collected in the order given, so the output is that of a serial run.
        let done = std::sync::atomic::AtomicUsize::new(0);
        progress(0, shocks.len());
        out.shocks = shocks
            .par_iter()
            .map(|cuts| {
                let r = margins::shock(&s, &opts, &config, &base, cuts);
                progress(
                    done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1,
                    shocks.len(),
                );
                r
            })
            .collect::<Vec<_>>()
            .into_iter()
            .collect::<Result<Vec<_>, _>>()?;
        Ok(())
    };
    let result = run();
    bar.finish();
    if let Err(e) = result {
        return solver_failed(e);
    }
    match format {
        OutputFormat::Json => println!("{}", echo_json(&out)),
        OutputFormat::Table => print!(
            "{}{}",
            echo_table(),
            render(&s, &base, &out, a.output.limit.0)
        ),
        OutputFormat::Csv => eprint!("{}", echo_table()),
    }
    a.output.write_csv(&csv_tables(&out)?)?;
    Ok(Exit::Ok)
}

/// Identifies a request for entry-value shards: the scenario file, the overrides and overlays,
/// the activations and the solver settings.
fn fingerprint(a: &MarginsArgs) -> anyhow::Result<String> {
    let sc = &a.scenario;
    let mut parts = vec![
        format!("{:?}", sc.overrides),
        format!("{:?}", sc.activate),
        format!("{:?}", sc.deactivate),
        format!("{:?}", a.solver),
    ];
    for f in &sc.overrides.overlay {
        parts.push(std::fs::read_to_string(f).unwrap_or_default());
    }
    super::shards::fingerprint(&sc.file, &parts)
}

/// The CSV files of `margins`: the country x layer matrices and the value added as long tables
/// (one row per entry), everything else as in the JSON.
fn csv_tables(out: &MarginsOutput) -> anyhow::Result<Vec<CsvTable>> {
    let mut value = serde_json::to_value(out)?;
    if let Some(map) = value.as_object_mut() {
        map.remove("tables");
        map.remove("value_added");
    }
    let mut tables = crate::report::csv_tables(&value);
    if let Some(t) = &out.tables {
        let mut rows = Vec::new();
        for (k, m) in t.prices.iter().enumerate() {
            for (c, country) in m.countries.iter().enumerate() {
                for (l, layer) in m.layers.iter().enumerate() {
                    let at = |ms: &[Matrix]| ms.get(k).and_then(|x| x.values[c][l]);
                    rows.push(serde_json::json!({
                        "country": country,
                        "layer": layer,
                        "period": m.period,
                        "price": m.values[c][l],
                        "export_rent": at(&t.export_rents),
                        "capacity_rent": at(&t.capacity_rents),
                        "security_dual": at(&t.security_duals),
                    }));
                }
            }
        }
        tables.push(CsvTable::from_rows("margins", &rows));
    }
    if let Some(va) = &out.value_added {
        let mut rows = Vec::new();
        for p in &va.periods {
            for (r, src) in p.sources.iter().enumerate() {
                for (i, country) in p.countries.iter().enumerate() {
                    let mut row = serde_json::json!({
                        "period": p.period,
                        "source": src.kind.label(),
                        "source_country": src.country,
                        "layer": src.layer,
                        "final_demand_country": country,
                        "value": p.values[r][i],
                    });
                    if let Some(o) = &p.outcome {
                        row["outcome"] = serde_json::json!(o);
                    }
                    rows.push(row);
                }
            }
        }
        tables.push(CsvTable::from_rows("value_added", &rows));
    }
    Ok(tables)
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

fn render(s: &Scenario, base: &Outcome, out: &MarginsOutput, limit: Option<usize>) -> String {
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
    for o in &out.by_outcome {
        let Some(tables) = &o.tables else {
            text.push_str(&format!(
                "\nOutcome {} (P = {}): no prices (its risk-adjusted probability is 0)\n",
                o.outcome,
                num(o.probability)
            ));
            continue;
        };
        for m in &tables.prices {
            let title = format!(
                "\nPrices λ in outcome {} (P = {}, q = {}), period {} ({cur} per unit, that outcome's money)",
                o.outcome,
                num(o.probability),
                num(o.risk_adjusted_probability),
                m.period
            );
            text.push_str(&matrix_table(title, m, |_, _| false).render(None));
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
        // With outcomes, each second-stage price is checked in its outcome (decision 64).
        let staged = checks.iter().any(|p| p.outcome.is_some());
        let mut header = vec![
            "country", "layer", ">period", ">price", ">left", ">right", "note",
        ];
        if staged {
            header.insert(0, "outcome");
        }
        let mut t = Table::new(
            if staged {
                "Prices that are not unique or lie outside [right, left] (a second-stage price in its outcome's money: units delivered in that outcome only, the change of the objective divided by q_s)"
            } else {
                "Prices that are not unique or lie outside [right, left]"
            },
            &header,
        );
        let opt = |v: Option<f64>| v.map_or("infeasible".to_string(), num);
        for p in checks.iter().filter(|p| !p.unique || !p.within) {
            let note = if !p.within { "outside" } else { "not unique" };
            let mut row = Vec::new();
            if staged {
                row.push(p.outcome.clone().unwrap_or_else(|| "(first stage)".into()));
            }
            row.extend([
                p.country.clone(),
                p.layer.clone(),
                p.period.to_string(),
                num(p.price),
                opt(p.left),
                opt(p.right),
                note.into(),
            ]);
            t.row(row);
        }
        if !t.is_empty() {
            text.push_str(&t.render(limit));
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
        text.push_str(&entry_table(entry, &cur, limit));
    }
    for sh in &out.shocks {
        text.push_str(&shock_table(sh, &cur, limit));
    }
    if !out.warnings.is_empty() {
        text.push_str("\nWarnings\n");
        for w in &out.warnings {
            text.push_str(&format!("  - {w}\n"));
        }
    }
    text
}

fn value_added_table(p: &PeriodValueAdded, cur: &str, limit: Option<usize>) -> String {
    let mut header: Vec<String> = vec!["source".into(), "country".into(), "layer".into()];
    header.extend(p.countries.iter().map(|c| format!(">{c}")));
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut t = Table::new(
        match &p.outcome {
            Some(o) => format!("\nValue added embodied in final demand, outcome {o}, period {} ({cur}, that outcome's period money; columns: country of final demand)", p.period),
            None => format!("\nValue added embodied in final demand, period {} ({cur}, period money; columns: country of final demand)", p.period),
        },
        &header,
    );
    let mut order: Vec<usize> = (0..p.sources.len()).collect();
    order.sort_by(|&a, &b| {
        let sa: f64 = p.values[a].iter().map(|v| v.abs()).sum();
        let sb: f64 = p.values[b].iter().map(|v| v.abs()).sum();
        sb.total_cmp(&sa)
    });
    let shown = limit.map_or(order.len(), |n| order.len().min(n));
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
            format!(
                "({} other {})",
                rest.len(),
                crate::report::table::plural(rest.len(), "row", "rows")
            ),
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
    cells.extend(p.domestic_share.iter().map(|v| v.map_or("-".into(), pct)));
    t.row(cells);
    let mut out = t.render(None);
    out.push_str(&format!(
        "(columns sum to final demand at prices; largest residual {:.1e})\n",
        p.residual
    ));
    out
}

/// The forced decision in words.
fn decision_words(e: &EntryValue) -> &'static str {
    match e.change {
        "enter" => "enter: operate in every period",
        "leave" => "leave: produce nothing, hold no capacity",
        "operate_throughout" => "operate in every period",
        "never_operate" => "stop operating in every period",
        "give_up" => "give up idle capacity or standby",
        "stay_out" => "stay out (already idle)",
        "stay_in" => "stay in (already operating)",
        _ if !e.has_operating_status => "produce nothing",
        _ => "forced decision",
    }
}

/// What the capability does in the base solution, in words.
fn now_words(e: &EntryValue) -> String {
    let on: Vec<bool> = e
        .base
        .iter()
        .map(|&x| {
            if e.has_operating_status {
                x > 0.5
            } else {
                x > 1e-9
            }
        })
        .collect();
    let verb = if e.has_operating_status {
        "operates"
    } else {
        "produces"
    };
    if on.iter().all(|&x| x) {
        verb.to_string()
    } else if on.iter().all(|&x| !x) {
        "idle".to_string()
    } else {
        let periods: Vec<String> = on
            .iter()
            .enumerate()
            .filter(|(_, &x)| x)
            .map(|(t, _)| (t + 1).to_string())
            .collect();
        format!(
            "{verb} in {} {}",
            crate::report::table::plural(periods.len(), "period", "periods"),
            periods.join(", ")
        )
    }
}

/// Entry and exit values as a long table (one row per forced decision, largest |ΔW| first)
/// with the country that gains and loses most; the change of every country's welfare is in
/// the JSON and CSV.
fn entry_table(entry: &[EntryValue], cur: &str, limit: Option<usize>) -> String {
    let mut t = Table::new(
        format!("\nEntry and exit values: ΔW = W(forced) - W(base), {cur} discounted (decision forced in every period)"),
        &[
            "country",
            "layer",
            "now",
            "decision",
            ">ΔW",
            "biggest winner",
            "biggest loser",
        ],
    );
    let mut notes = Vec::new();
    let mut rows: Vec<&EntryValue> = entry.iter().filter(|e| e.solved).collect();
    rows.sort_by(|a, b| {
        let key = |e: &EntryValue| e.value.map_or(f64::INFINITY, |v| (v * 1e4).round().abs());
        key(b).total_cmp(&key(a))
    });
    for e in rows {
        let decision = decision_words(e);
        let best = e
            .welfare_change
            .iter()
            .max_by(|a, b| a.value.total_cmp(&b.value));
        let worst = e
            .welfare_change
            .iter()
            .min_by(|a, b| a.value.total_cmp(&b.value));
        let who = |w: Option<&margins::CountryValue>, gain: bool| match w {
            Some(w) if (gain && w.value > 1e-9) || (!gain && w.value < -1e-9) => {
                format!(
                    "{} {}{}",
                    w.country,
                    if gain { "+" } else { "" },
                    num(w.value)
                )
            }
            _ => "-".to_string(),
        };
        t.row(vec![
            e.country.clone(),
            e.layer.clone(),
            now_words(e),
            decision.to_string(),
            e.value.map_or(e.status.clone(), num),
            who(best, true),
            who(worst, false),
        ]);
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
        t.render(limit)
    };
    if entry.iter().any(|e| !e.has_operating_status && e.solved) {
        out.push_str("(a capability without an on/off decision can only be forced out: no output in any period)\n");
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

fn shock_table(sh: &ShockResult, cur: &str, limit: Option<usize>) -> String {
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
        out.push_str(&t.render(limit));
        out.push_str(&format!(
            "Layers whose price moved: {}\n",
            sh.layers_moved(1e-6).join(", ")
        ));
    }
    out
}
