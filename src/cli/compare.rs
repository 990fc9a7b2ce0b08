//! `aistack compare FILE --agreement ID [--baseline-agreement ID]...`: the scenario without and
//! with one agreement (library: [`crate::analysis::compare`]).

use serde::Serialize;

use super::common::{
    agreement_index, bad_input, echo_json, echo_table, load, Exit, OutputArgs, ScenarioArgs,
    SolverArgs,
};
use crate::analysis::compare::{self, AnalysisError, Comparison};
use crate::analysis::game::GameError;
use crate::analysis::verdict::Robustness;
use crate::report::table::{num, Table};
use crate::report::OutputFormat;
use crate::scenario::{AgreementId, Scenario};

/// The agreement analysed and its baseline, shared by `compare` and `coalitions`.
#[derive(clap::Args, Debug, Clone)]
pub struct AgreementArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// The agreement to analyse.
    #[arg(long, value_name = "ID")]
    pub agreement: String,
    /// An agreement active in the baseline and with the analysed one (repeatable); the baseline
    /// is the file's `active` flags with the analysed agreement off, plus these.
    #[arg(long = "baseline-agreement", value_name = "ID")]
    pub baseline_agreement: Vec<String>,
}

impl AgreementArgs {
    /// Load the scenario and resolve the agreement and its baseline: the file's flags with
    /// --activate/--deactivate and --baseline-agreement applied, the analysed agreement off.
    pub fn resolve(
        &self,
        relax: bool,
    ) -> anyhow::Result<(Scenario, AgreementId, crate::formulation::BuildOptions)> {
        let s = load(&self.scenario.file, &self.scenario.overrides)?;
        let a = agreement_index(&s, &self.agreement)?;
        for (flag, ids) in [
            ("--activate", &self.scenario.activate),
            ("--deactivate", &self.scenario.deactivate),
            ("--baseline-agreement", &self.baseline_agreement),
        ] {
            if ids.contains(&self.agreement) {
                return Err(bad_input(format!(
                    "{flag} {} is the agreement being analysed; the baseline is the scenario without it",
                    self.agreement
                )));
            }
        }
        let mut base = self.scenario.options(&s, relax)?;
        for id in &self.baseline_agreement {
            base.active[agreement_index(&s, id)?] = true;
        }
        base.active[a] = false;
        Ok((s, a, base))
    }

    /// How the baseline was set, for the table output.
    pub fn switches(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        parts.extend(
            self.scenario
                .activate
                .iter()
                .map(|x| format!("--activate {x}")),
        );
        parts.extend(
            self.scenario
                .deactivate
                .iter()
                .map(|x| format!("--deactivate {x}")),
        );
        if parts.is_empty() {
            String::new()
        } else {
            format!(" ({})", parts.join(", "))
        }
    }
}

#[derive(clap::Args, Debug)]
pub struct CompareArgs {
    #[command(flatten)]
    pub target: AgreementArgs,
    #[command(flatten)]
    pub solver: SolverArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Serialize)]
struct Output<'a> {
    file: String,
    status: &'static str,
    #[serde(flatten)]
    comparison: &'a Comparison,
}

/// Turn an analysis error into the CLI's exit: 2 for bad requests, 1 for no solution or solver
/// failure (with a JSON status object on stdout in JSON mode).
pub fn analysis_failure(e: AnalysisError, format: OutputFormat) -> anyhow::Result<Exit> {
    let bad = e.is_bad_input()
        || matches!(
            e,
            AnalysisError::Game(
                GameError::TooManyPlayers { .. }
                    | GameError::TooFewPlayers { .. }
                    | GameError::TooFewSamples(_)
            )
        );
    if bad {
        return Err(bad_input(e.to_string()));
    }
    let status = match &e {
        AnalysisError::NoSolution { status, .. } => status.to_string(),
        _ => "error".to_string(),
    };
    if format == OutputFormat::Json {
        println!(
            "{}",
            echo_json(&serde_json::json!({"status": status, "message": e.to_string()}))
        );
    }
    eprintln!("error: {e}");
    Ok(Exit::NoSolution)
}

pub fn run(a: CompareArgs) -> anyhow::Result<Exit> {
    a.output.check()?;
    let config = a.solver.config()?;
    let (s, agreement, base) = a.target.resolve(a.solver.relax)?;
    let bar =
        super::progress::Bar::new(format!("comparing with and without {}", a.target.agreement));
    let result =
        compare::compare_with_progress(&s, agreement, &base, &config, &|d, n| bar.set(d, n));
    bar.finish();
    let c = match result {
        Ok(c) => c,
        Err(e) => return analysis_failure(e, a.output.format),
    };
    let file = a.target.scenario.file.display().to_string();
    let out = Output {
        file: file.clone(),
        status: "optimal",
        comparison: &c,
    };
    match a.output.format {
        OutputFormat::Json => println!("{}", echo_json(&out)),
        OutputFormat::Table => print!(
            "{}{}",
            echo_table(),
            render(&file, &c, &a.target.switches(), a.output.limit.0)
        ),
        OutputFormat::Csv => eprint!("{}", echo_table()),
    }
    a.output
        .write_csv(&crate::report::csv_tables(&serde_json::to_value(&out)?))?;
    Ok(Exit::Ok)
}

fn signed(v: f64) -> String {
    let t = num(v);
    if t.starts_with('-') || t == num(0.0) {
        t
    } else {
        format!("+{t}")
    }
}

/// The comparison for people.
pub fn render(file: &str, c: &Comparison, switches: &str, limit: Option<usize>) -> String {
    let mut out = format!(
        "{file}: agreement {} (members {})\n",
        c.agreement,
        c.members.join(", ")
    );
    out.push_str(&format!(
        "Baseline: the file's flags{switches} with {} inactive{}\n",
        c.agreement,
        if c.baseline_agreements.is_empty() {
            String::new()
        } else {
            format!("; active in both: {}", c.baseline_agreements.join(", "))
        }
    ));
    out.push_str(&format!(
        "W without {}, with {}, gain {} ({}, discounted{})\n\n",
        num(c.w_without),
        num(c.w_with),
        signed(c.w_gain),
        c.currency,
        if c.relaxed { "; LP relaxation" } else { "" }
    ));

    let mut t = Table::new(
        format!("Welfare by country ({}, discounted)", c.currency),
        &[
            "country",
            "member",
            ">without",
            ">with",
            ">gain",
            ">consumers",
            ">producers",
            ">rents",
            "gain over optimal prices",
        ],
    );
    for x in &c.countries {
        t.row(vec![
            x.country.clone(),
            if x.member { "yes" } else { "no" }.into(),
            num(x.without),
            num(x.with),
            signed(x.gain),
            signed(x.gain_consumers),
            signed(x.gain_producers),
            signed(x.gain_rents),
            match (x.gain_range, x.price_dependent) {
                (Some(r), Some(true)) => format!("[{}, {}]", num(r.min), num(r.max)),
                (Some(_), _) => "unique".into(),
                (None, _) => "-".into(),
            },
        ]);
    }
    out.push_str(&t.render(limit));
    out.push('\n');

    let non_members: Vec<String> = c
        .countries
        .iter()
        .filter(|x| !x.member)
        .map(|x| format!("{} {}", x.country, signed(x.gain)))
        .collect();
    out.push_str(&format!("Members gain {}", signed(c.members_gain)));
    if non_members.is_empty() {
        out.push_str("; every country is a member\n");
    } else {
        out.push_str(&format!(
            "; non-members gain {} ({})\n",
            signed(c.non_members_gain),
            non_members.join(", ")
        ));
    }
    out.push_str(&individual_rationality(c));
    out.push_str("\n\n");

    let mut t = Table::new(
        "Clauses (value = W with the agreement - W with it but without that clause alone)",
        &[
            ">clause",
            "description",
            "binds",
            ">value",
            "duals by period",
        ],
    );
    for k in &c.clauses {
        let duals = if k.duals.is_empty() {
            "-".to_string()
        } else {
            let list: Vec<String> = k
                .duals
                .iter()
                .map(|d| format!("t{}: {}", d.period, num(d.value)))
                .collect();
            format!(
                "{}{}",
                list.join(", "),
                if k.integer { " (integers fixed)" } else { "" }
            )
        };
        t.row(vec![
            k.clause.to_string(),
            k.description.clone(),
            if k.binds { "yes" } else { "no" }.into(),
            signed(k.value),
            duals,
        ]);
    }
    out.push_str(&t.render(None));
    if !c.learning.is_empty() {
        let mut t = Table::new(
            format!(
                "\nLearning at the horizon (experience; unit cost of the next unit, {}, period money; * = cheapest of its layer)",
                c.currency
            ),
            &[
                "country",
                "layer",
                ">output without",
                ">output with",
                ">experience without",
                ">experience with",
                ">unit cost without",
                ">unit cost with",
            ],
        );
        let star =
            |v: f64, cheapest: bool| format!("{}{}", num(v), if cheapest { "*" } else { "" });
        for x in &c.learning {
            t.row(vec![
                x.country.clone(),
                x.layer.clone(),
                num(x.output_without),
                num(x.output_with),
                num(x.experience_without),
                num(x.experience_with),
                star(x.unit_cost_without, x.cheapest_without),
                star(x.unit_cost_with, x.cheapest_with),
            ]);
        }
        out.push_str(&t.render(None));
        let mut t = Table::new(
            format!(
                "\nLearning by period (output; experience at the end of the period; unit cost of the next unit, {}, period money; * = cheapest of its layer)",
                c.currency
            ),
            &[
                "country",
                "layer",
                ">period",
                ">output without",
                ">output with",
                ">experience without",
                ">experience with",
                ">unit cost without",
                ">unit cost with",
            ],
        );
        for x in &c.learning_periods {
            t.row(vec![
                x.country.clone(),
                x.layer.clone(),
                x.period.to_string(),
                num(x.output_without),
                num(x.output_with),
                num(x.experience_without),
                num(x.experience_with),
                star(x.unit_cost_without, x.cheapest_without),
                star(x.unit_cost_with, x.cheapest_with),
            ]);
        }
        out.push_str(&t.render(limit));
    }
    if let Some(i) = &c.insurance {
        out.push_str(&insurance(i, &c.currency, limit));
    }
    for n in &c.notes {
        out.push_str(&format!("\nNote: {n}"));
    }
    for w in &c.warnings {
        out.push_str(&format!("\nWarning: {w}"));
    }
    out.push('\n');
    out
}

/// Why the verdict rests on the reported prices only.
fn why_unranged(c: &Comparison) -> &'static str {
    if c.insurance.is_some() {
        "expected gains; no ranges on the stochastic objective"
    } else {
        "--prices any"
    }
}

/// The gain in expectation, in the tail and per outcome (MODEL.md 10).
fn insurance(
    i: &crate::analysis::insurance::Insurance,
    currency: &str,
    limit: Option<usize>,
) -> String {
    let mut out = format!(
        "\nOn the stochastic objective: E[W] without {}, with {}, gain {}; CVaR (worst {} of \
         probability) without {}, with {}, gain {}\n",
        num(i.expected_without),
        num(i.expected_with),
        signed(i.expected_gain),
        num(i.tail),
        num(i.cvar_without),
        num(i.cvar_with),
        signed(i.cvar_gain),
    );
    let mut t = Table::new(
        format!("W by outcome ({currency}, discounted)"),
        &["outcome", ">probability", ">without", ">with", ">gain"],
    );
    for o in &i.outcomes {
        t.row(vec![
            o.outcome.clone(),
            num(o.probability),
            num(o.without),
            num(o.with),
            signed(o.gain),
        ]);
    }
    out.push_str(&t.render(None));
    let mut t = Table::new(
        format!("\nWelfare by country and outcome ({currency}, that outcome's prices)"),
        &["outcome", "country", ">without", ">with", ">gain"],
    );
    let opt = |v: Option<f64>| v.map_or("-".to_string(), num);
    for x in &i.countries_by_outcome {
        t.row(vec![
            x.outcome.clone(),
            x.country.clone(),
            opt(x.without),
            opt(x.with),
            x.gain.map_or("-".to_string(), signed),
        ]);
    }
    out.push_str(&t.render(limit));
    out
}

/// "Individually rational: yes, for every optimal price", or who loses and how surely.
fn individual_rationality(c: &Comparison) -> String {
    let ir = &c.individual_rationality;
    let losers: Vec<String> = c
        .losers
        .iter()
        .map(|l| match l.verdict.robustness {
            Robustness::NoPrice => format!(
                "{} loses {} (at every optimal price)",
                l.country,
                num(l.loss)
            ),
            Robustness::DependsOnPrices => format!(
                "{} loses up to {} at some optimal prices ({})",
                l.country,
                num(l.loss),
                l.verdict.qualifier()
            ),
            _ => format!("{} loses {}", l.country, num(l.loss)),
        })
        .collect();
    match ir.robustness {
        Robustness::EveryPrice => "Individually rational: yes, for every optimal price".into(),
        Robustness::NoPrice => format!(
            "Individually rational: no, for no optimal price: {} without side payments",
            losers.join("; ")
        ),
        Robustness::DependsOnPrices => format!(
            "Individually rational: depends on prices (the smallest member gain ranges over [{}, {}]; {} at the \
             reported prices): {}",
            num(ir.range.map_or(f64::NAN, |r| r.min)),
            num(ir.range.map_or(f64::NAN, |r| r.max)),
            if ir.holds { "yes" } else { "no" },
            losers.join("; ")
        ),
        Robustness::ReportedPricesOnly if ir.holds => format!(
            "Individually rational: yes at the reported prices, no member loses ({})",
            why_unranged(c)
        ),
        Robustness::ReportedPricesOnly => format!(
            "Individually rational: no at the reported prices, {} without side payments ({})",
            losers.join(", "),
            why_unranged(c)
        ),
    }
}
