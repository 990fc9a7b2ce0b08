//! `aistack generate`: write a random, realistic, feasible scenario (see [`crate::generate`]).

use std::path::PathBuf;

use anyhow::Context;

use super::common::{bad_input, Exit};
use crate::generate::{generate as generate_text, GenerateOptions};

#[derive(clap::Args, Debug)]
pub struct GenerateArgs {
    /// Number of countries (ISO codes by GDP rank, 198 of them; X199, X200, ... beyond).
    #[arg(long, default_value_t = 20)]
    pub countries: usize,
    /// Number of layers (the first ten follow the AI stack).
    #[arg(long, default_value_t = 10)]
    pub layers: usize,
    /// Number of periods.
    #[arg(long, default_value_t = 3)]
    pub periods: usize,
    /// Random seed: the same seed gives the same file, byte for byte.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Number of agreements (cycling through trade bloc, chip alliance, AI compact, data union).
    #[arg(long, default_value_t = 4)]
    pub agreements: usize,
    /// Output file (.toml); standard output when absent.
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

pub fn generate(a: GenerateArgs) -> anyhow::Result<Exit> {
    let opts = GenerateOptions {
        countries: a.countries,
        layers: a.layers,
        periods: a.periods,
        seed: a.seed,
        agreements: a.agreements,
    };
    let text = generate_text(&opts).map_err(|e| bad_input(e.to_string()))?;
    match &a.out {
        Some(path) => {
            std::fs::write(path, &text).with_context(|| format!("writing {}", path.display()))?;
            eprintln!(
                "wrote {} ({} countries, {} layers, {} {}, seed {}, {} agreements)",
                path.display(),
                a.countries,
                a.layers,
                a.periods,
                crate::report::table::plural(a.periods, "period", "periods"),
                a.seed,
                a.agreements
            );
        }
        None => print!("{text}"),
    }
    Ok(Exit::Ok)
}
