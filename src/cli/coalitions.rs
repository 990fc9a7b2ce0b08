//! `aistack coalitions FILE --agreement ID [--samples N] [--seed S]`: the coalition game of an
//! agreement, its Shapley split, least core and blocking coalitions (library:
//! [`crate::analysis::coalitions`]).

use serde::Serialize;

use super::common::{echo_json, echo_table, Exit, GameArgs, OutputArgs, SolverArgs};
use super::compare::{analysis_failure, AgreementArgs};
use crate::analysis::coalitions::{self, CoalitionReport, GameValue, Method};
use crate::analysis::verdict::Robustness;
use crate::report::table::{num, Table};
use crate::report::OutputFormat;

#[derive(clap::Args, Debug)]
pub struct CoalitionsArgs {
    #[command(flatten)]
    pub target: AgreementArgs,
    #[command(flatten)]
    pub solver: SolverArgs,
    #[command(flatten)]
    pub game: GameArgs,
    /// The game: `members` (v(S) = welfare gain of S's members, rests on prices) or `world`
    /// (v(S) = change in W when only S forms the agreement, outsiders included; no prices).
    #[arg(long, value_enum, default_value = "members")]
    pub value: ValueArg,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub shards: super::shards::ShardArgs,
}

#[derive(clap::ValueEnum, Debug, Clone, Copy)]
pub enum ValueArg {
    Members,
    World,
}

#[derive(Serialize)]
struct Output<'a> {
    file: String,
    status: &'static str,
    #[serde(flatten)]
    game: &'a CoalitionReport,
}

pub fn run(a: CoalitionsArgs) -> anyhow::Result<Exit> {
    a.output.check()?;
    let settings = a.game.settings(match a.value {
        ValueArg::Members => GameValue::Members,
        ValueArg::World => GameValue::World,
    })?;
    let config = a.solver.config()?;
    let (s, agreement, base) = a.target.resolve(a.solver.relax)?;
    let bar =
        super::progress::Bar::new(format!("solving the coalitions of {}", a.target.agreement));
    let mut parts = vec![
        format!("{:?}", a.target.scenario.overrides),
        a.target.agreement.clone(),
        format!("{:?}", a.target.baseline_agreement),
        format!("{:?}", a.target.scenario.activate),
        format!("{:?}", a.target.scenario.deactivate),
        format!("{settings:?}"),
        format!("{:?}", a.solver),
    ];
    for f in &a.target.scenario.overrides.overlay {
        parts.push(std::fs::read_to_string(f).unwrap_or_default());
    }
    let fingerprint = super::shards::fingerprint(&a.target.scenario.file, &parts)?;
    let step = super::shards::coalitions(
        &a.shards,
        &s,
        agreement,
        &base,
        &config,
        &settings,
        &fingerprint,
    )?;
    let result = match step {
        super::shards::Step::Local => {
            coalitions::coalitions(&s, agreement, &base, &config, &settings, &|d, n| {
                bar.set(d, n)
            })
        }
        super::shards::Step::Exit(code) => {
            bar.finish();
            return Ok(code);
        }
        super::shards::Step::Merged(r) => r.map(|b| *b),
    };
    bar.finish();
    let game = match result {
        Ok(g) => g,
        Err(e) => return analysis_failure(e, a.output.format),
    };
    let file = a.target.scenario.file.display().to_string();
    let out = Output {
        file: file.clone(),
        status: "optimal",
        game: &game,
    };
    match a.output.format {
        OutputFormat::Json => println!("{}", echo_json(&out)),
        OutputFormat::Table => print!("{}{}", echo_table(), render(&file, &game, a.output.limit.0)),
        OutputFormat::Csv => eprint!("{}", echo_table()),
    }
    a.output
        .write_csv(&crate::report::csv_tables(&serde_json::to_value(&out)?))?;
    Ok(Exit::Ok)
}

fn braces(names: &[String]) -> String {
    format!("{{{}}}", names.join(", "))
}

/// The coalition game for people.
pub fn render(file: &str, g: &CoalitionReport, limit: Option<usize>) -> String {
    let mut out = format!(
        "{file}: coalition game of agreement {} (members {})\n",
        g.agreement,
        g.members.join(", ")
    );
    out.push_str(&match g.method {
        Method::Exact => format!("Exact: every coalition enumerated; {} solves\n", g.solves),
        Method::MonteCarlo => format!(
            "Monte Carlo: {} random orders (seed {}); {} solves\n",
            g.samples.unwrap_or(0),
            g.seed.unwrap_or(0),
            g.solves
        ),
    });
    if !g.baseline_agreements.is_empty() {
        out.push_str(&format!(
            "Active in every configuration: {}\n",
            g.baseline_agreements.join(", ")
        ));
    }
    out.push_str(&match g.game {
        GameValue::Members => format!(
            "Game: v(S) = welfare gain of S's members when only S forms the agreement (--value members){}\n",
            if g.players.iter().any(|p| p.shapley_range.is_some()) {
                "; some v(S) depend on prices"
            } else {
                ""
            }
        ),
        GameValue::World => {
            "Game: v(S) = change in W when only S forms the agreement, outsiders included (--value world; no prices)\n"
                .to_string()
        }
    });
    if let Some(sa) = g.superadditive {
        out.push_str(if sa {
            "v is superadditive on this instance\n"
        } else {
            "v is not superadditive on this instance\n"
        });
    }
    out.push_str(&format!(
        "v(N) = {} {} (discounted): {} (baseline W = {})\n\n",
        num(g.grand_value),
        g.currency,
        match g.game {
            GameValue::Members => "the members' total gain from the full agreement",
            GameValue::World => "the change in W from the full agreement",
        },
        num(g.w_baseline)
    ));

    let mc = g.method == Method::MonteCarlo;
    let mut header = vec!["member", ">realised", ">shapley"];
    if mc {
        header.push(">std error");
    }
    header.extend([">side payment", ">least core"]);
    let ranged = g.players.iter().any(|p| p.shapley_range.is_some());
    if ranged {
        header.push("shapley over optimal prices (bounds)");
    }
    let mut t = Table::new(
        "Split of v(N) (side payment = Shapley - realised; > 0 receives)",
        &header,
    );
    for p in &g.players {
        let mut row = vec![p.country.clone(), num(p.realised), num(p.shapley)];
        if mc {
            row.push(p.std_error.map_or("-".into(), num));
        }
        row.extend([num(p.side_payment), num(p.least_core)]);
        if ranged {
            row.push(
                p.shapley_range
                    .map_or("-".into(), |r| format!("[{}, {}]", num(r.min), num(r.max))),
            );
        }
        t.row(row);
    }
    out.push_str(&t.render(None));
    out.push('\n');

    let lc = &g.least_core;
    let verdict = match lc.core_empty {
        Some(true) => "the core is empty: every split of v(N) is blocked by some coalition",
        Some(false) => "the core is not empty",
        None => "the core may or may not be empty (lower bound from sampled coalitions only)",
    };
    out.push_str(&format!(
        "Least core: epsilon {} {}; {}{}\n",
        if lc.exact { "=" } else { ">=" },
        num(lc.epsilon),
        verdict,
        match &lc.core_empty_verdict {
            Some(v) => match v.robustness {
                Robustness::EveryPrice => " (empty for every optimal price)".to_string(),
                Robustness::NoPrice => " (empty for no optimal price)".to_string(),
                Robustness::DependsOnPrices => format!(
                    " (depends on prices: epsilon within [{}, {}] over optimal prices)",
                    num(v.range.map_or(f64::NAN, |r| r.min)),
                    num(v.range.map_or(f64::NAN, |r| r.max))
                ),
                Robustness::ReportedPricesOnly => String::new(),
            },
            None => String::new(),
        }
    ));
    if g.blocking.is_empty() {
        out.push_str("No coalition blocks the realised, Shapley or least-core split.\n\n");
    } else {
        out.push('\n');
        let mut t = Table::new(
            "Blocking coalitions (most violated; they gain more by forming the agreement alone)",
            &[
                "split",
                "coalition",
                ">v(S)",
                ">split gives S",
                ">excess",
                "prices",
            ],
        );
        for b in &g.blocking {
            t.row(vec![
                b.split.replace('_', "-"),
                braces(&b.coalition),
                num(b.value),
                num(b.share),
                num(b.excess),
                if b.price_dependent {
                    "depends on prices".into()
                } else {
                    "for every optimal price".into()
                },
            ]);
        }
        out.push_str(&t.render(None));
        out.push('\n');
    }

    let mut t = Table::new(
        format!("Coalition values ({}, discounted)", g.currency),
        &["coalition", ">v(S)", ">W", "v(S) over optimal prices"],
    );
    for v in &g.values {
        t.row(vec![
            braces(&v.coalition),
            num(v.value),
            v.w.map_or("-".into(), num),
            match (v.range, v.price_dependent) {
                (Some(r), Some(true)) => format!("[{}, {}]", num(r.min), num(r.max)),
                (Some(_), _) => "unique".into(),
                (None, _) => "-".into(),
            },
        ]);
    }
    out.push_str(&t.render(limit));
    for n in &g.notes {
        out.push_str(&format!("\nNote: {n}"));
    }
    for w in &g.warnings {
        out.push_str(&format!("\nWarning: {w}"));
    }
    out.push('\n');
    out
}
