"""Solve every shipped instance from Python and compare with `aistack solve --format json`."""

from __future__ import annotations

import json
import threading
import time
import tomllib

import pandas as pd
import pytest

import aistack
from conftest import INSTANCES, ROOT, cli_json
from helpers import assert_frame_matches, assert_json_close, close

TABLES = list(aistack.SOLUTION_COLUMNS)


@pytest.fixture(scope="module")
def solved():
    """Each instance solved once from Python (module-wide cache)."""
    cache: dict[str, aistack.Solution] = {}

    def get(path):
        key = str(path)
        if key not in cache:
            cache[key] = aistack.Scenario.from_file(path).solve()
        return cache[key]

    return get


@pytest.mark.parametrize("path", INSTANCES, ids=[p.stem for p in INSTANCES])
def test_every_table_equals_the_cli_json(path, solved):
    rel = path.relative_to(ROOT)
    want = cli_json("solve", str(rel))
    sol = solved(path)
    assert sol.status == want["status"] == "optimal"
    assert close(sol.objective, want["objective"])
    assert sol.mip == want["mip"]
    for name in TABLES:
        df = getattr(sol, name)
        assert isinstance(df, pd.DataFrame)
        assert_frame_matches(df, want[name], name)
        assert list(df.columns)[: len(aistack.SOLUTION_COLUMNS[name])] == aistack.SOLUTION_COLUMNS[name] or not want[name]
    # The whole JSON, including scalars (checks, coefficient range), to 1e-9.
    assert_json_close(json.loads(sol.to_json()), want)


@pytest.mark.parametrize("path", INSTANCES, ids=[p.stem for p in INSTANCES])
def test_from_dict_round_trip_solves_to_the_same_w(path, solved):
    with open(path, "rb") as f:
        d = tomllib.load(f)
    # Through JSON text, as a notebook user holding the file as JSON would.
    s = aistack.Scenario.from_dict(json.loads(json.dumps(d)))
    assert close(s.solve().objective, solved(path).objective)


def test_from_toml_str_is_from_file(solved):
    path = ROOT / "instances" / "security-policy.toml"
    s = aistack.Scenario.from_toml_str(path.read_text(), name="security-policy")
    assert s.file == "security-policy"
    assert close(s.solve().objective, solved(path).objective)


def test_columns_and_types():
    sol = aistack.Scenario.from_file(ROOT / "instances" / "security-policy.toml").solve()
    assert list(sol.welfare.columns) == [
        "country", "consumers", "producers", "rents", "total", "total_min", "total_max", "price_dependent",
        "shortfall_cost",
    ]
    assert list(sol.prices.columns) == ["country", "layer", "period", "price", "export_price"]
    assert list(sol.flows.columns) == ["from", "to", "layer", "period", "quantity"]
    assert list(sol.security_duals.columns) == ["country", "layer", "period", "kind", "supplier", "value"]
    assert list(sol.producers.columns)[:2] == ["country", "layer"]
    assert sol.prices["period"].dtype.kind == "i"
    assert sol.prices["price"].dtype.kind == "f"
    # Welfare sums to W.
    assert abs(sol.welfare["total"].sum() - sol.objective) < 1e-6 * max(1, abs(sol.objective))
    # Every country has a welfare row with its range.
    assert (sol.welfare["total_min"] <= sol.welfare["total"] + 1e-9).all()
    assert (sol.welfare["total"] <= sol.welfare["total_max"] + 1e-9).all()
    # Empty tables keep their columns.
    assert list(sol.table("reserves").columns) == aistack.SOLUTION_COLUMNS["reserves"]
    assert "prices" in sol.tables and "welfare" in sol.tables
    with pytest.raises(KeyError):
        sol.table("nope")


def test_activate_deactivate_relax_and_prices_any_match_the_cli():
    path = "instances/example.toml"
    s = aistack.Scenario.from_file(ROOT / path)
    sol = s.solve(activate=["chip-alliance"], relax=True, prices="any")
    want = cli_json("solve", path, "--activate", "chip-alliance", "--relax", "--prices", "any")
    assert_json_close(json.loads(sol.to_json()), want)
    assert sol.welfare["total_min"].isna().all()
    off = s.solve(deactivate="chip-alliance")
    want = cli_json("solve", path, "--deactivate", "chip-alliance")
    assert close(off.objective, want["objective"])


def test_quantity_ranges_match_the_cli_and_bad_ones_raise():
    path = "instances/resilience.toml"
    q = "consumption[IND/outcome=blockade]"
    sol = aistack.Scenario.from_file(ROOT / path).solve(quantity_ranges=q)
    want = cli_json("solve", path, "--quantity-range", q)["quantity_ranges"]
    got = sol.table("quantity_ranges")
    assert list(got["quantity"]) == [q]
    for k in ("optimum", "min", "max"):
        assert close(got[k][0], want[0][k])
    # IND's blockade consumption is a fact of the optimum (header of resilience.toml: 10).
    assert close(got["min"][0], 10.0) and close(got["max"][0], 10.0)
    s = aistack.Scenario.from_file(ROOT / path)
    for bad in ("consumptio[IND]", "consumption[XYZ]"):
        with pytest.raises(ValueError, match="quantity"):
            s.solve(quantity_ranges=[bad])


def test_infeasible_is_a_solution_with_its_diagnosis():
    path = "tests/data/infeasible/essential-vs-capacity.toml"
    sol = aistack.Scenario.from_file(ROOT / path).solve()
    want = cli_json("solve", path)
    assert sol.status == "infeasible" == want["status"]
    assert sol.objective is None
    assert not sol.is_optimal
    assert sol.diagnosis == want["diagnosis"]
    assert len(sol.diagnosis["descriptions"]) == 2
    assert sol.diagnosis_text.startswith("Why: India's essential demand for evaluation")
    assert sol.prices.empty and list(sol.prices.columns) == aistack.SOLUTION_COLUMNS["prices"]


@pytest.mark.parametrize("name", ["two-conflicts", "three-conflicts", "floor-short"])
def test_every_conflict_is_named_as_by_the_cli(name):
    path = f"tests/data/infeasible/{name}.toml"
    sol = aistack.Scenario.from_file(ROOT / path).solve()
    assert sol.status == "infeasible"
    assert sol.diagnosis == cli_json("solve", path)["diagnosis"]


def test_time_limited_solve_returns_time_limit():
    # Far too short for the 60-country world; the status says so (no exception).
    s = aistack.Scenario.from_file(ROOT / "instances" / "world-2026.toml")
    sol = s.solve(time_limit=1e-3)
    assert sol.status == "time_limit"
    assert sol.objective is None or isinstance(sol.objective, float)


def test_bad_solver_arguments_raise_value_error():
    s = aistack.Scenario.from_file(ROOT / "instances" / "example.toml")
    with pytest.raises(ValueError, match='agreement "chip-aliance" is unknown \\(did you mean "chip-alliance"\\?\\)'):
        s.solve(activate=["chip-aliance"])
    with pytest.raises(ValueError, match="time_limit must be a positive"):
        s.solve(time_limit=-1)
    with pytest.raises(ValueError, match="unknown solver backend"):
        s.solve(solver="cplex")
    with pytest.raises(ValueError, match="prices must be"):
        s.solve(prices="cheapest")
    with pytest.raises(ValueError, match="both activated and deactivated"):
        s.solve(activate="chip-alliance", deactivate="chip-alliance")


def test_the_gil_is_released_during_a_solve():
    s = aistack.Scenario.from_file(ROOT / "instances" / "world-2026.toml")
    done = threading.Event()
    ticks = 0

    def work():
        s.solve(relax=True, prices="any")
        done.set()

    t = threading.Thread(target=work)
    start = time.perf_counter()
    t.start()
    while not done.is_set():
        ticks += 1
        time.sleep(0.002)
    t.join()
    elapsed = time.perf_counter() - start
    # The main thread kept running Python while the solve ran.
    assert elapsed < 0.05 or ticks >= 5
