//! Arguments and helpers shared by subcommands: the scenario file, agreement switches and
//! solver settings.

use std::path::PathBuf;
use std::sync::Mutex;

use anyhow::{anyhow, bail, Context};

use crate::backend::Settings;
use crate::formulation::BuildOptions;
use crate::report::OutputFormat;
use crate::results::{PriceChoice, SolveConfig};
use crate::scenario::overrides::{self, Applied, Overrides};
use crate::scenario::Scenario;

/// Exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Ok = 0,
    /// Infeasible, unbounded, time limit or solver failure.
    NoSolution = 1,
    /// Unreadable or invalid input, bad flags.
    BadInput = 2,
}

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit {}", *self as i32)
    }
}

impl std::error::Error for Exit {}

/// Overrides of the scenario file, applied before validation (see README, "Variants").
#[derive(clap::Args, Debug, Clone, Default)]
pub struct OverrideArgs {
    /// Change a field before validation (repeatable), e.g. 'security[*].domestic_floor=0.5',
    /// 'capability[KOR/memory].capacity=180', 'agreement[ID].active=true'.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Merge a partial scenario over the file (repeatable; entries matched by id or
    /// country/layer).
    #[arg(long = "overlay", value_name = "FILE")]
    pub overlay: Vec<PathBuf>,
    /// Apply the file's [variant.NAME] (before --overlay and --set).
    #[arg(long, value_name = "NAME")]
    pub variant: Option<String>,
}

impl OverrideArgs {
    pub fn overrides(&self) -> Overrides {
        Overrides {
            variant: self.variant.clone(),
            overlays: self.overlay.clone(),
            sets: self.set.clone(),
        }
    }
}

/// The overrides applied in this process, echoed by [`echo_json`] and [`echo_table`]. A global
/// because every subcommand loads its scenario once and prints in many places.
static APPLIED: Mutex<Vec<Applied>> = Mutex::new(Vec::new());

/// `value` as pretty JSON with the applied overrides appended under `overrides` (only when
/// there are some, so outputs without overrides are byte for byte unchanged).
pub fn echo_json<T: serde::Serialize>(value: &T) -> String {
    #[derive(serde::Serialize)]
    struct WithOverrides<'a, T> {
        #[serde(flatten)]
        inner: &'a T,
        overrides: Vec<Applied>,
    }
    let applied = APPLIED.lock().map(|a| a.clone()).unwrap_or_default();
    if applied.is_empty() {
        crate::report::to_json(value)
    } else {
        crate::report::to_json(&WithOverrides {
            inner: value,
            overrides: applied,
        })
    }
}

/// The line `overrides: ...` for table outputs, or an empty string.
pub fn echo_table() -> String {
    let applied = APPLIED.lock().map(|a| a.clone()).unwrap_or_default();
    if applied.is_empty() {
        String::new()
    } else {
        format!("{}\n", overrides::describe_applied(&applied))
    }
}

/// The scenario file and agreement switches.
#[derive(clap::Args, Debug, Clone)]
pub struct ScenarioArgs {
    /// Scenario file (.toml or .json).
    pub file: PathBuf,
    #[command(flatten)]
    pub overrides: OverrideArgs,
    /// Activate an agreement (repeatable), on top of its `active` flag.
    #[arg(long = "activate", value_name = "ID")]
    pub activate: Vec<String>,
    /// Deactivate an agreement (repeatable).
    #[arg(long = "deactivate", value_name = "ID")]
    pub deactivate: Vec<String>,
}

/// Solver choice and settings.
#[derive(clap::Args, Debug, Clone)]
pub struct SolverArgs {
    /// Solve the LP relaxation of the integer variables.
    #[arg(long)]
    pub relax: bool,
    /// Solver backend (`highs` needs a build with `--features highs`).
    #[arg(long, default_value = "microlp", value_parser = ["microlp", "highs"])]
    pub solver: String,
    /// Wall-clock limit in seconds.
    #[arg(long, value_name = "SECONDS")]
    pub time_limit: Option<f64>,
    /// Relative MIP gap, in [0, 1).
    #[arg(long, default_value_t = 1e-6, value_parser = parse_mip_gap)]
    pub mip_gap: f64,
    /// Solver threads (backends that support it).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Which optimal prices to report: `canonical` (the least-norm point of the optimal dual
    /// face, the same whichever solver; with ranges) or `any` (whatever the solver returns;
    /// faster on very large programs, no ranges).
    #[arg(long, value_enum, default_value = "canonical")]
    pub prices: PriceArg,
}

/// `--mip-gap`: a relative gap is a fraction, so values outside [0, 1) are mistakes (`5` for 5%).
fn parse_mip_gap(text: &str) -> Result<f64, String> {
    let v: f64 = text
        .parse()
        .map_err(|_| format!("expected a number in [0, 1), got \"{}\"", cut(text)))?;
    if (0.0..1.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!(
            "the relative MIP gap must be in [0, 1) (e.g. 0.01 for 1%), got {v}"
        ))
    }
}

/// `--limit N|all`: rows shown per table in the table format (`None` = all).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit(pub Option<usize>);

impl std::str::FromStr for Limit {
    type Err = String;
    fn from_str(text: &str) -> Result<Limit, String> {
        if text.eq_ignore_ascii_case("all") {
            return Ok(Limit(None));
        }
        text.parse::<usize>()
            .map(|n| Limit(Some(n)))
            .map_err(|_| format!("expected a number of rows or `all`, got \"{}\"", cut(text)))
    }
}

/// Default `--limit` of every subcommand that prints tables.
pub const DEFAULT_LIMIT: usize = 25;

/// Output flags of every subcommand that prints tables: the format, CSV files and row limit.
#[derive(clap::Args, Debug, Clone)]
pub struct OutputArgs {
    /// Output format: `table` (for people), `json`, or `csv` (every table as a CSV file in
    /// --out DIR, the files listed on stdout).
    #[arg(long, value_enum, default_value = "table")]
    pub format: OutputFormat,
    /// Directory for CSV files, one per table (named in the output); required with
    /// --format csv, also written with table or json.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Rows shown per long table in the table format: a number or `all`.
    #[arg(long, value_name = "N|all", default_value_t = Limit(Some(DEFAULT_LIMIT)))]
    pub limit: Limit,
}

impl std::fmt::Display for Limit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(n) => write!(f, "{n}"),
            None => write!(f, "all"),
        }
    }
}

impl OutputArgs {
    /// Refuse `--format csv` without `--out` before any work is done.
    pub fn check(&self) -> anyhow::Result<()> {
        if self.format == OutputFormat::Csv && self.out.is_none() {
            return Err(bad_input("--format csv needs --out DIR"));
        }
        if let Some(dir) = &self.out {
            if dir.exists() && !dir.is_dir() {
                return Err(bad_input(format!(
                    "--out {} exists and is not a directory",
                    dir.display()
                )));
            }
        }
        Ok(())
    }

    /// Write `tables` as CSV into `--out` when given and name the files: on stdout for
    /// `--format csv` (they are the output), else on stderr.
    pub fn write_csv(&self, tables: &[crate::report::CsvTable]) -> anyhow::Result<()> {
        let Some(dir) = &self.out else {
            return Ok(());
        };
        let files = crate::report::write_csv_tables(dir, tables)
            .with_context(|| format!("writing CSV into {}", dir.display()))?;
        announce_csv(self.format, dir, &files);
        Ok(())
    }
}

/// Name the CSV files written: on stdout for `--format csv`, else one line on stderr.
pub fn announce_csv(format: OutputFormat, dir: &std::path::Path, files: &[String]) {
    if format == OutputFormat::Csv {
        for f in files {
            println!("{f}");
        }
    } else {
        eprintln!(
            "wrote {} CSV {} into {}",
            files.len(),
            crate::report::table::plural(files.len(), "file", "files"),
            dir.display()
        );
    }
}

/// Coalition-game flags, shared by `coalitions` and `report` (same names, meanings, defaults).
#[derive(clap::Args, Debug, Clone)]
pub struct GameArgs {
    /// Enumerate every coalition up to this many members (at most 16); beyond, Monte Carlo.
    #[arg(long, value_name = "N", default_value_t = crate::analysis::coalitions::DEFAULT_MAX_EXACT)]
    pub max_exact: usize,
    /// Monte Carlo with exactly this many random orders of the members (with standard
    /// errors), even below --max-exact; without it, orders are doubled until
    /// --target-std-error is met.
    #[arg(long, value_name = "N")]
    pub samples: Option<usize>,
    /// Seed of the random orders (same seed, same estimates).
    #[arg(long, value_name = "S", default_value_t = 0)]
    pub seed: u64,
    /// Monte Carlo without --samples: double the random orders until every standard error is at
    /// most this fraction of |v(N)|.
    #[arg(long, value_name = "FRACTION", default_value_t = crate::analysis::coalitions::DEFAULT_TARGET_STD_ERROR)]
    pub target_std_error: f64,
}

impl GameArgs {
    /// The library settings, after checking the numbers.
    pub fn settings(
        &self,
        value: crate::analysis::coalitions::GameValue,
    ) -> anyhow::Result<crate::analysis::coalitions::CoalitionSettings> {
        if let Some(m) = self.samples {
            if m < 2 {
                return Err(bad_input(format!(
                    "--samples must be at least 2 (for a standard error), got {m}"
                )));
            }
        }
        if !(self.target_std_error.is_finite() && self.target_std_error > 0.0) {
            return Err(bad_input(format!(
                "--target-std-error must be a positive fraction, got {}",
                self.target_std_error
            )));
        }
        Ok(crate::analysis::coalitions::CoalitionSettings {
            samples: self.samples,
            seed: self.seed,
            max_exact: self.max_exact,
            value,
            target_std_error: self.target_std_error,
        })
    }
}

#[derive(clap::ValueEnum, Debug, Clone, Copy)]
pub enum PriceArg {
    Canonical,
    Any,
}

impl SolverArgs {
    pub fn config(&self) -> anyhow::Result<SolveConfig> {
        if let Some(t) = self.time_limit {
            if !(t.is_finite() && t > 0.0) {
                bail!(with_exit(format!(
                    "--time-limit must be a positive number of seconds, got {t}"
                )));
            }
            if t > MAX_TIME_LIMIT {
                bail!(with_exit(format!(
                    "--time-limit must be at most {MAX_TIME_LIMIT} seconds (30 days), got {t}"
                )));
            }
        }
        if self.threads == Some(0) {
            bail!(with_exit("--threads must be at least 1".to_string()));
        }
        let config = SolveConfig {
            backend: self.solver.clone(),
            settings: Settings {
                mip_gap: self.mip_gap,
                time_limit: self.time_limit,
                threads: self.threads,
                // One wall-clock budget for the whole command (issue 9): every stage gets what
                // remains of it, counted from the start of the command.
                deadline: self
                    .time_limit
                    .map(|t| command_start() + std::time::Duration::from_secs_f64(t)),
                ..Settings::default()
            },
            prices: match self.prices {
                PriceArg::Canonical => PriceChoice::Canonical,
                PriceArg::Any => PriceChoice::Any,
            },
        };
        config
            .backend()
            .map_err(|e| anyhow!(with_exit(e.to_string())))?;
        Ok(config)
    }
}

/// Largest accepted `--time-limit`, in seconds (30 days).
pub const MAX_TIME_LIMIT: f64 = 2_592_000.0;

static COMMAND_START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// When the command started (the first call fixes it; `cli::run` calls this first).
pub fn command_start() -> std::time::Instant {
    *COMMAND_START.get_or_init(std::time::Instant::now)
}

fn with_exit(message: String) -> anyhow::Error {
    anyhow::Error::new(Exit::BadInput).context(message)
}

/// Load a scenario, apply the overrides and validate the result; problems are printed by the
/// caller via the error. The applied overrides are kept for [`echo_json`] / [`echo_table`].
pub fn load_unguarded(file: &PathBuf, o: &OverrideArgs) -> anyhow::Result<Scenario> {
    // A directory would otherwise surface as a bare OS error ("Is a directory (os error 21)").
    for path in std::iter::once(file).chain(&o.overlay) {
        if path.is_dir() {
            return Err(bad_input(format!(
                "{} is a directory; expected a scenario file (.toml or .json)",
                path.display()
            )));
        }
    }
    let (s, applied) = overrides::load(file, &o.overrides())
        .map_err(|e| anyhow::Error::new(Exit::BadInput).context(e.to_string()))?;
    // A later load without overrides (report --sovereign) keeps the echo of the first.
    if let (false, Ok(mut a)) = (applied.is_empty(), APPLIED.lock()) {
        *a = applied;
    }
    Ok(s)
}

static MAX_COLUMNS: std::sync::OnceLock<u64> = std::sync::OnceLock::new();

/// Set the size guard of this command (`--max-columns`).
pub fn set_max_columns(n: u64) {
    let _ = MAX_COLUMNS.set(n);
}

/// Load and validate a scenario that is going to be built: the size guard refuses (exit 2) a
/// scenario whose program would exceed `--max-columns` columns.
pub fn load(file: &PathBuf, o: &OverrideArgs) -> anyhow::Result<Scenario> {
    let s = load_unguarded(file, o)?;
    let limit = *MAX_COLUMNS.get_or_init(|| crate::size::DEFAULT_MAX_COLUMNS);
    crate::size::guard(&s, limit).map_err(|e| {
        anyhow::Error::new(Exit::BadInput).context(format!("{}: {e}", file.display()))
    })?;
    Ok(s)
}

impl ScenarioArgs {
    /// Load the scenario and resolve the agreement switches.
    pub fn load(&self, relax: bool) -> anyhow::Result<(Scenario, BuildOptions)> {
        let s = load(&self.file, &self.overrides)?;
        let opts = self.options(&s, relax)?;
        Ok((s, opts))
    }

    pub fn options(&self, s: &Scenario, relax: bool) -> anyhow::Result<BuildOptions> {
        let mut opts = BuildOptions::from_file(s);
        opts.relax = relax;
        for id in &self.activate {
            if self.deactivate.contains(id) {
                bail!(with_exit(format!(
                    "agreement \"{id}\" is both activated and deactivated"
                )));
            }
        }
        for (ids, on) in [(&self.activate, true), (&self.deactivate, false)] {
            for id in ids {
                let a = agreement_index(s, id)
                    .with_context(|| format!("in {}", self.file.display()))?;
                opts.active[a] = on;
            }
        }
        Ok(opts)
    }
}

/// Resolve an agreement id, with a suggestion when it is unknown.
pub fn agreement_index(s: &Scenario, id: &str) -> anyhow::Result<usize> {
    s.agreement_index(id).ok_or_else(|| {
        let known: Vec<&str> = s.agreements.iter().map(|a| a.id.as_str()).collect();
        let hint =
            closest(id, &known).map_or(String::new(), |k| format!(" (did you mean \"{k}\"?)"));
        with_exit(format!(
            "agreement \"{}\" is unknown{hint}; agreements in the file: {}",
            cut(id),
            if known.is_empty() {
                "none".into()
            } else {
                known.join(", ")
            }
        ))
    })
}

/// Resolve a country id, with a suggestion when it is unknown.
pub fn country_index(s: &Scenario, id: &str) -> anyhow::Result<usize> {
    s.country_index(id).ok_or_else(|| {
        let known: Vec<&str> = s.countries.iter().map(|a| a.id.as_str()).collect();
        let hint =
            closest(id, &known).map_or(String::new(), |k| format!(" (did you mean \"{k}\"?)"));
        with_exit(format!("country \"{}\" is unknown{hint}", cut(id)))
    })
}

/// Resolve a layer id, with a suggestion when it is unknown.
pub fn layer_index(s: &Scenario, id: &str) -> anyhow::Result<usize> {
    s.layer_index(id).ok_or_else(|| {
        let known: Vec<&str> = s.layers.iter().map(|a| a.id.as_str()).collect();
        let hint =
            closest(id, &known).map_or(String::new(), |k| format!(" (did you mean \"{k}\"?)"));
        with_exit(format!("layer \"{}\" is unknown{hint}", cut(id)))
    })
}

/// A bad-input error with exit code 2.
pub fn bad_input(message: impl Into<String>) -> anyhow::Error {
    with_exit(message.into())
}

/// A value cut for a message (at most 100 bytes).
fn cut(s: &str) -> String {
    if s.len() <= 100 {
        return s.to_string();
    }
    let mut end = 100;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}... ({} bytes)", &s[..end], s.len())
}

/// Closest known name by edit distance, if close enough to be a plausible typo.
pub fn closest<'a>(word: &str, known: &[&'a str]) -> Option<&'a str> {
    // Bounded cost on hostile input: no suggestion for an implausibly long name.
    if word.len() > 64 {
        return None;
    }
    known
        .iter()
        .map(|k| (levenshtein(word, k), *k))
        .filter(|(d, k)| *d <= (k.len().max(word.len()) / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// A risk weight ω in [0, 1] (MODEL.md 10), for `solve` and `report --risk-weights`.
pub fn parse_risk_weight(text: &str) -> Result<f64, String> {
    let v: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("expected a number in [0, 1], got \"{}\"", text.trim()))?;
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("a risk weight must lie in [0, 1], got {v}"))
    }
}
