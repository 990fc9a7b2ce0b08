//! `aistack._native`: the Python binding of the aistack library (pyo3).
//!
//! A thin layer: every entry point calls the same library functions as the command line and
//! returns the library's result structs serialised with serde_json (the JSON the CLI prints
//! with `--format json`). The pure-Python package `aistack` turns them into pandas DataFrames.
//! Solves run on a worker thread with the GIL released; the calling thread waits in short
//! slices and checks for signals, so Ctrl-C interrupts a notebook cell (the worker finishes in
//! the background and its result is dropped).

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use pyo3::create_exception;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use serde::Serialize;

use aistack::analysis::coalitions::{self, CoalitionSettings, GameValue};
use aistack::analysis::compare::{self, AnalysisError as LibAnalysisError};
use aistack::analysis::infeasibility::{self, Diagnosis};
use aistack::analysis::margins::{self, EntryValue, MarginTables, PriceCheck, ShockResult};
use aistack::analysis::value_added::{self, ValueAdded};
use aistack::backend::{Settings, Status};
use aistack::formulation::BuildOptions;
use aistack::report::html::{self, PageOptions};
use aistack::results::quantity_range::{self, QuantitySelector};
use aistack::results::{self, PriceChoice, Report, SolveConfig};
use aistack::scenario::overrides::{Applied, Document, OverrideError, Overrides};
use aistack::scenario::{
    CountryId, Format, LayerId, Problem, Scenario, ScenarioError as LibScenarioError,
};
use aistack::sweep::Sweep;

create_exception!(
    aistack,
    ScenarioError,
    PyValueError,
    "An invalid scenario: every problem found, with the messages of `aistack validate`."
);
create_exception!(
    aistack,
    AnalysisError,
    PyRuntimeError,
    "An analysis could not be completed: a configuration without an optimal solution, or a solver failure."
);
create_exception!(
    aistack,
    SolverError,
    PyRuntimeError,
    "The solver backend failed."
);

/// Largest accepted time limit, in seconds (30 days), as at the command line.
const MAX_TIME_LIMIT: f64 = 2_592_000.0;

fn problem_dicts<'py>(py: Python<'py>, problems: &[Problem]) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    for p in problems {
        let d = PyDict::new(py);
        d.set_item("entity", &p.entity)?;
        d.set_item("field", &p.field)?;
        d.set_item("message", &p.message)?;
        list.append(d)?;
    }
    Ok(list)
}

/// A `ScenarioError` carrying the message the CLI prints after `error: ` and every problem.
fn scenario_error(message: String, problems: &[Problem]) -> PyErr {
    Python::with_gil(|py| {
        let err = ScenarioError::new_err(message);
        let value = err.value(py);
        let lines: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        let _ = value.setattr("problems", lines);
        if let Ok(d) = problem_dicts(py, problems) {
            let _ = value.setattr("details", d);
        }
        err
    })
}

fn override_error(e: OverrideError) -> PyErr {
    let problems: Vec<Problem> = match &e {
        OverrideError::Scenario(s) | OverrideError::Invalid { source: s, .. } => {
            s.problems().to_vec()
        }
        _ => Vec::new(),
    };
    scenario_error(e.to_string(), &problems)
}

fn scenario_error_of(e: LibScenarioError) -> PyErr {
    let problems = e.problems().to_vec();
    scenario_error(e.to_string(), &problems)
}

fn analysis_error(e: LibAnalysisError) -> PyErr {
    if e.is_bad_input() {
        return PyValueError::new_err(e.to_string());
    }
    let status = match &e {
        LibAnalysisError::NoSolution { status, .. } => status.to_string(),
        LibAnalysisError::Game(_) => "bad_input".to_string(),
        _ => "error".to_string(),
    };
    if status == "bad_input" {
        return PyValueError::new_err(e.to_string());
    }
    Python::with_gil(|py| {
        let err = AnalysisError::new_err(e.to_string());
        let _ = err.value(py).setattr("status", status);
        err
    })
}

/// A solve's failure: a quantity that matches nothing (bad input) or the solver's.
enum QuantityOrSolve {
    Quantity(String),
    Solve(String),
}

impl From<String> for QuantityOrSolve {
    fn from(m: String) -> Self {
        QuantityOrSolve::Solve(m)
    }
}

fn solver_error(e: impl std::fmt::Display) -> PyErr {
    SolverError::new_err(e.to_string())
}

fn json<T: Serialize>(value: &T) -> PyResult<String> {
    serde_json::to_string_pretty(value).map_err(|e| PyRuntimeError::new_err(e.to_string()))
}

/// Run `f` on a worker thread with the GIL released, checking for signals (Ctrl-C) every
/// 50 ms while it runs.
fn run_detached<T, F>(py: Python<'_>, f: F) -> PyResult<T>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("aistack-solve".into())
        .spawn(move || {
            let _ = tx.send(f());
        })
        .map_err(|e| PyRuntimeError::new_err(format!("cannot start a solver thread: {e}")))?;
    let mut rx = rx;
    loop {
        // The receiver moves in and out of the closure (it is Send, not Sync).
        let (got, back) = py.allow_threads(move || {
            let got = rx.recv_timeout(Duration::from_millis(50));
            (got, rx)
        });
        rx = back;
        match got {
            Ok(v) => return Ok(v),
            Err(mpsc::RecvTimeoutError::Timeout) => py.check_signals()?,
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(PyRuntimeError::new_err(
                    "the solver thread stopped without a result (a panic; see stderr)",
                ))
            }
        }
    }
}

/// Solver settings from keyword arguments, checked as the CLI checks its flags. The time limit
/// is one wall-clock budget for the whole call, counted from now.
fn solve_config(
    solver: &str,
    time_limit: Option<f64>,
    mip_gap: f64,
    threads: Option<usize>,
    prices: &str,
) -> PyResult<SolveConfig> {
    if !(mip_gap.is_finite() && mip_gap >= 0.0) {
        return Err(PyValueError::new_err(format!(
            "mip_gap must be a finite number >= 0, got {mip_gap}"
        )));
    }
    if let Some(t) = time_limit {
        if !(t.is_finite() && t > 0.0) {
            return Err(PyValueError::new_err(format!(
                "time_limit must be a positive number of seconds, got {t}"
            )));
        }
        if t > MAX_TIME_LIMIT {
            return Err(PyValueError::new_err(format!(
                "time_limit must be at most {MAX_TIME_LIMIT} seconds (30 days), got {t}"
            )));
        }
    }
    if threads == Some(0) {
        return Err(PyValueError::new_err("threads must be at least 1"));
    }
    let prices = match prices {
        "canonical" => PriceChoice::Canonical,
        "any" => PriceChoice::Any,
        other => {
            return Err(PyValueError::new_err(format!(
                "prices must be \"canonical\" or \"any\", got \"{other}\""
            )))
        }
    };
    let config = SolveConfig {
        backend: solver.to_string(),
        settings: Settings {
            mip_gap,
            time_limit,
            threads,
            deadline: time_limit.map(|t| Instant::now() + Duration::from_secs_f64(t)),
            ..Settings::default()
        },
        prices,
    };
    config
        .backend()
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok(config)
}

fn closest<'a>(word: &str, known: &[&'a str]) -> Option<&'a str> {
    fn lev(a: &str, b: &str) -> usize {
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
    if word.len() > 64 {
        return None;
    }
    known
        .iter()
        .map(|k| (lev(word, k), *k))
        .filter(|(d, k)| *d <= (k.len().max(word.len()) / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn unknown(kind: &str, id: &str, known: &[&str], list: bool) -> PyErr {
    let hint = closest(id, known).map_or(String::new(), |k| format!(" (did you mean \"{k}\"?)"));
    let listing = if list {
        format!(
            "; {kind}s in the scenario: {}",
            if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            }
        )
    } else {
        String::new()
    };
    PyValueError::new_err(format!("{kind} \"{id}\" is unknown{hint}{listing}"))
}

fn agreement_index(s: &Scenario, id: &str) -> PyResult<usize> {
    s.agreement_index(id).ok_or_else(|| {
        let known: Vec<&str> = s.agreements.iter().map(|a| a.id.as_str()).collect();
        unknown("agreement", id, &known, true)
    })
}

fn country_index(s: &Scenario, id: &str) -> PyResult<CountryId> {
    s.country_index(id).ok_or_else(|| {
        let known: Vec<&str> = s.countries.iter().map(|a| a.id.as_str()).collect();
        unknown("country", id, &known, false)
    })
}

fn layer_index(s: &Scenario, id: &str) -> PyResult<LayerId> {
    s.layer_index(id).ok_or_else(|| {
        let known: Vec<&str> = s.layers.iter().map(|a| a.id.as_str()).collect();
        unknown("layer", id, &known, false)
    })
}

/// Build options: the file's flags, then `activate` / `deactivate`.
fn build_options(
    s: &Scenario,
    activate: &[String],
    deactivate: &[String],
    relax: bool,
) -> PyResult<BuildOptions> {
    let mut opts = BuildOptions::from_file(s);
    opts.relax = relax;
    for id in activate {
        if deactivate.contains(id) {
            return Err(PyValueError::new_err(format!(
                "agreement \"{id}\" is both activated and deactivated"
            )));
        }
    }
    for (ids, on) in [(activate, true), (deactivate, false)] {
        for id in ids {
            let a = agreement_index(s, id)?;
            opts.active[a] = on;
        }
    }
    Ok(opts)
}

/// `value` as JSON with the applied overrides under `overrides` when there are some: the
/// CLI's `--format json` output for the same file and `--set` flags.
fn with_overrides_json<T: Serialize>(value: &T, applied: &[Applied]) -> PyResult<String> {
    #[derive(Serialize)]
    struct WithOverrides<'a, T> {
        #[serde(flatten)]
        inner: &'a T,
        overrides: &'a [Applied],
    }
    if applied.is_empty() {
        json(value)
    } else {
        json(&WithOverrides {
            inner: value,
            overrides: applied,
        })
    }
}

/// A validated scenario and the document it was read from (for overrides).
#[pyclass(module = "aistack._native", frozen)]
struct NativeScenario {
    doc: Document,
    scenario: Arc<Scenario>,
    file: String,
}

#[derive(Serialize)]
struct AgreementInfo<'a> {
    id: &'a str,
    name: &'a str,
    members: Vec<&'a str>,
    active: bool,
    clauses: Vec<String>,
}

#[derive(Serialize)]
struct Info<'a> {
    file: &'a str,
    name: &'a str,
    description: &'a str,
    currency: &'a str,
    periods: usize,
    discount_rate: f64,
    countries: Vec<&'a str>,
    layers: Vec<&'a str>,
    capabilities: usize,
    agreements: Vec<AgreementInfo<'a>>,
    overrides: &'a [Applied],
    variants: Vec<String>,
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
    #[serde(skip_serializing_if = "Vec::is_empty")]
    by_outcome: Vec<margins::OutcomeTables>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value_added: Option<ValueAdded>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value_added_error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    price_ranges: Option<Vec<aistack::results::ranges::PriceRange>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    price_ranges_note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    price_checks: Option<Vec<PriceCheck>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    entry: Option<Vec<EntryValue>>,
    shocks: Vec<ShockResult>,
}

/// Parse `SUPPLIER:LAYER[,SUPPLIER:LAYER...]` (the CLI's `--shock`).
fn parse_shock(s: &Scenario, text: &str) -> PyResult<Vec<(CountryId, LayerId)>> {
    let mut cuts = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((c, l)) = part.split_once(':') else {
            return Err(PyValueError::new_err(format!(
                "shock {part}: expected SUPPLIER:LAYER, e.g. TWN:fab"
            )));
        };
        let (c, l) = (country_index(s, c.trim())?, layer_index(s, l.trim())?);
        if s.capability(c, l).is_none() {
            let suppliers: Vec<&str> = s
                .capabilities
                .iter()
                .filter(|k| k.layer == l)
                .map(|k| s.countries[k.country].id.as_str())
                .collect();
            return Err(PyValueError::new_err(format!(
                "shock {part}: {} has no capability for {}, so it exports none; suppliers of {}: {}",
                s.countries[c].id,
                s.layers[l].id,
                s.layers[l].id,
                suppliers.join(", ")
            )));
        }
        cuts.push((c, l));
    }
    if cuts.is_empty() {
        return Err(PyValueError::new_err(
            "a shock needs SUPPLIER:LAYER, e.g. TWN:fab",
        ));
    }
    Ok(cuts)
}

impl NativeScenario {
    fn from_document(doc: Document, file: String) -> PyResult<NativeScenario> {
        let scenario = doc.scenario().map_err(override_error)?;
        Ok(NativeScenario {
            doc,
            scenario: Arc::new(scenario),
            file,
        })
    }

    /// Agreement to analyse and its baseline (the CLI's `--agreement` / `--baseline-agreement`).
    fn target(
        &self,
        agreement: &str,
        baseline_agreements: &[String],
        relax: bool,
    ) -> PyResult<(usize, BuildOptions)> {
        let s = &self.scenario;
        let a = agreement_index(s, agreement)?;
        let mut also = Vec::new();
        for id in baseline_agreements {
            let b = agreement_index(s, id)?;
            if b == a {
                return Err(PyValueError::new_err(format!(
                    "baseline agreement {id} is the agreement being analysed; the baseline is the scenario without it"
                )));
            }
            also.push(b);
        }
        let base = compare::baseline_options(s, a, &also, relax)
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok((a, base))
    }
}

#[pymethods]
impl NativeScenario {
    /// Read and validate a `.toml` or `.json` scenario file.
    #[staticmethod]
    fn from_file(path: PathBuf) -> PyResult<NativeScenario> {
        let doc = Document::read(&path).map_err(scenario_error_of)?;
        NativeScenario::from_document(doc, path.display().to_string())
    }

    /// Parse and validate scenario text; `format` is "toml" or "json", `label` names it in
    /// messages and `dir` is where a variant's overlay files are looked for.
    #[staticmethod]
    fn from_text(text: &str, format: &str, label: &str, dir: PathBuf) -> PyResult<NativeScenario> {
        let format = match format {
            "toml" => Format::Toml,
            "json" => Format::Json,
            other => {
                return Err(PyValueError::new_err(format!(
                    "format must be \"toml\" or \"json\", got \"{other}\""
                )))
            }
        };
        let doc = Document::from_text(text, format, label, &dir).map_err(scenario_error_of)?;
        NativeScenario::from_document(doc, label.to_string())
    }

    /// A new scenario with overrides applied (in order: the variant, overlays, then `PATH=VALUE`
    /// sets), validated again as a whole.
    #[pyo3(signature = (sets, variant=None, overlays=Vec::new()))]
    fn with_overrides(
        &self,
        sets: Vec<String>,
        variant: Option<String>,
        overlays: Vec<PathBuf>,
    ) -> PyResult<NativeScenario> {
        let mut doc = self.doc.clone();
        doc.apply(&Overrides {
            variant,
            overlays,
            sets,
        })
        .map_err(override_error)?;
        NativeScenario::from_document(doc, self.file.clone())
    }

    /// What the scenario holds (JSON): ids, periods, agreements, overrides applied.
    fn info(&self) -> PyResult<String> {
        let s = &self.scenario;
        let info = Info {
            file: &self.file,
            name: &s.meta.name,
            description: &s.meta.description,
            currency: &s.meta.currency,
            periods: s.meta.periods,
            discount_rate: s.meta.discount_rate,
            countries: s.countries.iter().map(|c| c.id.as_str()).collect(),
            layers: s.layers.iter().map(|l| l.id.as_str()).collect(),
            capabilities: s.capabilities.len(),
            agreements: s
                .agreements
                .iter()
                .map(|a| AgreementInfo {
                    id: &a.id,
                    name: &a.name,
                    members: a
                        .members
                        .iter()
                        .map(|&c| s.countries[c].id.as_str())
                        .collect(),
                    active: a.active,
                    clauses: a
                        .clauses
                        .iter()
                        .map(|c| compare::describe_clause(s, c))
                        .collect(),
                })
                .collect(),
            overrides: self.doc.applied(),
            variants: self.doc.variants(),
        };
        json(&info)
    }

    /// Build, solve and price (the CLI's `solve --format json`). Returns the JSON and, for an
    /// infeasible scenario, the diagnosis for people.
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (activate, deactivate, relax, solver, time_limit, mip_gap, threads, prices, quantity_ranges=Vec::new()))]
    fn solve(
        &self,
        py: Python<'_>,
        activate: Vec<String>,
        deactivate: Vec<String>,
        relax: bool,
        solver: &str,
        time_limit: Option<f64>,
        mip_gap: f64,
        threads: Option<usize>,
        prices: &str,
        quantity_ranges: Vec<String>,
    ) -> PyResult<(String, Option<String>)> {
        let s = self.scenario.clone();
        let opts = build_options(&s, &activate, &deactivate, relax)?;
        let config = solve_config(solver, time_limit, mip_gap, threads, prices)?;
        let quantities = quantity_ranges
            .iter()
            .map(|q| QuantitySelector::parse(q))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        let applied = self.doc.applied().to_vec();
        let result = run_detached(py, move || -> Result<_, QuantityOrSolve> {
            let outcome = results::solve(&s, &opts, &config).map_err(|e| e.to_string())?;
            let mut rep = Report::new(&s, &outcome);
            // The least and most of each quantity over the optimal plans (`--quantity-range`).
            if !quantities.is_empty() {
                rep.quantity_ranges =
                    quantity_range::quantity_ranges(&s, &config, &outcome, &quantities).map_err(
                        |e| match e {
                            quantity_range::RangeError::Quantity(q) => {
                                QuantityOrSolve::Quantity(q.to_string())
                            }
                            e => QuantityOrSolve::Solve(e.to_string()),
                        },
                    )?;
            }
            // EVPI and the value of preparing, as `aistack solve` adds them (MODEL.md 13.11).
            if s.uncertainty.is_some() && outcome.is_optimal() {
                let v = results::stochastic::values(&s, &opts, &config)
                    .map_err(|e| format!("EVPI and value of preparing: {e}"))?;
                results::stochastic::attach(&mut rep, v);
            }
            let diagnosis = match outcome.status {
                Status::Infeasible => Some(
                    infeasibility::diagnose(&s, &opts, &config)
                        .map_err(|e| format!("diagnosing infeasibility: {e}"))?,
                ),
                _ => None,
            };
            Ok((rep, diagnosis))
        })?;
        let (rep, diagnosis) = result.map_err(|e| match e {
            QuantityOrSolve::Quantity(m) => PyValueError::new_err(m),
            QuantityOrSolve::Solve(m) => solver_error(m),
        })?;
        let text = match &diagnosis {
            Some(d) => {
                let mut value = serde_json::to_value(&rep)
                    .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
                if let (Some(map), Ok(d)) = (value.as_object_mut(), serde_json::to_value(d)) {
                    map.insert("diagnosis".into(), d);
                }
                with_overrides_json(&value, &applied)?
            }
            None => with_overrides_json(&rep, &applied)?,
        };
        Ok((text, diagnosis.map(|d| d.render())))
    }

    /// The scenario without and with one agreement (the CLI's `compare --format json`).
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (agreement, baseline_agreements, relax, solver, time_limit, mip_gap, threads, prices))]
    fn compare(
        &self,
        py: Python<'_>,
        agreement: &str,
        baseline_agreements: Vec<String>,
        relax: bool,
        solver: &str,
        time_limit: Option<f64>,
        mip_gap: f64,
        threads: Option<usize>,
        prices: &str,
    ) -> PyResult<String> {
        let config = solve_config(solver, time_limit, mip_gap, threads, prices)?;
        let (a, base) = self.target(agreement, &baseline_agreements, relax)?;
        let s = self.scenario.clone();
        let c = run_detached(py, move || compare::compare(&s, a, &base, &config))?
            .map_err(analysis_error)?;
        #[derive(Serialize)]
        struct Output<'a, T> {
            file: &'a str,
            status: &'static str,
            #[serde(flatten)]
            inner: &'a T,
        }
        with_overrides_json(
            &Output {
                file: &self.file,
                status: "optimal",
                inner: &c,
            },
            self.doc.applied(),
        )
    }

    /// The coalition game of an agreement (the CLI's `coalitions --format json`).
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (agreement, baseline_agreements, value, samples, seed, max_exact, target_std_error, relax, solver, time_limit, mip_gap, threads, prices))]
    fn coalitions(
        &self,
        py: Python<'_>,
        agreement: &str,
        baseline_agreements: Vec<String>,
        value: &str,
        samples: Option<usize>,
        seed: u64,
        max_exact: usize,
        target_std_error: f64,
        relax: bool,
        solver: &str,
        time_limit: Option<f64>,
        mip_gap: f64,
        threads: Option<usize>,
        prices: &str,
    ) -> PyResult<String> {
        if let Some(m) = samples {
            if m < 2 {
                return Err(PyValueError::new_err(format!(
                    "samples must be at least 2 (for a standard error), got {m}"
                )));
            }
        }
        if !(target_std_error.is_finite() && target_std_error > 0.0) {
            return Err(PyValueError::new_err(format!(
                "target_std_error must be a positive fraction, got {target_std_error}"
            )));
        }
        let value = match value {
            "members" => GameValue::Members,
            "world" => GameValue::World,
            other => {
                return Err(PyValueError::new_err(format!(
                    "value must be \"members\" or \"world\", got \"{other}\""
                )))
            }
        };
        let config = solve_config(solver, time_limit, mip_gap, threads, prices)?;
        let (a, base) = self.target(agreement, &baseline_agreements, relax)?;
        let settings = CoalitionSettings {
            samples,
            seed,
            max_exact,
            value,
            target_std_error,
        };
        let s = self.scenario.clone();
        let game = run_detached(py, move || {
            coalitions::coalitions(&s, a, &base, &config, &settings, &|_, _| {})
        })?
        .map_err(analysis_error)?;
        #[derive(Serialize)]
        struct Output<'a, T> {
            file: &'a str,
            status: &'static str,
            #[serde(flatten)]
            inner: &'a T,
        }
        with_overrides_json(
            &Output {
                file: &self.file,
                status: "optimal",
                inner: &game,
            },
            self.doc.applied(),
        )
    }

    /// Prices and duals as matrices, value added, entry values, supply shocks and price checks
    /// (the CLI's `margins --format json`).
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (activate, deactivate, entry, shocks, check_prices, fd_step, relax, solver, time_limit, mip_gap, threads, prices))]
    fn margins(
        &self,
        py: Python<'_>,
        activate: Vec<String>,
        deactivate: Vec<String>,
        entry: bool,
        shocks: Vec<String>,
        check_prices: bool,
        fd_step: f64,
        relax: bool,
        solver: &str,
        time_limit: Option<f64>,
        mip_gap: f64,
        threads: Option<usize>,
        prices: &str,
    ) -> PyResult<String> {
        if !(fd_step.is_finite() && fd_step > 0.0) {
            return Err(PyValueError::new_err(format!(
                "fd_step must be a positive number of units, got {fd_step}"
            )));
        }
        let s = self.scenario.clone();
        let opts = build_options(&s, &activate, &deactivate, relax)?;
        let config = solve_config(solver, time_limit, mip_gap, threads, prices)?;
        let shocks: Vec<Vec<(CountryId, LayerId)>> = shocks
            .iter()
            .map(|x| parse_shock(&s, x))
            .collect::<Result<_, _>>()?;
        let file = self.file.clone();
        let out = run_detached(py, move || -> Result<MarginsOutput, String> {
            let base = results::solve(&s, &opts, &config).map_err(|e| e.to_string())?;
            let mut out = MarginsOutput {
                file,
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
            };
            if !base.is_optimal() {
                if base.status == Status::Infeasible {
                    out.diagnosis = Some(
                        infeasibility::diagnose(&s, &opts, &config)
                            .map_err(|e| format!("diagnosing infeasibility: {e}"))?,
                    );
                }
                return Ok(out);
            }
            out.tables = margins::margin_tables(&s, &base);
            (out.price_ranges, out.price_ranges_note) =
                results::ranges::price_ranges_reported(&s, &base);
            out.by_outcome = margins::margin_tables_by_outcome(&s, &base);
            match value_added::value_added(&s, &base) {
                Ok(v) => out.value_added = Some(v),
                Err(e) => out.value_added_error = Some(e.to_string()),
            }
            let err = |e: results::SolveError| e.to_string();
            if check_prices {
                out.price_checks =
                    Some(margins::price_checks(&s, &opts, &config, &base, fd_step).map_err(err)?);
            }
            if entry {
                out.entry = Some(margins::entry_values(&s, &opts, &config, &base).map_err(err)?);
            }
            for cuts in &shocks {
                out.shocks
                    .push(margins::shock(&s, &opts, &config, &base, cuts).map_err(err)?);
            }
            Ok(out)
        })?
        .map_err(solver_error)?;
        with_overrides_json(&out, self.doc.applied())
    }

    /// The HTML report (the CLI's `report`): writes index.html, charts/*.svg and report.json
    /// into `out` and returns the page data with the files written.
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (out, agreements, sovereign, max_exact, samples, seed, relax, solver, time_limit, mip_gap, threads, prices))]
    fn report(
        &self,
        py: Python<'_>,
        out: PathBuf,
        agreements: Vec<String>,
        sovereign: Option<PyRef<'_, NativeScenario>>,
        max_exact: usize,
        samples: Option<usize>,
        seed: u64,
        relax: bool,
        solver: &str,
        time_limit: Option<f64>,
        mip_gap: f64,
        threads: Option<usize>,
        prices: &str,
    ) -> PyResult<String> {
        let config = solve_config(solver, time_limit, mip_gap, threads, prices)?;
        if samples.is_some_and(|m| m < 2) {
            return Err(PyValueError::new_err(
                "samples must be at least 2 (for a standard error)",
            ));
        }
        let s = self.scenario.clone();
        let mut ids = Vec::new();
        for id in &agreements {
            let k = agreement_index(&s, id)?;
            if ids.contains(&k) {
                return Err(PyValueError::new_err(format!(
                    "agreement {id} is given twice"
                )));
            }
            ids.push(k);
        }
        let opts = PageOptions {
            agreements: ids,
            sovereign: sovereign.map(|x| (x.file.clone(), (*x.scenario).clone())),
            // The same game settings as `aistack report` / `coalitions`.
            game: CoalitionSettings {
                samples,
                seed,
                max_exact,
                ..Default::default()
            },
            base: None,
            relax,
            alternatives: None,
            risk_weights: Vec::new(),
        };
        check_out_dir(&out)?;
        let file = self.file.clone();
        let page = run_detached(py, move || {
            html::compute(&s, &file, &opts, &config, &|_, _| {})
        })?
        .map_err(analysis_error)?;
        let written = html::write(&page, &out).map_err(|e| {
            PyRuntimeError::new_err(format!("writing the report into {}: {e}", out.display()))
        })?;
        #[derive(Serialize)]
        struct Output<'a> {
            index: String,
            files: Vec<String>,
            cost_of_sovereignty: f64,
            cost_of_sovereignty_by_country: Vec<f64>,
            page: &'a html::Page,
        }
        json(&Output {
            index: out.join("index.html").display().to_string(),
            files: written.iter().map(|p| p.display().to_string()).collect(),
            cost_of_sovereignty: page.cost_of_sovereignty(),
            cost_of_sovereignty_by_country: page.cost_of_sovereignty_by_country(),
            page: &page,
        })
    }
}

/// The output directory must be a directory we can create and write into (checked first).
fn check_out_dir(out: &Path) -> PyResult<()> {
    if out.exists() && !out.is_dir() {
        return Err(PyValueError::new_err(format!(
            "out {} exists and is not a directory",
            out.display()
        )));
    }
    std::fs::create_dir_all(out.join("charts")).map_err(|e| {
        PyValueError::new_err(format!(
            "out {}: cannot create the directory: {e}",
            out.display()
        ))
    })?;
    Ok(())
}

/// Run a sweep file (the CLI's `sweep FILE`), resuming unless `fresh`; returns the summary and
/// the path of results.csv.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (path, jobs, fresh, relax, solver, time_limit, mip_gap, threads, prices))]
fn sweep(
    py: Python<'_>,
    path: PathBuf,
    jobs: Option<usize>,
    fresh: bool,
    relax: bool,
    solver: &str,
    time_limit: Option<f64>,
    mip_gap: f64,
    threads: Option<usize>,
    prices: &str,
) -> PyResult<String> {
    if jobs == Some(0) {
        return Err(PyValueError::new_err("jobs must be at least 1"));
    }
    let bad = |e: aistack::sweep::SweepError| match e {
        aistack::sweep::SweepError::Scenario(o) => override_error(o),
        e => PyValueError::new_err(e.to_string()),
    };
    let mut sw = Sweep::read(&path).map_err(bad)?;
    sw.relax |= relax;
    let config = solve_config(solver, time_limit, mip_gap, threads, prices)?;
    let sw = Arc::new(sw);
    let runner = sw.clone();
    let result = run_detached(py, move || {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(jobs.unwrap_or(0))
            .build()
            .map_err(|e| aistack::sweep::SweepError::Invalid {
                file: runner.file.display().to_string(),
                message: format!("starting worker threads: {e}"),
            })?;
        let stats = pool.install(|| runner.run(None, &config, fresh, None, &|_, _| {}))?;
        let summary = runner.finish()?;
        Ok::<_, aistack::sweep::SweepError>((stats, summary))
    })?;
    let (stats, summary) = result.map_err(bad)?;
    #[derive(Serialize)]
    struct Output<'a> {
        results_csv: String,
        summary_json: String,
        points: usize,
        computed: usize,
        skipped: usize,
        seconds: f64,
        parameters: Vec<&'a str>,
        summary: &'a aistack::sweep::Summary,
    }
    json(&Output {
        results_csv: sw.output.join("results.csv").display().to_string(),
        summary_json: sw.output.join("summary.json").display().to_string(),
        points: stats.total,
        computed: stats.computed,
        skipped: stats.skipped,
        seconds: stats.seconds,
        parameters: sw.parameters.iter().map(|p| p.name.as_str()).collect(),
        summary: &summary,
    })
}

/// The backends compiled into this build.
#[pyfunction]
fn backends() -> Vec<&'static str> {
    aistack::backend::available()
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<NativeScenario>()?;
    m.add_function(wrap_pyfunction!(sweep, m)?)?;
    m.add_function(wrap_pyfunction!(backends, m)?)?;
    m.add("ScenarioError", py.get_type::<ScenarioError>())?;
    m.add("AnalysisError", py.get_type::<AnalysisError>())?;
    m.add("SolverError", py.get_type::<SolverError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
