//! `aistack sweep SWEEP.toml`: run a command over many variants of a scenario and summarise how
//! its metrics move (decisions.md, "Sweeps").
//!
//! A sweep file names the base scenario and its fixed overrides, the parameters (override paths)
//! with their values or ranges, the design (grid, list, or Saltelli sampling by Sobol / Latin
//! hypercube / Monte Carlo), the command run at each point and the metrics read from its JSON
//! output. The points are a pure function of the file, so a re-run, a shard (`--shard K/N`) or a
//! Slurm array task computes exactly the same points; results are appended one line per point
//! to a JSON-lines file, which is what makes a sweep resumable and shards mergeable.

pub mod fingerprint;
pub mod metrics;
pub mod sensitivity;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::analysis::{coalitions, compare, margins};
use crate::formulation::BuildOptions;
use crate::results::{self, Report, SolveConfig};
use crate::scenario::overrides::{Document, OverrideError, OverridePath, Overrides};
use crate::scenario::{did_you_mean, Scenario};
use metrics::Metric;
use sensitivity::{Effect, Sampler, SobolIndex};

#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// The sweep file (or a file it names) is unreadable or invalid.
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
    #[error(transparent)]
    Scenario(#[from] OverrideError),
    #[error("{file}: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    /// Merging found missing or inconsistent points.
    #[error("{0}")]
    Incomplete(String),
}

/// The command run at each point.
#[derive(Debug, Clone, PartialEq)]
pub enum SweepCommand {
    Solve,
    Compare {
        agreement: String,
    },
    Coalitions {
        agreement: String,
    },
    /// `margins --entry`: entry/exit values of every capability.
    Entry,
    /// The cost of sovereignty as the report defines it: the scenario with every agreement
    /// active ("coordinated") against every agreement off ("sovereign"), same floors. Output
    /// shaped like `compare`'s: `w_with`, `w_without`, `w_gain`, `countries[].gain`.
    Coordination,
}

/// A parameter value: a number, or a TOML value as text (`true`, `"x"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Level {
    Num(f64),
    Text(String),
}

impl Level {
    fn text(&self) -> String {
        match self {
            Level::Num(x) => format!("{x}"),
            Level::Text(t) => t.clone(),
        }
    }
}

/// A swept parameter.
#[derive(Debug, Clone)]
pub struct Parameter {
    pub name: String,
    pub path: OverridePath,
    /// Explicit values (grid and list designs; or a range cut into `steps`).
    pub levels: Vec<Level>,
    /// Range sampled by lhs / sobol / montecarlo.
    pub range: Option<(f64, f64)>,
    /// The value of the other parameters in one-at-a-time runs.
    pub base: Level,
    /// Low and high values of the one-at-a-time runs.
    pub low: Level,
    pub high: Level,
    /// Further paths set to the same value (`with = [...]`).
    pub with: Vec<OverridePath>,
    /// The value multiplies the numbers at the paths instead of replacing them.
    pub scale: bool,
}

impl Parameter {
    /// The number used for sensitivity: the value, or a text value's position in `levels`.
    fn code(&self, l: &Level) -> f64 {
        match l {
            Level::Num(x) => *x,
            Level::Text(_) => self.levels.iter().position(|v| v == l).unwrap_or(0) as f64,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Design {
    Grid,
    List,
    Sampled(Sampler),
}

/// A parsed sweep file.
#[derive(Debug, Clone)]
pub struct Sweep {
    pub file: PathBuf,
    pub scenario: PathBuf,
    pub overrides: Overrides,
    pub command: SweepCommand,
    pub metrics: Vec<Metric>,
    pub parameters: Vec<Parameter>,
    pub design: Design,
    pub samples: usize,
    pub seed: u64,
    pub relax: bool,
    /// Directory of results.csv, summary.json and the points files.
    pub output: PathBuf,
    /// Hash of the sweep file and every file it reads: results made by another sweep are never
    /// mixed in.
    pub fingerprint: String,
}

/// One point of the design.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub id: usize,
    /// `grid`, `list`, `A`, `B`, `AB<i>` (Saltelli), `base`, `low<i>`, `high<i>` (tornado).
    pub role: String,
    pub values: Vec<Level>,
}

/// One computed point, one line of a points file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointResult {
    pub point: usize,
    pub role: String,
    pub values: Vec<Level>,
    /// `optimal`, or why the point has no metrics (infeasible, invalid scenario...).
    pub status: String,
    pub metrics: Vec<Option<f64>>,
    pub seconds: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSweep {
    scenario: PathBuf,
    #[serde(default)]
    command: Option<String>,
    #[serde(default)]
    agreement: Option<String>,
    #[serde(default)]
    variant: Option<String>,
    #[serde(default)]
    overlay: Vec<PathBuf>,
    #[serde(default)]
    set: Vec<String>,
    metrics: Vec<String>,
    #[serde(default)]
    design: Option<String>,
    #[serde(default)]
    samples: Option<usize>,
    #[serde(default)]
    seed: Option<u64>,
    #[serde(default)]
    relax: bool,
    #[serde(default)]
    output: Option<PathBuf>,
    #[serde(default)]
    parameter: Vec<RawParameter>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParameter {
    path: String,
    #[serde(default)]
    values: Option<Vec<toml::Value>>,
    #[serde(default)]
    range: Option<[f64; 2]>,
    #[serde(default)]
    steps: Option<usize>,
    #[serde(default)]
    base: Option<toml::Value>,
    #[serde(default)]
    with: Vec<String>,
    #[serde(default)]
    scale: bool,
    /// The parameter's name in tables and charts (default: its path).
    #[serde(default)]
    name: Option<String>,
}

fn level(v: &toml::Value) -> Result<Level, String> {
    match v {
        toml::Value::Integer(i) => Ok(Level::Num(*i as f64)),
        toml::Value::Float(f) => Ok(Level::Num(*f)),
        toml::Value::Boolean(b) => Ok(Level::Text(b.to_string())),
        toml::Value::String(s) => Ok(Level::Text(toml::Value::String(s.clone()).to_string())),
        other => Err(format!(
            "values must be numbers, booleans or strings, got {other}"
        )),
    }
}

impl Sweep {
    /// Read and check a sweep file: the scenario with its overrides must load, every parameter
    /// path must apply to it, every metric must parse.
    pub fn read(path: &Path) -> Result<Sweep, SweepError> {
        let file = path.display().to_string();
        let invalid = |message: String| SweepError::Invalid {
            file: file.clone(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|source| SweepError::Io {
            file: file.clone(),
            source,
        })?;
        let raw: RawSweep = toml::from_str(&text).map_err(|e| invalid(e.to_string()))?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let command = match (raw.command.as_deref().unwrap_or("solve"), raw.agreement) {
            ("solve", None) => SweepCommand::Solve,
            ("entry", None) => SweepCommand::Entry,
            ("coordination", None) => SweepCommand::Coordination,
            ("compare", Some(agreement)) => SweepCommand::Compare { agreement },
            ("coalitions", Some(agreement)) => SweepCommand::Coalitions { agreement },
            ("compare" | "coalitions", None) => {
                return Err(invalid(
                    "command compare/coalitions needs agreement = \"ID\"".into(),
                ))
            }
            ("solve" | "entry" | "coordination", Some(_)) => {
                return Err(invalid(
                    "agreement is only for compare and coalitions".into(),
                ))
            }
            (c, _) => {
                let known = ["solve", "compare", "coalitions", "entry", "coordination"];
                let hint = did_you_mean(c, known)
                    .map_or(String::new(), |k| format!(" (did you mean \"{k}\"?)"));
                return Err(invalid(format!(
                    "command \"{c}\" is unknown{hint}; expected solve, compare, coalitions, entry or coordination"
                )));
            }
        };
        let overrides = Overrides {
            variant: raw.variant,
            overlays: raw.overlay.iter().map(|p| dir.join(p)).collect(),
            sets: raw.set,
        };
        let scenario = dir.join(&raw.scenario);
        if raw.metrics.is_empty() {
            return Err(invalid("metrics is empty: name at least one".into()));
        }
        let metrics = raw
            .metrics
            .iter()
            .map(|m| Metric::parse(m, &command))
            .collect::<Result<Vec<_>, _>>()
            .map_err(invalid)?;
        let design = match raw.design.as_deref().unwrap_or("grid") {
            "grid" => Design::Grid,
            "list" => Design::List,
            "sobol" => Design::Sampled(Sampler::Sobol),
            "lhs" => Design::Sampled(Sampler::Lhs),
            "montecarlo" => Design::Sampled(Sampler::MonteCarlo),
            d => {
                return Err(invalid(format!(
                    "design \"{d}\" is unknown; expected grid, list, sobol, lhs or montecarlo"
                )))
            }
        };
        if raw.parameter.is_empty() {
            return Err(invalid(
                "no [[parameter]]: a sweep needs at least one".into(),
            ));
        }
        let mut parameters = Vec::new();
        for (i, p) in raw.parameter.iter().enumerate() {
            let at = |m: String| invalid(format!("parameter {} ({}): {m}", i + 1, p.path));
            let path = OverridePath::parse(&p.path).map_err(at)?;
            let range = p.range.map(|[a, b]| (a, b));
            if let Some((a, b)) = range {
                if !(a.is_finite() && b.is_finite() && a < b) {
                    return Err(at(format!(
                        "range must be [low, high] with low < high, got [{a}, {b}]"
                    )));
                }
            }
            let levels: Vec<Level> = match (&p.values, range, p.steps) {
                (Some(v), None, None) => {
                    v.iter().map(level).collect::<Result<_, _>>().map_err(at)?
                }
                (None, Some((a, b)), Some(n)) if n >= 2 => (0..n)
                    .map(|k| Level::Num(a + (b - a) * k as f64 / (n - 1) as f64))
                    .collect(),
                (None, Some(_), Some(n)) => {
                    return Err(at(format!("steps must be at least 2, got {n}")))
                }
                (None, Some(_), None) => Vec::new(),
                (Some(_), Some(_), _) => return Err(at("give values or range, not both".into())),
                (None, None, _) => {
                    return Err(at("give values = [...] or range = [low, high]".into()))
                }
                (Some(_), None, Some(_)) => {
                    return Err(at("steps goes with range, not values".into()))
                }
            };
            if levels.is_empty() && !matches!(design, Design::Sampled(_)) {
                return Err(at(format!(
                    "a {} design needs values = [...] or range with steps",
                    if design == Design::Grid {
                        "grid"
                    } else {
                        "list"
                    }
                )));
            }
            if matches!(design, Design::Sampled(_)) && range.is_none() {
                return Err(at("sampled designs need range = [low, high]".into()));
            }
            let nums: Vec<f64> = levels
                .iter()
                .filter_map(|l| match l {
                    Level::Num(x) => Some(*x),
                    _ => None,
                })
                .collect();
            let (low, high) = match range {
                Some((a, b)) => (Level::Num(a), Level::Num(b)),
                None if nums.len() == levels.len() => (
                    Level::Num(nums.iter().copied().fold(f64::INFINITY, f64::min)),
                    Level::Num(nums.iter().copied().fold(f64::NEG_INFINITY, f64::max)),
                ),
                None => (levels[0].clone(), levels[levels.len() - 1].clone()),
            };
            let base = match &p.base {
                Some(b) => level(b).map_err(at)?,
                None => match (range, levels.is_empty()) {
                    (Some((a, b)), true) => Level::Num((a + b) / 2.0),
                    _ => levels[(levels.len() - 1) / 2].clone(),
                },
            };
            let with = p
                .with
                .iter()
                .map(|w| OverridePath::parse(w))
                .collect::<Result<Vec<_>, _>>()
                .map_err(at)?;
            if p.scale
                && levels
                    .iter()
                    .chain([&base, &low, &high])
                    .any(|l| matches!(l, Level::Text(_)))
            {
                return Err(at("scale = true needs numbers (factors)".into()));
            }
            parameters.push(Parameter {
                name: p.name.clone().unwrap_or_else(|| p.path.clone()),
                path,
                levels,
                range,
                base,
                low,
                high,
                with,
                scale: p.scale,
            });
        }
        if design == Design::List {
            let n = parameters[0].levels.len();
            if let Some(p) = parameters.iter().find(|p| p.levels.len() != n) {
                return Err(invalid(format!(
                    "a list design needs the same number of values for every parameter: {} has {}, {} has {n}",
                    p.name,
                    p.levels.len(),
                    parameters[0].name
                )));
            }
        }
        let samples = raw.samples.unwrap_or(64);
        if matches!(design, Design::Sampled(_)) && samples < 2 {
            return Err(invalid(format!(
                "samples must be at least 2, got {samples}"
            )));
        }
        if design == Design::Sampled(Sampler::Sobol) && 2 * parameters.len() > 256 {
            return Err(invalid(
                "a Sobol design takes at most 128 parameters".into(),
            ));
        }
        let output = match raw.output {
            Some(o) => dir.join(o),
            None => dir.join(format!(
                "{}.out",
                path.file_stem().and_then(|s| s.to_str()).unwrap_or("sweep")
            )),
        };
        // Fingerprint: the sweep file and every file it reads, byte for byte.
        let mut files = vec![text.as_bytes().to_vec()];
        for f in std::iter::once(&scenario).chain(&overrides.overlays) {
            files.push(std::fs::read(f).map_err(|source| SweepError::Io {
                file: f.display().to_string(),
                source,
            })?);
        }
        let sweep = Sweep {
            file: path.to_path_buf(),
            scenario,
            overrides,
            command,
            metrics,
            parameters,
            design,
            samples,
            seed: raw.seed.unwrap_or(0),
            relax: raw.relax,
            output,
            fingerprint: fingerprint::fingerprint(files.iter().map(Vec::as_slice)),
        };
        sweep.check()?;
        Ok(sweep)
    }

    /// The base document with the fixed overrides; every parameter path must apply to it and
    /// every metric selector must name known ids.
    pub fn base_document(&self) -> Result<Document, SweepError> {
        let mut doc = Document::read(&self.scenario).map_err(OverrideError::from)?;
        doc.apply(&self.overrides)?;
        Ok(doc)
    }

    fn check(&self) -> Result<(), SweepError> {
        let doc = self.base_document()?;
        let s = doc.scenario()?;
        let file = self.file.display().to_string();
        for p in &self.parameters {
            let mut d = doc.clone();
            p.apply(&mut d, &p.base).map_err(|m| SweepError::Invalid {
                file: file.clone(),
                message: format!("parameter {}: {m}", p.name),
            })?;
        }
        if let SweepCommand::Compare { agreement } | SweepCommand::Coalitions { agreement } =
            &self.command
        {
            if s.agreement_index(agreement).is_none() {
                let known: Vec<&str> = s.agreements.iter().map(|a| a.id.as_str()).collect();
                let hint = did_you_mean(agreement, known.iter().copied())
                    .map_or(String::new(), |k| format!(" (did you mean \"{k}\"?)"));
                return Err(SweepError::Invalid {
                    file,
                    message: format!("agreement \"{agreement}\" is unknown{hint}"),
                });
            }
        }
        for m in &self.metrics {
            m.check_ids(&s).map_err(|message| SweepError::Invalid {
                file: file.clone(),
                message: format!("metric \"{}\": {message}", m.name),
            })?;
        }
        Ok(())
    }

    /// Every point of the design, in a fixed order: the design's points, then the
    /// one-at-a-time points (base, then low and high of each parameter) for the tornado.
    pub fn points(&self) -> Vec<Point> {
        let d = self.parameters.len();
        let mut out: Vec<(String, Vec<Level>)> = Vec::new();
        match self.design {
            Design::Grid => {
                let mut rows: Vec<Vec<Level>> = vec![Vec::new()];
                for p in &self.parameters {
                    rows = rows
                        .into_iter()
                        .flat_map(|r| {
                            p.levels.iter().map(move |l| {
                                let mut r = r.clone();
                                r.push(l.clone());
                                r
                            })
                        })
                        .collect();
                }
                out.extend(rows.into_iter().map(|r| ("grid".to_string(), r)));
            }
            Design::List => {
                for k in 0..self.parameters[0].levels.len() {
                    let r = self
                        .parameters
                        .iter()
                        .map(|p| p.levels[k].clone())
                        .collect();
                    out.push(("list".into(), r));
                }
            }
            Design::Sampled(sampler) => {
                let (a, b, ab) = sensitivity::saltelli_design(sampler, self.samples, d, self.seed);
                let scale = |u: &Vec<f64>| -> Vec<Level> {
                    u.iter()
                        .zip(&self.parameters)
                        .map(|(x, p)| {
                            let (lo, hi) = p.range.unwrap_or((0.0, 1.0));
                            Level::Num(lo + (hi - lo) * x)
                        })
                        .collect()
                };
                out.extend(a.iter().map(|u| ("A".to_string(), scale(u))));
                out.extend(b.iter().map(|u| ("B".to_string(), scale(u))));
                for (i, m) in ab.iter().enumerate() {
                    out.extend(m.iter().map(|u| (format!("AB{}", i + 1), scale(u))));
                }
            }
        }
        let base: Vec<Level> = self.parameters.iter().map(|p| p.base.clone()).collect();
        out.push(("base".into(), base.clone()));
        for (i, p) in self.parameters.iter().enumerate() {
            for (role, v) in [("low", &p.low), ("high", &p.high)] {
                let mut r = base.clone();
                r[i] = v.clone();
                out.push((format!("{role}{}", i + 1), r));
            }
        }
        out.into_iter()
            .enumerate()
            .map(|(id, (role, values))| Point { id, role, values })
            .collect()
    }

    /// Run the command at one point and read the metrics. A point whose scenario is invalid or
    /// has no optimum is a result too (status says why), not an error.
    pub fn run_point(
        &self,
        base: &Document,
        p: &Point,
        config: &SolveConfig,
    ) -> Result<PointResult, String> {
        let t0 = Instant::now();
        let mut doc = base.clone();
        for (par, v) in self.parameters.iter().zip(&p.values) {
            par.apply(&mut doc, v)
                .map_err(|m| format!("parameter {}: {m}", par.name))?;
        }
        let (status, out) = match doc.scenario() {
            Err(e) => (format!("invalid: {}", first_line(&e.to_string())), None),
            Ok(s) => match self.output_of(&s, config) {
                Ok(v) => ("optimal".to_string(), Some(v)),
                Err(e) => (first_line(&e), None),
            },
        };
        let metrics = match &out {
            Some(v) => self
                .metrics
                .iter()
                .map(|m| m.eval(v).map_err(|e| format!("metric \"{}\": {e}", m.name)))
                .collect::<Result<Vec<_>, _>>()?,
            None => vec![None; self.metrics.len()],
        };
        Ok(PointResult {
            point: p.id,
            role: p.role.clone(),
            values: p.values.clone(),
            status,
            metrics,
            seconds: t0.elapsed().as_secs_f64(),
        })
    }

    /// The command's JSON output at one scenario; `Err` names why there is none.
    fn output_of(&self, s: &Scenario, config: &SolveConfig) -> Result<serde_json::Value, String> {
        let mut opts = BuildOptions::from_file(s);
        opts.relax = self.relax;
        let json = |v: &dyn erased::Json| v.json();
        match &self.command {
            SweepCommand::Solve => {
                let o = results::solve(s, &opts, config).map_err(|e| e.to_string())?;
                if !o.is_optimal() {
                    return Err(o.status.to_string());
                }
                let mut r = Report::new(s, &o);
                // Once per quantity: `.min` and `.max` of one quantity read the same entry.
                let mut ranges: Vec<_> = Vec::new();
                for q in self.metrics.iter().filter_map(|m| m.range.clone()) {
                    if !ranges.contains(&q) {
                        ranges.push(q);
                    }
                }
                if !ranges.is_empty() {
                    r.quantity_ranges =
                        results::quantity_range::quantity_ranges(s, config, &o, &ranges)
                            .map_err(|e| e.to_string())?;
                }
                Ok(json(&r))
            }
            SweepCommand::Entry => {
                let o = results::solve(s, &opts, config).map_err(|e| e.to_string())?;
                if !o.is_optimal() {
                    return Err(o.status.to_string());
                }
                let entry =
                    margins::entry_values(s, &opts, config, &o).map_err(|e| e.to_string())?;
                Ok(serde_json::json!({ "objective": o.objective(), "entry": entry }))
            }
            SweepCommand::Coordination => {
                let c = coordination(s, &opts, config)?;
                Ok(json(&c))
            }
            SweepCommand::Compare { agreement } | SweepCommand::Coalitions { agreement } => {
                let a = s.agreement_index(agreement).ok_or("unknown agreement")?;
                let base =
                    compare::baseline_options(s, a, &[], self.relax).map_err(|e| e.to_string())?;
                if matches!(self.command, SweepCommand::Compare { .. }) {
                    let c = compare::compare(s, a, &base, config).map_err(|e| e.to_string())?;
                    Ok(json(&c))
                } else {
                    let settings = coalitions::CoalitionSettings {
                        samples: None,
                        seed: self.seed,
                        max_exact: coalitions::DEFAULT_MAX_EXACT,
                        ..Default::default()
                    };
                    let g = coalitions::coalitions(s, a, &base, config, &settings, &|_, _| {})
                        .map_err(|e| e.to_string())?;
                    Ok(json(&g))
                }
            }
        }
    }

    /// The points file of this run: `points.jsonl`, or `shards/K-of-N.jsonl` for a shard.
    pub fn points_file(&self, shard: Option<(usize, usize)>) -> PathBuf {
        match shard {
            None => self.output.join("points.jsonl"),
            Some((k, n)) => self.output.join("shards").join(format!("{k}-of-{n}.jsonl")),
        }
    }
}

mod erased {
    /// Serialize anything to a JSON value (keeps `output_of` short).
    pub trait Json {
        fn json(&self) -> serde_json::Value;
    }
    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> serde_json::Value {
            serde_json::to_value(self).unwrap_or_default()
        }
    }
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").to_string()
}

impl Parameter {
    /// Set (or scale by) this parameter's value at its path and its `with` paths.
    pub fn apply(&self, doc: &mut Document, v: &Level) -> Result<usize, String> {
        let mut n = 0;
        for path in std::iter::once(&self.path).chain(&self.with) {
            n += match (self.scale, v) {
                (true, Level::Num(f)) => doc.scale_number(path, *f)?,
                (true, Level::Text(t)) => return Err(format!("cannot scale by \"{t}\"")),
                (false, _) => doc.set_value_level(path, v)?,
            };
        }
        Ok(n)
    }
}

/// W and welfare by country with every agreement active against every agreement off.
#[derive(Debug, Clone, Serialize)]
pub struct Coordination {
    /// W(coordinated).
    pub w_with: f64,
    /// W(sovereign).
    pub w_without: f64,
    /// W(coordinated) - W(sovereign): the cost of sovereignty.
    pub w_gain: f64,
    pub countries: Vec<CoordinationCountry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CoordinationCountry {
    pub country: String,
    pub with: f64,
    pub without: f64,
    pub gain: f64,
}

/// The cost of sovereignty of a scenario (the report's definition): every agreement on
/// against every agreement off, the rest of the scenario unchanged.
pub fn coordination(
    s: &Scenario,
    opts: &BuildOptions,
    config: &SolveConfig,
) -> Result<Coordination, String> {
    let case = |on: bool| -> Result<(f64, Vec<f64>), String> {
        let mut o = opts.clone();
        o.active = vec![on; s.agreements.len()];
        let out = results::solve(s, &o, config).map_err(|e| e.to_string())?;
        if !out.is_optimal() {
            let which = if on { "coordinated" } else { "sovereign" };
            return Err(format!("{which}: {}", out.status));
        }
        let w: Vec<f64> = compare::welfare_of(s, &out)
            .iter()
            .map(|w| w.total)
            .collect();
        Ok((out.objective().unwrap_or(f64::NAN), w))
    };
    let (w_with, with) = case(true)?;
    let (w_without, without) = case(false)?;
    Ok(Coordination {
        w_with,
        w_without,
        w_gain: w_with - w_without,
        countries: s
            .countries
            .iter()
            .zip(with.iter().zip(&without))
            .map(|(c, (a, b))| CoordinationCountry {
                country: c.id.clone(),
                with: *a,
                without: *b,
                gain: a - b,
            })
            .collect(),
    })
}

impl Document {
    /// Set a parameter value (number or TOML text) at a path; not recorded as an override.
    pub fn set_value_level(&mut self, path: &OverridePath, v: &Level) -> Result<usize, String> {
        match v {
            Level::Num(x) => self.set_number(path, *x),
            Level::Text(t) => self.set_text(path, t),
        }
    }
}

impl Metric {
    /// Selector parts that are not `*`, `field=value` or a period number must be a country,
    /// layer or agreement id (catches typos that would otherwise read as "no entry").
    fn check_ids(&self, s: &Scenario) -> Result<(), String> {
        let mut known: Vec<&str> = s.countries.iter().map(|c| c.id.as_str()).collect();
        known.extend(s.layers.iter().map(|l| l.id.as_str()));
        known.extend(s.agreements.iter().map(|a| a.id.as_str()));
        for part in self.selector_parts() {
            if part == "*" || part.contains('=') || part.parse::<usize>().is_ok() {
                continue;
            }
            if !known.contains(&part) {
                let hint = did_you_mean(part, known.iter().copied())
                    .map_or(String::new(), |k| format!(" (did you mean \"{k}\"?)"));
                return Err(format!(
                    "\"{part}\" is not a country, layer or agreement id{hint}"
                ));
            }
        }
        Ok(())
    }
}

/// The header line of a points file.
#[derive(Debug, Serialize, Deserialize)]
struct Header {
    sweep: String,
    points: usize,
    metrics: Vec<String>,
}

/// Read a points file: results by point id. A last line cut by a kill is dropped (and cut from
/// the file, so appending goes on after the last whole line).
fn read_points(
    path: &Path,
    fingerprint: &str,
    truncate: bool,
) -> Result<BTreeMap<usize, PointResult>, SweepError> {
    let mut out = BTreeMap::new();
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(out);
    };
    let file = path.display().to_string();
    let whole = text.rfind('\n').map_or(0, |i| i + 1);
    if whole < text.len() && truncate {
        let f = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(|source| SweepError::Io {
                file: file.clone(),
                source,
            })?;
        f.set_len(whole as u64).map_err(|source| SweepError::Io {
            file: file.clone(),
            source,
        })?;
    }
    let mut lines = text[..whole].lines();
    if let Some(h) = lines.next() {
        let h: Header = serde_json::from_str(h).map_err(|e| SweepError::Invalid {
            file: file.clone(),
            message: format!("not a points file ({e})"),
        })?;
        if h.sweep != fingerprint {
            return Err(SweepError::Invalid {
                file,
                message: "holds the results of a different sweep (the sweep file or a file it \
                          reads changed); remove it or run with --fresh"
                    .into(),
            });
        }
    }
    for line in lines {
        if let Ok(r) = serde_json::from_str::<PointResult>(line) {
            out.insert(r.point, r);
        }
    }
    Ok(out)
}

/// Progress callback: (points done in this run, points to do in this run).
pub type Progress<'a> = &'a (dyn Fn(usize, usize) + Sync);

/// What a run did.
#[derive(Debug, Clone)]
pub struct RunStats {
    pub total: usize,
    pub skipped: usize,
    pub computed: usize,
    pub seconds: f64,
}

impl Sweep {
    /// Compute the points of this run (all, or shard K of N, 1-based) that its points file does
    /// not hold yet, appending each result as soon as it is known. `stop_after` computes at most
    /// that many (tests of resuming).
    pub fn run(
        &self,
        shard: Option<(usize, usize)>,
        config: &SolveConfig,
        fresh: bool,
        stop_after: Option<usize>,
        progress: Progress,
    ) -> Result<RunStats, SweepError> {
        let t0 = Instant::now();
        let path = self.points_file(shard);
        let io = |source| SweepError::Io {
            file: path.display().to_string(),
            source,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        if fresh {
            let _ = std::fs::remove_file(&path);
        }
        let done = read_points(&path, &self.fingerprint, true)?;
        let all = self.points();
        let mine: Vec<&Point> = all
            .iter()
            .filter(|p| shard.is_none_or(|(k, n)| p.id % n == k - 1))
            .collect();
        let mut todo: Vec<&Point> = mine
            .iter()
            .copied()
            .filter(|p| !done.contains_key(&p.id))
            .collect();
        let skipped = mine.len() - todo.len();
        if let Some(n) = stop_after {
            todo.truncate(n);
        }
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(io)?;
        if f.metadata().map_err(io)?.len() == 0 {
            let h = Header {
                sweep: self.fingerprint.clone(),
                points: all.len(),
                metrics: self.metrics.iter().map(|m| m.name.clone()).collect(),
            };
            writeln!(f, "{}", serde_json::to_string(&h).unwrap_or_default()).map_err(io)?;
        }
        let base = self.base_document()?;
        let writer = Mutex::new(f);
        let count = std::sync::atomic::AtomicUsize::new(0);
        let total = todo.len();
        progress(0, total);
        todo.par_iter()
            .map(|p| -> Result<(), SweepError> {
                let r = self
                    .run_point(&base, p, config)
                    .map_err(|m| SweepError::Invalid {
                        file: self.file.display().to_string(),
                        message: m,
                    })?;
                // One write of a whole line: a kill leaves at most a cut last line.
                let line = format!("{}\n", serde_json::to_string(&r).unwrap_or_default());
                if let Ok(mut w) = writer.lock() {
                    w.write_all(line.as_bytes()).map_err(io)?;
                }
                let c = count.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
                progress(c, total);
                Ok(())
            })
            .collect::<Result<Vec<()>, _>>()?;
        Ok(RunStats {
            total: mine.len(),
            skipped,
            computed: total,
            seconds: t0.elapsed().as_secs_f64(),
        })
    }

    /// Every point's result, from the local points file and all shard files; `Err` if a point
    /// is missing.
    pub fn collect(&self) -> Result<Vec<PointResult>, SweepError> {
        let mut all = read_points(&self.points_file(None), &self.fingerprint, false)?;
        if let Ok(rd) = std::fs::read_dir(self.output.join("shards")) {
            let mut files: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
            files.sort();
            for f in files
                .iter()
                .filter(|f| f.extension().is_some_and(|e| e == "jsonl"))
            {
                all.extend(read_points(f, &self.fingerprint, false)?);
            }
        }
        let points = self.points();
        let missing: Vec<usize> = points
            .iter()
            .map(|p| p.id)
            .filter(|i| !all.contains_key(i))
            .collect();
        if !missing.is_empty() {
            return Err(SweepError::Incomplete(format!(
                "{}: {} of {} points have no result yet (first: {}); run the sweep (or the missing shards) again",
                self.output.display(),
                missing.len(),
                points.len(),
                missing[0]
            )));
        }
        Ok(points
            .iter()
            .map(|p| all.remove(&p.id).expect("checked"))
            .collect())
    }

    /// The tidy long table: one row per point and metric, with the parameter values. The last
    /// column, `seconds`, is the only one that differs between runs.
    pub fn write_csv(&self, results: &[PointResult]) -> Result<PathBuf, SweepError> {
        let path = self.output.join("results.csv");
        let io = |e: csv::Error| SweepError::Invalid {
            file: path.display().to_string(),
            message: e.to_string(),
        };
        let mut w = csv::Writer::from_path(&path).map_err(io)?;
        let mut head = vec!["point".to_string(), "role".to_string()];
        head.extend(self.parameters.iter().map(|p| p.name.clone()));
        head.extend(["metric", "value", "status", "seconds"].map(String::from));
        w.write_record(&head).map_err(io)?;
        for r in results {
            for (m, v) in self.metrics.iter().zip(&r.metrics) {
                let mut row = vec![r.point.to_string(), r.role.clone()];
                row.extend(r.values.iter().map(Level::text));
                row.push(m.name.clone());
                row.push(v.map_or(String::new(), |x| format!("{x}")));
                row.push(r.status.clone());
                row.push(format!("{:.6}", r.seconds));
                w.write_record(&row).map_err(io)?;
            }
        }
        w.flush().map_err(|e| io(e.into()))?;
        Ok(path)
    }

    /// Range, tornado, global sensitivity and sign change of every metric.
    pub fn summarise(&self, results: &[PointResult]) -> Summary {
        let d = self.parameters.len();
        let names: Vec<String> = self.parameters.iter().map(|p| p.name.clone()).collect();
        let role = |r: &str| results.iter().find(|x| x.role == r);
        let metrics = self
            .metrics
            .iter()
            .enumerate()
            .map(|(m, metric)| {
                let vals: Vec<f64> = results.iter().filter_map(|r| r.metrics[m]).collect();
                let failed = results.len() - vals.len();
                let lows: Vec<f64> = self.parameters.iter().map(|p| p.code(&p.low)).collect();
                let highs: Vec<f64> = self.parameters.iter().map(|p| p.code(&p.high)).collect();
                let y = |r: String| role(&r).and_then(|x| x.metrics[m]);
                let y_low: Vec<Option<f64>> = (1..=d).map(|i| y(format!("low{i}"))).collect();
                let y_high: Vec<Option<f64>> = (1..=d).map(|i| y(format!("high{i}"))).collect();
                let tornado = sensitivity::tornado(&names, &lows, &highs, &y_low, &y_high);
                let (method, indices) = self.global(results, m);
                let scale = vals.iter().fold(0.0f64, |a, v| a.max(v.abs()));
                MetricSummary {
                    metric: metric.name.clone(),
                    points: results.len(),
                    failed,
                    min: vals.iter().copied().reduce(f64::min),
                    max: vals.iter().copied().reduce(f64::max),
                    mean: (!vals.is_empty()).then(|| vals.iter().sum::<f64>() / vals.len() as f64),
                    base: y("base".into()),
                    sign_change: sensitivity::changes_sign(&vals, 1e-9 * scale.max(1.0)),
                    tornado,
                    sensitivity_method: method,
                    sensitivity: indices.map(|ix| {
                        names
                            .iter()
                            .zip(ix)
                            .map(|(n, i)| Sensitivity {
                                parameter: n.clone(),
                                first: finite(i.first),
                                total: finite(i.total),
                            })
                            .collect()
                    }),
                }
            })
            .collect();
        Summary {
            sweep: self.file.display().to_string(),
            scenario: self.scenario.display().to_string(),
            design: self.design,
            points: results.len(),
            parameters: names,
            metrics,
        }
    }

    /// Global indices: exact decomposition on a grid, Saltelli/Jansen on a sampled design;
    /// none for a list or when a point failed.
    fn global(
        &self,
        results: &[PointResult],
        m: usize,
    ) -> (Option<String>, Option<Vec<SobolIndex>>) {
        let of = |role: &str| -> Option<Vec<f64>> {
            results
                .iter()
                .filter(|r| r.role == role)
                .map(|r| r.metrics[m])
                .collect()
        };
        match self.design {
            Design::Grid => {
                let levels: Vec<usize> = self.parameters.iter().map(|p| p.levels.len()).collect();
                match of("grid") {
                    Some(y) => (
                        Some("grid variance decomposition".into()),
                        Some(sensitivity::grid_indices(&levels, &y)),
                    ),
                    None => (None, None),
                }
            }
            Design::List => (None, None),
            Design::Sampled(_) => {
                let (Some(fa), Some(fb)) = (of("A"), of("B")) else {
                    return (None, None);
                };
                let fab: Option<Vec<Vec<f64>>> = (1..=self.parameters.len())
                    .map(|i| of(&format!("AB{i}")))
                    .collect();
                match fab {
                    Some(fab) => (
                        Some("Sobol (Saltelli 2010 first order, Jansen total)".into()),
                        Some(sensitivity::saltelli_indices(&fa, &fb, &fab)),
                    ),
                    None => (None, None),
                }
            }
        }
    }

    /// Write results.csv and summary.json from every point's result.
    pub fn finish(&self) -> Result<Summary, SweepError> {
        let results = self.collect()?;
        self.write_csv(&results)?;
        let summary = self.summarise(&results);
        let path = self.output.join("summary.json");
        std::fs::write(&path, crate::report::to_json(&summary)).map_err(|source| {
            SweepError::Io {
                file: path.display().to_string(),
                source,
            }
        })?;
        Ok(summary)
    }
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

#[derive(Debug, Clone, Serialize)]
pub struct Sensitivity {
    pub parameter: String,
    pub first: Option<f64>,
    pub total: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MetricSummary {
    pub metric: String,
    pub points: usize,
    /// Points without a value (infeasible, invalid...).
    pub failed: usize,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub mean: Option<f64>,
    /// At every parameter's base value.
    pub base: Option<f64>,
    /// The metric is positive at some point and negative at another: a finding that can
    /// change sign.
    pub sign_change: bool,
    pub tornado: Vec<Effect>,
    pub sensitivity_method: Option<String>,
    pub sensitivity: Option<Vec<Sensitivity>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub sweep: String,
    pub scenario: String,
    pub design: Design,
    pub points: usize,
    pub parameters: Vec<String>,
    pub metrics: Vec<MetricSummary>,
}
