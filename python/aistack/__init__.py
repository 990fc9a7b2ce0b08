"""aistack from Python: the same engine as the ``aistack`` command line, results as pandas
DataFrames.

>>> import aistack
>>> s = aistack.Scenario.from_file("instances/example.toml")
>>> sol = s.solve()
>>> sol.objective, sol.status
>>> sol.prices.head()                                  # country, layer, period, price, ...
>>> s.compare("chip-alliance").countries               # welfare without / with, gains

Every method calls the Rust library (``aistack._native``) exactly as the CLI does; the tables
are the CLI's ``--format json`` output, one DataFrame per list, columns named as in the JSON.
Invalid input raises :class:`ScenarioError` (every problem, with the CLI's messages); an
infeasible scenario is a :class:`Solution` with ``status == "infeasible"`` and a
``diagnosis``. Solves release the GIL and can be interrupted with Ctrl-C.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from . import _native
from ._native import AnalysisError, ScenarioError, SolverError

__all__ = [
    "Scenario",
    "Solution",
    "Comparison",
    "Coalitions",
    "Margins",
    "Report",
    "SweepResult",
    "ScenarioError",
    "AnalysisError",
    "SolverError",
    "sweep",
    "backends",
    "__version__",
]

__version__ = _native.__version__

if TYPE_CHECKING:
    import pandas as pd


def _pd():
    """pandas, imported on the first table asked for: ``import aistack`` and a solve do not
    load it (it is most of the interpreter's memory; python/README.md, "Memory")."""
    import pandas

    return pandas

# Columns of each table of a solve, as in the JSON (used when a table is empty, so that an
# empty DataFrame still has its columns).
SOLUTION_COLUMNS: dict[str, list[str]] = {
    "prices": ["country", "layer", "period", "price", "export_price"],
    "production": ["country", "layer", "period", "quantity"],
    "flows": ["from", "to", "layer", "period", "quantity"],
    "consumption": ["country", "layer", "period", "quantity"],
    "capacity_built": ["country", "layer", "period", "quantity"],
    "operating": ["country", "layer", "period", "operating", "entered", "entered_discounted"],
    "reserves": ["from", "to", "layer", "period", "quantity"],
    "capacity_rents": ["country", "layer", "period", "rent"],
    "security_duals": ["country", "layer", "period", "kind", "supplier", "value"],
    "clause_duals": ["agreement", "clause", "kind", "period", "value"],
    "essential_duals": ["country", "layer", "period", "rent"],
    "producers": [
        "country",
        "layer",
        "profit",
        "uplift_security",
        "uplift_integer",
        "uplift_total",
    ],
    "welfare": [
        "country",
        "consumers",
        "producers",
        "rents",
        "total",
        "total_min",
        "total_max",
        "price_dependent",
    ],
}


def _frame(rows: Sequence[Mapping[str, Any]] | None, columns: Sequence[str] = ()) -> pd.DataFrame:
    """A DataFrame of JSON records: the JSON's columns in its order (known columns first when
    there are no rows). Nested values (lists, objects) stay Python objects."""
    rows = list(rows or [])
    if not rows:
        return _pd().DataFrame(columns=list(columns))
    cols = list(columns)
    for r in rows:
        for k in r:
            if k not in cols:
                cols.append(k)
    return _pd().DataFrame.from_records(rows, columns=cols)


def _flatten_range(rows: Iterable[Mapping[str, Any]], key: str) -> list[dict[str, Any]]:
    """Rows with a nested ``{"min", "max"}`` range flattened to ``key_min`` / ``key_max``."""
    out = []
    for r in rows:
        r = dict(r)
        rng = r.pop(key, None)
        r[f"{key}_min"] = rng["min"] if rng else None
        r[f"{key}_max"] = rng["max"] if rng else None
        out.append(r)
    return out


def _matrices_long(matrices: Sequence[Mapping[str, Any]] | None, name: str) -> pd.DataFrame:
    """Country x layer matrices (one per period) as a long table: country, layer, period, name.
    Entries that do not exist (no capability, no policy) are left out."""
    rows = []
    for m in matrices or []:
        for c, values in zip(m["countries"], m["values"]):
            for l, v in zip(m["layers"], values):
                if v is not None:
                    rows.append({"country": c, "layer": l, "period": m["period"], name: v})
    return _frame(rows, ["country", "layer", "period", name])


def _override_text(path: str, value: Any) -> str:
    """``PATH=VALUE`` for the library's override parser (values as TOML literals)."""
    if isinstance(value, bool):
        literal = "true" if value else "false"
    elif isinstance(value, (int, float)):
        literal = repr(value)
    elif isinstance(value, str):
        literal = json.dumps(value)
    else:
        literal = json.dumps(value)
    return f"{path}={literal}"


def _solver_kwargs(
    relax: bool,
    solver: str,
    time_limit: float | None,
    mip_gap: float,
    threads: int | None,
    prices: str,
) -> dict[str, Any]:
    return dict(
        relax=bool(relax),
        solver=str(solver),
        time_limit=None if time_limit is None else float(time_limit),
        mip_gap=float(mip_gap),
        threads=threads,
        prices=str(prices),
    )


def _ids(x: str | Iterable[str] | None) -> list[str]:
    if x is None:
        return []
    if isinstance(x, str):
        return [x]
    return [str(i) for i in x]


class _Result:
    """Common ground of the results: the parsed JSON (``.data``) and ``.to_json()``."""

    def __init__(self, text: str):
        self._text = text
        self._data: dict[str, Any] | None = None

    @property
    def data(self) -> dict[str, Any]:
        """The parsed JSON (parsed on first use)."""
        if self._data is None:
            self._data = json.loads(self._text)
        return self._data

    def to_json(self) -> str:
        """The JSON, as the CLI prints it with ``--format json``."""
        return self._text

    def __getitem__(self, key: str) -> Any:
        return self.data[key]


class Solution(_Result):
    """The result of :meth:`Scenario.solve`: status, W and every table as a DataFrame.

    ``status`` is ``optimal``, ``infeasible``, ``unbounded``, ``time_limit`` or
    ``numerical_trouble``; tables are empty without a solution. An infeasible scenario carries
    ``diagnosis`` (the JSON object: conflicting constraint groups and the explanation) and
    ``diagnosis_text`` (what the CLI prints).
    """

    def __init__(self, text: str, diagnosis_text: str | None = None):
        super().__init__(text)
        self.diagnosis_text = diagnosis_text

    @property
    def status(self) -> str:
        return self.data["status"]

    @property
    def objective(self) -> float | None:
        """W*, discounted, in the scenario's currency (``None`` without a solution)."""
        return self.data.get("objective")

    @property
    def mip(self) -> bool:
        return self.data["mip"]

    @property
    def relaxed(self) -> bool:
        return self.data["relaxed"]

    @property
    def gap(self) -> float | None:
        return self.data.get("gap")

    @property
    def currency(self) -> str:
        return self.data["currency"]

    @property
    def duality_gap(self) -> float | None:
        return self.data.get("duality_gap")

    @property
    def welfare_residual(self) -> float | None:
        return self.data.get("welfare_residual")

    @property
    def warnings(self) -> list[str]:
        return list(self.data.get("warnings", []))

    @property
    def is_optimal(self) -> bool:
        return self.status == "optimal"

    @property
    def diagnosis(self) -> dict[str, Any] | None:
        """Why the scenario is infeasible (``None`` unless it is)."""
        return self.data.get("diagnosis")

    def table(self, name: str) -> pd.DataFrame:
        """Any list of the JSON as a DataFrame (``prices``, ``capacity_built``, ...)."""
        if name not in SOLUTION_COLUMNS and not isinstance(self.data.get(name), list):
            raise KeyError(f"no table {name!r}; tables: {', '.join(self.tables)}")
        return _frame(self.data.get(name), SOLUTION_COLUMNS.get(name, ()))

    @property
    def tables(self) -> list[str]:
        """Names of the tables."""
        return [k for k, v in self.data.items() if isinstance(v, list) and k != "warnings"]

    prices = property(lambda self: self.table("prices"), doc="λ and export price by country, layer, period.")
    production = property(lambda self: self.table("production"))
    flows = property(lambda self: self.table("flows"))
    consumption = property(lambda self: self.table("consumption"))
    capacity_built = property(lambda self: self.table("capacity_built"))
    operating = property(lambda self: self.table("operating"))
    reserves = property(lambda self: self.table("reserves"))
    capacity_rents = property(lambda self: self.table("capacity_rents"))
    security_duals = property(lambda self: self.table("security_duals"))
    clause_duals = property(lambda self: self.table("clause_duals"))
    essential_duals = property(lambda self: self.table("essential_duals"))
    producers = property(lambda self: self.table("producers"))
    welfare = property(
        lambda self: self.table("welfare"),
        doc="Welfare by country with the range over optimal prices (total_min, total_max, price_dependent).",
    )

    def __repr__(self) -> str:
        w = self.objective
        return f"<aistack.Solution {self.status}{'' if w is None else f', W = {w:.6g} {self.currency}'}>"


class Comparison(_Result):
    """The scenario without and with one agreement (:meth:`Scenario.compare`)."""

    agreement = property(lambda self: self.data["agreement"])
    members = property(lambda self: list(self.data["members"]))
    w_without = property(lambda self: self.data["w_without"])
    w_with = property(lambda self: self.data["w_with"])
    w_gain = property(lambda self: self.data["w_gain"])
    members_gain = property(lambda self: self.data["members_gain"])
    non_members_gain = property(lambda self: self.data["non_members_gain"])
    individually_rational = property(lambda self: self.data["individually_rational"])
    individual_rationality = property(lambda self: self.data["individual_rationality"])
    notes = property(lambda self: list(self.data.get("notes", [])))

    @property
    def countries(self) -> pd.DataFrame:
        """Welfare by country without and with the agreement, gains and their ranges over
        optimal prices (``gain_range_min``, ``gain_range_max``)."""
        return _frame(
            _flatten_range(self.data["countries"], "gain_range"),
            [
                "country",
                "member",
                "without",
                "with",
                "gain",
                "gain_consumers",
                "gain_producers",
                "gain_rents",
                "price_dependent",
                "gain_range_min",
                "gain_range_max",
            ],
        )

    @property
    def clauses(self) -> pd.DataFrame:
        """Each clause: what dropping it alone costs W, and whether it binds."""
        return _frame(
            self.data["clauses"],
            ["clause", "kind", "description", "w_without_clause", "value", "binds", "duals", "integer"],
        )

    @property
    def losers(self) -> pd.DataFrame:
        return _frame(self.data["losers"], ["country", "loss", "verdict"])

    def __repr__(self) -> str:
        return f"<aistack.Comparison {self.agreement}: W {self.w_without:.6g} -> {self.w_with:.6g}>"


class Coalitions(_Result):
    """The coalition game of an agreement (:meth:`Scenario.coalitions`)."""

    agreement = property(lambda self: self.data["agreement"])
    game = property(lambda self: self.data["game"])
    method = property(lambda self: self.data["method"])
    grand_value = property(lambda self: self.data["grand_value"], doc="v(N).")
    w_baseline = property(lambda self: self.data["w_baseline"])
    superadditive = property(lambda self: self.data.get("superadditive"))
    least_core = property(lambda self: self.data["least_core"], doc="ε, core emptiness and verdicts.")
    epsilon = property(lambda self: self.data["least_core"]["epsilon"])
    core_empty = property(lambda self: self.data["least_core"].get("core_empty"))
    solves = property(lambda self: self.data["solves"])
    notes = property(lambda self: list(self.data.get("notes", [])))

    @property
    def players(self) -> pd.DataFrame:
        """Per member: realised gain, Shapley value (and standard error, range), side payment,
        least-core share."""
        return _frame(
            _flatten_range(self.data["players"], "shapley_range"),
            [
                "country",
                "realised",
                "shapley",
                "std_error",
                "side_payment",
                "least_core",
                "shapley_range_min",
                "shapley_range_max",
            ],
        )

    @property
    def shapley(self) -> pd.Series:
        """Shapley values by member."""
        p = self.players
        return _pd().Series(p["shapley"].to_numpy(), index=p["country"], name="shapley")

    @property
    def values(self) -> pd.DataFrame:
        """v(S) for every coalition known (``coalition`` is a list of members)."""
        return _frame(
            _flatten_range(self.data["values"], "range"),
            ["coalition", "value", "w", "price_dependent", "range_min", "range_max"],
        )

    @property
    def blocking(self) -> pd.DataFrame:
        return _frame(
            self.data["blocking"],
            ["split", "coalition", "value", "share", "excess", "price_dependent"],
        )

    def __repr__(self) -> str:
        return f"<aistack.Coalitions {self.agreement} ({self.method}): v(N) = {self.grand_value:.6g}>"


class Margins(_Result):
    """Prices and duals by country and layer, value added, entry values and supply shocks
    (:meth:`Scenario.margins`)."""

    status = property(lambda self: self.data["status"])
    objective = property(lambda self: self.data.get("objective"))
    diagnosis = property(lambda self: self.data.get("diagnosis"))

    def _matrix(self, name: str, column: str) -> pd.DataFrame:
        return _matrices_long((self.data.get("tables") or {}).get(name), column)

    prices = property(lambda self: self._matrix("prices", "price"))
    export_rents = property(lambda self: self._matrix("export_rents", "export_rent"))
    capacity_rents = property(lambda self: self._matrix("capacity_rents", "rent"))
    security_duals = property(lambda self: self._matrix("security_duals", "value"))

    @property
    def value_added(self) -> pd.DataFrame:
        """Value added embodied in final demand, long: period, kind, source country, layer,
        country (whose final demand), value."""
        rows = []
        for p in (self.data.get("value_added") or {}).get("periods", []):
            for src, values in zip(p["sources"], p["values"]):
                for c, v in zip(p["countries"], values):
                    rows.append(
                        {
                            "period": p["period"],
                            "kind": src["kind"],
                            "source_country": src["country"],
                            "layer": src["layer"],
                            "country": c,
                            "value": v,
                        }
                    )
        return _frame(rows, ["period", "kind", "source_country", "layer", "country", "value"])

    @property
    def domestic_share(self) -> pd.DataFrame:
        rows = []
        for p in (self.data.get("value_added") or {}).get("periods", []):
            for c, fd, share in zip(p["countries"], p["final_demand"], p["domestic_share"]):
                rows.append({"period": p["period"], "country": c, "final_demand": fd, "domestic_share": share})
        return _frame(rows, ["period", "country", "final_demand", "domestic_share"])

    @property
    def entry(self) -> pd.DataFrame:
        """Entry and exit values (``entry=True``): W with the decision forced, and its value."""
        return _frame(
            self.data.get("entry"),
            ["country", "layer", "forced", "change", "has_operating_status", "base", "status", "objective", "value", "welfare_change", "solved"],
        )

    @property
    def price_checks(self) -> pd.DataFrame:
        return _frame(self.data.get("price_checks"))

    @property
    def shocks(self) -> pd.DataFrame:
        """One row per shock: the cuts, status, W before and after and the loss."""
        rows = []
        for s in self.data.get("shocks", []):
            rows.append(
                {
                    "shock": ",".join(f"{c['supplier']}:{c['layer']}" for c in s["cuts"]),
                    "status": s["status"],
                    "objective_before": s["objective_before"],
                    "objective_after": s.get("objective_after"),
                    "welfare_loss": s.get("welfare_loss"),
                }
            )
        return _frame(rows, ["shock", "status", "objective_before", "objective_after", "welfare_loss"])

    @property
    def shock_welfare(self) -> pd.DataFrame:
        """Welfare by country before and after each shock."""
        rows = []
        for s in self.data.get("shocks", []):
            name = ",".join(f"{c['supplier']}:{c['layer']}" for c in s["cuts"])
            rows += [{"shock": name, **w} for w in s.get("welfare", [])]
        return _frame(rows, ["shock", "country", "before", "after", "loss"])

    @property
    def shock_prices(self) -> pd.DataFrame:
        """Every price before and after each shock."""
        rows = []
        for s in self.data.get("shocks", []):
            name = ",".join(f"{c['supplier']}:{c['layer']}" for c in s["cuts"])
            rows += [{"shock": name, **p} for p in s.get("prices", [])]
        return _frame(rows, ["shock", "country", "layer", "period", "before", "after", "change"])


class Report(_Result):
    """The HTML report written by :meth:`Scenario.report`."""

    index = property(lambda self: Path(self.data["index"]), doc="Path of index.html.")
    files = property(lambda self: [Path(f) for f in self.data["files"]])
    page = property(lambda self: self.data["page"], doc="The page data (report.json).")
    cost_of_sovereignty = property(lambda self: self.data["cost_of_sovereignty"])

    @property
    def cases(self) -> pd.DataFrame:
        """W of the coordinated, without and sovereign cases."""
        page = self.data["page"]
        return _pd().DataFrame(
            [
                {"case": k, "label": page[k]["label"], "objective": page[k]["objective"], "active": page[k]["active"]}
                for k in ("coordinated", "without", "sovereign")
            ]
        )

    @property
    def welfare(self) -> pd.DataFrame:
        """Welfare by country in each case, with the cost of sovereignty per country."""
        page = self.data["page"]
        df = _pd().DataFrame({"country": page["countries"]})
        for k in ("coordinated", "without", "sovereign"):
            w = {r["country"]: r["total"] for r in page[k]["report"]["welfare"]}
            df[k] = [w.get(c) for c in page["countries"]]
        df["cost_of_sovereignty"] = self.data["cost_of_sovereignty_by_country"]
        return df

    def __repr__(self) -> str:
        return f"<aistack.Report {self.index}>"


class SweepResult(_Result):
    """A sweep (:func:`sweep`): the tidy results table and the summary."""

    summary = property(lambda self: self.data["summary"], doc="summary.json as a dict.")
    parameters = property(lambda self: list(self.data["parameters"]))
    results_csv = property(lambda self: Path(self.data["results_csv"]))

    @property
    def results(self) -> pd.DataFrame:
        """One row per point and metric: point, role, the parameters, metric, value, status,
        seconds (results.csv)."""
        return _pd().read_csv(self.results_csv)

    @property
    def metrics(self) -> pd.DataFrame:
        """Per metric: points, failed, min, max, mean, base value, sign change."""
        cols = ["metric", "points", "failed", "min", "max", "mean", "base", "sign_change", "sensitivity_method"]
        return _frame([{k: m.get(k) for k in cols} for m in self.summary["metrics"]], cols)

    @property
    def sensitivity(self) -> pd.DataFrame:
        """First-order and total indices by metric and parameter (where computed)."""
        rows = []
        for m in self.summary["metrics"]:
            for s in m.get("sensitivity") or []:
                rows.append({"metric": m["metric"], **s})
        return _frame(rows, ["metric", "parameter", "first", "total"])

    @property
    def tornado(self) -> pd.DataFrame:
        rows = []
        for m in self.summary["metrics"]:
            for e in m.get("tornado") or []:
                rows.append({"metric": m["metric"], **e})
        return _frame(rows, ["metric"])


class Scenario:
    """A validated scenario. Build one with :meth:`from_file`, :meth:`from_dict` or
    :meth:`from_toml_str`; derive variants with :meth:`with_overrides`."""

    def __init__(self, native: Any):
        if not isinstance(native, _native.NativeScenario):
            raise TypeError("use Scenario.from_file, Scenario.from_dict or Scenario.from_toml_str")
        self._native = native
        self._info = json.loads(native.info())

    # -- construction ---------------------------------------------------------------------

    @classmethod
    def from_file(cls, path: str | os.PathLike) -> "Scenario":
        """Read and validate a ``.toml`` or ``.json`` scenario file."""
        return cls(_native.NativeScenario.from_file(os.fspath(path)))

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], name: str = "<dict>", base_dir: str | os.PathLike = ".") -> "Scenario":
        """A scenario from a dict shaped like the file (``meta``, ``layer``, ``country``,
        ``capability``, ...), e.g. ``tomllib.load`` of a scenario file."""
        try:
            text = json.dumps(d, allow_nan=False)
        except (TypeError, ValueError) as e:
            err = ScenarioError(f"cannot parse {name}: {e}")
            err.problems, err.details = [], []
            raise err from None
        return cls(_native.NativeScenario.from_text(text, "json", name, os.fspath(base_dir)))

    @classmethod
    def from_toml_str(cls, s: str, name: str = "<string>", base_dir: str | os.PathLike = ".") -> "Scenario":
        """A scenario from TOML text."""
        return cls(_native.NativeScenario.from_text(s, "toml", name, os.fspath(base_dir)))

    @classmethod
    def from_json_str(cls, s: str, name: str = "<string>", base_dir: str | os.PathLike = ".") -> "Scenario":
        """A scenario from JSON text."""
        return cls(_native.NativeScenario.from_text(s, "json", name, os.fspath(base_dir)))

    def with_overrides(
        self,
        overrides: Mapping[str, Any] | Iterable[str] = (),
        *,
        variant: str | None = None,
        overlays: Iterable[str | os.PathLike] = (),
    ) -> "Scenario":
        """A new scenario with overrides applied, as ``--variant``, ``--overlay`` and ``--set``
        do: ``{"security[*].domestic_floor": 0.5, "agreement[x].active": True}`` or a list of
        ``"PATH=VALUE"`` strings. The result is validated again (``ScenarioError``)."""
        if isinstance(overrides, Mapping):
            sets = [_override_text(k, v) for k, v in overrides.items()]
        elif isinstance(overrides, str):
            sets = [overrides]
        else:
            sets = [str(x) for x in overrides]
        return Scenario(
            self._native.with_overrides(sets, variant, [os.fspath(p) for p in overlays])
        )

    # -- what it holds ---------------------------------------------------------------------

    file = property(lambda self: self._info["file"])
    name = property(lambda self: self._info["name"])
    description = property(lambda self: self._info["description"])
    currency = property(lambda self: self._info["currency"])
    periods = property(lambda self: self._info["periods"])
    discount_rate = property(lambda self: self._info["discount_rate"])
    countries = property(lambda self: list(self._info["countries"]))
    layers = property(lambda self: list(self._info["layers"]))
    variants = property(lambda self: list(self._info["variants"]))
    overrides = property(lambda self: list(self._info["overrides"]), doc="Overrides applied, in order.")

    @property
    def agreements(self) -> pd.DataFrame:
        """Agreements: id, name, members, active flag, clauses in words."""
        return _frame(self._info["agreements"], ["id", "name", "members", "active", "clauses"])

    def __repr__(self) -> str:
        i = self._info
        return (
            f"<aistack.Scenario {i['file']}: {len(i['countries'])} countries, {len(i['layers'])} layers, "
            f"{i['periods']} periods, {len(i['agreements'])} agreements>"
        )

    # -- analyses --------------------------------------------------------------------------

    def solve(
        self,
        activate: str | Iterable[str] | None = None,
        deactivate: str | Iterable[str] | None = None,
        relax: bool = False,
        solver: str = "microlp",
        time_limit: float | None = None,
        prices: str = "canonical",
        mip_gap: float = 1e-6,
        threads: int | None = None,
        quantity_ranges: str | Iterable[str] | None = None,
    ) -> Solution:
        """Build, solve and price (``aistack solve``). Never raises for infeasible,
        unbounded or time-limited scenarios: look at ``.status``.

        ``quantity_ranges`` (``solve --quantity-range``): quantities written like sweep
        metrics, e.g. ``"consumption[EU/fab_lead/outcome=taiwan-blockade]"``; the least and
        most of each over the optimal plans are in ``.table("quantity_ranges")``. A quantity
        that does not parse or matches nothing raises ``ValueError``."""
        text, diagnosis = self._native.solve(
            _ids(activate),
            _ids(deactivate),
            **_solver_kwargs(relax, solver, time_limit, mip_gap, threads, prices),
            quantity_ranges=_ids(quantity_ranges),
        )
        return Solution(text, diagnosis)

    def compare(
        self,
        agreement: str,
        baseline_agreements: str | Iterable[str] | None = None,
        relax: bool = False,
        solver: str = "microlp",
        time_limit: float | None = None,
        prices: str = "canonical",
        mip_gap: float = 1e-6,
        threads: int | None = None,
    ) -> Comparison:
        """The scenario without and with ``agreement`` (``aistack compare``)."""
        return Comparison(
            self._native.compare(
                agreement,
                _ids(baseline_agreements),
                **_solver_kwargs(relax, solver, time_limit, mip_gap, threads, prices),
            )
        )

    def coalitions(
        self,
        agreement: str,
        value: str = "members",
        samples: int | None = None,
        seed: int = 0,
        max_exact: int = 12,
        target_std_error: float = 0.01,
        baseline_agreements: str | Iterable[str] | None = None,
        relax: bool = False,
        solver: str = "microlp",
        time_limit: float | None = None,
        prices: str = "canonical",
        mip_gap: float = 1e-6,
        threads: int | None = None,
    ) -> Coalitions:
        """The coalition game of ``agreement`` (``aistack coalitions``): Shapley values,
        least core, blocking coalitions. ``value="world"`` uses the change in W."""
        return Coalitions(
            self._native.coalitions(
                agreement,
                _ids(baseline_agreements),
                value,
                samples,
                int(seed),
                int(max_exact),
                float(target_std_error),
                **_solver_kwargs(relax, solver, time_limit, mip_gap, threads, prices),
            )
        )

    def margins(
        self,
        entry: bool = False,
        shocks: Iterable[str | tuple[str, str] | Sequence[tuple[str, str]]] = (),
        check_prices: bool = False,
        fd_step: float = 1e-3,
        activate: str | Iterable[str] | None = None,
        deactivate: str | Iterable[str] | None = None,
        relax: bool = False,
        solver: str = "microlp",
        time_limit: float | None = None,
        prices: str = "canonical",
        mip_gap: float = 1e-6,
        threads: int | None = None,
    ) -> Margins:
        """Prices and duals by country and layer, value added; entry/exit values
        (``entry=True``); supply shocks (``shocks=["TWN:fab", ("KOR", "memory")]``, one
        analysis each; ``"A:x,B:y"`` or a list of pairs cuts them together)."""
        texts = []
        for s in shocks:
            if isinstance(s, str):
                texts.append(s)
            elif len(s) == 2 and all(isinstance(x, str) for x in s):
                texts.append(f"{s[0]}:{s[1]}")
            else:
                texts.append(",".join(f"{c}:{l}" for c, l in s))
        return Margins(
            self._native.margins(
                _ids(activate),
                _ids(deactivate),
                bool(entry),
                texts,
                bool(check_prices),
                float(fd_step),
                **_solver_kwargs(relax, solver, time_limit, mip_gap, threads, prices),
            )
        )

    def report(
        self,
        out_dir: str | os.PathLike,
        agreements: str | Iterable[str] | None = None,
        sovereign: "Scenario | str | os.PathLike | None" = None,
        max_exact: int = 12,
        samples: int | None = None,
        seed: int = 0,
        relax: bool = False,
        solver: str = "microlp",
        time_limit: float | None = None,
        prices: str = "canonical",
        mip_gap: float = 1e-6,
        threads: int | None = None,
    ) -> Report:
        """Write the HTML report (``aistack report``) into ``out_dir``: index.html,
        charts/*.svg and report.json."""
        if sovereign is not None and not isinstance(sovereign, Scenario):
            sovereign = Scenario.from_file(sovereign)
        return Report(
            self._native.report(
                os.fspath(out_dir),
                _ids(agreements),
                None if sovereign is None else sovereign._native,
                int(max_exact),
                None if samples is None else int(samples),
                int(seed),
                **_solver_kwargs(relax, solver, time_limit, mip_gap, threads, prices),
            )
        )


def sweep(
    path: str | os.PathLike,
    jobs: int | None = None,
    fresh: bool = False,
    relax: bool = False,
    solver: str = "microlp",
    time_limit: float | None = None,
    prices: str = "canonical",
    mip_gap: float = 1e-6,
    threads: int | None = None,
) -> SweepResult:
    """Run a sweep file (``aistack sweep``): every point (resuming earlier runs unless
    ``fresh``), then results.csv and summary.json in the sweep's output directory."""
    return SweepResult(
        _native.sweep(
            os.fspath(path),
            jobs,
            bool(fresh),
            **_solver_kwargs(relax, solver, time_limit, mip_gap, threads, prices),
        )
    )


def backends() -> list[str]:
    """Solver backends compiled into this build."""
    return list(_native.backends())
